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
/* Record off, the pass closed (a new song, a stop). */
void ui_record_reset(UiApp *app);

#endif
