#!/usr/bin/env bash
# The Python ctypes example against the built libproviso.so: it prints the
# decision `proviso eval` makes, and a bad request comes back as error JSON
# with status 4 and a diagnostic code.
#   python_ctypes.sh LIBPROVISO SOURCE_DIR PROVISO
set -euo pipefail
library=$1 source=$2 proviso=$3
request=$source/examples/ice-address-verification.json
out=$(python3 "$source/examples/python/decide.py" --library "$library" "$request")
echo "$out"
expected=$("$proviso" eval --format json "$request" | python3 -c 'import json,sys; print(json.load(sys.stdin)["decision"])')
echo "$out" | grep -qx "decision: $expected" || { echo "FAIL: ctypes decided differently from proviso eval ($expected)"; exit 1; }

bad=$(mktemp)
trap 'rm -f "$bad"' EXIT
echo '{"request": {"in_writing": "yes"}}' > "$bad"
status=0
python3 "$source/examples/python/decide.py" --library "$library" "$bad" 2> "$bad.err" > /dev/null || status=$?
[ "$status" = 4 ] || { echo "FAIL: a bad request gave status $status, want 4"; cat "$bad.err"; exit 1; }
grep -q '"code": *"E403"' "$bad.err" || { echo "FAIL: no E403 in the error JSON"; cat "$bad.err"; exit 1; }
rm -f "$bad.err"
echo "ok: the ctypes example decides $expected and reports bad input as E403"
