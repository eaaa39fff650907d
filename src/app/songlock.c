/* Open-file-description locks belong to the open file, not the process:
 * they need _GNU_SOURCE, and conflict even within one process, which is
 * what makes them testable in one test binary. */
#define _GNU_SOURCE
#include "songlock.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef F_OFD_SETLK
#define F_OFD_SETLK F_SETLK
#define F_OFD_GETLK F_GETLK
#endif

void songlock_init(SongLock *lock)
{
    lock->fd = -1;
    lock->path[0] = 0;
}

static bool fits(int n, size_t cap)
{
    return n >= 0 && (size_t)n < cap;
}

HissError songlock_path_for(const char *song_path, char *out, size_t cap)
{
    if (!song_path || !*song_path)
        return HISS_ERR_RANGE;
    char resolved[PATH_MAX];
    const char *target = song_path;
    struct stat st;
    if (lstat(song_path, &st) == 0 && S_ISLNK(st.st_mode) &&
        realpath(song_path, resolved))
        target = resolved;
    const char *slash = strrchr(target, '/');
    const char *base = slash ? slash + 1 : target;
    if (!*base)
        return HISS_ERR_RANGE;
    int n = !slash ? snprintf(out, cap, ".%s.lock", base)
                   : snprintf(out, cap, "%.*s/.%s.lock",
                              (int)(slash - target), target, base);
    return fits(n, cap) ? HISS_OK : HISS_ERR_RANGE;
}

/* "pid host" from the lock file; false when it says nothing usable. */
static bool read_owner(int fd, SongLockOwner *owner)
{
    char buf[SONGLOCK_HOST_MAX + 32];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    if (n <= 0)
        return false;
    buf[n] = 0;
    SongLockOwner o = {0};
    char *end;
    o.pid = strtol(buf, &end, 10);
    if (end == buf || o.pid <= 0 || *end != ' ')
        return false;
    size_t i = 0;
    for (const char *p = end + 1; *p && *p != '\n' && i + 1 < sizeof o.host;
         p++)
        o.host[i++] = *p;
    o.host[i] = 0;
    if (owner)
        *owner = o;
    return true;
}

static void lock_region(struct flock *fl, short type)
{
    memset(fl, 0, sizeof *fl);
    fl->l_type = type;
    fl->l_whence = SEEK_SET;
}

HissError songlock_acquire(SongLock *lock, const char *song_path, char *msg,
                           size_t msg_cap)
{
    if (msg_cap)
        msg[0] = 0;
    songlock_release(lock);
    char path[SONGLOCK_PATH_MAX];
    if (songlock_path_for(song_path, path, sizeof path)) {
        snprintf(msg, msg_cap, "not locked: the path is too long");
        return HISS_ERR_RANGE;
    }
    /* Another editor may remove the file between our open and our lock:
     * the lock only counts when the file locked is still the one there. */
    for (int attempt = 0; attempt < 5; attempt++) {
        int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0) {
            int e = errno;
            snprintf(msg, msg_cap, "not locked (%s: %s)", path,
                     e == ELOOP ? "a symbolic link hiss did not make"
                                : strerror(e));
            /* Where no one may write, no one can save over the song. */
            return e == EACCES || e == EROFS || e == EPERM
                       ? HISS_ERR_UNSUPPORTED
                       : HISS_ERR_IO;
        }
        struct stat fst, pst;
        if (fstat(fd, &fst) < 0 || !S_ISREG(fst.st_mode)) {
            close(fd);
            snprintf(msg, msg_cap, "not locked (%s is not a regular file)",
                     path);
            return HISS_ERR_IO;
        }
        struct flock fl;
        lock_region(&fl, F_WRLCK);
        if (fcntl(fd, F_OFD_SETLK, &fl) < 0) {
            int e = errno;
            SongLockOwner o;
            bool known = read_owner(fd, &o);
            close(fd);
            if (e == EAGAIN || e == EACCES) {
                if (known)
                    snprintf(msg, msg_cap,
                             "open in another hiss (pid %ld on %s)", o.pid,
                             o.host);
                else
                    snprintf(msg, msg_cap, "open in another hiss");
                return HISS_ERR_BUSY;
            }
            snprintf(msg, msg_cap, "not locked (%s)", strerror(e));
            return HISS_ERR_IO;
        }
        if (lstat(path, &pst) < 0 || pst.st_ino != fst.st_ino ||
            pst.st_dev != fst.st_dev) {
            close(fd);
            continue;
        }
        /* A lock file that is there but not locked was left by a hiss that
         * died: its lock went with it. */
        SongLockOwner old;
        if (read_owner(fd, &old))
            snprintf(msg, msg_cap,
                     "took over the lock of a hiss that is gone (pid %ld on "
                     "%s)", old.pid, old.host);
        char host[SONGLOCK_HOST_MAX] = "";
        if (gethostname(host, sizeof host - 1) < 0)
            snprintf(host, sizeof host, "?");
        char line[SONGLOCK_HOST_MAX + 32];
        int n = snprintf(line, sizeof line, "%ld %s\n", (long)getpid(), host);
        if (ftruncate(fd, 0) < 0 || pwrite(fd, line, (size_t)n, 0) != n) {
            /* Held all the same; only the message of a second editor is
             * poorer. */
        }
        lock->fd = fd;
        snprintf(lock->path, sizeof lock->path, "%s", path);
        return HISS_OK;
    }
    snprintf(msg, msg_cap, "not locked (the lock file keeps changing)");
    return HISS_ERR_IO;
}

void songlock_release(SongLock *lock)
{
    if (lock->fd < 0)
        return;
    /* Removed while still held, so nobody locks a file that is about to
     * disappear; only if it is still ours. */
    struct stat fst, pst;
    if (fstat(lock->fd, &fst) == 0 && lstat(lock->path, &pst) == 0 &&
        fst.st_ino == pst.st_ino && fst.st_dev == pst.st_dev)
        unlink(lock->path);
    close(lock->fd);
    lock->fd = -1;
    lock->path[0] = 0;
}

bool songlock_busy(const char *song_path, SongLockOwner *owner)
{
    char path[SONGLOCK_PATH_MAX];
    if (songlock_path_for(song_path, path, sizeof path))
        return false;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return false;
    struct flock fl;
    lock_region(&fl, F_WRLCK);
    bool busy = fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
    if (busy && owner && !read_owner(fd, owner))
        memset(owner, 0, sizeof *owner);
    close(fd);
    return busy;
}
