/* ui_record: live recording from the editor. The record switch is apart
 * from edit mode and off when a song opens: while the song plays, note
 * keys only play (on the cursor's channel) unless record is on; then the
 * engine rounds each note to its row (quantize) and the take is written
 * here, one undo step per loop pass. */
#ifndef HISS_UI_RECORD_H
#define HISS_UI_RECORD_H

#include <stdbool.h>

#include "ui_app.h"

/* A note key (or NOTE_OFF) while the song plays. False when the song is
 * stopped: the key is then an ordinary edit. */
bool ui_record_key(UiApp *app, int note);
/* Writes the takes the engine sent back, closes a pass when the pattern
 * wraps, and in replace mode clears the rows the playhead passed. Called
 * from the editor's periodic work. */
void ui_record_poll(UiApp *app);
void ui_record_toggle(UiApp *app);
void ui_record_cycle_quantize(UiApp *app);
void ui_record_toggle_feel(UiApp *app);
void ui_record_toggle_replace(UiApp *app);
/* Jam capture: what was played with record off (keys and MIDI) in the
 * last pass, one pattern's rows (or a row loop's, while one plays) up to
 * the playhead, is written where
 * recording would have put it (the same quantize and feel), as one undo
 * step, and leaves the jam's memory. */
void ui_record_capture_jam(UiApp *app);
/* Performance capture, on and off: while on, every row the song plays
 * is kept as heard (its pattern and row, tempo, speed, mutes and solos);
 * off writes them as a new arrangement at the end of the order list
 * (edit_capture_arrangement), one undo step. */
void ui_record_toggle_capture(UiApp *app);
/* Record off, the pass closed, the jam forgotten (a new song). */
void ui_record_reset(UiApp *app);

#endif
