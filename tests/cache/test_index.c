/* The in-memory index and the eviction order. */
#include "cache_test.h"

TestSuite(cache_index);

Test(cache_index, matches_a_reference_under_churn)
{
    enum { N = 5000 };
    sl_cache_idx_t x = { 0 };
    static uint64_t ids[N];
    static bool present[N];
    /* Ids that collide in the low bits exercise long probe runs. */
    for (size_t i = 0; i < N; i++) {
        ids[i] = (i % 2) ? ((uint64_t)i << 40) | 1 : (uint64_t)(i + 1) * 0x10001u;
    }
    uint64_t seed = 12345;
    for (int step = 0; step < 40000; step++) {
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        size_t i = (size_t)(seed >> 33) % N;
        if ((seed >> 20) & 1) {
            sl_cache_ent_t e = { .id = ids[i], .bytes = i, .atime = step };
            sl_cache__idx_put(&x, &e);
            present[i] = true;
        } else {
            sl_cache_ent_t old;
            cr_assert_eq(sl_cache__idx_del(&x, ids[i], &old), present[i]);
            if (present[i]) {
                cr_assert_eq(old.bytes, i);
            }
            present[i] = false;
        }
    }
    size_t n = 0;
    for (size_t i = 0; i < N; i++) {
        sl_cache_ent_t *e = sl_cache__idx_get(&x, ids[i]);
        cr_assert_eq(e != NULL, present[i], "id %zu", i);
        if (e) {
            cr_assert_eq(e->bytes, i);
        }
        n += present[i];
    }
    cr_expect_eq(x.n, n);
    sl_cache__idx_dispose(&x);
}

Test(cache_index, evicts_outside_the_window_first_then_least_recently_used)
{
    sl_cache_idx_t x = { 0 };
    sl_ticks_t win = 1000;
    /* id: tmax (in the window from 1000), atime, bytes */
    struct {
        uint64_t id;
        sl_ticks_t tmax, atime;
    } v[] = { { 1, 2000, 50 }, { 2, 500, 900 }, { 3, 2000, 10 }, { 4, 100, 950 },
              { 5, 3000, 5 }, { 6, 999, 10 } };
    for (size_t i = 0; i < SL_ARRAY_SIZE(v); i++) {
        sl_cache_ent_t e = { .id = v[i].id, .tmax = v[i].tmax, .atime = v[i].atime,
                             .bytes = 10 };
        sl_cache__idx_put(&x, &e);
    }
    sl_cache_victim_t *out;
    size_t n = sl_cache__idx_victims(&x, win, 45, &out);
    /* Outside the window (6, 2, 4 by last use), then inside: 5, 3. */
    uint64_t want[] = { 6, 2, 4, 5, 3 };
    cr_assert_eq(n, 5);
    for (size_t i = 0; i < n; i++) {
        cr_expect_eq(out[i].id, want[i], "victim %zu is %llu", i, (unsigned long long)out[i].id);
    }
    sl_free(out);
    /* Below a window block last used at 20: everything outside, plus 3 and 5. */
    cr_expect_eq(sl_cache__idx_below(&x, win, 20), 50);
    cr_expect_eq(sl_cache__idx_below(&x, win, 0), 30);
    sl_cache__idx_dispose(&x);
}
