/* Placeholder until the recover subcommand lands; it says so plainly. */
#include <stdio.h>

#include "cli.h"

int cli_recover(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "hiss: 'recover' is not available in this build yet\n");
    return 2;
}
