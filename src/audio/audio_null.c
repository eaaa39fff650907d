/* audio_null: a clock without sound. A thread renders one period at a time
 * at real-time pace, sleeping to absolute deadlines so that rounding never
 * drifts, for machines with no JACK server and no sound card (and for the
 * editor to run anywhere). */
#include "audio_backend.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

typedef struct {
    pthread_t thread;
    _Atomic bool running;
    float *buf; /* one period, interleaved stereo */
    float **chan;
    float *chan_data;
    int chan_count;
} NullOut;

static HissError null_out_open(Audio *a, HissDiag *why)
{
    NullOut *n = calloc(1, sizeof *n);
    uint32_t period = a->opts.period;
    if (period > 65536)
        period = 65536;
    if (n)
        n->buf = calloc((size_t)period * 2, sizeof(float));
    if (!n || !n->buf) {
        free(n);
        hiss_diag_printf(why, "out of memory");
        return HISS_ERR_NOMEM;
    }
    a->impl = n;
    atomic_store(&a->rate, a->opts.rate);
    atomic_store(&a->period, period);
    return HISS_OK;
}

static void *null_out_thread(void *arg)
{
    Audio *a = arg;
    NullOut *n = a->impl;
    uint32_t period = atomic_load(&a->period);
    uint32_t rate = atomic_load(&a->rate);
    /* Deadlines are computed from the frame count, not summed, so a period
     * whose length in ns is not whole never drifts. */
    uint64_t frames_done = 0;
    struct timespec origin, deadline, now;
    clock_gettime(CLOCK_MONOTONIC, &origin);
    int64_t period_ns = (int64_t)audio_frames_ns(period, rate);
    while (atomic_load(&n->running)) {
        struct timespec cpu_before, cpu_after;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu_before);
        audio_period_begin(a);
        audio_render(a, n->buf, n->chan, n->chan_count, period);
        audio_period_end(a);
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu_after);
        /* There is no device here to run dry, so lateness in itself is no
         * xrun: what counts is a render that needed more of this thread's
         * own time than the period lasts, which no device could have
         * waited for. Waking late on a busy machine costs no CPU here. */
        if (audio_timespec_diff_ns(&cpu_after, &cpu_before) > period_ns)
            atomic_fetch_add(&a->xruns, 1);
        frames_done += period;
        deadline = origin;
        audio_timespec_add_ns(&deadline, audio_frames_ns(frames_done, rate));
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (audio_timespec_diff_ns(&now, &deadline) > period_ns) {
            /* More than a period behind (the machine stalled): start the
             * clock afresh rather than race to catch up. */
            origin = now;
            frames_done = 0;
            continue;
        }
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL) == EINTR)
            ;
    }
    return NULL;
}

static HissError null_out_start(Audio *a)
{
    NullOut *n = a->impl;
    if (a->opts.per_channel_ports && !n->chan) {
        /* The null device has nowhere to send channels, but rendering them
         * keeps the cost the same as with JACK ports. Buffers for every
         * channel a song can have: audio_render uses as many as the song
         * has now (chan_live), so a new channel count needs no new memory. */
        uint32_t period = atomic_load(&a->period);
        n->chan = calloc(SONG_MAX_CHANNELS, sizeof(float *));
        n->chan_data = calloc((size_t)SONG_MAX_CHANNELS * period, sizeof(float));
        if (!n->chan || !n->chan_data) {
            free(n->chan);
            free(n->chan_data);
            n->chan = NULL;
            n->chan_data = NULL;
            return HISS_ERR_NOMEM;
        }
        for (int c = 0; c < SONG_MAX_CHANNELS; c++)
            n->chan[c] = n->chan_data + (size_t)c * period;
        n->chan_count = SONG_MAX_CHANNELS;
    }
    atomic_store(&n->running, true);
    if (pthread_create(&n->thread, NULL, null_out_thread, a)) {
        atomic_store(&n->running, false);
        return HISS_ERR_IO;
    }
    atomic_store(&a->state, AUDIO_STATE_RUNNING);
    return HISS_OK;
}

static void null_out_stop(Audio *a)
{
    NullOut *n = a->impl;
    if (!atomic_load(&n->running))
        return;
    atomic_store(&n->running, false);
    pthread_join(n->thread, NULL);
    atomic_store(&a->state, AUDIO_STATE_STOPPED);
}

static void null_out_close(Audio *a)
{
    NullOut *n = a->impl;
    if (!n)
        return;
    free(n->buf);
    free(n->chan);
    free(n->chan_data);
    free(n);
    a->impl = NULL;
}

const AudioBackend audio_null_backend = {
    .name = "null",
    .open = null_out_open,
    .start = null_out_start,
    .stop = null_out_stop,
    .close = null_out_close,
    .reconnect = NULL,
    .poll = NULL,
};
