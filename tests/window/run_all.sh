#!/bin/sh
# Runs every tests/window/test_*.sh (real SDL window under xvfb-run).
set -u
: "${SLACKSIM:=bin/slacksim}"
export SLACKSIM
dir=$(dirname "$0")
pass=0; fail=0
for t in "$dir"/test_*.sh; do
  [ -e "$t" ] || continue
  if sh "$t"; then pass=$((pass + 1)); echo "ok   $t"; else fail=$((fail + 1)); echo "FAIL $t"; fi
done
echo "window: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
