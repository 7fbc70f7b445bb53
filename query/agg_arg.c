/*
 * Row selection: arg_max, arg_min, take_any, take_anyif, any, and min/max
 * (and minif/maxif) of string and guid values. Each keeps one row of its
 * group and returns values computed over that row.
 *
 * Semantics (KQL docs):
 *   arg_max(key, e1, e2, ...) returns the row maximising `key`: columns
 *   key, e1, e2 ... A `*` argument arrives expanded into every input
 *   column; the key's own column is dropped from the returned ones so it
 *   appears once (`arg_max(StartTime, *)` → StartTime, EndTime, ...).
 *   Rows whose key is null lose to any row with a key; a group whose keys
 *   are all null still returns a row, with a null key (the docs' Banana
 *   example: `| Banana | | Yellow |`). Ties keep the row seen first.
 *   arg_min likewise with the smallest key.
 *   take_any(e1, ...) returns one row's values; with a single argument it
 *   prefers a row where that value is not null or empty, as the docs
 *   promise. We keep the first such row seen, so a single-threaded run is
 *   deterministic. take_anyif(e, p) considers rows where p holds.
 *   any(...) is take_any's deprecated alias.
 *
 * Names: arg_max/arg_min: the key column is named after the key (its
 * inferred name) and returned columns keep their own names; take_any(x)
 * → x; any(x) → any_x (the docs: the deprecated version adds an `any_`
 * prefix). Columns this file cannot name itself (a returned column; the
 * key when it is not a simple column; any's second and later arguments)
 * are left NULL for the binder to name as a `project` would (agg_int.h).
 *
 * Loops: capturing a row copies every returned value (strings included),
 * so an update does not capture as it goes. Pass 1 only compares keys and
 * notes, per group, the best row of this batch (`pend`), listing each
 * group the first time it gets one; pass 2 captures that one row per
 * listed group. An ascending arg_max(TimeGenerated, *) therefore copies
 * one row per group per batch, not one per input row.
 *
 * Merging two partials keeps the better captured row by the same rules
 * (the destination's on ties), moving it by swapping the two states so
 * that the caller's dispose of the source frees the loser.
 */
#include "query/agg_int.h"

#include <math.h>

#define SL_QAGG_INLINE static inline __attribute__((always_inline))

typedef struct selst {
    uint32_t have; /* a row is captured */
    uint32_t pend; /* 1 + the batch row to capture after pass 1; 0 if none */
    sl_qagg_slot_t key;
    sl_qagg_slot_t ret[]; /* sel->nret */
} selst_t;

size_t sl_qagg_sel_state_size(size_t nret)
{
    return sizeof(selst_t) + nret * sizeof(sl_qagg_slot_t);
}

static bool keyed(const sl_qagg_sel_t *sel)
{
    return sel->mode == SL_QAGG_SEL_MAX || sel->mode == SL_QAGG_SEL_MIN;
}

/* The type of returned slot j. */
static sl_type_t ret_type(const sl_qaggcall_t *call, const sl_qagg_sel_t *sel, size_t j)
{
    return call->args[sel->argidx[j + keyed(sel)]]->type;
}

/* ---- Binding ------------------------------------------------------------ */

static sl_qagg_sel_t *sel_new(sl_qbind_t *b, sl_qaggcall_t *call, int mode, size_t nout)
{
    sl_qagg_sel_t *sel = sl_pool_calloc(sl_qbind_pool(b), sizeof *sel);
    sel->mode = mode;
    sel->argidx = sl_pool_calloc(sl_qbind_pool(b), (nout ? nout : 1) * sizeof *sel->argidx);
    sl_qagg_outs(b, call, nout);
    call->bstate = sel;
    return sel;
}

int sl_qagg_argmax_bind(sl_qbind_t *b, sl_qaggcall_t *call, sl_diag_t *d)
{
    const sl_qexpr_t *key = call->args[0];
    if (key->type == SL_TYPE_DYNAMIC) {
        return sl_qagg_arg_error(d, call, 0, "a value that can be ordered (not dynamic)");
    }
    bool max = strcmp(call->agg->name, "arg_max") == 0;
    sl_qagg_sel_t *sel = sel_new(b, call, max ? SL_QAGG_SEL_MAX : SL_QAGG_SEL_MIN, call->nargs);
    size_t k = 1;
    call->out_types[0] = key->type;
    call->out_names[0] = call->argname && call->argname[0] ? call->argname : NULL;
    for (size_t i = 1; i < call->nargs; i++) {
        const sl_qexpr_t *e = call->args[i];
        if (key->kind == SL_QX_COL && e->kind == SL_QX_COL && e->col == key->col) {
            continue; /* the key's column, from a `*` */
        }
        sel->argidx[k] = i;
        call->out_types[k] = e->type;
        call->out_names[k] = NULL;
        k++;
    }
    call->nout = k;
    sel->nret = k - 1;
    call->state_size = sl_qagg_sel_state_size(sel->nret);
    return 0;
}

int sl_qagg_takeany_bind(sl_qbind_t *b, sl_qaggcall_t *call, sl_diag_t *d)
{
    bool anyif = strcmp(call->agg->name, "take_anyif") == 0;
    bool legacy = strcmp(call->agg->name, "any") == 0;
    size_t nret = call->nargs - anyif;
    if (anyif) {
        int rc = sl_qagg_check_pred(call, 1, d);
        if (rc) {
            return rc;
        }
    }
    sl_qagg_sel_t *sel = sel_new(b, call, nret == 1 ? SL_QAGG_SEL_ANY1 : SL_QAGG_SEL_ANY, nret);
    sel->pred = anyif ? 1 : 0;
    sel->nret = nret;
    for (size_t j = 0; j < nret; j++) {
        sel->argidx[j] = j;
        call->out_types[j] = call->args[j]->type;
        call->out_names[j] = NULL;
    }
    bool named = call->argname && call->argname[0];
    if (legacy) {
        /* any(x) → any_x; any(x * 2) → any_ (the "<function>_" rule). */
        call->out_names[0] = sl_qagg_name(b, "any_", call->argname);
    } else if (named) {
        call->out_names[0] = call->argname;
    }
    call->state_size = sl_qagg_sel_state_size(nret);
    return 0;
}

/* ---- Pass 1: choosing each group's row ---------------------------------- */

enum { CLS_I64, CLS_BOOL, CLS_F64, CLS_TEXT };

static int key_class(sl_type_t t)
{
    if (sl_type_is_text(t)) {
        return CLS_TEXT;
    }
    return t == SL_TYPE_REAL ? CLS_F64 : t == SL_TYPE_BOOL ? CLS_BOOL : CLS_I64;
}

static int cmp_f64(double a, double b)
{
    bool an = isnan(a), bn = isnan(b);
    if (an || bn) {
        return an - bn;
    }
    return (a > b) - (a < b);
}

/* Rows a and b of k, both non-null, in sl_qvec_cmp's order. */
SL_QAGG_INLINE int rows_cmp(const sl_qagg_rd_t *k, size_t a, size_t b, const int cls)
{
    if (cls == CLS_TEXT) {
        size_t an, bn;
        const char *as = sl_qagg_rd_text(k, a, &an), *bs = sl_qagg_rd_text(k, b, &bn);
        int c = memcmp(as, bs, an < bn ? an : bn);
        return c ? (c > 0) - (c < 0) : (an > bn) - (an < bn);
    }
    if (cls == CLS_F64) {
        return cmp_f64(sl_qagg_rd_f64(k, a), sl_qagg_rd_f64(k, b));
    }
    if (cls == CLS_BOOL) {
        return (int)sl_qagg_rd_bool(k, a) - (int)sl_qagg_rd_bool(k, b);
    }
    int64_t x = sl_qagg_rd_i64(k, a), y = sl_qagg_rd_i64(k, b);
    return (x > y) - (x < y);
}

/* Marks row r as the group's pending row, listing the group if new. */
SL_QAGG_INLINE void pend(selst_t *st, size_t r, uint32_t g, sl_buf_t *list)
{
    if (!st->pend) {
        sl_buf_append(list, &g, sizeof g);
    }
    st->pend = (uint32_t)r + 1;
}

SL_QAGG_INLINE void pass_keyed(const sl_qaggcall_t *call,
                               uint8_t *base,
                               size_t stride,
                               const uint32_t *gid,
                               const sl_qagg_rd_t *k,
                               const sl_qagg_rd_t *p,
                               size_t n,
                               sl_buf_t *list,
                               const int cls,
                               const bool max,
                               const bool pred)
{
    for (size_t r = 0; r < n; r++) {
        if (pred && !sl_qagg_rd_true(p, r)) {
            continue;
        }
        selst_t *st = (selst_t *)SL_QAGG_ST(call, base, stride, gid[r]);
        if (sl_qagg_rd_is_null(k, r)) {
            if (!st->have && !st->pend) {
                pend(st, r, gid[r], list); /* a null key only if nothing else */
            }
            continue;
        }
        bool take;
        if (st->pend) {
            size_t q = st->pend - 1;
            int c = sl_qagg_rd_is_null(k, q) ? 0 : rows_cmp(k, r, q, cls);
            take = sl_qagg_rd_is_null(k, q) || (max ? c > 0 : c < 0);
        } else if (st->have && !sl_qagg_slot_is_null(&st->key, k->type)) {
            int c = sl_qagg_slot_cmp_row(&st->key, k, r); /* captured vs row */
            take = max ? c < 0 : c > 0;
        } else {
            take = true; /* nothing yet, or only a null key */
        }
        if (take) {
            pend(st, r, gid[r], list);
        }
    }
}

/* take_any: the first row; with one argument, the first row whose value is
 * not null or empty, if any. */
SL_QAGG_INLINE void pass_any(const sl_qaggcall_t *call,
                             uint8_t *base,
                             size_t stride,
                             const uint32_t *gid,
                             const sl_qagg_rd_t *v,
                             const sl_qagg_rd_t *p,
                             size_t n,
                             sl_buf_t *list,
                             const bool one,
                             const bool pred)
{
    for (size_t r = 0; r < n; r++) {
        if (pred && !sl_qagg_rd_true(p, r)) {
            continue;
        }
        selst_t *st = (selst_t *)SL_QAGG_ST(call, base, stride, gid[r]);
        if (!st->have && !st->pend) {
            pend(st, r, gid[r], list);
            continue;
        }
        if (!one || sl_qagg_rd_is_null(v, r)) {
            continue;
        }
        if (sl_type_is_text(v->type)) {
            size_t len;
            sl_qagg_rd_text(v, r, &len);
            if (!len) {
                continue;
            }
            /* The current choice is empty: the pending row, or the
             * captured value when nothing is pending. */
            size_t cur;
            if (st->pend ? (sl_qagg_rd_text(v, st->pend - 1, &cur), cur == 0)
                         : st->ret[0].len == 0) {
                pend(st, r, gid[r], list);
            }
        } else if (st->pend ? sl_qagg_rd_null(v, st->pend - 1) : st->ret[0].len != 0) {
            pend(st, r, gid[r], list);
        }
    }
}

/* ---- Update ------------------------------------------------------------- */

int sl_qagg_sel_update(const sl_qaggcall_t *call,
                       uint8_t *base,
                       size_t stride,
                       const uint32_t *gid,
                       sl_qvec_t *const *args,
                       size_t n,
                       sl_qrt_t *rt)
{
    const sl_qagg_sel_t *sel = call->bstate;
    sl_qagg_rd_t k, p, local[8], *rets = local;
    sl_buf_t *list = &rt->scratch;
    int rc = 0;
    sl_qagg_rd_init(&k, args[0]);
    if (sel->pred) {
        sl_qagg_rd_init(&p, args[sel->pred]);
    } else {
        memset(&p, 0, sizeof p);
    }
    sl_buf_reset(list);

    bool pr = sel->pred != 0;
    switch (sel->mode) {
    case SL_QAGG_SEL_ANY:
    case SL_QAGG_SEL_ANY1: {
        bool one = sel->mode == SL_QAGG_SEL_ANY1;
        if (one) {
            if (pr) {
                pass_any(call, base, stride, gid, &k, &p, n, list, true, true);
            } else {
                pass_any(call, base, stride, gid, &k, &p, n, list, true, false);
            }
        } else if (pr) {
            pass_any(call, base, stride, gid, &k, &p, n, list, false, true);
        } else {
            pass_any(call, base, stride, gid, &k, &p, n, list, false, false);
        }
        break;
    }
    default: {
        bool max = sel->mode == SL_QAGG_SEL_MAX;
#define KEYED(cls)                                                                                 \
    do {                                                                                           \
        if (max) {                                                                                 \
            if (pr) {                                                                              \
                pass_keyed(call, base, stride, gid, &k, &p, n, list, cls, true, true);             \
            } else {                                                                               \
                pass_keyed(call, base, stride, gid, &k, &p, n, list, cls, true, false);            \
            }                                                                                      \
        } else if (pr) {                                                                           \
            pass_keyed(call, base, stride, gid, &k, &p, n, list, cls, false, true);                \
        } else {                                                                                   \
            pass_keyed(call, base, stride, gid, &k, &p, n, list, cls, false, false);               \
        }                                                                                          \
    } while (0)
        switch (key_class(k.type)) {
        case CLS_TEXT:
            KEYED(CLS_TEXT);
            break;
        case CLS_F64:
            KEYED(CLS_F64);
            break;
        case CLS_BOOL:
            KEYED(CLS_BOOL);
            break;
        default:
            KEYED(CLS_I64);
            break;
        }
#undef KEYED
        break;
    }
    }

    /* Pass 2: capture each listed group's row. */
    if (sel->nret > SL_ARRAY_SIZE(local)) {
        rets = sl_xmalloc(sel->nret * sizeof *rets);
    }
    for (size_t j = 0; j < sel->nret; j++) {
        sl_qagg_rd_init(&rets[j], args[sel->argidx[j + keyed(sel)]]);
    }
    const uint32_t *groups = (const uint32_t *)list->data;
    size_t ng = list->len / sizeof *groups;
    for (size_t i = 0; i < ng; i++) {
        selst_t *st = (selst_t *)SL_QAGG_ST(call, base, stride, groups[i]);
        size_t r = st->pend - 1;
        st->pend = 0;
        st->have = 1;
        if (rc) {
            continue; /* after a failure, still clear every pend mark */
        }
        if (keyed(sel)) {
            rc = sl_qagg_slot_set(&st->key, &k, r, rt);
        }
        for (size_t j = 0; j < sel->nret && !rc; j++) {
            rc = sl_qagg_slot_set(&st->ret[j], &rets[j], r, rt);
        }
    }
    if (rets != local) {
        sl_free(rets);
    }
    sl_buf_reset(list);
    return rc;
}

/* ---- Merge, finish, dispose --------------------------------------------- */

static size_t sel_bytes(const sl_qaggcall_t *call, const selst_t *st)
{
    const sl_qagg_sel_t *sel = call->bstate;
    size_t bytes = 0;
    if (keyed(sel)) {
        bytes += sl_qagg_slot_bytes(&st->key, call->args[0]->type);
    }
    for (size_t j = 0; j < sel->nret; j++) {
        bytes += sl_qagg_slot_bytes(&st->ret[j], ret_type(call, sel, j));
    }
    return bytes;
}

/* True if the captured row of b should replace that of a. */
static bool better(const sl_qaggcall_t *call, const selst_t *a, const selst_t *b)
{
    const sl_qagg_sel_t *sel = call->bstate;
    if (!b->have) {
        return false;
    }
    if (!a->have) {
        return true;
    }
    switch (sel->mode) {
    case SL_QAGG_SEL_ANY:
        return false;
    case SL_QAGG_SEL_ANY1: {
        sl_type_t t = ret_type(call, sel, 0);
        bool a_empty =
          sl_qagg_slot_is_null(&a->ret[0], t) || (sl_type_is_text(t) && !a->ret[0].len);
        bool b_empty =
          sl_qagg_slot_is_null(&b->ret[0], t) || (sl_type_is_text(t) && !b->ret[0].len);
        return a_empty && !b_empty;
    }
    default: {
        sl_type_t t = call->args[0]->type;
        if (sl_qagg_slot_is_null(&b->key, t)) {
            return false;
        }
        if (sl_qagg_slot_is_null(&a->key, t)) {
            return true;
        }
        int c = sl_qagg_slot_cmp(&b->key, &a->key, t);
        return sel->mode == SL_QAGG_SEL_MAX ? c > 0 : c < 0;
    }
    }
}

int sl_qagg_sel_merge(const sl_qaggcall_t *call, void *dst, void *src, sl_qrt_t *rt)
{
    if (better(call, dst, src)) {
        /* Swap, so that disposing src frees the losing row. */
        uint8_t tmp[256], *t = tmp;
        if (call->state_size > sizeof tmp) {
            t = sl_xmalloc(call->state_size);
        }
        memcpy(t, dst, call->state_size);
        memcpy(dst, src, call->state_size);
        memcpy(src, t, call->state_size);
        if (t != tmp) {
            sl_free(t);
        }
    }
    sl_qrt_charge(rt, -(int64_t)sel_bytes(call, src));
    return 0;
}

int sl_qagg_sel_finish(const sl_qaggcall_t *call, void *state, sl_qvec_t **outs, sl_qrt_t *rt)
{
    const sl_qagg_sel_t *sel = call->bstate;
    selst_t *st = state;
    size_t o = 0;
    if (keyed(sel)) {
        if (st->have) {
            sl_qagg_slot_out(&st->key, call->args[0]->type, outs[o]);
        } else {
            sl_qagg_push_null(outs[o]);
        }
        o++;
    }
    for (size_t j = 0; j < sel->nret; j++, o++) {
        if (st->have) {
            sl_qagg_slot_out(&st->ret[j], ret_type(call, sel, j), outs[o]);
        } else {
            sl_qagg_push_null(outs[o]);
        }
    }
    sl_qrt_charge(rt, -(int64_t)sel_bytes(call, st));
    return 0;
}

void sl_qagg_sel_dispose(const sl_qaggcall_t *call, void *state)
{
    const sl_qagg_sel_t *sel = call->bstate;
    selst_t *st = state;
    if (keyed(sel)) {
        sl_qagg_slot_free(&st->key, call->args[0]->type);
    }
    for (size_t j = 0; j < sel->nret; j++) {
        sl_qagg_slot_free(&st->ret[j], ret_type(call, sel, j));
    }
}
