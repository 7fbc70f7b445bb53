/*
 * Operators that combine tables: join, lookup, union, and search (which
 * reads several tables). All four take parameters first and keep unknown
 * ones; the meaningful ones are decoded into typed fields:
 *
 *   join    kind= innerunique (default) | inner | leftouter | rightouter |
 *                 fullouter | leftanti (anti, leftantisemi) | rightanti
 *                 (rightantisemi) | leftsemi | rightsemi
 *   lookup  kind= leftouter (default) | inner
 *   union   kind= outer (default) | inner; withsource= / with_source= Col;
 *           isfuzzy= true|false
 *   search  kind= case_insensitive (default) | case_sensitive
 *
 * The right side of join/lookup is any expression (Kql.g4: unnamedExpression):
 * a bare table or let name, a call, workspace("w").T, or a parenthesised
 * pipeline. `on` takes names and conditions (`$left.a == $right.b`), which
 * stay ordinary expressions; the legacy `where` form is kept apart.
 */
#include "query/query_int.h"

#include <string.h>

/* The value of a param as a word (NAME or bool literal), or NULL. */
static const char *word_value(const sl_query_node_t *v, size_t *n)
{
    if (v->kind == SL_QUERY_N_NAME) {
        *n = v->name.n;
        return v->name.s;
    }
    if (v->kind == SL_QUERY_N_LITERAL && v->lit.type == SL_QUERY_TY_BOOL && !v->lit.is_null) {
        *n = v->lit.b ? 4 : 5;
        return v->lit.b ? "true" : "false";
    }
    return NULL;
}

static bool word_eq(const char *s, size_t n, const char *w)
{
    return s && strlen(w) == n && memcmp(s, w, n) == 0;
}

static void *bad_value(sl_query__parser_t *p, const sl_query_node_t *v, const char *what)
{
    sl_query_tok_t at = { .kind = SL_QUERY_T_IDENT, .pos = v->pos };
    return sl_query__fail(p, &at, SL_EPARSE, "expected %s", what);
}

/* `on key, ...` (required for lookup) or the legacy `where pred`. */
static bool join_tail(sl_query__parser_t *p, sl_query_node_t *n, bool require_on)
{
    if (sl_query__accept_kw(p, SL_QUERY_KW_ON)) {
        sl_query__vec_t v;
        sl_query__vec_init(p, &v);
        do {
            sl_query_node_t *e = sl_query__parse_expr(p);
            if (!e) {
                return false;
            }
            sl_query__vec_push(&v, e);
        } while (sl_query__accept(p, SL_QUERY_T_COMMA));
        n->join.on = sl_query__vec_done(&v);
        return true;
    }
    if (require_on) {
        sl_query__expected(p, "'on' and the join keys");
        return false;
    }
    if (sl_query__accept_kw(p, SL_QUERY_KW_WHERE)) {
        n->join.where = sl_query__parse_expr(p);
        return n->join.where != NULL;
    }
    return true;
}

sl_query_node_t *sl_query__op_join(sl_query__parser_t *p)
{
    static const struct {
        const char *name;
        sl_query_join_kind_t kind;
    } kinds[] = {
        { "innerunique", SL_QUERY_JOIN_INNERUNIQUE }, { "inner", SL_QUERY_JOIN_INNER },
        { "leftouter", SL_QUERY_JOIN_LEFTOUTER },     { "rightouter", SL_QUERY_JOIN_RIGHTOUTER },
        { "fullouter", SL_QUERY_JOIN_FULLOUTER },     { "leftanti", SL_QUERY_JOIN_LEFTANTI },
        { "anti", SL_QUERY_JOIN_LEFTANTI },           { "leftantisemi", SL_QUERY_JOIN_LEFTANTI },
        { "rightanti", SL_QUERY_JOIN_RIGHTANTI },     { "rightantisemi", SL_QUERY_JOIN_RIGHTANTI },
        { "leftsemi", SL_QUERY_JOIN_LEFTSEMI },       { "rightsemi", SL_QUERY_JOIN_RIGHTSEMI },
    };
    sl_query_node_t *n = sl_query__node(p, SL_QUERY_N_JOIN, NULL);
    sl_query__next(p);
    if (!sl_query__parse_params(p, &n->join.params, NULL, true)) {
        return NULL;
    }
    n->join.kind = SL_QUERY_JOIN_INNERUNIQUE;
    sl_query_node_t *kind = sl_query__param(&n->join.params, "kind");
    if (kind) {
        size_t len;
        const char *w = word_value(kind, &len);
        size_t i = 0;
        while (i < SL_ARRAY_SIZE(kinds) && !word_eq(w, len, kinds[i].name)) {
            i++;
        }
        if (i == SL_ARRAY_SIZE(kinds)) {
            return bad_value(p,
                             kind,
                             "a join kind (innerunique, inner, leftouter, rightouter, "
                             "fullouter, leftanti, rightanti, leftsemi, rightsemi)");
        }
        n->join.kind = kinds[i].kind;
    }
    if (!(n->join.right = sl_query__parse_expr(p)) || !join_tail(p, n, false)) {
        return NULL;
    }
    return sl_query__finish(p, n);
}

sl_query_node_t *sl_query__op_lookup(sl_query__parser_t *p)
{
    sl_query_node_t *n = sl_query__node(p, SL_QUERY_N_LOOKUP, NULL);
    sl_query__next(p);
    if (!sl_query__parse_params(p, &n->join.params, NULL, true)) {
        return NULL;
    }
    n->join.kind = SL_QUERY_JOIN_LEFTOUTER;
    sl_query_node_t *kind = sl_query__param(&n->join.params, "kind");
    if (kind) {
        size_t len;
        const char *w = word_value(kind, &len);
        if (word_eq(w, len, "inner")) {
            n->join.kind = SL_QUERY_JOIN_INNER;
        } else if (!word_eq(w, len, "leftouter")) {
            return bad_value(p, kind, "a lookup kind (leftouter, inner)");
        }
    }
    if (!(n->join.right = sl_query__parse_expr(p)) || !join_tail(p, n, true)) {
        return NULL;
    }
    return sl_query__finish(p, n);
}

/* True if the name at the current token carries a `*` (Sec*, *, *_CL). */
static bool at_wildcard(const sl_query__parser_t *p)
{
    const sl_query_tok_t *prev = NULL;
    for (size_t k = 0;; k++) {
        const sl_query_tok_t *t = sl_query__peek(p, k);
        if (t->kind == SL_QUERY_T_STAR && (!prev || sl_query__adjacent(prev, t))) {
            return true;
        }
        if (t->kind != SL_QUERY_T_IDENT || (prev && !sl_query__adjacent(prev, t))) {
            return false;
        }
        prev = t;
    }
}

/* A union leg or a search/find table: a wildcarded name, a parenthesised
 * pipeline, or a name / call / path. */
static sl_query_node_t *table_ref(sl_query__parser_t *p)
{
    if (at_wildcard(p)) {
        return sl_query__parse_wild_name(p, "a table name");
    }
    if (sl_query__accept(p, SL_QUERY_T_LPAREN)) {
        sl_query_node_t *e = sl_query__parse_pipe_expr(p);
        if (!e || !sl_query__expect(p, SL_QUERY_T_RPAREN, "')'")) {
            return NULL;
        }
        return e;
    }
    if (!sl_query__at_name(p)) {
        return sl_query__expected(p, "a table name");
    }
    return sl_query__parse_postfix(p);
}

static bool table_list(sl_query__parser_t *p, sl_query_list_t *out)
{
    sl_query__vec_t v;
    sl_query__vec_init(p, &v);
    do {
        sl_query_node_t *t = table_ref(p);
        if (!t) {
            return false;
        }
        sl_query__vec_push(&v, t);
    } while (sl_query__accept(p, SL_QUERY_T_COMMA));
    *out = sl_query__vec_done(&v);
    return true;
}

sl_query_node_t *sl_query__op_union(sl_query__parser_t *p)
{
    sl_query_node_t *n = sl_query__node(p, SL_QUERY_N_UNION, NULL);
    sl_query__next(p);
    if (!sl_query__parse_params(p, &n->union_.params, NULL, true)) {
        return NULL;
    }
    n->union_.outer = true;
    sl_query_node_t *v;
    size_t len;
    if ((v = sl_query__param(&n->union_.params, "kind"))) {
        const char *w = word_value(v, &len);
        if (!word_eq(w, len, "outer") && !word_eq(w, len, "inner")) {
            return bad_value(p, v, "a union kind (outer, inner)");
        }
        n->union_.outer = word_eq(w, len, "outer");
    }
    if ((v = sl_query__param(&n->union_.params, "isfuzzy"))) {
        const char *w = word_value(v, &len);
        if (!word_eq(w, len, "true") && !word_eq(w, len, "false")) {
            return bad_value(p, v, "true or false");
        }
        n->union_.isfuzzy = word_eq(w, len, "true");
    }
    if ((v = sl_query__param(&n->union_.params, "withsource")) ||
        (v = sl_query__param(&n->union_.params, "with_source"))) {
        if (v->kind != SL_QUERY_N_NAME) {
            return bad_value(p, v, "a column name");
        }
        n->union_.withsource = v;
    }
    if (!table_list(p, &n->union_.legs)) {
        return NULL;
    }
    return sl_query__finish(p, n);
}

sl_query_node_t *sl_query__op_search(sl_query__parser_t *p)
{
    sl_query_node_t *n = sl_query__node(p, SL_QUERY_N_SEARCH, NULL);
    sl_query__next(p);
    if (!sl_query__parse_params(p, &n->search.params, NULL, true)) {
        return NULL;
    }
    sl_query_node_t *kind = sl_query__param(&n->search.params, "kind");
    if (kind) {
        size_t len;
        const char *w = word_value(kind, &len);
        if (!word_eq(w, len, "case_sensitive") && !word_eq(w, len, "case_insensitive")) {
            return bad_value(p, kind, "case_sensitive or case_insensitive");
        }
        n->search.case_sensitive = word_eq(w, len, "case_sensitive");
    }
    if (sl_query__at_kw(p, SL_QUERY_KW_IN) && sl_query__peek(p, 1)->kind == SL_QUERY_T_LPAREN) {
        p->i += 2;
        if (!table_list(p, &n->search.tables) ||
            !sl_query__expect(p, SL_QUERY_T_RPAREN, "',' or ')'")) {
            return NULL;
        }
    }
    /* `search *` and `search * and pred`: the star alone means every row. */
    const sl_query_tok_t *t = sl_query__peek(p, 0);
    if (t->kind == SL_QUERY_T_STAR) {
        const sl_query_tok_t *u = sl_query__peek(p, 1);
        bool end = u->kind == SL_QUERY_T_PIPE || u->kind == SL_QUERY_T_SEMI ||
                   u->kind == SL_QUERY_T_RPAREN || u->kind == SL_QUERY_T_EOF;
        if (end || ((u->kind == SL_QUERY_T_IDENT) && u->kw == SL_QUERY_KW_AND)) {
            sl_query_node_t *star = sl_query__node(p, SL_QUERY_N_STAR, t);
            sl_query__next(p);
            star = sl_query__finish(p, star);
            if (end) {
                n->search.pred = star;
                return sl_query__finish(p, n);
            }
            sl_query__next(p); /* and */
            sl_query_node_t *rhs = sl_query__parse_expr(p);
            if (!rhs) {
                return NULL;
            }
            sl_query_node_t *b = sl_query__node(p, SL_QUERY_N_BINARY, t);
            b->bin.op = SL_QUERY_OP_AND;
            b->bin.lhs = star;
            b->bin.rhs = rhs;
            if (!(n->search.pred = sl_query__finish(p, b))) {
                return NULL;
            }
            return sl_query__finish(p, n);
        }
    }
    if (!(n->search.pred = sl_query__parse_expr(p))) {
        return NULL;
    }
    return sl_query__finish(p, n);
}
