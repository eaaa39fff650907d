/* timing: the song's timing scan; see timing.h. The walk below mirrors the
 * engine's sequencer (engine.c: advance_row, play_row and sequencer_step)
 * for a song played from its start with no commands; it shares the order
 * seek and the tick and swing arithmetic with it. */
#include "timing.h"

#include <stdlib.h>
#include <string.h>

#include "fx.h"

uint32_t timing_tick_frames(uint32_t rate, int bpm_tenths, uint64_t *rem)
{
    uint64_t den = 2u * (uint64_t)bpm_tenths;
    uint64_t total = (uint64_t)rate * 50u + *rem;
    *rem = total % den;
    return (uint32_t)(total / den);
}

uint32_t timing_swing_delay(uint32_t rate, int swing, int rows_per_beat, int row,
                            int speed, int bpm_tenths)
{
    if (!swing || (row % rows_per_beat) % 2 == 0)
        return 0;
    return (uint32_t)((uint64_t)swing * (uint64_t)speed * rate * 50u /
                      (400u * (uint64_t)bpm_tenths));
}

uint32_t timing_swing_share(uint32_t debt, int ticks_left, uint32_t len)
{
    uint32_t left = (uint32_t)(ticks_left > 0 ? ticks_left : 1);
    uint32_t share = (debt + left - 1) / left;
    return share > len / 2 ? len / 2 : share;
}

/* ---- the scan ---------------------------------------------------------- */

/* Places where the song enters a pattern, keyed by everything that decides
 * what follows: a second visit means the song repeats from the first. */
typedef struct {
    uint64_t *keys; /* key + 1; 0 = empty */
    int *index;
    size_t cap, used;
} Seen;

static uint64_t entry_key(int order, int row, int speed, int bpm_tenths)
{
    return (uint64_t)order | (uint64_t)row << 8 | (uint64_t)speed << 16 |
           (uint64_t)bpm_tenths << 21;
}

/* Where a pattern loop (E6x) jumps to, with every channel's loop start and
 * count: inside a pattern these decide what follows too, so the same key
 * twice is a loop that never ends (channels sharing one counter can keep
 * resetting each other, as in ProTracker). Hashed (FNV-1a) to 64 bits. */
static uint64_t loop_key(int order, int row, int speed, int bpm_tenths,
                         const FxChannel *fx, int channels)
{
    uint64_t h = 0xCBF29CE484222325u;
    int words[4 + 2 * SONG_MAX_CHANNELS], n = 0;
    words[n++] = order;
    words[n++] = row;
    words[n++] = speed;
    words[n++] = bpm_tenths;
    for (int c = 0; c < channels; c++) {
        words[n++] = fx[c].loop_row;
        words[n++] = fx[c].loop_count;
    }
    for (int i = 0; i < n; i++)
        for (int b = 0; b < 32; b += 8) {
            h ^= (uint64_t)((unsigned)words[i] >> b & 0xFF);
            h *= 0x100000001B3u;
        }
    return h;
}

static size_t seen_slot(const Seen *s, uint64_t key)
{
    size_t i = (size_t)(key * 0x9E3779B97F4A7C15u >> 32) & (s->cap - 1);
    while (s->keys[i] && s->keys[i] != key + 1)
        i = (i + 1) & (s->cap - 1);
    return i;
}

static bool seen_grow(Seen *s)
{
    size_t cap = s->cap ? s->cap * 2 : 256;
    Seen next = {calloc(cap, sizeof *next.keys), calloc(cap, sizeof *next.index),
                 cap, s->used};
    if (!next.keys || !next.index) {
        free(next.keys);
        free(next.index);
        return false;
    }
    for (size_t i = 0; i < s->cap; i++)
        if (s->keys[i]) {
            size_t j = seen_slot(&next, s->keys[i] - 1);
            next.keys[j] = s->keys[i];
            next.index[j] = s->index[i];
        }
    free(s->keys);
    free(s->index);
    *s = next;
    return true;
}

/* The row index of an earlier visit, -1 after recording this one as new,
 * -2 when out of memory. */
static int seen_visit(Seen *s, uint64_t key, int index)
{
    if ((s->used + 1) * 2 > s->cap && !seen_grow(s))
        return -2;
    size_t i = seen_slot(s, key);
    if (s->keys[i])
        return s->index[i];
    s->keys[i] = key + 1;
    s->index[i] = index;
    s->used++;
    return -1;
}

bool timing_seek_order(const Song *song, bool loop_song, int *order, int *pattern,
                       int *row)
{
    int count = hiss_clampi(atomic_load_explicit(&song->order_count,
                                                 memory_order_relaxed),
                            0, SONG_MAX_ORDERS);
    int o = *order, r = *row;
    for (int tries = 0; tries <= SONG_MAX_ORDERS + 1; tries++) {
        if (o < 0 || o >= count) {
            if (!loop_song || count == 0)
                return false;
            o = 0;
            r = 0;
        }
        int pat = atomic_load_explicit(&song->orders[o], memory_order_relaxed);
        const Pattern *p = song_pattern(song, pat);
        if (p) {
            *order = o;
            *pattern = pat;
            *row = r >= 0 && r < p->rows ? r : 0;
            return true;
        }
        o++;
        r = 0;
    }
    return false;
}

typedef struct {
    const Song *song;
    bool loop_song;
    int order, pattern, row;
    const Pattern *p;
} Walk;

static bool walk_seek(Walk *w, int order, int row)
{
    if (!timing_seek_order(w->song, w->loop_song, &order, &w->pattern, &row))
        return false;
    w->order = order;
    w->row = row;
    w->p = song_pattern(w->song, w->pattern);
    return true;
}

static bool is_control(uint8_t fx)
{
    return fx == 'B' || fx == 'D' || fx == 'E' || fx == 'F';
}

static bool push_row(TimingScan *scan, int *cap, const TimingRow *row)
{
    if (scan->count == *cap) {
        int next = *cap ? *cap * 2 : 1024;
        TimingRow *rows = realloc(scan->rows, sizeof *rows * (size_t)next);
        if (!rows)
            return false;
        scan->rows = rows;
        *cap = next;
    }
    scan->rows[scan->count++] = *row;
    return true;
}

/* The tempo as it runs from row to row. */
typedef struct {
    uint32_t rate;
    int rows_per_beat, swing, speed, bpm, channels;
    uint64_t rem; /* the ticks' carried remainder */
} Clock;

static Clock clock_start(const Song *song, uint32_t rate)
{
    return (Clock){
        .rate = rate,
        .rows_per_beat = hiss_clampi(atomic_load(&song->rows_per_beat), 1, 32),
        .swing = hiss_clampi(atomic_load(&song->swing), 0, 100),
        .speed = hiss_clampi(atomic_load(&song->speed), 1, 31),
        .bpm = hiss_clampi(atomic_load(&song->bpm_tenths), SONG_BPM_MIN, SONG_BPM_MAX),
        .channels = hiss_clampi(atomic_load(&song->channels), 1, SONG_MAX_CHANNELS),
    };
}

/* Plays row `row` of p on the clock: its song control into *ctl (fx holds
 * each channel's effect state; *known caches whether the row has any, -1
 * when not looked at yet), its Fxx applied, its ticks (EEx's passes
 * counted) into *ticks; returns the frames it lasts. */
static uint64_t clock_row(Clock *k, FxChannel *fx, const Pattern *p, int row,
                          int8_t *known, FxRowControl *ctl, int *ticks)
{
    /* The swing delay is taken before the row's own Fxx acts. */
    uint32_t debt = timing_swing_delay(k->rate, k->swing, k->rows_per_beat, row,
                                       k->speed, k->bpm);
    fx_row_control_clear(ctl);
    int cells = k->channels < p->channels ? k->channels : p->channels;
    /* Only song control moves rows: a row without any is looked at
     * once, however often the song plays it. */
    for (int c = 0; c < cells && *known; c++) {
        Cell cell = song_pattern_get(p, row, c);
        if (is_control(cell.fx) || is_control(cell.fx2)) {
            fx_row(&fx[c], row, &cell, ctl);
            *known = 1;
        }
    }
    if (*known < 0)
        *known = 0;
    if (ctl->bpm > 0) {
        k->bpm = hiss_clampi(ctl->bpm, SONG_BPM_MIN, SONG_BPM_MAX);
        k->rem %= 2u * (unsigned)k->bpm;
    }
    if (ctl->speed > 0)
        k->speed = ctl->speed;
    /* EEx plays the row's ticks again: one long row, as the engine */
    *ticks = k->speed * (1 + (ctl->row_delay > 0 ? ctl->row_delay : 0));
    if (!debt && !ctl->later_count) {
        /* Carried remainders make the ticks' sum one division (a tick
         * is at least 9 frames: rate >= 1000, BPM <= 255). */
        uint64_t den = 2u * (uint64_t)k->bpm;
        uint64_t total = (uint64_t)k->rate * 50u * (uint64_t)*ticks + k->rem;
        k->rem = total % den;
        return total / den;
    }
    uint64_t frames = debt;
    for (int t = 0; t < *ticks; t++) {
        for (int i = 0; i < ctl->later_count; i++)
            if (ctl->later[i].tick == t) { /* Fxx with Txy: on its tick */
                k->bpm = hiss_clampi(ctl->later[i].bpm, SONG_BPM_MIN, SONG_BPM_MAX);
                k->rem %= 2u * (unsigned)k->bpm;
            }
        uint32_t len = timing_tick_frames(k->rate, k->bpm, &k->rem);
        uint32_t share = timing_swing_share(debt, *ticks - t, len);
        len -= share;
        debt -= share;
        frames += len ? len : 1;
    }
    return frames;
}

uint64_t timing_rows_frames(const Song *song, int pattern, int first, int rows,
                            uint32_t rate)
{
    const Pattern *p = song_pattern(song, pattern);
    if (!p || first < 0 || rows < 1 || first + rows > p->rows || rate < 1000 ||
        rate > 768000)
        return 0;
    FxChannel fx[SONG_MAX_CHANNELS];
    for (int c = 0; c < SONG_MAX_CHANNELS; c++)
        fx_channel_reset(&fx[c]);
    Clock k = clock_start(song, rate);
    uint64_t frames = 0;
    for (int r = first; r < first + rows; r++) {
        FxRowControl ctl;
        int8_t known = -1;
        int ticks;
        frames += clock_row(&k, fx, p, r, &known, &ctl, &ticks);
    }
    return frames;
}

HissError timing_scan(const Song *song, uint32_t rate, bool loop_song,
                      TimingScan *scan)
{
    memset(scan, 0, sizeof *scan);
    scan->loop_index = -1;
    if (rate < 1000 || rate > 768000)
        return HISS_ERR_RANGE;
    scan->rate = rate;
    scan->loop_song = loop_song;
    Clock k = clock_start(song, rate);
    scan->rows_per_beat = k.rows_per_beat;
    uint64_t frame = 0;
    double seconds = 0;
    FxChannel *fx = malloc(sizeof *fx * SONG_MAX_CHANNELS);
    /* Per pattern row: -1 not looked at yet, 0 no song control, 1 some. */
    int8_t *control = malloc((size_t)SONG_MAX_PATTERNS * SONG_MAX_ROWS);
    Seen seen = {0}, loops = {0}; /* pattern entries; pattern loops' jumps */
    int cap = 0;
    HissError err = HISS_OK;
    if (!fx || !control) {
        free(fx);
        free(control);
        return HISS_ERR_NOMEM;
    }
    memset(control, -1, (size_t)SONG_MAX_PATTERNS * SONG_MAX_ROWS);
    for (int c = 0; c < SONG_MAX_CHANNELS; c++)
        fx_channel_reset(&fx[c]);
    Walk w = {.song = song, .loop_song = loop_song};
    bool playing = walk_seek(&w, 0, 0), entered = true;
    scan->end = TIMING_END_STOPS;
    bool looped = false;
    while (playing) {
        if (entered || looped) {
            int before = entered ? seen_visit(&seen, entry_key(w.order, w.row, k.speed, k.bpm),
                                              scan->count)
                                 : seen_visit(&loops,
                                              loop_key(w.order, w.row, k.speed, k.bpm, fx,
                                                       k.channels),
                                              scan->count);
            if (before == -2) {
                err = HISS_ERR_NOMEM;
                break;
            }
            if (before >= 0) {
                scan->end = TIMING_END_LOOPS;
                scan->loop_index = before;
                break;
            }
        }
        if (scan->count >= TIMING_MAX_ROWS) {
            scan->end = TIMING_END_UNKNOWN;
            break;
        }
        FxRowControl ctl;
        int ticks;
        int8_t *known = &control[w.pattern * SONG_MAX_ROWS + w.row];
        uint64_t frames = clock_row(&k, fx, w.p, w.row, known, &ctl, &ticks);
        TimingRow row = {w.order, w.row, k.speed, k.bpm, ticks, frame, seconds};
        if (!push_row(scan, &cap, &row)) {
            err = HISS_ERR_NOMEM;
            break;
        }
        frame += frames;
        seconds += ticks * 25.0 / k.bpm;

        /* engine.c's advance_row */
        int order = w.order, next_row = w.row + 1;
        bool changed = false;
        if (ctl.loop_jump >= 0) {
            next_row = ctl.loop_jump;
        } else if (ctl.pos_jump >= 0 || ctl.break_row >= 0) {
            next_row = ctl.break_row >= 0 ? ctl.break_row : 0;
            order = ctl.pos_jump >= 0 ? ctl.pos_jump : order + 1;
            changed = true;
        } else if (next_row >= w.p->rows) {
            next_row = 0;
            order++;
            changed = true;
        }
        if (changed)
            for (int c = 0; c < SONG_MAX_CHANNELS; c++)
                fx[c].loop_row = fx[c].loop_count = 0;
        entered = changed;
        looped = ctl.loop_jump >= 0;
        playing = walk_seek(&w, order, next_row);
    }
    scan->end_frame = frame;
    scan->end_seconds = seconds;
    free(fx);
    free(control);
    free(seen.keys);
    free(seen.index);
    free(loops.keys);
    free(loops.index);
    if (err)
        timing_deinit(scan);
    return err;
}

void timing_deinit(TimingScan *scan)
{
    free(scan->rows);
    scan->rows = NULL;
    scan->count = 0;
}

/* The last row starting at or before `frame` (frame < end_frame). */
static int row_at(const TimingScan *scan, uint64_t frame)
{
    int lo = 0, hi = scan->count - 1;
    while (lo < hi) {
        int mid = lo + (hi - lo + 1) / 2;
        if (scan->rows[mid].frame <= frame)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

static uint64_t row_end(const TimingScan *scan, int i)
{
    return i + 1 < scan->count ? scan->rows[i + 1].frame : scan->end_frame;
}

void timing_locate(const TimingScan *scan, uint64_t frame, TimingPlace *place)
{
    memset(place, 0, sizeof *place);
    place->index = -1;
    if (!scan->count)
        return;
    double rpb = scan->rows_per_beat;
    double passed_rows = 0;
    if (frame >= scan->end_frame) {
        if (scan->end != TIMING_END_LOOPS) {
            const TimingRow *last = &scan->rows[scan->count - 1];
            place->order = last->order;
            place->row = last->row;
            place->beats = scan->count / rpb;
            place->beats_per_minute = 2.4 * last->bpm_tenths / (last->ticks * rpb);
            return;
        }
        uint64_t start = scan->rows[scan->loop_index].frame;
        uint64_t period = scan->end_frame - start;
        uint64_t passes = period ? (frame - start) / period : 0;
        frame = period ? start + (frame - start) % period : start;
        place->pass = passes > INT32_MAX ? INT32_MAX : (int)passes;
        passed_rows = (double)passes * (scan->count - scan->loop_index);
    }
    int i = row_at(scan, frame);
    const TimingRow *r = &scan->rows[i];
    uint64_t len = row_end(scan, i) - r->frame;
    place->index = i;
    place->order = r->order;
    place->row = r->row;
    place->into = frame - r->frame;
    place->beats = (passed_rows + i + (len ? (double)place->into / len : 0)) / rpb;
    place->beats_per_minute = 2.4 * r->bpm_tenths / (r->ticks * rpb);
}

int timing_find(const TimingScan *scan, int order, int row)
{
    for (int i = 0; i < scan->count; i++)
        if (scan->rows[i].order == order && scan->rows[i].row == row)
            return i;
    return -1;
}
