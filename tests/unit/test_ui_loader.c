/* The editor's background loader converting a song's samples to a new
 * device rate: each instrument gets the same sound at the new rate, twins
 * stay shared, and a slot the user changed meanwhile is respected. */
#include <stdlib.h>
#include <time.h>

#include "common/synth_song.h"
#include "test.h"
#include "ui_file.h"

typedef struct {
    Instrument *retired[8];
    int count;
} Retired;

static void keep_retired(void *ctx, Instrument *old)
{
    Retired *r = ctx;
    if (r->count < 8)
        r->retired[r->count++] = old;
    else
        song_instrument_free(old);
}

static void retired_free(Retired *r)
{
    for (int i = 0; i < r->count; i++)
        song_instrument_free(r->retired[i]);
    r->count = 0;
}

/* Polls until the loader is done (the test fails rather than hangs). */
static bool run_to_end(UiLoader *l, Song *s, Retired *r)
{
    struct timespec nap = {0, 5000000};
    for (int i = 0; i < 2000; i++) {
        if (ui_loader_poll(l, s, keep_retired, r))
            return true;
        nanosleep(&nap, NULL);
    }
    return false;
}

static void converts_every_sample_to_the_new_rate(void)
{
    Song *s = synth_song(2, 16, 125, 6);
    Sample *sine = synth_sine(48000, 440.0, 48000, 1, 0.5f);
    synth_set_instrument(s, 1, synth_instrument(sine, LOOP_FORWARD, 0, 48000, INTERP_LINEAR));
    /* Slot 2 plays the same Sample: it must stay shared after conversion. */
    synth_set_instrument(s, 2, synth_instrument(sample_retain(sine), LOOP_OFF, 0, 0,
                                                INTERP_RAW));
    /* Slot 3 is already at the new rate: left alone. */
    synth_set_instrument(s, 3, synth_instrument(synth_kick(44100), LOOP_OFF, 0, 0,
                                                INTERP_LINEAR));
    const Instrument *third = song_instrument(s, 3);
    uint64_t origin = sine->origin;

    UiLoader *l = ui_loader_start(s, NULL, 44100);
    CHECK(l != NULL);
    CHECK(ui_loader_only_converts(l));
    Retired r = {{0}, 0};
    CHECK(run_to_end(l, s, &r));
    char first[200];
    CHECK(ui_loader_result(l, first, sizeof first) == 0);
    ui_loader_free(l);

    const Instrument *a = song_instrument(s, 1), *b = song_instrument(s, 2);
    CHECK(a->sample->rate == 44100 && a->sample->origin == origin);
    CHECK(a->sample->frames == 44100); /* one second stays one second */
    CHECK(a->sample == b->sample);
    CHECK(a->loop == LOOP_FORWARD && b->interp == INTERP_RAW);
    CHECK(song_instrument(s, 3) == third);
    CHECK(r.count == 2);
    retired_free(&r);
    song_free(s);
}

/* Changed while converting: a slot still playing the same sample (a volume
 * edit) gets the converted sound with the user's change; a slot given
 * another sound keeps the user's. */
static void respects_slots_changed_meanwhile(void)
{
    Song *s = synth_song(1, 16, 125, 6);
    for (int slot = 1; slot <= 2; slot++)
        synth_set_instrument(s, slot, synth_instrument(synth_sine(48000, 440.0, 96000, 2, 0.5f),
                                                       LOOP_OFF, 0, 0, INTERP_LINEAR));
    UiLoader *l = ui_loader_start(s, NULL, 44100);
    CHECK(l != NULL);
    Retired r = {{0}, 0};
    /* Before any result is taken: the user edits both slots. */
    Instrument *louder = song_instrument_clone(song_instrument(s, 1));
    louder->volume = 20;
    keep_retired(&r, atomic_exchange(&s->instruments[1], louder));
    Instrument *other = synth_instrument(synth_hat(48000), LOOP_OFF, 0, 0, INTERP_LINEAR);
    keep_retired(&r, atomic_exchange(&s->instruments[2], other));
    CHECK(run_to_end(l, s, &r));
    ui_loader_free(l);

    const Instrument *a = song_instrument(s, 1), *b = song_instrument(s, 2);
    CHECK(a->volume == 20 && a->sample->rate == 44100);
    CHECK(b == other && b->sample->rate == 48000);
    retired_free(&r);
    song_free(s);
}

int main(void)
{
    RUN(converts_every_sample_to_the_new_rate);
    RUN(respects_slots_changed_meanwhile);
    return test_finish();
}
