/* The audio dispatcher and the null backend: the clock that runs without a
 * server or a sound card. */
#include <stdatomic.h>
#include <time.h>

#include "audio.h"
#include "test.h"

typedef struct {
    _Atomic int begins, ends;
    _Atomic bool overlapped;
    _Atomic int depth;
} HookCount;

static void count_hook(void *ctx, bool entering)
{
    HookCount *h = ctx;
    if (entering) {
        if (atomic_fetch_add(&h->depth, 1) != 0)
            atomic_store(&h->overlapped, true);
        atomic_fetch_add(&h->begins, 1);
    } else {
        atomic_fetch_sub(&h->depth, 1);
        atomic_fetch_add(&h->ends, 1);
    }
}

static void null_backend_renders_at_real_time_pace(void)
{
    AudioOptions o = {.backend = "null", .rate = 44100, .period = 128};
    Audio *a = NULL;
    uint32_t rate = 0;
    HissDiag why;
    CHECK(audio_open(&a, &o, &rate, &why) == HISS_OK);
    if (!a)
        return;
    CHECK(rate == 44100);
    CHECK_STR(audio_name(a), "null");
    CHECK(audio_period(a) == 128);
    CHECK(audio_state(a) == AUDIO_STATE_STOPPED);
    Song *song = song_new();
    Engine *e = engine_new(song, rate);
    HookCount h = {0};
    audio_set_period_hook(a, count_hook, &h);
    double t0 = hiss_now_seconds();
    CHECK(audio_start(a, e) == HISS_OK);
    CHECK(audio_state(a) == AUDIO_STATE_RUNNING);
    hiss_sleep_ms(600);
    audio_stop(a);
    double elapsed = hiss_now_seconds() - t0;
    uint64_t frames = atomic_load(&engine_status(e)->frames_rendered);
    CHECK(audio_state(a) == AUDIO_STATE_STOPPED);
    CHECK(frames > 0);
    CHECK(frames % 128 == 0);
    /* Paced by the clock: never ahead of the wall by more than a period
     * (the first period is rendered at once), and not far behind it
     * either: at least half of real time, which a loaded machine still
     * reaches while a clock running at a fraction of its speed does not. */
    CHECK_MSG(frames <= (uint64_t)((elapsed * 44100.0)) + 128, "%llu frames in %.3f s",
              (unsigned long long)frames, elapsed);
    CHECK_MSG(frames >= (uint64_t)(elapsed * 44100.0 * 0.5), "%llu frames in %.3f s",
              (unsigned long long)frames, elapsed);
    CHECK(atomic_load(&h.begins) == atomic_load(&h.ends));
    CHECK((uint64_t)atomic_load(&h.begins) * 128 == frames);
    CHECK(!atomic_load(&h.overlapped));
    /* Stopped means stopped: nothing renders any more. */
    hiss_sleep_ms(30);
    CHECK(atomic_load(&engine_status(e)->frames_rendered) == frames);
    audio_close(a);
    engine_free(e);
    song_free(song);
}

/* The null clock at 48 kHz in periods of 64, opened, not started. */
static Audio *open_null_48k(void)
{
    AudioOptions o = {.backend = "null", .rate = 48000, .period = 64};
    Audio *a = NULL;
    uint32_t rate = 0;
    CHECK(audio_open(&a, &o, &rate, NULL) == HISS_OK);
    CHECK(!a || rate == 48000);
    return a;
}

static void swap_engine_hands_back_the_old_one(void)
{
    uint32_t rate = 48000;
    Audio *a = open_null_48k();
    if (!a)
        return;
    Song *song = song_new();
    Engine *e1 = engine_new(song, rate);
    Engine *e2 = engine_new(song, rate);
    CHECK(audio_start(a, e1) == HISS_OK);
    hiss_sleep_ms(20);
    Engine *old = audio_swap_engine(a, e2, rate);
    CHECK(old == e1);
    uint64_t f1 = atomic_load(&engine_status(e1)->frames_rendered);
    hiss_sleep_ms(30);
    /* Once handed back the old engine is never rendered again. */
    CHECK(atomic_load(&engine_status(e1)->frames_rendered) == f1);
    CHECK(atomic_load(&engine_status(e2)->frames_rendered) > 0);
    /* An engine at another rate is installed but kept silent, and the
     * poll says so until one at the device's rate arrives. */
    Engine *e3 = engine_new(song, 44100);
    old = audio_swap_engine(a, e3, 44100);
    CHECK(old == e2);
    CHECK(audio_poll(a) & AUDIO_EVENT_RATE_CHANGED);
    hiss_sleep_ms(20);
    CHECK(atomic_load(&engine_status(e3)->frames_rendered) == 0);
    old = audio_swap_engine(a, e2, rate);
    CHECK(old == e3);
    CHECK(!(audio_poll(a) & AUDIO_EVENT_RATE_CHANGED));
    audio_close(a);
    engine_free(e1);
    engine_free(e2);
    engine_free(e3);
    song_free(song);
}

typedef struct {
    _Atomic bool stall_next, stalling, stalled;
} StallHook;

/* Holds the next period for 6 s, as a thread preempted on a loaded machine
 * might be: longer than any fixed patience. */
static void stall_hook(void *ctx, bool entering)
{
    StallHook *h = ctx;
    if (!entering || !atomic_exchange(&h->stall_next, false))
        return;
    atomic_store(&h->stalling, true);
    hiss_sleep_ms(6000);
    atomic_store(&h->stalled, true);
}

/* The old engine is freed by the caller once swap returns, so swap must
 * wait for the period that may still be rendering it, however slow. */
static void swap_engine_waits_out_a_slow_period(void)
{
    uint32_t rate = 48000;
    Audio *a = open_null_48k();
    if (!a)
        return;
    Song *song = song_new();
    Engine *e = engine_new(song, rate);
    StallHook h = {0};
    audio_set_period_hook(a, stall_hook, &h);
    CHECK(audio_start(a, e) == HISS_OK);
    atomic_store(&h.stall_next, true);
    for (int i = 0; i < 500 && !atomic_load(&h.stalling); i++)
        hiss_sleep_ms(2);
    CHECK(atomic_load(&h.stalling));
    Engine *old = audio_swap_engine(a, NULL, 0);
    CHECK(old == e);
    CHECK_MSG(atomic_load(&h.stalled), "swap returned while the period was still running");
    audio_close(a);
    engine_free(e);
    song_free(song);
}

static void unknown_backend_is_an_error_with_a_reason(void)
{
    AudioOptions o = {.backend = "oss"};
    Audio *a = (Audio *)1;
    HissDiag why = {{0}};
    CHECK(audio_open(&a, &o, NULL, &why) != HISS_OK);
    CHECK(a == NULL);
    CHECK(strstr(why.text, "oss") != NULL);
}

int main(void)
{
    RUN(null_backend_renders_at_real_time_pace);
    RUN(swap_engine_hands_back_the_old_one);
    RUN(swap_engine_waits_out_a_slow_period);
    RUN(unknown_backend_is_an_error_with_a_reason);
    return test_finish();
}
