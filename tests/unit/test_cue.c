/* Performing: a cue taking over at the next bar, beat or pattern end
 * (landing on that row's exact frame), cancelled cues, mutes and solos
 * that wait for the bar, and a loop of a few rows. Measured on the
 * rendered audio. */
#include <stdlib.h>

#include "common/synth_song.h"
#include "engine.h"
#include "test.h"

#define E VOLUME_EMPTY
#define RATE 48000u
#define TICK 960u /* 125 BPM */
#define ROW (6 * TICK)
#define ROWS 64
#define BAR (16 * ROW) /* 4 rows a beat, 4 beats a bar */
/* A note's first frame is the declick ramp's zero. */
#define HEARD(frame) ((frame) + 1)

/* Orders 0 and 1 play patterns 0 (silent) and 1 (a burst on its first
 * row, on channel 0). */
static Song *two_patterns(void)
{
    Song *s = synth_song(2, ROWS, 125, 6);
    atomic_store(&s->rows_per_beat, 4);
    synth_set_instrument(s, 1, synth_instrument(synth_dc(RATE, 200, 0.5f),
                                                LOOP_OFF, 0, 0, INTERP_LINEAR));
    synth_add_pattern(s, 1, ROWS);
    synth_put(s, 1, 0, 0, NOTE_C4, 1, E, 0, 0);
    return s;
}

static void send(Engine *e, EngineCommandType type, int a, int b, int c)
{
    EngineCommand cmd = {type, a, b, c, NULL};
    CHECK(engine_send(e, &cmd));
}

/* Cues order 1 at frame `at` (then cancels it at `cancel` when not 0) and
 * returns the first frame heard; *cue_seen is the cue the status shows
 * just after, *cue_end at the end of the render. */
static uint32_t cue_lands(EngineCueAt where, uint32_t at, uint32_t cancel,
                          int *cue_seen, int *cue_end)
{
    Song *s = two_patterns();
    Engine *e = engine_new(s, RATE);
    engine_play_song_now(e, 0, 0, true);
    uint32_t frames = ROWS * ROW;
    float *out = calloc(2 * (size_t)frames, sizeof *out);
    synth_render_span(e, out, 0, at);
    send(e, ENGINE_CMD_CUE, 1, where, 0);
    synth_render_span(e, out, at, at + 256);
    *cue_seen = atomic_load(&engine_status(e)->cue);
    if (cancel) {
        synth_render_span(e, out, at + 256, cancel);
        send(e, ENGINE_CMD_CUE, -1, 0, 0);
        synth_render_span(e, out, cancel, frames);
    } else {
        synth_render_span(e, out, at + 256, frames);
    }
    *cue_end = atomic_load(&engine_status(e)->cue);
    uint32_t first = synth_first_above(out, 0, frames, 0.01f);
    free(out);
    engine_free(e);
    song_free(s);
    return first;
}

static void a_cue_lands_on_the_next_bar_beat_or_pattern_end(void)
{
    int seen, end;
    /* Cued at row 5.3: the bar starts at row 16, the beat at row 8, the
     * pattern ends after row 63 (beyond this render: nothing heard). The
     * status shows the cue until it plays. */
    uint32_t at = (uint32_t)(5.3 * ROW);
    CHECK_MSG(cue_lands(ENGINE_CUE_BAR, at, 0, &seen, &end) == HEARD(BAR), "bar");
    CHECK(seen == 1 && end == -1);
    CHECK_MSG(cue_lands(ENGINE_CUE_BEAT, at, 0, &seen, &end) == HEARD(8 * ROW), "beat");
    CHECK(seen == 1 && end == -1);
    CHECK(cue_lands(ENGINE_CUE_PATTERN_END, at, 0, &seen, &end) == UINT32_MAX);
    CHECK(seen == 1 && end == 1);
    /* Cued on a bar's last row, it takes the very next row. */
    CHECK(cue_lands(ENGINE_CUE_BAR, 31 * ROW + 100, 0, &seen, &end) == HEARD(2 * BAR));
}

/* A pattern outside the order list, cued to loop: it takes over on the
 * bar's exact frame, plays again and again, and the status marks the cue
 * (as a pattern, not an order entry) until it plays. */
static void a_cued_pattern_loops_from_the_bar(void)
{
    Song *s = two_patterns();
    Pattern *short_one = synth_add_pattern(s, 2, 8);
    atomic_store(&s->order_count, 1); /* pattern 2 is in no order entry */
    synth_put(s, 2, 0, 0, NOTE_C4, 1, E, 0, 0);
    CHECK(short_one != NULL);
    Engine *e = engine_new(s, RATE);
    engine_play_song_now(e, 0, 0, true);
    uint32_t frames = BAR + 20 * ROW, at = (uint32_t)(5.3 * ROW);
    float *out = calloc(2 * (size_t)frames, sizeof *out);
    synth_render_span(e, out, 0, at);
    send(e, ENGINE_CMD_CUE, 2, ENGINE_CUE_BAR, 1);
    synth_render_span(e, out, at, at + 256);
    const EngineStatus *st = engine_status(e);
    CHECK(atomic_load(&st->cue_pattern) == 2 && atomic_load(&st->cue) == -1);
    CHECK(!atomic_load(&st->looped)); /* the order list plays until the bar */
    synth_render_span(e, out, at + 256, frames);
    CHECK(atomic_load(&st->cue_pattern) == -1 && atomic_load(&st->pattern) == 2);
    CHECK(atomic_load(&st->looped)); /* outside the order list now */
    uint32_t first = synth_first_above(out, 0, frames, 0.01f);
    uint32_t again = synth_first_above(out, BAR + 300, frames, 0.01f);
    uint32_t third = synth_first_above(out, BAR + 8 * ROW + 300, frames, 0.01f);
    CHECK_MSG(first == HEARD(BAR), "first at %u", first);
    CHECK_MSG(again == HEARD(BAR + 8 * ROW) && third == HEARD(BAR + 16 * ROW),
              "again at %u, %u", again, third);
    /* A cue of an order entry takes the song back into the list. */
    send(e, ENGINE_CMD_CUE, 0, ENGINE_CUE_PATTERN_END, 0);
    synth_render_span(e, out, 0, 8 * ROW + 256);
    CHECK(!atomic_load(&st->looped) && atomic_load(&st->order) == 0 &&
          atomic_load(&st->pattern) == 0);
    free(out);
    engine_free(e);
    song_free(s);
}

static void a_cancelled_cue_never_plays(void)
{
    int seen, end;
    uint32_t at = (uint32_t)(5.3 * ROW);
    CHECK(cue_lands(ENGINE_CUE_BAR, at, 10 * ROW, &seen, &end) == UINT32_MAX);
    CHECK(seen == 1 && end == -1);
}

/* A burst on every row of channel 0 (and 1): the peak of each row shows
 * whether the channel sounds. */
static void mutes_and_solos_wait_for_the_bar_when_asked(void)
{
    Song *s = synth_song(2, ROWS, 125, 6);
    atomic_store(&s->rows_per_beat, 4);
    synth_set_instrument(s, 1, synth_instrument(synth_dc(RATE, 200, 0.5f),
                                                LOOP_OFF, 0, 0, INTERP_LINEAR));
    for (int r = 0; r < ROWS; r++)
        synth_put(s, 0, r, 0, NOTE_C4, 1, E, '8', 0x00); /* left only */
    Engine *e = engine_new(s, RATE);
    engine_play_song_now(e, 0, 0, true);
    uint32_t frames = 3 * BAR;
    float *out = calloc(2 * (size_t)frames, sizeof *out);
    uint32_t at = (uint32_t)(5.3 * ROW);
    synth_render_span(e, out, 0, at);
    /* The song's mute, held off until the next bar; a second change
     * before the bar keeps the first hold (it is what sounds). */
    atomic_store(&s->strips[0].mute, true);
    send(e, ENGINE_CMD_HOLD_MUTE, 0, 0, 0);
    send(e, ENGINE_CMD_HOLD_MUTE, 0, 1, 0);
    synth_render_span(e, out, at, BAR + 20 * ROW);
    atomic_store(&s->strips[0].mute, false);
    send(e, ENGINE_CMD_HOLD_MUTE, 0, -1, 0); /* unmute now */
    synth_render_span(e, out, BAR + 20 * ROW, frames);
    CHECK(synth_peak(out, 15 * ROW, 300, 0) > 0.4f); /* the bar's last row */
    CHECK(synth_peak(out, BAR, ROW, 0) == 0.0f);     /* muted on the bar */
    CHECK(synth_peak(out, BAR + 19 * ROW, ROW, 0) == 0.0f);
    CHECK(synth_peak(out, BAR + 21 * ROW, 300, 0) > 0.4f); /* at once */
    free(out);
    engine_free(e);
    song_free(s);
}

static void a_row_loop_repeats_its_rows(void)
{
    Song *s = two_patterns();
    synth_put(s, 0, 4, 0, NOTE_C4, 1, E, 0, 0);
    Engine *e = engine_new(s, RATE);
    engine_play_song_now(e, 0, 0, true);
    send(e, ENGINE_CMD_LOOP_ROWS, 4, 7, 0);
    uint32_t frames = 20 * ROW;
    float *out = calloc(2 * (size_t)frames, sizeof *out);
    synth_render_span(e, out, 0, frames);
    CHECK(atomic_load(&engine_status(e)->loop_first) == 4);
    /* Rows 4 5 6 7 4 5 6 7...: the note on row 4 every four rows. */
    CHECK(synth_bursts(out, frames, 0.01f, 1000) == 4);
    CHECK(synth_first_above(out, 0, frames, 0.01f) == HEARD(4 * ROW));
    CHECK(synth_first_above(out, 5 * ROW, frames, 0.01f) == HEARD(8 * ROW));
    /* A cue at the loop's end gives way to the song. */
    send(e, ENGINE_CMD_CUE, 1, ENGINE_CUE_PATTERN_END, 0);
    synth_render_span(e, out, 0, 8 * ROW);
    CHECK(atomic_load(&engine_status(e)->order) == 1);
    CHECK(atomic_load(&engine_status(e)->loop_first) == -1);
    free(out);
    engine_free(e);
    song_free(s);
}

int main(void)
{
    RUN(a_cue_lands_on_the_next_bar_beat_or_pattern_end);
    RUN(a_cued_pattern_loops_from_the_bar);
    RUN(a_cancelled_cue_never_plays);
    RUN(mutes_and_solos_wait_for_the_bar_when_asked);
    RUN(a_row_loop_repeats_its_rows);
    return test_finish();
}
