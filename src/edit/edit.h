/* edit: every editing operation of the tracker, as plain functions on the
 * song model, with undo/redo. No terminal here: the UI maps keys to these
 * functions and draws; tests call them directly.
 *
 * Threads: call everything from the UI thread only. The engine plays the
 * same Song meanwhile (see song.h):
 * - cell edits are single atomic stores (song_pattern_set);
 * - structural edits (pattern length/new/clone, channel count, instrument
 *   parameters, instrument replace, undo of those) build a new object,
 *   store it into the slot (release) and hand the old one to the retire
 *   callback given to edit_new. The editor never frees anything that was
 *   in a song slot; the UI forwards it as ENGINE_CMD_RETIRE_PATTERN /
 *   ENGINE_CMD_RETIRE_INSTRUMENT and frees it when the engine returns it.
 *   A slot may also become NULL (undo of "new pattern").
 * - channel count: when growing, the wider patterns are installed before
 *   song->channels grows; when shrinking, song->channels shrinks first.
 *   Readers should use min(song->channels, pattern->channels).
 * - order list edits shift entries one atomic byte at a time; a reader
 *   may see a half-shifted list for one read, never an out-of-range index
 *   (order_count grows after the new entry is written and shrinks before
 *   entries move).
 * - song settings (bpm, speed...) are stored atomically; the UI still sends
 *   ENGINE_CMD_SET_BPM/SPEED when it wants a playing song to follow.
 *
 * Undo: every operation that changes the song is one undo step (also the
 * composite ones: cut, paste, channel count). Undo/redo put the cursor back
 * where the step happened. Cursor moves, marks, octave, step, modes and the
 * clipboard are view state: not undone, not "changes".
 *
 * Errors: HISS_ERR_RANGE for a value out of range or a cursor on the wrong
 * column, HISS_ERR_MISSING for an empty pattern/instrument slot,
 * HISS_ERR_BUSY when a key-entry op is called with edit mode off (or a
 * note entry in jam mode),
 * HISS_ERR_NOMEM. On any error the song and the history are unchanged. */
#ifndef HISS_EDIT_H
#define HISS_EDIT_H

#include <stdbool.h>
#include <stdint.h>

#include "base.h"
#include "song.h"
#include "engine.h"
#include "undo.h"

/* The cursor's column inside a channel, left to right as drawn:
 * "C-4 01 40 A0F R21" -> note, instrument hi/lo, volume hi/lo,
 * fx letter, fx param hi/lo, fx2 letter, fx2 param hi/lo. */
typedef enum {
    EDIT_COL_NOTE,
    EDIT_COL_INSTRUMENT_HI,
    EDIT_COL_INSTRUMENT_LO,
    EDIT_COL_VOLUME_HI,
    EDIT_COL_VOLUME_LO,
    EDIT_COL_FX,
    EDIT_COL_FX_PARAM_HI,
    EDIT_COL_FX_PARAM_LO,
    EDIT_COL_FX2,
    EDIT_COL_FX2_PARAM_HI,
    EDIT_COL_FX2_PARAM_LO,
    EDIT_COL_COUNT
} EditColumn;

/* The fields of a cell, for operations that act on one of them. */
typedef enum {
    EDIT_FIELD_NOTE,
    EDIT_FIELD_INSTRUMENT,
    EDIT_FIELD_VOLUME,
    EDIT_FIELD_FX,  /* letter and parameter together */
    EDIT_FIELD_FX2,
} EditField;

typedef struct {
    int pattern; /* the pattern slot shown */
    int row;
    int channel;
    EditColumn column;
} EditCursor;

/* A block selection, inclusive at both ends. It may reach past the pattern
 * (e.g. after shortening it); every operation clips it to the pattern. */
typedef struct {
    bool active;
    int row_begin, row_end;         /* row_begin <= row_end */
    int channel_begin, channel_end; /* channel_begin <= channel_end */
} EditSelection;

typedef struct {
    int rows, channels; /* 0 x 0 when empty */
    Cell *cells;        /* rows * channels, row-major */
} EditClipboard;

typedef enum { EDIT_RETIRE_PATTERN, EDIT_RETIRE_INSTRUMENT } EditRetireKind;
/* Receives an object just taken out of a song slot; it belongs to the
 * callee, which must not free it before the engine has let go of it. */
typedef void (*EditRetireFn)(void *ctx, EditRetireKind kind, void *ptr);

enum {
    EDIT_OCTAVE_MAX = 8,
    EDIT_STEP_MAX = 16,
    EDIT_PAGE_ROWS = 16,
};

/* Read any field freely; change them only through the functions below. */
typedef struct Editor {
    Song *song; /* not owned */
    EditRetireFn retire;
    void *retire_ctx;

    EditCursor cursor;
    int order_pos;   /* the order list entry the order view points at */
    int instrument;  /* current instrument slot, 0 = none (notes only) */
    int octave;      /* 0..EDIT_OCTAVE_MAX */
    int step;        /* rows to advance after an entry, 0..EDIT_STEP_MAX */
    bool edit_mode;  /* off: key-entry ops refuse (HISS_ERR_BUSY) */
    bool jam_mode;   /* note keys only play: note entry refuses (BUSY) */

    EditSelection selection;
    int mark_row, mark_channel; /* where edit_mark_begin was pressed */
    bool mark_set;
    EditClipboard clipboard;

    UndoHistory history;
    UndoStep *record_pass; /* live recording since the pass began, or NULL */
    uint64_t saved_state;  /* undo_state_id when last saved */
    uint64_t change_count; /* grows on every change, undo and redo: autosave */
    uint64_t merge_key;    /* edit_merge_with: steps pushed now may merge */
    /* The tempo as news for what follows it (stretches, tempofollow.h):
     * tempo_edit is a new number (never 0, never repeated) for each edit
     * that changes the tempo and for each song the editor is given, and 0
     * once undo or redo has set the tempo from the history; tempo_step is
     * the undo id of the step that edit made (0 for a song given). */
    uint64_t tempo_edit, tempo_edits, tempo_step;
} Editor;

/* ---- lifetime ------------------------------------------------------ */

/* The editor edits `song` (not owned). retire may be NULL only when the
 * song is not played by anyone (then the editor frees retired objects).
 * Starts at pattern 0 row 0, octave 4, step 1, instrument 1, edit mode off. */
Editor *edit_new(Song *song, EditRetireFn retire, void *retire_ctx);
void edit_free(Editor *ed);
/* Points the editor at another song (after load/new): history and
 * selection are cleared, the cursor goes home, the state counts as saved. */
void edit_set_song(Editor *ed, Song *song);
void edit_set_undo_limits(Editor *ed, int max_steps, size_t max_bytes);

/* ---- state: dirty, undo/redo --------------------------------------- */

bool edit_is_dirty(const Editor *ed); /* differs from the last save */
void edit_mark_saved(Editor *ed);
/* The song differs from its file whatever the history says (restored from
 * a recovery file): dirty until the next edit_mark_saved, even after
 * undoing everything. */
void edit_mark_unsaved(Editor *ed);
HissError edit_undo(Editor *ed); /* HISS_ERR_MISSING: nothing to undo */
/* Until called again with 0, each edit that changes only what the last
 * step changed, pushed with the same nonzero key and with nothing in
 * between, joins that step (undo_push_merging): the caller names a
 * gesture, e.g. one knob's sweep, that should undo as one. */
void edit_merge_with(Editor *ed, uint64_t key);
HissError edit_redo(Editor *ed);
bool edit_can_undo(const Editor *ed);
bool edit_can_redo(const Editor *ed);

/* ---- view settings (not undoable) ---------------------------------- */

void edit_set_octave(Editor *ed, int octave);       /* clamped 0..8 */
void edit_set_step(Editor *ed, int step);           /* clamped 0..16 */
void edit_set_instrument_current(Editor *ed, int slot); /* clamped 0..255 */
void edit_set_edit_mode(Editor *ed, bool on);
void edit_toggle_edit_mode(Editor *ed);
void edit_set_jam_mode(Editor *ed, bool on);
void edit_toggle_jam_mode(Editor *ed);

/* ---- cursor (not undoable; all clamp to the pattern) ---------------- */

Pattern *edit_current_pattern(const Editor *ed); /* NULL when the slot is empty */
int edit_channels(const Editor *ed); /* channels of the current pattern */
void edit_cursor_set(Editor *ed, EditCursor cursor); /* clamped */
void edit_cursor_up(Editor *ed);    /* wraps from row 0 to the last row */
void edit_cursor_down(Editor *ed);  /* wraps from the last row to row 0 */
void edit_cursor_left(Editor *ed);  /* column; crosses channels, wraps */
void edit_cursor_right(Editor *ed);
void edit_cursor_page_up(Editor *ed);   /* EDIT_PAGE_ROWS, stops at 0 */
void edit_cursor_page_down(Editor *ed); /* stops at the last row */
void edit_cursor_home(Editor *ed);      /* row 0 */
void edit_cursor_end(Editor *ed);       /* last row */
void edit_cursor_next_channel(Editor *ed); /* note column, wraps */
void edit_cursor_prev_channel(Editor *ed);
void edit_cursor_goto_row(Editor *ed, int row); /* clamped */
/* Moves by edit step (the move after an entry): wraps past the end. */
void edit_cursor_advance(Editor *ed);
/* Show another pattern: the next/previous existing slot (wrapping);
 * row and channel are clamped to it. Not undoable. */
void edit_pattern_next(Editor *ed);
void edit_pattern_prev(Editor *ed);
HissError edit_pattern_goto(Editor *ed, int slot); /* MISSING if empty */

/* ---- key entry at the cursor (need edit mode) ----------------------- */

/* Piano layout helper: 'z' s x d c v g b h n j m -> 0..11 and
 * 'q' 2 w 3 e r 5 t 6 y 7 u (and i 9 o 0 p) -> 12..28; -1 otherwise. */
int edit_piano_key_offset(int ch);
/* The note for a key offset at the current octave (1..120), 0 if beyond
 * B-9. Lets the UI audition a note even with edit mode off. */
int edit_note_for_offset(const Editor *ed, int offset);
/* Writes note (octave * 12 + offset) and the current instrument (when not
 * 0) at the cursor, then advances by the edit step. Needs the cursor on
 * the note column; refuses in jam mode, as do note off and cut. */
HissError edit_note_from_key_offset(Editor *ed, int offset);
/* Why the note of cell c plays nothing, as one line for the status line
 * ("instrument 0C is empty: the note plays nothing"): its instrument slot
 * is empty or has no sample, or in slice mode (or by Sxx) it picks a
 * slice the instrument does not have. False when it plays, when its
 * sample is still loading, and when the cell holds no note or no
 * instrument (the channel's last one plays). */
bool edit_note_silent_reason(const Song *song, Cell c, char *buf, size_t size);
HissError edit_note_off(Editor *ed); /* "===", then advance */
HissError edit_note_cut(Editor *ed); /* "^^^", then advance */
/* A hex digit (0..15) into the instrument, volume or effect parameter
 * nibble under the cursor. Volume is clamped to 00..40 (hex). The high
 * nibble moves the cursor to the low one; the low nibble moves it back to
 * the field's first column (an effect's letter) and advances by the edit
 * step. An effect parameter needs its letter first (HISS_ERR_MISSING
 * otherwise: the model never holds a parameter without a letter). On the
 * letter column a digit is that letter ('0'..'F'). */
HissError edit_hex_digit(Editor *ed, int digit);
/* An effect letter ('0'..'9', 'A'..'Z', lower case accepted) on the fx or
 * fx2 column; keeps the parameter; moves the cursor to the parameter's
 * high nibble, so a letter and two digits fill one effect. */
HissError edit_fx_letter(Editor *ed, int letter);
/* Dispatches a typed character by the cursor column: piano keys on the
 * note column, hex digits on number columns, letters on fx columns.
 * Returns HISS_ERR_RANGE when the key means nothing there. */
HissError edit_type_char(Editor *ed, int ch);
/* Clears the field under the cursor (note column: note and instrument;
 * instrument, volume: that field; fx columns: letter and parameter), then
 * advances by the edit step. */
HissError edit_delete_field(Editor *ed);
HissError edit_delete_cell(Editor *ed); /* the whole cell, then advance */
/* Insert an empty row at the cursor, shifting rows below down (the last
 * row falls off); delete shifts them up, an empty row enters at the end.
 * all_channels: the whole pattern row, else the cursor's channel only. */
HissError edit_insert_row(Editor *ed, bool all_channels);
HissError edit_delete_row(Editor *ed, bool all_channels);

/* ---- selection (not undoable) --------------------------------------- */

void edit_mark_begin(Editor *ed); /* anchors at the cursor */
void edit_mark_end(Editor *ed);   /* selects anchor..cursor (anchor: cursor
                                     if never set) */
/* All rows of the cursor's channel; when exactly that is already
 * selected, the whole pattern (press again to widen). */
void edit_mark_channel(Editor *ed);
void edit_mark_pattern(Editor *ed); /* the whole pattern */
void edit_mark_clear(Editor *ed);
void edit_mark_set(Editor *ed, int row_begin, int channel_begin, int row_end,
                   int channel_end); /* any order; not clipped */
/* Shift+arrow selection: moves the cursor by (rows, channels) without
 * wrapping and selects from the anchor (the cursor before the first such
 * move, or the mark) to the new cursor. */
void edit_select_extend(Editor *ed, int rows, int channels);
/* For drawing: is (row, channel) inside the active selection? */
bool edit_is_selected(const Editor *ed, int row, int channel);
/* The selection clipped to the current pattern, or the cursor cell when
 * there is none. false when nothing is left after clipping. */
bool edit_block_range(const Editor *ed, int *row0, int *ch0, int *row1,
                      int *ch1);

/* ---- block operations (on the selection, else the cursor cell) ------ */

HissError edit_block_copy(Editor *ed);  /* clipboard only: not undoable */
HissError edit_block_cut(Editor *ed);   /* copy, then clear */
HissError edit_block_clear(Editor *ed);
/* Pastes the clipboard with its top-left at the cursor, clipped to the
 * pattern. Mix-paste only fills fields that are empty in the pattern. */
HissError edit_block_paste(Editor *ed);
HissError edit_block_mix_paste(Editor *ed);
/* Notes move by `semitones`, clamped to C-0..B-9; off/cut/empty stay. */
HissError edit_block_transpose(Editor *ed, int semitones);
/* Per channel, from the block's first row to its last: fills the rows in
 * between with values interpolated linearly (rounded) between the two
 * ends. VOLUME needs both ends set; FX/FX2 need both ends to carry an
 * effect letter and fill rows with the first row's letter. A channel whose
 * ends are unset is left alone; if no channel qualifies: HISS_ERR_RANGE. */
HissError edit_block_interpolate(Editor *ed, EditField field);
/* The field by the cursor column (volume, fx or fx2 columns); from the
 * note or instrument column: volume, else fx, else fx2, whichever has
 * ends set in some channel. */
HissError edit_block_interpolate_at_cursor(Editor *ed);
/* Sets the current instrument on every cell of the block that has a note
 * (C-0..B-9). */
HissError edit_block_set_instrument(Editor *ed);

/* ---- patterns (structural) ------------------------------------------ */

/* A new empty pattern in the first free slot, as long as the current one
 * (64 rows if none) with the song's channels; the cursor goes there. */
HissError edit_pattern_new(Editor *ed);
/* A copy of the current pattern in the first free slot; cursor goes there. */
HissError edit_pattern_clone(Editor *ed);
HissError edit_pattern_set_length(Editor *ed, int rows); /* 1..256 */

/* ---- order list ------------------------------------------------------ */

/* order_pos may equal order_count: the append position. Entries always
 * name existing patterns: insert/set with an empty pattern slot create an
 * empty pattern there (current length, song channels) in the same step. */
void edit_order_goto(Editor *ed, int pos); /* clamped; not undoable */
/* Inserts `pattern` (0..255) at order_pos, shifting the rest down. */
HissError edit_order_insert(Editor *ed, int pattern);
HissError edit_order_delete(Editor *ed);    /* the entry at order_pos */
HissError edit_order_duplicate(Editor *ed); /* repeats it after itself */
/* Copies the entry's pattern into a new slot and inserts an entry for the
 * copy after it; order_pos and the cursor move to the copy. */
HissError edit_order_duplicate_pattern(Editor *ed);
HissError edit_order_set(Editor *ed, int pattern); /* 0..255 */
/* The entry at order_pos plays the next (delta > 0) or previous existing
 * pattern; past the highest existing one a new empty pattern is made.
 * HISS_ERR_RANGE when there is nothing that way. */
HissError edit_order_step_pattern(Editor *ed, int delta);

/* ---- song settings ----------------------------------------------------- */

/* Jam capture: rows[0..count) as the engine played them
 * (engine_capture_rows: each row's first tick, and after it the later
 * ticks on which the tempo or the channels heard changed) become a new
 * arrangement appended to the order list, one undo step: each run of
 * consecutive rows of one pattern is an order entry, the pattern itself
 * when it was played whole and unchanged, else a new copy of the rows
 * played, without its jumps and breaks, with Oxy where a channel was
 * taken out of the mix or came back (on the tick it did; on an entry's
 * first row for those out as it began), Fxx (with Txy for tenths of a
 * BPM or a later tick) where the tempo changed, Fxx where the speed did
 * (and both on its first row), and notes[0..note_count) (jam takes:
 * played with record off) written where recording would have put them,
 * on the pass they were played in. The mixer's mutes and solos are
 * turned off in the same step: the arrangement has them, and played
 * from its first entry plays the performance again. *inexact is set
 * when a row had no free effect column for a tempo, an Oxy or a note's
 * EDx, or a change came past tick 15. HISS_ERR_MISSING for no rows;
 * HISS_ERR_RANGE when the order list or the pattern slots are full
 * (nothing changes then). */
HissError edit_capture_arrangement(Editor *ed, const EngineRowLog *rows, int count,
                                   const EngineTake *notes, int note_count, bool *inexact);
HissError edit_song_set_title(Editor *ed, const char *title); /* truncated */
HissError edit_song_set_bpm_tenths(Editor *ed, int bpm_tenths); /* 320..2550 */
HissError edit_song_set_speed(Editor *ed, int speed);       /* 1..31 */
HissError edit_song_set_rows_per_beat(Editor *ed, int rpb); /* 1..32 */
HissError edit_song_set_swing(Editor *ed, int percent);     /* 0..100 */
HissError edit_song_set_master_gain(Editor *ed, int tenth_db); /* -600..120 */
HissError edit_song_set_limiter(Editor *ed, bool on);
/* `slides` (SlideMode), `vibrato ft2` and `tremor ft2` (0/1) and the
 * song's global_volume (0..SONG_GLOBAL_VOLUME_MAX), each an undo step. */
HissError edit_song_set_slides(Editor *ed, int mode);
HissError edit_song_set_ft2_vibrato(Editor *ed, int on);
HissError edit_song_set_ft2_tremor(Editor *ed, int on);
HissError edit_song_set_global_volume(Editor *ed, int level);
HissError edit_song_set_limiter_ceiling(Editor *ed, int tenth_db); /* -200..0 */
/* One field of channel `channel`'s strip (0-based), undoable like every
 * setting: fader, pan, the saved mute and solo, the sends and their
 * pre-fader switches, the ducker's key channel and depth. HISS_ERR_RANGE
 * outside the field's range (undo.h). */
HissError edit_strip_set(Editor *ed, int channel, EditStripField field, int value);
/* Its value now (switches as 0/1). */
int edit_strip_get(const Song *song, int channel, EditStripField field);
/* Names channel `channel` (0-based; "" or NULL: no name), one undo step
 * like a strip setting; a name too long is cut as song_name_copy cuts
 * it. HISS_ERR_RANGE for a channel the song does not have. */
HissError edit_strip_set_name(Editor *ed, int channel, const char *name);
/* Any mix setting (mixparam.h: the strip, the channel inserts, the master
 * chain and the sends) as one undo step, heard at once by a playing
 * engine; HISS_ERR_RANGE outside mixparam_info's range (or, for a note
 * value, one song_note_value_valid refuses). */
HissError edit_mix_set(Editor *ed, MixParam p, int value);
/* Groove (song.h), one undo step, heard from the next row: channel -1 is
 * the song's (its fields and the seed), else the channel's own, which it
 * then has (starting from the song's values when it had none).
 * HISS_ERR_RANGE outside song_groove_params' ranges, or a grid other
 * than 8 or 16. */
HissError edit_groove_set(Editor *ed, int channel, int field, int value);
/* Every field but the seed at once, one undo step, likewise. */
HissError edit_groove_set_all(Editor *ed, int channel, const int values[SONG_GROOVE_PARAMS]);
/* The channel drops its own groove and follows the song's again. */
HissError edit_groove_follow_song(Editor *ed, int channel);
/* Resizes every pattern (new objects, old ones retired); cells in the
 * channels kept stay, new channels are empty. The channels removed (or
 * added) get a fresh strip, as song_new's: no name, no mix settings. All
 * one step: undo restores the cut cells and strips. */
HissError edit_song_set_channels(Editor *ed, int channels); /* 1..64 */

/* ---- instruments (clone, modify, swap) ------------------------------ */

/* A name too long is cut as song_name_copy cuts it. */
HissError edit_instrument_set_name(Editor *ed, int slot, const char *name);
HissError edit_instrument_set_volume(Editor *ed, int slot, int volume); /* 0..64 */
HissError edit_instrument_set_pan(Editor *ed, int slot, int pan); /* -100..100 */
HissError edit_instrument_set_base_note(Editor *ed, int slot, int note); /* 1..120 */
/* Replaces the instrument's slice points with points[0..count) (sorted,
 * duplicates dropped, at most SONG_MAX_SLICES); one undo step. */
HissError edit_instrument_set_slices(Editor *ed, int slot, const uint32_t *points,
                                     int count);
/* What slice to pattern placed: slices written, slices left out because
 * they start on a row a slice before them has (one note a row and
 * channel), and slices past the pattern's end. */
typedef struct {
    int written, shared, past_end;
} EditSlicesPlaced;
/* Slice to pattern: writes the instrument's slices, in order, into the
 * cursor's channel from the cursor's row, each on the row nearest where
 * it starts at the song's tempo (frames per tick from bpm at the sample's
 * own rate), and one that starts ticks after that row's start with a
 * note delay (EDx) of as many. In slice mode slice k is note C-4 + k (up to B-9),
 * otherwise the base note with Sxx. One undo step; returns
 * HISS_ERR_MISSING without slices; *placed (may be NULL) says what went
 * where. */
HissError edit_slices_to_pattern(Editor *ed, int slot, EditSlicesPlaced *placed);
/* Keep only the slices used: which of slot's slices some pattern plays
 * (a slice-mode note or an Sxx pick) into played[0..slice_count).
 * HISS_ERR_RANGE (and *diag) when a note plays the whole sample, or when
 * a note without an instrument may belong to the slot: then no slice can
 * be said unused. */
HissError edit_slices_played(const Song *song, int slot, bool played[SONG_MAX_SLICES],
                             HissDiag *diag);
/* Installs `inst` (owned), whose slices are the current instrument's
 * slices marked in kept, in order, and renumbers every note and Sxx that
 * plays a kept slice to its new number: one undo step. */
HissError edit_instrument_keep_slices(Editor *ed, int slot, Instrument *inst,
                                      const bool kept[SONG_MAX_SLICES]);
HissError edit_instrument_set_finetune(Editor *ed, int slot, int cents); /* -100..100 */
/* start < end <= the sample's source frames when mode is not LOOP_OFF. */
HissError edit_instrument_set_loop(Editor *ed, int slot, LoopMode mode,
                                   uint32_t start, uint32_t end);
HissError edit_instrument_set_interp(Editor *ed, int slot, InterpMode interp);
/* One shaping parameter (shape.h), within its range. */
HissError edit_instrument_set_shape(Editor *ed, int slot, ShapeParam param,
                                    int value);
/* Point envelope `kind` of the instrument (song.h) becomes env, which
 * song_envelope_problem must accept (count 0 removes it); one undo step. */
HissError edit_instrument_set_envelope(Editor *ed, int slot, SongEnvKind kind,
                                       const SongEnvelope *env);
/* The fade after a note off, 0..SONG_FADEOUT_MAX a tick. */
HissError edit_instrument_set_fadeout(Editor *ed, int slot, int fadeout);
/* Installs `inst` (owned from now on, even on error; NULL empties the
 * slot) into slot 1..255, retiring the old one. For sample loading. */
HissError edit_instrument_replace(Editor *ed, int slot, Instrument *inst);
/* The same for a stretch that followed the latest tempo edit: when that
 * edit's step is still the newest (nothing undone or done since), the
 * stretch joins it, so one undo takes back the tempo and its stretch
 * together, and a redo brings both; else it is a step of its own. */
HissError edit_instrument_restretch(Editor *ed, int slot, Instrument *inst);

/* Gives the sample path to use from now on for `path`; false keeps it. */
typedef bool (*EditPathMapFn)(void *ctx, const char *path, char *out,
                              size_t size);
/* The song file moves (save as, a new song's first save): every sample
 * path, in the song and in the undo history, goes through map. Instruments
 * in the song are cloned, changed and swapped in (old ones retired); the
 * history's own copies are never installed, so they change in place. Not
 * an undo step and not a change: undo and redo keep the new paths.
 * HISS_ERR_NOMEM leaves everything as it was. */
HissError edit_instruments_map_paths(Editor *ed, EditPathMapFn map, void *ctx);

/* ---- live recording -------------------------------------------------- */

/* Notes recorded while the song plays are written at once, wherever the
 * playhead put them (not at the cursor, and whatever the edit mode), and
 * each loop pass is one undo step: the pass stays open until
 * edit_record_end_pass (the editor calls it when the pattern wraps or
 * recording stops), and any other edit, undo or redo closes it first.
 * edit_record_cell takes note, instrument and volume from `take`, and its
 * effect when it has one (an EDx delay), keeping the cell's other fields
 * (overdub); edit_record_clear empties a cell the playhead passed
 * (replace). HISS_ERR_MISSING / HISS_ERR_RANGE for a place outside the
 * song. */
HissError edit_record_cell(Editor *ed, int pattern, int row, int channel,
                           Cell take);
HissError edit_record_clear(Editor *ed, int pattern, int row, int channel);
bool edit_record_pass_open(const Editor *ed);
void edit_record_end_pass(Editor *ed);

#endif
