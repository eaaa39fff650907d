/* cli_audio: the audio options `hiss play` and the editor share, parsed
 * and described in one place so both take the same words. */
#ifndef HISS_CLI_AUDIO_H
#define HISS_CLI_AUDIO_H

#include <stdio.h>

#include "audio.h"

/* Looks at argv[i] (the value, if the option takes one, is argv[i + 1] or
 * follows '=' in the same word). Returns how many words it took (1 or 2),
 * 0 when argv[i] is not an audio option, or -1 after printing
 * "PROG: message" on stderr for a bad or missing value. Strings stored in
 * *o point into argv. */
int cli_audio_option(const char *prog, int argc, char **argv, int i, AudioOptions *o);

/* The options above, for a usage text: lines starting with `indent`. */
void cli_audio_usage(FILE *f, const char *indent);

#endif
