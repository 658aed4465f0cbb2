#!/bin/sh
# slacksim sweep over a grid: two --vary give one row per point (first key
# slowest) with ranges expanded; a point the model refuses is a row with its
# reason while the others run; --field is checked before any run; booleans
# average to fractions; --warmup deletes latency samples and says so; the
# bytes do not depend on --jobs; --plots writes a chart and its data per field.
set -u
S=${SLACKSIM:-bin/slacksim}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "test_sweep_grid: $*" >&2; exit 1; }
g=scenarios/general_channel.json
m=scenarios/mmc_postgres.json

# Grid shape: 0,1,2 x 1..4*2 = 3 x 3 points, in order; point 0 is invalid.
"$S" sweep $g --set duration_s=5 --vary gateways.count=0..2 --vary kafka.partitions='1..4*2' \
  --field messages.sent --field slo.end_to_end_p99_ms.met --replications 2 --jobs 2 >"$tmp/grid.csv" || fail "grid sweep failed"
[ "$(sed -n 2p "$tmp/grid.csv")" = "gateways.count,kafka.partitions,messages.sent,messages.sent_ci95,slo.end_to_end_p99_ms.met,slo.end_to_end_p99_ms.met_ci95,status" ] \
  || fail "header: $(sed -n 2p "$tmp/grid.csv")"
[ "$(tail -n +3 "$tmp/grid.csv" | cut -d, -f1,2 | tr '\n' ' ')" = "0,1 0,2 0,4 1,1 1,2 1,4 2,1 2,2 2,4 " ] \
  || fail "grid points: $(tail -n +3 "$tmp/grid.csv" | cut -d, -f1,2 | tr '\n' ' ')"
sed -n 3p "$tmp/grid.csv" | grep -q '^0,1,,,,,"\?.*gateways.count must be >= 1' || fail "invalid point row: $(sed -n 3p "$tmp/grid.csv")"
[ "$(tail -n +6 "$tmp/grid.csv" | grep -c ',ok$')" -eq 6 ] || fail "the valid points did not all run"
# messages.sent does not depend on the fan-out layout with common random numbers: > 0 everywhere
awk -F, 'NR > 5 && !($3 > 0) { exit 1 }' "$tmp/grid.csv" || fail "messages.sent should be positive"
# a boolean averages to a fraction of the 2 replications: 0, 0.5 or 1
awk -F, 'NR > 5 && !($5 == 0 || $5 == 0.5 || $5 == 1) { exit 1 }' "$tmp/grid.csv" || fail "slo met is not a fraction"
"$S" sweep $g --set duration_s=5 --vary gateways.count=0..2 --vary kafka.partitions='1..4*2' \
  --field messages.sent --field slo.end_to_end_p99_ms.met --replications 2 --jobs 1 >"$tmp/grid1.csv" || fail "grid -j1 failed"
cmp -s "$tmp/grid.csv" "$tmp/grid1.csv" || fail "grid output depends on --jobs"

# A row with one replication equals the run's summary.
"$S" sweep $m --set duration_s=5 --vary postgres.writers=4..8:4 --field latency_ms.persist.p99 --seed 3 >"$tmp/one.csv" || fail "one-rep sweep failed"
"$S" run $m --set duration_s=5 --set postgres.writers=8 --seed 3 -q --out "$tmp/run8" >/dev/null || fail "run failed"
want=$(python3 -c "import json; print('%.6g' % json.load(open('$tmp/run8/summary.json'))['latency_ms']['persist']['p99'])")
[ "$(sed -n 4p "$tmp/one.csv" | cut -d, -f2)" = "$want" ] || fail "row 8 != run: $(sed -n 4p "$tmp/one.csv") vs $want"

# --field is checked before any run: this sweep would simulate 10^6 s (minutes).
start=$(date +%s)
timeout 30 "$S" sweep $g --set duration_s=1000000 --vary gateways.count=2 --field latency_ms.end_to_end.p99x >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] || fail "bad --field exited $rc, expected 2 (124: it ran)"
grep -q 'latency_ms.end_to_end.p99x: not a numeric field' "$tmp/err" || fail "bad --field message: $(cat "$tmp/err")"
[ $(( $(date +%s) - start )) -lt 30 ] || fail "bad --field took too long"

# Warm-up: deleting 5 of 10 s leaves about half the persist samples, said in
# the header and the warmup_s column; auto stays within the run's first half.
"$S" sweep $m --set duration_s=10 --vary postgres.writers=5 --field latency_ms.persist.count >"$tmp/w0.csv" || fail "no-warm-up sweep failed"
"$S" sweep $m --set duration_s=10 --vary postgres.writers=5 --field latency_ms.persist.count --warmup 5 >"$tmp/w5.csv" || fail "warm-up sweep failed"
head -1 "$tmp/w5.csv" | grep -q 'warmup=5s' || fail "header does not report the warm-up"
[ "$(sed -n 2p "$tmp/w5.csv")" = "postgres.writers,latency_ms.persist.count,latency_ms.persist.count_ci95,warmup_s,warmup_s_ci95,status" ] || fail "warm-up header: $(sed -n 2p "$tmp/w5.csv")"
n0=$(sed -n 3p "$tmp/w0.csv" | cut -d, -f2); n5=$(sed -n 3p "$tmp/w5.csv" | cut -d, -f2)
awk -v a="$n0" -v b="$n5" 'BEGIN { r = b / a; exit !(r > 0.45 && r < 0.55) }' || fail "warm-up 5 of 10 s kept $n5 of $n0 samples"
[ "$(sed -n 3p "$tmp/w5.csv" | cut -d, -f4)" = "5" ] || fail "warmup_s should be 5: $(sed -n 3p "$tmp/w5.csv")"
"$S" sweep $m --set duration_s=30 --vary postgres.writers=4,5 --field latency_ms.persist.p99 --warmup auto --replications 3 --jobs 2 >"$tmp/wa.csv" || fail "auto warm-up failed"
"$S" sweep $m --set duration_s=30 --vary postgres.writers=4,5 --field latency_ms.persist.p99 --warmup auto --replications 3 --jobs 1 >"$tmp/wa1.csv" || fail "auto warm-up -j1 failed"
cmp -s "$tmp/wa.csv" "$tmp/wa1.csv" || fail "auto warm-up output depends on --jobs"
head -1 "$tmp/wa.csv" | grep -q 'warmup=auto (MSER-5' || fail "header does not name MSER-5"
awk -F, 'NR > 2 && !($4 >= 0 && $4 <= 15) { exit 1 }' "$tmp/wa.csv" || fail "auto warm-up outside [0, 15] s: $(cat "$tmp/wa.csv")"

# Plots: per field a PNG, an SVG and the CSV behind it (3 x 2 points + header).
"$S" sweep $m --set duration_s=5 --vary postgres.writers=4..6 --vary kafka.partitions=1,2 --replications 2 \
  --field latency_ms.persist.p99 --plots "$tmp/plots" >/dev/null || fail "sweep --plots failed"
for e in png svg csv; do [ -s "$tmp/plots/latency_ms.persist.p99.$e" ] || fail "missing latency_ms.persist.p99.$e"; done
head -c 8 "$tmp/plots/latency_ms.persist.p99.png" | od -An -c | grep -q 'P   N   G' || fail "not a PNG"
[ "$(wc -l <"$tmp/plots/latency_ms.persist.p99.csv")" -eq 7 ] || fail "chart CSV should have 7 lines"
[ "$(head -1 "$tmp/plots/latency_ms.persist.p99.csv")" = "postgres.writers,kafka.partitions,mean,ci95" ] || fail "chart CSV header"
# --plots into a regular file: refused before any run, nothing written.
: >"$tmp/afile"
"$S" sweep $m --vary postgres.writers=4 --field latency_ms.persist.p99 --plots "$tmp/afile" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] || fail "--plots into a file should exit 2"
[ -s "$tmp/out" ] && fail "--plots into a file printed a table"
[ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "--plots into a file: $(cat "$tmp/err")"
exit 0
