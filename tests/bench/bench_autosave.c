/* The autosave pause on the UI thread for the demo song, and whether the
 * audio thread notices it.
 *
 * 1. The parts of one autosave, each timed alone: the structure
 *    fingerprint taken on every loop pass, songfile_format, and the whole
 *    recovery_write (format + temporary file + fsync + rename + directory
 *    fsync) into a temporary directory.
 * 2. An audio thread renders the demo in 256-frame blocks paced at real
 *    time (one block per 5.33 ms, like a JACK period) while the UI thread
 *    autosaves every 50 ms; the longest render call with and without the
 *    autosaves shows that the audio thread never waits for them (no lock
 *    is shared). Prints figures; never asserts timing. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "autosave.h"
#include "engine.h"
#include "recovery.h"
#include "songfile.h"
#include "songio.h"

#define RATE 48000u
#define BLOCK 256u
enum { WRITES = 60 };

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *what, double *ms, int n)
{
    qsort(ms, (size_t)n, sizeof *ms, cmp_double);
    printf("  %-34s median %7.3f ms  p90 %7.3f ms  max %7.3f ms\n", what,
           ms[n / 2], ms[n * 9 / 10], ms[n - 1]);
}

typedef struct {
    Engine *engine;
    _Atomic bool stop;
    double max_render_ms;
    long blocks;
} Audio;

static void *audio_main(void *arg)
{
    Audio *a = arg;
    static float out[2 * BLOCK];
    double period = (double)BLOCK / RATE, next = hiss_now_seconds();
    while (!atomic_load(&a->stop)) {
        double t0 = hiss_now_seconds();
        engine_render(a->engine, out, BLOCK);
        double ms = (hiss_now_seconds() - t0) * 1e3;
        if (ms > a->max_render_ms)
            a->max_render_ms = ms;
        a->blocks++;
        next += period;
        double wait = next - hiss_now_seconds();
        if (wait > 0) {
            struct timespec ts = {0, (long)(wait * 1e9)};
            nanosleep(&ts, NULL);
        } else {
            next = hiss_now_seconds();
        }
    }
    return NULL;
}

/* Renders for `seconds` in real time, autosaving every 50 ms when asked;
 * returns the longest render call. */
static double play_while(Song *song, const char *song_path, double seconds,
                         bool autosave, double *longest_save_ms)
{
    Engine *e = engine_new(song, RATE);
    engine_play_song_now(e, 0, 0, true);
    Audio a = {.engine = e, .stop = false, .max_render_ms = 0, .blocks = 0};
    pthread_t th;
    pthread_create(&th, NULL, audio_main, &a);
    double end = hiss_now_seconds() + seconds;
    *longest_save_ms = 0;
    while (hiss_now_seconds() < end) {
        if (autosave) {
            double t0 = hiss_now_seconds();
            recovery_write(song, song_path, NULL, 0, NULL);
            double ms = (hiss_now_seconds() - t0) * 1e3;
            if (ms > *longest_save_ms)
                *longest_save_ms = ms;
        }
        usleep(50000);
    }
    atomic_store(&a.stop, true);
    pthread_join(th, NULL);
    engine_free(e);
    return a.max_render_ms;
}

int main(void)
{
    Song *song = NULL;
    HissDiag diag = {{0}};
    if (songio_load("patterns/demo.hiss", RATE, &song, &diag, NULL)) {
        fprintf(stderr, "bench_autosave: %s\n", diag.text);
        return 1;
    }
    char dir[256];
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/hiss-bench-autosave-XXXXXX",
             base && *base ? base : "/tmp");
    if (!mkdtemp(dir)) {
        perror(dir);
        return 1;
    }
    char song_path[300], state[300];
    snprintf(song_path, sizeof song_path, "%s/demo.hiss", dir);
    /* The index of recovery files must not gain this run's entries. */
    snprintf(state, sizeof state, "%s/state", dir);
    setenv("XDG_STATE_HOME", state, 1);

    char *text = NULL;
    size_t len = 0;
    songfile_format(song, &text, &len);
    printf("bench_autosave: demo song, %zu bytes of text, %d writes each\n",
           len, WRITES);
    free(text);

    double shape_ms[WRITES], format_ms[WRITES], write_ms[WRITES];
    volatile uint64_t sink = 0;
    for (int i = 0; i < WRITES; i++) {
        double t0 = hiss_now_seconds();
        sink ^= autosave_song_shape(song);
        double t1 = hiss_now_seconds();
        songfile_format(song, &text, &len);
        double t2 = hiss_now_seconds();
        free(text);
        recovery_write(song, song_path, NULL, 0, NULL);
        double t3 = hiss_now_seconds();
        shape_ms[i] = (t1 - t0) * 1e3;
        format_ms[i] = (t2 - t1) * 1e3;
        write_ms[i] = (t3 - t2) * 1e3;
    }
    (void)sink;
    report("structure fingerprint (every pass)", shape_ms, WRITES);
    report("songfile_format", format_ms, WRITES);
    report("recovery_write (whole autosave)", write_ms, WRITES);
    printf("  longest autosave pause on the UI thread: %.3f ms\n",
           write_ms[WRITES - 1]);

    double save_ms;
    double quiet = play_while(song, song_path, 2.0, false, &save_ms);
    double busy = play_while(song, song_path, 2.0, true, &save_ms);
    printf("  audio thread, longest 256-frame render: %.3f ms without "
           "autosaves, %.3f ms with autosaves every 50 ms (longest autosave "
           "meanwhile %.3f ms; the period is %.2f ms)\n",
           quiet, busy, save_ms, 1e3 * BLOCK / RATE);

    recovery_discard(song_path, NULL);
    char index[400];
    snprintf(index, sizeof index, "%s/hiss/recover-index", state);
    unlink(index);
    snprintf(index, sizeof index, "%s/hiss", state);
    rmdir(index);
    rmdir(state);
    rmdir(dir);
    song_free(song);
    return 0;
}
