/*
 * percentile(expr, p) and percentiles(expr, p1, p2, ...).
 *
 * Definition (KQL docs, "Nearest-rank percentile"): the P-th percentile
 * (0 < P <= 100) of N values sorted ascending is the smallest value such
 * that at least P percent of the values are less or equal to it, i.e. the
 * value of 1-based rank ceil(P / 100 * N); the 0-th percentile is the
 * smallest value. Kusto estimates it with a T-Digest (error bounded on the
 * rank, ~1% at the median). Ours is EXACT: every non-null value is kept
 * (8 bytes each, charged to the query) and the ranks are selected at
 * finish. So the result is always a member of the population and keeps
 * its type: int, long, real, datetime or timespan (other types are bind
 * errors). The rank is computed in integers from P rounded to millionths,
 * so P = 99.9 of 1000 values is rank 999 exactly, not 1000 by a rounding
 * accident.
 *
 * Each P must be a constant number in [0, 100]. Nulls are skipped; a
 * group without values gives null.
 *
 * Names (docs examples): percentile(x, 95) → percentile_x_95;
 * percentiles(x, 5, 50, 95) → percentile_x_5, percentile_x_50,
 * percentile_x_95; a fractional P writes its point as `_`
 * (99.9 → percentile_x_99_9).
 *
 * Values are stored as order-preserving unsigned keys (the sign bit
 * flipped for integers; for reals the IEEE trick: negative values
 * inverted, positive ones with the sign bit set, every NaN one NaN above
 * +inf), so one selection routine serves every type. Finish runs a
 * quickselect per rank in ascending rank order, each on the part left of
 * the previous pick's right side.
 */
#include "query/agg_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define SIGN UINT64_C(0x8000000000000000)

typedef struct pbind {
    size_t nranks;
    uint64_t *pm; /* rank in millionths of a percent */
} pbind_t;

typedef struct pst {
    uint64_t *v;
    uint32_t n, cap;
} pst_t;

static uint64_t key_f64(double x)
{
    uint64_t b = sl_qagg_real_key(x);
    return (b & SIGN) ? ~b : b | SIGN;
}

static double f64_key(uint64_t k)
{
    uint64_t b = (k & SIGN) ? k & ~SIGN : ~k;
    double x;
    memcpy(&x, &b, 8);
    return x;
}

int sl_qagg_pct_bind(sl_qbind_t *b, sl_qaggcall_t *call, sl_diag_t *d)
{
    sl_type_t t = call->args[0]->type;
    if (!sl_qtype_is_numeric(t) && t != SL_TYPE_DATETIME && t != SL_TYPE_TIMESPAN) {
        return sl_qagg_arg_error(d, call, 0, "a number, a datetime or a timespan");
    }
    sl_pool_t *pool = sl_qbind_pool(b);
    pbind_t *pb = sl_pool_calloc(pool, sizeof *pb);
    pb->nranks = call->nargs - 1;
    pb->pm = sl_pool_calloc(pool, pb->nranks * sizeof *pb->pm);
    sl_qagg_outs(b, call, pb->nranks);
    for (size_t k = 0; k < pb->nranks; k++) {
        double p;
        int rc = sl_qagg_const_num(call, k + 1, "a constant percentile (0 to 100)", &p, d);
        if (rc) {
            return rc;
        }
        if (p < 0 || p > 100) {
            return sl_diag_set(
              d, SL_ESEMANTIC, "%s(): percentile must be 0 to 100, got %g", call->agg->name, p);
        }
        pb->pm[k] = (uint64_t)llround(p * 1e6);
        char num[48];
        snprintf(num, sizeof num, "%.15g", p);
        for (char *c = num; *c; c++) {
            if (*c == '.') {
                *c = '_';
            }
        }
        /* Kusto widens int to long here. */
        call->out_types[k] = t == SL_TYPE_INT ? SL_TYPE_LONG : t;
        call->out_names[k] =
          sl_pool_printf(pool, "percentile_%s_%s", call->argname ? call->argname : "", num);
    }
    call->bstate = pb;
    call->state_size = sizeof(pst_t);
    return 0;
}

static int reserve(pst_t *st, size_t extra, sl_qrt_t *rt)
{
    if (st->n + extra <= st->cap) {
        return 0;
    }
    if (st->n + extra > UINT32_MAX / 2) {
        return sl_diag_set(rt->d, SL_ELIMIT, "too many values for a percentile in one group");
    }
    uint32_t cap = st->cap ? st->cap : 8;
    while (cap < st->n + extra) {
        cap *= 2;
    }
    int rc = sl_qrt_charge(rt, (int64_t)(cap - st->cap) * 8);
    if (rc) {
        return rc;
    }
    st->v = sl_xrealloc(st->v, (size_t)cap * 8);
    st->cap = cap;
    return 0;
}

int sl_qagg_pct_update(const sl_qaggcall_t *call,
                       uint8_t *base,
                       size_t stride,
                       const uint32_t *gid,
                       sl_qvec_t *const *args,
                       size_t n,
                       sl_qrt_t *rt)
{
    sl_qagg_rd_t v;
    sl_qagg_rd_init(&v, args[0]);
    bool real = v.type == SL_TYPE_REAL;
    for (size_t r = 0; r < n; r++) {
        if (sl_qagg_rd_null(&v, r)) {
            continue;
        }
        pst_t *st = (pst_t *)SL_QAGG_ST(call, base, stride, gid[r]);
        if (st->n == st->cap) {
            int rc = reserve(st, 1, rt);
            if (rc) {
                return rc;
            }
        }
        st->v[st->n++] =
          real ? key_f64(sl_qagg_rd_f64(&v, r)) : (uint64_t)sl_qagg_rd_i64(&v, r) ^ SIGN;
    }
    return 0;
}

int sl_qagg_pct_merge(const sl_qaggcall_t *call, void *dst, void *src, sl_qrt_t *rt)
{
    (void)call;
    pst_t *a = dst, *b = src;
    int rc = 0;
    if (!a->n) {
        pst_t t = *a;
        *a = *b;
        *b = t;
    } else if (b->n) {
        rc = reserve(a, b->n, rt);
        if (!rc) {
            memcpy(a->v + a->n, b->v, (size_t)b->n * 8);
            a->n += b->n;
        }
    }
    sl_qrt_charge(rt, -(int64_t)b->cap * 8);
    return rc;
}

static void swap(uint64_t *a, uint64_t *b)
{
    uint64_t t = *a;
    *a = *b;
    *b = t;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/*
 * Places the k-th smallest of v[lo..hi] at v[k], smaller-or-equal ones
 * before it and greater-or-equal ones after (Hoare partition around a
 * median of three). After 64 rounds without converging (adversarial
 * input) it sorts what is left, which bounds the worst case.
 */
static void select_kth(uint64_t *v, size_t lo, size_t hi, size_t k)
{
    for (int round = 0; hi > lo; round++) {
        if (round == 64 || hi - lo < 16) {
            qsort(v + lo, hi - lo + 1, 8, cmp_u64);
            return;
        }
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < v[lo]) {
            swap(&v[mid], &v[lo]);
        }
        if (v[hi] < v[lo]) {
            swap(&v[hi], &v[lo]);
        }
        if (v[hi] < v[mid]) {
            swap(&v[hi], &v[mid]);
        }
        uint64_t pivot = v[mid];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot) {
                i++;
            }
            while (v[j] > pivot) {
                j--;
            }
            if (i <= j) {
                swap(&v[i], &v[j]);
                i++;
                if (j == 0) {
                    break;
                }
                j--;
            }
        }
        /* Now v[lo..j] <= pivot <= v[i..hi], and j < i. */
        if (k <= j) {
            hi = j;
        } else if (k >= i) {
            lo = i;
        } else {
            return; /* v[j+1..i-1] all equal the pivot */
        }
    }
}

int sl_qagg_pct_finish(const sl_qaggcall_t *call, void *state, sl_qvec_t **outs, sl_qrt_t *rt)
{
    const pbind_t *pb = call->bstate;
    pst_t *st = state;
    bool real = call->args[0]->type == SL_TYPE_REAL;
    if (!st->n) {
        for (size_t k = 0; k < pb->nranks; k++) {
            sl_qagg_push_null(outs[k]);
        }
        return 0;
    }
    /* Zero-based index of each rank, then selections in ascending order:
     * each leaves everything after its index >= it, so the next one
     * searches only from there. */
    size_t nr = pb->nranks, order_local[8], *order = order_local;
    size_t idx_local[8], *idx = idx_local;
    if (nr > 8) {
        order = sl_xmalloc(nr * sizeof *order);
        idx = sl_xmalloc(nr * sizeof *idx);
    }
    for (size_t k = 0; k < nr; k++) {
        uint64_t rank = (pb->pm[k] * st->n + 100000000 - 1) / 100000000;
        idx[k] = rank ? (size_t)rank - 1 : 0;
        if (idx[k] >= st->n) {
            idx[k] = st->n - 1;
        }
        order[k] = k;
    }
    for (size_t a = 1; a < nr; a++) {
        for (size_t j = a; j > 0 && idx[order[j - 1]] > idx[order[j]]; j--) {
            size_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    }
    size_t lo = 0;
    for (size_t a = 0; a < nr; a++) {
        size_t k = idx[order[a]];
        select_kth(st->v, lo, st->n - 1, k);
        lo = k;
    }
    for (size_t k = 0; k < nr; k++) {
        uint64_t key = st->v[idx[k]];
        if (real) {
            sl_qagg_push_f64(outs[k], f64_key(key));
        } else {
            sl_qagg_push_i64(outs[k], (int64_t)(key ^ SIGN));
        }
    }
    if (order != order_local) {
        sl_free(order);
        sl_free(idx);
    }
    sl_qrt_charge(rt, -(int64_t)st->cap * 8);
    return 0;
}

void sl_qagg_pct_dispose(const sl_qaggcall_t *call, void *state)
{
    (void)call;
    pst_t *st = state;
    sl_free(st->v);
    st->v = NULL;
    st->n = st->cap = 0;
}
