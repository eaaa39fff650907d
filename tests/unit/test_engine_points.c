/* Point envelopes (volume, panning, bend, cutoff: song.h) measured from
 * rendered audio: on a stopped song, a note played on a channel and a
 * preview follow them tick by tick as the song's own note does. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/synth_song.h"
#include "engine.h"
#include "test.h"

#define E VOLUME_EMPTY
#define RATE 48000u
#define TICK 960u /* 125 BPM */

static void send(Engine *e, EngineCommandType type, int a, int b, int c)
{
    EngineCommand cmd = {type, a, b, c, NULL};
    CHECK(engine_send(e, &cmd));
}

static void set_points(SongEnvelope *env, int count, const int *tick, const int *value)
{
    song_envelope_clear(env);
    env->count = count;
    for (int k = 0; k < count; k++) {
        env->tick[k] = (uint16_t)tick[k];
        env->value[k] = (uint8_t)value[k];
    }
}

/* A 480 Hz looping sine on instrument 1 that fades out over 10 ticks,
 * swings from left to right and bends an octave up over 4 ticks. */
static Song *enveloped_song(void)
{
    Song *s = synth_song(1, 16, 125, 6);
    Instrument *inst = synth_instrument(synth_sine(RATE, 480.0, RATE, 1, 0.5f), LOOP_FORWARD,
                                        0, 0, INTERP_LINEAR);
    set_points(&inst->vol_env, 3, (const int[]){0, 2, 10}, (const int[]){64, 48, 0});
    set_points(&inst->pan_env, 2, (const int[]){0, 8}, (const int[]){0, 64});
    set_points(&inst->pitch_env, 2, (const int[]){0, 4}, (const int[]){32, 56});
    synth_set_instrument(s, 1, inst);
    return s;
}

static double rms(const float *out, uint32_t start, uint32_t count, int side)
{
    return synth_rms(out, start, count, side);
}

/* A note played from the keyboard on a stopped song sounds as the same
 * note does when the song plays it: each tick's level on both sides and
 * the bent pitch. */
static void stopped_note_follows_envelopes_as_playback_does(void)
{
    enum { FRAMES = 14 * TICK };
    Song *played = enveloped_song();
    synth_put(played, 0, 0, 0, NOTE_C4, 1, E, 0, 0);
    float *want = synth_render(played, RATE, FRAMES, 256);

    Song *s = enveloped_song();
    Engine *e = engine_new(s, RATE);
    float *got = calloc(2 * FRAMES, sizeof(float));
    send(e, ENGINE_CMD_LIVE_NOTE, 0, NOTE_C4, engine_live_flags(1, E, 0, false, false));
    for (uint32_t at = 0; at < FRAMES; at += 256)
        engine_render(e, got + 2 * at, FRAMES - at < 256 ? FRAMES - at : 256);
    CHECK(!atomic_load(&engine_status(e)->playing));
    double worst = 0.0;
    for (int t = 0; t < 12; t++)
        for (int side = 0; side < 2; side++) {
            double a = rms(want, (uint32_t)t * TICK, TICK, side);
            double b = rms(got, (uint32_t)t * TICK, TICK, side);
            worst = fmax(worst, fabs(a - b));
        }
    CHECK_MSG(worst < 1e-4, "largest difference of a tick's level: %.6f", worst);
    /* The envelopes did something: louder on the right by tick 7, quiet
     * by tick 9, silent after tick 11, an octave up after tick 4. */
    CHECK(rms(got, 7 * TICK, TICK, 1) > 2.0 * rms(got, 7 * TICK, TICK, 0));
    CHECK(rms(got, 9 * TICK, TICK, 1) < 0.5 * rms(got, 3 * TICK, TICK, 1));
    CHECK(rms(got, 12 * TICK, TICK, 0) + rms(got, 12 * TICK, TICK, 1) < 1e-6);
    double hz = synth_frequency(got, 5 * TICK, 3 * TICK, 1, RATE);
    CHECK_MSG(fabs(hz - 960.0) < 1.0, "bent pitch %.2f Hz", hz);
    free(got);
    free(want);
    engine_free(e);
    song_free(s);
    song_free(played);
}

/* A preview on a stopped song follows the point envelopes too. */
static void preview_follows_envelopes_when_stopped(void)
{
    enum { FRAMES = 14 * TICK };
    Song *s = enveloped_song();
    Engine *e = engine_new(s, RATE);
    float *out = calloc(2 * FRAMES, sizeof(float));
    send(e, ENGINE_CMD_PREVIEW_NOTE, 1, NOTE_C4, 64);
    for (uint32_t at = 0; at < FRAMES; at += 100)
        engine_render(e, out + 2 * at, FRAMES - at < 100 ? FRAMES - at : 100);
    double start = rms(out, 0, TICK, 0) + rms(out, 0, TICK, 1);
    double fading = rms(out, 9 * TICK, TICK, 0) + rms(out, 9 * TICK, TICK, 1);
    CHECK_MSG(start > 0.01 && fading < 0.25 * start, "tick 0 %.4f, tick 9 %.4f", start,
              fading);
    CHECK(rms(out, 12 * TICK, TICK, 0) + rms(out, 12 * TICK, TICK, 1) < 1e-6);
    CHECK(rms(out, 0, TICK / 2, 0) > 2.0 * rms(out, 0, TICK / 2, 1));
    CHECK(rms(out, 8 * TICK, TICK, 1) > 2.0 * rms(out, 8 * TICK, TICK, 0));
    double hz = synth_frequency(out, 5 * TICK, 3 * TICK, 1, RATE);
    CHECK_MSG(fabs(hz - 960.0) < 1.0, "bent pitch %.2f Hz", hz);
    free(out);
    engine_free(e);
    song_free(s);
}

int main(void)
{
    RUN(stopped_note_follows_envelopes_as_playback_does);
    RUN(preview_follows_envelopes_when_stopped);
    return test_finish();
}
