/* Edits while another thread reads the song the way the engine does:
 * slots with acquire loads, cells with relaxed atomic loads. Retired
 * objects are kept until the reader has stopped, as the engine's return
 * path guarantees in the program. Build it with -fsanitize=thread to let
 * TSan look for races; here it checks every value read is well formed. */
#include <pthread.h>
#include <stdlib.h>

#include "edit.h"
#include "test.h"

typedef struct {
    EditRetireKind kind;
    void *ptr;
} Retired;

static Retired *retired;
static int retired_count, retired_cap;

static void on_retire(void *ctx, EditRetireKind kind, void *ptr)
{
    (void)ctx;
    if (retired_count == retired_cap) {
        retired_cap = retired_cap ? retired_cap * 2 : 256;
        retired = realloc(retired, (size_t)retired_cap * sizeof *retired);
    }
    retired[retired_count].kind = kind;
    retired[retired_count].ptr = ptr;
    retired_count++;
}

typedef struct {
    Song *song;
    atomic_bool stop;
    long reads;
    long bad;
} Reader;

static bool cell_ok(Cell c)
{
    return c.note <= NOTE_CUT &&
           (c.volume <= VOLUME_MAX || c.volume == VOLUME_EMPTY);
}

static void *reader_main(void *arg)
{
    Reader *rd = arg;
    while (!atomic_load(&rd->stop)) {
        int chans = atomic_load(&rd->song->channels);
        if (chans < 1 || chans > SONG_MAX_CHANNELS)
            rd->bad++;
        for (int slot = 0; slot < 4; slot++) {
            const Pattern *p = song_pattern(rd->song, slot);
            if (!p)
                continue;
            if (p->rows < 1 || p->rows > SONG_MAX_ROWS || p->channels < 1 ||
                p->channels > SONG_MAX_CHANNELS)
                rd->bad++;
            for (int r = 0; r < p->rows; r++)
                for (int c = 0; c < p->channels; c++) {
                    if (!cell_ok(song_pattern_get(p, r, c)))
                        rd->bad++;
                    rd->reads++;
                }
        }
        int oc = atomic_load(&rd->song->order_count);
        if (oc < 0 || oc > SONG_MAX_ORDERS)
            rd->bad++;
        for (int i = 0; i < oc; i++)
            (void)atomic_load(&rd->song->orders[i]);
        const Instrument *in = song_instrument(rd->song, 1);
        if (in && (in->volume < 0 || in->volume > 64))
            rd->bad++;
    }
    return NULL;
}

static void edits_while_a_reader_plays(void)
{
    Song *song = song_new();
    Editor *ed = edit_new(song, on_retire, NULL);
    edit_set_edit_mode(ed, true);
    CHECK(edit_instrument_replace(ed, 1, song_instrument_new()) == HISS_OK);
    Reader rd = {.song = song};
    atomic_init(&rd.stop, false);
    pthread_t th;
    CHECK(pthread_create(&th, NULL, reader_main, &rd) == 0);

    unsigned seed = 12345;
    int failures = 0;
    for (int i = 0; i < 3000; i++) {
        seed = seed * 1103515245u + 12345u;
        int pick = (int)(seed >> 16) % 12;
        HissError err = HISS_OK;
        switch (pick) {
        case 0:
        case 1:
        case 2:
            err = edit_note_from_key_offset(ed, (int)(seed >> 8) % 24);
            break;
        case 3:
            edit_mark_pattern(ed);
            err = edit_block_transpose(ed, (seed & 1) ? 12 : -1);
            edit_mark_clear(ed);
            break;
        case 4:
            err = edit_insert_row(ed, (seed >> 3) & 1);
            break;
        case 5:
            err = edit_pattern_set_length(ed, 1 + (int)(seed >> 9) % 128);
            break;
        case 6:
            err = edit_song_set_channels(ed, 1 + (int)(seed >> 10) % 12);
            break;
        case 7:
            if (song_pattern(song, 3) == NULL)
                err = edit_pattern_clone(ed);
            else
                edit_pattern_next(ed);
            break;
        case 8:
            err = edit_instrument_set_volume(ed, 1, (int)(seed >> 11) % 65);
            break;
        case 9:
            edit_undo(ed);
            break;
        case 10:
            edit_redo(ed);
            break;
        case 11:
            edit_cursor_set(ed, (EditCursor){ed->cursor.pattern,
                                             (int)(seed >> 12) % 256,
                                             (int)(seed >> 5) % 16,
                                             EDIT_COL_NOTE});
            break;
        }
        if (err && err != HISS_ERR_RANGE)
            failures++;
    }
    while (edit_undo(ed) == HISS_OK)
        ;
    atomic_store(&rd.stop, true);
    pthread_join(th, NULL);
    CHECK(failures == 0);
    CHECK(rd.bad == 0);
    CHECK(rd.reads > 0);
    CHECK(retired_count > 0);
    /* Undone back to the start: one 64x4 pattern, no instrument. */
    CHECK(song_pattern(song, 0)->rows == 64 && song_pattern(song, 0)->channels == 4);
    CHECK(song_pattern(song, 1) == NULL);
    CHECK(song_instrument(song, 1) == NULL);
    printf("     %ld cells read during %d edits, %d objects retired\n", rd.reads,
           3000, retired_count);
    edit_free(ed);
    song_free(song);
    for (int i = 0; i < retired_count; i++) {
        if (retired[i].kind == EDIT_RETIRE_PATTERN)
            song_pattern_free(retired[i].ptr);
        else
            song_instrument_free(retired[i].ptr);
    }
    free(retired);
}

int main(void)
{
    RUN(edits_while_a_reader_plays);
    return test_finish();
}
