/* cli_quiz: placeholder until its issue lands. */
#include <stdio.h>
#include "cli/cli.h"

int cli_quiz_main(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "slacksim quiz: not implemented yet\n");
    return CLI_USAGE;
}
