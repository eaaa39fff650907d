/* cli_audio: the audio options `hiss play` and the editor share (defined
 * in cli_options.c's table), turned into AudioOptions in one place so both
 * take the same words. */
#ifndef HISS_CLI_AUDIO_H
#define HISS_CLI_AUDIO_H

#include <stdio.h>

#include "audio.h"
#include "cli_options.h"

/* For a subcommand's list of accepted options. */
#define CLI_AUDIO_OPTIONS                                                       \
    CLI_OPT_AUDIO, CLI_OPT_DEVICE, CLI_OPT_PERIOD, CLI_OPT_RATE,                \
        CLI_OPT_CLIENT_NAME, CLI_OPT_NO_CONNECT, CLI_OPT_CONNECT, CLI_OPT_PORTS, \
        CLI_OPT_TRANSPORT, CLI_OPT_START_SERVER, CLI_OPT_FALLBACK

/* The audio options that were given, into *o (strings point into argv). */
void cli_audio_from_args(const CliArgs *args, AudioOptions *o);

/* The options above, one line each, for a usage text. */
void cli_audio_usage(FILE *f);

#endif
