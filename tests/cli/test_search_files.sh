#!/bin/sh
# Search and file sharing through `slacksim run` (issue 4): the shipped
# scenarios run and write "search" and "files" with every documented field;
# the report gives a verdict per search target; timeseries.csv has the
# columns of the modules that are on; a prefix pushed past its PUT
# limit is throttled and spreading its keys over 4 prefixes removes the
# throttling; blobs in PostgreSQL cost the database far more than S3's
# metadata rows; the same seed gives the same summary; an impossible key is
# refused with exit status 2.
set -u
: "${SLACKSIM:=bin/slacksim}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "test_search_files: $*" >&2; fails=$((fails + 1)); }

# num FILE KEY: the first numeric value of "KEY" in FILE.
num() { grep -o "\"$2\":[[:space:]]*[-0-9.e+]*" "$1" | head -n 1 | sed 's/.*:[[:space:]]*//'; }

run() { # run NAME SCENARIO [--set ...]: summary in $tmp/NAME, report in $tmp/NAME.txt
  name=$1; sc=$2; shift 2
  "$SLACKSIM" run "scenarios/$sc.json" --quiet --out "$tmp/$name" "$@" > "$tmp/$name.txt" 2> "$tmp/$name.err" \
    || fail "$name: exit $?: $(cat "$tmp/$name.err")"
}

run search search_indexing --set duration_s=5 --set drain_s=5
for k in indexed index_lag_ms query_ms file_query_ms history_ms hits_filtered_by_acl shards es_nodes bulk_rejections; do
  grep -q "\"$k\":" "$tmp/search/summary.json" || fail "search.$k missing from summary.json"
done
[ "$(num "$tmp/search/summary.json" indexed)" -gt 0 ] 2>/dev/null || fail "nothing indexed"
grep -Eq "index lag .*: (met|MISSED)" "$tmp/search.txt" || fail "no index-lag verdict in the report"
grep -Eq "full-text search .*: (met|MISSED)" "$tmp/search.txt" || fail "no full-text verdict in the report"

head -n 1 "$tmp/search/timeseries.csv" | grep -q ',search_indexed_per_s,search_lag_p99_ms,search_queries_per_s,search_pending' \
  || fail "timeseries.csv has no search columns"

run hot s3_hot_prefix --set duration_s=10 --set drain_s=60
head -n 1 "$tmp/hot/timeseries.csv" | grep -q ',files_uploads_per_s,s3_put_per_s,s3_slowdowns_per_s,files_downloads_per_s$' \
  || fail "timeseries.csv has no file-sharing columns"
head -n 1 "$tmp/hot/timeseries.csv" | grep -q 'search_' && fail "search columns although search is off"
for k in uploads upload_ms s3_put_per_sec_peak s3_slowdowns url_expired downloads; do
  grep -q "\"$k\":" "$tmp/hot/summary.json" || fail "files.$k missing from summary.json"
done
slow=$(num "$tmp/hot/summary.json" s3_slowdowns)
[ "${slow%.*}" -gt 0 ] 2>/dev/null || fail "one prefix at ~4,500 PUT/s: expected 503s, got '$slow'"
run spread s3_hot_prefix --set duration_s=10 --set drain_s=60 --set files.s3.prefixes=4
slow=$(num "$tmp/spread/summary.json" s3_slowdowns)
[ "$slow" = 0 ] || fail "4 prefixes at ~1,125 PUT/s each: expected no 503, got '$slow'"

# Same seed, same bytes (the "run" block aside), with both modules on.
run again s3_hot_prefix --set duration_s=10 --set drain_s=60
run both search_indexing --set duration_s=5 --set drain_s=5 --set files.enabled=true
run both2 search_indexing --set duration_s=5 --set drain_s=5 --set files.enabled=true
strip() { sed '/"run":/,/}/d' "$1"; }
strip "$tmp/hot/summary.json" > "$tmp/a"; strip "$tmp/again/summary.json" > "$tmp/b"
cmp -s "$tmp/a" "$tmp/b" || fail "s3_hot_prefix: two runs with seed 1 differ"
strip "$tmp/both/summary.json" > "$tmp/a"; strip "$tmp/both2/summary.json" > "$tmp/b"
cmp -s "$tmp/a" "$tmp/b" || fail "search_indexing + files: two runs with seed 1 differ"

run s3 file_sharing --set duration_s=30 --set drain_s=30
run pg file_sharing --set duration_s=30 --set drain_s=30 --set files.storage=postgres
s3io=$(num "$tmp/s3/summary.json" ios); pgio=$(num "$tmp/pg/summary.json" ios)
awk -v a="$s3io" -v b="$pgio" 'BEGIN { exit !(a > 0 && b > 10 * a) }' \
  || fail "database I/O: postgres blobs $pgio vs S3 metadata $s3io, expected more than 10x"

"$SLACKSIM" validate scenarios/file_sharing.json --set files.url_expiry_s=700000 > "$tmp/out" 2> "$tmp/err"
[ $? -eq 2 ] || fail "a URL valid 700000 s (> 7 days) was not refused with status 2"
grep -q "files.url_expiry_s" "$tmp/err" || fail "the error does not name files.url_expiry_s: $(cat "$tmp/err")"

[ "$fails" -eq 0 ]
