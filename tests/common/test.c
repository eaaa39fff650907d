#include "test.h"

int test_failures_in_current;
int test_passed, test_failed;

void test_run(const char *name, void (*fn)(void))
{
    test_failures_in_current = 0;
    fn();
    if (test_failures_in_current) {
        test_failed++;
        fprintf(stderr, "FAIL %s\n", name);
    } else {
        test_passed++;
        printf("ok   %s\n", name);
    }
    fflush(stdout);
}

int test_finish(void)
{
    printf("%d passed, %d failed\n", test_passed, test_failed);
    return test_failed ? 1 : 0;
}
