#!/bin/sh
# slacksim bench mm1: key=value lines with customers_per_sec last, the seed
# printed, the same seed giving the same simulated figures, bad flags exiting
# 2 with one line on stderr. (Speed is judged by bench/run_mm1.sh, not here.)
set -u
: "${SLACKSIM:=bin/slacksim}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "test_bench_mm1: $*" >&2; fails=$((fails + 1)); }

"$SLACKSIM" bench mm1 --customers 20000 --seed 7 >"$tmp/a" 2>"$tmp/err" || fail "exit $? ($(cat "$tmp/err"))"
tail -n 1 "$tmp/a" | grep -q '^customers_per_sec=[0-9][0-9]*$' || fail "last line: $(tail -n 1 "$tmp/a")"
grep -q '^seed=7$' "$tmp/a" || fail "seed not printed"
grep -q '^customers=20000$' "$tmp/a" || fail "customers not 20000"
grep -q '^mean_system_time=[0-9.]*$' "$tmp/a" || fail "no mean_system_time"
grep -q '^theory_mean_system_time=10.0000$' "$tmp/a" || fail "no theory line"
"$SLACKSIM" bench mm1 --customers 20000 --seed 7 >"$tmp/b" 2>/dev/null
# Everything but wall-clock figures is reproducible.
strip() { grep -v -e '^wall_s=' -e '^cpu_s=' -e '^customers_per_sec=' "$1"; }
[ "$(strip "$tmp/a")" = "$(strip "$tmp/b")" ] || fail "same seed, different figures"
"$SLACKSIM" bench mm1 --customers 20000 --seed 8 >"$tmp/c" 2>/dev/null
[ "$(grep mean_system_time= "$tmp/a")" != "$(grep mean_system_time= "$tmp/c")" ] || fail "seed ignored"

for bad in "--customers 0" "--customers x" "--seed -1" "--bogus" "extra"; do
  # shellcheck disable=SC2086
  "$SLACKSIM" bench mm1 $bad >/dev/null 2>"$tmp/err"; st=$?
  [ "$st" -eq 2 ] || fail "'$bad': exit $st, wanted 2"
  [ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "'$bad': stderr not one line: $(cat "$tmp/err")"
done
"$SLACKSIM" bench mm1 --help >/dev/null 2>&1 || fail "--help failed"

[ "$fails" -eq 0 ]
