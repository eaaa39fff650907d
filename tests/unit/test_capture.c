/* Jam capture: a performance played through the engine (a cue on the
 * bar, a jammed note, a mute at the bar, a tempo change; mutes, tempos
 * and speeds pressed in the middle of a row, over held notes, and a mute
 * already on as the capture starts; a bar mute at a swung loop's start)
 * is logged row by row and written
 * into the song as a new arrangement (edit_capture_arrangement); that
 * arrangement, rendered as `hiss render` does, must give the same audio
 * as the performance did live, frame for frame. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/synth_song.h"
#include "edit.h"
#include "engine.h"
#include "live.h"
#include "test.h"

#define E VOLUME_EMPTY
#define RATE 48000u
#define TICK 960u /* 125 BPM */
#define ROW (6 * TICK)
#define ROWS 32
#define BAR 16 /* rows: 4 rows a beat, 4 beats a bar */
#define LIVE_FRAMES (80 * ROW) /* past the tempo change: rows are shorter */

/* Orders 0 and 1 play patterns 0 and 1: channel 0 a tone every two rows,
 * channel 1 another every four; pattern 0 breaks to the next order after
 * its row 27 (D00), which the capture must not do again. Each note ends
 * within its row (held notes: gestures_between_rows_...). */
static Song *performance_song(void)
{
    Song *s = synth_song(2, ROWS, 125, 6);
    atomic_store(&s->rows_per_beat, 4);
    synth_set_instrument(s, 1, synth_instrument(synth_sine(RATE, 440.0, 2000, 1, 0.5f),
                                                LOOP_OFF, 0, 0, INTERP_LINEAR));
    synth_add_pattern(s, 1, ROWS);
    for (int p = 0; p < 2; p++)
        for (int r = 0; r < ROWS; r += 2)
            synth_put(s, p, r, r % 4 ? 0 : 1, (uint8_t)(NOTE_C4 + p * 7 + r / 4), 1, E,
                      0, 0);
    synth_put2(s, 0, 27, 0, 'D', 0);
    return s;
}

/* Where live row `row` began, give or take a frame: 125 BPM up to row
 * 24, 140 BPM after. */
static uint32_t live_row_frame(int row)
{
    if (row <= 24)
        return (uint32_t)row * ROW;
    return 24 * ROW + (uint32_t)lround((row - 24) * 6 * 2.5 * RATE / 140.0);
}

static int take_rows(Engine *e, EngineRowLog *rows, int count, int cap)
{
    while (count < cap && engine_take_row(e, &rows[count]))
        count++;
    return count;
}

/* Plays the performance, capturing it: rows[] gets the log. Commands go
 * in between whole rows, so each takes effect on a row's first frame. */
static float *perform(Song *s, EngineRowLog *rows, int *count, int cap, EngineTake *jam,
                      int *jam_count)
{
    Engine *e = engine_new(s, RATE);
    float *out = calloc(2 * (size_t)LIVE_FRAMES, sizeof *out);
    engine_capture_rows(e, true);
    engine_play_song_now(e, 0, 0, true);
    *count = 0;
    uint32_t at = 0;
    for (int row = 0; at < LIVE_FRAMES; row++) {
        if (row == 4) /* pattern 1, from the next bar (pattern 0's row 16) */
            CHECK(engine_send(
                e, &(EngineCommand){ENGINE_CMD_CUE, 1, ENGINE_CUE_BAR, 0, NULL}));
        if (row == 20) { /* channel 1 muted at the next bar */
            atomic_store(&s->strips[1].mute, true);
            CHECK(engine_send(e, &(EngineCommand){ENGINE_CMD_HOLD_MUTE, 1, 0, 0, NULL}));
        }
        if (row == 6) /* a note jammed on channel 1, on the row's first frame */
            engine_live_note_now(e, 1, NOTE_C4 + 19,
                                 engine_live_flags(1, E, LIVE_QUANTIZE_OFF, false, false) |
                                     ENGINE_LIVE_JAM,
                                 0);
        if (row == 24) /* tap tempo: 140 BPM from this row */
            CHECK(engine_send(e, &(EngineCommand){ENGINE_CMD_SET_BPM, 1400, 0, 0, NULL}));
        uint32_t len = live_row_frame(row + 1) - live_row_frame(row);
        uint32_t end = at + len < LIVE_FRAMES ? at + len : LIVE_FRAMES;
        synth_render_span(e, out, at, end);
        at = end;
        *count = take_rows(e, rows, *count, cap);
        while (*jam_count < 4 && engine_take_recorded(e, &jam[*jam_count]))
            ++*jam_count;
    }
    engine_capture_rows(e, false);
    *count = take_rows(e, rows, *count, cap);
    CHECK(!atomic_load(&engine_status(e)->rows_unlogged));
    engine_free(e);
    return out;
}

/* The captured arrangement from order `first`, as hiss render plays it
 * (song loop off, the mixer as the capture left it). */
static float *render_from(Song *s, int first, uint32_t frames)
{
    Engine *e = engine_new(s, RATE);
    float *out = calloc(2 * (size_t)frames, sizeof *out);
    engine_play_song_now(e, first, 0, false);
    synth_render_span(e, out, 0, frames);
    engine_free(e);
    return out;
}

static float max_difference(const float *a, const float *b, size_t samples)
{
    float worst = 0.0f;
    for (size_t i = 0; i < samples; i++)
        worst = fmaxf(worst, fabsf(a[i] - b[i]));
    return worst;
}

/* The arrangement from order `first` renders as the performance `live`
 * sounded, sample for sample, over `frames`. */
static void check_replay(Song *s, int first, const float *live, uint32_t frames)
{
    float *again = render_from(s, first, frames);
    float diff = max_difference(live, again, 2 * (size_t)frames);
    CHECK(diff == 0.0f);
    if (diff != 0.0f)
        fprintf(stderr, "  largest difference %g\n", (double)diff);
    free(again);
}

static void a_captured_jam_renders_as_it_was_played(void)
{
    Song *s = performance_song();
    EngineRowLog rows[256];
    int count = 0;
    EngineTake jam[4];
    int jam_count = 0;
    float *live = perform(s, rows, &count, 256, jam, &jam_count);
    CHECK(jam_count == 1 && jam[0].jam && jam[0].pattern == 0 && jam[0].row == 6);
    CHECK(count > 64);
    /* The performance did what it was asked: pattern 1 from the bar, the
     * mute on the bar after, the faster tempo. */
    CHECK(rows[BAR].pattern == 1 && rows[BAR].row == 0);
    CHECK(rows[BAR + 15].audible == 3 && rows[2 * BAR].audible == 1);
    CHECK(rows[23].bpm_tenths == 1250 && rows[24].bpm_tenths == 1400);
    /* Channel 1's notes: heard on pattern 1's row 12, not on its row 16
     * (each note lasts 2000 frames from its row's first). */
    CHECK(synth_peak(live, live_row_frame(2 * BAR - 4) + 64, 1800, 0) > 0.1f);
    CHECK(synth_peak(live, live_row_frame(2 * BAR) + 64, 1800, 0) == 0.0f);

    Editor *ed = edit_new(s, NULL, NULL);
    int orders_before = atomic_load(&s->order_count);
    bool inexact = true;
    CHECK(edit_capture_arrangement(ed, rows, count, jam, jam_count, &inexact) == HISS_OK);
    CHECK(!inexact);
    int orders_after = atomic_load(&s->order_count);
    /* Pattern 0 to the cue, pattern 1, pattern 0 to its break, pattern 1. */
    CHECK(orders_after - orders_before == 4);

    /* The mute ended the performance; the arrangement has it now. */
    CHECK(!atomic_load(&s->strips[1].mute));
    float *again = render_from(s, orders_before, LIVE_FRAMES);
    float diff = max_difference(live, again, 2 * (size_t)LIVE_FRAMES);
    CHECK(diff == 0.0f);
    if (diff != 0.0f)
        fprintf(stderr, "  largest difference %g\n", (double)diff);

    /* One undo step takes the whole arrangement back, its new patterns
     * (those copied with a change: the mute, the tempo, the cut) too. */
    int made[4], made_count = 0;
    for (int i = orders_before; i < orders_after; i++)
        if (atomic_load(&s->orders[i]) >= 2)
            made[made_count++] = atomic_load(&s->orders[i]);
    CHECK(made_count == 4); /* pattern 0 to the cue: a tempo on its row 0 */
    CHECK(edit_undo(ed) == HISS_OK);
    CHECK(atomic_load(&s->order_count) == orders_before);
    for (int i = 0; i < made_count; i++)
        CHECK(!song_pattern(s, made[i]));
    free(again);
    free(live);
    edit_free(ed);
    song_free(s);
}

/* ---- gestures between rows ---------------------------------------------- */

#define MID_FRAMES 300000u /* about 55 rows: the pattern plays twice */
#define MID_BLOCK 300u     /* the period: gestures land mid-tick */

/* Channel 0 (left) and channel 2 (right) each hold one looping tone from
 * row 0 to the end; channel 1 (right) plays a short note every two rows,
 * swung. */
static Song *held_song(void)
{
    Song *s = synth_song(3, ROWS, 125, 6);
    atomic_store(&s->rows_per_beat, 4);
    synth_set_instrument(s, 1, synth_instrument(synth_sine(RATE, 440.0, 2000, 1, 0.5f),
                                                LOOP_OFF, 0, 0, INTERP_LINEAR));
    synth_set_instrument(s, 2, synth_instrument(synth_sine(RATE, 300.0, 160, 1, 0.5f),
                                                LOOP_FORWARD, 0, 160, INTERP_LINEAR));
    synth_put(s, 0, 0, 0, NOTE_C4, 2, E, '8', 0x00);
    synth_put(s, 0, 0, 2, NOTE_C4 + 7, 2, E, '8', 0xFF);
    for (int r = 0; r < ROWS; r += 2)
        synth_put(s, 0, r, 1, (uint8_t)(NOTE_C4 + 12 + r / 2), 1, E, '8', 0xFF);
    /* Swing and an MPC groove: both read the tempo and speed as rows
     * start, so a change must act where Fxx would. */
    atomic_store(&s->swing, 30);
    atomic_store(&s->groove[SONG_GROOVE_SWING], 62);
    atomic_store(&s->groove[SONG_GROOVE_GRID], 16);
    return s;
}

/* What is pressed, and on which frame (a period's first, inside a row). */
typedef struct {
    uint32_t frame;
    int channel; /* a mute switched (-1: a tempo or speed) */
    bool mute;
    int bpm_tenths, speed;
} Gesture;

static const Gesture gestures[] = {
    {28800, -1, false, 1300, 0}, /* 130 BPM as swung row 5 waits to start */
    {30300, 0, true, 0, 0},    /* channel 0's held tone muted in row 5 */
    {48300, -1, false, 1374, 0}, /* 137.4 BPM from the next tick */
    {66000, 0, false, 0, 0},   /* channel 0 heard again */
    {120000, 2, false, 0, 0},  /* channel 2, muted from the start, heard */
    {150000, -1, false, 0, 5}, /* speed 5 from the next row */
    {180000, -1, false, 1100, 0},
    {240000, 0, true, 0, 0},   /* muted again, to the end */
};

/* The performance of `gestures`, channel 2 muted in the mixer before the
 * capture starts; rows[] gets the log. */
static float *perform_mid_row(Song *s, EngineRowLog *rows, int *count, int cap)
{
    atomic_store(&s->strips[2].mute, true);
    Engine *e = engine_new(s, RATE);
    float *out = calloc(2 * (size_t)MID_FRAMES, sizeof *out);
    engine_capture_rows(e, true);
    engine_play_song_now(e, 0, 0, true);
    *count = 0;
    size_t next = 0;
    for (uint32_t at = 0; at < MID_FRAMES; at += MID_BLOCK) {
        for (; next < sizeof gestures / sizeof gestures[0] && gestures[next].frame == at;
             next++) {
            const Gesture *g = &gestures[next];
            if (g->channel >= 0)
                atomic_store(&s->strips[g->channel].mute, g->mute); /* as the mixer does */
            else if (g->bpm_tenths)
                CHECK(engine_send(e, &(EngineCommand){ENGINE_CMD_SET_BPM, g->bpm_tenths, 0, 0,
                                                      NULL}));
            else
                CHECK(engine_send(e, &(EngineCommand){ENGINE_CMD_SET_SPEED, g->speed, 0, 0,
                                                      NULL}));
        }
        engine_render(e, out + 2 * (size_t)at, MID_BLOCK);
        *count = take_rows(e, rows, *count, cap);
    }
    CHECK(next == sizeof gestures / sizeof gestures[0]);
    engine_capture_rows(e, false);
    CHECK(!atomic_load(&engine_status(e)->rows_unlogged));
    engine_free(e);
    return out;
}

/* Whether a pattern from order `first` on has effect `fx` (with
 * later_tick, acting on a tick after the first: its parameter's low
 * digit). */
static bool has_effect(const Song *s, int first, uint8_t fx, bool later_tick)
{
    int mask = later_tick ? 15 : 0xFF;
    for (int o = first; o < atomic_load(&s->order_count); o++) {
        const Pattern *p = song_pattern(s, atomic_load(&s->orders[o]));
        for (int r = 0; p && r < p->rows; r++)
            for (int c = 0; c < p->channels; c++) {
                Cell cell = song_pattern_get(p, r, c);
                if ((cell.fx == fx && (cell.fx_param & mask || !later_tick)) ||
                    (cell.fx2 == fx && (cell.fx2_param & mask || !later_tick)))
                    return true;
            }
    }
    return false;
}

static void gestures_between_rows_render_as_they_were_played(void)
{
    Song *s = held_song();
    EngineRowLog rows[512];
    int count = 0;
    float *live = perform_mid_row(s, rows, &count, 512);
    /* The gestures were heard: the held left tone stops after its mute
     * (within a tick and the declick ramp) and comes back; the right
     * tone, muted from the start, comes in; the changes within rows were
     * logged on their ticks. */
    CHECK(synth_peak(live, 28000, 2000, 0) > 0.4f);
    CHECK(synth_peak(live, 30300 + 2 * TICK, 30000, 0) == 0.0f);
    CHECK(synth_peak(live, 70000, 2000, 0) > 0.4f);
    CHECK(synth_peak(live, 250000, 40000, 0) == 0.0f);
    int changes = 0, tempos = 0;
    for (int i = 1; i < count; i++) {
        changes += rows[i].tick > 0;
        tempos += rows[i].tick > 0 && rows[i].bpm_tenths != rows[i - 1].bpm_tenths;
    }
    /* Most gestures came inside a row (the speed waits for its row). */
    CHECK(changes >= 4 && tempos == 2);
    CHECK(rows[0].tick == 0 && rows[0].audible == 3); /* channel 2 muted as it began */

    Editor *ed = edit_new(s, NULL, NULL);
    int orders_before = atomic_load(&s->order_count);
    bool inexact = true;
    CHECK(edit_capture_arrangement(ed, rows, count, NULL, 0, &inexact) == HISS_OK);
    CHECK(!inexact);
    CHECK(atomic_load(&s->order_count) == orders_before + 2); /* the pattern, twice */
    CHECK(has_effect(s, orders_before, 'O', true) && has_effect(s, orders_before, 'T', true));
    /* The mixer's mutes went into the arrangement. */
    CHECK(!atomic_load(&s->strips[0].mute) && !atomic_load(&s->strips[2].mute));

    float *again = render_from(s, orders_before, MID_FRAMES);
    float diff = max_difference(live, again, 2 * (size_t)MID_FRAMES);
    CHECK(diff == 0.0f);
    if (diff != 0.0f) {
        size_t i = 0;
        while (fabsf(live[i] - again[i]) == 0.0f)
            i++;
        fprintf(stderr, "  largest difference %g, first at frame %zu\n", (double)diff, i / 2);
    }
    /* Undo gives the mixer its mute back with the order list. */
    CHECK(edit_undo(ed) == HISS_OK);
    CHECK(atomic_load(&s->order_count) == orders_before);
    CHECK(atomic_load(&s->strips[0].mute));
    free(again);
    free(live);
    edit_free(ed);
    song_free(s);
}

/* An engine playing `s` from its start, capturing. */
static Engine *capturing_engine(Song *s)
{
    Engine *e = engine_new(s, RATE);
    engine_capture_rows(e, true);
    engine_play_song_now(e, 0, 0, true);
    return e;
}

/* A mute asked for at the bar while rows 5..8 loop: the bar is the
 * loop's start, row 5, which swing starts late; the held tone must go
 * silent where the captured Oxy silences it, after the swing wait. */
static void a_bar_mute_at_a_swung_loop_start_renders_as_played(void)
{
    enum { FRAMES = 20 * ROW };
    Song *s = held_song();
    Engine *e = capturing_engine(s);
    float *live = calloc(2 * (size_t)FRAMES, sizeof *live);
    EngineRowLog rows[64];
    int count = 0;
    CHECK(engine_send(e, &(EngineCommand){ENGINE_CMD_LOOP_ROWS, 5, 8, 0, NULL}));
    for (uint32_t at = 0; at < FRAMES; at += MID_BLOCK) {
        if (at == 6 * ROW + 840) { /* in row 6: channel 0 muted at the bar */
            atomic_store(&s->strips[0].mute, true);
            CHECK(engine_send(e, &(EngineCommand){ENGINE_CMD_HOLD_MUTE, 0, 0, 0, NULL}));
        }
        engine_render(e, live + 2 * (size_t)at, MID_BLOCK);
        count = take_rows(e, rows, count, 64);
    }
    engine_free(e);
    /* Rows 0..8, then the loop: row 5 again is where the mute came. */
    CHECK(count > 12 && rows[9].row == 5 && rows[8].audible == 7 && rows[9].audible == 6);
    CHECK(synth_peak(live, 9 * ROW + ROW / 2, ROW, 0) == 0.0f);

    Editor *ed = edit_new(s, NULL, NULL);
    int first = atomic_load(&s->order_count);
    bool inexact = true;
    CHECK(edit_capture_arrangement(ed, rows, count, NULL, 0, &inexact) == HISS_OK && !inexact);
    check_replay(s, first, live, FRAMES);
    free(live);
    edit_free(ed);
    song_free(s);
}

/* A note jammed on a row whose cell slides (3xx) to a held tone: it
 * played as a new note, and the capture writes it as recording would,
 * without the slide that would make it the held tone's target. */
static void a_jammed_note_over_a_slide_renders_as_played(void)
{
    enum { FRAMES = 8 * ROW };
    Song *s = held_song();
    synth_put(s, 0, 4, 0, NOTE_EMPTY, 0, E, '3', 0x10);
    Engine *e = engine_new(s, RATE);
    float *live = calloc(2 * (size_t)FRAMES, sizeof *live);
    EngineRowLog rows[16];
    EngineTake jam;
    int count = 0, jams = 0;
    engine_capture_rows(e, true);
    engine_play_song_now(e, 0, 0, true);
    for (int row = 0; row < 8; row++) {
        if (row == 4) /* on the row's first frame, after its own cells */
            engine_live_note_now(e, 0, NOTE_C4 + 12,
                                 engine_live_flags(2, E, LIVE_QUANTIZE_OFF, false, false) |
                                     ENGINE_LIVE_JAM,
                                 0);
        synth_render_span(e, live, (uint32_t)row * ROW, (uint32_t)(row + 1) * ROW);
        count = take_rows(e, rows, count, 16);
        jams += jams < 1 && engine_take_recorded(e, &jam);
    }
    engine_free(e);
    CHECK(jams == 1 && jam.row == 4 && jam.channel == 0);
    Editor *ed = edit_new(s, NULL, NULL);
    int first = atomic_load(&s->order_count);
    bool inexact = true;
    CHECK(edit_capture_arrangement(ed, rows, count, &jam, jams, &inexact) == HISS_OK && !inexact);
    float *again = render_from(s, first, FRAMES);
    CHECK(max_difference(live, again, 2 * (size_t)FRAMES) == 0.0f);
    free(again);
    free(live);
    edit_free(ed);
    song_free(s);
}

/* The capture written while the song plays on: the mixer's mutes go into
 * the arrangement and are cleared, yet the song playing keeps them until
 * it gets to the arrangement (sent as the editor sends them,
 * session_hold_mixer_until), which then plays them as captured. */
static void writing_a_capture_while_playing_keeps_the_mixer_mutes(void)
{
    enum { FRAMES = 40 * ROW };
    Song *s = held_song();
    Engine *e = capturing_engine(s);
    float *out = calloc(2 * (size_t)FRAMES, sizeof *out);
    EngineRowLog rows[64];
    int count = 0;
    for (uint32_t at = 0; at < 8 * ROW; at += MID_BLOCK) {
        if (at == 5 * ROW + 300) /* channel 0's held tone muted */
            atomic_store(&s->strips[0].mute, true);
        engine_render(e, out + 2 * (size_t)at, MID_BLOCK);
        count = take_rows(e, rows, count, 64);
    }
    engine_capture_rows(e, false);
    count = take_rows(e, rows, count, 64);
    Editor *ed = edit_new(s, NULL, NULL);
    int first = atomic_load(&s->order_count);
    for (int c = 0; c < SONG_MAX_CHANNELS; c++)
        if (atomic_load(&s->strips[c].mute))
            CHECK(engine_send(e, &(EngineCommand){ENGINE_CMD_HOLD_MUTE, c, 1, first + 1,
                                                  NULL}));
    bool inexact = true;
    CHECK(edit_capture_arrangement(ed, rows, count, NULL, 0, &inexact) == HISS_OK && !inexact);
    CHECK(!atomic_load(&s->strips[0].mute));
    synth_render_span(e, out, 8 * ROW, FRAMES);
    engine_free(e);
    /* Silent through the rest of the pattern, bars included; heard again
     * as the arrangement (the rows before the mute) plays. */
    CHECK(synth_peak(out, 6 * ROW, 24 * ROW, 0) == 0.0f); /* swing: row 32 comes early */
    CHECK(synth_peak(out, 33 * ROW, 2 * ROW, 0) > 0.4f);
    CHECK(synth_peak(out, 39 * ROW, ROW, 0) == 0.0f); /* its Oxy, row 5 on */
    free(out);
    edit_free(ed);
    song_free(s);
}

/* Humanized timing and level and Uxx draw at random, by the rows played:
 * a capture begun long after playback did (and after a stop) must replay
 * the draws heard, not draw again. */
static void humanize_and_probability_replay_as_drawn(void)
{
    enum { FRAMES = 40 * ROW };
    Song *s = performance_song();
    atomic_store(&s->groove[SONG_GROOVE_HUMAN_MS], 15);
    atomic_store(&s->groove[SONG_GROOVE_HUMAN_VEL], 60);
    atomic_store(&s->groove[SONG_GROOVE_SEED], 77);
    for (int p = 0; p < 2; p++)
        for (int r = 0; r < ROWS; r += 4)
            synth_put2(s, p, r, 1, 'U', 0x32); /* channel 1: half of its notes */
    Engine *e = engine_new(s, RATE);
    float *live = calloc(2 * (size_t)FRAMES, sizeof *live);
    float *before = calloc(2 * 8 * (size_t)ROW, sizeof *before);
    engine_play_song_now(e, 1, 5, true); /* rows drawn before the capture */
    synth_render_span(e, before, 0, 7 * ROW);
    engine_play_song_now(e, 0, 2, true); /* played again */
    synth_render_span(e, before, 0, ROW);
    engine_capture_rows(e, true); /* from row 4, two rows on */
    synth_render_span(e, before, ROW, 2 * ROW);
    free(before);
    EngineRowLog rows[64];
    int count = 0;
    for (uint32_t at = 0; at < FRAMES; at += ROW) {
        synth_render_span(e, live, at, at + ROW);
        count = take_rows(e, rows, count, 64);
    }
    engine_free(e);
    CHECK(count == 40 && rows[0].row == 4);

    Editor *ed = edit_new(s, NULL, NULL);
    int first = atomic_load(&s->order_count);
    bool inexact = true;
    CHECK(edit_capture_arrangement(ed, rows, count, NULL, 0, &inexact) == HISS_OK && !inexact);
    /* Some notes of channel 1 were left out, some played (the draws did
     * something), and the replay has the same. */
    int heard = 0;
    for (int r = 0; r < 36; r += 4)
        heard += synth_peak(live, (uint32_t)r * ROW, ROW, 1) > 0.05f; /* its row alone */
    CHECK(heard > 0 && heard < 9);
    check_replay(s, first, live, FRAMES);
    free(live);
    edit_free(ed);
    song_free(s);
}

/* Notes jammed between ticks, rounded to rows as recording would (the
 * row quantize), over swing and a groove: the capture puts each where it
 * was heard, on its tick and (Zxx) the frame within it. */
static void notes_jammed_between_ticks_render_as_played(void)
{
    enum { FRAMES = 307 * MID_BLOCK }; /* 16 rows */
    static const struct {
        uint32_t frame; /* where the note comes */
        int channel;
        bool command; /* sent from the editor: on a period's first frame */
    } jams[] = {
        {2 * ROW + 3 * TICK, 0, true}, /* as row 2's tick 3 starts */
        {3 * ROW + 1234, 2, false},    /* inside a swung row's tick */
        {9 * ROW + 2500, 1, false},
        {12 * ROW + 180, 0, true},
    };
    Song *s = held_song();
    Engine *e = capturing_engine(s);
    float *live = calloc(2 * (size_t)FRAMES, sizeof *live);
    EngineRowLog rows[64];
    EngineTake taken[4];
    int count = 0, taken_count = 0;
    size_t next = 0;
    int flags = engine_live_flags(1, E, LIVE_QUANTIZE_ROW, false, false) | ENGINE_LIVE_JAM;
    for (uint32_t at = 0; at < FRAMES; at += MID_BLOCK) {
        for (; next < sizeof jams / sizeof jams[0] && jams[next].frame < at + MID_BLOCK; next++) {
            int note = NOTE_C4 + 3 * (int)next;
            if (jams[next].command)
                CHECK(jams[next].frame == at &&
                      engine_send(e, &(EngineCommand){ENGINE_CMD_LIVE_NOTE, jams[next].channel,
                                                      note, flags, NULL}));
            else
                engine_live_note_now(e, jams[next].channel, note, flags, jams[next].frame - at);
        }
        engine_render(e, live + 2 * (size_t)at, MID_BLOCK);
        count = take_rows(e, rows, count, 64);
        while (taken_count < 4 && engine_take_recorded(e, &taken[taken_count]))
            taken_count++;
    }
    engine_free(e);
    CHECK(taken_count == 4);
    /* Each jam was heard from (about) its frame: the third on the right,
     * where channel 1's own notes are two rows apart. */
    CHECK(synth_peak(live, 9 * ROW + 2500 + 16, 1000, 1) > 0.3f);

    Editor *ed = edit_new(s, NULL, NULL);
    int first = atomic_load(&s->order_count);
    bool inexact = true;
    CHECK(edit_capture_arrangement(ed, rows, count, taken, taken_count, &inexact) == HISS_OK &&
          !inexact);
    CHECK(has_effect(s, first, 'Z', false));
    check_replay(s, first, live, FRAMES);
    free(live);
    edit_free(ed);
    song_free(s);
}

/* Fader and balance moves while capturing (as the mixer makes them: the
 * song's strips, between periods) over held tones, channel 1 turned down
 * before the capture: the arrangement (Oxy move pairs) plays them on the tick they
 * were heard, whatever the mixer ends with. */
static void fader_and_balance_moves_render_as_played(void)
{
    static const struct {
        uint32_t frame;
        int channel;
        bool balance;
        int value;
    } moves[] = {
        {30300, 1, false, -120}, {50100, 2, true, -60}, {99900, 0, false, 30},
        {150000, 2, true, 0},    {200100, 0, false, 0}, {240000, 1, false, -45},
    };
    Song *s = held_song();
    synth_put(s, 0, 0, 1, NOTE_C4 + 12, 1, E, 0, 0); /* room for a move pair on its first row */
    atomic_store(&s->strips[1].gain_tenth_db, -60);
    Engine *e = capturing_engine(s);
    float *live = calloc(2 * (size_t)MID_FRAMES, sizeof *live);
    EngineRowLog rows[512];
    int count = 0;
    size_t next = 0;
    for (uint32_t at = 0; at < MID_FRAMES; at += MID_BLOCK) {
        for (; next < sizeof moves / sizeof moves[0] && moves[next].frame == at; next++) {
            SongStrip *st = &s->strips[moves[next].channel];
            if (moves[next].balance)
                atomic_store(&st->pan, moves[next].value);
            else
                atomic_store(&st->gain_tenth_db, moves[next].value);
        }
        engine_render(e, live + 2 * (size_t)at, MID_BLOCK);
        count = take_rows(e, rows, count, 512);
    }
    CHECK(next == sizeof moves / sizeof moves[0]);
    engine_free(e);
    /* The moves were heard: channel 1 down to -12 dB, then at -4.5. */
    CHECK(synth_peak(live, 6 * ROW, 200, 1) < synth_peak(live, 2 * ROW, 200, 1));

    Editor *ed = edit_new(s, NULL, NULL);
    int first = atomic_load(&s->order_count);
    bool inexact = true;
    CHECK(edit_capture_arrangement(ed, rows, count, NULL, 0, &inexact) == HISS_OK && !inexact);
    CHECK(has_effect(s, first, 'O', false) /* no mutes: the moves */);
    check_replay(s, first, live, MID_FRAMES);
    free(live);
    edit_free(ed);
    song_free(s);
}

/* A pre-fader send is taken before the fader heard: under a pattern's
 * fader pair, the same as under the strip's own fader at that level. */
static void a_pre_fader_send_under_a_fader_pair(void)
{
    enum { FRAMES = 8 * ROW };
    float *out[2];
    for (int pair = 0; pair < 2; pair++) {
        Song *s = synth_song(1, ROWS, 125, 6);
        synth_set_instrument(s, 1, synth_instrument(synth_sine(RATE, 300.0, 160, 1, 0.5f),
                                                    LOOP_FORWARD, 0, 160, INTERP_LINEAR));
        synth_put(s, 0, 1, 0, NOTE_C4, 1, E, 0, 0); /* after the send's first ramp */
        SongStrip *st = &s->strips[0];
        atomic_store(&st->send_tenth_db[0], 0);
        atomic_store(&st->send_pre[0], true);
        atomic_store(&st->gain_tenth_db, pair ? -200 : 0);
        uint8_t param[2];
        if (pair) { /* 0 dB from row 0, over the strip's -20 */
            CHECK(engine_move_encode(ENGINE_MOVE_FADER, 0, 0, param));
            synth_put(s, 0, 0, 0, NOTE_EMPTY, 0, E, 'O', param[0]);
            synth_put2(s, 0, 0, 0, 'O', param[1]);
        }
        out[pair] = render_from(s, 0, FRAMES);
        song_free(s);
    }
    /* The tone sounds, dry and through the send's delay. */
    CHECK(synth_peak(out[0], 5 * ROW, 3 * ROW, 0) > 0.1f);
    CHECK(max_difference(out[0], out[1], 2 * (size_t)FRAMES) == 0.0f);
    free(out[0]);
    free(out[1]);
}

/* Capture turned on inside a beat begins with the next beat's row. */
static void a_capture_starts_on_a_beat(void)
{
    Song *s = performance_song();
    Engine *e = engine_new(s, RATE);
    engine_play_song_now(e, 0, 0, true);
    float *out = calloc(2 * 8 * (size_t)ROW, sizeof *out);
    synth_render_span(e, out, 0, 2 * ROW + 100); /* into row 2 */
    engine_capture_rows(e, true);
    synth_render_span(e, out, 2 * ROW + 100, 8 * ROW);
    EngineRowLog rows[8];
    int count = take_rows(e, rows, 0, 8);
    CHECK(count == 4 && rows[0].row == 4 && rows[0].tick == 0 && rows[3].row == 7);
    engine_free(e);
    free(out);
    song_free(s);
}

/* A new engine (a rate change) takes the capture over: every row is
 * logged once, those the old engine logged and nobody took included. */
static void a_capture_goes_on_in_a_new_engine(void)
{
    Song *s = performance_song();
    Engine *e = engine_new(s, RATE);
    engine_capture_rows(e, true);
    engine_play_song_now(e, 0, 0, true);
    float *out = calloc(2 * 10 * (size_t)ROW, sizeof *out);
    synth_render_span(e, out, 0, 10 * ROW);
    Engine *next = engine_new(s, RATE);
    engine_hand_over(e, next);
    engine_free(e);
    synth_render_span(next, out, 0, 10 * ROW);
    EngineRowLog rows[32];
    int count = take_rows(next, rows, 0, 32);
    CHECK(count == 20 && !atomic_load(&engine_status(next)->rows_unlogged));
    for (int i = 0; i < count; i++)
        CHECK_MSG(rows[i].row == i && rows[i].tick == 0, "log %d: row %d", i, rows[i].row);
    engine_free(next);
    free(out);
    song_free(s);
}

static void nothing_captured_changes_nothing(void)
{
    Song *s = performance_song();
    Editor *ed = edit_new(s, NULL, NULL);
    bool inexact = false;
    CHECK(edit_capture_arrangement(ed, NULL, 0, NULL, 0, &inexact) == HISS_ERR_MISSING);
    CHECK(atomic_load(&s->order_count) == 2);
    CHECK(!edit_can_undo(ed));
    edit_free(ed);
    song_free(s);
}


/* A jam on a row that has its own note on that channel, after the row's
 * first tick: both cannot go in one cell. A jammed release keeps the
 * row's note and cuts it on the release's tick (ECx); a jammed note
 * replaces it. Neither is sample-exact, and the capture says so. */
static void a_jam_over_a_rows_own_note_keeps_it_or_says_so(void)
{
    enum { FRAMES = 12 * ROW / MID_BLOCK * MID_BLOCK };
    static const uint32_t release_at = 4 * ROW + 3 * TICK + 100; /* row 4, tick 3 */
    static const uint32_t note_at = 8 * ROW + 2 * TICK + 100;    /* row 8, tick 2 */
    Song *s = synth_song(2, ROWS, 125, 6);
    synth_set_instrument(s, 1, synth_instrument(synth_sine(RATE, 440.0, 4 * ROW, 1, 0.5f),
                                                LOOP_OFF, 0, 0, INTERP_LINEAR));
    for (int r = 0; r < ROWS; r += 4)
        synth_put(s, 0, r, 0, NOTE_C4, 1, E, 0, 0);
    Engine *e = capturing_engine(s);
    float *live = calloc(2 * (size_t)FRAMES, sizeof *live);
    EngineRowLog rows[64];
    EngineTake taken[2];
    int count = 0, taken_count = 0;
    int flags = engine_live_flags(1, E, LIVE_QUANTIZE_OFF, false, false) | ENGINE_LIVE_JAM;
    for (uint32_t at = 0; at < FRAMES; at += MID_BLOCK) {
        if (release_at >= at && release_at < at + MID_BLOCK)
            engine_live_note_now(e, 0, NOTE_OFF, flags, release_at - at);
        if (note_at >= at && note_at < at + MID_BLOCK)
            engine_live_note_now(e, 0, NOTE_C4 + 7, flags, note_at - at);
        engine_render(e, live + 2 * (size_t)at, MID_BLOCK);
        count = take_rows(e, rows, count, 64);
        while (taken_count < 2 && engine_take_recorded(e, &taken[taken_count]))
            taken_count++;
    }
    engine_free(e);
    CHECK(taken_count == 2);
    /* Live, row 4's note sounded until the release. */
    CHECK(synth_peak(live, 4 * ROW + TICK, TICK, 0) > 0.3f);

    Editor *ed = edit_new(s, NULL, NULL);
    int first = atomic_load(&s->order_count);
    bool inexact = false;
    CHECK(edit_capture_arrangement(ed, rows, count, taken, taken_count, &inexact) == HISS_OK);
    CHECK(inexact);
    const Pattern *p = song_pattern(s, atomic_load(&s->orders[first]));
    CHECK(p != NULL);
    if (p) {
        Cell released = song_pattern_get(p, 4, 0);
        CHECK(released.note == NOTE_C4);
        CHECK((released.fx == 'E' && released.fx_param == 0xC3) ||
              (released.fx2 == 'E' && released.fx2_param == 0xC3));
        CHECK(song_pattern_get(p, 8, 0).note == NOTE_C4 + 7);
    }
    /* The arrangement keeps row 4's note, heard until the cut. */
    float *again = render_from(s, first, FRAMES);
    CHECK(synth_peak(again, 4 * ROW + TICK, TICK, 0) > 0.3f);
    CHECK(synth_peak(again, 4 * ROW + 3 * TICK + 600, TICK, 0) < 0.01f);
    free(again);
    free(live);
    edit_free(ed);
    song_free(s);
}

/* A row too full for its changes (channel 1 a fader pair, channel 2 a
 * mute, then a tempo within the row and channel 1's mute): those that
 * found no room come on the next row's first tick, late but kept, and
 * the capture says it is not exact. */
static void changes_with_no_room_come_on_the_next_row(void)
{
    Song *s = synth_song(2, 4, 125, 6);
    atomic_store(&s->strips[0].gain_tenth_db, -160);
    const int loud[ENGINE_MOVES] = {-150, 0}, soft[ENGINE_MOVES] = {-160, 0};
    EngineRowLog rows[7];
    for (int i = 0; i < 7; i++)
        rows[i] = (EngineRowLog){.pattern = 0, .bpm_tenths = 1250, .speed = 6, .audible = 3};
    rows[1].row = rows[2].row = rows[3].row = rows[4].row = 1;
    rows[2].tick = 1; /* channel 1's fader, both of its columns */
    rows[2].moved = 1;
    memcpy(rows[2].was, loud, sizeof loud);
    memcpy(rows[2].move, soft, sizeof soft);
    rows[3].tick = 2; /* channel 2 out, one of its columns */
    rows[3].audible = 1;
    rows[4].tick = 3; /* 126 BPM and channel 1 out: no room left */
    rows[4].audible = 0;
    rows[4].bpm_tenths = 1260;
    rows[5].row = 2;
    rows[6].row = 3;
    rows[5].audible = rows[6].audible = 0;
    rows[5].bpm_tenths = rows[6].bpm_tenths = 1260;
    for (int i = 0; i < 7; i++)
        rows[i].count = (uint64_t)rows[i].row + 1;
    Editor *ed = edit_new(s, NULL, NULL);
    int first = atomic_load(&s->order_count);
    bool inexact = false;
    CHECK(edit_capture_arrangement(ed, rows, 7, NULL, 0, &inexact) == HISS_OK && inexact);
    const Pattern *p = song_pattern(s, atomic_load(&s->orders[first]));
    CHECK(p && p->rows == 4);
    if (p) {
        Cell late = song_pattern_get(p, 2, 0);
        CHECK(late.fx == 'O' && late.fx_param == 0x10); /* channel 1 out on tick 0 */
        CHECK(late.fx2 == 'F' && late.fx2_param == 126);
        Cell kept = song_pattern_get(p, 1, 1);
        CHECK(kept.fx == 'O' && kept.fx_param == 0x12);
    }
    edit_free(ed);
    song_free(s);
}

int main(void)
{
    RUN(a_captured_jam_renders_as_it_was_played);
    RUN(gestures_between_rows_render_as_they_were_played);
    RUN(a_bar_mute_at_a_swung_loop_start_renders_as_played);
    RUN(a_jammed_note_over_a_slide_renders_as_played);
    RUN(writing_a_capture_while_playing_keeps_the_mixer_mutes);
    RUN(humanize_and_probability_replay_as_drawn);
    RUN(notes_jammed_between_ticks_render_as_played);
    RUN(fader_and_balance_moves_render_as_played);
    RUN(a_pre_fader_send_under_a_fader_pair);
    RUN(a_capture_starts_on_a_beat);
    RUN(a_capture_goes_on_in_a_new_engine);
    RUN(nothing_captured_changes_nothing);
    RUN(a_jam_over_a_rows_own_note_keeps_it_or_says_so);
    RUN(changes_with_no_room_come_on_the_next_row);
    return test_finish();
}
