/* hiss convert MODULE [-o SONG.hiss]: a module (MOD, S3M, XM, IT) saved as
 * a .hiss song, its samples as WAV files in SONG-samples/ beside it and
 * what the conversion dropped or approximated in SONG.import.txt. The
 * module itself is never written. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_options.h"
#include "loader.h"
#include "songio.h"

static const CliOpt CONVERT_OPTIONS[] = {CLI_OPT_HELP, CLI_OPT_QUIET, CLI_OPT_OUTPUT};
static const char PROG[] = "hiss convert";

static void usage(FILE *f)
{
    fprintf(f, "usage: hiss convert MODULE [-o SONG.hiss]\n");
    cli_options_usage(f, CONVERT_OPTIONS, HISS_ARRAY_LEN(CONVERT_OPTIONS));
    fprintf(f, "Saves a MOD, S3M, XM or IT module as a .hiss song (default: the "
               "module's name\nwith .hiss), its samples as WAV files in "
               "SONG-samples/ and the import report\nin SONG.import.txt.\n");
}

/* "dir/beat.mod" -> "dir/beat.hiss". */
static bool default_output(const char *module, char *out, size_t size)
{
    const char *dot = strrchr(module, '.');
    const char *slash = strrchr(module, '/');
    size_t n = dot && (!slash || dot > slash) ? (size_t)(dot - module) : strlen(module);
    int len = snprintf(out, size, "%.*s.hiss", (int)n, module);
    return len >= 0 && (size_t)len < size;
}

int cli_convert(int argc, char **argv)
{
    CliArgs a;
    int rc = cli_options_parse(PROG, argc, argv, 1, CONVERT_OPTIONS,
                               HISS_ARRAY_LEN(CONVERT_OPTIONS), &a);
    if (rc)
        return rc;
    if (a.given[CLI_OPT_HELP]) {
        cli_args_free(&a);
        usage(stdout);
        return 0;
    }
    if (a.operand_count != 1) {
        cli_args_free(&a);
        return cli_usage_error(PROG, "give one module to convert");
    }
    const char *module = a.operands[0];
    bool quiet = a.given[CLI_OPT_QUIET];
    char out[SONG_PATH_MAX];
    if (a.given[CLI_OPT_OUTPUT])
        snprintf(out, sizeof out, "%s", a.text[CLI_OPT_OUTPUT]);
    else if (!default_output(module, out, sizeof out)) {
        cli_args_free(&a);
        return cli_usage_error(PROG, "name too long: give -o SONG.hiss");
    }
    cli_args_free(&a);
    if (!hiss_has_suffix(out, ".hiss"))
        return cli_usage_error(PROG, "%s: the song must be a .hiss file", out);

    SongioWarnings warnings;
    songio_warnings_init(&warnings);
    Song *song = NULL;
    HissDiag diag = {{0}};
    if (songio_load(module, 48000, &song, &diag, &warnings) != HISS_OK) {
        fprintf(stderr, "%s: %s\n", PROG, diag.text);
        songio_warnings_deinit(&warnings);
        return 1;
    }
    for (int i = 0; i < warnings.count && !quiet; i++)
        fprintf(stderr, "%s\n", warnings.items[i].text);
    songio_warnings_deinit(&warnings);
    if (!songio_has_unsaved_samples(song) && !loader_is_foreign(module)) {
        song_free(song);
        fprintf(stderr, "%s: %s: already a hiss song\n", PROG, module);
        return 1;
    }
    HissError err = songio_save_converted(song, out, module, 0, NULL, NULL, &diag);
    song_free(song);
    if (err) {
        fprintf(stderr, "%s: %s\n", PROG, diag.text);
        return 1;
    }
    if (!quiet)
        printf("saved %s (samples in its -samples folder, report in .import.txt)\n", out);
    return 0;
}
