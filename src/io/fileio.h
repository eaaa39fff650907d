/* fileio: whole-file reads with a size limit, and atomic writes that never
 * follow a link hiss did not ask for.
 *
 * fileio_write_atomic writes a temporary file in the same directory, fsyncs
 * it, keeps the previous file as a backup (path~, then path~2~ ... up to
 * `backups`), renames the temporary over the target and fsyncs the
 * directory. Whatever fails, the old file stays whole and diag says why.
 *
 * Names hiss makes itself (temporary files .NAME.XXXXXX.tmp, backups,
 * recovery and state files) are created with O_EXCL|O_NOFOLLOW relative to
 * the directory and renamed within it; a symlink found in their place is
 * refused with a message, never followed and never removed. The one link
 * that is followed is the song path the user gave: saving through a link
 * replaces the file it points to, with every new file beside that target. */
#ifndef HISS_FILEIO_H
#define HISS_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base.h"

/* *data is malloc'ed and NUL-terminated (not counted in *len).
 * HISS_ERR_MISSING when the file does not exist, HISS_ERR_RANGE when it is
 * larger than max_bytes, HISS_ERR_IO otherwise. */
HissError fileio_read_all(const char *path, size_t max_bytes, char **data,
                          size_t *len, HissDiag *diag);
/* The same for configuration and hiss's own files: opened without blocking
 * (a FIFO cannot hang the caller) and refused unless a regular file;
 * nofollow also refuses a symlink (files hiss names itself). */
HissError fileio_read_regular(const char *path, size_t max_bytes,
                              bool nofollow, char **data, size_t *len,
                              HissDiag *diag);

/* The song (or any path the user named). backups: how many older versions
 * to keep (0 = none). A symlink at path is followed to its target; a link
 * to nothing is refused. */
HissError fileio_write_atomic(const char *path, const void *data, size_t len,
                              int backups, HissDiag *diag);
/* A file hiss names itself: the same atomic write, without backups, and a
 * symlink or anything but a regular file at path is refused. */
HissError fileio_write_owned(const char *path, const void *data, size_t len,
                             HissDiag *diag);
/* Removes a file hiss names itself: a missing file is fine, a symlink or
 * anything but a regular file is refused (left in place) with a message. */
HissError fileio_remove_owned(const char *path, HissDiag *diag);

/* A folder for files hiss is about to write, at a path the user named:
 * made when missing (its parent must exist), taken when it is an empty
 * folder. A folder with anything in it, a file, or a symbolic link (even
 * to an empty folder) is refused with a message and left as it is, so
 * nothing is ever written over or through a link. */
HissError fileio_make_empty_dir(const char *path, HissDiag *diag);

/* Is name (a directory entry) a temporary file of fileio_write_* for the
 * file called base? base NULL: for any file. */
bool fileio_is_temp_name(const char *name, const char *base);
/* Removes the temporary files that saves of path left when they were
 * killed (regular files matching the pattern only). follow: path is the
 * song the user named, and a symlink there leads to the directory its
 * saves write in; otherwise (a name hiss makes) a link is not followed and
 * nothing is removed beside its target. cleaned (may be NULL) is told each
 * removed file. Returns how many were removed. Call it only while no other
 * process may be saving path (see songlock.h). */
typedef void (*FileioCleaned)(void *ctx, const char *path, int64_t size);
int fileio_clean_temps(const char *path, bool follow, FileioCleaned cleaned,
                       void *ctx);

/* What a file was when hiss last read or wrote it: size, modification time
 * and a hash of its bytes. */
typedef struct {
    bool exists;
    int64_t size;
    int64_t mtime_ns;
    uint64_t hash;
} FileioStamp;

/* Reads path to take its stamp; a missing file is a stamp with !exists. */
HissError fileio_stamp(const char *path, FileioStamp *stamp);
/* Is the file still what *known says? A different size or time alone is
 * not a change when the bytes hash the same (a `touch`); then *known takes
 * the new time. *changed receives the answer. */
HissError fileio_stamp_check(const char *path, FileioStamp *known,
                             bool *changed);

#endif
