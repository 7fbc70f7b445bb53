/*
 * max_of(a, b, ...) and min_of(a, b, ...): the largest / smallest of 2 to 64
 * arguments, per row.
 *
 * Per the docs, all arguments have one type, and non-null values take
 * precedence over nulls (max_of(int(null), 2) is 2; only all-null rows are
 * null). Numbers of different types are allowed and compare by value: the
 * arguments are converted to the widest numeric type at bind time. Strings
 * compare by bytes (an empty string is a value, not a null), bools as
 * false < true. A NaN never wins over a number.
 */
#include "query/fn_misc_int.h"

#include <math.h>
#include <string.h>

int sl_qmisc_bind_minmax(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    call->variant = sl_qmisc_named(call, "max_of");
    size_t idx[64];
    for (size_t i = 0; i < call->nargs; i++) {
        idx[i] = i;
    }
    int rc = sl_qmisc_unify(b, call, idx, call->nargs, type, d);
    if (rc != 0) {
        return rc;
    }
    if (*type == SL_TYPE_GUID || *type == SL_TYPE_DYNAMIC) {
        return sl_qmisc_arg_error(d,
                                  call,
                                  0,
                                  "a number, a string, a bool, a datetime or a "
                                  "timespan");
    }
    return 0;
}

int sl_qmisc_eval_minmax(const sl_qcall_t *call,
                         sl_qvec_t *const *args,
                         size_t n,
                         sl_qvec_t **out,
                         sl_qrt_t *rt)
{
    (void)rt;
    bool max = call->variant;
    size_t k = call->nargs;
    sl_type_t t = args[0]->col.type;
    sl_qvec_t *o = sl_qvec_new(t, n);

    if (t == SL_TYPE_STRING) {
        for (size_t i = 0; i < n; i++) {
            size_t bn;
            const char *best = sl_qvec_text(args[0], i, &bn);
            for (size_t j = 1; j < k; j++) {
                size_t cn;
                const char *c = sl_qvec_text(args[j], i, &cn);
                int cmp = memcmp(c, best, SL_MIN(cn, bn));
                cmp = cmp ? cmp : (cn > bn) - (cn < bn);
                if (max ? cmp > 0 : cmp < 0) {
                    best = c;
                    bn = cn;
                }
            }
            sl_qvec_push_text(o, best, bn);
        }
        *out = o;
        return 0;
    }

    for (size_t i = 0; i < n; i++) {
        size_t best = SIZE_MAX;
        for (size_t j = 0; j < k; j++) {
            if (sl_qvec_is_null(args[j], i)) {
                continue;
            }
            if (best == SIZE_MAX) {
                best = j;
                continue;
            }
            bool better;
            if (t == SL_TYPE_REAL) {
                double c = sl_qvec_f64(args[j], i), bv = sl_qvec_f64(args[best], i);
                better = isnan(bv) ? !isnan(c) : (max ? c > bv : c < bv);
            } else if (t == SL_TYPE_BOOL) {
                bool c = sl_qvec_bool(args[j], i), bv = sl_qvec_bool(args[best], i);
                better = max ? c > bv : c < bv;
            } else {
                int64_t c = sl_qvec_i64(args[j], i), bv = sl_qvec_i64(args[best], i);
                better = max ? c > bv : c < bv;
            }
            if (better) {
                best = j;
            }
        }
        if (best == SIZE_MAX) {
            sl_qvec_set_null(o, i);
        } else if (t == SL_TYPE_REAL) {
            sl_qvec_f64w(o)[i] = sl_qvec_f64(args[best], i);
        } else if (t == SL_TYPE_BOOL) {
            sl_qvec_boolw(o)[i] = sl_qvec_bool(args[best], i);
        } else {
            sl_qvec_i64w(o)[i] = sl_qvec_i64(args[best], i);
        }
    }
    *out = o;
    return 0;
}
