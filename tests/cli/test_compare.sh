#!/bin/sh
# compare: with A and B the same design, no difference is significant (every
# interval covers zero: common random numbers make them equal); WebSocket
# against 1 s short polling shows the polling's added latency (about half
# the interval) and its requests as significant; compare.json has a, b and
# diff; bad input is one line and exit 2.
set -u
: "${SLACKSIM:=bin/slacksim}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
scn=scenarios/general_channel.json
"$SLACKSIM" compare "$scn" "$scn" --set duration_s=10 --replications 3 --out "$tmp/same" > "$tmp/same.txt" || { echo "compare same failed"; fail=1; }
"$SLACKSIM" compare "$scn" --set duration_s=10 --b delivery.transport=short_polling --replications 3 --out "$tmp/poll" > "$tmp/poll.txt" || { echo "compare poll failed"; fail=1; }
python3 - "$tmp/same/compare.json" "$tmp/poll/compare.json" <<'PY' || fail=1
import json, sys
same, poll = (json.load(open(p)) for p in sys.argv[1:])
for d in (same, poll):
    for k in ("a", "b", "diff", "replications", "seed"):
        if k not in d: sys.exit("compare.json lacks " + k)
sig = [k for k, v in same["diff"].items() if v["significant"]]
if sig: sys.exit("same design, significant differences: " + ", ".join(sig[:5]))
if len(same["diff"]) < 100: sys.exit("only %d fields compared" % len(same["diff"]))
d = poll["diff"]["delivery.added_latency_ms.mean"]
if not d["significant"] or not 450 < d["mean"] < 550: sys.exit("polling's added latency: %r" % d)
if not poll["diff"]["delivery.requests_per_sec_mean"]["significant"]: sys.exit("polling's requests not significant")
if poll["b"]["delivery"]["transport"] != "short_polling" or poll["a"]["delivery"]["transport"] != "websocket":
    sys.exit("a and b are not the designs asked for")
PY
grep -q '^  B = .*delivery.transport=short_polling' "$tmp/poll.txt" || { echo "report does not name design B"; fail=1; }
for args in "nope.json --b x=1" "$scn" "$scn --b delivery.transport=carrier_pigeon" "$scn --b x=1 --replications 0"; do
  # shellcheck disable=SC2086
  "$SLACKSIM" compare $args > "$tmp/out" 2> "$tmp/err"; rc=$?
  [ "$rc" -eq 2 ] || { echo "compare $args: exit $rc, want 2"; fail=1; }
  [ "$(wc -l < "$tmp/err")" -eq 1 ] || { echo "compare $args: not one line on stderr"; cat "$tmp/err"; fail=1; }
done
exit $fail
