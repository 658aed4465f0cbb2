#!/bin/sh
# scenarios/presence_crash.json end to end through `slacksim run`: crashes
# happen, every crash is either detected or still undetected at the end, no
# detection comes earlier than ttl - heartbeat (65 - 30 = 35 s), and the
# heartbeat SETEX rate is about connected / 30 s.
set -u
S=${SLACKSIM:-bin/slacksim}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "test_presence_crash: $*" >&2; exit 1; }

"$S" validate scenarios/presence_crash.json >/dev/null 2>"$tmp/err" || fail "validate: $(cat "$tmp/err")"
"$S" run scenarios/presence_crash.json --quiet --out "$tmp/out" >"$tmp/report" 2>"$tmp/err" || fail "run: $(cat "$tmp/err")"
grep -q 'seed 1' "$tmp/report" || fail "report does not print the seed"
python3 - "$tmp/out/summary.json" <<'PY' || fail "summary checks failed"
import json, sys
p = json.load(open(sys.argv[1]))["presence"]
d = p["detect_delay_s"]
ok = True
def check(cond, what):
    global ok
    if not cond:
        print("test_presence_crash:", what, file=sys.stderr); ok = False
check(p["crashes"] > 100, "too few crashes: %s" % p["crashes"])
check(p["detected"] > 0 and d["count"] == p["detected"], "detected/count mismatch")
check(p["detected"] + p["undetected"] + p["reconnected_before_detection"] == p["crashes"],
      "crashes not conserved: %s" % p)
# a key lives at least ttl - heartbeat after the last heartbeat before the crash
check(d["p50"] >= 35 and d["mean"] >= 35, "detections earlier than 35 s: %s" % d)
rate = p["setex_per_sec"]; expect = p["connected"] / 30.0
check(abs(rate / expect - 1) < 0.05, "SETEX/s %.1f, expected about %.1f" % (rate, expect))
sys.exit(0 if ok else 1)
PY
