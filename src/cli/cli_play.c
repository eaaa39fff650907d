/* hiss play: plays a song without the editor, until it ends, the time given
 * with --seconds runs out, or Ctrl-C. This thread owns the song, the engine
 * and the audio backend: it loads, starts, polls, reconnects and rebuilds,
 * while the backend's thread only renders. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audio.h"
#include "cli.h"
#include "cli_audio.h"
#include "engine.h"
#include "signals.h"
#include "songio.h"

typedef struct {
    const char *song_path;
    double seconds; /* 0 = until the end */
    bool loop;
    bool quiet;
    AudioOptions audio;
} PlayArgs;

typedef struct {
    PlayArgs args;
    Audio *audio;
    Song *song;
    Engine *engine;
    uint32_t engine_rate;   /* the rate the engine and samples are built for */
    double seconds_before;  /* played by engines already retired, each at its rate */
    bool status_line;       /* stdout is a terminal */
    bool line_dirty;
} Player;

static const CliOpt PLAY_OPTIONS[] = {
    CLI_OPT_SECONDS, CLI_OPT_LOOP, CLI_OPT_QUIET, CLI_AUDIO_OPTIONS, CLI_OPT_HELP,
};

static void play_usage(FILE *f)
{
    fprintf(f, "usage: hiss play SONG [options]\n");
    cli_options_usage(f, PLAY_OPTIONS, HISS_ARRAY_LEN(PLAY_OPTIONS));
}

/* 0 = parsed, -1 = help shown, else the exit status. */
static int parse_args(int argc, char **argv, PlayArgs *p)
{
    memset(p, 0, sizeof *p);
    CliArgs a;
    int rc = cli_options_parse("hiss play", argc, argv, 1, PLAY_OPTIONS,
                               HISS_ARRAY_LEN(PLAY_OPTIONS), &a);
    if (!rc && a.given[CLI_OPT_HELP]) {
        play_usage(stdout);
        rc = -1;
    } else if (!rc && a.operand_count != 1) {
        rc = a.operand_count ? cli_usage_error("hiss play", "one song at a time ('%s')",
                                               a.operands[1])
                             : cli_usage_error("hiss play", "no song given");
    }
    if (!rc) {
        p->song_path = a.operands[0];
        p->seconds = a.given[CLI_OPT_SECONDS] ? a.number[CLI_OPT_SECONDS] : 0;
        p->loop = a.given[CLI_OPT_LOOP];
        p->quiet = a.given[CLI_OPT_QUIET];
        cli_audio_from_args(&a, &p->audio);
    }
    cli_args_free(&a);
    return rc;
}

static void sleep_ms(int ms)
{
    struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* Messages go to stderr on a line of their own, even when the status line
 * is showing on the terminal. */
static void play_say(Player *pl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void play_say(Player *pl, const char *fmt, ...)
{
    if (pl->line_dirty) {
        fputs("\r\033[K", stdout);
        fflush(stdout);
        pl->line_dirty = false;
    }
    va_list ap;
    va_start(ap, fmt);
    fputs("hiss: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* Seconds played so far. Each engine's frames count at the rate it was
 * built for: after a rate change, frames at the new rate are not the same
 * length as the old ones. */
static double play_seconds(const Player *pl)
{
    double now = pl->engine && pl->engine_rate
                     ? (double)atomic_load(&engine_status(pl->engine)->frames_rendered) /
                           pl->engine_rate
                     : 0;
    return pl->seconds_before + now;
}

static void play_status_line(Player *pl)
{
    const EngineStatus *st = engine_status(pl->engine);
    double secs = play_seconds(pl);
    /* Peaks are "since last read": reading resets them for the next line. */
    uint32_t pl_milli = atomic_exchange((_Atomic uint32_t *)&st->peak_left_milli, 0);
    uint32_t pr_milli = atomic_exchange((_Atomic uint32_t *)&st->peak_right_milli, 0);
    char bars[2][11];
    uint32_t peaks[2] = {pl_milli, pr_milli};
    for (int s = 0; s < 2; s++) {
        int n = (int)(peaks[s] / 100);
        for (int i = 0; i < 10; i++)
            bars[s][i] = i < n ? '#' : '-';
        bars[s][10] = '\0';
    }
    const char *state = audio_state(pl->audio) == AUDIO_STATE_SERVER_GONE ? "  [JACK gone]" : "";
    printf("\r\033[K%3d:%02d  ord %02X pat %02X row %03d  L %s R %s  xruns %u%s",
           (int)secs / 60, (int)secs % 60, atomic_load(&st->order),
           atomic_load(&st->pattern), atomic_load(&st->row), bars[0], bars[1],
           audio_xruns(pl->audio), state);
    fflush(stdout);
    pl->line_dirty = true;
}

/* Builds an engine at the device's new rate and puts it in place of the old
 * one, keeping the song and the position. Samples keep their own rate, so
 * only the engine changes: its voices step through them at the new rate.
 * When engine_new fails the old one stays, silent (it is timed for the old
 * rate). */
static HissError play_rebuild_for_rate(Player *pl)
{
    uint32_t rate = audio_rate(pl->audio);
    Engine *e = engine_new(pl->song, rate);
    if (!e) {
        play_say(pl, "out of memory building the engine at %u Hz", rate);
        return HISS_ERR_NOMEM;
    }
    Engine *old = audio_swap_engine(pl->audio, NULL, 0);
    if (pl->engine_rate)
        pl->seconds_before +=
            (double)atomic_load(&engine_status(old)->frames_rendered) / pl->engine_rate;
    engine_hand_over(old, e);
    engine_collect_garbage(old);
    engine_free(old);
    const EngineStatus *st = engine_status(e);
    int order = atomic_load(&st->order), row = atomic_load(&st->row);
    pl->engine = e;
    pl->engine_rate = rate;
    audio_swap_engine(pl->audio, e, rate);
    play_say(pl, "now at %u Hz: playing on from order %02X row %03d",
             rate, order, row);
    return HISS_OK;
}

/* After the JACK server went away, with --fallback: ALSA, else null; after
 * the ALSA device failed: null. */
static HissError play_fall_back(Player *pl)
{
    HissDiag why = {{0}};
    HissError err = audio_fall_back(&pl->audio, pl->song, &why);
    play_say(pl, "%s", why.text);
    return err;
}

static int play_run(Player *pl)
{
    PlayArgs *a = &pl->args;
    HissDiag why = {{0}};
    uint32_t rate = 0;
    HissError err = audio_open(&pl->audio, &a->audio, &rate, &why);
    if (err) {
        fprintf(stderr, "hiss: %s\n", why.text[0] ? why.text : hiss_strerror(err));
        return 1;
    }
    if (why.text[0])
        fprintf(stderr, "hiss: %s\n", why.text);

    SongioWarnings warnings;
    songio_warnings_init(&warnings);
    HissDiag diag = {{0}};
    err = songio_load(a->song_path, rate, &pl->song, &diag, &warnings);
    for (int i = 0; i < warnings.count; i++)
        fprintf(stderr, "hiss: %s\n", warnings.items[i].text);
    songio_warnings_deinit(&warnings);
    if (err) {
        fprintf(stderr, "hiss: %s\n", diag.text[0] ? diag.text : hiss_strerror(err));
        return 1;
    }
    pl->engine = engine_new(pl->song, rate);
    pl->engine_rate = rate;
    if (!pl->engine) {
        fprintf(stderr, "hiss: out of memory\n");
        return 1;
    }
    audio_set_song(pl->audio, pl->song);
    err = audio_start(pl->audio, pl->engine);
    if (err) {
        fprintf(stderr, "hiss: cannot start %s audio: %s\n", audio_name(pl->audio),
                hiss_strerror(err));
        return 1;
    }
    /* The song starts once the ports are connected and a couple of periods
     * have passed (a new JACK connection takes effect at a cycle boundary),
     * so a recorder listening from the start hears every frame. */
    uint32_t r0 = audio_rate(pl->audio) ? audio_rate(pl->audio) : 48000;
    sleep_ms((int)(2000u * audio_period(pl->audio) / r0) + 5);
    EngineCommand loop = {.type = ENGINE_CMD_SET_LOOP_SONG, .a = a->loop};
    EngineCommand play = {.type = ENGINE_CMD_PLAY_SONG, .a = 0, .b = 0};
    engine_send(pl->engine, &loop);
    engine_send(pl->engine, &play);
    if (!a->quiet)
        fprintf(stderr, "hiss: playing %s through %s at %u Hz, period %u\n",
                a->song_path, audio_name(pl->audio), audio_rate(pl->audio),
                audio_period(pl->audio));

    double last_try = 0, last_draw = 0, ended_at = 0;
    int exit_status = 0;
    while (!signals_pending()) {
        sleep_ms(20);
        double now = hiss_now_seconds();
        unsigned ev = audio_poll(pl->audio);
        if (ev & AUDIO_EVENT_SERVER_GONE) {
            play_say(pl, "JACK server gone%s",
                     a->audio.fall_back ? "" : "; waiting for it to return");
            if (a->audio.fall_back && play_fall_back(pl)) {
                play_say(pl, "no audio backend left");
                exit_status = 1;
                break;
            }
            last_try = now;
            continue;
        }
        if (ev & AUDIO_EVENT_PORTS_SHORT)
            play_say(pl, "JACK made only %d of %d channel ports: the rest are in "
                         "out_L/out_R only",
                     audio_channel_outputs(pl->audio),
                     audio_channel_outputs_wanted(pl->audio));
        if (ev & AUDIO_EVENT_RECONNECTED)
            play_say(pl, "JACK server back at %u Hz, period %u", audio_rate(pl->audio),
                     audio_period(pl->audio));
        if (ev & AUDIO_EVENT_RATE_CHANGED && pl->engine &&
            play_rebuild_for_rate(pl) != HISS_OK) {
            exit_status = 1;
            break;
        }
        AudioState state = audio_state(pl->audio);
        if (state == AUDIO_STATE_SERVER_GONE && now - last_try >= 1.0) {
            last_try = now;
            audio_reconnect(pl->audio);
            continue;
        }
        if (state == AUDIO_STATE_FAILED) {
            const char *why = audio_failure(pl->audio);
            if (why[0])
                play_say(pl, "%s", why);
            else
                play_say(pl, "the %s device failed", audio_name(pl->audio));
            if (a->audio.fall_back && strcmp(audio_name(pl->audio), "null") != 0 &&
                play_fall_back(pl) == HISS_OK)
                continue;
            exit_status = 1;
            break;
        }
        if (!pl->engine)
            continue;
        if (a->seconds > 0 && play_seconds(pl) >= a->seconds)
            break;
        if (!a->loop && atomic_load(&engine_status(pl->engine)->song_ended)) {
            /* Let the last period reach the device before stopping. */
            if (ended_at == 0)
                ended_at = now;
            else if (now - ended_at > 0.25)
                break;
        }
        if (pl->status_line && now - last_draw >= 0.1) {
            last_draw = now;
            play_status_line(pl);
        }
    }
    if (pl->line_dirty) {
        fputc('\n', stdout);
        fflush(stdout);
    }
    uint32_t xruns = audio_xruns(pl->audio);
    if (!a->quiet || xruns)
        fprintf(stderr, "hiss: stopped after %.1f s, %u xrun%s\n",
                play_seconds(pl),
                xruns, xruns == 1 ? "" : "s");
    return exit_status;
}

int cli_play(int argc, char **argv)
{
    Player pl;
    memset(&pl, 0, sizeof pl);
    int rc = parse_args(argc, argv, &pl.args);
    if (rc)
        return rc < 0 ? 0 : rc;
    pl.status_line = isatty(STDOUT_FILENO) && !pl.args.quiet;

    /* Ctrl-C, SIGTERM and SIGHUP end the loop and playing stops cleanly
     * (exit 0); SIGPIPE (a recorder or server going away) is ignored. */
    HissDiag sigdiag = {{0}};
    if (signals_install(&sigdiag) != HISS_OK) {
        fprintf(stderr, "hiss play: %s\n", sigdiag.text);
        return 1;
    }
    rc = play_run(&pl);
    signals_uninstall();
    if (pl.audio)
        audio_close(pl.audio);
    if (pl.engine) {
        engine_collect_garbage(pl.engine);
        engine_free(pl.engine);
    }
    song_free(pl.song);
    return rc;
}
