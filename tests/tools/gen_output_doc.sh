#!/bin/sh
# Rewrites the generated tables of docs/output.md (or FILE) from the metric
# registry: each region between "<!-- metrics:NAME begin" and
# "<!-- metrics:NAME end -->" becomes `slacksim metrics --markdown NAME`.
# usage: tests/tools/gen_output_doc.sh [FILE]   ($SLACKSIM: bin/slacksim)
set -eu
: "${SLACKSIM:=bin/slacksim}"
doc=${1:-docs/output.md}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for t in summary timeseries; do "$SLACKSIM" metrics --markdown "$t" > "$tmp/$t.md"; done
python3 - "$doc" "$tmp" > "$tmp/out.md" <<'PY'
import re, sys
doc, tmp = sys.argv[1], sys.argv[2]
text = open(doc).read()
for t in ("summary", "timeseries"):
    table = open(f"{tmp}/{t}.md").read()
    pat = re.compile(r"(<!-- metrics:%s begin[^\n]*-->\n).*?(<!-- metrics:%s end -->)" % (t, t), re.S)
    if not pat.search(text): sys.exit(f"{doc}: no metrics:{t} region")
    text = pat.sub(lambda m: m.group(1) + table + m.group(2), text)
sys.stdout.write(text)
PY
cat "$tmp/out.md" > "$doc"
