#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "keymap.h"
#include "test.h"
#include "undo.h"

static Keymap km;

static int parse(const char *text, HissDiag *diags, int max)
{
    return keymap_parse(&km, text, strlen(text), "hissrc", diags, max);
}

static void key_names_round_trip(void)
{
    const char *names[] = {"a", "Z", "?", "C-s", "C-q", "M-x", "M-Q", "Up",
                           "S-Tab", "PageDown", "F1", "F12", "M-F9", "Space",
                           "Enter", "Esc", "Backspace", "Delete", "C-\\",
                           "M-Enter", "`", "|"};
    for (size_t i = 0; i < HISS_ARRAY_LEN(names); i++) {
        int key = keymap_key_parse(names[i]);
        char back[KEYMAP_KEY_NAME_MAX];
        CHECK_MSG(key >= 0, "%s", names[i]);
        CHECK_MSG(keymap_key_name(key, back, sizeof back), "%s", names[i]);
        CHECK_STR(back, names[i]);
    }
    CHECK(keymap_key_parse("C-s") == 19);
    CHECK(keymap_key_parse("c-S") == 19);
    CHECK(keymap_key_parse("space") == ' ');
    CHECK(keymap_key_parse("pgup") == KEYMAP_KEY_PPAGE);
    CHECK(keymap_key_parse("M-a") == ('a' | KEYMAP_META));
    CHECK(keymap_key_parse("-") == '-');
    CHECK(keymap_key_parse("M-") == -1 || keymap_key_parse("M-") == 'M');
    CHECK(keymap_key_parse("F13") == -1);
    CHECK(keymap_key_parse("F0") == -1);
    CHECK(keymap_key_parse("Nope") == -1);
    CHECK(keymap_key_parse("") == -1);
    CHECK(keymap_key_parse("C-1") == -1);
}

static void every_action_has_a_unique_name(void)
{
    for (int a = ACT_NONE + 1; a < ACT_COUNT; a++) {
        const char *name = keymap_action_name((KeymapAction)a);
        CHECK_MSG((int)keymap_action_parse(name) == a, "%s", name);
        CHECK_MSG(keymap_action_description((KeymapAction)a)[0], "%s", name);
    }
    CHECK(keymap_action_parse("no_such_action") == ACT_NONE);
}

static void defaults_hold_the_required_keys(void)
{
    keymap_init_defaults(&km);
    struct {
        const char *key;
        KeymapContext ctx;
        KeymapAction act;
    } want[] = {
        {"Up", KEYMAP_CTX_PATTERN, ACT_UP},
        {"Down", KEYMAP_CTX_ORDERS, ACT_DOWN},
        {"Left", KEYMAP_CTX_PATTERN, ACT_LEFT},
        {"Right", KEYMAP_CTX_PATTERN, ACT_RIGHT},
        {"z", KEYMAP_CTX_PATTERN, ACT_NOTE_C0},
        {"m", KEYMAP_CTX_PATTERN, ACT_NOTE_B0},
        {"q", KEYMAP_CTX_PATTERN, ACT_NOTE_C1},
        {"u", KEYMAP_CTX_PATTERN, ACT_NOTE_B1},
        {"2", KEYMAP_CTX_PATTERN, ACT_NOTE_CS1},
        {"C-s", KEYMAP_CTX_PATTERN, ACT_SAVE},
        {"C-q", KEYMAP_CTX_SETTINGS, ACT_QUIT},
        {"C-z", KEYMAP_CTX_PATTERN, ACT_UNDO},
        {"C-y", KEYMAP_CTX_PATTERN, ACT_REDO},
        {"Space", KEYMAP_CTX_PATTERN, ACT_PLAY_TOGGLE},
        {"?", KEYMAP_CTX_PATTERN, ACT_HELP},
        {"?", KEYMAP_CTX_BROWSER, ACT_HELP},
        /* A screen's own binding wins over the global one. */
        {"d", KEYMAP_CTX_PATTERN, ACT_NOTE_DS0},
        {"d", KEYMAP_CTX_ORDERS, ACT_ORDER_DUPLICATE},
        {"Esc", KEYMAP_CTX_PATTERN, ACT_EDIT_TOGGLE},
        {"Esc", KEYMAP_CTX_HELP, ACT_BACK},
    };
    for (size_t i = 0; i < HISS_ARRAY_LEN(want); i++) {
        KeymapAction got = keymap_lookup(&km, want[i].ctx,
                                         keymap_key_parse(want[i].key));
        CHECK_MSG(got == want[i].act, "%s in %s: got %s", want[i].key,
                  keymap_context_name(want[i].ctx), keymap_action_name(got));
    }
    CHECK(keymap_lookup(&km, KEYMAP_CTX_PATTERN, keymap_key_parse("F13")) ==
          ACT_NONE);
}

static void no_default_needs_function_keys_or_alt(void)
{
    keymap_init_defaults(&km);
    /* Every action a person needs has at least one plain key (a control
     * key or a printable one, or the arrows/Enter/Tab that every terminal
     * sends). Alt-only and F-key-only actions would fail that person.
     * Exempt: actions that plain keys reach another way (Home/End by
     * paging, S-Tab by Left, a cell by clearing its fields) and extras
     * (the reference track is also named in the song file, stems are
     * also bounced by hiss render --stems). */
    const KeymapAction may_lack[] = {ACT_RECONNECT,      ACT_REFERENCE_LOAD,
                                     ACT_BOUNCE_STEMS,
                                     ACT_PATTERN_NEW,
                                     ACT_PATTERN_CLONE,  ACT_PATTERN_LENGTH,
                                     ACT_MARK_BEGIN,     ACT_MARK_END,
                                     ACT_MARK_CHANNEL,   ACT_UNMARK,
                                     ACT_SELECT_UP,      ACT_SELECT_DOWN,
                                     ACT_SELECT_LEFT,    ACT_SELECT_RIGHT,
                                     ACT_MIX_PASTE,      ACT_PLAY_SONG,
                                     ACT_HOME,
                                     ACT_END,            ACT_PREV_FIELD,
                                     ACT_CLEAR_CELL,     ACT_INST_CLEAR};
    for (int a = ACT_NONE + 1; a < ACT_COUNT; a++) {
        bool exempt = false;
        for (size_t i = 0; i < HISS_ARRAY_LEN(may_lack); i++)
            exempt |= (int)may_lack[i] == a;
        if (exempt)
            continue;
        bool plain = false;
        for (int i = 0; i < km.count; i++) {
            int k = km.bindings[i].key;
            if (km.bindings[i].action != (KeymapAction)a || (k & KEYMAP_META))
                continue;
            if (k < KEYMAP_KEY_NAMED ||
                (k >= KEYMAP_KEY_UP && k <= KEYMAP_KEY_RIGHT))
                plain = true;
        }
        CHECK_MSG(plain, "%s has no plain key",
                  keymap_action_name((KeymapAction)a));
    }
}

static void bind_lines_change_the_table(void)
{
    keymap_init_defaults(&km);
    HissDiag d[4];
    int errors = parse("# my keys\n"
                       "\n"
                       "bind C-p play_song   # comment\n"
                       "bind k copy\n"
                       "unbind F1\n"
                       "  bind   M-x   cut  \r\n",
                       d, 4);
    CHECK(errors == 0);
    CHECK(keymap_lookup(&km, KEYMAP_CTX_PATTERN, 16) == ACT_PLAY_SONG);
    CHECK(keymap_lookup(&km, KEYMAP_CTX_PATTERN, 'k') == ACT_COPY);
    /* copy is a pattern action: k does nothing special elsewhere. */
    CHECK(keymap_lookup(&km, KEYMAP_CTX_ORDERS, 'k') == ACT_NONE);
    CHECK(keymap_lookup(&km, KEYMAP_CTX_PATTERN, KEYMAP_KEY_F1) == ACT_NONE);
    CHECK(keymap_lookup(&km, KEYMAP_CTX_PATTERN, 'x' | KEYMAP_META) == ACT_CUT);
    /* The old binding of the other keys still works. */
    CHECK(keymap_lookup(&km, KEYMAP_CTX_PATTERN, 'c' | KEYMAP_META) == ACT_COPY);
    CHECK(keymap_lookup(&km, KEYMAP_CTX_PATTERN, '?') == ACT_HELP);
}

static void bad_lines_are_reported_and_skipped(void)
{
    keymap_init_defaults(&km);
    HissDiag d[8];
    memset(d, 0, sizeof d);
    int errors = parse("bind C-p play_song\n"
                       "bind Hyper-x copy\n"
                       "bind k fly_away\n"
                       "bnid k copy\n"
                       "bind k\n"
                       "bind k copy extra\n"
                       "unbind\n"
                       "bind j paste\n",
                       d, 8);
    CHECK(errors == 6);
    CHECK_STR(d[0].text, "hissrc:2:6: unknown key 'Hyper-x'");
    CHECK_STR(d[1].text, "hissrc:3:8: unknown action 'fly_away'");
    CHECK_STR(d[2].text,
              "hissrc:4:1: unknown command (expected bind, unbind, set, midi_cc or midi_note): 'bnid'");
    CHECK_STR(d[3].text, "hissrc:5:7: bind needs an action after the key");
    CHECK_STR(d[4].text, "hissrc:6:13: unexpected word after the action: 'extra'");
    CHECK_STR(d[5].text, "hissrc:7:7: unbind needs a key");
    /* Good lines around the bad ones took effect; defaults stand. */
    CHECK(keymap_lookup(&km, KEYMAP_CTX_PATTERN, 16) == ACT_PLAY_SONG);
    CHECK(keymap_lookup(&km, KEYMAP_CTX_PATTERN, 'j') == ACT_PASTE);
    CHECK(keymap_lookup(&km, KEYMAP_CTX_PATTERN, 'k') == ACT_NONE);
    CHECK(keymap_lookup(&km, KEYMAP_CTX_PATTERN, 'z') == ACT_NOTE_C0);
    CHECK(keymap_lookup(&km, KEYMAP_CTX_PATTERN, 19) == ACT_SAVE);
}

static void more_errors_than_room_are_counted(void)
{
    keymap_init_defaults(&km);
    HissDiag d[1];
    CHECK(parse("x\ny\nz\n", d, 1) == 3);
    CHECK_STR(d[0].text,
              "hissrc:1:1: unknown command (expected bind, unbind, set, midi_cc or midi_note): 'x'");
    CHECK(parse("bind\0x copy\n", NULL, 0) == 1); /* strlen stops at NUL */
    CHECK(keymap_parse(&km, "bind\0x copy\n", 12, "f", d, 1) == 1);
}

static void keys_for_lists_every_binding(void)
{
    keymap_init_defaults(&km);
    char buf[128];
    CHECK(keymap_keys_for(&km, ACT_HELP, buf, sizeof buf) == 2);
    CHECK_STR(buf, "?, F1");
    CHECK(keymap_keys_for(&km, ACT_SAVE, buf, sizeof buf) == 1);
    CHECK_STR(buf, "C-s");
    char tiny[4];
    keymap_keys_for(&km, ACT_HELP, tiny, sizeof tiny);
    CHECK(strlen(tiny) < sizeof tiny);
}

static void files_load_and_missing_is_fine(void)
{
    keymap_init_defaults(&km);
    HissDiag d[2];
    CHECK(keymap_load_file(&km, "/nonexistent/hiss/hissrc", d, 2) == 0);
    char path[] = "/tmp/hiss-keymap-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    const char *text = "bind C-b stop\nbind C-b nothing\n";
    CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    CHECK(keymap_load_file(&km, path, d, 2) == 1);
    char want[600];
    snprintf(want, sizeof want, "%s:2:10: unknown action 'nothing'", path);
    CHECK_STR(d[0].text, want);
    CHECK(keymap_lookup(&km, KEYMAP_CTX_GLOBAL, 2) == ACT_STOP);
    unlink(path);

    char buf[256];
    setenv("XDG_CONFIG_HOME", "/x/cfg", 1);
    CHECK(keymap_default_path(buf, sizeof buf));
    CHECK_STR(buf, "/x/cfg/hiss/hissrc");
    unsetenv("XDG_CONFIG_HOME");
    setenv("HOME", "/home/u", 1);
    CHECK(keymap_default_path(buf, sizeof buf));
    CHECK_STR(buf, "/home/u/.config/hiss/hissrc");
}

static void table_full_is_an_error_not_a_crash(void)
{
    keymap_init_defaults(&km);
    int fails = 0;
    for (int k = 0; k < KEYMAP_MAX_BINDINGS + 10; k++)
        fails += keymap_bind(&km, KEYMAP_KEY_NAMED_END + 1000 + k, ACT_COPY) != HISS_OK;
    CHECK(fails > 0);
    CHECK(km.count == KEYMAP_MAX_BINDINGS);
    CHECK(keymap_bind(&km, 'a', ACT_NONE) == HISS_ERR_RANGE);
}

static void set_autosave_is_read(void)
{
    keymap_init_defaults(&km);
    CHECK(km.autosave_seconds == -1);
    HissDiag d[4];
    CHECK(parse("set autosave 5\n", d, 4) == 0);
    CHECK(km.autosave_seconds == 5);
    CHECK(parse("set autosave -1\nset autosave 3x\nset colour on\nset autosave\n",
                d, 4) == 4);
    CHECK_STR(d[0].text, "hissrc:1:14: autosave takes seconds, 0..86400: '-1'");
    CHECK_STR(d[2].text,
              "hissrc:3:5: unknown setting (expected autosave, backups, midi_map, "
              "midi_clock_in or midi_transport_in) 'colour'");
    CHECK(km.autosave_seconds == 5);
}

/* midi_cc lines: a controller bound to a mix setting or the tempo, the
 * last line for a controller winning; bad lines say why; a controller's
 * 0..127 spans the setting's range. */
static void midi_cc_is_read(void)
{
    keymap_init_defaults(&km);
    HissDiag d[4];
    CHECK(parse("midi_cc 1:74 strip 3 gain\nmidi_cc 16:7 tempo\n"
                "midi_cc 2:1 delay 0 feedback # a comment\n",
                d, 4) == 0);
    CHECK(km.midi_learn.count == 3);
    const MidiLearnBinding *b = midilearn_find(&km.midi_learn, false, 0, 74);
    CHECK(b && b->kind == MIDILEARN_MIX && b->param.group == MIXPARAM_STRIP && b->param.channel == 2 &&
          b->param.index == EDIT_STRIP_GAIN);
    if (b) {
        CHECK(midilearn_value(b, 0) == SONG_GAIN_MIN);
        CHECK(midilearn_value(b, 127) == SONG_GAIN_MAX);
        char text[64];
        midilearn_line(b, text, sizeof text);
        CHECK_STR(text, "midi_cc 1:74 strip 3 gain");
    }
    b = midilearn_find(&km.midi_learn, false, 15, 7);
    CHECK(b && b->kind == MIDILEARN_TEMPO && midilearn_value(b, 60) == 1200);
    b = midilearn_find(&km.midi_learn, false, 1, 1);
    CHECK(b && b->param.group == MIXPARAM_DELAY && midilearn_value(b, 127) == 95);
    CHECK(parse("midi_cc 1:74 strip 3 pan\n", d, 4) == 0);
    CHECK(km.midi_learn.count == 3);
    b = midilearn_find(&km.midi_learn, false, 0, 74);
    CHECK(b && b->param.index == EDIT_STRIP_PAN && midilearn_value(b, 64) == 1);
    CHECK(parse("midi_cc 17:1 tempo\nmidi_cc 1:1 strip 0 gain\nmidi_cc 1:1 strip 1 loud\n"
                "midi_cc 1:1 bus 1 gain\n",
                d, 4) == 4);
    CHECK_STR(d[0].text, "hissrc:1:9: '17:1' is not MIDI_CHANNEL:CC (1..16:0..127)");
    CHECK_STR(d[1].text, "hissrc:2:9: 1:1: channel '0' is not 1..64");
    CHECK_STR(d[2].text, "hissrc:3:9: 1:1: strip has no setting 'loud'");
    CHECK(strstr(d[3].text, "expected 'tempo', GROUP CHANNEL FIELD") != NULL);
    CHECK(km.midi_learn.count == 3);
}

/* midi_note lines and the targets beyond settings: a note and a
 * controller of the same number are two sources; actions with and
 * without a channel; an instrument's cutoff in even steps of pitch; each
 * line written back as read; bad lines say why. */
static void midi_note_and_actions_are_read(void)
{
    keymap_init_defaults(&km);
    HissDiag d[6];
    const char *lines[] = {"midi_note 10:36 mute 2",   "midi_cc 10:36 solo_at_bar 64",
                           "midi_note 10:37 tap",       "midi_note 1:0 cue_next",
                           "midi_cc 1:20 play",         "midi_note 16:127 record",
                           "midi_cc 1:71 instrument 0A cutoff", "midi_note 2:60 strip 1 mute"};
    char text[1024] = "";
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "%s\n", lines[i]);
    CHECK(parse(text, d, 6) == 0);
    CHECK(km.midi_learn.count == 8);
    for (int i = 0; i < km.midi_learn.count && i < 8; i++) {
        char line[MIDILEARN_LINE_MAX];
        midilearn_line(&km.midi_learn.bindings[i], line, sizeof line);
        CHECK_STR(line, lines[i]);
    }
    const MidiLearnBinding *b = midilearn_find(&km.midi_learn, true, 9, 36);
    CHECK(b && b->kind == MIDILEARN_ACTION && b->action == MIDILEARN_MUTE && b->channel == 1);
    b = midilearn_find(&km.midi_learn, false, 9, 36);
    CHECK(b && b->action == MIDILEARN_SOLO_AT_BAR && b->channel == 63);
    b = midilearn_find(&km.midi_learn, false, 0, 71);
    CHECK(b && b->kind == MIDILEARN_SHAPE && b->instrument == 10 && b->shape == SHAPE_CUTOFF);
    if (b) {
        CHECK(midilearn_value(b, 0) == 20 && midilearn_value(b, 127) == 20000);
        /* Halfway up the turn is halfway in octaves: 632 Hz, not 10 kHz. */
        CHECK_MSG(midilearn_value(b, 64) > 600 && midilearn_value(b, 64) < 700, "%d Hz",
                  midilearn_value(b, 64));
    }
    b = midilearn_find(&km.midi_learn, true, 1, 60);
    CHECK(b && midilearn_is_switch(b));
    char source[MIDILEARN_LINE_MAX];
    if (b) {
        midilearn_source_text(b, source, sizeof source);
        CHECK_STR(source, "note C-4 (MIDI channel 2)");
    }
    CHECK(midilearn_unbind(&km.midi_learn, true, 9, 36));
    CHECK(!midilearn_unbind(&km.midi_learn, true, 9, 36));
    CHECK(midilearn_find(&km.midi_learn, false, 9, 36) != NULL);
    CHECK(km.midi_learn.count == 7);
    CHECK(parse("midi_note 10:36 mute\nmidi_note 10:36 tap 2\nmidi_note 1:200 tap\n"
                "midi_cc 1:1 instrument 00 cutoff\nmidi_cc 1:1 instrument 01 loud\n"
                "midi_note 1:1 mute 65\n",
                d, 6) == 6);
    CHECK_STR(d[0].text, "hissrc:1:11: 10:36: mute takes a channel, 1..64");
    CHECK_STR(d[1].text, "hissrc:2:11: 10:36: tap takes nothing after it");
    CHECK_STR(d[2].text, "hissrc:3:11: '1:200' is not MIDI_CHANNEL:NOTE (1..16:0..127)");
    CHECK_STR(d[3].text, "hissrc:4:9: 1:1: expected instrument II FIELD (II 01..FF)");
    CHECK_STR(d[4].text, "hissrc:5:9: 1:1: an instrument has no setting 'loud'");
    CHECK_STR(d[5].text, "hissrc:6:11: 1:1: mute takes a channel, 1..64");
    CHECK(km.midi_learn.count == 7);
}

/* The two MIDI clock-in switches, each on its own. */
static void set_midi_clock_in_is_read(void)
{
    keymap_init_defaults(&km);
    CHECK(!km.midi_clock_in && !km.midi_transport_in);
    HissDiag d[4];
    CHECK(parse("set midi_clock_in on\n", d, 4) == 0);
    CHECK(km.midi_clock_in && !km.midi_transport_in);
    CHECK(parse("set midi_transport_in on\nset midi_clock_in off\n", d, 4) == 0);
    CHECK(!km.midi_clock_in && km.midi_transport_in);
    CHECK(parse("set midi_clock_in yes\n", d, 4) == 1);
    CHECK_STR(d[0].text, "hissrc:1:19: expected on or off: 'yes'");
    CHECK(!km.midi_clock_in);
}

static void set_midi_map_is_read(void)
{
    keymap_init_defaults(&km);
    CHECK(!km.midi_map.set[9]);
    HissDiag d[4];
    CHECK(parse("set midi_map 10:02:4,1:1f\n", d, 4) == 0);
    CHECK(km.midi_map.set[9] && km.midi_map.instrument[9] == 2 && km.midi_map.channel[9] == 3);
    CHECK(km.midi_map.set[0] && km.midi_map.instrument[0] == 0x1F);
    CHECK(parse("set midi_map 17:01\n", d, 4) == 1);
    CHECK_STR(d[0].text, "hissrc:1:14: MIDI map entry '17:01' is not MIDI:INSTRUMENT[:CHANNEL] "
                         "(MIDI 1..16, instrument 01..FF, channel 1..64)");
    CHECK(km.midi_map.set[9]); /* a bad line changes nothing */
}

static void set_backups_is_read(void)
{
    keymap_init_defaults(&km);
    CHECK(km.backups == -1);
    HissDiag d[4];
    CHECK(parse("set backups 5\n", d, 4) == 0);
    CHECK(km.backups == 5);
    CHECK(parse("set backups 21\nset backups x\n", d, 4) == 2);
    CHECK_STR(d[0].text, "hissrc:1:13: backups takes a count, 0..20: '21'");
    CHECK(km.backups == 5);
}

/* man/hiss.1 documents every default key: each action's line there holds
 * exactly the keys the table binds (roff escapes aside). */
static void man_page_lists_every_key(void)
{
    FILE *f = fopen("man/hiss.1", "r");
    if (!f) {
        CHECK_MSG(false, "man/hiss.1 not found (run from the source tree)");
        return;
    }
    static char man[1 << 18];
    size_t n = fread(man, 1, sizeof man - 1, f);
    fclose(f);
    man[n] = 0;
    keymap_init_defaults(&km);
    for (int a = ACT_NONE + 1; a < ACT_COUNT; a++) {
        const char *name = keymap_action_name((KeymapAction)a);
        if (!strncmp(name, "note_", 5) && strcmp(name, "note_off") &&
            strcmp(name, "note_cut"))
            continue; /* the piano keys are described together */
        char keys[128], esc[300], want[400];
        keymap_keys_for(&km, (KeymapAction)a, keys, sizeof keys);
        size_t j = 0;
        for (size_t i = 0; keys[i] && j + 3 < sizeof esc; i++) {
            if (keys[i] == '\\' || keys[i] == '-')
                esc[j++] = '\\';
            esc[j++] = keys[i] == '\\' ? 'e' : keys[i];
        }
        esc[j] = 0;
        snprintf(want, sizeof want, ".BR \"%s\" \" (%s)\"\n", esc, name);
        CHECK_MSG(strstr(man, want) != NULL, "man/hiss.1 lacks: %s", want);
    }
}

/* Every page where quit can be reached by some key. */
static bool quit_on_every_page(void)
{
    for (int ctx = KEYMAP_CTX_GLOBAL; ctx < KEYMAP_CTX_COUNT; ctx++) {
        bool found = false;
        for (int i = 0; i < km.count && !found; i++)
            found = keymap_lookup(&km, (KeymapContext)ctx,
                                  km.bindings[i].key) == ACT_QUIT;
        if (!found)
            return false;
    }
    return true;
}

static void quit_stays_reachable_whatever_the_config_says(void)
{
    int cq = keymap_key_parse("C-q");
    static const char *const CONFIGS[] = {
        "unbind C-q\n",
        "bind C-q play_toggle\n",
        "bind C-q note_off\n", /* shadows quit on the pattern page */
    };
    for (size_t i = 0; i < sizeof CONFIGS / sizeof CONFIGS[0]; i++) {
        keymap_init_defaults(&km);
        HissDiag d[2] = {{{0}}};
        int errors = keymap_parse(&km, CONFIGS[i], strlen(CONFIGS[i]), "rc",
                                  d, 2);
        CHECK_MSG(quit_on_every_page(), "config: %s", CONFIGS[i]);
        CHECK(keymap_lookup(&km, KEYMAP_CTX_PATTERN, cq) == ACT_QUIT);
        CHECK(errors == 1);
        CHECK(strstr(d[0].text, "C-q quits again") != NULL);
    }
    /* Moving quit to another key is the user's right: C-q is then free. */
    keymap_init_defaults(&km);
    HissDiag d[2] = {{{0}}};
    const char *moved = "bind M-x quit\nbind C-q play_toggle\n";
    CHECK(keymap_parse(&km, moved, strlen(moved), "rc", d, 2) == 0);
    CHECK(keymap_lookup(&km, KEYMAP_CTX_GLOBAL, cq) == ACT_PLAY_TOGGLE);
    CHECK(quit_on_every_page());
}

/* A FIFO as hissrc: opening it must not wait for a writer. Run in a child
 * with an alarm, so a hang fails the test instead of stalling the run. */
static void fifo_config_is_refused_without_blocking(void)
{
    char dir[] = "/tmp/hiss-keymap-fifo-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[64];
    snprintf(path, sizeof path, "%s/hissrc", dir);
    CHECK(mkfifo(path, 0600) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        alarm(3);
        keymap_init_defaults(&km);
        HissDiag d[2] = {{{0}}};
        int errors = keymap_load_file(&km, path, d, 2);
        _exit(errors == 1 && strstr(d[0].text, "not a regular file") ? 0 : 1);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0,
              "child %s %d", WIFSIGNALED(status) ? "killed by signal" : "exit",
              WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
    unlink(path);
    rmdir(dir);
}

/* A bind of a key the terminal sends as another is refused with its
 * place in the file, and says which key to bind instead. */
static void keys_a_terminal_cannot_tell_apart_are_refused(void)
{
    HissDiag d[8];
    keymap_init_defaults(&km);
    int before = km.count;
    CHECK(parse("bind C-j jam_toggle\nbind  C-i copy\nbind C-m play_song\n"
                "bind C-[ stop\nunbind C-h\nbind M-C-j cut\n",
                d, 8) == 6);
    CHECK_STR(d[0].text, "hissrc:1:6: 'C-j' reaches hiss as Enter (a terminal "
                         "cannot tell them apart): bind Enter instead");
    CHECK(strstr(d[1].text, "hissrc:2:7: 'C-i' reaches hiss as Tab") == d[1].text);
    CHECK(strstr(d[2].text, "as Enter") != NULL);
    CHECK(strstr(d[3].text, "as Esc") != NULL);
    CHECK(strstr(d[4].text, "hissrc:5:8: 'C-h' reaches hiss as Backspace") ==
          d[4].text);
    CHECK(strstr(d[5].text, "as Enter") != NULL);
    CHECK(km.count == before);
    CHECK(keymap_key_parse("C-j") == -1);
    CHECK(keymap_key_alias("C-J") != NULL);
    CHECK(keymap_key_alias("C-k") == NULL);
    CHECK(keymap_key_alias("Tab") == NULL);
    /* The key the terminal does send still binds. */
    CHECK(parse("bind Enter jam_toggle\n", d, 8) == 0);
    CHECK(keymap_lookup(&km, KEYMAP_CTX_PATTERN, KEYMAP_KEY_ENTER) ==
          ACT_JAM_TOGGLE);
}

static int seq_key(const char *seq)
{
    return keymap_sequence_key(seq, strlen(seq));
}

/* Feeds bytes one at a time as the editor does; returns how many it took
 * before the sequence was complete (or broken), and the state then. */
static size_t seq_take(const char *bytes, KeymapSeqState *state)
{
    size_t len = 0;
    *state = KEYMAP_SEQ_MORE;
    while (*state == KEYMAP_SEQ_MORE && bytes[len])
        *state = keymap_sequence_state(bytes, ++len);
    return len;
}

static void escape_sequences_are_read_whole(void)
{
    KeymapSeqState st;
    /* Complete sequences end at their final byte, never earlier. */
    CHECK(seq_take("[6~zz", &st) == 3 && st == KEYMAP_SEQ_DONE);
    CHECK(seq_take("[15~z", &st) == 4 && st == KEYMAP_SEQ_DONE);
    CHECK(seq_take("[1;5Az", &st) == 5 && st == KEYMAP_SEQ_DONE);
    CHECK(seq_take("OPz", &st) == 2 && st == KEYMAP_SEQ_DONE);
    CHECK(seq_take("[[Az", &st) == 3 && st == KEYMAP_SEQ_DONE);
    CHECK(seq_take("[?1;2cz", &st) == 6 && st == KEYMAP_SEQ_DONE);
    CHECK(seq_take("[12\x01", &st) == 4 && st == KEYMAP_SEQ_BROKEN);
    /* However long: a report with many parameters ends at its final byte,
     * past the bytes a reader keeps. */
    char report[200] = "[?";
    for (int i = 0; i < 60; i++)
        strcat(report, "1;");
    strcat(report, "cz");
    CHECK(seq_take(report, &st) == strlen(report) - 1 && st == KEYMAP_SEQ_DONE);
    CHECK(strlen(report) - 1 > KEYMAP_SEQ_MAX);
    CHECK(seq_take("O12345678901234567890123456789012345Pz", &st) == 37 &&
          st == KEYMAP_SEQ_DONE);
    CHECK(keymap_sequence_state("x", 1) == KEYMAP_SEQ_NONE);
    CHECK(keymap_sequence_state("[", 1) == KEYMAP_SEQ_MORE);
    /* What the keys send under xterm, screen, rxvt and the console. */
    CHECK(seq_key("[6~") == KEYMAP_KEY_NPAGE);
    CHECK(seq_key("[5~") == KEYMAP_KEY_PPAGE);
    CHECK(seq_key("[3~") == KEYMAP_KEY_DELETE);
    CHECK(seq_key("[2~") == KEYMAP_KEY_INSERT);
    CHECK(seq_key("[1~") == KEYMAP_KEY_HOME);
    CHECK(seq_key("[7~") == KEYMAP_KEY_HOME);
    CHECK(seq_key("[H") == KEYMAP_KEY_HOME);
    CHECK(seq_key("OH") == KEYMAP_KEY_HOME);
    CHECK(seq_key("[4~") == KEYMAP_KEY_END);
    CHECK(seq_key("[F") == KEYMAP_KEY_END);
    CHECK(seq_key("[A") == KEYMAP_KEY_UP);
    CHECK(seq_key("OD") == KEYMAP_KEY_LEFT);
    CHECK(seq_key("OP") == KEYMAP_KEY_F1);
    CHECK(seq_key("[11~") == KEYMAP_KEY_F1);
    CHECK(seq_key("[[A") == KEYMAP_KEY_F1);
    CHECK(seq_key("[15~") == KEYMAP_KEY_F1 + 4);
    CHECK(seq_key("[17~") == KEYMAP_KEY_F1 + 5);
    CHECK(seq_key("[19~") == KEYMAP_KEY_F1 + 7);
    CHECK(seq_key("[24~") == KEYMAP_KEY_F12);
    CHECK(seq_key("[Z") == KEYMAP_KEY_S_TAB);
    CHECK(seq_key("[1;2A") == KEYMAP_KEY_S_UP);
    CHECK(seq_key("[1;2H") == KEYMAP_KEY_S_HOME);
    CHECK(seq_key("[1;3B") == (KEYMAP_KEY_DOWN | KEYMAP_META));
    CHECK(seq_key("[20;3~") == ((KEYMAP_KEY_F1 + 8) | KEYMAP_META));
    CHECK(seq_key("Oq") == '1');
    CHECK(seq_key("OM") == KEYMAP_KEY_ENTER);
    /* Sequences that name none of our keys are nothing, not text. */
    CHECK(seq_key("[99~") == -1);
    CHECK(seq_key("[200~") == -1);
    CHECK(seq_key("[1;5A") == -1); /* C-Up */
    CHECK(seq_key("[?1;2c") == -1);
    CHECK(seq_key("[<0;3;4M") == -1);
    CHECK(seq_key("[I") == -1);
    CHECK(seq_key("[1;2;3~") == -1);
    CHECK(seq_key("[6") == -1);
}

int main(void)
{
    RUN(key_names_round_trip);
    RUN(every_action_has_a_unique_name);
    RUN(defaults_hold_the_required_keys);
    RUN(no_default_needs_function_keys_or_alt);
    RUN(bind_lines_change_the_table);
    RUN(bad_lines_are_reported_and_skipped);
    RUN(more_errors_than_room_are_counted);
    RUN(keys_for_lists_every_binding);
    RUN(files_load_and_missing_is_fine);
    RUN(table_full_is_an_error_not_a_crash);
    RUN(set_autosave_is_read);
    RUN(set_backups_is_read);
    RUN(set_midi_map_is_read);
    RUN(set_midi_clock_in_is_read);
    RUN(midi_cc_is_read);
    RUN(midi_note_and_actions_are_read);
    RUN(man_page_lists_every_key);
    RUN(quit_stays_reachable_whatever_the_config_says);
    RUN(fifo_config_is_refused_without_blocking);
    RUN(keys_a_terminal_cannot_tell_apart_are_refused);
    RUN(escape_sequences_are_read_whole);
    return test_finish();
}
