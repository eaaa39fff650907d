/* Messages for the user: one formatter (base.c) writes every diagnostic,
 * and it shows control bytes as \xNN, so a file or device name carrying an
 * escape sequence cannot reach the terminal raw. Checked at each kind of
 * place that formats a message: songs, samples, instruments, audio
 * devices. */
#include <stdlib.h>
#include <sys/stat.h>

#include "audio.h"
#include "common/files.h"
#include "sampleio.h"
#include "songio.h"
#include "test.h"

#define ESC_NAME "bad\x1b]0;owned\x07name"

static char tmpdir[256];

/* No raw control byte, and the escape shown as text. */
static bool shown_escaped(const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return false;
    return strstr(text, "bad\\x1b]0;owned\\x07name") != NULL;
}

static void diag_printf_escapes_and_may_quote_itself(void)
{
    HissDiag d;
    hiss_diag_printf(&d, "device '%s' %c", ESC_NAME, 0x7f);
    CHECK_MSG(shown_escaped(d.text), "%s", d.text);
    CHECK(strstr(d.text, "\\x7f") != NULL);
    /* Wrapping a message in a longer one, as the audio fallbacks do. */
    hiss_diag_printf(&d, "%s; and more", d.text);
    CHECK_MSG(shown_escaped(d.text) && strstr(d.text, "; and more"), "%s", d.text);
    hiss_diag_printf(NULL, "ignored %d", 1);
    /* Into any buffer (an audio failure, a session's news), cut to fit. */
    char small[24];
    hiss_text_format(small, sizeof small, "'%s'", ESC_NAME);
    CHECK_MSG(strlen(small) < sizeof small && !strchr(small, 0x1b) &&
                  !strncmp(small, "'bad\\x1b]0;", 11),
              "%s", small);
}

/* A text cut to fit never ends in half a UTF-8 character, whatever the
 * cut: "é" is two bytes, "♪" three. */
static void a_cut_text_keeps_whole_characters(void)
{
    const char *names[] = {"caf\xc3\xa9 caf\xc3\xa9 caf\xc3\xa9", "\xe2\x99\xaa\xe2\x99\xaa\xe2\x99\xaa\xe2\x99\xaa"};
    for (int n = 0; n < 2; n++)
        for (size_t size = 1; size <= strlen(names[n]) + 1; size++) {
            char out[32];
            hiss_text_format(out, size, "%s", names[n]);
            size_t len = strlen(out);
            CHECK_MSG(len < size && !strncmp(out, names[n], len), "size %zu: %s", size, out);
            /* it ends where a character of the name starts (or at its end) */
            unsigned char next = (unsigned char)names[n][len];
            CHECK_MSG((next & 0xC0) != 0x80, "size %zu: cut inside a character", size);
            /* and no more than a character's bytes short of the room */
            CHECK_MSG(size - 1 - len < 3, "size %zu: %zu bytes", size, len);
        }
}

static void diag_set_escapes_the_file_name(void)
{
    HissDiag d;
    hiss_diag_set(&d, ESC_NAME ".hiss", 3, 4, "bad word '%s'", "x\ty");
    CHECK_MSG(shown_escaped(d.text), "%s", d.text);
    CHECK_MSG(strstr(d.text, ".hiss:3:4: bad word 'x\\x09y'") != NULL, "%s", d.text);
}

/* The song's own file name in a missing-sample warning. */
static void song_warning_escapes_the_song_name(void)
{
    char dir[512], song[600];
    snprintf(dir, sizeof dir, "%s/" ESC_NAME, tmpdir);
    CHECK(mkdir(dir, 0755) == 0);
    snprintf(song, sizeof song, "%s/song.hiss", dir);
    Instrument *inst = song_instrument_new();
    snprintf(inst->path, sizeof inst->path, "missing.wav");
    snprintf(inst->name, sizeof inst->name, "kick");
    SongioWarnings w;
    songio_warnings_init(&w);
    CHECK(songio_load_instrument(inst, 1, song, 48000, &w) != HISS_OK);
    CHECK(w.count == 1);
    if (w.count == 1)
        CHECK_MSG(shown_escaped(w.items[0].text), "%s", w.items[0].text);
    songio_warnings_deinit(&w);
    song_instrument_free(inst);
}

/* A sample file hiss cannot read: the message names the file. */
static void sample_message_escapes_the_file_name(void)
{
    char path[600];
    snprintf(path, sizeof path, "%s/" ESC_NAME ".wav", tmpdir);
    test_write_text(path, "not audio at all, just text\n");
    Sample *s = NULL;
    HissDiag d = {{0}};
    CHECK(sampleio_load(path, &s, NULL, &d) != HISS_OK);
    CHECK(s == NULL);
    CHECK_MSG(shown_escaped(d.text), "%s", d.text);
}

/* An instrument renamed in the editor, in the warning about its sample. */
static void song_warning_escapes_the_instrument_name(void)
{
    char song[600];
    snprintf(song, sizeof song, "%s/plain.hiss", tmpdir);
    Instrument *inst = song_instrument_new();
    snprintf(inst->path, sizeof inst->path, "missing.wav");
    snprintf(inst->name, sizeof inst->name, "%s", ESC_NAME);
    SongioWarnings w;
    songio_warnings_init(&w);
    CHECK(songio_load_instrument(inst, 1, song, 48000, &w) != HISS_OK);
    CHECK(w.count == 1);
    if (w.count == 1)
        CHECK_MSG(shown_escaped(w.items[0].text), "%s", w.items[0].text);
    songio_warnings_deinit(&w);
    song_instrument_free(inst);
}

/* A device name from the command line, in the ALSA backend's message. */
static void audio_message_escapes_the_device_name(void)
{
    AudioOptions opts = {.backend = "alsa", .device = ESC_NAME};
    Audio *a = NULL;
    uint32_t rate = 0;
    HissDiag why = {{0}};
    CHECK(audio_open(&a, &opts, &rate, &why) != HISS_OK);
    CHECK(a == NULL);
    CHECK_MSG(shown_escaped(why.text), "%s", why.text);
    if (a)
        audio_close(a);
}

int main(void)
{
    test_make_tmpdir(tmpdir, sizeof tmpdir, "messages");
    RUN(diag_printf_escapes_and_may_quote_itself);
    RUN(a_cut_text_keeps_whole_characters);
    RUN(diag_set_escapes_the_file_name);
    RUN(song_warning_escapes_the_song_name);
    RUN(sample_message_escapes_the_file_name);
    RUN(song_warning_escapes_the_instrument_name);
    RUN(audio_message_escapes_the_device_name);
    test_remove_tree(tmpdir);
    return test_finish();
}
