/*
 * Helpers for end-to-end query tests: a real store in a temporary
 * directory holding a small generated table, and a runner that returns a
 * query's result as text ("col:type,col:type\nv,v\n...") or its error, so
 * that tests read like the answer a user would get.
 */
#ifndef SL_QUERY_EXEC_TEST_H
#define SL_QUERY_EXEC_TEST_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>

#include "query/query_int.h"

typedef struct xt_env {
    char dir[128];
    sl_key_t *infra;
    sl_keyring_t *kr;
    sl_catalog_t *cat;
    sl_store_t *store;
    sl_guid_t ws, ws2;
    int done;
    bool parallel; /* run scans on helper threads */
    sl_query_stats_t last; /* statistics of the last successful query */
} xt_env_t;

typedef struct xt_spawned {
    void (*fn)(void *);
    void *task;
} xt_spawned_t;

static inline void *xt_thread_main(void *arg)
{
    xt_spawned_t s = *(xt_spawned_t *)arg;
    free(arg);
    s.fn(s.task);
    return NULL;
}

/* A thread per task: what the node's thread pool does, simply. */
static inline void xt_spawn(void *arg, void (*fn)(void *), void *task)
{
    (void)arg;
    xt_spawned_t *s = malloc(sizeof *s);
    s->fn = fn;
    s->task = task;
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, xt_thread_main, s), 0);
    pthread_detach(t);
}

/* Base time of the generated rows: 2024-06-10T00:00:00Z. */
#define XT_T0 (INT64_C(1717977600) * SL_TICKS_PER_SEC)

static inline void xt_on_done(void *arg, void *user, int status, uint64_t lsn)
{
    (void)user;
    (void)lsn;
    cr_assert_eq(status, 0);
    ((xt_env_t *)arg)->done++;
}

/*
 * Table "Syslog" in ws: n rows; row i at XT_T0 + i minutes, Computer
 * "host<i%3>", SeverityLevel from a cycle of (info, info, warning, error),
 * SyslogMessage "message <i> ..." with words, Code = i % 7 (null when
 * i % 10 == 9), Dur = i / 4.0, Ok = i % 2 == 0.
 */
static inline sl_batch_t *xt_batch(const sl_guid_t *ws, size_t from, size_t n)
{
    static const char *const sev[] = { "info", "info", "warning", "error" };
    sl_batch_t *b = sl_batch_create(ws, "Syslog", SL_SCOPE_MMK);
    sl_colset_t *r = &b->rows;
    int tg = sl_colset_add(r, "TimeGenerated", SL_TYPE_DATETIME);
    int comp = sl_colset_add(r, "Computer", SL_TYPE_STRING);
    int lvl = sl_colset_add(r, "SeverityLevel", SL_TYPE_STRING);
    int msg = sl_colset_add(r, "SyslogMessage", SL_TYPE_STRING);
    int code = sl_colset_add(r, "Code", SL_TYPE_LONG);
    int dur = sl_colset_add(r, "Dur", SL_TYPE_REAL);
    int ok = sl_colset_add(r, "Ok", SL_TYPE_BOOL);
    for (size_t i = from; i < from + n; i++) {
        char s[96];
        sl_col_push_i64(&r->cols[tg], XT_T0 + (int64_t)i * SL_TICKS_PER_MIN);
        snprintf(s, sizeof s, "host%zu", i % 3);
        sl_col_push_text(&r->cols[comp], s, strlen(s));
        sl_col_push_text(&r->cols[lvl], sev[i % 4], strlen(sev[i % 4]));
        snprintf(s, sizeof s, "message %zu %s from Host%zu", i,
                 i % 4 == 3 ? "Connection timeout" : "ok", i % 3);
        sl_col_push_text(&r->cols[msg], s, strlen(s));
        if (i % 10 == 9)
            sl_col_push_null(&r->cols[code]);
        else
            sl_col_push_i64(&r->cols[code], (int64_t)(i % 7));
        sl_col_push_f64(&r->cols[dur], (double)i / 4.0);
        sl_col_push_bool(&r->cols[ok], i % 2 == 0);
        sl_colset_end_row(r);
    }
    b->raw_bytes = n * 100;
    return b;
}

static inline void xt_submit(xt_env_t *e, sl_batch_t *b)
{
    sl_diag_t d;
    int want = e->done + 1;
    cr_assert_eq(sl_store_submit(e->store, b, NULL, &d), 0, "%s", d.msg);
    for (int i = 0; i < 5000 && e->done < want; i++) {
        sl_store_completions(e->store, xt_on_done, e);
        usleep(1000);
    }
    cr_assert_eq(e->done, want);
}

/* Opens a store with small blocks (100 rows) and `rows` Syslog rows in ws
 * (flushed into blocks) plus 50 rows in ws2. */
static inline void xt_open(xt_env_t *e, size_t rows)
{
    memset(e, 0, sizeof *e);
    snprintf(e->dir, sizeof e->dir, "/tmp/sealog-qexec-XXXXXX");
    cr_assert(mkdtemp(e->dir));
    sl_key_create_random(&e->infra);
    e->kr = sl_keyring_create(e->infra, true);
    uint8_t aek[32];
    memset(aek, 7, 32);
    sl_keyring_put(e->kr, SL_SCOPE_MMK, 99, 1, aek);
    char p[200];
    snprintf(p, sizeof p, "%s/catalog", e->dir);
    sl_diag_t d;
    cr_assert_eq(sl_catalog_open(p, &e->cat, &d), 0);
    memset(e->ws.b, 0x42, 16);
    memset(e->ws2.b, 0x43, 16);
    sl_store_opts_t o = { .data_dir = e->dir, .keyring = e->kr, .catalog = e->cat,
                          .block_max_rows = 100, .flush_interval_ms = 60000 };
    cr_assert_eq(sl_store_open(&o, &e->store, &d), 0, "%s", d.msg);
    for (size_t at = 0; at < rows; at += 250)
        xt_submit(e, xt_batch(&e->ws, at, rows - at < 250 ? rows - at : 250));
    xt_submit(e, xt_batch(&e->ws2, 0, 50));
    sl_store_flush(e->store);
}

static inline void xt_close(xt_env_t *e)
{
    sl_store_close(e->store);
    sl_catalog_close(e->cat);
    sl_keyring_destroy(e->kr);
    sl_key_destroy(e->infra);
    sl_rmtree(e->dir);
}

static inline int xt_resolve(void *arg, const char *text, size_t n, sl_guid_t *out,
                             sl_diag_t *d)
{
    xt_env_t *e = arg;
    if (n == 3 && !memcmp(text, "ws2", 3)) {
        *out = e->ws2;
        return 0;
    }
    return sl_diag_set(d, SL_ENOTFOUND, "workspace '%.*s' not found", (int)n, text);
}

/* Runs a query; returns "name:type,...\nrow\nrow..." or "ERROR <code>: msg". */
static inline char *xt_query_opts(xt_env_t *e, const char *text, const sl_query_req_t *opt)
{
    sl_query_env_t env = { .store = e->store, .resolve_ws = xt_resolve, .resolve_arg = e };
    if (e->parallel) {
        env.spawn = xt_spawn;
        env.helpers = 3;
    }
    sl_query_req_t req = opt ? *opt : (sl_query_req_t){ 0 };
    req.text = text;
    req.len = strlen(text);
    req.ws = &e->ws;
    req.nws = 1;
    if (!req.now)
        req.now = XT_T0 + 2 * SL_TICKS_PER_DAY;
    sl_query_result_t res;
    sl_diag_t d = { 0 };
    sl_buf_t b = SL_BUF_INIT;
    int rc = sl_query_run(&env, &req, &res, &d);
    if (rc) {
        sl_buf_printf(&b, "ERROR %s: %s", sl_err_name(rc), d.msg);
    } else {
        const sl_colset_t *t = &res.tables[0].rows;
        for (size_t c = 0; c < t->ncols; c++)
            sl_buf_printf(&b, "%s%s:%s", c ? "," : "", t->cols[c].name,
                          sl_type_name(t->cols[c].type));
        for (size_t i = 0; i < t->nrows; i++) {
            sl_buf_putc(&b, '\n');
            for (size_t c = 0; c < t->ncols; c++) {
                if (c)
                    sl_buf_putc(&b, ',');
                sl_qvec_t v = { .refs = 1, .col = t->cols[c] };
                if (!sl_type_is_text(v.col.type) && sl_qvec_is_null(&v, i))
                    sl_buf_puts(&b, "null");
                else
                    sl_qvec_tostring(&v, i, &b);
            }
        }
        if (res.partial)
            sl_buf_printf(&b, "\nPARTIAL: %s", res.partial_msg);
        e->last = res.stats;
        sl_query_result_dispose(&res);
    }
    char *s = strdup(b.data ? b.data : "");
    sl_buf_dispose(&b);
    return s;
}

static inline char *xt_query(xt_env_t *e, const char *text)
{
    return xt_query_opts(e, text, NULL);
}

#define xt_expect(e, text, want)                                                                   \
    do {                                                                                           \
        char *got_ = xt_query((e), (text));                                                        \
        cr_expect(strcmp(got_, (want)) == 0, "%s\n  got: %s\n want: %s", (text), got_, (want));                                              \
        free(got_);                                                                                \
    } while (0)

#define xt_expect_error(e, text, code, fragment)                                                   \
    do {                                                                                           \
        char *got_ = xt_query((e), (text));                                                        \
        cr_expect(strncmp(got_, "ERROR " code, strlen("ERROR " code)) == 0 &&                      \
                      strstr(got_, (fragment)) != NULL,                                            \
                  "%s\n  got: %s", (text), got_);                                                  \
        free(got_);                                                                                \
    } while (0)

#endif
