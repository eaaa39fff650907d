/* fileio: reads with limits, atomic writes, backups, and failures that must
 * leave the old file byte-identical. Failures are provoked in ways that also
 * work as root: a file-size limit, a missing directory, a parent that is a
 * regular file, a target that is a directory. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fileio.h"
#include "common/files.h"
#include "test.h"

static char tmpdir[256];

/* A fresh empty directory for one test. */
static void fresh_dir(char *out, size_t size, const char *name)
{
    snprintf(out, size, "%s/%s", tmpdir, name);
    test_remove_tree(out);
    if (mkdir(out, 0755) < 0) {
        perror(out);
        exit(1);
    }
}

/* The file's contents, or NULL if it cannot be read. Caller frees. */
static char *slurp(const char *path)
{
    char *data;
    size_t len;
    HissDiag diag;
    if (fileio_read_all(path, 1 << 24, &data, &len, &diag) != HISS_OK)
        return NULL;
    return data;
}

static int file_equals(const char *path, const char *expected)
{
    char *got = slurp(path);
    int ok = got && !strcmp(got, expected);
    free(got);
    return ok;
}

static void test_round_trip(void)
{
    char dir[300], path[400];
    fresh_dir(dir, sizeof dir, "roundtrip");
    snprintf(path, sizeof path, "%s/song.hiss", dir);
    char data[1000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (char)(i * 7 + 3); /* includes NUL bytes */
    HissDiag diag = {{0}};
    CHECK(fileio_write_atomic(path, data, sizeof data, 0, &diag) == HISS_OK);
    char *back;
    size_t len;
    CHECK(fileio_read_all(path, sizeof data, &back, &len, &diag) == HISS_OK);
    CHECK(len == sizeof data);
    CHECK(back && !memcmp(back, data, sizeof data));
    CHECK(back && back[len] == 0);
    free(back);
    CHECK(test_count_entries(dir, NULL) == 1); /* no temp file left behind */

    CHECK(fileio_write_atomic(path, "", 0, 0, &diag) == HISS_OK);
    CHECK(fileio_read_all(path, 10, &back, &len, &diag) == HISS_OK);
    CHECK(len == 0 && back && back[0] == 0);
    free(back);
}

static void test_relative_path(void)
{
    char dir[300], cwd[512];
    fresh_dir(dir, sizeof dir, "relative");
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    CHECK(chdir(dir) == 0);
    HissDiag diag = {{0}};
    CHECK(fileio_write_atomic("plain.hiss", "abc", 3, 1, &diag) == HISS_OK);
    CHECK(fileio_write_atomic("plain.hiss", "def", 3, 1, &diag) == HISS_OK);
    CHECK(file_equals("plain.hiss", "def"));
    CHECK(file_equals("plain.hiss~", "abc"));
    CHECK(chdir(cwd) == 0);
}

static void test_read_limit(void)
{
    char dir[300], path[400];
    fresh_dir(dir, sizeof dir, "limit");
    snprintf(path, sizeof path, "%s/big.hiss", dir);
    char text[101];
    memset(text, 'x', 100);
    text[100] = 0;
    test_write_text(path, text);
    char *data = (char *)1;
    size_t len = 5;
    HissDiag diag = {{0}};
    CHECK(fileio_read_all(path, 100, &data, &len, &diag) == HISS_OK);
    CHECK(len == 100);
    free(data);
    CHECK(fileio_read_all(path, SIZE_MAX, &data, &len, &diag) == HISS_OK);
    CHECK(len == 100 && data && data[99] == 'x' && data[100] == 0);
    free(data);
    CHECK(fileio_read_all(path, 99, &data, &len, &diag) == HISS_ERR_RANGE);
    CHECK(data == NULL && len == 0);
    char expect[600];
    snprintf(expect, sizeof expect,
             "%s: file too large (100 bytes; the limit is 99)", path);
    CHECK_STR(diag.text, expect);
}

static void test_read_errors(void)
{
    char dir[300], path[400];
    fresh_dir(dir, sizeof dir, "readerr");
    snprintf(path, sizeof path, "%s/absent.hiss", dir);
    char *data;
    size_t len;
    HissDiag diag = {{0}};
    CHECK(fileio_read_all(path, 100, &data, &len, &diag) == HISS_ERR_MISSING);
    char expect[600];
    snprintf(expect, sizeof expect, "%s: cannot read: %s", path,
             strerror(ENOENT));
    CHECK_STR(diag.text, expect);

    CHECK(fileio_read_all(dir, 100, &data, &len, &diag) == HISS_ERR_IO);
    snprintf(expect, sizeof expect, "%s: cannot read: %s", dir,
             strerror(EISDIR));
    CHECK_STR(diag.text, expect);
}

/* Pipes have no size up front: the limit must hold while reading. */
static void test_read_pipe(void)
{
    char dir[300], path[400];
    fresh_dir(dir, sizeof dir, "fifo");
    snprintf(path, sizeof path, "%s/fifo", dir);
    CHECK(mkfifo(path, 0600) == 0);
    for (int round = 0; round < 2; round++) {
        pid_t pid = fork();
        if (pid == 0) {
            int fd = open(path, O_WRONLY);
            char chunk[1000];
            memset(chunk, 'p', sizeof chunk);
            for (int i = 0; i < 30; i++)
                if (write(fd, chunk, sizeof chunk) < 0)
                    break;
            _exit(0);
        }
        char *data = NULL;
        size_t len = 0;
        HissDiag diag = {{0}};
        size_t limit = round == 0 ? 30000 : 29999;
        HissError err = fileio_read_all(path, limit, &data, &len, &diag);
        int status;
        waitpid(pid, &status, 0);
        if (round == 0) {
            CHECK(err == HISS_OK);
            CHECK(len == 30000);
            CHECK(data && data[0] == 'p' && data[29999] == 'p' &&
                  data[30000] == 0);
        } else {
            CHECK(err == HISS_ERR_RANGE);
            CHECK(data == NULL);
            CHECK(strstr(diag.text, "file too large") != NULL);
        }
        free(data);
    }
}

static void test_backups_rotate(void)
{
    char dir[300], path[400], b1[420], b2[420], b3[420], b4[420];
    fresh_dir(dir, sizeof dir, "backups");
    snprintf(path, sizeof path, "%s/song.hiss", dir);
    snprintf(b1, sizeof b1, "%s~", path);
    snprintf(b2, sizeof b2, "%s~2~", path);
    snprintf(b3, sizeof b3, "%s~3~", path);
    snprintf(b4, sizeof b4, "%s~4~", path);
    HissDiag diag = {{0}};
    const char *versions[] = {"v1", "v2", "v3", "v4", "v5"};
    for (int i = 0; i < 5; i++)
        CHECK(fileio_write_atomic(path, versions[i], 2, 3, &diag) == HISS_OK);
    CHECK(file_equals(path, "v5"));
    CHECK(file_equals(b1, "v4"));
    CHECK(file_equals(b2, "v3"));
    CHECK(file_equals(b3, "v2"));
    CHECK(access(b4, F_OK) != 0); /* never more than asked for */
    CHECK(test_count_entries(dir, NULL) == 4);

    /* One backup: path~ only, replaced every save. */
    fresh_dir(dir, sizeof dir, "backups1");
    snprintf(path, sizeof path, "%s/song.hiss", dir);
    snprintf(b1, sizeof b1, "%s~", path);
    snprintf(b2, sizeof b2, "%s~2~", path);
    for (int i = 0; i < 3; i++)
        CHECK(fileio_write_atomic(path, versions[i], 2, 1, &diag) == HISS_OK);
    CHECK(file_equals(path, "v3"));
    CHECK(file_equals(b1, "v2"));
    CHECK(access(b2, F_OK) != 0);

    /* No backups: nothing but the file. */
    fresh_dir(dir, sizeof dir, "backups0");
    snprintf(path, sizeof path, "%s/song.hiss", dir);
    for (int i = 0; i < 3; i++)
        CHECK(fileio_write_atomic(path, versions[i], 2, 0, &diag) == HISS_OK);
    CHECK(file_equals(path, "v3"));
    CHECK(test_count_entries(dir, NULL) == 1);
}

static void test_mode_kept(void)
{
    char dir[300], path[400];
    fresh_dir(dir, sizeof dir, "mode");
    snprintf(path, sizeof path, "%s/song.hiss", dir);
    test_write_text(path, "old");
    CHECK(chmod(path, 0640) == 0);
    HissDiag diag = {{0}};
    CHECK(fileio_write_atomic(path, "new", 3, 1, &diag) == HISS_OK);
    struct stat st;
    CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0640);
}

static void test_symlink_target_replaced(void)
{
    char dir[300], real[400], link_path[400];
    fresh_dir(dir, sizeof dir, "symlink");
    snprintf(real, sizeof real, "%s/real.hiss", dir);
    snprintf(link_path, sizeof link_path, "%s/link.hiss", dir);
    test_write_text(real, "old");
    CHECK(symlink("real.hiss", link_path) == 0);
    HissDiag diag = {{0}};
    CHECK(fileio_write_atomic(link_path, "new", 3, 0, &diag) == HISS_OK);
    struct stat st;
    CHECK(lstat(link_path, &st) == 0 && S_ISLNK(st.st_mode));
    CHECK(file_equals(real, "new"));
}

/* A file-size limit makes write() fail with EFBIG part-way (SIGXFSZ is
 * ignored, as main.c does). Runs in a child so the limit does not stick. */
static void test_write_fails_file_too_large(void)
{
    char dir[300], path[400], b1[420];
    fresh_dir(dir, sizeof dir, "efbig");
    snprintf(path, sizeof path, "%s/song.hiss", dir);
    snprintf(b1, sizeof b1, "%s~", path);
    test_write_text(path, "the old song\n");
    test_write_text(b1, "the older song\n");

    size_t big = 64 * 1024;
    char *data = malloc(big);
    memset(data, 'n', big);
    int fds[2];
    CHECK(pipe(fds) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {4096, 4096};
        setrlimit(RLIMIT_FSIZE, &rl);
        HissDiag diag = {{0}};
        HissError err = fileio_write_atomic(path, data, big, 2, &diag);
        char msg[600];
        snprintf(msg, sizeof msg, "%d %s", (int)err, diag.text);
        if (write(fds[1], msg, strlen(msg)) < 0)
            _exit(2);
        _exit(0);
    }
    close(fds[1]);
    char msg[600] = {0};
    ssize_t n = read(fds[0], msg, sizeof msg - 1);
    close(fds[0]);
    int status;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(n > 0);
    char expect[600];
    snprintf(expect, sizeof expect, "%d %s: cannot save: %s",
             (int)HISS_ERR_IO, path, strerror(EFBIG));
    CHECK_STR(msg, expect);
    CHECK(file_equals(path, "the old song\n"));
    CHECK(file_equals(b1, "the older song\n"));
    CHECK(test_count_entries(dir, NULL) == 2); /* the temp file is gone */
    free(data);
}

static void test_write_fails_missing_dir(void)
{
    char dir[300], path[400];
    fresh_dir(dir, sizeof dir, "nodir");
    snprintf(path, sizeof path, "%s/absent/song.hiss", dir);
    HissDiag diag = {{0}};
    CHECK(fileio_write_atomic(path, "x", 1, 1, &diag) == HISS_ERR_IO);
    char expect[600];
    snprintf(expect, sizeof expect, "%s: cannot save: %s", path,
             strerror(ENOENT));
    CHECK_STR(diag.text, expect);
    CHECK(test_count_entries(dir, NULL) == 0);
}

static void test_write_fails_parent_is_file(void)
{
    char dir[300], parent[400], path[500];
    fresh_dir(dir, sizeof dir, "notdir");
    snprintf(parent, sizeof parent, "%s/plain", dir);
    snprintf(path, sizeof path, "%s/song.hiss", parent);
    test_write_text(parent, "a regular file\n");
    HissDiag diag = {{0}};
    CHECK(fileio_write_atomic(path, "x", 1, 1, &diag) == HISS_ERR_IO);
    char expect[600];
    snprintf(expect, sizeof expect, "%s: cannot save: %s", path,
             strerror(ENOTDIR));
    CHECK_STR(diag.text, expect);
    CHECK(file_equals(parent, "a regular file\n"));
    CHECK(test_count_entries(dir, NULL) == 1);
}

static void test_write_fails_target_is_dir(void)
{
    char dir[300], path[400];
    fresh_dir(dir, sizeof dir, "isdir");
    snprintf(path, sizeof path, "%s/song.hiss", dir);
    CHECK(mkdir(path, 0755) == 0);
    HissDiag diag = {{0}};
    CHECK(fileio_write_atomic(path, "x", 1, 1, &diag) == HISS_ERR_IO);
    CHECK(strstr(diag.text, "cannot save") != NULL);
    struct stat st;
    CHECK(stat(path, &st) == 0 && S_ISDIR(st.st_mode));
    CHECK(test_count_entries(dir, NULL) == 1);
}

/* A backup that cannot be made (path~2~ is a directory) stops the save
 * before the file is touched. */
static void test_write_fails_backup_blocked(void)
{
    char dir[300], path[400], b1[420], b2[420], inner[440];
    fresh_dir(dir, sizeof dir, "bakblock");
    snprintf(path, sizeof path, "%s/song.hiss", dir);
    snprintf(b1, sizeof b1, "%s~", path);
    snprintf(b2, sizeof b2, "%s~2~", path);
    snprintf(inner, sizeof inner, "%s/keep", b2);
    test_write_text(path, "current\n");
    test_write_text(b1, "previous\n");
    CHECK(mkdir(b2, 0755) == 0);
    test_write_text(inner, "occupied\n");
    HissDiag diag = {{0}};
    CHECK(fileio_write_atomic(path, "next\n", 5, 2, &diag) == HISS_ERR_IO);
    CHECK(strstr(diag.text, "cannot keep a backup") != NULL);
    CHECK(file_equals(path, "current\n"));
    CHECK(file_equals(b1, "previous\n"));
    CHECK(test_count_entries(dir, NULL) == 3);
}

/* Permissions do not stop root, so this one can only be checked as a
 * normal user; the failures above cover the same code path for root. */
static void test_write_fails_read_only_dir(void)
{
    char dir[300], path[400];
    fresh_dir(dir, sizeof dir, "readonly");
    snprintf(path, sizeof path, "%s/song.hiss", dir);
    test_write_text(path, "old\n");
    CHECK(chmod(dir, 0555) == 0);
    HissDiag diag = {{0}};
    HissError err = fileio_write_atomic(path, "new\n", 4, 1, &diag);
    if (geteuid() != 0) {
        CHECK(err == HISS_ERR_IO);
        char expect[600];
        snprintf(expect, sizeof expect, "%s: cannot save: %s", path,
                 strerror(EACCES));
        CHECK_STR(diag.text, expect);
        CHECK(file_equals(path, "old\n"));
        CHECK(test_count_entries(dir, NULL) == 1);
    } else {
        printf("     (running as root: permissions do not block writes)\n");
    }
    chmod(dir, 0755);
}

/* The song file is a link the user made: the new file goes beside the
 * link's target, backups and temporaries too, and the link stays a link. */
static void test_song_link_saves_beside_its_target(void)
{
    char dir[300], songs[400], work[400], real[500], link_path[500];
    fresh_dir(dir, sizeof dir, "songlink");
    snprintf(songs, sizeof songs, "%s/songs", dir);
    snprintf(work, sizeof work, "%s/work", dir);
    CHECK(mkdir(songs, 0755) == 0 && mkdir(work, 0755) == 0);
    snprintf(real, sizeof real, "%s/real.hiss", songs);
    snprintf(link_path, sizeof link_path, "%s/link.hiss", work);
    test_write_text(real, "v1");
    CHECK(symlink("../songs/real.hiss", link_path) == 0);
    HissDiag diag = {{0}};
    CHECK(fileio_write_atomic(link_path, "v2", 2, 2, &diag) == HISS_OK);
    CHECK(fileio_write_atomic(link_path, "v3", 2, 2, &diag) == HISS_OK);
    struct stat st;
    CHECK(lstat(link_path, &st) == 0 && S_ISLNK(st.st_mode));
    CHECK(file_equals(real, "v3"));
    char b1[520], b2[520];
    snprintf(b1, sizeof b1, "%s~", real);
    snprintf(b2, sizeof b2, "%s~2~", real);
    CHECK(file_equals(b1, "v2"));
    CHECK(file_equals(b2, "v1"));
    CHECK(test_count_entries(work, NULL) == 1); /* only the link: nothing written there */
    CHECK(test_count_entries(songs, NULL) == 3);

    /* A link to nothing: refused, nothing created anywhere. */
    char dangling[500];
    snprintf(dangling, sizeof dangling, "%s/gone.hiss", work);
    CHECK(symlink("../songs/missing.hiss", dangling) == 0);
    CHECK(fileio_write_atomic(dangling, "x", 1, 1, &diag) == HISS_ERR_IO);
    CHECK(strstr(diag.text, "symbolic link") != NULL);
    CHECK(test_count_entries(songs, NULL) == 3);
    CHECK(lstat(dangling, &st) == 0 && S_ISLNK(st.st_mode));
}

/* Names hiss makes itself never lead outside: a link planted where a
 * recovery file or a backup goes is refused, left in place, and the file
 * it points to is untouched. */
static void test_planted_links_are_refused(void)
{
    char dir[300], songdir[400], victim[400], rec[500], song[500];
    fresh_dir(dir, sizeof dir, "planted");
    snprintf(songdir, sizeof songdir, "%s/a", dir);
    CHECK(mkdir(songdir, 0755) == 0);
    snprintf(victim, sizeof victim, "%s/victim", dir);
    test_write_text(victim, "precious\n");
    snprintf(rec, sizeof rec, "%s/.song.hiss.recover", songdir);
    CHECK(symlink("../victim", rec) == 0);

    HissDiag diag = {{0}};
    CHECK(fileio_write_owned(rec, "$(evil)\n", 8, &diag) == HISS_ERR_IO);
    CHECK(strstr(diag.text, "symbolic link") != NULL);
    CHECK(file_equals(victim, "precious\n"));
    struct stat st;
    CHECK(lstat(rec, &st) == 0 && S_ISLNK(st.st_mode));
    CHECK(fileio_remove_owned(rec, &diag) == HISS_ERR_IO);
    CHECK(strstr(diag.text, "symbolic link") != NULL);
    CHECK(lstat(rec, &st) == 0 && S_ISLNK(st.st_mode));
    CHECK(file_equals(victim, "precious\n"));
    CHECK(test_count_entries(songdir, NULL) == 1); /* no temporary left behind */

    /* Backups: a link at song~ or song~2~ stops the save before anything
     * moves. */
    snprintf(song, sizeof song, "%s/song.hiss", songdir);
    test_write_text(song, "old\n");
    static const char *const BACKUPS[] = {"song.hiss~", "song.hiss~2~"};
    for (int i = 0; i < 2; i++) {
        char bak[520];
        snprintf(bak, sizeof bak, "%s/%s", songdir, BACKUPS[i]);
        CHECK(symlink("../victim", bak) == 0);
        CHECK(fileio_write_atomic(song, "new\n", 4, 3, &diag) == HISS_ERR_IO);
        CHECK(strstr(diag.text, BACKUPS[i]) != NULL);
        CHECK(file_equals(song, "old\n"));
        CHECK(file_equals(victim, "precious\n"));
        CHECK(lstat(bak, &st) == 0 && S_ISLNK(st.st_mode));
        unlink(bak);
    }
    /* A FIFO where a recovery file goes is not replaced either. */
    unlink(rec);
    CHECK(mkfifo(rec, 0600) == 0);
    CHECK(fileio_write_owned(rec, "x", 1, &diag) == HISS_ERR_IO);
    CHECK(lstat(rec, &st) == 0 && S_ISFIFO(st.st_mode));
}

/* A folder to write into: a new one is made, an empty one taken; one
 * with a file in it, a file, and a link to an empty folder (with or
 * without a trailing slash) are refused, each left as it was. */
static void test_empty_dir_is_made_or_refused(void)
{
    char dir[300], path[400], target[400], inside[500];
    fresh_dir(dir, sizeof dir, "emptydir");
    HissDiag diag = {{0}};
    struct stat st;

    snprintf(path, sizeof path, "%s/new", dir);
    CHECK(fileio_make_empty_dir(path, &diag) == HISS_OK);
    CHECK(lstat(path, &st) == 0 && S_ISDIR(st.st_mode));
    CHECK(fileio_make_empty_dir(path, &diag) == HISS_OK); /* empty: taken */

    snprintf(inside, sizeof inside, "%s/a.wav", path);
    test_write_text(inside, "precious\n");
    CHECK(fileio_make_empty_dir(path, &diag) == HISS_ERR_IO);
    CHECK_MSG(strstr(diag.text, "already holds 1 file") != NULL, "%s", diag.text);
    CHECK(file_equals(inside, "precious\n"));

    CHECK(fileio_make_empty_dir(inside, &diag) == HISS_ERR_IO);
    CHECK_MSG(strstr(diag.text, "it is a file, not a folder") != NULL, "%s", diag.text);
    CHECK(file_equals(inside, "precious\n"));

    snprintf(target, sizeof target, "%s/target", dir);
    CHECK(mkdir(target, 0755) == 0);
    snprintf(path, sizeof path, "%s/link", dir);
    CHECK(symlink("target", path) == 0);
    CHECK(fileio_make_empty_dir(path, &diag) == HISS_ERR_IO);
    CHECK_MSG(strstr(diag.text, "symbolic link") != NULL, "%s", diag.text);
    snprintf(path, sizeof path, "%s/link/", dir);
    CHECK(fileio_make_empty_dir(path, &diag) == HISS_ERR_IO);
    CHECK_MSG(strstr(diag.text, "symbolic link") != NULL, "%s", diag.text);
    CHECK(test_count_entries(target, NULL) == 0);

    snprintf(path, sizeof path, "%s/missing/new", dir);
    CHECK(fileio_make_empty_dir(path, &diag) == HISS_ERR_IO);
    CHECK_MSG(strstr(diag.text, "cannot make the folder") != NULL, "%s", diag.text);
    CHECK(fileio_make_empty_dir("", &diag) == HISS_ERR_IO);
}

static void test_stale_temps_are_cleaned(void)
{
    char dir[300], song[400];
    fresh_dir(dir, sizeof dir, "stale");
    snprintf(song, sizeof song, "%s/song.hiss", dir);
    test_write_text(song, "song\n");
    static const char *const REMOVED[] = {".song.hiss.abc123.tmp",
                                          ".song.hiss.zz9xy0.tmp"};
    static const char *const KEPT[] = {
        ".song.hiss.ABC123.tmp", ".song.hiss.abc12.tmp", ".other.hiss.abc123.tmp",
        "song.hiss.abc123.tmp", ".song.hiss.abc123.tmp~"};
    char p[520];
    for (int i = 0; i < 2; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, REMOVED[i]);
        test_write_text(p, "half a so");
    }
    for (int i = 0; i < 5; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, KEPT[i]);
        test_write_text(p, "not ours");
    }
    /* A link matching the pattern is not removed (nor followed). */
    char victim[400];
    snprintf(victim, sizeof victim, "%s/victim", tmpdir);
    test_write_text(victim, "precious\n");
    snprintf(p, sizeof p, "%s/.song.hiss.lnk000.tmp", dir);
    CHECK(symlink(victim, p) == 0);
    CHECK(fileio_clean_temps(song, true, NULL, NULL) == 2);
    CHECK(test_count_entries(dir, NULL) == 1 + 5 + 1);
    for (int i = 0; i < 2; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, REMOVED[i]);
        CHECK(access(p, F_OK) < 0);
    }
    CHECK(file_equals(victim, "precious\n"));

    /* A name hiss makes, planted as a link into another folder: the
     * temporary-looking files beside the link's target are not touched. */
    char other[400], planted[520], bait[520];
    snprintf(other, sizeof other, "%s/other", tmpdir);
    mkdir(other, 0755);
    snprintf(bait, sizeof bait, "%s/x", other);
    test_write_text(bait, "x\n");
    snprintf(bait, sizeof bait, "%s/.x.abc123.tmp", other);
    test_write_text(bait, "someone else's\n");
    snprintf(planted, sizeof planted, "%s/.song.hiss.recover", dir);
    CHECK(symlink("../other/x", planted) == 0);
    CHECK(fileio_clean_temps(planted, false, NULL, NULL) == 0);
    CHECK(file_equals(bait, "someone else's\n"));
    CHECK(fileio_is_temp_name(".x.abc123.tmp", NULL));
    CHECK(!fileio_is_temp_name("..abc123.tmp", NULL));
}

/* Reading a FIFO as a config must not wait for a writer. */
static void test_read_regular_refuses_fifo(void)
{
    char dir[300], fifo[400];
    fresh_dir(dir, sizeof dir, "fifo");
    snprintf(fifo, sizeof fifo, "%s/rc", dir);
    CHECK(mkfifo(fifo, 0600) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        alarm(3);
        char *data = NULL;
        size_t len = 0;
        HissDiag diag = {{0}};
        HissError err = fileio_read_regular(fifo, 100, false, &data, &len, &diag);
        _exit(err == HISS_ERR_IO && strstr(diag.text, "not a regular file") ? 0
                                                                            : 1);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_stamp_sees_changes_not_touches(void)
{
    char dir[300], path[400];
    fresh_dir(dir, sizeof dir, "stamp");
    snprintf(path, sizeof path, "%s/song.hiss", dir);
    test_write_text(path, "one\n");
    FileioStamp known;
    CHECK(fileio_stamp(path, &known) == HISS_OK && known.exists);
    bool changed = true;
    CHECK(fileio_stamp_check(path, &known, &changed) == HISS_OK && !changed);
    /* Same bytes, new time: not a change. */
    struct timespec ts[2] = {{1000, 0}, {1000, 0}};
    CHECK(utimensat(AT_FDCWD, path, ts, 0) == 0);
    CHECK(fileio_stamp_check(path, &known, &changed) == HISS_OK && !changed);
    CHECK(known.mtime_ns == 1000LL * 1000000000);
    /* Same size, same time, other bytes (sed -i then touch -r): caught by
     * the time once, by the hash after. */
    test_write_text(path, "two\n");
    CHECK(fileio_stamp_check(path, &known, &changed) == HISS_OK && changed);
    CHECK(utimensat(AT_FDCWD, path, ts, 0) == 0);
    FileioStamp now;
    CHECK(fileio_stamp(path, &now) == HISS_OK && now.hash != known.hash);
    unlink(path);
    CHECK(fileio_stamp_check(path, &known, &changed) == HISS_OK && changed);
}

int main(void)
{
    test_make_tmpdir(tmpdir, sizeof tmpdir, "fileio");
    RUN(test_round_trip);
    RUN(test_relative_path);
    RUN(test_read_limit);
    RUN(test_read_errors);
    RUN(test_read_pipe);
    RUN(test_backups_rotate);
    RUN(test_mode_kept);
    RUN(test_symlink_target_replaced);
    RUN(test_write_fails_file_too_large);
    RUN(test_write_fails_missing_dir);
    RUN(test_write_fails_parent_is_file);
    RUN(test_write_fails_target_is_dir);
    RUN(test_write_fails_backup_blocked);
    RUN(test_write_fails_read_only_dir);
    RUN(test_song_link_saves_beside_its_target);
    RUN(test_planted_links_are_refused);
    RUN(test_empty_dir_is_made_or_refused);
    RUN(test_stale_temps_are_cleaned);
    RUN(test_read_regular_refuses_fifo);
    RUN(test_stamp_sees_changes_not_touches);
    test_remove_tree(tmpdir);
    return test_finish();
}
