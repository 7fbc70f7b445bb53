/*
 * Statements and the parser's entry points.
 *
 * A request is statements separated by `;` with an optional trailing `;`
 * (Kql.g4's query rule): `let`, `set`, and tabular expression statements.
 * `let` binds an expression or pipeline, a function `(a:string, T:(*)) {
 * ... }`, or a view `view () { ... }`; `materialize(...)` is an ordinary call
 * in the value. Function bodies hold their own `let`s and end with the
 * result expression.
 *
 * Statements that KQL has but Azure Monitor does not (`alias database`,
 * `declare query_parameters`, `restrict access`, `declare pattern`) are
 * recognised by their first two words and rejected by name with
 * SL_EUNSUPPORTED, which the Query API reports as a SemanticError rather
 * than a SyntaxError.
 */
#include "query/query_int.h"

#include <stdio.h>
#include <string.h>

/* Recognises an unsupported statement at the current token; records the
 * error and returns true if it is one. */
static bool unsupported_statement(sl_query__parser_t *p)
{
    const sl_query_tok_t *t = sl_query__peek(p, 0), *u = sl_query__peek(p, 1);
    if (t->kind != SL_QUERY_T_IDENT || u->kind != SL_QUERY_T_IDENT) {
        return false;
    }
    const char *what = NULL;
    if (t->kw == SL_QUERY_KW_ALIAS && u->kw == SL_QUERY_KW_DATABASE) {
        what = "alias";
    } else if (t->kw == SL_QUERY_KW_DECLARE && u->kw == SL_QUERY_KW_QUERY_PARAMETERS) {
        what = "declare query_parameters";
    } else if (t->kw == SL_QUERY_KW_DECLARE && u->kw == SL_QUERY_KW_PATTERN) {
        what = "declare pattern";
    } else if (t->kw == SL_QUERY_KW_RESTRICT && u->kw == SL_QUERY_KW_ACCESS) {
        what = "restrict";
    }
    if (!what) {
        return false;
    }
    sl_query__fail(p, t, SL_EUNSUPPORTED, "`%s` is not supported", what);
    return true;
}

/* `name:type [= default]` or `T:(col:type, ...)` / `T:(*)` for a tabular
 * parameter. The default is an expression (Kql.g4 says literal; the binder
 * may insist). */
static sl_query_node_t *fparam(sl_query__parser_t *p)
{
    sl_query_node_t *n = sl_query__node(p, SL_QUERY_N_FNPARAM, NULL);
    if (!(n->fparam.name = sl_query__parse_name(p, "a parameter name")) ||
        !sl_query__expect(p, SL_QUERY_T_COLON, "':' and a type")) {
        return NULL;
    }
    if (sl_query__at(p, SL_QUERY_T_LPAREN)) {
        n->fparam.tabular = true;
        if (!sl_query__parse_schema(p, &n->fparam.columns, true, &n->fparam.open_schema)) {
            return NULL;
        }
    } else {
        const sl_query_tok_t *t = sl_query__peek(p, 0);
        if (t->kind == SL_QUERY_T_IDENT) {
            n->fparam.type = sl_query_type_parse(p->text + t->pos.off, t->pos.len);
        }
        if (n->fparam.type == SL_QUERY_TY_NONE) {
            return sl_query__expected(p, "a type name or a (schema)");
        }
        sl_query__next(p);
    }
    if (sl_query__accept(p, SL_QUERY_T_ASSIGN) && !(n->fparam.dflt = sl_query__parse_expr(p))) {
        return NULL;
    }
    return sl_query__finish(p, n);
}

static sl_query_node_t *let_statement(sl_query__parser_t *p);

static bool body(sl_query__parser_t *p, sl_query_node_t *fn);

bool sl_query__parse_body(sl_query__parser_t *p, sl_query_node_t *fn)
{
    /* Bodies nest through `let` without passing an expression. */
    if (!sl_query__enter(p)) {
        return false;
    }
    bool ok = body(p, fn);
    sl_query__leave(p);
    return ok;
}

static bool body(sl_query__parser_t *p, sl_query_node_t *fn)
{
    if (!sl_query__expect(p, SL_QUERY_T_LBRACE, "'{' and a function body")) {
        return false;
    }
    sl_query__vec_t v;
    sl_query__vec_init(p, &v);
    while (!sl_query__at(p, SL_QUERY_T_RBRACE)) {
        if (unsupported_statement(p)) {
            return false;
        }
        if (sl_query__at_kw(p, SL_QUERY_KW_LET)) {
            sl_query_node_t *s = let_statement(p);
            if (!s || !sl_query__expect(p, SL_QUERY_T_SEMI, "';' after the let statement")) {
                return false;
            }
            sl_query__vec_push(&v, s);
            continue;
        }
        sl_query_node_t *e = sl_query__parse_pipe_expr(p);
        if (!e) {
            return false;
        }
        sl_query__vec_push(&v, e);
        sl_query__accept(p, SL_QUERY_T_SEMI);
        break;
    }
    fn->fn.body = sl_query__vec_done(&v);
    return sl_query__expect(p, SL_QUERY_T_RBRACE, "'}'");
}

/* `(params) { body }` or, with `is_view`, `view (params) { body }`. */
static sl_query_node_t *function(sl_query__parser_t *p, bool is_view)
{
    sl_query_node_t *n = sl_query__node(p, SL_QUERY_N_FUNCTION, NULL);
    n->fn.is_view = is_view;
    if (is_view) {
        sl_query__next(p);
    }
    if (!sl_query__expect(p, SL_QUERY_T_LPAREN, "'(' and the parameters")) {
        return NULL;
    }
    sl_query__vec_t v;
    sl_query__vec_init(p, &v);
    while (!sl_query__at(p, SL_QUERY_T_RPAREN)) {
        sl_query_node_t *param = fparam(p);
        if (!param) {
            return NULL;
        }
        sl_query__vec_push(&v, param);
        if (!sl_query__accept(p, SL_QUERY_T_COMMA)) {
            break;
        }
    }
    n->fn.params = sl_query__vec_done(&v);
    if (!sl_query__expect(p, SL_QUERY_T_RPAREN, "',' or ')'") || !sl_query__parse_body(p, n)) {
        return NULL;
    }
    return sl_query__finish(p, n);
}

/* True when `let x = (` starts a function: `() {` or `(name:`. */
static bool at_function(const sl_query__parser_t *p)
{
    if (!sl_query__at(p, SL_QUERY_T_LPAREN)) {
        return false;
    }
    const sl_query_tok_t *a = sl_query__peek(p, 1);
    if (a->kind == SL_QUERY_T_RPAREN) {
        return sl_query__peek(p, 2)->kind == SL_QUERY_T_LBRACE;
    }
    if (a->kind == SL_QUERY_T_IDENT) {
        return sl_query__peek(p, 2)->kind == SL_QUERY_T_COLON;
    }
    return a->kind == SL_QUERY_T_LBRACKET && sl_query__peek(p, 2)->kind == SL_QUERY_T_STRING &&
           sl_query__peek(p, 3)->kind == SL_QUERY_T_RBRACKET &&
           sl_query__peek(p, 4)->kind == SL_QUERY_T_COLON;
}

static sl_query_node_t *let_statement(sl_query__parser_t *p)
{
    sl_query_node_t *n = sl_query__node(p, SL_QUERY_N_LET, NULL);
    sl_query__next(p); /* let */
    if (!(n->let.name = sl_query__parse_name(p, "a name")) ||
        !sl_query__expect(p, SL_QUERY_T_ASSIGN, "'='")) {
        return NULL;
    }
    if (at_function(p)) {
        n->let.let_kind = SL_QUERY_LET_FUNCTION;
        n->let.value = function(p, false);
    } else if (sl_query__at_kw(p, SL_QUERY_KW_VIEW) &&
               sl_query__peek(p, 1)->kind == SL_QUERY_T_LPAREN) {
        n->let.let_kind = SL_QUERY_LET_VIEW;
        n->let.value = function(p, true);
    } else {
        n->let.let_kind = SL_QUERY_LET_VALUE;
        n->let.value = sl_query__parse_pipe_expr(p);
    }
    return n->let.value ? sl_query__finish(p, n) : NULL;
}

/* `set name [= value]` — options are kept, the executor may ignore them. */
static sl_query_node_t *set_statement(sl_query__parser_t *p)
{
    sl_query_node_t *n = sl_query__node(p, SL_QUERY_N_SET, NULL);
    sl_query__next(p);
    const sl_query_tok_t *t = sl_query__peek(p, 0);
    if (t->kind != SL_QUERY_T_IDENT) {
        return sl_query__expected(p, "an option name");
    }
    n->set.name = sl_pool_strndup(p->pool, p->text + t->pos.off, t->pos.len);
    sl_query__next(p);
    if (sl_query__accept(p, SL_QUERY_T_ASSIGN) &&
        !(n->set.value = sl_query__parse_param_value(p))) {
        return NULL;
    }
    return sl_query__finish(p, n);
}

/* One statement. `set` needs a name after it, so a table called `set` still
 * parses as a tabular statement. */
static sl_query_node_t *statement(sl_query__parser_t *p)
{
    if (unsupported_statement(p)) {
        return NULL;
    }
    if (sl_query__at_kw(p, SL_QUERY_KW_LET)) {
        return let_statement(p);
    }
    if (sl_query__at_kw(p, SL_QUERY_KW_SET) && sl_query__peek(p, 1)->kind == SL_QUERY_T_IDENT) {
        return set_statement(p);
    }
    return sl_query__parse_pipe_expr(p);
}

/* The whole request: at least one statement; `;` separates and may end it,
 * but an empty statement (`;;`) is an error, as in Kql.g4. */
static sl_query_node_t *query(sl_query__parser_t *p)
{
    sl_query_node_t *q = sl_query__node(p, SL_QUERY_N_QUERY, NULL);
    sl_query__vec_t v;
    sl_query__vec_init(p, &v);
    if (sl_query__at(p, SL_QUERY_T_EOF)) {
        return sl_query__expected(p, "a query");
    }
    while (!sl_query__at(p, SL_QUERY_T_EOF)) {
        if (sl_query__at(p, SL_QUERY_T_SEMI)) {
            return sl_query__expected(p, "a statement");
        }
        sl_query_node_t *s = statement(p);
        if (!s) {
            return NULL;
        }
        sl_query__vec_push(&v, s);
        if (!sl_query__accept(p, SL_QUERY_T_SEMI)) {
            if (!sl_query__at(p, SL_QUERY_T_EOF)) {
                return sl_query__expected(p, "'|', ';' or the end of the query");
            }
            break;
        }
    }
    q->query.stmts = sl_query__vec_done(&v);
    return sl_query__finish(p, q);
}

/* The one-line messages the Query API returns. Syntax errors name the
 * offending token ("near '...'") or say the query ended too soon. */
static void describe(const sl_query_error_t *e, sl_diag_t *d)
{
    if (!d) {
        return;
    }
    const char *near = e->near;
    if (e->code == SL_EUNSUPPORTED) {
        sl_diag_set(d, e->code, "%s (line %u, column %u)", e->expected, e->pos.line, e->pos.col);
    } else if (e->code == SL_ELIMIT) {
        sl_diag_set(d,
                    e->code,
                    "Query limit exceeded at line %u, column %u%s%s%s: %s",
                    e->pos.line,
                    e->pos.col,
                    near[0] ? " near '" : "",
                    near,
                    near[0] ? "'" : "",
                    e->expected);
    } else if (near[0]) {
        sl_diag_set(d,
                    e->code,
                    "Syntax error at line %u, column %u near '%s': %s",
                    e->pos.line,
                    e->pos.col,
                    near,
                    e->expected);
    } else {
        sl_diag_set(d,
                    e->code,
                    "Syntax error at line %u, column %u at the end of the query: %s",
                    e->pos.line,
                    e->pos.col,
                    e->expected);
    }
}

int sl_query_parse(sl_pool_t *pool,
                   const char *text,
                   size_t len,
                   sl_query_node_t **out,
                   sl_query_error_t *err,
                   sl_diag_t *d)
{
    sl_query__parser_t p = { .pool = pool, .text = text, .text_len = len };
    *out = NULL;
    if (err) {
        memset(err, 0, sizeof *err);
    }
    sl_diag_clear(d);
    if (len > SL_QUERY_MAX_TEXT) {
        p.err.code = SL_ELIMIT;
        p.err.pos.line = p.err.pos.col = 1;
        snprintf(p.err.expected,
                 sizeof p.err.expected,
                 "query text longer than %u bytes",
                 (unsigned)SL_QUERY_MAX_TEXT);
        p.failed = true;
    } else {
        sl_query_lex(pool, text, len, NULL, &p.toks, &p.ntoks);
        *out = query(&p);
    }
    if (p.failed || !*out) {
        *out = NULL;
        if (err) {
            *err = p.err;
        }
        describe(&p.err, d);
        return p.err.code ? p.err.code : SL_EPARSE;
    }
    return 0;
}

/* Parses into a throw-away pool: only the verdict and the message matter. */
int sl_query_syntax_check(const char *text, size_t len, sl_diag_t *d)
{
    sl_pool_t *pool = sl_pool_create();
    sl_query_node_t *q;
    int rc = sl_query_parse(pool, text, len, &q, NULL, d);
    sl_pool_destroy(pool);
    return rc;
}
