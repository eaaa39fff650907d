/* Live recording: notes played while the song runs land on the row the
 * quantize setting rounds them to, and sound once (the live note now; the
 * written copy from the next pass on). Everything is measured on the
 * rendered audio of the engine, with the take written as the editor
 * writes it. */
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
#define ROWS 16
#define PASS (ROWS * ROW)
#define BURST 200u /* frames of the test sound: a short DC burst */
/* A note's first frame is the declick ramp's zero: it is heard from the
 * next one. */
#define HEARD(frame) ((frame) + 1)

static Song *burst_song(int rows_per_beat)
{
    Song *s = synth_song(1, ROWS, 125, 6);
    atomic_store(&s->rows_per_beat, rows_per_beat);
    synth_set_instrument(s, 1, synth_instrument(synth_dc(RATE, BURST, 0.5f),
                                                LOOP_OFF, 0, 0, INTERP_LINEAR));
    return s;
}

static void render_span(Engine *e, float *out, uint32_t from, uint32_t to)
{
    while (from < to) {
        uint32_t n = to - from > 256 ? 256 : to - from;
        engine_render(e, out + 2 * (size_t)from, n);
        from += n;
    }
}

/* First frame of each burst in [0, frames). */
static int onsets(const float *out, uint32_t frames, uint32_t *at, int max)
{
    int n = 0;
    uint32_t quiet = 1000;
    for (uint32_t i = 0; i < frames; i++) {
        bool loud = fabsf(out[2 * i]) > 0.01f;
        if (loud && quiet >= 1000 && n < max)
            at[n++] = i;
        quiet = loud ? 0 : quiet + 1;
    }
    return n;
}

/* Plays the one-pattern song looping, feeds a live note at `frame`,
 * writes its take into the pattern at once (as the editor does), renders
 * two passes and returns the onsets heard. *take gets the take. */
static int take_and_listen(Song *s, uint32_t frame, LiveQuantize mode, bool feel,
                           EngineTake *take, uint32_t *at, int max)
{
    Engine *e = engine_new(s, RATE);
    engine_play_song_now(e, 0, 0, true);
    uint32_t frames = 2 * PASS;
    float *out = calloc(2 * (size_t)frames, sizeof *out);
    render_span(e, out, 0, frame);
    EngineCommand cmd = {ENGINE_CMD_LIVE_NOTE, 0, NOTE_C4,
                         engine_live_flags(1, 64, mode, true, feel), NULL};
    CHECK(engine_send(e, &cmd));
    render_span(e, out, frame, frame + 64);
    bool got = engine_take_recorded(e, take);
    CHECK(got);
    if (got)
        song_pattern_set(song_pattern(s, take->pattern), take->row,
                         take->channel, take->cell);
    CHECK(!engine_take_recorded(e, take) || !got);
    render_span(e, out, frame + 64, frames);
    int n = onsets(out, frames, at, max);
    free(out);
    engine_free(e);
    return n;
}

static void notes_within_half_a_row_land_on_the_row_and_sound_once(void)
{
    /* Offsets from row 4's first frame: late in row 3 rounds forward,
     * early in row 4 stays; every one belongs to row 4. */
    const double offsets[] = {-0.49, -0.3, -0.05, 0.0, 0.05, 0.3, 0.49};
    for (size_t i = 0; i < HISS_ARRAY_LEN(offsets); i++) {
        Song *s = burst_song(4);
        uint32_t frame = (uint32_t)lround(4 * ROW + offsets[i] * ROW);
        EngineTake take;
        uint32_t at[8];
        int n = take_and_listen(s, frame, LIVE_QUANTIZE_ROW, false, &take, at, 8);
        CHECK_MSG(take.row == 4 && take.pattern == 0 && take.cell.note == NOTE_C4 &&
                      take.cell.instrument == 1 && take.cell.volume == 64,
                  "offset %.2f: row %d", offsets[i], take.row);
        /* Once live, where it was played; once on the next pass, on row 4. */
        CHECK_MSG(n == 2, "offset %.2f: %d onsets", offsets[i], n);
        if (n == 2) {
            CHECK_MSG(at[0] == HEARD(frame), "offset %.2f: live at %u",
                      offsets[i], at[0]);
            CHECK_MSG(at[1] == HEARD(PASS + 4 * ROW), "offset %.2f: written at %u",
                      offsets[i], at[1]);
        }
        song_free(s);
    }
}

static void beat_quantize_rounds_to_the_nearest_beat(void)
{
    /* 4 rows per beat: 6.6 rows rounds forward to row 8, 5.2 back to 4. */
    struct { double rows; int row; } cases[] = {{6.6, 8}, {5.2, 4}, {1.9, 0}, {13.9, 12}};
    for (size_t i = 0; i < HISS_ARRAY_LEN(cases); i++) {
        Song *s = burst_song(4);
        uint32_t frame = (uint32_t)lround(cases[i].rows * ROW);
        EngineTake take;
        uint32_t at[8];
        int n = take_and_listen(s, frame, LIVE_QUANTIZE_BEAT, false, &take, at, 8);
        CHECK_MSG(take.row == cases[i].row, "%.1f rows: row %d", cases[i].rows, take.row);
        CHECK_MSG(n == 2, "%.1f rows: %d onsets", cases[i].rows, n);
        if (n == 2)
            CHECK_MSG(at[1] == HEARD(PASS + (uint32_t)cases[i].row * ROW),
                      "%.1f rows: written at %u", cases[i].rows, at[1]);
        song_free(s);
    }
}

static void a_beat_past_the_end_is_the_next_pass_first_row(void)
{
    /* 15.2 rows rounds to row 16: row 0 of the next pass, which then
     * skips its written copy, so two passes hear the note once. */
    Song *s = burst_song(4);
    uint32_t frame = (uint32_t)lround(15.2 * ROW);
    EngineTake take;
    uint32_t at[8];
    int n = take_and_listen(s, frame, LIVE_QUANTIZE_BEAT, false, &take, at, 8);
    CHECK(take.row == 0 && take.pattern == 0);
    CHECK_MSG(n == 1 && at[0] == HEARD(frame), "%d onsets", n);
    song_free(s);
}

static void the_feel_keeps_the_missed_ticks_as_a_note_delay(void)
{
    /* Quantize off: 2.5 ticks into row 5 stays on row 5 with ED2, so the
     * next pass plays it two ticks late. */
    Song *s = burst_song(4);
    uint32_t frame = 5 * ROW + 5 * TICK / 2;
    EngineTake take;
    uint32_t at[8];
    int n = take_and_listen(s, frame, LIVE_QUANTIZE_OFF, true, &take, at, 8);
    CHECK(take.row == 5 && take.cell.fx == 'E' && take.cell.fx_param == 0xD2);
    CHECK(n == 2);
    if (n == 2)
        CHECK_MSG(at[1] == HEARD(PASS + 5 * ROW + 2 * TICK), "written at %u", at[1]);
    song_free(s);
}

static void a_note_rounded_past_the_pattern_end_goes_to_the_next_order(void)
{
    /* Song mode with two orders: late in pattern 0's last row, the note
     * belongs to pattern 1's first row. */
    Song *s = burst_song(4);
    synth_add_pattern(s, 1, ROWS);
    Engine *e = engine_new(s, RATE);
    engine_play_song_now(e, 0, 0, true);
    float *out = calloc(2 * (size_t)PASS, sizeof *out);
    uint32_t frame = PASS - ROW / 4;
    render_span(e, out, 0, frame);
    EngineCommand cmd = {ENGINE_CMD_LIVE_NOTE, 0, NOTE_C4,
                         engine_live_flags(1, E, LIVE_QUANTIZE_ROW, true, false), NULL};
    CHECK(engine_send(e, &cmd));
    render_span(e, out, frame, frame + 64);
    EngineTake take;
    CHECK(engine_take_recorded(e, &take));
    CHECK(take.pattern == 1 && take.row == 0 && take.cell.volume == E);
    free(out);
    engine_free(e);
    song_free(s);
}

/* Plays `note` live at `frame` (engine_live_note_now, as MIDI input does
 * on the audio thread before the period renders), recording with row quantize, and writes its take
 * into the song; the take's row, or -1 when none came. */
static int live_at(Engine *e, Song *s, float *out, uint32_t *done, uint32_t frame, int note)
{
    render_span(e, out, *done, frame);
    *done = frame;
    engine_live_note_now(e, 0, note, engine_live_flags(1, 64, LIVE_QUANTIZE_ROW, true, false), 0);
    render_span(e, out, frame, frame + 64); /* it plays as this period starts */
    *done = frame + 64;
    EngineTake take;
    if (!engine_take_recorded(e, &take))
        return -1;
    CHECK(take.cell.note == note);
    song_pattern_set(song_pattern(s, take.pattern), take.row, take.channel, take.cell);
    return take.row;
}

/* A held note's release is recorded too, rounded like the notes, so the
 * take plays each note as long as it was held; a release rounded onto its
 * own note's row goes on the row after instead of erasing the note. */
static void a_release_is_written_and_kept_off_its_note(void)
{
    Song *s = synth_song(1, ROWS, 125, 6);
    synth_set_instrument(s, 1, synth_instrument(synth_dc(RATE, 4 * PASS, 0.5f),
                                                LOOP_OFF, 0, 0, INTERP_LINEAR));
    Engine *e = engine_new(s, RATE);
    engine_play_song_now(e, 0, 0, true);
    uint32_t frames = 2 * PASS, done = 0;
    float *out = calloc(2 * (size_t)frames, sizeof *out);
    CHECK(live_at(e, s, out, &done, 4 * ROW + 100, NOTE_C4) == 4);
    CHECK(live_at(e, s, out, &done, 4 * ROW + ROW / 3, NOTE_OFF) == 5);
    CHECK(live_at(e, s, out, &done, 8 * ROW + 100, NOTE_C4) == 8);
    CHECK(live_at(e, s, out, &done, 10 * ROW + ROW / 5, NOTE_OFF) == 10);
    render_span(e, out, done, frames);
    /* The next pass plays the take from the pattern: rows 4 and 8..9. */
    struct { uint32_t row_tenths; bool loud; } heard[] = {
        {35, false}, {45, true}, {65, false}, {85, true}, {95, true}, {110, false},
    };
    for (size_t i = 0; i < HISS_ARRAY_LEN(heard); i++) {
        uint32_t at = PASS + heard[i].row_tenths * ROW / 10;
        float peak = synth_peak(out, at, 256, 0);
        CHECK_MSG((peak > 0.4f) == heard[i].loud, "row %u.%u: peak %.3f",
                  heard[i].row_tenths / 10, heard[i].row_tenths % 10, peak);
    }
    free(out);
    engine_free(e);
    song_free(s);
}

/* Uxx: a note on every one of 64 rows, each with a chance of xx percent,
 * counted on the rendered audio. The same song renders the same whatever
 * the block size; the share heard follows xx. */
static int notes_heard_at_chance(int chance, uint32_t block, float **keep)
{
    enum { N = 64 };
    Song *s = synth_song(1, N, 125, 6);
    synth_set_instrument(s, 1, synth_instrument(synth_dc(RATE, BURST, 0.5f), LOOP_OFF, 0, 0,
                                                INTERP_LINEAR));
    for (int r = 0; r < N; r++)
        synth_put(s, 0, r, 0, NOTE_C4, 1, E, chance ? 'U' : 0, (uint8_t)chance);
    uint32_t frames = N * ROW;
    float *out = synth_render(s, RATE, frames, block);
    uint32_t at[N];
    int n = onsets(out, frames, at, N);
    if (keep)
        *keep = out;
    else
        free(out);
    song_free(s);
    return n;
}

static void note_probability_plays_its_share(void)
{
    float *a = NULL, *b = NULL;
    int half = notes_heard_at_chance(0x32, 64, &a);
    CHECK_MSG(half >= 20 && half <= 44, "U32 (50%%): %d of 64 heard", half);
    CHECK(notes_heard_at_chance(0x32, 1000, &b) == half);
    CHECK(a && b && memcmp(a, b, sizeof(float) * 2 * 64 * ROW) == 0);
    free(a);
    free(b);
    CHECK(notes_heard_at_chance(0, 64, NULL) == 64);
    CHECK(notes_heard_at_chance(0x64, 64, NULL) == 64);
    int rare = notes_heard_at_chance(0x05, 64, NULL);
    CHECK_MSG(rare <= 10, "U05 (5%%): %d of 64 heard", rare);
    int most = notes_heard_at_chance(0x5A, 64, NULL);
    CHECK_MSG(most >= 50 && most < 64, "U5A (90%%): %d of 64 heard", most);
}

static void jamming_without_record_writes_nothing(void)
{
    Song *s = burst_song(4);
    Engine *e = engine_new(s, RATE);
    engine_play_song_now(e, 0, 0, true);
    float out[2 * 512];
    engine_render(e, out, 512);
    EngineCommand cmd = {ENGINE_CMD_LIVE_NOTE, 0, NOTE_C4,
                         engine_live_flags(1, 64, LIVE_QUANTIZE_ROW, false, false), NULL};
    CHECK(engine_send(e, &cmd));
    engine_render(e, out, 512);
    CHECK(synth_peak(out, 0, 512, 0) > 0.4f); /* it plays */
    EngineTake take;
    CHECK(!engine_take_recorded(e, &take));
    engine_free(e);
    song_free(s);
}

/* With record off and jam on, a note comes back as a jam take: where
 * recording would put it and on which row it came, with the pattern's
 * own note on that row still played (nothing is written, so nothing is
 * skipped). */
static void jam_notes_come_back_and_skip_nothing(void)
{
    Song *s = burst_song(4);
    synth_put(s, 0, 4, 0, NOTE_C4, 1, 64, 0, 0);
    Engine *e = engine_new(s, RATE);
    engine_play_song_now(e, 0, 0, true);
    uint32_t frames = PASS, frame = (uint32_t)lround(3.7 * ROW);
    float *out = calloc(2 * (size_t)frames, sizeof *out);
    render_span(e, out, 0, frame);
    EngineCommand cmd = {ENGINE_CMD_LIVE_NOTE, 0, NOTE_C4,
                         engine_live_flags(1, 64, LIVE_QUANTIZE_ROW, false, false) |
                             ENGINE_LIVE_JAM,
                         NULL};
    CHECK(engine_send(e, &cmd));
    render_span(e, out, frame, frames);
    EngineTake take;
    CHECK(engine_take_recorded(e, &take));
    CHECK_MSG(take.jam && take.row == 4 && take.pattern == 0 && take.cell.note == NOTE_C4,
              "jam %d row %d", take.jam, take.row);
    CHECK_MSG(take.when == 4, "came on the row counted %llu (row 3 is the 4th)",
              (unsigned long long)take.when);
    uint32_t at[4];
    int n = onsets(out, frames, at, 4);
    CHECK_MSG(n == 2 && at[0] == HEARD(frame) && at[1] == HEARD(4 * ROW),
              "%d onsets, at %u and %u", n, at[0], n > 1 ? at[1] : 0);
    free(out);
    engine_free(e);
    song_free(s);
}

/* A recorded note over a cell keeps the cell's other effects, but not
 * one that would move, cut, skip or reslide that note: it sounds where
 * it was played. */
static void a_recorded_note_drops_effects_that_move_it(void)
{
    Song *s = burst_song(4);
    Editor *ed = edit_new(s, NULL, NULL);
    Pattern *p = song_pattern(s, 0);
    Cell take = song_cell_empty();
    take.note = NOTE_C4;
    take.instrument = 1;
    static const struct {
        uint8_t fx, param;
        bool kept;
    } OLD[] = {{'E', 0xD2, false}, {'E', 0xC3, false}, {'3', 0x10, false}, {'9', 0x08, false},
               {'U', 0x40, false}, {'E', 0x11, true},  {'A', 0x0F, true}};
    for (int i = 0; i < (int)(sizeof OLD / sizeof OLD[0]); i++) {
        Cell old = song_cell_empty();
        old.note = NOTE_C4 + 4;
        old.fx = OLD[i].fx;
        old.fx_param = OLD[i].param;
        old.fx2 = OLD[i].fx;
        old.fx2_param = OLD[i].param;
        song_pattern_set(p, i, 0, old);
        CHECK(edit_record_cell(ed, 0, i, 0, take) == HISS_OK);
        Cell c = song_pattern_get(p, i, 0);
        bool kept = c.fx == OLD[i].fx && c.fx_param == OLD[i].param;
        bool kept2 = c.fx2 == OLD[i].fx && c.fx2_param == OLD[i].param;
        CHECK_MSG(c.note == NOTE_C4 && kept == OLD[i].kept && kept2 == OLD[i].kept,
                  "%c%02X under a recorded note: %s", OLD[i].fx, OLD[i].param,
                  kept ? "kept" : "dropped");
    }
    edit_record_end_pass(ed);
    edit_free(ed);
    song_free(s);
}

static void a_recording_pass_is_one_undo_step(void)
{
    Song *s = burst_song(4);
    Editor *ed = edit_new(s, NULL, NULL);
    Cell take = song_cell_empty();
    take.note = NOTE_C4;
    take.instrument = 1;
    take.fx = 'E';
    take.fx_param = 0xD2;
    Pattern *p = song_pattern(s, 0);
    Cell old = song_pattern_get(p, 3, 0);
    old.fx2 = 'P';
    old.fx2_param = 0x40;
    song_pattern_set(p, 3, 0, old);
    CHECK(edit_record_cell(ed, 0, 3, 0, take) == HISS_OK);
    take.note = NOTE_C4 + 2;
    take.fx = 0;
    CHECK(edit_record_cell(ed, 0, 7, 0, take) == HISS_OK);
    CHECK(edit_record_cell(ed, 0, 99, 0, take) == HISS_ERR_RANGE);
    CHECK(edit_record_cell(ed, 5, 0, 0, take) == HISS_ERR_MISSING);
    /* Written at once, for the next pass to play; overdub keeps the rest. */
    Cell c3 = song_pattern_get(p, 3, 0);
    CHECK(c3.note == NOTE_C4 && c3.fx == 'E' && c3.fx_param == 0xD2 && c3.fx2 == 'P');
    CHECK(song_pattern_get(p, 7, 0).note == NOTE_C4 + 2);
    CHECK(edit_record_pass_open(ed));
    edit_record_end_pass(ed);
    CHECK(!edit_record_pass_open(ed));
    CHECK(edit_record_clear(ed, 0, 7, 0) == HISS_OK); /* a second pass */
    CHECK(song_pattern_get(p, 7, 0).note == NOTE_EMPTY);
    CHECK(edit_undo(ed) == HISS_OK); /* closes and undoes the second pass */
    CHECK(song_pattern_get(p, 7, 0).note == NOTE_C4 + 2);
    CHECK(edit_undo(ed) == HISS_OK); /* the whole first pass */
    CHECK(song_pattern_get(p, 3, 0).note == NOTE_EMPTY);
    CHECK(song_pattern_get(p, 3, 0).fx2 == 'P');
    CHECK(song_pattern_get(p, 7, 0).note == NOTE_EMPTY);
    CHECK(!edit_can_undo(ed));
    edit_free(ed);
    song_free(s);
}

static void quantize_offsets(void)
{
    CHECK(live_quantize_offset(LIVE_QUANTIZE_OFF, 3, 0.9, 4) == 0);
    CHECK(live_quantize_offset(LIVE_QUANTIZE_ROW, 3, 0.49, 4) == 0);
    CHECK(live_quantize_offset(LIVE_QUANTIZE_ROW, 3, 0.5, 4) == 1);
    CHECK(live_quantize_offset(LIVE_QUANTIZE_ROW, 3, -0.2, 4) == 0);
    CHECK(live_quantize_offset(LIVE_QUANTIZE_BEAT, 5, 0.9, 4) == -1);
    CHECK(live_quantize_offset(LIVE_QUANTIZE_BEAT, 6, 0.0, 4) == 2);
    CHECK(live_quantize_offset(LIVE_QUANTIZE_BEAT, 2, 0.0, 3) == 1);
    CHECK_STR(live_quantize_name(LIVE_QUANTIZE_BEAT), "beat");
}

int main(void)
{
    RUN(notes_within_half_a_row_land_on_the_row_and_sound_once);
    RUN(beat_quantize_rounds_to_the_nearest_beat);
    RUN(a_beat_past_the_end_is_the_next_pass_first_row);
    RUN(the_feel_keeps_the_missed_ticks_as_a_note_delay);
    RUN(a_note_rounded_past_the_pattern_end_goes_to_the_next_order);
    RUN(a_release_is_written_and_kept_off_its_note);
    RUN(note_probability_plays_its_share);
    RUN(jamming_without_record_writes_nothing);
    RUN(jam_notes_come_back_and_skip_nothing);
    RUN(a_recording_pass_is_one_undo_step);
    RUN(a_recorded_note_drops_effects_that_move_it);
    RUN(quantize_offsets);
    return test_finish();
}
