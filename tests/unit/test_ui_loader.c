/* The editor's background loader: each instrument gets its file's sound at
 * the file's own rate (whatever the device runs at), twins share one
 * Sample, a slot the user changed meanwhile is respected, and a song whose
 * samples are all there has nothing to load at any rate. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/synth_song.h"
#include "sampleio.h"
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

static char dir[64];
static char song_path[128];

/* A one-second 440 Hz tone at 44.1 kHz, tone.wav next to the song. */
static void write_tone(void)
{
    snprintf(dir, sizeof dir, "/tmp/hiss-loader-XXXXXX");
    CHECK(mkdtemp(dir) != NULL);
    snprintf(song_path, sizeof song_path, "%s/song.hiss", dir);
    char wav[128];
    snprintf(wav, sizeof wav, "%s/tone.wav", dir);
    Sample *tone = synth_sine(44100, 440.0, 44100, 1, 0.5f);
    SampleioWriter *w = NULL;
    HissDiag d = {{0}};
    CHECK(sampleio_writer_open(wav, 44100, 1, SAMPLEIO_ENC_FLOAT, &w, &d) == HISS_OK);
    if (w) {
        CHECK(sampleio_writer_write(w, tone->data, tone->frames, &d) == HISS_OK);
        CHECK(sampleio_writer_close(w, &d) == HISS_OK);
    }
    sample_release(tone);
}

static void remove_tone(void)
{
    char wav[128];
    snprintf(wav, sizeof wav, "%s/tone.wav", dir);
    unlink(wav);
    rmdir(dir);
}

static Instrument *named(const char *path, int volume)
{
    Instrument *inst = song_instrument_new();
    snprintf(inst->path, sizeof inst->path, "%s", path);
    inst->volume = volume;
    return inst;
}

static void loads_every_sample_at_its_own_rate(void)
{
    write_tone();
    Song *s = synth_song(2, 16, 125, 6);
    /* Slots 1 and 2 name one file: they share one Sample. */
    synth_set_instrument(s, 1, named("tone.wav", 64));
    synth_set_instrument(s, 2, named("tone.wav", 32));
    /* Slot 3 already has its sound (at another rate): left alone. */
    synth_set_instrument(s, 3, synth_instrument(synth_kick(22050), LOOP_OFF, 0, 0,
                                                INTERP_LINEAR));
    const Instrument *third = song_instrument(s, 3);

    UiLoader *l = ui_loader_start(s, song_path, 48000);
    CHECK(l != NULL);
    Retired r = {{0}, 0};
    CHECK(l && run_to_end(l, s, &r));
    char first[200];
    CHECK(l && ui_loader_result(l, first, sizeof first) == 0);
    ui_loader_free(l);

    const Instrument *a = song_instrument(s, 1), *b = song_instrument(s, 2);
    CHECK(a->sample && a->sample->rate == 44100 && a->sample->frames == 44100);
    CHECK(a->sample == b->sample);
    CHECK(a->volume == 64 && b->volume == 32);
    CHECK(song_instrument(s, 3) == third && third->sample->rate == 22050);
    CHECK(r.count == 2);
    retired_free(&r);
    song_free(s);
    remove_tone();
}

/* Samples keep their own rate: a device at another rate gives the loader
 * nothing to do. */
static void nothing_to_load_at_another_rate(void)
{
    Song *s = synth_song(1, 16, 125, 6);
    synth_set_instrument(s, 1, synth_instrument(synth_sine(48000, 440.0, 4800, 1, 0.5f),
                                                LOOP_OFF, 0, 0, INTERP_LINEAR));
    UiLoader *l = ui_loader_start(s, NULL, 44100);
    CHECK(l == NULL);
    ui_loader_free(l);
    song_free(s);
}

/* Changed while loading: a slot that still names the file and has no sound
 * (a volume edit) gets the sound with the user's change; a slot given
 * another sound keeps the user's. */
static void respects_slots_changed_meanwhile(void)
{
    write_tone();
    Song *s = synth_song(1, 16, 125, 6);
    synth_set_instrument(s, 1, named("tone.wav", 64));
    synth_set_instrument(s, 2, named("tone.wav", 64));
    UiLoader *l = ui_loader_start(s, song_path, 48000);
    CHECK(l != NULL);
    Retired r = {{0}, 0};
    /* Before any result is taken: the user edits both slots. */
    Instrument *louder = song_instrument_clone(song_instrument(s, 1));
    louder->volume = 20;
    keep_retired(&r, atomic_exchange(&s->instruments[1], louder));
    Instrument *other = synth_instrument(synth_hat(48000), LOOP_OFF, 0, 0, INTERP_LINEAR);
    keep_retired(&r, atomic_exchange(&s->instruments[2], other));
    CHECK(l && run_to_end(l, s, &r));
    ui_loader_free(l);

    const Instrument *a = song_instrument(s, 1), *b = song_instrument(s, 2);
    CHECK(a->volume == 20 && a->sample && a->sample->rate == 44100);
    CHECK(b == other && b->sample->rate == 48000);
    retired_free(&r);
    song_free(s);
    remove_tone();
}

/* Files that are not there leave their slots without sound; the status
 * line's summary names each by its file and slot, and a tiny buffer
 * still gets the count. */
static void names_missing_samples(void)
{
    write_tone();
    Song *s = synth_song(1, 16, 125, 6);
    synth_set_instrument(s, 1, named("tone.wav", 64));
    synth_set_instrument(s, 3, named("kit/gone.wav", 64));
    synth_set_instrument(s, 0x1A, named("lost.wav", 64));
    snprintf(song_instrument(s, 3)->name, SONG_NAME_MAX, "snare");
    UiLoader *l = ui_loader_start(s, song_path, 48000);
    Retired r = {{0}, 0};
    CHECK(l && run_to_end(l, s, &r));
    char first[200];
    CHECK(l && ui_loader_result(l, first, sizeof first) == 2);
    ui_loader_free(l);
    char text[200];
    CHECK(ui_file_missing_summary(s, text, sizeof text) == 2);
    CHECK_STR(text, "2 samples missing (see instruments): gone.wav (03 \"snare\"), "
                    "lost.wav (1A \"\")");
    char tiny[8];
    CHECK(ui_file_missing_summary(s, tiny, sizeof tiny) == 2);
    CHECK_STR(tiny, "2 sampl");
    retired_free(&r);
    song_free(s);
    remove_tone();
}

/* A file cut short loads the frames it holds, and the status line's
 * summary names it apart from the missing ones (after them when both);
 * the loader keeps the note that says why, whole. */
static void names_damaged_samples(void)
{
    write_tone();
    char wav[128];
    snprintf(wav, sizeof wav, "%s/tone.wav", dir);
    CHECK(truncate(wav, 5000) == 0); /* of 176 kB */
    Song *s = synth_song(1, 16, 125, 6);
    synth_set_instrument(s, 2, named("tone.wav", 64));
    synth_set_instrument(s, 3, named("tone.wav", 32)); /* its twin */
    snprintf(song_instrument(s, 2)->name, SONG_NAME_MAX, "snare");
    UiLoader *l = ui_loader_start(s, song_path, 48000);
    Retired r = {{0}, 0};
    CHECK(l && run_to_end(l, s, &r));
    char first[200], damage[600];
    CHECK(l && ui_loader_result(l, first, sizeof first) == 0);
    if (l)
        ui_loader_first_damage(l, damage, sizeof damage);
    ui_loader_free(l);
    const Instrument *a = song_instrument(s, 2);
    CHECK(a->sample && !a->missing && a->sample->damaged);
    CHECK(a->sample && a->sample->frames > 0 && a->sample->frames < 44100);
    CHECK(l && strstr(damage, "instrument 02 'snare': tone.wav: the file looks truncated: "
                              "loaded the ") != NULL);
    char text[300];
    CHECK(ui_file_missing_summary(s, text, sizeof text) == 0);
    CHECK(ui_file_damaged_summary(s, text, sizeof text) == 2);
    CHECK_STR(text, "2 samples damaged, loaded in part or repaired: tone.wav (02 \"snare\"), "
                    "tone.wav (03 \"\")");
    CHECK(ui_file_open_summary(s, text, sizeof text) == 2);
    CHECK_STR(text, "2 samples damaged, loaded in part or repaired: tone.wav (02 \"snare\"), "
                    "tone.wav (03 \"\")");

    /* With a missing one: both counts first, then the missing, then the
     * damaged. */
    Instrument *gone = named("gone.wav", 64);
    gone->missing = true;
    keep_retired(&r, atomic_exchange(&s->instruments[3], gone));
    CHECK(ui_file_open_summary(s, text, sizeof text) == 2);
    CHECK_STR(text, "1 sample missing (see instruments), 1 damaged: gone.wav (03 \"\"); "
                    "damaged, loaded in part or repaired: tone.wav (02 \"snare\")");
    char tiny[12];
    CHECK(ui_file_open_summary(s, tiny, sizeof tiny) == 2);
    CHECK_STR(tiny, "1 sample mi");
    retired_free(&r);
    song_free(s);
    remove_tone();
}

int main(void)
{
    RUN(loads_every_sample_at_its_own_rate);
    RUN(nothing_to_load_at_another_rate);
    RUN(respects_slots_changed_meanwhile);
    RUN(names_missing_samples);
    RUN(names_damaged_samples);
    return test_finish();
}
