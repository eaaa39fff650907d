#include "song.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bit layout of a packed cell (low to high): note, instrument, volume,
 * fx, fx_param, fx2, fx2_param; the top byte is spare. */
uint64_t song_cell_pack(Cell c)
{
    return (uint64_t)c.note | (uint64_t)c.instrument << 8 |
           (uint64_t)c.volume << 16 | (uint64_t)c.fx << 24 |
           (uint64_t)c.fx_param << 32 | (uint64_t)c.fx2 << 40 |
           (uint64_t)c.fx2_param << 48;
}

Cell song_cell_unpack(uint64_t v)
{
    Cell c = {
        .note = (uint8_t)v,
        .instrument = (uint8_t)(v >> 8),
        .volume = (uint8_t)(v >> 16),
        .fx = (uint8_t)(v >> 24),
        .fx_param = (uint8_t)(v >> 32),
        .fx2 = (uint8_t)(v >> 40),
        .fx2_param = (uint8_t)(v >> 48),
    };
    return c;
}

bool song_cell_is_empty(Cell c)
{
    return song_cell_pack(c) == song_cell_pack(song_cell_empty());
}

static const char NOTE_LETTERS[12][3] = {"C-", "C#", "D-", "D#", "E-", "F-",
                                         "F#", "G-", "G#", "A-", "A#", "B-"};

bool song_name_copy(char dst[SONG_NAME_MAX], const char *src)
{
    size_t keep = src ? strlen(src) : 0;
    bool whole = keep < SONG_NAME_MAX;
    if (!whole) {
        /* src[keep] is the first byte left out: while it continues a
         * character, that character would be split, so it goes too. */
        keep = SONG_NAME_MAX - 1;
        while (keep > 0 && ((unsigned char)src[keep] & 0xC0) == 0x80)
            keep--;
    }
    memset(dst, 0, SONG_NAME_MAX);
    if (keep)
        memcpy(dst, src, keep);
    return whole;
}

void song_note_name(uint8_t note, char buf[4])
{
    if (note == NOTE_OFF) {
        memcpy(buf, "===", 4);
    } else if (note == NOTE_CUT) {
        memcpy(buf, "^^^", 4);
    } else if (note >= NOTE_FIRST && note <= NOTE_LAST) {
        int n = note - NOTE_FIRST;
        buf[0] = NOTE_LETTERS[n % 12][0];
        buf[1] = NOTE_LETTERS[n % 12][1];
        buf[2] = (char)('0' + n / 12);
        buf[3] = 0;
    } else {
        memcpy(buf, "...", 4);
    }
}

bool song_note_parse(const char *t, uint8_t *note)
{
    if (!strncmp(t, "...", 3)) {
        *note = NOTE_EMPTY;
        return true;
    }
    if (!strncmp(t, "===", 3)) {
        *note = NOTE_OFF;
        return true;
    }
    if (!strncmp(t, "^^^", 3)) {
        *note = NOTE_CUT;
        return true;
    }
    if (t[2] < '0' || t[2] > '9')
        return false;
    for (int i = 0; i < 12; i++) {
        if (t[0] == NOTE_LETTERS[i][0] && t[1] == NOTE_LETTERS[i][1]) {
            *note = (uint8_t)(NOTE_FIRST + (t[2] - '0') * 12 + i);
            return true;
        }
    }
    return false;
}

Pattern *song_pattern_new(int rows, int channels)
{
    if (rows < 1 || rows > SONG_MAX_ROWS || channels < 1 ||
        channels > SONG_MAX_CHANNELS)
        return NULL;
    size_t n = (size_t)rows * (size_t)channels;
    Pattern *p = malloc(sizeof *p + n * sizeof p->cells[0]);
    if (!p)
        return NULL;
    p->rows = (uint16_t)rows;
    p->channels = (uint16_t)channels;
    uint64_t empty = song_cell_pack(song_cell_empty());
    for (size_t i = 0; i < n; i++)
        atomic_init(&p->cells[i], empty);
    return p;
}

Pattern *song_pattern_resized(const Pattern *src, int rows, int channels)
{
    Pattern *p = song_pattern_new(rows, channels);
    if (!p || !src)
        return p;
    for (int r = 0; r < rows && r < src->rows; r++)
        for (int c = 0; c < channels && c < src->channels; c++)
            song_pattern_set(p, r, c, song_pattern_get(src, r, c));
    return p;
}

void song_pattern_free(Pattern *pattern)
{
    free(pattern);
}

static const char *const LOOP_NAMES[] = {"off", "forward", "pingpong"};
static const char *const INTERP_NAMES[] = {"raw", "linear", "cubic", "sinc"};

const char *song_loop_name(LoopMode mode)
{
    return (unsigned)mode < HISS_ARRAY_LEN(LOOP_NAMES) ? LOOP_NAMES[mode] : "?";
}

const char *song_interp_name(InterpMode mode)
{
    return (unsigned)mode < HISS_ARRAY_LEN(INTERP_NAMES) ? INTERP_NAMES[mode]
                                                         : "?";
}

bool song_loop_parse(const char *name, LoopMode *mode)
{
    for (size_t i = 0; i < HISS_ARRAY_LEN(LOOP_NAMES); i++)
        if (!strcmp(name, LOOP_NAMES[i])) {
            *mode = (LoopMode)i;
            return true;
        }
    return false;
}

bool song_interp_parse(const char *name, InterpMode *mode)
{
    for (size_t i = 0; i < HISS_ARRAY_LEN(INTERP_NAMES); i++)
        if (!strcmp(name, INTERP_NAMES[i])) {
            *mode = (InterpMode)i;
            return true;
        }
    return false;
}

Instrument *song_instrument_new(void)
{
    Instrument *inst = calloc(1, sizeof *inst);
    if (!inst)
        return NULL;
    inst->volume = 64;
    inst->base_note = NOTE_C4;
    inst->interp = INTERP_LINEAR;
    shape_defaults(inst->shape);
    for (int k = 0; k < SONG_ENV_KINDS; k++)
        song_envelope_clear(&inst->env[k]);
    return inst;
}

const char *const song_env_names[SONG_ENV_KINDS] = {"vol", "pan", "bend", "cutoff"};

int song_env_neutral(SongEnvKind kind)
{
    return kind == SONG_ENV_PANNING || kind == SONG_ENV_PITCH ? SONG_ENV_TOP / 2 : SONG_ENV_TOP;
}

void song_envelope_clear(SongEnvelope *env)
{
    memset(env, 0, sizeof *env);
    env->sustain_start = env->sustain_end = -1;
    env->loop_start = env->loop_end = -1;
}

/* Whether start..end is a range of points of env, or both -1. */
static bool points_fit(const SongEnvelope *env, int start, int end)
{
    if (start == -1 && end == -1)
        return true;
    return start >= 0 && start <= end && end < env->count;
}

const char *song_envelope_problem(const SongEnvelope *env)
{
    if (env->count == 0)
        return env->sustain_start == -1 && env->loop_start == -1
                   ? NULL
                   : "a sustain or loop without points";
    if (env->count < 2 || env->count > SONG_ENV_POINTS)
        return "not 2..32 points";
    for (int k = 0; k < env->count; k++) {
        if (env->value[k] > SONG_ENV_TOP)
            return "a level past 64";
        if (k && env->tick[k] <= env->tick[k - 1])
            return "ticks do not go up";
    }
    if (!points_fit(env, env->sustain_start, env->sustain_end))
        return "a sustain past its points";
    if (!points_fit(env, env->loop_start, env->loop_end))
        return "a loop past its points";
    return NULL;
}

float song_envelope_value(const SongEnvelope *env, int pos)
{
    int n = env->count < SONG_ENV_POINTS ? env->count : SONG_ENV_POINTS;
    if (n < 1)
        return SONG_ENV_TOP;
    if (pos <= env->tick[0])
        return env->value[0];
    for (int k = 1; k < n; k++)
        if (pos < env->tick[k]) {
            float t0 = env->tick[k - 1], t1 = env->tick[k];
            float v0 = env->value[k - 1], v1 = env->value[k];
            return t1 > t0 ? v0 + (v1 - v0) * ((float)pos - t0) / (t1 - t0) : v1;
        }
    return env->value[n - 1];
}

/* tick[k] of env, or -1 when k is no point of it. */
static int point_tick(const SongEnvelope *env, int k)
{
    return k >= 0 && k < env->count && k < SONG_ENV_POINTS ? env->tick[k] : -1;
}

int song_envelope_next(const SongEnvelope *env, int pos, bool held)
{
    int n = env->count < SONG_ENV_POINTS ? env->count : SONG_ENV_POINTS;
    if (n < 1)
        return pos;
    int sus_end = point_tick(env, env->sustain_end);
    if (held && sus_end >= 0 && pos == sus_end)
        return hiss_clampi(point_tick(env, env->sustain_start), 0, sus_end);
    int loop_end = point_tick(env, env->loop_end);
    if (loop_end >= 0 && pos == loop_end)
        return hiss_clampi(point_tick(env, env->loop_start), 0, loop_end);
    return pos < env->tick[n - 1] ? pos + 1 : pos;
}

bool song_envelope_ended_silent(const SongEnvelope *env, int pos)
{
    int n = env->count < SONG_ENV_POINTS ? env->count : SONG_ENV_POINTS;
    return n > 0 && point_tick(env, env->loop_end) < 0 && pos >= env->tick[n - 1] &&
           env->value[n - 1] == 0;
}

int song_instrument_set_slices(Instrument *inst, const uint32_t *frames, int count)
{
    if (count > SONG_MAX_SLICES)
        count = SONG_MAX_SLICES;
    int n = 0;
    for (int i = 0; i < count; i++) {
        /* Insertion keeps it sorted: at most 128 points. */
        uint32_t v = frames[i];
        int at = n;
        while (at > 0 && inst->slices[at - 1] > v)
            at--;
        if (at > 0 && inst->slices[at - 1] == v)
            continue;
        memmove(&inst->slices[at + 1], &inst->slices[at],
                (size_t)(n - at) * sizeof inst->slices[0]);
        inst->slices[at] = v;
        n++;
    }
    inst->slice_count = n;
    return n;
}

int song_instrument_note_slice(const Instrument *inst, int note, int pick)
{
    int count = hiss_clampi(inst->slice_count, 0, SONG_MAX_SLICES);
    if (pick > 0)
        return pick <= count ? pick - 1 : SONG_SLICE_NONE;
    if (!inst->shape[SHAPE_SLICE_MODE] || !count)
        return SONG_SLICE_WHOLE;
    int k = note - NOTE_C4;
    return k >= 0 && k < count ? k : SONG_SLICE_NONE;
}

bool song_instrument_take_marks(Instrument *inst)
{
    const Sample *sample = inst->sample;
    if (!sample)
        return false;
    const SampleMarks *m = &sample->marks;
    bool changed = false;
    if (!(inst->given & INST_GIVEN_LOOP) && m->loop != SAMPLE_LOOP_NONE &&
        m->loop_start < m->loop_end && m->loop_end <= sample->frames) {
        inst->loop = m->loop == SAMPLE_LOOP_PINGPONG ? LOOP_PINGPONG : LOOP_FORWARD;
        inst->loop_start = m->loop_start;
        inst->loop_end = m->loop_end;
        changed = true;
    }
    if (!(inst->given & INST_GIVEN_BASE) && m->root_note >= NOTE_FIRST &&
        m->root_note <= NOTE_LAST) {
        inst->base_note = (uint8_t)m->root_note;
        changed = true;
    }
    if (!(inst->given & INST_GIVEN_SLICES) && m->cue_count > 0) {
        song_instrument_set_slices(inst, m->cues, m->cue_count);
        changed = true;
    }
    return changed;
}

Instrument *song_instrument_clone(const Instrument *src)
{
    Instrument *inst = malloc(sizeof *inst);
    if (!inst)
        return NULL;
    *inst = *src;
    sample_retain(inst->sample);
    return inst;
}

void song_instrument_free(Instrument *inst)
{
    if (!inst)
        return;
    sample_release(inst->sample);
    free(inst);
}

void song_bpm_text(int bpm_tenths, char out[SONG_BPM_TEXT])
{
    int t = hiss_clampi(bpm_tenths, SONG_BPM_MIN, SONG_BPM_MAX);
    if (t % 10)
        snprintf(out, SONG_BPM_TEXT, "%d.%d", t / 10, t % 10);
    else
        snprintf(out, SONG_BPM_TEXT, "%d", t / 10);
}

Song *song_new_empty(void)
{
    Song *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    atomic_init(&s->bpm_tenths, 1200);
    atomic_init(&s->speed, 6);
    atomic_init(&s->rows_per_beat, 4);
    atomic_init(&s->swing, 0);
    atomic_init(&s->master_gain_tenth_db, 0);
    atomic_init(&s->limiter, true);
    atomic_init(&s->global_volume, SONG_GLOBAL_VOLUME_MAX);
    atomic_init(&s->limiter_ceiling_tenth_db, SONG_CEILING_DEFAULT);
    atomic_init(&s->channels, 4);
    atomic_init(&s->order_count, 0);
    for (int i = 0; i < SONG_MAX_ORDERS; i++)
        atomic_init(&s->orders[i], 0);
    for (int i = 0; i < SONG_MAX_PATTERNS; i++)
        atomic_init(&s->patterns[i], NULL);
    for (int i = 0; i <= SONG_MAX_INSTRUMENTS; i++)
        atomic_init(&s->instruments[i], NULL);
    for (int c = 0; c < SONG_MAX_CHANNELS; c++) {
        atomic_init(&s->strips[c].gain_tenth_db, SONG_CHANNEL_GAIN_DEFAULT);
        atomic_init(&s->strips[c].pan, 0);
        atomic_init(&s->strips[c].mute, false);
        atomic_init(&s->strips[c].solo, false);
        song_eq_init(&s->strips[c].eq);
        for (int i = 0; i < SONG_COMP_PARAMS; i++)
            atomic_init(&s->strips[c].comp[i], song_comp_params[i].def);
        for (int i = 0; i < SONG_GROOVE_PARAMS; i++)
            atomic_init(&s->strips[c].groove[i], song_groove_params[i].def);
        atomic_init(&s->strips[c].groove_own, false);
        atomic_init(&s->strips[c].duck_from, 0);
        atomic_init(&s->strips[c].duck_inst, 0);
        for (int i = 0; i < SHAPE_COUNT; i++)
            atomic_init(&s->strips[c].fx[i], shape_info((ShapeParam)i)->def);
        atomic_init(&s->strips[c].duck_depth_tenth_db, SONG_DUCK_DEPTH_DEFAULT);
        atomic_init(&s->strips[c].duck_attack_ms, SONG_DUCK_ATTACK_DEFAULT);
        atomic_init(&s->strips[c].duck_hold_ms, SONG_DUCK_HOLD_DEFAULT);
        atomic_init(&s->strips[c].duck_release_ms, SONG_DUCK_RELEASE_DEFAULT);
        for (int k = 0; k < SONG_SENDS; k++) {
            atomic_init(&s->strips[c].send_tenth_db[k], SONG_GAIN_MIN);
            atomic_init(&s->strips[c].send_pre[k], false);
        }
    }
    for (int i = 0; i < SONG_DELAY_PARAMS; i++)
        atomic_init(&s->delay[i], song_delay_params[i].def);
    for (int i = 0; i < SONG_REVERB_PARAMS; i++)
        atomic_init(&s->reverb[i], song_reverb_params[i].def);
    for (int i = 0; i < SONG_GLUE_PARAMS; i++)
        atomic_init(&s->glue[i], song_glue_params[i].def);
    for (int i = 0; i < SONG_TAPE_PARAMS; i++)
        atomic_init(&s->tape[i], song_tape_params[i].def);
    for (int i = 0; i < SONG_GROOVE_SONG_PARAMS; i++)
        atomic_init(&s->groove[i], song_groove_params[i].def);
    song_eq_init(&s->master_eq);
    return s;
}

Song *song_new(void)
{
    Song *s = song_new_empty();
    if (!s)
        return NULL;
    Pattern *p = song_pattern_new(64, 4);
    if (!p) {
        song_free(s);
        return NULL;
    }
    atomic_store(&s->patterns[0], p);
    atomic_store(&s->order_count, 1);
    return s;
}

void song_eq_store(SongEqShared *m, const SongEq *eq)
{
    atomic_store(&m->low_cut_hz, eq->low_cut_hz);
    atomic_store(&m->low_shelf_hz, eq->low_shelf_hz);
    atomic_store(&m->low_shelf_tenth_db, eq->low_shelf_tenth_db);
    atomic_store(&m->mid_hz, eq->mid_hz);
    atomic_store(&m->mid_tenth_db, eq->mid_tenth_db);
    atomic_store(&m->mid_q_tenths, eq->mid_q_tenths);
    atomic_store(&m->high_shelf_hz, eq->high_shelf_hz);
    atomic_store(&m->high_shelf_tenth_db, eq->high_shelf_tenth_db);
    atomic_store(&m->high_cut_hz, eq->high_cut_hz);
}

void song_eq_init(SongEqShared *m)
{
    SongEq flat = song_eq_default();
    song_eq_store(m, &flat);
}

SongEq song_eq_default(void)
{
    SongEq eq = {0, 100, 0, 1000, 0, 7, 8000, 0, 0};
    return eq;
}

bool song_strip_is_default(const Song *song, int channel)
{
    const SongStrip *st = &song->strips[channel];
    return atomic_load(&st->gain_tenth_db) == SONG_CHANNEL_GAIN_DEFAULT &&
           atomic_load(&st->pan) == 0 && !atomic_load(&st->mute) &&
           !atomic_load(&st->solo) && !st->name[0] &&
           atomic_load(&st->send_tenth_db[0]) == SONG_GAIN_MIN &&
           atomic_load(&st->send_tenth_db[1]) == SONG_GAIN_MIN &&
           !atomic_load(&st->send_pre[0]) && !atomic_load(&st->send_pre[1]) &&
           !atomic_load(&st->duck_from) && !atomic_load(&st->duck_inst);
}

const SongParamInfo song_delay_params[SONG_DELAY_PARAMS] = {
    [SONG_DELAY_TIME] = {"time", SONG_PARAM_NOTE, 4, 256 + 2, 8 * 4 + SONG_NOTE_DOTTED, "note"},
    [SONG_DELAY_FEEDBACK] = {"feedback", SONG_PARAM_INT, 0, 95, 35, "%"},
    [SONG_DELAY_LOW_CUT] = {"low_cut", SONG_PARAM_INT, 0, 20000, 100, "Hz", true},
    [SONG_DELAY_HIGH_CUT] = {"high_cut", SONG_PARAM_INT, 0, 20000, 6000, "Hz", true},
    [SONG_DELAY_PING_PONG] = {"ping_pong", SONG_PARAM_SWITCH, 0, 1, 0, ""},
    [SONG_DELAY_WOBBLE] = {"wobble", SONG_PARAM_INT, 0, 100, 0, "%"},
    [SONG_DELAY_TO_REVERB] = {"to_reverb", SONG_PARAM_TENTHS, SONG_GAIN_MIN, 0, SONG_GAIN_MIN,
                              "dB", true},
};

const SongParamInfo song_glue_params[SONG_GLUE_PARAMS] = {
    [SONG_GLUE_ON] = {"active", SONG_PARAM_SWITCH, 0, 1, 0, ""},
    [SONG_GLUE_THRESHOLD] = {"threshold", SONG_PARAM_TENTHS, SONG_GAIN_MIN, 0, -120, "dBFS"},
    [SONG_GLUE_RATIO] = {"ratio", SONG_PARAM_TENTHS, 10, 200, 20, ":1"},
    [SONG_GLUE_ATTACK] = {"attack", SONG_PARAM_INT, 0, 500, 10, "ms"},
    [SONG_GLUE_RELEASE] = {"release", SONG_PARAM_INT, 1, 5000, 100, "ms"},
    [SONG_GLUE_MAKEUP] = {"makeup", SONG_PARAM_TENTHS, 0, 240, 0, "dB"},
};

const SongParamInfo song_tape_params[SONG_TAPE_PARAMS] = {
    [SONG_TAPE_DRIVE] = {"drive", SONG_PARAM_INT, 0, 100, 0, "%"},
};

const ShapeParam song_insert_params[SONG_INSERT_PARAMS] = {SONG_INSERT_PARAM_LIST};

const SongParamInfo song_comp_params[SONG_COMP_PARAMS] = {
    [SONG_GLUE_ON] = {"active", SONG_PARAM_SWITCH, 0, 1, 0, ""},
    [SONG_GLUE_THRESHOLD] = {"threshold", SONG_PARAM_TENTHS, SONG_GAIN_MIN, 0, -120, "dBFS"},
    [SONG_GLUE_RATIO] = {"ratio", SONG_PARAM_TENTHS, 10, 200, 40, ":1"},
    [SONG_GLUE_ATTACK] = {"attack", SONG_PARAM_INT, 0, 500, 5, "ms"},
    [SONG_GLUE_RELEASE] = {"release", SONG_PARAM_INT, 1, 5000, 150, "ms"},
    [SONG_GLUE_MAKEUP] = {"makeup", SONG_PARAM_TENTHS, 0, 240, 0, "dB"},
    [SONG_COMP_KEY] = {"key", SONG_PARAM_INT, 0, SONG_MAX_CHANNELS, 0, "channel", true},
};

const SongParamInfo song_groove_params[SONG_GROOVE_SONG_PARAMS] = {
    [SONG_GROOVE_SWING] = {"swing", SONG_PARAM_INT, 50, 75, 50, "%"},
    [SONG_GROOVE_GRID] = {"grid", SONG_PARAM_INT, 8, 16, 16, "th"},
    [SONG_GROOVE_HUMAN_MS] = {"human_ms", SONG_PARAM_INT, 0, 50, 0, "ms"},
    [SONG_GROOVE_HUMAN_VEL] = {"human_vel", SONG_PARAM_INT, 0, 100, 0, "%"},
    [SONG_GROOVE_SEED] = {"seed", SONG_PARAM_INT, 0, 99999999, 0, ""},
};

void song_channel_groove(const Song *song, int channel, int out[SONG_GROOVE_PARAMS])
{
    const SongStrip *st = &song->strips[hiss_clampi(channel, 0, SONG_MAX_CHANNELS - 1)];
    bool own = atomic_load_explicit(&st->groove_own, memory_order_relaxed);
    song_params_read(own ? st->groove : song->groove, song_groove_params,
                     SONG_GROOVE_PARAMS, out);
    /* A grid between the two is read as 16ths, as the file never holds one. */
    if (out[SONG_GROOVE_GRID] != 8)
        out[SONG_GROOVE_GRID] = 16;
}

const SongParamInfo song_reverb_params[SONG_REVERB_PARAMS] = {
    [SONG_REVERB_SIZE] = {"size", SONG_PARAM_INT, 0, 100, 60, "%"},
    [SONG_REVERB_DECAY] = {"decay", SONG_PARAM_TENTHS, 1, 300, 18, "s"},
    [SONG_REVERB_PREDELAY] = {"predelay", SONG_PARAM_INT, 0, 250, 10, "ms"},
    [SONG_REVERB_DAMPING] = {"damping", SONG_PARAM_INT, 0, 100, 30, "%"},
    [SONG_REVERB_WIDTH] = {"width", SONG_PARAM_INT, 0, 100, 100, "%"},
};

void song_params_read(const _Atomic int *values, const SongParamInfo *params, int count,
                      int *out)
{
    for (int i = 0; i < count; i++)
        out[i] = hiss_clampi(atomic_load_explicit(&values[i], memory_order_relaxed),
                             params[i].min, params[i].max);
}

bool song_note_value_valid(int code)
{
    int division = code / 4, feel = code % 4;
    return division >= 1 && division <= 64 && !(division & (division - 1)) &&
           feel <= SONG_NOTE_TRIPLET;
}

double song_note_value_beats(int code)
{
    if (!song_note_value_valid(code))
        return 0.0;
    double beats = 4.0 / (code / 4);
    int feel = code % 4;
    return feel == SONG_NOTE_DOTTED ? beats * 1.5 : feel == SONG_NOTE_TRIPLET ? beats * 2.0 / 3.0
                                                                              : beats;
}

const char *song_note_value_text(int code, char *out)
{
    static const char *const FEEL[] = {"", "d", "t"};
    if (!song_note_value_valid(code))
        snprintf(out, 8, "?");
    else
        /* A valid division is 1..64: as a byte, the text fits in 8. */
        snprintf(out, 8, "1/%u%s", (unsigned)(unsigned char)(code / 4), FEEL[code % 4]);
    return out;
}

void song_free(Song *song)
{
    if (!song)
        return;
    for (int i = 0; i < SONG_MAX_PATTERNS; i++)
        song_pattern_free(atomic_load(&song->patterns[i]));
    for (int i = 1; i <= SONG_MAX_INSTRUMENTS; i++)
        song_instrument_free(atomic_load(&song->instruments[i]));
    free(song);
}

Song *song_clone(const Song *src)
{
    Song *s = malloc(sizeof *s);
    if (!s)
        return NULL;
    /* Settings are copied as they are: only the thread that writes them
     * calls this, and the engine only reads them. */
    memcpy(s, src, sizeof *s);
    for (int i = 0; i < SONG_MAX_PATTERNS; i++)
        atomic_init(&s->patterns[i], NULL);
    for (int i = 0; i <= SONG_MAX_INSTRUMENTS; i++)
        atomic_init(&s->instruments[i], NULL);
    for (int i = 0; i < SONG_MAX_PATTERNS; i++) {
        const Pattern *p = song_pattern(src, i);
        Pattern *copy = p ? song_pattern_resized(p, p->rows, p->channels) : NULL;
        if (p && !copy)
            goto fail;
        atomic_init(&s->patterns[i], copy);
    }
    for (int i = 1; i <= SONG_MAX_INSTRUMENTS; i++) {
        const Instrument *inst = song_instrument(src, i);
        Instrument *copy = inst ? song_instrument_clone(inst) : NULL;
        if (inst && !copy)
            goto fail;
        atomic_init(&s->instruments[i], copy);
    }
    return s;
fail:
    song_free(s);
    return NULL;
}

double song_note_ratio(int note, int base_note, int finetune_cents)
{
    return pow(2.0, (note - base_note) / 12.0 + finetune_cents / 1200.0);
}

const char *const song_note_action_names[SONG_NOTE_ACTIONS] = {"cut", "continue", "off",
                                                                 "fade"};
const char *const song_dup_check_names[SONG_DUP_CHECKS] = {"off", "note", "sample",
                                                           "instrument"};

int song_name_find(const char *const *names, int count, const char *name, size_t len)
{
    for (int i = 0; i < count; i++)
        if (strlen(names[i]) == len && !memcmp(names[i], name, len))
            return i;
    return -1;
}
