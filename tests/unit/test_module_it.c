/* Impulse Tracker instruments' pitch and filter envelopes and resonant
 * filters (the instrument's cutoff and resonance, Zxx), imported from
 * modules the tests write (modgen) and measured from hiss's render: the
 * bend in Hz, the filter's gain against IT's own filter worked out from
 * its definition. */
#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/files.h"
#include "common/modgen.h"
#include "common/synth_song.h"
#include "songfile.h"
#include "songio.h"
#include "test.h"

enum { RATE = 48000, FRAMES = 4096, TICK = 960, ROW = 6 * TICK };

static float sine[FRAMES];
static char dir[256];

/* 16 frames a period: 522.7 Hz at IT's C-5 (8363 Hz), hiss's C-4. */
static void make_sine(void)
{
    for (int i = 0; i < FRAMES; i++)
        sine[i] = 0.5f * (float)sin(2 * M_PI * i / 16);
}

/* An IT of one instrument (the looped sine), 64 rows at speed 6, 125 BPM,
 * its note on row 0 at `note`. */
static void it_song(ModgenSong *s, int note)
{
    memset(s, 0, sizeof *s);
    modgen_init(s, 2, 64, 6, 125);
    s->it_instruments = 1;
    s->sample_count = 1;
    ModgenSample sm = {.data = sine, .frames = FRAMES, .loop_start = 0, .loop_end = FRAMES,
                       .volume = 64, .env_sustain = -1, .pitch_sustain = -1};
    s->samples[0] = sm;
    modgen_add(s, 0, 0, 0, (uint8_t)note, 1, -1, 0, 0);
}

static Song *load(const ModgenSong *ms, const char *name)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s.it", dir, name);
    HissDiag d = {{0}};
    Song *song = modgen_load(ms, MODGEN_IT, path, RATE, NULL, &d);
    CHECK_MSG(song != NULL, "%s: %s", name, d.text);
    return song;
}

static double rms(const float *out, uint32_t start, uint32_t count)
{
    return synth_rms(out, start, count, 0);
}

/* IT's filter (as OpenMPT plays it in IT mode): cutoff c (0..127, a
 * filter envelope makes it a fraction) and resonance r (0..127) at
 * `rate`, its gain in dB at `hz`. */
static double it_filter_db(double c, int r, double hz)
{
    double fc = 110.0 * pow(2.0, 0.25 + c / 24.0);
    double damp = pow(10.0, -r * (24.0 / 128.0) / 20.0);
    double ratio = RATE / (2 * M_PI * fc);
    double d = damp * ratio + damp - 1.0, e = ratio * ratio;
    double fg = 1.0 / (1.0 + d + e), fb0 = (d + e + e) / (1.0 + d + e),
           fb1 = -e / (1.0 + d + e);
    double complex z1 = cexp(-I * 2 * M_PI * hz / RATE);
    return 20 * log10(cabs(fg / (1.0 - fb0 * z1 - fb1 * z1 * z1)));
}

/* The note's level in dB on `row` (after its first tick), with the
 * instrument's filter against without it. */
static double filtered_db(ModgenSong *ms, const char *name, int row)
{
    Song *song = load(ms, name);
    if (!song)
        return NAN;
    float *out = synth_render(song, RATE, (uint32_t)(row + 2) * ROW, 1024);
    int ifc = ms->samples[0].it_ifc, ifr = ms->samples[0].it_ifr;
    ms->samples[0].it_ifc = ms->samples[0].it_ifr = 0;
    ms->samples[0].pitch_points = 0;
    Song *plain = load(ms, "plain");
    ms->samples[0].it_ifc = ifc;
    ms->samples[0].it_ifr = ifr;
    float *ref = plain ? synth_render(plain, RATE, (uint32_t)(row + 2) * ROW, 1024) : NULL;
    double db = ref ? 20 * log10(rms(out, (uint32_t)row * ROW + TICK, 4 * TICK) /
                                 rms(ref, (uint32_t)row * ROW + TICK, 4 * TICK))
                    : NAN;
    free(out);
    free(ref);
    song_free(song);
    song_free(plain);
    return db;
}

/* The instrument's cutoff and resonance: a sine an octave above a low
 * cutoff is cut as IT's filter cuts it; at the cutoff, a high resonance
 * lifts it as IT's does. */
static void it_filter_cuts_as_its_own_does(void)
{
    static const struct { int c, r, note; } CASES[] = {
        {40, 0, 61},  /* 414 Hz, the sine at 1045 Hz */
        {64, 0, 61},  /* 823 Hz */
        {20, 0, 49},  /* 234 Hz, the sine at 523 Hz */
        {62, 100, 49}, /* 776 Hz, resonant */
        {49, 120, 49}, /* 533 Hz: the sine on the peak */
    };
    for (size_t k = 0; k < sizeof CASES / sizeof CASES[0]; k++) {
        ModgenSong ms;
        it_song(&ms, CASES[k].note);
        ms.samples[0].it_ifc = 0x80 | CASES[k].c;
        ms.samples[0].it_ifr = 0x80 | CASES[k].r;
        double hz = 8363.0 / 16 * (CASES[k].note == 61 ? 2 : 1);
        double want = it_filter_db(CASES[k].c, CASES[k].r, hz);
        double got = filtered_db(&ms, "filter", 2);
        CHECK_MSG(fabs(got - want) < 1.0, "cutoff %d resonance %d: %.2f dB, IT's %.2f dB",
                  CASES[k].c, CASES[k].r, got, want);
    }
}

/* Zxx: Z00..Z7F set the cutoff, Z80..Z8F the resonance, on the sounding
 * note. */
static void zxx_moves_the_filter(void)
{
    ModgenSong ms;
    it_song(&ms, 61);
    ms.samples[0].it_ifc = 0x80 | 127;
    ms.samples[0].it_ifr = 0x80 | 8;
    modgen_add(&ms, 0, 4, 0, 0, 0, -1, 'Z', 40);
    modgen_add(&ms, 0, 8, 0, 0, 0, -1, 'Z', 64);
    modgen_add(&ms, 0, 12, 0, 0, 0, -1, 'Z', 0x8C); /* resonance 96 */
    Song *song = load(&ms, "zxx");
    if (!song)
        return;
    float *out = synth_render(song, RATE, 16 * ROW, 1024);
    double open = rms(out, TICK, 4 * TICK);
    double want[3] = {it_filter_db(40, 8, 1045.4) - it_filter_db(127, 8, 1045.4),
                      it_filter_db(64, 8, 1045.4) - it_filter_db(127, 8, 1045.4),
                      it_filter_db(64, 96, 1045.4) - it_filter_db(127, 8, 1045.4)};
    for (int k = 0; k < 3; k++) {
        double got = 20 * log10(rms(out, (uint32_t)(4 + 4 * k) * ROW + TICK, 4 * TICK) / open);
        CHECK_MSG(fabs(got - want[k]) < 1.0, "after Z on row %d: %.2f dB, IT's %.2f dB",
                  4 + 4 * k, got, want[k]);
    }
    free(out);
    song_free(song);
}

/* IT keeps the cutoff a Zxx set for the channel's next notes when their
 * instrument sets none: a bare note after Z28 sounds filtered. */
static void zxx_carries_to_the_next_note(void)
{
    ModgenSong ms;
    it_song(&ms, 61);
    modgen_add(&ms, 0, 4, 0, 0, 0, -1, 'Z', 40);
    modgen_add(&ms, 0, 8, 0, 61, 0, -1, 0, 0);
    modgen_add(&ms, 0, 12, 0, 61, 1, -1, 0, 0);
    Song *song = load(&ms, "zxx-carry");
    if (!song)
        return;
    float *out = synth_render(song, RATE, 16 * ROW, 1024);
    double open = rms(out, TICK, 4 * TICK);
    double want = it_filter_db(40, 0, 1045.4);
    for (int r = 8; r <= 12; r += 4) {
        double got = 20 * log10(rms(out, (uint32_t)r * ROW + 2 * TICK, 3 * TICK) / open);
        CHECK_MSG(fabs(got - want) < 1.0, "the note on row %d: %.2f dB, IT's %.2f dB", r, got,
                  want);
    }
    free(out);
    song_free(song);
}

/* it_song's instrument with IT's cutoff and resonance and a filter
 * envelope (its points for the caller to set). */
static ModgenSample *filter_env_song(ModgenSong *ms, int note, int cutoff, int resonance)
{
    it_song(ms, note);
    ModgenSample *sm = &ms->samples[0];
    sm->it_ifc = 0x80 | cutoff;
    sm->it_ifr = 0x80 | resonance;
    sm->pitch_is_filter = 1;
    return sm;
}

/* A filter envelope from -32 (the cutoff at its floor) up to +32 (the
 * instrument's cutoff) over 8 ticks, held there: the note opens up. */
static void filter_envelope_opens_the_filter(void)
{
    ModgenSong ms;
    ModgenSample *sm = filter_env_song(&ms, 61, 80, 0);
    sm->pitch_points = 3;
    sm->pitch_tick[0] = 0;
    sm->pitch_value[0] = -32;
    sm->pitch_tick[1] = 6;
    sm->pitch_value[1] = -32;
    sm->pitch_tick[2] = 8;
    sm->pitch_value[2] = 32;
    Song *song = load(&ms, "filter-env");
    if (!song)
        return;
    const Instrument *inst = song_instrument(song, 1);
    CHECK(inst && inst->filter_env.count == 3 && inst->filter_env.value[0] == 0 &&
          inst->filter_env.value[2] == 64 && inst->shape[SHAPE_FILTER] == SHAPE_FILTER_LP12);
    float *out = synth_render(song, RATE, 4 * ROW, 1024);
    /* Ticks 2..5: the cutoff at 130.8 Hz, 3 octaves below the sine; from
     * tick 9 on at IT's 80 (1.2 kHz). */
    double closed = 20 * log10(rms(out, 2 * TICK, 4 * TICK) / 0.5 * sqrt(2));
    double opened = 20 * log10(rms(out, 12 * TICK, 4 * TICK) / 0.5 * sqrt(2));
    double floor_db = it_filter_db(0, 0, 1045.4), open_db = it_filter_db(80, 0, 1045.4);
    CHECK_MSG(fabs(opened - closed - (open_db - floor_db)) < 2.0,
              "opened by %.2f dB, IT's %.2f dB", opened - closed, open_db - floor_db);
    free(out);
    song_free(song);
}

/* IT's filter damps more the higher its cutoff: under a filter envelope
 * its resonance is the one of the cutoff the envelope moves it to. An
 * instrument at cutoff 112 (3.3 kHz) and resonance 120 whose envelope
 * holds at -4 (28 of 64: cutoff 49, 539 Hz) lifts the sine (523 Hz) on
 * its peak's slope as IT does, not by the resonance of 3.3 kHz (2.4 dB
 * less). */
static void filter_envelope_keeps_its_resonance(void)
{
    ModgenSong ms;
    ModgenSample *sm = filter_env_song(&ms, 49, 112, 120);
    sm->pitch_points = 2;
    sm->pitch_tick[1] = 1;
    sm->pitch_value[0] = sm->pitch_value[1] = -4;
    double want = it_filter_db(112.0 * 28 / 64, 120, 8363.0 / 16);
    double got = filtered_db(&ms, "filter-env-res", 2);
    CHECK_MSG(fabs(got - want) < 0.25, "%.2f dB, IT's %.2f dB", got, want);
}

/* A Zxx cutoff is one of IT's 128, which an Mxx (a finer scale of its
 * own) names only to within 23 cents: hiss's IT filter goes to IT's, and
 * is IT's filter. Z8F then a cutoff (resonance 120) lift the sine on the
 * peak's slope as IT does: 523 Hz at cutoff 49 (539 Hz; at Mxx's 545 Hz
 * 1.2 dB less), 4181 Hz at 120 (4186 Hz; a state-variable filter of the
 * same poles has zeros at half the rate: 0.65 dB less). */
static void zxx_cutoff_is_its_own(void)
{
    static const struct { int note, cutoff; } CASES[] = {{49, 49}, {85, 120}};
    for (size_t k = 0; k < sizeof CASES / sizeof CASES[0]; k++) {
        ModgenSong ms;
        it_song(&ms, CASES[k].note);
        modgen_add(&ms, 0, 4, 0, 0, 0, -1, 'Z', 0x8F);
        modgen_add(&ms, 0, 5, 0, 0, 0, -1, 'Z', (uint8_t)CASES[k].cutoff);
        Song *song = load(&ms, "zxx-own");
        if (!song)
            return;
        float *out = synth_render(song, RATE, 12 * ROW, 1024);
        double open = rms(out, TICK, 4 * TICK);
        double want = it_filter_db(CASES[k].cutoff, 120,
                                   8363.0 / 16 * pow(2, (CASES[k].note - 49) / 12.0));
        double got = 20 * log10(rms(out, 6 * ROW + TICK, 4 * TICK) / open);
        CHECK_MSG(fabs(got - want) < 0.25, "cutoff %d: %.2f dB, IT's %.2f dB", CASES[k].cutoff,
                  got, want);
        free(out);
        song_free(song);
    }
}

/* IT's S77 switches the note's volume envelope off (it plays as if there
 * were none: at full level) and S78 on again, from where it stopped. The
 * envelope falls from 64 to 0 over 40 ticks; S77 on tick 12, S78 on tick
 * 30: tick 19 plays at full level (5.2 dB under it without the switch),
 * tick 37 at the envelope's tick 19 (-5.6 dB; -17 dB had it gone on). */
static void envelope_switch_holds_the_volume(void)
{
    ModgenSong ms;
    it_song(&ms, 49);
    ModgenSample *sm = &ms.samples[0];
    sm->env_points = 2;
    sm->env_tick[1] = 40;
    sm->env_value[0] = 64;
    sm->env_value[1] = 0;
    modgen_add(&ms, 0, 2, 0, 0, 0, -1, 'X', 0x07);
    modgen_add(&ms, 0, 5, 0, 0, 0, -1, 'X', 0x08);
    Song *song = load(&ms, "env-switch");
    if (!song)
        return;
    float *out = synth_render(song, RATE, 8 * ROW, 1024);
    double full = rms(out, TICK / 4, TICK / 2);
    double off = 20 * log10(rms(out, 19 * TICK, TICK) / full);
    double back = 20 * log10(rms(out, 37 * TICK, TICK) / full);
    double want = 20 * log10((40 - 18.5) / 40);
    CHECK_MSG(fabs(off) < 0.5, "switched off: %.2f dB, want 0", off);
    CHECK_MSG(fabs(back - want) < 1.0, "switched on: %.2f dB, want %.2f", back, want);
    free(out);
    song_free(song);
}

/* A pitch envelope: up 24 half semitones (an octave) over 4 ticks, then
 * down to -12 (6 semitones under) by tick 12 and held. */
static void pitch_envelope_bends_the_note(void)
{
    ModgenSong ms;
    it_song(&ms, 49);
    ModgenSample *sm = &ms.samples[0];
    sm->pitch_points = 3;
    sm->pitch_tick[0] = 0;
    sm->pitch_value[0] = 0;
    sm->pitch_tick[1] = 4;
    sm->pitch_value[1] = 24;
    sm->pitch_tick[2] = 12;
    sm->pitch_value[2] = -12;
    Song *song = load(&ms, "bend");
    if (!song)
        return;
    const Instrument *inst = song_instrument(song, 1);
    CHECK(inst && inst->pitch_env.count == 3 && inst->pitch_env.value[1] == 56 &&
          inst->pitch_env.value[2] == 20);
    float *out = synth_render(song, RATE, 4 * ROW, 1024);
    double base = 8363.0 / 16;
    double first = synth_frequency(out, 100, TICK - 200, 0, RATE);
    double top = synth_frequency(out, 4 * TICK + 100, TICK - 200, 0, RATE);
    double held = synth_frequency(out, 14 * TICK, 4 * TICK, 0, RATE);
    CHECK_MSG(fabs(first - base) < 1.0, "tick 0: %.2f Hz, want %.2f", first, base);
    CHECK_MSG(fabs(top - 2 * base) < 2.0, "tick 4: %.2f Hz, want %.2f", top, 2 * base);
    CHECK_MSG(fabs(held - base * pow(2, -0.5)) < 1.0, "from tick 12: %.2f Hz, want %.2f",
              held, base * pow(2, -0.5));
    free(out);
    song_free(song);
}

/* An IT note off on an instrument with a volume envelope: the envelope
 * goes on past its sustain, and the fadeout waits until it has passed
 * its last point. Held at 64 from tick 10 (the sustain) to its end at
 * tick 30, the note off on tick 18: the envelope ends on tick 38, so
 * tick 36 still sounds in full; fadeout 32 (32 ticks) then takes it
 * down to silence by tick 70. */
static void it_fadeout_waits_for_the_envelope(void)
{
    ModgenSong ms;
    it_song(&ms, 49);
    ModgenSample *sm = &ms.samples[0];
    static const int TICKS[] = {0, 10, 30};
    sm->env_points = 3;
    for (int k = 0; k < 3; k++) {
        sm->env_tick[k] = TICKS[k];
        sm->env_value[k] = 64;
    }
    sm->env_sustain = 1;
    sm->fadeout = 32;
    modgen_add(&ms, 0, 3, 0, MODGEN_NOTE_OFF, 0, -1, 0, 0);
    Song *song = load(&ms, "fade-after-env");
    if (!song)
        return;
    CHECK(song_instrument(song, 1) && song_instrument(song, 1)->fade_after_env);
    float *out = synth_render(song, RATE, 13 * ROW, 1024);
    double held = rms(out, 16 * TICK, 4 * TICK), late = rms(out, 36 * TICK, TICK),
           fading = rms(out, 54 * TICK, TICK), gone = rms(out, 72 * TICK, TICK);
    CHECK_MSG(held > 0.01 && fabs(late / held - 1) < 0.02, "tick 36 at %.3f of the held level",
              late / held);
    CHECK_MSG(fading < 0.6 * held && fading > 0.3 * held && gone < 1e-4,
              "tick 54 at %.3f, tick 72 at %.5f of the held level", fading / held, gone / held);
    free(out);
    song_free(song);
}

/* Saved as .hiss and read back, the imported envelopes and filter render
 * the same. */
static void it_envelopes_save_and_render_the_same(void)
{
    ModgenSong ms;
    it_song(&ms, 61);
    ModgenSample *sm = &ms.samples[0];
    sm->it_ifc = 0x80 | 70;
    sm->it_ifr = 0x80 | 60;
    sm->pitch_points = 2;
    sm->pitch_tick[1] = 6;
    sm->pitch_value[1] = -20;
    modgen_add(&ms, 0, 6, 0, 0, 0, -1, 'Z', 30);
    Song *song = load(&ms, "saved");
    if (!song)
        return;
    char *text = NULL;
    size_t len = 0;
    CHECK(songfile_format(song, &text, &len) == HISS_OK);
    CHECK(text && strstr(text, " bend_env 2 0 32 6 12") && strstr(text, "filter lp12") &&
          strstr(text, " filter_model it") && strstr(text, " M"));
    Song *back = NULL;
    HissDiag d = {{0}};
    CHECK(text && songfile_parse(text, len, "saved.hiss", &back, &d) == HISS_OK);
    if (back) {
        atomic_store(&back->limiter, false);
        atomic_store(&back->master_gain_tenth_db, 0);
        for (int slot = 1; slot <= 2; slot++) {
            Instrument *was = song_instrument(song, slot), *now = song_instrument(back, slot);
            if (was && now && was->sample)
                now->sample = sample_retain(was->sample);
        }
        float *a = synth_render(song, RATE, 10 * ROW, 1024);
        float *b = synth_render(back, RATE, 10 * ROW, 1024);
        CHECK(a && b && !memcmp(a, b, sizeof(float) * 2 * 10 * ROW));
        free(a);
        free(b);
        song_free(back);
    }
    free(text);
    song_free(song);
}

/* The fuzz corpus's IT with instruments (`--write DIR`): a pitch
 * envelope, a filter with a filter envelope, and Zxx. */
static int write_corpus_module(const char *to)
{
    ModgenSong ms;
    ModgenSample *sm = filter_env_song(&ms, 61, 70, 60);
    sm->pitch_points = 3;
    sm->pitch_tick[1] = 6;
    sm->pitch_value[1] = 20;
    sm->pitch_tick[2] = 12;
    sm->pitch_value[2] = -10;
    sm->pitch_sustain = 1;
    modgen_add(&ms, 0, 4, 0, 0, 0, -1, 'Z', 0x30);
    modgen_add(&ms, 0, 6, 0, 0, 0, -1, 'Z', 0x86);
    modgen_add(&ms, 0, 8, 0, 56, 0, -1, 0, 0);
    char path[1024];
    snprintf(path, sizeof path, "%s/demo-filter.it", to);
    modgen_save(&ms, MODGEN_IT, path);
    return 0;
}

int main(int argc, char **argv)
{
    make_sine();
    if (argc == 3 && !strcmp(argv[1], "--write"))
        return write_corpus_module(argv[2]);
    test_make_tmpdir(dir, sizeof dir, "module-it");
    RUN(it_filter_cuts_as_its_own_does);
    RUN(zxx_moves_the_filter);
    RUN(zxx_carries_to_the_next_note);
    RUN(filter_envelope_opens_the_filter);
    RUN(filter_envelope_keeps_its_resonance);
    RUN(zxx_cutoff_is_its_own);
    RUN(envelope_switch_holds_the_volume);
    RUN(pitch_envelope_bends_the_note);
    RUN(it_fadeout_waits_for_the_envelope);
    RUN(it_envelopes_save_and_render_the_same);
    test_remove_tree(dir);
    return test_finish();
}
