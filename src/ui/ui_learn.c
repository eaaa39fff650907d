/* ui_learn: MIDI learn; see ui_learn.h. */
#include "ui_learn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midilearn.h"
#include "ui_record.h"

/* One editor per process. `pick` holds the target once have_target, its
 * source once have_source; both: bound. */
static struct {
    bool on;
    bool have_target, have_source;
    MidiLearnBinding pick;
} learn;
static bool notes_synced;

static void set_capture(UiApp *app, bool on)
{
    learn.on = on;
    if (!on)
        learn.have_target = learn.have_source = false;
    session_midi_capture_notes(app->session, on);
}

/* The audio thread takes bound notes instead of playing them. */
static void sync_notes(UiApp *app)
{
    perform_bindings_changed(&app->perform);
    notes_synced = true;
}

/* Saves the table; the status line says what happened, `done` first. */
static void save(UiApp *app, const char *done)
{
    char path[UI_PATH_MAX];
    HissDiag why = {{0}};
    sync_notes(app);
    if (!midilearn_default_path(path, sizeof path))
        ui_set_message(app, true, "%s, until hiss quits: no HOME or XDG_CONFIG_HOME to save "
                       "it in", done);
    else if (midilearn_save(&app->keymap.midi_learn, path, &why) != HISS_OK)
        ui_set_message(app, true, "%s, not saved: %s", done, why.text);
    else
        ui_set_message(app, false, "%s; saved in %s", done, path);
}

static void say_waiting(UiApp *app)
{
    char what[MIDILEARN_LINE_MAX], bound[MIDILEARN_LINE_MAX];
    if (learn.have_target) {
        midilearn_target_text(&learn.pick, what, sizeof what);
        ui_set_message(app, false, "MIDI learn: move a controller for %s, or play a note "
                       "(again: cancel)", what);
        return;
    }
    if (!learn.have_source) {
        ui_set_message(app, false, "MIDI learn: do the action to bind (or Enter: type it), "
                       "then play a note or move a controller (M-L: leave)");
        return;
    }
    midilearn_source_text(&learn.pick, what, sizeof what);
    const MidiLearnBinding *b = midilearn_find(&app->keymap.midi_learn, learn.pick.note,
                                               learn.pick.midi_channel, learn.pick.number);
    if (b) {
        midilearn_target_text(b, bound, sizeof bound);
        ui_set_message(app, false, "MIDI learn: %s does %s (Delete: unbind; an action: "
                       "rebind)", what, bound);
    } else {
        ui_set_message(app, false, "MIDI learn: %s; now do the action to bind it to", what);
    }
}

/* Binds once both halves are known. */
static void try_bind(UiApp *app)
{
    if (!learn.have_target || !learn.have_source)
        return;
    MidiLearnBinding b = learn.pick;
    set_capture(app, false);
    if (midilearn_bind(&app->keymap.midi_learn, &b) != HISS_OK) {
        ui_set_message(app, true, "MIDI learn: %d bound already; remove one first",
                       MIDILEARN_MAX);
        return;
    }
    char source[MIDILEARN_LINE_MAX], target[MIDILEARN_LINE_MAX], done[3 * MIDILEARN_LINE_MAX];
    midilearn_source_text(&b, source, sizeof source);
    midilearn_target_text(&b, target, sizeof target);
    snprintf(done, sizeof done, "%s %s %s", source,
             b.kind == MIDILEARN_ACTION ? "does" : "moves", target);
    save(app, done);
}

void ui_learn_start(UiApp *app)
{
    if (learn.on) {
        set_capture(app, false);
        ui_set_message(app, false, "MIDI learn cancelled");
        return;
    }
    learn.pick = (MidiLearnBinding){.kind = app->page == UI_PAGE_MIXER ? MIDILEARN_MIX
                                                                       : MIDILEARN_TEMPO};
    if (learn.pick.kind == MIDILEARN_MIX)
        learn.pick.param = ui_mixer_chosen();
    set_capture(app, true);
    learn.have_target = true;
    say_waiting(app);
}

void ui_learn_mode(UiApp *app)
{
    if (learn.on) {
        set_capture(app, false);
        ui_set_message(app, false, "MIDI learn: left");
        return;
    }
    set_capture(app, true);
    say_waiting(app);
}

/* The target an action on screen names; false for one that cannot be
 * learned. */
static bool target_of(UiApp *app, KeymapAction act, MidiLearnBinding *t)
{
    MidiLearnAction a = MIDILEARN_ACTIONS;
    switch (act) {
    case ACT_MUTE_TOGGLE: a = MIDILEARN_MUTE; break;
    case ACT_SOLO_TOGGLE: a = MIDILEARN_SOLO; break;
    case ACT_MUTE_AT_BAR: a = MIDILEARN_MUTE_AT_BAR; break;
    case ACT_SOLO_AT_BAR: a = MIDILEARN_SOLO_AT_BAR; break;
    case ACT_ORDER_CUE:
    case ACT_PATTERN_CUE: a = MIDILEARN_CUE_NEXT; break;
    case ACT_TAP_TEMPO: a = MIDILEARN_TAP; break;
    case ACT_PLAY_TOGGLE:
    case ACT_PLAY_SONG:
    case ACT_STOP: a = MIDILEARN_PLAY; break;
    case ACT_RECORD_TOGGLE: a = MIDILEARN_RECORD; break;
    case ACT_TEMPO_UP:
    case ACT_TEMPO_DOWN:
    case ACT_TEMPO_UP_FINE:
    case ACT_TEMPO_DOWN_FINE:
        t->kind = MIDILEARN_TEMPO;
        return true;
    case ACT_SET_INC:
    case ACT_SET_DEC:
        if (app->page != UI_PAGE_MIXER)
            return false;
        t->kind = MIDILEARN_MIX;
        t->param = ui_mixer_chosen();
        return true;
    case ACT_LEFT: /* on an instrument's field, Left/Right step it as -/+ do */
    case ACT_RIGHT:
        if (app->page != UI_PAGE_INSTRUMENTS)
            return false;
        /* fall through */
    case ACT_INST_INC:
    case ACT_INST_DEC:
    case ACT_INST_INC_BIG:
    case ACT_INST_DEC_BIG:
        if (!ui_instruments_chosen_shape(&t->shape) || app->ed->instrument < 1)
            return false;
        t->kind = MIDILEARN_SHAPE;
        t->instrument = app->ed->instrument;
        return true;
    default:
        return false;
    }
    t->kind = MIDILEARN_ACTION;
    t->action = a;
    t->channel = app->ed->cursor.channel;
    return true;
}

/* `t`, holding the source if one came, is the target: bound now or
 * once a source comes. */
static void take_target(UiApp *app, const MidiLearnBinding *t)
{
    learn.pick = *t;
    learn.have_target = true;
    if (learn.have_source)
        try_bind(app);
    else
        say_waiting(app);
}

/* A target typed at the prompt, as the midi_learn file words it. */
static void typed_target(UiApp *app, const char *text)
{
    if (!learn.on)
        return;
    char copy[MIDILEARN_LINE_MAX];
    const char *words[6] = {"1:0"}; /* a stand-in source: parsing wants one */
    int count = 1;
    snprintf(copy, sizeof copy, "%s", text);
    for (char *w = strtok(copy, " \t"); w && count < 6; w = strtok(NULL, " \t"))
        words[count++] = w;
    MidiLearnBinding t;
    HissDiag why = {{0}};
    if (midilearn_parse(false, words, count, &t, &why) != HISS_OK) {
        const char *reason = strncmp(why.text, "1:0: ", 5) ? why.text : why.text + 5;
        ui_set_message(app, true, "MIDI learn: %s", reason);
        return;
    }
    t.note = learn.pick.note;
    t.midi_channel = learn.pick.midi_channel;
    t.number = learn.pick.number;
    take_target(app, &t);
}

/* Whether the hissrc itself binds the source: hiss never writes the
 * hissrc, so a binding there comes back at the next start. */
static bool hissrc_binds(const MidiLearnBinding *source)
{
    char path[UI_PATH_MAX];
    Keymap *km = keymap_default_path(path, sizeof path) ? malloc(sizeof *km) : NULL;
    if (!km)
        return false;
    HissDiag ignored[1];
    keymap_init_defaults(km);
    keymap_load_file(km, path, ignored, 1);
    bool bound = midilearn_find(&km->midi_learn, source->note, source->midi_channel,
                                source->number) != NULL;
    free(km);
    return bound;
}

bool ui_learn_key(UiApp *app, int key, KeymapAction act)
{
    if (!learn.on || (learn.have_target && !learn.have_source))
        return false;
    static int delete_key = -2, backspace_key = -2;
    if (delete_key == -2) {
        delete_key = keymap_key_parse("Delete");
        backspace_key = keymap_key_parse("Backspace");
    }
    if (learn.have_source && (key == delete_key || key == backspace_key)) {
        MidiLearnBinding s = learn.pick;
        char source[MIDILEARN_LINE_MAX], done[3 * MIDILEARN_LINE_MAX];
        midilearn_source_text(&s, source, sizeof source);
        set_capture(app, false);
        if (!midilearn_unbind(&app->keymap.midi_learn, s.note, s.midi_channel, s.number)) {
            ui_set_message(app, false, "MIDI learn: %s was not bound", source);
            return true;
        }
        snprintf(done, sizeof done, "%s is no longer bound", source);
        save(app, done);
        if (hissrc_binds(&s))
            ui_set_message(app, true, "%s is unbound until hiss quits: the hissrc binds it "
                           "(remove its line there)", source);
        return true;
    }
    if (act == ACT_SELECT) {
        ui_prompt(app, "Bind to (mute 2, tap, cue_next, tempo, instrument 01 cutoff...)", "",
                  typed_target);
        return true;
    }
    MidiLearnBinding t = learn.pick;
    if (!target_of(app, act, &t))
        return false;
    take_target(app, &t);
    return true;
}

/* While learning: what came is the source. */
static void take_source(UiApp *app, const MidiControl *c)
{
    learn.pick.note = c->note;
    learn.pick.midi_channel = c->channel;
    learn.pick.number = c->cc;
    learn.have_source = true;
    if (learn.have_target)
        try_bind(app);
    else
        say_waiting(app);
}

void ui_learn_poll(UiApp *app)
{
    if (!notes_synced)
        sync_notes(app);
    app->perform.cue_at = app->cue_at;
    MidiControl c;
    /* Bounded by the ring: a knob turned fast sends many. */
    for (int i = 0; i < MIDI_ROUTE_RING && session_take_control(app->session, &c); i++) {
        bool learning = learn.on;
        if (learning)
            take_source(app, &c);
        const MidiLearnBinding *b =
            midilearn_find(&app->keymap.midi_learn, c.note, c.channel, c.cc);
        /* The move that bound a setting counts (the setting follows); a
         * note or a press that bound an action does not also run it, nor
         * does one that only shows its binding. */
        bool run = b && !learn.on && !(learning && (c.note || b->kind == MIDILEARN_ACTION));
        if (perform_control(&app->perform, &c, run) && run)
            app->dirty |= UI_DIRTY_BODY | UI_DIRTY_HEADER;
        if (learning)
            perform_sweep_ends(&app->perform);
    }
}
