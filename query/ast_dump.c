/*
 * sl_query_ast_dump: a deterministic S-expression for any subtree, used by
 * the tests to assert tree shapes and by developers to see what the parser
 * made of a query. docs/KQL-PARSER.md lists the format; in short:
 *
 *   T | where x > 1 and y has "a" | take 5
 *   (query (pipe T (where (and (> x 1) (has y "a"))) (take 5)))
 *
 * Names print bare (Sec* keeps its star), bracketed names as ["..."];
 * strings as JSON strings; longs bare; every other literal as (type value)
 * with datetimes in ISO 8601, timespans in ticks and reals in shortest
 * round-trip form. Operator nodes print their decoded enums first (join
 * kind, union outer/inner, parse kind ...), then `(params ...)` when
 * parameters were written, then their clauses. Empty optional clauses are
 * omitted. The output depends only on the tree, so equal trees print equal
 * text; recursion is bounded by the parser's height limit.
 */
#include "query/query_int.h"

#include <math.h>
#include <string.h>

static void dump(const sl_query_node_t *n, sl_buf_t *b);

/* Strings print as JSON strings: escaped, quoted, and with invalid UTF-8
 * replaced, so a dump is always one printable line whatever the query held. */
static void put_str(sl_buf_t *b, const char *s, size_t n)
{
    sl_buf_putc(b, '"');
    sl_json_escape(b, s, n);
    sl_buf_putc(b, '"');
}

/* Shortest text that reads back to the same double; NaN and the infinities
 * in KQL's own spelling (real(nan), real(+inf)). */
static void put_real(sl_buf_t *b, double r)
{
    if (isnan(r)) {
        sl_buf_puts(b, "nan");
    } else if (isinf(r)) {
        sl_buf_puts(b, r > 0 ? "+inf" : "-inf");
    } else {
        char t[32];
        size_t n = sl_format_double(r, t);
        sl_buf_append(b, t, n);
    }
}

/* ISO 8601 in UTC with the fraction trimmed: exact to the tick and easy to
 * compare with the literal that was written. */
static void put_datetime(sl_buf_t *b, sl_ticks_t t)
{
    char s[32];
    sl_time_format_iso8601(t, s);
    sl_buf_puts(b, s);
}

/* The canonical lower-case dashed form, whatever form the query used. */
static void put_guid(sl_buf_t *b, const sl_guid_t *g)
{
    char s[37];
    sl_guid_format(g, s);
    sl_buf_puts(b, s);
}

/* A dynamic value prints as JSON, except that reals, datetimes, timespans and
 * guids are tagged like literals so that `1` and `1.0` stay distinct. */
void sl_query_dyn_dump(const sl_query_dyn_t *v, sl_buf_t *b)
{
    if (!v) {
        sl_buf_puts(b, "nil");
        return;
    }
    switch (v->kind) {
    case SL_QUERY_DYN_NULL:
        sl_buf_puts(b, "null");
        break;
    case SL_QUERY_DYN_BOOL:
        sl_buf_puts(b, v->b ? "true" : "false");
        break;
    case SL_QUERY_DYN_LONG:
        sl_buf_printf(b, "%lld", (long long)v->i);
        break;
    case SL_QUERY_DYN_REAL:
        sl_buf_puts(b, "(real ");
        put_real(b, v->r);
        sl_buf_putc(b, ')');
        break;
    case SL_QUERY_DYN_STRING:
        put_str(b, v->str.s, v->str.n);
        break;
    case SL_QUERY_DYN_DATETIME:
        sl_buf_puts(b, "(datetime ");
        put_datetime(b, v->t);
        sl_buf_putc(b, ')');
        break;
    case SL_QUERY_DYN_TIMESPAN:
        sl_buf_printf(b, "(timespan %lld)", (long long)v->t);
        break;
    case SL_QUERY_DYN_GUID:
        sl_buf_puts(b, "(guid ");
        put_guid(b, &v->g);
        sl_buf_putc(b, ')');
        break;
    case SL_QUERY_DYN_ARRAY:
    case SL_QUERY_DYN_OBJECT: {
        bool obj = v->kind == SL_QUERY_DYN_OBJECT;
        sl_buf_putc(b, obj ? '{' : '[');
        for (size_t i = 0; i < v->items.n; i++) {
            if (i) {
                sl_buf_putc(b, ',');
            }
            if (obj) {
                put_str(b, v->items.keys[i], v->items.key_lens[i]);
                sl_buf_putc(b, ':');
            }
            sl_query_dyn_dump(v->items.v[i], b);
        }
        sl_buf_putc(b, obj ? '}' : ']');
        break;
    }
    }
}

/* Longs, bools and strings are the common literals and print bare; every
 * other type is tagged so that a test reads the type as well as the value. */
static void dump_literal(const sl_query_lit_t *l, sl_buf_t *b)
{
    if (l->type == SL_QUERY_TY_STRING) {
        if (l->obfuscated) {
            sl_buf_puts(b, "(h ");
        }
        put_str(b, l->str.s, l->str.n);
        if (l->obfuscated) {
            sl_buf_putc(b, ')');
        }
        return;
    }
    if (l->type == SL_QUERY_TY_LONG && !l->is_null) {
        sl_buf_printf(b, "%lld", (long long)l->i);
        return;
    }
    if (l->type == SL_QUERY_TY_BOOL && !l->is_null) {
        sl_buf_puts(b, l->b ? "true" : "false");
        return;
    }
    sl_buf_printf(b, "(%s ", l->type == SL_QUERY_TY_TYPE ? "typeof" : sl_query_type_name(l->type));
    if (l->is_null) {
        sl_buf_puts(b, "null");
    } else {
        switch (l->type) {
        case SL_QUERY_TY_INT:
        case SL_QUERY_TY_LONG:
        case SL_QUERY_TY_TIMESPAN:
            sl_buf_printf(b, "%lld", (long long)l->i);
            break;
        case SL_QUERY_TY_REAL:
            put_real(b, l->r);
            break;
        case SL_QUERY_TY_DECIMAL:
            sl_buf_append(b, l->str.s, l->str.n);
            break;
        case SL_QUERY_TY_DATETIME:
            put_datetime(b, l->t);
            break;
        case SL_QUERY_TY_GUID:
            put_guid(b, &l->g);
            break;
        case SL_QUERY_TY_DYNAMIC:
            sl_query_dyn_dump(l->dyn, b);
            break;
        case SL_QUERY_TY_TYPE:
            if (l->of_type == SL_QUERY_TY_NONE) {
                sl_buf_puts(b, "(schema ");
                put_str(b, l->str.s, l->str.n);
                sl_buf_putc(b, ')');
            } else {
                sl_buf_puts(b, sl_query_type_name(l->of_type));
            }
            break;
        default:
            sl_buf_puts(b, "?");
            break;
        }
    }
    sl_buf_putc(b, ')');
}

/* " a b c" for each element of a list. */
static void items(const sl_query_list_t *l, sl_buf_t *b)
{
    for (size_t i = 0; i < l->n; i++) {
        sl_buf_putc(b, ' ');
        dump(l->v[i], b);
    }
}

/* " (label a b c)", omitted when the list is empty. */
static void labelled(const char *label, const sl_query_list_t *l, sl_buf_t *b)
{
    if (l->n == 0) {
        return;
    }
    sl_buf_printf(b, " (%s", label);
    items(l, b);
    sl_buf_putc(b, ')');
}

/* " x" for an optional child, or nothing. */
static void opt(const sl_query_node_t *n, sl_buf_t *b)
{
    if (n) {
        sl_buf_putc(b, ' ');
        dump(n, b);
    }
}

/* " (label x)" for an optional child, or nothing. */
static void opt_labelled(const char *label, const sl_query_node_t *n, sl_buf_t *b)
{
    if (n) {
        sl_buf_printf(b, " (%s ", label);
        dump(n, b);
        sl_buf_putc(b, ')');
    }
}

static void child(const sl_query_node_t *n, sl_buf_t *b)
{
    sl_buf_putc(b, ' ');
    dump(n, b);
}

/* NULL for NONE: a project-reorder key without a direction prints no word. */
static const char *order_name(sl_query_order_t o)
{
    switch (o) {
    case SL_QUERY_ORDER_ASC:
        return "asc";
    case SL_QUERY_ORDER_DESC:
        return "desc";
    case SL_QUERY_ORDER_GRANNY_ASC:
        return "granny-asc";
    case SL_QUERY_ORDER_GRANNY_DESC:
        return "granny-desc";
    default:
        return NULL;
    }
}

/* Plain names as written; bracketed ones as ["..."] so that a name with
 * spaces or quotes stays one readable atom. */
static void dump_name(const sl_query_node_t *n, sl_buf_t *b)
{
    if (n->name.bracketed) {
        sl_buf_putc(b, '[');
        put_str(b, n->name.s, n->name.n);
        sl_buf_putc(b, ']');
    } else {
        sl_buf_append(b, n->name.s, n->name.n);
    }
}

/* The parse operator's kind= value, printed even when defaulted. */
static const char *parse_kind_name(sl_query_parse_kind_t k)
{
    return k == SL_QUERY_PARSE_REGEX ? "regex" : k == SL_QUERY_PARSE_RELAXED ? "relaxed" : "simple";
}

/* Operator nodes: `(name <enums> (params ...) <clauses>)`. */
static void dump_operator(const sl_query_node_t *n, sl_buf_t *b)
{
    switch (n->kind) {
    case SL_QUERY_N_PIPELINE:
        /* `_` stands for the implicit input of a sub-query (mv-apply ... on). */
        if (n->pipe.source) {
            child(n->pipe.source, b);
        } else {
            sl_buf_puts(b, " _");
        }
        items(&n->pipe.ops, b);
        break;
    case SL_QUERY_N_UNION:
        /* Decoded fields first, then every parameter as written. */
        sl_buf_puts(b, n->union_.outer ? " outer" : " inner");
        labelled("params", &n->union_.params, b);
        items(&n->union_.legs, b);
        break;
    case SL_QUERY_N_SEARCH:
        /* ci / cs: the case rule the terms are matched with. */
        sl_buf_puts(b, n->search.case_sensitive ? " cs" : " ci");
        labelled("params", &n->search.params, b);
        labelled("in", &n->search.tables, b);
        child(n->search.pred, b);
        break;
    case SL_QUERY_N_RANGE:
        child(n->range.column, b);
        child(n->range.from, b);
        child(n->range.to, b);
        child(n->range.step, b);
        break;
    case SL_QUERY_N_DATATABLE:
        labelled("params", &n->datatable.params, b);
        sl_buf_puts(b, " (schema");
        items(&n->datatable.columns, b);
        sl_buf_puts(b, ") (values");
        items(&n->datatable.values, b);
        sl_buf_putc(b, ')');
        break;
    case SL_QUERY_N_WHERE:
        labelled("params", &n->where.params, b);
        child(n->where.pred, b);
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
        labelled("params", &n->items.params, b);
        items(&n->items.items, b);
        break;
    case SL_QUERY_N_SUMMARIZE:
        labelled("params", &n->summarize.params, b);
        labelled("aggs", &n->summarize.aggs, b);
        labelled("by", &n->summarize.by, b);
        opt_labelled("bin", n->summarize.bin_legacy, b);
        break;
    case SL_QUERY_N_SORT:
        labelled("params", &n->sort.params, b);
        items(&n->sort.keys, b);
        break;
    case SL_QUERY_N_TOP:
        labelled("params", &n->top.params, b);
        child(n->top.count, b);
        child(n->top.key, b);
        break;
    case SL_QUERY_N_TAKE:
    case SL_QUERY_N_SAMPLE:
        labelled("params", &n->take.params, b);
        child(n->take.count, b);
        break;
    case SL_QUERY_N_COUNT:
        opt_labelled("as", n->count.as_name, b);
        break;
    case SL_QUERY_N_JOIN:
    case SL_QUERY_N_LOOKUP:
        /* The resolved kind, so a default (innerunique) is visible too. */
        sl_buf_printf(b, " %s", sl_query_join_kind_name(n->join.kind));
        labelled("params", &n->join.params, b);
        child(n->join.right, b);
        labelled("on", &n->join.on, b);
        opt_labelled("where", n->join.where, b);
        break;
    case SL_QUERY_N_PARSE:
    case SL_QUERY_N_PARSE_WHERE:
        sl_buf_printf(b, " %s", parse_kind_name(n->parse.kind));
        labelled("params", &n->parse.params, b);
        child(n->parse.expr, b);
        labelled("with", &n->parse.pattern, b);
        break;
    case SL_QUERY_N_PARSE_KV:
        child(n->parse_kv.expr, b);
        labelled("as", &n->parse_kv.columns, b);
        labelled("with", &n->parse_kv.with, b);
        break;
    case SL_QUERY_N_MV_EXPAND:
    case SL_QUERY_N_MV_APPLY:
        sl_buf_puts(b, n->mv.bagexpansion == SL_QUERY_BAGEXP_ARRAY ? " array" : " bag");
        labelled("params", &n->mv.params, b);
        items(&n->mv.items, b);
        opt_labelled("limit", n->mv.limit, b);
        opt_labelled("id", n->mv.id, b);
        opt_labelled("on", n->mv.subquery, b);
        break;
    case SL_QUERY_N_RENDER:
        sl_buf_printf(b, " %s", n->render.visualization);
        items(&n->render.props, b);
        break;
    case SL_QUERY_N_AS:
        labelled("params", &n->as.params, b);
        child(n->as.name, b);
        break;
    case SL_QUERY_N_INVOKE:
        child(n->invoke.call, b);
        break;
    case SL_QUERY_N_EVALUATE:
        labelled("params", &n->evaluate.params, b);
        child(n->evaluate.call, b);
        if (n->evaluate.schema.n || n->evaluate.open_schema) {
            sl_buf_puts(b, " (schema");
            items(&n->evaluate.schema, b);
            sl_buf_puts(b, n->evaluate.open_schema ? " *)" : ")");
        }
        break;
    case SL_QUERY_N_TOP_NESTED:
        items(&n->top_nested.levels, b);
        break;
    case SL_QUERY_N_UNSUPPORTED:
        sl_buf_printf(b, " %s", n->unsupported.name);
        break;
    default:
        break;
    }
}

/* Leaves (names, stars, literals) print as atoms; every other node as a
 * parenthesised list headed by its kind name or its operator spelling. */
static void dump(const sl_query_node_t *n, sl_buf_t *b)
{
    if (!n) {
        sl_buf_puts(b, "nil");
        return;
    }
    switch (n->kind) {
    case SL_QUERY_N_NAME:
        dump_name(n, b);
        return;
    case SL_QUERY_N_STAR:
        sl_buf_putc(b, '*');
        return;
    case SL_QUERY_N_LITERAL:
        dump_literal(&n->lit, b);
        return;
    default:
        break;
    }
    sl_buf_putc(b, '(');
    switch (n->kind) {
    case SL_QUERY_N_QUERY:
        sl_buf_puts(b, "query");
        items(&n->query.stmts, b);
        break;
    case SL_QUERY_N_LET:
        sl_buf_puts(b, "let");
        child(n->let.name, b);
        child(n->let.value, b);
        break;
    case SL_QUERY_N_SET:
        sl_buf_printf(b, "set %s", n->set.name);
        opt(n->set.value, b);
        break;
    case SL_QUERY_N_FUNCTION:
        sl_buf_puts(b, n->fn.is_view ? "view (params" : "function (params");
        items(&n->fn.params, b);
        sl_buf_puts(b, ") (body");
        items(&n->fn.body, b);
        sl_buf_putc(b, ')');
        break;
    case SL_QUERY_N_FNPARAM:
        sl_buf_puts(b, "param");
        child(n->fparam.name, b);
        if (n->fparam.tabular) {
            sl_buf_puts(b, " (schema");
            items(&n->fparam.columns, b);
            sl_buf_puts(b, n->fparam.open_schema ? " *)" : ")");
        } else {
            sl_buf_printf(b, " %s", sl_query_type_name(n->fparam.type));
        }
        opt(n->fparam.dflt, b);
        break;
    case SL_QUERY_N_BINARY:
        sl_buf_puts(b, sl_query_op_name(n->bin.op));
        child(n->bin.lhs, b);
        child(n->bin.rhs, b);
        break;
    case SL_QUERY_N_UNARY:
        sl_buf_puts(b, sl_query_op_name(n->un.op));
        child(n->un.arg, b);
        break;
    case SL_QUERY_N_IN:
        sl_buf_puts(b, sl_query_op_name(n->in.op));
        child(n->in.lhs, b);
        items(&n->in.items, b);
        break;
    case SL_QUERY_N_BETWEEN:
        sl_buf_puts(b, n->between.negated ? "!between" : "between");
        child(n->between.lhs, b);
        child(n->between.lo, b);
        child(n->between.hi, b);
        break;
    case SL_QUERY_N_CALL:
        sl_buf_puts(b, "call");
        child(n->call.fn, b);
        items(&n->call.args, b);
        break;
    case SL_QUERY_N_NAMED_ARG:
        sl_buf_puts(b, "arg");
        child(n->named.name, b);
        child(n->named.value, b);
        break;
    case SL_QUERY_N_MEMBER:
        sl_buf_putc(b, '.');
        child(n->member.base, b);
        child(n->member.name, b);
        break;
    case SL_QUERY_N_INDEX:
        sl_buf_puts(b, n->index.dotted ? ".[]" : "[]");
        child(n->index.base, b);
        child(n->index.index, b);
        break;
    case SL_QUERY_N_ASSIGN:
        /* (= name value), or (= (a b) value) for a tuple assignment. */
        sl_buf_putc(b, '=');
        if (n->assign.tuple) {
            sl_buf_puts(b, " (");
            for (size_t i = 0; i < n->assign.names.n; i++) {
                if (i) {
                    sl_buf_putc(b, ' ');
                }
                dump(n->assign.names.v[i], b);
            }
            sl_buf_putc(b, ')');
        } else {
            items(&n->assign.names, b);
        }
        child(n->assign.value, b);
        break;
    case SL_QUERY_N_SORTKEY: {
        /* Sort keys print their resolved order and null placement; reorder
         * keys only the direction that was written. */
        sl_buf_puts(b, "key");
        child(n->sortkey.expr, b);
        const char *o = order_name(n->sortkey.order);
        if (o) {
            sl_buf_printf(b, " %s", o);
        }
        if (!n->sortkey.reorder &&
            (n->sortkey.order == SL_QUERY_ORDER_ASC || n->sortkey.order == SL_QUERY_ORDER_DESC)) {
            sl_buf_puts(b, n->sortkey.nulls_first ? " nulls-first" : " nulls-last");
        }
        break;
    }
    case SL_QUERY_N_COLDECL:
        sl_buf_puts(b, "col");
        child(n->coldecl.name, b);
        if (n->coldecl.type != SL_QUERY_TY_NONE) {
            sl_buf_printf(b, " %s", sl_query_type_name(n->coldecl.type));
        }
        break;
    case SL_QUERY_N_PARAM:
        sl_buf_puts(b, n->param.name);
        child(n->param.value, b);
        break;
    case SL_QUERY_N_LIST:
        sl_buf_puts(b, "list");
        items(&n->list.items, b);
        break;
    case SL_QUERY_N_EXPAND_ITEM:
        sl_buf_puts(b, "item");
        child(n->expand_item.value, b);
        if (n->expand_item.to_type != SL_QUERY_TY_NONE) {
            sl_buf_printf(b, " %s", sl_query_type_name(n->expand_item.to_type));
        }
        break;
    case SL_QUERY_N_TOP_NESTED_LEVEL:
        sl_buf_puts(b, "level");
        child(n->tn_level.count, b);
        child(n->tn_level.of, b);
        opt_labelled("others", n->tn_level.others, b);
        child(n->tn_level.by, b);
        break;
    default:
        sl_buf_puts(b, sl_query_kind_name(n->kind));
        dump_operator(n, b);
        break;
    }
    sl_buf_putc(b, ')');
}

/* Public entry: the recursion depth is bounded by SL_QUERY_MAX_HEIGHT, which
 * the parser enforces on every tree it returns. */
void sl_query_ast_dump(const sl_query_node_t *n, sl_buf_t *out)
{
    dump(n, out);
}
