/*
 * Conditionals: iff / iif(cond, then, else), case(p1, v1, ..., pN, vN,
 * else) and coalesce(a, b, ...).
 *
 * The branches / values must have one type; numbers of different types are
 * converted to the widest (iff(c, 1, 2.5) is real), as the binder does for
 * arithmetic. A null condition counts as false (the docs: iff picks the
 * else branch), so does a null predicate of case. coalesce returns the
 * first non-null argument, for strings the first non-empty one (strings
 * have no null); when all are null the result is null ("").
 *
 * Every argument is evaluated for all rows before the selection (the
 * evaluator is vectorised, there is no short circuit); the selection itself
 * copies 8-byte values, with separate loops for text.
 */
#include "query/fn_misc_int.h"

#include <string.h>

/* Appends or stores row i of src as row i of out (same type). */
static void put_row(sl_qvec_t *out, const sl_qvec_t *src, size_t i)
{
    sl_type_t t = out->col.type;
    if (sl_type_is_text(t)) {
        size_t n;
        const char *s = sl_qvec_text(src, i, &n);
        sl_qvec_push_text(out, s, n);
        return;
    }
    if (sl_qvec_is_null(src, i)) {
        sl_qvec_set_null(out, i);
        return;
    }
    if (t == SL_TYPE_BOOL) {
        sl_qvec_boolw(out)[i] = sl_qvec_bool(src, i);
    } else {
        /* int64 and double alike: copy the 8 bytes. */
        memcpy(out->col.data.data + i * 8, src->col.data.data + SL_QV_ROW(src, i) * 8, 8);
    }
}

static void put_null(sl_qvec_t *out, size_t i)
{
    if (sl_type_is_text(out->col.type)) {
        sl_qvec_push_text(out, "", 0);
    } else {
        sl_qvec_set_null(out, i);
    }
}

/* ------------------------------------------------------------------------ */
/* iff, iif, case                                                           */
/* ------------------------------------------------------------------------ */

int sl_qmisc_bind_iff(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    size_t k = call->nargs;
    if (k % 2 == 0) {
        return sl_qmisc_error(d,
                              call,
                              "expects predicate/value pairs followed by an else value "
                              "(an odd number of arguments), got %zu arguments",
                              k);
    }
    size_t idx[255];
    size_t nv = 0;
    for (size_t i = 0; i + 1 < k; i += 2) {
        int rc = sl_qmisc_want(b, call, i, SL_TYPE_BOOL, "a bool", d);
        if (rc != 0) {
            return rc;
        }
        idx[nv++] = i + 1;
    }
    idx[nv++] = k - 1;
    return sl_qmisc_unify(b, call, idx, nv, type, d);
}

int sl_qmisc_eval_iff(const sl_qcall_t *call,
                      sl_qvec_t *const *args,
                      size_t n,
                      sl_qvec_t **out,
                      sl_qrt_t *rt)
{
    (void)rt;
    size_t k = call->nargs;
    sl_type_t t = args[1]->col.type;
    sl_qvec_t *o = sl_qvec_new(t, n);
    if (k == 3 && !sl_type_is_text(t) && t != SL_TYPE_BOOL && !args[0]->konst) {
        /* iff over a condition column and 8-byte values, either branch a
         * column or a constant (stride 0): iff(x > 0, x, 0). */
        const uint8_t *c = (const uint8_t *)args[0]->col.data.data;
        const int64_t *x = (const int64_t *)args[1]->col.data.data;
        const int64_t *y = (const int64_t *)args[2]->col.data.data;
        size_t xs = !args[1]->konst, ys = !args[2]->konst;
        int64_t *w = (int64_t *)o->col.data.data;
        bool cnull = args[0]->col.nulls.len != 0;
        for (size_t i = 0; i < n; i++) {
            bool take = c[i] && !(cnull && sl_qvec_is_null(args[0], i));
            w[i] = take ? x[i * xs] : y[i * ys];
        }
        if (args[1]->col.nulls.len || args[2]->col.nulls.len) {
            for (size_t i = 0; i < n; i++) {
                const sl_qvec_t *s = sl_qvec_true(args[0], i) ? args[1] : args[2];
                if (sl_qvec_is_null(s, i)) {
                    w[i] = 0;
                    sl_qvec_set_null(o, i);
                }
            }
        }
        *out = o;
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        size_t pick = k - 1;
        for (size_t p = 0; p + 1 < k; p += 2) {
            if (sl_qvec_true(args[p], i)) {
                pick = p + 1;
                break;
            }
        }
        put_row(o, args[pick], i);
    }
    *out = o;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* coalesce                                                                 */
/* ------------------------------------------------------------------------ */

int sl_qmisc_bind_coalesce(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    size_t idx[64];
    for (size_t i = 0; i < call->nargs; i++) {
        idx[i] = i;
    }
    return sl_qmisc_unify(b, call, idx, call->nargs, type, d);
}

int sl_qmisc_eval_coalesce(const sl_qcall_t *call,
                           sl_qvec_t *const *args,
                           size_t n,
                           sl_qvec_t **out,
                           sl_qrt_t *rt)
{
    (void)rt;
    size_t k = call->nargs;
    sl_type_t t = args[0]->col.type;
    sl_qvec_t *o = sl_qvec_new(t, n);
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        for (; j < k; j++) {
            if (t == SL_TYPE_STRING) {
                size_t len;
                sl_qvec_text(args[j], i, &len);
                if (len) {
                    break;
                }
            } else if (!sl_qvec_is_null(args[j], i)) {
                break;
            }
        }
        if (j < k) {
            put_row(o, args[j], i);
        } else {
            put_null(o, i);
        }
    }
    *out = o;
    return 0;
}
