/* fileio: whole-file reads with a size limit, and atomic writes.
 *
 * fileio_write_atomic writes a temporary file in the same directory, fsyncs
 * it, keeps the previous file as a backup (path~, then path~2~ ... up to
 * `backups`), renames the temporary over the target and fsyncs the
 * directory. Whatever fails, the old file stays whole and diag says why. */
#ifndef HISS_FILEIO_H
#define HISS_FILEIO_H

#include <stddef.h>

#include "base.h"

/* *data is malloc'ed and NUL-terminated (not counted in *len).
 * HISS_ERR_MISSING when the file does not exist, HISS_ERR_RANGE when it is
 * larger than max_bytes, HISS_ERR_IO otherwise. */
HissError fileio_read_all(const char *path, size_t max_bytes, char **data,
                          size_t *len, HissDiag *diag);
/* backups: how many older versions to keep (0 = none). */
HissError fileio_write_atomic(const char *path, const void *data, size_t len,
                              int backups, HissDiag *diag);

#endif
