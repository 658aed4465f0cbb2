#!/bin/sh
# The hold-model benchmark side by side with the std::priority_queue baseline
# (bench/hold_baseline.cc, g++ -O2), at 1e3, 1e5, 1e6 and 1e7 pending events,
# with the two event-set candidates of docs/engine.md driven directly.
# Each pair runs back to back, best of $REPEAT (default 3) for each, so both
# see the same machine load. Usage: sh bench/run_engine.sh [HOLDS]
set -eu
cd "$(dirname "$0")/.."
HOLDS=${1:-20000000}
REPEAT=${REPEAT:-3}
SIZES=${SIZES:-"1000 100000 1000000 10000000"}
mkdir -p build
if [ ! -x build/hold_baseline ] || [ bench/hold_baseline.cc -nt build/hold_baseline ]; then
  g++ -O2 -o build/hold_baseline bench/hold_baseline.cc
fi
[ -x bin/slacksim ] || make --no-print-directory build >/dev/null
# A private copy, so a rebuild during the run cannot swap the binary.
cp bin/slacksim build/slacksim.bench-engine
SIM=./build/slacksim.bench-engine

best() { # best holds/s of REPEAT runs of "$@" (last field of the last line)
  b=0
  i=0
  while [ $i -lt "$REPEAT" ]; do
    v=$("$@" | tail -n 1 | sed 's/.*[= ]//')
    b=$(awk -v a="$b" -v v="$v" 'BEGIN { print (v > a) ? v : a }')
    i=$((i + 1))
  done
  echo "$b"
}

echo "# hold model: pop the earliest event, push it back at now + Exp(mean 1 s)"
echo "# holds per size: $HOLDS (1e7 pending: $((HOLDS / 4))); best of $REPEAT; $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-10s %16s %16s %16s %16s %8s\n" pending slacksim_engine ladder_direct bheap_direct std_pq_baseline ratio
for n in $SIZES; do
  h=$HOLDS
  [ "$n" -ge 10000000 ] && h=$((HOLDS / 4))
  e=$(best $SIM bench engine --pending "$n" --holds "$h")
  d=$(best $SIM bench engine --pending "$n" --holds "$h" --direct)
  b=$(best $SIM bench engine --pending "$n" --holds "$h" --direct --structure=heap)
  p=$(best ./build/hold_baseline "$n" "$h")
  printf "%-10s %16.0f %16.0f %16.0f %16.0f %7.2fx\n" "$n" "$e" "$d" "$b" "$p" "$(awk -v e="$e" -v p="$p" 'BEGIN { print e / p }')"
done
echo "# holds/s. slacksim_engine: through sim_after + handler dispatch (the headline);"
echo "# ladder_direct / bheap_direct: the event set / a binary heap driven directly;"
echo "# ratio = slacksim_engine / std_pq_baseline"
