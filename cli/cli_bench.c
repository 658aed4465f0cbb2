/* cli_bench: `slacksim bench NAME [OPTIONS]`. Each benchmark lives in its own
 * file (bench_<name>.c) and prints key=value lines, the headline last. */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/cli_bench.h"
#include "sim/sim_error.h"

static const struct { const char *name; int (*main)(int, char **); const char *help; } benches[] = {
    { "engine", cli_bench_engine_main, "hold model on the pending-event set (holds_per_sec)" },
    { "mm1",    cli_bench_mm1_main,    "M/M/1 at rho=0.9 through the queueing station (customers_per_sec)" },
    { "peak",   cli_bench_peak_main,   "the 12M-DAU peak hour (wall seconds, peak RSS)" },
};

int cli_bench_main(int argc, char **argv)
{
    if (argc >= 2) {
        for (size_t i = 0; i < G_N_ELEMENTS(benches); i++)
            if (!strcmp(argv[1], benches[i].name)) return benches[i].main(argc - 1, argv + 1);
    }
    if (argc < 2 || (strcmp(argv[1], "--help") && strcmp(argv[1], "-h"))) {
        /* Bad input: one line, like every other subcommand. */
        if (argc < 2) fprintf(stderr, "slacksim bench: which benchmark? engine, mm1 or peak (try 'slacksim bench --help')\n");
        else {
            char *q = sim_error_quote(argv[1]);
            fprintf(stderr, "slacksim bench: unknown benchmark '%s' (engine, mm1 or peak)\n", q);
            g_free(q);
        }
        return CLI_USAGE;
    }
    printf("usage: slacksim bench NAME [OPTIONS]\n\nbenchmarks:\n");
    for (size_t i = 0; i < G_N_ELEMENTS(benches); i++)
        printf("  %-7s %s\n", benches[i].name, benches[i].help);
    return CLI_OK;
}
