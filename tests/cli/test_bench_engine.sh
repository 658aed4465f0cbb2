#!/bin/sh
# slacksim bench engine: key=value lines ending in holds_per_sec, the seed
# printed, bad flags exiting 2 with one line on stderr. (Speed is judged by
# bench/run_engine.sh, not here.)
set -u
S=${SLACKSIM:-bin/slacksim}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "test_bench_engine: $*" >&2; exit 1; }

"$S" bench engine --pending 1000 --holds 20000 --seed 5 >"$tmp/a" 2>"$tmp/err" || fail "exit $? ($(cat "$tmp/err"))"
tail -n 1 "$tmp/a" | grep -q '^holds_per_sec=[0-9][0-9.]*$' || fail "last line: $(tail -n 1 "$tmp/a")"
grep -q '^seed=5$' "$tmp/a" || fail "seed not printed"
grep -q '^pending=1000$' "$tmp/a" || fail "pending not printed"
for bad in "--pending 0" "--holds x" "--bogus" "extra"; do
  # shellcheck disable=SC2086
  "$S" bench engine $bad >/dev/null 2>"$tmp/err"; st=$?
  [ "$st" -eq 2 ] || fail "'$bad': exit $st, wanted 2"
  [ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "'$bad': stderr not one line: $(cat "$tmp/err")"
done
"$S" bench engine --help >/dev/null 2>&1 || fail "--help failed"
exit 0
