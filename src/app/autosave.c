#include "autosave.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "recovery.h"
#include "signals.h"

void autosave_init(Autosave *a, double interval_seconds, double now,
                   uint64_t changes, uint64_t shape)
{
    a->interval = interval_seconds < 0 ? 0 : interval_seconds;
    a->last_write = now;
    a->last_failure = -1;
    a->written_changes = changes;
    a->structural_seen = shape;
    a->failing = false;
}

void autosave_set_interval(Autosave *a, double interval_seconds)
{
    a->interval = interval_seconds < 0 ? 0 : interval_seconds;
}

/* The earliest time a write may happen, or a negative number when none is
 * pending. Both autosave_tick and autosave_wait derive from it, so they can
 * never disagree. */
static double due_time(const Autosave *a, uint64_t changes, uint64_t structural)
{
    if (changes == a->written_changes)
        return -1;
    double due = -1;
    if (structural != a->structural_seen)
        due = a->last_write + AUTOSAVE_MIN_GAP;
    if (a->interval > 0) {
        double periodic = a->last_write + a->interval;
        if (due < 0 || periodic < due)
            due = periodic;
    }
    if (due >= 0 && a->failing) {
        double retry = a->last_failure + AUTOSAVE_RETRY;
        if (retry > due)
            due = retry;
    }
    return due;
}

bool autosave_tick(const Autosave *a, double now, uint64_t changes,
                   uint64_t structural)
{
    double due = due_time(a, changes, structural);
    return due >= 0 && now >= due;
}

double autosave_wait(const Autosave *a, double now, uint64_t changes,
                     uint64_t structural)
{
    double due = due_time(a, changes, structural);
    if (due < 0)
        return 1e9;
    return due > now ? due - now : 0;
}

void autosave_written(Autosave *a, double now, uint64_t changes,
                      uint64_t structural)
{
    a->last_write = now;
    a->written_changes = changes;
    a->structural_seen = structural;
    a->failing = false;
    a->last_failure = -1;
}

void autosave_failed(Autosave *a, double now)
{
    a->failing = true;
    a->last_failure = now;
}

void autosave_song_saved(Autosave *a, double now, uint64_t changes,
                         uint64_t structural)
{
    autosave_written(a, now, changes, structural);
}

bool autosave_parse_seconds(const char *text, int *seconds)
{
    if (!text)
        return false;
    while (isspace((unsigned char)*text))
        text++;
    if (!isdigit((unsigned char)*text))
        return false;
    errno = 0;
    char *end;
    long v = strtol(text, &end, 10);
    while (isspace((unsigned char)*end))
        end++;
    if (*end || errno || v < 0 || v > AUTOSAVE_MAX_SECONDS)
        return false;
    *seconds = (int)v;
    return true;
}

int autosave_interval_from_env(int fallback)
{
    int v;
    if (autosave_parse_seconds(getenv("HISS_AUTOSAVE_SECONDS"), &v))
        return v;
    return fallback;
}

/* FNV-1a over 64-bit words. */
static uint64_t mix(uint64_t h, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        h ^= (v >> (8 * i)) & 0xFF;
        h *= 1099511628211ull;
    }
    return h;
}

uint64_t autosave_song_shape(const Song *song)
{
    uint64_t h = 14695981039346656037ull;
    h = mix(h, (uint64_t)atomic_load_explicit(&song->channels,
                                              memory_order_relaxed));
    int orders = atomic_load_explicit(&song->order_count, memory_order_relaxed);
    h = mix(h, (uint64_t)orders);
    for (int i = 0; i < orders && i < SONG_MAX_ORDERS; i++)
        h = mix(h, atomic_load_explicit(&song->orders[i], memory_order_relaxed));
    for (int i = 0; i < SONG_MAX_PATTERNS; i++) {
        const Pattern *p = song_pattern(song, i);
        if (!p)
            continue;
        h = mix(h, (uint64_t)i);
        h = mix(h, (uint64_t)(uintptr_t)p);
        h = mix(h, ((uint64_t)p->rows << 16) | p->channels);
    }
    for (int i = 1; i <= SONG_MAX_INSTRUMENTS; i++) {
        const Instrument *inst = song_instrument(song, i);
        if (inst)
            h = mix(mix(h, (uint64_t)i), (uint64_t)(uintptr_t)inst);
    }
    return h;
}

HissError autosave_step(Autosave *a, const Song *song, const char *song_path,
                        double now, uint64_t changes, bool *wrote,
                        HissDiag *diag)
{
    if (wrote)
        *wrote = false;
    uint64_t shape = autosave_song_shape(song);
    if (!autosave_tick(a, now, changes, shape))
        return HISS_OK;
    HissError err = recovery_write(song, song_path, NULL, 0, diag);
    if (err) {
        autosave_failed(a, now);
        return err;
    }
    autosave_written(a, now, changes, shape);
    if (wrote)
        *wrote = true;
    return HISS_OK;
}

int autosave_loop_tick(Autosave *a, const Song *song, const char *song_path,
                       uint64_t changes, char *msg, size_t msg_cap)
{
    if (msg_cap)
        msg[0] = 0;
    if (song_path && !*song_path)
        song_path = NULL;
    HissDiag diag = {{0}};
    int sig = signals_pending();
    if (sig) {
        if (changes != a->written_changes &&
            recovery_write(song, song_path, NULL, 0, &diag) == HISS_OK)
            autosave_written(a, hiss_now_seconds(), changes, a->structural_seen);
        return sig;
    }
    bool was_failing = a->failing;
    HissError err = autosave_step(a, song, song_path, hiss_now_seconds(), changes,
                                  NULL, &diag);
    if (err && !was_failing)
        snprintf(msg, msg_cap, "autosave failed: %s", diag.text);
    else if (!err && diag.text[0])
        /* Written, but not where it should have been (and why). */
        snprintf(msg, msg_cap, "autosave: %s", diag.text);
    return 0;
}
