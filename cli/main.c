/* slacksim: dispatches to a subcommand. The simulator is a library; this
 * file and its siblings are only the command-line face of it. */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/cli_calibrate.h"
#include "sim/sim_error.h"

typedef struct {
    const char *name;
    int (*main)(int argc, char **argv);
    const char *help;
} cli_command;

static const cli_command commands[] = {
    { "run",      cli_run_main,      "simulate a scenario and report" },
    { "validate", cli_validate_main, "check a scenario without running it" },
    { "bench",    cli_bench_main,    "benchmarks: engine, mm1, peak" },
    { "viz",      cli_viz_main,      "the visualizer (window or headless frames)" },
    { "quiz",     cli_quiz_main,     "the Design Slack quiz" },
    { "sweep",    cli_sweep_main,    "run a scenario over a range of one parameter" },
    { "compare",  cli_compare_main,  "run two designs side by side, differences with 95% CIs" },
    { "calibrate", cli_calibrate_main, "measure a real Redis or PostgreSQL into a scenario fragment" },
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
