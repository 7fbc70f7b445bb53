/*
 * Tabular operators after `|`: the dispatch on the operator keyword and the
 * operators with simple clause structure (where, project, extend, summarize,
 * sort, top, take, distinct, count, serialize, sample, as, getschema,
 * invoke, project-away/keep/rename/reorder, top-nested). join/lookup/union/
 * search live in parse_join.c; parse/parse-kv/mv-expand/mv-apply/render/
 * evaluate in parse_parse.c.
 *
 * Parameters (`hint.strategy=shuffle`) are accepted where Kql.g4 has
 * queryOperatorParameters. Operators whose body cannot begin with `name =`
 * (take, top, sort, distinct, sample, as) also keep unknown parameters; the
 * ones whose body can (summarize, serialize) only take hint.* there, so that
 * `summarize kind = count()` stays an aggregate named `kind`.
 */
#include "query/query_int.h"

/* Every operator node starts at its keyword, which the caller is on. */
static sl_query_node_t *op_node(sl_query__parser_t *p, sl_query_kind_t kind)
{
    sl_query_node_t *n = sl_query__node(p, kind, NULL);
    sl_query__next(p); /* the operator keyword */
    return n;
}

/* `where|filter [hint.*] Predicate` — the predicate is any expression, incl.
 * `* has "x"`; its type is the binder's business. */
static sl_query_node_t *op_where(sl_query__parser_t *p)
{
    sl_query_node_t *n = op_node(p, SL_QUERY_N_WHERE);
    if (!sl_query__parse_params(p, &n->where.params, NULL, false) ||
        !(n->where.pred = sl_query__parse_expr(p))) {
        return NULL;
    }
    return sl_query__finish(p, n);
}

/* project, extend, serialize: `[params] [Name =] expr, ...`. */
static sl_query_node_t *op_items(sl_query__parser_t *p, sl_query_kind_t kind, bool allow_empty)
{
    sl_query_node_t *n = op_node(p, kind);
    if (kind == SL_QUERY_N_SERIALIZE && !sl_query__parse_params(p, &n->items.params, NULL, false)) {
        return NULL;
    }
    if (allow_empty && sl_query__at_op_end(p)) {
        return sl_query__finish(p, n);
    }
    if (!sl_query__parse_named_list(p, &n->items.items)) {
        return NULL;
    }
    return sl_query__finish(p, n);
}

/* `summarize [hint.*] [[Name =] Agg, ...] [by [Name =] Key, ... [bin=N]]`.
 * Both lists may be empty (`summarize by a` dedups). Unnamed aggregates get
 * generated names (count_, sum_X) in the executor, not here. */
static sl_query_node_t *op_summarize(sl_query__parser_t *p)
{
    sl_query_node_t *n = op_node(p, SL_QUERY_N_SUMMARIZE);
    if (!sl_query__parse_params(p, &n->summarize.params, NULL, false)) {
        return NULL;
    }
    if (!sl_query__at_kw(p, SL_QUERY_KW_BY) && !sl_query__at_op_end(p) &&
        !sl_query__parse_named_list(p, &n->summarize.aggs)) {
        return NULL;
    }
    if (sl_query__accept_kw(p, SL_QUERY_KW_BY)) {
        if (!sl_query__parse_named_list(p, &n->summarize.by)) {
            return NULL;
        }
        /* Legacy `by Timestamp bin=1h` trailer. */
        if (sl_query__at_kw(p, SL_QUERY_KW_BIN) &&
            sl_query__peek(p, 1)->kind == SL_QUERY_T_ASSIGN) {
            p->i += 2;
            if (!(n->summarize.bin_legacy = sl_query__parse_param_value(p))) {
                return NULL;
            }
        }
    }
    return sl_query__finish(p, n);
}

/* `sort|order [params] by Expr [asc|desc] [nulls first|last], ...`; the keys
 * carry the resolved defaults (desc, nulls last). */
static sl_query_node_t *op_sort(sl_query__parser_t *p)
{
    sl_query_node_t *n = op_node(p, SL_QUERY_N_SORT);
    if (!sl_query__parse_params(p, &n->sort.params, NULL, true) ||
        !sl_query__expect_kw(p, SL_QUERY_KW_BY)) {
        return NULL;
    }
    sl_query__vec_t keys;
    sl_query__vec_init(p, &keys);
    do {
        sl_query_node_t *k = sl_query__parse_sortkey(p, false);
        if (!k) {
            return NULL;
        }
        sl_query__vec_push(&keys, k);
    } while (sl_query__accept(p, SL_QUERY_T_COMMA));
    n->sort.keys = sl_query__vec_done(&keys);
    return sl_query__finish(p, n);
}

/* `top [params] N by Expr [asc|desc] [nulls first|last]`: one key, as in
 * Kql.g4. N is an expression (a let name is common). */
static sl_query_node_t *op_top(sl_query__parser_t *p)
{
    sl_query_node_t *n = op_node(p, SL_QUERY_N_TOP);
    if (!sl_query__parse_params(p, &n->top.params, NULL, true) ||
        !(n->top.count = sl_query__parse_expr(p)) || !sl_query__expect_kw(p, SL_QUERY_KW_BY) ||
        !(n->top.key = sl_query__parse_sortkey(p, false))) {
        return NULL;
    }
    return sl_query__finish(p, n);
}

/* take/limit and sample: `[params] N`. */
static sl_query_node_t *op_take(sl_query__parser_t *p, sl_query_kind_t kind)
{
    sl_query_node_t *n = op_node(p, kind);
    if (!sl_query__parse_params(p, &n->take.params, NULL, true) ||
        !(n->take.count = sl_query__parse_expr(p))) {
        return NULL;
    }
    return sl_query__finish(p, n);
}

/* `distinct [params] *` or `distinct Expr, ...` (unnamed, as in Kql.g4). */
static sl_query_node_t *op_distinct(sl_query__parser_t *p)
{
    sl_query_node_t *n = op_node(p, SL_QUERY_N_DISTINCT);
    if (!sl_query__parse_params(p, &n->items.params, NULL, true)) {
        return NULL;
    }
    sl_query__vec_t v;
    sl_query__vec_init(p, &v);
    if (sl_query__at(p, SL_QUERY_T_STAR)) {
        sl_query_node_t *star = sl_query__node(p, SL_QUERY_N_STAR, NULL);
        sl_query__next(p);
        sl_query__vec_push(&v, sl_query__finish(p, star));
    } else {
        do {
            sl_query_node_t *e = sl_query__parse_expr(p);
            if (!e) {
                return NULL;
            }
            sl_query__vec_push(&v, e);
        } while (sl_query__accept(p, SL_QUERY_T_COMMA));
    }
    n->items.items = sl_query__vec_done(&v);
    return sl_query__finish(p, n);
}

/* `count [as Name]`. */
static sl_query_node_t *op_count(sl_query__parser_t *p)
{
    sl_query_node_t *n = op_node(p, SL_QUERY_N_COUNT);
    if (sl_query__accept_kw(p, SL_QUERY_KW_AS) &&
        !(n->count.as_name = sl_query__parse_name(p, "a column name"))) {
        return NULL;
    }
    return sl_query__finish(p, n);
}

/* `as [hint.materialized=true] Name`: names the table for later stages. */
static sl_query_node_t *op_as(sl_query__parser_t *p)
{
    sl_query_node_t *n = op_node(p, SL_QUERY_N_AS);
    if (!sl_query__parse_params(p, &n->as.params, NULL, true) ||
        !(n->as.name = sl_query__parse_name(p, "a name"))) {
        return NULL;
    }
    return sl_query__finish(p, n);
}

/* `invoke f(args)`: a tabular function called with the pipe as its first
 * argument; anything but a call is an error here, not at run time. */
static sl_query_node_t *op_invoke(sl_query__parser_t *p)
{
    sl_query_node_t *n = op_node(p, SL_QUERY_N_INVOKE);
    n->invoke.call = sl_query__parse_postfix(p);
    if (!n->invoke.call) {
        return NULL;
    }
    if (n->invoke.call->kind != SL_QUERY_N_CALL) {
        sl_query_tok_t at = { .kind = SL_QUERY_T_IDENT, .pos = n->invoke.call->pos };
        return sl_query__fail(p, &at, SL_EPARSE, "expected a function call after 'invoke'");
    }
    return sl_query__finish(p, n);
}

/* project-away, project-keep: names, possibly wildcarded. */
static sl_query_node_t *op_names(sl_query__parser_t *p, sl_query_kind_t kind)
{
    sl_query_node_t *n = op_node(p, kind);
    sl_query__vec_t v;
    sl_query__vec_init(p, &v);
    if (kind == SL_QUERY_N_PROJECT_AWAY && sl_query__at_op_end(p)) {
        return sl_query__finish(p, n);
    }
    do {
        sl_query_node_t *name = sl_query__parse_wild_name(p, "a column name");
        if (!name) {
            return NULL;
        }
        sl_query__vec_push(&v, name);
    } while (sl_query__accept(p, SL_QUERY_T_COMMA));
    n->items.items = sl_query__vec_done(&v);
    return sl_query__finish(p, n);
}

/* project-rename New = Old, ... */
static sl_query_node_t *op_rename(sl_query__parser_t *p)
{
    sl_query_node_t *n = op_node(p, SL_QUERY_N_PROJECT_RENAME);
    if (!sl_query__parse_named_list(p, &n->items.items)) {
        return NULL;
    }
    for (size_t i = 0; i < n->items.items.n; i++) {
        sl_query_node_t *a = n->items.items.v[i];
        if (a->kind != SL_QUERY_N_ASSIGN || a->assign.tuple ||
            a->assign.value->kind != SL_QUERY_N_NAME) {
            sl_query_tok_t at = { .kind = SL_QUERY_T_IDENT, .pos = a->pos };
            return sl_query__fail(p, &at, SL_EPARSE, "expected NewName = ExistingName");
        }
    }
    return sl_query__finish(p, n);
}

/* project-reorder Col [asc|desc|granny-asc|granny-desc], ... */
static sl_query_node_t *op_reorder(sl_query__parser_t *p)
{
    sl_query_node_t *n = op_node(p, SL_QUERY_N_PROJECT_REORDER);
    sl_query__vec_t v;
    sl_query__vec_init(p, &v);
    do {
        sl_query_node_t *k = sl_query__node(p, SL_QUERY_N_SORTKEY, NULL);
        k->sortkey.reorder = true;
        if (!(k->sortkey.expr = sl_query__parse_wild_name(p, "a column name"))) {
            return NULL;
        }
        static const struct {
            sl_query_kw_t kw;
            sl_query_order_t order;
        } orders[] = { { SL_QUERY_KW_ASC, SL_QUERY_ORDER_ASC },
                       { SL_QUERY_KW_DESC, SL_QUERY_ORDER_DESC },
                       { SL_QUERY_KW_GRANNY_ASC, SL_QUERY_ORDER_GRANNY_ASC },
                       { SL_QUERY_KW_GRANNY_DESC, SL_QUERY_ORDER_GRANNY_DESC } };
        for (size_t i = 0; i < SL_ARRAY_SIZE(orders); i++) {
            if (sl_query__accept_kw(p, orders[i].kw)) {
                k->sortkey.order = orders[i].order;
                k->sortkey.explicit_order = true;
                break;
            }
        }
        sl_query__vec_push(&v, sl_query__finish(p, k));
    } while (sl_query__accept(p, SL_QUERY_T_COMMA));
    n->items.items = sl_query__vec_done(&v);
    return sl_query__finish(p, n);
}

/* top-nested [N] of [Name =] Expr [with others = E] by [Name =] Agg [asc|desc], ... */
static sl_query_node_t *op_top_nested(sl_query__parser_t *p)
{
    sl_query_node_t *n = sl_query__node(p, SL_QUERY_N_TOP_NESTED, NULL);
    sl_query__vec_t levels;
    sl_query__vec_init(p, &levels);
    do {
        sl_query_node_t *l = sl_query__node(p, SL_QUERY_N_TOP_NESTED_LEVEL, NULL);
        if (!sl_query__expect_kw(p, SL_QUERY_KW_TOP_NESTED)) {
            return NULL;
        }
        if (!sl_query__at_kw(p, SL_QUERY_KW_OF) && !(l->tn_level.count = sl_query__parse_expr(p))) {
            return NULL;
        }
        if (!sl_query__expect_kw(p, SL_QUERY_KW_OF) ||
            !(l->tn_level.of = sl_query__parse_named_expr(p))) {
            return NULL;
        }
        if (sl_query__accept_kw(p, SL_QUERY_KW_WITH)) {
            if (!sl_query__expect_kw(p, SL_QUERY_KW_OTHERS) ||
                !sl_query__expect(p, SL_QUERY_T_ASSIGN, "'='") ||
                !(l->tn_level.others = sl_query__parse_expr(p))) {
                return NULL;
            }
        }
        if (!sl_query__expect_kw(p, SL_QUERY_KW_BY) ||
            !(l->tn_level.by = sl_query__parse_sortkey(p, true))) {
            return NULL;
        }
        sl_query__vec_push(&levels, sl_query__finish(p, l));
    } while (sl_query__accept(p, SL_QUERY_T_COMMA));
    n->top_nested.levels = sl_query__vec_done(&levels);
    return sl_query__finish(p, n);
}

/* Dispatch on the keyword after `|`. Words are matched by keyword id, so a
 * column that happens to be called `project` never gets here. */
sl_query_node_t *sl_query__parse_operator(sl_query__parser_t *p)
{
    const sl_query_tok_t *t = sl_query__peek(p, 0);
    if (t->kind != SL_QUERY_T_IDENT && t->kind != SL_QUERY_T_KEYWORD) {
        return sl_query__expected(p, "a tabular operator (where, project, summarize ...)");
    }
    switch (t->kw) {
    case SL_QUERY_KW_WHERE:
    case SL_QUERY_KW_FILTER:
        return op_where(p);
    case SL_QUERY_KW_PROJECT:
        return op_items(p, SL_QUERY_N_PROJECT, true);
    case SL_QUERY_KW_EXTEND:
        return op_items(p, SL_QUERY_N_EXTEND, false);
    case SL_QUERY_KW_SERIALIZE:
        return op_items(p, SL_QUERY_N_SERIALIZE, true);
    case SL_QUERY_KW_SUMMARIZE:
        return op_summarize(p);
    case SL_QUERY_KW_SORT:
    case SL_QUERY_KW_ORDER:
        return op_sort(p);
    case SL_QUERY_KW_TOP:
        return op_top(p);
    case SL_QUERY_KW_TAKE:
    case SL_QUERY_KW_LIMIT:
        return op_take(p, SL_QUERY_N_TAKE);
    case SL_QUERY_KW_SAMPLE:
        return op_take(p, SL_QUERY_N_SAMPLE);
    case SL_QUERY_KW_DISTINCT:
        return op_distinct(p);
    case SL_QUERY_KW_COUNT:
        return op_count(p);
    case SL_QUERY_KW_AS:
        return op_as(p);
    case SL_QUERY_KW_GETSCHEMA:
        sl_query__next(p);
        return sl_query__finish(p, sl_query__node(p, SL_QUERY_N_GETSCHEMA, t));
    case SL_QUERY_KW_INVOKE:
        return op_invoke(p);
    case SL_QUERY_KW_PROJECT_AWAY:
        return op_names(p, SL_QUERY_N_PROJECT_AWAY);
    case SL_QUERY_KW_PROJECT_KEEP:
        return op_names(p, SL_QUERY_N_PROJECT_KEEP);
    case SL_QUERY_KW_PROJECT_RENAME:
        return op_rename(p);
    case SL_QUERY_KW_PROJECT_REORDER:
        return op_reorder(p);
    case SL_QUERY_KW_TOP_NESTED:
        return op_top_nested(p);
    case SL_QUERY_KW_JOIN:
        return sl_query__op_join(p);
    case SL_QUERY_KW_LOOKUP:
        return sl_query__op_lookup(p);
    case SL_QUERY_KW_UNION:
        return sl_query__op_union(p);
    case SL_QUERY_KW_SEARCH:
        return sl_query__op_search(p);
    case SL_QUERY_KW_PARSE:
    case SL_QUERY_KW_PARSE_WHERE:
        return sl_query__op_parse(p);
    case SL_QUERY_KW_PARSE_KV:
        return sl_query__op_parse_kv(p);
    case SL_QUERY_KW_MV_EXPAND:
    case SL_QUERY_KW_MVEXPAND:
        return sl_query__op_mv_expand(p);
    case SL_QUERY_KW_MV_APPLY:
    case SL_QUERY_KW_MVAPPLY:
        return sl_query__op_mv_apply(p);
    case SL_QUERY_KW_RENDER:
        return sl_query__op_render(p);
    case SL_QUERY_KW_EVALUATE:
        return sl_query__op_evaluate(p);
    /* Recognised, not modelled (KQL.md tier 3). */
    case SL_QUERY_KW_MAKE_SERIES:
    case SL_QUERY_KW_FORK:
    case SL_QUERY_KW_FACET:
    case SL_QUERY_KW_PARTITION:
    case SL_QUERY_KW_SCAN:
    case SL_QUERY_KW_REDUCE:
    case SL_QUERY_KW_TOP_HITTERS:
    case SL_QUERY_KW_SAMPLE_DISTINCT:
    case SL_QUERY_KW_MAKE_GRAPH:
    case SL_QUERY_KW_GRAPH_MATCH:
    case SL_QUERY_KW_GRAPH_TO_TABLE:
    case SL_QUERY_KW_GRAPH_MERGE:
    case SL_QUERY_KW_GRAPH_SHORTEST_PATHS:
    case SL_QUERY_KW_GRAPH_MARK_COMPONENTS:
    case SL_QUERY_KW_CONSUME:
    case SL_QUERY_KW_ASSERT_SCHEMA:
    case SL_QUERY_KW_MACRO_EXPAND:
    case SL_QUERY_KW_FIND:
    case SL_QUERY_KW_EXECUTE_AND_CACHE:
    case SL_QUERY_KW_PROJECT_SMART:
        return sl_query__parse_unsupported(p);
    default:
        return sl_query__expected(p, "a tabular operator (where, project, summarize ...)");
    }
}
