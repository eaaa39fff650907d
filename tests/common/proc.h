/* proc: child processes for benchmarks that time whole commands. */
#ifndef HISS_TEST_PROC_H
#define HISS_TEST_PROC_H

#include <stdbool.h>
#include <sys/types.h>

/* Waits for child pid; true when it exited with status 0, and then *cpu
 * gets its CPU seconds (user + system). */
bool test_reap(pid_t pid, double *cpu);

#endif
