/*
 * Helpers for the cache tests: a real store (with the cache fed by its
 * "block written" hook) in a temporary directory, batches with one column
 * of every type, and comparisons of what the cache and the store return.
 */
#ifndef SL_CACHE_TEST_H
#define SL_CACHE_TEST_H

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache/cache_int.h"

#define CT_AEK_MMK 11
#define CT_AEK_CMK 22
/* A string no byte of the cache may ever hold in the clear. */
#define CT_CANARY "CANARY-5f0c2a7e-cmk-secret"

typedef struct ct_env {
    char dir[128];
    char cache_dir[200];
    sl_key_t *infra;
    sl_keyring_t *kr;
    sl_catalog_t *cat;
    sl_store_t *store;
    sl_cache_t *cache;
    sl_guid_t ws;
    uint64_t max_bytes;
    uint32_t hot_days;
    bool keep_detached; /* sl_cache_opts_t.keep_detached */
    int done;
} ct_env_t;

static inline void ct_aek(sl_scope_t s, uint8_t out[32])
{
    memset(out, s == SL_SCOPE_CMK ? 0xc3 : 0x5a, 32);
}

static inline void ct_put_keys(ct_env_t *e)
{
    uint8_t a[32];
    ct_aek(SL_SCOPE_MMK, a);
    sl_keyring_put(e->kr, SL_SCOPE_MMK, CT_AEK_MMK, 1, a);
    ct_aek(SL_SCOPE_CMK, a);
    sl_keyring_put(e->kr, SL_SCOPE_CMK, CT_AEK_CMK, 1, a);
}

static inline void ct_open_cache(ct_env_t *e)
{
    sl_cache_opts_t o = { .path = e->cache_dir, .max_bytes = e->max_bytes,
                          .hot_days = e->hot_days, .keyring = e->kr,
                          .keep_detached = e->keep_detached };
    sl_diag_t d;
    cr_assert_eq(sl_cache_open(&o, &e->cache, &d), 0, "%s", d.msg);
}

static inline void ct_open_store(ct_env_t *e)
{
    sl_store_opts_t o = { 0 };
    o.data_dir = e->dir;
    o.keyring = e->kr;
    o.catalog = e->cat;
    o.flush_interval_ms = 60000; /* blocks are written when the test flushes */
    o.block_max_rows = 100000;
    o.on_block = sl_cache_on_block_written;
    o.on_block_arg = e->cache;
    sl_diag_t d;
    cr_assert_eq(sl_store_open(&o, &e->store, &d), 0, "%s", d.msg);
}

/* A store and a cache of `max_bytes` (the cache opened first: the store's
 * hook feeds it). */
static inline void ct_setup(ct_env_t *e, uint64_t max_bytes)
{
    memset(e, 0, sizeof *e);
    snprintf(e->dir, sizeof e->dir, "/tmp/sealog-cache-XXXXXX");
    cr_assert(mkdtemp(e->dir));
    snprintf(e->cache_dir, sizeof e->cache_dir, "%s/cache", e->dir);
    e->max_bytes = max_bytes;
    cr_assert_eq(sl_key_create_random(&e->infra), 0);
    e->kr = sl_keyring_create(e->infra, true);
    ct_put_keys(e);
    char p[200];
    snprintf(p, sizeof p, "%s/catalog", e->dir);
    sl_diag_t d;
    cr_assert_eq(sl_catalog_open(p, &e->cat, &d), 0, "%s", d.msg);
    memset(e->ws.b, 0x42, 16);
    sl_ws_rec_t w = { .id = e->ws, .retention_days = 30, .created = sl_time_now() };
    snprintf(w.name, sizeof w.name, "ws-cache");
    cr_assert_eq(sl_catalog_ws_create(e->cat, &w, &d), 0, "%s", d.msg);
    ct_open_cache(e);
    ct_open_store(e);
}

static inline void ct_teardown(ct_env_t *e)
{
    sl_store_close(e->store);
    sl_cache_close(e->cache);
    sl_catalog_close(e->cat);
    sl_keyring_destroy(e->kr);
    sl_key_destroy(e->infra);
    sl_rmtree(e->dir);
}

/* Closes and reopens the cache (the store keeps running, fed again). */
static inline void ct_restart(ct_env_t *e)
{
    sl_store_close(e->store);
    sl_cache_close(e->cache);
    ct_open_cache(e);
    ct_open_store(e);
}

/*
 * Rows [from, from + n) of table "App_CL": TimeGenerated = t0 + (i - from) seconds,
 * and one column of each type: Msg (string, with the canary in CMK rows),
 * Host (low-cardinality string), Seq (long), Code (int, null every 7th),
 * Ratio (real, null every 5th), Ok (bool, null every 11th), Dur
 * (timespan), Id (guid), Props (dynamic), Empty (string, always "").
 */
static inline sl_batch_t *ct_batch(const sl_guid_t *ws, sl_scope_t scope, size_t from, size_t n,
                                   sl_ticks_t t0)
{
    sl_batch_t *b = sl_batch_create(ws, "App_CL", scope);
    sl_colset_t *r = &b->rows;
    int tg = sl_colset_add(r, "TimeGenerated", SL_TYPE_DATETIME);
    int msg = sl_colset_add(r, "Msg", SL_TYPE_STRING);
    int host = sl_colset_add(r, "Host", SL_TYPE_STRING);
    int seq = sl_colset_add(r, "Seq", SL_TYPE_LONG);
    int code = sl_colset_add(r, "Code", SL_TYPE_INT);
    int ratio = sl_colset_add(r, "Ratio", SL_TYPE_REAL);
    int ok = sl_colset_add(r, "Ok", SL_TYPE_BOOL);
    int dur = sl_colset_add(r, "Dur", SL_TYPE_TIMESPAN);
    int id = sl_colset_add(r, "Id", SL_TYPE_GUID);
    int props = sl_colset_add(r, "Props", SL_TYPE_DYNAMIC);
    int empty = sl_colset_add(r, "Empty", SL_TYPE_STRING);
    for (size_t i = from; i < from + n; i++) {
        char s[160];
        sl_col_push_i64(&r->cols[tg], t0 + (sl_ticks_t)(i - from) * SL_TICKS_PER_SEC);
        int k = snprintf(s, sizeof s, "request %zu served in %zu ms %s", i, i % 97,
                         scope == SL_SCOPE_CMK ? CT_CANARY : "mmk");
        sl_col_push_text(&r->cols[msg], s, (size_t)k);
        k = snprintf(s, sizeof s, "host-%zu", i % 4);
        sl_col_push_text(&r->cols[host], s, (size_t)k);
        sl_col_push_i64(&r->cols[seq], (int64_t)i);
        if (i % 7 == 3) {
            sl_col_push_null(&r->cols[code]);
        } else {
            sl_col_push_i64(&r->cols[code], (int64_t)(i % 13) - 6);
        }
        if (i % 5 == 1) {
            sl_col_push_null(&r->cols[ratio]);
        } else {
            sl_col_push_f64(&r->cols[ratio], (double)i / 3.0);
        }
        if (i % 11 == 0) {
            sl_col_push_null(&r->cols[ok]);
        } else {
            sl_col_push_bool(&r->cols[ok], i % 2 == 0);
        }
        sl_col_push_i64(&r->cols[dur], (int64_t)i * 1234567);
        k = snprintf(s, sizeof s, "%08zx-0000-4000-8000-%012zx", i, i * 7);
        sl_col_push_text(&r->cols[id], s, (size_t)k);
        k = snprintf(s, sizeof s, "{\"n\":%zu,\"tags\":[\"a\",\"b\"]}", i);
        sl_col_push_text(&r->cols[props], s, (size_t)k);
        sl_col_push_text(&r->cols[empty], "", 0);
        sl_colset_end_row(r);
    }
    b->raw_bytes = n * 200;
    return b;
}

/* 01:00 UTC `days` days ago: a batch of a few thousand rows a second
 * apart starting there stays in one day (one segment, one block). */
static inline sl_ticks_t ct_day(int days)
{
    sl_ticks_t now = sl_time_now();
    return now - now % SL_TICKS_PER_DAY - days * SL_TICKS_PER_DAY + SL_TICKS_PER_HOUR;
}

static inline void ct_on_done(void *arg, void *user, int status, uint64_t lsn)
{
    (void)user;
    (void)lsn;
    cr_assert_eq(status, 0);
    ((ct_env_t *)arg)->done++;
}

static inline void ct_submit(ct_env_t *e, sl_batch_t *b)
{
    sl_diag_t d;
    int want = e->done + 1;
    cr_assert_eq(sl_store_submit(e->store, b, NULL, &d), 0, "%s", d.msg);
    for (int i = 0; i < 5000 && e->done < want; i++) {
        sl_store_completions(e->store, ct_on_done, e);
        usleep(1000);
    }
    cr_assert_eq(e->done, want);
}

/* Submits rows and writes them as one block per (scope, segment), then
 * waits until the cache has written what the hook gave it. */
static inline void ct_write_block(ct_env_t *e, sl_scope_t scope, size_t from, size_t n,
                                  sl_ticks_t t0)
{
    ct_submit(e, ct_batch(&e->ws, scope, from, n, t0));
    sl_store_flush(e->store);
    sl_cache_flush(e->cache);
}

static inline sl_snap_t *ct_snap(ct_env_t *e)
{
    sl_snap_table_t t = { e->ws, "App_CL" };
    sl_snap_t *sn;
    sl_diag_t d;
    cr_assert_eq(sl_store_snap_open(e->store, &t, 1, INT64_MIN, INT64_MAX, &sn, &d), 0, "%s",
                 d.msg);
    return sn;
}

/* Finds block `id` in a snapshot; -1 if absent. */
static inline long ct_find(sl_snap_t *sn, uint64_t id)
{
    for (size_t i = 0; i < sl_store_snap_count(sn); i++) {
        if (sl_store_snap_block(sn, i)->block_id == id) {
            return (long)i;
        }
    }
    return -1;
}

/* Asserts that two decoded blocks hold the same columns and values. */
static inline void ct_expect_same(const sl_colset_t *a, const sl_colset_t *b)
{
    cr_assert_eq(a->nrows, b->nrows);
    cr_assert_eq(a->ncols, b->ncols, "%zu columns vs %zu", a->ncols, b->ncols);
    for (size_t i = 0; i < a->ncols; i++) {
        const sl_col_t *x = &a->cols[i];
        int j = sl_colset_find(b, x->name);
        cr_assert(j >= 0, "column %s missing", x->name);
        const sl_col_t *y = &b->cols[j];
        cr_assert_eq(x->type, y->type, "%s: type", x->name);
        cr_assert_eq(x->n, y->n, "%s: count", x->name);
        for (size_t r = 0; r < x->n; r++) {
            cr_assert_eq(sl_col_is_null(x, r), sl_col_is_null(y, r), "%s row %zu: null", x->name,
                         r);
            if (sl_type_is_text(x->type)) {
                size_t la, lb;
                const char *pa = sl_col_text(x, r, &la), *pb = sl_col_text(y, r, &lb);
                cr_assert(la == lb && !memcmp(pa, pb, la), "%s row %zu: text", x->name, r);
            } else if (sl_col_is_null(x, r)) {
                continue;
            } else if (x->type == SL_TYPE_BOOL) {
                cr_assert_eq(sl_col_bool(x, r), sl_col_bool(y, r), "%s row %zu", x->name, r);
            } else if (x->type == SL_TYPE_REAL) {
                cr_assert_eq(sl_col_f64(x, r), sl_col_f64(y, r), "%s row %zu", x->name, r);
            } else {
                cr_assert_eq(sl_col_i64(x, r), sl_col_i64(y, r), "%s row %zu", x->name, r);
            }
        }
    }
}

/* Reads block i through the cache; returns whether it was a hit. */
static inline bool ct_read(ct_env_t *e, sl_snap_t *sn, size_t i, const char *const *cols,
                           size_t ncols, sl_colset_t *out)
{
    sl_snap_reader_t *rd = sl_store_snap_reader_new();
    sl_cache_read_stats_t st;
    sl_diag_t d;
    sl_colset_init(out);
    int rc = sl_cache_read(e->cache, sn, i, cols, ncols, rd, out, &st, &d);
    sl_store_snap_reader_free(rd);
    cr_assert_eq(rc, 0, "%s", d.msg);
    return st.hit;
}

/* The same block straight from the store. */
static inline void ct_read_store(sl_snap_t *sn, size_t i, const char *const *cols, size_t ncols,
                                 sl_colset_t *out)
{
    sl_snap_reader_t *rd = sl_store_snap_reader_new();
    sl_diag_t d;
    sl_colset_init(out);
    cr_assert_eq(sl_store_snap_read(sn, i, cols, ncols, rd, out, NULL, &d), 0, "%s", d.msg);
    sl_store_snap_reader_free(rd);
}

/* Number of files under `dir` (recursively) containing `needle`; *files
 * (may be NULL) gets the number of files looked at. */
static inline int ct_grep_tree(const char *dir, const char *needle, int *files)
{
    DIR *dd = opendir(dir);
    if (!dd) {
        return 0;
    }
    int found = 0;
    struct dirent *de;
    size_t nl = strlen(needle);
    while ((de = readdir(dd))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) {
            continue;
        }
        char p[1024];
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        struct stat st;
        if (lstat(p, &st) != 0) {
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            found += ct_grep_tree(p, needle, files);
            continue;
        }
        if (files) {
            (*files)++;
        }
        sl_buf_t b = SL_BUF_INIT;
        if (sl_read_file(p, (size_t)1 << 31, &b) == 0 && b.len >= nl &&
            memmem(b.data, b.len, needle, nl)) {
            found++;
        }
        sl_buf_dispose(&b);
    }
    closedir(dd);
    return found;
}

#endif /* SL_CACHE_TEST_H */
