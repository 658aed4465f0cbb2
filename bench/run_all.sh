#!/bin/sh
# `make bench`: every benchmark of docs/performance.md, one after another, on
# this machine. Installs SimPy (Debian's python3-simpy) for the M/M/1
# comparison if it is missing. Figures go to stdout; compare them with
# docs/performance.md. Run it on a quiet machine: each benchmark keeps the
# best of a few repeats, but a busy machine still lowers every figure.
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
echo "== the 12M-DAU peak hour (slacksim bench peak)"
bin/slacksim bench peak
echo "== visualizer frame time at 500 members (slacksim viz --bench)"
bin/slacksim viz --bench --frames 300
