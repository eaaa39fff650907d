/* Render speed on one thread at 48 kHz stereo float, per interpolation
 * mode: the demo song (patterns/demo.hiss, or a synthetic 8-channel beat
 * when it cannot be loaded) as shipped and forced to each mode, and a
 * 32-channel stress song; then what engine_new costs. Prints figures next
 * to their targets; never asserts timing. CPU time is the thread's own
 * (CLOCK_THREAD_CPUTIME_ID).
 *
 * The demo renders as `hiss render` renders it (blocks of
 * CLI_RENDER_BLOCK, no channel meters, the song once through), and as a
 * live period of BLOCK frames with the meters a screen reads. Its figures
 * are the best of several runs: on a shared machine a run is slowed by
 * others, never sped, and the slow spells last seconds, so many short
 * runs (the song once through renders in under a tenth of a second)
 * find a clean one where a few long ones may not. */
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "common/synth_song.h"
#include "engine.h"
#include "fpmode.h"
#include "songio.h"
#include "timing.h"
#include "voicefx.h"

#define RATE 48000u
#define BLOCK 1024u
#define DEMO_RUNS 7
/* Runs of the demo as hiss render renders it: each the song once
 * through, so as many more as they are shorter than the others. */
#define DEMO_PASS_RUNS 21

static double thread_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef struct {
    double realtime;      /* audio seconds per CPU second */
    double ns_per_voice_frame;
    double ns_per_frame;  /* CPU per output frame, whatever the voices */
    double mean_voices;
} Figures;

/* How the engine is called: frames a call, and whether the channels'
 * meters are measured. */
typedef struct {
    uint32_t block;
    bool meters;
} Calls;

static const Calls LIVE = {BLOCK, true};
static const Calls AS_RENDER = {CLI_RENDER_BLOCK, false};

static Figures measure_calls(Song *song, double seconds, Calls calls)
{
    Engine *e = engine_new(song, RATE);
    static float buf[2 * CLI_RENDER_BLOCK];
    uint32_t frames = (uint32_t)(seconds * RATE);
    engine_set_channel_meters(e, calls.meters);
    engine_play_song_now(e, 0, 0, true);
    engine_render(e, buf, BLOCK); /* warm up */
    double voice_frames = 0;
    double t0 = thread_seconds();
    for (uint32_t done = 0; done < frames; done += calls.block) {
        engine_render(e, buf, calls.block);
        voice_frames += (double)atomic_load_explicit(&engine_status(e)->voices, memory_order_relaxed) * calls.block;
    }
    double cpu = thread_seconds() - t0;
    engine_free(e);
    Figures f = {
        .realtime = cpu > 0 ? seconds / cpu : 0,
        .ns_per_voice_frame = voice_frames > 0 ? cpu * 1e9 / voice_frames : 0,
        .ns_per_frame = frames ? cpu * 1e9 / frames : 0,
        .mean_voices = voice_frames / frames,
    };
    return f;
}

static Figures measure(Song *song, double seconds)
{
    return measure_calls(song, seconds, LIVE);
}

/* The fastest of `runs` renders. */
static Figures measure_best(Song *song, double seconds, Calls calls, int runs)
{
    Figures best = measure_calls(song, seconds, calls);
    for (int run = 1; run < runs; run++) {
        Figures f = measure_calls(song, seconds, calls);
        if (f.realtime > best.realtime)
            best = f;
    }
    return best;
}

static const InterpMode MODES[INTERP_COUNT] = {INTERP_RAW, INTERP_LINEAR, INTERP_CUBIC,
                                                INTERP_SINC};
/* ns per voice-frame on the stress song, per mode (issue targets). */
static const double STRESS_TARGET_NS[INTERP_COUNT] = {1.0, 1.5, 2.5, 6.0};

static size_t heap_in_use(void)
{
    struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd;
}

/* engine_new's time (the first call, which also builds the sinc tables,
 * and the mean of later ones) and the heap it takes for its 128 voices. */
static void engine_new_figures(Song *song)
{
    double t0 = thread_seconds();
    size_t before = heap_in_use();
    Engine *first = engine_new(song, RATE);
    double first_ms = (thread_seconds() - t0) * 1e3;
    size_t bytes = heap_in_use() - before;
    engine_free(first);
    enum { COUNT = 50 };
    t0 = thread_seconds();
    for (int i = 0; i < COUNT; i++)
        engine_free(engine_new(song, RATE));
    double mean_ms = (thread_seconds() - t0) * 1e3 / COUNT;
    /* The send buses' lines are made only for a song that uses a send. */
    int was = atomic_load(&song->strips[0].send_tenth_db[SONG_SEND_DELAY]);
    atomic_store(&song->strips[0].send_tenth_db[SONG_SEND_DELAY], -60);
    before = heap_in_use();
    Engine *sent = engine_new(song, RATE);
    size_t sent_bytes = heap_in_use() - before;
    engine_free(sent);
    atomic_store(&song->strips[0].send_tenth_db[SONG_SEND_DELAY], was);
    printf("engine_new: %.3f ms (first in the process, with the sinc tables: %.3f ms), "
           "%.0f KiB for %d voices (%.0f KiB with a send in use); target <= 5 ms, "
           "< 1024 KiB\n",
           mean_ms, first_ms, bytes / 1024.0, ENGINE_MAX_VOICES, sent_bytes / 1024.0);
}

/* 16 voices of one looping stereo noise sample at `rate`, at its own
 * pitch: the cost of each mode at one step (rate / 48 kHz). */
static void per_step(void)
{
    static const uint32_t rates[] = {22050, 44100, 72000, 96000, 144000};
    printf("per voice-frame at one step (16 voices, stereo noise, looped), ns:\n");
    printf("  %-8s", "step");
    for (int m = 0; m < INTERP_COUNT; m++)
        printf(" %8s", song_interp_name(MODES[m]));
    printf("\n");
    for (size_t k = 0; k < sizeof rates / sizeof rates[0]; k++) {
        Song *s = synth_song(16, 64, 125, 6);
        synth_set_instrument(s, 1, synth_instrument(synth_noise(rates[k], rates[k], 2, 0.1f, 9),
                                                    LOOP_FORWARD, 0, 0, INTERP_LINEAR));
        for (int c = 0; c < 16; c++)
            synth_put(s, 0, 0, c, NOTE_C4, 1, 0x10, 0, 0);
        printf("  %-8.3f", (double)rates[k] / RATE);
        for (int m = 0; m < INTERP_COUNT; m++) {
            synth_force_interp(s, MODES[m]);
            /* The levels a loaded song's sinc notes get (songio_load). */
            if (MODES[m] == INTERP_SINC)
                songio_add_sinc_levels(s, RATE, NULL);
            printf(" %8.2f", measure(s, 2.0).ns_per_voice_frame);
        }
        printf("\n");
        song_free(s);
    }
}

/* A resonant 24 dB filter (a channel insert) ringing down on silence
 * for 10 s after a click, with flush-to-zero as every render sets it
 * (fpmode.h) or without: returns the CPU seconds; counts the denormal
 * output samples when `denormal` is given (that pass is not timed). */
static double denormal_tail_pass(bool flush, uint64_t *denormal)
{
    enum { RUN = 256 };
    int shape[SHAPE_COUNT] = {0};
    shape[SHAPE_FILTER] = SHAPE_FILTER_LP24;
    shape[SHAPE_CUTOFF] = 2000;
    shape[SHAPE_RESONANCE] = 90;
    static VoiceFx fx;
    static float buf[2 * RUN];
    voicefx_insert_start(&fx, shape, RATE);
    memset(buf, 0, sizeof buf);
    buf[0] = buf[1] = 0.5f;
    FpMode was = flush ? fpmode_flush_begin() : (FpMode){0};
    double t0 = thread_seconds();
    for (uint32_t done = 0; done < 10 * RATE; done += RUN) {
        voicefx_insert_run(&fx, buf, RUN);
        for (int i = 0; denormal && i < 2 * RUN; i++)
            *denormal += fpclassify(buf[i]) == FP_SUBNORMAL;
        memset(buf, 0, sizeof buf);
    }
    double cpu = thread_seconds() - t0;
    if (flush)
        fpmode_restore(was);
    return cpu;
}

/* Its CPU time per frame and its denormal output samples, with the mode
 * and without. Some CPUs take ten to a hundred times longer over
 * denormals, others (many AMD ones) hardly longer: the counts show what
 * the mode prevents either way. */
static void denormal_tail(void)
{
    printf("resonant 24 dB filter ringing down on silence, 10 s:\n");
    for (int flush = 1; flush >= 0; flush--) {
        uint64_t denormal = 0;
        denormal_tail_pass(flush, &denormal);
        double cpu = denormal_tail_pass(flush, NULL);
        printf("  %-24s %6.2f ns/frame, %6llu denormal samples of %u\n",
               flush ? "flush-to-zero (render):" : "without it:", cpu * 1e9 / (10.0 * RATE),
               (unsigned long long)denormal, 2 * 10 * RATE);
    }
}

int main(int argc, char **argv)
{
    const char *demo_path = argc > 1 ? argv[1] : "patterns/demo.hiss";
    HissDiag diag = {{0}};
    Song *demo = NULL;
    const char *demo_name = demo_path;
    if (songio_load(demo_path, RATE, &demo, &diag, NULL) != HISS_OK) {
        fprintf(stderr, "bench_render: %s; using the synthetic beat\n", diag.text);
        demo = synth_beat(RATE);
        demo_name = "synthetic 8-channel beat";
    }
    printf("bench_render: one thread, %u Hz stereo float, blocks of %u\n", RATE, BLOCK);
    engine_new_figures(demo);
    /* The song once through, as hiss render renders it (a song that
     * loops or never ends: four minutes of it). */
    double pass = 240.0;
    TimingScan scan;
    if (timing_scan(demo, RATE, false, &scan) == HISS_OK) {
        if (scan.end == TIMING_END_STOPS && scan.end_seconds > 1.0)
            pass = scan.end_seconds;
        timing_deinit(&scan);
    }
    printf("demo (%s), as hiss render renders it (%u frames a call, no channel meters, "
           "%.1f s once through), best of %d:\n",
           demo_name, (unsigned)CLI_RENDER_BLOCK, pass, DEMO_PASS_RUNS);
    Figures own = measure_best(demo, pass, AS_RENDER, DEMO_PASS_RUNS);
    printf("  %-6s %8.0fx real time  (%.1f voices, %.2f ns/voice-frame)  target >= 1000x\n",
           "as set", own.realtime, own.mean_voices, own.ns_per_voice_frame);
    Figures live = measure_best(demo, 240.0, LIVE, DEMO_RUNS);
    printf("  %-6s %8.0fx real time  (played: %u frames a call, channel meters on)\n", "as set",
           live.realtime, BLOCK);
    for (int m = 0; m < INTERP_COUNT; m++) {
        synth_force_interp(demo, MODES[m]);
        if (MODES[m] == INTERP_SINC)
            songio_add_sinc_levels(demo, RATE, NULL);
        Figures f = measure_best(demo, MODES[m] == INTERP_SINC ? 60.0 : 240.0, AS_RENDER,
                                 DEMO_RUNS);
        printf("  %-6s %8.0fx real time  (%.1f voices, %.2f ns/voice-frame)\n",
               song_interp_name(MODES[m]), f.realtime, f.mean_voices, f.ns_per_voice_frame);
    }
    song_free(demo);

    /* The stress song's voices and buses, with its master limiter off:
     * the per-voice figures are what the voices cost. The limiter costs
     * per output frame, whatever the voices, so it is printed apart. */
    Song *stress = synth_stress(RATE);
    atomic_store(&stress->limiter, false);
    printf("stress (32 channels, looping samples, pitch slides; master limiter off):\n");
    for (int m = 0; m < INTERP_COUNT; m++) {
        synth_force_interp(stress, MODES[m]);
        /* The levels a loaded song's sinc notes get (songio_load), and
         * what building them costs at load. */
        if (MODES[m] == INTERP_SINC) {
            double t0 = thread_seconds();
            songio_add_sinc_levels(stress, RATE, NULL);
            double ms = (thread_seconds() - t0) * 1e3;
            size_t bytes = 0, sound = 0;
            for (int i = 1; i <= SONG_MAX_INSTRUMENTS; i++) {
                const Instrument *inst = song_instrument(stress, i);
                if (inst && inst->sample) {
                    bytes += sample_bytes(inst->sample);
                    sound += (size_t)inst->sample->frames * inst->sample->channels *
                             sizeof(float);
                }
            }
            printf("  sinc levels at load: %.1f ms; the samples then hold %.0f KiB "
                   "(%.1fx their frames)\n",
                   ms, bytes / 1024.0, (double)bytes / (double)(sound ? sound : 1));
        }
        Figures f = measure(stress, MODES[m] == INTERP_SINC ? 5.0 : 20.0);
        printf("  %-6s %8.1fx real time  %6.2f ns/voice-frame  (%.1f voices)  "
               "target <= %.1f ns\n",
               song_interp_name(MODES[m]), f.realtime, f.ns_per_voice_frame,
               f.mean_voices, STRESS_TARGET_NS[m]);
    }
    synth_force_interp(stress, INTERP_LINEAR);
    Figures off = measure(stress, 10.0);
    atomic_store(&stress->limiter, true);
    Figures on = measure(stress, 10.0);
    printf("stress, linear, master limiter on: %.2f ns/voice-frame; the limiter adds "
           "%.1f ns per output frame\n",
           on.ns_per_voice_frame, on.ns_per_frame - off.ns_per_frame);
    atomic_store(&stress->limiter, false);
    /* Every voice shaped (envelope, pitch envelope, 24 dB filter, crush,
     * drive) against the same voices plain, both linear. */
    synth_force_interp(stress, INTERP_LINEAR);
    Figures plain = measure(stress, 10.0);
    synth_shape_all(stress, false);
    for (int i = 1; i <= SONG_MAX_INSTRUMENTS; i++)
        if (song_instrument(stress, i))
            song_instrument(stress, i)->shape[SHAPE_FILTER] = SHAPE_FILTER_LP24;
    Figures shaped = measure(stress, 10.0);
    printf("stress, linear, every voice shaped (envelope, 24 dB filter, crush, drive):\n"
           "  plain %.2f ns/voice-frame, shaped %.2f, added %.2f ns  target added <= 4.0 ns\n",
           plain.ns_per_voice_frame, shaped.ns_per_voice_frame,
           shaped.ns_per_voice_frame - plain.ns_per_voice_frame);
    song_free(stress);
    denormal_tail();
    per_step();
    return 0;
}
