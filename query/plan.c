/*
 * The planner: rewrites a bound plan so that the scan does as little as
 * possible.
 *
 * 1. Time range. Conjuncts of the form `TimeGenerated <op> constant`
 *    (>, >=, <, <=, ==, between) in the filters directly above a scan
 *    narrow the scan's [t0, t1]; the API's timespan narrows every scan.
 *    The storage index then skips blocks outside the range without
 *    decrypting them, and the scan drops rows outside it.
 * 1b. Terms. Conjuncts `Column has "..."`, `has_cs`, `has_all` and string
 *    `==` with a constant require the constant's long terms to be terms of
 *    the column; the scan hands them to storage, which skips blocks whose
 *    term filters prove one absent (store.h "Term filters").
 * 2. Columns. Walking down from the result, each node marks the input
 *    columns it reads; a scan loads (decrypts, decompresses) only those.
 *    `T | count` reads no column at all.
 * (3. Limits — take and top stop scans early — are applied by the
 *    executor's sinks, exec_frag.c.)
 */
#include "query/query_int.h"

#include <string.h>

/* ---- Time range --------------------------------------------------------- */

static void narrow(sl_qplan_t *scan, sl_ticks_t lo, sl_ticks_t hi)
{
    if (lo > scan->scan.t0)
        scan->scan.t0 = lo;
    if (hi < scan->scan.t1)
        scan->scan.t1 = hi;
}

static bool is_name(const sl_qcall_t *c, const char *n)
{
    return !strcmp(c->fn->name, n);
}

/* One conjunct: `TimeGenerated op const` or `const op TimeGenerated`. */
static void conjunct(sl_qplan_t *scan, int tcol, const sl_qexpr_t *e)
{
    if (e->kind != SL_QX_CALL)
        return;
    const sl_qcall_t *c = &e->call;
    if (is_name(c, "and")) {
        conjunct(scan, tcol, c->args[0]);
        conjunct(scan, tcol, c->args[1]);
        return;
    }
    if (is_name(c, "between") && c->nargs == 3) {
        int64_t lo, hi;
        const sl_qexpr_t *x = c->args[0];
        if (x->kind == SL_QX_COL && (int)x->col == tcol && c->args[1]->type == SL_TYPE_DATETIME &&
            c->args[2]->type == SL_TYPE_DATETIME && sl_qexpr_const_i64(c->args[1], &lo) &&
            sl_qexpr_const_i64(c->args[2], &hi))
            narrow(scan, lo, hi);
        return;
    }
    if (c->nargs != 2)
        return;
    const char *op = c->fn->name;
    const sl_qexpr_t *l = c->args[0], *r = c->args[1];
    bool flip = false;
    if (r->kind == SL_QX_COL && (int)r->col == tcol) {
        const sl_qexpr_t *t = l;
        l = r;
        r = t;
        flip = true;
    }
    int64_t v;
    if (l->kind != SL_QX_COL || (int)l->col != tcol || r->type != SL_TYPE_DATETIME ||
        !sl_qexpr_const_i64(r, &v))
        return;
    /* With the column on the left: col > v, col >= v, ... */
    if (!strcmp(op, "=="))
        narrow(scan, v, v);
    else if (!strcmp(op, flip ? "<" : ">"))
        narrow(scan, v == INT64_MAX ? v : v + 1, INT64_MAX);
    else if (!strcmp(op, flip ? "<=" : ">="))
        narrow(scan, v, INT64_MAX);
    else if (!strcmp(op, flip ? ">" : "<"))
        narrow(scan, INT64_MIN, v == INT64_MIN ? v : v - 1);
    else if (!strcmp(op, flip ? ">=" : "<="))
        narrow(scan, INT64_MIN, v);
}

/* ---- Terms --------------------------------------------------------------- */

static void add_probe(sl_pool_t *pool, sl_qplan_t *scan, int col, const char *s, size_t n)
{
    uint64_t tmp[64];
    size_t k = sl_store_terms(s, n, tmp, 64, NULL);
    if (!k || k > 64)
        return;
    sl_snap_probe_t *v = sl_pool_alloc(pool, (scan->scan.nprobes + 1) * sizeof *v);
    if (scan->scan.nprobes)
        memcpy(v, scan->scan.probes, scan->scan.nprobes * sizeof *v);
    uint64_t *h = sl_pool_alloc(pool, k * sizeof *h);
    memcpy(h, tmp, k * sizeof *h);
    v[scan->scan.nprobes] = (sl_snap_probe_t){ scan->out.names[col], h, k };
    scan->scan.probes = v;
    scan->scan.nprobes++;
}

static void term_conjunct(sl_pool_t *pool, sl_qplan_t *scan, const sl_qexpr_t *e)
{
    if (e->kind != SL_QX_CALL)
        return;
    const sl_qcall_t *c = &e->call;
    if (is_name(c, "and")) {
        term_conjunct(pool, scan, c->args[0]);
        term_conjunct(pool, scan, c->args[1]);
        return;
    }
    bool has = is_name(c, "has") || is_name(c, "has_cs") || is_name(c, "has_all");
    if (!has && !is_name(c, "=="))
        return;
    const sl_qexpr_t *col = c->args[0];
    /* Only stored string columns (a union's renamed column is not stored
     * under its output name). */
    if (col->kind != SL_QX_COL || col->type != SL_TYPE_STRING ||
        (int)col->col == scan->scan.type_col || (int)col->col == scan->scan.tenant_col ||
        (int)col->col == scan->scan.source_col)
        return;
    bool stored = false;
    for (size_t l = 0; l < scan->scan.nlegs; l++)
        for (size_t k = 0; k < scan->scan.legs[l].ncols; k++)
            stored |= scan->scan.legs[l].map[k] == (int)col->col &&
                      !strcmp(scan->scan.legs[l].colnames[k], scan->out.names[col->col]);
    if (!stored)
        return;
    for (size_t a = 1; a < c->nargs; a++) {
        const char *s;
        size_t n;
        if (sl_qexpr_const_text(c->args[a], &s, &n) && c->args[a]->type == SL_TYPE_STRING)
            add_probe(pool, scan, (int)col->col, s, n);
        if (!is_name(c, "has_all"))
            break;
    }
}

static void push_terms(sl_pool_t *pool, sl_qplan_t *p)
{
    if (!p)
        return;
    if (p->kind == SL_QP_FILTER) {
        sl_qplan_t *s = p->input;
        while (s && s->kind == SL_QP_FILTER)
            s = s->input;
        if (s && s->kind == SL_QP_SCAN)
            term_conjunct(pool, s, p->filter.pred);
    }
    if (p->kind == SL_QP_UNION)
        for (size_t i = 0; i < p->uni.n; i++)
            push_terms(pool, p->uni.inputs[i]);
    push_terms(pool, p->input);
}

static void push_time(sl_qplan_t *p)
{
    if (!p)
        return;
    if (p->kind == SL_QP_FILTER) {
        sl_qplan_t *s = p->input;
        while (s && s->kind == SL_QP_FILTER)
            s = s->input;
        if (s && s->kind == SL_QP_SCAN) {
            int tcol = sl_qschema_find(&s->out, "TimeGenerated");
            if (tcol >= 0 && s->out.types[tcol] == SL_TYPE_DATETIME)
                conjunct(s, tcol, p->filter.pred);
        }
    }
    if (p->kind == SL_QP_UNION)
        for (size_t i = 0; i < p->uni.n; i++)
            push_time(p->uni.inputs[i]);
    push_time(p->input);
}

static void apply_timespan(sl_qplan_t *p, sl_ticks_t t0, sl_ticks_t t1)
{
    if (!p)
        return;
    if (p->kind == SL_QP_SCAN)
        narrow(p, t0, t1);
    if (p->kind == SL_QP_UNION)
        for (size_t i = 0; i < p->uni.n; i++)
            apply_timespan(p->uni.inputs[i], t0, t1);
    apply_timespan(p->input, t0, t1);
}

/* ---- Columns ------------------------------------------------------------ */

static void mark(size_t col, void *arg)
{
    ((bool *)arg)[col] = true;
}

static void need_expr(const sl_qexpr_t *e, bool *need)
{
    if (e)
        sl_qexpr_cols(e, mark, need);
}

static void push_need(sl_qplan_t *p)
{
    sl_qplan_t *in = p->input;
    switch (p->kind) {
    case SL_QP_FILTER:
        for (size_t c = 0; c < p->out.n; c++)
            in->need[c] |= p->need[c];
        need_expr(p->filter.pred, in->need);
        break;
    case SL_QP_PROJECT:
        for (size_t c = 0; c < p->out.n; c++)
            if (p->need[c])
                need_expr(p->project.exprs[c], in->need);
        break;
    case SL_QP_SUMMARIZE:
        for (size_t k = 0; k < p->summarize.nkeys; k++)
            need_expr(p->summarize.keys[k], in->need);
        for (size_t a = 0; a < p->summarize.naggs; a++)
            for (size_t k = 0; k < p->summarize.aggs[a].nargs; k++)
                need_expr(p->summarize.aggs[a].args[k], in->need);
        break;
    case SL_QP_SORT:
        for (size_t c = 0; c < p->out.n; c++)
            in->need[c] |= p->need[c];
        for (size_t k = 0; k < p->sort.nkeys; k++)
            need_expr(p->sort.keys[k], in->need);
        break;
    case SL_QP_TAKE:
        for (size_t c = 0; c < p->out.n; c++)
            in->need[c] |= p->need[c];
        break;
    case SL_QP_DISTINCT:
        for (size_t k = 0; k < p->distinct.n; k++)
            need_expr(p->distinct.exprs[k], in->need);
        break;
    case SL_QP_COUNT:
        break; /* reads no column */
    case SL_QP_UNION:
        for (size_t i = 0; i < p->uni.n; i++) {
            sl_qplan_t *u = p->uni.inputs[i];
            for (size_t c = 0; c < p->out.n; c++)
                if (p->need[c] && p->uni.maps[i][c] >= 0)
                    u->need[p->uni.maps[i][c]] = true;
            push_need(u);
        }
        return;
    case SL_QP_SCAN:
    case SL_QP_VALUES:
        return;
    }
    if (in)
        push_need(in);
}

void sl_qplan_optimize(sl_pool_t *pool, sl_qplan_t *root, bool has_timespan, sl_ticks_t t0,
                       sl_ticks_t t1)
{
    push_time(root);
    push_terms(pool, root);
    if (has_timespan)
        apply_timespan(root, t0, t1);
    for (size_t c = 0; c < root->out.n; c++)
        root->need[c] = true;
    push_need(root);
}
