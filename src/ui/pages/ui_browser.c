/* ui_browser: walk directories, filter by name, listen to a file, load it
 * into an instrument slot. A module (MOD, S3M, XM, IT) opens like a
 * directory of its instruments, to listen to and take samples from. Files are read with sampleio on the UI thread;
 * the audio thread only ever gets finished objects (a preview instrument,
 * or an instrument swapped in by the editor). */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader.h"
#include "sampleio.h"
#include "ui_app.h"
#include "ui_draw.h"

typedef struct {
    char name[256];
    bool dir;
    bool module; /* a module file: opens like a directory */
    int slot;    /* in an open module: the instrument's slot */
} Entry;

static struct {
    char dir[UI_PATH_MAX];
    Entry *entries;
    int count, cap;
    int *shown; /* indices of entries that pass the filter */
    int shown_count;
    char filter[128];
    int cursor, top;
    int slot; /* where a loaded file goes */
    bool scanned;
    Song *module;          /* the module open as a directory, or NULL */
    char module_name[256]; /* its file name in br.dir */
} br;

static const char *const AUDIO_EXT[] = {
    "wav", "wave", "flac", "aif", "aiff", "aifc", "ogg", "oga", "opus",
    "mp3", "au", "snd", "caf", "w64", "rf64", "voc", "8svx", "iff",
};

static bool audio_file_name(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot)
        return false;
    for (size_t i = 0; i < HISS_ARRAY_LEN(AUDIO_EXT); i++)
        if (!strcasecmp(dot + 1, AUDIO_EXT[i]))
            return true;
    return false;
}

static int compare(const void *a, const void *b)
{
    const Entry *x = a, *y = b;
    if (x->dir != y->dir)
        return x->dir ? -1 : 1;
    if (!strcmp(x->name, ".."))
        return -1;
    if (!strcmp(y->name, ".."))
        return 1;
    return strcasecmp(x->name, y->name);
}

static bool contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (!strncasecmp(hay, needle, n))
            return true;
    return n == 0;
}

static void apply_filter(void)
{
    br.shown_count = 0;
    for (int i = 0; i < br.count; i++) {
        if (br.filter[0] && strcmp(br.entries[i].name, "..") &&
            !contains_nocase(br.entries[i].name, br.filter))
            continue;
        br.shown[br.shown_count++] = i;
    }
    br.cursor = hiss_clampi(br.cursor, 0, br.shown_count > 0 ? br.shown_count - 1 : 0);
}

static bool add_entry(const char *name, bool dir)
{
    if (br.count == br.cap) {
        int cap = br.cap ? br.cap * 2 : 128;
        Entry *e = realloc(br.entries, sizeof *e * (size_t)cap);
        if (!e)
            return false;
        br.entries = e;
        int *s = realloc(br.shown, sizeof *s * (size_t)cap);
        if (!s)
            return false;
        br.shown = s;
        br.cap = cap;
    }
    Entry *e = &br.entries[br.count++];
    snprintf(e->name, sizeof e->name, "%s", name);
    e->dir = dir;
    e->module = false;
    e->slot = 0;
    return true;
}

/* The open module's instruments that have a sound, in slot order. */
static void scan_module(void)
{
    add_entry("..", true);
    for (int slot = 1; slot <= SONG_MAX_INSTRUMENTS; slot++) {
        const Instrument *inst = song_instrument(br.module, slot);
        if (!inst || !inst->sample)
            continue;
        char name[64];
        snprintf(name, sizeof name, "%02X %s", slot, inst->name);
        if (!add_entry(name, false))
            break;
        br.entries[br.count - 1].slot = slot;
    }
    apply_filter();
}

/* Reads the folder (or module) now shown. A filter belongs to the folder
 * it was typed in: carried into another it would hide what is there. */
static void scan(UiApp *app)
{
    br.count = 0;
    br.cursor = br.top = 0;
    br.filter[0] = 0;
    br.scanned = true;
    if (br.module) {
        scan_module();
        return;
    }
    DIR *d = opendir(br.dir);
    if (!d) {
        ui_set_message(app, true, "%s: cannot read this directory", br.dir);
        add_entry("..", true);
        apply_filter();
        return;
    }
    if (strcmp(br.dir, "/"))
        add_entry("..", true);
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char path[UI_PATH_MAX + 256];
        snprintf(path, sizeof path, "%s/%s", br.dir, de->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        bool dir = S_ISDIR(st.st_mode);
        bool module = !dir && S_ISREG(st.st_mode) && loader_is_foreign(de->d_name);
        if (!dir && !module && !(S_ISREG(st.st_mode) && audio_file_name(de->d_name)))
            continue;
        if (!add_entry(de->d_name, dir))
            break;
        br.entries[br.count - 1].module = module;
    }
    closedir(d);
    qsort(br.entries, (size_t)br.count, sizeof *br.entries, compare);
    apply_filter();
}

static void set_dir(const char *dir)
{
    char real[PATH_MAX];
    if (realpath(dir, real))
        ui_copy(br.dir, sizeof br.dir, real);
    else
        ui_copy(br.dir, sizeof br.dir, dir);
}

static const Entry *current(void)
{
    if (br.cursor < 0 || br.cursor >= br.shown_count)
        return NULL;
    return &br.entries[br.shown[br.cursor]];
}

void ui_browser_open_for_slot(UiApp *app, int slot)
{
    /* Each opening names its slot: the one the browser last loaded into
     * may no longer be the one chosen. */
    br.slot = slot > 0 ? slot : ui_instruments_slot(app);
    ui_show_page(app, UI_PAGE_BROWSER);
}

static void browser_enter(UiApp *app)
{
    if (br.slot <= 0)
        br.slot = ui_instruments_slot(app);
    if (!br.dir[0]) {
        char dir[UI_PATH_MAX];
        ui_song_dir(app, dir, sizeof dir);
        set_dir(dir);
        /* Start beside the slot's own sample when it has one. */
        const Instrument *inst = song_instrument(app->song, br.slot);
        if (inst && inst->path[0]) {
            char where[UI_PATH_MAX * 2];
            if (inst->path[0] == '/')
                snprintf(where, sizeof where, "%s", inst->path);
            else
                snprintf(where, sizeof where, "%s/%s", dir, inst->path);
            char *slash = strrchr(where, '/');
            struct stat st;
            if (slash) {
                *slash = 0;
                if (stat(where, &st) == 0 && S_ISDIR(st.st_mode))
                    set_dir(where);
            }
        }
    }
    /* Back where it was left: the folder (or module) read again, for
     * what came into it since, and the cursor on the same entry, after a
     * load the one loaded, as a hardware sampler's browser keeps it. Not
     * moved on to the next file: Enter at once would load a sound not
     * yet heard, and trying another take for the same slot (the usual
     * reason to come back) would mean going back up; a kit is loaded
     * slot by slot with Down, p to listen, Enter. */
    char was[sizeof br.entries->name] = "";
    const Entry *e = current();
    if (br.scanned && e)
        snprintf(was, sizeof was, "%s", e->name);
    int top = br.top;
    scan(app);
    for (int i = 0; was[0] && i < br.shown_count; i++)
        if (!strcmp(br.entries[br.shown[i]].name, was)) {
            br.cursor = i;
            br.top = hiss_clampi(top, 0, i); /* the list as it was seen */
            break;
        }
}

static void entry_path(const Entry *e, char *out, size_t size)
{
    snprintf(out, size, "%s%s%s", br.dir, strcmp(br.dir, "/") ? "/" : "", e->name);
}

/* `target` relative to directory `base` (both absolute), e.g.
 * "../samples/kick.wav", so a song and its kit can move together. */
static void relative_path(const char *base, const char *target, char *out,
                          size_t size)
{
    size_t common = 0, i = 0;
    while (base[i] && target[i] && base[i] == target[i]) {
        if (base[i] == '/')
            common = i;
        i++;
    }
    if (!base[i] && (target[i] == '/' || !target[i]))
        common = i;
    out[0] = 0;
    size_t used = 0;
    for (const char *p = base + common; *p; p++) {
        if (*p == '/' && p[1]) {
            int n = snprintf(out + used, size - used, "../");
            if (n < 0 || (size_t)n >= size - used)
                break;
            used += (size_t)n;
        }
    }
    const char *rest = target + common;
    if (*rest == '/')
        rest++;
    snprintf(out + used, size - used, "%s", rest);
}

/* An instrument of the file at path; note (size bytes) gets what loading
 * changed or found ("the file looks truncated: ..."), "" when nothing, for
 * the caller's one message. */
static Instrument *load_instrument(UiApp *app, const char *path, bool for_song, char *note,
                                   size_t size)
{
    note[0] = 0;
    Sample *sample = NULL;
    HissDiag diag;
    SampleioInfo info;
    if (sampleio_load(path, &sample, &info, &diag) != HISS_OK) {
        ui_set_message(app, true, "%s", diag.text);
        return NULL;
    }
    Instrument *inst = song_instrument_new();
    if (!inst) {
        sample_release(sample);
        ui_set_message(app, true, "out of memory");
        return NULL;
    }
    inst->sample = sample;
    inst->missing = false;
    song_instrument_take_marks(inst); /* the file's loop, root note, cues */
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    snprintf(inst->name, sizeof inst->name, "%s", base);
    char *dot = strrchr(inst->name, '.');
    if (dot && dot != inst->name)
        *dot = 0;
    if (for_song && app->path[0]) {
        char dir[UI_PATH_MAX], real[PATH_MAX];
        ui_song_dir(app, dir, sizeof dir);
        if (realpath(dir, real))
            relative_path(real, path, inst->path, sizeof inst->path);
        else
            snprintf(inst->path, sizeof inst->path, "%s", path);
    } else {
        snprintf(inst->path, sizeof inst->path, "%s", path);
    }
    snprintf(note, size, "%s", info.note);
    return inst;
}

/* A copy of the open module's instrument: its sample is shared, no file
 * names it (a song saved with it writes the sample beside itself). */
static Instrument *module_instrument(UiApp *app, const Entry *e)
{
    Instrument *inst = song_instrument_clone(song_instrument(br.module, e->slot));
    if (!inst)
        ui_set_message(app, true, "out of memory");
    return inst;
}

static void close_module(void)
{
    song_free(br.module);
    br.module = NULL;
}

/* Opens a module as a directory of its instruments. */
static void open_module(UiApp *app, const Entry *e)
{
    char path[UI_PATH_MAX + 256];
    entry_path(e, path, sizeof path);
    Song *song = NULL;
    HissDiag diag;
    if (loader_load_file(path, &song, &diag) != HISS_OK) {
        ui_set_message(app, true, "%s", diag.text);
        return;
    }
    close_module();
    br.module = song;
    snprintf(br.module_name, sizeof br.module_name, "%s", e->name);
    scan(app);
}

static void preview(UiApp *app, const Entry *e)
{
    char path[UI_PATH_MAX + 256];
    entry_path(e, path, sizeof path);
    char note[sizeof ((SampleioInfo *)0)->note] = "";
    Instrument *inst = br.module ? module_instrument(app, e)
                                 : load_instrument(app, path, false, note, sizeof note);
    if (inst) {
        bool damaged = inst->sample && inst->sample->damaged;
        /* The engine hands it back when it is done; then it is freed. */
        ui_send(app, ENGINE_CMD_PREVIEW_SAMPLE, 0, 0, 0, inst);
        if (note[0])
            ui_set_message(app, damaged, "playing %s (%s)", e->name, note);
        else
            ui_set_message(app, false, "playing %s", e->name);
    }
}

static void load(UiApp *app, const Entry *e)
{
    char path[UI_PATH_MAX + 256];
    entry_path(e, path, sizeof path);
    char note[sizeof ((SampleioInfo *)0)->note] = "";
    Instrument *inst = br.module ? module_instrument(app, e)
                                 : load_instrument(app, path, true, note, sizeof note);
    if (!inst)
        return;
    bool damaged = inst->sample && inst->sample->damaged;
    int slot = br.slot > 0 ? br.slot : 1;
    if (ui_report(app, edit_instrument_replace(app->ed, slot, inst), "load") != HISS_OK)
        return;
    edit_set_instrument_current(app->ed, slot);
    /* One message: that it loaded, and what the file was like. */
    if (note[0])
        ui_set_message(app, damaged, "loaded %s into slot %02X (%s)", e->name, slot, note);
    else
        ui_set_message(app, false, "loaded %s into slot %02X", e->name, slot);
    ui_show_page(app, UI_PAGE_INSTRUMENTS);
}

static void go_parent(UiApp *app)
{
    if (br.module) {
        /* Out of the module, back on its name. */
        close_module();
        scan(app);
        for (int i = 0; i < br.shown_count; i++)
            if (!strcmp(br.entries[br.shown[i]].name, br.module_name))
                br.cursor = i;
        return;
    }
    char *slash = strrchr(br.dir, '/');
    if (!slash)
        return;
    char was[256];
    snprintf(was, sizeof was, "%s", slash + 1);
    if (slash == br.dir)
        slash[1] = 0;
    else
        *slash = 0;
    scan(app);
    /* Land on the directory we came from. */
    for (int i = 0; i < br.shown_count; i++)
        if (!strcmp(br.entries[br.shown[i]].name, was))
            br.cursor = i;
}

static void filter_done(UiApp *app, const char *text)
{
    snprintf(br.filter, sizeof br.filter, "%s", text);
    br.cursor = 0;
    apply_filter();
    /* On the first match, not on ../ (always kept), so Enter takes it. */
    if (br.filter[0] && br.shown_count > 1 && !strcmp(br.entries[br.shown[0]].name, ".."))
        br.cursor = 1;
    app->dirty |= UI_DIRTY_BODY;
}

static void browser_draw(UiApp *app, unsigned dirty)
{
    (void)dirty;
    if (!br.scanned)
        scan(app);
    char buf[UI_PATH_MAX + 64];
    snprintf(buf, sizeof buf, "Load into slot %02X from ", br.slot);
    int lead = ui_text_width(buf);
    ui_put(UI_HEADER_LINES, 0, lead, ui_attr(UI_C_HEADER), buf);
    char where[UI_PATH_MAX + 300];
    snprintf(where, sizeof where, "%s%s%s", br.dir, br.module ? "/" : "",
             br.module ? br.module_name : "");
    ui_put_tail(UI_HEADER_LINES, lead, COLS - lead, ui_attr(UI_C_HEADER), where);
    char keys[4][48];
    ui_first_key(app, ACT_BROWSE_FILTER, keys[0], sizeof keys[0]);
    ui_first_key(app, ACT_BROWSE_PREVIEW, keys[1], sizeof keys[1]);
    ui_first_key(app, ACT_BROWSE_PARENT, keys[2], sizeof keys[2]);
    ui_first_key(app, ACT_SELECT, keys[3], sizeof keys[3]);
    /* The keys first, the filter last: a long filter is shortened (with
     * "...") to the room left, never a key's name. */
    int n = snprintf(buf, sizeof buf, "%s load/open  %s listen  %s up  %s filter",
                     keys[3], keys[1], keys[2], keys[0]);
    if (br.filter[0] && n > 0 && (size_t)n < sizeof buf) {
        char clear[64];
        snprintf(clear, sizeof clear, " (%s Enter: all)", keys[0]);
        int room = COLS - ui_text_width(buf) - ui_text_width(clear) - 3;
        int shown = ui_text_width(br.filter) <= room ? (int)strlen(br.filter)
                    : room > 3 ? (int)ui_fit(br.filter, room - 3) : 0;
        snprintf(buf + n, sizeof buf - (size_t)n, " [%.*s%s]%s", shown, br.filter,
                 shown < (int)strlen(br.filter) ? "..." : "", clear);
    }
    ui_put(UI_HEADER_LINES + 1, 0, COLS, ui_attr(UI_C_DIM), buf);
    int y0 = UI_HEADER_LINES + 2, vis = LINES - 1 - y0;
    if (br.cursor < br.top)
        br.top = br.cursor;
    if (br.cursor >= br.top + vis)
        br.top = br.cursor - vis + 1;
    for (int i = 0; i < vis; i++) {
        int idx = br.top + i;
        if (idx >= br.shown_count) {
            ui_put(y0 + i, 0, COLS, A_NORMAL,
                   idx == 0 ? "  (no audio files here)" : "");
            continue;
        }
        const Entry *e = &br.entries[br.shown[idx]];
        bool opens = e->dir || e->module;
        snprintf(buf, sizeof buf, " %s %s%s", opens ? ui_glyph(UI_G_DIR) : " ",
                 e->name, opens ? "/" : "");
        ui_put_tail(y0 + i, 0, COLS, idx == br.cursor ? ui_attr(UI_C_FOCUS) : A_NORMAL,
                    buf);
    }
}

static bool browser_handle(UiApp *app, int key, KeymapAction act)
{
    (void)key;
    app->dirty |= UI_DIRTY_BODY;
    int vis = LINES - 3 - UI_HEADER_LINES;
    const Entry *e = current();
    switch (act) {
    case ACT_UP: br.cursor--; break;
    case ACT_DOWN: br.cursor++; break;
    case ACT_PAGE_UP: br.cursor -= vis; break;
    case ACT_PAGE_DOWN: br.cursor += vis; break;
    case ACT_HOME: br.cursor = 0; break;
    case ACT_END: br.cursor = br.shown_count - 1; break;
    case ACT_SELECT:
        if (!e)
            return true;
        if (e->dir) {
            if (!strcmp(e->name, "..")) {
                go_parent(app);
            } else {
                char path[UI_PATH_MAX + 256];
                entry_path(e, path, sizeof path);
                set_dir(path);
                scan(app);
            }
        } else if (e->module) {
            open_module(app, e);
        } else {
            load(app, e);
        }
        return true;
    case ACT_LEFT:
    case ACT_BROWSE_PARENT:
        go_parent(app);
        return true;
    case ACT_RIGHT:
    case ACT_BROWSE_PREVIEW:
        if (e && !e->dir && !e->module)
            preview(app, e);
        return true;
    case ACT_BROWSE_FILTER:
        /* A new filter each time, not more letters on the old one. */
        ui_prompt(app, "Filter (empty shows all)", NULL, filter_done);
        return true;
    case ACT_BACK:
        ui_show_page(app, UI_PAGE_INSTRUMENTS);
        return true;
    default:
        return false;
    }
    br.cursor = hiss_clampi(br.cursor, 0, br.shown_count > 0 ? br.shown_count - 1 : 0);
    return true;
}

const UiPage ui_browser_page = {
    .title = "BROWSER",
    .ctx = KEYMAP_CTX_BROWSER,
    .enter = browser_enter,
    .draw = browser_draw,
    .update = NULL,
    .handle = browser_handle,
};
