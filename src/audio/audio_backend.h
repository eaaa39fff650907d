/* audio_backend: what audio.c shares with its backends (jack, alsa, null).
 * Private to the audio_* files; everyone else uses audio.h. */
#ifndef HISS_AUDIO_BACKEND_H
#define HISS_AUDIO_BACKEND_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "audio.h"
#include "ring.h"
#include "timing.h"

/* One audio system. open fills audio->rate and audio->period; start begins
 * calling audio_render_period from the backend's real-time thread; stop ends
 * that and returns only when no period is running. */
typedef struct {
    const char *name;
    HissError (*open)(Audio *audio, HissDiag *why);
    HissError (*start)(Audio *audio);
    void (*stop)(Audio *audio);
    void (*close)(Audio *audio);
    /* NULL when the backend cannot lose its server. */
    HissError (*reconnect)(Audio *audio, HissDiag *why);
    /* [ui] backend part of audio_poll; may be NULL. */
    unsigned (*poll)(Audio *audio);
    /* [ui] Makes `count` per-channel outputs (ports) and publishes them in
     * audio->chan_live; returns how many it has now. Called while started,
     * also while a period runs. NULL when the backend's channel buffers
     * cover SONG_MAX_CHANNELS: audio.c then only moves chan_live. */
    int (*set_channels)(Audio *audio, int count);
    /* [ui] true when the backend has input ports to record from (JACK's
     * in_L, in_R); NULL: it has none. */
    bool (*captures)(Audio *audio);
    /* [ui] For a backend whose inputs are opened only for a take (ALSA's
     * capture device): opens them before the take starts, and closes
     * them once no period reads them. NULL: always open. */
    HissError (*capture_open)(Audio *audio, HissDiag *why);
    void (*capture_close)(Audio *audio);
} AudioBackend;

extern const AudioBackend audio_jack_backend;
extern const AudioBackend audio_alsa_backend;
extern const AudioBackend audio_null_backend;

/* The largest block rendered at once; longer periods are rendered in
 * pieces of this size (the engine gives the same samples either way). */
enum { AUDIO_MAX_BLOCK = 1024 };

struct Audio {
    const AudioBackend *backend;
    AudioOptions opts;          /* strings point into the copies below */
    char *device, *client_name, *connect;

    _Atomic(Engine *) engine;
    _Atomic uint32_t engine_rate; /* the rate `engine` was built for */
    _Atomic uint32_t rate;        /* the device's rate */
    _Atomic uint32_t period;      /* frames in the latest period */
    _Atomic int state;            /* AudioState */
    _Atomic uint32_t xruns;
    /* Why the backend gave up: written by the backend's thread before it
     * stores AUDIO_STATE_FAILED, read (audio_failure) only after that. */
    char failure[160];
    /* Odd while a period runs, even between: audio_swap_engine waits on it. */
    _Atomic uint32_t period_seq;

    /* Song facts mirrored for the audio thread (audio_set_song). */
    int song_channels; /* [ui] the song's channel count */
    /* Per-channel outputs the audio thread renders into: read once per
     * period, seq_cst, right after audio_period_begin. Raised only once
     * the outputs exist; lowered before they go, which waits for the
     * period that might still use them (audio_wait_period). */
    _Atomic int chan_live;
    _Atomic int rows_per_beat;
    _Atomic int song_bpm_tenths;
    _Atomic int song_speed;
    /* The song's timing scan at the device's rate, as the engine plays it
     * (looping), for JACK transport: bar/beat/tick and relocation. Made
     * on the UI thread (audio_follow_timing), read by the timebase
     * callback; replaced by pointer, the old one freed after
     * audio_wait_period. NULL without transport. */
    _Atomic(TimingScan *) timing;
    double timing_made; /* [ui] hiss_now_seconds() of the latest scan */
    const Song *song; /* [ui] only */
    int ports_short_said; /* [ui] the wanted count last reported short, or 0 */
    bool failure_said;    /* [ui] AUDIO_EVENT_FAILED was reported */

    /* Where MIDI notes go (audio_set_midi): the backend's own MIDI input
     * (JACK's midi_in) plays through it on the audio thread, and
     * audio_render plays what other threads queued in it. */
    _Atomic(MidiRoute *) midi;
    Engine *rendered; /* [audio] the engine of the last audio_render */

    /* The take being recorded (audio_capture.c): a ring of stereo frames
     * the audio thread fills from the input ports while capture_on. */
    float *capture_buf;
    _Atomic bool capture_on;
    _Atomic bool capture_started; /* false: waiting for the threshold */
    float capture_threshold;      /* linear; written before capture_on */
    /* A take that begins on a bar: bars still to start (written before
     * capture_on, then the audio thread's), and once the bar is known,
     * the frames still to pass before the take begins. */
    int capture_bars;
    bool capture_skip_known;
    uint32_t capture_skip;
    /* [audio] This period so far: frames rendered, bars the engine began
     * in them and where the latest one is heard (frames from the period's
     * start, its latency included). */
    uint32_t period_done, period_bars;
    uint64_t period_bar_at;
    _Atomic uint32_t capture_head, capture_tail, capture_dropped;

    AudioPeriodHook hook;
    void *hook_ctx;
    bool started;
    void *impl; /* the backend's own state */
};

/* [audio] Renders one period (any length) into interleaved stereo `out`
 * and, when chan is not NULL, one mono buffer per song channel, for at most
 * chan_live channels; returns how many channel buffers it filled (the
 * caller owns the rest). Outputs silence when no engine at the device's
 * rate is installed. */
int audio_render(Audio *audio, float *out, float *const *chan, int chan_count,
                 uint32_t nframes);

/* [audio, after audio_render] The MIDI clock messages of that render
 * (engine_clock_out); 0 when no engine rendered. */
int audio_clock_out(Audio *audio, const ClockEvent **events);

/* [audio] A system message (clock, start, stop...) from the backend's MIDI
 * input, at `frame` of the period and `clock_frame` on the server's
 * frame count (midi_route_system). */
void audio_midi_system(Audio *audio, const uint8_t *bytes, size_t size, uint32_t frame,
                       uint32_t clock_frame);

/* [audio] A control change from the backend's MIDI input, for the owner. */
void audio_midi_control(Audio *audio, const MidiControl *control);

/* [audio] Plays a note from the backend's MIDI input on the engine now. */
void audio_midi_note(Audio *audio, const MidiNote *note);

/* [audio] Copies the period's n input frames into the take while one is
 * recorded (right NULL: mono, left on both sides); frames that do not fit
 * are counted as dropped. Called after the period is rendered, so a take
 * waiting for a bar knows where in the period it is heard. */
void audio_capture_push(Audio *audio, const float *left, const float *right, uint32_t n);

/* [ui] Returns once any period that began before the call has ended (at
 * most ~2 s, should the audio thread hang). A store the caller made before
 * it (seq_cst) is then seen by every later period. */
void audio_wait_period(Audio *audio);

/* [audio] Bracket a period: runs the hook and keeps period_seq. */
void audio_period_begin(Audio *audio);
void audio_period_end(Audio *audio);

/* Wall-clock arithmetic for the backends that keep time themselves (null,
 * and alsa for devices without a clock). Frame counts become nanoseconds
 * without frames * 1e9, which overflows after a few days at 48 kHz. */
static inline uint64_t audio_frames_ns(uint64_t frames, uint32_t rate)
{
    return frames / rate * 1000000000u + frames % rate * 1000000000u / rate;
}

static inline void audio_timespec_add_ns(struct timespec *t, uint64_t ns)
{
    uint64_t total = (uint64_t)t->tv_nsec + ns;
    t->tv_sec += (time_t)(total / 1000000000u);
    t->tv_nsec = (long)(total % 1000000000u);
}

/* a - b in nanoseconds. */
static inline int64_t audio_timespec_diff_ns(const struct timespec *a,
                                             const struct timespec *b)
{
    return (int64_t)(a->tv_sec - b->tv_sec) * 1000000000 + (a->tv_nsec - b->tv_nsec);
}

#endif
