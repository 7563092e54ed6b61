#!/usr/bin/env bash
# End-to-end tests of the proviso command: documented exit codes, clear errors
# for hostile input (each under a time limit: a hang fails), and the demo.
set -uo pipefail
PROVISO=${1:?usage: run.sh PATH/TO/proviso}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0

# expect NAME CODE PATTERN -- COMMAND...: exit code CODE and output matching PATTERN.
expect() {
  local name=$1 code=$2 pattern=$3
  shift 4
  local out status
  out=$(timeout 20 "$@" 2>&1 | tr -d '\0'; exit "${PIPESTATUS[0]}")
  status=$?
  if [ "$status" -eq "$code" ] && grep -qE -- "$pattern" <<<"$out"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    printf 'FAIL %s: exit %s (wanted %s), output:\n%s\n' "$name" "$status" "$code" "$(head -c 2000 <<<"$out")"
  fi
}

expect "version" 0 '^proviso [0-9]' -- "$PROVISO" version
expect "help lists exit codes" 0 'Exit codes' -- "$PROVISO" --help
expect "unknown flag is a usage error" 2 'ormat|xtraneous|not.*(expected|recognized)|following argument' -- "$PROVISO" eval --nope x.json
expect "missing request file" 2 'cannot read request' -- "$PROVISO" eval "$work/missing.json"
expect "built-in rules check clean" 0 '0 errors, 0 warnings' -- "$PROVISO" check
expect "demo decides the ICE request" 0 'DENIED|PERMITTED|UNDETERMINED' -- "$PROVISO" eval examples/ice-address-verification.json
expect "demo json is versioned" 0 '"schema": "proviso.decision/v1"' -- "$PROVISO" eval --format json examples/ice-address-verification.json
expect "full trace" 0 '"considered"' -- "$PROVISO" eval --format json --explain full examples/ice-address-verification.json

# Hostile requests: exit 4 with a diagnostic, quickly.
printf '{"request": {"x": "\xff\xfe"}}' >"$work/bad-utf8.json"
printf '{"request": \0}' >"$work/nul.json"
: >"$work/empty.json"
head -c 10485760 /dev/zero | tr '\0' ' ' >"$work/big.json"
printf '%*s' 20000 '' | tr ' ' '[' >"$work/deep.json"
expect "request: invalid UTF-8" 4 'E401' -- "$PROVISO" eval "$work/bad-utf8.json"
expect "request: NUL byte" 4 'E401' -- "$PROVISO" eval "$work/nul.json"
expect "request: empty" 4 'E409.*empty' -- "$PROVISO" eval "$work/empty.json"
expect "request: 10 MB" 4 'E406' -- "$PROVISO" eval "$work/big.json"
expect "request: 20,000-deep arrays" 4 'E405' -- "$PROVISO" eval "$work/deep.json"
expect "request: unknown fact" 4 'did you mean .disclosure.items.' -- "$PROVISO" eval <(echo '{"disclosure": {"itemz": []}}')

# Hostile rule files: check exits 1, eval exits 3, each with a diagnostic.
printf 'rule r permit cite "\xff"\n' >"$work/bad-utf8.proviso"
printf 'rule r permit\0 cite "x"\n' >"$work/nul.proviso"
: >"$work/empty.proviso"
head -c 10485760 /dev/zero | tr '\0' '#' >"$work/big.proviso"
{ printf 'fact a : bool "a"\nrule r permit cite "x" when '; printf '%*s' 20000 '' | tr ' ' '('; printf 'a'; printf '%*s' 20000 '' | tr ' ' ')'; echo; } >"$work/deep.proviso"
expect "rules: invalid UTF-8" 1 'E101' -- "$PROVISO" check "$work/bad-utf8.proviso"
expect "rules: NUL byte" 1 'E102' -- "$PROVISO" check "$work/nul.proviso"
expect "rules: empty file" 1 'E218' -- "$PROVISO" check "$work/empty.proviso"
expect "rules: 10 MB" 1 'E105' -- "$PROVISO" check "$work/big.proviso"
expect "rules: 20,000-deep parentheses" 1 'E106' -- "$PROVISO" check "$work/deep.proviso"
expect "eval with broken rules" 3 'E106' -- "$PROVISO" eval --rules "$work/deep.proviso" examples/ice-address-verification.json
expect "missing rule set" 1 'E501' -- "$PROVISO" check "$work/nowhere"

# Full detail without the counterfactual search: the same JSON less one key, and only where there is a key to leave out.
sample=examples/state-tax-agency.json  # a request with counterfactuals to leave out
python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))))' "$sample" >"$work/sample.jsonl"
expect "eval --no-counterfactuals needs --explain full" 2 'only --format json --explain full' -- "$PROVISO" eval --format json --no-counterfactuals "$sample"
expect "batch --no-counterfactuals needs --explain full" 2 'only --explain full has counterfactuals' -- "$PROVISO" batch --no-counterfactuals "$work/sample.jsonl"
# less.py WITH WITHOUT: WITH has a non-empty "counterfactuals" and WITHOUT is WITH less that key.
cat >"$work/less.py" <<'PY'
import json, sys
with_, without = (json.load(open(p)) for p in sys.argv[1:3])
ok = bool(with_.get("counterfactuals")) and "counterfactuals" not in without \
     and {k: v for k, v in with_.items() if k != "counterfactuals"} == without
print("same less counterfactuals" if ok else "differ")
sys.exit(0 if ok else 1)
PY
"$PROVISO" eval --format json --explain full "$sample" >"$work/with.json"
"$PROVISO" eval --format json --explain full --no-counterfactuals "$sample" >"$work/without.json"
expect "eval --no-counterfactuals leaves out only the counterfactuals" 0 'same less' -- python3 "$work/less.py" "$work/with.json" "$work/without.json"
"$PROVISO" batch --explain full "$work/sample.jsonl" >"$work/with.jsonl"
"$PROVISO" batch --explain full --no-counterfactuals "$work/sample.jsonl" >"$work/without.jsonl"
expect "batch --no-counterfactuals leaves out only the counterfactuals" 0 'same less' -- python3 "$work/less.py" "$work/with.jsonl" "$work/without.jsonl"

"$PROVISO" explain --style json "$sample" >"$work/explain-with.json"
"$PROVISO" explain --style json --no-counterfactuals "$sample" >"$work/explain-without.json"
expect "explain --no-counterfactuals leaves out only the counterfactuals" 0 'same less' -- python3 "$work/less.py" "$work/explain-with.json" "$work/explain-without.json"
expect "explain: the memo has what would have to change" 0 'What would have to change' -- "$PROVISO" explain "$sample"
expect "explain --no-counterfactuals: the memo has not" 1 '^0$' -- bash -c "'$PROVISO' explain --no-counterfactuals '$sample' | grep -c 'What would have to change'"
expect "explain --no-counterfactuals excludes --why-not" 2 'excludes' -- "$PROVISO" explain --no-counterfactuals --why-not i1_nontax_criminal "$sample"

# batch reads the input in blocks of whole lines (~256 KiB, or 32 lines with --explain compact or full) and
# writes the answers in input order: lines as std::getline gives them (empty ones, none after a final newline,
# a last one without it), error lines numbered across blocks, the same bytes for 1 and 2 jobs and from stdin.
# lines.py OUT N BAD...: OUT has N lines, an error naming its line at each BAD line number, a decision elsewhere.
cat >"$work/lines.py" <<'PY'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
n, bad = int(sys.argv[2]), {int(b) for b in sys.argv[3:]}
ok = lines[-1] == "" and len(lines) - 1 == n
for number, text in enumerate(lines[:-1], 1):
    answer = json.loads(text)
    ok = ok and (answer["error"]["line"] == number if number in bad else "decision" in answer)
print("lines in order" if ok else "lines differ")
sys.exit(0 if ok else 1)
PY
python3 - "$work/sample.jsonl" "$work/many.jsonl" "$work/few.jsonl" <<'PY'
import sys
line = open(sys.argv[1]).read().strip()
many = [line] * 4000
many[999], many[3998] = "", "not json"
open(sys.argv[2], "w").write("\n".join(many))  # no newline after the last line
few = [line] * 100
few[76] = "   "
open(sys.argv[3], "w").write("\n".join(few) + "\n")
PY
"$PROVISO" batch --explain none --jobs 1 "$work/many.jsonl" >"$work/many.1"
"$PROVISO" batch --explain none --jobs 2 "$work/many.jsonl" >"$work/many.2"
"$PROVISO" batch --explain none --jobs 2 - <"$work/many.jsonl" >"$work/many.stdin"
expect "batch: 4,000 lines over several blocks, in order" 0 'lines in order' -- python3 "$work/lines.py" "$work/many.1" 4000 1000 3999
expect "batch: 2 jobs write the same bytes as 1" 0 '^$' -- cmp "$work/many.1" "$work/many.2"
expect "batch: standard input the same as a file" 0 '^$' -- cmp "$work/many.1" "$work/many.stdin"
"$PROVISO" batch --jobs 1 "$work/few.jsonl" >"$work/few.1"
"$PROVISO" batch --jobs 2 "$work/few.jsonl" >"$work/few.2"
expect "batch --explain compact: 100 lines over 32-line blocks, in order" 0 'lines in order' -- python3 "$work/lines.py" "$work/few.2" 100 77
expect "batch --explain compact: 2 jobs write the same bytes as 1" 0 '^$' -- cmp "$work/few.1" "$work/few.2"
printf '\n\n' >"$work/two-empty.jsonl"
expect "batch: two empty lines are two error lines" 0 'lines in order' -- bash -c "'$PROVISO' batch '$work/two-empty.jsonl' >'$work/two.out' && python3 '$work/lines.py' '$work/two.out' 2 1 2"
expect "batch: an empty input answers nothing" 0 '^$' -- bash -c "'$PROVISO' batch - </dev/null | wc -c | grep -qx 0"
expect "batch: a directory is a read error" 2 'reading .* failed' -- "$PROVISO" batch "$work"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
