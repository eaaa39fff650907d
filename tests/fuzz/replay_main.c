/* Replays a fuzz target's saved inputs without libFuzzer, so `make test`
 * (gcc, no sanitizers unless SAN=1) checks every past crasher and seed.
 * Built once per tests/fuzz/fuzz_<target>.c with -DFUZZ_TARGET="<target>";
 * runs every file in tests/fuzz/regress/<target>/ and corpus/<target>/,
 * each in its own child process so one crash names its file and the rest
 * still run. */
#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef FUZZ_TARGET
#error "build with -DFUZZ_TARGET=\"name\""
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int passed, failed;

static int run_one(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return 0;
    }
    size_t cap = 4096, len = 0;
    uint8_t *data = malloc(cap);
    size_t n;
    while (data && (n = fread(data + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            cap *= 2;
            uint8_t *grown = realloc(data, cap);
            if (!grown)
                free(data);
            data = grown;
        }
    }
    fclose(f);
    if (!data)
        return 0;
    /* An exact-size copy, so a sanitizer build sees reads past the end. */
    uint8_t *exact = malloc(len ? len : 1);
    memcpy(exact, data, len);
    free(data);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    return 1;
}

static void run_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
            continue;
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0)
            _exit(run_one(path) ? 0 : 3);
        int status = 0;
        waitpid(pid, &status, 0);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
            passed++;
        } else {
            failed++;
            if (WIFSIGNALED(status))
                printf("FAIL %s (signal %d)\n", path, WTERMSIG(status));
            else
                printf("FAIL %s (exit %d)\n", path, WEXITSTATUS(status));
        }
    }
    closedir(d);
}

int main(int argc, char **argv)
{
    const char *root = getenv("HISS_FUZZ_DIR");
    if (!root)
        root = "tests/fuzz";
    char dir[512];
    snprintf(dir, sizeof dir, "%s/regress/%s", root, FUZZ_TARGET);
    run_dir(dir);
    snprintf(dir, sizeof dir, "%s/corpus/%s", root, FUZZ_TARGET);
    run_dir(dir);
    for (int i = 1; i < argc; i++) {
        fflush(stdout);
        if (run_one(argv[i]))
            passed++;
        else
            failed++;
    }
    printf("fuzz target %s: replayed %d saved inputs\n", FUZZ_TARGET,
           passed + failed);
    if (passed + failed == 0) {
        printf("no saved inputs found under %s\n", root);
        failed++;
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
