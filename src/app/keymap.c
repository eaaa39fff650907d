#include "keymap.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fileio.h"

typedef struct {
    const char *name;
    KeymapContext ctx;
    const char *description;
} ActionInfo;

static const ActionInfo ACTIONS[ACT_COUNT] = {
    [ACT_NONE] = {"none", KEYMAP_CTX_GLOBAL, "does nothing"},
#define KEYMAP_X_INFO(id, nm, cx, desc) [id] = {nm, KEYMAP_CTX_##cx, desc},
    KEYMAP_ACTIONS(KEYMAP_X_INFO)
#undef KEYMAP_X_INFO
};

static const char *const CONTEXT_NAMES[KEYMAP_CTX_COUNT] = {
    "global", "pattern", "orders", "instruments", "browser", "settings", "help",
};

/* The default table, in key-name form so it reads like a hissrc. Several
 * keys per action give plain-key fallbacks for terminals without F-keys,
 * Insert/Delete or Alt. */
static const struct {
    const char *key;
    KeymapAction action;
} DEFAULTS[] = {
    {"C-q", ACT_QUIT},
    {"C-s", ACT_SAVE},
    {"C-w", ACT_SAVE_AS},
    {"C-o", ACT_OPEN},
    {"C-n", ACT_NEW_SONG},
    {"C-z", ACT_UNDO},
    {"C-y", ACT_REDO},
    {"C-l", ACT_REDRAW},
    {"?", ACT_HELP},
    {"F1", ACT_HELP},
    {"C-e", ACT_PAGE_PATTERN},
    {"F2", ACT_PAGE_PATTERN},
    {"M-1", ACT_PAGE_PATTERN},
    {"C-r", ACT_PAGE_ORDERS},
    {"F11", ACT_PAGE_ORDERS},
    {"M-2", ACT_PAGE_ORDERS},
    {"C-t", ACT_PAGE_INSTRUMENTS},
    {"F3", ACT_PAGE_INSTRUMENTS},
    {"M-3", ACT_PAGE_INSTRUMENTS},
    {"C-f", ACT_PAGE_BROWSER},
    {"F9", ACT_PAGE_BROWSER},
    {"M-4", ACT_PAGE_BROWSER},
    {"C-g", ACT_PAGE_SETTINGS},
    {"F12", ACT_PAGE_SETTINGS},
    {"M-5", ACT_PAGE_SETTINGS},
    {"C-a", ACT_PAGE_MIXER},
    {"F4", ACT_PAGE_MIXER},
    {"M-6", ACT_PAGE_MIXER},
    {"Space", ACT_PLAY_TOGGLE},
    {"F5", ACT_PLAY_SONG},
    {"M-Enter", ACT_PLAY_SONG},
    {"C-p", ACT_PLAY_PATTERN},
    {"F6", ACT_PLAY_PATTERN},
    {"F7", ACT_PLAY_FROM_CURSOR},
    {";", ACT_PLAY_FROM_CURSOR},
    {"F8", ACT_STOP},
    {"C-k", ACT_STOP},
    {"M-j", ACT_RECONNECT},
    {"C-]", ACT_MIDI_LEARN_MODE},
    {"M-L", ACT_MIDI_LEARN_MODE},
    {"C-b", ACT_REFERENCE_TOGGLE},
    {"M-v", ACT_REFERENCE_TOGGLE},
    {"M-V", ACT_REFERENCE_LOAD},
    {"M-B", ACT_BOUNCE_STEMS},
    {"[", ACT_OCTAVE_DOWN},
    {"]", ACT_OCTAVE_UP},
    {"Up", ACT_UP},
    {"Down", ACT_DOWN},
    {"Left", ACT_LEFT},
    {"Right", ACT_RIGHT},
    {"PageUp", ACT_PAGE_UP},
    {"C-u", ACT_PAGE_UP},
    {"PageDown", ACT_PAGE_DOWN},
    {"C-d", ACT_PAGE_DOWN},
    {"Home", ACT_HOME},
    {"End", ACT_END},
    {"Tab", ACT_NEXT_FIELD},
    {"S-Tab", ACT_PREV_FIELD},
    {"Enter", ACT_SELECT},
    {"Esc", ACT_BACK},
    /* The two-row piano of the classic trackers. */
    {"z", ACT_NOTE_C0}, {"s", ACT_NOTE_CS0}, {"x", ACT_NOTE_D0},
    {"d", ACT_NOTE_DS0}, {"c", ACT_NOTE_E0}, {"v", ACT_NOTE_F0},
    {"g", ACT_NOTE_FS0}, {"b", ACT_NOTE_G0}, {"h", ACT_NOTE_GS0},
    {"n", ACT_NOTE_A0}, {"j", ACT_NOTE_AS0}, {"m", ACT_NOTE_B0},
    {"q", ACT_NOTE_C1}, {"2", ACT_NOTE_CS1}, {"w", ACT_NOTE_D1},
    {"3", ACT_NOTE_DS1}, {"e", ACT_NOTE_E1}, {"r", ACT_NOTE_F1},
    {"5", ACT_NOTE_FS1}, {"t", ACT_NOTE_G1}, {"6", ACT_NOTE_GS1},
    {"y", ACT_NOTE_A1}, {"7", ACT_NOTE_AS1}, {"u", ACT_NOTE_B1},
    {"i", ACT_NOTE_C2}, {"9", ACT_NOTE_CS2}, {"o", ACT_NOTE_D2},
    {"0", ACT_NOTE_DS2}, {"p", ACT_NOTE_E2},
    /* Pattern editor. */
    {"a", ACT_NOTE_OFF},
    {"`", ACT_NOTE_OFF},
    {"1", ACT_NOTE_CUT},
    {".", ACT_CLEAR_FIELD},
    {"Delete", ACT_CLEAR_CELL},
    {"Insert", ACT_INSERT_ROW},
    {"\\", ACT_INSERT_ROW},
    {"Backspace", ACT_DELETE_ROW},
    {"|", ACT_DELETE_ROW},
    {"{", ACT_STEP_DOWN},
    {"}", ACT_STEP_UP},
    {"Esc", ACT_EDIT_TOGGLE},
    {"~", ACT_JAM_TOGGLE},
    {"'", ACT_FOLLOW_TOGGLE},
    {"M-f", ACT_FOLLOW_TOGGLE},
    {"!", ACT_RECORD_TOGGLE},
    {"M-w", ACT_RECORD_TOGGLE},
    {"@", ACT_QUANTIZE},
    {"#", ACT_RECORD_FEEL},
    {"^", ACT_RECORD_REPLACE},
    {"T", ACT_TAP_TEMPO},
    {"=", ACT_TEMPO_UP},
    {"&", ACT_TEMPO_DOWN},
    {"M-=", ACT_TEMPO_UP_FINE},
    {"Z", ACT_TEMPO_UP_FINE},
    {"M-&", ACT_TEMPO_DOWN_FINE},
    {"X", ACT_TEMPO_DOWN_FINE},
    {"M", ACT_MUTE_AT_BAR},
    {"M-,", ACT_MUTE_AT_BAR},
    {"S", ACT_SOLO_AT_BAR},
    {"M-/", ACT_SOLO_AT_BAR},
    {"L", ACT_LOOP_ROWS},
    {"M-i", ACT_LOOP_ROWS},
    {"Q", ACT_PATTERN_CUE},
    {"G", ACT_GROOVE_TEMPLATE},
    {"H", ACT_GROOVE_EDIT},
    {"M-g", ACT_GROOVE_EDIT},
    {"J", ACT_JAM_CAPTURE},
    {"P", ACT_PERFORMANCE_CAPTURE},
    {"N", ACT_CHANNEL_NAME},
    {",", ACT_MUTE_TOGGLE},
    {"M-F9", ACT_MUTE_TOGGLE},
    {"/", ACT_SOLO_TOGGLE},
    {"M-F10", ACT_SOLO_TOGGLE},
    {"(", ACT_INSTRUMENT_PREV},
    {")", ACT_INSTRUMENT_NEXT},
    {"<", ACT_PATTERN_PREV},
    {">", ACT_PATTERN_NEXT},
    {"M-n", ACT_PATTERN_NEW},
    {"M-d", ACT_PATTERN_CLONE},
    {"M-r", ACT_PATTERN_LENGTH},
    {"M-b", ACT_MARK_BEGIN},
    {"M-e", ACT_MARK_END},
    {"M-l", ACT_MARK_CHANNEL},
    {"M-u", ACT_UNMARK},
    {"S-Up", ACT_SELECT_UP},
    {"S-Down", ACT_SELECT_DOWN},
    {"S-Left", ACT_SELECT_LEFT},
    {"S-Right", ACT_SELECT_RIGHT},
    {"C-c", ACT_COPY},
    {"M-c", ACT_COPY},
    {"C-x", ACT_CUT},
    {"M-z", ACT_CUT},
    {"C-v", ACT_PASTE},
    {"M-p", ACT_PASTE},
    {"M-m", ACT_MIX_PASTE},
    {"M-o", ACT_MIX_PASTE},
    {"+", ACT_TRANSPOSE_UP},
    {"M-q", ACT_TRANSPOSE_UP},
    {"-", ACT_TRANSPOSE_DOWN},
    {"M-a", ACT_TRANSPOSE_DOWN},
    {"*", ACT_TRANSPOSE_OCT_UP},
    {"M-Q", ACT_TRANSPOSE_OCT_UP},
    {"_", ACT_TRANSPOSE_OCT_DOWN},
    {"M-A", ACT_TRANSPOSE_OCT_DOWN},
    {"%", ACT_INTERPOLATE},
    {"M-k", ACT_INTERPOLATE},
    {"$", ACT_SET_INSTRUMENT},
    {"M-s", ACT_SET_INSTRUMENT},
    /* Order list. */
    {"Insert", ACT_ORDER_INSERT},
    {"i", ACT_ORDER_INSERT},
    {"Delete", ACT_ORDER_DELETE},
    {"Backspace", ACT_ORDER_DELETE},
    {"x", ACT_ORDER_DELETE},
    {"d", ACT_ORDER_DUPLICATE},
    {"+", ACT_ORDER_NEXT_PATTERN},
    {">", ACT_ORDER_NEXT_PATTERN},
    {"-", ACT_ORDER_PREV_PATTERN},
    {"<", ACT_ORDER_PREV_PATTERN},
    {"c", ACT_ORDER_CUE},
    {"C", ACT_CUE_AT},
    /* Instruments. */
    {"+", ACT_INST_INC},
    {"-", ACT_INST_DEC},
    {">", ACT_INST_INC_BIG},
    {"<", ACT_INST_DEC_BIG},
    {"R", ACT_INST_RENAME},
    {"L", ACT_INST_LOAD},
    {"Delete", ACT_INST_CLEAR},
    {"H", ACT_INST_SLICE_HITS},
    {"E", ACT_INST_SLICE_EQUAL},
    {"W", ACT_INST_SLICES_TO_PATTERN},
    {"{", ACT_SLICE_PREV},
    {"}", ACT_SLICE_NEXT},
    {",", ACT_SLICE_EARLIER},
    {".", ACT_SLICE_LATER},
    {":", ACT_SLICE_AT},
    {"Z", ACT_SLICE_SNAP},
    {"A", ACT_SLICE_ADD},
    {"D", ACT_SLICE_DELETE},
    {"K", ACT_SLICE_TO_PLAYHEAD},
    {"P", ACT_SLICE_AUDITION},
    {"O", ACT_SAMPLE_PLAY},
    {"B", ACT_SAMPLE_TEMPO},
    {"F", ACT_SAMPLE_STRETCH},
    {"X", ACT_SAMPLE_EDIT},
    {"G", ACT_RENDER_TO_INSTRUMENT},
    {"C", ACT_SAMPLE_RECORD},
    {"V", ACT_SAMPLE_RECORD_ARMED},
    {"Y", ACT_SAMPLE_RECORD_SETUP},
    {"I", ACT_WAVE_ZOOM_IN},
    {"U", ACT_WAVE_ZOOM_OUT},
    /* Sample browser. */
    {"Backspace", ACT_BROWSE_PARENT},
    {"/", ACT_BROWSE_FILTER},
    {"p", ACT_BROWSE_PREVIEW},
    /* Song settings. */
    {"+", ACT_SET_INC},
    {"-", ACT_SET_DEC},
    {"R", ACT_LOUDNESS_RESET},
    {"L", ACT_MIDI_LEARN},
    {"N", ACT_MIXER_CHANNEL_NAME},
};

/* Named keys, in the spelling keymap_key_name prints. */
static const struct {
    const char *name;
    int key;
} NAMED[] = {
    {"Up", KEYMAP_KEY_UP},          {"Down", KEYMAP_KEY_DOWN},
    {"Left", KEYMAP_KEY_LEFT},      {"Right", KEYMAP_KEY_RIGHT},
    {"PageUp", KEYMAP_KEY_PPAGE},   {"PageDown", KEYMAP_KEY_NPAGE},
    {"Home", KEYMAP_KEY_HOME},      {"End", KEYMAP_KEY_END},
    {"Insert", KEYMAP_KEY_INSERT},  {"Delete", KEYMAP_KEY_DELETE},
    {"S-Up", KEYMAP_KEY_S_UP},      {"S-Down", KEYMAP_KEY_S_DOWN},
    {"S-Left", KEYMAP_KEY_S_LEFT},  {"S-Right", KEYMAP_KEY_S_RIGHT},
    {"S-Home", KEYMAP_KEY_S_HOME},  {"S-End", KEYMAP_KEY_S_END},
    {"S-Tab", KEYMAP_KEY_S_TAB},    {"Space", ' '},
    {"Tab", '\t'},                  {"Enter", KEYMAP_KEY_ENTER},
    {"Esc", KEYMAP_KEY_ESC},        {"Backspace", KEYMAP_KEY_BACKSPACE},
    /* Accepted spellings that are never printed. */
    {"PgUp", KEYMAP_KEY_PPAGE},     {"PgDn", KEYMAP_KEY_NPAGE},
    {"Ins", KEYMAP_KEY_INSERT},     {"Del", KEYMAP_KEY_DELETE},
    {"Escape", KEYMAP_KEY_ESC},     {"Return", KEYMAP_KEY_ENTER},
    {"BackTab", KEYMAP_KEY_S_TAB},  {"BS", KEYMAP_KEY_BACKSPACE},
};

static bool valid_action(KeymapAction a)
{
    return a > ACT_NONE && a < ACT_COUNT;
}

const char *keymap_action_name(KeymapAction a)
{
    return (a >= ACT_NONE && a < ACT_COUNT) ? ACTIONS[a].name : "?";
}

const char *keymap_action_description(KeymapAction a)
{
    return (a >= ACT_NONE && a < ACT_COUNT) ? ACTIONS[a].description : "";
}

KeymapContext keymap_action_context(KeymapAction a)
{
    return (a >= ACT_NONE && a < ACT_COUNT) ? ACTIONS[a].ctx : KEYMAP_CTX_GLOBAL;
}

const char *keymap_context_name(KeymapContext ctx)
{
    return (ctx >= 0 && ctx < KEYMAP_CTX_COUNT) ? CONTEXT_NAMES[ctx] : "?";
}

KeymapAction keymap_action_parse(const char *name)
{
    for (int a = ACT_NONE + 1; a < ACT_COUNT; a++)
        if (!strcmp(ACTIONS[a].name, name))
            return (KeymapAction)a;
    return ACT_NONE;
}

HissError keymap_bind(Keymap *km, int key, KeymapAction action)
{
    if (!valid_action(action))
        return HISS_ERR_RANGE;
    KeymapContext ctx = ACTIONS[action].ctx;
    for (int i = 0; i < km->count; i++) {
        KeymapBinding *b = &km->bindings[i];
        if (b->key == key && ACTIONS[b->action].ctx == ctx) {
            b->action = action;
            return HISS_OK;
        }
    }
    if (km->count >= KEYMAP_MAX_BINDINGS)
        return HISS_ERR_RANGE;
    km->bindings[km->count++] = (KeymapBinding){key, action};
    return HISS_OK;
}

int keymap_unbind(Keymap *km, int key)
{
    int removed = 0, out = 0;
    for (int i = 0; i < km->count; i++) {
        if (km->bindings[i].key == key)
            removed++;
        else
            km->bindings[out++] = km->bindings[i];
    }
    km->count = out;
    return removed;
}

void keymap_init_defaults(Keymap *km)
{
    km->count = 0;
    km->autosave_seconds = -1;
    km->backups = -1;
    memset(&km->midi_map, 0, sizeof km->midi_map);
    km->midi_clock_in = km->midi_transport_in = false;
    km->midi_learn.count = 0;
    for (size_t i = 0; i < HISS_ARRAY_LEN(DEFAULTS); i++) {
        int key = keymap_key_parse(DEFAULTS[i].key);
        if (key >= 0 && valid_action(DEFAULTS[i].action))
            keymap_bind(km, key, DEFAULTS[i].action);
    }
}

KeymapAction keymap_lookup(const Keymap *km, KeymapContext ctx, int key)
{
    KeymapAction global = ACT_NONE;
    for (int i = 0; i < km->count; i++) {
        const KeymapBinding *b = &km->bindings[i];
        if (b->key != key)
            continue;
        KeymapContext bc = ACTIONS[b->action].ctx;
        if (bc == ctx)
            return b->action;
        if (bc == KEYMAP_CTX_GLOBAL)
            global = b->action;
    }
    return global;
}

bool keymap_key_name(int key, char *buf, size_t size)
{
    if (size < 2)
        return false;
    char base[KEYMAP_KEY_NAME_MAX];
    const char *prefix = "";
    if (key & KEYMAP_META) {
        prefix = "M-";
        key &= ~KEYMAP_META;
    }
    base[0] = 0;
    for (size_t i = 0; i < HISS_ARRAY_LEN(NAMED); i++) {
        if (NAMED[i].key == key) {
            snprintf(base, sizeof base, "%s", NAMED[i].name);
            break;
        }
    }
    if (!base[0]) {
        if (key >= KEYMAP_KEY_F1 && key <= KEYMAP_KEY_F12)
            snprintf(base, sizeof base, "F%d", key - KEYMAP_KEY_F1 + 1);
        else if (key > 32 && key < 127)
            snprintf(base, sizeof base, "%c", key);
        else if (key >= 1 && key < 32)
            snprintf(base, sizeof base, "C-%c", key < 27 ? 'a' + key - 1 : '@' + key);
        else
            return false;
    }
    return snprintf(buf, size, "%s%s", prefix, base) < (int)size;
}

int keymap_key_parse(const char *name)
{
    if (!name || !name[0])
        return -1;
    if (keymap_key_alias(name))
        return -1;
    int meta = 0;
    /* "M-" needs something after it, so a bare "M" or "-" stays a key. */
    if ((name[0] == 'M' || name[0] == 'm') && name[1] == '-' && name[2]) {
        meta = KEYMAP_META;
        name += 2;
    }
    if (!name[1]) {
        unsigned char c = (unsigned char)name[0];
        return (c > 32 && c < 127) ? (int)c | meta : -1;
    }
    if ((name[0] == 'C' || name[0] == 'c') && name[1] == '-' && name[2] &&
        !name[3]) {
        unsigned char c = (unsigned char)name[2];
        if (isalpha(c))
            return (tolower(c) - 'a' + 1) | meta;
        if (c == '@' || c == ' ')
            return -1; /* NUL is not a key we can tell apart */
        if (c >= '[' && c <= '_')
            return (c - '@') | meta;
        return -1;
    }
    for (size_t i = 0; i < HISS_ARRAY_LEN(NAMED); i++)
        if (!strcasecmp(NAMED[i].name, name))
            return NAMED[i].key | meta;
    if ((name[0] == 'F' || name[0] == 'f') && isdigit((unsigned char)name[1])) {
        char *end;
        long n = strtol(name + 1, &end, 10);
        if (!*end && n >= 1 && n <= 12)
            return (int)(KEYMAP_KEY_F1 + n - 1) | meta;
    }
    return -1;
}

const char *keymap_key_alias(const char *name)
{
    static const struct {
        char letter;
        const char *same_as;
    } ALIASES[] = {
        {'i', "Tab"}, {'m', "Enter"}, {'j', "Enter"}, {'[', "Esc"},
        {'h', "Backspace"},
    };
    if (!name)
        return NULL;
    if ((name[0] == 'M' || name[0] == 'm') && name[1] == '-' && name[2])
        name += 2;
    if ((name[0] != 'C' && name[0] != 'c') || name[1] != '-' || !name[2] ||
        name[3])
        return NULL;
    for (size_t i = 0; i < HISS_ARRAY_LEN(ALIASES); i++)
        if (tolower((unsigned char)name[2]) == ALIASES[i].letter)
            return ALIASES[i].same_as;
    return NULL;
}

/* ---- escape sequences ---- */

static bool csi_final(unsigned char c) { return c >= 0x40 && c <= 0x7E; }
static bool csi_middle(unsigned char c) { return c >= 0x20 && c <= 0x3F; }

KeymapSeqState keymap_sequence_state(const char *seq, size_t len)
{
    if (len == 0)
        return KEYMAP_SEQ_MORE;
    if (seq[0] != '[' && seq[0] != 'O')
        return KEYMAP_SEQ_NONE;
    if (len == 1)
        return KEYMAP_SEQ_MORE;
    unsigned char last = (unsigned char)seq[len - 1];
    if (seq[0] == 'O') {
        /* SS3: an optional modifier digit, then one final byte. */
        if (last >= '0' && last <= '9')
            return KEYMAP_SEQ_MORE;
        return last >= 0x20 && last <= 0x7E ? KEYMAP_SEQ_DONE
                                            : KEYMAP_SEQ_BROKEN;
    }
    /* The Linux console's F1-F5 are ESC [ [ A..E. */
    if (len == 2 && last == '[')
        return KEYMAP_SEQ_MORE;
    if (len == 3 && seq[1] == '[')
        return last >= 0x20 && last <= 0x7E ? KEYMAP_SEQ_DONE
                                            : KEYMAP_SEQ_BROKEN;
    if (csi_final(last))
        return KEYMAP_SEQ_DONE;
    /* However many parameters come, the sequence ends at its final byte:
     * stopping earlier would leave the rest to be typed as keys. */
    if (csi_middle(last))
        return KEYMAP_SEQ_MORE;
    return KEYMAP_SEQ_BROKEN;
}

/* xterm's modifier parameter: 1 + (1 shift, 2 alt, 4 control). */
static int with_modifier(int key, int mod)
{
    if (key < 0 || mod <= 1)
        return key;
    int bits = mod - 1;
    if (bits & ~3)
        return -1; /* control and the rest: no names for them here */
    if (bits & 1) {
        static const int SHIFTED[][2] = {
            {KEYMAP_KEY_UP, KEYMAP_KEY_S_UP},
            {KEYMAP_KEY_DOWN, KEYMAP_KEY_S_DOWN},
            {KEYMAP_KEY_LEFT, KEYMAP_KEY_S_LEFT},
            {KEYMAP_KEY_RIGHT, KEYMAP_KEY_S_RIGHT},
            {KEYMAP_KEY_HOME, KEYMAP_KEY_S_HOME},
            {KEYMAP_KEY_END, KEYMAP_KEY_S_END},
        };
        int shifted = -1;
        for (size_t i = 0; i < HISS_ARRAY_LEN(SHIFTED); i++)
            if (SHIFTED[i][0] == key)
                shifted = SHIFTED[i][1];
        if (shifted < 0)
            return -1;
        key = shifted;
    }
    return bits & 2 ? key | KEYMAP_META : key;
}

/* The keys of a final letter: arrows, Home/End, F1-F4 (CSI and SS3). */
static int letter_key(char c)
{
    switch (c) {
    case 'A': return KEYMAP_KEY_UP;
    case 'B': return KEYMAP_KEY_DOWN;
    case 'C': return KEYMAP_KEY_RIGHT;
    case 'D': return KEYMAP_KEY_LEFT;
    case 'H': return KEYMAP_KEY_HOME;
    case 'F': return KEYMAP_KEY_END;
    case 'P': case 'Q': case 'R': case 'S': return KEYMAP_KEY_F1 + (c - 'P');
    default: return -1;
    }
}

/* ESC [ N ~ */
static int tilde_key(int n)
{
    switch (n) {
    case 1: case 7: return KEYMAP_KEY_HOME;
    case 2: return KEYMAP_KEY_INSERT;
    case 3: return KEYMAP_KEY_DELETE;
    case 4: case 8: return KEYMAP_KEY_END;
    case 5: return KEYMAP_KEY_PPAGE;
    case 6: return KEYMAP_KEY_NPAGE;
    case 11: case 12: case 13: case 14: case 15: return KEYMAP_KEY_F1 + n - 11;
    case 17: case 18: case 19: case 20: case 21: return KEYMAP_KEY_F1 + 5 + n - 17;
    case 23: case 24: return KEYMAP_KEY_F1 + 10 + n - 23;
    default: return -1;
    }
}

int keymap_sequence_key(const char *seq, size_t len)
{
    if (len < 2 || keymap_sequence_state(seq, len) != KEYMAP_SEQ_DONE)
        return -1;
    char final = seq[len - 1];
    if (seq[0] == 'O') {
        int mod = len == 3 ? seq[1] - '0' : 1;
        if (len > 3)
            return -1;
        /* The numeric keypad in application mode types what it shows. */
        static const char KEYPAD[] = "*+,-./0123456789";
        if (final >= 'j' && final <= 'y')
            return mod == 1 ? KEYPAD[final - 'j'] : -1;
        if (final == 'M')
            return mod == 1 ? KEYMAP_KEY_ENTER : -1;
        if (final == 'X')
            return mod == 1 ? '=' : -1;
        return with_modifier(letter_key(final), mod);
    }
    if (len == 3 && seq[1] == '[')
        return final >= 'A' && final <= 'E' ? KEYMAP_KEY_F1 + (final - 'A') : -1;
    /* Up to two numeric parameters; anything else ('?', '<', more
     * parameters, intermediates) is a report or a key we do not name. */
    int params[2] = {0, 1}, count = 0;
    bool in_number = false;
    for (size_t i = 1; i + 1 < len; i++) {
        char c = seq[i];
        if (c >= '0' && c <= '9') {
            if (!in_number) {
                if (count == 2)
                    return -1;
                params[count++] = 0;
                in_number = true;
            }
            if (params[count - 1] > 1000)
                return -1;
            params[count - 1] = params[count - 1] * 10 + (c - '0');
        } else if (c == ';') {
            if (!in_number) {
                if (count == 2)
                    return -1;
                params[count++] = 1; /* an empty parameter is its default */
            }
            in_number = false;
        } else {
            return -1;
        }
    }
    int mod = count == 2 ? params[1] : 1;
    if (final == '~')
        return count >= 1 ? with_modifier(tilde_key(params[0]), mod) : -1;
    if (final == 'Z')
        return count == 0 ? KEYMAP_KEY_S_TAB : -1;
    if (count == 1 || (count == 2 && params[0] != 1))
        return -1;
    return with_modifier(letter_key(final), mod);
}

int keymap_first_key(const Keymap *km, KeymapContext ctx, KeymapAction action)
{
    for (int i = 0; i < km->count; i++) {
        int key = km->bindings[i].key;
        if (km->bindings[i].action == action &&
            keymap_lookup(km, ctx, key) == action)
            return key;
    }
    return -1;
}

int keymap_keys_for(const Keymap *km, KeymapAction action, char *buf,
                    size_t size)
{
    int n = 0;
    size_t used = 0;
    if (size)
        buf[0] = 0;
    for (int i = 0; i < km->count; i++) {
        if (km->bindings[i].action != action)
            continue;
        char name[KEYMAP_KEY_NAME_MAX];
        if (!keymap_key_name(km->bindings[i].key, name, sizeof name))
            continue;
        int w = snprintf(buf + used, size > used ? size - used : 0, "%s%s",
                         n ? ", " : "", name);
        if (w > 0 && used + (size_t)w < size)
            used += (size_t)w;
        n++;
    }
    return n;
}

/* One whitespace-separated word of a line: where it starts (column, 1-based)
 * and its text. */
typedef struct {
    char text[64];
    int col;
    bool too_long;
} Word;

static int split_words(const char *line, size_t len, Word *words, int max)
{
    int n = 0;
    size_t i = 0;
    while (i < len) {
        while (i < len && (line[i] == ' ' || line[i] == '\t'))
            i++;
        if (i >= len)
            break;
        size_t start = i;
        while (i < len && line[i] != ' ' && line[i] != '\t')
            i++;
        if (n < max) {
            size_t wl = i - start;
            words[n].too_long = wl >= sizeof words[n].text;
            if (words[n].too_long)
                wl = sizeof words[n].text - 1;
            memcpy(words[n].text, line + start, wl);
            words[n].text[wl] = 0;
            words[n].col = (int)start + 1;
        }
        n++;
    }
    return n;
}

static void report(HissDiag *diags, int max_diags, int *errors,
                   const char *name, int line, int col, const char *msg,
                   const char *word)
{
    if (*errors < max_diags)
        hiss_diag_set(&diags[*errors], name, line, col, "%s%s%s%s", msg,
                      word ? " '" : "", word ? word : "", word ? "'" : "");
    (*errors)++;
}

/* The key a bind/unbind line names, or -1 after reporting why not. */
static int parse_key_word(const Word *w, HissDiag *diags, int max_diags,
                          int *errors, const char *name, int lineno)
{
    int key = keymap_key_parse(w->text);
    if (key >= 0)
        return key;
    const char *alias = keymap_key_alias(w->text);
    if (alias) {
        char why[160];
        snprintf(why, sizeof why,
                 "'%s' reaches hiss as %s (a terminal cannot tell them "
                 "apart): bind %s instead", w->text, alias, alias);
        report(diags, max_diags, errors, name, lineno, w->col, why, NULL);
    } else {
        report(diags, max_diags, errors, name, lineno, w->col, "unknown key",
               w->text);
    }
    return -1;
}

static void parse_line(Keymap *km, const char *line, size_t len,
                       const char *name, int lineno, HissDiag *diags,
                       int max_diags, int *errors)
{
    Word w[6];
    int n = split_words(line, len, w, 6);
    if (n == 0 || w[0].text[0] == '#')
        return;
    int args = n;
    /* A trailing "# ..." is a comment. */
    for (int i = 1; i < n && i < 6; i++) {
        if (w[i].text[0] == '#' && i >= 2) {
            args = i;
            break;
        }
    }
    for (int i = 0; i < args && i < 6; i++) {
        if (w[i].too_long) {
            report(diags, max_diags, errors, name, lineno, w[i].col,
                   "word too long", NULL);
            return;
        }
    }
    if (!strcmp(w[0].text, "bind")) {
        if (args < 2) {
            report(diags, max_diags, errors, name, lineno, (int)len + 1,
                   "bind needs a key and an action", NULL);
            return;
        }
        if (args < 3) {
            report(diags, max_diags, errors, name, lineno, (int)len + 1,
                   "bind needs an action after the key", NULL);
            return;
        }
        if (args > 3) {
            report(diags, max_diags, errors, name, lineno, w[3].col,
                   "unexpected word after the action:", w[3].text);
            return;
        }
        int key = parse_key_word(&w[1], diags, max_diags, errors, name, lineno);
        if (key < 0)
            return;
        KeymapAction act = keymap_action_parse(w[2].text);
        if (act == ACT_NONE) {
            report(diags, max_diags, errors, name, lineno, w[2].col,
                   "unknown action", w[2].text);
            return;
        }
        if (keymap_bind(km, key, act) != HISS_OK)
            report(diags, max_diags, errors, name, lineno, w[0].col,
                   "too many bindings", NULL);
    } else if (!strcmp(w[0].text, "unbind")) {
        if (args != 2) {
            report(diags, max_diags, errors, name, lineno,
                   args < 2 ? (int)len + 1 : w[2].col,
                   args < 2 ? "unbind needs a key"
                            : "unexpected word after the key:",
                   args < 2 ? NULL : w[2].text);
            return;
        }
        int key = parse_key_word(&w[1], diags, max_diags, errors, name, lineno);
        if (key < 0)
            return;
        keymap_unbind(km, key);
    } else if (!strcmp(w[0].text, "midi_cc") || !strcmp(w[0].text, "midi_note")) {
        const char *words[5];
        int count = args - 1 < 5 ? args - 1 : 5;
        for (int i = 0; i < count; i++)
            words[i] = w[i + 1].text;
        HissDiag why = {{0}};
        MidiLearnBinding b;
        bool note = !strcmp(w[0].text, "midi_note");
        if (args > 6 || midilearn_parse(note, words, count, &b, &why) != HISS_OK) {
            report(diags, max_diags, errors, name, lineno, args > 1 ? w[1].col : (int)len + 1,
                   args > 6 ? "too many words" : why.text, NULL);
            return;
        }
        if (midilearn_bind(&km->midi_learn, &b) != HISS_OK)
            report(diags, max_diags, errors, name, lineno, w[0].col,
                   "too many MIDI bindings", NULL);
    } else if (!strcmp(w[0].text, "set")) {
        if (args != 3) {
            report(diags, max_diags, errors, name, lineno,
                   args < 3 ? (int)len + 1 : w[3].col,
                   args < 3 ? "set needs a name and a value"
                            : "unexpected word after the value:",
                   args < 3 ? NULL : w[3].text);
            return;
        }
        if (!strcmp(w[1].text, "midi_map")) {
            HissDiag why = {{0}};
            MidiMap map;
            if (midi_map_parse(w[2].text, &map, &why) != HISS_OK) {
                report(diags, max_diags, errors, name, lineno, w[2].col, why.text, NULL);
                return;
            }
            km->midi_map = map;
            return;
        }
        bool is_clock = !strcmp(w[1].text, "midi_clock_in");
        if (is_clock || !strcmp(w[1].text, "midi_transport_in")) {
            bool on = !strcmp(w[2].text, "on");
            if (!on && strcmp(w[2].text, "off")) {
                report(diags, max_diags, errors, name, lineno, w[2].col,
                       "expected on or off:", w[2].text);
                return;
            }
            *(is_clock ? &km->midi_clock_in : &km->midi_transport_in) = on;
            return;
        }
        bool is_backups = !strcmp(w[1].text, "backups");
        if (strcmp(w[1].text, "autosave") && !is_backups) {
            report(diags, max_diags, errors, name, lineno, w[1].col,
                   "unknown setting (expected autosave, backups, midi_map, midi_clock_in "
                   "or midi_transport_in)",
                   w[1].text);
            return;
        }
        char *end;
        long v = strtol(w[2].text, &end, 10);
        if (is_backups) {
            if (*end || end == w[2].text || v < 0 || v > KEYMAP_MAX_BACKUPS) {
                report(diags, max_diags, errors, name, lineno, w[2].col,
                       "backups takes a count, 0..20:", w[2].text);
                return;
            }
            km->backups = (int)v;
            return;
        }
        if (*end || end == w[2].text || v < 0 || v > 86400) {
            report(diags, max_diags, errors, name, lineno, w[2].col,
                   "autosave takes seconds, 0..86400:", w[2].text);
            return;
        }
        km->autosave_seconds = (int)v;
    } else {
        report(diags, max_diags, errors, name, lineno, w[0].col,
               "unknown command (expected bind, unbind, set, midi_cc or midi_note):", w[0].text);
    }
}

/* Quit is reachable when some key does it globally and no page gives that
 * key another meaning. */
static bool quit_reachable(const Keymap *km)
{
    for (int i = 0; i < km->count; i++) {
        if (km->bindings[i].action != ACT_QUIT)
            continue;
        bool shadowed = false;
        for (int j = 0; j < km->count && !shadowed; j++)
            shadowed = km->bindings[j].key == km->bindings[i].key &&
                       ACTIONS[km->bindings[j].action].ctx != KEYMAP_CTX_GLOBAL;
        if (!shadowed)
            return true;
    }
    return false;
}

/* A config that takes every way out (unbind C-q, bind it elsewhere, or
 * shadow it on a page) would leave no way to quit: C-q goes back to quit,
 * on every page, and the user is told. */
static void keep_quit_reachable(Keymap *km, const char *name, HissDiag *diags,
                                int max_diags, int *errors)
{
    if (quit_reachable(km))
        return;
    int key = keymap_key_parse("C-q");
    keymap_unbind(km, key);
    keymap_bind(km, key, ACT_QUIT);
    report(diags, max_diags, errors, name, 0, 0,
           "no key was left to quit: C-q quits again (bind another key to "
           "quit to free it)", NULL);
}

int keymap_parse(Keymap *km, const char *text, size_t len, const char *name,
                 HissDiag *diags, int max_diags)
{
    int errors = 0, lineno = 0;
    size_t pos = 0;
    while (pos < len) {
        size_t end = pos;
        while (end < len && text[end] != '\n')
            end++;
        size_t l = end - pos;
        if (l && text[pos + l - 1] == '\r')
            l--;
        lineno++;
        if (memchr(text + pos, 0, l))
            report(diags, max_diags, &errors, name, lineno, 1,
                   "line holds a NUL byte", NULL);
        else
            parse_line(km, text + pos, l, name, lineno, diags, max_diags,
                       &errors);
        pos = end + 1;
    }
    keep_quit_reachable(km, name, diags, max_diags, &errors);
    return errors;
}

int keymap_load_file(Keymap *km, const char *path, HissDiag *diags,
                     int max_diags)
{
    /* A key table is small; a huge file is a mistake, not a config. A
     * FIFO or device is refused without waiting on it. */
    enum { MAX_BYTES = 1 << 20 };
    char *data = NULL;
    size_t len = 0;
    HissDiag why = {{0}};
    HissError err = fileio_read_regular(path, MAX_BYTES, false, &data, &len,
                                        &why);
    if (err == HISS_ERR_MISSING)
        return 0;
    if (err) {
        if (max_diags > 0)
            diags[0] = why;
        return 1;
    }
    int errors = keymap_parse(km, data, len, path, diags, max_diags);
    free(data);
    return errors;
}

int keymap_load_user(Keymap *km, HissDiag *diags, int max_diags)
{
    char path[PATH_MAX];
    if (!keymap_default_path(path, sizeof path))
        return 0;
    int bad = keymap_load_file(km, path, diags, max_diags);
    int have = bad < max_diags ? bad : max_diags;
    if (midilearn_default_path(path, sizeof path))
        bad += keymap_load_file(km, path, diags + have, max_diags - have);
    return bad;
}

bool keymap_default_path(char *buf, size_t size)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    int n;
    if (xdg && xdg[0]) {
        n = snprintf(buf, size, "%s/hiss/hissrc", xdg);
    } else {
        const char *home = getenv("HOME");
        if (!home || !home[0])
            return false;
        n = snprintf(buf, size, "%s/.config/hiss/hissrc", home);
    }
    return n > 0 && (size_t)n < size;
}
