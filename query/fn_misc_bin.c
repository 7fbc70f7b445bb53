/*
 * bin(value, roundTo) (alias floor(value, roundTo)) and bin_at(value,
 * roundTo, fixed_point).
 *
 * bin rounds down to a multiple of roundTo: numbers by numbers, timespans
 * by timespans, datetimes by timespans. Datetime multiples are counted from
 * 0001-01-01, as Kusto counts them (in .NET ticks): the same as from 1970
 * for steps that divide a day, but bin(d, 7d) starts its weeks on Mondays,
 * as 0001-01-01 was one. "Down" is towards minus infinity, also for
 * negative values. A null value, a null roundTo or a roundTo <= 0
 * gives null (the docs: "a null bin size, or a negative bin size will
 * result in null"; zero has no multiple to round to). bin_at aligns the
 * bins on fixed_point instead of zero.
 *
 * Result types: the value's type for datetimes and timespans; for numbers
 * the wider of value and roundTo (bin(4.5, 1) is real 4.0; bin(7, 2) is a
 * long).
 *
 * `summarize ... by bin(TimeGenerated, 1h)` makes this the hottest function
 * of the engine, so the constant-step integer case has its own loops:
 *   - a power-of-two step is a mask (two's complement makes it a floor for
 *     negative values too);
 *   - any other step divides by multiplying with a precomputed reciprocal
 *     ("magic number", Granlund & Montgomery 1994): for 0 <= x < 2^63 and
 *     l = ceil(log2 s), m = ceil(2^(63+l) / s) fits in 64 bits and
 *     floor(x / s) = floor(x * m / 2^(63+l)) exactly. A 64x64→128 multiply
 *     is several times cheaper than a 64-bit division. Negative values (pre
 *     1970 datetimes, negative numbers) take the plain division path.
 */
#include "query/fn_misc_int.h"

#include <math.h>
#include <string.h>

enum { BIN_I64, BIN_REAL };

typedef struct bin_state {
    bool konst;     /* the step (and fixed point) are constants */
    bool null_step; /* ... and the step is null, zero or negative */
    int64_t step;   /* integer step */
    double fstep;   /* real step */
    int64_t at;     /* bin_at: fixed point (integer) */
    double fat;     /* bin_at: fixed point (real) */
    bool null_at;   /* bin_at: fixed point is null */
    /* Division by the constant step (integer, step > 1, not a power of 2). */
    uint64_t magic;
    unsigned shift; /* 63 + ceil(log2 step) */
    bool pow2;
} bin_state_t;

int sl_qmisc_bind_bin(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    bool at = call->nargs == 3;
    sl_type_t vt = call->args[0]->type, st = call->args[1]->type;
    int rc = 0;
    if (vt == SL_TYPE_DATETIME || vt == SL_TYPE_TIMESPAN) {
        if (st != SL_TYPE_TIMESPAN) {
            return sl_qmisc_arg_error(d, call, 1, "a timespan");
        }
        if (at && (rc = sl_qmisc_want(
                     b, call, 2, vt, vt == SL_TYPE_DATETIME ? "a datetime" : "a timespan", d))) {
            return rc;
        }
        *type = vt;
    } else if (sl_qtype_is_numeric(vt)) {
        if (!sl_qtype_is_numeric(st)) {
            return sl_qmisc_arg_error(d, call, 1, "a number");
        }
        if (at && !sl_qtype_is_numeric(call->args[2]->type)) {
            return sl_qmisc_arg_error(d, call, 2, "a number");
        }
        sl_type_t t = sl_qtype_numeric_join(vt, st);
        if (at) {
            t = sl_qtype_numeric_join(t, call->args[2]->type);
        }
        for (size_t i = 0; i < call->nargs && rc == 0; i++) {
            rc = sl_qbind_cast(b, &call->args[i], t, d);
        }
        if (rc != 0) {
            return rc;
        }
        *type = t;
    } else {
        return sl_qmisc_arg_error(d, call, 0, "a number, a datetime or a timespan");
    }
    call->variant = *type == SL_TYPE_REAL ? BIN_REAL : BIN_I64;

    bin_state_t *s = sl_pool_calloc(sl_qbind_pool(b), sizeof *s);
    call->state = s;
    if (!sl_qexpr_is_const(call->args[1]) || (at && !sl_qexpr_is_const(call->args[2]))) {
        return 0;
    }
    s->konst = true;
    if (call->variant == BIN_REAL) {
        s->null_step = !sl_qexpr_const_f64(call->args[1], &s->fstep) || !(s->fstep > 0);
        s->null_at = at && !sl_qexpr_const_f64(call->args[2], &s->fat);
        return 0;
    }
    s->null_step = !sl_qexpr_const_i64(call->args[1], &s->step) || s->step <= 0;
    s->null_at = at && !sl_qexpr_const_i64(call->args[2], &s->at);
    if (!s->null_step && s->step > 1) {
        uint64_t u = (uint64_t)s->step;
        s->pow2 = (u & (u - 1)) == 0;
        if (!s->pow2) {
            unsigned l = 64 - (unsigned)__builtin_clzll(u - 1); /* ceil(log2 u) */
            s->shift = 63 + l;
            s->magic = (uint64_t)(((unsigned __int128)1 << s->shift) / u + 1);
        }
    }
    return 0;
}

/* floor(x / s) * s for any x and s > 0; false on overflow. */
static bool bin_i64(int64_t x, int64_t s, int64_t *out)
{
    return !__builtin_mul_overflow(sl_qfloordiv(x, s), s, out);
}

/* bin_at: at + floor((x - at) / s) * s. */
static bool bin_at_i64(int64_t x, int64_t s, int64_t at, int64_t *out)
{
    int64_t dlt, r;
    return !__builtin_sub_overflow(x, at, &dlt) && bin_i64(dlt, s, &r) &&
           !__builtin_add_overflow(at, r, out);
}

/* The constant-step loop over a whole column of n values, binned from
 * origin -org (org is added first and subtracted after; unsigned wrapping
 * arithmetic, as null slots may hold anything). */
static void bin_i64_const(const bin_state_t *s,
                          const int64_t *x,
                          int64_t *w,
                          size_t n,
                          uint64_t org,
                          sl_qvec_t *o)
{
    int64_t step = s->step;
    if (step == 1) {
        memcpy(w, x, n * sizeof *w);
        return;
    }
    if (s->pow2) {
        uint64_t mask = ~((uint64_t)step - 1);
        for (size_t i = 0; i < n; i++) {
            w[i] = (int64_t)((((uint64_t)x[i] + org) & mask) - org);
        }
        return;
    }
    uint64_t magic = s->magic;
    /* shift >= 64: take the high word of the product, then shift it (a
     * variable 128-bit shift costs several instructions more). */
    unsigned shift = s->shift - 64;
    for (size_t i = 0; i < n; i++) {
        uint64_t v = (uint64_t)x[i] + org;
        if ((int64_t)v >= 0) {
            uint64_t q = (uint64_t)(((unsigned __int128)v * magic) >> 64) >> shift;
            w[i] = (int64_t)(q * (uint64_t)step - org);
        } else if (bin_i64((int64_t)v, step, &w[i])) {
            w[i] = (int64_t)((uint64_t)w[i] - org);
        } else {
            w[i] = 0;
            sl_qvec_set_null(o, i);
        }
    }
}

int sl_qmisc_eval_bin(const sl_qcall_t *call,
                      sl_qvec_t *const *args,
                      size_t n,
                      sl_qvec_t **out,
                      sl_qrt_t *rt)
{
    (void)rt;
    const bin_state_t *s = call->state;
    const sl_qvec_t *a = args[0];
    bool at = call->nargs == 3;
    sl_type_t t = a->col.type;
    sl_qvec_t *o = sl_qvec_new(t, n);

    if (s->konst && (s->null_step || s->null_at)) {
        for (size_t i = 0; i < n; i++) {
            sl_qvec_set_null(o, i);
        }
        *out = o;
        return 0;
    }
    if (call->variant == BIN_REAL) {
        double *w = sl_qvec_f64w(o);
        for (size_t i = 0; i < n; i++) {
            double st = s->konst ? s->fstep : sl_qvec_f64(args[1], i);
            double fx = at ? (s->konst ? s->fat : sl_qvec_f64(args[2], i)) : 0;
            if (sl_qvec_is_null(a, i) || (!s->konst && (sl_qvec_is_null(args[1], i) || !(st > 0) ||
                                                        (at && sl_qvec_is_null(args[2], i))))) {
                sl_qvec_set_null(o, i);
                continue;
            }
            w[i] = fx + floor((sl_qvec_f64(a, i) - fx) / st) * st;
        }
        *out = o;
        return 0;
    }

    int64_t *w = sl_qvec_i64w(o);
    /* bin() of datetimes counts from 0001-01-01; bin_at from its point. */
    int64_t org = t == SL_TYPE_DATETIME && !at ? SL_QDT_NET_EPOCH : 0;
    bool checked = false;
    if (s->konst && !at && !a->konst) {
        /* Nulls first: the loop may add rows that overflow. */
        sl_qmisc_copy_nulls(o, a, n);
        bin_i64_const(s, (const int64_t *)a->col.data.data, w, n, (uint64_t)org, o);
        /* A datetime binned down towards 0001-01-01 stays in the range. */
        checked = t == SL_TYPE_DATETIME;
    } else {
        for (size_t i = 0; i < n; i++) {
            int64_t st = s->konst ? s->step : sl_qvec_i64(args[1], i);
            bool ok = !sl_qvec_is_null(a, i);
            if (!s->konst) {
                ok = ok && !sl_qvec_is_null(args[1], i) && st > 0 &&
                     !(at && sl_qvec_is_null(args[2], i));
            }
            if (ok) {
                int64_t x = sl_qvec_i64(a, i);
                ok = at ? bin_at_i64(x, st, s->konst ? s->at : sl_qvec_i64(args[2], i), &w[i])
                        : bin_at_i64(x, st, -org, &w[i]);
            }
            if (!ok) {
                w[i] = 0;
                sl_qvec_set_null(o, i);
            }
        }
    }
    if (t == SL_TYPE_DATETIME && !checked) {
        /* bin_at can step below 0001-01-01 or past 9999: null. */
        for (size_t i = 0; i < n; i++) {
            if (!sl_qdt_ok(w[i])) {
                w[i] = 0;
                sl_qvec_set_null(o, i);
            }
        }
    } else if (t == SL_TYPE_INT) {
        /* An int stays an int: a bin below INT_MIN does not exist. */
        for (size_t i = 0; i < n; i++) {
            if (w[i] < INT32_MIN) {
                w[i] = 0;
                sl_qvec_set_null(o, i);
            }
        }
    }
    *out = o;
    return 0;
}
