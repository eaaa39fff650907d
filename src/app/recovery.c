#include "recovery.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "songlock.h"
#include "songfile.h"

#define INDEX_NAME "recover-index"
#define RECOVER_SUFFIX ".recover"

/* Session state, UI thread only: the untitled file's name is fixed for the
 * whole session so that every autosave replaces the same file, and the
 * index is appended to once per song path, not on every autosave. */
static char untitled_path[RECOVERY_PATH_MAX];
static char registered_song[RECOVERY_PATH_MAX];

static bool fits(int n, size_t cap)
{
    return n >= 0 && (size_t)n < cap;
}

/* An absolute spelling of path without requiring it to exist (the song's
 * directory may be gone: that is one of the cases recovery is for). */
static HissError absolute_path(const char *path, char *out, size_t cap)
{
    if (path[0] == '/')
        return fits(snprintf(out, cap, "%s", path), cap) ? HISS_OK
                                                         : HISS_ERR_RANGE;
    char cwd[RECOVERY_PATH_MAX];
    if (!getcwd(cwd, sizeof cwd))
        return HISS_ERR_IO;
    while (path[0] == '.' && path[1] == '/')
        path += 2;
    return fits(snprintf(out, cap, "%s/%s", cwd, path), cap) ? HISS_OK
                                                            : HISS_ERR_RANGE;
}

static void split_dir_base(const char *path, char *dir, size_t cap,
                           const char **base)
{
    const char *slash = strrchr(path, '/');
    if (!slash) {
        snprintf(dir, cap, ".");
        *base = path;
    } else if (slash == path) {
        snprintf(dir, cap, "/");
        *base = slash + 1;
    } else {
        snprintf(dir, cap, "%.*s", (int)(slash - path), path);
        *base = slash + 1;
    }
}

HissError recovery_path_for(const char *song_path, char *out, size_t cap)
{
    if (!song_path || !*song_path)
        return HISS_ERR_RANGE;
    char dir[RECOVERY_PATH_MAX];
    const char *base;
    split_dir_base(song_path, dir, sizeof dir, &base);
    if (!*base)
        return HISS_ERR_RANGE;
    int n = strcmp(dir, "/") == 0
                ? snprintf(out, cap, "/.%s" RECOVER_SUFFIX, base)
                : snprintf(out, cap, "%s/.%s" RECOVER_SUFFIX, dir, base);
    return fits(n, cap) ? HISS_OK : HISS_ERR_RANGE;
}

static int mkdir_p(const char *path)
{
    char buf[RECOVERY_PATH_MAX];
    if (!fits(snprintf(buf, sizeof buf, "%s", path), sizeof buf)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(buf, 0700) < 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(buf, 0700) < 0 && errno != EEXIST)
        return -1;
    return 0;
}

HissError recovery_state_dir(char *out, size_t cap, bool create,
                             HissDiag *diag)
{
    const char *xdg = getenv("XDG_STATE_HOME");
    const char *home = getenv("HOME");
    int n;
    /* The XDG spec says relative values are invalid and must be ignored. */
    if (xdg && xdg[0] == '/')
        n = snprintf(out, cap, "%s/hiss", xdg);
    else if (home && home[0] == '/')
        n = snprintf(out, cap, "%s/.local/state/hiss", home);
    else {
        hiss_diag_set(diag, "recovery", 0, 0,
                      "no state directory: neither XDG_STATE_HOME nor HOME "
                      "is an absolute path");
        return HISS_ERR_MISSING;
    }
    if (!fits(n, cap)) {
        hiss_diag_set(diag, "recovery", 0, 0, "state directory path too long");
        return HISS_ERR_RANGE;
    }
    if (create && mkdir_p(out) < 0) {
        hiss_diag_set(diag, out, 0, 0, "cannot create the directory: %s",
                      strerror(errno));
        return HISS_ERR_IO;
    }
    return HISS_OK;
}

/* FNV-1a: a stable short tag that tells apart two songs of the same name
 * in different directories. */
static uint32_t path_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 16777619u;
    }
    return h;
}

/* The state directory file for song_path (fallback) or for this session's
 * new song (song_path NULL/""). */
static HissError state_path_for(const char *song_path, char *out, size_t cap,
                                bool create, HissDiag *diag)
{
    char dir[RECOVERY_PATH_MAX];
    HissError err = recovery_state_dir(dir, sizeof dir, create, diag);
    if (err)
        return err;
    int n;
    if (!song_path || !*song_path) {
        if (!untitled_path[0]) {
            time_t now = time(NULL);
            struct tm tm;
            localtime_r(&now, &tm);
            char stamp[32];
            strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
            if (!fits(snprintf(untitled_path, sizeof untitled_path,
                               "%s/untitled-%s-%ld.hiss", dir, stamp,
                               (long)getpid()),
                      sizeof untitled_path)) {
                untitled_path[0] = 0;
                return HISS_ERR_RANGE;
            }
        }
        n = snprintf(out, cap, "%s", untitled_path);
    } else {
        char abs[RECOVERY_PATH_MAX];
        if (absolute_path(song_path, abs, sizeof abs))
            return HISS_ERR_RANGE;
        char sdir[RECOVERY_PATH_MAX];
        const char *base;
        split_dir_base(abs, sdir, sizeof sdir, &base);
        size_t stem = strlen(base);
        if (stem > 5 && hiss_has_suffix(base, ".hiss"))
            stem -= 5;
        n = snprintf(out, cap, "%s/%.*s-%08x.hiss", dir, (int)stem, base,
                     (unsigned)path_hash(abs));
    }
    if (!fits(n, cap)) {
        hiss_diag_set(diag, "recovery", 0, 0, "recovery path too long");
        return HISS_ERR_RANGE;
    }
    return HISS_OK;
}

/* Appends "recovery<TAB>song" to the index unless the song is listed. The
 * line is one write() with O_APPEND, so two hiss sessions appending at once
 * cannot interleave inside a line. */
static void index_register(const char *recovery_file, const char *song_path)
{
    char abs_song[RECOVERY_PATH_MAX], abs_rec[RECOVERY_PATH_MAX];
    if (absolute_path(song_path, abs_song, sizeof abs_song) ||
        absolute_path(recovery_file, abs_rec, sizeof abs_rec))
        return;
    if (!strcmp(registered_song, abs_song))
        return;
    char dir[RECOVERY_PATH_MAX], index[RECOVERY_PATH_MAX + 32];
    if (recovery_state_dir(dir, sizeof dir, true, NULL))
        return;
    snprintf(index, sizeof index, "%s/" INDEX_NAME, dir);

    char line[2 * RECOVERY_PATH_MAX + 4];
    int n = snprintf(line, sizeof line, "%s\t%s\n", abs_rec, abs_song);
    if (!fits(n, sizeof line) || strchr(abs_rec, '\n') ||
        strchr(abs_song, '\n') || strchr(abs_song, '\t'))
        return; /* such names cannot be listed, but the file is written */

    char *data = NULL;
    size_t len = 0;
    if (fileio_read_regular(index, 1 << 20, true, &data, &len, NULL) == HISS_OK) {
        bool found = false;
        for (char *p = data; p && *p;) {
            char *end = strchr(p, '\n');
            size_t l = end ? (size_t)(end - p + 1) : strlen(p);
            if (l == (size_t)n && !memcmp(p, line, (size_t)n)) {
                found = true;
                break;
            }
            p = end ? end + 1 : NULL;
        }
        free(data);
        if (found) {
            snprintf(registered_song, sizeof registered_song, "%s", abs_song);
            return;
        }
    }
    /* O_NOFOLLOW: a link planted in the state directory is not appended
     * through. */
    int fd = open(index, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC,
                  0600);
    if (fd < 0)
        return;
    if (write(fd, line, (size_t)n) == n)
        snprintf(registered_song, sizeof registered_song, "%s", abs_song);
    close(fd);
}

/* The edits went to the state directory because next to the song failed:
 * the reason is said once per session (a planted link next to the song
 * must not stay silent), on success too. */
static void warn_once(const char *reason, const char *used, HissDiag *diag)
{
    static char warned[sizeof ((HissDiag *)0)->text];
    if (!reason[0] || !strcmp(warned, reason) || !diag)
        return;
    snprintf(warned, sizeof warned, "%s", reason);
    hiss_diag_printf(diag, "%.300s; unsaved edits go to %.150s", reason, used);
}

HissError recovery_write_text(const char *text, size_t len,
                              const char *song_path, char *written,
                              size_t written_cap, HissDiag *diag)
{
    char path[RECOVERY_PATH_MAX];
    HissDiag first = {{0}};
    bool named = song_path && *song_path;
    if (named && recovery_path_for(song_path, path, sizeof path) == HISS_OK) {
        if (fileio_write_owned(path, text, len, &first) == HISS_OK) {
            index_register(path, song_path);
            /* A fallback copy from earlier in the session is now older;
             * removing it keeps the offer to one file. */
            char fallback[RECOVERY_PATH_MAX];
            if (state_path_for(song_path, fallback, sizeof fallback, false,
                               NULL) == HISS_OK)
                fileio_remove_owned(fallback, NULL);
            if (written)
                snprintf(written, written_cap, "%s", path);
            return HISS_OK;
        }
    }
    /* Next to the song failed (directory gone, read-only, disk full) or
     * there is no song path: the state directory keeps the edits. */
    HissError err = state_path_for(song_path, path, sizeof path, true, diag);
    if (!err)
        err = fileio_write_owned(path, text, len, diag);
    if (err) {
        if (named && first.text[0] && diag) {
            /* Both failed: the first reason is the one the user can act on. */
            hiss_diag_printf(diag, "%.250s (and %.250s)", first.text, diag->text);
        }
        return err;
    }
    if (named)
        index_register(path, song_path);
    if (written)
        snprintf(written, written_cap, "%s", path);
    warn_once(first.text, path, diag);
    return HISS_OK;
}

HissError recovery_write(const Song *song, const char *song_path,
                         char *written, size_t written_cap, HissDiag *diag)
{
    char *text = NULL;
    size_t len = 0;
    HissError err = songfile_format(song, &text, &len);
    if (err) {
        hiss_diag_set(diag, song_path && *song_path ? song_path : "new song",
                      0, 0, "cannot write the recovery file: %s",
                      hiss_strerror(err));
        return err;
    }
    err = recovery_write_text(text, len, song_path, written, written_cap, diag);
    free(text);
    return err;
}

static int64_t mtime_ns(const struct stat *st)
{
    return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

/* True when the two files hold the same bytes (then nothing is lost by
 * not offering the recovery file). */
static bool same_content(const char *a, const char *b)
{
    char *da = NULL, *db = NULL;
    size_t la = 0, lb = 0;
    bool same = false;
    if (fileio_read_regular(a, SONGFILE_MAX_BYTES, true, &da, &la, NULL) == HISS_OK &&
        fileio_read_all(b, SONGFILE_MAX_BYTES, &db, &lb, NULL) == HISS_OK)
        same = la == lb && !memcmp(da, db, la);
    free(da);
    free(db);
    return same;
}

/* Fills entry for an existing regular recovery file; false otherwise. */
static bool describe(const char *path, const char *song_path,
                     RecoveryEntry *entry)
{
    struct stat st, song_st;
    if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
        return false;
    memset(entry, 0, sizeof *entry);
    snprintf(entry->path, sizeof entry->path, "%s", path);
    snprintf(entry->song_path, sizeof entry->song_path, "%s",
             song_path ? song_path : "");
    entry->mtime_ns = mtime_ns(&st);
    entry->size = (int64_t)st.st_size;
    entry->newer_than_song = !song_path || !*song_path ||
                             stat(song_path, &song_st) < 0 ||
                             mtime_ns(&st) > mtime_ns(&song_st);
    return true;
}

bool recovery_find(const char *song_path, RecoveryEntry *entry)
{
    if (!song_path || !*song_path)
        return false;
    char paths[2][RECOVERY_PATH_MAX];
    int count = 0;
    if (recovery_path_for(song_path, paths[count], sizeof paths[0]) == HISS_OK)
        count++;
    if (state_path_for(song_path, paths[count], sizeof paths[0], false,
                       NULL) == HISS_OK)
        count++;
    RecoveryEntry best, cand;
    bool found = false;
    for (int i = 0; i < count; i++) {
        if (!describe(paths[i], song_path, &cand) || !cand.newer_than_song)
            continue;
        if (same_content(paths[i], song_path))
            continue;
        if (!found || cand.mtime_ns > best.mtime_ns) {
            best = cand;
            found = true;
        }
    }
    if (found && entry)
        *entry = best;
    return found;
}

HissError recovery_load(const RecoveryEntry *entry, uint32_t session_rate,
                        Song **out, HissDiag *diag, SongioWarnings *warnings)
{
    *out = NULL;
    char *text = NULL;
    size_t len = 0;
    HissError err = fileio_read_regular(entry->path, SONGFILE_MAX_BYTES, true,
                                        &text, &len, diag);
    if (err)
        return err;
    Song *song = NULL;
    err = songfile_parse(text, len, entry->path, &song, diag);
    free(text);
    if (err)
        return err;
    const char *base = entry->song_path[0] ? entry->song_path : entry->path;
    for (int slot = 1; slot <= SONG_MAX_INSTRUMENTS; slot++) {
        Instrument *inst = song_instrument(song, slot);
        if (inst)
            songio_load_instrument(inst, slot, base, session_rate, warnings);
    }
    *out = song;
    return HISS_OK;
}

HissError recovery_discard(const char *song_path, HissDiag *diag)
{
    char paths[2][RECOVERY_PATH_MAX];
    int count = 0;
    if (song_path && *song_path &&
        recovery_path_for(song_path, paths[count], sizeof paths[0]) == HISS_OK)
        count++;
    if ((song_path && *song_path) || untitled_path[0]) {
        if (state_path_for(song_path, paths[count], sizeof paths[0], false,
                           NULL) == HISS_OK)
            count++;
    }
    HissError result = HISS_OK;
    for (int i = 0; i < count; i++)
        if (fileio_remove_owned(paths[i], diag))
            result = HISS_ERR_IO;
    return result;
}

HissError recovery_keep_both(const char *song_path, char *saved_as,
                             size_t saved_as_cap, HissDiag *diag)
{
    RecoveryEntry entry;
    if (!recovery_find(song_path, &entry)) {
        hiss_diag_set(diag, song_path ? song_path : "new song", 0, 0,
                      "there is no recovery file to keep");
        return HISS_ERR_MISSING;
    }
    char dir[RECOVERY_PATH_MAX];
    const char *base;
    split_dir_base(song_path, dir, sizeof dir, &base);
    size_t stem = strlen(base);
    if (stem > 5 && hiss_has_suffix(base, ".hiss"))
        stem -= 5;
    time_t t = (time_t)(entry.mtime_ns / 1000000000);
    struct tm tm;
    localtime_r(&t, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);

    char dest[RECOVERY_PATH_MAX];
    struct stat st;
    for (int n = 1;; n++) {
        char num[16] = "";
        if (n > 1)
            snprintf(num, sizeof num, "-%d", n);
        if (!fits(snprintf(dest, sizeof dest, "%s/%.*s.recovered-%s%s.hiss",
                           dir, (int)stem, base, stamp, num),
                  sizeof dest)) {
            hiss_diag_set(diag, song_path, 0, 0, "path too long");
            return HISS_ERR_RANGE;
        }
        if (lstat(dest, &st) < 0 && errno == ENOENT)
            break;
        if (n > 999) {
            hiss_diag_set(diag, dest, 0, 0, "too many recovered copies");
            return HISS_ERR_IO;
        }
    }
    /* A copy, not a rename: the recovery file may sit in the state
     * directory on another filesystem. It is removed only once the copy is
     * safely on disk. */
    char *data = NULL;
    size_t len = 0;
    HissError err = fileio_read_regular(entry.path, SONGFILE_MAX_BYTES, true,
                                        &data, &len, diag);
    if (err)
        return err;
    err = fileio_write_owned(dest, data, len, diag);
    free(data);
    if (err)
        return err;
    fileio_remove_owned(entry.path, NULL);
    if (saved_as)
        snprintf(saved_as, saved_as_cap, "%s", dest);
    return HISS_OK;
}

/* A growable list of entries, deduplicated by path. */
typedef struct {
    RecoveryEntry *items;
    int count, cap;
    bool failed;
} EntryList;

static void list_add(EntryList *list, const char *path, const char *song_path)
{
    /* A link where a recovery file should be is not hiss's: listing its
     * target would offer some other file as unsaved edits. */
    struct stat st;
    if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
        return;
    char real[RECOVERY_PATH_MAX];
    const char *key = realpath(path, real) ? real : path;
    for (int i = 0; i < list->count; i++) {
        if (!strcmp(list->items[i].path, key)) {
            if (!list->items[i].song_path[0] && song_path && *song_path)
                describe(key, song_path, &list->items[i]);
            return;
        }
    }
    if (list->count == list->cap) {
        int ncap = list->cap ? list->cap * 2 : 16;
        RecoveryEntry *n = realloc(list->items, sizeof *n * (size_t)ncap);
        if (!n) {
            list->failed = true;
            return;
        }
        list->items = n;
        list->cap = ncap;
    }
    if (describe(key, song_path, &list->items[list->count]))
        list->count++;
}

/* Reads the index, adds the files that still exist and rewrites it
 * without the ones that are gone. */
static void list_index(EntryList *list, const char *state_dir)
{
    char index[RECOVERY_PATH_MAX + 32];
    snprintf(index, sizeof index, "%s/" INDEX_NAME, state_dir);
    char *data = NULL;
    size_t len = 0;
    if (fileio_read_regular(index, 1 << 20, true, &data, &len, NULL) != HISS_OK)
        return;
    char *kept = malloc(len + 1);
    size_t kept_len = 0;
    bool dropped = false;
    for (char *p = data; p && *p;) {
        char *end = strchr(p, '\n');
        if (end)
            *end = 0;
        char *tab = strchr(p, '\t');
        struct stat st;
        if (tab) {
            *tab = 0;
            if (lstat(p, &st) == 0 && S_ISREG(st.st_mode)) {
                list_add(list, p, tab + 1);
                if (kept)
                    kept_len += (size_t)sprintf(kept + kept_len, "%s\t%s\n", p,
                                                tab + 1);
            } else {
                dropped = true;
            }
        } else if (*p) {
            dropped = true;
        }
        p = end ? end + 1 : NULL;
    }
    if (dropped && kept)
        fileio_write_owned(index, kept, kept_len, NULL);
    free(kept);
    free(data);
}

static void list_dir(EntryList *list, const char *dir_arg, bool state_dir)
{
    /* Absolute names in the listing, whatever directory was given. */
    char real_dir[RECOVERY_PATH_MAX];
    const char *dir = realpath(dir_arg, real_dir) ? real_dir : dir_arg;
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *name = e->d_name;
        char path[RECOVERY_PATH_MAX];
        if (!fits(snprintf(path, sizeof path, "%s/%s", dir, name),
                  sizeof path))
            continue;
        if (state_dir) {
            if (name[0] != '.' && hiss_has_suffix(name, ".hiss"))
                list_add(list, path, "");
        } else if (name[0] == '.' && hiss_has_suffix(name, RECOVER_SUFFIX) &&
                   strlen(name) > 1 + strlen(RECOVER_SUFFIX)) {
            char song[RECOVERY_PATH_MAX];
            int n = snprintf(song, sizeof song, "%s/%.*s", dir,
                             (int)(strlen(name) - 1 - strlen(RECOVER_SUFFIX)),
                             name + 1);
            if (fits(n, sizeof song))
                list_add(list, path, song);
        }
    }
    closedir(d);
}

static int newest_first(const void *a, const void *b)
{
    const RecoveryEntry *x = a, *y = b;
    return x->mtime_ns < y->mtime_ns ? 1 : x->mtime_ns > y->mtime_ns ? -1 : 0;
}

int recovery_list(const char *const *dirs, int dir_count,
                  RecoveryEntry **entries)
{
    EntryList list = {0};
    char state[RECOVERY_PATH_MAX];
    if (recovery_state_dir(state, sizeof state, false, NULL) == HISS_OK) {
        list_index(&list, state);
        list_dir(&list, state, true);
    }
    for (int i = 0; i < dir_count; i++)
        list_dir(&list, dirs[i], false);
    if (list.failed) {
        free(list.items);
        *entries = NULL;
        return -1;
    }
    if (list.count > 1)
        qsort(list.items, (size_t)list.count, sizeof *list.items, newest_first);
    *entries = list.items;
    return list.count;
}

static void describe_time(int64_t ns, char *out, size_t cap)
{
    time_t t = (time_t)(ns / 1000000000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(out, cap, "%Y-%m-%d %H:%M:%S", &tm);
}

/* One answer to the question: on a terminal a single key, taken at once
 * like every other question of the editor (so nothing typed after it is
 * read as part of the answer); otherwise (a pipe, a script) a line. The
 * first character that is not a blank, EOF when there is none. */
static int read_answer(FILE *in, FILE *out)
{
    int fd = fileno(in);
    struct termios saved;
    if (fd >= 0 && isatty(fd) && tcgetattr(fd, &saved) == 0) {
        struct termios one = saved;
        one.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
        one.c_cc[VMIN] = 1;
        one.c_cc[VTIME] = 0;
        if (tcsetattr(fd, TCSANOW, &one) == 0) {
            unsigned char c = 0;
            ssize_t n;
            do
                n = read(fd, &c, 1);
            while (n < 0 && errno == EINTR);
            tcsetattr(fd, TCSANOW, &saved);
            if (n != 1)
                return EOF;
            /* Echoed by hand: the terminal's echo is off for the key. */
            fprintf(out, "%c\n", c > ' ' && c < 127 ? c : ' ');
            return c;
        }
    }
    char line[64];
    if (!fgets(line, sizeof line, in))
        return EOF;
    char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    return (unsigned char)*p;
}

RecoveryChoice recovery_ask(const RecoveryEntry *entry, FILE *in, FILE *out)
{
    char when[32];
    describe_time(entry->mtime_ns, when, sizeof when);
    char song[RECOVERY_PATH_MAX], file[RECOVERY_PATH_MAX];
    /* Each path on a line of its own and no line over 80 columns, so a
     * terminal does not wrap the question in the middle of a word. */
    fprintf(out,
            "\nhiss: %s has unsaved edits\n"
            "      from %s in the recovery file\n"
            "      %s\n"
            "      (%lld bytes, newer than the song).\n",
            entry->song_path[0]
                ? hiss_escape_name(entry->song_path, song, sizeof song)
                : "a new song",
            when, hiss_escape_name(entry->path, file, sizeof file),
            (long long)entry->size);
    for (int attempt = 0; attempt < 3; attempt++) {
        fprintf(out, "  (r)estore the edits, (d)iscard them, or (k)eep both "
                     "(as separate files)? ");
        fflush(out);
        int answer = read_answer(in, out);
        if (answer == EOF) {
            fprintf(out, "\n");
            return RECOVERY_LATER;
        }
        switch (answer) {
        case 'r': case 'R': return RECOVERY_RESTORE;
        case 'd': case 'D': return RECOVERY_DISCARD;
        case 'k': case 'K': return RECOVERY_KEEP_BOTH;
        }
    }
    return RECOVERY_LATER;
}

bool recovery_offer_at_open(const char *song_path, uint32_t session_rate,
                            FILE *in, FILE *out, Song **restored, char *msg,
                            size_t msg_cap)
{
    *restored = NULL;
    if (msg_cap)
        msg[0] = 0;
    RecoveryEntry entry;
    if (!song_path || !*song_path || !recovery_find(song_path, &entry))
        return false;
    HissDiag diag = {{0}};
    switch (recovery_ask(&entry, in, out)) {
    case RECOVERY_RESTORE: {
        SongioWarnings warnings;
        songio_warnings_init(&warnings);
        Song *song = NULL;
        HissError err = recovery_load(&entry, session_rate, &song, &diag,
                                      &warnings);
        int missing = songio_warnings_missing(&warnings);
        songio_warnings_deinit(&warnings);
        if (err) {
            snprintf(msg, msg_cap, "could not restore (%s); the recovery "
                     "file is kept", diag.text);
            return false;
        }
        *restored = song;
        snprintf(msg, msg_cap,
                 "restored unsaved edits from %s: save to keep them%s",
                 entry.path,
                 missing ? " (some instruments have no sound)" : "");
        return true;
    }
    case RECOVERY_DISCARD:
        if (recovery_discard(song_path, &diag))
            snprintf(msg, msg_cap, "could not discard: %s", diag.text);
        else
            snprintf(msg, msg_cap, "discarded the unsaved edits");
        return false;
    case RECOVERY_KEEP_BOTH: {
        char saved_as[RECOVERY_PATH_MAX];
        if (recovery_keep_both(song_path, saved_as, sizeof saved_as, &diag))
            snprintf(msg, msg_cap, "could not keep both: %s", diag.text);
        else
            snprintf(msg, msg_cap, "unsaved edits kept as %s", saved_as);
        return false;
    }
    case RECOVERY_LATER:
        break;
    }
    snprintf(msg, msg_cap, "unsaved edits left in %s (hiss --recover)",
             entry.path);
    return false;
}

int recovery_clean_song_temps(const char *song_path)
{
    if (!song_path || !*song_path)
        return 0;
    int removed = fileio_clean_temps(song_path, true, NULL, NULL);
    char rec[RECOVERY_PATH_MAX];
    if (recovery_path_for(song_path, rec, sizeof rec) == HISS_OK)
        removed += fileio_clean_temps(rec, false, NULL, NULL);
    return removed;
}

/* The song a temporary file belongs to: ".NAME.XXXXXX.tmp" is a save of
 * NAME, and NAME ".SONG.recover" is SONG's recovery file. */
static bool temp_song(const char *temp, char *song, size_t cap)
{
    size_t n = strlen(temp);
    const size_t tail = 1 + 6 + 4; /* ".XXXXXX.tmp" */
    if (n <= 1 + tail)
        return false;
    const char *name = temp + 1;
    size_t len = n - 1 - tail;
    size_t sl = strlen(RECOVER_SUFFIX);
    if (len > 1 + sl && name[0] == '.' &&
        !strncmp(name + len - sl, RECOVER_SUFFIX, sl)) {
        name++;
        len -= 1 + sl;
    }
    return fits(snprintf(song, cap, "%.*s", (int)len, name), cap);
}

int recovery_clean_temps(const char *dir_arg, FileioCleaned cleaned, void *ctx)
{
    /* Absolute names in what is reported, as in the listing. */
    char real_dir[RECOVERY_PATH_MAX];
    const char *dir = realpath(dir_arg, real_dir) ? real_dir : dir_arg;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int removed = 0;
    time_t now = time(NULL);
    struct dirent *e;
    while ((e = readdir(d))) {
        char song[RECOVERY_PATH_MAX], path[RECOVERY_PATH_MAX],
            song_path[RECOVERY_PATH_MAX];
        if (!fileio_is_temp_name(e->d_name, NULL) ||
            !temp_song(e->d_name, song, sizeof song) ||
            !fits(snprintf(path, sizeof path, "%s/%s", dir, e->d_name),
                  sizeof path) ||
            !fits(snprintf(song_path, sizeof song_path, "%s/%s", dir, song),
                  sizeof song_path))
            continue;
        /* A save in progress takes milliseconds: a minute-old temporary
         * file is a killed one, and a held song's are its editor's. */
        struct stat st;
        if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode) ||
            now - st.st_mtime < 60 || songlock_busy(song_path, NULL))
            continue;
        if (fileio_remove_owned(path, NULL) == HISS_OK) {
            removed++;
            if (cleaned)
                cleaned(ctx, path, (int64_t)st.st_size);
        }
    }
    closedir(d);
    return removed;
}
