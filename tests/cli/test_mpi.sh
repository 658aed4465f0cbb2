#!/bin/sh
# bin/slacksim-mpi under mpirun (2 and 3 ranks on this machine) prints the
# same bytes as the single-process bin/slacksim: a sweep over a grid with
# replications and MSER-5 warm-up, and a size search with its size.json.
# Skipped only where Open MPI is not installed (no ompi-c, no mpirun).
set -u
S=${SLACKSIM:-bin/slacksim}
M=${S}-mpi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "test_mpi: $*" >&2; exit 1; }
if ! command -v mpirun >/dev/null 2>&1 || ! pkg-config --exists ompi-c 2>/dev/null; then
  echo "test_mpi: Open MPI not installed (make deps installs it): skipped" >&2
  exit 0
fi
[ -x "$M" ] || fail "$M was not built although ompi-c is installed"
# mpirun refuses root without these; harmless otherwise.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# Open MPI's own allocations live until exit and LeakSanitizer would report
# them; slacksim's are checked by the single-process tests.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
m=scenarios/mmc_postgres.json
args="sweep $m --set duration_s=10 --vary postgres.writers=4..6 --vary kafka.partitions=1,2 --replications 3 --warmup auto \
  --field latency_ms.persist.p99 --field slo.persist_p99_ms.met"
# shellcheck disable=SC2086
"$S" $args >"$tmp/local.csv" || fail "local sweep failed"
for np in 2 3; do
  # shellcheck disable=SC2086
  mpirun --oversubscribe -np $np "$M" $args --jobs 1 >"$tmp/mpi$np.csv" 2>"$tmp/err" || fail "mpirun -np $np sweep failed: $(cat "$tmp/err")"
  cmp -s "$tmp/local.csv" "$tmp/mpi$np.csv" || fail "sweep under mpirun -np $np differs from the local run"
done
[ "$(wc -l <"$tmp/local.csv")" -eq 8 ] || fail "expected 6 rows"

sz="size $m --set duration_s=20 --slo latency_ms.persist.p99<=12 --vary postgres.writers=3..12 --replications 3"
# shellcheck disable=SC2086
"$S" $sz --out "$tmp/l" >"$tmp/size_local.txt" || fail "local size failed"
# shellcheck disable=SC2086
mpirun --oversubscribe -np 2 "$M" $sz --jobs 1 --out "$tmp/p" >"$tmp/size_mpi.txt" 2>"$tmp/err" || fail "mpirun size failed: $(cat "$tmp/err")"
cmp -s "$tmp/size_local.txt" "$tmp/size_mpi.txt" || fail "size stdout under mpirun differs"
cmp -s "$tmp/l/size.json" "$tmp/p/size.json" || fail "size.json under mpirun differs"
[ "$(tail -1 "$tmp/size_mpi.txt")" = "size: postgres.writers=5" ] || fail "mpirun size: $(tail -1 "$tmp/size_mpi.txt")"
exit 0
