/* bench_tty: what the editor costs a terminal. Runs hiss in a pseudo-
 * terminal (80x24, TERM=xterm-256color, null audio) and counts the bytes it
 * writes: per second while the demo plays in follow mode, for one cursor
 * move, per second on the instruments screen while the demo plays and
 * while a shaping value is nudged four times a second as it plays, per
 * second while a sample previews under the waveform, and the time from
 * start to the first full screen. Prints figures; asserts nothing about
 * speed. Targets: <= 2000 B/s playing, editing or previewing, < 40 B per
 * move, < 50 ms to the first screen. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base.h"

static bool contains(const char *hay, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (!memcmp(hay + i, needle, n))
            return true;
    return false;
}

/* Reads what hiss writes for `seconds`; returns the byte count. When
 * `until` is given, stops as soon as the output so far contains it and
 * stores the time it took in *took. */
static long drain(int fd, double seconds, const char *until, double *took,
                  char *keep, size_t keep_size)
{
    double start = hiss_now_seconds(), end = start + seconds;
    long total = 0;
    size_t kept = 0;
    if (keep_size)
        keep[0] = 0;
    for (;;) {
        double left = end - hiss_now_seconds();
        if (left <= 0)
            break;
        struct pollfd p = {fd, POLLIN, 0};
        int r = poll(&p, 1, (int)(left * 1000) + 1);
        if (r <= 0)
            continue;
        char buf[4096];
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0)
            break;
        total += n;
        if (keep_size) {
            size_t room = keep_size - 1 - kept;
            size_t take = (size_t)n < room ? (size_t)n : room;
            memcpy(keep + kept, buf, take);
            kept += take;
            keep[kept] = 0;
            /* `until` holds alternatives separated by '|'. */
            bool hit = false;
            for (const char *u = until; u && *u && !hit;) {
                const char *bar = strchr(u, '|');
                size_t ulen = bar ? (size_t)(bar - u) : strlen(u);
                char one[64];
                if (ulen >= sizeof one)
                    ulen = sizeof one - 1;
                memcpy(one, u, ulen);
                one[ulen] = 0;
                hit = contains(keep, kept, one);
                u = bar ? bar + 1 : NULL;
            }
            if (hit) {
                if (took)
                    *took = hiss_now_seconds() - start;
                return total;
            }
        }
    }
    if (took)
        *took = -1;
    return total;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void send_keys(int fd, const char *keys)
{
    size_t len = strlen(keys);
    while (len) {
        ssize_t n = write(fd, keys, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        keys += n;
        len -= (size_t)n;
    }
}

int main(void)
{
    const char *hiss = getenv("HISS");
    if (!hiss)
        hiss = "build/hiss";
    const char *song = "patterns/demo.hiss";
    if (access(hiss, X_OK) != 0 || access(song, R_OK) != 0) {
        printf("bench_tty: needs %s and %s (run from the source tree)\n", hiss,
               song);
        return 1;
    }
    /* The edits below leave the song changed: any recovery file goes to
     * a directory of this run's own, removed at the end. */
    char state[] = "/tmp/hiss-bench-tty-XXXXXX";
    if (!mkdtemp(state)) {
        perror("bench_tty: mkdtemp");
        return 1;
    }
    struct winsize ws = {24, 80, 0, 0};
    int fd;
    double t0 = hiss_now_seconds();
    pid_t pid = forkpty(&fd, NULL, NULL, &ws);
    if (pid < 0) {
        perror("bench_tty: forkpty");
        return 1;
    }
    if (pid == 0) {
        setenv("TERM", "xterm-256color", 1);
        setenv("HISS_AUDIO", "null", 1);
        setenv("LANG", "C.UTF-8", 1);
        unsetenv("NO_COLOR");
        unsetenv("LC_ALL");
        /* No user key table: the defaults are what we measure. */
        setenv("XDG_CONFIG_HOME", "/nonexistent", 1);
        setenv("XDG_STATE_HOME", state, 1);
        execl(hiss, hiss, song, (char *)NULL);
        _exit(127);
    }
    static char screen[1 << 20];
    double first = -1;
    /* The status line is the last thing the first frame draws: the key
     * hint, or the progress of the samples still loading. */
    long startup_bytes = drain(fd, 5.0, "quit|loading samples", &first, screen,
                               sizeof screen);
    double startup_ms = first >= 0 ? (hiss_now_seconds() - t0) * 1000.0 : -1;
    (void)first;
    /* Let the samples finish loading before measuring anything else. */
    drain(fd, 3.0, NULL, NULL, NULL, 0);

    /* The first key also clears the start-up message and redraws the
     * status line: counted apart, so the moves below are the moves. */
    send_keys(fd, "\033OB");
    long first_key_bytes = drain(fd, 0.25, NULL, NULL, NULL, 0);
    /* Cursor moves: Down in application keypad mode, one at a time. */
    enum { MOVES = 12 };
    long move_total = 0, move_max = 0;
    for (int i = 0; i < MOVES; i++) {
        send_keys(fd, i % 4 == 3 ? "\033OA" : "\033OB");
        long n = drain(fd, 0.25, NULL, NULL, NULL, 0);
        move_total += n;
        if (n > move_max)
            move_max = n;
    }
    send_keys(fd, "\033OC"); /* one Right: a field, not a row */
    long right_bytes = drain(fd, 0.25, NULL, NULL, NULL, 0);

    /* Playback in follow mode (on by default). */
    send_keys(fd, " ");
    drain(fd, 0.5, NULL, NULL, NULL, 0);
    const double seconds = 8.0;
    long play_bytes = drain(fd, seconds, NULL, NULL, NULL, 0);
    send_keys(fd, " ");
    drain(fd, 1.5, NULL, NULL, NULL, 0); /* the meter falls back to rest */

    /* Idle: nothing should be sent while nothing changes. */
    long idle_bytes = drain(fd, 2.0, NULL, NULL, NULL, 0);

    /* The instruments screen, the focus on the slot's attack (the tenth
     * field after its name), while the demo plays; then Right and Left in
     * turn, four a second, as someone tuning a sound while it plays. */
    send_keys(fd, "\024\t"); /* Ctrl-T, then Tab to the fields */
    drain(fd, 0.5, NULL, NULL, NULL, 0);
    for (int i = 0; i < 10; i++) {
        send_keys(fd, "\033OB");
        drain(fd, 0.05, NULL, NULL, NULL, 0);
    }
    send_keys(fd, " ");
    drain(fd, 0.5, NULL, NULL, NULL, 0);
    long inst_play_bytes = drain(fd, seconds / 2, NULL, NULL, NULL, 0);
    enum { EDITS = 16 };
    long edit_bytes = 0;
    for (int i = 0; i < EDITS; i++) {
        send_keys(fd, i % 2 ? "\033OD" : "\033OC");
        edit_bytes += drain(fd, 0.25, NULL, NULL, NULL, 0);
    }
    send_keys(fd, " ");
    drain(fd, 1.0, NULL, NULL, NULL, 0);

    /* The waveform while a sample previews: the break (slot 0D) played
     * from its start over and over (Tab back to the slot list first). */
    send_keys(fd, "\t");
    for (int i = 0; i < 12; i++)
        send_keys(fd, "\033OB");
    drain(fd, 0.5, NULL, NULL, NULL, 0);
    enum { PREVIEWS = 4 };
    const double preview_seconds = 1.3; /* the break lasts 1.35 s */
    long wave_bytes = 0;
    for (int i = 0; i < PREVIEWS; i++) {
        send_keys(fd, "O");
        wave_bytes += drain(fd, preview_seconds, NULL, NULL, NULL, 0);
    }

    send_keys(fd, "\021"); /* Ctrl-Q; the edits changed the song: (n)o save */
    drain(fd, 0.5, NULL, NULL, NULL, 0);
    send_keys(fd, "n");
    drain(fd, 1.0, NULL, NULL, NULL, 0);
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == 0) {
        kill(pid, SIGTERM);
        waitpid(pid, &status, 0);
    }
    close(fd);

    printf("bench_tty: first screen  %7.1f ms  (%ld bytes)   target < 50 ms\n",
           startup_ms, startup_bytes);
    printf("bench_tty: cursor move   %7.1f B/move (max %ld)  target < 40 B\n",
           (double)move_total / MOVES, move_max);
    printf("bench_tty: first key     %7ld B (the move and the start-up message cleared)\n",
           first_key_bytes);
    printf("bench_tty: field move    %7ld B\n", right_bytes);
    printf("bench_tty: playing demo  %7.0f B/s (follow mode, %.0f s)  target <= 2000 B/s\n",
           (double)play_bytes / seconds, seconds);
    printf("bench_tty: idle          %7.0f B/s\n", (double)idle_bytes / 2.0);
    printf("bench_tty: instruments   %7.0f B/s playing, %.0f B/s nudging a value "
           "4 times a second  target <= 2000 B/s\n",
           (double)inst_play_bytes / (seconds / 2), (double)edit_bytes / (EDITS * 0.25));
    printf("bench_tty: waveform preview %4.0f B/s (the break's playhead)  target <= 2000 B/s\n",
           (double)wave_bytes / (PREVIEWS * preview_seconds));
    if (nftw(state, remove_entry, 8, FTW_DEPTH | FTW_PHYS) != 0)
        printf("bench_tty: could not remove %s\n", state);
    return 0;
}
