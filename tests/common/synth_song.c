#include "synth_song.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static Sample *from_buffer(float *buf, uint32_t frames, int channels,
                           uint32_t rate)
{
    Sample *s = sample_new(buf, frames, channels, rate);
    free(buf);
    return s;
}

Sample *synth_sine(uint32_t rate, double freq, uint32_t frames, int channels,
                   float amp)
{
    float *buf = malloc(sizeof(float) * frames * (size_t)channels);
    for (uint32_t i = 0; i < frames; i++)
        for (int c = 0; c < channels; c++)
            buf[(size_t)i * channels + c] =
                amp * (float)sin(2.0 * M_PI * freq * i / rate);
    return from_buffer(buf, frames, channels, rate);
}

Sample *synth_dc(uint32_t rate, uint32_t frames, float value)
{
    float *buf = malloc(sizeof(float) * frames);
    for (uint32_t i = 0; i < frames; i++)
        buf[i] = value;
    return from_buffer(buf, frames, 1, rate);
}

Sample *synth_index(uint32_t rate, uint32_t frames)
{
    float *buf = malloc(sizeof(float) * frames);
    for (uint32_t i = 0; i < frames; i++)
        buf[i] = (float)(i + 1) / 1024.0f;
    return from_buffer(buf, frames, 1, rate);
}

Sample *synth_noise(uint32_t rate, uint32_t frames, int channels, float amp,
                    uint32_t seed)
{
    float *buf = malloc(sizeof(float) * frames * (size_t)channels);
    uint32_t x = seed ? seed : 1;
    for (size_t i = 0; i < (size_t)frames * channels; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        buf[i] = amp * ((float)(x >> 8) / 8388608.0f - 1.0f);
    }
    return from_buffer(buf, frames, channels, rate);
}

Sample *synth_kick(uint32_t rate)
{
    uint32_t frames = rate / 4;
    float *buf = malloc(sizeof(float) * frames);
    double phase = 0;
    for (uint32_t i = 0; i < frames; i++) {
        double t = (double)i / rate;
        double f = 45.0 + 120.0 * exp(-t * 30.0);
        phase += 2.0 * M_PI * f / rate;
        buf[i] = (float)(0.9 * sin(phase) * exp(-t * 9.0));
    }
    return from_buffer(buf, frames, 1, rate);
}

Sample *synth_hat(uint32_t rate)
{
    uint32_t frames = rate / 16;
    Sample *noise = synth_noise(rate, frames, 1, 0.5f, 99);
    float *buf = malloc(sizeof(float) * frames);
    for (uint32_t i = 0; i < frames; i++)
        buf[i] = noise->data[i] * (float)exp(-(double)i / rate * 60.0);
    sample_release(noise);
    return from_buffer(buf, frames, 1, rate);
}

Instrument *synth_instrument(Sample *sample, LoopMode loop, uint32_t loop_start,
                             uint32_t loop_end, InterpMode interp)
{
    Instrument *inst = song_instrument_new();
    inst->sample = sample;
    inst->loop = loop;
    inst->loop_start = loop_start;
    inst->loop_end = loop_end;
    inst->interp = interp;
    return inst;
}

Song *synth_song(int channels, int rows, int bpm, int speed)
{
    Song *s = song_new_empty();
    atomic_store(&s->channels, channels);
    atomic_store(&s->bpm_tenths, bpm * 10);
    atomic_store(&s->speed, speed);
    atomic_store(&s->limiter, false);
    /* Faders at unity: these songs measure the voices' own levels. */
    for (int c = 0; c < SONG_MAX_CHANNELS; c++)
        atomic_store(&s->strips[c].gain_tenth_db, 0);
    synth_add_pattern(s, 0, rows);
    return s;
}

Pattern *synth_add_pattern(Song *song, int index, int rows)
{
    Pattern *p = song_pattern_new(rows, atomic_load(&song->channels));
    atomic_store(&song->patterns[index], p);
    int n = atomic_load(&song->order_count);
    atomic_store(&song->orders[n], (uint8_t)index);
    atomic_store(&song->order_count, n + 1);
    return p;
}

void synth_set_instrument(Song *song, int slot, Instrument *inst)
{
    atomic_store(&song->instruments[slot], inst);
}

void synth_put(Song *song, int pattern, int row, int channel, uint8_t note,
               uint8_t inst, uint8_t vol, uint8_t fx, uint8_t param)
{
    Pattern *p = atomic_load(&song->patterns[pattern]);
    Cell c = song_pattern_get(p, row, channel);
    c.note = note;
    c.instrument = inst;
    c.volume = vol;
    c.fx = fx;
    c.fx_param = param;
    song_pattern_set(p, row, channel, c);
}

void synth_put2(Song *song, int pattern, int row, int channel, uint8_t fx2,
                uint8_t param2)
{
    Pattern *p = atomic_load(&song->patterns[pattern]);
    Cell c = song_pattern_get(p, row, channel);
    c.fx2 = fx2;
    c.fx2_param = param2;
    song_pattern_set(p, row, channel, c);
}

void synth_force_interp(Song *song, InterpMode mode)
{
    for (int i = 1; i <= SONG_MAX_INSTRUMENTS; i++) {
        Instrument *inst = atomic_load(&song->instruments[i]);
        if (inst) {
            inst->interp = mode;
            engine_prepare_instrument(inst);
        }
    }
}

void synth_shape_all(Song *song, bool choke)
{
    for (int i = 1; i <= SONG_MAX_INSTRUMENTS; i++) {
        Instrument *inst = atomic_load(&song->instruments[i]);
        if (!inst)
            continue;
        /* Different per slot, so stages end at every kind of frame. */
        inst->shape[SHAPE_ATTACK] = 3 + i;
        inst->shape[SHAPE_HOLD] = 7 * i;
        inst->shape[SHAPE_DECAY] = 40 + 11 * i;
        inst->shape[SHAPE_SUSTAIN] = 30 + 5 * (i % 10);
        inst->shape[SHAPE_RELEASE] = 60;
        inst->shape[SHAPE_PITCH] = i % 2 ? 7 : -5;
        inst->shape[SHAPE_PITCH_DECAY] = 30 * i;
        inst->shape[SHAPE_FILTER] = SHAPE_FILTER_LP12 + i % SHAPE_FILTER_LAST;
        inst->shape[SHAPE_CUTOFF] = 200 + 700 * i;
        inst->shape[SHAPE_RESONANCE] = 15 * (i % 7);
        inst->shape[SHAPE_FILTER_ENV] = i % 2 ? 36 : -24;
        inst->shape[SHAPE_FENV_FROM] = i % 3 == 0 ? SHAPE_FENV_OWN : SHAPE_FENV_AMP;
        inst->shape[SHAPE_FENV_ATTACK] = 2 * i;
        inst->shape[SHAPE_FENV_HOLD] = 5 * i;
        inst->shape[SHAPE_FENV_DECAY] = 30 + 13 * i;
        inst->shape[SHAPE_FENV_SUSTAIN] = 10 * (i % 8);
        inst->shape[SHAPE_FENV_RELEASE] = 40 + i;
        inst->shape[SHAPE_KEY_TRACK] = 50;
        inst->shape[SHAPE_FILTER_VEL] = 12;
        inst->shape[SHAPE_CRUSH_BITS] = 4 + i % 12;
        inst->shape[SHAPE_CRUSH_RATE] = 4000 + 1500 * i;
        inst->shape[SHAPE_CRUSH_MIX] = 70;
        inst->shape[SHAPE_DRIVE] = 10 * (i % 9);
        inst->shape[SHAPE_DRIVE_TYPE] = i % 2;
        inst->shape[SHAPE_DRIVE_VEL] = 25 * (i % 5);
        inst->shape[SHAPE_VOICE_MODE] = i % 3;
        inst->shape[SHAPE_GLIDE] = 20 * i;
        inst->shape[SHAPE_CHOKE] = choke && i % 2 ? 1 : 0;
        inst->shape[SHAPE_CHOKE_FADE] = 3 * i;
        inst->shape[SHAPE_START] = 7 * i;
        inst->shape[SHAPE_END] = inst->sample && inst->loop == LOOP_OFF
                                     ? (int)(inst->sample->frames * 3 / 4) : 0;
    }
}

#define E VOLUME_EMPTY

Song *synth_beat(uint32_t rate)
{
    Song *s = synth_song(8, 64, 92, 6);
    atomic_store(&s->limiter, true);
    atomic_store(&s->swing, 20);
    for (int p = 1; p < 4; p++)
        synth_add_pattern(s, p, 64);
    synth_set_instrument(s, 1, synth_instrument(synth_kick(rate), LOOP_OFF, 0, 0, INTERP_LINEAR));
    synth_set_instrument(s, 2, synth_instrument(synth_noise(rate, rate / 6, 1, 0.4f, 7), LOOP_OFF, 0, 0, INTERP_LINEAR));
    synth_set_instrument(s, 3, synth_instrument(synth_hat(rate), LOOP_OFF, 0, 0, INTERP_RAW));
    Instrument *bass = synth_instrument(synth_sine(rate, 110.0, rate / 10 * 4, 1, 0.6f), LOOP_FORWARD, 0, rate / 10 * 4, INTERP_LINEAR);
    bass->base_note = NOTE_C4 - 15; /* 110 Hz is A-2 */
    synth_set_instrument(s, 4, bass);
    synth_set_instrument(s, 5, synth_instrument(synth_sine(rate, 440.0, rate / 10, 2, 0.25f), LOOP_PINGPONG, 100, rate / 10, INTERP_SINC));
    static const uint8_t bassline[8] = {0, 0, 3, 5, 7, 5, 3, 10};
    for (int p = 0; p < 4; p++) {
        for (int r = 0; r < 64; r++) {
            if (r % 16 == 0 || r % 16 == 10)
                synth_put(s, p, r, 0, NOTE_C4, 1, E, 0, 0);
            if (r % 16 == 8)
                synth_put(s, p, r, 1, NOTE_C4, 2, 48, 0, 0);
            if (r % 2 == 0)
                synth_put(s, p, r, 2, NOTE_C4 + (r % 4 ? 2 : 0), 3, r % 4 ? 24 : 40, 0, 0);
            if (r % 4 == 0)
                synth_put(s, p, r, 3, NOTE_C4 - 24 + bassline[(r / 4 + p) % 8], 4, E, r % 8 ? '3' : 0, 0x20);
            if (r % 16 == 0)
                synth_put(s, p, r, 4 + (p & 1), NOTE_C4 + (p * 5) % 12, 5, 40, '4', 0x42);
            if (r % 32 == 4)
                synth_put(s, p, r, 6, NOTE_C4 + 12, 5, 30, '0', 0x47);
            if (r % 8 == 6)
                synth_put(s, p, r, 7, NOTE_C4 + 7, 4, 32, 'A', 0x02);
        }
    }
    return s;
}

Song *synth_stress(uint32_t rate)
{
    Song *s = synth_song(32, 64, 140, 3);
    atomic_store(&s->limiter, true);
    atomic_store(&s->master_gain_tenth_db, -180);
    synth_set_instrument(s, 1, synth_instrument(synth_sine(rate, 220.0, rate / 4, 1, 0.5f), LOOP_FORWARD, 0, 0, INTERP_LINEAR));
    synth_set_instrument(s, 2, synth_instrument(synth_noise(rate, rate / 2, 2, 0.3f, 3), LOOP_PINGPONG, rate / 8, rate / 2, INTERP_LINEAR));
    synth_set_instrument(s, 3, synth_instrument(synth_sine(rate, 330.0, rate / 3, 2, 0.4f), LOOP_FORWARD, rate / 6, rate / 3, INTERP_LINEAR));
    static const uint8_t fx[4] = {'1', '2', '4', '3'};
    for (int c = 0; c < 32; c++) {
        for (int r = 0; r < 64; r += 16) {
            int note = NOTE_C4 - 12 + (c * 7 + r) % 30;
            synth_put(s, 0, r, c, (uint8_t)note, (uint8_t)(1 + c % 3), 40, fx[c % 4], c % 4 == 2 ? 0x46 : 0x03);
            for (int k = 1; k < 16; k++)
                synth_put(s, 0, r + k, c, NOTE_EMPTY, 0, E, fx[c % 4], 0);
        }
    }
    return s;
}

Song *synth_every_effect(uint32_t rate)
{
    Song *s = synth_song(6, 64, 125, 6);
    atomic_store(&s->limiter, true);
    atomic_store(&s->swing, 30);
    synth_add_pattern(s, 1, 32);
    synth_set_instrument(s, 1, synth_instrument(synth_sine(rate, 261.63, rate / 2, 1, 0.5f), LOOP_FORWARD, 0, 0, INTERP_LINEAR));
    synth_set_instrument(s, 2, synth_instrument(synth_noise(rate, rate / 4, 2, 0.3f, 5), LOOP_PINGPONG, 1000, 6000, INTERP_SINC));
    synth_set_instrument(s, 3, synth_instrument(synth_kick(rate), LOOP_OFF, 0, 0, INTERP_RAW));
    static const struct { uint8_t fx, param; } fx[] = {
        {'0', 0x37}, {'1', 0x08}, {'2', 0x08}, {'3', 0x10}, {'4', 0x46},
        {'5', 0x02}, {'6', 0x20}, {'8', 0x40}, {'9', 0x04}, {'A', 0x0F},
        {'C', 0x20}, {'E', 0x14}, {'E', 0x22}, {'E', 0x93}, {'E', 0xA2},
        {'E', 0xB2}, {'E', 0xC3}, {'E', 0xD2}, {'P', 0x40}, {'P', 0x04},
        {'R', 0x82}, {'R', 0xF3}, {'R', 0x63}, {'F', 0x03}, {'F', 0x80},
    };
    int n = (int)(sizeof fx / sizeof fx[0]);
    for (int r = 0; r < 64; r++) {
        for (int c = 0; c < 5; c++) {
            int k = (r + c * 5) % n;
            uint8_t note = (uint8_t)(r % 3 == 0 ? NOTE_C4 + (r + c) % 12 : NOTE_EMPTY);
            if (r % 17 == 16)
                note = c % 2 ? NOTE_OFF : NOTE_CUT;
            synth_put(s, 0, r, c, note, (uint8_t)(note && note <= NOTE_LAST ? 1 + c % 3 : 0),
                      r % 5 == 0 ? (uint8_t)(r % 65) : E, fx[k].fx, fx[k].param);
            if (r % 7 == 3)
                synth_put2(s, 0, r, c, 'A', 0x10);
        }
    }
    synth_put(s, 0, 10, 5, NOTE_EMPTY, 0, E, 'E', 0x60);
    synth_put(s, 0, 12, 5, NOTE_EMPTY, 0, E, 'E', 0x62);
    synth_put(s, 0, 40, 5, NOTE_EMPTY, 0, E, 'D', 0x04);
    synth_put(s, 1, 8, 5, NOTE_EMPTY, 0, E, 'B', 0x00);
    synth_put(s, 1, 4, 0, NOTE_C4, 2, E, 'F', 0x06);
    return s;
}

float *synth_render(Song *song, uint32_t rate, uint32_t frames, uint32_t block)
{
    Engine *e = engine_new(song, rate);
    float *out = calloc((size_t)frames * 2, sizeof(float));
    if (!e || !out) {
        engine_free(e);
        free(out);
        return NULL;
    }
    engine_play_song_now(e, 0, 0, false);
    for (uint32_t done = 0; done < frames; done += block) {
        uint32_t n = frames - done < block ? frames - done : block;
        engine_render(e, out + 2 * (size_t)done, n);
    }
    engine_free(e);
    return out;
}

float *synth_render_edits(Song *song, uint32_t rate, const uint32_t *at, const int *params,
                          const int *values, int count, uint32_t frames)
{
    Engine *e = engine_new(song, rate);
    float *out = calloc((size_t)frames * 2, sizeof(float));
    bool sent = e && out;
    if (sent)
        engine_play_song_now(e, 0, 0, false);
    uint32_t done = 0;
    for (int k = 0; sent && k <= count; k++) {
        uint32_t to = k < count ? at[k] : frames;
        engine_render(e, out + 2 * (size_t)done, to - done);
        done = to;
        if (k == count)
            break;
        Instrument *copy = song_instrument_clone(song_instrument(song, 1));
        copy->shape[params[k]] = values[k];
        Instrument *old = atomic_exchange(&song->instruments[1], copy);
        EngineCommand cmd = {ENGINE_CMD_RETIRE_INSTRUMENT, 0, 0, 0, old};
        sent = engine_send(e, &cmd);
    }
    EngineReturn r;
    while (e && engine_take_return(e, &r))
        song_instrument_free(r.ptr);
    engine_free(e);
    if (!sent) {
        free(out);
        return NULL;
    }
    return out;
}

bool synth_same_in_any_block(Song *song, uint32_t rate, uint32_t frames, float *peak)
{
    static const uint32_t blocks[4] = {1, 64, 1023, 64};
    float *out[4];
    bool same = true;
    for (int k = 0; k < 4; k++) {
        out[k] = synth_render(song, rate, frames, blocks[k]);
        same = same && (!k || !memcmp(out[0], out[k], sizeof(float) * 2 * frames));
    }
    *peak = synth_peak(out[0], 0, frames, 0);
    for (int k = 0; k < 4; k++)
        free(out[k]);
    return same;
}

uint64_t synth_row_frame(uint32_t rate, int bpm, int speed, int row_index)
{
    uint64_t ticks = (uint64_t)row_index * (uint64_t)speed;
    return ticks * rate * 5u / (2u * (uint64_t)bpm);
}

double synth_frequency(const float *stereo, uint32_t start, uint32_t count,
                         int ch, uint32_t rate)
{
    double first = -1, last = -1;
    int crossings = 0;
    for (uint32_t i = start + 1; i < start + count; i++) {
        float a = stereo[2 * (i - 1) + ch], b = stereo[2 * i + ch];
        if (a < 0 && b >= 0) {
            double t = (i - 1) + (double)a / ((double)a - (double)b);
            if (first < 0)
                first = t;
            last = t;
            crossings++;
        }
    }
    if (crossings < 2)
        return 0;
    return (crossings - 1) / (last - first) * rate;
}

uint32_t synth_first_above(const float *stereo, uint32_t from,
                             uint32_t frames, float threshold)
{
    for (uint32_t i = from; i < frames; i++)
        if (fabsf(stereo[2 * i]) > threshold ||
            fabsf(stereo[2 * i + 1]) > threshold)
            return i;
    return UINT32_MAX;
}

int synth_bursts(const float *stereo, uint32_t frames, float threshold,
                   uint32_t gap)
{
    int bursts = 0;
    uint32_t quiet = gap;
    for (uint32_t i = 0; i < frames; i++) {
        bool loud = fabsf(stereo[2 * i]) > threshold ||
                    fabsf(stereo[2 * i + 1]) > threshold;
        if (loud) {
            if (quiet >= gap)
                bursts++;
            quiet = 0;
        } else {
            quiet++;
        }
    }
    return bursts;
}

float synth_peak(const float *stereo, uint32_t start, uint32_t count, int ch)
{
    float p = 0;
    for (uint32_t i = start; i < start + count; i++)
        if (fabsf(stereo[2 * i + ch]) > p)
            p = fabsf(stereo[2 * i + ch]);
    return p;
}

void synth_render_span(Engine *e, float *out, uint32_t from, uint32_t to)
{
    while (from < to) {
        uint32_t n = to - from > 256 ? 256 : to - from;
        engine_render(e, out + 2 * (size_t)from, n);
        from += n;
    }
}

double synth_rms(const float *stereo, uint32_t start, uint32_t count, int ch)
{
    double sum = 0.0;
    for (uint32_t i = start; i < start + count; i++)
        sum += (double)stereo[2 * i + ch] * stereo[2 * i + ch];
    return count ? sqrt(sum / count) : 0.0;
}
