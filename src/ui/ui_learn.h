/* ui_learn: MIDI learn in the editor (midilearn.h).
 *
 * - midi_learn (L on the mixer; on the settings screen, the tempo) arms
 *   it for the setting chosen: the next controller or note is bound to it.
 * - midi_learn_mode (M-L, anywhere) is learn mode as on a sampler: the
 *   next learnable thing done on screen (mute, solo, mute or solo at the
 *   bar, a cue, tap, play/stop, record, a tempo nudge, a mixer value or an
 *   instrument's shaping value changed) is not done but picked as the
 *   target (or Enter: a target typed as the midi_learn file words it),
 *   and the next note or controller that comes (before or after) is
 *   bound to it. While learning, notes play no sound. A note or
 *   controller that comes first shows what it is bound to, and Delete
 *   then removes its binding. M-L again leaves.
 *
 * Bindings are written to the midi_learn file beside the hissrc, and the
 * help screen lists them. A controller moving one setting is one undo
 * step until something else is edited or another controller moves (the
 * move that bound it is a step of its own). */
#ifndef HISS_UI_LEARN_H
#define HISS_UI_LEARN_H

#include "mixparam.h"
#include "shape.h"
#include "ui_app.h"

void ui_learn_start(UiApp *app);
/* Enters or leaves learn mode. */
void ui_learn_mode(UiApp *app);
/* In learn mode, takes a learnable action (or Delete) as the target;
 * true when it did, and the key is to do nothing else. */
bool ui_learn_key(UiApp *app, int key, KeymapAction act);
/* Takes the controllers and bound notes that came: binds while learning,
 * and applies the bound ones. Called from the editor's periodic work. */
void ui_learn_poll(UiApp *app);
/* The mixer screen's chosen setting (ui_mixer.c). */
MixParam ui_mixer_chosen(void);
/* The instruments screen's chosen shaping parameter; false when the
 * cursor is on another field (ui_instruments.c). */
bool ui_instruments_chosen_shape(ShapeParam *out);

#endif
