#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/store_int.h"

static char dir[128];
static sl_key_t *infra;
static sl_keyring_t *kr;
static sl_catalog_t *cat;
static sl_guid_t ws;

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/sealog-store-XXXXXX");
    cr_assert(mkdtemp(dir));
    sl_key_create_random(&infra);
    kr = sl_keyring_create(infra, true);
    uint8_t aek[32];
    memset(aek, 7, 32);
    sl_keyring_put(kr, SL_SCOPE_MMK, 99, 1, aek);
    char p[200];
    snprintf(p, sizeof p, "%s/catalog", dir);
    sl_diag_t d;
    cr_assert_eq(sl_catalog_open(p, &cat, &d), 0);
    memset(ws.b, 0x42, 16);
}

static void teardown(void)
{
    sl_catalog_close(cat);
    sl_keyring_destroy(kr);
    sl_key_destroy(infra);
    sl_rmtree(dir);
}

TestSuite(store_store, .init = setup, .fini = teardown, .timeout = 60);

static sl_store_t *open_store(int64_t flush_ms)
{
    sl_store_opts_t o = { 0 };
    o.data_dir = dir;
    o.keyring = kr;
    o.catalog = cat;
    o.flush_interval_ms = flush_ms;
    o.block_max_rows = 1000;
    sl_store_t *s;
    sl_diag_t d;
    cr_assert_eq(sl_store_open(&o, &s, &d), 0, "%s", d.msg);
    return s;
}

/* A batch of n rows; row i has Seq = base + i, spread over two days. */
static sl_batch_t *batch(int64_t base, size_t n)
{
    sl_batch_t *b = sl_batch_create(&ws, "Events_CL", SL_SCOPE_MMK);
    int tg = sl_colset_add(&b->rows, "TimeGenerated", SL_TYPE_DATETIME);
    int seq = sl_colset_add(&b->rows, "Seq", SL_TYPE_LONG);
    int msg = sl_colset_add(&b->rows, "Message", SL_TYPE_STRING);
    for (size_t i = 0; i < n; i++) {
        int64_t v = base + (int64_t)i;
        sl_col_push_i64(&b->rows.cols[tg], 1718000000LL * SL_TICKS_PER_SEC +
                                               (v % 2) * SL_TICKS_PER_DAY + v * SL_TICKS_PER_SEC);
        sl_col_push_i64(&b->rows.cols[seq], v);
        char m[64];
        snprintf(m, sizeof m, "event number %lld", (long long)v);
        sl_col_push_text(&b->rows.cols[msg], m, strlen(m));
        sl_colset_end_row(&b->rows);
    }
    b->raw_bytes = n * 50;
    return b;
}

static int ndone, nfail;
static void on_done(void *arg, void *user, int status, uint64_t lsn)
{
    (void)arg;
    (void)user;
    (void)lsn;
    ndone++;
    nfail += status != 0;
}

static void wait_done(sl_store_t *s, int want)
{
    for (int i = 0; i < 2000 && ndone < want; i++) {
        sl_store_completions(s, on_done, NULL);
        usleep(1000);
    }
    cr_assert_eq(ndone, want);
    cr_assert_eq(nfail, 0);
}

typedef struct seen {
    uint8_t *count; /* per Seq */
    size_t max, rows;
} seen_t;

static int on_block(void *arg, const sl_scan_block_t *blk, sl_colset_t *rows)
{
    seen_t *s = arg;
    (void)blk;
    int seq = sl_colset_find(rows, "Seq");
    cr_assert(seq >= 0);
    for (size_t i = 0; i < rows->nrows; i++) {
        int64_t v = sl_col_i64(&rows->cols[seq], i);
        cr_assert(v >= 0 && (size_t)v < s->max);
        s->count[v]++;
        s->rows++;
    }
    return 0;
}

static void expect_exactly_once(sl_store_t *s, size_t max)
{
    seen_t seen = { sl_xcalloc(max, 1), max, 0 };
    sl_scan_spec_t spec = { .ws = ws, .table = "Events_CL", .t0 = INT64_MIN, .t1 = INT64_MAX };
    sl_diag_t d;
    cr_assert_eq(sl_store_scan(s, &spec, on_block, &seen, NULL, &d), 0, "%s", d.msg);
    for (size_t i = 0; i < max; i++)
        cr_assert_eq(seen.count[i], 1, "Seq %zu seen %d times", i, seen.count[i]);
    cr_expect_eq(seen.rows, max);
    sl_free(seen.count);
}

Test(store_store, batches_become_blocks_exactly_once)
{
    sl_store_t *s = open_store(50);
    sl_diag_t d;
    ndone = nfail = 0;
    for (int i = 0; i < 30; i++)
        cr_assert_eq(sl_store_submit(s, batch(i * 250, 250), NULL, &d), 0, "%s", d.msg);
    wait_done(s, 30);
    sl_store_flush(s);
    expect_exactly_once(s, 7500);
    sl_store_stats_t st;
    sl_store_stats(s, &st);
    cr_expect_eq(st.rows, 7500);
    cr_expect(st.blocks >= 2, "two days, two segments at least");
    cr_expect(st.wal_groups >= 1 && st.wal_groups <= 30);
    sl_table_def_t def;
    cr_assert_eq(sl_store_table_get(s, &ws, "Events_CL", &def), 0);
    cr_expect_eq(def.ncols, 3);
    sl_table_def_dispose(&def);
    sl_store_close(s);
    /* Reopened: same rows, once. */
    s = open_store(50);
    expect_exactly_once(s, 7500);
    sl_store_close(s);
}

Test(store_store, rows_waiting_for_the_block_builders_count_against_the_queue_bound)
{
    sl_store_opts_t o = { 0 };
    o.data_dir = dir;
    o.keyring = kr;
    o.catalog = cat;
    o.flush_interval_ms = 50;
    o.block_max_rows = 1000;
    o.queue_max_bytes = 64u << 10;
    sl_store_t *s;
    sl_diag_t d;
    cr_assert_eq(sl_store_open(&o, &s, &d), 0, "%s", d.msg);
    ndone = nfail = 0;
    /* The block builders stall (they need the visibility lock); the WAL
     * goes on acknowledging until the bound is reached. */
    pthread_rwlock_wrlock(&s->vis);
    int accepted = 0, rc = 0;
    for (int i = 0; i < 1000 && rc == 0; i++) {
        rc = sl_store_submit(s, batch(i * 100, 100), NULL, &d);
        if (rc == 0)
            wait_done(s, ++accepted);
    }
    cr_expect_eq(rc, SL_EBUSY, "the bound holds while blocks are not built");
    sl_store_stats_t st;
    sl_store_stats(s, &st);
    cr_expect_eq(st.queue_bytes, 0, "everything acknowledged is in the WAL");
    cr_expect(st.backlog_bytes > 0 && st.backlog_bytes <= o.queue_max_bytes, "backlog %llu",
              (unsigned long long)st.backlog_bytes);
    cr_expect_geq(accepted, 2);
    /* Building resumes: the backlog drains and ingestion is accepted again. */
    pthread_rwlock_unlock(&s->vis);
    sl_store_flush(s);
    sl_store_stats(s, &st);
    cr_expect_eq(st.backlog_bytes, 0);
    cr_assert_eq(sl_store_submit(s, batch(accepted * 100, 100), NULL, &d), 0, "%s", d.msg);
    wait_done(s, accepted + 1);
    sl_store_flush(s);
    expect_exactly_once(s, (size_t)(accepted + 1) * 100);
    sl_store_close(s);
}

Test(store_store, replay_after_a_crash_is_exact)
{
    /* The child acknowledges batches (WAL fsynced) and dies before any block
     * is written; the parent reopens and must find every row once. */
    pid_t pid = fork();
    if (pid == 0) {
        sl_store_t *s = open_store(3600 * 1000);
        sl_diag_t d;
        for (int i = 0; i < 10; i++)
            if (sl_store_submit(s, batch(i * 100, 100), NULL, &d))
                _exit(3);
        ndone = nfail = 0;
        for (int i = 0; i < 5000 && ndone < 10; i++) {
            sl_store_completions(s, on_done, NULL);
            usleep(1000);
        }
        _exit(ndone == 10 && nfail == 0 ? 0 : 4);
    }
    int st;
    waitpid(pid, &st, 0);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    sl_store_t *s = open_store(50);
    expect_exactly_once(s, 1000);
    /* And again: replay must not duplicate what the first replay wrote. */
    sl_store_close(s);
    s = open_store(50);
    expect_exactly_once(s, 1000);
    sl_store_close(s);
}

Test(store_store, refuses_batches_without_key_or_with_conflicting_types)
{
    sl_store_t *s = open_store(50);
    sl_diag_t d;
    sl_batch_t *b = batch(0, 10);
    b->scope = SL_SCOPE_CMK;
    cr_expect_eq(sl_store_submit(s, b, NULL, &d), SL_EKEYUNAVAIL);
    cr_assert_eq(sl_store_submit(s, batch(0, 10), NULL, &d), 0);
    sl_batch_t *c = sl_batch_create(&ws, "Events_CL", SL_SCOPE_MMK);
    int tg = sl_colset_add(&c->rows, "TimeGenerated", SL_TYPE_DATETIME);
    int seq = sl_colset_add(&c->rows, "Seq", SL_TYPE_STRING);
    sl_col_push_i64(&c->rows.cols[tg], 0);
    sl_col_push_text(&c->rows.cols[seq], "x", 1);
    sl_colset_end_row(&c->rows);
    cr_expect_eq(sl_store_submit(s, c, NULL, &d), SL_EINVAL);
    cr_expect(strstr(d.msg, "Seq"), "%s", d.msg);
    sl_store_close(s);
}

Test(store_store, tampered_wal_record_stops_the_open)
{
    pid_t pid = fork();
    if (pid == 0) {
        sl_store_t *s = open_store(3600 * 1000);
        sl_diag_t d;
        sl_store_submit(s, batch(0, 100), NULL, &d);
        ndone = 0;
        for (int i = 0; i < 5000 && ndone < 1; i++) {
            sl_store_completions(s, on_done, NULL);
            usleep(1000);
        }
        _exit(ndone == 1 ? 0 : 4);
    }
    int st;
    waitpid(pid, &st, 0);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    char path[256];
    snprintf(path, sizeof path, "%s/wal/0000000000000001.wal", dir);
    FILE *f = fopen(path, "r+b");
    cr_assert(f);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    /* Flip one byte in the middle of the record's sealed payload. */
    fseek(f, size - 100, SEEK_SET);
    int c = fgetc(f);
    fseek(f, size - 100, SEEK_SET);
    fputc(c ^ 0x04, f);
    fclose(f);
    sl_store_opts_t o = { .data_dir = dir, .keyring = kr, .catalog = cat };
    sl_store_t *s;
    sl_diag_t d;
    cr_expect_eq(sl_store_open(&o, &s, &d), SL_EINTEGRITY);
    cr_expect(strstr(d.msg, "integrity"), "%s", d.msg);
}
