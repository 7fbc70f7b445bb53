/*
 * Helpers for the tests of the misc function library (test_fn_misc_*.c):
 * a five-row table with a column of every type, nulls and edge values, so
 * each function is tested on the vectorised path as well as on constants
 * (et_expect(NULL, ...) evaluates with no rows: the constant path).
 *
 *   row  d (datetime)                   ts (timespan)  l (long)   i (int)     r (real)
 *   0    2017-01-29T09:00:05Z           1.02:03:04.5   7          3           2.5
 *   1    1969-12-31T23:59:59.9999999Z   -01:30:00      -7         -3          -2.5
 *   2    2016-02-29T12:00:00Z           00:00:00       0          0           0.1
 *   3    null                           null           null       null        null
 *   4    0001-01-01T00:00:00Z           7.00:00:00     long.max   int.max     NaN
 *
 *   row  s (string)  b (bool)  g (guid)       dy (dynamic)     per (string)
 *   0    "123"       true      74be27de-...   12               "day"
 *   1    " 12 "      false     ""             "2017-01-01"     "month"
 *   2    "1.5"       true      ""             true             "Year"
 *   3    ""          null      ""             (null)           "bogus"
 *   4    "abc"       true      ""             [1,2]            "week"
 */
#ifndef SL_QUERY_FN_MISC_TEST_H
#define SL_QUERY_FN_MISC_TEST_H

#include <math.h>
#include <stdio.h>

#include "eval_test.h"

static inline void mt_push_dt(sl_col_t *c, const char *text)
{
    sl_ticks_t t;
    bool is_null;
    if (!text || sl_query_datetime_decode(text, strlen(text), &t, &is_null) != 0 || is_null) {
        sl_col_push_null(c);
    } else {
        sl_col_push_i64(c, t);
    }
}

static inline void mt_push_ts(sl_col_t *c, const char *text)
{
    sl_ticks_t t;
    bool is_null;
    if (!text || sl_query_timespan_decode(text, strlen(text), &t, &is_null) != 0 || is_null) {
        sl_col_push_null(c);
    } else {
        sl_col_push_i64(c, t);
    }
}

static inline void mt_table(sl_colset_t *t)
{
    sl_colset_init(t);
    int d = sl_colset_add(t, "d", SL_TYPE_DATETIME);
    int ts = sl_colset_add(t, "ts", SL_TYPE_TIMESPAN);
    int l = sl_colset_add(t, "l", SL_TYPE_LONG);
    int i = sl_colset_add(t, "i", SL_TYPE_INT);
    int r = sl_colset_add(t, "r", SL_TYPE_REAL);
    int s = sl_colset_add(t, "s", SL_TYPE_STRING);
    int b = sl_colset_add(t, "b", SL_TYPE_BOOL);
    int g = sl_colset_add(t, "g", SL_TYPE_GUID);
    int dy = sl_colset_add(t, "dy", SL_TYPE_DYNAMIC);
    int per = sl_colset_add(t, "per", SL_TYPE_STRING);
    const char *dv[] = {
        "2017-01-29 09:00:05", "1969-12-31 23:59:59.9999999", "2016-02-29 12:00", NULL, "0001-01-01"
    };
    const char *tsv[] = { "1.02:03:04.5", "-01:30:00", "00:00:00", NULL, "7.00:00:00" };
    const int64_t lv[] = { 7, -7, 0, 0, INT64_MAX };
    const int64_t iv[] = { 3, -3, 0, 0, INT32_MAX };
    const double rv[] = { 2.5, -2.5, 0.1, 0, NAN };
    const char *sv[] = { "123", " 12 ", "1.5", "", "abc" };
    const char *gv[] = { "74be27de-1e4e-49d9-b579-fe0b331d3642", "", "", "", "" };
    const char *dyv[] = { "12", "\"2017-01-01\"", "true", "", "[1,2]" };
    const char *pv[] = { "day", "month", "Year", "bogus", "week" };
    for (int k = 0; k < 5; k++) {
        mt_push_dt(&t->cols[d], dv[k]);
        mt_push_ts(&t->cols[ts], tsv[k]);
        if (k == 3) {
            sl_col_push_null(&t->cols[l]);
            sl_col_push_null(&t->cols[i]);
            sl_col_push_null(&t->cols[r]);
            sl_col_push_null(&t->cols[b]);
        } else {
            sl_col_push_i64(&t->cols[l], lv[k]);
            sl_col_push_i64(&t->cols[i], iv[k]);
            sl_col_push_f64(&t->cols[r], rv[k]);
            sl_col_push_bool(&t->cols[b], k % 2 == 0);
        }
        sl_col_push_text(&t->cols[s], sv[k], strlen(sv[k]));
        sl_col_push_text(&t->cols[g], gv[k], strlen(gv[k]));
        sl_col_push_text(&t->cols[dy], dyv[k], strlen(dyv[k]));
        sl_col_push_text(&t->cols[per], pv[k], strlen(pv[k]));
        sl_colset_end_row(t);
    }
}

/* Expects expr to fail binding with SL_ESEMANTIC and a message holding
 * `needle`. */
#define mt_expect_error(rows, expr, needle)                                                        \
    do {                                                                                           \
        char *got_ = et_eval((rows), (expr));                                                      \
        cr_expect(strncmp(got_, "ERROR SL_ESEMANTIC: ", 20) == 0 &&                                \
                    strstr(got_, (needle)) != NULL,                                                \
                  "%s: %s",                                                                        \
                  (expr),                                                                          \
                  got_);                                                                           \
        free(got_);                                                                                \
    } while (0)

/* Binds `expr` with no input columns and returns the bound tree (pool
 * allocated), or NULL with the error in d. */
static inline sl_qexpr_t *mt_bind(sl_pool_t *pool, const char *expr, sl_diag_t *d)
{
    char *text = sl_pool_printf(pool, "print %s", expr);
    sl_query_node_t *q;
    sl_query_error_t perr;
    if (sl_query_parse(pool, text, strlen(text), &q, &perr, d) != 0) {
        return NULL;
    }
    const sl_query_node_t *p = q->query.stmts.v[0];
    if (p->kind == SL_QUERY_N_PIPELINE) {
        p = p->pipe.source;
    }
    sl_qbind_t b;
    sl_qbind_init(&b, pool, INT64_C(17180208000000000), NULL, d);
    sl_qexpr_t *e = NULL;
    int rc = sl_qbind_expr(&b, p->items.items.v[0], NULL, &e);
    sl_qbind_dispose(&b);
    return rc == 0 ? e : NULL;
}

#endif
