#!/bin/sh
# `slacksim run` on the seed's #general: the report names the seed, the
# output files hold every required field, no progress bar off a terminal,
# and the same seed gives the same summary.json apart from "run".
set -u
: "${SLACKSIM:=bin/slacksim}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
sc=scenarios/general_channel.json

"$SLACKSIM" run "$sc" --seed 42 --out "$tmp/a" >"$tmp/report" 2>"$tmp/stderr" || { echo "run failed"; cat "$tmp/stderr"; exit 1; }
[ -s "$tmp/stderr" ] && { echo "stderr not empty off a terminal:"; cat "$tmp/stderr"; fail=1; }
grep -q "seed 42" "$tmp/report" || { echo "report lacks the seed"; fail=1; }
grep -q "end_to_end_p99_ms" "$tmp/report" || { echo "report lacks the SLO verdict"; fail=1; }
grep -Eq "^(Bottleneck|Highest load):" "$tmp/report" || { echo "report lacks the bottleneck"; fail=1; }
for key in '"scenario"' '"seed"' '"sim"' '"events"' '"run"' '"wall_seconds"' '"events_per_second"' '"peak_rss_mib"' \
           '"messages"' '"sent"' '"persisted"' '"delivered_online"' '"push_offline"' '"dropped"' \
           '"fanout"' '"recipients_online"' '"recipients_offline"' '"latency_ms"' '"end_to_end"' '"persist"' \
           '"kafka"' '"push"' '"p999"' '"gateways"' '"connections_peak"' '"cpu_util_max"' '"partitions"' \
           '"consumer_lag_max"' '"redis"' '"ops_per_sec_peak"' '"postgres"' '"writes_per_sec_peak"' '"util_max"' \
           '"presence"' '"heartbeats"' '"crashes"' '"detected"' '"detect_delay_s"'; do
  grep -q "$key" "$tmp/a/summary.json" || { echo "summary.json lacks $key"; fail=1; }
done
head -1 "$tmp/a/timeseries.csv" | grep -q '^t_s,connections,messages_per_s,deliveries_per_s' || { echo "bad csv header"; fail=1; }
rows=$(wc -l <"$tmp/a/timeseries.csv")
[ "$rows" -eq 61 ] || { echo "timeseries has $rows lines, want 61 (header + 60 s)"; fail=1; }
ls "$tmp/a" | grep -v -e '^summary.json$' -e '^timeseries.csv$' && { echo "stray files in the output dir"; fail=1; }

"$SLACKSIM" run "$sc" --seed 42 --out "$tmp/b" --quiet >/dev/null 2>&1 || { echo "second run failed"; fail=1; }
strip() { sed '/"run":/,/}/d' "$1"; }
strip "$tmp/a/summary.json" >"$tmp/a.json"; strip "$tmp/b/summary.json" >"$tmp/b.json"
cmp -s "$tmp/a.json" "$tmp/b.json" || { echo "same seed, different summary.json"; diff "$tmp/a.json" "$tmp/b.json" | head; fail=1; }
cmp -s "$tmp/a/timeseries.csv" "$tmp/b/timeseries.csv" || { echo "same seed, different timeseries.csv"; fail=1; }

# --duration and --set reach the model
"$SLACKSIM" run "$sc" --duration 10 --set workload.rate_per_sec=1 --out "$tmp/c" --quiet >/dev/null 2>&1 || { echo "run with flags failed"; fail=1; }
grep -q '"seconds":[[:space:]]*10,' "$tmp/c/summary.json" || { echo "--duration ignored"; fail=1; }
grep -q '"rate_per_sec_base":[[:space:]]*1$' "$tmp/c/summary.json" || { echo "--set ignored"; fail=1; }
exit $fail
