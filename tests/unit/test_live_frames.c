/* Live notes from the audio thread (MIDI) play on their own frame within
 * the period, not at its start, and are recorded from that frame, so
 * quantize rounds what was played. Measured on the rendered audio. */
#include <stdlib.h>
#include <string.h>

#include "common/synth_song.h"
#include "engine.h"
#include "live.h"
#include "test.h"

#define RATE 48000u
#define TICK 960u /* 125 BPM */
#define PERIOD 256u
/* A note's first frame is the declick ramp's zero: it is heard from the
 * next one. */
#define HEARD(frame) ((frame) + 1)

static Song *dc_song(int speed)
{
    Song *s = synth_song(1, 16, 125, speed);
    synth_set_instrument(s, 1, synth_instrument(synth_dc(RATE, RATE, 0.5f), LOOP_OFF, 0,
                                                0, INTERP_LINEAR));
    return s;
}

static uint32_t first_loud(const float *out, uint32_t frames)
{
    for (uint32_t i = 0; i < frames; i++)
        if (fabsf(out[2 * i]) > 0.01f)
            return i;
    return UINT32_MAX;
}

/* One period of PERIOD frames, rendered in pieces of `piece` (as JACK
 * renders a period longer than its block), with a note given at `frame`
 * before it: the sound starts there. */
static uint32_t onset_of_note_at(uint32_t frame, uint32_t piece, bool playing)
{
    Song *s = dc_song(6);
    Engine *e = engine_new(s, RATE);
    if (playing)
        engine_play_song_now(e, 0, 0, true);
    float *out = calloc(2 * (size_t)PERIOD * 2, sizeof *out);
    engine_render(e, out, PERIOD); /* something played before */
    memset(out, 0, 2 * sizeof *out * PERIOD);
    engine_live_note_now(e, 0, NOTE_C4, engine_live_flags(1, 64, 0, false, false), frame);
    for (uint32_t done = 0; done < PERIOD; done += piece)
        engine_render(e, out + 2 * (size_t)done, piece);
    uint32_t at = first_loud(out, PERIOD);
    free(out);
    engine_free(e);
    song_free(s);
    return at;
}

static void a_live_note_starts_on_its_frame(void)
{
    static const uint32_t frames[] = {0, 1, 13, 100, 200, 254};
    for (size_t i = 0; i < HISS_ARRAY_LEN(frames); i++) {
        uint32_t f = frames[i];
        CHECK_MSG(onset_of_note_at(f, PERIOD, false) == HEARD(f), "stopped, frame %u: %u",
                  f, onset_of_note_at(f, PERIOD, false));
        CHECK_MSG(onset_of_note_at(f, PERIOD, true) == HEARD(f), "playing, frame %u: %u",
                  f, onset_of_note_at(f, PERIOD, true));
        /* A period rendered in pieces: a frame in a later piece is
         * carried to it. */
        CHECK_MSG(onset_of_note_at(f, PERIOD / 4, true) == HEARD(f), "in pieces, frame %u: %u",
                  f, onset_of_note_at(f, PERIOD / 4, true));
    }
}

/* Notes given out of frame order play in frame order, each on its frame,
 * on two channels. */
static void notes_play_in_frame_order(void)
{
    Song *s = synth_song(2, 16, 125, 6);
    synth_set_instrument(s, 1, synth_instrument(synth_dc(RATE, RATE, 0.5f), LOOP_OFF, 0,
                                                0, INTERP_LINEAR));
    Engine *e = engine_new(s, RATE);
    float *out = calloc(2 * (size_t)PERIOD, sizeof *out);
    float *chan[2] = {calloc(PERIOD, sizeof(float)), calloc(PERIOD, sizeof(float))};
    engine_live_note_now(e, 1, NOTE_C4, engine_live_flags(1, 64, 0, false, false), 170);
    engine_live_note_now(e, 0, NOTE_C4, engine_live_flags(1, 64, 0, false, false), 30);
    engine_render_channels(e, out, chan, 2, PERIOD);
    for (int c = 0; c < 2; c++) {
        uint32_t at = UINT32_MAX;
        for (uint32_t i = 0; i < PERIOD && at == UINT32_MAX; i++)
            if (fabsf(chan[c][i]) > 0.01f)
                at = i;
        CHECK_MSG(at == HEARD(c ? 170u : 30u), "channel %d starts at %u", c + 1, at);
    }
    free(chan[0]);
    free(chan[1]);
    free(out);
    engine_free(e);
    song_free(s);
}

/* Row quantize rounds from the note's own frame: speed 1 makes a row of
 * 960 frames, so a period starting at frame 256 of a row (before its
 * middle, 480) holds notes on both sides of the middle. Rounded from the
 * period's start both would stay on the row. */
static int recorded_row(uint32_t frame_in_period)
{
    Song *s = dc_song(1);
    Engine *e = engine_new(s, RATE);
    engine_play_song_now(e, 0, 0, true);
    float *out = calloc(2 * (size_t)PERIOD, sizeof *out);
    for (int p = 0; p < 4 * (int)TICK / (int)PERIOD; p++) /* rows 0..3 played */
        engine_render(e, out, PERIOD);
    engine_render(e, out, PERIOD); /* row 4, frames 0..255 */
    engine_live_note_now(e, 0, NOTE_C4,
                         engine_live_flags(1, 64, LIVE_QUANTIZE_ROW, true, false),
                         frame_in_period);
    engine_render(e, out, PERIOD);
    EngineTake take = {.row = -1};
    CHECK(engine_take_recorded(e, &take));
    free(out);
    engine_free(e);
    song_free(s);
    return take.row;
}

static void recording_rounds_from_the_notes_frame(void)
{
    CHECK_MSG(recorded_row(0) == 4, "%d", recorded_row(0));
    CHECK_MSG(recorded_row(480 - 256 - 1) == 4, "%d", recorded_row(480 - 256 - 1));
    CHECK_MSG(recorded_row(480 - 256) == 5, "%d", recorded_row(480 - 256));
    CHECK_MSG(recorded_row(255) == 5, "%d", recorded_row(255));
}

int main(void)
{
    RUN(a_live_note_starts_on_its_frame);
    RUN(notes_play_in_frame_order);
    RUN(recording_rounds_from_the_notes_frame);
    return test_finish();
}
