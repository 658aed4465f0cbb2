#!/bin/sh
# `slacksim viz --headless`: frames with no display (DISPLAY unset), vector
# export, the benchmark's output, and refusal of bad flags (one line on
# stderr, exit status 2).
set -u
: "${SLACKSIM:=bin/slacksim}"
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "test_headless: $*" >&2; exit 1; }
png_size() { od -An -tu1 -j"$2" -N4 "$1" | awk '{print $1*16777216+$2*65536+$3*256+$4}'; }

env -u DISPLAY -u WAYLAND_DISPLAY "$SLACKSIM" viz --headless --scene fanout --frames 3 --size 800x450 \
    --out "$tmp/frames" --svg "$tmp/f.svg" --pdf "$tmp/f.pdf" 2> "$tmp/err" || fail "headless run failed: $(cat "$tmp/err")"
for i in 0000 0001 0002; do
  f="$tmp/frames/frame-$i.png"
  [ -s "$f" ] || fail "missing $f"
  [ "$(png_size "$f" 16)x$(png_size "$f" 20)" = 800x450 ] || fail "$f is not 800x450"
done
[ ! -e "$tmp/frames/frame-0003.png" ] || fail "more frames than asked for"
head -c 5 "$tmp/f.svg" | grep -q '<?xml' || fail "SVG export is not SVG"
head -c 4 "$tmp/f.pdf" | grep -q '%PDF' || fail "PDF export is not PDF"

for scene in pipeline dashboard quiz; do
  "$SLACKSIM" viz --headless --scene $scene --frames 4 --screenshot "$tmp/$scene.png" 2> "$tmp/err" \
    || fail "scene $scene: $(cat "$tmp/err")"
  [ "$(wc -c < "$tmp/$scene.png")" -gt 20000 ] || fail "scene $scene frame looks blank"
done

# The lecture hall (issue 14). Every scene at 320x240, 1280x720 and
# 3840x2160 with GLib/Pango criticals fatal (a critical aborts: exit != 0),
# and each first frame says it shows data (warm-up, loaded quiz).
for size in 320x240 1280x720 3840x2160; do
  for scene in fanout pipeline dashboard quiz; do
    G_DEBUG=fatal-criticals "$SLACKSIM" viz --headless --scene $scene --size $size --frames 2 \
        --screenshot "$tmp/s.png" > /dev/null 2> "$tmp/err" || fail "scene $scene at $size: $(cat "$tmp/err")"
    [ "$(png_size "$tmp/s.png" 16)x$(png_size "$tmp/s.png" 20)" = $size ] || fail "scene $scene: not $size"
    ! grep -q CRITICAL "$tmp/err" || fail "scene $scene at $size: $(cat "$tmp/err")"
  done
done
state=$("$SLACKSIM" viz --headless --scene pipeline --print-state)
echo "$state" | grep -q "warmup_s=1[0-9]" || fail "the pipeline's first frame should follow a warm-up: $state"
state=$("$SLACKSIM" viz --headless --scene quiz --quiz-first 5 --print-state)
echo "$state" | grep -q " quiz=5 " || fail "--quiz-first 5 should ask 5 questions from the first frame: $state"
"$SLACKSIM" viz --headless --scene quiz --quiz-topic nosuchtopic 2> "$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q -- "--quiz-topic" "$tmp/err" || fail "bad --quiz-topic: exit $rc, $(cat "$tmp/err")"
# The documented clip (docs/visualizer.md): 90 frames of one post; its last
# frame has the WebSocket pushes, at 500 members and at 100,000.
state=$("$SLACKSIM" viz --headless --scene fanout --frames 90 --out "$tmp/clip" --print-state)
echo "$state" | grep -q "ws_pushes=350 " || fail "the 90-frame clip should end after the pushes: $state"
[ -s "$tmp/clip/frame-0089.png" ] || fail "the clip has no frame-0089.png"
# The alternatives, live (B, C, T): pub/sub with #general's consumer down
# loses the post; short polling makes HTTP requests.
state=$(G_DEBUG=fatal-criticals "$SLACKSIM" viz --headless --scene fanout --frames 60 --script "0=b;0.05=c;0.1=p" --print-state)
echo "$state" | grep -q "queue=redis_pubsub " || fail "B should switch to pub/sub: $state"
echo "$state" | grep -Eq " lost=[1-9]" || fail "a post to a crashed pub/sub consumer should be lost: $state"
echo "$state" | grep -q "ws_pushes=0 " || fail "a lost post reaches nobody: $state"
state=$(G_DEBUG=fatal-criticals "$SLACKSIM" viz --headless --scene fanout --frames 60 --script "0=t;0.05=p" --print-state)
echo "$state" | grep -q "transport=short_polling " || fail "T should switch to short polling: $state"
echo "$state" | grep -Eq " requests=[1-9]" || fail "short polling should make HTTP requests: $state"
for scene in pipeline dashboard; do
    G_DEBUG=fatal-criticals "$SLACKSIM" viz --headless --scene $scene --frames 40 --script "0=b;0.1=t;0.2=c" \
        --screenshot "$tmp/alt-$scene.png" > /dev/null || fail "the strip on the $scene scene"
    [ -s "$tmp/alt-$scene.png" ] || fail "no $scene frame with the alternatives strip"
done
state=$("$SLACKSIM" viz --headless --scenario "$root/scenarios/channel_storm.json" --frames 90 --print-state)
echo "$state" | grep -q "ws_pushes=90000 " || fail "the 100k clip should end after the pushes: $state"

# slacksim run --plots: every chart as PNG and SVG.
"$SLACKSIM" run "$root/scenarios/general_channel.json" --duration 5 --quiet --plots "$tmp/plots" > /dev/null 2> "$tmp/err" \
  || fail "run --plots failed: $(cat "$tmp/err")"
for p in latency_cdf latency_stages_cdf kafka_lag_partitions utilization timeseries_messages timeseries_latency timeseries_utilization timeseries_connections; do
  [ "$(od -An -tx1 -N4 "$tmp/plots/$p.png" | tr -d ' \n')" = 89504e47 ] || fail "plots: $p.png missing or not PNG"
  head -c 5 "$tmp/plots/$p.svg" | grep -q '<?xml' || fail "plots: $p.svg missing or not SVG"
done

out=$("$SLACKSIM" viz --bench --frames 20) || fail "bench failed"
echo "$out" | grep -q '^members=500$' || fail "bench is not at 500 members: $out"
echo "$out" | grep -q '^frame_cpu_ms_p99=' || fail "bench lacks frame_cpu_ms_p99: $out"

"$SLACKSIM" viz --headless --scene nosuch 2> "$tmp/err"; rc=$?
[ $rc -eq 2 ] || fail "unknown scene: exit $rc, expected 2"
[ "$(wc -l < "$tmp/err")" -eq 1 ] && grep -q -- "--scene" "$tmp/err" || fail "unknown scene message: $(cat "$tmp/err")"
"$SLACKSIM" viz --headless --scenario "$tmp/missing.json" 2> "$tmp/err"; rc=$?
[ $rc -eq 2 ] || fail "missing scenario: exit $rc, expected 2"
grep -q "missing.json" "$tmp/err" || fail "missing scenario message: $(cat "$tmp/err")"
"$SLACKSIM" viz --headless --size 12 2> "$tmp/err"; rc=$?
[ $rc -eq 2 ] || fail "bad --size: exit $rc"
"$SLACKSIM" viz --headless --svg "$tmp/nodir/x.svg" 2> "$tmp/err"; rc=$?
[ $rc -eq 2 ] && [ ! -e "$tmp/nodir/x.svg" ] || fail "unwritable --svg: exit $rc"
exit 0
