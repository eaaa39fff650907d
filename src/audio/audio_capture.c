/* audio_capture: the frames of a take, from the backend's input ports to
 * the thread that writes them to a file.
 *
 * One producer (the audio thread, audio_capture_push) and one consumer
 * (the thread that called audio_capture_start, audio_capture_read): a
 * ring of interleaved stereo frames made before the take starts, so the
 * audio thread only copies and publishes its head. What does not fit is
 * counted, never waited for. */
#include "audio_backend.h"

#include <stdlib.h>
#include <string.h>

/* About 11 s at 48 kHz: the writer drains it every few tens of ms. */
enum { CAPTURE_FRAMES = 1u << 19 };

bool audio_can_capture(const Audio *a)
{
    return a->backend->captures && a->backend->captures((Audio *)a);
}

HissError audio_capture_start(Audio *a, const AudioCaptureStart *how, HissDiag *why)
{
    if (!audio_can_capture(a)) {
        hiss_diag_printf(why, "the %s backend has no input ports to record from",
                         audio_name(a));
        return HISS_ERR_UNSUPPORTED;
    }
    if (atomic_load(&a->capture_on))
        return HISS_OK;
    if (!a->capture_buf) {
        a->capture_buf = malloc(sizeof(float) * 2 * CAPTURE_FRAMES);
        if (!a->capture_buf) {
            hiss_diag_printf(why, "out of memory for the recording buffer");
            return HISS_ERR_NOMEM;
        }
    }
    if (a->backend->capture_open) {
        HissError err = a->backend->capture_open(a, why);
        if (err)
            return err;
    }
    /* The producer is off (capture_on false and no period still inside
     * a push: audio_capture_stop waited for it), so both ends may move. */
    atomic_store(&a->capture_head, 0);
    atomic_store(&a->capture_tail, 0);
    atomic_store(&a->capture_dropped, 0);
    /* Read by the audio thread only after it sees capture_on. */
    a->capture_threshold = how->threshold;
    a->capture_bars = how->bars > 0 ? how->bars : 0;
    a->capture_skip_known = false;
    a->capture_skip = 0;
    atomic_store(&a->capture_started, !(how->threshold > 0) && !a->capture_bars);
    atomic_store(&a->capture_on, true);
    return HISS_OK;
}

void audio_capture_stop(Audio *a)
{
    if (!atomic_exchange(&a->capture_on, false))
        return;
    /* After this no period pushes: what is in the ring is the whole take. */
    audio_wait_period(a);
    if (a->backend->capture_close)
        a->backend->capture_close(a);
}

bool audio_capturing(const Audio *a)
{
    return atomic_load(&((Audio *)a)->capture_on);
}

bool audio_capture_waiting(const Audio *a)
{
    return audio_capturing(a) && !atomic_load(&((Audio *)a)->capture_started);
}

/* [audio] The first of n frames at or above the threshold on either side;
 * n when there is none. */
static uint32_t first_loud(const Audio *a, const float *left, const float *right, uint32_t n)
{
    float t = a->capture_threshold;
    for (uint32_t i = 0; i < n; i++) {
        if (left[i] >= t || left[i] <= -t)
            return i;
        if (right && (right[i] >= t || right[i] <= -t))
            return i;
    }
    return n;
}

/* [audio] Where in this period of n frames a take waiting for a bar
 * begins; n or more while it still waits. The bar may be heard periods
 * after the engine began it (its latency), so what is left is carried. */
static uint32_t bar_start(Audio *a, uint32_t n)
{
    if (!a->capture_skip_known && a->period_bars) {
        if (a->period_bars >= (uint32_t)a->capture_bars) {
            a->capture_skip_known = true;
            a->capture_skip = (uint32_t)(a->period_bar_at < UINT32_MAX ? a->period_bar_at
                                                                        : UINT32_MAX);
        } else {
            a->capture_bars -= (int)a->period_bars;
        }
    }
    if (!a->capture_skip_known)
        return n;
    if (a->capture_skip >= n) {
        a->capture_skip -= n;
        return n;
    }
    return a->capture_skip;
}

uint32_t audio_capture_dropped(const Audio *a)
{
    return atomic_load(&((Audio *)a)->capture_dropped);
}

void audio_capture_push(Audio *a, const float *left, const float *right, uint32_t n)
{
    if (!atomic_load_explicit(&a->capture_on, memory_order_acquire))
        return;
    if (!atomic_load_explicit(&a->capture_started, memory_order_relaxed)) {
        uint32_t skip = a->capture_bars ? bar_start(a, n) : first_loud(a, left, right, n);
        if (skip >= n)
            return;
        atomic_store_explicit(&a->capture_started, true, memory_order_relaxed);
        left += skip;
        right = right ? right + skip : NULL;
        n -= skip;
    }
    uint32_t head = atomic_load_explicit(&a->capture_head, memory_order_relaxed);
    uint32_t tail = atomic_load_explicit(&a->capture_tail, memory_order_acquire);
    uint32_t room = CAPTURE_FRAMES - (head - tail);
    if (n > room) {
        atomic_fetch_add_explicit(&a->capture_dropped, n - room, memory_order_relaxed);
        n = room;
    }
    float *buf = a->capture_buf;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t at = (head + i) & (CAPTURE_FRAMES - 1);
        buf[2 * at] = left[i];
        buf[2 * at + 1] = right ? right[i] : left[i];
    }
    atomic_store_explicit(&a->capture_head, head + n, memory_order_release);
}

uint32_t audio_capture_read(Audio *a, float *out, uint32_t max)
{
    if (!a->capture_buf)
        return 0;
    uint32_t tail = atomic_load_explicit(&a->capture_tail, memory_order_relaxed);
    uint32_t head = atomic_load_explicit(&a->capture_head, memory_order_acquire);
    uint32_t n = head - tail < max ? head - tail : max;
    for (uint32_t done = 0; done < n;) {
        uint32_t at = (tail + done) & (CAPTURE_FRAMES - 1);
        uint32_t run = CAPTURE_FRAMES - at < n - done ? CAPTURE_FRAMES - at : n - done;
        memcpy(out + 2 * (size_t)done, a->capture_buf + 2 * (size_t)at,
               sizeof(float) * 2 * run);
        done += run;
    }
    atomic_store_explicit(&a->capture_tail, tail + n, memory_order_release);
    return n;
}
