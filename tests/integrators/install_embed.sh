#!/usr/bin/env bash
# Installs Proviso to a temporary prefix, builds examples/embed against the
# installed CMake package and runs it; its decision must be the one
# `proviso eval` makes for the same request.
#   install_embed.sh BUILD_DIR SOURCE_DIR PROVISO
set -euo pipefail
build=$1 source=$2 proviso=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cmake --install "$build" --prefix "$tmp/prefix" > "$tmp/install.log"
for f in include/proviso/proviso.hpp include/proviso/proviso.h lib/cmake/proviso/provisoConfig.cmake \
         lib/cmake/proviso/provisoConfigVersion.cmake lib/pkgconfig/proviso.pc; do
  [ -f "$tmp/prefix/$f" ] || { echo "FAIL: the install lacks $f"; exit 1; }
done
# Only the public API is exported: no engine internals, no yaml-cpp.
if nm -D --defined-only "$tmp/prefix/lib/libproviso.so" | grep -E 'YAML|proviso[0-9]+(load_rule_set|bind_request)' | head -3 | grep .; then
  echo "FAIL: libproviso.so exports internal symbols"; exit 1
fi

cmake -S "$source/examples/embed" -B "$tmp/embed" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_PREFIX_PATH="$tmp/prefix" > "$tmp/configure.log" || { cat "$tmp/configure.log"; exit 1; }
cmake --build "$tmp/embed" > "$tmp/build.log" || { cat "$tmp/build.log"; exit 1; }

request=$source/examples/ice-address-verification.json
out=$("$tmp/embed/embed" "$request")
echo "$out"
expected=$("$proviso" eval --format json "$request" | python3 -c 'import json,sys; print(json.load(sys.stdin)["decision"])')
# Here-strings, not `echo | grep -q`: grep -q exits at the first match, and
# under pipefail the echo still writing the receipt then fails with SIGPIPE.
grep -qx "decision: $expected" <<< "$out" || { echo "FAIL: embed decided differently from proviso eval ($expected)"; exit 1; }
grep -q '^receipt: {"authorities":' <<< "$out" || { echo "FAIL: no receipt"; exit 1; }
# The C API from C, through pkg-config.
export PKG_CONFIG_PATH=$tmp/prefix/lib/pkgconfig
cc -std=c11 -Wall -Wextra -Werror "$source/examples/embed/decide.c" $(pkg-config --cflags --libs proviso) \
   -Wl,-rpath,"$tmp/prefix/lib" -o "$tmp/decide_c"
c_decision=$("$tmp/decide_c" < "$request" | python3 -c 'import json,sys; print(json.load(sys.stdin)["decision"])')
[ "$c_decision" = "$expected" ] || { echo "FAIL: the C example decided $c_decision, want $expected"; exit 1; }
echo "ok: examples/embed/decide.c built with pkg-config decides $c_decision"
fast_decision=$("$tmp/decide_c" --fast < "$request" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert set(d) == {"decision", "authorities"}; print(d["decision"])')
[ "$fast_decision" = "$expected" ] || { echo "FAIL: the C example's fast path decided $fast_decision, want $expected"; exit 1; }
echo "ok: examples/embed/decide.c --fast (proviso_decider) decides $fast_decision"
echo "ok: examples/embed built against the installed package decides $expected"
