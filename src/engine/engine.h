/* engine: the one way audio is made.
 *
 * engine_render() is called by JACK's process callback, the ALSA writer
 * thread and offline render alike. It never allocates, locks, does I/O or
 * loops without bound. Rows and ticks fall on exact frames whatever the block
 * size: rendering in blocks of 1, 64 or 1023 frames gives the same samples.
 *
 * Threads: one UI thread (the producer of commands, the consumer of returned
 * objects and status) and one audio thread (engine_render). Everything the
 * UI side calls is marked [ui]; everything else is [audio]. Offline render
 * is both on one thread. Pure C11 + libm.
 *
 * Timing, swing, pitch, declick, the master section and every effect are
 * specified in man/effects.roff (the EFFECTS section of hiss.5).
 *
 * Real time: engine_render only touches memory allocated in engine_new, the
 * song and the sinc tables (static, built once, by engine_prepare_instrument
 * on the UI thread); voices keep no resampler state, so engine_new
 * allocates no more than the engine
 * struct and its rings (tests/unit/test_engine_rt.c interposes malloc, free,
 * pthread_mutex_lock, read, write and nanosleep around engine_render with
 * every effect, command and interpolation mode).
 *
 * Per-channel outputs (engine_render_channels): the mono signal of each
 * song channel after its note volume (and mute/solo), before pan and the
 * master section. A mono sample gives sample x volume; a stereo sample
 * gives (left + right) / 2 x volume. Fading "ghost" voices of a channel
 * count towards it; preview voices towards none. Rendering a channel alone
 * (solo), centre-panned, at 0 dB with the limiter off, its (L + R) / 2
 * equals its port.
 *
 * Channel buses (engine_render_stems): each song channel's voices add
 * into a stereo bus after their pan and the channel's strip (fader,
 * balance, mute, solo; strip.h); the buses sum into the mix in channel
 * order (bus.h), so stems sum to the mix before the master section.
 *
 * Commands are applied at the start of the next engine_render, at most
 * ENGINE_COMMANDS_PER_PERIOD per call. Retired objects go to a small
 * graveyard and come back on the return ring once no voice uses them;
 * when the graveyard is full, the retiring command waits (with every
 * command after it) until a later period has room. */
#ifndef HISS_ENGINE_H
#define HISS_ENGINE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "base.h"
#include "clock.h"
#include "song.h"

/* Stems beyond the channels': the send buses' returns. */
enum {
    ENGINE_STEM_DELAY = SONG_MAX_CHANNELS, /* send A */
    ENGINE_STEM_REVERB,                    /* send B */
    ENGINE_STEMS
};

enum {
    ENGINE_MAX_VOICES = 128,   /* channel voices + fading ghosts + previews */
    ENGINE_PREVIEW_VOICES = 8, /* notes auditioned from the editor */
    ENGINE_COMMANDS_PER_PERIOD = 64, /* drained at the start of a period */
    ENGINE_LIVE_PER_PERIOD = 64, /* engine_live_note_now notes a period takes */
};

typedef enum {
    ENGINE_CMD_PLAY_SONG,    /* a = order index, b = row: play from there;
                                c = that place's time in frames at the
                                engine's rate, where the reference track
                                plays from (0: its start) */
    ENGINE_CMD_PLAY_PATTERN, /* a = pattern, b = row: loop one pattern;
                                c as for ENGINE_CMD_PLAY_SONG */
    ENGINE_CMD_STOP,         /* stop with declick; voices fade out */
    ENGINE_CMD_JUMP,         /* a = order index, b = row, on the next row
                                (ignored when stopped; ends a pattern loop) */
    ENGINE_CMD_CUE,          /* a = order index (-1: cancel the cue), b =
                                EngineCueAt: go there when this pattern
                                ends, or at the next bar or beat (also
                                ends a pattern or row loop); c = 1: a is
                                a pattern, looped from its first row */
    ENGINE_CMD_SET_BPM,      /* a = tempo in tenths of a BPM (320..2550) */
    ENGINE_CMD_SET_SPEED,    /* a = ticks per row (1..31) */
    ENGINE_CMD_HOLD_MUTE,    /* a = channel, b = 0/1: the mute it had
                                before its strip's changed, kept until the
                                next bar (a mute "at the bar"); b < 0, or
                                stopped: let go now; c > 0: kept instead
                                until playback reaches order entry c - 1
                                (a performance capture's arrangement) */
    ENGINE_CMD_HOLD_SOLO,    /* the same for solo */
    ENGINE_CMD_SET_LOOP_SONG,/* a = 0/1: at the end, wrap (1) or stop (0) */
    ENGINE_CMD_PREVIEW_NOTE, /* a = instrument slot, b = note, c = volume 0..64;
                                note NOTE_OFF/NOTE_CUT stops previews */
    ENGINE_CMD_PREVIEW_SAMPLE, /* ptr = Instrument* owned by the UI, kept
                                  alive until returned: audition a file;
                                  b = note (0: its base note), c = volume
                                  (0: 64). Returned when it has finished
                                  sounding or the next one replaces it;
                                  engine_free frees one still held. */
    ENGINE_CMD_RETIRE_PATTERN,    /* ptr = Pattern* no longer in the song */
    ENGINE_CMD_RETIRE_INSTRUMENT, /* ptr = Instrument* no longer in the song */
    ENGINE_CMD_INSTALL_SONG,      /* ptr = Song*: stops, swaps, returns old */
    ENGINE_CMD_LIVE_NOTE, /* a = channel, b = note (or NOTE_OFF/NOTE_CUT),
                             c = engine_live_flags(): the note plays on the
                             channel now; with ENGINE_LIVE_RECORD while
                             playing, where it belongs comes back as an
                             EngineTake (engine_take_recorded) */
    ENGINE_CMD_LOOP_ROWS, /* a = first row, b = last row of the pattern
                             playing: loop them (a < 0: loop off) */
    ENGINE_CMD_END,       /* stop as the song's end does: no more rows, but
                             sounding notes ring out (looping ones are
                             released) and delays and reverbs go on: a
                             tail */
    ENGINE_CMD_PLAY_AT_POSITION, /* a = MIDI song position, sixteenths
                                    from the song's start (a quarter of
                                    rows_per_beat rows each), through the
                                    order list without jumps: play from
                                    there (an external clock's continue);
                                    b = 1: a move while playing (its
                                    song position while running), which
                                    does nothing when that row plays but
                                    count the clock's pulses again, c
                                    being those counted till now */
    ENGINE_CMD_FOLLOW_CLOCK, /* an external MIDI clock: a = frames a pulse
                                x 1000 (its tempo, measured), b = pulses
                                since it started playback (-1: it did not;
                                the tempo is followed alone). The tempo is
                                set so that a beat (rows_per_beat rows) is
                                24 pulses, nudged by the pulses hiss's own
                                clock is ahead or behind, so the phase
                                stays locked */
    ENGINE_CMD_SET_REFERENCE, /* ptr = Sample* retained for the engine, or
                                 NULL: the song's reference track (A/B);
                                 the one it replaces comes back as
                                 ENGINE_RETURN_SAMPLE */
    ENGINE_CMD_LISTEN_REFERENCE, /* a = 1: the reference is heard instead
                                    of the mix, b = its gain in hundredths
                                    of a dB (the loudness match); a = 0:
                                    the mix (the reference fades out at
                                    the gain it had) */
    ENGINE_CMD_SEND_LINES, /* ptr: the send buses' memory, from
                              engine_ready_sends; returned emptied */
} EngineCommandType;

/* Where a cue takes over. A bar is four beats (as JACK's bar/beat/tick
 * says); beats are the song's rows per beat, counted from each pattern's
 * first row. */
typedef enum {
    ENGINE_CUE_PATTERN_END,
    ENGINE_CUE_BAR,
    ENGINE_CUE_BEAT,
    ENGINE_CUE_AT_COUNT
} EngineCueAt;
enum { ENGINE_BEATS_PER_BAR = 4 };

/* ENGINE_CMD_LIVE_NOTE's c: instrument (0: the channel's), volume
 * (0..64, or VOLUME_EMPTY: the instrument's), quantize (LiveQuantize),
 * record, and keep-the-feel (a note left on the row it came in gets an
 * EDx delay for the ticks it missed). */
enum {
    ENGINE_LIVE_RECORD = 1 << 20,
    ENGINE_LIVE_FEEL = 1 << 21,
    /* Not recorded: where it belongs comes back as a jam take, for the
     * editor to keep and write later if asked (jam capture). */
    ENGINE_LIVE_JAM = 1 << 22,
};
static inline int engine_live_flags(int instrument, int volume, int quantize,
                                    bool record, bool feel)
{
    return (instrument & 0xFF) | (volume & 0xFF) << 8 | (quantize & 0xF) << 16 |
           (record ? ENGINE_LIVE_RECORD : 0) | (feel ? ENGINE_LIVE_FEEL : 0);
}

/* A recorded live note: the cell to write and where. A note rounded
 * forward to a row not yet played has sounded already; the engine skips
 * that row's note on this channel once, so the written copy is heard
 * from the next pass on, whether or not it is written before the row
 * comes. */
typedef struct {
    int pattern, row, channel;
    Cell cell; /* note, instrument, volume, and EDx in fx when kept late */
    bool jam;  /* played with ENGINE_LIVE_JAM: kept, not written, and no
                  row skipped for it */
    uint64_t when; /* the rows_played count of the row playing as it came */
    /* A jam while capturing: the tick of that row it played on and, as
     * Zxx says, how far into it (tick -1: a pattern cannot say). */
    int tick, fine;
} EngineTake;

/* Jam capture: one row as it was played (engine_capture_rows), on its
 * first tick; or, logged after it, a later tick of that row on which the
 * channels heard or the tempo changed (a mute or tempo between rows:
 * while capturing, the engine lets them act on ticks only). */
/* An Oxy pair with x from 8 (both effect columns of a channel's cell; a
 * performance capture writes it): a fader or balance move of that
 * channel, heard from a tick of the row until playback starts again or
 * the strip moves, over the strip's setting. The first column's x is 8 +
 * the move (0 or 4) + the value's top 2 bits and its y the tick; the
 * second's parameter the value's low 8 bits (the fader's tenths of a dB
 * above SONG_GAIN_MIN, the balance plus 100). */
typedef enum { ENGINE_MOVE_FADER, ENGINE_MOVE_BALANCE, ENGINE_MOVES } EngineMove;
/* false when the tick or the value is out of the pair's reach. */
bool engine_move_encode(EngineMove move, int tick, int value, uint8_t param[2]);
/* false when fx (both columns) is not such a pair. */
bool engine_move_decode(const uint8_t fx[2], const uint8_t param[2], int *move, int *tick,
                        int *value);

typedef struct {
    int order;          /* order index, -1 while a pattern loops */
    int pattern, row;
    int tick;           /* 0: the row starts; else the tick of a change */
    int bpm_tenths, speed; /* after the row's own tempo and speed effects */
    uint64_t audible;   /* bit c: channel c heard (mute and solo) */
    uint64_t count;     /* the rows_played count of this row */
    /* Not 0: this entry is a move of channel moved - 1's fader or
     * balance, heard from `tick`: what they were and what they became. */
    int moved;
    int was[ENGINE_MOVES], move[ENGINE_MOVES];
} EngineRowLog;

typedef struct {
    EngineCommandType type;
    int a, b, c;
    void *ptr;
} EngineCommand;

typedef enum {
    ENGINE_RETURN_PATTERN,
    ENGINE_RETURN_INSTRUMENT,
    ENGINE_RETURN_SONG,
    ENGINE_RETURN_SAMPLE, /* a reference track: sample_release it */
    ENGINE_RETURN_SEND_LINES,
} EngineReturnType;

/* Objects the engine has finished with, for the UI thread to free. */
typedef struct {
    EngineReturnType type;
    void *ptr;
} EngineReturn;

/* Read by the UI when it redraws; written by the audio thread. */
typedef struct {
    _Atomic bool playing;
    _Atomic int order;   /* order index playing (not while looped) */
    _Atomic int pattern; /* pattern playing */
    _Atomic bool looped; /* pattern plays looped on its own, outside the
                            order list (ENGINE_CMD_PLAY_PATTERN, a pattern
                            cue): order says nothing of where it plays */
    _Atomic int row;
    _Atomic int bpm_tenths; /* tempo playing, tenths of a BPM */
    /* The tempo to show: bpm_tenths, except while following a MIDI clock,
     * whose per-pulse tempo (bpm_tenths then) wavers with the clock's
     * jitter and the phase lock's nudges: then the smoothed tempo synced
     * effects hear. */
    _Atomic int bpm_shown_tenths;
    _Atomic int speed;
    _Atomic uint32_t peak_left_milli;  /* master peak since last read, x1000 */
    _Atomic uint32_t peak_right_milli;
    _Atomic uint32_t clip_count;       /* samples over full scale before the
                                          limiter (or the hard clip), since
                                          playback last started (this and
                                          the limiter's two restart at 0
                                          on every play) */
    _Atomic uint64_t limit_frames;     /* frames the limiter reduced */
    _Atomic uint32_t limit_max_centi_db; /* its deepest reduction, dB x100 */
    _Atomic uint32_t glue_centi_db;      /* the glue compressor's deepest
                                            reduction since the UI last
                                            exchanged it with 0, dB x100 */
    /* Each channel's bus (after pan and fader), the louder side's peak
     * since the UI last exchanged it with 0, x1000. */
    _Atomic uint32_t channel_peak_milli[SONG_MAX_CHANNELS];
    _Atomic uint32_t send_peak_milli[SONG_SENDS]; /* the send returns, alike */
    /* Each channel's bus RMS (both sides) over about the last 300 ms, x1000,
     * as of the last period (read, not exchanged). */
    _Atomic uint32_t channel_rms_milli[SONG_MAX_CHANNELS];
    /* Each channel's ducker: its deepest gain reduction since the UI last
     * exchanged it with 0, dB x100 (the gain-reduction meter). */
    _Atomic uint32_t duck_centi_db[SONG_MAX_CHANNELS];
    _Atomic uint32_t comp_centi_db[SONG_MAX_CHANNELS]; /* its compressor's, alike */
    _Atomic uint32_t tap_dropped;      /* tap blocks no reader took in time */
    _Atomic int voices;                /* voices sounding */
    _Atomic int notes_held;            /* notes a groove holds back (also
                                          after the song's end: its tail) */
    _Atomic uint64_t frames_rendered;
    /* The frame (counted as frames_rendered) where the latest bar began:
     * a row at a multiple of ENGINE_BEATS_PER_BAR beats, a pattern's
     * first row, a loop's start or playback's start; and how many bars
     * have begun since engine_new. Heard engine_latency frames later. */
    _Atomic uint64_t bar_frame;
    _Atomic uint32_t bars_started;
    /* ENGINE_CMD_PREVIEW_SAMPLE auditions begun since engine_new, and
     * where the latest one's voice reads, in its sample's frames (as of
     * the last period; UINT32_MAX once it has ended): the editor's
     * waveform playhead. */
    _Atomic uint32_t auditions_started;
    _Atomic uint32_t audition_frame;
    _Atomic bool song_ended;           /* stopped at the end of the order list */
    _Atomic uint64_t rows_played;      /* rows started since engine_new */
    /* Bit c: channel c's mute (solo), changed "at the bar", is not
     * heard yet: it will be as the next bar starts. */
    _Atomic uint64_t mute_pending, solo_pending;
    _Atomic int cue;                   /* order index cued, -1 for none */
    _Atomic int cue_pattern;           /* pattern cued (to loop), -1 for none */
    _Atomic int loop_first, loop_last; /* rows looped, -1 for none */
    _Atomic bool rows_unlogged;        /* a capture lost rows: the UI was
                                          too slow to take them */
    _Atomic bool reference_ended;      /* the reference is heard, and the
                                          song's place is past its end */
} EngineStatus;

typedef struct Engine Engine;

/* The master output as it went out, for meters off the audio thread: a
 * block of up to ENGINE_TAP_FRAMES stereo frames from a lock-free ring
 * of ENGINE_TAP_BLOCKS. A reader too slow loses whole blocks (counted in
 * EngineStatus.tap_dropped), never the audio. */
enum { ENGINE_TAP_FRAMES = 256, ENGINE_TAP_BLOCKS = 64 };
typedef struct {
    uint32_t frames;
    float data[2 * ENGINE_TAP_FRAMES];
} EngineTapBlock;

/* [ui] The engine plays `song` (not owned until ENGINE_CMD_INSTALL_SONG
 * returns it; the caller frees the first song after engine_free). The song
 * loops at its end by default (ENGINE_CMD_SET_LOOP_SONG). NULL when out of
 * memory or when rate is outside 1000..768000. engine_free also frees what
 * the engine still holds for return (retired objects, a previewed sample). */
Engine *engine_new(Song *song, uint32_t rate);
void engine_free(Engine *engine);
/* [ui] Makes ready what `inst` needs before an engine may play it: the
 * sinc tables when it interpolates with sinc (sinc.h: built once a
 * process, on the calling thread). engine_new and engine_send do it for
 * the songs and previews they are given; whatever puts an instrument into
 * a song an engine plays (an edit, a load) calls it first. An engine that
 * meets a sinc instrument before the tables exist plays it cubic. */
void engine_prepare_instrument(const Instrument *inst);
/* [ui, when no thread renders] The song the engine plays now: the last
 * ENGINE_CMD_INSTALL_SONG it has applied, or the one it was made with. */
Song *engine_current_song(const Engine *engine);

/* [ui] false when the command ring is full (try again after a period). */
bool engine_send(Engine *engine, const EngineCommand *cmd);
/* [ui] Pops one object the engine no longer uses; false when none. */
bool engine_take_return(Engine *engine, EngineReturn *ret);
/* [ui] Pops one recorded live note; false when none. */
bool engine_take_recorded(Engine *engine, EngineTake *take);
/* [ui] Jam capture: while on, from the next row on a beat (row modulo
 * rows_per_beat 0), every row started is logged for
 * engine_take_row (take them regularly: a full log drops rows and sets
 * EngineStatus.rows_unlogged), and so is every later tick of a row on
 * which the tempo or the channels heard change. While it is on and the
 * song plays, a change of a strip's mute or solo (or of a hold on one)
 * and a tempo (ENGINE_CMD_SET_BPM, a followed clock) act on the next
 * tick, not at once, and a speed on the next row: there a pattern's
 * Oxy, Fxx and Txy can act again. Turning it on clears that flag. */
void engine_capture_rows(Engine *engine, bool on);
bool engine_take_row(Engine *engine, EngineRowLog *log);
/* [ui] Pops one block of the master output's tap; false when none. */
bool engine_take_tap(Engine *engine, EngineTapBlock *block);
/* [ui] Frees everything returned so far (patterns, instruments, songs). */
void engine_collect_garbage(Engine *engine);
/* [ui] The send buses' delay and reverb lines (2 MB at 48 kHz) are made
 * only for a song that uses a send: by engine_new, or here, once `song`
 * (the one the engine plays) has a send turned up. Until they arrive a
 * send is silent. Call it regularly, as with engine_collect_garbage. */
void engine_ready_sends(Engine *engine, const Song *song);
const EngineStatus *engine_status(const Engine *engine);

/* [audio] Renders nframes of interleaved stereo float into out.
 * channel_out, when not NULL, receives one mono buffer per song channel
 * (channel_out[c], nframes floats, NULL entries skipped): the channel's
 * signal after its volume, before pan and the master section. */
void engine_render(Engine *engine, float *out, uint32_t nframes);
void engine_render_channels(Engine *engine, float *out, float *const *channel_out,
                            int channel_out_count, uint32_t nframes);
/* [audio] engine_render_channels, and stems: stems[c] (when not NULL and
 * c < stem_count) receives channel c's bus, 2 * nframes interleaved
 * floats: the channel after pan and fader, before the master section;
 * stems[ENGINE_STEM_DELAY] and stems[ENGINE_STEM_REVERB] (stem_count up
 * to ENGINE_STEMS) the send buses' returns. With the master at 0 dB, its
 * EQ flat and nothing limited, the stems and the previews sum to the mix. */
void engine_render_stems(Engine *engine, float *out, float *const *channel_out,
                         int channel_out_count, float *const *stems, int stem_count,
                         uint32_t nframes);

/* [either] Frames the output lags the engine while the song's limiter is
 * on (its lookahead; 0 with it off, as of the last period): a live note
 * is heard that much later, and the peak and clip counts run that far
 * ahead of what has come out. engine_play_song_now renders it ahead, so
 * an offline render still starts on the song's first frame. */
uint32_t engine_latency(const Engine *engine);

/* [audio, between engine_render calls] ENGINE_CMD_LIVE_NOTE for input
 * read on the audio thread itself (MIDI): played on frame `frame` of the
 * next engine_render (the same period; a frame past its end carries into
 * the render after), after the commands already sent, with no wait for
 * another thread. It is recorded from that frame too, so quantize rounds
 * what was played, not the period it came in. A note on a row's first
 * frame comes after the row's own notes. Past ENGINE_LIVE_PER_PERIOD
 * notes waiting the rest are dropped. A recorded note-off that rounds onto
 * the row of the channel's last recorded note goes on the row after. */
void engine_live_note_now(Engine *engine, int channel, int note, int flags,
                          uint32_t frame);

/* [audio, between engine_render calls] A command from the audio thread
 * itself (an external MIDI clock's start, stop, continue and tempo), on
 * frame `frame` of the next render, in order with the live notes. Only
 * commands that hand nothing back (play, play at a position, stop, tempo,
 * follow); others are
 * ignored. */
void engine_command_now(Engine *engine, const EngineCommand *cmd, uint32_t frame);

/* [audio, after engine_render] The MIDI clock messages of that render
 * (clock.h): their count, and *events pointing at them, in frame order,
 * frames counted from the render's start; valid until the next render.
 * Pulses while playing, start/continue (after a song position) when it
 * starts, stop when it stops, all as late as the output (the limiter's
 * lookahead). */
int engine_clock_out(const Engine *engine, const ClockEvent **events);

/* [ui, when not rendering] Whether the channels' meters (status's
 * channel_peak_milli and channel_rms_milli) are measured: on from
 * engine_new; an offline render that never shows them turns them off,
 * which leaves its samples as they are. */
void engine_set_channel_meters(Engine *engine, bool on);
/* [ui, when not rendering] Direct control for offline render and tests. */
void engine_play_song_now(Engine *engine, int order, int row, bool loop);
/* [ui, when not rendering] The same for one pattern looped from row (as
 * ENGINE_CMD_PLAY_PATTERN), lookahead rendered ahead too: render to
 * instrument. */
void engine_play_pattern_now(Engine *engine, int pattern, int row);

/* [ui] Carries playback from one engine to another, when no audio thread
 * can reach either (the old one taken out with audio_swap_engine, the new
 * one not yet installed), e.g. when the device's rate changes. Applies the
 * commands still queued for `from`, then `to` goes on from the same tick:
 * sounding notes (their place, pitch, gains and effects), tempo, speed,
 * mute, solo, song looping, a cue; what counts frames is rescaled to the
 * new rate. At the same rate the output is exactly what `from` would have
 * made (voices keep no filter state, so sinc voices go on exactly too).
 * Voices of retired instruments and previews end. A capture
 * (engine_capture_rows) goes on in `to`, with the rows not taken yet.
 * `from` keeps what it must free (retired objects, and its song when `to`
 * plays another one) for engine_free. */
void engine_hand_over(Engine *from, Engine *to);

#endif
