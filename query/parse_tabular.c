/*
 * Tabular expressions: pipelines, their heads, sub-queries with an implicit
 * input, operator parameters, and the capture of operators we do not model.
 *
 * A pipe expression is a head followed by `| operator` stages (Kql.g4's
 * pipeExpression). The head is an ordinary expression (a table or let name,
 * a call, `workspace("w").T`, a parenthesised pipeline, datatable(...)) or
 * one of the operators that may start a pipeline: union, search, find,
 * print, range, evaluate, macro-expand. Without a `|` the head is returned
 * as it is, so a scalar `let x = 5;` is just the literal.
 *
 * Operators outside what sealog models (tier 3: make-series, fork, facet,
 * partition, scan, reduce, graph-*, ...) become UNSUPPORTED nodes: the name
 * is recorded and the operator's tokens are skipped, balanced over brackets,
 * up to the next top-level `|` or `;` or the closing bracket around it. So
 * valid KQL never fails to parse for being exotic, and the executor can say
 * "`make-series` is not supported" instead of "syntax error".
 */
#include "query/query_int.h"

#include <string.h>

bool sl_query__at_op_end(const sl_query__parser_t *p)
{
    switch (sl_query__peek(p, 0)->kind) {
    case SL_QUERY_T_PIPE:
    case SL_QUERY_T_SEMI:
    case SL_QUERY_T_RPAREN:
    case SL_QUERY_T_RBRACKET:
    case SL_QUERY_T_RBRACE:
    case SL_QUERY_T_EOF:
        return true;
    default:
        return false;
    }
}

sl_query_node_t *sl_query__parse_unsupported(sl_query__parser_t *p)
{
    const sl_query_tok_t *t = sl_query__peek(p, 0);
    sl_query_node_t *n = sl_query__node(p, SL_QUERY_N_UNSUPPORTED, t);
    n->unsupported.kw = t->kw;
    n->unsupported.name = sl_pool_strndup(p->pool, p->text + t->pos.off, t->pos.len);
    sl_query__next(p);
    /* The closers still owed, innermost last: brackets must balance and
     * match even in text we do not model, or `find(x` would pass. */
    sl_query_tok_kind_t owed[SL_QUERY_MAX_NESTING];
    size_t depth = 0;
    for (;;) {
        sl_query_tok_kind_t k = sl_query__peek(p, 0)->kind;
        if (k == SL_QUERY_T_EOF || k == SL_QUERY_T_ERROR) {
            if (depth > 0) {
                return sl_query__expected(p, sl_query_tok_kind_name(owed[depth - 1]));
            }
            break; /* an ERROR token is reported by whoever expects more */
        }
        if (depth == 0 && (k == SL_QUERY_T_PIPE || k == SL_QUERY_T_SEMI)) {
            break;
        }
        if (k == SL_QUERY_T_LPAREN || k == SL_QUERY_T_LBRACKET || k == SL_QUERY_T_LBRACE) {
            if (depth == SL_QUERY_MAX_NESTING) {
                return sl_query__fail(p, NULL, SL_ELIMIT, "nesting deeper than %d levels",
                                      SL_QUERY_MAX_NESTING);
            }
            owed[depth++] = k == SL_QUERY_T_LPAREN     ? SL_QUERY_T_RPAREN
                            : k == SL_QUERY_T_LBRACKET ? SL_QUERY_T_RBRACKET
                                                       : SL_QUERY_T_RBRACE;
        } else if (k == SL_QUERY_T_RPAREN || k == SL_QUERY_T_RBRACKET || k == SL_QUERY_T_RBRACE) {
            if (depth == 0) {
                break; /* closes a bracket around this operator */
            }
            if (k != owed[depth - 1]) {
                return sl_query__expected(p, sl_query_tok_kind_name(owed[depth - 1]));
            }
            depth--;
        }
        sl_query__next(p);
    }
    return sl_query__finish(p, n);
}

/* ------------------------------------------------------------------------ */
/* Parameters                                                               */
/* ------------------------------------------------------------------------ */

/* Number of tokens in the parameter name at the current token (`kind`,
 * `hint.strategy`) when `=` follows it, else 0. */
static size_t param_name_len(const sl_query__parser_t *p)
{
    const sl_query_tok_t *t = sl_query__peek(p, 0);
    if (t->kind != SL_QUERY_T_IDENT) {
        return 0;
    }
    size_t k = 1;
    while (sl_query__peek(p, k)->kind == SL_QUERY_T_DOT &&
           sl_query__peek(p, k + 1)->kind == SL_QUERY_T_IDENT &&
           sl_query__adjacent(sl_query__peek(p, k - 1), sl_query__peek(p, k)) &&
           sl_query__adjacent(sl_query__peek(p, k), sl_query__peek(p, k + 1))) {
        k += 2;
    }
    return sl_query__peek(p, k)->kind == SL_QUERY_T_ASSIGN ? k : 0;
}

sl_query_node_t *sl_query__parse_param_value(sl_query__parser_t *p)
{
    const sl_query_tok_t *t = sl_query__peek(p, 0);
    if (sl_query__at_literal(p)) {
        return sl_query__parse_literal(p);
    }
    if ((t->kind == SL_QUERY_T_MINUS || t->kind == SL_QUERY_T_PLUS)) {
        sl_query_tok_kind_t k = sl_query__peek(p, 1)->kind;
        if (k == SL_QUERY_T_LONG || k == SL_QUERY_T_REAL || k == SL_QUERY_T_TIMESPAN) {
            return sl_query__parse_expr(p); /* folds into a signed literal */
        }
    }
    if (sl_query__at_name(p)) {
        return sl_query__parse_name(p, "a value");
    }
    return sl_query__expected(p, "a parameter value");
}

bool sl_query__parse_params(sl_query__parser_t *p,
                            sl_query_list_t *out,
                            const char *const *known,
                            bool any)
{
    sl_query__vec_t v;
    sl_query__vec_init(p, &v);
    for (;;) {
        size_t k = param_name_len(p);
        if (!k) {
            break;
        }
        const sl_query_tok_t *first = sl_query__peek(p, 0), *last = sl_query__peek(p, k - 1);
        size_t len = last->pos.off + last->pos.len - first->pos.off;
        const char *name = p->text + first->pos.off;
        bool ok = any || (len > 5 && memcmp(name, "hint.", 5) == 0);
        for (size_t i = 0; !ok && known && known[i]; i++) {
            ok = strlen(known[i]) == len && memcmp(known[i], name, len) == 0;
        }
        if (!ok) {
            break; /* not a parameter: e.g. an assignment `Name = expr` */
        }
        sl_query_node_t *n = sl_query__node(p, SL_QUERY_N_PARAM, first);
        n->param.name = sl_pool_strndup(p->pool, name, len);
        p->i += k + 1;
        n->param.value = sl_query__parse_param_value(p);
        if (!n->param.value || !sl_query__finish(p, n)) {
            return false;
        }
        sl_query__vec_push(&v, n);
    }
    *out = sl_query__vec_done(&v);
    return !p->failed;
}

sl_query_node_t *sl_query__param(const sl_query_list_t *params, const char *name)
{
    sl_query_node_t *found = NULL;
    for (size_t i = 0; i < params->n; i++) {
        if (strcmp(params->v[i]->param.name, name) == 0) {
            found = params->v[i]->param.value;
        }
    }
    return found;
}

/* ------------------------------------------------------------------------ */
/* Pipeline heads                                                           */
/* ------------------------------------------------------------------------ */

/* `print [Name =] expr, ...` */
static sl_query_node_t *print(sl_query__parser_t *p)
{
    sl_query_node_t *n = sl_query__node(p, SL_QUERY_N_PRINT, NULL);
    sl_query__next(p);
    if (!sl_query__parse_named_list(p, &n->items.items)) {
        return NULL;
    }
    return sl_query__finish(p, n);
}

/* `range Col from a to b step c` */
static sl_query_node_t *range(sl_query__parser_t *p)
{
    sl_query_node_t *n = sl_query__node(p, SL_QUERY_N_RANGE, NULL);
    sl_query__next(p);
    if (!(n->range.column = sl_query__parse_name(p, "a column name")) ||
        !sl_query__expect_kw(p, SL_QUERY_KW_FROM) || !(n->range.from = sl_query__parse_expr(p)) ||
        !sl_query__expect_kw(p, SL_QUERY_KW_TO) || !(n->range.to = sl_query__parse_expr(p)) ||
        !sl_query__expect_kw(p, SL_QUERY_KW_STEP) || !(n->range.step = sl_query__parse_expr(p))) {
        return NULL;
    }
    return sl_query__finish(p, n);
}

/* The pipeline-starting operators. Expression heads are guarded by
 * sl_query__parse_expr itself; these recurse without it (`union (union
 * (...))`), so they take one nesting level here. */
static sl_query_node_t *operator_head(sl_query__parser_t *p, sl_query_kw_t kw)
{
    if (!sl_query__enter(p)) {
        return NULL;
    }
    sl_query_node_t *n;
    switch (kw) {
    case SL_QUERY_KW_UNION:
        n = sl_query__op_union(p);
        break;
    case SL_QUERY_KW_SEARCH:
        n = sl_query__op_search(p);
        break;
    case SL_QUERY_KW_EVALUATE:
        n = sl_query__op_evaluate(p);
        break;
    case SL_QUERY_KW_PRINT:
        n = print(p);
        break;
    case SL_QUERY_KW_RANGE:
        n = range(p);
        break;
    default:
        n = sl_query__parse_unsupported(p);
        break;
    }
    sl_query__leave(p);
    return n;
}

static sl_query_node_t *head(sl_query__parser_t *p)
{
    const sl_query_tok_t *t = sl_query__peek(p, 0);
    if (t->kind == SL_QUERY_T_IDENT || t->kind == SL_QUERY_T_KEYWORD) {
        switch (t->kw) {
        case SL_QUERY_KW_UNION:
        case SL_QUERY_KW_SEARCH:
        case SL_QUERY_KW_EVALUATE:
        case SL_QUERY_KW_PRINT:
        case SL_QUERY_KW_FIND:
        case SL_QUERY_KW_MACRO_EXPAND:
            return operator_head(p, t->kw);
        case SL_QUERY_KW_RANGE:
            /* range(a, b, c) is the scalar function */
            if (sl_query__peek(p, 1)->kind != SL_QUERY_T_LPAREN) {
                return operator_head(p, t->kw);
            }
            break;
        default:
            break;
        }
    }
    return sl_query__parse_expr(p);
}

/* The `| op | op ...` stages after a head (or after the first operator of
 * a sub-query); `first` may already hold one stage. */
static sl_query_node_t *stages(sl_query__parser_t *p,
                               sl_query_node_t *source,
                               sl_query_node_t *first,
                               const sl_query_tok_t *start)
{
    if (!first && !sl_query__at(p, SL_QUERY_T_PIPE)) {
        return source;
    }
    sl_query_node_t *n = sl_query__node(p, SL_QUERY_N_PIPELINE, start);
    n->pipe.source = source;
    sl_query__vec_t ops;
    sl_query__vec_init(p, &ops);
    if (first) {
        sl_query__vec_push(&ops, first);
    }
    while (sl_query__accept(p, SL_QUERY_T_PIPE)) {
        sl_query_node_t *op = sl_query__parse_operator(p);
        if (!op) {
            return NULL;
        }
        sl_query__vec_push(&ops, op);
    }
    n->pipe.ops = sl_query__vec_done(&ops);
    return sl_query__finish(p, n);
}

sl_query_node_t *sl_query__parse_pipe_expr(sl_query__parser_t *p)
{
    const sl_query_tok_t *start = sl_query__peek(p, 0);
    sl_query_node_t *h = head(p);
    return h ? stages(p, h, NULL, start) : NULL;
}

/* Operator keywords that can start a sub-query with an implicit input. */
static bool at_operator(const sl_query__parser_t *p)
{
    const sl_query_tok_t *t = sl_query__peek(p, 0);
    if (t->kind != SL_QUERY_T_IDENT && t->kind != SL_QUERY_T_KEYWORD) {
        return false;
    }
    switch (t->kw) {
    case SL_QUERY_KW_WHERE:
    case SL_QUERY_KW_FILTER:
    case SL_QUERY_KW_PROJECT:
    case SL_QUERY_KW_EXTEND:
    case SL_QUERY_KW_SUMMARIZE:
    case SL_QUERY_KW_SORT:
    case SL_QUERY_KW_ORDER:
    case SL_QUERY_KW_TOP:
    case SL_QUERY_KW_TAKE:
    case SL_QUERY_KW_LIMIT:
    case SL_QUERY_KW_DISTINCT:
    case SL_QUERY_KW_COUNT:
    case SL_QUERY_KW_PARSE:
    case SL_QUERY_KW_PARSE_WHERE:
    case SL_QUERY_KW_PARSE_KV:
    case SL_QUERY_KW_MV_EXPAND:
    case SL_QUERY_KW_MVEXPAND:
    case SL_QUERY_KW_PROJECT_AWAY:
    case SL_QUERY_KW_PROJECT_KEEP:
    case SL_QUERY_KW_PROJECT_RENAME:
    case SL_QUERY_KW_PROJECT_REORDER:
    case SL_QUERY_KW_SERIALIZE:
    case SL_QUERY_KW_SAMPLE:
    case SL_QUERY_KW_TOP_NESTED:
    case SL_QUERY_KW_AS:
    case SL_QUERY_KW_INVOKE:
    case SL_QUERY_KW_GETSCHEMA:
    case SL_QUERY_KW_JOIN:
    case SL_QUERY_KW_LOOKUP:
    case SL_QUERY_KW_MAKE_SERIES:
    case SL_QUERY_KW_TOP_HITTERS:
    case SL_QUERY_KW_SAMPLE_DISTINCT:
    case SL_QUERY_KW_REDUCE:
    case SL_QUERY_KW_SCAN:
        /* `count` and `sample` double as names only before '(' or '='. */
        return sl_query__peek(p, 1)->kind != SL_QUERY_T_LPAREN &&
               sl_query__peek(p, 1)->kind != SL_QUERY_T_ASSIGN;
    default:
        return false;
    }
}

sl_query_node_t *sl_query__parse_subquery(sl_query__parser_t *p)
{
    if (!at_operator(p)) {
        return sl_query__parse_pipe_expr(p);
    }
    if (!sl_query__enter(p)) {
        return NULL;
    }
    const sl_query_tok_t *start = sl_query__peek(p, 0);
    sl_query_node_t *first = sl_query__parse_operator(p);
    sl_query_node_t *n = first ? stages(p, NULL, first, start) : NULL;
    sl_query__leave(p);
    return n;
}
