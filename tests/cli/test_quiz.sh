#!/bin/sh
# slacksim quiz on small banks written here (no model needed): exit codes,
# the exact score line, --json, reproducible --shuffle, --check on bad banks,
# interactive mode driven through a pipe, and running from another directory.
set -u
: "${SLACKSIM:=bin/slacksim}"
case $SLACKSIM in /*) ;; *) SLACKSIM=$(pwd)/$SLACKSIM ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "test_quiz: $*" >&2; fails=$((fails + 1)); }

# expect_status WANT CMD...: runs CMD, stdout to $tmp/out, stderr to $tmp/err.
expect_status() {
  want=$1; shift
  "$@" >"$tmp/out" 2>"$tmp/err"; got=$?
  [ "$got" -eq "$want" ] || fail "exit $got, wanted $want: $* ($(head -c 300 "$tmp/err"))"
}
last_line_is() { [ "$(tail -n 1 "$tmp/out")" = "$1" ] || fail "last line '$(tail -n 1 "$tmp/out")', wanted '$1'"; }
err_has() { grep -qF -- "$1" "$tmp/err" || fail "stderr lacks '$1': $(cat "$tmp/err")"; }
out_has() { grep -qF -- "$1" "$tmp/out" || fail "stdout lacks '$1'"; }

mkdir -p "$tmp/proj/quiz" "$tmp/proj/scenarios"
echo '{}' > "$tmp/proj/scenarios/s.json"
bank=$tmp/proj/quiz/b.json
# Answers in bank order: 2, 1, 3, and 400000 (within 2%).
cat > "$bank" <<'EOF'
{"title": "Test bank", "questions": [
 {"id": "a", "topic": "Alpha", "question": "A?", "options": ["a1", "a2", "a3", "a4"], "answer": 2,
  "explanation": "because a2", "demo": "viz:fanout"},
 {"id": "b", "topic": "Beta", "question": "B?", "options": ["b1", "b2"], "answer": 1,
  "explanation": "because b1", "demo": "scenarios/s.json"},
 {"id": "c", "topic": "Alpha", "question": "C?", "options": ["c1", "c2", "c3"], "answer": 3,
  "explanation": "because c3"},
 {"id": "n", "topic": "Numbers", "question": "12M / 30?",
  "numeric": {"value": 400000, "tolerance": 0.02, "unit": "SETEX/s"},
  "explanation": "{value} per second", "demo": "viz:dashboard"}
]}
EOF

# --help
expect_status 0 "$SLACKSIM" quiz --help
out_has "--answers"

# Scripted answers score exactly.
expect_status 0 "$SLACKSIM" quiz "$bank" --answers 2,1,3,400k
last_line_is "score=4/4"
expect_status 0 "$SLACKSIM" quiz "$bank" --answers 1,2,1,12M
last_line_is "score=0/4"
out_has "  - Alpha"
expect_status 0 "$SLACKSIM" quiz "$bank" --answers 2,2,-,405000
last_line_is "score=2/4"
out_has "Beta"

# Bad --answers: wrong count, out-of-range option, not a number.
expect_status 2 "$SLACKSIM" quiz "$bank" --answers 2,1
err_has "--answers gives 2 answers; the quiz has 4 questions"
expect_status 2 "$SLACKSIM" quiz "$bank" --answers 2,1,4,400000
err_has "question 3 wants an option number 1-3, got '4'"
expect_status 2 "$SLACKSIM" quiz "$bank" --answers 2,1,3,lots
err_has "question 4 wants a number"
[ "$(wc -l < "$tmp/err")" -eq 1 ] || fail "a bad flag should give one line on stderr"
expect_status 2 "$SLACKSIM" quiz "$bank" --seed x --shuffle --answers 2,1,3,1
err_has "--seed wants a non-negative integer"
expect_status 2 "$SLACKSIM" quiz "$bank" "$bank"

# --topic and --first pick questions; answers follow the questions asked.
expect_status 0 "$SLACKSIM" quiz "$bank" --topic alpha --answers 2,3
last_line_is "score=2/2"
expect_status 0 "$SLACKSIM" quiz "$bank" --topic ALPHA --first 1 --answers 2
last_line_is "score=1/1"
expect_status 0 "$SLACKSIM" quiz "$bank" --first 2 --answers 2,1
last_line_is "score=2/2"
expect_status 2 "$SLACKSIM" quiz "$bank" --topic gamma --answers 1
err_has "no question matches --topic 'gamma'; topics: 'Alpha', 'Beta', 'Numbers'"
expect_status 2 "$SLACKSIM" quiz "$bank" --first -2

# --retry: a saved --json run; only its missed questions are asked again.
"$SLACKSIM" quiz "$bank" --answers 2,2,1,400000 --json > "$tmp/results.json" || fail "--json run failed"
expect_status 0 "$SLACKSIM" quiz "$bank" --retry "$tmp/results.json" --answers 1,3
last_line_is "score=2/2"
out_has "1. right b"
"$SLACKSIM" quiz "$bank" --answers 2,1,3,400000 --json > "$tmp/results.json"
expect_status 2 "$SLACKSIM" quiz "$bank" --retry "$tmp/results.json"
err_has "nothing to retry"
expect_status 2 "$SLACKSIM" quiz "$bank" --retry "$tmp/nothing.json"
err_has "nothing.json: cannot read the results"

# --json: the results, nothing else on stdout.
expect_status 0 "$SLACKSIM" quiz "$bank" --answers 2,1,1,400000 --json
out_has '"score":	3'
out_has '"total":	4'
[ "$(head -c 1 "$tmp/out")" = "{" ] || fail "--json output does not start with {"

# --shuffle --seed N: the seed is printed, the same seed shows the same
# order, and the right answers (read from --json) score full marks.
expect_status 0 "$SLACKSIM" quiz "$bank" --shuffle --seed 7 --answers -,-,-,-
[ "$(head -n 1 "$tmp/out")" = "seed=7" ] || fail "--shuffle does not print its seed first"
cp "$tmp/out" "$tmp/shuffle1"
expect_status 0 "$SLACKSIM" quiz "$bank" --shuffle --seed 7 --answers -,-,-,-
cmp -s "$tmp/out" "$tmp/shuffle1" || fail "--shuffle --seed 7 is not reproducible"
expect_status 0 "$SLACKSIM" quiz "$bank" --shuffle --seed 7 --answers -,-,-,- --json
right=$(grep -o '"correct":[[:space:]]*[0-9]*' "$tmp/out" | grep -o '[0-9]*$' | tr '\n' ',')
[ "$(printf %s "$right" | tr -cd , | wc -c)" -eq 3 ] || fail "expected 3 choice answers in --json, got '$right'"
expect_status 0 "$SLACKSIM" quiz "$bank" --shuffle --seed 7 --answers "${right}400000"
last_line_is "score=4/4"
# Some seed must move an answer away from its bank position.
moved=0
for seed in 1 2 3 4 5 6 7 8; do
  "$SLACKSIM" quiz "$bank" --shuffle --seed $seed --answers 2,1,3,400000 > "$tmp/out" 2>/dev/null
  [ "$(tail -n 1 "$tmp/out")" = "score=4/4" ] || moved=1
done
[ "$moved" -eq 1 ] || fail "--shuffle never changed the option order over 8 seeds"
# Unseeded shuffles still print a seed to replay them with.
expect_status 0 "$SLACKSIM" quiz "$bank" --shuffle --answers -,-,-,-
head -n 1 "$tmp/out" | grep -q '^seed=[0-9][0-9]*$' || fail "unseeded --shuffle prints no seed"

# --check: a sound bank passes; a bad one lists every problem with where.
expect_status 0 "$SLACKSIM" quiz --check "$bank"
out_has "4 questions, no problems"
cat > "$tmp/bad.json" <<'EOF'
{"questions": [
 {"id": "a", "question": "A?", "options": ["x", "y"], "answer": 1, "explanation": "E"},
 {"id": "a", "question": "B?", "options": ["x"], "answer": 3, "explanation": ""},
 {"id": "d", "question": "D?", "options": ["x", "y"], "answer": 1, "explanation": "E", "demo": "viz:nowhere"},
 {"id": "e", "question": "E?", "options": ["x", "y"], "explanation": "E", "demo": "scenarios/missing.json"}
]}
EOF
expect_status 2 "$SLACKSIM" quiz --check "$tmp/bad.json"
err_has "bad.json:3: question 'a' (#2): empty \"explanation\""
err_has "bad.json:3: question 'a' (#2): 1 option; a question needs at least 2"
err_has "bad.json:3: question 'a' (#2): answer 3 is out of range (options 1-1)"
err_has "bad.json:3: question 'a' (#2): duplicate id (first used by question #1)"
err_has "bad.json:4: question 'd' (#3): unknown demo scene 'viz:nowhere'"
err_has "bad.json:5: question 'e' (#4): missing \"answer\""
err_has "bad.json:5: question 'e' (#4): unknown demo 'scenarios/missing.json'"
err_has "bad.json: 7 problems"
# ... and the other modes refuse it with one line.
expect_status 2 "$SLACKSIM" quiz "$tmp/bad.json" --answers 1,1,1,1
[ "$(wc -l < "$tmp/err")" -eq 1 ] || fail "a bad bank should give one line on stderr"
err_has "and 6 more problems"
expect_status 2 sh -c "echo 1 | '$SLACKSIM' quiz '$tmp/bad.json'"
printf '{"questions": [\n  {"id": "a"}\n  {"id": "b"}\n]}\n' > "$tmp/broken.json"
expect_status 2 "$SLACKSIM" quiz --check "$tmp/broken.json"
err_has "broken.json:3:3: malformed JSON"
expect_status 2 "$SLACKSIM" quiz --check "$tmp/none.json"
err_has "none.json: no such quiz bank"

# Interactive, answers piped on stdin; bad input is asked again.
printf '2\n\nseven\n1\n3\n400,000\n' | "$SLACKSIM" quiz "$bank" > "$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] || fail "interactive quiz failed: $(cat "$tmp/err")"
last_line_is "score=4/4"
out_has "Question 4/4"
out_has "Right: 400,000 SETEX/s"
out_has "because c3"
out_has "Show me: slacksim viz --scene fanout"
out_has "Nothing to review."
printf '1\n' | "$SLACKSIM" quiz "$bank" > "$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] || fail "EOF in interactive mode should end cleanly"
out_has "(end of input)"
out_has "Not quite. The answer is 2) a2"
last_line_is "score=0/1"
printf '2\nq\n' | "$SLACKSIM" quiz "$bank" > "$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] || fail "q should end the quiz cleanly"
last_line_is "score=1/1"
"$SLACKSIM" quiz "$bank" < /dev/null > "$tmp/out" 2>"$tmp/err" || fail "empty stdin should end cleanly"
last_line_is "score=0/0"
# --json in interactive mode: the conversation on stderr, JSON on stdout.
printf '2\n1\n3\n400000\n' | "$SLACKSIM" quiz "$bank" --json > "$tmp/out" 2>"$tmp/err"
out_has '"score":	4'
grep -q "Question 1/4" "$tmp/err" || fail "--json interactive: questions should go to stderr"

# From another directory: links resolve against the bank's project.
(cd / && "$SLACKSIM" quiz --check "$bank") > "$tmp/out" 2>"$tmp/err" || fail "check from / failed: $(cat "$tmp/err")"
(cd / && "$SLACKSIM" quiz "$bank" --answers 2,1,3,400000) > "$tmp/out" 2>"$tmp/err"
last_line_is "score=4/4"

[ "$fails" -eq 0 ]
