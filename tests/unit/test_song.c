#include <math.h>
#include <stdlib.h>

#include "common/synth_song.h"
#include "ring.h"
#include "song.h"
#include "test.h"

static void cell_pack_round_trips(void)
{
    Cell c = {NOTE_C4 + 7, 0x1F, 40, 'A', 0x0F, 'R', 0x21};
    Cell d = song_cell_unpack(song_cell_pack(c));
    CHECK(d.note == c.note && d.instrument == c.instrument);
    CHECK(d.volume == c.volume && d.fx == 'A' && d.fx_param == 0x0F);
    CHECK(d.fx2 == 'R' && d.fx2_param == 0x21);
    CHECK(song_cell_is_empty(song_cell_empty()));
    CHECK(!song_cell_is_empty(c));
}

static void note_names_round_trip(void)
{
    for (int n = NOTE_EMPTY; n <= NOTE_CUT; n++) {
        if (n > NOTE_EMPTY && n < NOTE_FIRST)
            continue;
        char buf[4];
        uint8_t back = 0xEE;
        song_note_name((uint8_t)n, buf);
        CHECK_MSG(song_note_parse(buf, &back) && back == n, "note %d", n);
    }
    char buf[4];
    song_note_name(NOTE_C4, buf);
    CHECK_STR(buf, "C-4");
    uint8_t note;
    CHECK(!song_note_parse("H-4", &note));
    CHECK(!song_note_parse("C-x", &note));
}

static void pattern_resize_keeps_cells(void)
{
    Pattern *p = song_pattern_new(16, 4);
    Cell c = song_cell_empty();
    c.note = NOTE_C4;
    song_pattern_set(p, 3, 2, c);
    song_pattern_set(p, 15, 3, c);
    Pattern *q = song_pattern_resized(p, 8, 4);
    CHECK(q->rows == 8 && q->channels == 4);
    CHECK(song_pattern_get(q, 3, 2).note == NOTE_C4);
    CHECK(song_pattern_new(0, 4) == NULL);
    CHECK(song_pattern_new(257, 4) == NULL);
    CHECK(song_pattern_new(4, 65) == NULL);
    song_pattern_free(p);
    song_pattern_free(q);
}

static void ring_is_fifo_and_bounded(void)
{
    Ring r;
    CHECK(ring_init(&r, 5, sizeof(int)) == HISS_OK);
    int pushed = 0;
    for (int i = 0; i < 100; i++)
        if (ring_push(&r, &i))
            pushed++;
    CHECK(pushed == 8);
    for (int i = 0; i < 8; i++) {
        int v = -1;
        CHECK(ring_pop(&r, &v) && v == i);
    }
    int v;
    CHECK(!ring_pop(&r, &v));
    ring_deinit(&r);
}

static void note_ratio_is_equal_tempered(void)
{
    CHECK_NEAR(song_note_ratio(NOTE_C4 + 12, NOTE_C4, 0), 2.0, 1e-12);
    CHECK_NEAR(song_note_ratio(NOTE_C4, NOTE_C4, 100), pow(2, 1 / 12.0), 1e-12);
    /* Every note against a few base notes and finetunes, down and up. */
    static const int bases[] = {NOTE_FIRST, NOTE_C4 - 7, NOTE_C4, NOTE_C4 + 19};
    static const int cents[] = {-100, -37, 0, 1, 50, 100};
    int wrong = 0;
    for (int note = NOTE_FIRST; note <= NOTE_LAST; note++)
        for (size_t b = 0; b < sizeof bases / sizeof bases[0]; b++)
            for (size_t c = 0; c < sizeof cents / sizeof cents[0]; c++) {
                double want = pow(2, (note - bases[b]) / 12.0 + cents[c] / 1200.0);
                double got = song_note_ratio(note, bases[b], cents[c]);
                if (fabs(got - want) > want * 1e-12 && wrong++ < 3)
                    fprintf(stderr, "  note %d base %d %+d cents: %.15g, want %.15g\n",
                            note, bases[b], cents[c], got, want);
            }
    CHECK(wrong == 0);
}

/* A copy renders as the song did, and keeps doing so while the song is
 * edited and after it is freed: it owns its patterns and instruments. */
static void clone_renders_alike_and_stands_alone(void)
{
    enum { RATE = 48000, FRAMES = 48000 };
    Song *s = synth_song(2, 16, 125, 6);
    synth_set_instrument(s, 1, synth_instrument(synth_sine(RATE, 375.0, 128, 1, 0.3f),
                                                LOOP_FORWARD, 0, 128, INTERP_LINEAR));
    synth_put(s, 0, 0, 0, NOTE_C4, 1, 64, 0, 0);
    synth_put(s, 0, 8, 1, NOTE_C4 + 7, 1, 40, 0, 0);
    atomic_store(&s->strips[1].gain_tenth_db, -60);
    atomic_store(&s->strips[1].pan, 70);
    float *before = synth_render(s, RATE, FRAMES, 256);
    Song *c = song_clone(s);
    CHECK(c != NULL);
    CHECK(song_pattern(c, 0) != song_pattern(s, 0));
    CHECK(song_instrument(c, 1) != song_instrument(s, 1));
    CHECK(song_instrument(c, 1)->sample == song_instrument(s, 1)->sample);
    /* The song is edited, then freed: the copy is as the song was. */
    synth_put(s, 0, 4, 0, NOTE_C4 + 12, 1, 64, 0, 0);
    atomic_store(&s->strips[1].gain_tenth_db, 0);
    song_free(s);
    float *copy = synth_render(c, RATE, FRAMES, 256);
    double peak = 0;
    int differ = 0;
    for (size_t i = 0; i < 2 * (size_t)FRAMES; i++) {
        differ += before[i] != copy[i];
        peak = fmax(peak, fabs(copy[i]));
    }
    CHECK_MSG(differ == 0, "%d samples differ", differ);
    CHECK(peak > 0.05); /* the copy sounds */
    free(before);
    free(copy);
    song_free(c);
}

int main(void)
{
    RUN(cell_pack_round_trips);
    RUN(note_names_round_trip);
    RUN(pattern_resize_keeps_cells);
    RUN(ring_is_fifo_and_bounded);
    RUN(note_ratio_is_equal_tempered);
    RUN(clone_renders_alike_and_stands_alone);
    return test_finish();
}
