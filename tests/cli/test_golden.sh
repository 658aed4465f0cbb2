#!/bin/sh
# Behaviour unchanged: every shipped scenario but the 12M ones, at seeds 1
# and 7, gives the same report, summary.json (less its "run" object) and
# timeseries.csv as tests/golden/expected/, byte for byte. A change to the
# model made on purpose regenerates them (tests/golden/make.sh
# tests/golden/expected) in the same commit, and says why.
set -u
: "${SLACKSIM:=bin/slacksim}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
SLACKSIM=$SLACKSIM sh tests/golden/make.sh "$tmp" || { echo "golden: make.sh failed"; exit 1; }
fail=0; n=0
for f in tests/golden/expected/*; do
  n=$((n + 1))
  cmp -s "$f" "$tmp/$(basename "$f")" || { echo "golden: $(basename "$f") differs"; fail=1; }
done
for f in "$tmp"/*; do
  [ -e "tests/golden/expected/$(basename "$f")" ] || { echo "golden: new output $(basename "$f") has no expected copy"; fail=1; }
done
[ "$n" -ge 48 ] || { echo "golden: only $n expected files"; fail=1; }
exit $fail
