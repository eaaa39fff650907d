/* cli_options: the one option parser and the one table of options for every
 * subcommand. An option is defined once (its names, its value and its
 * limits), so it is spelled, checked and described the same wherever it is
 * accepted: `--name VALUE`, `--name=VALUE`, and for options with a letter
 * `-x VALUE` and `-xVALUE`. `--` ends the options. */
#ifndef HISS_CLI_OPTIONS_H
#define HISS_CLI_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "base.h"

enum {
    CLI_EXIT_USAGE = 2,   /* what every subcommand returns for a bad command line */
    CLI_RATE_MIN = 8000,  /* --rate, for render and for a device alike */
    CLI_RATE_MAX = 192000,
    CLI_RATE_DEFAULT = 48000,
    CLI_SECONDS_MAX = 20 * 60, /* --seconds: keeps a render's WAV under 4 GiB */
    CLI_PERIOD_MIN = 16,
    CLI_PERIOD_MAX = 8192,
};

typedef enum {
    CLI_OPT_HELP,
    CLI_OPT_QUIET,
    CLI_OPT_SECONDS,
    CLI_OPT_RATE,
    CLI_OPT_LOOP,
    /* render */
    CLI_OPT_OUTPUT,
    CLI_OPT_STEMS,
    CLI_OPT_BITS,
    CLI_OPT_INTERP,
    CLI_OPT_NO_LIMITER,
    CLI_OPT_NO_LOUDNESS,
    CLI_OPT_ALLOW_MISSING,
    CLI_OPT_JSON,
    /* audio: play and the editor */
    CLI_OPT_AUDIO,
    CLI_OPT_DEVICE,
    CLI_OPT_PERIOD,
    CLI_OPT_CLIENT_NAME,
    CLI_OPT_NO_CONNECT,
    CLI_OPT_CONNECT,
    CLI_OPT_PORTS,
    CLI_OPT_TRANSPORT,
    CLI_OPT_START_SERVER,
    CLI_OPT_FALLBACK,
    /* MIDI input: play and the editor */
    CLI_OPT_MIDI_MAP,
    CLI_OPT_MIDI_CHANNEL,
    /* MIDI clock in: play */
    CLI_OPT_MIDI_CLOCK_IN,
    CLI_OPT_MIDI_TRANSPORT_IN,
    /* convert: -o names the song, not a mix */
    CLI_OPT_SONG_OUTPUT,
    CLI_OPT_COUNT
} CliOpt;

/* What a command line said. Strings point into argv. */
typedef struct {
    bool given[CLI_OPT_COUNT];
    const char *text[CLI_OPT_COUNT]; /* the value as written */
    double number[CLI_OPT_COUNT];    /* for numeric options */
    int choice[CLI_OPT_COUNT];       /* for options that take one of a few
                                        words: its index, in the order of
                                        the option's help */
    const char **operands;           /* the words that are not options */
    int operand_count;
} CliArgs;

/* Parses argv[first..argc-1] for the subcommand `prog` ("hiss render"),
 * which takes the `count` options in `accepted`. A later option overrides
 * an earlier one. Returns 0, or CLI_EXIT_USAGE after one line on stderr:
 * "PROG: what is wrong (for usage, see PROG --help)". cli_args_free()
 * in both cases. */
int cli_options_parse(const char *prog, int argc, char **argv, int first,
                      const CliOpt *accepted, size_t count, CliArgs *out);
/* The same without printing: why gets the message (no "PROG: " before
 * it); 1 when out of memory. */
int cli_options_check(int argc, char **argv, int first, const CliOpt *accepted,
                      size_t count, CliArgs *out, HissDiag *why);
/* Checks one value as if given with the option, for an environment
 * variable that stands for it (`from`, named in the message); same return
 * and message as above. */
int cli_options_value(const char *prog, const char *from, CliOpt opt, const char *value,
                      CliArgs *out);
void cli_args_free(CliArgs *args);

/* "PROG: message (for usage, see PROG --help)" on stderr; returns
 * CLI_EXIT_USAGE. For what the table cannot check (operands, option
 * pairs). */
int cli_usage_error(const char *prog, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* "--seconds": the option's long name. */
const char *cli_option_name(CliOpt opt);

/* One line per option, "  -s, --seconds N    what it does". */
void cli_options_usage(FILE *f, const CliOpt *accepted, size_t count);

#endif
