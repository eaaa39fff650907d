/* cli_edit: `hiss [SONG] [audio options]`, the editor. The audio options
 * are those of `hiss play` (cli_audio.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_audio.h"
#include "ui_app.h"

static const CliOpt EDIT_OPTIONS[] = {CLI_AUDIO_OPTIONS, CLI_OPT_MIDI_MAP, CLI_OPT_HELP};

static void usage(FILE *f)
{
    fprintf(f, "usage: hiss [SONG] [options]\n");
    cli_options_usage(f, EDIT_OPTIONS, HISS_ARRAY_LEN(EDIT_OPTIONS));
    fprintf(f,
            "Opens SONG in the editor (a new song when omitted; a SONG that does\n"
            "not exist yet is created on the first save). HISS_AUDIO picks the\n"
            "audio backend too. Keys: press ? inside, or see hiss(1).\n");
}

/* 0 = parsed, -1 = help shown, else the exit status. */
static int parse_args(int argc, char **argv, UiOptions *opts)
{
    CliArgs a;
    int rc = cli_options_parse("hiss", argc, argv, 0, EDIT_OPTIONS,
                               HISS_ARRAY_LEN(EDIT_OPTIONS), &a);
    /* The command line wins over the environment. */
    const char *env = getenv("HISS_AUDIO");
    if (!rc && !a.given[CLI_OPT_AUDIO] && env && env[0])
        rc = cli_options_value("hiss", "HISS_AUDIO", CLI_OPT_AUDIO, env, &a);
    if (!rc && a.given[CLI_OPT_HELP]) {
        usage(stdout);
        rc = -1;
    } else if (!rc && a.operand_count > 1) {
        rc = cli_usage_error("hiss", "one song at a time ('%s' and '%s')", a.operands[0],
                             a.operands[1]);
    }
    if (!rc) {
        opts->path = a.operand_count ? a.operands[0] : NULL;
        cli_audio_from_args(&a, &opts->audio);
        HissDiag why = {{0}};
        if (midi_map_parse(a.given[CLI_OPT_MIDI_MAP] ? a.text[CLI_OPT_MIDI_MAP] : "",
                           &opts->midi_map, &why))
            rc = cli_usage_error("hiss", "%s", why.text);
    }
    cli_args_free(&a);
    return rc;
}

int cli_edit(int argc, char **argv)
{
    UiOptions opts;
    memset(&opts, 0, sizeof opts);
    int rc = parse_args(argc, argv, &opts);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "hiss: the editor needs a terminal "
                        "(try 'hiss play' or 'hiss render')\n");
        return 2;
    }
    return ui_run(&opts);
}
