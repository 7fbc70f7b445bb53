/*
 * Counting aggregates: count, countif, dcount, dcountif, count_distinct,
 * count_distinctif. All return long.
 *
 * count() counts rows. The docs' summarize page shows count(y) counting a
 * row whose y is null ("The standard count function includes null values
 * in its count"), so count(expr) is accepted and counts rows as well.
 * countif(p) counts rows where p is true (null counts as false).
 *
 * dcount(expr [, accuracy]) is EXACT here: Kusto estimates with
 * HyperLogLog (the accuracy level 0..4 picks the estimator's size), we
 * keep the set of distinct values (agg_set.c), so the accuracy argument is
 * checked (a constant integer) and otherwise ignored. That makes dcount
 * and count_distinct the same function. Nulls are not values and are not
 * counted; an empty string is a value. Dynamic values are distinct by
 * their compact JSON text.
 *
 * Names (summarize page, "Default values of aggregations" examples:
 * count(x) → count_x, countif(x > 0) → countif_, dcount(x) → dcount_x,
 * dcountif(x, x > 0) → dcountif_x): "<function>_" + the inferred name of
 * the first argument, so count() → count_ and count_distinct(x) →
 * count_distinct_x.
 *
 * Loops: count and countif touch one int64 per row. The distinct counters
 * skip a row equal to the previous row of the same group before hashing,
 * which makes sorted or low-cardinality input nearly free.
 */
#include "query/agg_int.h"

/* ---- count, countif ----------------------------------------------------- */

int sl_qagg_count_bind(sl_qbind_t *b, sl_qaggcall_t *call, sl_diag_t *d)
{
    if (call->agg->name[5] == 'i') { /* countif */
        int rc = sl_qagg_check_pred(call, 0, d);
        if (rc) {
            return rc;
        }
    }
    sl_qagg_outs(b, call, 1);
    call->out_types[0] = SL_TYPE_LONG;
    call->out_names[0] =
      sl_qagg_name(b, call->agg->name[5] == 'i' ? "countif_" : "count_", call->argname);
    call->state_size = sizeof(int64_t);
    return 0;
}

int sl_qagg_count_update(const sl_qaggcall_t *call,
                         uint8_t *base,
                         size_t stride,
                         const uint32_t *gid,
                         sl_qvec_t *const *args,
                         size_t n,
                         sl_qrt_t *rt)
{
    (void)args;
    (void)rt;
    for (size_t r = 0; r < n; r++) {
        (*(int64_t *)SL_QAGG_ST(call, base, stride, gid[r]))++;
    }
    return 0;
}

int sl_qagg_countif_update(const sl_qaggcall_t *call,
                           uint8_t *base,
                           size_t stride,
                           const uint32_t *gid,
                           sl_qvec_t *const *args,
                           size_t n,
                           sl_qrt_t *rt)
{
    (void)rt;
    sl_qagg_rd_t p;
    sl_qagg_rd_init(&p, args[0]);
    if (!p.nulls) {
        /* Add the predicate byte itself: no branch per row. */
        for (size_t r = 0; r < n; r++) {
            *(int64_t *)SL_QAGG_ST(call, base, stride, gid[r]) += sl_qagg_rd_bool(&p, r);
        }
        return 0;
    }
    for (size_t r = 0; r < n; r++) {
        *(int64_t *)SL_QAGG_ST(call, base, stride, gid[r]) += sl_qagg_rd_true(&p, r);
    }
    return 0;
}

int sl_qagg_count_merge(const sl_qaggcall_t *call, void *dst, void *src, sl_qrt_t *rt)
{
    (void)call;
    (void)rt;
    *(int64_t *)dst += *(const int64_t *)src;
    return 0;
}

int sl_qagg_count_finish(const sl_qaggcall_t *call, void *state, sl_qvec_t **outs, sl_qrt_t *rt)
{
    (void)call;
    (void)rt;
    sl_qagg_push_i64(outs[0], *(const int64_t *)state);
    return 0;
}

/* ---- dcount, dcountif, count_distinct, count_distinctif ----------------- */

/* Shapes: where the predicate is (0: none) and where the accuracy may be. */
typedef struct dshape {
    size_t pred;     /* argument index of the predicate, 0 if none */
    size_t accuracy; /* argument index of the accuracy, 0 if none */
    const char *prefix;
} dshape_t;

static const dshape_t *dshape_of(const sl_qagg_t *agg)
{
    static const dshape_t dcount = { 0, 1, "dcount_" }, dcountif = { 1, 2, "dcountif_" },
                          cd = { 0, 0, "count_distinct_" }, cdif = { 1, 0, "count_distinctif_" };
    if (strcmp(agg->name, "dcount") == 0) {
        return &dcount;
    }
    if (strcmp(agg->name, "dcountif") == 0) {
        return &dcountif;
    }
    if (strcmp(agg->name, "count_distinct") == 0) {
        return &cd;
    }
    return &cdif;
}

int sl_qagg_distinct_bind(sl_qbind_t *b, sl_qaggcall_t *call, sl_diag_t *d)
{
    const dshape_t *sh = dshape_of(call->agg);
    int rc;
    if (sh->pred && (rc = sl_qagg_check_pred(call, sh->pred, d)) != 0) {
        return rc;
    }
    if (sh->accuracy && call->nargs > sh->accuracy) {
        /* Kusto's estimator sizes; accepted for compatibility, and
         * meaningless for an exact count. */
        int64_t acc;
        rc = sl_qagg_const_int(call, sh->accuracy, "a constant integer accuracy", &acc, d);
        if (rc) {
            return rc;
        }
        if (acc < 0 || acc > 4) {
            return sl_diag_set(d,
                               SL_ESEMANTIC,
                               "%s(): accuracy must be 0 to 4, got %lld",
                               call->agg->name,
                               (long long)acc);
        }
    }
    sl_qagg_outs(b, call, 1);
    call->out_types[0] = SL_TYPE_LONG;
    call->out_names[0] = sl_qagg_name(b, sh->prefix, call->argname);
    call->state_size = sizeof(sl_qagg_set_t *);
    return 0;
}

/* Inserts row r of v into the group's set. */
static inline int distinct_add(sl_qagg_set_t **slot, const sl_qagg_rd_t *v, size_t r, sl_qrt_t *rt)
{
    bool text = sl_type_is_text(v->type);
    int rc = sl_qagg_set_get(slot, text, rt);
    if (rc) {
        return rc;
    }
    if (text) {
        size_t len;
        const char *p = sl_qagg_rd_text(v, r, &len);
        return sl_qagg_set_add_text(*slot, p, len, sl_qagg_hash_bytes(p, len), NULL, rt);
    }
    uint64_t key =
      v->type == SL_TYPE_REAL ? sl_qagg_real_key(sl_qagg_rd_f64(v, r)) : sl_qagg_rd_bits(v, r);
    return sl_qagg_set_add_u64(*slot, key, sl_qagg_hash_u64(key), NULL, rt);
}

/* True if row r repeats row q (same group, same value): no lookup needed. */
static inline bool same_as(const sl_qagg_rd_t *v, size_t r, size_t q)
{
    if (sl_type_is_text(v->type)) {
        size_t an, bn;
        const char *a = sl_qagg_rd_text(v, r, &an), *b = sl_qagg_rd_text(v, q, &bn);
        return an == bn && memcmp(a, b, an) == 0;
    }
    return sl_qagg_rd_bits(v, r) == sl_qagg_rd_bits(v, q);
}

int sl_qagg_distinct_update(const sl_qaggcall_t *call,
                            uint8_t *base,
                            size_t stride,
                            const uint32_t *gid,
                            sl_qvec_t *const *args,
                            size_t n,
                            sl_qrt_t *rt)
{
    const dshape_t *sh = dshape_of(call->agg);
    sl_qagg_rd_t v, p;
    memset(&p, 0, sizeof p);
    sl_qagg_rd_init(&v, args[0]);
    if (sh->pred) {
        sl_qagg_rd_init(&p, args[sh->pred]);
    }
    size_t last = SIZE_MAX; /* the previous row that was added */
    for (size_t r = 0; r < n; r++) {
        if ((sh->pred && !sl_qagg_rd_true(&p, r)) || sl_qagg_rd_is_null(&v, r)) {
            continue;
        }
        if (last != SIZE_MAX && gid[last] == gid[r] && same_as(&v, r, last)) {
            continue;
        }
        int rc = distinct_add((sl_qagg_set_t **)SL_QAGG_ST(call, base, stride, gid[r]), &v, r, rt);
        if (rc) {
            return rc;
        }
        last = r;
    }
    return 0;
}

int sl_qagg_distinct_merge(const sl_qaggcall_t *call, void *dst, void *src, sl_qrt_t *rt)
{
    (void)call;
    return sl_qagg_set_merge_into(dst, src, rt);
}

int sl_qagg_distinct_finish(const sl_qaggcall_t *call, void *state, sl_qvec_t **outs, sl_qrt_t *rt)
{
    (void)call;
    sl_qagg_set_t *s = *(sl_qagg_set_t **)state;
    sl_qagg_push_i64(outs[0], s ? s->n : 0);
    sl_qrt_charge(rt, -(int64_t)sl_qagg_set_bytes(s));
    return 0;
}

void sl_qagg_distinct_dispose(const sl_qaggcall_t *call, void *state)
{
    (void)call;
    sl_qagg_set_destroy(*(sl_qagg_set_t **)state);
    *(sl_qagg_set_t **)state = NULL;
}
