/* The voice filter, crush and drive (voicefx), measured from rendered
 * audio: -3 dB points, slopes, resonance, stability over a long
 * full-resonance sweep, bit depth levels, sample-and-hold images and the
 * drive's compensated level. */
#include <stdlib.h>
#include <string.h>

#include "edit.h"
#include "engine.h"
#include "voicefx.h"
#include "common/synth_song.h"
#include "test.h"

#define E VOLUME_EMPTY

enum { RATE = 48000 };

/* Shape settings for one render: pairs of (param, value), ended by -1. */
static float *render_shaped(Sample *sample, LoopMode loop, uint32_t frames,
                            const int *settings)
{
    Song *s = synth_song(1, 64, 125, 6);
    Instrument *inst = synth_instrument(sample, loop, 0, 0, INTERP_LINEAR);
    for (int i = 0; settings[i] >= 0; i += 2)
        inst->shape[settings[i]] = settings[i + 1];
    synth_set_instrument(s, 1, inst);
    synth_put(s, 0, 0, 0, NOTE_C4, 1, E, 0, 0);
    float *out = synth_render(s, RATE, frames, 256);
    song_free(s);
    return out;
}

static double rms(const float *out, uint32_t start, uint32_t count)
{
    double sum = 0;
    for (uint32_t i = start; i < start + count; i++)
        sum += (double)out[2 * i] * out[2 * i];
    return sqrt(sum / count);
}

/* Magnitude of frequency f in channel 0 over [start, start + n). */
static double goertzel(const float *out, uint32_t start, uint32_t n, double f)
{
    double w = 2.0 * M_PI * f / RATE, c = 2.0 * cos(w), s1 = 0, s2 = 0;
    for (uint32_t i = start; i < start + n; i++) {
        double s0 = out[2 * i] + c * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    return sqrt(s1 * s1 + s2 * s2 - c * s1 * s2) * 2.0 / n;
}

/* Gain in dB of the filter set by `settings` for a sine of `freq`, from
 * the RMS of the output over the input's (a second of steady state). The
 * sine is quiet so that a resonant peak stays below the master's clip. */
static double filter_gain_db(double freq, const int *settings)
{
    static const int none[] = {-1};
    uint32_t frames = 2 * RATE;
    float *dry = render_shaped(synth_sine(RATE, freq, frames, 1, 0.02f), LOOP_OFF,
                               frames, none);
    float *wet = render_shaped(synth_sine(RATE, freq, frames, 1, 0.02f), LOOP_OFF,
                               frames, settings);
    double db = 20.0 * log10(rms(wet, RATE / 2, RATE) / rms(dry, RATE / 2, RATE));
    free(dry);
    free(wet);
    return db;
}

/* The -3 dB point of a low-pass set to f lies within +-5% of f: above
 * -3 dB at 0.95 f, below it at 1.05 f, for both slopes. */
static void lowpass_minus_3db_point_is_at_the_cutoff(void)
{
    static const int cutoffs[] = {50, 120, 500, 1000, 3000, 8000, 12000, 15000};
    static const int modes[] = {SHAPE_FILTER_LP12, SHAPE_FILTER_LP24};
    for (int m = 0; m < 2; m++) {
        for (size_t k = 0; k < sizeof cutoffs / sizeof cutoffs[0]; k++) {
            int set[] = {SHAPE_FILTER, modes[m], SHAPE_CUTOFF, cutoffs[k], -1};
            double below = filter_gain_db(cutoffs[k] * 0.95, set);
            double above = filter_gain_db(cutoffs[k] * 1.05, set);
            CHECK_MSG(below > -3.0103 && above < -3.0103,
                      "%s at %d Hz: %.2f dB at -5%%, %.2f dB at +5%%",
                      modes[m] == SHAPE_FILTER_LP12 ? "lp12" : "lp24", cutoffs[k],
                      below, above);
        }
    }
}

/* An octave above the cutoff a 24 dB/oct low-pass is down ~24 dB and
 * falls ~24 dB more over the next octave; the 12 dB one half as much. */
static void slopes_an_octave_above(void)
{
    int lp24[] = {SHAPE_FILTER, SHAPE_FILTER_LP24, SHAPE_CUTOFF, 1000, -1};
    int lp12[] = {SHAPE_FILTER, SHAPE_FILTER_LP12, SHAPE_CUTOFF, 1000, -1};
    double a24 = filter_gain_db(2000, lp24), b24 = filter_gain_db(4000, lp24);
    double a12 = filter_gain_db(2000, lp12), b12 = filter_gain_db(4000, lp12);
    CHECK_MSG(a24 < -22.0 && a24 > -26.0, "lp24 at 2 fc: %.2f dB", a24);
    CHECK_MSG(b24 - a24 < -22.0 && b24 - a24 > -26.0, "lp24 next octave: %.2f dB", b24 - a24);
    CHECK_MSG(a12 < -10.0 && a12 > -14.0, "lp12 at 2 fc: %.2f dB", a12);
    CHECK_MSG(b12 - a12 < -10.0 && b12 - a12 > -14.0, "lp12 next octave: %.2f dB", b12 - a12);
    /* and the high-pass mirrors it */
    int hp24[] = {SHAPE_FILTER, SHAPE_FILTER_HP24, SHAPE_CUTOFF, 4000, -1};
    double h = filter_gain_db(2000, hp24);
    CHECK_MSG(h < -22.0 && h > -26.0, "hp24 an octave below: %.2f dB", h);
}

/* The band-pass and the notch at 12 and 24 dB/oct against their
 * prewarped analog responses (24 dB: the two Butterworth sections one
 * after the other, each band-pass at unity at its peak), at the cutoff,
 * an octave either side and two above; the notch at its cutoff is more
 * than 40 dB down. */
static void band_pass_and_notch_at_both_slopes(void)
{
    static const double freqs[] = {250.0, 500.0, 1000.0, 2000.0, 4000.0};
    static const double k12[] = {1.41421356}, k24[] = {1.84775907, 0.76536686};
    static const struct {
        int mode, sections;
        const double *k;
        bool notch;
    } cases[] = {{SHAPE_FILTER_BP12, 1, k12, false},
                 {SHAPE_FILTER_BP24, 2, k24, false},
                 {SHAPE_FILTER_NOTCH, 1, k12, true},
                 {SHAPE_FILTER_NOTCH24, 2, k24, true}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        for (size_t f = 0; f < sizeof freqs / sizeof freqs[0]; f++) {
            int set[] = {SHAPE_FILTER, cases[c].mode, SHAPE_CUTOFF, 1000, -1};
            double db = filter_gain_db(freqs[f], set);
            double w = tan(M_PI * freqs[f] / RATE) / tan(M_PI * 1000.0 / RATE), want = 0.0;
            for (int s = 0; s < cases[c].sections; s++) {
                double k = cases[c].k[s];
                double den = sqrt(pow(1 - w * w, 2) + pow(k * w, 2));
                want += 20 * log10((cases[c].notch ? fabs(1 - w * w) : k * w) / den);
            }
            if (cases[c].notch && freqs[f] == 1000.0)
                CHECK_MSG(db < -40.0, "mode %d at its cutoff: %.2f dB", cases[c].mode, db);
            else
                CHECK_MSG(fabs(db - want) < 0.2, "mode %d at %.0f Hz: %.2f dB, want %.2f",
                          cases[c].mode, freqs[f], db, want);
        }
    }
}

/* The gain at the cutoff rises with resonance. */
static void resonance_peak_grows(void)
{
    static const int res[] = {0, 30, 60, 90, 100};
    for (int m = 0; m < 2; m++) {
        double last = -100.0;
        for (size_t k = 0; k < sizeof res / sizeof res[0]; k++) {
            int set[] = {SHAPE_FILTER, m ? SHAPE_FILTER_LP24 : SHAPE_FILTER_LP12,
                         SHAPE_CUTOFF, 2000, SHAPE_RESONANCE, res[k], -1};
            double g = filter_gain_db(2000, set);
            CHECK_MSG(g > last + 1.0, "mode %d resonance %d: %.2f dB after %.2f dB",
                      m, res[k], g, last);
            last = g;
        }
        CHECK_MSG(last > 15.0, "full resonance peak %.2f dB", last);
    }
}

/* A minute of full-scale noise through every mode at full resonance, the
 * cutoff swept over the whole range by short envelopes retriggered every
 * row: every sample finite and the peak bounded. */
static void full_resonance_sweep_stays_bounded(void)
{
    static const int modes[] = {SHAPE_FILTER_LP12, SHAPE_FILTER_HP12, SHAPE_FILTER_BP12,
                                SHAPE_FILTER_NOTCH, SHAPE_FILTER_LP24, SHAPE_FILTER_HP24,
                                SHAPE_FILTER_BP24, SHAPE_FILTER_NOTCH24};
    uint32_t frames = 60 * RATE;
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        Song *s = synth_song(1, 64, 125, 1);
        Instrument *inst = synth_instrument(synth_noise(RATE, RATE, 1, 1.0f, 7),
                                            LOOP_FORWARD, 0, 0, INTERP_LINEAR);
        int set[] = {SHAPE_FILTER, modes[m], SHAPE_CUTOFF, 20, SHAPE_RESONANCE, 100,
                     SHAPE_FILTER_ENV, 96, SHAPE_ATTACK, 3, SHAPE_DECAY, 17,
                     SHAPE_SUSTAIN, 0, -1};
        for (int i = 0; set[i] >= 0; i += 2)
            inst->shape[set[i]] = set[i + 1];
        synth_set_instrument(s, 1, inst);
        for (int r = 0; r < 64; r++)
            synth_put(s, 0, r, 0, (uint8_t)(NOTE_C4 + r % 24), 1, E, 0, 0);
        atomic_store(&s->order_count, 1);
        Engine *e = engine_new(s, RATE);
        engine_play_song_now(e, 0, 0, true);
        /* The channel's own output: before the master's clip. */
        float buf[2 * 1024], chan[1024];
        float *const ports[1] = {chan};
        float peak = 0.0f;
        bool finite = true;
        for (uint32_t done = 0; done < frames; done += 1024) {
            engine_render_channels(e, buf, ports, 1, 1024);
            for (int i = 0; i < 1024; i++) {
                finite = finite && isfinite(chan[i]);
                peak = fabsf(chan[i]) > peak ? fabsf(chan[i]) : peak;
            }
        }
        CHECK_MSG(finite && peak < 40.0f && peak > 0.1f, "mode %d: peak %g%s",
                  modes[m], peak, finite ? "" : " (not finite)");
        engine_free(e);
        song_free(s);
    }
}

/* Full resonance on silence: every mode but the notch oscillates by
 * itself, a steady sine at the cutoff (within 0.5%), nearly pure (third
 * harmonic under 3%), as loud in the second half-second as in the first;
 * at 90% the same silence stays silent. */
static void full_resonance_oscillates_at_the_cutoff(void)
{
    static const int modes[] = {SHAPE_FILTER_LP12, SHAPE_FILTER_HP12, SHAPE_FILTER_BP12,
                                SHAPE_FILTER_LP24, SHAPE_FILTER_HP24, SHAPE_FILTER_BP24};
    static const int cutoffs[] = {200, 1000, 5000};
    uint32_t frames = 2 * RATE;
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        for (size_t k = 0; k < sizeof cutoffs / sizeof cutoffs[0]; k++) {
            int set[] = {SHAPE_FILTER, modes[m], SHAPE_CUTOFF, cutoffs[k],
                         SHAPE_RESONANCE, 100, -1};
            float *out = render_shaped(synth_dc(RATE, RATE, 0.0f), LOOP_FORWARD, frames, set);
            double f = synth_frequency(out, RATE, RATE, 0, RATE);
            double a = rms(out, RATE, RATE / 2), b = rms(out, RATE + RATE / 2, RATE / 2);
            double h3 = goertzel(out, RATE, RATE, 3.0 * cutoffs[k]) /
                        goertzel(out, RATE, RATE, cutoffs[k]);
            CHECK_MSG(fabs(f / cutoffs[k] - 1.0) < 0.005, "mode %d at %d Hz: %.2f Hz",
                      modes[m], cutoffs[k], f);
            CHECK_MSG(a > 0.05 && fabs(b / a - 1.0) < 0.02, "mode %d at %d Hz: rms %g then %g",
                      modes[m], cutoffs[k], a, b);
            CHECK_MSG(h3 < 0.03, "mode %d at %d Hz: third harmonic %.4f", modes[m],
                      cutoffs[k], h3);
            free(out);
            set[5] = 90;
            out = render_shaped(synth_dc(RATE, RATE, 0.0f), LOOP_FORWARD, frames, set);
            CHECK_MSG(synth_peak(out, 0, frames, 0) == 0.0f, "mode %d at 90%%: not silent",
                      modes[m]);
            free(out);
        }
    }
}

/* The filter's own envelope: a 1600 Hz sine through a 12 dB low-pass at
 * 200 Hz moved 4 octaves up at full level, the envelope falling from full
 * to 0 over 200 ms (its decay) while the amplitude envelope holds. The
 * tone passes at the start, is an octave above an 800 Hz cutoff half way
 * (-12.3 dB), and three above 200 Hz once the decay is over; with the
 * amplitude envelope moving the cutoff instead it stays open. */
static void filter_envelope_of_its_own(void)
{
    uint32_t frames = RATE / 2, ms = RATE / 1000;
    double db[2][3];
    for (int own = 0; own < 2; own++) {
        int set[] = {SHAPE_FILTER, SHAPE_FILTER_LP12, SHAPE_CUTOFF, 200,
                     SHAPE_FILTER_ENV, 48, SHAPE_FENV_FROM, own ? SHAPE_FENV_OWN : SHAPE_FENV_AMP,
                     SHAPE_FENV_DECAY, 200, SHAPE_FENV_SUSTAIN, 0, -1};
        float *out = render_shaped(synth_sine(RATE, 1600.0, frames, 1, 0.1f), LOOP_OFF,
                                   frames, set);
        static const uint32_t at[] = {5, 99, 300}; /* ms: 2 ms windows around */
        for (int k = 0; k < 3; k++)
            db[own][k] = 20 * log10(goertzel(out, at[k] * ms, 2 * ms, 1600.0) / 0.1);
        free(out);
    }
    double half = -10 * log10(1 + pow(tan(M_PI * 1600.0 / RATE) / tan(M_PI * 800.0 / RATE), 4));
    CHECK_MSG(db[1][0] > -1.0, "own: start %.2f dB", db[1][0]);
    CHECK_MSG(fabs(db[1][1] - half) < 1.0, "own: half way %.2f dB, want %.2f", db[1][1], half);
    CHECK_MSG(db[1][2] < -33.0, "own: after the decay %.2f dB", db[1][2]);
    for (int k = 0; k < 3; k++)
        CHECK_MSG(db[0][k] > -1.0, "amp: %.2f dB at point %d", db[0][k], k);
}

/* A slow sweep follows its envelope, without steps: a 24 dB low-pass at
 * 1 kHz whose own envelope decays over 2 s from 24 semitones up (4 kHz,
 * an octave a second), on a quiet 2 kHz sine. Every 100 ms its level is
 * within 0.25 dB of the Butterworth response at the envelope's cutoff
 * then (the filter holds a cutoff until the envelope has moved a twelfth
 * of a semitone: 0.17 dB at most on this slope; a semitone's hold would
 * be 2 dB off), and no sample-to-sample step is bigger than the dry
 * sine's own (no zipper). */
static void slow_envelope_sweep_follows_its_cutoff(void)
{
    const double sine = 2000.0, cutoff = 1000.0, level = 0.1;
    const uint32_t frames = 2 * RATE + RATE / 4, window = RATE / 100;
    int set[] = {SHAPE_FILTER, SHAPE_FILTER_LP24, SHAPE_CUTOFF, (int)cutoff,
                 SHAPE_FILTER_ENV, 24, SHAPE_FENV_FROM, SHAPE_FENV_OWN, SHAPE_FENV_ATTACK, 0,
                 SHAPE_FENV_HOLD, 0, SHAPE_FENV_DECAY, 2000, SHAPE_FENV_SUSTAIN, 0, -1};
    float *out = render_shaped(synth_sine(RATE, sine, frames, 1, (float)level), LOOP_OFF,
                               frames, set);
    double worst = 0.0;
    for (int k = 1; k <= 19; k++) {
        uint32_t mid = (uint32_t)k * RATE / 10;
        /* the envelope at the window's middle: 1 down to 0 over 2 s */
        double env = 1.0 - (double)mid / (2.0 * RATE);
        double fc = cutoff * pow(2.0, 24.0 * env / 12.0);
        double w = tan(M_PI * sine / RATE) / tan(M_PI * fc / RATE);
        double want = -10 * log10(1 + pow(w, 8)); /* 4th-order Butterworth, prewarped */
        double got = 20 * log10(goertzel(out, mid - window / 2, window, sine) / level);
        if (fabs(got - want) > fabs(worst))
            worst = got - want;
        CHECK_MSG(fabs(got - want) < 0.25, "at %d00 ms: %.3f dB, want %.3f", k, got, want);
    }
    printf("  slow sweep: worst %.3f dB from the envelope's cutoff\n", worst);
    float biggest = 0.0f;
    for (uint32_t i = 1; i < 2 * RATE; i++) {
        float d = fabsf(out[2 * i] - out[2 * i - 2]);
        biggest = d > biggest ? d : biggest;
    }
    double dry = level * 2 * sin(M_PI * sine / RATE);
    CHECK_MSG(biggest <= dry * 1.01, "largest step %g, the dry sine's %g", biggest, dry);
    free(out);
}

/* An instrument edited while its note sounds is heard on that note: a
 * looping 1 kHz sine through a wide-open low-pass, the cutoff then set to
 * 500 Hz (a 12 dB/oct low-pass an octave below: -12.3 dB), then a drive
 * turned on (a third harmonic); the same note goes on throughout. */
static void instrument_edits_are_heard_on_the_sounding_note(void)
{
    Song *s = synth_song(1, 64, 125, 6);
    Instrument *inst = synth_instrument(synth_sine(RATE, 1000.0, RATE, 1, 0.2f),
                                        LOOP_FORWARD, 0, 0, INTERP_LINEAR);
    inst->shape[SHAPE_FILTER] = SHAPE_FILTER_LP12;
    synth_set_instrument(s, 1, inst);
    synth_put(s, 0, 0, 0, NOTE_C4, 1, E, 0, 0);
    uint32_t part = RATE / 2;
    const uint32_t at[] = {part, 2 * part};
    const int params[] = {SHAPE_CUTOFF, SHAPE_DRIVE}, values[] = {500, 60};
    float *out = synth_render_edits(s, RATE, at, params, values, 2, 3 * part);
    double open = goertzel(out, part / 2, part / 2, 1000.0);
    double shut = goertzel(out, part + part / 2, part / 2, 1000.0);
    double h3_before = goertzel(out, part + part / 2, part / 2, 3000.0) / shut;
    double h3_after = goertzel(out, 2 * part + part / 2, part / 2, 3000.0) /
                      goertzel(out, 2 * part + part / 2, part / 2, 1000.0);
    double want = -10 * log10(1 + pow(tan(M_PI * 1000.0 / RATE) / tan(M_PI * 500.0 / RATE), 4));
    double db = 20 * log10(shut / open);
    CHECK_MSG(fabs(db - want) < 0.2, "cutoff edited to 500 Hz: %.2f dB, want %.2f", db, want);
    CHECK_MSG(h3_before < 1e-5 && h3_after > 2e-3, "drive edited on: third harmonic %g then %g",
              h3_before, h3_after);
    free(out);
    song_free(s);
}

/* Gain in dB that `settings` give a note of a 1 kHz sine at C-4 played
 * as `note` at `volume`, over the same note unshaped (a second of steady
 * state). */
static double note_gain_db(const int *settings, uint8_t note, uint8_t volume)
{
    double level[2];
    for (int shaped = 0; shaped < 2; shaped++) {
        Song *s = synth_song(1, 64, 125, 6);
        Instrument *inst = synth_instrument(synth_sine(RATE, 1000.0, RATE, 1, 0.3f),
                                            LOOP_FORWARD, 0, 0, INTERP_CUBIC);
        for (int i = 0; shaped && settings[i] >= 0; i += 2)
            inst->shape[settings[i]] = settings[i + 1];
        synth_set_instrument(s, 1, inst);
        synth_put(s, 0, 0, 0, note, 1, volume, 0, 0);
        float *out = synth_render(s, RATE, 2 * RATE, 256);
        level[shaped] = rms(out, RATE / 2, RATE);
        free(out);
        song_free(s);
    }
    return 20.0 * log10(level[1] / level[0]);
}

/* A prewarped 12 dB Butterworth low-pass's gain at f for cutoff fc. */
static double lp12_db(double f, double fc)
{
    return -10.0 * log10(1.0 + pow(tan(M_PI * f / RATE) / tan(M_PI * fc / RATE), 4));
}

/* Key tracking moves the cutoff with the note: C-5 (a 2 kHz sine) through
 * a 1 kHz low-pass is 12 dB/oct an octave up at 0%, at a cutoff of
 * 1414 Hz at 50%, on the cutoff (-3 dB) at 100%. */
static void key_tracking_moves_the_cutoff(void)
{
    static const int track[] = {0, 50, 100};
    for (int k = 0; k < 3; k++) {
        int set[] = {SHAPE_FILTER, SHAPE_FILTER_LP12, SHAPE_CUTOFF, 1000,
                     SHAPE_KEY_TRACK, track[k], -1};
        double db = note_gain_db(set, NOTE_C4 + 12, E);
        double want = lp12_db(2000.0, 1000.0 * pow(2.0, track[k] / 100.0));
        CHECK_MSG(fabs(db - want) < 0.1, "key_track %d: %.2f dB, want %.2f", track[k], db, want);
    }
}

/* The filter's velocity amount: filter_vel 24 at volume 20 (half) lowers
 * a 1 kHz cutoff 12 semitones, to 500 Hz; at full volume it stays. */
static void filter_velocity_lowers_the_cutoff(void)
{
    int set[] = {SHAPE_FILTER, SHAPE_FILTER_LP12, SHAPE_CUTOFF, 1000, SHAPE_FILTER_VEL, 24, -1};
    double half = note_gain_db(set, NOTE_C4, 0x20);
    double full = note_gain_db(set, NOTE_C4, 0x40);
    CHECK_MSG(fabs(half - lp12_db(1000.0, 500.0)) < 0.1, "volume 20: %.2f dB, want %.2f", half,
              lp12_db(1000.0, 500.0));
    CHECK_MSG(fabs(full - lp12_db(1000.0, 1000.0)) < 0.1, "volume 40: %.2f dB, want %.2f", full,
              lp12_db(1000.0, 1000.0));
}

/* The crush's dry/wet amount: one bit rounds a sine of 0.3 to silence, so
 * 25% of it leaves 75% of the dry sine (-2.50 dB), 100% nothing. */
static void crush_mix_blends_dry_and_crushed(void)
{
    int quarter[] = {SHAPE_CRUSH_BITS, 1, SHAPE_CRUSH_MIX, 25, -1};
    int whole[] = {SHAPE_CRUSH_BITS, 1, SHAPE_CRUSH_MIX, 100, -1};
    double db = note_gain_db(quarter, NOTE_C4, E);
    CHECK_MSG(fabs(db - 20 * log10(0.75)) < 0.01, "mix 25%%: %.3f dB", db);
    db = note_gain_db(whole, NOTE_C4, E);
    CHECK_MSG(db < -100.0, "mix 100%%: %.1f dB", db);
}

/* How many different values channel 0 takes in [from, to), up to 64. */
static int distinct_levels(const float *out, uint32_t from, uint32_t to)
{
    float levels[64];
    int count = 0;
    for (uint32_t i = from; i < to && count < 64; i++) {
        int j = 0;
        while (j < count && levels[j] != out[2 * i])
            j++;
        if (j == count)
            levels[count++] = out[2 * i];
    }
    return count;
}

/* 4 bits of a full-scale sine: exactly 16 distinct levels. */
static void four_bit_crush_has_sixteen_levels(void)
{
    uint32_t frames = RATE / 2;
    int set[] = {SHAPE_CRUSH_BITS, 4, -1};
    float *out = render_shaped(synth_sine(RATE, 997.0, frames, 1, 1.0f), LOOP_OFF,
                               frames, set);
    int count = distinct_levels(out, 1000, frames - 1000);
    CHECK_MSG(count == 16, "%d levels", count);
    free(out);
}

/* A 1 kHz sine held at 6 kHz (8 output frames a step, no filtering):
 * images at 6k +- 1k and 12k +- 1k, each at the staircase's response
 * sin(pi f N / rate) / (N sin(pi f / rate)) relative to the tone's, and
 * nothing in between. */
static void sample_and_hold_images_where_theory_says(void)
{
    uint32_t frames = RATE;
    int set[] = {SHAPE_CRUSH_RATE, 6000, -1};
    float *out = render_shaped(synth_sine(RATE, 1000.0, frames, 1, 0.5f), LOOP_OFF,
                               frames, set);
    uint32_t n = RATE / 2; /* whole cycles of everything below */
    double base = goertzel(out, RATE / 4, n, 1000.0);
    double stair_1k = sin(M_PI * 1000.0 * 8 / RATE) / (8 * sin(M_PI * 1000.0 / RATE));
    static const double images[] = {5000, 7000, 11000, 13000};
    for (size_t k = 0; k < 4; k++) {
        double f = images[k];
        double want = fabs(sin(M_PI * f * 8 / RATE) / (8 * sin(M_PI * f / RATE))) / stair_1k;
        double got = goertzel(out, RATE / 4, n, f) / base;
        CHECK_MSG(fabs(got - want) < 0.05 * want, "image at %.0f Hz: %.4f, theory %.4f",
                  f, got, want);
    }
    static const double empty[] = {2000, 3000, 4000, 6000, 9000};
    for (size_t k = 0; k < 5; k++) {
        double got = goertzel(out, RATE / 4, n, empty[k]) / base;
        CHECK_MSG(got < 0.002, "%.0f Hz: %.5f", empty[k], got);
    }
    free(out);
}

/* Drive: the third harmonic appears, a full-scale peak stays full scale,
 * and hard is harder than tape. */
static void drive_saturates_with_level_compensated(void)
{
    uint32_t frames = RATE;
    double h3[2];
    for (int type = 0; type < 2; type++) {
        int set[] = {SHAPE_DRIVE, 60, SHAPE_DRIVE_TYPE, type, -1};
        float *out = render_shaped(synth_sine(RATE, 1000.0, frames, 1, 1.0f), LOOP_OFF,
                                   frames, set);
        float peak = synth_peak(out, RATE / 4, RATE / 2, 0);
        CHECK_MSG(fabsf(peak - 1.0f) < 0.01f, "%s peak %g", type ? "hard" : "tape", peak);
        h3[type] = goertzel(out, RATE / 4, RATE / 2, 3000.0) /
                   goertzel(out, RATE / 4, RATE / 2, 1000.0);
        free(out);
    }
    CHECK_MSG(h3[0] > 0.02, "tape third harmonic %.4f", h3[0]);
    CHECK_MSG(h3[1] > h3[0], "hard %.4f vs tape %.4f", h3[1], h3[0]);
    static const int none[] = {-1};
    float *clean = render_shaped(synth_sine(RATE, 1000.0, frames, 1, 1.0f), LOOP_OFF,
                                 frames, none);
    double h = goertzel(clean, RATE / 4, RATE / 2, 3000.0);
    CHECK_MSG(h < 1e-4, "undriven third harmonic %g", h);
    free(clean);
}

/* Third harmonic against the tone of a full-scale 1 kHz sine driven at
 * 60% with drive_vel `amount`, played at volume `volume`. */
static double driven_h3(int amount, uint8_t volume)
{
    Song *s = synth_song(1, 64, 125, 6);
    Instrument *inst = synth_instrument(synth_sine(RATE, 1000.0, RATE, 1, 1.0f), LOOP_OFF,
                                        0, 0, INTERP_LINEAR);
    inst->shape[SHAPE_DRIVE] = 60;
    inst->shape[SHAPE_DRIVE_VEL] = amount;
    synth_set_instrument(s, 1, inst);
    synth_put(s, 0, 0, 0, NOTE_C4, 1, volume, 0, 0);
    float *out = synth_render(s, RATE, RATE, 256);
    double h3 = goertzel(out, RATE / 4, RATE / 2, 3000.0) /
                goertzel(out, RATE / 4, RATE / 2, 1000.0);
    free(out);
    song_free(s);
    return h3;
}

/* drive_vel: a quiet note is driven less (its third harmonic is a fraction
 * of a loud one's), by the amount set; with none the volume changes only
 * the level, and the harmonic stays. */
static void drive_velocity_amount(void)
{
    double loud = driven_h3(100, 0x40), quiet = driven_h3(100, 0x10);
    double loud0 = driven_h3(0, 0x40), quiet0 = driven_h3(0, 0x10);
    CHECK_MSG(fabs(loud / loud0 - 1.0) < 1e-3, "full volume: %.4f vs %.4f", loud, loud0);
    CHECK_MSG(quiet < 0.5 * loud, "drive_vel 100: %.4f at volume 10, %.4f at 40", quiet, loud);
    CHECK_MSG(fabs(quiet0 / loud0 - 1.0) < 1e-3, "drive_vel 0: %.4f at volume 10, %.4f at 40",
              quiet0, loud0);
}

/* A plain sine instrument (no shaping of its own) on channel 0, note on
 * row 0; `cells` puts effects: (row, letter, param) triples ended by -1.
 * 125 BPM, speed 6: a row is 5760 frames, a tick 960. */
static float *render_effects(double freq, float amp, const int *cells,
                             uint32_t frames, uint32_t block)
{
    Song *s = synth_song(1, 64, 125, 6);
    synth_set_instrument(s, 1, synth_instrument(synth_sine(RATE, freq, 4 * RATE, 1, amp),
                                                LOOP_OFF, 0, 0, INTERP_LINEAR));
    synth_put(s, 0, 0, 0, NOTE_C4, 1, E, 0, 0);
    for (int i = 0; cells[i] >= 0; i += 3)
        synth_put(s, 0, cells[i], 0, i ? NOTE_EMPTY : NOTE_C4, i ? 0 : 1, E,
                  (uint8_t)cells[i + 1], (uint8_t)cells[i + 2]);
    float *out = synth_render(s, RATE, frames, block);
    song_free(s);
    return out;
}

enum { ROW = 5760 };

/* M90 on row 4 of an unfiltered 1 kHz sine: a 12 dB low-pass at
 * 20 Hz x 1000^(0x90/255) = 988.6 Hz, so about -3 dB from then on. */
static void effect_m_sets_the_cutoff(void)
{
    int cells[] = {0, 0, 0, 4, 'M', 0x90, -1};
    float *out = render_effects(1000.0, 0.02f, cells, 8 * ROW, 256);
    double before = rms(out, ROW, 2 * ROW), after = rms(out, 5 * ROW, 2 * ROW);
    double db = 20 * log10(after / before);
    double fc = 20.0 * pow(1000.0, 0x90 / 255.0);
    double w = tan(M_PI * 1000.0 / RATE) / tan(M_PI * fc / RATE);
    double want = -10 * log10(1 + pow(w, 4)); /* Butterworth, prewarped */
    CHECK_MSG(fabs(db - want) < 0.1, "%.2f dB, want %.2f", db, want);
    free(out);
}

/* MFF then N0F on rows 4..7: the cutoff falls 15 semitones a tick to the
 * 20 Hz floor, the 2 kHz sine fades out, and no sample-to-sample step of
 * the sweep is bigger than the dry sine's own largest step (no zipper). */
static void effect_n_sweeps_smoothly(void)
{
    int cells[] = {0, 'M', 0xFF, 4, 'N', 0x0F, 5, 'N', 0x0F, 6, 'N', 0x0F, 7, 'N', 0x0F, -1};
    float *out = render_effects(2000.0, 0.2f, cells, 10 * ROW, 256);
    float biggest = 0.0f;
    for (uint32_t i = 4 * ROW; i < 8 * ROW; i++) {
        float d = fabsf(out[2 * i] - out[2 * i - 2]);
        biggest = d > biggest ? d : biggest;
    }
    double dry = 0.2 * 2 * sin(M_PI * 2000.0 / RATE);
    CHECK_MSG(biggest <= dry * 1.01, "largest step %g, the dry sine's %g", biggest, dry);
    CHECK_MSG(rms(out, ROW, ROW) > 0.13, "before the sweep %g", rms(out, ROW, ROW));
    CHECK_MSG(rms(out, 9 * ROW, ROW) < 0.2 * 1e-3, "after it %g", rms(out, 9 * ROW, ROW));
    free(out);
}

/* N00 slides as the last Nxy of the channel did: the sweep above with
 * N00 on rows 5..7 renders the same samples as with N0F there, and not
 * those of N0F on row 4 alone. */
static void effect_n00_repeats_the_last_slide(void)
{
    int given[] = {0, 'M', 0xFF, 4, 'N', 0x0F, 5, 'N', 0x0F, 6, 'N', 0x0F, 7, 'N', 0x0F, -1};
    int remembered[] = {0, 'M', 0xFF, 4, 'N', 0x0F, 5, 'N', 0, 6, 'N', 0, 7, 'N', 0, -1};
    int once[] = {0, 'M', 0xFF, 4, 'N', 0x0F, -1};
    uint32_t frames = 10 * ROW;
    float *a = render_effects(2000.0, 0.2f, given, frames, 256);
    float *b = render_effects(2000.0, 0.2f, remembered, frames, 256);
    float *c = render_effects(2000.0, 0.2f, once, frames, 256);
    CHECK(!memcmp(a, b, sizeof(float) * 2 * frames));
    CHECK(memcmp(a, c, sizeof(float) * 2 * frames) != 0);
    free(a);
    free(b);
    free(c);
}

/* QFF raises the peak at the cutoff; I04 leaves 16 levels; W gives the
 * third harmonic; J1E holds at 6 kHz (an image at 5 kHz); Y00 starts the
 * envelope again (from silence: a dip). */
static void effects_q_i_j_w_y_act_from_their_row(void)
{
    int q[] = {0, 'M', 0x90, 4, 'Q', 0xFF, -1};
    float *out = render_effects(988.6, 0.01f, q, 8 * ROW, 256);
    CHECK_MSG(rms(out, 5 * ROW, ROW) > 8 * rms(out, ROW, ROW), "Q: %g then %g",
              rms(out, ROW, ROW), rms(out, 5 * ROW, ROW));
    free(out);

    int i4[] = {0, 0, 0, 2, 'I', 0x04, -1};
    out = render_effects(997.0, 1.0f, i4, 4 * ROW, 256);
    int levels = distinct_levels(out, 3 * ROW, 4 * ROW);
    CHECK_MSG(levels == 16, "I04: %d levels", levels);
    free(out);

    int w[] = {0, 0, 0, 2, 'W', 0x99, -1};
    out = render_effects(1000.0, 1.0f, w, 6 * ROW, 256);
    double h_before = goertzel(out, 960, 4800, 3000.0) / goertzel(out, 960, 4800, 1000.0);
    double h_after = goertzel(out, 3 * ROW, 2 * ROW, 3000.0) / goertzel(out, 3 * ROW, 2 * ROW, 1000.0);
    CHECK_MSG(h_before < 1e-4 && h_after > 0.02, "W: third harmonic %g then %g", h_before, h_after);
    free(out);

    int j[] = {0, 0, 0, 2, 'J', 0x1E, -1};
    out = render_effects(1000.0, 0.5f, j, 6 * ROW, 256);
    double img_before = goertzel(out, 960, 4800, 5000.0), img_after = goertzel(out, 3 * ROW, 2 * ROW, 5000.0);
    CHECK_MSG(img_before < 1e-4 && img_after > 0.05, "J: 5 kHz image %g then %g", img_before,
              img_after);
    free(out);
}

/* The step at frame `at` of channel 0. */
static float step_at(const float *out, uint32_t at)
{
    return fabsf(out[2 * at] - out[2 * at - 2]);
}

/* Y00 on row 4 of a note with a 50 ms attack (2400 frames): the
 * envelope starts again, the level heard fading from full to it over 64
 * frames (no step bigger than a 64th of the level), a quarter up 25 ms
 * in; Y02 on row 8 takes it to 20 ms in. */
static void effect_y_restarts_the_envelope(void)
{
    Song *s = synth_song(1, 64, 125, 6);
    Instrument *inst = synth_instrument(synth_dc(RATE, RATE, 0.5f), LOOP_FORWARD, 0, 0,
                                        INTERP_LINEAR);
    inst->shape[SHAPE_ATTACK] = 50;
    synth_set_instrument(s, 1, inst);
    synth_put(s, 0, 0, 0, NOTE_C4, 1, E, 0, 0);
    synth_put(s, 0, 4, 0, NOTE_EMPTY, 0, E, 'Y', 0x00);
    synth_put(s, 0, 8, 0, NOTE_EMPTY, 0, E, 'Y', 0x02); /* 20 ms in */
    float *out = synth_render(s, RATE, 10 * ROW, 100);
    CHECK_NEAR(out[2 * (4 * ROW - 1)], 0.5, 1e-4);
    CHECK_NEAR(out[2 * (4 * ROW + 63)], 0.5 * 64 / 2400, 1e-4);
    float step = 0.0f;
    for (uint32_t i = 4 * ROW; i < 4 * ROW + 64; i++)
        step = fmaxf(step, step_at(out, i));
    CHECK_MSG(step <= 0.5f / 64 * 1.01f, "Y00: largest step %g", step);
    CHECK_NEAR(out[2 * (4 * ROW + 1200)], 0.25, 1e-3);
    CHECK_NEAR(out[2 * (8 * ROW + 63)], 0.5 * (960 + 64) / 2400, 2e-3);
    free(out);
    song_free(s);
}

/* Largest sample-to-sample step of channel 0 over rows [from, to). */
static float largest_step(const float *out, int from, int to)
{
    float biggest = 0.0f;
    for (uint32_t i = (uint32_t)from * ROW + 1; i < (uint32_t)to * ROW; i++) {
        float d = fabsf(out[2 * i] - out[2 * i - 2]);
        biggest = d > biggest ? d : biggest;
    }
    return biggest;
}

/* Drive, crush bits and volume switched between their ends on every row
 * (a 97 Hz sine, so each change lands on a different phase): every change
 * fades over 64 frames, so no step of the output is bigger than the
 * steepest step the settings give when held, plus the jump between them
 * spread over those frames. Switched at once, a step would be the whole
 * jump (up to half full scale here). */
static void drive_crush_and_gain_changes_have_no_zipper(void)
{
    enum { FADE = 64 };
    const double dry = 2 * sin(M_PI * 97.0 / RATE); /* a unit sine's steepest step */
    int drive[3 * 9 + 1], crush[3 * 9 + 1], volume[3 * 9 + 1];
    for (int r = 0; r < 9; r++) {
        int *d = drive + 3 * r, *c = crush + 3 * r, *v = volume + 3 * r;
        d[0] = c[0] = v[0] = r;
        d[1] = 'W';
        d[2] = r % 2 ? 0xFF : 0x00;
        c[1] = 'I';
        c[2] = r % 2 ? 0x01 : 0x00;
        v[1] = 'C';
        v[2] = r % 2 ? 0x40 : 0x00;
    }
    drive[27] = crush[27] = volume[27] = -1;
    int held[] = {0, 'W', 0xFF, -1};
    float *steady = render_effects(97.0, 0.5f, held, 10 * ROW, 256);
    float *out = render_effects(97.0, 0.5f, drive, 10 * ROW, 256);
    float limit = largest_step(steady, 1, 9) + 1.0f / FADE;
    float got = largest_step(out, 1, 9);
    CHECK_MSG(got <= limit, "drive: largest step %g, held full drive's %g", got,
              largest_step(steady, 1, 9));
    free(steady);
    free(out);
    /* At one bit a sine of 0.3 rounds to silence. */
    out = render_effects(97.0, 0.3f, crush, 10 * ROW, 256);
    got = largest_step(out, 1, 9);
    CHECK_MSG(got <= 0.3 * dry * 1.01 + 0.3 / FADE, "crush: largest step %g, limit %g", got,
              0.3 * dry * 1.01 + 0.3 / FADE);
    CHECK_MSG(rms(out, ROW + 960, ROW - 960) < 1e-6 && rms(out, 2 * ROW + 960, ROW - 960) > 0.2,
              "crush: rms %g at one bit, %g without", rms(out, ROW + 960, ROW - 960),
              rms(out, 2 * ROW + 960, ROW - 960));
    free(out);
    out = render_effects(97.0, 0.5f, volume, 10 * ROW, 256);
    got = largest_step(out, 1, 9);
    CHECK_MSG(got <= 0.5 * dry * 1.01 + 0.5 / FADE, "volume: largest step %g, limit %g", got,
              0.5 * dry * 1.01 + 0.5 / FADE);
    free(out);
}

/* J00 and J0A (a 2 kHz sample-and-hold) switched on every row of a 97 Hz
 * sine: the change itself makes no step. Switched at once, leaving the
 * hold jumps by up to one hold step, and taking it up again jumps to the
 * value held the last time. With the fade, the step on each row's first
 * frame is at most the dry sine's steepest plus a whole swing spread
 * over the fade. */
static void crush_rate_changes_have_no_zipper(void)
{
    enum { FADE = 64, ROWS = 9 };
    const double dry = 0.5 * 2 * sin(M_PI * 97.0 / RATE);
    int cells[3 * ROWS + 1];
    for (int r = 0; r < ROWS; r++) {
        cells[3 * r] = r;
        cells[3 * r + 1] = 'J';
        cells[3 * r + 2] = r % 2 ? 0x0A : 0x00;
    }
    cells[3 * ROWS] = -1;
    float *out = render_effects(97.0, 0.5f, cells, 10 * ROW, 256);
    float worst = 0.0f;
    for (int r = 1; r < ROWS; r++) {
        float d = step_at(out, (uint32_t)r * ROW);
        worst = d > worst ? d : worst;
    }
    CHECK_MSG(worst <= dry * 1.01 + 1.0 / FADE, "largest step at a change %g, limit %g", worst,
              dry * 1.01 + 1.0 / FADE);
    /* The hold is heard (a 2 kHz hold of a 97 Hz sine has steps), and
     * once the fade is over, it is gone. */
    float free_step = 0.0f;
    for (uint32_t i = 2 * ROW + FADE + 1; i < 3 * ROW; i++)
        free_step = fmaxf(free_step, step_at(out, i));
    CHECK_MSG(largest_step(out, 1, 2) > 0.1 && free_step < dry * 1.01, "held %g, free %g",
              largest_step(out, 1, 2), free_step);
    free(out);
}

/* Instrument edits that change what the crush, filter or drive make, on a
 * sounding 97 Hz sine of 0.3: the crush mix across a one-bit crush (which
 * rounds it to silence), the resonance and the type of a high-pass at
 * 100 Hz, the drive's type at 30% drive. At each edit the step is at
 * most the steepest the settings give when held plus a full swing of the
 * output spread over the fade; switched at once, each is a jump of a good
 * part of the signal. */
static void instrument_edits_have_no_zipper(void)
{
    enum { FADE = 64, N = 10 };
    Instrument *inst = synth_instrument(synth_sine(RATE, 97.0, RATE, 1, 0.3f), LOOP_FORWARD,
                                        0, 0, INTERP_LINEAR);
    inst->shape[SHAPE_CRUSH_BITS] = 1;
    inst->shape[SHAPE_CRUSH_MIX] = 0;
    inst->shape[SHAPE_FILTER] = SHAPE_FILTER_HP12;
    inst->shape[SHAPE_CUTOFF] = 100;
    /* Frames that fall on different phases of the sine. */
    const uint32_t at[N] = {4000, 8111, 12345, 16001, 20202, 24999, 29003, 33377, 37000, 41234};
    const int params[N] = {SHAPE_CRUSH_MIX, SHAPE_CRUSH_MIX, SHAPE_RESONANCE, SHAPE_RESONANCE,
                           SHAPE_FILTER,    SHAPE_FILTER,    SHAPE_DRIVE,     SHAPE_DRIVE_TYPE,
                           SHAPE_DRIVE_TYPE, SHAPE_DRIVE};
    const int values[N] = {100, 0, 90, 0, SHAPE_FILTER_BP12, SHAPE_FILTER_HP12, 30,
                           SHAPE_DRIVE_HARD, SHAPE_DRIVE_TAPE, 0};
    Song *s = synth_song(1, 64, 125, 6);
    synth_set_instrument(s, 1, inst);
    synth_put(s, 0, 0, 0, NOTE_C4, 1, E, 0, 0);
    float *out = synth_render_edits(s, RATE, at, params, values, N, 45000);
    song_free(s);
    double dry = 0.3 * 2 * sin(M_PI * 97.0 / RATE);
    for (int k = 0; k < N; k++) {
        double swing = 2.0 * synth_peak(out, at[k] - 2000, 4000, 0);
        double held = 0.0;
        for (uint32_t i = at[k] - 1000; i < at[k] - 1; i++)
            held = fmax(held, step_at(out, i));
        for (uint32_t i = at[k] + FADE + 1; i < at[k] + 1000; i++)
            held = fmax(held, step_at(out, i));
        double limit = fmax(held, dry) * 1.01 + swing / FADE;
        float d = 0.0f;
        for (uint32_t i = at[k]; i < at[k] + FADE; i++)
            d = fmaxf(d, step_at(out, i));
        CHECK_MSG(d <= limit, "edit %d (param %d to %d): step %g, limit %g", k, params[k],
                  values[k], d, limit);
    }
    free(out);
}

/* A shaping effect typed into the pattern while the song plays is heard
 * from its row, as the editor stores it: M00 on row 4 of a sounding 1 kHz
 * sine (a 20 Hz low-pass) silences it from there. Undone, the same song
 * plays on at the level it had. */
static void effect_typed_while_playing_is_heard_and_undone(void)
{
    Song *s = synth_song(1, 64, 125, 6);
    synth_set_instrument(s, 1, synth_instrument(synth_sine(RATE, 1000.0, RATE, 1, 0.2f),
                                                LOOP_FORWARD, 0, 0, INTERP_LINEAR));
    synth_put(s, 0, 0, 0, NOTE_C4, 1, E, 0, 0);
    Editor *ed = edit_new(s, NULL, NULL);
    edit_set_edit_mode(ed, true);
    Engine *e = engine_new(s, RATE);
    engine_play_song_now(e, 0, 0, false);
    float *out = calloc(2 * (size_t)16 * ROW, sizeof(float));
    engine_render(e, out, 2 * ROW);
    edit_cursor_set(ed, (EditCursor){0, 4, 0, EDIT_COL_FX});
    CHECK(edit_fx_letter(ed, 'M') == HISS_OK);
    edit_cursor_set(ed, (EditCursor){0, 4, 0, EDIT_COL_FX_PARAM_HI});
    CHECK(edit_hex_digit(ed, 0) == HISS_OK && edit_hex_digit(ed, 0) == HISS_OK);
    engine_render(e, out + 2 * (size_t)2 * ROW, 6 * ROW);
    double before = rms(out, ROW, ROW), after = rms(out, 5 * ROW, ROW);
    CHECK_MSG(before > 0.1 && after < before * 1e-3, "M00 typed: rms %g then %g", before, after);
    /* undo takes the letter away (one step each for letter and digits) */
    while (edit_can_undo(ed))
        CHECK(edit_undo(ed) == HISS_OK);
    engine_play_song_now(e, 0, 0, false);
    engine_render(e, out + 2 * (size_t)8 * ROW, 8 * ROW);
    after = rms(out, 13 * ROW, ROW);
    CHECK_MSG(fabs(after / before - 1.0) < 1e-3, "undone: rms %g, before %g", after, before);
    engine_free(e);
    edit_free(ed);
    free(out);
    song_free(s);
}

/* One section of the filter as its design has it (a trapezoidal
 * state-variable filter), worked out in double precision one frame at a
 * time: the output `type` takes, at `band_gain` for a band-pass. */
static double reference_section(double ic[2], double x, double g, double k, double band_gain,
                                int type)
{
    double a1 = 1.0 / (1.0 + g * (g + k)), a2 = g * a1, a3 = g * a2;
    double v3 = x - ic[1], v1 = a1 * ic[0] + a2 * v3, v2 = ic[1] + a2 * ic[0] + a3 * v3;
    ic[0] = 2.0 * v1 - ic[0];
    ic[1] = 2.0 * v2 - ic[1];
    double hi = x - k * v1 - v2;
    switch (type) {
    case SHAPE_FILTER_LP12:
    case SHAPE_FILTER_LP24:
        return v2;
    case SHAPE_FILTER_HP12:
    case SHAPE_FILTER_HP24:
        return hi;
    case SHAPE_FILTER_BP12:
    case SHAPE_FILTER_BP24:
        return band_gain * v1;
    default:
        return v2 + hi;
    }
}

/* The filter (a channel insert's, the voices' own code) against that
 * reference on stereo noise, in blocks of many sizes, odd and even, so
 * what a run carries to the next is checked at every kind of boundary:
 * within 1e-5 of the reference (float rounding leaves under 5e-7) for
 * every type at both slopes, without and with resonance. */
static void filter_matches_the_one_frame_reference(void)
{
    static const struct {
        int type, resonance;
    } cases[] = {
        {SHAPE_FILTER_LP24, 0},  {SHAPE_FILTER_LP24, 60}, {SHAPE_FILTER_HP24, 30},
        {SHAPE_FILTER_BP24, 50}, {SHAPE_FILTER_NOTCH24, 20}, {SHAPE_FILTER_LP12, 40},
        {SHAPE_FILTER_HP12, 0},  {SHAPE_FILTER_BP12, 70},
    };
    static const uint32_t blocks[] = {1, 7, 64, 2, 255, 256, 300, 3, 100};
    enum { FRAMES = 24000, CUTOFF = 1500 };
    float *x = malloc(sizeof(float) * 2 * FRAMES), *y = malloc(sizeof(float) * 2 * FRAMES);
    uint32_t seed = 5;
    for (uint32_t i = 0; i < 2 * FRAMES; i++) {
        seed = seed * 1664525u + 1013904223u;
        x[i] = (float)((double)(seed >> 8) / (1 << 24) - 0.5);
    }
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        int shape[SHAPE_COUNT];
        shape_defaults(shape);
        shape[SHAPE_FILTER] = cases[c].type;
        shape[SHAPE_CUTOFF] = CUTOFF;
        shape[SHAPE_RESONANCE] = cases[c].resonance;
        VoiceFx fx;
        voicefx_insert_start(&fx, shape, RATE);
        memcpy(y, x, sizeof(float) * 2 * FRAMES);
        for (uint32_t done = 0, b = 0; done < FRAMES; b++) {
            uint32_t n = blocks[b % (sizeof blocks / sizeof blocks[0])];
            n = n < FRAMES - done ? n : FRAMES - done;
            voicefx_insert_run(&fx, y + 2 * done, n);
            done += n;
        }
        /* The damping as the design sets it: a Butterworth section (two
         * for 24 dB), the resonant one's damping falling towards 0.05 at
         * 95%. */
        bool two = cases[c].type >= SHAPE_FILTER_LP24;
        double res = cases[c].resonance / 100.0, bw = two ? 0.76536686 : 1.41421356;
        double k[2] = {two ? 1.84775907 : bw - (bw - 0.05) * res / 0.95,
                       bw - (bw - 0.05) * res / 0.95};
        double g = tan(M_PI * CUTOFF / RATE), ic[2][2][2] = {{{0}}}, worst = 0;
        for (uint32_t i = 0; i < FRAMES; i++)
            for (int ch = 0; ch < 2; ch++) {
                double v = reference_section(ic[0][ch], x[2 * i + ch], g, k[0], k[0],
                                             cases[c].type);
                if (two)
                    v = reference_section(ic[1][ch], v, g, k[1], k[1], cases[c].type);
                worst = fmax(worst, fabs(v - y[2 * i + ch]));
            }
        CHECK_MSG(worst < 1e-5, "type %d, resonance %d%%: %g from the reference",
                  cases[c].type, cases[c].resonance, worst);
    }
    free(x);
    free(y);
}

/* Every shaping effect in one song: the same samples in any block size. */
static void effects_are_block_size_invariant(void)
{
    /* QFF: the filter oscillates by itself; N00: the slide's memory. */
    int cells[] = {0, 'M', 0x60, 1, 'N', 0x31, 2, 'Q', 0xFF, 3, 'I', 0x06, 4, 'J', 0x20,
                   5, 'W', 0x80, 6, 'Y', 0x00, 7, 'N', 0x03, 8, 'Y', 0x05, 9, 'N', 0x00, -1};
    float *a = render_effects(440.0, 0.5f, cells, 10 * ROW, 1);
    float *b = render_effects(440.0, 0.5f, cells, 10 * ROW, 64);
    float *c = render_effects(440.0, 0.5f, cells, 10 * ROW, 1023);
    CHECK(!memcmp(a, b, sizeof(float) * 2 * 10 * ROW));
    CHECK(!memcmp(a, c, sizeof(float) * 2 * 10 * ROW));
    free(a);
    free(b);
    free(c);
}

int main(void)
{
    RUN(lowpass_minus_3db_point_is_at_the_cutoff);
    RUN(slopes_an_octave_above);
    RUN(band_pass_and_notch_at_both_slopes);
    RUN(resonance_peak_grows);
    RUN(full_resonance_sweep_stays_bounded);
    RUN(full_resonance_oscillates_at_the_cutoff);
    RUN(filter_envelope_of_its_own);
    RUN(slow_envelope_sweep_follows_its_cutoff);
    RUN(instrument_edits_are_heard_on_the_sounding_note);
    RUN(key_tracking_moves_the_cutoff);
    RUN(filter_velocity_lowers_the_cutoff);
    RUN(crush_mix_blends_dry_and_crushed);
    RUN(four_bit_crush_has_sixteen_levels);
    RUN(sample_and_hold_images_where_theory_says);
    RUN(drive_saturates_with_level_compensated);
    RUN(drive_velocity_amount);
    RUN(effect_m_sets_the_cutoff);
    RUN(effect_n_sweeps_smoothly);
    RUN(effect_n00_repeats_the_last_slide);
    RUN(effects_q_i_j_w_y_act_from_their_row);
    RUN(effect_y_restarts_the_envelope);
    RUN(drive_crush_and_gain_changes_have_no_zipper);
    RUN(crush_rate_changes_have_no_zipper);
    RUN(instrument_edits_have_no_zipper);
    RUN(effects_are_block_size_invariant);
    RUN(filter_matches_the_one_frame_reference);
    RUN(effect_typed_while_playing_is_heard_and_undone);
    return test_finish();
}
