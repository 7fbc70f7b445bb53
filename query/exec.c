/*
 * The executor: runs a plan to a materialised batch, and sl_query_run, the
 * module's entry point (parse → bind → plan → run → result tables).
 *
 * Wherever a scan sits under row operators and one sink (summarize, top,
 * take, count, distinct) the whole chain runs as one parallel fragment
 * (exec_frag.c) and only the sink's output is materialised. Whatever lies
 * above — a summarize over a summarize, a sort of a union — runs here on
 * the materialised rows, on the calling thread.
 */
#include "query/query_int.h"

#include <stdio.h>
#include <string.h>

static const sl_qplan_t *scan_below(const sl_qplan_t *p)
{
    while (p && (p->kind == SL_QP_FILTER || p->kind == SL_QP_PROJECT))
        p = p->input;
    return p && p->kind == SL_QP_SCAN ? p : NULL;
}

static int run_union(sl_qexec_t *x, const sl_qplan_t *p, sl_qbatch_t *out)
{
    sl_qbatch_init(out, p->out.n);
    int rc = 0;
    for (size_t i = 0; i < p->uni.n && !rc; i++) {
        sl_qbatch_t in;
        rc = sl_qexec_run(x, p->uni.inputs[i], &in);
        if (rc)
            break;
        sl_qbatch_t mapped;
        sl_qbatch_init(&mapped, p->out.n);
        mapped.n = in.n;
        for (size_t c = 0; c < p->out.n; c++) {
            int from = p->uni.maps[i][c];
            if (!p->need[c])
                continue;
            if ((int)c == p->uni.source_col)
                mapped.cols[c] = sl_qvec_const_text(SL_TYPE_STRING, p->uni.names[i],
                                                    strlen(p->uni.names[i]));
            else if (from >= 0 && in.cols[from])
                mapped.cols[c] = sl_qvec_ref(in.cols[from]);
            else
                mapped.cols[c] = sl_qvec_const_null(p->out.types[c]);
        }
        sl_qbatch_append(out, &mapped);
        sl_qbatch_dispose(&mapped);
        sl_qbatch_dispose(&in);
    }
    if (rc)
        sl_qbatch_dispose(out);
    return rc;
}

static int apply(sl_qexec_t *x, const sl_qplan_t *p, sl_qbatch_t *in, sl_qbatch_t *out)
{
    sl_qrt_t rt;
    sl_qrt_init(&rt, x->q, x->d);
    int rc = 0;
    switch (p->kind) {
    case SL_QP_FILTER:
        rc = sl_qop_filter(p, in, &rt);
        break;
    case SL_QP_PROJECT:
        rc = sl_qop_project(p, in, &rt);
        break;
    case SL_QP_TAKE:
        sl_qbatch_truncate(in, (size_t)p->take.n);
        break;
    case SL_QP_SORT:
        rc = sl_qop_sort(p, in, p->sort.limit, &rt);
        break;
    case SL_QP_COUNT: {
        sl_qvec_t *v = sl_qvec_new(SL_TYPE_LONG, 1);
        sl_qvec_i64w(v)[0] = (int64_t)in->n;
        sl_qbatch_dispose(in);
        sl_qbatch_init(in, 1);
        in->n = 1;
        in->cols[0] = v;
        break;
    }
    case SL_QP_SUMMARIZE:
    case SL_QP_DISTINCT: {
        sl_qgroups_t g;
        sl_qgroups_init(&g, p);
        sl_qbatch_t res;
        rc = sl_qgroups_add(&g, in, &rt);
        if (!rc)
            rc = sl_qgroups_finish(&g, &res, &rt);
        sl_qgroups_dispose(&g);
        sl_qbatch_dispose(in);
        if (!rc)
            *in = res;
        break;
    }
    default:
        rc = sl_diag_set(x->d, SL_ESTATE, "internal error: unexpected plan node");
        break;
    }
    sl_qrt_dispose(&rt);
    if (rc) {
        sl_qbatch_dispose(in);
        return rc;
    }
    *out = *in;
    return 0;
}

int sl_qexec_run(sl_qexec_t *x, const sl_qplan_t *p, sl_qbatch_t *out)
{
    memset(out, 0, sizeof *out);
    const sl_qplan_t *scan;
    switch (p->kind) {
    case SL_QP_SCAN:
    case SL_QP_FILTER:
    case SL_QP_PROJECT:
        if ((scan = scan_below(p)))
            return sl_qexec_fragment(x, p, scan, out);
        break;
    case SL_QP_SUMMARIZE:
    case SL_QP_DISTINCT:
    case SL_QP_COUNT:
    case SL_QP_TAKE:
        if ((scan = scan_below(p->input)))
            return sl_qexec_fragment(x, p, scan, out);
        break;
    case SL_QP_SORT:
        if (p->sort.limit >= 0 && (scan = scan_below(p->input)))
            return sl_qexec_fragment(x, p, scan, out);
        break;
    case SL_QP_VALUES: {
        const sl_qbatch_t *v = &p->values.rows;
        sl_qbatch_init(out, v->ncols);
        out->n = v->n;
        for (size_t c = 0; c < v->ncols; c++)
            out->cols[c] = sl_qvec_ref(v->cols[c]);
        return 0;
    }
    case SL_QP_UNION:
        return run_union(x, p, out);
    }
    sl_qbatch_t in;
    int rc = sl_qexec_run(x, p->input, &in);
    if (rc)
        return rc;
    return apply(x, p, &in, out);
}

/* ---- sl_query_run ------------------------------------------------------- */

typedef struct run {
    sl_pool_t *pool;
    const sl_query_env_t *env;
    const sl_query_req_t *req;
    sl_qctx_t q;
    sl_qexec_t x;
} run_t;

static void layout(sl_qplan_t *p)
{
    if (!p)
        return;
    if (p->kind == SL_QP_SUMMARIZE)
        sl_qgroups_layout(p);
    if (p->kind == SL_QP_UNION)
        for (size_t i = 0; i < p->uni.n; i++)
            layout(p->uni.inputs[i]);
    layout(p->input);
}

static int run_subquery(void *arg, sl_qplan_t *plan, sl_qbatch_t *out, sl_diag_t *d)
{
    run_t *r = arg;
    layout(plan);
    sl_qplan_optimize(r->pool, plan, r->req->has_timespan, r->req->t0, r->req->t1);
    sl_diag_t *saved = r->x.d;
    r->x.d = d;
    int rc = sl_qexec_run(&r->x, plan, out);
    r->x.d = saved;
    return rc;
}

/* Moves a batch into a named colset, expanding constants. */
static void to_colset(const sl_qplan_t *p, sl_qbatch_t *b, sl_colset_t *out)
{
    sl_colset_init(out);
    out->cap = p->out.n ? p->out.n : 1;
    out->cols = sl_xcalloc(out->cap, sizeof *out->cols);
    out->ncols = p->out.n;
    out->nrows = b->n;
    for (size_t c = 0; c < p->out.n; c++) {
        sl_qvec_t *v = b->cols[c];
        if (!v)
            v = b->cols[c] = sl_qvec_const_null(p->out.types[c]);
        if (v->konst || v->refs > 1) {
            sl_qvec_t *e = sl_qvec_slice(v, 0, b->n);
            sl_qvec_unref(v);
            v = b->cols[c] = e;
        }
        out->cols[c] = v->col;
        out->cols[c].name = sl_xstrdup(p->out.names[c]);
        memset(&v->col, 0, sizeof v->col);
    }
}

static void render_json(const sl_qbound_t *bd, sl_buf_t *out)
{
    sl_jw_t w;
    sl_jw_init(&w, out);
    sl_jw_obj_begin(&w);
    for (size_t i = 0; i < bd->render_props.n; i++) {
        const sl_query_node_t *pr = bd->render_props.v[i];
        if (pr->kind != SL_QUERY_N_PARAM || !pr->param.value)
            continue;
        sl_jw_key(&w, pr->param.name);
        const sl_query_node_t *v = pr->param.value;
        if (v->kind == SL_QUERY_N_LITERAL && v->lit.type == SL_QUERY_TY_STRING)
            sl_jw_strn(&w, v->lit.str.s, v->lit.str.n);
        else if (v->kind == SL_QUERY_N_LITERAL && v->lit.type == SL_QUERY_TY_BOOL)
            sl_jw_bool(&w, v->lit.b);
        else if (v->kind == SL_QUERY_N_LITERAL &&
                 (v->lit.type == SL_QUERY_TY_LONG || v->lit.type == SL_QUERY_TY_INT))
            sl_jw_int(&w, v->lit.i);
        else if (v->kind == SL_QUERY_N_LITERAL && v->lit.type == SL_QUERY_TY_REAL)
            sl_jw_real(&w, v->lit.r);
        else if (v->kind == SL_QUERY_N_NAME)
            sl_jw_strn(&w, v->name.s, v->name.n);
        else if (v->kind == SL_QUERY_N_LIST) {
            sl_jw_arr_begin(&w);
            for (size_t k = 0; k < v->list.items.n; k++) {
                const sl_query_node_t *it = v->list.items.v[k];
                if (it->kind == SL_QUERY_N_NAME)
                    sl_jw_strn(&w, it->name.s, it->name.n);
            }
            sl_jw_arr_end(&w);
        } else
            sl_jw_null(&w);
    }
    sl_jw_obj_end(&w);
}

/* Cuts the last table to the request's caps. */
static void apply_caps(const sl_query_req_t *req, sl_qbatch_t *b, sl_query_result_t *res)
{
    if (req->max_rows && b->n > req->max_rows) {
        snprintf(res->partial_msg, sizeof res->partial_msg,
                 "The results of this query exceed the set limit of %llu records, so not all "
                 "records were returned",
                 (unsigned long long)req->max_rows);
        res->partial = true;
        sl_qbatch_truncate(b, req->max_rows);
    }
    size_t bytes = sl_qbatch_bytes(b);
    if (req->max_bytes && bytes > req->max_bytes && b->n) {
        size_t keep = (size_t)((double)b->n * (double)req->max_bytes / (double)bytes);
        snprintf(res->partial_msg, sizeof res->partial_msg,
                 "The results of this query exceed the set limit of %llu MB, so not all "
                 "records were returned",
                 (unsigned long long)(req->max_bytes >> 20));
        res->partial = true;
        sl_qbatch_truncate(b, keep);
    }
}

int sl_query_run(const sl_query_env_t *env, const sl_query_req_t *req, sl_query_result_t *out,
                 sl_diag_t *d)
{
    memset(out, 0, sizeof *out);
    uint64_t t_start = sl_time_mono_ns();
    sl_pool_t *pool = sl_pool_create();
    run_t r = { pool, env, req, { 0 }, { 0 } };
    sl_qctx_init(&r.q, req->now, req->deadline_ns, req->mem_budget, req->cancel);
    r.x = (sl_qexec_t){ &r.q, env->store, env->spawn, env->spawn_arg, env->helpers, d };
    sl_query_node_t *ast;
    sl_query_error_t perr;
    int rc = sl_query_parse(pool, req->text, req->len, &ast, &perr, d);
    sl_qbound_t bound = { 0 };
    sl_qsources_t src = { env->store, req->ws, req->nws, env->resolve_ws, env->resolve_arg,
                          run_subquery, &r };
    sl_qbind_t b;
    sl_qbind_init(&b, pool, req->now, &src, d);
    b.rt.q = &r.q;
    if (!rc)
        rc = sl_qbind_query(&b, ast, &bound);
    if (!rc) {
        out->tables = sl_xcalloc(bound.ntables, sizeof *out->tables);
        for (size_t i = 0; i < bound.ntables && !rc; i++) {
            sl_qplan_t *p = bound.tables[i];
            layout(p);
            sl_qplan_optimize(pool, p, req->has_timespan, req->t0, req->t1);
            sl_qbatch_t rows;
            rc = sl_qexec_run(&r.x, p, &rows);
            if (rc)
                break;
            apply_caps(req, &rows, out);
            sl_query_table_t *t = &out->tables[out->ntables++];
            if (i == 0)
                snprintf(t->name, sizeof t->name, "PrimaryResult");
            else
                snprintf(t->name, sizeof t->name, "Table_%zu", i);
            out->stats.result_bytes += sl_qbatch_bytes(&rows);
            out->stats.result_rows += rows.n;
            to_colset(p, &rows, &t->rows);
            sl_qbatch_dispose(&rows);
        }
    }
    if (!rc && bound.visualization)
        snprintf(out->visualization, sizeof out->visualization, "%s", bound.visualization);
    if (!rc)
        render_json(&bound, &out->render_props);
    sl_qbind_dispose(&b);
    sl_pool_destroy(pool);
    out->stats.exec_seconds = (double)(sl_time_mono_ns() - t_start) / 1e9;
    out->stats.blocks_read = atomic_load(&r.q.blocks_read);
    out->stats.blocks_pruned = atomic_load(&r.q.blocks_pruned);
    out->stats.bytes_decrypted = atomic_load(&r.q.bytes_decrypted);
    out->stats.rows_scanned = atomic_load(&r.q.rows_scanned);
    out->stats.peak_memory = atomic_load(&r.q.mem_peak);
    if (rc == SL_ECANCELED && req->deadline_ns && sl_time_mono_ns() >= req->deadline_ns)
        rc = sl_diag_set(d, SL_ETIMEOUT, "the query ran past its time limit");
    if (rc)
        sl_query_result_dispose(out);
    return rc;
}

void sl_query_result_dispose(sl_query_result_t *r)
{
    for (size_t i = 0; i < r->ntables; i++)
        sl_colset_dispose(&r->tables[i].rows);
    sl_free(r->tables);
    sl_buf_dispose(&r->render_props);
    sl_query_stats_t st = r->stats;
    memset(r, 0, sizeof *r);
    r->stats = st;
}
