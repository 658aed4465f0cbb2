#!/bin/sh
# The reproducers of issue 15, one by one: user text cannot split or forge
# a message line, non-finite and huge numbers are refused, only regular files
# of bounded size are read, text is UTF-8 in and out, output sets are all or
# nothing, --jobs and --size are bounded, a huge key is cheap, the top level
# and quiz say what is wrong. Each bad input: exit 2, one stderr line, no
# GLib CRITICAL, nothing on stdout.
set -u
: "${SLACKSIM:=bin/slacksim}"
S=$(cd "$(dirname "$SLACKSIM")" && pwd)/$(basename "$SLACKSIM")
G=$(pwd)/scenarios/general_channel.json
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
esc=$(printf '\033')

# bad NAME PATTERN ARGS...; after_run=1 allows a report on stdout (the run
# itself was good; writing its outputs failed)
after_run=0
bad() {
  name=$1; pattern=$2; shift 2
  "$S" "$@" >"$tmp/stdout" 2>"$tmp/stderr"
  rc=$?
  lines=$(wc -l <"$tmp/stderr")
  [ "$rc" -eq 2 ] || { echo "$name: exit $rc, want 2"; fail=1; }
  [ "$lines" -eq 1 ] || { echo "$name: $lines stderr lines, want 1:"; cat -v "$tmp/stderr"; fail=1; }
  grep -q -- "$pattern" "$tmp/stderr" || { echo "$name: stderr lacks '$pattern':"; cat -v "$tmp/stderr"; fail=1; }
  grep -q "$esc" "$tmp/stderr" && { echo "$name: a raw ESC reached stderr"; fail=1; }
  grep -q CRITICAL "$tmp/stderr" && { echo "$name: GLib CRITICAL"; fail=1; }
  [ "$after_run" -eq 0 ] && [ -s "$tmp/stdout" ] && { echo "$name: wrote to stdout:"; head -3 "$tmp/stdout"; fail=1; }
  return 0
}

# 1. newlines and terminal escapes in keys and --set
printf '{"gate\nways":1}' >"$tmp/k1.json"
printf '{"gate\\nways":1}' >"$tmp/k2.json"
printf '{"a\\u001b[2J":1}' >"$tmp/k3.json"
bad key_raw_newline "k1.json:1:7: line break inside a string" validate "$tmp/k1.json"
bad key_escaped_newline "unknown key 'gate\\\\nways'" validate "$tmp/k2.json"
bad key_escape "unknown key 'a\\\\x1b\[2J'" validate "$tmp/k3.json"
bad set_newline "gateways.count=a\\\\nb" validate "$G" --set "$(printf 'gateways.count=a\nb')"
bad set_escape "x1b" validate "$G" --set "$(printf 'gate\033[2Jways.count=1')"
bad dist_name_escape "unknown dist" validate "$G" --set "$(printf 'postgres.service_s={"dist":"\\u001b[31m"}')"

# 2. non-finite numbers
printf '{"postgres": {"service_s": 1e400}}\n' >"$tmp/inf.json"
bad set_1e400 "number out of range" run -q "$G" --set postgres.service_s=1e400
bad file_1e400 "inf.json:1:28: number out of range" validate "$tmp/inf.json"
bad set_mean_1e400 "number out of range" validate "$G" --set 'postgres.service_s={"dist":"exponential","mean":1e400}'
bad rate_tiny "mean 1/rate is not finite" validate "$G" --set 'postgres.service_s={"dist":"exponential","rate":1e-320}'

# 3. huge but finite times
for k in gateways.push_s=1e9 kafka.append_s=4e9 gateways.inbound_s=1e18 gateways.batch_overhead_s=1e18 gateways.push_s=1e18; do
  bad "huge_$k" "must have a mean of at most 1e+06 s" run -q "$G" --duration 2 --set "$k"
done

# 4. regular files only, with a size cap
mkfifo "$tmp/fifo.json"
printf '{"extends": "/dev/zero"}\n' >"$tmp/ext.json"
truncate -s 17M "$tmp/huge.json"
bad dev_zero "/dev/zero: not a regular file" validate /dev/zero
bad fifo "fifo.json: not a regular file" validate "$tmp/fifo.json"
bad extends_dev_zero "cannot extend: /dev/zero: not a regular file" validate "$tmp/ext.json"
bad too_large "file too large" validate "$tmp/huge.json"

# 5. UTF-8: accepted from the command line, refused when invalid, and
# summary.json stays valid JSON text
"$S" run -q "$G" --duration 1 --set 'name=Zürich' --out "$tmp/z" >/dev/null 2>"$tmp/stderr" \
  || { echo "name=Zürich refused:"; cat "$tmp/stderr"; fail=1; }
python3 -c 'import json,sys; d=json.load(open(sys.argv[1], encoding="utf-8", errors="strict")); sys.exit(0 if d["scenario"]["name"] == "Zürich" else 1)' "$tmp/z/summary.json" 2>/dev/null \
  || python3 -c 'import json,sys; json.load(open(sys.argv[1], encoding="utf-8", errors="strict"))' "$tmp/z/summary.json" \
  || { echo "summary.json with name=Zürich is not valid UTF-8 JSON"; fail=1; }
grep -q 'Zürich' "$tmp/z/summary.json" || { echo "summary.json lacks the name Zürich"; fail=1; }
printf '{"name": "Z\377rich"}\n' >"$tmp/badname.json"
bad name_invalid_utf8_file "badname.json:1:12: invalid UTF-8" run -q "$tmp/badname.json" --out "$tmp/bn"
bad name_invalid_utf8_set "not valid text" run -q "$G" --set "$(printf 'name=Z\377rich')" --out "$tmp/bn"
[ -e "$tmp/bn" ] && { echo "invalid name: left an output directory"; fail=1; }

# 6. output sets are all or nothing, and messages name the user's paths
mkdir -p "$tmp/o1/timeseries.csv"
bad out_dir_in_the_way "o1/timeseries.csv: is in the way" run -q "$G" --duration 1 --out "$tmp/o1"
[ -e "$tmp/o1/summary.json" ] && { echo "out_dir_in_the_way: left summary.json"; fail=1; }
grep -q 'stage\|\.tmp\|XXXXXX' "$tmp/stderr" && { echo "out_dir_in_the_way: message names a temp file"; fail=1; }
mkdir -p "$tmp/p1/latency_cdf.png"
# plot names are the plotter's: found in the way after the run
after_run=1
bad plots_in_the_way "latency_cdf.png: is in the way" run -q "$G" --duration 1 --out "$tmp/o2" --plots "$tmp/p1"
after_run=0
[ -e "$tmp/o2" ] && { echo "plots_in_the_way: --out appeared although --plots failed"; fail=1; }
bad plots_unwritable "cannot create the plots directory" run -q "$G" --out "$tmp/new/deep/o3" --plots /proc/x
[ -e "$tmp/new" ] && { echo "plots_unwritable: left the parents of --out"; fail=1; }
# a good run into an existing directory keeps its other files
echo keep >"$tmp/o4.txt"; mkdir "$tmp/o4"; cp "$tmp/o4.txt" "$tmp/o4/notes.txt"
"$S" run -q "$G" --duration 1 --out "$tmp/o4" >/dev/null 2>&1 || { echo "run into an existing directory failed"; fail=1; }
[ -s "$tmp/o4/summary.json" ] && [ -s "$tmp/o4/timeseries.csv" ] && [ -s "$tmp/o4/notes.txt" ] \
  || { echo "run into an existing directory: files missing"; ls -a "$tmp/o4"; fail=1; }
leftovers=$(find "$tmp" -name '.*stage-*' | wc -l)
[ "$leftovers" -eq 0 ] || { echo "stage directories left behind:"; find "$tmp" -name '.*stage-*'; fail=1; }

# 8. bounds on --jobs and --size
bad jobs_huge "jobs must be 1..256, got 100000" sweep "$G" --vary=gateways.count=1,2 --jobs=100000
bad size_wraps "4294967616x720 is outside 320x240..8192x8192" viz --headless --size=4294967616x720
bad size_overflows "99999999999x720 is outside" viz --headless --size=99999999999x720
bad size_sign "expected WxH" viz --headless --size=+640x480

# 9. a 1 MB unknown key: quick, and not echoed whole
python3 -c 'import sys; open(sys.argv[1], "w").write("{\"" + "k" * 1000000 + "\": 1}")' "$tmp/bigkey.json"
start=$(date +%s)
bad big_key "(1000000 bytes)" validate "$tmp/bigkey.json"
[ $(( $(date +%s) - start )) -le 5 ] || { echo "big_key: took more than 5 s"; fail=1; }
[ "$(wc -c <"$tmp/stderr")" -lt 700 ] || { echo "big_key: message of $(wc -c <"$tmp/stderr") bytes"; fail=1; }

# 10. small ones
bad unknown_command "slacksim: COMMAND: unknown command 'frob\\\\nnicate'" "$(printf 'frob\nnicate')"
bad quiz_directory "is a directory, not a quiz bank" quiz "$tmp" -a 1
bad quiz_dev_zero "/dev/zero: not a regular file" quiz /dev/zero -a 1
bad quiz_retry_dev_zero "not a regular file" quiz --retry=/dev/zero -a 1
(cd "$tmp" && "$S" viz --headless --frames 1 --out "$tmp/frames" >/dev/null 2>"$tmp/stderr") \
  || { echo "viz from outside the checkout:"; cat "$tmp/stderr"; fail=1; }

# 11. viz and calibrate run the slacksim-full next to the binary: a copy of
# bin/slacksim alone says so in one line
mkdir -p "$tmp/lone"
cp "$S" "$tmp/lone/slacksim"
S_SAVED=$S
S=$tmp/lone/slacksim
bad viz_without_full "slacksim viz: cannot run '.*slacksim-full': No such file" viz --headless --frames 1
bad calibrate_without_full "slacksim calibrate: cannot run" calibrate redis --start
S=$S_SAVED
exit $fail
