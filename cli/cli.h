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

/* Signals: blocks SIGINT/SIGTERM in every thread (call first in main) and
 * starts the thread that takes them: it removes every live stage and exits
 * 130 (SIGINT) or 143 (SIGTERM). */
void cli_signals_init(void);

/* An output set staged beside its target (cli_stage.c says how). */
typedef struct cli_stage cli_stage;
/* Free space a stage needs before a run starts: output sets are kilobytes
 * to a few megabytes. */
#define CLI_STAGE_MIN_FREE ((unsigned long long)16 << 20)
/* Makes a stage for the directory `target` ("out/"): checks that the target
 * is a directory or absent, writable, with CLI_STAGE_MIN_FREE bytes free.
 * Messages say "TARGET: cannot create WHAT: reason". Free with
 * cli_stage_free, which removes what was not committed. */
cli_stage *cli_stage_new(const char *target, const char *what, GError **error);
const char *cli_stage_path(const cli_stage *sg);   /* borrowed */
/* Writes one file of the set (fflush, fsync, fclose all checked); messages
 * name target/name, not the stage. */
gboolean cli_stage_write(cli_stage *sg, const char *name, const char *data, size_t len, GError **error);
/* Before a run: FALSE if one of `names` (NULL-terminated) is taken in the
 * existing target by something that is not a regular file. */
gboolean cli_stage_check_names(const cli_stage *sg, const char *const *names, GError **error);
/* FALSE if committing would fail half-way (a directory in the way). */
gboolean cli_stage_check(const cli_stage *sg, GError **error);
/* Moves the set to the target. A target that did not exist appears in one
 * rename; into an existing directory the files are renamed one by one after
 * every name was checked (cli_stage_check), so only an I/O error of the
 * file system itself can stop it between two files. */
gboolean cli_stage_commit(cli_stage *sg, GError **error);
void cli_stage_free(cli_stage *sg);                 /* NULL is a no-op */
/* Rewrites the stage's path into the target's in a message from a writer
 * that was given the stage (viz). */
void cli_stage_fix_error(const cli_stage *sg, GError *error);

#endif
