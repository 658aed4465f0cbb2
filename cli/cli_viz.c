/* cli_viz: placeholder until its issue lands. */
#include <stdio.h>
#include "cli/cli.h"

int cli_viz_main(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "slacksim viz: not implemented yet\n");
    return CLI_USAGE;
}
