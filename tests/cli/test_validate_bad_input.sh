#!/bin/sh
# Bad scenario input, through `validate` and `run --out`: exit status 2, one
# line on stderr saying what and where, and no output file left behind.
set -u
: "${SLACKSIM:=bin/slacksim}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# expect_bad NAME PATTERN FILE [ARGS...]: both subcommands must reject FILE.
expect_bad() {
  name=$1; pattern=$2; file=$3; shift 3
  for cmd in validate run; do
    out="$tmp/out-$name-$cmd"
    if [ "$cmd" = run ]; then extra="--out $out --quiet"; else extra=""; fi
    # shellcheck disable=SC2086
    "$SLACKSIM" $cmd "$file" $extra "$@" >"$tmp/stdout" 2>"$tmp/stderr"
    rc=$?
    lines=$(wc -l <"$tmp/stderr")
    if [ "$rc" -ne 2 ]; then echo "$name/$cmd: exit $rc, want 2"; fail=1; fi
    if [ "$lines" -ne 1 ]; then echo "$name/$cmd: $lines stderr lines, want 1:"; cat "$tmp/stderr"; fail=1; fi
    if ! grep -q -- "$pattern" "$tmp/stderr"; then echo "$name/$cmd: stderr lacks '$pattern':"; cat "$tmp/stderr"; fail=1; fi
    if [ -e "$out/summary.json" ] || [ -e "$out/timeseries.csv" ]; then echo "$name/$cmd: left an output file"; fail=1; fi
    if [ -s "$tmp/stdout" ]; then echo "$name/$cmd: wrote to stdout"; fail=1; fi
  done
}

printf '{ "duration_s": 10,\n  "workload": { "users": 100 \n}' >"$tmp/malformed.json"
printf '{ "gateways": { "cont": 3 } }\n' >"$tmp/unknown.json"
printf '{ "gateways": { "count": "four" } }\n' >"$tmp/type.json"
printf '{ "workload": { "rate_per_sec": -5 } }\n' >"$tmp/negative.json"
printf '{ "gateways": { "count": 0 } }\n' >"$tmp/zero.json"
printf '{ "workload": { "users": 100000, "online_fraction": 1 },\n  "gateways": { "count": 2, "max_connections": 1000 } }\n' >"$tmp/full.json"
printf '{ "duration_s": 10 }\n' >"$tmp/good.json"

expect_bad missing "no-such-file.json" "$tmp/no-such-file.json"
expect_bad malformed "malformed.json:3:2" "$tmp/malformed.json"
expect_bad unknown "did you mean 'gateways.count'" "$tmp/unknown.json"
expect_bad type "gateways.count" "$tmp/type.json"
expect_bad negative "workload.rate_per_sec" "$tmp/negative.json"
expect_bad zero_gateways "gateways.count must be >= 1" "$tmp/zero.json"
expect_bad too_many_connections "exceed gateways.count x gateways.max_connections" "$tmp/full.json"
expect_bad bad_set "did you mean" "$tmp/good.json" --set gateways.cuont=3
expect_bad set_value "gateways.count" "$tmp/good.json" --set gateways.count=-1

# and a good file validates with status 0
if ! "$SLACKSIM" validate "$tmp/good.json" >/dev/null 2>"$tmp/stderr"; then echo "good.json rejected:"; cat "$tmp/stderr"; fail=1; fi
for f in scenarios/*.json; do
  "$SLACKSIM" validate "$f" >/dev/null 2>"$tmp/stderr" || { echo "$f rejected:"; cat "$tmp/stderr"; fail=1; }
done
exit $fail
