/* MIDI clock out from the engine: 24 pulses a beat on the frame each
 * pulse's exact time falls in, whatever the block size, with no drift
 * over ten minutes; start, song position and continue, stop. */
#include <stdlib.h>
#include <string.h>

#include "common/synth_song.h"
#include "engine.h"
#include "test.h"

#define RATE 48000u

typedef struct {
    uint64_t frame;
    uint8_t status;
    uint16_t position;
} Msg;

typedef struct {
    Msg *msg;
    size_t count, cap;
    uint64_t done; /* frames rendered */
} Log;

static void log_render(Engine *e, Log *log, float *out, uint64_t frames, uint32_t block)
{
    for (uint64_t end = log->done + frames; log->done < end;) {
        uint32_t n = end - log->done < block ? (uint32_t)(end - log->done) : block;
        engine_render(e, out, n);
        const ClockEvent *ev;
        int count = engine_clock_out(e, &ev);
        for (int i = 0; i < count; i++) {
            CHECK(ev[i].frame < n);
            if (log->count == log->cap) {
                log->cap = log->cap ? 2 * log->cap : 1024;
                log->msg = realloc(log->msg, log->cap * sizeof *log->msg);
            }
            log->msg[log->count++] = (Msg){log->done + ev[i].frame, ev[i].status,
                                           ev[i].position};
        }
        log->done += n;
    }
}

/* `minutes` of the song at bpm_tenths, speed 6, 4 rows a beat, in blocks
 * of `block`; the log of messages. */
static Log play_for(int bpm_tenths, double minutes, uint32_t block)
{
    Song *s = synth_song(1, 64, 125, 6);
    atomic_store(&s->bpm_tenths, bpm_tenths);
    Engine *e = engine_new(s, RATE);
    float *out = calloc(2 * (size_t)block, sizeof *out);
    Log log = {0};
    log_render(e, &log, out, 1000, block); /* stopped: nothing */
    CHECK(log.count == 0);
    EngineCommand play = {ENGINE_CMD_PLAY_SONG, 0, 0, 0, NULL};
    CHECK(engine_send(e, &play));
    log_render(e, &log, out, (uint64_t)(minutes * 60 * RATE), block);
    free(out);
    engine_free(e);
    song_free(s);
    return log;
}

/* Pulse k falls on the frame holding k x 60 / (24 x BPM) seconds. */
static void pulses_fall_on_their_exact_frames(void)
{
    static const uint32_t blocks[] = {64, 1000, 4096};
    for (size_t b = 0; b < HISS_ARRAY_LEN(blocks); b++) {
        Log log = play_for(925, 10.0, blocks[b]); /* 92.5 BPM */
        CHECK(log.count > 2);
        if (log.count <= 2)
            continue;
        CHECK(log.msg[0].status == 0xFA && log.msg[0].frame == 1000);
        uint64_t per = 25u * 6 * 4 * RATE, inc = 24 * 925;
        size_t wrong = 0, pulses = 0, loops = 0, wrong_loops = 0;
        for (size_t i = 1; i < log.count; i++) {
            uint64_t want = 1000 + pulses * per / inc;
            if (log.msg[i].status == 0xF2) {
                /* The song (64 rows: 384 pulses) starts over: song
                 * position 0 on the frame of the pulse that starts it. */
                loops++;
                if (log.msg[i].position != 0 || log.msg[i].frame != want ||
                    pulses % 384 != 0)
                    wrong_loops++;
                continue;
            }
            if (log.msg[i].status != 0xF8 || log.msg[i].frame != want)
                wrong++;
            pulses++;
        }
        CHECK_MSG(wrong == 0, "block %u: %zu of %zu pulses off their frame", blocks[b],
                  wrong, pulses);
        CHECK_MSG(loops == pulses / 384 && wrong_loops == 0,
                  "block %u: %zu song positions for %zu loops, %zu wrong", blocks[b], loops,
                  pulses / 384, wrong_loops);
        /* Ten minutes at 92.5 BPM: 925 beats, 22200 pulses (and the one
         * on the last frame's time, when it lands inside). */
        CHECK_MSG(pulses == 22200 || pulses == 22201, "%zu pulses", pulses);
        double bpm = 60.0 * RATE * (double)(pulses - 1) /
                     (24.0 * (double)(log.msg[log.count - 1].frame - 1000));
        CHECK_NEAR(bpm, 92.5, 1e-4);
        free(log.msg);
    }
}

/* F03 on row 8 of speed 6 at 4 rows a beat: the beat is shorter, and so
 * are the pulses, from that row's first frame. */
static void a_speed_change_changes_the_pulse(void)
{
    Song *s = synth_song(1, 64, 125, 6);
    synth_put(s, 0, 8, 0, 0, 0, VOLUME_EMPTY, 'F', 0x03);
    Engine *e = engine_new(s, RATE);
    engine_play_song_now(e, 0, 0, true);
    float out[2 * 256];
    Log log = {0};
    log_render(e, &log, out, 16 * 6 * 960, 256);
    /* Rows 0..7: 2 beats of 24 pulses at 960 frames (a tick each); then
     * a tick is two pulses: 480 frames. */
    size_t first = 0;
    while (first < log.count && log.msg[first].status != 0xF8)
        first++;
    CHECK(log.count > first + 60);
    if (log.count > first + 60) {
        CHECK(log.msg[first + 48].frame - log.msg[first].frame == 48 * 960);
        CHECK(log.msg[first + 49].frame - log.msg[first + 48].frame == 480);
        CHECK(log.msg[first + 60].frame - log.msg[first + 48].frame == 12 * 480);
    }
    free(log.msg);
    engine_free(e);
    song_free(s);
}

/* A song of two 64-row patterns at 125 BPM, speed 6, and an engine
 * asked to play it from order `order`, row `row`. */
static Engine *two_patterns_from(Song **song, int order, int row)
{
    *song = synth_song(1, 64, 125, 6);
    synth_add_pattern(*song, 1, 64);
    Engine *e = engine_new(*song, RATE);
    EngineCommand play = {ENGINE_CMD_PLAY_SONG, order, row, 0, NULL};
    CHECK(engine_send(e, &play));
    return e;
}

/* Playing from order 1 row 8 (64 + 8 rows, 4 a beat: 18 beats, 72
 * sixteenths) says so, then continues; a stop is sent when playback
 * stops, and nothing more until it plays again. */
static void start_position_and_stop(void)
{
    Song *s;
    Engine *e = two_patterns_from(&s, 1, 8);
    float out[2 * 256];
    Log log = {0};
    log_render(e, &log, out, 256, 256);
    CHECK(log.count >= 3);
    if (log.count >= 3) {
        CHECK(log.msg[0].status == 0xF2 && log.msg[0].position == 72 && log.msg[0].frame == 0);
        CHECK(log.msg[1].status == 0xFB && log.msg[1].frame == 0);
        CHECK(log.msg[2].status == 0xF8 && log.msg[2].frame == 0);
    }
    log_render(e, &log, out, 10000, 256);
    EngineCommand stop = {ENGINE_CMD_STOP, 0, 0, 0, NULL};
    CHECK(engine_send(e, &stop));
    size_t before = log.count;
    log_render(e, &log, out, 10000, 256);
    CHECK(log.count == before + 1 && log.msg[before].status == 0xFC &&
          log.msg[before].frame == 10256);
    free(log.msg);
    engine_free(e);
    song_free(s);
}

/* A jump while playing (to order 1, row 8: 72 sixteenths) says where
 * playback went, on the frame that row starts (the next row boundary
 * after the jump is asked: row 3 at 125 BPM, speed 6, 4 rows a beat,
 * is 3 x 5760 frames in), then the pulses go on from that frame; rows
 * that follow each other send nothing more. */
static void a_jump_sends_the_song_position(void)
{
    Song *s;
    Engine *e = two_patterns_from(&s, 0, 0);
    float out[2 * 256];
    Log log = {0};
    log_render(e, &log, out, 2 * 5760 + 100, 256); /* into row 2 */
    EngineCommand jump = {ENGINE_CMD_JUMP, 1, 8, 0, NULL};
    CHECK(engine_send(e, &jump));
    log_render(e, &log, out, 20 * 5760, 256);
    size_t positions = 0, at = 0;
    for (size_t i = 1; i < log.count; i++)
        if (log.msg[i].status == 0xF2) {
            positions++;
            at = i;
        }
    CHECK_MSG(positions == 1, "%zu song positions", positions);
    if (positions == 1 && at + 1 < log.count) {
        CHECK_MSG(log.msg[at].position == 72, "position %u", log.msg[at].position);
        CHECK_MSG(log.msg[at].frame == 3 * 5760, "at frame %llu",
                  (unsigned long long)log.msg[at].frame);
        CHECK(log.msg[at + 1].status == 0xF8 && log.msg[at + 1].frame == 3 * 5760);
        CHECK(log.msg[at + 2].status == 0xF8 && log.msg[at + 2].frame == 3 * 5760 + 960);
    }
    CHECK_MSG(atomic_load(&engine_status(e)->order) == 1, "order %d",
              atomic_load(&engine_status(e)->order));
    free(log.msg);
    engine_free(e);
    song_free(s);
}

/* A rate change while playing (engine_hand_over) keeps the clock going:
 * no new start, and the pulses go on at the same tempo at the new rate
 * (960 frames at 48 kHz, 882 at 44.1 kHz, for 125 BPM at 24 ticks a beat). */
static void the_clock_goes_on_across_a_rate_change(void)
{
    Song *s = synth_song(1, 64, 125, 6);
    Engine *e = engine_new(s, RATE);
    float out[2 * 256];
    Log log = {0};
    EngineCommand play = {ENGINE_CMD_PLAY_SONG, 0, 0, 0, NULL};
    CHECK(engine_send(e, &play));
    log_render(e, &log, out, 2000, 256); /* pulses on 0, 960, 1920 */
    Engine *to = engine_new(s, 44100);
    engine_hand_over(e, to);
    Log after = {0};
    log_render(to, &after, out, 4000, 256);
    CHECK(log.count == 4 && log.msg[3].frame == 1920);
    CHECK_MSG(after.count >= 4, "%zu messages after", after.count);
    if (after.count >= 4) {
        for (size_t i = 0; i < after.count; i++)
            CHECK(after.msg[i].status == 0xF8);
        CHECK_MSG(after.msg[1].frame - after.msg[0].frame == 882, "%llu",
                  (unsigned long long)(after.msg[1].frame - after.msg[0].frame));
        /* The first: 960 - 80 frames at 48 kHz left, about 809 here. */
        CHECK_MSG(after.msg[0].frame >= 807 && after.msg[0].frame <= 810, "%llu",
                  (unsigned long long)after.msg[0].frame);
    }
    free(log.msg);
    free(after.msg);
    engine_free(to);
    engine_free(e);
    song_free(s);
}

int main(void)
{
    RUN(pulses_fall_on_their_exact_frames);
    RUN(a_speed_change_changes_the_pulse);
    RUN(start_position_and_stop);
    RUN(a_jump_sends_the_song_position);
    RUN(the_clock_goes_on_across_a_rate_change);
    return test_finish();
}
