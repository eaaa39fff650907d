#include "signals.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const int HANDLED[] = {SIGHUP, SIGTERM, SIGINT};

static volatile sig_atomic_t pending_signal;
static volatile sig_atomic_t request_count;
static int pipe_fds[2] = {-1, -1};
static struct sigaction previous[HISS_ARRAY_LEN(HANDLED)];
static int installed;

/* Async-signal-safe only: sig_atomic_t stores, write(), _exit(). errno is
 * saved because the interrupted code may be between a call and its errno
 * check. */
static void on_signal(int sig)
{
    int saved_errno = errno;
    if (!pending_signal)
        pending_signal = sig;
    if (++request_count >= 3)
        _exit(128 + sig);
    if (pipe_fds[1] >= 0) {
        char byte = (char)sig;
        ssize_t n = write(pipe_fds[1], &byte, 1);
        (void)n; /* a full pipe already wakes the reader */
    }
    errno = saved_errno;
}

static int set_flags(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return -1;
    int fdfl = fcntl(fd, F_GETFD);
    if (fdfl < 0 || fcntl(fd, F_SETFD, fdfl | FD_CLOEXEC) < 0)
        return -1;
    return 0;
}

HissError signals_install(HissDiag *diag)
{
    if (installed)
        return HISS_OK;
    if (pipe(pipe_fds) < 0) {
        hiss_diag_set(diag, "signals", 0, 0, "cannot create a pipe: %s",
                      strerror(errno));
        pipe_fds[0] = pipe_fds[1] = -1;
        return HISS_ERR_IO;
    }
    if (set_flags(pipe_fds[0]) < 0 || set_flags(pipe_fds[1]) < 0) {
        hiss_diag_set(diag, "signals", 0, 0, "cannot set up the pipe: %s",
                      strerror(errno));
        close(pipe_fds[0]);
        close(pipe_fds[1]);
        pipe_fds[0] = pipe_fds[1] = -1;
        return HISS_ERR_IO;
    }
    pending_signal = 0;
    request_count = 0;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < HISS_ARRAY_LEN(HANDLED); i++)
        sigaddset(&sa.sa_mask, HANDLED[i]);
    /* No SA_RESTART: a blocking read of the terminal returns EINTR, so a
     * UI waiting for a key wakes up at once even without poll(). */
    sa.sa_flags = 0;
    for (size_t i = 0; i < HISS_ARRAY_LEN(HANDLED); i++)
        sigaction(HANDLED[i], &sa, &previous[i]);
    /* Writing to a dropped connection must report EPIPE/EIO, not kill us
     * before the recovery file is written. */
    signal(SIGPIPE, SIG_IGN);
    installed = 1;
    return HISS_OK;
}

void signals_uninstall(void)
{
    if (!installed)
        return;
    for (size_t i = 0; i < HISS_ARRAY_LEN(HANDLED); i++)
        sigaction(HANDLED[i], &previous[i], NULL);
    int r = pipe_fds[0], w = pipe_fds[1];
    pipe_fds[0] = pipe_fds[1] = -1;
    close(r);
    close(w);
    installed = 0;
}

int signals_pending(void)
{
    return pending_signal;
}

int signals_fd(void)
{
    return pipe_fds[0];
}

void signals_drain(void)
{
    if (pipe_fds[0] < 0)
        return;
    char buf[64];
    while (read(pipe_fds[0], buf, sizeof buf) > 0)
        ;
}

void signals_clear(void)
{
    signals_drain();
    pending_signal = 0;
    request_count = 0;
}

void signals_block_here(void)
{
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < HISS_ARRAY_LEN(HANDLED); i++)
        sigaddset(&set, HANDLED[i]);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
}

int signals_exit_status(int sig)
{
    return 128 + sig;
}

const char *signals_name(int sig)
{
    switch (sig) {
    case SIGHUP: return "SIGHUP";
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    }
    static _Thread_local char buf[24];
    snprintf(buf, sizeof buf, "signal %d", sig);
    return buf;
}
