/* cli_audio: --audio, --device, --client-name, --no-connect, --connect,
 * --ports, --transport, --period, --rate, --start-server and --fallback,
 * for every
 * subcommand that makes sound. */
#include "cli_audio.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool parse_uint(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v < lo || v > hi)
        return false;
    *out = (uint32_t)v;
    return true;
}

/* Whether `arg` is `name` alone or `name=VALUE` (then *inline_val is set). */
static bool option_is(const char *arg, const char *name, const char **inline_val)
{
    size_t n = strlen(name);
    if (strncmp(arg, name, n))
        return false;
    if (arg[n] == '\0') {
        *inline_val = NULL;
        return true;
    }
    if (arg[n] == '=') {
        *inline_val = arg + n + 1;
        return true;
    }
    return false;
}

static int bad(const char *prog, const char *msg)
{
    fprintf(stderr, "%s: %s\n", prog, msg);
    return -1;
}

int cli_audio_option(const char *prog, int argc, char **argv, int i, AudioOptions *o)
{
    const char *arg = argv[i];
    const char *val = NULL;
    if (!strcmp(arg, "--no-connect")) {
        o->no_connect = true;
        return 1;
    }
    if (!strcmp(arg, "--start-server")) {
        o->start_server = true;
        return 1;
    }
    if (!strcmp(arg, "--fallback")) {
        o->fall_back = true;
        return 1;
    }
    static const char *const with_value[] = {
        "--audio", "-a", "--device", "--client-name", "--connect",
        "--ports", "--transport", "--period", "--rate",
    };
    const char *name = NULL;
    for (size_t k = 0; k < HISS_ARRAY_LEN(with_value) && !name; k++)
        if (option_is(arg, with_value[k], &val))
            name = with_value[k];
    if (!name)
        return 0;
    int used = 1;
    if (!val) {
        if (i + 1 >= argc) {
            fprintf(stderr, "%s: %s needs a value\n", prog, arg);
            return -1;
        }
        val = argv[i + 1];
        used = 2;
    }
    if (!strcmp(name, "--audio") || !strcmp(name, "-a")) {
        if (strcmp(val, "jack") && strcmp(val, "alsa") && strcmp(val, "null") &&
            strcmp(val, "auto"))
            return bad(prog, "--audio is jack, alsa, null or auto");
        o->backend = strcmp(val, "auto") ? val : NULL;
    } else if (!strcmp(name, "--device")) {
        o->device = val;
    } else if (!strcmp(name, "--client-name")) {
        if (!val[0])
            return bad(prog, "--client-name wants a name");
        o->client_name = val;
    } else if (!strcmp(name, "--connect")) {
        o->connect = val;
    } else if (!strcmp(name, "--ports")) {
        if (strcmp(val, "per-channel") && strcmp(val, "stereo"))
            return bad(prog, "--ports is per-channel or stereo");
        o->per_channel_ports = !strcmp(val, "per-channel");
    } else if (!strcmp(name, "--transport")) {
        if (!strcmp(val, "follow"))
            o->transport = AUDIO_TRANSPORT_FOLLOW;
        else if (!strcmp(val, "master"))
            o->transport = AUDIO_TRANSPORT_MASTER;
        else if (!strcmp(val, "none"))
            o->transport = AUDIO_TRANSPORT_NONE;
        else
            return bad(prog, "--transport is follow, master or none");
    } else if (!strcmp(name, "--period")) {
        if (!parse_uint(val, 16, 8192, &o->period))
            return bad(prog, "--period is 16..8192 frames");
    } else if (!strcmp(name, "--rate")) {
        if (!parse_uint(val, 8000, 192000, &o->rate))
            return bad(prog, "--rate is 8000..192000 Hz");
    }
    return used;
}

void cli_audio_usage(FILE *f, const char *indent)
{
    fprintf(f,
            "%s[--audio jack|alsa|null|auto] [--device NAME] [--period N] [--rate N]\n"
            "%s[--client-name NAME] [--no-connect] [--connect PORT,PORT[,CH1,...]]\n"
            "%s[--ports per-channel] [--transport follow|master] [--start-server]\n"
            "%s[--fallback]\n",
            indent, indent, indent, indent);
}
