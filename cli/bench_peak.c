/* bench_peak: placeholder until implemented. */
#include <stdio.h>
#include "cli/cli.h"
#include "cli/cli_bench.h"

int cli_bench_peak_main(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "slacksim bench peak: not implemented yet\n");
    return CLI_USAGE;
}
