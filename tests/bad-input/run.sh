#!/usr/bin/env bash
# The bad-input catalogue (see manifest): every case exits with its code, prints
# exactly its expected output, never a decision or a receipt, never an internal
# error, and each generated (huge) case is refused within a time bound.
# Usage: run.sh PATH/TO/proviso   (UPDATE_GOLDEN=1 rewrites expected/)
set -uo pipefail
PROVISO=$(realpath "${1:?usage: run.sh PATH/TO/proviso}")
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
gen=$(mktemp -d)
trap 'rm -rf "$gen"' EXIT
python3 generate.py "$gen" || { echo "FAIL: could not generate inputs"; exit 1; }
mkdir -p expected
passed=0 failed=0
max_generated_ms=0
fail() { failed=$((failed + 1)); printf 'FAIL %s: %s\n' "$1" "$2"; }

while read -r name code args; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  generated=0
  argv=()
  for a in $args; do
    if [[ "$a" == %* ]]; then argv+=("$gen/${a#%}"); generated=1; else argv+=("$a"); fi
  done
  start=$(date +%s%N)
  timeout 20 "$PROVISO" "${argv[@]}" >"$gen/.stdout" 2>"$gen/.stderr"
  status=$?
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  output=$(cat "$gen/.stderr" "$gen/.stdout" | tr -d '\0' | sed "s|$gen|<generated>|g")
  ok=1
  if [ "$status" -ne "$code" ]; then fail "$name" "exit $status, wanted $code"; ok=0; fi
  if grep -qE '"(outcome|decision|receipt)"' "$gen/.stdout"; then fail "$name" "printed a decision or a receipt"; ok=0; fi
  if grep -q 'internal error' <<<"$output"; then fail "$name" "an internal error (E9xx) from user input"; ok=0; fi
  if [ "$generated" -eq 1 ]; then
    (( ms > max_generated_ms )) && max_generated_ms=$ms
    # Deep input must be refused before any recursion: milliseconds, with room for a
    # loaded machine. The other generated cases (big files, 100,001 rules) get a hang guard.
    limit=15000
    [[ "$name" == *deep* ]] && limit=3000
    if [ "$ms" -gt "$limit" ]; then fail "$name" "took ${ms} ms (limit ${limit} ms)"; ok=0; fi
    printf '  %-36s %5d ms\n' "$name" "$ms"
  fi
  if [ -n "$(ls -A "$gen/export-dir" 2>/dev/null)" ]; then fail "$name" "wrote files to the export folder"; ok=0; fi
  golden="expected/$name.txt"
  actual=$(printf 'exit %s\n%s\n' "$status" "$output")
  if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
    printf '%s' "$actual" >"$golden"
  elif [ ! -f "$golden" ]; then
    fail "$name" "no expected/$name.txt (run with UPDATE_GOLDEN=1 and review it)"; ok=0
  elif [ "$actual" != "$(cat "$golden")" ]; then
    fail "$name" "output differs from $golden:"
    diff <(printf '%s' "$actual") "$golden" | head -20
    ok=0
  fi
  [ "$ok" -eq 1 ] && passed=$((passed + 1))
done <manifest

echo "bad-input catalogue: $passed passed, $failed failed; slowest generated case ${max_generated_ms} ms"
[ "$failed" -eq 0 ]
