/*
 * count, countif, dcount, dcountif, count_distinct, count_distinctif
 * (query/agg_count.c), driven through update / merge / finish.
 */
#include "agg_test.h"

Test(query_agg_count, count_counts_rows_per_group)
{
    qa_t q;
    qa_bind(&q, "count", "");
    QA_EXPECT_STR(qa_names, &q, "count_");
    QA_EXPECT_STR(qa_types, &q, "long");
    /* count() has no arguments: the batch is just its group ids. */
    cr_assert_eq(
      q.call.agg->update(&q.call, q.parts[0], q.stride, QA_GIDS(0, 1, 0, 0, 2).g, NULL, 5, &q.rt),
      0);
    QA_EXPECT_RESULT(&q, 0, 4, "3|1|1|0");
    qa_done(&q);
}

Test(query_agg_count, count_of_a_column_counts_null_rows_too)
{
    /* The summarize page: "The standard count function includes null
     * values in its count" (count(y) over one null and one 5 is 2). */
    qa_t q;
    qa_bind(&q, "count", "y", QA_COL(SL_TYPE_REAL));
    QA_EXPECT_STR(qa_names, &q, "count_y");
    qa_update_ok(&q, 0, QA_GIDS(0, 0), QA_VEC(SL_TYPE_REAL, QA_NULL, "5"));
    QA_EXPECT_RESULT(&q, 0, 1, "2");
    qa_done(&q);
}

Test(query_agg_count, countif_counts_true_rows_and_not_null_ones)
{
    qa_t q;
    qa_bind(&q, "countif", "", QA_COL(SL_TYPE_BOOL));
    QA_EXPECT_STR(qa_names, &q, "countif_");
    qa_update_ok(&q,
                 0,
                 QA_GIDS(0, 0, 0, 1, 1),
                 QA_VEC(SL_TYPE_BOOL, "true", "false", QA_NULL, "true", "true"));
    /* Without nulls the loop adds the predicate bytes directly. */
    qa_update_ok(&q, 0, QA_GIDS(0, 1, 2), QA_VEC(SL_TYPE_BOOL, "true", "false", "false"));
    QA_EXPECT_RESULT(&q, 0, 3, "2|2|0");
    qa_done(&q);
}

Test(query_agg_count, countif_over_a_constant_predicate)
{
    qa_t q;
    qa_bind(&q, "countif", "flag", QA_COL(SL_TYPE_BOOL));
    QA_EXPECT_STR(qa_names, &q, "countif_flag");
    sl_qvec_t *yes = qa_const_of(SL_TYPE_BOOL, "true");
    sl_qvec_t *null = qa_const_of(SL_TYPE_BOOL, NULL);
    qa_update_ok(&q, 0, QA_GIDS(0, 1, 1), yes);
    qa_update_ok(&q, 0, QA_GIDS(0, 1, 1), null);
    QA_EXPECT_RESULT(&q, 0, 2, "1|2");
    qa_done(&q);
}

Test(query_agg_count, countif_needs_a_bool)
{
    qa_t q;
    cr_expect_eq(qa_bind_err(&q, "countif", "x", QA_COL(SL_TYPE_LONG)), SL_ESEMANTIC);
    cr_expect_str_eq(q.d.msg, "countif(): argument 1 must be a bool predicate, got long");
    qa_done(&q);
}

Test(query_agg_count, counts_merge_across_partials)
{
    qa_t q;
    qa_bind(&q, "count", "");
    cr_assert_eq(q.call.agg->update(&q.call, q.parts[1], q.stride, QA_GIDS(0, 1).g, NULL, 2, &q.rt),
                 0);
    cr_assert_eq(
      q.call.agg->update(&q.call, q.parts[2], q.stride, QA_GIDS(1, 1, 1).g, NULL, 3, &q.rt), 0);
    qa_merge(&q, 0, 2);
    qa_merge(&q, 0, 1);
    QA_EXPECT_RESULT(&q, 0, 3, "1|4|0");
    qa_done(&q);
}

/* ---- dcount and friends -------------------------------------------------- */

Test(query_agg_count, dcount_is_exact_and_skips_nulls)
{
    qa_t q;
    qa_bind(&q, "dcount", "x", QA_COL(SL_TYPE_LONG));
    QA_EXPECT_STR(qa_names, &q, "dcount_x");
    QA_EXPECT_STR(qa_types, &q, "long");
    qa_update_ok(&q,
                 0,
                 QA_GIDS(0, 0, 0, 0, 1, 1, 1),
                 QA_VEC(SL_TYPE_LONG, "1", "2", "1", QA_NULL, QA_NULL, QA_NULL, "7"));
    QA_EXPECT_RESULT(&q, 0, 3, "2|1|0");
    qa_done(&q);
}

Test(query_agg_count, dcount_of_reals_treats_minus_zero_and_nans_as_one_value)
{
    qa_t q;
    qa_bind(&q, "dcount", "x", QA_COL(SL_TYPE_REAL));
    qa_update_ok(&q,
                 0,
                 QA_GIDS(0, 0, 0, 0, 0, 0),
                 QA_VEC(SL_TYPE_REAL, "0", "-0", "nan", "nan", "1.5", "-1.5"));
    QA_EXPECT_RESULT(&q, 0, 1, "4");
    qa_done(&q);
}

Test(query_agg_count, dcount_of_strings_counts_the_empty_string)
{
    /* Strings are never null in KQL: "" is a value like any other. */
    qa_t q;
    qa_bind(&q, "dcount", "s", QA_COL(SL_TYPE_STRING));
    qa_update_ok(&q, 0, QA_GIDS(0, 0, 0, 0, 0), QA_VEC(SL_TYPE_STRING, "a", "", "A", "a", ""));
    QA_EXPECT_RESULT(&q, 0, 1, "3");
    qa_done(&q);
}

Test(query_agg_count, dcount_of_guids_and_dynamics_skips_nulls)
{
    qa_t q;
    qa_bind(&q, "dcount", "g", QA_COL(SL_TYPE_GUID));
    qa_update_ok(&q,
                 0,
                 QA_GIDS(0, 0, 0),
                 QA_VEC(SL_TYPE_GUID, "", "0b8f0e4a-0000-4000-8000-000000000001", ""));
    QA_EXPECT_RESULT(&q, 0, 1, "1");
    qa_done(&q);

    qa_bind(&q, "dcount", "d", QA_COL(SL_TYPE_DYNAMIC));
    qa_update_ok(&q,
                 0,
                 QA_GIDS(0, 0, 0, 0, 0),
                 QA_VEC(SL_TYPE_DYNAMIC, "{\"a\":1}", "", "[1,2]", "{\"a\":1}", "\"s\""));
    QA_EXPECT_RESULT(&q, 0, 1, "3");
    qa_done(&q);
}

Test(query_agg_count, dcount_accepts_and_checks_the_accuracy_argument)
{
    qa_t q;
    qa_bind(&q, "dcount", "x", QA_COL(SL_TYPE_LONG), QA_K(SL_TYPE_INT, "4"));
    qa_update_ok(&q, 0, QA_GIDS(0, 0), QA_VEC(SL_TYPE_LONG, "5", "6"));
    QA_EXPECT_RESULT(&q, 0, 1, "2");
    qa_done(&q);

    cr_expect_eq(qa_bind_err(&q, "dcount", "x", QA_COL(SL_TYPE_LONG), QA_K(SL_TYPE_INT, "5")),
                 SL_ESEMANTIC);
    cr_expect_str_eq(q.d.msg, "dcount(): accuracy must be 0 to 4, got 5");
    qa_done(&q);
    cr_expect_eq(qa_bind_err(&q, "dcount", "x", QA_COL(SL_TYPE_LONG), QA_COL(SL_TYPE_LONG)),
                 SL_ESEMANTIC);
    cr_expect_str_eq(q.d.msg, "dcount(): argument 2 must be a constant integer accuracy, got long");
    qa_done(&q);
}

Test(query_agg_count, dcount_merges_overlapping_partials_in_any_order)
{
    /* Three partials holding 0..149, 50..199 and 100..249, grouped by
     * parity: every merge order gives the exact counts. */
    static const size_t orders[][3] = { { 1, 2, 3 }, { 3, 2, 1 }, { 2, 3, 1 } };
    for (size_t o = 0; o < SL_ARRAY_SIZE(orders); o++) {
        qa_t q;
        qa_bind(&q, "dcount", "x", QA_COL(SL_TYPE_LONG));
        for (size_t p = 1; p <= 3; p++) {
            uint32_t gid[150];
            sl_qvec_t *v = sl_qvec_new(SL_TYPE_LONG, 150);
            for (size_t i = 0; i < 150; i++) {
                int64_t x = (int64_t)((p - 1) * 50 + i);
                sl_qvec_i64w(v)[i] = x;
                gid[i] = (uint32_t)(x % 2);
            }
            qa_update_ok(&q, p, ((qa_gids_t){ 150, gid }), v);
        }
        qa_merge(&q, 0, orders[o][0]);
        qa_merge(&q, 0, orders[o][1]);
        qa_merge(&q, 0, orders[o][2]);
        QA_EXPECT_RESULT(&q, 0, 2, "125|125");
        qa_done(&q);
    }
}

Test(query_agg_count, dcount_is_exact_at_high_cardinality)
{
    /* 200,000 distinct strings over 4 batches, each value twice: Kusto's
     * estimate would be off by ~0.8%; ours is exact. */
    qa_t q;
    qa_bind(&q, "dcount", "s", QA_COL(SL_TYPE_STRING));
    for (int batch = 0; batch < 4; batch++) {
        size_t n = 100000;
        uint32_t *gid = calloc(n, sizeof *gid);
        sl_qvec_t *v = sl_qvec_new(SL_TYPE_STRING, n);
        for (size_t i = 0; i < n; i++) {
            char tmp[32];
            int len = snprintf(tmp, sizeof tmp, "user-%zu", (size_t)(batch % 2) * n + i);
            sl_qvec_push_text(v, tmp, (size_t)len);
        }
        qa_update_ok(&q, (size_t)batch % 2, ((qa_gids_t){ n, gid }), v);
        free(gid);
    }
    qa_merge(&q, 0, 1);
    QA_EXPECT_RESULT(&q, 0, 1, "200000");
    qa_done(&q);
}

Test(query_agg_count, dcountif_and_count_distinct_forms)
{
    qa_t q;
    qa_bind(&q, "dcountif", "x", QA_COL(SL_TYPE_LONG), QA_COL(SL_TYPE_BOOL));
    QA_EXPECT_STR(qa_names, &q, "dcountif_x");
    qa_update_ok(&q,
                 0,
                 QA_GIDS(0, 0, 0, 0),
                 QA_VEC(SL_TYPE_LONG, "1", "2", "3", "3"),
                 QA_VEC(SL_TYPE_BOOL, "true", "false", "true", QA_NULL));
    QA_EXPECT_RESULT(&q, 0, 1, "2");
    qa_done(&q);

    qa_bind(&q, "count_distinct", "x", QA_COL(SL_TYPE_STRING));
    QA_EXPECT_STR(qa_names, &q, "count_distinct_x");
    qa_update_ok(&q, 0, QA_GIDS(0, 1, 0), QA_VEC(SL_TYPE_STRING, "a", "a", "b"));
    QA_EXPECT_RESULT(&q, 0, 2, "2|1");
    qa_done(&q);

    qa_bind(&q, "count_distinctif", "x", QA_COL(SL_TYPE_STRING), QA_COL(SL_TYPE_BOOL));
    QA_EXPECT_STR(qa_names, &q, "count_distinctif_x");
    qa_update_ok(&q,
                 0,
                 QA_GIDS(0, 0),
                 QA_VEC(SL_TYPE_STRING, "a", "b"),
                 QA_VEC(SL_TYPE_BOOL, "false", "true"));
    QA_EXPECT_RESULT(&q, 0, 1, "1");
    qa_done(&q);
}

Test(query_agg_count, dcount_of_an_empty_input_is_zero)
{
    qa_t q;
    qa_bind(&q, "dcount", "x", QA_COL(SL_TYPE_LONG));
    QA_EXPECT_RESULT(&q, 0, 1, "0");
    qa_done(&q);
}

Test(query_agg_count, dcount_fails_cleanly_past_the_memory_budget)
{
    qa_t q;
    qa_bind(&q, "dcount", "x", QA_COL(SL_TYPE_LONG));
    qa_env_limit(&q.env, 4096);
    size_t n = 10000;
    uint32_t *gid = calloc(n, sizeof *gid);
    sl_qvec_t *v = sl_qvec_new(SL_TYPE_LONG, n);
    for (size_t i = 0; i < n; i++) {
        sl_qvec_i64w(v)[i] = (int64_t)i;
    }
    cr_expect_eq(qa_update(&q, 0, ((qa_gids_t){ n, gid }), v), SL_ELIMIT);
    free(gid);
    qa_done(&q);
}
