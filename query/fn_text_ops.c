/*
 * The binary string operators of KQL.md §2.8: =~ !~, has, hasprefix,
 * hassuffix, contains, startswith, endswith, each with its `_cs` and `!`
 * forms. The binder calls them by their canonical spelling with the
 * arguments (lhs, rhs); both sides are converted to string with tostring()
 * semantics at bind time (KQL applies string operators to the text of any
 * value: `404 has "40"` is false, `404 contains "40"` is true).
 *
 * One bind and one eval serve all 28 spellings: bind looks the spelling up
 * in `ops` once per call site and keeps its index in call->variant.
 *
 * The loops, fastest first:
 *   - lhs a column, rhs constant (the `where Msg contains "x"` shape): the
 *     needle is prepared once at bind time (lower-cased, SIMD kernel
 *     chosen) and the substring/term operators run as one whole-column scan
 *     (sl_qstr_scan_finder) that writes the row results directly; prefix,
 *     suffix and equality touch only each row's ends;
 *   - both constant: one comparison (the evaluator passes n == 1);
 *   - rhs varying per row: one prepared needle per row.
 * Negated forms compute the positive result and flip it; strings are never
 * null, so no null mask is involved.
 */
#include "query/fn_text_int.h"

#include <string.h>

typedef enum kind {
    K_EQ,
    K_CONTAINS,
    K_HAS,
    K_HASPREFIX,
    K_HASSUFFIX,
    K_STARTS,
    K_ENDS,
} kind_t;

typedef struct opdesc {
    const char *name;
    kind_t kind;
    bool cs, neg;
} opdesc_t;

static const opdesc_t ops[] = {
    { "=~", K_EQ, false, false },
    { "!~", K_EQ, false, true },
    { "has", K_HAS, false, false },
    { "!has", K_HAS, false, true },
    { "has_cs", K_HAS, true, false },
    { "!has_cs", K_HAS, true, true },
    { "hasprefix", K_HASPREFIX, false, false },
    { "!hasprefix", K_HASPREFIX, false, true },
    { "hasprefix_cs", K_HASPREFIX, true, false },
    { "!hasprefix_cs", K_HASPREFIX, true, true },
    { "hassuffix", K_HASSUFFIX, false, false },
    { "!hassuffix", K_HASSUFFIX, false, true },
    { "hassuffix_cs", K_HASSUFFIX, true, false },
    { "!hassuffix_cs", K_HASSUFFIX, true, true },
    { "contains", K_CONTAINS, false, false },
    { "!contains", K_CONTAINS, false, true },
    { "contains_cs", K_CONTAINS, true, false },
    { "!contains_cs", K_CONTAINS, true, true },
    { "startswith", K_STARTS, false, false },
    { "!startswith", K_STARTS, false, true },
    { "startswith_cs", K_STARTS, true, false },
    { "!startswith_cs", K_STARTS, true, true },
    { "endswith", K_ENDS, false, false },
    { "!endswith", K_ENDS, false, true },
    { "endswith_cs", K_ENDS, true, false },
    { "!endswith_cs", K_ENDS, true, true },
};

int sl_query__txt_ops_bind(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    size_t i = 0;
    while (i < SL_ARRAY_SIZE(ops) && strcmp(ops[i].name, call->fn->name) != 0) {
        i++;
    }
    if (i == SL_ARRAY_SIZE(ops)) {
        return sl_diag_set(d, SL_ESEMANTIC, "%s: not a string operator", call->fn->name);
    }
    int rc = sl_qtext_want_string(b, call, 0, d);
    if (!rc) {
        rc = sl_qtext_want_string(b, call, 1, d);
    }
    if (rc) {
        return rc;
    }
    call->variant = (int)i;
    call->state = NULL;
    const char *s;
    size_t sn;
    if (sl_qexpr_const_text(call->args[1], &s, &sn)) {
        call->state = sl_qstr_finder_pool(sl_qbind_pool(b), s, sn, ops[i].cs);
    }
    *type = SL_TYPE_BOOL;
    return 0;
}

static bool one(const opdesc_t *o, const sl_qstr_finder_t *f, const char *h, size_t hn)
{
    switch (o->kind) {
    case K_EQ:
        return sl_qstr_finder_eq(f, h, hn);
    case K_CONTAINS:
        return sl_qstr_finder_find(f, h, hn, 0) >= 0;
    case K_HAS:
        return sl_qstr_finder_has(f, h, hn, SL_QSTR_TERM_WHOLE);
    case K_HASPREFIX:
        return sl_qstr_finder_has(f, h, hn, SL_QSTR_TERM_PREFIX);
    case K_HASSUFFIX:
        return sl_qstr_finder_has(f, h, hn, SL_QSTR_TERM_SUFFIX);
    case K_STARTS:
        return sl_qstr_finder_starts(f, h, hn);
    case K_ENDS:
        return sl_qstr_finder_ends(f, h, hn);
    }
    return false;
}

/* lhs varies, needle constant. */
static void column(const opdesc_t *o,
                   const sl_qstr_finder_t *f,
                   const sl_qvec_t *l,
                   size_t n,
                   uint8_t *m)
{
    const char *data = sl_qtext_data(l);
    const uint32_t *offs = sl_qtext_offs(l);
    switch (o->kind) {
    case K_CONTAINS:
        sl_qstr_scan_finder(f, data, offs, n, SL_QSTR_CONTAINS, m);
        return;
    case K_HAS:
        sl_qstr_scan_finder(f, data, offs, n, SL_QSTR_HAS, m);
        return;
    case K_HASPREFIX:
        sl_qstr_scan_finder(f, data, offs, n, SL_QSTR_HASPREFIX, m);
        return;
    case K_HASSUFFIX:
        sl_qstr_scan_finder(f, data, offs, n, SL_QSTR_HASSUFFIX, m);
        return;
    case K_STARTS:
        for (size_t i = 0; i < n; i++) {
            m[i] = sl_qstr_finder_starts(f, data + offs[i], offs[i + 1] - offs[i]);
        }
        return;
    case K_ENDS:
        for (size_t i = 0; i < n; i++) {
            m[i] = sl_qstr_finder_ends(f, data + offs[i], offs[i + 1] - offs[i]);
        }
        return;
    case K_EQ:
        for (size_t i = 0; i < n; i++) {
            m[i] = sl_qstr_finder_eq(f, data + offs[i], offs[i + 1] - offs[i]);
        }
        return;
    }
}

int sl_query__txt_ops_eval(const sl_qcall_t *call,
                           sl_qvec_t *const *args,
                           size_t n,
                           sl_qvec_t **out,
                           sl_qrt_t *rt)
{
    const opdesc_t *o = &ops[call->variant];
    const sl_qvec_t *l = args[0], *r = args[1];
    sl_qvec_t *res = sl_qvec_new(SL_TYPE_BOOL, n);
    uint8_t *m = sl_qvec_boolw(res);
    if (r->konst) {
        /* The bind-time needle when the rhs was a literal; else (a constant
         * the binder computed later) one prepared here for the batch. */
        const sl_qstr_finder_t *f = call->state;
        sl_qstr_finder_t local;
        if (!f) {
            size_t nn;
            const char *nd = sl_qvec_text(r, 0, &nn);
            sl_qstr_finder_init(&local, nd, nn, o->cs);
            f = &local;
        }
        if (!l->konst) {
            column(o, f, l, n, m);
        } else {
            size_t hn;
            const char *h = sl_qvec_text(l, 0, &hn);
            memset(m, one(o, f, h, hn), n);
        }
        if (f == &local) {
            sl_qstr_finder_dispose(&local);
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            size_t hn, nn;
            const char *h = sl_qvec_text(l, i, &hn);
            const char *nd = sl_qvec_text(r, i, &nn);
            sl_qstr_finder_t f;
            sl_qstr_finder_init(&f, nd, nn, o->cs);
            m[i] = one(o, &f, h, hn);
            sl_qstr_finder_dispose(&f);
        }
    }
    if (o->neg) {
        for (size_t i = 0; i < n; i++) {
            m[i] ^= 1;
        }
    }
    *out = res;
    return 0;
}
