/* ui_bounce: the mix and its stems bounced from the editor, beside the
 * song, by a `hiss render --stems` of the saved song in a process of its
 * own, so the editor and its audio go on meanwhile. */
#ifndef HISS_UI_BOUNCE_H
#define HISS_UI_BOUNCE_H

#include "ui_app.h"

/* Starts a bounce into a new folder SONG-stems (SONG-stems-2... when that
 * exists: nothing is ever written over); the song must be saved. */
void ui_bounce_start(UiApp *app);
/* Progress on the status line, then what was written or what failed. */
void ui_bounce_poll(UiApp *app);

#endif
