/* hiss --recover [DIR...]: lists what can be recovered.
 *
 * Looks in the state directory (untitled songs and fallbacks), in the index
 * of recovery files written next to songs, and for hidden .NAME.recover
 * files in the current directory and every DIR given. Restoring is offered
 * by the editor when the song is opened; the one thing changed here is the
 * removal of temporary files that killed saves left in those directories
 * (of songs no hiss holds), each listed. Every name is printed with its
 * control bytes escaped: a file name must not drive the terminal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cli_options.h"
#include "recovery.h"

static const CliOpt RECOVER_OPTIONS[] = {CLI_OPT_HELP};

static void usage(FILE *f)
{
    fprintf(f, "usage: hiss --recover [DIR...]\n");
    cli_options_usage(f, RECOVER_OPTIONS, HISS_ARRAY_LEN(RECOVER_OPTIONS));
    fprintf(f, "Lists recovery files (newest first): those next to songs in "
               "the index and in\nthe current directory and each DIR, and "
               "those in the state directory.\n");
}

static void print_entry(const RecoveryEntry *e)
{
    time_t t = (time_t)(e->mtime_ns / 1000000000);
    struct tm tm;
    localtime_r(&t, &tm);
    char when[32];
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
    char path[RECOVERY_PATH_MAX], song[RECOVERY_PATH_MAX];
    printf("%s  %8lld bytes  %s\n", when, (long long)e->size,
           hiss_escape_name(e->path, path, sizeof path));
    if (e->song_path[0])
        printf("    song: %s (%s)\n",
               hiss_escape_name(e->song_path, song, sizeof song),
               e->newer_than_song
                   ? "newer than the song: open the song to restore it"
                   : "older than the song: probably already saved");
    else
        printf("    new song never saved: open this file with hiss to "
               "restore it\n");
}

static void print_cleaned(void *ctx, const char *path, int64_t size)
{
    (void)ctx;
    char shown[RECOVERY_PATH_MAX];
    printf("removed %s (%lld bytes): a temporary file of an interrupted "
           "save\n", hiss_escape_name(path, shown, sizeof shown),
           (long long)size);
}

int cli_recover(int argc, char **argv)
{
    const char **dirs = calloc((size_t)argc + 1, sizeof *dirs);
    if (!dirs) {
        fprintf(stderr, "hiss: out of memory\n");
        return 1;
    }
    int count = 0;
    dirs[count++] = ".";
    CliArgs a;
    int rc = cli_options_parse("hiss --recover", argc, argv, 1, RECOVER_OPTIONS,
                               HISS_ARRAY_LEN(RECOVER_OPTIONS), &a);
    bool help = !rc && a.given[CLI_OPT_HELP];
    if (help)
        usage(stdout);
    for (int i = 0; !rc && i < a.operand_count; i++)
        dirs[count++] = a.operands[i];
    cli_args_free(&a);
    if (rc || help) {
        free(dirs);
        return rc;
    }
    char state[RECOVERY_PATH_MAX];
    HissDiag diag = {{0}};
    bool have_state = recovery_state_dir(state, sizeof state, false, &diag) ==
                      HISS_OK;

    for (int i = 0; i < count; i++)
        recovery_clean_temps(dirs[i], print_cleaned, NULL);
    if (have_state)
        recovery_clean_temps(state, print_cleaned, NULL);

    RecoveryEntry *entries = NULL;
    int n = recovery_list(dirs, count, &entries);
    free(dirs);
    if (n < 0) {
        fprintf(stderr, "hiss --recover: out of memory\n");
        return 1;
    }
    if (n == 0)
        printf("nothing to recover\n");
    for (int i = 0; i < n; i++)
        print_entry(&entries[i]);
    char shown[RECOVERY_PATH_MAX];
    if (have_state)
        printf("(state directory: %s)\n",
               hiss_escape_name(state, shown, sizeof shown));
    else
        printf("(no state directory: %s)\n", diag.text);
    free(entries);
    return 0;
}
