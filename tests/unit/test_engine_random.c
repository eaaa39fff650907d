/* Hostile songs and commands: random cells (any byte in any field),
 * instruments with out-of-range settings, missing and empty samples, and
 * random commands with random arguments. The engine must not crash, must
 * produce finite samples within the clipper's range, and must stay
 * block-size invariant. Seeds are fixed, so a failure reproduces. */
#include <stdlib.h>
#include <string.h>

#include "common/synth_song.h"
#include "engine.h"
#include "test.h"

static uint32_t rng_state;

static uint32_t rnd(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

static uint32_t rnd_below(uint32_t n)
{
    return n ? rnd() % n : 0;
}

static const uint8_t LETTERS[] = "0123456789ABCDEFPRXZ";

static Instrument *random_instrument(uint32_t rate)
{
    Sample *smp;
    switch (rnd_below(5)) {
    case 0: smp = NULL; break;
    case 1: smp = sample_new(NULL, 0, 1, rate); break;
    case 2: smp = synth_noise(rate, 1 + rnd_below(5000), 2, 0.5f, rnd() | 1); break;
    case 3: {
        /* at another rate than the output, as files often are */
        Sample *n = synth_noise(rate, 2 + rnd_below(3000), 1, 0.5f, rnd() | 1);
        smp = sample_new(n->data, n->frames, 1, 8000 + rnd_below(88000));
        sample_release(n);
        break;
    }
    default: smp = synth_sine(rate, 50 + rnd_below(2000), 1 + rnd_below(20000), 1, 0.5f); break;
    }
    Instrument *inst = synth_instrument(smp, (LoopMode)rnd_below(4), rnd(), rnd_below(3) ? rnd_below(30000) : rnd(),
                                        (InterpMode)rnd_below(4));
    inst->missing = rnd_below(10) == 0;
    inst->volume = (int)rnd_below(200) - 50;
    inst->pan = (int)rnd() ;
    inst->finetune = (int)rnd_below(1000) - 500;
    inst->base_note = (uint8_t)rnd();
    return inst;
}

static Song *random_song(uint32_t rate)
{
    int channels = 1 + (int)rnd_below(12);
    Song *s = synth_song(channels, 1 + (int)rnd_below(64), 32 + (int)rnd_below(224),
                         rnd_below(4) ? 1 + (int)rnd_below(6) : 1 + (int)rnd_below(31));
    atomic_store(&s->swing, (int)rnd_below(150) - 20);
    atomic_store(&s->rows_per_beat, (int)rnd_below(40) - 3);
    atomic_store(&s->master_gain_tenth_db, rnd_below(8) ? (int)rnd_below(300) - 200 : (int)rnd() % 2000);
    atomic_store(&s->limiter, rnd_below(2) == 0);
    for (int p = 1; p < 4; p++) {
        if (rnd_below(4) == 0)
            continue; /* a hole: order entries may point to it */
        Pattern *pat = song_pattern_new(1 + (int)rnd_below(40), 1 + (int)rnd_below(16));
        atomic_store(&s->patterns[p], pat);
    }
    int orders = (int)rnd_below(8);
    for (int o = 0; o < orders; o++)
        atomic_store(&s->orders[o], (uint8_t)rnd_below(6));
    atomic_store(&s->order_count, orders ? orders : 1);
    for (int i = 1; i <= 6; i++)
        if (rnd_below(5))
            synth_set_instrument(s, i, random_instrument(rate));
    for (int p = 0; p < 4; p++) {
        Pattern *pat = atomic_load(&s->patterns[p]);
        if (!pat)
            continue;
        for (int r = 0; r < pat->rows; r++)
            for (int c = 0; c < pat->channels; c++) {
                if (rnd_below(2))
                    continue;
                Cell cell = {
                    .note = (uint8_t)(rnd_below(4) ? NOTE_FIRST + rnd_below(120) : rnd()),
                    .instrument = (uint8_t)(rnd_below(3) ? rnd_below(8) : rnd()),
                    .volume = (uint8_t)(rnd_below(2) ? VOLUME_EMPTY : rnd()),
                    .fx = rnd_below(6) ? LETTERS[rnd_below(sizeof LETTERS - 1)] : (uint8_t)rnd(),
                    .fx_param = (uint8_t)rnd(),
                    .fx2 = rnd_below(3) ? 0 : LETTERS[rnd_below(sizeof LETTERS - 1)],
                    .fx2_param = (uint8_t)rnd(),
                };
                song_pattern_set(pat, r, c, cell);
            }
    }
    return s;
}

static bool sane(const float *out, uint32_t frames)
{
    for (uint32_t i = 0; i < 2 * frames; i++)
        if (!isfinite(out[i]) || fabsf(out[i]) > 1.0f)
            return false;
    return true;
}

static void random_songs_play_safely_and_invariantly(void)
{
    uint32_t rate = 22050, frames = rate * 2;
    int audible = 0;
    for (uint32_t seed = 1; seed <= 30; seed++) {
        rng_state = seed * 2654435761u;
        Song *s = random_song(rate);
        float *a = synth_render(s, rate, frames, 1 + seed % 5);
        float *b = synth_render(s, rate, frames, 777);
        CHECK_MSG(sane(a, frames), "seed %u: out of range", seed);
        CHECK_MSG(!memcmp(a, b, sizeof(float) * 2 * frames), "seed %u: block size changes the output", seed);
        audible += synth_peak(a, 0, frames, 0) > 0.001f;
        free(a);
        free(b);
        song_free(s);
    }
    CHECK_MSG(audible >= 10, "only %d of 30 random songs made sound", audible);
}

static void random_commands_are_harmless(void)
{
    uint32_t rate = 22050;
    float buf[2 * 300];
    for (uint32_t seed = 1; seed <= 12; seed++) {
        rng_state = seed * 40503u + 7;
        Song *s = random_song(rate);
        Engine *e = engine_new(s, rate);
        for (int period = 0; period < 300; period++) {
            int n = (int)rnd_below(4);
            for (int k = 0; k < n; k++) {
                EngineCommandType t = (EngineCommandType)rnd_below(ENGINE_CMD_PREVIEW_NOTE + 1);
                int big = rnd_below(2) ? 1 : 1000;
                EngineCommand cmd = {t, ((int)rnd_below(300) - 20) * big, ((int)rnd_below(300) - 20) * big,
                                     (int)rnd_below(100) - 10, NULL};
                engine_send(e, &cmd);
            }
            uint32_t len = 1 + rnd_below(300);
            engine_render(e, buf, len);
            CHECK_MSG(sane(buf, len), "seed %u period %d", seed, period);
        }
        engine_free(e);
        song_free(s);
    }
}

int main(void)
{
    RUN(random_songs_play_safely_and_invariantly);
    RUN(random_commands_are_harmless);
    return test_finish();
}
