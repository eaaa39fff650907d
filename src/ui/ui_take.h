/* ui_take: recording a take from the audio inputs (JACK's in_L, in_R)
 * into a new instrument. One key starts the take, streaming it to a new
 * file beside the song; the same key stops it, and the take lands in the
 * first empty slot with slices at its hits (one undo step). */
#ifndef HISS_UI_TAKE_H
#define HISS_UI_TAKE_H

#include "ui_app.h"

/* Starts a take, or ends the one running and puts it in a new slot. A
 * take begins at once, or, while the song plays (or with a count-in, which
 * starts it), on the frame its next bar is heard (after the count-in). */
void ui_take_toggle(UiApp *app);
/* Asks a level in dBFS and arms a take that starts with the first frame
 * reaching it (a threshold start); with a take running, ends it. */
void ui_take_armed(UiApp *app);
/* Asks the count-in (bars heard before a take begins) and which inputs
 * a take keeps (both, or one as a mono file). */
void ui_take_setup(UiApp *app);
/* Called every few tens of milliseconds: writes what came in. */
void ui_take_poll(UiApp *app);
/* Ends a take still running (its file is kept), e.g. on quitting. */
void ui_take_finish(UiApp *app);

#endif
