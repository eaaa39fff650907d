/* ui_learn: MIDI learn; see ui_learn.h. */
#include "ui_learn.h"

#include <stdio.h>
#include <string.h>

#include "midilearn.h"

/* Armed: the next controller binds `target`. One editor per process. */
static bool learning;
static MidiLearnBinding target;

static void target_name(const MidiLearnBinding *b, char *buf, size_t size)
{
    char text[64];
    midilearn_text(b, text, sizeof text);
    /* Past "M:CC ": the target as the file names it. */
    const char *space = strchr(text, ' ');
    snprintf(buf, size, "%s", space ? space + 1 : text);
}

void ui_learn_start(UiApp *app)
{
    if (learning) {
        learning = false;
        ui_set_message(app, false, "MIDI learn cancelled");
        return;
    }
    target = (MidiLearnBinding){.tempo = app->page != UI_PAGE_MIXER};
    if (!target.tempo)
        target.param = ui_mixer_chosen();
    learning = true;
    char name[64];
    target_name(&target, name, sizeof name);
    ui_set_message(app, false, "MIDI learn: move a controller for %s (again: cancel)", name);
}

static void learn(UiApp *app, const MidiControl *c)
{
    learning = false;
    target.midi_channel = c->channel;
    target.cc = c->cc;
    char name[64], path[UI_PATH_MAX];
    target_name(&target, name, sizeof name);
    if (midilearn_bind(&app->keymap.midi_learn, &target) != HISS_OK) {
        ui_set_message(app, true, "MIDI learn: %d controllers bound already", MIDILEARN_MAX);
        return;
    }
    HissDiag why = {{0}};
    if (!midilearn_default_path(path, sizeof path)) {
        ui_set_message(app, true, "CC %d (MIDI channel %d) moves %s, until hiss quits: no "
                       "HOME or XDG_CONFIG_HOME to save it in", c->cc, c->channel + 1, name);
    } else if (midilearn_save(&app->keymap.midi_learn, path, &why) != HISS_OK) {
        ui_set_message(app, true, "CC %d moves %s, not saved: %s", c->cc, name, why.text);
    } else {
        ui_set_message(app, false, "CC %d (MIDI channel %d) moves %s; saved in %s", c->cc,
                       c->channel + 1, name, path);
    }
}

static void apply(UiApp *app, const MidiLearnBinding *b, int cc_value)
{
    int v = midilearn_value(b, cc_value);
    if (b->tempo) {
        if (v != atomic_load(&app->song->bpm_tenths))
            ui_set_tempo(app, v);
        return;
    }
    if (v == mixparam_get(app->song, b->param))
        return;
    /* A setting a controller cannot reach (a note value between two) is
     * left as it is. */
    if (edit_mix_set(app->ed, b->param, v) == HISS_OK)
        app->dirty |= UI_DIRTY_BODY | UI_DIRTY_HEADER;
}

void ui_learn_poll(UiApp *app)
{
    MidiControl c;
    /* Bounded by the ring: a knob turned fast sends many. */
    for (int i = 0; i < MIDI_ROUTE_RING && session_take_control(app->session, &c); i++) {
        if (learning)
            learn(app, &c); /* and its move counts: the setting follows */
        const MidiLearnBinding *b = midilearn_find(&app->keymap.midi_learn, c.channel, c.cc);
        if (b)
            apply(app, b, c.value);
    }
}
