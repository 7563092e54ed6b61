#!/usr/bin/env bash
# Installs what Proviso needs from Debian's packages (only what is missing),
# then configures and builds it in ./build. Safe to run again: it does only
# what is left to do. Sourced by scripts/demo.sh and scripts/test.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PROVISO_PACKAGES=(g++ cmake ninja-build pkg-config libboost-dev nlohmann-json3-dev libyaml-cpp-dev
                  doctest-dev libcli11-dev libcpp-httplib-dev libssl-dev libsimdjson-dev)

missing=()
for package in "${PROVISO_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

BUILD_DIR=${PROVISO_BUILD_DIR:-build}
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >&2
fi
cmake --build "$BUILD_DIR" -j "$(nproc)" >&2
