/* Placeholder until the render subcommand lands; it says so plainly. */
#include <stdio.h>

#include "cli.h"

int cli_render(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "hiss: 'render' is not available in this build yet\n");
    return 2;
}
