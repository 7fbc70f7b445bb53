/*
 * has_any and has_all: `Msg has_any ("a", "b")` is `Msg has "a" or Msg has
 * "b"`, has_all the same with `and`; case-insensitive, with the term rules
 * of `has` (strops.c). Items are scalars or dynamic arrays whose elements
 * count as items (strings as their text, other values by their JSON text);
 * non-string scalars are compared by their tostring() text. An empty item
 * list is false for has_any and true for has_all (no term is missing).
 *
 * Constant needles are prepared at bind time. Over a column:
 *   - has_all, and has_any with a few needles, run one whole-column term
 *     scan per needle and combine the row results;
 *   - has_any with many needles (a watch list of indicators) instead walks
 *     each row's terms once and looks every term up in a hash set of the
 *     single-term needles (folded to lower case), so its cost does not grow
 *     with the list; needles made of several terms ("10.1.2.3") or with
 *     separators at their ends keep their own term search.
 * Needles that vary per row (a column item) are tested row by row.
 */
#include "query/fn_text_int.h"

#include <string.h>

/* has_any switches from per-needle scans to the term set above this many
 * needles: each scan is a pass over the bytes at several GB/s, while the
 * term walk costs about as much as a few passes. */
#define SCAN_MAX_NEEDLES 8

typedef struct hx_state {
    bool all;
    bool any_empty;            /* an empty needle: matches every row */
    size_t nneedles;           /* non-empty constant needles */
    sl_qstr_finder_t **needle; /* all of them */
    sl_qset_t *terms;          /* has_any: the single-term needles */
    uint64_t term_lens;        /* bit L: a single-term needle of L bytes (63: longer) */
    uint8_t term_first[256];   /* 1 for the first bytes of single-term needles (both cases) */
    uint8_t term_char[256];    /* sl_qstr_term_char as a table */
    size_t nother;             /* has_any: the others */
    sl_qstr_finder_t **other;
    size_t nvar;
    size_t *var; /* items varying per row */
} hx_state_t;

typedef struct collect {
    sl_pool_t *pool;
    hx_state_t *st;
    size_t cap;
} collect_t;

static void add_needle(collect_t *c, const char *s, size_t n)
{
    hx_state_t *st = c->st;
    if (n == 0) {
        st->any_empty = true;
        return;
    }
    if (st->nneedles == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 8;
        sl_qstr_finder_t **v = sl_pool_alloc(c->pool, cap * sizeof *v);
        if (st->nneedles) {
            memcpy(v, st->needle, st->nneedles * sizeof *v);
        }
        st->needle = v;
        c->cap = cap;
    }
    st->needle[st->nneedles++] = sl_qstr_finder_pool(c->pool, s, n, false);
}

static void add_json(void *arg, const char *e, size_t en)
{
    sl_qdyn_kind_t k = sl_qdyn_kind(e, en);
    if (k == SL_QDYN_NONE || k == SL_QDYN_NULL) {
        return;
    }
    sl_buf_t t = SL_BUF_INIT;
    sl_qtext_dyn_tostring(e, en, &t);
    add_needle(arg, t.data ? t.data : "", t.len);
    sl_buf_dispose(&t);
}

static bool all_term_chars(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!sl_qstr_term_char((unsigned char)s[i])) {
            return false;
        }
    }
    return true;
}

int sl_query__txt_hasany_bind(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    sl_pool_t *pool = sl_qbind_pool(b);
    hx_state_t *st = sl_pool_calloc(pool, sizeof *st);
    st->all = strcmp(call->fn->name, "has_all") == 0;
    st->var = sl_pool_alloc(pool, call->nargs * sizeof *st->var);
    collect_t c = { pool, st, 0 };
    int rc = sl_qtext_want_string(b, call, 0, d);
    for (size_t k = 1; k < call->nargs && !rc; k++) {
        sl_qexpr_t *e = call->args[k];
        if (!sl_qexpr_is_const(e)) {
            rc = sl_qtext_want_string(b, call, k, d);
            st->var[st->nvar++] = k;
            continue;
        }
        const sl_qvec_t *v = e->konst;
        size_t n;
        if (v->col.type == SL_TYPE_DYNAMIC) {
            const char *s = sl_qvec_text(v, 0, &n);
            if (!sl_qtext_dyn_each(s, n, add_json, &c)) {
                add_json(&c, s, n);
            }
        } else if (v->col.type == SL_TYPE_STRING || !sl_qvec_is_null(v, 0)) {
            sl_buf_t t = SL_BUF_INIT;
            sl_qvec_tostring(v, 0, &t);
            add_needle(&c, t.data ? t.data : "", t.len);
            sl_buf_dispose(&t);
        }
    }
    if (rc) {
        return rc;
    }
    if (!st->all && st->nneedles > SCAN_MAX_NEEDLES) {
        st->terms = sl_qset_new(pool, true);
        st->other = sl_pool_alloc(pool, st->nneedles * sizeof *st->other);
        for (int ch = 0; ch < 256; ch++) {
            st->term_char[ch] = sl_qstr_term_char((unsigned char)ch);
        }
        for (size_t i = 0; i < st->nneedles; i++) {
            sl_qstr_finder_t *f = st->needle[i];
            if (all_term_chars(f->nd, f->nn)) {
                sl_qset_add_text(st->terms, f->nd, f->nn);
                st->term_lens |= UINT64_C(1) << SL_MIN(f->nn, 63);
                unsigned char c0 = (unsigned char)f->nd[0]; /* lower-cased */
                st->term_first[c0] = 1;
                if (c0 >= 'a' && c0 <= 'z') {
                    st->term_first[c0 - 32] = 1;
                }
            } else {
                st->other[st->nother++] = f;
            }
        }
        sl_qset_seal(st->terms);
    }
    call->state = st;
    *type = SL_TYPE_BOOL;
    return 0;
}

/* has_any over one value with the term set. Most terms of a log line
 * are not in a watch list: their length and first byte reject them before
 * any hashing. */
static bool any_terms(const hx_state_t *st, const char *h, size_t hn)
{
    const unsigned char *u = (const unsigned char *)h;
    size_t i = 0;
    while (i < hn) {
        while (i < hn && !st->term_char[u[i]]) {
            i++;
        }
        size_t s = i;
        while (i < hn && st->term_char[u[i]]) {
            i++;
        }
        size_t len = i - s;
        if (len && (st->term_lens >> SL_MIN(len, 63) & 1) && st->term_first[u[s]] &&
            sl_qset_has_text(st->terms, h + s, len)) {
            return true;
        }
    }
    for (size_t k = 0; k < st->nother; k++) {
        if (sl_qstr_finder_has(st->other[k], h, hn, SL_QSTR_TERM_WHOLE)) {
            return true;
        }
    }
    return false;
}

/* The constant needles against one value. */
static bool const_one(const hx_state_t *st, const char *h, size_t hn)
{
    if (st->all) {
        for (size_t k = 0; k < st->nneedles; k++) {
            if (!sl_qstr_finder_has(st->needle[k], h, hn, SL_QSTR_TERM_WHOLE)) {
                return false;
            }
        }
        return true;
    }
    if (st->any_empty) {
        return true;
    }
    if (st->terms) {
        return any_terms(st, h, hn);
    }
    for (size_t k = 0; k < st->nneedles; k++) {
        if (sl_qstr_finder_has(st->needle[k], h, hn, SL_QSTR_TERM_WHOLE)) {
            return true;
        }
    }
    return false;
}

/* The constant needles against a whole column, into m. */
static int const_column(const hx_state_t *st,
                        const sl_qvec_t *l,
                        size_t n,
                        uint8_t *m,
                        sl_qrt_t *rt)
{
    const char *data = sl_qtext_data(l);
    const uint32_t *offs = sl_qtext_offs(l);
    if (!st->all && (st->any_empty || st->terms)) {
        for (size_t i = 0; i < n; i++) {
            m[i] = st->any_empty || any_terms(st, data + offs[i], offs[i + 1] - offs[i]);
        }
        return 0;
    }
    memset(m, st->all, n);
    if (!st->nneedles) {
        return 0;
    }
    sl_buf_reset(&rt->scratch);
    sl_buf_reserve(&rt->scratch, n);
    uint8_t *tmp = (uint8_t *)rt->scratch.data;
    for (size_t k = 0; k < st->nneedles; k++) {
        sl_qstr_scan_finder(st->needle[k], data, offs, n, SL_QSTR_HAS, tmp);
        if (st->all) {
            bool left = false;
            for (size_t i = 0; i < n; i++) {
                m[i] &= tmp[i];
                left |= m[i];
            }
            if (!left) {
                break; /* no row can match any more */
            }
        } else {
            for (size_t i = 0; i < n; i++) {
                m[i] |= tmp[i];
            }
        }
    }
    return 0;
}

int sl_query__txt_hasany_eval(const sl_qcall_t *call,
                              sl_qvec_t *const *args,
                              size_t n,
                              sl_qvec_t **out,
                              sl_qrt_t *rt)
{
    const hx_state_t *st = call->state;
    const sl_qvec_t *l = args[0];
    sl_qvec_t *res = sl_qvec_new(SL_TYPE_BOOL, n);
    uint8_t *m = sl_qvec_boolw(res);
    if (!l->konst) {
        const_column(st, l, n, m, rt);
    } else {
        size_t hn;
        const char *h = sl_qvec_text(l, 0, &hn);
        memset(m, const_one(st, h, hn), n);
    }
    for (size_t k = 0; k < st->nvar; k++) {
        const sl_qvec_t *it = args[st->var[k]];
        for (size_t i = 0; i < n; i++) {
            if (m[i] != st->all) {
                continue; /* decided: has_any found a term, has_all missed one */
            }
            size_t hn, nn;
            const char *h = sl_qvec_text(l, i, &hn);
            const char *nd = sl_qvec_text(it, i, &nn);
            sl_qstr_finder_t f;
            sl_qstr_finder_init(&f, nd, nn, false);
            bool has = sl_qstr_finder_has(&f, h, hn, SL_QSTR_TERM_WHOLE);
            sl_qstr_finder_dispose(&f);
            m[i] = has;
        }
    }
    *out = res;
    return 0;
}
