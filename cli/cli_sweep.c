/* cli_sweep: placeholder until its issue lands. */
#include <stdio.h>
#include "cli/cli.h"

int cli_sweep_main(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "slacksim sweep: not implemented yet\n");
    return CLI_USAGE;
}
