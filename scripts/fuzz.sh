#!/usr/bin/env bash
# Runs one fuzz target for a given time (docs/testing.md, "Fuzzing"):
#   scripts/fuzz.sh TARGET SECONDS [libFuzzer options...]
# TARGET is rules, request, decide or http. Configures and builds build-fuzz
# (clang, libFuzzer, the whole project under ASan+UBSan with assertions on),
# seeds a temporary corpus from the repository (rule files, goldens,
# scenarios, examples, fuzz/seeds, the saved regressions) and fuzzes with -max_len=65536.
# A crasher is written to build-fuzz/artifacts/TARGET/; copy it into
# tests/fuzz-regressions/TARGET/ (the normal suite replays that folder) and fix
# the bug. Set PROVISO_FUZZ_CORPUS=DIR to keep the corpus between runs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
target=${1:?usage: scripts/fuzz.sh rules|request|decide|http SECONDS [options]}
seconds=${2:?usage: scripts/fuzz.sh TARGET SECONDS [options]}
shift 2
case $target in rules|request|decide|http) ;; *) echo "fuzz: unknown target $target" >&2; exit 2 ;; esac

command -v clang++ > /dev/null || { echo "fuzz: needs clang++ (Debian: apt-get install clang libclang-rt-dev)" >&2; exit 2; }
flags="-fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=all -fno-omit-frame-pointer"
launcher=()
command -v ccache > /dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
if [ ! -f build-fuzz/CMakeCache.txt ]; then
  # Debug keeps assertions on (X3's included); -O1 keeps the fuzzer fast.
  cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ "${launcher[@]}" \
        -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" -DCMAKE_CXX_FLAGS="$flags" \
        -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined" \
        -DPROVISO_FUZZ=ON -DPROVISO_BUILD_TESTS=OFF -DPROVISO_BUILD_BENCH=OFF > /dev/null
fi
cmake --build build-fuzz -j "$(nproc)" --target "fuzz_$target" >&2

corpus=${PROVISO_FUZZ_CORPUS:-$(mktemp -d)}
[ -n "${PROVISO_FUZZ_CORPUS:-}" ] || trap 'rm -rf "$corpus"' EXIT
mkdir -p "$corpus" "build-fuzz/artifacts/$target"
seed() { for f in "$@"; do [ -f "$f" ] && cp "$f" "$corpus/seed-$(sha1sum "$f" | cut -c1-16)"; done; return 0; }
shopt -s nullglob globstar
case $target in
  rules) seed rules/**/*.proviso bench/toy/*.proviso tests/golden/**/*.proviso tests/analyzer/**/*.proviso ;;
  request) seed examples/*.json examples/*.yaml rules/**/tests/*.yaml tests/golden/decisions/*.json ;;
  decide)
    # generated rule sets with a request each (differential_test --emit), then the examples
    seed fuzz/seeds/decide/* examples/*.json examples/*.yaml
    # rule file + `%%` + request pairs: the toy policy and the small rule files with every example request
    for rules in bench/toy/toy.proviso tests/golden/format/*.proviso; do
      for request in examples/*.json; do
        out="$corpus/pair-$(basename "$rules" .proviso)-$(basename "$request" .json)"
        { cat "$rules"; printf '\n%%%%\n'; cat "$request"; } > "$out"
      done
    done ;;
  http)
    for request in examples/*.json; do
      body=$(cat "$request")
      printf 'POST /v1/decide?explain=full HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s' \
        "${#body}" "$body" > "$corpus/decide-$(basename "$request")"
    done
    printf 'GET /v1/policy HTTP/1.1\r\nHost: localhost\r\n\r\n' > "$corpus/policy"
    printf 'GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n' > "$corpus/metrics"
    printf 'DELETE /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n' > "$corpus/delete" ;;
esac
seed tests/fuzz-regressions/"$target"/*
echo "fuzz: $target for $seconds s from $(ls "$corpus" | wc -l) seeds" >&2
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  "build-fuzz/fuzz_$target" -max_len=65536 -max_total_time="$seconds" -timeout=60 -rss_limit_mb=2560 \
  -artifact_prefix="build-fuzz/artifacts/$target/" -print_final_stats=1 "$@" "$corpus"
