#!/usr/bin/env python3
"""Reruns the commands behind the figures the docs quote and checks them.

A measured figure in docs/*.md is followed (after its paragraph, table or
list item) by a block naming the command that produced it and, for each
figure, the text quoted and the summary.json expression it is read from:

    <!-- figures: run scenarios/presence_crash.json --seed 1 --set redis.shards=4
    "904" presence.detected in "redis.shards=4"
    "~750k" redis.ops_per_sec_peak
    "5.4%" 100 * redis.utilization_mean
    -->

The command is `slacksim ARGS -q --out DIR` for `run` (the expressions
read its summary.json) or `slacksim ARGS --out DIR` for `compare` (they
read compare.json: `a.PATH` and `b.PATH` are the designs' means), or
`slacksim ARGS` for `sweep` (its CSV: `rows[i].COLUMN`, row i of the
table, COLUMN a header such as `latency_ms.persist.p99_ci95`); the
scenario it names must appear in the text above the block (the reader sees
the command next to the figure). Each quoted text must appear in the 60
lines above the block (with `in "TEXT"`: on the line there holding TEXT),
and the expression's value must round to it: the quoted text's last
number, with its k/M/B scale, within half a unit of its last digit ("~"
before it allows 5%). So "| 135 / 131 /" quotes 131 on a table row. An
expression is Python arithmetic over dotted summary.json paths (`a.b.c`,
`a.b[0].c`).

usage: doc_figures.py [--fast] FILE.md...   ($SLACKSIM: the binary)
--fast skips commands of the 12M scenarios (*_12m.json), which take a
minute each: `make docs` checks them, `make test` the rest.
"""
import csv, json, os, re, shlex, subprocess, sys, tempfile

SCALE = {"": 1, "k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9, "G": 1e9}
BLOCK = re.compile(r"<!-- figures: (.*?)\n(.*?)-->", re.S)
FIG = re.compile(r'^\s*"([^"]+)"\s+(.+?)(?:\s+in\s+"([^"]+)")?\s*$')
NUM = re.compile(r"(~?)(-?[0-9][0-9,]*(?:\.[0-9]+)?)([kKMBG](?![A-Za-z])|)")
PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:(?:\.[A-Za-z0-9_]+)|(?:\[[0-9]+\]))+")


def run(args, cache):
    key = tuple(args)
    if key not in cache:
        d = tempfile.mkdtemp(prefix="docfig.")
        binary = os.environ.get("SLACKSIM", "bin/slacksim")
        extra = {"run": ["-q", "--out", d], "compare": ["--out", d], "sweep": []}[args[0]]
        r = subprocess.run([binary] + args + extra, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            cache[key] = RuntimeError("exit %d: %s" % (r.returncode, r.stderr.strip()))
        elif args[0] == "sweep":
            table = list(csv.DictReader(l for l in r.stdout.splitlines() if not l.startswith("#")))
            cache[key] = {"rows": [{k: float(v) if re.match(r"^-?[0-9.eE+-]+$", v) else v for k, v in row.items()}
                                   for row in table]}
        else:
            out = "summary.json" if args[0] == "run" else "compare.json"
            cache[key] = json.load(open(os.path.join(d, out)))
        subprocess.run(["rm", "-rf", d])
    return cache[key]


def lookup(summary, path):
    v = summary
    parts = re.findall(r"[A-Za-z0-9_]+|\[[0-9]+\]", path)
    for i, part in enumerate(parts):
        if part.startswith("["):
            v = v[int(part[1:-1])]
        elif part not in v and not any(p.startswith("[") for p in parts[i:]):
            return v[".".join(parts[i:])]      # a sweep column: "latency_ms.persist.p99"
        else:
            v = v[part]
    return v


def value(summary, expr):
    names = {}
    def sub(m):
        names["_v%d" % len(names)] = lookup(summary, m.group(0))
        return "_v%d" % (len(names) - 1)
    code = PATH.sub(sub, expr)
    return float(eval(code, {"__builtins__": {}, "round": round, "abs": abs, "max": max, "min": min}, names))


def matches(quoted, v):
    found = list(NUM.finditer(quoted))
    m = found[-1] if found else None
    if not m:
        return False, "no number in %r" % quoted
    approx, digits, suffix = m.groups()
    q = float(digits.replace(",", "")) * SCALE[suffix]
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    tol = 0.5 * 10 ** -decimals * SCALE[suffix] * (1 + 1e-9)
    if approx:
        tol = max(tol, 0.05 * abs(q))
    return abs(v - q) <= tol, "%s quotes %g, the run gives %.6g" % (quoted, q, v)


def check(path, fast, cache):
    text = open(path).read()
    lines = text.splitlines()
    bad = checked = skipped = 0
    for b in BLOCK.finditer(text):
        line_no = text.count("\n", 0, b.start())
        above = lines[max(0, line_no - 60):line_no]
        args = shlex.split(b.group(1).strip())
        where = "%s:%d" % (path, line_no + 1)
        scen = [a for a in args if a.endswith(".json")]
        if not args or args[0] not in ("run", "compare", "sweep") or len(scen) != 1:
            print("%s: a figures block needs `run`, `compare` or `sweep` with one SCENARIO.json" % where)
            bad += 1; continue
        if not any(os.path.basename(scen[0]) in l for l in above):
            print("%s: %s is not named above its figures" % (where, scen[0])); bad += 1; continue
        if fast and "_12m" in scen[0]:
            skipped += 1; continue
        summary = run(args, cache)
        if isinstance(summary, Exception):
            print("%s: slacksim %s: %s" % (where, " ".join(args), summary)); bad += 1; continue
        for spec in b.group(2).strip().splitlines():
            m = FIG.match(spec)
            if not m:
                print("%s: cannot read %r" % (where, spec)); bad += 1; continue
            quoted, expr, row = m.groups()
            scope = [l for l in above if row in l] if row else above
            if not any(quoted in l for l in scope):
                print("%s: %r is not in the text above%s" % (where, quoted, " on the line with %r" % row if row else ""))
                bad += 1; continue
            try:
                v = value(summary, expr)
            except (KeyError, IndexError, TypeError, ValueError, SyntaxError, NameError) as e:
                print("%s: %s: %r" % (where, expr, e)); bad += 1; continue
            ok, msg = matches(quoted, v)
            checked += 1
            if not ok:
                print("%s: stale figure (%s): %s" % (where, expr, msg)); bad += 1
    return bad, checked, skipped


def main(argv):
    fast = "--fast" in argv
    files = [a for a in argv if a != "--fast"]
    cache, bad, checked, skipped = {}, 0, 0, 0
    for f in files:
        b, c, s = check(f, fast, cache)
        bad, checked, skipped = bad + b, checked + c, skipped + s
    print("doc figures: %d checked, %d wrong, %d blocks skipped (12M, make docs)" % (checked, bad, skipped))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
