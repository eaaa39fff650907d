/* ui_app: the editor's shared state and the page interface.
 *
 * The UI holds no song logic: keys go through the keymap to named actions,
 * actions call edit_* (the song model) or send engine commands, and pages
 * draw. Each screen is a UiPage (draw, update, handle key). Drawing is done
 * into stdscr only when something changed, once per input burst or play
 * position change, and sent with one doupdate. */
#ifndef HISS_UI_APP_H
#define HISS_UI_APP_H

#include <stdbool.h>
#include <stdint.h>

#include "audio.h"
#include "autosave.h"
#include "base.h"
#include "edit.h"
#include "engine.h"
#include "fileio.h"
#include "keymap.h"
#include "loudness.h"
#include "reference.h"
#include "session.h"
#include "perform.h"
#include "ui_clock.h"
#include "song.h"
#include "songlock.h"

enum { UI_JAM_NOTES = 2048 }; /* jam capture's memory, in notes and releases */
/* Performance capture's memory, in rows (about 20 minutes at 125 BPM). */
enum { UI_CAPTURE_ROWS = 16384 };

enum {
    UI_MIN_COLS = 80,
    UI_MIN_LINES = 24,
    UI_HEADER_LINES = 2,
    UI_PATH_MAX = 4096,
    UI_MAX_RC_ERRORS = 8,
    UI_MESSAGE_LOG = 10,
};

typedef enum {
    UI_PAGE_PATTERN,
    UI_PAGE_ORDERS,
    UI_PAGE_INSTRUMENTS,
    UI_PAGE_BROWSER,
    UI_PAGE_SETTINGS,
    UI_PAGE_MIXER,
    UI_PAGE_HELP,
    UI_PAGE_COUNT,
} UiPageId;

/* What needs drawing at the next refresh. */
enum {
    UI_DIRTY_HEADER = 1 << 0,
    UI_DIRTY_BODY = 1 << 1,
    UI_DIRTY_STATUS = 1 << 2,
    UI_DIRTY_CLEAR = 1 << 3, /* resize, Ctrl-L, page switch: erase first */
    UI_DIRTY_PLAYROW = 1 << 4, /* only the playing row marker moved */
    UI_DIRTY_ALL = UI_DIRTY_HEADER | UI_DIRTY_BODY | UI_DIRTY_STATUS,
};

enum { UI_CHANNEL_METER_CELLS = 5 }; /* in the pattern's channel header */
/* The mixer's meters: the channels' buses, then the sends' returns. */
enum { UI_MIX_RETURN = SONG_MAX_CHANNELS, UI_MIX_METERS = UI_MIX_RETURN + SONG_SENDS };

/* A gain reduction as the mixer shows it (dB x100): the deepest the
 * engine gave since the screen last looked, held a while (as a meter's
 * peak hold) so that it reads rather than flickers; `at` when it was
 * set. */
typedef struct {
    uint32_t shown;
    double at;
} UiReduction;

/* Cells of a meter `cells` wide lit by a peak (x1000): -40..0 dBFS. */
int ui_meter_cells(uint32_t peak_milli, int cells);

typedef struct UiApp UiApp;

typedef struct {
    const char *title;
    KeymapContext ctx;
    /* The page becomes visible. */
    void (*enter)(UiApp *app);
    /* Draw the body (rows UI_HEADER_LINES .. LINES-2). `dirty` holds the
     * UI_DIRTY_* bits: CLEAR after an erase, BODY for a full body, or just
     * PLAYROW when only the play marker moved. */
    void (*draw)(UiApp *app, unsigned dirty);
    /* Called every loop turn: look at the engine status and mark what
     * changed dirty. May be NULL. */
    void (*update)(UiApp *app);
    /* A key and the action the keymap found for it on this page. Returns
     * true when handled; false lets the app try the global actions. */
    bool (*handle)(UiApp *app, int key, KeymapAction action);
    /* What the page's keys do where it gives them a meaning of its own,
     * for the help screen (with the keys bound now). May be NULL. */
    void (*keys_note)(const UiApp *app, char *out, size_t size);
} UiPage;

typedef void (*UiPromptDone)(UiApp *app, const char *text);
typedef void (*UiConfirmDone)(UiApp *app, int choice); /* 'y', 'n', 0 cancel */

struct UiApp {
    Song *song;
    Editor *ed;
    /* The engine and the audio backend (session.h); never NULL while the
     * editor runs. */
    Session *session;
    uint32_t rate; /* the output rate: session_rate() */
    char path[UI_PATH_MAX]; /* "" for a song never saved */
    /* The module the song was converted from ("" for a .hiss): saving
     * writes its report beside the song and never writes over it. */
    char import_from[UI_PATH_MAX];

    Keymap keymap;
    HissDiag rc_errors[UI_MAX_RC_ERRORS];
    int rc_error_count;

    UiPageId page, help_from;
    const UiPage *pages[UI_PAGE_COUNT];
    unsigned dirty;
    bool quit;
    bool too_small;

    bool follow;

    /* Live recording (ui_record.c). */
    struct {
        bool on, feel, replace;
        int quantize;     /* LiveQuantize */
        int pattern, row; /* the playhead at the last look; -1: not recording */
        int channel;      /* the channel replace clears this pass */
        /* Other channels replace clears: each mapped channel (--midi-map)
         * from its first take until record goes off (a bit per channel). */
        uint64_t replacing;
        /* Per row, the channels written this pass (a bit each): replace
         * keeps them. */
        uint64_t taken[SONG_MAX_ROWS];
        uint64_t taken_next[SONG_MAX_ROWS]; /* rounded past the pattern's end */
        /* Jam capture: the latest notes played with record off, where
         * recording would have put them (oldest overwritten). */
        EngineTake jam[UI_JAM_NOTES];
        int jam_count;
        /* Performance capture: on, and the rows played since it began. */
        bool capturing;
        EngineRowLog captured[UI_CAPTURE_ROWS];
        int captured_count;
    } record;
    int cue_at; /* EngineCueAt for the order list's cue key */
    Perform perform; /* live gestures and MIDI bindings (perform.h) */

    /* The latest messages whole (a ring, message_log_count ever logged):
     * the status line cuts a long one to its line, the help screen lists
     * them. */
    struct {
        char text[512];
        bool error;
    } message_log[UI_MESSAGE_LOG];
    int message_log_count;
    /* Status line: the latest message, errors stand out. */
    char message[512];
    bool message_is_error;
    double message_at;
    double message_fades_at; /* a passing note leaves by itself then; 0 = stays to a key */
    bool message_yields; /* news to act on (missing samples) replaces it at once */
    double news_until; /* bad background news held through keys until */
    /* A message from the background (autosave, sample loading) waits while
     * the answer to the user's last key is still fresh on screen. */
    char deferred[512];
    bool deferred_is_error;

    /* The bytes of the last escape sequence that named no key. */
    char unknown_key[3 * KEYMAP_SEQ_MAX + 8];

    /* Rows the status line took when last drawn (a long question or
     * message wraps onto the body's last rows). */
    int status_rows;

    /* One-line input. */
    bool prompting;
    char prompt_label[64];
    char prompt_buf[UI_PATH_MAX];
    int prompt_len;
    /* The value offered is untouched: the first character typed replaces
     * it, an editing key (Backspace, Left, Right...) keeps it to edit. */
    bool prompt_offered;
    UiPromptDone prompt_done;

    /* Yes/no/cancel question. */
    bool confirming;
    char confirm_text[160];
    UiConfirmDone confirm_done;
    /* What to do after "save changes?" was answered and saving finished. */
    void (*after_save)(UiApp *app);

    /* Preview voices of looped instruments are released after a while,
     * since a terminal never tells us when a key goes up. */
    double preview_release_at;

    /* Snapshot of what the header shows, to redraw it only on change. */
    char header_drawn[2][512];
    uint32_t clip_seen;
    double clip_until;
    int meter_level;
    /* Each channel's meter in the pattern header (cells lit, falling one
     * a redraw) and whether any moved since the page drew them. */
    int channel_meter[SONG_MAX_CHANNELS];
    bool channel_meters_moved;
    /* The mixer page's meters, of each channel's bus and then of each
     * send's return (UI_MIX_RETURN + s): the level (the peak read,
     * falling back a step a read), its peak hold and when the hold was
     * set, the RMS (channels only); each channel's ducker's and
     * compressor's reduction, and the master's glue compressor's; the
     * limiter's deepest since playback started (dB x100); mix_moved when
     * any changed. */
    uint32_t mix_level[UI_MIX_METERS], mix_hold[UI_MIX_METERS];
    double mix_hold_at[UI_MIX_METERS];
    uint32_t mix_rms[UI_MIX_METERS];
    UiReduction mix_duck[SONG_MAX_CHANNELS], mix_comp[SONG_MAX_CHANNELS], mix_glue;
    uint32_t limit_most;
    bool mix_moved;
    /* Bit c: channel c's mute (solo) was changed at the bar and is not
     * heard yet (EngineStatus); both pages mark it until the bar comes. */
    uint64_t mute_pending, solo_pending;
    /* What a key just asked for is shown before the engine has taken it:
     * bit c of *_expected_mask overrides the engine's pending bit with
     * *_expected's until the engine agrees, a bar begins (bars_started
     * moves past expected_bars) or playback stops. */
    uint64_t mute_expected, mute_expected_mask, solo_expected, solo_expected_mask;
    uint32_t expected_bars;
    /* The master's loudness, measured here from the engine's output tap
     * (never on the audio thread): momentary, short-term and integrated
     * LUFS, the loudness range in LU and the true peak in dBTP, all in
     * tenths (INT32_MIN: silence). The integrated figures, the range and
     * the true peak cover everything since the meter was made or reset
     * (ui_loudness_reset). */
    Loudness *loudness;
    uint32_t loudness_rate;
    int momentary_tenths, short_term_tenths, integrated_tenths, range_tenths,
        true_peak_tenths;
    UiClock clock; /* the time of the row playing and the song's length */
    double meter_at;

    bool color;
    bool utf8;

    /* Samples still being read after opening a song (ui_file.h). */
    struct UiLoader *loader;
    /* Recovery file writes and the orderly exit on SIGHUP/SIGTERM. */
    Autosave autosave;
    /* The edit count the song on disk holds (at opening or the last
     * save): a recovery file written since holds edits past it. */
    uint64_t changes_on_disk;
    double autosave_interval;
    int exit_status;

    /* The song on disk (ui_app.c, "the song on disk"): the lock that makes
     * this the one editor of the song, or read_only when another hiss
     * holds it; what the file was when last read or written, checked
     * every few seconds and before each save. */
    SongLock lock;
    bool read_only;
    FileioStamp disk;
    double disk_checked_at;
    bool disk_asked; /* the current change on disk was already asked about */
    /* Letters a question answers with besides y/n/c (ui_confirm_choices). */
    char confirm_choices[8];
    /* The song's reference track (ui_reference.c): heard instead of the
     * mix while ab_reference; the mix's loudness as of change count
     * reference_changes. While reference_job measures a copy of the
     * song (as of change count reference_job_changes) on its thread, the
     * mix is heard; the reference comes when the figure does. */
    Reference reference;
    bool ab_reference, reference_measured;
    uint64_t reference_changes;
    ReferenceJob *reference_job;
    uint64_t reference_job_changes;
    int reference_job_said; /* the percent last shown */
};

/* ---- ui_app.c: services for the pages ---- */
/* "the next bar", "the next beat", "the pattern's end": where cues
 * (EngineCueAt) take over. */
const char *ui_cue_at_name(int at);
/* Mutes or solos channel `channel` (0-based) or lifts it, as the pattern
 * screen's keys do: at once, or with at_bar from the next bar
 * (ui_pattern.c). */
void ui_pattern_toggle_flag(UiApp *app, int channel, EditStripField flag, bool at_bar);
/* Channel `channel`'s mute (solo) at the bar is now pending, or no
 * longer: shown so at once, before the engine says it. */
void ui_expect_pending(UiApp *app, int channel, bool solo, bool pending);
/* One tap of the tempo: the fourth in a row sets it (ui_pattern.c). */
void ui_pattern_tap(UiApp *app);
void ui_set_message(UiApp *app, bool error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ui_prompt(UiApp *app, const char *label, const char *initial,
               UiPromptDone done);
void ui_confirm(UiApp *app, const char *text, UiConfirmDone done);
/* The same, answered by one of the lowercase letters in choices (or
 * Esc/C-g, 0); done receives the letter. */
void ui_confirm_choices(UiApp *app, const char *text, const char *choices,
                        UiConfirmDone done);
void ui_show_page(UiApp *app, UiPageId page);
void ui_send(UiApp *app, EngineCommandType type, int a, int b, int c,
             void *ptr);
bool ui_is_playing(const UiApp *app);
/* Plays the song from the start of the order entry at the cursor (the
 * cursor's pattern when the order list is empty), as the play key does. */
void ui_play_from_order(UiApp *app);
/* Stops a playing song; plays a stopped one from the order entry shown. */
void ui_play_toggle(UiApp *app);
/* The engine's status, or a stopped one while the engine is being made. */
const EngineStatus *ui_status(const UiApp *app);
/* Auditions a note on an instrument slot (0: the current instrument). */
void ui_preview_note(UiApp *app, int slot, int note);
/* The song's BPM (undoable) and the playing engine's at once. */
void ui_set_tempo(UiApp *app, int bpm_tenths);
/* Starts the master's integrated loudness, range and true peak afresh. */
void ui_loudness_reset(UiApp *app);
/* A note (typed, recorded or played in) that will play nothing says why
 * on the status line, unless bad news held there is still to be read:
 * the hint comes again with the next such note. */
void ui_say_if_silent(UiApp *app, Cell note);
/* Reports an edit_* result on the status line; returns err. */
HissError ui_report(UiApp *app, HissError err, const char *what);
/* Reports a rename (edit_instrument_set_name, edit_strip_set_name) of
 * `what` to `typed`: its error, or the name `kept` now, and when it had
 * to be cut, that it was. */
void ui_report_rename(UiApp *app, HissError err, const char *what, const char *typed,
                      const char *kept);
/* Asks for channel `channel`'s name (0-based), the one it has offered,
 * and names it (ui_mixer.c): the mixer's and the pattern screen's key. */
void ui_mixer_rename_channel(UiApp *app, int channel);
/* The first key bound to act, for hints ("(unbound)" when none). */
void ui_first_key(const UiApp *app, KeymapAction act, char *buf, size_t size);
/* The directory of the song file (or the working directory). */
void ui_song_dir(const UiApp *app, char *out, size_t size);

/* ---- the pages ---- */
extern const UiPage ui_pattern_page;
extern const UiPage ui_orders_page;
extern const UiPage ui_instruments_page;
extern const UiPage ui_browser_page;
extern const UiPage ui_settings_page;
extern const UiPage ui_mixer_page;
extern const UiPage ui_help_page;

/* ui_pattern.c: forget the drawn state (new song, resize). */
void ui_pattern_reset_view(UiApp *app);
/* ui_browser.c: the browser loads into this slot (0: the current
 * instrument), then shows instruments. */
void ui_browser_open_for_slot(UiApp *app, int slot);
/* ui_instruments.c: the slot on screen (the editor's current instrument). */
int ui_instruments_slot(const UiApp *app);

/* Options from the command line. */
typedef struct {
    const char *path;   /* NULL: a new song */
    AudioOptions audio; /* as for `hiss play` (cli_audio.h); backend NULL: auto */
    MidiMap midi_map;   /* --midi-map */
} UiOptions;

/* Runs the editor until the user quits; returns the exit status. */
int ui_run(const UiOptions *opts);

#endif
