/*
 * Helpers for tests of scalar evaluation: evaluate an expression (constant
 * or over a small table) and render the result as text, one value per row
 * joined by '|' ("null" for nulls), so a test states what a user would see.
 */
#ifndef SL_QUERY_EVAL_TEST_H
#define SL_QUERY_EVAL_TEST_H

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "query/query_int.h"

/* Result rows as "v1|v2|..." or "ERROR <code>: <message>"; malloc'd. */
static inline char *et_eval(const sl_colset_t *rows, const char *expr)
{
    sl_pool_t *pool = sl_pool_create();
    sl_qvec_t *v = NULL;
    sl_diag_t d = { 0 };
    sl_buf_t b = SL_BUF_INIT;
    /* 2024-06-10T12:00:00Z: a fixed now() for ago(). */
    int rc = sl_qeval_over(pool, rows, expr, INT64_C(17180208000000000), &v, &d);
    if (rc) {
        sl_buf_printf(&b, "ERROR %s: %s", sl_err_name(rc), d.msg);
    } else {
        size_t n = rows ? rows->nrows : 1;
        for (size_t i = 0; i < n; i++) {
            if (i)
                sl_buf_putc(&b, '|');
            if (!sl_type_is_text(v->col.type) && sl_qvec_is_null(v, i))
                sl_buf_puts(&b, "null");
            else
                sl_qvec_tostring(v, i, &b);
        }
        sl_buf_printf(&b, ":%s", sl_type_name(v->col.type));
    }
    sl_qvec_unref(v);
    sl_pool_destroy(pool);
    char *s = strdup(b.data ? b.data : "");
    sl_buf_dispose(&b);
    return s;
}

#define et_expect(rows, expr, want)                                                              \
    do {                                                                                           \
        char *got_ = et_eval((rows), (expr));                                                      \
        cr_expect(strcmp(got_, (want)) == 0, "%s\n  got: %s\n want: %s", (expr), got_, (want));                                              \
        free(got_);                                                                                \
    } while (0)

/* A small table: a long column with a null, a real column, a string
 * column, a bool column with a null. Free with sl_colset_dispose. */
static inline void et_table(sl_colset_t *t)
{
    sl_colset_init(t);
    int a = sl_colset_add(t, "a", SL_TYPE_LONG);
    int r = sl_colset_add(t, "r", SL_TYPE_REAL);
    int s = sl_colset_add(t, "s", SL_TYPE_STRING);
    int f = sl_colset_add(t, "f", SL_TYPE_BOOL);
    const long long av[] = { 1, 5, 0, -3 };
    const double rv[] = { 1.5, 5.0, 0.25, -3.0 };
    const char *sv[] = { "alpha", "Beta", "", "gamma delta" };
    for (int i = 0; i < 4; i++) {
        if (i == 2)
            sl_col_push_null(&t->cols[a]);
        else
            sl_col_push_i64(&t->cols[a], av[i]);
        sl_col_push_f64(&t->cols[r], rv[i]);
        sl_col_push_text(&t->cols[s], sv[i], strlen(sv[i]));
        if (i == 1)
            sl_col_push_null(&t->cols[f]);
        else
            sl_col_push_bool(&t->cols[f], i != 3);
        sl_colset_end_row(t);
    }
}

#endif
