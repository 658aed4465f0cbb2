#!/bin/sh
# One metric, one definition: the metric registry (models/slack_metrics.c)
# and what the runs write agree both ways. Every summary.json field and
# every timeseries.csv column of every shipped scenario (the golden set,
# which test_golden.sh proves fresh, plus fresh runs for the "run" object,
# Redis pub/sub, HTTP polling, presence in PostgreSQL rows and PostgreSQL
# full-text search) has a row; every row is written by one of
# them; docs/output.md's tables are the registry's --markdown output; every
# report figure names a registry field.
set -u
: "${SLACKSIM:=bin/slacksim}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
g=tests/golden/expected
"$SLACKSIM" run -q scenarios/general_channel.json --duration 5 --set fanout.queue=redis_pubsub --out "$tmp/ps" > /dev/null || { echo "pub/sub run failed"; fail=1; }
"$SLACKSIM" run -q scenarios/why_websocket.json --duration 5 --set delivery.transport=short_polling --out "$tmp/poll" > /dev/null || { echo "polling run failed"; fail=1; }
# The alternatives whose fields only appear when they are chosen.
"$SLACKSIM" run -q scenarios/why_presence_db.json --duration 40 --set presence.store=db_rows --out "$tmp/pdb" > /dev/null || { echo "db_rows run failed"; fail=1; }
"$SLACKSIM" run -q scenarios/why_elasticsearch.json --duration 5 --set search.engine=postgres_fts --out "$tmp/fts" > /dev/null || { echo "postgres_fts run failed"; fail=1; }
"$SLACKSIM" metrics --check "$g"/*.summary.json "$g"/*.timeseries.csv "$tmp"/ps/summary.json "$tmp"/ps/timeseries.csv \
  "$tmp"/poll/summary.json "$tmp"/poll/timeseries.csv "$tmp"/pdb/summary.json "$tmp"/pdb/timeseries.csv \
  "$tmp"/fts/summary.json "$tmp"/fts/timeseries.csv > "$tmp/check.txt"
rc=$?
[ $rc -eq 0 ] || { cat "$tmp/check.txt"; echo "metrics --check: exit $rc"; fail=1; }
# The checker catches what it should: a field no row defines, a row no file writes.
python3 - "$tmp/ps/summary.json" > "$tmp/extra.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); s["messages"]["undocumented_field"] = 1
print(json.dumps(s))
PY
out=$("$SLACKSIM" metrics --check "$tmp/extra.json")
[ $? -eq 1 ] && echo "$out" | grep -q "messages.undocumented_field is not in the metric registry" \
  && echo "$out" | grep -q "^timeseries.connections: in the metric registry, but none" \
  || { echo "metrics --check misses an undocumented field or an unwritten row: $out"; fail=1; }
# Bad input: one line, exit 2.
"$SLACKSIM" metrics --check "$tmp/none.json" 2> "$tmp/err" > /dev/null; rc=$?
[ $rc -eq 2 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] || { echo "metrics --check on a missing file: exit $rc"; fail=1; }
# docs/output.md's tables are generated from the registry.
cp docs/output.md "$tmp/output.md"
SLACKSIM=$SLACKSIM sh tests/tools/gen_output_doc.sh "$tmp/output.md" || fail=1
cmp -s docs/output.md "$tmp/output.md" || { diff docs/output.md "$tmp/output.md" | head -20
  echo "docs/output.md's tables differ from the metric registry: run 'make docs'"; fail=1; }
# Every report figure names a registry field.
"$SLACKSIM" metrics --figures | awk -F'\t' 'NR > 1 && $4 == "(none)" { print "report figure " $2 ": no registry row"; bad = 1 } END { exit bad }' || fail=1
exit $fail
