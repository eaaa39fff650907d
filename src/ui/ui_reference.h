/* ui_reference: the editor's A/B against the song's reference track. */
#ifndef HISS_UI_REFERENCE_H
#define HISS_UI_REFERENCE_H

#include "ui_app.h"

/* Loads the song's reference track (song->reference), if it names one,
 * after a song is opened or installed; a file that cannot be read is
 * said on the status line and the song keeps its path. */
void ui_reference_open(UiApp *app);
/* Asks for a reference file; the song keeps its path (relative to the
 * song file when the song has one), never a copy. */
void ui_reference_ask(UiApp *app);
/* The A/B key: the reference (loudness-matched to the mix, the mix
 * measured again, on a thread, when the song changed since) or back to
 * the mix; while the mix is measured, back to the mix. */
void ui_reference_toggle(UiApp *app);
/* [ui] Switches to the reference once the mix's measure has come. */
void ui_reference_poll(UiApp *app);
/* The A/B state in a few words for a page: "A/B: REFERENCE -3.2 dB",
 * "A/B: mix (match -3.2 dB)", "A/B: measuring 40%", or "" without a
 * reference track. True while the reference is heard. */
bool ui_reference_state(const UiApp *app, char *out, size_t size);
/* Frees what the editor holds of the reference. */
void ui_reference_close(UiApp *app);
/* The same as the editor quits, the engine already gone. */
void ui_reference_finish(UiApp *app);

#endif
