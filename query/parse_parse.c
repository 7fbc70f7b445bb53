/*
 * Operators with clause grammars of their own: parse / parse-where (a
 * pattern of literals, `*` and `col[:type]` captures), parse-kv, mv-expand,
 * mv-apply (with its implicit-input sub-query), render (visualization and
 * properties) and evaluate (a plugin call).
 *
 * A parse pattern follows Kql.g4: an optional leading column, then segments
 * of [`*`] "literal" [column], then an optional trailing `*`. So two columns
 * never touch (`a b` cannot be split) and `*` is always followed by a
 * literal or ends the pattern; anything else is a syntax error here rather
 * than a surprise at run time.
 */
#include "query/query_int.h"

#include <string.h>

static const char *word_of(const sl_query_node_t *v, size_t *n)
{
    if (v && v->kind == SL_QUERY_N_NAME) {
        *n = v->name.n;
        return v->name.s;
    }
    if (v && v->kind == SL_QUERY_N_LITERAL && v->lit.type == SL_QUERY_TY_STRING) {
        *n = v->lit.str.n;
        return v->lit.str.s;
    }
    return NULL;
}

static bool eq(const char *s, size_t n, const char *w)
{
    return s && strlen(w) == n && memcmp(s, w, n) == 0;
}

static void *bad_value(sl_query__parser_t *p, const sl_query_node_t *v, const char *what)
{
    sl_query_tok_t at = { .kind = SL_QUERY_T_IDENT, .pos = v->pos };
    return sl_query__fail(p, &at, SL_EPARSE, "expected %s", what);
}

/* ------------------------------------------------------------------------ */
/* parse, parse-where                                                       */
/* ------------------------------------------------------------------------ */

sl_query_node_t *sl_query__op_parse(sl_query__parser_t *p)
{
    static const char *const known[] = { "kind", "flags", NULL };
    bool where = sl_query__at_kw(p, SL_QUERY_KW_PARSE_WHERE);
    sl_query_node_t *n = sl_query__node(p, where ? SL_QUERY_N_PARSE_WHERE : SL_QUERY_N_PARSE, NULL);
    sl_query__next(p);
    if (!sl_query__parse_params(p, &n->parse.params, known, false)) {
        return NULL;
    }
    sl_query_node_t *v;
    size_t len;
    if ((v = sl_query__param(&n->parse.params, "kind"))) {
        const char *w = word_of(v, &len);
        if (eq(w, len, "regex")) {
            n->parse.kind = SL_QUERY_PARSE_REGEX;
        } else if (eq(w, len, "relaxed")) {
            n->parse.kind = SL_QUERY_PARSE_RELAXED;
        } else if (!eq(w, len, "simple")) {
            return bad_value(p, v, "a parse kind (simple, regex, relaxed)");
        }
    }
    if ((v = sl_query__param(&n->parse.params, "flags"))) {
        const char *w = word_of(v, &len);
        if (!w) {
            return bad_value(p, v, "regex flags (such as Ui)");
        }
        n->parse.flags = sl_pool_strndup(p->pool, w, len);
    }
    if (!(n->parse.expr = sl_query__parse_expr(p)) || !sl_query__expect_kw(p, SL_QUERY_KW_WITH)) {
        return NULL;
    }
    sl_query__vec_t items;
    sl_query__vec_init(p, &items);
    /* prev: 0 start, 1 column, 2 star, 3 literal */
    int prev = 0;
    while (!sl_query__at_op_end(p)) {
        const sl_query_tok_t *t = sl_query__peek(p, 0);
        sl_query_node_t *item;
        if (t->kind == SL_QUERY_T_STAR && prev != 2) {
            item = sl_query__node(p, SL_QUERY_N_STAR, t);
            sl_query__next(p);
            item = sl_query__finish(p, item);
            prev = 2;
        } else if (t->kind == SL_QUERY_T_STRING) {
            item = sl_query__parse_literal(p);
            prev = 3;
        } else if (sl_query__at_name(p) && (prev == 0 || prev == 3)) {
            item = sl_query__parse_coldecl(p, true);
            prev = 1;
        } else {
            return sl_query__expected(
              p, prev == 2 ? "a string after '*'" : "a string, a column name or '*'");
        }
        if (!item) {
            return NULL;
        }
        sl_query__vec_push(&items, item);
    }
    if (items.n == 0) {
        return sl_query__expected(p, "a parse pattern");
    }
    n->parse.pattern = sl_query__vec_done(&items);
    return sl_query__finish(p, n);
}

/* ------------------------------------------------------------------------ */
/* parse-kv                                                                 */
/* ------------------------------------------------------------------------ */

/* `( name = value, ... )` property lists (parse-kv's with clause). */
static bool prop_list(sl_query__parser_t *p, sl_query_list_t *out)
{
    sl_query__vec_t v;
    sl_query__vec_init(p, &v);
    if (!sl_query__expect(p, SL_QUERY_T_LPAREN, "'('")) {
        return false;
    }
    while (!sl_query__at(p, SL_QUERY_T_RPAREN)) {
        const sl_query_tok_t *t = sl_query__peek(p, 0);
        if (t->kind != SL_QUERY_T_IDENT || sl_query__peek(p, 1)->kind != SL_QUERY_T_ASSIGN) {
            sl_query__expected(p, "a property (name = value)");
            return false;
        }
        sl_query_node_t *n = sl_query__node(p, SL_QUERY_N_PARAM, t);
        n->param.name = sl_pool_strndup(p->pool, p->text + t->pos.off, t->pos.len);
        p->i += 2;
        if (!(n->param.value = sl_query__parse_param_value(p)) || !sl_query__finish(p, n)) {
            return false;
        }
        sl_query__vec_push(&v, n);
        if (!sl_query__accept(p, SL_QUERY_T_COMMA)) {
            break;
        }
    }
    *out = sl_query__vec_done(&v);
    return sl_query__expect(p, SL_QUERY_T_RPAREN, "',' or ')'");
}

sl_query_node_t *sl_query__op_parse_kv(sl_query__parser_t *p)
{
    sl_query_node_t *n = sl_query__node(p, SL_QUERY_N_PARSE_KV, NULL);
    sl_query__next(p);
    if (!(n->parse_kv.expr = sl_query__parse_expr(p)) || !sl_query__expect_kw(p, SL_QUERY_KW_AS) ||
        !sl_query__parse_schema(p, &n->parse_kv.columns, false, NULL)) {
        return NULL;
    }
    if (sl_query__accept_kw(p, SL_QUERY_KW_WITH) && !prop_list(p, &n->parse_kv.with)) {
        return NULL;
    }
    return sl_query__finish(p, n);
}

/* ------------------------------------------------------------------------ */
/* mv-expand, mv-apply                                                      */
/* ------------------------------------------------------------------------ */

/* `[Name =] expr [to typeof(T)], ...` then `[limit N]`. */
static bool expand_items(sl_query__parser_t *p, sl_query_node_t *n)
{
    sl_query__vec_t v;
    sl_query__vec_init(p, &v);
    do {
        sl_query_node_t *item = sl_query__node(p, SL_QUERY_N_EXPAND_ITEM, NULL);
        if (!(item->expand_item.value = sl_query__parse_named_expr(p))) {
            return false;
        }
        if (sl_query__accept_kw(p, SL_QUERY_KW_TO)) {
            const sl_query_tok_t *t = sl_query__peek(p, 0);
            if (t->kind != SL_QUERY_T_TYPED || t->v.typed.type != SL_QUERY_TY_TYPE) {
                sl_query__expected(p, "typeof(type)");
                return false;
            }
            sl_query_node_t *ty = sl_query__parse_literal(p);
            if (!ty) {
                return false;
            }
            if (ty->lit.of_type == SL_QUERY_TY_NONE) {
                sl_query_tok_t at = { .kind = SL_QUERY_T_TYPED, .pos = ty->pos };
                sl_query__fail(p, &at, SL_EPARSE, "expected a scalar type in typeof()");
                return false;
            }
            item->expand_item.to_type = ty->lit.of_type;
        }
        sl_query__vec_push(&v, sl_query__finish(p, item));
    } while (sl_query__accept(p, SL_QUERY_T_COMMA));
    n->mv.items = sl_query__vec_done(&v);
    if (sl_query__accept_kw(p, SL_QUERY_KW_LIMIT) && !(n->mv.limit = sl_query__parse_expr(p))) {
        return false;
    }
    return !p->failed;
}

/* Decodes bagexpansion= and with_itemindex= from the params. */
static bool mv_params(sl_query__parser_t *p, sl_query_node_t *n)
{
    sl_query_node_t *v;
    size_t len;
    if ((v = sl_query__param(&n->mv.params, "bagexpansion")) ||
        (v = sl_query__param(&n->mv.params, "kind"))) {
        const char *w = word_of(v, &len);
        if (eq(w, len, "array")) {
            n->mv.bagexpansion = SL_QUERY_BAGEXP_ARRAY;
        } else if (!eq(w, len, "bag")) {
            bad_value(p, v, "bag or array");
            return false;
        }
    }
    if ((v = sl_query__param(&n->mv.params, "with_itemindex"))) {
        if (v->kind != SL_QUERY_N_NAME) {
            bad_value(p, v, "a column name");
            return false;
        }
        n->mv.itemindex = v;
    }
    return true;
}

sl_query_node_t *sl_query__op_mv_expand(sl_query__parser_t *p)
{
    static const char *const known[] = { "bagexpansion", "with_itemindex", "kind", NULL };
    sl_query_node_t *n = sl_query__node(p, SL_QUERY_N_MV_EXPAND, NULL);
    sl_query__next(p);
    if (!sl_query__parse_params(p, &n->mv.params, known, false) || !mv_params(p, n) ||
        !expand_items(p, n)) {
        return NULL;
    }
    return sl_query__finish(p, n);
}

sl_query_node_t *sl_query__op_mv_apply(sl_query__parser_t *p)
{
    static const char *const known[] = { "with_itemindex", NULL };
    sl_query_node_t *n = sl_query__node(p, SL_QUERY_N_MV_APPLY, NULL);
    sl_query__next(p);
    if (!sl_query__parse_params(p, &n->mv.params, known, false) || !mv_params(p, n) ||
        !expand_items(p, n)) {
        return NULL;
    }
    /* `id guid(...)` names the sub-query's context (rare; kept). */
    const sl_query_tok_t *t = sl_query__peek(p, 0);
    if (t->kind == SL_QUERY_T_IDENT && t->pos.len == 2 &&
        memcmp(p->text + t->pos.off, "id", 2) == 0 &&
        sl_query__peek(p, 1)->kind == SL_QUERY_T_TYPED) {
        sl_query__next(p);
        if (!(n->mv.id = sl_query__parse_literal(p))) {
            return NULL;
        }
    }
    if (!sl_query__expect_kw(p, SL_QUERY_KW_ON) ||
        !sl_query__expect(p, SL_QUERY_T_LPAREN, "'(' and a sub-query") ||
        !(n->mv.subquery = sl_query__parse_subquery(p)) ||
        !sl_query__expect(p, SL_QUERY_T_RPAREN, "')'")) {
        return NULL;
    }
    return sl_query__finish(p, n);
}

/* ------------------------------------------------------------------------ */
/* render                                                                   */
/* ------------------------------------------------------------------------ */

/* `name = value [, value2 ...]`: extra values are names not followed by `=`
 * (`ycolumns=a, b`). */
static sl_query_node_t *render_prop(sl_query__parser_t *p)
{
    const sl_query_tok_t *t = sl_query__peek(p, 0);
    sl_query_node_t *n = sl_query__node(p, SL_QUERY_N_PARAM, t);
    n->param.name = sl_pool_strndup(p->pool, p->text + t->pos.off, t->pos.len);
    p->i += 2;
    sl_query_node_t *first = sl_query__parse_expr(p);
    if (!first) {
        return NULL;
    }
    n->param.value = first;
    if (sl_query__at(p, SL_QUERY_T_COMMA) && sl_query__peek(p, 1)->kind == SL_QUERY_T_IDENT &&
        sl_query__peek(p, 2)->kind != SL_QUERY_T_ASSIGN) {
        sl_query_node_t *l = sl_query__node(p, SL_QUERY_N_LIST, NULL);
        l->pos = first->pos;
        sl_query__vec_t v;
        sl_query__vec_init(p, &v);
        sl_query__vec_push(&v, first);
        while (sl_query__at(p, SL_QUERY_T_COMMA) &&
               sl_query__peek(p, 1)->kind == SL_QUERY_T_IDENT &&
               sl_query__peek(p, 2)->kind != SL_QUERY_T_ASSIGN) {
            sl_query__next(p);
            sl_query_node_t *name = sl_query__parse_name(p, "a column name");
            if (!name) {
                return NULL;
            }
            sl_query__vec_push(&v, name);
        }
        l->list.items = sl_query__vec_done(&v);
        if (!(n->param.value = sl_query__finish(p, l))) {
            return NULL;
        }
    }
    return sl_query__finish(p, n);
}

sl_query_node_t *sl_query__op_render(sl_query__parser_t *p)
{
    sl_query_node_t *n = sl_query__node(p, SL_QUERY_N_RENDER, NULL);
    sl_query__next(p);
    const sl_query_tok_t *t = sl_query__peek(p, 0);
    if (t->kind != SL_QUERY_T_IDENT) {
        return sl_query__expected(p, "a visualization (timechart, barchart, piechart ...)");
    }
    n->render.visualization = sl_pool_strndup(p->pool, p->text + t->pos.off, t->pos.len);
    sl_query__next(p);
    sl_query__vec_t v;
    sl_query__vec_init(p, &v);
    if (sl_query__at_kw(p, SL_QUERY_KW_WITH) && sl_query__peek(p, 1)->kind == SL_QUERY_T_LPAREN) {
        p->i += 2;
        while (!sl_query__at(p, SL_QUERY_T_RPAREN)) {
            if (!sl_query__at(p, SL_QUERY_T_IDENT) ||
                sl_query__peek(p, 1)->kind != SL_QUERY_T_ASSIGN) {
                return sl_query__expected(p, "a render property (name = value)");
            }
            sl_query_node_t *prop = render_prop(p);
            if (!prop) {
                return NULL;
            }
            sl_query__vec_push(&v, prop);
            if (!sl_query__accept(p, SL_QUERY_T_COMMA)) {
                break;
            }
        }
        if (!sl_query__expect(p, SL_QUERY_T_RPAREN, "',' or ')'")) {
            return NULL;
        }
    } else {
        /* Legacy forms: `kind=stacked title="x"`, `with "title"`, `by a, b`. */
        for (;;) {
            const sl_query_tok_t *u = sl_query__peek(p, 0);
            sl_query_node_t *prop = NULL;
            if (u->kind == SL_QUERY_T_IDENT && sl_query__peek(p, 1)->kind == SL_QUERY_T_ASSIGN) {
                prop = render_prop(p);
            } else if ((u->kw == SL_QUERY_KW_WITH &&
                        sl_query__peek(p, 1)->kind == SL_QUERY_T_STRING) ||
                       u->kw == SL_QUERY_KW_BY) {
                prop = sl_query__node(p, SL_QUERY_N_PARAM, u);
                prop->param.name = u->kw == SL_QUERY_KW_BY ? "by" : "with";
                sl_query__next(p);
                if (u->kw == SL_QUERY_KW_BY) {
                    sl_query_node_t *l = sl_query__node(p, SL_QUERY_N_LIST, NULL);
                    sl_query__vec_t names;
                    sl_query__vec_init(p, &names);
                    do {
                        sl_query_node_t *name = sl_query__parse_name(p, "a column name");
                        if (!name) {
                            return NULL;
                        }
                        sl_query__vec_push(&names, name);
                    } while (sl_query__accept(p, SL_QUERY_T_COMMA));
                    l->list.items = sl_query__vec_done(&names);
                    prop->param.value = sl_query__finish(p, l);
                } else {
                    prop->param.value = sl_query__parse_literal(p);
                }
                prop = prop->param.value ? sl_query__finish(p, prop) : NULL;
            } else {
                break;
            }
            if (!prop) {
                return NULL;
            }
            sl_query__vec_push(&v, prop);
        }
    }
    n->render.props = sl_query__vec_done(&v);
    return sl_query__finish(p, n);
}

/* ------------------------------------------------------------------------ */
/* evaluate                                                                 */
/* ------------------------------------------------------------------------ */

sl_query_node_t *sl_query__op_evaluate(sl_query__parser_t *p)
{
    sl_query_node_t *n = sl_query__node(p, SL_QUERY_N_EVALUATE, NULL);
    sl_query__next(p);
    if (!sl_query__parse_params(p, &n->evaluate.params, NULL, true)) {
        return NULL;
    }
    if (!sl_query__at(p, SL_QUERY_T_IDENT) || sl_query__peek(p, 1)->kind != SL_QUERY_T_LPAREN) {
        return sl_query__expected(p, "a plugin call such as bag_unpack(Column)");
    }
    if (!(n->evaluate.call = sl_query__parse_postfix(p))) {
        return NULL;
    }
    if (sl_query__accept(p, SL_QUERY_T_COLON) &&
        !sl_query__parse_schema(p, &n->evaluate.schema, true, &n->evaluate.open_schema)) {
        return NULL;
    }
    return sl_query__finish(p, n);
}
