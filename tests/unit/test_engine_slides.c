/* The song setting `slides amiga|linear`, measured from the output: in
 * amiga mode 1xx, 2xx, 3xx, E1x/E2x and vibrato move the Amiga period as
 * ProTracker does (held within 113..856), arpeggio plays the period
 * table's notes; in linear mode they move the pitch. Every expected pitch
 * is worked out from the period table (or the linear rule), tick by tick.
 * At 125 BPM and 48 kHz a tick is 960 frames. */
#include <stdlib.h>

#include "common/synth_song.h"
#include "engine.h"
#include "fx.h"
#include "test.h"

#define E VOLUME_EMPTY
#define RATE 48000u
#define TICK 960u
#define BASE_HZ 480.0 /* the sample's tone at C-4 (period 428) */

/* ProTracker's periods, C-1 .. B-3 (hiss C-3 .. B-5). */
static const int PERIODS[36] = {
    856, 808, 762, 720, 678, 640, 604, 570, 538, 508, 480, 453,
    428, 404, 381, 360, 339, 320, 302, 285, 269, 254, 240, 226,
    214, 202, 190, 180, 170, 160, 151, 143, 135, 127, 120, 113,
};

static int period_of_note(int note)
{
    return PERIODS[note - (NOTE_C4 - 12)];
}

static double hz_of_period(int period)
{
    return BASE_HZ * 428.0 / period;
}

/* A looping 480 Hz sine, base C-4, in a song with the given slide mode. */
static Song *song(SlideMode mode)
{
    Song *s = synth_song(1, 64, 125, 6);
    atomic_store(&s->slides, mode);
    synth_set_instrument(s, 1, synth_instrument(synth_sine(RATE, BASE_HZ, RATE, 1, 0.5f),
                                                LOOP_FORWARD, 0, 0, INTERP_LINEAR));
    return s;
}

/* The pitch over most of tick t of the render (t counted from row 0). */
static double hz_in_tick(const float *out, int t)
{
    return synth_frequency(out, (uint32_t)t * TICK + 100, TICK - 200, 0, RATE);
}

/* Within 0.05%: a period step near 113 is 0.9%, the table and equal
 * temperament differ by up to 0.3%. */
#define CHECK_HZ(got, want, fmt, ...)                                             \
    do {                                                                          \
        double got_ = (got), want_ = (want);                                      \
        CHECK_MSG(fabs(got_ - want_) / want_ < 5e-4, "%.3f Hz, want %.3f: " fmt,  \
                  got_, want_, __VA_ARGS__);                                      \
    } while (0)

static float *play(Song *s, int ticks)
{
    float *out = synth_render(s, RATE, (uint32_t)ticks * TICK, 256);
    song_free(s);
    return out;
}

static void porta_moves_the_period_or_the_pitch(void)
{
    /* 110: amiga, 16 periods a tick up; linear, 16/16 semitone a tick. */
    Song *s = song(SLIDES_AMIGA);
    synth_put(s, 0, 0, 0, NOTE_C4, 1, E, '1', 0x10);
    float *out = play(s, 6);
    for (int t = 0; t < 6; t++)
        CHECK_HZ(hz_in_tick(out, t), hz_of_period(428 - 16 * t), "amiga 110, tick %d", t);
    free(out);
    s = song(SLIDES_LINEAR);
    synth_put(s, 0, 0, 0, NOTE_C4, 1, E, '1', 0x10);
    out = play(s, 6);
    for (int t = 0; t < 6; t++)
        CHECK_HZ(hz_in_tick(out, t), BASE_HZ * exp2(t / 12.0), "linear 110, tick %d", t);
    free(out);
    /* 208 and E23 (fine, on the row's first tick) in amiga mode. */
    s = song(SLIDES_AMIGA);
    synth_put(s, 0, 0, 0, NOTE_C4, 1, E, '2', 0x08);
    synth_put(s, 0, 1, 0, NOTE_EMPTY, 0, E, 'E', 0x23);
    out = play(s, 9);
    for (int t = 0; t < 6; t++)
        CHECK_HZ(hz_in_tick(out, t), hz_of_period(428 + 8 * t), "amiga 208, tick %d", t);
    for (int t = 6; t < 9; t++)
        CHECK_HZ(hz_in_tick(out, t), hz_of_period(428 + 40 + 3), "amiga E23, tick %d", t);
    free(out);
}

static void slides_stop_at_protracker_limits(void)
{
    /* 1FF from C-5 (214): 113 on the first tick, and there it stays. */
    Song *s = song(SLIDES_AMIGA);
    synth_put(s, 0, 0, 0, NOTE_C4 + 12, 1, E, '1', 0xFF);
    float *out = play(s, 6);
    CHECK_HZ(hz_in_tick(out, 0), hz_of_period(214), "C-5, tick %d", 0);
    for (int t = 1; t < 6; t++)
        CHECK_HZ(hz_in_tick(out, t), hz_of_period(113), "1FF, tick %d", t);
    free(out);
    /* 2FF from C-3 (856): already at the bottom, it stays. */
    s = song(SLIDES_AMIGA);
    synth_put(s, 0, 0, 0, NOTE_C4 - 12, 1, E, '2', 0xFF);
    out = play(s, 6);
    for (int t = 0; t < 6; t++)
        CHECK_HZ(hz_in_tick(out, t), hz_of_period(856), "2FF, tick %d", t);
    free(out);
}

static void tone_porta_reaches_the_target_period(void)
{
    /* C-4, then E-4 with 320: 428 -> 396, 364, then 339 (held). */
    Song *s = song(SLIDES_AMIGA);
    synth_put(s, 0, 0, 0, NOTE_C4, 1, E, 0, 0);
    synth_put(s, 0, 1, 0, NOTE_C4 + 4, 0, E, '3', 0x20);
    float *out = play(s, 12);
    static const int want[6] = {428, 396, 364, 339, 339, 339};
    for (int t = 0; t < 6; t++)
        CHECK_HZ(hz_in_tick(out, 6 + t), hz_of_period(want[t]), "320, tick %d", t);
    free(out);
}

/* ProTracker's vibrato: sine x depth / 128 periods, added to the period
 * first, so the pitch goes down first; linear goes up first. */
static void vibrato_on_the_period_goes_down_first(void)
{
    static const int sine[3] = {0, 180, 255}; /* positions 0, 8, 16 */
    Song *s = song(SLIDES_AMIGA);
    synth_put(s, 0, 0, 0, NOTE_C4, 1, E, '4', 0x8F);
    float *out = play(s, 4);
    for (int t = 1; t < 4; t++)
        CHECK_HZ(hz_in_tick(out, t), hz_of_period(428 + sine[t - 1] * 15 / 128),
                 "amiga 48F, tick %d", t);
    free(out);
    s = song(SLIDES_LINEAR);
    synth_put(s, 0, 0, 0, NOTE_C4, 1, E, '4', 0x8F);
    out = play(s, 4);
    double up = hz_in_tick(out, 2);
    CHECK_MSG(up > BASE_HZ * 1.01, "linear vibrato goes up first: %.2f Hz", up);
    free(out);
}

/* 047 plays the note, +4 and +7 semitones: in amiga mode the table's
 * periods (E-4 339, G-4 285), in linear mode equal temperament. */
static void arpeggio_plays_the_table_in_amiga_mode(void)
{
    for (int amiga = 0; amiga < 2; amiga++) {
        Song *s = song(amiga ? SLIDES_AMIGA : SLIDES_LINEAR);
        synth_put(s, 0, 0, 0, NOTE_C4, 1, E, '0', 0x47);
        float *out = play(s, 6);
        for (int t = 0; t < 6; t++) {
            int semis = t % 3 == 1 ? 4 : t % 3 == 2 ? 7 : 0;
            double want = amiga ? hz_of_period(period_of_note(NOTE_C4 + semis))
                                : BASE_HZ * exp2(semis / 12.0);
            CHECK_HZ(hz_in_tick(out, t), want, "%s 047, tick %d", amiga ? "amiga" : "linear", t);
        }
        free(out);
    }
}

/* E4x picks vibrato's wave: square (E42) holds sine's peak for half a
 * cycle, ramp down (E41) falls from it; amiga mode, 48F. */
static void vibrato_waves(void)
{
    static const struct { uint8_t shape; int delta[5]; } cases[] = {
        {2, {29, 29, 29, 29, -29}}, /* 255 x 15 / 128 */
        {1, {29, 22, 14, 7, 0}},    /* 255, 191, 127, 63, 0 */
    };
    for (size_t k = 0; k < 2; k++) {
        Song *s = song(SLIDES_AMIGA);
        synth_put(s, 0, 0, 0, NOTE_C4, 1, E, '4', 0x8F);
        synth_put2(s, 0, 0, 0, 'E', (uint8_t)(0x40 | cases[k].shape));
        float *out = play(s, 6);
        for (int t = 1; t < 6; t++)
            CHECK_HZ(hz_in_tick(out, t), hz_of_period(428 + cases[k].delta[t - 1]),
                     "E4%d, tick %d", cases[k].shape, t);
        free(out);
    }
    /* E44: a new note does not restart the wave (row 1 goes on at
     * position 40, the second half: pitch up); E40 restarts it (0). */
    for (int keep = 0; keep < 2; keep++) {
        Song *s = song(SLIDES_AMIGA);
        synth_put(s, 0, 0, 0, NOTE_C4, 1, E, '4', 0x8F);
        synth_put2(s, 0, 0, 0, 'E', keep ? 0x44 : 0x40);
        synth_put(s, 0, 1, 0, NOTE_C4, 1, E, '4', 0x8F);
        float *out = play(s, 8);
        double want = hz_of_period(keep ? 428 - 180 * 15 / 128 : 428);
        CHECK_HZ(hz_in_tick(out, 7), want, "E4%d, the next note's tick %d", keep ? 4 : 0, 1);
        free(out);
    }
}

/* 7xy: the volume moves by sine x y / 64 on every tick but the first,
 * up first; the next row without it plays the volume as set. */
static void tremolo_moves_the_volume(void)
{
    Song *s = synth_song(1, 64, 125, 6);
    synth_set_instrument(s, 1, synth_instrument(synth_dc(RATE, RATE, 0.5f), LOOP_OFF, 0, 0,
                                                INTERP_LINEAR));
    synth_put(s, 0, 0, 0, NOTE_C4, 1, 0x20, '7', 0x84);
    float *out = play(s, 8);
    static const int vol[8] = {32, 32, 43, 47, 43, 32, 32, 32};
    for (int t = 0; t < 8; t++) {
        float got = out[2 * (t * TICK + TICK / 2)];
        CHECK_MSG(fabsf(got - 0.5f * vol[t] / 64) < 1e-5f, "tick %d: %.5f, want volume %d", t,
                  got, vol[t]);
    }
    free(out);
}

/* E5x tunes its row's note by x eighths of a semitone (8..F: -8..-1), in
 * amiga mode through the period; the next note plays untuned. */
static void finetune_tunes_its_note(void)
{
    for (int amiga = 0; amiga < 2; amiga++) {
        Song *s = song(amiga ? SLIDES_AMIGA : SLIDES_LINEAR);
        synth_put(s, 0, 0, 0, NOTE_C4, 1, E, 'E', 0x54);
        synth_put(s, 0, 1, 0, NOTE_C4, 1, E, 'E', 0x5C);
        synth_put(s, 0, 2, 0, NOTE_C4, 1, E, 0, 0);
        float *out = play(s, 18);
        /* +4: 428 x 2^(-4/96) = 415.8 -> 416; -4: 440.5 -> 441. */
        double up = amiga ? hz_of_period(416) : BASE_HZ * exp2(4 / 96.0);
        double down = amiga ? hz_of_period(441) : BASE_HZ * exp2(-4 / 96.0);
        CHECK_HZ(hz_in_tick(out, 0), up, "%s E54", amiga ? "amiga" : "linear");
        CHECK_HZ(hz_in_tick(out, 6), down, "%s E5C", amiga ? "amiga" : "linear");
        CHECK_HZ(hz_in_tick(out, 12), BASE_HZ, "%s next note", amiga ? "amiga" : "linear");
        free(out);
    }
}

/* E31: a tone portamento sounds at the first note at or above where the
 * slide is (the first table period not above it), and slides on. */
static void glissando_sounds_whole_notes(void)
{
    Song *s = song(SLIDES_AMIGA);
    synth_put(s, 0, 0, 0, NOTE_C4, 1, E, 'E', 0x31);
    synth_put(s, 0, 1, 0, NOTE_C4 + 4, 0, E, '3', 0x10);
    float *out = play(s, 12);
    /* The slide: 412, 396, 380, 364, 348; sounding 404, 381, 360, 360, 339. */
    static const int sounds[5] = {404, 381, 360, 360, 339};
    for (int t = 1; t < 6; t++)
        CHECK_HZ(hz_in_tick(out, 6 + t), hz_of_period(sounds[t - 1]), "E31 + 310, tick %d", t);
    free(out);
}

/* EEx: the effects of the delayed row go on ticking through its repeats,
 * tick 0 of each repeat included; in amiga mode E1x acts again on each
 * repeat's tick 0, as in ProTracker, in linear mode once. */
static void pattern_delay_keeps_effects_ticking(void)
{
    for (int amiga = 0; amiga < 2; amiga++) {
        Song *s = song(amiga ? SLIDES_AMIGA : SLIDES_LINEAR);
        synth_put(s, 0, 0, 0, NOTE_C4, 1, E, '1', 0x04);
        synth_put2(s, 0, 0, 0, 'E', 0xE2);
        synth_put(s, 0, 1, 0, NOTE_EMPTY, 0, E, 'E', 0x11);
        float *out = play(s, 21);
        for (int t = 0; t < 18; t++) {
            /* 104 slides on every tick but the very first: t slides. */
            double want = amiga ? hz_of_period(428 - 4 * t)
                                : BASE_HZ * exp2(t / 48.0);
            CHECK_HZ(hz_in_tick(out, t), want, "%s 104 EE2, tick %d",
                     amiga ? "amiga" : "linear", t);
        }
        /* The next row (E11) comes after the three passes. */
        double fine = amiga ? hz_of_period(428 - 4 * 17 - 1)
                            : BASE_HZ * exp2(17 / 48.0 + 1 / 192.0);
        CHECK_HZ(hz_in_tick(out, 18), fine, "%s E11 after EE2",
                 amiga ? "amiga" : "linear");
        free(out);
    }
    /* E12 on a delayed row: amiga slides at each pass's tick 0. */
    for (int amiga = 0; amiga < 2; amiga++) {
        Song *s = song(amiga ? SLIDES_AMIGA : SLIDES_LINEAR);
        synth_put(s, 0, 0, 0, NOTE_C4, 1, E, 'E', 0x12);
        synth_put2(s, 0, 0, 0, 'E', 0xE2);
        float *out = play(s, 18);
        for (int pass = 0; pass < 3; pass++) {
            int t = pass * 6 + 3;
            double want = amiga ? hz_of_period(428 - 2 * (pass + 1))
                                : BASE_HZ * exp2(2 / 192.0);
            CHECK_HZ(hz_in_tick(out, t), want, "%s E12 EE2, pass %d",
                     amiga ? "amiga" : "linear", pass);
        }
        free(out);
    }
}

static void period_table_round_trips(void)
{
    for (int n = 0; n < 36; n++) {
        int note = NOTE_C4 - 12 + n;
        CHECK(fx_period_of_pitch(note * FX_PITCH_PER_NOTE) == PERIODS[n]);
    }
    /* The pitch of a table period is its note within a few cents. */
    for (int n = 0; n < 36; n++) {
        int off = fx_pitch_of_period(PERIODS[n]) - (NOTE_C4 - 12 + n) * FX_PITCH_PER_NOTE;
        CHECK_MSG(abs(off) <= 4, "period %d: %d/64 semitone off", PERIODS[n], off);
    }
}

int main(void)
{
    RUN(period_table_round_trips);
    RUN(porta_moves_the_period_or_the_pitch);
    RUN(slides_stop_at_protracker_limits);
    RUN(tone_porta_reaches_the_target_period);
    RUN(vibrato_on_the_period_goes_down_first);
    RUN(arpeggio_plays_the_table_in_amiga_mode);
    RUN(vibrato_waves);
    RUN(tremolo_moves_the_volume);
    RUN(finetune_tunes_its_note);
    RUN(glissando_sounds_whole_notes);
    RUN(pattern_delay_keeps_effects_ticking);
    return test_finish();
}
