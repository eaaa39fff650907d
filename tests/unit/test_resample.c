/* Render to instrument: the rendered pattern lasts as long as the engine
 * plays it, EEx pattern delay and Fxx tempo changes counted, the same
 * length the timing scan (and so hiss render) gives the song. */
#include "common/synth_song.h"
#include "resample.h"
#include "test.h"
#include "timing.h"

enum { RATE = 48000 };

/* The song's own length by the timing scan: one order, this pattern. */
static uint64_t song_frames(const Song *s)
{
    TimingScan scan;
    if (timing_scan(s, RATE, false, &scan) != HISS_OK)
        return 0;
    uint64_t end = scan.end_frame;
    timing_deinit(&scan);
    return end;
}

/* The tester's pattern: 32 rows at 89 BPM, EE1 on row 31 (that row twice
 * as long): 32 plain rows would be 5.393 s, the song plays 5.56 s. */
static void pattern_delay_counts(void)
{
    Song *s = synth_song(2, 32, 89, 6);
    atomic_store(&s->bpm_tenths, 890);
    synth_put(s, 0, 31, 1, NOTE_EMPTY, 0, VOLUME_EMPTY, 'E', 0xE1);
    ResampleRange whole = {.pattern = 0, .mix = true};
    uint64_t want = song_frames(s);
    CHECK_MSG(want > 0, "the scan failed");
    CHECK_MSG(resample_frames(s, &whole, RATE) == want, "%llu frames, the song %llu",
              (unsigned long long)resample_frames(s, &whole, RATE),
              (unsigned long long)want);
    CHECK_NEAR((double)want / RATE, 33 * 6 * 2.5 / 89, 1e-4);
    /* Rows 30..31 alone: row 30 plain, row 31 twice. */
    ResampleRange tail = {.pattern = 0, .first = 30, .rows = 2, .mix = true};
    CHECK_NEAR((double)resample_frames(s, &tail, RATE) / RATE, 3 * 6 * 2.5 / 89, 1e-4);
    /* The render is cut to that length. */
    SampleioAudio out;
    HissDiag diag = {{0}};
    CHECK_MSG(resample_render(s, &whole, RATE, 16, &out, &diag) == HISS_OK, "%s",
              diag.text);
    CHECK(out.count == want);
    sampleio_audio_free(&out);
    song_free(s);
}

/* F03 on row 4 and F40 (64 BPM) on row 8 of 16 rows. */
static void tempo_changes_count(void)
{
    Song *s = synth_song(1, 16, 125, 6);
    synth_put(s, 0, 4, 0, NOTE_EMPTY, 0, VOLUME_EMPTY, 'F', 0x03);
    synth_put(s, 0, 8, 0, NOTE_EMPTY, 0, VOLUME_EMPTY, 'F', 0x40);
    ResampleRange whole = {.pattern = 0, .mix = true};
    uint64_t want = song_frames(s);
    CHECK(resample_frames(s, &whole, RATE) == want);
    CHECK(want == 4 * 5760 + 4 * 2880 + 8 * 3 * 1875);
    ResampleRange none = {.pattern = 0, .first = 16, .mix = true};
    CHECK(resample_frames(s, &none, RATE) == 0);
    song_free(s);
}

/* The tail: a note on the last row that lasts past the pattern rings out
 * to its end instead of being cut, the frames before the cut the same
 * either way; without the tail the render stops on the pattern's end. */
static void the_tail_rings_out(void)
{
    Song *s = synth_song(1, 4, 125, 6); /* 4 rows of 5760 frames */
    enum { NOTE_FRAMES = 40000, ROW3 = 3 * 5760, LENGTH = 4 * 5760 };
    synth_set_instrument(s, 1, synth_instrument(synth_dc(RATE, NOTE_FRAMES, 0.5f), LOOP_OFF, 0,
                                                0, INTERP_LINEAR));
    synth_put(s, 0, 3, 0, NOTE_C4, 1, VOLUME_EMPTY, 0, 0);
    ResampleRange cut = {.pattern = 0, .mix = true};
    ResampleRange tail = {.pattern = 0, .mix = true, .tail = true};
    SampleioAudio a, b;
    HissDiag diag = {{0}};
    CHECK_MSG(resample_render(s, &cut, RATE, 24, &a, &diag) == HISS_OK, "%s", diag.text);
    CHECK_MSG(resample_render(s, &tail, RATE, 24, &b, &diag) == HISS_OK, "%s", diag.text);
    CHECK(a.count == LENGTH);
    /* The note's own end, give or take the declick ramp. */
    CHECK_MSG(b.count > ROW3 + NOTE_FRAMES - 256 && b.count <= ROW3 + NOTE_FRAMES + 256,
              "%u frames with the tail, the note ends at %d", b.count, ROW3 + NOTE_FRAMES);
    bool same = a.count <= b.count;
    for (uint32_t i = 0; same && i < 2 * a.count; i++)
        same = a.frames[i] == b.frames[i];
    CHECK_MSG(same, "the frames before the cut differ");
    /* Still the held note across the cut and most of the way on. */
    CHECK(b.count > LENGTH + 1000 && b.frames[2 * LENGTH] == a.frames[2 * LENGTH - 2] &&
          b.frames[2 * (ROW3 + NOTE_FRAMES - 1000)] == a.frames[2 * LENGTH - 2] &&
          a.frames[2 * LENGTH - 2] > 0.2f);
    sampleio_audio_free(&a);
    sampleio_audio_free(&b);
    song_free(s);
}

int main(void)
{
    RUN(pattern_delay_counts);
    RUN(tempo_changes_count);
    RUN(the_tail_rings_out);
    return test_finish();
}
