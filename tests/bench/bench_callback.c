/* bench_callback: the cost of hiss's JACK process callback, as the server
 * sees it. Starts its own dummy-driver jackd at 48 kHz, plays the demo and
 * a 32-channel stress song (every instrument forced to linear
 * interpolation) at 64 and 256 frames per period, and times every period
 * on the JACK thread from the audio layer's period hook: mean and worst
 * callback time, in microseconds and as a fraction of the period (the DSP
 * load). Prints figures; asserts nothing about timing. The target: worst
 * under 10% of the period at 64 frames for the stress song. */
#define _GNU_SOURCE /* RUSAGE_THREAD */
#include <jack/jack.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "audio.h"
#include "common/jackrec.h"
#include "common/synth_song.h"
#include "songio.h"

enum { WARMUP_PERIODS = 50, HISTOGRAM_US = 20000 };

/* Two clocks: the wall clock is what the server waits for (and includes
 * any time the thread was preempted); the thread's CPU clock is what the
 * callback's code itself costs. */
typedef struct {
    struct timespec started, started_cpu;
    _Atomic uint64_t count;
    _Atomic uint64_t total_ns, total_cpu_ns;
    _Atomic uint64_t worst_ns, worst_cpu_ns;
    _Atomic uint64_t seen;
    _Atomic uint64_t worst_cpu_at; /* the period it happened in */
    long faults_at_start;
    _Atomic uint64_t faults; /* page faults taken inside measured periods */
    _Atomic uint32_t wall_us[HISTOGRAM_US + 1]; /* periods by wall time, 1 us bins */
} Timing;

/* The wall time that all but one period in a thousand stayed under: the
 * worst case without the rare preemption or hypervisor stall. */
static double timing_p999_us(Timing *t)
{
    uint64_t n = atomic_load(&t->count), below = 0;
    for (int us = 0; us <= HISTOGRAM_US; us++) {
        below += atomic_load(&t->wall_us[us]);
        if (below * 1000 >= n * 999)
            return us + 1;
    }
    return HISTOGRAM_US;
}

static uint64_t elapsed_ns(const struct timespec *from, const struct timespec *to)
{
    return (uint64_t)(to->tv_sec - from->tv_sec) * 1000000000u +
           (uint64_t)(to->tv_nsec - from->tv_nsec);
}

static void keep_worst(_Atomic uint64_t *worst, uint64_t ns)
{
    if (ns > atomic_load_explicit(worst, memory_order_relaxed))
        atomic_store_explicit(worst, ns, memory_order_relaxed);
}

static void timing_hook(void *ctx, bool entering)
{
    Timing *t = ctx;
    if (entering) {
        struct rusage ru;
        getrusage(RUSAGE_THREAD, &ru);
        t->faults_at_start = ru.ru_minflt + ru.ru_majflt;
        clock_gettime(CLOCK_MONOTONIC, &t->started);
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t->started_cpu);
        return;
    }
    struct timespec now, now_cpu;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now_cpu);
    clock_gettime(CLOCK_MONOTONIC, &now);
    struct rusage ru;
    getrusage(RUSAGE_THREAD, &ru);
    long faults = ru.ru_minflt + ru.ru_majflt - t->faults_at_start;
    /* The first periods pay for page faults and cold caches once. */
    if (atomic_fetch_add_explicit(&t->seen, 1, memory_order_relaxed) < WARMUP_PERIODS)
        return;
    uint64_t ns = elapsed_ns(&t->started, &now);
    uint64_t cpu = elapsed_ns(&t->started_cpu, &now_cpu);
    atomic_fetch_add_explicit(&t->count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&t->faults, (uint64_t)faults, memory_order_relaxed);
    atomic_fetch_add_explicit(&t->wall_us[ns / 1000 < HISTOGRAM_US ? ns / 1000 : HISTOGRAM_US],
                              1, memory_order_relaxed);
    atomic_fetch_add_explicit(&t->total_ns, ns, memory_order_relaxed);
    atomic_fetch_add_explicit(&t->total_cpu_ns, cpu, memory_order_relaxed);
    keep_worst(&t->worst_ns, ns);
    if (cpu > atomic_load_explicit(&t->worst_cpu_ns, memory_order_relaxed))
        atomic_store_explicit(&t->worst_cpu_at, atomic_load(&t->seen), memory_order_relaxed);
    keep_worst(&t->worst_cpu_ns, cpu);
}

static void sleep_ms(int ms)
{
    struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

static int measure(const char *label, Song *song, uint32_t period, double seconds)
{
    static Timing t;
    memset(&t, 0, sizeof t);
    AudioOptions o = {.backend = "jack", .client_name = "hiss_bench", .no_connect = true};
    Audio *a = NULL;
    uint32_t rate = 0;
    HissDiag why = {{0}};
    if (audio_open(&a, &o, &rate, &why) != HISS_OK) {
        fprintf(stderr, "bench_callback: %s\n", why.text);
        return 1;
    }
    Engine *e = engine_new(song, rate);
    audio_set_song(a, song);
    audio_set_period_hook(a, timing_hook, &t);
    engine_play_song_now(e, 0, 0, true);
    if (audio_start(a, e) != HISS_OK) {
        fprintf(stderr, "bench_callback: cannot start\n");
        return 1;
    }
    sleep_ms((int)(seconds * 1000));
    audio_stop(a);
    uint64_t n = atomic_load(&t.count);
    double period_us = period * 1e6 / rate;
    double mean_us = n ? atomic_load(&t.total_ns) / 1000.0 / n : 0;
    double worst_us = atomic_load(&t.worst_ns) / 1000.0;
    double p999 = timing_p999_us(&t);
    double mean_cpu = n ? atomic_load(&t.total_cpu_ns) / 1000.0 / n : 0;
    double worst_cpu = atomic_load(&t.worst_cpu_ns) / 1000.0;
    printf("%-19s %4u %6.0f | %6.1f %5.1f%% %7.1f %6.1f%% %6.0f %5.1f%% | %6.1f %5.1f%% %7.1f "
           "%6.1f%% | %6llu %5u %6llu  (worst CPU in period %llu)\n",
           label, period, period_us, mean_us, 100 * mean_us / period_us, worst_us,
           100 * worst_us / period_us, p999, 100 * p999 / period_us, mean_cpu, 100 * mean_cpu / period_us, worst_cpu,
           100 * worst_cpu / period_us, (unsigned long long)n, audio_xruns(a),
           (unsigned long long)atomic_load(&t.faults),
           (unsigned long long)atomic_load(&t.worst_cpu_at));
    audio_close(a);
    engine_collect_garbage(e);
    engine_free(e);
    return 0;
}

int main(void)
{
    char name[64];
    snprintf(name, sizeof name, "hissbench_%d", (int)getpid());
    /* Real-time scheduling when the system grants it (as on a music
     * machine); otherwise as the tests run it. */
    JackrecServer srv = {.realtime = true};
    if (!jackrec_server_start(&srv, name, 48000, 64)) {
        srv.realtime = false;
        if (!jackrec_server_start(&srv, name, 48000, 64)) {
            fprintf(stderr, "bench_callback: cannot start jackd\n");
            return 1;
        }
    }
    jack_status_t st;
    jack_client_t *ctl = jack_client_open("bench_ctl", JackNoStartServer, &st);
    if (!ctl) {
        jackrec_server_stop(&srv, false);
        return 1;
    }
    Song *demo = NULL;
    HissDiag diag = {{0}};
    if (songio_load("patterns/demo.hiss", 48000, &demo, &diag, NULL) != HISS_OK) {
        fprintf(stderr, "bench_callback: %s\n", diag.text);
        demo = NULL;
    }
    Song *stress = synth_stress(48000);
    synth_force_interp(stress, INTERP_LINEAR);

    printf("bench_callback: hiss's JACK process callback, dummy jackd at 48 kHz, %s\n",
           srv.realtime ? "real-time scheduling" : "no real-time scheduling (wall "
                                                   "times include preemption)");
    printf("%-19s %4s %6s | %-42s | %-29s |\n", "", "", "period",
           "wall clock: mean, worst, 99.9th pct (load)", "thread CPU: mean, worst (load)");
    printf("%-19s %4s %6s | %6s %6s %7s %7s %6s %6s | %6s %6s %7s %7s | %6s %5s %6s\n",
           "song", "frm", "us", "us", "%", "us", "%", "us", "%", "us", "%", "us", "%",
           "periods", "xruns", "faults");
    int rc = 0;
    static const uint32_t periods[] = {64, 256};
    for (size_t i = 0; i < 2 && !rc; i++) {
        if (jack_set_buffer_size(ctl, periods[i]) != 0) {
            fprintf(stderr, "bench_callback: cannot set %u frames\n", periods[i]);
            rc = 1;
            break;
        }
        sleep_ms(200);
        if (demo)
            rc |= measure("demo", demo, periods[i], 4.0);
        rc |= measure("stress 32ch linear", stress, periods[i], 4.0);
    }
    jack_client_close(ctl);
    jackrec_server_stop(&srv, false);
    song_free(demo);
    song_free(stress);
    return rc;
}
