/* songlock: one editor per song; a lock left by a dead editor is taken
 * over; a link planted where the lock goes is not followed. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/files.h"
#include "songlock.h"
#include "test.h"

static char dir[256];

static void second_editor_is_refused_and_told_who(void)
{
    char song[300], lockfile[300], msg[300];
    snprintf(song, sizeof song, "%s/one.hiss", dir);
    snprintf(lockfile, sizeof lockfile, "%s/.one.hiss.lock", dir);
    SongLock a, b;
    songlock_init(&a);
    songlock_init(&b);
    CHECK(songlock_acquire(&a, song, msg, sizeof msg) == HISS_OK);
    CHECK_STR(msg, "");
    CHECK(songlock_held(&a));
    CHECK(access(lockfile, F_OK) == 0);
    CHECK(songlock_acquire(&b, song, msg, sizeof msg) == HISS_ERR_BUSY);
    CHECK(!songlock_held(&b));
    char want[64];
    snprintf(want, sizeof want, "pid %ld on ", (long)getpid());
    CHECK_MSG(strstr(msg, want) != NULL, "msg: %s", msg);
    SongLockOwner owner;
    CHECK(songlock_busy(song, &owner) && owner.pid == (long)getpid());
    songlock_release(&a);
    CHECK(access(lockfile, F_OK) < 0);
    CHECK(!songlock_busy(song, NULL));
    CHECK(songlock_acquire(&b, song, msg, sizeof msg) == HISS_OK);
    CHECK_STR(msg, "");
    songlock_release(&b);
}

/* An editor killed with SIGKILL leaves its lock file; the next one takes
 * it over and says so. */
static void lock_of_a_killed_editor_is_taken_over(void)
{
    char song[300], msg[300];
    snprintf(song, sizeof song, "%s/two.hiss", dir);
    int ready[2];
    CHECK(pipe(ready) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        SongLock l;
        songlock_init(&l);
        char m[300];
        char ok = songlock_acquire(&l, song, m, sizeof m) == HISS_OK ? 'y' : 'n';
        if (write(ready[1], &ok, 1) != 1)
            _exit(1);
        pause();
        _exit(0);
    }
    char ok = 0;
    CHECK(read(ready[0], &ok, 1) == 1 && ok == 'y');
    SongLock mine;
    songlock_init(&mine);
    CHECK(songlock_busy(song, NULL));
    CHECK(songlock_acquire(&mine, song, msg, sizeof msg) == HISS_ERR_BUSY);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    CHECK(!songlock_busy(song, NULL));
    CHECK(songlock_acquire(&mine, song, msg, sizeof msg) == HISS_OK);
    char want[64];
    snprintf(want, sizeof want, "took over the lock of a hiss that is gone "
                                "(pid %ld", (long)pid);
    CHECK_MSG(strstr(msg, want) != NULL, "msg: %s", msg);
    songlock_release(&mine);
    close(ready[0]);
    close(ready[1]);
}

static void planted_link_is_not_followed(void)
{
    char song[300], lockfile[300], victim[300], msg[300];
    snprintf(song, sizeof song, "%s/three.hiss", dir);
    snprintf(lockfile, sizeof lockfile, "%s/.three.hiss.lock", dir);
    snprintf(victim, sizeof victim, "%s/victim", dir);
    test_write_text(victim, "precious\n");
    CHECK(symlink("victim", lockfile) == 0);
    SongLock l;
    songlock_init(&l);
    CHECK(songlock_acquire(&l, song, msg, sizeof msg) == HISS_ERR_IO);
    CHECK(strstr(msg, "symbolic link") != NULL);
    char *text = test_read_text(victim);
    CHECK(text && !strcmp(text, "precious\n"));
    free(text);
    struct stat st;
    CHECK(lstat(lockfile, &st) == 0 && S_ISLNK(st.st_mode));
}

/* Two names of one song share its lock: it sits beside the target. */
static void a_linked_song_locks_its_target(void)
{
    char sub[300], real[400], link_path[300], msg[300];
    snprintf(sub, sizeof sub, "%s/songs", dir);
    CHECK(mkdir(sub, 0755) == 0);
    snprintf(real, sizeof real, "%s/real.hiss", sub);
    snprintf(link_path, sizeof link_path, "%s/link.hiss", dir);
    test_write_text(real, "");
    CHECK(symlink("songs/real.hiss", link_path) == 0);
    SongLock a, b;
    songlock_init(&a);
    songlock_init(&b);
    CHECK(songlock_acquire(&a, link_path, msg, sizeof msg) == HISS_OK);
    CHECK(strstr(a.path, "/songs/.real.hiss.lock") != NULL);
    CHECK(songlock_acquire(&b, real, msg, sizeof msg) == HISS_ERR_BUSY);
    songlock_release(&a);
}

int main(void)
{
    test_make_tmpdir(dir, sizeof dir, "songlock");
    RUN(second_editor_is_refused_and_told_who);
    RUN(lock_of_a_killed_editor_is_taken_over);
    RUN(planted_link_is_not_followed);
    RUN(a_linked_song_locks_its_target);
    test_remove_tree(dir);
    return test_finish();
}
