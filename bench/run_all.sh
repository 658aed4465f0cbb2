#!/bin/sh
# `make bench`: every benchmark of docs/performance.md, one after another, on
# this machine. Installs SimPy (Debian's python3-simpy) for the M/M/1
# comparison if it is missing. Figures go to stdout; compare them with
# docs/performance.md. Run it on a quiet machine: each benchmark keeps the
# best of a few repeats, but a busy machine still lowers every figure.
# CIMBA=path/to/MM1_single adds the Cimba comparison, FULL_DAY=1 the
# 24-hour run (about 8 minutes).
set -eu
cd "$(dirname "$0")/.."
if ! /usr/bin/python3 -c 'import simpy' 2>/dev/null; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get install -y -qq python3-simpy >/dev/null
fi
echo "== engine: hold model vs std::priority_queue (bench/run_engine.sh)"
sh bench/run_engine.sh
echo "== M/M/1 through the queueing station vs SimPy (bench/run_mm1.sh)"
sh bench/run_mm1.sh
if [ -n "${CIMBA:-}" ]; then
  echo "== M/M/1, whole process, vs Cimba's MM1_single (bench/run_cimba.sh; CIMBA=$CIMBA)"
  sh bench/run_cimba.sh
else
  echo "== M/M/1 vs Cimba: skipped (set CIMBA to Cimba's MM1_single; docs/performance.md says how to build it)"
fi
echo "== the 12M-DAU peak hour (slacksim bench peak)"
bin/slacksim bench peak
if [ -n "${FULL_DAY:-}" ]; then
  echo "== a full day at 12M (slacksim bench peak --scenario scenarios/full_day_12m.json)"
  bin/slacksim bench peak --scenario scenarios/full_day_12m.json
fi
echo "== visualizer frame time at 500 members (slacksim viz --bench)"
bin/slacksim viz --bench --frames 300
