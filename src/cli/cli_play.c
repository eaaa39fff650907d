/* hiss play: plays a song without the editor, until it ends, the time given
 * with --seconds runs out, or Ctrl-C. This thread owns the song and the
 * play session (session.h), which keeps the engine and the backend
 * together through server loss, rate changes and fall backs. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_audio.h"
#include "keymap.h"
#include "perform.h"
#include "reference.h"
#include "session.h"
#include "signals.h"
#include "songio.h"

typedef struct {
    const char *song_path;
    double seconds; /* 0 = until the end */
    bool loop;
    bool quiet;
    AudioOptions audio;
    MidiMap midi_map;
    int midi_channel; /* 1-based; 0: the song's last */
    bool clock_in;     /* a MIDI clock's tempo */
    bool transport_in; /* its start, stop and song position: play waits */
} PlayArgs;

typedef struct {
    PlayArgs args;
    Session *session;
    Song *song;
    bool status_line;       /* stdout is a terminal */
    bool line_dirty;
    Reference reference;    /* the song's reference track, if any */
    bool ab_reference;      /* it is what is heard */
    bool keys;              /* stdin is a terminal put in key-at-a-time mode */
    struct termios saved_tty;
    Keymap *rc;             /* the hissrc's and MIDI learn's bindings */
    Editor *ed;             /* what they change, in the song played */
    Perform perform;        /* runs them (the editor's way) */
    bool seq;               /* the ALSA sequencer client opened */
} Player;

static const CliOpt PLAY_OPTIONS[] = {
    CLI_OPT_SECONDS, CLI_OPT_LOOP, CLI_OPT_QUIET, CLI_AUDIO_OPTIONS,
    CLI_OPT_MIDI_MAP, CLI_OPT_MIDI_CHANNEL, CLI_OPT_MIDI_CLOCK_IN, CLI_OPT_MIDI_TRANSPORT_IN,
    CLI_OPT_HELP,
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
        p->midi_channel = a.given[CLI_OPT_MIDI_CHANNEL] ? (int)a.number[CLI_OPT_MIDI_CHANNEL] : 0;
        p->clock_in = a.given[CLI_OPT_MIDI_CLOCK_IN];
        p->transport_in = a.given[CLI_OPT_MIDI_TRANSPORT_IN];
        HissDiag why = {{0}};
        if (midi_map_parse(a.given[CLI_OPT_MIDI_MAP] ? a.text[CLI_OPT_MIDI_MAP] : "",
                           &p->midi_map, &why))
            rc = cli_usage_error("hiss play", "%s", why.text);
    }
    cli_args_free(&a);
    return rc;
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

static void play_status_line(Player *pl)
{
    const EngineStatus *st = session_status(pl->session);
    Audio *audio = session_audio(pl->session);
    double secs = session_seconds_played(pl->session);
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
    const char *state = audio_state(audio) == AUDIO_STATE_SERVER_GONE ? "  [JACK gone]" : "";
    printf("\r\033[K%3d:%02d  ord %02X pat %02X row %03d  L %s R %s  %s %u%s",
           (int)secs / 60, (int)secs % 60, atomic_load(&st->order),
           atomic_load(&st->pattern), atomic_load(&st->row), bars[0], bars[1],
           audio_xrun_name(audio, false), audio_xruns(audio), state);
    fflush(stdout);
    pl->line_dirty = true;
}

/* The session's news, on a line of its own. */
static void play_news(void *ctx, bool trouble, const char *text)
{
    (void)trouble;
    play_say(ctx, "%s", text);
}

/* MIDI notes play while the song does: on --midi-channel (else the song's
 * last channel) with instrument 01, or as --midi-map says. A MIDI clock
 * on JACK's midi_in or the ALSA sequencer's port sets the tempo
 * (--midi-clock-in) and starts, stops and places playback
 * (--midi-transport-in). */
static void play_midi(Player *pl)
{
    PlayArgs *a = &pl->args;
    int channels = atomic_load(&pl->song->channels);
    int ch = a->midi_channel ? a->midi_channel : channels;
    if (ch > channels) {
        play_say(pl, "--midi-channel %d: the song has %d channels; MIDI plays on %d", ch,
                 channels, channels);
        ch = channels;
    }
    session_midi_target(pl->session, ch - 1, 1, 0);
    session_midi_map(pl->session, &a->midi_map);
    /* The hissrc's `set midi_clock_in on` counts as the switch, as in the
     * editor. */
    if (pl->ed) { /* the hissrc was read */
        a->clock_in |= pl->rc->midi_clock_in;
        a->transport_in |= pl->rc->midi_transport_in;
    }
    session_midi_clock_in(pl->session, a->clock_in, a->transport_in);
    HissDiag why = {{0}};
    pl->seq = session_midi_seq(pl->session, a->audio.client_name, &why) == HISS_OK;
    if (!a->quiet && why.text[0])
        play_say(pl, "%s", why.text);
    Audio *audio = session_audio(pl->session);
    if ((a->clock_in || a->transport_in) && audio && !pl->seq &&
        strcmp(audio_name(audio), "jack") != 0) {
        /* Nothing would ever start the song: it plays as without the
         * switch. */
        play_say(pl, "MIDI clock comes in through JACK's midi_in or the ALSA sequencer; "
                     "playing through %s without a sequencer, there is none to follow",
                 audio_name(audio));
        a->transport_in = false;
    }
}

static void play_perform_news(void *ctx, bool trouble, const char *text)
{
    Player *pl = ctx;
    if (!pl->args.quiet || trouble)
        play_say(pl, "%s", text);
}

/* The MIDI bindings of the hissrc and of MIDI learn's file, as the editor
 * has them: a bound pad mutes, cues, taps or starts the song, a bound
 * knob moves a mix or instrument setting or the tempo. Their changes are
 * made to the song as played, never to its file. */
static void play_bindings(Player *pl)
{
    HissDiag bad[4];
    pl->rc = malloc(sizeof *pl->rc);
    pl->ed = pl->rc ? edit_new(pl->song, session_retire, pl->session) : NULL;
    if (!pl->ed) {
        play_say(pl, "MIDI bindings not read: out of memory");
        return;
    }
    keymap_init_defaults(pl->rc);
    int errors = keymap_load_user(pl->rc, bad, HISS_ARRAY_LEN(bad));
    for (int i = 0; i < errors && i < (int)HISS_ARRAY_LEN(bad); i++)
        play_say(pl, "%s (skipped)", bad[i].text);
    perform_init(&pl->perform, pl->session, pl->ed, &pl->rc->midi_learn);
    pl->perform.say = play_perform_news;
    pl->perform.say_moves = true;
    pl->perform.ctx = pl;
    perform_bindings_changed(&pl->perform);
    int count = pl->rc->midi_learn.count;
    if (count && !pl->args.quiet)
        play_say(pl, "MIDI: %d binding%s from the hissrc and MIDI learn", count,
                 count == 1 ? "" : "s");
}

/* The song's reference track for A/B, loudness-matched to the mix (which
 * is measured by rendering the song once now). */
static void play_reference(Player *pl)
{
    const char *written = pl->song->reference;
    if (!written[0])
        return;
    char file[2 * PATH_MAX];
    HissDiag why = {{0}};
    if (!songio_resolve(pl->args.song_path, written, file, sizeof file) ||
        reference_load(&pl->reference, file, &why) != HISS_OK) {
        play_say(pl, "reference not loaded: %s", why.text[0] ? why.text : written);
        return;
    }
    if (reference_measure_mix(&pl->reference, pl->song, session_rate(pl->session)) != HISS_OK) {
        play_say(pl, "reference: the mix could not be measured (out of memory)");
        reference_deinit(&pl->reference);
        return;
    }
    session_set_reference(pl->session, pl->reference.sample);
    char match[32];
    reference_match_text(&pl->reference, match, sizeof match);
    play_say(pl, "reference %s: %.1f LUFS, the mix %.1f LUFS; heard at %s%s", written,
             pl->reference.lufs, pl->reference.mix_lufs, match,
             pl->keys ? "; press a for A/B" : "");
}

/* Keys while playing, when stdin is a terminal: read a byte at a time,
 * without echo; Ctrl-C still signals. */
static void keys_start(Player *pl)
{
    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &pl->saved_tty) != 0)
        return;
    struct termios t = pl->saved_tty;
    t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 0;
    pl->keys = tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0;
}

static void keys_stop(Player *pl)
{
    if (pl->keys)
        tcsetattr(STDIN_FILENO, TCSANOW, &pl->saved_tty);
    pl->keys = false;
}

/* a: A/B between the mix and the reference track. */
static void keys_read(Player *pl)
{
    char c;
    while (pl->keys && read(STDIN_FILENO, &c, 1) == 1) {
        if (c != 'a')
            continue;
        if (!pl->reference.sample) {
            play_say(pl, "A/B: the song names no reference track");
            continue;
        }
        pl->ab_reference = !pl->ab_reference;
        session_listen_reference(pl->session, pl->ab_reference,
                                 pl->reference.match_centi_db);
        play_say(pl, "A/B: %s", pl->ab_reference ? "REFERENCE" : "the mix");
    }
}

static int play_run(Player *pl)
{
    PlayArgs *a = &pl->args;
    HissDiag why = {{0}};
    SessionOptions so = {.audio = a->audio, .say = play_news, .say_ctx = pl};
    HissError err = session_open(&pl->session, &so, &why);
    if (err) {
        fprintf(stderr, "hiss: %s\n", why.text[0] ? why.text : hiss_strerror(err));
        return 1;
    }
    if (why.text[0])
        fprintf(stderr, "hiss: %s\n", why.text);

    SongioWarnings warnings;
    songio_warnings_init(&warnings);
    HissDiag diag = {{0}};
    err = songio_load(a->song_path, session_rate(pl->session), &pl->song, &diag,
                      &warnings);
    for (int i = 0; i < warnings.count; i++)
        fprintf(stderr, "hiss: %s\n", warnings.items[i].text);
    songio_warnings_deinit(&warnings);
    if (err) {
        fprintf(stderr, "hiss: %s\n", diag.text[0] ? diag.text : hiss_strerror(err));
        return 1;
    }
    err = session_start(pl->session, pl->song, &why);
    if (err) {
        fprintf(stderr, "hiss: %s\n", why.text);
        return 1;
    }
    Audio *audio = session_audio(pl->session);
    /* The song starts once the ports are connected and a couple of periods
     * have passed (a new JACK connection takes effect at a cycle boundary),
     * so a recorder listening from the start hears every frame. */
    uint32_t r0 = audio_rate(audio) ? audio_rate(audio) : 48000;
    hiss_sleep_ms((int)(2000u * audio_period(audio) / r0) + 5);
    play_bindings(pl); /* first: the hissrc may switch the clock in on */
    play_midi(pl);
    keys_start(pl);
    play_reference(pl);
    session_set_loop(pl->session, a->loop);
    /* Following a clock's transport, its start plays the song (and its
     * stop stops it): hiss waits for the clock, not the other way. */
    if (!a->transport_in)
        session_play_song(pl->session, 0, 0);
    char shown[PATH_MAX];
    if (!a->quiet)
        fprintf(stderr, "hiss: %s %s through %s at %u Hz, period %u%s\n",
                a->transport_in ? "ready to play" : "playing",
                hiss_escape_name(a->song_path, shown, sizeof shown),
                audio_name(audio), audio_rate(audio), audio_period(audio),
                !a->transport_in ? ""
                : pl->seq        ? "; waiting for MIDI start on midi_in or the sequencer"
                                 : "; waiting for MIDI start on midi_in");

    double last_draw = 0, ended_at = 0;
    int exit_status = 0;
    while (!signals_pending()) {
        hiss_sleep_ms(20);
        double now = hiss_now_seconds();
        if (session_poll(pl->session) & SESSION_EVENT_STUCK) {
            exit_status = 1;
            break;
        }
        if (a->seconds > 0 && session_seconds_played(pl->session) >= a->seconds)
            break;
        /* A clock's transport may start the song again after its end. */
        if (!a->loop && !a->transport_in &&
            atomic_load(&session_status(pl->session)->song_ended)) {
            /* Let the last period reach the device before stopping. */
            if (ended_at == 0)
                ended_at = now;
            else if (now - ended_at > 0.25)
                break;
        }
        keys_read(pl);
        if (pl->ed)
            perform_poll(&pl->perform);
        if (pl->status_line && now - last_draw >= 0.1) {
            last_draw = now;
            play_status_line(pl);
        }
    }
    if (pl->line_dirty) {
        fputc('\n', stdout);
        fflush(stdout);
    }
    audio = session_audio(pl->session); /* it may have fallen back */
    uint32_t xruns = audio_xruns(audio);
    const char *counted = audio_xrun_name(audio, false); /* a plural */
    if (!a->quiet || xruns)
        fprintf(stderr, "hiss: stopped after %.1f s, %u %.*s\n",
                session_seconds_played(pl->session), xruns,
                (int)strlen(counted) - (xruns == 1), counted);
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
    keys_stop(&pl);
    signals_uninstall();
    session_close(pl.session);
    edit_free(pl.ed);
    free(pl.rc);
    reference_deinit(&pl.reference);
    song_free(pl.song);
    return rc;
}
