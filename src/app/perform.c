/* perform: live gestures and the MIDI bindings that do them; see
 * perform.h. */
#include "perform.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* A knob turned sends many values: a line for each would flood hiss
 * play's standard error; a few a second read as they move. */
#define PERFORM_SAY_MOVE_SECONDS 0.25
enum { PERFORM_SAY_MAX = 160 };

static void say(Perform *p, bool trouble, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void say(Perform *p, bool trouble, const char *fmt, ...)
{
    if (!p->say)
        return;
    char text[PERFORM_SAY_MAX];
    va_list ap;
    va_start(ap, fmt);
    hiss_text_vformat(text, sizeof text, fmt, ap);
    va_end(ap);
    p->say(p->ctx, trouble, text);
}

void perform_init(Perform *p, Session *session, Editor *ed, const MidiLearn *bindings)
{
    memset(p, 0, sizeof *p);
    p->session = session;
    p->ed = ed;
    p->bindings = bindings;
    p->cue_at = ENGINE_CUE_BAR;
}

void perform_bindings_changed(Perform *p)
{
    for (int m = 0; m < MIDI_CHANNEL_COUNT; m++)
        for (int n = 0; n < 128; n++)
            session_midi_bind_note(p->session, m, n,
                                   midilearn_find(p->bindings, true, m, n) != NULL);
    p->sweep = NULL; /* the table moved */
}

HissError perform_set_tempo(Perform *p, int bpm_tenths)
{
    bpm_tenths = hiss_clampi(bpm_tenths, SONG_BPM_MIN, SONG_BPM_MAX);
    HissError err = edit_song_set_bpm_tenths(p->ed, bpm_tenths);
    if (err)
        return err;
    session_set_tempo(p->session, bpm_tenths, 0);
    char bpm[SONG_BPM_TEXT];
    song_bpm_text(bpm_tenths, bpm);
    say(p, false, "%s BPM", bpm);
    return HISS_OK;
}

HissError perform_toggle_flag(Perform *p, int ch, EditStripField flag, bool at_bar)
{
    Song *song = p->ed->song;
    if (ch < 0 || ch >= atomic_load(&song->channels)) {
        say(p, true, "the song has no channel %d", ch + 1);
        return HISS_ERR_RANGE;
    }
    bool solo = flag == EDIT_STRIP_SOLO;
    /* A stopped song has no bar to wait for: the change is heard at once. */
    at_bar = at_bar && session_playing(p->session);
    const EngineStatus *st = session_status(p->session);
    uint64_t pending = atomic_load(solo ? &st->solo_pending : &st->mute_pending);
    bool cancels = at_bar && (pending >> ch & 1); /* back to what still sounds */
    int was = edit_strip_get(song, ch, flag);
    session_hold_flag(p->session, solo, ch, at_bar ? was : -1);
    HissError err = edit_strip_set(p->ed, ch, flag, !was);
    if (err) {
        session_hold_flag(p->session, solo, ch, -1);
        return err;
    }
    if (cancels) {
        say(p, false, "channel %d: the %s at the next bar is cancelled", ch + 1,
            solo ? "solo change" : "mute change");
        return HISS_OK;
    }
    const char *now = solo ? (was ? "unsolo" : "solo") : (was ? "unmuted" : "muted");
    say(p, false, "channel %d %s%s", ch + 1, now, at_bar ? " at the next bar" : "");
    return HISS_OK;
}

void perform_tap(Perform *p, TapTempo *tap, double seconds)
{
    int taps;
    int bpm = tap_tempo_tap(tap, seconds, &taps);
    if (bpm)
        perform_set_tempo(p, bpm * 10);
    else
        say(p, false, "tap %d of %d", taps, TAP_COUNT);
}

const char *perform_cue_at_name(int at)
{
    return at == ENGINE_CUE_BAR    ? "the next bar"
           : at == ENGINE_CUE_BEAT ? "the next beat"
                                   : "the pattern's end";
}

void perform_cue_next(Perform *p)
{
    if (!session_playing(p->session)) {
        say(p, false, "a cue waits for the playing song: play first");
        return;
    }
    int count = atomic_load(&p->ed->song->order_count);
    int next = atomic_load(&session_status(p->session)->order) + 1;
    if (next >= count)
        next = 0;
    session_cue_at(p->session, next, (EngineCueAt)p->cue_at);
    say(p, false, "cued entry %02X: plays at %s", next, perform_cue_at_name(p->cue_at));
}

/* A tap from MIDI: when its note came, to the frame, where the backend
 * said; else now. */
static void midi_tap(Perform *p, const MidiControl *c)
{
    perform_tap(p, &p->midi_tap, c->at > 0.0 ? c->at : hiss_now_seconds());
}

static void run_action(Perform *p, const MidiLearnBinding *b, const MidiControl *c)
{
    switch (b->action) {
    case MIDILEARN_MUTE:
    case MIDILEARN_SOLO:
    case MIDILEARN_MUTE_AT_BAR:
    case MIDILEARN_SOLO_AT_BAR: {
        bool solo = b->action == MIDILEARN_SOLO || b->action == MIDILEARN_SOLO_AT_BAR;
        bool at_bar = b->action == MIDILEARN_MUTE_AT_BAR || b->action == MIDILEARN_SOLO_AT_BAR;
        perform_toggle_flag(p, b->channel, solo ? EDIT_STRIP_SOLO : EDIT_STRIP_MUTE, at_bar);
        return;
    }
    case MIDILEARN_CUE_NEXT:
        perform_cue_next(p);
        return;
    case MIDILEARN_TAP:
        midi_tap(p, c);
        return;
    case MIDILEARN_PLAY:
        if (p->play_toggle) {
            p->play_toggle(p->ctx);
        } else if (session_playing(p->session)) {
            session_stop(p->session);
            say(p, false, "stopped");
        } else {
            session_play_song(p->session, 0, 0);
            say(p, false, "playing from the start");
        }
        return;
    case MIDILEARN_RECORD:
        if (p->record_toggle)
            p->record_toggle(p->ctx);
        else
            say(p, true, "MIDI: record is the editor's; hiss play records nothing");
        return;
    case MIDILEARN_ACTIONS:
        return;
    }
}

/* The target's value now; false when it has none (no such instrument). */
static bool current(const Perform *p, const MidiLearnBinding *b, int *out)
{
    const Song *song = p->ed->song;
    if (b->kind == MIDILEARN_TEMPO) {
        *out = atomic_load(&song->bpm_tenths);
    } else if (b->kind == MIDILEARN_MIX) {
        *out = mixparam_get(song, b->param);
    } else {
        const Instrument *inst = song_instrument(song, b->instrument);
        if (!inst)
            return false;
        *out = inst->shape[b->shape];
    }
    return true;
}

static void set_value(Perform *p, const MidiLearnBinding *b, int v)
{
    /* A mix setting a controller cannot reach (a note value between two)
     * is left as it is. */
    if (b->kind == MIDILEARN_TEMPO)
        perform_set_tempo(p, v);
    else if (b->kind == MIDILEARN_MIX)
        edit_mix_set(p->ed, b->param, v);
    else
        edit_instrument_set_shape(p->ed, b->instrument, b->shape, v);
}

/* The undo key of a controller's move: the same while one binding keeps
 * moving, a new one for another binding. Not timed: a busy editor takes
 * a sweep's values in bursts, with gaps the hand never made; any other
 * edit between two moves ends the gesture anyway (undo_push_merging). */
static uint64_t sweep_key(Perform *p, const MidiLearnBinding *b)
{
    if (p->sweep != b)
        p->sweep_key = ++p->gestures;
    p->sweep = b;
    return p->sweep_key;
}

void perform_sweep_ends(Perform *p)
{
    p->sweep = NULL;
}

/* "instrument 01 cutoff 650 Hz": a moved setting and its new value. */
static void say_move(Perform *p, const MidiLearnBinding *b, int v)
{
    double now = hiss_now_seconds();
    if (!p->say_moves || b->kind == MIDILEARN_TEMPO ||
        now - p->move_said_at < PERFORM_SAY_MOVE_SECONDS)
        return;
    p->move_said_at = now;
    char target[96], value[48];
    midilearn_target_text(b, target, sizeof target);
    if (b->kind == MIDILEARN_MIX) {
        const SongParamInfo *info = mixparam_info(b->param);
        if (info->kind == SONG_PARAM_TENTHS)
            snprintf(value, sizeof value, "%.1f %s", v / 10.0, info->unit);
        else if (info->kind == SONG_PARAM_SWITCH)
            snprintf(value, sizeof value, "%s", v ? "on" : "off");
        else
            snprintf(value, sizeof value, "%d %s", v, info->unit);
    } else {
        const ShapeInfo *info = shape_info(b->shape);
        if (info->choices)
            snprintf(value, sizeof value, "%s", info->choices[v - info->min]);
        else
            snprintf(value, sizeof value, "%d %s", v, info->unit);
        /* A knob turning something unheard (a cutoff with the filter
         * off) says so, or the player hears nothing and wonders why. */
        const Instrument *inst = song_instrument(p->ed->song, b->instrument);
        const char *why = inst ? shape_unused_reason(inst->shape, b->shape) : NULL;
        if (why) {
            size_t used = strlen(value);
            snprintf(value + used, sizeof value - used, " (unused: %s)", why);
        }
    }
    say(p, false, "%s %s", target, value);
}

static void apply(Perform *p, const MidiLearnBinding *b, const MidiControl *c)
{
    if (b->kind == MIDILEARN_ACTION) {
        /* A note-on, or a button's press (a controller rising past 64). */
        if (c->note || (c->value >= 64 && p->cc_last[c->channel][c->cc] < 64))
            run_action(p, b, c);
        return;
    }
    int now;
    if (!current(p, b, &now)) {
        say(p, true, "MIDI: no instrument %02X", (unsigned)b->instrument);
        return;
    }
    /* A pad flips a switch; otherwise its velocity sets the value. */
    int v = c->note && midilearn_is_switch(b) ? !now : midilearn_value(b, c->value);
    if (v == now)
        return;
    edit_merge_with(p->ed, c->note ? 0 : sweep_key(p, b));
    set_value(p, b, v);
    edit_merge_with(p->ed, 0);
    say_move(p, b, v);
}

bool perform_control(Perform *p, const MidiControl *c, bool run)
{
    const MidiLearnBinding *b = midilearn_find(p->bindings, c->note, c->channel, c->cc);
    if (b && run)
        apply(p, b, c);
    if (!c->note)
        p->cc_last[c->channel & 15][c->cc & 127] = c->value;
    return b != NULL;
}

int perform_poll(Perform *p)
{
    MidiControl c;
    int bound = 0;
    /* Bounded by the ring: a knob turned fast sends many. */
    for (int i = 0; i < MIDI_ROUTE_RING && session_take_control(p->session, &c); i++)
        bound += perform_control(p, &c, true);
    return bound;
}
