/*
 * The parser's shared machinery: the token cursor, error recording, the
 * recursion guard, node and list allocation, and the small grammar pieces
 * every part of the language uses (names, wildcarded names, `col:type`
 * declarations and schemas).
 *
 * Error model: the parser is recursive descent without recovery. The first
 * error is recorded in p->err (later ones are ignored) and every parse
 * function returns NULL/false, so the failure unwinds to sl_query_parse().
 * An ERROR token from the lexer turns whatever the parser expected there into
 * the lexer's own message, so both kinds of error read the same:
 *     Syntax error at line 3, column 12 near 'by': expected an expression
 */
#include "query/query_int.h"

#include <stdio.h>
#include <string.h>

/* Look-ahead past the end returns the last token (EOF or ERROR), so callers
 * can peek freely without bounds checks. */
const sl_query_tok_t *sl_query__peek(const sl_query__parser_t *p, size_t ahead)
{
    size_t k = p->i + ahead;
    return &p->toks[k < p->ntoks ? k : p->ntoks - 1];
}

/* Consumes a token; never moves past the final EOF/ERROR token. */
const sl_query_tok_t *sl_query__next(sl_query__parser_t *p)
{
    const sl_query_tok_t *t = &p->toks[p->i];
    if (p->i + 1 < p->ntoks) {
        p->i++;
    }
    return t;
}

bool sl_query__at(const sl_query__parser_t *p, sl_query_tok_kind_t k)
{
    return sl_query__peek(p, 0)->kind == k;
}

bool sl_query__at_kw(const sl_query__parser_t *p, sl_query_kw_t kw)
{
    const sl_query_tok_t *t = sl_query__peek(p, 0);
    return (t->kind == SL_QUERY_T_IDENT || t->kind == SL_QUERY_T_KEYWORD) && t->kw == kw;
}

bool sl_query__accept(sl_query__parser_t *p, sl_query_tok_kind_t k)
{
    if (sl_query__at(p, k)) {
        sl_query__next(p);
        return true;
    }
    return false;
}

bool sl_query__accept_kw(sl_query__parser_t *p, sl_query_kw_t kw)
{
    if (sl_query__at_kw(p, kw)) {
        sl_query__next(p);
        return true;
    }
    return false;
}

bool sl_query__expect(sl_query__parser_t *p, sl_query_tok_kind_t k, const char *what)
{
    if (sl_query__accept(p, k)) {
        return true;
    }
    sl_query__expected(p, what ? what : sl_query_tok_kind_name(k));
    return false;
}

bool sl_query__expect_kw(sl_query__parser_t *p, sl_query_kw_t kw)
{
    if (sl_query__accept_kw(p, kw)) {
        return true;
    }
    char what[64];
    snprintf(what, sizeof what, "'%s'", sl_query_kw_name(kw));
    sl_query__expected(p, what);
    return false;
}

/* Adjacency matters where KQL glues tokens: wildcards (`Sec*`) and dotted
 * parameter names (`hint.x=`). */
bool sl_query__adjacent(const sl_query_tok_t *a, const sl_query_tok_t *b)
{
    return (uint64_t)a->pos.off + a->pos.len == b->pos.off;
}

/* The text shown after "near": the token's first line, at most ~40 bytes,
 * cut on a UTF-8 boundary. */
static void near_text(const sl_query__parser_t *p, const sl_query_pos_t *pos, char *out, size_t cap)
{
    size_t n = 0, off = pos->off;
    while (n < pos->len && off + n < p->text_len && p->text[off + n] != '\n' &&
           p->text[off + n] != '\r') {
        n++;
    }
    bool cut = false;
    if (n > 40) {
        n = 40;
        while (n > 0 && ((unsigned char)p->text[off + n] & 0xC0) == 0x80) {
            n--;
        }
        cut = true;
    }
    if (n + 4 > cap) {
        n = cap - 4;
    }
    memcpy(out, p->text + off, n);
    if (cut) {
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n] = '\0';
}

void *sl_query__fail(sl_query__parser_t *p,
                     const sl_query_tok_t *at,
                     int code,
                     const char *fmt,
                     ...)
{
    if (p->failed) {
        return NULL;
    }
    p->failed = true;
    if (!at) {
        at = sl_query__peek(p, 0);
    }
    p->err.code = code;
    p->err.pos = at->pos;
    if (at->kind == SL_QUERY_T_ERROR && code == SL_EPARSE) {
        /* The lexer's diagnosis beats "expected ..." at a token it could not
         * even form. */
        snprintf(p->err.expected, sizeof p->err.expected, "%s", at->v.err);
    } else {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->err.expected, sizeof p->err.expected, fmt, ap);
        va_end(ap);
    }
    if (at->kind == SL_QUERY_T_EOF) {
        p->err.near[0] = '\0';
    } else {
        near_text(p, &at->pos, p->err.near, sizeof p->err.near);
    }
    return NULL;
}

void *sl_query__expected(sl_query__parser_t *p, const char *what)
{
    return sl_query__fail(p, NULL, SL_EPARSE, "expected %s", what);
}

/* Every recursive path of the grammar passes here (expressions, operator
 * heads, sub-queries, function bodies, dynamic values), one level each. */
bool sl_query__enter(sl_query__parser_t *p)
{
    if (p->failed) {
        return false;
    }
    if (p->nesting >= SL_QUERY_MAX_NESTING) {
        sl_query__fail(p, NULL, SL_ELIMIT, "nesting deeper than %d levels", SL_QUERY_MAX_NESTING);
        return false;
    }
    p->nesting++;
    return true;
}

void sl_query__leave(sl_query__parser_t *p)
{
    p->nesting--;
}

/* Zeroed, so absent optional children are NULL and lists empty. */
sl_query_node_t *sl_query__node(sl_query__parser_t *p,
                                sl_query_kind_t kind,
                                const sl_query_tok_t *at)
{
    sl_query_node_t *n = sl_pool_calloc(p->pool, sizeof *n);
    n->kind = kind;
    n->height = 1;
    n->pos = (at ? at : sl_query__peek(p, 0))->pos;
    return n;
}

/* Children are finished before their parent, so their heights are final. */
static void take_height(const sl_query_node_t *child, void *arg)
{
    sl_query_node_t *parent = arg;
    if (child->height + 1 > parent->height) {
        parent->height = child->height + 1;
    }
}

sl_query_node_t *sl_query__finish(sl_query__parser_t *p, sl_query_node_t *n)
{
    if (!n || p->failed) {
        return NULL;
    }
    if (p->i > 0) {
        const sl_query_tok_t *prev = &p->toks[p->i - 1];
        uint64_t end = (uint64_t)prev->pos.off + prev->pos.len;
        if (end > n->pos.off) {
            n->pos.len = (uint32_t)(end - n->pos.off);
        }
    }
    n->height = 1;
    sl_query_node_foreach_child(n, take_height, n);
    if (n->height > SL_QUERY_MAX_HEIGHT) {
        sl_query_tok_t at = { .kind = SL_QUERY_T_IDENT, .pos = n->pos };
        return sl_query__fail(
          p, &at, SL_ELIMIT, "expression deeper than %d levels", SL_QUERY_MAX_HEIGHT);
    }
    return n;
}

/* Vectors grow by doubling inside the pool; the abandoned smaller arrays
 * are the price of never having to free on an error path. */
void sl_query__vec_init(sl_query__parser_t *p, sl_query__vec_t *vec)
{
    vec->pool = p->pool;
    vec->v = NULL;
    vec->n = vec->cap = 0;
}

void sl_query__vec_push(sl_query__vec_t *vec, sl_query_node_t *n)
{
    if (vec->n == vec->cap) {
        size_t cap = vec->cap ? vec->cap * 2 : 4;
        sl_query_node_t **v = sl_pool_alloc(vec->pool, cap * sizeof *v);
        if (vec->n) {
            memcpy(v, vec->v, vec->n * sizeof *v);
        }
        vec->v = v;
        vec->cap = cap;
    }
    vec->v[vec->n++] = n;
}

sl_query_list_t sl_query__vec_done(sl_query__vec_t *vec)
{
    sl_query_list_t l = { vec->v, vec->n };
    return l;
}

/* ------------------------------------------------------------------------ */
/* Names                                                                    */
/* ------------------------------------------------------------------------ */

/* Any word is a name here (keywords included): whether a keyword may be a
 * name is decided by the caller's context, as KQL does. */
bool sl_query__at_name(const sl_query__parser_t *p)
{
    const sl_query_tok_t *t = sl_query__peek(p, 0);
    if (t->kind == SL_QUERY_T_IDENT) {
        return true;
    }
    return t->kind == SL_QUERY_T_LBRACKET && sl_query__peek(p, 1)->kind == SL_QUERY_T_STRING &&
           sl_query__peek(p, 2)->kind == SL_QUERY_T_RBRACKET;
}

sl_query_node_t *sl_query__parse_name(sl_query__parser_t *p, const char *what)
{
    const sl_query_tok_t *t = sl_query__peek(p, 0);
    if (!sl_query__at_name(p)) {
        return sl_query__expected(p, what);
    }
    sl_query_node_t *n = sl_query__node(p, SL_QUERY_N_NAME, t);
    if (t->kind == SL_QUERY_T_IDENT) {
        n->name.s = sl_pool_strndup(p->pool, p->text + t->pos.off, t->pos.len);
        n->name.n = t->pos.len;
        sl_query__next(p);
    } else {
        const sl_query_tok_t *s = sl_query__peek(p, 1);
        n->name.s = s->v.str.s;
        n->name.n = s->v.str.n;
        n->name.bracketed = true;
        p->i += 3;
    }
    return sl_query__finish(p, n);
}

sl_query_node_t *sl_query__parse_wild_name(sl_query__parser_t *p, const char *what)
{
    const sl_query_tok_t *first = sl_query__peek(p, 0);
    if (first->kind != SL_QUERY_T_STAR && first->kind != SL_QUERY_T_IDENT) {
        return sl_query__parse_name(p, what);
    }
    /* Glue adjacent words, stars and numbers: Sec*, *, *_CL, Event_*_2. */
    size_t k = 0;
    bool star = false;
    const sl_query_tok_t *prev = NULL;
    for (;;) {
        const sl_query_tok_t *t = sl_query__peek(p, k);
        bool part = t->kind == SL_QUERY_T_STAR || t->kind == SL_QUERY_T_IDENT ||
                    (t->kind == SL_QUERY_T_LONG && star);
        if (!part || (prev && !sl_query__adjacent(prev, t))) {
            break;
        }
        star |= t->kind == SL_QUERY_T_STAR;
        prev = t;
        k++;
    }
    if (!star) {
        return sl_query__parse_name(p, what);
    }
    sl_query_node_t *n = sl_query__node(p, SL_QUERY_N_NAME, first);
    uint32_t len = prev->pos.off + prev->pos.len - first->pos.off;
    n->name.s = sl_pool_strndup(p->pool, p->text + first->pos.off, len);
    n->name.n = len;
    n->name.wildcard = true;
    p->i += k;
    return sl_query__finish(p, n);
}

/* `name:type`. Type words are looked up by text, so `datetime` works as a
 * type even though `datetime(` starts a literal. */
sl_query_node_t *sl_query__parse_coldecl(sl_query__parser_t *p, bool type_optional)
{
    sl_query_node_t *n = sl_query__node(p, SL_QUERY_N_COLDECL, NULL);
    n->coldecl.name = sl_query__parse_name(p, "a column name");
    if (!n->coldecl.name) {
        return NULL;
    }
    if (!sl_query__at(p, SL_QUERY_T_COLON)) {
        if (type_optional) {
            return sl_query__finish(p, n);
        }
        return sl_query__expected(p, "':' and a type");
    }
    sl_query__next(p);
    const sl_query_tok_t *t = sl_query__peek(p, 0);
    sl_query_type_t ty = SL_QUERY_TY_NONE;
    if (t->kind == SL_QUERY_T_IDENT) {
        ty = sl_query_type_parse(p->text + t->pos.off, t->pos.len);
    }
    if (ty == SL_QUERY_TY_NONE) {
        return sl_query__expected(p, "a type name (string, long, real, datetime ...)");
    }
    sl_query__next(p);
    n->coldecl.type = ty;
    return sl_query__finish(p, n);
}

/* `(a:string, b:long)`, `(*)`, `(a:string, *)`; a trailing comma is allowed
 * as in Kql.g4's rowSchema. */
bool sl_query__parse_schema(sl_query__parser_t *p,
                            sl_query_list_t *cols,
                            bool allow_star,
                            bool *star)
{
    if (!sl_query__expect(p, SL_QUERY_T_LPAREN, "'(' and a schema")) {
        return false;
    }
    sl_query__vec_t v;
    sl_query__vec_init(p, &v);
    if (star) {
        *star = false;
    }
    while (!sl_query__at(p, SL_QUERY_T_RPAREN)) {
        if (allow_star && sl_query__at(p, SL_QUERY_T_STAR)) {
            sl_query__next(p);
            if (star) {
                *star = true;
            }
        } else {
            sl_query_node_t *c = sl_query__parse_coldecl(p, false);
            if (!c) {
                return false;
            }
            sl_query__vec_push(&v, c);
        }
        if (!sl_query__accept(p, SL_QUERY_T_COMMA)) {
            break;
        }
    }
    *cols = sl_query__vec_done(&v);
    return sl_query__expect(p, SL_QUERY_T_RPAREN, "',' or ')'");
}
