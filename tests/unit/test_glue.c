/* The master's glue compressor, measured on rendered audio: a steady
 * level over the threshold comes out where the ratio puts it, the
 * reduction builds with the attack's time constant, a level under the
 * threshold and the compressor off pass untouched, the meter reads the
 * reduction, and the song file keeps the settings. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/synth_song.h"
#include "engine.h"
#include "glue.h"
#include "songfile.h"
#include "test.h"

#define RATE 48000u

/* A steady level: a looped constant on channel 1 from row 0. */
static Song *steady_song(void)
{
    Song *s = synth_song(1, 64, 120, 6);
    synth_set_instrument(s, 1, synth_instrument(synth_dc(RATE, 4096, 0.5f), LOOP_FORWARD, 0,
                                                4096, INTERP_RAW));
    synth_put(s, 0, 0, 0, 49, 1, 64, 0, 0);
    return s;
}

static float *render(Song *s, uint32_t frames, uint32_t *glue_meter)
{
    float *out = calloc(2 * (size_t)frames, sizeof(float));
    Engine *e = engine_new(s, RATE);
    engine_play_song_now(e, 0, 0, false);
    for (uint32_t done = 0; done < frames; done += 500)
        engine_render(e, out + 2 * (size_t)done, frames - done < 500 ? frames - done : 500);
    if (glue_meter)
        *glue_meter = atomic_load(&engine_status(e)->glue_centi_db);
    engine_free(e);
    return out;
}

static double db(double x)
{
    return 20 * log10(fabs(x));
}

static void compresses_by_the_ratio(void)
{
    Song *s = steady_song();
    const uint32_t frames = RATE;
    float *open = render(s, frames, NULL);
    double level = db(open[2 * (frames - 1)]);
    /* Threshold 6 dB under the level, 4:1: 4.5 dB of reduction. */
    int threshold = (int)lround((level - 6.0) * 10.0);
    double over = level - threshold / 10.0, expect = over * (1.0 - 1.0 / 4.0);
    atomic_store(&s->glue[SONG_GLUE_ON], 1);
    atomic_store(&s->glue[SONG_GLUE_THRESHOLD], threshold);
    atomic_store(&s->glue[SONG_GLUE_RATIO], 40);
    atomic_store(&s->glue[SONG_GLUE_ATTACK], 10);
    atomic_store(&s->glue[SONG_GLUE_RELEASE], 100);
    uint32_t meter = 0;
    float *out = render(s, frames, &meter);
    double reduction = level - db(out[2 * (frames - 1)]);
    printf("  level %.2f dBFS, threshold %.1f, 4:1: reduction %.3f dB (expected %.3f)\n",
           level, threshold / 10.0, reduction, expect);
    CHECK_NEAR(reduction, expect, 0.05);
    CHECK_MSG(abs((int)meter - (int)lround(expect * 100)) <= 5, "meter %u centi-dB", meter);
    /* The attack: about 63% of it one time constant (10 ms) after the
     * level arrives (the note's first frames fade in over 64). */
    uint32_t onset = synth_first_above(open, 0, frames, 0.9f * (float)open[2 * (frames - 1)]);
    double at_attack = db(open[2 * (onset + 480)]) - db(out[2 * (onset + 480)]);
    CHECK_MSG(at_attack > 0.5 * expect && at_attack < 0.75 * expect,
              "%.2f dB after 10 ms of a %.2f dB reduction", at_attack, expect);
    free(out);

    /* Makeup gain comes after: +3 dB. */
    atomic_store(&s->glue[SONG_GLUE_MAKEUP], 30);
    out = render(s, frames, NULL);
    CHECK_NEAR(level - db(out[2 * (frames - 1)]), expect - 3.0, 0.05);
    free(out);

    /* Under the threshold, and off: untouched. */
    atomic_store(&s->glue[SONG_GLUE_MAKEUP], 0);
    atomic_store(&s->glue[SONG_GLUE_THRESHOLD], 0);
    out = render(s, frames, &meter);
    CHECK(!memcmp(out, open, sizeof(float) * 2 * frames));
    CHECK(meter == 0);
    free(out);
    atomic_store(&s->glue[SONG_GLUE_THRESHOLD], threshold);
    atomic_store(&s->glue[SONG_GLUE_ON], 0);
    out = render(s, frames, NULL);
    CHECK(!memcmp(out, open, sizeof(float) * 2 * frames));
    free(out);
    free(open);
    song_free(s);
}

static void song_file_keeps_the_glue(void)
{
    const char *text = "hiss 1\nglue active on threshold -18.5 ratio 3.0 attack 20 release 250 "
                       "makeup 2.0\ntape drive 30\n";
    Song *s = NULL;
    HissDiag diag = {{0}};
    CHECK(songfile_parse(text, strlen(text), "g.hiss", &s, &diag) == HISS_OK);
    CHECK(s && atomic_load(&s->glue[SONG_GLUE_THRESHOLD]) == -185 &&
          atomic_load(&s->glue[SONG_GLUE_RATIO]) == 30);
    char *out = NULL;
    size_t len = 0;
    CHECK(s && songfile_format(s, &out, &len) == HISS_OK);
    CHECK(out && strstr(out, "glue active on threshold -18.5 ratio 3.0 attack 20 release 250 "
                             "makeup 2.0\ntape drive 30\n"));
    free(out);
    song_free(s);
    /* A channel's compressor on its own line, with its key channel. */
    const char *chan = "hiss 1\nchannels 2\nchannel_comp 02 active on key 1 ratio 8.0\n";
    s = NULL;
    CHECK(songfile_parse(chan, strlen(chan), "g.hiss", &s, &diag) == HISS_OK);
    CHECK(s && atomic_load(&s->strips[1].comp[SONG_COMP_KEY]) == 1);
    CHECK(s && songfile_format(s, &out, &len) == HISS_OK);
    CHECK(out && strstr(out, "\nchannel_comp 02 active on threshold -12.0 ratio 8.0 attack 5 "
                             "release 150 makeup 0.0 key 1\n"));
    free(out);
    song_free(s);
    const char *bad = "hiss 1\nglue ratio 0.5\n";
    s = NULL;
    CHECK(songfile_parse(bad, strlen(bad), "g.hiss", &s, &diag) != HISS_OK);
    CHECK_MSG(strstr(diag.text, "ratio 0.5 is out of range"), "%s", diag.text);
    song_free(s);
}

/* Renders n frames and returns the stem of channel `stem`. */
static float *render_stem(Song *s, uint32_t frames, int stem)
{
    float *mix = calloc(2 * (size_t)frames, sizeof(float));
    float *st = calloc(2 * (size_t)frames, sizeof(float));
    Engine *e = engine_new(s, RATE);
    engine_play_song_now(e, 0, 0, false);
    for (uint32_t done = 0; done < frames; done += 500) {
        float *stems[SONG_MAX_CHANNELS] = {NULL};
        stems[stem] = st + 2 * (size_t)done;
        engine_render_stems(e, mix + 2 * (size_t)done, NULL, 0, stems, stem + 1,
                            frames - done < 500 ? frames - done : 500);
    }
    engine_free(e);
    free(mix);
    return st;
}

/* A channel's compressor keyed from another channel (a sidechain): the pad
 * on channel 2 is turned down by what channel 1's level over the
 * threshold asks, only once channel 1 sounds; keyed from itself, by its
 * own level. */
static void channel_compressor_keys_from_another_channel(void)
{
    Song *s = synth_song(2, 64, 120, 6);
    synth_set_instrument(s, 1, synth_instrument(synth_dc(RATE, 4096, 0.5f), LOOP_FORWARD, 0,
                                                4096, INTERP_RAW));
    synth_set_instrument(s, 2, synth_instrument(synth_dc(RATE, 4096, 0.125f), LOOP_FORWARD,
                                                0, 4096, INTERP_RAW));
    synth_put(s, 0, 2, 0, 49, 1, 64, 0, 0); /* the key, from row 2 (12000) */
    synth_put(s, 0, 0, 1, 49, 2, 64, 0, 0); /* the pad, from row 0 */
    const uint32_t frames = RATE;
    float *key = render_stem(s, frames, 0), *open = render_stem(s, frames, 1);
    double key_db = db(key[2 * (frames - 1)]), pad_db = db(open[2 * (frames - 1)]);
    int threshold = (int)lround((key_db - 6.0) * 10.0);
    double expect = (key_db - threshold / 10.0) * (1.0 - 1.0 / 4.0);
    _Atomic int *comp = s->strips[1].comp;
    atomic_store(&comp[SONG_GLUE_ON], 1);
    atomic_store(&comp[SONG_GLUE_THRESHOLD], threshold);
    atomic_store(&comp[SONG_GLUE_RATIO], 40);
    atomic_store(&comp[SONG_COMP_KEY], 1);
    float *out = render_stem(s, frames, 1);
    double before = pad_db - db(out[2 * 11999]), after = pad_db - db(out[2 * (frames - 1)]);
    printf("  key %.2f dBFS, threshold %.1f, 4:1: the pad down %.3f dB (expected %.3f), "
           "%.3f dB before the key\n",
           key_db, threshold / 10.0, after, expect, before);
    CHECK_NEAR(before, 0.0, 0.01);
    CHECK_NEAR(after, expect, 0.05);
    free(out);
    /* Keyed from itself: the pad is under that threshold, so untouched. */
    atomic_store(&comp[SONG_COMP_KEY], 0);
    out = render_stem(s, frames, 1);
    CHECK(!memcmp(out, open, sizeof(float) * 2 * frames));
    free(out);
    free(key);
    free(open);
    song_free(s);
}

/* The level of frequency hz on the left side of x (n frames): Goertzel. */
static double tone_level(const float *x, uint32_t n, double hz)
{
    double w = 2 * M_PI * hz / RATE, c = 2 * cos(w), s1 = 0, s2 = 0;
    for (uint32_t i = 0; i < n; i++) {
        double s0 = x[2 * i] + c * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    return sqrt(s1 * s1 + s2 * s2 - c * s1 * s2) * 2 / n;
}

/* A 1 kHz sine of amplitude amp on the master, looped, through tape at
 * drive (limiter and master gain as given); n frames from 0.25 s on
 * (the make-up's average has long settled) into *at, NULL when not
 * wanted. Returns the whole render. */
static float *tape_render(float amp, int drive, bool limiter, int gain_tenth_db,
                          uint32_t frames)
{
    Song *s = synth_song(1, 64, 120, 6);
    synth_set_instrument(s, 1, synth_instrument(synth_sine(RATE, 1000, RATE, 1, amp),
                                                LOOP_FORWARD, 0, RATE, INTERP_LINEAR));
    synth_put(s, 0, 0, 0, NOTE_C4, 1, VOLUME_EMPTY, 0, 0);
    atomic_store(&s->tape[SONG_TAPE_DRIVE], drive);
    atomic_store(&s->limiter, limiter);
    atomic_store(&s->master_gain_tenth_db, gain_tenth_db);
    float *out = render(s, frames, NULL);
    song_free(s);
    return out;
}

static double rms_left(const float *x, uint32_t n)
{
    double sum = 0;
    for (uint32_t i = 0; i < n; i++)
        sum += (double)x[2 * i] * x[2 * i];
    return sqrt(sum / n);
}

static double peak_left(const float *x, uint32_t n)
{
    double top = 0;
    for (uint32_t i = 0; i < n; i++)
        top = fmax(top, fabs(x[2 * i]));
    return top;
}

static const int TAPE_DRIVES[] = {1, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100};
enum { TAPE_DRIVE_COUNT = sizeof TAPE_DRIVES / sizeof TAPE_DRIVES[0] };

/* A quiet sine (-40 dBFS) passes at unity at every drive: the stage
 * shapes loud signals, it does not turn the mix down. */
static void tape_leaves_a_quiet_sine_at_unity(void)
{
    const uint32_t frames = RATE / 2, from = RATE / 4, n = RATE / 4;
    float *dry = tape_render(0.01f, 0, true, 0, frames);
    double f1 = tone_level(dry + 2 * from, n, 1000), worst = 0;
    for (int i = 0; i < TAPE_DRIVE_COUNT; i++) {
        float *wet = tape_render(0.01f, TAPE_DRIVES[i], true, 0, frames);
        double change = db(tone_level(wet + 2 * from, n, 1000) / f1);
        worst = fmax(worst, fabs(change));
        CHECK_MSG(fabs(change) < 0.5, "drive %d: %+.3f dB", TAPE_DRIVES[i], change);
        free(wet);
    }
    printf("  -40 dBFS sine, drives 1..100: level within %.3f dB of dry\n", worst);
    free(dry);
}

/* A loud sine (-6 dBFS): its third harmonic rises with every step of
 * the drive, while its loudness stays within 1 dB of the dry sine and its
 * peak does not rise (denser, not louder, and no lower ceiling: at drive
 * 100 the old tanh(kx)/k took it 5 dB down). The curve is odd: no even
 * harmonics. */
static void tape_adds_harmonics_at_the_same_loudness(void)
{
    const uint32_t frames = RATE / 2, from = RATE / 4, n = RATE / 4;
    float *dry = tape_render(0.5f, 0, true, 0, frames);
    double dry_rms = rms_left(dry + 2 * from, n), dry_peak = peak_left(dry + 2 * from, n);
    double last_h3 = -400;
    for (int i = 0; i < TAPE_DRIVE_COUNT; i++) {
        float *wet = tape_render(0.5f, TAPE_DRIVES[i], true, 0, frames);
        const float *w = wet + 2 * from;
        double w1 = tone_level(w, n, 1000);
        double h2 = db(tone_level(w, n, 2000) / w1), h3 = db(tone_level(w, n, 3000) / w1);
        double loudness = db(rms_left(w, n) / dry_rms), peak = db(peak_left(w, n) / dry_peak);
        printf("  -6 dBFS sine, drive %3d: 3rd %6.1f dBc, 2nd %6.1f dBc, rms %+.2f dB, "
               "peak %+.2f dB\n",
               TAPE_DRIVES[i], h3, h2, loudness, peak);
        CHECK_MSG(h3 > last_h3 + 0.5, "drive %d: 3rd %.1f dBc after %.1f", TAPE_DRIVES[i], h3,
                  last_h3);
        CHECK_MSG(fabs(loudness) < 1.0, "drive %d: rms %+.2f dB", TAPE_DRIVES[i], loudness);
        CHECK_MSG(peak < 0.01, "drive %d: peak %+.2f dB", TAPE_DRIVES[i], peak);
        CHECK(h2 < -80.0);
        last_h3 = h3;
        free(wet);
    }
    CHECK_MSG(last_h3 > -20.0, "drive 100: 3rd %.1f dBc", last_h3);
    free(dry);
}

/* Far too loud (a full-scale sine 12 dB up): with the limiter on nothing
 * passes its ceiling and nothing is NaN. With it off, a full-scale sine
 * stays inside full scale at every drive. Absurd values fed to the stage
 * itself come out finite, and so does what follows them. */
static void tape_never_passes_the_ceiling(void)
{
    const uint32_t frames = RATE / 2;
    const double ceiling = pow(10.0, SONG_CEILING_DEFAULT / 200.0);
    for (int limiter = 0; limiter < 2; limiter++) {
        for (int i = 0; i < TAPE_DRIVE_COUNT; i++) {
            int drive = TAPE_DRIVES[i];
            float *out = tape_render(1.0f, drive, limiter, limiter ? 120 : 0, frames);
            double top = 0;
            bool finite = true;
            for (uint32_t f = 0; f < 2 * frames; f++) {
                finite &= isfinite(out[f]);
                top = fmax(top, fabs(out[f]));
            }
            double limit = limiter ? ceiling : 1.0;
            CHECK_MSG(finite && top <= limit, "limiter %s, drive %d: peak %.6f, limit %.6f",
                      limiter ? "on" : "off", drive, top, limit);
            free(out);
        }
    }
    Tape t;
    glue_tape_init(&t, RATE);
    float wild[] = {1e30f, -1e30f, INFINITY, -INFINITY, 3.4e38f, 0.0f, -2.0f, 1e-40f};
    glue_tape(&t, 100, wild, 4);
    for (int i = 0; i < 8; i++)
        CHECK_MSG(isfinite(wild[i]) && fabsf(wild[i]) <= 1.001f, "sample %d: %g", i, wild[i]);
    float after[] = {0.25f, -0.25f};
    glue_tape(&t, 100, after, 1);
    CHECK(isfinite(after[0]) && isfinite(after[1]));
}

/* The make-up follows the level over about 100 ms, so a quiet passage
 * right after a loud one is lifted until that average falls: a -30 dBFS
 * sine after a second of -6 dBFS, measured in 100 ms windows against the
 * same song without tape. hiss(5) gives these figures. */
static void tape_lifts_a_quiet_passage_only_briefly(void)
{
    const uint32_t frames = RATE * 3 / 2, window = RATE / 10, quiet_from = RATE;
    static const struct {
        int drive;
        double first, after_300ms; /* most lift in dB: first window, from 300 ms */
    } LIMITS[] = {{50, 1.0, 0.2}, {70, 3.0, 0.5}, {100, 9.0, 1.5}};
    Song *s = synth_song(1, 64, 120, 6);
    synth_set_instrument(s, 1, synth_instrument(synth_sine(RATE, 1000, RATE, 1, 0.5f),
                                                LOOP_FORWARD, 0, RATE, INTERP_LINEAR));
    synth_put(s, 0, 0, 0, NOTE_C4, 1, VOLUME_EMPTY, 0, 0);
    synth_put(s, 0, 8, 0, NOTE_C4, 1, 2, 0, 0); /* row 8: 1 s, volume 2/64 (-30 dB) */
    float *dry = render(s, frames, NULL);
    for (size_t i = 0; i < sizeof LIMITS / sizeof LIMITS[0]; i++) {
        atomic_store(&s->tape[SONG_TAPE_DRIVE], LIMITS[i].drive);
        float *wet = render(s, frames, NULL);
        double lift[5];
        printf("  drive %3d, -30 dBFS after -6 dBFS, lift per 100 ms:", LIMITS[i].drive);
        for (int w = 0; w < 5; w++) {
            size_t at = 2 * (size_t)(quiet_from + (uint32_t)w * window);
            lift[w] = db(rms_left(wet + at, window) / rms_left(dry + at, window));
            printf(" %+.2f", lift[w]);
        }
        printf(" dB\n");
        CHECK_MSG(lift[0] < LIMITS[i].first, "drive %d: %+.2f dB", LIMITS[i].drive, lift[0]);
        for (int w = 3; w < 5; w++)
            CHECK_MSG(lift[w] < LIMITS[i].after_300ms, "drive %d, window %d: %+.2f dB",
                      LIMITS[i].drive, w, lift[w]);
        CHECK(lift[4] > -0.5); /* and not a dip either */
        free(wet);
    }
    free(dry);
    song_free(s);
}

/* Drive 0 is off: the render is bit for bit the one without tape, also
 * after the drive was up and came back down. */
static void tape_at_drive_0_is_bit_transparent(void)
{
    const uint32_t frames = RATE / 4;
    float *dry = tape_render(0.5f, 0, true, 0, frames);
    Song *s = synth_song(1, 64, 120, 6);
    synth_set_instrument(s, 1, synth_instrument(synth_sine(RATE, 1000, RATE, 1, 0.5f),
                                                LOOP_FORWARD, 0, RATE, INTERP_LINEAR));
    synth_put(s, 0, 0, 0, NOTE_C4, 1, VOLUME_EMPTY, 0, 0);
    float *untouched = render(s, frames, NULL);
    CHECK(!memcmp(untouched, dry, sizeof(float) * 2 * frames));
    /* Up for the first half, then back to 0 for the rest. */
    float *out = calloc(2 * (size_t)frames, sizeof(float));
    Engine *e = engine_new(s, RATE);
    engine_play_song_now(e, 0, 0, false);
    atomic_store(&s->tape[SONG_TAPE_DRIVE], 60);
    engine_render(e, out, frames / 2);
    atomic_store(&s->tape[SONG_TAPE_DRIVE], 0);
    engine_render(e, out + frames, frames - frames / 2);
    engine_free(e);
    CHECK(memcmp(out, dry, sizeof(float) * frames) != 0); /* it was at work */
    /* From a quarter after the switch: past the limiter's lookahead. */
    const size_t later = 2 * (size_t)(frames / 2 + frames / 4);
    CHECK(!memcmp(out + later, dry + later, sizeof(float) * (2 * frames - later)));
    free(out);
    free(untouched);
    free(dry);
    song_free(s);
}

int main(void)
{
    RUN(tape_leaves_a_quiet_sine_at_unity);
    RUN(tape_adds_harmonics_at_the_same_loudness);
    RUN(tape_never_passes_the_ceiling);
    RUN(tape_lifts_a_quiet_passage_only_briefly);
    RUN(tape_at_drive_0_is_bit_transparent);
    RUN(channel_compressor_keys_from_another_channel);
    RUN(compresses_by_the_ratio);
    RUN(song_file_keeps_the_glue);
    return test_finish();
}
