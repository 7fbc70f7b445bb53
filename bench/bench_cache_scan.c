/*
 * bench_cache_scan: scans of recent data from the hot cache vs from storage, on
 * the same blocks, then the wipe and the reload of the scope.
 *
 *   build/bench/bench_cache_scan [blocks [rows-per-block [repeats]]]
 *
 * Builds a store in a temporary directory with `blocks` blocks of syslog-
 * like rows (customer-managed scope, TimeGenerated within the last day) and
 * a cache fed by the store's "block written" hook, so every block is both
 * on storage and in the cache. Then, best of `repeats` runs each:
 *
 *   1. block reads: every column of every block through sl_store_snap_read
 *      (decrypt, decompress, decode) and through sl_cache_read (hits:
 *      decrypt into place) — rows/s and MB/s of decoded bytes;
 *   2. queries: three KQL scans over the table run by sl_query_run on one
 *      thread, with env.cache NULL (storage) and set (cache); both must
 *      give the same answer;
 *   3. revocation and recovery: sl_cache_wipe_scope (its duration) and
 *      sl_cache_reload of the window (blocks/s, MB/s, time to a full cache).
 *
 * Times are wall-clock on an otherwise idle machine; the data is in the page
 * cache for both sides (the cache's advantage here is the decode, not the
 * disk). A benchmark, not a test: it asserts nothing about time (STYLE.md
 * rule 10).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cache/cache.h"
#include "query/query.h"

#define AEK_MMK 11
#define AEK_CMK 22

typedef struct bench {
    char dir[128], cache_dir[200];
    sl_key_t *infra;
    sl_keyring_t *kr;
    sl_catalog_t *cat;
    sl_store_t *store;
    sl_cache_t *cache;
    sl_guid_t ws;
    int done;
} bench_t;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const sl_diag_t *d)
{
    fprintf(stderr, "bench_cache_scan: %s: %s\n", what, d ? d->msg : "failed");
    exit(1);
}

static uint64_t rng = 0x2545f4914f6cdd1du;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* One block's worth of syslog-like rows, one second apart from t0. */
static sl_batch_t *make_batch(const sl_guid_t *ws, size_t first, size_t n, sl_ticks_t t0)
{
    static const char *hosts[] = { "web-01", "web-02", "db-01", "cache-01", "api-01",
                                   "api-02", "batch-01", "edge-01" };
    static const char *levels[] = { "info", "info", "info", "warning", "error", "debug" };
    static const char *verbs[] = { "GET", "POST", "PUT", "DELETE" };
    sl_batch_t *b = sl_batch_create(ws, "Syslog_CL", SL_SCOPE_CMK);
    sl_colset_t *r = &b->rows;
    int tg = sl_colset_add(r, "TimeGenerated", SL_TYPE_DATETIME);
    int host = sl_colset_add(r, "Computer", SL_TYPE_STRING);
    int lvl = sl_colset_add(r, "SeverityLevel", SL_TYPE_STRING);
    int msg = sl_colset_add(r, "SyslogMessage", SL_TYPE_STRING);
    int pid = sl_colset_add(r, "ProcessId", SL_TYPE_INT);
    int seq = sl_colset_add(r, "Seq", SL_TYPE_LONG);
    int dur = sl_colset_add(r, "DurationMs", SL_TYPE_REAL);
    int st = sl_colset_add(r, "Status", SL_TYPE_INT);
    for (size_t i = 0; i < n; i++) {
        uint64_t x = next();
        char s[256];
        sl_col_push_i64(&r->cols[tg], t0 + (sl_ticks_t)i * SL_TICKS_PER_SEC / 10);
        const char *h = hosts[x % 8];
        sl_col_push_text(&r->cols[host], h, strlen(h));
        const char *l = levels[(x >> 3) % 6];
        sl_col_push_text(&r->cols[lvl], l, strlen(l));
        int status = (x >> 8) % 10 == 0 ? 500 : (x >> 8) % 10 == 1 ? 404 : 200;
        int k = snprintf(s, sizeof s,
                         "%s /api/v2/orders/%llu?user=%llx from 10.%u.%u.%u status %d in %u ms "
                         "trace=%016llx",
                         verbs[(x >> 12) % 4], (unsigned long long)((x >> 16) % 100000),
                         (unsigned long long)((x >> 20) & 0xffffff), (unsigned)((x >> 24) & 255),
                         (unsigned)((x >> 32) & 255), (unsigned)((x >> 40) & 255), status,
                         (unsigned)((x >> 48) % 900), (unsigned long long)next());
        sl_col_push_text(&r->cols[msg], s, (size_t)k);
        sl_col_push_i64(&r->cols[pid], 1000 + (int64_t)((x >> 5) % 64));
        sl_col_push_i64(&r->cols[seq], (int64_t)(first + i));
        sl_col_push_f64(&r->cols[dur], (double)((x >> 48) % 900) + 0.25);
        sl_col_push_i64(&r->cols[st], status);
        sl_colset_end_row(r);
    }
    b->raw_bytes = n * 220;
    return b;
}

static void on_done(void *arg, void *user, int status, uint64_t lsn)
{
    (void)user;
    (void)lsn;
    if (status) {
        die("submit completion", NULL);
    }
    ((bench_t *)arg)->done++;
}

static void setup(bench_t *e)
{
    snprintf(e->dir, sizeof e->dir, "/tmp/sealog-bench-cache-XXXXXX");
    if (!mkdtemp(e->dir)) {
        die("mkdtemp", NULL);
    }
    snprintf(e->cache_dir, sizeof e->cache_dir, "%s/cache", e->dir);
    if (sl_key_create_random(&e->infra)) {
        die("infra key", NULL);
    }
    e->kr = sl_keyring_create(e->infra, true);
    uint8_t a[32];
    memset(a, 0x5a, 32);
    sl_keyring_put(e->kr, SL_SCOPE_MMK, AEK_MMK, 1, a);
    memset(a, 0xc3, 32);
    sl_keyring_put(e->kr, SL_SCOPE_CMK, AEK_CMK, 1, a);
    char p[200];
    snprintf(p, sizeof p, "%s/catalog", e->dir);
    sl_diag_t d;
    if (sl_catalog_open(p, &e->cat, &d)) {
        die("catalog", &d);
    }
    memset(e->ws.b, 0x42, 16);
    sl_ws_rec_t w = { .id = e->ws, .retention_days = 30, .created = sl_time_now() };
    snprintf(w.name, sizeof w.name, "ws-bench");
    if (sl_catalog_ws_create(e->cat, &w, &d)) {
        die("workspace", &d);
    }
    sl_cache_opts_t co = { .path = e->cache_dir, .max_bytes = (uint64_t)16 << 30,
                           .hot_days = 14, .keyring = e->kr,
                           .queue_max_bytes = (uint64_t)256 << 20 };
    if (sl_cache_open(&co, &e->cache, &d)) {
        die("cache open", &d);
    }
    sl_store_opts_t so = { 0 };
    so.data_dir = e->dir;
    so.keyring = e->kr;
    so.catalog = e->cat;
    so.flush_interval_ms = 60000;
    so.block_max_rows = 65536;
    so.block_max_bytes = (uint64_t)64 << 20;
    so.on_block = sl_cache_on_block_written;
    so.on_block_arg = e->cache;
    if (sl_store_open(&so, &e->store, &d)) {
        die("store open", &d);
    }
}

static void teardown(bench_t *e)
{
    sl_store_close(e->store);
    sl_cache_close(e->cache);
    sl_catalog_close(e->cat);
    sl_keyring_destroy(e->kr);
    sl_key_destroy(e->infra);
    sl_rmtree(e->dir);
}

static void write_block(bench_t *e, size_t first, size_t rows, sl_ticks_t t0)
{
    sl_diag_t d;
    int want = e->done + 1;
    if (sl_store_submit(e->store, make_batch(&e->ws, first, rows, t0), NULL, &d)) {
        die("submit", &d);
    }
    while (e->done < want) {
        sl_store_completions(e->store, on_done, e);
        usleep(200);
    }
    sl_store_flush(e->store);
    sl_cache_flush(e->cache);
}

static sl_snap_t *snap(bench_t *e)
{
    sl_snap_table_t t = { e->ws, "Syslog_CL" };
    sl_snap_t *sn;
    sl_diag_t d;
    if (sl_store_snap_open(e->store, &t, 1, INT64_MIN, INT64_MAX, &sn, &d)) {
        die("snapshot", &d);
    }
    return sn;
}

/* Reads every column of every block once; returns seconds, adds the
 * decoded bytes and rows. */
static double scan_blocks(bench_t *e, bool cached, uint64_t *bytes, uint64_t *rows,
                          uint64_t *hits)
{
    sl_snap_t *sn = snap(e);
    sl_snap_reader_t *rd = sl_store_snap_reader_new();
    double t0 = now_s();
    for (size_t i = 0; i < sl_store_snap_count(sn); i++) {
        sl_colset_t out;
        sl_colset_init(&out);
        sl_diag_t d;
        int rc;
        if (cached) {
            sl_cache_read_stats_t st;
            rc = sl_cache_read(e->cache, sn, i, NULL, 0, rd, &out, &st, &d);
            *hits += st.hit;
        } else {
            rc = sl_store_snap_read(sn, i, NULL, 0, rd, &out, NULL, &d);
        }
        if (rc) {
            die("block read", &d);
        }
        *bytes += sl_colset_bytes(&out);
        *rows += out.nrows;
        sl_colset_dispose(&out);
    }
    double t = now_s() - t0;
    sl_store_snap_reader_free(rd);
    sl_store_snap_close(sn);
    return t;
}

/* Runs one query; returns seconds and its first cell as text in `first`. */
static double run_query(bench_t *e, const char *kql, bool cached, char *first, size_t cap,
                        uint64_t *blocks)
{
    sl_query_env_t env = { .store = e->store, .cache = cached ? e->cache : NULL };
    sl_query_req_t req = { .text = kql, .len = strlen(kql), .ws = &e->ws, .nws = 1,
                           .now = sl_time_now() };
    sl_query_result_t res;
    sl_diag_t d;
    double t0 = now_s();
    if (sl_query_run(&env, &req, &res, &d)) {
        die(kql, &d);
    }
    double t = now_s() - t0;
    first[0] = 0;
    if (res.ntables && res.tables[0].rows.nrows && res.tables[0].rows.ncols) {
        const sl_col_t *c = &res.tables[0].rows.cols[res.tables[0].rows.ncols - 1];
        snprintf(first, cap, "%lld rows, last column %lld", (long long)res.tables[0].rows.nrows,
                 (long long)sl_col_i64(c, 0));
    }
    *blocks = res.stats.blocks_read;
    sl_query_result_dispose(&res);
    return t;
}

int main(int argc, char **argv)
{
    size_t nblocks = argc > 1 ? strtoul(argv[1], NULL, 10) : 32;
    size_t rows = argc > 2 ? strtoul(argv[2], NULL, 10) : 65536;
    int repeats = argc > 3 ? atoi(argv[3]) : 3;
    if (!nblocks || !rows || repeats < 1) {
        fprintf(stderr, "usage: bench_cache_scan [blocks [rows-per-block [repeats]]]\n");
        return 2;
    }
    bench_t e = { 0 };
    setup(&e);
    sl_ticks_t now = sl_time_now();
    /* Recent data: the blocks span the last ~20 hours, oldest first. */
    sl_ticks_t span = (sl_ticks_t)rows * SL_TICKS_PER_SEC / 10;
    sl_ticks_t start = now - 20 * SL_TICKS_PER_HOUR;
    double tw = now_s();
    for (size_t b = 0; b < nblocks; b++) {
        write_block(&e, b * rows, rows, start + (sl_ticks_t)b * span);
    }
    tw = now_s() - tw;
    sl_cache_stats_t cs;
    sl_cache_stats(e.cache, &cs);
    printf("data: %zu blocks x %zu rows written in %.2f s; cache holds %llu blocks, %.1f MB\n",
           nblocks, rows, tw, (unsigned long long)cs.blocks, (double)cs.bytes / 1e6);
    if (cs.blocks < nblocks) {
        fprintf(stderr, "bench_cache_scan: the cache dropped blocks (queue full?)\n");
    }

    /* 1. Block reads. */
    double best_s = 1e9, best_c = 1e9;
    uint64_t bytes = 0, nrows = 0, hits = 0;
    for (int r = 0; r < repeats; r++) {
        uint64_t b = 0, n = 0, h = 0;
        double ts = scan_blocks(&e, false, &b, &n, &h);
        bytes = b;
        nrows = n;
        b = n = 0;
        double tc = scan_blocks(&e, true, &b, &n, &h);
        hits = h;
        best_s = ts < best_s ? ts : best_s;
        best_c = tc < best_c ? tc : best_c;
    }
    printf("\nblock reads, all 8 columns, best of %d (%.1f MB decoded, %llu rows):\n", repeats,
           (double)bytes / 1e6, (unsigned long long)nrows);
    printf("  %-8s %8.3f s %9.1f MB/s %8.2f Mrows/s\n", "storage", best_s,
           (double)bytes / 1e6 / best_s, (double)nrows / 1e6 / best_s);
    printf("  %-8s %8.3f s %9.1f MB/s %8.2f Mrows/s   (%llu hits of %zu)  x%.2f\n", "cache",
           best_c, (double)bytes / 1e6 / best_c, (double)nrows / 1e6 / best_c,
           (unsigned long long)hits, nblocks, best_s / best_c);

    /* 2. Queries (one thread). */
    static const char *queries[] = {
        "Syslog_CL | where TimeGenerated > ago(1d) | count",
        "Syslog_CL | where TimeGenerated > ago(1d) | where Status == 500 "
        "| summarize n = count() by Computer | order by Computer asc",
        "Syslog_CL | where TimeGenerated > ago(1d) | where SyslogMessage contains \"orders/4242\" "
        "| summarize n = count()",
        "Syslog_CL | where TimeGenerated > ago(1d) "
        "| summarize p = sum(DurationMs), n = count() by SeverityLevel | order by n desc",
    };
    printf("\nqueries, one thread, best of %d:\n", repeats);
    for (size_t q = 0; q < sizeof queries / sizeof queries[0]; q++) {
        double qs = 1e9, qc = 1e9;
        char as[96], ac[96];
        uint64_t bs = 0, bc = 0;
        for (int r = 0; r < repeats; r++) {
            double t = run_query(&e, queries[q], false, as, sizeof as, &bs);
            qs = t < qs ? t : qs;
            t = run_query(&e, queries[q], true, ac, sizeof ac, &bc);
            qc = t < qc ? t : qc;
        }
        printf("  %s\n    storage %.3f s, cache %.3f s  x%.2f  (%llu blocks; %s)%s\n",
               queries[q], qs, qc, qs / qc, (unsigned long long)bs, as,
               strcmp(as, ac) ? "  RESULTS DIFFER" : "");
        if (strcmp(as, ac)) {
            fprintf(stderr, "bench_cache_scan: cache and storage disagree: %s / %s\n", as, ac);
            teardown(&e);
            return 1;
        }
    }

    /* 3. Revocation and recovery. */
    sl_cache_wipe_stats_t ws;
    sl_diag_t d;
    if (sl_cache_wipe_scope(e.cache, SL_SCOPE_CMK, &ws, &d)) {
        die("wipe", &d);
    }
    printf("\nwipe of the CMK scope: %llu blocks, %.1f MB in %.3f ms (wait %.3f, key %.3f, "
           "drop %.3f ms)\n",
           (unsigned long long)ws.blocks, (double)ws.bytes / 1e6, (double)ws.ns_total / 1e6,
           (double)ws.ns_wait / 1e6, (double)ws.ns_key / 1e6, (double)ws.ns_drop / 1e6);
    sl_cache_reload_opts_t ro = { .store = e.store, .catalog = e.cat, .scope = SL_SCOPE_CMK };
    sl_cache_reload_stats_t rs;
    if (sl_cache_reload(e.cache, &ro, &rs, &d)) {
        die("reload", &d);
    }
    sl_cache_flush(e.cache);
    printf("reload (one thread): %llu blocks, %.1f MB read, %.1f MB written, in %.2f s: "
           "%.1f blocks/s, %.1f MB/s%s\n",
           (unsigned long long)rs.blocks_done, (double)rs.bytes_read / 1e6,
           (double)rs.bytes_written / 1e6, rs.seconds, rs.blocks_per_sec, rs.mb_per_sec,
           rs.full ? " (cache full)" : "");
    teardown(&e);
    return 0;
}
