/* songfile: the .hiss format. Round trips (text -> song -> same text, and
 * song -> text -> same song), every error with its exact line and column,
 * and robustness against truncated and damaged files. */
#include <stdlib.h>
#include <time.h>

#include "songfile.h"
#include "test.h"

/* ------------------------------------------------------------ the rich song */

static const char RICH_HEAD[] =
    "hiss 1\n"
    "title \"Say \\\"hi\\\" \\\\ \xC3\x9Cn\xC3\xAF" "c\xC3\xB6" "d\xC3\xA9 \xE2\x99\xAA\"\n"
    "bpm 88\n"
    "speed 5\n"
    "rows_per_beat 3\n"
    "swing 12\n"
    "master_gain -3.5\n"
    "limiter off\n"
    "slides amiga\n"
    "channels 3\n"
    "channel 01 name \"drums \\\"A\\\"\" gain -6.5 pan -20 mute off solo on\n"
    "channel 03 gain 12.0 pan 100 mute on solo off\n"
    "master_eq low_cut 30 low_shelf 120 -2.5 mid 2400 3.0 q 1.4 high_shelf 9000 -24.0 "
    "high_cut 18000\n"
    "\n"
    "instrument 01 \"kick \\\"808\\\"\" sample \"../samples/kick.wav\" volume 64 "
    "pan 0 base C-4 finetune 0 loop off 0 0 interp raw\n"
    "instrument 02 \"pad\\\\wide\" sample \"pads/wide pad.flac\" volume 40 "
    "pan -100 base A#3 finetune -100 loop forward 100 2000 interp linear "
    "attack 5 hold 10 decay 200 sustain 40 release 300 pitch_env -12 "
    "pitch_decay 80 filter lp24 cutoff 800 resonance 70 filter_env 24 "
    "filter_env_from own fenv_attack 3 fenv_hold 4 fenv_decay 250 fenv_sustain 20 "
    "fenv_release 90 key_track 50 filter_vel 12 crush_bits 8 crush_rate 11025 crush_mix 60 "
    "drive 30 drive_type hard drive_vel 40 mode legato glide 120 end 30000 start 100 reverse on "
    "choke 2 choke_fade 8\n"
    "instrument FF \"\" sample \"\" volume 0 pan 100 base B-9 finetune 100 "
    "loop pingpong 0 4294967295 interp sinc\n"
    "\n"
    "order 00 01 00 FF\n"
    "\n"
    "pattern 00 4\n"
    "000 |C-4 01 40 A0F ...|... .. .. ... ...|C#5 FF 00 R21 Z00|\n"
    "001 |=== .. .. ... ...|^^^ .. .. ... ...|... .. 20 ... 9FF|\n"
    "002 |C-0 02 .. 000 ...|B-9 .. .. F7D ...|... .. .. ... ...|\n"
    "003 |... .. .. ... ...|... .. .. ... ...|... .. .. ... ...|\n"
    "\n"
    "pattern 01 1\n"
    "000 |D-2 .. .. ... ...|... .. .. ... ...|... .. .. ... ...|\n"
    "\n"
    "pattern 07 2\n"
    "000 |... .. .. ... ...|... .. .. ... ...|... .. .. ... ...|\n"
    "001 |... .. .. ... ...|... .. .. ... ...|E-6 02 01 B01 C40|\n";

static const char *const FF_CELLS[] = {
    "... .. .. ... ...", "G#7 03 3F 1FF ...", "=== .. .. ... ...",
    "A-1 .. 00 ... S12", "^^^ 7E .. E93 E93", "F-9 FF .. ... ...",
    "... .. 40 D04 ...",
};

/* The head above plus a full 256-row pattern FF (which the order uses). */
static char *rich_text(size_t *len)
{
    size_t cap = sizeof RICH_HEAD + 64 + 256 * 64;
    char *t = malloc(cap);
    size_t n = (size_t)snprintf(t, cap, "%s\npattern FF 256\n", RICH_HEAD);
    for (int r = 0; r < 256; r++)
        n += (size_t)snprintf(t + n, cap - n, "%03d |%s|%s|%s|\n", r,
                              FF_CELLS[r % 7], FF_CELLS[(r * 3 + 1) % 7],
                              FF_CELLS[(r / 5 + 2) % 7]);
    *len = n;
    return t;
}

static Song *parse_ok(const char *text, size_t len)
{
    Song *song = NULL;
    HissDiag diag = {{0}};
    HissError err = songfile_parse(text, len, "t.hiss", &song, &diag);
    CHECK_MSG(err == HISS_OK, "%s", diag.text);
    return song;
}

static int cell_is(const Pattern *p, int row, int ch, int note, int inst,
                   int vol, int fx, int param, int fx2, int param2)
{
    Cell c = song_pattern_get(p, row, ch);
    return c.note == note && c.instrument == inst && c.volume == vol &&
           c.fx == fx && c.fx_param == param && c.fx2 == fx2 &&
           c.fx2_param == param2;
}

static void test_rich_song_loads(void)
{
    size_t len;
    char *text = rich_text(&len);
    Song *s = parse_ok(text, len);
    free(text);
    if (!s)
        return;
    CHECK_STR(s->title, "Say \"hi\" \\ \xC3\x9Cn\xC3\xAF" "c\xC3\xB6" "d\xC3\xA9 \xE2\x99\xAA");
    CHECK(s->bpm_tenths == 880 && s->speed == 5 && s->rows_per_beat == 3);
    CHECK(s->swing == 12 && s->master_gain_tenth_db == -35);
    CHECK(!s->limiter && s->channels == 3 && s->slides == SLIDES_AMIGA);
    CHECK(s->strips[0].gain_tenth_db == -65 && s->strips[0].pan == -20);
    CHECK(!s->strips[0].mute && s->strips[0].solo);
    CHECK_STR(s->strips[0].name, "drums \"A\"");
    CHECK_STR(s->strips[2].name, "");
    CHECK(s->master_eq.low_cut_hz == 30 && s->master_eq.low_shelf_hz == 120);
    CHECK(s->master_eq.low_shelf_tenth_db == -25 && s->master_eq.mid_hz == 2400);
    CHECK(s->master_eq.mid_tenth_db == 30 && s->master_eq.mid_q_tenths == 14);
    CHECK(s->master_eq.high_shelf_hz == 9000 && s->master_eq.high_shelf_tenth_db == -240);
    CHECK(s->master_eq.high_cut_hz == 18000);
    CHECK(s->strips[1].gain_tenth_db == SONG_CHANNEL_GAIN_DEFAULT && s->strips[1].pan == 0);
    CHECK(!s->strips[1].mute && !s->strips[1].solo);
    CHECK(s->strips[2].gain_tenth_db == 120 && s->strips[2].pan == 100);
    CHECK(s->strips[2].mute && !s->strips[2].solo);

    Instrument *kick = song_instrument(s, 1);
    CHECK(kick != NULL);
    if (kick) {
        CHECK_STR(kick->name, "kick \"808\"");
        CHECK_STR(kick->path, "../samples/kick.wav");
        CHECK(kick->volume == 64 && kick->pan == 0);
        CHECK(kick->base_note == NOTE_C4 && kick->finetune == 0);
        CHECK(kick->loop == LOOP_OFF && kick->interp == INTERP_RAW);
        CHECK(kick->sample == NULL && !kick->missing);
    }
    Instrument *pad = song_instrument(s, 2);
    CHECK(pad != NULL);
    if (pad) {
        CHECK_STR(pad->name, "pad\\wide");
        CHECK_STR(pad->path, "pads/wide pad.flac");
        CHECK(pad->volume == 40 && pad->pan == -100 && pad->finetune == -100);
        CHECK(pad->base_note == NOTE_FIRST + 3 * 12 + 10); /* A#3 */
        CHECK(pad->loop == LOOP_FORWARD && pad->loop_start == 100 &&
              pad->loop_end == 2000 && pad->interp == INTERP_LINEAR);
        CHECK(pad->shape[SHAPE_ATTACK] == 5 && pad->shape[SHAPE_HOLD] == 10 &&
              pad->shape[SHAPE_DECAY] == 200 && pad->shape[SHAPE_SUSTAIN] == 40 &&
              pad->shape[SHAPE_RELEASE] == 300 && pad->shape[SHAPE_PITCH] == -12 &&
              pad->shape[SHAPE_PITCH_DECAY] == 80);
        CHECK(pad->shape[SHAPE_FENV_FROM] == SHAPE_FENV_OWN &&
              pad->shape[SHAPE_FENV_ATTACK] == 3 && pad->shape[SHAPE_FENV_HOLD] == 4 &&
              pad->shape[SHAPE_FENV_DECAY] == 250 && pad->shape[SHAPE_FENV_SUSTAIN] == 20 &&
              pad->shape[SHAPE_FENV_RELEASE] == 90);
        CHECK(pad->shape[SHAPE_FILTER] == SHAPE_FILTER_LP24 &&
              pad->shape[SHAPE_CUTOFF] == 800 && pad->shape[SHAPE_RESONANCE] == 70 &&
              pad->shape[SHAPE_FILTER_ENV] == 24 && pad->shape[SHAPE_KEY_TRACK] == 50 &&
              pad->shape[SHAPE_FILTER_VEL] == 12 && pad->shape[SHAPE_CRUSH_BITS] == 8 &&
              pad->shape[SHAPE_CRUSH_RATE] == 11025 && pad->shape[SHAPE_CRUSH_MIX] == 60 &&
              pad->shape[SHAPE_DRIVE] == 30 &&
              pad->shape[SHAPE_DRIVE_TYPE] == SHAPE_DRIVE_HARD &&
              pad->shape[SHAPE_DRIVE_VEL] == 40);
        CHECK(pad->shape[SHAPE_VOICE_MODE] == SHAPE_MODE_LEGATO &&
              pad->shape[SHAPE_GLIDE] == 120 && pad->shape[SHAPE_CHOKE] == 2 &&
              pad->shape[SHAPE_CHOKE_FADE] == 8 && pad->shape[SHAPE_END] == 30000 &&
              pad->shape[SHAPE_START] == 100);
    }
    Instrument *last = song_instrument(s, 255);
    CHECK(last != NULL);
    if (last) {
        CHECK_STR(last->name, "");
        CHECK_STR(last->path, "");
        CHECK(last->volume == 0 && last->pan == 100 && last->finetune == 100);
        /* Fields left out keep their defaults. */
        CHECK(shape_is_default(last->shape));
        CHECK(last->base_note == NOTE_LAST && last->loop == LOOP_PINGPONG);
        CHECK(last->loop_start == 0 && last->loop_end == 4294967295u);
        CHECK(last->interp == INTERP_SINC);
    }
    CHECK(song_instrument(s, 3) == NULL);

    CHECK(s->order_count == 4);
    CHECK(s->orders[0] == 0 && s->orders[1] == 1 && s->orders[2] == 0 &&
          s->orders[3] == 0xFF);

    Pattern *p0 = song_pattern(s, 0);
    CHECK(p0 && p0->rows == 4 && p0->channels == 3);
    if (p0) {
        CHECK(cell_is(p0, 0, 0, NOTE_C4, 1, 0x40, 'A', 0x0F, 0, 0));
        CHECK(song_cell_is_empty(song_pattern_get(p0, 0, 1)));
        CHECK(cell_is(p0, 0, 2, NOTE_C4 + 13, 0xFF, 0, 'R', 0x21, 'Z', 0));
        CHECK(cell_is(p0, 1, 0, NOTE_OFF, 0, VOLUME_EMPTY, 0, 0, 0, 0));
        CHECK(cell_is(p0, 1, 1, NOTE_CUT, 0, VOLUME_EMPTY, 0, 0, 0, 0));
        CHECK(cell_is(p0, 1, 2, NOTE_EMPTY, 0, 0x20, 0, 0, '9', 0xFF));
        CHECK(cell_is(p0, 2, 0, NOTE_FIRST, 2, VOLUME_EMPTY, '0', 0, 0, 0));
        CHECK(cell_is(p0, 2, 1, NOTE_LAST, 0, VOLUME_EMPTY, 'F', 0x7D, 0, 0));
    }
    /* Pattern 07 is in no order entry and is kept all the same. */
    Pattern *p7 = song_pattern(s, 7);
    CHECK(p7 && p7->rows == 2);
    if (p7)
        CHECK(cell_is(p7, 1, 2, NOTE_FIRST + 6 * 12 + 4, 2, 1, 'B', 1, 'C',
                      0x40));
    Pattern *pff = song_pattern(s, 0xFF);
    CHECK(pff && pff->rows == 256 && pff->channels == 3);
    if (pff)
        CHECK(cell_is(pff, 1, 0, NOTE_FIRST + 7 * 12 + 8, 3, 0x3F, '1', 0xFF,
                      0, 0));
    CHECK(song_pattern(s, 2) == NULL);
    song_free(s);
}

static void test_rich_song_formats_to_same_bytes(void)
{
    size_t len;
    char *text = rich_text(&len);
    Song *s = parse_ok(text, len);
    char *out = NULL;
    size_t out_len = 0;
    if (s)
        CHECK(songfile_format(s, &out, &out_len) == HISS_OK);
    CHECK(out_len == len);
    CHECK(out && !memcmp(out, text, len) && out[out_len] == 0);
    if (out && (out_len != len || memcmp(out, text, len))) {
        size_t i = 0;
        while (i < len && i < out_len && out[i] == text[i])
            i++;
        fprintf(stderr, "  first difference at byte %zu: \"%.40s\"\n", i,
                out + i);
    }
    free(out);
    song_free(s);
    free(text);
}

/* Line ends, trailing blanks, a byte order mark, tabs, lowercase hex,
 * extra blank lines and instrument fields in any order all load, and the
 * song saves in canonical form. */
static void test_tolerated_input_saves_canonical(void)
{
    const char *loose =
        "\xEF\xBB\xBFhiss 1  \r\n"
        "\r\n"
        "channels\t2\r\n"
        "  bpm   100 \r\n"
        "\n\n"
        "instrument 0a \"snare\" interp sinc volume 10 sample \"s.wav\"\r\n"
        "channel 2 mute on  gain -0.0\r\n"
        "channel 1 gain -15.0\n"
        "order 00   0b\n"
        "\n\n\n"
        "pattern 0b 1\n"
        "000 |c-4 .. .. ... ...|... .. .. ... ...|   \n"
        "pattern 00 2\r\n"
        "000 |C-4 0a 3f A0f ...|... .. .. ... ...|\r\n"
        "001 |... .. .. ... ...|... .. .. ... ...|\t\r\n";
    /* "c-4" is not a note: lowercase is only for hex digits. */
    Song *bad = NULL;
    HissDiag diag = {{0}};
    CHECK(songfile_parse(loose, strlen(loose), "t.hiss", &bad, &diag) ==
          HISS_ERR_PARSE);
    CHECK_STR(diag.text, "t.hiss:15:6: bad note 'c-4' (C-0..B-9, === off, "
                         "^^^ cut, ... empty)");

    char *fixed = strdup(loose);
    char *c4 = strstr(fixed, "c-4");
    c4[0] = 'C';
    Song *s = parse_ok(fixed, strlen(fixed));
    free(fixed);
    if (!s)
        return;
    const char *canonical =
        "hiss 1\n"
        "title \"\"\n"
        "bpm 100\n"
        "speed 6\n"
        "rows_per_beat 4\n"
        "swing 0\n"
        "master_gain 0.0\n"
        "limiter on\n"
        "channels 2\n"
        "channel 02 gain 0.0 pan 0 mute on solo off\n"
        "\n"
        "instrument 0A \"snare\" sample \"s.wav\" volume 10 pan 0 base C-4 "
        "finetune 0 loop off 0 0 interp sinc\n"
        "\n"
        "order 00 0B\n"
        "\n"
        "pattern 00 2\n"
        "000 |C-4 0A 3F A0F ...|... .. .. ... ...|\n"
        "001 |... .. .. ... ...|... .. .. ... ...|\n"
        "\n"
        "pattern 0B 1\n"
        "000 |C-4 .. .. ... ...|... .. .. ... ...|\n";
    char *out = NULL;
    size_t len = 0;
    CHECK(songfile_format(s, &out, &len) == HISS_OK);
    CHECK_STR(out ? out : "", canonical);
    CHECK(len == strlen(canonical));
    free(out);
    song_free(s);
}

/* A tempo with a decimal loads in tenths and is written back as it was
 * typed; a whole one keeps the old form ("bpm 120", no ".0"). */
static void test_fractional_bpm(void)
{
    static const struct { const char *in, *out; int tenths; } cases[] = {
        {"92.5", "92.5", 925}, {"120", "120", 1200}, {"120.0", "120", 1200},
        {"32.1", "32.1", 321}, {"255.0", "255", 2550},
    };
    for (size_t i = 0; i < HISS_ARRAY_LEN(cases); i++) {
        char text[64], want[64];
        snprintf(text, sizeof text, "hiss 1\nbpm %s\n", cases[i].in);
        snprintf(want, sizeof want, "\nbpm %s\n", cases[i].out);
        Song *s = parse_ok(text, strlen(text));
        if (!s)
            continue;
        CHECK_MSG(atomic_load(&s->bpm_tenths) == cases[i].tenths, "bpm %s: %d tenths",
                  cases[i].in, atomic_load(&s->bpm_tenths));
        char *out = NULL;
        size_t len = 0;
        CHECK(songfile_format(s, &out, &len) == HISS_OK);
        CHECK_MSG(out && strstr(out, want), "bpm %s written as: %.40s", cases[i].in,
                  out ? out : "");
        free(out);
        song_free(s);
    }
}

/* Parses len bytes (a copy of exactly that many, so ASan sees any read
 * past the end) and formats what loaded; NULL when it did not load. */
static char *load_and_format(const char *text, size_t len, size_t *out_len)
{
    char *copy = malloc(len ? len : 1);
    memcpy(copy, text, len);
    Song *s = NULL;
    HissDiag diag;
    char *out = NULL;
    *out_len = 0;
    if (songfile_parse(copy, len, "t.hiss", &s, &diag) == HISS_OK &&
        songfile_format(s, &out, out_len) != HISS_OK) {
        free(out);
        out = NULL;
    }
    song_free(s);
    free(copy);
    return out;
}

/* Every prefix of the CRLF form (lines ending " \r\n") loads to the same
 * song as the LF prefix with the same content, or fails as it does; also
 * when the cut falls between the CR and the LF. */
static void test_crlf_matches_lf(void)
{
    size_t len;
    char *text = rich_text(&len);
    char *crlf = malloc(len * 3 + 1);
    size_t *at = malloc((len + 1) * sizeof *at); /* LF prefix m = CRLF prefix at[m] */
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        at[i] = n;
        if (text[i] == '\n') {
            crlf[n++] = ' ';
            crlf[n++] = '\r';
        }
        crlf[n++] = text[i];
    }
    at[len] = n;
    int differ = 0, loaded = 0;
    for (size_t m = 0; m <= len; m++) {
        size_t lf_len, cr_len;
        char *lf_out = load_and_format(text, m, &lf_len);
        /* The CRLF prefix with the same content; when the LF prefix ends
         * just before a newline, also the one cut after the CR. */
        size_t cuts[2] = {at[m], m < len && text[m] == '\n' ? at[m] + 2 : at[m]};
        for (int k = 0; k < 2; k++) {
            char *cr_out = load_and_format(crlf, cuts[k], &cr_len);
            if ((lf_out == NULL) != (cr_out == NULL) ||
                (lf_out && (lf_len != cr_len || memcmp(lf_out, cr_out, lf_len)))) {
                if (differ++ < 3)
                    fprintf(stderr, "  LF prefix %zu and CRLF prefix %zu differ\n", m,
                            cuts[k]);
            }
            free(cr_out);
        }
        loaded += lf_out != NULL;
        free(lf_out);
    }
    CHECK(differ == 0);
    CHECK(loaded > 2); /* the comparison saw loading prefixes, not only failures */
    size_t out_len;
    char *out = load_and_format(crlf, n, &out_len);
    CHECK(out && out_len == len && !memcmp(out, text, len));
    free(out);
    free(at);
    free(crlf);
    free(text);
}

/* ------------------------------------------- song -> text -> song, by API */

static uint32_t rng_state = 12345;
static uint32_t rnd(uint32_t n)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return (rng_state >> 8) % n;
}

static Cell random_cell(void)
{
    static const char FX[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    Cell c = song_cell_empty();
    uint32_t k = rnd(8);
    if (k == 0)
        return c;
    c.note = (uint8_t)(k == 1 ? NOTE_OFF : k == 2 ? NOTE_CUT
                                                  : 1 + rnd(NOTE_LAST));
    c.instrument = (uint8_t)rnd(256);
    c.volume = (uint8_t)(rnd(3) ? rnd(VOLUME_MAX + 1) : VOLUME_EMPTY);
    if (rnd(2)) {
        c.fx = (uint8_t)FX[rnd(36)];
        c.fx_param = (uint8_t)rnd(256);
    }
    if (rnd(2)) {
        c.fx2 = (uint8_t)FX[rnd(36)];
        c.fx2_param = (uint8_t)rnd(256);
    }
    return c;
}

static Song *random_song(int patterns, int rows, int channels)
{
    Song *s = song_new_empty();
    snprintf(s->title, sizeof s->title, "random \"%u\" \\",
             (unsigned)rnd(1000));
    s->bpm_tenths = 320 + (int)rnd(2231);
    s->speed = 1 + (int)rnd(31);
    s->rows_per_beat = 1 + (int)rnd(32);
    s->swing = (int)rnd(101);
    s->master_gain_tenth_db = -600 + (int)rnd(721);
    s->limiter = rnd(2);
    s->slides = rnd(2) ? SLIDES_AMIGA : SLIDES_LINEAR;
    s->channels = channels;
    for (int i = 0; i < 6; i++) {
        Instrument *inst = song_instrument_new();
        snprintf(inst->name, sizeof inst->name, "inst %d", i);
        snprintf(inst->path, sizeof inst->path, "dir/file %d.wav", i);
        inst->volume = (int)rnd(65);
        inst->pan = -100 + (int)rnd(201);
        inst->finetune = -100 + (int)rnd(201);
        inst->base_note = (uint8_t)(1 + rnd(NOTE_LAST));
        inst->loop = (LoopMode)(i % 3);
        inst->interp = (InterpMode)(i % INTERP_COUNT);
        inst->loop_start = rnd(1000);
        inst->loop_end = inst->loop_start + rnd(100000);
        /* Slices: none, a few, or the most an instrument holds; an empty
         * list the song gave must survive too. */
        int slices = i % 3 == 0 ? 0 : i % 3 == 1 ? 1 + (int)rnd(8) : SONG_MAX_SLICES;
        uint32_t at = rnd(50);
        for (int k = 0; k < slices; k++) {
            inst->slices[k] = at;
            at += 1 + rnd(100000);
        }
        inst->slice_count = slices;
        if (i % 2)
            inst->given |= INST_GIVEN_SLICES;
        /* Point envelopes: none, a volume one with a sustain, a fadeout
         * and maybe a loop, or all four kinds with every point. */
        for (int e = 0; e < (i % 3 == 2 ? SONG_ENV_KINDS : i % 3); e++) {
            SongEnvelope *env = &inst->env[e];
            env->count = i % 3 == 2 ? SONG_ENV_POINTS : 2 + (int)rnd(10);
            int tick = (int)rnd(5);
            for (int k = 0; k < env->count; k++) {
                env->tick[k] = (uint16_t)tick;
                env->value[k] = (uint8_t)rnd(SONG_ENV_TOP + 1);
                tick += 1 + (int)rnd(2000);
            }
            env->sustain_start = env->sustain_end = (int)rnd((uint32_t)env->count);
            if (rnd(2)) {
                env->loop_start = (int)rnd((uint32_t)env->count);
                env->loop_end = env->count - 1;
            }
        }
        if (inst->vol_env.count)
            inst->fadeout = 1 + (int)rnd(SONG_FADEOUT_MAX);
        inst->env_keep_bare = i % 3 == 1;
        inst->fade_after_env = i % 3 == 2;
        inst->filter_it = i % 2 == 1;
        s->instruments[1 + i * 50] = inst;
    }
    for (int i = 0; i < patterns; i++) {
        int index = patterns < SONG_MAX_PATTERNS ? (i * 37) % 256 : i;
        Pattern *p = song_pattern_new(rows, channels);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < channels; c++)
                song_pattern_set(p, r, c, random_cell());
        s->patterns[index] = p;
        s->orders[i % SONG_MAX_ORDERS] = (uint8_t)index;
    }
    s->order_count = patterns < SONG_MAX_ORDERS ? patterns : SONG_MAX_ORDERS;
    return s;
}

static bool envelopes_equal(const SongEnvelope *x, const SongEnvelope *y)
{
    return x->count == y->count &&
           !memcmp(x->tick, y->tick, sizeof x->tick[0] * (size_t)x->count) &&
           !memcmp(x->value, y->value, (size_t)x->count) &&
           x->sustain_start == y->sustain_start && x->sustain_end == y->sustain_end &&
           x->loop_start == y->loop_start && x->loop_end == y->loop_end;
}

static int songs_equal(const Song *a, const Song *b)
{
    int ok = !strcmp(a->title, b->title) && a->bpm_tenths == b->bpm_tenths &&
             a->speed == b->speed && a->rows_per_beat == b->rows_per_beat &&
             a->swing == b->swing &&
             a->master_gain_tenth_db == b->master_gain_tenth_db &&
             a->limiter == b->limiter && a->slides == b->slides &&
             a->channels == b->channels &&
             a->order_count == b->order_count;
    for (int i = 0; ok && i < a->order_count; i++)
        ok = a->orders[i] == b->orders[i];
    for (int i = 1; ok && i <= SONG_MAX_INSTRUMENTS; i++) {
        const Instrument *x = song_instrument(a, i);
        const Instrument *y = song_instrument(b, i);
        if (!x || !y) {
            ok = !x && !y;
            continue;
        }
        ok = !strcmp(x->name, y->name) && !strcmp(x->path, y->path) &&
             x->volume == y->volume && x->pan == y->pan &&
             x->base_note == y->base_note && x->finetune == y->finetune &&
             x->loop == y->loop && x->loop_start == y->loop_start &&
             x->loop_end == y->loop_end && x->interp == y->interp &&
             x->slice_count == y->slice_count && envelopes_equal(&x->vol_env, &y->vol_env) &&
             envelopes_equal(&x->pan_env, &y->pan_env) &&
             envelopes_equal(&x->pitch_env, &y->pitch_env) &&
             envelopes_equal(&x->filter_env, &y->filter_env) && x->fadeout == y->fadeout &&
             x->env_keep_bare == y->env_keep_bare && x->fade_after_env == y->fade_after_env && x->filter_it == y->filter_it &&
             x->nna == y->nna &&
             x->dupcheck == y->dupcheck && x->dupaction == y->dupaction &&
             !memcmp(x->autovib, y->autovib, sizeof x->autovib) &&
             !memcmp(x->slices, y->slices, sizeof x->slices[0] * (size_t)x->slice_count) &&
             /* An empty list the song gave is written as such. */
             (x->slice_count || !(x->given & INST_GIVEN_SLICES) ||
              (y->given & INST_GIVEN_SLICES));
    }
    for (int i = 0; ok && i < SONG_MAX_PATTERNS; i++) {
        const Pattern *x = song_pattern(a, i);
        const Pattern *y = song_pattern(b, i);
        if (!x || !y) {
            ok = !x && !y;
            continue;
        }
        ok = x->rows == y->rows && x->channels == y->channels;
        for (int r = 0; ok && r < x->rows; r++)
            for (int c = 0; ok && c < x->channels; c++)
                ok = song_cell_pack(song_pattern_get(x, r, c)) ==
                     song_cell_pack(song_pattern_get(y, r, c));
    }
    return ok;
}

static void test_model_round_trip(void)
{
    for (int round = 0; round < 5; round++) {
        Song *a = random_song(3 + round, 1 + (int)rnd(256), 1 + (int)rnd(64));
        char *text = NULL;
        size_t len = 0;
        CHECK(songfile_format(a, &text, &len) == HISS_OK);
        Song *b = text ? parse_ok(text, len) : NULL;
        CHECK(b && songs_equal(a, b));
        song_free(a);
        song_free(b);
        free(text);
    }
}

/* The biggest kind of song people make: 256 patterns x 64 channels. */
static void test_large_song(void)
{
    Song *a = random_song(SONG_MAX_PATTERNS, 64, SONG_MAX_CHANNELS);
    char *text = NULL;
    size_t len = 0;
    clock_t t0 = clock();
    CHECK(songfile_format(a, &text, &len) == HISS_OK);
    clock_t t1 = clock();
    Song *b = text ? parse_ok(text, len) : NULL;
    clock_t t2 = clock();
    CHECK(b && songs_equal(a, b));
    printf("     256 x 64ch x 64 rows: %.1f MB, format %.0f ms, parse %.0f "
           "ms\n",
           len / 1e6, (t1 - t0) * 1000.0 / CLOCKS_PER_SEC,
           (t2 - t1) * 1000.0 / CLOCKS_PER_SEC);
    song_free(a);
    song_free(b);
    free(text);
}

/* Every song hiss can hold fits the size and line limits. The largest is
 * computed from one largest pattern and the longest instrument line. */
static void test_largest_song_fits_limits(void)
{
    Song *s = song_new_empty();
    s->channels = SONG_MAX_CHANNELS;
    memset(s->title, '"', SONG_TITLE_MAX - 1);
    Pattern *p = song_pattern_new(SONG_MAX_ROWS, SONG_MAX_CHANNELS);
    Cell full = {NOTE_C4 + 1, 0xFF, 0x40, 'Z', 0xFF, 'Z', 0xFF};
    for (int r = 0; r < SONG_MAX_ROWS; r++)
        for (int c = 0; c < SONG_MAX_CHANNELS; c++)
            song_pattern_set(p, r, c, full);
    s->patterns[0xFF] = p;
    Instrument *inst = song_instrument_new();
    memset(inst->name, '\\', SONG_NAME_MAX - 1);
    memset(inst->path, '"', SONG_PATH_MAX - 1);
    inst->pan = -100;
    inst->finetune = -100;
    inst->loop = LOOP_PINGPONG;
    inst->loop_start = 4294967295u;
    inst->loop_end = 4294967295u;
    for (int k = 0; k < SONG_MAX_SLICES; k++)
        inst->slices[k] = 4294967295u - SONG_MAX_SLICES + (uint32_t)k;
    inst->slice_count = SONG_MAX_SLICES;
    for (int k = 0; k < SHAPE_COUNT; k++) {
        /* Every shaping field written, each at its widest value. */
        const ShapeInfo *info = shape_info((ShapeParam)k);
        inst->shape[k] = info->def == info->min ? info->max : info->min;
    }
    s->instruments[0xFF] = inst;
    s->master_gain_tenth_db = -600;
    s->order_count = SONG_MAX_ORDERS;
    for (int i = 0; i < SONG_MAX_ORDERS; i++)
        s->orders[i] = 0xFF;

    char *text = NULL;
    size_t len = 0;
    CHECK(songfile_format(s, &text, &len) == HISS_OK);
    size_t longest = 0, pattern_bytes = 0, inst_line = 0;
    for (char *line = text; line && *line;) {
        char *nl = strchr(line, '\n');
        size_t n = (size_t)(nl - line);
        if (n > longest)
            longest = n;
        if (!strncmp(line, "instrument", 10))
            inst_line = n + 1;
        line = nl + 1;
    }
    char *pat = text ? strstr(text, "\npattern FF") : NULL;
    if (pat)
        pattern_bytes = len - (size_t)(pat - text);
    size_t worst = len + (SONG_MAX_PATTERNS - 1) * pattern_bytes +
                   (SONG_MAX_INSTRUMENTS - 1) * inst_line;
    printf("     largest song: %zu bytes (limit %d), longest line %zu "
           "(limit %d)\n",
           worst, SONGFILE_MAX_BYTES, longest, SONGFILE_MAX_LINE);
    CHECK(pattern_bytes > 0 && inst_line > 0);
    CHECK(worst <= SONGFILE_MAX_BYTES);
    CHECK(longest <= SONGFILE_MAX_LINE);
    Song *back = text ? parse_ok(text, len) : NULL;
    CHECK(back && songs_equal(s, back));
    song_free(back);
    song_free(s);
    free(text);
}

/* Whatever an editor leaves in the model, the saved file loads again:
 * values are clamped, unusable bytes replaced, nothing dropped but order
 * entries that name no pattern. */
static void test_format_always_loads(void)
{
    Song *s = song_new_empty();
    strcpy(s->title, "bad\x01\xFF\xC3 utf");
    s->bpm_tenths = 9999;
    s->speed = 0;
    s->swing = -5;
    s->master_gain_tenth_db = 5000;
    s->channels = 2;
    Pattern *narrow = song_pattern_new(2, 1);
    Cell weird = {200, 7, 0x70, 'a', 0x12, '!', 0x34};
    song_pattern_set(narrow, 0, 0, weird);
    s->patterns[3] = narrow;
    Pattern *wide = song_pattern_new(1, 3);
    Cell c = {NOTE_C4, 1, 0x10, 'A', 1, 0, 0};
    song_pattern_set(wide, 0, 2, c);
    s->patterns[4] = wide;
    s->order_count = 3;
    s->orders[0] = 3;
    s->orders[1] = 9; /* no pattern 09 */
    s->orders[2] = 4;
    Instrument *inst = song_instrument_new();
    strcpy(inst->name, "tab\there");
    inst->volume = 99;
    inst->pan = -300;
    inst->base_note = NOTE_OFF;
    inst->loop = (LoopMode)7;
    inst->interp = (InterpMode)9;
    inst->loop_start = 50;
    inst->loop_end = 10;
    s->instruments[5] = inst;

    char *text = NULL;
    size_t len = 0;
    CHECK(songfile_format(s, &text, &len) == HISS_OK);
    Song *b = text ? parse_ok(text, len) : NULL;
    if (b) {
        CHECK_STR(b->title, "bad??? utf");
        CHECK(b->bpm_tenths == 2550 && b->speed == 1 && b->swing == 0);
        CHECK(b->master_gain_tenth_db == 120);
        CHECK(b->channels == 3); /* widened to the widest pattern */
        CHECK(b->order_count == 2 && b->orders[0] == 3 && b->orders[1] == 4);
        Pattern *p3 = song_pattern(b, 3);
        CHECK(p3 && p3->channels == 3 && p3->rows == 2);
        if (p3)
            CHECK(cell_is(p3, 0, 0, NOTE_EMPTY, 7, 0x40, 0, 0, 0, 0));
        Pattern *p4 = song_pattern(b, 4);
        CHECK(p4 && cell_is(p4, 0, 2, NOTE_C4, 1, 0x10, 'A', 1, 0, 0));
        Instrument *bi = song_instrument(b, 5);
        CHECK(bi && !strcmp(bi->name, "tab?here") && bi->volume == 64 &&
              bi->pan == -100 && bi->base_note == NOTE_C4 &&
              bi->loop == LOOP_OFF && bi->interp == INTERP_LINEAR &&
              bi->loop_start == 50 && bi->loop_end == 50);
    }
    song_free(b);
    song_free(s);
    free(text);
}

/* ----------------------------------------------------------------- errors */

static void check_error(const char *text, size_t len, HissError code,
                        const char *expect, int line)
{
    Song *song = (Song *)1;
    HissDiag diag = {{0}};
    HissError err = songfile_parse(text, len, "t.hiss", &song, &diag);
    CHECK_MSG(err == code, "test line %d: error %d, expected %d (%s)", line,
              (int)err, (int)code, diag.text);
    CHECK_MSG(!strcmp(diag.text, expect),
              "test line %d:\n    got      \"%s\"\n    expected \"%s\"", line,
              diag.text, expect);
    CHECK_MSG(song == NULL, "test line %d: song not NULL", line);
    if (song && song != (Song *)1)
        song_free(song);
}

#define ERR(text, code, expect)                                            \
    check_error((text), sizeof(text) - 1, (code), (expect), __LINE__)

#define H "hiss 1\n"
#define C1 "channels 1\n"
#define EMPTY1 "|... .. .. ... ...|\n"

static void test_errors_version(void)
{
    ERR("", HISS_ERR_FORMAT,
        "t.hiss:1:1: missing version line (a song file starts with 'hiss 1')");
    ERR("\nhiss 1\n", HISS_ERR_FORMAT,
        "t.hiss:1:1: missing version line (a song file starts with 'hiss 1')");
    ERR("title \"x\"\n", HISS_ERR_FORMAT,
        "t.hiss:1:1: missing version line (a song file starts with 'hiss 1')");
    ERR("hiss 2\n", HISS_ERR_UNSUPPORTED,
        "t.hiss:1:6: unsupported version 2 (this hiss reads version 1)");
    ERR("hiss x\n", HISS_ERR_PARSE, "t.hiss:1:6: bad number 'x' for version");
    ERR("hiss\n", HISS_ERR_PARSE, "t.hiss:1:5: missing version (0..999999)");
    ERR("hiss 1 extra\n", HISS_ERR_PARSE,
        "t.hiss:1:8: unexpected 'extra' after the version");
    ERR(H "bpm 88\nhiss 1\n", HISS_ERR_PARSE,
        "t.hiss:3:1: the version line must be the first line");
}

static void test_errors_settings(void)
{
    ERR(H "foo 1\n", HISS_ERR_PARSE, "t.hiss:2:1: unknown statement 'foo'");
    ERR(H "\n  Bpm 1\n", HISS_ERR_PARSE,
        "t.hiss:3:3: unknown statement 'Bpm'");
    ERR(H "bpm 8x\n", HISS_ERR_PARSE,
        "t.hiss:2:5: bad number '8x' for bpm (BPM with at most one decimal, e.g. 92.5)");
    ERR(H "bpm -\n", HISS_ERR_PARSE,
        "t.hiss:2:5: bad number '-' for bpm (BPM with at most one decimal, e.g. 92.5)");
    ERR(H "bpm 92.55\n", HISS_ERR_PARSE,
        "t.hiss:2:5: bad number '92.55' for bpm (BPM with at most one decimal, e.g. 92.5)");
    ERR(H "bpm 300\n", HISS_ERR_RANGE,
        "t.hiss:2:5: bpm 300 is out of range (32.0..255.0)");
    ERR(H "bpm 31.9\n", HISS_ERR_RANGE,
        "t.hiss:2:5: bpm 31.9 is out of range (32.0..255.0)");
    ERR(H "bpm 99999999999999999999\n", HISS_ERR_RANGE,
        "t.hiss:2:5: bpm 99999999999999999999 is out of range (32.0..255.0)");
    ERR(H "bpm\n", HISS_ERR_PARSE, "t.hiss:2:4: missing bpm (BPM, 32.0..255.0)");
    ERR(H "speed 0\n", HISS_ERR_RANGE,
        "t.hiss:2:7: speed 0 is out of range (1..31)");
    ERR(H "speed 32\n", HISS_ERR_RANGE,
        "t.hiss:2:7: speed 32 is out of range (1..31)");
    ERR(H "rows_per_beat 33\n", HISS_ERR_RANGE,
        "t.hiss:2:15: rows_per_beat 33 is out of range (1..32)");
    ERR(H "swing -1\n", HISS_ERR_RANGE,
        "t.hiss:2:7: swing -1 is out of range (0..100)");
    ERR(H "swing 101\n", HISS_ERR_RANGE,
        "t.hiss:2:7: swing 101 is out of range (0..100)");
    ERR(H "channels 65\n", HISS_ERR_RANGE,
        "t.hiss:2:10: channels 65 is out of range (1..64)");
    ERR(H "channels 0\n", HISS_ERR_RANGE,
        "t.hiss:2:10: channels 0 is out of range (1..64)");
    ERR(H "bpm 88 99\n", HISS_ERR_PARSE,
        "t.hiss:2:8: unexpected '99' after bpm");
    ERR(H "bpm 88\nspeed 3\nbpm 90\n", HISS_ERR_PARSE,
        "t.hiss:4:1: duplicate 'bpm' (first on line 2)");
    ERR(H "master_gain 12.1\n", HISS_ERR_RANGE,
        "t.hiss:2:13: master_gain 12.1 is out of range (-60.0..12.0)");
    ERR(H "master_gain -60.1\n", HISS_ERR_RANGE,
        "t.hiss:2:13: master_gain -60.1 is out of range (-60.0..12.0)");
    ERR(H "master_gain -3.25\n", HISS_ERR_PARSE,
        "t.hiss:2:13: bad number '-3.25' for master_gain (dB with at most "
        "one decimal, e.g. -3.0)");
    ERR(H "master_gain 1.\n", HISS_ERR_PARSE,
        "t.hiss:2:13: bad number '1.' for master_gain (dB with at most one "
        "decimal, e.g. -3.0)");
    ERR(H "master_gain\n", HISS_ERR_PARSE,
        "t.hiss:2:12: missing master_gain (dB, -60.0..12.0)");
    ERR(H "limiter maybe\n", HISS_ERR_PARSE,
        "t.hiss:2:9: bad limiter 'maybe' (on|off)");
    ERR(H "limiter\n", HISS_ERR_PARSE,
        "t.hiss:2:8: missing limiter (on|off)");
    ERR(H "slides pt\n", HISS_ERR_PARSE, "t.hiss:2:8: bad slides 'pt' (linear|amiga)");
    ERR(H "slides\n", HISS_ERR_PARSE, "t.hiss:2:7: missing slides (linear|amiga)");
    ERR(H "limiter on\nlimiter off\n", HISS_ERR_PARSE,
        "t.hiss:3:1: duplicate 'limiter' (first on line 2)");
}

static void test_errors_channels(void)
{
    ERR(H "channel 0\n", HISS_ERR_RANGE,
        "t.hiss:2:9: channel number 0 is out of range (1..64)");
    ERR(H "channel\n", HISS_ERR_PARSE,
        "t.hiss:2:8: missing channel number (1..64)");
    ERR(H "channel 1 gain -3.25\n", HISS_ERR_PARSE,
        "t.hiss:2:16: bad number '-3.25' for channel gain (dB with at most one "
        "decimal, e.g. -3.0)");
    ERR(H "channel 1 gain 12.5\n", HISS_ERR_RANGE,
        "t.hiss:2:16: channel gain 12.5 is out of range (-60.0..12.0)");
    ERR(H "channel 1 gain\n", HISS_ERR_PARSE,
        "t.hiss:2:15: missing channel gain (dB, -60.0..12.0)");
    ERR(H "channel 1 pan 101\n", HISS_ERR_RANGE,
        "t.hiss:2:15: channel pan 101 is out of range (-100..100)");
    ERR(H "channel 1 mute yes\n", HISS_ERR_PARSE,
        "t.hiss:2:16: bad mute 'yes' (on|off)");
    ERR(H "channel 1 solo\n", HISS_ERR_PARSE, "t.hiss:2:15: missing solo (on|off)");
    ERR(H "channel 1 fader 3\n", HISS_ERR_PARSE,
        "t.hiss:2:11: unknown field 'fader' in channel 1 (name, gain, pan, mute, solo, send_a, send_b, send_a_pre, send_b_pre, duck_from, duck_depth, duck_attack, duck_hold, duck_release, duck_inst)");
    ERR(H "channel 1 name kick\n", HISS_ERR_PARSE,
        "t.hiss:2:16: expected channel name as a quoted string, got 'kick'");
    ERR(H "channel 1 pan 3 pan 4\n", HISS_ERR_PARSE,
        "t.hiss:2:17: duplicate field 'pan' in channel 1");
    ERR(H "channel 2 pan 3\nchannel 02 pan 4\n", HISS_ERR_PARSE,
        "t.hiss:3:9: duplicate channel 2 (first on line 2)");
    ERR(H "channels 2\nbpm 90\nchannel 3 mute on\n", HISS_ERR_RANGE,
        "t.hiss:4:9: channel 3 is past the song's 2 channels");
}

static void test_errors_master_eq(void)
{
    ERR(H "master_eq mid 1000 24.1\n", HISS_ERR_RANGE,
        "t.hiss:2:20: mid 24.1 is out of range (-24.0..24.0)");
    ERR(H "master_eq mid 10 1.0\n", HISS_ERR_RANGE,
        "t.hiss:2:15: mid 10 is out of range (20..20000)");
    ERR(H "master_eq low_cut 20001\n", HISS_ERR_RANGE,
        "t.hiss:2:19: low_cut 20001 is out of range (0..20000)");
    ERR(H "master_eq q 0.0\n", HISS_ERR_RANGE,
        "t.hiss:2:13: q 0.0 is out of range (0.1..10.0)");
    ERR(H "master_eq low_shelf 100\n", HISS_ERR_PARSE,
        "t.hiss:2:24: missing low_shelf (dB, -24.0..24.0)");
    ERR(H "master_eq tilt 3\n", HISS_ERR_PARSE,
        "t.hiss:2:11: unknown field 'tilt' in master_eq (low_cut, low_shelf, mid, q, "
        "high_shelf, high_cut)");
    ERR(H "master_eq q 1.0 q 2.0\n", HISS_ERR_PARSE,
        "t.hiss:2:17: duplicate field 'q' in master_eq");
    ERR(H "master_eq q 1.0\nmaster_eq q 2.0\n", HISS_ERR_PARSE,
        "t.hiss:3:1: duplicate 'master_eq' (first on line 2)");
}

static void test_errors_strings(void)
{
    ERR(H "title \"abc\n", HISS_ERR_PARSE,
        "t.hiss:2:7: unterminated string (no closing '\"')");
    ERR(H "title \"abc\\\"\n", HISS_ERR_PARSE,
        "t.hiss:2:7: unterminated string (no closing '\"')");
    ERR(H "title \"abc\\\n", HISS_ERR_PARSE,
        "t.hiss:2:7: unterminated string (no closing '\"')");
    ERR(H "title abc\n", HISS_ERR_PARSE,
        "t.hiss:2:7: expected title as a quoted string, got 'abc'");
    ERR(H "title\n", HISS_ERR_PARSE,
        "t.hiss:2:6: missing title (a quoted string)");
    ERR(H "title \"a\\nb\"\n", HISS_ERR_PARSE,
        "t.hiss:2:9: unknown escape '\\n' (only \\\" and \\\\)");
    ERR(H "title \"0123456789012345678901234567890123456789012345678901234"
          "567890123\"\n",
        HISS_ERR_RANGE, "t.hiss:2:7: title too long (at most 63 bytes)");
    ERR(H "title \"\xC3\xA9" "123456789012345678901234567890123456789012345"
          "67890123456789012\"\n",
        HISS_ERR_RANGE, "t.hiss:2:7: title too long (at most 63 bytes)");
    ERR(H "title \"a\xFF\"\n", HISS_ERR_PARSE,
        "t.hiss:2:9: title is not valid UTF-8");
    ERR(H "title \"a\xC0\x80\"\n", HISS_ERR_PARSE,
        "t.hiss:2:9: title is not valid UTF-8");
    ERR(H "title \"a\xED\xA0\x80\"\n", HISS_ERR_PARSE,
        "t.hiss:2:9: title is not valid UTF-8");
    ERR(H "title \"a\xE2\x99\"\n", HISS_ERR_PARSE,
        "t.hiss:2:9: title is not valid UTF-8");
    ERR(H "title \"a\tb\"\n", HISS_ERR_PARSE,
        "t.hiss:2:9: control character in title");
    ERR(H "title \"a\"b\n", HISS_ERR_PARSE,
        "t.hiss:2:10: expected a space after the closing '\"'");
    ERR(H "title \"a\" \"b\"\n", HISS_ERR_PARSE,
        "t.hiss:2:11: unexpected '\"b\"' after the title");
}

static void test_errors_instruments(void)
{
    ERR(H "instrument 00 \"k\"\n", HISS_ERR_RANGE,
        "t.hiss:2:12: instrument slot 00 is out of range (01..FF)");
    ERR(H "instrument 1 \"k\"\n", HISS_ERR_PARSE,
        "t.hiss:2:12: bad instrument slot '1' (two hex digits, 01..FF)");
    ERR(H "instrument\n", HISS_ERR_PARSE,
        "t.hiss:2:11: missing instrument slot (two hex digits, 01..FF)");
    ERR(H "instrument 01 \"a\"\ninstrument 01 \"b\"\n", HISS_ERR_PARSE,
        "t.hiss:3:12: duplicate instrument 01 (first on line 2)");
    ERR(H "instrument 01\n", HISS_ERR_PARSE,
        "t.hiss:2:14: missing instrument name (a quoted string)");
    ERR(H "instrument 01 \"k\" color red\n", HISS_ERR_PARSE,
        "t.hiss:2:19: unknown field 'color' (sample, volume, pan, "
        "base, finetune, loop, interp, slices, stretch, {vol,pan,bend,cutoff}_env/sustain/loop, "
        "fadeout, bare_env, nna, dupcheck, dupaction, autovib, filter_model, attack, hold, decay, sustain, "
        "release, "
        "pitch_{env,decay}, filter, cutoff, resonance, filter_{env,env_from}, "
        "fenv_{attack,hold,decay,sustain,release}, key_track, filter_vel, "
        "crush_{bits,rate,mix}, drive, drive_{type,vel}, mode, glide, end, start, reverse, "
        "choke, choke_fade, slice_{mode,fade})");
    ERR(H "instrument 01 \"k\" mode stereo\n", HISS_ERR_PARSE,
        "t.hiss:2:24: bad mode 'stereo' (poly|mono|legato)");
    ERR(H "instrument 01 \"k\" choke 17\n", HISS_ERR_RANGE,
        "t.hiss:2:25: choke 17 is out of range (0..16)");
    ERR(H "instrument 01 \"k\" filter lp36\n", HISS_ERR_PARSE,
        "t.hiss:2:26: bad filter 'lp36' (off|lp12|hp12|bp12|notch|lp24|hp24|bp24|notch24)");
    ERR(H "instrument 01 \"k\" drive_type\n", HISS_ERR_PARSE,
        "t.hiss:2:29: missing drive_type (tape|hard)");
    ERR(H "instrument 01 \"k\" filter_env_from both\n", HISS_ERR_PARSE,
        "t.hiss:2:35: bad filter_env_from 'both' (amp|own)");
    ERR(H "instrument 01 \"k\" fenv_sustain 101\n", HISS_ERR_RANGE,
        "t.hiss:2:32: fenv_sustain 101 is out of range (0..100)");
    ERR(H "instrument 01 \"k\" cutoff 19\n", HISS_ERR_RANGE,
        "t.hiss:2:26: cutoff 19 is out of range (20..20000)");
    ERR(H "instrument 01 \"k\" crush_bits 17\n", HISS_ERR_RANGE,
        "t.hiss:2:30: crush_bits 17 is out of range (0..16)");
    ERR(H "instrument 01 \"k\" attack 10001\n", HISS_ERR_RANGE,
        "t.hiss:2:26: attack 10001 is out of range (0..10000)");
    ERR(H "instrument 01 \"k\" sustain -1\n", HISS_ERR_RANGE,
        "t.hiss:2:27: sustain -1 is out of range (0..100)");
    ERR(H "instrument 01 \"k\" pitch_env 49\n", HISS_ERR_RANGE,
        "t.hiss:2:29: pitch_env 49 is out of range (-48..48)");
    ERR(H "instrument 01 \"k\" release\n", HISS_ERR_PARSE,
        "t.hiss:2:26: missing release (0..20000)");
    ERR(H "instrument 01 \"k\" decay 5 decay 6\n", HISS_ERR_PARSE,
        "t.hiss:2:27: duplicate field 'decay' in instrument 01");
    ERR(H "instrument 01 \"k\" volume 65\n", HISS_ERR_RANGE,
        "t.hiss:2:26: volume 65 is out of range (0..64)");
    ERR(H "instrument 01 \"k\" volume\n", HISS_ERR_PARSE,
        "t.hiss:2:25: missing volume (0..64)");
    ERR(H "instrument 01 \"k\" pan -101\n", HISS_ERR_RANGE,
        "t.hiss:2:23: pan -101 is out of range (-100..100)");
    ERR(H "instrument 01 \"k\" finetune 101\n", HISS_ERR_RANGE,
        "t.hiss:2:28: finetune 101 is out of range (-100..100)");
    ERR(H "instrument 01 \"k\" base H-4\n", HISS_ERR_PARSE,
        "t.hiss:2:24: bad base note 'H-4' (C-0..B-9)");
    ERR(H "instrument 01 \"k\" base ===\n", HISS_ERR_PARSE,
        "t.hiss:2:24: bad base note '===' (C-0..B-9)");
    ERR(H "instrument 01 \"k\" base C-44\n", HISS_ERR_PARSE,
        "t.hiss:2:24: bad base note 'C-44' (C-0..B-9)");
    ERR(H "instrument 01 \"k\" loop sideways 0 0\n", HISS_ERR_PARSE,
        "t.hiss:2:24: bad loop mode 'sideways' (off|forward|pingpong)");
    ERR(H "instrument 01 \"k\" loop forwardforwardforward 0 0\n",
        HISS_ERR_PARSE,
        "t.hiss:2:24: bad loop mode 'forwardforwardforward' "
        "(off|forward|pingpong)");
    ERR(H "instrument 01 \"k\" loop forward 10 5\n", HISS_ERR_RANGE,
        "t.hiss:2:32: loop start 10 is after loop end 5");
    ERR(H "instrument 01 \"k\" loop forward 0 4294967296\n", HISS_ERR_RANGE,
        "t.hiss:2:34: loop end 4294967296 is out of range (0..4294967295)");
    ERR(H "instrument 01 \"k\" loop forward 0\n", HISS_ERR_PARSE,
        "t.hiss:2:33: missing loop end (0..4294967295)");
    ERR(H "instrument 01 \"k\" interp quintic\n", HISS_ERR_PARSE,
        "t.hiss:2:26: bad interp 'quintic' (raw|linear|cubic|sinc)");
    ERR(H "instrument 01 \"k\" volume 1 volume 2\n", HISS_ERR_PARSE,
        "t.hiss:2:28: duplicate field 'volume' in instrument 01");
    ERR(H "instrument 01 \"k\" sample \"a.wav\n", HISS_ERR_PARSE,
        "t.hiss:2:26: unterminated string (no closing '\"')");
    ERR(H "instrument 01 \"k\" sample\n", HISS_ERR_PARSE,
        "t.hiss:2:25: missing sample path (a quoted string)");
    ERR(H "instrument 01 \"0123456789012345678901234567890123\"\n",
        HISS_ERR_RANGE,
        "t.hiss:2:15: instrument name too long (at most 31 bytes)");
}

static void test_errors_slices(void)
{
    ERR(H "instrument 01 \"k\" slices\n", HISS_ERR_PARSE,
        "t.hiss:2:25: missing slice count (0..128)");
    ERR(H "instrument 01 \"k\" slices 129 1\n", HISS_ERR_RANGE,
        "t.hiss:2:26: slice count 129 is out of range (0..128)");
    ERR(H "instrument 01 \"k\" slices 3 0 100\n", HISS_ERR_PARSE,
        "t.hiss:2:33: missing slice point (0..4294967295)");
    ERR(H "instrument 01 \"k\" slices 3 0 100 100\n", HISS_ERR_RANGE,
        "t.hiss:2:34: slice point 100 is not after 100 (slice points go up)");
    ERR(H "instrument 01 \"k\" slices 2 50 7\n", HISS_ERR_RANGE,
        "t.hiss:2:31: slice point 7 is not after 50 (slice points go up)");
    ERR(H "instrument 01 \"k\" slices 1 x\n", HISS_ERR_PARSE,
        "t.hiss:2:28: bad number 'x' for slice point");
    ERR(H "instrument 01 \"k\" slices 1 5 slices 1 6\n", HISS_ERR_PARSE,
        "t.hiss:2:30: duplicate field 'slices' in instrument 01");
}

/* Slices read back exactly, and "slices 0" (a file's cue points cleared)
 * stays in the text while an instrument without the field gets none. */
static void test_slices_round_trip(void)
{
    const char text[] = H "instrument 01 \"brk\" slices 4 0 9984 14848 59391\n"
                          "instrument 02 \"none\" slices 0\n"
                          "instrument 03 \"file\"\n";
    Song *a = parse_ok(text, sizeof text - 1);
    CHECK(a != NULL);
    if (!a)
        return;
    const Instrument *brk = song_instrument(a, 1);
    CHECK(brk->slice_count == 4 && brk->slices[0] == 0 && brk->slices[1] == 9984 &&
          brk->slices[2] == 14848 && brk->slices[3] == 59391);
    CHECK(brk->given & INST_GIVEN_SLICES);
    CHECK(!(song_instrument(a, 3)->given & INST_GIVEN_SLICES));
    char *out = NULL;
    size_t len = 0;
    CHECK(songfile_format(a, &out, &len) == HISS_OK);
    CHECK(out && strstr(out, " slices 4 0 9984 14848 59391\n"));
    CHECK(out && strstr(out, "\"none\" sample \"\"") &&
          strstr(strstr(out, "\"none\""), " slices 0\n"));
    const char *third = out ? strstr(out, "\"file\"") : NULL;
    CHECK(third && !strstr(third, "slices"));
    Song *b = out ? parse_ok(out, len) : NULL;
    CHECK(b && songs_equal(a, b));
    char *again = NULL;
    size_t len2 = 0;
    CHECK(b && songfile_format(b, &again, &len2) == HISS_OK);
    CHECK(again && len2 == len && !memcmp(out, again, len));
    free(again);
    free(out);
    song_free(a);
    song_free(b);
}

/* Point envelopes read back and save as they came; bad points, levels,
 * sustains and loops are refused at their place. */
static void test_envelopes_round_trip(void)
{
    const char text[] = H "instrument 01 \"pad\" vol_env 4 0 0 3 64 8 24 30 0 "
                          "vol_sustain 2 2 vol_loop 1 2 pan_env 2 0 0 16 64 "
                          "cutoff_env 3 0 64 6 0 9 32 cutoff_loop 1 2 "
                          "bend_env 2 0 40 5 32 bend_sustain 0 0 "
                          "fadeout 2048 bare_env keep\n"
                          "instrument 02 \"plain\"\n";
    Song *a = parse_ok(text, sizeof text - 1);
    CHECK(a != NULL);
    if (!a)
        return;
    const Instrument *pad = song_instrument(a, 1);
    CHECK(pad->vol_env.count == 4 && pad->vol_env.tick[3] == 30 &&
          pad->vol_env.value[1] == 64 && pad->vol_env.sustain_start == 2 &&
          pad->vol_env.sustain_end == 2 && pad->vol_env.loop_start == 1 &&
          pad->vol_env.loop_end == 2 && pad->fadeout == 2048 && pad->env_keep_bare);
    CHECK(pad->pan_env.count == 2 && pad->pan_env.value[1] == 64 &&
          pad->pan_env.sustain_start == -1 && pad->pan_env.loop_start == -1);
    CHECK(pad->pitch_env.count == 2 && pad->pitch_env.value[0] == 40 &&
          pad->pitch_env.sustain_start == 0 && pad->pitch_env.loop_start == -1);
    CHECK(pad->filter_env.count == 3 && pad->filter_env.tick[2] == 9 &&
          pad->filter_env.loop_start == 1 && pad->filter_env.loop_end == 2);
    CHECK(song_instrument(a, 2)->vol_env.count == 0);
    char *out = NULL;
    size_t len = 0;
    CHECK(songfile_format(a, &out, &len) == HISS_OK);
    CHECK(out && strstr(out, " vol_env 4 0 0 3 64 8 24 30 0 vol_sustain 2 2 vol_loop 1 2 "
                             "pan_env 2 0 0 16 64 bend_env 2 0 40 5 32 bend_sustain 0 0 "
                             "cutoff_env 3 0 64 6 0 9 32 cutoff_loop 1 2 "
                             "fadeout 2048 bare_env keep\n"));
    const char *second = out ? strstr(out, "\"plain\"") : NULL;
    CHECK(second && !strstr(second, "env") && !strstr(second, "fadeout"));
    Song *b = out ? parse_ok(out, len) : NULL;
    CHECK(b && songs_equal(a, b));
    free(out);
    song_free(a);
    song_free(b);
    ERR(H "instrument 01 \"k\" vol_env 1 0 64\n", HISS_ERR_RANGE,
        "t.hiss:2:27: vol_env point count 1 is out of range (2..32)");
    ERR(H "instrument 01 \"k\" vol_env 2 5 64 5 0\n", HISS_ERR_RANGE,
        "t.hiss:2:34: vol_env tick 5 is not after 5 (envelope ticks go up)");
    ERR(H "instrument 01 \"k\" pan_env 2 0 65 4 0\n", HISS_ERR_RANGE,
        "t.hiss:2:31: pan_env level 65 is out of range (0..64)");
    ERR(H "instrument 01 \"k\" vol_env 2 0 64 4\n", HISS_ERR_PARSE,
        "t.hiss:2:35: missing vol_env level (0..64)");
    ERR(H "instrument 01 \"k\" vol_env 2 0 64 4 0 vol_sustain 2 2\n", HISS_ERR_RANGE,
        "t.hiss:2:50: vol_sustain past the envelope's 2 points (points count from 0)");
    ERR(H "instrument 01 \"k\" vol_loop 0 1\n", HISS_ERR_RANGE,
        "t.hiss:2:28: vol_loop past the envelope's 0 points (points count from 0)");
    ERR(H "instrument 01 \"k\" vol_env 2 0 64 4 0 vol_loop 1 0\n", HISS_ERR_RANGE,
        "t.hiss:2:49: vol_loop point 0 is out of range (1..31)");
    ERR(H "instrument 01 \"k\" bend_env 2 0 64 4 0 bend_loop 0 2\n", HISS_ERR_RANGE,
        "t.hiss:2:49: bend_loop past the envelope's 2 points (points count from 0)");
    ERR(H "instrument 01 \"k\" cutoff_env 2 0 80 4 0\n", HISS_ERR_RANGE,
        "t.hiss:2:34: cutoff_env level 80 is out of range (0..64)");
    ERR(H "instrument 01 \"k\" bare_env row\n", HISS_ERR_PARSE,
        "t.hiss:2:28: bad bare_env 'row' (restart|keep)");
    ERR(H "instrument 01 \"k\" filter_model ft2\n", HISS_ERR_PARSE,
        "t.hiss:2:32: bad filter_model 'ft2' (hiss|it)");
    ERR(H "instrument 01 \"k\" fadeout 65537\n", HISS_ERR_RANGE,
        "t.hiss:2:27: fadeout 65537 is out of range (0..65536)");
}

/* A module's global volume and FastTracker 2's tremor count read back and
 * save as they came; songs without them write neither. */
static void test_global_volume_and_tremor_round_trip(void)
{
    const char text[] = H "global_volume 40\ntremor ft2\n";
    Song *a = parse_ok(text, sizeof text - 1);
    CHECK(a && song_global_volume(a) == 40 && atomic_load(&a->ft2_tremor));
    char *out = NULL;
    size_t len = 0;
    CHECK(a && songfile_format(a, &out, &len) == HISS_OK);
    CHECK(out && strstr(out, "\ntremor ft2\nglobal_volume 40\n"));
    Song *b = out ? parse_ok(out, len) : NULL;
    CHECK(b && song_global_volume(b) == 40 && atomic_load(&b->ft2_tremor));
    free(out);
    song_free(a);
    song_free(b);
    Song *plain = song_new();
    CHECK(plain && songfile_format(plain, &out, &len) == HISS_OK);
    CHECK(out && !strstr(out, "global_volume") && !strstr(out, "tremor"));
    free(out);
    song_free(plain);
    ERR(H "tremor st3\n", HISS_ERR_PARSE, "t.hiss:2:8: bad tremor 'st3' (it|ft2)");
    ERR(H "global_volume 65\n", HISS_ERR_RANGE,
        "t.hiss:2:15: global_volume 65 is out of range (0..64)");
}

/* New-note actions read back and save as they came (a fadeout without a
 * volume envelope included); bad words are refused at their place. */
static void test_note_actions_round_trip(void)
{
    const char text[] = H "instrument 01 \"pad\" fadeout 512 nna fade dupcheck sample "
                          "dupaction off autovib 2 20 32 10\n"
                          "instrument 02 \"plain\"\n";
    Song *a = parse_ok(text, sizeof text - 1);
    CHECK(a != NULL);
    if (!a)
        return;
    const Instrument *pad = song_instrument(a, 1), *plain = song_instrument(a, 2);
    CHECK(pad->nna == SONG_NOTE_FADE && pad->dupcheck == SONG_DUP_SAMPLE &&
          pad->dupaction == SONG_NOTE_RELEASE && pad->fadeout == 512);
    CHECK(plain->nna == SONG_NOTE_CUT && plain->dupcheck == SONG_DUP_OFF);
    char *out = NULL;
    size_t len = 0;
    CHECK(songfile_format(a, &out, &len) == HISS_OK);
    CHECK(out && strstr(out, " fadeout 512 nna fade autovib 2 20 32 10 dupcheck sample "
                             "dupaction off\n"));
    CHECK(pad->autovib[SONG_AUTOVIB_WAVE] == 2 && pad->autovib[SONG_AUTOVIB_RATE] == 20 &&
          pad->autovib[SONG_AUTOVIB_DEPTH] == 32 && pad->autovib[SONG_AUTOVIB_SWEEP] == 10);
    const char *second = out ? strstr(out, "\"plain\"") : NULL;
    CHECK(second && !strstr(second, "nna") && !strstr(second, "dup") &&
          !strstr(second, "autovib"));
    Song *b = out ? parse_ok(out, len) : NULL;
    CHECK(b && songs_equal(a, b) && song_instrument(b, 1)->nna == SONG_NOTE_FADE);
    free(out);
    song_free(a);
    song_free(b);
    ERR(H "instrument 01 \"k\" nna later\n", HISS_ERR_PARSE,
        "t.hiss:2:23: bad nna 'later' (cut|continue|off|fade)");
    ERR(H "instrument 01 \"k\" dupaction continue\n", HISS_ERR_PARSE,
        "t.hiss:2:29: bad dupaction 'continue' (cut|off|fade)");
    ERR(H "instrument 01 \"k\" autovib 4 1 1 1\n", HISS_ERR_RANGE,
        "t.hiss:2:27: autovib wave 4 is out of range (0..3)");
    ERR(H "instrument 01 \"k\" dupcheck pitch\n", HISS_ERR_PARSE,
        "t.hiss:2:28: bad dupcheck 'pitch' (off|note|sample|instrument)");
}

/* A stretch that follows the tempo: its beats and source file read back
 * and save as they came; an instrument without one writes none. */
static void test_stretch_round_trip(void)
{
    const char text[] = H "instrument 01 \"brk\" sample \"brk-92.5bpm.wav\" "
                          "stretch 8 \"../samples/brk.wav\"\n"
                          "instrument 02 \"plain\"\n";
    Song *a = parse_ok(text, sizeof text - 1);
    CHECK(a != NULL);
    if (!a)
        return;
    const Instrument *brk = song_instrument(a, 1);
    CHECK(brk->stretch_beats == 8 && !strcmp(brk->stretch_from, "../samples/brk.wav"));
    CHECK(song_instrument(a, 2)->stretch_beats == 0);
    char *out = NULL;
    size_t len = 0;
    CHECK(songfile_format(a, &out, &len) == HISS_OK);
    CHECK(out && strstr(out, " stretch 8 \"../samples/brk.wav\"\n"));
    const char *second = out ? strstr(out, "\"plain\"") : NULL;
    CHECK(second && !strstr(second, "stretch"));
    free(out);
    song_free(a);
    ERR(H "instrument 01 \"k\" stretch 0 \"a.wav\"\n", HISS_ERR_RANGE,
        "t.hiss:2:27: stretch beats 0 is out of range (1..256)");
    ERR(H "instrument 01 \"k\" stretch 4\n", HISS_ERR_PARSE,
        "t.hiss:2:28: missing stretch source path (a quoted string)");
}

static void test_errors_order(void)
{
    ERR(H "order 00 XY\n", HISS_ERR_PARSE,
        "t.hiss:2:10: bad pattern number 'XY' (two hex digits, 00..FF)");
    ERR(H "order 00 0\n", HISS_ERR_PARSE,
        "t.hiss:2:10: bad pattern number '0' (two hex digits, 00..FF)");
    ERR(H C1 "order 00 05\npattern 00 1\n000 " EMPTY1, HISS_ERR_MISSING,
        "t.hiss:3:10: order position 01 uses pattern 05, which is not "
        "defined");
    ERR(H "order 00\norder 00\n", HISS_ERR_PARSE,
        "t.hiss:3:1: duplicate 'order' (first on line 2)");

    /* 257 entries: the last one starts at column 775. */
    char text[1024];
    size_t n = (size_t)snprintf(text, sizeof text, "hiss 1\norder");
    for (int i = 0; i < 257; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, " 00");
    n += (size_t)snprintf(text + n, sizeof text - n, "\n");
    check_error(text, n, HISS_ERR_RANGE,
                "t.hiss:2:775: too many order entries (at most 256)",
                __LINE__);
}

static void test_errors_patterns(void)
{
    ERR(H "pattern 00 0\n", HISS_ERR_RANGE,
        "t.hiss:2:12: rows 0 is out of range (1..256)");
    ERR(H "pattern 00 257\n", HISS_ERR_RANGE,
        "t.hiss:2:12: rows 257 is out of range (1..256)");
    ERR(H "pattern 100 4\n", HISS_ERR_PARSE,
        "t.hiss:2:9: bad pattern number '100' (two hex digits, 00..FF)");
    ERR(H "pattern 00\n", HISS_ERR_PARSE,
        "t.hiss:2:11: missing rows (1..256)");
    ERR(H "pattern 00 1 x\n", HISS_ERR_PARSE,
        "t.hiss:2:14: unexpected 'x' after the row count");
    ERR(H C1 "pattern 00 1\n000 " EMPTY1 "pattern 00 1\n", HISS_ERR_PARSE,
        "t.hiss:5:9: duplicate pattern 00 (first on line 3)");
    /* Too few rows: ended by a blank line, by a statement, by the end. */
    ERR(H C1 "pattern 00 2\n000 " EMPTY1 "\n", HISS_ERR_PARSE,
        "t.hiss:5:1: pattern 00 has only 1 of its 2 rows (header on line 3)");
    ERR(H C1 "pattern 00 2\n000 " EMPTY1 "bpm 90\n", HISS_ERR_PARSE,
        "t.hiss:5:1: pattern 00 has only 1 of its 2 rows (header on line 3)");
    ERR(H C1 "pattern 00 2\n000 " EMPTY1, HISS_ERR_PARSE,
        "t.hiss:5:1: pattern 00 has only 1 of its 2 rows (header on line 3)");
    ERR(H C1 "pattern 0A 3\n", HISS_ERR_PARSE,
        "t.hiss:4:1: pattern 0A has only 0 of its 3 rows (header on line 3)");
    ERR(H C1 "pattern 00 1\n000 " EMPTY1 "001 " EMPTY1, HISS_ERR_RANGE,
        "t.hiss:5:1: one row too many: pattern 00 has 1 rows (header on "
        "line 3)");
    ERR(H C1 "pattern 00 2\n000 " EMPTY1 "002 " EMPTY1, HISS_ERR_PARSE,
        "t.hiss:5:1: row 002 out of sequence, expected 001");
    ERR(H C1 "000 " EMPTY1, HISS_ERR_PARSE,
        "t.hiss:3:1: row outside a pattern (rows follow a 'pattern' line)");
    ERR(H C1 "pattern 00 1\n000 " EMPTY1 "\n001 " EMPTY1, HISS_ERR_PARSE,
        "t.hiss:6:1: row outside a pattern (rows follow a 'pattern' line)");
    ERR(H C1 "pattern 00 1\n0x0 " EMPTY1, HISS_ERR_PARSE,
        "t.hiss:4:1: bad row number (three decimal digits, e.g. 007)");
    ERR(H C1 "pattern 00 1\n0000 " EMPTY1, HISS_ERR_PARSE,
        "t.hiss:4:1: bad row number (three decimal digits, e.g. 007)");
    ERR(H C1 "pattern 00 1\n000" EMPTY1, HISS_ERR_PARSE,
        "t.hiss:4:4: expected ' |' after the row number");
    ERR(H C1 "pattern 00 1\n000\n", HISS_ERR_PARSE,
        "t.hiss:4:4: expected ' |' after the row number");
    ERR(H "channels 3\npattern 00 1\n000 |... .. .. ... ...|... .. .. ... "
          "...|\n",
        HISS_ERR_PARSE,
        "t.hiss:4:42: pattern 00 has 2 channels, but the song has 3");
    ERR(H "pattern 00 1\n000 " EMPTY1, HISS_ERR_PARSE,
        "t.hiss:3:24: pattern 00 has 1 channels, but the song has 4 (no "
        "'channels' line: the default)");
    ERR(H "channels 2\npattern 00 2\n"
          "000 |... .. .. ... ...|... .. .. ... ...|\n"
          "001 |... .. .. ... ...|... .. .. ... ...|... .. .. ... ...|\n",
        HISS_ERR_PARSE, "t.hiss:5:42: row 001 has 3 cells, expected 2");
    ERR(H "channels 2\npattern 00 2\n"
          "000 |... .. .. ... ...|... .. .. ... ...|\n"
          "001 |... .. .. ... ...|\n",
        HISS_ERR_PARSE, "t.hiss:5:24: row 001 has 1 cells, expected 2");
    ERR(H "pattern 00 1\n000 |... .. .. ... ...|... .. .. ... ...|... .. .. "
          "... ...|... .. .. ... ...|\nchannels 4\n",
        HISS_ERR_PARSE,
        "t.hiss:4:1: 'channels' must come before the first pattern");
}

static void test_errors_cells(void)
{
#define ROW(cells) H C1 "pattern 00 1\n000 |" cells "\n"
    ERR(ROW("H-4 .. .. ... ...|"), HISS_ERR_PARSE,
        "t.hiss:4:6: bad note 'H-4' (C-0..B-9, === off, ^^^ cut, ... "
        "empty)");
    ERR(ROW("C-X .. .. ... ...|"), HISS_ERR_PARSE,
        "t.hiss:4:6: bad note 'C-X' (C-0..B-9, === off, ^^^ cut, ... "
        "empty)");
    ERR(ROW("C-4 0G .. ... ...|"), HISS_ERR_PARSE,
        "t.hiss:4:10: bad instrument '0G' (two hex digits 01..FF, or .. for "
        "none)");
    ERR(ROW("C-4 00 .. ... ...|"), HISS_ERR_RANGE,
        "t.hiss:4:10: instrument 00 is out of range (01..FF, or .. for "
        "none)");
    ERR(ROW("C-4 01 41 ... ...|"), HISS_ERR_RANGE,
        "t.hiss:4:13: volume 41 is out of range (00..40)");
    ERR(ROW("C-4 01 .4 ... ...|"), HISS_ERR_PARSE,
        "t.hiss:4:13: bad volume '.4' (two hex digits 00..40, or .. for "
        "none)");
    ERR(ROW("C-4 01 40 a0F ...|"), HISS_ERR_PARSE,
        "t.hiss:4:16: bad effect 'a0F' (a letter 0-9 or A-Z and two hex "
        "digits, or ... for none)");
    ERR(ROW("C-4 01 40 A0F A.F|"), HISS_ERR_PARSE,
        "t.hiss:4:20: bad effect 'A.F' (a letter 0-9 or A-Z and two hex "
        "digits, or ... for none)");
    ERR(ROW("C-4 01 40 A0F|"), HISS_ERR_PARSE,
        "t.hiss:4:6: cell has 13 characters, expected 17 (note inst vol fx "
        "fx2, e.g. 'C-4 01 40 A0F ...')");
    ERR(ROW("C-4 01 40 A0F ... |"), HISS_ERR_PARSE,
        "t.hiss:4:6: cell has 18 characters, expected 17 (note inst vol fx "
        "fx2, e.g. 'C-4 01 40 A0F ...')");
    ERR(ROW("C-4_01 40 A0F ...|"), HISS_ERR_PARSE,
        "t.hiss:4:9: expected a space between cell fields");
    ERR(ROW("C-4 01 40 A0F  ..|"), HISS_ERR_PARSE,
        "t.hiss:4:20: bad effect ' ..' (a letter 0-9 or A-Z and two hex "
        "digits, or ... for none)");
    ERR(ROW("C-4 01 40 A0F ..."), HISS_ERR_PARSE,
        "t.hiss:4:23: missing '|' after the last cell");
#undef ROW
}

static void test_errors_file(void)
{
    ERR(H "bp\0m 88\n", HISS_ERR_FORMAT,
        "t.hiss:2:3: NUL byte (a song file is text)");
    ERR(H "title \"a\" \0\n", HISS_ERR_FORMAT,
        "t.hiss:2:11: NUL byte (a song file is text)");

    size_t n = 9000;
    char *text = malloc(n + 32);
    size_t k = (size_t)snprintf(text, 32, "hiss 1\ntitle \"");
    memset(text + k, 'x', n);
    k += n;
    k += (size_t)snprintf(text + k, 32, "\"\n");
    check_error(text, k, HISS_ERR_RANGE,
                "t.hiss:2:8193: line too long (at most 8192 bytes)",
                __LINE__);
    free(text);

    /* The size is refused before anything is read. */
    size_t big = (size_t)SONGFILE_MAX_BYTES + 1;
    char *huge = calloc(1, big);
    char expect[128];
    snprintf(expect, sizeof expect,
             "t.hiss: file too large (%zu bytes; the limit is %d)", big,
             SONGFILE_MAX_BYTES);
    if (huge)
        check_error(huge, big, HISS_ERR_RANGE, expect, __LINE__);
    free(huge);
}

/* ------------------------------------------------------ damaged files */

/* Loads the text; when it loads, saving must be stable: format, parse,
 * format again gives the same bytes. */
static int load_is_stable(const char *text, size_t len)
{
    Song *a = NULL;
    HissDiag diag;
    if (songfile_parse(text, len, "t.hiss", &a, &diag) != HISS_OK)
        return a == NULL && diag.text[0] != 0;
    char *t1 = NULL, *t2 = NULL;
    size_t n1 = 0, n2 = 0;
    Song *b = NULL;
    int ok = songfile_format(a, &t1, &n1) == HISS_OK &&
             songfile_parse(t1, n1, "t.hiss", &b, &diag) == HISS_OK &&
             songfile_format(b, &t2, &n2) == HISS_OK && n1 == n2 &&
             !memcmp(t1, t2, n1);
    song_free(a);
    song_free(b);
    free(t1);
    free(t2);
    return ok;
}

static void test_every_prefix(void)
{
    size_t len;
    char *text = rich_text(&len);
    /* The last pattern is 256 rows: a cut anywhere inside it leaves rows
     * missing (or a row cut short), which must never load. */
    size_t last = (size_t)(strstr(text, "pattern FF") - text);
    int loaded_whole = 0, loaded_cut = 0, failures = 0;
    for (size_t n = 0; n <= len; n++) {
        /* A copy of exactly n bytes, so ASan sees any read past the end. */
        char *prefix = malloc(n ? n : 1);
        memcpy(prefix, text, n);
        Song *s = NULL;
        HissDiag diag;
        if (songfile_parse(prefix, n, "t.hiss", &s, &diag) == HISS_OK) {
            if (n >= len - 1)
                loaded_whole++;
            else if (n > last)
                loaded_cut++;
        }
        song_free(s);
        if (!load_is_stable(prefix, n))
            failures++;
        free(prefix);
    }
    /* The complete file loads, with or without its last newline; a cut in
     * the middle of the last pattern never does. */
    CHECK(loaded_whole == 2);
    CHECK_MSG(loaded_cut == 0, "%d cuts inside the last pattern loaded", loaded_cut);
    CHECK(failures == 0);
    free(text);
}

/* Every byte of the head replaced by each of a few troublesome bytes. */
static void test_damaged_bytes(void)
{
    static const char BYTES[] = {0, '\n', '\r', '|', '"', '\\', ' ', '9',
                                 '.', 'F', '\t', (char)0xFF};
    size_t len = sizeof RICH_HEAD - 1;
    char *copy = malloc(len);
    int failures = 0;
    for (size_t i = 0; i < len; i++) {
        for (size_t b = 0; b < sizeof BYTES; b++) {
            memcpy(copy, RICH_HEAD, len);
            copy[i] = BYTES[b];
            if (!load_is_stable(copy, len))
                failures++;
        }
    }
    CHECK(failures == 0);
    free(copy);
}

int main(void)
{
    RUN(test_rich_song_loads);
    RUN(test_rich_song_formats_to_same_bytes);
    RUN(test_tolerated_input_saves_canonical);
    RUN(test_crlf_matches_lf);
    RUN(test_model_round_trip);
    RUN(test_fractional_bpm);
    RUN(test_large_song);
    RUN(test_largest_song_fits_limits);
    RUN(test_format_always_loads);
    RUN(test_errors_version);
    RUN(test_errors_settings);
    RUN(test_errors_channels);
    RUN(test_errors_master_eq);
    RUN(test_errors_strings);
    RUN(test_errors_instruments);
    RUN(test_errors_slices);
    RUN(test_stretch_round_trip);
    RUN(test_envelopes_round_trip);
    RUN(test_note_actions_round_trip);
    RUN(test_global_volume_and_tremor_round_trip);
    RUN(test_slices_round_trip);
    RUN(test_errors_order);
    RUN(test_errors_patterns);
    RUN(test_errors_cells);
    RUN(test_errors_file);
    RUN(test_every_prefix);
    RUN(test_damaged_bytes);
    return test_finish();
}
