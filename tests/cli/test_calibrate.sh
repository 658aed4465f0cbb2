#!/bin/sh
# slacksim calibrate against servers it starts itself (--start: a temporary
# directory, 127.0.0.1, a free port, stopped by pid): each fragment
# validates, and a run that "extends" it reproduces what was measured:
#  - redis: heartbeats of 200 clients on an idle Redis are requests of one
#    command, each served at once: their median latency is request_s +
#    command_s within the histogram's 1/256 relative error;
#  - postgres: the writers' mean service time (sojourn mean - wait mean,
#    both exact sums) is the fragment's empirical mean within 4.5 standard
#    errors of the simulated writes.
# The fragments come from real measurements, so the figures differ from run
# to run; the checks compare the model with the fragment it was given.
set -u
: "${SLACKSIM:=bin/slacksim}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
for p in redis-server; do command -v "$p" >/dev/null || { echo "$p not installed (make deps)"; exit 1; }; done

"$SLACKSIM" calibrate redis --start --duration 0.5 --out "$tmp/redis.json" > "$tmp/r.out" \
  || { echo "calibrate redis failed"; cat "$tmp/r.out"; exit 1; }
"$SLACKSIM" validate "$tmp/redis.json" > /dev/null || { echo "redis fragment does not validate"; fail=1; }
cat > "$tmp/use_redis.json" <<'JSON'
{ "extends": "redis.json", "name": "uses_calibrated_redis", "duration_s": 60,
  "workload": { "users": 200, "online_fraction": 1, "rate_per_sec": 0.01, "daily_curve": false },
  "gateways": { "count": 1 } }
JSON
"$SLACKSIM" run -q "$tmp/use_redis.json" --out "$tmp/ro" > /dev/null || { echo "run extending the redis fragment failed"; fail=1; }
python3 - "$tmp/redis.json" "$tmp/ro/summary.json" <<'PY' || fail=1
import json, sys
frag = json.load(open(sys.argv[1]))["redis"]
lat = json.load(open(sys.argv[2]))["redis"]["latency_ms"]
want = (frag["request_s"] + frag["command_s"]) * 1e3
ok = abs(lat["p50"] - want) <= want / 256 + 1e-9
print("redis: fragment request_s + command_s = %.4f ms, model heartbeat p50 = %.4f ms (n=%d): %s"
      % (want, lat["p50"], lat["count"], "ok" if ok else "MISMATCH"))
sys.exit(0 if ok and lat["count"] >= 300 else 1)
PY

"$SLACKSIM" calibrate postgres --start --duration 0.5 --out "$tmp/pg.json" > "$tmp/p.out" \
  || { echo "calibrate postgres failed"; cat "$tmp/p.out"; exit 1; }
"$SLACKSIM" validate "$tmp/pg.json" > /dev/null || { echo "postgres fragment does not validate"; fail=1; }
cat > "$tmp/use_pg.json" <<'JSON'
{ "extends": "pg.json", "name": "uses_calibrated_postgres", "duration_s": 60,
  "workload": { "users": 2, "online_fraction": 1, "rate_per_sec": 20, "daily_curve": false, "thread_reply_fraction": 0 },
  "gateways": { "count": 1, "inbound_s": 0 }, "postgres": { "writers": 4 } }
JSON
"$SLACKSIM" run -q "$tmp/use_pg.json" --out "$tmp/po" > /dev/null || { echo "run extending the postgres fragment failed"; fail=1; }
python3 - "$tmp/pg.json" "$tmp/po/summary.json" <<'PY' || fail=1
import json, math, sys
d = json.load(open(sys.argv[1]))["postgres"]["service_s"]
x, F = d["x"], d["cdf"]
# piecewise-linear inverse CDF: uniform between consecutive points
m1 = sum((F[i+1]-F[i]) * (x[i]+x[i+1]) / 2 for i in range(len(x)-1))
m2 = sum((F[i+1]-F[i]) * (x[i]**2 + x[i]*x[i+1] + x[i+1]**2) / 3 for i in range(len(x)-1))
sd = math.sqrt(max(m2 - m1*m1, 0))
st = json.load(open(sys.argv[2]))["postgres"]["station"]
n = st["completed"]
svc = (st["sojourn_ms"]["mean"] - st["wait_ms"]["mean"]) / 1e3
tol = 4.5 * sd / math.sqrt(n) + 1e-9 + 1e-6 * m1   # + the summary's 6 printed digits
ok = n > 500 and abs(svc - m1) <= tol
print("postgres: fragment mean %.1f us (sd %.1f), model writers' mean service %.1f us over %d writes, tolerance %.1f us: %s"
      % (m1*1e6, sd*1e6, svc*1e6, n, tol*1e6, "ok" if ok else "MISMATCH"))
sys.exit(0 if ok else 1)
PY
exit $fail
