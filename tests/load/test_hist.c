/*
 * The latency histogram: bucket geometry, quantile error within 1% of the
 * exact value over 1 us .. 60 s, and merging.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "bench/load.h"

Test(load_hist, buckets_tile_the_range_without_gaps)
{
    uint64_t prev_hi = 0;
    for (size_t i = 0; i < SL_LOAD_HIST_BUCKETS; i++) {
        uint64_t lo, hi;
        sl_load_hist_bucket_range(i, &lo, &hi);
        cr_assert_eq(lo, prev_hi, "bucket %zu starts where %zu ended", i, i - 1);
        cr_assert_gt(hi, lo);
        cr_assert_eq(sl_load_hist_index(lo), i);
        cr_assert_eq(sl_load_hist_index(hi - 1), i);
        if (lo >= 128)
            cr_assert_leq((double)(hi - lo) / (double)lo, 1.0 / 128, "bucket %zu too wide", i);
        prev_hi = hi;
    }
    cr_expect_geq(prev_hi, 60ull * 1000000000, "the buckets reach past 60 s");
    cr_expect_eq(sl_load_hist_index(UINT64_MAX), SL_LOAD_HIST_BUCKETS - 1);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

Test(load_hist, quantiles_within_one_percent)
{
    enum { N = 200000 };
    uint64_t *v = malloc(N * sizeof *v);
    sl_load_hist_t *h = malloc(sizeof *h);
    sl_load_hist_init(h);
    srand(7);
    for (size_t i = 0; i < N; i++) {
        /* log-uniform from 1 us to 60 s */
        double x = exp(log(1e3) + (log(6e10) - log(1e3)) * ((double)rand() / RAND_MAX));
        v[i] = (uint64_t)x;
        sl_load_hist_record(h, v[i]);
    }
    qsort(v, N, sizeof *v, cmp_u64);
    const double qs[] = { 0.001, 0.1, 0.5, 0.9, 0.99, 0.999, 0.9999 };
    for (size_t i = 0; i < sizeof qs / sizeof *qs; i++) {
        size_t rank = (size_t)ceil(qs[i] * N);
        double exact = (double)v[rank - 1];
        double got = (double)sl_load_hist_quantile(h, qs[i]);
        cr_expect_leq(fabs(got - exact) / exact, 0.01, "q %g: %g vs exact %g", qs[i], got, exact);
    }
    cr_expect_eq(sl_load_hist_quantile(h, 1.0), v[N - 1], "max is exact");
    cr_expect_eq(sl_load_hist_quantile(h, 0.0), v[0], "min is exact");
    cr_expect_eq(h->count, N);
    free(v);
    free(h);
}

Test(load_hist, small_values_are_exact_and_empty_is_zero)
{
    sl_load_hist_t h;
    sl_load_hist_init(&h);
    cr_expect_eq(sl_load_hist_quantile(&h, 0.5), 0);
    for (uint64_t x = 1; x <= 100; x++)
        sl_load_hist_record(&h, x);
    cr_expect_eq(sl_load_hist_quantile(&h, 0.5), 50);
    cr_expect_eq(sl_load_hist_quantile(&h, 0.99), 99);
    cr_expect_eq(h.sum_ns, 5050);
}

Test(load_hist, merge_equals_recording_everything_in_one)
{
    sl_load_hist_t a, b, all;
    sl_load_hist_init(&a);
    sl_load_hist_init(&b);
    sl_load_hist_init(&all);
    for (uint64_t i = 1; i < 50000; i++) {
        uint64_t x = i * i % 9999991 + 1000;
        sl_load_hist_record(i % 3 ? &a : &b, x);
        sl_load_hist_record(&all, x);
    }
    sl_load_hist_merge(&a, &b);
    cr_expect_eq(a.count, all.count);
    cr_expect_eq(a.min_ns, all.min_ns);
    cr_expect_eq(a.max_ns, all.max_ns);
    cr_expect_eq(a.sum_ns, all.sum_ns);
    cr_expect(memcmp(a.b, all.b, sizeof a.b) == 0);
}
