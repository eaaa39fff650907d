/* Render speed on one thread at 48 kHz stereo float, per interpolation
 * mode: the demo song (patterns/demo.hiss, or a synthetic 8-channel beat
 * when it cannot be loaded) and a 32-channel stress song. Prints figures;
 * never asserts timing. CPU time is the thread's own
 * (CLOCK_THREAD_CPUTIME_ID). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/synth_song.h"
#include "engine.h"
#include "songio.h"

#define RATE 48000u
#define BLOCK 256u

static double thread_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef struct {
    double realtime;      /* audio seconds per CPU second */
    double ns_per_voice_frame;
    double mean_voices;
} Figures;

static Figures measure(Song *song, double seconds)
{
    Engine *e = engine_new(song, RATE);
    float buf[2 * BLOCK];
    uint32_t frames = (uint32_t)(seconds * RATE);
    engine_play_song_now(e, 0, 0, true);
    engine_render(e, buf, BLOCK); /* warm up */
    double voice_frames = 0;
    double t0 = thread_seconds();
    for (uint32_t done = 0; done < frames; done += BLOCK) {
        engine_render(e, buf, BLOCK);
        voice_frames += (double)atomic_load_explicit(&engine_status(e)->voices, memory_order_relaxed) * BLOCK;
    }
    double cpu = thread_seconds() - t0;
    engine_free(e);
    Figures f = {
        .realtime = cpu > 0 ? seconds / cpu : 0,
        .ns_per_voice_frame = voice_frames > 0 ? cpu * 1e9 / voice_frames : 0,
        .mean_voices = voice_frames / frames,
    };
    return f;
}

int main(int argc, char **argv)
{
    const char *demo_path = argc > 1 ? argv[1] : "patterns/demo.hiss";
    static const InterpMode modes[3] = {INTERP_RAW, INTERP_LINEAR, INTERP_SINC};
    HissDiag diag = {{0}};
    Song *demo = NULL;
    const char *demo_name = demo_path;
    if (songio_load(demo_path, RATE, &demo, &diag, NULL) != HISS_OK) {
        fprintf(stderr, "bench_render: %s; using the synthetic beat\n", diag.text);
        demo = synth_beat(RATE);
        demo_name = "synthetic 8-channel beat";
    }
    printf("bench_render: one thread, %u Hz stereo float, blocks of %u\n", RATE, BLOCK);
    printf("demo (%s):\n", demo_name);
    Figures own = measure(demo, 60.0);
    printf("  %-6s %8.0fx real time  (%.1f voices, %.2f ns/voice-frame)\n",
           "as set", own.realtime, own.mean_voices, own.ns_per_voice_frame);
    for (int m = 0; m < 3; m++) {
        synth_force_interp(demo, modes[m]);
        Figures f = measure(demo, modes[m] == INTERP_SINC ? 20.0 : 240.0);
        printf("  %-6s %8.0fx real time  (%.1f voices, %.2f ns/voice-frame)\n",
               song_interp_name(modes[m]), f.realtime, f.mean_voices, f.ns_per_voice_frame);
    }
    song_free(demo);

    Song *stress = synth_stress(RATE);
    printf("stress (32 channels, looping samples, pitch slides):\n");
    for (int m = 0; m < 3; m++) {
        synth_force_interp(stress, modes[m]);
        Figures f = measure(stress, modes[m] == INTERP_SINC ? 3.0 : 10.0);
        printf("  %-6s %8.1fx real time  %6.2f ns/voice-frame  (%.1f voices)\n",
               song_interp_name(modes[m]), f.realtime, f.ns_per_voice_frame, f.mean_voices);
    }
    song_free(stress);
    return 0;
}
