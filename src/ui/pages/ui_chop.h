/* ui_chop: chopping a sample on the instruments screen: the slice points
 * by hand (select, move by a millisecond or to a typed frame, snap to a
 * zero crossing, add, delete, move to the audition's playhead), a slice
 * auditioned with one key, lazy chop (one key drops a slice at the
 * playhead while the sample plays, snapped to the nearest hit), the loop's
 * tempo, and the edits written as new files (stretch, trim, normalize,
 * reverse, fades); with the waveform under the parameters. */
#ifndef HISS_UI_CHOP_H
#define HISS_UI_CHOP_H

#include <stdbool.h>

#include "ui_app.h"

/* Rows the chop area takes at the bottom of the screen (0: too small). */
int ui_chop_rows(void);
/* Draws the chop area (the slice line and the waveform) from row y. */
void ui_chop_draw(UiApp *app, int y, int x, int w);
/* Marks the body dirty while the playhead moves. */
void ui_chop_update(UiApp *app);
/* The chop keys; false for any other action. */
bool ui_chop_handle(UiApp *app, KeymapAction act);
/* The loop's tempo when it was found ("" otherwise), for the sample line. */
void ui_chop_tempo_text(const UiApp *app, char *buf, size_t size);

/* Called every few tens of milliseconds: once a tempo edit has settled,
 * a slot whose sample is a stretch to N beats (F) that no longer lasts N
 * beats is stretched again from its source file into a new file for the
 * new tempo, joining the tempo edit's undo step (tempofollow.h: undo and
 * redo never stretch); no file is overwritten. */
void ui_chop_follow_tempo(UiApp *app);
/* Waits for a sample edit still running on its thread and drops its
 * result (its file stays): on quitting. */
void ui_chop_finish(void);

#endif
