/*
 * The open-loop timetable: exact due times, and a due count that agrees
 * with them for every request (so a request is never sent early or skipped).
 */
#include <criterion/criterion.h>

#include "bench/load.h"

Test(load_sched, due_times_follow_the_rate_exactly)
{
    sl_load_sched_t s = { .start_ns = 1000, .rate = 3000, .rows_per_post = 1000 };
    /* 1000 rows at 3000 rows/s: one request every 1/3 s. */
    cr_expect_eq(sl_load_sched_due_ns(&s, 0), 1000);
    cr_expect_eq(sl_load_sched_due_ns(&s, 1), 1000 + 333333333);
    cr_expect_eq(sl_load_sched_due_ns(&s, 3), 1000 + 1000000000);
    /* After a billion requests there is still no drift: exactly 1e9/3 s. */
    cr_expect_eq(sl_load_sched_due_ns(&s, 3000000000ull), 1000 + 1000000000ull * 1000000000ull);
}

Test(load_sched, due_count_agrees_with_due_times)
{
    const uint64_t rates[] = { 1, 7, 999, 1000, 65536, 100000, 123456789 };
    const uint64_t rpps[] = { 1, 3, 1000, 10000 };
    for (size_t a = 0; a < sizeof rates / sizeof *rates; a++) {
        for (size_t b = 0; b < sizeof rpps / sizeof *rpps; b++) {
            sl_load_sched_t s = { .start_ns = 5000, .rate = rates[a], .rows_per_post = rpps[b] };
            cr_expect_eq(sl_load_sched_due_count(&s, 4999), 0, "nothing is due before start");
            cr_expect_eq(sl_load_sched_due_count(&s, 5000), 1, "request 0 is due at start");
            for (uint64_t k = 0; k < 2000; k++) {
                uint64_t t = sl_load_sched_due_ns(&s, k);
                cr_assert_geq(sl_load_sched_due_count(&s, t),
                              k + 1,
                              "rate %llu rpp %llu k %llu",
                              (unsigned long long)rates[a],
                              (unsigned long long)rpps[b],
                              (unsigned long long)k);
                if (t > s.start_ns && sl_load_sched_due_ns(&s, k - (k > 0)) < t)
                    cr_assert_eq(
                      sl_load_sched_due_count(&s, t - 1), k, "k %llu", (unsigned long long)k);
            }
        }
    }
}

Test(load_sched, counts_over_a_second)
{
    sl_load_sched_t s = { .start_ns = 0, .rate = 100000, .rows_per_post = 1 };
    /* 100 k requests in the first second: due at 0, 10 us, ..., 999.99 ms. */
    cr_expect_eq(sl_load_sched_due_count(&s, 999999999), 100000);
    cr_expect_eq(sl_load_sched_due_count(&s, 1000000000), 100001);
}
