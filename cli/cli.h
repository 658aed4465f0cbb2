/* cli: the slacksim command line. One file per subcommand
 * (cli_<name>.c defines cli_<name>_main); main.c dispatches. Every
 * subcommand turns a GError into one line on stderr and exit status 2. */
#ifndef CLI_H
#define CLI_H

#include <glib.h>

/* Exit statuses. */
#define CLI_OK    0
#define CLI_FAIL  1   /* the run itself failed (e.g. an SLO check asked to fail) */
#define CLI_USAGE 2   /* bad input: flags, files, scenario, bank */

int cli_run_main(int argc, char **argv);
int cli_validate_main(int argc, char **argv);
int cli_bench_main(int argc, char **argv);
int cli_viz_main(int argc, char **argv);
int cli_quiz_main(int argc, char **argv);
int cli_sweep_main(int argc, char **argv);
int cli_compare_main(int argc, char **argv);

/* Prints "slacksim <cmd>: <message>" on stderr, frees `error`, returns
 * CLI_USAGE. */
int cli_report_error(const char *cmd, GError *error);

/* Parses argv with `entries` (GOptionContext, --help included). On a bad
 * flag prints one line and returns FALSE. `params` is the positional-argument
 * synopsis ("SCENARIO"), `summary` a paragraph for --help. */
gboolean cli_parse(const char *cmd, const char *params, const char *summary,
                   const GOptionEntry *entries, int *argc, char ***argv);

#endif
