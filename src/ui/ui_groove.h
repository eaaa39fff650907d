/* ui_groove: the cursor channel's groove, from the pattern screen, live
 * and undoable: a key steps its swing through the MPC templates (then
 * back to the song's groove), another types all of it. The song's own
 * groove is on the settings screen. */
#ifndef HISS_UI_GROOVE_H
#define HISS_UI_GROOVE_H

#include "ui_app.h"

/* Swing 50, 54, 58, 62, 66, 71, 75 % (the channel's own), then the song's. */
void ui_groove_next_template(UiApp *app);
/* Asks for "swing grid ms level" (e.g. "58 16 10 20") or "song". */
void ui_groove_prompt(UiApp *app);

#endif
