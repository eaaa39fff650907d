/* audio: picks a backend (JACK, then ALSA, then the null clock) and holds
 * what every backend shares: the engine pointer, state, xruns and the
 * period bracket that tests hook into. */
#include "audio_backend.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static Audio *audio_alloc(const AudioOptions *opts)
{
    Audio *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    if (opts)
        a->opts = *opts;
    a->device = dup_or_null(a->opts.device);
    a->client_name = dup_or_null(a->opts.client_name);
    a->connect = dup_or_null(a->opts.connect);
    if ((a->opts.device && !a->device) ||
        (a->opts.client_name && !a->client_name) ||
        (a->opts.connect && !a->connect)) {
        free(a->device);
        free(a->client_name);
        free(a->connect);
        free(a);
        return NULL;
    }
    a->opts.device = a->device;
    a->opts.client_name = a->client_name;
    a->opts.connect = a->connect;
    a->opts.backend = NULL; /* the choice lives in a->backend */
    if (!a->opts.rate)
        a->opts.rate = 48000;
    if (!a->opts.period)
        a->opts.period = 256;
    atomic_store(&a->rows_per_beat, 4);
    atomic_store(&a->song_bpm_tenths, 1250);
    atomic_store(&a->song_speed, 6);
    atomic_store(&a->state, AUDIO_STATE_STOPPED);
    return a;
}

void audio_set_midi(Audio *a, MidiRoute *route)
{
    atomic_store(&a->midi, route);
}

static void timing_free(TimingScan *scan)
{
    if (scan)
        timing_deinit(scan);
    free(scan);
}

static void audio_dealloc(Audio *a)
{
    timing_free(atomic_load(&a->timing));
    free(a->capture_buf);
    free(a->device);
    free(a->client_name);
    free(a->connect);
    free(a);
}

static const AudioBackend *backend_by_name(const char *name)
{
    if (!strcmp(name, "jack"))
        return &audio_jack_backend;
    if (!strcmp(name, "alsa"))
        return &audio_alsa_backend;
    if (!strcmp(name, "null"))
        return &audio_null_backend;
    return NULL;
}

HissError audio_open(Audio **out, const AudioOptions *opts, uint32_t *rate,
                     HissDiag *why)
{
    *out = NULL;
    if (why)
        why->text[0] = '\0';
    const char *want = opts ? opts->backend : NULL;
    if (want && !strcmp(want, "auto"))
        want = NULL;
    if (want && !backend_by_name(want)) {
        hiss_diag_printf(why, "unknown backend '%s' (jack, alsa or null)", want);
        return HISS_ERR_RANGE;
    }
    Audio *a = audio_alloc(opts);
    if (!a)
        return HISS_ERR_NOMEM;

    HissError err;
    if (want) {
        a->backend = backend_by_name(want);
        err = a->backend->open(a, why);
        if (err) {
            audio_dealloc(a);
            return err;
        }
    } else {
        /* Auto: each failure's reason is kept so the one line that explains
         * the fallback names them all. */
        HissDiag jack_why = {{0}}, alsa_why = {{0}};
        a->backend = &audio_jack_backend;
        err = a->backend->open(a, &jack_why);
        if (err) {
            a->backend = &audio_alsa_backend;
            err = a->backend->open(a, &alsa_why);
            if (!err) {
                hiss_diag_printf(why, "%s; using ALSA device '%s'",
                                    jack_why.text,
                                    a->opts.device ? a->opts.device : "default");
            }
        }
        if (err) {
            a->backend = &audio_null_backend;
            err = a->backend->open(a, why);
            if (err) {
                audio_dealloc(a);
                return err;
            }
            hiss_diag_printf(why, "%s; %s; playing silently (null backend)",
                                jack_why.text, alsa_why.text);
        }
    }
    if (rate)
        *rate = atomic_load(&a->rate);
    *out = a;
    return HISS_OK;
}

int audio_channel_outputs_wanted(const Audio *a)
{
    if (!a->opts.per_channel_ports)
        return 0;
    return hiss_clampi(a->song_channels, 0, SONG_MAX_CHANNELS);
}

HissError audio_start(Audio *a, Engine *engine)
{
    if (a->started)
        return HISS_ERR_BUSY;
    atomic_store(&a->engine, engine);
    atomic_store(&a->engine_rate, atomic_load(&a->rate));
    /* Backends with ports make them in start, before their thread runs. */
    if (!a->backend->set_channels)
        atomic_store(&a->chan_live, audio_channel_outputs_wanted(a));
    HissError err = a->backend->start(a);
    if (err)
        return err;
    a->started = true;
    return HISS_OK;
}

void audio_stop(Audio *a)
{
    if (!a || !a->started)
        return;
    a->backend->stop(a);
    a->started = false;
    if (atomic_load(&a->state) == AUDIO_STATE_RUNNING)
        atomic_store(&a->state, AUDIO_STATE_STOPPED);
}

void audio_close(Audio *a)
{
    if (!a)
        return;
    audio_stop(a);
    a->backend->close(a);
    audio_dealloc(a);
}

const char *audio_name(const Audio *a)
{
    return a->backend->name;
}

AudioState audio_state(const Audio *a)
{
    return (AudioState)atomic_load(&((Audio *)a)->state);
}

uint32_t audio_xruns(const Audio *a)
{
    return atomic_load(&((Audio *)a)->xruns);
}

const char *audio_xrun_name(const Audio *a, bool brief)
{
    bool null_clock = a->backend == &audio_null_backend;
    if (brief)
        return null_clock ? "late" : "xr";
    return null_clock ? "late periods" : "xruns";
}

const char *audio_failure(const Audio *a)
{
    /* The text is complete before the state says FAILED (seq_cst store on
     * the backend's thread, seq_cst load here). */
    return audio_state(a) == AUDIO_STATE_FAILED ? a->failure : "";
}

uint32_t audio_rate(const Audio *a)
{
    return atomic_load(&((Audio *)a)->rate);
}

uint32_t audio_period(const Audio *a)
{
    return atomic_load(&((Audio *)a)->period);
}

HissError audio_reconnect(Audio *a)
{
    /* The backend knows best whether its server is still there: the state
     * can say RUNNING a moment after the server went. */
    if (!a->backend->reconnect)
        return atomic_load(&a->state) == AUDIO_STATE_RUNNING ? HISS_OK
                                                             : HISS_ERR_UNSUPPORTED;
    HissDiag why;
    return a->backend->reconnect(a, &why);
}

/* Makes the per-channel outputs match the song's channel count. Before
 * audio_start there is nothing to change: start makes them. */
static void audio_follow_channels(Audio *a)
{
    if (!a->started)
        return;
    int want = audio_channel_outputs_wanted(a);
    if (a->backend->set_channels)
        a->backend->set_channels(a, want);
    else
        atomic_store(&a->chan_live, want);
}

/* Mirrors the song's tempo for the audio thread and follows its channel
 * count. */
/* Keeps the timing scan JACK transport reads in step with the song: made
 * again for a new song (`now`), a new rate, and every half second for the
 * edits in between (an Fxx typed in moves every later bar). */
static void audio_follow_timing(Audio *a, bool now)
{
    if (a->opts.transport == AUDIO_TRANSPORT_NONE || !a->song)
        return;
    uint32_t rate = atomic_load(&a->rate);
    TimingScan *old = atomic_load(&a->timing);
    double t = hiss_now_seconds();
    if (!now && old && old->rate == rate && t - a->timing_made < 0.5)
        return;
    TimingScan *scan = malloc(sizeof *scan);
    if (!scan || timing_scan(a->song, rate, true, scan) != HISS_OK) {
        free(scan);
        return; /* out of memory: the old scan stays */
    }
    a->timing_made = t;
    atomic_store(&a->timing, scan);
    audio_wait_period(a);
    timing_free(old);
}

static void audio_follow_song(Audio *a)
{
    const Song *song = a->song;
    if (!song)
        return;
    atomic_store(&a->rows_per_beat, atomic_load(&song->rows_per_beat));
    atomic_store(&a->song_bpm_tenths, atomic_load(&song->bpm_tenths));
    atomic_store(&a->song_speed, atomic_load(&song->speed));
    int channels = atomic_load(&song->channels);
    if (channels != a->song_channels) {
        a->song_channels = channels;
        audio_follow_channels(a);
    }
}

void audio_set_song(Audio *a, const Song *song)
{
    a->song = song;
    audio_follow_song(a);
    audio_follow_timing(a, true);
}

int audio_channel_outputs(const Audio *a)
{
    return atomic_load(&((Audio *)a)->chan_live);
}

/* Says once per count when the server made fewer per-channel ports than
 * the song asks for (a server's port limit); a lost server is said
 * otherwise, and makes them all again when it returns. */
static unsigned audio_check_ports(Audio *a)
{
    int want = audio_channel_outputs_wanted(a);
    if (!a->started || audio_state(a) != AUDIO_STATE_RUNNING)
        return 0;
    if (audio_channel_outputs(a) >= want) {
        a->ports_short_said = 0;
        return 0;
    }
    if (a->ports_short_said == want)
        return 0;
    a->ports_short_said = want;
    return AUDIO_EVENT_PORTS_SHORT;
}

unsigned audio_poll(Audio *a)
{
    audio_follow_song(a);
    audio_follow_timing(a, false);
    unsigned events = a->backend->poll ? a->backend->poll(a) : 0;
    events |= audio_check_ports(a);
    if (audio_state(a) == AUDIO_STATE_FAILED && !a->failure_said) {
        a->failure_said = true;
        events |= AUDIO_EVENT_FAILED;
    }
    if (atomic_load(&a->engine) &&
        atomic_load(&a->engine_rate) != atomic_load(&a->rate))
        events |= AUDIO_EVENT_RATE_CHANGED;
    return events;
}

Engine *audio_swap_engine(Audio *a, Engine *engine, uint32_t engine_rate)
{
    /* The rate goes first as 0 so a period that sees the new engine before
     * its rate renders silence rather than the wrong pitch. */
    atomic_store(&a->engine_rate, 0);
    Engine *old = atomic_exchange(&a->engine, engine);
    atomic_store(&a->engine_rate, engine_rate);
    audio_wait_period(a);
    return old;
}

void audio_wait_period(Audio *a)
{
    /* A period that loaded the old value is still inside its bracket (odd
     * sequence); any period that begins after the caller's store sees the
     * new one (both sides seq_cst). Wait for that one period at most. */
    uint32_t seq = atomic_load(&a->period_seq);
    if (!(seq & 1u))
        return;
    /* The caller frees what the period may hold once this returns, so a
     * slow period (a loaded machine, a thread without real-time priority)
     * is waited for however long it takes: period code is bounded and
     * always ends. Only a backend that stopped running (its server killed
     * mid-period, the thread gone with it) is given up on, after 2 s. */
    struct timespec nap = {0, 200000};
    for (int i = 0; atomic_load(&a->period_seq) == seq; i++) {
        if (i >= 10000 && atomic_load(&a->state) != AUDIO_STATE_RUNNING)
            break;
        nanosleep(&nap, NULL);
    }
}

void audio_set_period_hook(Audio *a, AudioPeriodHook hook, void *ctx)
{
    a->hook = hook;
    a->hook_ctx = ctx;
}

void audio_period_begin(Audio *a)
{
    atomic_fetch_add_explicit(&a->period_seq, 1, memory_order_seq_cst);
    if (a->hook)
        a->hook(a->hook_ctx, true);
    a->period_done = 0;
    a->period_bars = 0;
}

void audio_period_end(Audio *a)
{
    if (a->hook)
        a->hook(a->hook_ctx, false);
    atomic_fetch_add_explicit(&a->period_seq, 1, memory_order_seq_cst);
}

/* [audio] The engine to render, or NULL while none at the device's rate
 * is installed. seq_cst loads: audio_wait_period's promise rests on them. */
static Engine *period_engine(Audio *a)
{
    Engine *e = atomic_load(&a->engine);
    uint32_t erate = atomic_load(&a->engine_rate);
    return e && erate == atomic_load_explicit(&a->rate, memory_order_relaxed) ? e : NULL;
}

void audio_midi_system(Audio *a, const uint8_t *bytes, size_t size, uint32_t frame,
                       uint32_t clock_frame)
{
    MidiRoute *r = atomic_load_explicit(&a->midi, memory_order_acquire);
    if (r)
        midi_route_system(r, period_engine(a), bytes, size, frame, clock_frame);
}

void audio_midi_control(Audio *a, const MidiControl *control)
{
    MidiRoute *r = atomic_load_explicit(&a->midi, memory_order_acquire);
    if (r)
        midi_route_control(r, control);
}

void audio_midi_note(Audio *a, const MidiNote *note)
{
    MidiRoute *r = atomic_load_explicit(&a->midi, memory_order_acquire);
    if (r)
        midi_route_play(r, period_engine(a), note);
}

int audio_clock_out(Audio *a, const ClockEvent **events)
{
    if (!a->rendered)
        return 0;
    return engine_clock_out(a->rendered, events);
}

int audio_render(Audio *a, float *out, float *const *chan, int chan_count,
                 uint32_t nframes)
{
    /* seq_cst load: audio_wait_period's promise rests on it. */
    int live = atomic_load(&a->chan_live);
    if (!chan || chan_count < 0)
        chan_count = 0;
    if (chan_count > live)
        chan_count = live;
    Engine *e = period_engine(a);
    a->rendered = e;
    /* Only a period with an engine takes queued notes: an Audio being
     * replaced (audio_fall_back) has none left, so the queue's one reader
     * is always one thread. */
    MidiRoute *route = e ? atomic_load_explicit(&a->midi, memory_order_acquire) : NULL;
    if (route)
        midi_route_drain(route, e, atomic_load_explicit(&a->rate, memory_order_relaxed), nframes,
                         hiss_now_seconds());
    if (!e) {
        memset(out, 0, sizeof(float) * 2 * nframes);
        for (int c = 0; c < chan_count; c++)
            if (chan[c])
                memset(chan[c], 0, sizeof(float) * nframes);
        return chan_count;
    }
    const EngineStatus *st = engine_status(e);
    uint32_t bars = atomic_load_explicit(&st->bars_started, memory_order_relaxed);
    uint64_t first = atomic_load_explicit(&st->frames_rendered, memory_order_relaxed);
    if (chan_count > 0)
        engine_render_channels(e, out, chan, chan_count, nframes);
    else
        engine_render(e, out, nframes);
    uint32_t began = atomic_load_explicit(&st->bars_started, memory_order_relaxed) - bars;
    if (began) {
        /* The output lags the engine by its latency: the bar is heard
         * that much later, which is where a take in time begins. */
        uint64_t bar = atomic_load_explicit(&st->bar_frame, memory_order_relaxed);
        a->period_bars += began;
        a->period_bar_at = a->period_done + (bar - first) + engine_latency(e);
    }
    a->period_done += nframes;
    return chan_count;
}
