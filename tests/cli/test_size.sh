#!/bin/sh
# slacksim size agrees with queueing theory: on the M/M/c PostgreSQL
# scenario (Poisson writes, exponential 2 ms service) the writers it finds
# for a persist p99 target are the smallest c whose Erlang-C sojourn-time
# p99 meets the target; size.json holds the answer, the binding SLO, its
# margin and every point tried; a range that cannot meet the SLO exits 1
# with `size: none`; bad input exits 2 before any run; --minimize cost
# uses cost.monthly_total.
set -u
S=${SLACKSIM:-bin/slacksim}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "test_size: $*" >&2; exit 1; }
m=scenarios/mmc_postgres.json

# Smallest c with P(sojourn > target) <= 1%, for M/M/c: a wait W > 0 with
# probability C (Erlang C), then Exp(c mu - lambda); sojourn = W + Exp(mu).
erlang() {
python3 - "$1" "$2" "$3" <<'PY'
import math, sys
lam, mean_s, target_ms = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
mu = 1 / mean_s; a = lam / mu
def erlang_c(c):
    s = sum(a**k / math.factorial(k) for k in range(c))
    t = a**c / math.factorial(c) * c / (c - a)
    return t / (s + t)
def tail(t, c):
    C, b = erlang_c(c), c * mu - lam
    w = (b * math.exp(-mu * t) - mu * math.exp(-b * t)) / (b - mu)
    return (1 - C) * math.exp(-mu * t) + C * w
c = int(a) + 1
while tail(target_ms / 1e3, c) > 0.01: c += 1
print(c)
PY
}

for case in "1600 12" "2400 20"; do
  set -- $case
  want=$(erlang "$1" 0.002 "$2")
  "$S" size $m --set duration_s=20 --set workload.rate_per_sec="$1" --slo "latency_ms.persist.p99<=$2" \
    --vary postgres.writers=3..12 --replications 3 --jobs 2 --out "$tmp/s$1" >"$tmp/s$1.txt" 2>"$tmp/err"
  rc=$?
  [ $rc -eq 0 ] || fail "size at $1/s exited $rc: $(cat "$tmp/err")"
  [ "$(tail -1 "$tmp/s$1.txt")" = "size: postgres.writers=$want" ] \
    || fail "at $1/s, p99 <= $2 ms: Erlang-C says $want writers, size says: $(tail -1 "$tmp/s$1.txt")"
  python3 - "$tmp/s$1/size.json" "$want" "$2" <<'PY' || fail "size.json at $1/s"
import json, sys
d = json.load(open(sys.argv[1])); want = int(sys.argv[2]); target = float(sys.argv[3])
assert d["answer"] == {"postgres.writers": want}, d["answer"]
assert d["binding_slo"] == "latency_ms.persist.p99<=%s" % sys.argv[3], d["binding_slo"]
ok = [t for t in d["tried"] if t["point"]["postgres.writers"] == want][0]
assert ok["verdict"] == "ok" and abs(d["margin"] - (target - ok["slos"][0]["bound"])) < 1e-9
assert ok["slos"][0]["bound"] >= ok["slos"][0]["mean"], ok
below = [t for t in d["tried"] if t["point"]["postgres.writers"] == want - 1]
assert below and below[0]["verdict"] == "fail", below      # the runner-up was tried and fails
assert d["runner_up"][0]["point"] == {"postgres.writers": want - 1}
assert d["runs"] == 3 * len(d["tried"]), d["runs"]
PY
done
grep -q '^answer: postgres.writers=5 ' "$tmp/s1600.txt" || fail "no answer line"
grep -q 'one step smaller, postgres.writers=4: latency_ms.persist.p99<=12: upper bound' "$tmp/s1600.txt" || fail "no runner-up line"

# The same bytes whatever --jobs.
"$S" size $m --set duration_s=20 --slo 'latency_ms.persist.p99<=12' --vary postgres.writers=3..12 --replications 3 --jobs 1 >"$tmp/j1.txt" \
  || fail "size -j1 failed"
cmp -s "$tmp/j1.txt" "$tmp/s1600.txt" || fail "size output depends on --jobs"

# Nothing in 2..4 writers keeps 2400/s (4.8 erlangs) under 20 ms: exit 1.
"$S" size $m --set duration_s=10 --set workload.rate_per_sec=2400 --slo 'latency_ms.persist.p99<=20' \
  --vary postgres.writers=2..4 --replications 2 >"$tmp/none.txt" 2>&1
rc=$?
[ $rc -eq 1 ] || fail "an unreachable SLO exited $rc"
[ "$(tail -1 "$tmp/none.txt")" = "size: none" ] || fail "unreachable: last line $(tail -1 "$tmp/none.txt")"
grep -q 'at the largest point postgres.writers=4, latency_ms.persist.p99<=20' "$tmp/none.txt" || fail "unreachable: which SLO fails"

# Two keys priced: gateways do not help PostgreSQL, so the cheapest answer
# keeps one gateway and the writers Erlang-C needs.
"$S" size $m --set duration_s=20 --set cost.postgres_writer_hour=0.5 --set cost.gateway_hour=0.3 \
  --slo 'latency_ms.persist.p99<=12' --slo 'slo.end_to_end_p99_ms.met>=1' \
  --vary gateways.count=1..3 --vary postgres.writers=3..8 --replications 3 --out "$tmp/cost" >"$tmp/cost.txt" || fail "priced size failed"
[ "$(tail -1 "$tmp/cost.txt")" = "size: gateways.count=1 postgres.writers=5" ] || fail "priced: $(tail -1 "$tmp/cost.txt")"
python3 -c "
import json; d = json.load(open('$tmp/cost/size.json'))
assert d['minimize'] == 'cost', d['minimize']
assert abs(d['cost_monthly_total'] - (1 * 0.3 + 5 * 0.5) * 730) < 1e-6, d['cost_monthly_total']" || fail "priced size.json"

# Bad input: one line, exit 2, nothing on stdout, no run.
: >"$tmp/afile"
for bad in "--vary postgres.writers=4..8" "--slo latency_ms.persist.p99=12 --vary postgres.writers=4..8" \
           "--slo nosuch.p99<=1 --vary postgres.writers=4..8" "--slo latency_ms.persist.p99<=12 --vary nosuch.key=1..2" \
           "--slo latency_ms.persist.p99<=12 --vary postgres.writers=4..8 --minimize speed" \
           "--slo latency_ms.persist.p99<=12 --vary postgres.writers=4..8 --minimize cost" \
           "--slo latency_ms.persist.p99<=12 --vary postgres.writers=4..8 --confidence 1.5" \
           "--slo latency_ms.persist.p99<=12 --vary postgres.writers=4..8 --out $tmp/afile"; do
  # shellcheck disable=SC2086
  "$S" size $m --set duration_s=5 $bad >"$tmp/out" 2>"$tmp/err"
  rc=$?
  [ $rc -eq 2 ] || fail "'$bad' exited $rc, expected 2"
  [ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "'$bad' should print one line on stderr: $(cat "$tmp/err")"
  case "$bad" in *"minimize cost"*) ;; *) [ -s "$tmp/out" ] && fail "'$bad' wrote to stdout";; esac
done
exit 0
