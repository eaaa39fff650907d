/* autosave: when to write the recovery file. Pure logic, no I/O, no clock:
 * the caller passes the time, so every rule is testable in microseconds.
 *
 * Rules (a kill -9 loses at most the edits of the last `interval` seconds):
 * - nothing is written while the recovery file already holds every change
 *   (the editor's change counter has not moved since the last write);
 * - with unsaved changes, a write is due once `interval` seconds have passed
 *   since the last write (the first edit after a quiet spell is written at
 *   once, later ones at most every `interval` seconds);
 * - a structural change (pattern added or resized, instrument loaded, order
 *   list changed) is due at once, but no sooner than AUTOSAVE_MIN_GAP after
 *   the last write, so a held key cannot turn into a stream of fsyncs;
 * - a failed write is retried after AUTOSAVE_RETRY seconds, not every tick.
 *
 * The interval comes from `set autosave N` in the config (the keymap owner's
 * parser hands it over through autosave_set_interval) or from the
 * HISS_AUTOSAVE_SECONDS environment variable, which wins; 0 turns the
 * periodic write off (structural changes and signals still write). */
#ifndef HISS_AUTOSAVE_H
#define HISS_AUTOSAVE_H

#include <stdbool.h>
#include <stdint.h>

#include "base.h"
#include "song.h"

enum {
    AUTOSAVE_DEFAULT_SECONDS = 30,
    AUTOSAVE_MAX_SECONDS = 24 * 3600,
};
#define AUTOSAVE_MIN_GAP 1.0 /* seconds between two structural writes */
#define AUTOSAVE_RETRY 5.0   /* seconds before retrying a failed write */

typedef struct {
    double interval;          /* seconds; 0 = no periodic write */
    double last_write;        /* time of the last write (or of opening) */
    double last_failure;      /* time of the last failed write, or < 0 */
    uint64_t written_changes; /* the change counter the file holds */
    uint64_t structural_seen; /* structure (shape) at the last write */
    bool failing;             /* the last attempt failed */
} Autosave;

/* `now` is the time the song was opened or created; `changes` the editor's
 * change counter then (the song on disk holds those changes) and `shape`
 * autosave_song_shape() of the song then. */
void autosave_init(Autosave *a, double interval_seconds, double now,
                   uint64_t changes, uint64_t shape);
void autosave_set_interval(Autosave *a, double interval_seconds);

/* Is a write due? `changes` counts every edit (it only grows);
 * `structural` is any value that changes with the song's structure:
 * autosave_song_shape(), or a counter of structural edits. */
bool autosave_tick(const Autosave *a, double now, uint64_t changes,
                   uint64_t structural);
/* The recovery file now holds `changes` (write succeeded). */
void autosave_written(Autosave *a, double now, uint64_t changes,
                      uint64_t structural);
/* The write failed: retry later. */
void autosave_failed(Autosave *a, double now);
/* The song itself was saved with `changes`: nothing left to recover. */
void autosave_song_saved(Autosave *a, double now, uint64_t changes,
                         uint64_t structural);

/* Seconds until autosave_tick may turn true (for a poll timeout); a large
 * number when nothing is pending. Never negative. */
double autosave_wait(const Autosave *a, double now, uint64_t changes,
                     uint64_t structural);

/* A fingerprint of the song's structure: which pattern and instrument
 * objects are installed (structural edits always install new ones), their
 * sizes, the channel count and the order list. Cheap (a few hundred atomic
 * loads), so the UI can take it on every pass of its loop. */
uint64_t autosave_song_shape(const Song *song);

/* One pass of the UI loop: when a write is due, writes the recovery file
 * for song_path (NULL for a new song) and updates the state. *wrote (may be
 * NULL) tells whether a write happened. A failure is returned with the
 * reason in diag, and retried later by itself. */
HissError autosave_step(Autosave *a, const Song *song, const char *song_path,
                        double now, uint64_t changes, bool *wrote,
                        HissDiag *diag);
/* The editor loop's one call per pass: autosaves when due, and when a
 * SIGHUP, SIGTERM or SIGINT has come (signals.h), writes the recovery file
 * at once if there is anything unsaved. Returns that signal (the editor
 * then restores the terminal and exits with signals_exit_status), or 0 to
 * go on. msg receives a line for the status bar when a write failed (only
 * the first failure of a streak), else "". */
int autosave_loop_tick(Autosave *a, const Song *song, const char *song_path,
                       uint64_t changes, char *msg, size_t msg_cap);

/* Parses a number of seconds ("30", "0", " 5 "); false when not a whole
 * number in 0..AUTOSAVE_MAX_SECONDS. */
bool autosave_parse_seconds(const char *text, int *seconds);
/* HISS_AUTOSAVE_SECONDS when set and valid, else `fallback`. */
int autosave_interval_from_env(int fallback);

#endif
