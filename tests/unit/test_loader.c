/* loader: the table behind song loading picks the format by its probe,
 * loads with that entry, and names the formats it knows when none takes a
 * file. */
#include <stdlib.h>

#include "common/files.h"
#include "loader.h"
#include "songio.h"
#include "test.h"

static const char HISS_TEXT[] = "hiss 1\ntitle \"probe\"\nchannels 2\n\norder 00\n\n"
                                "pattern 00 1\n000 |... .. .. ... ...|... .. .. ... ...|\n";

/* A stand-in for a module format: files that start with "FAKEMOD". */
static int fake_loads;
static bool fake_probe(const char *path, const char *data, size_t len)
{
    (void)path;
    return len >= 7 && !memcmp(data, "FAKEMOD", 7);
}
static HissError fake_load(const char *data, size_t len, const char *path, Song **out,
                           HissDiag *diag, LoaderReport *report)
{
    (void)data, (void)len, (void)path, (void)diag, (void)report;
    fake_loads++;
    *out = song_new_empty();
    return *out ? HISS_OK : HISS_ERR_NOMEM;
}

static void hiss_is_the_first_entry(void)
{
    size_t n = 0;
    const SongLoader *t = loader_table(&n);
    CHECK(n >= 1);
    CHECK_STR(t[0].name, "hiss");
    CHECK_STR(t[0].extension, ".hiss");
    Song *song = NULL;
    HissDiag d = {{0}};
    CHECK_MSG(loader_parse(HISS_TEXT, strlen(HISS_TEXT), "a.txt", &song, &d) == HISS_OK,
              "%s", d.text);
    CHECK(song && song->channels == 2 && !strcmp(song->title, "probe"));
    song_free(song);
}

static void the_probe_picks_the_loader(void)
{
    size_t n = 0;
    const SongLoader *builtin = loader_table(&n);
    /* The stand-in first, then hiss's own entries. */
    SongLoader table[8] = {{"fake", ".fake", fake_probe, fake_load}};
    for (size_t i = 0; i < n && i + 1 < 8; i++)
        table[i + 1] = builtin[i];
    size_t count = n + 1 < 8 ? n + 1 : 8;

    static const char MOD[] = "FAKEMOD and then some bytes";
    CHECK(loader_pick(table, count, "beat.hiss", MOD, sizeof MOD) == &table[0]);
    CHECK(loader_pick(table, count, "x", HISS_TEXT, strlen(HISS_TEXT)) == &table[1]);
    /* A BOM before the version line is still hiss. */
    char bom[sizeof HISS_TEXT + 3] = "\xef\xbb\xbf";
    memcpy(bom + 3, HISS_TEXT, sizeof HISS_TEXT);
    CHECK(loader_pick(table, count, "x", bom, strlen(bom)) == &table[1]);

    Song *song = NULL;
    HissDiag d = {{0}};
    fake_loads = 0;
    CHECK(loader_parse_with(table, count, MOD, sizeof MOD, "m.fake", &song, &d, NULL) == HISS_OK);
    CHECK(fake_loads == 1 && song != NULL);
    song_free(song);
    CHECK(loader_parse_with(table, count, HISS_TEXT, strlen(HISS_TEXT), "s", &song, &d, NULL) ==
          HISS_OK);
    CHECK(fake_loads == 1 && song && song->channels == 2);
    song_free(song);
}

/* A module whose title starts like a version line ("hiss dig test",
 * "hiss 1" and the title's padding) is still the module. */
static void a_module_titled_hiss_is_the_module(void)
{
    size_t n = 0;
    const SongLoader *t = loader_table(&n);
    static char mod[1100];
    static const char *const TITLES[] = {"hiss dig test", "hiss 1", "hiss\t2 beats"};
    for (size_t k = 0; k < HISS_ARRAY_LEN(TITLES); k++) {
        memset(mod, 0, sizeof mod);
        memcpy(mod, TITLES[k], strlen(TITLES[k]));
        memcpy(mod + 1080, "M.K.", 4);
        const SongLoader *picked = loader_pick(t, n, "dig.mod", mod, sizeof mod);
        CHECK_MSG(picked && !strcmp(picked->name, "ProTracker MOD"), "\"%s\": %s",
                  TITLES[k], picked ? picked->name : "none");
    }
    /* Version lines a song may have: with CR LF, trailing blanks, alone. */
    static const char *const SONGS[] = {"hiss 1\r\ntitle \"x\"\n", "hiss  1 \n", "hiss 1"};
    for (size_t k = 0; k < HISS_ARRAY_LEN(SONGS); k++)
        CHECK_MSG(loader_pick(t, n, "x", SONGS[k], strlen(SONGS[k])) == &t[0], "\"%s\"",
                  SONGS[k]);
}

/* A broken file named .hiss is hiss's: its message has the line and column. */
static void a_broken_hiss_file_gets_the_parsers_message(void)
{
    static const char BAD[] = "hsis 1\n";
    Song *song = NULL;
    HissDiag d = {{0}};
    CHECK(loader_parse(BAD, strlen(BAD), "beat.hiss", &song, &d) != HISS_OK);
    CHECK(song == NULL);
    CHECK_MSG(!strncmp(d.text, "beat.hiss:1:", 12), "%s", d.text);
}

static void an_unknown_format_is_named_clearly(void)
{
    static const char WAV[] = "RIFF\x24\0\0\0WAVEfmt ";
    Song *song = (Song *)1;
    HissDiag d = {{0}};
    CHECK(loader_parse(WAV, sizeof WAV, "kick.wav", &song, &d) == HISS_ERR_FORMAT);
    CHECK(song == NULL);
    CHECK_STR(d.text, "kick.wav: not a song hiss can read (it reads: hiss (.hiss), "
                      "ProTracker MOD (.mod), Scream Tracker 3 (.s3m), FastTracker 2 "
                      "(.xm), Impulse Tracker (.it))");

    /* Through songio, as render, play and the editor load songs. */
    char dir[256], path[300];
    test_make_tmpdir(dir, sizeof dir, "loader");
    snprintf(path, sizeof path, "%s/beat.xm", dir);
    test_write_text(path, "Extended Module: not yet\n");
    SongioWarnings w;
    songio_warnings_init(&w);
    song = NULL;
    /* A file that claims to be a module gets the module reader's word. */
    CHECK(songio_load(path, 48000, &song, &d, &w) == HISS_ERR_FORMAT);
    CHECK(song == NULL);
    CHECK_MSG(strstr(d.text, "beat.xm: ") && strstr(d.text, "module"), "%s", d.text);
    songio_warnings_deinit(&w);
    test_remove_tree(dir);
}

int main(void)
{
    RUN(hiss_is_the_first_entry);
    RUN(the_probe_picks_the_loader);
    RUN(a_module_titled_hiss_is_the_module);
    RUN(a_broken_hiss_file_gets_the_parsers_message);
    RUN(an_unknown_format_is_named_clearly);
    return test_finish();
}
