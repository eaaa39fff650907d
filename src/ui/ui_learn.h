/* ui_learn: MIDI learn in the editor. midi_learn arms it for the setting
 * chosen on the mixer screen (elsewhere: the tempo); the next controller
 * (CC) that moves is bound to it and the bindings are written to the
 * midi_learn file beside the hissrc (midilearn.h). From then on that
 * controller moves the setting as it turns, while the song plays, each
 * move one undoable edit. */
#ifndef HISS_UI_LEARN_H
#define HISS_UI_LEARN_H

#include "mixparam.h"
#include "ui_app.h"

void ui_learn_start(UiApp *app);
/* Takes the controllers that moved: binds the first while learning, and
 * applies the bound ones. Called from the editor's periodic work. */
void ui_learn_poll(UiApp *app);
/* The mixer screen's chosen setting (ui_mixer.c). */
MixParam ui_mixer_chosen(void);

#endif
