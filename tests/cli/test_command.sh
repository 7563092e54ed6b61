#!/usr/bin/env bash
# `proviso test` end to end: the summary line, readable failures, --coverage,
# --format json, --junit and --run, on a small rule set written here.
set -uo pipefail
PROVISO=${1:?usage: test_command.sh PATH/TO/proviso}
RULES=${2:?usage: test_command.sh PROVISO RULES_DIR}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

mkdir -p "$work/set/tests"
cat >"$work/set/proviso.yaml" <<'YAML'
name: tiny
general_rule: general_rule
YAML
cat >"$work/set/rules.proviso" <<'RULES'
fact a : bool "fact a"
fact b : bool "fact b"
fact c : bool "fact c"
rule general_rule forbid
  cite "26 U.S.C. § 6103(a)"
rule x permit
  cite "26 U.S.C. § 6103(x)"
  exception to general_rule
  when all of {
    a "a holds"
    b "b holds"
    c "c holds"
  }
RULES
cat >"$work/set/tests/x.yaml" <<'YAML'
suite: "tiny x"
base: {a: true, b: true, c: true}
scenarios:
  - name: "both: permitted"
    expect: {outcome: permitted, authorities: [x]}
  - name: "no b: denied"
    set: {b: false}
    expect: {outcome: denied, failing: {rule: x, condition: "b holds"}}
  - name: "wrong on purpose"
    set: {a: false}
    expect: {outcome: permitted, authorities: [x]}
YAML

out=$("$PROVISO" test "$work/set" --coverage --junit "$work/junit.xml"); status=$?
[ "$status" -eq 1 ] || fail "a failing scenario exits 1 (got $status)"
tail -n1 <<<"$out" | grep -qx '2 passed, 1 failed' || fail "the last line is the summary: $(tail -n1 <<<"$out")"
grep -q 'FAIL  tiny x › wrong on purpose' <<<"$out" || fail "the failure is named"
grep -q 'expected: permitted' <<<"$out" && grep -q 'got:      denied' <<<"$out" || fail "expected vs got: $out"
grep -q 'rules:      2/2 exercised applying and not applying (100.0%)' <<<"$out" || fail "rule coverage: $out"
grep -q 'conditions: 3/4 exercised true and false (75.0%)' <<<"$out" || fail "condition coverage: $out"
grep -q 'rules.proviso:12:5: never false: c holds (rule x)' <<<"$out" || fail "unexercised condition by file:line: $out"
grep -q '26 U.S.C. § 6103(x)' <<<"$out" || fail "statute coverage"
python3 - "$work/junit.xml" <<'PY' || fail "junit report"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites" and root.get("tests") == "3" and root.get("failures") == "1", root.attrib
failures = root.findall(".//failure")
assert len(failures) == 1 and "outcome" in failures[0].get("message"), failures
PY

"$PROVISO" test "$work/set" --coverage --format json >"$work/out.json"; status=$?
[ "$status" -eq 1 ] || fail "json: a failing scenario exits 1"
python3 - "$work/out.json" <<'PY' || fail "json report"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["passed"] == 2 and d["failed"] == 1, d
c = d["coverage"]
assert c["rules"]["covered"] == 2 and c["rules"]["total"] == 2, c["rules"]
assert c["conditions"]["covered_both_ways"] == 3 and c["conditions"]["total"] == 4, c["conditions"]
failed = [s for s in d["scenarios"] if not s["passed"]]
assert failed[0]["failures"][0] == {"check": "outcome", "expected": "permitted", "got": "denied", "note": failed[0]["failures"][0]["note"]}
PY

out=$("$PROVISO" test "$work/set" --run "both"); status=$?
[ "$status" -eq 0 ] && [ "$(tail -n1 <<<"$out")" = "1 passed, 0 failed" ] || fail "--run filters: $out"

# The shipped rule set: every rule covered both ways, at least 95% of conditions.
"$PROVISO" test "$RULES" --coverage --format json >"$work/ship.json" || fail "shipped scenarios pass"
python3 - "$work/ship.json" <<'PY' || fail "shipped coverage"
import json, sys
c = json.load(open(sys.argv[1]))["coverage"]
r, k = c["rules"], c["conditions"]
print(f"rules {r['covered']}/{r['total']}, conditions {k['covered_both_ways']}/{k['total']}")
assert r["covered"] == r["total"], r["uncovered"]
assert k["covered_both_ways"] >= 0.95 * k["total"], k["uncovered"]
PY

[ "$fails" -eq 0 ] && echo "test command: all checks passed"
exit $((fails > 0))
