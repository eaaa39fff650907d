#include "ui_file.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "loader.h"
#include "sampleio.h"
#include "signals.h"
#include "songio.h"

HissError ui_file_load_text(const char *path, Song **out, HissDiag *diag)
{
    return loader_load_file(path, out, diag);
}

typedef struct {
    int lines;
    char first[300];
} SummaryCount;

static void count_summary(void *ctx, const char *line)
{
    SummaryCount *c = ctx;
    if (!c->lines++)
        snprintf(c->first, sizeof c->first, "%s", line);
}

/* The name beside a module with its extension swapped for `suffix`.hiss;
 * false when it does not fit. */
static bool import_name(const char *path, const char *suffix, char *out, size_t size)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    size_t n = dot && (!slash || dot > slash) ? (size_t)(dot - path) : strlen(path);
    int len = snprintf(out, size, "%.*s%s.hiss", (int)n, path, suffix);
    return len >= 0 && (size_t)len < size;
}

static bool name_is_free(const char *path)
{
    return access(path, F_OK) != 0 && errno == ENOENT;
}

/* A converted song's save writes NAME.hiss, NAME-samples/ and
 * NAME.import.txt: the name is free only when none of them is there, so
 * that the save replaces nothing. */
static bool song_names_free(const char *song)
{
    char other[PATH_MAX + 16];
    size_t n = strlen(song) - strlen(".hiss");
    if (n >= PATH_MAX)
        return false;
    snprintf(other, sizeof other, "%.*s-samples", (int)n, song);
    if (!name_is_free(song) || !name_is_free(other))
        return false;
    snprintf(other, sizeof other, "%.*s.import.txt", (int)n, song);
    return name_is_free(other);
}

void ui_file_import_target(const char *path, char *out, size_t size)
{
    if (!import_name(path, "", out, size) || !song_names_free(out))
        out[0] = 0;
}

void ui_file_import_suggestion(const char *path, char *out, size_t size)
{
    if (import_name(path, "", out, size) && song_names_free(out))
        return;
    for (int n = 2; n < 100; n++) {
        char suffix[16];
        snprintf(suffix, sizeof suffix, "-%d", n);
        if (import_name(path, suffix, out, size) && song_names_free(out))
            return;
    }
    out[0] = 0;
}

HissError ui_file_load_song(const char *path, Song **out, HissDiag *diag, char *note,
                            size_t size)
{
    note[0] = 0;
    LoaderReport report;
    loader_report_init(&report);
    HissError err = loader_load_file_report(path, out, diag, &report);
    if (!err && loader_is_foreign(path)) {
        SummaryCount c = {0, ""};
        loader_report_summary(&report, count_summary, &c);
        const char *slash = strrchr(path, '/');
        if (c.lines)
            snprintf(note, size, "imported %s: %d kind%s of loss (render lists them; saving "
                     "writes them to .import.txt), first: %s", slash ? slash + 1 : path,
                     c.lines, c.lines == 1 ? "" : "s", c.first);
        else
            snprintf(note, size, "imported %s: nothing dropped or approximated",
                     slash ? slash + 1 : path);
    }
    loader_report_free(&report);
    return err;
}

/* Set once at startup from the hissrc, before any save: UI thread only. */
static int save_backups = UI_FILE_DEFAULT_BACKUPS;

void ui_file_set_backups(int backups)
{
    save_backups = hiss_clampi(backups, 0, UI_FILE_MAX_BACKUPS);
}

HissError ui_file_save(const Song *song, const char *path, HissDiag *diag)
{
    return songio_save(song, path, save_backups, diag);
}

HissError ui_file_save_converted(Song *song, const char *path, const char *source,
                                 void (*retire)(void *ctx, Instrument *old), void *ctx,
                                 HissDiag *diag)
{
    return songio_save_converted(song, path, source && source[0] ? source : NULL,
                                 save_backups, retire, ctx, diag);
}


typedef struct {
    int slot;
    const Instrument *orig; /* what the slot held when loading began */
    Instrument *loaded;     /* a private copy that gets the sample */
    Sample *keep;           /* a reference the loader holds for twins */
    char path[SONG_PATH_MAX]; /* the sample path, for finding twins */
    _Atomic bool ready;
    bool taken;
} LoadJob;

struct UiLoader {
    pthread_t thread;
    bool started;
    _Atomic bool cancel;
    _Atomic bool finished;
    _Atomic int done;
    char path[SONG_PATH_MAX + 4096];
    uint32_t rate;
    LoadJob jobs[SONG_MAX_INSTRUMENTS];
    int count;
    int installed;
    SongioWarnings warnings; /* the thread's until `finished` */
};

/* Instruments playing one file share one Sample. */
static Sample *twin_sample(const UiLoader *l, int upto, const LoadJob *job)
{
    for (int j = 0; j < upto; j++) {
        const LoadJob *other = &l->jobs[j];
        if (!other->keep)
            continue;
        if (job->path[0] && !strcmp(other->path, job->path))
            return other->keep;
    }
    return NULL;
}

static void *loader_main(void *arg)
{
    UiLoader *l = arg;
    signals_block_here();
    for (int i = 0; i < l->count && !atomic_load(&l->cancel); i++) {
        LoadJob *job = &l->jobs[i];
        Instrument *inst = job->loaded;
        Sample *shared = twin_sample(l, i, job);
        if (shared) {
            sample_release(inst->sample);
            inst->sample = sample_retain(shared);
            inst->missing = false;
            song_instrument_take_marks(inst);
        } else {
            songio_load_instrument(inst, job->slot, l->path, l->rate, &l->warnings);
        }
        if (inst->sample)
            job->keep = sample_retain(inst->sample);
        atomic_fetch_add(&l->done, 1);
        atomic_store_explicit(&job->ready, true, memory_order_release);
    }
    atomic_store_explicit(&l->finished, true, memory_order_release);
    return NULL;
}

UiLoader *ui_loader_start(const Song *song, const char *song_path,
                          uint32_t rate)
{
    UiLoader *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    snprintf(l->path, sizeof l->path, "%s", song_path ? song_path : "");
    l->rate = rate;
    songio_warnings_init(&l->warnings);
    for (int slot = 1; slot <= SONG_MAX_INSTRUMENTS; slot++) {
        const Instrument *inst = song_instrument(song, slot);
        if (!inst || !inst->path[0] || inst->sample)
            continue;
        LoadJob *job = &l->jobs[l->count];
        job->slot = slot;
        job->orig = inst;
        job->loaded = song_instrument_clone(inst);
        if (!job->loaded)
            break;
        memcpy(job->path, inst->path, sizeof job->path);
        job->path[sizeof job->path - 1] = 0;
        atomic_init(&job->ready, false);
        l->count++;
    }
    if (!l->count || pthread_create(&l->thread, NULL, loader_main, l) != 0) {
        ui_loader_free(l);
        return NULL;
    }
    l->started = true;
    return l;
}

bool ui_loader_poll(UiLoader *l, Song *song, UiLoaderRetire retire, void *ctx)
{
    for (int i = 0; i < l->count; i++) {
        LoadJob *job = &l->jobs[i];
        if (job->taken || !atomic_load_explicit(&job->ready, memory_order_acquire))
            continue;
        job->taken = true;
        Instrument *loaded = job->loaded;
        job->loaded = NULL;
        Instrument *cur = song_instrument(song, job->slot);
        if (cur != job->orig) {
            /* The user changed the slot meanwhile. If it still plays the
             * same sound (names the same file and has no sound yet), give
             * the new one the sample; otherwise the user's version stands. */
            bool same_sound = cur && !cur->sample && !strcmp(cur->path, job->path);
            Instrument *fixed = NULL;
            if (same_sound && loaded->sample &&
                (fixed = song_instrument_clone(cur))) {
                sample_release(fixed->sample);
                fixed->sample = sample_retain(loaded->sample);
                fixed->missing = false;
                song_instrument_take_marks(fixed);
            }
            song_instrument_free(loaded);
            if (!fixed)
                continue;
            loaded = fixed;
        }
        engine_prepare_instrument(loaded);
        atomic_store_explicit(&song->instruments[job->slot], loaded,
                              memory_order_release);
        l->installed++;
        if (cur)
            retire(ctx, cur);
    }
    bool all_taken = true;
    for (int i = 0; i < l->count; i++)
        all_taken &= l->jobs[i].taken;
    return all_taken && atomic_load_explicit(&l->finished, memory_order_acquire);
}

void ui_loader_progress(const UiLoader *l, int *done, int *total)
{
    *done = atomic_load((_Atomic int *)&l->done);
    *total = l->count;
}

int ui_loader_result(const UiLoader *l, char *first, size_t size)
{
    if (size)
        first[0] = 0;
    if (!atomic_load_explicit((_Atomic bool *)&l->finished, memory_order_acquire))
        return 0;
    const SongioWarning *w = NULL;
    for (int i = 0; i < l->warnings.count && !w; i++)
        if (l->warnings.items[i].kind != HISS_OK)
            w = &l->warnings.items[i];
    if (!w && l->warnings.count)
        w = &l->warnings.items[0];
    if (w && size)
        snprintf(first, size, "%s", w->text);
    return songio_warnings_missing(&l->warnings);
}

void ui_loader_first_damage(const UiLoader *l, char *out, size_t size)
{
    if (!size)
        return;
    out[0] = 0;
    if (!atomic_load_explicit((_Atomic bool *)&l->finished, memory_order_acquire))
        return;
    for (int i = 0; i < l->warnings.count; i++)
        if (l->warnings.items[i].damaged) {
            snprintf(out, size, "%s", l->warnings.items[i].text);
            return;
        }
}

static bool is_missing(const Instrument *inst)
{
    return inst->missing;
}

bool ui_file_is_damaged(const Instrument *inst)
{
    return !inst->missing && inst->sample && inst->sample->damaged;
}

static int count_slots(const Song *song, bool (*which)(const Instrument *))
{
    int count = 0;
    for (int slot = 1; slot <= SONG_MAX_INSTRUMENTS; slot++) {
        const Instrument *inst = song_instrument(song, slot);
        count += inst && which(inst);
    }
    return count;
}

/* "LEAD a.wav (01 "a"), b.wav (02 "b")" of the instruments `which` picks,
 * as many as fit in size (lead ends in ':'). */
static void list_slots(const Song *song, bool (*which)(const Instrument *), const char *lead,
                       char *out, size_t size)
{
    int used = snprintf(out, size, "%s", lead);
    for (int slot = 1; slot <= SONG_MAX_INSTRUMENTS && used >= 0 && (size_t)used < size;
         slot++) {
        const Instrument *inst = song_instrument(song, slot);
        if (!inst || !which(inst))
            continue;
        const char *slash = strrchr(inst->path, '/');
        int n = snprintf(out + used, size - (size_t)used, "%s %s (%02X \"%s\")",
                         used && out[used - 1] == ':' ? "" : ",",
                         slash ? slash + 1 : inst->path, slot, inst->name);
        if (n < 0)
            break;
        used += n;
    }
}

/* "N sample(s) WHAT a.wav (01 "a"), ..." of the instruments `which`
 * picks; "" when none. Returns how many. */
static int summary(const Song *song, bool (*which)(const Instrument *), const char *what,
                   char *out, size_t size)
{
    int count = count_slots(song, which);
    if (!size)
        return count;
    out[0] = 0;
    if (!count)
        return 0;
    char lead[80];
    snprintf(lead, sizeof lead, "%d sample%s %s", count, count == 1 ? "" : "s", what);
    list_slots(song, which, lead, out, size);
    return count;
}

#define DAMAGED "damaged, loaded in part or repaired:"

int ui_file_missing_summary(const Song *song, char *out, size_t size)
{
    return summary(song, is_missing, "missing (see instruments):", out, size);
}

int ui_file_damaged_summary(const Song *song, char *out, size_t size)
{
    return summary(song, ui_file_is_damaged, DAMAGED, out, size);
}

int ui_file_open_summary(const Song *song, char *out, size_t size)
{
    int missing = count_slots(song, is_missing);
    int damaged = count_slots(song, ui_file_is_damaged);
    if (!missing)
        return ui_file_damaged_summary(song, out, size);
    if (!damaged)
        return ui_file_missing_summary(song, out, size);
    if (!size)
        return missing + damaged;
    /* Both counts first, so that a cut line still tells of both. */
    char lead[120];
    snprintf(lead, sizeof lead, "%d sample%s missing (see instruments), %d damaged:",
             missing, missing == 1 ? "" : "s", damaged);
    list_slots(song, is_missing, lead, out, size);
    size_t used = strlen(out);
    if (used + 2 < size)
        list_slots(song, ui_file_is_damaged, "; " DAMAGED, out + used, size - used);
    return missing + damaged;
}

void ui_loader_free(UiLoader *l)
{
    if (!l)
        return;
    atomic_store(&l->cancel, true);
    if (l->started)
        pthread_join(l->thread, NULL);
    for (int i = 0; i < l->count; i++) {
        song_instrument_free(l->jobs[i].loaded);
        sample_release(l->jobs[i].keep);
    }
    songio_warnings_deinit(&l->warnings);
    free(l);
}
