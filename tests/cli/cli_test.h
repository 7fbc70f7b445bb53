/*
 * Helpers for the CLI's unit tests: capture what a printer writes to a
 * FILE *, and parse JSON literals.
 */
#ifndef SL_CLI_TEST_H
#define SL_CLI_TEST_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"

/* An in-memory FILE *; cap_end() closes it and returns the text (free()). */
typedef struct cap {
    FILE *f;
    char *text;
    size_t len;
} cap_t;

static inline void cap_begin(cap_t *c)
{
    c->text = NULL;
    c->len = 0;
    c->f = open_memstream(&c->text, &c->len);
    cr_assert(c->f);
}

static inline char *cap_end(cap_t *c)
{
    fclose(c->f);
    return c->text;
}

static inline json_t *jparse(const char *s)
{
    json_error_t e;
    json_t *j = json_loads(s, JSON_DECODE_ANY, &e);
    cr_assert(j, "bad JSON in test: %s: %s", e.text, s);
    return j;
}

#endif
