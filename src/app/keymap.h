/* keymap: the one key table of the editor. Keys are bound to named actions;
 * the defaults live here and $XDG_CONFIG_HOME/hiss/hissrc may change them
 * with lines like
 *
 *     # comment
 *     bind C-p play_pattern
 *     bind M-x cut
 *     unbind F1
 *     set autosave 30
 *     set backups 3
 *     set midi_map 10:02:4,1:05
 *     set midi_clock_in on
 *     set midi_transport_in on
 *     midi_cc 1:74 strip 3 gain
 *     midi_note 10:36 mute 2
 *
 * An action belongs to one context (a screen, or "global" for keys that work
 * everywhere); a key bound in a screen's context wins over a global binding
 * of the same key on that screen. Bad lines are reported as
 * "file:line:col: message" and skipped, so the defaults keep working.
 *
 * Key codes are the keymap's own (no curses here), so the table can be
 * tested alone; the UI translates terminal input into them. */
#ifndef HISS_KEYMAP_H
#define HISS_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "base.h"
#include "midi.h"
#include "midilearn.h"

typedef enum {
    KEYMAP_CTX_GLOBAL,
    KEYMAP_CTX_PATTERN,
    KEYMAP_CTX_ORDERS,
    KEYMAP_CTX_INSTRUMENTS,
    KEYMAP_CTX_BROWSER,
    KEYMAP_CTX_SETTINGS,
    KEYMAP_CTX_HELP,
    KEYMAP_CTX_COUNT,
} KeymapContext;

/* X-macro: id, name, context, description. The names are what hissrc uses. */
#define KEYMAP_ACTIONS(X)                                                         \
    X(ACT_QUIT, "quit", GLOBAL, "quit (asks when there are unsaved changes)")     \
    X(ACT_SAVE, "save", GLOBAL, "save the song")                                  \
    X(ACT_SAVE_AS, "save_as", GLOBAL, "save the song under a new name")           \
    X(ACT_OPEN, "open", GLOBAL, "open a song file")                               \
    X(ACT_NEW_SONG, "new_song", GLOBAL, "start a new empty song")                 \
    X(ACT_UNDO, "undo", GLOBAL, "undo the last edit")                             \
    X(ACT_REDO, "redo", GLOBAL, "redo the edit undone last")                      \
    X(ACT_REDRAW, "redraw", GLOBAL, "redraw the whole screen")                    \
    X(ACT_HELP, "help", GLOBAL, "show the latest messages, the keys of this screen") \
    X(ACT_PAGE_PATTERN, "page_pattern", GLOBAL, "pattern editor screen")          \
    X(ACT_PAGE_ORDERS, "page_orders", GLOBAL, "order list screen")                \
    X(ACT_PAGE_INSTRUMENTS, "page_instruments", GLOBAL, "instruments screen")     \
    X(ACT_PAGE_BROWSER, "page_browser", GLOBAL, "sample browser screen")          \
    X(ACT_PAGE_SETTINGS, "page_settings", GLOBAL, "song settings screen")         \
    X(ACT_PAGE_MIXER, "page_mixer", GLOBAL, "mixer screen")                       \
    X(ACT_PLAY_TOGGLE, "play_toggle", GLOBAL,                                     \
      "play the song from the current order, or stop")                           \
    X(ACT_PLAY_SONG, "play_song", GLOBAL, "play the song from the start")         \
    X(ACT_PLAY_PATTERN, "play_pattern", GLOBAL, "loop the current pattern")       \
    X(ACT_PLAY_FROM_CURSOR, "play_from_cursor", GLOBAL,                          \
      "play the song from the cursor row")                                        \
    X(ACT_STOP, "stop", GLOBAL, "stop playing")                                   \
    X(ACT_MIDI_LEARN_MODE, "midi_learn_mode", GLOBAL,                             \
      "MIDI learn: the next action done (mute, solo, cue, tap, play, record, a "  \
      "value) and the next note or controller are bound (again: leave)")         \
    X(ACT_RECONNECT, "reconnect_audio", GLOBAL,                                   \
      "reconnect the audio (after \"JACK server gone\")")                        \
    X(ACT_REFERENCE_TOGGLE, "reference_toggle", GLOBAL,                           \
      "A/B: hear the reference track (loudness-matched) or the mix")             \
    X(ACT_REFERENCE_LOAD, "reference_load", GLOBAL,                               \
      "choose the song's reference track (a path, never copied)")                \
    X(ACT_BOUNCE_STEMS, "bounce_stems", GLOBAL,                                   \
      "bounce the mix and its stems beside the saved song (in the background)")  \
    X(ACT_OCTAVE_DOWN, "octave_down", GLOBAL, "lower the entry octave")           \
    X(ACT_OCTAVE_UP, "octave_up", GLOBAL, "raise the entry octave")               \
    X(ACT_UP, "up", GLOBAL, "move up")                                            \
    X(ACT_DOWN, "down", GLOBAL, "move down")                                      \
    X(ACT_LEFT, "left", GLOBAL, "move left (or decrease a value)")                \
    X(ACT_RIGHT, "right", GLOBAL, "move right (or increase a value)")             \
    X(ACT_PAGE_UP, "page_up", GLOBAL, "move up a page")                           \
    X(ACT_PAGE_DOWN, "page_down", GLOBAL, "move down a page")                     \
    X(ACT_HOME, "home", GLOBAL, "go to the top")                                  \
    X(ACT_END, "end", GLOBAL, "go to the bottom")                                 \
    X(ACT_NEXT_FIELD, "next_field", GLOBAL, "next channel or field")              \
    X(ACT_PREV_FIELD, "prev_field", GLOBAL, "previous channel or field")          \
    X(ACT_SELECT, "select", GLOBAL, "open, edit or jump to the item")             \
    X(ACT_BACK, "back", GLOBAL, "close this screen or cancel")                    \
    X(ACT_NOTE_C0, "note_c0", GLOBAL, "note C (entry octave)")                    \
    X(ACT_NOTE_CS0, "note_cs0", GLOBAL, "note C# (entry octave)")                 \
    X(ACT_NOTE_D0, "note_d0", GLOBAL, "note D (entry octave)")                    \
    X(ACT_NOTE_DS0, "note_ds0", GLOBAL, "note D# (entry octave)")                 \
    X(ACT_NOTE_E0, "note_e0", GLOBAL, "note E (entry octave)")                    \
    X(ACT_NOTE_F0, "note_f0", GLOBAL, "note F (entry octave)")                    \
    X(ACT_NOTE_FS0, "note_fs0", GLOBAL, "note F# (entry octave)")                 \
    X(ACT_NOTE_G0, "note_g0", GLOBAL, "note G (entry octave)")                    \
    X(ACT_NOTE_GS0, "note_gs0", GLOBAL, "note G# (entry octave)")                 \
    X(ACT_NOTE_A0, "note_a0", GLOBAL, "note A (entry octave)")                    \
    X(ACT_NOTE_AS0, "note_as0", GLOBAL, "note A# (entry octave)")                 \
    X(ACT_NOTE_B0, "note_b0", GLOBAL, "note B (entry octave)")                    \
    X(ACT_NOTE_C1, "note_c1", GLOBAL, "note C (octave +1)")                       \
    X(ACT_NOTE_CS1, "note_cs1", GLOBAL, "note C# (octave +1)")                    \
    X(ACT_NOTE_D1, "note_d1", GLOBAL, "note D (octave +1)")                       \
    X(ACT_NOTE_DS1, "note_ds1", GLOBAL, "note D# (octave +1)")                    \
    X(ACT_NOTE_E1, "note_e1", GLOBAL, "note E (octave +1)")                       \
    X(ACT_NOTE_F1, "note_f1", GLOBAL, "note F (octave +1)")                       \
    X(ACT_NOTE_FS1, "note_fs1", GLOBAL, "note F# (octave +1)")                    \
    X(ACT_NOTE_G1, "note_g1", GLOBAL, "note G (octave +1)")                       \
    X(ACT_NOTE_GS1, "note_gs1", GLOBAL, "note G# (octave +1)")                    \
    X(ACT_NOTE_A1, "note_a1", GLOBAL, "note A (octave +1)")                       \
    X(ACT_NOTE_AS1, "note_as1", GLOBAL, "note A# (octave +1)")                    \
    X(ACT_NOTE_B1, "note_b1", GLOBAL, "note B (octave +1)")                       \
    X(ACT_NOTE_C2, "note_c2", GLOBAL, "note C (octave +2)")                       \
    X(ACT_NOTE_CS2, "note_cs2", GLOBAL, "note C# (octave +2)")                    \
    X(ACT_NOTE_D2, "note_d2", GLOBAL, "note D (octave +2)")                       \
    X(ACT_NOTE_DS2, "note_ds2", GLOBAL, "note D# (octave +2)")                    \
    X(ACT_NOTE_E2, "note_e2", GLOBAL, "note E (octave +2)")                       \
    X(ACT_NOTE_OFF, "note_off", PATTERN, "enter a note-off (===)")                \
    X(ACT_NOTE_CUT, "note_cut", PATTERN, "enter a note-cut (^^^)")                \
    X(ACT_CLEAR_FIELD, "clear_field", PATTERN, "clear the field at the cursor")   \
    X(ACT_CLEAR_CELL, "clear_cell", PATTERN,                                      \
      "clear the cell at the cursor (or the selection)")                          \
    X(ACT_INSERT_ROW, "insert_row", PATTERN,                                      \
      "insert an empty row in this channel, pushing rows down")                  \
    X(ACT_DELETE_ROW, "delete_row", PATTERN,                                      \
      "delete the row in this channel, pulling rows up")                         \
    X(ACT_STEP_DOWN, "step_down", PATTERN, "smaller edit step")                   \
    X(ACT_STEP_UP, "step_up", PATTERN, "larger edit step")                        \
    X(ACT_EDIT_TOGGLE, "edit_toggle", PATTERN, "edit mode on/off")                \
    X(ACT_JAM_TOGGLE, "jam_toggle", PATTERN,                                      \
      "jam mode on/off: note keys only play")                                     \
    X(ACT_FOLLOW_TOGGLE, "follow_toggle", PATTERN,                                \
      "follow the playing row on/off")                                            \
    X(ACT_RECORD_TOGGLE, "record_toggle", PATTERN,                                \
      "record on/off: notes played while playing are written")                   \
    X(ACT_QUANTIZE, "quantize", PATTERN,                                          \
      "recording rounds to: off, the nearest row, the nearest beat")             \
    X(ACT_RECORD_FEEL, "record_feel", PATTERN,                                    \
      "recording keeps the late ticks as a note delay (EDx)")                    \
    X(ACT_RECORD_REPLACE, "record_replace", PATTERN,                              \
      "recording overdubs (a row played on takes the new note) or replaces")     \
    X(ACT_TAP_TEMPO, "tap_tempo", PATTERN,                                        \
      "tap the beat: four taps set the BPM (live, undoable)")                    \
    X(ACT_TEMPO_UP, "tempo_up", PATTERN, "BPM +1 (live, undoable)")              \
    X(ACT_TEMPO_DOWN, "tempo_down", PATTERN, "BPM -1 (live, undoable)")          \
    X(ACT_TEMPO_UP_FINE, "tempo_up_fine", PATTERN, "BPM +0.1 (live, undoable)")  \
    X(ACT_TEMPO_DOWN_FINE, "tempo_down_fine", PATTERN,                            \
      "BPM -0.1 (live, undoable)")                                               \
    X(ACT_MUTE_AT_BAR, "mute_at_bar", PATTERN,                                    \
      "mute/unmute this channel at the next bar")                                \
    X(ACT_SOLO_AT_BAR, "solo_at_bar", PATTERN,                                    \
      "solo/unsolo this channel at the next bar")                                \
    X(ACT_LOOP_ROWS, "loop_rows", PATTERN,                                        \
      "loop the selected rows while playing (again: loop off)")                  \
    X(ACT_PATTERN_CUE, "pattern_cue", PATTERN,                                    \
      "cue this pattern to loop from the next bar (cue_at); again: cancel")      \
    X(ACT_GROOVE_TEMPLATE, "groove_template", PATTERN,                            \
      "this channel's swing: the next MPC template (50-75%), then the song's")   \
    X(ACT_GROOVE_EDIT, "groove_edit", PATTERN,                                    \
      "type this channel's groove: swing, grid, humanize ms and level")          \
    X(ACT_JAM_CAPTURE, "jam_capture", PATTERN,                                    \
      "write what was played (record off) in the last pass into the song")       \
    X(ACT_PERFORMANCE_CAPTURE, "performance_capture", PATTERN,                    \
      "capture the performance (again: write it as new order entries)")          \
    X(ACT_CHANNEL_NAME, "channel_name", PATTERN,                                  \
      "name this channel (\"kick\"; empty clears), shown above it and on the mixer") \
    X(ACT_MUTE_TOGGLE, "mute_toggle", PATTERN, "mute/unmute this channel")        \
    X(ACT_SOLO_TOGGLE, "solo_toggle", PATTERN, "solo/unsolo this channel")        \
    X(ACT_INSTRUMENT_PREV, "instrument_prev", PATTERN,                            \
      "previous instrument for entry")                                            \
    X(ACT_INSTRUMENT_NEXT, "instrument_next", PATTERN,                            \
      "next instrument for entry")                                                \
    X(ACT_PATTERN_PREV, "pattern_prev", PATTERN, "previous pattern")              \
    X(ACT_PATTERN_NEXT, "pattern_next", PATTERN, "next pattern")                  \
    X(ACT_PATTERN_NEW, "pattern_new", PATTERN, "new empty pattern")               \
    X(ACT_PATTERN_CLONE, "pattern_clone", PATTERN,                                \
      "copy this pattern into a new one")                                         \
    X(ACT_PATTERN_LENGTH, "pattern_length", PATTERN,                              \
      "set the number of rows of this pattern")                                   \
    X(ACT_MARK_BEGIN, "mark_begin", PATTERN, "start the block at the cursor")     \
    X(ACT_MARK_END, "mark_end", PATTERN, "end the block at the cursor")           \
    X(ACT_MARK_CHANNEL, "mark_channel", PATTERN,                                  \
      "select the channel, press again for the pattern")                          \
    X(ACT_UNMARK, "unmark", PATTERN, "clear the selection")                       \
    X(ACT_SELECT_UP, "select_up", PATTERN, "extend the selection up")             \
    X(ACT_SELECT_DOWN, "select_down", PATTERN, "extend the selection down")       \
    X(ACT_SELECT_LEFT, "select_left", PATTERN, "extend the selection left")       \
    X(ACT_SELECT_RIGHT, "select_right", PATTERN, "extend the selection right")    \
    X(ACT_COPY, "copy", PATTERN, "copy the selection")                            \
    X(ACT_CUT, "cut", PATTERN, "cut the selection")                               \
    X(ACT_PASTE, "paste", PATTERN, "paste at the cursor (overwrite)")             \
    X(ACT_MIX_PASTE, "mix_paste", PATTERN,                                        \
      "paste only into empty fields")                                             \
    X(ACT_TRANSPOSE_UP, "transpose_up", PATTERN,                                  \
      "transpose selection (or note) up a semitone")                              \
    X(ACT_TRANSPOSE_DOWN, "transpose_down", PATTERN,                              \
      "transpose selection (or note) down a semitone")                            \
    X(ACT_TRANSPOSE_OCT_UP, "transpose_octave_up", PATTERN,                       \
      "transpose selection (or note) up an octave")                               \
    X(ACT_TRANSPOSE_OCT_DOWN, "transpose_octave_down", PATTERN,                   \
      "transpose selection (or note) down an octave")                             \
    X(ACT_INTERPOLATE, "interpolate", PATTERN,                                    \
      "interpolate volumes/effects across the selection")                         \
    X(ACT_SET_INSTRUMENT, "set_instrument", PATTERN,                              \
      "set the current instrument on the selection's notes")                      \
    X(ACT_ORDER_INSERT, "order_insert", ORDERS, "insert an order entry")          \
    X(ACT_ORDER_DELETE, "order_delete", ORDERS, "delete the order entry")         \
    X(ACT_ORDER_DUPLICATE, "order_duplicate", ORDERS,                             \
      "duplicate the entry's pattern into a new pattern after it")               \
    X(ACT_ORDER_NEXT_PATTERN, "order_pattern_up", ORDERS,                         \
      "entry plays the next pattern number")                                      \
    X(ACT_ORDER_PREV_PATTERN, "order_pattern_down", ORDERS,                       \
      "entry plays the previous pattern number")                                  \
    X(ACT_CUE_AT, "cue_at", ORDERS,                                               \
      "cues take over at: the next bar, beat, or the pattern's end")             \
    X(ACT_ORDER_CUE, "order_cue", ORDERS,                                         \
      "while playing, go to this entry at the next bar, beat or pattern end "     \
      "(on the cued entry: cancel)")                                              \
    X(ACT_INST_INC, "value_up", INSTRUMENTS, "increase the value")                \
    X(ACT_INST_DEC, "value_down", INSTRUMENTS, "decrease the value")              \
    X(ACT_INST_INC_BIG, "value_up_big", INSTRUMENTS, "increase the value a lot")  \
    X(ACT_INST_DEC_BIG, "value_down_big", INSTRUMENTS,                            \
      "decrease the value a lot")                                                 \
    X(ACT_INST_RENAME, "rename", INSTRUMENTS, "rename the instrument")            \
    X(ACT_INST_LOAD, "load_sample", INSTRUMENTS,                                  \
      "load a sample into this slot (opens the browser)")                         \
    X(ACT_INST_CLEAR, "clear_instrument", INSTRUMENTS, "empty this slot")         \
    X(ACT_INST_SLICE_HITS, "slice_hits", INSTRUMENTS,                             \
      "slice the sample at its hits (asks the sensitivity)")                                \
    X(ACT_INST_SLICE_EQUAL, "slice_equal", INSTRUMENTS,                           \
      "slice the sample into equal parts (asks how many)")                        \
    X(ACT_INST_SLICES_TO_PATTERN, "slices_to_pattern", INSTRUMENTS,               \
      "write the slices into the pattern at the cursor")                          \
    X(ACT_SLICE_PREV, "slice_prev", INSTRUMENTS, "select the previous slice")     \
    X(ACT_SLICE_NEXT, "slice_next", INSTRUMENTS, "select the next slice")         \
    X(ACT_SLICE_EARLIER, "slice_earlier", INSTRUMENTS,                            \
      "move the selected slice point 1 ms earlier")                               \
    X(ACT_SLICE_LATER, "slice_later", INSTRUMENTS,                                \
      "move the selected slice point 1 ms later")                                 \
    X(ACT_SLICE_AT, "slice_at", INSTRUMENTS,                                      \
      "move the selected slice point to a frame (asks which)")                    \
    X(ACT_SLICE_SNAP, "slice_snap", INSTRUMENTS,                                  \
      "move the selected slice point to the nearest zero crossing")               \
    X(ACT_SLICE_ADD, "slice_add", INSTRUMENTS,                                    \
      "while the sample plays: a slice at the playhead (lazy chop), snapped "     \
      "to a hit or zero crossing; else split the selected slice")                 \
    X(ACT_SLICE_DELETE, "slice_delete", INSTRUMENTS,                              \
      "delete the selected slice point")                                          \
    X(ACT_SLICE_TO_PLAYHEAD, "slice_to_playhead", INSTRUMENTS,                    \
      "move the selected slice point to the audition's playhead")                 \
    X(ACT_SLICE_AUDITION, "slice_audition", INSTRUMENTS,                          \
      "play the selected slice")                                                  \
    X(ACT_SAMPLE_PLAY, "sample_play", INSTRUMENTS,                                \
      "play the whole sample from its start (for lazy chop)")                    \
    X(ACT_SAMPLE_TEMPO, "sample_tempo", INSTRUMENTS,                              \
      "find the loop's tempo (asks whether to set the song's BPM)")               \
    X(ACT_SAMPLE_STRETCH, "sample_stretch", INSTRUMENTS,                          \
      "time-stretch to N beats at the song's tempo, pitch kept, into a new file") \
    X(ACT_SAMPLE_EDIT, "sample_edit", INSTRUMENTS,                                \
      "trim, slice, normalize, reverse, fadein MS, fadeout MS: into a new file")  \
    X(ACT_RENDER_TO_INSTRUMENT, "render_to_instrument", INSTRUMENTS,              \
      "render the pattern (or the selection) into a new slot (asks rate, bits)") \
    X(ACT_SAMPLE_RECORD, "sample_record", INSTRUMENTS,                            \
      "record a take from the inputs into a new slot (again: stop)")            \
    X(ACT_SAMPLE_RECORD_ARMED, "sample_record_armed", INSTRUMENTS,                \
      "record a take that starts at an input level (asks dBFS; again: stop)")   \
    X(ACT_SAMPLE_RECORD_SETUP, "sample_record_setup", INSTRUMENTS,                \
      "set the take's count-in bars and inputs (stereo, or left/right mono)")   \
    X(ACT_WAVE_ZOOM_IN, "wave_zoom_in", INSTRUMENTS,                              \
      "zoom the waveform in (on the selected slice)")                             \
    X(ACT_WAVE_ZOOM_OUT, "wave_zoom_out", INSTRUMENTS, "zoom the waveform out")   \
    X(ACT_BROWSE_PARENT, "parent_dir", BROWSER, "go to the parent directory")     \
    X(ACT_BROWSE_FILTER, "filter", BROWSER, "filter the list by name")            \
    X(ACT_BROWSE_PREVIEW, "preview", BROWSER, "listen to the file")               \
    X(ACT_SET_INC, "setting_up", SETTINGS, "increase the setting")                \
    X(ACT_SET_DEC, "setting_down", SETTINGS, "decrease the setting")              \
    X(ACT_LOUDNESS_RESET, "loudness_reset", SETTINGS,                             \
      "mixer: measure the integrated loudness, range and true peak afresh")      \
    X(ACT_MIXER_CHANNEL_NAME, "mixer_channel_name", SETTINGS,                     \
      "mixer: name the chosen channel (empty clears; undoable, saved)")           \
    X(ACT_MIDI_LEARN, "midi_learn", SETTINGS,                                     \
      "MIDI learn: the next controller moved binds the mixer's setting (settings: tempo)")

typedef enum {
    ACT_NONE = 0,
#define KEYMAP_X_ENUM(id, name, ctx, desc) id,
    KEYMAP_ACTIONS(KEYMAP_X_ENUM)
#undef KEYMAP_X_ENUM
    ACT_COUNT
} KeymapAction;

/* Key codes: printable ASCII and control characters are themselves (C-a is
 * 1, Tab 9, Enter 13, Esc 27, Backspace 127); named keys sit above
 * Unicode; M- (Alt, sent as an ESC prefix) adds KEYMAP_META. */
enum {
    KEYMAP_KEY_ENTER = 13,
    KEYMAP_KEY_ESC = 27,
    KEYMAP_KEY_BACKSPACE = 127,
    KEYMAP_KEY_NAMED = 0x110000,
    KEYMAP_KEY_UP = KEYMAP_KEY_NAMED,
    KEYMAP_KEY_DOWN,
    KEYMAP_KEY_LEFT,
    KEYMAP_KEY_RIGHT,
    KEYMAP_KEY_PPAGE,
    KEYMAP_KEY_NPAGE,
    KEYMAP_KEY_HOME,
    KEYMAP_KEY_END,
    KEYMAP_KEY_INSERT,
    KEYMAP_KEY_DELETE,
    KEYMAP_KEY_S_UP,
    KEYMAP_KEY_S_DOWN,
    KEYMAP_KEY_S_LEFT,
    KEYMAP_KEY_S_RIGHT,
    KEYMAP_KEY_S_HOME,
    KEYMAP_KEY_S_END,
    KEYMAP_KEY_S_TAB,
    KEYMAP_KEY_F1,
    KEYMAP_KEY_F12 = KEYMAP_KEY_F1 + 11,
    KEYMAP_KEY_NAMED_END,
    KEYMAP_META = 0x400000,
};

enum { KEYMAP_MAX_BINDINGS = 1024, KEYMAP_KEY_NAME_MAX = 24 };

typedef struct {
    int key;
    KeymapAction action;
} KeymapBinding;

enum { KEYMAP_MAX_BACKUPS = 20 };

typedef struct {
    KeymapBinding bindings[KEYMAP_MAX_BINDINGS];
    int count;
    /* `set autosave N` (seconds, 0 = off); -1 when the file says nothing. */
    int autosave_seconds;
    /* `set backups N` (older versions kept on save, 0..20); -1 = default. */
    int backups;
    /* `set midi_map M:I[:C],...` (midi.h); empty when the file says nothing. */
    MidiMap midi_map;
    /* `set midi_clock_in on|off`: follow an external MIDI clock's tempo;
     * `set midi_transport_in on|off`: its start, stop and song position
     * (midi.h). Off unless the file says on. */
    bool midi_clock_in, midi_transport_in;
    /* `midi_cc M:CC TARGET` and `midi_note M:NOTE TARGET` lines
     * (midilearn.h), and those learned. */
    MidiLearn midi_learn;
} Keymap;

/* The built-in table. */
void keymap_init_defaults(Keymap *km);

/* Binds key to action in the action's context (replacing what the key did
 * there). HISS_ERR_RANGE when the table is full. */
HissError keymap_bind(Keymap *km, int key, KeymapAction action);
/* Removes every binding of key; returns how many there were. */
int keymap_unbind(Keymap *km, int key);

/* The action for key on a screen of context ctx (its own bindings first,
 * then the global ones); ACT_NONE when unbound. */
KeymapAction keymap_lookup(const Keymap *km, KeymapContext ctx, int key);

/* Applies hissrc text. Every bad line is skipped and reported: the first
 * max_diags diagnostics go to diags ("name:line:col: message"). Returns the
 * number of bad lines. */
int keymap_parse(Keymap *km, const char *text, size_t len, const char *name,
                 HissDiag *diags, int max_diags);
/* Reads and applies a file; a missing file is not an error (returns 0). */
int keymap_load_file(Keymap *km, const char *path, HissDiag *diags,
                     int max_diags);
/* The user's own: the hissrc (keymap_default_path), then the controllers
 * and notes MIDI learn wrote beside it (midilearn_default_path), whose
 * bindings win. Returns the bad lines, reported as keymap_load_file does. */
int keymap_load_user(Keymap *km, HissDiag *diags, int max_diags);
/* $XDG_CONFIG_HOME/hiss/hissrc, or ~/.config/hiss/hissrc; false if neither
 * variable is set. */
bool keymap_default_path(char *buf, size_t size);

/* "C-s", "M-x", "Up", "F5", "Space", "a"... false when the key has no name. */
bool keymap_key_name(int key, char *buf, size_t size);
/* Parses the names above (case-insensitive for named keys); -1 if unknown. */
int keymap_key_parse(const char *name);
/* Names that parse to a key a terminal sends for another one (C-i is Tab,
 * C-m and C-j are Enter, C-[ is Esc, C-h is Backspace): a binding of them
 * could never fire as written. Returns the key they really are ("Tab"),
 * or NULL for a name a terminal can tell apart. */
const char *keymap_key_alias(const char *name);

/* Escape sequences the terminal database did not know (a TERM that does
 * not match the terminal, as often over SSH): `seq` holds the bytes that
 * followed ESC. A CSI (ESC [ ...) or SS3 (ESC O ...) sequence is read
 * whole, however long, so that none of its bytes is ever taken as a typed
 * key. Only seq[0] and the last byte matter past the first three, so a
 * reader may keep the first bytes and the newest one. */
typedef enum {
    KEYMAP_SEQ_NONE,    /* not the start of a sequence */
    KEYMAP_SEQ_MORE,    /* a sequence so far: read another byte */
    KEYMAP_SEQ_DONE,    /* the last byte completed it */
    KEYMAP_SEQ_BROKEN,  /* the last byte cannot be part of it: the sequence
                           ends before that byte */
} KeymapSeqState;
KeymapSeqState keymap_sequence_state(const char *seq, size_t len);
/* The key a complete sequence stands for (PageDown, F5, S-Up, M-Home...),
 * or -1 when it names none of ours: the caller ignores it. */
int keymap_sequence_key(const char *seq, size_t len);
/* The bytes a reader keeps of a sequence; a longer one names no key and
 * is read to its end all the same. */
enum { KEYMAP_SEQ_MAX = 32 };

const char *keymap_action_name(KeymapAction action);
const char *keymap_action_description(KeymapAction action);
KeymapContext keymap_action_context(KeymapAction action);
KeymapAction keymap_action_parse(const char *name); /* ACT_NONE if unknown */
const char *keymap_context_name(KeymapContext ctx);

/* The first key that does `action` on a screen of context ctx (a key
 * bound there to something else does not count); -1 when none does. */
int keymap_first_key(const Keymap *km, KeymapContext ctx, KeymapAction action);

/* The keys bound to action, joined by ", " ("C-s, F2"); "" when none.
 * Returns the number of keys. */
int keymap_keys_for(const Keymap *km, KeymapAction action, char *buf,
                    size_t size);

#endif
