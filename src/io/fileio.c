#include "fileio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif
#ifndef O_DIRECTORY
#define O_DIRECTORY 0
#endif

/* Reads an open file to its end (the fd is closed). */
static HissError read_fd(int fd, const char *path, size_t max_bytes,
                         char **data, size_t *len, HissDiag *diag)
{
    struct stat st;
    if (fstat(fd, &st) < 0) {
        hiss_diag_set(diag, path, 0, 0, "cannot read: %s", strerror(errno));
        close(fd);
        return HISS_ERR_IO;
    }
    if (S_ISDIR(st.st_mode)) {
        hiss_diag_set(diag, path, 0, 0, "cannot read: %s", strerror(EISDIR));
        close(fd);
        return HISS_ERR_IO;
    }
    if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > (uintmax_t)max_bytes) {
        hiss_diag_set(diag, path, 0, 0,
                      "file too large (%ju bytes; the limit is %zu)",
                      (uintmax_t)st.st_size, max_bytes);
        close(fd);
        return HISS_ERR_RANGE;
    }

    /* Regular files tell their size up front; pipes and devices do not, so
     * the buffer grows and the limit is checked as bytes arrive. One byte
     * past the limit is read to tell "exactly at the limit" from "over". */
    size_t limit = max_bytes < SIZE_MAX - 1 ? max_bytes + 1 : SIZE_MAX - 1;
    size_t cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 4096;
    if (cap > limit)
        cap = limit;
    char *buf = malloc(cap + 1);
    if (!buf) {
        hiss_diag_set(diag, path, 0, 0, "cannot read: out of memory");
        close(fd);
        return HISS_ERR_NOMEM;
    }
    size_t used = 0;
    for (;;) {
        if (used == cap) {
            if (cap > max_bytes)
                break;
            size_t ncap = cap > limit / 2 ? limit : cap * 2;
            char *nbuf = realloc(buf, ncap + 1);
            if (!nbuf) {
                free(buf);
                close(fd);
                hiss_diag_set(diag, path, 0, 0, "cannot read: out of memory");
                return HISS_ERR_NOMEM;
            }
            buf = nbuf;
            cap = ncap;
        }
        ssize_t n = read(fd, buf + used, cap - used);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            free(buf);
            close(fd);
            hiss_diag_set(diag, path, 0, 0, "cannot read: %s", strerror(e));
            return HISS_ERR_IO;
        }
        if (n == 0)
            break;
        used += (size_t)n;
    }
    close(fd);
    if (used > max_bytes) {
        free(buf);
        hiss_diag_set(diag, path, 0, 0,
                      "file too large (more than %zu bytes)", max_bytes);
        return HISS_ERR_RANGE;
    }
    buf[used] = 0;
    *data = buf;
    *len = used;
    return HISS_OK;
}

static int open_retry(const char *path, int flags)
{
    int fd;
    do
        fd = open(path, flags | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    return fd;
}

static HissError open_failed(const char *path, HissDiag *diag)
{
    int e = errno;
    if (e == ELOOP) {
        hiss_diag_set(diag, path, 0, 0,
                      "is a symbolic link; hiss names this file itself and "
                      "does not follow links there (remove the link)");
        return HISS_ERR_IO;
    }
    hiss_diag_set(diag, path, 0, 0, "cannot read: %s", strerror(e));
    return e == ENOENT ? HISS_ERR_MISSING : HISS_ERR_IO;
}

HissError fileio_read_all(const char *path, size_t max_bytes, char **data,
                          size_t *len, HissDiag *diag)
{
    *data = NULL;
    *len = 0;
    int fd = open_retry(path, O_RDONLY);
    if (fd < 0)
        return open_failed(path, diag);
    return read_fd(fd, path, max_bytes, data, len, diag);
}

HissError fileio_read_regular(const char *path, size_t max_bytes,
                              bool nofollow, char **data, size_t *len,
                              HissDiag *diag)
{
    *data = NULL;
    *len = 0;
    /* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
     * writer that may never come. */
    int fd = open_retry(path, O_RDONLY | O_NONBLOCK | (nofollow ? O_NOFOLLOW : 0));
    if (fd < 0)
        return open_failed(path, diag);
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        hiss_diag_set(diag, path, 0, 0,
                      "not a regular file (a FIFO, device or directory); "
                      "not read");
        close(fd);
        return HISS_ERR_IO;
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0)
        fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    return read_fd(fd, path, max_bytes, data, len, diag);
}

/* Where a write happens: the directory (open, for the *at calls) and the
 * name inside it. `shown` is the path as the caller gave it, for messages. */
typedef struct {
    int dfd;
    char dir[PATH_MAX];
    char base[NAME_MAX + 1];
    const char *shown;
} Place;

/* The room a temporary name (".NAME.XXXXXX.tmp") or a backup name
 * ("NAME~20~") needs beyond NAME. */
enum { NAME_EXTRA = 12, NAME_BUF = NAME_MAX + 1 + 2 * NAME_EXTRA };

/* Splits path into its directory ("." when none) and its last component;
 * false when either does not fit. */
static bool split_path(const char *path, char *dir, size_t dir_size,
                       char *base, size_t base_size)
{
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    int n;
    if (!slash)
        n = snprintf(dir, dir_size, ".");
    else if (slash == path)
        n = snprintf(dir, dir_size, "/");
    else
        n = snprintf(dir, dir_size, "%.*s", (int)(slash - path), path);
    if (n < 0 || (size_t)n >= dir_size)
        return false;
    n = snprintf(base, base_size, "%s", name);
    return n >= 0 && (size_t)n < base_size;
}

static void refuse_link(HissDiag *diag, const char *shown, const char *name)
{
    if (name)
        hiss_diag_set(diag, shown, 0, 0,
                      "%s is a symbolic link; hiss names that file "
                      "itself and does not follow or replace links there "
                      "(remove the link)", name);
    else
        hiss_diag_set(diag, shown, 0, 0,
                      "it is a symbolic link; hiss names this file "
                      "itself and does not follow or replace links there "
                      "(remove the link)");
}

/* Resolves where path is written. follow: a symlink at path (the song the
 * user named) leads to its target's directory and name; otherwise the
 * path is taken as it is and its last component is never followed. */
static HissError place_open(Place *p, const char *path, bool follow,
                            const char *step, HissDiag *diag)
{
    p->dfd = -1;
    p->shown = path;
    char resolved[PATH_MAX];
    const char *target = path;
    struct stat st;
    if (follow && lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
        if (!realpath(path, resolved)) {
            hiss_diag_set(diag, path, 0, 0,
                          "%s: it is a symbolic link to a file that cannot be "
                          "reached (%s); hiss saves through a link only into "
                          "an existing file", step, strerror(errno));
            return HISS_ERR_IO;
        }
        target = resolved;
    }
    if (!split_path(target, p->dir, sizeof p->dir, p->base, sizeof p->base) ||
        strlen(p->base) + NAME_EXTRA > NAME_MAX) {
        hiss_diag_set(diag, path, 0, 0, "%s: %s", step, strerror(ENAMETOOLONG));
        return HISS_ERR_IO;
    }
    if (!p->base[0] || !strcmp(p->base, ".") || !strcmp(p->base, "..")) {
        hiss_diag_set(diag, path, 0, 0, "%s: %s", step, strerror(EISDIR));
        return HISS_ERR_IO;
    }
    p->dfd = open_retry(p->dir, O_RDONLY | O_DIRECTORY);
    if (p->dfd < 0) {
        hiss_diag_set(diag, path, 0, 0, "%s: %s", step, strerror(errno));
        return HISS_ERR_IO;
    }
    return HISS_OK;
}

static void place_close(Place *p)
{
    if (p->dfd >= 0)
        close(p->dfd);
    p->dfd = -1;
}

/* Like mkstemp, but relative to the directory, never through a link, and
 * with mode 0666 minus the umask, as any new file would be, instead of
 * mkstemp's fixed 0600. */
static int create_temp(const Place *p, char *tmp, size_t tmp_size)
{
    static unsigned counter;
    static const char ALNUM[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    unsigned long seed = (unsigned long)ts.tv_nsec ^
                         ((unsigned long)getpid() << 16) ^
                         (unsigned long)ts.tv_sec;
    for (int attempt = 0; attempt < 100; attempt++) {
        unsigned long x = seed + ++counter * 2654435761u;
        char suffix[7];
        for (int i = 0; i < 6; i++) {
            suffix[i] = ALNUM[x % 36];
            x /= 36;
        }
        suffix[6] = 0;
        int n = snprintf(tmp, tmp_size, ".%s.%s.tmp", p->base, suffix);
        if (n < 0 || (size_t)n >= tmp_size) {
            errno = ENAMETOOLONG;
            return -1;
        }
        int fd = openat(p->dfd, tmp,
                        O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                        0666);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    errno = EEXIST;
    return -1;
}

bool fileio_is_temp_name(const char *name, const char *base)
{
    size_t n = strlen(name);
    /* "." NAME "." 6 characters ".tmp" */
    if (n < 1 + 1 + 1 + 6 + 4 || name[0] != '.' || strcmp(name + n - 4, ".tmp"))
        return false;
    const char *suffix = name + n - 4 - 6;
    if (suffix[-1] != '.')
        return false;
    for (int i = 0; i < 6; i++)
        if (!((suffix[i] >= 'a' && suffix[i] <= 'z') ||
              (suffix[i] >= '0' && suffix[i] <= '9')))
            return false;
    size_t name_len = (size_t)(suffix - 1 - (name + 1));
    if (!base)
        return name_len > 0;
    return strlen(base) == name_len && !memcmp(name + 1, base, name_len);
}

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0) {
            errno = EIO;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static void backup_name(const char *base, int n, char *out, size_t size)
{
    if (n == 1)
        snprintf(out, size, "%s~", base);
    else
        snprintf(out, size, "%s~%d~", base, n);
}

/* A backup name that is a symlink would be replaced (or, for the first,
 * removed) by the rotation: refused before anything is written. */
static bool backups_are_safe(const Place *p, int backups, HissDiag *diag)
{
    for (int n = 1; n <= backups; n++) {
        char name[NAME_BUF];
        backup_name(p->base, n, name, sizeof name);
        struct stat st;
        if (fstatat(p->dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISLNK(st.st_mode)) {
            refuse_link(diag, p->shown, name);
            return false;
        }
    }
    return true;
}

/* base~ is the newest previous version; older ones move up one number and
 * the oldest beyond `backups` is overwritten. The current file is linked
 * (not moved) to base~ so that the file exists at every moment. Returns 1
 * when the file had to be moved instead, 0 when linked, -1 on failure. */
static int rotate_backups(const Place *p, int backups)
{
    char from[NAME_BUF], to[NAME_BUF];
    for (int n = backups; n >= 2; n--) {
        backup_name(p->base, n - 1, from, sizeof from);
        backup_name(p->base, n, to, sizeof to);
        if (renameat(p->dfd, from, p->dfd, to) < 0 && errno != ENOENT)
            return -1;
    }
    backup_name(p->base, 1, to, sizeof to);
    if (unlinkat(p->dfd, to, 0) < 0 && errno != ENOENT)
        return -1;
    if (linkat(p->dfd, p->base, p->dfd, to, 0) == 0)
        return 0;
    /* Filesystems without hard links: a copy would need its own error
     * handling, a rename leaves the file missing only until the rename of
     * the new file right after. */
    return renameat(p->dfd, p->base, p->dfd, to) == 0 ? 1 : -1;
}

/* The atomic write in p's directory. owned: p's name is one hiss makes,
 * and only a regular file (or nothing) may be in its place. */
static HissError write_in(const Place *p, const void *data, size_t len,
                          int backups, bool owned, HissDiag *diag)
{
    const char *path = p->shown;
    struct stat st;
    bool exists = fstatat(p->dfd, p->base, &st, AT_SYMLINK_NOFOLLOW) == 0;
    if (exists && S_ISLNK(st.st_mode)) {
        /* For the song: the link was swapped in after it was resolved. */
        refuse_link(diag, path, NULL);
        return HISS_ERR_IO;
    }
    if (exists && S_ISDIR(st.st_mode)) {
        hiss_diag_set(diag, path, 0, 0, "cannot save: %s", strerror(EISDIR));
        return HISS_ERR_IO;
    }
    if (exists && owned && !S_ISREG(st.st_mode)) {
        hiss_diag_set(diag, path, 0, 0,
                      "it is not a regular file (a FIFO or "
                      "device?); hiss does not replace it");
        return HISS_ERR_IO;
    }
    if (exists && backups > 0 && !backups_are_safe(p, backups, diag))
        return HISS_ERR_IO;

    char tmp[NAME_BUF];
    int fd = create_temp(p, tmp, sizeof tmp);
    if (fd < 0) {
        hiss_diag_set(diag, path, 0, 0, "cannot save: %s", strerror(errno));
        return HISS_ERR_IO;
    }

    const char *step = "cannot save";
    int err = 0;
    if (exists && fchmod(fd, st.st_mode & 07777) < 0)
        err = errno;
    if (!err && write_all(fd, data, len) < 0)
        err = errno;
    if (!err && fsync(fd) < 0)
        err = errno;
    if (close(fd) < 0 && !err)
        err = errno;
    int moved = 0;
    if (!err && exists && backups > 0) {
        moved = rotate_backups(p, backups);
        if (moved < 0) {
            err = errno;
            step = "cannot keep a backup";
        }
    }
    if (!err && renameat(p->dfd, tmp, p->dfd, p->base) < 0) {
        err = errno;
        if (moved == 1) {
            char bak[NAME_BUF];
            backup_name(p->base, 1, bak, sizeof bak);
            renameat(p->dfd, bak, p->dfd, p->base);
        }
    }
    if (err) {
        unlinkat(p->dfd, tmp, 0);
        hiss_diag_set(diag, path, 0, 0, "%s: %s", step, strerror(err));
        return HISS_ERR_IO;
    }

    /* The rename is durable only once the directory entry is on disk.
     * Some filesystems cannot fsync a directory (EINVAL); the data itself
     * is already synced there, so that is not a failure. */
    if (fsync(p->dfd) < 0 && errno != EINVAL && errno != EROFS) {
        hiss_diag_set(diag, path, 0, 0,
                      "saved, but syncing the directory failed: %s",
                      strerror(errno));
        return HISS_ERR_IO;
    }
    return HISS_OK;
}

static HissError write_file(const char *path, const void *data, size_t len,
                            int backups, bool owned, HissDiag *diag)
{
    Place p;
    HissError err = place_open(&p, path, !owned, "cannot save", diag);
    if (!err)
        err = write_in(&p, data, len, backups, owned, diag);
    place_close(&p);
    return err;
}

HissError fileio_write_atomic(const char *path, const void *data, size_t len,
                              int backups, HissDiag *diag)
{
    return write_file(path, data, len, backups, false, diag);
}

HissError fileio_write_owned(const char *path, const void *data, size_t len,
                             HissDiag *diag)
{
    return write_file(path, data, len, 0, true, diag);
}

HissError fileio_remove_owned(const char *path, HissDiag *diag)
{
    struct stat st;
    if (lstat(path, &st) < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return HISS_OK;
        hiss_diag_set(diag, path, 0, 0, "cannot remove: %s", strerror(errno));
        return HISS_ERR_IO;
    }
    if (S_ISLNK(st.st_mode)) {
        hiss_diag_set(diag, path, 0, 0,
                      "not removed: it is a symbolic link hiss did not make "
                      "(look at where it points, then remove it)");
        return HISS_ERR_IO;
    }
    if (!S_ISREG(st.st_mode)) {
        hiss_diag_set(diag, path, 0, 0,
                      "not removed: it is not a regular file");
        return HISS_ERR_IO;
    }
    if (unlink(path) < 0 && errno != ENOENT) {
        hiss_diag_set(diag, path, 0, 0, "cannot remove: %s", strerror(errno));
        return HISS_ERR_IO;
    }
    return HISS_OK;
}

HissError fileio_make_empty_dir(const char *path, HissDiag *diag)
{
    /* "dir/" would lead through a link named dir: the name without its
     * trailing slashes is what is checked and made. */
    char name[PATH_MAX];
    int len = snprintf(name, sizeof name, "%s", path);
    if (len < 0 || (size_t)len >= sizeof name) {
        hiss_diag_set(diag, path, 0, 0, "cannot make the folder: %s", strerror(ENAMETOOLONG));
        return HISS_ERR_IO;
    }
    while (len > 1 && name[len - 1] == '/')
        name[--len] = 0;
    if (!len) {
        hiss_diag_set(diag, path, 0, 0, "no folder named");
        return HISS_ERR_IO;
    }
    if (mkdir(name, 0777) == 0)
        return HISS_OK;
    if (errno != EEXIST) {
        hiss_diag_set(diag, path, 0, 0, "cannot make the folder: %s", strerror(errno));
        return HISS_ERR_IO;
    }
    /* Something is there: only a real, empty folder will do. O_NOFOLLOW
     * refuses a link in its place, even one planted since mkdir. */
    int fd = open_retry(name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    if (fd < 0) {
        int why = errno;
        struct stat st;
        if (lstat(name, &st) == 0 && S_ISLNK(st.st_mode))
            hiss_diag_set(diag, path, 0, 0,
                          "it is a symbolic link; hiss does not write through links "
                          "(name a new folder)");
        else if (why == ENOTDIR)
            hiss_diag_set(diag, path, 0, 0, "it is a file, not a folder (name a new folder)");
        else
            hiss_diag_set(diag, path, 0, 0, "cannot open the folder: %s", strerror(why));
        return HISS_ERR_IO;
    }
    DIR *d = fdopendir(fd);
    if (!d) {
        hiss_diag_set(diag, path, 0, 0, "cannot read the folder: %s", strerror(errno));
        close(fd);
        return HISS_ERR_IO;
    }
    int entries = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        entries += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    if (entries) {
        hiss_diag_set(diag, path, 0, 0,
                      "already holds %d file%s (hiss writes only into a new or empty "
                      "folder)",
                      entries, entries == 1 ? "" : "s");
        return HISS_ERR_IO;
    }
    return HISS_OK;
}

int fileio_clean_temps(const char *path, bool follow, FileioCleaned cleaned,
                       void *ctx)
{
    Place p;
    if (place_open(&p, path, follow, "cannot clean", NULL))
        return 0;
    int dfd = dup(p.dfd);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!d) {
        if (dfd >= 0)
            close(dfd);
        place_close(&p);
        return 0;
    }
    int removed = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!fileio_is_temp_name(e->d_name, p.base))
            continue;
        struct stat st;
        if (fstatat(p.dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
            !S_ISREG(st.st_mode))
            continue;
        if (unlinkat(p.dfd, e->d_name, 0) < 0)
            continue;
        removed++;
        if (cleaned) {
            char full[PATH_MAX + NAME_MAX + 2];
            snprintf(full, sizeof full, "%s/%s", p.dir, e->d_name);
            cleaned(ctx, full, (int64_t)st.st_size);
        }
    }
    closedir(d);
    place_close(&p);
    return removed;
}

static int64_t mtime_ns(const struct stat *st)
{
    return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

HissError fileio_stamp(const char *path, FileioStamp *stamp)
{
    memset(stamp, 0, sizeof *stamp);
    int fd = open_retry(path, O_RDONLY | O_NONBLOCK);
    if (fd < 0)
        return errno == ENOENT ? HISS_OK : HISS_ERR_IO;
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return HISS_ERR_IO;
    }
    /* FNV-1a over the bytes: cheap, and any edit changes it. */
    uint64_t h = 14695981039346656037u;
    char buf[65536];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            close(fd);
            return HISS_ERR_IO;
        }
        if (n == 0)
            break;
        for (ssize_t i = 0; i < n; i++) {
            h ^= (unsigned char)buf[i];
            h *= 1099511628211u;
        }
    }
    close(fd);
    stamp->exists = true;
    stamp->size = (int64_t)st.st_size;
    stamp->mtime_ns = mtime_ns(&st);
    stamp->hash = h;
    return HISS_OK;
}

HissError fileio_stamp_check(const char *path, FileioStamp *known,
                             bool *changed)
{
    *changed = false;
    struct stat st;
    if (stat(path, &st) < 0) {
        if (errno != ENOENT)
            return HISS_ERR_IO;
        *changed = known->exists;
        return HISS_OK;
    }
    if (known->exists && (int64_t)st.st_size == known->size &&
        mtime_ns(&st) == known->mtime_ns)
        return HISS_OK;
    FileioStamp now;
    HissError err = fileio_stamp(path, &now);
    if (err)
        return err;
    if (known->exists && now.exists && now.size == known->size &&
        now.hash == known->hash) {
        known->mtime_ns = now.mtime_ns;
        return HISS_OK;
    }
    *changed = true;
    return HISS_OK;
}
