#!/usr/bin/env bash
# The diagnostic code registry (docs/diagnostics.md) against the source and the
# tests: every code the source emits is registered, and every registered code
# is shown by a golden file (tests/golden, tests/bad-input/expected,
# tests/analyzer) or, for codes no CLI run can show (the HTTP service, the C
# API, the step budget), asserted by name in tests/unit, tests/integrators,
# tests/cli or tests/server.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
failed=0
registered=$(grep -oE '^\| \[?[EWA][0-9]{3}' docs/diagnostics.md | grep -oE '[EWA][0-9]{3}' | sort -u)
emitted=$(grep -rhoE '"[EWA][0-9]{3}"' grammar engine cli server | tr -d '"' | sort -u)
for code in $emitted; do
  if ! grep -qx "$code" <<<"$registered"; then
    echo "FAIL: $code is emitted by the source but not in docs/diagnostics.md"
    failed=$((failed + 1))
  fi
done
asserted_only=()
for code in $registered; do
  if grep -rqE "\b$code\b" tests/golden tests/bad-input/expected tests/analyzer 2>/dev/null; then continue; fi
  if grep -rqE "\b$code\b" tests/unit tests/integrators tests/cli tests/server 2>/dev/null; then
    asserted_only+=("$code")
    continue
  fi
  echo "FAIL: $code is in docs/diagnostics.md but no test shows it"
  failed=$((failed + 1))
done
echo "registry: $(wc -w <<<"$registered") codes registered, $(wc -w <<<"$emitted") emitted by the source"
echo "shown by a unit or integration assertion rather than a golden file: ${asserted_only[*]:-none}"
[ "$failed" -eq 0 ]
