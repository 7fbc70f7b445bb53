/*
 * Binding scalar expressions: names to columns and `let` values, operators
 * and calls to registered functions (query_int.h "Scalar functions"),
 * literals to constants.
 *
 * Every operator is a function named by its spelling, so type rules live in
 * one place, the function's bind. A call whose arguments are all constant
 * is evaluated here, once (constant folding): `ago(1h)` becomes a datetime
 * constant, which is what lets the planner push time filters down to the
 * block index.
 *
 * Error messages follow Kusto's wording where users will search for it
 * ("Failed to resolve scalar expression named 'x'").
 */
#include "query/query_int.h"

#include <stdio.h>
#include <string.h>

static int bind(sl_qbind_t *b, const sl_query_node_t *n, const sl_qschema_t *in,
                sl_qexpr_t **out);

/* Functions Kusto has that this engine does not execute: named in errors
 * as unsupported rather than unknown. */
static const char *const unsupported_fns[] = {
    "toscalar", "materialize", "row_number", "prev", "next", "row_cumsum", "series_stats",
    "series_fit_line", "series_decompose", "series_decompose_anomalies", "series_fill_linear",
    "parse_xml", "geo_point_to_s2cell", "geo_distance_2points", "ingestion_time", "cursor_after",
    "current_principal", "extent_id", "extent_tags", "cluster", "database", "app", "resource",
    "table", "evaluate", NULL,
};

static bool in_list(const char *const *list, const char *s, size_t n)
{
    for (; *list; list++)
        if (strlen(*list) == n && !memcmp(*list, s, n))
            return true;
    return false;
}

static int at_error(sl_qbind_t *b, int code, const sl_query_node_t *n, const char *fmt,
                    const char *what, size_t wn)
{
    char msg[200];
    snprintf(msg, sizeof msg, fmt, (int)SL_MIN(wn, 100), what);
    if (b->op)
        return sl_diag_set(b->d, code, "'%s' operator: %s (line %u, column %u)", b->op, msg,
                           n->pos.line, n->pos.col);
    return sl_diag_set(b->d, code, "%s (line %u, column %u)", msg, n->pos.line, n->pos.col);
}

/* Folds a call whose arguments are all constants. */
static int fold(sl_qbind_t *b, sl_qexpr_t *e, sl_qexpr_t **out)
{
    sl_qbatch_t none = { .n = 1 };
    sl_qvec_t *v;
    int rc = sl_qexpr_eval(e, &none, &b->rt, &v);
    if (rc)
        return rc;
    if (!v->konst) {
        /* A one-row result of a constant call is still one value. */
        v->konst = true;
    }
    sl_qexpr_t *c = sl_qbind_const(b, v, NULL);
    c->pos = e->pos;
    *out = c;
    return 0;
}

/* Builds and binds a call of the named function over bound arguments. */
int sl_qbind_call(sl_qbind_t *b, const sl_query_node_t *at, const char *name, size_t nlen,
                     sl_qexpr_t **args, size_t nargs, sl_qexpr_t **out)
{
    const sl_qfn_t *fn = sl_qfn_find(name, nlen, nargs);
    if (!fn) {
        if (sl_qfn_exists(name, nlen))
            return at_error(b, SL_ESEMANTIC, at,
                            "function '%.*s' does not take this number of arguments", name, nlen);
        if (sl_qagg_find(name, nlen))
            return at_error(b, SL_ESEMANTIC, at,
                            "aggregate function '%.*s' can only be used in summarize", name,
                            nlen);
        if (in_list(unsupported_fns, name, nlen))
            return at_error(b, SL_EUNSUPPORTED, at, "function '%.*s' is not supported", name,
                            nlen);
        return at_error(b, SL_ESEMANTIC, at, "Unknown function: '%.*s'", name, nlen);
    }
    sl_qexpr_t *e = sl_pool_calloc(b->pool, sizeof *e);
    e->kind = SL_QX_CALL;
    e->pos = at->pos;
    e->call.fn = fn;
    e->call.nargs = nargs;
    e->call.args = sl_pool_calloc(b->pool, (nargs + 1) * sizeof *args);
    memcpy(e->call.args, args, nargs * sizeof *args);
    sl_type_t type = 0;
    int rc = fn->bind(b, &e->call, &type, b->d);
    if (rc) {
        /* Prefix the position if the function did not say where. */
        if (b->d && !strstr(b->d->msg, "line ")) {
            char msg[sizeof b->d->msg];
            memcpy(msg, b->d->msg, sizeof msg);
            sl_diag_set(b->d, rc, "%.250s (line %u, column %u)", msg, at->pos.line,
                        at->pos.col);
        }
        return rc;
    }
    e->type = type;
    bool all_const = !fn->volatile_;
    for (size_t k = 0; k < e->call.nargs && all_const; k++)
        all_const = sl_qexpr_is_const(e->call.args[k]);
    if (all_const)
        return fold(b, e, out);
    *out = e;
    return 0;
}

/* ---- Names --------------------------------------------------------------- */

struct sl_qlet {
    sl_qlet_t *next;
    const char *name;
    size_t nlen;
    sl_qexpr_t *scalar;                /* a constant, or NULL */
    const sl_query_node_t *tabular;    /* the let's tabular value, or NULL */
    sl_qlet_t *scope;                  /* bindings visible where it was defined */
};

sl_qlet_t *sl_qbind_let_find(sl_qbind_t *b, const char *s, size_t n)
{
    for (sl_qlet_t *l = b->lets; l; l = l->next)
        if (l->nlen == n && !memcmp(l->name, s, n))
            return l;
    return NULL;
}

void sl_qbind_let_push(sl_qbind_t *b, const char *s, size_t n, sl_qexpr_t *scalar,
                       const sl_query_node_t *tabular)
{
    sl_qlet_t *l = sl_pool_calloc(b->pool, sizeof *l);
    l->name = s;
    l->nlen = n;
    l->scalar = scalar;
    l->tabular = tabular;
    l->scope = b->lets;
    l->next = b->lets;
    b->lets = l;
}

const sl_query_node_t *sl_qbind_let_tabular(sl_qlet_t *l, sl_qlet_t **scope)
{
    *scope = l->scope;
    return l->tabular;
}

static int bind_name(sl_qbind_t *b, const sl_query_node_t *n, const sl_qschema_t *in,
                     sl_qexpr_t **out)
{
    const char *s = n->name.s;
    size_t len = n->name.n;
    if (in) {
        for (size_t i = 0; i < in->n; i++) {
            if (strlen(in->names[i]) == len && !memcmp(in->names[i], s, len)) {
                sl_qexpr_t *e = sl_pool_calloc(b->pool, sizeof *e);
                e->kind = SL_QX_COL;
                e->col = i;
                e->type = in->types[i];
                e->pos = n->pos;
                *out = e;
                return 0;
            }
        }
    }
    sl_qlet_t *l = sl_qbind_let_find(b, s, len);
    if (l && l->scalar) {
        *out = l->scalar;
        return 0;
    }
    if (l && l->tabular)
        return at_error(b, SL_ESEMANTIC, n,
                        "'%.*s' is a tabular expression and cannot be used as a scalar", s, len);
    return at_error(b, SL_ESEMANTIC, n, "Failed to resolve scalar expression named '%.*s'", s,
                    len);
}

/* ---- Sub-queries as values (`x in (T | project y)`) ----------------------- */

static bool is_tabular_item(sl_qbind_t *b, const sl_query_node_t *n, const sl_qschema_t *in)
{
    if (sl_query_kind_is_tabular(n->kind))
        return true;
    if (n->kind != SL_QUERY_N_NAME)
        return false;
    if (in && sl_qschema_find(in, sl_pool_strndup(b->pool, n->name.s, n->name.n)) >= 0)
        return false;
    sl_qlet_t *l = sl_qbind_let_find(b, n->name.s, n->name.n);
    return l && l->tabular;
}

/* Runs a sub-query and returns its first column as a constant dynamic
 * array (the `in` functions expand array items). */
static int subquery_values(sl_qbind_t *b, const sl_query_node_t *n, sl_qexpr_t **out)
{
    if (!b->src || !b->src->subquery)
        return at_error(b, SL_EUNSUPPORTED, n, "%.*ssub-queries are not available here", "", 0);
    sl_qplan_t *plan;
    const char *saved = b->op;
    int rc = sl_qbind_tabular(b, n, &plan);
    b->op = saved;
    if (rc)
        return rc;
    if (!plan->out.n)
        return at_error(b, SL_ESEMANTIC, n, "%.*sthe sub-query has no columns", "", 0);
    sl_qbatch_t rows;
    rc = b->src->subquery(b->src->subquery_arg, plan, &rows, b->d);
    if (rc)
        return rc;
    sl_buf_t js = SL_BUF_INIT;
    sl_buf_putc(&js, '[');
    for (size_t i = 0; i < rows.n; i++) {
        if (i)
            sl_buf_putc(&js, ',');
        sl_qvec_json(rows.cols[0], i, &js);
    }
    sl_buf_putc(&js, ']');
    sl_qbatch_dispose(&rows);
    sl_qvec_t *v = sl_qvec_const_text(SL_TYPE_DYNAMIC, js.data, js.len);
    sl_buf_dispose(&js);
    *out = sl_qbind_const(b, v, n);
    return 0;
}

/* ---- Expressions ---------------------------------------------------------- */

/* `* has "x"` (any column): the operator over every string column, joined
 * with `or` — with `and` for a negated operator (`* !has "x"`: no column
 * has it). Only string columns take part: a term is searched in text. */
static int bind_any_column(sl_qbind_t *b, const sl_query_node_t *n, const sl_qschema_t *in,
                           sl_qexpr_t **out)
{
    const char *name = sl_query_op_name(n->bin.op);
    bool negated = name[0] == '!';
    sl_qexpr_t *rhs;
    int rc = bind(b, n->bin.rhs, in, &rhs);
    if (rc)
        return rc;
    sl_qexpr_t *acc = NULL;
    for (size_t c = 0; c < in->n; c++) {
        if (in->types[c] != SL_TYPE_STRING)
            continue;
        sl_qexpr_t *col = sl_pool_calloc(b->pool, sizeof *col);
        col->kind = SL_QX_COL;
        col->col = c;
        col->type = SL_TYPE_STRING;
        col->pos = n->pos;
        sl_qexpr_t *args[2] = { col, rhs }, *e;
        if ((rc = sl_qbind_call(b, n, name, strlen(name), args, 2, &e)))
            return rc;
        if (acc) {
            sl_qexpr_t *pair[2] = { acc, e };
            const char *j = negated ? "and" : "or";
            if ((rc = sl_qbind_call(b, n, j, strlen(j), pair, 2, &e)))
                return rc;
        }
        acc = e;
    }
    *out = acc ? acc : sl_qbind_const(b, sl_qvec_const_bool(negated), n);
    return 0;
}

static int bind_args(sl_qbind_t *b, const sl_query_list_t *list, const sl_qschema_t *in,
                     sl_qexpr_t **args)
{
    for (size_t k = 0; k < list->n; k++) {
        const sl_query_node_t *a = list->v[k];
        if (a->kind == SL_QUERY_N_STAR)
            return at_error(b, SL_ESEMANTIC, a, "%.*s'*' is not allowed here", "", 0);
        if (a->kind == SL_QUERY_N_NAMED_ARG)
            return at_error(b, SL_EUNSUPPORTED, a,
                            "%.*snamed arguments (name = value) are not supported", "", 0);
        int rc = bind(b, a, in, &args[k]);
        if (rc)
            return rc;
    }
    return 0;
}

static int bind_call(sl_qbind_t *b, const sl_query_node_t *n, const sl_qschema_t *in,
                     sl_qexpr_t **out)
{
    for (size_t i = 0; i < b->naggsub; i++) {
        if (b->aggsub[i] == n) {
            /* An aggregate inside a summarize expression: its column. */
            sl_qexpr_t *e = sl_pool_calloc(b->pool, sizeof *e);
            e->kind = SL_QX_COL;
            e->col = b->aggsub_col[i];
            e->type = in->types[e->col];
            e->pos = n->pos;
            *out = e;
            return 0;
        }
    }
    const sl_query_node_t *f = n->call.fn;
    if (f->kind != SL_QUERY_N_NAME)
        return at_error(b, SL_EUNSUPPORTED, n, "%.*sscoped function calls are not supported", "",
                        0);
    const char *name = f->name.s;
    size_t nlen = f->name.n;
    const sl_query_list_t *al = &n->call.args;
    /* column_ifexists("name", default): resolved here, by name. */
    if ((nlen == 15 && !memcmp(name, "column_ifexists", 15)) ||
        (nlen == 14 && !memcmp(name, "columnifexists", 14))) {
        if (al->n != 2 || al->v[0]->kind != SL_QUERY_N_LITERAL ||
            al->v[0]->lit.type != SL_QUERY_TY_STRING)
            return at_error(b, SL_ESEMANTIC, n,
                            "%.*scolumn_ifexists() takes a column name (string literal) and a "
                            "default value",
                            "", 0);
        const sl_query_lit_t *l = &al->v[0]->lit;
        if (in)
            for (size_t i = 0; i < in->n; i++)
                if (strlen(in->names[i]) == l->str.n && !memcmp(in->names[i], l->str.s, l->str.n)) {
                    sl_qexpr_t *e = sl_pool_calloc(b->pool, sizeof *e);
                    e->kind = SL_QX_COL;
                    e->col = i;
                    e->type = in->types[i];
                    e->pos = n->pos;
                    *out = e;
                    return 0;
                }
        return bind(b, al->v[1], in, out);
    }
    sl_qexpr_t **args = sl_pool_calloc(b->pool, (al->n + 1) * sizeof *args);
    /* The `in` family: an argument that is a table becomes its values. */
    int rc = bind_args(b, al, in, args);
    if (rc)
        return rc;
    return sl_qbind_call(b, n, name, nlen, args, al->n, out);
}

static int bind_in(sl_qbind_t *b, const sl_query_node_t *n, const sl_qschema_t *in,
                   sl_qexpr_t **out)
{
    size_t nitems = n->in.items.n;
    sl_qexpr_t **args = sl_pool_calloc(b->pool, (nitems + 2) * sizeof *args);
    int rc = bind(b, n->in.lhs, in, &args[0]);
    for (size_t k = 0; !rc && k < nitems; k++) {
        const sl_query_node_t *it = n->in.items.v[k];
        if (is_tabular_item(b, it, in))
            rc = subquery_values(b, it, &args[k + 1]);
        else
            rc = bind(b, it, in, &args[k + 1]);
    }
    if (rc)
        return rc;
    const char *name = sl_query_op_name(n->in.op);
    return sl_qbind_call(b, n, name, strlen(name), args, nitems + 1, out);
}

static int bind(sl_qbind_t *b, const sl_query_node_t *n, const sl_qschema_t *in,
                sl_qexpr_t **out)
{
    int rc;
    switch (n->kind) {
    case SL_QUERY_N_LITERAL:
        return sl_qbind_literal(b, n, out);
    case SL_QUERY_N_NAME:
        if (n->name.wildcard)
            return at_error(b, SL_ESEMANTIC, n, "%.*swildcards are not allowed here", "", 0);
        return bind_name(b, n, in, out);
    case SL_QUERY_N_BINARY: {
        if (n->bin.op == SL_QUERY_OP_TERM)
            return at_error(b, SL_EUNSUPPORTED, n, "%.*s'Column:term' is only valid in search",
                            "", 0);
        if (n->bin.lhs->kind == SL_QUERY_N_STAR)
            return bind_any_column(b, n, in, out);
        sl_qexpr_t *args[2];
        rc = bind(b, n->bin.lhs, in, &args[0]);
        if (!rc)
            rc = bind(b, n->bin.rhs, in, &args[1]);
        if (rc)
            return rc;
        const char *name = sl_query_op_name(n->bin.op);
        return sl_qbind_call(b, n, name, strlen(name), args, 2, out);
    }
    case SL_QUERY_N_UNARY: {
        sl_qexpr_t *arg;
        rc = bind(b, n->un.arg, in, &arg);
        if (rc)
            return rc;
        const char *name = n->un.op == SL_QUERY_OP_NEG ? "-" : "+";
        return sl_qbind_call(b, n, name, 1, &arg, 1, out);
    }
    case SL_QUERY_N_IN:
        return bind_in(b, n, in, out);
    case SL_QUERY_N_BETWEEN: {
        sl_qexpr_t *args[3];
        rc = bind(b, n->between.lhs, in, &args[0]);
        if (!rc)
            rc = bind(b, n->between.lo, in, &args[1]);
        if (!rc)
            rc = bind(b, n->between.hi, in, &args[2]);
        if (rc)
            return rc;
        const char *name = n->between.negated ? "!between" : "between";
        return sl_qbind_call(b, n, name, strlen(name), args, 3, out);
    }
    case SL_QUERY_N_CALL:
        return bind_call(b, n, in, out);
    case SL_QUERY_N_MEMBER: {
        sl_qexpr_t *args[2];
        rc = bind(b, n->member.base, in, &args[0]);
        if (rc)
            return rc;
        const sl_query_node_t *nm = n->member.name;
        args[1] = sl_qbind_const(b, sl_qvec_const_text(SL_TYPE_STRING, nm->name.s, nm->name.n),
                                 nm);
        return sl_qbind_call(b, n, ".member", 7, args, 2, out);
    }
    case SL_QUERY_N_INDEX: {
        sl_qexpr_t *args[2];
        rc = bind(b, n->index.base, in, &args[0]);
        if (!rc)
            rc = bind(b, n->index.index, in, &args[1]);
        if (rc)
            return rc;
        return sl_qbind_call(b, n, "[]", 2, args, 2, out);
    }
    case SL_QUERY_N_STAR:
        return at_error(b, SL_ESEMANTIC, n, "%.*s'*' is not allowed here", "", 0);
    default:
        if (sl_query_kind_is_tabular(n->kind))
            return at_error(b, SL_ESEMANTIC, n,
                            "%.*sa tabular expression cannot be used as a scalar value", "", 0);
        return at_error(b, SL_ESEMANTIC, n, "unexpected '%.*s' in an expression",
                        sl_query_kind_name(n->kind), strlen(sl_query_kind_name(n->kind)));
    }
}

int sl_qbind_expr(sl_qbind_t *b, const sl_query_node_t *n, const sl_qschema_t *in,
                  sl_qexpr_t **out)
{
    return bind(b, n, in, out);
}

/* ---- Generated names ------------------------------------------------------- */

/* Functions whose result column is named after their first argument. */
static const char *const name_passing_fns[] = {
    "bin", "floor", "tostring", "toint", "tolong", "todouble", "toreal", "todecimal",
    "todatetime", "totimespan", "totime", "tobool", "toboolean", "toguid", "todynamic",
    "parse_json", NULL,
};

static void path_name(const sl_query_node_t *n, sl_buf_t *out, bool *ok)
{
    switch (n->kind) {
    case SL_QUERY_N_NAME:
        sl_buf_append(out, n->name.s, n->name.n);
        return;
    case SL_QUERY_N_MEMBER:
        path_name(n->member.base, out, ok);
        sl_buf_putc(out, '_');
        sl_buf_append(out, n->member.name->name.s, n->member.name->name.n);
        return;
    case SL_QUERY_N_INDEX: {
        path_name(n->index.base, out, ok);
        const sl_query_node_t *ix = n->index.index;
        if (ix->kind == SL_QUERY_N_LITERAL && ix->lit.type == SL_QUERY_TY_STRING) {
            sl_buf_putc(out, '_');
            sl_buf_append(out, ix->lit.str.s, ix->lit.str.n);
        } else if (ix->kind == SL_QUERY_N_LITERAL &&
                   (ix->lit.type == SL_QUERY_TY_LONG || ix->lit.type == SL_QUERY_TY_INT)) {
            sl_buf_printf(out, "_%lld", (long long)ix->lit.i);
        } else {
            *ok = false;
        }
        return;
    }
    case SL_QUERY_N_CALL:
        if (n->call.fn->kind == SL_QUERY_N_NAME && n->call.args.n >= 1 &&
            in_list(name_passing_fns, n->call.fn->name.s, n->call.fn->name.n)) {
            path_name(n->call.args.v[0], out, ok);
            return;
        }
        *ok = false;
        return;
    default:
        *ok = false;
        return;
    }
}

const char *sl_qbind_infer_name(sl_qbind_t *b, const sl_query_node_t *n)
{
    sl_buf_t nm = SL_BUF_INIT;
    bool ok = true;
    path_name(n, &nm, &ok);
    const char *r = ok && nm.len ? sl_pool_strndup(b->pool, nm.data, nm.len) : NULL;
    sl_buf_dispose(&nm);
    return r;
}
