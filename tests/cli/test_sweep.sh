#!/bin/sh
# slacksim sweep: one CSV row per value with mean and CI columns, the seed in
# the header, the same bytes whatever the thread count; bad flags (and
# ranges, strings, sections, a repeated key) exit 2 with one line.
set -u
S=${SLACKSIM:-bin/slacksim}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "test_sweep: $*" >&2; exit 1; }

"$S" sweep scenarios/general_channel.json --vary gateways.count=2,4 --replications 3 \
  --field messages.sent --field latency_ms.end_to_end.p99 --jobs 2 >"$tmp/a.csv" || fail "sweep failed"
"$S" sweep scenarios/general_channel.json --vary gateways.count=2,4 --replications 3 \
  --field messages.sent --field latency_ms.end_to_end.p99 --jobs 1 >"$tmp/b.csv" || fail "sweep -j1 failed"
cmp -s "$tmp/a.csv" "$tmp/b.csv" || fail "output depends on the number of threads"
head -1 "$tmp/a.csv" | grep -q 'seed=1' || fail "header does not print the seed"
[ "$(sed -n 2p "$tmp/a.csv")" = "gateways.count,messages.sent,messages.sent_ci95,latency_ms.end_to_end.p99,latency_ms.end_to_end.p99_ci95,status" ] \
  || fail "unexpected column header: $(sed -n 2p "$tmp/a.csv")"
[ "$(wc -l <"$tmp/a.csv")" -eq 4 ] || fail "expected 2 data rows"
sent=$(sed -n 3p "$tmp/a.csv" | cut -d, -f2)
awk -v s="$sent" 'BEGIN { exit !(s > 0) }' || fail "messages.sent should be positive, got $sent"

for bad in "--vary gateways.count" "--vary nosuch.key=1" "--vary gateways.count=0" "--vary gateways.count=0..-1" "--vary gateways.count=1..4:0" "--vary gateways.count=1..4*1" "--vary gateways.count=1,2 --vary gateways.count=3" "--vary gateways.count=2 --warmup soon" "--vary gateways.count=2 --field slo.bottleneck.stage" "--vary gateways.count=2 --field latency_ms" "--vary gateways.count=2 --field nosuch" "--replications 0 --vary gateways.count=2"; do
  # shellcheck disable=SC2086
  "$S" sweep scenarios/general_channel.json $bad >"$tmp/out" 2>"$tmp/err"
  rc=$?
  [ $rc -eq 2 ] || fail "'$bad' exited $rc, expected 2"
  [ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "'$bad' should print one line on stderr: $(cat "$tmp/err")"
  [ -s "$tmp/out" ] && fail "'$bad' wrote to stdout"
done
exit 0
