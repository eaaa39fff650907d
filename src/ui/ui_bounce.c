/* ui_bounce: see ui_bounce.h. */
#include "ui_bounce.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fileio.h"
#include "timing.h"

enum { BOUNCE_RATE = 48000, BOUNCE_BYTES_PER_FRAME = 2 * 3 /* stereo 24-bit */ };
/* How long another message keeps the status line before the progress
 * takes it back. */
#define BOUNCE_YIELD_SECONDS 2.0

/* One bounce at a time, owned by the UI thread. */
static struct {
    pid_t pid;            /* 0: none running */
    int err_fd;           /* its standard error, read without waiting */
    char dir[PATH_MAX];
    char said[256];       /* its last line of error output */
    size_t said_len;
    char note[256];       /* its last "note: " line, e.g. silent stems */
    uint64_t frames;      /* the song's length, for the progress */
    double shown_at;
} bounce = {.err_fd = -1};

/* A folder name beside the song that does not exist yet. */
static bool free_dir(const char *song, char *out, size_t size)
{
    char base[PATH_MAX];
    snprintf(base, sizeof base, "%s", song);
    char *dot = strrchr(base, '.'), *slash = strrchr(base, '/');
    if (dot && (!slash || dot > slash + 1))
        *dot = 0;
    struct stat st;
    for (int n = 1; n < 1000; n++) {
        int len = n == 1 ? snprintf(out, size, "%s-stems", base)
                         : snprintf(out, size, "%s-stems-%d", base, n);
        if (len < 0 || (size_t)len >= size)
            return false;
        if (lstat(out, &st) != 0 && errno == ENOENT)
            return true;
    }
    return false;
}

/* The render into bounce.dir, in a process of its own. */
static void start_render(UiApp *app)
{
    TimingScan scan;
    bounce.frames = 0;
    if (timing_scan(app->song, BOUNCE_RATE, false, &scan) == HISS_OK) {
        bounce.frames = scan.end_frame;
        timing_deinit(&scan);
    }
    int err_pipe[2];
    if (pipe(err_pipe) != 0) {
        ui_set_message(app, true, "stems: %s", strerror(errno));
        return;
    }
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        dup2(err_pipe[1], STDERR_FILENO);
        close(err_pipe[0]);
        /* Not the editor's terminal signals: a Ctrl-C there is not for it. */
        setpgid(0, 0);
        execl("/proc/self/exe", "hiss", "render", app->path, "--stems", bounce.dir, "--rate",
              "48000", "--bits", "24", "-q",
              (char *)NULL);
        _exit(127);
    }
    close(err_pipe[1]);
    if (pid < 0) {
        close(err_pipe[0]);
        ui_set_message(app, true, "stems: %s", strerror(errno));
        return;
    }
    bounce.pid = pid;
    bounce.err_fd = err_pipe[0];
    fcntl(bounce.err_fd, F_SETFL, O_NONBLOCK);
    bounce.said_len = 0;
    bounce.said[0] = 0;
    bounce.note[0] = 0;
    bounce.shown_at = 0;
    ui_set_message(app, false, "stems: bouncing into %s", bounce.dir);
}

/* The folder the user answered: made here, before the render starts, so
 * that a folder with files in it, a file or a link there is refused with
 * nothing written. */
static void folder_chosen(UiApp *app, const char *text)
{
    if (!text[0]) {
        ui_set_message(app, true, "stems: no folder named; nothing written");
        return;
    }
    if (snprintf(bounce.dir, sizeof bounce.dir, "%s", text) >= (int)sizeof bounce.dir) {
        ui_set_message(app, true, "stems: the folder's name is too long; nothing written");
        return;
    }
    HissDiag diag = {{0}};
    if (fileio_make_empty_dir(bounce.dir, &diag) != HISS_OK) {
        ui_set_message(app, true, "stems: %s; nothing written", diag.text);
        return;
    }
    start_render(app);
}

void ui_bounce_start(UiApp *app)
{
    if (bounce.pid) {
        ui_set_message(app, true, "stems: a bounce is still running (into %s)", bounce.dir);
        return;
    }
    if (!app->path[0] || edit_is_dirty(app->ed)) {
        ui_set_message(app, true, "stems: save the song first (the bounce renders the "
                                  "song as saved)");
        return;
    }
    char suggested[PATH_MAX];
    if (!free_dir(app->path, suggested, sizeof suggested))
        suggested[0] = 0;
    ui_prompt(app, "Stems folder (new or empty)", suggested, folder_chosen);
}

/* Keeps the last line the render said. */
static void read_said(void)
{
    char buf[256];
    ssize_t n;
    while ((n = read(bounce.err_fd, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] == '\n' || buf[i] == '\r') {
                if (bounce.said_len) {
                    bounce.said[bounce.said_len] = 0;
                    if (!strncmp(bounce.said, "note: ", 6)) {
                        size_t len = bounce.said_len - 6; /* said is the longer */
                        memcpy(bounce.note, bounce.said + 6, len);
                        bounce.note[len] = 0;
                    }
                }
                bounce.said_len = 0;
                continue;
            }
            if (bounce.said_len + 1 < sizeof bounce.said)
                bounce.said[bounce.said_len++] = buf[i];
        }
    }
}

/* The files in the folder and their bytes so far. */
static int dir_bytes(uint64_t *bytes)
{
    *bytes = 0;
    DIR *d = opendir(bounce.dir);
    if (!d)
        return 0;
    int files = 0;
    struct dirent *ent;
    while ((ent = readdir(d))) {
        if (ent->d_name[0] == '.' && (!ent->d_name[1] || ent->d_name[1] == '.'))
            continue;
        char path[PATH_MAX + 256];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", bounce.dir, ent->d_name);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            files++;
            *bytes += (uint64_t)st.st_size;
        }
    }
    closedir(d);
    return files;
}

void ui_bounce_poll(UiApp *app)
{
    if (!bounce.pid)
        return;
    read_said();
    int status = 0;
    pid_t done = waitpid(bounce.pid, &status, WNOHANG);
    uint64_t bytes;
    int files = dir_bytes(&bytes);
    if (done == 0) {
        double now = hiss_now_seconds();
        /* Another message (a save, an undo) keeps the line a while
         * before the progress takes it back: it must be readable. */
        bool other_news = strncmp(app->message, "stems: bouncing", 15) != 0 &&
                          now - app->message_at < BOUNCE_YIELD_SECONDS;
        if (now - bounce.shown_at >= 0.5 && !other_news && files && bounce.frames) {
            bounce.shown_at = now;
            uint64_t each = bytes / (uint64_t)files / BOUNCE_BYTES_PER_FRAME;
            int percent = (int)(each * 100 / bounce.frames);
            ui_set_message(app, false, "stems: bouncing into %s, %d%%", bounce.dir,
                           percent > 99 ? 99 : percent);
        }
        return;
    }
    close(bounce.err_fd);
    bounce.err_fd = -1;
    bounce.pid = 0;
    /* A stem left silent by a mute is what a user sends away unheard:
     * the render's note about it is shown, as a warning. */
    if (done > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 && bounce.note[0])
        ui_set_message(app, true, "stems: %d files written into %s; %s", files, bounce.dir,
                       bounce.note);
    else if (done > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
        ui_set_message(app, false, "stems: %d files written into %s", files, bounce.dir);
    else
        ui_set_message(app, true, "stems: the bounce failed: %s",
                       bounce.said[0] ? bounce.said : "the render stopped");
}
