/* cli_validate: placeholder until its issue lands. */
#include <stdio.h>
#include "cli/cli.h"

int cli_validate_main(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "slacksim validate: not implemented yet\n");
    return CLI_USAGE;
}
