/* cli_options: the one option table and parser behind every subcommand.
 * Every option gives the same result in each of its spellings, values are
 * held to the same limits, and the audio options land in AudioOptions.
 * (tests/integration/cli_options.sh runs the subcommands themselves.) */
#include "cli_audio.h"
#include "cli_options.h"
#include "song.h"
#include "test.h"

static const CliOpt ALL[] = {
    CLI_OPT_HELP,   CLI_OPT_QUIET,      CLI_OPT_SECONDS,       CLI_OPT_RATE,
    CLI_OPT_LOOP,   CLI_OPT_OUTPUT,     CLI_OPT_STEMS,         CLI_OPT_BITS,
    CLI_OPT_INTERP, CLI_OPT_NO_LIMITER, CLI_OPT_NO_LOUDNESS, CLI_OPT_ALLOW_MISSING, CLI_OPT_JSON,
    CLI_AUDIO_OPTIONS, CLI_OPT_MIDI_MAP, CLI_OPT_MIDI_CHANNEL, CLI_OPT_MIDI_CLOCK_IN,
    CLI_OPT_MIDI_TRANSPORT_IN,
};

/* convert's -o is spelled as render's but names a song: a subcommand
 * takes one or the other. */
static const CliOpt CONVERT[] = {CLI_OPT_HELP, CLI_OPT_QUIET, CLI_OPT_SONG_OUTPUT};

/* Parses the words (NULL-terminated) with the options accepted. */
static int parse_with(CliArgs *a, const char *const *words, const CliOpt *accepted,
                      size_t count)
{
    char *argv[16];
    int argc = 0;
    argv[argc++] = "test";
    for (; *words && argc < 16; words++)
        argv[argc++] = (char *)*words;
    return cli_options_parse("test", argc, argv, 1, accepted, count, a);
}

/* The same with every option accepted. */
static int parse(CliArgs *a, const char *const *words)
{
    return parse_with(a, words, ALL, HISS_ARRAY_LEN(ALL));
}

typedef struct {
    CliOpt opt;
    const char *spellings[4][3]; /* each: one or two words */
    const char *value;
    bool convert; /* parsed with convert's options instead of ALL */
} Case;

/* Each option in every spelling it has, all with the same value. */
static const Case CASES[] = {
    {CLI_OPT_SECONDS, {{"--seconds", "2.5"}, {"--seconds=2.5"}, {"-s", "2.5"}, {"-s2.5"}}, "2.5"},
    {CLI_OPT_RATE, {{"--rate", "44100"}, {"--rate=44100"}, {"-r", "44100"}, {"-r44100"}}, "44100"},
    {CLI_OPT_OUTPUT, {{"--output", "x.wav"}, {"--output=x.wav"}, {"-o", "x.wav"}, {"-ox.wav"}},
     "x.wav"},
    {CLI_OPT_SONG_OUTPUT, {{"--output", "x.hiss"}, {"--output=x.hiss"}, {"-o", "x.hiss"},
                           {"-ox.hiss"}}, "x.hiss", true},
    {CLI_OPT_STEMS, {{"--stems", "d"}, {"--stems=d"}}, "d"},
    {CLI_OPT_BITS, {{"--bits", "16"}, {"--bits=16"}}, "16"},
    {CLI_OPT_INTERP, {{"--interp", "sinc"}, {"--interp=sinc"}}, "sinc"},
    {CLI_OPT_AUDIO, {{"--audio", "null"}, {"--audio=null"}, {"-a", "null"}, {"-anull"}}, "null"},
    {CLI_OPT_DEVICE, {{"--device", "hw:1"}, {"--device=hw:1"}}, "hw:1"},
    {CLI_OPT_PERIOD, {{"--period", "128"}, {"--period=128"}}, "128"},
    {CLI_OPT_CLIENT_NAME, {{"--client-name", "me"}, {"--client-name=me"}}, "me"},
    {CLI_OPT_CONNECT, {{"--connect", "a:b,c:d"}, {"--connect=a:b,c:d"}}, "a:b,c:d"},
    {CLI_OPT_PORTS, {{"--ports", "per-channel"}, {"--ports=per-channel"}}, "per-channel"},
    {CLI_OPT_TRANSPORT, {{"--transport", "master"}, {"--transport=master"}}, "master"},
    {CLI_OPT_MIDI_MAP, {{"--midi-map", "1:02:3"}, {"--midi-map=1:02:3"}}, "1:02:3"},
    {CLI_OPT_MIDI_CHANNEL, {{"--midi-channel", "4"}, {"--midi-channel=4"}}, "4"},
    {CLI_OPT_HELP, {{"--help"}, {"-h"}}, NULL},
    {CLI_OPT_QUIET, {{"--quiet"}, {"-q"}}, NULL},
    {CLI_OPT_LOOP, {{"--loop"}}, NULL},
    {CLI_OPT_NO_LIMITER, {{"--no-limiter"}}, NULL},
    {CLI_OPT_NO_LOUDNESS, {{"--no-loudness"}}, NULL},
    {CLI_OPT_ALLOW_MISSING, {{"--allow-missing"}}, NULL},
    {CLI_OPT_JSON, {{"--json"}}, NULL},
    {CLI_OPT_NO_CONNECT, {{"--no-connect"}}, NULL},
    {CLI_OPT_START_SERVER, {{"--start-server"}}, NULL},
    {CLI_OPT_FALLBACK, {{"--fallback"}}, NULL},
    {CLI_OPT_MIDI_CLOCK_IN, {{"--midi-clock-in"}}, NULL},
    {CLI_OPT_MIDI_TRANSPORT_IN, {{"--midi-transport-in"}}, NULL},
};

static void every_spelling_gives_the_same_value(void)
{
    bool covered[CLI_OPT_COUNT] = {false};
    for (size_t c = 0; c < HISS_ARRAY_LEN(CASES); c++) {
        const Case *k = &CASES[c];
        covered[k->opt] = true;
        for (int s = 0; s < 4 && k->spellings[s][0]; s++) {
            CliArgs a;
            int rc = k->convert
                         ? parse_with(&a, k->spellings[s], CONVERT, HISS_ARRAY_LEN(CONVERT))
                         : parse(&a, k->spellings[s]);
            CHECK_MSG(rc == 0 && a.given[k->opt], "%s", k->spellings[s][0]);
            if (rc == 0 && k->value)
                CHECK_MSG(a.text[k->opt] && !strcmp(a.text[k->opt], k->value),
                          "%s gave '%s'", k->spellings[s][0],
                          a.text[k->opt] ? a.text[k->opt] : "(none)");
            CHECK(a.operand_count == 0);
            cli_args_free(&a);
        }
    }
    for (int o = 0; o < CLI_OPT_COUNT; o++)
        CHECK_MSG(covered[o], "option %d has no case here", o);
}

static void numbers_are_read_and_held_to_their_limits(void)
{
    static const struct {
        const char *arg;
        int rc;
        CliOpt opt;
        double value;
    } T[] = {
        {"--rate=8000", 0, CLI_OPT_RATE, 8000},
        {"--rate=192000", 0, CLI_OPT_RATE, 192000},
        {"--rate=7999", CLI_EXIT_USAGE, CLI_OPT_COUNT, 0},
        {"--rate=192001", CLI_EXIT_USAGE, CLI_OPT_COUNT, 0},
        {"--rate=48k", CLI_EXIT_USAGE, CLI_OPT_COUNT, 0},
        {"--rate=", CLI_EXIT_USAGE, CLI_OPT_COUNT, 0},
        {"--seconds=0.001", 0, CLI_OPT_SECONDS, 0.001},
        {"--seconds=1200", 0, CLI_OPT_SECONDS, 1200},
        {"--seconds=0", CLI_EXIT_USAGE, CLI_OPT_COUNT, 0},
        {"--seconds=-1", CLI_EXIT_USAGE, CLI_OPT_COUNT, 0},
        {"--seconds=1200.5", CLI_EXIT_USAGE, CLI_OPT_COUNT, 0},
        {"--seconds=nan", CLI_EXIT_USAGE, CLI_OPT_COUNT, 0},
        {"--seconds=inf", CLI_EXIT_USAGE, CLI_OPT_COUNT, 0},
        {"--period=16", 0, CLI_OPT_PERIOD, 16},
        {"--period=8192", 0, CLI_OPT_PERIOD, 8192},
        {"--period=15", CLI_EXIT_USAGE, CLI_OPT_COUNT, 0},
        {"--period=8193", CLI_EXIT_USAGE, CLI_OPT_COUNT, 0},
        {"--bits=24", 0, CLI_OPT_BITS, 0},
        {"--bits=8", CLI_EXIT_USAGE, CLI_OPT_COUNT, 0},
        {"--interp=quintic", CLI_EXIT_USAGE, CLI_OPT_COUNT, 0},
        {"--audio=oss", CLI_EXIT_USAGE, CLI_OPT_COUNT, 0},
        {"--ports=nine", CLI_EXIT_USAGE, CLI_OPT_COUNT, 0},
        {"--transport=sideways", CLI_EXIT_USAGE, CLI_OPT_COUNT, 0},
        {"--output=", CLI_EXIT_USAGE, CLI_OPT_COUNT, 0},
        {"--stems=", CLI_EXIT_USAGE, CLI_OPT_COUNT, 0},
        {"--device=", CLI_EXIT_USAGE, CLI_OPT_COUNT, 0},
        {"--client-name=", CLI_EXIT_USAGE, CLI_OPT_COUNT, 0},
        {"--midi-channel=1", 0, CLI_OPT_MIDI_CHANNEL, 1},
        {"--midi-channel=64", 0, CLI_OPT_MIDI_CHANNEL, 64},
        {"--midi-channel=0", CLI_EXIT_USAGE, CLI_OPT_COUNT, 0},
        {"--midi-channel=65", CLI_EXIT_USAGE, CLI_OPT_COUNT, 0},
    };
    for (size_t i = 0; i < HISS_ARRAY_LEN(T); i++) {
        CliArgs a;
        const char *words[] = {T[i].arg, NULL};
        int rc = parse(&a, words);
        CHECK_MSG(rc == T[i].rc, "%s: %d", T[i].arg, rc);
        if (rc == 0 && T[i].opt != CLI_OPT_BITS)
            CHECK_NEAR(a.number[T[i].opt], T[i].value, 1e-9);
        cli_args_free(&a);
    }
}

/* --interp takes exactly the engine's interpolation modes. */
static void interp_takes_every_engine_mode(void)
{
    for (int m = 0; m < INTERP_COUNT; m++) {
        CliArgs a;
        const char *words[] = {"--interp", song_interp_name((InterpMode)m), NULL};
        InterpMode back;
        CHECK_MSG(parse(&a, words) == 0, "%s", words[1]);
        CHECK(song_interp_parse(a.text[CLI_OPT_INTERP], &back) && back == (InterpMode)m);
        cli_args_free(&a);
    }
}

static void the_words_around_options(void)
{
    CliArgs a;
    /* Operands anywhere; "-" is one; after "--" everything is. */
    const char *w1[] = {"song", "-q", "-", "--", "--loop", "-x", NULL};
    CHECK(parse(&a, w1) == 0);
    CHECK(a.operand_count == 4);
    if (a.operand_count == 4) {
        CHECK_STR(a.operands[0], "song");
        CHECK_STR(a.operands[1], "-");
        CHECK_STR(a.operands[2], "--loop");
        CHECK_STR(a.operands[3], "-x");
    }
    CHECK(a.given[CLI_OPT_QUIET] && !a.given[CLI_OPT_LOOP]);
    cli_args_free(&a);
    /* A value may start with '-': it is then judged as a value. */
    const char *w2[] = {"--seconds", "-1", NULL};
    CHECK(parse(&a, w2) == CLI_EXIT_USAGE);
    cli_args_free(&a);
    /* The last of a repeated option wins. */
    const char *w3[] = {"--rate", "8000", "-r22050", NULL};
    CHECK(parse(&a, w3) == 0 && a.number[CLI_OPT_RATE] == 22050);
    cli_args_free(&a);
    static const char *const refused[][3] = {
        {"--loop=yes"}, {"--seconds"}, {"-s"}, {"--frobnicate"}, {"-z"},
        {"--rat", "8000"}, /* no abbreviations */
    };
    for (size_t i = 0; i < HISS_ARRAY_LEN(refused); i++) {
        CHECK_MSG(parse(&a, refused[i]) == CLI_EXIT_USAGE, "%s", refused[i][0]);
        cli_args_free(&a);
    }
    /* Only the options a subcommand takes. */
    static const CliOpt ONLY_HELP[] = {CLI_OPT_HELP};
    char *argv[] = {"test", "--seconds=1"};
    CHECK(cli_options_parse("test", 2, argv, 1, ONLY_HELP, 1, &a) == CLI_EXIT_USAGE);
    cli_args_free(&a);
}

static void audio_options_reach_the_backend(void)
{
    CliArgs a;
    const char *w[] = {"--audio=alsa",   "--device=hw:2",       "--period=64",
                       "-r96000",        "--client-name=beats", "--connect=a:1,a:2",
                       "--ports=per-channel", "--transport=follow", "--start-server",
                       "--fallback",     "--no-connect",        NULL};
    CHECK(parse(&a, w) == 0);
    AudioOptions o = {0};
    cli_audio_from_args(&a, &o);
    CHECK(o.backend && !strcmp(o.backend, "alsa"));
    CHECK(o.device && !strcmp(o.device, "hw:2"));
    CHECK(o.period == 64 && o.rate == 96000);
    CHECK(o.client_name && !strcmp(o.client_name, "beats"));
    CHECK(o.connect && !strcmp(o.connect, "a:1,a:2"));
    CHECK(o.per_channel_ports && o.transport == AUDIO_TRANSPORT_FOLLOW);
    CHECK(o.start_server && o.fall_back && o.no_connect);
    cli_args_free(&a);

    const char *w2[] = {"--audio", "auto", "--ports", "stereo", "--transport", "master", NULL};
    CHECK(parse(&a, w2) == 0);
    AudioOptions p = {.backend = "jack", .per_channel_ports = true};
    cli_audio_from_args(&a, &p);
    CHECK(p.backend == NULL && !p.per_channel_ports);
    CHECK(p.transport == AUDIO_TRANSPORT_MASTER);
    CHECK(!p.no_connect && !p.fall_back && p.rate == 0 && p.period == 0);
    cli_args_free(&a);

    /* A value from the environment is checked like one on the line. */
    CliArgs e = {0};
    CHECK(cli_options_value("env", "HISS_AUDIO", CLI_OPT_AUDIO, "null", &e) == 0 && e.given[CLI_OPT_AUDIO]);
    CHECK(cli_options_value("env", "HISS_AUDIO", CLI_OPT_AUDIO, "oss", &e) == CLI_EXIT_USAGE);
}

int main(void)
{
    RUN(every_spelling_gives_the_same_value);
    RUN(numbers_are_read_and_held_to_their_limits);
    RUN(interp_takes_every_engine_mode);
    RUN(the_words_around_options);
    RUN(audio_options_reach_the_backend);
    return test_finish();
}
