#!/bin/sh
# Figures quoted in the docs cannot go stale: every `<!-- figures: ... -->`
# block's command is rerun and each figure it lists must still round to
# what the run gives (tests/tools/doc_figures.py). The 12M scenarios take a
# minute each, so they are left to `make docs`; the rest run here.
set -u
: "${SLACKSIM:=bin/slacksim}"
export SLACKSIM
python3 tests/tools/doc_figures.py --fast docs/*.md
