/* The timing scan against the engine: every row the engine plays starts on
 * the frame the scan says, under Fxx, Bxx, Dxx, E6x, EEx and swing; song ends,
 * loops (a one-row B00 onto itself included), seeking by time. */
#include <stdlib.h>

#include "common/synth_song.h"
#include "engine.h"
#include "test.h"
#include "timing.h"

typedef struct {
    uint64_t frame;
    int order, row;
} Start;

/* One engine for every song (building one takes a while): each song is
 * installed in place of the last, which the engine hands back to be freed. */
static Engine *shared;
static Song *shared_song;

static Engine *engine_for(Song *song, uint32_t rate)
{
    if (!shared) {
        shared = engine_new(song, rate);
    } else {
        EngineCommand install = {.type = ENGINE_CMD_INSTALL_SONG, .ptr = song};
        float none[2];
        engine_send(shared, &install);
        engine_render(shared, none, 0);
        engine_collect_garbage(shared);
    }
    shared_song = song;
    return shared;
}

static void engine_done(void)
{
    engine_free(shared);
    song_free(shared_song);
    shared = NULL;
    shared_song = NULL;
}

/* Plays the song (the engine takes it) one frame at a time and notes where
 * each row starts (the engine's own row counter), up to `frames` frames.
 * *stopped_at is the number of frames rendered when the engine was first
 * seen stopped (0 if it played on). */
static int engine_row_starts(Song *song, uint32_t rate, uint64_t frames, Start *out,
                             int max, uint64_t *stopped_at)
{
    Engine *e = engine_for(song, rate);
    const EngineStatus *st = engine_status(e);
    engine_play_song_now(e, 0, 0, false);
    float buf[2];
    uint64_t seen = atomic_load(&st->rows_played);
    int n = 0;
    *stopped_at = 0;
    for (uint64_t f = 0; f < frames; f++) {
        engine_render(e, buf, 1);
        uint64_t rows = atomic_load(&st->rows_played);
        if (rows != seen && n < max) {
            out[n].frame = f;
            out[n].order = atomic_load(&st->order);
            out[n].row = atomic_load(&st->row);
            n++;
        }
        seen = rows;
        if (!atomic_load(&st->playing)) {
            *stopped_at = f + 1;
            break;
        }
    }
    return n;
}

static uint32_t rng_state;
static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state % n;
}

static uint8_t bcd(int v)
{
    return (uint8_t)((v / 10) << 4 | (v % 10));
}

/* A small song full of song control: tempo and speed changes (on a
 * row's first tick or a later one), jumps forward and back, breaks,
 * pattern loops, pattern delays, swing. */
static Song *random_song(uint32_t seed)
{
    rng_state = seed * 2654435761u + 1;
    Song *s = synth_song(3, 1 + (int)rnd(12), 100 + (int)rnd(150), 1 + (int)rnd(4));
    int patterns = 1 + (int)rnd(3);
    for (int p = 1; p < patterns; p++)
        synth_add_pattern(s, p, 1 + (int)rnd(12));
    int orders = 1 + (int)rnd(5);
    atomic_store(&s->order_count, orders);
    for (int o = 0; o < orders; o++)
        atomic_store(&s->orders[o], (uint8_t)rnd((uint32_t)patterns + 1)); /* some missing */
    atomic_store(&s->orders[0], 0);
    atomic_store(&s->swing, rnd(2) ? 0 : (int)rnd(101));
    atomic_store(&s->rows_per_beat, 1 + (int)rnd(4));
    for (int p = 0; p < patterns; p++) {
        const Pattern *pat = song_pattern(s, p);
        for (int r = 0; r < pat->rows; r++)
            for (int c = 0; c < 3; c++) {
                if (rnd(4))
                    continue;
                uint8_t fx = 0, param = 0;
                switch (rnd(8)) {
                case 7: /* a tempo with tenths on a later tick (Fxx Txy) */
                    synth_put(s, p, r, c, NOTE_EMPTY, 0, VOLUME_EMPTY, 'F',
                              (uint8_t)(100 + rnd(156)));
                    synth_put2(s, p, r, c, 'T', (uint8_t)(rnd(10) << 4 | rnd(8)));
                    continue;
                case 0: fx = 'F'; param = (uint8_t)(1 + rnd(4)); break;
                case 1: fx = 'F'; param = (uint8_t)(100 + rnd(156)); break;
                case 2: fx = 'B'; param = (uint8_t)rnd((uint32_t)orders + 1); break;
                case 3: fx = 'D'; param = bcd((int)rnd(14)); break;
                case 4: fx = 'E'; param = 0x60; break;
                case 5: fx = 'E'; param = (uint8_t)(0xE0 + rnd(4)); break;
                default: fx = 'E'; param = (uint8_t)(0x61 + rnd(3)); break;
                }
                if (rnd(2))
                    synth_put(s, p, r, c, NOTE_EMPTY, 0, VOLUME_EMPTY, fx, param);
                else
                    synth_put2(s, p, r, c, fx, param);
            }
    }
    return s;
}

/* The engine's row starts are the scan's, each delayed by its swing (taken
 * at the tempo in effect before the row). */
static uint64_t expected_start(const Song *song, const TimingScan *scan, int i,
                               int row)
{
    int speed = i ? scan->rows[i - 1].speed : atomic_load(&song->speed);
    int bpm = i ? scan->rows[i - 1].bpm_tenths : atomic_load(&song->bpm_tenths);
    uint64_t at = i < scan->count ? scan->rows[i].frame : scan->end_frame;
    return at + timing_swing_delay(scan->rate, atomic_load(&song->swing),
                                   scan->rows_per_beat, row, speed, bpm);
}

static void test_random_songs_match_engine(void)
{
    enum { RATE = 2000, MAX = 400 };
    static Start starts[MAX + 2];
    int compared = 0, loops = 0, stops = 0;
    for (uint32_t seed = 1; seed <= 400; seed++) {
        Song *s = random_song(seed);
        TimingScan scan;
        CHECK(timing_scan(s, RATE, false, &scan) == HISS_OK);
        if (scan.count > MAX) { /* long pattern loops: bounded run time */
            timing_deinit(&scan);
            song_free(s);
            continue;
        }
        uint64_t stopped;
        int n = engine_row_starts(s, RATE, scan.end_frame + 2 * RATE, starts, MAX + 2,
                                  &stopped);
        for (int i = 0; i < scan.count && i < n; i++) {
            CHECK_MSG(starts[i].order == scan.rows[i].order &&
                          starts[i].row == scan.rows[i].row &&
                          starts[i].frame == expected_start(s, &scan, i, scan.rows[i].row),
                      "seed %u row %d: engine %02X/%02d at %llu, scan %02X/%02d at %llu",
                      seed, i, starts[i].order, starts[i].row,
                      (unsigned long long)starts[i].frame, scan.rows[i].order,
                      scan.rows[i].row,
                      (unsigned long long)expected_start(s, &scan, i, scan.rows[i].row));
            compared++;
        }
        if (scan.end == TIMING_END_LOOPS) {
            /* The repeat starts where the scan's rows end. */
            const TimingRow *to = &scan.rows[scan.loop_index];
            CHECK_MSG(n > scan.count && starts[scan.count].order == to->order &&
                          starts[scan.count].row == to->row &&
                          starts[scan.count].frame ==
                              expected_start(s, &scan, scan.count, to->row),
                      "seed %u: the repeat of row %d", seed, scan.loop_index);
            loops++;
        } else {
            CHECK(scan.end == TIMING_END_STOPS);
            CHECK_MSG(n == scan.count && stopped == scan.end_frame + 1,
                      "seed %u: engine played %d rows, stopped after %llu; scan "
                      "%d rows, end %llu",
                      seed, n, (unsigned long long)stopped, scan.count,
                      (unsigned long long)scan.end_frame);
            stops++;
        }
        timing_deinit(&scan);
    }
    engine_done();
    /* The random songs cover both endings and many rows. */
    CHECK(loops > 30 && stops > 30 && compared > 2000);
}

static void test_one_row_jump_onto_itself_loops(void)
{
    Song *s = synth_song(1, 1, 125, 6);
    synth_put(s, 0, 0, 0, NOTE_EMPTY, 0, VOLUME_EMPTY, 'B', 0x00);
    TimingScan scan;
    CHECK(timing_scan(s, 48000, false, &scan) == HISS_OK);
    CHECK(scan.end == TIMING_END_LOOPS);
    CHECK(scan.count == 1 && scan.loop_index == 0);
    CHECK(scan.end_frame == 6 * 960); /* 6 ticks of 2.5/125 s */
    CHECK_NEAR(scan.end_seconds, 0.12, 1e-12);
    timing_deinit(&scan);
    song_free(s);
}

/* F03 then F40 (tempo 64) on later rows: exact seconds, frames at 48 kHz. */
static void test_tempo_and_speed_changes(void)
{
    Song *s = synth_song(2, 8, 125, 6);
    synth_put(s, 0, 2, 0, NOTE_EMPTY, 0, VOLUME_EMPTY, 'F', 0x03);
    synth_put(s, 0, 4, 1, NOTE_EMPTY, 0, VOLUME_EMPTY, 'F', 0x40);
    TimingScan scan;
    CHECK(timing_scan(s, 48000, false, &scan) == HISS_OK);
    CHECK(scan.end == TIMING_END_STOPS && scan.count == 8);
    /* rows 0-1: 6 ticks at 125; 2-3: 3 ticks at 125; 4-7: 3 ticks at 64 */
    double want = 2 * 6 * 0.02 + 2 * 3 * 0.02 + 4 * 3 * 2.5 / 64;
    CHECK_NEAR(scan.end_seconds, want, 1e-12);
    CHECK(scan.rows[2].frame == 2 * 5760);
    CHECK(scan.rows[4].frame == 2 * 5760 + 2 * 2880);
    CHECK(scan.rows[4].speed == 3 && scan.rows[4].bpm_tenths == 640);
    CHECK(scan.end_frame == 2 * 5760 + 2 * 2880 + 4 * 3 * 1875);
    timing_deinit(&scan);
    song_free(s);
}

/* Orders 0, 1 of two 4-row patterns, `fx` on the last row of the second. */
static Song *two_patterns(uint8_t fx, uint8_t param)
{
    Song *s = synth_song(1, 4, 125, 6);
    synth_add_pattern(s, 1, 4);
    synth_put(s, 1, 3, 0, NOTE_EMPTY, 0, VOLUME_EMPTY, fx, param);
    return s;
}

/* Looping on, a speed change late in the song: the second pass plays at
 * the new speed, and it is the second pass that repeats. */
static void test_looping_song_repeats_its_second_pass(void)
{
    Song *s = two_patterns('F', 0x02);
    TimingScan once, loop;
    CHECK(timing_scan(s, 48000, false, &once) == HISS_OK);
    CHECK(timing_scan(s, 48000, true, &loop) == HISS_OK);
    CHECK(once.end == TIMING_END_STOPS && once.count == 8);
    CHECK(loop.end == TIMING_END_LOOPS && loop.count == 16 && loop.loop_index == 8);
    CHECK(loop.rows[8].order == 0 && loop.rows[8].row == 0);
    CHECK(loop.rows[8].frame == once.end_frame);
    CHECK(loop.end_frame == once.end_frame + 8 * 2 * 960);
    timing_deinit(&once);
    timing_deinit(&loop);
    song_free(s);
}

/* Bxx back to order 1: the song repeats from there, for ever; seeking
 * goes round the loop and counts beats through every pass. */
static void test_locate_goes_round_the_loop(void)
{
    Song *s = two_patterns('B', 0x01);
    atomic_store(&s->rows_per_beat, 4);
    TimingScan scan;
    CHECK(timing_scan(s, 48000, false, &scan) == HISS_OK);
    CHECK(scan.end == TIMING_END_LOOPS && scan.count == 8 && scan.loop_index == 4);
    TimingPlace at;
    timing_locate(&scan, 5 * 5760 + 100, &at);
    CHECK(at.index == 5 && at.order == 1 && at.row == 1 && at.into == 100 && at.pass == 0);
    CHECK_NEAR(at.beats, (5 + 100.0 / 5760) / 4, 1e-9);
    /* Two passes of the loop (4 rows each) later: the same row. */
    timing_locate(&scan, 5 * 5760 + 100 + 2 * 4 * 5760, &at);
    CHECK(at.index == 5 && at.order == 1 && at.row == 1 && at.into == 100 && at.pass == 2);
    CHECK_NEAR(at.beats, (5 + 8 + 100.0 / 5760) / 4, 1e-9);
    CHECK_NEAR(at.beats_per_minute, 24.0 * 125 / (6 * 4), 1e-9);
    CHECK(timing_find(&scan, 1, 2) == 6 && timing_find(&scan, 2, 0) == -1);
    timing_deinit(&scan);
    song_free(s);
}

static void test_song_that_stops_has_ended(void)
{
    Song *s = synth_song(1, 4, 125, 6);
    TimingScan scan;
    CHECK(timing_scan(s, 48000, false, &scan) == HISS_OK);
    TimingPlace at;
    timing_locate(&scan, scan.end_frame - 1, &at);
    CHECK(at.index == 3 && at.row == 3);
    timing_locate(&scan, scan.end_frame, &at);
    CHECK(at.index == -1 && at.beats == 1.0);
    timing_deinit(&scan);
    song_free(s);
}

/* Pattern loops nested over six channels would play 16^6 times: the scan
 * stops counting and says it does not know the end. */
static void test_endless_nesting_is_unknown(void)
{
    Song *s = synth_song(6, 8, 255, 1);
    for (int c = 0; c < 6; c++) {
        synth_put(s, 0, 0, c, NOTE_EMPTY, 0, VOLUME_EMPTY, 'E', 0x60);
        synth_put(s, 0, 1 + c, c, NOTE_EMPTY, 0, VOLUME_EMPTY, 'E', 0x6F);
    }
    TimingScan scan;
    CHECK(timing_scan(s, 48000, false, &scan) == HISS_OK);
    CHECK(scan.end == TIMING_END_UNKNOWN && scan.count == TIMING_MAX_ROWS);
    timing_deinit(&scan);
    song_free(s);
}

/* Two pattern loops sharing channel 4's counter (E61 on row 0, E62 on
 * row 8, no E60): each resets the other's count, and ProTracker plays
 * them for ever. The scan ends where the jump and every channel's loop
 * state come back: the third jump repeats the first, 11 rows in (the
 * reference players' length too). Loops that do end are not cut. */
static void test_pattern_loop_trap_loops(void)
{
    Song *s = synth_song(4, 64, 125, 6);
    synth_add_pattern(s, 1, 64);
    atomic_store(&s->order_count, 2);
    atomic_store(&s->orders[1], 1);
    synth_put(s, 1, 0, 3, NOTE_EMPTY, 0, VOLUME_EMPTY, 'E', 0x61);
    synth_put(s, 1, 8, 3, NOTE_EMPTY, 0, VOLUME_EMPTY, 'E', 0x62);
    synth_put(s, 1, 63, 0, NOTE_EMPTY, 0, VOLUME_EMPTY, 'B', 0x00);
    TimingScan scan;
    CHECK(timing_scan(s, 48000, false, &scan) == HISS_OK);
    CHECK_MSG(scan.end == TIMING_END_LOOPS && scan.count == 64 + 11 &&
                  scan.loop_index == 65,
              "end %d, %d rows, loop from %d", (int)scan.end, scan.count, scan.loop_index);
    CHECK_NEAR(scan.end_seconds, 75 * 0.12, 1e-9);
    CHECK(scan.rows[scan.loop_index].order == 1 && scan.rows[scan.loop_index].row == 0);
    timing_deinit(&scan);
    /* With E60 on row 1 the loops nest and end: 2 + 3 * 8 rows, then on
     * to B00 and round to order 0. */
    synth_put(s, 1, 1, 3, NOTE_EMPTY, 0, VOLUME_EMPTY, 'E', 0x60);
    CHECK(timing_scan(s, 48000, false, &scan) == HISS_OK);
    CHECK_MSG(scan.end == TIMING_END_LOOPS && scan.count == 64 + 2 + 3 * 8 + 55 &&
                  scan.loop_index == 0,
              "end %d, %d rows, loop from %d", (int)scan.end, scan.count, scan.loop_index);
    timing_deinit(&scan);
    song_free(s);
}

static void test_empty_order_list(void)
{
    Song *s = synth_song(1, 4, 125, 6);
    atomic_store(&s->order_count, 0);
    TimingScan scan;
    CHECK(timing_scan(s, 48000, true, &scan) == HISS_OK);
    CHECK(scan.count == 0 && scan.end == TIMING_END_STOPS && scan.end_frame == 0);
    TimingPlace at;
    timing_locate(&scan, 1000, &at);
    CHECK(at.index == -1);
    CHECK(timing_scan(s, 10, true, &scan) == HISS_ERR_RANGE);
    timing_deinit(&scan);
    song_free(s);
}

int main(void)
{
    RUN(test_random_songs_match_engine);
    RUN(test_one_row_jump_onto_itself_loops);
    RUN(test_tempo_and_speed_changes);
    RUN(test_looping_song_repeats_its_second_pass);
    RUN(test_locate_goes_round_the_loop);
    RUN(test_song_that_stops_has_ended);
    RUN(test_endless_nesting_is_unknown);
    RUN(test_pattern_loop_trap_loops);
    RUN(test_empty_order_list);
    return test_finish();
}
