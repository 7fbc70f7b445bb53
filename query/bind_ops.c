/*
 * Binding the row operators of a pipeline: where, project and its family,
 * extend, sort, top, take, distinct, count, render, serialize, getschema.
 * (summarize is in bind_summarize.c, union in bind_tab.c.)
 *
 * Output column names follow Kusto: an assigned name, else the inferred
 * name of the expression (sl_qbind_infer_name), else Column1, Column2...
 * `extend` replaces a column of the same name in place; `project` may not
 * produce a name twice.
 */
#include "query/query_int.h"

#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

static int err_at(sl_qbind_t *b, int code, const sl_query_node_t *n, const char *fmt,
                  const char *arg)
{
    char msg[240];
    snprintf(msg, sizeof msg, fmt, arg);
    if (b->op)
        return sl_diag_set(b->d, code, "'%s' operator: %s (line %u, column %u)", b->op, msg,
                           n->pos.line, n->pos.col);
    return sl_diag_set(b->d, code, "%s (line %u, column %u)", msg, n->pos.line, n->pos.col);
}

const char *sl_qbind_column_name(sl_qbind_t *b, const sl_qschema_t *s, int *counter)
{
    for (;;) {
        const char *nm = sl_pool_printf(b->pool, "Column%d", ++*counter);
        if (!s || sl_qschema_find(s, nm) < 0)
            return nm;
    }
}

static sl_qexpr_t *col_ref(sl_qbind_t *b, const sl_qschema_t *in, size_t c)
{
    sl_qexpr_t *e = sl_pool_calloc(b->pool, sizeof *e);
    e->kind = SL_QX_COL;
    e->col = c;
    e->type = in->types[c];
    return e;
}

static char *name_of(sl_qbind_t *b, const sl_query_node_t *nm)
{
    return sl_pool_strndup(b->pool, nm->name.s, nm->name.n);
}

/* ---- where --------------------------------------------------------------- */

static int bind_where(sl_qbind_t *b, const sl_query_node_t *op, sl_qplan_t *in,
                      sl_qplan_t **out)
{
    sl_qexpr_t *pred;
    int rc = sl_qbind_expr(b, op->where.pred, &in->out, &pred);
    if (rc)
        return rc;
    if (pred->type == SL_TYPE_DYNAMIC) {
        rc = sl_qbind_cast(b, &pred, SL_TYPE_BOOL, b->d);
        if (rc)
            return rc;
    }
    if (pred->type != SL_TYPE_BOOL)
        return err_at(b, SL_ESEMANTIC, op->where.pred,
                      "the predicate must be a bool expression, not %s", sl_type_name(pred->type));
    sl_qplan_t *p = sl_qplan_new(b, SL_QP_FILTER, in, in->out.n);
    memcpy(p->out.names, in->out.names, in->out.n * sizeof *p->out.names);
    memcpy(p->out.types, in->out.types, in->out.n * sizeof *p->out.types);
    p->filter.pred = pred;
    *out = p;
    return 0;
}

/* ---- project / extend ----------------------------------------------------- */

/* A PROJECT plan under construction. */
typedef struct proj {
    sl_qplan_t *p;
    size_t cap;
} proj_t;

static void proj_init(sl_qbind_t *b, proj_t *pr, sl_qplan_t *in, size_t cap)
{
    pr->cap = cap;
    pr->p = sl_qplan_new(b, SL_QP_PROJECT, in, cap);
    pr->p->out.n = 0;
    pr->p->project.exprs = sl_pool_calloc(b->pool, (cap + 1) * sizeof(sl_qexpr_t *));
}

static void proj_add(proj_t *pr, const char *name, sl_qexpr_t *e)
{
    sl_qplan_t *p = pr->p;
    p->out.names[p->out.n] = name;
    p->out.types[p->out.n] = e->type;
    p->project.exprs[p->out.n++] = e;
}

static int bind_items(sl_qbind_t *b, const sl_query_node_t *op, sl_qplan_t *in, bool extend,
                      sl_qplan_t **out)
{
    const sl_query_list_t *items = &op->items.items;
    proj_t pr;
    proj_init(b, &pr, in, (extend ? in->out.n : 0) + items->n + 1);
    if (extend)
        for (size_t c = 0; c < in->out.n; c++)
            proj_add(&pr, in->out.names[c], col_ref(b, &in->out, c));
    int counter = 0;
    for (size_t i = 0; i < items->n; i++) {
        const sl_query_node_t *it = items->v[i];
        const sl_query_node_t *e = it;
        const char *name = NULL;
        if (it->kind == SL_QUERY_N_ASSIGN) {
            if (it->assign.names.n != 1)
                return err_at(b, SL_ESEMANTIC, it,
                              "%sonly one name can be assigned here", "");
            name = name_of(b, it->assign.names.v[0]);
            e = it->assign.value;
        } else if (it->kind == SL_QUERY_N_NAME && it->name.wildcard) {
            if (extend)
                return err_at(b, SL_ESEMANTIC, it, "%swildcards are not allowed in extend", "");
            bool any = false;
            for (size_t c = 0; c < in->out.n; c++) {
                char *pat = name_of(b, it);
                if (fnmatch(pat, in->out.names[c], 0) == 0 &&
                    sl_qschema_find(&pr.p->out, in->out.names[c]) < 0) {
                    proj_add(&pr, in->out.names[c], col_ref(b, &in->out, c));
                    any = true;
                }
            }
            (void)any;
            continue;
        }
        sl_qexpr_t *x;
        int rc = sl_qbind_expr(b, e, &in->out, &x);
        if (rc)
            return rc;
        if (!name)
            name = sl_qbind_infer_name(b, e);
        if (!name)
            name = sl_qbind_column_name(b, &pr.p->out, &counter);
        int at = sl_qschema_find(&pr.p->out, name);
        if (at >= 0) {
            if (!extend)
                return err_at(b, SL_ESEMANTIC, it,
                              "column '%s' appears more than once in the projection", name);
            /* extend: a new value for an existing column, in place. */
            pr.p->out.types[at] = x->type;
            pr.p->project.exprs[at] = x;
            continue;
        }
        proj_add(&pr, name, x);
    }
    *out = pr.p;
    return 0;
}

/* project-away / project-keep: names with wildcards. */
static int bind_away_keep(sl_qbind_t *b, const sl_query_node_t *op, sl_qplan_t *in, bool keep,
                          sl_qplan_t **out)
{
    const sl_query_list_t *items = &op->items.items;
    bool *hit = sl_pool_calloc(b->pool, in->out.n + 1);
    for (size_t i = 0; i < items->n; i++) {
        const sl_query_node_t *it = items->v[i];
        char *pat = name_of(b, it);
        bool any = false;
        for (size_t c = 0; c < in->out.n; c++) {
            bool m = it->name.wildcard ? fnmatch(pat, in->out.names[c], 0) == 0
                                       : !strcmp(pat, in->out.names[c]);
            if (m)
                hit[c] = any = true;
        }
        if (!any && !it->name.wildcard)
            return err_at(b, SL_ESEMANTIC, it, "Failed to resolve column named '%s'", pat);
    }
    proj_t pr;
    proj_init(b, &pr, in, in->out.n + 1);
    for (size_t c = 0; c < in->out.n; c++)
        if (hit[c] == keep)
            proj_add(&pr, in->out.names[c], col_ref(b, &in->out, c));
    *out = pr.p;
    return 0;
}

static int bind_rename(sl_qbind_t *b, const sl_query_node_t *op, sl_qplan_t *in,
                       sl_qplan_t **out)
{
    proj_t pr;
    proj_init(b, &pr, in, in->out.n + 1);
    for (size_t c = 0; c < in->out.n; c++)
        proj_add(&pr, in->out.names[c], col_ref(b, &in->out, c));
    const sl_query_list_t *items = &op->items.items;
    for (size_t i = 0; i < items->n; i++) {
        const sl_query_node_t *it = items->v[i];
        if (it->kind != SL_QUERY_N_ASSIGN || it->assign.value->kind != SL_QUERY_N_NAME)
            return err_at(b, SL_ESEMANTIC, it, "%sexpected NewName = ExistingName", "");
        char *old = name_of(b, it->assign.value), *nw = name_of(b, it->assign.names.v[0]);
        int at = sl_qschema_find(&in->out, old);
        if (at < 0)
            return err_at(b, SL_ESEMANTIC, it->assign.value,
                          "Failed to resolve column named '%s'", old);
        int clash = sl_qschema_find(&pr.p->out, nw);
        if (clash >= 0 && clash != at)
            return err_at(b, SL_ESEMANTIC, it, "a column named '%s' already exists", nw);
        pr.p->out.names[at] = nw;
    }
    *out = pr.p;
    return 0;
}

static int bind_reorder(sl_qbind_t *b, const sl_query_node_t *op, sl_qplan_t *in,
                        sl_qplan_t **out)
{
    proj_t pr;
    proj_init(b, &pr, in, in->out.n + 1);
    bool *used = sl_pool_calloc(b->pool, in->out.n + 1);
    const sl_query_list_t *items = &op->items.items;
    for (size_t i = 0; i < items->n; i++) {
        const sl_query_node_t *it = items->v[i];
        if (it->kind == SL_QUERY_N_SORTKEY)
            it = it->sortkey.expr;
        if (it->kind != SL_QUERY_N_NAME)
            return err_at(b, SL_ESEMANTIC, it, "%sexpected a column name", "");
        char *pat = name_of(b, it);
        for (size_t c = 0; c < in->out.n; c++) {
            bool m = it->name.wildcard ? fnmatch(pat, in->out.names[c], 0) == 0
                                       : !strcmp(pat, in->out.names[c]);
            if (m && !used[c]) {
                used[c] = true;
                proj_add(&pr, in->out.names[c], col_ref(b, &in->out, c));
            }
        }
    }
    for (size_t c = 0; c < in->out.n; c++)
        if (!used[c])
            proj_add(&pr, in->out.names[c], col_ref(b, &in->out, c));
    *out = pr.p;
    return 0;
}

/* ---- sort / top / take / distinct / count ---------------------------------- */

static int const_count(sl_qbind_t *b, const sl_query_node_t *n, int64_t *v)
{
    sl_qexpr_t *e;
    int rc = sl_qbind_expr(b, n, NULL, &e);
    if (rc)
        return rc;
    if (!sl_qtype_is_numeric(e->type) || !sl_qexpr_const_i64(e, v) || *v < 0)
        return err_at(b, SL_ESEMANTIC, n, "%sthe row count must be a non-negative number", "");
    return 0;
}

static int bind_sort(sl_qbind_t *b, const sl_query_node_t *op, sl_qplan_t *in,
                     const sl_query_list_t *keys, int64_t limit, sl_qplan_t **out)
{
    sl_qplan_t *p = sl_qplan_new(b, SL_QP_SORT, in, in->out.n);
    memcpy(p->out.names, in->out.names, in->out.n * sizeof *p->out.names);
    memcpy(p->out.types, in->out.types, in->out.n * sizeof *p->out.types);
    p->sort.nkeys = keys->n;
    p->sort.keys = sl_pool_calloc(b->pool, (keys->n + 1) * sizeof *p->sort.keys);
    p->sort.desc = sl_pool_calloc(b->pool, keys->n + 1);
    p->sort.nulls_first = sl_pool_calloc(b->pool, keys->n + 1);
    p->sort.limit = limit;
    for (size_t k = 0; k < keys->n; k++) {
        const sl_query_node_t *sk = keys->v[k];
        int rc = sl_qbind_expr(b, sk->sortkey.expr, &in->out, &p->sort.keys[k]);
        if (rc)
            return rc;
        if (p->sort.keys[k]->type == SL_TYPE_DYNAMIC)
            return err_at(b, SL_ESEMANTIC, sk,
                          "%scannot sort by a dynamic value; convert it first (tostring, tolong)",
                          "");
        p->sort.desc[k] = sk->sortkey.order != SL_QUERY_ORDER_ASC;
        p->sort.nulls_first[k] = sk->sortkey.nulls_first;
    }
    (void)op;
    *out = p;
    return 0;
}

static int bind_distinct(sl_qbind_t *b, const sl_query_node_t *op, sl_qplan_t *in,
                         sl_qplan_t **out)
{
    const sl_query_list_t *items = &op->items.items;
    bool star = items->n == 1 && items->v[0]->kind == SL_QUERY_N_STAR;
    size_t n = star ? in->out.n : items->n;
    sl_qplan_t *p = sl_qplan_new(b, SL_QP_DISTINCT, in, n);
    p->distinct.n = n;
    p->distinct.exprs = sl_pool_calloc(b->pool, (n + 1) * sizeof *p->distinct.exprs);
    p->out.n = 0;
    int counter = 0;
    for (size_t i = 0; i < n; i++) {
        sl_qexpr_t *x;
        const char *name;
        if (star) {
            x = col_ref(b, &in->out, i);
            name = in->out.names[i];
        } else {
            const sl_query_node_t *it = items->v[i], *e = it;
            name = NULL;
            if (it->kind == SL_QUERY_N_ASSIGN) {
                name = name_of(b, it->assign.names.v[0]);
                e = it->assign.value;
            }
            int rc = sl_qbind_expr(b, e, &in->out, &x);
            if (rc)
                return rc;
            if (!name)
                name = sl_qbind_infer_name(b, e);
            if (!name)
                name = sl_qbind_column_name(b, &p->out, &counter);
            if (sl_qschema_find(&p->out, name) >= 0)
                return err_at(b, SL_ESEMANTIC, it, "column '%s' appears more than once", name);
        }
        p->out.names[p->out.n] = name;
        p->out.types[p->out.n++] = x->type;
        p->distinct.exprs[i] = x;
    }
    *out = p;
    return 0;
}

static int bind_getschema(sl_qbind_t *b, sl_qplan_t *in, sl_qplan_t **out)
{
    sl_qplan_t *p = sl_qplan_new(b, SL_QP_VALUES, NULL, 4);
    static const char *const names[] = { "ColumnName", "ColumnOrdinal", "DataType",
                                         "ColumnType" };
    static const sl_type_t types[] = { SL_TYPE_STRING, SL_TYPE_INT, SL_TYPE_STRING,
                                       SL_TYPE_STRING };
    sl_qbatch_init(&p->values.rows, 4);
    for (size_t c = 0; c < 4; c++) {
        p->out.names[c] = names[c];
        p->out.types[c] = types[c];
        p->values.rows.cols[c] = sl_qvec_new(types[c], 0);
    }
    static const char *const clr[] = { "", "System.SByte", "System.Int32", "System.Int64",
                                       "System.Double", "System.DateTime", "System.TimeSpan",
                                       "System.String", "System.Guid", "System.Object" };
    for (size_t c = 0; c < in->out.n; c++) {
        sl_type_t t = in->out.types[c];
        sl_qvec_push_text(p->values.rows.cols[0], in->out.names[c], strlen(in->out.names[c]));
        sl_qagg_push_i64(p->values.rows.cols[1], (int64_t)c);
        sl_qvec_push_text(p->values.rows.cols[2], clr[t], strlen(clr[t]));
        sl_qvec_push_text(p->values.rows.cols[3], sl_type_name(t), strlen(sl_type_name(t)));
    }
    p->values.rows.n = in->out.n;
    /* Nothing of the input is read. */
    *out = p;
    return 0;
}

static void batch_free(void *arg)
{
    sl_qbatch_dispose(arg);
}

int sl_qbind_operator(sl_qbind_t *b, const sl_query_node_t *op, sl_qplan_t *in,
                      sl_qplan_t **out)
{
    b->op = sl_query_kind_name(op->kind);
    int rc;
    switch (op->kind) {
    case SL_QUERY_N_WHERE:
        b->op = "where";
        return bind_where(b, op, in, out);
    case SL_QUERY_N_PROJECT:
        return bind_items(b, op, in, false, out);
    case SL_QUERY_N_EXTEND:
        return bind_items(b, op, in, true, out);
    case SL_QUERY_N_SERIALIZE:
        if (!op->items.items.n) {
            *out = in;
            return 0;
        }
        return bind_items(b, op, in, true, out);
    case SL_QUERY_N_PROJECT_AWAY:
        return bind_away_keep(b, op, in, false, out);
    case SL_QUERY_N_PROJECT_KEEP:
        return bind_away_keep(b, op, in, true, out);
    case SL_QUERY_N_PROJECT_RENAME:
        return bind_rename(b, op, in, out);
    case SL_QUERY_N_PROJECT_REORDER:
        return bind_reorder(b, op, in, out);
    case SL_QUERY_N_SUMMARIZE:
        return sl_qbind_summarize(b, op, in, out);
    case SL_QUERY_N_SORT:
        return bind_sort(b, op, in, &op->sort.keys, -1, out);
    case SL_QUERY_N_TOP: {
        int64_t n;
        rc = const_count(b, op->top.count, &n);
        if (rc)
            return rc;
        sl_query_list_t one = { (sl_query_node_t **)&op->top.key, 1 };
        return bind_sort(b, op, in, &one, n, out);
    }
    case SL_QUERY_N_TAKE: {
        sl_qplan_t *p = sl_qplan_new(b, SL_QP_TAKE, in, in->out.n);
        memcpy(p->out.names, in->out.names, in->out.n * sizeof *p->out.names);
        memcpy(p->out.types, in->out.types, in->out.n * sizeof *p->out.types);
        rc = const_count(b, op->take.count, &p->take.n);
        if (!rc)
            *out = p;
        return rc;
    }
    case SL_QUERY_N_DISTINCT:
        return bind_distinct(b, op, in, out);
    case SL_QUERY_N_COUNT: {
        sl_qplan_t *p = sl_qplan_new(b, SL_QP_COUNT, in, 1);
        p->out.names[0] = op->count.as_name ? name_of(b, op->count.as_name) : "Count";
        p->out.types[0] = SL_TYPE_LONG;
        *out = p;
        return 0;
    }
    case SL_QUERY_N_RENDER:
        if (b->bound) {
            b->bound->visualization = op->render.visualization;
            b->bound->render_props = op->render.props;
        }
        *out = in;
        return 0;
    case SL_QUERY_N_GETSCHEMA:
        rc = bind_getschema(b, in, out);
        if (!rc)
            sl_pool_cleanup_add(b->pool, batch_free, &(*out)->values.rows);
        return rc;
    case SL_QUERY_N_UNSUPPORTED:
        return err_at(b, SL_EUNSUPPORTED, op, "'%s' is not supported", op->unsupported.name);
    default:
        return err_at(b, SL_EUNSUPPORTED, op, "'%s' is not supported",
                      sl_query_kind_name(op->kind));
    }
}
