/* Two threads as in the program: this (UI) thread edits cells, swaps
 * instruments and installs patterns, retiring the old objects through the
 * engine and freeing what comes back; an audio thread calls engine_render
 * in a loop. Built with -fsanitize=thread by `make tsan`, where any data
 * race fails the run; in the plain and ASan builds it checks that every
 * retired object comes back exactly once and nothing leaks. Each phase runs
 * for a bounded wall time, not a bounded amount of work, so it stays short
 * under the sanitizers' slowdown. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "engine.h"
#include "sample.h"
#include "song.h"
#include "test.h"

enum { RATE = 48000, BLOCK = 256, CHANNELS = 4, INSTRUMENTS = 4 };
#define PHASE_SECONDS 0.6

typedef struct {
    Engine *engine;
    _Atomic bool stop;
    long blocks;
} AudioThread;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *audio_main(void *arg)
{
    AudioThread *t = arg;
    static float out[2 * BLOCK];
    while (!atomic_load_explicit(&t->stop, memory_order_acquire)) {
        engine_render(t->engine, out, BLOCK);
        t->blocks++;
    }
    return NULL;
}

/* A short decaying sine, so voices really read sample memory. */
static Sample *make_sample(int frames)
{
    float *data = malloc(sizeof(float) * (size_t)frames);
    for (int i = 0; i < frames; i++)
        data[i] = (float)((1.0 - (double)i / frames) *
                          ((i / 20) % 2 ? 0.5 : -0.5));
    Sample *s = sample_new(data, (uint32_t)frames, 1, RATE, (uint32_t)frames,
                           RATE);
    free(data);
    return s;
}

static Song *make_song(void)
{
    Song *song = song_new();
    atomic_store(&song->channels, CHANNELS);
    Pattern *p = song_pattern_new(16, CHANNELS);
    Pattern *old = atomic_exchange(&song->patterns[0], p);
    song_pattern_free(old);
    atomic_store(&song->bpm, 255);
    atomic_store(&song->speed, 1); /* many rows per second: many note-ons */
    for (int slot = 1; slot <= INSTRUMENTS; slot++) {
        Instrument *inst = song_instrument_new();
        inst->sample = make_sample(2000 + 500 * slot);
        inst->loop = slot % 2 ? LOOP_FORWARD : LOOP_OFF;
        inst->loop_start = 0;
        inst->loop_end = inst->sample->source_frames;
        atomic_store(&song->instruments[slot], inst);
    }
    for (int row = 0; row < 16; row++)
        for (int ch = 0; ch < CHANNELS; ch++) {
            Cell c = song_cell_empty();
            c.note = (uint8_t)(NOTE_C4 + row % 12);
            c.instrument = (uint8_t)(1 + (row + ch) % INSTRUMENTS);
            song_pattern_set(p, row, ch, c);
        }
    return song;
}

typedef struct {
    long retired, returned, cell_edits;
    int max_voices; /* seen from this thread: proof the engine was playing */
} Counts;

/* Sends a retire command, collecting returns while the ring is full: the
 * old object stays owned by the engine path until it comes back. */
static void retire(Engine *e, EngineCommandType type, void *ptr, Counts *n,
                   bool count_returns);

static void take_returns(Engine *e, Counts *n)
{
    EngineReturn r;
    while (engine_take_return(e, &r)) {
        n->returned++;
        if (r.type == ENGINE_RETURN_PATTERN)
            song_pattern_free(r.ptr);
        else if (r.type == ENGINE_RETURN_INSTRUMENT)
            song_instrument_free(r.ptr);
        else
            song_free(r.ptr);
    }
}

static void retire(Engine *e, EngineCommandType type, void *ptr, Counts *n,
                   bool count_returns)
{
    EngineCommand cmd = {type, 0, 0, 0, ptr};
    while (!engine_send(e, &cmd)) {
        if (count_returns)
            take_returns(e, n);
        else
            engine_collect_garbage(e);
        struct timespec ts = {0, 200000};
        nanosleep(&ts, NULL);
    }
    n->retired++;
}

static void edit_for_a_while(Song *song, Engine *e, Counts *n,
                             bool count_returns, unsigned seed)
{
    double end = now_seconds() + PHASE_SECONDS;
    unsigned x = seed;
    int step = 0;
    while (now_seconds() < end) {
        x = x * 1103515245u + 12345u;
        Pattern *p = song_pattern(song, 0);
        /* 1. cell edits, as typing does */
        for (int i = 0; i < 8; i++) {
            Cell c = song_cell_empty();
            c.note = (uint8_t)(NOTE_FIRST + (x >> 8) % 96);
            c.instrument = (uint8_t)(1 + (x >> 4) % INSTRUMENTS);
            c.volume = (uint8_t)((x >> 12) % 65);
            song_pattern_set(p, (int)((x >> 16) % p->rows),
                             (int)((x >> 20) % CHANNELS), c);
            n->cell_edits++;
            x = x * 1103515245u + 12345u;
        }
        /* 2. instrument change: clone, modify, swap, retire the old one */
        int slot = 1 + (int)((x >> 9) % INSTRUMENTS);
        Instrument *old_inst = song_instrument(song, slot);
        Instrument *inst = song_instrument_clone(old_inst);
        inst->volume = (int)((x >> 3) % 65);
        inst->loop = inst->loop == LOOP_OFF ? LOOP_PINGPONG : LOOP_OFF;
        atomic_store_explicit(&song->instruments[slot], inst,
                              memory_order_release);
        retire(e, ENGINE_CMD_RETIRE_INSTRUMENT, old_inst, n, count_returns);
        /* 3. every few steps, a new pattern length */
        if (step % 4 == 0) {
            int rows = 8 + (int)((x >> 5) % 57);
            Pattern *np = song_pattern_resized(p, rows, CHANNELS);
            atomic_store_explicit(&song->patterns[0], np, memory_order_release);
            retire(e, ENGINE_CMD_RETIRE_PATTERN, p, n, count_returns);
        }
        int voices = atomic_load(&engine_status(e)->voices);
        if (voices > n->max_voices)
            n->max_voices = voices;
        /* 4. take back what the engine is done with */
        if (count_returns)
            take_returns(e, n);
        else
            engine_collect_garbage(e);
        step++;
    }
}

/* After the audio thread stopped: playback stops and this thread renders
 * until every retired object came back (bounded). */
static void drain(Engine *e, Counts *n, bool count_returns)
{
    EngineCommand stop = {ENGINE_CMD_STOP, 0, 0, 0, NULL};
    engine_send(e, &stop);
    static float out[2 * BLOCK];
    for (int i = 0; i < 2000; i++) {
        engine_render(e, out, BLOCK);
        if (count_returns) {
            take_returns(e, n);
            if (n->returned >= n->retired)
                break;
        } else {
            engine_collect_garbage(e);
        }
    }
}

static void run_phase(bool count_returns, unsigned seed)
{
    Song *song = make_song();
    Engine *e = engine_new(song, RATE);
    CHECK(e != NULL);
    if (!e) {
        song_free(song);
        return;
    }
    engine_play_song_now(e, 0, 0, true);
    AudioThread t = {.engine = e, .stop = false, .blocks = 0};
    pthread_t th;
    CHECK(pthread_create(&th, NULL, audio_main, &t) == 0);
    Counts n = {0, 0, 0, 0};
    edit_for_a_while(song, e, &n, count_returns, seed);
    atomic_store_explicit(&t.stop, true, memory_order_release);
    pthread_join(th, NULL);
    drain(e, &n, count_returns);

    printf("   %s: %ld blocks rendered, %ld cell edits, %ld retired, "
           "%ld returned, up to %d voices\n",
           count_returns ? "counted" : "collect_garbage", t.blocks,
           n.cell_edits, n.retired, n.returned, n.max_voices);
    CHECK(t.blocks > 0);
    CHECK_MSG(n.max_voices > 0, "no voice ever sounded");
    CHECK(n.retired > 0);
    CHECK(atomic_load(&engine_status(e)->frames_rendered) > 0);
    if (count_returns)
        CHECK_MSG(n.returned == n.retired, "%ld of %ld retired objects "
                  "came back", n.returned, n.retired);
    engine_free(e);
    song_free(song);
}

static void retired_objects_come_back_exactly_once(void)
{
    run_phase(true, 1);
}

static void collect_garbage_while_rendering(void)
{
    run_phase(false, 2);
}

int main(void)
{
    RUN(retired_objects_come_back_exactly_once);
    RUN(collect_garbage_while_rendering);
    return test_finish();
}
