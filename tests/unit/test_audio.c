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

typedef struct {
    _Atomic int hold_ms, spin_ms; /* the next period sleeps / burns CPU */
    _Atomic int done;
} LateHook;

/* Makes one period late: held up as a thread preempted on a busy machine
 * is (sleeping costs no CPU), or slow in its own work (spinning). */
static void late_hook(void *ctx, bool entering)
{
    LateHook *h = ctx;
    if (!entering)
        return;
    int hold = atomic_exchange(&h->hold_ms, 0);
    int spin = atomic_exchange(&h->spin_ms, 0);
    if (hold)
        hiss_sleep_ms(hold);
    if (spin) {
        double until = hiss_now_seconds() + spin / 1000.0;
        while (hiss_now_seconds() < until)
            ;
    }
    if (hold || spin)
        atomic_fetch_add(&h->done, 1);
}

static void wait_done(LateHook *h, int n)
{
    for (int i = 0; i < 1000 && atomic_load(&h->done) < n; i++)
        hiss_sleep_ms(2);
    hiss_sleep_ms(20);
}

/* The null clock has no device to run dry: a period that comes late
 * because the thread was held up (a loaded machine, here with the song
 * stopped) is no xrun, while a render that needs more of the thread's own
 * time than the period lasts is, one per such period. */
static void null_clock_counts_only_periods_it_could_not_render_in_time(void)
{
    Audio *a = open_null_48k(); /* periods of 64 frames: 1.33 ms */
    if (!a)
        return;
    Song *song = song_new();
    Engine *e = engine_new(song, 48000);
    LateHook h = {0};
    audio_set_period_hook(a, late_hook, &h);
    CHECK(audio_start(a, e) == HISS_OK);
    CHECK(!atomic_load(&engine_status(e)->playing));
    CHECK_STR(audio_xrun_name(a, false), "late periods");
    CHECK_STR(audio_xrun_name(a, true), "late");
    for (int i = 0; i < 3; i++) {
        atomic_store(&h.hold_ms, 20); /* fifteen periods late */
        wait_done(&h, i + 1);
    }
    CHECK_MSG(audio_xruns(a) == 0, "%u counted for periods held up", audio_xruns(a));
    atomic_store(&h.spin_ms, 10); /* seven periods' worth of work */
    wait_done(&h, 4);
    CHECK_MSG(audio_xruns(a) == 1, "%u counted for one slow period", audio_xruns(a));
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
    RUN(null_clock_counts_only_periods_it_could_not_render_in_time);
    RUN(swap_engine_hands_back_the_old_one);
    RUN(swap_engine_waits_out_a_slow_period);
    RUN(unknown_backend_is_an_error_with_a_reason);
    return test_finish();
}
