/* ui_bounce: the mix and its stems bounced from the editor, into a folder
 * the user names, by a `hiss render --stems` of the saved song in a
 * process of its own, so the editor and its audio go on meanwhile. */
#ifndef HISS_UI_BOUNCE_H
#define HISS_UI_BOUNCE_H

#include "ui_app.h"

/* Asks for the folder, offering a new one beside the song (SONG-stems,
 * SONG-stems-2... when that exists), then bounces into it. Only a new or
 * empty folder is taken: nothing is ever written over; the song must be
 * saved. */
void ui_bounce_start(UiApp *app);
/* Progress on the status line, then what was written or what failed. */
void ui_bounce_poll(UiApp *app);

#endif
