/* ui_file: the editor's door to songs on disk (songio), reduced to what the
 * editor shows: one error line, or a song and its first warning. */
#ifndef HISS_UI_FILE_H
#define HISS_UI_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "base.h"
#include "song.h"

/* Loads path with its samples at rate. On success *missing counts the
 * instruments left without sound and warning holds the first warning
 * ("" when none). */
HissError ui_file_load(const char *path, uint32_t rate, Song **out,
                       HissDiag *diag, char *warning, size_t warning_size,
                       int *missing);
/* Atomic save, keeping one backup (path~). */
HissError ui_file_save(const Song *song, const char *path, HissDiag *diag);

#endif
