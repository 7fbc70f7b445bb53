/*
 * `between (lo .. hi)` and `!between`, called with (value, lo, hi): the
 * inclusive range test value >= lo and value <= hi.
 *
 * Types (Kusto's between operator page): numbers (int, long, real, mixed
 * freely), datetimes, and timespans. When value and lo are datetimes, hi
 * may be a timespan: the range is then lo .. lo + hi (`TimeGenerated
 * between (datetime(2024-01-01) .. 1d)`). A dynamic value is read as the
 * type of lo (a number as real). Any null operand gives null, for both
 * forms (so `where` drops the row either way); NaN is outside every range.
 *
 * All-integer operands compare as int64 so that long values beyond 2^53
 * stay exact; anything with a real compares as double.
 */
#include "query/fn_text_int.h"

#include <string.h>

enum { V_I64, V_F64, V_SPAN }; /* V_SPAN: datetime value, lo + timespan hi */

int sl_query__txt_between_bind(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    const char *name = call->fn->name;
    sl_type_t lo = call->args[1]->type, hi = call->args[2]->type;
    int rc = 0;
    if (call->args[0]->type == SL_TYPE_DYNAMIC) {
        sl_type_t want = lo == SL_TYPE_DATETIME || lo == SL_TYPE_TIMESPAN ? lo : SL_TYPE_REAL;
        rc = sl_qbind_cast(b, &call->args[0], want, d);
    }
    for (size_t k = 1; k < 3 && !rc; k++) {
        if (call->args[k]->type == SL_TYPE_DYNAMIC) {
            rc = sl_qbind_cast(b, &call->args[k], SL_TYPE_REAL, d);
        }
    }
    if (rc) {
        return rc;
    }
    sl_type_t v = call->args[0]->type;
    lo = call->args[1]->type;
    hi = call->args[2]->type;
    if (sl_qtype_is_numeric(v) && sl_qtype_is_numeric(lo) && sl_qtype_is_numeric(hi)) {
        call->variant =
          v == SL_TYPE_REAL || lo == SL_TYPE_REAL || hi == SL_TYPE_REAL ? V_F64 : V_I64;
    } else if (v == SL_TYPE_DATETIME && lo == SL_TYPE_DATETIME && hi == SL_TYPE_DATETIME) {
        call->variant = V_I64;
    } else if (v == SL_TYPE_DATETIME && lo == SL_TYPE_DATETIME && hi == SL_TYPE_TIMESPAN) {
        call->variant = V_SPAN;
    } else if (v == SL_TYPE_TIMESPAN && lo == SL_TYPE_TIMESPAN && hi == SL_TYPE_TIMESPAN) {
        call->variant = V_I64;
    } else {
        return sl_diag_set(d,
                           SL_ESEMANTIC,
                           "%s: cannot test whether a %s is between %s and %s (use numbers, "
                           "datetimes or timespans; a timespan upper bound needs a datetime)",
                           name,
                           sl_type_name(v),
                           sl_type_name(lo),
                           sl_type_name(hi));
    }
    *type = SL_TYPE_BOOL;
    return 0;
}

static int64_t add_sat(int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_add_overflow(a, b, &r)) {
        return b > 0 ? INT64_MAX : INT64_MIN;
    }
    return r;
}

int sl_query__txt_between_eval(const sl_qcall_t *call,
                               sl_qvec_t *const *args,
                               size_t n,
                               sl_qvec_t **out,
                               sl_qrt_t *rt)
{
    bool neg = call->fn->name[0] == '!';
    const sl_qvec_t *x = args[0], *lo = args[1], *hi = args[2];
    sl_qvec_t *res = sl_qvec_new(SL_TYPE_BOOL, n);
    uint8_t *m = sl_qvec_boolw(res);
    bool bounds_const = lo->konst && hi->konst;
    if (bounds_const && (sl_qvec_is_null(lo, 0) || sl_qvec_is_null(hi, 0))) {
        for (size_t i = 0; i < n; i++) {
            sl_qvec_set_null(res, i);
        }
        *out = res;
        return 0;
    }
    bool xnulls = x->col.nulls.len != 0;
    if (call->variant == V_F64) {
        if (bounds_const && !x->konst && x->col.type == SL_TYPE_REAL) {
            /* Tight loop: a real column against constant bounds. */
            double a = sl_qvec_num(lo, 0), z = sl_qvec_num(hi, 0);
            const double *xv = (const double *)x->col.data.data;
            for (size_t i = 0; i < n; i++) {
                m[i] = (xv[i] >= a) & (xv[i] <= z);
            }
        } else {
            for (size_t i = 0; i < n; i++) {
                double v = sl_qvec_num(x, i);
                m[i] = v >= sl_qvec_num(lo, i) && v <= sl_qvec_num(hi, i);
            }
        }
    } else if (bounds_const && !x->konst) {
        /* Tight loop: an integer, datetime or timespan column against
         * constant bounds (the `TimeGenerated between (...)` shape). */
        int64_t a = sl_qvec_i64(lo, 0), z = sl_qvec_i64(hi, 0);
        if (call->variant == V_SPAN) {
            z = add_sat(a, z);
        }
        const int64_t *xv = (const int64_t *)x->col.data.data;
        for (size_t i = 0; i < n; i++) {
            m[i] = (xv[i] >= a) & (xv[i] <= z);
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            int64_t a = sl_qvec_i64(lo, i), z = sl_qvec_i64(hi, i), v = sl_qvec_i64(x, i);
            if (call->variant == V_SPAN) {
                z = add_sat(a, z);
            }
            m[i] = v >= a && v <= z;
        }
    }
    if (neg) {
        for (size_t i = 0; i < n; i++) {
            m[i] ^= 1;
        }
    }
    /* Nulls last: a null operand makes the row null whatever was computed. */
    if (xnulls || lo->col.nulls.len || hi->col.nulls.len) {
        for (size_t i = 0; i < n; i++) {
            if (sl_qvec_is_null(x, i) || sl_qvec_is_null(lo, i) || sl_qvec_is_null(hi, i)) {
                m[i] = 0;
                sl_qvec_set_null(res, i);
            }
        }
    }
    *out = res;
    return 0;
}
