/* shape_cost: the stress song (32 channels, linear) rendered plain or
 * with every voice shaped (envelope, pitch envelope, 24 dB filter, crush,
 * drive), for callgrind_shape.sh to count the instructions of the
 * rendering alone (callgrind's --toggle-collect=shape_cost_render).
 * Prints the voice-frames rendered, to divide the count by. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/synth_song.h"
#include "engine.h"

#define RATE 48000u
#define BLOCK 1024u

/* Not inlined: callgrind counts from its entry to its return. */
__attribute__((noinline)) double shape_cost_render(Engine *e, uint32_t frames);

double shape_cost_render(Engine *e, uint32_t frames)
{
    static float buf[2 * BLOCK];
    double voice_frames = 0;
    for (uint32_t done = 0; done < frames; done += BLOCK) {
        engine_render(e, buf, BLOCK);
        voice_frames += (double)atomic_load_explicit(&engine_status(e)->voices,
                                                     memory_order_relaxed) * BLOCK;
    }
    return voice_frames;
}

int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[1], "plain") && strcmp(argv[1], "shaped"))) {
        fprintf(stderr, "usage: shape_cost plain|shaped SECONDS\n");
        return 2;
    }
    double seconds = atof(argv[2]);
    Song *stress = synth_stress(RATE);
    atomic_store(&stress->limiter, false);
    synth_force_interp(stress, INTERP_LINEAR);
    if (!strcmp(argv[1], "shaped")) {
        synth_shape_all(stress, false);
        for (int i = 1; i <= SONG_MAX_INSTRUMENTS; i++)
            if (song_instrument(stress, i))
                song_instrument(stress, i)->shape[SHAPE_FILTER] = SHAPE_FILTER_LP24;
    }
    Engine *e = engine_new(stress, RATE);
    if (!e) {
        fprintf(stderr, "shape_cost: no engine\n");
        return 1;
    }
    engine_play_song_now(e, 0, 0, true);
    static float warm[2 * BLOCK];
    engine_render(e, warm, BLOCK);
    printf("%.0f\n", shape_cost_render(e, (uint32_t)(seconds * RATE)));
    engine_free(e);
    song_free(stress);
    return 0;
}
