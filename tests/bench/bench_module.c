/* Module rendering, hiss against the reference players, side by side:
 * a generated 4-channel MOD and a 32-channel XM (every channel busy with
 * notes, slides and vibrato) rendered to WAV at 48 kHz with linear
 * interpolation by `hiss render`, `xmp -i linear` and `openmpt123
 * --render --filter 2`, whole process, best of 5 (CPU seconds, user +
 * system, and wall). A player that is not installed is skipped with a
 * message. Then how alike they sound: each render's loudness envelope
 * (10 ms RMS in dB, less the render's own overall level, so mixing gains
 * do not count) against openmpt123's, as the mean difference in dB over
 * the 10 ms windows louder than -50 dB in both, and the pitch every
 * 20 ms (libaubio's YIN) as the mean difference in cents where both
 * have one; for the busy modules and for a corpus of one effect per
 * module, each against xmp's figures (`--speed`: the speed figures
 * alone). Prints figures; never asserts timing or likeness. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <aubio/aubio.h>

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

enum { WINDOW = 480, PITCH_WINDOW = 960 }; /* 10 ms and 20 ms at 48 kHz */

/* A render's 10 ms RMS envelope in dB relative to its overall RMS, and
 * its pitch every 20 ms (Hz by YIN from the channels'
 * sum, 0 where it is too quiet or YIN is unsure). */
typedef struct {
    double *env, *pitch;
    int windows, pitches;
} Analysis;

static void analysis_free(Analysis *a)
{
    free(a->env);
    free(a->pitch);
}

/* The pitch of every PITCH_WINDOW frames of m, by libaubio's YIN (an
 * autocorrelation method: a zero-crossing count flips by one crossing on
 * a resonant filter's ringing, which two renders that correlate at 0.9997
 * can land on either side of, and reads as a fifth apart). 0 where the
 * window is too quiet or YIN is unsure. */
static void window_pitches(const double *m, uint32_t count, double *pitch, int windows)
{
    enum { YIN_BUFFER = 2 * PITCH_WINDOW };
    aubio_pitch_t *yin = new_aubio_pitch("yin", YIN_BUFFER, PITCH_WINDOW, 48000);
    fvec_t *in = new_fvec(PITCH_WINDOW), *out = new_fvec(1);
    aubio_pitch_set_silence(yin, -60);
    /* Each call adds PITCH_WINDOW frames and looks at the last
     * YIN_BUFFER: fed half a window ahead, call w looks at the frames
     * centred on the middle of window w (the first call's buffer is half
     * silence, so window 0 has no pitch). */
    uint32_t ahead = PITCH_WINDOW / 2;
    for (int w = 0; w < windows; w++) {
        double level = 0;
        for (uint32_t i = 0; i < PITCH_WINDOW; i++) {
            uint32_t at = (uint32_t)w * PITCH_WINDOW + ahead + i;
            in->data[i] = at < count ? (smpl_t)m[at] : 0;
            if (at - ahead < count)
                level += m[at - ahead] * m[at - ahead];
        }
        aubio_pitch_do(yin, in, out);
        bool sure = aubio_pitch_get_confidence(yin) > 0.8;
        pitch[w] = sqrt(level / PITCH_WINDOW) >= 1e-3 && sure && w > 0 ? out->data[0] : 0;
    }
    del_fvec(in);
    del_fvec(out);
    del_aubio_pitch(yin);
}

static bool analyse(const char *path, Analysis *out)
{
    SampleioAudio a;
    HissDiag d = {{0}};
    memset(out, 0, sizeof *out);
    if (sampleio_read(path, &a, NULL, &d) != HISS_OK)
        return false;
    double *mono = malloc(sizeof *mono * (a.count ? a.count : 1));
    for (uint32_t i = 0; i < a.count; i++) {
        mono[i] = 0;
        for (int c = 0; c < a.channels; c++)
            mono[i] += a.frames[i * (uint32_t)a.channels + (uint32_t)c];
    }
    int n = (int)(a.count / WINDOW);
    out->env = malloc(sizeof *out->env * (size_t)(n ? n : 1));
    double total = 0;
    for (int w = 0; w < n; w++) {
        double sum = 0;
        for (uint32_t i = (uint32_t)w * WINDOW; i < (uint32_t)(w + 1) * WINDOW; i++)
            sum += mono[i] * mono[i];
        total += sum;
        out->env[w] = sum / WINDOW;
    }
    double overall = n ? total / ((double)n * WINDOW) : 0;
    for (int w = 0; w < n; w++)
        out->env[w] = out->env[w] > 0 && overall > 0 ? 10 * log10(out->env[w] / overall)
                                                     : -200;
    out->windows = n;
    out->pitches = (int)(a.count / PITCH_WINDOW);
    out->pitch = malloc(sizeof *out->pitch * (size_t)(out->pitches ? out->pitches : 1));
    window_pitches(mono, a.count, out->pitch, out->pitches);
    free(mono);
    sampleio_audio_free(&a);
    return true;
}

/* Mean |a - b| in cents over the 20 ms windows where both have a pitch. */
static double pitch_distance(const Analysis *a, const Analysis *b)
{
    double sum = 0;
    int used = 0;
    for (int w = 0; w < a->pitches && w < b->pitches; w++)
        if (a->pitch[w] > 0 && b->pitch[w] > 0) {
            sum += fabs(1200 * log2(a->pitch[w] / b->pitch[w]));
            used++;
        }
    return used ? sum / used : NAN;
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
 * out_xmp, openmpt123 writes MODULE.wav beside the module. hiss writes
 * 16-bit as xmp does (its own default is 24-bit: half as many bytes
 * again to write), so the two do the same work. */
typedef struct {
    char *hiss[11], *xmp[10], *mpt[11];
} Commands;

static void commands_for(Commands *c, const char *hiss, const char *module,
                         const char *out_hiss, const char *out_xmp)
{
    Commands made = {
        {(char *)hiss, "render", (char *)module, "-o", (char *)out_hiss, "-q", "--interp",
         "linear", "--bits", "16", NULL},
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
        printf("  %-16s openmpt123 not installed: not compared\n", label);
        return;
    }
    char hiss_wav[600], xmp_wav[600], mpt_wav[700];
    snprintf(hiss_wav, sizeof hiss_wav, "%s/hiss.wav", dir);
    snprintf(xmp_wav, sizeof xmp_wav, "%s/xmp.wav", dir);
    snprintf(mpt_wav, sizeof mpt_wav, "%s.wav", module);
    Commands cmd;
    commands_for(&cmd, hiss, module, hiss_wav, xmp_wav);
    double cpu, wall;
    Analysis h, x, m;
    bool have_h = run(cmd.hiss, &cpu, &wall) && analyse(hiss_wav, &h);
    bool have_x = installed("xmp") && run(cmd.xmp, &cpu, &wall) && analyse(xmp_wav, &x);
    bool have_m = run(cmd.mpt, &cpu, &wall) && analyse(mpt_wav, &m);
    if (!have_h || !have_m) {
        printf("  %-16s a render failed: not compared\n", label);
    } else {
        double dh = envelope_distance(h.env, h.windows, m.env, m.windows);
        double ph = pitch_distance(&h, &m);
        printf("  %-16s hiss %5.2f dB %6.1f ct", label, dh, ph);
        if (have_x) {
            double dx = envelope_distance(x.env, x.windows, m.env, m.windows);
            double px = pitch_distance(&x, &m);
            /* Within 0.1 dB and 1 cent counts as as close. */
            bool loud_ok = dh <= dx + 0.1, pitch_ok = isnan(ph) || ph <= px + 1.0;
            printf("   xmp %5.2f dB %6.1f ct   hiss %s", dx, px,
                   loud_ok && pitch_ok ? "as close or closer"
                   : loud_ok           ? "further off in pitch"
                   : pitch_ok          ? "further off in loudness"
                                       : "further off");
        }
        printf("\n");
    }
    if (have_h)
        analysis_free(&h);
    if (have_x)
        analysis_free(&x);
    if (have_m)
        analysis_free(&m);
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

/* The generated corpus of effects: one note at a time on channel 1 of 4,
 * a looped sine (so the pitch can be followed), 64 rows at speed 6 and
 * 125 BPM. `fill` goes on every row without an event of its own. */
static float sine[2048];

typedef struct {
    int row;
    uint8_t note;
    char fx;
    uint8_t param;
} EffectEvent;

typedef struct {
    const char *label;
    EffectEvent ev[4];
    char fill;
    uint8_t fill_param;
} EffectCase;

static const EffectCase EFFECTS[] = {
    {"vibrato 4xy", {{0, 49, '4', 0x48}, {32, 56, '4', 0x68}}, '4', 0},
    {"tremolo 7xy", {{0, 49, '7', 0x88}, {32, 56, '7', 0x4C}}, '7', 0},
    {"porta up 1xx", {{0, 49, '1', 0x03}, {32, 44, '1', 0x01}}, '1', 0},
    {"porta down 2xx", {{0, 61, '2', 0x03}, {32, 56, '2', 0x01}}, '2', 0},
    {"tone porta 3xx", {{0, 49, 0, 0}, {16, 61, '3', 0x04}, {40, 44, '3', 0x08}}, '3', 0},
    {"arpeggio 0xy", {{0, 49, '0', 0x47}, {32, 56, '0', 0x37}}, '0', 0x37},
    {"vol slide Axy", {{0, 49, 'A', 0x01}, {32, 56, 'A', 0x20}}, 'A', 0},
    {"finetune E5x", {{0, 49, 'E', 0x54}, {16, 49, 0, 0}, {32, 49, 'E', 0x5C}}, 0, 0},
    {"glissando E3x", {{0, 49, 'E', 0x31}, {16, 61, '3', 0x03}}, '3', 0},
    {"vib wave E4x", {{0, 49, 'E', 0x42}, {32, 56, 'E', 0x41}}, '4', 0x48},
    {"retrig E9x", {{0, 49, 'E', 0x93}, {32, 56, 'E', 0x92}}, 0, 0},
    {"cut/delay ECx", {{0, 49, 'E', 0xC3}, {8, 56, 'E', 0xD3}, {16, 61, 'E', 0xC5}}, 0, 0},
    {"pat. delay EEx", {{0, 49, 0, 0}, {4, 0, 'E', 0xE3}, {8, 56, 0, 0}}, 0, 0},
};

static void effect_song(ModgenSong *s, const EffectCase *e)
{
    modgen_init(s, 4, 64, 6, 125);
    s->sample_count = 1;
    ModgenSample sm = {.data = sine, .frames = 2048,
                        .loop_start = 0, .loop_end = 2048, .volume = 48};
    s->samples[0] = sm;
    for (int r = 0; r < 48; r++) {
        const EffectEvent *at = NULL;
        for (size_t k = 0; k < sizeof e->ev / sizeof e->ev[0]; k++)
            if (e->ev[k].row == r && (e->ev[k].note || e->ev[k].fx))
                at = &e->ev[k];
        if (at)
            modgen_add(s, 0, r, 0, at->note, at->note ? 1 : 0, -1, at->fx, at->param);
        else if (e->fill)
            modgen_add(s, 0, r, 0, 0, 0, -1, e->fill, e->fill_param);
    }
    modgen_add(s, 0, 56, 0, 0, 0, -1, 'C', 0); /* silence before the end */
}

static void compare_effects(const char *dir, const char *hiss)
{
    static ModgenSong song;
    static const ModgenFormat FORMATS[] = {MODGEN_MOD, MODGEN_XM};
    for (size_t i = 0; i < sizeof EFFECTS / sizeof EFFECTS[0]; i++)
        for (size_t f = 0; f < 2; f++) {
            char module[600], label[64];
            snprintf(module, sizeof module, "%s/effect%s", dir,
                     modgen_extension(FORMATS[f]));
            snprintf(label, sizeof label, "%s %s", f ? "XM " : "MOD", EFFECTS[i].label);
            effect_song(&song, &EFFECTS[i]);
            modgen_save(&song, FORMATS[f], module);
            compare_file(label, module, dir, hiss);
        }
}

/* Instruments as real XM modules have them: `keymap` makes instrument 1
 * a keymap of three samples (a sine low, a saw in the middle at half
 * volume, a square an octave up by its relative note), notes across
 * it, every fourth without an instrument number; `envelope` gives
 * instrument 1 a volume envelope of several points (a fast attack, a
 * dip, a sustain, a tail after the note off). */
static float square[2048];

static void instrument_song(ModgenSong *s, bool keymap, bool envelope)
{
    modgen_init(s, 4, 64, 6, 125);
    s->patterns = 2;
    s->orders = 4;
    for (int o = 0; o < 4; o++)
        s->order[o] = (uint8_t)(o % 2);
    ModgenSample low = {.data = sine, .frames = 2048, .loop_start = 0, .loop_end = 2048,
                        .volume = 56};
    ModgenSample mid = {.data = saw, .frames = 2048, .loop_start = 0, .loop_end = 2048,
                        .volume = 32};
    ModgenSample top = {.data = square, .frames = 2048, .loop_start = 0, .loop_end = 2048,
                        .volume = 40, .relative_note = 12};
    s->samples[0] = low;
    s->samples[1] = mid;
    s->samples[2] = top;
    s->sample_count = keymap ? 3 : 1;
    if (keymap) {
        s->instrument_count = 1;
        s->instruments[0].count = 3;
        for (int k = 0; k < 96; k++)
            s->instruments[0].keymap[k] = (uint8_t)(k < 40 ? 0 : k < 52 ? 1 : 2);
    }
    if (envelope) {
        static const int TICK[] = {0, 3, 8, 14, 30}, VALUE[] = {0, 64, 24, 40, 0};
        ModgenSample *e = &s->samples[0];
        e->env_points = 5;
        for (int k = 0; k < 5; k++) {
            e->env_tick[k] = TICK[k];
            e->env_value[k] = VALUE[k];
        }
        e->env_sustain = 3;
        e->fadeout = 0x200;
    }
    /* A note every 4 rows, on channels 1 and 2 in turn; a note off ends
     * each, except one before a note without an instrument number on its
     * channel, which FastTracker 2 would play in the state the note off
     * left (silent without an envelope, fading with one). */
    for (int p = 0; p < 2; p++)
        for (int r = 0; r < 64; r += 4) {
            int c = (r / 4) % 2, note = 30 + (p * 13 + r * 5) % 36;
            bool bare = (r / 4) % 4 == 3, next_bare = (r / 4 + 2) % 4 == 3;
            modgen_add(s, p, r, c, (uint8_t)note, bare ? 0 : 1, -1, 0, 0);
            if (!next_bare)
                modgen_add(s, p, r + 3, c, MODGEN_NOTE_OFF, 0, -1, 0, 0);
        }
}

static void compare_instruments(const char *dir, const char *hiss)
{
    static ModgenSong song;
    static const struct {
        const char *label;
        bool keymap, envelope;
    } CASES[] = {{"XM keymap", true, false},
                 {"XM envelope", false, true},
                 {"XM keymap+env", true, true}};
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        char module[600];
        snprintf(module, sizeof module, "%s/instrument.xm", dir);
        instrument_song(&song, CASES[i].keymap, CASES[i].envelope);
        modgen_save(&song, MODGEN_XM, module);
        compare_file(CASES[i].label, module, dir, hiss);
    }
}

/* What IT and XM modules do beyond ProTracker, one feature a module:
 * XM and IT (IT's own letters from modgen) each. `it` makes the IT case
 * (its values in its own units where they differ). */
typedef struct {
    const char *label;
    void (*make)(ModgenSong *s, bool it);
    bool it_only, xm_only;
} FeatureCase;

/* One looped sine from row 0; the global volume set low, slid down, slid
 * up and set back, on another channel than the note's. */
/* Four channels, 64 rows at speed 6, 125 BPM, the looped sine playing
 * from row 0 on channel 1, silenced on row 56. */
static void sine_from_row_0(ModgenSong *s)
{
    modgen_init(s, 4, 64, 6, 125);
    s->sample_count = 1;
    ModgenSample sm = {.data = sine, .frames = 2048, .loop_start = 0, .loop_end = 2048,
                        .volume = 48};
    s->samples[0] = sm;
    modgen_add(s, 0, 0, 0, 49, 1, -1, 0, 0);
    modgen_add(s, 0, 56, 0, 0, 0, 0, 0, 0);
}

static void global_song(ModgenSong *s, bool it)
{
    sine_from_row_0(s);
    s->it_global_volume = 96;
    modgen_add(s, 0, 16, 1, 0, 0, -1, 'G', it ? 0x40 : 0x20);
    for (int r = 20; r < 28; r++)
        modgen_add(s, 0, r, 1, 0, 0, -1, 'H', it ? 0x04 : 0x02);
    for (int r = 32; r < 36; r++)
        modgen_add(s, 0, r, 1, 0, 0, -1, 'H', it ? 0x60 : 0x30);
    modgen_add(s, 0, 44, 1, 0, 0, -1, 'G', it ? 0x80 : 0x40);
}

/* IT instrument mode: a looped sine whose notes (every 8 rows, up and
 * down) go on under the next by the instrument's new-note action, fadeout
 * 24 (a fading note lasts 43 ticks); nna 3 is fade, 2 off, 1 continue
 * with a duplicate check of the note that cuts. */
static void nna_song(ModgenSong *s, int nna, int dct)
{
    modgen_init(s, 4, 64, 6, 125);
    s->sample_count = 1;
    s->it_instruments = 1;
    ModgenSample sm = {.data = sine, .frames = 2048, .loop_start = 0, .loop_end = 2048,
                        .volume = 32, .fadeout = 24, .it_nna = nna, .it_dct = dct};
    s->samples[0] = sm;
    static const uint8_t NOTES[] = {49, 56, 53, 49, 61, 44};
    for (int k = 0; k < 6; k++)
        modgen_add(s, 0, 8 * k, 0, NOTES[k], 1, -1, 0, 0);
    modgen_add(s, 0, 52, 0, 0, 0, -1, 'X', 0); /* S70: the past notes cut */
}

static void nna_fade_song(ModgenSong *s, bool it)
{
    nna_song(s, 3, 0);
}

static void nna_off_song(ModgenSong *s, bool it)
{
    nna_song(s, 2, 0);
}

static void nna_dup_song(ModgenSong *s, bool it)
{
    nna_song(s, 1, 1);
}

/* NNA off on an instrument whose volume envelope rises to a sustain and
 * falls after it: each note goes on in the background, let go. */
static void nna_env_song(ModgenSong *s, bool it)
{
    nna_song(s, 2, 0);
    ModgenSample *sm = &s->samples[0];
    static const int TICK[] = {0, 4, 10, 30}, LEVEL[] = {0, 64, 40, 0};
    sm->env_points = 4;
    for (int k = 0; k < 4; k++) {
        sm->env_tick[k] = TICK[k];
        sm->env_value[k] = LEVEL[k];
    }
    sm->env_sustain = 2;
}

/* A looped sine under tremor: 3 ticks on and 2 off, then 2 on and 4
 * off (XM counts one more than it says, IT as it says), then none. */
static void tremor_song(ModgenSong *s, bool it)
{
    sine_from_row_0(s);
    for (int r = 8; r < 40; r++)
        modgen_add(s, 0, r, 0, 0, 0, -1, 'T', r < 24 ? (it ? 0x32 : 0x21) : (it ? 0x24 : 0x13));
}

/* XM's Lxx: notes of an instrument whose volume envelope rises, dips and
 * holds, moved about in it. */
static void envpos_song(ModgenSong *s, bool it)
{
    sine_from_row_0(s);
    ModgenSample *sm = &s->samples[0];
    static const int TICK[] = {0, 8, 30, 60, 90}, LEVEL[] = {0, 64, 16, 48, 0};
    sm->env_points = 5;
    for (int k = 0; k < 5; k++) {
        sm->env_tick[k] = TICK[k];
        sm->env_value[k] = LEVEL[k];
    }
    sm->env_sustain = -1;
    modgen_add(s, 0, 6, 0, 0, 0, -1, 'L', 0x04);
    modgen_add(s, 0, 12, 0, 0, 0, -1, 'L', 0x40);
    modgen_add(s, 0, 20, 0, 49, 1, -1, 0, 0);
    modgen_add(s, 0, 24, 0, 0, 0, -1, 'L', 0x1A);
    modgen_add(s, 0, 30, 0, 0, 0, -1, 'L', 0x00);
}

/* Auto-vibrato: notes of an instrument with a sine vibrato that sweeps
 * in over 24 ticks. */
static void autovib_song(ModgenSong *s, bool it)
{
    sine_from_row_0(s);
    ModgenSample *sm = &s->samples[0];
    sm->vib_depth = it ? 16 : 8;
    sm->vib_rate = 12;
    sm->vib_sweep = 24;
    modgen_add(s, 0, 16, 0, 56, 1, -1, 0, 0);
    modgen_add(s, 0, 32, 0, 44, 1, -1, 0, 0);
}

/* IT note offs on an instrument without a volume envelope: each note
 * fades by the fadeout (NNA cut). */
static void off_fade_song(ModgenSong *s, bool it)
{
    nna_song(s, 0, 0);
    for (int k = 0; k < 6; k++)
        modgen_add(s, 0, 8 * k + 3, 0, MODGEN_NOTE_OFF, 0, -1, 0, 0);
}

/* IT's envelope switches: a volume envelope that falls over 40 ticks,
 * switched off (S77) and on again (S78), and the same for panning. */
static void env_switch_song(ModgenSong *s, bool it)
{
    nna_song(s, 0, 0);
    ModgenSample *sm = &s->samples[0];
    sm->env_points = 2;
    sm->env_tick[1] = 40;
    sm->env_value[0] = 64;
    sm->env_value[1] = 0;
    for (int k = 0; k < 6; k++) {
        modgen_add(s, 0, 8 * k + 2, 0, 0, 0, -1, 'X', 0x07);
        modgen_add(s, 0, 8 * k + 5, 0, 0, 0, -1, 'X', 0x08);
    }
}

static const FeatureCase FEATURES[] = {
    {"note-off fade", off_fade_song, true, false},
    {"auto-vibrato", autovib_song, false, false},
    {"env pos Lxx", envpos_song, false, true},
    {"tremor", tremor_song, false},
    {"global vol", global_song, false},
    {"NNA fade", nna_fade_song, true},
    {"NNA off", nna_off_song, true},
    {"NNA cont+dup", nna_dup_song, true},
    {"NNA off+env", nna_env_song, true},
    {"env switch", env_switch_song, true},
};

static void compare_features(const char *dir, const char *hiss)
{
    static ModgenSong song;
    for (size_t i = 0; i < sizeof FEATURES / sizeof FEATURES[0]; i++)
        for (int it = FEATURES[i].it_only; it < (FEATURES[i].xm_only ? 1 : 2); it++) {
            char module[600], label[64];
            snprintf(module, sizeof module, "%s/feature%s", dir, it ? ".it" : ".xm");
            snprintf(label, sizeof label, "%s %s", it ? "IT " : "XM ", FEATURES[i].label);
            FEATURES[i].make(&song, it);
            modgen_save(&song, it ? MODGEN_IT : MODGEN_XM, module);
            compare_file(label, module, dir, hiss);
        }
}

/* IT instruments' pitch and filter envelopes and resonant filters, one
 * feature a module: a looped saw (rich in partials, so a filter shows in
 * its level) on an instrument that has it, notes on rows 0 and 32. */
static void it_instrument_song(ModgenSong *s, int pitch_points, bool filter_env, int ifc,
                               int ifr)
{
    memset(s, 0, sizeof *s);
    modgen_init(s, 2, 64, 6, 125);
    s->it_instruments = 1;
    s->sample_count = 1;
    ModgenSample sm = {.data = saw, .frames = 2048, .loop_start = 0, .loop_end = 2048,
                       .volume = 48, .env_sustain = -1, .pitch_sustain = -1,
                       .it_ifc = ifc, .it_ifr = ifr};
    static const int TICK[4] = {0, 6, 14, 24}, VALUE[4] = {0, 24, -16, 8},
                     FTICK[4] = {0, 8, 20, 30}, FVALUE[4] = {-32, 32, -8, 16};
    sm.pitch_points = pitch_points;
    sm.pitch_is_filter = filter_env;
    for (int k = 0; k < pitch_points; k++) {
        sm.pitch_tick[k] = filter_env ? FTICK[k] : TICK[k];
        sm.pitch_value[k] = filter_env ? FVALUE[k] : VALUE[k];
    }
    s->samples[0] = sm;
    modgen_add(s, 0, 0, 0, 49, 1, -1, 0, 0);
    modgen_add(s, 0, 32, 0, 56, 1, -1, 0, 0);
}

static void it_zxx_song(ModgenSong *s)
{
    it_instrument_song(s, 0, false, 0x80 | 100, 0x80 | 16);
    static const uint8_t Z[] = {0x60, 0x40, 0x88, 0x20, 0x50, 0x8F, 0x70, 0x30};
    for (int k = 0; k < 8; k++)
        modgen_add(s, 0, 4 + 7 * k, 0, 0, 0, -1, 'Z', Z[k]);
}

static void compare_it_instruments(const char *dir, const char *hiss)
{
    static ModgenSong song;
    static const struct {
        const char *label;
        int points;
        bool filter_env;
        int ifc, ifr;
    } CASES[] = {
        {"IT pitch env", 4, false, 0, 0},
        {"IT filter", 0, false, 0x80 | 60, 0x80 | 0},
        {"IT resonance", 0, false, 0x80 | 70, 0x80 | 110},
        {"IT filter env", 4, true, 0x80 | 110, 0x80 | 40},
    };
    char module[600];
    snprintf(module, sizeof module, "%s/it-instrument.it", dir);
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        it_instrument_song(&song, CASES[i].points, CASES[i].filter_env, CASES[i].ifc,
                           CASES[i].ifr);
        modgen_save(&song, MODGEN_IT, module);
        compare_file(CASES[i].label, module, dir, hiss);
    }
    it_zxx_song(&song);
    modgen_save(&song, MODGEN_IT, module);
    compare_file("IT Zxx", module, dir, hiss);
}

int main(int argc, char **argv)
{
    const char *hiss = getenv("HISS") ? getenv("HISS") : "build/hiss";
    for (int i = 0; i < 2048; i++) {
        saw[i] = 0.5f * (2.0f * (i % 64) / 64.0f - 1.0f);
        sine[i] = 0.5f * (float)sin(2 * M_PI * i / 32);
        square[i] = i % 32 < 16 ? 0.4f : -0.4f;
    }
    const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char dir[512], mod[600], xm[600], s3m[600], it[600];
    snprintf(dir, sizeof dir, "%s/hiss-bench-module-XXXXXX", base);
    if (!mkdtemp(dir)) {
        perror("bench_module: mkdtemp");
        return 1;
    }
    if (argc == 2 && (!strcmp(argv[1], "--instruments") || !strcmp(argv[1], "--features") ||
                      !strcmp(argv[1], "--it-instruments"))) {
        /* Only the instruments' or the features' comparison, the quick ones. */
        if (!strcmp(argv[1], "--it-instruments"))
            compare_it_instruments(dir, hiss);
        else if (!strcmp(argv[1], "--features"))
            compare_features(dir, hiss);
        else
            compare_instruments(dir, hiss);
        char rm[700];
        snprintf(rm, sizeof rm, "rm -rf '%s'", dir);
        return system(rm) != 0;
    }
    snprintf(mod, sizeof mod, "%s/busy4.mod", dir);
    snprintf(xm, sizeof xm, "%s/busy32.xm", dir);
    snprintf(s3m, sizeof s3m, "%s/busy8.s3m", dir);
    snprintf(it, sizeof it, "%s/busy16.it", dir);
    char cmd[700];
    static ModgenSong song;
    busy_song(&song, 4);
    modgen_save(&song, MODGEN_MOD, mod);
    busy_song(&song, 32);
    modgen_save(&song, MODGEN_XM, xm);
    busy_song(&song, 8);
    modgen_save(&song, MODGEN_S3M, s3m);
    busy_song(&song, 16);
    modgen_save(&song, MODGEN_IT, it);
    printf("bench_module: render 48 kHz linear to WAV (16-bit for hiss and xmp, float "
           "for openmpt123), whole process, best of %d "
           "(16 orders x 64 rows, speed 6, 125 BPM: 122.9 s of song)\n", RUNS);
    bench_file("4-channel MOD", mod, dir, hiss);
    bench_file("32-channel XM", xm, dir, hiss);
    if (argc == 2 && !strcmp(argv[1], "--speed")) {
        /* The speed figures alone, without the comparisons. */
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        return system(cmd) != 0;
    }
    printf("bench_module: against openmpt123, mean difference of the loudness envelope "
           "(10 ms RMS, dB, own level removed) and of the pitch (every 20 ms, cents)\n");
    compare_file("4-channel MOD", mod, dir, hiss);
    compare_file("32-channel XM", xm, dir, hiss);
    compare_file("8-channel S3M", s3m, dir, hiss);
    compare_file("16-channel IT", it, dir, hiss);
    printf("bench_module: the effects corpus, module by module, the same figures\n");
    compare_effects(dir, hiss);
    printf("bench_module: instruments of several samples and envelopes, the same figures\n");
    compare_instruments(dir, hiss);
    printf("bench_module: IT instruments' pitch and filter envelopes and filters, the same "
           "figures\n");
    compare_it_instruments(dir, hiss);
    printf("bench_module: IT and XM features (global volume...), the same figures\n");
    compare_features(dir, hiss);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_module: could not remove %s\n", dir);
    return 0;
}
