/* cli_edit: `hiss [SONG] [--audio BACKEND]`, the editor. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "ui_app.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: hiss [SONG] [--audio jack|alsa|null]\n"
            "Opens SONG in the editor (a new song when omitted; a SONG that does\n"
            "not exist yet is created on the first save). HISS_AUDIO picks the\n"
            "audio backend too. Keys: press ? inside, or see hiss(1).\n");
}

int cli_edit(int argc, char **argv)
{
    UiOptions opts = {NULL, NULL};
    const char *env = getenv("HISS_AUDIO");
    if (env && env[0])
        opts.backend = env;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--audio") || !strcmp(a, "-a")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "hiss: %s needs a backend name\n", a);
                return 2;
            }
            opts.backend = argv[++i];
        } else if (!strncmp(a, "--audio=", 8)) {
            opts.backend = a + 8;
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
    if (opts.backend && strcmp(opts.backend, "jack") &&
        strcmp(opts.backend, "alsa") && strcmp(opts.backend, "null") &&
        strcmp(opts.backend, "auto")) {
        fprintf(stderr, "hiss: unknown audio backend '%s' (jack, alsa, null)\n",
                opts.backend);
        return 2;
    }
    if (opts.backend && !strcmp(opts.backend, "auto"))
        opts.backend = NULL;
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "hiss: the editor needs a terminal "
                        "(try 'hiss play' or 'hiss render')\n");
        return 2;
    }
    return ui_run(&opts);
}
