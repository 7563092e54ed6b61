#!/usr/bin/env bash
# The whole test suite: set up, build, and run every test through ctest; then
# the sanitizer stages (scripts/sanitize.sh: the suite under ASan+UBSan, the
# concurrency test under TSan). PROVISO_SKIP_SANITIZERS=1 skips those for a
# quick local run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
(cd "${PROVISO_BUILD_DIR:-build}" && ctest --output-on-failure -j "$(nproc)" "$@")
# PROVISO_SANITIZERS picks the stages (asan, tsan or all, the default).
if [ "${PROVISO_SKIP_SANITIZERS:-0}" != 1 ]; then
  bash scripts/sanitize.sh "${PROVISO_SANITIZERS:-all}"
fi
