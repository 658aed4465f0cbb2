#!/bin/sh
# M/M/1 at rho = 0.9, 1M customers, whole process, side by side: slacksim's
# `bench mm1` (the queueing station) against Cimba 3.0's
# benchmark/MM1_single (coroutines and a hash-heap; the same model: arrival
# rate 0.9, service rate 1, one million objects). Runs alternate, REPEAT
# (default 5) of each; prints every run and the medians' ratio.
#
#   CIMBA=/path/to/cimba-build/benchmark/MM1_single sh bench/run_cimba.sh [REPEAT]
#
# Cimba is a benchmark-only baseline, built outside the project from its
# source (github.com/ambonvik/cimba); docs/performance.md gives the commit
# and the commands. Whole-process time includes each program's start-up:
# the dynamic loader's work for slacksim's libraries (GLib, cJSON, cairo,
# Pango; the lean bin/slacksim leaves out SDL2 and the server clients) is
# part of what a user waits for.
set -eu
cd "$(dirname "$0")/.."
: "${CIMBA:?set CIMBA to Cimba's MM1_single binary (see docs/performance.md)}"
: "${SLACKSIM:=bin/slacksim}"
REPEAT=${1:-5}
[ -x "$CIMBA" ] || { echo "run_cimba.sh: $CIMBA: not an executable" >&2; exit 2; }
[ -x "$SLACKSIM" ] || make --no-print-directory build >/dev/null

wall() { # seconds of wall time of "$@", output discarded
  s=$(date +%s.%N)
  "$@" >/dev/null 2>&1
  e=$(date +%s.%N)
  awk -v s="$s" -v e="$e" 'BEGIN { printf "%.4f\n", e - s }'
}
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

echo "# M/M/1 rho 0.9, 1M customers, whole process; $REPEAT alternate runs each; $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
i=0
while [ "$i" -lt "$REPEAT" ]; do
  a=$(wall "$SLACKSIM" bench mm1 --customers 1000000 --seed 1)
  b=$(wall "$CIMBA")
  echo "run $i slacksim_s=$a cimba_s=$b"
  echo "$a" >> "$tmp/slacksim"
  echo "$b" >> "$tmp/cimba"
  i=$((i + 1))
done
ms=$(median < "$tmp/slacksim")
mc=$(median < "$tmp/cimba")
echo "median slacksim_s=$ms cimba_s=$mc"
awk -v s="$ms" -v c="$mc" 'BEGIN { printf "speedup_vs_cimba=%.2f\n", c / s }'
