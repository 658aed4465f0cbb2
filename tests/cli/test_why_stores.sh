#!/bin/sh
# The three "why" scenarios of the presence store, a Redis failover and the
# message store, through `compare` as their descriptions say to run them:
# each alternative's cost comes out significant and in the direction the
# lesson argues (db_rows loads the message writers and takes presence off
# Redis; a storm resync shortens the false-offline window but stalls the
# shard; clock skew adds id inversions and out-of-order deliveries), and the
# fault's summary entry carries its kind-specific fields.
set -u
: "${SLACKSIM:=bin/slacksim}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
"$SLACKSIM" compare scenarios/why_presence_db.json --b presence.store=db_rows --replications 2 --out "$tmp/db" > /dev/null \
  || { echo "compare why_presence_db failed"; fail=1; }
"$SLACKSIM" compare scenarios/why_redis_failover.json --b presence.failover_resync=storm --replications 2 --out "$tmp/fo" > /dev/null \
  || { echo "compare why_redis_failover failed"; fail=1; }
"$SLACKSIM" compare scenarios/why_wide_column.json --a messages.clock_skew_ms=0 --replications 2 --out "$tmp/wc" > "$tmp/wc.txt" \
  || { echo "compare why_wide_column failed"; fail=1; }
grep -q '^  messages.out_of_order ' "$tmp/wc.txt" || { echo "compare's report lacks messages.out_of_order"; fail=1; }
python3 - "$tmp/db/compare.json" "$tmp/fo/compare.json" "$tmp/wc/compare.json" <<'PY' || fail=1
import json, sys
db, fo, wc = (json.load(open(p)) for p in sys.argv[1:])
def up(c, k):
    d = c["diff"][k]
    if not (d["significant"] and d["mean"] > 0): sys.exit("%s: not significantly up: %r" % (k, d))
def down(c, k):
    d = c["diff"][k]
    if not (d["significant"] and d["mean"] < 0): sys.exit("%s: not significantly down: %r" % (k, d))
# db_rows: the writes land on PostgreSQL, presence leaves Redis
up(db, "postgres.util_max")
down(db, "redis.ops_per_sec_mean")
w = db["b"]["presence"]["db"]
if not 0.98 * 150000 / 30 < w["heartbeat_writes_per_sec"] < 1.02 * 150000 / 30:
    sys.exit("db_rows heartbeat writes/s %r, want connected / heartbeat_s" % w["heartbeat_writes_per_sec"])
if "db" in db["a"]["presence"]: sys.exit("redis_ttl has a presence.db object")
# failover: the storm halves the false offlines at the price of a stall
fa, fb = fo["a"]["faults"][0], fo["b"]["faults"][0]
if fa["kind"] != "redis_failover": sys.exit("faults[0] is %r" % fa["kind"])
if not fb["false_offline"] < fa["false_offline"]: sys.exit("storm does not shorten the false offlines")
if not (fa["resync_setex"] == 0 and fb["resync_setex"] == fb["keys_lost"] > 0): sys.exit("resync SETEX counts")
if not fb["keys_restored_s"] < fa["keys_restored_s"]: sys.exit("storm does not bring the keys back sooner")
up(fo, "redis.latency_ms.max")
# wide column: skew inverts ids; without skew only parallel commits reorder
if wc["a"]["messages"]["id_inversions"] != 0: sys.exit("inversions without skew")
up(wc, "messages.id_inversions")
up(wc, "messages.out_of_order")
PY
exit $fail
