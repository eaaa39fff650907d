/* ui_file: the editor's door to songs on disk.
 *
 * Opening is split so the first screen never waits for audio files: the
 * song text is parsed at once (instruments without sound), and a loader
 * thread reads the samples while the user already edits.
 * Each finished instrument is swapped into its slot by the UI thread (the
 * old one retired through the engine), unless the user changed the slot
 * meanwhile. Saving is songio's atomic save. */
#ifndef HISS_UI_FILE_H
#define HISS_UI_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "base.h"
#include "song.h"

/* The song only, in any format the loader table reads: instruments carry
 * their paths, no sample data (a converted module's carry their samples). */
HissError ui_file_load_text(const char *path, Song **out, HissDiag *diag);
/* The same; for a module, note (size bytes) gets one line for the editor:
 * how many losses the conversion report has, the first one, and where
 * saving will write; "" for a .hiss. */
HissError ui_file_load_song(const char *path, Song **out, HissDiag *diag, char *note,
                            size_t size);
/* For a module at path: the .hiss beside it ("beat.mod" -> "beat.hiss")
 * when no file has that name yet, else "" (saving then asks for a name).
 * A name counts as taken when its song, its NAME-samples folder or its
 * NAME.import.txt is there: a converted song's save writes all three. */
void ui_file_import_target(const char *path, char *out, size_t size);
/* The name a "Save as" prompt (and hiss convert) offers for a module whose
 * .hiss name is taken: "beat-2.hiss", "beat-3.hiss"... the first free one,
 * else "". */
void ui_file_import_suggestion(const char *path, char *out, size_t size);
enum { UI_FILE_DEFAULT_BACKUPS = 3, UI_FILE_MAX_BACKUPS = 20 };
/* How many older versions a save keeps (path~, path~2~ ...); `set backups`. */
void ui_file_set_backups(int backups);
/* Atomic save, keeping the configured number of backups. */
HissError ui_file_save(const Song *song, const char *path, HissDiag *diag);
/* The save of a song whose samples no file names yet (a module's):
 * songio_save_converted with the configured backups; source is the module
 * ("" or NULL when unknown). */
HissError ui_file_save_converted(Song *song, const char *path, const char *source,
                                 void (*retire)(void *ctx, Instrument *old), void *ctx,
                                 HissDiag *diag);

typedef struct UiLoader UiLoader;
/* Receives an instrument just taken out of a song slot. */
typedef void (*UiLoaderRetire)(void *ctx, Instrument *old);

/* Starts loading the samples of song's instruments (paths relative to
 * song_path). NULL when there is nothing to load or no memory (the
 * song then keeps silent instruments; *why says so when it matters). */
UiLoader *ui_loader_start(const Song *song, const char *song_path,
                          uint32_t rate);
/* Installs what finished since the last call. Returns true once every
 * instrument is done and installed. */
bool ui_loader_poll(UiLoader *l, Song *song, UiLoaderRetire retire, void *ctx);
void ui_loader_progress(const UiLoader *l, int *done, int *total);
/* After the loader is done: instruments left without sound, and the first
 * warning ("" when none). */
int ui_loader_result(const UiLoader *l, char *first, size_t size);
/* What the status line says of song's instruments left without sound
 * (Instrument.missing): "1 sample missing (see instruments): kick.wav
 * (01 "kick")", each by its file's name, as many as fit in size; "" when
 * none. Returns how many there are. */
int ui_file_missing_summary(const Song *song, char *out, size_t size);
/* Whether the instrument's sample loaded from a damaged file (and is not
 * missing). */
bool ui_file_is_damaged(const Instrument *inst);
/* The same of instruments whose sample loaded from a damaged file
 * (Sample.damaged: cut short, bad values repaired): "1 sample damaged,
 * loaded in part or repaired: snare.wav (03 "snare")". */
int ui_file_damaged_summary(const Song *song, char *out, size_t size);
/* What the status line says as a song opens: the missing summary, or the
 * damaged one, or when both have something both counts first: "1 sample
 * missing (see instruments), 1 damaged: kick.wav (01 "kick"); damaged,
 * loaded in part or repaired: snare.wav (03 "snare")". Returns how many
 * instruments it names. */
int ui_file_open_summary(const Song *song, char *out, size_t size);
/* After the loader is done: the first note that a sample's file is
 * damaged, whole ("song.hiss: instrument 03 'snare': snare.wav: the file
 * looks truncated: ..."), or "" when none. */
void ui_loader_first_damage(const UiLoader *l, char *out, size_t size);
/* Stops the thread (after the file it is reading) and frees what was not
 * installed. NULL is fine. */
void ui_loader_free(UiLoader *l);

#endif
