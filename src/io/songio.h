/* songio: songs on disk with their samples.
 *
 * Loading reads the .hiss text (fileio + songfile) and then every
 * instrument's sample, relative to the song file's directory, at the
 * sample's own rate (sampleio; the engine resamples as it plays). A sample that cannot be loaded does not fail
 * the song: its instrument is marked missing (plays silence) and a warning
 * says why, so a song whose kit moved can still be opened, fixed and saved.
 * Callers that need every sound (offline render) check the warnings.
 *
 * Everything here runs on the UI side, never on the audio thread. */
#ifndef HISS_SONGIO_H
#define HISS_SONGIO_H

#include <stdint.h>

#include "base.h"
#include "song.h"

/* One problem found while loading that did not stop the load. */
typedef struct {
    int slot;       /* the instrument it is about, 0 when none */
    HissError kind; /* HISS_OK for a note (something was adjusted), else why
                       the instrument is missing */
    char text[600]; /* one line: "song.hiss: instrument 03 'snare': ..." */
    bool damaged;   /* a note that the sample's file is damaged (cut short,
                       bad values): the instrument plays what it held */
} SongioWarning;

typedef struct {
    SongioWarning *items;
    int count;
    int capacity;
    int dropped; /* warnings lost to the cap or to a failed allocation */
} SongioWarnings;

enum { SONGIO_MAX_WARNINGS = 1024 };

void songio_warnings_init(SongioWarnings *w);
void songio_warnings_deinit(SongioWarnings *w);
void songio_warnings_clear(SongioWarnings *w);
void songio_warnings_add(SongioWarnings *w, int slot, HissError kind,
                         const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Warnings whose kind is not HISS_OK: instruments left without sound. */
int songio_warnings_missing(const SongioWarnings *w);

/* Where a sample path written in a song points: absolute paths as they are,
 * relative ones joined to the song file's directory. False when it does
 * not fit in size. */
bool songio_resolve(const char *song_path, const char *sample_path, char *out,
                    size_t size);

/* For "save as" into another directory: the path, relative to new_song's
 * directory, of the file that sample_path (relative to old_song's
 * directory) names, so the moved song still finds its samples. Absolute
 * paths stay as they are. False when a song directory does not exist or
 * the result does not fit in size. */
bool songio_rebase_path(const char *old_song, const char *new_song,
                        const char *sample_path, char *out, size_t size);

/* Loads the song at path and all its samples (samples keep their own
 * rate; session_rate only decides which sinc instruments get octave
 * levels, see songio_add_sinc_levels). Fails only
 * when the song itself cannot be read or parsed (diag: "file:line:col:
 * message" or "file: message"). Missing samples become warnings (warnings
 * may be NULL when the caller does not care). Instruments naming the same
 * file share one Sample. */
HissError songio_load(const char *path, uint32_t session_rate, Song **out,
                      HissDiag *diag, SongioWarnings *warnings);
/* The same with every instrument set to `interp` before the levels are
 * built (hiss render --interp): a song forced off sinc builds none. */
HissError songio_load_interp(const char *path, uint32_t session_rate, InterpMode interp,
                             Song **out, HissDiag *diag, SongioWarnings *warnings);

/* Builds the octave levels (sampleio_add_levels) of every sinc
 * instrument's sample that has none and that a note of the song plays
 * more than an octave above the sample's rate at `rate` (0: of every sinc
 * instrument), for a song no engine plays yet: songio_load does it; call
 * it again after switching instruments to sinc (hiss render --interp
 * sinc). A failure leaves a warning. */
void songio_add_sinc_levels(Song *song, uint32_t rate, SongioWarnings *warnings);

/* (Re)loads one instrument's sample from inst->path, for an instrument not
 * yet installed in a playing song. On failure inst->missing is set, the
 * sample is NULL, and a warning (naming song_path) is added; the returned
 * error says what went wrong. */
HissError songio_load_instrument(Instrument *inst, int slot, const char *song_path,
                                 uint32_t session_rate, SongioWarnings *warnings);

/* Writes the canonical text atomically, keeping `backups` older versions. */
HissError songio_save(const Song *song, const char *path, int backups,
                      HissDiag *diag);

/* Whether any instrument holds a sample that no file names (a converted
 * module's): saving must then write the samples too. */
bool songio_has_unsaved_samples(const Song *song);

/* Takes an instrument out of a song that an engine may be playing. */
typedef void (*SongioRetire)(void *ctx, Instrument *old);

/* Saves a song converted from a module: every sample no file names is
 * written as a 32-bit float WAV (exact, at its own rate) into the folder
 * "NAME-samples" beside path (NAME: path without .hiss; a file already
 * there is never replaced: the new one takes the first free name,
 * NN-NAME-2.wav...), its instrument
 * swapped for a copy that names it (the old one goes to retire, or is
 * freed when retire is NULL), then the song as songio_save does. When
 * source (the module, may be NULL) is given, its conversion report is
 * written beside as "NAME.import.txt". A path that names a module format
 * or the source itself is refused: a module is never written over. */
HissError songio_save_converted(Song *song, const char *path, const char *source,
                                int backups, SongioRetire retire, void *ctx,
                                HissDiag *diag);

#endif
