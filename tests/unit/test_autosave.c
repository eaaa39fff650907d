/* autosave: the pure timing rules that decide when the recovery file is
 * written. Times are plain numbers; no clock, no files. */
#include <stdlib.h>

#include "autosave.h"
#include "song.h"
#include "test.h"

static void nothing_due_without_changes(void)
{
    Autosave a;
    autosave_init(&a, 30, 100.0, 7, 0);
    CHECK(!autosave_tick(&a, 100.0, 7, 0));
    CHECK(!autosave_tick(&a, 1e6, 7, 0));
    CHECK(autosave_wait(&a, 100.0, 7, 0) > 1e6);
}

static void first_edit_after_quiet_spell_is_written_at_once(void)
{
    Autosave a;
    autosave_init(&a, 30, 0.0, 0, 0);
    /* Opened at 0, first edit at 45: the last write is older than the
     * interval, so the edit must not wait another 30 s. */
    CHECK(autosave_tick(&a, 45.0, 1, 0));
    CHECK(autosave_wait(&a, 45.0, 1, 0) == 0);
}

static void periodic_writes_at_most_every_interval(void)
{
    Autosave a;
    autosave_init(&a, 30, 0.0, 0, 0);
    autosave_written(&a, 40.0, 3, 0);
    CHECK(!autosave_tick(&a, 41.0, 4, 0));
    CHECK(!autosave_tick(&a, 69.9, 9, 0));
    CHECK(autosave_tick(&a, 70.0, 9, 0));
    CHECK_NEAR(autosave_wait(&a, 41.0, 4, 0), 29.0, 1e-9);
    autosave_written(&a, 70.0, 9, 0);
    CHECK(!autosave_tick(&a, 500.0, 9, 0));
}

static void structural_change_is_written_after_the_small_gap(void)
{
    Autosave a;
    autosave_init(&a, 30, 0.0, 0, 0);
    autosave_written(&a, 10.0, 5, 2);
    CHECK(!autosave_tick(&a, 10.5, 6, 3));
    CHECK(autosave_tick(&a, 10.0 + AUTOSAVE_MIN_GAP, 6, 3));
    CHECK_NEAR(autosave_wait(&a, 10.5, 6, 3), AUTOSAVE_MIN_GAP - 0.5, 1e-9);
    /* A plain edit after it waits for the interval again. */
    autosave_written(&a, 11.0, 6, 3);
    CHECK(!autosave_tick(&a, 13.0, 7, 3));
}

static void interval_zero_writes_only_structural_changes(void)
{
    Autosave a;
    autosave_init(&a, 0, 0.0, 0, 0);
    CHECK(!autosave_tick(&a, 1e5, 10, 0));
    CHECK(autosave_tick(&a, 1e5, 11, 1));
    autosave_set_interval(&a, 5);
    CHECK(autosave_tick(&a, 1e5, 10, 0));
}

static void failed_write_is_retried_later(void)
{
    Autosave a;
    autosave_init(&a, 2, 0.0, 0, 0);
    CHECK(autosave_tick(&a, 3.0, 1, 0));
    autosave_failed(&a, 3.0);
    CHECK(!autosave_tick(&a, 4.0, 1, 0));
    CHECK(!autosave_tick(&a, 3.0 + AUTOSAVE_RETRY - 0.01, 2, 0));
    CHECK(autosave_tick(&a, 3.0 + AUTOSAVE_RETRY, 2, 0));
    autosave_written(&a, 9.0, 2, 0);
    CHECK(!a.failing);
}

static void saving_the_song_leaves_nothing_to_write(void)
{
    Autosave a;
    autosave_init(&a, 30, 0.0, 0, 0);
    CHECK(autosave_tick(&a, 100.0, 12, 4));
    autosave_song_saved(&a, 100.0, 12, 4);
    CHECK(!autosave_tick(&a, 1000.0, 12, 4));
    CHECK(autosave_tick(&a, 1000.0, 13, 4));
}

/* wait() must agree with tick(): after waiting exactly wait() seconds a
 * write is due, and a little before it is not (when wait > 0). */
static void wait_agrees_with_tick(void)
{
    srand(42);
    for (int i = 0; i < 2000; i++) {
        Autosave a;
        double interval = rand() % 4 == 0 ? 0 : rand() % 60;
        autosave_init(&a, interval, 0.0, 0, 0);
        double t = rand() % 100;
        autosave_written(&a, t, 1, 1);
        if (rand() % 3 == 0)
            autosave_failed(&a, t + rand() % 10);
        uint64_t changes = 1 + (uint64_t)(rand() % 2);
        uint64_t structural = 1 + (uint64_t)(rand() % 2);
        double now = t + (rand() % 1000) / 10.0;
        double w = autosave_wait(&a, now, changes, structural);
        CHECK(w >= 0);
        if (w > 1e8) {
            CHECK(!autosave_tick(&a, now + 1e7, changes, structural));
            continue;
        }
        CHECK_MSG(autosave_tick(&a, now + w, changes, structural),
                  "case %d: wait %g", i, w);
        if (w > 0.01)
            CHECK_MSG(!autosave_tick(&a, now + w - 0.01, changes, structural),
                      "case %d: wait %g", i, w);
    }
}

static void seconds_parse_and_environment(void)
{
    int v = -1;
    CHECK(autosave_parse_seconds("30", &v) && v == 30);
    CHECK(autosave_parse_seconds(" 0 ", &v) && v == 0);
    CHECK(!autosave_parse_seconds("", &v));
    CHECK(!autosave_parse_seconds("-5", &v));
    CHECK(!autosave_parse_seconds("5s", &v));
    CHECK(!autosave_parse_seconds("99999999999999999999", &v));
    CHECK(!autosave_parse_seconds(NULL, &v));
    setenv("HISS_AUTOSAVE_SECONDS", "7", 1);
    CHECK(autosave_interval_from_env(30) == 7);
    setenv("HISS_AUTOSAVE_SECONDS", "soon", 1);
    CHECK(autosave_interval_from_env(30) == 30);
    unsetenv("HISS_AUTOSAVE_SECONDS");
    CHECK(autosave_interval_from_env(AUTOSAVE_DEFAULT_SECONDS) == 30);
}

/* The fingerprint moves with structural edits, not with cell edits. */
static void shape_follows_structure_not_cells(void)
{
    Song *song = song_new();
    uint64_t s0 = autosave_song_shape(song);
    CHECK(autosave_song_shape(song) == s0);

    Pattern *p = song_pattern(song, 0);
    Cell c = song_cell_empty();
    c.note = NOTE_C4;
    song_pattern_set(p, 3, 1, c);
    CHECK(autosave_song_shape(song) == s0);

    Pattern *longer = song_pattern_resized(p, 128, p->channels);
    atomic_store(&song->patterns[0], longer);
    uint64_t s1 = autosave_song_shape(song);
    CHECK(s1 != s0);
    song_pattern_free(p);

    atomic_store(&song->orders[1], 0);
    atomic_store(&song->order_count, 2);
    uint64_t s2 = autosave_song_shape(song);
    CHECK(s2 != s1);

    Instrument *inst = song_instrument_new();
    atomic_store(&song->instruments[5], inst);
    uint64_t s3 = autosave_song_shape(song);
    CHECK(s3 != s2);

    atomic_store(&song->channels, 8);
    CHECK(autosave_song_shape(song) != s3);
    song_free(song);
}

int main(void)
{
    RUN(nothing_due_without_changes);
    RUN(first_edit_after_quiet_spell_is_written_at_once);
    RUN(periodic_writes_at_most_every_interval);
    RUN(structural_change_is_written_after_the_small_gap);
    RUN(interval_zero_writes_only_structural_changes);
    RUN(failed_write_is_retried_later);
    RUN(saving_the_song_leaves_nothing_to_write);
    RUN(wait_agrees_with_tick);
    RUN(seconds_parse_and_environment);
    RUN(shape_follows_structure_not_cells);
    return test_finish();
}
