/* cli_edit: `hiss [SONG] [audio options]`, the editor. The audio options
 * are those of `hiss play` (cli_audio.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_audio.h"
#include "ui_app.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: hiss [SONG]\n");
    cli_audio_usage(f, "         ");
    fprintf(f,
            "Opens SONG in the editor (a new song when omitted; a SONG that does\n"
            "not exist yet is created on the first save). HISS_AUDIO picks the\n"
            "audio backend too. Keys: press ? inside, or see hiss(1).\n");
}

int cli_edit(int argc, char **argv)
{
    UiOptions opts;
    memset(&opts, 0, sizeof opts);
    const char *env = getenv("HISS_AUDIO");
    if (env && env[0]) {
        char *fake[] = {"--audio", (char *)env};
        if (cli_audio_option("hiss: HISS_AUDIO", 2, fake, 0, &opts.audio) < 0)
            return 2;
    }
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int used = cli_audio_option("hiss", argc, argv, i, &opts.audio);
        if (used < 0)
            return 2;
        if (used > 0) {
            i += used - 1;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "hiss: unknown option '%s'\n", a);
            usage(stderr);
            return 2;
        } else if (!opts.path) {
            opts.path = a;
        } else {
            fprintf(stderr, "hiss: one song at a time ('%s' and '%s')\n",
                    opts.path, a);
            return 2;
        }
    }
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "hiss: the editor needs a terminal "
                        "(try 'hiss play' or 'hiss render')\n");
        return 2;
    }
    return ui_run(&opts);
}
