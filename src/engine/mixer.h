/* mixer: one sample-playing voice and the inner loops that mix it.
 *
 * A voice reads float sample data at the session rate with a 32.32
 * fixed-point position (exact, so a voice is sample-identical whatever the
 * render block size), interpolates it (raw zero-order hold, linear, or
 * libsamplerate's sinc through a per-voice callback state), multiplies it by
 * ramped left/right gains and adds it into an interleaved stereo buffer and,
 * optionally, a mono per-channel buffer.
 *
 * Loop points are handled outside the inner loops: a run is cut at the next
 * loop boundary, the inner loop renders it, then the position wraps (forward
 * loop) or turns onto the sample's `reversed` copy (ping-pong), so every inner
 * loop only ever walks forwards through one buffer.
 *
 * Ping-pong reflects without repeating the end frames: a loop [s, e) plays
 * s, s+1, ..., e-1, e-2, ..., s+1, s, s+1, ...
 *
 * Gain changes are linear ramps of `ramp` frames on amplitude only, so a raw
 * voice still sounds raw. A released voice ramps to zero and then frees
 * itself. Everything here is allocation-free after mixer_voice_init. */
#ifndef HISS_MIXER_H
#define HISS_MIXER_H

#include <stdbool.h>
#include <stdint.h>

#include "base.h"
#include "sinc.h"
#include "song.h"

enum {
    MIXER_ZERO_FRAMES = 512, /* silence fed to sinc after a sample ends */
    MIXER_SCRATCH_FRAMES = 256,
};

typedef struct {
    bool active;
    bool releasing;          /* free the voice when the ramp ends */
    int channel;             /* song channel, -1 for previews */
    int slot;                /* instrument slot it was started from, 0 = none */
    const Instrument *inst;  /* for retire bookkeeping and rebinding */
    const void *owner;       /* the Song whose instrument it plays, or NULL */
    uint32_t serial;         /* start order, to pick the oldest ghost */

    const float *data;
    const float *rev;
    uint32_t frames;
    int chans;
    LoopMode loop;
    uint32_t loop_start, loop_end; /* at the session rate, validated */
    InterpMode interp;

    bool backward;  /* reading `rev` (ping-pong return leg) */
    uint64_t pos;   /* 32.32 frames in the buffer being read */
    uint64_t step;  /* 32.32 frames per output frame */

    float gl, gr, gm;   /* current left, right and mono (port) gains */
    float tl, tr, tm;   /* targets */
    float dl, dr, dm;   /* per-frame ramp increments */
    uint32_t ramp_left;

    /* sinc: one libsamplerate state per channel count, fed by callback */
    SincState *src[2];
    double src_ratio;
    bool feed_backward;
    uint32_t feed_index;  /* next source frame to feed, forward coordinates */
    bool feed_ended;      /* past the end of a non-looping sample */
    const float *zeros;   /* MIXER_ZERO_FRAMES stereo frames of silence */
} MixerVoice;

/* Creates the sinc states (allocates): call off the audio thread. */
HissError mixer_voice_init(MixerVoice *v, const float *zeros);
void mixer_voice_deinit(MixerVoice *v);

/* Starts `inst` at source frame `offset` (9xx offsets are in file frames).
 * Returns false (voice left inactive) when there is nothing to play. The
 * gains ramp up from zero over `ramp` frames. */
bool mixer_voice_start(MixerVoice *v, const Instrument *inst, uint32_t offset,
                       uint64_t step, float gl, float gr, float gm,
                       uint32_t ramp);
void mixer_voice_set_step(MixerVoice *v, uint64_t step);

/* Copies a voice into `to` (another engine's voice, with sinc states of its
 * own) for output at rate_scale times the old output rate: the same place
 * in the same sample, the step and any gain ramp rescaled (a scale of 1
 * copies it exactly). A sinc voice restarts its filter there, skipping the
 * few frames the old filter held. */
void mixer_voice_carry(MixerVoice *to, const MixerVoice *from, double rate_scale);

/* Moves a sounding voice to `inst`, whose sample is the voice's sound at
 * another rate (same origin, same channels): the same point in the sound,
 * the step rescaled to keep the pitch. `old_rate` is the rate of the
 * sample the voice plays now. False when the voice cannot follow (then
 * release it). */
bool mixer_voice_rebind(MixerVoice *v, const Instrument *inst, uint32_t old_rate);
/* Ramps to new gains when they differ from the current targets. */
void mixer_voice_set_gains(MixerVoice *v, float gl, float gr, float gm,
                           uint32_t ramp);
/* Fades to silence over `ramp` frames, then the voice frees itself. */
void mixer_voice_release(MixerVoice *v, uint32_t ramp);
void mixer_voice_kill(MixerVoice *v);

/* Adds n frames into out (interleaved stereo) and port (mono, may be NULL). */
void mixer_voice_render(MixerVoice *v, float *out, float *port, uint32_t n);

/* Fixed-point step for a playback ratio, clamped to what the sinc resampler
 * accepts (1/256 .. 256). */
uint64_t mixer_step_from_ratio(double ratio);

/* Source-file frame -> validated loop points at the session rate. */
void mixer_loop_points(const Instrument *inst, LoopMode *mode, uint32_t *start,
                       uint32_t *end);

#endif
