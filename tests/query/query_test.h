/*
 * Helpers shared by the query tests: parse a text and return its dump (or
 * its error), dump one expression or one operator, and describe tokens.
 * Every helper returns a malloc'd string the caller frees.
 */
#ifndef SL_QUERY_TEST_H
#define SL_QUERY_TEST_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query/query_int.h"

/* The dump of the whole query, or "ERROR <name>: <message>". */
static inline char *qt_dump(const char *text)
{
    sl_pool_t *pool = sl_pool_create();
    sl_query_node_t *q;
    sl_query_error_t err;
    sl_diag_t d;
    sl_buf_t b = SL_BUF_INIT;
    if (sl_query_parse(pool, text, strlen(text), &q, &err, &d) == 0) {
        sl_query_ast_dump(q, &b);
    } else {
        sl_buf_printf(&b, "ERROR %s: %s", sl_err_name(err.code), d.msg);
    }
    sl_pool_destroy(pool);
    char *s = strdup(b.data ? b.data : "");
    sl_buf_dispose(&b);
    return s;
}

/* Dumps the node selected by `pick` in the parse of prefix+text. */
static inline char *qt_dump_part(const char *prefix,
                                 const char *text,
                                 const sl_query_node_t *(*pick)(const sl_query_node_t *q))
{
    char *full = NULL;
    if (asprintf(&full, "%s%s", prefix, text) < 0) {
        abort();
    }
    sl_pool_t *pool = sl_pool_create();
    sl_query_node_t *q;
    sl_query_error_t err;
    sl_diag_t d;
    sl_buf_t b = SL_BUF_INIT;
    if (sl_query_parse(pool, full, strlen(full), &q, &err, &d) == 0) {
        sl_query_ast_dump(pick(q), &b);
    } else {
        sl_buf_printf(&b, "ERROR %s: %s", sl_err_name(err.code), d.msg);
    }
    sl_pool_destroy(pool);
    free(full);
    char *s = strdup(b.data ? b.data : "");
    sl_buf_dispose(&b);
    return s;
}

static inline const sl_query_node_t *qt_pick_print_item(const sl_query_node_t *q)
{
    return q->query.stmts.v[0]->items.items.v[0];
}

static inline const sl_query_node_t *qt_pick_first_op(const sl_query_node_t *q)
{
    return q->query.stmts.v[0]->pipe.ops.v[0];
}

/* The dump of one scalar expression (parsed as `print <text>`). */
static inline char *qt_expr(const char *text)
{
    return qt_dump_part("print ", text, qt_pick_print_item);
}

/* The dump of one operator (parsed as `T | <text>`). */
static inline char *qt_op(const char *text)
{
    return qt_dump_part("T | ", text, qt_pick_first_op);
}

#define QT_EXPECT(fn, text, expected)                                                              \
    do {                                                                                           \
        char *got_ = fn(text);                                                                     \
        cr_expect_str_eq(got_, expected, "input: %s", text);                                       \
        free(got_);                                                                                \
    } while (0)

#define EXPECT_QUERY(text, expected) QT_EXPECT(qt_dump, text, expected)
#define EXPECT_EXPR(text, expected) QT_EXPECT(qt_expr, text, expected)
#define EXPECT_OP(text, expected) QT_EXPECT(qt_op, text, expected)

/* Parses and returns the error (code 0 on success). */
static inline sl_query_error_t qt_error(const char *text, char *msg, size_t cap)
{
    sl_pool_t *pool = sl_pool_create();
    sl_query_node_t *q;
    sl_query_error_t err;
    sl_diag_t d;
    sl_query_parse(pool, text, strlen(text), &q, &err, &d);
    if (msg) {
        snprintf(msg, cap, "%s", err.code ? d.msg : "");
    }
    sl_pool_destroy(pool);
    return err;
}

/* Expects a failure with the exact code, line, column and near-text. */
#define EXPECT_ERROR(text, code_, line_, col_, near_)                                              \
    do {                                                                                           \
        char msg_[400];                                                                            \
        sl_query_error_t e_ = qt_error(text, msg_, sizeof msg_);                                   \
        cr_expect_eq(e_.code, code_, "code for: %s (%s)", text, msg_);                             \
        cr_expect_eq(e_.pos.line, line_, "line for: %s (%s)", text, msg_);                         \
        cr_expect_eq(e_.pos.col, col_, "column for: %s (%s)", text, msg_);                         \
        cr_expect_str_eq(e_.near, near_, "near for: %s (%s)", text, msg_);                         \
    } while (0)

/* A compact description of the tokens of `text`, one word per token:
 *   ID:name KW:project-away S"value" L42 R1.5 TS<ticks> TY:datetime(body) | ( ...
 * The EOF token is left out; an ERROR token prints as ERR(message). */
static inline char *qt_lex(const char *text)
{
    sl_pool_t *pool = sl_pool_create();
    sl_query_tok_t *toks;
    size_t n;
    sl_query_lex(pool, text, strlen(text), NULL, &toks, &n);
    sl_buf_t b = SL_BUF_INIT;
    sl_buf_puts(&b, "");
    for (size_t i = 0; i < n; i++) {
        const sl_query_tok_t *t = &toks[i];
        if (t->kind == SL_QUERY_T_EOF) {
            break;
        }
        if (b.len) {
            sl_buf_putc(&b, ' ');
        }
        switch (t->kind) {
        case SL_QUERY_T_IDENT:
            sl_buf_printf(&b, "ID:%.*s", (int)t->pos.len, text + t->pos.off);
            break;
        case SL_QUERY_T_KEYWORD:
            sl_buf_printf(&b, "KW:%s", sl_query_kw_name(t->kw));
            break;
        case SL_QUERY_T_STRING:
            sl_buf_printf(
              &b, "%sS\"%.*s\"", t->v.str.obfuscated ? "h" : "", (int)t->v.str.n, t->v.str.s);
            break;
        case SL_QUERY_T_LONG:
            sl_buf_printf(&b, "L%lld", (long long)t->v.i);
            break;
        case SL_QUERY_T_REAL:
            sl_buf_printf(&b, "R%g", t->v.r);
            break;
        case SL_QUERY_T_TIMESPAN:
            sl_buf_printf(&b, "TS%lld", (long long)t->v.ticks);
            break;
        case SL_QUERY_T_TYPED:
            sl_buf_printf(&b,
                          "TY:%s(%.*s)",
                          sl_query_type_name(t->v.typed.type),
                          (int)t->v.typed.body_len,
                          text + t->v.typed.body_off);
            break;
        case SL_QUERY_T_ERROR:
            sl_buf_printf(&b, "ERR(%s)", t->v.err);
            break;
        default:
            sl_buf_printf(&b, "%.*s", (int)t->pos.len, text + t->pos.off);
            break;
        }
    }
    sl_pool_destroy(pool);
    char *s = strdup(b.data);
    sl_buf_dispose(&b);
    return s;
}

#define EXPECT_LEX(text, expected) QT_EXPECT(qt_lex, text, expected)

#endif /* SL_QUERY_TEST_H */
