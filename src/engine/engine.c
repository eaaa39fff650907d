/* engine: the sequencer (orders, rows, ticks, effects), voice management,
 * the command/return channels and the master section. The voices and their
 * inner loops live in mixer.c. See man/effects.roff for the semantics. */
#include "engine.h"

#include <assert.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fx.h"
#include "clock.h"
#include "groove.h"
#include "live.h"
#include "mixer.h"
#include "ring.h"
#include "timing.h"
#include "sinc.h"
#include "voicefx.h"
#include "strip.h"
#include "bus.h"
#include "eq.h"
#include "delay.h"
#include "reverb.h"
#include "limiter.h"
#include "duck.h"
#include "glue.h"
#include "refplay.h"
#include "fpmode.h"
#include "pointenv.h"

/* Following a MIDI clock: how long the tempo synced effects hear is
 * smoothed over, and how fast a delay's time moves to it (a share of the
 * distance per frame: no step, no warble). */
#define FOLLOW_SMOOTH_SECONDS 1.0
#define FOLLOW_GLIDE_SECONDS 0.1

enum {
    GRAVEYARD_SIZE = 32,
    COMMAND_RING = 256,
    RETURN_RING = 256,
    TAKE_RING = 256,
    ROW_LOG_RING = 1024, /* rows a capture keeps for the UI: seconds of them */
};

/* A note's auto-vibrato (Instrument.autovib): its place in the wave
 * (256ths of a cycle), its depth now and each tick's rise while it
 * sweeps in (both 256ths of a semitone x 256). */
typedef struct {
    int pos, amp, rise;
} AutoVib;

typedef struct {
    FxChannel fx;
    int voice;           /* index into voices, -1 for none */
    uint32_t voice_serial;
    int slice_pick;      /* Sxx of the last note: slice 1..128, 0 = none */
    float level;         /* the sounding note's humanized level (groove) */
    float level_next;    /* what the next note from a row gets */
    /* The point envelopes of the channel's last note as of its last
     * tick (its voice has its own, pointenv.h), kept after the note
     * ends, for a bare note that goes on with them; and their instrument. */
    PointEnv env;
    const Instrument *env_inst;
    /* Xxy (x 3..6) for the sounding note: its new-note action instead of
     * its instrument's (-1: none); a note with an instrument ends it. */
    int nna_override;
    AutoVib autovib;     /* the sounding note's auto-vibrato */
    int autovib_off;     /* the pitch it gives this tick, 1/64 semitones */
    /* A note off on a note without a volume envelope whose instrument
     * has a fadeout: it fades by it (Impulse Tracker), 65536 .. 0. */
    bool off_fading;
    int off_fade;
} Channel;

/* A note its channel's next note sent into the background (its new-note
 * action, Instrument.nna): it plays on in its voice on its channel's bus,
 * its point envelopes going on (its voice's, pointenv.h), until it ends
 * or fades out, a past-note action (Xxy, a duplicate check) stops it, or
 * its voice is needed. */
typedef struct {
    int voice;              /* -1: the slot is free */
    uint32_t voice_serial;
    int channel;
    uint8_t note;
    float vol;              /* its volume when it went, 0..1 */
    int pan;                /* 0..255 */
    int pitch;              /* 1/64 semitones */
    AutoVib autovib;
    /* Fading by the instrument's fadeout where its volume envelope's
     * note-off fade does not (a fade while held, or no volume envelope):
     * 65536 .. 0. */
    bool fading;
    int fade;
} PastNote;

enum { PAST_NOTES = 96 };
/* The fields of a strip follow_strips reads (strip_reread): fader, pan,
 * mute, solo, two sends and their pre switches, the ducker's six, the
 * EQ's nine, the compressor's and the insert's. */
enum { STRIP_SEEN = 4 + 2 * SONG_SENDS + 6 + 9 + SONG_COMP_PARAMS + SONG_INSERT_PARAMS };

typedef struct {
    int voice;
    uint32_t voice_serial;
} PreviewSlot;

typedef struct {
    EngineReturnType type;
    void *ptr;
} Grave;

/* The sequencer: where the song is, its tempo, and what counts frames to
 * the next tick (tick_rem, frames_left, swing_debt, rescaled when the rate
 * changes). engine_hand_over copies it whole. */
typedef struct {
    bool playing, pattern_mode, loop_song;
    int order, pattern, row, tick, speed, bpm_tenths;
    int passes;             /* EEx: the row's ticks run this many times */
    int global_volume;      /* 0..64: the song's global_volume, then Gxx/Hxy */
    uint64_t tick_rem;      /* remainder of rate*50 / (2*bpm_tenths), carried */
    uint32_t frames_left;   /* until the next tick (or swing delay) ends */
    uint32_t tick_len;      /* frames of the tick playing (frames_left at its start) */
    bool row_started;
    bool row_is_bar; /* the next row played starts a bar (a take waits for it) */
    uint32_t swing_debt;
    FxRowControl ctl;       /* song control from the current row */
    bool cmd_jump;
    int cmd_jump_order, cmd_jump_row;
    uint64_t clock_rows;    /* rows_into_song of the playing row: MIDI
                               clock out sends song position when the
                               next is not the one after it */
    int cue;
    bool cue_pattern;       /* cue is a pattern to loop, not an order entry */
    EngineCueAt cue_at;
    int loop_first, loop_last; /* rows looped in the pattern, -1: none */
    uint32_t row_elapsed;   /* frames since the playing row's first tick */
    /* While capturing, a tempo or speed set by a command (or a clock)
     * waits for the next tick or row, where Fxx and Txy can say it again
     * (0: none). */
    int bpm_due, speed_due;
    /* What the capture log said last: a tick that changes either is
     * logged (engine_capture_rows). */
    uint64_t logged_audible;
    int logged_bpm;
    int logged_move[SONG_MAX_CHANNELS][ENGINE_MOVES];
    bool logging; /* the capture's first beat has come */
    /* Humanize and Uxx draw by the rows started since this rows_played
     * count: 0, or where a capture began or a Vxx restarted them, so a
     * captured arrangement draws again what the performance drew. */
    uint64_t draw_base;
} Sequencer;

/* A live note rounded forward: the row `rows` rows on (at pattern, row)
 * has sounded already, so its note on this channel is skipped once. */
typedef struct {
    int rows, pattern, row;
} LiveSkip;

/* The song channels: effect state, the voice each plays, mute and solo.
 * Copied whole by engine_hand_over. */
typedef struct {
    LiveSkip skip[SONG_MAX_CHANNELS];
    /* Where the channel's last live note was written (rows 1: set), so
     * its release does not land on it. */
    LiveSkip last_take[SONG_MAX_CHANNELS];
    Channel ch[SONG_MAX_CHANNELS];
    /* Mute and solo are the song's (its strips); a change asked for at
     * the next bar is already in the song, and until the bar the channel
     * keeps the flag it had: -1 none, else 0/1 (ENGINE_CMD_HOLD_*). */
    signed char hold_mute[SONG_MAX_CHANNELS], hold_solo[SONG_MAX_CHANNELS];
    /* A channel's holds last, instead of to the bar, until playback
     * reaches this order entry (-1: to the bar): the mixer's flags a
     * performance capture handed to its arrangement keep sounding until
     * the arrangement plays. */
    int hold_until[SONG_MAX_CHANNELS];
    /* The strips' mute and solo as heard. While capturing, a change waits
     * for the next tick (flags_due), where a pattern's Oxy can replay it. */
    bool mute[SONG_MAX_CHANNELS], solo[SONG_MAX_CHANNELS];
    bool flags_due;
    /* Oxy: the pattern took the channel out of the mix, until it brings
     * it back or the order entry changes. */
    bool out[SONG_MAX_CHANNELS];
    int solo_count;         /* channels soloed as heard */
    int nch;                /* song channels at the last row */
    StripState strip[SONG_MAX_CHANNELS]; /* the song's strips as applied */
    PastNote past[PAST_NOTES];
    /* Bit i (of word i / 64): past[i] may hold a voice. Every slot that
     * holds one has its bit; a slot let go may keep it a while. */
    uint64_t past_held[(PAST_NOTES + 63) / 64];
    /* Groove: a row's note part waiting groove_left frames (0: none). */
    Cell groove_cell[SONG_MAX_CHANNELS];
    uint32_t groove_left[SONG_MAX_CHANNELS];
    int groove_waiting; /* how many wait */
    /* Zxx: a note part (in groove_cell) that waits xx/255 of its tick,
     * once the tick's length is known (xx + 1; 0: none); how many do. */
    int fine_due[SONG_MAX_CHANNELS];
    int fine_count;
    /* The fader (tenths of a dB) and balance heard: the strip's, or what
     * the pattern's Oxy move pairs set, until playback starts again or the strip
     * moves (auto, MIX_NONE: none). While capturing, a strip's move waits
     * for the next tick (moves_due), where an Oxy pair can say it again. */
    int heard_move[SONG_MAX_CHANNELS][ENGINE_MOVES];
    float heard_gain[SONG_MAX_CHANNELS];
    /* The heard fader as applied to each channel's bus, gliding to
     * heard_gain (channel_fader_to). */
    StripFader fader[SONG_MAX_CHANNELS];
    int auto_move[SONG_MAX_CHANNELS][ENGINE_MOVES];
    bool moves_due;
} ChannelBank;

/* Every voice (channel notes, fading ghosts, previews). Voices hold
 * pointers into the song, so engine_hand_over carries them one by one
 * (mixer_voice_carry). */
typedef struct {
    MixerVoice voices[ENGINE_MAX_VOICES];
    VoiceFx shaping[ENGINE_MAX_VOICES]; /* envelopes of voice i (voicefx.h) */
    PointEnv points[ENGINE_MAX_VOICES]; /* its point envelopes (pointenv.h) */
    /* A voice of no channel (a preview): its pitch, pan (0..255) and
     * level without the point envelopes; and, on a stopped song, frames
     * to its next tick of them. */
    int alone_pitch[ENGINE_MAX_VOICES], alone_pan[ENGINE_MAX_VOICES];
    float alone_vol[ENGINE_MAX_VOICES];
    uint32_t tick_left[ENGINE_MAX_VOICES];
    uint32_t serial;
    /* The voices that may be sounding, bit i % 64 of word i / 64 for
     * voice i: a voice starts only where voice_alloc hands it out (or
     * engine_hand_over carries it), which sets its bit, and voice_list
     * clears the bit of one it finds silent. The loops over the sounding
     * voices walk these bits, not all ENGINE_MAX_VOICES slots. */
    uint64_t busy[ENGINE_MAX_VOICES / 64];
} VoicePool;

_Static_assert(ENGINE_MAX_VOICES % 64 == 0, "whole words of busy bits");

/* The sounding voices' indices into list, in index order; returns how
 * many. Nothing a voice does as it renders or ticks sounds another, so
 * a list taken before a loop over the voices stays true through it. */
static int voice_list(VoicePool *p, int list[ENGINE_MAX_VOICES])
{
    int n = 0;
    for (int w = 0; w < ENGINE_MAX_VOICES / 64; w++)
        for (uint64_t m = p->busy[w]; m; m &= m - 1) {
            int i = 64 * w + __builtin_ctzll(m);
            if (p->voices[i].active)
                list[n++] = i;
            else
                p->busy[w] &= ~((uint64_t)1 << (i % 64));
        }
    return n;
}

/* Voice i may sound from now on. */
static void voice_mark_busy(VoicePool *p, int i)
{
    p->busy[i / 64] |= (uint64_t)1 << (i % 64);
}

/* Notes auditioned from the editor; they end with their engine. */
typedef struct {
    PreviewSlot slots[ENGINE_PREVIEW_VOICES];
    int next;
    Instrument *inst;       /* from ENGINE_CMD_PREVIEW_SAMPLE */
    PreviewSlot audition;   /* the voice playing inst (voice -1: none) */
} Previews;

/* Master gain, ramped when the song's setting changes. */
typedef struct {
    int tenth_db;
    float gain, target, step;
    uint32_t left;
} Master;

/* The send buses: A (delay) and B (reverb), fed from the channel buses
 * each chunk. */
typedef struct {
    Delay delay;
    Reverb reverb;
    int delay_set[SONG_DELAY_PARAMS], reverb_set[SONG_REVERB_PARAMS];
    float in[SONG_SENDS][2 * BUS_FRAMES], out[SONG_SENDS][2 * BUS_FRAMES];
    float gain[SONG_MAX_CHANNELS][SONG_SENDS]; /* as applied at the last chunk's end */
    /* Bit c: channel c's strip moved since its gains were last taken
     * (follow_strips); every other's gain is its strip's send already. */
    uint64_t gains_due;
    float to_reverb;                           /* likewise, delay into reverb */
    bool fed[SONG_SENDS]; /* in[k] holds this chunk's input */
    float peak[SONG_SENDS];
    bool lines;   /* the delay and reverb have their memory */
    bool offered; /* [ui] engine_ready_sends has sent it */
} Sends;

/* The memory of the delay's and the reverb's lines, on its way to an
 * engine made without it. */
typedef struct {
    Delay delay;
    Reverb reverb;
} SendLines;

/* The true-peak limiter and what keeps everything in step with it: while
 * it is on, the master comes out its lookahead late, and so do the stems
 * and the channel ports, through rings of that length; playback started
 * with engine_play_song_now is rendered that far ahead, so offline output
 * starts on the song's first frame. */
typedef struct {
    Limiter limiter;
    bool on;                 /* the song's limiter, as last applied */
    uint32_t frames;         /* the lookahead */
    float *stem_ring[ENGINE_STEMS]; /* 2 x frames each */
    float *port_ring[SONG_MAX_CHANNELS]; /* frames each */
    bool stem_fed[ENGINE_STEMS], port_fed[SONG_MAX_CHANNELS];
    bool any_fed;            /* false: none of those is (true may be stale) */
    float *scratch;          /* 2 x frames */
    float *mem;
} Lookahead;

struct Engine {
    Song *song;
    uint32_t rate;
    uint32_t ramp;          /* declick ramp in frames */
    uint32_t release_ramp;  /* note-off fade */
    Ring commands;
    Ring returns;
    Ring takes;             /* recorded live notes, to the UI */
    Ring row_log;           /* rows played while capturing, to the UI */
    _Atomic bool capturing; /* engine_capture_rows */
    Ring tap;               /* the master output, to the meters */
    EngineTapBlock tap_fill; /* the block being filled */
    /* Live notes from the audio thread itself (engine_live_note_now),
     * in frame order (a note's frame in live_frame, from the start of the
     * next engine_render), played after the period's commands so they
     * follow what was sent before them; live_next: the first not played. */
    EngineCommand live[ENGINE_LIVE_PER_PERIOD];
    uint32_t live_frame[ENGINE_LIVE_PER_PERIOD];
    int live_count, live_next;
    EngineStatus status;

    VoicePool pool;
    ChannelBank chans;
    Previews preview;

    Grave graveyard[GRAVEYARD_SIZE];
    int grave_count;
    EngineCommand pending;
    bool has_pending;

    Sequencer seq;
    Master master;
    BusBank buses;
    Eq master_eq;
    Eq channel_eq[SONG_MAX_CHANNELS]; /* each channel's EQ insert */
    bool channel_eq_on[SONG_MAX_CHANNELS];
    /* Each channel's filter, crush and drive insert: the voices' stages
     * (voicefx), its shape as last applied, whether it does anything. */
    VoiceFx insert[SONG_MAX_CHANNELS];
    int insert_shape[SONG_MAX_CHANNELS][SHAPE_COUNT];
    bool insert_on[SONG_MAX_CHANNELS];
    uint64_t insert_on_mask; /* the same, bit c for channel c */
    float mean_square[SONG_MAX_CHANNELS]; /* each bus's, over about 300 ms */
    uint64_t rms_decaying;                /* bit c: mean_square[c] is not 0 */
    /* Each channel's compressor insert, its settings this period, and the
     * gains of the chunk (worked out for all before any is applied, so a
     * detector keyed to another channel hears that channel uncompressed). */
    Glue comp[SONG_MAX_CHANNELS];
    int comp_set[SONG_MAX_CHANNELS][SONG_COMP_PARAMS];
    uint64_t glue_mask; /* bit c: comp_set[c][SONG_GLUE_ON] */
    float comp_gain[SONG_MAX_CHANNELS][BUS_FRAMES];
    /* Bit c: channel c's fader glides in this chunk, and fader_gain[c]
     * holds its gain for each of the chunk's frames before
     * fader_filled[c] (a fader moved mid-chunk, at a tick, glides from
     * that frame). */
    uint64_t fader_moving;
    uint32_t fader_pos; /* the frame of the buses' chunk the sequencer is at */
    uint32_t fader_filled[SONG_MAX_CHANNELS];
    float fader_gain[SONG_MAX_CHANNELS][BUS_FRAMES];
    Glue glue;
    Tape tape;
    Sends sends;
    Lookahead late;
    /* The channels' duckers, their settings as of this period, and the
     * frame of the chunk the sequencer is at (where a key note lands). */
    Ducker duck[SONG_MAX_CHANNELS];
    DuckSettings duck_set[SONG_MAX_CHANNELS];
    int duck_from[SONG_MAX_CHANNELS]; /* 1-based key channel, 0: none */
    int duck_inst[SONG_MAX_CHANNELS]; /* key instrument slot, 0: none */
    /* Each channel's strip as follow_strips last loaded it (strip_reread);
     * bit c of strips_seen: strip_seen[c] is what the channel's state
     * above was made from. */
    int strip_seen[SONG_MAX_CHANNELS][STRIP_SEEN];
    uint64_t strips_seen;
    /* Bit c: channel c's ducker may be busy (duck_busy). A key note sets
     * it; a chunk that leaves the ducker idle clears it. */
    uint64_t duck_mask;
    /* Bit c: channel c's compressor (ducker) has run since its meter was
     * last published, so its most_db (least) may hold a reading: the
     * others, at rest, are not read each period. */
    uint64_t comp_unpublished, duck_unpublished;
    uint32_t chunk_pos;
    uint32_t chunk_done; /* frames of this render call before the chunk */
    /* MIDI clock out, its messages placed at the frame of the render the
     * sequencer is at (render_at), delayed as the output is. */
    ClockOut clock;
    uint32_t render_at, last_nframes;
    /* Following an external MIDI clock, tempo-synced effects (the send
     * delay) take its beat as measured, smoothed over about a second,
     * without the per-pulse nudges that lock the phase: a jittery clock
     * then never moves an echo. `quiet`: frames since the last pulse; a
     * second without one ends following. */
    struct {
        bool on;
        double beat_frames;
        uint32_t updates, quiet;
    } follow;
    RefPlay ref; /* the reference track for A/B (after the master) */
};

/* ---- voices ------------------------------------------------------------ */

static MixerVoice *channel_voice(Engine *e, const Channel *ch)
{
    if (ch->voice < 0)
        return NULL;
    MixerVoice *v = &e->pool.voices[ch->voice];
    return v->active && !v->releasing && v->serial == ch->voice_serial ? v
                                                                        : NULL;
}

static void release_channel_voice(Engine *e, Channel *ch, uint32_t ramp)
{
    MixerVoice *v = channel_voice(e, ch);
    if (v)
        mixer_voice_release(v, ramp);
    ch->voice = -1;
}

/* A new note's point envelopes (on voice vi) start at their first tick;
 * a bare note (`bare`: no instrument number) of an instrument that keeps
 * them goes on with its channel's, and so does an E80 note (`keymap`: an
 * imported keymap's other sample, whose instrument number only picks the
 * sample) whatever the channel's instrument was. */
static void envelope_start(Engine *e, Channel *ch, int vi, const Instrument *inst, bool bare,
                           bool keymap)
{
    PointEnv *pe = &e->pool.points[vi];
    if ((bare || keymap) && inst->env_keep_bare && (keymap || ch->env_inst == inst) &&
        ch->env.on)
        *pe = ch->env;
    else
        pointenv_start(pe, inst);
    ch->env_inst = inst;
    ch->env = *pe;
    e->pool.tick_left[vi] = 0;
}

/* === : a note with a volume envelope goes on past its sustain and fades
 * (the channel keeps it); a shaped voice goes into its envelope's
 * release and rings out as a ghost; others fade out over the note-off
 * fade. */
static void release_note(Engine *e, Channel *ch)
{
    MixerVoice *v = channel_voice(e, ch);
    if (v && pointenv_release(&e->pool.points[ch->voice], v->inst)) {
        ch->env = e->pool.points[ch->voice];
        if (e->pool.shaping[ch->voice].on)
            voicefx_release(&e->pool.shaping[ch->voice]);
        return;
    }
    if (v && e->pool.shaping[ch->voice].on) {
        voicefx_release(&e->pool.shaping[ch->voice]);
        ch->voice = -1;
        return;
    }
    if (v && e->seq.playing && v->inst->fadeout > 0) {
        ch->off_fading = true;
        return;
    }
    release_channel_voice(e, ch, e->release_ramp);
}

/* The voice of past note p while it still plays it, else NULL. */
static MixerVoice *past_voice(Engine *e, const PastNote *p)
{
    if (p->voice < 0)
        return NULL;
    MixerVoice *v = &e->pool.voices[p->voice];
    return v->active && !v->releasing && v->serial == p->voice_serial ? v : NULL;
}

/* Frees the oldest past note's voice for a new note: the voice's index,
 * or -1 when there are none. */
static int past_steal(Engine *e)
{
    PastNote *oldest = NULL;
    for (int i = 0; i < PAST_NOTES; i++) {
        PastNote *p = &e->chans.past[i];
        if (past_voice(e, p) && (!oldest || p->voice_serial < oldest->voice_serial))
            oldest = p;
    }
    if (!oldest)
        return -1;
    int voice = oldest->voice;
    oldest->voice = -1;
    return voice;
}

/* A free voice; else the quietest fading ghost is taken over; else the
 * oldest past note's. The voice handed out is marked busy: it is about
 * to start. */
static int voice_alloc(Engine *e)
{
    int best = -1;
    for (int i = 0; i < ENGINE_MAX_VOICES; i++) {
        MixerVoice *v = &e->pool.voices[i];
        if (!v->active) {
            voice_mark_busy(&e->pool, i);
            return i;
        }
        if (v->releasing &&
            (best < 0 || v->ramp_left < e->pool.voices[best].ramp_left))
            best = i;
    }
    if (best < 0)
        best = past_steal(e);
    if (best >= 0) {
        mixer_voice_kill(&e->pool.voices[best]);
        voice_mark_busy(&e->pool, best);
    }
    return best;
}

/* Mute and solo as heard: the song's, or what a hold keeps to the bar. */
static bool heard_mute(const Engine *e, int c)
{
    int held = e->chans.hold_mute[c];
    return held >= 0 ? held != 0 : e->chans.mute[c];
}

static bool heard_solo(const Engine *e, int c)
{
    int held = e->chans.hold_solo[c];
    return held >= 0 ? held != 0 : e->chans.solo[c];
}

static bool audible(const Engine *e, int c)
{
    return !e->chans.out[c] && !heard_mute(e, c) && (!e->chans.solo_count || heard_solo(e, c));
}

/* Capturing while the song plays: mutes, solos, tempos and speeds then
 * act only where a pattern can say them again (engine_capture_rows). */
static bool capturing_play(const Engine *e)
{
    return e->seq.playing && atomic_load_explicit(&e->capturing, memory_order_relaxed);
}

static void pan_gains(int pan, float vol, float *gl, float *gr)
{
    float p = (float)(pan - 128) / (pan < 128 ? 128.0f : 127.0f);
    *gl = vol * (p > 0 ? 1.0f - p : 1.0f);
    *gr = vol * (p < 0 ? 1.0f + p : 1.0f);
}

static int pan_from_instrument(const Instrument *inst)
{
    return hiss_clampi(128 + hiss_clampi(inst->pan, -100, 100) * 128 / 100, 0, 255);
}

static uint64_t pitch_step(const Engine *e, const Instrument *inst, int pitch)
{
    const Sample *s = inst->sample;
    double rate_ratio = s && s->rate ? (double)s->rate / e->rate : 1.0;
    int ft = hiss_clampi(inst->finetune, -100, 100);
    double x = (pitch - (int)inst->base_note * FX_PITCH_PER_NOTE) /
                   (12.0 * FX_PITCH_PER_NOTE) +
               ft / 1200.0;
    return mixer_step_from_ratio(exp2(x) * rate_ratio);
}

/* The global volume (Gxx, Hxy) every channel is scaled by, 0..1: the
 * playing song's, or on a stopped song its setting. */
static float global_gain(const Engine *e)
{
    int g = e->seq.playing ? e->seq.global_volume : song_global_volume(e->song);
    return (float)g / SONG_GLOBAL_VOLUME_MAX;
}

/* The pan (0..255) a panning envelope at `level` (32 = centre) moves
 * `pan` to: as far as there is room on its side, as FastTracker 2 does. */
static int env_moved_pan(int pan, float level)
{
    float room = 128.0f - fabsf((float)pan - 128.0f);
    float moved = (float)pan + (level - SONG_ENV_TOP / 2) * room / (SONG_ENV_TOP / 2);
    return hiss_clampi((int)lroundf(moved), 0, 255);
}

/* The gains of a note on channel c at volume `vol` (0..1) and pan
 * (0..255) under point envelopes standing at pe (NULL: none). */
static void note_gains(const Engine *e, int c, float vol, int pan, const PointEnv *pe,
                       float *gl, float *gr, float *gm)
{
    StripState heard = {.pan = e->chans.heard_move[c][ENGINE_MOVE_BALANCE]};
    /* The fader is not here: it comes after the channel's inserts and
     * pre-fader sends, on its bus (channel_fader_to). */
    vol = audible(e, c) ? vol * (pe ? pe->gain : 1.0f) * global_gain(e) : 0.0f;
    pan_gains(env_moved_pan(pan, pe ? pe->pan : SONG_ENV_TOP / 2), vol, gl, gr);
    strip_balance(&heard, gl, gr);
    *gm = vol;
}

enum { MIX_NONE = INT_MIN };

/* The strips' faders and balances are heard again, no Oxy pair over them. */
static void clear_auto_moves(Engine *e)
{
    for (int c = 0; c < SONG_MAX_CHANNELS; c++)
        for (int k = 0; k < ENGINE_MOVES; k++)
            e->chans.auto_move[c][k] = MIX_NONE;
    e->chans.moves_due = true;
}

/* Channel c's fader and balance as they should be heard now: an Oxy pair's, else
 * the strip's. */
static int wanted_move(const Engine *e, int c, int k)
{
    if (e->chans.auto_move[c][k] != MIX_NONE)
        return e->chans.auto_move[c][k];
    return k == ENGINE_MOVE_FADER ? e->chans.strip[c].gain_tenth_db : e->chans.strip[c].pan;
}

/* Whether a voice of channel c may be sounding. */
static bool channel_sounds(const Engine *e, int c)
{
    for (int w = 0; w < ENGINE_MAX_VOICES / 64; w++)
        for (uint64_t m = e->pool.busy[w]; m; m &= m - 1) {
            const MixerVoice *v = &e->pool.voices[64 * w + __builtin_ctzll(m)];
            if (v->active && v->channel == c)
                return true;
        }
    return false;
}

/* Channel c's fader glides to `target` from the frame of the chunk the
 * sequencer is at: the frames before it keep the glide they had. With
 * nothing sounding on the channel it is there at once, so a note that
 * starts on the move's tick (a playback's first) starts at its level. */
static void channel_fader_to(Engine *e, int c, float target)
{
    StripFader *f = &e->chans.fader[c];
    if (target == f->target)
        return;
    /* (Not moving before, none of the chunk's frames is filled.) */
    uint32_t at = e->fader_pos;
    strip_fader_run(f, e->fader_gain[c] + e->fader_filled[c], at - e->fader_filled[c]);
    e->fader_filled[c] = at;
    e->fader_moving |= (uint64_t)1 << c;
    strip_fader_to(f, target, channel_sounds(e, c) ? e->ramp : 0);
}

/* The fader and balance heard become the wanted ones; true when any
 * changed. */
static bool take_moves(Engine *e)
{
    bool changed = false;
    for (int c = 0; c < SONG_MAX_CHANNELS; c++)
        for (int k = 0; k < ENGINE_MOVES; k++) {
            int want = wanted_move(e, c, k);
            if (want == e->chans.heard_move[c][k])
                continue;
            e->chans.heard_move[c][k] = want;
            if (k == ENGINE_MOVE_FADER) {
                e->chans.heard_gain[c] = strip_gain_of_tenth_db(want);
                channel_fader_to(e, c, e->chans.heard_gain[c]);
            }
            changed = true;
        }
    e->chans.moves_due = false;
    return changed;
}

/* The channel's gains for a note whose point envelopes stand at pe
 * (NULL: none). */
static void channel_gains(const Engine *e, int c, const PointEnv *pe, float *gl, float *gr,
                          float *gm)
{
    const Channel *ch = &e->chans.ch[c];
    note_gains(e, c,
               (float)fx_volume(&ch->fx) / 64.0f * ch->level * (float)ch->off_fade /
                   SONG_FADEOUT_MAX,
               ch->fx.pan, pe, gl, gr, gm);
}

/* The pitch a note at `pitch` sounds at under its pitch envelope. */
static int env_pitch(int pitch, const PointEnv *pe)
{
    return pitch + (int)lroundf(pe->semis * FX_PITCH_PER_NOTE);
}

/* Pushes the channel's pitch and gains to its voice, the gains over
 * `ramp` frames. */
static void channel_apply_over(Engine *e, int c, uint32_t ramp)
{
    Channel *ch = &e->chans.ch[c];
    MixerVoice *v = channel_voice(e, ch);
    if (!v)
        return;
    const PointEnv *pe = &e->pool.points[ch->voice];
    mixer_voice_set_step(
        v, pitch_step(e, v->inst, env_pitch(fx_pitch(&ch->fx), pe) + ch->autovib_off));
    float gl, gr, gm;
    channel_gains(e, c, pe, &gl, &gr, &gm);
    mixer_voice_set_gains(v, gl, gr, gm, ramp);
    if (pe->on && e->pool.shaping[ch->voice].on)
        voicefx_cutoff_scale(&e->pool.shaping[ch->voice], pe->cutoff_scale);
}

/* The same at a tick boundary, over the declick ramp. */
static void channel_apply(Engine *e, int c)
{
    channel_apply_over(e, c, e->ramp);
}

/* ---- voice modes, choke groups, shaping effects (shape.h) ------------- */

/* The row's shaping letters (M N Q I J W Y) in both columns act on the
 * channel's sounding note, in column order. */
static void shaping_effects(Engine *e, int c, bool first)
{
    Channel *ch = &e->chans.ch[c];
    if (!channel_voice(e, ch))
        return;
    for (int k = 0; k < 2; k++)
        voicefx_effect(&e->pool.shaping[ch->voice], ch->fx.fx[k], ch->fx.param[k], first);
}

static int voice_mode(const Instrument *inst)
{
    return inst ? inst->shape[SHAPE_VOICE_MODE] : SHAPE_MODE_POLY;
}

/* Legato: a new note while the channel's note of the same instrument still
 * sounds bends that note to the new pitch; the sample and the envelopes go
 * on. True when it did. */
static bool legato_bend(Engine *e, int c, int old_pitch)
{
    Channel *ch = &e->chans.ch[c];
    MixerVoice *v = channel_voice(e, ch);
    const Instrument *inst = song_instrument(e->song, ch->fx.inst_slot);
    if (!v || v->inst != inst || voice_mode(inst) != SHAPE_MODE_LEGATO)
        return false;
    voicefx_glide(&e->pool.shaping[ch->voice],
                  (float)(old_pitch - ch->fx.pitch) / FX_PITCH_PER_NOTE);
    return true;
}

/* Mono: the new note starts anew but glides from the pitch of the note it
 * replaced. */
static void mono_glide(Engine *e, int c, bool was_sounding, int old_pitch)
{
    Channel *ch = &e->chans.ch[c];
    MixerVoice *v = channel_voice(e, ch);
    if (v && was_sounding && voice_mode(v->inst) == SHAPE_MODE_MONO)
        voicefx_glide(&e->pool.shaping[ch->voice],
                      (float)(old_pitch - ch->fx.pitch) / FX_PITCH_PER_NOTE);
}

/* A note of a choke group fades out every other sounding note of the
 * group (of this song), each over its own instrument's choke fade. */
static void choke_others(Engine *e, const MixerVoice *started)
{
    int group = started->inst->shape[SHAPE_CHOKE];
    if (group <= 0)
        return;
    for (int i = 0; i < ENGINE_MAX_VOICES; i++) {
        MixerVoice *v = &e->pool.voices[i];
        if (v == started || !v->active || v->releasing || v->owner != started->owner ||
            v->inst->shape[SHAPE_CHOKE] != group)
            continue;
        uint32_t fade = (uint32_t)(((uint64_t)hiss_clampi(v->inst->shape[SHAPE_CHOKE_FADE],
                                                         0, 1000) * e->rate + 500) / 1000);
        mixer_voice_release(v, fade ? fade : 1);
    }
}

/* ---- slices ------------------------------------------------------------ */

enum { SLICE_WHOLE = SONG_SLICE_WHOLE, SLICE_NONE = SONG_SLICE_NONE };

static int slice_of(const Instrument *inst, int note, int pick)
{
    return song_instrument_note_slice(inst, note, pick);
}

/* In slice mode the note chooses the slice, not the pitch: it plays at
 * the instrument's base note. */
static bool plays_at_base(const Instrument *inst)
{
    return inst->shape[SHAPE_SLICE_MODE] && inst->slice_count > 0;
}

/* A reversed note of the whole sample (`reverse` on) mirrors a forward
 * one: it starts at the end point (or the sample's end), 9xx counting on
 * from there towards the file's start, and without a loop it stops at the
 * start point, or at the file's first frame, fading over the declick ramp
 * so a sample that begins loud does not end in a click. In the reversed
 * copy the voice reads, file frames [a, b) are frames - b .. frames - a. */
static bool reverse_start(const Engine *e, MixerVoice *v, const Instrument *inst,
                          uint32_t start, uint32_t offset, uint64_t step, float gl,
                          float gr, float gm)
{
    uint32_t frames = inst->sample->frames;
    uint32_t end = (uint32_t)hiss_clampi(inst->shape[SHAPE_END], 0, INT32_MAX);
    uint32_t from = frames - (end && end < frames ? end : frames);
    LoopMode loop;
    uint32_t ls, le;
    mixer_loop_points(inst, &loop, &ls, &le);
    if (loop != LOOP_OFF)
        return mixer_voice_start(v, inst, from + offset, step, gl, gr, gm, e->ramp);
    if (start >= frames - from || offset >= frames - from - start)
        return false;
    return mixer_voice_start_slice(v, inst, from + offset, frames - start, step, gl, gr,
                                   gm, e->ramp);
}

/* Starts v on inst: slice k from `offset` frames into it (fading at both
 * ends), or the whole sample from `offset` frames after `start` (the
 * instrument's start point for a note, 0 for an audition). A reversed
 * slice plays its frames back to front, `offset` counting from its last. */
static bool voice_start_on(const Engine *e, MixerVoice *v, const Instrument *inst,
                           int slice, uint32_t start, uint32_t offset, uint64_t step,
                           float gl, float gr, float gm)
{
    if (slice == SLICE_NONE || !inst->sample)
        return false;
    bool back = inst->shape[SHAPE_REVERSE] == 1;
    if (slice == SLICE_WHOLE)
        return back ? reverse_start(e, v, inst, start, offset, step, gl, gr, gm)
                    : mixer_voice_start(v, inst, start + offset, step, gl, gr, gm, e->ramp);
    offset += start;
    uint32_t first = inst->slices[slice];
    uint32_t end = slice + 1 < inst->slice_count ? inst->slices[slice + 1]
                                                 : inst->sample->frames;
    uint32_t fade = (uint32_t)((uint64_t)inst->shape[SHAPE_SLICE_FADE] * e->rate / 1000);
    if (fade < e->ramp)
        fade = e->ramp;
    if (end <= first || offset >= end - first)
        return false;
    if (back) {
        uint32_t frames = inst->sample->frames;
        return mixer_voice_start_slice(v, inst, frames - end + offset, frames - first, step,
                                       gl, gr, gm, fade);
    }
    return mixer_voice_start_slice(v, inst, first + offset, end, step, gl, gr, gm, fade);
}

/* ---- auto-vibrato (Instrument.autovib) -------------------------------- */

/* A note of inst starts: its auto-vibrato from the wave's start, at its
 * depth or sweeping up to it. */
static void autovib_start(AutoVib *av, const Instrument *inst)
{
    int depth = inst->autovib[SONG_AUTOVIB_DEPTH] << 8, sweep = inst->autovib[SONG_AUTOVIB_SWEEP];
    av->pos = 0;
    av->amp = sweep ? 0 : depth;
    av->rise = sweep ? depth / sweep : 0;
}

/* A tick of a note of inst's auto-vibrato, as FastTracker 2 plays it:
 * the depth sweeps in while the note is `held`, the wave moves on by the
 * rate; the pitch it gives (1/64 semitones, up first on the sine). */
static int autovib_step(AutoVib *av, const Instrument *inst, bool held)
{
    const uint8_t *vib = inst->autovib;
    int depth = vib[SONG_AUTOVIB_DEPTH] << 8;
    if (!depth)
        return 0;
    if (av->rise && held)
        av->amp = av->amp + av->rise < depth ? av->amp + av->rise : depth;
    av->pos = (av->pos + vib[SONG_AUTOVIB_RATE]) & 255;
    int pos = av->pos, wave;
    switch (vib[SONG_AUTOVIB_WAVE] & 3) {
    case 1: wave = pos > 127 ? -64 : 64; break;
    case 2: wave = -((((pos >> 1) + 64) & 127) - 64); break;
    case 3: wave = -((((-(pos >> 1)) + 64) & 127) - 64); break;
    default: wave = (int)lround(64.0 * sin(2.0 * M_PI * pos / 256.0)); break;
    }
    /* 256ths of a semitone x 256 x 64: 1/64 semitones. */
    return wave * av->amp / (1 << 16);
}

/* A tick of channel c's auto-vibrato. */
static void autovib_tick(Engine *e, int c)
{
    Channel *ch = &e->chans.ch[c];
    MixerVoice *v = channel_voice(e, ch);
    ch->autovib_off = v ? autovib_step(&ch->autovib, v->inst,
                                       !e->pool.points[ch->voice].key_off)
                        : 0;
}

/* ---- new-note actions (Instrument.nna, dupcheck; Xxy) ------------------ */

/* Frames in a tick at `bpm_tenths`. */
static uint32_t tick_frames(const Engine *e, int bpm_tenths)
{
    return bpm_tenths > 0 ? (uint32_t)((uint64_t)e->rate * 25 / (unsigned)bpm_tenths) : e->ramp;
}

/* Does `action` to past note p: cut ends it over the declick ramp, off
 * takes it past its sustain (fading by the fadeout without a volume
 * envelope, as Impulse Tracker does), fade starts its fadeout. */
static void past_act(Engine *e, PastNote *p, SongNoteAction action)
{
    MixerVoice *v = past_voice(e, p);
    if (!v) {
        p->voice = -1;
        return;
    }
    switch (action) {
    case SONG_NOTE_CUT:
        mixer_voice_release(v, e->ramp);
        p->voice = -1;
        break;
    case SONG_NOTE_RELEASE:
        if (!pointenv_release(&e->pool.points[p->voice], v->inst))
            p->fading = true;
        break;
    case SONG_NOTE_FADE: p->fading = true; break;
    default: break;
    }
}

/* Channel c's sounding note goes into the background at volume `vol`
 * (0..1), pan and pitch: a free past-note slot (else the oldest one's)
 * takes it. */
static PastNote *past_take(Engine *e, int c, float vol, int pan, int pitch)
{
    Channel *ch = &e->chans.ch[c];
    MixerVoice *v = channel_voice(e, ch);
    if (!v)
        return NULL;
    PastNote *slot = NULL;
    for (int i = 0; i < PAST_NOTES && !slot; i++)
        if (!past_voice(e, &e->chans.past[i]))
            slot = &e->chans.past[i];
    if (!slot) {
        int voice = past_steal(e);
        mixer_voice_release(&e->pool.voices[voice], e->ramp);
        for (int i = 0; i < PAST_NOTES && !slot; i++)
            if (e->chans.past[i].voice < 0)
                slot = &e->chans.past[i];
    }
    *slot = (PastNote){
        .voice = ch->voice,
        .voice_serial = ch->voice_serial,
        .channel = c,
        .note = ch->fx.note,
        .vol = vol,
        .pan = pan,
        .pitch = pitch,
        .autovib = ch->autovib,
        .fading = ch->off_fading,
        .fade = ch->off_fade,
    };
    size_t taken = (size_t)(slot - e->chans.past);
    e->chans.past_held[taken / 64] |= (uint64_t)1 << (taken % 64);
    ch->voice = -1;
    return slot;
}

/* Whether a note of instrument `slot` playing `note` on `v` is a
 * duplicate, by `check`, of a new note of instrument `new_slot` playing
 * new_note on `sample`. */
static bool duplicate(SongDupCheck check, const MixerVoice *v, uint8_t note, int new_slot,
                      uint8_t new_note, const Sample *sample)
{
    if (v->slot != new_slot)
        return false;
    switch (check) {
    case SONG_DUP_NOTE: return note == new_note;
    case SONG_DUP_SAMPLE: return v->sample == sample;
    case SONG_DUP_INSTRUMENT: return true;
    default: return false;
    }
}

/* A new note (new_note, of the channel's instrument) is about to start on
 * channel c: its instrument's duplicate check acts on the channel's notes
 * (past and sounding), then the sounding note's new-note action sends it
 * into the background (at the volume and pan it had before the new
 * note's cell), unless it is cut (start_note then fades it out). */
static void new_note_action(Engine *e, int c, uint8_t new_note, float vol, int pan)
{
    int pitch = fx_pitch(&e->chans.ch[c].fx);
    Channel *ch = &e->chans.ch[c];
    const Instrument *inst = ch->fx.inst_slot ? song_instrument(e->song, ch->fx.inst_slot)
                                              : NULL;
    if (inst && voice_mode(inst) == SHAPE_MODE_LEGATO)
        return;
    SongDupCheck check = inst ? (SongDupCheck)inst->dupcheck : SONG_DUP_OFF;
    SongNoteAction dup = inst ? (SongNoteAction)inst->dupaction : SONG_NOTE_CUT;
    const Sample *sample = inst ? inst->sample : NULL;
    if (check != SONG_DUP_OFF)
        for (int i = 0; i < PAST_NOTES; i++) {
            PastNote *p = &e->chans.past[i];
            MixerVoice *v = past_voice(e, p);
            if (v && p->channel == c &&
                duplicate(check, v, p->note, ch->fx.inst_slot, new_note, sample))
                past_act(e, p, dup);
        }
    MixerVoice *v = channel_voice(e, ch);
    if (!v)
        return;
    SongNoteAction nna = ch->nna_override >= 0 ? (SongNoteAction)ch->nna_override
                                               : (SongNoteAction)v->inst->nna;
    bool dup_hit = check != SONG_DUP_OFF &&
                   duplicate(check, v, ch->fx.note, ch->fx.inst_slot, new_note, sample);
    if (nna == SONG_NOTE_CUT || (dup_hit && dup == SONG_NOTE_CUT))
        return;
    PastNote *p = past_take(e, c, vol, pan, pitch);
    if (!p)
        return;
    past_act(e, p, nna);
    if (dup_hit)
        past_act(e, p, dup);
}

/* X7..XC: the sounding note's volume, panning, or pitch and filter
 * envelopes off and on (Impulse Tracker's S77..S7C), from this tick. */
static void envelope_switch_effect(Engine *e, int c, int x)
{
    Channel *ch = &e->chans.ch[c];
    MixerVoice *v = channel_voice(e, ch);
    if (!v)
        return;
    static const SongEnvKind KIND[3] = {SONG_ENV_VOLUME, SONG_ENV_PANNING, SONG_ENV_PITCH};
    PointEnv *pe = &e->pool.points[ch->voice];
    bool on = (x - 7) % 2 == 1;
    pointenv_switch(pe, v->inst, KIND[(x - 7) / 2], on);
    if (KIND[(x - 7) / 2] == SONG_ENV_PITCH)
        pointenv_switch(pe, v->inst, SONG_ENV_FILTER, on);
    ch->env = *pe;
    channel_apply(e, c);
}

/* Xxy: x 0..2 does cut, off or fade to the channel's past notes; x 3..6
 * gives the sounding note the new-note action cut, continue, off or fade;
 * x 7..C switch its envelopes. */
static void note_action_effect(Engine *e, int c, const Cell *cell)
{
    for (int k = 0; k < 2; k++) {
        if ((k ? cell->fx2 : cell->fx) != 'X')
            continue;
        int x = (k ? cell->fx2_param : cell->fx_param) >> 4;
        if (x >= 3 && x <= 6) {
            e->chans.ch[c].nna_override = x - 3;
            continue;
        }
        if (x >= 7 && x <= 12) {
            envelope_switch_effect(e, c, x);
            continue;
        }
        static const SongNoteAction PAST[3] = {SONG_NOTE_CUT, SONG_NOTE_RELEASE,
                                               SONG_NOTE_FADE};
        for (int i = 0; x <= 2 && i < PAST_NOTES; i++)
            if (e->chans.past[i].channel == c && past_voice(e, &e->chans.past[i]))
                past_act(e, &e->chans.past[i], PAST[x]);
    }
}

/* A tick of a past note that may hold a voice (its voice's point
 * envelopes moved on already): its fade moves on and its gains and pitch
 * follow, the gains over the tick's frames; false when it holds none
 * after the tick (one faded out ends). */
static bool past_note_tick(Engine *e, PastNote *p, uint32_t frames)
{
    MixerVoice *v = past_voice(e, p);
    if (!v)
        return false;
    const PointEnv *pe = &e->pool.points[p->voice];
    bool env_fades = pe->on && pe->key_off && pointenv_has_volume(pe, v->inst);
    if (p->fading && !env_fades)
        p->fade = hiss_clampi(p->fade - v->inst->fadeout, 0, SONG_FADEOUT_MAX);
    if (p->fade == 0) {
        mixer_voice_release(v, e->ramp);
        return false;
    }
    float gl, gr, gm;
    note_gains(e, p->channel, p->vol * (float)p->fade / SONG_FADEOUT_MAX, p->pan,
               pe->on ? pe : NULL, &gl, &gr, &gm);
    mixer_voice_set_gains(v, gl, gr, gm, frames);
    int vib = autovib_step(&p->autovib, v->inst, !pe->key_off);
    if (pe->on || vib)
        mixer_voice_set_step(v, pitch_step(e, v->inst, env_pitch(p->pitch, pe) + vib));
    if (pe->on && e->pool.shaping[p->voice].on)
        voicefx_cutoff_scale(&e->pool.shaping[p->voice], pe->cutoff_scale);
    return true;
}

/* A tick of every past note, in slot order. Only the slots that may hold
 * a voice are looked at (most ticks, most are free); one found free or
 * let go loses its bit. */
static void past_tick(Engine *e)
{
    uint32_t frames = tick_frames(e, e->seq.bpm_tenths);
    for (int w = 0; w < (PAST_NOTES + 63) / 64; w++)
        for (uint64_t m = e->chans.past_held[w]; m; m &= m - 1) {
            int i = 64 * w + bus_lowest(m);
            PastNote *p = &e->chans.past[i];
            if (!past_note_tick(e, p, frames)) {
                p->voice = -1;
                e->chans.past_held[w] &= ~((uint64_t)1 << (i % 64));
            }
        }
}

/* A tick of channel c's fade after a note off (Channel.off_fading): one
 * faded out ends. */
static void off_fade_tick(Engine *e, int c)
{
    Channel *ch = &e->chans.ch[c];
    MixerVoice *v = channel_voice(e, ch);
    if (!v || !ch->off_fading)
        return;
    ch->off_fade = hiss_clampi(ch->off_fade - v->inst->fadeout, 0, SONG_FADEOUT_MAX);
    if (!ch->off_fade)
        release_channel_voice(e, ch, e->ramp);
}

/* Lxx: the sounding note's volume envelope goes to tick xx, heard on
 * this tick and moving on from the next; its panning envelope too when
 * the volume envelope has a sustain, as FastTracker 2 does. */
static void envelope_position_effect(Engine *e, int c, const Cell *cell)
{
    Channel *ch = &e->chans.ch[c];
    MixerVoice *v = channel_voice(e, ch);
    if (!v || !fx_cell_has(cell, 'L'))
        return;
    PointEnv *pe = &e->pool.points[ch->voice];
    if (!pe->on)
        return;
    int pos = cell->fx == 'L' ? cell->fx_param : cell->fx2_param;
    pe->pos[SONG_ENV_VOLUME] = pos;
    if (v->inst->vol_env.sustain_start >= 0)
        pe->pos[SONG_ENV_PANNING] = pos;
    pe->fresh = true; /* this tick's move does not move it */
}

/* E80: the row's instrument number only picks a keymap's sample. */
static bool keymap_note(const Cell *cell)
{
    return (cell->fx == 'E' && cell->fx_param == 0x80) ||
           (cell->fx2 == 'E' && cell->fx2_param == 0x80);
}

/* Starts the channel's note (its current pitch) from its instrument slot; the old
 * voice fades out as a ghost while the new one starts. */
static void start_note(Engine *e, int c, uint32_t offset, bool bare, bool keymap)
{
    Channel *ch = &e->chans.ch[c];
    release_channel_voice(e, ch, e->ramp);
    if (!bare)
        ch->nna_override = -1;
    ch->off_fading = false;
    ch->off_fade = SONG_FADEOUT_MAX;
    ch->fx.retrig_count = 0;
    Instrument *inst = ch->fx.inst_slot ? song_instrument(e->song, ch->fx.inst_slot)
                                     : NULL;
    if (!inst)
        return;
    int vi = voice_alloc(e);
    if (vi < 0)
        return;
    MixerVoice *v = &e->pool.voices[vi];
    envelope_start(e, ch, vi, inst, bare, keymap);
    const PointEnv *pe = &e->pool.points[vi];
    float gl, gr, gm;
    channel_gains(e, c, pe, &gl, &gr, &gm);
    uint32_t start = (uint32_t)hiss_clampi(inst->shape[SHAPE_START], 0, INT32_MAX);
    int slice = slice_of(inst, ch->fx.note, ch->slice_pick);
    if (!voice_start_on(e, v, inst, slice, start, offset,
                        pitch_step(e, inst, env_pitch(fx_note_pitch(&ch->fx), pe)), gl, gr, gm))
        return;
    voicefx_start(&e->pool.shaping[vi], inst, e->rate, v,
                  (float)(ch->fx.pitch - NOTE_C4 * FX_PITCH_PER_NOTE) / FX_PITCH_PER_NOTE,
                  fminf((float)hiss_clampi(ch->fx.volume, 0, 64) / 64.0f * ch->level, 1.0f));
    if (pe->on)
        voicefx_cutoff_scale(&e->pool.shaping[vi], pe->cutoff_scale);
    v->channel = c;
    v->slot = ch->fx.inst_slot;
    v->owner = e->song;
    v->serial = ++e->pool.serial;
    ch->voice = vi;
    ch->voice_serial = v->serial;
    autovib_start(&ch->autovib, inst);
    ch->autovib_off = 0;
    choke_others(e, v);
}

static void release_all(Engine *e, bool previews)
{
    for (int i = 0; i < ENGINE_MAX_VOICES; i++) {
        MixerVoice *v = &e->pool.voices[i];
        if (v->active && (previews || v->channel >= 0))
            mixer_voice_release(v, e->ramp);
    }
    for (int c = 0; c < SONG_MAX_CHANNELS; c++)
        e->chans.ch[c].voice = -1;
    if (previews)
        for (int p = 0; p < ENGINE_PREVIEW_VOICES; p++)
            e->preview.slots[p].voice = -1;
}

/* ---- rows and ticks ---------------------------------------------------- */

static void retrigger(Engine *e, int c)
{
    uint8_t note = e->chans.ch[c].fx.note;
    if (note >= NOTE_FIRST && note <= NOTE_LAST)
        start_note(e, c, 0, false, false);
}

/* A note on channel c (heard or not): every channel keyed to it ducks
 * from this frame. */
static void duck_key_note(Engine *e, int c, int slot)
{
    for (int d = 0; d < SONG_MAX_CHANNELS; d++)
        if (e->duck_from[d] == c + 1 || (slot && e->duck_inst[d] == slot)) {
            duck_trigger(&e->duck[d], e->chunk_pos);
            e->duck_mask |= (uint64_t)1 << d;
        }
}

/* The note part of a cell: instrument, volume column, note, then the
 * first-tick effects of both columns. */
static void channel_trigger(Engine *e, int c, const Cell *cell)
{
    fx_cell_finetune(&e->chans.ch[c].fx, cell);
    Channel *ch = &e->chans.ch[c];
    FxChannel *fx = &ch->fx;
    /* What the sounding note goes on with, if it goes on (nna). */
    float sounding_vol = (float)fx_volume(fx) / 64.0f * ch->level;
    int sounding_pan = fx->pan;
    uint32_t offset = fx_sample_offset(fx, cell);
    if (cell->note >= NOTE_FIRST && cell->note <= NOTE_LAST) {
        ch->level = ch->level_next;
        ch->level_next = 1.0f;
        /* The note's instrument: the cell's, else the channel's last. */
        duck_key_note(e, c, cell->instrument ? cell->instrument : ch->fx.inst_slot);
        ch->slice_pick = 0;
        if (cell->fx == 'S' || cell->fx2 == 'S')
            ch->slice_pick = cell->fx == 'S' ? cell->fx_param : cell->fx2_param;
    }
    if (cell->instrument) {
        fx->inst_slot = cell->instrument;
        Instrument *inst = song_instrument(e->song, fx->inst_slot);
        if (inst) {
            fx->volume = hiss_clampi(inst->volume, 0, 64);
            fx->pan = pan_from_instrument(inst);
        }
    }
    if (cell->volume <= VOLUME_MAX)
        fx->volume = cell->volume;
    if (cell->note >= NOTE_FIRST && cell->note <= NOTE_LAST) {
        int pitch = cell->note * FX_PITCH_PER_NOTE;
        if (fx_is_tone_porta(cell) && channel_voice(e, ch)) {
            fx->target_pitch = pitch;
        } else {
            int old_pitch = fx->pitch;
            bool sounding = channel_voice(e, ch) != NULL;
            Instrument *inst = fx->inst_slot ? song_instrument(e->song, fx->inst_slot)
                                             : NULL;
            if (inst && plays_at_base(inst))
                pitch = inst->base_note * FX_PITCH_PER_NOTE;
            new_note_action(e, c, cell->note, sounding_vol, sounding_pan);
            fx->note = cell->note;
            fx->pitch = fx->target_pitch = pitch;
            fx_note_started(fx);
            if (!legato_bend(e, c, old_pitch)) {
                start_note(e, c, offset, !cell->instrument,
                           keymap_note(cell));
                mono_glide(e, c, sounding, old_pitch);
            }
        }
    } else if (cell->note == NOTE_OFF) {
        release_note(e, ch);
    } else if (cell->note == NOTE_CUT) {
        release_channel_voice(e, ch, e->ramp);
    }
    fx_first_tick(fx, cell);
    note_action_effect(e, c, cell);
    envelope_position_effect(e, c, cell);
    shaping_effects(e, c, true);
}

/* The cell's note part and first tick, as its row starts (or later, by
 * its groove). */
static void row_trigger(Engine *e, int c, const Cell *cell)
{
    channel_trigger(e, c, cell);
    bool started = cell->note >= NOTE_FIRST && cell->note <= NOTE_LAST &&
                   !fx_is_tone_porta(cell);
    if (!started && fx_multi_retrig(&e->chans.ch[c].fx))
        retrigger(e, c);
}

/* A note part the groove held back plays now. */
static void groove_fire(Engine *e, int c)
{
    if (!e->chans.groove_left[c])
        return;
    e->chans.groove_left[c] = 0;
    e->chans.groove_waiting--;
    row_trigger(e, c, &e->chans.groove_cell[c]);
    channel_apply(e, c);
}

static void groove_clear(Engine *e)
{
    memset(e->chans.groove_left, 0, sizeof e->chans.groove_left);
    e->chans.groove_waiting = 0;
    memset(e->chans.fine_due, 0, sizeof e->chans.fine_due);
    e->chans.fine_count = 0;
}

/* Plays the held note parts whose frame has come. */
static void groove_due(Engine *e)
{
    for (int c = 0; c < SONG_MAX_CHANNELS && e->chans.groove_waiting; c++) {
        if (e->chans.groove_left[c] != 1)
            continue;
        if (c < e->chans.nch) {
            groove_fire(e, c);
        } else { /* the song lost the channel while its note waited */
            e->chans.groove_left[c] = 0;
            e->chans.groove_waiting--;
        }
    }
}

/* Frames until the next held note part plays (counted so that 1 is now). */
static uint32_t groove_next(const Engine *e)
{
    uint32_t next = UINT32_MAX;
    for (int c = 0; c < SONG_MAX_CHANNELS; c++)
        if (e->chans.groove_left[c] && e->chans.groove_left[c] < next)
            next = e->chans.groove_left[c];
    return next - 1;
}

static void groove_pass(Engine *e, uint32_t frames)
{
    for (int c = 0; c < SONG_MAX_CHANNELS; c++)
        if (e->chans.groove_left[c])
            e->chans.groove_left[c] -= frames; /* never past 1: groove_next */
}

/* Zxx of a cell: its note part waits xx/255 of the tick it lands on,
 * and no groove (-1: no Zxx). */
static int fine_delay(const Cell *cell)
{
    return cell->fx == 'Z' ? cell->fx_param : cell->fx2 == 'Z' ? cell->fx2_param : -1;
}

/* The frames into a tick of `len` frames that Zxx's `fine` waits: the
 * grid a jammed note is put on while capturing (live_jam_wait). */
static uint32_t fine_frames(int fine, uint32_t len)
{
    return len > 1 ? (uint32_t)((uint64_t)fine * (len - 1) / 255) : 0;
}

/* Holds channel c's note part back by Zxx until the tick's length is
 * known (fine_resolve). */
static void fine_park(Engine *e, int c, const Cell *cell, int fine)
{
    e->chans.groove_cell[c] = *cell;
    e->chans.fine_due[c] = fine + 1;
    e->chans.fine_count++;
}

/* The tick just processed is `len` frames long: the note parts Zxx held
 * back wait their share of it. */
static void fine_resolve(Engine *e, uint32_t len)
{
    for (int c = 0; c < SONG_MAX_CHANNELS && e->chans.fine_count; c++) {
        if (!e->chans.fine_due[c])
            continue;
        uint32_t wait = fine_frames(e->chans.fine_due[c] - 1, len);
        e->chans.fine_due[c] = 0;
        e->chans.fine_count--;
        e->chans.groove_left[c] = 1; /* due now: groove_fire plays it */
        e->chans.groove_waiting++;
        if (wait)
            e->chans.groove_left[c] += wait;
        else
            groove_fire(e, c);
    }
}

/* `late`: frames the channel's groove holds the note part back. */
static void channel_row(Engine *e, int c, Cell cell, uint32_t late)
{
    FxChannel *fx = &e->chans.ch[c].fx;
    fx->amiga = atomic_load_explicit(&e->song->slides, memory_order_relaxed) == SLIDES_AMIGA;
    fx->ft2_vibrato = atomic_load_explicit(&e->song->ft2_vibrato, memory_order_relaxed);
    fx->ft2_tremor = atomic_load_explicit(&e->song->ft2_tremor, memory_order_relaxed);
    /* A note still held back from an earlier row plays before this one. */
    groove_fire(e, c);
    if (fx_row(fx, e->seq.row, &cell, &e->seq.ctl))
        return; /* EDx: the cell acts on a later tick */
    int fine = fine_delay(&cell);
    if (fine >= 0) {
        fine_park(e, c, &cell, fine);
        return;
    }
    if (late && cell.note != NOTE_EMPTY) {
        e->chans.groove_cell[c] = cell;
        e->chans.groove_left[c] = late + 1;
        e->chans.groove_waiting++;
        return;
    }
    row_trigger(e, c, &cell);
}

static void channel_tick(Engine *e, int c)
{
    FxChannel *fx = &e->chans.ch[c].fx;
    if (e->chans.groove_left[c])
        return; /* the row's effects start with its note */
    if (fx->delay_tick != FX_NO_TICK) {
        /* EDx counts the row's first pass only: an EEx repeat does not
         * give a delay of speed or more a later tick to land on. */
        if (fx->delay_tick == e->seq.tick && e->seq.tick < e->seq.speed) {
            fx->delay_tick = FX_NO_TICK;
            int fine = fine_delay(&fx->delayed);
            if (fine >= 0)
                fine_park(e, c, &fx->delayed, fine);
            else
                channel_trigger(e, c, &fx->delayed);
        }
        return;
    }
    bool restart = fx_other_tick(fx, e->seq.tick % e->seq.speed, e->seq.speed);
    if (fx_multi_retrig(fx))
        restart = true;
    if (restart)
        retrigger(e, c);
    shaping_effects(e, c, false);
}

/* ---- sequencer --------------------------------------------------------- */

static void channel_reset(Channel *ch)
{
    fx_channel_reset(&ch->fx);
    ch->level = ch->level_next = 1.0f;
    ch->env.on = false;
    ch->env_inst = NULL;
    ch->voice = -1;
    ch->voice_serial = 0;
    ch->nna_override = -1;
    ch->off_fading = false;
    ch->off_fade = SONG_FADEOUT_MAX;
}

static int song_channels(const Engine *e)
{
    return hiss_clampi(atomic_load_explicit(&e->song->channels,
                                            memory_order_relaxed),
                       1, SONG_MAX_CHANNELS);
}

/* Fades out the song's looping voices only: at the song's end a one-shot
 * note (the last kick, a crash) rings out to its own end, as it would on
 * a sampler, while a loop would never end on its own. */
static void release_looping(Engine *e)
{
    for (int i = 0; i < ENGINE_MAX_VOICES; i++) {
        MixerVoice *v = &e->pool.voices[i];
        if (v->active && v->channel >= 0 && v->loop != LOOP_OFF)
            mixer_voice_release(v, e->ramp);
    }
    for (int c = 0; c < SONG_MAX_CHANNELS; c++)
        e->chans.ch[c].voice = -1;
}

static void stop_playback(Engine *e, bool song_end)
{
    clock_out_stop(&e->clock, e->render_at + engine_latency(e));
    e->seq.playing = false;
    e->seq.frames_left = UINT32_MAX;
    /* At the song's end the last row's held notes still come (the tail);
     * a stop silences them. */
    if (!song_end)
        groove_clear(e);
    if (song_end)
        release_looping(e);
    else
        release_all(e, true);
    if (song_end)
        atomic_store_explicit(&e->status.song_ended, true, memory_order_relaxed);
}

/* Rows from the song's start to the playing row, as the order list
 * reads (no jumps): where MIDI clock's song position says playback is. */
static uint64_t rows_into_song(const Engine *e)
{
    uint64_t rows = (uint64_t)e->seq.row;
    if (e->seq.pattern_mode)
        return rows;
    for (int o = 0; o < e->seq.order && o < SONG_MAX_ORDERS; o++) {
        const Pattern *p = song_pattern(e->song, atomic_load_explicit(&e->song->orders[o],
                                                                      memory_order_relaxed));
        if (p)
            rows += (uint64_t)p->rows;
    }
    return rows;
}

/* Finds the first playable order from `order` (skipping entries whose
 * pattern is missing), wrapping or ending the song at the end of the list. */
static bool seek_order(Engine *e, int order, int row)
{
    int pattern;
    int asked = order;
    if (timing_seek_order(e->song, e->seq.loop_song, &order, &pattern, &row)) {
        /* The song wrapped round to its start: so does the reference. */
        if (order < asked && !e->seq.pattern_mode)
            refplay_seek(&e->ref, 0, engine_latency(e) + e->chunk_done + e->chunk_pos);
        e->seq.order = order;
        e->seq.pattern = pattern;
        e->seq.row = row;
        return true;
    }
    stop_playback(e, true);
    return false;
}

static int current_rows(const Engine *e)
{
    Pattern *p = song_pattern(e->song, e->seq.pattern);
    return p ? p->rows : 64;
}

static void new_pattern_state(Engine *e)
{
    for (int c = 0; c < SONG_MAX_CHANNELS; c++) {
        e->chans.ch[c].fx.loop_row = 0;
        e->chans.ch[c].fx.loop_count = 0;
    }
    memset(e->chans.out, 0, sizeof e->chans.out); /* Oxy lasts an entry */
}

static void count_solos(Engine *e)
{
    /* Counted apart from the engine's memory, so the loop goes a vector
     * of channels at a time: every period takes it. */
    int count = 0;
    for (int c = 0; c < SONG_MAX_CHANNELS; c++)
        count += heard_solo(e, c);
    e->chans.solo_count = count;
}

static void recount_solo(Engine *e)
{
    count_solos(e);
    for (int c = 0; c < e->chans.nch; c++)
        channel_apply(e, c);
}

/* Mutes and solos asked for at the next bar are heard as it starts: the
 * holds on the old flags let go. */
static void let_go_holds(Engine *e, bool all)
{
    bool any = false;
    for (int c = 0; c < SONG_MAX_CHANNELS; c++) {
        if (!all && e->chans.hold_until[c] >= 0 &&
            (e->seq.pattern_mode || e->seq.order < e->chans.hold_until[c]))
            continue;
        any |= e->chans.hold_mute[c] >= 0 || e->chans.hold_solo[c] >= 0;
        e->chans.hold_mute[c] = e->chans.hold_solo[c] = -1;
        e->chans.hold_until[c] = -1;
    }
    /* While capturing, heard on the bar's first tick (after a swing
     * wait, as Oxy is). */
    if (any && capturing_play(e))
        e->chans.flags_due = true;
    else if (any)
        recount_solo(e);
}

/* At a bar, the holds kept to it let go, and those kept until an order
 * entry once playback is there. */
static void apply_bar_flags(Engine *e)
{
    let_go_holds(e, false);
}

/* A row other than the one after the last (a jump, a cue, a loop, the
 * song starting over): MIDI clock out says where playback went, on the
 * frame the row starts, so a drum machine following moves too. */
static void clock_moved(Engine *e, int rows_per_beat)
{
    uint64_t rows = rows_into_song(e);
    if (rows != e->seq.clock_rows + 1)
        clock_out_position(&e->clock, e->render_at + engine_latency(e), rows, rows_per_beat);
    e->seq.clock_rows = rows;
}

static void advance_row(Engine *e)
{
    int order = e->seq.order;
    int row = e->seq.row + 1;
    bool changed = false, jumped = false, looped = false;
    if (e->seq.cmd_jump) {
        e->seq.cmd_jump = false;
        jumped = true;
        e->seq.pattern_mode = false;
        order = e->seq.cmd_jump_order;
        row = e->seq.cmd_jump_row;
        changed = true;
    } else if (e->seq.loop_last >= 0 &&
               (e->seq.row >= e->seq.loop_last || row >= current_rows(e))) {
        /* A row loop: like a pattern end for a cue, but the pattern stays. */
        row = e->seq.loop_first;
        looped = true;
    } else if (e->seq.ctl.loop_jump >= 0) {
        row = e->seq.ctl.loop_jump;
    } else if (e->seq.ctl.pos_jump >= 0 || e->seq.ctl.break_row >= 0) {
        row = e->seq.ctl.break_row >= 0 ? e->seq.ctl.break_row : 0;
        if (!e->seq.pattern_mode)
            order = e->seq.ctl.pos_jump >= 0 ? e->seq.ctl.pos_jump : order + 1;
        changed = true;
    } else if (row >= current_rows(e)) {
        row = 0;
        changed = true;
        if (!e->seq.pattern_mode)
            order = order + 1;
    }
    int rpb = hiss_clampi(atomic_load_explicit(&e->song->rows_per_beat,
                                               memory_order_relaxed), 1, 32);
    bool bar = changed || looped || row % (rpb * ENGINE_BEATS_PER_BAR) == 0;
    bool beat = bar || row % rpb == 0;
    /* A cue takes over where the pattern ends (or at its bar or beat),
     * also from a looping pattern, which then gives way to the song. */
    bool cue_now = e->seq.cue_at == ENGINE_CUE_BAR    ? bar
                   : e->seq.cue_at == ENGINE_CUE_BEAT ? beat
                                                      : changed || looped;
    if (cue_now && !jumped && e->seq.cue >= 0) {
        e->seq.pattern_mode = e->seq.cue_pattern;
        if (e->seq.cue_pattern)
            e->seq.pattern = hiss_clampi(e->seq.cue, 0, SONG_MAX_PATTERNS - 1);
        e->seq.loop_first = e->seq.loop_last = -1;
        order = e->seq.cue;
        row = 0;
        changed = true;
        e->seq.cue = -1;
    }
    e->seq.row_is_bar = bar;
    fx_row_control_clear(&e->seq.ctl);
    if (changed)
        new_pattern_state(e);
    if (e->seq.pattern_mode)
        e->seq.row = row >= 0 && row < current_rows(e) ? row : 0;
    else if (!seek_order(e, order, row))
        return;
    if (bar) /* on the entry the row is on: a hold may wait for it */
        apply_bar_flags(e);
    clock_moved(e, rpb);
}

/* The count humanize and Uxx draw by for the row just started. */
static uint64_t draw_count(const Engine *e)
{
    return atomic_load_explicit(&e->status.rows_played, memory_order_relaxed) -
           e->seq.draw_base;
}

/* Whether a capture's log begins with this row: the first row on a beat
 * after it was asked for. */
static bool capture_begins(const Engine *e, int tick)
{
    int rpb = hiss_clampi(atomic_load_explicit(&e->song->rows_per_beat, memory_order_relaxed),
                          1, 32);
    return !e->seq.logging && !tick && e->seq.row % rpb == 0;
}

/* How late channel c's note part of the playing row comes, and (for a
 * note) the level it gets: the channel's groove (groove.h). */
static uint32_t groove_of_row(Engine *e, int c, const Cell *cell)
{
    int g[SONG_GROOVE_PARAMS];
    song_channel_groove(e->song, c, g);
    int rpb = hiss_clampi(atomic_load_explicit(&e->song->rows_per_beat,
                                               memory_order_relaxed), 1, 32);
    uint32_t late = groove_swing_frames(e->rate, g[SONG_GROOVE_SWING], g[SONG_GROOVE_GRID],
                                        rpb, e->seq.row, e->seq.speed, e->seq.bpm_tenths);
    if (!g[SONG_GROOVE_HUMAN_MS] && !g[SONG_GROOVE_HUMAN_VEL])
        return late;
    uint32_t seed = (uint32_t)atomic_load_explicit(&e->song->groove[SONG_GROOVE_SEED],
                                                   memory_order_relaxed);
    uint64_t count = draw_count(e);
    late += groove_human_frames(e->rate, g[SONG_GROOVE_HUMAN_MS],
                                groove_draw(seed, count, c, GROOVE_DRAW_TIME));
    if (cell->note >= NOTE_FIRST && cell->note <= NOTE_LAST)
        e->chans.ch[c].level_next = groove_level(
            g[SONG_GROOVE_HUMAN_VEL], groove_draw(seed, count, c, GROOVE_DRAW_LEVEL));
    return late;
}

/* A tempo from a command or a clock: at once, or, while capturing, on
 * the next tick (take_due). */
static void set_bpm(Engine *e, int tenths)
{
    tenths = hiss_clampi(tenths, SONG_BPM_MIN, SONG_BPM_MAX);
    if (capturing_play(e)) {
        e->seq.bpm_due = tenths;
        return;
    }
    e->seq.bpm_tenths = tenths;
    e->seq.tick_rem %= 2u * (unsigned)tenths;
}

/* The tempo (and, on a row's first tick, the speed) that waited for this
 * tick: where a row's own Fxx would act, before it, so that one wins. */
static void take_due(Engine *e, bool row_start)
{
    if (e->seq.bpm_due) {
        e->seq.bpm_tenths = e->seq.bpm_due;
        e->seq.tick_rem %= 2u * (unsigned)e->seq.bpm_tenths;
        e->seq.bpm_due = 0;
    }
    if (row_start && e->seq.speed_due) {
        e->seq.speed = e->seq.speed_due;
        e->seq.speed_due = 0;
    }
}

static uint64_t audible_mask(const Engine *e)
{
    uint64_t mask = 0;
    for (int c = 0; c < e->chans.nch; c++)
        if (audible(e, c))
            mask |= (uint64_t)1 << c;
    return mask;
}

/* Jam capture: the row just started (tick 0) as it is heard (after its
 * own tempo and speed effects, with the mutes and solos of its bar), or
 * a later tick of it on which what is heard or the tempo changed. */
static void log_row(Engine *e, int tick)
{
    /* A capture starts on a beat: its rows keep their place in the beat,
     * which swing and grooves hear. */
    if (!e->seq.logging && !capture_begins(e, tick))
        return;
    if (!e->seq.logging) /* the moves from here on are logged */
        memcpy(e->seq.logged_move, e->chans.heard_move, sizeof e->seq.logged_move);
    e->seq.logging = true;
    EngineRowLog log = {
        .order = e->seq.pattern_mode ? -1 : e->seq.order,
        .pattern = e->seq.pattern,
        .row = e->seq.row,
        .tick = tick,
        .bpm_tenths = e->seq.bpm_tenths,
        .speed = e->seq.speed,
        .audible = audible_mask(e),
        .count = atomic_load_explicit(&e->status.rows_played, memory_order_relaxed),
    };
    bool pushed = true;
    if (!tick || log.audible != e->seq.logged_audible || log.bpm_tenths != e->seq.logged_bpm)
        pushed = ring_push(&e->row_log, &log);
    e->seq.logged_audible = log.audible;
    e->seq.logged_bpm = log.bpm_tenths;
    for (int c = 0; c < e->chans.nch; c++) {
        if (!memcmp(e->seq.logged_move[c], e->chans.heard_move[c], sizeof e->seq.logged_move[c]))
            continue;
        log.moved = c + 1;
        memcpy(log.was, e->seq.logged_move[c], sizeof log.was);
        memcpy(log.move, e->chans.heard_move[c], sizeof log.move);
        memcpy(e->seq.logged_move[c], e->chans.heard_move[c], sizeof e->seq.logged_move[c]);
        pushed &= ring_push(&e->row_log, &log);
    }
    if (!pushed)
        atomic_store_explicit(&e->status.rows_unlogged, true, memory_order_relaxed);
}

bool engine_move_encode(EngineMove move, int tick, int value, uint8_t param[2])
{
    value -= move == ENGINE_MOVE_FADER ? SONG_GAIN_MIN : -100;
    if (tick < 0 || tick > 15 || value < 0 || value > 0x3FF)
        return false;
    param[0] = (uint8_t)((8 | move << 2 | value >> 8) << 4 | tick);
    param[1] = (uint8_t)(value & 0xFF);
    return true;
}

bool engine_move_decode(const uint8_t fx[2], const uint8_t param[2], int *move, int *tick,
                        int *value)
{
    if (!fx_move_pair(fx, param))
        return false;
    *move = param[0] >> 6 & 1;
    *tick = param[0] & 15;
    *value = (param[0] >> 4 & 3) << 8 | param[1];
    *value += *move == ENGINE_MOVE_FADER ? SONG_GAIN_MIN : -100;
    return true;
}

/* An Oxy move pair (both columns) of channel c's cell acting on `tick`: the
 * fader or balance it sets, heard from there (see engine_move_effect). */
static void channel_move_effect(Engine *e, int c, const uint8_t fx[2], const uint8_t param[2],
                                int tick)
{
    int k, at, value;
    if (!engine_move_decode(fx, param, &k, &at, &value) || at != tick)
        return;
    e->chans.auto_move[c][k] = value;
    take_moves(e);
}

/* Oxy of channel c's cell (fx, param) for `tick`: out of the mix or back. */
static void channel_out_effect(Engine *e, int c, const uint8_t fx[2], const uint8_t param[2],
                               int tick)
{
    int out = fx_channel_out(fx, param, tick);
    if (out >= 0)
        e->chans.out[c] = out != 0;
}

/* Vxx on row `row` of p, in any channel. */
static bool row_restarts_draws(const Pattern *p, int row, int nch)
{
    for (int c = 0; p && c < nch && c < p->channels && row < p->rows; c++) {
        Cell cell = song_pattern_get(p, row, c);
        if (cell.fx == 'V' || cell.fx2 == 'V')
            return true;
    }
    return false;
}

static void play_row(Engine *e)
{
    int nch = song_channels(e);
    for (int c = nch; c < e->chans.nch; c++)
        release_channel_voice(e, &e->chans.ch[c], e->ramp);
    e->chans.nch = nch;
    Pattern *p = song_pattern(e->song, e->seq.pattern);
    atomic_store_explicit(&e->status.order, e->seq.order, memory_order_relaxed);
    atomic_store_explicit(&e->status.pattern, e->seq.pattern, memory_order_relaxed);
    atomic_store_explicit(&e->status.looped, e->seq.pattern_mode, memory_order_relaxed);
    atomic_store_explicit(&e->status.row, e->seq.row, memory_order_relaxed);
    atomic_fetch_add_explicit(&e->status.rows_played, 1, memory_order_relaxed);
    if (e->seq.row_is_bar) {
        /* Where the bar's first row begins, for a take that starts on it. */
        uint64_t at = atomic_load_explicit(&e->status.frames_rendered, memory_order_relaxed) +
                      e->chunk_done + e->chunk_pos;
        atomic_store_explicit(&e->status.bar_frame, at, memory_order_relaxed);
        atomic_fetch_add_explicit(&e->status.bars_started, 1, memory_order_relaxed);
        e->seq.row_is_bar = false;
    }
    fx_row_control_clear(&e->seq.ctl);
    e->seq.row_elapsed = 0;
    /* The draws restart where a capture begins, and where its
     * arrangement's Vxx says it began. */
    if ((atomic_load_explicit(&e->capturing, memory_order_relaxed) && capture_begins(e, 0)) ||
        row_restarts_draws(p, e->seq.row, nch))
        e->seq.draw_base = atomic_load_explicit(&e->status.rows_played, memory_order_relaxed);
    for (int c = 0; c < nch; c++) {
        Cell cell = p && c < p->channels && e->seq.row < p->rows
                        ? song_pattern_get(p, e->seq.row, c)
                        : song_cell_empty();
        LiveSkip *skip = &e->chans.skip[c];
        bool skipped = skip->rows > 0 && --skip->rows == 0 &&
                       skip->pattern == e->seq.pattern && skip->row == e->seq.row;
        /* Uxx: the note plays xx percent of the time (hex, 01..64). */
        int chance = cell.fx == 'U' ? cell.fx_param : cell.fx2 == 'U' ? cell.fx2_param : 0;
        if (chance && cell.note >= NOTE_FIRST && cell.note <= NOTE_LAST &&
            !live_note_plays(draw_count(e), c, chance))
            skipped = true;
        if (skipped) {
            cell.note = NOTE_EMPTY;
            cell.instrument = 0;
            cell.volume = VOLUME_EMPTY;
        }
        /* Out of the mix (or back) before the row's note starts. */
        channel_out_effect(e, c, (const uint8_t[2]){cell.fx, cell.fx2},
                           (const uint8_t[2]){cell.fx_param, cell.fx2_param}, 0);
        channel_move_effect(e, c, (const uint8_t[2]){cell.fx, cell.fx2},
                            (const uint8_t[2]){cell.fx_param, cell.fx2_param}, 0);
        /* A note Zxx places (a captured jam) is timed by it alone, as it
         * was played. */
        channel_row(e, c, cell,
                    cell.note != NOTE_EMPTY && fine_delay(&cell) < 0 ? groove_of_row(e, c, &cell)
                                                                  : 0);
    }
    take_due(e, true);
    if (e->seq.ctl.bpm > 0) {
        e->seq.bpm_tenths = hiss_clampi(e->seq.ctl.bpm, SONG_BPM_MIN, SONG_BPM_MAX);
        e->seq.tick_rem %= 2u * (unsigned)e->seq.bpm_tenths;
    }
    if (e->seq.ctl.speed > 0)
        e->seq.speed = e->seq.ctl.speed;
    if (e->seq.ctl.global_volume >= 0)
        e->seq.global_volume = e->seq.ctl.global_volume;
    e->seq.passes = 1 + (e->seq.ctl.row_delay > 0 ? e->seq.ctl.row_delay : 0);
    if (atomic_load_explicit(&e->capturing, memory_order_relaxed))
        log_row(e, 0);
}

/* Ticks in the playing row: speed, times the passes of an EEx delay. */
static int row_ticks(const Engine *e)
{
    return e->seq.speed * (e->seq.passes > 1 ? e->seq.passes : 1);
}

/* Swing: off-beat rows (odd rows within the beat) start late by
 * swing% of half a row; see man/effects.roff. */
static uint32_t swing_delay(const Engine *e)
{
    int swing = hiss_clampi(atomic_load_explicit(&e->song->swing,
                                                 memory_order_relaxed), 0, 100);
    int rpb = hiss_clampi(atomic_load_explicit(&e->song->rows_per_beat,
                                               memory_order_relaxed), 1, 32);
    return timing_swing_delay(e->rate, swing, rpb, e->seq.row, e->seq.speed,
                              e->seq.bpm_tenths);
}

/* The strips' mute and solo as they are now become what is heard. */
static void take_flags(Engine *e)
{
    for (int c = 0; c < SONG_MAX_CHANNELS; c++) {
        e->chans.mute[c] = e->chans.strip[c].mute;
        e->chans.solo[c] = e->chans.strip[c].solo;
    }
    e->chans.flags_due = false;
    count_solos(e);
}

/* A later tick of the row: its tempos (Fxx with Txy) and Oxy. */
static void tick_control(Engine *e)
{
    for (int i = 0; i < e->seq.ctl.later_count; i++)
        if (e->seq.ctl.later[i].tick == e->seq.tick) {
            e->seq.bpm_tenths = hiss_clampi(e->seq.ctl.later[i].bpm, SONG_BPM_MIN, SONG_BPM_MAX);
            e->seq.tick_rem %= 2u * (unsigned)e->seq.bpm_tenths;
        }
    for (int c = 0; c < e->chans.nch; c++) {
        channel_out_effect(e, c, e->chans.ch[c].fx.fx, e->chans.ch[c].fx.param, e->seq.tick);
        channel_move_effect(e, c, e->chans.ch[c].fx.fx, e->chans.ch[c].fx.param, e->seq.tick);
    }
}

/* A voice of no channel (a preview) takes its point envelopes' levels,
 * the gains over `ramp` frames. */
static void alone_apply(Engine *e, int i, uint32_t ramp)
{
    MixerVoice *v = &e->pool.voices[i];
    const PointEnv *pe = &e->pool.points[i];
    float vol = e->pool.alone_vol[i] * pe->gain, gl, gr;
    pan_gains(env_moved_pan(e->pool.alone_pan[i], pe->pan), vol, &gl, &gr);
    mixer_voice_set_step(v, pitch_step(e, v->inst, env_pitch(e->pool.alone_pitch[i], pe)));
    mixer_voice_set_gains(v, gl, gr, vol, ramp);
    if (e->pool.shaping[i].on)
        voicefx_cutoff_scale(&e->pool.shaping[i], pe->cutoff_scale);
}

/* A tick of voice i's point envelopes: they move on and give its gains
 * and pitch (a channel's note through its channel; the levels glide over
 * `ramp` frames, a tick's, as the module players that have them do); a
 * note they silenced for good ends. True when the voice is a channel's
 * note (applied here). */
static bool voice_env_tick(Engine *e, int i, uint32_t ramp)
{
    MixerVoice *v = &e->pool.voices[i];
    PointEnv *pe = &e->pool.points[i];
    /* From silence (a volume envelope that starts at 0) the level comes
     * over the declick ramp, as a note's start does, not over the tick. */
    if (pe->gain <= 0.0f)
        ramp = e->ramp;
    bool alive = pointenv_tick(pe, v->inst);
    int c = v->channel;
    Channel *ch = c >= 0 && c < SONG_MAX_CHANNELS ? &e->chans.ch[c] : NULL;
    if (ch && channel_voice(e, ch) == v) {
        ch->env = *pe;
        if (alive)
            channel_apply_over(e, c, ramp);
        else
            release_channel_voice(e, ch, e->ramp);
        return true;
    }
    if (!alive)
        mixer_voice_release(v, e->ramp);
    else if (c < 0)
        alone_apply(e, i, ramp);
    return false;
}

/* The song's ticks move every sounding voice's point envelopes; `moved`
 * marks the channels whose notes took their levels here. */
static void envelopes_tick(Engine *e, bool moved[SONG_MAX_CHANNELS])
{
    uint32_t tick = tick_frames(e, e->seq.bpm_tenths);
    int list[ENGINE_MAX_VOICES], count = voice_list(&e->pool, list);
    for (int k = 0; k < count; k++) {
        int i = list[k];
        MixerVoice *v = &e->pool.voices[i];
        if (v->active && !v->releasing && e->pool.points[i].on && voice_env_tick(e, i, tick))
            moved[v->channel] = true;
    }
}

/* On a stopped song each voice's point envelopes tick at the song's
 * tempo from the voice's own start: frames until the next voice's tick
 * (UINT32_MAX: none has them). */
static uint32_t stopped_ticks_next(const Engine *e)
{
    uint32_t next = UINT32_MAX;
    for (int i = 0; i < ENGINE_MAX_VOICES; i++) {
        const MixerVoice *v = &e->pool.voices[i];
        if (v->active && !v->releasing && e->pool.points[i].on && e->pool.tick_left[i] < next)
            next = e->pool.tick_left[i];
    }
    return next;
}

/* `frames` passed on a stopped song: the voices whose tick has come take
 * it (before the frames of the run after it). */
static void stopped_ticks(Engine *e, uint32_t frames)
{
    int bpm = hiss_clampi(atomic_load_explicit(&e->song->bpm_tenths, memory_order_relaxed),
                          SONG_BPM_MIN, SONG_BPM_MAX);
    uint32_t tick = tick_frames(e, bpm);
    for (int i = 0; i < ENGINE_MAX_VOICES; i++) {
        MixerVoice *v = &e->pool.voices[i];
        if (!v->active || v->releasing || !e->pool.points[i].on)
            continue;
        uint32_t *left = &e->pool.tick_left[i];
        *left = *left > frames ? *left - frames : 0;
        if (*left)
            continue;
        voice_env_tick(e, i, tick);
        *left = tick;
    }
}

static void process_tick(Engine *e)
{
    if (e->chans.flags_due)
        take_flags(e);
    if (e->chans.moves_due)
        take_moves(e);
    if (e->seq.tick == 0) {
        play_row(e);
    } else {
        take_due(e, false);
        tick_control(e);
        for (int c = 0; c < e->chans.nch; c++) {
            channel_tick(e, c);
            /* Hxy: the channels' global volume slides, in their order. */
            FxChannel *fx = &e->chans.ch[c].fx;
            e->seq.global_volume = hiss_clampi(e->seq.global_volume + fx->global_slide, 0,
                                               SONG_GLOBAL_VOLUME_MAX);
            fx->global_slide = 0;
        }
        if (atomic_load_explicit(&e->capturing, memory_order_relaxed))
            log_row(e, e->seq.tick);
    }
    if (!atomic_load_explicit(&e->capturing, memory_order_relaxed))
        e->seq.logging = false;
    bool moved[SONG_MAX_CHANNELS] = {false};
    for (int c = 0; c < e->chans.nch; c++) {
        off_fade_tick(e, c);
        autovib_tick(e, c);
    }
    envelopes_tick(e, moved);
    for (int c = 0; c < e->chans.nch; c++)
        if (!moved[c])
            channel_apply(e, c);
    past_tick(e);
}

/* Runs the sequencer up to the next point where frames pass. */
static void sequencer_step(Engine *e)
{
    for (int guard = 0; guard < 8 && e->seq.frames_left == 0; guard++) {
        if (!e->seq.playing) {
            e->seq.frames_left = UINT32_MAX;
            return;
        }
        if (e->seq.tick >= row_ticks(e)) {
            advance_row(e);
            e->seq.tick = 0;
            e->seq.row_started = false;
            continue;
        }
        if (e->seq.tick == 0 && !e->seq.row_started) {
            e->seq.row_started = true;
            e->seq.swing_debt = swing_delay(e);
            if (e->seq.swing_debt) {
                e->seq.frames_left = e->seq.swing_debt;
                continue;
            }
        }
        process_tick(e);
        uint32_t len = timing_tick_frames(e->rate, e->seq.bpm_tenths, &e->seq.tick_rem);
        if (e->seq.swing_debt) {
            /* The delayed row gives the delay back over its own ticks so
             * the next row starts on time. */
            uint32_t share = timing_swing_share(e->seq.swing_debt,
                                                row_ticks(e) - e->seq.tick, len);
            len -= share;
            e->seq.swing_debt -= share;
        }
        e->seq.tick++;
        e->seq.frames_left = e->seq.tick_len = len ? len : 1;
        if (e->chans.fine_count)
            fine_resolve(e, e->seq.tick_len);
    }
    if (e->seq.frames_left == 0)
        e->seq.frames_left = 1;
}

static void start_playback(Engine *e, bool pattern_mode, int where, int row)
{
    release_all(e, false);
    for (int c = 0; c < SONG_MAX_CHANNELS; c++)
        channel_reset(&e->chans.ch[c]);
    e->chans.nch = song_channels(e);
    e->seq.bpm_tenths = hiss_clampi(atomic_load(&e->song->bpm_tenths), SONG_BPM_MIN, SONG_BPM_MAX);
    e->seq.speed = hiss_clampi(atomic_load(&e->song->speed), 1, 31);
    e->seq.global_volume = song_global_volume(e->song);
    e->seq.tick_rem = 0;
    e->seq.tick = 0;
    e->seq.passes = 1;
    e->seq.bpm_due = e->seq.speed_due = 0;
    e->seq.row_started = false;
    e->seq.swing_debt = 0;
    memset(e->chans.out, 0, sizeof e->chans.out);
    clear_auto_moves(e);
    e->seq.frames_left = 0;
    fx_row_control_clear(&e->seq.ctl);
    e->seq.cmd_jump = false;
    e->seq.cue = -1;
    groove_clear(e);
    memset(e->chans.skip, 0, sizeof e->chans.skip);
    memset(e->chans.last_take, 0, sizeof e->chans.last_take);
    let_go_holds(e, true); /* what waited for a bar gets one now */
    e->seq.row_is_bar = true; /* and playback starts one */
    e->seq.pattern_mode = pattern_mode;
    e->seq.playing = true;
    atomic_store_explicit(&e->status.song_ended, false, memory_order_relaxed);
    /* The clip report is of this playback: it starts again from nothing. */
    atomic_store_explicit(&e->status.clip_count, 0, memory_order_relaxed);
    atomic_store_explicit(&e->status.limit_frames, 0, memory_order_relaxed);
    atomic_store_explicit(&e->status.limit_max_centi_db, 0, memory_order_relaxed);
    if (pattern_mode) {
        e->seq.order = 0;
        e->seq.pattern = hiss_clampi(where, 0, SONG_MAX_PATTERNS - 1);
        int rows = current_rows(e);
        e->seq.row = row >= 0 && row < rows ? row : 0;
    } else {
        seek_order(e, where, row);
    }
    if (e->seq.playing) {
        e->seq.clock_rows = rows_into_song(e);
        clock_out_start(&e->clock, e->render_at + engine_latency(e), e->seq.clock_rows,
                        atomic_load_explicit(&e->song->rows_per_beat, memory_order_relaxed));
    }
}

/* ---- previews ---------------------------------------------------------- */

static void preview_start(Engine *e, Instrument *inst, int note, int volume,
                          const void *owner)
{
    PreviewSlot *ps = &e->preview.slots[e->preview.next];
    e->preview.next = (e->preview.next + 1) % ENGINE_PREVIEW_VOICES;
    if (ps->voice >= 0) {
        MixerVoice *old = &e->pool.voices[ps->voice];
        if (old->active && old->serial == ps->voice_serial)
            mixer_voice_release(old, e->ramp);
        ps->voice = -1;
    }
    if (!inst)
        return;
    int vi = voice_alloc(e);
    if (vi < 0)
        return;
    MixerVoice *v = &e->pool.voices[vi];
    float gl, gr;
    /* At a new channel's fader level: an audition is never louder than
     * the note would be in a new song, and never at full scale. */
    float velocity = (float)hiss_clampi(volume, 0, 64) / 64.0f;
    float vol = velocity * strip_default_gain();
    pan_gains(pan_from_instrument(inst), vol, &gl, &gr);
    int pitch = (plays_at_base(inst) ? inst->base_note : note) * FX_PITCH_PER_NOTE;
    PointEnv *pe = &e->pool.points[vi];
    pointenv_start(pe, inst);
    e->pool.tick_left[vi] = 0;
    e->pool.alone_pitch[vi] = pitch;
    e->pool.alone_pan[vi] = pan_from_instrument(inst);
    e->pool.alone_vol[vi] = vol;
    pan_gains(env_moved_pan(pan_from_instrument(inst), pe->pan), vol * pe->gain, &gl, &gr);
    if (!voice_start_on(e, v, inst, slice_of(inst, note, 0), 0, 0,
                        pitch_step(e, inst, env_pitch(pitch, pe)), gl, gr, vol * pe->gain))
        return;
    /* The fader level is no part of the note's velocity (filter_vel,
     * drive_vel): a full-volume audition sounds as the note would. */
    voicefx_start(&e->pool.shaping[vi], inst, e->rate, v, (float)(note - NOTE_C4),
                  velocity);
    if (pe->on)
        voicefx_cutoff_scale(&e->pool.shaping[vi], pe->cutoff_scale);
    v->channel = -1;
    v->slot = 0;
    v->owner = owner;
    v->serial = ++e->pool.serial;
    ps->voice = vi;
    ps->voice_serial = v->serial;
}

static void preview_stop(Engine *e)
{
    for (int p = 0; p < ENGINE_PREVIEW_VOICES; p++) {
        PreviewSlot *ps = &e->preview.slots[p];
        if (ps->voice >= 0) {
            MixerVoice *v = &e->pool.voices[ps->voice];
            if (v->active && v->serial == ps->voice_serial)
                mixer_voice_release(v, e->ramp);
        }
        ps->voice = -1;
    }
}

/* ---- retiring objects -------------------------------------------------- */

static bool grave_add(Engine *e, EngineReturnType type, void *ptr)
{
    if (e->grave_count >= GRAVEYARD_SIZE)
        return false;
    e->graveyard[e->grave_count].type = type;
    e->graveyard[e->grave_count].ptr = ptr;
    e->grave_count++;
    return true;
}

static bool grave_in_use(const Engine *e, const Grave *g)
{
    for (int i = 0; i < ENGINE_MAX_VOICES; i++) {
        const MixerVoice *v = &e->pool.voices[i];
        if (!v->active)
            continue;
        if (g->type == ENGINE_RETURN_INSTRUMENT && v->inst == g->ptr)
            return true;
        if (g->type == ENGINE_RETURN_SONG && v->owner == g->ptr)
            return true;
    }
    /* Patterns are only read while a row is played, never kept. */
    return false;
}

static void grave_sweep(Engine *e)
{
    int kept = 0;
    for (int i = 0; i < e->grave_count; i++) {
        Grave g = e->graveyard[i];
        EngineReturn r = {g.type, g.ptr};
        if (grave_in_use(e, &g) || !ring_push(&e->returns, &r))
            e->graveyard[kept++] = g;
    }
    e->grave_count = kept;
}

static bool same_loop(const Instrument *a, const Instrument *b)
{
    return a->loop == b->loop && a->loop_start == b->loop_start &&
           a->loop_end == b->loop_end;
}

/* Voices of a replaced instrument keep playing when the new one in the slot
 * plays the same sample the same way (a volume or name edit); otherwise
 * they fade out. */
static void retire_instrument(Engine *e, const Instrument *old)
{
    for (int i = 0; i < ENGINE_MAX_VOICES; i++) {
        MixerVoice *v = &e->pool.voices[i];
        if (!v->active || v->inst != old)
            continue;
        Instrument *now = v->slot && v->owner == e->song
                              ? song_instrument(e->song, v->slot)
                              : NULL;
        if (now && now != old && now->sample == old->sample &&
            same_loop(now, old)) {
            v->inst = now;
            /* An edit of its shaping is heard on the note as it sounds. */
            voicefx_update(&e->pool.shaping[i], old, now);
        } else
            mixer_voice_release(v, e->ramp);
    }
}

/* ---- live notes -------------------------------------------------------- */

static bool valid_channel(int c)
{
    return c >= 0 && c < SONG_MAX_CHANNELS;
}


/* The row `ahead` rows after the playing one, as the song goes on without
 * jumps: the pattern wraps in pattern mode, else the next order's pattern
 * begins. False when the song ends there. */
static bool row_ahead(const Engine *e, int ahead, int *pattern, int *row)
{
    int rows = current_rows(e);
    int target = e->seq.row + ahead;
    *pattern = e->seq.pattern;
    if (target < 0)
        target = 0;
    if (target < rows) {
        *row = target;
        return true;
    }
    if (e->seq.pattern_mode) {
        *row = target % rows;
        return true;
    }
    int order = e->seq.order + 1, first = 0;
    if (!timing_seek_order(e->song, e->seq.loop_song, &order, pattern, &first))
        return false;
    Pattern *p = song_pattern(e->song, *pattern);
    *row = hiss_clampi(target - rows, 0, p ? p->rows - 1 : 0);
    return true;
}

/* Where a live note goes: rounded by the quantize mode from the exact
 * frame it plays on (a command's: the start of its period; a MIDI
 * note's: its own frame within the period). */
static void record_live(Engine *e, int c, Cell cell, int flags, int tick, int fine)
{
    bool row_played = e->seq.tick > 0;
    double row_frames = (double)row_ticks(e) * e->rate * 25.0 / e->seq.bpm_tenths;
    double elapsed = row_played ? (double)e->seq.row_elapsed
                                : -(double)(e->seq.frames_left == UINT32_MAX
                                                ? 0
                                                : e->seq.frames_left);
    int rpb = hiss_clampi(atomic_load_explicit(&e->song->rows_per_beat,
                                               memory_order_relaxed), 1, 32);
    LiveQuantize mode = (LiveQuantize)((flags >> 16) & 0xF);
    int offset = live_quantize_offset(mode, e->seq.row, elapsed / row_frames, rpb);
    bool jam = !(flags & ENGINE_LIVE_RECORD);
    EngineTake take = {.channel = c, .cell = cell, .jam = jam,
                       .when = atomic_load_explicit(&e->status.rows_played,
                                                    memory_order_relaxed),
                       .tick = tick, .fine = fine};
    if (!row_ahead(e, offset, &take.pattern, &take.row))
        return;
    LiveSkip *last = &e->chans.last_take[c];
    if (cell.note == NOTE_OFF && last->rows && last->pattern == take.pattern &&
        last->row == take.row) {
        /* A release rounded onto its own note's row would erase the note:
         * it goes on the row after. */
        offset++;
        if (!row_ahead(e, offset, &take.pattern, &take.row))
            return;
    }
    *last = (LiveSkip){1, take.pattern, take.row};
    /* The rows still to start before the target: it sounded now, so its
     * written copy is skipped when that row comes on this pass. */
    int ahead = offset + (row_played ? 0 : 1);
    if (ahead > 0 && !jam) {
        e->chans.skip[c] = (LiveSkip){ahead, take.pattern, take.row};
    } else if (offset == 0 && (flags & ENGINE_LIVE_FEEL) && e->seq.tick > 1 &&
               e->seq.tick - 1 < 16) {
        take.cell.fx = 'E';
        take.cell.fx_param = (uint8_t)(0xD0 | (e->seq.tick - 1));
    }
    ring_push(&e->takes, &take); /* a full ring drops the note (the UI is gone) */
}

/* A note jammed while capturing: the tick of its row it came in (*tick,
 * -1 when a pattern cannot say it: before the row's first tick, in a
 * pattern delay's repeat, past tick 15, or over a note part still held
 * back) and the Zxx share of the tick (*fine) on whose frame it plays:
 * the frames from now to there (at most a 255th of the tick). */
static uint32_t live_jam_wait(Engine *e, int c, int *tick, int *fine)
{
    uint32_t len = e->seq.tick_len, left = e->seq.frames_left;
    int t = e->seq.tick - 1;
    if (t < 0 || t >= e->seq.speed || t > 15 || left == 0 || left > len ||
        e->chans.groove_left[c] || e->chans.fine_due[c])
        return 0;
    uint32_t at = len - left;
    int k = len > 1 ? (int)(((uint64_t)at * 255 + len - 2) / (len - 1)) : 0;
    *tick = t;
    *fine = k;
    return fine_frames(k, len) - at;
}

static void live_note(Engine *e, int c, int note_value, int flags)
{
    if (!valid_channel(c) || c >= e->chans.nch)
        return;
    bool note = note_value >= NOTE_FIRST && note_value <= NOTE_LAST;
    if (!note && note_value != NOTE_OFF && note_value != NOTE_CUT)
        return;
    Cell cell = song_cell_empty();
    cell.note = (uint8_t)note_value;
    if (note) {
        cell.instrument = (uint8_t)(flags & 0xFF);
        int volume = (flags >> 8) & 0xFF;
        cell.volume = volume <= VOLUME_MAX ? (uint8_t)volume : VOLUME_EMPTY;
    }
    int tick = -1, fine = 0;
    uint32_t wait = 0;
    if ((flags & ENGINE_LIVE_JAM) && capturing_play(e))
        wait = live_jam_wait(e, c, &tick, &fine);
    if (wait) {
        /* Played on the grid Zxx can say again: frames from now. */
        e->chans.groove_cell[c] = cell;
        e->chans.groove_left[c] = wait + 1;
        e->chans.groove_waiting++;
    } else {
        channel_trigger(e, c, &cell);
    }
    if ((flags & (ENGINE_LIVE_RECORD | ENGINE_LIVE_JAM)) && e->seq.playing)
        record_live(e, c, cell, flags, tick, fine);
}

/* ---- an external MIDI clock ------------------------------------------- */

/* Plays from MIDI song position `sixteenths` (rows_per_beat / 4 rows
 * each), counted through the order list (a pattern's rows each; entries
 * without a pattern skipped). */
static void play_at_position(Engine *e, int sixteenths, bool moving, int counted)
{
    int rpb = hiss_clampi(atomic_load_explicit(&e->song->rows_per_beat, memory_order_relaxed),
                          1, 32);
    int rows = (int)((int64_t)sixteenths * rpb / 4);
    /* A move while playing to the row that plays (the master's song
     * looped as this one just did) leaves the notes ringing. */
    if (moving && e->seq.playing && !e->seq.pattern_mode &&
        rows_into_song(e) == (uint64_t)(rows > 0 ? rows : 0)) {
        /* The clock's pulses count again from here, as after a start:
         * hiss's own count does the same, so the phase lock holds. */
        uint64_t back = counted > 0 ? (uint64_t)counted : 0;
        e->clock.pulses -= back < e->clock.pulses ? back : e->clock.pulses;
        return;
    }
    int count = hiss_clampi(atomic_load_explicit(&e->song->order_count, memory_order_relaxed),
                            0, SONG_MAX_ORDERS);
    int left = rows > 0 ? rows : 0;
    for (int o = 0; o < count; o++) {
        const Pattern *p = song_pattern(e->song, atomic_load_explicit(&e->song->orders[o],
                                                                      memory_order_relaxed));
        if (!p)
            continue;
        if (left < p->rows) {
            start_playback(e, false, o, left);
            return;
        }
        left -= p->rows;
    }
    start_playback(e, false, 0, 0); /* past the end: from the start */
}

/* The song's tempo (tenths of a BPM) whose beat (rows_per_beat rows) comes
 * `beats_per_minute` times a minute: a beat lasts speed x rows_per_beat
 * ticks of 25 x rate / bpm_tenths frames. */
static int song_tenths(const Engine *e, double beats_per_minute)
{
    int rpb = hiss_clampi(atomic_load_explicit(&e->song->rows_per_beat, memory_order_relaxed),
                          1, 32);
    double tenths = beats_per_minute * row_ticks(e) * rpb / 2.4;
    return tenths > INT32_MAX ? INT32_MAX : (int)lround(tenths);
}

/* The tempo whose beat is 24 pulses of `milli_frames` / 1000 frames,
 * sped up or slowed down by a 24th for each pulse hiss's own clock is
 * behind or ahead of the `pulses` received (at most a quarter), so a
 * phase error closes over about a beat and the tempo never drifts. */
static void follow_clock(Engine *e, int milli_frames, int pulses)
{
    if (milli_frames <= 0)
        return;
    /* The beat synced effects hear: a plain mean of the first measures,
     * then a one-pole over FOLLOW_SMOOTH_SECONDS of pulses. */
    double beat = CLOCK_PULSES_PER_BEAT * (double)milli_frames / 1000.0;
    double share = 1.0 - exp(-(double)milli_frames / (1000.0 * FOLLOW_SMOOTH_SECONDS * e->rate));
    if (!e->follow.on)
        e->follow.updates = 0;
    e->follow.updates += e->follow.updates < UINT32_MAX;
    if (share < 1.0 / e->follow.updates)
        share = 1.0 / e->follow.updates;
    e->follow.beat_frames = e->follow.on ? e->follow.beat_frames + share * (beat - e->follow.beat_frames)
                                         : beat;
    e->follow.on = true;
    e->follow.quiet = 0;
    double beats_per_minute = 60.0 * e->rate * 1000.0 /
                              (CLOCK_PULSES_PER_BEAT * (double)milli_frames);
    if (pulses >= 0 && e->seq.playing && e->clock.running) {
        double own = (double)e->clock.pulses +
                     (e->clock.per ? (double)e->clock.phase / (double)e->clock.per : 0.0);
        double behind = (double)pulses - own;
        if (behind > 6.0)
            behind = 6.0;
        if (behind < -6.0)
            behind = -6.0;
        beats_per_minute *= 1.0 + behind / CLOCK_PULSES_PER_BEAT;
    }
    set_bpm(e, song_tenths(e, beats_per_minute));
}

/* ---- commands ---------------------------------------------------------- */

static void live_insert(Engine *e, const EngineCommand *cmd, uint32_t frame);

/* False when the command must wait for room in the graveyard. */
static bool execute(Engine *e, const EngineCommand *cmd)
{
    switch (cmd->type) {
    case ENGINE_CMD_PLAY_SONG:
    case ENGINE_CMD_PLAY_PATTERN:
        start_playback(e, cmd->type == ENGINE_CMD_PLAY_PATTERN, cmd->a, cmd->b);
        refplay_seek(&e->ref, (uint64_t)(cmd->c > 0 ? cmd->c : 0), engine_latency(e));
        break;
    case ENGINE_CMD_STOP:
        stop_playback(e, false);
        break;
    case ENGINE_CMD_END:
        if (e->seq.playing)
            stop_playback(e, true);
        break;
    case ENGINE_CMD_JUMP:
        if (e->seq.playing) {
            e->seq.cmd_jump = true;
            e->seq.cmd_jump_order = cmd->a;
            e->seq.cmd_jump_row = cmd->b;
        }
        break;
    case ENGINE_CMD_CUE:
        e->seq.cue = cmd->a < 0 ? -1 : cmd->a;
        e->seq.cue_pattern = cmd->a >= 0 && cmd->c != 0;
        e->seq.cue_at = cmd->b >= 0 && cmd->b < ENGINE_CUE_AT_COUNT ? (EngineCueAt)cmd->b
                                                                   : ENGINE_CUE_PATTERN_END;
        break;
    case ENGINE_CMD_SET_BPM:
        e->follow.on = false; /* a tempo of one's own */
        set_bpm(e, cmd->a);
        break;
    case ENGINE_CMD_SET_SPEED:
        /* A row's length is its speed: while capturing, a new one waits
         * for the next row (take_due), where the capture's Fxx replays it. */
        if (capturing_play(e))
            e->seq.speed_due = hiss_clampi(cmd->a, 1, 31);
        else
            e->seq.speed = hiss_clampi(cmd->a, 1, 31);
        break;
    case ENGINE_CMD_HOLD_MUTE:
    case ENGINE_CMD_HOLD_SOLO:
        if (valid_channel(cmd->a)) {
            signed char *hold = cmd->type == ENGINE_CMD_HOLD_MUTE ? e->chans.hold_mute
                                                                  : e->chans.hold_solo;
            /* A second change before the bar keeps the first hold: that
             * is what still sounds. */
            if (cmd->b < 0 || !e->seq.playing)
                hold[cmd->a] = -1;
            else if (hold[cmd->a] < 0)
                hold[cmd->a] = cmd->b != 0;
            e->chans.hold_until[cmd->a] = cmd->b >= 0 && cmd->c > 0 ? cmd->c - 1 : -1;
            if (e->chans.hold_mute[cmd->a] < 0 && e->chans.hold_solo[cmd->a] < 0)
                e->chans.hold_until[cmd->a] = -1;
            if (capturing_play(e))
                e->chans.flags_due = true; /* heard from the next tick */
            else
                recount_solo(e);
        }
        break;
    case ENGINE_CMD_LOOP_ROWS:
        if (cmd->a < 0 || cmd->b < cmd->a) {
            e->seq.loop_first = e->seq.loop_last = -1;
        } else {
            e->seq.loop_first = hiss_clampi(cmd->a, 0, SONG_MAX_ROWS - 1);
            e->seq.loop_last = hiss_clampi(cmd->b, 0, SONG_MAX_ROWS - 1);
        }
        break;
    case ENGINE_CMD_SET_LOOP_SONG:
        e->seq.loop_song = cmd->a != 0;
        break;
    case ENGINE_CMD_PREVIEW_NOTE:
        if (cmd->b == NOTE_OFF || cmd->b == NOTE_CUT)
            preview_stop(e);
        else if (cmd->a >= 1 && cmd->a <= SONG_MAX_INSTRUMENTS &&
                 cmd->b >= NOTE_FIRST && cmd->b <= NOTE_LAST)
            preview_start(e, song_instrument(e->song, cmd->a), cmd->b, cmd->c,
                          e->song);
        break;
    case ENGINE_CMD_PREVIEW_SAMPLE: {
        Instrument *inst = cmd->ptr;
        if (!inst)
            break;
        if (e->preview.inst && e->preview.inst != inst) {
            if (!grave_add(e, ENGINE_RETURN_INSTRUMENT, e->preview.inst))
                return false;
            retire_instrument(e, e->preview.inst);
        }
        e->preview.inst = inst;
        int note = cmd->b >= NOTE_FIRST && cmd->b <= NOTE_LAST ? cmd->b
                                                               : inst->base_note;
        int vol = cmd->c >= 1 && cmd->c <= 64 ? cmd->c : 64;
        preview_start(e, inst, note, vol, NULL);
        /* preview_start took the slot before `next`. */
        e->preview.audition = e->preview.slots[(e->preview.next + ENGINE_PREVIEW_VOICES - 1) %
                                               ENGINE_PREVIEW_VOICES];
        atomic_fetch_add_explicit(&e->status.auditions_started, 1, memory_order_relaxed);
        break;
    }
    case ENGINE_CMD_SET_REFERENCE:
        if (e->ref.sample && e->ref.sample != cmd->ptr &&
            !grave_add(e, ENGINE_RETURN_SAMPLE, (void *)e->ref.sample))
            return false;
        refplay_set(&e->ref, cmd->ptr, e->rate);
        break;
    case ENGINE_CMD_LISTEN_REFERENCE:
        /* Back to the mix, the reference fades out at the gain it had. */
        e->ref.listen = cmd->a != 0;
        if (e->ref.listen)
            e->ref.gain = powf(10.0f, (float)hiss_clampi(cmd->b, -6000, 6000) / 2000.0f);
        break;
    case ENGINE_CMD_RETIRE_PATTERN:
        if (cmd->ptr && !grave_add(e, ENGINE_RETURN_PATTERN, cmd->ptr))
            return false;
        break;
    case ENGINE_CMD_RETIRE_INSTRUMENT:
        if (cmd->ptr) {
            if (!grave_add(e, ENGINE_RETURN_INSTRUMENT, cmd->ptr))
                return false;
            retire_instrument(e, cmd->ptr);
        }
        break;
    case ENGINE_CMD_LIVE_NOTE:
        /* Capturing, a jam due as a tick starts is played after it does
         * (with the notes due on the period's first frame), so a pattern
         * can say when. */
        if ((cmd->c & ENGINE_LIVE_JAM) && capturing_play(e) && !e->seq.frames_left)
            live_insert(e, cmd, 0);
        else
            live_note(e, cmd->a, cmd->b, cmd->c);
        break;
    case ENGINE_CMD_PLAY_AT_POSITION:
        play_at_position(e, cmd->a, cmd->b != 0, cmd->c);
        break;
    case ENGINE_CMD_FOLLOW_CLOCK:
        follow_clock(e, cmd->a, cmd->b);
        break;
    case ENGINE_CMD_SEND_LINES: {
        SendLines *lines = cmd->ptr;
        if (!lines)
            break;
        if (!grave_add(e, ENGINE_RETURN_SEND_LINES, lines))
            return false;
        if (!e->sends.lines) {
            /* Taken whole; what goes back is the empty holder. */
            e->sends.delay = lines->delay;
            e->sends.reverb = lines->reverb;
            e->sends.lines = true;
            memset(lines, 0, sizeof *lines);
        }
        break;
    }
    case ENGINE_CMD_INSTALL_SONG:
        if (cmd->ptr && cmd->ptr != e->song) {
            if (!grave_add(e, ENGINE_RETURN_SONG, e->song))
                return false;
            stop_playback(e, false);
            e->song = cmd->ptr;
            for (int c = 0; c < SONG_MAX_CHANNELS; c++)
                channel_reset(&e->chans.ch[c]);
            e->chans.nch = song_channels(e);
        }
        break;
    }
    return true;
}

/* The command that waited for the graveyard comes before the ring's. */
static bool next_command(Engine *e, EngineCommand *cmd)
{
    if (e->has_pending)
        *cmd = e->pending;
    else if (!ring_pop(&e->commands, cmd))
        return false;
    e->has_pending = false;
    return true;
}

static void drain_commands(Engine *e)
{
    for (int i = 0; i < ENGINE_COMMANDS_PER_PERIOD; i++) {
        EngineCommand cmd;
        if (!next_command(e, &cmd))
            break;
        if (!execute(e, &cmd)) {
            e->pending = cmd;
            e->has_pending = true;
            break;
        }
    }
    e->live_next = 0;
}

/* Plays the live notes due by frame `at` of this render; returns the
 * frames until the next one is due (UINT32_MAX: none). */
static uint32_t play_live_due(Engine *e, uint32_t at)
{
    for (; e->live_next < e->live_count; e->live_next++) {
        if (e->live_frame[e->live_next] > at)
            return e->live_frame[e->live_next] - at;
        const EngineCommand *n = &e->live[e->live_next];
        if (n->type == ENGINE_CMD_LIVE_NOTE)
            live_note(e, n->a, n->b, n->c);
        else
            execute(e, n);
    }
    return UINT32_MAX;
}

/* After a render: notes due past its end (a period rendered in pieces)
 * move to the front, their frames counted from the next render. */
static void carry_live(Engine *e, uint32_t nframes)
{
    int kept = 0;
    for (int i = e->live_next; i < e->live_count; i++, kept++) {
        e->live[kept] = e->live[i];
        e->live_frame[kept] = e->live_frame[i] - nframes;
    }
    e->live_count = kept;
    e->live_next = 0;
}

static void live_insert(Engine *e, const EngineCommand *cmd, uint32_t frame)
{
    if (e->live_count >= ENGINE_LIVE_PER_PERIOD)
        return;
    /* Kept in frame order; equal frames in the order they came. */
    int i = e->live_count++;
    for (; i > 0 && e->live_frame[i - 1] > frame; i--) {
        e->live[i] = e->live[i - 1];
        e->live_frame[i] = e->live_frame[i - 1];
    }
    e->live[i] = *cmd;
    e->live_frame[i] = frame;
}

void engine_live_note_now(Engine *e, int channel, int note, int flags, uint32_t frame)
{
    live_insert(e, &(EngineCommand){ENGINE_CMD_LIVE_NOTE, channel, note, flags, NULL}, frame);
}

void engine_command_now(Engine *e, const EngineCommand *cmd, uint32_t frame)
{
    switch (cmd->type) {
    case ENGINE_CMD_PLAY_SONG:
    case ENGINE_CMD_PLAY_AT_POSITION:
    case ENGINE_CMD_STOP:
    case ENGINE_CMD_SET_BPM:
    case ENGINE_CMD_FOLLOW_CLOCK:
        live_insert(e, cmd, frame);
        break;
    default:
        break;
    }
}

/* Compares every field of a strip that follow_strips reads with seen
 * (the fields as loaded, before any clamping), and when `take` stores
 * them there; true when any differs. A strip read the same as last
 * period leaves all that was made from it as it is: most periods, of
 * most of the 64 channels. A field follow_strips comes to read must be
 * compared here too. */
static inline __attribute__((always_inline)) bool
strip_reread(const SongStrip *st, int seen[STRIP_SEEN], const bool take)
{
    /* The insert's fields at constant offsets, not through the table. */
    static const ShapeParam insert_params[SONG_INSERT_PARAMS] = {SONG_INSERT_PARAM_LIST};
    int k = 0;
/* Comparing, the first field that differs ends the look: a field is a
 * load and a compare and branch (one operation to the CPU). */
#define STRIP_TAKE(field)                                                                  \
    do {                                                                                   \
        int now_ = atomic_load_explicit(&(field), memory_order_relaxed);                   \
        if (take)                                                                          \
            seen[k] = now_;                                                                \
        else if (now_ != seen[k])                                                          \
            return true;                                                                   \
        k++;                                                                               \
    } while (0)
    STRIP_TAKE(st->gain_tenth_db);
    STRIP_TAKE(st->pan);
    STRIP_TAKE(st->mute);
    STRIP_TAKE(st->solo);
    for (int i = 0; i < SONG_SENDS; i++) {
        STRIP_TAKE(st->send_tenth_db[i]);
        STRIP_TAKE(st->send_pre[i]);
    }
    STRIP_TAKE(st->duck_from);
    STRIP_TAKE(st->duck_inst);
    STRIP_TAKE(st->duck_depth_tenth_db);
    STRIP_TAKE(st->duck_attack_ms);
    STRIP_TAKE(st->duck_hold_ms);
    STRIP_TAKE(st->duck_release_ms);
    STRIP_TAKE(st->eq.low_cut_hz);
    STRIP_TAKE(st->eq.low_shelf_hz);
    STRIP_TAKE(st->eq.low_shelf_tenth_db);
    STRIP_TAKE(st->eq.mid_hz);
    STRIP_TAKE(st->eq.mid_tenth_db);
    STRIP_TAKE(st->eq.mid_q_tenths);
    STRIP_TAKE(st->eq.high_shelf_hz);
    STRIP_TAKE(st->eq.high_shelf_tenth_db);
    STRIP_TAKE(st->eq.high_cut_hz);
    /* Unrolled, as the rest: a loop's count and branch per field cost
     * as much as the field. */
#pragma GCC unroll 8
    for (int i = 0; i < SONG_COMP_PARAMS; i++)
        STRIP_TAKE(st->comp[i]);
#pragma GCC unroll 8
    for (int i = 0; i < SONG_INSERT_PARAMS; i++)
        STRIP_TAKE(st->fx[insert_params[i]]);
#undef STRIP_TAKE
    /* STRIP_SEEN counts the fields above by hand: a field added to one
     * and not the other would write past seen. */
    assert(k == STRIP_SEEN);
    return false;
}

/* strip_reread storing what it loads, apart: the comparison, most
 * periods' whole work, stays a run of loads. */
static __attribute__((noinline)) void strip_take(const SongStrip *st, int seen[STRIP_SEEN])
{
    strip_reread(st, seen, true);
}

/* Channel c's filter, crush and drive insert follows its strip; an edit
 * glides and fades as on a sounding voice. */
static void follow_insert(Engine *e, int c, const SongStrip *st)
{
    int *was = e->insert_shape[c];
    int now[SHAPE_COUNT];
    memcpy(now, was, sizeof now);
    bool changed = false;
    for (int i = 0; i < SONG_INSERT_PARAMS; i++) {
        ShapeParam k = song_insert_params[i];
        now[k] = atomic_load_explicit(&st->fx[k], memory_order_relaxed);
        changed |= now[k] != was[k];
    }
    if (changed) {
        voicefx_insert_update(&e->insert[c], was, now);
        memcpy(was, now, sizeof now);
    }
}

/* Takes the song's channel strips (fader, balance, mute, solo) at the
 * start of a period; a change reaches the voices over the declick ramp. */
static void follow_strips(Engine *e)
{
    bool changed = false;
    /* The channels whose strips moved (or were never read): only theirs
     * are read again below. */
    uint64_t moved = 0;
    for (int c = 0; c < SONG_MAX_CHANNELS; c++) {
        uint64_t bit = (uint64_t)1 << c;
        if (strip_reread(&e->song->strips[c], e->strip_seen[c], false) ||
            !(e->strips_seen & bit)) {
            strip_take(&e->song->strips[c], e->strip_seen[c]);
            moved |= bit;
        }
    }
    e->strips_seen = ~(uint64_t)0;
    /* What the channels' state is made from below is loaded after what
     * strip_reread saw: a field written in between is seen as moved next
     * period, never left behind. */
    atomic_thread_fence(memory_order_acquire);
    e->sends.gains_due |= moved;
    for (uint64_t m = moved; m; m &= m - 1) {
        int c = bus_lowest(m);
        StripState *st = &e->chans.strip[c];
        int was[ENGINE_MOVES] = {st->gain_tenth_db, st->pan};
        changed |= strip_follow(st, &e->song->strips[c]);
        /* A strip moved takes over from the pattern's Oxy pairs. */
        if (was[ENGINE_MOVE_FADER] != st->gain_tenth_db)
            e->chans.auto_move[c][ENGINE_MOVE_FADER] = MIX_NONE;
        if (was[ENGINE_MOVE_BALANCE] != st->pan)
            e->chans.auto_move[c][ENGINE_MOVE_BALANCE] = MIX_NONE;
    }
    /* With none due, every channel's flags were taken from its strip
     * (take_flags; a hand-over copies both): only a strip that moved can
     * differ. */
    for (uint64_t m = moved; m; m &= m - 1) {
        int c = bus_lowest(m);
        e->chans.flags_due |= e->chans.strip[c].mute != e->chans.mute[c] ||
                              e->chans.strip[c].solo != e->chans.solo[c];
    }
    /* While capturing, a mute or solo is heard from the next tick, the
     * frame a pattern's Oxy can give it again. */
    if (e->chans.flags_due && !capturing_play(e))
        take_flags(e);
    count_solos(e);
    for (uint64_t m = moved; m; m &= m - 1) {
        int c = bus_lowest(m);
        const SongStrip *st = &e->song->strips[c];
        e->duck_from[c] = hiss_clampi(atomic_load_explicit(&st->duck_from, memory_order_relaxed),
                                      0, SONG_MAX_CHANNELS);
        e->duck_inst[c] = hiss_clampi(atomic_load_explicit(&st->duck_inst, memory_order_relaxed),
                                      0, SONG_MAX_INSTRUMENTS);
        if (e->duck_from[c] || e->duck_inst[c])
            duck_read(st, &e->duck_set[c]);
        follow_insert(e, c, st);
        SongEq eq;
        eq_read(&st->eq, &eq);
        eq_follow(&e->channel_eq[c], &eq, e->rate);
        e->channel_eq_on[c] = eq_active(&e->channel_eq[c]);
        song_params_read(st->comp, song_comp_params, SONG_COMP_PARAMS, e->comp_set[c]);
        uint64_t bit = (uint64_t)1 << c;
        e->glue_mask = e->comp_set[c][SONG_GLUE_ON] ? e->glue_mask | bit : e->glue_mask & ~bit;
    }
    /* An insert's change fades out while it plays: one that was active
     * may have come to rest. One at rest stays so until its strip moves. */
    for (uint64_t m = moved | e->insert_on_mask; m; m &= m - 1) {
        int c = bus_lowest(m);
        uint64_t bit = (uint64_t)1 << c;
        e->insert_on[c] = voicefx_insert_active(&e->insert[c]);
        e->insert_on_mask = e->insert_on[c] ? e->insert_on_mask | bit : e->insert_on_mask & ~bit;
    }
    delay_read(e->song, e->sends.delay_set);
    reverb_read(e->song, e->sends.reverb_set);
    /* While capturing, a fader or balance move is heard from the next
     * tick, where a pattern's Oxy pair can give it again. */
    /* With none due, every move heard is the one wanted (take_moves; an
     * Oxy pair takes its own at once, and clearing them makes moves due):
     * only a strip that moved can want another. */
    for (uint64_t m = e->chans.moves_due ? 0 : moved; m; m &= m - 1) {
        int c = bus_lowest(m);
        for (int k = 0; k < ENGINE_MOVES; k++)
            e->chans.moves_due |= wanted_move(e, c, k) != e->chans.heard_move[c][k];
    }
    if (e->chans.moves_due && !capturing_play(e))
        changed |= take_moves(e);
    if (changed)
        for (int c = 0; c < e->chans.nch; c++)
            channel_apply(e, c);
}

/* ---- lookahead ----------------------------------------------------------- */

/* Rings for every stem and port, and room for engine_play_song_now to
 * render the lookahead ahead with all of them (after the scratch). */
static bool lookahead_init(Lookahead *la, uint32_t rate)
{
    if (limiter_init(&la->limiter, rate) != HISS_OK)
        return false;
    uint32_t n = limiter_latency(&la->limiter);
    /* Rings and the pre-roll's stems and ports: twice; the scratch and
     * the pre-roll's mix: 2 x n each. */
    size_t rings = (size_t)ENGINE_STEMS * 2 * n + (size_t)SONG_MAX_CHANNELS * n;
    la->mem = calloc(2 * rings + 4 * (size_t)n, sizeof(float));
    if (!la->mem)
        return false;
    la->frames = n;
    float *at = la->mem;
    la->scratch = at;
    at += 2 * (size_t)n;
    for (int c = 0; c < ENGINE_STEMS; c++, at += 2 * (size_t)n)
        la->stem_ring[c] = at;
    for (int c = 0; c < SONG_MAX_CHANNELS; c++, at += n)
        la->port_ring[c] = at;
    return true;
}

/* The pre-roll's buffers, after the rings: a mix, every stem, every port. */
static float *lookahead_preroll(Lookahead *la)
{
    return la->port_ring[SONG_MAX_CHANNELS - 1] + la->frames;
}

/* Takes the song's limiter switch at the start of a period. Turning it
 * on starts from silence (the output slips by the lookahead once). */
static void follow_limiter(Engine *e)
{
    bool on = atomic_load_explicit(&e->song->limiter, memory_order_relaxed);
    if (on == e->late.on)
        return;
    e->late.on = on;
    limiter_reset(&e->late.limiter);
    memset(e->late.stem_fed, 0, sizeof e->late.stem_fed);
    memset(e->late.port_fed, 0, sizeof e->late.port_fed);
}

/* x (count floats) comes out `ring_len` floats late: the ring holds what
 * is still to come out; scratch has room for ring_len. */
static void delay_in_place(float *x, size_t count, float *ring, size_t ring_len, float *scratch)
{
    if (count >= ring_len) {
        memcpy(scratch, x + count - ring_len, sizeof(float) * ring_len);
        memmove(x + ring_len, x, sizeof(float) * (count - ring_len));
        memcpy(x, ring, sizeof(float) * ring_len);
        memcpy(ring, scratch, sizeof(float) * ring_len);
    } else {
        memcpy(scratch, ring, sizeof(float) * count);
        memmove(ring, ring + count, sizeof(float) * (ring_len - count));
        memcpy(ring + ring_len - count, x, sizeof(float) * count);
        memcpy(x, scratch, sizeof(float) * count);
    }
}

/* While the limiter is on, the stems and ports asked for come out as late
 * as the master; a ring not fed last period holds silence. */
static void delay_outputs(Engine *e, float *const *ports, int port_count, float *const *stems,
                          int stem_count, uint32_t n)
{
    Lookahead *la = &e->late;
    /* Most periods have no stem or port to delay, and had none. */
    if (!stem_count && !port_count && !la->any_fed)
        return;
    la->any_fed = false;
    size_t len = la->frames;
    for (int c = 0; c < ENGINE_STEMS; c++) {
        bool asked = c < stem_count && stems[c];
        if (asked) {
            if (!la->stem_fed[c])
                memset(la->stem_ring[c], 0, sizeof(float) * 2 * len);
            delay_in_place(stems[c], 2 * (size_t)n, la->stem_ring[c], 2 * len, la->scratch);
        }
        la->stem_fed[c] = asked;
        la->any_fed |= asked;
    }
    for (int c = 0; c < SONG_MAX_CHANNELS; c++) {
        bool asked = c < port_count && ports[c];
        if (asked) {
            if (!la->port_fed[c])
                memset(la->port_ring[c], 0, sizeof(float) * len);
            delay_in_place(ports[c], n, la->port_ring[c], len, la->scratch);
        }
        la->port_fed[c] = asked;
        la->any_fed |= asked;
    }
}

/* ---- master ------------------------------------------------------------ */

static void peak_max(_Atomic uint32_t *peak, uint32_t value)
{
    uint32_t cur = atomic_load_explicit(peak, memory_order_relaxed);
    /* Only the UI's exchange to 0 competes, so a few tries suffice. */
    for (int i = 0; i < 4 && value > cur; i++)
        if (atomic_compare_exchange_weak_explicit(peak, &cur, value,
                                                  memory_order_relaxed,
                                                  memory_order_relaxed))
            break;
}

/* The master's per-sample passes, two frames an instruction (the same
 * results as one sample at a time: each lane does what the scalar code
 * does, and a peak or a count does not depend on the order it is taken). */
typedef float MasterV4 __attribute__((vector_size(16)));
typedef int32_t MasterI4 __attribute__((vector_size(16)));

static void master_scale(float *x, size_t count, float g)
{
    size_t i = 0;
    for (; i + 4 <= count; i += 4) {
        MasterV4 v;
        memcpy(&v, x + i, sizeof v);
        v *= g;
        memcpy(x + i, &v, sizeof v);
    }
    for (; i < count; i++)
        x[i] *= g;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define MASTER_AVX2 1

/* master_meter's passes eight frames at a time, for CPUs with AVX2: the
 * lanes hold l r l r..., folded into master_meter's four. */
__attribute__((target("avx2"))) static size_t
master_meter_avx2(const float *out, uint32_t nframes, MasterV4 *peak4, MasterI4 *clips4)
{
    const __m256 mag = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
    const __m256 one = _mm256_set1_ps(1.0f);
    __m256 peak[2] = {_mm256_setzero_ps(), _mm256_setzero_ps()};
    __m256i clips[2] = {_mm256_setzero_si256(), _mm256_setzero_si256()};
    size_t i = 0;
    for (; i + 8 <= nframes; i += 8)
        for (int h = 0; h < 2; h++) {
            __m256 a = _mm256_and_ps(_mm256_loadu_ps(out + 2 * i + 8 * h), mag);
            peak[h] = _mm256_max_ps(a, peak[h]);
            clips[h] = _mm256_sub_epi32(clips[h],
                                        _mm256_castps_si256(_mm256_cmp_ps(a, one, _CMP_GT_OQ)));
        }
    __m256 p = _mm256_max_ps(peak[0], peak[1]);
    __m256i c = _mm256_add_epi32(clips[0], clips[1]);
    __m128 p4 = _mm_max_ps(_mm256_castps256_ps128(p), _mm256_extractf128_ps(p, 1));
    __m128i c4 = _mm_add_epi32(_mm256_castsi256_si128(c), _mm256_extracti128_si256(c, 1));
    memcpy(peak4, &p4, sizeof *peak4);
    memcpy(clips4, &c4, sizeof *clips4);
    return i;
}
#endif

/* Each side's peak |sample| and the samples beyond full scale. */
static void master_meter(const float *out, uint32_t nframes, float peak[2], uint32_t *clips)
{
    MasterV4 peak4 = {0, 0, 0, 0};
    MasterI4 clips4 = {0, 0, 0, 0};
    size_t i = 0;
#ifdef MASTER_AVX2
    if (__builtin_cpu_supports("avx2"))
        i = master_meter_avx2(out, nframes, &peak4, &clips4);
#endif
    for (; i + 2 <= nframes; i += 2) {
        MasterV4 v;
        memcpy(&v, out + 2 * i, sizeof v);
        MasterV4 a = (MasterV4)((MasterI4)v & 0x7FFFFFFF); /* l r l r */
        peak4 = bus_max4(a, peak4);
        clips4 -= a > 1.0f;
    }
    float p0 = peak4[0] > peak4[2] ? peak4[0] : peak4[2];
    float p1 = peak4[1] > peak4[3] ? peak4[1] : peak4[3];
    uint32_t c = (uint32_t)(clips4[0] + clips4[1] + clips4[2] + clips4[3]);
    for (; i < nframes; i++) {
        float l = fabsf(out[2 * i]), r = fabsf(out[2 * i + 1]);
        p0 = l > p0 ? l : p0;
        p1 = r > p1 ? r : p1;
        c += (uint32_t)(l > 1.0f) + (uint32_t)(r > 1.0f);
    }
    peak[0] = p0;
    peak[1] = p1;
    *clips = c;
}

/* The master meter shows what is heard: the mix, or while any of the
 * reference is heard in its place, the output after it (refplay). */
static bool reference_heard(const Engine *e)
{
    return e->ref.sample && (e->ref.listen || e->ref.share > 0.0f);
}

static void publish_master_peak(Engine *e, const float peak[2])
{
    peak_max(&e->status.peak_left_milli, (uint32_t)lrintf(fminf(peak[0], 1000.0f) * 1000.0f));
    peak_max(&e->status.peak_right_milli, (uint32_t)lrintf(fminf(peak[1], 1000.0f) * 1000.0f));
}

static void master(Engine *e, float *out, uint32_t nframes)
{
    int tenth_db = hiss_clampi(atomic_load_explicit(
                                   &e->song->master_gain_tenth_db,
                                   memory_order_relaxed), -600, 120);
    bool limiter = e->late.on;
    SongEq eq;
    eq_read(&e->song->master_eq, &eq);
    eq_follow(&e->master_eq, &eq, e->rate);
    eq_process(&e->master_eq, out, nframes);
    if (tenth_db != e->master.tenth_db) {
        /* A gain change glides over the declick ramp instead of stepping. */
        e->master.tenth_db = tenth_db;
        e->master.target = powf(10.0f, (float)tenth_db / 200.0f);
        e->master.left = e->ramp;
        e->master.step = (e->master.target - e->master.gain) / (float)e->ramp;
    }
    uint32_t f = 0;
    for (; f < nframes && e->master.left; f++) {
        e->master.gain = --e->master.left ? e->master.gain + e->master.step : e->master.target;
        out[2 * f] *= e->master.gain;
        out[2 * f + 1] *= e->master.gain;
    }
    const float g = e->master.gain;
    if (g != 1.0f)
        master_scale(out + 2 * (size_t)f, 2 * (size_t)(nframes - f), g);
    int glue_set[SONG_GLUE_PARAMS];
    glue_read(e->song, glue_set);
    glue_process(&e->glue, glue_set, out, nframes);
    int drive = atomic_load_explicit(&e->song->tape[SONG_TAPE_DRIVE], memory_order_relaxed);
    glue_tape(&e->tape, hiss_clampi(drive, 0, 100), out, nframes);
    if (e->glue.most_db > 0.0f) {
        peak_max(&e->status.glue_centi_db,
                 (uint32_t)lrintf(fminf(e->glue.most_db, 100.0f) * 100.0f));
        e->glue.most_db = 0.0f;
    }
    /* Meter and count before the limiter, in branch-free passes; clip
     * only when something needs it. */
    float peak[2] = {0.0f, 0.0f};
    uint32_t clips = 0;
    master_meter(out, nframes, peak, &clips);
    float top = peak[0] > peak[1] ? peak[0] : peak[1];
    if (limiter) {
        int ceiling = hiss_clampi(atomic_load_explicit(&e->song->limiter_ceiling_tenth_db,
                                                       memory_order_relaxed),
                                  SONG_CEILING_MIN, 0);
        float least = 1.0f;
        uint32_t reduced = 0;
        limiter_process(&e->late.limiter, out, nframes, strip_gain_of_tenth_db(ceiling), &least,
                        &reduced);
        if (reduced) {
            float reduction_db = -20.0f * log10f(least);
            uint32_t centi = (uint32_t)lrintf(fminf(reduction_db, 1000.0f) * 100.0f);
            peak_max(&e->status.limit_max_centi_db, centi);
            atomic_fetch_add_explicit(&e->status.limit_frames, reduced, memory_order_relaxed);
        }
    } else if (top > 1.0f) {
        for (size_t i = 0; i < 2 * (size_t)nframes; i++)
            out[i] = out[i] > 1.0f ? 1.0f : out[i] < -1.0f ? -1.0f : out[i];
    }
    if (!reference_heard(e))
        publish_master_peak(e, peak);
    if (clips)
        atomic_fetch_add_explicit(&e->status.clip_count, clips,
                                  memory_order_relaxed);
}

/* ---- public ------------------------------------------------------------ */

/* Whether a channel of the song sends to a bus. */
static bool song_uses_sends(const Song *song)
{
    for (int c = 0; c < SONG_MAX_CHANNELS; c++)
        for (int k = 0; k < SONG_SENDS; k++)
            if (atomic_load_explicit(&song->strips[c].send_tenth_db[k], memory_order_relaxed) >
                SONG_GAIN_MIN)
                return true;
    return false;
}

void engine_prepare_instrument(const Instrument *inst)
{
    if (inst && inst->interp == INTERP_SINC)
        sinc_init();
}

static void prepare_song(const Song *song)
{
    for (int slot = 1; song && slot <= SONG_MAX_INSTRUMENTS; slot++)
        engine_prepare_instrument(song_instrument(song, slot));
}

Engine *engine_new(Song *song, uint32_t rate)
{
    if (!song || rate < 1000 || rate > 768000)
        return NULL;
    Engine *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->song = song;
    e->rate = rate;
    e->ramp = rate / 750 > 16 ? rate / 750 : 16; /* 64 frames at 48 kHz */
    e->release_ramp = rate / 100;               /* 10 ms note-off fade */
    e->seq.loop_song = true;
    e->seq.frames_left = UINT32_MAX;
    e->seq.bpm_tenths = hiss_clampi(atomic_load(&song->bpm_tenths), SONG_BPM_MIN, SONG_BPM_MAX);
    e->seq.speed = hiss_clampi(atomic_load(&song->speed), 1, 31);
    e->chans.nch = song_channels(e);
    e->seq.cue = -1;
    e->seq.loop_first = e->seq.loop_last = -1;
    memset(e->chans.hold_mute, -1, sizeof e->chans.hold_mute);
    memset(e->chans.hold_solo, -1, sizeof e->chans.hold_solo);
    for (int c = 0; c < SONG_MAX_CHANNELS; c++)
        e->chans.hold_until[c] = -1;
    atomic_init(&e->status.cue, -1);
    atomic_init(&e->status.cue_pattern, -1);
    atomic_init(&e->status.loop_first, -1);
    atomic_init(&e->status.loop_last, -1);
    e->master.tenth_db = hiss_clampi(atomic_load(&song->master_gain_tenth_db), -600, 120);
    e->master.gain = e->master.target = powf(10.0f, (float)e->master.tenth_db / 200.0f);
    for (int c = 0; c < SONG_MAX_CHANNELS; c++)
        channel_reset(&e->chans.ch[c]);
    for (int i = 0; i < PAST_NOTES; i++)
        e->chans.past[i].voice = -1;
    for (int c = 0; c < SONG_MAX_CHANNELS; c++)
        duck_init(&e->duck[c]);
    glue_init(&e->glue, rate);
    glue_tape_init(&e->tape, rate);
    for (int c = 0; c < SONG_MAX_CHANNELS; c++)
        glue_init(&e->comp[c], rate);
    for (int c = 0; c < SONG_MAX_CHANNELS; c++) {
        /* At rest: follow_strips takes the song's settings from there. */
        shape_defaults(e->insert_shape[c]);
        voicefx_insert_start(&e->insert[c], e->insert_shape[c], rate);
    }
    for (int c = 0; c < SONG_MAX_CHANNELS; c++)
        for (int k = 0; k < ENGINE_MOVES; k++)
            e->chans.heard_move[c][k] = MIX_NONE;
    clear_auto_moves(e);
    follow_strips(e);
    /* The faders start at their levels rather than gliding there. */
    for (int c = 0; c < SONG_MAX_CHANNELS; c++) {
        strip_fader_init(&e->chans.fader[c], e->chans.heard_gain[c]);
        e->buses.gain[c] = e->chans.heard_gain[c];
    }
    e->fader_moving = 0;
    memset(e->fader_filled, 0, sizeof e->fader_filled);
    /* The sends start at their levels rather than fading in. */
    for (int c = 0; c < SONG_MAX_CHANNELS; c++)
        for (int k = 0; k < SONG_SENDS; k++)
            e->sends.gain[c][k] = e->chans.strip[c].send[k];
    e->sends.to_reverb = strip_gain_of_tenth_db(e->sends.delay_set[SONG_DELAY_TO_REVERB]);
    for (int p = 0; p < ENGINE_PREVIEW_VOICES; p++)
        e->preview.slots[p].voice = -1;
    e->preview.audition.voice = -1;
    atomic_init(&e->status.audition_frame, UINT32_MAX);
    refplay_init(&e->ref, rate / 100); /* a 10 ms crossfade */
    atomic_init(&e->status.bpm_tenths, e->seq.bpm_tenths);
    atomic_init(&e->status.bpm_shown_tenths, e->seq.bpm_tenths);
    atomic_init(&e->status.speed, e->seq.speed);
    bool ok = ring_init(&e->commands, COMMAND_RING, sizeof(EngineCommand)) == HISS_OK &&
              ring_init(&e->returns, RETURN_RING, sizeof(EngineReturn)) == HISS_OK &&
              ring_init(&e->takes, TAKE_RING, sizeof(EngineTake)) == HISS_OK &&
              ring_init(&e->row_log, ROW_LOG_RING, sizeof(EngineRowLog)) == HISS_OK &&
              ring_init(&e->tap, ENGINE_TAP_BLOCKS, sizeof(EngineTapBlock)) == HISS_OK;
    for (int i = 0; i < ENGINE_MAX_VOICES; i++)
        mixer_voice_init(&e->pool.voices[i]);
    prepare_song(song);
    /* The send lines are most of an engine's memory: made here only for
     * a song that uses a send, else by engine_ready_sends when one does. */
    e->sends.lines = e->sends.offered = song_uses_sends(song);
    if (e->sends.lines)
        ok = ok && delay_init(&e->sends.delay, rate) == HISS_OK &&
             reverb_init(&e->sends.reverb, rate) == HISS_OK;
    ok = ok && lookahead_init(&e->late, rate);
    if (!ok) {
        engine_free(e);
        return NULL;
    }
    return e;
}

static void send_lines_free(SendLines *l)
{
    delay_deinit(&l->delay);
    reverb_deinit(&l->reverb);
    free(l);
}

static void free_returned(EngineReturnType type, void *ptr)
{
    if (type == ENGINE_RETURN_SEND_LINES)
        send_lines_free(ptr);
    else if (type == ENGINE_RETURN_PATTERN)
        song_pattern_free(ptr);
    else if (type == ENGINE_RETURN_INSTRUMENT)
        song_instrument_free(ptr);
    else if (type == ENGINE_RETURN_SAMPLE)
        sample_release(ptr);
    else
        song_free(ptr);
}

Song *engine_current_song(const Engine *e)
{
    return e->song;
}

void engine_free(Engine *e)
{
    if (!e)
        return;
    if (e->returns.slots)
        engine_collect_garbage(e);
    /* Objects sent but never taken by a period (the device failed, or
     * stopped first) became the engine's when they were sent. A song to
     * install stays its sender's, as engine_new's does. */
    EngineCommand cmd;
    while (e->commands.slots && next_command(e, &cmd)) {
        if (cmd.type == ENGINE_CMD_RETIRE_PATTERN)
            song_pattern_free(cmd.ptr);
        else if (cmd.type == ENGINE_CMD_RETIRE_INSTRUMENT ||
                 cmd.type == ENGINE_CMD_PREVIEW_SAMPLE)
            song_instrument_free(cmd.ptr);
        else if (cmd.type == ENGINE_CMD_SET_REFERENCE && cmd.ptr)
            sample_release(cmd.ptr);
        else if (cmd.type == ENGINE_CMD_SEND_LINES)
            send_lines_free(cmd.ptr);
    }
    if (e->ref.sample)
        sample_release((Sample *)e->ref.sample);
    for (int i = 0; i < e->grave_count; i++)
        free_returned(e->graveyard[i].type, e->graveyard[i].ptr);
    if (e->preview.inst)
        song_instrument_free(e->preview.inst);
    ring_deinit(&e->commands);
    ring_deinit(&e->returns);
    ring_deinit(&e->takes);
    ring_deinit(&e->row_log);
    ring_deinit(&e->tap);
    delay_deinit(&e->sends.delay);
    reverb_deinit(&e->sends.reverb);
    limiter_deinit(&e->late.limiter);
    free(e->late.mem);
    free(e);
}

bool engine_send(Engine *e, const EngineCommand *cmd)
{
    if (cmd->type == ENGINE_CMD_INSTALL_SONG)
        prepare_song(cmd->ptr);
    else if (cmd->type == ENGINE_CMD_PREVIEW_SAMPLE)
        engine_prepare_instrument(cmd->ptr);
    return ring_push(&e->commands, cmd);
}

bool engine_take_return(Engine *e, EngineReturn *ret)
{
    return ring_pop(&e->returns, ret);
}

bool engine_take_recorded(Engine *e, EngineTake *take)
{
    return ring_pop(&e->takes, take);
}

void engine_capture_rows(Engine *e, bool on)
{
    if (on)
        atomic_store(&e->status.rows_unlogged, false);
    atomic_store(&e->capturing, on);
}

bool engine_take_row(Engine *e, EngineRowLog *log)
{
    return ring_pop(&e->row_log, log);
}

static SendLines *send_lines_new(uint32_t rate)
{
    SendLines *l = calloc(1, sizeof *l);
    if (l && (delay_init(&l->delay, rate) != HISS_OK ||
              reverb_init(&l->reverb, rate) != HISS_OK)) {
        send_lines_free(l);
        l = NULL;
    }
    return l;
}

void engine_ready_sends(Engine *e, const Song *song)
{
    if (e->sends.offered || !song || !song_uses_sends(song))
        return;
    SendLines *lines = send_lines_new(e->rate);
    EngineCommand cmd = {.type = ENGINE_CMD_SEND_LINES, .ptr = lines};
    if (!lines)
        return; /* out of memory: the sends stay silent, and it tries again */
    if (!engine_send(e, &cmd)) {
        send_lines_free(lines);
        return;
    }
    e->sends.offered = true;
}

void engine_collect_garbage(Engine *e)
{
    EngineReturn r;
    while (engine_take_return(e, &r))
        free_returned(r.type, r.ptr);
}

const EngineStatus *engine_status(const Engine *e)
{
    return &e->status;
}

/* Where the audition's voice reads, in its sample's own frames (a voice
 * may read a band-limited level of fewer frames, or the reversed copy);
 * UINT32_MAX when it has ended. */
static uint32_t audition_frame(const Engine *e)
{
    const PreviewSlot *ps = &e->preview.audition;
    if (ps->voice < 0 || !e->preview.inst || !e->preview.inst->sample)
        return UINT32_MAX;
    const MixerVoice *v = &e->pool.voices[ps->voice];
    if (!v->active || v->serial != ps->voice_serial || !v->frames)
        return UINT32_MAX;
    uint64_t frames = e->preview.inst->sample->frames;
    uint64_t at = (v->pos >> 32) * frames / v->frames;
    if (at >= frames)
        at = frames - 1;
    return (uint32_t)(v->reverse != v->backward ? frames - 1 - at : at);
}

/* The channels whose held mute (solo) differs from their strip's. */
static void publish_pending(Engine *e)
{
    uint64_t mute = 0, solo = 0;
    for (int c = 0; c < e->chans.nch; c++) {
        const StripState *st = &e->chans.strip[c];
        mute |= (uint64_t)(heard_mute(e, c) != st->mute) << c;
        solo |= (uint64_t)(heard_solo(e, c) != st->solo) << c;
    }
    atomic_store_explicit(&e->status.mute_pending, mute, memory_order_relaxed);
    atomic_store_explicit(&e->status.solo_pending, solo, memory_order_relaxed);
}

static void publish_status(Engine *e, uint32_t nframes)
{
    int list[ENGINE_MAX_VOICES], voices = voice_list(&e->pool, list);
    publish_pending(e);
    atomic_store_explicit(&e->status.voices, voices, memory_order_relaxed);
    atomic_store_explicit(&e->status.audition_frame, audition_frame(e), memory_order_relaxed);
    atomic_store_explicit(&e->status.notes_held, e->chans.groove_waiting, memory_order_relaxed);
    atomic_store_explicit(&e->status.playing, e->seq.playing, memory_order_relaxed);
    atomic_store_explicit(&e->status.bpm_tenths, e->seq.bpm_tenths, memory_order_relaxed);
    atomic_store_explicit(&e->status.bpm_shown_tenths,
                          e->follow.on && e->follow.beat_frames > 0
                              ? song_tenths(e, 60.0 * e->rate / e->follow.beat_frames)
                              : e->seq.bpm_tenths,
                          memory_order_relaxed);
    atomic_store_explicit(&e->status.speed, e->seq.speed, memory_order_relaxed);
    atomic_store_explicit(&e->status.cue_pattern,
                          e->seq.playing && e->seq.cue_pattern ? e->seq.cue : -1,
                          memory_order_relaxed);
    atomic_store_explicit(&e->status.cue,
                          e->seq.playing && !e->seq.cue_pattern ? e->seq.cue : -1,
                          memory_order_relaxed);
    atomic_store_explicit(&e->status.loop_first, e->seq.loop_first, memory_order_relaxed);
    atomic_store_explicit(&e->status.loop_last, e->seq.loop_last, memory_order_relaxed);
    atomic_fetch_add_explicit(&e->status.frames_rendered, nframes,
                              memory_order_relaxed);
}

/* Adds src x a gain gliding from g0 to g1 over n frames into dst. */
static void add_gliding(float *dst, const float *src, uint32_t n, float g0, float g1)
{
    if (g0 == g1) {
        for (size_t i = 0; i < 2 * (size_t)n; i++)
            dst[i] += src[i] * g1;
        return;
    }
    float step = (g1 - g0) / (float)n;
    for (uint32_t f = 0; f < n; f++) {
        float g = g0 + step * (float)(f + 1);
        dst[2 * f] += src[2 * f] * g;
        dst[2 * f + 1] += src[2 * f + 1] * g;
    }
}

/* The delay's time in frames: its note value at the tempo playing now
 * (a tick is 2.5 / BPM seconds, a beat rows_per_beat rows of speed ticks),
 * or following a MIDI clock, at the clock's smoothed beat. */
static double delay_frames(const Engine *e)
{
    int rows_per_beat =
        hiss_clampi(atomic_load_explicit(&e->song->rows_per_beat, memory_order_relaxed), 1, 32);
    double beats = song_note_value_beats(e->sends.delay_set[SONG_DELAY_TIME]);
    if (e->follow.on)
        return beats * e->follow.beat_frames;
    return round(beats * rows_per_beat * e->seq.speed * 25.0 * e->rate / e->seq.bpm_tenths);
}

/* Channel c's bus times bus_gain into send k at the send's level (a
 * change glides over the chunk's n frames). */
static void feed_send(Engine *e, int c, int k, uint32_t n, float bus_gain)
{
    Sends *sn = &e->sends;
    float target = e->chans.strip[c].send[k];
    if (!e->buses.used[c] || (target <= 0.0f && sn->gain[c][k] <= 0.0f))
        return;
    if (!sn->fed[k])
        memset(sn->in[k], 0, sizeof(float) * 2 * n);
    sn->fed[k] = true;
    add_gliding(sn->in[k], e->buses.buf[c], n, sn->gain[c][k] * bus_gain, target * bus_gain);
}

/* The pre-fader sends of a chunk: each bus as its inserts and ducker
 * leave it, before apply_faders. */
static void feed_pre_fader_sends(Engine *e, uint32_t n)
{
    Sends *sn = &e->sends;
    if (!sn->lines)
        return;
    for (int k = 0; k < SONG_SENDS; k++)
        sn->fed[k] = false;
    for (uint64_t m = e->buses.used_mask; m; m &= m - 1) {
        int c = bus_lowest(m);
        for (int k = 0; k < SONG_SENDS; k++)
            if (e->chans.strip[c].send_pre[k])
                feed_send(e, c, k, n, 1.0f);
    }
}

/* The channels' faders for a chunk of n frames from frame `done` of the
 * period, on their buses and ports: a moving one frame by frame, in
 * place, its bus's gain 1 for the chunk; a still one is the bus's gain,
 * applied by bus_sum and the post-fader sends (so a fader at rest costs
 * no pass of its own). settle_faders ends the chunk. */
static void apply_faders(Engine *e, float *const *channel_out, int channel_out_count,
                         uint32_t done, uint32_t n)
{
    for (uint64_t m = e->fader_moving; m; m &= m - 1) {
        int c = bus_lowest(m);
        float *g = e->fader_gain[c];
        strip_fader_run(&e->chans.fader[c], g + e->fader_filled[c], n - e->fader_filled[c]);
        e->fader_filled[c] = 0;
        e->buses.gain[c] = 1.0f;
        if (!e->buses.used[c])
            continue;
        float *x = e->buses.buf[c];
        for (uint32_t f = 0; f < n; f++) {
            x[2 * f] *= g[f];
            x[2 * f + 1] *= g[f];
        }
        if (c < channel_out_count && channel_out[c])
            for (uint32_t f = 0; f < n; f++)
                channel_out[c][done + f] *= g[f];
    }
    for (int c = 0; c < channel_out_count; c++) {
        const float g = e->buses.gain[c];
        if (channel_out[c] && e->buses.used[c] && g != 1.0f)
            for (uint32_t f = 0; f < n; f++)
                channel_out[c][done + f] *= g;
    }
}

/* After a chunk: a fader that has come to rest is its bus's gain again. */
static void settle_faders(Engine *e)
{
    for (uint64_t m = e->fader_moving; m; m &= m - 1) {
        int c = bus_lowest(m);
        if (!e->chans.fader[c].left) {
            e->fader_moving &= ~((uint64_t)1 << c);
            e->buses.gain[c] = e->chans.fader[c].gain;
        }
    }
}

/* After a chunk, each send's gain is its strip's level: the next glides
 * from there. The strips' sends change between periods only. */
static void take_send_gains(Engine *e)
{
    Sends *sn = &e->sends;
    for (uint64_t m = sn->gains_due; m; m &= m - 1) {
        int c = bus_lowest(m);
        for (int k = 0; k < SONG_SENDS; k++)
            sn->gain[c][k] = e->chans.strip[c].send[k];
    }
    sn->gains_due = 0;
}

/* The send buses for one chunk: each channel's bus after its fader into
 * its post-fader sends (the pre-fader ones are fed already), the delay's
 * return into B, and both returns into the mix and their stems. */
static void run_sends(Engine *e, float *mix, uint32_t n, float *const *stems, int stem_count,
                      uint32_t offset)
{
    Sends *sn = &e->sends;
    bool *fed = sn->fed;
    if (!sn->lines) {
        /* No send in use when the engine was made, and none since. */
        for (int k = 0; k < SONG_SENDS; k++) {
            int stem = ENGINE_STEM_DELAY + k;
            if (stem < stem_count && stems[stem])
                memset(stems[stem] + 2 * (size_t)offset, 0, sizeof(float) * 2 * n);
        }
        take_send_gains(e);
        return;
    }
    /* (Only a bus used in the chunk feeds a send.) */
    for (uint64_t m = e->buses.used_mask; m; m &= m - 1) {
        int c = bus_lowest(m);
        for (int k = 0; k < SONG_SENDS; k++)
            if (!e->chans.strip[c].send_pre[k])
                feed_send(e, c, k, n, e->buses.gain[c]);
    }
    take_send_gains(e);
    bool sounds[SONG_SENDS];
    sounds[SONG_SEND_DELAY] =
        delay_process(&sn->delay, sn->delay_set, delay_frames(e),
                      e->follow.on ? FOLLOW_GLIDE_SECONDS * e->rate : 0.0,
                      fed[SONG_SEND_DELAY] ? sn->in[SONG_SEND_DELAY] : NULL,
                      sn->out[SONG_SEND_DELAY], n);
    float to_reverb = strip_gain_of_tenth_db(sn->delay_set[SONG_DELAY_TO_REVERB]);
    if (sounds[SONG_SEND_DELAY] && (to_reverb > 0.0f || sn->to_reverb > 0.0f)) {
        if (!fed[SONG_SEND_REVERB])
            memset(sn->in[SONG_SEND_REVERB], 0, sizeof(float) * 2 * n);
        fed[SONG_SEND_REVERB] = true;
        add_gliding(sn->in[SONG_SEND_REVERB], sn->out[SONG_SEND_DELAY], n, sn->to_reverb,
                    to_reverb);
    }
    sn->to_reverb = to_reverb;
    sounds[SONG_SEND_REVERB] =
        reverb_process(&sn->reverb, sn->reverb_set,
                       fed[SONG_SEND_REVERB] ? sn->in[SONG_SEND_REVERB] : NULL,
                       sn->out[SONG_SEND_REVERB], n);
    for (int k = 0; k < SONG_SENDS; k++) {
        int stem = ENGINE_STEM_DELAY + k;
        float *stem_out = stem < stem_count && stems[stem] ? stems[stem] + 2 * (size_t)offset
                                                             : NULL;
        if (!sounds[k]) {
            if (stem_out)
                memset(stem_out, 0, sizeof(float) * 2 * n);
            continue;
        }
        const float *ret = sn->out[k];
        float peak = sn->peak[k];
        for (size_t i = 0; i < 2 * (size_t)n; i++) {
            mix[i] += ret[i];
            float a = fabsf(ret[i]);
            peak = a > peak ? a : peak;
        }
        sn->peak[k] = peak;
        if (stem_out)
            memcpy(stem_out, ret, sizeof(float) * 2 * n);
    }
}

/* The channels' compressors for a chunk: every gain from its detector's
 * bus (its own, or the key channel's: a sidechain) first, then applied. */
static void compress_channels(Engine *e, uint32_t n)
{
    /* Channel loops walk the bits of a mask: most channels of most songs
     * have no compressor, and many no bus in a chunk. */
    e->comp_unpublished |= e->glue_mask;
    for (uint64_t m = e->glue_mask; m; m &= m - 1) {
        int c = bus_lowest(m);
        int key = e->comp_set[c][SONG_COMP_KEY];
        int k = key ? key - 1 : c;
        glue_gains(&e->comp[c], e->comp_set[c], e->buses.used[k] ? e->buses.buf[k] : NULL,
                   e->comp_gain[c], n);
    }
    for (uint64_t m = e->glue_mask & e->buses.used_mask; m; m &= m - 1) {
        int c = bus_lowest(m);
        float *x = e->buses.buf[c];
        for (uint32_t f = 0; f < n; f++) {
            x[2 * f] *= e->comp_gain[c][f];
            x[2 * f + 1] *= e->comp_gain[c][f];
        }
    }
}

static bool voice_on_channel(const MixerVoice *v)
{
    return v->channel >= 0 && v->channel < SONG_MAX_CHANNELS;
}

/* Where a voice's frames from `pos` of the chunk go: its channel's bus
 * (and port, *port, when the channel has one), else the mix. */
static float *voice_dest(Engine *e, const MixerVoice *v, float *out, float *const *channel_out,
                         int channel_out_count, uint32_t done, uint32_t pos, uint32_t chunk,
                         float **port)
{
    bool channel = voice_on_channel(v);
    *port = channel && v->channel < channel_out_count && channel_out[v->channel]
                ? channel_out[v->channel] + done + pos
                : NULL;
    return channel ? bus_channel(&e->buses, v->channel, chunk) + 2 * (size_t)pos
                   : out + 2 * (size_t)(done + pos);
}

/* Of the voices after list[k], the one to render beside it
 * (voicefx_render_two) moved to k + 1 when it is not there: the first
 * shaped voice whose filter goes side by side with list[k]'s
 * (voicefx_filters_pair), of another channel than list[k]'s and than
 * every voice it moves past. The voices it moves past keep their order,
 * so each channel's voices are added into its bus in the same order:
 * the same sums. Else the list stays as it is. */
static void voice_partner_first(Engine *e, int *list, int count, int k)
{
    const MixerVoice *v = &e->pool.voices[list[k]];
    /* (a filter that goes beside none, not even its own kind: none) */
    if (!voice_on_channel(v) ||
        !voicefx_filters_pair(&e->pool.shaping[list[k]], &e->pool.shaping[list[k]]))
        return;
    for (int p = k + 1; p < count; p++) {
        const MixerVoice *w = &e->pool.voices[list[p]];
        if (!voice_on_channel(w) || w->channel == v->channel || !e->pool.shaping[list[p]].on ||
            !voicefx_filters_pair(&e->pool.shaping[list[k]], &e->pool.shaping[list[p]]))
            continue;
        for (int q = k + 1; q < p; q++)
            if (e->pool.voices[list[q]].channel == w->channel)
                return;
        int moved = list[p];
        memmove(list + k + 2, list + k + 1, sizeof(int) * (size_t)(p - k - 1));
        list[k + 1] = moved;
        return;
    }
}

/* A straight chunk's most frames: its voices are rendered a run at a
 * time, which a tick ends (about 20 ms), not BUS_FRAMES. */
enum { STRAIGHT_FRAMES = 4096 };

/* Whether this period's chunks may add their voices straight into the
 * mix (render_straight): nothing reads a channel's bus but the sum. No
 * meter, stem, port, send, EQ, insert, compressor or ducker. */
static bool buses_skippable(const Engine *e, int channel_out_count, int stem_count)
{
    if (!e->buses.unmetered || channel_out_count || stem_count || e->sends.lines ||
        e->glue_mask || e->duck_mask)
        return false;
    for (int c = 0; c < SONG_MAX_CHANNELS; c++)
        if (e->channel_eq_on[c] || e->insert_on[c] || e->duck_from[c] || e->duck_inst[c])
            return false;
    return true;
}

/* Whether a run's voices may add straight into the mix: none shaped,
 * each on a channel. */
static bool voices_straight(const Engine *e, const int *list, int count)
{
    for (int k = 0; k < count; k++)
        if (e->pool.shaping[list[k]].on || !voice_on_channel(&e->pool.voices[list[k]]))
            return false;
    return true;
}

/* The frames a channel's several voices share a bus of their own at a
 * time, between looks at whether all but one have ended: a cut note's
 * fade (the engine's ramp) at 48 kHz. */
enum { SHARED_FRAMES = 64 };

/* A run's voices (voices_straight) added straight into the mix, a
 * channel at a time in channel order: the sums bus_sum makes of the
 * buses, without them. A channel's bus would hold 0 plus its lone
 * voice's frames, exactly those frames (mixer.h: a voice adds each
 * product rounded on its own), so a lone voice at a fader of 0 dB adds
 * into the mix itself; while a channel has several, or its fader is
 * another, they add into a bus of their own first, in the list's order,
 * which then adds in at the fader's gain. No fader moves here (those
 * runs go through the buses, apply_faders). */
static void render_straight(Engine *e, const int *list, int count, float *mix, uint32_t n)
{
    MixerVoice *voices = e->pool.voices;
    /* Each channel's voices, chained in the list's order: first[c], then
     * after[k] from list[k] on, -1 at the end. */
    int first[SONG_MAX_CHANNELS], last[SONG_MAX_CHANNELS], after[ENGINE_MAX_VOICES];
    uint64_t sounding = 0;
    for (int k = 0; k < count; k++) {
        int c = voices[list[k]].channel;
        uint64_t bit = (uint64_t)1 << c;
        if (sounding & bit)
            after[last[c]] = k;
        else
            first[c] = k;
        sounding |= bit;
        last[c] = k;
        after[k] = -1;
    }
    float own[2 * BUS_FRAMES];
    for (uint64_t m = sounding; m; m &= m - 1) {
        int c = bus_lowest(m), k = first[c];
        const float gain = e->buses.gain[c];
        for (uint32_t at = 0; at < n;) {
            int active = 0, lone = -1;
            for (int v = k; v >= 0; v = after[v])
                if (voices[list[v]].active) {
                    active++;
                    lone = v;
                }
            if (active == 0)
                break;
            if (active == 1 && gain == 1.0f) {
                mixer_voice_render(&voices[list[lone]], mix + 2 * (size_t)at, NULL, n - at);
                break;
            }
            /* A lone voice at another fader: its products scaled by the
             * fader's gain as they are added, bus_add's sums without the
             * bus (mixer.h; sinc's readers take no such gain). */
            if (active == 1 && voices[list[lone]].interp != INTERP_SINC) {
                mixer_voice_render_scaled(&voices[list[lone]], mix + 2 * (size_t)at, n - at,
                                          gain);
                break;
            }
            uint32_t most = active == 1 ? BUS_FRAMES : SHARED_FRAMES;
            uint32_t piece = n - at < most ? n - at : most;
            memset(own, 0, sizeof(float) * 2 * piece);
            if (active == 1)
                mixer_voice_render(&voices[list[lone]], own, NULL, piece);
            else
                for (int v = k; v >= 0; v = after[v])
                    mixer_voice_render(&voices[list[v]], own, NULL, piece);
            bus_add(mix + 2 * (size_t)at, own, 2 * (size_t)piece, gain);
            at += piece;
        }
    }
}

/* One chunk from frame `done` of the period: the sequencer and the
 * voices, each channel's voices into its bus, then the buses into the
 * mix. A chunk of at most BUS_FRAMES, or, `straight` (buses_skippable),
 * of up to STRAIGHT_FRAMES: its runs' voices add straight into the mix
 * as the buses would sum (render_straight), and a run that cannot is
 * cut to BUS_FRAMES and goes through the buses as a chunk of its own. */
static void render_chunk(Engine *e, float *out, float *const *channel_out,
                         int channel_out_count, float *const *stems, int stem_count,
                         uint32_t done, uint32_t chunk, bool straight)
{
    bus_begin(&e->buses);
    e->chunk_done = done;
    for (uint32_t pos = 0; pos < chunk;) {
        e->chunk_pos = pos;
        /* Straight, each run through the buses is a chunk of its own. */
        e->fader_pos = straight ? 0 : pos;
        e->render_at = done + pos;
        /* Held notes first: one due as the next row starts belongs to the
         * row before. */
        if (e->chans.groove_waiting)
            groove_due(e);
        if (e->seq.frames_left == 0)
            sequencer_step(e);
        /* A live note on a row's first frame comes after the row's own
         * notes, so it is of that row and is not cut by them. */
        uint32_t run = chunk - pos, next_live = play_live_due(e, done + pos);
        if (run > e->seq.frames_left)
            run = e->seq.frames_left;
        if (run > next_live)
            run = next_live;
        if (e->chans.groove_waiting && run > groove_next(e))
            run = groove_next(e);
        if (!e->seq.playing) {
            stopped_ticks(e, 0);
            uint32_t next = stopped_ticks_next(e);
            if (run > next)
                run = next;
        }
        int list[ENGINE_MAX_VOICES], count = voice_list(&e->pool, list);
        /* (A moving fader goes frame by frame on its bus, apply_faders.) */
        bool through_buses = !straight || e->fader_moving || !voices_straight(e, list, count);
        if (straight && through_buses && run > BUS_FRAMES)
            run = BUS_FRAMES;
        clock_out_run(&e->clock, done + pos + engine_latency(e), run, e->seq.bpm_tenths,
                      row_ticks(e),
                      atomic_load_explicit(&e->song->rows_per_beat, memory_order_relaxed),
                      e->rate);
        /* Where the buses' chunk starts in the period, the run in it, and
         * its length. */
        uint32_t bus_done = straight ? done + pos : done, bus_pos = straight ? 0 : pos,
                 bus_chunk = straight ? run : chunk;
        if (!through_buses)
            render_straight(e, list, count, out + 2 * (size_t)(done + pos), run);
        for (int k = 0; k < count && through_buses; k++) {
            int i = list[k];
            MixerVoice *v = &e->pool.voices[i];
            float *port, *dest = voice_dest(e, v, out, channel_out, channel_out_count, bus_done,
                                            bus_pos, bus_chunk, &port);
            if (!e->pool.shaping[i].on) {
                mixer_voice_render(v, dest, port, run);
                continue;
            }
            /* A shaped voice and another, shaped too, of another channel
             * go together (their filters side by side): nothing comes
             * between them, and each adds into buffers of its own. */
            voice_partner_first(e, list, count, k);
            int j = k + 1 < count ? list[k + 1] : -1;
            MixerVoice *w = j >= 0 ? &e->pool.voices[j] : NULL;
            if (w && e->pool.shaping[j].on && voice_on_channel(v) && voice_on_channel(w) &&
                w->channel != v->channel) {
                float *port_w, *dest_w = voice_dest(e, w, out, channel_out, channel_out_count,
                                                    bus_done, bus_pos, bus_chunk, &port_w);
                voicefx_render_two(&e->pool.shaping[i], v, dest, port, &e->pool.shaping[j], w,
                                   dest_w, port_w, run);
                k++; /* w is rendered */
            } else {
                voicefx_render(&e->pool.shaping[i], v, dest, port, run);
            }
        }
        if (straight && through_buses) {
            apply_faders(e, NULL, 0, 0, run);
            bus_sum(&e->buses, out + 2 * (size_t)bus_done, run, NULL, 0, 0);
            settle_faders(e);
            bus_begin(&e->buses);
        }
        if (e->seq.frames_left != UINT32_MAX)
            e->seq.frames_left -= run;
        if (!e->seq.playing)
            stopped_ticks(e, run);
        if (e->chans.groove_waiting)
            groove_pass(e, run);
        e->seq.row_elapsed += run;
        pos += run;
    }
    for (uint64_t m = e->buses.used_mask; m; m &= m - 1) {
        int c = bus_lowest(m);
        if (e->channel_eq_on[c])
            eq_process(&e->channel_eq[c], e->buses.buf[c], chunk);
        if (e->insert_on[c])
            voicefx_insert_run(&e->insert[c], e->buses.buf[c], chunk);
    }
    compress_channels(e, chunk);
    e->duck_unpublished |= e->duck_mask;
    for (uint64_t m = e->duck_mask; m; m &= m - 1) {
        int c = bus_lowest(m);
        if (duck_busy(&e->duck[c]))
            duck_process(&e->duck[c], &e->duck_set[c], e->rate,
                         e->buses.used[c] ? e->buses.buf[c] : NULL, chunk);
        if (!duck_busy(&e->duck[c]))
            e->duck_mask &= ~((uint64_t)1 << c);
    }
    /* A live note before the next chunk lands on its start. */
    e->chunk_pos = e->fader_pos = 0;
    /* (Straight, the runs through the buses took their faders.) */
    if (!straight) {
        feed_pre_fader_sends(e, chunk);
        apply_faders(e, channel_out, channel_out_count, done, chunk);
    }
    bus_sum(&e->buses, out + 2 * (size_t)done, chunk, stems,
            stem_count < SONG_MAX_CHANNELS ? stem_count : SONG_MAX_CHANNELS, done);
    run_sends(e, out + 2 * (size_t)done, chunk, stems, stem_count, done);
    if (!straight)
        settle_faders(e);
}

/* Copies what went out into the tap's blocks; a full block goes on the
 * ring, or is dropped (and counted) when the reader is behind. */
static void tap_output(Engine *e, const float *out, uint32_t n)
{
    EngineTapBlock *b = &e->tap_fill;
    while (n) {
        uint32_t room = ENGINE_TAP_FRAMES - b->frames, take = n < room ? n : room;
        memcpy(b->data + 2 * (size_t)b->frames, out, sizeof(float) * 2 * take);
        b->frames += take;
        out += 2 * (size_t)take;
        n -= take;
        if (b->frames == ENGINE_TAP_FRAMES) {
            if (!ring_push(&e->tap, b))
                atomic_fetch_add_explicit(&e->status.tap_dropped, 1, memory_order_relaxed);
            b->frames = 0;
        }
    }
}

bool engine_take_tap(Engine *e, EngineTapBlock *block)
{
    return ring_pop(&e->tap, block);
}

/* Hands a bus's peak to its meter (x1000) and starts the next. */
static void publish_peak(_Atomic uint32_t *meter, float *peak)
{
    if (*peak > 0.0f) {
        peak_max(meter, (uint32_t)lrintf(fminf(*peak, 1000.0f) * 1000.0f));
        *peak = 0.0f;
    }
}

#define RMS_SECONDS 0.3

/* The loudest sample of each channel's bus and each send's return since
 * the UI last looked, and each bus's RMS over about RMS_SECONDS (the
 * period's mean square into a moving average as long as that). */
static void publish_channel_peaks(Engine *e, uint32_t nframes)
{
    float alpha = 1.0f - expf(-(float)nframes / (float)(RMS_SECONDS * e->rate));
    /* A channel neither measured this period nor still decaying has
     * nothing to publish: its energy, peak and mean square are all 0. */
    uint64_t measured = e->buses.measured;
    e->buses.measured = nframes ? 0 : measured; /* (no period: energies kept) */
    for (uint64_t m = nframes ? measured | e->rms_decaying : 0; m; m &= m - 1) {
        int c = bus_lowest(m);
        float ms = (float)(e->buses.energy[c] / (2.0 * nframes));
        e->buses.energy[c] = 0.0;
        float prev = e->mean_square[c];
        if (ms == 0.0f && prev == 0.0f)
            continue;
        prev += alpha * (ms - prev);
        if (prev < 1e-12f)
            prev = 0.0f;
        e->mean_square[c] = prev;
        uint64_t bit = (uint64_t)1 << c;
        e->rms_decaying = prev != 0.0f ? e->rms_decaying | bit : e->rms_decaying & ~bit;
        atomic_store_explicit(&e->status.channel_rms_milli[c],
                              (uint32_t)lrintf(fminf(sqrtf(prev), 1000.0f) * 1000.0f),
                              memory_order_relaxed);
    }
    for (uint64_t m = measured; m; m &= m - 1) {
        int c = bus_lowest(m);
        publish_peak(&e->status.channel_peak_milli[c], &e->buses.peak[c]);
    }
    for (int k = 0; k < SONG_SENDS; k++)
        publish_peak(&e->status.send_peak_milli[k], &e->sends.peak[k]);
    for (uint64_t m = e->comp_unpublished; m; m &= m - 1) {
        int c = bus_lowest(m);
        Glue *g = &e->comp[c];
        if (g->most_db > 0.0f) {
            peak_max(&e->status.comp_centi_db[c],
                     (uint32_t)lrintf(fminf(g->most_db, 100.0f) * 100.0f));
            g->most_db = 0.0f;
        }
    }
    e->comp_unpublished = 0;
    for (uint64_t m = e->duck_unpublished; m; m &= m - 1) {
        int c = bus_lowest(m);
        Ducker *d = &e->duck[c];
        if (d->least < 1.0f) {
            float db = d->least > 0.0f ? -20.0f * log10f(d->least) : 100.0f;
            peak_max(&e->status.duck_centi_db[c], (uint32_t)lrintf(fminf(db, 100.0f) * 100.0f));
            d->least = 1.0f;
        }
    }
    e->duck_unpublished = 0;
}

static void render_stems(Engine *e, float *out, float *const *channel_out,
                         int channel_out_count, float *const *stems, int stem_count,
                         uint32_t nframes)
{
    clock_out_begin(&e->clock, e->last_nframes);
    e->render_at = 0;
    drain_commands(e);
    follow_strips(e);
    follow_limiter(e);
    if (!channel_out)
        channel_out_count = 0;
    if (!stems)
        stem_count = 0;
    for (int c = 0; c < channel_out_count; c++)
        if (channel_out[c])
            memset(channel_out[c], 0, sizeof(float) * nframes);
    bool straight = buses_skippable(e, channel_out_count, stem_count);
    uint32_t most = straight ? STRAIGHT_FRAMES : BUS_FRAMES;
    for (uint32_t done = 0; done < nframes;) {
        uint32_t chunk = nframes - done < most ? nframes - done : most;
        /* Cleared a chunk at a time, while it is about to be used. */
        memset(out + 2 * (size_t)done, 0, sizeof(float) * 2 * chunk);
        render_chunk(e, out, channel_out, channel_out_count, stems, stem_count, done, chunk,
                     straight);
        done += chunk;
    }
    publish_channel_peaks(e, nframes);
    if (e->late.on)
        delay_outputs(e, channel_out, channel_out_count, stems, stem_count, nframes);
    master(e, out, nframes);
    /* (as master() saw it: a fade back to the mix that ends in this
     * period is still heard in it) */
    bool heard = reference_heard(e);
    refplay_process(&e->ref, out, nframes, e->seq.playing);
    atomic_store_explicit(&e->status.reference_ended, heard && refplay_past_end(&e->ref),
                          memory_order_relaxed);
    if (heard) {
        /* (the mix's clips were counted in master(): the CLIP light is
         * the mix's) */
        float peak[2] = {0.0f, 0.0f};
        uint32_t clips = 0;
        master_meter(out, nframes, peak, &clips);
        publish_master_peak(e, peak);
    }
    tap_output(e, out, nframes);
    if (e->preview.inst && !grave_in_use(e, &(Grave){ENGINE_RETURN_INSTRUMENT,
                                                     e->preview.inst})) {
        EngineReturn r = {ENGINE_RETURN_INSTRUMENT, e->preview.inst};
        if (ring_push(&e->returns, &r))
            e->preview.inst = NULL;
    }
    carry_live(e, nframes);
    clock_out_end(&e->clock, nframes);
    if (e->follow.on && (e->follow.quiet += nframes) > e->rate)
        e->follow.on = false; /* the clock went away: the song's tempo */
    e->last_nframes = nframes;
    grave_sweep(e);
    publish_status(e, nframes);
}

void engine_render_stems(Engine *e, float *out, float *const *channel_out,
                         int channel_out_count, float *const *stems, int stem_count,
                         uint32_t nframes)
{
    /* No state may decay into denormals (fpmode.h), whichever thread
     * renders: the audio server's callback, ALSA's, a render's, a
     * measure's. */
    FpMode was = fpmode_flush_begin();
    render_stems(e, out, channel_out, channel_out_count, stems, stem_count, nframes);
    fpmode_restore(was);
}

void engine_render_channels(Engine *e, float *out, float *const *channel_out,
                            int channel_out_count, uint32_t nframes)
{
    engine_render_stems(e, out, channel_out, channel_out_count, NULL, 0, nframes);
}

void engine_render(Engine *e, float *out, uint32_t nframes)
{
    engine_render_channels(e, out, NULL, 0, nframes);
}

/* Runs the rest of `from`'s queue. When the graveyard fills up, the voices
 * holding its objects end (no thread renders them any more) and it is
 * emptied: those objects are in no song, so nothing else can use them. */
static void drain_all_commands(Engine *e)
{
    EngineCommand cmd;
    while (next_command(e, &cmd)) {
        if (cmd.type == ENGINE_CMD_PREVIEW_NOTE)
            continue;
        if (execute(e, &cmd))
            continue;
        for (int g = 0; g < e->grave_count; g++) {
            const void *dead = e->graveyard[g].ptr;
            for (int i = 0; i < ENGINE_MAX_VOICES; i++)
                if (e->pool.voices[i].inst == dead || e->pool.voices[i].owner == dead)
                    mixer_voice_kill(&e->pool.voices[i]);
            free_returned(e->graveyard[g].type, e->graveyard[g].ptr);
        }
        e->grave_count = 0;
        execute(e, &cmd);
    }
}

/* Whether voice v of `from` may sound on in `to`: a channel voice of the
 * song `to` plays, whose slot holds its instrument. Voices of retired
 * instruments and previews end with `from`. */
static bool voice_carries(const Engine *to, const MixerVoice *v)
{
    if (!v->active || v->channel < 0 || v->owner != to->song || !v->slot)
        return false;
    return song_instrument(to->song, v->slot) == v->inst;
}

void engine_hand_over(Engine *from, Engine *to)
{
    drain_all_commands(from);
    if (from->song != to->song) {
        /* The newer song is still on its way to `to` (ENGINE_CMD_INSTALL_SONG
         * is a no-op there); the one `from` played is nobody else's. */
        for (int i = 0; i < ENGINE_MAX_VOICES; i++)
            if (from->pool.voices[i].owner == from->song)
                mixer_voice_kill(&from->pool.voices[i]);
        if (!grave_add(from, ENGINE_RETURN_SONG, from->song))
            song_free(from->song);
        from->song = to->song;
    }
    double scale = (double)to->rate / from->rate;
    for (int i = 0; i < ENGINE_MAX_VOICES; i++) {
        MixerVoice *v = &to->pool.voices[i];
        if (!voice_carries(to, &from->pool.voices[i])) {
            mixer_voice_kill(v);
            continue;
        }
        mixer_voice_carry(v, &from->pool.voices[i], scale);
        voice_mark_busy(&to->pool, i);
        voicefx_carry(&to->pool.shaping[i], &from->pool.shaping[i], scale);
        to->pool.points[i] = from->pool.points[i];
        to->pool.alone_pitch[i] = from->pool.alone_pitch[i];
        to->pool.alone_pan[i] = from->pool.alone_pan[i];
        to->pool.alone_vol[i] = from->pool.alone_vol[i];
        to->pool.tick_left[i] = (uint32_t)llround(from->pool.tick_left[i] * scale);
    }
    to->pool.serial = from->pool.serial;
    to->chans = from->chans;
    /* A fader still gliding lands on its target: the ramp counts frames. */
    for (int c = 0; c < SONG_MAX_CHANNELS; c++) {
        strip_fader_init(&to->chans.fader[c], to->chans.fader[c].target);
        to->buses.gain[c] = to->chans.fader[c].gain;
    }
    /* That and the inserts below were made from `from`'s reading of the
     * strips: every strip is read again. */
    to->strips_seen = 0;

    /* The sequencer goes on from the same tick; what counts frames is
     * rescaled to the new rate. */
    to->seq = from->seq;
    if (scale != 1.0) {
        to->seq.tick_rem = 0;
        double left = llround(from->seq.frames_left * scale);
        to->seq.frames_left = from->seq.frames_left == UINT32_MAX ? UINT32_MAX
                              : left >= 1.0 ? (uint32_t)left : 1u;
        to->seq.swing_debt = (uint32_t)llround(from->seq.swing_debt * scale);
        for (int c = 0; c < SONG_MAX_CHANNELS; c++)
            if (to->chans.groove_left[c]) /* 1 is due now, and stays so */
                to->chans.groove_left[c] =
                    1u + (uint32_t)llround((from->chans.groove_left[c] - 1u) * scale);
    }
    /* MIDI clock out goes on without a new start: its phase is a share
     * of a pulse, which clock_out_run rescales to the new rate. Messages
     * not yet written are dropped. */
    to->clock.running = from->clock.running;
    to->clock.pulses = from->clock.pulses;
    to->clock.phase = from->clock.phase;
    to->clock.per = from->clock.per;
    /* A capture goes on, with the rows the editor has not taken yet. */
    atomic_store(&to->capturing, atomic_load(&from->capturing));
    bool lost = atomic_load(&from->status.rows_unlogged);
    EngineRowLog row;
    while (ring_pop(&from->row_log, &row))
        lost |= !ring_push(&to->row_log, &row);
    atomic_store(&to->status.rows_unlogged, lost);
    to->follow = from->follow;
    to->follow.beat_frames *= scale;
    /* At the same rate the send buses' tails and the limiter's lookahead
     * go on as they were; at another they start from silence. */
    if (scale == 1.0) {
        Sends *ts = &to->sends;
        const Sends *fs = &from->sends;
        if (fs->lines && !ts->lines) {
            SendLines *lines = send_lines_new(to->rate);
            if (lines) {
                ts->delay = lines->delay;
                ts->reverb = lines->reverb;
                ts->lines = ts->offered = true;
                free(lines);
            }
        }
        if (fs->lines && ts->lines) {
            delay_carry(&ts->delay, &fs->delay);
            reverb_carry(&ts->reverb, &fs->reverb);
        }
        memcpy(ts->gain, fs->gain, sizeof ts->gain);
        ts->to_reverb = fs->to_reverb;
        limiter_carry(&to->late.limiter, &from->late.limiter);
        memcpy(to->duck, from->duck, sizeof to->duck);
        to->duck_mask = from->duck_mask;
        to->duck_unpublished = from->duck_unpublished;
        to->glue = from->glue;
        to->tape = from->tape;
        memcpy(to->channel_eq, from->channel_eq, sizeof to->channel_eq);
        memcpy(to->comp, from->comp, sizeof to->comp);
        to->comp_unpublished = from->comp_unpublished;
        memcpy(to->insert, from->insert, sizeof to->insert);
        memcpy(to->insert_shape, from->insert_shape, sizeof to->insert_shape);
        to->late.on = from->late.on;
        size_t rings = (size_t)ENGINE_STEMS * 2 * from->late.frames +
                       (size_t)SONG_MAX_CHANNELS * from->late.frames;
        memcpy(to->late.stem_ring[0], from->late.stem_ring[0], sizeof(float) * rings);
        memcpy(to->late.stem_fed, from->late.stem_fed, sizeof to->late.stem_fed);
        memcpy(to->late.port_fed, from->late.port_fed, sizeof to->late.port_fed);
        to->late.any_fed = true;
    }
    /* The reference goes on from its place; only its step is the new rate's. */
    const Sample *reference = from->ref.sample;
    float fade_step = to->ref.share_step;
    to->ref = from->ref;
    to->ref.share_step = fade_step;
    to->ref.at = (int64_t)llround((double)from->ref.at * scale);
    refplay_set(&to->ref, reference, to->rate);
    from->ref.sample = NULL;
    /* A gain still gliding lands on its target: the ramp counts frames. */
    to->master = from->master;
    to->master.gain = from->master.left ? from->master.target : from->master.gain;
    to->master.left = 0;

    atomic_store(&to->status.playing, to->seq.playing);
    atomic_store(&to->status.order, to->seq.order);
    atomic_store(&to->status.pattern, to->seq.pattern);
    atomic_store(&to->status.looped, to->seq.pattern_mode);
    atomic_store(&to->status.row, to->seq.row);
    atomic_store(&to->status.bpm_tenths, to->seq.bpm_tenths);
    atomic_store(&to->status.bpm_shown_tenths, atomic_load(&from->status.bpm_shown_tenths));
    atomic_store(&to->status.speed, to->seq.speed);
    atomic_store(&to->status.song_ended,
                 atomic_load(&from->status.song_ended));
    atomic_store(&to->status.rows_played, atomic_load(&from->status.rows_played));
    /* A count the UI compares with what it saw: no false CLIP light. */
    atomic_store(&to->status.clip_count, atomic_load(&from->status.clip_count));
    atomic_store(&to->status.limit_frames, atomic_load(&from->status.limit_frames));
    atomic_store(&to->status.limit_max_centi_db,
                 atomic_load(&from->status.limit_max_centi_db));
}

int engine_clock_out(const Engine *e, const ClockEvent **events)
{
    *events = e->clock.ev;
    return e->clock.ready;
}

uint32_t engine_latency(const Engine *e)
{
    return e->late.on ? e->late.frames : 0;
}

static void play_now(Engine *e, bool pattern_mode, int where, int row);

void engine_set_channel_meters(Engine *e, bool on)
{
    e->buses.unmetered = !on;
}

void engine_play_song_now(Engine *e, int order, int row, bool loop)
{
    e->seq.loop_song = loop;
    play_now(e, false, order, row);
}

void engine_play_pattern_now(Engine *e, int pattern, int row)
{
    play_now(e, true, pattern, row);
}

static void play_now(Engine *e, bool pattern_mode, int where, int row)
{
    start_playback(e, pattern_mode, where, row);
    atomic_store(&e->status.playing, e->seq.playing);
    follow_limiter(e);
    if (!e->late.on)
        return;
    /* Render the lookahead now, every stem and port with it, so the first
     * frame the caller gets is the song's first. */
    Lookahead *la = &e->late;
    float *mix = lookahead_preroll(la), *stems[ENGINE_STEMS], *ports[SONG_MAX_CHANNELS];
    float *at = mix + 2 * (size_t)la->frames;
    for (int c = 0; c < ENGINE_STEMS; c++, at += 2 * (size_t)la->frames)
        stems[c] = at;
    for (int c = 0; c < SONG_MAX_CHANNELS; c++, at += la->frames)
        ports[c] = at;
    uint64_t rendered = atomic_load_explicit(&e->status.frames_rendered, memory_order_relaxed);
    engine_render_stems(e, mix, ports, SONG_MAX_CHANNELS, stems, ENGINE_STEMS, la->frames);
    atomic_store_explicit(&e->status.frames_rendered, rendered, memory_order_relaxed);
}
