/*
 * Binding tabular expressions: statements, sources and pipelines.
 *
 * A table name resolves in every workspace of the request (the API's
 * `workspaces` list widens a query the way a union would); a name found in
 * none of them is an error, as in Azure. `workspace("x").T` names one
 * workspace. A union whose legs are all plain table references becomes one
 * scan with several legs, so that its blocks are read in one parallel pass;
 * other unions combine the results of their legs.
 *
 * A scan's columns are the union of its legs' stored columns (by name; a
 * name stored with different types in different legs gets one column per
 * type, suffixed `_<type>` as Kusto does), then the virtual columns
 * `TenantId` and `Type`.
 */
#include "query/query_int.h"

#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

sl_qplan_t *sl_qplan_new(sl_qbind_t *b, sl_qp_kind_t kind, sl_qplan_t *input, size_t ncols)
{
    sl_qplan_t *p = sl_pool_calloc(b->pool, sizeof *p);
    p->kind = kind;
    p->input = input;
    p->out.n = ncols;
    p->out.names = sl_pool_calloc(b->pool, (ncols + 1) * sizeof *p->out.names);
    p->out.types = sl_pool_calloc(b->pool, (ncols + 1) * sizeof *p->out.types);
    p->need = sl_pool_calloc(b->pool, ncols + 1);
    return p;
}

static int err_at(sl_qbind_t *b, int code, const sl_query_node_t *n, const char *msg)
{
    return sl_diag_set(b->d, code, "%s (line %u, column %u)", msg, n->pos.line, n->pos.col);
}

/* ---- Scans --------------------------------------------------------------- */

typedef struct leg_list {
    sl_qleg_t *v;
    size_t n, cap;
} leg_list_t;

static void leg_add(sl_qbind_t *b, leg_list_t *l, const sl_guid_t *ws, const sl_table_def_t *def)
{
    for (size_t i = 0; i < l->n; i++)
        if (!memcmp(l->v[i].ws.b, ws->b, 16) && !strcmp(l->v[i].table, def->name))
            return; /* the same table twice (union T, T*): read once */
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        sl_qleg_t *v = sl_pool_calloc(b->pool, cap * sizeof *v);
        if (l->n)
            memcpy(v, l->v, l->n * sizeof *v);
        l->v = v;
        l->cap = cap;
    }
    sl_qleg_t *g = &l->v[l->n++];
    g->ws = *ws;
    g->table = sl_pool_strdup(b->pool, def->name);
    g->ncols = def->ncols;
    g->colnames = sl_pool_calloc(b->pool, (def->ncols + 1) * sizeof *g->colnames);
    g->coltypes = sl_pool_calloc(b->pool, (def->ncols + 1) * sizeof *g->coltypes);
    g->map = sl_pool_calloc(b->pool, (def->ncols + 1) * sizeof *g->map);
    for (size_t c = 0; c < def->ncols; c++) {
        g->colnames[c] = sl_pool_strdup(b->pool, def->cols[c].name);
        g->coltypes[c] = def->cols[c].type;
    }
}

/* Adds the tables matching `name` (a wildcard pattern when `wild`) of
 * workspace ws. Returns how many matched. */
static size_t add_tables(sl_qbind_t *b, leg_list_t *l, const sl_guid_t *ws, const char *name,
                         bool wild)
{
    sl_store_t *st = b->src->store;
    if (!wild) {
        sl_table_def_t def;
        if (sl_store_table_get(st, ws, name, &def))
            return 0;
        leg_add(b, l, ws, &def);
        sl_table_def_dispose(&def);
        return 1;
    }
    sl_table_def_t *defs;
    size_t n, hits = 0;
    if (sl_store_table_list(st, ws, &defs, &n))
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (fnmatch(name, defs[i].name, 0) == 0) {
            leg_add(b, l, ws, &defs[i]);
            hits++;
        }
    }
    sl_table_list_free(defs, n);
    return hits;
}

/* Whether `name` is stored with another type than `t` by any leg: then,
 * as in Kusto, every column of that name is suffixed with its type
 * (`Version_string`, `Version_int`). */
static bool legs_disagree(const leg_list_t *l, const char *name, sl_type_t t)
{
    for (size_t i = 0; i < l->n; i++)
        for (size_t c = 0; c < l->v[i].ncols; c++)
            if (l->v[i].coltypes[c] != t && !strcmp(l->v[i].colnames[c], name))
                return true;
    return false;
}

static sl_qplan_t *scan_from_legs(sl_qbind_t *b, leg_list_t *l, const char *withsource)
{
    /* Output columns: withsource first, then stored columns by first
     * appearance, then TenantId and Type unless stored. */
    size_t cap = (withsource ? 1 : 0) + 2;
    for (size_t i = 0; i < l->n; i++)
        cap += l->v[i].ncols;
    sl_qplan_t *p = sl_qplan_new(b, SL_QP_SCAN, NULL, cap);
    sl_qschema_t *o = &p->out;
    o->n = 0;
    p->scan.source_col = p->scan.type_col = p->scan.tenant_col = -1;
    if (withsource) {
        p->scan.source_col = (int)o->n;
        o->names[o->n] = withsource;
        o->types[o->n++] = SL_TYPE_STRING;
    }
    for (size_t i = 0; i < l->n; i++) {
        sl_qleg_t *g = &l->v[i];
        for (size_t c = 0; c < g->ncols; c++) {
            const char *nm = g->colnames[c];
            if (legs_disagree(l, nm, g->coltypes[c]))
                nm = sl_pool_printf(b->pool, "%s_%s", nm, sl_type_name(g->coltypes[c]));
            int at = sl_qschema_find(o, nm);
            if (at < 0) {
                at = (int)o->n;
                o->names[o->n] = nm;
                o->types[o->n++] = g->coltypes[c];
            }
            g->map[c] = at;
        }
    }
    if (sl_qschema_find(o, "TenantId") < 0) {
        p->scan.tenant_col = (int)o->n;
        o->names[o->n] = "TenantId";
        o->types[o->n++] = SL_TYPE_STRING;
    }
    if (sl_qschema_find(o, "Type") < 0) {
        p->scan.type_col = (int)o->n;
        o->names[o->n] = "Type";
        o->types[o->n++] = SL_TYPE_STRING;
    }
    p->scan.legs = l->v;
    p->scan.nlegs = l->n;
    p->scan.t0 = INT64_MIN;
    p->scan.t1 = INT64_MAX;
    return p;
}

/* A table reference: NAME (maybe wildcard) over the request's workspaces,
 * or workspace("x").NAME. Adds legs; *found counts tables matched. */
static int table_ref(sl_qbind_t *b, const sl_query_node_t *n, leg_list_t *l, bool fuzzy)
{
    if (!b->src || !b->src->store)
        return err_at(b, SL_ESEMANTIC, n, "tables are not available here");
    const sl_query_node_t *nm = n;
    const sl_guid_t *ws = b->src->ws;
    size_t nws = b->src->nws;
    sl_guid_t one;
    if (n->kind == SL_QUERY_N_MEMBER) {
        const sl_query_node_t *c = n->member.base;
        const sl_query_list_t *a = &c->call.args;
        if (a->n != 1 || a->v[0]->kind != SL_QUERY_N_LITERAL ||
            a->v[0]->lit.type != SL_QUERY_TY_STRING)
            return err_at(b, SL_ESEMANTIC, c,
                          "workspace() takes one string literal: a workspace name, id or "
                          "resource id");
        if (!b->src->resolve_ws)
            return err_at(b, SL_ESEMANTIC, c, "workspace() is not available here");
        int rc = b->src->resolve_ws(b->src->resolve_arg, a->v[0]->lit.str.s, a->v[0]->lit.str.n,
                                    &one, b->d);
        if (rc) {
            char msg[sizeof b->d->msg];
            memcpy(msg, b->d->msg, sizeof msg);
            return sl_diag_set(b->d, rc, "%.250s (line %u, column %u)", msg, c->pos.line,
                               c->pos.col);
        }
        ws = &one;
        nws = 1;
        nm = n->member.name;
    }
    const char *name = sl_pool_strndup(b->pool, nm->name.s, nm->name.n);
    bool wild = nm->name.wildcard;
    size_t hits = 0;
    for (size_t i = 0; i < nws; i++)
        hits += add_tables(b, l, &ws[i], name, wild);
    if (!hits && !wild && !fuzzy) {
        char msg[200];
        snprintf(msg, sizeof msg, "Failed to resolve table expression named '%.120s'", name);
        return err_at(b, SL_ESEMANTIC, nm, msg);
    }
    return 0;
}

static bool is_workspace_member(const sl_query_node_t *n)
{
    if (n->kind != SL_QUERY_N_MEMBER)
        return false;
    const sl_query_node_t *c = n->member.base;
    return c->kind == SL_QUERY_N_CALL && c->call.fn->kind == SL_QUERY_N_NAME &&
           c->call.fn->name.n == 9 && !memcmp(c->call.fn->name.s, "workspace", 9);
}

/* ---- Union ----------------------------------------------------------------- */

static bool is_table_leg(sl_qbind_t *b, const sl_query_node_t *n)
{
    if (is_workspace_member(n))
        return true;
    if (n->kind != SL_QUERY_N_NAME)
        return false;
    sl_qlet_t *l = sl_qbind_let_find(b, n->name.s, n->name.n);
    return !l;
}

/* legs_disagree for the inputs of a union of pipelines. */
static bool inputs_disagree(sl_qplan_t *const *ins, size_t nin, const char *name, sl_type_t t)
{
    for (size_t i = 0; i < nin; i++)
        for (size_t c = 0; c < ins[i]->out.n; c++)
            if (ins[i]->out.types[c] != t && !strcmp(ins[i]->out.names[c], name))
                return true;
    return false;
}

static int bind_union(sl_qbind_t *b, const sl_query_node_t *u, sl_qplan_t *first,
                      sl_qplan_t **out)
{
    const sl_query_list_t *legs = &u->union_.legs;
    const char *ws_name = u->union_.withsource
                              ? sl_pool_strndup(b->pool, u->union_.withsource->name.s,
                                                u->union_.withsource->name.n)
                              : NULL;
    bool all_tables = !first;
    for (size_t i = 0; i < legs->n && all_tables; i++)
        all_tables = is_table_leg(b, legs->v[i]);
    if (all_tables && u->union_.outer) {
        leg_list_t l = { 0 };
        for (size_t i = 0; i < legs->n; i++) {
            int rc = table_ref(b, legs->v[i], &l, u->union_.isfuzzy);
            if (rc)
                return rc;
        }
        *out = scan_from_legs(b, &l, ws_name);
        return 0;
    }
    /* General union: bind every leg, then match columns by name. */
    size_t cap = legs->n + 1 + 64;
    sl_qplan_t **ins = sl_pool_calloc(b->pool, cap * sizeof *ins);
    const char **names = sl_pool_calloc(b->pool, cap * sizeof *names);
    size_t nin = 0;
    if (first) {
        names[nin] = "";
        ins[nin++] = first;
    }
    for (size_t i = 0; i < legs->n; i++) {
        const sl_query_node_t *g = legs->v[i];
        if (is_table_leg(b, g)) {
            leg_list_t l = { 0 };
            int rc = table_ref(b, g, &l, u->union_.isfuzzy);
            if (rc)
                return rc;
            for (size_t k = 0; k < l.n; k++) {
                if (nin == cap)
                    return err_at(b, SL_ELIMIT, g, "too many union legs");
                leg_list_t one = { &l.v[k], 1, 1 };
                names[nin] = l.v[k].table;
                ins[nin++] = scan_from_legs(b, &one, NULL);
            }
            continue;
        }
        sl_qplan_t *p;
        int rc = sl_qbind_tabular(b, g, &p);
        if (rc) {
            if (u->union_.isfuzzy && rc == SL_ESEMANTIC)
                continue;
            return rc;
        }
        if (nin == cap)
            return err_at(b, SL_ELIMIT, g, "too many union legs");
        names[nin] = sl_pool_printf(b->pool, "union_arg%zu", i);
        ins[nin++] = p;
    }
    size_t total = ws_name ? 1 : 0;
    for (size_t i = 0; i < nin; i++)
        total += ins[i]->out.n;
    sl_qplan_t *p = sl_qplan_new(b, SL_QP_UNION, NULL, total);
    p->out.n = 0;
    p->uni.source_col = -1;
    if (ws_name) {
        p->uni.source_col = 0;
        p->out.names[0] = ws_name;
        p->out.types[0] = SL_TYPE_STRING;
        p->out.n = 1;
    }
    p->uni.inputs = ins;
    p->uni.n = nin;
    p->uni.names = names;
    p->uni.maps = sl_pool_calloc(b->pool, (nin + 1) * sizeof *p->uni.maps);
    /* Maps are built against the final column list: first assign columns. */
    int **colof = sl_pool_calloc(b->pool, (nin + 1) * sizeof *colof);
    for (size_t i = 0; i < nin; i++) {
        const sl_qschema_t *s = &ins[i]->out;
        colof[i] = sl_pool_calloc(b->pool, (s->n + 1) * sizeof *colof[i]);
        for (size_t c = 0; c < s->n; c++) {
            const char *nm = s->names[c];
            if (inputs_disagree(ins, nin, nm, s->types[c]))
                nm = sl_pool_printf(b->pool, "%s_%s", nm, sl_type_name(s->types[c]));
            int at = sl_qschema_find(&p->out, nm);
            if (at < 0) {
                at = (int)p->out.n;
                p->out.names[p->out.n] = nm;
                p->out.types[p->out.n++] = s->types[c];
            }
            colof[i][c] = at;
        }
    }
    if (!u->union_.outer) {
        /* kind=inner: only the columns every leg has. */
        size_t keep = 0;
        int *remap = sl_pool_calloc(b->pool, (p->out.n + 1) * sizeof *remap);
        for (size_t c = 0; c < p->out.n; c++) {
            bool everywhere = (int)c == p->uni.source_col;
            if (!everywhere) {
                everywhere = true;
                for (size_t i = 0; i < nin && everywhere; i++) {
                    bool has = false;
                    for (size_t k = 0; k < ins[i]->out.n; k++)
                        has |= colof[i][k] == (int)c;
                    everywhere = has;
                }
            }
            remap[c] = everywhere ? (int)keep : -1;
            if (everywhere) {
                p->out.names[keep] = p->out.names[c];
                p->out.types[keep++] = p->out.types[c];
            }
        }
        p->out.n = keep;
        for (size_t i = 0; i < nin; i++)
            for (size_t k = 0; k < ins[i]->out.n; k++)
                colof[i][k] = colof[i][k] >= 0 ? remap[colof[i][k]] : -1;
        if (p->uni.source_col >= 0)
            p->uni.source_col = remap[p->uni.source_col];
    }
    for (size_t i = 0; i < nin; i++) {
        p->uni.maps[i] = sl_pool_calloc(b->pool, (p->out.n + 1) * sizeof(int));
        for (size_t c = 0; c < p->out.n; c++)
            p->uni.maps[i][c] = -1;
        for (size_t k = 0; k < ins[i]->out.n; k++)
            if (colof[i][k] >= 0)
                p->uni.maps[i][colof[i][k]] = (int)k;
    }
    *out = p;
    return 0;
}

/* ---- print ------------------------------------------------------------------ */

static void batch_free(void *arg)
{
    sl_qbatch_dispose(arg);
}

static int bind_print(sl_qbind_t *b, const sl_query_node_t *n, sl_qplan_t **out)
{
    const sl_query_list_t *items = &n->items.items;
    sl_qplan_t *p = sl_qplan_new(b, SL_QP_VALUES, NULL, items->n);
    sl_qbatch_init(&p->values.rows, items->n);
    p->values.rows.n = 1;
    sl_pool_cleanup_add(b->pool, batch_free, &p->values.rows);
    for (size_t i = 0; i < items->n; i++) {
        const sl_query_node_t *it = items->v[i];
        const sl_query_node_t *e = it->kind == SL_QUERY_N_ASSIGN ? it->assign.value : it;
        sl_qexpr_t *x;
        int rc = sl_qbind_expr(b, e, NULL, &x);
        if (rc)
            return rc;
        if (!sl_qexpr_is_const(x))
            return err_at(b, SL_ESEMANTIC, e, "print needs values it can compute once");
        const char *name = it->kind == SL_QUERY_N_ASSIGN
                               ? sl_pool_strndup(b->pool, it->assign.names.v[0]->name.s,
                                                 it->assign.names.v[0]->name.n)
                               : sl_pool_printf(b->pool, "print_%zu", i);
        p->out.names[i] = name;
        p->out.types[i] = x->type;
        /* Constant after folding (print has no input columns). */
        p->values.rows.cols[i] = sl_qvec_slice(x->konst, 0, 1);
    }
    *out = p;
    return 0;
}

/* ---- Sources and pipelines --------------------------------------------------- */

static int unsupported(sl_qbind_t *b, const sl_query_node_t *n, const char *what)
{
    char msg[160];
    snprintf(msg, sizeof msg, "'%s' is not supported", what);
    return err_at(b, SL_EUNSUPPORTED, n, msg);
}

static int bind_source(sl_qbind_t *b, const sl_query_node_t *n, sl_qplan_t **out)
{
    switch (n->kind) {
    case SL_QUERY_N_NAME: {
        sl_qlet_t *l = sl_qbind_let_find(b, n->name.s, n->name.n);
        if (l) {
            sl_qlet_t *scope, *saved = b->lets;
            const sl_query_node_t *t = sl_qbind_let_tabular(l, &scope);
            if (!t)
                return err_at(b, SL_ESEMANTIC, n,
                              "a scalar value cannot be used as a table");
            b->lets = scope;
            int rc = sl_qbind_tabular(b, t, out);
            b->lets = saved;
            return rc;
        }
        if (n->name.wildcard)
            return err_at(b, SL_ESEMANTIC, n, "a wildcard table name needs union");
        leg_list_t legs = { 0 };
        int rc = table_ref(b, n, &legs, false);
        if (!rc)
            *out = scan_from_legs(b, &legs, NULL);
        return rc;
    }
    case SL_QUERY_N_MEMBER:
        if (is_workspace_member(n)) {
            leg_list_t legs = { 0 };
            int rc = table_ref(b, n, &legs, false);
            if (!rc)
                *out = scan_from_legs(b, &legs, NULL);
            return rc;
        }
        return err_at(b, SL_ESEMANTIC, n, "this expression is not a table");
    case SL_QUERY_N_UNION:
        return bind_union(b, n, NULL, out);
    case SL_QUERY_N_PRINT:
        return bind_print(b, n, out);
    case SL_QUERY_N_PIPELINE:
        return sl_qbind_tabular(b, n, out);
    case SL_QUERY_N_SEARCH:
        return unsupported(b, n, "search");
    case SL_QUERY_N_RANGE:
        return unsupported(b, n, "range");
    case SL_QUERY_N_DATATABLE:
        return unsupported(b, n, "datatable");
    case SL_QUERY_N_EVALUATE:
        return unsupported(b, n, "evaluate");
    case SL_QUERY_N_UNSUPPORTED:
        return unsupported(b, n, n->unsupported.name);
    case SL_QUERY_N_CALL:
        if (n->call.fn->kind == SL_QUERY_N_NAME)
            return unsupported(b, n, sl_pool_strndup(b->pool, n->call.fn->name.s,
                                                     n->call.fn->name.n));
        return err_at(b, SL_ESEMANTIC, n, "this expression is not a table");
    default:
        return err_at(b, SL_ESEMANTIC, n, "this expression is not a table");
    }
}

int sl_qbind_tabular(sl_qbind_t *b, const sl_query_node_t *n, sl_qplan_t **out)
{
    if (n->kind != SL_QUERY_N_PIPELINE)
        return bind_source(b, n, out);
    if (!n->pipe.source)
        return err_at(b, SL_ESEMANTIC, n, "this pipeline has no input");
    sl_qplan_t *p;
    int rc = bind_source(b, n->pipe.source, &p);
    for (size_t i = 0; !rc && i < n->pipe.ops.n; i++) {
        const sl_query_node_t *op = n->pipe.ops.v[i];
        if (op->kind == SL_QUERY_N_UNION) {
            rc = bind_union(b, op, p, &p);
            continue;
        }
        rc = sl_qbind_operator(b, op, p, &p);
    }
    if (!rc)
        *out = p;
    return rc;
}

/* ---- Statements ----------------------------------------------------------------- */

static bool value_is_tabular(sl_qbind_t *b, const sl_query_node_t *v)
{
    if (sl_query_kind_is_tabular(v->kind))
        return true;
    if (is_workspace_member(v))
        return true;
    if (v->kind != SL_QUERY_N_NAME)
        return false;
    sl_qlet_t *l = sl_qbind_let_find(b, v->name.s, v->name.n);
    if (l)
        return sl_qbind_let_tabular(l, &(sl_qlet_t *){ NULL }) != NULL;
    return true; /* a table name */
}

static int bind_let(sl_qbind_t *b, const sl_query_node_t *s)
{
    const sl_query_node_t *nm = s->let.name, *v = s->let.value;
    if (s->let.let_kind != SL_QUERY_LET_VALUE)
        return err_at(b, SL_EUNSUPPORTED, s,
                      "user-defined functions and views (let f = (...) { ... }) are not "
                      "supported");
    if (value_is_tabular(b, v)) {
        sl_qbind_let_push(b, nm->name.s, nm->name.n, NULL, v);
        return 0;
    }
    sl_qexpr_t *e;
    const char *saved = b->op;
    b->op = NULL;
    int rc = sl_qbind_expr(b, v, NULL, &e);
    b->op = saved;
    if (rc)
        return rc;
    if (!sl_qexpr_is_const(e))
        return err_at(b, SL_ESEMANTIC, s, "a let value must be constant");
    sl_qbind_let_push(b, nm->name.s, nm->name.n, e, NULL);
    return 0;
}

int sl_qbind_query(sl_qbind_t *b, const sl_query_node_t *q, sl_qbound_t *out)
{
    memset(out, 0, sizeof *out);
    b->bound = out;
    size_t cap = q->query.stmts.n + 1;
    out->tables = sl_pool_calloc(b->pool, cap * sizeof *out->tables);
    for (size_t i = 0; i < q->query.stmts.n; i++) {
        const sl_query_node_t *s = q->query.stmts.v[i];
        int rc = 0;
        switch (s->kind) {
        case SL_QUERY_N_LET:
            rc = bind_let(b, s);
            break;
        case SL_QUERY_N_SET:
            break; /* request options: accepted, no effect */
        default:
            if (!value_is_tabular(b, s) && s->kind != SL_QUERY_N_PIPELINE)
                return err_at(b, SL_ESEMANTIC, s,
                              "a query statement must be a tabular expression (did you mean "
                              "'print'?)");
            rc = sl_qbind_tabular(b, s, &out->tables[out->ntables]);
            if (!rc)
                out->ntables++;
            break;
        }
        if (rc)
            return rc;
    }
    if (!out->ntables)
        return sl_diag_set(b->d, SL_ESEMANTIC,
                           "the query has no tabular expression to return (only let or set "
                           "statements)");
    return 0;
}
