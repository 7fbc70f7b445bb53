/*
 * Test harness for the aggregates: builds an aggregate call over typed
 * argument expressions, binds it, and drives update / merge / finish /
 * dispose directly, as the summarize operator does, over state arrays
 * ("partials") of a few groups each.
 *
 *   qa_t q;
 *   qa_bind(&q, "sum", "x", 1, QA_COL(SL_TYPE_LONG));      // asserts success
 *   qa_update(&q, 0, QA_GIDS(0, 1, 0), QA_VEC(SL_TYPE_LONG, "1", "2", QA_NULL));
 *   qa_merge(&q, 0, 1);                                     // partial 1 into 0
 *   char *s = qa_result(&q, 0, 2);                          // "1|2"
 *
 * A result lists groups separated by '|' and a group's output columns by
 * ','; a null cell prints as "null", other cells as tostring() shows them
 * (dynamic values as compact JSON, "" as nothing).
 *
 * Each state is surrounded by canary bytes (state_off is 8 and the stride
 * has 8 spare bytes) that are checked after every call, so an aggregate
 * writing outside its state fails the test. The harness also counts what
 * the aggregates charge to the query: after a group is finished and
 * disposed, or merged away, everything it charged has been credited back.
 */
#ifndef SL_AGG_TEST_H
#define SL_AGG_TEST_H

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query/agg_int.h"

#define QA_MAX_PARTIALS 6
#define QA_MAX_GROUPS 16
#define QA_MAX_ARGS 8
#define QA_CANARY 0xA5

/* The binder and a query context whose memory account the tests read. */
typedef struct qa_env {
    sl_qbind_t b;
    sl_qctx_t q;
    bool limited; /* a budget was set: failed charges stay counted */
} qa_env_t;

static inline void qa_env_init(qa_env_t *e, sl_pool_t *pool, sl_diag_t *d)
{
    memset(e, 0, sizeof *e);
    sl_qbind_init(&e->b, pool, 0, NULL, d);
    sl_qctx_init(&e->q, 0, 0, 0, NULL);
}
static inline sl_qbind_t *qa_env_binder(qa_env_t *e)
{
    return &e->b;
}
/* A runtime context of the env's query (by value: one per qa_t). */
static inline sl_qrt_t qa_env_rt(qa_env_t *e, sl_diag_t *d)
{
    sl_qrt_t rt;
    sl_qrt_init(&rt, &e->q, d);
    return rt;
}
/* Bytes the aggregates have charged and not credited back. */
static inline int64_t qa_env_charged(qa_env_t *e)
{
    return atomic_load(&e->q.mem);
}
/* Caps the query's memory. */
static inline void qa_env_limit(qa_env_t *e, int64_t bytes)
{
    e->q.budget = bytes;
    e->limited = true;
}
static inline void qa_env_dispose(qa_env_t *e)
{
    sl_qbind_dispose(&e->b);
}

/* An argument: a column of the batch, or a constant. */
typedef struct qa_arg {
    bool konst;
    sl_type_t type;
    const char *text; /* constant's value (NULL: a null constant) */
    int col;          /* batch column; -1: the next one */
} qa_arg_t;

/* The next batch column; batch column i (several arguments may read the
 * same column, as a `*` expansion does); a constant. */
#define QA_COL(t) ((qa_arg_t){ false, (t), NULL, -1 })
#define QA_COLN(t, i) ((qa_arg_t){ false, (t), NULL, (i) })
#define QA_K(t, s) ((qa_arg_t){ true, (t), (s), -1 })

typedef struct qa {
    sl_pool_t *pool;
    qa_env_t env;
    sl_qaggcall_t call;
    sl_qexpr_t *exprs[QA_MAX_ARGS];
    qa_arg_t args[QA_MAX_ARGS];
    sl_diag_t d;
    sl_qrt_t rt;
    size_t stride;
    uint8_t *parts[QA_MAX_PARTIALS];
    bool live[QA_MAX_PARTIALS][QA_MAX_GROUPS];
} qa_t;

/* A null in QA_VEC. */
#define QA_NULL ((const char *)1)

/* Builds a vector of type t from value texts (QA_NULL for a null). */
static inline sl_qvec_t *qa_vec_of(sl_type_t t, size_t n, const char *const *vals)
{
    sl_qvec_t *v = sl_qvec_new(t, sl_type_is_text(t) ? 0 : n);
    for (size_t i = 0; i < n; i++) {
        const char *s = vals[i];
        if (sl_type_is_text(t)) {
            s = s == QA_NULL ? "" : s;
            sl_qvec_push_text(v, s, strlen(s));
            continue;
        }
        if (s == QA_NULL) {
            sl_qvec_set_null(v, i);
            continue;
        }
        switch (t) {
        case SL_TYPE_BOOL:
            sl_qvec_boolw(v)[i] = strcmp(s, "true") == 0;
            break;
        case SL_TYPE_REAL:
            sl_qvec_f64w(v)[i] = strcmp(s, "nan") == 0 ? NAN : strtod(s, NULL);
            break;
        case SL_TYPE_DATETIME: {
            sl_ticks_t x = 0;
            cr_assert_eq(sl_time_parse_iso8601(s, strlen(s), &x), 0, "datetime %s", s);
            sl_qvec_i64w(v)[i] = x;
            break;
        }
        default:
            sl_qvec_i64w(v)[i] = strtoll(s, NULL, 10);
            break;
        }
    }
    return v;
}

#define QA_VEC(t, ...)                                                                             \
    qa_vec_of((t),                                                                                 \
              sizeof((const char *[]){ __VA_ARGS__ }) / sizeof(const char *),                      \
              (const char *[]){ __VA_ARGS__ })

/* A constant vector (one row, konst). */
static inline sl_qvec_t *qa_const_of(sl_type_t t, const char *text)
{
    const char *vals[1] = { text ? text : QA_NULL };
    sl_qvec_t *v = qa_vec_of(t, 1, vals);
    v->konst = true;
    return v;
}

/* Group ids of a batch. */
typedef struct qa_gids {
    size_t n;
    const uint32_t *g;
} qa_gids_t;
#define QA_GIDS(...)                                                                               \
    ((qa_gids_t){ sizeof((const uint32_t[]){ __VA_ARGS__ }) / sizeof(uint32_t),                    \
                  (const uint32_t[]){ __VA_ARGS__ } })

/* Binds `name` over the given arguments; returns the bind's code (the
 * message is in q->d). */
static inline int qa_try_bind(qa_t *q,
                              const char *name,
                              const char *argname,
                              size_t nargs,
                              const qa_arg_t *args)
{
    memset(q, 0, sizeof *q);
    q->pool = sl_pool_create();
    qa_env_init(&q->env, q->pool, &q->d);
    q->rt = qa_env_rt(&q->env, &q->d);
    const sl_qagg_t *agg = sl_qagg_find(name, strlen(name));
    cr_assert(agg, "aggregate %s is registered", name);
    cr_assert(nargs >= agg->min_args && (agg->max_args == 255 || nargs <= agg->max_args),
              "%s takes %zu arguments",
              name,
              nargs);
    cr_assert(nargs <= QA_MAX_ARGS);
    size_t col = 0;
    for (size_t i = 0; i < nargs; i++) {
        sl_qexpr_t *e = sl_pool_calloc(q->pool, sizeof *e);
        e->type = args[i].type;
        if (args[i].konst) {
            e = sl_qbind_const(&q->env.b, qa_const_of(args[i].type, args[i].text), NULL);
        } else {
            e->kind = SL_QX_COL;
            e->col = args[i].col >= 0 ? (size_t)args[i].col : col;
            col = e->col + 1;
        }
        q->exprs[i] = e;
        q->args[i] = args[i];
    }
    q->call.agg = agg;
    q->call.nargs = nargs;
    q->call.args = q->exprs;
    q->call.argname = argname;
    return agg->bind(qa_env_binder(&q->env), &q->call, &q->d);
}

static inline void qa_bind_v(qa_t *q,
                             const char *name,
                             const char *argname,
                             size_t nargs,
                             const qa_arg_t *args)
{
    int rc = qa_try_bind(q, name, argname, nargs, args);
    cr_assert_eq(rc, 0, "bind %s: %s", name, q->d.msg);
    cr_assert(q->call.nout >= 1);
    cr_assert_eq(q->call.state_size % 8, 0, "%s state size %zu", name, q->call.state_size);
    q->call.state_off = 8;
    q->stride = 8 + q->call.state_size + 8;
    for (size_t p = 0; p < QA_MAX_PARTIALS; p++) {
        q->parts[p] = malloc(q->stride * QA_MAX_GROUPS);
        memset(q->parts[p], QA_CANARY, q->stride * QA_MAX_GROUPS);
        for (size_t g = 0; g < QA_MAX_GROUPS; g++) {
            memset(q->parts[p] + g * q->stride + 8, 0, q->call.state_size);
        }
    }
}

#define QA_ARGS(...)                                                                               \
    (sizeof((qa_arg_t[]){ __VA_ARGS__ }) / sizeof(qa_arg_t)), ((qa_arg_t[]){ __VA_ARGS__ })
#define qa_bind(q, name, argname, ...) qa_bind_v((q), (name), (argname), QA_ARGS(__VA_ARGS__))
#define qa_bind_err(q, name, argname, ...) qa_try_bind((q), (name), (argname), QA_ARGS(__VA_ARGS__))

static inline void *qa_state(qa_t *q, size_t p, size_t g)
{
    return q->parts[p] + g * q->stride + q->call.state_off;
}

static inline void qa_check_canaries(qa_t *q)
{
    for (size_t p = 0; p < QA_MAX_PARTIALS; p++) {
        for (size_t g = 0; g < QA_MAX_GROUPS; g++) {
            const uint8_t *row = q->parts[p] + g * q->stride;
            for (size_t i = 0; i < 8; i++) {
                cr_assert_eq(row[i], QA_CANARY, "canary before state %zu/%zu", p, g);
                cr_assert_eq(
                  row[8 + q->call.state_size + i], QA_CANARY, "canary after state %zu/%zu", p, g);
            }
        }
    }
}

/*
 * Folds a batch into partial p: `cols` are the batch's column vectors (the
 * arguments read them by column index; constants are supplied by the
 * harness). Consumes the vectors. Returns the update's code.
 */
static inline int qa_update_v(qa_t *q, size_t p, qa_gids_t gids, size_t ncols, sl_qvec_t **cols)
{
    sl_qvec_t *argv[QA_MAX_ARGS];
    for (size_t i = 0; i < q->call.nargs; i++) {
        if (q->exprs[i]->kind == SL_QX_CONST) {
            argv[i] = q->exprs[i]->konst;
        } else {
            cr_assert(q->exprs[i]->col < ncols, "a vector for argument %zu", i + 1);
            argv[i] = cols[q->exprs[i]->col];
            cr_assert(argv[i]->konst || sl_qvec_len(argv[i]) == gids.n,
                      "argument %zu has %zu rows for %zu group ids",
                      i + 1,
                      sl_qvec_len(argv[i]),
                      gids.n);
        }
    }
    for (size_t r = 0; r < gids.n; r++) {
        cr_assert(gids.g[r] < QA_MAX_GROUPS);
        q->live[p][gids.g[r]] = true;
    }
    int rc = q->call.agg->update(&q->call, q->parts[p], q->stride, gids.g, argv, gids.n, &q->rt);
    for (size_t i = 0; i < ncols; i++) {
        sl_qvec_unref(cols[i]);
    }
    qa_check_canaries(q);
    return rc;
}

#define qa_update(q, p, gids, ...)                                                                 \
    qa_update_v((q),                                                                               \
                (p),                                                                               \
                (gids),                                                                            \
                sizeof((sl_qvec_t *[]){ __VA_ARGS__ }) / sizeof(sl_qvec_t *),                      \
                (sl_qvec_t *[]){ __VA_ARGS__ })
#define qa_update_ok(q, p, gids, ...)                                                              \
    cr_assert_eq(qa_update((q), (p), (gids), __VA_ARGS__), 0, "update: %s", (q)->d.msg)

static inline void qa_dispose_state(qa_t *q, size_t p, size_t g)
{
    if (q->call.agg->dispose) {
        q->call.agg->dispose(&q->call, qa_state(q, p, g));
    }
    memset(qa_state(q, p, g), 0, q->call.state_size);
}

/* Merges every group of partial `src` into partial `dst`, then disposes
 * src's states (as the operator does). */
static inline void qa_merge(qa_t *q, size_t dst, size_t src)
{
    for (size_t g = 0; g < QA_MAX_GROUPS; g++) {
        int rc = q->call.agg->merge(&q->call, qa_state(q, dst, g), qa_state(q, src, g), &q->rt);
        cr_assert_eq(rc, 0, "merge: %s", q->d.msg);
        q->live[dst][g] |= q->live[src][g];
        q->live[src][g] = false;
        qa_dispose_state(q, src, g);
    }
    qa_check_canaries(q);
}

/* A cell as the tests compare it. */
static inline void qa_cell(const sl_qvec_t *v, size_t i, sl_buf_t *out)
{
    if (sl_qvec_is_null(v, i)) {
        sl_buf_puts(out, "null");
        return;
    }
    sl_qvec_tostring(v, i, out);
}

/* Finishes groups 0..ngroups-1 of partial p (disposing them) and returns
 * the results (malloc'd). */
static inline char *qa_result(qa_t *q, size_t p, size_t ngroups)
{
    sl_qvec_t *outs[64];
    cr_assert(q->call.nout <= 64);
    for (size_t k = 0; k < q->call.nout; k++) {
        outs[k] = sl_qvec_new(q->call.out_types[k], 0);
    }
    for (size_t g = 0; g < ngroups; g++) {
        int rc = q->call.agg->finish(&q->call, qa_state(q, p, g), outs, &q->rt);
        cr_assert_eq(rc, 0, "finish: %s", q->d.msg);
        qa_dispose_state(q, p, g);
        q->live[p][g] = false;
    }
    qa_check_canaries(q);
    sl_buf_t b = SL_BUF_INIT;
    sl_buf_puts(&b, "");
    for (size_t g = 0; g < ngroups; g++) {
        if (g) {
            sl_buf_putc(&b, '|');
        }
        for (size_t k = 0; k < q->call.nout; k++) {
            cr_assert_eq(sl_qvec_len(outs[k]), ngroups, "output %zu has a row per group", k);
            if (k) {
                sl_buf_putc(&b, ',');
            }
            qa_cell(outs[k], g, &b);
        }
    }
    for (size_t k = 0; k < q->call.nout; k++) {
        sl_qvec_unref(outs[k]);
    }
    char *s = strdup(b.data);
    sl_buf_dispose(&b);
    return s;
}

#define QA_EXPECT_RESULT(q, p, ngroups, expected)                                                  \
    do {                                                                                           \
        char *got_ = qa_result((q), (p), (ngroups));                                               \
        cr_expect_str_eq(got_,                                                                     \
                         (expected),                                                               \
                         "%s result: got \"%s\", want \"%s\"",                                     \
                         (q)->call.agg->name,                                                      \
                         got_,                                                                     \
                         (expected));                                                              \
        free(got_);                                                                                \
    } while (0)

/* The generated names, joined by ','; NULL names print as "<arg k>". */
static inline char *qa_names(const qa_t *q)
{
    sl_buf_t b = SL_BUF_INIT;
    sl_buf_puts(&b, "");
    for (size_t k = 0; k < q->call.nout; k++) {
        if (k) {
            sl_buf_putc(&b, ',');
        }
        if (q->call.out_names[k]) {
            sl_buf_puts(&b, q->call.out_names[k]);
        } else {
            sl_buf_printf(&b, "<arg %zu>", sl_qagg_out_arg(&q->call, k) + 1);
        }
    }
    char *s = strdup(b.data);
    sl_buf_dispose(&b);
    return s;
}

/* The output types, joined by ','. */
static inline char *qa_types(const qa_t *q)
{
    sl_buf_t b = SL_BUF_INIT;
    sl_buf_puts(&b, "");
    for (size_t k = 0; k < q->call.nout; k++) {
        sl_buf_printf(&b, "%s%s", k ? "," : "", sl_type_name(q->call.out_types[k]));
    }
    char *s = strdup(b.data);
    sl_buf_dispose(&b);
    return s;
}

#define QA_EXPECT_STR(fn, q, expected)                                                             \
    do {                                                                                           \
        char *got_ = fn(q);                                                                        \
        cr_expect_str_eq(got_,                                                                     \
                         (expected),                                                               \
                         "%s %s: got \"%s\", want \"%s\"",                                         \
                         (q)->call.agg->name,                                                      \
                         #fn,                                                                      \
                         got_,                                                                     \
                         (expected));                                                              \
        free(got_);                                                                                \
    } while (0)

/* Releases everything: every live state is disposed first; the budget
 * must then be back where it started. */
static inline void qa_done(qa_t *q)
{
    for (size_t p = 0; p < QA_MAX_PARTIALS; p++) {
        for (size_t g = 0; g < QA_MAX_GROUPS && q->parts[p]; g++) {
            if (q->live[p][g]) {
                /* Finish credits the budget; dispose alone cannot. */
                sl_qvec_t *outs[64];
                for (size_t k = 0; k < q->call.nout; k++) {
                    outs[k] = sl_qvec_new(q->call.out_types[k], 0);
                }
                q->call.agg->finish(&q->call, qa_state(q, p, g), outs, &q->rt);
                for (size_t k = 0; k < q->call.nout; k++) {
                    sl_qvec_unref(outs[k]);
                }
            }
            if (q->call.state_size) {
                qa_dispose_state(q, p, g);
            }
        }
        free(q->parts[p]);
    }
    sl_qrt_dispose(&q->rt);
    if (!q->env.limited) {
        cr_expect_eq(qa_env_charged(&q->env),
                     0,
                     "%s: every charged byte is credited back",
                     q->call.agg ? q->call.agg->name : "?");
    }
    qa_env_dispose(&q->env);
    sl_pool_destroy(q->pool);
}

#endif /* SL_AGG_TEST_H */
