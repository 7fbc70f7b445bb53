/*
 * The binder's context and the small services it offers functions:
 * constants, literal values, error helpers, and sl_qeval_over (binding and
 * evaluating one expression outside a query, for tests and tools).
 *
 * Binding turns the parse tree into typed expressions (sl_qexpr_t) and
 * plans (sl_qplan_t). Everything it makes lives in the query's pool; the
 * vectors of constants are reference-counted and released by pool cleanup
 * hooks, so an abandoned bind leaks nothing.
 */
#include "query/query_int.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

void sl_qbind_init(sl_qbind_t *b, sl_pool_t *pool, sl_ticks_t now, const sl_qsources_t *src,
                   sl_diag_t *d)
{
    memset(b, 0, sizeof *b);
    b->pool = pool;
    b->now = now;
    b->d = d;
    b->src = src;
    b->rt.d = d;
    b->rt.now = now;
}

void sl_qbind_dispose(sl_qbind_t *b)
{
    sl_qrt_dispose(&b->rt);
}

sl_pool_t *sl_qbind_pool(sl_qbind_t *b)
{
    return b->pool;
}

sl_ticks_t sl_qbind_now(const sl_qbind_t *b)
{
    return b->now;
}

int sl_qbind_arg_error(sl_diag_t *d, const sl_qcall_t *call, size_t k, const char *what)
{
    return sl_diag_set(d, SL_ESEMANTIC, "%s(): argument %zu must be %s, got %s", call->fn->name,
                       k + 1, what, sl_type_name(call->args[k]->type));
}

static void unref_cb(void *arg)
{
    sl_qvec_unref(arg);
}

sl_qexpr_t *sl_qbind_const(sl_qbind_t *b, sl_qvec_t *v, const sl_query_node_t *at)
{
    sl_qexpr_t *e = sl_pool_calloc(b->pool, sizeof *e);
    e->kind = SL_QX_CONST;
    e->type = v->col.type;
    e->konst = v;
    v->konst = true;
    if (at)
        e->pos = at->pos;
    sl_pool_cleanup_add(b->pool, unref_cb, v);
    return e;
}

bool sl_qexpr_const_text(const sl_qexpr_t *e, const char **s, size_t *n)
{
    if (e->kind != SL_QX_CONST || !sl_type_is_text(e->type))
        return false;
    *s = sl_qvec_text(e->konst, 0, n);
    return true;
}

bool sl_qexpr_const_i64(const sl_qexpr_t *e, int64_t *v)
{
    if (e->kind != SL_QX_CONST || sl_type_is_text(e->type) || e->type == SL_TYPE_BOOL ||
        sl_qvec_is_null(e->konst, 0))
        return false;
    *v = e->type == SL_TYPE_REAL ? (int64_t)sl_qvec_f64(e->konst, 0) : sl_qvec_i64(e->konst, 0);
    return true;
}

bool sl_qexpr_const_f64(const sl_qexpr_t *e, double *v)
{
    if (e->kind != SL_QX_CONST || sl_type_is_text(e->type) || sl_qvec_is_null(e->konst, 0))
        return false;
    *v = sl_qvec_num(e->konst, 0);
    return true;
}

/* ---- Literals ----------------------------------------------------------- */

static void dyn_json(const sl_query_dyn_t *v, sl_buf_t *out)
{
    switch (v->kind) {
    case SL_QUERY_DYN_NULL:
        sl_buf_puts(out, "null");
        break;
    case SL_QUERY_DYN_BOOL:
        sl_buf_puts(out, v->b ? "true" : "false");
        break;
    case SL_QUERY_DYN_LONG:
        sl_buf_printf(out, "%lld", (long long)v->i);
        break;
    case SL_QUERY_DYN_REAL: {
        sl_qvec_t *t = sl_qvec_const_f64(v->r);
        sl_qvec_json(t, 0, out);
        sl_qvec_unref(t);
        break;
    }
    case SL_QUERY_DYN_STRING:
        sl_qdyn_quote(v->str.s, v->str.n, out);
        break;
    case SL_QUERY_DYN_DATETIME:
    case SL_QUERY_DYN_TIMESPAN: {
        sl_qvec_t *t = sl_qvec_const_i64(
            v->kind == SL_QUERY_DYN_DATETIME ? SL_TYPE_DATETIME : SL_TYPE_TIMESPAN, v->t);
        sl_qvec_json(t, 0, out);
        sl_qvec_unref(t);
        break;
    }
    case SL_QUERY_DYN_GUID: {
        char g[37];
        sl_guid_format(&v->g, g);
        sl_qdyn_quote(g, 36, out);
        break;
    }
    case SL_QUERY_DYN_ARRAY:
    case SL_QUERY_DYN_OBJECT: {
        bool obj = v->kind == SL_QUERY_DYN_OBJECT;
        sl_buf_putc(out, obj ? '{' : '[');
        for (size_t i = 0; i < v->items.n; i++) {
            if (i)
                sl_buf_putc(out, ',');
            if (obj) {
                sl_qdyn_quote(v->items.keys[i], v->items.key_lens[i], out);
                sl_buf_putc(out, ':');
            }
            dyn_json(v->items.v[i], out);
        }
        sl_buf_putc(out, obj ? '}' : ']');
        break;
    }
    }
}

static sl_type_t lit_type(sl_query_type_t t)
{
    switch (t) {
    case SL_QUERY_TY_BOOL:
        return SL_TYPE_BOOL;
    case SL_QUERY_TY_INT:
        return SL_TYPE_INT;
    case SL_QUERY_TY_LONG:
        return SL_TYPE_LONG;
    case SL_QUERY_TY_REAL:
    case SL_QUERY_TY_DECIMAL:
        return SL_TYPE_REAL;
    case SL_QUERY_TY_DATETIME:
        return SL_TYPE_DATETIME;
    case SL_QUERY_TY_TIMESPAN:
        return SL_TYPE_TIMESPAN;
    case SL_QUERY_TY_GUID:
        return SL_TYPE_GUID;
    case SL_QUERY_TY_DYNAMIC:
        return SL_TYPE_DYNAMIC;
    default:
        return SL_TYPE_STRING;
    }
}

int sl_qbind_literal(sl_qbind_t *b, const sl_query_node_t *n, sl_qexpr_t **out)
{
    const sl_query_lit_t *l = &n->lit;
    if (l->type == SL_QUERY_TY_TYPE) {
        /* typeof(long) as a value (extract()'s type argument): its name. */
        if (l->of_type == SL_QUERY_TY_NONE)
            return sl_diag_set(b->d, SL_EUNSUPPORTED,
                               "a typeof() row schema is not supported here (line %u, column "
                               "%u)",
                               n->pos.line, n->pos.col);
        const char *tn = sl_query_type_name(l->of_type);
        *out = sl_qbind_const(b, sl_qvec_const_text(SL_TYPE_STRING, tn, strlen(tn)), n);
        return 0;
    }
    sl_type_t t = lit_type(l->type);
    sl_qvec_t *v;
    if (l->is_null) {
        v = sl_qvec_const_null(t);
    } else {
        switch (l->type) {
        case SL_QUERY_TY_BOOL:
            v = sl_qvec_const_bool(l->b);
            break;
        case SL_QUERY_TY_INT:
        case SL_QUERY_TY_LONG:
            v = sl_qvec_const_i64(t, l->i);
            break;
        case SL_QUERY_TY_REAL:
            v = sl_qvec_const_f64(l->r);
            break;
        case SL_QUERY_TY_DECIMAL: {
            char tmp[80];
            snprintf(tmp, sizeof tmp, "%.*s", (int)SL_MIN(l->str.n, sizeof tmp - 1), l->str.s);
            v = sl_qvec_const_f64(strtod(tmp, NULL));
            break;
        }
        case SL_QUERY_TY_DATETIME:
        case SL_QUERY_TY_TIMESPAN:
            v = sl_qvec_const_i64(t, l->t);
            break;
        case SL_QUERY_TY_GUID: {
            char g[37];
            sl_guid_format(&l->g, g);
            v = sl_qvec_const_text(SL_TYPE_GUID, g, 36);
            break;
        }
        case SL_QUERY_TY_DYNAMIC: {
            sl_buf_t js = SL_BUF_INIT;
            dyn_json(l->dyn, &js);
            v = sl_qvec_const_text(SL_TYPE_DYNAMIC, js.data ? js.data : "", js.len);
            sl_buf_dispose(&js);
            break;
        }
        default:
            v = sl_qvec_const_text(SL_TYPE_STRING, l->str.s, l->str.n);
            break;
        }
    }
    *out = sl_qbind_const(b, v, n);
    return 0;
}

/* ---- Runtime context ------------------------------------------------------ */

void sl_qrt_dispose(sl_qrt_t *rt)
{
    sl_qrt_rx_free(rt);
    sl_buf_dispose(&rt->scratch);
}

/* ---- Evaluating one expression ------------------------------------------ */

int sl_qeval_over(sl_pool_t *pool, const sl_colset_t *rows, const char *expr, sl_ticks_t now,
                  sl_qvec_t **out, sl_diag_t *d)
{
    *out = NULL;
    /* Parsed as the argument of `print`, the smallest statement holding one
     * expression. */
    char *text = sl_pool_printf(pool, "print %s", expr);
    sl_query_node_t *q;
    sl_query_error_t perr;
    int rc = sl_query_parse(pool, text, strlen(text), &q, &perr, d);
    if (rc)
        return rc;
    const sl_query_node_t *p = q->query.stmts.n == 1 ? q->query.stmts.v[0] : NULL;
    if (p && p->kind == SL_QUERY_N_PIPELINE && !p->pipe.ops.n)
        p = p->pipe.source;
    if (!p || p->kind != SL_QUERY_N_PRINT || p->items.items.n != 1)
        return sl_diag_set(d, SL_EPARSE, "not a single expression: %s", expr);
    const sl_query_node_t *e = p->items.items.v[0];
    if (e->kind == SL_QUERY_N_ASSIGN)
        e = e->assign.value;

    sl_qschema_t in = { 0 };
    sl_qbatch_t batch;
    sl_qbatch_init(&batch, rows ? rows->ncols : 0);
    batch.n = rows ? rows->nrows : 1;
    if (rows) {
        in.n = rows->ncols;
        in.names = sl_pool_calloc(pool, (rows->ncols + 1) * sizeof *in.names);
        in.types = sl_pool_calloc(pool, (rows->ncols + 1) * sizeof *in.types);
        for (size_t c = 0; c < rows->ncols; c++) {
            in.names[c] = rows->cols[c].name;
            in.types[c] = rows->cols[c].type;
            /* The vector borrows the colset's buffers: a copy of the
             * column struct whose buffers are never freed here. */
            sl_qvec_t *v = sl_qvec_new(rows->cols[c].type, 0);
            sl_buf_dispose(&v->col.offs);
            sl_buf_dispose(&v->col.data);
            v->col = rows->cols[c];
            v->col.name = NULL;
            v->refs = 2; /* never reaches zero: the buffers are not ours */
            batch.cols[c] = v;
        }
    }
    sl_qbind_t b;
    sl_qbind_init(&b, pool, now, NULL, d);
    sl_qexpr_t *bound;
    rc = sl_qbind_expr(&b, e, rows ? &in : NULL, &bound);
    if (!rc) {
        sl_qrt_t rt = { .d = d, .now = now };
        rc = sl_qexpr_eval(bound, &batch, &rt, out);
        sl_qrt_dispose(&rt);
        for (size_t c = 0; !rc && c < batch.ncols; c++) {
            if (*out == batch.cols[c]) {
                /* A bare column: hand back a copy the caller owns. */
                *out = sl_qvec_slice(batch.cols[c], 0, batch.n);
                batch.cols[c]->refs--;
            }
        }
    }
    sl_qbind_dispose(&b);
    for (size_t c = 0; c < batch.ncols; c++) {
        /* Release only the borrowed wrappers (not the colset's buffers). */
        if (batch.cols[c]->refs == 2)
            sl_free(batch.cols[c]);
        batch.cols[c] = NULL;
    }
    sl_qbatch_dispose(&batch);
    return rc;
}
