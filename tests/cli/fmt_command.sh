#!/usr/bin/env bash
# `proviso fmt` end to end: stdout for one file, --check, --diff, --write,
# standard input, syntax errors, and that the shipped rule files are formatted.
set -uo pipefail
PROVISO=${1:?usage: fmt_command.sh PATH/TO/proviso RULES_DIR}
RULES=${2:?usage: fmt_command.sh PATH/TO/proviso RULES_DIR}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

printf 'fact a:bool "a"\nrule r permit cite "x"   # why\n  when ( a )\n' >"$work/messy.proviso"
expected=$'fact a : bool "a"\nrule r permit\n  cite "x"  # why\n  when a'
out=$("$PROVISO" fmt "$work/messy.proviso"); status=$?
[ "$status" -eq 0 ] && [ "$out" = "$expected" ] || fail "a single file prints its formatted text (exit $status): $out"
out=$("$PROVISO" fmt - <"$work/messy.proviso") && [ "$out" = "$expected" ] || fail "standard input"

out=$("$PROVISO" fmt --check "$work/messy.proviso"); status=$?
[ "$status" -eq 1 ] && grep -q 'messy.proviso: not formatted' <<<"$out" || fail "--check on an unformatted file exits 1 (got $status): $out"
out=$("$PROVISO" fmt --diff "$work/messy.proviso"); status=$?
[ "$status" -eq 1 ] && grep -q '^@@ ' <<<"$out" && grep -q '^+  when a$' <<<"$out" && grep -q '^-  when ( a )$' <<<"$out" ||
  fail "--diff shows a unified diff (got $status): $out"
out=$("$PROVISO" fmt --write "$work"); status=$?
[ "$status" -eq 0 ] && grep -q 'formatted .*messy.proviso' <<<"$out" || fail "--write on a folder (got $status): $out"
[ "$(cat "$work/messy.proviso")" = "$expected" ] || fail "--write rewrote the file"
"$PROVISO" fmt --check "$work/messy.proviso" >/dev/null || fail "--check after --write exits 0"
out=$("$PROVISO" fmt --diff "$work/messy.proviso"); [ $? -eq 0 ] && [ -z "$out" ] || fail "--diff on a formatted file prints nothing"

printf 'rule r permit cite\n' >"$work/broken.proviso"
out=$("$PROVISO" fmt "$work/broken.proviso" 2>&1); status=$?
[ "$status" -eq 3 ] && grep -q 'E103' <<<"$out" || fail "a file with syntax errors exits 3 with its diagnostics (got $status): $out"
cp "$work/broken.proviso" "$work/keep.proviso"
"$PROVISO" fmt --write "$work/broken.proviso" >/dev/null 2>&1
cmp -s "$work/broken.proviso" "$work/keep.proviso" || fail "--write leaves a file with syntax errors alone"
out=$("$PROVISO" fmt --check --write "$work/messy.proviso" 2>&1); [ $? -eq 2 ] || fail "--check with --write is a usage error"


out=$("$PROVISO" fmt --check "$RULES"); status=$?
[ "$status" -eq 0 ] || fail "the shipped rule files are formatted (run: proviso fmt --write $RULES): $out"

[ "$fails" -eq 0 ] && echo "fmt command: all checks passed"
exit $((fails > 0))
