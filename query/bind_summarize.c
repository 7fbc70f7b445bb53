/*
 * Binding summarize.
 *
 * Output: the group keys, then each aggregate's column(s), as in Kusto.
 * An aggregate item may be an expression over aggregates (`100.0 *
 * countif(x) / count()`, `round(avg(d), 2)`): every aggregate call found
 * inside becomes a hidden column of the SUMMARIZE plan, and a PROJECT on
 * top computes the expression from those columns and drops them.
 *
 * Names: `Name = agg(...)` or `(A, B) = agg(...)` assign; otherwise the
 * aggregate names its columns (count_, sum_X, ...; agg_*.c); an expression
 * over aggregates without a name is ColumnN. Duplicate generated names get
 * a numeric suffix (count_, count_1), as Kusto does. Keys are named like
 * project items (bin(TimeGenerated, 1h) → TimeGenerated).
 */
#include "query/agg_int.h"

#include <stdio.h>
#include <string.h>

typedef struct aggs {
    const sl_query_node_t **nodes; /* the aggregate calls, in order */
    size_t n, cap;
} aggs_t;

static bool agg_call(const sl_query_node_t *n)
{
    return n->kind == SL_QUERY_N_CALL && n->call.fn->kind == SL_QUERY_N_NAME &&
           sl_qagg_find(n->call.fn->name.s, n->call.fn->name.n) != NULL;
}

/* Collects the aggregate calls inside an expression (not inside another
 * aggregate's arguments). */
static void collect(sl_qbind_t *b, const sl_query_node_t *n, aggs_t *a)
{
    if (!n)
        return;
    if (agg_call(n)) {
        if (a->n == a->cap) {
            size_t cap = a->cap ? a->cap * 2 : 8;
            const sl_query_node_t **v = sl_pool_calloc(b->pool, cap * sizeof *v);
            if (a->n)
                memcpy(v, a->nodes, a->n * sizeof *v);
            a->nodes = v;
            a->cap = cap;
        }
        a->nodes[a->n++] = n;
        return;
    }
    switch (n->kind) {
    case SL_QUERY_N_BINARY:
        collect(b, n->bin.lhs, a);
        collect(b, n->bin.rhs, a);
        break;
    case SL_QUERY_N_UNARY:
        collect(b, n->un.arg, a);
        break;
    case SL_QUERY_N_CALL:
        for (size_t i = 0; i < n->call.args.n; i++)
            collect(b, n->call.args.v[i], a);
        break;
    case SL_QUERY_N_IN:
        collect(b, n->in.lhs, a);
        for (size_t i = 0; i < n->in.items.n; i++)
            collect(b, n->in.items.v[i], a);
        break;
    case SL_QUERY_N_BETWEEN:
        collect(b, n->between.lhs, a);
        collect(b, n->between.lo, a);
        collect(b, n->between.hi, a);
        break;
    case SL_QUERY_N_MEMBER:
        collect(b, n->member.base, a);
        break;
    case SL_QUERY_N_INDEX:
        collect(b, n->index.base, a);
        collect(b, n->index.index, a);
        break;
    default:
        break;
    }
}

static int err_at(sl_qbind_t *b, int code, const sl_query_node_t *n, const char *msg)
{
    return sl_diag_set(b->d, code, "'summarize' operator: %s (line %u, column %u)", msg,
                       n->pos.line, n->pos.col);
}

/* Binds one aggregate call over the summarize's input. */
static int bind_agg(sl_qbind_t *b, const sl_query_node_t *n, const sl_qplan_t *in,
                    const sl_qschema_t *keys, sl_qaggcall_t *out)
{
    const sl_qagg_t *agg = sl_qagg_find(n->call.fn->name.s, n->call.fn->name.n);
    const sl_query_list_t *al = &n->call.args;
    /* A `*` argument stands for every input column but the group keys. */
    size_t nargs = 0;
    for (size_t i = 0; i < al->n; i++)
        nargs += al->v[i]->kind == SL_QUERY_N_STAR ? in->out.n : 1;
    if (nargs < agg->min_args || (agg->max_args != 255 && nargs > agg->max_args)) {
        char msg[160];
        snprintf(msg, sizeof msg, "%s() does not take %zu argument%s", agg->name, nargs,
                 nargs == 1 ? "" : "s");
        return err_at(b, SL_ESEMANTIC, n, msg);
    }
    memset(out, 0, sizeof *out);
    out->agg = agg;
    out->args = sl_pool_calloc(b->pool, (nargs + 1) * sizeof *out->args);
    out->argname = "";
    /* Each argument's inferred name, for the columns an aggregate returns
     * as they are (arg_max's returned columns, take_any's): agg_int.h. */
    const char **argnames = sl_pool_calloc(b->pool, (nargs + 1) * sizeof *argnames);
    for (size_t i = 0; i < al->n; i++) {
        const sl_query_node_t *a = al->v[i];
        if (a->kind == SL_QUERY_N_STAR) {
            for (size_t c = 0; c < in->out.n; c++) {
                if (sl_qschema_find(keys, in->out.names[c]) >= 0)
                    continue;
                sl_qexpr_t *e = sl_pool_calloc(b->pool, sizeof *e);
                e->kind = SL_QX_COL;
                e->col = c;
                e->type = in->out.types[c];
                e->pos = a->pos;
                argnames[out->nargs] = in->out.names[c];
                out->args[out->nargs++] = e;
            }
            continue;
        }
        argnames[out->nargs] = sl_qbind_infer_name(b, a);
        int rc = sl_qbind_expr(b, a, &in->out, &out->args[out->nargs++]);
        if (rc)
            return rc;
        if (i == 0) {
            const char *nm = argnames[0];
            out->argname = nm ? nm : "";
        }
    }
    int rc = agg->bind(b, out, b->d);
    if (rc && b->d && !strstr(b->d->msg, "line ")) {
        char msg[sizeof b->d->msg];
        memcpy(msg, b->d->msg, sizeof msg);
        return err_at(b, rc, n, msg);
    }
    /* A NULL name is a returned argument's: it keeps the argument's name
     * (still NULL for an unnamed expression: ColumnN, below). */
    for (size_t k = 0; k < out->nout && !rc; k++)
        if (!out->out_names[k])
            out->out_names[k] = argnames[sl_qagg_out_arg(out, k)];
    return rc;
}

static const char *unique(sl_qbind_t *b, const sl_qschema_t *s, const char *name)
{
    if (sl_qschema_find(s, name) < 0)
        return name;
    for (int k = 1;; k++) {
        const char *nm = sl_pool_printf(b->pool, "%s%d", name, k);
        if (sl_qschema_find(s, nm) < 0)
            return nm;
    }
}

int sl_qbind_summarize(sl_qbind_t *b, const sl_query_node_t *op, sl_qplan_t *in,
                       sl_qplan_t **out)
{
    b->op = "summarize";
    const sl_query_list_t *by = &op->summarize.by, *items = &op->summarize.aggs;
    if (op->summarize.bin_legacy)
        return err_at(b, SL_EUNSUPPORTED, op,
                      "'by Column bin=N' is not supported; write by bin(Column, N)");
    /* Keys. */
    sl_qschema_t keys = { 0 };
    keys.names = sl_pool_calloc(b->pool, (by->n + 1) * sizeof *keys.names);
    keys.types = sl_pool_calloc(b->pool, (by->n + 1) * sizeof *keys.types);
    sl_qexpr_t **kx = sl_pool_calloc(b->pool, (by->n + 1) * sizeof *kx);
    int counter = 0;
    for (size_t i = 0; i < by->n; i++) {
        const sl_query_node_t *it = by->v[i], *e = it;
        const char *name = NULL;
        if (it->kind == SL_QUERY_N_ASSIGN) {
            name = sl_pool_strndup(b->pool, it->assign.names.v[0]->name.s,
                                   it->assign.names.v[0]->name.n);
            e = it->assign.value;
        }
        int rc = sl_qbind_expr(b, e, &in->out, &kx[i]);
        if (rc)
            return rc;
        if (!name)
            name = sl_qbind_infer_name(b, e);
        if (!name)
            name = sl_qbind_column_name(b, &keys, &counter);
        if (sl_qschema_find(&keys, name) >= 0)
            return err_at(b, SL_ESEMANTIC, it, "a group key name appears twice");
        keys.names[keys.n] = name;
        keys.types[keys.n++] = kx[i]->type;
    }
    /* Aggregate calls, direct or inside expressions. */
    aggs_t found = { 0 };
    for (size_t i = 0; i < items->n; i++) {
        const sl_query_node_t *it = items->v[i];
        const sl_query_node_t *e = it->kind == SL_QUERY_N_ASSIGN ? it->assign.value : it;
        size_t before = found.n;
        collect(b, e, &found);
        if (found.n == before)
            return err_at(b, SL_ESEMANTIC, e,
                          "this expression has no aggregation function (count(), sum(), ...)");
    }
    sl_qaggcall_t *calls = sl_pool_calloc(b->pool, (found.n + 1) * sizeof *calls);
    size_t nhidden = 0;
    for (size_t i = 0; i < found.n; i++) {
        int rc = bind_agg(b, found.nodes[i], in, &keys, &calls[i]);
        if (rc)
            return rc;
        nhidden += calls[i].nout;
    }
    /* The SUMMARIZE plan: keys, then every aggregate's columns. */
    sl_qplan_t *s = sl_qplan_new(b, SL_QP_SUMMARIZE, in, keys.n + nhidden);
    s->out.n = 0;
    for (size_t i = 0; i < keys.n; i++) {
        s->out.names[s->out.n] = keys.names[i];
        s->out.types[s->out.n++] = keys.types[i];
    }
    size_t *first_col = sl_pool_calloc(b->pool, (found.n + 1) * sizeof *first_col);
    for (size_t i = 0; i < found.n; i++) {
        first_col[i] = s->out.n;
        for (size_t k = 0; k < calls[i].nout; k++) {
            s->out.names[s->out.n] = sl_pool_printf(b->pool, "__agg%zu_%zu", i, k);
            s->out.types[s->out.n++] = calls[i].out_types[k];
        }
    }
    s->summarize.nkeys = keys.n;
    s->summarize.keys = kx;
    s->summarize.naggs = found.n;
    s->summarize.aggs = calls;

    /* The PROJECT on top: keys, then each item's columns, named. */
    size_t cap = keys.n + nhidden + items->n + 1;
    sl_qplan_t *p = sl_qplan_new(b, SL_QP_PROJECT, s, cap);
    p->project.exprs = sl_pool_calloc(b->pool, (cap + 1) * sizeof(sl_qexpr_t *));
    p->out.n = 0;
    for (size_t i = 0; i < keys.n; i++) {
        sl_qexpr_t *e = sl_pool_calloc(b->pool, sizeof *e);
        e->kind = SL_QX_COL;
        e->col = i;
        e->type = keys.types[i];
        p->out.names[p->out.n] = keys.names[i];
        p->out.types[p->out.n] = e->type;
        p->project.exprs[p->out.n++] = e;
    }
    size_t ai = 0;
    int colctr = 0;
    for (size_t i = 0; i < items->n; i++) {
        const sl_query_node_t *it = items->v[i];
        const sl_query_node_t *e = it->kind == SL_QUERY_N_ASSIGN ? it->assign.value : it;
        const sl_query_list_t *names = it->kind == SL_QUERY_N_ASSIGN ? &it->assign.names : NULL;
        if (agg_call(e)) {
            const sl_qaggcall_t *c = &calls[ai];
            if (names && names->n > 1 && names->n != c->nout)
                return err_at(b, SL_ESEMANTIC, it,
                              "the number of names does not match the aggregate's columns");
            for (size_t k = 0; k < c->nout; k++) {
                const char *nm = c->out_names[k];
                if (names && k < names->n)
                    nm = sl_pool_strndup(b->pool, names->v[k]->name.s, names->v[k]->name.n);
                if (!nm)
                    nm = sl_qbind_column_name(b, &p->out, &colctr);
                sl_qexpr_t *x = sl_pool_calloc(b->pool, sizeof *x);
                x->kind = SL_QX_COL;
                x->col = first_col[ai] + k;
                x->type = c->out_types[k];
                /* arg_max(x, *) may return a column named like a key: skip it. */
                if (k > 0 && sl_qschema_find(&p->out, nm) >= 0 && !(names && k < names->n))
                    continue;
                nm = unique(b, &p->out, nm);
                p->out.names[p->out.n] = nm;
                p->out.types[p->out.n] = x->type;
                p->project.exprs[p->out.n++] = x;
            }
            ai++;
            continue;
        }
        /* An expression over aggregates: bind it over the SUMMARIZE output
         * with its aggregate calls standing for their columns. */
        aggs_t mine = { 0 };
        collect(b, e, &mine);
        size_t *cols = sl_pool_calloc(b->pool, (mine.n + 1) * sizeof *cols);
        for (size_t k = 0; k < mine.n; k++)
            cols[k] = first_col[ai + k];
        b->aggsub = mine.nodes;
        b->aggsub_col = cols;
        b->naggsub = mine.n;
        sl_qexpr_t *x;
        int rc = sl_qbind_expr(b, e, &s->out, &x);
        b->aggsub = NULL;
        b->aggsub_col = NULL;
        b->naggsub = 0;
        if (rc)
            return rc;
        ai += mine.n;
        const char *nm = names ? sl_pool_strndup(b->pool, names->v[0]->name.s,
                                                 names->v[0]->name.n)
                               : sl_qbind_column_name(b, &p->out, &colctr);
        nm = unique(b, &p->out, nm);
        p->out.names[p->out.n] = nm;
        p->out.types[p->out.n] = x->type;
        p->project.exprs[p->out.n++] = x;
    }
    *out = p;
    return 0;
}
