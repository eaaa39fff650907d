/* main: the first word picks a subcommand; everything else is theirs. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "base.h"
#include "cli.h"
#include "cli_audio.h"

static void print_help(FILE *f)
{
    fprintf(f,
            "usage: hiss [SONG] [AUDIO OPTION...]      edit SONG (a new song if omitted)\n"
            "       hiss render SONG -o OUT            render to .wav, .flac or .aiff\n"
            "       hiss play SONG [AUDIO OPTION...]   play without the editor\n"
            "       hiss convert MODULE [-o SONG.hiss] a MOD/S3M/XM/IT as a .hiss\n"
            "       hiss --recover                     list recoverable songs\n"
            "       hiss --version | --help\n"
            "audio options, for the editor and for play:\n");
    cli_audio_usage(f);
    fprintf(f, "render, play, convert and --recover take --help too. See hiss(1), and\n"
               "hiss(5) for the song format.\n");
}

int main(int argc, char **argv)
{
    /* A file-size limit must fail a write with EFBIG, not kill the process
     * mid-save. */
    signal(SIGXFSZ, SIG_IGN);
    if (argc > 1) {
        const char *cmd = argv[1];
        if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
            printf("hiss %s\n"
                   "Copyright (c) 2026 the hiss authors\n"
                   "MIT licence: free to use, change and share; no warranty.\n"
                   "See the LICENSE file for the full text.\n",
                   HISS_VERSION);
            return 0;
        }
        if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
            print_help(stdout);
            return 0;
        }
        if (!strcmp(cmd, "render"))
            return cli_render(argc - 1, argv + 1);
        if (!strcmp(cmd, "play"))
            return cli_play(argc - 1, argv + 1);
        if (!strcmp(cmd, "convert"))
            return cli_convert(argc - 1, argv + 1);
        if (!strcmp(cmd, "--recover"))
            return cli_recover(argc - 1, argv + 1);
    }
    return cli_edit(argc - 1, argv + 1);
}
