/* Fuzz target: arbitrary bytes as a command line for the one option parser
 * (cli_options_check). Words are separated by NUL bytes; the first byte
 * picks which options are accepted (all, or --help alone).
 *
 * Whatever the input: no crash; the result is accepted (0) or refused (2)
 * with a one-line message free of control bytes; an accepted line's
 * operands are words of the input, every value it kept is accepted again
 * on its own, and the line written back canonically (--name=VALUE, then --
 * and the operands) parses to the same result. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { MAX_WORDS = 64 };

static void fail(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_cli_options: %s: %s\n", what, detail);
    abort();
}

static bool same(const CliArgs *a, const CliArgs *b)
{
    if (a->operand_count != b->operand_count)
        return false;
    for (int i = 0; i < a->operand_count; i++)
        if (strcmp(a->operands[i], b->operands[i]))
            return false;
    for (int o = 0; o < CLI_OPT_COUNT; o++) {
        if (a->given[o] != b->given[o])
            return false;
        if (!a->given[o])
            continue;
        if (!a->text[o] != !b->text[o] || (a->text[o] && strcmp(a->text[o], b->text[o])))
            return false;
        if (a->number[o] != b->number[o] || a->choice[o] != b->choice[o])
            return false;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    static const CliOpt ONLY_HELP[] = {CLI_OPT_HELP};
    CliOpt all[CLI_OPT_COUNT];
    for (int o = 0; o < CLI_OPT_COUNT; o++)
        all[o] = (CliOpt)o;
    const CliOpt *accepted = data[0] & 1 ? ONLY_HELP : all;
    size_t count = data[0] & 1 ? 1 : CLI_OPT_COUNT;

    /* The words, each NUL-terminated in a copy of the input. */
    char *text = malloc(size);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = 0;
    char *argv[MAX_WORDS + 1];
    int argc = 0;
    argv[argc++] = "hiss";
    for (size_t i = 0; i < size - 1 && argc < MAX_WORDS; i += strlen(text + i) + 1)
        argv[argc++] = text + i;

    CliArgs a;
    HissDiag why = {{0}};
    int rc = cli_options_check(argc, argv, 1, accepted, count, &a, &why);
    if (rc != 0 && rc != CLI_EXIT_USAGE && rc != 1)
        fail("result", "neither accepted nor refused");
    if (rc) {
        if (!why.text[0])
            fail("refused without a message", "");
        for (const char *c = why.text; *c; c++)
            if ((unsigned char)*c < 0x20 || *c == 0x7f)
                fail("control byte in a message", why.text);
    } else {
        for (int i = 0; i < a.operand_count; i++) {
            bool found = false;
            for (int k = 1; k < argc && !found; k++)
                found = a.operands[i] == argv[k];
            if (!found)
                fail("operand", "not a word of the input");
        }
        /* The canonical line: every kept option, then the operands. */
        char *canon[2 * CLI_OPT_COUNT + MAX_WORDS + 2];
        char buf[CLI_OPT_COUNT][4200];
        int n = 0;
        canon[n++] = "hiss";
        for (int o = 0; o < CLI_OPT_COUNT; o++) {
            if (!a.given[o])
                continue;
            if (a.text[o]) {
                CliArgs one;
                memset(&one, 0, sizeof one);
                if (cli_options_value("fuzz", NULL, (CliOpt)o, a.text[o], &one) != 0 ||
                    one.number[o] != a.number[o])
                    fail("a kept value is refused alone", a.text[o]);
                snprintf(buf[o], sizeof buf[o], "%s=%s", cli_option_name((CliOpt)o), a.text[o]);
                canon[n++] = buf[o];
            } else {
                canon[n++] = (char *)cli_option_name((CliOpt)o);
            }
        }
        canon[n++] = "--";
        for (int i = 0; i < a.operand_count; i++)
            canon[n++] = (char *)a.operands[i];
        CliArgs b;
        HissDiag why2 = {{0}};
        if (cli_options_check(n, canon, 1, accepted, count, &b, &why2) != 0)
            fail("the canonical line is refused", why2.text);
        if (!same(&a, &b))
            fail("the canonical line", "parses differently");
        cli_args_free(&b);
    }
    cli_args_free(&a);
    free(text);
    return 0;
}
