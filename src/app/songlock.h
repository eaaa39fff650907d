/* songlock: one editor per song.
 *
 * The editor that opens a song takes an advisory lock on a small file
 * beside it, `.NAME.lock` (beside the link's target when the song is a
 * symlink, so two names of one file share a lock). The lock is an
 * open-file-description lock (fcntl F_OFD_SETLK): the kernel drops it when
 * the holder dies, however it dies, so a lock file left by a crash is
 * simply taken over (and the user told). The file says who holds it
 * ("pid host"), for the message the second editor shows.
 *
 * A second hiss on a locked song opens it read-only: it may save only
 * under another name, and its autosaves go to its own file in the state
 * directory, so two sessions never write the same recovery file. */
#ifndef HISS_SONGLOCK_H
#define HISS_SONGLOCK_H

#include <stdbool.h>
#include <stddef.h>

#include "base.h"

enum { SONGLOCK_PATH_MAX = 4096, SONGLOCK_HOST_MAX = 256 };

typedef struct {
    int fd; /* open and locked while held; -1 otherwise */
    char path[SONGLOCK_PATH_MAX]; /* the lock file */
} SongLock;

/* Who holds (or last held) a lock: from the lock file. */
typedef struct {
    long pid;
    char host[SONGLOCK_HOST_MAX];
} SongLockOwner;

void songlock_init(SongLock *lock);

/* Takes the lock for song_path. HISS_OK: held; msg tells of a stale lock
 * taken over ("" otherwise). HISS_ERR_BUSY: another process holds it; msg
 * says who. HISS_ERR_UNSUPPORTED: the directory cannot be written (no
 * permission, read-only filesystem), so no editor can save there either.
 * Any other error: the lock could not be taken (a link in its place, a
 * missing directory); msg says why. In both cases the caller goes on
 * unlocked. */
HissError songlock_acquire(SongLock *lock, const char *song_path, char *msg,
                           size_t msg_cap);
/* Removes the lock file and drops the lock (nothing when not held). */
void songlock_release(SongLock *lock);
static inline bool songlock_held(const SongLock *lock)
{
    return lock->fd >= 0;
}

/* Does another process hold song_path's lock? owner (may be NULL) receives
 * who. Takes nothing. */
bool songlock_busy(const char *song_path, SongLockOwner *owner);

/* .NAME.lock beside song_path's target. */
HissError songlock_path_for(const char *song_path, char *out, size_t cap);

#endif
