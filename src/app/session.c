/* session: the engine and the audio backend, kept playing together.
 * See session.h. */
#include "session.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timing.h"


enum {
    SESSION_BACKLOG_MAX = 64, /* commands kept while the ring is full */
    SESSION_NEWS_MAX = 400,
};
#define SESSION_RECONNECT_SECONDS 1.0
#define SESSION_RATE_WITHOUT_AUDIO 48000u

struct Session {
    SessionOptions opts;
    Audio *audio;
    Song *song;         /* the song the engine plays (not owned) */
    Engine *engine;
    uint32_t engine_rate; /* the rate the engine was built for */
    double seconds_before; /* played by engines already retired */
    double last_try;       /* when the lost server was last tried */
    uint32_t rate_given_up; /* a device rate that could not be followed */
    EngineCommand *pending;
    int pending_count, pending_cap;
    MidiRoute midi;     /* where MIDI notes play (read by the audio thread) */
    bool midi_ready;
    MidiSeq *seq;       /* the ALSA sequencer client, when asked for */
    bool has_reference; /* a reference track was given to the engine */
};

static void session_say(Session *s, bool trouble, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void session_say(Session *s, bool trouble, const char *fmt, ...)
{
    if (!s->opts.say)
        return;
    char text[SESSION_NEWS_MAX];
    va_list ap;
    va_start(ap, fmt);
    hiss_text_vformat(text, sizeof text, fmt, ap);
    va_end(ap);
    s->opts.say(s->opts.say_ctx, trouble, text);
}

static void session_why(HissDiag *why, const char *what, HissError err)
{
    hiss_diag_printf(why, "%s: %s", what, hiss_strerror(err));
}

HissError session_open(Session **out, const SessionOptions *opts, HissDiag *why)
{
    *out = NULL;
    Session *s = calloc(1, sizeof *s);
    if (!s)
        return HISS_ERR_NOMEM;
    s->opts = *opts;
    s->engine_rate = SESSION_RATE_WITHOUT_AUDIO;
    if (midi_route_init(&s->midi) != HISS_OK) {
        free(s);
        return HISS_ERR_NOMEM;
    }
    s->midi_ready = true;
    uint32_t rate = 0;
    HissError err = audio_open(&s->audio, &opts->audio, &rate, why);
    if (err)
        s->audio = NULL;
    else
        s->engine_rate = rate;
    /* audio_open copied the strings; the owner's may go. */
    s->opts.audio.device = s->opts.audio.client_name = s->opts.audio.connect = NULL;
    s->opts.audio.backend = NULL;
    *out = s;
    return err;
}

uint32_t session_rate(const Session *s)
{
    return s->engine_rate;
}

Audio *session_audio(const Session *s)
{
    return s->audio;
}

HissError session_start(Session *s, Song *song, HissDiag *why)
{
    s->song = song;
    s->engine = engine_new(song, s->engine_rate);
    if (!s->engine) {
        session_why(why, "cannot start the engine", HISS_ERR_NOMEM);
        return HISS_ERR_NOMEM;
    }
    if (!s->audio)
        return HISS_OK;
    audio_set_song(s->audio, song);
    audio_set_midi(s->audio, &s->midi);
    HissError err = audio_start(s->audio, s->engine);
    if (err) {
        char what[64];
        snprintf(what, sizeof what, "cannot start %s audio", audio_name(s->audio));
        session_why(why, what, err);
        audio_close(s->audio);
        s->audio = NULL;
    }
    return err;
}

/* ---- commands ---- */

static bool command_must_arrive(const EngineCommand *c)
{
    return c->type == ENGINE_CMD_RETIRE_PATTERN ||
           c->type == ENGINE_CMD_RETIRE_INSTRUMENT ||
           c->type == ENGINE_CMD_INSTALL_SONG ||
           c->type == ENGINE_CMD_PREVIEW_SAMPLE || c->type == ENGINE_CMD_SET_REFERENCE;
}

static void flush_pending(Session *s)
{
    if (!s->engine)
        return;
    int done = 0;
    while (done < s->pending_count && engine_send(s->engine, &s->pending[done]))
        done++;
    if (done) {
        memmove(s->pending, s->pending + done,
                sizeof *s->pending * (size_t)(s->pending_count - done));
        s->pending_count -= done;
    }
}

void session_send(Session *s, EngineCommandType type, int a, int b, int c, void *ptr)
{
    EngineCommand cmd = {type, a, b, c, ptr};
    flush_pending(s);
    if (s->engine && !s->pending_count && engine_send(s->engine, &cmd))
        return;
    /* The ring is full (the audio thread is stalled or gone). Objects on
     * their way to the engine are kept; a lost play or preview is fine. */
    if (!command_must_arrive(&cmd) && s->pending_count >= SESSION_BACKLOG_MAX)
        return;
    if (s->pending_count == s->pending_cap) {
        int cap = s->pending_cap ? s->pending_cap * 2 : SESSION_BACKLOG_MAX;
        EngineCommand *grown = realloc(s->pending, sizeof *grown * (size_t)cap);
        if (!grown)
            return; /* a retired object leaks rather than be freed in use */
        s->pending = grown;
        s->pending_cap = cap;
    }
    s->pending[s->pending_count++] = cmd;
}

/* The time of (order, row) in frames at the engine's rate, where the
 * reference track plays from: only scanned when there is one. A pattern
 * played alone takes the time of its first place in the order list. */
static int reference_frame(const Session *s, int order, int row, int pattern)
{
    if (!s->has_reference || !s->song)
        return 0;
    TimingScan scan;
    if (timing_scan(s->song, s->engine_rate, false, &scan) != HISS_OK)
        return 0;
    int at = -1;
    if (pattern < 0) {
        at = timing_find(&scan, order, row);
    } else {
        for (int i = 0; i < scan.count && at < 0; i++)
            if (scan.rows[i].row == row &&
                atomic_load(&s->song->orders[scan.rows[i].order]) == pattern)
                at = i;
    }
    uint64_t frame = at >= 0 ? scan.rows[at].frame : 0;
    timing_deinit(&scan);
    return frame > INT32_MAX ? INT32_MAX : (int)frame;
}

void session_play_song(Session *s, int order, int row)
{
    session_send(s, ENGINE_CMD_PLAY_SONG, order, row, reference_frame(s, order, row, -1), NULL);
}

void session_play_pattern(Session *s, int pattern, int row)
{
    session_send(s, ENGINE_CMD_PLAY_PATTERN, pattern, row, reference_frame(s, 0, row, pattern),
                 NULL);
}

void session_set_reference(Session *s, Sample *reference)
{
    s->has_reference = reference != NULL;
    session_send(s, ENGINE_CMD_SET_REFERENCE, 0, 0, 0,
                 reference ? sample_retain(reference) : NULL);
}

void session_listen_reference(Session *s, bool reference, int gain_centi_db)
{
    session_send(s, ENGINE_CMD_LISTEN_REFERENCE, reference, gain_centi_db, 0, NULL);
}

void session_stop(Session *s)
{
    session_send(s, ENGINE_CMD_STOP, 0, 0, 0, NULL);
}

void session_retire(void *session, EditRetireKind kind, void *ptr)
{
    session_send(session,
                 kind == EDIT_RETIRE_PATTERN ? ENGINE_CMD_RETIRE_PATTERN
                                             : ENGINE_CMD_RETIRE_INSTRUMENT,
                 0, 0, 0, ptr);
}

void session_jump(Session *s, int order, int row)
{
    session_send(s, ENGINE_CMD_JUMP, order, row, 0, NULL);
}

void session_cue(Session *s, int order)
{
    session_cue_at(s, order, ENGINE_CUE_PATTERN_END);
}

void session_cue_at(Session *s, int order, EngineCueAt at)
{
    session_send(s, ENGINE_CMD_CUE, order, (int)at, 0, NULL);
}

void session_hold_flag(Session *s, bool solo, int channel, int was)
{
    session_send(s, solo ? ENGINE_CMD_HOLD_SOLO : ENGINE_CMD_HOLD_MUTE, channel, was, 0, NULL);
}

void session_hold_mixer_until(Session *s, int order)
{
    for (int c = 0; s->song && c < SONG_MAX_CHANNELS; c++)
        for (int solo = 0; solo < 2; solo++) {
            _Atomic bool *flag = solo ? &s->song->strips[c].solo : &s->song->strips[c].mute;
            if (atomic_load(flag))
                session_send(s, solo ? ENGINE_CMD_HOLD_SOLO : ENGINE_CMD_HOLD_MUTE, c, 1,
                             order + 1, NULL);
        }
}

void session_loop_rows(Session *s, int first, int last)
{
    session_send(s, ENGINE_CMD_LOOP_ROWS, first, last, 0, NULL);
}

void session_set_tempo(Session *s, int bpm_tenths, int speed)
{
    if (bpm_tenths > 0)
        session_send(s, ENGINE_CMD_SET_BPM, bpm_tenths, 0, 0, NULL);
    if (speed > 0)
        session_send(s, ENGINE_CMD_SET_SPEED, speed, 0, 0, NULL);
}

void session_set_loop(Session *s, bool loop_song)
{
    session_send(s, ENGINE_CMD_SET_LOOP_SONG, loop_song, 0, 0, NULL);
}

void session_preview_note(Session *s, int slot, int note, int volume)
{
    session_send(s, ENGINE_CMD_PREVIEW_NOTE, slot, note, volume, NULL);
}

void session_live_note(Session *s, int channel, int note, int flags)
{
    session_send(s, ENGINE_CMD_LIVE_NOTE, channel, note, flags, NULL);
}

bool session_take_recorded(Session *s, EngineTake *take)
{
    return s->engine && engine_take_recorded(s->engine, take);
}

void session_capture_rows(Session *s, bool on)
{
    if (s->engine)
        engine_capture_rows(s->engine, on);
}

bool session_take_row(Session *s, EngineRowLog *log)
{
    return s->engine && engine_take_row(s->engine, log);
}

bool session_take_midi(Session *s, MidiNote *note)
{
    return ring_pop(&s->midi.seen, note);
}

void session_midi_target(Session *s, int channel, int instrument, int record_flags)
{
    atomic_store(&s->midi.channel, channel);
    atomic_store(&s->midi.instrument, instrument);
    atomic_store(&s->midi.record_flags, record_flags & ~0xFFFF);
}

bool session_take_control(Session *s, MidiControl *control)
{
    return ring_pop(&s->midi.controls, control) || ring_pop(&s->midi.seq_controls, control);
}

void session_midi_bind_note(Session *s, int midi_channel, int note, bool bound)
{
    midi_route_bind_note(&s->midi, midi_channel, note, bound);
}

void session_midi_capture_notes(Session *s, bool capture)
{
    atomic_store(&s->midi.capture_notes, capture);
}

void session_midi_clock_in(Session *s, bool clock, bool transport)
{
    atomic_store(&s->midi.follow_clock, clock);
    atomic_store(&s->midi.follow_transport, transport);
}

void session_midi_map(Session *s, const MidiMap *map)
{
    midi_route_apply(&s->midi, map);
}

HissError session_midi_seq(Session *s, const char *client_name, HissDiag *why)
{
    if (s->seq)
        return HISS_OK;
    HissDiag seq_why = {{0}};
    HissError err = midi_seq_open(&s->seq, &s->midi, client_name, &seq_why);
    bool jack = s->audio && !strcmp(audio_name(s->audio), "jack");
    if (err)
        hiss_diag_printf(why, "MIDI: %s; %s", seq_why.text,
                         jack ? "notes come in through JACK's midi_in port only"
                              : "no MIDI input without JACK");
    else
        hiss_diag_printf(why, "MIDI in: ALSA sequencer port %s%s", midi_seq_address(s->seq),
                         jack ? " and JACK's midi_in" : "");
    return err;
}

void session_install_song(Session *s, Song *song)
{
    session_send(s, ENGINE_CMD_INSTALL_SONG, 0, 0, 0, song);
    s->song = song;
    /* Transport and the per-channel ports follow the new song. */
    if (s->audio)
        audio_set_song(s->audio, song);
}

/* ---- status ---- */

const EngineStatus *session_status(const Session *s)
{
    static EngineStatus stopped;
    return s->engine ? engine_status(s->engine) : &stopped;
}

bool session_take_tap(Session *s, EngineTapBlock *block)
{
    return s->engine && engine_take_tap(s->engine, block);
}

bool session_playing(const Session *s)
{
    return atomic_load(&session_status(s)->playing);
}

static double engine_seconds(const Engine *e, uint32_t rate)
{
    return e && rate ? (double)atomic_load(&engine_status(e)->frames_rendered) / rate : 0;
}

double session_seconds_played(const Session *s)
{
    return s->seconds_before + engine_seconds(s->engine, s->engine_rate);
}

/* ---- the device's rate ---- */

/* The one place a new device rate is followed. Samples keep their own
 * rate, so only the engine changes: one timed for the new rate takes over
 * where the old one was, with the notes that were sounding, and its voices
 * step through the same samples at the new rate. On failure the old engine
 * stays, silent (it is timed for the old rate). */
static bool session_follow_rate(Session *s)
{
    uint32_t rate = audio_rate(s->audio);
    /* Said once: the next poll would find the same rate and fail again. */
    s->rate_given_up = rate;
    Engine *e = engine_new(s->song, rate);
    if (!e) {
        session_say(s, true, "now at %u Hz: out of memory for an engine at that "
                             "rate; silent (save, then restart hiss)", rate);
        return false;
    }
    Engine *old = audio_swap_engine(s->audio, NULL, 0);
    s->seconds_before += engine_seconds(old, s->engine_rate);
    engine_hand_over(old, e);
    engine_collect_garbage(old);
    engine_free(old);
    s->engine = e;
    s->engine_rate = rate;
    s->rate_given_up = 0;
    audio_swap_engine(s->audio, e, rate);
    const EngineStatus *st = engine_status(e);
    session_say(s, false, "now at %u Hz: playing on from order %02X row %03d", rate,
                atomic_load(&st->order), atomic_load(&st->row));
    return true;
}

/* ---- a lost or failed device ---- */

/* --fallback: after the JACK server went away, ALSA, else null; after
 * the ALSA device failed, null. `news` starts the line that says it. */
static unsigned session_fall_back(Session *s, const char *news)
{
    HissDiag why = {{0}};
    if (audio_fall_back(&s->audio, s->song, &why)) {
        session_say(s, true, "%s; %s", news, why.text);
        return 0;
    }
    session_say(s, false, "%s; %s", news, why.text);
    unsigned events = SESSION_EVENT_FELL_BACK;
    /* The engine moved over at its old rate. */
    if (audio_rate(s->audio) != s->engine_rate)
        events |= session_follow_rate(s) ? SESSION_EVENT_RATE_FOLLOWED : SESSION_EVENT_STUCK;
    return events;
}

static unsigned session_server_gone(Session *s)
{
    s->last_try = hiss_now_seconds();
    if (s->opts.audio.fall_back) {
        unsigned moved = session_fall_back(s, "JACK server gone");
        if (moved)
            return moved;
    } else {
        session_say(s, true, "JACK server gone; waiting for it to return");
    }
    return SESSION_EVENT_SERVER_GONE;
}

static unsigned session_failed(Session *s)
{
    char news[SESSION_NEWS_MAX];
    const char *failure = audio_failure(s->audio);
    snprintf(news, sizeof news, "audio failed: %s",
             failure[0] ? failure : "the device stopped");
    if (s->opts.audio.fall_back && strcmp(audio_name(s->audio), "null") != 0) {
        unsigned moved = session_fall_back(s, news);
        if (moved)
            return moved;
    } else {
        session_say(s, true, "%s", news);
    }
    return SESSION_EVENT_STUCK;
}

unsigned session_poll(Session *s)
{
    flush_pending(s);
    if (s->engine) {
        engine_collect_garbage(s->engine);
        /* A send turned up on a song that had none gets its lines. */
        engine_ready_sends(s->engine, s->song);
    }
    if (!s->audio)
        return 0;
    unsigned ev = audio_poll(s->audio);
    unsigned events = 0;
    if (ev & AUDIO_EVENT_SERVER_GONE)
        events |= session_server_gone(s);
    if (ev & AUDIO_EVENT_FAILED)
        events |= session_failed(s);
    if (ev & AUDIO_EVENT_RECONNECTED) {
        session_say(s, false, "JACK server back at %u Hz, period %u",
                    audio_rate(s->audio), audio_period(s->audio));
        events |= SESSION_EVENT_RECONNECTED;
    }
    if (ev & AUDIO_EVENT_PORTS_SHORT)
        session_say(s, true, "JACK made only %d of %d channel ports: the rest are "
                             "in out_L/out_R only",
                    audio_channel_outputs(s->audio),
                    audio_channel_outputs_wanted(s->audio));
    uint32_t rate = audio_rate(s->audio);
    if (s->engine && rate != s->engine_rate && rate != s->rate_given_up &&
        audio_state(s->audio) == AUDIO_STATE_RUNNING)
        events |= session_follow_rate(s) ? SESSION_EVENT_RATE_FOLLOWED
                                          : SESSION_EVENT_STUCK;
    if (audio_state(s->audio) == AUDIO_STATE_SERVER_GONE &&
        hiss_now_seconds() - s->last_try >= SESSION_RECONNECT_SECONDS) {
        s->last_try = hiss_now_seconds();
        audio_reconnect(s->audio);
    }
    return events;
}

HissError session_reconnect(Session *s)
{
    if (!s->audio)
        return HISS_ERR_UNSUPPORTED;
    s->last_try = hiss_now_seconds();
    return audio_reconnect(s->audio);
}

void session_close(Session *s)
{
    if (!s)
        return;
    midi_seq_close(s->seq);
    if (s->audio) {
        audio_stop(s->audio);
        audio_close(s->audio);
    }
    if (s->midi_ready)
        midi_route_deinit(&s->midi);
    /* The audio thread is gone: what never reached the engine is ours. */
    for (int i = 0; i < s->pending_count; i++) {
        EngineCommand *c = &s->pending[i];
        if (c->type == ENGINE_CMD_RETIRE_PATTERN)
            song_pattern_free(c->ptr);
        else if (c->type == ENGINE_CMD_RETIRE_INSTRUMENT ||
                 c->type == ENGINE_CMD_PREVIEW_SAMPLE)
            song_instrument_free(c->ptr);
        else if (c->type == ENGINE_CMD_INSTALL_SONG && c->ptr != s->song)
            song_free(c->ptr);
        else if (c->type == ENGINE_CMD_SET_REFERENCE && c->ptr)
            sample_release(c->ptr);
    }
    free(s->pending);
    if (s->engine) {
        engine_collect_garbage(s->engine);
        /* A song install that never reached the engine (held back above,
         * or still in its ring) leaves it on an older song that only the
         * engine holds: it would have handed that one back. */
        Song *held = engine_current_song(s->engine);
        if (held != s->song)
            song_free(held);
        engine_free(s->engine);
    }
    free(s);
}
