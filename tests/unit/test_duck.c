/* The note-triggered ducker (sidechain from a channel's notes), measured
 * on the ducked channel's rendered stem: the drop reaches the set depth
 * within the attack after each key note, holds, recovers within the
 * release; a silent ghost note triggers it, another channel's note does
 * not; the gain-reduction meter reads the depth; the song file keeps it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/synth_song.h"
#include "engine.h"
#include "songfile.h"
#include "test.h"

#define RATE 48000u
#define ROW 6000u /* 120 BPM, speed 6: a row of 6 ticks of 1000 frames */

/* Channel 1: a steady pad (a looped constant) from row 0, ducked from
 * channel 0. Channel 0: a key note on row 2 and a silent ghost note on
 * row 6; channel 2: a note on row 4 that must not duck it. */
static Song *ducked_song(void)
{
    Song *s = synth_song(3, 16, 120, 6);
    synth_set_instrument(s, 1, synth_instrument(synth_dc(RATE, 4096, 0.5f), LOOP_FORWARD, 0,
                                                4096, INTERP_RAW));
    synth_set_instrument(s, 2, synth_instrument(synth_kick(RATE), LOOP_OFF, 0, 0,
                                                INTERP_LINEAR));
    synth_put(s, 0, 0, 1, 49, 1, 64, 0, 0);
    synth_put(s, 0, 2, 0, 49, 2, 64, 0, 0);
    synth_put(s, 0, 4, 2, 49, 2, 64, 0, 0);
    synth_put(s, 0, 6, 0, 49, 2, 0, 0, 0); /* a ghost: volume 0 */
    SongStrip *st = &s->strips[1];
    atomic_store(&st->duck_from, 1);
    atomic_store(&st->duck_depth_tenth_db, -120);
    atomic_store(&st->duck_attack_ms, 5);   /* 240 frames */
    atomic_store(&st->duck_hold_ms, 30);    /* 1440 */
    atomic_store(&st->duck_release_ms, 200); /* 9600 */
    return s;
}

static float *render_pad(Song *s, uint32_t frames, uint32_t block, uint32_t *duck_meter)
{
    float *pad = calloc(2 * (size_t)frames, sizeof(float));
    float *mix = calloc(2 * (size_t)frames, sizeof(float));
    Engine *e = engine_new(s, RATE);
    engine_play_song_now(e, 0, 0, false);
    for (uint32_t done = 0; done < frames;) {
        uint32_t n = frames - done < block ? frames - done : block;
        float *stems[2] = {NULL, pad + 2 * (size_t)done};
        engine_render_stems(e, mix + 2 * (size_t)done, NULL, 0, stems, 2, n);
        done += n;
    }
    if (duck_meter)
        *duck_meter = atomic_load(&engine_status(e)->duck_centi_db[1]);
    engine_free(e);
    free(mix);
    return pad;
}

/* The pad's level at frame f relative to its steady level, in dB. */
static double level_db(const float *pad, uint32_t f, double steady)
{
    return 20 * log10(fabs(pad[2 * f]) / steady);
}

static void ducks_by_the_set_depth_in_time(void)
{
    Song *s = ducked_song();
    uint32_t meter = 0;
    float *pad = render_pad(s, 8 * ROW, 256, &meter);
    double steady = fabs(pad[2 * (2 * ROW - 1)]);
    CHECK(steady > 0.01);
    const uint32_t attack = 240, hold = 1440, release = 9600;
    for (int key = 0; key < 2; key++) {
        uint32_t at = (key ? 6 : 2) * ROW; /* the key note, then the ghost */
        CHECK_NEAR(level_db(pad, at - 1, steady), 0.0, 0.01);
        /* Down by the depth by the end of the attack, not before it. */
        CHECK_NEAR(level_db(pad, at + attack - 1, steady), -12.0, 0.05);
        CHECK(level_db(pad, at + attack / 2, steady) > -11.0);
        CHECK_NEAR(level_db(pad, at + attack + hold - 1, steady), -12.0, 0.05);
        /* Back by the end of the release, still on its way half through. */
        CHECK(level_db(pad, at + attack + hold + release / 2, steady) < -2.0);
        CHECK_NEAR(level_db(pad, at + attack + hold + release, steady), 0.0, 0.01);
    }
    /* Channel 2's note on row 4 is not the key: the pad stays up. */
    CHECK_NEAR(level_db(pad, 4 * ROW + attack, steady), 0.0, 0.01);
    CHECK_MSG(abs((int)meter - 1200) <= 2, "the gain-reduction meter read %u centi-dB", meter);
    free(pad);

    /* The same in blocks of 1 and 1000 frames. */
    float *a = render_pad(s, 4 * ROW, 1, NULL), *b = render_pad(s, 4 * ROW, 1000, NULL);
    float *c = render_pad(s, 4 * ROW, 256, NULL);
    CHECK(!memcmp(a, c, sizeof(float) * 8 * ROW) && !memcmp(b, c, sizeof(float) * 8 * ROW));
    free(a);
    free(b);
    free(c);

    /* Off (no key channel): the pad never moves. */
    atomic_store(&s->strips[1].duck_from, 0);
    pad = render_pad(s, 8 * ROW, 256, &meter);
    CHECK_NEAR(level_db(pad, 2 * ROW + attack, steady), 0.0, 0.01);
    CHECK(meter == 0);
    free(pad);
    song_free(s);
}

/* Keyed by instrument: the pad ducks under every note of instrument 02
 * (the kick) on any channel, an instrument column left empty counting as
 * the channel's last, and not under another instrument's note on the
 * same channel. */
static void ducks_under_an_instrument_on_any_channel(void)
{
    Song *s = synth_song(3, 16, 120, 6);
    synth_set_instrument(s, 1, synth_instrument(synth_dc(RATE, 4096, 0.5f), LOOP_FORWARD, 0,
                                                4096, INTERP_RAW));
    synth_set_instrument(s, 2, synth_instrument(synth_kick(RATE), LOOP_OFF, 0, 0,
                                                INTERP_LINEAR));
    synth_set_instrument(s, 3, synth_instrument(synth_hat(RATE), LOOP_OFF, 0, 0,
                                                INTERP_LINEAR));
    synth_put(s, 0, 0, 1, 49, 1, 64, 0, 0);
    synth_put(s, 0, 2, 0, 49, 2, 64, 0, 0); /* the kick on channel 0 */
    synth_put(s, 0, 4, 0, 49, 3, 64, 0, 0); /* the hat on the same channel */
    synth_put(s, 0, 6, 2, 49, 2, 64, 0, 0); /* the kick on channel 2 */
    synth_put(s, 0, 8, 2, 49, 0, 64, 0, 0); /* again, no instrument column */
    SongStrip *st = &s->strips[1];
    atomic_store(&st->duck_inst, 2);
    atomic_store(&st->duck_depth_tenth_db, -120);
    atomic_store(&st->duck_attack_ms, 5);
    atomic_store(&st->duck_hold_ms, 30);
    atomic_store(&st->duck_release_ms, 50);
    float *pad = render_pad(s, 10 * ROW, 256, NULL);
    double steady = fabs(pad[2 * (2 * ROW - 1)]);
    CHECK(steady > 0.01);
    const int kicks[] = {2, 6, 8};
    for (int k = 0; k < 3; k++)
        CHECK_NEAR(level_db(pad, kicks[k] * ROW + 239, steady), -12.0, 0.05);
    CHECK_NEAR(level_db(pad, 4 * ROW + 239, steady), 0.0, 0.01);
    free(pad);
    song_free(s);
}

static void song_file_keeps_the_ducker(void)
{
    const char *text = "hiss 1\nchannels 2\nchannel 02 gain -15.0 pan 0 mute off solo off "
                       "duck_from 01 duck_depth -9.5 duck_attack 2 duck_hold 40 "
                       "duck_release 350\n";
    Song *s = NULL;
    HissDiag diag = {{0}};
    CHECK(songfile_parse(text, strlen(text), "d.hiss", &s, &diag) == HISS_OK);
    CHECK(s && atomic_load(&s->strips[1].duck_from) == 1 &&
          atomic_load(&s->strips[1].duck_depth_tenth_db) == -95 &&
          atomic_load(&s->strips[1].duck_release_ms) == 350);
    char *out = NULL;
    size_t len = 0;
    CHECK(s && songfile_format(s, &out, &len) == HISS_OK);
    CHECK(out && strstr(out, "duck_from 01 duck_depth -9.5 duck_attack 2 duck_hold 40 "
                             "duck_release 350\n"));
    free(out);
    song_free(s);
    const char *inst = "hiss 1\nchannels 2\nchannel 02 gain -15.0 pan 0 mute off solo off "
                       "duck_inst 1F duck_depth -6.0 duck_attack 5 duck_hold 0 "
                       "duck_release 100\n";
    s = NULL;
    CHECK(songfile_parse(inst, strlen(inst), "d.hiss", &s, &diag) == HISS_OK);
    CHECK(s && atomic_load(&s->strips[1].duck_inst) == 0x1F &&
          atomic_load(&s->strips[1].duck_from) == 0);
    out = NULL;
    CHECK(s && songfile_format(s, &out, &len) == HISS_OK);
    CHECK_MSG(out && strstr(out, "duck_inst 1F duck_depth -6.0 duck_attack 5 duck_hold 0 "
                                 "duck_release 100\n"),
              "%s", out ? out : "");
    free(out);
    song_free(s);
    const char *bad = "hiss 1\nchannel 01 duck_from 65\n";
    s = NULL;
    CHECK(songfile_parse(bad, strlen(bad), "d.hiss", &s, &diag) != HISS_OK);
    CHECK_MSG(strstr(diag.text, "duck_from"), "%s", diag.text);
    song_free(s);
}

int main(void)
{
    RUN(ducks_by_the_set_depth_in_time);
    RUN(ducks_under_an_instrument_on_any_channel);
    RUN(song_file_keeps_the_ducker);
    return test_finish();
}
