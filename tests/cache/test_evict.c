/* The byte bound: eviction order, reloads into a small cache, retention. */
#include "cache_test.h"

static ct_env_t e;

static void setup(void)
{
    ct_setup(&e, 256u << 20);
}

static void teardown(void)
{
    ct_teardown(&e);
}

TestSuite(cache_evict, .init = setup, .fini = teardown);

#define ROWS 2000
static sl_ticks_t base_recent, base_old;

/* Block k: ROWS rows from Seq k * ROWS, k minutes after the base: recent
 * ones yesterday, old ones outside the 14-day window. */
static sl_ticks_t block_t0(int k, bool old)
{
    return (old ? base_old : base_recent) + (sl_ticks_t)k * SL_TICKS_PER_MIN;
}

static void write_k(int k, bool old, sl_scope_t scope)
{
    ct_write_block(&e, scope, (size_t)k * ROWS, ROWS, block_t0(k, old));
}

static sl_ticks_t tmin_of(int k, bool old)
{
    return block_t0(k, old);
}

/* The id of block k, from a fresh snapshot. */
static uint64_t id_of(int k, bool old)
{
    sl_snap_t *sn = ct_snap(&e);
    uint64_t id = 0;
    for (size_t i = 0; i < sl_store_snap_count(sn); i++) {
        if (sl_store_snap_block(sn, i)->tmin == tmin_of(k, old)) {
            id = sl_store_snap_block(sn, i)->block_id;
        }
    }
    sl_store_snap_close(sn);
    cr_assert_neq(id, 0, "block %d", k);
    return id;
}

static bool cached(uint64_t id)
{
    pthread_mutex_lock(&e.cache->mu);
    bool in = sl_cache__idx_get(&e.cache->idx, id) != NULL;
    pthread_mutex_unlock(&e.cache->mu);
    return in;
}

/* Reads block `id` through the cache (a use, for the LRU order). */
static void touch(uint64_t id)
{
    sl_snap_t *sn = ct_snap(&e);
    long i = ct_find(sn, id);
    cr_assert(i >= 0);
    sl_colset_t a;
    cr_expect(ct_read(&e, sn, (size_t)i, NULL, 0, &a));
    sl_colset_dispose(&a);
    sl_store_snap_close(sn);
}

static void expect_within_bound(void)
{
    sl_cache_stats_t st;
    sl_cache_stats(e.cache, &st);
    cr_expect_leq(st.bytes, st.max_bytes, "%llu bytes over a bound of %llu",
                  (unsigned long long)st.bytes, (unsigned long long)st.max_bytes);
}

/* Reopens the cache with room for `blocks` blocks of the size of the one
 * already cached. */
static uint64_t shrink_to(double blocks)
{
    sl_cache_stats_t st;
    sl_cache_stats(e.cache, &st);
    cr_assert_eq(st.blocks, 1);
    uint64_t one = st.bytes;
    e.max_bytes = (uint64_t)((double)one * blocks);
    ct_restart(&e);
    return one;
}

Test(cache_evict, blocks_outside_the_window_go_first_then_the_least_recently_used)
{
    base_recent = ct_day(1);
    base_old = ct_day(30);
    write_k(0, true, SL_SCOPE_MMK); /* O0 */
    shrink_to(4.5);
    write_k(1, true, SL_SCOPE_MMK); /* O1 */
    write_k(2, false, SL_SCOPE_MMK); /* R2 */
    write_k(3, false, SL_SCOPE_CMK); /* R3 (the bound is shared by the scopes) */
    uint64_t o0 = id_of(0, true), o1 = id_of(1, true), r2 = id_of(2, false),
             r3 = id_of(3, false);
    cr_expect(cached(o0) && cached(o1) && cached(r2) && cached(r3));
    expect_within_bound();
    /* The old blocks are the most recently used, and still go first. */
    touch(o0);
    touch(o1);
    write_k(4, false, SL_SCOPE_MMK);
    expect_within_bound();
    cr_expect_not(cached(o0), "O0 evicted first: outside the window, least recently used");
    cr_expect(cached(o1));
    write_k(5, false, SL_SCOPE_CMK);
    expect_within_bound();
    cr_expect_not(cached(o1), "then O1");
    cr_expect(cached(r2) && cached(r3));
    /* Inside the window: least recently used first. R2 is used now. */
    uint64_t r4 = id_of(4, false), r5 = id_of(5, false);
    touch(r2);
    write_k(6, false, SL_SCOPE_MMK);
    expect_within_bound();
    cr_expect_not(cached(r3), "R3 is the least recently used");
    cr_expect(cached(r2), "R2 was just read");
    write_k(7, false, SL_SCOPE_MMK);
    expect_within_bound();
    cr_expect_not(cached(r4));
    cr_expect(cached(r2) && cached(r5) && cached(id_of(6, false)) && cached(id_of(7, false)));
    sl_cache_stats_t st;
    sl_cache_stats(e.cache, &st);
    cr_expect_eq(st.evictions, 4);
    cr_expect_eq(st.blocks, 4);
}

Test(cache_evict, access_order_survives_a_restart)
{
    base_recent = ct_day(1);
    write_k(0, false, SL_SCOPE_MMK);
    shrink_to(3.5);
    write_k(1, false, SL_SCOPE_MMK);
    write_k(2, false, SL_SCOPE_MMK);
    uint64_t r0 = id_of(0, false), r1 = id_of(1, false);
    touch(r0);
    /* Access times are written by the cache thread; closing writes them. */
    ct_restart(&e);
    write_k(3, false, SL_SCOPE_MMK);
    cr_expect(cached(r0), "R0 was used after R1 was written");
    cr_expect_not(cached(r1));
}

Test(cache_evict, a_reload_into_a_smaller_cache_keeps_the_newest_and_stops_full)
{
    base_recent = ct_day(1);
    write_k(0, false, SL_SCOPE_CMK);
    shrink_to(3.5);
    for (int k = 1; k < 6; k++) {
        write_k(k, false, SL_SCOPE_CMK);
        expect_within_bound();
    }
    sl_cache_wipe_scope(e.cache, SL_SCOPE_CMK, NULL, NULL);
    sl_cache_reload_opts_t o = { .store = e.store, .catalog = e.cat, .scope = SL_SCOPE_CMK };
    sl_cache_reload_stats_t rs;
    sl_diag_t d;
    cr_assert_eq(sl_cache_reload(e.cache, &o, &rs, &d), 0, "%s", d.msg);
    cr_expect(rs.full);
    cr_expect_eq(rs.blocks_total, 6);
    cr_expect_eq(rs.blocks_done, 3);
    expect_within_bound();
    for (int k = 0; k < 6; k++) {
        cr_expect_eq(cached(id_of(k, false)), k >= 3, "block %d", k);
    }
    sl_cache_stats_t st;
    sl_cache_stats(e.cache, &st);
    cr_expect_eq(st.evictions, 3, "only the evictions before the wipe, none by the reload");
}

Test(cache_evict, retention_drops_expired_blocks_from_the_cache)
{
    base_recent = ct_day(1);
    base_old = ct_day(10);
    write_k(0, true, SL_SCOPE_MMK);
    write_k(1, true, SL_SCOPE_CMK);
    write_k(2, false, SL_SCOPE_MMK);
    uint64_t r2 = id_of(2, false);
    sl_retention_rule_t rule = { e.ws, sl_time_now() - 5 * SL_TICKS_PER_DAY };
    sl_retention_rule_t other = { { { 9 } }, INT64_MAX }; /* another workspace */
    uint64_t dropped;
    sl_diag_t d;
    cr_assert_eq(sl_cache_purge(e.cache, &other, 1, &dropped, &d), 0, "%s", d.msg);
    cr_expect_eq(dropped, 0);
    cr_assert_eq(sl_cache_purge(e.cache, &rule, 1, &dropped, &d), 0, "%s", d.msg);
    cr_expect_eq(dropped, 2);
    sl_cache_stats_t st;
    sl_cache_stats(e.cache, &st);
    cr_expect_eq(st.blocks, 1);
    cr_expect(cached(r2));
    cr_expect_eq(st.evictions, 0);
}
