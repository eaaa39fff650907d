/* Module rendering, hiss against the reference players, side by side:
 * a generated 4-channel MOD and a 32-channel XM (every channel busy with
 * notes, slides and vibrato) rendered to WAV at 48 kHz with linear
 * interpolation by `hiss render`, `xmp -i linear` and `openmpt123
 * --render --filter 2`, whole process, best of 5 (CPU seconds, user +
 * system, and wall). A player that is not installed is skipped with a
 * message. Then how alike they sound: each render's loudness envelope
 * (10 ms RMS in dB, less the render's own overall level, so mixing gains
 * do not count) against openmpt123's, as the mean difference in dB over
 * the 10 ms windows louder than -50 dB in both. Prints figures; never
 * asserts timing. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/modgen.h"
#include "common/proc.h"
#include "sampleio.h"

enum { RUNS = 5 };

static double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Runs argv with its output thrown away; best-of figures, false when it
 * fails. */
static bool run(char *const argv[], double *cpu, double *wall)
{
    fflush(stdout); /* else the child's freopen writes our buffer again */
    double t0 = wall_seconds();
    pid_t pid = fork();
    if (pid < 0)
        return false;
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
            _exit(126);
        execvp(argv[0], argv);
        _exit(127);
    }
    if (!test_reap(pid, cpu))
        return false;
    *wall = wall_seconds() - t0;
    return true;
}

static bool installed(const char *program)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", program);
    return system(cmd) == 0;
}

static float saw[2048];

/* `channels` channels, 8 patterns of 64 rows played twice: a note on every
 * channel every 2 rows, with porta, vibrato and volume slides between. */
static void busy_song(ModgenSong *s, int channels)
{
    modgen_init(s, channels, 64, 6, 125);
    s->patterns = 8;
    s->orders = 16;
    for (int o = 0; o < 16; o++)
        s->order[o] = (uint8_t)(o % 8);
    s->sample_count = 1;
    ModgenSample sm = {.data = saw, .frames = 2048,
                        .loop_start = 0, .loop_end = 2048, .volume = 48};
    s->samples[0] = sm;
    static const char FX[] = {'4', '1', '2', 'A', '0'};
    static const uint8_t PARAM[] = {0x46, 0x02, 0x02, 0x02, 0x37};
    for (int p = 0; p < 8; p++)
        for (int r = 0; r < 64; r += 2)
            for (int c = 0; c < channels; c++) {
                int k = (p * 7 + r * 3 + c * 5) % 5;
                modgen_add(s, p, r, c, (uint8_t)(37 + (p + r + c) % 24), 1, -1, FX[k],
                           PARAM[k]);
            }
}

enum { WINDOW = 480 }; /* 10 ms at 48 kHz */

/* The file's 10 ms RMS envelope in dB relative to its overall RMS
 * (malloc'ed, *count windows), or NULL when it cannot be read. */
static double *loudness(const char *path, int *count)
{
    SampleioAudio a;
    HissDiag d = {{0}};
    if (sampleio_read(path, &a, NULL, &d) != HISS_OK)
        return NULL;
    int n = (int)(a.count / WINDOW);
    double *env = malloc(sizeof *env * (size_t)(n ? n : 1));
    double total = 0;
    for (int w = 0; w < n; w++) {
        double sum = 0;
        for (uint32_t i = (uint32_t)w * WINDOW; i < (uint32_t)(w + 1) * WINDOW; i++) {
            double m = 0;
            for (int c = 0; c < a.channels; c++)
                m += a.frames[i * (uint32_t)a.channels + (uint32_t)c];
            sum += m * m;
        }
        total += sum;
        env[w] = sum / WINDOW;
    }
    double overall = n ? total / ((double)n * WINDOW) : 0;
    for (int w = 0; w < n; w++)
        env[w] = env[w] > 0 && overall > 0 ? 10 * log10(env[w] / overall) : -200;
    sampleio_audio_free(&a);
    *count = n;
    return env;
}

/* Mean |a - b| in dB over the windows where both are above -50 dB. */
static double envelope_distance(const double *a, int na, const double *b, int nb)
{
    double sum = 0;
    int used = 0;
    for (int w = 0; w < na && w < nb; w++)
        if (a[w] > -50 && b[w] > -50) {
            sum += fabs(a[w] - b[w]);
            used++;
        }
    return used ? sum / used : NAN;
}

/* The three players' command lines: hiss and xmp write out_hiss and
 * out_xmp, openmpt123 writes MODULE.wav beside the module. */
typedef struct {
    char *hiss[9], *xmp[10], *mpt[11];
} Commands;

static void commands_for(Commands *c, const char *hiss, const char *module,
                         const char *out_hiss, const char *out_xmp)
{
    Commands made = {
        {(char *)hiss, "render", (char *)module, "-o", (char *)out_hiss, "-q", "--interp",
         "linear", NULL},
        {"xmp", "-q", "-i", "linear", "-f", "48000", "-o", (char *)out_xmp, (char *)module,
         NULL},
        {"openmpt123", "--batch", "--quiet", "--render", "--force", "--samplerate", "48000",
         "--filter", "2", (char *)module, NULL},
    };
    *c = made;
}

static void compare_file(const char *label, const char *module, const char *dir,
                         const char *hiss)
{
    if (!installed("openmpt123")) {
        printf("  %-14s openmpt123 not installed: not compared\n", label);
        return;
    }
    char hiss_wav[600], xmp_wav[600], mpt_wav[700];
    snprintf(hiss_wav, sizeof hiss_wav, "%s/hiss.wav", dir);
    snprintf(xmp_wav, sizeof xmp_wav, "%s/xmp.wav", dir);
    snprintf(mpt_wav, sizeof mpt_wav, "%s.wav", module);
    Commands cmd;
    commands_for(&cmd, hiss, module, hiss_wav, xmp_wav);
    char **hiss_argv = cmd.hiss, **xmp_argv = cmd.xmp, **mpt_argv = cmd.mpt;
    double cpu, wall;
    int nh = 0, nx = 0, nm = 0;
    double *eh = run(hiss_argv, &cpu, &wall) ? loudness(hiss_wav, &nh) : NULL;
    double *ex = installed("xmp") && run(xmp_argv, &cpu, &wall) ? loudness(xmp_wav, &nx)
                                                                : NULL;
    double *em = run(mpt_argv, &cpu, &wall) ? loudness(mpt_wav, &nm) : NULL;
    if (!eh || !em) {
        printf("  %-14s a render failed: not compared\n", label);
    } else {
        double dh = envelope_distance(eh, nh, em, nm);
        printf("  %-14s hiss %5.2f dB", label, dh);
        if (ex) {
            double dx = envelope_distance(ex, nx, em, nm);
            printf("   xmp %5.2f dB   hiss %s", dx,
                   dh <= dx ? "as close or closer" : "further off");
        }
        printf("\n");
    }
    free(eh);
    free(ex);
    free(em);
}

static void bench_file(const char *label, const char *module, const char *dir,
                       const char *hiss)
{
    char out[600];
    snprintf(out, sizeof out, "%s/out.wav", dir);
    Commands cmd;
    commands_for(&cmd, hiss, module, out, out);
    struct {
        const char *name;
        char *const *argv;
    } players[] = {{"hiss render", cmd.hiss}, {"xmp", cmd.xmp}, {"openmpt123", cmd.mpt}};
    double hiss_wall = 0, hiss_cpu = 0;
    printf("  %s\n", label);
    for (size_t i = 0; i < sizeof players / sizeof players[0]; i++) {
        if (i && !installed(players[i].name)) {
            printf("    %-12s not installed: skipped (apt-get install %s)\n",
                   players[i].name, players[i].name);
            continue;
        }
        double best_cpu = 0, best_wall = 0;
        bool ok = true;
        for (int k = 0; k < RUNS && ok; k++) {
            double cpu, wall;
            ok = run(players[i].argv, &cpu, &wall);
            if (ok && (!k || wall < best_wall)) {
                best_wall = wall;
                best_cpu = cpu;
            }
        }
        if (!ok) {
            printf("    %-12s failed\n", players[i].name);
            continue;
        }
        if (!i) {
            hiss_wall = best_wall;
            hiss_cpu = best_cpu;
        }
        printf("    %-12s %7.3f s wall %7.3f s CPU", players[i].name, best_wall, best_cpu);
        if (i && hiss_wall > 0 && hiss_cpu > 0)
            printf("   hiss: %.2fx as fast (wall), %.2fx (CPU)", best_wall / hiss_wall,
                   best_cpu / hiss_cpu);
        printf("\n");
    }
}

int main(void)
{
    const char *hiss = getenv("HISS") ? getenv("HISS") : "build/hiss";
    for (int i = 0; i < 2048; i++)
        saw[i] = 0.5f * (2.0f * (i % 64) / 64.0f - 1.0f);
    const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char dir[512], mod[600], xm[600], s3m[600], it[600];
    snprintf(dir, sizeof dir, "%s/hiss-bench-module-XXXXXX", base);
    if (!mkdtemp(dir)) {
        perror("bench_module: mkdtemp");
        return 1;
    }
    snprintf(mod, sizeof mod, "%s/busy4.mod", dir);
    snprintf(xm, sizeof xm, "%s/busy32.xm", dir);
    snprintf(s3m, sizeof s3m, "%s/busy8.s3m", dir);
    snprintf(it, sizeof it, "%s/busy16.it", dir);
    static ModgenSong song;
    busy_song(&song, 4);
    modgen_save(&song, MODGEN_MOD, mod);
    busy_song(&song, 32);
    modgen_save(&song, MODGEN_XM, xm);
    busy_song(&song, 8);
    modgen_save(&song, MODGEN_S3M, s3m);
    busy_song(&song, 16);
    modgen_save(&song, MODGEN_IT, it);
    printf("bench_module: render 48 kHz linear to WAV, whole process, best of %d "
           "(16 orders x 64 rows, speed 6, 125 BPM: 122.9 s of song)\n", RUNS);
    bench_file("4-channel MOD", mod, dir, hiss);
    bench_file("32-channel XM", xm, dir, hiss);
    printf("bench_module: loudness envelope (10 ms RMS, dB, own level removed) "
           "against openmpt123's, mean difference\n");
    compare_file("4-channel MOD", mod, dir, hiss);
    compare_file("32-channel XM", xm, dir, hiss);
    compare_file("8-channel S3M", s3m, dir, hiss);
    compare_file("16-channel IT", it, dir, hiss);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_module: could not remove %s\n", dir);
    return 0;
}
