/* Random sequences of every kind of edit: after each step the whole song is
 * recorded; undoing walks back through exactly those states, redoing walks
 * forward through them again. Seeds are fixed, so failures repeat. */
#include <stdlib.h>
#include <string.h>

#include "edit.h"
#include "songfile.h"
#include "test.h"

typedef struct {
    unsigned char *data;
    size_t len, cap;
} Snap;

static void put_bytes(Snap *s, const void *p, size_t n)
{
    if (s->len + n > s->cap) {
        s->cap = (s->len + n) * 2 + 256;
        s->data = realloc(s->data, s->cap);
    }
    memcpy(s->data + s->len, p, n);
    s->len += n;
}

static void put_long(Snap *s, long v)
{
    put_bytes(s, &v, sizeof v);
}

static Snap snapshot(const Song *song)
{
    Snap s = {0};
    put_bytes(&s, song->title, sizeof song->title);
    put_long(&s, atomic_load(&song->bpm_tenths));
    put_long(&s, atomic_load(&song->speed));
    put_long(&s, atomic_load(&song->rows_per_beat));
    put_long(&s, atomic_load(&song->swing));
    put_long(&s, atomic_load(&song->master_gain_tenth_db));
    put_long(&s, atomic_load(&song->limiter));
    put_long(&s, atomic_load(&song->channels));
    /* Names of the channels a save writes. */
    for (int c = 0; c < atomic_load(&song->channels); c++)
        put_bytes(&s, song->strips[c].name, sizeof song->strips[c].name);
    int oc = atomic_load(&song->order_count);
    put_long(&s, oc);
    for (int i = 0; i < oc; i++)
        put_long(&s, atomic_load(&song->orders[i]));
    for (int i = 0; i < SONG_MAX_PATTERNS; i++) {
        const Pattern *p = song_pattern(song, i);
        put_long(&s, p ? (long)p->rows * 1000 + p->channels : -1);
        if (!p)
            continue;
        for (int r = 0; r < p->rows; r++)
            for (int c = 0; c < p->channels; c++) {
                uint64_t v = song_cell_pack(song_pattern_get(p, r, c));
                put_bytes(&s, &v, sizeof v);
            }
    }
    for (int i = 1; i <= SONG_MAX_INSTRUMENTS; i++) {
        const Instrument *in = song_instrument(song, i);
        put_long(&s, in ? 1 : 0);
        if (!in)
            continue;
        put_bytes(&s, in->name, sizeof in->name);
        long f[] = {in->volume, in->pan, in->base_note, in->finetune, in->loop,
                    (long)in->loop_start, (long)in->loop_end, in->interp};
        put_bytes(&s, f, sizeof f);
        put_bytes(&s, &in->sample, sizeof in->sample);
    }
    return s;
}

static bool snap_equal(const Snap *a, const Snap *b)
{
    return a->len == b->len && !memcmp(a->data, b->data, a->len);
}

static unsigned rng_state;

static int rnd(int n)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return (int)((rng_state >> 8) % (unsigned)n);
}

/* One random action; may or may not change the song. */
static void random_action(Editor *ed)
{
    switch (rnd(40)) {
    case 0: case 1: case 2: case 3:
        edit_note_from_key_offset(ed, rnd(30) - 2);
        break;
    case 4: edit_note_off(ed); break;
    case 5: edit_note_cut(ed); break;
    case 6: case 7: edit_hex_digit(ed, rnd(17)); break;
    case 8: edit_fx_letter(ed, "0AbRz#"[rnd(6)]); break;
    case 9: edit_type_char(ed, "zq2x9.aF"[rnd(8)]); break;
    case 10: edit_delete_field(ed); break;
    case 11: edit_delete_cell(ed); break;
    case 12: edit_insert_row(ed, rnd(2)); break;
    case 13: edit_delete_row(ed, rnd(2)); break;
    case 14: edit_cursor_right(ed); break;
    case 15: edit_cursor_left(ed); break;
    case 16: edit_cursor_down(ed); break;
    case 17: edit_cursor_goto_row(ed, rnd(300)); break;
    case 18: edit_cursor_next_channel(ed); break;
    case 19: edit_select_extend(ed, rnd(9) - 4, rnd(3) - 1); break;
    case 20: edit_mark_set(ed, rnd(80), rnd(6), rnd(80), rnd(6)); break;
    case 21: edit_mark_clear(ed); break;
    case 22: edit_block_copy(ed); break;
    case 23: edit_block_cut(ed); break;
    case 24: edit_block_paste(ed); break;
    case 25: edit_block_mix_paste(ed); break;
    case 26: edit_block_transpose(ed, (int[]){1, -1, 12, -12}[rnd(4)]); break;
    case 27: edit_block_interpolate_at_cursor(ed); break;
    case 28: edit_block_set_instrument(ed); break;
    case 29:
        if (rnd(3) == 0)
            edit_pattern_new(ed);
        else
            edit_pattern_clone(ed);
        break;
    case 30: edit_pattern_set_length(ed, 1 + rnd(100)); break;
    case 31:
        if (rnd(2))
            edit_pattern_next(ed);
        else
            edit_pattern_prev(ed);
        break;
    case 32:
        edit_order_goto(ed, rnd(6));
        switch (rnd(6)) {
        case 0: edit_order_insert(ed, rnd(8)); break;
        case 1: edit_order_delete(ed); break;
        case 2: edit_order_duplicate(ed); break;
        case 3: edit_order_duplicate_pattern(ed); break;
        case 4: edit_order_set(ed, rnd(8)); break;
        default: edit_order_step_pattern(ed, rnd(2) ? 1 : -1); break;
        }
        break;
    case 33:
        switch (rnd(8)) {
        case 0: edit_song_set_bpm_tenths(ed, 300 + rnd(2300)); break;
        case 1: edit_song_set_speed(ed, rnd(33)); break;
        case 2: edit_song_set_rows_per_beat(ed, rnd(34)); break;
        case 3: edit_song_set_swing(ed, rnd(102)); break;
        case 4: edit_song_set_master_gain(ed, rnd(800) - 650); break;
        case 5: edit_song_set_limiter(ed, rnd(2)); break;
        case 6: edit_strip_set_name(ed, rnd(10), rnd(3) ? "kick \"808\"" : ""); break;
        default: edit_song_set_title(ed, rnd(2) ? "a" : "bee"); break;
        }
        break;
    case 34: edit_song_set_channels(ed, 1 + rnd(8)); break;
    case 35: {
        int slot = 1 + rnd(3);
        switch (rnd(8)) {
        case 0: edit_instrument_replace(ed, slot, rnd(4) ? song_instrument_new() : NULL); break;
        case 1: edit_instrument_set_volume(ed, slot, rnd(70)); break;
        case 2: edit_instrument_set_pan(ed, slot, rnd(220) - 110); break;
        case 3: edit_instrument_set_base_note(ed, slot, rnd(125)); break;
        case 4: edit_instrument_set_finetune(ed, slot, rnd(220) - 110); break;
        case 5: edit_instrument_set_loop(ed, slot, (LoopMode)rnd(3), (uint32_t)rnd(50), (uint32_t)rnd(100)); break;
        case 6: edit_instrument_set_interp(ed, slot, (InterpMode)rnd(4)); break;
        default: edit_instrument_set_name(ed, slot, rnd(2) ? "hat" : "clap"); break;
        }
        break;
    }
    case 36: edit_set_step(ed, rnd(5)); break;
    case 37: edit_set_octave(ed, rnd(10)); break;
    case 38: edit_set_instrument_current(ed, rnd(4)); break;
    default: edit_set_edit_mode(ed, rnd(4) != 0); break;
    }
}

static void run_seed(unsigned seed, int actions)
{
    rng_state = seed;
    Song *song = song_new();
    Editor *ed = edit_new(song, NULL, NULL); /* nobody plays: free at once */
    edit_set_edit_mode(ed, true);
    edit_set_undo_limits(ed, actions + 10, (size_t)1 << 30);
    Snap *states = calloc((size_t)actions + 1, sizeof *states);
    EditCursor *cursors = calloc((size_t)actions + 1, sizeof *cursors);
    int n = 0;
    states[n++] = snapshot(song);
    for (int i = 0; i < actions; i++) {
        int depth = undo_depth(&ed->history);
        EditCursor before = ed->cursor;
        random_action(ed);
        Snap now = snapshot(song);
        if (undo_depth(&ed->history) > depth) {
            cursors[n] = before;
            states[n++] = now;
        } else {
            /* No step recorded: the song must not have changed either. */
            CHECK_MSG(snap_equal(&now, &states[n - 1]),
                      "seed %u action %d changed the song without a step", seed, i);
            free(now.data);
        }
    }
    /* Everything the editor made can be saved and loaded back as is. */
    char *text = NULL;
    size_t len = 0;
    CHECK(songfile_format(song, &text, &len) == HISS_OK);
    Song *loaded = NULL;
    HissDiag diag = {{0}};
    CHECK_MSG(songfile_parse(text, len, "random", &loaded, &diag) == HISS_OK,
              "%s", diag.text);
    if (loaded) {
        Snap a = snapshot(song), b = snapshot(loaded);
        CHECK_MSG(snap_equal(&a, &b), "seed %u: saved and loaded song differ", seed);
        free(a.data);
        free(b.data);
        song_free(loaded);
    }
    free(text);
    int steps = n - 1;
    for (int k = steps; k > 0; k--) {
        CHECK(edit_undo(ed) == HISS_OK);
        Snap s = snapshot(song);
        CHECK_MSG(snap_equal(&s, &states[k - 1]), "seed %u undo to state %d",
                  seed, k - 1);
        CHECK(ed->cursor.pattern == cursors[k].pattern ||
              !song_pattern(song, cursors[k].pattern));
        free(s.data);
    }
    CHECK(edit_undo(ed) == HISS_ERR_MISSING);
    CHECK(!edit_is_dirty(ed));
    for (int k = 1; k <= steps; k++) {
        CHECK(edit_redo(ed) == HISS_OK);
        Snap s = snapshot(song);
        CHECK_MSG(snap_equal(&s, &states[k]), "seed %u redo to state %d", seed, k);
        free(s.data);
    }
    CHECK(edit_redo(ed) == HISS_ERR_MISSING);
    printf("     seed %u: %d actions, %d undo steps\n", seed, actions, steps);
    for (int k = 0; k < n; k++)
        free(states[k].data);
    free(states);
    free(cursors);
    edit_free(ed);
    song_free(song);
}

static void random_edits_undo_and_redo_exactly(void)
{
    unsigned seeds[] = {1, 7, 42, 1234, 99991};
    for (size_t i = 0; i < HISS_ARRAY_LEN(seeds); i++)
        run_seed(seeds[i], 1000);
}

int main(void)
{
    RUN(random_edits_undo_and_redo_exactly);
    return test_finish();
}
