/* `hiss render` of the demo, before and after render went to large blocks.
 *
 * Live: the engine through the demo at 48 kHz in the blocks the old render
 * used (a quarter of the shortest row, 117 frames) and in the new ones
 * (32768 frames); then the whole command (HISS, default build/hiss), its
 * CPU time and wall time. Recorded: the old command on the same machine
 * (main at 58eeacd, frame by frame near every possible end, one write call
 * per block). Prints figures; never asserts timing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/proc.h"
#include "engine.h"
#include "songio.h"
#include "timing.h"

#define RATE 48000u

static double thread_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The song once through at `block` frames a call: audio seconds per CPU
 * second. */
static double engine_speed(Song *song, uint64_t frames, uint32_t block)
{
    Engine *e = engine_new(song, RATE);
    float *buf = malloc(sizeof(float) * 2 * block);
    engine_play_song_now(e, 0, 0, false);
    double t0 = thread_seconds();
    for (uint64_t done = 0; done < frames; done += block) {
        uint32_t n = frames - done < block ? (uint32_t)(frames - done) : block;
        engine_render(e, buf, n);
    }
    double cpu = thread_seconds() - t0;
    free(buf);
    engine_free(e);
    return cpu > 0 ? (double)frames / RATE / cpu : 0;
}

/* Runs `hiss render SONG -o OUT -q`; its CPU seconds (user + system), wall
 * seconds and write calls (-1 if unknown), or false when it fails. */
static bool run_render(const char *hiss, const char *song, const char *out, double *cpu,
                       double *wall, long *writes)
{
    double t0 = wall_seconds();
    pid_t pid = fork();
    if (pid < 0)
        return false;
    if (pid == 0) {
        execl(hiss, hiss, "render", song, "-o", out, "-q", (char *)NULL);
        _exit(127);
    }
    /* Its write calls, from /proc while it is a zombie (not yet reaped). */
    siginfo_t info;
    *writes = -1;
    if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT) == 0) {
        char path[64], line[128];
        snprintf(path, sizeof path, "/proc/%d/io", (int)pid);
        FILE *f = fopen(path, "r");
        while (f && fgets(line, sizeof line, f))
            if (sscanf(line, "syscw: %ld", writes) == 1)
                break;
        if (f)
            fclose(f);
    }
    if (!test_reap(pid, cpu))
        return false;
    *wall = wall_seconds() - t0;
    return true;
}

int main(void)
{
    const char *hiss = getenv("HISS") ? getenv("HISS") : "build/hiss";
    const char *song_path = "patterns/demo.hiss";
    HissDiag diag = {{0}};
    Song *demo = NULL;
    if (songio_load(song_path, RATE, &demo, &diag, NULL) != HISS_OK) {
        fprintf(stderr, "bench_render_cli: %s\n", diag.text);
        return 1;
    }
    TimingScan scan;
    if (timing_scan(demo, RATE, false, &scan) != HISS_OK) {
        song_free(demo);
        return 1;
    }
    double seconds = (double)scan.end_frame / RATE;
    printf("bench_render_cli: hiss render %s (%.2f s of song), 48 kHz\n", song_path,
           seconds);
    printf("  engine, old render blocks (117 frames):  %6.0fx real time\n",
           engine_speed(demo, scan.end_frame, 117));
    printf("  engine, new render blocks (32768 frames): %6.0fx real time\n",
           engine_speed(demo, scan.end_frame, 32768));
    timing_deinit(&scan);
    song_free(demo);

    const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char dir[512], out[600];
    snprintf(dir, sizeof dir, "%s/hiss-bench-XXXXXX", base);
    if (!mkdtemp(dir)) {
        perror("bench_render_cli: mkdtemp");
        return 1;
    }
    snprintf(out, sizeof out, "%s/demo.wav", dir);
    double best_cpu = 0, best_wall = 0;
    long writes = -1;
    for (int i = 0; i < 3; i++) {
        double cpu, wall;
        if (!run_render(hiss, song_path, out, &cpu, &wall, &writes)) {
            fprintf(stderr, "bench_render_cli: %s render failed\n", hiss);
            unlink(out);
            rmdir(dir);
            return 1;
        }
        if (!i || cpu < best_cpu) {
            best_cpu = cpu;
            best_wall = wall;
        }
    }
    unlink(out);
    rmdir(dir);
    printf("  hiss render, now (best of 3): %.2f s CPU, %.2f s wall, %.0fx real time, "
           "%ld write calls\n",
           best_cpu, best_wall, best_cpu > 0 ? seconds / best_cpu : 0, writes);
    printf("  hiss render, before (recorded, frame by frame near ends): 2.04-2.57 s "
           "CPU, 38947 write calls for the demo, 81243 for a 3-minute song\n");
    return 0;
}
