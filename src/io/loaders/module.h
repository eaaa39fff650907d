/* module: tracker modules (ProTracker MOD, Scream Tracker 3 S3M,
 * FastTracker 2 XM, Impulse Tracker IT) converted into a hiss Song.
 *
 * libxmp reads the file (it is widely fuzzed; hiss has no parser of its
 * own for these formats) and this converts libxmp's module into hiss's
 * model: orders, patterns, notes, instruments with their samples (loops,
 * volume, panning, finetune), the effect columns and tempo/speed. What
 * hiss cannot express goes into the LoaderReport with its place.
 *
 * Limits that keep memory bounded (beyond libxmp's own): at most
 * MODULE_MAX_SAMPLE_FRAMES frames of sample data in all, 255 instruments,
 * 256 patterns of at most 256 rows, 64 channels; anything past them is
 * dropped and reported.
 *
 * The only file in hiss that includes xmp.h. UI side only. */
#ifndef HISS_MODULE_H
#define HISS_MODULE_H

#include <stdbool.h>
#include <stddef.h>

#include "base.h"
#include "loader.h"
#include "song.h"

enum { MODULE_MAX_SAMPLE_FRAMES = 64 * 1024 * 1024 };

bool module_probe_mod(const char *path, const char *data, size_t len);
bool module_probe_s3m(const char *path, const char *data, size_t len);
bool module_probe_xm(const char *path, const char *data, size_t len);
bool module_probe_it(const char *path, const char *data, size_t len);

/* Any of the four formats (libxmp tells them apart). */
HissError module_load(const char *data, size_t len, const char *path, Song **out,
                      HissDiag *diag, LoaderReport *report);

/* Whether path ends in .mod, .s3m, .xm or .it (any case). */
bool module_has_extension(const char *path);

#endif
