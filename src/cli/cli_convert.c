/* hiss convert MODULE [-o SONG.hiss]: a module (MOD, S3M, XM, IT) saved as
 * a .hiss song, its samples as WAV files in SONG-samples/ beside it and
 * what the conversion dropped or approximated in SONG.import.txt. The
 * module itself is never written, and neither is a song already there:
 * without -o the song takes the first free name, as the editor's save of a
 * module offers it (X.hiss, X-2.hiss...); a song that -o names is saved
 * over as the editor saves, keeping the hissrc's `set backups` older
 * versions (SONG.hiss~...). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "cli_options.h"
#include "keymap.h"
#include "loader.h"
#include "songio.h"
#include "ui_file.h"

static const CliOpt CONVERT_OPTIONS[] = {CLI_OPT_HELP, CLI_OPT_QUIET, CLI_OPT_SONG_OUTPUT};
static const char PROG[] = "hiss convert";

static void usage(FILE *f)
{
    fprintf(f, "usage: hiss convert MODULE [-o SONG.hiss]\n");
    cli_options_usage(f, CONVERT_OPTIONS, HISS_ARRAY_LEN(CONVERT_OPTIONS));
    fprintf(f, "Saves a MOD, S3M, XM or IT module as a .hiss song, its samples as WAV "
               "files in\nSONG-samples/ and the import report in SONG.import.txt. "
               "Without -o the song goes\nbeside the module as MODULE.hiss, or "
               "MODULE-2.hiss... when that name is taken.\n");
}

/* How many older versions the editor's save would keep: the hissrc's
 * `set backups`, else the default. */
static int save_backups(void)
{
    Keymap *rc = malloc(sizeof *rc);
    if (!rc)
        return UI_FILE_DEFAULT_BACKUPS;
    keymap_init_defaults(rc);
    HissDiag bad[1];
    keymap_load_user(rc, bad, 0);
    int backups = rc->backups >= 0 ? rc->backups : UI_FILE_DEFAULT_BACKUPS;
    free(rc);
    return backups;
}

int cli_convert(int argc, char **argv)
{
    CliArgs a;
    int rc = cli_options_parse(PROG, argc, argv, 1, CONVERT_OPTIONS,
                               HISS_ARRAY_LEN(CONVERT_OPTIONS), &a);
    if (rc) {
        cli_args_free(&a); /* what the parse took before it refused */
        return rc;
    }
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
    char out[SONG_PATH_MAX], own[SONG_PATH_MAX];
    ui_file_import_target(module, own, sizeof own);
    bool named = a.given[CLI_OPT_SONG_OUTPUT];
    if (named)
        snprintf(out, sizeof out, "%s", a.text[CLI_OPT_SONG_OUTPUT]);
    else
        ui_file_import_suggestion(module, out, sizeof out);
    cli_args_free(&a);
    if (!out[0])
        return cli_usage_error(PROG, "%s: no free song name beside it (up to -99): "
                               "give -o SONG.hiss", module);
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
    struct stat st;
    bool replaces = named && stat(out, &st) == 0;
    int backups = save_backups();
    HissError err = songio_save_converted(song, out, module, backups, NULL, NULL, &diag);
    song_free(song);
    if (err) {
        fprintf(stderr, "%s: %s\n", PROG, diag.text);
        return 1;
    }
    if (quiet)
        return 0;
    printf("saved %s (samples in its -samples folder, report in .import.txt)\n", out);
    if (!named && !own[0])
        printf("the module's own song name was taken (a song, its -samples folder or "
               "its report): nothing there was written\n");
    if (replaces && backups)
        printf("the song that was there is kept as %s~\n", out);
    else if (replaces)
        printf("the song that was there is replaced (set backups 0: no older version "
               "kept)\n");
    return 0;
}
