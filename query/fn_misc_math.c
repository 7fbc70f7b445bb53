/*
 * Math functions: round(x [, precision]), floor(x), ceiling(x), abs, sign,
 * sqrt, exp, exp2, exp10, log, log2, log10, pow, isnan, isinf, isfinite,
 * and the trigonometric functions (sin, cos, tan, asin, acos, atan, atan2,
 * cot, degrees, radians, pi).
 *
 * Types: round, floor, ceiling, abs and sign keep the argument's numeric
 * type (an integer is already round; round(1234, -2) is the long 1200); abs
 * also takes a timespan. The others compute in real (integers are
 * converted at bind time).
 *
 * round() rounds halves away from zero, as the docs' examples show
 * (round(2.15, 1) = 2.2, round(-50.55, -2) = -100). Scaling by a power of
 * ten is done by division for positive precisions (22 / 10 is the double
 * nearest 2.2, where 22 * 0.1 is not).
 *
 * Domain errors give null, as the docs say for log ("null if the argument
 * is negative") and sqrt; log(0) is -infinity. An integer result that
 * overflows (abs(long.min), round(long.max, -1)) is null.
 */
#include "query/fn_misc_int.h"

#include <math.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* round, floor, ceiling                                                    */
/* ------------------------------------------------------------------------ */

enum { R_ROUND, R_FLOOR, R_CEILING };

int sl_qmisc_bind_round(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    call->variant = sl_qmisc_named(call, "round")   ? R_ROUND
                    : sl_qmisc_named(call, "floor") ? R_FLOOR
                                                    : R_CEILING;
    sl_type_t t = call->args[0]->type;
    if (t == SL_TYPE_DYNAMIC) {
        int rc = sl_qbind_cast(b, &call->args[0], SL_TYPE_REAL, d);
        if (rc != 0) {
            return rc;
        }
        t = SL_TYPE_REAL;
    }
    if (!sl_qtype_is_numeric(t)) {
        return sl_qmisc_arg_error(d, call, 0, "a number");
    }
    *type = t;
    return call->nargs == 2 ? sl_qmisc_want_long(b, call, 1, d) : 0;
}

static double round_real(double x, int64_t p)
{
    if (p > 308 || !isfinite(x)) {
        return x;
    }
    if (p < -308) {
        return 0 * x;
    }
    if (p >= 0) {
        double f = pow(10, (double)p);
        double y = x * f;
        return isfinite(y) ? round(y) / f : x;
    }
    double g = pow(10, (double)-p);
    return round(x / g) * g;
}

/* x rounded half away from zero to a multiple of 10^-p (p < 0). */
static bool round_i64(int64_t x, int64_t p, int64_t *out)
{
    if (p >= 0) {
        *out = x;
        return true;
    }
    if (p < -18) {
        *out = 0; /* |x| < 10^19 / 2 for every int64 */
        return true;
    }
    int64_t m = 1;
    for (int64_t k = 0; k < -p; k++) {
        m *= 10;
    }
    int64_t r = x % m, q = x - r;
    uint64_t ar = r < 0 ? (uint64_t)0 - (uint64_t)r : (uint64_t)r;
    if (ar * 2 >= (uint64_t)m) {
        return !__builtin_add_overflow(q, x < 0 ? -m : m, out);
    }
    *out = q;
    return true;
}

int sl_qmisc_eval_round(const sl_qcall_t *call,
                        sl_qvec_t *const *args,
                        size_t n,
                        sl_qvec_t **out,
                        sl_qrt_t *rt)
{
    (void)rt;
    const sl_qvec_t *a = args[0];
    sl_type_t t = a->col.type;
    int v = call->variant;
    if (t != SL_TYPE_REAL && (v != R_ROUND || call->nargs == 1)) {
        *out = sl_qvec_ref(args[0]); /* integers are whole already */
        return 0;
    }
    sl_qvec_t *o = sl_qvec_new(t, n);
    if (t == SL_TYPE_REAL && call->nargs == 1 && !a->konst) {
        const double *x = (const double *)a->col.data.data;
        double *w = sl_qvec_f64w(o);
        if (v == R_ROUND) {
            for (size_t i = 0; i < n; i++) {
                w[i] = round(x[i]);
            }
        } else if (v == R_FLOOR) {
            for (size_t i = 0; i < n; i++) {
                w[i] = floor(x[i]);
            }
        } else {
            for (size_t i = 0; i < n; i++) {
                w[i] = ceil(x[i]);
            }
        }
        sl_qmisc_copy_nulls(o, a, n);
        *out = o;
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        int64_t p = 0;
        bool ok = !sl_qvec_is_null(a, i);
        if (call->nargs == 2) {
            ok = ok && !sl_qvec_is_null(args[1], i);
            p = ok ? sl_qvec_i64(args[1], i) : 0;
        }
        if (ok && t == SL_TYPE_REAL) {
            double x = sl_qvec_f64(a, i);
            sl_qvec_f64w(o)[i] = v == R_ROUND   ? round_real(x, p)
                                 : v == R_FLOOR ? floor(x)
                                                : ceil(x);
        } else if (ok) {
            int64_t *w = sl_qvec_i64w(o);
            ok = round_i64(sl_qvec_i64(a, i), p, &w[i]) &&
                 (t != SL_TYPE_INT || (w[i] >= INT32_MIN && w[i] <= INT32_MAX));
        }
        if (!ok) {
            memset(o->col.data.data + i * 8, 0, 8);
            sl_qvec_set_null(o, i);
        }
    }
    *out = o;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Unary functions                                                          */
/* ------------------------------------------------------------------------ */

typedef enum unop {
    U_ABS,
    U_SIGN,
    U_SQRT,
    U_EXP,
    U_EXP2,
    U_EXP10,
    U_LOG,
    U_LOG2,
    U_LOG10,
    U_ISNAN,
    U_ISINF,
    U_ISFINITE,
    U_SIN,
    U_COS,
    U_TAN,
    U_ASIN,
    U_ACOS,
    U_ATAN,
    U_COT,
    U_DEGREES,
    U_RADIANS,
} unop_t;

static const char *const unop_names[] = {
    "abs",  "sign",  "sqrt",  "exp",   "exp2",     "exp10",   "log",
    "log2", "log10", "isnan", "isinf", "isfinite", "sin",     "cos",
    "tan",  "asin",  "acos",  "atan",  "cot",      "degrees", "radians",
};

int sl_qmisc_bind_unary(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    call->variant = -1;
    for (size_t i = 0; i < SL_ARRAY_SIZE(unop_names); i++) {
        if (sl_qmisc_named(call, unop_names[i])) {
            call->variant = (int)i;
        }
    }
    if (call->variant < 0) {
        return sl_qmisc_error(d, call, "unknown function");
    }
    sl_type_t t = call->args[0]->type;
    if ((call->variant == U_ABS || call->variant == U_SIGN) &&
        (t == SL_TYPE_INT || t == SL_TYPE_LONG ||
         (t == SL_TYPE_TIMESPAN && call->variant == U_ABS))) {
        *type = t;
        return 0;
    }
    int rc = sl_qmisc_want_real(b, call, 0, d);
    if (call->variant >= U_ISNAN && call->variant <= U_ISFINITE) {
        *type = SL_TYPE_BOOL;
    } else {
        *type = SL_TYPE_REAL;
    }
    return rc;
}

/* One real operation; false for a domain error (null). */
static bool unop_real(unop_t op, double x, double *r)
{
    switch (op) {
    case U_ABS:
        *r = fabs(x);
        return true;
    case U_SIGN:
        *r = isnan(x) ? x : (x > 0) - (x < 0);
        return true;
    case U_SQRT:
        *r = sqrt(x);
        return !(x < 0);
    case U_EXP:
        *r = exp(x);
        return true;
    case U_EXP2:
        *r = exp2(x);
        return true;
    case U_EXP10:
        *r = pow(10, x);
        return true;
    case U_LOG:
        *r = log(x);
        return !(x < 0);
    case U_LOG2:
        *r = log2(x);
        return !(x < 0);
    case U_LOG10:
        *r = log10(x);
        return !(x < 0);
    case U_SIN:
        *r = sin(x);
        return true;
    case U_COS:
        *r = cos(x);
        return true;
    case U_TAN:
        *r = tan(x);
        return true;
    case U_ASIN:
        *r = asin(x);
        return !(x < -1 || x > 1);
    case U_ACOS:
        *r = acos(x);
        return !(x < -1 || x > 1);
    case U_ATAN:
        *r = atan(x);
        return true;
    case U_COT:
        *r = 1 / tan(x);
        return true;
    case U_DEGREES:
        *r = x * (180.0 / M_PI);
        return true;
    default: /* U_RADIANS */
        *r = x * (M_PI / 180.0);
        return true;
    }
}

int sl_qmisc_eval_unary(const sl_qcall_t *call,
                        sl_qvec_t *const *args,
                        size_t n,
                        sl_qvec_t **out,
                        sl_qrt_t *rt)
{
    (void)rt;
    const sl_qvec_t *a = args[0];
    unop_t op = (unop_t)call->variant;
    sl_type_t t = a->col.type;
    if (op >= U_ISNAN && op <= U_ISFINITE) {
        sl_qvec_t *o = sl_qvec_new(SL_TYPE_BOOL, n);
        uint8_t *w = sl_qvec_boolw(o);
        for (size_t i = 0; i < n; i++) {
            double x = sl_qvec_f64(a, i);
            w[i] = op == U_ISNAN ? isnan(x) : op == U_ISINF ? isinf(x) != 0 : isfinite(x);
        }
        sl_qmisc_copy_nulls(o, a, n);
        for (size_t i = 0; i < n && o->col.nulls.len; i++) {
            if (sl_qvec_is_null(o, i)) {
                w[i] = 0;
            }
        }
        *out = o;
        return 0;
    }
    sl_qvec_t *o = sl_qvec_new(t, n);
    if (t != SL_TYPE_REAL) { /* abs / sign of an integer or a timespan */
        int64_t *w = sl_qvec_i64w(o);
        for (size_t i = 0; i < n; i++) {
            int64_t x = sl_qvec_i64(a, i);
            if (op == U_SIGN) {
                w[i] = (x > 0) - (x < 0);
            } else if (x == INT64_MIN) {
                w[i] = 0;
                sl_qvec_set_null(o, i);
            } else {
                w[i] = x < 0 ? -x : x;
            }
        }
        if (o->col.nulls.len == 0) {
            sl_qmisc_copy_nulls(o, a, n);
        } else {
            for (size_t i = 0; i < n; i++) {
                if (sl_qvec_is_null(a, i)) {
                    sl_qvec_set_null(o, i);
                }
            }
        }
        *out = o;
        return 0;
    }
    double *w = sl_qvec_f64w(o);
    for (size_t i = 0; i < n; i++) {
        if (sl_qvec_is_null(a, i) || !unop_real(op, sl_qvec_f64(a, i), &w[i])) {
            w[i] = 0;
            sl_qvec_set_null(o, i);
        }
    }
    *out = o;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* pow(x, y), atan2(y, x), pi()                                             */
/* ------------------------------------------------------------------------ */

int sl_qmisc_bind_pow(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    call->variant = sl_qmisc_named(call, "atan2");
    int rc = sl_qmisc_want_real(b, call, 0, d);
    if (rc == 0) {
        rc = sl_qmisc_want_real(b, call, 1, d);
    }
    *type = SL_TYPE_REAL;
    return rc;
}

int sl_qmisc_eval_pow(const sl_qcall_t *call,
                      sl_qvec_t *const *args,
                      size_t n,
                      sl_qvec_t **out,
                      sl_qrt_t *rt)
{
    (void)rt;
    sl_qvec_t *o = sl_qvec_new(SL_TYPE_REAL, n);
    double *w = sl_qvec_f64w(o);
    for (size_t i = 0; i < n; i++) {
        if (sl_qvec_is_null(args[0], i) || sl_qvec_is_null(args[1], i)) {
            sl_qvec_set_null(o, i);
            continue;
        }
        double x = sl_qvec_f64(args[0], i), y = sl_qvec_f64(args[1], i);
        w[i] = call->variant ? atan2(x, y) : pow(x, y);
    }
    *out = o;
    return 0;
}

int sl_qmisc_bind_pi(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    (void)b;
    (void)call;
    (void)d;
    *type = SL_TYPE_REAL;
    return 0;
}

int sl_qmisc_eval_pi(const sl_qcall_t *call,
                     sl_qvec_t *const *args,
                     size_t n,
                     sl_qvec_t **out,
                     sl_qrt_t *rt)
{
    (void)call;
    (void)args;
    (void)rt;
    sl_qvec_t *o = sl_qvec_new(SL_TYPE_REAL, n);
    for (size_t i = 0; i < n; i++) {
        sl_qvec_f64w(o)[i] = M_PI;
    }
    *out = o;
    return 0;
}
