#include "ui_app.h"

#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "live.h"
#include "loader.h"
#include "recovery.h"
#include "signals.h"
#include "ui_draw.h"
#include "ui_file.h"
#include "ui_learn.h"
#include "ui_record.h"
#include "ui_chop.h"
#include "ui_take.h"
#include "ui_reference.h"
#include "ui_bounce.h"
#include "songio.h"

/* Input is read with a short timeout while playing so the position and the
 * meter move; idle, the loop wakes rarely. */
enum {
    UI_TICK_PLAYING_MS = 30,
    UI_TICK_IDLE_MS = 200,
    UI_ESC_DELAY_MS = 25,
    UI_BURST_MAX = 256,
    UI_METER_CELLS = 10,
};
#define UI_METER_PERIOD 0.066 /* seconds between meter redraws */
#define UI_CLIP_HOLD 1.5      /* seconds the CLIP light stays on */
#define UI_PREVIEW_HOLD 2.0   /* seconds before a looped preview is released */

/* Seconds a message answering a key stays before background news. */
#define UI_MESSAGE_HOLD 3.0

/* Keeps text whole for the help screen (once, when said again). */
static void log_message(UiApp *app, bool error, const char *text)
{
    int last = (app->message_log_count + UI_MESSAGE_LOG - 1) % UI_MESSAGE_LOG;
    if (!text[0] || (app->message_log_count && !strcmp(app->message_log[last].text, text)))
        return;
    int at = app->message_log_count++ % UI_MESSAGE_LOG;
    snprintf(app->message_log[at].text, sizeof app->message_log[at].text, "%s", text);
    app->message_log[at].error = error;
}

void ui_set_message(UiApp *app, bool error, const char *fmt, ...)
{
    double now = hiss_now_seconds();
    if (app->message[0] && now < app->news_until) {
        /* Bad news from the background (autosave refused a link) must be
         * read: one replaced at once comes back after the new message. */
        size_t used = strlen(app->deferred);
        if (!strstr(app->deferred, app->message))
            snprintf(app->deferred + used, sizeof app->deferred - used, "%s%s",
                     used ? "; " : "", app->message);
        app->deferred_is_error = true;
    }
    app->news_until = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(app->message, sizeof app->message, fmt, ap);
    va_end(ap);
    log_message(app, error, app->message);
    app->message_is_error = error;
    app->message_at = now;
    app->message_fades_at = 0;
    app->message_yields = false;
    app->dirty |= UI_DIRTY_STATUS;
}

/* Background news shown now; bad news stays UI_MESSAGE_HOLD seconds
 * through keys, so that it is not wiped before it could be read. */
static void show_news(UiApp *app, bool error, const char *text)
{
    ui_set_message(app, error, "%s", text);
    if (error)
        app->news_until = app->message_at + UI_MESSAGE_HOLD;
}

static void background_message(UiApp *app, bool error, const char *text)
{
    if (app->message[0] && hiss_now_seconds() - app->message_at < UI_MESSAGE_HOLD) {
        /* News that arrives together (a server back, and at another rate)
         * waits together: a later line must not hide an earlier one. */
        size_t used = strlen(app->deferred);
        if (!strstr(app->deferred, text))
            snprintf(app->deferred + used, sizeof app->deferred - used, "%s%s",
                     used ? "; " : "", text);
        app->deferred_is_error |= error;
        return;
    }
    show_news(app, error, text);
}

static void show_deferred(UiApp *app)
{
    if (!app->deferred[0])
        return;
    if (app->message[0] && hiss_now_seconds() - app->message_at < UI_MESSAGE_HOLD)
        return;
    char news[sizeof app->deferred];
    snprintf(news, sizeof news, "%s", app->deferred);
    bool error = app->deferred_is_error;
    app->deferred[0] = 0;
    app->deferred_is_error = false;
    show_news(app, error, news);
}

void ui_say_if_silent(UiApp *app, Cell note)
{
    char why[96];
    if (hiss_now_seconds() >= app->news_until &&
        edit_note_silent_reason(app->song, note, why, sizeof why))
        ui_set_message(app, true, "%s", why);
}

HissError ui_report(UiApp *app, HissError err, const char *what)
{
    switch (err) {
    case HISS_OK:
        break;
    case HISS_ERR_BUSY:
        ui_set_message(app, true, "%s: edit mode is off (%s turns it on)",
                       what, "Esc");
        break;
    case HISS_ERR_MISSING:
        ui_set_message(app, true, "%s: nothing there", what);
        break;
    case HISS_ERR_RANGE:
        ui_set_message(app, true, "%s: not possible here", what);
        break;
    default:
        ui_set_message(app, true, "%s: %s", what, hiss_strerror(err));
        break;
    }
    app->dirty |= UI_DIRTY_BODY | UI_DIRTY_HEADER;
    return err;
}

void ui_report_rename(UiApp *app, HissError err, const char *what, const char *typed,
                      const char *kept)
{
    if (ui_report(app, err, what) != HISS_OK)
        return;
    if (strlen(typed) >= SONG_NAME_MAX)
        ui_set_message(app, true, "name cut to %d bytes (the most a name holds): %s",
                       SONG_NAME_MAX - 1, kept);
    else if (!kept[0])
        ui_set_message(app, false, "%s: no name now", what);
    else
        ui_set_message(app, false, "%s: %s", what, kept);
}

void ui_prompt(UiApp *app, const char *label, const char *initial,
               UiPromptDone done)
{
    app->prompting = true;
    app->confirming = false;
    snprintf(app->prompt_label, sizeof app->prompt_label, "%s", label);
    snprintf(app->prompt_buf, sizeof app->prompt_buf, "%s",
             initial ? initial : "");
    app->prompt_len = (int)strlen(app->prompt_buf);
    /* A folder offered (ending in '/') is where a name typed goes on. */
    app->prompt_offered = app->prompt_len > 0 && app->prompt_buf[app->prompt_len - 1] != '/';
    app->prompt_done = done;
    app->dirty |= UI_DIRTY_STATUS;
}

void ui_confirm(UiApp *app, const char *text, UiConfirmDone done)
{
    app->confirming = true;
    app->prompting = false;
    snprintf(app->confirm_text, sizeof app->confirm_text, "%s", text);
    app->confirm_done = done;
    app->confirm_choices[0] = 0;
    app->dirty |= UI_DIRTY_STATUS;
}

void ui_confirm_choices(UiApp *app, const char *text, const char *choices,
                        UiConfirmDone done)
{
    ui_confirm(app, text, done);
    snprintf(app->confirm_choices, sizeof app->confirm_choices, "%s", choices);
}

void ui_show_page(UiApp *app, UiPageId page)
{
    if (page < 0 || page >= UI_PAGE_COUNT)
        return;
    if (page == UI_PAGE_HELP && app->page != UI_PAGE_HELP)
        app->help_from = app->page;
    app->page = page;
    if (app->pages[page]->enter)
        app->pages[page]->enter(app);
    app->dirty |= UI_DIRTY_ALL | UI_DIRTY_CLEAR;
}

const EngineStatus *ui_status(const UiApp *app)
{
    return session_status(app->session);
}

void ui_play_toggle(UiApp *app)
{
    if (ui_is_playing(app))
        session_stop(app->session);
    else
        ui_play_from_order(app);
}

bool ui_is_playing(const UiApp *app)
{
    return session_playing(app->session);
}

/* ---- engine commands ---- */

void ui_send(UiApp *app, EngineCommandType type, int a, int b, int c,
             void *ptr)
{
    session_send(app->session, type, a, b, c, ptr);
}

static void retire_object(void *ctx, EditRetireKind kind, void *ptr)
{
    UiApp *app = ctx;
    session_retire(app->session, kind, ptr);
}

void ui_preview_note(UiApp *app, int slot, int note)
{
    if (note < NOTE_FIRST || note > NOTE_LAST)
        return;
    if (slot <= 0)
        slot = app->ed->instrument;
    if (slot <= 0 || slot > SONG_MAX_INSTRUMENTS)
        return;
    /* An audition heard as nothing says why, as a written note does. */
    ui_say_if_silent(app, (Cell){.note = (uint8_t)note, .instrument = (uint8_t)slot,
                                 .volume = VOLUME_EMPTY});
    const Instrument *inst = song_instrument(app->song, slot);
    if (!inst)
        return;
    session_preview_note(app->session, slot, note, VOLUME_MAX);
    /* Without key-release events a looped sound would ring forever. */
    if (inst->loop != LOOP_OFF)
        app->preview_release_at = hiss_now_seconds() + UI_PREVIEW_HOLD;
}

const char *ui_cue_at_name(int at)
{
    return perform_cue_at_name(at);
}

void ui_set_tempo(UiApp *app, int bpm_tenths)
{
    ui_report(app, perform_set_tempo(&app->perform, bpm_tenths), "tempo");
    app->dirty |= UI_DIRTY_HEADER;
}

/* What a live gesture or a MIDI binding says goes to the status line. */
static void gesture_news(void *ctx, bool trouble, const char *text)
{
    UiApp *app = ctx;
    ui_set_message(app, trouble, "%s", text);
    app->dirty |= UI_DIRTY_HEADER | UI_DIRTY_BODY;
}

/* A bound play/stop plays from the order entry the editor is on. */
static void gesture_play_toggle(void *ctx)
{
    UiApp *app = ctx;
    ui_play_toggle(app);
    app->dirty |= UI_DIRTY_HEADER;
}

static void gesture_record_toggle(void *ctx)
{
    ui_record_toggle(ctx);
}

/* Undo and redo put the song's tempo back; the playing engine follows. */
static void follow_tempo(UiApp *app, int bpm_before, int speed_before)
{
    int bpm = atomic_load(&app->song->bpm_tenths), speed = atomic_load(&app->song->speed);
    session_set_tempo(app->session, bpm != bpm_before ? bpm : 0,
                      speed != speed_before ? speed : 0);
}

void ui_song_dir(const UiApp *app, char *out, size_t size)
{
    if (app->path[0]) {
        snprintf(out, size, "%s", app->path);
        char *slash = strrchr(out, '/');
        if (slash && slash != out)
            *slash = 0;
        else if (slash)
            slash[1] = 0;
        else if (!getcwd(out, size))
            snprintf(out, size, ".");
    } else if (!getcwd(out, size)) {
        snprintf(out, size, ".");
    }
}

/* ---- songs: new, open, save ---- */

/* The song on disk (defined below, after saving). */
static const char *recovery_song(const UiApp *app);
static void song_opened_on_disk(UiApp *app, const char *said, bool error);
static void song_saved_on_disk(UiApp *app, bool moved);
static bool save_target_refused(UiApp *app, const char *path, bool moving);
static bool save_may_overwrite(UiApp *app);
static void watch_disk(UiApp *app);

/* Hands `song` to the engine and the editor; the old one comes back on the
 * engine's return ring and is freed there. */
static void reset_autosave(UiApp *app)
{
    autosave_init(&app->autosave, app->autosave_interval, hiss_now_seconds(),
                  app->ed->change_count, autosave_song_shape(app->song));
    app->changes_on_disk = app->ed->change_count;
}

/* The song is being left (quit, a new song, another opened). Its recovery
 * file goes when the user chose not to save, and also when nothing is
 * unsaved but this session wrote one: then it holds edits since undone,
 * and reopening would offer them back. A file left by an earlier session
 * that the user chose to keep for later is not this session's to remove. */
static void leave_song(UiApp *app)
{
    bool wrote = app->autosave.written_changes != app->changes_on_disk;
    if (edit_is_dirty(app->ed) || wrote) {
        HissDiag ignored;
        recovery_discard(recovery_song(app), &ignored);
    }
}

static void retire_instrument(void *ctx, Instrument *old)
{
    ui_send(ctx, ENGINE_CMD_RETIRE_INSTRUMENT, 0, 0, 0, old);
}

static void start_loader(UiApp *app)
{
    ui_loader_free(app->loader);
    app->loader = ui_loader_start(app->song, app->path, app->rate);
    app->dirty |= UI_DIRTY_STATUS;
}

static void install_song(UiApp *app, Song *song, const char *path)
{
    leave_song(app);
    /* The loader compares slots of the old song: stop it first. */
    ui_loader_free(app->loader);
    app->loader = NULL;
    session_install_song(app->session, song);
    ui_record_reset(app);
    app->song = song;
    edit_set_song(app->ed, song);
    edit_set_edit_mode(app->ed, true);
    snprintf(app->path, sizeof app->path, "%s", path ? path : "");
    app->import_from[0] = 0;
    /* News held back about the song left (its missing samples) is not
     * about this one. */
    app->deferred[0] = 0;
    app->deferred_is_error = false;
    app->news_until = 0;
    ui_pattern_reset_view(app);
    reset_autosave(app);
    ui_reference_open(app);
    app->dirty |= UI_DIRTY_ALL | UI_DIRTY_CLEAR;
}

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 || errno != ENOENT;
}

/* Whether the folder a song file would go in is missing: a mistyped
 * path. Saving there would fail; hiss never makes the folder unasked. */
static bool folder_missing(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return false;
    char dir[UI_PATH_MAX];
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    struct stat st;
    return stat(dir, &st) != 0 && (errno == ENOENT || errno == ENOTDIR);
}

/* What opening a name no file has says (as an editor says "[New]"): a
 * new song; and when the folder is not there either, so that a typo is
 * seen now rather than at the first save, that saving asks for a name.
 * True when that is worth the error colour. */
static bool new_song_note(const char *path, char *out, size_t size)
{
    if (folder_missing(path)) {
        snprintf(out, size, "%s: no such file or folder: a new song; saving asks for a name",
                 path);
        return true;
    }
    snprintf(out, size, "%s: no such file: a new song, created on first save", path);
    return false;
}

/* Loads path into a new song; false (with a message) when it cannot. */
static bool open_path(UiApp *app, const char *path)
{
    if (!file_exists(path)) {
        Song *song = song_new();
        if (!song) {
            ui_set_message(app, true, "out of memory");
            return false;
        }
        install_song(app, song, path);
        char note[UI_PATH_MAX + 120];
        bool typo = new_song_note(path, note, sizeof note);
        song_opened_on_disk(app, note, typo);
        return true;
    }
    Song *song = NULL;
    HissDiag diag;
    char note[600];
    if (ui_file_load_song(path, &song, &diag, note, sizeof note) != HISS_OK) {
        ui_set_message(app, true, "%s", diag.text);
        return false;
    }
    /* A module is converted: the song is saved beside it as a .hiss. */
    char target[UI_PATH_MAX];
    bool module = loader_is_foreign(path);
    if (module)
        ui_file_import_target(path, target, sizeof target);
    install_song(app, song, module ? target : path);
    snprintf(app->import_from, sizeof app->import_from, "%s", module ? path : "");
    start_loader(app);
    if (module) {
        song_opened_on_disk(app, note, false);
    } else {
        char opened[UI_PATH_MAX + 16];
        snprintf(opened, sizeof opened, "opened %s", path);
        song_opened_on_disk(app, opened, false);
        /* Missing samples, found a moment later, take the place of a
         * plain "opened" at once (not of what the lock said). */
        app->message_yields = !app->read_only;
    }
    return true;
}

/* Sample paths are written relative to the song file, so a song moving
 * from `from` to `to` takes its sample paths along. An empty `from` is a
 * song not yet saved, whose samples are named by absolute paths; an empty
 * `to` turns relative paths back into absolute ones. */
typedef struct {
    const char *from, *to;
} SongMove;

static bool move_sample_path(void *ctx, const char *path, char *out,
                             size_t size)
{
    const SongMove *m = ctx;
    if (!path[0])
        return false;
    if (!m->to[0]) {
        char joined[SONG_PATH_MAX + 4096];
        if (path[0] == '/' ||
            !songio_resolve(m->from, path, joined, sizeof joined))
            return false;
        char real[PATH_MAX];
        const char *abs = realpath(joined, real) ? real : joined;
        int n = snprintf(out, size, "%s", abs);
        return n >= 0 && (size_t)n < size;
    }
    if (!m->from[0])
        /* An absolute path is one relative to the root directory. */
        return path[0] == '/' &&
               songio_rebase_path("/", m->to, path + 1, out, size);
    return path[0] != '/' &&
           songio_rebase_path(m->from, m->to, path, out, size);
}

static bool song_moves(const UiApp *app, const char *path)
{
    return path != app->path && strcmp(path, app->path);
}

static bool save_to(UiApp *app, const char *path)
{
    HissDiag diag;
    if (loader_is_foreign(path)) {
        ui_set_message(app, true, "not saved: %s names a module; hiss saves .hiss songs",
                       path);
        return false;
    }
    bool moving = song_moves(app, path);
    char from[sizeof app->path];
    snprintf(from, sizeof from, "%s", app->path);
    SongMove there = {from, path};
    if (moving &&
        edit_instruments_map_paths(app->ed, move_sample_path, &there) != HISS_OK) {
        ui_set_message(app, true, "not saved: out of memory");
        return false;
    }
    if (save_target_refused(app, path, moving))
        return false;
    /* The reference track's path moves with the song, as the samples' do. */
    char reference_was[SONG_PATH_MAX];
    snprintf(reference_was, sizeof reference_was, "%s", app->song->reference);
    if (moving && reference_was[0])
        move_sample_path(&there, reference_was, app->song->reference,
                         sizeof app->song->reference);
    /* A converted module's samples are written beside the song first. */
    HissError saved = songio_has_unsaved_samples(app->song)
                          ? ui_file_save_converted(app->song, path, app->import_from,
                                                   retire_instrument, app, &diag)
                          : ui_file_save(app->song, path, &diag);
    if (saved != HISS_OK) {
        if (moving) {
            /* Back to naming the samples from where the song still is. */
            SongMove back = {path, from};
            edit_instruments_map_paths(app->ed, move_sample_path, &back);
            snprintf(app->song->reference, sizeof app->song->reference, "%s", reference_was);
        }
        ui_set_message(app, true, "not saved: %s", diag.text);
        return false;
    }
    HissDiag ignored;
    /* recovery: after "save as", the old name's recovery file (or a new
     * song's untitled one in the state directory) is obsolete too. */
    if (moving)
        recovery_discard(recovery_song(app), &ignored);
    if (path != app->path)
        snprintf(app->path, sizeof app->path, "%s", path);
    song_saved_on_disk(app, moving || app->read_only);
    edit_mark_saved(app->ed);
    autosave_song_saved(&app->autosave, hiss_now_seconds(), app->ed->change_count,
                        autosave_song_shape(app->song));
    app->changes_on_disk = app->ed->change_count;
    recovery_discard(recovery_song(app), &ignored);
    ui_set_message(app, false, "saved %s", path);
    app->dirty |= UI_DIRTY_HEADER;
    return true;
}

static void run_after_save(UiApp *app)
{
    void (*next)(UiApp *) = app->after_save;
    app->after_save = NULL;
    if (next)
        next(app);
}

static void save_as_done(UiApp *app, const char *text)
{
    if (!text || !text[0]) {
        app->after_save = NULL;
        ui_set_message(app, false, "not saved");
        return;
    }
    if (save_to(app, text))
        run_after_save(app);
    else
        app->after_save = NULL;
}

/* Saves (asking for a name when the song has none); after_save runs once
 * the song is safely on disk. */
static void save(UiApp *app, void (*after)(UiApp *))
{
    app->after_save = after;
    if (!app->path[0]) {
        char offer[UI_PATH_MAX] = "";
        if (app->import_from[0])
            ui_file_import_suggestion(app->import_from, offer, sizeof offer);
        ui_prompt(app, "Save as", offer, save_as_done);
        return;
    }
    if (!save_may_overwrite(app))
        return;
    if (!file_exists(app->path) && folder_missing(app->path)) {
        ui_prompt(app, "Save as (that folder does not exist)", app->path, save_as_done);
        return;
    }
    if (save_to(app, app->path))
        run_after_save(app);
    else
        app->after_save = NULL;
}

static void do_quit(UiApp *app)
{
    app->quit = true;
    /* Leaving without saving is a choice: nothing is left to recover. */
    leave_song(app);
}


/* ---- the song on disk: one editor per song, changes made elsewhere ---- */

#define UI_DISK_CHECK_SECONDS 2.0

/* A read-only session's edits are its own: they never go to (or remove)
 * the recovery file of the editor that holds the song. */
static const char *recovery_song(const UiApp *app)
{
    return app->read_only ? NULL : app->path;
}

static void note_disk(UiApp *app)
{
    if (!app->path[0] || fileio_stamp(app->path, &app->disk) != HISS_OK)
        memset(&app->disk, 0, sizeof app->disk);
    app->disk_asked = false;
    app->disk_checked_at = hiss_now_seconds();
}

/* Takes the lock of path, dropping the one held; read-only when another
 * hiss holds it. Only the holder removes the temporary files that killed
 * saves left: nobody else can be writing them. msg receives what the user
 * should know ("" when nothing). */
static void claim_song(UiApp *app, const char *path, char *msg, size_t cap)
{
    msg[0] = 0;
    songlock_release(&app->lock);
    app->read_only = false;
    if (!path || !path[0])
        return;
    char why[400];
    HissError err = songlock_acquire(&app->lock, path, why, sizeof why);
    if (err == HISS_ERR_BUSY) {
        app->read_only = true;
        snprintf(msg, cap, "read-only: %s is %s; save as another name to "
                 "keep your edits", path, why);
        return;
    }
    int cleaned = 0;
    if (err == HISS_OK)
        cleaned = recovery_clean_song_temps(path);
    else if (err == HISS_ERR_UNSUPPORTED || !file_exists(path))
        why[0] = 0; /* a folder nobody may write, or a new song in a folder
                       not made yet: nothing to protect */
    if (why[0] && cleaned)
        snprintf(msg, cap, "%s; removed %d temporary file%s of interrupted "
                 "saves", why, cleaned, cleaned == 1 ? "" : "s");
    else if (cleaned)
        snprintf(msg, cap, "removed %d temporary file%s of interrupted saves",
                 cleaned, cleaned == 1 ? "" : "s");
    else
        snprintf(msg, cap, "%s", why);
}

static void claim_at_start(UiApp *app, const char *path, char *msg,
                           size_t cap)
{
    songlock_init(&app->lock);
    claim_song(app, path, msg, cap);
}

/* A song that could not be read starts a new, unnamed one: the lock taken
 * for its path (and what it said) is not this session's any more. */
static void settle_start_lock(UiApp *app, char *lock_msg)
{
    if (!app->path[0]) {
        songlock_release(&app->lock);
        app->read_only = false;
        lock_msg[0] = 0;
    }
    note_disk(app);
}

/* The lock's news joins a message (the start-up one, or what opening a
 * song said): first when the song is read-only here (it decides what
 * saving does), after the rest otherwise (a stale lock taken over matters
 * less than restored edits). */
static void startup_message_add(char *startup, size_t cap, const char *news,
                                bool *error, bool read_only)
{
    if (!news[0])
        return;
    char rest[600];
    snprintf(rest, sizeof rest, "%s", startup);
    const char *one = read_only ? news : rest, *two = read_only ? rest : news;
    if (!rest[0])
        snprintf(startup, cap, "%s", news);
    else
        snprintf(startup, cap, "%.300s; %.250s", one, two);
    *error = *error || read_only;
}

/* Takes the lock of the song just installed, and says `said` with what
 * the lock has to say joined to it (first when the song is read-only
 * here, so "opened" never hides that). */
static void song_opened_on_disk(UiApp *app, const char *said, bool error)
{
    char msg[600], text[UI_PATH_MAX + 700];
    claim_song(app, app->path, msg, sizeof msg);
    note_disk(app);
    snprintf(text, sizeof text, "%s", said);
    startup_message_add(text, sizeof text, msg, &error, app->read_only);
    ui_set_message(app, error, "%s", text);
}

static void song_saved_on_disk(UiApp *app, bool moved)
{
    if (moved) {
        char msg[600];
        claim_song(app, app->path, msg, sizeof msg);
    }
    note_disk(app);
}

/* Save as onto a song another hiss has open would pull it from under it;
 * so would a read-only session saving under the song's own name. When
 * that editor has quit since, the file may still have changed here. */
static bool save_target_refused(UiApp *app, const char *path, bool moving)
{
    if (!moving && !app->read_only)
        return false;
    SongLockOwner owner;
    if (songlock_busy(path, &owner)) {
        ui_set_message(app, true, "not saved: %s is open in another hiss (pid "
                       "%ld on %s)", path, owner.pid, owner.host);
        return true;
    }
    bool changed = false;
    if (!moving &&
        fileio_stamp_check(path, &app->disk, &changed) == HISS_OK && changed) {
        ui_set_message(app, true, "not saved: %s changed on disk since it was "
                       "opened here; save as another name", path);
        return true;
    }
    return false;
}

static void disk_answer(UiApp *app, int choice)
{
    char path[sizeof app->path];
    snprintf(path, sizeof path, "%s", app->path);
    switch (choice) {
    case 'o':
        if (save_to(app, path))
            run_after_save(app);
        else
            app->after_save = NULL;
        break;
    case 's':
        ui_prompt(app, "Save as", "", save_as_done);
        break;
    case 'r':
        app->after_save = NULL;
        open_path(app, path);
        break;
    default:
        app->after_save = NULL;
        ui_set_message(app, false, "not saved: hiss asks again at the next "
                       "save");
        break;
    }
}

static void ask_disk_changed(UiApp *app)
{
    app->disk_asked = true;
    const char *slash = strrchr(app->path, '/');
    char q[160];
    snprintf(q, sizeof q, "%.24s changed on disk: (o)verwrite (s)ave as "
             "(r)eload (c)ancel", slash ? slash + 1 : app->path);
    ui_confirm_choices(app, q, "osr", disk_answer);
}

/* Before saving over the song: a read-only session saves under another
 * name, and a file changed since hiss read or wrote it is never
 * overwritten without asking. True when the save goes on now. */
static bool save_may_overwrite(UiApp *app)
{
    if (app->read_only) {
        ui_set_message(app, true, "read-only: the song is open in another "
                       "hiss; save as another name");
        ui_prompt(app, "Save as", "", save_as_done);
        return false;
    }
    bool changed = false;
    if (fileio_stamp_check(app->path, &app->disk, &changed) == HISS_OK &&
        changed) {
        ask_disk_changed(app);
        return false;
    }
    return true;
}

/* Every few seconds: has someone else (another editor, git, sed) changed
 * the song? Asked once per change; the next save asks again. */
static void watch_disk(UiApp *app)
{
    if (!app->path[0] || app->disk_asked || app->prompting || app->confirming)
        return;
    double now = hiss_now_seconds();
    if (now - app->disk_checked_at < UI_DISK_CHECK_SECONDS)
        return;
    app->disk_checked_at = now;
    bool changed = false;
    if (fileio_stamp_check(app->path, &app->disk, &changed) == HISS_OK &&
        changed)
        ask_disk_changed(app);
}

static void (*pending_discard_action)(UiApp *);

static void discard_answer(UiApp *app, int choice)
{
    void (*action)(UiApp *) = pending_discard_action;
    pending_discard_action = NULL;
    if (choice == 'y')
        save(app, action);
    else if (choice == 'n')
        action(app);
    else
        ui_set_message(app, false, "cancelled");
}

/* Runs action now, or after asking what to do with unsaved changes. */
static void unless_unsaved(UiApp *app, const char *what, void (*action)(UiApp *))
{
    if (!edit_is_dirty(app->ed)) {
        action(app);
        return;
    }
    pending_discard_action = action;
    char q[160];
    snprintf(q, sizeof q, "Save changes before %s? (y)es (n)o (c)ancel", what);
    ui_confirm(app, q, discard_answer);
}

static void open_done(UiApp *app, const char *text)
{
    if (text && text[0])
        open_path(app, text);
}

static void ask_open(UiApp *app)
{
    char dir[UI_PATH_MAX];
    ui_song_dir(app, dir, sizeof dir);
    size_t n = strlen(dir);
    if (n + 1 < sizeof dir && (n == 0 || dir[n - 1] != '/'))
        strcat(dir, "/");
    ui_prompt(app, "Open", dir, open_done);
}

static void new_song(UiApp *app)
{
    Song *song = song_new();
    if (!song) {
        ui_set_message(app, true, "out of memory");
        return;
    }
    install_song(app, song, NULL);
    song_opened_on_disk(app, "new song", false);
}

/* ---- play ---- */

static void play_from(UiApp *app, int row)
{
    Editor *ed = app->ed;
    int pattern = ed->cursor.pattern;
    int count = atomic_load(&app->song->order_count);
    int order = -1;
    if (ed->order_pos < count && atomic_load(&app->song->orders[ed->order_pos]) == pattern)
        order = ed->order_pos;
    for (int i = 0; order < 0 && i < count; i++)
        if (atomic_load(&app->song->orders[i]) == pattern)
            order = i;
    if (order >= 0)
        session_play_song(app->session, order, row);
    else
        session_play_pattern(app->session, pattern, row);
}

void ui_play_from_order(UiApp *app)
{
    int count = atomic_load(&app->song->order_count);
    if (count > 0)
        session_play_song(app->session, hiss_clampi(app->ed->order_pos, 0, count - 1), 0);
    else
        session_play_pattern(app->session, app->ed->cursor.pattern, 0);
}

/* ---- global actions ---- */

static void handle_global(UiApp *app, KeymapAction act)
{
    Editor *ed = app->ed;
    switch (act) {
    case ACT_QUIT:
        unless_unsaved(app, "quitting", do_quit);
        break;
    case ACT_SAVE:
        save(app, NULL);
        break;
    case ACT_SAVE_AS:
        app->after_save = NULL;
        ui_prompt(app, "Save as", app->path, save_as_done);
        break;
    case ACT_OPEN:
        unless_unsaved(app, "opening another song", ask_open);
        break;
    case ACT_NEW_SONG:
        unless_unsaved(app, "starting a new song", new_song);
        break;
    case ACT_UNDO:
    case ACT_REDO: {
        bool undo = act == ACT_UNDO;
        int bpm = atomic_load(&app->song->bpm_tenths), speed = atomic_load(&app->song->speed);
        if ((undo ? edit_undo(ed) : edit_redo(ed)) == HISS_OK) {
            /* Name what moved, as the step that a redo/undo would now
             * take is the one just applied. */
            const UndoStep *step = undo ? undo_next_redo(&ed->history)
                                        : undo_next_undo(&ed->history);
            char what[160] = "";
            if (step)
                undo_step_describe(step, undo, what, sizeof what);
            ui_set_message(app, false, "%s: %s", undo ? "undone" : "redone", what);
            follow_tempo(app, bpm, speed);
        } else {
            ui_set_message(app, false, undo ? "nothing to undo" : "nothing to redo");
        }
        app->dirty |= UI_DIRTY_ALL;
        break;
    }
    case ACT_REDRAW:
        app->dirty |= UI_DIRTY_ALL | UI_DIRTY_CLEAR;
        clearok(curscr, TRUE);
        break;
    case ACT_HELP:
        ui_show_page(app, UI_PAGE_HELP);
        break;
    case ACT_PAGE_PATTERN:
        ui_show_page(app, UI_PAGE_PATTERN);
        break;
    case ACT_PAGE_ORDERS:
        ui_show_page(app, UI_PAGE_ORDERS);
        break;
    case ACT_PAGE_INSTRUMENTS:
        ui_show_page(app, UI_PAGE_INSTRUMENTS);
        break;
    case ACT_PAGE_BROWSER:
        ui_browser_open_for_slot(app, 0); /* the current instrument's */
        break;
    case ACT_PAGE_SETTINGS:
        ui_show_page(app, UI_PAGE_SETTINGS);
        break;
    case ACT_PAGE_MIXER:
        ui_show_page(app, UI_PAGE_MIXER);
        break;
    case ACT_PLAY_TOGGLE:
        ui_play_toggle(app);
        break;
    case ACT_PLAY_SONG:
        session_play_song(app->session, 0, 0);
        break;
    case ACT_PLAY_PATTERN:
        session_play_pattern(app->session, ed->cursor.pattern, 0);
        break;
    case ACT_PLAY_FROM_CURSOR:
        play_from(app, ed->cursor.row);
        break;
    case ACT_STOP:
        session_stop(app->session);
        break;
    case ACT_MIDI_LEARN_MODE:
        ui_learn_mode(app);
        break;
    case ACT_RECONNECT:
        if (!session_audio(app->session)) {
            /* Only a device that once opened can be reconnected. */
            ui_set_message(app, true, "no audio device opened at start: quit and start hiss "
                                      "again once the sound server runs");
        } else if (session_reconnect(app->session) == HISS_OK) {
            ui_set_message(app, false, "audio reconnected (%s)",
                           audio_name(session_audio(app->session)));
        } else {
            ui_set_message(app, true, "audio: still no server; try again");
        }
        app->dirty |= UI_DIRTY_HEADER;
        break;
    case ACT_REFERENCE_TOGGLE:
        ui_reference_toggle(app);
        break;
    case ACT_REFERENCE_LOAD:
        ui_reference_ask(app);
        break;
    case ACT_BOUNCE_STEMS:
        ui_bounce_start(app);
        break;
    case ACT_OCTAVE_DOWN:
        edit_set_octave(ed, ed->octave - 1);
        app->dirty |= UI_DIRTY_HEADER;
        break;
    case ACT_OCTAVE_UP:
        edit_set_octave(ed, ed->octave + 1);
        app->dirty |= UI_DIRTY_HEADER;
        break;
    default:
        if (act >= ACT_NOTE_C0 && act <= ACT_NOTE_E2)
            ui_preview_note(app, 0,
                            edit_note_for_offset(ed, (int)(act - ACT_NOTE_C0)));
        break;
    }
}

/* ---- input ---- */

/* Terminal input -> keymap code; -1 for keys we ignore, -2 for a resize. */
static int translate_key(int r, wint_t ch)
{
    if (r == KEY_CODE_YES) {
        switch (ch) {
        case KEY_RESIZE: return -2;
        case KEY_UP: return KEYMAP_KEY_UP;
        case KEY_DOWN: return KEYMAP_KEY_DOWN;
        case KEY_LEFT: return KEYMAP_KEY_LEFT;
        case KEY_RIGHT: return KEYMAP_KEY_RIGHT;
        case KEY_PPAGE: return KEYMAP_KEY_PPAGE;
        case KEY_NPAGE: return KEYMAP_KEY_NPAGE;
        case KEY_HOME: return KEYMAP_KEY_HOME;
        case KEY_END: return KEYMAP_KEY_END;
        case KEY_IC: return KEYMAP_KEY_INSERT;
        case KEY_DC: return KEYMAP_KEY_DELETE;
        case KEY_SR: return KEYMAP_KEY_S_UP;
        case KEY_SF: return KEYMAP_KEY_S_DOWN;
        case KEY_SLEFT: return KEYMAP_KEY_S_LEFT;
        case KEY_SRIGHT: return KEYMAP_KEY_S_RIGHT;
        case KEY_SHOME: return KEYMAP_KEY_S_HOME;
        case KEY_SEND: return KEYMAP_KEY_S_END;
        case KEY_BTAB: return KEYMAP_KEY_S_TAB;
        case KEY_BACKSPACE: return KEYMAP_KEY_BACKSPACE;
        case KEY_ENTER: return KEYMAP_KEY_ENTER;
        default:
            if (ch >= KEY_F(1) && ch <= KEY_F(12))
                return KEYMAP_KEY_F1 + (int)(ch - KEY_F(1));
            return -1;
        }
    }
    if (ch == '\n' || ch == '\r')
        return KEYMAP_KEY_ENTER;
    if (ch == 8 || ch == 127)
        return KEYMAP_KEY_BACKSPACE;
    return (int)ch;
}

static void prompt_key(UiApp *app, int r, wint_t ch, int key)
{
    app->dirty |= UI_DIRTY_STATUS;
    if (key == KEYMAP_KEY_ENTER || key == KEYMAP_KEY_ESC || key == 7) {
        app->prompting = false;
        UiPromptDone done = app->prompt_done;
        app->prompt_done = NULL;
        if (key == KEYMAP_KEY_ENTER) {
            if (done)
                done(app, app->prompt_buf);
        } else {
            app->after_save = NULL;
            ui_set_message(app, false, "cancelled");
        }
        return;
    }
    bool typed = r == OK && ch >= 32 && ch != 127;
    if (app->prompt_offered && typed && key != KEYMAP_KEY_BACKSPACE) {
        /* As most line inputs do: typing replaces the value offered. */
        app->prompt_len = 0;
        app->prompt_buf[0] = 0;
    }
    app->prompt_offered = false;
    if (key == KEYMAP_KEY_BACKSPACE) {
        /* Drop one whole UTF-8 character. */
        while (app->prompt_len > 0) {
            unsigned char c = (unsigned char)app->prompt_buf[--app->prompt_len];
            if ((c & 0xC0) != 0x80)
                break;
        }
        app->prompt_buf[app->prompt_len] = 0;
        return;
    }
    if (key == 21) { /* C-u clears, as in a shell */
        app->prompt_len = 0;
        app->prompt_buf[0] = 0;
        return;
    }
    if (!typed)
        return;
    char mb[MB_LEN_MAX];
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t n = wcrtomb(mb, (wchar_t)ch, &st);
    if (n == (size_t)-1 || app->prompt_len + (int)n >= (int)sizeof app->prompt_buf)
        return;
    memcpy(app->prompt_buf + app->prompt_len, mb, n);
    app->prompt_len += (int)n;
    app->prompt_buf[app->prompt_len] = 0;
}

/* A question with its own letters (ui_confirm_choices): the letter, 0 to
 * cancel, -1 for a key that does not answer. */
static int choice_answer(const UiApp *app, int key)
{
    int lower = key >= 'A' && key <= 'Z' ? key - 'A' + 'a' : key;
    if (lower > 0 && lower < 127 && strchr(app->confirm_choices, lower))
        return lower;
    if (lower == 'c' || key == KEYMAP_KEY_ESC || key == 7)
        return 0;
    return -1;
}

static void confirm_key(UiApp *app, int key)
{
    int choice;
    if (app->confirm_choices[0]) {
        choice = choice_answer(app, key);
        if (choice < 0)
            return;
    } else if (key == 'y' || key == 'Y')
        choice = 'y';
    else if (key == 'n' || key == 'N')
        choice = 'n';
    else if (key == 'c' || key == 'C' || key == KEYMAP_KEY_ESC || key == 7)
        choice = 0;
    else
        return;
    app->confirming = false;
    app->dirty |= UI_DIRTY_STATUS;
    UiConfirmDone done = app->confirm_done;
    app->confirm_done = NULL;
    if (done)
        done(app, choice);
}

static void handle_key(UiApp *app, int r, wint_t ch, int key)
{
    if (app->prompting) {
        prompt_key(app, r, ch, key);
        return;
    }
    if (app->confirming) {
        confirm_key(app, key);
        return;
    }
    if (app->message[0] && hiss_now_seconds() >= app->news_until) {
        app->message[0] = 0;
        app->dirty |= UI_DIRTY_STATUS;
    }
    const UiPage *page = app->pages[app->page];
    KeymapAction act = keymap_lookup(&app->keymap, page->ctx, key);
    if (app->too_small) {
        /* Blind edits would be a surprise: only the safe keys work. */
        if (act == ACT_QUIT || act == ACT_SAVE || act == ACT_PLAY_TOGGLE ||
            act == ACT_STOP || act == ACT_REDRAW)
            handle_global(app, act);
        return;
    }
    if (ui_learn_key(app, key, act))
        return;
    if (page->handle && page->handle(app, key, act))
        return;
    handle_global(app, act);
}

/* ---- header and status line ---- */

static const char *audio_label(const UiApp *app, char *buf, size_t size)
{
    const Audio *audio = session_audio(app->session);
    if (!audio)
        return "no audio";
    switch (audio_state(audio)) {
    case AUDIO_STATE_RUNNING: {
        const char *name = audio_name(audio);
        size_t i = 0;
        for (; name && name[i] && i + 1 < size; i++)
            buf[i] = (char)((name[i] >= 'a' && name[i] <= 'z') ? name[i] - 32 : name[i]);
        buf[i] = 0;
        if (!strcmp(buf, "NULL"))
            snprintf(buf, size, "null");
        return buf;
    }
    case AUDIO_STATE_SERVER_GONE: return "JACK server gone";
    case AUDIO_STATE_FAILED: return "audio failed";
    case AUDIO_STATE_STOPPED: return "audio stopped";
    }
    return "audio ?";
}

int ui_meter_cells(uint32_t peak_milli, int cells)
{
    if (peak_milli == 0)
        return 0;
    double db = 20.0 * log10((double)peak_milli / 1000.0);
    /* -40 dB .. 0 dB over the cells; anything audible lights one. */
    int lit = (int)ceil((db + 40.0) / 40.0 * cells);
    return hiss_clampi(lit, 1, cells);
}

/* The mixer page's meter m (a channel's, or a return's): the level falls
 * back a quarter a read (a needle, not a flicker), the hold stays
 * UI_HOLD_SECONDS. */
#define UI_HOLD_SECONDS 2.0
static void update_mix_meter(UiApp *app, int c, uint32_t peak, double now)
{
    /* Rounded up, so a low level falls all the way to silence. */
    uint32_t level = app->mix_level[c] - (app->mix_level[c] + 3) / 4;
    level = peak > level ? peak : level;
    uint32_t hold = app->mix_hold[c];
    if (peak >= hold || now - app->mix_hold_at[c] > UI_HOLD_SECONDS) {
        hold = peak > level ? peak : level;
        app->mix_hold_at[c] = now;
    }
    if (level != app->mix_level[c] || hold != app->mix_hold[c])
        app->mix_moved = true;
    app->mix_level[c] = level;
    app->mix_hold[c] = hold;
}

/* A gain reduction shown on the mixer page from the deepest since the
 * last read (exchanged with 0): a deeper one at once, a shallower one
 * after UI_REDUCTION_HOLD seconds. */
#define UI_REDUCTION_HOLD 1.0
static void update_reduction(UiApp *app, UiReduction *r, _Atomic uint32_t *deepest, double now)
{
    uint32_t v = atomic_exchange(deepest, 0);
    if (v < r->shown && now - r->at < UI_REDUCTION_HOLD)
        return;
    if (v != r->shown)
        app->mix_moved = true;
    r->shown = v;
    r->at = now;
}

/* The channels' meters: the peak of each bus since the last look, the
 * returns' and the reductions of each compressor and ducker. */
static void update_channel_meters(UiApp *app, EngineStatus *st)
{
    double now = hiss_now_seconds();
    for (int c = 0; c < SONG_MAX_CHANNELS; c++) {
        uint32_t peak = atomic_exchange(&st->channel_peak_milli[c], 0);
        update_mix_meter(app, c, peak, now);
        update_reduction(app, &app->mix_duck[c], &st->duck_centi_db[c], now);
        update_reduction(app, &app->mix_comp[c], &st->comp_centi_db[c], now);
        uint32_t rms = atomic_load(&st->channel_rms_milli[c]);
        if (rms != app->mix_rms[c]) {
            app->mix_rms[c] = rms;
            app->mix_moved = true;
        }
        int level = ui_meter_cells(peak, UI_CHANNEL_METER_CELLS);
        if (level < app->channel_meter[c] - 1)
            level = app->channel_meter[c] - 1;
        if (level != app->channel_meter[c]) {
            app->channel_meter[c] = level;
            app->channel_meters_moved = true;
            app->dirty |= UI_DIRTY_PLAYROW;
        }
    }
    for (int k = 0; k < SONG_SENDS; k++)
        update_mix_meter(app, UI_MIX_RETURN + k, atomic_exchange(&st->send_peak_milli[k], 0),
                         now);
    update_reduction(app, &app->mix_glue, &st->glue_centi_db, now);
    uint32_t limit = atomic_load(&st->limit_max_centi_db);
    if (limit != app->limit_most) {
        app->limit_most = limit;
        app->mix_moved = true;
    }
    uint64_t mute = atomic_load(&st->mute_pending), solo = atomic_load(&st->solo_pending);
    if (atomic_load(&st->bars_started) != app->expected_bars || !ui_is_playing(app))
        app->mute_expected_mask = app->solo_expected_mask = 0;
    app->mute_expected_mask &= mute ^ app->mute_expected; /* until the engine agrees */
    app->solo_expected_mask &= solo ^ app->solo_expected;
    mute = (mute & ~app->mute_expected_mask) | (app->mute_expected & app->mute_expected_mask);
    solo = (solo & ~app->solo_expected_mask) | (app->solo_expected & app->solo_expected_mask);
    if (mute != app->mute_pending || solo != app->solo_pending) {
        app->mute_pending = mute;
        app->solo_pending = solo;
        app->channel_meters_moved = app->mix_moved = true;
        app->dirty |= UI_DIRTY_PLAYROW;
    }
}

void ui_expect_pending(UiApp *app, int channel, bool solo, bool pending)
{
    uint64_t bit = UINT64_C(1) << channel;
    uint64_t *shown = solo ? &app->solo_pending : &app->mute_pending;
    uint64_t *expected = solo ? &app->solo_expected : &app->mute_expected;
    app->expected_bars = atomic_load(&ui_status(app)->bars_started);
    *(solo ? &app->solo_expected_mask : &app->mute_expected_mask) |= bit;
    *expected = pending ? *expected | bit : *expected & ~bit;
    *shown = pending ? *shown | bit : *shown & ~bit;
    app->channel_meters_moved = app->mix_moved = true;
}

/* LUFS in tenths, INT32_MIN for silence. */
static int lufs_tenths(double lufs)
{
    return isfinite(lufs) ? (int)lround(lufs * 10.0) : INT32_MIN;
}

/* Takes what the engine's tap holds into the loudness meter (made at the
 * output's rate, again when it changes or after a reset) and reads its
 * figures from it. */
static void update_loudness(UiApp *app, bool read)
{
    if (!app->loudness || app->loudness_rate != app->rate) {
        loudness_free(app->loudness);
        app->loudness = loudness_new(app->rate, LOUDNESS_OPEN_ENDED);
        app->loudness_rate = app->rate;
        if (!app->loudness)
            return;
    }
    static EngineTapBlock block;
    while (session_take_tap(app->session, &block))
        loudness_add(app->loudness, block.data, block.frames);
    if (!read)
        return;
    LoudnessFigures f = loudness_figures(app->loudness);
    int now[] = {lufs_tenths(f.momentary_lufs), lufs_tenths(f.short_term_lufs),
                 lufs_tenths(f.integrated_lufs), lufs_tenths(f.range_lu),
                 lufs_tenths(f.true_peak_dbtp)};
    int *shown[] = {&app->momentary_tenths, &app->short_term_tenths, &app->integrated_tenths,
                    &app->range_tenths, &app->true_peak_tenths};
    for (size_t i = 0; i < HISS_ARRAY_LEN(now); i++)
        if (*shown[i] != now[i]) {
            *shown[i] = now[i];
            app->mix_moved = true;
        }
}

void ui_loudness_reset(UiApp *app)
{
    /* libebur128 keeps every block it measured: a new state is the reset. */
    loudness_free(app->loudness);
    app->loudness = NULL;
    update_loudness(app, true);
}

static void update_meter(UiApp *app)
{
    double now = hiss_now_seconds();
    EngineStatus *st = (EngineStatus *)ui_status(app);
    uint32_t clips = atomic_load(&st->clip_count);
    /* The count restarts at 0 on play: only a rise lights CLIP. */
    if (clips > app->clip_seen) {
        app->clip_until = now + UI_CLIP_HOLD;
        app->dirty |= UI_DIRTY_HEADER;
    }
    app->clip_seen = clips;
    bool due = now - app->meter_at >= UI_METER_PERIOD;
    update_loudness(app, due);
    if (!due)
        return;
    app->meter_at = now;
    /* The engine keeps the highest peak since the last read. */
    uint32_t l = atomic_exchange(&st->peak_left_milli, 0);
    uint32_t r = atomic_exchange(&st->peak_right_milli, 0);
    update_channel_meters(app, st);
    int level = ui_meter_cells(l > r ? l : r, UI_METER_CELLS);
    /* Fall one cell per redraw, like a needle, instead of flickering. */
    if (level < app->meter_level - 1)
        level = app->meter_level - 1;
    if (level != app->meter_level) {
        app->meter_level = level;
        app->dirty |= UI_DIRTY_HEADER;
    }
    if (app->clip_until && now > app->clip_until) {
        app->clip_until = 0;
        app->dirty |= UI_DIRTY_HEADER;
    }
}

static void draw_segment(int y, int *x, attr_t attr, const char *text)
{
    int w = ui_text_width(text);
    if (*x + w > COLS)
        w = COLS - *x;
    if (w <= 0)
        return;
    ui_put(y, *x, w, attr, text);
    *x += w;
}

/* The columns the header's name takes without a title: the file name
 * (or what stands for it) and [+]. */
static int header_name_least(const UiApp *app)
{
    const char *slash = strrchr(app->path, '/');
    const char *file = app->path[0] ? (slash ? slash + 1 : app->path) : "";
    if (!file[0])
        file = app->song->title[0] ? "(not saved)" : "(untitled)";
    return ui_text_width(file) + (edit_is_dirty(app->ed) ? 4 : 0);
}

/* "beat-v2.hiss: Dusty Tape [+]": the file (which version this is
 * matters) and the song's title, in `width` columns. A long title gives
 * way first, marked as cut; then the file name keeps its end. */
static void header_name(const UiApp *app, char *out, size_t size, int width)
{
    const char *slash = strrchr(app->path, '/');
    const char *file = app->path[0] ? (slash ? slash + 1 : app->path) : "";
    const char *title = app->song->title;
    const char *mark = edit_is_dirty(app->ed) ? " [+]" : "";
    const char *more = ui_glyph(UI_G_MORE);
    if (!file[0] && !title[0]) {
        snprintf(out, size, "(untitled)%s", mark);
        return;
    }
    if (!file[0])
        file = "(not saved)";
    snprintf(out, size, "%s%s%s%s", file, title[0] ? ": " : "", title, mark);
    if (ui_text_width(out) <= width)
        return;
    int room = width - ui_text_width(file) - 2 - ui_text_width(mark) -
               ui_text_width(more);
    /* The title stays while a letter of it fits: the mark says it is
     * cut, and [+] coming on must not make it vanish. */
    if (title[0] && room >= 1) {
        /* Cut between words where there is a space to cut at. */
        size_t keep = ui_fit(title, room);
        size_t at_space = title[keep] ? keep : 0;
        while (at_space > 0 && title[at_space] != ' ')
            at_space--;
        while (at_space > 0 && title[at_space - 1] == ' ')
            at_space--;
        if (at_space > 0)
            keep = at_space;
        snprintf(out, size, "%s: %.*s%s%s", file, (int)keep, title,
                 title[keep] ? more : "", mark);
        return;
    }
    /* No room for the title: the file name alone, its end kept. */
    room = width - ui_text_width(mark);
    const char *tail = file;
    while (*tail && ui_text_width(tail) > room - ui_text_width(more))
        tail++;
    snprintf(out, size, "%s%s%s", tail == file ? "" : more, tail, mark);
}

/* "M2", or with changes waiting for the bar "M0+1", "M2-1", "M1+1-1". */
static void pending_count(char *buf, size_t size, char mark, int now, int coming, int going)
{
    int n = snprintf(buf, size, "%c%d", mark, now);
    if (coming && n > 0 && (size_t)n < size)
        n += snprintf(buf + n, size - (size_t)n, "+%d", coming);
    if (going && n > 0 && (size_t)n < size)
        snprintf(buf + n, size - (size_t)n, "-%d", going);
}

/* What plays now, for the clock. */
static UiClockPlace clock_place(UiApp *app)
{
    const EngineStatus *st = ui_status(app);
    return (UiClockPlace){
        .playing = atomic_load(&st->playing),
        .looped = atomic_load(&st->looped),
        .order = atomic_load(&st->order),
        .pattern = atomic_load(&st->pattern),
        .row = atomic_load(&st->row),
        .rows = atomic_load(&st->rows_played),
        .played = session_seconds_played(app->session),
    };
}

static void draw_header(UiApp *app)
{
    Editor *ed = app->ed;
    Song *song = app->song;
    const EngineStatus *st = ui_status(app);
    bool playing = atomic_load(&st->playing);
    char buf[256], right[160], audio[32];
    attr_t hdr = ui_attr(UI_C_HEADER);

    /* Line 0: name, page, title, dirty marker | play state, tempo, audio. */
    int x = 0;
    move(0, 0);
    char page[32];
    snprintf(page, sizeof page, " %-11s ", app->pages[app->page]->title);
    char clock[24];
    UiClockPlace place = clock_place(app);
    ui_clock_text(&app->clock, song, &place, clock, sizeof clock);
    int cued = atomic_load(&st->cue_pattern);
    char cue[16] = "";
    if (playing && cued >= 0) /* marked until it plays */
        snprintf(cue, sizeof cue, " cue P%02X", cued & 0xFF);
    if (playing && place.looped) /* no order entry: the pattern alone */
        snprintf(right, sizeof right, " %s loop P%02X:%03d%s %s ", ui_glyph(UI_G_PLAY),
                 place.pattern & 0xFF, place.row, cue, clock);
    else if (playing)
        snprintf(right, sizeof right, " %s %02X:%02X:%03d%s %s ",
                 ui_glyph(UI_G_PLAY), atomic_load(&st->order) & 0xFF,
                 atomic_load(&st->pattern) & 0xFF, atomic_load(&st->row), cue, clock);
    else
        snprintf(right, sizeof right, " %s stopped %s ", ui_glyph(UI_G_STOP), clock);
    char tempo[48], bpm[SONG_BPM_TEXT];
    song_bpm_text(playing ? atomic_load(&st->bpm_shown_tenths)
                          : atomic_load(&song->bpm_tenths),
                  bpm);
    snprintf(tempo, sizeof tempo, "%3s BPM spd %-2d ", bpm,
             playing ? atomic_load(&st->speed) : atomic_load(&song->speed));
    const char *alabel = audio_label(app, audio, sizeof audio);
    const Audio *audio_now = session_audio(app->session);
    uint32_t xr = audio_now ? audio_xruns(audio_now) : 0;
    char audiobuf[64];
    /* The count shows once there is one (help says what it means). */
    if (xr)
        snprintf(audiobuf, sizeof audiobuf, "%s %s %u", alabel,
                 audio_xrun_name(audio_now, true), xr);
    else
        snprintf(audiobuf, sizeof audiobuf, "%s", alabel);
    bool gone = audio_now && audio_state(audio_now) != AUDIO_STATE_RUNNING;
    int right_w = ui_text_width(right) + ui_text_width(tempo) +
                  ui_text_width(audiobuf) + 1;
    const char *badge = " hiss ";
    int title_w = COLS - ui_text_width(badge) - ui_text_width(page) - right_w;
    /* The file name says which version of the song this is: on a narrow
     * screen the page name's padding, then the song's length beside the
     * clock while playing, give way before it is cut. */
    int least = header_name_least(app) + 1;
    if (title_w < least) {
        title_w += ui_text_width(page);
        snprintf(page, sizeof page, " %s ", app->pages[app->page]->title);
        title_w -= ui_text_width(page);
    }
    char *length = strchr(right, '/');
    if (title_w < least && playing && length) {
        char *end = strchr(length, ' ');
        int cut = end ? (int)(end - length) : 0;
        memmove(length, length + cut, strlen(length + cut) + 1);
        title_w += cut;
    }
    draw_segment(0, &x, ui_attr(UI_C_BADGE), badge);
    draw_segment(0, &x, ui_attr(UI_C_ON), page);
    if (title_w > 0) {
        char name[UI_PATH_MAX + SONG_TITLE_MAX + 16];
        header_name(app, name, sizeof name, title_w - 1);
        ui_put(0, x, title_w, hdr, name);
        x += title_w;
    }
    draw_segment(0, &x, playing ? ui_attr(UI_C_ON) : hdr, right);
    draw_segment(0, &x, hdr, tempo);
    draw_segment(0, &x, gone ? ui_attr(UI_C_ERROR) : hdr, audiobuf);
    if (x < COLS)
        ui_put(0, x, COLS - x, hdr, "");

    /* Line 1: where the editor is | modes | mute/solo | meter. */
    x = 0;
    int count = atomic_load(&song->order_count);
    snprintf(buf, sizeof buf, "Ord %02X/%02X Pat %02X Oct %d Step %-2d Ins %02X ",
             count ? ed->order_pos & 0xFF : 0, count & 0xFF,
             ed->cursor.pattern & 0xFF, ed->octave, ed->step,
             ed->instrument & 0xFF);
    draw_segment(1, &x, hdr, buf);
    if (app->record.on) {
        /* In the width of the edit and jam marks: 80 columns are full. */
        snprintf(buf, sizeof buf, "REC %-4s ",
                 live_quantize_name(app->record.quantize));
        draw_segment(1, &x, ui_attr(UI_C_ERROR), buf);
    } else {
        draw_segment(1, &x, ed->edit_mode ? ui_attr(UI_C_ON) : ui_attr(UI_C_DIM),
                     ed->edit_mode ? "EDIT " : "edit ");
        draw_segment(1, &x, ed->jam_mode ? ui_attr(UI_C_ON) : ui_attr(UI_C_DIM),
                     ed->jam_mode ? "JAM " : "jam ");
    }
    draw_segment(1, &x, app->follow ? ui_attr(UI_C_ON) : ui_attr(UI_C_DIM),
                 app->follow ? "FOLLOW " : "follow ");
    /* The song's mutes and solos: the pattern's keys and the mixer's.
     * Counted as heard now; a change waiting for the bar (the song
     * already holds it) follows as +N coming on, -N going off, so "M0+1"
     * reads as nothing muted yet, one mute at the bar. */
    int muted = 0, soloed = 0, mutes_coming = 0, mutes_going = 0, solos_coming = 0,
        solos_going = 0;
    for (int c = 0; c < atomic_load(&app->song->channels); c++) {
        bool mute = edit_strip_get(app->song, c, EDIT_STRIP_MUTE);
        bool solo = edit_strip_get(app->song, c, EDIT_STRIP_SOLO);
        bool mute_waits = (app->mute_pending >> c) & 1, solo_waits = (app->solo_pending >> c) & 1;
        muted += mute != mute_waits;
        soloed += solo != solo_waits;
        mutes_coming += mute && mute_waits;
        mutes_going += !mute && mute_waits;
        solos_coming += solo && solo_waits;
        solos_going += !solo && solo_waits;
    }
    char mutes[24], solos[24];
    pending_count(mutes, sizeof mutes, 'M', muted, mutes_coming, mutes_going);
    pending_count(solos, sizeof solos, 'S', soloed, solos_coming, solos_going);
    snprintf(buf, sizeof buf, "%-3s %-3s ", mutes, solos);
    bool any = muted || soloed || mutes_coming || mutes_going || solos_coming || solos_going;
    draw_segment(1, &x, any ? ui_attr(UI_C_MUTED) : ui_attr(UI_C_DIM), buf);
    /* Meter on the right edge: [##########] CLIP */
    int meter_x = COLS - (UI_METER_CELLS + 2 + 5);
    if (meter_x > x) {
        ui_put(1, x, meter_x - x, hdr, "");
        x = meter_x;
    }
    draw_segment(1, &x, hdr, "[");
    for (int i = 0; i < UI_METER_CELLS && x < COLS; i++, x++) {
        bool on = i < app->meter_level;
        ui_put(1, x, 1,
               on ? ui_attr(i >= UI_METER_CELLS - 2 ? UI_C_METER_HOT : UI_C_METER)
                  : ui_attr(UI_C_DIM),
               on ? ui_glyph(UI_G_METER_FULL) : ui_glyph(UI_G_METER_EMPTY));
    }
    draw_segment(1, &x, hdr, "]");
    bool clip = app->clip_until > 0;
    draw_segment(1, &x, clip ? ui_attr(UI_C_CLIP) : hdr, clip ? "CLIP" : "    ");
    if (x < COLS)
        ui_put(1, x, COLS - x, hdr, "");
}

/* A question wider than the screen takes more rows, above the status
 * line, rather than be cut mid-word: it must be read whole to be
 * answered. A message keeps to its line (the body under it is the
 * user's work), cut with a mark; the help screen has it whole. */
enum { UI_STATUS_MAX_LINES = 3 };

static const char *status_text(const UiApp *app)
{
    if (app->prompting)
        return NULL; /* one line: the end of the typed text stays in view */
    if (app->confirming)
        return app->confirm_text;
    return app->message[0] ? app->message : NULL;
}

static int status_lines(const UiApp *app)
{
    const char *text = status_text(app);
    if (!text || !app->confirming)
        return 1;
    int n = ui_wrap_count(text, COLS);
    return n < UI_STATUS_MAX_LINES ? n : UI_STATUS_MAX_LINES;
}

static void draw_status(UiApp *app)
{
    int y = LINES - 1;
    const char *text = status_text(app);
    if (text) {
        int n = status_lines(app);
        attr_t attr = app->confirming || app->message_is_error
                          ? ui_attr(UI_C_ERROR) : ui_attr(UI_C_NORMAL);
        if (app->confirming)
            ui_put_wrapped(LINES - n, 0, COLS, n, attr, text);
        else
            ui_put_cut(y, 0, COLS, attr, text);
        return;
    }
    if (app->prompting) {
        char buf[UI_PATH_MAX + 80];
        snprintf(buf, sizeof buf, "%s: %s", app->prompt_label, app->prompt_buf);
        int w = ui_text_width(buf);
        /* Keep the end of a long path in view. */
        const char *shown = buf;
        while (w >= COLS && *shown) {
            shown++;
            while ((*shown & 0xC0) == 0x80)
                shown++;
            w = ui_text_width(shown);
        }
        ui_put(y, 0, COLS, ui_attr(UI_C_NORMAL), shown);
        if (app->prompt_offered) {
            /* Marked as a selection is: typing replaces it. */
            const char *value = buf + strlen(app->prompt_label) + 2;
            if (value < shown)
                value = shown;
            int x = ui_text_width(shown) - ui_text_width(value);
            ui_put(y, x, ui_text_width(value), ui_attr(UI_C_NORMAL) | A_REVERSE, value);
        }
        move(y, w < COLS ? w : COLS - 1);
        return;
    }
    if (app->loader) {
        int done, total;
        ui_loader_progress(app->loader, &done, &total);
        char buf[80];
        snprintf(buf, sizeof buf, "loading samples %d/%d (keep editing)", done,
                 total);
        ui_put(y, 0, COLS, ui_attr(UI_C_DIM), buf);
        return;
    }
    /* Built from the keys that do each thing on this screen: an action
     * without one is left out rather than shown with a blank. */
    static const struct {
        KeymapAction act;
        const char *what;
    } HINTS[] = {
        {ACT_HELP, "help"},
        {ACT_SAVE, "save"},
        {ACT_PLAY_TOGGLE, "play/stop"},
        {ACT_QUIT, "quit"},
    };
    char buf[320];
    size_t used = 0;
    buf[0] = 0;
    for (size_t i = 0; i < HISS_ARRAY_LEN(HINTS); i++) {
        char key[KEYMAP_KEY_NAME_MAX];
        int code = keymap_first_key(&app->keymap, app->pages[app->page]->ctx,
                                    HINTS[i].act);
        if (code < 0 || !keymap_key_name(code, key, sizeof key))
            continue;
        int n = snprintf(buf + used, sizeof buf - used, "%s%s %s",
                         used ? "  " : "", key, HINTS[i].what);
        if (n > 0 && used + (size_t)n < sizeof buf)
            used += (size_t)n;
    }
    ui_put(y, 0, COLS, ui_attr(UI_C_DIM), buf);
}

/* Lines of text word-wrapped to the screen's width, or -1 when a word is
 * wider than the screen (it could not be shown whole). */
static int small_lines(const char *text)
{
    int n = 0;
    while (*text) {
        size_t next, len = ui_wrap_line(text, COLS, &next);
        if (text[len] && text[len] != ' ' && text[len] != '\n')
            return -1; /* the line ends inside a word */
        text += next;
        n++;
    }
    return n;
}

/* Draws text word-wrapped and centred from row y0; returns the rows. */
static int draw_small(int y0, const char *text)
{
    int n = 0;
    while (*text && y0 + n < LINES) {
        size_t next, len = ui_wrap_line(text, COLS, &next);
        char line[256];
        snprintf(line, sizeof line, "%.*s", (int)len, text);
        int w = ui_text_width(line);
        ui_put(y0 + n, w < COLS ? (COLS - w) / 2 : 0, w, A_NORMAL, line);
        text += next;
        n++;
    }
    return n;
}

/* "Save changes before quitting? (y)es (n)o (c)ancel" as "Save? y/n/c":
 * the question's first word and its answer letters, for a tiny screen. */
static void short_question(const UiApp *app, char *out, size_t size)
{
    size_t word = strcspn(app->confirm_text, " ?:");
    char letters[40] = "";
    const char *answers = app->confirm_choices[0] ? app->confirm_choices : "yn";
    size_t used = 0;
    for (const char *c = answers; *c && used + 3 < sizeof letters; c++)
        used += (size_t)snprintf(letters + used, sizeof letters - used, "%c/", *c);
    snprintf(out, size, "%.*s? %sc", (int)word, app->confirm_text, letters);
}

/* Below 80x24 the editor is not drawn, but a question or a prompt must
 * still be seen before a key answers it: it is shown in place of the
 * "enlarge" note (shortened if need be). When even that cannot be shown,
 * the question is cancelled, so no key answers it unseen. */
static void draw_too_small(UiApp *app)
{
    erase();
    char buf[UI_PATH_MAX + 80];
    if (app->confirming) {
        char brief[80];
        short_question(app, brief, sizeof brief);
        const char *q = app->confirm_text;
        int n = small_lines(q);
        if (n < 0 || n > LINES) {
            q = brief;
            n = small_lines(q);
        }
        if (n >= 0 && n <= LINES) {
            draw_small((LINES - n) / 2, q);
            return;
        }
        app->confirming = false;
        UiConfirmDone done = app->confirm_done;
        app->confirm_done = NULL;
        if (done)
            done(app, 0);
    } else if (app->prompting) {
        /* The label word-wrapped, then the end of the typed text on the
         * line below, with the cursor after it. */
        snprintf(buf, sizeof buf, "%s:", app->prompt_label);
        int n = small_lines(buf);
        if (n >= 0 && n + 1 <= LINES) {
            int y = (LINES - n - 1) / 2;
            draw_small(y, buf);
            const char *typed = app->prompt_buf;
            while (*typed && ui_text_width(typed) > COLS - 1)
                typed++;
            ui_put(y + n, 0, COLS, A_NORMAL, typed);
            move(y + n, ui_text_width(typed));
            return;
        }
        app->prompting = false;
        app->prompt_done = NULL;
        app->after_save = NULL;
        ui_set_message(app, false, "cancelled");
    }
    /* The transport's state first: keys still play and stop the song. */
    snprintf(buf, sizeof buf, "%s enlarge to %dx%d (now %dx%d)",
             ui_glyph(ui_is_playing(app) ? UI_G_PLAY : UI_G_STOP), UI_MIN_COLS, UI_MIN_LINES,
             COLS, LINES);
    /* Word-wrapped and centred, so even 10x5 reads the whole message; the
     * latest message goes below when there is room. */
    int n = small_lines(buf);
    int m = app->message[0] ? small_lines(app->message) : -1;
    if (m < 0 || n + 1 + m > LINES)
        m = -1;
    int y0 = (LINES - n - (m >= 0 ? m + 1 : 0)) / 2;
    draw_small(y0, buf);
    if (m >= 0)
        draw_small(y0 + n + 1, app->message);
}

static void redraw(UiApp *app)
{
    unsigned dirty = app->dirty;
    app->dirty = 0;
    app->too_small = COLS < UI_MIN_COLS || LINES < UI_MIN_LINES;
    if (app->too_small) {
        draw_too_small(app);
        curs_set(app->prompting ? 1 : 0);
        leaveok(stdscr, app->prompting ? FALSE : TRUE);
        wnoutrefresh(stdscr);
        doupdate();
        app->status_rows = 0; /* the next full draw starts afresh */
        return;
    }
    /* A wrapped question covers the body's last rows: when it
     * takes fewer rows than before, the body under it is drawn again, and
     * while it takes more than one, it is drawn over every body redraw. */
    int rows = status_lines(app);
    if (rows != app->status_rows) {
        /* A page may leave a cell it never draws (a gap between panes):
         * the rows the old message covered are blanked first, so none of
         * its letters stays behind there. */
        for (int y = LINES - app->status_rows; y < LINES - rows; y++) {
            move(y, 0);
            clrtoeol();
        }
        dirty |= UI_DIRTY_BODY | UI_DIRTY_STATUS;
        app->status_rows = rows;
    }
    if (rows > 1)
        dirty |= UI_DIRTY_STATUS;
    if (dirty & UI_DIRTY_CLEAR) {
        erase();
        dirty |= UI_DIRTY_ALL;
    }
    if (dirty & UI_DIRTY_HEADER)
        draw_header(app);
    const UiPage *page = app->pages[app->page];
    if (dirty & (UI_DIRTY_BODY | UI_DIRTY_PLAYROW))
        page->draw(app, dirty);
    /* The status line last: a prompt leaves the cursor there. */
    if (dirty & (UI_DIRTY_STATUS | UI_DIRTY_CLEAR))
        draw_status(app);
    curs_set(app->prompting ? 1 : 0);
    leaveok(stdscr, app->prompting ? FALSE : TRUE);
    wnoutrefresh(stdscr);
    doupdate();
}

/* ---- the loop ---- */

/* Samples missing from a song just opened, or loaded from damaged files,
 * are news to act on: they take the place of a passing note (where MIDI
 * comes in) at once, and wait only behind the answer to a key. */
static void say_missing(UiApp *app, const char *text)
{
    if (app->message_fades_at || app->message_yields)
        show_news(app, true, text);
    else
        background_message(app, true, text);
}

static void poll_loader(UiApp *app)
{
    if (!app->loader)
        return;
    int before, total;
    ui_loader_progress(app->loader, &before, &total);
    bool done = ui_loader_poll(app->loader, app->song, retire_instrument, app);
    app->dirty |= UI_DIRTY_STATUS;
    if (app->page == UI_PAGE_INSTRUMENTS)
        app->dirty |= UI_DIRTY_BODY;
    if (!done)
        return;
    char first[600], damage[600];
    int missing = ui_loader_result(app->loader, first, sizeof first);
    ui_loader_first_damage(app->loader, damage, sizeof damage);
    ui_loader_free(app->loader);
    app->loader = NULL;
    char text[sizeof app->message];
    /* Slots the user changed meanwhile are not news. */
    bool missing_now = missing && ui_file_missing_summary(app->song, NULL, 0);
    int damaged = ui_file_damaged_summary(app->song, NULL, 0);
    if ((missing_now || damaged) && ui_file_open_summary(app->song, text, sizeof text)) {
        /* The first one's reason of each kind, for help. */
        if (missing_now)
            log_message(app, true, first);
        if (damaged)
            log_message(app, true, damage);
        say_missing(app, text);
    } else if (first[0] && !app->message[0]) {
        background_message(app, false, first);
    }
}

/* The session's news goes to the status line, after the answer to the
 * user's last key. */
static void session_news(void *ctx, bool trouble, const char *text)
{
    background_message(ctx, trouble, text);
}

/* The session follows the device (server loss, reconnects, a new rate,
 * fall backs) and says what happened through session_news. */
static void poll_audio(UiApp *app)
{
    if (session_poll(app->session) & SESSION_EVENT_RATE_FOLLOWED)
        app->rate = session_rate(app->session);
    app->dirty |= UI_DIRTY_HEADER;
}

static void periodic(UiApp *app)
{
    if (app->message_fades_at && hiss_now_seconds() >= app->message_fades_at) {
        app->message[0] = 0;
        app->message_fades_at = 0;
        app->dirty |= UI_DIRTY_STATUS;
    }
    poll_audio(app);
    ui_record_poll(app);
    ui_learn_poll(app);
    ui_take_poll(app);
    ui_bounce_poll(app);
    ui_reference_poll(app);
    ui_chop_follow_tempo(app);
    poll_loader(app);
    char msg[600];
    int signal_caught = autosave_loop_tick(&app->autosave, app->song,
                                           recovery_song(app),
                                           app->ed->change_count, msg, sizeof msg);
    if (msg[0])
        background_message(app, true, msg);
    watch_disk(app);
    show_deferred(app);
    if (signal_caught) {
        app->exit_status = signals_exit_status(signal_caught);
        app->quit = true;
    }
    if (app->preview_release_at && hiss_now_seconds() > app->preview_release_at) {
        app->preview_release_at = 0;
        session_preview_note(app->session, 0, NOTE_OFF, 0);
    }
    update_meter(app);
    /* Header values that move while playing; compared as text so the
     * header is redrawn only when something shown changed. */
    const EngineStatus *st = ui_status(app);
    ui_clock_update(&app->clock, app->song, app->ed->change_count, hiss_now_seconds());
    char sig[256], audio[32], clock[24];
    UiClockPlace place = clock_place(app);
    ui_clock_follow(&app->clock, app->song, &place);
    ui_clock_text(&app->clock, app->song, &place, clock, sizeof clock);
    snprintf(sig, sizeof sig, "%d %d %d %d %d %d %d %s %s %u", atomic_load(&st->playing),
             place.looped, atomic_load(&st->order), atomic_load(&st->pattern),
             atomic_load(&st->row), atomic_load(&st->bpm_shown_tenths), atomic_load(&st->speed), clock,
             audio_label(app, audio, sizeof audio),
             session_audio(app->session) ? audio_xruns(session_audio(app->session)) : 0);
    if (strcmp(sig, app->header_drawn[0])) {
        snprintf(app->header_drawn[0], sizeof app->header_drawn[0], "%s", sig);
        app->dirty |= UI_DIRTY_HEADER;
    }
    const UiPage *page = app->pages[app->page];
    if (page->update)
        page->update(app);
}

/* read_key's answer for an escape sequence that names no key of ours. */
enum { UI_KEY_UNKNOWN = -3 };

/* The bytes of a sequence kept to name it: its first ones and its last,
 * however many came between (`total`). */
typedef struct {
    char bytes[KEYMAP_SEQ_MAX];
    size_t len;
    size_t total;
} UiSequence;

static void sequence_add(UiSequence *seq, char byte)
{
    if (seq->len == sizeof seq->bytes)
        seq->len--; /* the last slot holds the newest byte */
    seq->bytes[seq->len++] = byte;
    seq->total++;
}

/* Shown as it came, so a user can see what the terminal sent: the first
 * bytes, then "..." for any left out, then the last one. */
enum { UI_SEQ_SHOWN = 16 };
static void sequence_name(UiApp *app, const UiSequence *seq)
{
    size_t cap = sizeof app->unknown_key;
    int n = snprintf(app->unknown_key, cap, "ESC");
    for (size_t i = 0; i < seq->len && n + 8 < (int)cap; i++) {
        bool last = i + 1 == seq->len;
        if (!last && i >= UI_SEQ_SHOWN)
            continue;
        if (last && seq->total > UI_SEQ_SHOWN + 1)
            n += snprintf(app->unknown_key + n, cap - (size_t)n, " ...");
        unsigned char c = (unsigned char)seq->bytes[i];
        if (c == 7)
            n += snprintf(app->unknown_key + n, cap - (size_t)n, " BEL");
        else if (c == 27)
            n += snprintf(app->unknown_key + n, cap - (size_t)n, " ESC");
        else if (c < 0x20 || c > 0x7E)
            n += snprintf(app->unknown_key + n, cap - (size_t)n, " \\x%02X", c);
        else
            n += snprintf(app->unknown_key + n, cap - (size_t)n, " %c", c);
    }
}

/* ESC [ or ESC O began a sequence the terminal database did not know:
 * the rest is read whole (its bytes come together, so a short wait is
 * plenty), so that ESC [ 6 ~ is PageDown or nothing, never "6~" typed.
 * A sequence longer than we keep (a terminal's report with many
 * parameters) is read on to its final byte all the same. */
static int read_sequence(UiApp *app, char first)
{
    UiSequence seq = {.len = 0};
    sequence_add(&seq, first);
    KeymapSeqState state = KEYMAP_SEQ_MORE;
    timeout(UI_ESC_DELAY_MS);
    while (state == KEYMAP_SEQ_MORE) {
        wint_t next;
        int r = get_wch(&next);
        if (r == ERR)
            break;
        if (r == KEY_CODE_YES || next > 0x7F) {
            /* Not part of any sequence: it stays a key of its own. */
            if (r == KEY_CODE_YES)
                ungetch((int)next);
            else
                unget_wch((wchar_t)next);
            break;
        }
        UiSequence before = seq;
        sequence_add(&seq, (char)next);
        state = keymap_sequence_state(seq.bytes, seq.len);
        if (state == KEYMAP_SEQ_BROKEN) {
            unget_wch((wchar_t)next);
            seq = before;
        }
    }
    if (seq.total == 1) {
        /* ESC [ or ESC O alone: Alt+[ or Alt+O. */
        return (unsigned char)first | KEYMAP_META;
    }
    bool whole = state == KEYMAP_SEQ_DONE && seq.total == seq.len;
    int key = whole ? keymap_sequence_key(seq.bytes, seq.len) : -1;
    if (key >= 0)
        return key;
    sequence_name(app, &seq);
    return UI_KEY_UNKNOWN;
}

/* ESC ] (OSC), ESC P (DCS) and ESC _ (APC) open a terminal's report that
 * runs to BEL or ESC \ (a colour, a version, a graphics answer). */
static bool opens_string(wint_t byte) { return byte == ']' || byte == 'P' || byte == '_'; }

/* The report's text comes at once after its opening, where Alt+] (or
 * Alt+P, Alt+_) is a key alone: a printable byte already waiting says which.
 * Returns UI_KEY_UNKNOWN once the whole report is read, or the Alt key. */
static int read_string(UiApp *app, char first)
{
    timeout(UI_ESC_DELAY_MS);
    wint_t next;
    int r = get_wch(&next);
    if (r != OK || next < 0x20 || next > 0x7E) {
        if (r == KEY_CODE_YES)
            ungetch((int)next);
        else if (r == OK)
            unget_wch((wchar_t)next);
        return (unsigned char)first | KEYMAP_META;
    }
    UiSequence seq = {.len = 0};
    sequence_add(&seq, first);
    sequence_add(&seq, (char)next);
    /* Its text may be long (a window title): everything up to the end is
     * dropped whatever its length; a terminal that stops sending mid-way
     * ends it after the usual short wait. */
    for (;;) {
        r = get_wch(&next);
        if (r == ERR)
            break;
        if (r == KEY_CODE_YES) {
            ungetch((int)next);
            break;
        }
        if (next == 7) {
            sequence_add(&seq, 7);
            break;
        }
        if (next == 0x18 || next == 0x1A)
            break; /* CAN and SUB cancel it */
        if (next == 27) {
            wint_t after;
            int r2 = get_wch(&after);
            if (r2 == OK && after == '\\') {
                sequence_add(&seq, 27);
                sequence_add(&seq, '\\');
                break;
            }
            /* ESC opening something else ends the report unfinished;
             * both are read again, ESC first. */
            if (r2 == KEY_CODE_YES)
                ungetch((int)after);
            else if (r2 == OK)
                unget_wch((wchar_t)after);
            unget_wch(27);
            break;
        }
        sequence_add(&seq, next > 0x7E ? '?' : (char)next);
    }
    sequence_name(app, &seq);
    return UI_KEY_UNKNOWN;
}

static int read_key(UiApp *app, int *r_out, wint_t *ch_out)
{
    wint_t ch;
    int r = get_wch(&ch);
    if (r == ERR)
        return -1;
    *r_out = r;
    *ch_out = ch;
    if (r == OK && ch == 27) {
        /* ESC then a key at once is Alt+key; a lone ESC is Esc. */
        timeout(0);
        wint_t next;
        int r2 = get_wch(&next);
        if (r2 == OK && (next == '[' || next == 'O' || opens_string(next))) {
            int key = next == '[' || next == 'O' ? read_sequence(app, (char)next)
                                                 : read_string(app, (char)next);
            *r_out = KEY_CODE_YES; /* never typed into a prompt */
            *ch_out = 0;
            return key;
        }
        if (r2 != ERR) {
            int k = translate_key(r2, next);
            /* Alt goes with printable and named keys; Esc followed at
             * once by a control key is two keys typed (or pasted) fast. */
            bool meta_able = k >= KEYMAP_KEY_NAMED || k == KEYMAP_KEY_ENTER ||
                             (k > 32 && k < 127);
            if (meta_able) {
                *r_out = r2;
                *ch_out = next;
                return k | KEYMAP_META;
            }
            if (r2 == KEY_CODE_YES)
                ungetch((int)next);
            else
                unget_wch((wchar_t)next);
        }
        return KEYMAP_KEY_ESC;
    }
    return translate_key(r, ch);
}

static void on_resize(UiApp *app)
{
    /* ncurses already knows the new size; start from a clean screen. */
    clear();
    ui_pattern_reset_view(app);
    app->dirty |= UI_DIRTY_ALL | UI_DIRTY_CLEAR;
}

static void loop(UiApp *app)
{
    while (!app->quit) {
        periodic(app);
        if (app->dirty)
            redraw(app);
        /* Tick fast while something moves on screen: playback, a meter
         * still falling, samples arriving, a preview to release. */
        bool busy = ui_is_playing(app) || app->preview_release_at ||
                    app->meter_level > 0 || app->loader || app->clip_until;
        timeout(busy ? UI_TICK_PLAYING_MS : UI_TICK_IDLE_MS);
        int r;
        wint_t ch;
        int key = read_key(app, &r, &ch);
        if (key == -1)
            continue;
        /* Take the whole burst of input before drawing once. */
        for (int n = 0; n < UI_BURST_MAX && !app->quit; n++) {
            if (key == -2)
                on_resize(app);
            else if (key == UI_KEY_UNKNOWN)
                ui_set_message(app, false, "unknown key (%s)", app->unknown_key);
            else if (key >= 0)
                handle_key(app, r, ch, key);
            timeout(0);
            key = read_key(app, &r, &ch);
            if (key == -1)
                break;
        }
    }
}

static const UiPage *const PAGES[UI_PAGE_COUNT] = {
    [UI_PAGE_PATTERN] = &ui_pattern_page,
    [UI_PAGE_ORDERS] = &ui_orders_page,
    [UI_PAGE_INSTRUMENTS] = &ui_instruments_page,
    [UI_PAGE_BROWSER] = &ui_browser_page,
    [UI_PAGE_SETTINGS] = &ui_settings_page,
    [UI_PAGE_MIXER] = &ui_mixer_page,
    [UI_PAGE_HELP] = &ui_help_page,
};

static void load_keys(UiApp *app)
{
    keymap_init_defaults(&app->keymap);
    app->rc_error_count = keymap_load_user(&app->keymap, app->rc_errors, UI_MAX_RC_ERRORS);
}

void ui_first_key(const UiApp *app, KeymapAction act, char *buf, size_t size)
{
    int key = keymap_first_key(&app->keymap, app->pages[app->page]->ctx, act);
    if (key < 0 || !keymap_key_name(key, buf, size))
        snprintf(buf, size, "(unbound)");
}

int ui_run(const UiOptions *opts)
{
    static UiApp app_storage;
    UiApp *app = &app_storage;
    memset(app, 0, sizeof *app);
    for (int i = 0; i < UI_PAGE_COUNT; i++)
        app->pages[i] = PAGES[i];

    setlocale(LC_ALL, "");
    const char *codeset = nl_langinfo(CODESET);
    app->utf8 = codeset && (!strcmp(codeset, "UTF-8") || !strcmp(codeset, "utf8"));
    load_keys(app);

    /* Signals first: every thread started later inherits the mask. */
    HissDiag sigdiag;
    bool signals_ok = signals_install(&sigdiag) == HISS_OK;

    /* Audio before the song: samples are converted to its rate. */
    SessionOptions so = {.audio = opts->audio, .say = session_news, .say_ctx = app};
    HissDiag why;
    why.text[0] = 0;
    if (session_open(&app->session, &so, &why) == HISS_ERR_NOMEM) {
        fprintf(stderr, "hiss: out of memory\n");
        return 1;
    }
    app->rate = session_rate(app->session);

    Song *song = NULL;
    char startup_msg[600] = "";
    bool startup_error = false;
    bool load_samples = false;
    bool restored_unsaved = false;
    char lock_msg[600] = "";
    /* A module opens as a new song beside it (X.mod -> X.hiss): that is
     * the name locked, saved and recovered; the module is only read. */
    bool module = opts->path && loader_is_foreign(opts->path);
    char target[UI_PATH_MAX] = "";
    if (module)
        ui_file_import_target(opts->path, target, sizeof target);
    claim_at_start(app, module ? target : opts->path, lock_msg, sizeof lock_msg);
    /* The recovery file of a song another hiss holds is that editor's
     * live work, not something to restore. */
    if (opts->path && !module && !app->read_only) {
        /* Unsaved work from a session that died comes first (plain
         * questions on the terminal, before curses). */
        char rmsg[600] = "";
        Song *restored = NULL;
        if (recovery_offer_at_open(opts->path, app->rate, stdin, stdout,
                                   &restored, rmsg, sizeof rmsg) &&
            restored) {
            song = restored;
            restored_unsaved = true;
            snprintf(app->path, sizeof app->path, "%s", opts->path);
        }
        if (rmsg[0])
            snprintf(startup_msg, sizeof startup_msg, "%s", rmsg);
    }
    if (!song && opts->path && file_exists(opts->path)) {
        HissDiag diag;
        char note[600];
        if (ui_file_load_song(opts->path, &song, &diag, note, sizeof note) != HISS_OK) {
            /* Never point a fresh song at a file we could not read: a save
             * would overwrite it. */
            snprintf(startup_msg, sizeof startup_msg, "%s (started a new song)",
                     diag.text);
            startup_error = true;
            song = NULL;
        } else if (module) {
            snprintf(app->path, sizeof app->path, "%s", target);
            snprintf(app->import_from, sizeof app->import_from, "%s", opts->path);
            snprintf(startup_msg, sizeof startup_msg, "%s", note);
            load_samples = true;
        } else {
            snprintf(app->path, sizeof app->path, "%s", opts->path);
            load_samples = true;
        }
    } else if (!song && opts->path) {
        snprintf(app->path, sizeof app->path, "%s", opts->path);
        startup_error = new_song_note(opts->path, startup_msg, sizeof startup_msg);
    }
    if (!song)
        song = song_new();
    if (!song) {
        fprintf(stderr, "hiss: out of memory\n");
        session_close(app->session);
        return 1;
    }
    app->song = song;
    app->ed = edit_new(song, retire_object, app);
    if (!app->ed) {
        fprintf(stderr, "hiss: out of memory\n");
        song_free(song);
        session_close(app->session);
        return 1;
    }
    if (restored_unsaved)
        edit_mark_unsaved(app->ed);
    edit_set_edit_mode(app->ed, true);
    ui_record_reset(app);
    app->record.quantize = LIVE_QUANTIZE_ROW;
    app->cue_at = ENGINE_CUE_BAR;
    perform_init(&app->perform, app->session, app->ed, &app->keymap.midi_learn);
    app->perform.say = gesture_news;
    app->perform.play_toggle = gesture_play_toggle;
    app->perform.record_toggle = gesture_record_toggle;
    app->perform.ctx = app;
    app->follow = true;
    int interval = app->keymap.autosave_seconds >= 0 ? app->keymap.autosave_seconds
                                                     : AUTOSAVE_DEFAULT_SECONDS;
    app->autosave_interval = autosave_interval_from_env(interval);
    if (app->keymap.backups >= 0)
        ui_file_set_backups(app->keymap.backups);
    reset_autosave(app);
    settle_start_lock(app, lock_msg);
    startup_message_add(startup_msg, sizeof startup_msg, lock_msg,
                        &startup_error, app->read_only);

    /* A short ESC delay keeps Esc snappy; Alt keys still arrive as one
     * burst from the terminal. */
    /* newterm, unlike initscr, returns on an unknown TERM instead of
     * exiting, so the song and the audio are put away properly. */
    SCREEN *screen = newterm(NULL, stdout, stdin);
    if (!screen) {
        const char *term = getenv("TERM");
        fprintf(stderr, "hiss: cannot drive this terminal (TERM=%s); try "
                        "TERM=xterm or TERM=vt100\n", term ? term : "");
        session_close(app->session);
        edit_free(app->ed);
        song_free(song);
        signals_uninstall();
        return 2;
    }
    set_escdelay(UI_ESC_DELAY_MS);
    raw();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    meta(stdscr, TRUE);
    idlok(stdscr, TRUE);
    intrflush(stdscr, FALSE);
    leaveok(stdscr, TRUE);
    curs_set(0);
    app->color = ui_draw_init(app->utf8);

    if (app->rc_error_count) {
        if (app->rc_error_count > 1)
            ui_set_message(app, true, "%s (and %d more: see help)",
                           app->rc_errors[0].text, app->rc_error_count - 1);
        else
            ui_set_message(app, true, "%s", app->rc_errors[0].text);
    } else if (startup_msg[0]) {
        ui_set_message(app, startup_error, "%s", startup_msg);
    } else if (!signals_ok) {
        ui_set_message(app, true, "%s", sigdiag.text);
    } else if (!session_audio(app->session)) {
        ui_set_message(app, true, "no audio: %s",
                       why.text[0] ? why.text : "could not open any backend");
    } else if (why.text[0]) {
        ui_set_message(app, false, "%s", why.text);
    }
    ui_show_page(app, UI_PAGE_PATTERN);
    /* The first screen goes out before the engine is made (its
     * interpolators take a while to set up); keys typed meanwhile wait in
     * the terminal. */
    redraw(app);
    HissError started = session_start(app->session, song, &why);
    if (started == HISS_ERR_NOMEM) {
        endwin();
        fprintf(stderr, "hiss: cannot start the engine (out of memory?)\n");
        edit_free(app->ed);
        song_free(song);
        session_close(app->session);
        return 1;
    }
    if (started != HISS_OK)
        ui_set_message(app, true, "%s: running silent", why.text);
    else if (song->reference[0])
        ui_reference_open(app);
    /* The hissrc's MIDI map, then the command line's over it. */
    session_midi_map(app->session, &app->keymap.midi_map);
    session_midi_map(app->session, &opts->midi_map);
    session_midi_clock_in(app->session, app->keymap.midi_clock_in,
                          app->keymap.midi_transport_in);
    HissDiag midi_why = {{0}};
    session_midi_seq(app->session, opts->audio.client_name, &midi_why);
    /* Where MIDI comes in (or that no sequencer exists) is said unless
     * the start has more pressing news. */
    if (!app->message[0] && midi_why.text[0]) {
        /* A note for the curious, not news to act on: it gives the status
         * line back to the key hints by itself. */
        ui_set_message(app, false, "%s", midi_why.text);
        app->message_fades_at = app->message_at + UI_MESSAGE_HOLD;
    }
    if (load_samples)
        start_loader(app);
    char missing[sizeof app->message];
    if (restored_unsaved && ui_file_open_summary(song, missing, sizeof missing))
        say_missing(app, missing);
    app->dirty |= UI_DIRTY_ALL;
    loop(app);

    endwin();
    delscreen(screen);
    ui_loader_free(app->loader);
    app->loader = NULL;
    Song *last = app->song;
    ui_clock_deinit(&app->clock);
    loudness_free(app->loudness);
    ui_take_finish(app);
    ui_chop_finish();
    session_close(app->session);
    ui_reference_finish(app);
    edit_free(app->ed);
    song_free(last);
    songlock_release(&app->lock);
    signals_uninstall();
    /* recovery: a signalled exit says where unsaved edits went. */
    if (app->exit_status > 128)
        fprintf(stderr, "hiss: %s: stopped; unsaved edits are in the recovery "
                        "file (hiss --recover lists it)\n",
                signals_name(app->exit_status - 128));
    return app->exit_status;
}
