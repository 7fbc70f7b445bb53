/*
 * sum, sumif, avg, avgif, stdev, variance and their variants
 * (query/agg_sum.c).
 */
#include "agg_test.h"

Test(query_agg_sum, sum_of_ints_and_longs_is_long)
{
    qa_t q;
    qa_bind(&q, "sum", "x", QA_COL(SL_TYPE_INT));
    QA_EXPECT_STR(qa_names, &q, "sum_x");
    QA_EXPECT_STR(qa_types, &q, "long");
    /* 3 * 2^31 does not fit an int: the sum is a long. */
    qa_update_ok(&q,
                 0,
                 QA_GIDS(0, 0, 0, 1),
                 QA_VEC(SL_TYPE_INT, "2147483647", "2147483647", "2147483650", "-5"));
    QA_EXPECT_RESULT(&q, 0, 2, "6442450944|-5");
    qa_done(&q);
}

Test(query_agg_sum, sum_skips_nulls_and_an_all_null_group_sums_to_zero)
{
    /* The summarize page: sum's default value is 0, and nulls are ignored
     * (range 1..4 with y null at 1 and 5 elsewhere sums to 15). */
    qa_t q;
    qa_bind(&q, "sum", "y", QA_COL(SL_TYPE_REAL));
    QA_EXPECT_STR(qa_types, &q, "real");
    qa_update_ok(
      &q, 0, QA_GIDS(0, 0, 0, 0, 1), QA_VEC(SL_TYPE_REAL, QA_NULL, "5", "5", "5", QA_NULL));
    QA_EXPECT_RESULT(&q, 0, 3, "15|0|0");
    qa_done(&q);
}

Test(query_agg_sum, sum_of_timespans_is_a_timespan)
{
    qa_t q;
    qa_bind(&q, "sum", "d", QA_COL(SL_TYPE_TIMESPAN));
    QA_EXPECT_STR(qa_types, &q, "timespan");
    qa_update_ok(&q, 0, QA_GIDS(0, 0), QA_VEC(SL_TYPE_TIMESPAN, "36000000000", "9000000000"));
    QA_EXPECT_RESULT(&q, 0, 1, "01:15:00");
    qa_done(&q);
}

Test(query_agg_sum, sum_of_an_expression_is_named_sum_)
{
    qa_t q;
    qa_bind(&q, "sum", "", QA_COL(SL_TYPE_LONG));
    QA_EXPECT_STR(qa_names, &q, "sum_");
    qa_done(&q);
}

Test(query_agg_sum, sum_rejects_strings_and_datetimes)
{
    qa_t q;
    cr_expect_eq(qa_bind_err(&q, "sum", "s", QA_COL(SL_TYPE_STRING)), SL_ESEMANTIC);
    cr_expect_str_eq(q.d.msg, "sum(): argument 1 must be a number or a timespan, got string");
    qa_done(&q);
    cr_expect_eq(qa_bind_err(&q, "sum", "t", QA_COL(SL_TYPE_DATETIME)), SL_ESEMANTIC);
    qa_done(&q);
}

Test(query_agg_sum, sumif_adds_rows_where_the_predicate_holds)
{
    qa_t q;
    qa_bind(&q, "sumif", "x", QA_COL(SL_TYPE_LONG), QA_COL(SL_TYPE_BOOL));
    QA_EXPECT_STR(qa_names, &q, "sumif_x");
    qa_update_ok(&q,
                 0,
                 QA_GIDS(0, 0, 0, 1),
                 QA_VEC(SL_TYPE_LONG, "1", "10", "100", "7"),
                 QA_VEC(SL_TYPE_BOOL, "true", QA_NULL, "true", "false"));
    QA_EXPECT_RESULT(&q, 0, 2, "101|0");
    qa_done(&q);
}

Test(query_agg_sum, sum_wraps_like_long_arithmetic)
{
    qa_t q;
    qa_bind(&q, "sum", "x", QA_COL(SL_TYPE_LONG));
    qa_update_ok(&q, 0, QA_GIDS(0, 0), QA_VEC(SL_TYPE_LONG, "9223372036854775807", "1"));
    QA_EXPECT_RESULT(&q, 0, 1, "-9223372036854775808");
    qa_done(&q);
}

Test(query_agg_sum, real_sums_do_not_depend_on_the_merge_order)
{
    /* 1e16 + 1 + 1 + ... loses every 1 in naive double summation; the
     * compensated sum keeps them, whichever partial comes first. */
    for (int order = 0; order < 2; order++) {
        qa_t q;
        qa_bind(&q, "sum", "x", QA_COL(SL_TYPE_REAL));
        qa_update_ok(&q, 1, QA_GIDS(0), QA_VEC(SL_TYPE_REAL, "1e16"));
        qa_update_ok(&q, 2, QA_GIDS(0, 0, 0, 0), QA_VEC(SL_TYPE_REAL, "1", "1", "1", "1"));
        qa_update_ok(&q, 3, QA_GIDS(0, 0), QA_VEC(SL_TYPE_REAL, "-1e16", "0.5"));
        qa_merge(&q, 0, order ? 3 : 1);
        qa_merge(&q, 0, 2);
        qa_merge(&q, 0, order ? 1 : 3);
        QA_EXPECT_RESULT(&q, 0, 1, "4.5");
        qa_done(&q);
    }
}

Test(query_agg_sum, avg_is_real_and_ignores_nulls)
{
    qa_t q;
    qa_bind(&q, "avg", "y", QA_COL(SL_TYPE_LONG));
    QA_EXPECT_STR(qa_names, &q, "avg_y");
    QA_EXPECT_STR(qa_types, &q, "real");
    qa_update_ok(&q, 0, QA_GIDS(0, 0, 0, 1, 1), QA_VEC(SL_TYPE_LONG, QA_NULL, "5", "6", "1", "2"));
    QA_EXPECT_RESULT(&q, 0, 2, "5.5|1.5");
    qa_done(&q);
}

Test(query_agg_sum, avg_of_nothing_is_nan)
{
    /* The summarize page's empty-input example: avg_x is NaN "due to
     * dividing by 0". */
    qa_t q;
    qa_bind(&q, "avg", "x", QA_COL(SL_TYPE_LONG));
    QA_EXPECT_RESULT(&q, 0, 1, "NaN");
    qa_done(&q);
    qa_bind(&q, "avg", "x", QA_COL(SL_TYPE_REAL));
    qa_update_ok(&q, 0, QA_GIDS(0), QA_VEC(SL_TYPE_REAL, QA_NULL));
    QA_EXPECT_RESULT(&q, 0, 1, "NaN");
    qa_done(&q);
}

Test(query_agg_sum, avg_of_longs_does_not_overflow)
{
    qa_t q;
    qa_bind(&q, "avg", "x", QA_COL(SL_TYPE_LONG));
    qa_update_ok(
      &q, 1, QA_GIDS(0, 0), QA_VEC(SL_TYPE_LONG, "9223372036854775807", "9223372036854775807"));
    qa_update_ok(
      &q, 2, QA_GIDS(0, 0), QA_VEC(SL_TYPE_LONG, "9223372036854775807", "9223372036854775807"));
    qa_merge(&q, 0, 1);
    qa_merge(&q, 0, 2);
    QA_EXPECT_RESULT(&q, 0, 1, "9.223372036854776e+18");
    qa_done(&q);
}

Test(query_agg_sum, avg_of_datetimes_and_timespans_keeps_the_type)
{
    qa_t q;
    qa_bind(&q, "avg", "t", QA_COL(SL_TYPE_DATETIME));
    QA_EXPECT_STR(qa_types, &q, "datetime");
    qa_update_ok(&q,
                 0,
                 QA_GIDS(0, 0, 1),
                 QA_VEC(SL_TYPE_DATETIME, "2024-01-01T00:00:00Z", "2024-01-03T00:00:00Z", QA_NULL));
    QA_EXPECT_RESULT(&q, 0, 2, "2024-01-02T00:00:00Z|null");
    qa_done(&q);

    qa_bind(&q, "avg", "d", QA_COL(SL_TYPE_TIMESPAN));
    qa_update_ok(
      &q, 0, QA_GIDS(0, 0, 0), QA_VEC(SL_TYPE_TIMESPAN, "10000000", "20000000", "60000000"));
    QA_EXPECT_RESULT(&q, 0, 1, "00:00:03");
    qa_done(&q);
}

Test(query_agg_sum, avgif_averages_matching_rows)
{
    qa_t q;
    qa_bind(&q, "avgif", "x", QA_COL(SL_TYPE_REAL), QA_COL(SL_TYPE_BOOL));
    QA_EXPECT_STR(qa_names, &q, "avgif_x");
    qa_update_ok(&q,
                 0,
                 QA_GIDS(0, 0, 0),
                 QA_VEC(SL_TYPE_REAL, "1", "2", "4"),
                 QA_VEC(SL_TYPE_BOOL, "true", "false", "true"));
    QA_EXPECT_RESULT(&q, 0, 1, "2.5");
    qa_done(&q);
}

Test(query_agg_sum, constant_arguments_count_once_per_row)
{
    qa_t q;
    qa_bind(&q, "sum", "", QA_COL(SL_TYPE_LONG));
    qa_update_ok(&q, 0, QA_GIDS(0, 1, 1), qa_const_of(SL_TYPE_LONG, "3"));
    QA_EXPECT_RESULT(&q, 0, 2, "3|6");
    qa_done(&q);
}

Test(query_agg_sum, stdev_matches_the_docs_example)
{
    /* range x from 1 to 5 | summarize stdev(x) → 1.58113883008419 */
    qa_t q;
    qa_bind(&q, "stdev", "x", QA_COL(SL_TYPE_LONG));
    QA_EXPECT_STR(qa_names, &q, "stdev_x");
    QA_EXPECT_STR(qa_types, &q, "real");
    qa_update_ok(&q, 0, QA_GIDS(0, 0, 0, 0, 0), QA_VEC(SL_TYPE_LONG, "1", "2", "3", "4", "5"));
    char *got = qa_result(&q, 0, 1);
    cr_expect_float_eq(strtod(got, NULL), 1.58113883008419, 1e-12, "stdev %s", got);
    free(got);
    qa_done(&q);
}

Test(query_agg_sum, variance_of_few_values_is_zero)
{
    qa_t q;
    qa_bind(&q, "variance", "x", QA_COL(SL_TYPE_REAL));
    QA_EXPECT_STR(qa_names, &q, "variance_x");
    qa_update_ok(&q, 0, QA_GIDS(1), QA_VEC(SL_TYPE_REAL, "7"));
    QA_EXPECT_RESULT(&q, 0, 2, "0|0");
    qa_done(&q);
}

Test(query_agg_sum, variance_merges_partials_with_different_shifts)
{
    /* Values around 1e9: shifted sums keep full precision, and merging
     * partials that chose different shifts gives the same variance. */
    qa_t q;
    qa_bind(&q, "variance", "x", QA_COL(SL_TYPE_REAL));
    qa_update_ok(&q, 1, QA_GIDS(0, 0), QA_VEC(SL_TYPE_REAL, "1000000004", "1000000007"));
    qa_update_ok(&q, 2, QA_GIDS(0, 0), QA_VEC(SL_TYPE_REAL, "1000000013", "1000000016"));
    qa_merge(&q, 0, 2);
    qa_merge(&q, 0, 1);
    QA_EXPECT_RESULT(&q, 0, 1, "30");
    qa_done(&q);

    qa_bind(&q, "variancep", "x", QA_COL(SL_TYPE_REAL));
    qa_update_ok(&q,
                 0,
                 QA_GIDS(0, 0, 0, 0),
                 QA_VEC(SL_TYPE_REAL, "1000000004", "1000000007", "1000000013", "1000000016"));
    QA_EXPECT_RESULT(&q, 0, 1, "22.5");
    qa_done(&q);
}

Test(query_agg_sum, stdevif_and_stdevp)
{
    qa_t q;
    qa_bind(&q, "stdevif", "x", QA_COL(SL_TYPE_LONG), QA_COL(SL_TYPE_BOOL));
    qa_update_ok(&q,
                 0,
                 QA_GIDS(0, 0, 0),
                 QA_VEC(SL_TYPE_LONG, "2", "100", "4"),
                 QA_VEC(SL_TYPE_BOOL, "true", "false", "true"));
    char *got = qa_result(&q, 0, 1);
    cr_expect_float_eq(strtod(got, NULL), sqrt(2.0), 1e-12, "stdevif %s", got);
    free(got);
    qa_done(&q);

    qa_bind(&q, "stdevp", "x", QA_COL(SL_TYPE_LONG));
    qa_update_ok(&q, 0, QA_GIDS(0, 0), QA_VEC(SL_TYPE_LONG, "2", "4"));
    QA_EXPECT_RESULT(&q, 0, 1, "1");
    qa_done(&q);
}
