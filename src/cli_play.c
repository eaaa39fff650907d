/* Placeholder until the play subcommand lands; it says so plainly. */
#include <stdio.h>

#include "cli.h"

int cli_play(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "hiss: 'play' is not available in this build yet\n");
    return 2;
}
