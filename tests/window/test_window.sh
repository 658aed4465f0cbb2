#!/bin/sh
# The real SDL window under Xvfb: starts `slacksim viz`, sends it
# synthesized key presses and a mouse click (xdotool), and checks that it
# handled them (posts, pause, scene switch, S screenshot, event log,
# inspector), that the
# --screenshot written on quit is a non-blank 1280x720 PNG, and that it
# quits cleanly with status 0 on Q.
set -u
: "${SLACKSIM:=bin/slacksim}"
for tool in xvfb-run xdotool; do
  command -v "$tool" >/dev/null 2>&1 || { echo "test_window: $tool missing (run 'make deps')" >&2; exit 1; }
done
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$(cd "$(dirname "$SLACKSIM")" && pwd)/$(basename "$SLACKSIM")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "test_window: $*" >&2; exit 1; }

cat > "$tmp/drive.sh" <<DRIVE
#!/bin/sh
cd "$tmp"
"$bin" viz --scenario "$root/scenarios/general_channel.json" --quit-after 60 \
    --screenshot "$tmp/shot.png" --print-state > "$tmp/state.txt" 2> "$tmp/err.txt" &
pid=\$!
wid=\$(timeout 20 xdotool search --sync --name "slacksim" | head -1)
[ -n "\$wid" ] || { kill \$pid; echo "no window" > "$tmp/err.txt"; exit 1; }
sleep 1
xdotool windowfocus --sync "\$wid" 2>/dev/null || true
# Post with the key, then with the button (its centre at 1280x720).
xdotool key --window "\$wid" p; sleep 0.5
xdotool mousemove --window "\$wid" 1140 105 click 1; sleep 0.5
for k in plus h h s 2 1 space; do xdotool key --window "\$wid" "\$k"; sleep 0.4; done
# The lecture-hall keys: E shows the event log; a click on a stage (the
# message service, third node) opens its inspector; '.' moves it to the
# next station; E twice more leaves the log on.
for k in e e e; do xdotool key --window "\$wid" "\$k"; sleep 0.3; done
xdotool mousemove --window "\$wid" 160 320 click 1; sleep 0.4
xdotool key --window "\$wid" period; sleep 0.4
# Resizable: the last frame (and so the --screenshot) follows the window.
xdotool windowsize --sync "\$wid" 1024 600 2>/dev/null || xdotool windowsize "\$wid" 1024 600
sleep 1
# The alternatives, live: T on the pipeline (the fan-out would retune its
# speed), back to the fan-out, B (pub/sub) and C (crash #general's consumer;
# paused, so it stays down).
for k in 2 t 1 b c; do xdotool key --window "\$wid" "\$k"; sleep 0.4; done
xdotool key --window "\$wid" q
wait \$pid
echo \$? > "$tmp/status.txt"
DRIVE
timeout 120 xvfb-run -a -s "-screen 0 1280x800x24" sh "$tmp/drive.sh" || fail "xvfb-run failed: $(cat "$tmp/err.txt" 2>/dev/null)"

[ "$(cat "$tmp/status.txt" 2>/dev/null)" = 0 ] || fail "exit status $(cat "$tmp/status.txt" 2>/dev/null), stderr: $(cat "$tmp/err.txt")"
state=$(cat "$tmp/state.txt")
echo "$state" | grep -q "scene=fanout " || fail "scene not back to fanout: $state"
echo "$state" | grep -q "posts=2 " || fail "key P and the button should have posted twice: $state"
echo "$state" | grep -q "paused=1 " || fail "space should have paused: $state"
echo "$state" | grep -q "speed=0.002 " || fail "+ should go one rung up from the picked 0.0013x: $state"
echo "$state" | grep -q "log=1 " || fail "E three times should leave the event log on: $state"
echo "$state" | grep -q "inspect=station:2 " || fail "a click on the message service (PostgreSQL) then '.' should inspect station 2 (Kafka): $state"
echo "$state" | grep -q "help=0 " || fail "H twice should leave help closed: $state"
echo "$state" | grep -q "queue=redis_pubsub " || fail "B should switch the fan-out queue to Redis pub/sub: $state"
echo "$state" | grep -q "transport=short_polling " || fail "T should switch the transport to short polling: $state"
echo "$state" | grep -q "consumer_down=1 " || fail "C (paused) should leave #general's fan-out consumer down: $state"
[ -s "$tmp/slacksim-fanout-001.png" ] || fail "S did not write slacksim-fanout-001.png"

# The quit screenshot: PNG magic, 1024x600 (the resized window) in IHDR, and not blank (a
# uniform frame compresses to a few kB; ours is tens of kB).
png="$tmp/shot.png"
[ -s "$png" ] || fail "no --screenshot file"
magic=$(od -An -tx1 -N4 "$png" | tr -d ' \n')
[ "$magic" = 89504e47 ] || fail "screenshot is not a PNG ($magic)"
w=$(od -An -tu1 -j16 -N4 "$png" | awk '{print $1*16777216+$2*65536+$3*256+$4}')
h=$(od -An -tu1 -j20 -N4 "$png" | awk '{print $1*16777216+$2*65536+$3*256+$4}')
[ "$w" = 1024 ] && [ "$h" = 600 ] || fail "screenshot is ${w}x${h}, expected 1024x600 after the resize"
size=$(wc -c < "$png")
[ "$size" -gt 30000 ] || fail "screenshot looks blank ($size bytes)"
exit 0
