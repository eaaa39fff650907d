/* The undo history on its own: ordering, limits, merging, state ids; and
 * its default depth through the editor's own edit functions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edit.h"
#include "songfile.h"
#include "test.h"
#include "undo.h"

static UndoStep *cell_step(int row, uint64_t before, uint64_t after)
{
    UndoStep *s = undo_step_new();
    CHECK(undo_step_add_cell(s, 0, row, 0, before, after) == HISS_OK);
    return s;
}

static void back_and_forward_in_order(void)
{
    UndoHistory h;
    undo_init(&h, 0, 0);
    CHECK(h.max_steps == UNDO_DEFAULT_STEPS && h.max_bytes == UNDO_DEFAULT_BYTES);
    CHECK(!undo_can_undo(&h) && !undo_can_redo(&h));
    CHECK(undo_back(&h) == NULL && undo_forward(&h) == NULL);
    for (int i = 0; i < 5; i++)
        CHECK(undo_push(&h, cell_step(i, 0, (uint64_t)i + 1)) != 0);
    CHECK(undo_depth(&h) == 5);
    const UndoStep *s = undo_back(&h);
    CHECK(s && s->changes[0].u.cells.items[0].row == 4);
    s = undo_back(&h);
    CHECK(s && s->changes[0].u.cells.items[0].row == 3);
    CHECK(undo_can_redo(&h));
    s = undo_forward(&h);
    CHECK(s && s->changes[0].u.cells.items[0].row == 3);
    /* A new step drops what could be redone. */
    undo_push(&h, cell_step(9, 0, 1));
    CHECK(!undo_can_redo(&h));
    CHECK(undo_depth(&h) == 5);
    s = undo_back(&h);
    CHECK(s && s->changes[0].u.cells.items[0].row == 9);
    s = undo_back(&h);
    CHECK(s && s->changes[0].u.cells.items[0].row == 3);
    /* Cancelling puts the position back. */
    undo_cancel_back(&h);
    CHECK(undo_depth(&h) == 4);
    s = undo_forward(&h);
    CHECK(s && s->changes[0].u.cells.items[0].row == 9);
    undo_cancel_forward(&h);
    CHECK(undo_depth(&h) == 4 && undo_can_redo(&h));
    undo_deinit(&h);
}

/* A joined step is the newest one grown by the changes, under a new id,
 * its bytes counted; only the newest joins, and not once it was undone. */
static void a_step_joins_only_the_newest(void)
{
    UndoHistory h;
    undo_init(&h, 0, 0);
    uint64_t first = undo_push(&h, cell_step(1, 0, 1));
    uint64_t tempo = undo_push(&h, cell_step(2, 0, 1));
    CHECK(undo_push_joining(&h, cell_step(3, 0, 1), first) != first);
    CHECK(undo_depth(&h) == 3); /* not the newest: a step of its own */
    CHECK(undo_back(&h) != NULL && undo_state_id(&h) == tempo);
    CHECK(undo_push_joining(&h, cell_step(4, 0, 1), tempo) != tempo);
    CHECK(undo_depth(&h) == 3 && !undo_can_redo(&h)); /* undone: its own */
    uint64_t newest = undo_state_id(&h);
    size_t bytes = h.bytes;
    UndoStep *more = cell_step(5, 0, 1);
    size_t more_bytes = more->bytes;
    uint64_t joined = undo_push_joining(&h, more, newest);
    CHECK(undo_depth(&h) == 3 && joined > newest && undo_state_id(&h) == joined);
    CHECK(h.bytes > bytes && h.bytes < bytes + more_bytes); /* the shell went */
    const UndoStep *s = undo_back(&h);
    CHECK(s && s->count == 2 && s->changes[0].u.cells.items[0].row == 4 &&
          s->changes[1].u.cells.items[0].row == 5);
    undo_deinit(&h);
}

static void empty_steps_are_not_kept(void)
{
    UndoHistory h;
    undo_init(&h, 10, 0);
    CHECK(undo_push(&h, undo_step_new()) == 0);
    CHECK(undo_depth(&h) == 0);
    CHECK(undo_step_is_empty(NULL));
    undo_deinit(&h);
}

static void repeated_cell_keeps_first_before(void)
{
    UndoStep *s = undo_step_new();
    CHECK(undo_step_add_cell(s, 2, 5, 1, 10, 20) == HISS_OK);
    CHECK(undo_step_add_cell(s, 2, 6, 1, 11, 21) == HISS_OK);
    CHECK(undo_step_add_cell(s, 2, 5, 1, 20, 30) == HISS_OK);
    CHECK(s->count == 1);
    CHECK(s->changes[0].u.cells.count == 2);
    CHECK(s->changes[0].u.cells.items[0].before == 10);
    CHECK(s->changes[0].u.cells.items[0].after == 30);
    /* Another pattern is another change. */
    CHECK(undo_step_add_cell(s, 3, 5, 1, 1, 2) == HISS_OK);
    CHECK(s->count == 2);
    /* Many cells grow the record and its byte count. */
    size_t bytes = s->bytes;
    for (int r = 0; r < 256; r++)
        CHECK(undo_step_add_cell(s, 3, r, 7, 0, 1) == HISS_OK);
    CHECK(s->changes[1].u.cells.count == 257);
    CHECK(s->bytes > bytes + 256 * sizeof(UndoCell) / 2);
    undo_step_free(s);
}

static void step_limit_drops_oldest(void)
{
    UndoHistory h;
    undo_init(&h, 3, 0);
    uint64_t first = undo_push(&h, cell_step(0, 0, 1));
    for (int i = 1; i < 10; i++)
        undo_push(&h, cell_step(i, 0, 1));
    CHECK(h.count == 3 && undo_depth(&h) == 3);
    CHECK(h.steps[0]->changes[0].u.cells.items[0].row == 7);
    CHECK(undo_state_id(&h) != first);
    /* Lowering the limit drops more. */
    undo_set_limits(&h, 1, 0);
    CHECK(h.count == 1);
    CHECK(h.steps[0]->changes[0].u.cells.items[0].row == 9);
    undo_deinit(&h);
}

static void byte_limit_keeps_newest(void)
{
    UndoHistory h;
    undo_init(&h, 100, 1);
    for (int i = 0; i < 5; i++) {
        UndoStep *s = undo_step_new();
        CHECK(undo_step_add_pattern(s, 0, song_pattern_new(64, 4),
                                    song_pattern_new(32, 4)) == HISS_OK);
        undo_push(&h, s);
    }
    /* Far over budget, but the newest step always stays. */
    CHECK(h.count == 1 && undo_can_undo(&h));
    CHECK(h.steps[0]->changes[0].u.pattern.after->rows == 32);
    size_t one = h.bytes;
    CHECK(one > 64 * 4 * sizeof(uint64_t));
    undo_set_limits(&h, 100, one * 3 + one / 2);
    for (int i = 0; i < 5; i++) {
        UndoStep *s = undo_step_new();
        CHECK(undo_step_add_pattern(s, 0, song_pattern_new(64, 4),
                                    song_pattern_new(32, 4)) == HISS_OK);
        undo_push(&h, s);
    }
    CHECK(h.count == 3);
    CHECK(h.bytes <= one * 3 + one / 2);
    undo_deinit(&h);
}

static void instrument_snapshots_count_their_samples(void)
{
    float data[4096] = {0};
    Instrument *a = song_instrument_new();
    a->sample = sample_new(data, 4096, 1, 48000);
    Instrument *b = song_instrument_clone(a);
    UndoStep *s = undo_step_new();
    size_t before = s->bytes;
    CHECK(undo_step_add_instrument(s, 1, a, b) == HISS_OK);
    CHECK(s->bytes >= before + 2 * 4096 * sizeof(float));
    undo_step_free(s); /* frees both clones and the sample */
}

static void state_ids_tell_states_apart(void)
{
    UndoHistory h;
    undo_init(&h, 10, 0);
    uint64_t start = undo_state_id(&h);
    uint64_t a = undo_push(&h, cell_step(0, 0, 1));
    CHECK(a != start && undo_state_id(&h) == a);
    uint64_t b = undo_push(&h, cell_step(1, 0, 1));
    CHECK(b != a);
    undo_back(&h);
    CHECK(undo_state_id(&h) == a);
    undo_back(&h);
    CHECK(undo_state_id(&h) == start);
    uint64_t c = undo_push(&h, cell_step(2, 0, 1));
    CHECK(c != a && c != b && c != start);
    undo_clear(&h);
    CHECK(!undo_can_undo(&h));
    CHECK(undo_state_id(&h) != start && undo_state_id(&h) != c);
    undo_deinit(&h);
}

static void resize_keeps_a_copy_only_when_cells_are_cut(void)
{
    Pattern *p = song_pattern_new(16, 4);
    UndoStep *s = undo_step_new();
    CHECK(undo_step_add_resize(s, 0, p, 32, 8) == HISS_OK); /* grow */
    CHECK(undo_step_add_resize(s, 0, p, 8, 2) == HISS_OK);  /* cut, all empty */
    CHECK(s->changes[0].u.resize.before == NULL);
    CHECK(s->changes[1].u.resize.before == NULL);
    Cell c = song_cell_empty();
    c.volume = 3;
    song_pattern_set(p, 3, 3, c); /* inside 8 rows, outside 2 channels */
    CHECK(undo_step_add_resize(s, 0, p, 8, 4) == HISS_OK);
    CHECK(s->changes[2].u.resize.before == NULL);
    CHECK(undo_step_add_resize(s, 0, p, 8, 2) == HISS_OK);
    const Pattern *kept = s->changes[3].u.resize.before;
    CHECK(kept && kept != p && kept->rows == 16 && kept->channels == 4);
    CHECK(kept && song_pattern_get(kept, 3, 3).volume == 3);
    CHECK(s->changes[3].u.resize.rows_before == 16);
    CHECK(s->changes[3].u.resize.channels_after == 2);
    undo_step_free(s);
    song_pattern_free(p);
}

static void a_cell_step_is_small(void)
{
    UndoStep *s = cell_step(3, 1, 2);
    printf("     one-cell step: %zu bytes\n", s->bytes);
    CHECK(s->bytes <= 160);
    undo_step_free(s);
}

static char *song_text(const Song *song)
{
    char *text = NULL;
    size_t len = 0;
    CHECK(songfile_format(song, &text, &len) == HISS_OK);
    return text ? text : calloc(1, 1);
}

/* "Undo keeps 2000 steps by default", through the editor: 2100 note
 * entries (each a different cell from the one before, each a different
 * note from what the cell held, so no two merge and none is empty), then
 * 2000 undos give back exactly the song as it was after the first 100,
 * and the 2001st says there is nothing left to undo. */
static void the_editor_undoes_2000_steps_by_default(void)
{
    enum { EDITS = 2100, KEPT = 2000, ROWS = 64, CHANNELS = 4 };
    Song *song = song_new();
    Editor *ed = edit_new(song, NULL, NULL);
    edit_set_edit_mode(ed, true);
    edit_set_step(ed, 0);
    char *after_100 = NULL;
    int refused = 0;
    for (int i = 0; i < EDITS; i++) {
        int cell = i % (ROWS * CHANNELS), pass = i / (ROWS * CHANNELS);
        edit_cursor_set(ed, (EditCursor){0, cell % ROWS, cell / ROWS, EDIT_COL_NOTE});
        refused += edit_note_from_key_offset(ed, pass % 24) != HISS_OK;
        if (i + 1 == EDITS - KEPT)
            after_100 = song_text(song);
    }
    CHECK(refused == 0);
    char *after_all = song_text(song);
    CHECK(strcmp(after_all, after_100) != 0);
    int undone = 0;
    while (undone < KEPT && edit_undo(ed) == HISS_OK)
        undone++;
    CHECK_MSG(undone == KEPT, "%d undos", undone);
    char *restored = song_text(song);
    CHECK_MSG(strcmp(restored, after_100) == 0, "the song after %d undos is not the song "
              "after the first %d edits", undone, EDITS - KEPT);
    CHECK(edit_undo(ed) == HISS_ERR_MISSING);
    CHECK(!edit_can_undo(ed));
    free(after_100);
    free(after_all);
    free(restored);
    edit_free(ed);
    song_free(song);
}

/* A knob sweep is one undo step: the steps of one gesture (the same
 * merge key) join while each changes only what the last changed; another
 * edit, an undo or another key starts a new step; a save made during the
 * sweep no longer matches once it goes on. */
static void a_sweep_of_one_setting_is_one_step(void)
{
    Song *song = song_new();
    Editor *ed = edit_new(song, NULL, NULL);
    Instrument *inst = song_instrument_new();
    CHECK(inst && edit_instrument_replace(ed, 1, inst) == HISS_OK);
    int depth = undo_depth(&ed->history);
    int cutoff = song_instrument(song, 1)->shape[SHAPE_CUTOFF];
    MixParam gain = {MIXPARAM_STRIP, 1, EDIT_STRIP_GAIN};
    int gain_was = mixparam_get(song, gain);

    edit_merge_with(ed, 7);
    for (int hz = 100; hz <= 3000; hz += 100)
        CHECK(edit_instrument_set_shape(ed, 1, SHAPE_CUTOFF, hz) == HISS_OK);
    ed->saved_state = undo_state_id(&ed->history);
    CHECK(edit_instrument_set_shape(ed, 1, SHAPE_CUTOFF, 5000) == HISS_OK);
    CHECK_MSG(undo_depth(&ed->history) == depth + 1, "%d steps for one sweep",
              undo_depth(&ed->history) - depth);
    CHECK(ed->saved_state != undo_state_id(&ed->history));
    /* A fader on the same gesture is another setting: its own step, and
     * its sweep (the strip lives in the settings snapshot) is one. */
    for (int v = -100; v <= 0; v += 10)
        CHECK(edit_mix_set(ed, gain, v) == HISS_OK);
    CHECK(undo_depth(&ed->history) == depth + 2);
    edit_merge_with(ed, 0);
    CHECK(edit_undo(ed) == HISS_OK);
    CHECK(mixparam_get(song, gain) == gain_was);
    CHECK(song_instrument(song, 1)->shape[SHAPE_CUTOFF] == 5000);
    CHECK(edit_undo(ed) == HISS_OK);
    CHECK_MSG(song_instrument(song, 1)->shape[SHAPE_CUTOFF] == cutoff,
              "one undo left the cutoff at %d Hz", song_instrument(song, 1)->shape[SHAPE_CUTOFF]);
    CHECK(edit_redo(ed) == HISS_OK);
    CHECK(song_instrument(song, 1)->shape[SHAPE_CUTOFF] == 5000);

    /* After an undo or redo the same key starts afresh. */
    edit_merge_with(ed, 7);
    CHECK(edit_instrument_set_shape(ed, 1, SHAPE_CUTOFF, 800) == HISS_OK);
    CHECK(edit_instrument_set_shape(ed, 1, SHAPE_CUTOFF, 900) == HISS_OK);
    CHECK(undo_depth(&ed->history) == depth + 2);
    /* An edit without the key in between ends the sweep. */
    edit_merge_with(ed, 0);
    CHECK(edit_mix_set(ed, gain, -50) == HISS_OK);
    edit_merge_with(ed, 7);
    CHECK(edit_instrument_set_shape(ed, 1, SHAPE_CUTOFF, 1000) == HISS_OK);
    CHECK(undo_depth(&ed->history) == depth + 4);
    /* Another key (another knob, or the same one after a pause) too. */
    edit_merge_with(ed, 8);
    CHECK(edit_instrument_set_shape(ed, 1, SHAPE_CUTOFF, 1100) == HISS_OK);
    CHECK(undo_depth(&ed->history) == depth + 5);
    edit_merge_with(ed, 0);
    CHECK(edit_undo(ed) == HISS_OK);
    CHECK(song_instrument(song, 1)->shape[SHAPE_CUTOFF] == 1000);
    edit_free(ed);
    song_free(song);
}

/* Undo and redo name the step moved through, with values in the
 * direction the song moves: a tempo, notes in a pattern, a channel's
 * name, a mix setting. */
static void a_step_says_what_it_changes(void)
{
    Song *song = song_new();
    Editor *ed = edit_new(song, NULL, NULL);
    edit_set_edit_mode(ed, true);
    char text[160];
    int bpm = atomic_load(&song->bpm_tenths);
    CHECK(edit_song_set_bpm_tenths(ed, 941) == HISS_OK);
    CHECK(edit_undo(ed) == HISS_OK);
    undo_step_describe(undo_next_redo(&ed->history), true, text, sizeof text);
    char want[80];
    snprintf(want, sizeof want, "tempo 94.1 -> %.1f BPM", bpm / 10.0);
    CHECK_MSG(strcmp(text, want) == 0, "undone: %s", text);
    CHECK(edit_redo(ed) == HISS_OK);
    undo_step_describe(undo_next_undo(&ed->history), false, text, sizeof text);
    snprintf(want, sizeof want, "tempo %.1f -> 94.1 BPM", bpm / 10.0);
    CHECK_MSG(strcmp(text, want) == 0, "redone: %s", text);

    UndoStep *notes = undo_step_new();
    for (int row = 0; row < 3; row++)
        CHECK(undo_step_add_cell(notes, 1, row, 0, song_cell_pack(song_cell_empty()),
                                 song_cell_pack((Cell){.note = NOTE_C4, .volume = VOLUME_EMPTY}))
              == HISS_OK);
    undo_step_describe(notes, true, text, sizeof text);
    CHECK_MSG(strcmp(text, "3 notes in pattern 01") == 0, "%s", text);
    undo_step_free(notes);

    CHECK(edit_strip_set_name(ed, 1, "bass") == HISS_OK);
    undo_step_describe(undo_next_undo(&ed->history), true, text, sizeof text);
    CHECK_MSG(strcmp(text, "channel 2 name") == 0, "%s", text);

    CHECK(edit_strip_set(ed, 0, EDIT_STRIP_PAN, -30) == HISS_OK);
    undo_step_describe(undo_next_undo(&ed->history), true, text, sizeof text);
    CHECK_MSG(strcmp(text, "channel 1 pan -30 -> 0") == 0, "%s", text);
    CHECK(edit_strip_set(ed, 0, EDIT_STRIP_MUTE, 1) == HISS_OK);
    undo_step_describe(undo_next_undo(&ed->history), false, text, sizeof text);
    CHECK_MSG(strcmp(text, "channel 1 mute off -> on") == 0, "%s", text);
    /* Undone, a switch says both ends too: a bare "on" read as the step
     * undone, not the state it left. */
    undo_step_describe(undo_next_undo(&ed->history), true, text, sizeof text);
    CHECK_MSG(strcmp(text, "channel 1 mute on -> off") == 0, "%s", text);

    /* Fewer channels take the strips of those removed: named once. */
    CHECK(edit_song_set_channels(ed, 6) == HISS_OK);
    CHECK(edit_strip_set_name(ed, 4, "break") == HISS_OK);
    CHECK(edit_song_set_channels(ed, 4) == HISS_OK);
    undo_step_describe(undo_next_undo(&ed->history), false, text, sizeof text);
    CHECK_MSG(strstr(text, "channels 6 -> 4") && strstr(text, "channel 5 strip"), "%s", text);
    CHECK(edit_undo(ed) == HISS_OK);
    CHECK(edit_strip_set_name(ed, 5, "clap") == HISS_OK);
    CHECK(edit_song_set_channels(ed, 4) == HISS_OK);
    undo_step_describe(undo_next_undo(&ed->history), true, text, sizeof text);
    CHECK_MSG(strstr(text, "channels 4 -> 6") && strstr(text, "2 channel strips") &&
                  !strstr(text, "channel 6 strip"),
              "%s", text);

    UndoStep *mix = undo_step_new();
    MixParam pan = {MIXPARAM_STRIP, 2, EDIT_STRIP_PAN};
    CHECK(undo_step_add_mix(mix, pan, 0, -30) == HISS_OK);
    undo_step_describe(mix, false, text, sizeof text);
    CHECK_MSG(strncmp(text, "channel 3 ", 10) == 0 && strstr(text, "0 -> -30"), "%s", text);
    /* However long, one line cut to the buffer. */
    char small[12];
    undo_step_describe(mix, true, small, sizeof small);
    CHECK(strlen(small) == sizeof small - 1 && !strchr(small, '\n'));
    undo_step_free(mix);
    edit_free(ed);
    song_free(song);
}

int main(void)
{
    RUN(back_and_forward_in_order);
    RUN(a_step_joins_only_the_newest);
    RUN(empty_steps_are_not_kept);
    RUN(repeated_cell_keeps_first_before);
    RUN(step_limit_drops_oldest);
    RUN(byte_limit_keeps_newest);
    RUN(instrument_snapshots_count_their_samples);
    RUN(state_ids_tell_states_apart);
    RUN(resize_keeps_a_copy_only_when_cells_are_cut);
    RUN(a_cell_step_is_small);
    RUN(the_editor_undoes_2000_steps_by_default);
    RUN(a_sweep_of_one_setting_is_one_step);
    RUN(a_step_says_what_it_changes);
    return test_finish();
}
