/* Interpolation measured from rendered output: raw is a true zero-order
 * hold at the sample's own rate (its images at the level a hold predicts),
 * linear and cubic are smoother, sinc is flat in its passband with images
 * and aliases at least 80 dB down for steps up to 4, and no mode clicks at
 * a loop seam, played forwards or reversed. Every figure comes from the
 * engine's output at 48 kHz. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/synth_song.h"
#include "engine.h"
#include "finelevel.h"
#include "mixer.h"
#include "sampleio.h"
#include "sinc.h"
#include "songio.h"
#include "test.h"

#define E VOLUME_EMPTY

/* Under ASan+UBSan (make test-san) each case plays the first of its tones
 * only: the sanitizers look for memory and undefined-behaviour errors,
 * which depend on the code a case runs (its rate and so its step, loop,
 * direction, levels and reader, all still played in every round), not on
 * the frequency of the tone it reads. Every tone's figures are measured in
 * full by the plain build (make test); under the sanitizers they took
 * four times as long (205 s of the check's 40 minutes). */
#if defined(__SANITIZE_ADDRESS__)
#define INTERP_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define INTERP_SANITIZED 1
#endif
#endif
#ifndef INTERP_SANITIZED
#define INTERP_SANITIZED 0
#endif

/* How many of a case's `count` tones to play. */
static size_t tones_played(size_t count)
{
    return INTERP_SANITIZED ? 1 : count;
}
#define RATE 48000u
/* Analysed from 0.1 s on (past the note's declick), over 0.1 s: 10 Hz
 * bins, so every tone and image below lies on a bin and the rectangular
 * window leaks nothing. */
#define FROM 4800u
#define SPAN 4800u

/* A sample of `seconds` at `rate`: the sum of sines freqs[i] Hz, each of
 * amplitude amp. */
static Sample *tones(uint32_t rate, const double *freqs, int count, double amp,
                     double seconds)
{
    uint32_t frames = (uint32_t)(rate * seconds);
    float *buf = malloc(sizeof(float) * frames);
    for (uint32_t i = 0; i < frames; i++) {
        double x = 0;
        for (int k = 0; k < count; k++)
            x += amp * sin(2.0 * M_PI * freqs[k] * i / rate);
        buf[i] = (float)x;
    }
    Sample *s = sample_new(buf, frames, 1, rate);
    free(buf);
    return s;
}

/* Whether the sinc cases get their levels as a loaded song's sinc
 * instruments do (songio_add_sinc_levels: fine levels, for one-shots,
 * loops and reversed voices alike), or the octave levels alone (one-shots
 * only; loops then read the sample with the stretched kernel). */
static bool song_levels;

/* Plays `smp` at its own pitch (note C-4 = base) and returns channel ch
 * of FROM + SPAN frames at 48 kHz. */
static double *play_channel(Sample *smp, InterpMode mode, LoopMode loop, bool reverse,
                            int ch)
{
    Song *s = synth_song(1, 64, 125, 6);
    Instrument *inst = synth_instrument(smp, loop, 0, 0, mode);
    inst->shape[SHAPE_REVERSE] = reverse;
    synth_set_instrument(s, 1, inst);
    synth_put(s, 0, 0, 0, NOTE_C4, 1, E, 0, 0);
    if (song_levels && mode == INTERP_SINC) {
        songio_add_sinc_levels(s, RATE, NULL);
        CHECK(smp->fine || smp->loop_level_count > 0);
    }
    float *out = synth_render(s, RATE, FROM + SPAN, 256);
    double *x = malloc(sizeof(double) * SPAN);
    for (uint32_t i = 0; i < SPAN; i++)
        x[i] = out[2 * (FROM + i) + ch];
    free(out);
    song_free(s);
    return x;
}

static double *play(Sample *smp, InterpMode mode, LoopMode loop)
{
    return play_channel(smp, mode, loop, false, 0);
}

/* Amplitude of the component at f Hz (on a bin) and, optionally, the RMS
 * of what is left once it is taken out. */
static double component(const double *x, double f, double *rest_rms)
{
    double a = 0, b = 0;
    for (uint32_t i = 0; i < SPAN; i++) {
        double w = 2.0 * M_PI * f * (FROM + i) / RATE;
        a += x[i] * cos(w);
        b += x[i] * sin(w);
    }
    a *= 2.0 / SPAN;
    b *= 2.0 / SPAN;
    if (rest_rms) {
        double sum = 0;
        for (uint32_t i = 0; i < SPAN; i++) {
            double w = 2.0 * M_PI * f * (FROM + i) / RATE;
            double r = x[i] - a * cos(w) - b * sin(w);
            sum += r * r;
        }
        *rest_rms = sqrt(sum / SPAN);
    }
    return hypot(a, b);
}

static double rms(const double *x)
{
    double sum = 0;
    for (uint32_t i = 0; i < SPAN; i++)
        sum += x[i] * x[i];
    return sqrt(sum / SPAN);
}

static double db(double ratio)
{
    return 20.0 * log10(ratio);
}

/* A hold of `hold` output frames (a frame at rate / hold held `hold` times)
 * weights a component at f by sin(pi f hold / rate) / (hold sin(pi f / rate)). */
static double hold_gain(double f, int hold)
{
    double w = M_PI * f / RATE;
    return fabs(sin(hold * w) / (hold * sin(w)));
}

/* The images of a 1 kHz tone in an 8 kHz sample at 8k +- 1k, 16k +- 1k. */
static const double IMAGES[] = {7000, 9000, 15000, 17000};

static void raw_images_are_a_zero_order_hold(void)
{
    const double f = 1000;
    double *x = play(tones(8000, &f, 1, 0.5, 1.0), INTERP_RAW, LOOP_FORWARD);
    double tone = component(x, f, NULL);
    CHECK_MSG(fabs(db(tone / (0.5 * hold_gain(f, 6)))) < 0.1, "1 kHz at %.2f dB",
              db(tone / 0.5));
    for (size_t i = 0; i < HISS_ARRAY_LEN(IMAGES); i++) {
        double got = db(component(x, IMAGES[i], NULL) / tone);
        double want = db(hold_gain(IMAGES[i], 6) / hold_gain(f, 6));
        CHECK_MSG(fabs(got - want) < 1.0, "image at %.0f Hz: %.2f dB, a hold gives %.2f dB",
                  IMAGES[i], got, want);
    }
    free(x);
}

/* Linear interpolation is two holds in a row: images at the hold's level
 * squared. Cubic keeps the tone and leaves weaker images still. */
static void linear_and_cubic_images(void)
{
    const double f = 1000;
    double *lin = play(tones(8000, &f, 1, 0.5, 1.0), INTERP_LINEAR, LOOP_FORWARD);
    double *cub = play(tones(8000, &f, 1, 0.5, 1.0), INTERP_CUBIC, LOOP_FORWARD);
    double tone_lin = component(lin, f, NULL), tone_cub = component(cub, f, NULL);
    CHECK_MSG(fabs(db(tone_lin / (0.5 * pow(hold_gain(f, 6), 2)))) < 0.1,
              "linear 1 kHz at %.2f dB", db(tone_lin / 0.5));
    CHECK_MSG(fabs(db(tone_cub / 0.5)) < 0.25, "cubic 1 kHz at %.2f dB", db(tone_cub / 0.5));
    for (size_t i = 0; i < HISS_ARRAY_LEN(IMAGES); i++) {
        double got = db(component(lin, IMAGES[i], NULL) / tone_lin);
        double want = db(pow(hold_gain(IMAGES[i], 6) / hold_gain(f, 6), 2));
        CHECK_MSG(fabs(got - want) < 1.0, "linear image at %.0f Hz: %.2f dB, want %.2f dB",
                  IMAGES[i], got, want);
        double cubic = db(component(cub, IMAGES[i], NULL) / tone_cub);
        CHECK_MSG(cubic < got - 3.0, "cubic image at %.0f Hz: %.2f dB, linear %.2f dB",
                  IMAGES[i], cubic, got);
    }
    free(lin);
    free(cub);
}

/* One sinc case: a sample at `rate` played at its own pitch, so the step
 * is rate / 48 kHz. A looping voice reads the sample itself with a
 * widened kernel; a one-shot more than an octave up reads its levels,
 * unless it plays reversed (a reversed tone is a tone: the same figures
 * hold), which widens the kernel as a loop does. */
typedef struct {
    uint32_t rate;
    bool loop;
    bool reverse;
} SincCase;

static const SincCase SINC_CASES[] = {
    {8000, true, false},   {22050, true, false},  {48000, true, false},
    {72000, true, false},  {96000, true, false},  {120000, true, false},
    {144000, true, false}, {192000, true, false}, {22050, false, false},
    {72000, false, false}, {96000, false, false}, {144000, false, false},
    {192000, false, false}, {22050, false, true}, {96000, false, true},
    {192000, false, true},
};

static const char *case_name(const SincCase *c)
{
    return c->loop ? "loop" : c->reverse ? "reversed one-shot" : "one-shot";
}

static Sample *sinc_sample(const SincCase *c, const double *freqs, int count)
{
    Sample *s = tones(c->rate, freqs, count, 0.5, c->loop ? 1.0 : 1.5);
    if (!c->loop && !song_levels) {
        HissDiag d = {{0}};
        CHECK(sampleio_add_levels(s, &d) == HISS_OK && s->level_count > 0);
    }
    return s;
}

static double *play_case(const SincCase *c, double f)
{
    return play_channel(sinc_sample(c, &f, 1), INTERP_SINC, c->loop ? LOOP_FORWARD : LOOP_OFF,
                        c->reverse, 0);
}

/* Passband: tones up to 0.45 of the lower rate keep their level within
 * 0.1 dB, and all else in the output is 80 dB below them. */
static void sinc_passband_is_flat_and_clean(void)
{
    double worst_level = 0, worst_rest = -200;
    for (size_t k = 0; k < HISS_ARRAY_LEN(SINC_CASES); k++) {
        const SincCase *c = &SINC_CASES[k];
        double lower = c->rate < RATE ? c->rate : RATE;
        const double fractions[] = {0.05, 0.2, 0.35, 0.45};
        for (size_t j = 0; j < tones_played(HISS_ARRAY_LEN(fractions)); j++) {
            double f = floor(fractions[j] * lower / 10.0) * 10.0;
            double *x = play_case(c, f);
            double rest;
            double level = db(component(x, f, &rest) / 0.5);
            worst_level = fmax(worst_level, fabs(level));
            worst_rest = fmax(worst_rest, db(rest / (0.5 / sqrt(2))));
            CHECK_MSG(fabs(level) < 0.1, "%u Hz %s, %.0f Hz: %.3f dB", c->rate, case_name(c),
                      f, level);
            CHECK_MSG(db(rest / (0.5 / sqrt(2))) < -80.0,
                      "%u Hz %s, %.0f Hz: the rest at %.1f dB", c->rate, case_name(c), f,
                      db(rest / (0.5 / sqrt(2))));
            free(x);
        }
    }
    printf("     sinc passband: within %.4f dB; the rest at worst %.1f dB\n",
           worst_level, worst_rest);
}

/* Stopband: a sample above the output rate holding tones that the output
 * cannot carry (from 0.55 of its rate up) leaves nothing 80 dB up. */
static void sinc_aliases_are_80_db_down(void)
{
    double worst = -200;
    for (size_t k = 0; k < HISS_ARRAY_LEN(SINC_CASES); k++) {
        const SincCase *c = &SINC_CASES[k];
        if (c->rate <= RATE)
            continue;
        double nyquist = c->rate / 2.0;
        const double fractions[] = {0.55, 0.7, 0.9};
        for (size_t j = 0; j < tones_played(HISS_ARRAY_LEN(fractions)); j++) {
            double f = ceil(fractions[j] * RATE / 10.0) * 10.0;
            if (f >= nyquist * 0.98)
                continue;
            double *x = play_case(c, f);
            double left = db(rms(x) / (0.5 / sqrt(2)));
            worst = fmax(worst, left);
            CHECK_MSG(left < -80.0, "%u Hz %s, %.0f Hz tone: %.1f dB comes through",
                      c->rate, case_name(c), f, left);
            free(x);
        }
    }
    printf("     sinc aliases: at worst %.1f dB\n", worst);
}

/* A voice reads the fine level (sinc.h) that brings its step to 2.2 of
 * the level's frames per output frame or below, and no deeper one. Just
 * above a level's widest step (1.1 x 2^(j/5), by 2%), a tone at 0.55 of
 * the output rate, which would alias back in from the level before, is
 * 80 dB down; just below it (by 2%), a tone at 0.45 of the output rate is
 * still flat within 0.1 dB. */
static void sinc_fine_level_choice(void)
{
    if (!song_levels)
        return;
    double worst_alias = -200, worst_level = 0;
    for (int j = 1; j <= 9; j += 4)
        for (int side = -1; side <= 1; side += 2) {
            double step = 1.1 * exp2(j / 5.0) * (1 + 0.02 * side);
            uint32_t rate = (uint32_t)lround(RATE * step);
            double f = side > 0 ? 0.55 * RATE : 0.45 * RATE;
            Sample *smp = tones(rate, &f, 1, 0.5, 0.25 * step + 0.1);
            double *x = play_channel(smp, INTERP_SINC, LOOP_OFF, false, 0);
            if (side > 0) {
                double left = db(rms(x) / (0.5 / sqrt(2)));
                worst_alias = fmax(worst_alias, left);
                CHECK_MSG(left < -80.0, "step %.3f (level %d's widest x 1.02): %.0f Hz at %.1f dB",
                          step, j, f, left);
            } else {
                double level = db(component(x, f, NULL) / 0.5);
                worst_level = fmax(worst_level, fabs(level));
                CHECK_MSG(fabs(level) < 0.1, "step %.3f (level %d's widest x 0.98): %.0f Hz at %.3f dB",
                          step, j, f, level);
            }
            free(x);
        }
    printf("     fine level choice: aliases at worst %.1f dB, passband within %.4f dB\n",
           worst_alias, worst_level);
}

/* A stereo sample keeps its sides through every sinc reader (one tone
 * left, another right), below and above its rate, looped or not. */
static void sinc_stereo_keeps_its_sides(void)
{
    static const SincCase cases[] = {{22050, true, false},
                                     {72000, true, false},
                                     {144000, true, false},
                                     {144000, false, false}};
    for (size_t k = 0; k < HISS_ARRAY_LEN(cases); k++) {
        const SincCase *c = &cases[k];
        double lower = c->rate < RATE ? c->rate : RATE;
        double f[2] = {floor(0.1 * lower / 10) * 10, floor(0.4 * lower / 10) * 10};
        uint32_t frames = (uint32_t)(c->rate * (c->loop ? 1.0 : 1.5));
        float *buf = malloc(sizeof(float) * 2 * frames);
        for (uint32_t i = 0; i < frames; i++)
            for (int ch = 0; ch < 2; ch++)
                buf[2 * i + ch] = (float)(0.5 * sin(2.0 * M_PI * f[ch] * i / c->rate));
        for (int ch = 0; ch < 2; ch++) {
            Sample *smp = sample_new(buf, frames, 2, c->rate);
            HissDiag d = {{0}};
            if (!c->loop && !song_levels)
                CHECK(sampleio_add_levels(smp, &d) == HISS_OK);
            double *x = play_channel(smp, INTERP_SINC, c->loop ? LOOP_FORWARD : LOOP_OFF, false,
                                     ch);
            double rest, level = db(component(x, f[ch], &rest) / 0.5);
            CHECK_MSG(fabs(level) < 0.1 && db(rest / (0.5 / sqrt(2))) < -80.0,
                      "%u Hz %s, side %d: %.0f Hz at %.3f dB, the rest at %.1f dB", c->rate,
                      c->loop ? "loop" : "one-shot", ch, f[ch], level,
                      db(rest / (0.5 / sqrt(2))));
            free(x);
        }
        free(buf);
    }
}

/* Below the sample's rate the images of a tone at 0.45 of it, from 0.55
 * up, are 80 dB down (the upsampling side of the same figure). */
static void sinc_images_are_80_db_down(void)
{
    const uint32_t rates[] = {8000, 22050};
    for (size_t k = 0; k < HISS_ARRAY_LEN(rates); k++) {
        double f = floor(0.45 * rates[k] / 10.0) * 10.0;
        SincCase c = {rates[k], true, false};
        double *x = play(sinc_sample(&c, &f, 1), INTERP_SINC, LOOP_FORWARD);
        double image = rates[k] - f;
        double level = db(component(x, image, NULL) / 0.5);
        CHECK_MSG(level < -80.0, "%u Hz: image at %.0f Hz at %.1f dB", rates[k], image,
                  level);
        free(x);
    }
}

/* A cosine of 480 Hz (100 frames a cycle at 48 kHz) whose loop starts and
 * ends on whole cycles (forward) or on its peaks (ping-pong, which
 * reflects it into itself): played looped, it must come out as the same
 * cosine played straight through, across every seam, at any step, in
 * every mode. Any click at a seam is a difference. After `end` the sample
 * holds noise, and before frame 0 there is silence, so a mode that reads
 * past a seam instead of around it is caught. Stored back to front
 * (`mirror`) with its loop mirrored and played reversed, it must come out
 * the same again. */
static Sample *cosine(uint32_t frames, uint32_t end, bool mirror)
{
    float *buf = malloc(sizeof(float) * frames);
    uint32_t noise = 12345;
    for (uint32_t i = 0; i < frames; i++) {
        noise = noise * 1103515245u + 12345u;
        buf[mirror ? frames - 1 - i : i] =
            i < end ? (float)(0.5 * cos(2.0 * M_PI * 480.0 * i / RATE))
                    : (float)(noise >> 8) / (float)(1u << 24) - 0.5f;
    }
    Sample *s = sample_new(buf, frames, 1, RATE);
    free(buf);
    return s;
}

static float *play_note(Sample *smp, InterpMode mode, LoopMode loop, uint32_t ls,
                        uint32_t le, bool reverse, int note, uint32_t frames)
{
    Song *s = synth_song(1, 64, 125, 6);
    Instrument *inst = synth_instrument(smp, loop, ls, le, mode);
    inst->shape[SHAPE_REVERSE] = reverse;
    synth_set_instrument(s, 1, inst);
    synth_put(s, 0, 0, 0, (uint8_t)note, 1, E, 0, 0);
    float *out = synth_render(s, RATE, frames, 100);
    song_free(s);
    return out;
}

static void loop_seams_do_not_click(void)
{
    static const struct { LoopMode loop; uint32_t ls, le; } loops[] = {
        {LOOP_FORWARD, 0, 500},    /* five cycles */
        {LOOP_FORWARD, 300, 400},  /* one cycle: shorter than the sinc window */
        {LOOP_PINGPONG, 0, 551},   /* turns on the peaks at 0 and 550 */
        {LOOP_PINGPONG, 400, 451}, /* half a cycle */
    };
    static const int notes[] = {NOTE_C4, NOTE_C4 - 5, NOTE_C4 + 7, NOTE_C4 + 19};
    const uint32_t frames = 12000;
    double worst = 0;
    for (InterpMode mode = 0; mode < INTERP_COUNT; mode++)
        for (size_t n = 0; n < HISS_ARRAY_LEN(notes); n++) {
            float *straight = play_note(cosine(RATE, RATE, false), mode, LOOP_OFF, 0, 0, false,
                                        notes[n], frames);
            for (size_t l = 0; l < 2 * HISS_ARRAY_LEN(loops); l++) {
                /* The second round reversed: file frames [size - le,
                 * size - ls) hold the loop. */
                const uint32_t size = 1000;
                bool back = l >= HISS_ARRAY_LEN(loops);
                uint32_t ls = loops[l % HISS_ARRAY_LEN(loops)].ls;
                uint32_t le = loops[l % HISS_ARRAY_LEN(loops)].le;
                LoopMode loop = loops[l % HISS_ARRAY_LEN(loops)].loop;
                float *looped = play_note(cosine(size, le, back), mode, loop,
                                          back ? size - le : ls, back ? size - ls : le, back,
                                          notes[n], frames);
                float diff = 0;
                for (uint32_t i = 0; i < 2 * frames; i++)
                    diff = fmaxf(diff, fabsf(looped[i] - straight[i]));
                worst = fmax(worst, diff);
                CHECK_MSG(diff < 1e-5f, "%s, note %+d, %s%s loop %u..%u: differs by %.2g",
                          song_interp_name(mode), notes[n] - NOTE_C4, back ? "reversed " : "",
                          song_loop_name(loop), ls, le, diff);
                free(looped);
            }
            free(straight);
        }
    printf("     loop seams: at most %.2g from the cosine played straight\n", worst);
}

/* A looping or reversed sinc voice above its sample's rate reads the
 * sample's levels with the loop unrolled (sampleio_add_loop_levels, built
 * by songio as a song loads), so steps beyond the kernel's widest stretch
 * (4) stay clean too. A cosine with whole cycles in its loop (forward) or
 * peaks at its turns (ping-pong) loops into itself, so the output is one
 * tone: played at steps 2 to 6, a tone in the output's passband keeps its
 * level within 0.1 dB and all else 80 dB down, and one the output cannot
 * carry leaves nothing 80 dB up. The loop is a tenth of a second, so every
 * tone here (a multiple of 10 Hz) has whole cycles in it, and the 0.2 s
 * played cross its seam 4 to 24 times. */
static double *play_unrolled(uint32_t rate, double f, LoopMode loop, bool reverse)
{
    uint32_t body = rate / 10;
    uint32_t frames = body + 1; /* ping-pong turns at 0 and `body`, both peaks */
    float *buf = malloc(sizeof(float) * frames);
    for (uint32_t i = 0; i < frames; i++)
        buf[i] = (float)(0.5 * cos(2.0 * M_PI * f * i / rate));
    Sample *smp = sample_new(buf, frames, 1, rate);
    free(buf);
    Song *s = synth_song(1, 64, 125, 6);
    Instrument *inst = synth_instrument(smp, loop, 0, loop == LOOP_FORWARD ? body : frames,
                                        INTERP_SINC);
    inst->shape[SHAPE_REVERSE] = reverse;
    synth_set_instrument(s, 1, inst);
    synth_put(s, 0, 0, 0, NOTE_C4, 1, E, 0, 0);
    songio_add_sinc_levels(s, RATE, NULL);
    CHECK(smp->loop_level_count == 1 && smp->loop_levels[0].level_count > 0);
    float *out = synth_render(s, RATE, FROM + SPAN, 256);
    double *x = malloc(sizeof(double) * SPAN);
    for (uint32_t i = 0; i < SPAN; i++)
        x[i] = out[2 * (FROM + i)];
    free(out);
    song_free(s);
    return x;
}

static void sinc_loops_read_unrolled_levels(void)
{
    static const uint32_t rates[] = {96000, 144000, 192000, 288000};
    static const struct { LoopMode loop; bool reverse; } kinds[] = {
        {LOOP_FORWARD, false}, {LOOP_PINGPONG, false}, {LOOP_FORWARD, true},
        {LOOP_PINGPONG, true}};
    double worst_level = 0, worst_rest = -200, worst_alias = -200;
    for (size_t r = 0; r < HISS_ARRAY_LEN(rates); r++)
        for (size_t k = 0; k < HISS_ARRAY_LEN(kinds); k++) {
            const char *name = kinds[k].loop == LOOP_FORWARD ? "forward" : "ping-pong";
            const char *dir = kinds[k].reverse ? "reversed " : "";
            const double passband[] = {2000, 0.45 * RATE};
            for (size_t j = 0; j < tones_played(HISS_ARRAY_LEN(passband)); j++) {
                double f = passband[j];
                double *x = play_unrolled(rates[r], f, kinds[k].loop, kinds[k].reverse);
                double rest, level = db(component(x, f, &rest) / 0.5);
                double rest_db = db(rest / (0.5 / sqrt(2)));
                worst_level = fmax(worst_level, fabs(level));
                worst_rest = fmax(worst_rest, rest_db);
                CHECK_MSG(fabs(level) < 0.1 && rest_db < -80.0,
                          "%u Hz %s%s loop, %.0f Hz: %.3f dB, the rest at %.1f dB", rates[r],
                          dir, name, f, level, rest_db);
                free(x);
            }
            const double stopband[] = {0.55 * RATE, 0.8 * RATE};
            for (size_t j = 0; j < tones_played(HISS_ARRAY_LEN(stopband)); j++) {
                double f = stopband[j];
                double *x = play_unrolled(rates[r], f, kinds[k].loop, kinds[k].reverse);
                double left = db(rms(x) / (0.5 / sqrt(2)));
                worst_alias = fmax(worst_alias, left);
                CHECK_MSG(left < -80.0, "%u Hz %s%s loop, %.0f Hz tone: %.1f dB comes through",
                          rates[r], dir, name, f, left);
                free(x);
            }
        }
    printf("     unrolled loops, steps 2 to 6: within %.4f dB, the rest at worst %.1f dB, "
           "aliases at worst %.1f dB\n",
           worst_level, worst_rest, worst_alias);
}

/* The seams of loops read through unrolled levels: the cosine looped
 * (noise after the loop, silence before the sample) against the cosine
 * played straight from its own levels, at steps 2 to 4, forwards and
 * reversed: within 1e-4 (-74 dB; 3.6e-6 measured). A seam read from
 * frames outside the loop, or a period joined wrong, differs by 2e-4 to
 * 0.18; the stretched kernel over the sample's frames (what a loop
 * played without these levels) by 1.5e-4 to 5.7e-4. */
static void unrolled_loop_seams_do_not_click(void)
{
    static const struct { LoopMode loop; uint32_t ls, le; } loops[] = {
        {LOOP_FORWARD, 0, 500},    {LOOP_FORWARD, 300, 400},
        {LOOP_PINGPONG, 0, 551},   {LOOP_PINGPONG, 400, 451},
        {LOOP_FORWARD, 100, 2100}, {LOOP_PINGPONG, 200, 3201},
    };
    static const int notes[] = {NOTE_C4 + 12, NOTE_C4 + 19, NOTE_C4 + 24};
    const uint32_t frames = 9000, size = 4000;
    double worst = 0;
    for (size_t n = 0; n < HISS_ARRAY_LEN(notes); n++) {
        Sample *plain = cosine(RATE, RATE, false);
        HissDiag d = {{0}};
        CHECK((song_levels ? sampleio_add_fine_levels(plain, SAMPLE_MAX_LEVELS, &d)
                           : sampleio_add_levels(plain, &d)) == HISS_OK);
        float *straight =
            play_note(plain, INTERP_SINC, LOOP_OFF, 0, 0, false, notes[n], frames);
        for (size_t l = 0; l < 2 * HISS_ARRAY_LEN(loops); l++) {
            bool back = l >= HISS_ARRAY_LEN(loops);
            uint32_t ls = loops[l % HISS_ARRAY_LEN(loops)].ls;
            uint32_t le = loops[l % HISS_ARRAY_LEN(loops)].le;
            LoopMode loop = loops[l % HISS_ARRAY_LEN(loops)].loop;
            Sample *smp = cosine(size, le, back);
            Song *s = synth_song(1, 64, 125, 6);
            Instrument *inst = synth_instrument(smp, loop, back ? size - le : ls,
                                                back ? size - ls : le, INTERP_SINC);
            inst->shape[SHAPE_REVERSE] = back;
            synth_set_instrument(s, 1, inst);
            synth_put(s, 0, 0, 0, (uint8_t)notes[n], 1, E, 0, 0);
            songio_add_sinc_levels(s, RATE, NULL);
            CHECK(smp->loop_level_count == 1);
            float *looped = synth_render(s, RATE, frames, 100);
            song_free(s);
            float diff = 0;
            for (uint32_t i = 0; i < 2 * frames; i++)
                diff = fmaxf(diff, fabsf(looped[i] - straight[i]));
            worst = fmax(worst, diff);
            CHECK_MSG(diff < 1e-4f, "note %+d, %s%s loop %u..%u: differs by %.2g",
                      notes[n] - NOTE_C4, back ? "reversed " : "", song_loop_name(loop), ls,
                      le, diff);
            free(looped);
        }
        free(straight);
    }
    printf("     unrolled loop seams: at most %.2g from the cosine played straight\n", worst);
}

/* Renders FRAMES of `s` in blocks of BLOCK frames (not a multiple of the
 * sinc readers' eight), with a port for each of its `channels` channels
 * or without. */
enum { PORT_FRAMES = 24000, PORT_BLOCK = 1001 };
static float *render_with_ports(Song *s, int channels, bool ports)
{
    Engine *e = engine_new(s, RATE);
    float *out = calloc(2 * (size_t)PORT_FRAMES, sizeof(float));
    float *port[4], *port_at[4];
    for (int c = 0; c < channels; c++)
        port[c] = calloc(PORT_FRAMES, sizeof(float));
    engine_play_song_now(e, 0, 0, false);
    for (uint32_t done = 0; done < PORT_FRAMES; done += PORT_BLOCK) {
        uint32_t n = PORT_FRAMES - done < PORT_BLOCK ? PORT_FRAMES - done : PORT_BLOCK;
        for (int c = 0; c < channels; c++)
            port_at[c] = port[c] + done;
        engine_render_channels(e, out + 2 * (size_t)done, ports ? port_at : NULL,
                               ports ? channels : 0, n);
    }
    for (int c = 0; c < channels; c++)
        free(port[c]);
    engine_free(e);
    return out;
}

/* A sinc voice adds the same values to the mix whether its channel has a
 * port (the voice then reads its frames a span at a time and adds them
 * with its mono mix) or not (it adds them at its gains as it reads them,
 * several frames together): mono and stereo, a one-shot and a loop, at
 * steps below and above 1. */
static void sinc_mix_is_the_same_with_a_port(void)
{
    enum { CHANNELS = 4 };
    Song *s = synth_song(CHANNELS, 64, 125, 6);
    for (int k = 0; k < 2; k++)
        synth_set_instrument(s, k + 1,
                             synth_instrument(synth_noise(44100, 44100, k + 1, 0.3f,
                                                          (uint32_t)k + 7),
                                              k ? LOOP_FORWARD : LOOP_OFF, 0, 0, INTERP_SINC));
    static const int notes[CHANNELS] = {NOTE_C4 - 5, NOTE_C4 + 7, NOTE_C4 - 12, NOTE_C4 + 9};
    for (int c = 0; c < CHANNELS; c++)
        synth_put(s, 0, 0, c, (uint8_t)notes[c], (uint8_t)(1 + c / 2), E, 0, 0);
    if (song_levels)
        songio_add_sinc_levels(s, RATE, NULL);
    float *plain = render_with_ports(s, CHANNELS, false);
    float *ported = render_with_ports(s, CHANNELS, true);
    double energy = 0;
    for (uint32_t i = 0; i < 2 * PORT_FRAMES; i++)
        energy += (double)plain[i] * plain[i];
    CHECK(energy > 1.0); /* the voices sound */
    size_t first = 0;
    while (first < 2 * (size_t)PORT_FRAMES && plain[first] == ported[first])
        first++;
    CHECK_MSG(first == 2 * (size_t)PORT_FRAMES, "the mixes part at frame %zu: %.9g against %.9g",
              first / 2, first < 2 * (size_t)PORT_FRAMES ? plain[first] : 0.0,
              first < 2 * (size_t)PORT_FRAMES ? ported[first] : 0.0);
    free(plain);
    free(ported);
    song_free(s);
}

/* Raw, linear and cubic voices at steps below, at and above 1 (mono and
 * stereo noise at several rates, notes a fifth apart, looped and not)
 * give the same samples from the CPU's fastest loops as from the
 * portable ones. */
static void fast_loops_match_the_portable_ones(void)
{
    static const uint32_t rates[] = {22050, 48000, 72000, 177000};
    static const InterpMode modes[] = {INTERP_RAW, INTERP_LINEAR, INTERP_CUBIC};
    for (int m = 0; m < 3; m++)
        for (int chans = 1; chans <= 2; chans++) {
            Song *s = synth_song(8, 64, 125, 6);
            for (int k = 0; k < 4; k++) {
                synth_set_instrument(
                    s, k + 1,
                    synth_instrument(synth_noise(rates[k], rates[k] / 3, chans, 0.2f,
                                                 (uint32_t)k + 3),
                                     k % 2 ? LOOP_FORWARD : LOOP_OFF, 0, 0, modes[m]));
                synth_put(s, 0, 0, 2 * k, NOTE_C4, k + 1, E, 0, 0);
                synth_put(s, 0, 0, 2 * k + 1, NOTE_C4 + 7 + k, k + 1, E, 0, 0);
            }
            enum { FRAMES = 30000 };
            mixer_use_portable(true);
            float *slow = synth_render(s, RATE, FRAMES, 1000);
            mixer_use_portable(false);
            float *fast = synth_render(s, RATE, FRAMES, 1000);
            double energy = 0;
            for (uint32_t i = 0; i < 2 * FRAMES; i++)
                energy += (double)fast[i] * fast[i];
            CHECK(energy > 1.0); /* the voices sound */
            CHECK_MSG(memcmp(slow, fast, sizeof(float) * 2 * FRAMES) == 0, "%s, %d channel%s",
                      song_interp_name(modes[m]), chans, chans == 1 ? "" : "s");
            free(slow);
            free(fast);
            song_free(s);
        }
}

int main(void)
{
    RUN(raw_images_are_a_zero_order_hold);
    RUN(linear_and_cubic_images);
    RUN(fast_loops_match_the_portable_ones);
    /* The sinc figures hold for the readers this CPU gets, for the
     * portable ones other CPUs get, and, on a CPU whose widest are
     * AVX-512's, for the AVX2 ones (they differ in the fine levels' mono
     * adder only, so with fine levels only). */
    static const char *const READERS[] = {"AVX-512", "AVX2", "portable"};
    SincReaders fastest = sinc_use_readers(SINC_READERS_AVX512);
    for (int round = 0; round < 5; round++) {
        bool portable = round == 2 || round == 3;
        song_levels = round % 2 == 0;
        if (round == 4 && fastest != SINC_READERS_AVX512)
            break;
        SincReaders readers = sinc_use_readers(round == 4  ? SINC_READERS_AVX2
                                               : portable ? SINC_READERS_PORTABLE
                                                          : SINC_READERS_AVX512);
        printf("     sinc readers: %s%s; %s\n", READERS[readers],
               readers == fastest ? " (this CPU's fastest)" : "",
               song_levels ? "levels as a song loads them (fine)" : "octave levels only");
        finelevel_use_portable(portable);
        sampleio_set_fine_budget(song_levels ? SAMPLEIO_FINE_BUDGET : 0);
        RUN(sinc_passband_is_flat_and_clean);
        RUN(sinc_aliases_are_80_db_down);
        RUN(sinc_images_are_80_db_down);
        RUN(sinc_fine_level_choice);
        RUN(sinc_stereo_keeps_its_sides);
        RUN(sinc_mix_is_the_same_with_a_port);
        RUN(loop_seams_do_not_click);
        RUN(sinc_loops_read_unrolled_levels);
        RUN(unrolled_loop_seams_do_not_click);
    }
    sinc_use_readers(SINC_READERS_AVX512);
    finelevel_use_portable(false);
    sampleio_set_fine_budget(SAMPLEIO_FINE_BUDGET);
    return test_finish();
}
