/* bench_engine: placeholder until implemented. */
#include <stdio.h>
#include "cli/cli.h"
#include "cli/cli_bench.h"

int cli_bench_engine_main(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "slacksim bench engine: not implemented yet\n");
    return CLI_USAGE;
}
