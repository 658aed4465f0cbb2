#!/bin/sh
# Figures quoted in the docs cannot go stale: every `<!-- figures: ... -->`
# block's command is rerun and each figure it lists must still round to
# what the run gives (tests/tools/doc_figures.py). The 12M scenarios take a
# minute each, so they are left to `make docs`; the rest run here.
set -u
: "${SLACKSIM:=bin/slacksim}"
export SLACKSIM
python3 tests/tools/doc_figures.py --fast docs/*.md || exit 1

# The checker can fail: a figure that is off, or quoted text missing from the
# doc, is reported; the true figure passes.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dur=$(python3 -c 'import json; print(json.load(open("scenarios/general_channel.json"))["duration_s"])')
printf 'The run (`slacksim run scenarios/general_channel.json --seed 1`) lasts %s s.\n<!-- figures: run scenarios/general_channel.json --seed 1\n"lasts %s s" sim.seconds\n-->\n' "$dur" "$dur" > "$tmp/ok.md"
sed "s/lasts $dur s/lasts $((dur + 1)) s/g" "$tmp/ok.md" > "$tmp/stale.md"
sed "s/^The run.*/Nothing here./" "$tmp/ok.md" > "$tmp/unnamed.md"
python3 tests/tools/doc_figures.py "$tmp/ok.md" > /dev/null || { echo "a true figure was refused"; exit 1; }
python3 tests/tools/doc_figures.py "$tmp/stale.md" > "$tmp/out"; grep -q "stale figure" "$tmp/out" || { echo "a stale figure passed"; exit 1; }
python3 tests/tools/doc_figures.py "$tmp/unnamed.md" > "$tmp/out"; grep -q "is not named above" "$tmp/out" || { echo "a figure without its command passed"; exit 1; }
