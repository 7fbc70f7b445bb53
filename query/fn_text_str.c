/*
 * String building and slicing: strcat, strcat_delim, strcat_array, split,
 * strlen, substring, reverse, isascii, isutf8.
 *
 * Arguments that are not strings are converted with tostring() semantics
 * at bind time (strcat("a", 1, true) is "a1true"; a null becomes ""), so
 * the loops below only see text. Results are written straight into the
 * result vector's byte buffer, sized from the inputs up front, so a batch
 * costs a handful of allocations whatever its row count.
 *
 * Lengths and positions count characters (UTF-8 code points, see
 * fn_text_util.c), as Kusto does: strlen("⒦⒰⒮⒯⒪") is 5.
 */
#include "query/fn_text_int.h"

#include <string.h>

/* Sum of the text bytes of the arguments (a size hint for the result). */
static size_t text_bytes(sl_qvec_t *const *args, size_t from, size_t nargs, size_t n)
{
    size_t total = 0;
    for (size_t k = from; k < nargs; k++) {
        const sl_qvec_t *v = args[k];
        total += v->konst ? v->col.data.len * n : v->col.data.len;
    }
    return total;
}

static inline void append_row(sl_buf_t *o, const sl_qvec_t *v, size_t i)
{
    size_t n;
    const char *s = sl_qvec_text(v, i, &n);
    if (n) {
        sl_buf_append(o, s, n);
    }
}

/* ---- strcat, strcat_delim ----------------------------------------------- */

static int all_strings(sl_qbind_t *b, sl_qcall_t *call, sl_diag_t *d)
{
    for (size_t k = 0; k < call->nargs; k++) {
        int rc = sl_qtext_want_string(b, call, k, d);
        if (rc) {
            return rc;
        }
    }
    return 0;
}

int sl_query__txt_strcat_bind(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    *type = SL_TYPE_STRING;
    return all_strings(b, call, d);
}

int sl_query__txt_strcat_eval(const sl_qcall_t *call,
                              sl_qvec_t *const *args,
                              size_t n,
                              sl_qvec_t **out,
                              sl_qrt_t *rt)
{
    /* strcat_delim(delim, a, b, ...) shares this loop with a delimiter. */
    bool delim = call->fn->name[6] == '_';
    size_t first = delim ? 1 : 0;
    size_t bytes = text_bytes(args, 0, call->nargs, n);
    sl_qvec_t *res = sl_qtext_new(SL_TYPE_STRING, n, bytes);
    sl_buf_t *o = &res->col.data;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = first; k < call->nargs; k++) {
            if (delim && k > first) {
                append_row(o, args[0], i);
            }
            append_row(o, args[k], i);
        }
        sl_qtext_push_end(res);
    }
    *out = res;
    return 0;
}

/* ---- strcat_array ------------------------------------------------------- */

int sl_query__txt_strcat_array_bind(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    if (call->args[0]->type != SL_TYPE_DYNAMIC) {
        return sl_qbind_arg_error(d, call, 0, "a dynamic array");
    }
    *type = SL_TYPE_STRING;
    return sl_qtext_want_string(b, call, 1, d);
}

typedef struct joiner {
    sl_buf_t *o;
    const char *delim;
    size_t dn;
    bool first;
} joiner_t;

static void join_elem(void *arg, const char *e, size_t en)
{
    joiner_t *j = arg;
    if (!j->first && j->dn) {
        sl_buf_append(j->o, j->delim, j->dn);
    }
    j->first = false;
    sl_qtext_dyn_tostring(e, en, j->o);
}

int sl_query__txt_strcat_array_eval(const sl_qcall_t *call,
                                    sl_qvec_t *const *args,
                                    size_t n,
                                    sl_qvec_t **out,
                                    sl_qrt_t *rt)
{
    sl_qvec_t *res = sl_qtext_new(SL_TYPE_STRING, n, text_bytes(args, 0, 1, n));
    for (size_t i = 0; i < n; i++) {
        size_t sn;
        const char *s = sl_qvec_text(args[0], i, &sn);
        joiner_t j = { &res->col.data, NULL, 0, true };
        j.delim = sl_qvec_text(args[1], i, &j.dn);
        sl_qtext_dyn_each(s, sn, join_elem, &j);
        sl_qtext_push_end(res);
    }
    *out = res;
    return 0;
}

/* ---- split -------------------------------------------------------------- */

int sl_query__txt_split_bind(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    int rc = sl_qtext_want_string(b, call, 0, d);
    if (!rc) {
        rc = sl_qtext_want_string(b, call, 1, d);
    }
    if (!rc && call->nargs == 3) {
        rc = sl_qtext_want_int(b, call, 2, "an integer index", d);
    }
    call->state = NULL;
    const char *s;
    size_t sn;
    if (!rc && sl_qexpr_const_text(call->args[1], &s, &sn)) {
        call->state = sl_qstr_finder_pool(sl_qbind_pool(b), s, sn, true);
    }
    *type = SL_TYPE_DYNAMIC;
    return rc;
}

/* Appends the JSON array of the pieces of h (or only piece `want` when
 * want >= 0; want == -2 means "no such index": an empty array). */
static void split_one(const sl_qstr_finder_t *f,
                      const char *h,
                      size_t hn,
                      int64_t want,
                      sl_buf_t *o)
{
    sl_buf_putc(o, '[');
    if (want != -2) {
        size_t start = 0;
        int64_t k = 0;
        bool first = true;
        for (;;) {
            /* An empty delimiter does not split: the whole string is the
             * only piece. */
            ptrdiff_t at = f->nn ? sl_qstr_finder_find(f, h, hn, start) : -1;
            size_t end = at < 0 ? hn : (size_t)at;
            if (want < 0 || k == want) {
                if (!first) {
                    sl_buf_putc(o, ',');
                }
                first = false;
                sl_qdyn_quote(h + start, end - start, o);
                if (want >= 0) {
                    break;
                }
            }
            if (at < 0) {
                break;
            }
            start = end + f->nn;
            k++;
        }
    }
    sl_buf_putc(o, ']');
}

int sl_query__txt_split_eval(const sl_qcall_t *call,
                             sl_qvec_t *const *args,
                             size_t n,
                             sl_qvec_t **out,
                             sl_qrt_t *rt)
{
    sl_qvec_t *res = sl_qtext_new(SL_TYPE_DYNAMIC, n, text_bytes(args, 0, 1, n) + 4 * n);
    sl_buf_t *o = &res->col.data;
    for (size_t i = 0; i < n; i++) {
        int64_t want = -1;
        if (call->nargs == 3) {
            if (sl_qvec_is_null(args[2], i)) {
                sl_qtext_push_end(res); /* a null index: a null result */
                continue;
            }
            want = sl_qvec_i64(args[2], i);
            if (want < 0) {
                want = -2;
            }
        }
        size_t hn, dn;
        const char *h = sl_qvec_text(args[0], i, &hn);
        const sl_qstr_finder_t *f = call->state;
        sl_qstr_finder_t local;
        if (!f) {
            const char *dl = sl_qvec_text(args[1], i, &dn);
            sl_qstr_finder_init(&local, dl, dn, true);
            f = &local;
        }
        split_one(f, h, hn, want, o); /* an index past the last piece: [] */
        if (f == &local) {
            sl_qstr_finder_dispose(&local);
        }
        sl_qtext_push_end(res);
    }
    *out = res;
    return 0;
}

/* ---- strlen, isascii, isutf8 ------------------------------------------- */

enum { M_STRLEN, M_ISASCII, M_ISUTF8 };

int sl_query__txt_measure_bind(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    const char *name = call->fn->name;
    call->variant = strcmp(name, "strlen") == 0    ? M_STRLEN
                    : strcmp(name, "isascii") == 0 ? M_ISASCII
                                                   : M_ISUTF8;
    *type = call->variant == M_STRLEN ? SL_TYPE_LONG : SL_TYPE_BOOL;
    return sl_qtext_want_string(b, call, 0, d);
}

static bool is_ascii(const char *s, size_t n)
{
    size_t i = 0;
    uint64_t acc = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        acc |= w;
    }
    for (; i < n; i++) {
        acc |= (unsigned char)s[i];
    }
    return !(acc & UINT64_C(0x8080808080808080));
}

int sl_query__txt_measure_eval(const sl_qcall_t *call,
                               sl_qvec_t *const *args,
                               size_t n,
                               sl_qvec_t **out,
                               sl_qrt_t *rt)
{
    const sl_qvec_t *v = args[0];
    sl_qvec_t *res = sl_qvec_new(call->variant == M_STRLEN ? SL_TYPE_LONG : SL_TYPE_BOOL, n);
    for (size_t i = 0; i < n; i++) {
        size_t sn;
        const char *s = sl_qvec_text(v, i, &sn);
        switch (call->variant) {
        case M_STRLEN:
            sl_qvec_i64w(res)[i] = (int64_t)sl_qutf8_count(s, sn);
            break;
        case M_ISASCII:
            sl_qvec_boolw(res)[i] = is_ascii(s, sn);
            break;
        default:
            sl_qvec_boolw(res)[i] = sl_qutf8_valid(s, sn);
            break;
        }
    }
    *out = res;
    return 0;
}

/* ---- substring ---------------------------------------------------------- */

int sl_query__txt_substring_bind(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    int rc = sl_qtext_want_string(b, call, 0, d);
    for (size_t k = 1; k < call->nargs && !rc; k++) {
        rc = sl_qtext_want_int(b, call, k, k == 1 ? "an integer start" : "an integer length", d);
    }
    *type = SL_TYPE_STRING;
    return rc;
}

/*
 * Bytes [*from, *to) of the characters [start, start + length) of s.
 * A negative start counts from the end (substring("123456", -2, 2) is
 * "56"); a start past the end or a negative length gives "".
 */
static void char_range(const char *s,
                       size_t n,
                       int64_t start,
                       bool has_len,
                       int64_t length,
                       size_t *from,
                       size_t *to)
{
    *from = *to = 0;
    if (has_len && length <= 0) {
        return;
    }
    if (start < 0) {
        int64_t chars = (int64_t)sl_qutf8_count(s, n);
        start = chars + start < 0 ? 0 : chars + start;
    }
    size_t a = sl_qutf8_offset(s, n, (size_t)start);
    size_t z = n;
    if (has_len && a < n) {
        z = a + sl_qutf8_offset(s + a, n - a, (size_t)length);
    }
    *from = a;
    *to = z;
}

int sl_query__txt_substring_eval(const sl_qcall_t *call,
                                 sl_qvec_t *const *args,
                                 size_t n,
                                 sl_qvec_t **out,
                                 sl_qrt_t *rt)
{
    bool has_len = call->nargs == 3;
    sl_qvec_t *res = sl_qtext_new(SL_TYPE_STRING, n, text_bytes(args, 0, 1, n));
    for (size_t i = 0; i < n; i++) {
        size_t sn, a = 0, z = 0;
        const char *s = sl_qvec_text(args[0], i, &sn);
        bool null_arg = sl_qvec_is_null(args[1], i) || (has_len && sl_qvec_is_null(args[2], i));
        if (!null_arg) {
            char_range(s,
                       sn,
                       sl_qvec_i64(args[1], i),
                       has_len,
                       has_len ? sl_qvec_i64(args[2], i) : 0,
                       &a,
                       &z);
        }
        sl_qvec_push_text(res, s + a, z - a);
    }
    *out = res;
    return 0;
}

/* ---- reverse ------------------------------------------------------------ */

int sl_query__txt_reverse_bind(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    *type = SL_TYPE_STRING;
    return sl_qtext_want_string(b, call, 0, d);
}

int sl_query__txt_reverse_eval(const sl_qcall_t *call,
                               sl_qvec_t *const *args,
                               size_t n,
                               sl_qvec_t **out,
                               sl_qrt_t *rt)
{
    sl_qvec_t *res = sl_qtext_new(SL_TYPE_STRING, n, text_bytes(args, 0, 1, n));
    sl_buf_t *o = &res->col.data;
    for (size_t i = 0; i < n; i++) {
        size_t sn;
        const char *s = sl_qvec_text(args[0], i, &sn);
        sl_buf_reserve(o, sn);
        char *w = o->data + o->len + sn;
        /* Characters in reverse order, each one's bytes kept in order. */
        size_t k = 0;
        while (k < sn) {
            size_t cl = sl_qutf8_char_len(s + k, sn - k);
            w -= cl;
            memcpy(w, s + k, cl);
            k += cl;
        }
        o->len += sn;
        o->data[o->len] = '\0';
        sl_qtext_push_end(res);
    }
    *out = res;
    return 0;
}
