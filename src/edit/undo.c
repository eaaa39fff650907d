#include "undo.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t pattern_bytes(const Pattern *p)
{
    return p ? sizeof *p + (size_t)p->rows * p->channels * sizeof p->cells[0]
             : 0;
}

/* A snapshot shares its sample with the song, but if the song lets go the
 * snapshot alone keeps it alive: count it so loading many samples in a row
 * cannot grow the history without bound. */
static size_t instrument_bytes(const Instrument *inst)
{
    if (!inst)
        return 0;
    size_t n = sizeof *inst;
    const Sample *s = inst->sample;
    if (s)
        n += sample_bytes(s);
    return n;
}

void undo_init(UndoHistory *h, int max_steps, size_t max_bytes)
{
    memset(h, 0, sizeof *h);
    h->max_steps = max_steps < 1 ? UNDO_DEFAULT_STEPS : max_steps;
    h->max_bytes = max_bytes ? max_bytes : UNDO_DEFAULT_BYTES;
    h->next_id = 1;
}

void undo_clear(UndoHistory *h)
{
    for (int i = 0; i < h->count; i++)
        undo_step_free(h->steps[i]);
    h->count = h->pos = 0;
    h->bytes = 0;
    h->merge_key = 0;
    /* A fresh id so the emptied history never matches an older state. */
    h->base_id = h->next_id++;
}

void undo_deinit(UndoHistory *h)
{
    undo_clear(h);
    free(h->steps);
    h->steps = NULL;
    h->cap = 0;
}

static void drop_oldest(UndoHistory *h)
{
    UndoStep *old = h->steps[0];
    h->base_id = old->id;
    h->bytes -= old->bytes;
    undo_step_free(old);
    memmove(h->steps, h->steps + 1, (size_t)(h->count - 1) * sizeof *h->steps);
    h->count--;
    h->pos--;
}

static void enforce_limits(UndoHistory *h)
{
    /* Only undoable steps are dropped from the front; the newest stays. */
    while (h->pos > 1 &&
           (h->count > h->max_steps || h->bytes > h->max_bytes))
        drop_oldest(h);
}

void undo_set_limits(UndoHistory *h, int max_steps, size_t max_bytes)
{
    h->max_steps = max_steps < 1 ? UNDO_DEFAULT_STEPS : max_steps;
    h->max_bytes = max_bytes ? max_bytes : UNDO_DEFAULT_BYTES;
    enforce_limits(h);
}

UndoStep *undo_step_new(void)
{
    UndoStep *s = calloc(1, sizeof *s);
    if (s)
        s->bytes = sizeof *s;
    return s;
}

static void change_free(UndoChange *c)
{
    switch (c->kind) {
    case UNDO_CELLS:
        free(c->u.cells.items);
        break;
    case UNDO_PATTERN:
        song_pattern_free(c->u.pattern.before);
        song_pattern_free(c->u.pattern.after);
        break;
    case UNDO_INSTRUMENT:
        song_instrument_free(c->u.instrument.before);
        song_instrument_free(c->u.instrument.after);
        break;
    case UNDO_RESIZE:
        song_pattern_free(c->u.resize.before);
        break;
    case UNDO_ORDERS:
        free(c->u.orders.before);
        free(c->u.orders.after);
        break;
    case UNDO_SETTINGS:
        free(c->u.settings.before);
        free(c->u.settings.after);
        break;
    case UNDO_STRIP:
        free(c->u.strip.before);
        free(c->u.strip.after);
        break;
    case UNDO_MIX:
    case UNDO_NAME:
        break;
    }
}

void undo_step_free(UndoStep *step)
{
    if (!step)
        return;
    for (int i = 0; i < step->count; i++)
        change_free(&step->changes[i]);
    free(step->changes);
    free(step);
}

bool undo_step_is_empty(const UndoStep *step)
{
    return !step || step->count == 0;
}

static UndoChange *append_change(UndoStep *step, UndoChangeKind kind, int slot)
{
    if (step->count == step->cap) {
        int cap = step->cap ? step->cap * 2 : 1;
        UndoChange *n = realloc(step->changes, (size_t)cap * sizeof *n);
        if (!n)
            return NULL;
        step->bytes += (size_t)(cap - step->cap) * sizeof *n;
        step->changes = n;
        step->cap = cap;
    }
    UndoChange *c = &step->changes[step->count++];
    memset(c, 0, sizeof *c);
    c->kind = kind;
    c->slot = slot;
    return c;
}

HissError undo_step_add_cell(UndoStep *step, int slot, int row, int channel,
                             uint64_t before, uint64_t after)
{
    UndoChange *c = NULL;
    if (step->count && step->changes[step->count - 1].kind == UNDO_CELLS &&
        step->changes[step->count - 1].slot == slot)
        c = &step->changes[step->count - 1];
    if (c) {
        /* Ops touch a cell at most a few times; a short backwards scan
         * finds the repeats without an index. */
        for (int i = c->u.cells.count - 1; i >= 0; i--) {
            UndoCell *it = &c->u.cells.items[i];
            if (it->row == row && it->channel == channel) {
                it->after = after;
                return HISS_OK;
            }
            if (c->u.cells.count - i > 64)
                break;
        }
    } else {
        c = append_change(step, UNDO_CELLS, slot);
        if (!c)
            return HISS_ERR_NOMEM;
    }
    if (c->u.cells.count == c->u.cells.cap) {
        int cap = c->u.cells.cap ? c->u.cells.cap * 2 : 1;
        UndoCell *n = realloc(c->u.cells.items, (size_t)cap * sizeof *n);
        if (!n)
            return HISS_ERR_NOMEM;
        step->bytes += (size_t)(cap - c->u.cells.cap) * sizeof *n;
        c->u.cells.items = n;
        c->u.cells.cap = cap;
    }
    UndoCell *it = &c->u.cells.items[c->u.cells.count++];
    it->row = (uint16_t)row;
    it->channel = (uint8_t)channel;
    it->before = before;
    it->after = after;
    return HISS_OK;
}

HissError undo_step_add_pattern(UndoStep *step, int slot, Pattern *before,
                                Pattern *after)
{
    UndoChange *c = append_change(step, UNDO_PATTERN, slot);
    if (!c) {
        song_pattern_free(before);
        song_pattern_free(after);
        return HISS_ERR_NOMEM;
    }
    c->u.pattern.before = before;
    c->u.pattern.after = after;
    step->bytes += pattern_bytes(before) + pattern_bytes(after);
    return HISS_OK;
}

static bool cut_cells_set(const Pattern *p, int rows, int channels)
{
    for (int r = 0; r < p->rows; r++)
        for (int c = r < rows ? channels : 0; c < p->channels; c++)
            if (!song_cell_is_empty(song_pattern_get(p, r, c)))
                return true;
    return false;
}

HissError undo_step_add_resize(UndoStep *step, int slot, const Pattern *current,
                               int rows, int channels)
{
    Pattern *before = NULL;
    if (cut_cells_set(current, rows, channels) &&
        !(before = song_pattern_resized(current, current->rows,
                                        current->channels)))
        return HISS_ERR_NOMEM;
    UndoChange *c = append_change(step, UNDO_RESIZE, slot);
    if (!c) {
        song_pattern_free(before);
        return HISS_ERR_NOMEM;
    }
    c->u.resize.rows_before = current->rows;
    c->u.resize.channels_before = current->channels;
    c->u.resize.rows_after = (uint16_t)rows;
    c->u.resize.channels_after = (uint16_t)channels;
    c->u.resize.before = before;
    step->bytes += pattern_bytes(before);
    return HISS_OK;
}

HissError undo_step_add_instrument(UndoStep *step, int slot,
                                   Instrument *before, Instrument *after)
{
    UndoChange *c = append_change(step, UNDO_INSTRUMENT, slot);
    if (!c) {
        song_instrument_free(before);
        song_instrument_free(after);
        return HISS_ERR_NOMEM;
    }
    c->u.instrument.before = before;
    c->u.instrument.after = after;
    step->bytes += instrument_bytes(before) + instrument_bytes(after);
    return HISS_OK;
}

/* A change of `kind` holding copies (*b, *a) of the `size` bytes at
 * before and after; NULL, with nothing kept, when out of memory. */
static UndoChange *add_copies(UndoStep *step, UndoChangeKind kind, int slot,
                              const void *before, const void *after, size_t size, void **b,
                              void **a)
{
    *b = malloc(size);
    *a = malloc(size);
    UndoChange *c = *a && *b ? append_change(step, kind, slot) : NULL;
    if (!c) {
        free(*b);
        free(*a);
        return NULL;
    }
    memcpy(*b, before, size);
    memcpy(*a, after, size);
    step->bytes += 2 * size;
    return c;
}

HissError undo_step_add_orders(UndoStep *step, const UndoOrders *before,
                               const UndoOrders *after)
{
    void *b, *a;
    UndoChange *c = add_copies(step, UNDO_ORDERS, 0, before, after, sizeof *before, &b, &a);
    if (!c)
        return HISS_ERR_NOMEM;
    c->u.orders.before = b;
    c->u.orders.after = a;
    return HISS_OK;
}

HissError undo_step_add_settings(UndoStep *step, const UndoSettings *before,
                                 const UndoSettings *after)
{
    void *b, *a;
    UndoChange *c = add_copies(step, UNDO_SETTINGS, 0, before, after, sizeof *before, &b, &a);
    if (!c)
        return HISS_ERR_NOMEM;
    c->u.settings.before = b;
    c->u.settings.after = a;
    return HISS_OK;
}

HissError undo_step_add_strip(UndoStep *step, int channel, const UndoStrip *before,
                              const UndoStrip *after)
{
    void *b, *a;
    UndoChange *c = add_copies(step, UNDO_STRIP, channel, before, after, sizeof *before, &b, &a);
    if (!c)
        return HISS_ERR_NOMEM;
    c->u.strip.before = b;
    c->u.strip.after = a;
    return HISS_OK;
}

HissError undo_step_add_mix(UndoStep *step, MixParam param, int before, int after)
{
    UndoChange *c = append_change(step, UNDO_MIX, 0);
    if (!c)
        return HISS_ERR_NOMEM;
    c->u.mix.param = param;
    c->u.mix.before = before;
    c->u.mix.after = after;
    return HISS_OK;
}

HissError undo_step_add_name(UndoStep *step, int channel, const char *before,
                             const char *after)
{
    UndoChange *c = append_change(step, UNDO_NAME, channel);
    if (!c)
        return HISS_ERR_NOMEM;
    song_name_copy(c->u.name.before, before);
    song_name_copy(c->u.name.after, after);
    return HISS_OK;
}

uint64_t undo_push(UndoHistory *h, UndoStep *step)
{
    if (undo_step_is_empty(step)) {
        undo_step_free(step);
        return 0;
    }
    while (h->count > h->pos) {
        UndoStep *s = h->steps[--h->count];
        h->bytes -= s->bytes;
        undo_step_free(s);
    }
    if (h->count == h->cap) {
        int cap = h->cap ? h->cap * 2 : 64;
        UndoStep **n = realloc(h->steps, (size_t)cap * sizeof *n);
        if (!n) {
            /* No room to remember it: the edit stays, its history goes. */
            undo_step_free(step);
            undo_clear(h);
            return h->base_id;
        }
        h->steps = n;
        h->cap = cap;
    }
    step->id = h->next_id++;
    h->merge_key = 0;
    h->steps[h->count++] = step;
    h->pos = h->count;
    h->bytes += step->bytes;
    enforce_limits(h);
    return step->id;
}

/* The change of `top` that `c` changes again, or NULL. Only the kinds
 * that hold one whole value before and after can take a later `after`. */
static UndoChange *same_target(UndoStep *top, const UndoChange *c)
{
    if (c->kind != UNDO_MIX && c->kind != UNDO_INSTRUMENT && c->kind != UNDO_SETTINGS &&
        c->kind != UNDO_ORDERS)
        return NULL;
    for (int i = 0; i < top->count; i++) {
        UndoChange *t = &top->changes[i];
        if (t->kind != c->kind || t->slot != c->slot)
            continue;
        if (c->kind != UNDO_MIX || (t->u.mix.param.group == c->u.mix.param.group &&
                                    t->u.mix.param.channel == c->u.mix.param.channel &&
                                    t->u.mix.param.index == c->u.mix.param.index))
            return t;
    }
    return NULL;
}

/* Gives `top` the results of `step`, whose changes all have their
 * same_target there; `step` keeps the replaced results, to be freed. */
static void take_results(UndoStep *top, UndoStep *step)
{
    for (int i = 0; i < step->count; i++) {
        UndoChange *c = &step->changes[i], *t = same_target(top, c);
        switch (c->kind) {
        case UNDO_MIX:
            t->u.mix.after = c->u.mix.after;
            break;
        case UNDO_INSTRUMENT: {
            Instrument *after = t->u.instrument.after;
            top->bytes += instrument_bytes(c->u.instrument.after);
            top->bytes -= instrument_bytes(after);
            t->u.instrument.after = c->u.instrument.after;
            c->u.instrument.after = after;
            break;
        }
        case UNDO_SETTINGS: {
            UndoSettings *after = t->u.settings.after;
            t->u.settings.after = c->u.settings.after;
            c->u.settings.after = after;
            break;
        }
        case UNDO_ORDERS: {
            UndoOrders *after = t->u.orders.after;
            t->u.orders.after = c->u.orders.after;
            c->u.orders.after = after;
            break;
        }
        default:
            break;
        }
    }
    top->cursor_after = step->cursor_after;
}

uint64_t undo_push_merging(UndoHistory *h, UndoStep *step, uint64_t key)
{
    if (undo_step_is_empty(step) || !key || key != h->merge_key || h->pos != h->count ||
        h->count == 0)
        goto push;
    UndoStep *top = h->steps[h->count - 1];
    for (int i = 0; i < step->count; i++)
        if (!same_target(top, &step->changes[i]))
            goto push;
    h->bytes -= top->bytes;
    take_results(top, step);
    h->bytes += top->bytes;
    undo_step_free(step);
    top->id = h->next_id++;
    enforce_limits(h);
    return top->id;
push:;
    uint64_t id = undo_push(h, step);
    if (id)
        h->merge_key = key;
    return id;
}

uint64_t undo_push_joining(UndoHistory *h, UndoStep *step, uint64_t id)
{
    if (undo_step_is_empty(step) || !id || h->pos != h->count || h->count == 0 ||
        h->steps[h->count - 1]->id != id)
        return undo_push(h, step);
    UndoStep *top = h->steps[h->count - 1];
    int count = top->count + step->count;
    size_t change = sizeof *top->changes;
    if (count > top->cap) {
        UndoChange *n = realloc(top->changes, (size_t)count * change);
        if (!n)
            return undo_push(h, step); /* a step of its own still undoes */
        h->bytes += (size_t)(count - top->cap) * change;
        top->bytes += (size_t)(count - top->cap) * change;
        top->changes = n;
        top->cap = count;
    }
    memcpy(top->changes + top->count, step->changes, (size_t)step->count * change);
    top->count = count;
    /* What the changes hold moves with them; the emptied shell goes. */
    size_t held = step->bytes - sizeof *step - (size_t)step->cap * change;
    top->bytes += held;
    h->bytes += held;
    step->count = 0;
    undo_step_free(step);
    h->merge_key = 0;
    top->id = h->next_id++;
    enforce_limits(h);
    return top->id;
}

const UndoStep *undo_back(UndoHistory *h)
{
    h->merge_key = 0;
    return h->pos > 0 ? h->steps[--h->pos] : NULL;
}

const UndoStep *undo_forward(UndoHistory *h)
{
    h->merge_key = 0;
    return h->pos < h->count ? h->steps[h->pos++] : NULL;
}

void undo_cancel_back(UndoHistory *h)
{
    if (h->pos < h->count)
        h->pos++;
}

void undo_cancel_forward(UndoHistory *h)
{
    if (h->pos > 0)
        h->pos--;
}

bool undo_can_undo(const UndoHistory *h)
{
    return h->pos > 0;
}

bool undo_can_redo(const UndoHistory *h)
{
    return h->pos < h->count;
}

int undo_depth(const UndoHistory *h)
{
    return h->pos;
}

uint64_t undo_state_id(const UndoHistory *h)
{
    return h->pos > 0 ? h->steps[h->pos - 1]->id : h->base_id;
}

/* ---- describing a step ---- */

typedef struct {
    char *buf;
    size_t size, len;
} Text;

static void text_add(Text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void text_add(Text *t, const char *fmt, ...)
{
    if (t->len >= t->size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->len, t->size - t->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        t->len = t->len + (size_t)n < t->size ? t->len + (size_t)n : t->size - 1;
}

/* "from -> to" in the direction the song moves now. */
static void text_move(Text *t, int from, int to, bool tenths, const char *unit)
{
    if (tenths)
        text_add(t, " %.1f -> %.1f", from / 10.0, to / 10.0);
    else
        text_add(t, " %d -> %d", from, to);
    if (unit && *unit)
        text_add(t, " %s", unit);
}

/* A switch as it moved: "off -> on", as numbers move (a bare "on" after
 * an undo read as the step undone, not the state it left). */
static void text_switch(Text *t, int from, int to)
{
    text_add(t, " %s -> %s", from ? "on" : "off", to ? "on" : "off");
}

/* The settings that differ, the first ones named with their values. */
static void describe_settings(Text *t, const UndoSettings *from, const UndoSettings *to)
{
    size_t start = t->len;
    const struct {
        const char *name, *unit;
        int from, to;
        char shown; /* 'n' a number, 't' tenths, 's' on/off, 'b' the name alone */
    } values[] = {
        {"tempo", "BPM", from->bpm_tenths, to->bpm_tenths, 't'},
        {"speed", "", from->speed, to->speed, 'n'},
        {"rows per beat", "", from->rows_per_beat, to->rows_per_beat, 'n'},
        {"swing", "", from->swing, to->swing, 'n'},
        {"master gain", "dB", from->master_gain_tenth_db, to->master_gain_tenth_db, 't'},
        {"limiter", "", from->limiter, to->limiter, 's'},
        {"channels", "", from->channels, to->channels, 'n'},
        {"limiter ceiling", "dB", from->limiter_ceiling_tenth_db, to->limiter_ceiling_tenth_db,
         't'},
        {"slides", "", from->slides, to->slides, 'b'},
        {"global volume", "", from->global_volume, to->global_volume, 'n'},
        {"vibrato mode", "", from->ft2_vibrato, to->ft2_vibrato, 'b'},
        {"tremor mode", "", from->ft2_tremor, to->ft2_tremor, 'b'},
    };
    if (strcmp(from->title, to->title) != 0)
        text_add(t, "title");
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        if (values[i].from == values[i].to)
            continue;
        text_add(t, "%s%s", t->len > start ? ", " : "", values[i].name);
        if (values[i].shown == 's')
            text_switch(t, values[i].from, values[i].to);
        else if (values[i].shown != 'b')
            text_move(t, values[i].from, values[i].to, values[i].shown == 't', values[i].unit);
    }
    /* A strip's fields, as EditStripField orders them. */
    static const struct {
        const char *name, *unit;
        char shown;
    } strip[EDIT_STRIP_FIELDS] = {
        {"gain", "dB", 't'},        {"pan", "", 'n'},           {"mute", "", 's'},
        {"solo", "", 's'},          {"send A", "dB", 't'},      {"send B", "dB", 't'},
        {"send A pre", "", 's'},    {"send B pre", "", 's'},    {"duck from", "", 'n'},
        {"duck depth", "dB", 't'},
    };
    for (int ch = 0; ch < SONG_MAX_CHANNELS; ch++) {
        for (int f = 0; f < EDIT_STRIP_FIELDS; f++) {
            int a = from->strip[ch][f], b = to->strip[ch][f];
            if (a == b)
                continue;
            text_add(t, "%schannel %d %s", t->len > start ? ", " : "", ch + 1, strip[f].name);
            if (strip[f].shown == 's')
                text_switch(t, a, b);
            else
                text_move(t, a, b, strip[f].shown == 't', strip[f].unit);
        }
        if (memcmp(from->channel_groove[ch], to->channel_groove[ch],
                   sizeof from->channel_groove[ch]) != 0)
            text_add(t, "%schannel %d groove", t->len > start ? ", " : "", ch + 1);
    }
    if (memcmp(from->groove, to->groove, sizeof from->groove) != 0)
        text_add(t, "%sgroove", t->len > start ? ", " : "");
    if (t->len == start)
        text_add(t, "song settings");
}

static void describe_mix(Text *t, const UndoChange *c, bool undone)
{
    const SongParamInfo *info = mixparam_info(c->u.mix.param);
    int from = undone ? c->u.mix.after : c->u.mix.before;
    int to = undone ? c->u.mix.before : c->u.mix.after;
    MixParam p = c->u.mix.param;
    bool per_channel = p.group == MIXPARAM_STRIP || p.group == MIXPARAM_EQ ||
                       p.group == MIXPARAM_COMP || p.group == MIXPARAM_DUCK;
    if (per_channel && p.channel >= 0)
        text_add(t, "channel %d ", p.channel + 1);
    else if (p.group != MIXPARAM_DELAY && p.group != MIXPARAM_REVERB)
        text_add(t, "master ");
    if (!info) {
        text_add(t, "mix setting");
        return;
    }
    text_add(t, "%s", info->name);
    if (info->kind == SONG_PARAM_SWITCH)
        text_switch(t, from, to);
    else if (info->kind != SONG_PARAM_NOTE)
        text_move(t, from, to, info->kind == SONG_PARAM_TENTHS, info->unit);
}

void undo_step_describe(const UndoStep *step, bool undone, char *buf, size_t size)
{
    if (!size)
        return;
    Text t = {buf, size, 0};
    buf[0] = '\0';
    /* Cell changes, however many records hold them, make one phrase. */
    int cells = 0, notes = 0, first_slot = -1;
    bool one_pattern = true;
    for (int i = 0; i < step->count; i++) {
        const UndoChange *c = &step->changes[i];
        if (c->kind != UNDO_CELLS)
            continue;
        if (first_slot < 0)
            first_slot = c->slot;
        else if (c->slot != first_slot)
            one_pattern = false;
        for (int k = 0; k < c->u.cells.count; k++) {
            const UndoCell *cell = &c->u.cells.items[k];
            cells++;
            if (song_cell_unpack(cell->before).note != song_cell_unpack(cell->after).note)
                notes++;
        }
    }
    if (cells) {
        /* "notes" when every changed cell had its note changed. */
        const char *what = notes == cells ? "note" : "cell";
        text_add(&t, "%d %s%s in ", cells, what, cells == 1 ? "" : "s");
        if (one_pattern)
            text_add(&t, "pattern %02X", first_slot);
        else
            text_add(&t, "several patterns");
    }
    /* Whole strips, too, make one phrase. */
    int strips = 0, strip_slot = 0;
    for (int i = 0; i < step->count; i++)
        if (step->changes[i].kind == UNDO_STRIP && !strips++)
            strip_slot = step->changes[i].slot;
    for (int i = 0; i < step->count; i++) {
        const UndoChange *c = &step->changes[i];
        if (c->kind == UNDO_CELLS || (c->kind == UNDO_STRIP && c->slot != strip_slot))
            continue;
        if (t.len)
            text_add(&t, ", ");
        switch (c->kind) {
        case UNDO_CELLS:
            break;
        case UNDO_PATTERN:
            if (!c->u.pattern.before)
                text_add(&t, "new pattern %02X", c->slot);
            else if (!c->u.pattern.after)
                text_add(&t, "pattern %02X cleared", c->slot);
            else
                text_add(&t, "pattern %02X", c->slot);
            break;
        case UNDO_RESIZE: {
            int from = undone ? c->u.resize.rows_after : c->u.resize.rows_before;
            int to = undone ? c->u.resize.rows_before : c->u.resize.rows_after;
            text_add(&t, "pattern %02X size", c->slot);
            if (from != to)
                text_move(&t, from, to, false, "rows");
            break;
        }
        case UNDO_INSTRUMENT: {
            const Instrument *inst = c->u.instrument.after ? c->u.instrument.after
                                                           : c->u.instrument.before;
            text_add(&t, "instrument %02X", c->slot);
            if (inst && inst->name[0])
                text_add(&t, " (%s)", inst->name);
            break;
        }
        case UNDO_ORDERS:
            text_add(&t, "order list");
            break;
        case UNDO_SETTINGS:
            describe_settings(&t, undone ? c->u.settings.after : c->u.settings.before,
                              undone ? c->u.settings.before : c->u.settings.after);
            break;
        case UNDO_MIX:
            describe_mix(&t, c, undone);
            break;
        case UNDO_NAME:
            text_add(&t, "channel %d name", c->slot + 1);
            break;
        case UNDO_STRIP:
            if (strips == 1)
                text_add(&t, "channel %d strip", c->slot + 1);
            else
                text_add(&t, "%d channel strips", strips);
            break;
        }
    }
    if (!t.len)
        text_add(&t, "an empty step");
}

const UndoStep *undo_next_undo(const UndoHistory *h)
{
    return h->pos > 0 ? h->steps[h->pos - 1] : NULL;
}

const UndoStep *undo_next_redo(const UndoHistory *h)
{
    return h->pos < h->count ? h->steps[h->pos] : NULL;
}
