/* Recording a take through ALSA, without hardware: alsa-lib's `file`
 * plugin over a `null` device reads what a capture gives from a raw file
 * (its `infile`), configured by a private ALSA_CONFIG_PATH. The take must
 * hold exactly that file's frames from its first, in order; a device that
 * cannot record says why at once and leaves no file. */
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "audio.h"
#include "common/files.h"
#include "take.h"
#include "test.h"

enum { RATE = 48000, SIGNAL_FRAMES = 3 * RATE };
static char dir[512];

/* Frame i's left value; the right is its negation. Unique per frame. */
static float signal_at(uint32_t i)
{
    return (float)((i * 7919u) % 65521u) / 65521.0f - 0.5f;
}

static bool setup(void)
{
    test_make_tmpdir(dir, sizeof dir, "take-alsa");
    char raw[600], conf[600];
    snprintf(raw, sizeof raw, "%s/in.raw", dir);
    snprintf(conf, sizeof conf, "%s/alsa.conf", dir);
    FILE *f = fopen(raw, "wb");
    if (!f)
        return false;
    for (uint32_t i = 0; i < SIGNAL_FRAMES; i++) {
        float frame[2] = {signal_at(i), -signal_at(i)};
        fwrite(frame, sizeof frame, 1, f);
    }
    fclose(f);
    f = fopen(conf, "w");
    if (!f)
        return false;
    fprintf(f,
            "pcm.hisscap {\n    type file\n    slave { pcm { type null } }\n"
            "    file \"%s/out.raw\"\n    infile \"%s\"\n    format \"raw\"\n}\n"
            "pcm.hissplayonly {\n    type asym\n    playback.pcm { type null }\n}\n",
            dir, raw);
    fclose(f);
    setenv("ALSA_CONFIG_PATH", conf, 1);
    return true;
}

static void a_take_holds_what_the_capture_device_gave(void)
{
    AudioOptions o = {.backend = "alsa", .device = "hisscap", .rate = RATE, .period = 256};
    Audio *a = NULL;
    HissDiag why = {{0}};
    CHECK_MSG(audio_open(&a, &o, NULL, &why) == HISS_OK, "%s", why.text);
    if (!a)
        return;
    CHECK(audio_can_capture(a));
    CHECK(audio_start(a, NULL) == HISS_OK);
    Take *t = NULL;
    CHECK_MSG(take_begin(&t, a, dir, "song", &(TakeOptions){0}, &why) == HISS_OK, "%s",
              why.text);
    if (t) {
        for (int i = 0; i < 20; i++) {
            CHECK(take_pump(t, &why) == HISS_OK);
            hiss_sleep_ms(20);
        }
        CHECK_MSG(take_end(t, &why) == HISS_OK, "%s", why.text);
        SF_INFO info = {0};
        SNDFILE *f = sf_open(take_path(t), SFM_READ, &info);
        CHECK(f && info.channels == 2 && info.samplerate == RATE);
        CHECK_MSG(info.frames > RATE / 10 && info.frames < SIGNAL_FRAMES, "%lld frames",
                  (long long)info.frames);
        float *got = calloc((size_t)info.frames * 2 + 2, sizeof(float));
        if (f && got && sf_readf_float(f, got, info.frames) == info.frames) {
            long wrong = 0, first_wrong = -1;
            for (sf_count_t i = 0; i < info.frames; i++)
                if (got[2 * i] != signal_at((uint32_t)i) ||
                    got[2 * i + 1] != -signal_at((uint32_t)i)) {
                    wrong++;
                    first_wrong = first_wrong < 0 ? (long)i : first_wrong;
                }
            CHECK_MSG(wrong == 0, "%ld of %lld frames differ from the device's, the first at %ld",
                      wrong, (long long)info.frames, first_wrong);
        }
        free(got);
        if (f)
            sf_close(f);
        take_free(t);
    }
    audio_close(a);
}

/* A device that only plays: a take there fails at once with the device's
 * reason and leaves nothing behind. */
static void a_device_that_cannot_record_says_why(void)
{
    AudioOptions o = {.backend = "alsa", .device = "hissplayonly", .rate = RATE, .period = 256};
    Audio *a = NULL;
    HissDiag why = {{0}};
    CHECK_MSG(audio_open(&a, &o, NULL, &why) == HISS_OK, "%s", why.text);
    if (!a)
        return;
    CHECK(audio_start(a, NULL) == HISS_OK);
    char sub[600];
    snprintf(sub, sizeof sub, "%s/empty", dir);
    CHECK(mkdir(sub, 0700) == 0);
    Take *t = NULL;
    CHECK(take_begin(&t, a, sub, "song", &(TakeOptions){0}, &why) != HISS_OK);
    CHECK(t == NULL);
    CHECK_MSG(strstr(why.text, "ALSA device 'hissplayonly': cannot open it to record") != NULL, "%s", why.text);
    CHECK(test_count_entries(sub, NULL) == 0);
    take_free(t);
    audio_close(a);
}

int main(void)
{
    if (!setup()) {
        fprintf(stderr, "FAIL cannot write the ALSA configuration\n");
        test_failed++;
        return test_finish();
    }
    RUN(a_take_holds_what_the_capture_device_gave);
    RUN(a_device_that_cannot_record_says_why);
    test_remove_tree(dir);
    return test_finish();
}
