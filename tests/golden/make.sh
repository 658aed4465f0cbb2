#!/bin/sh
# Writes the golden outputs of every shipped scenario but the 12M ones, at
# two seeds, into DIR: the report (its wall-clock "Run:" line removed),
# summary.json without its "run" object (pretty-printed, keys in order),
# timeseries.csv, and the defaults document. tests/cli/test_golden.sh
# compares a fresh set with tests/golden/expected/ byte for byte.
# usage: tests/golden/make.sh DIR     ($SLACKSIM: the binary, bin/slacksim)
set -eu
: "${SLACKSIM:=bin/slacksim}"
out=$1
mkdir -p "$out"
for scn in scenarios/*.json; do
  case $scn in *_12m.json) continue ;; esac
  name=$(basename "$scn" .json)
  for seed in 1 7; do
    d=$(mktemp -d)
    "$SLACKSIM" run -q "$scn" --seed "$seed" --out "$d" | grep -v '^Run: ' > "$out/$name.$seed.report"
    python3 - "$d/summary.json" > "$out/$name.$seed.summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s.pop("run", None)
print(json.dumps(s, indent=1))
PY
    mv "$d/timeseries.csv" "$out/$name.$seed.timeseries.csv"
    rm -rf "$d"
  done
done

