#include "sampleedit.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rubberbandlib.h"

/* Filled by the first stretch (rubberbandlib_load), read-only after. */
static const RubberBandLib *const lib = &rubberbandlib;

static int compare_frames(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Cue points sorted, unique and inside `frames`, the first always 0 when
 * there were any (a slice list starts at the start). */
static void tidy_cues(SampleMarks *m, uint32_t frames)
{
    int kept = 0;
    for (int i = 0; i < m->cue_count; i++)
        if (m->cues[i] < frames)
            m->cues[kept++] = m->cues[i];
    qsort(m->cues, (size_t)kept, sizeof m->cues[0], compare_frames);
    int unique = 0;
    for (int i = 0; i < kept; i++)
        if (!unique || m->cues[i] != m->cues[unique - 1])
            m->cues[unique++] = m->cues[i];
    m->cue_count = unique;
    if (unique && m->cues[0] != 0) {
        if (unique == SAMPLE_MAX_CUES)
            unique--;
        memmove(m->cues + 1, m->cues, sizeof m->cues[0] * (size_t)unique);
        m->cues[0] = 0;
        m->cue_count = unique + 1;
    }
    if (m->loop != SAMPLE_LOOP_NONE &&
        (m->loop_start >= m->loop_end || m->loop_end > frames)) {
        m->loop = SAMPLE_LOOP_NONE;
        m->loop_start = m->loop_end = 0;
    }
}

static HissError alloc_audio(SampleioAudio *out, uint32_t frames, int channels,
                             uint32_t rate, HissDiag *diag)
{
    out->frames = calloc((size_t)frames * (size_t)channels + 1, sizeof(float));
    if (!out->frames) {
        hiss_diag_printf(diag, "out of memory for %u frames", frames);
        return HISS_ERR_NOMEM;
    }
    out->count = frames;
    out->channels = channels;
    out->rate = rate;
    return HISS_OK;
}

/* Moves what the stretcher has ready into out from frame `written` on
 * (never past `want`); returns the new count. */
static uint32_t take_stretched(RubberBandState rb, float **got, unsigned block,
                               SampleioAudio *out, uint32_t written, uint32_t want)
{
    int avail, ch = out->channels;
    while ((avail = lib->rubberband_available(rb)) > 0) {
        unsigned take = avail < (int)block ? (unsigned)avail : block;
        unsigned r = lib->rubberband_retrieve(rb, got, take);
        for (unsigned i = 0; i < r && written < want; i++, written++)
            for (int c = 0; c < ch; c++)
                out->frames[(size_t)written * ch + c] = got[c][i];
    }
    return written;
}

static float peak_of(const float *x, size_t n)
{
    float peak = 0;
    for (size_t i = 0; i < n; i++)
        peak = fabsf(x[i]) > peak ? fabsf(x[i]) : peak;
    return peak;
}

/* Rubber Band's phase vocoder rebuilds a hit's phases, and a transient
 * can come out higher than it was (the kit's break, peaking at -1 dBFS,
 * came out near +3 dBFS), while the sound is as loud as before. Scaling
 * the peak back down cost a stretched break about 4 dB of loudness, so
 * the level is kept as it comes: sampleedit_write keeps a peak past full
 * scale whole in a float file, and diag says how high it went. */
static void note_peak(const Sample *src, const SampleioAudio *out, HissDiag *diag)
{
    const float one_db = 1.12201845f;
    float src_peak = peak_of(src->data, (size_t)src->frames * src->channels);
    float peak = peak_of(out->frames, (size_t)out->count * out->channels);
    if (!(peak > src_peak * one_db) && peak <= 1.0f)
        return;
    hiss_diag_printf(diag, "the stretch peaks at %+.1f dBFS, the source at %+.1f%s",
                     20 * log10(peak), 20 * log10(src_peak > 0 ? src_peak : 1e-9f),
                     peak > 1.0f ? " (kept whole: a float file)" : "");
}

/* Rubber Band's offline stretcher, with the slice points as key frames so
 * every hit lands where its slice point is scaled to. */
static HissError stretch(const Sample *src, const SampleMarks *marks, double ratio,
                         SampleioAudio *out, HissDiag *diag)
{
    int ch = src->channels;
    uint32_t in_frames = src->frames;
    uint32_t want = (uint32_t)llround(in_frames * ratio);
    if (want < 1)
        want = 1;
    HissError err = rubberbandlib_load(diag);
    if (!err)
        err = alloc_audio(out, want, ch, src->rate, diag);
    if (err)
        return err;
    RubberBandState rb = lib->rubberband_new(
        src->rate, (unsigned)ch,
        RubberBandOptionProcessOffline | RubberBandOptionEngineFiner |
            RubberBandOptionThreadingNever | RubberBandOptionChannelsTogether,
        ratio, 1.0);
    float *planar[SAMPLE_MAX_CHANNELS] = {0}, *got[SAMPLE_MAX_CHANNELS] = {0};
    enum { BLOCK = 4096 };
    bool ok = rb != NULL;
    for (int c = 0; c < ch && ok; c++) {
        planar[c] = malloc(sizeof(float) * BLOCK);
        got[c] = malloc(sizeof(float) * BLOCK);
        ok = planar[c] && got[c];
    }
    if (!ok) {
        hiss_diag_printf(diag, "the stretcher could not start");
        err = HISS_ERR_NOMEM;
        goto done;
    }
    lib->rubberband_set_expected_input_duration(rb, in_frames);
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1 && marks->cue_count > 1) {
            unsigned from[SAMPLE_MAX_CUES], to[SAMPLE_MAX_CUES];
            unsigned n = 0;
            for (int i = 1; i < marks->cue_count; i++) {
                from[n] = marks->cues[i];
                to[n] = (unsigned)llround(marks->cues[i] * ratio);
                n++;
            }
            lib->rubberband_set_key_frame_map(rb, n, from, to);
        }
        uint32_t written = 0;
        for (uint32_t at = 0; at < in_frames; at += BLOCK) {
            uint32_t n = in_frames - at < BLOCK ? in_frames - at : BLOCK;
            for (int c = 0; c < ch; c++)
                for (uint32_t i = 0; i < n; i++)
                    planar[c][i] = src->data[(size_t)(at + i) * ch + c];
            int final = at + n >= in_frames;
            if (!pass) {
                lib->rubberband_study(rb, (const float *const *)planar, n, final);
                continue;
            }
            lib->rubberband_process(rb, (const float *const *)planar, n, final);
            written = take_stretched(rb, got, BLOCK, out, written, want);
        }
        if (pass)
            take_stretched(rb, got, BLOCK, out, written, want);
    }
done:
    for (int c = 0; c < ch; c++) {
        free(planar[c]);
        free(got[c]);
    }
    if (rb)
        lib->rubberband_delete(rb);
    if (err)
        sampleio_audio_free(out);
    else
        note_peak(src, out, diag);
    return err;
}

/* The end of cue k's slice: the next cue, else the sample's end. */
static uint32_t slice_end_of(const SampleMarks *m, int k, uint32_t frames)
{
    uint32_t end = k + 1 < m->cue_count ? m->cues[k + 1] : frames;
    return end < frames ? end : frames;
}

static HissError keep_slices(const Sample *src, const bool *keep, SampleMarks *m,
                             SampleioAudio *out, HissDiag *diag)
{
    uint32_t frames = src->frames;
    int ch = src->channels;
    uint64_t total = 0;
    for (int k = 0; keep && k < m->cue_count; k++)
        if (keep[k] && m->cues[k] < slice_end_of(m, k, frames))
            total += slice_end_of(m, k, frames) - m->cues[k];
    if (!total) {
        hiss_diag_printf(diag, "no slice to keep");
        return HISS_ERR_RANGE;
    }
    HissError err = alloc_audio(out, (uint32_t)total, ch, src->rate, diag);
    if (err)
        return err;
    SampleMarks kept = *m;
    kept.cue_count = 0;
    kept.loop = SAMPLE_LOOP_NONE;
    kept.loop_start = kept.loop_end = 0;
    uint32_t at = 0;
    for (int k = 0; k < m->cue_count; k++) {
        uint32_t start = m->cues[k], end = slice_end_of(m, k, frames);
        if (!keep[k] || start >= end)
            continue;
        memcpy(out->frames + (size_t)at * ch, src->data + (size_t)start * ch,
               sizeof(float) * (size_t)(end - start) * ch);
        kept.cues[kept.cue_count++] = at;
        /* A loop inside one kept slice moves with it; any other loop
         * would span audio that is gone. */
        if (m->loop != SAMPLE_LOOP_NONE && m->loop_start >= start && m->loop_end <= end) {
            kept.loop = m->loop;
            kept.loop_start = m->loop_start - start + at;
            kept.loop_end = m->loop_end - start + at;
        }
        at += end - start;
    }
    *m = kept;
    return HISS_OK;
}

HissError sampleedit_apply(const Sample *src, const SampleMarks *marks,
                           const SampleEdit *edit, SampleioAudio *out,
                           SampleMarks *out_marks, HissDiag *diag)
{
    memset(out, 0, sizeof *out);
    if (diag)
        diag->text[0] = 0;
    if (!src || !src->frames) {
        hiss_diag_printf(diag, "no sample to edit");
        return HISS_ERR_RANGE;
    }
    uint32_t frames = src->frames;
    int ch = src->channels;
    SampleMarks m = *marks;
    m.cue_count = hiss_clampi(m.cue_count, 0, SAMPLE_MAX_CUES);
    HissError err;
    switch (edit->kind) {
    case SAMPLEEDIT_TRIM: {
        uint32_t from = edit->from, to = edit->to > frames ? frames : edit->to;
        if (from >= to) {
            hiss_diag_printf(diag, "nothing to keep between frames %u and %u", from, to);
            return HISS_ERR_RANGE;
        }
        if ((err = alloc_audio(out, to - from, ch, src->rate, diag)))
            return err;
        memcpy(out->frames, src->data + (size_t)from * ch,
               sizeof(float) * (size_t)(to - from) * ch);
        int kept = 0;
        for (int i = 0; i < m.cue_count; i++)
            if (m.cues[i] >= from && m.cues[i] < to)
                m.cues[kept++] = m.cues[i] - from;
        m.cue_count = kept;
        if (m.loop != SAMPLE_LOOP_NONE && m.loop_start >= from && m.loop_end <= to) {
            m.loop_start -= from;
            m.loop_end -= from;
        } else {
            m.loop = SAMPLE_LOOP_NONE;
        }
        break;
    }
    case SAMPLEEDIT_REVERSE: {
        if ((err = alloc_audio(out, frames, ch, src->rate, diag)))
            return err;
        for (uint32_t i = 0; i < frames; i++)
            memcpy(out->frames + (size_t)i * ch, src->data + (size_t)(frames - 1 - i) * ch,
                   sizeof(float) * (size_t)ch);
        /* Slice [a, b) becomes [frames - b, frames - a): each later point
         * becomes a start. */
        for (int i = 0; i < m.cue_count; i++)
            m.cues[i] = m.cues[i] ? frames - m.cues[i] : 0;
        if (m.loop != SAMPLE_LOOP_NONE) {
            uint32_t start = frames - m.loop_end;
            m.loop_end = frames - m.loop_start;
            m.loop_start = start;
        }
        break;
    }
    case SAMPLEEDIT_NORMALIZE:
    case SAMPLEEDIT_GAIN:
    case SAMPLEEDIT_FADE_IN:
    case SAMPLEEDIT_FADE_OUT: {
        bool fade = edit->kind == SAMPLEEDIT_FADE_IN || edit->kind == SAMPLEEDIT_FADE_OUT;
        if (fade && (edit->from < 1 || edit->from > frames)) {
            hiss_diag_printf(diag, "a fade of %u frames does not fit %u frames",
                             edit->from, frames);
            return HISS_ERR_RANGE;
        }
        if ((err = alloc_audio(out, frames, ch, src->rate, diag)))
            return err;
        size_t n = (size_t)frames * ch;
        memcpy(out->frames, src->data, sizeof(float) * n);
        if (edit->kind == SAMPLEEDIT_NORMALIZE) {
            float peak = peak_of(out->frames, n);
            if (!(peak > 0)) {
                sampleio_audio_free(out);
                hiss_diag_printf(diag, "the sample is silent: nothing to normalize");
                return HISS_ERR_RANGE;
            }
            for (size_t i = 0; i < n; i++)
                out->frames[i] /= peak;
            break;
        }
        if (edit->kind == SAMPLEEDIT_GAIN) {
            if (!(edit->ratio >= -60 && edit->ratio <= 24)) {
                sampleio_audio_free(out);
                hiss_diag_printf(diag, "a gain of %.1f dB is outside -60..+24", edit->ratio);
                return HISS_ERR_RANGE;
            }
            float g = (float)pow(10.0, edit->ratio / 20.0);
            for (size_t i = 0; i < n; i++) {
                float v = out->frames[i] * g;
                out->frames[i] = v > 1.0f ? 1.0f : v < -1.0f ? -1.0f : v;
            }
            break;
        }
        /* A quarter sine: no corner at either end of the fade. */
        uint32_t len = edit->from;
        for (uint32_t i = 0; i < len; i++) {
            float g = (float)sin(M_PI / 2 * (double)i / len);
            uint32_t at = edit->kind == SAMPLEEDIT_FADE_IN ? i : frames - 1 - i;
            for (int c = 0; c < ch; c++)
                out->frames[(size_t)at * ch + c] *= g;
        }
        break;
    }
    case SAMPLEEDIT_STRETCH: {
        double r = edit->ratio;
        if (!(r >= 1.0 / SAMPLEEDIT_MAX_STRETCH && r <= SAMPLEEDIT_MAX_STRETCH)) {
            hiss_diag_printf(diag, "a stretch of %.3fx is outside 1/%d..%dx", r,
                             SAMPLEEDIT_MAX_STRETCH, SAMPLEEDIT_MAX_STRETCH);
            return HISS_ERR_RANGE;
        }
        tidy_cues(&m, frames);
        if ((err = stretch(src, &m, r, out, diag)))
            return err;
        for (int i = 0; i < m.cue_count; i++)
            m.cues[i] = (uint32_t)llround(m.cues[i] * r);
        m.loop_start = (uint32_t)llround(m.loop_start * r);
        m.loop_end = (uint32_t)llround(m.loop_end * r);
        break;
    }
    case SAMPLEEDIT_KEEP_SLICES:
        if ((err = keep_slices(src, edit->keep, &m, out, diag)))
            return err;
        break;
    default:
        hiss_diag_printf(diag, "unknown edit");
        return HISS_ERR_RANGE;
    }
    tidy_cues(&m, out->count);
    *out_marks = m;
    return HISS_OK;
}

HissError sampleedit_new_path(const char *dir, const char *stem, const char *suffix,
                              char *out, size_t size, HissDiag *diag)
{
    for (int n = 1; n < 1000; n++) {
        char num[16] = "";
        if (n > 1)
            snprintf(num, sizeof num, "-%d", n);
        int len = snprintf(out, size, "%s/%s-%s%s.wav", dir, stem, suffix, num);
        if (len < 0 || (size_t)len >= size) {
            hiss_diag_printf(diag, "the name for the new file is too long");
            return HISS_ERR_RANGE;
        }
        int fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd >= 0) {
            close(fd);
            return HISS_OK;
        }
        if (errno != EEXIST) {
            hiss_diag_set(diag, out, 0, 0, "cannot create: %s", strerror(errno));
            return HISS_ERR_IO;
        }
    }
    hiss_diag_printf(diag, "%s/%s-%s.wav and 998 more names are taken", dir, stem,
                     suffix);
    return HISS_ERR_IO;
}

HissError sampleedit_write(const char *path, const SampleioAudio *audio,
                           const SampleMarks *marks, HissDiag *diag)
{
    /* 24-bit holds an edit exactly up to full scale; past it (a stretch's
     * rebuilt transient, a gain) only float does, unclipped. */
    float peak = peak_of(audio->frames, (size_t)audio->count * audio->channels);
    SampleioWriter *w = NULL;
    HissError err = sampleio_writer_open(path, audio->rate, audio->channels,
                                         peak <= 1.0f ? SAMPLEIO_ENC_PCM24 : SAMPLEIO_ENC_FLOAT,
                                         &w, diag);
    if (err)
        return err;
    if ((err = sampleio_writer_set_marks(w, marks, diag)) ||
        (err = sampleio_writer_write(w, audio->frames, audio->count, diag))) {
        sampleio_writer_abort(w);
        return err;
    }
    return sampleio_writer_close(w, diag);
}
