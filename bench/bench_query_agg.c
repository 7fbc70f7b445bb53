/*
 * bench_query_agg: rows per second through the aggregates' update loops,
 * driven as summarize drives them (one 64K-row batch at a time with a group
 * id per row), for one group and for 1000 groups. Columns are generated
 * once; every aggregate sees the same batches. Times are the thread's CPU
 * time, so a busy machine skews them less.
 *
 *   build/bench/bench_query_agg [batches [label-substring]]
 *
 * A benchmark, not a test: it asserts nothing about time (STYLE.md rule 10).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "query/query_int.h"

#define ROWS 65536

typedef struct col {
    const char *name;
    sl_qvec_t *v;
} col_t;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng = 0x9e3779b97f4a7c15u;
static const char *only; /* run only labels containing this */

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Runs `agg` over `args` (columns, or constants given as text) for
 * `batches` batches with `groups` groups; prints Mrows/s. */
static void run(const char *agg,
                const char *label,
                sl_qvec_t **argv,
                size_t nargs,
                size_t groups,
                int batches)
{
    if (only && !strstr(label, only)) {
        return;
    }
    sl_pool_t *pool = sl_pool_create();
    sl_diag_t d = { 0 };
    sl_qbind_t b;
    sl_qbind_init(&b, pool, 0, NULL, &d);
    sl_qctx_t q;
    sl_qctx_init(&q, 0, 0, 0, NULL);
    sl_qrt_t rt;
    sl_qrt_init(&rt, &q, &d);
    sl_qaggcall_t call = { 0 };
    sl_qexpr_t *exprs[8];
    for (size_t i = 0; i < nargs; i++) {
        if (argv[i]->konst) {
            exprs[i] = sl_qbind_const(&b, sl_qvec_ref(argv[i]), NULL);
        } else {
            exprs[i] = sl_pool_calloc(pool, sizeof *exprs[i]);
            exprs[i]->kind = SL_QX_COL;
            exprs[i]->col = i;
            exprs[i]->type = argv[i]->col.type;
        }
    }
    call.agg = sl_qagg_find(agg, strlen(agg));
    call.nargs = nargs;
    call.args = exprs;
    call.argname = "x";
    if (!call.agg || call.agg->bind(&b, &call, &d)) {
        fprintf(stderr, "%s: %s\n", agg, d.msg);
        exit(1);
    }
    size_t stride = (call.state_size + 7) & ~(size_t)7;
    uint8_t *states = calloc(groups, stride);
    uint32_t *gid = malloc(ROWS * sizeof *gid);
    for (size_t r = 0; r < ROWS; r++) {
        gid[r] = (uint32_t)(groups == 1 ? 0 : next() % groups);
    }
    /* The best of five rounds (each of `batches` batches): on a shared
     * machine the minimum is the stable number. */
    double best = 1e30;
    for (int round = 0; round < 5; round++) {
        double t0 = now_s();
        for (int i = 0; i < batches; i++) {
            if (call.agg->update(&call, states, stride, gid, argv, ROWS, &rt)) {
                fprintf(stderr, "%s: %s\n", agg, d.msg);
                exit(1);
            }
        }
        double dt = now_s() - t0;
        best = dt < best ? dt : best;
    }
    double dt = best;
    sl_qvec_t *outs[4];
    for (size_t k = 0; k < call.nout; k++) {
        outs[k] = sl_qvec_new(call.out_types[k], 0);
    }
    for (size_t g = 0; g < groups; g++) {
        call.agg->finish(&call, states + g * stride, outs, &rt);
        if (call.agg->dispose) {
            call.agg->dispose(&call, states + g * stride);
        }
    }
    for (size_t k = 0; k < call.nout; k++) {
        sl_qvec_unref(outs[k]);
    }
    printf("%-34s %5zu groups  %8.1f Mrows/s\n", label, groups, (double)ROWS * batches / dt / 1e6);
    free(states);
    free(gid);
    sl_qrt_dispose(&rt);
    sl_qbind_dispose(&b);
    sl_pool_destroy(pool);
}

int main(int argc, char **argv)
{
    int batches = argc > 1 ? atoi(argv[1]) : 200;
    only = argc > 2 ? argv[2] : NULL;
    sl_qvec_t *lng = sl_qvec_new(SL_TYPE_LONG, ROWS), *real = sl_qvec_new(SL_TYPE_REAL, ROWS);
    sl_qvec_t *hicard = sl_qvec_new(SL_TYPE_LONG, ROWS), *pred = sl_qvec_new(SL_TYPE_BOOL, ROWS);
    sl_qvec_t *str = sl_qvec_new(SL_TYPE_STRING, ROWS);
    sl_qvec_t *ts = sl_qvec_new(SL_TYPE_DATETIME, ROWS);
    static const char *const hosts[] = { "web-01", "web-02",         "db-primary", "db-replica",
                                         "cache",  "queue-worker-7", "gateway",    "auth" };
    for (size_t r = 0; r < ROWS; r++) {
        sl_qvec_i64w(lng)[r] = (int64_t)(next() % 1000);
        sl_qvec_f64w(real)[r] = (double)(next() % 100000) / 7.0;
        sl_qvec_i64w(hicard)[r] = (int64_t)next();
        sl_qvec_boolw(pred)[r] = next() % 3 == 0;
        sl_qvec_i64w(ts)[r] = (int64_t)r * 10000000;
        const char *h = hosts[next() % 8];
        sl_qvec_push_text(str, h, strlen(h));
    }
    sl_qvec_t *p95 = sl_qvec_const_i64(SL_TYPE_INT, 95);
    for (size_t gi = 0; gi < 2; gi++) {
        size_t g = gi ? 1000 : 1;
        run("count", "count()", NULL, 0, g, batches);
        run("countif", "countif(bool)", (sl_qvec_t *[]){ pred }, 1, g, batches);
        run("sum", "sum(long)", (sl_qvec_t *[]){ lng }, 1, g, batches);
        run("sum", "sum(real)", (sl_qvec_t *[]){ real }, 1, g, batches);
        run("avg", "avg(real)", (sl_qvec_t *[]){ real }, 1, g, batches);
        run("sumif", "sumif(long, bool)", (sl_qvec_t *[]){ lng, pred }, 2, g, batches);
        run("max", "max(long)", (sl_qvec_t *[]){ lng }, 1, g, batches);
        run("min", "min(string)", (sl_qvec_t *[]){ str }, 1, g, batches);
        run("variance", "variance(real)", (sl_qvec_t *[]){ real }, 1, g, batches);
        run("dcount", "dcount(long, 1000 values)", (sl_qvec_t *[]){ lng }, 1, g, batches);
        run("dcount", "dcount(string, 8 values)", (sl_qvec_t *[]){ str }, 1, g, batches);
        run("dcount",
            "dcount(long, all distinct)",
            (sl_qvec_t *[]){ hicard },
            1,
            g,
            batches / 10 ? batches / 10 : 1);
        run("arg_max", "arg_max(datetime asc, string)", (sl_qvec_t *[]){ ts, str }, 2, g, batches);
        run("take_any", "take_any(string)", (sl_qvec_t *[]){ str }, 1, g, batches);
        run("make_set", "make_set(string, 8 values)", (sl_qvec_t *[]){ str }, 1, g, batches);
        run("percentile",
            "percentile(real, 95)",
            (sl_qvec_t *[]){ real, p95 },
            2,
            g,
            batches / 10 ? batches / 10 : 1);
        printf("\n");
    }
    sl_qvec_unref(lng);
    sl_qvec_unref(real);
    sl_qvec_unref(hicard);
    sl_qvec_unref(pred);
    sl_qvec_unref(str);
    sl_qvec_unref(ts);
    sl_qvec_unref(p95);
    return 0;
}
