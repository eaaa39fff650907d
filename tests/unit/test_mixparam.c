/* The mix settings the mixer page edits (mixparam): the table matches the
 * song it describes, every setting changes as one undo step and is saved
 * in the song, bad values change nothing, and a change reaches a playing
 * engine within the next block, measured on its output. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/synth_song.h"
#include "edit.h"
#include "engine.h"
#include "mixparam.h"
#include "songfile.h"
#include "test.h"

#define RATE 48000u
enum { CH = 2 }; /* a channel that is not the first */

/* Calls fn on every setting: each group, for the per-channel ones on
 * channel CH (and the EQ on the master too). */
static int each_param(void (*fn)(MixParam p, void *ctx), void *ctx)
{
    int n = 0;
    for (int g = 0; g < MIXPARAM_GROUPS; g++)
        for (int i = 0; i < mixparam_count((MixparamGroup)g); i++) {
            MixParam p = {(MixparamGroup)g, CH, i};
            fn(p, ctx);
            n++;
            if (g == MIXPARAM_EQ) {
                p.channel = MIXPARAM_MASTER_CHANNEL;
                fn(p, ctx);
                n++;
            }
        }
    return n;
}

/* A value the setting can take other than its default. */
static int other_value(MixParam p)
{
    const SongParamInfo *info = mixparam_info(p);
    if (info->kind == SONG_PARAM_NOTE)
        return info->def == song_note_value_code(4, SONG_NOTE_STRAIGHT)
                   ? song_note_value_code(16, SONG_NOTE_TRIPLET)
                   : song_note_value_code(4, SONG_NOTE_STRAIGHT);
    return info->def == info->max ? info->min : info->max;
}

static void check_default(MixParam p, void *song)
{
    const SongParamInfo *info = mixparam_info(p);
    CHECK_MSG(info && mixparam_get(song, p) == info->def,
              "group %d field %d (%s): the new song holds %d, the table says %d", p.group,
              p.index, info ? info->name : "?", mixparam_get(song, p), info ? info->def : 0);
}

/* The table's defaults are what a new song holds, field by field: the
 * table and the song describe the same settings. */
static void every_default_is_the_new_songs(void)
{
    Song *s = song_new();
    CHECK(each_param(check_default, s) > 40);
    song_free(s);
}

static void set_other(MixParam p, void *ed)
{
    HissError err = edit_mix_set(ed, p, other_value(p));
    CHECK_MSG(err == HISS_OK, "group %d field %d: %s", p.group, p.index, hiss_strerror(err));
}

typedef struct {
    const Song *song;
    int differ; /* settings away from their default */
} Count;

static void count_changed(MixParam p, void *ctx)
{
    Count *c = ctx;
    c->differ += mixparam_get(c->song, p) != mixparam_info(p)->def;
}

static int changed_in(const Song *s)
{
    Count c = {s, 0};
    each_param(count_changed, &c);
    return c.differ;
}

static void check_same(MixParam p, void *songs)
{
    Song *const *pair = songs;
    CHECK_MSG(mixparam_get(pair[0], p) == mixparam_get(pair[1], p),
              "group %d field %d (%s): %d saved, %d loaded", p.group, p.index,
              mixparam_info(p)->name, mixparam_get(pair[0], p), mixparam_get(pair[1], p));
}

/* Every setting moved off its default: each one is in the saved song and
 * loads back the same; each undo takes back exactly one, redo brings it
 * back. */
static void each_change_is_one_undo_step_and_saved(void)
{
    Song *s = song_new();
    Editor *ed = edit_new(s, NULL, NULL);
    int total = each_param(set_other, ed);
    CHECK(changed_in(s) == total);

    char *text = NULL;
    size_t len = 0;
    Song *back = NULL;
    HissDiag diag = {0};
    CHECK(songfile_format(s, &text, &len) == HISS_OK);
    CHECK_MSG(songfile_parse(text, len, "mix.hiss", &back, &diag) == HISS_OK, "%s",
              diag.text);
    if (back) {
        Song *pair[2] = {s, back};
        each_param(check_same, pair);
        song_free(back);
    }
    free(text);

    for (int k = 1; k <= total; k++) {
        CHECK(edit_undo(ed) == HISS_OK);
        CHECK_MSG(changed_in(s) == total - k, "after %d undos %d settings differ", k,
                  changed_in(s));
    }
    CHECK(edit_redo(ed) == HISS_OK && changed_in(s) == 1);
    edit_free(ed);
    song_free(s);
}

/* Out of range, an invalid note value or a setting that does not exist:
 * refused, and neither the song nor the history changes. */
static void bad_values_change_nothing(void)
{
    Song *s = song_new();
    Editor *ed = edit_new(s, NULL, NULL);
    MixParam decay = {MIXPARAM_REVERB, 0, SONG_REVERB_DECAY};
    MixParam time = {MIXPARAM_DELAY, 0, SONG_DELAY_TIME};
    MixParam q = {MIXPARAM_EQ, MIXPARAM_MASTER_CHANNEL, MIXPARAM_EQ_MID_Q};
    CHECK(edit_mix_set(ed, decay, 301) == HISS_ERR_RANGE);
    CHECK(edit_mix_set(ed, decay, 0) == HISS_ERR_RANGE);
    CHECK(edit_mix_set(ed, time, song_note_value_code(3, 0)) == HISS_ERR_RANGE);
    CHECK(edit_mix_set(ed, q, 0) == HISS_ERR_RANGE);
    CHECK(edit_mix_set(ed, (MixParam){MIXPARAM_COMP, SONG_MAX_CHANNELS, 0}, 1) ==
          HISS_ERR_RANGE);
    CHECK(edit_mix_set(ed, (MixParam){MIXPARAM_COMP, MIXPARAM_MASTER_CHANNEL, 0}, 1) ==
          HISS_ERR_RANGE);
    CHECK(edit_mix_set(ed, (MixParam){MIXPARAM_GROUPS, 0, 0}, 1) == HISS_ERR_RANGE);
    CHECK(edit_mix_set(ed, (MixParam){MIXPARAM_TAPE, 0, SONG_TAPE_PARAMS}, 1) ==
          HISS_ERR_RANGE);
    CHECK(changed_in(s) == 0);
    CHECK(edit_undo(ed) == HISS_ERR_MISSING);
    /* The same value again is no new step. */
    CHECK(edit_mix_set(ed, decay, mixparam_get(s, decay)) == HISS_OK);
    CHECK(edit_undo(ed) == HISS_ERR_MISSING);
    edit_free(ed);
    song_free(s);
}

/* The peak |left sample| over [from, from + count). */
static double left_peak(const float *x, uint32_t from, uint32_t count)
{
    double p = 0;
    for (uint32_t f = from; f < from + count; f++)
        p = fmax(p, fabs(x[2 * f]));
    return p;
}

/* A change made while the engine plays is heard at once: a 1 kHz sine
 * through channel 1's EQ drops 12 dB when its mid band is set to -12 dB
 * (at its default 1 kHz), and comes back when the change is undone. */
static void changes_reach_a_playing_engine(void)
{
    Song *s = synth_song(2, 64, 120, 6);
    synth_set_instrument(s, 1, synth_instrument(synth_sine(RATE, 1000.0, 48, 1, 0.5f),
                                                LOOP_FORWARD, 0, 48, INTERP_LINEAR));
    synth_put(s, 0, 0, 0, 49, 1, 64, 0, 0);
    atomic_store(&s->strips[0].gain_tenth_db, 0);
    Editor *ed = edit_new(s, NULL, NULL);
    Engine *e = engine_new(s, RATE);
    engine_play_song_now(e, 0, 0, false);
    enum { BLOCK = 4800 };
    float out[2 * BLOCK];
    for (int i = 0; i < 3; i++)
        engine_render(e, out, BLOCK);
    double before = left_peak(out, BLOCK / 2, BLOCK / 2);

    CHECK(edit_mix_set(ed, (MixParam){MIXPARAM_EQ, 0, MIXPARAM_EQ_MID_DB}, -120) == HISS_OK);
    engine_render(e, out, BLOCK); /* the filter settles */
    engine_render(e, out, BLOCK);
    double cut = left_peak(out, 0, BLOCK);
    CHECK_MSG(fabs(20 * log10(cut / before) + 12.0) < 0.5, "the mid band cut %.2f dB",
              20 * log10(cut / before));

    CHECK(edit_undo(ed) == HISS_OK);
    engine_render(e, out, BLOCK);
    engine_render(e, out, BLOCK);
    CHECK_NEAR(20 * log10(left_peak(out, 0, BLOCK) / before), 0.0, 0.1);
    engine_free(e);
    edit_free(ed);
    song_free(s);
}

int main(void)
{
    RUN(every_default_is_the_new_songs);
    RUN(each_change_is_one_undo_step_and_saved);
    RUN(bad_values_change_nothing);
    RUN(changes_reach_a_playing_engine);
    return test_finish();
}
