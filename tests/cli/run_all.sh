#!/bin/sh
# Runs every tests/cli/test_*.sh against $SLACKSIM (the binary under test).
# Each script exits non-zero on failure; the last line is "N passed, N failed".
set -u
: "${SLACKSIM:=bin/slacksim}"
export SLACKSIM
dir=$(dirname "$0")
pass=0; fail=0
for t in "$dir"/test_*.sh; do
  [ -e "$t" ] || continue
  if sh "$t"; then pass=$((pass + 1)); echo "ok   $t"; else fail=$((fail + 1)); echo "FAIL $t"; fi
done
echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
