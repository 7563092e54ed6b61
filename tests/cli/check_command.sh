#!/usr/bin/env bash
# `proviso check` with the analyzer: the seeded rule set's findings in each
# format, with witnesses; the shipped rule set stays clean.
set -uo pipefail
PROVISO=${1:?usage: check_command.sh PATH/TO/proviso}
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
seeded=tests/analyzer/seeded

out=$("$PROVISO" check "$seeded" 2>&1); status=$?
[ "$status" -eq 0 ] || fail "warnings alone exit 0 (got $status)"
for code in W201 A301 A302 A303 A304 A305; do grep -q "\[$code\]" <<<"$out" || fail "text reports $code: $out"; done
grep -q '= witness: {"order":{"granted":true},"recipient":{"kind":"person"}}' <<<"$out" || fail "text shows the A304 witness"
grep -q '0 errors, 5 warnings, 1 notes' <<<"$out" || fail "summary counts: $out"

out=$("$PROVISO" check --format gnu "$seeded")
grep -qE '^tests/analyzer/seeded/seeded.proviso:20:6: warning: rule `impossible` can never apply.* \[A301\]$' <<<"$out" ||
  fail "gnu format: $out"
[ "$(wc -l <<<"$out")" -eq 6 ] || fail "gnu: one line per finding"

"$PROVISO" check --format json "$seeded" >"${TMPDIR:-/tmp}/check.$$.json"
python3 - "${TMPDIR:-/tmp}/check.$$.json" <<'PY' || fail "json format"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["errors"] == 0 and d["warnings"] == 5 and d["notes"] == 1, d
shadow = [x for x in d["diagnostics"] if x["code"] == "A303"][0]
assert shadow["witness"] == {"request": {"in_writing": True}}, shadow
assert shadow["file"].endswith("seeded.proviso") and shadow["line"] == 40, shadow
PY
rm -f "${TMPDIR:-/tmp}/check.$$.json"

# The witness of A304, evaluated, is a conflict.
out=$(echo '{"order":{"granted":true},"recipient":{"kind":"person"}}' | "$PROVISO" eval --rules "$seeded" --format json -)
grep -q '"decision": "conflict"' <<<"$out" || fail "the A304 witness evaluates to a conflict: $out"

out=$("$PROVISO" check --no-analyze "$seeded" 2>&1)
grep -q '\[A30' <<<"$out" && fail "--no-analyze skips the analyzer"

out=$("$PROVISO" check rules/us/irc-6103 2>&1)
grep -q ' 0 errors, 0 warnings$' <<<"$out" || fail "the shipped rule set has no analyzer findings: $out"

[ "$fails" -eq 0 ] && echo "check command: all checks passed"
exit $((fails > 0))
