#include "fileio.h"

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

HissError fileio_read_all(const char *path, size_t max_bytes, char **data,
                          size_t *len, HissDiag *diag)
{
    *data = NULL;
    *len = 0;
    int fd;
    do
        fd = open(path, O_RDONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        int e = errno;
        hiss_diag_set(diag, path, 0, 0, "cannot read: %s", strerror(e));
        return e == ENOENT ? HISS_ERR_MISSING : HISS_ERR_IO;
    }
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

/* Splits path into its directory ("." when none) and its last component. */
static void split_path(const char *path, char *dir, size_t dir_size,
                       const char **base)
{
    const char *slash = strrchr(path, '/');
    if (!slash) {
        snprintf(dir, dir_size, ".");
        *base = path;
    } else if (slash == path) {
        snprintf(dir, dir_size, "/");
        *base = slash + 1;
    } else {
        snprintf(dir, dir_size, "%.*s", (int)(slash - path), path);
        *base = slash + 1;
    }
}

/* Like mkstemp, but the file is created with mode 0666 minus the umask, as
 * any new file would be, instead of mkstemp's fixed 0600. */
static int create_temp(const char *dir, const char *base, char *tmp,
                       size_t tmp_size)
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
        int n = snprintf(tmp, tmp_size, "%s/.%s.%s.tmp", dir, base, suffix);
        if (n < 0 || (size_t)n >= tmp_size) {
            errno = ENAMETOOLONG;
            return -1;
        }
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    errno = EEXIST;
    return -1;
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

static void backup_name(const char *path, int n, char *out, size_t size)
{
    if (n == 1)
        snprintf(out, size, "%s~", path);
    else
        snprintf(out, size, "%s~%d~", path, n);
}

/* path~ is the newest previous version; older ones move up one number and
 * the oldest beyond `backups` is overwritten. The current file is linked
 * (not moved) to path~ so that `path` exists at every moment. Returns 1
 * when the file had to be moved instead, 0 when linked, -1 on failure. */
static int rotate_backups(const char *path, int backups)
{
    char from[PATH_MAX + 16], to[PATH_MAX + 16];
    for (int n = backups; n >= 2; n--) {
        backup_name(path, n - 1, from, sizeof from);
        backup_name(path, n, to, sizeof to);
        if (rename(from, to) < 0 && errno != ENOENT)
            return -1;
    }
    backup_name(path, 1, to, sizeof to);
    if (unlink(to) < 0 && errno != ENOENT)
        return -1;
    if (link(path, to) == 0)
        return 0;
    /* Filesystems without hard links: a copy would need its own error
     * handling, a rename leaves `path` missing only until the rename of the
     * new file right after. */
    return rename(path, to) == 0 ? 1 : -1;
}

HissError fileio_write_atomic(const char *path, const void *data, size_t len,
                              int backups, HissDiag *diag)
{
    /* Saving through a symlink replaces the file it points to, not the
     * link itself. */
    char resolved[PATH_MAX];
    const char *target = path;
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) &&
        realpath(path, resolved))
        target = resolved;

    bool exists = stat(target, &st) == 0;
    if (exists && S_ISDIR(st.st_mode)) {
        hiss_diag_set(diag, path, 0, 0, "cannot save: %s", strerror(EISDIR));
        return HISS_ERR_IO;
    }
    if (strlen(target) >= PATH_MAX - 32) {
        hiss_diag_set(diag, path, 0, 0, "cannot save: %s",
                      strerror(ENAMETOOLONG));
        return HISS_ERR_IO;
    }

    char dir[PATH_MAX];
    const char *base;
    split_path(target, dir, sizeof dir, &base);
    char tmp[PATH_MAX + 32];
    int fd = create_temp(dir, base, tmp, sizeof tmp);
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
        moved = rotate_backups(target, backups);
        if (moved < 0) {
            err = errno;
            step = "cannot keep a backup";
        }
    }
    if (!err && rename(tmp, target) < 0) {
        err = errno;
        if (moved == 1) {
            char bak[PATH_MAX + 16];
            backup_name(target, 1, bak, sizeof bak);
            rename(bak, target);
        }
    }
    if (err) {
        unlink(tmp);
        hiss_diag_set(diag, path, 0, 0, "%s: %s", step, strerror(err));
        return HISS_ERR_IO;
    }

    /* The rename is durable only once the directory entry is on disk.
     * Some filesystems cannot fsync a directory (EINVAL); the data itself
     * is already synced there, so that is not a failure. */
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        int r = fsync(dfd);
        int e = errno;
        close(dfd);
        if (r < 0 && e != EINVAL && e != EROFS) {
            hiss_diag_set(diag, path, 0, 0,
                          "saved, but syncing the directory failed: %s",
                          strerror(e));
            return HISS_ERR_IO;
        }
    }
    return HISS_OK;
}
