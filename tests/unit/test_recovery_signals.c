/* signals: the handler only flags and wakes; the process decides. Checked
 * in forked children where a signal could end the process. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "signals.h"
#include "test.h"

static void caught_signal_is_pending_and_wakes_the_pipe(void)
{
    CHECK(signals_install(NULL) == HISS_OK);
    CHECK(signals_pending() == 0);
    CHECK(signals_fd() >= 0);
    struct pollfd p = {signals_fd(), POLLIN, 0};
    CHECK(poll(&p, 1, 0) == 0);
    raise(SIGHUP);
    CHECK(signals_pending() == SIGHUP);
    CHECK(poll(&p, 1, 0) == 1 && (p.revents & POLLIN));
    /* A later signal does not hide which one came first. */
    raise(SIGTERM);
    CHECK(signals_pending() == SIGHUP);
    signals_drain();
    p.revents = 0;
    CHECK(poll(&p, 1, 0) == 0);
    CHECK(signals_pending() == SIGHUP);
    signals_clear();
    CHECK(signals_pending() == 0);
    raise(SIGINT);
    CHECK(signals_pending() == SIGINT);
    signals_clear();
    signals_uninstall();
    CHECK(signals_fd() == -1);
}

static int child_status(pid_t pid)
{
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return st;
}

static void third_request_ends_the_process(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        signals_install(NULL);
        raise(SIGTERM);
        raise(SIGTERM);
        if (signals_pending() != SIGTERM)
            _exit(3);
        raise(SIGTERM);
        _exit(4); /* not reached when the third request works */
    }
    int st = child_status(pid);
    CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 128 + SIGTERM,
              "status %#x", st);
}

/* A UI blocked reading the terminal must wake up at once, not on the next
 * key: the handler is installed without SA_RESTART. */
static void blocking_read_is_interrupted(void)
{
    int fds[2], ready[2];
    CHECK(pipe(fds) == 0 && pipe(ready) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[1]);
        close(ready[0]);
        signals_install(NULL);
        ssize_t w = write(ready[1], "r", 1);
        (void)w;
        char c;
        ssize_t n = read(fds[0], &c, 1); /* nobody ever writes */
        _exit(n < 0 && errno == EINTR && signals_pending() == SIGHUP ? 0 : 5);
    }
    close(fds[0]);
    close(ready[1]);
    char c;
    CHECK(read(ready[0], &c, 1) == 1); /* the handler is in place */
    /* The first signal may land just before the child blocks in read();
     * the second then interrupts the read. */
    int st = 0;
    for (int i = 0; i < 2; i++) {
        kill(pid, SIGHUP);
        usleep(200000);
        if (waitpid(pid, &st, WNOHANG) == pid)
            break;
        if (i == 1) {
            usleep(500000);
            if (waitpid(pid, &st, WNOHANG) != pid) {
                kill(pid, SIGKILL); /* stuck: fail instead of hanging */
                st = child_status(pid);
            }
        }
    }
    close(fds[1]);
    close(ready[0]);
    CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
}

static void uninstall_restores_default_action(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        signals_install(NULL);
        signals_uninstall();
        raise(SIGTERM);
        _exit(6);
    }
    int st = child_status(pid);
    CHECK_MSG(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "status %#x", st);
}

static void blocked_threads_leave_signals_to_others(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        signals_install(NULL);
        signals_block_here();
        raise(SIGHUP); /* stays pending while blocked */
        if (signals_pending())
            _exit(7);
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGHUP);
        sigprocmask(SIG_UNBLOCK, &set, NULL); /* delivered now */
        _exit(signals_pending() == SIGHUP ? 0 : 8);
    }
    int st = child_status(pid);
    CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
}

static void names_and_status(void)
{
    CHECK_STR(signals_name(SIGHUP), "SIGHUP");
    CHECK_STR(signals_name(SIGTERM), "SIGTERM");
    CHECK_STR(signals_name(SIGINT), "SIGINT");
    CHECK_STR(signals_name(SIGUSR1), signals_name(SIGUSR1)); /* no crash */
    CHECK(signals_exit_status(SIGHUP) == 129);
}

int main(void)
{
    RUN(caught_signal_is_pending_and_wakes_the_pipe);
    RUN(third_request_ends_the_process);
    RUN(blocking_read_is_interrupted);
    RUN(uninstall_restores_default_action);
    RUN(blocked_threads_leave_signals_to_others);
    RUN(names_and_status);
    return test_finish();
}
