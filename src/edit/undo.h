/* undo: a memory-bounded history of editing steps.
 *
 * This module only keeps records; edit.c applies them to the song (it knows
 * the concurrency rules and the retire callback). A step is everything one
 * user action changed, as a list of changes, each holding the state before
 * and after so the same record serves undo and redo:
 * - cells: only the cells that changed (slot, row, channel, old, new);
 * - pattern: private copies of a whole pattern before/after (new, clone,
 *   replace). NULL means an empty slot;
 * - resize: a pattern's size before/after (length, channel count); a copy
 *   of the old pattern only when the shrink cut off cells that were set,
 *   since growing and undoing a grow lose nothing;
 * - instrument: private clones before/after (samples shared by refcount);
 * - orders / settings: small fixed snapshots;
 * - mix: one mix setting (mixparam.h) before/after;
 * - name: a channel strip's name before/after (slot: the channel);
 * - strip: every setting of a channel strip before/after (slot: the
 *   channel), for a channel the channel count removes or adds.
 * Records never point at objects installed in the song: those may be
 * retired and freed by the engine's return path at any time.
 *
 * Limits: at most max_steps steps and about max_bytes of records (sample
 * data a snapshot keeps alive is counted); the oldest steps are dropped
 * first. The newest step is always kept, whatever its size. */
#ifndef HISS_UNDO_H
#define HISS_UNDO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base.h"
#include "mixparam.h"
#include "song.h"

enum {
    UNDO_DEFAULT_STEPS = 2000,
};
#define UNDO_DEFAULT_BYTES ((size_t)64 << 20)

typedef enum {
    UNDO_CELLS,
    UNDO_PATTERN,
    UNDO_RESIZE,
    UNDO_INSTRUMENT,
    UNDO_ORDERS,
    UNDO_SETTINGS,
    UNDO_MIX,
    UNDO_NAME,
    UNDO_STRIP,
} UndoChangeKind;

/* Where the editor's cursor was; edit.c maps it to its EditCursor. */
typedef struct {
    int pattern, row, channel, column;
} UndoCursor;

typedef struct {
    uint16_t row;
    uint8_t channel;
    uint64_t before, after; /* packed cells (song_cell_pack) */
} UndoCell;

typedef struct {
    int count;
    uint8_t entries[SONG_MAX_ORDERS];
} UndoOrders;

/* A channel strip's mix settings, as edit_strip_set names them. */
typedef enum {
    EDIT_STRIP_GAIN,        /* tenths of a dB */
    EDIT_STRIP_PAN,         /* -100..100 */
    EDIT_STRIP_MUTE,        /* 0/1 */
    EDIT_STRIP_SOLO,        /* 0/1 */
    EDIT_STRIP_SEND_A,      /* tenths of a dB */
    EDIT_STRIP_SEND_B,
    EDIT_STRIP_SEND_A_PRE,  /* 0/1 */
    EDIT_STRIP_SEND_B_PRE,
    EDIT_STRIP_DUCK_FROM,   /* 0..64 */
    EDIT_STRIP_DUCK_DEPTH,  /* tenths of a dB */
    EDIT_STRIP_FIELDS
} EditStripField;

/* The song-wide values outside patterns, orders and instruments, the
 * channel strips' mix settings among them. */
typedef struct {
    char title[SONG_TITLE_MAX];
    int bpm_tenths, speed, rows_per_beat, swing, master_gain_tenth_db;
    bool limiter;
    int channels;
    int limiter_ceiling_tenth_db;
    /* How effects move (`slides`, `vibrato ft2`, `tremor ft2`) and the
     * song's global_volume. */
    int slides, global_volume;
    bool ft2_vibrato, ft2_tremor;
    int16_t strip[SONG_MAX_CHANNELS][EDIT_STRIP_FIELDS]; /* every field fits */
    int groove[SONG_GROOVE_SONG_PARAMS];                 /* the song's groove */
    /* Each channel's own groove, then 1 when it has one (groove_own);
     * every field is at most 100. */
    int8_t channel_groove[SONG_MAX_CHANNELS][SONG_GROOVE_PARAMS + 1];
} UndoSettings;

/* Every setting of one channel strip (SongStrip), the name among them:
 * the fields edit_strip_set names, the EQ, compressor and ducker fields
 * as mixparam.h orders them, the filter/crush/drive insert's shape
 * values, and the channel's groove followed by 1 when it has its own. */
typedef struct {
    int strip[EDIT_STRIP_FIELDS];
    int eq[MIXPARAM_EQ_FIELDS];
    int comp[SONG_COMP_PARAMS];
    int duck[MIXPARAM_DUCK_FIELDS];
    int fx[SHAPE_COUNT];
    int groove[SONG_GROOVE_PARAMS + 1];
    char name[SONG_NAME_MAX]; /* zero-filled after the text */
} UndoStrip;

typedef struct {
    UndoChangeKind kind;
    int slot; /* pattern or instrument slot, or channel (name, strip); unused for
                 orders/settings */
    union {
        struct {
            UndoCell *items;
            int count, cap;
        } cells;
        struct {
            Pattern *before, *after; /* owned copies, never installed */
        } pattern;
        struct {
            uint16_t rows_before, channels_before, rows_after, channels_after;
            Pattern *before; /* owned copy, or NULL when nothing set was cut */
        } resize;
        struct {
            Instrument *before, *after; /* owned clones, never installed */
        } instrument;
        struct {
            UndoOrders *before, *after; /* owned */
        } orders;
        struct {
            UndoSettings *before, *after; /* owned */
        } settings;
        struct {
            MixParam param;
            int before, after;
        } mix;
        struct {
            char before[SONG_NAME_MAX], after[SONG_NAME_MAX];
        } name;
        struct {
            UndoStrip *before, *after; /* owned */
        } strip;
    } u;
} UndoChange;

typedef struct {
    uint64_t id; /* unique in the history: tells saved state from others */
    UndoCursor cursor_before, cursor_after;
    UndoChange *changes;
    int count, cap;
    size_t bytes; /* estimate of memory held */
} UndoStep;

typedef struct {
    UndoStep **steps; /* [0, pos) can be undone, [pos, count) redone */
    int count, pos, cap;
    int max_steps;
    size_t max_bytes, bytes;
    uint64_t next_id;
    uint64_t base_id; /* state id at pos == 0 (the last dropped step) */
    uint64_t merge_key; /* what the newest step was pushed with
                           (undo_push_merging); 0 once anything else happens */
} UndoHistory;

/* max_steps < 1 or max_bytes 0 take the defaults above. */
void undo_init(UndoHistory *h, int max_steps, size_t max_bytes);
void undo_deinit(UndoHistory *h);
void undo_clear(UndoHistory *h);
/* Changes the limits, dropping the oldest steps that no longer fit. */
void undo_set_limits(UndoHistory *h, int max_steps, size_t max_bytes);

UndoStep *undo_step_new(void);
void undo_step_free(UndoStep *step);
bool undo_step_is_empty(const UndoStep *step);

/* Records one cell change in pattern `slot`. A cell already recorded in
 * this step keeps its first `before` and takes the new `after`. */
HissError undo_step_add_cell(UndoStep *step, int slot, int row, int channel,
                             uint64_t before, uint64_t after);
/* The step takes ownership of before/after (either may be NULL), also
 * when it fails (it frees them then). */
HissError undo_step_add_pattern(UndoStep *step, int slot, Pattern *before,
                                Pattern *after);
/* Records `current` (not taken; read now) being resized to rows x
 * channels: keeps a copy of it only if set cells fall outside. */
HissError undo_step_add_resize(UndoStep *step, int slot, const Pattern *current,
                               int rows, int channels);
HissError undo_step_add_instrument(UndoStep *step, int slot,
                                   Instrument *before, Instrument *after);
HissError undo_step_add_orders(UndoStep *step, const UndoOrders *before,
                               const UndoOrders *after);
HissError undo_step_add_mix(UndoStep *step, MixParam param, int before, int after);
/* Channel `channel`'s strip name (0-based), copied. */
HissError undo_step_add_name(UndoStep *step, int channel, const char *before,
                             const char *after);
HissError undo_step_add_settings(UndoStep *step, const UndoSettings *before,
                                 const UndoSettings *after);
/* Channel `channel`'s whole strip (0-based), copied. */
HissError undo_step_add_strip(UndoStep *step, int channel, const UndoStrip *before,
                              const UndoStrip *after);

/* Appends a finished step (ownership moves), drops the redo tail and then
 * the oldest steps beyond the limits. An empty step is freed, not kept.
 * Returns the step's id, or 0 when it was empty. */
uint64_t undo_push(UndoHistory *h, UndoStep *step);

/* Like undo_push, but when the newest step was pushed with the same
 * nonzero `key`, nothing was undone or pushed since, and every change of
 * `step` is one that step already holds (the same mix setting,
 * instrument, settings or orders), the newest step takes `step`'s
 * results instead: a knob swept over many values is one undo step. The
 * merged step gets a new id (the song differs from a save made in the
 * middle of the sweep). Returns the id, as undo_push. */
uint64_t undo_push_merging(UndoHistory *h, UndoStep *step, uint64_t key);

/* Like undo_push, but when the newest step has id `id` and nothing was
 * undone since, that step takes `step`'s changes after its own (undone
 * first), so one undo takes back both: a change that follows from an edit
 * on its own (a stretch following a tempo edit) joins the edit. The
 * joined step gets a new id (the song differs from a save made before the
 * join). Returns the id, as undo_push. */
uint64_t undo_push_joining(UndoHistory *h, UndoStep *step, uint64_t id);

/* The step to undo (apply its changes backwards, restoring `before`), or
 * NULL; moves the position back. The history keeps ownership. */
const UndoStep *undo_back(UndoHistory *h);
/* The step to redo (apply forwards, restoring `after`), or NULL. */
const UndoStep *undo_forward(UndoHistory *h);
/* Puts the position back where it was before a failed undo_back/forward. */
void undo_cancel_back(UndoHistory *h);
void undo_cancel_forward(UndoHistory *h);

/* The step an undo would take back / a redo would apply, without moving;
 * NULL when there is none. */
const UndoStep *undo_next_undo(const UndoHistory *h);
const UndoStep *undo_next_redo(const UndoHistory *h);

/* One line naming what `step` changes ("3 notes in pattern 01",
 * "tempo 94.1 -> 93.1 BPM", "channel 2 name"), values shown in the
 * direction the song moves: after -> before when `undone`. Cut to fit
 * `size`. */
void undo_step_describe(const UndoStep *step, bool undone, char *buf, size_t size);

bool undo_can_undo(const UndoHistory *h);
bool undo_can_redo(const UndoHistory *h);
int undo_depth(const UndoHistory *h); /* steps that can be undone */
/* Names the song state reached now: equal ids mean equal songs (as far as
 * the history knows), so the editor compares it with the saved one. */
uint64_t undo_state_id(const UndoHistory *h);

#endif
