/* The play session on the null clock: what its owners (the editor, hiss
 * play, next MIDI input) rely on. Commands sent before there is an engine
 * arrive once it exists; played time is the engine's frames at its rate; another song brings its
 * own channel outputs; a session without audio still takes commands; what
 * never reached the engine is freed at close (leaks show under ASan). */
#include <stdatomic.h>
#include <time.h>

#include "session.h"
#include "common/synth_song.h"
#include "test.h"

static void sleep_ms(int ms)
{
    struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

typedef struct {
    int count;
    char last[400];
} News;

static void keep_news(void *ctx, bool trouble, const char *text)
{
    (void)trouble;
    News *n = ctx;
    n->count++;
    snprintf(n->last, sizeof n->last, "%s", text);
}

static Session *open_null(News *news, bool per_channel)
{
    SessionOptions o = {.audio = {.backend = "null", .rate = 44100, .period = 128,
                                  .per_channel_ports = per_channel},
                        .say = keep_news,
                        .say_ctx = news};
    Session *s = NULL;
    HissDiag why = {{0}};
    CHECK(session_open(&s, &o, &why) == HISS_OK);
    return s;
}

/* Polls like an owner does until the engine says it plays (or ~2 s). */
static bool poll_until_playing(Session *s)
{
    for (int i = 0; i < 200; i++) {
        session_poll(s);
        if (session_playing(s))
            return true;
        sleep_ms(10);
    }
    return false;
}

static void commands_before_the_engine_arrive_after_start(void)
{
    News news = {0};
    Session *s = open_null(&news, false);
    if (!s)
        return;
    CHECK(session_rate(s) == 44100);
    CHECK_STR(audio_name(session_audio(s)), "null");
    CHECK(!session_playing(s));
    Song *song = synth_song(2, 16, 125, 6);
    /* No engine yet: the commands wait in the session. */
    session_set_loop(s, true);
    session_play_song(s, 0, 3);
    CHECK(session_start(s, song, NULL) == HISS_OK);
    CHECK(poll_until_playing(s));
    const EngineStatus *st = session_status(s);
    CHECK(atomic_load(&st->order) == 0);
    CHECK(atomic_load(&st->row) >= 3);
    session_stop(s);
    for (int i = 0; i < 100 && session_playing(s); i++) {
        session_poll(s);
        sleep_ms(10);
    }
    CHECK(!session_playing(s));
    CHECK(news.count == 0); /* nothing went wrong: nothing to say */
    session_close(s);
    song_free(song);
}

static void played_time_counts_the_engine_frames(void)
{
    News news = {0};
    Session *s = open_null(&news, false);
    if (!s)
        return;
    Song *song = synth_song(1, 16, 125, 6);
    CHECK(session_start(s, song, NULL) == HISS_OK);
    sleep_ms(300);
    session_poll(s);
    audio_stop(session_audio(s)); /* the count holds still from here */
    double frames = (double)atomic_load(&session_status(s)->frames_rendered);
    CHECK(frames > 0);
    CHECK_NEAR(session_seconds_played(s), frames / 44100.0, 1e-9);
    session_close(s);
    song_free(song);
}

static void another_song_brings_its_channel_outputs(void)
{
    News news = {0};
    Session *s = open_null(&news, true);
    if (!s)
        return;
    Song *two = synth_song(2, 16, 125, 6);
    Song *five = synth_song(5, 16, 125, 6);
    CHECK(session_start(s, two, NULL) == HISS_OK);
    CHECK(audio_channel_outputs(session_audio(s)) == 2);
    session_install_song(s, five);
    CHECK(audio_channel_outputs(session_audio(s)) == 5);
    /* The old song comes back through the engine and is freed by poll. */
    for (int i = 0; i < 50; i++) {
        session_poll(s);
        sleep_ms(5);
    }
    session_close(s);
    song_free(five);
}

static void without_audio_the_session_still_takes_commands(void)
{
    News news = {0};
    SessionOptions o = {.audio = {.backend = "alsa", .device = "hiss_no_such_pcm"},
                        .say = keep_news,
                        .say_ctx = &news};
    Session *s = NULL;
    HissDiag why = {{0}};
    CHECK(session_open(&s, &o, &why) != HISS_OK);
    CHECK(s != NULL);
    if (!s)
        return;
    CHECK(why.text[0] != 0);
    CHECK(session_audio(s) == NULL);
    CHECK(session_rate(s) == 48000);
    Song *song = synth_song(1, 16, 125, 6);
    CHECK(session_start(s, song, NULL) == HISS_OK);
    session_play_song(s, 0, 0);
    CHECK(session_poll(s) == 0);
    CHECK(session_reconnect(s) != HISS_OK);
    session_close(s);
    song_free(song);
}

static void what_never_reached_the_engine_is_freed_at_close(void)
{
    News news = {0};
    Session *s = open_null(&news, false);
    if (!s)
        return;
    Song *song = synth_song(1, 16, 125, 6);
    /* Before session_start there is no engine: these wait in the session,
     * and close frees them (a retired pattern, a song never installed). */
    session_send(s, ENGINE_CMD_RETIRE_PATTERN, 0, 0, 0, song_pattern_new(16, 1));
    Song *never = synth_song(3, 16, 125, 6);
    session_install_song(s, never);
    session_close(s);
    /* The current song (the last installed) stays the owner's. */
    song_free(never);
    song_free(song);
}

int main(void)
{
    RUN(commands_before_the_engine_arrive_after_start);
    RUN(played_time_counts_the_engine_frames);
    RUN(another_song_brings_its_channel_outputs);
    RUN(without_audio_the_session_still_takes_commands);
    RUN(what_never_reached_the_engine_is_freed_at_close);
    return test_finish();
}
