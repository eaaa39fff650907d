/* voicefx: what shapes one voice after its sample is read: the amplitude
 * envelope (attack, hold, decay, sustain, release) and the pitch envelope
 * (shape.h has the parameters), then in the order a sampler wires them:
 * crush (bit depth, sample-and-hold rate, dry/wet) -> filter (state
 * variable, zero-delay feedback, 12 or 24 dB/oct) -> drive (tape or hard
 * saturation) -> amplitude envelope -> the voice's gains and pan.
 *
 * Voice modes (engine.c decides, voicefx glides): poly starts every note
 * anew; mono starts it anew but glides from the previous note's pitch;
 * legato bends the sounding note to the new pitch without restarting the
 * sample or the envelopes (a 303-style slide).
 *
 * A shaped voice is rendered in two passes: the mixer reads the sample at
 * unit gain into a small buffer on the stack, then voicefx applies the
 * envelope and the voice's own gains (volume, pan and their declick ramps,
 * exactly as the mixer would) and adds the result to the outputs. Voices
 * of instruments that shape nothing never come here and cost nothing more.
 *
 * Everything counts output frames from the voice's start, so the result is
 * the same for any render block size: the envelope advances per frame;
 * the pitch envelope changes the voice's step, and the filter takes a new
 * cutoff target, only on frames that are multiples of
 * VOICEFX_CONTROL_FRAMES after the start (the filter glides to each target
 * sample by sample, or steps to it where the move is small enough to make
 * no zipper; while the cutoff moves, a target within a twelfth of a
 * semitone of the one held is not taken). A step the engine sets (a new
 * tick's pitch) is taken as the base that the envelope multiplies.
 *
 * Real time: no allocation, no I/O; the work per call is bounded by n. */
#ifndef HISS_VOICEFX_H
#define HISS_VOICEFX_H

#include <stdbool.h>
#include <stdint.h>

#include "mixer.h"
#include "song.h"

enum { VOICEFX_CONTROL_FRAMES = 16, VOICEFX_RUN = 256, VOICEFX_CHANGE_FRAMES = 64 };
/* A whole period of the crush's sample-and-hold, in its phase's units. */
#define VOICEFX_CRUSH_PERIOD ((uint64_t)1 << 32)

typedef enum {
    VOICEFX_ATTACK,
    VOICEFX_HOLD,
    VOICEFX_DECAY,
    VOICEFX_SUSTAIN,
    VOICEFX_RELEASE,
    VOICEFX_DONE,
} VoiceFxStage;

/* One AHDSR envelope: the amplitude's, or the filter's own. */
typedef struct {
    VoiceFxStage stage;
    float level;             /* 0..1 */
    float slope;             /* per frame in the current stage */
    uint32_t left;           /* frames left in the current stage */
    float sustain;
    uint32_t attack_frames, hold_frames, decay_frames, release_frames;
} VoiceFxEnv;

/* What the filter's linear frames carry from one run to the next
 * (voicefx.c, lin_loop): the state before the last frame, its input and
 * its coefficients. Not ready: the next frame starts afresh. */
typedef struct {
    float ic[2][2][2];       /* [stage][channel][integrator] */
    float x[2][2];           /* [stage][channel] */
    float g, a1[2];          /* [stage] */
    bool ready;
    /* A 12 dB run's last frames, which the next run's first four reach
     * back to (lin12_loop): the state after each of the last four, the
     * input, g and a1 of the last three (the earliest first). Not
     * ready12: the frames before start afresh. */
    float s12[4][2][2];      /* [frame][channel][integrator] */
    float x12[3][2], g12[3], a12[3];
    bool ready12;
} VoiceFxLin;

/* The settings and state of the crush, filter and drive stages that a
 * change fades from (VoiceFx.was). */
typedef struct {
    int filter;
    float k1, k2, band_gain;
    bool self_osc;
    float ic[2][2][2];
    VoiceFxLin lin;
    float crush_step;
    uint32_t crush_inc;
    uint64_t crush_phase;
    float crush_held[2], crush_mix;
    float drive_gain, drive_norm;
    int drive_type;
} VoiceFxStages;

typedef struct {
    bool on;                 /* the instrument shapes something */
    VoiceFxEnv amp;          /* ends the voice when it is done */
    VoiceFxEnv fenv;         /* moves the cutoff when fenv_own */
    bool fenv_own;           /* else the amplitude envelope moves it */

    float pitch_start;       /* semitones at the start */
    uint32_t pitch_frames;   /* frames for it to reach 0 */
    float env_st;            /* the pitch envelope's semitones in force */
    uint32_t glide_frames;   /* the instrument's glide time */
    float glide_st;          /* semitones still to glide (old - new note) */
    float glide_per_point;   /* taken off at each control point */
    uint32_t glide_points;   /* control points left in the glide */
    float pitch_mult;        /* step multiplier in force */
    uint64_t base_step;      /* the step without the envelope */
    uint64_t set_step;       /* the step voicefx last gave the voice */
    uint64_t age;            /* output frames since the start */
    int64_t pitch_origin;    /* the age the pitch envelope counts from */

    uint32_t end;            /* sample frame a one-shot voice ends at, 0 = none */
    uint32_t fade;           /* frames of the fade before that end */
    uint32_t rate;
    float key, velocity;     /* the note's, as voicefx_start had them */
    int filter;              /* SHAPE_FILTER_* */
    float cutoff_log2;       /* log2 Hz: the setting, key and velocity */
    float cutoff_offset;     /* key and velocity's part of it, octaves */
    float cutoff_scale;      /* share of the octaves above the floor kept
                                (voicefx_cutoff_scale) */
    float resonance;         /* the setting (0..1), which Mxx takes when it
                                turns the filter on */
    float env_octaves;       /* cutoff move at full envelope level */
    /* Impulse Tracker's filter (Instrument.filter_it, 12 dB only) runs
     * instead of the state-variable one: its coefficients for the cutoff
     * in force, IT's damping it_k taken from the resonance. */
    bool it_poles;           /* the instrument asks for IT's filter */
    float it_k;              /* IT's damping, from the resonance */
    float it_fg, it_fb0, it_fb1;
    float k1, k2;            /* damping of the first and second stage */
    float band_gain;         /* band-pass output scale: unity at the peak */
    bool self_osc;           /* the resonant stage's damping follows its
                                level (it can oscillate on its own) */
    float g, dg;             /* tan(pi fc / rate), and its per-frame glide */
    float g_target;          /* where the glide under way ends */
    float g_target_log2;     /* the cutoff g_target was worked out for, log2 Hz */
    float point_log2;        /* the cutoff at the last control point, log2 Hz:
                                whether the next has moved (cutoff_targets) */
    bool g_set;              /* g has had its first target */
    bool env_still;          /* the levels that move the cutoff are one
                                level over the run under way */
    float ic[2][2][2];       /* [stage][channel][integrator] */
    VoiceFxLin lin;          /* what the next frame needs of the last */

    float crush_step;        /* quantizer step, 0 = no bit reduction */
    uint32_t crush_inc;      /* hold rate / output rate, of VOICEFX_CRUSH_PERIOD;
                                0 = no hold */
    uint64_t crush_phase;    /* of the held period: a take when it reaches
                                VOICEFX_CRUSH_PERIOD */
    float crush_held[2];
    float crush_mix;

    float drive_gain;        /* into the saturator, 0 = no drive */
    float drive_norm;        /* 1 / curve(drive_gain): full scale stays */
    int drive_type;          /* SHAPE_DRIVE_* */
    float drive_scale;       /* of a drive setting: what the velocity leaves */

    /* A change of the crush, filter or drive settings on a sounding voice
     * (a pattern's letter, an edit of the instrument) fades over
     * VOICEFX_CHANGE_FRAMES from what those stages as they were make of
     * the same input, run beside them: their settings and state as they
     * were, and how many frames of the fade are left. */
    VoiceFxStages was;
    uint32_t change_left;
    /* Yxx moves the amplitude envelope at once; the level heard fades
     * from where it was over VOICEFX_CHANGE_FRAMES. */
    float amp_was;
    uint32_t amp_fade_left;
} VoiceFx;

/* Sets up the shaping of a voice just started from `inst` at `rate`:
 * `key` is the note's distance from C-4 in semitones (key tracking) and
 * `velocity` its volume, 0..1. */
void voicefx_start(VoiceFx *fx, const Instrument *inst, uint32_t rate,
                   MixerVoice *v, float key, float velocity);
/* A glide: the voice's pitch is now `semis` above the note it must reach
 * (old note - new note) and moves there linearly over the glide time,
 * from wherever an unfinished glide had got to; at the end it is exactly
 * the new note. Nothing when the instrument's glide time is 0. */
void voicefx_glide(VoiceFx *fx, float semis);
/* Pattern effects on a sounding voice (man/effects.roff, "Shaping
 * effects"): `letter` with `param`, on the row's first tick (first true)
 * or a later tick. Starts the voice's shaping when it had none. True when
 * the letter is one of them. */
bool voicefx_effect(VoiceFx *fx, uint8_t letter, uint8_t param, bool first);
/* The sounding voice's instrument was edited from `was` to `now` (the
 * engine replaces an instrument while its notes play): the filter, crush
 * and drive settings that changed are taken as the note sounds, fading
 * from the stages as they were as Ixx and Wxx do, the cutoff gliding;
 * what did not change keeps what the pattern may have set. An envelope
 * edit reaches the stage under way (it goes on from its level over the
 * share of the new time it had left; a new sustain is reached over
 * VOICEFX_CHANGE_FRAMES), as does a pitch envelope or glide under way. */
void voicefx_update(VoiceFx *fx, const Instrument *was, const Instrument *now);
/* A channel insert: the crush, filter and drive stages of a shape array
 * (SHAPE_COUNT values; only those stages' parameters count) alone, on a
 * channel's stereo bus: no envelope, as a note at full velocity on C-4.
 * An edit (update) takes effect as a live edit of a sounding voice does:
 * the cutoff glides, crush and drive fade over VOICEFX_CHANGE_FRAMES. */
void voicefx_insert_start(VoiceFx *fx, const int *shape, uint32_t rate);
void voicefx_insert_update(VoiceFx *fx, const int *was, const int *now);
/* Whether it changes anything (a stage on, or a change still fading). */
bool voicefx_insert_active(const VoiceFx *fx);
/* [audio] n interleaved stereo frames, in place. */
void voicefx_insert_run(VoiceFx *fx, float *stereo, uint32_t n);
/* A filter envelope (pointenv.h) keeps `share` (0..1) of the cutoff's
 * octaves above SONG_FILTER_ENV_FLOOR_HZ; the filter glides there. */
void voicefx_cutoff_scale(VoiceFx *fx, float share);
/* === : the envelope goes to its release stage. */
void voicefx_release(VoiceFx *fx);
/* The same voice carried to another output rate (engine_hand_over). */
void voicefx_carry(VoiceFx *to, const VoiceFx *from, double rate_scale);
/* Renders n frames of v shaped into out (stereo) and port (mono or NULL);
 * the voice ends when its envelope does. */
void voicefx_render(VoiceFx *fx, MixerVoice *v, float *out, float *port,
                    uint32_t n);
/* Whether two voices' filters can go side by side (voicefx_render_two):
 * the same 24 dB type, neither oscillating by itself (a 12 dB section
 * takes four frames a step on its own). */
bool voicefx_filters_pair(const VoiceFx *a, const VoiceFx *b);
/* Two voices at once, each as voicefx_render would render it (the same
 * samples): their filters' steps go side by side, so that one voice's
 * filter works while the other's waits on its state. Their outputs and
 * ports must not be the same buffers (frames of the two voices are added
 * in no set order). */
void voicefx_render_two(VoiceFx *fa, MixerVoice *va, float *outa, float *porta,
                        VoiceFx *fb, MixerVoice *vb, float *outb, float *portb, uint32_t n);

#endif
