/* bench_mm1: placeholder until implemented. */
#include <stdio.h>
#include "cli/cli.h"
#include "cli/cli_bench.h"

int cli_bench_mm1_main(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "slacksim bench mm1: not implemented yet\n");
    return CLI_USAGE;
}
