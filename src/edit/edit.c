/* Every operation follows one shape: read the song, describe the change as
 * an undo step (before and after), then apply the step forwards. Undo and
 * redo apply the same records backwards or forwards, so an operation and
 * its redo cannot drift apart, and a failure while building a step leaves
 * the song untouched. Applying allocates everything first, then installs,
 * so it too either happens whole or not at all. */
#include "edit.h"

#include <ctype.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- small helpers --------------------------------------------------- */

static UndoCursor cursor_to_undo(EditCursor c)
{
    UndoCursor u = {c.pattern, c.row, c.channel, (int)c.column};
    return u;
}

static EditCursor cursor_from_undo(UndoCursor u)
{
    EditCursor c = {u.pattern, u.row, u.channel, (EditColumn)u.column};
    return c;
}

Pattern *edit_current_pattern(const Editor *ed)
{
    int slot = ed->cursor.pattern;
    if (!ed->song || slot < 0 || slot >= SONG_MAX_PATTERNS)
        return NULL;
    return song_pattern(ed->song, slot);
}

int edit_channels(const Editor *ed)
{
    Pattern *p = edit_current_pattern(ed);
    return p ? p->channels : 0;
}

static void retire(Editor *ed, EditRetireKind kind, void *ptr)
{
    if (!ptr)
        return;
    if (ed->retire) {
        ed->retire(ed->retire_ctx, kind, ptr);
    } else if (kind == EDIT_RETIRE_PATTERN) {
        song_pattern_free(ptr);
    } else {
        song_instrument_free(ptr);
    }
}

static Pattern *pattern_copy(const Pattern *p)
{
    return p ? song_pattern_resized(p, p->rows, p->channels) : NULL;
}

static bool pattern_slot_valid(int slot)
{
    return slot >= 0 && slot < SONG_MAX_PATTERNS;
}

static bool instrument_slot_valid(int slot)
{
    return slot >= 1 && slot <= SONG_MAX_INSTRUMENTS;
}

/* Keeps the cursor on an existing pattern, row and channel. */
static EditCursor cursor_clamped(const Editor *ed, EditCursor c)
{
    if (!pattern_slot_valid(c.pattern))
        c.pattern = hiss_clampi(c.pattern, 0, SONG_MAX_PATTERNS - 1);
    if (ed->song && !song_pattern(ed->song, c.pattern)) {
        /* The nearest existing slot below, else above. */
        for (int d = 1; d < SONG_MAX_PATTERNS; d++) {
            if (c.pattern - d >= 0 && song_pattern(ed->song, c.pattern - d)) {
                c.pattern -= d;
                break;
            }
            if (c.pattern + d < SONG_MAX_PATTERNS &&
                song_pattern(ed->song, c.pattern + d)) {
                c.pattern += d;
                break;
            }
        }
    }
    Pattern *p = ed->song ? song_pattern(ed->song, c.pattern) : NULL;
    int rows = p ? p->rows : 1, chans = p ? p->channels : 1;
    c.row = hiss_clampi(c.row, 0, rows - 1);
    c.channel = hiss_clampi(c.channel, 0, chans - 1);
    c.column = (EditColumn)hiss_clampi((int)c.column, 0, EDIT_COL_COUNT - 1);
    return c;
}

static void clamp_order_pos(Editor *ed)
{
    int count = ed->song ? atomic_load(&ed->song->order_count) : 0;
    ed->order_pos = hiss_clampi(ed->order_pos, 0, count);
}

/* ---- song snapshots ---------------------------------------------------- */

static void orders_read(const Song *s, UndoOrders *o)
{
    memset(o, 0, sizeof *o);
    o->count = atomic_load(&s->order_count);
    for (int i = 0; i < o->count; i++)
        o->entries[i] = atomic_load(&s->orders[i]);
}

/* A reader must never see order_count cover an entry not yet written. */
static void orders_write(Song *s, const UndoOrders *o)
{
    int old = atomic_load(&s->order_count);
    if (o->count < old)
        atomic_store(&s->order_count, o->count);
    for (int i = 0; i < o->count; i++)
        if (atomic_load(&s->orders[i]) != o->entries[i])
            atomic_store(&s->orders[i], o->entries[i]);
    if (o->count > old)
        atomic_store(&s->order_count, o->count);
}

/* A strip field's value in the song, and setting it. */
int edit_strip_get(const Song *s, int c, EditStripField f)
{
    const SongStrip *st = &s->strips[c];
    switch (f) {
    case EDIT_STRIP_GAIN: return atomic_load(&st->gain_tenth_db);
    case EDIT_STRIP_PAN: return atomic_load(&st->pan);
    case EDIT_STRIP_MUTE: return atomic_load(&st->mute);
    case EDIT_STRIP_SOLO: return atomic_load(&st->solo);
    case EDIT_STRIP_SEND_A: return atomic_load(&st->send_tenth_db[0]);
    case EDIT_STRIP_SEND_B: return atomic_load(&st->send_tenth_db[1]);
    case EDIT_STRIP_SEND_A_PRE: return atomic_load(&st->send_pre[0]);
    case EDIT_STRIP_SEND_B_PRE: return atomic_load(&st->send_pre[1]);
    case EDIT_STRIP_DUCK_FROM: return atomic_load(&st->duck_from);
    default: return atomic_load(&st->duck_depth_tenth_db);
    }
}

static void strip_put(Song *s, int c, int f, int v)
{
    SongStrip *st = &s->strips[c];
    switch (f) {
    case EDIT_STRIP_GAIN: atomic_store(&st->gain_tenth_db, v); break;
    case EDIT_STRIP_PAN: atomic_store(&st->pan, v); break;
    case EDIT_STRIP_MUTE: atomic_store(&st->mute, v != 0); break;
    case EDIT_STRIP_SOLO: atomic_store(&st->solo, v != 0); break;
    case EDIT_STRIP_SEND_A: atomic_store(&st->send_tenth_db[0], v); break;
    case EDIT_STRIP_SEND_B: atomic_store(&st->send_tenth_db[1], v); break;
    case EDIT_STRIP_SEND_A_PRE: atomic_store(&st->send_pre[0], v != 0); break;
    case EDIT_STRIP_SEND_B_PRE: atomic_store(&st->send_pre[1], v != 0); break;
    case EDIT_STRIP_DUCK_FROM: atomic_store(&st->duck_from, v); break;
    default: atomic_store(&st->duck_depth_tenth_db, v); break;
    }
}

static void settings_read(const Song *s, UndoSettings *st)
{
    memset(st, 0, sizeof *st);
    memcpy(st->title, s->title, sizeof st->title);
    st->title[SONG_TITLE_MAX - 1] = 0;
    st->bpm_tenths = atomic_load(&s->bpm_tenths);
    st->speed = atomic_load(&s->speed);
    st->rows_per_beat = atomic_load(&s->rows_per_beat);
    st->swing = atomic_load(&s->swing);
    st->master_gain_tenth_db = atomic_load(&s->master_gain_tenth_db);
    st->limiter = atomic_load(&s->limiter);
    st->channels = atomic_load(&s->channels);
    st->limiter_ceiling_tenth_db = atomic_load(&s->limiter_ceiling_tenth_db);
    st->slides = atomic_load(&s->slides);
    st->global_volume = atomic_load(&s->global_volume);
    st->ft2_vibrato = atomic_load(&s->ft2_vibrato);
    st->ft2_tremor = atomic_load(&s->ft2_tremor);
    for (int c = 0; c < SONG_MAX_CHANNELS; c++)
        for (int f = 0; f < EDIT_STRIP_FIELDS; f++)
            st->strip[c][f] = (int16_t)edit_strip_get(s, c, (EditStripField)f);
    for (int i = 0; i < SONG_GROOVE_SONG_PARAMS; i++)
        st->groove[i] = atomic_load(&s->groove[i]);
    for (int c = 0; c < SONG_MAX_CHANNELS; c++) {
        for (int i = 0; i < SONG_GROOVE_PARAMS; i++)
            st->channel_groove[c][i] = (int8_t)atomic_load(&s->strips[c].groove[i]);
        st->channel_groove[c][SONG_GROOVE_PARAMS] = atomic_load(&s->strips[c].groove_own);
    }
}

static void settings_write(Song *s, const UndoSettings *st)
{
    memcpy(s->title, st->title, sizeof s->title);
    atomic_store(&s->bpm_tenths, st->bpm_tenths);
    atomic_store(&s->speed, st->speed);
    atomic_store(&s->rows_per_beat, st->rows_per_beat);
    atomic_store(&s->swing, st->swing);
    atomic_store(&s->master_gain_tenth_db, st->master_gain_tenth_db);
    atomic_store(&s->limiter, st->limiter);
    if (atomic_load(&s->channels) != st->channels)
        atomic_store(&s->channels, st->channels);
    atomic_store(&s->limiter_ceiling_tenth_db, st->limiter_ceiling_tenth_db);
    atomic_store(&s->slides, st->slides);
    atomic_store(&s->global_volume, st->global_volume);
    atomic_store(&s->ft2_vibrato, st->ft2_vibrato);
    atomic_store(&s->ft2_tremor, st->ft2_tremor);
    for (int c = 0; c < SONG_MAX_CHANNELS; c++)
        for (int f = 0; f < EDIT_STRIP_FIELDS; f++)
            if (edit_strip_get(s, c, (EditStripField)f) != st->strip[c][f])
                strip_put(s, c, f, st->strip[c][f]);
    for (int i = 0; i < SONG_GROOVE_SONG_PARAMS; i++)
        atomic_store(&s->groove[i], st->groove[i]);
    for (int c = 0; c < SONG_MAX_CHANNELS; c++) {
        for (int i = 0; i < SONG_GROOVE_PARAMS; i++)
            atomic_store(&s->strips[c].groove[i], st->channel_groove[c][i]);
        atomic_store(&s->strips[c].groove_own, st->channel_groove[c][SONG_GROOVE_PARAMS] != 0);
    }
}

/* The per-channel mix groups a whole strip holds, besides its fields. */
static const MixparamGroup STRIP_GROUPS[] = {MIXPARAM_EQ, MIXPARAM_COMP, MIXPARAM_DUCK};

static int *strip_group(UndoStrip *u, MixparamGroup g)
{
    return g == MIXPARAM_EQ ? u->eq : g == MIXPARAM_COMP ? u->comp : u->duck;
}

/* Channel c's whole strip, read from the song. */
static void strip_read(const Song *s, int c, UndoStrip *u)
{
    memset(u, 0, sizeof *u);
    for (int f = 0; f < EDIT_STRIP_FIELDS; f++)
        u->strip[f] = edit_strip_get(s, c, (EditStripField)f);
    for (size_t g = 0; g < HISS_ARRAY_LEN(STRIP_GROUPS); g++)
        for (int i = 0; i < mixparam_count(STRIP_GROUPS[g]); i++)
            strip_group(u, STRIP_GROUPS[g])[i] =
                mixparam_get(s, (MixParam){STRIP_GROUPS[g], c, i});
    for (int i = 0; i < SHAPE_COUNT; i++)
        u->fx[i] = atomic_load(&s->strips[c].fx[i]);
    for (int i = 0; i < SONG_GROOVE_PARAMS; i++)
        u->groove[i] = atomic_load(&s->strips[c].groove[i]);
    u->groove[SONG_GROOVE_PARAMS] = atomic_load(&s->strips[c].groove_own);
    song_name_copy(u->name, s->strips[c].name);
}

/* A strip as song_new leaves every channel's. */
static void strip_default(UndoStrip *u)
{
    memset(u, 0, sizeof *u);
    for (int f = 0; f < EDIT_STRIP_FIELDS; f++)
        u->strip[f] = mixparam_info((MixParam){MIXPARAM_STRIP, 0, f})->def;
    for (size_t g = 0; g < HISS_ARRAY_LEN(STRIP_GROUPS); g++)
        for (int i = 0; i < mixparam_count(STRIP_GROUPS[g]); i++)
            strip_group(u, STRIP_GROUPS[g])[i] =
                mixparam_info((MixParam){STRIP_GROUPS[g], 0, i})->def;
    for (int i = 0; i < SHAPE_COUNT; i++)
        u->fx[i] = shape_info((ShapeParam)i)->def;
    for (int i = 0; i < SONG_GROOVE_PARAMS; i++)
        u->groove[i] = song_groove_params[i].def;
}

static void strip_write(Song *s, int c, const UndoStrip *u)
{
    for (int f = 0; f < EDIT_STRIP_FIELDS; f++)
        if (edit_strip_get(s, c, (EditStripField)f) != u->strip[f])
            strip_put(s, c, f, u->strip[f]);
    for (size_t g = 0; g < HISS_ARRAY_LEN(STRIP_GROUPS); g++)
        for (int i = 0; i < mixparam_count(STRIP_GROUPS[g]); i++)
            mixparam_store(s, (MixParam){STRIP_GROUPS[g], c, i},
                           strip_group((UndoStrip *)u, STRIP_GROUPS[g])[i]);
    for (int i = 0; i < SHAPE_COUNT; i++)
        atomic_store(&s->strips[c].fx[i], u->fx[i]);
    for (int i = 0; i < SONG_GROOVE_PARAMS; i++)
        atomic_store(&s->strips[c].groove[i], u->groove[i]);
    atomic_store(&s->strips[c].groove_own, u->groove[SONG_GROOVE_PARAMS] != 0);
    memcpy(s->strips[c].name, u->name, SONG_NAME_MAX);
}

/* ---- applying steps ---------------------------------------------------- */

static HissError apply_step(Editor *ed, const UndoStep *step, bool forward)
{
    Song *song = ed->song;
    void **fresh = calloc((size_t)step->count + 1, sizeof *fresh);
    if (!fresh)
        return HISS_ERR_NOMEM;
    /* Phase 1: every object to install, built before anything changes. */
    for (int i = 0; i < step->count; i++) {
        const UndoChange *c = &step->changes[i];
        if (c->kind == UNDO_PATTERN) {
            const Pattern *src = forward ? c->u.pattern.after : c->u.pattern.before;
            if (src && !(fresh[i] = pattern_copy(src)))
                goto nomem;
        } else if (c->kind == UNDO_RESIZE) {
            /* Sized from the slot's pattern as it is now: a step holds at
             * most one change per slot, so nothing earlier in it moved. */
            const Pattern *cur = song_pattern(song, c->slot);
            if (!cur)
                continue;
            if (!forward && c->u.resize.before)
                fresh[i] = pattern_copy(c->u.resize.before);
            else if (forward)
                fresh[i] = song_pattern_resized(cur, c->u.resize.rows_after,
                                                c->u.resize.channels_after);
            else
                fresh[i] = song_pattern_resized(cur, c->u.resize.rows_before,
                                                c->u.resize.channels_before);
            if (!fresh[i])
                goto nomem;
        } else if (c->kind == UNDO_INSTRUMENT) {
            const Instrument *src =
                forward ? c->u.instrument.after : c->u.instrument.before;
            if (src && !(fresh[i] = song_instrument_clone(src)))
                goto nomem;
        }
    }
    /* Phase 2: install, in order forwards and in reverse backwards, so
     * ordered pairs (patterns widen before channels grow) stay ordered. */
    for (int k = 0; k < step->count; k++) {
        int i = forward ? k : step->count - 1 - k;
        const UndoChange *c = &step->changes[i];
        switch (c->kind) {
        case UNDO_CELLS: {
            Pattern *p = song_pattern(song, c->slot);
            if (!p)
                break;
            int n = c->u.cells.count;
            for (int k2 = 0; k2 < n; k2++) {
                /* Backwards in reverse, in case a cell appears twice. */
                const UndoCell *it = &c->u.cells.items[forward ? k2 : n - 1 - k2];
                if (it->row < p->rows && it->channel < p->channels)
                    song_pattern_set(p, it->row, it->channel,
                                     song_cell_unpack(forward ? it->after
                                                              : it->before));
            }
            break;
        }
        case UNDO_RESIZE:
            if (!fresh[i])
                break;
            /* fall through */
        case UNDO_PATTERN: {
            Pattern *old = atomic_exchange_explicit(
                &song->patterns[c->slot], (Pattern *)fresh[i],
                memory_order_acq_rel);
            retire(ed, EDIT_RETIRE_PATTERN, old);
            break;
        }
        case UNDO_INSTRUMENT: {
            engine_prepare_instrument(fresh[i]);
            Instrument *old = atomic_exchange_explicit(
                &song->instruments[c->slot], (Instrument *)fresh[i],
                memory_order_acq_rel);
            retire(ed, EDIT_RETIRE_INSTRUMENT, old);
            break;
        }
        case UNDO_ORDERS:
            orders_write(song, forward ? c->u.orders.after : c->u.orders.before);
            break;
        case UNDO_SETTINGS:
            settings_write(song, forward ? c->u.settings.after
                                         : c->u.settings.before);
            break;
        case UNDO_MIX:
            mixparam_store(song, c->u.mix.param, forward ? c->u.mix.after : c->u.mix.before);
            break;
        case UNDO_NAME:
            memcpy(song->strips[c->slot].name, forward ? c->u.name.after : c->u.name.before,
                   SONG_NAME_MAX);
            break;
        case UNDO_STRIP:
            strip_write(song, c->slot, forward ? c->u.strip.after : c->u.strip.before);
            break;
        }
    }
    free(fresh);
    return HISS_OK;
nomem:
    for (int i = 0; i < step->count; i++) {
        if (step->changes[i].kind == UNDO_PATTERN ||
            step->changes[i].kind == UNDO_RESIZE)
            song_pattern_free(fresh[i]);
        else if (step->changes[i].kind == UNDO_INSTRUMENT)
            song_instrument_free(fresh[i]);
    }
    free(fresh);
    return HISS_ERR_NOMEM;
}

static UndoStep *step_begin(void)
{
    return undo_step_new();
}

/* Applies a built step and remembers it as part of the step with undo id
 * `join` when that is the newest (undo_push_joining), else as a step of
 * its own; the cursor stays. Frees the step on failure. */
static HissError step_finish_joining(Editor *ed, UndoStep *step, uint64_t join)
{
    if (!step)
        return HISS_ERR_NOMEM;
    edit_record_end_pass(ed);
    step->cursor_before = step->cursor_after = cursor_to_undo(ed->cursor);
    HissError err = apply_step(ed, step, true);
    if (err) {
        undo_step_free(step);
        return err;
    }
    if (!undo_step_is_empty(step))
        ed->change_count++;
    bool joins = join && join == undo_state_id(&ed->history) && !undo_can_redo(&ed->history);
    uint64_t id = undo_push_joining(&ed->history, step, join);
    /* The joined step is still the tempo edit's, under its new id. */
    if (joins && ed->tempo_step == join)
        ed->tempo_step = id;
    return HISS_OK;
}

/* Applies a built step, moves the cursor to `after` and remembers the
 * step. An empty step still moves the cursor (typing the same note again
 * advances like any entry). Frees the step on failure. */
static HissError step_finish(Editor *ed, UndoStep *step, EditCursor after)
{
    if (!step)
        return HISS_ERR_NOMEM;
    edit_record_end_pass(ed); /* the pass came first: it stays before */
    step->cursor_before = cursor_to_undo(ed->cursor);
    HissError err = apply_step(ed, step, true);
    if (err) {
        undo_step_free(step);
        return err;
    }
    ed->cursor = cursor_clamped(ed, after);
    step->cursor_after = cursor_to_undo(ed->cursor);
    if (!undo_step_is_empty(step))
        ed->change_count++;
    undo_push_merging(&ed->history, step, ed->merge_key);
    clamp_order_pos(ed);
    return HISS_OK;
}

static HissError step_fail(UndoStep *step, HissError err)
{
    undo_step_free(step);
    return err;
}

/* Records cell (row, channel) of pattern `slot` becoming `cell`. */
static HissError step_cell(UndoStep *step, const Pattern *p, int slot, int row,
                           int channel, Cell cell)
{
    uint64_t before = song_cell_pack(song_pattern_get(p, row, channel));
    uint64_t after = song_cell_pack(cell);
    if (before == after)
        return HISS_OK;
    return undo_step_add_cell(step, slot, row, channel, before, after);
}

/* ---- lifetime ------------------------------------------------------- */

static void editor_reset_view(Editor *ed)
{
    EditCursor home = {0, 0, 0, EDIT_COL_NOTE};
    ed->cursor = cursor_clamped(ed, home);
    ed->order_pos = 0;
    ed->selection.active = false;
    ed->mark_set = false;
}

Editor *edit_new(Song *song, EditRetireFn retire_fn, void *retire_ctx)
{
    Editor *ed = calloc(1, sizeof *ed);
    if (!ed)
        return NULL;
    ed->song = song;
    ed->retire = retire_fn;
    ed->retire_ctx = retire_ctx;
    ed->instrument = 1;
    ed->octave = 4;
    ed->step = 1;
    undo_init(&ed->history, 0, 0);
    ed->saved_state = undo_state_id(&ed->history);
    ed->tempo_edit = ++ed->tempo_edits; /* a song's tempo is news */
    editor_reset_view(ed);
    return ed;
}

void edit_free(Editor *ed)
{
    if (!ed)
        return;
    undo_step_free(ed->record_pass);
    undo_deinit(&ed->history);
    free(ed->clipboard.cells);
    free(ed);
}

void edit_set_song(Editor *ed, Song *song)
{
    ed->song = song;
    undo_step_free(ed->record_pass);
    ed->record_pass = NULL;
    undo_clear(&ed->history);
    ed->saved_state = undo_state_id(&ed->history);
    ed->tempo_edit = ++ed->tempo_edits;
    ed->tempo_step = 0;
    editor_reset_view(ed);
}

void edit_set_undo_limits(Editor *ed, int max_steps, size_t max_bytes)
{
    undo_set_limits(&ed->history, max_steps, max_bytes);
}

/* ---- state ------------------------------------------------------------ */

bool edit_is_dirty(const Editor *ed)
{
    return undo_state_id(&ed->history) != ed->saved_state;
}

void edit_mark_saved(Editor *ed)
{
    ed->saved_state = undo_state_id(&ed->history);
}

void edit_mark_unsaved(Editor *ed)
{
    /* Undo ids count up from 0 or 1 one step at a time: no state of the
     * history ever reaches this one. */
    ed->saved_state = UINT64_MAX;
}

/* One step back (forward = false) or forward through the history: the
 * step is applied, and the cursor goes where it was on that side of it. */
static HissError step_history(Editor *ed, bool forward)
{
    edit_record_end_pass(ed);
    const UndoStep *s = forward ? undo_forward(&ed->history) : undo_back(&ed->history);
    if (!s)
        return HISS_ERR_MISSING;
    HissError err = apply_step(ed, s, forward);
    if (err) {
        if (forward)
            undo_cancel_forward(&ed->history);
        else
            undo_cancel_back(&ed->history);
        return err;
    }
    ed->cursor = cursor_clamped(ed, cursor_from_undo(forward ? s->cursor_after
                                                             : s->cursor_before));
    ed->change_count++;
    /* A tempo the history puts back is no edit to follow. */
    ed->tempo_edit = 0;
    clamp_order_pos(ed);
    return HISS_OK;
}

HissError edit_undo(Editor *ed)
{
    return step_history(ed, false);
}

void edit_merge_with(Editor *ed, uint64_t key)
{
    ed->merge_key = key;
}

HissError edit_redo(Editor *ed)
{
    return step_history(ed, true);
}

bool edit_can_undo(const Editor *ed)
{
    return undo_can_undo(&ed->history);
}

bool edit_can_redo(const Editor *ed)
{
    return undo_can_redo(&ed->history);
}

/* ---- view settings ------------------------------------------------------ */

void edit_set_octave(Editor *ed, int octave)
{
    ed->octave = hiss_clampi(octave, 0, EDIT_OCTAVE_MAX);
}

void edit_set_step(Editor *ed, int step)
{
    ed->step = hiss_clampi(step, 0, EDIT_STEP_MAX);
}

void edit_set_instrument_current(Editor *ed, int slot)
{
    ed->instrument = hiss_clampi(slot, 0, SONG_MAX_INSTRUMENTS);
}

void edit_set_edit_mode(Editor *ed, bool on)
{
    ed->edit_mode = on;
}

void edit_toggle_edit_mode(Editor *ed)
{
    ed->edit_mode = !ed->edit_mode;
}

void edit_set_jam_mode(Editor *ed, bool on)
{
    ed->jam_mode = on;
}

void edit_toggle_jam_mode(Editor *ed)
{
    ed->jam_mode = !ed->jam_mode;
}

/* ---- cursor ------------------------------------------------------------- */

void edit_cursor_set(Editor *ed, EditCursor cursor)
{
    ed->cursor = cursor_clamped(ed, cursor);
}

static int current_rows(const Editor *ed)
{
    Pattern *p = edit_current_pattern(ed);
    return p ? p->rows : 1;
}

void edit_cursor_up(Editor *ed)
{
    int rows = current_rows(ed);
    ed->cursor.row = ed->cursor.row > 0 ? ed->cursor.row - 1 : rows - 1;
}

void edit_cursor_down(Editor *ed)
{
    int rows = current_rows(ed);
    ed->cursor.row = ed->cursor.row + 1 < rows ? ed->cursor.row + 1 : 0;
}

void edit_cursor_left(Editor *ed)
{
    int chans = edit_channels(ed);
    if (chans < 1)
        chans = 1;
    if (ed->cursor.column > 0) {
        ed->cursor.column--;
        return;
    }
    ed->cursor.column = EDIT_COL_COUNT - 1;
    ed->cursor.channel = ed->cursor.channel > 0 ? ed->cursor.channel - 1
                                                : chans - 1;
}

void edit_cursor_right(Editor *ed)
{
    int chans = edit_channels(ed);
    if (chans < 1)
        chans = 1;
    if (ed->cursor.column + 1 < EDIT_COL_COUNT) {
        ed->cursor.column++;
        return;
    }
    ed->cursor.column = EDIT_COL_NOTE;
    ed->cursor.channel = ed->cursor.channel + 1 < chans ? ed->cursor.channel + 1
                                                        : 0;
}

void edit_cursor_page_up(Editor *ed)
{
    ed->cursor.row = hiss_clampi(ed->cursor.row - EDIT_PAGE_ROWS, 0,
                                 current_rows(ed) - 1);
}

void edit_cursor_page_down(Editor *ed)
{
    ed->cursor.row = hiss_clampi(ed->cursor.row + EDIT_PAGE_ROWS, 0,
                                 current_rows(ed) - 1);
}

void edit_cursor_home(Editor *ed)
{
    ed->cursor.row = 0;
}

void edit_cursor_end(Editor *ed)
{
    ed->cursor.row = current_rows(ed) - 1;
}

void edit_cursor_next_channel(Editor *ed)
{
    int chans = edit_channels(ed);
    ed->cursor.column = EDIT_COL_NOTE;
    ed->cursor.channel = ed->cursor.channel + 1 < chans ? ed->cursor.channel + 1
                                                        : 0;
}

void edit_cursor_prev_channel(Editor *ed)
{
    int chans = edit_channels(ed);
    ed->cursor.column = EDIT_COL_NOTE;
    ed->cursor.channel = ed->cursor.channel > 0 ? ed->cursor.channel - 1
                                                : (chans > 0 ? chans - 1 : 0);
}

void edit_cursor_goto_row(Editor *ed, int row)
{
    ed->cursor.row = hiss_clampi(row, 0, current_rows(ed) - 1);
}

static EditCursor advanced(const Editor *ed, EditCursor c)
{
    int rows = current_rows(ed);
    c.row = (c.row + ed->step) % rows;
    return c;
}

void edit_cursor_advance(Editor *ed)
{
    ed->cursor = advanced(ed, ed->cursor);
}

static void pattern_step(Editor *ed, int dir)
{
    if (!ed->song)
        return;
    int slot = ed->cursor.pattern;
    for (int k = 1; k <= SONG_MAX_PATTERNS; k++) {
        int s = ((slot + dir * k) % SONG_MAX_PATTERNS + SONG_MAX_PATTERNS) %
                SONG_MAX_PATTERNS;
        if (song_pattern(ed->song, s)) {
            EditCursor c = ed->cursor;
            c.pattern = s;
            ed->cursor = cursor_clamped(ed, c);
            return;
        }
    }
}

void edit_pattern_next(Editor *ed)
{
    pattern_step(ed, 1);
}

void edit_pattern_prev(Editor *ed)
{
    pattern_step(ed, -1);
}

HissError edit_pattern_goto(Editor *ed, int slot)
{
    if (!pattern_slot_valid(slot))
        return HISS_ERR_RANGE;
    if (!ed->song || !song_pattern(ed->song, slot))
        return HISS_ERR_MISSING;
    EditCursor c = ed->cursor;
    c.pattern = slot;
    ed->cursor = cursor_clamped(ed, c);
    return HISS_OK;
}

/* ---- key entry ------------------------------------------------------------ */

int edit_piano_key_offset(int ch)
{
    static const char lower[] = "zsxdcvgbhnjm";
    static const char upper[] = "q2w3er5t6y7ui9o0p";
    if (ch <= 0 || ch > 127)
        return -1;
    const char *at = strchr(lower, ch);
    if (at)
        return (int)(at - lower);
    at = strchr(upper, ch);
    if (at)
        return 12 + (int)(at - upper);
    return -1;
}

int edit_note_for_offset(const Editor *ed, int offset)
{
    if (offset < 0)
        return 0;
    int note = NOTE_FIRST + ed->octave * 12 + offset;
    return note <= NOTE_LAST ? note : 0;
}

/* The common checks of key entry; fills *p with the pattern. */
static HissError entry_ready(Editor *ed, Pattern **p)
{
    if (!ed->edit_mode)
        return HISS_ERR_BUSY;
    *p = edit_current_pattern(ed);
    return *p ? HISS_OK : HISS_ERR_MISSING;
}

/* One-cell edit at the cursor, then the cursor moves to `after`. */
static HissError put_cursor_cell(Editor *ed, Pattern *p, Cell cell,
                                 EditCursor after)
{
    UndoStep *step = step_begin();
    if (!step)
        return HISS_ERR_NOMEM;
    HissError err = step_cell(step, p, ed->cursor.pattern, ed->cursor.row,
                              ed->cursor.channel, cell);
    if (err)
        return step_fail(step, err);
    return step_finish(ed, step, after);
}

static Cell cursor_cell(const Editor *ed, const Pattern *p)
{
    return song_pattern_get(p, ed->cursor.row, ed->cursor.channel);
}

static HissError enter_note(Editor *ed, int note, bool with_instrument)
{
    Pattern *p;
    HissError err = entry_ready(ed, &p);
    if (err)
        return err;
    if (ed->jam_mode)
        return HISS_ERR_BUSY;
    if (ed->cursor.column != EDIT_COL_NOTE)
        return HISS_ERR_RANGE;
    Cell c = cursor_cell(ed, p);
    c.note = (uint8_t)note;
    if (with_instrument && ed->instrument > 0)
        c.instrument = (uint8_t)ed->instrument;
    return put_cursor_cell(ed, p, c, advanced(ed, ed->cursor));
}

HissError edit_note_from_key_offset(Editor *ed, int offset)
{
    int note = edit_note_for_offset(ed, offset);
    if (!ed->edit_mode)
        return HISS_ERR_BUSY;
    if (!note)
        return HISS_ERR_RANGE;
    return enter_note(ed, note, true);
}

bool edit_note_silent_reason(const Song *song, Cell c, char *buf, size_t size)
{
    if (c.note < NOTE_FIRST || c.note > NOTE_LAST || !instrument_slot_valid(c.instrument))
        return false;
    const Instrument *inst = song_instrument(song, c.instrument);
    /* A sample named but not there yet is still loading (a load that
     * fails marks it missing): it will play, so there is nothing to say. */
    if (inst && !inst->missing && !inst->sample && inst->path[0])
        return false;
    const char *why = !inst                           ? "is empty"
                      : inst->missing                 ? "has lost its sample file"
                      : !inst->sample || !inst->sample->frames ? "has no sample"
                                                               : NULL;
    if (why) {
        snprintf(buf, size, "instrument %02X %s: the note plays nothing", c.instrument, why);
        return true;
    }
    int pick = c.fx == 'S' ? c.fx_param : c.fx2 == 'S' ? c.fx2_param : 0;
    if (song_instrument_note_slice(inst, c.note, pick) != SONG_SLICE_NONE)
        return false;
    int count = hiss_clampi(inst->slice_count, 0, SONG_MAX_SLICES);
    int slice = pick ? pick : c.note - NOTE_C4 + 1;
    if (slice < 1) {
        char name[4];
        song_note_name(c.note, name);
        snprintf(buf, size, "%s is below C-4, slice 1: the note plays nothing", name);
    } else {
        snprintf(buf, size, "slice %d past the sample's %d slice%s: the note plays nothing",
                 slice, count, count == 1 ? "" : "s");
    }
    return true;
}

HissError edit_note_off(Editor *ed)
{
    return enter_note(ed, NOTE_OFF, false);
}

HissError edit_note_cut(Editor *ed)
{
    return enter_note(ed, NOTE_CUT, false);
}

static uint8_t set_nibble(uint8_t v, bool high, int digit)
{
    return high ? (uint8_t)((v & 0x0F) | digit << 4)
                : (uint8_t)((v & 0xF0) | digit);
}

static const char FX_LETTERS[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

HissError edit_hex_digit(Editor *ed, int digit)
{
    if (digit < 0 || digit > 15)
        return HISS_ERR_RANGE;
    Pattern *p;
    HissError err = entry_ready(ed, &p);
    if (err)
        return err;
    Cell c = cursor_cell(ed, p);
    EditCursor after = ed->cursor;
    bool high = false;
    switch (ed->cursor.column) {
    case EDIT_COL_NOTE:
        return HISS_ERR_RANGE;
    case EDIT_COL_FX:
    case EDIT_COL_FX2:
        return edit_fx_letter(ed, FX_LETTERS[digit]);
    case EDIT_COL_INSTRUMENT_HI:
        high = true;
        /* fall through */
    case EDIT_COL_INSTRUMENT_LO:
        c.instrument = set_nibble(c.instrument, high, digit);
        break;
    case EDIT_COL_VOLUME_HI:
        high = true;
        /* fall through */
    case EDIT_COL_VOLUME_LO: {
        uint8_t v = c.volume == VOLUME_EMPTY ? 0 : c.volume;
        v = set_nibble(v, high, digit);
        c.volume = v > VOLUME_MAX ? VOLUME_MAX : v;
        break;
    }
    /* A parameter without a letter means nothing (the song file writes
     * "..." for it), so the letter must come first. */
    case EDIT_COL_FX_PARAM_HI:
        high = true;
        /* fall through */
    case EDIT_COL_FX_PARAM_LO:
        if (!c.fx)
            return HISS_ERR_MISSING;
        c.fx_param = set_nibble(c.fx_param, high, digit);
        break;
    case EDIT_COL_FX2_PARAM_HI:
        high = true;
        /* fall through */
    case EDIT_COL_FX2_PARAM_LO:
        if (!c.fx2)
            return HISS_ERR_MISSING;
        c.fx2_param = set_nibble(c.fx2_param, high, digit);
        break;
    case EDIT_COL_COUNT:
        return HISS_ERR_RANGE;
    }
    if (high) {
        after.column++;
    } else {
        /* Back to the field's first column on the next row, so a run of
         * cells is typed without moving: an effect's is its letter. */
        bool effect = ed->cursor.column == EDIT_COL_FX_PARAM_LO ||
                      ed->cursor.column == EDIT_COL_FX2_PARAM_LO;
        after.column -= effect ? 2 : 1;
        after = advanced(ed, after);
    }
    return put_cursor_cell(ed, p, c, after);
}

HissError edit_fx_letter(Editor *ed, int letter)
{
    if (letter > 0 && letter < 128)
        letter = toupper(letter);
    if (letter <= 0 || letter > 127 || !strchr(FX_LETTERS, letter))
        return HISS_ERR_RANGE;
    Pattern *p;
    HissError err = entry_ready(ed, &p);
    if (err)
        return err;
    Cell c = cursor_cell(ed, p);
    if (ed->cursor.column == EDIT_COL_FX)
        c.fx = (uint8_t)letter;
    else if (ed->cursor.column == EDIT_COL_FX2)
        c.fx2 = (uint8_t)letter;
    else
        return HISS_ERR_RANGE;
    /* The parameter comes next, as in the volume field: "9 2 7" is one
     * effect 927, not three letters on three rows. */
    EditCursor after = ed->cursor;
    after.column++;
    return put_cursor_cell(ed, p, c, after);
}

HissError edit_type_char(Editor *ed, int ch)
{
    switch (ed->cursor.column) {
    case EDIT_COL_NOTE: {
        int off = edit_piano_key_offset(ch);
        return off < 0 ? HISS_ERR_RANGE : edit_note_from_key_offset(ed, off);
    }
    case EDIT_COL_FX:
    case EDIT_COL_FX2:
        return edit_fx_letter(ed, ch);
    default: {
        int v = hiss_hex_digit(ch);
        return v < 0 ? HISS_ERR_RANGE : edit_hex_digit(ed, v);
    }
    }
}

HissError edit_delete_field(Editor *ed)
{
    Pattern *p;
    HissError err = entry_ready(ed, &p);
    if (err)
        return err;
    Cell c = cursor_cell(ed, p);
    Cell e = song_cell_empty();
    switch (ed->cursor.column) {
    case EDIT_COL_NOTE:
        c.note = e.note;
        c.instrument = e.instrument;
        break;
    case EDIT_COL_INSTRUMENT_HI:
    case EDIT_COL_INSTRUMENT_LO:
        c.instrument = e.instrument;
        break;
    case EDIT_COL_VOLUME_HI:
    case EDIT_COL_VOLUME_LO:
        c.volume = e.volume;
        break;
    case EDIT_COL_FX:
    case EDIT_COL_FX_PARAM_HI:
    case EDIT_COL_FX_PARAM_LO:
        c.fx = e.fx;
        c.fx_param = e.fx_param;
        break;
    case EDIT_COL_FX2:
    case EDIT_COL_FX2_PARAM_HI:
    case EDIT_COL_FX2_PARAM_LO:
        c.fx2 = e.fx2;
        c.fx2_param = e.fx2_param;
        break;
    case EDIT_COL_COUNT:
        return HISS_ERR_RANGE;
    }
    return put_cursor_cell(ed, p, c, advanced(ed, ed->cursor));
}

HissError edit_delete_cell(Editor *ed)
{
    Pattern *p;
    HissError err = entry_ready(ed, &p);
    if (err)
        return err;
    return put_cursor_cell(ed, p, song_cell_empty(), advanced(ed, ed->cursor));
}

static HissError shift_rows(Editor *ed, bool all_channels, bool insert)
{
    Pattern *p;
    HissError err = entry_ready(ed, &p);
    if (err)
        return err;
    int slot = ed->cursor.pattern, r0 = ed->cursor.row;
    int ch0 = all_channels ? 0 : ed->cursor.channel;
    int ch1 = all_channels ? p->channels - 1 : ed->cursor.channel;
    UndoStep *step = step_begin();
    if (!step)
        return HISS_ERR_NOMEM;
    for (int ch = ch0; ch <= ch1 && !err; ch++) {
        for (int r = r0; r < p->rows && !err; r++) {
            Cell c;
            if (insert)
                c = r == r0 ? song_cell_empty() : song_pattern_get(p, r - 1, ch);
            else
                c = r + 1 < p->rows ? song_pattern_get(p, r + 1, ch)
                                    : song_cell_empty();
            err = step_cell(step, p, slot, r, ch, c);
        }
    }
    if (err)
        return step_fail(step, err);
    return step_finish(ed, step, ed->cursor);
}

HissError edit_insert_row(Editor *ed, bool all_channels)
{
    return shift_rows(ed, all_channels, true);
}

HissError edit_delete_row(Editor *ed, bool all_channels)
{
    return shift_rows(ed, all_channels, false);
}

/* ---- selection ------------------------------------------------------------ */

void edit_mark_set(Editor *ed, int row_begin, int channel_begin, int row_end,
                   int channel_end)
{
    EditSelection *s = &ed->selection;
    s->active = true;
    s->row_begin = row_begin < row_end ? row_begin : row_end;
    s->row_end = row_begin < row_end ? row_end : row_begin;
    s->channel_begin = channel_begin < channel_end ? channel_begin : channel_end;
    s->channel_end = channel_begin < channel_end ? channel_end : channel_begin;
}

void edit_mark_begin(Editor *ed)
{
    ed->mark_row = ed->cursor.row;
    ed->mark_channel = ed->cursor.channel;
    ed->mark_set = true;
    edit_mark_set(ed, ed->mark_row, ed->mark_channel, ed->mark_row,
                  ed->mark_channel);
}

void edit_mark_end(Editor *ed)
{
    if (!ed->mark_set) {
        ed->mark_row = ed->cursor.row;
        ed->mark_channel = ed->cursor.channel;
        ed->mark_set = true;
    }
    edit_mark_set(ed, ed->mark_row, ed->mark_channel, ed->cursor.row,
                  ed->cursor.channel);
}

void edit_mark_channel(Editor *ed)
{
    const EditSelection *s = &ed->selection;
    int last = current_rows(ed) - 1, ch = ed->cursor.channel;
    if (s->active && s->row_begin == 0 && s->row_end == last &&
        s->channel_begin == ch && s->channel_end == ch) {
        edit_mark_pattern(ed);
        return;
    }
    edit_mark_set(ed, 0, ch, last, ch);
}

void edit_select_extend(Editor *ed, int rows, int channels)
{
    if (!ed->mark_set || !ed->selection.active) {
        ed->mark_row = ed->cursor.row;
        ed->mark_channel = ed->cursor.channel;
        ed->mark_set = true;
    }
    int chans = edit_channels(ed);
    ed->cursor.row = hiss_clampi(ed->cursor.row + rows, 0, current_rows(ed) - 1);
    ed->cursor.channel = hiss_clampi(ed->cursor.channel + channels, 0,
                                     chans > 0 ? chans - 1 : 0);
    edit_mark_set(ed, ed->mark_row, ed->mark_channel, ed->cursor.row,
                  ed->cursor.channel);
}

bool edit_is_selected(const Editor *ed, int row, int channel)
{
    const EditSelection *s = &ed->selection;
    return s->active && row >= s->row_begin && row <= s->row_end &&
           channel >= s->channel_begin && channel <= s->channel_end;
}

void edit_mark_pattern(Editor *ed)
{
    int chans = edit_channels(ed);
    edit_mark_set(ed, 0, 0, current_rows(ed) - 1, chans > 0 ? chans - 1 : 0);
}

void edit_mark_clear(Editor *ed)
{
    ed->selection.active = false;
    ed->mark_set = false;
}

bool edit_block_range(const Editor *ed, int *row0, int *ch0, int *row1,
                      int *ch1)
{
    const Pattern *p = edit_current_pattern(ed);
    if (!p)
        return false;
    if (!ed->selection.active) {
        *row0 = *row1 = hiss_clampi(ed->cursor.row, 0, p->rows - 1);
        *ch0 = *ch1 = hiss_clampi(ed->cursor.channel, 0, p->channels - 1);
        return true;
    }
    const EditSelection *s = &ed->selection;
    if (s->row_begin >= p->rows || s->channel_begin >= p->channels ||
        s->row_end < 0 || s->channel_end < 0)
        return false;
    *row0 = hiss_clampi(s->row_begin, 0, p->rows - 1);
    *row1 = hiss_clampi(s->row_end, 0, p->rows - 1);
    *ch0 = hiss_clampi(s->channel_begin, 0, p->channels - 1);
    *ch1 = hiss_clampi(s->channel_end, 0, p->channels - 1);
    return true;
}

/* ---- block operations ------------------------------------------------------ */

typedef struct {
    Pattern *p;
    int slot, row0, ch0, row1, ch1;
} Block;

static HissError block_get(const Editor *ed, Block *b)
{
    b->p = edit_current_pattern(ed);
    if (!b->p)
        return HISS_ERR_MISSING;
    b->slot = ed->cursor.pattern;
    return edit_block_range(ed, &b->row0, &b->ch0, &b->row1, &b->ch1)
               ? HISS_OK
               : HISS_ERR_RANGE;
}

HissError edit_block_copy(Editor *ed)
{
    Block b;
    HissError err = block_get(ed, &b);
    if (err)
        return err;
    int rows = b.row1 - b.row0 + 1, chans = b.ch1 - b.ch0 + 1;
    Cell *cells = malloc((size_t)rows * (size_t)chans * sizeof *cells);
    if (!cells)
        return HISS_ERR_NOMEM;
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < chans; c++)
            cells[r * chans + c] = song_pattern_get(b.p, b.row0 + r, b.ch0 + c);
    free(ed->clipboard.cells);
    ed->clipboard.cells = cells;
    ed->clipboard.rows = rows;
    ed->clipboard.channels = chans;
    return HISS_OK;
}

HissError edit_block_clear(Editor *ed)
{
    Block b;
    HissError err = block_get(ed, &b);
    if (err)
        return err;
    UndoStep *step = step_begin();
    if (!step)
        return HISS_ERR_NOMEM;
    for (int r = b.row0; r <= b.row1 && !err; r++)
        for (int c = b.ch0; c <= b.ch1 && !err; c++)
            err = step_cell(step, b.p, b.slot, r, c, song_cell_empty());
    if (err)
        return step_fail(step, err);
    return step_finish(ed, step, ed->cursor);
}

HissError edit_block_cut(Editor *ed)
{
    HissError err = edit_block_copy(ed);
    return err ? err : edit_block_clear(ed);
}

static bool fx_empty(uint8_t fx, uint8_t param)
{
    return fx == 0 && param == 0;
}

static Cell mix_cell(Cell dst, Cell src)
{
    if (dst.note == NOTE_EMPTY)
        dst.note = src.note;
    if (dst.instrument == 0)
        dst.instrument = src.instrument;
    if (dst.volume == VOLUME_EMPTY)
        dst.volume = src.volume;
    if (fx_empty(dst.fx, dst.fx_param)) {
        dst.fx = src.fx;
        dst.fx_param = src.fx_param;
    }
    if (fx_empty(dst.fx2, dst.fx2_param)) {
        dst.fx2 = src.fx2;
        dst.fx2_param = src.fx2_param;
    }
    return dst;
}

static HissError paste(Editor *ed, bool mix)
{
    Pattern *p = edit_current_pattern(ed);
    if (!p)
        return HISS_ERR_MISSING;
    const EditClipboard *cb = &ed->clipboard;
    if (!cb->cells || cb->rows < 1 || cb->channels < 1)
        return HISS_ERR_MISSING;
    UndoStep *step = step_begin();
    if (!step)
        return HISS_ERR_NOMEM;
    HissError err = HISS_OK;
    for (int r = 0; r < cb->rows && !err; r++) {
        int tr = ed->cursor.row + r;
        if (tr >= p->rows)
            break;
        for (int c = 0; c < cb->channels && !err; c++) {
            int tc = ed->cursor.channel + c;
            if (tc >= p->channels)
                break;
            Cell src = cb->cells[r * cb->channels + c];
            Cell out = mix ? mix_cell(song_pattern_get(p, tr, tc), src) : src;
            err = step_cell(step, p, ed->cursor.pattern, tr, tc, out);
        }
    }
    if (err)
        return step_fail(step, err);
    return step_finish(ed, step, ed->cursor);
}

HissError edit_block_paste(Editor *ed)
{
    return paste(ed, false);
}

HissError edit_block_mix_paste(Editor *ed)
{
    return paste(ed, true);
}

static bool is_pitch(uint8_t note)
{
    return note >= NOTE_FIRST && note <= NOTE_LAST;
}

HissError edit_block_transpose(Editor *ed, int semitones)
{
    Block b;
    HissError err = block_get(ed, &b);
    if (err)
        return err;
    UndoStep *step = step_begin();
    if (!step)
        return HISS_ERR_NOMEM;
    for (int r = b.row0; r <= b.row1 && !err; r++)
        for (int ch = b.ch0; ch <= b.ch1 && !err; ch++) {
            Cell c = song_pattern_get(b.p, r, ch);
            if (!is_pitch(c.note))
                continue;
            c.note = (uint8_t)hiss_clampi(c.note + semitones, NOTE_FIRST,
                                          NOTE_LAST);
            err = step_cell(step, b.p, b.slot, r, ch, c);
        }
    if (err)
        return step_fail(step, err);
    return step_finish(ed, step, ed->cursor);
}

/* a + (b - a) * num / den, rounded half away from zero. */
static int lerp_round(int a, int b, int num, int den)
{
    int n = (b - a) * num;
    int q = n >= 0 ? (n + den / 2) / den : -((-n + den / 2) / den);
    return a + q;
}

HissError edit_block_interpolate(Editor *ed, EditField field)
{
    if (field != EDIT_FIELD_VOLUME && field != EDIT_FIELD_FX &&
        field != EDIT_FIELD_FX2)
        return HISS_ERR_UNSUPPORTED;
    Block b;
    HissError err = block_get(ed, &b);
    if (err)
        return err;
    if (b.row1 <= b.row0)
        return HISS_ERR_RANGE;
    UndoStep *step = step_begin();
    if (!step)
        return HISS_ERR_NOMEM;
    int span = b.row1 - b.row0;
    bool any = false;
    for (int ch = b.ch0; ch <= b.ch1 && !err; ch++) {
        Cell first = song_pattern_get(b.p, b.row0, ch);
        Cell last = song_pattern_get(b.p, b.row1, ch);
        int a, z;
        uint8_t letter = 0;
        if (field == EDIT_FIELD_VOLUME) {
            if (first.volume == VOLUME_EMPTY || last.volume == VOLUME_EMPTY)
                continue;
            a = first.volume;
            z = last.volume;
        } else if (field == EDIT_FIELD_FX) {
            if (!first.fx || !last.fx)
                continue;
            a = first.fx_param;
            z = last.fx_param;
            letter = first.fx;
        } else {
            if (!first.fx2 || !last.fx2)
                continue;
            a = first.fx2_param;
            z = last.fx2_param;
            letter = first.fx2;
        }
        any = true;
        for (int r = b.row0 + 1; r < b.row1 && !err; r++) {
            Cell c = song_pattern_get(b.p, r, ch);
            int v = lerp_round(a, z, r - b.row0, span);
            if (field == EDIT_FIELD_VOLUME) {
                c.volume = (uint8_t)v;
            } else if (field == EDIT_FIELD_FX) {
                c.fx = letter;
                c.fx_param = (uint8_t)v;
            } else {
                c.fx2 = letter;
                c.fx2_param = (uint8_t)v;
            }
            err = step_cell(step, b.p, b.slot, r, ch, c);
        }
    }
    if (!err && !any)
        err = HISS_ERR_RANGE;
    if (err)
        return step_fail(step, err);
    return step_finish(ed, step, ed->cursor);
}

HissError edit_block_interpolate_at_cursor(Editor *ed)
{
    switch (ed->cursor.column) {
    case EDIT_COL_VOLUME_HI:
    case EDIT_COL_VOLUME_LO:
        return edit_block_interpolate(ed, EDIT_FIELD_VOLUME);
    case EDIT_COL_FX:
    case EDIT_COL_FX_PARAM_HI:
    case EDIT_COL_FX_PARAM_LO:
        return edit_block_interpolate(ed, EDIT_FIELD_FX);
    case EDIT_COL_FX2:
    case EDIT_COL_FX2_PARAM_HI:
    case EDIT_COL_FX2_PARAM_LO:
        return edit_block_interpolate(ed, EDIT_FIELD_FX2);
    default: {
        static const EditField order[] = {EDIT_FIELD_VOLUME, EDIT_FIELD_FX,
                                           EDIT_FIELD_FX2};
        HissError err = HISS_ERR_RANGE;
        for (size_t i = 0; i < HISS_ARRAY_LEN(order) && err == HISS_ERR_RANGE;
             i++)
            err = edit_block_interpolate(ed, order[i]);
        return err;
    }
    }
}

HissError edit_block_set_instrument(Editor *ed)
{
    Block b;
    HissError err = block_get(ed, &b);
    if (err)
        return err;
    UndoStep *step = step_begin();
    if (!step)
        return HISS_ERR_NOMEM;
    for (int r = b.row0; r <= b.row1 && !err; r++)
        for (int ch = b.ch0; ch <= b.ch1 && !err; ch++) {
            Cell c = song_pattern_get(b.p, r, ch);
            if (!is_pitch(c.note))
                continue;
            c.instrument = (uint8_t)ed->instrument;
            err = step_cell(step, b.p, b.slot, r, ch, c);
        }
    if (err)
        return step_fail(step, err);
    return step_finish(ed, step, ed->cursor);
}

/* ---- patterns ------------------------------------------------------------ */

static int first_free_pattern(const Song *s)
{
    for (int i = 0; i < SONG_MAX_PATTERNS; i++)
        if (!song_pattern(s, i))
            return i;
    return -1;
}

/* Installs `pattern` (owned) into an empty slot and shows it. */
static HissError add_pattern(Editor *ed, Pattern *pattern)
{
    if (!pattern)
        return HISS_ERR_NOMEM;
    int slot = first_free_pattern(ed->song);
    if (slot < 0) {
        song_pattern_free(pattern);
        return HISS_ERR_RANGE;
    }
    UndoStep *step = step_begin();
    if (!step) {
        song_pattern_free(pattern);
        return HISS_ERR_NOMEM;
    }
    HissError err = undo_step_add_pattern(step, slot, NULL, pattern);
    if (err)
        return step_fail(step, err);
    EditCursor after = ed->cursor;
    after.pattern = slot;
    after.row = 0;
    return step_finish(ed, step, after);
}

HissError edit_pattern_new(Editor *ed)
{
    if (!ed->song)
        return HISS_ERR_MISSING;
    Pattern *cur = edit_current_pattern(ed);
    int chans = atomic_load(&ed->song->channels);
    return add_pattern(ed, song_pattern_new(cur ? cur->rows : 64, chans));
}

HissError edit_pattern_clone(Editor *ed)
{
    Pattern *cur = edit_current_pattern(ed);
    if (!cur)
        return HISS_ERR_MISSING;
    return add_pattern(ed, pattern_copy(cur));
}

HissError edit_pattern_set_length(Editor *ed, int rows)
{
    if (rows < 1 || rows > SONG_MAX_ROWS)
        return HISS_ERR_RANGE;
    Pattern *cur = edit_current_pattern(ed);
    if (!cur)
        return HISS_ERR_MISSING;
    if (cur->rows == rows)
        return HISS_OK;
    UndoStep *step = step_begin();
    if (!step)
        return HISS_ERR_NOMEM;
    HissError err = undo_step_add_resize(step, ed->cursor.pattern, cur, rows,
                                         cur->channels);
    if (err)
        return step_fail(step, err);
    return step_finish(ed, step, ed->cursor);
}

/* ---- order list ------------------------------------------------------------ */

void edit_order_goto(Editor *ed, int pos)
{
    ed->order_pos = pos;
    clamp_order_pos(ed);
}

/* Finishes an order list step (which may already hold new patterns). */
static HissError orders_commit(Editor *ed, UndoStep *step,
                               const UndoOrders *before,
                               const UndoOrders *after, int new_pos,
                               EditCursor cursor_after)
{
    HissError err = undo_step_add_orders(step, before, after);
    if (err)
        return step_fail(step, err);
    err = step_finish(ed, step, cursor_after);
    if (!err) {
        ed->order_pos = new_pos;
        clamp_order_pos(ed);
    }
    return err;
}

/* Entries must name existing patterns: an empty slot gets an empty
 * pattern, created in the same step as the entry. */
static HissError step_ensure_pattern(Editor *ed, UndoStep *step, int slot)
{
    if (song_pattern(ed->song, slot))
        return HISS_OK;
    for (int i = 0; i < step->count; i++)
        if (step->changes[i].kind == UNDO_PATTERN && step->changes[i].slot == slot)
            return HISS_OK; /* made earlier in this step */
    Pattern *cur = edit_current_pattern(ed);
    Pattern *p = song_pattern_new(cur ? cur->rows : 64,
                                  atomic_load(&ed->song->channels));
    if (!p)
        return HISS_ERR_NOMEM;
    return undo_step_add_pattern(step, slot, NULL, p);
}

static HissError order_insert_at(Editor *ed, UndoStep *step, int pos,
                                 int pattern, int new_pos, EditCursor after_cur)
{
    UndoOrders before, after;
    orders_read(ed->song, &before);
    if (before.count >= SONG_MAX_ORDERS)
        return step_fail(step, HISS_ERR_RANGE);
    HissError err = step_ensure_pattern(ed, step, pattern);
    if (err)
        return step_fail(step, err);
    pos = hiss_clampi(pos, 0, before.count);
    after = before;
    memmove(after.entries + pos + 1, after.entries + pos,
            (size_t)(before.count - pos));
    after.entries[pos] = (uint8_t)pattern;
    after.count++;
    return orders_commit(ed, step, &before, &after, new_pos, after_cur);
}

HissError edit_order_insert(Editor *ed, int pattern)
{
    if (!ed->song)
        return HISS_ERR_MISSING;
    if (!pattern_slot_valid(pattern))
        return HISS_ERR_RANGE;
    UndoStep *step = step_begin();
    if (!step)
        return HISS_ERR_NOMEM;
    return order_insert_at(ed, step, ed->order_pos, pattern, ed->order_pos,
                           ed->cursor);
}

HissError edit_order_delete(Editor *ed)
{
    if (!ed->song)
        return HISS_ERR_MISSING;
    UndoOrders before, after;
    orders_read(ed->song, &before);
    int pos = ed->order_pos;
    if (pos < 0 || pos >= before.count)
        return HISS_ERR_RANGE;
    after = before;
    memmove(after.entries + pos, after.entries + pos + 1,
            (size_t)(before.count - pos - 1));
    after.entries[--after.count] = 0;
    int new_pos = pos < after.count ? pos : (after.count ? after.count - 1 : 0);
    UndoStep *step = step_begin();
    if (!step)
        return HISS_ERR_NOMEM;
    return orders_commit(ed, step, &before, &after, new_pos, ed->cursor);
}

HissError edit_order_duplicate(Editor *ed)
{
    if (!ed->song)
        return HISS_ERR_MISSING;
    int count = atomic_load(&ed->song->order_count);
    int pos = ed->order_pos;
    if (pos < 0 || pos >= count)
        return HISS_ERR_RANGE;
    int pattern = atomic_load(&ed->song->orders[pos]);
    UndoStep *step = step_begin();
    if (!step)
        return HISS_ERR_NOMEM;
    return order_insert_at(ed, step, pos + 1, pattern, pos + 1, ed->cursor);
}

HissError edit_order_duplicate_pattern(Editor *ed)
{
    if (!ed->song)
        return HISS_ERR_MISSING;
    int count = atomic_load(&ed->song->order_count);
    int pos = ed->order_pos;
    if (pos < 0 || pos >= count)
        return HISS_ERR_RANGE;
    Pattern *src = song_pattern(ed->song, atomic_load(&ed->song->orders[pos]));
    if (!src)
        return HISS_ERR_MISSING;
    int slot = first_free_pattern(ed->song);
    if (slot < 0 || count >= SONG_MAX_ORDERS)
        return HISS_ERR_RANGE;
    UndoStep *step = step_begin();
    Pattern *copy = pattern_copy(src);
    if (!step || !copy) {
        song_pattern_free(copy);
        return step_fail(step, HISS_ERR_NOMEM);
    }
    HissError err = undo_step_add_pattern(step, slot, NULL, copy);
    if (err)
        return step_fail(step, err);
    EditCursor cur = ed->cursor;
    cur.pattern = slot;
    cur.row = 0;
    return order_insert_at(ed, step, pos + 1, slot, pos + 1, cur);
}

HissError edit_order_set(Editor *ed, int pattern)
{
    if (!ed->song)
        return HISS_ERR_MISSING;
    if (!pattern_slot_valid(pattern))
        return HISS_ERR_RANGE;
    UndoOrders before, after;
    orders_read(ed->song, &before);
    int pos = ed->order_pos;
    if (pos < 0 || pos > before.count || pos >= SONG_MAX_ORDERS)
        return HISS_ERR_RANGE;
    after = before;
    after.entries[pos] = (uint8_t)pattern;
    if (pos == before.count)
        after.count++;
    UndoStep *step = step_begin();
    if (!step)
        return HISS_ERR_NOMEM;
    HissError err = step_ensure_pattern(ed, step, pattern);
    if (err)
        return step_fail(step, err);
    return orders_commit(ed, step, &before, &after, pos, ed->cursor);
}

HissError edit_order_step_pattern(Editor *ed, int delta)
{
    if (!ed->song)
        return HISS_ERR_MISSING;
    int count = atomic_load(&ed->song->order_count);
    int pos = ed->order_pos;
    if (pos < 0 || pos >= count || delta == 0)
        return HISS_ERR_RANGE;
    int cur = atomic_load(&ed->song->orders[pos]);
    int dir = delta > 0 ? 1 : -1;
    for (int s = cur + dir; pattern_slot_valid(s); s += dir)
        if (song_pattern(ed->song, s))
            return edit_order_set(ed, s);
    /* Nothing above: one new pattern right after (set creates it). */
    if (dir > 0 && pattern_slot_valid(cur + 1))
        return edit_order_set(ed, cur + 1);
    return HISS_ERR_RANGE;
}

/* ---- song settings ------------------------------------------------------- */

static HissError settings_change(Editor *ed, const UndoSettings *after)
{
    if (!ed->song)
        return HISS_ERR_MISSING;
    UndoSettings before;
    settings_read(ed->song, &before);
    if (!memcmp(&before, after, sizeof before))
        return HISS_OK;
    UndoStep *step = step_begin();
    if (!step)
        return HISS_ERR_NOMEM;
    HissError err = undo_step_add_settings(step, &before, after);
    if (err)
        return step_fail(step, err);
    return step_finish(ed, step, ed->cursor);
}

/* Reads the settings for a change; false when there is no song. */
static bool settings_for_change(Editor *ed, UndoSettings *st)
{
    if (!ed->song)
        return false;
    settings_read(ed->song, st);
    return true;
}

HissError edit_song_set_title(Editor *ed, const char *title)
{
    UndoSettings st;
    if (!settings_for_change(ed, &st))
        return HISS_ERR_MISSING;
    memset(st.title, 0, sizeof st.title);
    hiss_text_format(st.title, sizeof st.title, "%s", title ? title : "");
    return settings_change(ed, &st);
}

#define SETTING_SETTER(fn, field, type, lo, hi)                                \
    HissError fn(Editor *ed, type value)                                      \
    {                                                                         \
        if (value < (lo) || value > (hi))                                     \
            return HISS_ERR_RANGE;                                            \
        UndoSettings st;                                                      \
        if (!settings_for_change(ed, &st))                                    \
            return HISS_ERR_MISSING;                                          \
        st.field = value;                                                     \
        return settings_change(ed, &st);                                      \
    }

HissError edit_song_set_bpm_tenths(Editor *ed, int bpm_tenths)
{
    if (bpm_tenths < SONG_BPM_MIN || bpm_tenths > SONG_BPM_MAX)
        return HISS_ERR_RANGE;
    UndoSettings st;
    if (!settings_for_change(ed, &st))
        return HISS_ERR_MISSING;
    if (st.bpm_tenths == bpm_tenths)
        return HISS_OK;
    st.bpm_tenths = bpm_tenths;
    HissError err = settings_change(ed, &st);
    if (!err) {
        ed->tempo_edit = ++ed->tempo_edits;
        ed->tempo_step = undo_state_id(&ed->history);
    }
    return err;
}
SETTING_SETTER(edit_song_set_speed, speed, int, 1, 31)
SETTING_SETTER(edit_song_set_rows_per_beat, rows_per_beat, int, 1, 32)
SETTING_SETTER(edit_song_set_swing, swing, int, 0, 100)
SETTING_SETTER(edit_song_set_master_gain, master_gain_tenth_db, int, -600, 120)
SETTING_SETTER(edit_song_set_slides, slides, int, SLIDES_LINEAR, SLIDES_AMIGA)
SETTING_SETTER(edit_song_set_ft2_vibrato, ft2_vibrato, int, 0, 1)
SETTING_SETTER(edit_song_set_ft2_tremor, ft2_tremor, int, 0, 1)
SETTING_SETTER(edit_song_set_global_volume, global_volume, int, 0, SONG_GLOBAL_VOLUME_MAX)

static bool groove_value_ok(int field, int value)
{
    const SongParamInfo *info = &song_groove_params[field];
    return value >= info->min && value <= info->max &&
           (field != SONG_GROOVE_GRID || value == 8 || value == 16);
}

HissError edit_groove_set_all(Editor *ed, int channel, const int values[SONG_GROOVE_PARAMS])
{
    if (channel < -1 || channel >= SONG_MAX_CHANNELS)
        return HISS_ERR_RANGE;
    for (int f = 0; f < SONG_GROOVE_PARAMS; f++)
        if (!groove_value_ok(f, values[f]))
            return HISS_ERR_RANGE;
    UndoSettings st;
    if (!settings_for_change(ed, &st))
        return HISS_ERR_MISSING;
    for (int f = 0; f < SONG_GROOVE_PARAMS; f++) {
        if (channel < 0)
            st.groove[f] = values[f];
        else
            st.channel_groove[channel][f] = (int8_t)values[f];
    }
    if (channel >= 0)
        st.channel_groove[channel][SONG_GROOVE_PARAMS] = 1;
    return settings_change(ed, &st);
}

HissError edit_groove_set(Editor *ed, int channel, int field, int value)
{
    int fields = channel < 0 ? SONG_GROOVE_SONG_PARAMS : SONG_GROOVE_PARAMS;
    if (channel < -1 || channel >= SONG_MAX_CHANNELS || field < 0 || field >= fields ||
        !groove_value_ok(field, value))
        return HISS_ERR_RANGE;
    if (!ed->song)
        return HISS_ERR_MISSING;
    if (field == SONG_GROOVE_SEED) {
        UndoSettings st;
        settings_for_change(ed, &st);
        st.groove[field] = value;
        return settings_change(ed, &st);
    }
    /* A channel without its own starts from the groove it heard. */
    int now[SONG_GROOVE_PARAMS];
    if (channel < 0)
        song_params_read(ed->song->groove, song_groove_params, SONG_GROOVE_PARAMS, now);
    else
        song_channel_groove(ed->song, channel, now);
    now[field] = value;
    return edit_groove_set_all(ed, channel, now);
}

HissError edit_groove_follow_song(Editor *ed, int channel)
{
    if (channel < 0 || channel >= SONG_MAX_CHANNELS)
        return HISS_ERR_RANGE;
    UndoSettings st;
    if (!settings_for_change(ed, &st))
        return HISS_ERR_MISSING;
    st.channel_groove[channel][SONG_GROOVE_PARAMS] = 0;
    return settings_change(ed, &st);
}

HissError edit_song_set_limiter(Editor *ed, bool on)
{
    UndoSettings st;
    if (!settings_for_change(ed, &st))
        return HISS_ERR_MISSING;
    st.limiter = on;
    return settings_change(ed, &st);
}

HissError edit_strip_set(Editor *ed, int channel, EditStripField field, int value)
{
    const SongParamInfo *info = mixparam_info((MixParam){MIXPARAM_STRIP, channel, field});
    if (!info || value < info->min || value > info->max)
        return HISS_ERR_RANGE;
    UndoSettings *st = malloc(sizeof *st);
    if (!st)
        return HISS_ERR_NOMEM;
    if (!settings_for_change(ed, st)) {
        free(st);
        return HISS_ERR_MISSING;
    }
    st->strip[channel][field] = (int16_t)value;
    HissError err = settings_change(ed, st);
    free(st);
    return err;
}

HissError edit_strip_set_name(Editor *ed, int channel, const char *name)
{
    if (!ed->song)
        return HISS_ERR_MISSING;
    if (channel < 0 || channel >= atomic_load(&ed->song->channels))
        return HISS_ERR_RANGE;
    char after[SONG_NAME_MAX];
    song_name_copy(after, name);
    const char *before = ed->song->strips[channel].name;
    if (!strcmp(before, after))
        return HISS_OK;
    UndoStep *step = step_begin();
    if (!step)
        return HISS_ERR_NOMEM;
    HissError err = undo_step_add_name(step, channel, before, after);
    if (err)
        return step_fail(step, err);
    return step_finish(ed, step, ed->cursor);
}

HissError edit_mix_set(Editor *ed, MixParam p, int value)
{
    const SongParamInfo *info = mixparam_info(p);
    if (!info || value < info->min || value > info->max)
        return HISS_ERR_RANGE;
    if (info->kind == SONG_PARAM_NOTE && !song_note_value_valid(value))
        return HISS_ERR_RANGE;
    if (!ed->song)
        return HISS_ERR_MISSING;
    /* The strip and the master live in the settings snapshot. */
    if (p.group == MIXPARAM_STRIP)
        return edit_strip_set(ed, p.channel, (EditStripField)p.index, value);
    if (p.group == MIXPARAM_MASTER)
        return p.index == MIXPARAM_MASTER_GAIN      ? edit_song_set_master_gain(ed, value)
               : p.index == MIXPARAM_MASTER_LIMITER ? edit_song_set_limiter(ed, value != 0)
                                                    : edit_song_set_limiter_ceiling(ed, value);
    int before = mixparam_get(ed->song, p);
    if (before == value)
        return HISS_OK;
    UndoStep *step = step_begin();
    if (!step)
        return HISS_ERR_NOMEM;
    HissError err = undo_step_add_mix(step, p, before, value);
    if (err)
        return step_fail(step, err);
    return step_finish(ed, step, ed->cursor);
}

HissError edit_song_set_limiter_ceiling(Editor *ed, int tenth_db)
{
    if (tenth_db < SONG_CEILING_MIN || tenth_db > 0)
        return HISS_ERR_RANGE;
    UndoSettings st;
    if (!settings_for_change(ed, &st))
        return HISS_ERR_MISSING;
    st.limiter_ceiling_tenth_db = tenth_db;
    return settings_change(ed, &st);
}

HissError edit_song_set_channels(Editor *ed, int channels)
{
    if (channels < 1 || channels > SONG_MAX_CHANNELS)
        return HISS_ERR_RANGE;
    UndoSettings before, after;
    if (!settings_for_change(ed, &before))
        return HISS_ERR_MISSING;
    after = before;
    after.channels = channels;
    UndoStep *step = step_begin();
    if (!step)
        return HISS_ERR_NOMEM;
    bool shrink = channels < before.channels;
    HissError err = HISS_OK;
    /* Shrinking: the song narrows before its patterns; growing: after. */
    if (shrink && channels != before.channels)
        err = undo_step_add_settings(step, &before, &after);
    for (int i = 0; i < SONG_MAX_PATTERNS && !err; i++) {
        Pattern *p = song_pattern(ed->song, i);
        if (!p || p->channels == channels)
            continue;
        err = undo_step_add_resize(step, i, p, p->rows, channels);
    }
    if (!err && !shrink && channels != before.channels)
        err = undo_step_add_settings(step, &before, &after);
    /* The channels removed, or added, are left with a fresh strip, so one
     * added later starts without the name and mix of one removed before;
     * last in the step, after the settings that also hold strip fields. */
    UndoStrip now, fresh;
    strip_default(&fresh);
    int lo = shrink ? channels : before.channels, hi = shrink ? before.channels : channels;
    for (int c = lo; c < hi && !err; c++) {
        strip_read(ed->song, c, &now);
        if (memcmp(&now, &fresh, sizeof now) != 0)
            err = undo_step_add_strip(step, c, &now, &fresh);
    }
    if (err)
        return step_fail(step, err);
    return step_finish(ed, step, ed->cursor);
}

/* ---- instruments ------------------------------------------------------------ */

/* The step installing `after` (owned, freed on failure) in `slot`, or
 * NULL when out of memory. */
static UndoStep *instrument_step(Editor *ed, int slot, Instrument *after)
{
    Instrument *cur = song_instrument(ed->song, slot);
    Instrument *before = cur ? song_instrument_clone(cur) : NULL;
    UndoStep *step = step_begin();
    if ((cur && !before) || !step) {
        song_instrument_free(before);
        song_instrument_free(after);
        undo_step_free(step);
        return NULL;
    }
    if (undo_step_add_instrument(step, slot, before, after) != HISS_OK) {
        undo_step_free(step);
        return NULL;
    }
    return step;
}

/* Installs `after` (owned) in `slot` as one undo step. */
static HissError instrument_change(Editor *ed, int slot, Instrument *after)
{
    return step_finish(ed, instrument_step(ed, slot, after), ed->cursor);
}

/* A copy of the instrument in `slot` to modify, or an error. */
static HissError instrument_edit_copy(Editor *ed, int slot, Instrument **out)
{
    if (!instrument_slot_valid(slot))
        return HISS_ERR_RANGE;
    if (!ed->song)
        return HISS_ERR_MISSING;
    Instrument *cur = song_instrument(ed->song, slot);
    if (!cur)
        return HISS_ERR_MISSING;
    *out = song_instrument_clone(cur);
    return *out ? HISS_OK : HISS_ERR_NOMEM;
}

#define INSTRUMENT_SETTER(fn, field, lo, hi)                                  \
    HissError fn(Editor *ed, int slot, int value)                             \
    {                                                                         \
        if (value < (lo) || value > (hi))                                     \
            return HISS_ERR_RANGE;                                            \
        Instrument *copy;                                                     \
        HissError err = instrument_edit_copy(ed, slot, &copy);                \
        if (err)                                                              \
            return err;                                                       \
        if (copy->field == value) {                                           \
            song_instrument_free(copy);                                       \
            return HISS_OK;                                                   \
        }                                                                     \
        copy->field = value;                                                  \
        return instrument_change(ed, slot, copy);                             \
    }

INSTRUMENT_SETTER(edit_instrument_set_volume, volume, 0, 64)
INSTRUMENT_SETTER(edit_instrument_set_pan, pan, -100, 100)
INSTRUMENT_SETTER(edit_instrument_set_finetune, finetune, -100, 100)

HissError edit_instrument_set_base_note(Editor *ed, int slot, int note)
{
    if (note < NOTE_FIRST || note > NOTE_LAST)
        return HISS_ERR_RANGE;
    Instrument *copy;
    HissError err = instrument_edit_copy(ed, slot, &copy);
    if (err)
        return err;
    if (copy->base_note == note) {
        song_instrument_free(copy);
        return HISS_OK;
    }
    copy->base_note = (uint8_t)note;
    copy->given |= INST_GIVEN_BASE;
    return instrument_change(ed, slot, copy);
}

HissError edit_instrument_set_slices(Editor *ed, int slot, const uint32_t *points,
                                     int count)
{
    if (count < 0)
        return HISS_ERR_RANGE;
    Instrument *copy;
    HissError err = instrument_edit_copy(ed, slot, &copy);
    if (err)
        return err;
    song_instrument_set_slices(copy, points, count);
    copy->given |= INST_GIVEN_SLICES;
    return instrument_change(ed, slot, copy);
}

HissError edit_slices_to_pattern(Editor *ed, int slot, EditSlicesPlaced *placed)
{
    EditSlicesPlaced none;
    if (!placed)
        placed = &none;
    *placed = (EditSlicesPlaced){0};
    const Instrument *inst = slot >= 1 && slot <= SONG_MAX_INSTRUMENTS
                                 ? song_instrument(ed->song, slot)
                                 : NULL;
    Pattern *p = edit_current_pattern(ed);
    if (!inst || !p)
        return HISS_ERR_MISSING;
    int count = hiss_clampi(inst->slice_count, 0, SONG_MAX_SLICES);
    if (!count || !inst->sample)
        return HISS_ERR_MISSING;
    int bpm_tenths = hiss_clampi(atomic_load(&ed->song->bpm_tenths), SONG_BPM_MIN,
                                 SONG_BPM_MAX);
    int speed = hiss_clampi(atomic_load(&ed->song->speed), 1, 31);
    /* A tick is 2.5 / BPM seconds. */
    double tick_frames = inst->sample->rate * 25.0 / bpm_tenths;
    bool by_note = inst->shape[SHAPE_SLICE_MODE] != 0;
    UndoStep *step = step_begin();
    if (!step)
        return HISS_ERR_NOMEM;
    HissError err = HISS_OK;
    int last_row = -1;
    for (int k = 0; k < count && !err; k++) {
        /* The nearest row; a slice that starts later than it, delayed to
         * its tick (one a little early is on the row). */
        long rows = lround(inst->slices[k] / (tick_frames * speed));
        long tick = lround(inst->slices[k] / tick_frames);
        long row = ed->cursor.row + rows;
        int delay = tick > rows * speed ? (int)(tick - rows * speed) : 0;
        if (row >= p->rows) {
            placed->past_end = count - k;
            break;
        }
        if (row <= last_row) {
            placed->shared++; /* one note a row: the first one stands */
            continue;
        }
        last_row = (int)row;
        Cell c = song_cell_empty();
        c.instrument = (uint8_t)slot;
        uint8_t *delay_fx = &c.fx, *delay_param = &c.fx_param;
        if (by_note && NOTE_C4 + k <= NOTE_LAST) {
            c.note = (uint8_t)(NOTE_C4 + k);
        } else {
            c.note = inst->base_note;
            c.fx = 'S';
            c.fx_param = (uint8_t)(k + 1);
            delay_fx = &c.fx2;
            delay_param = &c.fx2_param;
        }
        if (delay) { /* EDx: the note x ticks into its row */
            *delay_fx = 'E';
            *delay_param = (uint8_t)(0xD0 | delay);
        }
        err = step_cell(step, p, ed->cursor.pattern, (int)row, ed->cursor.channel, c);
        placed->written += !err;
    }
    if (err)
        return step_fail(step, err);
    return step_finish(ed, step, ed->cursor);
}

/* ---- keep only the slices used ---------------------------------------- */

/* The slice pick of a cell's effects (Sxx, 1-based), 0 for none. */
static int cell_pick(const Cell *c)
{
    return c->fx == 'S' ? c->fx_param : c->fx2 == 'S' ? c->fx2_param : 0;
}

/* Calls fn for every note of `slot` in every pattern: a note naming the
 * slot, or a note without an instrument after one that named it on the
 * same channel of the pattern. A note without an instrument before any
 * on its channel plays whatever the song played there before: when the
 * slot appears on that channel anywhere, that is unknowable here, and
 * *unsure gets its place (pattern, row, channel) and the walk stops. */
typedef void (*SlotNoteFn)(void *ctx, int pattern, int row, int channel, const Cell *cell);
static bool walk_slot_notes(const Song *song, int slot, SlotNoteFn fn, void *ctx, int unsure[3])
{
    bool on_channel[SONG_MAX_CHANNELS] = {false};
    for (int i = 0; i < SONG_MAX_PATTERNS; i++) {
        const Pattern *p = song_pattern(song, i);
        for (int r = 0; p && r < p->rows; r++)
            for (int c = 0; c < p->channels && c < SONG_MAX_CHANNELS; c++)
                on_channel[c] |= song_pattern_get(p, r, c).instrument == slot;
    }
    for (int i = 0; i < SONG_MAX_PATTERNS; i++) {
        const Pattern *p = song_pattern(song, i);
        if (!p)
            continue;
        for (int c = 0; c < p->channels && c < SONG_MAX_CHANNELS; c++) {
            int last = -1; /* the channel's instrument: -1 not known yet */
            for (int r = 0; r < p->rows; r++) {
                Cell cell = song_pattern_get(p, r, c);
                if (cell.instrument)
                    last = cell.instrument;
                if (cell.note < NOTE_FIRST || cell.note > NOTE_LAST)
                    continue;
                if (last < 0 && on_channel[c]) {
                    unsure[0] = i, unsure[1] = r, unsure[2] = c;
                    return false;
                }
                if (last == slot)
                    fn(ctx, i, r, c, &cell);
            }
        }
    }
    return true;
}

typedef struct {
    const Instrument *inst;
    bool *played;
    bool whole;
} PlayedScan;

static void mark_played(void *ctx, int pattern, int row, int channel, const Cell *cell)
{
    (void)pattern, (void)row, (void)channel;
    PlayedScan *scan = ctx;
    int k = song_instrument_note_slice(scan->inst, cell->note, cell_pick(cell));
    if (k == SONG_SLICE_WHOLE)
        scan->whole = true;
    else if (k >= 0)
        scan->played[k] = true;
}

HissError edit_slices_played(const Song *song, int slot, bool played[SONG_MAX_SLICES],
                             HissDiag *diag)
{
    const Instrument *inst = instrument_slot_valid(slot) ? song_instrument(song, slot) : NULL;
    memset(played, 0, sizeof(bool) * SONG_MAX_SLICES);
    if (!inst || inst->slice_count < 1) {
        hiss_diag_printf(diag, "the instrument has no slices");
        return HISS_ERR_MISSING;
    }
    PlayedScan scan = {inst, played, false};
    int at[3];
    if (!walk_slot_notes(song, slot, mark_played, &scan, at)) {
        hiss_diag_printf(diag, "pattern %02X row %02X channel %d: a note without an "
                         "instrument; which slice it plays is not known", at[0], at[1],
                         at[2] + 1);
        return HISS_ERR_RANGE;
    }
    if (scan.whole) {
        hiss_diag_printf(diag, "a note plays the whole sample, so every slice is used");
        return HISS_ERR_RANGE;
    }
    return HISS_OK;
}

typedef struct {
    const Instrument *inst;
    const int *new_index;
    UndoStep *step;
    Song *song;
    HissError err;
} SliceRemap;

static void remap_note(void *ctx, int pattern, int row, int channel, const Cell *cell)
{
    SliceRemap *m = ctx;
    int pick = cell_pick(cell);
    int k = song_instrument_note_slice(m->inst, cell->note, pick);
    if (m->err || k < 0 || m->new_index[k] == k)
        return;
    Cell c = *cell;
    if (pick && c.fx == 'S')
        c.fx_param = (uint8_t)(m->new_index[k] + 1);
    else if (pick)
        c.fx2_param = (uint8_t)(m->new_index[k] + 1);
    else
        c.note = (uint8_t)(NOTE_C4 + m->new_index[k]);
    m->err = step_cell(m->step, song_pattern(m->song, pattern), pattern, row, channel, c);
}

HissError edit_instrument_keep_slices(Editor *ed, int slot, Instrument *inst,
                                      const bool kept[SONG_MAX_SLICES])
{
    const Instrument *cur = ed->song && instrument_slot_valid(slot)
                                ? song_instrument(ed->song, slot)
                                : NULL;
    Instrument *before = cur ? song_instrument_clone(cur) : NULL;
    UndoStep *step = cur ? step_begin() : NULL;
    if (!before || !step) {
        song_instrument_free(before);
        song_instrument_free(inst);
        undo_step_free(step);
        return cur ? HISS_ERR_NOMEM : HISS_ERR_MISSING;
    }
    int new_index[SONG_MAX_SLICES];
    for (int k = 0, next = 0; k < SONG_MAX_SLICES; k++)
        new_index[k] = kept[k] ? next++ : -1;
    SliceRemap remap = {cur, new_index, step, ed->song, HISS_OK};
    int at[3];
    HissError err = walk_slot_notes(ed->song, slot, remap_note, &remap, at) ? remap.err
                                                                           : HISS_ERR_RANGE;
    /* The renumbered notes and the new instrument are one step. */
    if (!err)
        err = undo_step_add_instrument(step, slot, before, inst);
    else {
        song_instrument_free(before);
        song_instrument_free(inst);
    }
    if (err)
        return step_fail(step, err);
    return step_finish(ed, step, ed->cursor);
}

HissError edit_instrument_set_name(Editor *ed, int slot, const char *name)
{
    Instrument *copy;
    HissError err = instrument_edit_copy(ed, slot, &copy);
    if (err)
        return err;
    char buf[SONG_NAME_MAX];
    song_name_copy(buf, name);
    if (!strcmp(buf, copy->name)) {
        song_instrument_free(copy);
        return HISS_OK;
    }
    memcpy(copy->name, buf, sizeof buf);
    return instrument_change(ed, slot, copy);
}

HissError edit_instrument_set_loop(Editor *ed, int slot, LoopMode mode,
                                   uint32_t start, uint32_t end)
{
    if (mode != LOOP_OFF && mode != LOOP_FORWARD && mode != LOOP_PINGPONG)
        return HISS_ERR_RANGE;
    Instrument *copy;
    HissError err = instrument_edit_copy(ed, slot, &copy);
    if (err)
        return err;
    if (mode != LOOP_OFF) {
        uint32_t frames = copy->sample ? copy->sample->frames : UINT32_MAX;
        if (start >= end || end > frames) {
            song_instrument_free(copy);
            return HISS_ERR_RANGE;
        }
    }
    if (copy->loop == mode && copy->loop_start == start &&
        copy->loop_end == end) {
        song_instrument_free(copy);
        return HISS_OK;
    }
    copy->loop = mode;
    copy->given |= INST_GIVEN_LOOP;
    copy->loop_start = start;
    copy->loop_end = end;
    return instrument_change(ed, slot, copy);
}

HissError edit_instrument_set_interp(Editor *ed, int slot, InterpMode interp)
{
    if ((unsigned)interp >= INTERP_COUNT)
        return HISS_ERR_RANGE;
    Instrument *copy;
    HissError err = instrument_edit_copy(ed, slot, &copy);
    if (err)
        return err;
    if (copy->interp == interp) {
        song_instrument_free(copy);
        return HISS_OK;
    }
    copy->interp = interp;
    return instrument_change(ed, slot, copy);
}

HissError edit_instrument_set_shape(Editor *ed, int slot, ShapeParam param,
                                    int value)
{
    const ShapeInfo *info = shape_info(param);
    if (!info || value < info->min || value > info->max)
        return HISS_ERR_RANGE;
    Instrument *copy;
    HissError err = instrument_edit_copy(ed, slot, &copy);
    if (err)
        return err;
    if (copy->shape[param] == value) {
        song_instrument_free(copy);
        return HISS_OK;
    }
    copy->shape[param] = value;
    return instrument_change(ed, slot, copy);
}

HissError edit_instrument_set_envelope(Editor *ed, int slot, SongEnvKind kind,
                                       const SongEnvelope *env)
{
    if ((unsigned)kind >= SONG_ENV_KINDS || song_envelope_problem(env))
        return HISS_ERR_RANGE;
    Instrument *copy;
    HissError err = instrument_edit_copy(ed, slot, &copy);
    if (err)
        return err;
    if (!memcmp(&copy->env[kind], env, sizeof *env)) {
        song_instrument_free(copy);
        return HISS_OK;
    }
    copy->env[kind] = *env;
    return instrument_change(ed, slot, copy);
}

HissError edit_instrument_set_fadeout(Editor *ed, int slot, int fadeout)
{
    if (fadeout < 0 || fadeout > SONG_FADEOUT_MAX)
        return HISS_ERR_RANGE;
    Instrument *copy;
    HissError err = instrument_edit_copy(ed, slot, &copy);
    if (err)
        return err;
    if (copy->fadeout == fadeout) {
        song_instrument_free(copy);
        return HISS_OK;
    }
    copy->fadeout = fadeout;
    return instrument_change(ed, slot, copy);
}

HissError edit_instrument_replace(Editor *ed, int slot, Instrument *inst)
{
    if (!instrument_slot_valid(slot) || !ed->song) {
        song_instrument_free(inst);
        return instrument_slot_valid(slot) ? HISS_ERR_MISSING : HISS_ERR_RANGE;
    }
    if (!inst && !song_instrument(ed->song, slot))
        return HISS_OK;
    return instrument_change(ed, slot, inst);
}

HissError edit_instrument_restretch(Editor *ed, int slot, Instrument *inst)
{
    if (!instrument_slot_valid(slot) || !ed->song || !inst) {
        song_instrument_free(inst);
        return instrument_slot_valid(slot) && inst ? HISS_ERR_MISSING : HISS_ERR_RANGE;
    }
    return step_finish_joining(ed, instrument_step(ed, slot, inst),
                               ed->tempo_edit ? ed->tempo_step : 0);
}

/* The instrument's sample path and the stretch source it follows, mapped;
 * true when either changed. */
static bool map_instrument_paths(Instrument *inst, EditPathMapFn map, void *ctx)
{
    char out[SONG_PATH_MAX];
    bool changed = false;
    if (inst && map(ctx, inst->path, out, sizeof out) && strcmp(out, inst->path)) {
        snprintf(inst->path, sizeof inst->path, "%s", out);
        changed = true;
    }
    if (inst && inst->stretch_from[0] && map(ctx, inst->stretch_from, out, sizeof out) &&
        strcmp(out, inst->stretch_from)) {
        snprintf(inst->stretch_from, sizeof inst->stretch_from, "%s", out);
        changed = true;
    }
    return changed;
}

HissError edit_instruments_map_paths(Editor *ed, EditPathMapFn map, void *ctx)
{
    if (!ed->song)
        return HISS_OK;
    /* All copies first, so running out of memory changes nothing. */
    Instrument *fresh[SONG_MAX_INSTRUMENTS + 1] = {0};
    for (int slot = 1; slot <= SONG_MAX_INSTRUMENTS; slot++) {
        const Instrument *cur = song_instrument(ed->song, slot);
        if (!cur)
            continue;
        fresh[slot] = song_instrument_clone(cur);
        if (!fresh[slot]) {
            for (int i = 1; i < slot; i++)
                song_instrument_free(fresh[i]);
            return HISS_ERR_NOMEM;
        }
        if (!map_instrument_paths(fresh[slot], map, ctx)) {
            song_instrument_free(fresh[slot]);
            fresh[slot] = NULL;
        }
    }
    for (int slot = 1; slot <= SONG_MAX_INSTRUMENTS; slot++) {
        if (!fresh[slot])
            continue;
        engine_prepare_instrument(fresh[slot]);
        Instrument *old = atomic_exchange_explicit(
            &ed->song->instruments[slot], fresh[slot], memory_order_acq_rel);
        retire(ed, EDIT_RETIRE_INSTRUMENT, old);
    }
    UndoHistory *h = &ed->history;
    for (int i = 0; i < h->count; i++) {
        UndoStep *step = h->steps[i];
        for (int k = 0; k < step->count; k++) {
            UndoChange *c = &step->changes[k];
            if (c->kind != UNDO_INSTRUMENT)
                continue;
            map_instrument_paths(c->u.instrument.before, map, ctx);
            map_instrument_paths(c->u.instrument.after, map, ctx);
        }
    }
    return HISS_OK;
}

/* ---- live recording --------------------------------------------------- */

/* Cells change at once (the next pass plays them); the history gets them
 * as one step per pass. */
/* The pattern holding (row, channel), for a take from the engine. */
static HissError record_place(const Editor *ed, int pattern, int row,
                              int channel, Pattern **p)
{
    *p = pattern >= 0 && pattern < SONG_MAX_PATTERNS
             ? song_pattern(ed->song, pattern)
             : NULL;
    if (!*p)
        return HISS_ERR_MISSING;
    if (row < 0 || row >= (*p)->rows || channel < 0 || channel >= (*p)->channels)
        return HISS_ERR_RANGE;
    return HISS_OK;
}

static HissError record_put(Editor *ed, Pattern *p, int pattern, int row,
                            int channel, Cell cell)
{
    if (!ed->record_pass) {
        ed->record_pass = undo_step_new();
        if (!ed->record_pass)
            return HISS_ERR_NOMEM;
        ed->record_pass->cursor_before = cursor_to_undo(ed->cursor);
    }
    Cell before = song_pattern_get(p, row, channel);
    if (song_cell_pack(before) == song_cell_pack(cell))
        return HISS_OK;
    HissError err = step_cell(ed->record_pass, p, pattern, row, channel, cell);
    if (err)
        return err;
    song_pattern_set(p, row, channel, cell);
    ed->change_count++;
    return HISS_OK;
}

/* Effects that act on the note of their own cell: left under a recorded
 * note they would delay it (EDx, Zxx), cut it (ECx), slide to it instead
 * of playing it (3xx, 5xy), start it elsewhere (9xx, Sxx) or skip it
 * (Uxx), so it would no longer sound as it was played. */
static bool fx_acts_on_the_note(uint8_t fx, uint8_t param)
{
    switch (fx) {
    case '3': case '5': case '9': case 'S': case 'U': case 'Z': return true;
    case 'E': return (param >> 4) == 0xC || (param >> 4) == 0xD;
    default: return false;
    }
}

HissError edit_record_cell(Editor *ed, int pattern, int row, int channel,
                           Cell take)
{
    Pattern *p;
    HissError err = record_place(ed, pattern, row, channel, &p);
    if (err)
        return err;
    Cell cell = song_pattern_get(p, row, channel);
    cell.note = take.note;
    cell.instrument = take.instrument;
    cell.volume = take.volume;
    /* Overdub keeps the cell's other effects (a filter, a volume slide). */
    if (fx_acts_on_the_note(cell.fx, cell.fx_param))
        cell.fx = cell.fx_param = 0;
    if (fx_acts_on_the_note(cell.fx2, cell.fx2_param))
        cell.fx2 = cell.fx2_param = 0;
    if (take.fx) {
        cell.fx = take.fx;
        cell.fx_param = take.fx_param;
    }
    return record_put(ed, p, pattern, row, channel, cell);
}

HissError edit_record_clear(Editor *ed, int pattern, int row, int channel)
{
    Pattern *p;
    HissError err = record_place(ed, pattern, row, channel, &p);
    return err ? err : record_put(ed, p, pattern, row, channel, song_cell_empty());
}

bool edit_record_pass_open(const Editor *ed)
{
    return ed->record_pass != NULL;
}

void edit_record_end_pass(Editor *ed)
{
    UndoStep *step = ed->record_pass;
    if (!step)
        return;
    ed->record_pass = NULL;
    step->cursor_after = cursor_to_undo(ed->cursor);
    undo_push(&ed->history, step);
}

/* ---- jam capture ------------------------------------------------------------ */

/* Effects a captured row leaves out of its copy: those that steer the
 * order list or loop (the captured rows already went where they led, so
 * a copy must not lead again), and the tempo (Fxx from 20, Txy) and the
 * channels out of the mix (Oxy), which the capture writes again from
 * what was heard. */
static bool uncopied_effect(uint8_t fx, uint8_t param)
{
    return fx == 'B' || fx == 'D' || (fx == 'E' && (param >> 4) == 0x6) ||
           (fx == 'F' && param >= 0x20) || fx == 'T' || fx == 'O';
}

/* A cell of a captured row: source (row, channel) as it was played. A
 * channel muted then keeps its notes: they sounded unheard, as Oxy
 * replays them, and a note held across an unmute is heard again. */
static Cell captured_cell(const Pattern *src, int row, int channel)
{
    Cell cell = src && channel < src->channels && row < src->rows
                    ? song_pattern_get(src, row, channel)
                    : song_cell_empty();
    if (uncopied_effect(cell.fx, cell.fx_param))
        cell.fx = cell.fx_param = 0;
    if (uncopied_effect(cell.fx2, cell.fx2_param))
        cell.fx2 = cell.fx2_param = 0;
    return cell;
}

/* Puts fx param in a free effect column of (row, channel), or of any
 * channel's cell on the row for channel -1; false when none is free. */
static bool put_effect(Pattern *p, int row, int channel, uint8_t fx, uint8_t param)
{
    for (int c = channel < 0 ? 0 : channel; c < (channel < 0 ? p->channels : channel + 1);
         c++) {
        Cell cell = song_pattern_get(p, row, c);
        if (!cell.fx) {
            cell.fx = fx;
            cell.fx_param = param;
        } else if (!cell.fx2) {
            cell.fx2 = fx;
            cell.fx2_param = param;
        } else {
            continue;
        }
        song_pattern_set(p, row, c, cell);
        return true;
    }
    return false;
}

/* Row `row` of p sets the speed with Fxx: speeds already there go, the
 * new one takes a free effect column. False when no column is free. */
static bool put_speed(Pattern *p, int row, int speed)
{
    for (int c = 0; c < p->channels; c++) {
        Cell cell = song_pattern_get(p, row, c);
        if (cell.fx == 'F' && cell.fx_param < 0x20)
            cell.fx = cell.fx_param = 0;
        if (cell.fx2 == 'F' && cell.fx2_param < 0x20)
            cell.fx2 = cell.fx2_param = 0;
        song_pattern_set(p, row, c, cell);
    }
    return put_effect(p, row, -1, 'F', (uint8_t)speed);
}

/* The tempo `tenths` from tick `tick` of row `row`: Fxx alone for a whole
 * BPM on the row's first tick, else Fxx with Txy (its tenths and tick)
 * in a cell with both columns free. False when none is, or the tick is
 * past Txy's reach. */
static bool put_tempo(Pattern *p, int row, int tenths, int tick)
{
    int whole = hiss_clampi(tenths / 10, 0x20, 0xFF), fine = tenths - whole * 10;
    if (!tick && !fine)
        return put_effect(p, row, -1, 'F', (uint8_t)whole);
    if (tick > 15 || fine < 0 || fine > 9)
        return false;
    for (int c = 0; c < p->channels; c++) {
        Cell cell = song_pattern_get(p, row, c);
        if (cell.fx || cell.fx2)
            continue;
        cell.fx = 'F';
        cell.fx_param = (uint8_t)whole;
        cell.fx2 = 'T';
        cell.fx2_param = (uint8_t)(fine << 4 | tick);
        song_pattern_set(p, row, c, cell);
        return true;
    }
    return false;
}

/* The speed a row leaves behind when the engine came to it at `speed`:
 * its Fxx, the last channel's winning. */
static void row_speed(const Pattern *p, int row, int *speed)
{
    for (int c = 0; c < p->channels; c++) {
        Cell cell = song_pattern_get(p, row, c);
        if (cell.fx == 'F' && cell.fx_param && cell.fx_param < 0x20)
            *speed = cell.fx_param;
        if (cell.fx2 == 'F' && cell.fx2_param && cell.fx2_param < 0x20)
            *speed = cell.fx2_param;
    }
}

static bool patterns_equal(const Pattern *a, const Pattern *b)
{
    if (!a || !b || a->rows != b->rows || a->channels != b->channels)
        return false;
    for (int r = 0; r < a->rows; r++)
        for (int c = 0; c < a->channels; c++)
            if (song_cell_pack(song_pattern_get(a, r, c)) !=
                song_cell_pack(song_pattern_get(b, r, c)))
                return false;
    return true;
}

/* The log split: rows (each row's first tick, in order) and, for row i,
 * the changes on its later ticks, changes[first[i] .. first[i + 1]). */
typedef struct {
    EngineRowLog *rows, *changes;
    int *first;
    int count;
} CaptureLog;

static HissError capture_build(Editor *ed, const CaptureLog *log, const EngineTake *notes,
                               const int *note_row, int note_count, bool *inexact);

/* Whether rows[i] goes on the pattern rows[i - 1] started, which has
 * room for `room` rows. */
static bool capture_continues(const EngineRowLog *rows, int i, int length, int room)
{
    return i > 0 && length < room && rows[i].order == rows[i - 1].order &&
           rows[i].pattern == rows[i - 1].pattern && rows[i].row == rows[i - 1].row + 1;
}

/* The rows from rows[first] on that go on one order entry. */
static int entry_length(const EngineRowLog *rows, int first, int count, int room)
{
    int length = 1;
    while (first + length < count && capture_continues(rows, first + length, length, room))
        length++;
    return length;
}

/* The captured row a jammed note goes on: near the row playing when it
 * came (rows_played `when`), the one with its pattern and row (where
 * recording would have put it); -1 when the capture has none. */
static int jam_target(const EngineRowLog *rows, int count, const EngineTake *note)
{
    enum { REACH = SONG_MAX_ROWS }; /* quantize moves a note a beat at most */
    for (int k = 0; k < count; k++) {
        if (rows[k].count != note->when)
            continue;
        if (note->tick >= 0) /* jammed while capturing: the row it played in */
            return k;
        for (int d = 0; d <= REACH; d++)
            for (int j = k - d; j <= k + d; j += d ? 2 * d : 1)
                if (j >= 0 && j < count && rows[j].pattern == note->pattern &&
                    rows[j].row == note->row)
                    return j;
        return -1;
    }
    return -1;
}

/* put_jam's cell written over `cell`, the copy's. */
static bool put_jam_over(Pattern *p, int row, int channel, Cell cell, const EngineTake *take)
{
    Cell jam = take->cell;
    if (fx_acts_on_the_note(cell.fx, cell.fx_param))
        cell.fx = cell.fx_param = 0;
    if (fx_acts_on_the_note(cell.fx2, cell.fx2_param))
        cell.fx2 = cell.fx2_param = 0;
    cell.note = jam.note;
    cell.instrument = jam.instrument;
    cell.volume = jam.volume;
    song_pattern_set(p, row, channel, cell);
    /* On the tick and the frame it was heard; on the row's first tick
     * Zxx also keeps a groove from timing it. */
    if (take->tick >= 0)
        return (!take->tick || put_effect(p, row, channel, 'E', (uint8_t)(0xD0 | take->tick))) &&
               ((take->tick && !take->fine) ||
                put_effect(p, row, channel, 'Z', (uint8_t)take->fine));
    return !jam.fx || put_effect(p, row, channel, jam.fx, jam.fx_param);
}

/* A jammed note's cell over the copied one, as recording writes it (the
 * copy's effects that would move or skip the note go); false when its
 * EDx found no free effect column, or the row's own note met it. */
static bool put_jam(Pattern *p, int row, int channel, const EngineTake *take)
{
    Cell jam = take->cell;
    if (channel >= p->channels)
        return true;
    Cell cell = song_pattern_get(p, row, channel);
    /* The row's own note played before a later jam: both cannot go in
     * one cell. A jammed release keeps the note and ends it on its tick
     * (ECx: a cut, with the declick ramp, where the release may have
     * been longer); a jammed note replaces it. Either way the row is not
     * exact, and the capture says so. */
    bool pattern_note = cell.note >= NOTE_FIRST && cell.note <= NOTE_LAST;
    if (pattern_note && take->tick > 0) {
        if (jam.note == NOTE_OFF || jam.note == NOTE_CUT) {
            if (take->tick <= 15)
                put_effect(p, row, channel, 'E', (uint8_t)(0xC0 | take->tick));
            return false;
        }
        put_jam_over(p, row, channel, cell, take);
        return false;
    }
    return put_jam_over(p, row, channel, cell, take);
}

HissError edit_capture_arrangement(Editor *ed, const EngineRowLog *rows, int count,
                                   const EngineTake *notes, int note_count, bool *inexact)
{
    *inexact = false;
    if (!ed->song || count <= 0)
        return HISS_ERR_MISSING;
    CaptureLog log = {
        .rows = malloc(sizeof *log.rows * (size_t)count),
        .changes = malloc(sizeof *log.changes * (size_t)count),
        .first = malloc(sizeof *log.first * (size_t)(count + 1)),
    };
    int *note_row = malloc(sizeof *note_row * (size_t)(note_count > 0 ? note_count : 1));
    HissError err = HISS_ERR_NOMEM;
    if (log.rows && log.changes && log.first && note_row) {
        /* Changes logged before the first row (the capture began in the
         * middle of one) belong to no captured row. */
        int changes = 0;
        for (int i = 0; i < count; i++) {
            if (rows[i].tick == 0 && !rows[i].moved) {
                log.first[log.count] = changes;
                log.rows[log.count++] = rows[i];
            } else if (log.count) {
                log.changes[changes++] = rows[i];
            }
        }
        log.first[log.count] = changes;
        for (int n = 0; n < note_count; n++)
            note_row[n] = jam_target(log.rows, log.count, &notes[n]);
        err = log.count ? capture_build(ed, &log, notes, note_row, note_count, inexact)
                        : HISS_ERR_MISSING;
    }
    free(log.rows);
    free(log.changes);
    free(log.first);
    free(note_row);
    return err;
}

/* Oxy on the row for each channel whose being heard changes on `tick`
 * (*heard: the channels heard as the copy plays, updated for those
 * placed); false when a change found no free column or is past Oxy's
 * reach: that one comes with the next row, late but not lost. */
static bool put_heard(Pattern *p, int row, int tick, uint64_t audible, uint64_t *heard)
{
    bool placed = true;
    for (int c = 0; c < p->channels; c++) {
        bool want = audible >> c & 1;
        if (want == (bool)(*heard >> c & 1))
            continue;
        if (tick <= 15 && put_effect(p, row, c, 'O', (uint8_t)((want ? 0 : 1) << 4 | tick)))
            *heard ^= (uint64_t)1 << c;
        else
            placed = false;
    }
    return placed;
}

/* Whether the captured rows drew anything at random: a humanized groove
 * on a channel, or Uxx on a row played. */
static bool capture_draws(const Song *s, const CaptureLog *log)
{
    int chans = atomic_load(&s->channels);
    for (int c = 0; c < chans; c++) {
        int g[SONG_GROOVE_PARAMS];
        song_channel_groove(s, c, g);
        if (g[SONG_GROOVE_HUMAN_MS] || g[SONG_GROOVE_HUMAN_VEL])
            return true;
    }
    for (int i = 0; i < log->count; i++) {
        const Pattern *p = song_pattern(s, log->rows[i].pattern);
        for (int c = 0; p && log->rows[i].row < p->rows && c < p->channels; c++) {
            Cell cell = song_pattern_get(p, log->rows[i].row, c);
            if (cell.fx == 'U' || cell.fx2 == 'U')
                return true;
        }
    }
    return false;
}

/* The mixer's mutes and solos off, in the step: the arrangement says
 * which channels were heard, and plays so with none set. */
static HissError capture_clear_mixer(Song *s, UndoStep *step)
{
    UndoSettings *before = malloc(sizeof *before), *after = malloc(sizeof *after);
    HissError err = before && after ? HISS_OK : HISS_ERR_NOMEM;
    if (!err) {
        settings_read(s, before);
        *after = *before;
        for (int c = 0; c < SONG_MAX_CHANNELS; c++)
            after->strip[c][EDIT_STRIP_MUTE] = after->strip[c][EDIT_STRIP_SOLO] = 0;
        if (memcmp(before, after, sizeof *before))
            err = undo_step_add_settings(step, before, after);
    }
    free(before);
    free(after);
    return err;
}

/* An Oxy move pair on channel c's cell of the row: its fader or balance `value`
 * from `tick`; false when the cell has no two free columns or the pair cannot
 * say it. */
static bool put_move(Pattern *p, int row, int c, EngineMove move, int tick, int value)
{
    uint8_t param[2];
    if (c >= p->channels)
        return true;
    Cell cell = song_pattern_get(p, row, c);
    if (cell.fx || cell.fx2 || !engine_move_encode(move, tick, value, param))
        return false;
    cell.fx = cell.fx2 = 'O';
    cell.fx_param = param[0];
    cell.fx2_param = param[1];
    song_pattern_set(p, row, c, cell);
    return true;
}

/* The faders and balances as the capture began (*heard) and as the mixer
 * has them now (*now), which the arrangement hears unless its Oxy pairs say
 * otherwise. */
static void capture_moves_start(const Song *s, const CaptureLog *log,
                                int heard[SONG_MAX_CHANNELS][ENGINE_MOVES],
                                int now[SONG_MAX_CHANNELS][ENGINE_MOVES])
{
    for (int c = 0; c < SONG_MAX_CHANNELS; c++) {
        now[c][ENGINE_MOVE_FADER] = hiss_clampi(atomic_load(&s->strips[c].gain_tenth_db),
                                                SONG_GAIN_MIN, SONG_GAIN_MAX);
        now[c][ENGINE_MOVE_BALANCE] = hiss_clampi(atomic_load(&s->strips[c].pan), -100, 100);
        memcpy(heard[c], now[c], sizeof heard[c]);
    }
    /* Backwards: a channel's first move, seen last, says what it was. */
    for (int k = log->first[log->count] - 1; k >= 0; k--) {
        const EngineRowLog *m = &log->changes[k];
        if (m->moved > 0 && m->moved <= SONG_MAX_CHANNELS)
            memcpy(heard[m->moved - 1], m->was, sizeof m->was);
    }
}

/* Oxy move pairs where channel c's fader or balance heard (want) differs from what
 * the copy plays (*play, updated). */
static bool put_moves(Pattern *p, int row, int c, int tick, const int want[ENGINE_MOVES],
                      int play[ENGINE_MOVES])
{
    bool placed = true;
    for (int k = 0; k < ENGINE_MOVES; k++)
        if (want[k] != play[k]) {
            placed &= put_move(p, row, c, (EngineMove)k, tick, want[k]);
            play[k] = want[k];
        }
    return placed;
}

static HissError capture_build(Editor *ed, const CaptureLog *log, const EngineTake *notes,
                               const int *note_row, int note_count, bool *inexact)
{
    Song *s = ed->song;
    const EngineRowLog *rows = log->rows;
    int count = log->count;
    int chans = atomic_load(&s->channels);
    UndoOrders before, after;
    orders_read(s, &before);
    after = before;
    UndoStep *step = step_begin();
    if (!step)
        return HISS_ERR_NOMEM;
    bool taken[SONG_MAX_PATTERNS] = {0};
    int bpm = 0, speed = 0; /* what the captured rows leave, as played back */
    int rpb = hiss_clampi(atomic_load(&s->rows_per_beat), 1, 32);
    int lead = 0; /* rows before the entry's first: its place in the beat */
    /* The engine began the performance's draws again on its first row
     * (engine_capture_rows): Vxx there does so on replay. */
    bool draws = capture_draws(s, log);
    /* A move pair lasts until playback starts again: the arrangement begins with
     * the mixer's faders and balances, set to the performance's where it
     * began with others. */
    int heard_move[SONG_MAX_CHANNELS][ENGINE_MOVES], play_move[SONG_MAX_CHANNELS][ENGINE_MOVES];
    capture_moves_start(s, log, heard_move, play_move);
    for (int first = 0; first < count;) {
        int length = entry_length(rows, first, count, SONG_MAX_ROWS - lead);
        /* An entry that began inside a beat (a loop, a jump, a break)
         * keeps its row's place in the beat, which swing and grooves
         * hear: the one before breaks (Dxx) into it there. */
        int next = first + length < count ? rows[first + length].row % rpb : 0;
        const Pattern *src = song_pattern(s, rows[first].pattern);
        Pattern *p = song_pattern_new(lead + length, chans);
        if (!p)
            return step_fail(step, HISS_ERR_NOMEM);
        /* Oxy lasts an order entry: each starts with every channel heard. */
        uint64_t heard = ~(uint64_t)0;
        for (int i = 0; i < length; i++) {
            const EngineRowLog *row = &rows[first + i];
            int r = lead + i;
            for (int c = 0; c < chans; c++)
                song_pattern_set(p, r, c, captured_cell(src, row->row, c));
            for (int n = 0; n < note_count; n++)
                if (note_row[n] == first + i)
                    *inexact |= !put_jam(p, r, notes[n].channel, &notes[n]);
            bool start = first + i == 0;
            int from = log->first[first + i], to = log->first[first + i + 1];
            /* What must go on one channel's cell first, the whole row's,
             * then what may go on any: a tempo must not take the columns
             * a later mute of the row needs. */
            *inexact |= !put_heard(p, r, 0, row->audible, &heard);
            if (start)
                for (int c = 0; c < chans; c++)
                    *inexact |= !put_moves(p, r, c, 0, heard_move[c], play_move[c]);
            for (int k = from; k < to; k++) {
                const EngineRowLog *change = &log->changes[k];
                if (change->moved > 0 && change->moved <= chans) {
                    int c = change->moved - 1;
                    memcpy(heard_move[c], change->move, sizeof heard_move[c]);
                    *inexact |= !put_moves(p, r, c, change->tick, heard_move[c], play_move[c]);
                } else {
                    *inexact |= !put_heard(p, r, change->tick, change->audible, &heard);
                }
            }
            if (start && draws)
                *inexact |= !put_effect(p, r, -1, 'V', 0);
            /* A tempo change that found no room within the row before
             * comes here, on this row's first tick. */
            if (start || bpm != row->bpm_tenths) {
                *inexact |= !put_tempo(p, r, row->bpm_tenths, 0);
                bpm = row->bpm_tenths;
            }
            row_speed(p, r, &speed);
            if (start || speed != row->speed) {
                *inexact |= !put_speed(p, r, hiss_clampi(row->speed, 1, 0x1F));
                speed = row->speed;
            }
            for (int k = from; k < to; k++) {
                const EngineRowLog *change = &log->changes[k];
                if (change->moved > 0 && change->moved <= chans)
                    continue;
                if (bpm != change->bpm_tenths && put_tempo(p, r, change->bpm_tenths, change->tick))
                    bpm = change->bpm_tenths;
                else
                    *inexact |= bpm != change->bpm_tenths;
                *inexact |= change->speed != speed; /* a speed waits for a row */
            }
        }
        if (next)
            *inexact |= !put_effect(p, lead + length - 1, -1, 'D',
                                    (uint8_t)((next / 10) << 4 | next % 10));
        int slot = rows[first].pattern;
        if (patterns_equal(p, src)) {
            song_pattern_free(p);
        } else {
            slot = -1;
            for (int i = 0; i < SONG_MAX_PATTERNS && slot < 0; i++)
                if (!song_pattern(s, i) && !taken[i])
                    slot = i;
            if (slot < 0 || after.count >= SONG_MAX_ORDERS) {
                song_pattern_free(p);
                return step_fail(step, HISS_ERR_RANGE);
            }
            taken[slot] = true;
            HissError err = undo_step_add_pattern(step, slot, NULL, p);
            if (err)
                return step_fail(step, err);
        }
        if (after.count >= SONG_MAX_ORDERS)
            return step_fail(step, HISS_ERR_RANGE);
        after.entries[after.count++] = (uint8_t)slot;
        first += length;
        lead = next;
    }
    HissError err = capture_clear_mixer(s, step);
    if (err)
        return step_fail(step, err);
    return orders_commit(ed, step, &before, &after, before.count, ed->cursor);
}
