/*
 * Plain-text search functions: indexof() and replace_string().
 *
 * indexof(string, match [, start [, length [, occurrence]]]) follows the
 * examples of Kusto's indexof page, which are more precise than its prose:
 *   - positions are characters, zero-based;
 *   - a negative start counts from the end (indexof("abcdefg", "cde", -5)
 *     is 2);
 *   - length limits the characters examined: the match must lie within
 *     characters [start, start + length] (indexof("abcdefg","cde",1,2) is
 *     -1 but indexof("abcdefgabcdefg","cde",1,10,2) is 9); -1 means no
 *     limit;
 *   - occurrence (default 1) picks the n-th match, counting overlapping
 *     ones as String.IndexOf from the last match + 1 would;
 *   - a length below -1, an occurrence below 1, or a null argument gives
 *     null; -1 means not found. An empty match is found at start.
 * Both text arguments are converted with tostring() (indexof(1234567, 5, 1,
 * 4) is 4). The search is case-sensitive.
 *
 * replace_string(text, lookup, rewrite) replaces every non-overlapping
 * occurrence of lookup, left to right; an empty lookup changes nothing.
 */
#include "query/fn_text_int.h"

#include <string.h>

/* ---- indexof ------------------------------------------------------------ */

int sl_query__txt_indexof_bind(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    int rc = sl_qtext_want_string(b, call, 0, d);
    if (!rc) {
        rc = sl_qtext_want_string(b, call, 1, d);
    }
    static const char *const what[] = {
        "", "", "an integer start", "an integer length", "an integer occurrence"
    };
    for (size_t k = 2; k < call->nargs && !rc; k++) {
        rc = sl_qtext_want_int(b, call, k, what[k], d);
    }
    call->state = NULL;
    const char *s;
    size_t sn;
    if (!rc && sl_qexpr_const_text(call->args[1], &s, &sn)) {
        call->state = sl_qstr_finder_pool(sl_qbind_pool(b), s, sn, true);
    }
    *type = SL_TYPE_LONG;
    return rc;
}

/* The index, or -1 (not found), or -2 (null). */
static int64_t indexof_one(const sl_qstr_finder_t *f,
                           const char *h,
                           size_t hn,
                           int64_t start,
                           int64_t length,
                           int64_t occurrence)
{
    if (length < -1 || occurrence < 1) {
        return -2;
    }
    int64_t chars = (int64_t)sl_qutf8_count(h, hn);
    if (start < 0) {
        start = chars + start < 0 ? 0 : chars + start;
    }
    if (start > chars) {
        return -1;
    }
    size_t from = sl_qutf8_offset(h, hn, (size_t)start);
    size_t to = hn;
    if (length >= 0 && length + 1 < chars - start) {
        to = from + sl_qutf8_offset(h + from, hn - from, (size_t)length + 1);
    }
    ptrdiff_t at = (ptrdiff_t)from - 1;
    for (int64_t k = 0; k < occurrence; k++) {
        at = sl_qstr_finder_find(f, h, to, (size_t)(at + 1));
        if (at < 0) {
            return -1;
        }
    }
    return (int64_t)sl_qutf8_count(h, (size_t)at);
}

int sl_query__txt_indexof_eval(const sl_qcall_t *call,
                               sl_qvec_t *const *args,
                               size_t n,
                               sl_qvec_t **out,
                               sl_qrt_t *rt)
{
    sl_qvec_t *res = sl_qvec_new(SL_TYPE_LONG, n);
    int64_t *w = sl_qvec_i64w(res);
    for (size_t i = 0; i < n; i++) {
        int64_t opt[3] = { 0, -1, 1 }; /* start, length, occurrence */
        bool null_arg = false;
        for (size_t k = 2; k < call->nargs; k++) {
            null_arg |= sl_qvec_is_null(args[k], i);
            opt[k - 2] = sl_qvec_i64(args[k], i);
        }
        if (null_arg) {
            sl_qvec_set_null(res, i);
            continue;
        }
        size_t hn;
        const char *h = sl_qvec_text(args[0], i, &hn);
        const sl_qstr_finder_t *f = call->state;
        sl_qstr_finder_t local;
        if (!f) {
            size_t nn;
            const char *nd = sl_qvec_text(args[1], i, &nn);
            sl_qstr_finder_init(&local, nd, nn, true);
            f = &local;
        }
        int64_t r = indexof_one(f, h, hn, opt[0], opt[1], opt[2]);
        if (f == &local) {
            sl_qstr_finder_dispose(&local);
        }
        if (r == -2) {
            sl_qvec_set_null(res, i);
        } else {
            w[i] = r;
        }
    }
    *out = res;
    return 0;
}

/* ---- replace_string ----------------------------------------------------- */

int sl_query__txt_replace_string_bind(sl_qbind_t *b,
                                      sl_qcall_t *call,
                                      sl_type_t *type,
                                      sl_diag_t *d)
{
    int rc = 0;
    for (size_t k = 0; k < 3 && !rc; k++) {
        rc = sl_qtext_want_string(b, call, k, d);
    }
    call->state = NULL;
    const char *s;
    size_t sn;
    if (!rc && sl_qexpr_const_text(call->args[1], &s, &sn)) {
        call->state = sl_qstr_finder_pool(sl_qbind_pool(b), s, sn, true);
    }
    *type = SL_TYPE_STRING;
    return rc;
}

int sl_query__txt_replace_string_eval(const sl_qcall_t *call,
                                      sl_qvec_t *const *args,
                                      size_t n,
                                      sl_qvec_t **out,
                                      sl_qrt_t *rt)
{
    const sl_qvec_t *src = args[0];
    sl_qvec_t *res = sl_qtext_new(SL_TYPE_STRING, n, src->konst ? 0 : src->col.data.len);
    sl_buf_t *o = &res->col.data;
    for (size_t i = 0; i < n; i++) {
        size_t hn, rn;
        const char *h = sl_qvec_text(src, i, &hn);
        const char *rw = sl_qvec_text(args[2], i, &rn);
        const sl_qstr_finder_t *f = call->state;
        sl_qstr_finder_t local;
        if (!f) {
            size_t nn;
            const char *nd = sl_qvec_text(args[1], i, &nn);
            sl_qstr_finder_init(&local, nd, nn, true);
            f = &local;
        }
        size_t pos = 0;
        ptrdiff_t at;
        while (f->nn && (at = sl_qstr_finder_find(f, h, hn, pos)) >= 0) {
            sl_buf_append(o, h + pos, (size_t)at - pos);
            sl_buf_append(o, rw, rn);
            pos = (size_t)at + f->nn;
        }
        sl_buf_append(o, h + pos, hn - pos);
        if (f == &local) {
            sl_qstr_finder_dispose(&local);
        }
        sl_qtext_push_end(res);
    }
    *out = res;
    return 0;
}
