#!/usr/bin/env bash
# The main job: set up, build, and decide the bundled ICE address-verification
# request with the built-in § 6103 rules, printing the decision and why.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
exec "${PROVISO_BUILD_DIR:-build}/proviso" eval examples/ice-address-verification.json "$@"
