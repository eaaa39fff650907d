/* bench_callback: the cost of hiss's JACK process callback, as the server
 * sees it. Starts its own dummy-driver jackd at 48 kHz, plays the demo and
 * a 32-channel stress song (every instrument forced to linear
 * interpolation) at 64 and 256 frames per period, 4 s each from the start
 * of the song (started by command once the client runs, as `hiss play`
 * does), then the stress song with every instrument on sinc at 64 frames,
 * then the stress song with every voice shaped (linear, envelope, filter,
 * crush, drive) at 64 frames, and times every period on the JACK thread
 * from the audio layer's period hook. Prints figures; asserts nothing about timing. The target:
 * worst under 10% of the period at 64 frames for the stress song.
 *
 * Two clocks per period: the wall clock is what the server waits for; the
 * thread's CPU clock (CLOCK_THREAD_CPUTIME_ID) is what the callback's code
 * cost, without the time the thread was preempted. On a shared virtual
 * machine neither is clean: the CPU clock still counts interrupts taken,
 * caches emptied by other processes and the time the hypervisor held the
 * virtual CPU (no steal time is reported here), so a period can cost
 * several times what the same spot of the song costs on another pass.
 * Hence, next to the worst, the 99th and 99.9th percentiles, where the
 * costliest periods fell in the song (the same spot each time would be
 * hiss's doing; scattered spots are the machine's), and a figure the
 * neighbours can hardly move: the engine alone on this thread rendering
 * the whole song several times from its start, each period's cost taken
 * as its least over the passes; its worst is what the song itself
 * demands. Every callback of the song counts, the first ones included
 * (shown apart too: page faults or cold caches there would be a glitch at
 * play start), and the silent ones before it are shown on their own. */
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

enum {
    RATE = 48000,
    MAX_PERIODS = 1 << 16, /* records kept per run; 4 s at 64 frames is 3000 */
    FIRST_PERIODS = 50,    /* "the first periods" */
    WORST_SHOWN = 5,
    ALONE_PASSES = 3,
};
#define RUN_SECONDS 4.0

typedef struct {
    uint32_t wall_ns, cpu_ns;
    uint32_t faults;
    int16_t order, row; /* where the song was at the end of the period */
    bool playing;
} PeriodRecord;

typedef struct {
    const Engine *engine;
    struct timespec started, started_cpu;
    long faults_at_start;
    _Atomic uint32_t count;
    PeriodRecord rec[MAX_PERIODS];
} Timing;

static uint32_t elapsed_ns(const struct timespec *from, const struct timespec *to)
{
    uint64_t ns = (uint64_t)(to->tv_sec - from->tv_sec) * 1000000000u +
                  (uint64_t)(to->tv_nsec - from->tv_nsec);
    return ns > UINT32_MAX ? UINT32_MAX : (uint32_t)ns;
}

static long thread_faults(void)
{
    struct rusage ru;
    getrusage(RUSAGE_THREAD, &ru);
    return ru.ru_minflt + ru.ru_majflt;
}

/* The fault count is read outside the timed stretch (it is a system call
 * itself); the clocks are read innermost. */
static void timing_hook(void *ctx, bool entering)
{
    Timing *t = ctx;
    if (entering) {
        t->faults_at_start = thread_faults();
        clock_gettime(CLOCK_MONOTONIC, &t->started);
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t->started_cpu);
        return;
    }
    struct timespec now, now_cpu;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now_cpu);
    clock_gettime(CLOCK_MONOTONIC, &now);
    long faults = thread_faults() - t->faults_at_start;
    uint32_t n = atomic_load_explicit(&t->count, memory_order_relaxed);
    if (n >= MAX_PERIODS)
        return;
    const EngineStatus *st = engine_status(t->engine);
    t->rec[n] = (PeriodRecord){
        .wall_ns = elapsed_ns(&t->started, &now),
        .cpu_ns = elapsed_ns(&t->started_cpu, &now_cpu),
        .faults = faults > 0 ? (uint32_t)faults : 0,
        .order = (int16_t)atomic_load_explicit(&st->order, memory_order_relaxed),
        .row = (int16_t)atomic_load_explicit(&st->row, memory_order_relaxed),
        .playing = atomic_load_explicit(&st->playing, memory_order_relaxed),
    };
    atomic_store_explicit(&t->count, n + 1, memory_order_release);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static const PeriodRecord *sort_base;

static int cmp_cpu_desc(const void *a, const void *b)
{
    uint32_t x = sort_base[*(const uint32_t *)a].cpu_ns;
    uint32_t y = sort_base[*(const uint32_t *)b].cpu_ns;
    return x > y ? -1 : x < y;
}

typedef struct {
    double mean, p99, p999, max; /* microseconds */
} Spread;

/* Nearest-rank percentiles of n values (sorted in place). */
static Spread spread_of(uint32_t *ns, uint32_t n)
{
    Spread s = {0};
    if (!n)
        return s;
    double sum = 0;
    for (uint32_t i = 0; i < n; i++)
        sum += ns[i];
    qsort(ns, n, sizeof ns[0], cmp_u32);
    uint32_t i99 = (uint32_t)((n * 99ull + 99) / 100), i999 = (uint32_t)((n * 999ull + 999) / 1000);
    s.mean = sum / n / 1000.0;
    s.p99 = ns[(i99 ? i99 : 1) - 1] / 1000.0;
    s.p999 = ns[(i999 ? i999 : 1) - 1] / 1000.0;
    s.max = ns[n - 1] / 1000.0;
    return s;
}

static void print_spread(const char *label, Spread s, double period_us)
{
    printf("    %-10s mean %6.1f us %5.1f%%   p99 %6.1f us %5.1f%%   p99.9 %6.1f us %5.1f%%"
           "   max %6.1f us %5.1f%%\n",
           label, s.mean, 100 * s.mean / period_us, s.p99, 100 * s.p99 / period_us, s.p999,
           100 * s.p999 / period_us, s.max, 100 * s.max / period_us);
}

static uint64_t thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The engine alone, on this thread: the whole song once through (as far
 * as MAX_PERIODS reaches), rendered ALONE_PASSES times from a fresh
 * engine; each period's cost is its least over the passes. Prints the
 * worst of those and where it falls; returns it in microseconds. */
static double engine_alone(Song *song, uint32_t period, double period_us)
{
    double worst_us = 0;
    static uint32_t least[MAX_PERIODS];
    static PeriodRecord where[MAX_PERIODS];
    float *out = malloc(sizeof(float) * 2 * period);
    uint32_t periods = MAX_PERIODS;
    if (!out)
        return 0;
    for (uint32_t i = 0; i < MAX_PERIODS; i++)
        least[i] = UINT32_MAX;
    for (int pass = 0; pass < ALONE_PASSES; pass++) {
        Engine *e = engine_new(song, RATE);
        if (!e) {
            free(out);
            return 0;
        }
        const EngineStatus *st = engine_status(e);
        engine_play_song_now(e, 0, 0, false);
        for (uint32_t i = 0; i < periods; i++) {
            uint64_t t0 = thread_cpu_ns();
            engine_render(e, out, period);
            uint64_t ns = thread_cpu_ns() - t0;
            if (ns < least[i])
                least[i] = (uint32_t)ns;
            where[i].order = (int16_t)atomic_load(&st->order);
            where[i].row = (int16_t)atomic_load(&st->row);
            if (pass == 0 && atomic_load(&st->song_ended)) {
                periods = i + 1;
                break;
            }
        }
        engine_free(e);
    }
    free(out);
    uint32_t worst = 0;
    double sum = 0;
    for (uint32_t i = 0; i < periods; i++) {
        sum += least[i];
        if (least[i] > least[worst])
            worst = i;
    }
    printf("    engine alone (whole song, %u periods, %.1f s, least of %d passes): mean %.1f us "
           "%.1f%%, worst %.1f us %.1f%% (order %d row %d)\n",
           periods, periods * (double)period / RATE, ALONE_PASSES, sum / periods / 1000.0,
           sum / periods / 10.0 / period_us, least[worst] / 1000.0,
           least[worst] / 10.0 / period_us, where[worst].order, where[worst].row);
    worst_us = least[worst] / 1000.0;
    return worst_us;
}

/* One run's figures, as shares of the period. */
typedef struct {
    Spread wall, cpu;
    double alone_worst;
} Figures;

static int measure(const char *label, Song *song, uint32_t period, Figures *fig)
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
    if (!e) {
        audio_close(a);
        return 1;
    }
    t.engine = e;
    audio_set_song(a, song);
    audio_set_period_hook(a, timing_hook, &t);
    if (audio_start(a, e) != HISS_OK) {
        fprintf(stderr, "bench_callback: cannot start\n");
        audio_close(a);
        engine_free(e);
        return 1;
    }
    /* As `hiss play` does: the client runs silent a moment, then the song
     * starts by command, so the client's first callbacks and the song's
     * first row are told apart. */
    hiss_sleep_ms(100);
    EngineCommand play = {.type = ENGINE_CMD_PLAY_SONG};
    engine_send(e, &play);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    hiss_sleep_ms((int)(RUN_SECONDS * 1000));
    audio_stop(a);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    uint32_t total = atomic_load_explicit(&t.count, memory_order_acquire);
    double period_us = period * 1e6 / rate;

    /* The silent callbacks before the song (the client's first ones)
     * apart; the figures are the song's callbacks, all of them. */
    uint32_t first = 0;
    while (first < total && !t.rec[first].playing)
        first++;
    uint32_t silent_worst = 0;
    uint64_t silent_faults = 0;
    for (uint32_t i = 0; i < first; i++) {
        silent_faults += t.rec[i].faults;
        if (t.rec[i].cpu_ns > silent_worst)
            silent_worst = t.rec[i].cpu_ns;
    }
    const PeriodRecord *rec = t.rec + first;
    uint32_t n = total - first;
    static uint32_t wall[MAX_PERIODS], cpu[MAX_PERIODS];
    uint64_t faults = 0, first_faults = 0;
    uint32_t first_worst = 0;
    for (uint32_t i = 0; i < n; i++) {
        wall[i] = rec[i].wall_ns;
        cpu[i] = rec[i].cpu_ns;
        faults += rec[i].faults;
        if (i < FIRST_PERIODS) {
            first_faults += rec[i].faults;
            if (cpu[i] > first_worst)
                first_worst = cpu[i];
        }
    }
    printf("%s, %u frames (period %.0f us): %.1f s to order %d row %d, %u callbacks, %u "
           "xruns, %llu page faults\n", label, period, period_us, elapsed_ns(&t0, &t1) / 1e9,
           n ? rec[n - 1].order : 0, n ? rec[n - 1].row : 0, n, audio_xruns(a),
           (unsigned long long)faults);
    fig->wall = spread_of(wall, n);
    fig->cpu = spread_of(cpu, n);
    print_spread("wall", fig->wall, period_us);
    print_spread("thread CPU", fig->cpu, period_us);
    printf("    before the song: %u silent callbacks, the first %.1f us, worst CPU %.1f us, "
           "%llu page faults; the song's first %d: worst CPU %.1f us %.1f%% (the very first "
           "%.1f us), %llu page faults\n", first, first < total ? t.rec[0].cpu_ns / 1000.0 : 0.0,
           silent_worst / 1000.0, (unsigned long long)silent_faults, FIRST_PERIODS, first_worst / 1000.0,
           first_worst / 10.0 / period_us, n ? rec[0].cpu_ns / 1000.0 : 0.0,
           (unsigned long long)first_faults);

    /* Where the costliest callbacks fell: the same song position every
     * time means the song demands it; scattered positions mean the
     * machine took the time. */
    static uint32_t by_cost[MAX_PERIODS];
    for (uint32_t i = 0; i < n; i++)
        by_cost[i] = i;
    sort_base = rec;
    qsort(by_cost, n, sizeof by_cost[0], cmp_cpu_desc);
    printf("    worst CPU at song callback:");
    for (uint32_t k = 0; k < WORST_SHOWN && k < n; k++) {
        const PeriodRecord *r = &rec[by_cost[k]];
        printf("%s #%u (order %d row %d) %.0f us", k ? ";" : "", by_cost[k], r->order, r->row,
               r->cpu_ns / 1000.0);
    }
    printf("\n");
    audio_close(a);
    engine_collect_garbage(e);
    engine_free(e);
    fig->alone_worst = engine_alone(song, period, period_us);
    double to_share = 100.0 / period_us;
    Spread *sp[2] = {&fig->wall, &fig->cpu};
    for (int k = 0; k < 2; k++) {
        sp[k]->mean *= to_share;
        sp[k]->p99 *= to_share;
        sp[k]->p999 *= to_share;
        sp[k]->max *= to_share;
    }
    fig->alone_worst *= to_share;
    return 0;
}

int main(void)
{
    /* Real-time scheduling when the system grants it (as on a music
     * machine); otherwise as the tests run it. */
    JackrecServer srv = {.realtime = true};
    if (!jackrec_server_start(&srv, RATE, 64)) {
        srv.realtime = false;
        srv.name[0] = '\0';
        if (!jackrec_server_start(&srv, RATE, 64)) {
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
    if (songio_load("patterns/demo.hiss", RATE, &demo, &diag, NULL) != HISS_OK) {
        fprintf(stderr, "bench_callback: %s\n", diag.text);
        demo = NULL;
    }
    Song *stress = synth_stress(RATE);
    synth_force_interp(stress, INTERP_LINEAR);

    printf("bench_callback: hiss's JACK process callback, dummy jackd at 48 kHz, %s; "
           "%.0f s a run, every callback counted; %% = share of the period\n",
           srv.realtime ? "real-time scheduling" : "no real-time scheduling (wall "
                                                   "times include preemption)", RUN_SECONDS);
    int rc = 0;
    static Figures target, unused;
    static const uint32_t periods[] = {64, 256};
    for (size_t i = 0; i < 2 && !rc; i++) {
        if (jack_set_buffer_size(ctl, periods[i]) != 0) {
            fprintf(stderr, "bench_callback: cannot set %u frames\n", periods[i]);
            rc = 1;
            break;
        }
        hiss_sleep_ms(200);
        if (demo)
            rc |= measure("demo", demo, periods[i], &unused);
        rc |= measure("stress 32ch linear", stress, periods[i], i == 0 ? &target : &unused);
    }
    static Figures sinc;
    if (!rc && jack_set_buffer_size(ctl, 64) == 0) {
        hiss_sleep_ms(200);
        synth_force_interp(stress, INTERP_SINC);
        rc |= measure("stress 32ch sinc", stress, 64, &sinc);
    }
    static Figures shaped;
    if (!rc) {
        synth_force_interp(stress, INTERP_LINEAR);
        synth_shape_all(stress, false);
        rc |= measure("stress 32ch shaped", stress, 64, &shaped);
    }
    if (!rc)
        printf("shaped (envelope, filter, crush, drive), 32 voices, 64 frames: mean %.1f%% "
               "of the period, worst %.1f%% (thread CPU; wall mean %.1f%%, worst %.1f%%), "
               "engine alone worst %.1f%%\n",
               shaped.cpu.mean, shaped.cpu.max, shaped.wall.mean, shaped.wall.max,
               shaped.alone_worst);
    /* The mix as it stands: every channel through its bus and strip (faders
     * and pans set apart), the master EQ with all five bands working. */
    static Figures mix;
    if (!rc) {
        Song *whole = synth_stress(RATE);
        synth_force_interp(whole, INTERP_LINEAR);
        for (int c = 0; c < SONG_MAX_CHANNELS; c++) {
            atomic_store(&whole->strips[c].gain_tenth_db, -30 - 5 * (c % 7));
            atomic_store(&whole->strips[c].pan, -90 + 6 * (c % 31));
        }
        SongEqShared *eq = &whole->master_eq;
        atomic_store(&eq->low_cut_hz, 30);
        atomic_store(&eq->low_shelf_tenth_db, 20);
        atomic_store(&eq->mid_tenth_db, -30);
        atomic_store(&eq->high_shelf_tenth_db, 15);
        atomic_store(&eq->high_cut_hz, 16000);
        /* Both send buses fed by every channel (the delay into the reverb
         * too), half the channels ducked under channel 1's notes, the glue
         * compressor working and the limiter holding its ceiling. */
        for (int c = 0; c < 32; c++) {
            atomic_store(&whole->strips[c].send_tenth_db[0], -120);
            atomic_store(&whole->strips[c].send_tenth_db[1], -150);
            if (c % 2)
                atomic_store(&whole->strips[c].duck_from, 1);
            /* Inserts on every channel: an EQ with three bands working and
             * a compressor, half of them keyed from channel 1. */
            SongEq ceq = song_eq_default();
            ceq.low_cut_hz = 40;
            ceq.mid_tenth_db = 30;
            ceq.high_shelf_tenth_db = -20;
            song_eq_store(&whole->strips[c].eq, &ceq);
            atomic_store(&whole->strips[c].comp[SONG_GLUE_ON], 1);
            atomic_store(&whole->strips[c].comp[SONG_GLUE_THRESHOLD], -300);
            atomic_store(&whole->strips[c].comp[SONG_COMP_KEY], c % 2);
        }
        atomic_store(&whole->tape[SONG_TAPE_DRIVE], 30);
        atomic_store(&whole->delay[SONG_DELAY_TO_REVERB], -60);
        atomic_store(&whole->delay[SONG_DELAY_WOBBLE], 30);
        atomic_store(&whole->glue[SONG_GLUE_ON], 1);
        atomic_store(&whole->glue[SONG_GLUE_THRESHOLD], -200);
        atomic_store(&whole->master_gain_tenth_db, 60);
        rc |= measure("whole mix 32ch", whole, 64, &mix);
        song_free(whole);
    }
    if (!rc)
        printf("whole mix (32 channels with EQ and compressor inserts, both sends, 16 "
               "duckers, master EQ 5 bands, glue, tape, true-peak limiter), 64 frames: mean %.1f%% of the period, worst %.1f%% (thread CPU; wall mean "
               "%.1f%%, worst %.1f%%), engine alone worst %.1f%%\n",
               mix.cpu.mean, mix.cpu.max, mix.wall.mean, mix.wall.max, mix.alone_worst);
    if (!rc)
        printf("sinc, 32 voices, 64 frames: mean %.1f%% of the period, worst %.1f%% (thread "
               "CPU; wall mean %.1f%%, worst %.1f%%), engine alone worst %.1f%%\n",
               sinc.cpu.mean, sinc.cpu.max, sinc.wall.mean, sinc.wall.max, sinc.alone_worst);
    if (!rc)
        printf("target, worst under 10%% of the period (stress, linear, 64 frames): wall max "
               "%.1f%%, thread CPU max %.1f%% (p99.9 %.1f%%, p99 %.1f%%), engine alone %.1f%%\n",
               target.wall.max, target.cpu.max, target.cpu.p999, target.cpu.p99,
               target.alone_worst);
    jack_client_close(ctl);
    jackrec_server_stop(&srv, false);
    song_free(demo);
    song_free(stress);
    return rc;
}
