#!/bin/sh
# One key, one definition: every key the model reads (`validate --keys`,
# from the same tables that read them) has a row in the docs' key tables,
# and every documented key is read; where a row's default is a plain
# number or word, it is the table's default (`validate --print-defaults`).
set -u
: "${SLACKSIM:=bin/slacksim}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$SLACKSIM" validate --keys > "$tmp/keys" || { echo "validate --keys failed"; exit 1; }
"$SLACKSIM" validate --print-defaults > "$tmp/defaults.json" || { echo "validate --print-defaults failed"; exit 1; }
python3 - "$tmp/keys" "$tmp/defaults.json" docs/scenarios.md docs/presence.md docs/search-and-files.md <<'PY'
import json, re, sys
keys = [l.split("\t")[0] for l in open(sys.argv[1]) if l.strip()]
defaults = json.load(open(sys.argv[2]))
documented = {}          # key -> default cell

def rows(text):
    for line in text.splitlines():
        if line.startswith("| `"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            yield re.findall(r"`([^`]+)`", cells[0]), cells[2] if len(cells) > 2 else ""

def section_docs(path, head, prefix_of):
    prefix = None
    for line in open(path).read().splitlines():
        m = re.match(head, line)
        if m:
            prefix = prefix_of(m)
            continue
        if line.startswith("## ") or (line.startswith("### ") and head.startswith("^###")):
            prefix = None
        if prefix is None or not line.startswith("| `"):
            continue
        for names, dflt in rows(line):
            for n in names:
                documented[(prefix + "." if prefix else "") + n] = dflt if len(names) == 1 else ""

# docs/scenarios.md: "## Run" (top level) and "## `section`"
section_docs(sys.argv[3], r"^## (?:Run$|`(\w+)`$)", lambda m: m.group(1) or "")
# docs/presence.md: full paths in its "### `redis`" / "### `presence`" tables
section_docs(sys.argv[4], r"^### `(redis|presence)`$", lambda m: "")
# docs/search-and-files.md: "### \"search\"" / "### \"files\"" under "## Scenario keys"
text = open(sys.argv[5]).read()
text = text[text.index("## Scenario keys"):text.index("## Output")]
prefix = None
for line in text.splitlines():
    m = re.match(r'^### `"(\w+)"`', line)
    if m: prefix = m.group(1); continue
    if prefix and line.startswith("| `"):
        for names, dflt in rows(line):
            for n in names: documented[prefix + "." + n] = dflt if len(names) == 1 else ""

def default_of(path):
    node = defaults
    for seg in path.split("."):
        node = node[seg]
    return node

fail = 0
for k in keys:
    if k not in documented:
        print("read but not documented: " + k); fail = 1
        continue
    cell = documented[k].strip('`"')
    v = default_of(k)
    if isinstance(v, bool):
        if cell in ("true", "false") and cell != str(v).lower():
            print(f"{k}: documented default {cell}, read default {v}"); fail = 1
    elif isinstance(v, (int, float)) and re.fullmatch(r"-?[0-9.e+-]+", cell):
        if abs(float(cell) - v) > 1e-12 * max(1, abs(v)):
            print(f"{k}: documented default {cell}, read default {v}"); fail = 1
    elif isinstance(v, str) and re.fullmatch(r"\w+", cell) and cell != v:
        print(f"{k}: documented default {cell}, read default {v}"); fail = 1
for k in documented:
    if k not in keys:
        print("documented but not read: " + k); fail = 1
if len(keys) < 100:
    print(f"only {len(keys)} keys listed"); fail = 1
sys.exit(fail)
PY
