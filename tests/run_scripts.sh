#!/bin/sh
# Runs every DIR/test_*.sh against $SLACKSIM (the binary under test); each
# script exits non-zero on failure. Last line: "LABEL: N passed, N failed".
# usage: tests/run_scripts.sh DIR LABEL
set -u
: "${SLACKSIM:=bin/slacksim}"
export SLACKSIM
dir=$1; label=$2
pass=0; fail=0
for t in "$dir"/test_*.sh; do
  [ -e "$t" ] || continue
  if sh "$t"; then pass=$((pass + 1)); echo "ok   $t"; else fail=$((fail + 1)); echo "FAIL $t"; fi
done
echo "$label: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
