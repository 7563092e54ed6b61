#!/usr/bin/env bash
# The whole test suite: set up, build, and run every test through ctest.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
cd "${PROVISO_BUILD_DIR:-build}"
exec ctest --output-on-failure -j "$(nproc)" "$@"
