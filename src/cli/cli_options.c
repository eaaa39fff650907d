#include "cli_options.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"

typedef enum {
    KIND_FLAG,   /* no value */
    KIND_TEXT,   /* any non-empty value */
    KIND_WHOLE,  /* a whole number in lo..hi */
    KIND_NUMBER, /* a decimal number above lo, at most hi */
    KIND_WORD,   /* one of `words` */
} Kind;

enum { MAX_WORDS = 6 };

typedef struct {
    const char *name; /* "--seconds" */
    char letter;      /* 's' for -s, or 0 */
    Kind kind;
    const char *value_name; /* "N", in the help */
    const char *noun;       /* "seconds", in "seconds 'x' must be ..." */
    const char *text_rule;  /* KIND_TEXT: what the value must be */
    const char *unit;       /* KIND_WHOLE/NUMBER: "Hz", "frames", "seconds" */
    double lo, hi;
    const char *words[MAX_WORDS + 1];
    const char *help;
} OptionDef;

/* The one table. The help says what the option does wherever it is
 * accepted; a subcommand's usage adds what is particular to it. */
static const OptionDef OPTIONS[CLI_OPT_COUNT] = {
    [CLI_OPT_HELP] = {"--help", 'h', KIND_FLAG, .help = "this help"},
    [CLI_OPT_QUIET] = {"--quiet", 'q', KIND_FLAG, .help = "print nothing but errors"},
    [CLI_OPT_JSON] = {"--json", 0, KIND_FLAG,
                      .help = "print the figures as one JSON object, for scripts"},
    [CLI_OPT_SECONDS] = {"--seconds", 's', KIND_NUMBER, "N", "seconds", .unit = "seconds",
                         .lo = 0, .hi = CLI_SECONDS_MAX,
                         .help = "exactly N seconds (decimals allowed), then stop"},
    [CLI_OPT_RATE] = {"--rate", 'r', KIND_WHOLE, "HZ", "rate", .unit = "Hz",
                      .lo = CLI_RATE_MIN, .hi = CLI_RATE_MAX,
                      .help = "sample rate (default 48000)"},
    [CLI_OPT_LOOP] = {"--loop", 0, KIND_FLAG,
                      .help = "at the end of the order list, start again"},
    [CLI_OPT_OUTPUT] = {"--output", 'o', KIND_TEXT, "FILE", "output",
                        .text_rule = "a file name (.wav, .flac or .aiff)",
                        .help = "the mix: FILE.wav, FILE.flac or FILE.aiff"},
    [CLI_OPT_SONG_OUTPUT] = {"--output", 'o', KIND_TEXT, "SONG.hiss", "output",
                             .text_rule = "a song file name (.hiss)",
                             .help = "the song, SONG.hiss (one there is kept as SONG.hiss~)"},
    [CLI_OPT_STEMS] = {"--stems", 0, KIND_TEXT, "DIR", "stems", .text_rule = "a directory",
                       .help = "also stereo stems into DIR: channels, sends, master"},
    [CLI_OPT_BITS] = {"--bits", 0, KIND_WORD, "16|24|32", "bits",
                      .words = {"16", "24", "32"},
                      .help = "16- or 24-bit PCM (default 24), 32 = float (.wav)"},
    [CLI_OPT_INTERP] = {"--interp", 0, KIND_WORD, "MODE", "interpolation",
                        .words = {"raw", "linear", "cubic", "sinc"},
                        .help = "raw, linear, cubic or sinc for every instrument"},
    [CLI_OPT_NO_LIMITER] = {"--no-limiter", 0, KIND_FLAG,
                            .help = "turn the master limiter off"},
    [CLI_OPT_NO_LOUDNESS] = {"--no-loudness", 0, KIND_FLAG,
                             .help = "skip the integrated loudness and range (faster)"},
    [CLI_OPT_ALLOW_MISSING] = {"--allow-missing", 0, KIND_FLAG,
                               .help = "go on when samples are missing (silent)"},
    [CLI_OPT_AUDIO] = {"--audio", 'a', KIND_WORD, "NAME", "audio backend",
                       .words = {"jack", "alsa", "null", "auto"},
                       .help = "jack, alsa, null or auto (the first that works)"},
    [CLI_OPT_DEVICE] = {"--device", 0, KIND_TEXT, "NAME", "device",
                        .text_rule = "an ALSA device name", .help = "the ALSA device"},
    [CLI_OPT_PERIOD] = {"--period", 0, KIND_WHOLE, "N", "period", .unit = "frames",
                        .lo = CLI_PERIOD_MIN, .hi = CLI_PERIOD_MAX,
                        .help = "frames per period for ALSA and null (default 256)"},
    [CLI_OPT_CLIENT_NAME] = {"--client-name", 0, KIND_TEXT, "NAME", "client name",
                             .text_rule = "a JACK client name",
                             .help = "the JACK client name (default hiss)"},
    [CLI_OPT_NO_CONNECT] = {"--no-connect", 0, KIND_FLAG,
                            .help = "connect no JACK ports (leave it to a patchbay)"},
    [CLI_OPT_CONNECT] = {"--connect", 0, KIND_TEXT, "PORT,PORT[,CH1,...]", "connect",
                         .text_rule = "JACK ports, PORT,PORT[,CH1,...]",
                         .help = "connect to these JACK ports"},
    [CLI_OPT_PORTS] = {"--ports", 0, KIND_WORD, "per-channel|stereo", "ports",
                       .words = {"per-channel", "stereo"},
                       .help = "also one JACK port per channel, or not"},
    [CLI_OPT_TRANSPORT] = {"--transport", 0, KIND_WORD, "follow|master|none", "transport",
                           .words = {"follow", "master", "none"},
                           .help = "follow JACK transport, or be its master"},
    [CLI_OPT_START_SERVER] = {"--start-server", 0, KIND_FLAG,
                              .help = "let JACK start a server when none runs"},
    [CLI_OPT_FALLBACK] = {"--fallback", 0, KIND_FLAG,
                          .help = "on losing JACK, move to ALSA or null at once"},
    [CLI_OPT_MIDI_MAP] = {"--midi-map", 0, KIND_TEXT, "M:I[:C],...", "MIDI map",
                          .text_rule = "MIDI:INSTRUMENT[:CHANNEL] entries, comma-separated",
                          .help = "MIDI channel M plays instrument I (hex) on channel C"},
    [CLI_OPT_MIDI_CHANNEL] = {"--midi-channel", 0, KIND_WHOLE, "N", "MIDI channel",
                              .unit = "song channels", .lo = 1, .hi = 64,
                              .help = "song channel other MIDI notes play on "
                                      "(default the last)"},
    [CLI_OPT_MIDI_CLOCK_IN] = {"--midi-clock-in", 0, KIND_FLAG,
                               .help = "follow the tempo of a MIDI clock on midi_in"},
    [CLI_OPT_MIDI_TRANSPORT_IN] = {"--midi-transport-in", 0, KIND_FLAG,
                                   .help = "start, stop and place playback as a MIDI "
                                           "clock on midi_in says (play waits for its "
                                           "start)"},
};

static int vusage_error(const char *prog, const char *fmt, va_list ap)
{
    char msg[512];
    /* The message quotes what was typed, which may be a file name. */
    hiss_text_vformat(msg, sizeof msg, fmt, ap);
    fprintf(stderr, "%s: %s (for usage, see %s --help)\n", prog, msg, prog);
    return CLI_EXIT_USAGE;
}

int cli_usage_error(const char *prog, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vusage_error(prog, fmt, ap);
    va_end(ap);
    return rc;
}

/* "a, b or c" */
static void list_words(const OptionDef *d, char *out, size_t size)
{
    size_t n = 0;
    while (n < MAX_WORDS && d->words[n])
        n++;
    out[0] = 0;
    for (size_t i = 0; i < n; i++) {
        size_t used = strlen(out);
        snprintf(out + used, size - used, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ",
                 d->words[i]);
    }
}

/* What a value must be, for messages: "a whole number of Hz from 8000 to
 * 192000". Made from the limits, so the text cannot drift from them. */
static void rule_of(const OptionDef *d, char *out, size_t size)
{
    switch (d->kind) {
    case KIND_FLAG: snprintf(out, size, "no value"); break;
    case KIND_TEXT: snprintf(out, size, "%s", d->text_rule); break;
    case KIND_WHOLE:
        snprintf(out, size, "a whole number of %s from %.0f to %.0f", d->unit, d->lo, d->hi);
        break;
    case KIND_NUMBER:
        snprintf(out, size, "a number of %s above %g and at most %g", d->unit, d->lo, d->hi);
        break;
    case KIND_WORD: list_words(d, out, size); break;
    }
}

/* `from` names where a value came from other than the command line (an
 * environment variable), for the message; NULL for the command line. */
static int bad_value(HissDiag *why, const char *from, const OptionDef *d, const char *value)
{
    char rule[128];
    rule_of(d, rule, sizeof rule);
    hiss_diag_printf(why, "%s%s%s '%s' must be %s", from ? from : "", from ? ": " : "",
                     d->noun, value, rule);
    return CLI_EXIT_USAGE;
}

static int store(HissDiag *why, const char *from, CliOpt opt, const char *value,
                 CliArgs *out)
{
    const OptionDef *d = &OPTIONS[opt];
    char *end;
    switch (d->kind) {
    case KIND_FLAG: break;
    case KIND_TEXT:
        if (!value[0]) {
            char rule[128];
            rule_of(d, rule, sizeof rule);
            hiss_diag_printf(why, "%s needs %s", from ? from : d->name, rule);
            return CLI_EXIT_USAGE;
        }
        break;
    case KIND_WHOLE: {
        errno = 0;
        long v = strtol(value, &end, 10);
        if (errno || end == value || *end || v < d->lo || v > d->hi)
            return bad_value(why, from, d, value);
        out->number[opt] = (double)v;
        break;
    }
    case KIND_NUMBER: {
        errno = 0;
        double v = strtod(value, &end);
        if (errno || end == value || *end || !isfinite(v) || !(v > d->lo) || v > d->hi)
            return bad_value(why, from, d, value);
        out->number[opt] = v;
        break;
    }
    case KIND_WORD: {
        int found = -1;
        for (int i = 0; i < MAX_WORDS && d->words[i] && found < 0; i++)
            if (!strcmp(value, d->words[i]))
                found = i;
        if (found < 0)
            return bad_value(why, from, d, value);
        out->choice[opt] = found;
        break;
    }
    }
    out->given[opt] = true;
    out->text[opt] = value;
    return 0;
}

/* Prints why's message the one way every usage error is printed. */
static int report(const char *prog, int rc, const HissDiag *why)
{
    if (rc)
        cli_usage_error(prog, "%s", why->text);
    return rc;
}

int cli_options_value(const char *prog, const char *from, CliOpt opt, const char *value,
                      CliArgs *out)
{
    HissDiag why = {{0}};
    return report(prog, store(&why, from, opt, value, out), &why);
}

/* The accepted option that `arg` names, and where its value starts inside
 * arg when it is written in the same word (else *inline_value = NULL). */
static int find_option(const char *arg, const CliOpt *accepted, size_t count,
                       const char **inline_value)
{
    *inline_value = NULL;
    for (size_t k = 0; k < count; k++) {
        const OptionDef *d = &OPTIONS[accepted[k]];
        if (arg[1] == '-') {
            size_t n = strlen(d->name);
            if (strncmp(arg, d->name, n) || (arg[n] && arg[n] != '='))
                continue;
            if (arg[n] == '=')
                *inline_value = arg + n + 1;
            return (int)accepted[k];
        }
        if (d->letter && arg[1] == d->letter) {
            if (arg[2])
                *inline_value = arg + 2;
            return (int)accepted[k];
        }
    }
    return -1;
}

void cli_args_free(CliArgs *args)
{
    free(args->operands);
    args->operands = NULL;
    args->operand_count = 0;
}

int cli_options_parse(const char *prog, int argc, char **argv, int first,
                      const CliOpt *accepted, size_t count, CliArgs *out)
{
    HissDiag why = {{0}};
    int rc = cli_options_check(argc, argv, first, accepted, count, out, &why);
    if (rc == CLI_EXIT_USAGE)
        return report(prog, rc, &why);
    if (rc)
        fprintf(stderr, "%s: %s\n", prog, why.text);
    return rc;
}

int cli_options_check(int argc, char **argv, int first, const CliOpt *accepted,
                      size_t count, CliArgs *out, HissDiag *why)
{
    memset(out, 0, sizeof *out);
    out->operands = calloc((size_t)(argc > 0 ? argc : 1), sizeof *out->operands);
    if (!out->operands) {
        hiss_diag_printf(why, "out of memory");
        return 1;
    }
    bool options_done = false;
    for (int i = first; i < argc; i++) {
        const char *arg = argv[i];
        if (options_done || arg[0] != '-' || !arg[1]) {
            out->operands[out->operand_count++] = arg;
            continue;
        }
        if (!strcmp(arg, "--")) {
            options_done = true;
            continue;
        }
        const char *value;
        int opt = find_option(arg, accepted, count, &value);
        if (opt < 0) {
            hiss_diag_printf(why, "unknown option '%s'", arg);
            return CLI_EXIT_USAGE;
        }
        const OptionDef *d = &OPTIONS[opt];
        if (d->kind == KIND_FLAG) {
            if (value) {
                hiss_diag_printf(why, "%s takes no value ('%s')", d->name, arg);
                return CLI_EXIT_USAGE;
            }
            out->given[opt] = true;
            continue;
        }
        if (!value) {
            /* The next word is the value even when it starts with '-', so
             * "--seconds -1" says what is wrong with -1. */
            if (i + 1 >= argc) {
                char rule[128];
                rule_of(d, rule, sizeof rule);
                hiss_diag_printf(why, "%s needs %s", arg, rule);
                return CLI_EXIT_USAGE;
            }
            value = argv[++i];
        }
        int rc = store(why, NULL, (CliOpt)opt, value, out);
        if (rc)
            return rc;
    }
    return 0;
}

const char *cli_option_name(CliOpt opt)
{
    return opt >= 0 && opt < CLI_OPT_COUNT ? OPTIONS[opt].name : "?";
}

void cli_options_usage(FILE *f, const CliOpt *accepted, size_t count)
{
    for (size_t k = 0; k < count; k++) {
        const OptionDef *d = &OPTIONS[accepted[k]];
        char left[64];
        snprintf(left, sizeof left, "%c%c%c %s%s%s", d->letter ? '-' : ' ',
                 d->letter ? d->letter : ' ', d->letter ? ',' : ' ', d->name,
                 d->value_name ? " " : "", d->value_name ? d->value_name : "");
        if (strlen(left) < 24)
            fprintf(f, "  %-24s %s\n", left, d->help);
        else
            fprintf(f, "  %s\n  %-24s %s\n", left, "", d->help);
    }
}
