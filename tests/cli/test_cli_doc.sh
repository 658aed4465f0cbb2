#!/bin/sh
# docs/cli.md documents every subcommand and every flag `--help` lists: a new
# flag without a line in docs/cli.md fails here.
set -u
: "${SLACKSIM:=bin/slacksim}"
doc=docs/cli.md
fail=0
[ -r "$doc" ] || { echo "no $doc (run from the project directory)"; exit 1; }
for cmd in run validate sweep size compare metrics viz quiz calibrate "bench engine" "bench mm1" "bench peak"; do
  # shellcheck disable=SC2086
  grep -q "^## \`${cmd%% *}\`" "$doc" || { echo "$doc: no section for '$cmd'"; fail=1; }
  flags=$("$SLACKSIM" $cmd --help | grep -o -- '--[a-z][a-z-]*' | sort -u)
  [ -n "$flags" ] || { echo "$cmd --help lists no flags"; fail=1; }
  for f in $flags; do
    [ "$f" = --help ] && continue
    grep -q -- "\`$f" "$doc" || { echo "$doc: '$cmd $f' is not documented"; fail=1; }
  done
done
exit $fail
