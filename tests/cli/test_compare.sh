#!/bin/sh
# compare: with A and B the same design, no difference is significant (every
# interval covers zero: common random numbers make them equal); WebSocket
# against 1 s short polling shows the polling's added latency (about half
# the interval) and its requests as significant; compare.json has a, b and
# diff; --plots overlays A and B, each chart with the CSV of what it
# draws; bad input is one line and exit 2.
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
# every row's unit comes from the metric registry
awk 'f && NF >= 5 && $2 == "?" { print "compare: no registry unit for " $1; bad = 1 } /^  field +unit/ { f = 1 } END { exit bad }' "$tmp/poll.txt" || fail=1
grep -q '^  latency_ms.end_to_end.p50 \+ms ' "$tmp/poll.txt" || { echo "compare: no unit column"; fail=1; }
# --plots: A over B; each chart's CSV holds what it draws: utilization.csv
# is compare.json's a.load / b.load (means over the replications); the time
# series and the end-to-end CDF are replication 0's, the same as `run` of
# each design at that seed.
"$SLACKSIM" compare "$scn" --set duration_s=10 --b delivery.transport=short_polling --replications 2 \
  --out "$tmp/pl" --plots "$tmp/pl/plots" > /dev/null || { echo "compare --plots failed"; fail=1; }
"$SLACKSIM" run -q "$scn" --seed 1 --set duration_s=10 --out "$tmp/runa" > /dev/null || fail=1
"$SLACKSIM" run -q "$scn" --seed 1 --set duration_s=10 --set delivery.transport=short_polling --out "$tmp/runb" > /dev/null || fail=1
python3 - "$tmp/pl" "$tmp/runa" "$tmp/runb" <<'PY' || fail=1
import csv, glob, json, os, sys
out, ra, rb = sys.argv[1:]
plots = os.path.join(out, "plots")
cmp = json.load(open(os.path.join(out, "compare.json")))
bad = []
pngs = glob.glob(os.path.join(plots, "*.png"))
if len(pngs) < 10: bad.append(f"only {len(pngs)} charts")
for f in pngs:
    for ext in (".svg", ".csv"):
        if not os.path.exists(f[:-4] + ext): bad.append(os.path.basename(f)[:-4] + ext + " missing")
rows = list(csv.DictReader(open(os.path.join(plots, "utilization.csv"))))
if [r["stage"] for r in rows] != list(cmp["a"]["load"]): bad.append("utilization.csv stages differ from a.load")
for r in rows:
    for side in ("a", "b"):
        for k in ("utilization", "offered_load"):
            want = cmp[side]["load"][r["stage"]][k]
            if abs(float(r[side + "_" + k]) - want) > 1e-12 * max(1, abs(want)): bad.append(f"utilization.csv {side} {r['stage']}.{k}")
ts = {s: list(csv.DictReader(open(os.path.join(d, "timeseries.csv")))) for s, d in (("a", ra), ("b", rb))}
for path in glob.glob(os.path.join(plots, "timeseries_*.csv")):
    rows = list(csv.DictReader(open(path)))
    for i, row in enumerate(rows):
        for k, v in row.items():
            if k == "t_s": continue
            side, col = k[0], k[2:]
            if col not in ts[side][0]:
                if v != "": bad.append(f"{path}: {k} has values, run {side} has no {col}")
                continue
            want = float(ts[side][i][col]) * (100 if "utilization" in path else 1)
            if v == "":
                if want != 0 or "latency" not in path: bad.append(f"{path}: {k} row {i} empty, run says {want}")
            elif abs(float(v) - want) > 5e-6 * abs(want) + 1e-12: bad.append(f"{path}: {k} row {i} {v} != run {want}")
if not os.path.exists(os.path.join(plots, "timeseries_http_requests.csv")): bad.append("no HTTP requests chart (B polls)")
curves = {}
for r in csv.DictReader(open(os.path.join(plots, "latency_e2e_cdf.csv"))):
    curves.setdefault(r["series"], []).append((float(r["latency_ms"]), float(r["fraction"])))
for series, d in (("A", ra), ("B", rb)):
    lat = json.load(open(os.path.join(d, "summary.json")))["latency_ms"]["end_to_end"]
    pts = curves.get(series, [])
    for k, q in (("p50", 0.5), ("p99", 0.99), ("max", 1.0)):
        x = next((x for x, y in pts if y >= q - 1e-12), None)
        if x is None or abs(x - lat[k]) > 0.01 * lat[k]: bad.append(f"latency_e2e_cdf.csv {series} {k} {x} != run {lat[k]}")
if bad: sys.exit("compare --plots: " + "; ".join(bad[:10]))
PY
"$SLACKSIM" compare "$scn" --b x=1 --plots "$tmp/np" --plot-size 10x10 > /dev/null 2> "$tmp/err"; rc=$?
[ "$rc" -eq 2 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] && [ ! -e "$tmp/np" ] || { echo "compare --plot-size 10x10: exit $rc, want 2 and nothing written"; fail=1; }
for args in "nope.json --b x=1" "$scn" "$scn --b delivery.transport=carrier_pigeon" "$scn --b x=1 --replications 0"; do
  # shellcheck disable=SC2086
  "$SLACKSIM" compare $args > "$tmp/out" 2> "$tmp/err"; rc=$?
  [ "$rc" -eq 2 ] || { echo "compare $args: exit $rc, want 2"; fail=1; }
  [ "$(wc -l < "$tmp/err")" -eq 1 ] || { echo "compare $args: not one line on stderr"; cat "$tmp/err"; fail=1; }
done
exit $fail
