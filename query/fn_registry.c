/*
 * The scalar function and aggregate registries: lookups by name over the
 * tables the fn_* and agg_* files define. The tables are small (a few
 * hundred entries) and a name is looked up once per call site at bind
 * time, so a linear search is all that is needed.
 */
#include "query/query_int.h"

#include <string.h>

static bool name_is(const char *name, const char *s, size_t n)
{
    return strlen(name) == n && memcmp(name, s, n) == 0;
}

static const sl_qfn_t *const tables[] = { sl_qfn_core_cmp, sl_qfn_core_arith, sl_qfn_core_logic,
                                          sl_qfn_text, sl_qfn_misc };

const sl_qfn_t *sl_qfn_find(const char *name, size_t n, size_t nargs)
{
    for (size_t t = 0; t < SL_ARRAY_SIZE(tables); t++)
        for (const sl_qfn_t *f = tables[t]; f->name; f++)
            if (name_is(f->name, name, n) && nargs >= f->min_args &&
                (f->max_args == 255 || nargs <= f->max_args))
                return f;
    return NULL;
}

bool sl_qfn_exists(const char *name, size_t n)
{
    for (size_t t = 0; t < SL_ARRAY_SIZE(tables); t++)
        for (const sl_qfn_t *f = tables[t]; f->name; f++)
            if (name_is(f->name, name, n))
                return true;
    return false;
}

const sl_qagg_t *sl_qagg_find(const char *name, size_t n)
{
    for (const sl_qagg_t *a = sl_qagg_all; a->name; a++)
        if (name_is(a->name, name, n))
            return a;
    return NULL;
}
