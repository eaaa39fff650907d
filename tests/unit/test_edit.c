/* Editing operations on the song model, each with its undo and redo. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "edit.h"
#include "songfile.h"
#include "tempofollow.h"
#include "test.h"

/* ---- fixtures --------------------------------------------------------- */

/* Retired objects, kept to check what was retired and freed at the end
 * as the UI would once the engine returns them. */
typedef struct {
    EditRetireKind kind;
    void *ptr;
} Retired;

static Retired retired[4096];
static int retired_count;

static void on_retire(void *ctx, EditRetireKind kind, void *ptr)
{
    (void)ctx;
    if (retired_count < (int)HISS_ARRAY_LEN(retired)) {
        retired[retired_count].kind = kind;
        retired[retired_count].ptr = ptr;
        retired_count++;
    } else if (kind == EDIT_RETIRE_PATTERN) {
        song_pattern_free(ptr);
    } else {
        song_instrument_free(ptr);
    }
}

static bool was_retired(EditRetireKind kind, const void *ptr)
{
    for (int i = 0; i < retired_count; i++)
        if (retired[i].kind == kind && retired[i].ptr == ptr)
            return true;
    return false;
}

static void free_retired(void)
{
    for (int i = 0; i < retired_count; i++) {
        if (retired[i].kind == EDIT_RETIRE_PATTERN)
            song_pattern_free(retired[i].ptr);
        else
            song_instrument_free(retired[i].ptr);
    }
    retired_count = 0;
}

/* The whole song as bytes, to compare states exactly. */
typedef struct {
    unsigned char *data;
    size_t len, cap;
} Snap;

static void snap_put(Snap *s, const void *p, size_t n)
{
    if (s->len + n > s->cap) {
        s->cap = (s->len + n) * 2;
        s->data = realloc(s->data, s->cap);
    }
    memcpy(s->data + s->len, p, n);
    s->len += n;
}

static void snap_int(Snap *s, long v)
{
    snap_put(s, &v, sizeof v);
}

static Snap snapshot(const Song *song)
{
    Snap s = {0};
    snap_put(&s, song->title, sizeof song->title);
    snap_int(&s, atomic_load(&song->bpm_tenths));
    snap_int(&s, atomic_load(&song->speed));
    snap_int(&s, atomic_load(&song->rows_per_beat));
    snap_int(&s, atomic_load(&song->swing));
    snap_int(&s, atomic_load(&song->master_gain_tenth_db));
    snap_int(&s, atomic_load(&song->limiter));
    snap_int(&s, atomic_load(&song->channels));
    for (int c = 0; c < SONG_MAX_CHANNELS; c++)
        snap_put(&s, song->strips[c].name, sizeof song->strips[c].name);
    int oc = atomic_load(&song->order_count);
    snap_int(&s, oc);
    for (int i = 0; i < oc; i++)
        snap_int(&s, atomic_load(&song->orders[i]));
    for (int i = 0; i < SONG_MAX_PATTERNS; i++) {
        const Pattern *p = song_pattern(song, i);
        snap_int(&s, p ? 1 : 0);
        if (!p)
            continue;
        snap_int(&s, p->rows);
        snap_int(&s, p->channels);
        for (int r = 0; r < p->rows; r++)
            for (int c = 0; c < p->channels; c++) {
                uint64_t v = song_cell_pack(song_pattern_get(p, r, c));
                snap_put(&s, &v, sizeof v);
            }
    }
    for (int i = 1; i <= SONG_MAX_INSTRUMENTS; i++) {
        const Instrument *in = song_instrument(song, i);
        snap_int(&s, in ? 1 : 0);
        if (!in)
            continue;
        snap_put(&s, in->name, sizeof in->name);
        snap_put(&s, in->path, strlen(in->path) + 1);
        snap_int(&s, in->missing);
        snap_int(&s, in->volume);
        snap_int(&s, in->pan);
        snap_int(&s, in->base_note);
        snap_int(&s, in->finetune);
        snap_int(&s, in->loop);
        snap_int(&s, (long)in->loop_start);
        snap_int(&s, (long)in->loop_end);
        snap_int(&s, in->interp);
        snap_put(&s, &in->sample, sizeof in->sample);
    }
    return s;
}

static bool snap_equal(Snap a, Snap b)
{
    return a.len == b.len && !memcmp(a.data, b.data, a.len);
}

static void snap_free(Snap *s)
{
    free(s->data);
    s->data = NULL;
}

typedef struct {
    Song *song;
    Editor *ed;
} Fixture;

static Fixture fixture(void)
{
    Fixture f;
    f.song = song_new();
    f.ed = edit_new(f.song, on_retire, NULL);
    edit_set_edit_mode(f.ed, true);
    return f;
}

static void fixture_free(Fixture *f)
{
    edit_free(f->ed);
    song_free(f->song);
    free_retired();
}

static Cell cell_at(const Fixture *f, int row, int ch)
{
    return song_pattern_get(edit_current_pattern(f->ed), row, ch);
}

static Cell note_cell(int note, int inst)
{
    Cell c = song_cell_empty();
    c.note = (uint8_t)note;
    c.instrument = (uint8_t)inst;
    return c;
}

static void put(Fixture *f, int row, int ch, Cell c)
{
    song_pattern_set(edit_current_pattern(f->ed), row, ch, c);
}

static bool cell_eq(Cell a, Cell b)
{
    return song_cell_pack(a) == song_cell_pack(b);
}

/* Runs an operation and checks it changed the song, that undo brings
 * back exactly the state before, and redo exactly the state after. */
#define CHECK_UNDO_REDO(f, op)                                              \
    do {                                                                    \
        Snap before_ = snapshot((f)->song);                                 \
        EditCursor cur_ = (f)->ed->cursor;                                  \
        HissError err_ = (op);                                              \
        CHECK_MSG(err_ == HISS_OK, "%s: %s", #op, hiss_strerror(err_));     \
        Snap after_ = snapshot((f)->song);                                  \
        CHECK_MSG(!snap_equal(before_, after_), "%s changed nothing", #op); \
        CHECK(edit_is_dirty((f)->ed));                                      \
        CHECK(edit_undo((f)->ed) == HISS_OK);                               \
        Snap undone_ = snapshot((f)->song);                                 \
        CHECK_MSG(snap_equal(before_, undone_), "%s: undo differs", #op);   \
        CHECK((f)->ed->cursor.row == cur_.row &&                            \
              (f)->ed->cursor.channel == cur_.channel &&                    \
              (f)->ed->cursor.pattern == cur_.pattern);                     \
        CHECK(edit_redo((f)->ed) == HISS_OK);                               \
        Snap redone_ = snapshot((f)->song);                                 \
        CHECK_MSG(snap_equal(after_, redone_), "%s: redo differs", #op);    \
        snap_free(&before_);                                                \
        snap_free(&after_);                                                 \
        snap_free(&undone_);                                                \
        snap_free(&redone_);                                                \
    } while (0)

/* ---- key entry -------------------------------------------------------- */

static void note_entry_writes_note_and_instrument(void)
{
    Fixture f = fixture();
    edit_set_octave(f.ed, 3);
    edit_set_instrument_current(f.ed, 5);
    edit_set_step(f.ed, 2);
    CHECK_UNDO_REDO(&f, edit_note_from_key_offset(f.ed, 7)); /* G-3 */
    Cell c = cell_at(&f, 0, 0);
    CHECK(c.note == NOTE_FIRST + 3 * 12 + 7);
    CHECK(c.instrument == 5);
    CHECK(f.ed->cursor.row == 2);
    char name[4];
    song_note_name(c.note, name);
    CHECK_STR(name, "G-3");
    /* Upper row of the piano: one octave up. */
    CHECK(edit_note_from_key_offset(f.ed, edit_piano_key_offset('q')) == HISS_OK);
    CHECK(cell_at(&f, 2, 0).note == NOTE_FIRST + 4 * 12);
    CHECK(f.ed->cursor.row == 4);
    fixture_free(&f);
}

static void note_entry_limits_and_modes(void)
{
    Fixture f = fixture();
    edit_set_octave(f.ed, 8);
    CHECK(edit_note_for_offset(f.ed, 23) == NOTE_LAST);
    CHECK(edit_note_for_offset(f.ed, 24) == 0);
    CHECK(edit_note_from_key_offset(f.ed, 24) == HISS_ERR_RANGE);
    CHECK(!edit_can_undo(f.ed));
    edit_set_octave(f.ed, 99);
    CHECK(f.ed->octave == EDIT_OCTAVE_MAX);
    edit_set_octave(f.ed, -3);
    CHECK(f.ed->octave == 0);
    edit_set_edit_mode(f.ed, false);
    CHECK(edit_note_from_key_offset(f.ed, 0) == HISS_ERR_BUSY);
    CHECK(song_cell_is_empty(cell_at(&f, 0, 0)));
    edit_set_edit_mode(f.ed, true);
    edit_toggle_jam_mode(f.ed);
    CHECK(edit_note_from_key_offset(f.ed, 0) == HISS_ERR_BUSY);
    CHECK(edit_note_off(f.ed) == HISS_ERR_BUSY);
    CHECK(song_cell_is_empty(cell_at(&f, 0, 0)));
    edit_toggle_jam_mode(f.ed);
    CHECK(!f.ed->jam_mode);
    /* Wrong column: notes only go on the note column. */
    EditCursor c = f.ed->cursor;
    c.column = EDIT_COL_VOLUME_HI;
    edit_cursor_set(f.ed, c);
    CHECK(edit_note_from_key_offset(f.ed, 0) == HISS_ERR_RANGE);
    CHECK(!edit_is_dirty(f.ed));
    /* Step 0 stays on the row; instrument 0 leaves the instrument alone. */
    c.column = EDIT_COL_NOTE;
    edit_cursor_set(f.ed, c);
    edit_set_step(f.ed, 0);
    edit_set_instrument_current(f.ed, 0);
    put(&f, 0, 0, note_cell(NOTE_C4, 9));
    CHECK(edit_note_from_key_offset(f.ed, 0) == HISS_OK);
    CHECK(f.ed->cursor.row == 0);
    CHECK(cell_at(&f, 0, 0).instrument == 9);
    CHECK(cell_at(&f, 0, 0).note == NOTE_FIRST);
    /* Piano keys. */
    CHECK(edit_piano_key_offset('z') == 0);
    CHECK(edit_piano_key_offset('m') == 11);
    CHECK(edit_piano_key_offset('q') == 12);
    CHECK(edit_piano_key_offset('u') == 23);
    CHECK(edit_piano_key_offset('a') == -1);
    CHECK(edit_piano_key_offset(0) == -1);
    CHECK(edit_piano_key_offset(1000) == -1);
    fixture_free(&f);
}

static void note_off_and_cut(void)
{
    Fixture f = fixture();
    put(&f, 0, 1, note_cell(NOTE_C4, 3));
    edit_cursor_next_channel(f.ed);
    CHECK_UNDO_REDO(&f, edit_note_off(f.ed));
    CHECK(cell_at(&f, 0, 1).note == NOTE_OFF);
    CHECK(cell_at(&f, 0, 1).instrument == 3);
    CHECK(f.ed->cursor.row == 1);
    CHECK_UNDO_REDO(&f, edit_note_cut(f.ed));
    CHECK(cell_at(&f, 1, 1).note == NOTE_CUT);
    fixture_free(&f);
}

static void hex_entry_per_nibble(void)
{
    Fixture f = fixture();
    EditCursor c = {0, 4, 2, EDIT_COL_INSTRUMENT_HI};
    edit_cursor_set(f.ed, c);
    CHECK_UNDO_REDO(&f, edit_hex_digit(f.ed, 0xA));
    CHECK(cell_at(&f, 4, 2).instrument == 0xA0);
    CHECK(f.ed->cursor.column == EDIT_COL_INSTRUMENT_LO && f.ed->cursor.row == 4);
    CHECK_UNDO_REDO(&f, edit_hex_digit(f.ed, 0x3));
    CHECK(cell_at(&f, 4, 2).instrument == 0xA3);
    CHECK(f.ed->cursor.column == EDIT_COL_INSTRUMENT_HI && f.ed->cursor.row == 5);

    /* Volume clamps to 40 hex (64). */
    c.row = 8;
    c.column = EDIT_COL_VOLUME_HI;
    edit_cursor_set(f.ed, c);
    CHECK_UNDO_REDO(&f, edit_hex_digit(f.ed, 3));
    CHECK(cell_at(&f, 8, 2).volume == 0x30);
    CHECK(edit_hex_digit(f.ed, 0xF) == HISS_OK);
    CHECK(cell_at(&f, 8, 2).volume == 0x3F);
    c.row = 8;
    edit_cursor_set(f.ed, c);
    CHECK(edit_hex_digit(f.ed, 7) == HISS_OK);
    CHECK(cell_at(&f, 8, 2).volume == VOLUME_MAX);
    CHECK(edit_hex_digit(f.ed, 9) == HISS_OK);
    CHECK(cell_at(&f, 8, 2).volume == VOLUME_MAX);

    /* Effect letter and parameter. */
    c.row = 10;
    c.column = EDIT_COL_FX;
    edit_cursor_set(f.ed, c);
    CHECK_UNDO_REDO(&f, edit_fx_letter(f.ed, 'r'));
    CHECK(cell_at(&f, 10, 2).fx == 'R');
    /* The letter leads to its parameter on the same row. */
    CHECK(f.ed->cursor.row == 10 && f.ed->cursor.column == EDIT_COL_FX_PARAM_HI);
    CHECK(edit_fx_letter(f.ed, '#') == HISS_ERR_RANGE);
    CHECK(edit_type_char(f.ed, 'c') == HISS_OK);
    CHECK(f.ed->cursor.row == 10 && f.ed->cursor.column == EDIT_COL_FX_PARAM_LO);
    CHECK(edit_type_char(f.ed, '4') == HISS_OK);
    CHECK(cell_at(&f, 10, 2).fx_param == 0xC4);
    /* ...and the parameter back to the letter, one step down. */
    CHECK(f.ed->cursor.row == 11 && f.ed->cursor.column == EDIT_COL_FX);
    c.column = EDIT_COL_FX_PARAM_HI;
    edit_cursor_set(f.ed, c);
    CHECK(edit_type_char(f.ed, 'x') == HISS_ERR_RANGE);
    /* No parameter without a letter. */
    c.column = EDIT_COL_FX2_PARAM_HI;
    edit_cursor_set(f.ed, c);
    CHECK(edit_hex_digit(f.ed, 5) == HISS_ERR_MISSING);
    CHECK(cell_at(&f, 10, 2).fx2_param == 0);
    c.column = EDIT_COL_FX2;
    edit_cursor_set(f.ed, c);
    CHECK(edit_type_char(f.ed, 'p') == HISS_OK);
    c.column = EDIT_COL_FX2_PARAM_LO;
    edit_cursor_set(f.ed, c);
    CHECK(edit_hex_digit(f.ed, 5) == HISS_OK);
    Cell got = cell_at(&f, 10, 2);
    CHECK(got.fx2 == 'P' && got.fx2_param == 0x05);
    /* A digit on the letter column is the digit letter. */
    c.column = EDIT_COL_FX;
    edit_cursor_set(f.ed, c);
    CHECK(edit_hex_digit(f.ed, 0xE) == HISS_OK);
    CHECK(cell_at(&f, 10, 2).fx == 'E');
    CHECK(edit_hex_digit(f.ed, 16) == HISS_ERR_RANGE);
    c.column = EDIT_COL_NOTE;
    edit_cursor_set(f.ed, c);
    CHECK(edit_hex_digit(f.ed, 1) == HISS_ERR_RANGE);
    /* The note column types piano keys. */
    CHECK(edit_type_char(f.ed, 'x') == HISS_OK);
    CHECK(cell_at(&f, 10, 2).note == NOTE_FIRST + 4 * 12 + 2);
    fixture_free(&f);
}

/* Typing a letter then two digits on an effect column fills one effect,
 * like the volume field, and leaves the cursor on the next row's letter:
 * "9 2 7 A 0 4" is 927 on one row and A04 on the next. */
static void effect_letter_then_digits_fill_one_effect(void)
{
    Fixture f = fixture();
    edit_set_step(f.ed, 1);
    const EditColumn letters[] = {EDIT_COL_FX, EDIT_COL_FX2};
    for (int i = 0; i < 2; i++) {
        EditCursor c = {0, 0, 1, letters[i]};
        edit_cursor_set(f.ed, c);
        const char *typed = "927a04";
        for (const char *k = typed; *k; k++)
            CHECK(edit_type_char(f.ed, *k) == HISS_OK);
        Cell r0 = cell_at(&f, 0, 1), r1 = cell_at(&f, 1, 1), r2 = cell_at(&f, 2, 1);
        int fx0 = i ? r0.fx2 : r0.fx, p0 = i ? r0.fx2_param : r0.fx_param;
        int fx1 = i ? r1.fx2 : r1.fx, p1 = i ? r1.fx2_param : r1.fx_param;
        CHECK_MSG(fx0 == '9' && p0 == 0x27, "row 0: %c%02X", fx0 ? fx0 : '.', p0);
        CHECK_MSG(fx1 == 'A' && p1 == 0x04, "row 1: %c%02X", fx1 ? fx1 : '.', p1);
        CHECK(!(i ? r2.fx2 : r2.fx));
        CHECK(f.ed->cursor.row == 2 && f.ed->cursor.column == letters[i]);
    }
    fixture_free(&f);
}

static void delete_field_and_cell(void)
{
    Fixture f = fixture();
    Cell full = {NOTE_C4, 2, 30, 'A', 0x12, 'B', 0x34};
    for (int r = 0; r < 8; r++)
        put(&f, r, 0, full);
    edit_set_step(f.ed, 1);
    EditColumn cols[] = {EDIT_COL_NOTE, EDIT_COL_INSTRUMENT_LO, EDIT_COL_VOLUME_HI,
                         EDIT_COL_FX_PARAM_HI, EDIT_COL_FX2};
    for (int i = 0; i < 5; i++) {
        EditCursor c = {0, i, 0, cols[i]};
        edit_cursor_set(f.ed, c);
        CHECK_UNDO_REDO(&f, edit_delete_field(f.ed));
    }
    Cell e = song_cell_empty();
    Cell a = cell_at(&f, 0, 0);
    CHECK(a.note == e.note && a.instrument == 0 && a.volume == 30);
    Cell b = cell_at(&f, 1, 0);
    CHECK(b.note == NOTE_C4 && b.instrument == 0 && b.volume == 30);
    CHECK(cell_at(&f, 2, 0).volume == VOLUME_EMPTY);
    Cell d = cell_at(&f, 3, 0);
    CHECK(d.fx == 0 && d.fx_param == 0 && d.fx2 == 'B');
    Cell g = cell_at(&f, 4, 0);
    CHECK(g.fx2 == 0 && g.fx2_param == 0 && g.fx == 'A');
    EditCursor c = {0, 5, 0, EDIT_COL_VOLUME_LO};
    edit_cursor_set(f.ed, c);
    CHECK_UNDO_REDO(&f, edit_delete_cell(f.ed));
    CHECK(song_cell_is_empty(cell_at(&f, 5, 0)));
    CHECK(f.ed->cursor.row == 6);
    fixture_free(&f);
}

static void insert_and_delete_rows(void)
{
    Fixture f = fixture();
    int rows = edit_current_pattern(f.ed)->rows;
    for (int r = 0; r < rows; r++)
        for (int ch = 0; ch < 4; ch++)
            put(&f, r, ch, note_cell(1 + (r + ch) % 100, ch + 1));
    EditCursor c = {0, 10, 1, EDIT_COL_NOTE};
    edit_cursor_set(f.ed, c);
    CHECK_UNDO_REDO(&f, edit_insert_row(f.ed, false));
    CHECK(song_cell_is_empty(cell_at(&f, 10, 1)));
    CHECK(cell_at(&f, 11, 1).note == 1 + (10 + 1) % 100);
    CHECK(cell_at(&f, rows - 1, 1).note == 1 + (rows - 2 + 1) % 100);
    CHECK(cell_at(&f, 10, 0).note == 1 + 10 % 100); /* other channels stay */
    CHECK(cell_at(&f, 11, 2).note == 1 + (11 + 2) % 100);
    CHECK(f.ed->cursor.row == 10);
    CHECK_UNDO_REDO(&f, edit_delete_row(f.ed, false));
    for (int r = 0; r < rows - 1; r++)
        CHECK(cell_at(&f, r, 1).note == 1 + (r + 1) % 100);
    CHECK(song_cell_is_empty(cell_at(&f, rows - 1, 1)));

    CHECK_UNDO_REDO(&f, edit_insert_row(f.ed, true));
    for (int ch = 0; ch < 4; ch++)
        CHECK(song_cell_is_empty(cell_at(&f, 10, ch)));
    CHECK(cell_at(&f, 11, 3).note == 1 + (10 + 3) % 100);
    CHECK_UNDO_REDO(&f, edit_delete_row(f.ed, true));
    CHECK(cell_at(&f, 10, 3).note == 1 + (10 + 3) % 100);
    /* The last row: insert clears it, delete clears it. */
    c.row = rows - 1;
    edit_cursor_set(f.ed, c);
    put(&f, rows - 1, 2, note_cell(NOTE_C4, 1));
    CHECK_UNDO_REDO(&f, edit_delete_row(f.ed, true));
    CHECK(song_cell_is_empty(cell_at(&f, rows - 1, 0)));
    fixture_free(&f);
}

/* ---- cursor ------------------------------------------------------------ */

static void cursor_moves_and_wraps(void)
{
    Fixture f = fixture();
    Editor *ed = f.ed;
    int rows = edit_current_pattern(ed)->rows;
    edit_cursor_up(ed);
    CHECK(ed->cursor.row == rows - 1);
    edit_cursor_down(ed);
    CHECK(ed->cursor.row == 0);
    edit_cursor_page_up(ed);
    CHECK(ed->cursor.row == 0);
    edit_cursor_page_down(ed);
    CHECK(ed->cursor.row == EDIT_PAGE_ROWS);
    edit_cursor_end(ed);
    CHECK(ed->cursor.row == rows - 1);
    edit_cursor_page_down(ed);
    CHECK(ed->cursor.row == rows - 1);
    edit_cursor_home(ed);
    CHECK(ed->cursor.row == 0);
    edit_cursor_goto_row(ed, 1000);
    CHECK(ed->cursor.row == rows - 1);
    edit_cursor_goto_row(ed, -5);
    CHECK(ed->cursor.row == 0);

    /* Left from the first column of channel 0 wraps to the last column of
     * the last channel; right goes back. */
    edit_cursor_left(ed);
    CHECK(ed->cursor.channel == 3 && ed->cursor.column == EDIT_COL_COUNT - 1);
    edit_cursor_right(ed);
    CHECK(ed->cursor.channel == 0 && ed->cursor.column == EDIT_COL_NOTE);
    for (int i = 0; i < EDIT_COL_COUNT; i++)
        edit_cursor_right(ed);
    CHECK(ed->cursor.channel == 1 && ed->cursor.column == EDIT_COL_NOTE);
    edit_cursor_left(ed);
    CHECK(ed->cursor.channel == 0 && ed->cursor.column == EDIT_COL_FX2_PARAM_LO);
    edit_cursor_next_channel(ed);
    CHECK(ed->cursor.channel == 1 && ed->cursor.column == EDIT_COL_NOTE);
    edit_cursor_prev_channel(ed);
    edit_cursor_prev_channel(ed);
    CHECK(ed->cursor.channel == 3);
    edit_cursor_next_channel(ed);
    CHECK(ed->cursor.channel == 0);

    EditCursor wild = {7, -4, 99, (EditColumn)42};
    edit_cursor_set(ed, wild);
    CHECK(ed->cursor.pattern == 0 && ed->cursor.row == 0);
    CHECK(ed->cursor.channel == 3 && ed->cursor.column == EDIT_COL_COUNT - 1);

    /* Advancing past the end wraps. */
    edit_set_step(ed, 16);
    edit_cursor_goto_row(ed, rows - 8);
    edit_cursor_advance(ed);
    CHECK(ed->cursor.row == 8);
    edit_set_step(ed, 40);
    CHECK(ed->step == EDIT_STEP_MAX);
    fixture_free(&f);
}

/* ---- selection and blocks ---------------------------------------------- */

static void fill_numbers(Fixture *f)
{
    Pattern *p = edit_current_pattern(f->ed);
    for (int r = 0; r < p->rows; r++)
        for (int ch = 0; ch < p->channels; ch++) {
            Cell c = note_cell(NOTE_FIRST + (r * 3 + ch) % 100, 1 + ch);
            c.volume = (uint8_t)(r % 65);
            put(f, r, ch, c);
        }
}

static void selection_marks(void)
{
    Fixture f = fixture();
    Editor *ed = f.ed;
    int r0, c0, r1, c1;
    /* No selection: the cursor cell. */
    EditCursor c = {0, 5, 2, EDIT_COL_NOTE};
    edit_cursor_set(ed, c);
    CHECK(edit_block_range(ed, &r0, &c0, &r1, &c1));
    CHECK(r0 == 5 && r1 == 5 && c0 == 2 && c1 == 2);
    edit_mark_begin(ed);
    c.row = 2;
    c.channel = 0;
    edit_cursor_set(ed, c);
    edit_mark_end(ed);
    CHECK(edit_block_range(ed, &r0, &c0, &r1, &c1));
    CHECK(r0 == 2 && r1 == 5 && c0 == 0 && c1 == 2);
    edit_mark_channel(ed);
    CHECK(edit_block_range(ed, &r0, &c0, &r1, &c1));
    CHECK(r0 == 0 && r1 == 63 && c0 == 0 && c1 == 0);
    CHECK(edit_is_selected(ed, 63, 0) && !edit_is_selected(ed, 0, 1));
    edit_mark_channel(ed); /* again: the whole pattern */
    CHECK(edit_block_range(ed, &r0, &c0, &r1, &c1));
    CHECK(r0 == 0 && r1 == 63 && c0 == 0 && c1 == 3);
    edit_mark_clear(ed);
    edit_mark_pattern(ed);
    CHECK(edit_block_range(ed, &r0, &c0, &r1, &c1));
    CHECK(r0 == 0 && r1 == 63 && c0 == 0 && c1 == 3);
    CHECK(edit_is_selected(ed, 63, 3) && !edit_is_selected(ed, 64, 3));
    /* Shift+arrows: anchored where they started, clamped, no wrap. */
    edit_mark_clear(ed);
    c.row = 1;
    c.channel = 1;
    edit_cursor_set(ed, c);
    edit_select_extend(ed, -5, 0);
    CHECK(ed->cursor.row == 0);
    edit_select_extend(ed, 3, 1);
    CHECK(edit_block_range(ed, &r0, &c0, &r1, &c1));
    CHECK(r0 == 1 && r1 == 3 && c0 == 1 && c1 == 2);
    edit_select_extend(ed, 0, 10);
    CHECK(ed->cursor.channel == 3);
    CHECK(edit_block_range(ed, &r0, &c0, &r1, &c1) && c1 == 3 && c0 == 1);
    edit_mark_clear(ed);
    CHECK(!edit_is_selected(ed, 1, 1));
    /* Past the pattern: clipped; wholly outside: nothing. */
    edit_mark_set(ed, 200, 9, 60, 2);
    CHECK(edit_block_range(ed, &r0, &c0, &r1, &c1));
    CHECK(r0 == 60 && r1 == 63 && c0 == 2 && c1 == 3);
    edit_mark_set(ed, 64, 0, 80, 1);
    CHECK(!edit_block_range(ed, &r0, &c0, &r1, &c1));
    CHECK(edit_block_copy(ed) == HISS_ERR_RANGE);
    CHECK(edit_block_transpose(ed, 1) == HISS_ERR_RANGE);
    edit_mark_clear(ed);
    CHECK(!ed->selection.active);
    fixture_free(&f);
}

static void copy_cut_paste(void)
{
    Fixture f = fixture();
    Editor *ed = f.ed;
    fill_numbers(&f);
    Cell orig[4][2];
    for (int r = 0; r < 4; r++)
        for (int c = 0; c < 2; c++)
            orig[r][c] = cell_at(&f, 8 + r, 1 + c);
    edit_mark_set(ed, 8, 1, 11, 2);
    Snap s0 = snapshot(f.song);
    CHECK(edit_block_copy(ed) == HISS_OK);
    Snap s1 = snapshot(f.song);
    CHECK(snap_equal(s0, s1)); /* copy changes nothing */
    CHECK(!edit_can_undo(ed));
    CHECK(ed->clipboard.rows == 4 && ed->clipboard.channels == 2);
    CHECK_UNDO_REDO(&f, edit_block_cut(ed));
    for (int r = 8; r <= 11; r++)
        for (int c = 1; c <= 2; c++)
            CHECK(song_cell_is_empty(cell_at(&f, r, c)));
    CHECK(!song_cell_is_empty(cell_at(&f, 8, 0)));
    /* Paste elsewhere; then clipped at the pattern end and last channel. */
    edit_mark_clear(ed);
    EditCursor c = {0, 20, 0, EDIT_COL_NOTE};
    edit_cursor_set(ed, c);
    CHECK_UNDO_REDO(&f, edit_block_paste(ed));
    for (int r = 0; r < 4; r++)
        for (int k = 0; k < 2; k++)
            CHECK(cell_eq(cell_at(&f, 20 + r, k), orig[r][k]));
    c.row = 62;
    c.channel = 3;
    edit_cursor_set(ed, c);
    Cell beside = cell_at(&f, 61, 3);
    CHECK_UNDO_REDO(&f, edit_block_paste(ed));
    CHECK(cell_eq(cell_at(&f, 62, 3), orig[0][0]));
    CHECK(cell_eq(cell_at(&f, 63, 3), orig[1][0]));
    CHECK(cell_eq(cell_at(&f, 61, 3), beside));
    snap_free(&s0);
    snap_free(&s1);
    /* Nothing copied yet in a new editor: paste says so. */
    Editor *other = edit_new(f.song, on_retire, NULL);
    CHECK(edit_block_paste(other) == HISS_ERR_MISSING);
    edit_free(other);
    fixture_free(&f);
}

static void mix_paste_fills_only_empty_fields(void)
{
    Fixture f = fixture();
    Editor *ed = f.ed;
    Cell src = {NOTE_C4, 7, 20, 'A', 0x11, 'B', 0x22};
    put(&f, 0, 0, src);
    put(&f, 1, 0, src);
    edit_mark_set(ed, 0, 0, 1, 0);
    CHECK(edit_block_copy(ed) == HISS_OK);
    edit_mark_clear(ed);
    Cell dst = song_cell_empty();
    dst.note = NOTE_C4 + 5;
    dst.fx2 = 'C';
    dst.fx2_param = 0x33;
    put(&f, 10, 2, dst);
    EditCursor c = {0, 10, 2, EDIT_COL_NOTE};
    edit_cursor_set(ed, c);
    CHECK_UNDO_REDO(&f, edit_block_mix_paste(ed));
    Cell got = cell_at(&f, 10, 2);
    CHECK(got.note == NOTE_C4 + 5);          /* kept */
    CHECK(got.instrument == 7 && got.volume == 20);
    CHECK(got.fx == 'A' && got.fx_param == 0x11);
    CHECK(got.fx2 == 'C' && got.fx2_param == 0x33); /* kept */
    CHECK(cell_eq(cell_at(&f, 11, 2), src));  /* an empty cell takes all */
    fixture_free(&f);
}

static void transpose_clamps(void)
{
    Fixture f = fixture();
    Editor *ed = f.ed;
    put(&f, 0, 0, note_cell(NOTE_FIRST, 1));
    put(&f, 1, 0, note_cell(NOTE_LAST, 1));
    put(&f, 2, 0, note_cell(NOTE_OFF, 0));
    put(&f, 3, 0, note_cell(NOTE_CUT, 0));
    put(&f, 4, 0, note_cell(NOTE_C4, 1));
    edit_mark_set(ed, 0, 0, 10, 0);
    CHECK_UNDO_REDO(&f, edit_block_transpose(ed, 1));
    CHECK(cell_at(&f, 0, 0).note == NOTE_FIRST + 1);
    CHECK(cell_at(&f, 1, 0).note == NOTE_LAST);
    CHECK(cell_at(&f, 2, 0).note == NOTE_OFF);
    CHECK(cell_at(&f, 3, 0).note == NOTE_CUT);
    CHECK(cell_at(&f, 4, 0).note == NOTE_C4 + 1);
    CHECK(cell_at(&f, 5, 0).note == NOTE_EMPTY);
    CHECK_UNDO_REDO(&f, edit_block_transpose(ed, -12));
    CHECK(cell_at(&f, 0, 0).note == NOTE_FIRST);
    CHECK(cell_at(&f, 4, 0).note == NOTE_C4 - 11);
    CHECK_UNDO_REDO(&f, edit_block_transpose(ed, 12));
    CHECK(cell_at(&f, 4, 0).note == NOTE_C4 + 1);
    CHECK(cell_at(&f, 1, 0).note == NOTE_LAST);
    CHECK(cell_at(&f, 2, 0).note == NOTE_OFF);
    /* Without a selection: the cursor cell. */
    edit_mark_clear(ed);
    edit_cursor_goto_row(ed, 4);
    CHECK(edit_block_transpose(ed, -1) == HISS_OK);
    CHECK(cell_at(&f, 4, 0).note == NOTE_C4);
    CHECK(cell_at(&f, 0, 0).note == NOTE_FIRST + 12); /* clamped, then up */
    fixture_free(&f);
}

static void interpolation(void)
{
    Fixture f = fixture();
    Editor *ed = f.ed;
    Cell a = song_cell_empty(), b = song_cell_empty();
    a.volume = 0;
    b.volume = 64;
    a.fx = 'A';
    a.fx_param = 0x10;
    b.fx = 'B';
    b.fx_param = 0x00;
    put(&f, 0, 0, a);
    put(&f, 8, 0, b);
    put(&f, 4, 0, note_cell(NOTE_C4, 2));
    edit_mark_set(ed, 0, 0, 8, 1); /* channel 1 has no ends: left alone */
    CHECK_UNDO_REDO(&f, edit_block_interpolate(ed, EDIT_FIELD_VOLUME));
    for (int r = 0; r <= 8; r++)
        CHECK_MSG(cell_at(&f, r, 0).volume == r * 8, "row %d: %d", r,
                  cell_at(&f, r, 0).volume);
    CHECK(cell_at(&f, 4, 0).note == NOTE_C4); /* other fields kept */
    CHECK(cell_at(&f, 4, 1).volume == VOLUME_EMPTY);
    CHECK_UNDO_REDO(&f, edit_block_interpolate(ed, EDIT_FIELD_FX));
    for (int r = 1; r < 8; r++) {
        Cell c = cell_at(&f, r, 0);
        int want = 16 - (16 * r + 4) / 8; /* 16 * (8 - r) / 8, rounded */
        CHECK(c.fx == 'A');
        CHECK_MSG(c.fx_param == want, "row %d: %d vs %d", r, c.fx_param, want);
    }
    CHECK(cell_at(&f, 8, 0).fx == 'B');
    CHECK(edit_block_interpolate(ed, EDIT_FIELD_FX2) == HISS_ERR_RANGE);
    /* By cursor column: the fx2 column finds no ends; the note column
     * falls through volume (already even) and fx to whatever has ends. */
    EditCursor cc = {0, 0, 0, EDIT_COL_FX2_PARAM_HI};
    edit_cursor_set(ed, cc);
    CHECK(edit_block_interpolate_at_cursor(ed) == HISS_ERR_RANGE);
    cc.column = EDIT_COL_VOLUME_LO;
    edit_cursor_set(ed, cc);
    CHECK(edit_block_interpolate_at_cursor(ed) == HISS_OK);
    cc.column = EDIT_COL_NOTE;
    edit_cursor_set(ed, cc);
    CHECK(edit_block_interpolate_at_cursor(ed) == HISS_OK);
    CHECK(edit_block_interpolate(ed, EDIT_FIELD_NOTE) == HISS_ERR_UNSUPPORTED);
    edit_mark_set(ed, 3, 0, 3, 0);
    CHECK(edit_block_interpolate(ed, EDIT_FIELD_VOLUME) == HISS_ERR_RANGE);
    /* Rounding on an odd span: 0..10 over 3 rows -> 0 3 7 10. */
    put(&f, 20, 2, a);
    Cell d = song_cell_empty();
    d.volume = 10;
    put(&f, 23, 2, d);
    edit_mark_set(ed, 20, 2, 23, 2);
    CHECK(edit_block_interpolate(ed, EDIT_FIELD_VOLUME) == HISS_OK);
    CHECK(cell_at(&f, 21, 2).volume == 3 && cell_at(&f, 22, 2).volume == 7);
    fixture_free(&f);
}

static void set_instrument_on_block(void)
{
    Fixture f = fixture();
    Editor *ed = f.ed;
    put(&f, 0, 0, note_cell(NOTE_C4, 1));
    put(&f, 1, 0, note_cell(NOTE_OFF, 0));
    put(&f, 2, 1, note_cell(NOTE_C4 + 3, 4));
    edit_set_instrument_current(ed, 12);
    edit_mark_set(ed, 0, 0, 3, 1);
    CHECK_UNDO_REDO(&f, edit_block_set_instrument(ed));
    CHECK(cell_at(&f, 0, 0).instrument == 12);
    CHECK(cell_at(&f, 1, 0).instrument == 0);
    CHECK(cell_at(&f, 2, 1).instrument == 12);
    CHECK(cell_at(&f, 3, 1).instrument == 0);
    fixture_free(&f);
}

/* ---- patterns ------------------------------------------------------------ */

static void pattern_new_clone_length(void)
{
    Fixture f = fixture();
    Editor *ed = f.ed;
    put(&f, 3, 1, note_cell(NOTE_C4, 2));
    CHECK(edit_pattern_set_length(ed, 32) == HISS_OK);
    Pattern *p0 = edit_current_pattern(ed);
    CHECK(p0->rows == 32);
    CHECK(song_pattern_get(p0, 3, 1).note == NOTE_C4);
    CHECK(edit_undo(ed) == HISS_OK);
    CHECK(edit_current_pattern(ed)->rows == 64);
    CHECK(was_retired(EDIT_RETIRE_PATTERN, p0));
    CHECK(edit_redo(ed) == HISS_OK);

    Pattern *before = edit_current_pattern(ed);
    CHECK_UNDO_REDO(&f, edit_pattern_new(ed));
    CHECK(ed->cursor.pattern == 1);
    Pattern *p1 = song_pattern(f.song, 1);
    CHECK(p1 && p1->rows == 32 && p1->channels == 4);
    CHECK(song_cell_is_empty(song_pattern_get(p1, 3, 1)));
    CHECK(song_pattern(f.song, 0) == before); /* untouched */

    edit_pattern_prev(ed);
    CHECK(ed->cursor.pattern == 0);
    CHECK_UNDO_REDO(&f, edit_pattern_clone(ed));
    CHECK(ed->cursor.pattern == 2);
    Pattern *p2 = song_pattern(f.song, 2);
    CHECK(song_pattern_get(p2, 3, 1).note == NOTE_C4);
    CHECK(p2 != song_pattern(f.song, 0));

    /* Undo of "new" empties the slot and retires the pattern; the cursor
     * goes back to the pattern it was on. */
    int before_count = retired_count;
    CHECK(edit_undo(ed) == HISS_OK);
    CHECK(song_pattern(f.song, 2) == NULL);
    CHECK(retired_count == before_count + 1 && was_retired(EDIT_RETIRE_PATTERN, p2));
    CHECK(ed->cursor.pattern == 0);
    CHECK(edit_redo(ed) == HISS_OK);

    CHECK(ed->cursor.pattern == 2);
    edit_pattern_next(ed);
    CHECK(ed->cursor.pattern == 0); /* wraps */
    edit_pattern_next(ed);
    CHECK(ed->cursor.pattern == 1);
    edit_pattern_prev(ed);
    edit_pattern_prev(ed);
    CHECK(ed->cursor.pattern == 2); /* wraps back */
    CHECK(edit_pattern_goto(ed, 9) == HISS_ERR_MISSING);
    CHECK(edit_pattern_goto(ed, 300) == HISS_ERR_RANGE);
    CHECK(edit_pattern_goto(ed, 1) == HISS_OK);

    /* Length limits, and a cursor past the new end is pulled in. */
    CHECK(edit_pattern_set_length(ed, 0) == HISS_ERR_RANGE);
    CHECK(edit_pattern_set_length(ed, 257) == HISS_ERR_RANGE);
    edit_cursor_goto_row(ed, 30);
    CHECK_UNDO_REDO(&f, edit_pattern_set_length(ed, 256));
    CHECK(edit_current_pattern(ed)->rows == 256);
    edit_cursor_goto_row(ed, 200);
    CHECK_UNDO_REDO(&f, edit_pattern_set_length(ed, 1));
    CHECK(ed->cursor.row == 0);
    CHECK(edit_undo(ed) == HISS_OK);
    CHECK(ed->cursor.row == 200);
    fixture_free(&f);
}

static void pattern_new_when_full(void)
{
    Fixture f = fixture();
    int made = 0;
    while (edit_pattern_new(f.ed) == HISS_OK)
        made++;
    CHECK(made == SONG_MAX_PATTERNS - 1);
    CHECK(edit_pattern_new(f.ed) == HISS_ERR_RANGE);
    CHECK(edit_pattern_clone(f.ed) == HISS_ERR_RANGE);
    fixture_free(&f);
}

/* ---- order list ----------------------------------------------------------- */

static int order_at(const Song *s, int i)
{
    return atomic_load(&s->orders[i]);
}

static void order_list(void)
{
    Fixture f = fixture();
    Editor *ed = f.ed;
    CHECK(edit_pattern_new(ed) == HISS_OK);
    CHECK(edit_pattern_new(ed) == HISS_OK);
    /* orders: [0] */
    edit_order_goto(ed, 1);
    CHECK(ed->order_pos == 1);
    CHECK_UNDO_REDO(&f, edit_order_insert(ed, 2)); /* [0 2] */
    edit_order_goto(ed, 1);
    CHECK_UNDO_REDO(&f, edit_order_insert(ed, 1)); /* [0 1 2] */
    CHECK(atomic_load(&f.song->order_count) == 3);
    CHECK(order_at(f.song, 0) == 0 && order_at(f.song, 1) == 1 &&
          order_at(f.song, 2) == 2);
    CHECK_UNDO_REDO(&f, edit_order_duplicate(ed)); /* [0 1 1 2] */
    CHECK(ed->order_pos == 2);
    CHECK(atomic_load(&f.song->order_count) == 4);
    CHECK(order_at(f.song, 2) == 1 && order_at(f.song, 3) == 2);
    CHECK_UNDO_REDO(&f, edit_order_set(ed, 0)); /* [0 1 0 2] */
    CHECK(order_at(f.song, 2) == 0);
    edit_order_goto(ed, 0);
    CHECK_UNDO_REDO(&f, edit_order_delete(ed)); /* [1 0 2] */
    CHECK(atomic_load(&f.song->order_count) == 3);
    CHECK(order_at(f.song, 0) == 1 && order_at(f.song, 2) == 2);
    CHECK(edit_order_set(ed, 999) == HISS_ERR_RANGE);
    CHECK(edit_order_insert(ed, -1) == HISS_ERR_RANGE);
    edit_order_goto(ed, 99);
    CHECK(ed->order_pos == 3);
    CHECK(edit_order_delete(ed) == HISS_ERR_RANGE);
    CHECK(edit_order_duplicate(ed) == HISS_ERR_RANGE);
    CHECK_UNDO_REDO(&f, edit_order_set(ed, 2)); /* appends */
    CHECK(atomic_load(&f.song->order_count) == 4);
    /* Delete everything, then the list is empty but valid. */
    for (int i = 0; i < 4; i++) {
        edit_order_goto(ed, 0);
        CHECK(edit_order_delete(ed) == HISS_OK);
    }
    CHECK(atomic_load(&f.song->order_count) == 0);
    CHECK(ed->order_pos == 0);
    CHECK(edit_order_delete(ed) == HISS_ERR_RANGE);
    for (int i = 0; i < 4; i++)
        CHECK(edit_undo(ed) == HISS_OK);
    CHECK(atomic_load(&f.song->order_count) == 4);
    /* A full list refuses more. */
    edit_order_goto(ed, 0);
    while (atomic_load(&f.song->order_count) < SONG_MAX_ORDERS)
        CHECK(edit_order_insert(ed, 1) == HISS_OK);
    CHECK(edit_order_insert(ed, 1) == HISS_ERR_RANGE);
    CHECK(edit_order_duplicate(ed) == HISS_ERR_RANGE);
    fixture_free(&f);
}

static void order_entries_create_missing_patterns(void)
{
    Fixture f = fixture();
    Editor *ed = f.ed;
    CHECK(edit_pattern_set_length(ed, 48) == HISS_OK);
    edit_order_goto(ed, 1);
    CHECK(song_pattern(f.song, 77) == NULL);
    CHECK_UNDO_REDO(&f, edit_order_insert(ed, 77));
    const Pattern *p = song_pattern(f.song, 77);
    CHECK(p && p->rows == 48 && p->channels == 4);
    CHECK(order_at(f.song, 1) == 77);
    /* One undo step takes both the entry and the pattern away. */
    CHECK(edit_undo(ed) == HISS_OK);
    CHECK(song_pattern(f.song, 77) == NULL);
    CHECK(atomic_load(&f.song->order_count) == 1);
    CHECK(edit_redo(ed) == HISS_OK);
    CHECK_UNDO_REDO(&f, edit_order_set(ed, 5));
    CHECK(song_pattern(f.song, 5) != NULL && order_at(f.song, 1) == 5);
    CHECK(song_pattern(f.song, 77) != NULL); /* stays: still a pattern */

    /* Stepping the entry's pattern walks existing patterns, then makes one
     * new pattern past the highest. Patterns: 0, 5, 77. */
    edit_order_goto(ed, 0);
    CHECK_UNDO_REDO(&f, edit_order_step_pattern(ed, 1));
    CHECK(order_at(f.song, 0) == 5);
    CHECK(edit_order_step_pattern(ed, 1) == HISS_OK);
    CHECK(order_at(f.song, 0) == 77);
    CHECK_UNDO_REDO(&f, edit_order_step_pattern(ed, 1));
    CHECK(order_at(f.song, 0) == 78 && song_pattern(f.song, 78) != NULL);
    CHECK(edit_order_step_pattern(ed, -1) == HISS_OK);
    CHECK(order_at(f.song, 0) == 77);
    CHECK(edit_order_step_pattern(ed, -1) == HISS_OK);
    CHECK(edit_order_step_pattern(ed, -1) == HISS_OK);
    CHECK(order_at(f.song, 0) == 0);
    CHECK(edit_order_step_pattern(ed, -1) == HISS_ERR_RANGE);
    CHECK(edit_order_step_pattern(ed, 0) == HISS_ERR_RANGE);

    /* Duplicate the entry's pattern: a copy in a new slot, after it. */
    put(&f, 2, 1, note_cell(NOTE_C4, 3));
    CHECK_UNDO_REDO(&f, edit_order_duplicate_pattern(ed));
    CHECK(ed->order_pos == 1);
    int slot = order_at(f.song, 1);
    CHECK(slot == 1); /* the first free slot */
    CHECK(ed->cursor.pattern == slot);
    CHECK(song_pattern_get(song_pattern(f.song, slot), 2, 1).note == NOTE_C4);
    CHECK(song_pattern(f.song, slot) != song_pattern(f.song, 0));
    CHECK(atomic_load(&f.song->order_count) == 3);
    CHECK(edit_undo(ed) == HISS_OK);
    CHECK(song_pattern(f.song, 1) == NULL && ed->cursor.pattern == 0);
    edit_order_goto(ed, 5);
    CHECK(edit_order_duplicate_pattern(ed) == HISS_ERR_RANGE);
    fixture_free(&f);
}

/* ---- song settings -------------------------------------------------------- */

static void song_settings(void)
{
    Fixture f = fixture();
    Editor *ed = f.ed;
    CHECK_UNDO_REDO(&f, edit_song_set_title(ed, "night bus"));
    CHECK_STR(f.song->title, "night bus");
    CHECK_UNDO_REDO(&f, edit_song_set_bpm_tenths(ed, 875));
    CHECK(atomic_load(&f.song->bpm_tenths) == 875);
    CHECK_UNDO_REDO(&f, edit_song_set_speed(ed, 3));
    CHECK_UNDO_REDO(&f, edit_song_set_rows_per_beat(ed, 8));
    CHECK_UNDO_REDO(&f, edit_song_set_swing(ed, 55));
    CHECK_UNDO_REDO(&f, edit_song_set_master_gain(ed, -35));
    CHECK_UNDO_REDO(&f, edit_song_set_limiter(ed, false));
    CHECK(atomic_load(&f.song->speed) == 3);
    CHECK(atomic_load(&f.song->rows_per_beat) == 8);
    CHECK(atomic_load(&f.song->swing) == 55);
    CHECK(atomic_load(&f.song->master_gain_tenth_db) == -35);
    CHECK(!atomic_load(&f.song->limiter));
    CHECK(edit_song_set_bpm_tenths(ed, 319) == HISS_ERR_RANGE);
    CHECK(edit_song_set_bpm_tenths(ed, 2551) == HISS_ERR_RANGE);
    CHECK(edit_song_set_speed(ed, 0) == HISS_ERR_RANGE);
    CHECK(edit_song_set_speed(ed, 32) == HISS_ERR_RANGE);
    CHECK(edit_song_set_rows_per_beat(ed, 33) == HISS_ERR_RANGE);
    CHECK(edit_song_set_swing(ed, 101) == HISS_ERR_RANGE);
    CHECK(edit_song_set_master_gain(ed, 121) == HISS_ERR_RANGE);
    CHECK(edit_song_set_master_gain(ed, -601) == HISS_ERR_RANGE);
    CHECK(atomic_load(&f.song->bpm_tenths) == 875);
    /* Setting the same value is no change and no undo step. */
    int depth = undo_depth(&ed->history);
    CHECK(edit_song_set_bpm_tenths(ed, 875) == HISS_OK);
    CHECK(undo_depth(&ed->history) == depth);
    /* A long title is cut to fit. */
    char longt[200];
    memset(longt, 'x', sizeof longt - 1);
    longt[sizeof longt - 1] = 0;
    CHECK(edit_song_set_title(ed, longt) == HISS_OK);
    CHECK(strlen(f.song->title) == SONG_TITLE_MAX - 1);
    fixture_free(&f);
}

/* The song as saved and loaded again: names must come back as typed. */
static Song *reloaded(const Song *song)
{
    char *text = NULL;
    size_t len = 0;
    Song *back = NULL;
    HissDiag diag;
    CHECK(songfile_format(song, &text, &len) == HISS_OK);
    CHECK(text && songfile_parse(text, len, "t.hiss", &back, &diag) == HISS_OK);
    free(text);
    return back;
}

static void channel_names(void)
{
    Fixture f = fixture();
    Editor *ed = f.ed;
    CHECK_UNDO_REDO(&f, edit_strip_set_name(ed, 0, "kick"));
    CHECK_UNDO_REDO(&f, edit_strip_set_name(ed, 1, "808 \"sub\" \\ b\xC3\xA4ss"));
    CHECK_UNDO_REDO(&f, edit_strip_set_name(ed, 2, "keys"));
    CHECK_STR(f.song->strips[0].name, "kick");
    CHECK_STR(f.song->strips[2].name, "keys");
    CHECK(edit_strip_set_name(ed, 3, "pad") == HISS_OK);
    /* Undo and redo step through the names one by one. */
    CHECK(edit_undo(ed) == HISS_OK);
    CHECK_STR(f.song->strips[3].name, "");
    CHECK_STR(f.song->strips[2].name, "keys");
    CHECK(edit_redo(ed) == HISS_OK);
    CHECK_STR(f.song->strips[3].name, "pad");
    /* The same name again is no step; an empty one clears, undoably. */
    int depth = undo_depth(&ed->history);
    CHECK(edit_strip_set_name(ed, 3, "pad") == HISS_OK);
    CHECK(undo_depth(&ed->history) == depth);
    CHECK_UNDO_REDO(&f, edit_strip_set_name(ed, 3, ""));
    CHECK_STR(f.song->strips[3].name, "");
    CHECK(edit_strip_set_name(ed, atomic_load(&f.song->channels), "x") == HISS_ERR_RANGE);
    CHECK(edit_strip_set_name(ed, -1, "x") == HISS_ERR_RANGE);

    /* A long name keeps its first 31 bytes, cut before a character that
     * would not fit whole: 30 x's then a 2-byte u-umlaut keeps the 30. */
    char longn[64];
    memset(longn, 'x', 30);
    snprintf(longn + 30, sizeof longn - 30, "\xC3\xBC and more");
    CHECK(edit_strip_set_name(ed, 2, longn) == HISS_OK);
    CHECK(strlen(f.song->strips[2].name) == 30 && f.song->strips[2].name[29] == 'x');
    memset(longn, 'y', sizeof longn - 1);
    longn[sizeof longn - 1] = 0;
    CHECK(edit_strip_set_name(ed, 3, longn) == HISS_OK);
    CHECK(strlen(f.song->strips[3].name) == SONG_NAME_MAX - 1);

    /* Saved and loaded: every name as it was, quotes and all. */
    Song *back = reloaded(f.song);
    CHECK(back != NULL);
    for (int c = 0; back && c < SONG_MAX_CHANNELS; c++)
        CHECK_MSG(!strcmp(back->strips[c].name, f.song->strips[c].name),
                  "channel %d: \"%s\" came back as \"%s\"", c + 1, f.song->strips[c].name,
                  back->strips[c].name);
    CHECK(back && !strcmp(back->strips[1].name, "808 \"sub\" \\ b\xC3\xA4ss"));
    song_free(back);
    /* Undone to the start, the song saves as one with no names. */
    while (edit_undo(ed) == HISS_OK)
        ;
    back = reloaded(f.song);
    for (int c = 0; back && c < SONG_MAX_CHANNELS; c++)
        CHECK(!back->strips[c].name[0]);
    song_free(back);
    fixture_free(&f);
}

static void channel_count_keeps_data(void)
{
    Fixture f = fixture();
    Editor *ed = f.ed;
    CHECK(edit_pattern_new(ed) == HISS_OK);
    CHECK(edit_pattern_goto(ed, 0) == HISS_OK);
    put(&f, 5, 0, note_cell(NOTE_C4, 1));
    put(&f, 6, 3, note_cell(NOTE_C4 + 1, 2));
    Pattern *old0 = song_pattern(f.song, 0), *old1 = song_pattern(f.song, 1);
    edit_cursor_next_channel(ed);
    edit_cursor_next_channel(ed);
    edit_cursor_next_channel(ed); /* channel 3 */
    CHECK_UNDO_REDO(&f, edit_song_set_channels(ed, 8));
    CHECK(was_retired(EDIT_RETIRE_PATTERN, old0));
    CHECK(was_retired(EDIT_RETIRE_PATTERN, old1));
    CHECK(atomic_load(&f.song->channels) == 8);
    for (int i = 0; i < 2; i++)
        CHECK(song_pattern(f.song, i)->channels == 8);
    CHECK(cell_at(&f, 5, 0).note == NOTE_C4);
    CHECK(cell_at(&f, 6, 3).note == NOTE_C4 + 1);
    CHECK(song_cell_is_empty(cell_at(&f, 6, 7)));
    /* Shrinking drops channel 3; undo brings it back. */
    CHECK_UNDO_REDO(&f, edit_song_set_channels(ed, 2));
    CHECK(song_pattern(f.song, 0)->channels == 2);
    CHECK(ed->cursor.channel == 1);
    CHECK(edit_undo(ed) == HISS_OK);
    CHECK(cell_at(&f, 6, 3).note == NOTE_C4 + 1);
    CHECK(ed->cursor.channel == 3);
    CHECK(edit_song_set_channels(ed, 0) == HISS_ERR_RANGE);
    CHECK(edit_song_set_channels(ed, 65) == HISS_ERR_RANGE);
    CHECK(edit_song_set_channels(ed, 64) == HISS_OK);
    CHECK(edit_channels(ed) == 64);
    fixture_free(&f);
}

/* Every setting of channel c's strip as numbers, its name apart: the
 * strip fields, the EQ, compressor and ducker, the insert, the groove. */
enum { STRIP_SIG = 128 };
static int strip_sig(const Song *song, int c, int out[STRIP_SIG])
{
    int n = 0;
    static const MixparamGroup groups[] = {MIXPARAM_STRIP, MIXPARAM_EQ, MIXPARAM_COMP,
                                           MIXPARAM_DUCK};
    for (int g = 0; g < 4; g++)
        for (int i = 0; i < mixparam_count(groups[g]); i++)
            out[n++] = mixparam_get(song, (MixParam){groups[g], c, i});
    for (int i = 0; i < SHAPE_COUNT; i++)
        out[n++] = atomic_load(&song->strips[c].fx[i]);
    for (int i = 0; i < SONG_GROOVE_PARAMS; i++)
        out[n++] = atomic_load(&song->strips[c].groove[i]);
    out[n++] = atomic_load(&song->strips[c].groove_own);
    return n;
}

static bool strip_is(const Song *song, int c, const Song *other, int oc)
{
    int a[STRIP_SIG], b[STRIP_SIG];
    int n = strip_sig(song, c, a);
    strip_sig(other, oc, b);
    return !memcmp(a, b, (size_t)n * sizeof a[0]) &&
           !strcmp(song->strips[c].name, other->strips[oc].name);
}

/* Channels removed and added again start with a fresh strip (no name,
 * no mix), while undo of the removal brings back their cells, names and
 * every setting, and redo takes them again. */
static void channel_count_removed_strips_start_fresh(void)
{
    Fixture f = fixture();
    Editor *ed = f.ed;
    Song *fresh = song_new();
    CHECK(edit_song_set_channels(ed, 6) == HISS_OK);
    put(&f, 2, 5, note_cell(NOTE_C4, 1));
    CHECK(edit_strip_set_name(ed, 4, "break") == HISS_OK);
    CHECK(edit_strip_set_name(ed, 5, "clap") == HISS_OK);
    CHECK(edit_strip_set(ed, 4, EDIT_STRIP_GAIN, -30) == HISS_OK);
    CHECK(edit_strip_set(ed, 4, EDIT_STRIP_PAN, 40) == HISS_OK);
    CHECK(edit_strip_set(ed, 5, EDIT_STRIP_SOLO, 1) == HISS_OK);
    CHECK(edit_strip_set(ed, 5, EDIT_STRIP_SEND_B, -60) == HISS_OK);
    CHECK(edit_strip_set(ed, 5, EDIT_STRIP_DUCK_FROM, 1) == HISS_OK);
    CHECK(edit_mix_set(ed, (MixParam){MIXPARAM_EQ, 4, MIXPARAM_EQ_LOW_CUT}, 120) == HISS_OK);
    CHECK(edit_mix_set(ed, (MixParam){MIXPARAM_COMP, 5, SONG_GLUE_ON}, 1) == HISS_OK);
    CHECK(edit_mix_set(ed, (MixParam){MIXPARAM_DUCK, 5, MIXPARAM_DUCK_HOLD}, 80) == HISS_OK);
    CHECK(edit_groove_set(ed, 4, SONG_GROOVE_SWING, 62) == HISS_OK);
    /* The insert comes from a song file (channel_fx), not an edit. */
    atomic_store(&f.song->strips[5].fx[SHAPE_DRIVE], 40);
    int old4[STRIP_SIG], old5[STRIP_SIG], now[STRIP_SIG];
    int n = strip_sig(f.song, 4, old4);
    strip_sig(f.song, 5, old5);
    CHECK(!strip_is(f.song, 4, fresh, 4) && !strip_is(f.song, 5, fresh, 5));

    CHECK_UNDO_REDO(&f, edit_song_set_channels(ed, 4));
    CHECK(edit_song_set_channels(ed, 6) == HISS_OK);
    for (int c = 4; c < 6; c++)
        CHECK_MSG(strip_is(f.song, c, fresh, c), "channel %d kept its strip", c + 1);
    CHECK(song_cell_is_empty(cell_at(&f, 2, 5)));
    /* A channel soloed and removed silences no one. */
    for (int c = 0; c < SONG_MAX_CHANNELS; c++)
        CHECK(!atomic_load(&f.song->strips[c].solo));

    CHECK(edit_undo(ed) == HISS_OK); /* the raise */
    CHECK(atomic_load(&f.song->channels) == 4);
    CHECK(edit_undo(ed) == HISS_OK); /* the removal */
    CHECK(atomic_load(&f.song->channels) == 6);
    CHECK(cell_at(&f, 2, 5).note == NOTE_C4);
    CHECK_STR(f.song->strips[4].name, "break");
    CHECK_STR(f.song->strips[5].name, "clap");
    strip_sig(f.song, 4, now);
    CHECK(!memcmp(now, old4, (size_t)n * sizeof now[0]));
    strip_sig(f.song, 5, now);
    CHECK(!memcmp(now, old5, (size_t)n * sizeof now[0]));
    CHECK(atomic_load(&f.song->strips[5].fx[SHAPE_DRIVE]) == 40);

    CHECK(edit_redo(ed) == HISS_OK);
    CHECK(edit_redo(ed) == HISS_OK);
    CHECK(atomic_load(&f.song->channels) == 6);
    for (int c = 4; c < 6; c++)
        CHECK_MSG(strip_is(f.song, c, fresh, c), "channel %d: redo kept its strip", c + 1);
    /* Channels kept keep their strips. */
    CHECK(edit_strip_set_name(ed, 1, "bass") == HISS_OK);
    CHECK(edit_strip_set(ed, 1, EDIT_STRIP_PAN, -20) == HISS_OK);
    CHECK(edit_song_set_channels(ed, 2) == HISS_OK);
    CHECK(edit_song_set_channels(ed, 3) == HISS_OK);
    CHECK_STR(f.song->strips[1].name, "bass");
    CHECK(atomic_load(&f.song->strips[1].pan) == -20);
    song_free(fresh);
    fixture_free(&f);
}

/* ---- instruments ------------------------------------------------------------ */

static Instrument *instrument_with_sample(uint32_t frames)
{
    Instrument *in = song_instrument_new();
    float *data = calloc(frames, sizeof *data);
    in->sample = sample_new(data, frames, 1, 48000);
    free(data);
    snprintf(in->name, sizeof in->name, "kick");
    return in;
}

/* A note written that will play nothing can say why: an empty slot, no
 * sample, a slice the instrument does not have. The note is written. */
static void silent_notes_say_why(void)
{
    Fixture f = fixture();
    char why[96] = "";
    edit_set_octave(f.ed, 4);
    edit_set_instrument_current(f.ed, 0x0C);
    CHECK(edit_note_from_key_offset(f.ed, 0) == HISS_OK);
    Cell written = cell_at(&f, 0, 0);
    CHECK(written.note == NOTE_C4 && written.instrument == 0x0C);
    CHECK(edit_note_silent_reason(f.song, written, why, sizeof why));
    CHECK_STR(why, "instrument 0C is empty: the note plays nothing");
    /* No instrument in the cell, or no note: nothing to tell. */
    CHECK(!edit_note_silent_reason(f.song, note_cell(NOTE_C4, 0), why, sizeof why));
    CHECK(!edit_note_silent_reason(f.song, note_cell(NOTE_OFF, 0x0C), why, sizeof why));

    Instrument *none = song_instrument_new();
    atomic_store(&f.song->instruments[0x0D], none);
    CHECK(edit_note_silent_reason(f.song, note_cell(NOTE_C4, 0x0D), why, sizeof why));
    CHECK_STR(why, "instrument 0D has no sample: the note plays nothing");
    /* One whose sample is named but still loading will play: no hint. */
    snprintf(none->path, sizeof none->path, "break.wav");
    CHECK(!edit_note_silent_reason(f.song, note_cell(NOTE_C4, 0x0D), why, sizeof why));

    Instrument *in = instrument_with_sample(8000);
    const uint32_t points[8] = {0, 1000, 2000, 3000, 4000, 5000, 6000, 7000};
    song_instrument_set_slices(in, points, 8);
    atomic_store(&f.song->instruments[0x0C], in);
    /* Slice mode off: every note plays the whole sample. */
    CHECK(!edit_note_silent_reason(f.song, note_cell(NOTE_C4 + 11, 0x0C), why, sizeof why));
    in->shape[SHAPE_SLICE_MODE] = 1;
    CHECK(!edit_note_silent_reason(f.song, note_cell(NOTE_C4 + 7, 0x0C), why, sizeof why));
    CHECK(edit_note_silent_reason(f.song, note_cell(NOTE_C4 + 11, 0x0C), why, sizeof why));
    CHECK_STR(why, "slice 12 past the sample's 8 slices: the note plays nothing");
    CHECK(edit_note_silent_reason(f.song, note_cell(NOTE_C4 - 1, 0x0C), why, sizeof why));
    CHECK_STR(why, "B-3 is below C-4, slice 1: the note plays nothing");
    /* Sxx picks the slice, whatever the note. */
    Cell pick = note_cell(NOTE_C4 + 11, 0x0C);
    pick.fx2 = 'S';
    pick.fx2_param = 2;
    CHECK(!edit_note_silent_reason(f.song, pick, why, sizeof why));
    pick.fx2_param = 9;
    CHECK(edit_note_silent_reason(f.song, pick, why, sizeof why));
    CHECK_STR(why, "slice 9 past the sample's 8 slices: the note plays nothing");
    fixture_free(&f);
}

/* ---- a stretch that follows the tempo ---------------------------------------- */

/* Slot 0D as F leaves it: break.wav stretched to 2 beats at bpm_tenths. */
static Instrument *break_stretched(int bpm_tenths)
{
    Instrument *in = instrument_with_sample((uint32_t)lround(2 * 600.0 / bpm_tenths * 48000));
    in->stretch_beats = 2;
    snprintf(in->stretch_from, sizeof in->stretch_from, "break.wav");
    snprintf(in->path, sizeof in->path, "break-%dbpm.wav", bpm_tenths);
    return in;
}

static int song_bpm(const Fixture *f)
{
    return atomic_load(&f->song->bpm_tenths);
}

static bool slot_on_tempo(const Fixture *f, int bpm_tenths)
{
    const Instrument *in = song_instrument(f->song, 0x0D);
    return in && !tempo_follow_off_tempo(in, bpm_tenths) &&
           in->sample->frames == (uint32_t)lround(2 * 600.0 / bpm_tenths * 48000);
}

/* The stretch due for the tempo edit the song has: taken as the editor
 * takes it, once the tempo has held; *edit is the edit it follows. */
static bool follow_now(Fixture *f, TempoFollow *tf, double *now, uint64_t *edit)
{
    tempo_follow_due(tf, f->ed, *now += 0.05); /* sees the edit */
    if (tempo_follow_due(tf, f->ed, *now += TEMPO_FOLLOW_SETTLE_SECONDS / 2) != 0)
        return false; /* not before the tempo has held */
    *edit = f->ed->tempo_edit;
    return tempo_follow_due(tf, f->ed, *now += TEMPO_FOLLOW_SETTLE_SECONDS) == 0x0D;
}

/* Nothing is due however long one waits. */
static bool nothing_due(Fixture *f, TempoFollow *tf, double *now)
{
    for (int i = 0; i < 4; i++)
        if (tempo_follow_due(tf, f->ed, *now += 1.0))
            return false;
    return true;
}

/* Undo after a stretch followed the tempo steps back through the tempo and
 * the stretch together, redo forward, and neither ever makes a stretch
 * due (each due stretch is a new file and, pushed, would wipe the redo
 * history: undo looped on it). A stretch that lands after the tempo moved
 * on is stale. */
static void stretch_follows_tempo_edits_not_history(void)
{
    Fixture f = fixture();
    Editor *ed = f.ed;
    TempoFollow tf = {0};
    double now = 100;
    uint64_t edit = 0;
    CHECK(edit_song_set_bpm_tenths(ed, 891) == HISS_OK);
    CHECK(edit_instrument_replace(ed, 0x0D, break_stretched(891)) == HISS_OK);
    CHECK(nothing_due(&f, &tf, &now));
    int depth = undo_depth(&ed->history);

    /* Five nudges up, then the stretch for 94.1 once the tempo held. */
    for (int i = 1; i <= 5; i++) {
        CHECK(edit_song_set_bpm_tenths(ed, 891 + 10 * i) == HISS_OK);
        CHECK(tempo_follow_due(&tf, ed, now += 0.2) == 0);
    }
    CHECK(follow_now(&f, &tf, &now, &edit));
    CHECK(tempo_follow_due(&tf, ed, now += 1.0) == 0); /* once for that edit */
    CHECK(tempo_follow_current(ed, edit, 941));
    CHECK(edit_instrument_restretch(ed, 0x0D, break_stretched(941)) == HISS_OK);
    CHECK(undo_depth(&ed->history) == depth + 5); /* joined the last nudge */
    CHECK(slot_on_tempo(&f, 941));
    CHECK(nothing_due(&f, &tf, &now));

    /* Each undo steps back, the first taking the stretch with the tempo. */
    for (int i = 1; i <= 5; i++) {
        CHECK(edit_undo(ed) == HISS_OK);
        CHECK(song_bpm(&f) == 941 - 10 * i);
        CHECK(undo_depth(&ed->history) == depth + 5 - i);
        CHECK(nothing_due(&f, &tf, &now));
    }
    CHECK(slot_on_tempo(&f, 891));
    for (int i = 1; i <= 5; i++) {
        CHECK(edit_redo(ed) == HISS_OK);
        CHECK(song_bpm(&f) == 891 + 10 * i);
        CHECK(nothing_due(&f, &tf, &now));
    }
    CHECK(slot_on_tempo(&f, 941));
    CHECK(!edit_can_redo(ed) && undo_depth(&ed->history) == depth + 5);

    /* A save between the tempo edit and its stretch: the stretch is new. */
    CHECK(edit_song_set_bpm_tenths(ed, 951) == HISS_OK);
    edit_mark_saved(ed);
    CHECK(follow_now(&f, &tf, &now, &edit));
    CHECK(edit_instrument_restretch(ed, 0x0D, break_stretched(951)) == HISS_OK);
    CHECK(edit_is_dirty(ed));
    CHECK(edit_undo(ed) == HISS_OK);
    CHECK(song_bpm(&f) == 941 && slot_on_tempo(&f, 941));

    /* Stale landings: a stretch begun for 95.1 after an undo (or an undo
     * and a redo) is not current and nothing is due instead... */
    CHECK(edit_song_set_bpm_tenths(ed, 951) == HISS_OK);
    CHECK(follow_now(&f, &tf, &now, &edit));
    CHECK(edit_undo(ed) == HISS_OK);
    CHECK(!tempo_follow_current(ed, edit, 951));
    CHECK(edit_redo(ed) == HISS_OK);
    CHECK(song_bpm(&f) == 951 && !tempo_follow_current(ed, edit, 951));
    CHECK(nothing_due(&f, &tf, &now));
    /* ...while after another tempo edit it is due again, for that tempo. */
    CHECK(edit_song_set_bpm_tenths(ed, 961) == HISS_OK);
    CHECK(!tempo_follow_current(ed, edit, 951));
    CHECK(follow_now(&f, &tf, &now, &edit));
    CHECK(tempo_follow_current(ed, edit, 961));
    /* A slot changed meanwhile is due again; an edit in between keeps the
     * stretch a step of its own, undone alone. */
    tempo_follow_retry(&tf, 0x0D);
    CHECK(tempo_follow_due(&tf, ed, now += 0.05) == 0x0D);
    depth = undo_depth(&ed->history);
    CHECK(edit_song_set_title(ed, "dusty") == HISS_OK);
    CHECK(tempo_follow_current(ed, edit, 961));
    CHECK(edit_instrument_restretch(ed, 0x0D, break_stretched(961)) == HISS_OK);
    CHECK(undo_depth(&ed->history) == depth + 2);
    CHECK(edit_undo(ed) == HISS_OK);
    CHECK(song_bpm(&f) == 961 && slot_on_tempo(&f, 941));
    CHECK(nothing_due(&f, &tf, &now));
    fixture_free(&f);
}

static void instrument_params(void)
{
    Fixture f = fixture();
    Editor *ed = f.ed;
    CHECK(edit_instrument_set_volume(ed, 1, 10) == HISS_ERR_MISSING);
    CHECK(edit_instrument_set_volume(ed, 0, 10) == HISS_ERR_RANGE);
    Instrument *in = instrument_with_sample(1000);
    CHECK_UNDO_REDO(&f, edit_instrument_replace(ed, 3, in));
    CHECK(song_instrument(f.song, 3) != NULL);
    CHECK_STR(song_instrument(f.song, 3)->name, "kick");

    Instrument *cur = song_instrument(f.song, 3);
    CHECK_UNDO_REDO(&f, edit_instrument_set_volume(ed, 3, 40));
    CHECK(was_retired(EDIT_RETIRE_INSTRUMENT, cur));
    CHECK(song_instrument(f.song, 3)->volume == 40);
    CHECK_UNDO_REDO(&f, edit_instrument_set_name(ed, 3, "snare"));
    CHECK_STR(song_instrument(f.song, 3)->name, "snare");
    CHECK_UNDO_REDO(&f, edit_instrument_set_pan(ed, 3, -40));
    CHECK_UNDO_REDO(&f, edit_instrument_set_base_note(ed, 3, NOTE_C4 + 7));
    CHECK_UNDO_REDO(&f, edit_instrument_set_finetune(ed, 3, -12));
    CHECK_UNDO_REDO(&f, edit_instrument_set_loop(ed, 3, LOOP_PINGPONG, 100, 900));
    CHECK_UNDO_REDO(&f, edit_instrument_set_interp(ed, 3, INTERP_SINC));
    const Instrument *now = song_instrument(f.song, 3);
    CHECK(now->pan == -40 && now->base_note == NOTE_C4 + 7);
    CHECK(now->finetune == -12 && now->loop == LOOP_PINGPONG);
    CHECK(now->loop_start == 100 && now->loop_end == 900);
    CHECK(now->interp == INTERP_SINC);
    CHECK(now->sample == in->sample || now->sample != NULL);
    CHECK(edit_instrument_set_volume(ed, 3, 65) == HISS_ERR_RANGE);
    CHECK(edit_instrument_set_pan(ed, 3, 101) == HISS_ERR_RANGE);
    CHECK(edit_instrument_set_base_note(ed, 3, 0) == HISS_ERR_RANGE);
    CHECK(edit_instrument_set_finetune(ed, 3, -101) == HISS_ERR_RANGE);
    CHECK(edit_instrument_set_loop(ed, 3, LOOP_FORWARD, 10, 1001) == HISS_ERR_RANGE);
    CHECK(edit_instrument_set_loop(ed, 3, LOOP_FORWARD, 10, 10) == HISS_ERR_RANGE);
    CHECK(edit_instrument_set_interp(ed, 3, INTERP_COUNT) == HISS_ERR_RANGE);
    CHECK(edit_instrument_set_loop(ed, 3, LOOP_OFF, 0, 0) == HISS_OK);

    /* Replacing with NULL empties the slot; undo restores it. */
    Instrument *last = song_instrument(f.song, 3);
    CHECK_UNDO_REDO(&f, edit_instrument_replace(ed, 3, NULL));
    CHECK(song_instrument(f.song, 3) == NULL);
    CHECK(was_retired(EDIT_RETIRE_INSTRUMENT, last));
    CHECK(edit_undo(ed) == HISS_OK);
    CHECK_STR(song_instrument(f.song, 3)->name, "snare");
    CHECK(edit_instrument_replace(ed, 0, song_instrument_new()) == HISS_ERR_RANGE);
    fixture_free(&f);
}

/* ---- undo history ------------------------------------------------------------ */

static void long_history_undoes_back_to_the_start(void)
{
    Fixture f = fixture();
    Editor *ed = f.ed;
    Snap start = snapshot(f.song);
    edit_set_step(ed, 1);
    int steps = 0;
    for (int i = 0; i < 1200; i++) {
        int key = i % 24;
        CHECK(edit_note_from_key_offset(ed, key) == HISS_OK);
        steps++;
        if (i % 97 == 0) {
            edit_mark_pattern(ed);
            CHECK(edit_block_transpose(ed, 1) == HISS_OK);
            edit_mark_clear(ed);
            steps++;
        }
        if (i % 301 == 0) {
            CHECK(edit_pattern_set_length(ed, 32 + i % 64) == HISS_OK);
            steps++;
        }
    }
    CHECK(steps > 1200);
    Snap end = snapshot(f.song);
    int undone = 0;
    while (edit_undo(ed) == HISS_OK)
        undone++;
    CHECK_MSG(undone == steps, "%d of %d", undone, steps);
    Snap back = snapshot(f.song);
    CHECK(snap_equal(start, back));
    CHECK(!edit_is_dirty(ed));
    while (edit_redo(ed) == HISS_OK)
        ;
    Snap again = snapshot(f.song);
    CHECK(snap_equal(end, again));
    snap_free(&start);
    snap_free(&end);
    snap_free(&back);
    snap_free(&again);
    fixture_free(&f);
}

static void history_limit_drops_oldest(void)
{
    Fixture f = fixture();
    Editor *ed = f.ed;
    edit_set_undo_limits(ed, 10, 0);
    for (int i = 0; i < 25; i++)
        CHECK(edit_note_from_key_offset(ed, i % 12) == HISS_OK);
    int undone = 0;
    while (edit_undo(ed) == HISS_OK)
        undone++;
    CHECK(undone == 10);
    /* The 15 oldest entries stay: they can no longer be undone. */
    CHECK(cell_at(&f, 14, 0).note != NOTE_EMPTY);
    CHECK(cell_at(&f, 15, 0).note == NOTE_EMPTY);
    CHECK(edit_is_dirty(ed)); /* the saved (empty) state is out of reach */
    fixture_free(&f);
}

static void history_byte_budget(void)
{
    Fixture f = fixture();
    Editor *ed = f.ed;
    CHECK(edit_song_set_channels(ed, 64) == HISS_OK);
    CHECK(edit_pattern_set_length(ed, 256) == HISS_OK);
    /* Growing keeps no copy: nothing can be lost. */
    CHECK(ed->history.bytes < 4096);
    for (int r = 0; r < 256; r++)
        for (int c = 0; c < 64; c++)
            put(&f, r, c, note_cell(NOTE_FIRST + (r + c) % 100, 1));
    /* Shrinking over set cells keeps the old pattern (256 x 64 x 8 bytes). */
    CHECK(edit_pattern_set_length(ed, 255) == HISS_OK);
    CHECK(ed->history.bytes > 256 * 64 * 8);
    CHECK(edit_undo(ed) == HISS_OK);
    CHECK(cell_at(&f, 255, 63).note == NOTE_FIRST + (255 + 63) % 100);
    edit_set_undo_limits(ed, 1000, 1 << 20);
    for (int i = 0; i < 100; i++) {
        if (i % 2 == 0)
            put(&f, 255, 0, note_cell(NOTE_C4, 1)); /* something to lose */
        CHECK(edit_pattern_set_length(ed, i % 2 ? 256 : 255) == HISS_OK);
    }
    CHECK(ed->history.bytes <= (size_t)1 << 20);
    CHECK(undo_depth(&ed->history) < 100);
    CHECK(undo_depth(&ed->history) >= 1);
    fixture_free(&f);
}

/* A song restored from a recovery file differs from its file before any
 * edit, and undoing everything does not make it match. */
static void marked_unsaved_until_saved(void)
{
    Fixture f = fixture();
    Editor *ed = f.ed;
    CHECK(!edit_is_dirty(ed));
    edit_mark_unsaved(ed);
    CHECK(edit_is_dirty(ed));
    CHECK(edit_note_from_key_offset(ed, 0) == HISS_OK);
    CHECK(edit_undo(ed) == HISS_OK);
    CHECK(edit_is_dirty(ed));
    CHECK(edit_redo(ed) == HISS_OK);
    CHECK(edit_is_dirty(ed));
    edit_mark_saved(ed);
    CHECK(!edit_is_dirty(ed));
    fixture_free(&f);
}

static void redo_cleared_by_new_edit_and_dirty_tracking(void)
{
    Fixture f = fixture();
    Editor *ed = f.ed;
    CHECK(!edit_is_dirty(ed));
    uint64_t changes = ed->change_count;
    CHECK(edit_note_from_key_offset(ed, 0) == HISS_OK);
    CHECK(ed->change_count > changes);
    CHECK(edit_is_dirty(ed));
    edit_mark_saved(ed);
    CHECK(!edit_is_dirty(ed));
    CHECK(edit_note_from_key_offset(ed, 1) == HISS_OK);
    CHECK(edit_is_dirty(ed));
    CHECK(edit_undo(ed) == HISS_OK);
    CHECK(!edit_is_dirty(ed)); /* back at the saved state */
    CHECK(edit_can_redo(ed));
    CHECK(edit_note_from_key_offset(ed, 5) == HISS_OK);
    CHECK(!edit_can_redo(ed));
    CHECK(edit_redo(ed) == HISS_ERR_MISSING);
    CHECK(edit_undo(ed) == HISS_OK);
    CHECK(!edit_is_dirty(ed));
    CHECK(edit_undo(ed) == HISS_OK);
    CHECK(edit_is_dirty(ed));
    CHECK(edit_undo(ed) == HISS_ERR_MISSING);
    /* A new song: clean and no history. */
    Song *other = song_new();
    edit_set_song(ed, other);
    CHECK(!edit_is_dirty(ed) && !edit_can_undo(ed));
    edit_set_song(ed, f.song);
    song_free(other);
    fixture_free(&f);
}

static void no_retire_callback_frees_directly(void)
{
    Song *song = song_new();
    Editor *ed = edit_new(song, NULL, NULL);
    CHECK(edit_pattern_set_length(ed, 16) == HISS_OK);
    CHECK(edit_song_set_channels(ed, 2) == HISS_OK);
    CHECK(edit_undo(ed) == HISS_OK);
    CHECK(edit_undo(ed) == HISS_OK);
    CHECK(edit_current_pattern(ed)->rows == 64);
    edit_free(ed);
    song_free(song);
}

/* Slices set by the editor are one undo step; slice to pattern writes
 * each slice on the row it starts on at the song's tempo, from the cursor,
 * and undoes as one step. */
static void slices_and_slice_to_pattern(void)
{
    Fixture f = fixture();
    atomic_store(&f.song->bpm_tenths, 1250);
    atomic_store(&f.song->speed, 6);
    /* 48 kHz: a row at 125 BPM speed 6 is 5760 frames. */
    float *x = calloc(5760 * 10, sizeof(float));
    Instrument *inst = song_instrument_new();
    inst->sample = sample_new(x, 5760 * 10, 1, 48000);
    free(x);
    atomic_store(&f.song->instruments[3], inst);
    CHECK(edit_slices_to_pattern(f.ed, 3, NULL) == HISS_ERR_MISSING); /* no slices */
    const uint32_t points[] = {5760 * 4, 0, 5760 * 2 + 100, 5760 * 2 + 200};
    CHECK(edit_instrument_set_slices(f.ed, 3, points, 4) == HISS_OK);
    const Instrument *now = song_instrument(f.song, 3);
    CHECK(now->slice_count == 4 && now->slices[0] == 0 && now->slices[3] == 5760 * 4);
    CHECK(now->given & INST_GIVEN_SLICES);
    CHECK(edit_instrument_set_shape(f.ed, 3, SHAPE_SLICE_MODE, 1) == HISS_OK);
    EditCursor c = f.ed->cursor;
    c.row = 60;
    c.channel = 1;
    edit_cursor_set(f.ed, c);
    EditSlicesPlaced placed;
    CHECK(edit_slices_to_pattern(f.ed, 3, &placed) == HISS_OK);
    /* Rows 60, 62, (62 again: dropped), 64 (past the end: dropped). */
    CHECK_MSG(placed.written == 2 && placed.shared == 1 && placed.past_end == 1,
              "written %d, shared %d, past the end %d", placed.written, placed.shared,
              placed.past_end);
    CHECK(cell_at(&f, 60, 1).note == NOTE_C4 && cell_at(&f, 60, 1).instrument == 3);
    CHECK(cell_at(&f, 62, 1).note == NOTE_C4 + 1);
    CHECK(cell_at(&f, 61, 1).note == NOTE_EMPTY && cell_at(&f, 63, 1).note == NOTE_EMPTY);
    /* Without slice mode: the base note and Sxx. */
    CHECK(edit_undo(f.ed) == HISS_OK);
    CHECK(cell_at(&f, 60, 1).note == NOTE_EMPTY);
    CHECK(edit_instrument_set_shape(f.ed, 3, SHAPE_SLICE_MODE, 0) == HISS_OK);
    c.row = 0;
    edit_cursor_set(f.ed, c);
    CHECK(edit_slices_to_pattern(f.ed, 3, NULL) == HISS_OK);
    Cell third = cell_at(&f, 4, 1);
    CHECK(third.note == NOTE_C4 && third.fx == 'S' && third.fx_param == 4);
    CHECK(cell_at(&f, 2, 1).fx_param == 2);
    CHECK(cell_at(&f, 2, 1).fx2 == 0); /* on the row's first tick: no delay */
    CHECK(edit_undo(f.ed) == HISS_OK);
    /* Slices between rows start on their tick: a note delay (EDx) on the
     * row, in the effect column Sxx leaves free, or the first in slice
     * mode. A tick is 960 frames here. */
    const uint32_t between[] = {0, 5760 + 960 * 2, 5760 * 3 + 960 * 2 + 100, 5760 * 5 - 300};
    CHECK(edit_instrument_set_slices(f.ed, 3, between, 4) == HISS_OK);
    CHECK(edit_slices_to_pattern(f.ed, 3, &placed) == HISS_OK);
    CHECK(placed.written == 4 && placed.shared == 0 && placed.past_end == 0);
    Cell late = cell_at(&f, 1, 1), later = cell_at(&f, 3, 1), early = cell_at(&f, 5, 1);
    CHECK_MSG(late.fx == 'S' && late.fx_param == 2 && late.fx2 == 'E' && late.fx2_param == 0xD2,
              "row 1: %c%02X %c%02X", late.fx, late.fx_param, late.fx2, late.fx2_param);
    CHECK(later.fx_param == 3 && later.fx2 == 'E' && later.fx2_param == 0xD2);
    /* a little early: on the row, undelayed */
    CHECK(early.fx_param == 4 && early.fx2 == 0 && cell_at(&f, 4, 1).note == NOTE_EMPTY);
    CHECK(edit_instrument_set_shape(f.ed, 3, SHAPE_SLICE_MODE, 1) == HISS_OK);
    CHECK(edit_slices_to_pattern(f.ed, 3, NULL) == HISS_OK);
    late = cell_at(&f, 1, 1);
    CHECK(late.note == NOTE_C4 + 1 && late.fx == 'E' && late.fx_param == 0xD2 && !late.fx2);
    /* The pattern, slice mode, the pattern, the slices again, both slice
     * mode changes, then the first slices. */
    for (int i = 0; i < 7; i++)
        CHECK(edit_undo(f.ed) == HISS_OK);
    CHECK(cell_at(&f, 1, 1).note == NOTE_EMPTY);
    CHECK(song_instrument(f.song, 3)->slice_count == 0);
    fixture_free(&f);
}

/* Keep only the slices used: the slices some note plays (slice-mode notes,
 * Sxx, a note without an instrument after one that named the slot) are
 * found; the new instrument with those alone goes in with every note
 * renumbered, and one undo brings back both. */
static void keep_only_the_slices_used(void)
{
    Fixture f = fixture();
    float x[400] = {0};
    Instrument *inst = song_instrument_new();
    inst->sample = sample_new(x, 400, 1, 48000);
    const uint32_t points[] = {0, 100, 200, 300};
    song_instrument_set_slices(inst, points, 4);
    inst->shape[SHAPE_SLICE_MODE] = 1;
    atomic_store(&f.song->instruments[3], inst);
    Instrument *other = song_instrument_new();
    atomic_store(&f.song->instruments[5], other);
    Pattern *p = edit_current_pattern(f.ed);
    song_pattern_set(p, 0, 0, note_cell(NOTE_C4 + 1, 3)); /* slice 2 */
    song_pattern_set(p, 1, 0, note_cell(NOTE_C4 + 3, 0)); /* slice 4, no instrument */
    Cell pick = note_cell(NOTE_C4, 3);
    pick.fx = 'S';
    pick.fx_param = 4; /* slice 4 again, by Sxx */
    song_pattern_set(p, 2, 0, pick);
    song_pattern_set(p, 3, 1, note_cell(NOTE_C4, 5)); /* another slot's note */
    song_pattern_set(p, 4, 1, note_cell(NOTE_C4 + 2, 0));
    bool played[SONG_MAX_SLICES];
    HissDiag diag = {{0}};
    CHECK_MSG(edit_slices_played(f.song, 3, played, &diag) == HISS_OK, "%s", diag.text);
    CHECK(!played[0] && played[1] && !played[2] && played[3]);

    Instrument *kept = song_instrument_clone(inst);
    const uint32_t two[] = {0, 100};
    kept->slice_count = 0;
    song_instrument_set_slices(kept, two, 2);
    CHECK(edit_instrument_keep_slices(f.ed, 3, kept, played) == HISS_OK);
    CHECK(song_instrument(f.song, 3)->slice_count == 2);
    CHECK(cell_at(&f, 0, 0).note == NOTE_C4);     /* slice 2 is now 1 */
    CHECK(cell_at(&f, 1, 0).note == NOTE_C4 + 1); /* slice 4 is now 2 */
    CHECK(cell_at(&f, 2, 0).note == NOTE_C4 && cell_at(&f, 2, 0).fx_param == 2);
    CHECK(cell_at(&f, 4, 1).note == NOTE_C4 + 2); /* slot 5's note is left alone */
    CHECK(edit_undo(f.ed) == HISS_OK);
    CHECK(song_instrument(f.song, 3)->slice_count == 4);
    CHECK(cell_at(&f, 0, 0).note == NOTE_C4 + 1 && cell_at(&f, 1, 0).note == NOTE_C4 + 3);
    CHECK(cell_at(&f, 2, 0).fx_param == 4);

    /* A note that may be the slot's without saying so: no slice is
     * called unused. Nor when a note plays the whole sample. */
    p = edit_current_pattern(f.ed);
    song_pattern_set(p, 5, 2, note_cell(NOTE_C4, 0));
    song_pattern_set(p, 7, 2, note_cell(NOTE_C4, 3));
    CHECK(edit_slices_played(f.song, 3, played, &diag) == HISS_ERR_RANGE);
    CHECK_MSG(strstr(diag.text, "row 05 channel 3") != NULL, "%s", diag.text);
    song_pattern_set(p, 5, 2, song_cell_empty());
    CHECK(edit_slices_played(f.song, 3, played, &diag) == HISS_OK);
    CHECK(edit_instrument_set_shape(f.ed, 3, SHAPE_SLICE_MODE, 0) == HISS_OK);
    CHECK(edit_slices_played(f.song, 3, played, &diag) == HISS_ERR_RANGE);
    CHECK_MSG(strstr(diag.text, "whole sample") != NULL, "%s", diag.text);
    fixture_free(&f);
}

static void empty_song_is_handled(void)
{
    Song *song = song_new_empty();
    Editor *ed = edit_new(song, on_retire, NULL);
    edit_set_edit_mode(ed, true);
    CHECK(edit_current_pattern(ed) == NULL);
    CHECK(edit_note_from_key_offset(ed, 0) == HISS_ERR_MISSING);
    CHECK(edit_block_copy(ed) == HISS_ERR_MISSING);
    CHECK(edit_pattern_clone(ed) == HISS_ERR_MISSING);
    CHECK(edit_insert_row(ed, true) == HISS_ERR_MISSING);
    edit_cursor_down(ed);
    edit_cursor_left(ed);
    edit_cursor_end(ed);
    edit_mark_pattern(ed);
    CHECK(edit_pattern_new(ed) == HISS_OK);
    CHECK(edit_current_pattern(ed) != NULL);
    CHECK(edit_current_pattern(ed)->rows == 64);
    CHECK(edit_order_insert(ed, 0) == HISS_OK);
    CHECK(atomic_load(&song->order_count) == 1);
    CHECK(edit_undo(ed) == HISS_OK);
    CHECK(edit_undo(ed) == HISS_OK);
    CHECK(song_pattern(song, 0) == NULL);
    edit_free(ed);
    song_free(song);
    free_retired();
}

int main(void)
{
    RUN(note_entry_writes_note_and_instrument);
    RUN(slices_and_slice_to_pattern);
    RUN(note_entry_limits_and_modes);
    RUN(note_off_and_cut);
    RUN(hex_entry_per_nibble);
    RUN(effect_letter_then_digits_fill_one_effect);
    RUN(delete_field_and_cell);
    RUN(insert_and_delete_rows);
    RUN(cursor_moves_and_wraps);
    RUN(selection_marks);
    RUN(copy_cut_paste);
    RUN(mix_paste_fills_only_empty_fields);
    RUN(transpose_clamps);
    RUN(interpolation);
    RUN(set_instrument_on_block);
    RUN(pattern_new_clone_length);
    RUN(pattern_new_when_full);
    RUN(order_list);
    RUN(order_entries_create_missing_patterns);
    RUN(song_settings);
    RUN(channel_names);
    RUN(channel_count_keeps_data);
    RUN(channel_count_removed_strips_start_fresh);
    RUN(silent_notes_say_why);
    RUN(instrument_params);
    RUN(stretch_follows_tempo_edits_not_history);
    RUN(long_history_undoes_back_to_the_start);
    RUN(history_limit_drops_oldest);
    RUN(history_byte_budget);
    RUN(redo_cleared_by_new_edit_and_dirty_tracking);
    RUN(marked_unsaved_until_saved);
    RUN(no_retire_callback_frees_directly);
    RUN(keep_only_the_slices_used);
    RUN(empty_song_is_handled);
    return test_finish();
}
