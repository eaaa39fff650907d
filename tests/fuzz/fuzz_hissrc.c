/* Fuzz target: arbitrary bytes as a hissrc (keymap_parse).
 *
 * Whatever the input: no crash, a count of bad lines that is never
 * negative and never more than the lines there are, every reported message
 * in "hissrc:line:col: message" form with a line inside the input, and a
 * key table that still answers lookups and stays within its size. Bindings
 * the text made must name keys that parse back to the same code. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keymap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { MAX_DIAGS = 8 };

static void fail(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_hissrc: %s: %s\n", what, detail);
    abort();
}

static Keymap km; /* large: static so each run does not touch the stack */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    keymap_init_defaults(&km);
    HissDiag diags[MAX_DIAGS];
    memset(diags, 0, sizeof diags);
    int lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    int bad = keymap_parse(&km, (const char *)data, size, "hissrc", diags,
                           MAX_DIAGS);
    if (bad < 0 || bad > lines)
        fail("bad line count", "out of range");
    for (int i = 0; i < bad && i < MAX_DIAGS; i++) {
        int line = 0, col = 0, used = 0;
        /* The one message about the file as a whole (no way left to quit)
         * names the file alone. */
        if (!strncmp(diags[i].text, "hissrc: no key was left to quit", 31))
            continue;
        if (sscanf(diags[i].text, "hissrc:%d:%d: %n", &line, &col, &used) != 2 ||
            used == 0 || !diags[i].text[used])
            fail("message not in file:line:col: form", diags[i].text);
        if (line < 1 || line > lines || col < 1)
            fail("position outside the input", diags[i].text);
        for (const char *c = diags[i].text; *c; c++)
            if ((unsigned char)*c < 0x20 || *c == 0x7f)
                fail("control byte in a message", diags[i].text);
    }
    if (km.count < 0 || km.count > KEYMAP_MAX_BINDINGS)
        fail("table size", "out of range");
    for (int i = 0; i < km.count; i++) {
        const KeymapBinding *b = &km.bindings[i];
        if (b->action <= ACT_NONE || b->action >= ACT_COUNT)
            fail("binding", "action out of range");
        char name[KEYMAP_KEY_NAME_MAX];
        if (keymap_key_name(b->key, name, sizeof name) &&
            keymap_key_parse(name) != b->key)
            fail("key name does not parse back", name);
        if (keymap_lookup(&km, keymap_action_context(b->action), b->key) ==
            ACT_NONE)
            fail("bound key", "looks up as unbound");
    }
    return 0;
}
