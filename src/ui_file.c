#include "ui_file.h"

#include <stdio.h>

#include "songio.h"

HissError ui_file_load(const char *path, uint32_t rate, Song **out,
                       HissDiag *diag, char *warning, size_t warning_size,
                       int *missing)
{
    SongioWarnings warnings;
    songio_warnings_init(&warnings);
    HissError err = songio_load(path, rate, out, diag, &warnings);
    *missing = 0;
    if (warning_size)
        warning[0] = 0;
    if (err == HISS_OK) {
        *missing = songio_warnings_missing(&warnings);
        /* The first instrument without sound says most; else any note. */
        const SongioWarning *first = NULL;
        for (int i = 0; i < warnings.count && !first; i++)
            if (warnings.items[i].kind != HISS_OK)
                first = &warnings.items[i];
        if (!first && warnings.count)
            first = &warnings.items[0];
        if (first && warning_size)
            snprintf(warning, warning_size, "%s", first->text);
    }
    songio_warnings_deinit(&warnings);
    return err;
}

HissError ui_file_save(const Song *song, const char *path, HissDiag *diag)
{
    return songio_save(song, path, 1, diag);
}
