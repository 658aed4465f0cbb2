/* cli_run: placeholder until its issue lands. */
#include <stdio.h>
#include "cli/cli.h"

int cli_run_main(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "slacksim run: not implemented yet\n");
    return CLI_USAGE;
}
