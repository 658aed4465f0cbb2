#!/bin/sh
# Bad input through every subcommand (run, validate, sweep, bench engine/mm1/
# peak, viz --headless, quiz incl. --check): exit status 2, exactly one line
# on stderr naming what (and where), nothing on stdout, no output file left.
# Scenario-file problems for run/validate are in test_validate_bad_input.sh;
# this script covers the flags and the other subcommands.
set -u
: "${SLACKSIM:=bin/slacksim}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# bad NAME PATTERN ARGS...: the command must fail cleanly, stderr matching PATTERN.
bad() {
  name=$1; pattern=$2; shift 2
  "$SLACKSIM" "$@" >"$tmp/stdout" 2>"$tmp/stderr"
  rc=$?
  lines=$(wc -l <"$tmp/stderr")
  if [ "$rc" -ne 2 ]; then echo "$name: exit $rc, want 2 ($*)"; fail=1; fi
  if [ "$lines" -ne 1 ]; then echo "$name: $lines stderr lines, want 1:"; cat "$tmp/stderr"; fail=1; fi
  if ! grep -q -- "$pattern" "$tmp/stderr"; then echo "$name: stderr lacks '$pattern':"; cat "$tmp/stderr"; fail=1; fi
  if [ -s "$tmp/stdout" ]; then echo "$name: wrote to stdout"; fail=1; fi
}

printf '{ "duration_s": 1,\n  "workload": { "users": 100 \n}' >"$tmp/malformed.json"
printf '{ "gateways": { "cont": 3 } }\n' >"$tmp/unknown.json"
printf '{ "gateways": { "count": "four" } }\n' >"$tmp/type.json"
printf '{ "workload": { "rate_per_sec": -5 } }\n' >"$tmp/negative.json"
printf '{ "gateways": { "count": 0 } }\n' >"$tmp/zero.json"
printf '{ "workload": { "users": 100000, "online_fraction": 1 },\n  "gateways": { "count": 2, "max_connections": 1000 } }\n' >"$tmp/full.json"
printf '{ "duration_s": -3 }\n' >"$tmp/durneg.json"
printf '{ "duration_s": 0 }\n' >"$tmp/dur0.json"
printf '{ "duration_s": 1, "workload": { "users": 50 } }\n' >"$tmp/good.json"
echo x >"$tmp/afile"
g="$tmp/good.json"

# The scenario-taking subcommands share the loader: every one of them must
# refuse every bad file the same way.
for cmd in "sweep --vary=interval_s=0.5,1" "bench peak --scenario" "viz --headless --out $tmp/frames --scenario"; do
  set -- $cmd
  label=$1
  bad "$label/missing" "no-such.json: No such file" "$@" "$tmp/no-such.json"
  bad "$label/malformed" "malformed.json:3:2" "$@" "$tmp/malformed.json"
  bad "$label/unknown" "did you mean 'gateways.count'" "$@" "$tmp/unknown.json"
  bad "$label/type" "gateways.count: expected a number" "$@" "$tmp/type.json"
  bad "$label/negative" "workload.rate_per_sec must be >= 0" "$@" "$tmp/negative.json"
  bad "$label/zero_gateways" "gateways.count must be >= 1" "$@" "$tmp/zero.json"
  bad "$label/too_many_connections" "exceed gateways.count x gateways.max_connections" "$@" "$tmp/full.json"
  bad "$label/duration_negative" "duration_s must be >= 0.001" "$@" "$tmp/durneg.json"
  bad "$label/seed_garbage" "seed" "$@" "$g" --seed=abc
  bad "$label/seed_negative" "seed must be >= 0" "$@" "$g" --seed=-1
  bad "$label/set_no_equals" "expected KEY=VALUE" "$@" "$g" --set foo
  bad "$label/set_unknown" "did you mean 'gateways.count'" "$@" "$g" --set gateways.cuont=3
  bad "$label/set_bad_value" "gateways.count: expected a number" "$@" "$g" --set gateways.count=x
  bad "$label/unknown_flag" "Unknown option --bogus" "$@" "$g" --bogus
done
# sweep and bench peak run the scenario as given: duration 0 is refused.
bad sweep/duration_zero "duration_s must be >= 0.001" sweep --vary=gateways.count=1,2 "$tmp/dur0.json"
bad bench_peak/duration_zero "duration_s must be >= 0.001" bench peak --scenario "$tmp/dur0.json"
[ -e "$tmp/frames" ] && { echo "viz: left a frames directory after bad input"; fail=1; }

# run: the flags
# 1e9 users need ~45 GiB: refused by validation, not by an aborting allocation
bad validate/too_big "more than this machine" validate "$g" --set workload.users=1000000000 --set gateways.count=20000
bad run/seed_negative "seed must be >= 0" run "$g" --seed=-1 -q
bad run/seed_garbage "for --seed" run "$g" --seed=1.5 -q
bad run/duration_zero "duration must be >= 0.001" run "$g" --duration=0 -q
bad run/duration_negative "duration must be >= 0.001" run "$g" --duration=-1 -q
bad run/duration_nan "duration must be >= 0.001" run "$g" --duration=nan -q
bad run/duration_garbage "for --duration" run "$g" --duration=abc -q
bad run/out_unwritable "/proc/x: cannot create the output directory" run "$g" --out=/proc/x -q
bad run/out_is_a_file "afile: cannot create the output directory" run "$g" --out="$tmp/afile" -q
bad run/plots_unwritable "/proc/x: cannot create the plots directory" run "$g" --out="$tmp/o1" --plots=/proc/x -q
[ -e "$tmp/o1/summary.json" ] && { echo "run: a bad --plots left summary.json behind"; fail=1; }
bad run/no_scenario "expected one SCENARIO" run
bad run/two_scenarios "expected one SCENARIO" run "$g" "$g"
bad run/directory "Is a directory" run "$tmp"
bad validate/no_scenario "expected one SCENARIO" validate

# sweep: its own flags
bad sweep/no_vary "--vary needs KEY=V1,V2" sweep "$g"
bad sweep/vary_no_values "--vary needs KEY=V1,V2" sweep "$g" --vary=gateways.count=
bad sweep/vary_unknown "did you mean 'gateways.count'" sweep "$g" --vary=gateways.cuont=1,2
bad sweep/vary_bad_value "gateways.count must be >= 1" sweep "$g" --vary=gateways.count=0,-2
bad sweep/field_unknown "not a numeric field of summary.json" sweep "$g" --vary=gateways.count=1,2 --field=nope.x
bad sweep/replications_zero "replications must be 1..1000" sweep "$g" --vary=gateways.count=1,2 --replications=0
bad sweep/vary_seed "seed cannot be set or varied as a key" sweep "$g" --vary=seed=1,2,3
bad sweep/set_seed "seed cannot be set or varied as a key" sweep "$g" --vary=gateways.count=1,2 --set seed=4
bad sweep/jobs_zero "jobs must be 1..256, got 0" sweep "$g" --vary=gateways.count=1,2 --jobs=0

# bench
bad bench/no_name "which benchmark" bench
bad bench/unknown_name "unknown benchmark 'nope'" bench nope
bad bench_peak/extra_argument "unexpected argument 'extra'" bench peak --scenario "$g" extra
bad bench_engine/pending_zero "pending: 0" bench engine -n 0
bad bench_engine/holds_zero "holds: 0 must be >= 1" bench engine -m 0
bad bench_engine/seed_negative "seed: -1 must be >= 0" bench engine -s -1
bad bench_engine/seed_garbage "for -s" bench engine -s abc
bad bench_engine/extra_argument "unexpected argument" bench engine extra
bad bench_engine/structure "is not ladder or heap" bench engine --direct --structure=nope
bad bench_mm1/customers_zero "customers must be >= 1" bench mm1 -n 0
bad bench_mm1/seed_negative "seed: expected a whole number >= 0" bench mm1 -s -1
bad bench_mm1/extra_argument "unexpected argument" bench mm1 extra

# viz (headless: no display needed)
bad viz/extra_argument "unexpected argument 'x'" viz --headless x
bad viz/size "--size: expected WxH" viz --headless --size=abc
bad viz/size_range "is outside 320x240" viz --headless --size=0x0
bad viz/frames "--frames must be >= 0" viz --headless --frames=-1
bad viz/fps "--fps > 0" viz --headless --fps=0
bad viz/speed "--speed and --quit-after must be >= 0" viz --headless --speed=-1
bad viz/quit_after "--speed and --quit-after must be >= 0" viz --headless --quit-after=-2
bad viz/scale "--scale: must be between" viz --headless --scale=0
bad viz/scene "unknown scene 'nope'" viz --headless --scene=nope
bad viz/out_unwritable "/proc/x: cannot create directory" viz --headless --out=/proc/x
bad viz/out_is_a_file "afile: cannot create directory" viz --headless --out="$tmp/afile"
bad viz/screenshot_unwritable "/proc/x/a.png: cannot write: no such directory" viz --headless --screenshot=/proc/x/a.png
bad viz/screenshot_type "unknown file type" viz --headless --screenshot="$tmp/a.bmp"
bad viz/svg_unwritable "/proc/x/a.svg: cannot write" viz --svg=/proc/x/a.svg
[ -e "$tmp/a.bmp" ] && { echo "viz: wrote a screenshot of unknown type"; fail=1; }

# quiz
bad quiz/missing_bank "no such quiz bank" quiz "$tmp/no-such.json"
bad quiz/malformed_bank "malformed.json:3:2" quiz "$tmp/malformed.json" -a 1
bad quiz/check_missing "no such quiz bank" quiz --check "$tmp/no-such.json"
bad quiz/two_banks "one BANK at most" quiz a b
bad quiz/seed_garbage "--seed wants a non-negative integer" quiz --shuffle --seed=abc -a 1
bad quiz/seed_negative "--seed wants a non-negative integer" quiz --shuffle --seed=-1 -a 1
bad quiz/first_zero "--first wants a positive number" quiz --first=0 -a 1
bad quiz/first_negative "--first wants a positive number" quiz --first=-1 -a 1
bad quiz/answers_count "--answers gives 1 answer" quiz -a 1
bad quiz/topic "no question matches --topic" quiz --topic=zzzz -a 1
bad quiz/retry_missing "cannot read the results" quiz --retry="$tmp/no-such.json" -a 1
bad quiz/retry_not_results "not quiz results" quiz --retry="$tmp/good.json" -a 1
# --check lists every problem, one per line, then a count line.
"$SLACKSIM" quiz --check "$tmp/malformed.json" >/dev/null 2>"$tmp/stderr"
rc=$?
[ "$rc" -eq 2 ] || { echo "quiz --check malformed: exit $rc, want 2"; fail=1; }
grep -q "malformed.json:3:2" "$tmp/stderr" || { echo "quiz --check malformed: no location:"; cat "$tmp/stderr"; fail=1; }

# the top level
bad main/unknown_command "unknown command 'nope'" nope
exit $fail
