/* Filling and reading the cache, restarts, and caches that cannot be trusted. */
#include "cache_test.h"

#include <string.h>

static ct_env_t e;

static void setup(void)
{
    ct_setup(&e, 256u << 20);
}

static void teardown(void)
{
    ct_teardown(&e);
}

TestSuite(cache_cache, .init = setup, .fini = teardown);

#define NOW_T0 ct_day(1)

Test(cache_cache, new_blocks_are_served_from_the_cache_with_every_column_type)
{
    ct_write_block(&e, SL_SCOPE_MMK, 0, 3000, NOW_T0);
    ct_write_block(&e, SL_SCOPE_CMK, 3000, 2000, NOW_T0);
    sl_cache_stats_t st;
    sl_cache_stats(e.cache, &st);
    cr_expect_eq(st.puts, 2);
    cr_expect_eq(st.scope_blocks[SL_SCOPE_MMK], 1);
    cr_expect_eq(st.scope_blocks[SL_SCOPE_CMK], 1);
    sl_snap_t *sn = ct_snap(&e);
    cr_assert_eq(sl_store_snap_count(sn), 2);
    for (size_t i = 0; i < 2; i++) {
        sl_colset_t a, b;
        cr_expect(ct_read(&e, sn, i, NULL, 0, &a), "block %zu is a hit", i);
        ct_read_store(sn, i, NULL, 0, &b);
        cr_expect_eq(a.ncols, 11);
        ct_expect_same(&a, &b);
        sl_colset_dispose(&a);
        sl_colset_dispose(&b);
        /* Some columns, one of them unknown to the block. */
        const char *cols[] = { "Seq", "Props", "NoSuchColumn", "Ok" };
        cr_expect(ct_read(&e, sn, i, cols, 4, &a));
        ct_read_store(sn, i, cols, 4, &b);
        cr_expect_eq(a.ncols, 3);
        ct_expect_same(&a, &b);
        sl_colset_dispose(&a);
        sl_colset_dispose(&b);
    }
    sl_store_snap_close(sn);
    sl_cache_stats(e.cache, &st);
    cr_expect_eq(st.hits, 4);
    cr_expect_eq(st.misses, 0);
    cr_expect_gt(st.hit_bytes, 0);
}

Test(cache_cache, a_block_read_from_the_store_is_admitted_and_then_hits)
{
    /* Blocks written before the cache knew of them (its queue was full). */
    ct_write_block(&e, SL_SCOPE_MMK, 0, 2000, NOW_T0);
    sl_snap_t *sn = ct_snap(&e);
    uint64_t id = sl_store_snap_block(sn, 0)->block_id;
    uint64_t gone = id;
    sl_cache_purge(e.cache, &(sl_retention_rule_t){ e.ws, INT64_MAX }, 1, NULL, NULL);
    sl_cache_stats_t st;
    sl_cache_stats(e.cache, &st);
    cr_assert_eq(st.blocks, 0, "the purge dropped block %llx", (unsigned long long)gone);

    const char *cols[] = { "Msg", "Seq", "Nope" };
    sl_colset_t a, b;
    cr_expect_not(ct_read(&e, sn, 0, cols, 3, &a), "first read: a miss");
    sl_colset_dispose(&a);
    sl_cache_flush(e.cache);
    cr_expect(ct_read(&e, sn, 0, cols, 3, &a), "second read: a hit");
    ct_read_store(sn, 0, cols, 3, &b);
    ct_expect_same(&a, &b);
    sl_colset_dispose(&a);
    sl_colset_dispose(&b);
    /* A column not admitted yet is a miss, then it is added to the entry. */
    const char *more[] = { "Seq", "Ratio" };
    cr_expect_not(ct_read(&e, sn, 0, more, 2, &a));
    sl_colset_dispose(&a);
    sl_cache_flush(e.cache);
    cr_expect(ct_read(&e, sn, 0, more, 2, &a));
    ct_read_store(sn, 0, more, 2, &b);
    ct_expect_same(&a, &b);
    sl_colset_dispose(&a);
    sl_colset_dispose(&b);
    /* All columns: not all are cached yet. */
    cr_expect_not(ct_read(&e, sn, 0, NULL, 0, &a));
    sl_colset_dispose(&a);
    sl_cache_flush(e.cache);
    cr_expect(ct_read(&e, sn, 0, NULL, 0, &a));
    ct_read_store(sn, 0, NULL, 0, &b);
    ct_expect_same(&a, &b);
    sl_colset_dispose(&a);
    sl_colset_dispose(&b);
    sl_store_snap_close(sn);
    sl_cache_stats(e.cache, &st);
    cr_expect_eq(st.misses, 3);
    cr_expect_eq(st.hits, 3);
    cr_expect_eq(st.admits, 3);
    cr_expect_eq(st.blocks, 1);
    (void)id;
}

/* Reads columns Msg and Seq of block i through the cache with one probe:
 * `term` (of SL_TERM_MIN_LEN+ characters) in column `col`. */
static sl_cache_read_stats_t read_probed(sl_snap_t *sn, size_t i, const char *col,
                                         const char *term, sl_colset_t *out)
{
    uint64_t h = sl_store_term_hash(term, strlen(term));
    sl_snap_probe_t probe = { col, &h, 1 };
    const char *cols[] = { "Msg", "Seq" };
    sl_snap_reader_t *rd = sl_store_snap_reader_new();
    sl_cache_read_stats_t st;
    sl_diag_t d;
    sl_colset_init(out);
    int rc = sl_cache_read_probed(e.cache, sn, i, cols, 2, &probe, 1, rd, out, &st, &d);
    sl_store_snap_reader_free(rd);
    cr_assert_eq(rc, 0, "%s", d.msg);
    return st;
}

Test(cache_cache, term_probes_skip_store_reads_and_a_skipped_block_is_not_admitted)
{
    ct_write_block(&e, SL_SCOPE_MMK, 0, 2000, NOW_T0);
    sl_snap_t *sn = ct_snap(&e);
    cr_assert_eq(sl_store_snap_count(sn), 1);
    sl_cache_purge(e.cache, &(sl_retention_rule_t){ e.ws, INT64_MAX }, 1, NULL, NULL);
    sl_cache_stats_t st;
    sl_cache_stats(e.cache, &st);
    cr_assert_eq(st.blocks, 0);

    /* Not cached: the block's term filter proves the term absent. */
    sl_colset_t a, b;
    sl_cache_read_stats_t rs = read_probed(sn, 0, "Msg", "5f0c2a7e", &a);
    cr_expect(rs.skipped, "the filter skips the block");
    cr_expect_not(rs.hit);
    cr_expect_eq(a.ncols, 0, "nothing decoded");
    sl_colset_dispose(&a);
    sl_cache_flush(e.cache);
    sl_cache_stats(e.cache, &st);
    cr_expect_eq(st.skipped, 1);
    cr_expect_eq(st.misses, 0, "a skipped block is no miss");
    cr_expect_eq(st.blocks, 0, "nor admitted");

    /* A term the block holds (row 0's Id ends in it): a miss, admitted. */
    rs = read_probed(sn, 0, "Id", "000000000000", &a);
    cr_expect_not(rs.hit);
    cr_expect_not(rs.skipped);
    cr_expect_eq(a.nrows, 2000);
    sl_colset_dispose(&a);
    sl_cache_flush(e.cache);
    sl_cache_stats(e.cache, &st);
    cr_expect_eq(st.blocks, 1, "admitted after a read that was not skipped");

    /* Cached: storage's term filter is still asked first, so the absent
     * term skips the cached block too, decoding nothing. */
    rs = read_probed(sn, 0, "Msg", "5f0c2a7e", &a);
    cr_expect(rs.skipped);
    cr_expect_not(rs.hit);
    cr_expect_eq(a.ncols, 0, "nothing decoded");
    sl_colset_dispose(&a);
    sl_cache_stats(e.cache, &st);
    cr_expect_eq(st.skipped, 2);
    /* A term the block may hold: a hit, with the same values as the store. */
    rs = read_probed(sn, 0, "Id", "000000000000", &a);
    cr_expect(rs.hit);
    cr_expect_not(rs.skipped);
    const char *cols[] = { "Msg", "Seq" };
    ct_read_store(sn, 0, cols, 2, &b);
    ct_expect_same(&a, &b);
    sl_colset_dispose(&a);
    sl_colset_dispose(&b);
    sl_store_snap_close(sn);
}

Test(cache_cache, memory_blocks_always_come_from_the_store)
{
    ct_submit(&e, ct_batch(&e.ws, SL_SCOPE_MMK, 0, 100, NOW_T0));
    sl_snap_t *sn = ct_snap(&e);
    cr_assert_eq(sl_store_snap_count(sn), 1);
    cr_assert(sl_store_snap_block(sn, 0)->memory);
    sl_colset_t a;
    cr_expect_not(ct_read(&e, sn, 0, NULL, 0, &a));
    cr_expect_eq(a.nrows, 100);
    sl_colset_dispose(&a);
    sl_store_snap_close(sn);
    sl_cache_stats_t st;
    sl_cache_stats(e.cache, &st);
    cr_expect_eq(st.misses + st.hits, 0, "not counted as a cache read");
}

Test(cache_cache, restart_keeps_the_entries_when_the_keys_are_there)
{
    ct_write_block(&e, SL_SCOPE_MMK, 0, 1000, NOW_T0);
    ct_write_block(&e, SL_SCOPE_CMK, 1000, 1000, NOW_T0);
    ct_restart(&e);
    sl_cache_stats_t st;
    sl_cache_stats(e.cache, &st);
    cr_expect_eq(st.blocks, 2);
    cr_expect_eq(st.discarded, 0);
    sl_snap_t *sn = ct_snap(&e);
    for (size_t i = 0; i < sl_store_snap_count(sn); i++) {
        sl_colset_t a, b;
        cr_expect(ct_read(&e, sn, i, NULL, 0, &a), "block %zu survives the restart", i);
        ct_read_store(sn, i, NULL, 0, &b);
        ct_expect_same(&a, &b);
        sl_colset_dispose(&a);
        sl_colset_dispose(&b);
    }
    sl_store_snap_close(sn);
}

Test(cache_cache, a_cache_whose_key_does_not_open_is_discarded)
{
    ct_write_block(&e, SL_SCOPE_MMK, 0, 1000, NOW_T0);
    ct_write_block(&e, SL_SCOPE_CMK, 1000, 1000, NOW_T0);
    sl_store_close(e.store);
    sl_cache_close(e.cache);
    /* The CMK account key under the same id now has other bytes: the sealed
     * cache key cannot be opened with it. */
    uint8_t other[32];
    memset(other, 0x99, sizeof other);
    sl_keyring_put(e.kr, SL_SCOPE_CMK, CT_AEK_CMK, 1, other);
    ct_open_cache(&e);
    sl_cache_stats_t st;
    sl_cache_stats(e.cache, &st);
    cr_expect_eq(st.scope_blocks[SL_SCOPE_CMK], 0, "the CMK entries are gone");
    cr_expect_eq(st.scope_blocks[SL_SCOPE_MMK], 1, "the MMK entries are kept");
    cr_expect_eq(st.discarded, 1);
    cr_expect(st.attached[SL_SCOPE_CMK], "a new CMK cache key was made");
    /* The old CMK environment is deleted, not kept around. */
    char trash[300];
    snprintf(trash, sizeof trash, "%s/trash", e.cache_dir);
    int files = 0;
    ct_grep_tree(trash, "x", &files);
    cr_expect_eq(files, 0);
    ct_put_keys(&e);
    ct_open_store(&e);
}

Test(cache_cache, a_cache_whose_account_key_is_unavailable_is_discarded)
{
    ct_write_block(&e, SL_SCOPE_CMK, 0, 1000, NOW_T0);
    sl_store_close(e.store);
    sl_cache_close(e.cache);
    sl_keyring_drop_scope(e.kr, SL_SCOPE_CMK);
    ct_open_cache(&e);
    sl_cache_stats_t st;
    sl_cache_stats(e.cache, &st);
    cr_expect_eq(st.scope_blocks[SL_SCOPE_CMK], 0);
    cr_expect_not(st.attached[SL_SCOPE_CMK]);
    sl_cache_close(e.cache);
    /* The key is back, but the entries are not: they were discarded. */
    ct_put_keys(&e);
    ct_open_cache(&e);
    sl_cache_stats(e.cache, &st);
    cr_expect_eq(st.scope_blocks[SL_SCOPE_CMK], 0);
    cr_expect(st.attached[SL_SCOPE_CMK]);
    ct_open_store(&e);
}

/* Restarts the cache without the CMK AEK (as the node does: the CMK key is
 * unwrapped after the store has opened), keeping detached scopes. */
static void restart_without_cmk(void)
{
    sl_store_close(e.store);
    sl_cache_close(e.cache);
    sl_keyring_drop_scope(e.kr, SL_SCOPE_CMK);
    e.keep_detached = true;
    ct_open_cache(&e);
    sl_cache_stats_t st;
    sl_cache_stats(e.cache, &st);
    cr_expect_not(st.attached[SL_SCOPE_CMK]);
    cr_expect_eq(st.scope_blocks[SL_SCOPE_CMK], 0, "not read while detached");
    cr_expect_eq(st.discarded, 0);
    cr_expect(st.attached[SL_SCOPE_MMK]);
    cr_expect_eq(st.scope_blocks[SL_SCOPE_MMK], 1);
}

Test(cache_cache, a_detached_scope_is_kept_and_attached_when_its_key_comes_back)
{
    ct_write_block(&e, SL_SCOPE_MMK, 0, 1000, NOW_T0);
    ct_write_block(&e, SL_SCOPE_CMK, 1000, 1000, NOW_T0);
    restart_without_cmk();
    bool kept = true;
    sl_diag_t d;
    cr_expect_eq(sl_cache_attach(e.cache, SL_SCOPE_CMK, &kept, &d), SL_EKEYUNAVAIL);
    cr_expect_not(kept);
    ct_put_keys(&e);
    cr_assert_eq(sl_cache_attach(e.cache, SL_SCOPE_CMK, &kept, &d), 0, "%s", d.msg);
    cr_expect(kept, "the sealed cache key opens: the entries are kept");
    sl_cache_stats_t st;
    sl_cache_stats(e.cache, &st);
    cr_expect(st.attached[SL_SCOPE_CMK]);
    cr_expect_eq(st.scope_blocks[SL_SCOPE_CMK], 1);
    ct_open_store(&e);
    sl_snap_t *sn = ct_snap(&e);
    for (size_t i = 0; i < sl_store_snap_count(sn); i++) {
        sl_colset_t a, b;
        cr_expect(ct_read(&e, sn, i, NULL, 0, &a), "block %zu is a hit", i);
        ct_read_store(sn, i, NULL, 0, &b);
        ct_expect_same(&a, &b);
        sl_colset_dispose(&a);
        sl_colset_dispose(&b);
    }
    sl_store_snap_close(sn);
}

Test(cache_cache, a_detached_scope_whose_key_does_not_open_is_discarded_at_attach)
{
    ct_write_block(&e, SL_SCOPE_MMK, 0, 1000, NOW_T0);
    ct_write_block(&e, SL_SCOPE_CMK, 1000, 1000, NOW_T0);
    restart_without_cmk();
    /* Another account key under the same id: the sealed cache key cannot
     * open, so the entries cannot be vouched for. */
    uint8_t other[32];
    memset(other, 0x77, sizeof other);
    sl_keyring_put(e.kr, SL_SCOPE_CMK, CT_AEK_CMK, 1, other);
    bool kept = true;
    sl_diag_t d;
    cr_assert_eq(sl_cache_attach(e.cache, SL_SCOPE_CMK, &kept, &d), 0, "%s", d.msg);
    cr_expect_not(kept);
    sl_cache_stats_t st;
    sl_cache_stats(e.cache, &st);
    cr_expect(st.attached[SL_SCOPE_CMK], "attached, empty, under a new cache key");
    cr_expect_eq(st.scope_blocks[SL_SCOPE_CMK], 0);
    cr_expect_eq(st.discarded, 1);
    /* The right key again, for the store's WAL. */
    sl_keyring_drop_scope(e.kr, SL_SCOPE_CMK);
    ct_put_keys(&e);
    ct_open_store(&e);
}

Test(cache_cache, a_wipe_deletes_a_detached_scope_left_on_disk)
{
    ct_write_block(&e, SL_SCOPE_MMK, 0, 1000, NOW_T0);
    ct_write_block(&e, SL_SCOPE_CMK, 1000, 1000, NOW_T0);
    restart_without_cmk();
    char p[300];
    snprintf(p, sizeof p, "%s/cmk/key", e.cache_dir);
    cr_assert_eq(access(p, F_OK), 0, "the sealed key is still there while detached");
    sl_diag_t d;
    cr_assert_eq(sl_cache_wipe_scope(e.cache, SL_SCOPE_CMK, NULL, &d), 0, "%s", d.msg);
    cr_expect_neq(access(p, F_OK), 0, "the sealed key is deleted");
    snprintf(p, sizeof p, "%s/cmk", e.cache_dir);
    cr_expect_neq(access(p, F_OK), 0, "the environment is gone");
    /* The key is back: the scope starts empty. */
    ct_put_keys(&e);
    bool kept = true;
    cr_assert_eq(sl_cache_attach(e.cache, SL_SCOPE_CMK, &kept, &d), 0, "%s", d.msg);
    cr_expect_not(kept);
    sl_cache_stats_t st;
    sl_cache_stats(e.cache, &st);
    cr_expect_eq(st.scope_blocks[SL_SCOPE_CMK], 0);
    cr_expect_eq(st.scope_blocks[SL_SCOPE_MMK], 1, "MMK entries stay");
    ct_open_store(&e);
}

Test(cache_cache, entries_left_open_by_an_earlier_boot_are_discarded)
{
    ct_write_block(&e, SL_SCOPE_MMK, 0, 1000, NOW_T0);
    sl_store_close(e.store);
    sl_cache_close(e.cache);
    /* As if the system had crashed with the environment open. */
    char p[300];
    snprintf(p, sizeof p, "%s/mmk/state", e.cache_dir);
    const char *s = "boot=00000000-0000-0000-0000-000000000000\nclean=0\n";
    cr_assert_eq(sl_write_file_atomic(p, s, strlen(s), 0600), 0);
    ct_open_cache(&e);
    sl_cache_stats_t st;
    sl_cache_stats(e.cache, &st);
    cr_expect_eq(st.scope_blocks[SL_SCOPE_MMK], 0);
    cr_expect_eq(st.discarded, 1);
    /* The right key again, for the store's WAL. */
    sl_keyring_drop_scope(e.kr, SL_SCOPE_CMK);
    ct_put_keys(&e);
    ct_open_store(&e);
}

Test(cache_cache, a_damaged_entry_is_read_from_the_store_and_replaced)
{
    ct_write_block(&e, SL_SCOPE_MMK, 0, 1000, NOW_T0);
    sl_snap_t *sn = ct_snap(&e);
    uint64_t id = sl_store_snap_block(sn, 0)->block_id;
    /* Flip a byte of the Seq column's sealed value (ordinal 3). */
    sl_cache_scope_t *sc = &e.cache->scope[SL_SCOPE_MMK];
    MDB_txn *txn;
    cr_assert_eq(mdb_txn_begin(sc->env, NULL, 0, &txn), 0);
    uint8_t ck[SL_CACHE_COL_KEY_LEN];
    sl_cache__col_key(id, 3, ck);
    MDB_val k = { sizeof ck, ck }, v;
    cr_assert_eq(mdb_get(txn, sc->cols, &k, &v), 0);
    uint8_t *copy = sl_xmalloc(v.mv_size);
    memcpy(copy, v.mv_data, v.mv_size);
    copy[v.mv_size / 2] ^= 0x20;
    MDB_val nv = { v.mv_size, copy };
    cr_assert_eq(mdb_put(txn, sc->cols, &k, &nv, 0), 0);
    cr_assert_eq(mdb_txn_commit(txn), 0);
    sl_free(copy);

    const char *cols[] = { "Seq" };
    sl_colset_t a, b;
    cr_expect_not(ct_read(&e, sn, 0, cols, 1, &a), "the damaged entry is not served");
    ct_read_store(sn, 0, cols, 1, &b);
    ct_expect_same(&a, &b);
    sl_colset_dispose(&a);
    sl_colset_dispose(&b);
    sl_cache_flush(e.cache);
    cr_expect(ct_read(&e, sn, 0, cols, 1, &a), "replaced by the admission");
    sl_colset_dispose(&a);
    sl_store_snap_close(sn);
    sl_cache_stats_t st;
    sl_cache_stats(e.cache, &st);
    cr_expect_eq(st.integrity_failures, 1);
}

Test(cache_cache, a_full_queue_drops_blocks_instead_of_waiting)
{
    sl_store_close(e.store);
    sl_cache_close(e.cache);
    sl_cache_opts_t o = { .path = e.cache_dir, .max_bytes = e.max_bytes, .keyring = e.kr,
                          .queue_max_bytes = 1 };
    sl_diag_t d;
    cr_assert_eq(sl_cache_open(&o, &e.cache, &d), 0, "%s", d.msg);
    ct_open_store(&e);
    /* Hold the MMK scope so the cache thread cannot write: the queue fills. */
    pthread_rwlock_wrlock(&e.cache->scope[SL_SCOPE_MMK].lock);
    sl_cache_block_t b = { .block_id = 1, .scope = SL_SCOPE_MMK, .tmax = sl_time_now() };
    int accepted = 0, busy = 0;
    for (int i = 0; i < 4; i++) {
        sl_batch_t *bt = ct_batch(&e.ws, SL_SCOPE_MMK, 0, 10, NOW_T0);
        b.block_id = (uint64_t)i + 1;
        int rc = sl_cache_put_block(e.cache, &b, &bt->rows);
        accepted += rc == 0;
        busy += rc == SL_EBUSY;
        /* Refused rows stay with the caller. */
        cr_expect_eq(bt->rows.nrows, rc == 0 ? 0u : 10u);
        sl_batch_destroy(bt);
    }
    pthread_rwlock_unlock(&e.cache->scope[SL_SCOPE_MMK].lock);
    cr_expect_geq(accepted, 1);
    cr_expect_geq(busy, 2);
    sl_cache_stats_t st;
    sl_cache_flush(e.cache);
    sl_cache_stats(e.cache, &st);
    cr_expect_eq(st.dropped, (uint64_t)busy);
}
