/* A small test harness: TEST functions, CHECK assertions, and a closing
 * "N passed, N failed" line that tests/run.sh adds up. */
#ifndef HISS_TEST_H
#define HISS_TEST_H

#include <math.h>
#include <stdio.h>
#include <string.h>

extern int test_failures_in_current;
extern int test_passed, test_failed;

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "  %s:%d: CHECK failed: %s\n", __FILE__,         \
                    __LINE__, #cond);                                        \
            test_failures_in_current++;                                      \
        }                                                                    \
    } while (0)

#define CHECK_MSG(cond, ...)                                                 \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "  %s:%d: CHECK failed: %s: ", __FILE__,         \
                    __LINE__, #cond);                                        \
            fprintf(stderr, __VA_ARGS__);                                    \
            fputc('\n', stderr);                                             \
            test_failures_in_current++;                                      \
        }                                                                    \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                \
    CHECK_MSG(fabs((double)(a) - (double)(b)) <= (tol), "%g vs %g (tol %g)", \
              (double)(a), (double)(b), (double)(tol))

#define CHECK_STR(a, b)                                                      \
    CHECK_MSG(strcmp((a), (b)) == 0, "\"%s\" vs \"%s\"", (a), (b))

void test_run(const char *name, void (*fn)(void));
int test_finish(void); /* prints the closing line; returns the exit status */

#define RUN(fn) test_run(#fn, fn)

#endif
