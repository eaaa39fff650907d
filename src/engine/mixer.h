/* mixer: one sample-playing voice and the inner loops that mix it.
 *
 * A voice reads its sample at the sample's own rate: its 32.32 fixed-point
 * step is pitch ratio x sample rate / output rate (exact, so a voice is
 * sample-identical whatever the render block size). Each output frame is
 * interpolated from the frames around the position:
 *   raw     the frame at the position (a true zero-order hold at the
 *           sample's rate: aliased and gritty on purpose);
 *   linear  two frames;  cubic  four (Catmull-Rom Hermite);
 *   sinc    SINC_TAPS frames through a windowed-sinc table (sinc.h); above
 *           the sample's rate the kernel widens, and more than an octave
 *           up a voice reads the sample's octave levels (a looping or
 *           reversed one those of its sound unrolled, sample.h).
 * A voice keeps no filter state: it can be copied, moved to another output
 * rate (a new step) or started anywhere with nothing to reset.
 *
 * Loop points are handled outside the inner loops: a run is cut where the
 * frames an interpolator needs stop being plain frames of one buffer (a
 * loop boundary, a turn), the inner loop renders it, then the position
 * wraps (forward loop) or turns onto the sample's `reversed` copy
 * (ping-pong), so every inner loop only ever walks forwards through one
 * buffer. The few frames whose window straddles a seam are rendered one by
 * one from a window gathered as the loop plays it (the end of the loop
 * followed by its start, or the turn reflected), so no mode clicks there.
 *
 * Ping-pong reflects without repeating the end frames: a loop [s, e) plays
 * s, s+1, ..., e-1, e-2, ..., s+1, s, s+1, ...
 *
 * Gain changes are linear ramps of `ramp` frames on amplitude only, so a raw
 * voice still sounds raw. A released voice ramps to zero and then frees
 * itself. Nothing here allocates. */
#ifndef HISS_MIXER_H
#define HISS_MIXER_H

#include <stdbool.h>
#include <stdint.h>

#include "base.h"
#include "song.h"

typedef struct {
    bool active;
    bool releasing;          /* free the voice when the ramp ends */
    int channel;             /* song channel, -1 for previews */
    int slot;                /* instrument slot it was started from, 0 = none */
    const Instrument *inst;  /* for retire bookkeeping */
    const void *owner;       /* the Song whose instrument it plays, or NULL */
    uint32_t serial;         /* start order, to pick the oldest ghost */

    const Sample *sample;
    const float *data;
    const float *rev;
    uint32_t frames;
    int chans;
    LoopMode loop;
    uint32_t loop_start, loop_end; /* sample frames, validated */
    InterpMode interp;

    /* The sample's unrolled levels for this voice's loop (sample.h), or
     * NULL: a voice that loops or plays reversed reads no others. */
    const SampleLoopLevels *unrolled;

    bool reverse;   /* the instrument plays back to front: `data` is the
                       sample's reversed copy, `rev` its frames in order */
    bool backward;  /* reading `rev` (ping-pong return leg) */
    bool wrapped;   /* has looped: frames before the loop start are gone */
    uint64_t pos;   /* 32.32 frames in the buffer being read */
    uint64_t step;  /* 32.32 frames per output frame */

    float gl, gr, gm;   /* current left, right and mono (port) gains */
    float tl, tr, tm;   /* targets */
    float dl, dr, dm;   /* per-frame ramp increments */
    uint32_t ramp_left;

    uint64_t end_pos;   /* 32.32 frame where a slice voice is silent, 0 = none */
    uint32_t end_fade;  /* output frames of its fade out before end_pos */
    /* The gain after the voice's own while mixer_voice_render_scaled
     * runs, 0 outside it. */
    float post;
} MixerVoice;

/* An idle voice (no allocation: a voice is plain data). */
void mixer_voice_init(MixerVoice *v);

/* Reverse play (the instrument's `reverse`): the voice reads the sample's
 * reversed copy, in which file frame f is frame frames - 1 - f, with the
 * loop mirrored onto the same file frames. Frames given to the start
 * functions below are then frames of that copy.
 *
 * Starts `inst` at sample frame `offset` (9xx offsets are in file frames).
 * Returns false (voice left inactive) when there is nothing to play. The
 * gains ramp up from zero over `ramp` frames. */
bool mixer_voice_start(MixerVoice *v, const Instrument *inst, uint32_t offset,
                       uint64_t step, float gl, float gr, float gm,
                       uint32_t ramp);
void mixer_voice_set_step(MixerVoice *v, uint64_t step);

/* Starts a slice: frames [start, end) of inst's sample, played once (no
 * loop), fading in over `fade` output frames and out over the last `fade`
 * output frames before end (at the step it is playing then), so a cut
 * mid-waveform never clicks. */
bool mixer_voice_start_slice(MixerVoice *v, const Instrument *inst, uint32_t start,
                             uint32_t end, uint64_t step, float gl, float gr,
                             float gm, uint32_t fade);

/* Copies a voice into `to` (another engine's voice) for output at
 * rate_scale times the old output rate: the same place in the same sample,
 * the step and any gain ramp rescaled (a scale of 1 copies it exactly). */
void mixer_voice_carry(MixerVoice *to, const MixerVoice *from, double rate_scale);

/* Ramps to new gains when they differ from the current targets. */
void mixer_voice_set_gains(MixerVoice *v, float gl, float gr, float gm,
                           uint32_t ramp);
/* Fades to silence over `ramp` frames, then the voice frees itself. */
void mixer_voice_release(MixerVoice *v, uint32_t ramp);
void mixer_voice_kill(MixerVoice *v);

/* Adds n frames into out (interleaved stereo) and port (mono, may be NULL).
 * Each product of a value and its gain is rounded before it is added (no
 * fused multiply-add into out): a voice added into a running mix gives
 * the sum its frames added into an empty bus first would (engine.c's
 * render_straight relies on this). */
void mixer_voice_render(MixerVoice *v, float *out, float *port, uint32_t n);
/* mixer_voice_render without a port, each frame's products with the
 * voice's gains then scaled by `post`, each rounded on its own: what its
 * frames added into an empty bus would add to out at the bus's gain
 * `post`. Not for a voice that interpolates by sinc. */
void mixer_voice_render_scaled(MixerVoice *v, float *out, uint32_t n, float post);
/* The same without a slice's end fade, for a caller that applies the
 * voice's gains itself (voicefx) and so calls mixer_voice_slice_edge on
 * the voice as it really is first. */
void mixer_voice_render_plain(MixerVoice *v, float *out, float *port, uint32_t n);
/* For a slice voice: starts its fade out once it is due (a release over
 * the frames left to its end) and returns how many of the next n frames
 * come before that point (n when nothing is due). */
uint32_t mixer_voice_slice_edge(MixerVoice *v, uint32_t n);

/* Fixed-point step for a playback ratio (sample frames per output frame),
 * clamped to 1/256 .. 256. */
uint64_t mixer_step_from_ratio(double ratio);
/* Makes every voice read with the portable loops (true) or the fastest
 * the CPU has (false, the default), so tests can check that both give
 * the same samples. Call only while no engine renders. */
void mixer_use_portable(bool portable);

/* The instrument's loop, validated against its sample (clamped; an empty
 * loop is none; a ping-pong loop of one frame is a forward loop). */
void mixer_loop_points(const Instrument *inst, LoopMode *mode, uint32_t *start,
                       uint32_t *end);
/* The same as a voice plays it: with the instrument's `reverse`, the
 * loop mirrored onto frames of the sample's reversed copy. */
void mixer_played_loop(const Instrument *inst, bool *reverse, LoopMode *mode,
                       uint32_t *start, uint32_t *end);

#endif
