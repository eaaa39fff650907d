/* loudness: EBU R 128 measures of a stereo signal, off the audio thread:
 * integrated loudness (LUFS), loudness range (LU) and true peak (dBTP,
 * read by truepeak.h's meter: 4x oversampled, as ITU-R BS.1770 asks).
 * The exact history (a render, a reference) is measured by hiss's own
 * K-weighting and gating, which reads what libebur128 reads at a seventh
 * of its cost; the open-ended one (the editor's live meter) by
 * libebur128's histogram. */
#ifndef HISS_LOUDNESS_H
#define HISS_LOUDNESS_H

#include <stdint.h>

#include "base.h"

typedef struct Loudness Loudness;

/* BS.1770's absolute gate: anything quieter reads as silence. */
#define LOUDNESS_GATE_LUFS (-70.0)

typedef struct {
    double integrated_lufs; /* -HUGE_VAL for silence */
    double range_lu;
    double true_peak_dbtp;  /* -HUGE_VAL for silence */
    double momentary_lufs;  /* the last 400 ms; -HUGE_VAL for silence */
    double short_term_lufs; /* the last 3 s; -HUGE_VAL for silence */
} LoudnessFigures;

/* How the integrated loudness and range keep their history. */
typedef enum {
    /* Every 100 ms block is kept: exact, for a render of known length. */
    LOUDNESS_EXACT,
    /* Blocks are counted in 0.1 LU steps: reading the figures costs the
     * same after hours as after seconds, for the live meter of a session
     * that never ends. */
    LOUDNESS_OPEN_ENDED,
} LoudnessHistory;

/* NULL when out of memory. */
Loudness *loudness_new(uint32_t rate, LoudnessHistory history);
void loudness_free(Loudness *l);
/* Adds n interleaved stereo frames. */
HissError loudness_add(Loudness *l, const float *stereo, uint32_t n);
LoudnessFigures loudness_figures(const Loudness *l);

#endif
