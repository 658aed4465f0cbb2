#!/bin/sh
# The shipped bank with the real model: --check passes from any directory
# (so every demo link resolves and every numeric field exists in today's
# summary.json), its right answers score full marks, all-wrong scores zero,
# and the seed's five questions come first.
set -u
: "${SLACKSIM:=bin/slacksim}"
case $SLACKSIM in /*) ;; *) SLACKSIM=$(pwd)/$SLACKSIM ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "test_quiz_bank: $*" >&2; fails=$((fails + 1)); }

bank=$(pwd)/quiz/design-slack.json   # tests/run_scripts.sh runs from the project root
# A binary inside this checkout finds the default bank from any directory.
case $SLACKSIM in
  "$(pwd)"/*) (cd "$tmp" && "$SLACKSIM" quiz --check) > "$tmp/out" 2> "$tmp/err" \
                || fail "the default bank fails --check from $tmp: $(cat "$tmp/err")" ;;
esac
(cd "$tmp" && "$SLACKSIM" quiz --check "$bank") > "$tmp/out" 2> "$tmp/err" \
  || fail "the shipped bank fails --check: $(cat "$tmp/err")"
grep -q "questions, no problems" "$tmp/out" || fail "no check summary"
n=$(sed -n 's/.*: \([0-9]*\) questions, no problems/\1/p' "$tmp/out")
[ "${n:-0}" -ge 20 ] || fail "the bank has ${n:-0} questions, wanted at least 20"

# Read the right answers from --json: "correct" (shown option) for choice
# questions, "value" for numeric ones, in bank order.
skip=$(awk -v n="$n" 'BEGIN { for (i = 1; i <= n; i++) printf "%s-", (i > 1 ? "," : "") }')
(cd / && "$SLACKSIM" quiz "$bank" --json --answers "$skip") > "$tmp/json" 2> "$tmp/err" \
  || fail "--json failed: $(cat "$tmp/err")"
right=$(grep -E '^[[:space:]]*"(correct|value)":' "$tmp/json" | sed 's/.*:[[:space:]]*//; s/,$//' | paste -sd, -)
[ "$(printf '%s\n' "$right" | awk -F, '{ print NF }')" -eq "$n" ] || fail "expected $n answers in --json, got '$right'"
(cd / && "$SLACKSIM" quiz "$bank" --answers "$right") > "$tmp/out" 2> "$tmp/err" || fail "scripted run failed: $(cat "$tmp/err")"
[ "$(tail -n 1 "$tmp/out")" = "score=$n/$n" ] || fail "right answers scored '$(tail -n 1 "$tmp/out")', wanted score=$n/$n"

# The same with shuffled options: answers follow the shown order.
"$SLACKSIM" quiz "$bank" --shuffle --seed 2024 --json --answers "$skip" > "$tmp/json"
right=$(grep -E '^[[:space:]]*"(correct|value)":' "$tmp/json" | sed 's/.*:[[:space:]]*//; s/,$//' | paste -sd, -)
"$SLACKSIM" quiz "$bank" --shuffle --seed 2024 --answers "$right" > "$tmp/out"
[ "$(tail -n 1 "$tmp/out")" = "score=$n/$n" ] || fail "shuffled right answers scored '$(tail -n 1 "$tmp/out")'"

# All skipped: zero, every topic to review.
"$SLACKSIM" quiz "$bank" --answers "$skip" > "$tmp/out"
[ "$(tail -n 1 "$tmp/out")" = "score=0/$n" ] || fail "skipping everything scored '$(tail -n 1 "$tmp/out")'"

# The seed's first question opens the interactive quiz.
printf '' | "$SLACKSIM" quiz "$bank" > "$tmp/out" 2>&1 || fail "interactive mode on empty input failed"
grep -q "Slack uses WebSocket for message delivery because:" "$tmp/out" || fail "the seed's question 1 is not first"

[ "$fails" -eq 0 ]
