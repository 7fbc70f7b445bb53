/*
 * bin / floor / bin_at (fn_misc_bin.c): the docs' examples, floor
 * semantics below zero and before 1970, null and non-positive steps, result
 * types, and the constant-step fast paths (mask, reciprocal multiply)
 * against plain floor division over many pseudo-random values.
 */
#include "fn_misc_test.h"

Test(query_fn_misc_bin, examples_of_the_docs)
{
    et_expect(NULL, "bin(4.5, 1)", "4:real");
    et_expect(NULL, "bin(time(16d), 7d)", "14.00:00:00:timespan");
    et_expect(NULL, "bin(datetime(1970-05-11 13:45:07), 1d)", "1970-05-11T00:00:00Z:datetime");
    et_expect(NULL, "floor(datetime(1970-05-11 13:45:07), 1d)", "1970-05-11T00:00:00Z:datetime");
    et_expect(NULL, "bin_at(6.5, 2.5, 7)", "4.5:real");
    et_expect(NULL, "bin_at(time(1h), 1d, 12h)", "-12:00:00:timespan");
    et_expect(NULL,
              "bin_at(datetime(2017-05-15 10:20:00.0), 1d, datetime(1970-01-01 12:00:00.0))",
              "2017-05-14T12:00:00Z:datetime");
}

Test(query_fn_misc_bin, rounds_towards_minus_infinity)
{
    et_expect(NULL, "bin(-4.5, 1)", "-5:real");
    et_expect(NULL, "bin(7, 2)", "6:long");
    et_expect(NULL, "bin(-7, 2)", "-8:long");
    et_expect(NULL, "bin(-8, 2)", "-8:long");
    et_expect(NULL, "bin(-1h, 1d)", "-1.00:00:00:timespan");
    et_expect(NULL, "bin(datetime(1969-12-31 23:00), 1d)", "1969-12-31T00:00:00Z:datetime");
    et_expect(NULL, "bin(datetime(1600-03-01 01:02:03), 1h)", "1600-03-01T01:00:00Z:datetime");
    et_expect(NULL, "bin(int(7), int(2))", "6:int");
    et_expect(NULL, "bin(7, 2.5)", "5:real");
    et_expect(NULL, "bin(-9223372036854775807, 10)", "null:long");
}

Test(query_fn_misc_bin, weeks_of_datetimes_start_on_monday)
{
    /* Datetime bins count from 0001-01-01, a Monday. */
    et_expect(NULL, "bin(datetime(2017-01-29 09:00:05), 7d)", "2017-01-23T00:00:00Z:datetime");
    et_expect(NULL, "dayofweek(bin(datetime(2024-06-10 12:00), 7d))", "1.00:00:00:timespan");
    et_expect(NULL, "dayofweek(bin(datetime(1969-12-31 12:00), 7d))", "1.00:00:00:timespan");
    et_expect(NULL, "bin(datetime(0001-01-03), 7d)", "0001-01-01T00:00:00Z:datetime");
}

Test(query_fn_misc_bin, null_zero_and_negative_steps_give_null)
{
    et_expect(NULL, "bin(5, 0)", "null:long");
    et_expect(NULL, "bin(5, -1)", "null:long");
    et_expect(NULL, "bin(5.0, 0.0)", "null:real");
    et_expect(NULL, "bin(5, long(null))", "null:long");
    et_expect(NULL, "bin(long(null), 5)", "null:long");
    et_expect(NULL, "bin(now(), 0s)", "null:datetime");
    et_expect(NULL, "bin(now(), -1h)", "null:datetime");
    et_expect(NULL, "bin_at(1, 1, long(null))", "null:long");

    sl_colset_t t;
    mt_table(&t);
    et_expect(&t, "bin(d, 0s)", "null|null|null|null|null:datetime");
    /* A step from the data: each row's own. */
    et_expect(&t, "bin(l, l)", "7|null|null|null|9223372036854775807:long");
    et_expect(&t, "bin(100, i)", "99|null|null|null|0:long");
    et_expect(&t, "bin(r, r)", "2.5|null|0.1|null|null:real");
    sl_colset_dispose(&t);
}

Test(query_fn_misc_bin, columns_of_every_type)
{
    sl_colset_t t;
    mt_table(&t);
    et_expect(&t,
              "bin(d, 1h)",
              "2017-01-29T09:00:00Z|1969-12-31T23:00:00Z|2016-02-29T12:00:00Z|null|"
              "0001-01-01T00:00:00Z:datetime");
    et_expect(&t,
              "bin(d, 7d)",
              "2017-01-23T00:00:00Z|1969-12-29T00:00:00Z|2016-02-29T00:00:00Z|null|"
              "0001-01-01T00:00:00Z:datetime");
    et_expect(&t, "bin(ts, 1h)", "1.02:00:00|-02:00:00|00:00:00|null|7.00:00:00:timespan");
    et_expect(&t, "bin(l, 3)", "6|-9|0|null|9223372036854775806:long");
    et_expect(&t, "bin(l, 4)", "4|-8|0|null|9223372036854775804:long");
    et_expect(&t, "bin(i, int(2))", "2|-4|0|null|2147483646:int");
    et_expect(&t, "bin(r, 1)", "2|-3|0|null|NaN:real");
    et_expect(&t, "floor(r, 0.5)", "2.5|-2.5|0|null|NaN:real");
    et_expect(&t,
              "bin_at(d, 1d, datetime(1970-01-01 12:00))",
              "2017-01-28T12:00:00Z|1969-12-31T12:00:00Z|2016-02-29T12:00:00Z|null|null:datetime");
    et_expect(&t, "bin_at(l, 5, 1)", "6|-9|-4|null|9223372036854775806:long");
    sl_colset_dispose(&t);
}

Test(query_fn_misc_bin, type_errors_at_bind_time)
{
    mt_expect_error(NULL, "bin('a', 1)", "bin(): argument 1 must be a number, a datetime");
    mt_expect_error(NULL, "bin(now(), 5)", "bin(): argument 2 must be a timespan, got long");
    mt_expect_error(NULL, "bin(5, 1h)", "bin(): argument 2 must be a number, got timespan");
    mt_expect_error(NULL, "bin_at(now(), 1h, 5)", "bin_at(): argument 3 must be a datetime");
    mt_expect_error(NULL, "bin_at(5, 1, now())", "bin_at(): argument 3 must be a number");
}

/* Evaluates bin(x, step) over a one-column table of n values; returns the
 * result vector (caller unrefs) and the pool through *pool. */
static sl_qvec_t *bin_column(sl_type_t type,
                             const int64_t *x,
                             size_t n,
                             const char *expr,
                             sl_pool_t **pool)
{
    sl_colset_t t;
    sl_colset_init(&t);
    int c = sl_colset_add(&t, "x", type);
    for (size_t k = 0; k < n; k++) {
        if (k % 97 == 5) {
            sl_col_push_null(&t.cols[c]);
        } else {
            sl_col_push_i64(&t.cols[c], x[k]);
        }
        sl_colset_end_row(&t);
    }
    *pool = sl_pool_create();
    sl_qvec_t *v = NULL;
    sl_diag_t d = { 0 };
    int rc = sl_qeval_over(*pool, &t, expr, 0, &v, &d);
    cr_assert_eq(rc, 0, "%s: %s", expr, d.msg);
    sl_colset_dispose(&t);
    return v;
}

static uint64_t rng(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

Test(query_fn_misc_bin, constant_steps_match_floor_division)
{
    enum { N = 20000 };
    static int64_t x[N];
    uint64_t seed = 0x9e3779b97f4a7c15u;
    /* Datetimes across the whole range, including the very ends. */
    const int64_t lo = -INT64_C(621355968000000000), hi = INT64_C(2534023007999999999);
    for (size_t k = 0; k < N; k++) {
        x[k] = lo + (int64_t)(rng(&seed) % (uint64_t)(hi - lo + 1));
    }
    x[0] = lo;
    x[1] = hi;
    x[2] = 0;
    x[3] = -1;
    const struct {
        const char *expr;
        int64_t step;
    } dsteps[] = {
        { "bin(x, 1h)", SL_TICKS_PER_HOUR },    { "bin(x, 1d)", SL_TICKS_PER_DAY },
        { "bin(x, 7d)", 7 * SL_TICKS_PER_DAY }, { "bin(x, 3tick)", 3 },
        { "bin(x, 1024tick)", 1024 },           { "bin(x, 1tick)", 1 },
        { "bin(x, 1000003tick)", 1000003 },     { "bin(x, 365d)", 365 * SL_TICKS_PER_DAY },
    };
    for (size_t s = 0; s < sizeof dsteps / sizeof dsteps[0]; s++) {
        sl_pool_t *pool;
        sl_qvec_t *v = bin_column(SL_TYPE_DATETIME, x, N, dsteps[s].expr, &pool);
        int64_t step = dsteps[s].step, org = INT64_C(621355968000000000);
        size_t bad = 0;
        for (size_t k = 0; k < N; k++) {
            bool is_null = sl_qvec_is_null(v, k);
            int64_t want = floor_div(x[k] + org, step) * step - org;
            if (k % 97 == 5 ? !is_null : (is_null || sl_qvec_i64(v, k) != want)) {
                bad++;
            }
        }
        cr_expect_eq(bad, 0, "%s: %zu rows differ", dsteps[s].expr, bad);
        sl_qvec_unref(v);
        sl_pool_destroy(pool);
    }

    /* Longs of any sign and size, with steps up to 2^62 + 1. */
    for (size_t k = 0; k < N; k++) {
        x[k] = (int64_t)rng(&seed) >> (rng(&seed) % 64);
    }
    x[0] = INT64_MAX;
    x[1] = INT64_MIN + 1;
    const struct {
        const char *expr;
        int64_t step;
    } lsteps[] = {
        { "bin(x, 3)", 3 },
        { "bin(x, 10)", 10 },
        { "bin(x, 4096)", 4096 },
        { "bin(x, 1000000007)", 1000000007 },
        { "bin(x, 4611686018427387905)", INT64_C(4611686018427387905) },
        { "bin(x, 9223372036854775807)", INT64_MAX },
    };
    for (size_t s = 0; s < sizeof lsteps / sizeof lsteps[0]; s++) {
        sl_pool_t *pool;
        sl_qvec_t *v = bin_column(SL_TYPE_LONG, x, N, lsteps[s].expr, &pool);
        int64_t step = lsteps[s].step;
        size_t bad = 0;
        for (size_t k = 0; k < N; k++) {
            if (k % 97 == 5) {
                bad += !sl_qvec_is_null(v, k);
                continue;
            }
            int64_t q = floor_div(x[k], step), want;
            bool overflow = __builtin_mul_overflow(q, step, &want);
            if (overflow ? !sl_qvec_is_null(v, k)
                         : (sl_qvec_is_null(v, k) || sl_qvec_i64(v, k) != want)) {
                bad++;
            }
        }
        cr_expect_eq(bad, 0, "%s: %zu rows differ", lsteps[s].expr, bad);
        sl_qvec_unref(v);
        sl_pool_destroy(pool);
    }
}
