/* ui_record: live recording; see ui_record.h. */
#include "ui_record.h"

#include <string.h>

#include "live.h"

/* Seconds since the last message before a take may say its note is
 * silent (ui_record_poll). */
#define UI_TAKE_HINT_QUIET 1.0

static void pass_begin(UiApp *app, int pattern, int row)
{
    app->record.pattern = pattern;
    app->record.row = row;
    app->record.channel = app->ed->cursor.channel;
    memcpy(app->record.taken, app->record.taken_next, sizeof app->record.taken);
    memset(app->record.taken_next, 0, sizeof app->record.taken_next);
}

static void pass_end(UiApp *app)
{
    edit_record_end_pass(app->ed);
    if (!app->record.on || !ui_is_playing(app)) {
        memset(app->record.taken_next, 0, sizeof app->record.taken_next);
        app->record.replacing = 0;
    }
    app->record.pattern = app->record.row = -1;
    app->dirty |= UI_DIRTY_BODY | UI_DIRTY_HEADER;
}

bool ui_record_key(UiApp *app, int note)
{
    if (!ui_is_playing(app))
        return false;
    /* With record off the note is not written, but it plays on the
     * channel as a recorded one would, and the engine says where it
     * belongs: jam capture may write it later. */
    int flags = engine_live_flags(app->ed->instrument, VOLUME_EMPTY, app->record.quantize,
                                  app->record.on, app->record.feel);
    if (!app->record.on)
        flags |= ENGINE_LIVE_JAM;
    session_live_note(app->session, app->ed->cursor.channel, note, flags);
    return true;
}

/* Replace: the rows the playhead went past since the last look lose the
 * old notes of the channel (and of the mapped channels MIDI has recorded
 * into) that have sounded this pass, except those this pass wrote. */
static void replace_passed(UiApp *app, int pattern, int from, int to)
{
    const Pattern *p = song_pattern(app->song, pattern);
    if (!p)
        return;
    uint64_t channels = app->record.replacing | 1ull << app->record.channel;
    for (int c = 0; c < SONG_MAX_CHANNELS; c++) {
        if (!(channels >> c & 1))
            continue;
        for (int r = from; r <= to && r < p->rows; r++)
            if (r >= 0 && !(app->record.taken[r] >> c & 1) &&
                song_cell_pack(song_pattern_get(p, r, c)) != song_cell_pack(song_cell_empty())) {
                edit_record_clear(app->ed, pattern, r, c);
                app->dirty |= UI_DIRTY_BODY;
            }
    }
}

/* MIDI notes play on the audio thread as they come (session_midi_target
 * says where: the cursor's channel, the current instrument, the record
 * switches); the editor only shows the last one. */
static void midi_follow(UiApp *app)
{
    session_midi_target(app->session, app->ed->cursor.channel, app->ed->instrument,
                        engine_live_flags(0, 0, app->record.quantize, app->record.on,
                                          app->record.feel) |
                            (app->record.on ? 0 : ENGINE_LIVE_JAM));
    MidiNote m, last = {.kind = MIDI_NOTE_OFF};
    while (session_take_midi(app->session, &m))
        if (m.kind == MIDI_NOTE_ON)
            last = m;
    if (last.kind == MIDI_NOTE_ON) {
        char name[4];
        song_note_name(last.note, name);
        ui_set_message(app, false, "MIDI %s velocity %d (MIDI channel %d)", name,
                       last.velocity, last.channel + 1);
    }
}

/* A take far behind the playhead was rounded forward past the pattern's
 * end (beat rounding goes back half a beat at most): it belongs to the
 * next pass, whose replace must keep it. */
static void mark_taken(UiApp *app, int row, int channel)
{
    int rpb = atomic_load(&app->song->rows_per_beat);
    uint64_t bit = 1ull << (channel & 63);
    if (row < app->record.row - rpb)
        app->record.taken_next[row] |= bit;
    else
        app->record.taken[row] |= bit;
    /* A take off the pass's channel came from a mapped MIDI channel: that
     * channel is replaced from its first take on, as the cursor's is; one
     * MIDI never played into keeps its notes. */
    if (channel != app->record.channel)
        app->record.replacing |= bit;
}

static void jam_keep(UiApp *app, const EngineTake *take)
{
    if (app->record.jam_count == UI_JAM_NOTES) {
        memmove(app->record.jam, app->record.jam + 1,
                sizeof app->record.jam[0] * (UI_JAM_NOTES - 1));
        app->record.jam_count--;
    }
    app->record.jam[app->record.jam_count++] = *take;
}

void ui_record_capture_jam(UiApp *app)
{
    if (app->record.on) {
        ui_set_message(app, false, "jam capture: record is on, the notes are written as played");
        return;
    }
    const EngineStatus *st = ui_status(app);
    uint64_t now = atomic_load(&st->rows_played);
    const Pattern *p = song_pattern(app->song, atomic_load(&st->pattern));
    int first = atomic_load(&st->loop_first), last = atomic_load(&st->loop_last);
    /* The last pass: the rows the playhead went through, one pattern (or
     * one row loop) long, up to the row it is on (or stopped on). */
    int rows = first >= 0 && last >= first ? last - first + 1 : p ? p->rows : 64;
    int written = 0, kept = 0;
    HissError err = HISS_OK;
    edit_record_end_pass(app->ed);
    for (int i = 0; i < app->record.jam_count; i++) {
        const EngineTake *t = &app->record.jam[i];
        /* A note rounded forward to the next row (played late in a row,
         * or just before the loop's first row) is counted from that row,
         * which the playhead may not have reached: it is still this pass. */
        if (t->when + (uint64_t)rows <= now) {
            app->record.jam[kept++] = *t;
            continue;
        }
        HissError e = edit_record_cell(app->ed, t->pattern, t->row, t->channel, t->cell);
        if (e)
            err = e;
        else
            written++;
    }
    app->record.jam_count = kept;
    edit_record_end_pass(app->ed);
    if (err)
        ui_report(app, err, "jam capture");
    else if (!written)
        ui_set_message(app, false, "jam capture: nothing was played in the last pass (%d rows)",
                       rows);
    else
        ui_set_message(app, false, "jam capture: %d note%s of the last pass (%d rows) written, "
                       "one undo step", written, written == 1 ? "" : "s", rows);
    app->dirty |= UI_DIRTY_BODY | UI_DIRTY_HEADER;
}

static void capture_write(UiApp *app);

/* The rows played since the last look, kept while capturing. */
static void capture_poll(UiApp *app)
{
    EngineRowLog log;
    while (app->record.capturing && session_take_row(app->session, &log)) {
        app->record.captured[app->record.captured_count++] = log;
        if (app->record.captured_count == UI_CAPTURE_ROWS) {
            ui_set_message(app, true, "capture full (%d rows): written", UI_CAPTURE_ROWS);
            capture_write(app);
        }
    }
}

static void capture_write(UiApp *app)
{
    session_capture_rows(app->session, false);
    app->record.capturing = false;
    int count = app->record.captured_count, first = atomic_load(&app->song->order_count);
    app->record.captured_count = 0;
    app->dirty |= UI_DIRTY_HEADER | UI_DIRTY_BODY;
    if (atomic_load(&ui_status(app)->rows_unlogged)) {
        ui_set_message(app, true, "capture lost rows (the editor fell behind): nothing written");
        return;
    }
    if (!count) {
        ui_set_message(app, false, "capture off: no rows were played");
        return;
    }
    bool inexact = false;
    /* The arrangement takes over the mixer's mutes and solos, which are
     * cleared: a song still playing keeps hearing them until it gets to
     * the arrangement (an error leaves the strips, and the holds keep
     * what they have). */
    session_hold_mixer_until(app->session, first);
    HissError err = edit_capture_arrangement(app->ed, app->record.captured, count,
                                             app->record.jam, app->record.jam_count,
                                             &inexact);
    if (ui_report(app, err, "capture") != HISS_OK)
        return;
    int last = atomic_load(&app->song->order_count) - 1, rows = 0;
    for (int i = 0; i < count; i++)
        rows += app->record.captured[i].tick == 0; /* the rest: changes within them */
    ui_set_message(app, inexact, "captured %d rows as orders %02X-%02X with their mutes%s", rows,
                   first, last,
                   inexact ? " (not all exact: a jam met a row's own note, or found no free "
                             "effect column)"
                           : " (undo removes them)");
}

void ui_record_toggle_capture(UiApp *app)
{
    if (app->record.capturing) {
        capture_poll(app); /* the rows since the last look; when full, writes */
        if (app->record.capturing)
            capture_write(app);
        return;
    }
    app->record.captured_count = 0;
    app->record.capturing = true;
    session_capture_rows(app->session, true);
    ui_set_message(app, false, "capturing the performance from the next beat: P again writes it");
    app->dirty |= UI_DIRTY_HEADER;
}

void ui_record_poll(UiApp *app)
{
    midi_follow(app);
    capture_poll(app);
    EngineTake take;
    while (session_take_recorded(app->session, &take)) {
        /* A take comes a period or more after its note was played: a
         * note key's audition has said why it is silent already, and a
         * message since (a key pressed after the note) is not covered
         * again. A MIDI note, with no audition, says it here. */
        if (hiss_now_seconds() - app->message_at > UI_TAKE_HINT_QUIET)
            ui_say_if_silent(app, take.cell);
        if (take.jam) {
            jam_keep(app, &take);
            continue;
        }
        HissError err = edit_record_cell(app->ed, take.pattern, take.row,
                                         take.channel, take.cell);
        if (err)
            ui_report(app, err, "record");
        else if (take.pattern == app->record.pattern && take.row >= 0 &&
                 take.row < SONG_MAX_ROWS)
            mark_taken(app, take.row, take.channel);
        app->dirty |= UI_DIRTY_BODY;
    }
    if (!app->record.on || !ui_is_playing(app)) {
        if (app->record.pattern >= 0 || edit_record_pass_open(app->ed))
            pass_end(app);
        return;
    }
    const EngineStatus *st = ui_status(app);
    int pattern = atomic_load(&st->pattern), row = atomic_load(&st->row);
    if (app->record.pattern < 0) {
        pass_begin(app, pattern, row);
        return;
    }
    if (pattern != app->record.pattern || row < app->record.row) {
        /* The pattern wrapped or the song moved on: a new pass. */
        if (app->record.replace)
            replace_passed(app, app->record.pattern, app->record.row + 1,
                           SONG_MAX_ROWS - 1);
        pass_end(app);
        pass_begin(app, pattern, row);
        if (app->record.replace)
            replace_passed(app, pattern, 0, row);
        return;
    }
    if (app->record.replace && row > app->record.row)
        replace_passed(app, pattern, app->record.row + 1, row);
    app->record.row = row;
}

void ui_record_toggle(UiApp *app)
{
    app->record.on = !app->record.on;
    if (!app->record.on)
        pass_end(app);
    ui_set_message(app, false, "record %s (quantize %s%s, %s)",
                   app->record.on ? "on" : "off",
                   live_quantize_name(app->record.quantize),
                   app->record.feel ? " + feel" : "",
                   app->record.replace ? "replace" : "overdub");
    app->dirty |= UI_DIRTY_HEADER;
}

void ui_record_cycle_quantize(UiApp *app)
{
    app->record.quantize = (app->record.quantize + 1) % LIVE_QUANTIZE_COUNT;
    ui_set_message(app, false, "record quantize: %s",
                   live_quantize_name(app->record.quantize));
    app->dirty |= UI_DIRTY_HEADER;
}

void ui_record_toggle_feel(UiApp *app)
{
    app->record.feel = !app->record.feel;
    ui_set_message(app, false, "record feel %s: %s", app->record.feel ? "on" : "off",
                   app->record.feel ? "late notes keep their ticks (EDx)"
                                    : "notes go on the row");
}

void ui_record_toggle_replace(UiApp *app)
{
    app->record.replace = !app->record.replace;
    ui_set_message(app, false, "record %s",
                   app->record.replace
                       ? "replace: the channel's old notes go as the playhead passes"
                       : "overdub: a note played on a row replaces its note, the rest stay");
}

void ui_record_reset(UiApp *app)
{
    app->record.on = false;
    app->record.jam_count = 0; /* its places are of the song before */
    if (app->record.capturing)
        session_capture_rows(app->session, false);
    app->record.capturing = false; /* its rows are of the song before */
    app->record.captured_count = 0;
    edit_record_end_pass(app->ed);
    app->record.pattern = app->record.row = -1;
}
