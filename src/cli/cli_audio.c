/* cli_audio: --audio, --device, --period, --rate, --client-name,
 * --no-connect, --connect, --ports, --transport, --start-server and
 * --fallback, for every subcommand that makes sound. */
#include "cli_audio.h"

#include <string.h>

#include "base.h"

void cli_audio_from_args(const CliArgs *a, AudioOptions *o)
{
    if (a->given[CLI_OPT_AUDIO])
        o->backend = strcmp(a->text[CLI_OPT_AUDIO], "auto") ? a->text[CLI_OPT_AUDIO] : NULL;
    if (a->given[CLI_OPT_DEVICE])
        o->device = a->text[CLI_OPT_DEVICE];
    if (a->given[CLI_OPT_PERIOD])
        o->period = (uint32_t)a->number[CLI_OPT_PERIOD];
    if (a->given[CLI_OPT_RATE])
        o->rate = (uint32_t)a->number[CLI_OPT_RATE];
    if (a->given[CLI_OPT_CLIENT_NAME])
        o->client_name = a->text[CLI_OPT_CLIENT_NAME];
    if (a->given[CLI_OPT_NO_CONNECT])
        o->no_connect = true;
    if (a->given[CLI_OPT_CONNECT])
        o->connect = a->text[CLI_OPT_CONNECT];
    if (a->given[CLI_OPT_PORTS])
        o->per_channel_ports = !strcmp(a->text[CLI_OPT_PORTS], "per-channel");
    if (a->given[CLI_OPT_TRANSPORT]) {
        const char *t = a->text[CLI_OPT_TRANSPORT];
        o->transport = !strcmp(t, "follow")   ? AUDIO_TRANSPORT_FOLLOW
                       : !strcmp(t, "master") ? AUDIO_TRANSPORT_MASTER
                                              : AUDIO_TRANSPORT_NONE;
    }
    if (a->given[CLI_OPT_START_SERVER])
        o->start_server = true;
    if (a->given[CLI_OPT_FALLBACK])
        o->fall_back = true;
}

void cli_audio_usage(FILE *f)
{
    static const CliOpt AUDIO[] = {CLI_AUDIO_OPTIONS};
    cli_options_usage(f, AUDIO, HISS_ARRAY_LEN(AUDIO));
}
