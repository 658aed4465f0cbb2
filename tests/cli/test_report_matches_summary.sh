#!/bin/sh
# One number, one meaning: for every shipped scenario (the 12M one at a
# reduced duration), each figure the report prints equals the summary.json
# field the metric registry says it shows (`slacksim metrics --figures`:
# the load table row by row, the bottleneck, the flow counts, latencies,
# SLO verdicts, fleet, presence, push, search, files, faults), and each
# plot's CSV equals the summary or time series it is drawn from. And the
# saturated gateway is overloaded as its description says, and the fix it
# names brings the offered load under 100% and meets the SLO.
set -u
: "${SLACKSIM:=bin/slacksim}"
: "${DURATION_12M:=120}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
"$SLACKSIM" metrics --figures > "$tmp/figures.tsv" || { echo "metrics --figures failed"; exit 1; }
"$SLACKSIM" metrics > "$tmp/metrics.tsv" || { echo "metrics failed"; exit 1; }
: > "$tmp/matched"
check() {   # check NAME SCENARIO [ARGS...]
  name=$1; shift
  "$SLACKSIM" run -q "$@" --out "$tmp/$name" --plots "$tmp/$name/plots" > "$tmp/$name.txt" || { echo "$name: run failed"; fail=1; return; }
  python3 - "$tmp/$name.txt" "$tmp/$name" "$name" "$tmp/figures.tsv" "$tmp/metrics.tsv" "$tmp/matched" <<'PY' || fail=1
import csv, glob, json, os, re, sys
report_path, out, name, figures_path, metrics_path, matched_path = sys.argv[1:]
report = open(report_path).read()
s = json.load(open(os.path.join(out, "summary.json")))
ts = list(csv.DictReader(open(os.path.join(out, "timeseries.csv"))))
units = {r["path"]: r["unit"] for r in csv.DictReader(open(metrics_path), delimiter="\t", quoting=csv.QUOTE_NONE)}
bad, matched = [], []

def get(path):
    o = s
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        if part.startswith("["):
            i = int(part[1:-1])
            if not isinstance(o, list) or i >= len(o): return None
            o = o[i]
        else:
            if not isinstance(o, dict) or part not in o: return None
            o = o[part]
    return o

def same(label, shown, value, scale):
    if isinstance(value, bool):
        if (shown == "MET") != value: bad.append(f"{label}: report {shown}, summary {value}")
        return
    if isinstance(value, str):
        if shown != value: bad.append(f"{label}: report {shown}, summary {value}")
        return
    # The report rounds to its digits; summary.json and timeseries.csv
    # carry 6 significant digits (%g): equal within both roundings.
    digits = len(shown.split(".")[1]) if "." in shown else 0
    if abs(float(shown) - value * scale) > 10 ** -digits * 0.51 + abs(value * scale) * 5e-6:
        bad.append(f"{label}: report {shown}, summary {value} (x {scale})")

# ---- the report against summary.json, figure by figure (the registry's table)
for row in csv.DictReader(open(figures_path), delimiter="\t", quoting=csv.QUOTE_NONE):
    pattern, path, scale = row["pattern"], row["path"], float(row["scale"])
    top = path.split(".")[0]
    keys = list(s.get(top, {})) if "*" in path else [None]
    for k in keys:
        p = path.replace("*", k) if k else path
        rx = pattern.replace("{}", re.escape(k)) if k else pattern
        m = re.search(rx, report, re.M)
        if not m: continue
        v = get(p)
        if v is None: bad.append(f"{p}: in the report ({m.group(0)!r}) but not in summary.json"); continue
        same(p, m.group(1), v, scale)
        matched.append(path)
# the load table has exactly the summary's stages
rows = re.findall(r"^  (\w+) +[0-9.]+% utilization +[0-9.]+% offered$", report, re.M)
if rows != list(s["load"]): bad.append(f"load table stages {rows} != summary {list(s['load'])}")

# ---- each plot's CSV against what it is drawn from
plots = os.path.join(out, "plots")
n = 0
for path in sorted(glob.glob(os.path.join(plots, "timeseries_*.csv"))):
    rows = list(csv.DictReader(open(path)))
    if len(rows) != len(ts): bad.append(f"{path}: {len(rows)} rows, timeseries.csv {len(ts)}"); continue
    for a, b in zip(rows, ts):
        for k, v in a.items():
            if "timeseries." + k not in units: bad.append(f"{path}: column {k} is not a registry column"); break
            scale = 100 if units["timeseries." + k] == "0..1" else 1   # fractions are drawn in %
            want = float(b[k]) * scale
            if abs(float(v) - want) > 5e-6 * abs(want) + 1e-12: bad.append(f"{path}: {k} {v} != timeseries.csv {want}"); break
    n += 1
if n < 8: bad.append(f"only {n} time-series chart CSVs")
for f in glob.glob(os.path.join(plots, "*.png")):
    if not os.path.exists(f[:-4] + ".csv"): bad.append(f"{os.path.basename(f)} has no CSV next to it")
rows = list(csv.DictReader(open(os.path.join(plots, "utilization.csv"))))
if [r["stage"] for r in rows] != list(s["load"]): bad.append("utilization.csv stages differ from summary load")
for r in rows:
    for k in ("utilization", "offered_load"):
        if abs(float(r[k]) - s["load"][r["stage"]][k]) > 1e-12 * max(1, abs(s["load"][r["stage"]][k])):
            bad.append(f"utilization.csv {r['stage']}.{k} {r[k]} != summary {s['load'][r['stage']][k]}")
lag = os.path.join(plots, "kafka_lag_partitions.csv")
if os.path.exists(lag):
    by_p = s["kafka"]["consumer_lag_max_by_partition"]
    for r in csv.DictReader(open(lag)):
        if float(r["lag_max"]) != by_p[int(r["partition"])]: bad.append(f"kafka_lag_partitions.csv partition {r['partition']}: {r['lag_max']} != {by_p[int(r['partition'])]}")
# A CDF's curve: its top is the field's max, and where it crosses 0.5 and
# 0.99 are the field's p50 and p99 (the same histogram: within a bucket).
for cdf in ("latency_cdf.csv", "latency_stages_cdf.csv"):
    curves = {}
    for r in csv.DictReader(open(os.path.join(plots, cdf))):
        curves.setdefault((r["series"], r["field"]), []).append((float(r["latency_ms"]), float(r["fraction"])))
    for (series, field), pts in curves.items():
        if not field: continue
        lat = get(field)
        if lat is None: bad.append(f"{cdf} {series}: {field} not in summary.json"); continue
        def at(q): return next(x for x, y in pts if y >= q - 1e-12)
        for k, q in (("p50", 0.5), ("p99", 0.99), ("max", 1.0)):
            if abs(at(q) - max(lat[k], 1e-3)) > 0.01 * lat[k] + 1e-3: bad.append(f"{cdf} {series}: {k} {at(q)} != {field}.{k} {lat[k]}")
    if cdf == "latency_stages_cdf.csv":
        fields = {f for _, f in curves}
        want = {"latency_ms." + k for k, v in s["latency_ms"].items() if v["count"] and k not in ("pubsub",)}
        if not want <= fields: bad.append(f"{cdf}: curves {sorted(fields)} miss {sorted(want - fields)}")
open(matched_path, "a").write("".join(p + "\n" for p in matched))
if bad:
    print(name + ": " + "; ".join(bad[:12]))
    sys.exit(1)
PY
}
for scn in scenarios/*.json; do
  name=$(basename "$scn" .json)
  case $scn in
    *_12m.json) check "$name" "$scn" --duration "$DURATION_12M" ;;
    *) check "$name" "$scn" ;;
  esac
done
check fixed scenarios/saturated_gateway.json --set gateways.cores=8
check pubsub scenarios/why_kafka.json --set fanout.queue=redis_pubsub
# Every field and column these runs wrote (the 12M one included) has a
# metric registry row (the reverse, every row written, is
# test_metrics_registry.sh's).
"$SLACKSIM" metrics --check "$tmp"/*/summary.json "$tmp"/*/timeseries.csv > "$tmp/check.txt"
grep "is not in the metric registry" "$tmp/check.txt" && fail=1
# Every report figure of the registry was found in some report: a figure
# whose line changed shape fails here rather than being skipped forever.
tail -n +2 "$tmp/figures.tsv" | cut -f2 | sort -u > "$tmp/all"
sort -u "$tmp/matched" > "$tmp/seen"
missing=$(comm -23 "$tmp/all" "$tmp/seen")
[ -z "$missing" ] || { echo "report figures no report printed: $missing"; fail=1; }
python3 - "$tmp/saturated_gateway/summary.json" "$tmp/fixed/summary.json" <<'PY' || fail=1
import json, sys
over, fixed = (json.load(open(p)) for p in sys.argv[1:])
o = over["load"]["gateways"]["offered_load"]
if not 1.05 < o < 1.35: sys.exit(f"saturated_gateway: offered {o}, its description says about 1.2")
if over["slo"]["end_to_end_p99_ms"]["met"]: sys.exit("saturated_gateway meets its SLO")
if fixed["load"]["gateways"]["offered_load"] >= 0.5 or not fixed["slo"]["end_to_end_p99_ms"]["met"]:
    sys.exit("gateways.cores=8 does not fix saturated_gateway as its description says")
PY
exit $fail
