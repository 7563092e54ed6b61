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

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
