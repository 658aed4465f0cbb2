/* slacksim: dispatches to a subcommand. The simulator is a library; this
 * file and its siblings are only the command-line face of it.
 *
 * Compiled twice. bin/slacksim-full (SLACKSIM_FULL) runs every command
 * itself. bin/slacksim (and bin/slacksim-mpi) leave out `viz` and
 * `calibrate`, whose SDL2 window and Redis/PostgreSQL clients would load
 * ~60 more shared libraries into every run, and hand those two commands to
 * the slacksim-full next to them (docs/performance.md, start-up time). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"
#include "cli/cli_calibrate.h"
#include "sim/sim_error.h"

#ifdef SLACKSIM_FULL
#define VIZ_MAIN       cli_viz_main
#define CALIBRATE_MAIN cli_calibrate_main
#else
#define VIZ_MAIN       delegate_main
#define CALIBRATE_MAIN delegate_main

/* Replaces this process with slacksim-full from this binary's directory,
 * same arguments; argv[0] is the command. Returns only if it cannot. */
static int delegate_main(int argc, char **argv)
{
    g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
    g_autofree char *dir = self ? g_path_get_dirname(self) : g_strdup(".");
    g_autofree char *full = g_build_filename(dir, "slacksim-full", NULL);
    char **args = g_new0(char *, (size_t)argc + 2);
    args[0] = full;
    memcpy(args + 1, argv, (size_t)argc * sizeof *argv);
    fflush(NULL);
    execv(full, args);
    int err = errno;
    g_free(args);
    char *q = sim_error_quote(full);
    fprintf(stderr, "slacksim %s: cannot run '%s': %s (make build puts it next to slacksim)\n",
            argv[0], q, g_strerror(err));
    g_free(q);
    return CLI_USAGE;
}
#endif

typedef struct {
    const char *name;
    int (*main)(int argc, char **argv);
    const char *help;
} cli_command;

static const cli_command commands[] = {
    { "run",      cli_run_main,      "simulate a scenario and report" },
    { "validate", cli_validate_main, "check a scenario without running it" },
    { "bench",    cli_bench_main,    "benchmarks: engine, mm1, peak" },
    { "viz",      VIZ_MAIN,          "the visualizer (window or headless frames)" },
    { "quiz",     cli_quiz_main,     "the Design Slack quiz" },
    { "sweep",    cli_sweep_main,    "run a scenario over a range of one parameter" },
    { "compare",  cli_compare_main,  "run two designs side by side, differences with 95% CIs" },
    { "calibrate", CALIBRATE_MAIN, "measure a real Redis or PostgreSQL into a scenario fragment" },
    { "size",     cli_size_main,     "the smallest configuration that meets every SLO" },
    { "metrics",  cli_metrics_main,  "the registry of every figure slacksim shows (docs/output.md)" },
};

static void usage(FILE *out)
{
    fprintf(out, "usage: slacksim COMMAND [OPTIONS]\n\ncommands:\n");
    for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
        fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].help);
    fprintf(out, "\n'slacksim COMMAND --help' describes each command.\n");
}

int main(int argc, char **argv)
{
    /* The locale is set where arguments are converted (cli_parse). */
    cli_signals_init();
    if (argc < 2) { usage(stderr); return CLI_USAGE; }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return CLI_OK;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].main(argc - 1, argv + 1);
    char *q = sim_error_quote(argv[1]);
    GString *names = g_string_new(NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
        g_string_append_printf(names, "%s%s", i ? ", " : "", commands[i].name);
    fprintf(stderr, "slacksim: COMMAND: unknown command '%s' (one of %s; try 'slacksim --help')\n", q, names->str);
    g_string_free(names, TRUE);
    g_free(q);
    return CLI_USAGE;
}
