#!/bin/sh
# The cost component: with prices as scenario keys, summary.json's cost
# section is each stage's count (read back from the same summary) x its
# price x 730 h, the total their sum, and the report prints it; with no
# price the total is 0 and the report has no cost line.
set -u
S=${SLACKSIM:-bin/slacksim}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "test_cost: $*" >&2; exit 1; }
m=scenarios/mmc_postgres.json
"$S" run $m --set duration_s=5 -q --out "$tmp/free" >"$tmp/free.txt" || fail "run failed"
grep -q '^Cost:' "$tmp/free.txt" && fail "a report without prices has a cost line"
"$S" run $m --set duration_s=5 --set postgres.writers=6 --set cost.postgres_writer_hour=0.25 --set cost.gateway_hour=0.1 \
  --set cost.kafka_partition_hour=0.01 --set cost.redis_shard_hour=0.2 --set cost.push_per_million=1 -q --out "$tmp/priced" >"$tmp/priced.txt" \
  || fail "priced run failed"
grep -q '^Cost: ' "$tmp/priced.txt" || fail "the report has no cost line"
python3 - "$tmp/free/summary.json" "$tmp/priced/summary.json" <<'PY' || fail "cost figures"
import json, sys
free, s = (json.load(open(p)) for p in sys.argv[1:3])
assert free["cost"]["monthly_total"] == 0, free["cost"]
c = s["cost"]["monthly"]
want = {"gateways": s["gateways"]["count"] * 0.1 * 730, "postgres": s["postgres"]["writers"] * 0.25 * 730,
        "kafka": s["kafka"]["partitions"] * 0.01 * 730, "redis": s["redis"]["shards"] * 0.2 * 730,
        "push": s["push"]["sent"] / 5 * 730 * 3600 / 1e6 * 1, "search": 0, "s3": 0}
for k, v in want.items():
    assert abs(c[k] - v) <= 1e-9 * max(1, v), (k, c[k], v)
assert s["postgres"]["writers"] == 6 and c["postgres"] == 6 * 0.25 * 730
assert abs(s["cost"]["monthly_total"] - sum(c.values())) < 1e-6, s["cost"]
PY
"$S" validate --set cost.gateway_hour=-1 $m >/dev/null 2>"$tmp/err" && fail "a negative price was accepted"
grep -q 'cost.gateway_hour' "$tmp/err" || fail "negative price message: $(cat "$tmp/err")"
exit 0
