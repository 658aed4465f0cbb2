/* cli: the slacksim command line. One file per subcommand
 * (cli_<name>.c defines cli_<name>_main); main.c dispatches. Every
 * subcommand turns a GError into one line on stderr and exit status 2. */
#ifndef CLI_H
#define CLI_H

#include <stdint.h>
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
int cli_size_main(int argc, char **argv);
int cli_metrics_main(int argc, char **argv);

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
/* ---- Trials: what sweep and size share (cli_sweep.c) ---- */

/* One --vary KEY=VALUES: a list "V1,V2,...", a range "LO..HI[:STEP]"
 * (step 1 by default) or a geometric range "LO..HI*FACTOR"; values in the
 * order given (ranges ascending, stopping at the last value <= HI). When
 * LO, HI (and STEP) are whole numbers the values are printed as integers
 * (a geometric range is rounded and deduplicated). Caller-allocated; clear
 * with cli_axis_clear. */
typedef struct cli_axis {
    char *key;          /* owned: the dotted scenario key */
    char **values;      /* owned: NULL-terminated, as applied with --set KEY=V */
    guint n;            /* entries of values */
} cli_axis;
gboolean cli_axis_parse(const char *spec, cli_axis *axis, GError **error);
void cli_axis_clear(cli_axis *axis);

/* One simulation and what it reports: the run of `sets` at `seed`, with
 * the first `warmup_s` simulated seconds deleted from the latency
 * histograms (0: none; CLI_WARMUP_AUTO: MSER-5 on the run's end-to-end p99
 * series, see docs/capacity.md). Caller-allocated, cleared with
 * cli_trial_clear. */
#define CLI_WARMUP_AUTO (-1.0)
typedef struct cli_trial {
    /* input */
    char **sets;              /* owned, NULL-terminated "key=value" */
    uint64_t seed;
    double warmup_s;
    /* output (cli_trials_run) */
    double *values;           /* owned: one per field; NAN where the summary has none */
    double warmup_used_s;     /* the warm-up actually deleted */
    char *error;              /* owned: why the run failed, or NULL */
} cli_trial;
void cli_trial_clear(cli_trial *t);

/* Runs `n` trials of `scenario` on `jobs` threads (and, in bin/slacksim-mpi,
 * over the MPI ranks, every rank receiving every result), reading `fields`
 * (dotted summary.json paths; a boolean reads as 0 or 1) from each
 * summary. Results are stored by index, so they do not depend on `jobs`
 * or on the number of ranks. */
void cli_trials_run(const char *scenario, const char *const *fields, guint nfields,
                    cli_trial *trials, guint n, int jobs);

/* Checks that every field names a number or a boolean in the summary of
 * `scenario` with `sets` (built, not run: a dry summary has every field a
 * run has). FALSE with a message naming the first bad one. */
gboolean cli_fields_check(const char *scenario, const char *const *sets, const char *flag,
                          const char *const *fields, guint nfields, GError **error);

/* Appends `sets` and "KEY=VALUE" for the point's values to a new
 * NULL-terminated array (owned by the caller: g_strfreev). */
char **cli_point_sets(char **sets, const cli_axis *axes, guint naxes, const guint *index);

/* --warmup: seconds >= 0 or "auto" (CLI_WARMUP_AUTO); NAN when `text` is
 * NULL (not given). */
gboolean cli_parse_warmup(const char *text, double *out, GError **error);
/* Every --vary of `vary` (NULL-terminated) into a new array of axes (caller
 * clears each and frees it, also after a failure); `npoints` is the size of
 * their grid. */
gboolean cli_parse_axes(char **vary, cli_axis **axes, guint *naxes, guint *npoints, GError **error);

/* MPI (bin/slacksim-mpi): the rank of this process (0 without MPI), and
 * the bracket around a subcommand that uses cli_trials_run. */
int  cli_mpi_rank(void);
void cli_mpi_begin(int *argc, char ***argv);
void cli_mpi_end(void);

#endif
