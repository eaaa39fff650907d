/* Saves and autosaves killed at random points, over and over. After each
 * kill and a reopen (the lock taken, stale temporaries removed, as the
 * editor does at open) it checks:
 * - the song is one complete version, never older than before the round
 *   and never one that was not written;
 * - the recovery file, when there, is a complete version too;
 * - no temporary file is left in the song's directory;
 * - the backups that exist are complete versions, each no newer than the
 *   next newer one (song >= ~ >= ~2~ >= ~3~), and clean saves at the end
 *   rotate them exactly;
 * - nothing outside the song's directory and the state directory changed.
 * HISS_CRASH_ROUNDS (default 120) sets the rounds, HISS_CRASH_SEED the
 * random seed (printed, so a failure can be replayed). */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/files.h"
#include "fileio.h"
#include "recovery.h"
#include "songlock.h"
#include "test.h"

enum { BACKUPS = 3, MAX_PAD = 150000 };

static char root[256], songdir[320], song[400], recfile[400], outside[320],
    statedir[320];
static uint64_t rng;

static uint32_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

/* Version n of the song: its number in the first line, a length that
 * depends on n (so a torn write shows), and its number again at the end. */
static char *version_text(long n, size_t *len)
{
    size_t pad = (size_t)((n * 7919) % MAX_PAD);
    char *text = malloc(pad + 128);
    int head = sprintf(text, "hiss 1\ntitle \"v%ld\"\n#", n);
    memset(text + head, 'a' + (int)(n % 26), pad);
    int tail = sprintf(text + head + pad, "\n# end v%ld\n", n);
    *len = (size_t)head + pad + (size_t)tail;
    return text;
}

/* The version a file holds, -1 when missing, -2 when not a complete one. */
static long version_of(const char *path)
{
    char *data = NULL;
    size_t len = 0;
    HissError err = fileio_read_all(path, MAX_PAD + 1024, &data, &len, NULL);
    if (err == HISS_ERR_MISSING)
        return -1;
    if (err)
        return -2;
    long n = -2;
    if (sscanf(data, "hiss 1\ntitle \"v%ld\"", &n) == 1 && n >= 0) {
        size_t want_len;
        char *want = version_text(n, &want_len);
        if (want_len != len || memcmp(want, data, len))
            n = -2;
        free(want);
    } else {
        n = -2;
    }
    free(data);
    return n;
}

/* A fingerprint of everything in dir (names, sizes, times, bytes) but
 * the entries the saves may change (`skip`, a list ending in NULL), to
 * prove nothing else there changed. */
static uint64_t tree_print(const char *dir, const char *const *skip)
{
    uint64_t h = 1469598103934665603u;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        bool skipped = !strcmp(e->d_name, "..");
        for (int i = 0; skip && skip[i]; i++)
            skipped |= !strcmp(e->d_name, skip[i]);
        if (skipped)
            continue;
        char p[700];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(p, &st) < 0)
            continue;
        uint64_t x = (uint64_t)st.st_size * 31 + (uint64_t)st.st_mtim.tv_nsec +
                     (uint64_t)st.st_ino;
        for (const char *c = e->d_name; *c; c++)
            x = x * 131 + (unsigned char)*c;
        if (S_ISREG(st.st_mode)) {
            FileioStamp s;
            if (fileio_stamp(p, &s) == HISS_OK)
                x ^= s.hash;
        }
        h += x * 0x9E3779B97F4A7C15u; /* order-free: readdir order varies */
    }
    closedir(d);
    return h;
}

/* The child: saves (with backups) and autosaves new versions from `first`
 * on, as fast as it can, until it is killed. */
static void save_forever(long first)
{
    for (long n = first;; n++) {
        size_t len;
        char *text = version_text(n, &len);
        if (n % 3 == 2)
            recovery_write_text(text, len, song, NULL, 0, NULL);
        else
            fileio_write_atomic(song, text, len, BACKUPS, NULL);
        free(text);
    }
}

static bool ordered_backups(long song_version)
{
    long newer = song_version;
    for (int i = 1; i <= BACKUPS; i++) {
        char p[420];
        if (i == 1)
            snprintf(p, sizeof p, "%s~", song);
        else
            snprintf(p, sizeof p, "%s~%d~", song, i);
        long v = version_of(p);
        if (v == -1)
            continue;
        if (v < 0 || v > newer) {
            fprintf(stderr, "  backup %s holds %ld, newer one %ld\n", p, v,
                    newer);
            return false;
        }
        newer = v;
    }
    return true;
}

static void killed_saves_leave_whole_versions(void)
{
    long rounds = 120;
    const char *env = getenv("HISS_CRASH_ROUNDS");
    if (env && atol(env) > 0)
        rounds = atol(env);
    static const char *const SAVED[] = {"songs", "state", NULL};
    uint64_t outside_before = tree_print(outside, NULL);
    uint64_t root_before = tree_print(root, SAVED);

    long written = 0; /* every version up to this one may have been written */
    long on_disk = 0;
    size_t len;
    char *text = version_text(0, &len);
    CHECK(fileio_write_atomic(song, text, len, BACKUPS, NULL) == HISS_OK);
    free(text);

    int bad_rounds = 0, temps_seen = 0;
    for (long r = 0; r < rounds && bad_rounds < 3; r++) {
        long first = written + 1;
        pid_t pid = fork();
        if (pid == 0)
            save_forever(first);
        usleep(next_random() % 20000);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        /* The child wrote at most this many versions: bounded by time, but
         * a generous bound is all the check needs. */
        written = first + 100000;

        int temps = test_count_entries(songdir, ".tmp");
        temps_seen += temps > 0;
        SongLock lock;
        songlock_init(&lock);
        char msg[300];
        bool ok = songlock_acquire(&lock, song, msg, sizeof msg) == HISS_OK;
        recovery_clean_song_temps(song);
        songlock_release(&lock);

        long v = version_of(song);
        long rv = version_of(recfile);
        int left = test_count_entries(songdir, ".tmp");
        ok = ok && v >= on_disk && left == 0 && rv != -2 && ordered_backups(v);
        if (!ok) {
            fprintf(stderr, "  round %ld: song v%ld (was v%ld), recovery %ld, "
                    "%d temporary files left\n", r, v, on_disk, rv, left);
            bad_rounds++;
        }
        if (v >= 0)
            on_disk = v;
        /* Continue numbering past anything the child may have reached. */
        written = (v > rv ? v : rv) + 1000;
    }
    CHECK(bad_rounds == 0);
    printf("     (%ld rounds; %d kills left temporary files for the reopen "
           "to remove)\n", rounds, temps_seen);

    /* Clean saves rotate the backups exactly. */
    long base = written + 1;
    for (long n = base; n < base + 4; n++) {
        text = version_text(n, &len);
        CHECK(fileio_write_atomic(song, text, len, BACKUPS, NULL) == HISS_OK);
        free(text);
    }
    char b1[420], b2[420], b3[420];
    snprintf(b1, sizeof b1, "%s~", song);
    snprintf(b2, sizeof b2, "%s~2~", song);
    snprintf(b3, sizeof b3, "%s~3~", song);
    CHECK(version_of(song) == base + 3);
    CHECK(version_of(b1) == base + 2);
    CHECK(version_of(b2) == base + 1);
    CHECK(version_of(b3) == base);

    CHECK_MSG(tree_print(outside, NULL) == outside_before,
              "something outside the song and state directories changed");
    CHECK_MSG(tree_print(root, SAVED) == root_before,
              "the folder holding both directories changed");
}

int main(void)
{
    test_make_tmpdir(root, sizeof root, "crash");
    snprintf(songdir, sizeof songdir, "%s/songs", root);
    snprintf(outside, sizeof outside, "%s/outside", root);
    snprintf(statedir, sizeof statedir, "%s/state", root);
    if (mkdir(songdir, 0755) < 0 || mkdir(outside, 0755) < 0 ||
        mkdir(statedir, 0755) < 0) {
        perror(root);
        return 2;
    }
    snprintf(song, sizeof song, "%s/song.hiss", songdir);
    snprintf(recfile, sizeof recfile, "%s/.song.hiss.recover", songdir);
    char p[400];
    snprintf(p, sizeof p, "%s/victim", outside);
    test_write_text(p, "precious\n");
    setenv("XDG_STATE_HOME", statedir, 1);
    setenv("HOME", root, 1);

    const char *seed = getenv("HISS_CRASH_SEED");
    rng = seed && *seed ? strtoull(seed, NULL, 10)
                        : (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 20);
    if (!rng)
        rng = 1;
    printf("     (HISS_CRASH_SEED=%llu)\n", (unsigned long long)rng);

    RUN(killed_saves_leave_whole_versions);
    test_remove_tree(root);
    return test_finish();
}
