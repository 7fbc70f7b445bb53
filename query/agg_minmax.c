/*
 * min, max, minif, maxif.
 *
 * The result keeps the argument's type (int, long, real, datetime,
 * timespan, bool, string, guid); dynamic values have no order and are a
 * bind error. Nulls are skipped; a group without values gives null (the
 * summarize page: "All others: null"). Strings are never null, so "" is
 * a value and the smallest string. The order is sl_qvec_cmp's: numbers by
 * value, strings by bytes, and NaN above every number (so max of a column
 * holding NaN is NaN, as a sort would show it).
 *
 * Names: min_x, max_x, minif_x, maxif_x ("<function>_" + the first
 * argument's inferred name).
 *
 * Fixed-width types run a tight loop per type class over a 16-byte state
 * (value, has-value flag). String and guid values use the row-selection
 * engine of agg_arg.c with no returned columns: it compares in place and
 * copies at most one string per group per batch.
 */
#include "query/agg_int.h"

#define SL_QAGG_INLINE static inline __attribute__((always_inline))

typedef struct mm {
    union {
        int64_t i;
        double f;
    };
    uint32_t has;
    uint32_t pad;
} mm_t;

typedef struct mmshape {
    bool max, pred;
    const char *prefix;
} mmshape_t;

static const mmshape_t *mmshape_of(const sl_qagg_t *agg)
{
    static const mmshape_t min = { false, false, "min_" }, max = { true, false, "max_" },
                           minif = { false, true, "minif_" }, maxif = { true, true, "maxif_" };
    const char *n = agg->name;
    bool ifv = n[3] == 'i';
    return n[1] == 'a' ? (ifv ? &maxif : &max) : (ifv ? &minif : &min);
}

int sl_qagg_minmax_bind(sl_qbind_t *b, sl_qaggcall_t *call, sl_diag_t *d)
{
    const mmshape_t *sh = mmshape_of(call->agg);
    sl_type_t t = call->args[0]->type;
    if (t == SL_TYPE_DYNAMIC) {
        return sl_qagg_arg_error(d, call, 0, "a value that can be ordered (not dynamic)");
    }
    if (sh->pred) {
        int rc = sl_qagg_check_pred(call, 1, d);
        if (rc) {
            return rc;
        }
    }
    sl_qagg_outs(b, call, 1);
    call->out_types[0] = t;
    call->out_names[0] = sl_qagg_name(b, sh->prefix, call->argname);
    if (sl_type_is_text(t)) {
        sl_qagg_sel_t *sel = sl_pool_calloc(sl_qbind_pool(b), sizeof *sel);
        sel->mode = sh->max ? SL_QAGG_SEL_MAX : SL_QAGG_SEL_MIN;
        sel->pred = sh->pred ? 1 : 0;
        sel->nret = 0;
        sel->argidx = sl_pool_calloc(sl_qbind_pool(b), sizeof *sel->argidx);
        call->bstate = sel;
        call->state_size = sl_qagg_sel_state_size(0);
    } else {
        call->bstate = NULL;
        call->state_size = sizeof(mm_t);
    }
    return 0;
}

enum { CLS_I64, CLS_BOOL, CLS_F64 };

/* x beats the current value v (non-NaN-aware compare plus NaN's place
 * above every number). */
SL_QAGG_INLINE bool beats_f64(double x, double v, const bool max)
{
    if (max) {
        return x > v || (x != x && v == v);
    }
    return x < v || (v != v && x == x);
}

SL_QAGG_INLINE void run(const sl_qaggcall_t *call,
                        uint8_t *base,
                        size_t stride,
                        const uint32_t *gid,
                        const sl_qagg_rd_t *v,
                        const sl_qagg_rd_t *p,
                        size_t n,
                        const int cls,
                        const bool max,
                        const bool pred,
                        const bool nulls)
{
    for (size_t r = 0; r < n; r++) {
        if (pred && !sl_qagg_rd_true(p, r)) {
            continue;
        }
        if (nulls && sl_qagg_rd_null(v, r)) {
            continue;
        }
        mm_t *st = (mm_t *)SL_QAGG_ST(call, base, stride, gid[r]);
        if (cls == CLS_F64) {
            double x = sl_qagg_rd_f64(v, r);
            if (!st->has || beats_f64(x, st->f, max)) {
                st->f = x;
                st->has = 1;
            }
        } else {
            int64_t x = cls == CLS_BOOL ? sl_qagg_rd_bool(v, r) : sl_qagg_rd_i64(v, r);
            if (!st->has || (max ? x > st->i : x < st->i)) {
                st->i = x;
                st->has = 1;
            }
        }
    }
}

#define RUN(cls, max)                                                                              \
    do {                                                                                           \
        if (pred) {                                                                                \
            if (nulls) {                                                                           \
                run(call, base, stride, gid, &v, &p, n, cls, max, true, true);                     \
            } else {                                                                               \
                run(call, base, stride, gid, &v, &p, n, cls, max, true, false);                    \
            }                                                                                      \
        } else if (nulls) {                                                                        \
            run(call, base, stride, gid, &v, &p, n, cls, max, false, true);                        \
        } else {                                                                                   \
            run(call, base, stride, gid, &v, &p, n, cls, max, false, false);                       \
        }                                                                                          \
    } while (0)

int sl_qagg_minmax_update(const sl_qaggcall_t *call,
                          uint8_t *base,
                          size_t stride,
                          const uint32_t *gid,
                          sl_qvec_t *const *args,
                          size_t n,
                          sl_qrt_t *rt)
{
    if (call->bstate) {
        return sl_qagg_sel_update(call, base, stride, gid, args, n, rt);
    }
    const mmshape_t *sh = mmshape_of(call->agg);
    sl_qagg_rd_t v, p;
    sl_qagg_rd_init(&v, args[0]);
    bool pred = sh->pred, nulls = v.nulls != NULL;
    if (pred) {
        sl_qagg_rd_init(&p, args[1]);
    } else {
        memset(&p, 0, sizeof p);
    }
    int cls = v.type == SL_TYPE_REAL ? CLS_F64 : v.type == SL_TYPE_BOOL ? CLS_BOOL : CLS_I64;
    if (sh->max) {
        if (cls == CLS_F64) {
            RUN(CLS_F64, true);
        } else if (cls == CLS_BOOL) {
            RUN(CLS_BOOL, true);
        } else {
            RUN(CLS_I64, true);
        }
    } else if (cls == CLS_F64) {
        RUN(CLS_F64, false);
    } else if (cls == CLS_BOOL) {
        RUN(CLS_BOOL, false);
    } else {
        RUN(CLS_I64, false);
    }
    return 0;
}

int sl_qagg_minmax_merge(const sl_qaggcall_t *call, void *dst, void *src, sl_qrt_t *rt)
{
    if (call->bstate) {
        return sl_qagg_sel_merge(call, dst, src, rt);
    }
    bool max = mmshape_of(call->agg)->max;
    mm_t *a = dst, *b = src;
    if (!b->has) {
        return 0;
    }
    bool take = !a->has;
    if (!take && call->args[0]->type == SL_TYPE_REAL) {
        take = beats_f64(b->f, a->f, max);
    } else if (!take) {
        take = max ? b->i > a->i : b->i < a->i;
    }
    if (take) {
        *a = *b;
    }
    return 0;
}

int sl_qagg_minmax_finish(const sl_qaggcall_t *call, void *state, sl_qvec_t **outs, sl_qrt_t *rt)
{
    if (call->bstate) {
        return sl_qagg_sel_finish(call, state, outs, rt);
    }
    const mm_t *st = state;
    if (!st->has) {
        sl_qagg_push_null(outs[0]);
    } else if (call->args[0]->type == SL_TYPE_REAL) {
        sl_qagg_push_f64(outs[0], st->f);
    } else if (call->args[0]->type == SL_TYPE_BOOL) {
        sl_qagg_push_bool(outs[0], st->i != 0);
    } else {
        sl_qagg_push_i64(outs[0], st->i);
    }
    return 0;
}

void sl_qagg_minmax_dispose(const sl_qaggcall_t *call, void *state)
{
    if (call->bstate) {
        sl_qagg_sel_dispose(call, state);
    }
}
