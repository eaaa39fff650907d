/* recovery: the file that holds unsaved edits, and finding it again.
 *
 * Where the recovery file lives:
 * - a song with a path, e.g. dir/song.hiss: dir/.song.hiss.recover (hidden,
 *   next to the song, so relative sample paths still resolve from it);
 * - when that directory cannot be written (gone, read-only, full) and for a
 *   new song that has no path yet: the state directory,
 *   $XDG_STATE_HOME/hiss/ (default ~/.local/state/hiss/), as
 *   untitled-YYYYMMDD-HHMMSS-PID.hiss or SONGNAME-XXXXXXXX.hiss (a hash of
 *   the song's absolute path), plain song files that hiss opens directly.
 * The state directory also keeps `recover-index`, one line per recovery
 * file written next to a song ("recovery-path<TAB>song-path"), so that
 * `hiss --recover` finds them without searching the disk.
 *
 * Every write is atomic (fileio_write_owned: no backups, never through a
 * link): a crash during an autosave leaves the previous recovery file
 * whole, and a symlink planted where a recovery file goes is refused (the
 * edits then go to the state directory), never followed or removed.
 * Only the session that holds the song's lock (songlock.h) writes the
 * file next to it; a read-only session writes its own untitled file, named
 * with its pid. Everything here runs on the UI thread; none of it may be
 * called from the audio thread. */
#ifndef HISS_RECOVERY_H
#define HISS_RECOVERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base.h"
#include "fileio.h"
#include "song.h"
#include "songio.h"

enum { RECOVERY_PATH_MAX = 4096 };

typedef struct {
    char path[RECOVERY_PATH_MAX];      /* the recovery file */
    char song_path[RECOVERY_PATH_MAX]; /* its song; "" for a new song */
    int64_t mtime_ns;                  /* when it was written */
    int64_t size;                      /* bytes */
    bool newer_than_song;              /* or the song file is missing */
} RecoveryEntry;

/* dir/.song.hiss.recover for dir/song.hiss. */
HissError recovery_path_for(const char *song_path, char *out, size_t cap);
/* $XDG_STATE_HOME/hiss (or ~/.local/state/hiss); create makes it (0700). */
HissError recovery_state_dir(char *out, size_t cap, bool create,
                             HissDiag *diag);

/* Writes the song's text as the recovery file for song_path (NULL or ""
 * for a new song), next to the song or else in the state directory.
 * written (may be NULL) receives the path used. When next to the song was
 * refused and the state directory used instead, diag receives why (once
 * per session), though the result is HISS_OK. */
HissError recovery_write(const Song *song, const char *song_path,
                         char *written, size_t written_cap, HissDiag *diag);
/* The same from text already formatted (songfile_format's output). */
HissError recovery_write_text(const char *text, size_t len,
                              const char *song_path, char *written,
                              size_t written_cap, HissDiag *diag);

/* The newest recovery file for song_path that is newer than the song
 * (or whose song file is missing) and differs from it. False when there is
 * nothing to offer. entry may be NULL. */
bool recovery_find(const char *song_path, RecoveryEntry *entry);
static inline bool recovery_offer_needed(const char *song_path)
{
    return recovery_find(song_path, NULL);
}

/* "Restore": loads a recovery file as a song, with its samples resolved
 * from the song's own directory (entry->song_path; the recovery file's for
 * a new song), so a fallback file in the state directory still finds the
 * kit. Missing samples become warnings, as in songio_load. The file stays
 * until the song is saved, so a crash right after restoring loses nothing. */
HissError recovery_load(const RecoveryEntry *entry, uint32_t session_rate,
                        Song **out, HissDiag *diag, SongioWarnings *warnings);

typedef enum {
    RECOVERY_LATER = 0, /* no answer: leave the file, open the song as saved */
    RECOVERY_RESTORE,
    RECOVERY_DISCARD,
    RECOVERY_KEEP_BOTH,
} RecoveryChoice;

/* Asks on out, reads a line from in: "r", "d", "k" (or the words); asks
 * again on anything else, up to three times; end of input (or a signal
 * interrupting the read) is RECOVERY_LATER. Plain stdio, before curses. */
RecoveryChoice recovery_ask(const RecoveryEntry *entry, FILE *in, FILE *out);

/* The editor's whole start-up offer for song_path, in one call: when there
 * is something to offer, asks (recovery_ask) and carries the answer out.
 * Returns true with *restored set when the user chose restore (the
 * recovery file stays until the song is saved). msg receives one line for
 * the status bar ("" when nothing happened). */
bool recovery_offer_at_open(const char *song_path, uint32_t session_rate,
                            FILE *in, FILE *out, Song **restored, char *msg,
                            size_t msg_cap);

/* Removes the recovery files of song_path (after a successful save, or the
 * user chose "discard"); NULL or "" removes this session's untitled file.
 * Missing files are not an error. */
HissError recovery_discard(const char *song_path, HissDiag *diag);

/* "Keep both": moves the offered recovery file next to the song as
 * song.recovered-YYYYMMDD-HHMMSS.hiss (its own write time; -2, -3 ... when
 * taken), so both versions stay. saved_as receives the new path. */
HissError recovery_keep_both(const char *song_path, char *saved_as,
                             size_t saved_as_cap, HissDiag *diag);

/* Everything recoverable: the index, the state directory, and the hidden
 * recovery files in each of `dirs` (may be NULL). Entries are malloc'ed,
 * newest first; free with free(). Returns the count, or -1 on no memory. */
int recovery_list(const char *const *dirs, int dir_count,
                  RecoveryEntry **entries);

/* At open, by the editor that holds the song's lock: removes the temporary
 * files killed saves left for the song and for its recovery file. Returns
 * how many. */
int recovery_clean_song_temps(const char *song_path);

/* hiss --recover's cleaning: removes the temporary files that killed saves
 * left in dir (fileio's pattern, regular files only, untouched for a
 * minute) unless a hiss holds their song. cleaned (may be NULL) is told
 * each one. Returns how many were removed. */
int recovery_clean_temps(const char *dir, FileioCleaned cleaned, void *ctx);

#endif
