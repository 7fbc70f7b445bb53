/*
 * Fuzzes scalar evaluation with the misc function library in mind:
 * arbitrary expression text is bound and evaluated (sl_qeval_over) over a
 * small table holding a column of every type with nulls and edge values
 * (the ends of the datetime range, long.min/max, NaN, empty text, invalid
 * dynamic kinds), and then on no rows (the constant path). The seed corpus
 * calls every function of fn_misc_reg.c. Invariants checked:
 *  - no crash, leak or undefined behaviour (ASan/UBSan/LSan) on any input:
 *    bad arguments are bind errors, bad values nulls;
 *  - a failure is a documented code (parse, semantic, unsupported, limit)
 *    with a message;
 *  - a result has one row per input row (or is a constant), and every row
 *    renders (every text cell's offsets are inside its buffer).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "query/query_int.h"

static sl_colset_t table;

static void push_dt(sl_col_t *c, int64_t t, bool null)
{
    if (null) {
        sl_col_push_null(c);
    } else {
        sl_col_push_i64(c, t);
    }
}

static void build_table(void)
{
    sl_colset_init(&table);
    int d = sl_colset_add(&table, "d", SL_TYPE_DATETIME);
    int ts = sl_colset_add(&table, "ts", SL_TYPE_TIMESPAN);
    int l = sl_colset_add(&table, "l", SL_TYPE_LONG);
    int i = sl_colset_add(&table, "i", SL_TYPE_INT);
    int r = sl_colset_add(&table, "r", SL_TYPE_REAL);
    int s = sl_colset_add(&table, "s", SL_TYPE_STRING);
    int b = sl_colset_add(&table, "b", SL_TYPE_BOOL);
    int g = sl_colset_add(&table, "g", SL_TYPE_GUID);
    int dy = sl_colset_add(&table, "dy", SL_TYPE_DYNAMIC);
    const int64_t dv[] = { INT64_C(17180208000000000), -INT64_C(621355968000000000),
                           INT64_C(2534023007999999999), 0, -1 };
    const int64_t tsv[] = { SL_TICKS_PER_HOUR, INT64_MIN, INT64_MAX, 0, -1 };
    const int64_t lv[] = { 7, INT64_MIN, INT64_MAX, 0, -1 };
    const int64_t iv[] = { 3, INT32_MIN, INT32_MAX, 0, -1 };
    const double rv[] = { 2.5, -INFINITY, NAN, 0, -0.5 };
    const char *sv[] = { "123", "2024-01-01", "", "yyyy-MM-dd", "1.02:03:04" };
    const char *gv[] = { "74be27de-1e4e-49d9-b579-fe0b331d3642", "", "", "", "" };
    const char *dyv[] = { "12", "\"2017-01-01\"", "[1,{\"a\":null}]", "", "null" };
    for (int k = 0; k < 5; k++) {
        push_dt(&table.cols[d], dv[k], k == 3);
        push_dt(&table.cols[ts], tsv[k], k == 3);
        push_dt(&table.cols[l], lv[k], k == 3);
        push_dt(&table.cols[i], iv[k], k == 3);
        if (k == 3) {
            sl_col_push_null(&table.cols[r]);
            sl_col_push_null(&table.cols[b]);
        } else {
            sl_col_push_f64(&table.cols[r], rv[k]);
            sl_col_push_bool(&table.cols[b], k % 2 == 0);
        }
        sl_col_push_text(&table.cols[s], sv[k], strlen(sv[k]));
        sl_col_push_text(&table.cols[g], gv[k], strlen(gv[k]));
        sl_col_push_text(&table.cols[dy], dyv[k], strlen(dyv[k]));
        sl_colset_end_row(&table);
    }
}

static void eval(const char *expr, const sl_colset_t *rows)
{
    sl_pool_t *pool = sl_pool_create();
    sl_qvec_t *v = NULL;
    sl_diag_t d = { 0 };
    int rc = sl_qeval_over(pool, rows, expr, INT64_C(17180208000000000), &v, &d);
    if (rc != 0) {
        if (v || !d.msg[0] ||
            (rc != SL_EPARSE && rc != SL_ESEMANTIC && rc != SL_EUNSUPPORTED && rc != SL_ELIMIT)) {
            abort();
        }
    } else {
        size_t n = rows ? rows->nrows : 1;
        if (!v || (!v->konst && v->col.n != n)) {
            abort();
        }
        sl_buf_t out = SL_BUF_INIT;
        for (size_t k = 0; k < n; k++) {
            sl_qvec_tostring(v, k, &out);
            sl_qvec_json(v, k, &out);
        }
        sl_buf_dispose(&out);
    }
    sl_qvec_unref(v);
    sl_pool_destroy(pool);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!table.ncols) {
        build_table();
    }
    if (size > 2048) {
        return 0;
    }
    char *expr = malloc(size + 1);
    memcpy(expr, data, size);
    expr[size] = '\0';
    eval(expr, &table);
    eval(expr, NULL);
    free(expr);
    return 0;
}
