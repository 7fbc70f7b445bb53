/*
 * Fuzzes the query path end to end, without storage.
 *
 * Input: one mode byte, then text.
 *
 * Mode even — an expression: bound and evaluated by sl_qeval_over over a
 * small fixed table holding a column of every type (datetime, timespan,
 * long, int, real, string, bool, guid, dynamic) with nulls and edge values,
 * then over no table (the constant path). A result has one row per input
 * row (or is a constant) and every row renders as text and as JSON.
 *
 * Mode odd — a whole query: parsed, bound, planned and run by
 * sl_query_run with no store, after "let T = ...;", which defines the same
 * table from `print` legs (so tabular operators have typed rows, nulls
 * included, to work on), under a deadline of one second, a memory budget
 * and result caps. A result has at least one table; every table has equal
 * column lengths, offsets inside the text buffers, at most the row cap,
 * and is marked partial when it was cut.
 *
 * Both modes: no crash, leak or undefined behaviour; a failure is a
 * documented SL_E* code with a message, and hands back no result.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "query/query_int.h"

#define CHECK(cond)                                                                            \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            abort();                                                                           \
        }                                                                                      \
    } while (0)

#define NOW INT64_C(17180208000000000) /* 2024-06-10T00:00:00Z */
#define MAX_ROWS 5000

static sl_colset_t table;

/* The same five rows as `let T`, below: row 3 is all nulls / empty. */
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
    const int64_t dv[] = { NOW, INT64_C(-621355968000000000), INT64_C(2534023007999999999), 0,
                           -1 };
    const int64_t tsv[] = { SL_TICKS_PER_HOUR, INT64_MIN, INT64_MAX, 0, -1 };
    const int64_t lv[] = { 7, INT64_MIN, INT64_MAX, 0, -1 };
    const int64_t iv[] = { 3, INT32_MIN, INT32_MAX, 0, -1 };
    const double rv[] = { 2.5, -INFINITY, NAN, 0, -0.5 };
    const char *sv[] = { "123", "Hello, World", "", "", "a b\tc" };
    const char *gv[] = { "74be27de-1e4e-49d9-b579-fe0b331d3642", "", "", "", "" };
    const char *dyv[] = { "{\"a\":1,\"b\":[1,2,{\"c\":\"x\"}]}", "[1,\"2\",null]", "12", "",
                          "\"s\"" };
    for (int k = 0; k < 5; k++) {
        bool null = k == 3;
        if (null) {
            sl_col_push_null(&table.cols[d]);
            sl_col_push_null(&table.cols[ts]);
            sl_col_push_null(&table.cols[l]);
            sl_col_push_null(&table.cols[i]);
            sl_col_push_null(&table.cols[r]);
            sl_col_push_null(&table.cols[b]);
        } else {
            sl_col_push_i64(&table.cols[d], dv[k]);
            sl_col_push_i64(&table.cols[ts], tsv[k]);
            sl_col_push_i64(&table.cols[l], lv[k]);
            sl_col_push_i64(&table.cols[i], iv[k]);
            sl_col_push_f64(&table.cols[r], rv[k]);
            sl_col_push_bool(&table.cols[b], k % 2 == 0);
        }
        sl_col_push_text(&table.cols[s], sv[k], strlen(sv[k]));
        sl_col_push_text(&table.cols[g], gv[k], strlen(gv[k]));
        sl_col_push_text(&table.cols[dy], dyv[k], strlen(dyv[k]));
        sl_colset_end_row(&table);
    }
}

/* The table as KQL (sl_query_run has no store to read it from). */
static const char let_t[] =
  "let T = union "
  "(print d=datetime(2024-06-10), ts=1h, l=7, i=int(3), r=2.5, s='123', b=true, "
  "g=guid(74be27de-1e4e-49d9-b579-fe0b331d3642), dy=dynamic({\"a\":1,\"b\":[1,2,{\"c\":\"x\"}]})), "
  "(print d=datetime(0001-01-01), ts=-time(10675199.02:48:05.4775807)-1tick, "
  "l=-9223372036854775807-1, "
  "i=int(-2147483648), r=real(-inf), s='Hello, World', b=false, g=guid(null), "
  "dy=dynamic([1,\"2\",null])), "
  "(print d=datetime(9999-12-31T23:59:59.9999999), ts=time(10675199.02:48:05.4775807), "
  "l=9223372036854775807, i=int(2147483647), r=real(nan), s='', b=true, g=guid(null), "
  "dy=dynamic(12)), "
  "(print d=datetime(null), ts=timespan(null), l=long(null), i=int(null), r=real(null), s='', "
  "b=bool(null), g=guid(null), dy=dynamic(null)), "
  "(print d=datetime(1970-01-01)-1tick, ts=-1tick, l=-1, i=int(-1), r=-0.5, s='a b\\tc', "
  "b=false, g=guid(null), dy=dynamic(\"s\"));\n";

static bool documented(int rc)
{
    return rc == SL_EPARSE || rc == SL_ESEMANTIC || rc == SL_EUNSUPPORTED || rc == SL_ELIMIT ||
           rc == SL_ETIMEOUT || rc == SL_ECANCELED;
}

static void eval(const char *expr, const sl_colset_t *rows)
{
    sl_pool_t *pool = sl_pool_create();
    sl_qvec_t *v = NULL;
    sl_diag_t d = { 0 };
    int rc = sl_qeval_over(pool, rows, expr, NOW, &v, &d);
    if (rc != 0) {
        CHECK(!v && d.msg[0] && documented(rc));
    } else {
        size_t n = rows ? rows->nrows : 1;
        CHECK(v && (v->konst || v->col.n == n));
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

static void check_colset(const sl_colset_t *s)
{
    for (size_t c = 0; c < s->ncols; c++) {
        const sl_col_t *col = &s->cols[c];
        CHECK(col->n == s->nrows && col->name);
        if (sl_type_is_text(col->type)) {
            CHECK(col->offs.len == (s->nrows + 1) * sizeof(uint32_t));
            const uint32_t *o = (const uint32_t *)col->offs.data;
            CHECK(o[0] == 0);
            for (size_t r = 0; r < s->nrows; r++)
                CHECK(o[r] <= o[r + 1] && o[r + 1] <= col->data.len);
        } else {
            size_t w = col->type == SL_TYPE_BOOL ? 1 : 8;
            CHECK(col->data.len >= s->nrows * w);
            CHECK(col->nulls.len <= (s->nrows + 7) / 8);
        }
    }
}

static void run(const char *text, size_t n)
{
    sl_query_env_t env = { 0 };
    sl_query_req_t req = {
        .text = text,
        .len = n,
        .now = NOW,
        .deadline_ns = sl_time_mono_ns() + 1000000000u,
        .mem_budget = INT64_C(64) << 20,
        .max_rows = MAX_ROWS,
        .max_bytes = 4u << 20,
    };
    sl_query_result_t res;
    sl_diag_t d = { 0 };
    int rc = sl_query_run(&env, &req, &res, &d);
    if (rc != 0) {
        CHECK(d.msg[0] && documented(rc) && res.ntables == 0 && !res.tables);
        return;
    }
    CHECK(res.ntables >= 1);
    for (size_t t = 0; t < res.ntables; t++) {
        check_colset(&res.tables[t].rows);
        CHECK(res.tables[t].rows.nrows <= MAX_ROWS);
    }
    CHECK(res.partial == (res.partial_msg[0] != '\0'));
    sl_query_result_dispose(&res);
}

/* UBSan reports and carries on by default: stop at the first report, so
 * undefined behaviour fails the run (UBSAN_OPTIONS still overrides). */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
    return "halt_on_error=1:print_stacktrace=1";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!table.ncols)
        build_table();
    if (size < 1 || size > 2048)
        return 0;
    if (data[0] % 2 == 0) {
        /* sl_qeval_over takes a C string: the expression stops at a NUL. */
        size_t n = strnlen((const char *)data + 1, size - 1);
        char *expr = malloc(n + 1);
        memcpy(expr, data + 1, n);
        expr[n] = '\0';
        eval(expr, &table);
        eval(expr, NULL);
        free(expr);
    } else {
        size_t n = size - 1, pn = sizeof let_t - 1;
        char *text = malloc(pn + n); /* exact size: not NUL-terminated */
        memcpy(text, let_t, pn);
        memcpy(text + pn, data + 1, n);
        run(text, pn + n);
        free(text);
    }
    return 0;
}
