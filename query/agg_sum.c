/*
 * Arithmetic aggregates: sum, sumif, avg, avgif, and the tier-2
 * statistics stdev, stdevif, stdevp, variance, varianceif, variancep.
 *
 * Types (KQL docs plus the choices noted):
 *   sum(int|long) → long, sum(real) → real, sum(timespan) → timespan.
 *   avg(int|long|real) → real; avg(timespan) → timespan and
 *   avg(datetime) → datetime (the mean instant), computed exactly over a
 *   128-bit sum and truncated to whole ticks.
 *   stdev/variance(int|long|real) → real.
 * Other argument types are bind errors.
 *
 * Nulls are skipped. Values of a group with no (non-null) values, or of an
 * empty input summarized without `by`, follow the summarize page's
 * "Default values of aggregations": sum, sumif, stdev*, variance* → 0;
 * avg → NaN ("due to dividing by 0", as the page's example shows), or
 * null for a timespan/datetime average, which has no NaN. A group of one
 * value has stdev and variance 0 (the sample formula would divide by 0).
 *
 * Integer sums wrap on overflow as long arithmetic does; averages of
 * integers and times never overflow (128-bit sum). Real sums use
 * Neumaier's compensated summation, so the result barely depends on the
 * order in which rows and partial results arrive. The variance keeps sums
 * of x - k and (x - k)^2, with k the group's first value: no division per
 * row, and no catastrophic cancellation when values sit far from zero.
 *
 * Names: "<function>_" + the inferred name of the first argument (sum_x,
 * sumif_x, avg_x, avgif_x, stdev_x, variance_x ...; sum(x * 2) → sum_).
 *
 * Loops: the argument type and whether a predicate or nulls are present
 * are decided once per batch; each combination is its own loop (the
 * always_inline helpers below are instantiated with constant flags).
 */
#include "query/agg_int.h"

#include <math.h>

#define SL_QAGG_INLINE static inline __attribute__((always_inline))

enum { K_SUM, K_AVG, K_VAR };

typedef struct sum_i {
    uint64_t s; /* wrapping long sum */
} sum_i_t;

typedef struct sum_f {
    double s, c; /* sum and Neumaier compensation */
    int64_t n;
} sum_f_t;

typedef struct avg_i {
    uint64_t lo; /* 128-bit sum as two halves: states need only 8-byte alignment */
    int64_t hi;
    int64_t n;
} avg_i_t;

typedef struct var_f {
    double k, s1, s2; /* shift, sum(x - k), sum((x - k)^2) */
    int64_t n;
} var_f_t;

typedef struct shape {
    int kind;
    bool pred;       /* args[1] is a predicate */
    bool population; /* stdevp/variancep */
    bool root;       /* stdev*: square root of the variance */
    const char *prefix;
} shape_t;

static const shape_t *shape_of(const sl_qagg_t *agg)
{
    static const struct {
        const char *name;
        shape_t sh;
    } shapes[] = {
        { "sum", { K_SUM, false, false, false, "sum_" } },
        { "sumif", { K_SUM, true, false, false, "sumif_" } },
        { "avg", { K_AVG, false, false, false, "avg_" } },
        { "avgif", { K_AVG, true, false, false, "avgif_" } },
        { "stdev", { K_VAR, false, false, true, "stdev_" } },
        { "stdevif", { K_VAR, true, false, true, "stdevif_" } },
        { "stdevp", { K_VAR, false, true, true, "stdevp_" } },
        { "variance", { K_VAR, false, false, false, "variance_" } },
        { "varianceif", { K_VAR, true, false, false, "varianceif_" } },
        { "variancep", { K_VAR, false, true, false, "variancep_" } },
    };
    for (size_t i = 0; i < SL_ARRAY_SIZE(shapes); i++) {
        if (strcmp(shapes[i].name, agg->name) == 0) {
            return &shapes[i].sh;
        }
    }
    return &shapes[0].sh;
}

int sl_qagg_sum_bind(sl_qbind_t *b, sl_qaggcall_t *call, sl_diag_t *d)
{
    const shape_t *sh = shape_of(call->agg);
    sl_type_t t = call->args[0]->type, out;
    if (sh->pred) {
        int rc = sl_qagg_check_pred(call, 1, d);
        if (rc) {
            return rc;
        }
    }
    switch (sh->kind) {
    case K_SUM:
        if (!sl_qtype_is_numeric(t) && t != SL_TYPE_TIMESPAN) {
            return sl_qagg_arg_error(d, call, 0, "a number or a timespan");
        }
        out = t == SL_TYPE_INT ? SL_TYPE_LONG : t;
        call->state_size = t == SL_TYPE_REAL ? sizeof(sum_f_t) : sizeof(sum_i_t);
        break;
    case K_AVG:
        if (!sl_qtype_is_numeric(t) && t != SL_TYPE_TIMESPAN && t != SL_TYPE_DATETIME) {
            return sl_qagg_arg_error(d, call, 0, "a number, a timespan or a datetime");
        }
        out = sl_qtype_is_numeric(t) ? SL_TYPE_REAL : t;
        call->state_size = t == SL_TYPE_REAL ? sizeof(sum_f_t) : sizeof(avg_i_t);
        break;
    default:
        if (!sl_qtype_is_numeric(t)) {
            return sl_qagg_arg_error(d, call, 0, "a number");
        }
        out = SL_TYPE_REAL;
        call->state_size = sizeof(var_f_t);
        break;
    }
    sl_qagg_outs(b, call, 1);
    call->out_types[0] = out;
    call->out_names[0] = sl_qagg_name(b, sh->prefix, call->argname);
    return 0;
}

/* ---- Per-row steps ------------------------------------------------------ */

SL_QAGG_INLINE void neumaier(sum_f_t *st, double x)
{
    double t = st->s + x;
    if (fabs(st->s) >= fabs(x)) {
        st->c += (st->s - t) + x;
    } else {
        st->c += (x - t) + st->s;
    }
    st->s = t;
}

SL_QAGG_INLINE void add128(avg_i_t *st, int64_t x)
{
    uint64_t ux = (uint64_t)x;
    st->lo += ux;
    st->hi += (x < 0 ? -1 : 0) + (st->lo < ux);
}

SL_QAGG_INLINE void var_step(var_f_t *st, double x)
{
    if (st->n == 0) {
        st->k = x;
    }
    double y = x - st->k;
    st->s1 += y;
    st->s2 += y * y;
    st->n++;
}

/* Folds row r into a state (in place, or its local copy during a run). */
SL_QAGG_INLINE void step(void *st, const sl_qagg_rd_t *v, size_t r, const int kind, const bool real)
{
    if (kind == K_VAR) {
        var_step(st, real ? sl_qagg_rd_f64(v, r) : (double)sl_qagg_rd_i64(v, r));
    } else if (real) {
        neumaier(st, sl_qagg_rd_f64(v, r));
        ((sum_f_t *)st)->n++;
    } else if (kind == K_SUM) {
        ((sum_i_t *)st)->s += (uint64_t)sl_qagg_rd_i64(v, r);
    } else {
        add128(st, sl_qagg_rd_i64(v, r));
        ((avg_i_t *)st)->n++;
    }
}

/*
 * One loop per (kind, real input, predicate, nulls, runs) combination: the
 * flags are compile-time constants at each call site below.
 *
 * When rows come in long runs of one group (the whole batch without `by`,
 * sorted or clustered keys), each run is folded into a local copy of its
 * state, which the compiler keeps in registers, and stored once: the loop
 * is then bound by the additions, not by reloading the state it has just
 * stored (a real sum over one group runs about 4x faster; bench_query_agg).
 * With many groups in random order, rows update their state in place.
 */
SL_QAGG_INLINE void run(const sl_qaggcall_t *call,
                        uint8_t *base,
                        size_t stride,
                        const uint32_t *gid,
                        const sl_qagg_rd_t *v,
                        const sl_qagg_rd_t *p,
                        size_t n,
                        const int kind,
                        const bool real,
                        const bool pred,
                        const bool nulls,
                        const bool runs)
{
    union {
        sum_i_t si;
        sum_f_t sf;
        avg_i_t ai;
        var_f_t vf;
    } local;
    size_t size = kind == K_VAR   ? sizeof(var_f_t)
                  : real          ? sizeof(sum_f_t)
                  : kind == K_SUM ? sizeof(sum_i_t)
                                  : sizeof(avg_i_t);
    for (size_t r = 0; r < n;) {
        size_t end = r + 1;
        void *st = SL_QAGG_ST(call, base, stride, gid[r]), *at = st;
        if (runs) {
            while (end < n && gid[end] == gid[r]) {
                end++;
            }
            memcpy(&local, st, size);
            at = &local;
        }
        for (; r < end; r++) {
            if (pred && !sl_qagg_rd_true(p, r)) {
                continue;
            }
            if (nulls && sl_qagg_rd_null(v, r)) {
                continue;
            }
            step(at, v, r, kind, real);
        }
        if (runs) {
            memcpy(st, &local, size);
        }
    }
}

/* True when the batch's group ids change rarely (runs average 16+ rows). */
static bool long_runs(const uint32_t *gid, size_t n)
{
    size_t breaks = 0;
    for (size_t r = 1; r < n; r++) {
        breaks += gid[r] != gid[r - 1];
    }
    return breaks * 16 < n;
}

#define RUN4(kind, real, runs)                                                                     \
    do {                                                                                           \
        if (pred) {                                                                                \
            if (nulls) {                                                                           \
                run(call, base, stride, gid, &v, &p, n, kind, real, true, true, runs);             \
            } else {                                                                               \
                run(call, base, stride, gid, &v, &p, n, kind, real, true, false, runs);            \
            }                                                                                      \
        } else if (nulls) {                                                                        \
            run(call, base, stride, gid, &v, &p, n, kind, real, false, true, runs);                \
        } else {                                                                                   \
            run(call, base, stride, gid, &v, &p, n, kind, real, false, false, runs);               \
        }                                                                                          \
    } while (0)
#define RUN(kind, real)                                                                            \
    do {                                                                                           \
        if (runs) {                                                                                \
            RUN4(kind, real, true);                                                                \
        } else {                                                                                   \
            RUN4(kind, real, false);                                                               \
        }                                                                                          \
    } while (0)

int sl_qagg_sum_update(const sl_qaggcall_t *call,
                       uint8_t *base,
                       size_t stride,
                       const uint32_t *gid,
                       sl_qvec_t *const *args,
                       size_t n,
                       sl_qrt_t *rt)
{
    (void)rt;
    const shape_t *sh = shape_of(call->agg);
    sl_qagg_rd_t v, p;
    sl_qagg_rd_init(&v, args[0]);
    bool pred = sh->pred, nulls = v.nulls != NULL;
    if (pred) {
        sl_qagg_rd_init(&p, args[1]);
    } else {
        memset(&p, 0, sizeof p);
    }
    bool real = v.type == SL_TYPE_REAL, runs = long_runs(gid, n);
    switch (sh->kind) {
    case K_SUM:
        if (real) {
            RUN(K_SUM, true);
        } else {
            RUN(K_SUM, false);
        }
        break;
    case K_AVG:
        if (real) {
            RUN(K_AVG, true);
        } else {
            RUN(K_AVG, false);
        }
        break;
    default:
        if (real) {
            RUN(K_VAR, true);
        } else {
            RUN(K_VAR, false);
        }
        break;
    }
    return 0;
}

int sl_qagg_sum_merge(const sl_qaggcall_t *call, void *dst, void *src, sl_qrt_t *rt)
{
    (void)rt;
    const shape_t *sh = shape_of(call->agg);
    bool real = call->args[0]->type == SL_TYPE_REAL;
    if (sh->kind == K_VAR) {
        var_f_t *a = dst, *b = src;
        if (b->n == 0) {
            return 0;
        }
        if (a->n == 0) {
            *a = *b;
            return 0;
        }
        /* Re-express b's sums around a's shift: x - ka = (x - kb) + dk. */
        double dk = b->k - a->k;
        a->s2 += b->s2 + 2 * dk * b->s1 + (double)b->n * dk * dk;
        a->s1 += b->s1 + (double)b->n * dk;
        a->n += b->n;
    } else if (real) {
        sum_f_t *a = dst, *b = src;
        neumaier(a, b->s);
        neumaier(a, b->c);
        a->n += b->n;
    } else if (sh->kind == K_SUM) {
        ((sum_i_t *)dst)->s += ((sum_i_t *)src)->s;
    } else {
        avg_i_t *a = dst, *b = src;
        uint64_t lo = a->lo;
        a->lo += b->lo;
        a->hi += b->hi + (a->lo < lo);
        a->n += b->n;
    }
    return 0;
}

int sl_qagg_sum_finish(const sl_qaggcall_t *call, void *state, sl_qvec_t **outs, sl_qrt_t *rt)
{
    (void)rt;
    const shape_t *sh = shape_of(call->agg);
    sl_type_t t = call->args[0]->type;
    sl_qvec_t *out = outs[0];
    if (sh->kind == K_VAR) {
        const var_f_t *st = state;
        double var = 0;
        if (st->n > 1 || (sh->population && st->n == 1)) {
            double n = (double)st->n;
            var = (st->s2 - st->s1 * st->s1 / n) / (sh->population ? n : n - 1);
            if (var < 0) {
                var = 0; /* rounding, when every value is equal */
            }
        }
        sl_qagg_push_f64(out, sh->root ? sqrt(var) : var);
        return 0;
    }
    if (t == SL_TYPE_REAL) {
        const sum_f_t *st = state;
        double s = st->s + st->c;
        if (sh->kind == K_AVG) {
            s = st->n ? s / (double)st->n : NAN;
        }
        sl_qagg_push_f64(out, s);
        return 0;
    }
    if (sh->kind == K_SUM) {
        sl_qagg_push_i64(out, (int64_t)((const sum_i_t *)state)->s);
        return 0;
    }
    const avg_i_t *st = state;
    __int128 sum = (__int128)(((unsigned __int128)(uint64_t)st->hi << 64) | st->lo);
    if (sl_qtype_is_numeric(t)) {
        sl_qagg_push_f64(out, st->n ? (double)sum / (double)st->n : NAN);
    } else if (st->n) {
        sl_qagg_push_i64(out, (int64_t)(sum / st->n));
    } else {
        sl_qagg_push_null(out);
    }
    return 0;
}
