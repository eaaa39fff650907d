/* No state of the engine decays into denormals: after a burst of sound,
 * the rendered tail of a resonant voice filter, of a channel's filter
 * insert and of the send effects falls to zero without ever passing
 * through the denormal range (where every operation costs ten to a
 * hundred times more). Measured on the rendered audio: the tail rings
 * (it is not silent at once), and no sample of it is denormal. The
 * thread that called the render gets its own floating-point mode back. */
#include <math.h>
#include <stdlib.h>

#include "engine.h"
#include "common/synth_song.h"
#include "test.h"

enum { RATE = 48000, BURST = RATE / 10 };

/* A 0.1 s burst of a 1 kHz sine at half scale, then silence: the sample
 * plays on (sustained) while whatever follows it rings down. */
static Sample *burst_then_silence(uint32_t frames)
{
    float *buf = calloc(frames, sizeof(float));
    for (uint32_t i = 0; i < BURST; i++)
        buf[i] = 0.5f * (float)sin(2.0 * M_PI * 1000.0 * i / RATE);
    Sample *s = sample_new(buf, frames, 1, RATE);
    free(buf);
    return s;
}

typedef struct {
    uint32_t denormal;   /* samples of the mix or a channel's output */
    uint32_t ringing;    /* frames after the burst with any sound */
} Tail;

/* Renders `seconds` of `song` (a note at row 0 of channel 0) in blocks
 * of 256, and looks at the mix and channel 0's own output. */
static Tail render_tail(Song *song, double seconds)
{
    Tail t = {0, 0};
    Engine *e = engine_new(song, RATE);
    if (!e)
        return (Tail){UINT32_MAX, 0};
    engine_play_song_now(e, 0, 0, false);
    enum { BLOCK = 256 };
    static float out[2 * BLOCK], chan[BLOCK];
    float *chans[1] = {chan};
    uint32_t frames = (uint32_t)(seconds * RATE);
    for (uint32_t done = 0; done < frames; done += BLOCK) {
        engine_render_channels(e, out, chans, 1, BLOCK);
        for (uint32_t i = 0; i < BLOCK; i++) {
            t.denormal += (fpclassify(out[2 * i]) == FP_SUBNORMAL) +
                          (fpclassify(out[2 * i + 1]) == FP_SUBNORMAL) +
                          (fpclassify(chan[i]) == FP_SUBNORMAL);
            if (done + i > BURST + RATE / 100 && (out[2 * i] != 0.0f || chan[i] != 0.0f))
                t.ringing++;
        }
    }
    engine_free(e);
    return t;
}

/* One channel, the burst sample sustained, a note on row 0; the shape
 * settings are pairs of (param, value) ended by -1. */
static Song *burst_song(uint32_t frames, const int *settings)
{
    Song *s = synth_song(1, 64, 125, 6);
    Instrument *inst = synth_instrument(burst_then_silence(frames), LOOP_OFF, 0, 0,
                                        INTERP_LINEAR);
    for (int i = 0; settings[i] >= 0; i += 2)
        inst->shape[settings[i]] = settings[i + 1];
    synth_set_instrument(s, 1, inst);
    synth_put(s, 0, 0, 0, NOTE_C4, 1, VOLUME_EMPTY, 0, 0);
    return s;
}

/* Every filter type and slope, resonant (a long ring) and at a low
 * cutoff (a slow one) and a high one (a fast one). */
static void voice_filter_tails_are_never_denormal(void)
{
    static const int cutoffs[] = {80, 2000, 12000};
    for (int f = SHAPE_FILTER_LP12; f <= SHAPE_FILTER_LAST; f++)
        for (size_t c = 0; c < sizeof cutoffs / sizeof cutoffs[0]; c++) {
            int set[] = {SHAPE_FILTER, f,       SHAPE_CUTOFF, cutoffs[c], SHAPE_RESONANCE, 90,
                         SHAPE_SUSTAIN, 100, -1};
            Song *s = burst_song(3 * RATE, set);
            Tail t = render_tail(s, 3.0);
            song_free(s);
            CHECK_MSG(t.ringing > 0, "filter %d at %d Hz: no tail to look at", f, cutoffs[c]);
            CHECK_MSG(t.denormal == 0, "filter %d at %d Hz: %u denormal samples", f,
                      cutoffs[c], t.denormal);
        }
}

/* The channel's filter insert, on the bus of a voice that plays on in
 * silence. */
static void insert_filter_tail_is_never_denormal(void)
{
    static const int none[] = {-1};
    Song *s = burst_song(4 * RATE, none);
    atomic_store(&s->strips[0].fx[SHAPE_FILTER], SHAPE_FILTER_LP24);
    atomic_store(&s->strips[0].fx[SHAPE_CUTOFF], 300);
    atomic_store(&s->strips[0].fx[SHAPE_RESONANCE], 90);
    Tail t = render_tail(s, 4.0);
    song_free(s);
    CHECK(t.ringing > 0);
    CHECK_MSG(t.denormal == 0, "%u denormal samples", t.denormal);
}

/* The delay (full feedback) and the reverb (largest) ring for seconds. */
static void send_tails_are_never_denormal(void)
{
    static const int none[] = {-1};
    Song *s = burst_song(RATE, none);
    atomic_store(&s->strips[0].send_tenth_db[SONG_SEND_DELAY], 0);
    atomic_store(&s->strips[0].send_tenth_db[SONG_SEND_REVERB], 0);
    atomic_store(&s->delay[SONG_DELAY_FEEDBACK], 95);
    Tail t = render_tail(s, 30.0);
    song_free(s);
    CHECK(t.ringing > 0);
    CHECK_MSG(t.denormal == 0, "%u denormal samples", t.denormal);
}

/* The render sets its own mode and gives the caller's back: a denormal
 * worked out on the calling thread after a render is still a denormal. */
static void render_leaves_the_callers_mode(void)
{
    static const int set[] = {SHAPE_FILTER, SHAPE_FILTER_LP12, SHAPE_RESONANCE, 90, -1};
    Song *s = burst_song(RATE, set);
    Tail t = render_tail(s, 0.5);
    song_free(s);
    CHECK(t.ringing > 0);
    volatile float tiny = 1e-37f, half = 1e-3f;
    float product = tiny * half;
    CHECK_MSG(fpclassify(product) == FP_SUBNORMAL, "%g", (double)product);
}

int main(void)
{
    RUN(voice_filter_tails_are_never_denormal);
    RUN(insert_filter_tail_is_never_denormal);
    RUN(send_tails_are_never_denormal);
    RUN(render_leaves_the_callers_mode);
    return test_finish();
}
