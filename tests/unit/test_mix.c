/* The mix: channel buses and their stems, per-channel meters. Measured on
 * rendered audio. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/synth_song.h"
#include "edit.h"
#include "songfile.h"
#include "engine.h"
#include "test.h"

#define RATE 48000u
#define FRAMES (RATE * 3)
#define LONG (RATE * 12) /* every channel of the beat has played by then */

typedef struct {
    float *mix;
    float *stems[SONG_MAX_CHANNELS];
    int count;
} Rendered;

/* The beat with its strips set apart: faders from -9 to +3 dB, pans from
 * hard left to hard right, so a stem taken before pan or fader shows. */
static Song *strip_beat(void)
{
    Song *s = synth_beat(RATE);
    atomic_store(&s->limiter, false);
    int n = atomic_load(&s->channels);
    for (int c = 0; c < n; c++) {
        atomic_store(&s->strips[c].gain_tenth_db, -90 + 15 * (c % 9));
        atomic_store(&s->strips[c].pan, -100 + 200 * c / (n > 1 ? n - 1 : 1));
    }
    return s;
}

static Rendered render_frames(Song *s, uint32_t block, uint32_t frames)
{
    Rendered r = {0};
    r.count = atomic_load(&s->channels);
    r.mix = calloc(2 * (size_t)frames, sizeof(float));
    for (int c = 0; c < r.count; c++)
        r.stems[c] = calloc(2 * (size_t)frames, sizeof(float));
    Engine *e = engine_new(s, RATE);
    engine_play_song_now(e, 0, 0, false);
    for (uint32_t done = 0; done < frames;) {
        uint32_t n = frames - done < block ? frames - done : block;
        float *at[SONG_MAX_CHANNELS];
        for (int c = 0; c < r.count; c++)
            at[c] = r.stems[c] + 2 * (size_t)done;
        engine_render_stems(e, r.mix + 2 * (size_t)done, NULL, 0, at, r.count, n);
        done += n;
    }
    engine_free(e);
    return r;
}

static Rendered render(Song *s, uint32_t block)
{
    return render_frames(s, block, FRAMES);
}

static void rendered_free(Rendered *r)
{
    free(r->mix);
    for (int c = 0; c < r->count; c++)
        free(r->stems[c]);
}

static double peak_of(const float *x, size_t n)
{
    double p = 0;
    for (size_t i = 0; i < n; i++)
        p = fmax(p, fabs(x[i]));
    return p;
}

/* The stems summed equal the mix before the master section (master at
 * 0 dB, limiter off, nothing over full scale): the difference is 60 dB or
 * more below the mix's peak. */
static void stems_sum_to_the_mix(void)
{
    Song *s = strip_beat();
    Rendered r = render_frames(s, 512, LONG);
    double peak = peak_of(r.mix, 2 * (size_t)LONG), worst = 0;
    for (size_t i = 0; i < 2 * (size_t)LONG; i++) {
        double sum = 0;
        for (int c = 0; c < r.count; c++)
            sum += r.stems[c][i];
        worst = fmax(worst, fabs(sum - r.mix[i]));
    }
    CHECK_MSG(peak > 0.05 && peak < 1.0, "mix peak %.3f", peak);
    double db = worst > 0 ? 20 * log10(worst / peak) : -999;
    CHECK_MSG(db < -60, "stems sum off the mix by %.1f dB", db);
    int sounding = 0;
    for (int c = 0; c < r.count; c++)
        sounding += peak_of(r.stems[c], 2 * (size_t)LONG) > 0.01;
    CHECK_MSG(sounding == r.count, "%d of %d stems sound", sounding, r.count);
    rendered_free(&r);
    song_free(s);
}

/* A stem is its channel after pan and fader: the beat's first channel is
 * hard left at -9 dB, its last hard right; changing only the fader of the
 * first scales its stem by exactly that. */
static void stems_are_after_pan_and_fader(void)
{
    Song *s = strip_beat();
    Rendered a = render(s, 512);
    int last = a.count - 1;
    double right_of_first = 0, left_of_last = 0;
    for (size_t f = 0; f < FRAMES; f++) {
        right_of_first = fmax(right_of_first, fabs(a.stems[0][2 * f + 1]));
        left_of_last = fmax(left_of_last, fabs(a.stems[last][2 * f]));
    }
    CHECK(peak_of(a.stems[0], 2 * (size_t)FRAMES) > 0.01);
    CHECK_MSG(right_of_first == 0 && left_of_last == 0, "%g %g", right_of_first,
              left_of_last);
    atomic_store(&s->strips[0].gain_tenth_db, -30); /* +6 dB from -9 */
    Rendered b = render(s, 512);
    double ratio = peak_of(b.stems[0], 2 * (size_t)FRAMES) /
                   peak_of(a.stems[0], 2 * (size_t)FRAMES);
    CHECK_MSG(fabs(20 * log10(ratio) - 6.0) < 0.01, "%.4f dB", 20 * log10(ratio));
    CHECK(!memcmp(a.stems[1], b.stems[1], sizeof(float) * 2 * FRAMES));
    rendered_free(&a);
    rendered_free(&b);
    song_free(s);
}

/* Stems and mix are the same whatever the block size. */
static void stems_are_block_size_invariant(void)
{
    Song *s = strip_beat();
    Rendered a = render(s, 1), b = render(s, 64), c = render(s, 1023);
    CHECK(!memcmp(a.mix, b.mix, sizeof(float) * 2 * FRAMES));
    CHECK(!memcmp(a.mix, c.mix, sizeof(float) * 2 * FRAMES));
    for (int ch = 0; ch < a.count; ch++) {
        CHECK_MSG(!memcmp(a.stems[ch], b.stems[ch], sizeof(float) * 2 * FRAMES), "%d", ch);
        CHECK_MSG(!memcmp(a.stems[ch], c.stems[ch], sizeof(float) * 2 * FRAMES), "%d", ch);
    }
    rendered_free(&a);
    rendered_free(&b);
    rendered_free(&c);
    song_free(s);
}

/* Each channel's meter holds its bus's peak until the UI takes it. */
static void channel_meters_hold_the_peak(void)
{
    Song *s = strip_beat();
    int n = atomic_load(&s->channels);
    Engine *e = engine_new(s, RATE);
    engine_play_song_now(e, 0, 0, false);
    float *mix = calloc(2 * (size_t)RATE, sizeof(float));
    float *stems[SONG_MAX_CHANNELS];
    for (int c = 0; c < n; c++)
        stems[c] = calloc(2 * (size_t)RATE, sizeof(float));
    engine_render_stems(e, mix, NULL, 0, stems, n, RATE);
    EngineStatus *st = (EngineStatus *)engine_status(e);
    for (int c = 0; c < n; c++) {
        uint32_t want = (uint32_t)lrint(fmin(peak_of(stems[c], 2 * (size_t)RATE), 1000) * 1000);
        uint32_t got = atomic_exchange(&st->channel_peak_milli[c], 0);
        CHECK_MSG(got == want, "channel %d: meter %u, stem peak %u", c + 1, got, want);
    }
    CHECK(atomic_load(&st->channel_peak_milli[n]) == 0);
    for (int c = 0; c < n; c++)
        free(stems[c]);
    free(mix);
    engine_free(e);
    song_free(s);
}

/* With the channel meters off (as a render has them) the mix and the
 * stems are the same to the bit, and no meter moves. */
static void channel_meters_off_change_no_sample(void)
{
    Song *s = strip_beat();
    int n = atomic_load(&s->channels);
    float *mix[2], *stems[2][SONG_MAX_CHANNELS];
    for (int run = 0; run < 2; run++) {
        Engine *e = engine_new(s, RATE);
        engine_set_channel_meters(e, run == 0);
        engine_play_song_now(e, 0, 0, false);
        mix[run] = calloc(2 * (size_t)RATE, sizeof(float));
        for (int c = 0; c < n; c++)
            stems[run][c] = calloc(2 * (size_t)RATE, sizeof(float));
        engine_render_stems(e, mix[run], NULL, 0, stems[run], n, RATE);
        const EngineStatus *st = engine_status(e);
        uint32_t moved = 0;
        for (int c = 0; c < n; c++)
            moved |= atomic_load(&st->channel_peak_milli[c]) |
                     atomic_load(&st->channel_rms_milli[c]);
        CHECK_MSG(run == 0 ? moved != 0 : moved == 0, "meters %s: %u",
                  run == 0 ? "on" : "off", moved);
        engine_free(e);
    }
    CHECK(peak_of(mix[0], 2 * (size_t)RATE) > 0.01);
    CHECK(!memcmp(mix[0], mix[1], sizeof(float) * 2 * RATE));
    for (int c = 0; c < n; c++) {
        CHECK_MSG(!memcmp(stems[0][c], stems[1][c], sizeof(float) * 2 * RATE), "%d", c);
        free(stems[0][c]);
        free(stems[1][c]);
    }
    free(mix[0]);
    free(mix[1]);
    song_free(s);
}

/* A render's mix (meters off, no stems: no bus read but by the sum, so
 * the voices add straight into the mix, in chunks longer than the
 * buses') is the buses' sum to the bit, block by block: on a beat, on 32
 * channels whose notes overlap as each fades out under the next, on
 * every effect, where every voice is shaped (runs through the
 * buses, each a chunk of its own), and on the beat with two faders moved
 * every block (gliding on their buses, or there at once on a silent
 * one). */
static void straight_mix_is_the_buses_sum(void)
{
    static const int faders[] = {-60, 0, -600, 35, -210};
    Song *shaped = strip_beat();
    synth_shape_all(shaped, false);
    Song *songs[] = {strip_beat(), synth_stress(RATE), synth_every_effect(RATE), shaped,
                     strip_beat()};
    const int moved = 4;
    for (int k = 0; k < (int)(sizeof songs / sizeof songs[0]); k++) {
        float *mix[2];
        for (int run = 0; run < 2; run++) {
            Engine *e = engine_new(songs[k], RATE);
            engine_set_channel_meters(e, run == 0);
            engine_play_song_now(e, 0, 0, false);
            mix[run] = calloc(2 * (size_t)RATE, sizeof(float));
            for (uint32_t done = 0, b = 0; done < RATE; done += 6000, b++) {
                if (k == moved)
                    for (int c = 0; c < 2; c++)
                        atomic_store(&songs[k]->strips[c].gain_tenth_db,
                                     faders[(b + (uint32_t)c) % HISS_ARRAY_LEN(faders)]);
                engine_render(e, mix[run] + 2 * (size_t)done, 6000);
            }
            engine_free(e);
        }
        CHECK(peak_of(mix[0], 2 * (size_t)RATE) > 0.01);
        size_t differ = 0;
        for (size_t i = 0; i < 2 * (size_t)RATE; i++)
            differ += memcmp(&mix[0][i], &mix[1][i], sizeof(float)) != 0;
        CHECK_MSG(!differ, "song %d: %zu samples differ", k, differ);
        free(mix[0]);
        free(mix[1]);
        song_free(songs[k]);
    }
}

/* ---- the master EQ, measured on sines through the whole engine ---- */

/* The RMS of the left side over the second half of a one-second render of
 * a looping sine at hz, full volume, through `eq` as the master EQ or, with
 * on_channel, as channel 1's EQ insert. */
static double sine_rms_through(double hz, const SongEq *eq, bool on_channel)
{
    Song *s = synth_song(1, 64, 125, 6);
    synth_set_instrument(s, 1, synth_instrument(synth_sine(RATE, hz, RATE, 1, 0.25f),
                                                LOOP_FORWARD, 0, RATE, INTERP_LINEAR));
    synth_put(s, 0, 0, 0, NOTE_C4, 1, VOLUME_EMPTY, 0, 0);
    song_eq_store(on_channel ? &s->strips[0].eq : &s->master_eq, eq);
    float *out = synth_render(s, RATE, RATE, 256);
    double sum = 0;
    for (uint32_t f = RATE / 2; f < RATE; f++)
        sum += (double)out[2 * f] * out[2 * f];
    free(out);
    song_free(s);
    return sqrt(sum / (RATE / 2));
}

static double sine_rms(double hz, const SongEq *eq)
{
    return sine_rms_through(hz, eq, false);
}

/* The gain in dB the EQ gives a sine at hz. */
static double eq_gain_db(double hz, const SongEq *eq)
{
    SongEq flat = song_eq_default();
    return 20 * log10(sine_rms(hz, eq) / sine_rms(hz, &flat));
}

#define CHECK_DB(hz, eq, want, tol)                                                    \
    do {                                                                               \
        double got_ = eq_gain_db((hz), (eq));                                          \
        CHECK_MSG(fabs(got_ - (want)) <= (tol), "%g Hz: %.2f dB, want %.2f", (double)(hz), \
                  got_, (double)(want));                                               \
    } while (0)

static void master_eq_bands_measure_as_set(void)
{
    SongEq flat = song_eq_default(), eq = flat;
    CHECK(sine_rms(1000, &flat) > 0.1);
    eq.mid_tenth_db = 60;
    eq.mid_q_tenths = 10;
    CHECK_DB(1000, &eq, 6.0, 0.5);
    CHECK_DB(4000, &eq, 0.5, 0.5); /* two octaves off, a Q of 1 is nearly flat */
    eq.mid_tenth_db = -90;
    eq.mid_hz = 2000;
    CHECK_DB(2000, &eq, -9.0, 0.5);
    eq = flat;
    eq.low_shelf_hz = 200;
    eq.low_shelf_tenth_db = 40;
    CHECK_DB(40, &eq, 4.0, 0.5);  /* inside the shelf: its gain */
    CHECK_DB(200, &eq, 2.0, 0.5); /* at its frequency: half */
    CHECK_DB(4000, &eq, 0.0, 0.5);
    eq = flat;
    eq.high_shelf_hz = 4000;
    eq.high_shelf_tenth_db = -60;
    CHECK_DB(16000, &eq, -6.0, 0.5);
    CHECK_DB(4000, &eq, -3.0, 0.5);
    CHECK_DB(200, &eq, 0.0, 0.5);
    eq = flat;
    eq.low_cut_hz = 200;
    CHECK_DB(200, &eq, -3.0, 0.5); /* Butterworth: 3 dB down at its frequency */
    CHECK_DB(4000, &eq, 0.0, 0.5);
    double deep = eq_gain_db(50, &eq);
    CHECK_MSG(deep < -20, "two octaves below a low cut: %.1f dB", deep);
    eq = flat;
    eq.high_cut_hz = 4000;
    CHECK_DB(4000, &eq, -3.0, 0.5);
    CHECK_DB(200, &eq, 0.0, 0.5);
    deep = eq_gain_db(16000, &eq);
    CHECK_MSG(deep < -20, "two octaves above a high cut: %.1f dB", deep);
}

/* Strip changes are undoable steps: fader, mute, a send, the ducker. */
static void strip_changes_undo(void)
{
    Song *s = song_new();
    Editor *ed = edit_new(s, NULL, NULL);
    CHECK(edit_strip_set(ed, 2, EDIT_STRIP_GAIN, -60) == HISS_OK);
    CHECK(edit_strip_set(ed, 2, EDIT_STRIP_MUTE, 1) == HISS_OK);
    CHECK(edit_strip_set(ed, 0, EDIT_STRIP_SEND_B, -30) == HISS_OK);
    CHECK(edit_strip_set(ed, 1, EDIT_STRIP_DUCK_FROM, 1) == HISS_OK);
    CHECK(edit_strip_set(ed, 1, EDIT_STRIP_PAN, 101) == HISS_ERR_RANGE);
    CHECK(atomic_load(&s->strips[2].gain_tenth_db) == -60 && atomic_load(&s->strips[2].mute));
    CHECK(atomic_load(&s->strips[0].send_tenth_db[1]) == -30);
    CHECK(atomic_load(&s->strips[1].duck_from) == 1);
    CHECK(edit_undo(ed) == HISS_OK && atomic_load(&s->strips[1].duck_from) == 0);
    CHECK(edit_undo(ed) == HISS_OK &&
          atomic_load(&s->strips[0].send_tenth_db[1]) == SONG_GAIN_MIN);
    CHECK(edit_undo(ed) == HISS_OK && !atomic_load(&s->strips[2].mute));
    CHECK(edit_undo(ed) == HISS_OK &&
          atomic_load(&s->strips[2].gain_tenth_db) == SONG_CHANNEL_GAIN_DEFAULT);
    CHECK(edit_redo(ed) == HISS_OK && atomic_load(&s->strips[2].gain_tenth_db) == -60);
    edit_free(ed);
    song_free(s);
}

/* The channel EQ insert: the same bands, on one channel's bus. */
static void channel_eq_bands_measure_as_set(void)
{
    SongEq flat = song_eq_default(), eq = flat;
    double ref = sine_rms_through(1000, &flat, true);
    eq.mid_tenth_db = 60;
    eq.mid_q_tenths = 10;
    double mid = 20 * log10(sine_rms_through(1000, &eq, true) / ref);
    CHECK_MSG(fabs(mid - 6.0) <= 0.5, "mid at its centre: %.2f dB", mid);
    eq = flat;
    eq.high_cut_hz = 1000;
    double cut = 20 * log10(sine_rms_through(1000, &eq, true) / ref);
    CHECK_MSG(fabs(cut + 3.0) <= 0.5, "high cut at its frequency: %.2f dB", cut);
    /* The master's EQ stays flat meanwhile: the channel did it. */
    CHECK(fabs(20 * log10(sine_rms_through(1000, &flat, false) / ref)) < 0.01);
}

/* The song file keeps a channel's EQ on its own line. */
static void song_file_keeps_channel_eq(void)
{
    const char *text = "hiss 1\nchannels 2\nchannel_eq 02 mid 500 3.0 high_cut 9000\n";
    Song *s = NULL;
    HissDiag diag = {{0}};
    CHECK(songfile_parse(text, strlen(text), "e.hiss", &s, &diag) == HISS_OK);
    CHECK(s && atomic_load(&s->strips[1].eq.mid_tenth_db) == 30);
    char *out = NULL;
    size_t len = 0;
    CHECK(s && songfile_format(s, &out, &len) == HISS_OK);
    CHECK(out && strstr(out, "\nchannel_eq 02 low_cut 0 low_shelf 100 0.0 mid 500 3.0 q 0.7 "
                             "high_shelf 8000 0.0 high_cut 9000\n"));
    CHECK(out && !strstr(out, "channel_eq 01"));
    free(out);
    song_free(s);
    const char *twice = "hiss 1\nchannel_eq 01 mid 500 3.0\nchannel_eq 01 low_cut 40\n";
    s = NULL;
    CHECK(songfile_parse(twice, strlen(twice), "e.hiss", &s, &diag) != HISS_OK);
    CHECK_MSG(strstr(diag.text, "duplicate channel_eq 1"), "%s", diag.text);
    song_free(s);
}

/* The tap: the master output as it went out, block after block, read
 * on another thread's terms; a reader that falls behind loses whole
 * blocks, counted, and the audio is untouched. */
static void tap_carries_the_output(void)
{
    Song *s = strip_beat();
    const uint32_t frames = RATE / 2;
    float *out = calloc(2 * (size_t)frames, sizeof(float));
    float *tapped = calloc(2 * (size_t)frames, sizeof(float));
    Engine *e = engine_new(s, RATE);
    engine_play_song_now(e, 0, 0, false);
    uint32_t got = 0;
    static EngineTapBlock block;
    for (uint32_t done = 0; done < frames; done += 100) {
        engine_render(e, out + 2 * (size_t)done, 100);
        while (engine_take_tap(e, &block)) {
            memcpy(tapped + 2 * (size_t)got, block.data, sizeof(float) * 2 * block.frames);
            got += block.frames;
        }
    }
    CHECK(got > frames - ENGINE_TAP_FRAMES && got <= frames);
    CHECK(!memcmp(out, tapped, sizeof(float) * 2 * got));
    CHECK(atomic_load(&engine_status(e)->tap_dropped) == 0);
    /* Nobody reading: the ring fills, then blocks are dropped and counted. */
    for (int i = 0; i < ENGINE_TAP_BLOCKS + 4; i++)
        engine_render(e, out, ENGINE_TAP_FRAMES);
    CHECK(atomic_load(&engine_status(e)->tap_dropped) >= 4);
    engine_free(e);
    free(out);
    free(tapped);
    song_free(s);
}

/* The channel RMS meter: a steady sine's bus reads its peak / sqrt(2). */
static void channel_rms_reads_a_sine(void)
{
    Song *s = synth_song(2, 64, 125, 6);
    synth_set_instrument(s, 1, synth_instrument(synth_sine(RATE, 1000, RATE, 1, 0.25f),
                                                LOOP_FORWARD, 0, RATE, INTERP_LINEAR));
    synth_put(s, 0, 0, 0, NOTE_C4, 1, VOLUME_EMPTY, 0, 0);
    Engine *e = engine_new(s, RATE);
    engine_play_song_now(e, 0, 0, false);
    float *out = calloc(4 * (size_t)RATE, sizeof(float));
    float *stem = calloc(4 * (size_t)RATE, sizeof(float));
    for (uint32_t done = 0; done < 2 * RATE; done += 128) { /* 6.7 time constants */
        float *stems[1] = {stem + 2 * (size_t)done};
        engine_render_stems(e, out + 2 * (size_t)done, NULL, 0, stems, 1, 128);
    }
    double peak = peak_of(stem + 2 * (size_t)RATE, 2 * (size_t)RATE); /* the second second */
    uint32_t rms = atomic_load(&engine_status(e)->channel_rms_milli[0]);
    double got = 20 * log10(rms / 1000.0), want = 20 * log10(peak / M_SQRT2);
    CHECK_MSG(fabs(got - want) <= 0.1, "RMS %.2f dBFS, want %.2f", got, want);
    CHECK(atomic_load(&engine_status(e)->channel_rms_milli[1]) == 0);
    engine_free(e);
    free(out);
    free(stem);
    song_free(s);
}

int main(void)
{
    RUN(channel_rms_reads_a_sine);
    RUN(tap_carries_the_output);
    RUN(song_file_keeps_channel_eq);
    RUN(channel_eq_bands_measure_as_set);
    RUN(strip_changes_undo);
    RUN(stems_sum_to_the_mix);
    RUN(stems_are_after_pan_and_fader);
    RUN(stems_are_block_size_invariant);
    RUN(channel_meters_hold_the_peak);
    RUN(channel_meters_off_change_no_sample);
    RUN(straight_mix_is_the_buses_sum);
    RUN(master_eq_bands_measure_as_set);
    return test_finish();
}
