/* Fuzz target for the .hiss parser. Whatever the bytes, parsing must not
 * crash, leak or read out of bounds; a refused file must come with a
 * message and no song; an accepted one must save to text that loads again
 * and saves to the very same bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "songfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Song *song = NULL;
    HissDiag diag = {{0}};
    if (songfile_parse((const char *)data, size, "fuzz.hiss", &song, &diag) !=
        HISS_OK) {
        if (song || strncmp(diag.text, "fuzz.hiss:", 10) != 0) {
            fprintf(stderr, "refused without a proper message: \"%s\"\n",
                    diag.text);
            abort();
        }
        return 0;
    }

    char *first = NULL, *second = NULL;
    size_t first_len = 0, second_len = 0;
    if (songfile_format(song, &first, &first_len) != HISS_OK)
        abort();
    Song *again = NULL;
    if (songfile_parse(first, first_len, "saved.hiss", &again, &diag) !=
        HISS_OK) {
        fprintf(stderr, "saved text does not load: %s\n", diag.text);
        abort();
    }
    if (songfile_format(again, &second, &second_len) != HISS_OK)
        abort();
    if (first_len != second_len || memcmp(first, second, first_len) != 0) {
        size_t i = 0;
        while (i < first_len && i < second_len && first[i] == second[i])
            i++;
        fprintf(stderr, "saving is not stable; first difference at byte %zu\n",
                i);
        abort();
    }
    free(first);
    free(second);
    song_free(song);
    song_free(again);
    return 0;
}
