/* Two threads as in the program.
 *
 * 1. Engine level: this (UI) thread edits cells, swaps instruments and
 *    installs patterns, retiring the old objects through the engine and
 *    freeing what comes back; an audio thread calls engine_render in a
 *    loop. Every retired object must come back exactly once.
 * 2. The program's own paths: the editor's functions (edit.c: notes,
 *    blocks, rows, pattern length/new/clone, channel count, order list,
 *    song settings, instruments, undo and redo, whole-song installs) with
 *    its retire callback sending to the engine, while the null audio
 *    device renders it on its own thread and the per-channel outputs
 *    follow (audio_poll).
 * 3. The same editor steps through the play session (src/app/session.*),
 *    which owns the engine and the null device, takes the commands,
 *    retired objects and songs, and is polled as the editor polls it.
 *
 * Built with -fsanitize=thread by `make tsan`, where any data race fails
 * the run (test_tsan_race shows that TSan, so configured, does catch one);
 * in the plain and ASan builds it checks the counts and that nothing
 * leaks. Each phase runs for at least PHASE_SECONDS and at least a fixed
 * amount of work, so a slow machine stretches it instead of thinning it. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "audio.h"
#include "edit.h"
#include "engine.h"
#include "sample.h"
#include "session.h"
#include "song.h"
#include "test.h"

enum { RATE = 48000, BLOCK = 256, CHANNELS = 4, INSTRUMENTS = 4 };
#define PHASE_SECONDS 2.0

typedef struct {
    Engine *engine;
    _Atomic bool stop;
    long blocks;
} AudioThread;

static void *audio_main(void *arg)
{
    AudioThread *t = arg;
    static float out[2 * BLOCK];
    while (!atomic_load_explicit(&t->stop, memory_order_acquire)) {
        engine_render(t->engine, out, BLOCK);
        t->blocks++;
    }
    return NULL;
}

/* A short decaying sine, so voices really read sample memory. */
static Sample *make_sample(int frames)
{
    float *data = malloc(sizeof(float) * (size_t)frames);
    for (int i = 0; i < frames; i++)
        data[i] = (float)((1.0 - (double)i / frames) *
                          ((i / 20) % 2 ? 0.5 : -0.5));
    Sample *s = sample_new(data, (uint32_t)frames, 1, RATE);
    free(data);
    return s;
}

static Song *make_song(void)
{
    Song *song = song_new();
    atomic_store(&song->channels, CHANNELS);
    Pattern *p = song_pattern_new(16, CHANNELS);
    Pattern *old = atomic_exchange(&song->patterns[0], p);
    song_pattern_free(old);
    atomic_store(&song->bpm_tenths, 2550);
    atomic_store(&song->speed, 1); /* many rows per second: many note-ons */
    for (int slot = 1; slot <= INSTRUMENTS; slot++) {
        Instrument *inst = song_instrument_new();
        inst->sample = make_sample(2000 + 500 * slot);
        inst->loop = slot % 2 ? LOOP_FORWARD : LOOP_OFF;
        inst->loop_start = 0;
        inst->loop_end = inst->sample->frames;
        atomic_store(&song->instruments[slot], inst);
    }
    for (int row = 0; row < 16; row++)
        for (int ch = 0; ch < CHANNELS; ch++) {
            Cell c = song_cell_empty();
            c.note = (uint8_t)(NOTE_C4 + row % 12);
            c.instrument = (uint8_t)(1 + (row + ch) % INSTRUMENTS);
            song_pattern_set(p, row, ch, c);
        }
    return song;
}

typedef struct {
    long retired, returned, cell_edits;
    int max_voices; /* seen from this thread: proof the engine was playing */
} Counts;

/* Sends a retire command, collecting returns while the ring is full: the
 * old object stays owned by the engine path until it comes back. */
static void retire(Engine *e, EngineCommandType type, void *ptr, Counts *n,
                   bool count_returns);

static void take_returns(Engine *e, Counts *n)
{
    EngineReturn r;
    while (engine_take_return(e, &r)) {
        n->returned++;
        if (r.type == ENGINE_RETURN_PATTERN)
            song_pattern_free(r.ptr);
        else if (r.type == ENGINE_RETURN_INSTRUMENT)
            song_instrument_free(r.ptr);
        else
            song_free(r.ptr);
    }
}

static void retire(Engine *e, EngineCommandType type, void *ptr, Counts *n,
                   bool count_returns)
{
    EngineCommand cmd = {type, 0, 0, 0, ptr};
    while (!engine_send(e, &cmd)) {
        if (count_returns)
            take_returns(e, n);
        else
            engine_collect_garbage(e);
        struct timespec ts = {0, 200000};
        nanosleep(&ts, NULL);
    }
    n->retired++;
}

static void edit_for_a_while(Song *song, Engine *e, Counts *n,
                             bool count_returns, unsigned seed)
{
    double end = hiss_now_seconds() + PHASE_SECONDS;
    unsigned x = seed;
    int step = 0;
    while (hiss_now_seconds() < end) {
        x = x * 1103515245u + 12345u;
        Pattern *p = song_pattern(song, 0);
        /* 1. cell edits, as typing does */
        for (int i = 0; i < 8; i++) {
            Cell c = song_cell_empty();
            c.note = (uint8_t)(NOTE_FIRST + (x >> 8) % 96);
            c.instrument = (uint8_t)(1 + (x >> 4) % INSTRUMENTS);
            c.volume = (uint8_t)((x >> 12) % 65);
            song_pattern_set(p, (int)((x >> 16) % p->rows),
                             (int)((x >> 20) % CHANNELS), c);
            n->cell_edits++;
            x = x * 1103515245u + 12345u;
        }
        /* 2. instrument change: clone, modify, swap, retire the old one */
        int slot = 1 + (int)((x >> 9) % INSTRUMENTS);
        Instrument *old_inst = song_instrument(song, slot);
        Instrument *inst = song_instrument_clone(old_inst);
        inst->volume = (int)((x >> 3) % 65);
        inst->loop = inst->loop == LOOP_OFF ? LOOP_PINGPONG : LOOP_OFF;
        atomic_store_explicit(&song->instruments[slot], inst,
                              memory_order_release);
        retire(e, ENGINE_CMD_RETIRE_INSTRUMENT, old_inst, n, count_returns);
        /* 3. every few steps, a new pattern length */
        if (step % 4 == 0) {
            int rows = 8 + (int)((x >> 5) % 57);
            Pattern *np = song_pattern_resized(p, rows, CHANNELS);
            atomic_store_explicit(&song->patterns[0], np, memory_order_release);
            retire(e, ENGINE_CMD_RETIRE_PATTERN, p, n, count_returns);
        }
        int voices = atomic_load(&engine_status(e)->voices);
        if (voices > n->max_voices)
            n->max_voices = voices;
        /* 4. take back what the engine is done with */
        if (count_returns)
            take_returns(e, n);
        else
            engine_collect_garbage(e);
        step++;
    }
}

/* After the audio thread stopped: playback stops and this thread renders
 * until every retired object came back (bounded). */
static void drain(Engine *e, Counts *n, bool count_returns)
{
    EngineCommand stop = {ENGINE_CMD_STOP, 0, 0, 0, NULL};
    engine_send(e, &stop);
    static float out[2 * BLOCK];
    for (int i = 0; i < 2000; i++) {
        engine_render(e, out, BLOCK);
        if (count_returns) {
            take_returns(e, n);
            if (n->returned >= n->retired)
                break;
        } else {
            engine_collect_garbage(e);
        }
    }
}

static void run_phase(bool count_returns, unsigned seed)
{
    Song *song = make_song();
    Engine *e = engine_new(song, RATE);
    CHECK(e != NULL);
    if (!e) {
        song_free(song);
        return;
    }
    engine_play_song_now(e, 0, 0, true);
    AudioThread t = {.engine = e, .stop = false, .blocks = 0};
    pthread_t th;
    CHECK(pthread_create(&th, NULL, audio_main, &t) == 0);
    Counts n = {0, 0, 0, 0};
    edit_for_a_while(song, e, &n, count_returns, seed);
    atomic_store_explicit(&t.stop, true, memory_order_release);
    pthread_join(th, NULL);
    drain(e, &n, count_returns);

    printf("   %s: %ld blocks rendered, %ld cell edits, %ld retired, "
           "%ld returned, up to %d voices\n",
           count_returns ? "counted" : "collect_garbage", t.blocks,
           n.cell_edits, n.retired, n.returned, n.max_voices);
    CHECK(t.blocks > 0);
    CHECK_MSG(n.max_voices > 0, "no voice ever sounded");
    CHECK(n.retired > 0);
    CHECK(atomic_load(&engine_status(e)->frames_rendered) > 0);
    if (count_returns)
        CHECK_MSG(n.returned == n.retired, "%ld of %ld retired objects "
                  "came back", n.returned, n.retired);
    engine_free(e);
    song_free(song);
}

static void retired_objects_come_back_exactly_once(void)
{
    run_phase(true, 1);
}

static void collect_garbage_while_rendering(void)
{
    run_phase(false, 2);
}

/* ---- 2: through the editor, played by the null device ------------------ */

enum { EDITOR_MIN_OPS = 20000, EDITOR_INSTALLS = 12 };

typedef struct {
    Engine *engine;
    Counts n;
    long songs_returned;
} Player;

static void player_take_returns(Player *pl)
{
    EngineReturn r;
    while (engine_take_return(pl->engine, &r)) {
        pl->n.returned++;
        if (r.type == ENGINE_RETURN_PATTERN)
            song_pattern_free(r.ptr);
        else if (r.type == ENGINE_RETURN_INSTRUMENT)
            song_instrument_free(r.ptr);
        else {
            pl->songs_returned++;
            song_free(r.ptr);
        }
    }
}

/* Sends a command that must arrive, taking returns while the ring is full
 * (the device's thread empties it every period). */
static void player_send(void *ctx, EngineCommandType type, int a, int b, void *ptr)
{
    Player *pl = ctx;
    EngineCommand cmd = {type, a, b, 0, ptr};
    while (!engine_send(pl->engine, &cmd)) {
        player_take_returns(pl);
        struct timespec ts = {0, 200000};
        nanosleep(&ts, NULL);
    }
}

static void player_retire(void *ctx, EditRetireKind kind, void *ptr)
{
    Player *pl = ctx;
    player_send(pl, kind == EDIT_RETIRE_PATTERN ? ENGINE_CMD_RETIRE_PATTERN
                                                 : ENGINE_CMD_RETIRE_INSTRUMENT, 0, 0, ptr);
    pl->n.retired++;
}

/* How an editor step reaches the engine: straight through its ring here,
 * or through the play session. */
typedef void (*SendFn)(void *ctx, EngineCommandType type, int a, int b, void *ptr);

/* One editor operation picked by x; counts the ones that changed the song. */
static void editor_step(Editor *ed, SendFn send, void *ctx, unsigned x, long *changes)
{
    Song *song = ed->song;
    HissError err = HISS_OK;
    switch (x % 20) {
    case 0: case 1: case 2: case 3:
        edit_cursor_set(ed, (EditCursor){ed->cursor.pattern, (int)(x >> 8) % 64,
                                         (int)(x >> 14) % 8, EDIT_COL_NOTE});
        err = edit_note_from_key_offset(ed, (int)(x >> 5) % 24);
        break;
    case 4:
        edit_mark_pattern(ed);
        err = edit_block_transpose(ed, (x >> 6) & 1 ? 12 : -1);
        edit_mark_clear(ed);
        break;
    case 5:
        err = edit_insert_row(ed, (x >> 7) & 1);
        break;
    case 6:
        err = edit_delete_row(ed, (x >> 7) & 1);
        break;
    case 7:
        err = edit_pattern_set_length(ed, 1 + (int)(x >> 9) % 128);
        break;
    case 8:
        err = edit_song_set_channels(ed, 1 + (int)(x >> 10) % 12);
        break;
    case 9:
        if (song_pattern(song, 5) == NULL)
            err = (x >> 4) & 1 ? edit_pattern_clone(ed) : edit_pattern_new(ed);
        else
            err = edit_pattern_goto(ed, (int)(x >> 11) % 6);
        break;
    case 10:
        err = edit_order_insert(ed, (int)(x >> 12) % 4);
        break;
    case 11:
        edit_order_goto(ed, (int)(x >> 6) % 8);
        err = atomic_load(&song->order_count) > 1 ? edit_order_delete(ed)
                                                  : edit_order_duplicate(ed);
        break;
    case 12:
        err = edit_order_set(ed, (int)(x >> 13) % 6);
        break;
    case 13:
        err = edit_song_set_bpm_tenths(ed, 320 + (int)(x >> 8) % 2231);
        if (!err)
            send(ctx, ENGINE_CMD_SET_BPM, atomic_load(&song->bpm_tenths), 0, NULL);
        break;
    case 14:
        err = edit_song_set_speed(ed, 1 + (int)(x >> 9) % 8);
        if (!err)
            send(ctx, ENGINE_CMD_SET_SPEED, atomic_load(&song->speed), 0, NULL);
        break;
    case 15:
        err = edit_instrument_set_volume(ed, 1 + (int)(x >> 5) % INSTRUMENTS,
                                         (int)(x >> 11) % 65);
        break;
    case 16:
        err = edit_instrument_set_loop(ed, 1 + (int)(x >> 5) % INSTRUMENTS,
                                       (x >> 8) & 1 ? LOOP_PINGPONG : LOOP_FORWARD, 0,
                                       (uint32_t)(500 + (x >> 12) % 1500));
        break;
    case 17:
        err = edit_undo(ed);
        break;
    case 18:
        err = edit_redo(ed);
        break;
    case 19:
        send(ctx, (x >> 5) & 1 ? ENGINE_CMD_PLAY_SONG : ENGINE_CMD_PLAY_PATTERN, 0, 0, NULL);
        return;
    }
    if (err == HISS_OK)
        (*changes)++;
    else if (err != HISS_ERR_RANGE && err != HISS_ERR_MISSING)
        CHECK_MSG(false, "editor step %u: %s", x % 20, hiss_strerror(err));
}

static void editor_edits_while_the_null_device_plays(void)
{
    Song *song = make_song();
    Player pl = {0};
    AudioOptions o = {.backend = "null", .per_channel_ports = true, .period = 64};
    Audio *a = NULL;
    uint32_t rate = 0;
    CHECK(audio_open(&a, &o, &rate, NULL) == HISS_OK);
    pl.engine = a ? engine_new(song, rate) : NULL;
    CHECK(pl.engine != NULL);
    if (!a || !pl.engine) {
        if (a)
            audio_close(a);
        song_free(song);
        return;
    }
    Editor *ed = edit_new(song, player_retire, &pl);
    edit_set_edit_mode(ed, true);
    audio_set_song(a, song);
    CHECK(audio_start(a, pl.engine) == HISS_OK);
    player_send(&pl, ENGINE_CMD_PLAY_SONG, 0, 0, NULL);

    double start = hiss_now_seconds();
    unsigned x = 99;
    long ops = 0, changes = 0;
    int installs = 0, max_outputs = 0;
    while (ops < EDITOR_MIN_OPS || hiss_now_seconds() - start < PHASE_SECONDS ||
           installs < EDITOR_INSTALLS) {
        x = x * 1103515245u + 12345u;
        editor_step(ed, player_send, &pl, x >> 3, &changes);
        ops++;
        if (ops % 64 == 0) {
            audio_poll(a);
            int outs = audio_channel_outputs(a);
            if (outs > max_outputs)
                max_outputs = outs;
            player_take_returns(&pl);
            int voices = atomic_load(&engine_status(pl.engine)->voices);
            if (voices > pl.n.max_voices)
                pl.n.max_voices = voices;
            /* Sleep a little now and then: the device thread gets turns
             * on a single free core too. */
            struct timespec ts = {0, 100000};
            nanosleep(&ts, NULL);
        }
        if (ops % (EDITOR_MIN_OPS / EDITOR_INSTALLS) == 0) {
            /* Opening a song: the engine swaps and returns the old one;
             * the editor and the device move to the new one at once. */
            Song *next = make_song();
            player_send(&pl, ENGINE_CMD_INSTALL_SONG, 0, 0, next);
            audio_set_song(a, next);
            edit_set_song(ed, next);
            edit_set_edit_mode(ed, true);
            player_send(&pl, ENGINE_CMD_PLAY_SONG, 0, 0, NULL);
            installs++;
        }
    }
    uint64_t frames = atomic_load(&engine_status(pl.engine)->frames_rendered);
    audio_close(a);
    /* What is still in the ring: render here until every retired object
     * and every replaced song has come back (bounded). */
    static float out[2 * BLOCK];
    for (int i = 0; i < 2000; i++) {
        player_take_returns(&pl);
        if (pl.n.returned >= pl.n.retired + installs && pl.songs_returned >= installs)
            break;
        engine_render(pl.engine, out, BLOCK);
    }
    printf("   editor: %ld operations (%ld changed the song), %d songs installed, "
           "%llu frames rendered, %ld retired, %ld returned, up to %d voices, "
           "up to %d channel outputs\n", ops, changes, installs,
           (unsigned long long)frames, pl.n.retired, pl.n.returned, pl.n.max_voices,
           max_outputs);
    CHECK(frames >= (uint64_t)(rate * PHASE_SECONDS / 2));
    CHECK(changes > ops / 4);
    CHECK(pl.n.retired > 0);
    CHECK_MSG(pl.n.returned == pl.n.retired + pl.songs_returned,
              "%ld objects came back for %ld retired and %ld songs replaced", pl.n.returned,
              pl.n.retired, pl.songs_returned);
    CHECK(pl.songs_returned == installs);
    CHECK_MSG(pl.n.max_voices > 0, "no voice ever sounded");
    CHECK(max_outputs > 1);
    Song *last = ed->song;
    edit_free(ed);
    engine_free(pl.engine);
    song_free(last);
}

/* ---- 3: the same, through the play session ------------------------------ */

static long retired_via_session;

static void via_session_send(void *ctx, EngineCommandType type, int a, int b, void *ptr)
{
    session_send(ctx, type, a, b, 0, ptr);
}

static void via_session_retire(void *ctx, EditRetireKind kind, void *ptr)
{
    session_send(ctx, kind == EDIT_RETIRE_PATTERN ? ENGINE_CMD_RETIRE_PATTERN
                                                  : ENGINE_CMD_RETIRE_INSTRUMENT, 0, 0, 0, ptr);
    retired_via_session++;
}

/* What the editor does: its edit functions, with the play session (the
 * null device, per-channel outputs) playing, polled as the UI polls it,
 * taking songs installed while it plays. The session frees what comes
 * back; ASan and LeakSanitizer (make test-san) see that nothing is lost. */
static void editor_edits_through_the_play_session(void)
{
    Song *song = make_song();
    SessionOptions so = {.audio = {.backend = "null", .per_channel_ports = true,
                                   .period = 64}};
    Session *s = NULL;
    HissDiag why = {{0}};
    CHECK_MSG(session_open(&s, &so, &why) == HISS_OK, "%s", why.text);
    if (!s) {
        song_free(song);
        return;
    }
    CHECK_MSG(session_start(s, song, &why) == HISS_OK, "%s", why.text);
    Editor *ed = edit_new(song, via_session_retire, s);
    edit_set_edit_mode(ed, true);
    session_play_song(s, 0, 0);

    double start = hiss_now_seconds();
    unsigned x = 4242;
    long ops = 0, changes = 0;
    int installs = 0, max_outputs = 0, max_voices = 0;
    retired_via_session = 0;
    while (ops < EDITOR_MIN_OPS || hiss_now_seconds() - start < PHASE_SECONDS ||
           installs < EDITOR_INSTALLS) {
        x = x * 1103515245u + 12345u;
        editor_step(ed, via_session_send, s, x >> 3, &changes);
        ops++;
        if (ops % 64 == 0) {
            session_poll(s);
            Audio *a = session_audio(s);
            int outs = a ? audio_channel_outputs(a) : 0;
            if (outs > max_outputs)
                max_outputs = outs;
            int voices = atomic_load(&session_status(s)->voices);
            if (voices > max_voices)
                max_voices = voices;
            struct timespec ts = {0, 100000};
            nanosleep(&ts, NULL);
        }
        if (ops % (EDITOR_MIN_OPS / EDITOR_INSTALLS) == 0) {
            Song *next = make_song();
            session_install_song(s, next);
            edit_set_song(ed, next);
            edit_set_edit_mode(ed, true);
            session_play_song(s, 0, 0);
            installs++;
        }
    }
    /* As the UI does until it closes: a few more polls take back what the
     * engine returned. */
    for (int i = 0; i < 10; i++) {
        session_poll(s);
        struct timespec ts = {0, 20000000};
        nanosleep(&ts, NULL);
    }
    double played = session_seconds_played(s);
    session_close(s);
    printf("   session: %ld operations (%ld changed the song), %d songs installed, "
           "%.2f s played, %ld retired, up to %d voices, up to %d channel outputs\n", ops,
           changes, installs, played, retired_via_session, max_voices, max_outputs);
    /* Proof that the device played while the editor worked, not a speed
     * check: on a loaded machine (or under TSan) the null clock's thread
     * gets far less than real time, so a quarter second is the bar. */
    CHECK(played >= 0.25);
    CHECK(changes > ops / 4);
    CHECK(retired_via_session > 0);
    CHECK_MSG(max_voices > 0, "no voice ever sounded");
    CHECK(max_outputs > 1);
    Song *last = ed->song;
    edit_free(ed);
    song_free(last);
}

int main(void)
{
    RUN(retired_objects_come_back_exactly_once);
    RUN(collect_garbage_while_rendering);
    RUN(editor_edits_while_the_null_device_plays);
    RUN(editor_edits_through_the_play_session);
    return test_finish();
}
