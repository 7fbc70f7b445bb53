/* Queries read through the hot cache (sl_query_env_t.cache) answer exactly
 * as queries that read the store, on misses (the blocks are admitted) and
 * on hits; term filters still prune on the store path. */
#include "exec_test.h"

static xt_env_t e;

static void setup(void)
{
    xt_open(&e, 1000);
}

static void teardown(void)
{
    sl_cache_close(e.cache);
    e.cache = NULL;
    xt_close(&e);
}

TestSuite(query_exec_cache, .init = setup, .fini = teardown);

static void open_cache(void)
{
    char p[200];
    snprintf(p, sizeof p, "%s/cache", e.dir);
    sl_cache_opts_t o = { .path = p, .max_bytes = 64u << 20, .keyring = e.kr };
    sl_diag_t d;
    cr_assert_eq(sl_cache_open(&o, &e.cache, &d), 0, "%s", d.msg);
}

static const char *const queries[] = {
    "Syslog | count",
    "Syslog | where Code == 3 | summarize n = count(), d = sum(Dur) by Computer "
    "| order by Computer asc",
    "Syslog | where SyslogMessage has 'Connection' | summarize count() by SeverityLevel",
    "Syslog | where SyslogMessage contains 'message 99' | project TimeGenerated, Ok, Code "
    "| order by TimeGenerated asc",
    "Syslog | summarize arg_max(TimeGenerated, *)",
    "Syslog | where SyslogMessage has 'zzzzzzzzzzzz' | count",
};
#define NQ (sizeof queries / sizeof queries[0])

static void expect_same_answers(char **want)
{
    for (size_t q = 0; q < NQ; q++) {
        char *got = xt_query(&e, queries[q]);
        cr_expect(strcmp(got, want[q]) == 0, "%s\n  cache: %s\n  store: %s", queries[q], got,
                  want[q]);
        free(got);
    }
}

static void run(bool parallel)
{
    e.parallel = parallel;
    char *want[NQ];
    for (size_t q = 0; q < NQ; q++) {
        want[q] = xt_query(&e, queries[q]);
        cr_assert(strncmp(want[q], "ERROR", 5), "%s: %s", queries[q], want[q]);
    }
    open_cache();
    expect_same_answers(want); /* misses: read from the store, admitted */
    sl_cache_flush(e.cache);
    sl_cache_stats_t st;
    sl_cache_stats(e.cache, &st);
    cr_expect_gt(st.misses, 0);
    cr_expect_gt(st.admits, 0);
    uint64_t hits = st.hits;
    expect_same_answers(want); /* now from the cache */
    sl_cache_stats(e.cache, &st);
    cr_expect_gt(st.hits, hits, "the second round reads the cache");
    for (size_t q = 0; q < NQ; q++) {
        free(want[q]);
    }
}

Test(query_exec_cache, answers_are_the_same_from_the_cache_and_the_store)
{
    run(false);
}

Test(query_exec_cache, parallel_scans_through_the_cache_give_the_same_answers)
{
    run(true);
}

Test(query_exec_cache, term_filters_prune_store_reads_and_pruned_blocks_are_not_admitted)
{
    open_cache();
    char *got = xt_query(&e, "Syslog | where SyslogMessage has 'zzzzzzzzzzzz' | count");
    cr_expect_str_eq(got, "Count:long\n0");
    free(got);
    /* 12 blocks: batches of 250 rows in blocks of at most 100. */
    cr_expect_eq(e.last.blocks_pruned, 12, "every block is pruned (%llu)",
                 (unsigned long long)e.last.blocks_pruned);
    sl_cache_flush(e.cache);
    sl_cache_stats_t st;
    sl_cache_stats(e.cache, &st);
    cr_expect_eq(st.skipped, 12, "%llu", (unsigned long long)st.skipped);
    cr_expect_eq(st.misses, 0);
    cr_expect_eq(st.blocks, 0, "nothing admitted");
}

Test(query_exec_cache, term_filters_skip_cached_blocks_too)
{
    open_cache();
    /* Every block's message column goes into the cache. */
    char *got = xt_query(&e, "Syslog | where SyslogMessage has 'Connection' | count");
    cr_expect_str_eq(got, "Count:long\n250");
    free(got);
    sl_cache_flush(e.cache);
    sl_cache_stats_t st;
    sl_cache_stats(e.cache, &st);
    cr_assert_eq(st.blocks, 12);
    uint64_t hits = st.hits;
    /* A rare term: storage's term filters still skip every block. */
    got = xt_query(&e, "Syslog | where SyslogMessage has 'zzzzzzzzzzzz' | count");
    cr_expect_str_eq(got, "Count:long\n0");
    free(got);
    cr_expect_eq(e.last.blocks_pruned, 12, "%llu", (unsigned long long)e.last.blocks_pruned);
    sl_cache_stats(e.cache, &st);
    cr_expect_eq(st.hits, hits, "no cached block was decoded");
    cr_expect_eq(st.skipped, 12);
    /* A term every block may hold is served from the cache. */
    got = xt_query(&e, "Syslog | where SyslogMessage has 'Connection' | count");
    cr_expect_str_eq(got, "Count:long\n250");
    free(got);
    sl_cache_stats(e.cache, &st);
    cr_expect_eq(st.hits, hits + 12);
}
