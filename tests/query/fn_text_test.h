/*
 * Helpers for the text function tests: tables of strings (and dynamic
 * values) to evaluate expressions over, on top of eval_test.h's et_expect
 * (which renders a result as "v1|v2|...:type").
 *
 * Every expression is checked on both paths: over a table (the vectorised
 * path, column arguments) and, for the same values written as literals,
 * on the constant path (n == 1, folded at bind time) — ft_both does that.
 */
#ifndef SL_QUERY_FN_TEXT_TEST_H
#define SL_QUERY_FN_TEXT_TEST_H

#include <ctype.h>
#include <stdio.h>

#include "eval_test.h"

/* A table with one string column "s" holding `n` values. */
static inline void ft_strings(sl_colset_t *t, const char *const *v, size_t n)
{
    sl_colset_init(t);
    int s = sl_colset_add(t, "s", SL_TYPE_STRING);
    for (size_t i = 0; i < n; i++) {
        sl_col_push_text(&t->cols[s], v[i], strlen(v[i]));
        sl_colset_end_row(t);
    }
}

/* A table with a string column "s" and a dynamic column "d" ("" = null),
 * row by row. */
static inline void ft_pairs(sl_colset_t *t, const char *const *s, const char *const *d, size_t n)
{
    sl_colset_init(t);
    int cs = sl_colset_add(t, "s", SL_TYPE_STRING);
    int cd = sl_colset_add(t, "d", SL_TYPE_DYNAMIC);
    for (size_t i = 0; i < n; i++) {
        sl_col_push_text(&t->cols[cs], s[i], strlen(s[i]));
        sl_col_push_text(&t->cols[cd], d[i], strlen(d[i]));
        sl_colset_end_row(t);
    }
}

/* Appends a KQL string literal for raw text (the verbatim @"..." form,
 * quotes doubled), so that any test value can be put into an expression. */
static inline void ft_lit(const char *s, sl_buf_t *out)
{
    sl_buf_puts(out, "@\"");
    for (; *s; s++) {
        if (*s == '"') {
            sl_buf_putc(out, '"');
        }
        sl_buf_putc(out, *s);
    }
    sl_buf_putc(out, '"');
}

static inline bool ft_word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '"' || c == '\'';
}

/*
 * Checks `expr` (which uses the column `s`) over a one-row table holding
 * `value`, and again with every standalone `s` replaced by `value` as a
 * literal (the constant path). Both must give `want`.
 */
static inline void ft_both(const char *value, const char *expr, const char *want)
{
    sl_colset_t t;
    ft_strings(&t, &value, 1);
    et_expect(&t, expr, want);
    sl_colset_dispose(&t);
    sl_buf_t konst = SL_BUF_INIT;
    for (const char *p = expr; *p; p++) {
        if (*p == 's' && (p == expr || !ft_word_char(p[-1])) && !ft_word_char(p[1])) {
            ft_lit(value, &konst);
        } else {
            sl_buf_putc(&konst, *p);
        }
    }
    et_expect(NULL, konst.data, want);
    sl_buf_dispose(&konst);
}

/* True once tostring() (the conversion library) is registered: tests of
 * non-string arguments need it. */
static inline bool ft_have_tostring(void)
{
    return sl_qfn_find("tostring", 8, 1) != NULL;
}

#endif
