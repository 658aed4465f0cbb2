#!/bin/sh
# SIGTERM and SIGINT in the middle of `run --out --plots`: exit 143 / 130,
# and nothing is left behind, neither a partial set, nor a temp file, nor an
# empty directory (the output and plots directories did not exist before).
# The run is sized to take a few seconds; signals at several delays hit the
# run at different points.
set -u
: "${SLACKSIM:=bin/slacksim}"
G=scenarios/general_channel.json
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
for delay in 0.2 0.6 1.2; do
  for sig in TERM INT; do
    d="$tmp/run-$sig-$delay"
    mkdir "$d"
    # A shell without job control starts background jobs with SIGINT
    # ignored; python restores the default so the signal is delivered.
    python3 - "$SLACKSIM" "$G" "$d" "$sig" "$delay" <<'PY' >"$tmp/rc" 2>"$tmp/stderr"
import signal, subprocess, sys, time
exe, scn, d, sig, delay = sys.argv[1:]
p = subprocess.Popen([exe, "run", "-q", scn, "--set", "workload.rate_per_sec=5000", "--duration", "200",
                      "--out", d + "/out/deep", "--plots", d + "/plots"],
                     stdout=subprocess.DEVNULL, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
time.sleep(float(delay))
p.send_signal(signal.SIGTERM if sig == "TERM" else signal.SIGINT)
print(p.wait())
PY
    rc=$(cat "$tmp/rc")
    want=$([ "$sig" = TERM ] && echo 143 || echo 130)
    [ "$rc" = "$want" ] || { echo "SIG$sig after $delay s: exit $rc, want $want"; cat "$tmp/stderr"; fail=1; }
    left=$(find "$d" -mindepth 1 | wc -l)
    [ "$left" -eq 0 ] || { echo "SIG$sig after $delay s: left behind:"; find "$d" -mindepth 1; fail=1; }
    [ "$(wc -l <"$tmp/stderr")" -le 1 ] || { echo "SIG$sig: more than one stderr line:"; cat "$tmp/stderr"; fail=1; }
  done
done
exit $fail
