/* Groove measured from the output: MPC-style swing puts a channel's notes
 * on the frames the swing amount gives, per channel and from the song's
 * default, changed while playing; humanize spreads notes and levels within
 * their settings from a seed (the same seed renders the same); rows, the
 * timing scan and the song file are right with it. At 125 BPM, speed 6
 * and 48 kHz a row is exactly 5760 frames. */
#include <stdlib.h>
#include <string.h>

#include "common/synth_song.h"
#include "edit.h"
#include "engine.h"
#include "groove.h"
#include "songfile.h"
#include "test.h"
#include "timing.h"

#define E VOLUME_EMPTY
#define RATE 48000u
#define ROW 5760u
#define CLICK 200u /* each note's sound: a short DC one-shot */

static Song *click_song(int channels, int rows)
{
    Song *s = synth_song(channels, rows, 125, 6);
    synth_set_instrument(s, 1, synth_instrument(synth_dc(RATE, CLICK, 0.5f), LOOP_OFF, 0, 0,
                                                INTERP_RAW));
    return s;
}

static void set_groove(_Atomic int *g, int swing, int grid, int ms, int vel)
{
    atomic_store(&g[SONG_GROOVE_SWING], swing);
    atomic_store(&g[SONG_GROOVE_GRID], grid);
    atomic_store(&g[SONG_GROOVE_HUMAN_MS], ms);
    atomic_store(&g[SONG_GROOVE_HUMAN_VEL], vel);
}

static void own_groove(Song *s, int c, int swing, int grid, int ms, int vel)
{
    set_groove(s->strips[c].groove, swing, grid, ms, vel);
    atomic_store(&s->strips[c].groove_own, true);
}

/* A click on every row of one channel, which swings on its own. */
static Song *clicks_swung(int rows, int swing, int grid)
{
    Song *s = click_song(1, rows);
    for (int r = 0; r < rows; r++)
        synth_put(s, 0, r, 0, NOTE_C4, 1, E, 0, 0);
    own_groove(s, 0, swing, grid, 0, 0);
    return s;
}

/* The onsets of a rendered channel of clicks: the first sounding frame
 * after each silence, up to max. */
static int onsets(const float *out, uint32_t frames, int side, uint32_t *at, int max)
{
    int n = 0;
    bool on = false;
    for (uint32_t i = 0; i < frames && n < max; i++) {
        bool sounding = out[2 * i + (uint32_t)side] != 0.0f;
        if (sounding && !on)
            at[n++] = i;
        on = sounding;
    }
    return n;
}

/* The MPC definition: the second note of each pair of grid notes sits at
 * swing% of the pair; the first does not move. */
static void swing_puts_the_off_note_at_its_percent_of_the_pair(void)
{
    static const int amounts[] = {50, 54, 58, 62, 66, 71, 75};
    for (size_t k = 0; k < HISS_ARRAY_LEN(amounts); k++) {
        int swing = amounts[k];
        Song *s = clicks_swung(16, swing, 16);
        float *out = synth_render(s, RATE, 16 * ROW, 256);
        uint32_t at[16];
        int n = onsets(out, 16 * ROW, 0, at, 16);
        CHECK_MSG(n == 16, "swing %d: %d onsets", swing, n);
        for (int r = 0; r < n; r++) {
            uint32_t pair = (uint32_t)(r / 2) * 2 * ROW;
            uint32_t want = r % 2 ? pair + (uint32_t)(swing * 2 * ROW / 100) : pair;
            CHECK_MSG(at[r] == want, "swing %d row %d at %u, want %u", swing, r, at[r], want);
        }
        free(out);
        song_free(s);
    }
}

/* On 8ths a pair is four rows: row 2 sits at swing% of it, rows 1 and 3
 * keep their place within their half. */
static void eighth_swing_moves_the_off_eighth(void)
{
    Song *s = clicks_swung(8, 66, 8);
    float *out = synth_render(s, RATE, 8 * ROW, 256);
    uint32_t at[8];
    CHECK(onsets(out, 8 * ROW, 0, at, 8) == 8);
    uint32_t pair = 4 * ROW, off = 66 * pair / 100; /* 15206.4 */
    uint32_t want[8] = {0, off / 2, off, off + (pair - off) / 2, pair,
                        pair + off / 2, pair + off, pair + off + (pair - off) / 2};
    for (int r = 0; r < 8; r++)
        CHECK_MSG(at[r] == want[r] || at[r] + 1 == want[r], "row %d at %u, want %u", r, at[r],
                  want[r]);
    CHECK(at[2] == 15206 && at[6] == 4 * ROW + 15206);
    free(out);
    song_free(s);
}

/* Each channel swings by its own groove; one without follows the song's. */
static void channels_swing_apart_and_follow_the_song(void)
{
    Song *s = click_song(3, 4);
    for (int c = 0; c < 3; c++)
        synth_put(s, 0, 1, c, NOTE_C4, 1, E, 0, 0);
    set_groove(s->groove, 58, 16, 0, 0);
    own_groove(s, 0, 71, 16, 0, 0);
    own_groove(s, 1, 50, 16, 0, 0); /* its own: straight */
    /* one channel at a time, so each onset is its own */
    uint32_t want[3] = {71 * 2 * ROW / 100, ROW, 58 * 2 * ROW / 100};
    for (int solo = 0; solo < 3; solo++) {
        for (int c = 0; c < 3; c++)
            atomic_store(&s->strips[c].mute, c != solo);
        float *out = synth_render(s, RATE, 4 * ROW, 256);
        uint32_t at = 0;
        CHECK(onsets(out, 4 * ROW, 0, &at, 1) == 1);
        CHECK_MSG(at == want[solo], "channel %d at %u, want %u", solo + 1, at, want[solo]);
        free(out);
    }
    song_free(s);
}

/* A change reaches the next row while the song plays, without a stop. */
static void swing_changes_while_playing(void)
{
    Song *s = clicks_swung(8, 54, 16);
    Engine *e = engine_new(s, RATE);
    engine_play_song_now(e, 0, 0, false);
    float *out = calloc(2 * (size_t)8 * ROW, sizeof *out);
    engine_render(e, out, 2 * ROW + 100); /* row 1 played at 54% */
    atomic_store(&s->strips[0].groove[SONG_GROOVE_SWING], 66);
    engine_render(e, out + 2 * (size_t)(2 * ROW + 100), 6 * ROW - 100);
    uint32_t at[8];
    CHECK(onsets(out, 8 * ROW, 0, at, 8) == 8);
    CHECK_MSG(at[1] == 54 * 2 * ROW / 100, "row 1 at %u", at[1]);
    CHECK_MSG(at[3] == 2 * ROW + 66 * 2 * ROW / 100, "row 3 at %u", at[3]);
    CHECK(at[2] == 2 * ROW && at[4] == 4 * ROW);
    free(out);
    engine_free(e);
    song_free(s);
}

static float *humanized(uint32_t seed, int ms, int vel, uint32_t frames)
{
    Song *s = click_song(1, 64);
    for (int r = 0; r < 64; r++)
        synth_put(s, 0, r, 0, NOTE_C4, 1, 0x20, 0, 0);
    set_groove(s->groove, 50, 16, ms, vel);
    atomic_store(&s->groove[SONG_GROOVE_SEED], (int)seed);
    float *out = synth_render(s, RATE, frames, 256);
    song_free(s);
    return out;
}

/* Every note comes 0..20 ms late and at 75..125% of its level; they spread
 * over most of that, and the same seed gives the same render. */
static void humanize_spreads_within_its_setting(void)
{
    uint32_t frames = 64 * ROW;
    float *out = humanized(1234, 20, 25, frames);
    uint32_t at[64];
    CHECK(onsets(out, frames, 0, at, 64) == 64);
    uint32_t late_max = 20 * RATE / 1000, least = UINT32_MAX, most = 0;
    float low = 10, high = 0;
    for (int r = 0; r < 64; r++) {
        uint32_t late = at[r] - (uint32_t)r * ROW;
        CHECK_MSG(at[r] >= (uint32_t)r * ROW && late <= late_max, "row %d %u late", r, late);
        least = late < least ? late : least;
        most = late > most ? late : most;
        /* volume 0x20 of a 0.5 DC: 0.25 written */
        float level = out[2 * (at[r] + CLICK / 2)] / 0.25f;
        CHECK_MSG(level >= 0.75f - 1e-5f && level <= 1.25f + 1e-5f, "row %d level %f", r,
                  level);
        low = level < low ? level : low;
        high = level > high ? level : high;
    }
    CHECK_MSG(most - least > late_max / 2, "timing spread %u..%u", least, most);
    CHECK_MSG(high - low > 0.25f, "level spread %f..%f", low, high);
    float *again = humanized(1234, 20, 25, frames);
    CHECK(memcmp(out, again, sizeof(float) * 2 * frames) == 0);
    float *other = humanized(1235, 20, 25, frames);
    CHECK(memcmp(out, other, sizeof(float) * 2 * frames) != 0);
    uint32_t other_at[64];
    CHECK(onsets(other, frames, 0, other_at, 64) == 64);
    int moved = 0;
    for (int r = 0; r < 64; r++)
        moved += other_at[r] != at[r];
    CHECK_MSG(moved > 32, "another seed moved %d of 64 notes", moved);
    free(out);
    free(again);
    free(other);
}

/* Rows keep their frames: the scan (render's length, JACK's bar/beat/tick)
 * is the same with a groove; a swung note on the last row still sounds
 * after the song's end, on its frame. */
static void rows_keep_their_frames_and_the_last_note_comes(void)
{
    Song *s = click_song(1, 4);
    synth_put(s, 0, 3, 0, NOTE_C4, 1, E, 0, 0);
    TimingScan straight, swung;
    CHECK(timing_scan(s, RATE, false, &straight) == HISS_OK);
    own_groove(s, 0, 75, 16, 30, 0);
    CHECK(timing_scan(s, RATE, false, &swung) == HISS_OK);
    CHECK(straight.end_frame == 4 * ROW && swung.end_frame == straight.end_frame);
    for (int i = 0; i < swung.count; i++)
        CHECK(swung.rows[i].frame == straight.rows[i].frame);
    timing_deinit(&straight);
    timing_deinit(&swung);
    float *out = synth_render(s, RATE, 6 * ROW, 256);
    uint32_t at = 0;
    CHECK(onsets(out, 6 * ROW, 0, &at, 1) == 1);
    uint32_t earliest = 3 * ROW + ROW / 2, latest = earliest + 30 * RATE / 1000;
    CHECK_MSG(at >= earliest && at <= latest, "last note at %u", at);
    free(out);
    song_free(s);
}

/* A note held past the row where the song lost its channel is dropped,
 * not played on a channel nothing releases. With 8 rows a beat, 75% on
 * 8ths holds row 4 back two rows; the channel goes as row 5 starts. */
static void a_removed_channel_drops_its_held_note(void)
{
    Song *s = click_song(2, 8);
    atomic_store(&s->rows_per_beat, 8);
    synth_put(s, 0, 4, 1, NOTE_C4, 1, E, 0, 0);
    own_groove(s, 1, 75, 8, 0, 0);
    Engine *e = engine_new(s, RATE);
    engine_play_song_now(e, 0, 0, false);
    float *out = calloc(2 * (size_t)8 * ROW, sizeof *out);
    engine_render(e, out, 4 * ROW + 100); /* row 4 started: its note waits */
    atomic_store(&s->channels, 1);
    engine_render(e, out + 2 * (size_t)(4 * ROW + 100), 4 * ROW - 100);
    CHECK(synth_peak(out, 0, 8 * ROW, 0) == 0.0f);
    CHECK(atomic_load(&engine_status(e)->notes_held) == 0);
    free(out);
    engine_free(e);
    song_free(s);
}

static void groove_survives_the_song_file(void)
{
    static const char text[] =
        "hiss 1\ntitle \"\"\nbpm 120\nspeed 6\nrows_per_beat 4\nswing 0\n"
        "master_gain 0.0\nlimiter on\nchannels 3\n"
        "channel_groove 01 swing 50 grid 16 human_ms 0 human_vel 0\n"
        "channel_groove 03 swing 66 grid 8 human_ms 12 human_vel 30\n"
        "groove swing 58 grid 16 human_ms 0 human_vel 10 seed 4242\n"
        "\norder 00\n\npattern 00 1\n"
        "000 |... .. .. ... ...|... .. .. ... ...|... .. .. ... ...|\n";
    Song *s = NULL;
    HissDiag diag = {0};
    CHECK_MSG(songfile_parse(text, sizeof text - 1, "g.hiss", &s, &diag) == HISS_OK, "%s",
              diag.text);
    if (!s)
        return;
    int g[SONG_GROOVE_PARAMS];
    song_channel_groove(s, 1, g);
    CHECK(g[SONG_GROOVE_SWING] == 58 && g[SONG_GROOVE_HUMAN_VEL] == 10);
    song_channel_groove(s, 0, g);
    CHECK(g[SONG_GROOVE_SWING] == 50 && g[SONG_GROOVE_HUMAN_VEL] == 0);
    song_channel_groove(s, 2, g);
    CHECK(g[SONG_GROOVE_SWING] == 66 && g[SONG_GROOVE_GRID] == 8 &&
          g[SONG_GROOVE_HUMAN_MS] == 12);
    CHECK(atomic_load(&s->groove[SONG_GROOVE_SEED]) == 4242);
    char *saved = NULL;
    size_t len = 0;
    CHECK(songfile_format(s, &saved, &len) == HISS_OK);
    CHECK_MSG(saved && len == sizeof text - 1 && memcmp(saved, text, len) == 0, "%s", saved);
    free(saved);
    song_free(s);

    static const char bad[] = "hiss 1\nchannel_groove 02 swing 60 grid 12\n";
    s = NULL;
    CHECK(songfile_parse(bad, sizeof bad - 1, "bad.hiss", &s, &diag) != HISS_OK && !s);
    CHECK_MSG(strstr(diag.text, "bad.hiss:2:") && strstr(diag.text, "8 or 16"), "%s",
              diag.text);
    static const char high[] = "hiss 1\ngroove swing 80\n";
    CHECK(songfile_parse(high, sizeof high - 1, "high.hiss", &s, &diag) != HISS_OK && !s);
    CHECK_MSG(strstr(diag.text, "high.hiss:2:"), "%s", diag.text);
}

/* Groove edits are one undo step each; a channel given its own starts
 * from the song's, and bad values change nothing. */
static void groove_edits_undo_in_one_step(void)
{
    Song *s = song_new();
    Editor *ed = edit_new(s, NULL, NULL);
    CHECK(edit_groove_set(ed, -1, SONG_GROOVE_HUMAN_MS, 12) == HISS_OK);
    CHECK(edit_groove_set(ed, 1, SONG_GROOVE_SWING, 62) == HISS_OK);
    int g[SONG_GROOVE_PARAMS];
    song_channel_groove(s, 1, g);
    CHECK(g[SONG_GROOVE_SWING] == 62 && g[SONG_GROOVE_HUMAN_MS] == 12 &&
          atomic_load(&s->strips[1].groove_own));
    int all[SONG_GROOVE_PARAMS] = {66, 8, 5, 20};
    CHECK(edit_groove_set_all(ed, 1, all) == HISS_OK);
    int bad[SONG_GROOVE_PARAMS] = {66, 12, 5, 20};
    CHECK(edit_groove_set_all(ed, 1, bad) == HISS_ERR_RANGE);
    CHECK(edit_groove_set(ed, 1, SONG_GROOVE_SWING, 76) == HISS_ERR_RANGE);
    CHECK(edit_groove_set(ed, -1, SONG_GROOVE_SEED, 77) == HISS_OK);
    CHECK(atomic_load(&s->groove[SONG_GROOVE_SEED]) == 77);
    CHECK(edit_undo(ed) == HISS_OK); /* the seed */
    CHECK(edit_undo(ed) == HISS_OK); /* the whole typed groove */
    song_channel_groove(s, 1, g);
    CHECK(g[SONG_GROOVE_SWING] == 62 && g[SONG_GROOVE_GRID] == 16 &&
          g[SONG_GROOVE_HUMAN_VEL] == 0);
    CHECK(edit_groove_follow_song(ed, 1) == HISS_OK);
    CHECK(!atomic_load(&s->strips[1].groove_own));
    CHECK(edit_undo(ed) == HISS_OK);
    CHECK(atomic_load(&s->strips[1].groove_own));
    CHECK(edit_undo(ed) == HISS_OK); /* the channel's first own setting */
    CHECK(!atomic_load(&s->strips[1].groove_own));
    CHECK(atomic_load(&s->groove[SONG_GROOVE_HUMAN_MS]) == 12);
    edit_free(ed);
    song_free(s);
}

int main(void)
{
    RUN(swing_puts_the_off_note_at_its_percent_of_the_pair);
    RUN(eighth_swing_moves_the_off_eighth);
    RUN(channels_swing_apart_and_follow_the_song);
    RUN(swing_changes_while_playing);
    RUN(humanize_spreads_within_its_setting);
    RUN(rows_keep_their_frames_and_the_last_note_comes);
    RUN(a_removed_channel_drops_its_held_note);
    RUN(groove_survives_the_song_file);
    RUN(groove_edits_undo_in_one_step);
    return test_finish();
}
