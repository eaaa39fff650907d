/* A channel's filter, crush and drive insert, measured on the channel's
 * rendered stem: the 24 dB low-pass passes a tone under its cutoff and
 * takes one three octaves over it down by more than 60 dB; crush leaves
 * only multiples of its step; the insert sounds as the same settings on
 * the channel's voice do (one code for both); an edit while playing
 * fades in without a jump; the song file keeps it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/synth_song.h"
#include "engine.h"
#include "songfile.h"
#include "test.h"

#define RATE 48000u
#define LEN (RATE / 2)

/* Channel 0 plays a looped sine of `freq` (whole cycles) at amp. */
static Song *tone_song(double freq, float amp)
{
    Song *s = synth_song(1, 64, 120, 6);
    uint32_t frames = (uint32_t)lround(RATE / freq * 50);
    synth_set_instrument(s, 1, synth_instrument(synth_sine(RATE, freq, frames, 1, amp),
                                                LOOP_FORWARD, 0, frames, INTERP_RAW));
    synth_put(s, 0, 0, 0, 49, 1, 64, 0, 0);
    return s;
}

static void set_fx(Song *s, ShapeParam k, int v)
{
    atomic_store(&s->strips[0].fx[k], v);
}

/* The channel's stem (stereo), LEN frames. */
static float *stem(Song *s)
{
    float *mix = calloc(2 * (size_t)LEN, sizeof(float));
    float *st = calloc(2 * (size_t)LEN, sizeof(float));
    Engine *e = engine_new(s, RATE);
    engine_play_song_now(e, 0, 0, false);
    for (uint32_t done = 0; done < LEN; done += 97) {
        uint32_t n = LEN - done < 97 ? LEN - done : 97; /* odd runs too */
        float *stems[1] = {st + 2 * (size_t)done};
        engine_render_stems(e, mix + 2 * (size_t)done, NULL, 0, stems, 1, n);
    }
    engine_free(e);
    free(mix);
    return st;
}

static double rms_db(const float *x, uint32_t from, uint32_t to)
{
    double sum = 0;
    for (uint32_t f = from; f < to; f++)
        sum += (double)x[2 * f] * x[2 * f];
    return 10 * log10(sum / (to - from) + 1e-30);
}

static void low_pass_passes_below_and_cuts_above(void)
{
    const double freqs[2] = {200.0, 8000.0};
    double change[2];
    for (int i = 0; i < 2; i++) {
        Song *s = tone_song(freqs[i], 0.5f);
        float *dry = stem(s);
        set_fx(s, SHAPE_FILTER, SHAPE_FILTER_LP24);
        set_fx(s, SHAPE_CUTOFF, 1000);
        float *wet = stem(s);
        change[i] = rms_db(wet, RATE / 4, LEN) - rms_db(dry, RATE / 4, LEN);
        free(dry);
        free(wet);
        song_free(s);
    }
    CHECK_MSG(fabs(change[0]) < 0.5, "200 Hz changed by %.2f dB", change[0]);
    CHECK_MSG(change[1] < -60.0, "8 kHz changed by only %.2f dB", change[1]);
}

static void crush_leaves_multiples_of_its_step(void)
{
    Song *s = tone_song(100.0, 0.8f);
    set_fx(s, SHAPE_CRUSH_BITS, 4); /* a step of 1/8 */
    float *x = stem(s);
    double worst = 0, top = 0;
    for (uint32_t f = 1000; f < LEN; f++) {
        double steps = x[2 * f] * 8.0;
        worst = fmax(worst, fabs(steps - round(steps)));
        top = fmax(top, fabs(x[2 * f]));
    }
    CHECK_MSG(worst < 1e-5, "off the step by %g", worst);
    CHECK(top >= 0.5); /* not silence */
    free(x);
    song_free(s);
}

/* The insert and the instrument's own stages are one code: the same
 * filter, crush and drive on the channel or on its only voice sound the
 * same once the note's start (the voice's declick ramp, before the
 * insert, after the voice's stages) has died away. */
static void sounds_as_the_same_settings_on_the_voice(void)
{
    const int keys[4] = {SHAPE_FILTER, SHAPE_CUTOFF, SHAPE_RESONANCE, SHAPE_DRIVE};
    const int values[4] = {SHAPE_FILTER_LP12, 1500, 40, 60};
    Song *s = tone_song(330.0, 0.4f);
    for (int i = 0; i < 4; i++)
        set_fx(s, keys[i], values[i]);
    float *insert = stem(s);
    for (int i = 0; i < 4; i++)
        set_fx(s, keys[i], shape_info(keys[i])->def);
    Instrument *inst = atomic_load(&s->instruments[1]);
    for (int i = 0; i < 4; i++)
        inst->shape[keys[i]] = values[i];
    float *voice = stem(s);
    double worst = 0, top = 0;
    for (uint32_t f = RATE / 10; f < LEN; f++) {
        worst = fmax(worst, fabs(insert[2 * f] - voice[2 * f]));
        top = fmax(top, fabs(voice[2 * f]));
    }
    CHECK(top > 0.1);
    CHECK_MSG(worst < 1e-4, "insert and voice differ by %g", worst);
    free(insert);
    free(voice);
    song_free(s);
}

/* Drive and crush switched on while the tone plays: the change fades in
 * over the change fade (64 frames) instead of jumping. Rendered with and
 * without the edit, the first frames after it are still near the dry
 * tone; later ones are far from it. */
static void render_edited(Song *s, bool edit, float *all)
{
    float mix[2 * 256], st[2 * 256];
    Engine *e = engine_new(s, RATE);
    engine_play_song_now(e, 0, 0, false);
    for (int b = 0; b < 16; b++) {
        if (b == 8 && edit) {
            set_fx(s, SHAPE_DRIVE, 100);
            set_fx(s, SHAPE_DRIVE_TYPE, SHAPE_DRIVE_HARD);
            set_fx(s, SHAPE_CRUSH_BITS, 3);
        }
        float *stems[1] = {st};
        engine_render_stems(e, mix, NULL, 0, stems, 1, 256);
        memcpy(all + 2 * 256 * b, st, sizeof st);
    }
    engine_free(e);
}

static void an_edit_while_playing_fades_in(void)
{
    Song *s = tone_song(100.0, 0.25f);
    static float dry[2 * 4096], wet[2 * 4096];
    render_edited(s, false, dry);
    render_edited(s, true, wet);
    float early = 0, later = 0;
    for (int f = 2048; f < 2048 + 4; f++)
        early = fmaxf(early, fabsf(wet[2 * f] - dry[2 * f]));
    for (int f = 2048 + 64; f < 4096; f++)
        later = fmaxf(later, fabsf(wet[2 * f] - dry[2 * f]));
    CHECK_MSG(early < 0.1f * later, "the first frames moved by %g (later %g)", early, later);
    CHECK(later > 0.3f); /* the drive is on after the fade */
    song_free(s);
}

static void song_file_keeps_the_insert(void)
{
    const char *text = "hiss 1\nchannels 2\n"
                       "channel_fx 02 filter hp24 cutoff 300 resonance 20 crush_bits 8 "
                       "drive 35 drive_type hard\n";
    Song *s = NULL;
    HissDiag d = {{0}};
    HissError err = songfile_parse(text, strlen(text), "f.hiss", &s, &d);
    CHECK_MSG(err == HISS_OK, "%s", d.text);
    if (err)
        return;
    CHECK(atomic_load(&s->strips[1].fx[SHAPE_FILTER]) == SHAPE_FILTER_HP24);
    CHECK(atomic_load(&s->strips[1].fx[SHAPE_DRIVE]) == 35);
    char *out = NULL;
    size_t len = 0;
    CHECK(songfile_format(s, &out, &len) == HISS_OK);
    CHECK_MSG(strstr(out, "channel_fx 02 filter hp24 cutoff 300 resonance 20 crush_bits 8 "
                          "drive 35 drive_type hard\n"),
              "%s", out);
    CHECK(!strstr(out, "channel_fx 01"));
    free(out);
    song_free(s);
    const char *bad = "hiss 1\nchannels 2\nchannel_fx 01 attack 5\n";
    s = NULL;
    CHECK(songfile_parse(bad, strlen(bad), "f.hiss", &s, &d) != HISS_OK);
    CHECK_MSG(strstr(d.text, "f.hiss:3:15: unknown field 'attack' in channel_fx 1"), "%s",
              d.text);
    song_free(s);
}

int main(void)
{
    RUN(low_pass_passes_below_and_cuts_above);
    RUN(crush_leaves_multiples_of_its_step);
    RUN(sounds_as_the_same_settings_on_the_voice);
    RUN(an_edit_while_playing_fades_in);
    RUN(song_file_keeps_the_insert);
    return test_finish();
}
