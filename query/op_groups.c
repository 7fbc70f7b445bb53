/*
 * Hash grouping for summarize and distinct.
 *
 * Groups live in columnar form: one growing vector per key (row g = group
 * g's key), one 64-bit hash per group, and one fixed-size row of aggregate
 * states per group (zeroed; variable-size parts live behind pointers the
 * aggregates own). An open-addressing table (linear probing, at most half
 * full) maps a row's hash to a group index.
 *
 * Per batch: evaluate the keys, hash every row, find or create each row's
 * group (gid[]), then hand every aggregate the whole batch with gid[] —
 * the aggregates loop tightly over their argument vectors.
 *
 * Several threads group their own blocks into their own tables; the
 * partial tables are then merged group by group (merge of states).
 * Nulls group together; keys are compared exactly (strings byte-wise).
 */
#include "query/query_int.h"

#include <math.h>
#include <string.h>

static uint64_t mix2(uint64_t h, uint64_t v)
{
    h ^= v + UINT64_C(0x9e3779b97f4a7c15) + (h << 6) + (h >> 2);
    return h;
}

void sl_qgroups_init(sl_qgroups_t *g, const sl_qplan_t *p)
{
    memset(g, 0, sizeof *g);
    g->p = p;
    if (p->kind == SL_QP_SUMMARIZE) {
        g->nkeys = p->summarize.nkeys;
        g->keyx = p->summarize.keys;
        g->aggs = p->summarize.aggs;
        g->naggs = p->summarize.naggs;
    } else {
        g->nkeys = p->distinct.n;
        g->keyx = p->distinct.exprs;
    }
    g->keys = sl_xcalloc(g->nkeys + 1, sizeof *g->keys);
    for (size_t k = 0; k < g->nkeys; k++)
        g->keys[k] = sl_qvec_new(p->out.types[k], 0);
    size_t stride = 0;
    for (size_t a = 0; a < g->naggs; a++)
        stride += (g->aggs[a].state_size + 7) & ~(size_t)7;
    g->stride = stride;
    g->nslots = 64;
    g->slots = sl_xcalloc(g->nslots, sizeof *g->slots);
}

void sl_qgroups_dispose(sl_qgroups_t *g)
{
    for (size_t grp = 0; grp < g->ngroups; grp++)
        for (size_t a = 0; a < g->naggs; a++)
            if (g->aggs[a].agg->dispose)
                g->aggs[a].agg->dispose(&g->aggs[a],
                                        g->states + grp * g->stride + g->aggs[a].state_off);
    for (size_t k = 0; k < g->nkeys; k++)
        sl_qvec_unref(g->keys[k]);
    sl_free(g->keys);
    sl_free(g->hash);
    sl_free(g->slots);
    sl_free(g->states);
    memset(g, 0, sizeof *g);
}

static bool key_eq(const sl_qvec_t *a, size_t i, const sl_qvec_t *b, size_t j)
{
    sl_type_t t = a->col.type;
    if (sl_type_is_text(t)) {
        size_t an, bn;
        const char *as = sl_qvec_text(a, i, &an), *bs = sl_qvec_text(b, j, &bn);
        return an == bn && (an == 0 || memcmp(as, bs, an) == 0);
    }
    bool na = sl_qvec_is_null(a, i), nb = sl_qvec_is_null(b, j);
    if (na || nb)
        return na && nb;
    if (t == SL_TYPE_BOOL)
        return sl_qvec_bool(a, i) == sl_qvec_bool(b, j);
    if (t == SL_TYPE_REAL) {
        double x = sl_qvec_f64(a, i), y = sl_qvec_f64(b, j);
        return x == y || (isnan(x) && isnan(y));
    }
    return sl_qvec_i64(a, i) == sl_qvec_i64(b, j);
}

static bool group_matches(const sl_qgroups_t *g, size_t grp, sl_qvec_t *const *keys, size_t row)
{
    for (size_t k = 0; k < g->nkeys; k++)
        if (!key_eq(g->keys[k], grp, keys[k], row))
            return false;
    return true;
}

static void rehash(sl_qgroups_t *g)
{
    size_t n = g->nslots * 2;
    uint32_t *s = sl_xcalloc(n, sizeof *s);
    for (size_t grp = 0; grp < g->ngroups; grp++) {
        size_t at = g->hash[grp] & (n - 1);
        while (s[at])
            at = (at + 1) & (n - 1);
        s[at] = (uint32_t)grp + 1;
    }
    sl_free(g->slots);
    g->slots = s;
    g->nslots = n;
}

/* A new group with row `row` of `keys` as its key. */
static int new_group(sl_qgroups_t *g, uint64_t h, sl_qvec_t *const *keys, size_t row,
                     sl_qrt_t *rt, uint32_t *out)
{
    if (g->ngroups >= UINT32_MAX - 1)
        return sl_diag_set(rt->d, SL_ELIMIT, "too many groups");
    if (g->ngroups == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 64;
        g->hash = sl_xrealloc(g->hash, cap * sizeof *g->hash);
        if (g->stride) {
            g->states = sl_xrealloc(g->states, cap * g->stride);
            memset(g->states + g->cap * g->stride, 0, (cap - g->cap) * g->stride);
        }
        int rc = sl_qrt_charge(rt, (int64_t)((cap - g->cap) * (g->stride + 16)));
        g->cap = cap;
        if (rc)
            return rc;
    }
    size_t grp = g->ngroups++;
    g->hash[grp] = h;
    for (size_t k = 0; k < g->nkeys; k++)
        sl_qvec_push_from(g->keys[k], keys[k], row);
    if ((g->ngroups + 1) * 2 > g->nslots)
        rehash(g);
    else {
        size_t at = h & (g->nslots - 1);
        while (g->slots[at])
            at = (at + 1) & (g->nslots - 1);
        g->slots[at] = (uint32_t)grp + 1;
    }
    *out = (uint32_t)grp;
    return 0;
}

static int find_or_add(sl_qgroups_t *g, uint64_t h, sl_qvec_t *const *keys, size_t row,
                       sl_qrt_t *rt, uint32_t *out)
{
    size_t at = h & (g->nslots - 1);
    for (;;) {
        uint32_t s = g->slots[at];
        if (!s)
            return new_group(g, h, keys, row, rt, out);
        if (g->hash[s - 1] == h && group_matches(g, s - 1, keys, row)) {
            *out = s - 1;
            return 0;
        }
        at = (at + 1) & (g->nslots - 1);
    }
}

int sl_qgroups_add(sl_qgroups_t *g, const sl_qbatch_t *b, sl_qrt_t *rt)
{
    size_t n = b->n;
    if (g->nkeys == 0 && g->ngroups == 0) {
        uint32_t z;
        int rc = new_group(g, 0, NULL, 0, rt, &z);
        if (rc)
            return rc;
    }
    if (n == 0)
        return 0;
    sl_qvec_t **keys = sl_xcalloc(g->nkeys + 1, sizeof *keys);
    uint64_t *h = sl_xcalloc(n, sizeof *h);
    uint32_t *gid = sl_xcalloc(n, sizeof *gid);
    int rc = 0;
    for (size_t k = 0; k < g->nkeys && !rc; k++) {
        rc = sl_qexpr_eval(g->keyx[k], b, rt, &keys[k]);
        if (rc)
            break;
        for (size_t i = 0; i < n; i++)
            h[i] = mix2(h[i], sl_qvec_hash(keys[k], i));
    }
    for (size_t i = 0; i < n && !rc && g->nkeys; i++)
        rc = find_or_add(g, h[i], keys, i, rt, &gid[i]);
    for (size_t a = 0; a < g->naggs && !rc; a++) {
        const sl_qaggcall_t *c = &g->aggs[a];
        sl_qvec_t **args = sl_xcalloc(c->nargs + 1, sizeof *args);
        for (size_t k = 0; k < c->nargs && !rc; k++)
            rc = sl_qexpr_eval(c->args[k], b, rt, &args[k]);
        if (!rc)
            rc = c->agg->update(c, g->states, g->stride, gid, args, n, rt);
        for (size_t k = 0; k < c->nargs; k++)
            sl_qvec_unref(args[k]);
        sl_free(args);
    }
    for (size_t k = 0; k < g->nkeys; k++)
        sl_qvec_unref(keys[k]);
    sl_free(keys);
    sl_free(h);
    sl_free(gid);
    return rc;
}

int sl_qgroups_merge(sl_qgroups_t *dst, sl_qgroups_t *src, sl_qrt_t *rt)
{
    int rc = 0;
    for (size_t grp = 0; grp < src->ngroups && !rc; grp++) {
        uint32_t d;
        if (dst->nkeys == 0) {
            if (!dst->ngroups)
                rc = new_group(dst, 0, NULL, 0, rt, &d);
            d = 0;
        } else {
            rc = find_or_add(dst, src->hash[grp], src->keys, grp, rt, &d);
        }
        for (size_t a = 0; a < dst->naggs && !rc; a++) {
            const sl_qaggcall_t *c = &dst->aggs[a];
            rc = c->agg->merge(c, dst->states + d * dst->stride + c->state_off,
                               src->states + grp * src->stride + c->state_off, rt);
        }
    }
    return rc;
}

int sl_qgroups_finish(sl_qgroups_t *g, sl_qbatch_t *out, sl_qrt_t *rt)
{
    const sl_qplan_t *p = g->p;
    sl_qbatch_init(out, p->out.n);
    if (g->nkeys == 0 && g->ngroups == 0) {
        uint32_t z;
        int rc = new_group(g, 0, NULL, 0, rt, &z);
        if (rc)
            return rc;
    }
    out->n = g->ngroups;
    for (size_t k = 0; k < g->nkeys; k++)
        out->cols[k] = sl_qvec_ref(g->keys[k]);
    size_t col = g->nkeys;
    int rc = 0;
    for (size_t a = 0; a < g->naggs && !rc; a++) {
        const sl_qaggcall_t *c = &g->aggs[a];
        for (size_t k = 0; k < c->nout; k++)
            out->cols[col + k] = sl_qvec_new(c->out_types[k], 0);
        for (size_t grp = 0; grp < g->ngroups && !rc; grp++)
            rc = c->agg->finish(c, g->states + grp * g->stride + c->state_off, &out->cols[col],
                                rt);
        col += c->nout;
    }
    return rc;
}

void sl_qgroups_layout(sl_qplan_t *p)
{
    size_t off = 0;
    for (size_t a = 0; a < p->summarize.naggs; a++) {
        p->summarize.aggs[a].state_off = off;
        off += (p->summarize.aggs[a].state_size + 7) & ~(size_t)7;
    }
}
