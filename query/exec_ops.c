/*
 * The row operators applied to one batch at a time, in scans and above
 * them: where and project (which also implements extend and the project-*
 * family, all bound to one list of expressions).
 *
 * A where over `a and b and c` filters by a, then evaluates b only on the
 * surviving rows, and so on: a selective first condition makes the rest
 * nearly free, which is also why the binder keeps conjuncts in the order
 * written.
 */
#include "query/query_int.h"

#include <string.h>

static int filter_by(const sl_qexpr_t *e, sl_qbatch_t *b, sl_qrt_t *rt)
{
    if (e->kind == SL_QX_CALL && !strcmp(e->call.fn->name, "and")) {
        int rc = filter_by(e->call.args[0], b, rt);
        if (!rc && b->n)
            rc = filter_by(e->call.args[1], b, rt);
        return rc;
    }
    sl_qvec_t *v;
    int rc = sl_qexpr_eval(e, b, rt, &v);
    if (rc)
        return rc;
    if (v->konst) {
        if (!sl_qvec_true(v, 0))
            sl_qbatch_truncate(b, 0);
        sl_qvec_unref(v);
        return 0;
    }
    uint8_t *keep = sl_qvec_boolw(v);
    if (v->col.nulls.len)
        for (size_t i = 0; i < b->n; i++)
            if (sl_col_is_null(&v->col, i))
                keep[i] = 0;
    sl_qbatch_filter(b, keep);
    sl_qvec_unref(v);
    return 0;
}

int sl_qop_filter(const sl_qplan_t *p, sl_qbatch_t *b, sl_qrt_t *rt)
{
    return filter_by(p->filter.pred, b, rt);
}

int sl_qop_project(const sl_qplan_t *p, sl_qbatch_t *b, sl_qrt_t *rt)
{
    sl_qbatch_t out;
    sl_qbatch_init(&out, p->out.n);
    out.n = b->n;
    int rc = 0;
    for (size_t c = 0; c < p->out.n && !rc; c++)
        if (p->need[c])
            rc = sl_qexpr_eval(p->project.exprs[c], b, rt, &out.cols[c]);
    if (rc) {
        sl_qbatch_dispose(&out);
        return rc;
    }
    sl_qbatch_dispose(b);
    *b = out;
    return 0;
}
