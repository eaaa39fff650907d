/* The sinc tables cost about 2 ms to build, so a process builds them only
 * once something is to play with sinc: an engine for a song without a
 * sinc instrument leaves them unbuilt, an edit that makes one sinc builds
 * them before the engine can play it, and an engine that meets a sinc
 * instrument nobody prepared plays it cubic rather than read tables that
 * are not there. The tables are built once a process, so these run in
 * this order in a binary of their own. */
#include <stdlib.h>
#include <string.h>

#include "common/synth_song.h"
#include "edit.h"
#include "engine.h"
#include "sinc.h"
#include "test.h"

#define RATE 48000u
#define FRAMES 4096u

/* Noise at 44.1 kHz played an octave up at 48 kHz: every interpolation
 * mode gives other samples. */
static Song *noise_song(InterpMode mode)
{
    Song *s = synth_song(1, 16, 125, 6);
    synth_set_instrument(s, 1, synth_instrument(synth_noise(44100, 44100, 1, 0.5f, 7),
                                                LOOP_FORWARD, 0, 44100, mode));
    synth_put(s, 0, 0, 0, NOTE_C4 + 12, 1, VOLUME_EMPTY, 0, 0);
    return s;
}

static float *play(Engine *e)
{
    float *out = malloc(sizeof(float) * 2 * FRAMES);
    engine_play_song_now(e, 0, 0, true);
    engine_render(e, out, FRAMES);
    return out;
}

static float *render_cubic(void)
{
    Song *s = noise_song(INTERP_CUBIC);
    Engine *e = engine_new(s, RATE);
    float *out = play(e);
    engine_free(e);
    song_free(s);
    return out;
}

static bool same(const float *a, const float *b)
{
    return !memcmp(a, b, sizeof(float) * 2 * FRAMES);
}

static void no_sinc_instrument_builds_no_tables(void)
{
    Song *s = noise_song(INTERP_LINEAR);
    Engine *e = engine_new(s, RATE);
    free(play(e));
    CHECK(!sinc_ready());
    engine_free(e);
    song_free(s);
}

static void an_unprepared_sinc_instrument_plays_cubic(void)
{
    float *cubic = render_cubic();
    Song *s = noise_song(INTERP_LINEAR);
    Engine *e = engine_new(s, RATE);
    song_instrument(s, 1)->interp = INTERP_SINC; /* behind the engine's back */
    float *got = play(e);
    CHECK(!sinc_ready());
    CHECK(synth_peak(got, 0, FRAMES, 0) > 0.1f);
    CHECK(same(got, cubic));
    free(got);
    free(cubic);
    engine_free(e);
    song_free(s);
}

static Instrument *retired[4];
static int retired_count;

static void keep_retired(void *ctx, EditRetireKind kind, void *ptr)
{
    (void)ctx;
    if (kind == EDIT_RETIRE_INSTRUMENT && retired_count < 4)
        retired[retired_count++] = ptr;
}

static void an_edit_to_sinc_builds_the_tables_first(void)
{
    float *cubic = render_cubic();
    Song *s = noise_song(INTERP_LINEAR);
    Engine *e = engine_new(s, RATE);
    Editor *ed = edit_new(s, keep_retired, NULL);
    CHECK(!sinc_ready());
    CHECK(edit_instrument_set_interp(ed, 1, INTERP_SINC) == HISS_OK);
    CHECK(sinc_ready());
    float *got = play(e);
    CHECK(synth_peak(got, 0, FRAMES, 0) > 0.1f);
    CHECK(!same(got, cubic));
    free(got);
    free(cubic);
    engine_free(e);
    edit_free(ed);
    song_free(s);
    for (int i = 0; i < retired_count; i++)
        song_instrument_free(retired[i]);
}

int main(void)
{
    RUN(no_sinc_instrument_builds_no_tables);
    RUN(an_unprepared_sinc_instrument_plays_cubic);
    RUN(an_edit_to_sinc_builds_the_tables_first);
    return test_finish();
}
