/* Placeholder until the edit subcommand lands; it says so plainly. */
#include <stdio.h>

#include "cli.h"

int cli_edit(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "hiss: 'edit' is not available in this build yet\n");
    return 2;
}
