/* The TSan stage can fail: this binary runs itself twice, once with two
 * threads incrementing a plain int (a data race) and once with the same
 * increments on an atomic. Run by `make tsan` with the stage's own
 * TSAN_OPTIONS, the racy child must end with the stage's exit code 66 and
 * a ThreadSanitizer data race report naming the racing function, and the
 * atomic child must end cleanly with no report. So a TSan stage that
 * stopped seeing races (a build without -fsanitize=thread, options that
 * no longer fail the run) fails here. Built only by `make tsan`. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"

enum { INCREMENTS = 100000 };

static int racy_counter;
static _Atomic int atomic_counter;

static void *racing_writer(void *arg)
{
    (void)arg;
    for (int i = 0; i < INCREMENTS; i++)
        racy_counter++;
    return NULL;
}

static void *atomic_writer(void *arg)
{
    (void)arg;
    for (int i = 0; i < INCREMENTS; i++)
        atomic_fetch_add(&atomic_counter, 1);
    return NULL;
}

static int child(void *(*fn)(void *))
{
    pthread_t a, b;
    if (pthread_create(&a, NULL, fn, NULL) || pthread_create(&b, NULL, fn, NULL))
        return 3;
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    printf("counters %d %d\n", racy_counter, atomic_load(&atomic_counter));
    return 0;
}

static const char *self;

/* Runs `self MODE`, its stderr into report (size bytes); returns the exit
 * status, or -1 when it did not exit normally. */
static int run_child(const char *mode, char *report, size_t size)
{
    char path[] = "/tmp/hiss_tsan_race.XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    unlink(path);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd, 2);
        execl(self, self, mode, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    ssize_t got = pread(fd, report, size - 1, 0);
    report[got > 0 ? got : 0] = '\0';
    close(fd);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static char report[1 << 16];

static void tsan_reports_a_deliberate_race(void)
{
    int rc = run_child("--race", report, sizeof report);
    CHECK_MSG(rc == 66, "racy child exit %d, want 66 (TSAN_OPTIONS exitcode=66)", rc);
    CHECK(strstr(report, "WARNING: ThreadSanitizer: data race") != NULL);
    CHECK(strstr(report, "racing_writer") != NULL);
    if (test_failures_in_current)
        fprintf(stderr, "  child's stderr:\n%s\n", report);
}

static void tsan_is_quiet_without_one(void)
{
    int rc = run_child("--atomic", report, sizeof report);
    CHECK_MSG(rc == 0, "atomic child exit %d", rc);
    CHECK(strstr(report, "ThreadSanitizer") == NULL);
    if (test_failures_in_current)
        fprintf(stderr, "  child's stderr:\n%s\n", report);
}

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "--race"))
        return child(racing_writer);
    if (argc == 2 && !strcmp(argv[1], "--atomic"))
        return child(atomic_writer);
    self = argv[0];
    RUN(tsan_reports_a_deliberate_race);
    RUN(tsan_is_quiet_without_one);
    return test_finish();
}
