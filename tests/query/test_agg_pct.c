/*
 * percentile and percentiles (query/agg_pct.c): exact nearest-rank.
 */
#include "agg_test.h"

Test(query_agg_pct, nearest_rank_on_the_sorted_values)
{
    /* 1..20 shuffled: P=5 → rank 1, 50 → rank 10, 95 → rank 19,
     * 100 → rank 20, 0 → the smallest. */
    qa_t q;
    qa_bind(&q,
            "percentiles",
            "x",
            QA_COL(SL_TYPE_LONG),
            QA_K(SL_TYPE_INT, "0"),
            QA_K(SL_TYPE_INT, "5"),
            QA_K(SL_TYPE_INT, "50"),
            QA_K(SL_TYPE_INT, "95"),
            QA_K(SL_TYPE_INT, "100"));
    QA_EXPECT_STR(qa_names,
                  &q,
                  "percentile_x_0,percentile_x_5,percentile_x_50,percentile_x_95,"
                  "percentile_x_100");
    QA_EXPECT_STR(qa_types, &q, "long,long,long,long,long");
    qa_update_ok(&q,
                 0,
                 QA_GIDS(0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
                 QA_VEC(SL_TYPE_LONG, "17", "3", "20", "8", "1", "12", "15", "6", "10", "19"));
    qa_update_ok(&q,
                 0,
                 QA_GIDS(0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
                 QA_VEC(SL_TYPE_LONG, "2", "18", "9", "14", "5", "11", "4", "16", "7", "13"));
    QA_EXPECT_RESULT(&q, 0, 1, "1,1,10,19,20");
    qa_done(&q);
}

Test(query_agg_pct, percentile_is_named_after_the_rank)
{
    qa_t q;
    qa_bind(&q, "percentile", "DamageProperty", QA_COL(SL_TYPE_LONG), QA_K(SL_TYPE_INT, "95"));
    QA_EXPECT_STR(qa_names, &q, "percentile_DamageProperty_95");
    qa_done(&q);
    qa_bind(&q, "percentile", "x", QA_COL(SL_TYPE_REAL), QA_K(SL_TYPE_REAL, "99.9"));
    QA_EXPECT_STR(qa_names, &q, "percentile_x_99_9");
    QA_EXPECT_STR(qa_types, &q, "real");
    qa_done(&q);
}

Test(query_agg_pct, a_fractional_rank_is_computed_exactly)
{
    /* P = 99.9 of 1000 values is rank 999 (99.9 * 1000 / 100 is 999 in
     * exact arithmetic, 999.0000000000001 in doubles). */
    qa_t q;
    qa_bind(&q, "percentile", "x", QA_COL(SL_TYPE_LONG), QA_K(SL_TYPE_REAL, "99.9"));
    size_t n = 1000;
    uint32_t *gid = calloc(n, sizeof *gid);
    sl_qvec_t *v = sl_qvec_new(SL_TYPE_LONG, n);
    for (size_t i = 0; i < n; i++) {
        sl_qvec_i64w(v)[i] = (int64_t)(n - i); /* 1000 .. 1, descending */
    }
    qa_update_ok(&q, 0, ((qa_gids_t){ n, gid }), v);
    free(gid);
    QA_EXPECT_RESULT(&q, 0, 1, "999");
    qa_done(&q);
}

Test(query_agg_pct, reals_with_negatives_and_nan)
{
    qa_t q;
    qa_bind(&q,
            "percentiles",
            "x",
            QA_COL(SL_TYPE_REAL),
            QA_K(SL_TYPE_INT, "0"),
            QA_K(SL_TYPE_INT, "40"),
            QA_K(SL_TYPE_INT, "100"));
    qa_update_ok(&q,
                 0,
                 QA_GIDS(0, 0, 0, 0, 0, 0),
                 QA_VEC(SL_TYPE_REAL, "-0.5", "nan", QA_NULL, "-1e300", "3.25", "0"));
    QA_EXPECT_RESULT(&q, 0, 1, "-1e+300,-0.5,NaN");
    qa_done(&q);
}

Test(query_agg_pct, datetimes_and_timespans_keep_their_type)
{
    qa_t q;
    qa_bind(&q, "percentile", "t", QA_COL(SL_TYPE_DATETIME), QA_K(SL_TYPE_INT, "50"));
    QA_EXPECT_STR(qa_types, &q, "datetime");
    qa_update_ok(&q,
                 0,
                 QA_GIDS(0, 0, 0, 0),
                 QA_VEC(SL_TYPE_DATETIME,
                        "2024-01-04T00:00:00Z",
                        "2024-01-01T00:00:00Z",
                        "2024-01-03T00:00:00Z",
                        "2024-01-02T00:00:00Z"));
    QA_EXPECT_RESULT(&q, 0, 1, "2024-01-02T00:00:00Z");
    qa_done(&q);

    qa_bind(&q, "percentile", "d", QA_COL(SL_TYPE_TIMESPAN), QA_K(SL_TYPE_INT, "90"));
    qa_update_ok(&q, 0, QA_GIDS(0, 0), QA_VEC(SL_TYPE_TIMESPAN, "-10000000", "10000000"));
    QA_EXPECT_RESULT(&q, 0, 1, "00:00:01");
    qa_done(&q);
}

Test(query_agg_pct, groups_partials_and_empty_groups)
{
    for (int order = 0; order < 2; order++) {
        qa_t q;
        qa_bind(&q, "percentile", "x", QA_COL(SL_TYPE_INT), QA_K(SL_TYPE_INT, "50"));
        qa_update_ok(&q, 1, QA_GIDS(0, 1, 0, 1), QA_VEC(SL_TYPE_INT, "1", "100", "2", "200"));
        qa_update_ok(&q, 2, QA_GIDS(0, 0, 1), QA_VEC(SL_TYPE_INT, "3", "4", QA_NULL));
        qa_merge(&q, 0, order ? 2 : 1);
        qa_merge(&q, 0, order ? 1 : 2);
        QA_EXPECT_RESULT(&q, 0, 3, "2|100|null");
        qa_done(&q);
    }
}

Test(query_agg_pct, large_inputs_with_many_duplicates)
{
    /* 100,000 values with only 7 distinct ones, in an order that defeats
     * naive pivots; every percentile is checked against a counting
     * reference. */
    qa_t q;
    qa_bind(&q,
            "percentiles",
            "x",
            QA_COL(SL_TYPE_LONG),
            QA_K(SL_TYPE_INT, "1"),
            QA_K(SL_TYPE_INT, "33"),
            QA_K(SL_TYPE_INT, "50"),
            QA_K(SL_TYPE_INT, "99"));
    size_t n = 100000, count[7] = { 0 };
    uint32_t *gid = calloc(n, sizeof *gid);
    sl_qvec_t *v = sl_qvec_new(SL_TYPE_LONG, n);
    for (size_t i = 0; i < n; i++) {
        int64_t x = (int64_t)((i * i + 3 * i) % 7);
        sl_qvec_i64w(v)[i] = x;
        count[x]++;
    }
    qa_update_ok(&q, 0, ((qa_gids_t){ n, gid }), v);
    free(gid);
    char want[64] = "";
    int ps[4] = { 1, 33, 50, 99 };
    for (int k = 0; k < 4; k++) {
        size_t rank = (ps[k] * n + 99) / 100, seen = 0;
        int64_t x = 0;
        while (seen + count[x] < rank) {
            seen += count[x++];
        }
        snprintf(
          want + strlen(want), sizeof want - strlen(want), "%s%lld", k ? "," : "", (long long)x);
    }
    QA_EXPECT_RESULT(&q, 0, 1, want);
    qa_done(&q);
}

Test(query_agg_pct, ranks_must_be_constants_from_0_to_100)
{
    qa_t q;
    cr_expect_eq(qa_bind_err(&q, "percentile", "x", QA_COL(SL_TYPE_LONG), QA_K(SL_TYPE_INT, "101")),
                 SL_ESEMANTIC);
    cr_expect_str_eq(q.d.msg, "percentile(): percentile must be 0 to 100, got 101");
    qa_done(&q);
    cr_expect_eq(qa_bind_err(&q, "percentile", "x", QA_COL(SL_TYPE_LONG), QA_COL(SL_TYPE_LONG)),
                 SL_ESEMANTIC);
    qa_done(&q);
    cr_expect_eq(qa_bind_err(&q, "percentile", "s", QA_COL(SL_TYPE_STRING), QA_K(SL_TYPE_INT, "5")),
                 SL_ESEMANTIC);
    cr_expect_str_eq(q.d.msg,
                     "percentile(): argument 1 must be a number, a datetime or a timespan, got "
                     "string");
    qa_done(&q);
}
