#!/usr/bin/env bash
# End-to-end tests of explain, interview, handbook and quiz: each command's
# output for the ICE example and piped answers (explanations that teach, issue 5).
set -uo pipefail
PROVISO=${1:?usage: explain.sh PATH/TO/proviso}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0

# expect NAME CODE PATTERN -- COMMAND...: exit code CODE and output matching PATTERN.
expect() {
  local name=$1 code=$2 pattern=$3
  shift 4
  local out status
  out=$(timeout 60 "$@" 2>&1; exit "$?")
  status=$?
  if [ "$status" -eq "$code" ] && grep -qE -- "$pattern" <<<"$out"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    printf 'FAIL %s: exit %s (wanted %s), output:\n%s\n' "$name" "$status" "$code" "$(head -c 3000 <<<"$out")"
  fi
}

ice=examples/ice-address-verification.json
expect "memo names the decisive condition" 0 'not met \(1\):' -- "$PROVISO" explain "$ice"
expect "memo cites (i)(2)(A)" 0 "✗ the request is signed by the head of the federal agency.*\\[26 U.S.C. § 6103\\(i\\)\\(2\\)\\(A\\)\\]" -- "$PROVISO" explain "$ice"
expect "memo proposes the signer" 0 'request.signed_by = "head_of_agency"  → permitted under 26 U.S.C. § 6103\(i\)\(2\)' -- "$PROVISO" explain "$ice"
expect "plain language" 0 'The answer: NO' -- "$PROVISO" explain --style plain "$ice"
expect "json tree" 0 '"schema": "proviso.explanation/v1"' -- "$PROVISO" explain --style json "$ice"
expect "why-not by citation" 0 'Why not 26 U.S.C. § 6103\(i\)\(1\)' -- "$PROVISO" explain "$ice" --why-not '6103(i)(1)'
expect "why-not lists the unmet order" 0 'order.granted = false' -- "$PROVISO" explain "$ice" --why-not '6103(i)(1)'
expect "why-not by rule id, json" 0 '"rule": "i2_written_request"' -- "$PROVISO" explain "$ice" --why-not i2_written_request --style json
expect "why-not of nothing is a usage error" 2 'no provision matches' -- "$PROVISO" explain "$ice" --why-not '6103(zz)'
expect "eval full has counterfactuals" 0 '"counterfactuals": \[' -- "$PROVISO" eval --format json --explain full "$ice"

# The interview, scripted from stdin: ICE's request minus the signer; one answer decides it.
python3 - "$ice" >"$work/partial.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
del r["request"]["signed_by"]
print(json.dumps(r))
PY
expect "explain asks the signer next" 0 'Q1 \(request.signed_by\): Tell us who signed or made the request' -- "$PROVISO" explain "$work/partial.json"
expect "explain: what the signer's answers lead to" 0 '→ permitted \(26 U.S.C. § 6103\(i\)\(2\)\): head_of_agency, inspector_general' -- "$PROVISO" explain "$work/partial.json"
expect "eval full: next questions in the decision JSON" 0 '"next_questions": \[' -- "$PROVISO" eval --format json --explain full "$work/partial.json"
expect "interview asks the signer" 0 'Question 1 \(request.signed_by\)' -- bash -c "echo head_of_agency | '$PROVISO' interview '$work/partial.json'"
expect "interview says why the signer matters" 0 'it matters: the answer head_of_agency gives permitted and component_head gives denied' -- bash -c "echo head_of_agency | '$PROVISO' interview '$work/partial.json'"
expect "interview reaches the decision" 0 'The answer: YES' -- bash -c "echo head_of_agency | '$PROVISO' interview '$work/partial.json'"
expect "interview: a bad answer is asked again" 0 'not an answer to this question' -- bash -c "printf 'nobody\nhead_of_agency\n' | '$PROVISO' interview '$work/partial.json'"
expect "interview from nothing stops at end of input" 0 'no more answers' -- bash -c "printf 'irs_employee\n' | '$PROVISO' interview"

printf '%s passed, %s failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
