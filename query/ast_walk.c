/*
 * The generic child walk of the AST. One switch knows, for every node kind,
 * which members are children and in which order they appear in the source;
 * the parser uses it to compute tree heights (the depth bound), the tests and
 * the fuzzer use it to check invariants over whole trees, and the executor
 * may use it for rewrites that do not care about kinds.
 *
 * Fields decoded from operator parameters (union.withsource, mv.itemindex)
 * point at the value of a PARAM node in the operator's `params` list; they
 * are visited once, through `params`.
 */
#include "query/query_int.h"

typedef void (*visit_fn)(const sl_query_node_t *child, void *arg);

/* Optional children are NULL when absent; the walk skips them so callers
 * never need to. */
static void one(const sl_query_node_t *c, visit_fn fn, void *arg)
{
    if (c) {
        fn(c, arg);
    }
}

/* Lists are visited in source order, which is also the order of the dump. */
static void list(const sl_query_list_t *l, visit_fn fn, void *arg)
{
    for (size_t i = 0; i < l->n; i++) {
        one(l->v[i], fn, arg);
    }
}

void sl_query_node_foreach_child(const sl_query_node_t *n, visit_fn fn, void *arg)
{
    if (!n) {
        return;
    }
    switch (n->kind) {
    case SL_QUERY_N_QUERY:
        list(&n->query.stmts, fn, arg);
        break;
    case SL_QUERY_N_LET:
        one(n->let.name, fn, arg);
        one(n->let.value, fn, arg);
        break;
    case SL_QUERY_N_SET:
        one(n->set.value, fn, arg);
        break;
    case SL_QUERY_N_FUNCTION:
        list(&n->fn.params, fn, arg);
        list(&n->fn.body, fn, arg);
        break;
    case SL_QUERY_N_FNPARAM:
        one(n->fparam.name, fn, arg);
        list(&n->fparam.columns, fn, arg);
        one(n->fparam.dflt, fn, arg);
        break;
    case SL_QUERY_N_NAME:
    case SL_QUERY_N_STAR:
    case SL_QUERY_N_LITERAL:
    case SL_QUERY_N_GETSCHEMA:
    case SL_QUERY_N_UNSUPPORTED:
        /* Leaves. A literal's dynamic tree is data, not AST, and an
         * unsupported operator keeps no children: its tokens were skipped. */
        break;
    case SL_QUERY_N_BINARY:
        one(n->bin.lhs, fn, arg);
        one(n->bin.rhs, fn, arg);
        break;
    case SL_QUERY_N_UNARY:
        one(n->un.arg, fn, arg);
        break;
    case SL_QUERY_N_IN:
        one(n->in.lhs, fn, arg);
        list(&n->in.items, fn, arg);
        break;
    case SL_QUERY_N_BETWEEN:
        one(n->between.lhs, fn, arg);
        one(n->between.lo, fn, arg);
        one(n->between.hi, fn, arg);
        break;
    case SL_QUERY_N_CALL:
        one(n->call.fn, fn, arg);
        list(&n->call.args, fn, arg);
        break;
    case SL_QUERY_N_NAMED_ARG:
        one(n->named.name, fn, arg);
        one(n->named.value, fn, arg);
        break;
    case SL_QUERY_N_MEMBER:
        one(n->member.base, fn, arg);
        one(n->member.name, fn, arg);
        break;
    case SL_QUERY_N_INDEX:
        one(n->index.base, fn, arg);
        one(n->index.index, fn, arg);
        break;
    case SL_QUERY_N_ASSIGN:
        list(&n->assign.names, fn, arg);
        one(n->assign.value, fn, arg);
        break;
    case SL_QUERY_N_SORTKEY:
        one(n->sortkey.expr, fn, arg);
        break;
    case SL_QUERY_N_COLDECL:
        one(n->coldecl.name, fn, arg);
        break;
    case SL_QUERY_N_PARAM:
        one(n->param.value, fn, arg);
        break;
    case SL_QUERY_N_LIST:
        list(&n->list.items, fn, arg);
        break;
    case SL_QUERY_N_PIPELINE:
        one(n->pipe.source, fn, arg);
        list(&n->pipe.ops, fn, arg);
        break;
    case SL_QUERY_N_UNION:
        /* withsource aliases a PARAM value: visited through params. */
        list(&n->union_.params, fn, arg);
        list(&n->union_.legs, fn, arg);
        break;
    case SL_QUERY_N_SEARCH:
        list(&n->search.params, fn, arg);
        list(&n->search.tables, fn, arg);
        one(n->search.pred, fn, arg);
        break;
    case SL_QUERY_N_PRINT:
    case SL_QUERY_N_PROJECT:
    case SL_QUERY_N_EXTEND:
    case SL_QUERY_N_DISTINCT:
    case SL_QUERY_N_PROJECT_AWAY:
    case SL_QUERY_N_PROJECT_KEEP:
    case SL_QUERY_N_PROJECT_RENAME:
    case SL_QUERY_N_PROJECT_REORDER:
    case SL_QUERY_N_SERIALIZE:
        list(&n->items.params, fn, arg);
        list(&n->items.items, fn, arg);
        break;
    case SL_QUERY_N_RANGE:
        one(n->range.column, fn, arg);
        one(n->range.from, fn, arg);
        one(n->range.to, fn, arg);
        one(n->range.step, fn, arg);
        break;
    case SL_QUERY_N_DATATABLE:
        list(&n->datatable.params, fn, arg);
        list(&n->datatable.columns, fn, arg);
        list(&n->datatable.values, fn, arg);
        break;
    case SL_QUERY_N_WHERE:
        list(&n->where.params, fn, arg);
        one(n->where.pred, fn, arg);
        break;
    case SL_QUERY_N_SUMMARIZE:
        list(&n->summarize.params, fn, arg);
        list(&n->summarize.aggs, fn, arg);
        list(&n->summarize.by, fn, arg);
        one(n->summarize.bin_legacy, fn, arg);
        break;
    case SL_QUERY_N_SORT:
        list(&n->sort.params, fn, arg);
        list(&n->sort.keys, fn, arg);
        break;
    case SL_QUERY_N_TOP:
        list(&n->top.params, fn, arg);
        one(n->top.count, fn, arg);
        one(n->top.key, fn, arg);
        break;
    case SL_QUERY_N_TAKE:
    case SL_QUERY_N_SAMPLE:
        list(&n->take.params, fn, arg);
        one(n->take.count, fn, arg);
        break;
    case SL_QUERY_N_COUNT:
        one(n->count.as_name, fn, arg);
        break;
    case SL_QUERY_N_JOIN:
    case SL_QUERY_N_LOOKUP:
        list(&n->join.params, fn, arg);
        one(n->join.right, fn, arg);
        list(&n->join.on, fn, arg);
        one(n->join.where, fn, arg);
        break;
    case SL_QUERY_N_PARSE:
    case SL_QUERY_N_PARSE_WHERE:
        list(&n->parse.params, fn, arg);
        one(n->parse.expr, fn, arg);
        list(&n->parse.pattern, fn, arg);
        break;
    case SL_QUERY_N_PARSE_KV:
        one(n->parse_kv.expr, fn, arg);
        list(&n->parse_kv.columns, fn, arg);
        list(&n->parse_kv.with, fn, arg);
        break;
    case SL_QUERY_N_MV_EXPAND:
    case SL_QUERY_N_MV_APPLY:
        /* itemindex aliases a PARAM value: visited through params. */
        list(&n->mv.params, fn, arg);
        list(&n->mv.items, fn, arg);
        one(n->mv.limit, fn, arg);
        one(n->mv.id, fn, arg);
        one(n->mv.subquery, fn, arg);
        break;
    case SL_QUERY_N_EXPAND_ITEM:
        one(n->expand_item.value, fn, arg);
        break;
    case SL_QUERY_N_RENDER:
        list(&n->render.props, fn, arg);
        break;
    case SL_QUERY_N_AS:
        list(&n->as.params, fn, arg);
        one(n->as.name, fn, arg);
        break;
    case SL_QUERY_N_INVOKE:
        one(n->invoke.call, fn, arg);
        break;
    case SL_QUERY_N_EVALUATE:
        list(&n->evaluate.params, fn, arg);
        one(n->evaluate.call, fn, arg);
        list(&n->evaluate.schema, fn, arg);
        break;
    case SL_QUERY_N_TOP_NESTED:
        list(&n->top_nested.levels, fn, arg);
        break;
    case SL_QUERY_N_TOP_NESTED_LEVEL:
        one(n->tn_level.count, fn, arg);
        one(n->tn_level.of, fn, arg);
        one(n->tn_level.others, fn, arg);
        one(n->tn_level.by, fn, arg);
        break;
    case SL_QUERY_N__COUNT:
        /* Not a kind; listed so that -Wswitch flags any kind left out. */
        break;
    }
}
