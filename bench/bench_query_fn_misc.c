/*
 * bench_query_fn_misc: throughput of the hot misc functions on the engine's own
 * path (bound with sl_qbind_expr, evaluated with sl_qexpr_eval over 64 Ki
 * row batches), in million rows per second:
 *
 *   - bin(t, 1h) / 5m / 1d / 7d, the `summarize ... by bin(TimeGenerated, 1h)`
 *     key, against a plain floor-division loop (what the reciprocal
 *     multiply replaces);
 *   - startofday, hourofday, datetime_diff, format_datetime, tostring of
 *     datetimes and longs, tolong / todatetime of text.
 *
 *   build/bench/bench_query_fn_misc [seconds-per-case [substring-of-the-cases-to-run]]
 *
 * A benchmark, not a test: it asserts nothing about time (STYLE.md rule 10).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query/query_int.h"

#define ROWS 65536

static uint64_t rng(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* A batch like a scan's: TimeGenerated increasing over a week with
 * millisecond jitter, 2% nulls; a long column; text forms of both. */
static void make_batch(sl_qbatch_t *b)
{
    sl_qbatch_init(b, 4);
    b->n = ROWS;
    sl_qvec_t *t = sl_qvec_new(SL_TYPE_DATETIME, ROWS);
    sl_qvec_t *l = sl_qvec_new(SL_TYPE_LONG, ROWS);
    sl_qvec_t *ts = sl_qvec_new(SL_TYPE_STRING, ROWS);
    sl_qvec_t *ls = sl_qvec_new(SL_TYPE_STRING, ROWS);
    uint64_t seed = 42;
    sl_ticks_t now = INT64_C(17180208000000000); /* 2024-06-10 */
    for (size_t i = 0; i < ROWS; i++) {
        now += (sl_ticks_t)(rng(&seed) % (2 * 7 * SL_TICKS_PER_DAY / ROWS));
        sl_qvec_i64w(t)[i] = now;
        sl_qvec_i64w(l)[i] = (int64_t)(rng(&seed) % 100000000);
        if (i % 50 == 7) {
            sl_qvec_set_null(t, i);
        }
        char buf[40];
        size_t n = sl_time_format_iso8601(now, buf);
        sl_qvec_push_text(ts, buf, n);
        n = (size_t)snprintf(buf, sizeof buf, "%lld", (long long)sl_qvec_i64w(l)[i]);
        sl_qvec_push_text(ls, buf, n);
    }
    b->cols[0] = t;
    b->cols[1] = l;
    b->cols[2] = ts;
    b->cols[3] = ls;
}

static double now_s(void)
{
    return (double)sl_time_mono_ns() / 1e9;
}

static const char *only;

static void run(const char *expr, const sl_qbatch_t *b, double secs)
{
    if (only && !strstr(expr, only)) {
        return;
    }
    static const char *names[] = { "t", "l", "ts", "ls" };
    static sl_type_t types[] = { SL_TYPE_DATETIME, SL_TYPE_LONG, SL_TYPE_STRING, SL_TYPE_STRING };
    sl_qschema_t in = { 4, names, types };
    sl_pool_t *pool = sl_pool_create();
    sl_diag_t d = { 0 };
    char *text = sl_pool_printf(pool, "print %s", expr);
    sl_query_node_t *q;
    sl_query_error_t perr;
    if (sl_query_parse(pool, text, strlen(text), &q, &perr, &d) != 0) {
        fprintf(stderr, "%s: %s\n", expr, d.msg);
        exit(1);
    }
    const sl_query_node_t *p = q->query.stmts.v[0];
    if (p->kind == SL_QUERY_N_PIPELINE) {
        p = p->pipe.source;
    }
    sl_qbind_t bd;
    sl_qbind_init(&bd, pool, 0, NULL, &d);
    sl_qexpr_t *e;
    if (sl_qbind_expr(&bd, p->items.items.v[0], &in, &e) != 0) {
        fprintf(stderr, "%s: %s\n", expr, d.msg);
        exit(1);
    }
    sl_qrt_t rt = { .d = &d };
    size_t rows = 0;
    double t0 = now_s(), t1;
    do {
        for (int k = 0; k < 16; k++) {
            sl_qvec_t *v;
            if (sl_qexpr_eval(e, b, &rt, &v) != 0) {
                fprintf(stderr, "%s: %s\n", expr, d.msg);
                exit(1);
            }
            sl_qvec_unref(v);
            rows += b->n;
        }
        t1 = now_s();
    } while (t1 - t0 < secs);
    printf("%-48s %8.1f Mrows/s\n", expr, (double)rows / (t1 - t0) / 1e6);
    sl_qrt_dispose(&rt);
    sl_qbind_dispose(&bd);
    sl_pool_destroy(pool);
}

/* The loop the reciprocal multiply replaces: floor division per row. */
static void run_division(const sl_qbatch_t *b, int64_t step, const char *label, double secs)
{
    if (only && !strstr(label, only)) {
        return;
    }
    const int64_t *x = (const int64_t *)b->cols[0]->col.data.data;
    int64_t *w = malloc(ROWS * sizeof *w);
    size_t rows = 0;
    double t0 = now_s(), t1;
    /* Read the step through a volatile so the compiler cannot specialise
     * the division for a known constant. */
    volatile int64_t vs = step;
    do {
        for (int k = 0; k < 16; k++) {
            int64_t s = vs;
            for (size_t i = 0; i < ROWS; i++) {
                int64_t r = x[i] % s;
                w[i] = x[i] - r - (r < 0 ? s : 0);
            }
            rows += ROWS;
        }
        t1 = now_s();
    } while (t1 - t0 < secs);
    printf(
      "%-48s %8.1f Mrows/s  (w[7]=%lld)\n", label, (double)rows / (t1 - t0) / 1e6, (long long)w[7]);
    free(w);
}

int main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 1.0;
    only = argc > 2 ? argv[2] : NULL;
    sl_qbatch_t b;
    make_batch(&b);
    run_division(&b, SL_TICKS_PER_HOUR, "reference: x - x % 1h (division)", secs);
    run("bin(t, 1h)", &b, secs);
    run("bin(t, 5m)", &b, secs);
    run("bin(t, 1d)", &b, secs);
    run("bin(t, 7d)", &b, secs);
    run("bin(t, 1024tick)", &b, secs);
    run("bin(l, 1000)", &b, secs);
    run("startofday(t)", &b, secs);
    run("startofmonth(t)", &b, secs);
    run("hourofday(t)", &b, secs);
    run("dayofweek(t)", &b, secs);
    run("datetime_diff('day', t, datetime(2024-01-01))", &b, secs);
    run("format_datetime(t, 'yyyy-MM-dd HH:mm')", &b, secs);
    run("tostring(t)", &b, secs);
    run("tostring(l)", &b, secs);
    run("tolong(ls)", &b, secs);
    run("todatetime(ts)", &b, secs);
    run("iff(l > 50000000, l, -l)", &b, secs);
    run("round(todouble(l) / 7, 2)", &b, secs);
    sl_qbatch_dispose(&b);
    return 0;
}
