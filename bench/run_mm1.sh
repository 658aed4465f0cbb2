#!/bin/sh
# M/M/1 at rho = 0.9, side by side: slacksim's queueing station against
# SimPy on the same model (bench/mm1_simpy.py), in one run on one machine.
# Prints both benchmarks' key=value lines, then the ratio. Repeats each
# REPEAT times and keeps the best, since a shared machine is noisy.
#
#   sh bench/run_mm1.sh [CUSTOMERS [SIMPY_CUSTOMERS [REPEAT]]]
#
# Environment: SLACKSIM (binary, default bin/slacksim), PYTHON (an
# interpreter that has SimPy; default /usr/bin/python3, where Debian's
# python3-simpy lives), SEED (default 1).
set -eu
: "${SLACKSIM:=bin/slacksim}"
: "${PYTHON:=/usr/bin/python3}"
: "${SEED:=1}"
N=${1:-10000000}
NPY=${2:-200000}
REPEAT=${3:-3}
dir=$(dirname "$0")

best() { # best customers_per_sec over REPEAT runs of "$@"; prints the best run's lines
  bestv=0; bestout=""
  i=0
  while [ "$i" -lt "$REPEAT" ]; do
    out=$("$@")
    v=$(printf '%s\n' "$out" | sed -n 's/^customers_per_sec=//p')
    if [ "$(echo "$v > $bestv" | awk '{ print ($1 > $3) }')" = 1 ]; then bestv=$v; bestout=$out; fi
    i=$((i + 1))
  done
  printf '%s\n' "$bestout"
}

echo "# machine: $(nproc) cores, $(uname -sr), $(date -u +%Y-%m-%dT%H:%MZ); best of $REPEAT runs each"
echo "# slacksim bench mm1 --customers $N --seed $SEED"
c=$(best "$SLACKSIM" bench mm1 --customers "$N" --seed "$SEED")
printf '%s\n' "$c"
echo "# $PYTHON $dir/mm1_simpy.py --customers $NPY --seed $SEED"
p=$(best "$PYTHON" "$dir/mm1_simpy.py" --customers "$NPY" --seed "$SEED")
printf '%s\n' "$p"
cv=$(printf '%s\n' "$c" | sed -n 's/^customers_per_sec=//p')
pv=$(printf '%s\n' "$p" | sed -n 's/^customers_per_sec=//p')
awk -v c="$cv" -v p="$pv" 'BEGIN { printf "speedup_vs_simpy=%.1f\n", c / p }'
