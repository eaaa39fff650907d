/* module import: MOD, S3M, XM and IT files written byte by byte by the
 * tests (tests/common/modgen.c), opened the way render, play and the
 * editor open songs (songio_load), then measured in the rendered audio:
 * a note's pitch, the frame rows start on at the module's speed and tempo,
 * loops, volumes. Hostile files must fail with a message, never crash. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/files.h"
#include "common/modgen.h"
#include "common/synth_song.h"
#include "loader.h"
#include "sampleio.h"
#include "songio.h"
#include "test.h"

enum { RATE = 48000, PERIOD = 32, SINE_FRAMES = 4096 };

static float sine[SINE_FRAMES];
static char dir[256];

static const char *const FORMAT_NAMES[] = {"MOD", "S3M", "XM", "IT"};

/* The rate a module plays its C-5 (hiss's C-4, note 49) at: ProTracker's PAL
 * Amiga for MOD, 8363 Hz for the others. */
static double c5_rate(ModgenFormat f)
{
    return f == MODGEN_MOD ? 8287.0 : 8363.0;
}

static void make_sine(void)
{
    for (int i = 0; i < SINE_FRAMES; i++)
        sine[i] = 0.8f * (float)sin(2 * M_PI * i / PERIOD);
}

/* A 4-channel, 64-row song at speed 6, 125 BPM with the looped sine as
 * instrument 1. */
static void base_song(ModgenSong *s)
{
    modgen_init(s, 4, 64, 6, 125);
    s->sample_count = 1;
    ModgenSample sm = {.data = sine, .frames = SINE_FRAMES,
                        .loop_start = 0, .loop_end = SINE_FRAMES, .volume = 64};
    s->samples[0] = sm;
}

static Song *load(const ModgenSong *ms, ModgenFormat f, const char *name,
                  SongioWarnings *w)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s%s", dir, name, modgen_extension(f));
    HissDiag d = {{0}};
    Song *song = modgen_load(ms, f, path, RATE, w, &d);
    CHECK_MSG(song != NULL, "%s: %s", FORMAT_NAMES[f], d.text);
    return song;
}

static double rms(const float *out, uint32_t start, uint32_t count)
{
    double sum = 0;
    for (uint32_t i = start; i < start + count; i++)
        sum += out[2 * i] * out[2 * i];
    return sqrt(sum / count);
}

static void every_format_plays_notes_at_their_pitch(void)
{
    for (int f = 0; f < 4; f++) {
        ModgenSong ms;
        base_song(&ms);
        modgen_add(&ms, 0, 0, 0, 49, 1, -1, 0, 0);
        modgen_add(&ms, 0, 16, 0, 61, 1, -1, 0, 0); /* an octave up */
        modgen_add(&ms, 0, 32, 0, 44, 1, -1, 0, 0); /* a fourth down */
        Song *song = load(&ms, (ModgenFormat)f, "pitch", NULL);
        if (!song)
            continue;
        uint32_t row = (uint32_t)synth_row_frame(RATE, 125, 6, 1);
        float *out = synth_render(song, RATE, 48 * row, 1024);
        double want = c5_rate((ModgenFormat)f) / PERIOD;
        double c4 = synth_frequency(out, 2000, 12 * row, 0, RATE);
        double c5 = synth_frequency(out, 16 * row + 2000, 12 * row, 0, RATE);
        double g3 = synth_frequency(out, 32 * row + 2000, 12 * row, 0, RATE);
        CHECK_MSG(fabs(c4 - want) < 0.2, "%s C-4 %.2f Hz, want %.2f", FORMAT_NAMES[f], c4,
                  want);
        CHECK_MSG(fabs(c5 - 2 * want) < 0.4, "%s C-5 %.2f Hz", FORMAT_NAMES[f], c5);
        /* MOD and S3M slide on Amiga periods, so their notes are
         * ProTracker's table periods (G-3 is PT's G-1, period 570); XM
         * and IT here say linear slides: equal temperament. */
        bool amiga = f == MODGEN_MOD || f == MODGEN_S3M;
        CHECK(song->slides == (amiga ? SLIDES_AMIGA : SLIDES_LINEAR));
        double g3_want = amiga ? want * 428.0 / 570.0 : want * pow(2, -5 / 12.0);
        CHECK_MSG(fabs(g3 - g3_want) < 0.1, "%s G-3 %.2f Hz, want %.2f", FORMAT_NAMES[f], g3,
                  g3_want);
        free(out);
        song_free(song);
    }
}

/* Rows start where the module's speed and tempo put them, also after a
 * speed and a tempo change in the pattern (Fxx; S3M/IT Axx and Txx). */
static void rows_start_at_the_modules_speed_and_tempo(void)
{
    for (int f = 0; f < 4; f++) {
        ModgenSong ms;
        base_song(&ms);
        modgen_add(&ms, 0, 0, 1, 0, 0, -1, 'F', 3);
        modgen_add(&ms, 0, 8, 1, 0, 0, -1, 'F', 150);
        modgen_add(&ms, 0, 12, 0, 49, 1, -1, 0, 0);
        Song *song = load(&ms, (ModgenFormat)f, "tempo", NULL);
        if (!song)
            continue;
        float *out = synth_render(song, RATE, RATE * 2, 1024);
        /* 8 rows of 3 ticks at 125 BPM (960 frames a tick), then 4 of 3
         * at 150 BPM (800 frames). */
        uint32_t want = 8 * 3 * 960 + 4 * 3 * 800;
        uint32_t got = synth_first_above(out, 0, RATE * 2, 0.001f);
        CHECK_MSG(got >= want && got < want + 64, "%s: onset %u, want %u", FORMAT_NAMES[f],
                  got, want);
        free(out);
        song_free(song);
    }
}

/* A looped sample sounds long after its frames end; an unlooped one
 * stops. */
static void loops_keep_a_note_sounding(void)
{
    static float shortsine[512];
    for (int i = 0; i < 512; i++)
        shortsine[i] = sine[i];
    for (int f = 0; f < 4; f++) {
        for (int looped = 0; looped < 2; looped++) {
            ModgenSong ms;
            base_song(&ms);
            ModgenSample sm = {.data = shortsine, .frames = 512,
                                .loop_start = 256, .loop_end = looped ? 512 : 0, .volume = 64};
            ms.samples[0] = sm;
            modgen_add(&ms, 0, 0, 0, 49, 1, -1, 0, 0);
            Song *song = load(&ms, (ModgenFormat)f, looped ? "loop" : "oneshot", NULL);
            if (!song)
                continue;
            Instrument *inst = song_instrument(song, 1);
            CHECK(inst && inst->sample && inst->sample->frames == 512);
            float *out = synth_render(song, RATE, RATE, 1024);
            /* 512 frames at ~8.3 kHz last ~62 ms: look at 0.5 s. */
            double early = rms(out, 480, 960), late = rms(out, RATE / 2, 4800);
            CHECK_MSG(early > 0.01, "%s: silent from the start", FORMAT_NAMES[f]);
            if (looped)
                CHECK_MSG(fabs(late / early - 1) < 0.05, "%s looped: rms %.4f at 0.5 s, %.4f "
                          "at the start", FORMAT_NAMES[f], late, early);
            else
                CHECK_MSG(late < 1e-4, "%s one-shot: rms %.4f at 0.5 s", FORMAT_NAMES[f],
                          late);
            if (looped && inst)
                CHECK_MSG(inst->loop == LOOP_FORWARD && inst->loop_start == 256 &&
                              inst->loop_end == 512,
                          "%s loop %d %u..%u", FORMAT_NAMES[f], inst->loop, inst->loop_start,
                          inst->loop_end);
            free(out);
            song_free(song);
        }
    }
}

/* The volume column (MOD: Cxx) and a volume slide (Axy; S3M/IT Dxy). */
static void volumes_and_slides(void)
{
    for (int f = 0; f < 4; f++) {
        ModgenSong ms;
        base_song(&ms);
        modgen_add(&ms, 0, 0, 0, 49, 1, 64, 0, 0);
        modgen_add(&ms, 0, 8, 0, 49, 1, 32, 0, 0);
        modgen_add(&ms, 0, 16, 0, 49, 1, -1, 'A', 0x08);
        modgen_add(&ms, 0, 17, 0, 0, 0, -1, 'A', 0x08);
        Song *song = load(&ms, (ModgenFormat)f, "volume", NULL);
        if (!song)
            continue;
        uint32_t row = (uint32_t)synth_row_frame(RATE, 125, 6, 1);
        float *out = synth_render(song, RATE, 24 * row, 1024);
        double full = rms(out, row, 6 * row);
        double half = rms(out, 9 * row, 6 * row);
        CHECK_MSG(fabs(half / full - 0.5) < 0.02, "%s: volume 32 is %.3f of 64",
                  FORMAT_NAMES[f], half / full);
        /* 64 - 5 ticks x 8 = 24 on row 17's first tick (960 frames),
         * then 0 from row 18 on. */
        double slid = rms(out, 17 * row + 100, 700);
        CHECK_MSG(fabs(slid / full - 24.0 / 64) < 0.03, "%s: slid to %.3f", FORMAT_NAMES[f],
                  slid / full);
        CHECK_MSG(rms(out, 19 * row, row) < 1e-3, "%s: not silent after the slide",
                  FORMAT_NAMES[f]);
        free(out);
        song_free(song);
    }
}

/* A porta up of 2 for one row (5 ticks): 10 periods from 428 in MOD and
 * S3M (Amiga slides), 10/16 semitone in XM and IT (linear). */
static void slides_follow_the_modules_mode(void)
{
    for (int f = 0; f < 4; f++) {
        ModgenSong ms;
        base_song(&ms);
        modgen_add(&ms, 0, 0, 0, 49, 1, -1, '1', 0x02);
        Song *song = load(&ms, (ModgenFormat)f, "porta", NULL);
        if (!song)
            continue;
        uint32_t row = (uint32_t)synth_row_frame(RATE, 125, 6, 1);
        float *out = synth_render(song, RATE, 8 * row, 1024);
        double base = c5_rate((ModgenFormat)f) / PERIOD;
        bool amiga = f == MODGEN_MOD || f == MODGEN_S3M;
        double want = amiga ? base * 428.0 / 418.0 : base * pow(2, 10.0 / 16 / 12);
        double got = synth_frequency(out, 2 * row, 5 * row, 0, RATE);
        CHECK_MSG(fabs(got - want) < 0.1, "%s: %.2f Hz after the slide, want %.2f",
                  FORMAT_NAMES[f], got, want);
        free(out);
        song_free(song);
    }
}

/* A note off (S3M ^^, XM and IT ===) ends the note; MOD has none. */
static void note_offs_end_notes(void)
{
    for (int f = MODGEN_S3M; f <= MODGEN_IT; f++) {
        ModgenSong ms;
        base_song(&ms);
        modgen_add(&ms, 0, 0, 0, 49, 1, -1, 0, 0);
        modgen_add(&ms, 0, 8, 0, MODGEN_NOTE_OFF, 0, -1, 0, 0);
        Song *song = load(&ms, (ModgenFormat)f, "off", NULL);
        if (!song)
            continue;
        Cell off = song_pattern_get(song_pattern(song, 0), 8, 0);
        CHECK_MSG(off.note == NOTE_OFF || off.note == NOTE_CUT, "%s: note %d",
                  FORMAT_NAMES[f], off.note);
        uint32_t row = (uint32_t)synth_row_frame(RATE, 125, 6, 1);
        float *out = synth_render(song, RATE, 12 * row, 1024);
        CHECK_MSG(rms(out, 4 * row, row) > 0.01 && rms(out, 10 * row, row) < 1e-4,
                  "%s: %.4f before, %.4f after the note off", FORMAT_NAMES[f],
                  rms(out, 4 * row, row), rms(out, 10 * row, row));
        free(out);
        song_free(song);
    }
}

/* An XM's note off on an instrument without a volume envelope silences
 * the note at once (FastTracker 2 sets its volume to 0): gone within the
 * declick ramp (64 frames), where a note off's 10 ms fade would still be
 * sounding 100 to 400 frames on. */
static void xm_note_off_silences_at_once(void)
{
    ModgenSong ms;
    base_song(&ms);
    modgen_add(&ms, 0, 0, 0, 49, 1, -1, 0, 0);
    modgen_add(&ms, 0, 8, 0, MODGEN_NOTE_OFF, 0, -1, 0, 0);
    Song *song = load(&ms, MODGEN_XM, "off-at-once", NULL);
    if (!song)
        return;
    uint32_t row = (uint32_t)synth_row_frame(RATE, 125, 6, 1);
    float *out = synth_render(song, RATE, 10 * row, 1024);
    double before = rms(out, 7 * row, row), after = rms(out, 8 * row + 100, 300);
    CHECK_MSG(before > 0.05 && after < 1e-4, "%.4f before, %.4f 100 frames after the note off",
              before, after);
    free(out);
    song_free(song);
}

/* An XM volume envelope that falls from 64 to 0 in 10 ticks, no sustain:
 * a decay of 200 ms at 125 BPM, so the note dies out. With a sustain at
 * 32 and a fadeout, it holds at half level until the note off. */
static void xm_envelopes_shape_the_note(void)
{
    for (int sustained = 0; sustained < 2; sustained++) {
        ModgenSong ms;
        base_song(&ms);
        ModgenSample *sm = &ms.samples[0];
        sm->env_points = 2;
        sm->env_tick[0] = 0;
        sm->env_value[0] = 64;
        sm->env_tick[1] = 10;
        sm->env_value[1] = sustained ? 32 : 0;
        sm->env_sustain = sustained ? 1 : -1;
        sm->fadeout = sustained ? 0x400 : 0;
        modgen_add(&ms, 0, 0, 0, 49, 1, -1, 0, 0);
        modgen_add(&ms, 0, 32, 0, MODGEN_NOTE_OFF, 0, -1, 0, 0);
        Song *song = load(&ms, MODGEN_XM, sustained ? "env-sus" : "env", NULL);
        if (!song)
            continue;
        uint32_t row = (uint32_t)synth_row_frame(RATE, 125, 6, 1);
        float *out = synth_render(song, RATE, 48 * row, 1024);
        double start = rms(out, 200, 480), late = rms(out, 16 * row, row);
        if (sustained) {
            CHECK_MSG(fabs(late / start - 0.5) < 0.03, "sustain at %.3f", late / start);
            CHECK_MSG(rms(out, 44 * row, row) < 0.01 * start, "not released: %.4f",
                      rms(out, 44 * row, row));
        } else {
            /* 10 ticks of 20 ms: silent from 200 ms (row 1 ends at 120). */
            CHECK_MSG(late < 1e-4 && rms(out, 2 * row, row) < 1e-4 && start > 0.01,
                      "no decay: %.4f at row 16", late);
            CHECK_MSG(rms(out, row / 2, row / 4) > 0.1 * start, "decays too soon");
        }
        free(out);
        song_free(song);
    }
}

static double tick_rms(const float *out, ModgenFormat f, int tick);

/* The sample's volume envelope: `count` points, sustained at point
 * `sustain` (-1: none). */
static void volume_envelope(ModgenSample *sm, int count, const int *tick, const int *value,
                            int sustain)
{
    sm->env_points = count;
    for (int k = 0; k < count; k++) {
        sm->env_tick[k] = tick[k];
        sm->env_value[k] = value[k];
    }
    sm->env_sustain = sustain;
}

/* A note off's tick still holds the volume envelope's sustain; it goes
 * on past it from the tick after, as FastTracker 2 plays it. Held at 64
 * (tick 10) until the note off on tick 18, falling 4 a tick from tick 19
 * to 0 at tick 34: tick 31 ramps from 16 to 12 (14 of 64 on the whole),
 * one tick sooner it would ramp from 12 to 8. */
static void xm_envelope_holds_on_the_note_offs_tick(void)
{
    ModgenSong ms;
    base_song(&ms);
    static const int TICK[] = {0, 10, 26}, VALUE[] = {64, 64, 0};
    volume_envelope(&ms.samples[0], 3, TICK, VALUE, 1);
    modgen_add(&ms, 0, 0, 0, 49, 1, -1, 0, 0);
    modgen_add(&ms, 0, 3, 0, MODGEN_NOTE_OFF, 0, -1, 0, 0);
    Song *song = load(&ms, MODGEN_XM, "env-off-tick", NULL);
    if (!song)
        return;
    float *out = synth_render(song, RATE, 8 * 5760, 1024);
    double held = tick_rms(out, MODGEN_XM, 16);
    for (int t = 28; t <= 33; t++) {
        double got = tick_rms(out, MODGEN_XM, t) / held * 64, want = 4 * (34 - t) + 2;
        CHECK_MSG(fabs(got - want) < 1.0, "tick %d at %.2f of 64, want %.0f", t, got, want);
    }
    free(out);
    song_free(song);
}

/* A volume envelope that starts at 0 leaves a note's first tick silent;
 * its second tick's level comes over the declick ramp, as a note's start
 * does, not over the tick: rising 64 in 3 ticks, tick 1 sounds at 21.3
 * of 64 from its start (gliding over the tick it would average 13 over
 * the frames measured). */
static void xm_envelope_from_silence_comes_at_once(void)
{
    ModgenSong ms;
    base_song(&ms);
    static const int TICK[] = {0, 3}, VALUE[] = {0, 64};
    volume_envelope(&ms.samples[0], 2, TICK, VALUE, 1);
    modgen_add(&ms, 0, 0, 0, 49, 1, -1, 0, 0);
    Song *song = load(&ms, MODGEN_XM, "env-from-silence", NULL);
    if (!song)
        return;
    float *out = synth_render(song, RATE, 5760, 1024);
    double full = tick_rms(out, MODGEN_XM, 5), first = tick_rms(out, MODGEN_XM, 1) / full * 64;
    CHECK_MSG(rms(out, 0, 900) < 1e-4, "tick 0 sounds: %.5f", rms(out, 0, 900));
    CHECK_MSG(fabs(first - 64 / 3.0) < 1.0, "tick 1 at %.2f of 64, want 21.3", first);
    free(out);
    song_free(song);
}

static bool report_has(const LoaderReport *r, const char *what, int order, int row,
                       int channel);

/* The song as an XM, loaded with its import report (r: to be freed). */
static Song *load_xm_report(const ModgenSong *ms, const char *name, LoaderReport *r)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s.xm", dir, name);
    modgen_save(ms, MODGEN_XM, path);
    loader_report_init(r);
    Song *song = NULL;
    HissDiag d = {{0}};
    CHECK_MSG(loader_load_file_report(path, &song, &d, r) == HISS_OK, "%s", d.text);
    return song;
}

/* Instrument 1 plays sample 0 below C-4 and sample 1 from C-4. */
static void keymap_from_c4(ModgenSong *ms)
{
    ms->sample_count = 2;
    ms->instrument_count = 1;
    ms->instruments[0].first = 0;
    ms->instruments[0].count = 2;
    for (int k = 48; k < 96; k++)
        ms->instruments[0].keymap[k] = 1;
}

/* An XM instrument whose keymap plays a low sample below C-4 and a high
 * one (another sine, its own volume, an octave up by its relative note)
 * from C-4: each note sounds the sample its key maps to, also a note
 * without an instrument number, and the report says how it was done. */
static float sine24[SINE_FRAMES];

static void keymaps_play_each_keys_sample(void)
{
    for (int i = 0; i < SINE_FRAMES; i++)
        sine24[i] = 0.8f * (float)sin(2 * M_PI * i / 24);
    ModgenSong ms;
    base_song(&ms);
    ModgenSample high = {.data = sine24, .frames = SINE_FRAMES - 16, .loop_start = 0,
                         .loop_end = SINE_FRAMES - 16, .volume = 32, .relative_note = 12};
    ms.samples[1] = high;
    keymap_from_c4(&ms);
    modgen_add(&ms, 0, 0, 0, 48, 1, -1, 0, 0);  /* B-3: the low sample */
    modgen_add(&ms, 0, 16, 0, 49, 1, -1, 0, 0); /* C-4: the high one */
    /* B-3 without an instrument: the low sample at the volume the
     * channel had (the high sample's 32), as FastTracker 2 plays it. */
    modgen_add(&ms, 0, 32, 0, 48, 0, -1, 0, 0);
    /* After a volume slide the volume is not known: reported. */
    modgen_add(&ms, 0, 38, 0, 49, 1, -1, 'A', 0x01);
    modgen_add(&ms, 0, 40, 0, 48, 0, -1, 0, 0);
    modgen_add(&ms, 0, 46, 0, MODGEN_NOTE_OFF, 0, -1, 0, 0);
    modgen_add(&ms, 0, 47, 0, 48, 0, -1, 0, 0); /* after a note off: reported */
    LoaderReport r;
    Song *song = load_xm_report(&ms, "keymap", &r);
    CHECK(report_has(&r, "keymap of 2 samples as instruments 01, 02", -1, -1, -1));
    /* The whole sentence, not cut at the note's old 120 bytes. */
    CHECK(report_has(&r, "notes name the one their key plays)", -1, -1, -1));
    CHECK(!report_has(&r, "a note without instrument on another sample", 0, 32, 0));
    CHECK(report_has(&r, "a note without instrument on another sample", 0, 40, 0));
    CHECK(report_has(&r, "a note without instrument after a note off", 0, 47, 0));
    CHECK(!report_has(&r, "a note without instrument after a note off", 0, 32, 0));
    loader_report_free(&r);
    if (!song)
        return;
    Cell bare = song_pattern_get(song_pattern(song, song->orders[0]), 32, 0);
    /* Instrument 01 keeps the sample its C-4 plays (the high one). */
    CHECK_MSG(bare.instrument == 2 && bare.volume == 32, "row 32: instrument %d volume %d",
              bare.instrument, bare.volume);
    atomic_store(&song->limiter, false);
    atomic_store(&song->master_gain_tenth_db, 0);
    uint32_t row = (uint32_t)synth_row_frame(RATE, 125, 6, 1);
    float *out = synth_render(song, RATE, 48 * row, 1024);
    double semitone = pow(2, 1 / 12.0);
    double low = 8363.0 / PERIOD / semitone, high_hz = 2 * 8363.0 / 24;
    double f0 = synth_frequency(out, 2000, 12 * row, 0, RATE);
    double f1 = synth_frequency(out, 16 * row + 2000, 12 * row, 0, RATE);
    double f2 = synth_frequency(out, 32 * row + 2000, 5 * row, 0, RATE);
    CHECK_MSG(fabs(f0 - low) < 0.2, "B-3 %.2f Hz, want %.2f", f0, low);
    CHECK_MSG(fabs(f1 - high_hz) < 0.4, "C-4 %.2f Hz, want %.2f", f1, high_hz);
    CHECK_MSG(fabs(f2 - low) < 0.2, "B-3 without instrument %.2f Hz, want %.2f", f2, low);
    /* Each sample keeps its volume: the high one is at 32 of 64. */
    double ratio = rms(out, 16 * row + 2000, 8 * row) / rms(out, 2000, 8 * row);
    CHECK_MSG(fabs(ratio - 0.5) < 0.03, "high/low level %.3f, want 0.5", ratio);
    ratio = rms(out, 32 * row + 2000, 4 * row) / rms(out, 2000, 8 * row);
    CHECK_MSG(fabs(ratio - 0.5) < 0.03, "bare note's level %.3f, want 0.5", ratio);
    free(out);
    song_free(song);
}

/* Point envelopes play a tick at a time as the module's players do: a
 * volume envelope looping between a low and a high point keeps moving
 * the level (each tick glides to its point's level), and a panning
 * envelope takes the note from the left to the right. */
static double tick_end_rms(const float *out, int tick, int side)
{
    double sum = 0;
    for (uint32_t i = (uint32_t)tick * 960 + 760; i < (uint32_t)tick * 960 + 960; i++)
        sum += out[2 * i + side] * out[2 * i + side];
    return sqrt(sum / 200);
}

static void xm_point_envelopes_loop_and_pan(void)
{
    ModgenSong ms;
    base_song(&ms);
    ModgenSample *sm = &ms.samples[0];
    static const int TICK[] = {0, 5, 10, 20}, LEVEL[] = {64, 16, 64, 64};
    sm->env_points = 4;
    for (int k = 0; k < 4; k++) {
        sm->env_tick[k] = TICK[k];
        sm->env_value[k] = LEVEL[k];
    }
    sm->env_sustain = -1;
    sm->env_loop_start = 1;
    sm->env_loop_end = 2;
    sm->pan_points = 2;
    sm->pan_tick[0] = 0;
    sm->pan_value[0] = 0;
    sm->pan_tick[1] = 40;
    sm->pan_value[1] = 64;
    modgen_add(&ms, 0, 0, 0, 49, 1, -1, 0, 0);
    LoaderReport r;
    Song *song = load_xm_report(&ms, "env-loop", &r);
    CHECK(!report_has(&r, "envelope", -1, -1, -1));
    loader_report_free(&r);
    if (!song)
        return;
    atomic_store(&song->limiter, false);
    atomic_store(&song->master_gain_tenth_db, 0);
    float *out = synth_render(song, RATE, 48 * 960, 1024);
    /* The loop: tick 10 is at point 2 (64), then 11..16 go 5..10 again. */
    double high = hypot(tick_end_rms(out, 16, 0), tick_end_rms(out, 16, 1));
    double low = hypot(tick_end_rms(out, 17, 0), tick_end_rms(out, 17, 1));
    double again = hypot(tick_end_rms(out, 22, 0), tick_end_rms(out, 22, 1));
    CHECK_MSG(low < 0.45 * high && low > 0.15 * high, "loop low %.4f high %.4f", low, high);
    CHECK_MSG(fabs(again / high - 1) < 0.05, "the loop repeats: %.4f then %.4f", high, again);
    /* The pan: hard left at the start, right by the end. */
    CHECK_MSG(tick_end_rms(out, 1, 1) < 0.1 * tick_end_rms(out, 1, 0),
              "left at the start: %.4f %.4f", tick_end_rms(out, 1, 0), tick_end_rms(out, 1, 1));
    CHECK_MSG(tick_end_rms(out, 40, 0) < 0.1 * tick_end_rms(out, 40, 1),
              "right at the end: %.4f %.4f", tick_end_rms(out, 40, 0),
              tick_end_rms(out, 40, 1));
    free(out);
    song_free(song);
}

/* The XM volume column's pan slides: Dx moves the note left, Ex right,
 * x a tick (a row of 6 ticks moves it 5x); D0 does nothing. */
static void xm_volume_column_pan_slides(void)
{
    static const struct {
        int byte;
        int louder; /* 0 left, 1 right, -1 centred */
    } CASES[] = {{0xD8, 0}, {0xE8, 1}, {0xD0, -1}};
    for (size_t k = 0; k < HISS_ARRAY_LEN(CASES); k++) {
        ModgenSong ms;
        base_song(&ms);
        modgen_add(&ms, 0, 0, 0, 49, 1, -1, '8', 0x80);
        for (int row = 1; row <= 4; row++)
            modgen_add(&ms, 0, row, 0, 0, 0, MODGEN_VOLCOL | CASES[k].byte, 0, 0);
        LoaderReport r;
        Song *song = load_xm_report(&ms, "volcol-pan", &r);
        CHECK(!report_has(&r, "pan", -1, -1, -1));
        loader_report_free(&r);
        if (!song)
            return;
        atomic_store(&song->limiter, false);
        float *out = synth_render(song, RATE, 36 * 960, 1024);
        double left = tick_end_rms(out, 30, 0), right = tick_end_rms(out, 30, 1);
        double db = 20 * log10(left / right);
        if (CASES[k].louder < 0)
            CHECK_MSG(fabs(db) < 0.5, "vol column %02X: left - right %.1f dB", CASES[k].byte,
                      db);
        else
            CHECK_MSG(CASES[k].louder ? db < -6 : db > 6, "vol column %02X: left - right %.1f dB",
                      CASES[k].byte, db);
        free(out);
        song_free(song);
    }
}

/* A sample whose volume envelope falls from 64 to 0 over 20 ticks. */
static void falling_envelope_song(ModgenSong *ms)
{
    base_song(ms);
    ModgenSample *sm = &ms->samples[0];
    sm->env_points = 2;
    sm->env_tick[1] = 20;
    sm->env_value[0] = 64;
    sm->env_sustain = -1;
}

/* The level at tick 14 (row 2's third), where a note on row 2 that goes
 * on with the envelope is at 64 x 6/20, against tick 1 (64 x 19/20). */
static double falling_envelope_level(Song *song)
{
    atomic_store(&song->limiter, false);
    atomic_store(&song->master_gain_tenth_db, 0);
    float *out = synth_render(song, RATE, 4 * 6 * 960, 1024);
    double ratio = tick_end_rms(out, 14, 0) / tick_end_rms(out, 1, 0);
    free(out);
    return ratio;
}

/* FastTracker 2 restarts an instrument's envelopes only for a note with
 * an instrument number: a bare note goes on with the falling envelope
 * (here 64 to 0 over 20 ticks), where a note with one starts it again. */
static void xm_bare_notes_keep_the_envelope(void)
{
    for (int named = 0; named < 2; named++) {
        ModgenSong ms;
        falling_envelope_song(&ms);
        modgen_add(&ms, 0, 0, 0, 49, 1, -1, 0, 0);
        modgen_add(&ms, 0, 2, 0, 49, named ? 1 : 0, -1, 0, 0);
        Song *song = load(&ms, MODGEN_XM, named ? "env-named" : "env-bare", NULL);
        if (!song)
            continue;
        CHECK(song_instrument(song, 1)->env_keep_bare);
        /* 64 x 18/20 when restarted. */
        double ratio = falling_envelope_level(song);
        double want = named ? 18.0 / 19 : 6.0 / 19;
        CHECK_MSG(fabs(ratio - want) < 0.06, "%s note: level %.3f, want %.3f",
                  named ? "named" : "bare", ratio, want);
        song_free(song);
    }
}

/* A bare note that plays a keymap's other sample gets its instrument
 * number written, with E80: the falling envelope (64 to 0 over 20 ticks)
 * goes on, as FastTracker 2 plays the bare note, where the number alone
 * would start it again. */
static void xm_keymap_notes_keep_the_envelope(void)
{
    ModgenSong ms;
    falling_envelope_song(&ms);
    ms.samples[1] = ms.samples[0];
    ms.samples[1].relative_note = 12;
    keymap_from_c4(&ms);
    modgen_add(&ms, 0, 0, 0, 48, 1, -1, 0, 0); /* the low sample */
    modgen_add(&ms, 0, 2, 0, 49, 0, -1, 0, 0); /* bare: the high one */
    LoaderReport r;
    Song *song = load_xm_report(&ms, "keymap-env", &r);
    CHECK(!report_has(&r, "its envelopes restart", -1, -1, -1));
    loader_report_free(&r);
    if (!song)
        return;
    /* Instrument 01 plays the sample of C-4 and up, 02 the other. */
    Cell cell = song_pattern_get(song_pattern(song, song->orders[0]), 2, 0);
    CHECK_MSG(cell.instrument == 1 && cell.fx == 'E' && cell.fx_param == 0x80,
              "row 2: instrument %d effect %c%02X", cell.instrument, cell.fx ? cell.fx : '.',
              cell.fx_param);
    double ratio = falling_envelope_level(song); /* 0.95 restarted */
    CHECK_MSG(fabs(ratio - 6.0 / 19) < 0.06, "keymap note: level %.3f, want %.3f", ratio,
              6.0 / 19);
    song_free(song);
    /* With both effect columns taken (vibrato, and the volume column's
     * byte 0x61, a slide down, which modgen writes as 0x10 + vol) the
     * envelopes restart there, and the report says so. */
    ms.events[ms.event_count - 1] = (ModgenEvent){0, 2, 0, 49, 0, 0x51, '4', 0x11};
    song = load_xm_report(&ms, "keymap-env-full", &r);
    CHECK(report_has(&r, "its envelopes restart", 0, 2, 0));
    loader_report_free(&r);
    song_free(song);
}

/* The rms of a tick (960 frames at 125 BPM) past its declick ramp, over
 * three whole periods of the sine at the module's C-5 rate. */
static double tick_rms(const float *out, ModgenFormat f, int tick)
{
    uint32_t periods = (uint32_t)lround(3.0 * RATE * PERIOD / c5_rate(f));
    return rms(out, (uint32_t)tick * 960 + 300, periods);
}

/* 7xy (S3M and IT: Rxy) moves the volume by the ProTracker sine times
 * y / 64 on the ticks after the first: from 32, tremolo 88 reaches 63 a
 * quarter cycle in (row 1's tick 3) and 1 three quarters in (row 2's
 * tick 2). E72 (S42) squares the wave: up by 31 from the first tick. */
static void tremolo_moves_the_volume(void)
{
    for (int f = 0; f < 4; f++) {
        for (int square = 0; square < 2; square++) {
            ModgenSong ms;
            base_song(&ms);
            ms.samples[0].volume = 32;
            modgen_add(&ms, 0, 0, 0, 49, 1, -1, square ? 'E' : 0, square ? 0x72 : 0);
            for (int r = 1; r < 4; r++)
                modgen_add(&ms, 0, r, 0, 0, 0, -1, '7', 0x88);
            Song *song = load(&ms, (ModgenFormat)f, square ? "tremolo-square" : "tremolo",
                              NULL);
            if (!song)
                continue;
            float *out = synth_render(song, RATE, 4 * 5760, 1024);
            ModgenFormat mf = (ModgenFormat)f;
            double base = tick_rms(out, mf, 5); /* row 0's last tick: no tremolo */
            double first = tick_rms(out, mf, 7) / base;
            double high = (square ? first : tick_rms(out, mf, 9) / base);
            double low = tick_rms(out, mf, square ? 11 : 14) / base;
            CHECK_MSG(base > 0.01, "%s: silent", FORMAT_NAMES[f]);
            CHECK_MSG(fabs(high - 63 / 32.0) < 0.03 && fabs(low - 1 / 32.0) < 0.02,
                      "%s %s: volume %.3f and %.3f of 32, want 63 and 1", FORMAT_NAMES[f],
                      square ? "square" : "sine", high * 32, low * 32);
            CHECK_MSG(fabs(first - (square ? 63 / 32.0 : 1.0)) < 0.03,
                      "%s %s: first tick at %.3f of 32", FORMAT_NAMES[f],
                      square ? "square" : "sine", first * 32);
            free(out);
            song_free(song);
        }
    }
}

/* FastTracker 2's tremolo keeps, on a row's first tick, the volume the
 * wave gives where its position is (the position moves only on the later
 * ticks); ProTracker's plays the volume as set there. As above, from 32:
 * row 1 leaves the position at 40, sine 180, so the XM's row 2 sounds at
 * 32 - 180 x 8 / 64 = 10 from its first tick; the MOD's first tick at 32. */
static void xm_tremolo_keeps_its_volume_on_a_rows_first_tick(void)
{
    static const ModgenFormat FORMATS[] = {MODGEN_MOD, MODGEN_XM};
    for (int i = 0; i < 2; i++) {
        ModgenFormat f = FORMATS[i];
        ModgenSong ms;
        base_song(&ms);
        ms.samples[0].volume = 32;
        modgen_add(&ms, 0, 0, 0, 49, 1, -1, 0, 0);
        for (int r = 1; r < 4; r++)
            modgen_add(&ms, 0, r, 0, 0, 0, -1, '7', 0x88);
        Song *song = load(&ms, f, "tremolo-first-tick", NULL);
        if (!song)
            continue;
        float *out = synth_render(song, RATE, 4 * 5760, 1024);
        double base = tick_rms(out, f, 6);
        double first = tick_rms(out, f, 12) / base * 32, next = tick_rms(out, f, 13) / base * 32;
        double want = f == MODGEN_XM ? 10 : 32;
        CHECK_MSG(fabs(first - want) < 1.0 && fabs(next - 10) < 1.0,
                  "%s: row 2's first tick at %.2f of 32 (want %.0f), its second at %.2f "
                  "(want 10)", FORMAT_NAMES[f], first, want, next);
        free(out);
        song_free(song);
    }
}

/* An XM's glissando (E31) sounds the note nearest the tone portamento,
 * half way between two going to the lower, and keeps it on a row's first
 * tick: 3x8 slides half a semitone a tick from row 1's tick 1, so up from
 * C-4, ticks 7..13 sound +0 +1 +1 +2 +2 +2 +3 semitones; down from C-5,
 * -1 -1 -2 -2 -3 -3 -3. */
static void xm_glissando_sounds_the_nearest_note(void)
{
    static const struct {
        uint8_t from, to;
        int semitones[7];
    } CASES[] = {{49, 61, {0, 1, 1, 2, 2, 2, 3}}, {61, 49, {-1, -1, -2, -2, -3, -3, -3}}};
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        ModgenSong ms;
        base_song(&ms);
        modgen_add(&ms, 0, 0, 0, CASES[i].from, 1, -1, 'E', 0x31);
        modgen_add(&ms, 0, 1, 0, CASES[i].to, 1, -1, '3', 0x08);
        for (int r = 2; r < 4; r++)
            modgen_add(&ms, 0, r, 0, 0, 0, -1, '3', 0);
        Song *song = load(&ms, MODGEN_XM, "glissando", NULL);
        if (!song)
            continue;
        float *out = synth_render(song, RATE, 4 * 5760, 1024);
        double from = 8363.0 / PERIOD * pow(2, (CASES[i].from - 49) / 12.0);
        for (int t = 0; t < 7; t++) {
            double hz = synth_frequency(out, (uint32_t)(7 + t) * 960 + 100, 800, 0, RATE);
            double want = from * pow(2, CASES[i].semitones[t] / 12.0);
            CHECK_MSG(fabs(hz / want - 1) < 0.005, "from note %d, tick %d: %.2f Hz, want %.2f",
                      CASES[i].from, 7 + t, hz, want);
        }
        free(out);
        song_free(song);
    }
}

/* An XM's arpeggio counts from the row's end, as FastTracker 2 plays it:
 * 037 at speed 6 sounds the note, +7, +3, the note, +7, +3; at speed 4
 * the note, the note, +7, +3. A MOD's plays the note, +3, +7 from the
 * row's start. */
static void xm_arpeggio_counts_from_the_rows_end(void)
{
    static const struct {
        ModgenFormat format;
        int speed;
        int semitones[6];
    } CASES[] = {{MODGEN_XM, 6, {0, 7, 3, 0, 7, 3}},
                 {MODGEN_XM, 4, {0, 0, 7, 3}},
                 {MODGEN_MOD, 6, {0, 3, 7, 0, 3, 7}}};
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        ModgenSong ms;
        base_song(&ms);
        int speed = CASES[i].speed;
        modgen_add(&ms, 0, 0, 0, 49, 1, -1, 'F', (uint8_t)speed);
        modgen_add(&ms, 0, 1, 0, 0, 0, -1, '0', 0x37);
        Song *song = load(&ms, CASES[i].format, "arpeggio", NULL);
        if (!song)
            continue;
        float *out = synth_render(song, RATE, (uint32_t)(3 * speed * 960), 1024);
        double base = synth_frequency(out, (uint32_t)(speed - 1) * 960 + 100, 800, 0, RATE);
        for (int t = 0; t < speed; t++) {
            double hz = synth_frequency(out, (uint32_t)(speed + t) * 960 + 100, 800, 0, RATE);
            double want = base * pow(2, CASES[i].semitones[t] / 12.0);
            CHECK_MSG(fabs(hz / want - 1) < 0.01, "%s speed %d, tick %d: %.2f Hz, want %.2f",
                      CASES[i].format == MODGEN_XM ? "XM" : "MOD", speed, t, hz, want);
        }
        free(out);
        song_free(song);
    }
}

/* E5x (S3M: S2x) plays the row's note x eighths of a semitone off, in
 * place of the sample's finetune: a MOD's C-2 at E54 is period 416
 * (ProTracker's finetune +4), at E5C 441 (hiss's rounding of
 * 428 x 2^(4/96); ProTracker's table says 440), whatever finetune the
 * sample has. XM counts from 8 (E5C is +4) and slides linearly: 2^(x/96). */
static void set_finetune_retunes_the_note(void)
{
    static const struct {
        ModgenFormat format;
        int sample_finetune;
        uint8_t param;
        double ratio; /* of the untuned C-4 */
        double tolerance;
    } CASES[] = {
        {MODGEN_MOD, 0, 0x54, 428.0 / 416, 0.0007},
        {MODGEN_MOD, 0, 0x5C, 428.0 / 441, 0.0007},
        /* The sample's finetune comes in through its own cents: within a
         * period (0.25%) of ProTracker's table. */
        {MODGEN_MOD, 3, 0x54, 428.0 / 416, 0.0025},
        {MODGEN_MOD, -2, 0x5C, 428.0 / 440, 0.0025},
        {MODGEN_S3M, 0, 0x54, 428.0 / 416, 0.0007},
        {MODGEN_XM, 0, 0x5C, 1.029302, 0.0007},
        {MODGEN_XM, 2, 0x54, 0.971532, 0.0007},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        ModgenFormat f = CASES[i].format;
        ModgenSong ms;
        base_song(&ms);
        ms.samples[0].finetune = CASES[i].sample_finetune;
        modgen_add(&ms, 0, 0, 0, 49, 1, -1, 'E', CASES[i].param);
        modgen_add(&ms, 0, 8, 0, 49, 1, -1, 0, 0);
        Song *song = load(&ms, f, "finetune", NULL);
        if (!song)
            continue;
        uint32_t row = (uint32_t)synth_row_frame(RATE, 125, 6, 1);
        float *out = synth_render(song, RATE, 16 * row, 1024);
        double tuned = synth_frequency(out, 1000, 6 * row, 0, RATE);
        double plain = synth_frequency(out, 8 * row + 1000, 6 * row, 0, RATE);
        /* The note without E5x plays the sample's own finetune. */
        double own = f == MODGEN_S3M ? 1.0 : pow(2, CASES[i].sample_finetune / 96.0);
        double want = c5_rate(f) / PERIOD * CASES[i].ratio;
        CHECK_MSG(fabs(tuned / want - 1) < CASES[i].tolerance, "%s sample finetune %d, E%02X: %.2f Hz, want %.2f",
                  FORMAT_NAMES[f], CASES[i].sample_finetune, CASES[i].param, tuned, want);
        CHECK_MSG(fabs(plain / (c5_rate(f) / PERIOD) - own) < 0.002,
                  "%s: the next note at %.2f Hz", FORMAT_NAMES[f], plain);
        free(out);
        song_free(song);
    }
}

/* Vibrato 48 at its deepest: a semitone up in XM (FastTracker 2's depth,
 * hiss's linear one), half a semitone in IT, whose vibrato is half as deep
 * (255 x 8 / 32 and 255 x 4 / 32 of 1/64 semitone). */
static void it_vibrato_is_half_as_deep(void)
{
    for (int f = MODGEN_XM; f <= MODGEN_IT; f++) {
        ModgenSong ms;
        base_song(&ms);
        modgen_add(&ms, 0, 0, 0, 49, 1, -1, '4', 0x48);
        for (int r = 1; r < 8; r++)
            modgen_add(&ms, 0, r, 0, 0, 0, -1, '4', 0);
        Song *song = load(&ms, (ModgenFormat)f, "vibrato", NULL);
        if (!song)
            continue;
        float *out = synth_render(song, RATE, 48 * 960, 1024);
        double top = 0;
        for (int tick = 1; tick < 48; tick++)
            top = fmax(top, synth_frequency(out, (uint32_t)tick * 960 + 100, 800, 0, RATE));
        double want = 8363.0 / PERIOD * pow(2, (f == MODGEN_IT ? 31 : 63) / 64.0 / 12);
        CHECK_MSG(fabs(top / want - 1) < 0.002, "%s: vibrato peaks at %.2f Hz, want %.2f",
                  FORMAT_NAMES[f], top, want);
        free(out);
        song_free(song);
    }
}

/* An XM whose note (row 0, with `fx0` `param0`) gets 4x8 on row 1 (`row1`)
 * and 4xx after, rendered; the pitch at each tick of `want` (from the
 * song's start, 6 a row) must be the note's moved by its offset in 1/64
 * semitones. */
static void check_xm_vibrato(const char *name, char fx0, uint8_t param0, uint8_t row1,
                             const int (*want)[2], int count)
{
    ModgenSong ms;
    base_song(&ms);
    modgen_add(&ms, 0, 0, 0, 49, 1, -1, fx0, param0);
    for (int r = 1; r < 8; r++)
        modgen_add(&ms, 0, r, 0, 0, 0, -1, '4', r == 1 ? row1 : 0);
    Song *song = load(&ms, MODGEN_XM, name, NULL);
    if (!song)
        return;
    float *out = synth_render(song, RATE, 14 * 960, 1024);
    for (int k = 0; k < count; k++) {
        double hz = synth_frequency(out, (uint32_t)want[k][0] * 960 + 100, 800, 0, RATE);
        double expect = 8363.0 / PERIOD * pow(2, want[k][1] / 64.0 / 12);
        CHECK_MSG(fabs(hz / expect - 1) < 0.002, "%s: tick %d at %.2f Hz, want %.2f", name,
                  want[k][0], hz, expect);
    }
    free(out);
    song_free(song);
}

/* An XM's vibrato as FastTracker 2 plays it: the pitch goes down first,
 * and a row's first tick keeps the offset where the last row left it (the
 * position does not move on that tick, so it sounds as the tick after).
 * Speed 4, depth 8: tick 2 (position 4) is sine 97 x 8 / 32 down; row 1's
 * tick 0 and tick 1 (position 20) are 235 x 8 / 32 down. */
static void xm_vibrato_goes_down_first_and_keeps_its_phase(void)
{
    static const int WANT[][2] = {{2, -(97 * 8 / 32)}, {6, -(235 * 8 / 32)},
                                  {7, -(235 * 8 / 32)}};
    check_xm_vibrato("ft2-vibrato", '4', 0x48, 0, WANT, 3);
}

/* FastTracker 2's ramp (E41): the wave rises through each half cycle and
 * is added to the period, so the pitch ramps down. The vibrato starts on
 * row 1: tick 8 (position 4) is 32 x 8 / 32 down, tick 11 (position 16)
 * 128 x 8 / 32. */
static void xm_ramp_vibrato_ramps_down(void)
{
    static const int WANT[][2] = {{8, -(32 * 8 / 32)}, {11, -(128 * 8 / 32)}};
    check_xm_vibrato("ft2-ramp", 'E', 0x41, 0x48, WANT, 2);
}

/* XM's extra fine porta X1y/X2y moves y/64 semitone once a row: two
 * X18 up and an X24 down are 12/64 semitone up, played as E12 E12 E21. */
static void xm_extra_fine_porta_moves_the_pitch(void)
{
    ModgenSong ms;
    base_song(&ms);
    modgen_add(&ms, 0, 0, 0, 49, 1, -1, 0, 0);
    modgen_add(&ms, 0, 1, 0, 0, 0, -1, 'X', 0x18);
    modgen_add(&ms, 0, 2, 0, 0, 0, -1, 'X', 0x18);
    modgen_add(&ms, 0, 3, 0, 0, 0, -1, 'X', 0x24);
    LoaderReport r;
    Song *song = load_xm_report(&ms, "xfine", &r);
    CHECK(report_has(&r, "extra fine porta (X1x/X2x) as fine porta", 0, 1, 0));
    loader_report_free(&r);
    if (!song)
        return;
    atomic_store(&song->limiter, false);
    uint32_t row = (uint32_t)synth_row_frame(RATE, 125, 6, 1);
    float *out = synth_render(song, RATE, 10 * row, 1024);
    double got = synth_frequency(out, 4 * row, 5 * row, 0, RATE);
    double want = 8363.0 / PERIOD * pow(2, 12 / 64.0 / 12);
    CHECK_MSG(fabs(got / want - 1) < 0.0005, "%.2f Hz after the slides, want %.2f", got, want);
    free(out);
    song_free(song);
}

/* The global volume scales every channel: an IT's header sets where it
 * starts (96 of 128: three quarters), Gxx (IT: Vxx, S3M: Vxx) sets it
 * (20: half), Hxy (IT: Wxy in 128ths) slides it on the ticks after the
 * first (H01 for one row at speed 6: 5 down, to 27 of 64), and it acts
 * on every channel, a note already sounding included. */
static void global_volume_scales_every_channel(void)
{
    static const ModgenFormat FORMATS[] = {MODGEN_S3M, MODGEN_XM, MODGEN_IT};
    for (size_t i = 0; i < HISS_ARRAY_LEN(FORMATS); i++) {
        ModgenFormat f = FORMATS[i];
        ModgenSong ms;
        base_song(&ms);
        ms.it_global_volume = 96;
        modgen_add(&ms, 0, 0, 0, 49, 1, -1, 0, 0);
        modgen_add(&ms, 0, 0, 1, 49, 1, -1, 0, 0);
        modgen_add(&ms, 0, 4, 1, 0, 0, -1, 'G', f == MODGEN_IT ? 0x40 : 0x20);
        if (f != MODGEN_S3M) /* S3M has no global volume slide */
            modgen_add(&ms, 0, 8, 0, 0, 0, -1, 'H', f == MODGEN_IT ? 0x02 : 0x01);
        Song *song = load(&ms, f, "global", NULL);
        if (!song)
            continue;
        double start = f == MODGEN_IT ? 0.75 : 1.0;
        CHECK_MSG(song_global_volume(song) == (int)(start * 64), "%s: global volume %d",
                  FORMAT_NAMES[f], song_global_volume(song));
        float *out = synth_render(song, RATE, 12 * 5760, 1024);
        double full = tick_rms(out, f, 6) / start; /* row 1 */
        double set = tick_rms(out, f, 30) / full;  /* row 5 */
        double slid = tick_rms(out, f, 54) / full; /* row 9 */
        CHECK_MSG(full > 0.01, "%s: silent", FORMAT_NAMES[f]);
        CHECK_MSG(fabs(set - 0.5) < 0.01, "%s: Gxx gives %.3f, want 0.5", FORMAT_NAMES[f], set);
        double want = f == MODGEN_S3M ? 0.5 : 27 / 64.0;
        CHECK_MSG(fabs(slid - want) < 0.01, "%s: Hxy gives %.3f, want %.3f", FORMAT_NAMES[f],
                  slid, want);
        free(out);
        song_free(song);
    }
}

/* Tremor, XM's Txy (on x + 1 ticks, off y + 1, counting the ticks after a
 * row's first, which keeps the state before it) and IT's Ixy (on x, off
 * y, every tick counting): T21 and I32 both sound 3 ticks and silence 2,
 * tick by tick as openmpt123 plays them; a new parameter lets the part
 * under way end as the old one said (T13, I24 after them). */
static void tremor_gates_the_volume(void)
{
    static const struct {
        ModgenFormat format;
        uint8_t first, second;
        const char *want; /* rows 8..11, one digit a tick: 1 sounds */
    } CASES[] = {
        {MODGEN_XM, 0x21, 0x13, "111100011100011000001100"},
        {MODGEN_IT, 0x32, 0x24, "111001110011100001100001"},
    };
    for (size_t i = 0; i < HISS_ARRAY_LEN(CASES); i++) {
        ModgenSong ms;
        base_song(&ms);
        modgen_add(&ms, 0, 0, 0, 49, 1, -1, 0, 0);
        for (int r = 8; r < 12; r++)
            modgen_add(&ms, 0, r, 0, 0, 0, -1, 'T', r < 10 ? CASES[i].first : CASES[i].second);
        ModgenFormat f = CASES[i].format;
        Song *song = load(&ms, f, "tremor", NULL);
        if (!song)
            continue;
        float *out = synth_render(song, RATE, 13 * 5760, 1024);
        double full = tick_rms(out, f, 6);
        char got[25] = "";
        for (int t = 0; t < 24; t++)
            got[t] = tick_rms(out, f, 48 + t) > full / 2 ? '1' : '0';
        CHECK_MSG(full > 0.01 && !strcmp(got, CASES[i].want), "%s: ticks %s, want %s",
                  FORMAT_NAMES[f], got, CASES[i].want);
        free(out);
        song_free(song);
    }
}

/* XM's Lxx moves the note's volume envelope to tick xx: a ramp from 0 to
 * 64 over 64 ticks, L20 on row 4 (tick 24) puts it at 32 there, so tick
 * 26 glides from 33 to 34 where it would have glided from 25 to 26
 * (each tick's level glides over the tick; tick_rms reads about 60% in). */
static void xm_envelope_position_moves_the_envelope(void)
{
    ModgenSong ms;
    base_song(&ms);
    ms.samples[0].env_points = 2;
    ms.samples[0].env_tick[1] = 64;
    ms.samples[0].env_value[1] = 64;
    ms.samples[0].env_sustain = -1;
    modgen_add(&ms, 0, 0, 0, 49, 1, -1, 0, 0);
    modgen_add(&ms, 0, 4, 0, 0, 0, -1, 'L', 0x20);
    Song *song = load(&ms, MODGEN_XM, "envpos", NULL);
    if (!song)
        return;
    const Pattern *p = song_pattern(song, song->orders[0]);
    Cell cell = p ? song_pattern_get(p, 4, 0) : song_cell_empty();
    CHECK_MSG(cell.fx == 'L' && cell.fx_param == 0x20, "Lxx as %c%02X", cell.fx ? cell.fx : '.',
              cell.fx_param);
    float *out = synth_render(song, RATE, 6 * 5760, 1024);
    double ref = tick_rms(out, MODGEN_XM, 14), moved = tick_rms(out, MODGEN_XM, 26);
    double ratio = ref > 0.001 ? moved / ref : 0, want = (33 + 0.6) / (13 + 0.6);
    CHECK_MSG(fabs(ratio - want) < 0.06, "tick 26 at %.3f of tick 14, want %.3f (%.3f unmoved)",
              ratio, want, (25 + 0.6) / (13 + 0.6));
    free(out);
    song_free(song);
}

/* An XM instrument's auto-vibrato (sine, depth 8 of FastTracker 2's 15,
 * rate 16 of 256 a tick) moves the pitch by up to 8/64 of a semitone
 * (12.5 cents), up first, a cycle every 16 ticks, as openmpt123 plays
 * it: tick t at 12.5 x sin(2 pi x 16 (t + 1) / 256) cents, in whole
 * 64ths of a semitone; a sweep of 32 ticks brings the depth in linearly. */
static void xm_auto_vibrato_moves_the_pitch(void)
{
    for (int sweep = 0; sweep < 2; sweep++) {
        ModgenSong ms;
        base_song(&ms);
        ms.samples[0].vib_depth = 8;
        ms.samples[0].vib_rate = 16;
        ms.samples[0].vib_sweep = sweep ? 32 : 0;
        modgen_add(&ms, 0, 0, 0, 49, 1, -1, 0, 0);
        Song *song = load(&ms, MODGEN_XM, sweep ? "autovib-sweep" : "autovib", NULL);
        if (!song)
            continue;
        const Instrument *inst = song_instrument(song, 1);
        CHECK(inst && inst->autovib[SONG_AUTOVIB_DEPTH] == 32 &&
              inst->autovib[SONG_AUTOVIB_RATE] == 16);
        float *out = synth_render(song, RATE, 48 * 960, 1024);
        double base = 8363.0 / PERIOD, worst = 0;
        int worst_tick = 0;
        for (int t = 0; t < 40; t++) {
            double hz = synth_frequency(out, (uint32_t)t * 960 + 60, 880, 0, RATE);
            double got = 1200 * log2(hz / base);
            /* In whole 64ths of a semitone, as the trackers count. */
            int wave = (int)lround(64 * sin(2 * M_PI * ((16 * (t + 1)) & 255) / 256.0));
            int amp = sweep ? (t + 1 < 32 ? (t + 1) * 256 : 32 * 256) : 32 * 256;
            double want = (wave * amp / 65536) * 100.0 / 64;
            if (fabs(got - want) > worst) {
                worst = fabs(got - want);
                worst_tick = t;
            }
        }
        CHECK_MSG(worst < 0.3, "%s: %.2f cents off at tick %d", sweep ? "sweep" : "plain", worst,
                  worst_tick);
        free(out);
        song_free(song);
    }
}

/* The amplitude of the tone at hz in the left channel over frames
 * [start, start + count) (Goertzel, through a Hann window so that a tone
 * a few semitones away does not leak in). */
static double tone_level(const float *out, uint32_t start, uint32_t count, double hz)
{
    double w = 2 * M_PI * hz / RATE, k = 2 * cos(w), s1 = 0, s2 = 0;
    for (uint32_t i = 0; i < count; i++) {
        double hann = 0.5 - 0.5 * cos(2 * M_PI * i / count);
        double s0 = out[2 * (start + i)] * hann + k * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    double re = s1 - s2 * cos(w), im = s2 * sin(w);
    return 4 * sqrt(re * re + im * im) / count;
}

/* An IT in instrument mode, its instrument 1 the looped sine with new-note
 * action nna, duplicate check dct and action dca, fadeout 32 (a note
 * fading is silent after 32 ticks); events as given. */
static Song *load_it_actions(const char *name, int nna, int dct, int dca,
                             const ModgenEvent *events, int count)
{
    ModgenSong ms;
    base_song(&ms);
    ms.it_instruments = 1;
    ms.samples[0].it_nna = nna;
    ms.samples[0].it_dct = dct;
    ms.samples[0].it_dca = dca;
    ms.samples[0].fadeout = 32;
    for (int i = 0; i < count; i++)
        modgen_add(&ms, 0, events[i].row, 0, events[i].note, events[i].inst, events[i].vol,
                   events[i].fx, events[i].param);
    return load(&ms, MODGEN_IT, name, NULL);
}

enum { ROW_FRAMES = 5760 }; /* speed 6 at 125 BPM, 48 kHz */

/* The level of a tone (the C-4 or G-4 of the sine) over 100 ms from
 * `row`'s fourth tick, as a share of the C-4's level on row 4. */
static double tone_at_row(const float *out, int row, int note)
{
    double c4 = 8363.0 / PERIOD, hz = c4 * pow(2, (note - 49) / 12.0);
    double base = tone_level(out, 4 * ROW_FRAMES, 4800, c4);
    return base > 0.001 ? tone_level(out, (uint32_t)row * ROW_FRAMES + 2880, 4800, hz) / base
                        : -1;
}

/* IT's new-note actions: a note followed by another on its channel is cut
 * (the default, as ever), goes on as it was (continue), or fades by the
 * instrument's fadeout (off without a volume envelope, and fade): 32 a
 * tick of IT's 1024 from the row of the next note (row 8), so a quarter
 * of it is left 24 ticks later, on row 12's tick 0... and none by row 14. */
static void it_new_note_actions_keep_notes_playing(void)
{
    static const char *const NAMES[] = {"cut", "continue", "off", "fade"};
    const ModgenEvent ev[] = {{0, 0, 0, 49, 1, -1, 0, 0}, {0, 8, 0, 56, 1, -1, 0, 0}};
    for (int nna = 0; nna < 4; nna++) {
        char name[32];
        snprintf(name, sizeof name, "nna-%s", NAMES[nna]);
        Song *song = load_it_actions(name, nna, 0, 0, ev, 2);
        if (!song)
            continue;
        const Instrument *inst = song_instrument(song, 1);
        CHECK_MSG(inst && inst->nna == nna, "%s: the instrument's nna is %d", NAMES[nna],
                  inst ? inst->nna : -1);
        float *out = synth_render(song, RATE, 16 * ROW_FRAMES, 1024);
        double old_on = tone_at_row(out, 10, 49), old_late = tone_at_row(out, 13, 49);
        double now = tone_at_row(out, 10, 56);
        /* Fading: 1 - 32 x (ticks since row 8's, counted from 1) / 1024 at
         * the window's middle (tick 2.5 of the row in 100 ms windows). */
        double fading = 1 - 32 * (2 * 6 + 1 + 3.0) / 1024;
        double want = nna == 0 ? 0 : nna == 1 ? 1 : fading;
        CHECK_MSG(fabs(old_on - want) < 0.05, "%s: the old note at %.3f on row 10, want %.3f",
                  NAMES[nna], old_on, want);
        CHECK_MSG(nna == 1 ? fabs(old_late - 1) < 0.05 : old_late < 0.02,
                  "%s: the old note at %.3f on row 13", NAMES[nna], old_late);
        CHECK_MSG(fabs(now - 1) < 0.05, "%s: the new note at %.3f", NAMES[nna], now);
        free(out);
        song_free(song);
    }
}

/* A note off (===) on an IT instrument without a volume envelope fades
 * the note by the instrument's fadeout, as Impulse Tracker does: 32 of
 * 1024 a tick from the note off's own tick, so tick k after it (k from 0)
 * plays at 1 - (k + 1) / 32, and after 32 ticks the note is over. */
static void it_note_off_fades_by_the_fadeout(void)
{
    const ModgenEvent ev[] = {{0, 0, 0, 49, 1, -1, 0, 0}, {0, 4, 0, MODGEN_NOTE_OFF, 0, -1, 0, 0}};
    Song *song = load_it_actions("offfade", 0, 0, 0, ev, 2);
    if (!song)
        return;
    float *out = synth_render(song, RATE, 12 * ROW_FRAMES, 1024);
    double full = tick_rms(out, MODGEN_IT, 6), worst = 0;
    int worst_tick = 0;
    for (int k = 0; k < 28; k++) {
        double got = tick_rms(out, MODGEN_IT, 24 + k) / full, want = 1 - (k + 1) / 32.0;
        if (fabs(got - want) > worst) {
            worst = fabs(got - want);
            worst_tick = k;
        }
    }
    CHECK_MSG(full > 0.01 && worst < 0.02, "%.3f off at tick %d after the note off", worst,
              worst_tick);
    CHECK_MSG(tick_rms(out, MODGEN_IT, 24 + 33) < 0.001, "still sounding 33 ticks on: %.4f",
              tick_rms(out, MODGEN_IT, 24 + 33));
    free(out);
    song_free(song);
}

/* A note sent into the background keeps its auto-vibrato going: the C-4
 * of an IT sample with vibrato (16/256 of a semitone deep: 12.5 cents
 * from top to bottom), continued under a silent note (volume 0) from row
 * 8, still wobbles in pitch, where a frozen one would not. */
static void past_notes_keep_their_auto_vibrato(void)
{
    ModgenSong ms;
    base_song(&ms);
    ms.it_instruments = 1;
    ms.samples[0].it_nna = 1;
    ms.samples[0].vib_depth = 16;
    ms.samples[0].vib_rate = 16;
    modgen_add(&ms, 0, 0, 0, 49, 1, -1, 0, 0);
    modgen_add(&ms, 0, 8, 0, 56, 1, 0, 0, 0);
    Song *song = load(&ms, MODGEN_IT, "past-vibrato", NULL);
    if (!song)
        return;
    float *out = synth_render(song, RATE, 16 * ROW_FRAMES, 1024);
    double swing[2];
    for (int half = 0; half < 2; half++) {
        double lo = 1e9, hi = 0;
        for (int t = 0; t < 30; t++) {
            uint32_t tick = (uint32_t)(half ? 52 + t : 16 + t);
            double hz = synth_frequency(out, tick * 960 + 60, 880, 0, RATE);
            lo = fmin(lo, hz);
            hi = fmax(hi, hz);
        }
        swing[half] = hi > 0 ? 1200 * log2(hi / lo) : 0;
    }
    CHECK_MSG(swing[0] > 5 && swing[1] > 5 && swing[1] < 13,
              "pitch swing %.1f cents sounding, %.1f in the background", swing[0], swing[1]);
    free(out);
    song_free(song);
}

/* A duplicate check (note, action cut) stops the channel's older C-4 when
 * a C-4 comes again (at volume 0 here, so only the old one could sound),
 * and leaves the E-4 between them going; S70 (hiss's X00) cuts the
 * channel's past notes, S73 (X30) makes the sounding note's action cut. */
static void it_duplicate_checks_and_past_note_actions(void)
{
    const ModgenEvent dup[] = {{0, 0, 0, 49, 1, -1, 0, 0},
                               {0, 4, 0, 53, 1, -1, 0, 0},
                               {0, 8, 0, 49, 1, 0, 0, 0}};
    Song *song = load_it_actions("dupcheck", 1, 1, 0, dup, 3);
    if (song) {
        const Instrument *inst = song_instrument(song, 1);
        CHECK(inst && inst->dupcheck == SONG_DUP_NOTE && inst->dupaction == SONG_NOTE_CUT);
        float *out = synth_render(song, RATE, 12 * ROW_FRAMES, 1024);
        double c_before = tone_at_row(out, 6, 49), c_after = tone_at_row(out, 10, 49);
        double e_after = tone_at_row(out, 10, 53);
        CHECK_MSG(fabs(c_before - 1) < 0.05 && c_after < 0.02,
                  "C-4 at %.3f before its duplicate, %.3f after", c_before, c_after);
        CHECK_MSG(fabs(e_after - 1) < 0.05, "E-4 at %.3f", e_after);
        free(out);
        song_free(song);
    }
    const ModgenEvent past[] = {{0, 0, 0, 49, 1, -1, 0, 0},
                                {0, 4, 0, 53, 1, -1, 'X', 3},
                                {0, 8, 0, 56, 1, -1, 0, 0},
                                {0, 12, 0, 0, 0, -1, 'X', 0}};
    song = load_it_actions("pastcut", 1, 0, 0, past, 4);
    if (song) {
        const Pattern *p = song_pattern(song, song->orders[0]);
        Cell cell = p ? song_pattern_get(p, 12, 0) : song_cell_empty();
        CHECK_MSG(cell.fx == 'X' && cell.fx_param == 0x00, "S70 as %c%02X",
                  cell.fx ? cell.fx : '.', cell.fx_param);
        float *out = synth_render(song, RATE, 16 * ROW_FRAMES, 1024);
        double c_kept = tone_at_row(out, 10, 49), e_cut = tone_at_row(out, 10, 53);
        double c_gone = tone_at_row(out, 14, 49), g_on = tone_at_row(out, 14, 56);
        CHECK_MSG(fabs(c_kept - 1) < 0.05, "C-4 (continue) at %.3f", c_kept);
        CHECK_MSG(e_cut < 0.02, "E-4 (S73: cut) at %.3f", e_cut);
        CHECK_MSG(c_gone < 0.02 && fabs(g_on - 1) < 0.05, "after S70: C-4 %.3f, G-4 %.3f",
                  c_gone, g_on);
        free(out);
        song_free(song);
    }
}

/* IT samples compressed as Impulse Tracker 2.14 and 2.15 do (modgen's
 * compressor: widths that follow the deltas, two blocks), 8 and 16
 * bits: the song gets exactly the frames the plain IT gives, loop
 * included, and plays them. The compressed data ends the file, where
 * libxmp 4.5 reads the last frame as 0 unless hiss pads the file. */
static void compressed_it_samples_load_exactly(void)
{
    enum { FRAMES = 40000 };
    static float wave[FRAMES];
    uint32_t seed = 99;
    for (int i = 0; i < FRAMES; i++) {
        seed = seed * 1103515245u + 12345u;
        double noise = ((seed >> 9) & 0xFFFF) / 32768.0 - 1.0;
        /* Near silence, a growing sine, then noise: small deltas and
         * large ones, so the width changes often. */
        wave[i] = i < 6000    ? (float)(0.002 * noise)
                  : i < 30000 ? (float)(0.8 * (i - 6000) / 24000.0 * sin(2 * M_PI * i / PERIOD))
                              : (float)(0.9 * noise);
    }
    for (int bits16 = 0; bits16 < 2; bits16++) {
        Sample *plain = NULL;
        for (int compress = 0; compress <= 215; compress += compress ? 1 : 214) {
            ModgenSong ms;
            base_song(&ms);
            ModgenSample sm = {.data = wave, .frames = FRAMES, .loop_start = 30000,
                               .loop_end = FRAMES, .volume = 64, .it_bits16 = bits16,
                               .it_compress = compress};
            ms.samples[0] = sm;
            modgen_add(&ms, 0, 0, 0, 49, 1, -1, 0, 0);
            Song *song = load(&ms, MODGEN_IT, "packed", NULL);
            Instrument *inst = song ? song_instrument(song, 1) : NULL;
            const Sample *got = inst ? inst->sample : NULL;
            CHECK_MSG(got && got->frames == FRAMES, "%d-bit IT %d: no sample of %d frames",
                      bits16 ? 16 : 8, compress, FRAMES);
            if (!got) {
                song_free(song);
                continue;
            }
            if (!compress) {
                plain = sample_retain((Sample *)got);
                /* The plain file's frames are the wave, quantised. */
                double full = bits16 ? 32768.0 : 128.0;
                long q = lrintf(wave[20000] * (float)(full - 1));
                CHECK_MSG(got->data[20000] == (float)(q / full), "plain: %g, want %g",
                          got->data[20000], q / full);
            } else if (plain) {
                uint32_t differ = 0;
                for (uint32_t i = 0; i < FRAMES; i++)
                    differ += got->data[i] != plain->data[i];
                CHECK_MSG(differ == 0, "%d-bit IT %d: %u frames differ from the plain file",
                          bits16 ? 16 : 8, compress, differ);
                CHECK(inst->loop == LOOP_FORWARD && inst->loop_start == 30000 &&
                      inst->loop_end == FRAMES);
                uint32_t row = (uint32_t)synth_row_frame(RATE, 125, 6, 1);
                float *out = synth_render(song, RATE, 24 * row, 1024);
                /* The sine part: 6000 frames in at 8363 Hz is 34 ms. */
                double hz = synth_frequency(out, 12 * row, 4 * row, 0, RATE);
                CHECK_MSG(fabs(hz - 8363.0 / PERIOD) < 0.3, "%d-bit IT %d plays %.2f Hz",
                          bits16 ? 16 : 8, compress, hz);
                free(out);
            }
            song_free(song);
        }
        if (plain)
            sample_release(plain);
    }
}

/* With xmp (the reference player) installed, the same module's pitch
 * before and after a porta agrees with xmp's render to 0.1%. Without it
 * the check says so and passes nothing off as compared. */
static void pitch_agrees_with_xmp(void)
{
    if (system("command -v xmp >/dev/null 2>&1") != 0) {
        printf("     (xmp not installed: nothing compared; apt-get install xmp)\n");
        return;
    }
    for (int f = 0; f < 4; f++) {
        ModgenSong ms;
        base_song(&ms);
        modgen_add(&ms, 0, 0, 0, 49, 1, -1, '1', 0x02);
        char module[400], wav[450], cmd[1000];
        snprintf(module, sizeof module, "%s/ref%s", dir, modgen_extension((ModgenFormat)f));
        snprintf(wav, sizeof wav, "%s.wav", module);
        modgen_save(&ms, (ModgenFormat)f, module);
        snprintf(cmd, sizeof cmd, "xmp -q -i linear -f 48000 -o '%s' '%s' >/dev/null 2>&1",
                 wav, module);
        CHECK_MSG(system(cmd) == 0, "%s: xmp failed", FORMAT_NAMES[f]);
        SampleioAudio ref;
        HissDiag d = {{0}};
        if (sampleio_read(wav, &ref, NULL, &d) != HISS_OK) {
            CHECK_MSG(false, "%s", d.text);
            continue;
        }
        Song *song = load(&ms, (ModgenFormat)f, "ref-hiss", NULL);
        uint32_t row = (uint32_t)synth_row_frame(RATE, 125, 6, 1);
        if (song && ref.channels == 2 && ref.count >= 8 * row && ref.rate == RATE) {
            float *out = synth_render(song, RATE, 8 * row, 1024);
            double ours = synth_frequency(out, 2 * row, 5 * row, 0, RATE);
            double theirs = synth_frequency(ref.frames, 2 * row, 5 * row, 0, RATE);
            CHECK_MSG(fabs(ours / theirs - 1) < 0.001, "%s: hiss %.2f Hz, xmp %.2f Hz",
                      FORMAT_NAMES[f], ours, theirs);
            free(out);
        } else {
            CHECK_MSG(false, "%s: xmp's render is not 48 kHz stereo of 8 rows", FORMAT_NAMES[f]);
        }
        song_free(song);
        sampleio_audio_free(&ref);
    }
}

/* MOD's 6CHN and 8CHN and wider XM, S3M and IT modules keep their
 * channels: a note in the last one plays. */
static void wide_modules_keep_their_channels(void)
{
    static const struct {
        ModgenFormat format;
        int channels;
    } CASES[] = {{MODGEN_MOD, 6}, {MODGEN_MOD, 8}, {MODGEN_MOD, 16}, {MODGEN_S3M, 16},
                 {MODGEN_XM, 32}, {MODGEN_IT, 32}};
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        ModgenSong ms;
        base_song(&ms);
        ms.channels = CASES[i].channels;
        modgen_add(&ms, 0, 0, CASES[i].channels - 1, 49, 1, -1, 0, 0);
        Song *song = load(&ms, CASES[i].format, "wide", NULL);
        if (!song)
            continue;
        CHECK_MSG(song->channels >= CASES[i].channels, "%s %d: %d channels",
                  FORMAT_NAMES[CASES[i].format], CASES[i].channels, song->channels);
        uint32_t row = (uint32_t)synth_row_frame(RATE, 125, 6, 1);
        float *out = synth_render(song, RATE, 2 * row, 1024);
        CHECK_MSG(synth_peak(out, 0, 2 * row, 0) + synth_peak(out, 0, 2 * row, 1) > 0.01f,
                  "%s %d: silent", FORMAT_NAMES[CASES[i].format], CASES[i].channels);
        free(out);
        song_free(song);
    }
}

/* Orders 1, 0: so a pattern's number is not its order. */
static void two_patterns_backwards(ModgenSong *s)
{
    s->patterns = 2;
    s->orders = 2;
    s->order[0] = 1;
    s->order[1] = 0;
}

/* A pattern break goes on to the next order's pattern at once. */
static void breaks_and_orders(void)
{
    for (int f = 0; f < 4; f++) {
        ModgenSong ms;
        base_song(&ms);
        two_patterns_backwards(&ms);
        modgen_add(&ms, 1, 3, 2, 0, 0, -1, 'D', 0x02);
        modgen_add(&ms, 0, 2, 0, 49, 1, -1, 0, 0);
        Song *song = load(&ms, (ModgenFormat)f, "break", NULL);
        if (!song)
            continue;
        CHECK(song->order_count == 2 && song->orders[0] == 1 && song->orders[1] == 0);
        uint32_t row = (uint32_t)synth_row_frame(RATE, 125, 6, 1);
        float *out = synth_render(song, RATE, 10 * row, 1024);
        /* Rows 0..3 of pattern 1, then row 2 of pattern 0 plays the note. */
        uint32_t got = synth_first_above(out, 0, 10 * row, 0.001f);
        CHECK_MSG(got >= 4 * row && got < 4 * row + 64, "%s: onset %u, want %u",
                  FORMAT_NAMES[f], got, 4 * row);
        free(out);
        song_free(song);
    }
}

/* The samples come from the module: nothing is missing, no file is read. */
static void samples_come_with_the_module(void)
{
    for (int f = 0; f < 4; f++) {
        ModgenSong ms;
        base_song(&ms);
        SongioWarnings w;
        songio_warnings_init(&w);
        Song *song = load(&ms, (ModgenFormat)f, "samples", &w);
        CHECK_MSG(songio_warnings_missing(&w) == 0, "%s: %d missing", FORMAT_NAMES[f],
                  songio_warnings_missing(&w));
        Instrument *inst = song ? song_instrument(song, 1) : NULL;
        CHECK_MSG(inst && inst->sample && !inst->missing && !inst->path[0],
                  "%s: instrument 1 has no sample", FORMAT_NAMES[f]);
        if (inst && inst->sample)
            CHECK_MSG(inst->sample->rate == (uint32_t)c5_rate((ModgenFormat)f) &&
                          inst->base_note == 49 && inst->volume == 64,
                      "%s: rate %u base %d vol %d", FORMAT_NAMES[f], inst->sample->rate,
                      inst->base_note, inst->volume);
        songio_warnings_deinit(&w);
        song_free(song);
    }
}

static bool report_has(const LoaderReport *r, const char *what, int order, int row,
                       int channel)
{
    for (int i = 0; i < r->count; i++) {
        const LoaderNote *n = &r->items[i];
        if (strstr(n->what, what) && n->order == order && n->row == row &&
            n->channel == channel)
            return true;
    }
    return false;
}

/* What hiss cannot play is in the report at its order, row and channel,
 * and render/play/the editor get it among songio's warnings. */
static void losses_are_reported_where_they_are(void)
{
    ModgenSong ms;
    base_song(&ms);
    two_patterns_backwards(&ms);
    modgen_add(&ms, 0, 5, 2, 49, 1, -1, 'E', 0x01); /* Amiga filter */
    modgen_add(&ms, 1, 9, 3, 0, 0, -1, 'E', 0xE2);  /* pattern delay */
    char path[400];
    snprintf(path, sizeof path, "%s/report.mod", dir);
    modgen_save(&ms, MODGEN_MOD, path);
    LoaderReport r;
    loader_report_init(&r);
    Song *song = NULL;
    HissDiag d = {{0}};
    CHECK_MSG(loader_load_file_report(path, &song, &d, &r) == HISS_OK, "%s", d.text);
    CHECK(report_has(&r, "Amiga filter", 1, 5, 2));
    /* The dropped effect leaves an empty column, not ".01". */
    Cell dropped = song ? song_pattern_get(song_pattern(song, 0), 5, 2) : song_cell_empty();
    CHECK_MSG(!dropped.fx && !dropped.fx_param && !dropped.fx2 && !dropped.fx2_param,
              "%c%02X", dropped.fx ? dropped.fx : '.', dropped.fx_param);
    /* EEx plays as it is: kept in the cell, not in the report. */
    CHECK(!report_has(&r, "pattern delay", 0, 9, 3));
    const Pattern *delayed = song ? song_pattern(song, song->orders[0]) : NULL;
    Cell kept = delayed ? song_pattern_get(delayed, 9, 3) : song_cell_empty();
    CHECK_MSG(kept.fx == 'E' && kept.fx_param == 0xE2, "%c%02X", kept.fx ? kept.fx : '.',
              kept.fx_param);
    /* ProTracker's hard stereo (channels L R R L) is the strips' balance. */
    CHECK(song && song->strips[0].pan == -100 && song->strips[1].pan == 100 &&
          song->strips[2].pan == 100 && song->strips[3].pan == -100);
    /* A cell hiss keeps is not in the report. */
    CHECK(!report_has(&r, "", 1, 0, 0));
    char line[256];
    for (int i = 0; i < r.count; i++)
        if (strstr(r.items[i].what, "Amiga filter")) {
            loader_note_format(&r.items[i], line, sizeof line);
            CHECK_STR(line, "order 1 row 5 channel 3: dropped: Amiga filter (E0x)");
        }
    loader_report_free(&r);
    song_free(song);

    SongioWarnings w;
    songio_warnings_init(&w);
    CHECK(songio_load(path, RATE, &song, &d, &w) == HISS_OK);
    bool seen = false;
    for (int i = 0; i < w.count; i++)
        seen |= strstr(w.items[i].text, "report.mod: import: dropped: Amiga filter (E0x): at "
                                        "order 1 row 5 channel 3") != NULL;
    CHECK(seen);
    songio_warnings_deinit(&w);
    song_free(song);
}

/* Saving writes a .hiss, the samples as WAVs in a folder beside it and
 * the import report; the module stays as it was, and the saved song
 * renders exactly as the module did. */
static void a_saved_module_renders_the_same(void)
{
    for (int f = 0; f < 4; f++) {
        ModgenSong ms;
        base_song(&ms);
        ms.sample_count = 2;
        ModgenSample second = {.data = sine, .frames = 1000,
                            .loop_start = 200, .loop_end = 800, .volume = 40};
        if (f == MODGEN_XM) {
            /* XM: point envelopes and a fadeout save and play the same. */
            static const int TICK[] = {0, 3, 9, 14}, LEVEL[] = {0, 64, 20, 40};
            second.env_points = 4;
            for (int k = 0; k < 4; k++) {
                second.env_tick[k] = TICK[k];
                second.env_value[k] = LEVEL[k];
            }
            second.env_sustain = 3;
            second.env_loop_start = 1;
            second.env_loop_end = 2;
            second.fadeout = 0x300;
            second.pan_points = 2;
            second.pan_tick[1] = 30;
            second.pan_value[1] = 50;
            modgen_add(&ms, 0, 10, 1, MODGEN_NOTE_OFF, 0, -1, 0, 0);
        }
        ms.samples[1] = second;
        modgen_add(&ms, 0, 0, 0, 49, 1, -1, '1', 0x03);
        modgen_add(&ms, 0, 2, 1, 52, 2, 50, 'A', 0x02);
        modgen_add(&ms, 0, 4, 2, 56, 1, -1, '4', 0x46);
        /* Dropped: the Amiga filter (libxmp drops IT's S0x itself, so IT
         * has an extra fine porta approximated). */
        bool it = f == MODGEN_IT;
        modgen_add(&ms, 0, 6, 3, 37, 2, -1, it ? '1' : 'E', it ? 0xE4 : 0x01);
        const char *dropped =
            it ? "order 0 row 6 channel 4: approximated: extra fine porta (EEx/FEx) as fine porta"
               : "order 0 row 6 channel 4: dropped: Amiga filter (E0x)";
        /* The global volume, from the start and as the song plays. */
        ms.it_global_volume = 100;
        if (f != MODGEN_MOD)
            modgen_add(&ms, 0, 14, 3, 0, 0, -1, 'G', 0x20);
        modgen_add(&ms, 0, 8, 0, 0, 0, -1, 'F', 0x04);
        modgen_add(&ms, 0, 12, 0, 0, 0, -1, 'D', 0x00);
        char module[400], saved[400], folder[400], report[400];
        snprintf(module, sizeof module, "%s/save%s", dir, modgen_extension((ModgenFormat)f));
        snprintf(saved, sizeof saved, "%s/save-%s.hiss", dir, FORMAT_NAMES[f]);
        snprintf(folder, sizeof folder, "%s/save-%s-samples", dir, FORMAT_NAMES[f]);
        snprintf(report, sizeof report, "%s/save-%s.import.txt", dir, FORMAT_NAMES[f]);
        modgen_save(&ms, (ModgenFormat)f, module);
        size_t module_len = 0;
        char *before = test_read_file(module, &module_len);

        Song *song = NULL;
        HissDiag d = {{0}};
        CHECK_MSG(songio_load(module, RATE, &song, &d, NULL) == HISS_OK, "%s", d.text);
        if (!song)
            continue;
        uint32_t frames = 2 * RATE;
        float *direct = synth_render(song, RATE, frames, 1024);
        /* Never over the module, whatever it is called. */
        CHECK(songio_save_converted(song, module, module, 0, NULL, NULL, &d) ==
              HISS_ERR_RANGE);
        CHECK_MSG(songio_save_converted(song, saved, module, 0, NULL, NULL, &d) == HISS_OK,
                  "%s", d.text);
        CHECK(!songio_has_unsaved_samples(song));
        song_free(song);

        size_t after_len = 0;
        char *after = test_read_file(module, &after_len);
        CHECK(after && before && after_len == module_len && !memcmp(before, after, after_len));
        free(before);
        free(after);
        CHECK_MSG(test_count_entries(folder, ".wav") == 2, "%s: %d WAVs", FORMAT_NAMES[f],
                  test_count_entries(folder, ".wav"));
        char *text = test_read_text(report);
        CHECK_MSG(text && strstr(text, dropped),
                  "%s: report '%s'", FORMAT_NAMES[f], text ? text : "(none)");
        free(text);

        SongioWarnings w;
        songio_warnings_init(&w);
        Song *again = NULL;
        CHECK_MSG(songio_load(saved, RATE, &again, &d, &w) == HISS_OK, "%s", d.text);
        CHECK(songio_warnings_missing(&w) == 0);
        songio_warnings_deinit(&w);
        if (again) {
            atomic_store(&again->limiter, false);
            atomic_store(&again->master_gain_tenth_db, 0);
            float *reloaded = synth_render(again, RATE, frames, 1024);
            float worst = 0;
            for (uint32_t i = 0; i < 2 * frames; i++)
                worst = fmaxf(worst, fabsf(direct[i] - reloaded[i]));
            CHECK_MSG(worst == 0.0f, "%s: the saved song differs by %g", FORMAT_NAMES[f],
                      worst);
            CHECK(synth_peak(reloaded, 0, frames, 0) > 0.05f);
            free(reloaded);
            song_free(again);
        }
        free(direct);
    }
}

/* Digging: a module's sample sliced in the song (slice mode, three
 * slices, a note playing the second), saved as .hiss with its WAVs, renders
 * exactly as the sliced module did. */
static void a_sliced_module_saves_and_renders_the_same(void)
{
    for (int f = 0; f < 4; f++) {
        ModgenSong ms;
        base_song(&ms);
        modgen_add(&ms, 0, 0, 0, 49, 1, -1, 0, 0);
        Song *song = load(&ms, (ModgenFormat)f, "dig", NULL);
        Instrument *inst = song ? song_instrument(song, 1) : NULL;
        if (!inst) {
            CHECK_MSG(false, "%s: no instrument 1", FORMAT_NAMES[f]);
            song_free(song);
            continue;
        }
        static const uint32_t POINTS[] = {0, 1000, 2500};
        CHECK(song_instrument_set_slices(inst, POINTS, 3) == 3);
        inst->shape[SHAPE_SLICE_MODE] = 1;
        Cell second = song_cell_empty();
        second.note = 50; /* C#-4: slice 2 */
        second.instrument = 1;
        song_pattern_set(song_pattern(song, song->orders[0]), 4, 0, second);
        uint32_t frames = RATE;
        float *direct = synth_render(song, RATE, frames, 1024);
        char module[400], saved[400];
        snprintf(module, sizeof module, "%s/dig%s", dir, modgen_extension((ModgenFormat)f));
        snprintf(saved, sizeof saved, "%s/dig-%s.hiss", dir, FORMAT_NAMES[f]);
        HissDiag d = {{0}};
        CHECK_MSG(songio_save_converted(song, saved, module, 0, NULL, NULL, &d) == HISS_OK,
                  "%s", d.text);
        song_free(song);
        Song *again = NULL;
        CHECK_MSG(songio_load(saved, RATE, &again, &d, NULL) == HISS_OK, "%s", d.text);
        Instrument *back = again ? song_instrument(again, 1) : NULL;
        CHECK_MSG(back && back->slice_count == 3 && back->slices[1] == 1000 &&
                      back->shape[SHAPE_SLICE_MODE] == 1,
                  "%s: the slices are not saved", FORMAT_NAMES[f]);
        if (back) {
            atomic_store(&again->limiter, false);
            atomic_store(&again->master_gain_tenth_db, 0);
            float *reloaded = synth_render(again, RATE, frames, 1024);
            float worst = 0;
            for (uint32_t i = 0; i < 2 * frames; i++)
                worst = fmaxf(worst, fabsf(direct[i] - reloaded[i]));
            CHECK_MSG(worst == 0.0f, "%s: the saved sliced song differs by %g",
                      FORMAT_NAMES[f], worst);
            /* The second slice sounds from row 4 (on channel 1: libxmp
             * gives an IT only the channels its patterns use). */
            uint32_t row = (uint32_t)synth_row_frame(RATE, 125, 6, 1);
            float peak = 5 * row <= frames
                             ? synth_peak(reloaded, 4 * row, row, 0)
                             : 0;
            CHECK_MSG(peak > 0.01f, "%s: the second slice peaks at %g", FORMAT_NAMES[f], peak);
            free(reloaded);
        }
        song_free(again);
        free(direct);
    }
}

/* Truncated, lying and garbage modules: an error with the file's name,
 * never a crash (run under ASan by `make SAN=1`). */
static void hostile_modules_fail_with_a_message(void)
{
    for (int f = 0; f < 4; f++) {
        ModgenSong ms;
        base_song(&ms);
        modgen_add(&ms, 0, 0, 0, 49, 1, -1, 0, 0);
        size_t len = 0;
        uint8_t *data = modgen_write(&ms, (ModgenFormat)f, &len);
        char name[64];
        snprintf(name, sizeof name, "hostile%s", modgen_extension((ModgenFormat)f));
        /* Every cut of the header and the start of the data. */
        for (size_t cut = 0; cut < len && cut < 1400; cut += 7) {
            Song *song = NULL;
            HissDiag d = {{0}};
            HissError err = loader_parse((const char *)data, cut, name, &song, &d);
            if (err) {
                CHECK_MSG(!strncmp(d.text, name, strlen(name)) && song == NULL,
                          "%s cut at %zu: '%s'", FORMAT_NAMES[f], cut, d.text);
            } else {
                CHECK(song && song->order_count >= 1);
            }
            song_free(song);
        }
        /* Counts and sizes set to the largest their fields hold. */
        uint32_t seed = 12345;
        for (int round = 0; round < 200; round++) {
            uint8_t *bad = malloc(len);
            memcpy(bad, data, len);
            for (int k = 0; k < 4; k++) {
                seed = seed * 1103515245u + 12345u;
                size_t at = (seed >> 8) % (len < 600 ? len : 600);
                bad[at] = (seed >> 4) & 1 ? 0xFF : (uint8_t)(seed >> 16);
            }
            Song *song = NULL;
            HissDiag d = {{0}};
            HissError err = loader_parse((const char *)bad, len, name, &song, &d);
            CHECK_MSG(err ? d.text[0] && !song : song != NULL, "%s round %d", FORMAT_NAMES[f],
                      round);
            song_free(song);
            free(bad);
        }
        free(data);
    }
    /* Text named like a module. */
    Song *song = NULL;
    HissDiag d = {{0}};
    static const char TEXT[] = "this is not a module at all, just words";
    CHECK(loader_parse(TEXT, sizeof TEXT, "words.it", &song, &d) == HISS_ERR_FORMAT);
    CHECK_MSG(!strncmp(d.text, "words.it: ", 10), "%s", d.text);
}

/* test_module --write DIR: one small module per format in DIR (demo.mod,
 * demo.s3m, demo.xm, demo.it, and demo-packed.it with a compressed
 * sample), for the editor's tests and the fuzz seeds;
 * each loses one effect at order 0 row 10 channel 2. And looptrap.mod,
 * whose pattern loops never end, for render's. */
static int write_demo_modules(const char *to)
{
    for (int f = 0; f < 4; f++) {
        ModgenSong ms;
        base_song(&ms);
        modgen_add(&ms, 0, 0, 0, 49, 1, 64, 0, 0);
        modgen_add(&ms, 0, 4, 1, 56, 1, 48, '4', 0x44);
        modgen_add(&ms, 0, 8, 2, 61, 1, -1, '7', 0x44);
        modgen_add(&ms, 0, 12, 3, 44, 1, -1, 'A', 0x04);
        /* A loss for the report to place: the Amiga filter (IT: libxmp
         * drops S0x itself, so panbrello, Yxy). */
        bool it = f == MODGEN_IT;
        modgen_add(&ms, 0, 10, 1, 0, 0, -1, it ? 'Y' : 'E', it ? 0x44 : 0x01);
        char path[1024];
        snprintf(path, sizeof path, "%s/demo%s", to, modgen_extension((ModgenFormat)f));
        modgen_save(&ms, (ModgenFormat)f, path);
        if (f == MODGEN_IT) {
            /* And one with its sample compressed (16-bit, IT 2.15). */
            ms.samples[0].it_bits16 = 1;
            ms.samples[0].it_compress = 215;
            snprintf(path, sizeof path, "%s/demo-packed.it", to);
            modgen_save(&ms, MODGEN_IT, path);
        }
    }
    /* An XM instrument with a keymap of two samples, a note without an
     * instrument on each, volume and panning envelopes. */
    ModgenSong ms;
    base_song(&ms);
    static const int TICK[] = {0, 4, 9, 20}, LEVEL[] = {0, 64, 30, 50};
    ms.samples[0].env_points = 4;
    for (int k = 0; k < 4; k++) {
        ms.samples[0].env_tick[k] = TICK[k];
        ms.samples[0].env_value[k] = LEVEL[k];
    }
    ms.samples[0].env_sustain = 3;
    ms.samples[0].env_loop_start = 1;
    ms.samples[0].env_loop_end = 2;
    ms.samples[0].fadeout = 0x100;
    ms.samples[0].pan_points = 2;
    ms.samples[0].pan_tick[1] = 16;
    ms.samples[0].pan_value[1] = 60;
    ms.samples[1] = ms.samples[0];
    ms.samples[1].relative_note = 12;
    keymap_from_c4(&ms);
    modgen_add(&ms, 0, 0, 0, 48, 1, -1, 0, 0);
    modgen_add(&ms, 0, 4, 0, 49, 0, -1, 0, 0);
    modgen_add(&ms, 0, 8, 0, 44, 0, -1, '3', 0x10);
    modgen_add(&ms, 0, 12, 0, MODGEN_NOTE_OFF, 0, -1, 0, 0);
    char path[1024];
    snprintf(path, sizeof path, "%s/demo-keymap.xm", to);
    modgen_save(&ms, MODGEN_XM, path);
    /* A pattern-loop trap: E61 on row 0 and E62 on row 8 of pattern 1
     * share channel 4's counter and reset each other for ever (B00 on
     * row 63 is never reached); other players stop it after 9 s. */
    base_song(&ms);
    ms.patterns = ms.orders = 2;
    ms.order[1] = 1;
    modgen_add(&ms, 0, 0, 0, 49, 1, 64, 0, 0);
    modgen_add(&ms, 1, 0, 3, 0, 0, -1, 'E', 0x61);
    modgen_add(&ms, 1, 8, 3, 0, 0, -1, 'E', 0x62);
    modgen_add(&ms, 1, 63, 0, 0, 0, -1, 'B', 0x00);
    snprintf(path, sizeof path, "%s/looptrap.mod", to);
    modgen_save(&ms, MODGEN_MOD, path);
    return 0;
}

int main(int argc, char **argv)
{
    make_sine();
    if (argc == 3 && !strcmp(argv[1], "--write"))
        return write_demo_modules(argv[2]);
    test_make_tmpdir(dir, sizeof dir, "module");
    RUN(every_format_plays_notes_at_their_pitch);
    RUN(rows_start_at_the_modules_speed_and_tempo);
    RUN(loops_keep_a_note_sounding);
    RUN(volumes_and_slides);
    RUN(breaks_and_orders);
    RUN(wide_modules_keep_their_channels);
    RUN(slides_follow_the_modules_mode);
    RUN(note_offs_end_notes);
    RUN(xm_note_off_silences_at_once);
    RUN(xm_envelopes_shape_the_note);
    RUN(xm_envelope_holds_on_the_note_offs_tick);
    RUN(xm_envelope_from_silence_comes_at_once);
    RUN(keymaps_play_each_keys_sample);
    RUN(xm_keymap_notes_keep_the_envelope);
    RUN(xm_point_envelopes_loop_and_pan);
    RUN(xm_volume_column_pan_slides);
    RUN(xm_bare_notes_keep_the_envelope);
    RUN(tremolo_moves_the_volume);
    RUN(xm_tremolo_keeps_its_volume_on_a_rows_first_tick);
    RUN(xm_glissando_sounds_the_nearest_note);
    RUN(xm_arpeggio_counts_from_the_rows_end);
    RUN(set_finetune_retunes_the_note);
    RUN(compressed_it_samples_load_exactly);
    RUN(it_vibrato_is_half_as_deep);
    RUN(xm_vibrato_goes_down_first_and_keeps_its_phase);
    RUN(xm_ramp_vibrato_ramps_down);
    RUN(xm_extra_fine_porta_moves_the_pitch);
    RUN(global_volume_scales_every_channel);
    RUN(it_new_note_actions_keep_notes_playing);
    RUN(it_note_off_fades_by_the_fadeout);
    RUN(past_notes_keep_their_auto_vibrato);
    RUN(tremor_gates_the_volume);
    RUN(xm_envelope_position_moves_the_envelope);
    RUN(xm_auto_vibrato_moves_the_pitch);
    RUN(it_duplicate_checks_and_past_note_actions);
    RUN(pitch_agrees_with_xmp);
    RUN(samples_come_with_the_module);
    RUN(losses_are_reported_where_they_are);
    RUN(a_saved_module_renders_the_same);
    RUN(a_sliced_module_saves_and_renders_the_same);
    RUN(hostile_modules_fail_with_a_message);
    test_remove_tree(dir);
    return test_finish();
}
