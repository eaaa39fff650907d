/* audio_alsa: the fallback when no JACK server runs. A writer thread
 * renders a period, converts it to the device's sample format and writes
 * it; the blocking write is the clock. Underruns are counted and recovered
 * (snd_pcm_recover), never fatal, and lose no frame; a device that fails
 * for good ends in AUDIO_STATE_FAILED with its reason (audio_failure).
 * tests/unit/test_audio_alsa_recover.c injects each case.
 *
 * A take records from the same device's capture side, opened only while
 * the take runs (no microphone is held open otherwise) and read on the
 * writer thread without waiting, after each period is rendered
 * (tests/unit/test_take_alsa.c). */
#include "audio_backend.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alsalib.h"

/* Filled by the first open (alsalib_load), read-only after. */
static const AlsaLib *const lib = &alsalib;

typedef struct {
    snd_pcm_t *pcm;
    snd_pcm_format_t format;
    snd_pcm_uframes_t period;
    snd_pcm_uframes_t buffer;
    pthread_t thread;
    bool thread_started;
    _Atomic bool running;
    float *buf;     /* one period, interleaved stereo float */
    void *out;      /* the same period in the device's format */
    float **chan;   /* per-channel buffers, rendered but not sent anywhere */
    float *chan_data;
    int chan_count;
    /* The capture device, open only while a take records (its inputs):
     * published for the writer thread once started, taken back by
     * alsa_out_capture_close. */
    _Atomic(snd_pcm_t *) cap;
    snd_pcm_format_t cap_format;
    unsigned cap_channels;
    void *cap_raw;        /* one period in the device's format */
    float *cap_left, *cap_right;
} AlsaOut;

static const snd_pcm_format_t alsa_out_formats[] = {
    SND_PCM_FORMAT_FLOAT_LE, SND_PCM_FORMAT_S32_LE, SND_PCM_FORMAT_S16_LE,
};

static HissError alsa_out_fail(AlsaOut *o, HissDiag *why, const char *dev,
                               const char *what, int err)
{
    hiss_diag_printf(why, "ALSA device '%s': %s: %s", dev, what,
                        lib->snd_strerror(err));
    if (o->pcm)
        lib->snd_pcm_close(o->pcm);
    free(o);
    return HISS_ERR_IO;
}

static void alsa_out_quiet(const char *file, int line, const char *function, int err,
                           const char *fmt, ...)
{
    /* alsa-lib prints its own lines for every failed open; hiss says what
     * matters in one line instead (the HissDiag). */
    (void)file;
    (void)line;
    (void)function;
    (void)err;
    (void)fmt;
}

static HissError alsa_out_open(Audio *a, HissDiag *why)
{
    HissError missing = alsalib_load(why);
    if (missing)
        return missing;
    lib->snd_lib_error_set_handler(alsa_out_quiet);
    const char *dev = a->opts.device ? a->opts.device : "default";
    AlsaOut *o = calloc(1, sizeof *o);
    if (!o)
        return HISS_ERR_NOMEM;
    /* Never block inside alsa-lib without a time limit. A blocking open of
     * a busy hw device waits until another program lets go of it (a frozen
     * editor); a blocking write to a sound server that froze never returns
     * (a stop that never ends). So the device stays non-blocking: busy is
     * an error with a reason, and the writer waits for room itself, with
     * snd_pcm_wait and a timeout (alsa_out_wait_for_room). */
    int err = lib->snd_pcm_open(&o->pcm, dev, SND_PCM_STREAM_PLAYBACK, SND_PCM_NONBLOCK);
    if (err < 0) {
        o->pcm = NULL;
        return alsa_out_fail(o, why, dev, "cannot open", err);
    }
    snd_pcm_hw_params_t *hw;
    ALSALIB_ALLOCA(lib, &hw, snd_pcm_hw_params);
    if ((err = lib->snd_pcm_hw_params_any(o->pcm, hw)) < 0)
        return alsa_out_fail(o, why, dev, "no configuration", err);
    if ((err = lib->snd_pcm_hw_params_set_access(o->pcm, hw,
                                                 SND_PCM_ACCESS_RW_INTERLEAVED)) < 0)
        return alsa_out_fail(o, why, dev, "no interleaved access", err);
    err = -EINVAL;
    for (size_t i = 0; i < HISS_ARRAY_LEN(alsa_out_formats) && err < 0; i++) {
        err = lib->snd_pcm_hw_params_set_format(o->pcm, hw, alsa_out_formats[i]);
        if (err >= 0)
            o->format = alsa_out_formats[i];
    }
    if (err < 0)
        return alsa_out_fail(o, why, dev, "no float, 32- or 16-bit format", err);
    if ((err = lib->snd_pcm_hw_params_set_channels(o->pcm, hw, 2)) < 0)
        return alsa_out_fail(o, why, dev, "no stereo", err);
    unsigned rate = a->opts.rate;
    if ((err = lib->snd_pcm_hw_params_set_rate_near(o->pcm, hw, &rate, NULL)) < 0)
        return alsa_out_fail(o, why, dev, "no usable rate", err);
    snd_pcm_uframes_t period = a->opts.period;
    if ((err = lib->snd_pcm_hw_params_set_period_size_near(o->pcm, hw, &period, NULL)) < 0)
        return alsa_out_fail(o, why, dev, "no usable period size", err);
    /* Three periods: one playing, one queued, one being rendered. */
    snd_pcm_uframes_t buffer = period * 3;
    if ((err = lib->snd_pcm_hw_params_set_buffer_size_near(o->pcm, hw, &buffer)) < 0)
        return alsa_out_fail(o, why, dev, "no usable buffer size", err);
    if ((err = lib->snd_pcm_hw_params(o->pcm, hw)) < 0)
        return alsa_out_fail(o, why, dev, "cannot configure", err);
    lib->snd_pcm_hw_params_get_period_size(hw, &period, NULL);
    lib->snd_pcm_hw_params_get_buffer_size(hw, &buffer);
    lib->snd_pcm_hw_params_get_rate(hw, &rate, NULL);
    if (period == 0 || period > 65536 || rate == 0)
        return alsa_out_fail(o, why, dev, "unusable period or rate", -EINVAL);
    /* The device starts, at first and again after an underrun, only once
     * its buffer is full: recovery then begins with every period of
     * headroom rather than one, which the next slow period would underrun
     * again. A device that refuses keeps alsa-lib's defaults. */
    snd_pcm_sw_params_t *sw;
    ALSALIB_ALLOCA(lib, &sw, snd_pcm_sw_params);
    if (lib->snd_pcm_sw_params_current(o->pcm, sw) == 0 &&
        lib->snd_pcm_sw_params_set_start_threshold(o->pcm, sw, buffer - buffer % period) == 0 &&
        lib->snd_pcm_sw_params_set_avail_min(o->pcm, sw, period) == 0)
        lib->snd_pcm_sw_params(o->pcm, sw);

    o->period = period;
    o->buffer = buffer;
    o->buf = calloc(period * 2, sizeof(float));
    o->out = calloc(period * 2, sizeof(int32_t)); /* the widest format */
    if (!o->buf || !o->out) {
        free(o->buf);
        free(o->out);
        return alsa_out_fail(o, why, dev, "out of memory", -ENOMEM);
    }
    a->impl = o;
    atomic_store(&a->rate, rate);
    atomic_store(&a->period, (uint32_t)period);
    return HISS_OK;
}

static float alsa_out_clamp(float v)
{
    return v > 1.0f ? 1.0f : v < -1.0f ? -1.0f : v;
}

static void alsa_out_convert(AlsaOut *o, size_t samples)
{
    if (o->format == SND_PCM_FORMAT_FLOAT_LE) {
        memcpy(o->out, o->buf, samples * sizeof(float));
    } else if (o->format == SND_PCM_FORMAT_S32_LE) {
        int32_t *d = o->out;
        for (size_t i = 0; i < samples; i++)
            d[i] = (int32_t)((double)alsa_out_clamp(o->buf[i]) * 2147483647.0);
    } else {
        int16_t *d = o->out;
        for (size_t i = 0; i < samples; i++) {
            float v = alsa_out_clamp(o->buf[i]) * 32767.0f;
            d[i] = (int16_t)(v < 0 ? v - 0.5f : v + 0.5f);
        }
    }
}

/* A device that is never full (alsa-lib's null or file plugins) would let
 * this thread spin at full speed, and at real-time priority starve the
 * rest of the program: never run more than two buffers ahead of the wall
 * clock. A real card has a clock of its own that is never quite the wall
 * clock's; it says it is full (no room) about once a period, and each time
 * the count starts afresh, so drift never adds up and the allowance (twice
 * what the card can hold) is never reached: a card is never made to wait
 * on the wall clock and run dry. */
typedef struct {
    struct timespec origin; /* when `frames` was last counted from */
    uint64_t frames;        /* frames written since, plus what the device held */
} AlsaPace;

static void alsa_out_pace(const AlsaOut *o, uint32_t rate, AlsaPace *pace,
                          bool found_full)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (found_full) {
        /* The write had to wait for room: the device is full and plays on
         * its own clock from here. */
        pace->origin = now;
        pace->frames = o->buffer;
        return;
    }
    pace->frames += o->period;
    uint64_t allowance = 2 * (uint64_t)o->buffer;
    if (pace->frames <= allowance)
        return;
    struct timespec deadline = pace->origin;
    audio_timespec_add_ns(&deadline, audio_frames_ns(pace->frames - allowance, rate));
    int64_t late = audio_timespec_diff_ns(&now, &deadline);
    if (late < 0) {
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL) == EINTR)
            ;
        return;
    }
    if (late > 1000000000) {
        /* Far behind (a stalled machine): count afresh rather than race to
         * catch up. */
        pace->origin = now;
        pace->frames = 0;
    }
}

/* How many writes in a row may move no frame although the device said it
 * could take some (recovered underruns, room announced but refused) before
 * it counts as broken: a recovered device takes audio at once, so this many
 * in a row means it never will, and the thread must not spin on it. */
enum { ALSA_OUT_MAX_STALLS = 16 };
/* How long a device may make no room at all before it counts as stopped
 * for good. Sound servers pause streams for a while when they move them
 * (another output, Bluetooth, HDMI): that is waited out. A macro, so the
 * failure message is built from the same number. */
#define ALSA_OUT_NO_ROOM_SECONDS 5
#define ALSA_OUT_STR(x) #x
#define ALSA_OUT_NO_ROOM_WHAT(s) "no room for audio in " ALSA_OUT_STR(s) " s"
/* A device that took nothing for this long and then went on was a sound
 * server that stalled (or paused the stream): the listener heard a gap,
 * which counts as an xrun even when alsa-lib reports no underrun (a
 * server's plugin often does not). Far above any period, so a busy
 * machine's scheduling does not count. */
#define ALSA_OUT_STALL_SECONDS 1
/* A suspended device wakes before the process is thawed, so resume
 * rarely asks to wait; when it does, try for about two seconds. */
enum { ALSA_OUT_RESUME_TRIES = 200, ALSA_OUT_RESUME_NAP_MS = 10 };

static const char *alsa_out_device(const Audio *a)
{
    return a->opts.device ? a->opts.device : "default";
}

/* Ends playback for good: the reason first, then the state, so whoever sees
 * FAILED finds the reason complete (audio_failure). The thread is leaving
 * its loop, so formatting here costs no period. */
static void alsa_out_give_up(Audio *a, AlsaOut *o, const char *what, int err)
{
    hiss_text_format(a->failure, sizeof a->failure, "ALSA device '%s': %s: %s",
                     alsa_out_device(a), what, lib->snd_strerror(err));
    atomic_store(&a->state, AUDIO_STATE_FAILED);
    atomic_store(&o->running, false);
}

/* Resumes after a suspend. snd_pcm_recover would wait for the device in a
 * loop without end that stop cannot interrupt; this is the same steps
 * (resume, else prepare) with a bound, leaving early when told to stop. */
static int alsa_out_resume(AlsaOut *o)
{
    for (int i = 0; i < ALSA_OUT_RESUME_TRIES && atomic_load(&o->running); i++) {
        int err = lib->snd_pcm_resume(o->pcm);
        if (err == 0)
            return 0;
        if (err != -EAGAIN)
            break; /* cannot resume in place: start the stream afresh */
        struct timespec nap = {0, ALSA_OUT_RESUME_NAP_MS * 1000000L};
        clock_nanosleep(CLOCK_MONOTONIC, 0, &nap, NULL);
    }
    if (!atomic_load(&o->running))
        return 0; /* stopping: nothing more will be written */
    return lib->snd_pcm_prepare(o->pcm);
}

/* Makes the device ready to take the rest of the period after a write or
 * a wait returned `err` (negative). Returns 0 to write again, or a negative
 * error and the words for what failed. */
static int alsa_out_recover(Audio *a, AlsaOut *o, int err, const char **what)
{
    switch (err) {
    case -EPIPE:
        /* Underrun: the device played everything it had. Preparing loses
         * nothing written; the rest of the period is written next, so the
         * sound goes on where it stopped, one gap later. Silent: the count
         * is the report (the editor's status line, hiss play's summary). */
        atomic_fetch_add(&a->xruns, 1);
        *what = "cannot recover from an underrun";
        return lib->snd_pcm_recover(o->pcm, err, 1);
    case -ESTRPIPE:
        *what = "cannot resume after a suspend";
        return alsa_out_resume(o);
    default:
        /* -EINTR is retried; anything else (the device unplugged, -ENODEV;
         * a dead driver, -EIO) is for good. */
        *what = "write failed";
        return lib->snd_pcm_recover(o->pcm, err, 1);
    }
}

/* Waits for room for a period, the usual need of a non-blocking device
 * whose buffer is full, at most two periods' time so that stop is noticed.
 * Returns 1 when there is room, 0 when the time ran out, or an error from
 * the device (an underrun, a suspend) for alsa_out_recover. */
static int alsa_out_wait_for_room(Audio *a, AlsaOut *o)
{
    uint32_t rate = atomic_load(&a->rate);
    int ms = rate ? (int)(2000u * o->period / rate) + 1 : 10;
    int w = lib->snd_pcm_wait(o->pcm, ms);
    return w == -EAGAIN ? 0 : w;
}

/* Counts one more write in a row that moved nothing; true (and given up,
 * with `err` as the reason) when that is too many. */
static bool alsa_out_stalled(Audio *a, AlsaOut *o, int *stalls, int err)
{
    if (++*stalls < ALSA_OUT_MAX_STALLS)
        return false;
    alsa_out_give_up(a, o, "no audio taken in many tries", err);
    return true;
}

/* Writes one converted period whole: a short write goes on with the rest,
 * no room is waited for, an error is recovered and the rest written.
 * *found_full says whether the device had no room at some point (it has a
 * clock: alsa_out_pace). False when playback must end (the reason is in
 * a->failure). */
static bool alsa_out_write_period(Audio *a, AlsaOut *o, size_t frame_bytes,
                                  bool *found_full)
{
    snd_pcm_uframes_t done = 0;
    int stalls = 0;
    bool waited_for_room = false; /* since the last write that moved audio */
    struct timespec progress, now;
    clock_gettime(CLOCK_MONOTONIC, &progress);
    *found_full = false;
    while (done < o->period && atomic_load(&o->running)) {
        snd_pcm_sframes_t n = lib->snd_pcm_writei(
            o->pcm, (char *)o->out + done * frame_bytes, o->period - done);
        if (n > 0) {
            done += (snd_pcm_uframes_t)n;
            stalls = 0;
            clock_gettime(CLOCK_MONOTONIC, &now);
            if (waited_for_room && audio_timespec_diff_ns(&now, &progress) >
                                       (int64_t)ALSA_OUT_STALL_SECONDS * 1000000000)
                atomic_fetch_add(&a->xruns, 1);
            waited_for_room = false;
            progress = now;
            continue;
        }
        if (n == 0 || n == -EAGAIN) {
            *found_full = waited_for_room = true;
            n = alsa_out_wait_for_room(a, o);
            if (n == 0) {
                /* No room all this time: a stream paused by its sound
                 * server, or one that froze. Time decides, not tries. */
                clock_gettime(CLOCK_MONOTONIC, &now);
                if (audio_timespec_diff_ns(&now, &progress) >
                    (int64_t)ALSA_OUT_NO_ROOM_SECONDS * 1000000000) {
                    alsa_out_give_up(a, o, ALSA_OUT_NO_ROOM_WHAT(ALSA_OUT_NO_ROOM_SECONDS),
                                     -EAGAIN);
                    return false;
                }
                continue;
            }
            if (n > 0) {
                /* Room announced: the next write takes it, or this is a
                 * device that says so and refuses, which the count ends. */
                if (alsa_out_stalled(a, o, &stalls, -EAGAIN))
                    return false;
                continue;
            }
        }
        const char *what = "write failed";
        int err = alsa_out_recover(a, o, (int)n, &what);
        if (err < 0) {
            alsa_out_give_up(a, o, what, err);
            return false;
        }
        if (alsa_out_stalled(a, o, &stalls, n < 0 ? (int)n : -EIO))
            return false;
    }
    return true;
}

/* [audio] One sample of a captured period as float. */
static float alsa_cap_sample(const AlsaOut *o, size_t i)
{
    switch (o->cap_format) {
    case SND_PCM_FORMAT_FLOAT_LE: return ((const float *)o->cap_raw)[i];
    case SND_PCM_FORMAT_S32_LE: return (float)((const int32_t *)o->cap_raw)[i] / 2147483648.0f;
    default: return (float)((const int16_t *)o->cap_raw)[i] / 32768.0f;
    }
}

/* [audio] What the capture device has, at most two periods (so a device
 * a little fast is caught up with), into the take; never waits. An
 * overrun (the take was not read for a while) is recovered and goes on. */
static void alsa_out_capture(Audio *a, AlsaOut *o)
{
    snd_pcm_t *cap = atomic_load_explicit(&o->cap, memory_order_acquire);
    for (int pass = 0; cap && pass < 2; pass++) {
        snd_pcm_sframes_t got = lib->snd_pcm_readi(cap, o->cap_raw, o->period);
        if (got == -EPIPE || got == -ESTRPIPE) {
            lib->snd_pcm_recover(cap, (int)got, 1);
            lib->snd_pcm_start(cap);
            return;
        }
        if (got <= 0)
            return;
        for (snd_pcm_sframes_t f = 0; f < got; f++) {
            size_t at = (size_t)f * o->cap_channels;
            o->cap_left[f] = alsa_cap_sample(o, at);
            o->cap_right[f] = o->cap_channels > 1 ? alsa_cap_sample(o, at + 1) : o->cap_left[f];
        }
        audio_capture_push(a, o->cap_left, o->cap_right, (uint32_t)got);
        if ((snd_pcm_uframes_t)got < o->period)
            return;
    }
}

static void *alsa_out_thread(void *arg)
{
    Audio *a = arg;
    AlsaOut *o = a->impl;
    size_t frame_bytes = (size_t)lib->snd_pcm_format_physical_width(o->format) / 8 * 2;
    uint32_t rate = atomic_load(&a->rate);
    AlsaPace pace = {.frames = 0};
    clock_gettime(CLOCK_MONOTONIC, &pace.origin);
    while (atomic_load(&o->running)) {
        audio_period_begin(a);
        audio_render(a, o->buf, o->chan, o->chan_count, (uint32_t)o->period);
        alsa_out_capture(a, o);
        alsa_out_convert(o, o->period * 2);
        audio_period_end(a);
        bool found_full;
        if (!alsa_out_write_period(a, o, frame_bytes, &found_full))
            break;
        alsa_out_pace(o, rate, &pace, found_full);
    }
    return NULL;
}

static HissError alsa_out_start(Audio *a)
{
    AlsaOut *o = a->impl;
    if (a->opts.per_channel_ports && !o->chan) {
        /* Every channel a song can have: audio_render uses chan_live. */
        o->chan = calloc(SONG_MAX_CHANNELS, sizeof(float *));
        o->chan_data = calloc((size_t)SONG_MAX_CHANNELS * o->period, sizeof(float));
        if (!o->chan || !o->chan_data) {
            free(o->chan);
            free(o->chan_data);
            o->chan = NULL;
            o->chan_data = NULL;
            return HISS_ERR_NOMEM;
        }
        for (int c = 0; c < SONG_MAX_CHANNELS; c++)
            o->chan[c] = o->chan_data + (size_t)c * o->period;
        o->chan_count = SONG_MAX_CHANNELS;
    }
    int err = lib->snd_pcm_prepare(o->pcm);
    if (err < 0)
        return HISS_ERR_IO;
    atomic_store(&o->running, true);
    /* RUNNING before the thread exists: a device that fails at its first
     * write stores FAILED, which must not be overwritten here. */
    atomic_store(&a->state, AUDIO_STATE_RUNNING);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    /* Real-time priority when the system grants it; plain otherwise. */
    struct sched_param sp = {.sched_priority = 70};
    pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
    pthread_attr_setschedpolicy(&attr, SCHED_FIFO);
    pthread_attr_setschedparam(&attr, &sp);
    err = pthread_create(&o->thread, &attr, alsa_out_thread, a);
    if (err)
        err = pthread_create(&o->thread, NULL, alsa_out_thread, a);
    pthread_attr_destroy(&attr);
    if (err) {
        atomic_store(&o->running, false);
        atomic_store(&a->state, AUDIO_STATE_STOPPED);
        return HISS_ERR_IO;
    }
    o->thread_started = true;
    return HISS_OK;
}

/* Lets what was written play out: at most the buffer, so a device still
 * draining after twice that and a tenth of a second more (a frozen sound
 * server) is dropped rather than waited on. */
static void alsa_out_drain(Audio *a, AlsaOut *o)
{
    if (lib->snd_pcm_drain(o->pcm) != -EAGAIN)
        return;
    uint32_t rate = atomic_load(&a->rate);
    uint64_t limit_ns = 2 * audio_frames_ns(o->buffer, rate ? rate : 48000) + 100000000u;
    struct timespec began, now, nap = {0, 2000000};
    clock_gettime(CLOCK_MONOTONIC, &began);
    for (;;) {
        lib->snd_pcm_avail_update(o->pcm); /* plugins move the state on here */
        if (lib->snd_pcm_state(o->pcm) != SND_PCM_STATE_DRAINING)
            return;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (audio_timespec_diff_ns(&now, &began) > (int64_t)limit_ns)
            break;
        nanosleep(&nap, NULL);
    }
    lib->snd_pcm_drop(o->pcm);
}

static void alsa_out_stop(Audio *a)
{
    AlsaOut *o = a->impl;
    if (!o->thread_started)
        return;
    atomic_store(&o->running, false);
    pthread_join(o->thread, NULL);
    o->thread_started = false;
    if (atomic_load(&a->state) == AUDIO_STATE_FAILED) {
        /* A broken device has nothing worth waiting for. */
        lib->snd_pcm_drop(o->pcm);
        return;
    }
    alsa_out_drain(a, o);
    atomic_store(&a->state, AUDIO_STATE_STOPPED);
}

/* [ui] The device's capture side at the playback's rate and period:
 * float, 32- or 16-bit, stereo or mono (a mono input fills both sides). */
static HissError alsa_out_capture_open(Audio *a, HissDiag *why)
{
    AlsaOut *o = a->impl;
    if (atomic_load(&o->cap))
        return HISS_OK;
    const char *dev = alsa_out_device(a);
    snd_pcm_t *cap = NULL;
    const char *what = "cannot open it to record";
    int err = lib->snd_pcm_open(&cap, dev, SND_PCM_STREAM_CAPTURE, SND_PCM_NONBLOCK);
    snd_pcm_hw_params_t *hw;
    ALSALIB_ALLOCA(lib, &hw, snd_pcm_hw_params);
    if (err >= 0 && (err = lib->snd_pcm_hw_params_any(cap, hw)) >= 0 &&
        (err = lib->snd_pcm_hw_params_set_access(cap, hw, SND_PCM_ACCESS_RW_INTERLEAVED)) >= 0) {
        err = -EINVAL;
        for (size_t i = 0; i < HISS_ARRAY_LEN(alsa_out_formats) && err < 0; i++)
            if ((err = lib->snd_pcm_hw_params_set_format(cap, hw, alsa_out_formats[i])) >= 0)
                o->cap_format = alsa_out_formats[i];
        what = "no float, 32- or 16-bit format to record";
    }
    if (err >= 0) {
        what = "no stereo or mono input";
        o->cap_channels = 2;
        if ((err = lib->snd_pcm_hw_params_set_channels(cap, hw, 2)) < 0 &&
            (err = lib->snd_pcm_hw_params_set_channels(cap, hw, 1)) >= 0)
            o->cap_channels = 1;
    }
    unsigned rate = atomic_load(&a->rate);
    if (err >= 0) {
        what = "cannot record at the playback's rate";
        err = lib->snd_pcm_hw_params_set_rate(cap, hw, rate, 0);
    }
    snd_pcm_uframes_t buffer = o->buffer * 2;
    if (err >= 0 && (err = lib->snd_pcm_hw_params_set_buffer_size_near(cap, hw, &buffer)) >= 0)
        err = lib->snd_pcm_hw_params(cap, hw);
    if (err >= 0) {
        what = "cannot start recording";
        err = lib->snd_pcm_prepare(cap);
    }
    if (err >= 0)
        err = lib->snd_pcm_start(cap);
    free(o->cap_raw);
    free(o->cap_left);
    free(o->cap_right);
    o->cap_raw = calloc(o->period * 2, sizeof(int32_t));
    o->cap_left = calloc(o->period, sizeof(float));
    o->cap_right = calloc(o->period, sizeof(float));
    if (err >= 0 && (!o->cap_raw || !o->cap_left || !o->cap_right)) {
        what = "out of memory";
        err = -ENOMEM;
    }
    if (err < 0) {
        hiss_diag_printf(why, "ALSA device '%s': %s: %s", dev, what, lib->snd_strerror(err));
        if (cap)
            lib->snd_pcm_close(cap);
        return HISS_ERR_IO;
    }
    atomic_store_explicit(&o->cap, cap, memory_order_release);
    return HISS_OK;
}

static void alsa_out_capture_close(Audio *a)
{
    AlsaOut *o = a->impl;
    snd_pcm_t *cap = atomic_exchange(&o->cap, NULL);
    if (!cap)
        return;
    /* The writer thread may be inside a read: let its period end. */
    audio_wait_period(a);
    lib->snd_pcm_close(cap);
}

static bool alsa_out_captures(Audio *a)
{
    (void)a;
    return true; /* whether the device records shows when a take opens it */
}

static void alsa_out_close(Audio *a)
{
    AlsaOut *o = a->impl;
    if (!o)
        return;
    snd_pcm_t *cap = atomic_exchange(&o->cap, NULL);
    if (cap)
        lib->snd_pcm_close(cap);
    free(o->cap_raw);
    free(o->cap_left);
    free(o->cap_right);
    lib->snd_pcm_close(o->pcm);
    free(o->buf);
    free(o->out);
    free(o->chan);
    free(o->chan_data);
    free(o);
    a->impl = NULL;
}

const AudioBackend audio_alsa_backend = {
    .name = "alsa",
    .open = alsa_out_open,
    .start = alsa_out_start,
    .stop = alsa_out_stop,
    .close = alsa_out_close,
    .reconnect = NULL,
    .poll = NULL,
    .captures = alsa_out_captures,
    .capture_open = alsa_out_capture_open,
    .capture_close = alsa_out_capture_close,
};
