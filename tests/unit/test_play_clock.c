/* `hiss play` follows a MIDI clock: the program itself (HISS, default
 * build/hiss) on a private JACK server, a test client as the clock on its
 * midi_in and another listening to its midi_out. With
 * --midi-transport-in it waits for the clock's start, plays from the
 * clock's song position on continue, moves on a song position while
 * running and stops on stop; with
 * --midi-clock-in it takes the clock's tempo and phase. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include "common/clockpeer.h"
#include "common/files.h"
#include "common/jackrec.h"
#include "common/synth_song.h"
#include "songio.h"
#include "test.h"

enum { RATE = 48000, PERIOD = 64 };

static JackrecServer srv;
static char dir[256], song_path[300], log_path[300];

/* Starts `hiss play` on the song with `flags` (NULL-ended), its stderr
 * into log_path; waits for its line saying it is ready. 0 on failure. */
static pid_t start_hiss(const char *client, const char *const *flags)
{
    const char *hiss = getenv("HISS") ? getenv("HISS") : "build/hiss";
    const char *argv[24] = {hiss, "play", song_path, "--audio", "jack", "--client-name",
                            client, "--no-connect", "--seconds", "60"};
    int argc = 10;
    for (int i = 0; flags[i] && argc < 22; i++)
        argv[argc++] = flags[i];
    argv[argc] = NULL;
    unlink(log_path); /* the last run's ready line must not count */
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0) {
            dup2(fd, STDERR_FILENO);
            dup2(fd, STDOUT_FILENO);
        }
        execv(hiss, (char *const *)argv);
        _exit(127);
    }
    /* The ready line comes after the clock switches are set. */
    for (int w = 0; pid > 0 && w < 200; w++) {
        char *text = test_read_text(log_path);
        bool ready = text && strstr(text, " through jack ");
        free(text);
        if (ready)
            return pid;
        usleep(50 * 1000);
    }
    fprintf(stderr, "  hiss play did not start (%s)\n", log_path);
    if (pid > 0)
        kill(pid, SIGKILL);
    return 0;
}

/* Waits until the master has sent `pulses` pulses: the server's frames,
 * not the wall clock, say how far the test has come on a busy machine. */
static void wait_pulses(int pulses)
{
    for (int w = 0; w < 3000 && atomic_load(&clockpeer_pulses) < pulses; w++)
        usleep(10 * 1000);
}

/* Ends hiss as Ctrl-C would; true when it exited 0. */
static bool stop_hiss(pid_t pid)
{
    int status = 0;
    kill(pid, SIGTERM);
    return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* hiss's pulse k against the master's pulse k (both from their first),
 * over the last `last` that both have: the largest difference, frames. */
static int worst_phase(int first_heard, int last, int *pulses_out)
{
    const ClockpeerHeard *h = clockpeer_heard;
    int n = atomic_load(&clockpeer_heard_count), m = atomic_load(&clockpeer_pulses);
    int pulses = 0;
    while (first_heard + pulses < n && h[first_heard + pulses].msg[0] == 0xF8)
        pulses++;
    if (pulses > m)
        pulses = m;
    *pulses_out = pulses;
    int worst = 0;
    for (int k = pulses - last; k >= 0 && k < pulses; k++) {
        int off = (int)((int64_t)h[first_heard + k].frame - (int64_t)clockpeer_pulse_at[k]);
        if (abs(off) > abs(worst))
            worst = off;
    }
    return worst;
}

/* Waiting, started by the clock, in its tempo and phase, stopped by it. */
static void play_follows_the_clock(void)
{
    pid_t pid = start_hiss("hiss_pc", (const char *const[]){"--midi-clock-in",
                                                           "--midi-transport-in", NULL});
    if (!pid) {
        CHECK(pid);
        return;
    }
    CHECK(clockpeer_master_open("master", "hiss_pc:midi_in", 60.0 * RATE / (97.34 * 24)));
    CHECK(clockpeer_listener_open("listener", "hiss_pc:midi_out"));
    usleep(500 * 1000);
    /* Nothing plays before the clock starts: no clock comes out. */
    CHECK_MSG(atomic_load(&clockpeer_heard_count) == 0, "%d messages before start",
              atomic_load(&clockpeer_heard_count));
    clockpeer_master_start();
    wait_pulses(240); /* 6 s */
    usleep(100 * 1000);
    const ClockpeerHeard *h = clockpeer_heard;
    int n = atomic_load(&clockpeer_heard_count);
    CHECK_MSG(n > 150 && h[0].msg[0] == 0xFA, "%d messages, first %02X", n, n ? h[0].msg[0] : 0);
    int pulses = 0, worst = worst_phase(1, 48, &pulses);
    CHECK_MSG(pulses > 150 && abs(worst) <= RATE / 1000, "%d pulses, worst phase %d frames",
              pulses, worst);
    if (pulses > 100) {
        double bpm = 60.0 * RATE * (pulses - 50) /
                     (24.0 * (double)(h[pulses].frame - h[50].frame));
        CHECK_NEAR(bpm, 97.34, 0.05);
        printf("     hiss play following 97.34 BPM: %.3f BPM, worst phase over the last 48 "
               "pulses %d frames\n", bpm, worst);
    }
    clockpeer_master_stop();
    usleep(300 * 1000);
    n = atomic_load(&clockpeer_heard_count);
    CHECK_MSG(n > 0 && h[n - 1].msg[0] == 0xFC, "last message %02X", n ? h[n - 1].msg[0] : 0);
    /* Song position 16 sixteenths and continue: from row 16, in phase. */
    atomic_store(&clockpeer_heard_count, 0);
    atomic_store(&clockpeer_pulses, 0);
    CHECK(clockpeer_master_send((const uint8_t[]){0xF2, 16, 0}, 3));
    clockpeer_master_continue();
    wait_pulses(24);
    n = atomic_load(&clockpeer_heard_count);
    CHECK_MSG(n > 3 && h[0].msg[0] == 0xF2 && h[0].msg[1] == 16 && h[1].msg[0] == 0xFB,
              "%d messages, first %02X %02X, then %02X", n, n ? h[0].msg[0] : 0,
              n ? h[0].msg[1] : 0, n > 1 ? h[1].msg[0] : 0);
    /* A song position while running (the master jumped to sixteenth 48):
     * hiss moves there, and says so to whoever follows it. */
    atomic_store(&clockpeer_heard_count, 0);
    CHECK(clockpeer_master_send((const uint8_t[]){0xF2, 48, 0}, 3));
    wait_pulses(48);
    n = atomic_load(&clockpeer_heard_count);
    int moved = -1;
    for (int i = 0; i + 1 < n && moved < 0; i++)
        if (h[i].msg[0] == 0xF2)
            moved = i;
    CHECK_MSG(moved >= 0 && h[moved].msg[1] == 48 && h[moved + 1].msg[0] == 0xFB,
              "%d messages, song position at %d", n, moved);
    clockpeer_master_stop();
    usleep(200 * 1000);
    clockpeer_close();
    CHECK(stop_hiss(pid));
}

/* Without the switches hiss play starts at once at the song's tempo,
 * whatever comes in. */
static void play_ignores_the_clock_without_the_switches(void)
{
    pid_t pid = start_hiss("hiss_pn", (const char *const[]){NULL});
    if (!pid) {
        CHECK(pid);
        return;
    }
    CHECK(clockpeer_master_open("master", "hiss_pn:midi_in", 60.0 * RATE / (97.34 * 24)));
    CHECK(clockpeer_listener_open("listener", "hiss_pn:midi_out"));
    clockpeer_master_start();
    wait_pulses(120);
    const ClockpeerHeard *h = clockpeer_heard;
    int n = atomic_load(&clockpeer_heard_count);
    CHECK_MSG(n > 100, "%d messages", n);
    if (n > 100) {
        double bpm = 60.0 * RATE * (n - 51) / (24.0 * (double)(h[n - 1].frame - h[50].frame));
        CHECK_NEAR(bpm, 125.0, 0.05);
    }
    clockpeer_master_stop();
    clockpeer_close();
    CHECK(stop_hiss(pid));
}

int main(void)
{
    srv.synchronous = true;
    if (!jackrec_server_start(&srv, RATE, PERIOD)) {
        fprintf(stderr, "FAIL cannot start a JACK server\n");
        test_failed++;
        return test_finish();
    }
    test_make_tmpdir(dir, sizeof dir, "play-clock");
    snprintf(song_path, sizeof song_path, "%s/song.hiss", dir);
    snprintf(log_path, sizeof log_path, "%s/play.log", dir);
    Song *song = synth_song(1, 64, 125, 6);
    HissDiag why = {{0}};
    if (songio_save(song, song_path, 0, &why) != HISS_OK) {
        fprintf(stderr, "FAIL cannot write the song: %s\n", why.text);
        test_failed++;
    } else {
        RUN(play_follows_the_clock);
        RUN(play_ignores_the_clock_without_the_switches);
    }
    song_free(song);
    jackrec_server_stop(&srv, false);
    if (!test_failed)
        test_remove_tree(dir);
    else
        fprintf(stderr, "  hiss play's output kept in %s\n", log_path);
    return test_finish();
}
