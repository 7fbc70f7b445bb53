/*
 * dynamic(...) literals: the body is JSON written with KQL tokens, decoded
 * into a small sl_query_dyn_t tree in the query's pool.
 *
 * The lexer keeps a dynamic body raw (it balances brackets and skips strings
 * to find its end); here it is lexed again with the ordinary lexer, starting
 * at the body's own line and column so that errors inside point at the right
 * character. That gives the body every KQL token form for free: strings in
 * either quote style with escapes, verbatim and multi-line strings, comments,
 * and nested typed literals — datetime(...), time/timespan(...) and bare
 * timespans (1d), guid(...), long/int/real/bool(...), and dynamic(...) itself
 * (Kql.g4's jsonValue). Numbers and timespans may carry a leading '-'. `null`, true and
 * false are the JSON words (plus KQL's TRUE/True/FALSE/False).
 *
 * Recursion (nested arrays, objects and dynamic literals) goes through the
 * parser's nesting guard, so `dynamic([[[[...]]]])` fails cleanly.
 */
#include "query/query_int.h"

#include <string.h>

typedef struct dyn_vec {
    sl_query_dyn_t **v;
    const char **keys;
    size_t *key_lens;
    size_t n, cap;
} dyn_vec_t;

static void dyn_push(sl_pool_t *pool,
                     dyn_vec_t *d,
                     sl_query_dyn_t *v,
                     const char *key,
                     size_t key_len)
{
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 4;
        sl_query_dyn_t **nv = sl_pool_alloc(pool, cap * sizeof *nv);
        const char **nk = sl_pool_alloc(pool, cap * sizeof *nk);
        size_t *nl = sl_pool_alloc(pool, cap * sizeof *nl);
        if (d->n) {
            memcpy(nv, d->v, d->n * sizeof *nv);
            memcpy(nk, d->keys, d->n * sizeof *nk);
            memcpy(nl, d->key_lens, d->n * sizeof *nl);
        }
        d->v = nv;
        d->keys = nk;
        d->key_lens = nl;
        d->cap = cap;
    }
    d->v[d->n] = v;
    d->keys[d->n] = key;
    d->key_lens[d->n] = key_len;
    d->n++;
}

static sl_query_dyn_t *value(sl_query__parser_t *p);

static sl_query_dyn_t *new_dyn(sl_query__parser_t *p, sl_query_dyn_kind_t kind)
{
    sl_query_dyn_t *v = sl_pool_calloc(p->pool, sizeof *v);
    v->kind = kind;
    return v;
}

/* A nested typed literal: reuse the literal decoder, then map its value. */
static sl_query_dyn_t *typed_value(sl_query__parser_t *p, const sl_query_tok_t *t)
{
    if (t->v.typed.type == SL_QUERY_TY_DYNAMIC) {
        sl_query__next(p);
        return sl_query__parse_dynamic(p, t);
    }
    if (t->v.typed.type == SL_QUERY_TY_DECIMAL || t->v.typed.type == SL_QUERY_TY_TYPE) {
        return sl_query__fail(p,
                              t,
                              SL_EPARSE,
                              "%s literals are not allowed in dynamic values",
                              t->v.typed.type == SL_QUERY_TY_TYPE ? "typeof" : "decimal");
    }
    sl_query_node_t *lit = sl_query__parse_literal(p);
    if (!lit) {
        return NULL;
    }
    if (lit->lit.is_null) {
        return new_dyn(p, SL_QUERY_DYN_NULL);
    }
    sl_query_dyn_t *v;
    switch (lit->lit.type) {
    case SL_QUERY_TY_DATETIME:
        v = new_dyn(p, SL_QUERY_DYN_DATETIME);
        v->t = lit->lit.t;
        break;
    case SL_QUERY_TY_TIMESPAN:
        v = new_dyn(p, SL_QUERY_DYN_TIMESPAN);
        v->t = lit->lit.t;
        break;
    case SL_QUERY_TY_GUID:
        v = new_dyn(p, SL_QUERY_DYN_GUID);
        v->g = lit->lit.g;
        break;
    case SL_QUERY_TY_INT:
    case SL_QUERY_TY_LONG:
        v = new_dyn(p, SL_QUERY_DYN_LONG);
        v->i = lit->lit.i;
        break;
    case SL_QUERY_TY_REAL:
        v = new_dyn(p, SL_QUERY_DYN_REAL);
        v->r = lit->lit.r;
        break;
    default: /* BOOL */
        v = new_dyn(p, SL_QUERY_DYN_BOOL);
        v->b = lit->lit.b;
        break;
    }
    return v;
}

static sl_query_dyn_t *array_or_object(sl_query__parser_t *p, bool object)
{
    sl_query__next(p); /* [ or { */
    sl_query_tok_kind_t close = object ? SL_QUERY_T_RBRACE : SL_QUERY_T_RBRACKET;
    dyn_vec_t d = { 0 };
    if (!sl_query__at(p, close)) {
        for (;;) {
            const char *key = NULL;
            size_t key_len = 0;
            if (object) {
                const sl_query_tok_t *k = sl_query__peek(p, 0);
                if (k->kind != SL_QUERY_T_STRING) {
                    return sl_query__expected(p, "a quoted property name");
                }
                key = k->v.str.s;
                key_len = k->v.str.n;
                sl_query__next(p);
                if (!sl_query__expect(p, SL_QUERY_T_COLON, "':'")) {
                    return NULL;
                }
            }
            sl_query_dyn_t *v = value(p);
            if (!v) {
                return NULL;
            }
            dyn_push(p->pool, &d, v, key, key_len);
            if (!sl_query__accept(p, SL_QUERY_T_COMMA)) {
                break;
            }
        }
    }
    if (!sl_query__expect(p, close, object ? "',' or '}'" : "',' or ']'")) {
        return NULL;
    }
    sl_query_dyn_t *v = new_dyn(p, object ? SL_QUERY_DYN_OBJECT : SL_QUERY_DYN_ARRAY);
    v->items.v = d.v;
    v->items.keys = object ? d.keys : NULL;
    v->items.key_lens = object ? d.key_lens : NULL;
    v->items.n = d.n;
    return v;
}

static sl_query_dyn_t *value(sl_query__parser_t *p)
{
    if (!sl_query__enter(p)) {
        return NULL;
    }
    const sl_query_tok_t *t = sl_query__peek(p, 0);
    sl_query_dyn_t *v = NULL;
    bool neg = false;
    switch (t->kind) {
    case SL_QUERY_T_LBRACKET:
        v = array_or_object(p, false);
        break;
    case SL_QUERY_T_LBRACE:
        v = array_or_object(p, true);
        break;
    case SL_QUERY_T_STRING:
        v = new_dyn(p, SL_QUERY_DYN_STRING);
        v->str.s = t->v.str.s;
        v->str.n = t->v.str.n;
        sl_query__next(p);
        break;
    case SL_QUERY_T_TYPED:
        v = typed_value(p, t);
        break;
    case SL_QUERY_T_TIMESPAN:
        v = new_dyn(p, SL_QUERY_DYN_TIMESPAN);
        v->t = t->v.ticks;
        sl_query__next(p);
        break;
    case SL_QUERY_T_MINUS:
        neg = true;
        sl_query__next(p);
        t = sl_query__peek(p, 0);
        if (t->kind == SL_QUERY_T_TIMESPAN) {
            v = new_dyn(p, SL_QUERY_DYN_TIMESPAN);
            v->t = -t->v.ticks;
            sl_query__next(p);
            break;
        }
        if (t->kind != SL_QUERY_T_LONG && t->kind != SL_QUERY_T_REAL) {
            v = sl_query__expected(p, "a number after '-'");
            break;
        }
        /* fall through */
    case SL_QUERY_T_LONG:
    case SL_QUERY_T_REAL:
        v = new_dyn(p, t->kind == SL_QUERY_T_LONG ? SL_QUERY_DYN_LONG : SL_QUERY_DYN_REAL);
        if (t->kind == SL_QUERY_T_LONG) {
            v->i = neg ? (int64_t)(0 - (uint64_t)t->v.i) : t->v.i;
        } else {
            v->r = neg ? -t->v.r : t->v.r;
        }
        sl_query__next(p);
        break;
    case SL_QUERY_T_IDENT:
        if (t->pos.len == 4 && memcmp(p->text + t->pos.off, "null", 4) == 0) {
            v = new_dyn(p, SL_QUERY_DYN_NULL);
        } else if (t->kw == SL_QUERY_KW_TRUE || t->kw == SL_QUERY_KW_TRUE_UPPER ||
                   t->kw == SL_QUERY_KW_TRUE_TITLE) {
            v = new_dyn(p, SL_QUERY_DYN_BOOL);
            v->b = true;
        } else if (t->kw == SL_QUERY_KW_FALSE || t->kw == SL_QUERY_KW_FALSE_UPPER ||
                   t->kw == SL_QUERY_KW_FALSE_TITLE) {
            v = new_dyn(p, SL_QUERY_DYN_BOOL);
        } else {
            v = sl_query__expected(p, "a JSON value");
            break;
        }
        sl_query__next(p);
        break;
    default:
        v = sl_query__expected(p, "a JSON value");
        break;
    }
    sl_query__leave(p);
    return v;
}

sl_query_dyn_t *sl_query__parse_dynamic(sl_query__parser_t *p, const sl_query_tok_t *tok)
{
    /* The body starts after "dynamic(" on the token's own line. */
    sl_query_pos_t base = { tok->v.typed.body_off,
                            0,
                            tok->pos.line,
                            tok->pos.col + (tok->v.typed.body_off - tok->pos.off) };
    sl_query__parser_t sub = *p;
    sl_query_lex(p->pool,
                 p->text + tok->v.typed.body_off,
                 tok->v.typed.body_len,
                 &base,
                 &sub.toks,
                 &sub.ntoks);
    sub.i = 0;
    sl_query_dyn_t *v = value(&sub);
    if (v && !sub.failed && !sl_query__at(&sub, SL_QUERY_T_EOF)) {
        v = sl_query__expected(&sub, "')' after the dynamic value");
    }
    if (sub.failed) {
        p->failed = true;
        p->err = sub.err;
        return NULL;
    }
    return v;
}
