/* finelevel: builds a sound's fine levels (sample.h) for the sinc mode.
 *
 * Level j is the sound resampled to num / den of its rate
 * (sample_fine_fraction) through a low-pass Kaiser-windowed sinc: a
 * polyphase kernel of `num` phases (the fraction's numerator in lowest
 * terms, so every level frame falls on one of them exactly, with no
 * interpolation between phases) whose edges are the fine reader's needs
 * (sinc.h): flat within 0.001 dB up to 0.45 of the highest output rate
 * that reads the level (0.45 of the sound's rate for level 0), and 96 dB
 * down from a quarter of the level's rate, where what the level holds
 * would begin to alias into the passband at the widest step read from
 * it. The kernel is as long as that transition needs: 128 taps for level
 * 0, about 2^(j/5) x 210 for the others (240 for level 1, 1632 for level
 * 15), so a level costs about 410 multiply-adds a frame of the sound
 * whatever its depth (256 for level 0).
 *
 * Pure C11 + libm, run off the audio thread. Each level's kernel table
 * (up to 45000 floats) is built on first use, once per process (under a
 * lock), and read-only afterwards. On x86-64 CPUs with AVX2 and FMA the
 * sums run eight taps an instruction; they round differently from the
 * portable ones, so levels are the same run after run on one machine,
 * not across machines. */
#ifndef HISS_FINELEVEL_H
#define HISS_FINELEVEL_H

#include <stdbool.h>
#include <stdint.h>

#include "base.h"
#include "sample.h"

/* Fills levels[0 .. count) (each with its frames and data allocated,
 * sample.h) with fine levels 0 .. count-1 of the `frames`-frame sound
 * `in` (interleaved, `channels` 1 or 2; silent before its first frame
 * and after its last): level j's frame i is the band-limited sound at
 * position i x den / num. HISS_ERR_NOMEM when memory for a kernel or a
 * padded copy of the sound cannot be had. */
HissError finelevel_build(const float *in, uint32_t frames, int channels, SampleLevel *levels,
                          int count);

/* How many frames of the sound on either side of a position a voice
 * reading fine level j there depends on: the kernel's half and the fine
 * reader's (sinc.h) in frames of the sound. */
uint32_t finelevel_reach(int j);

/* Makes the builder use its portable sums (true) or the fastest the CPU
 * has (false, the default), so tests check both on one machine. */
void finelevel_use_portable(bool portable);

#endif
