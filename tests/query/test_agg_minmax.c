/*
 * min, max, minif, maxif (query/agg_minmax.c; text values go through the
 * row-selection engine of agg_arg.c).
 */
#include "agg_test.h"

Test(query_agg_minmax, max_and_min_of_longs_skip_nulls)
{
    qa_t q;
    qa_bind(&q, "max", "x", QA_COL(SL_TYPE_LONG));
    QA_EXPECT_STR(qa_names, &q, "max_x");
    QA_EXPECT_STR(qa_types, &q, "long");
    qa_update_ok(
      &q, 0, QA_GIDS(0, 0, 0, 1, 2), QA_VEC(SL_TYPE_LONG, "-5", QA_NULL, "-7", QA_NULL, "3"));
    QA_EXPECT_RESULT(&q, 0, 4, "-5|null|3|null");
    qa_done(&q);

    qa_bind(&q, "min", "x", QA_COL(SL_TYPE_INT));
    QA_EXPECT_STR(qa_names, &q, "min_x");
    QA_EXPECT_STR(qa_types, &q, "int");
    qa_update_ok(&q, 0, QA_GIDS(0, 0, 0), QA_VEC(SL_TYPE_INT, "4", "-2", "9"));
    QA_EXPECT_RESULT(&q, 0, 1, "-2");
    qa_done(&q);
}

Test(query_agg_minmax, timespans_as_in_the_docs_example)
{
    /* summarize Min = min(Duration), Max = max(Duration) → 01:08:00, 11:55:00 */
    const char *d1 = "40800000000", *d2 = "429000000000", *d3 = "90000000000";
    qa_t q;
    qa_bind(&q, "min", "Duration", QA_COL(SL_TYPE_TIMESPAN));
    qa_update_ok(&q, 0, QA_GIDS(0, 0, 0), QA_VEC(SL_TYPE_TIMESPAN, d3, d1, d2));
    QA_EXPECT_RESULT(&q, 0, 1, "01:08:00");
    qa_done(&q);
    qa_bind(&q, "max", "Duration", QA_COL(SL_TYPE_TIMESPAN));
    qa_update_ok(&q, 0, QA_GIDS(0, 0, 0), QA_VEC(SL_TYPE_TIMESPAN, d3, d1, d2));
    QA_EXPECT_RESULT(&q, 0, 1, "11:55:00");
    qa_done(&q);
}

Test(query_agg_minmax, max_of_datetimes)
{
    qa_t q;
    qa_bind(&q, "max", "StartTime", QA_COL(SL_TYPE_DATETIME));
    QA_EXPECT_STR(qa_types, &q, "datetime");
    qa_update_ok(&q,
                 0,
                 QA_GIDS(0, 0),
                 QA_VEC(SL_TYPE_DATETIME, "2007-12-31T23:53:00Z", "2007-01-01T00:00:00Z"));
    QA_EXPECT_RESULT(&q, 0, 1, "2007-12-31T23:53:00Z");
    qa_done(&q);
}

Test(query_agg_minmax, reals_order_nan_above_every_number)
{
    qa_t q;
    qa_bind(&q, "min", "x", QA_COL(SL_TYPE_REAL));
    qa_update_ok(&q, 0, QA_GIDS(0, 0, 0, 1), QA_VEC(SL_TYPE_REAL, "nan", "2.5", "-1.5", "nan"));
    QA_EXPECT_RESULT(&q, 0, 2, "-1.5|NaN");
    qa_done(&q);
    qa_bind(&q, "max", "x", QA_COL(SL_TYPE_REAL));
    qa_update_ok(&q, 0, QA_GIDS(0, 0, 1, 1), QA_VEC(SL_TYPE_REAL, "2.5", "nan", "-3", "-1"));
    QA_EXPECT_RESULT(&q, 0, 2, "NaN|-1");
    qa_done(&q);
}

Test(query_agg_minmax, bools)
{
    qa_t q;
    qa_bind(&q, "max", "b", QA_COL(SL_TYPE_BOOL));
    QA_EXPECT_STR(qa_types, &q, "bool");
    qa_update_ok(&q, 0, QA_GIDS(0, 0, 1), QA_VEC(SL_TYPE_BOOL, "false", "true", "false"));
    QA_EXPECT_RESULT(&q, 0, 2, "true|false");
    qa_done(&q);
}

Test(query_agg_minmax, strings_compare_by_bytes_and_empty_is_smallest)
{
    qa_t q;
    qa_bind(&q, "min", "s", QA_COL(SL_TYPE_STRING));
    QA_EXPECT_STR(qa_types, &q, "string");
    qa_update_ok(&q, 0, QA_GIDS(0, 0, 0, 1, 1), QA_VEC(SL_TYPE_STRING, "b", "a", "c", "x", ""));
    QA_EXPECT_RESULT(&q, 0, 3, "a||");
    qa_done(&q);

    qa_bind(&q, "max", "s", QA_COL(SL_TYPE_STRING));
    qa_update_ok(&q, 0, QA_GIDS(0, 0, 0), QA_VEC(SL_TYPE_STRING, "ab", "abc", "B"));
    QA_EXPECT_RESULT(&q, 0, 1, "abc");
    qa_done(&q);
}

Test(query_agg_minmax, strings_survive_their_batch_and_merge_in_any_order)
{
    /* The harness frees each batch right after its update: the kept
     * strings must be copies (ASan builds check it). */
    for (int order = 0; order < 2; order++) {
        qa_t q;
        qa_bind(&q, "max", "s", QA_COL(SL_TYPE_STRING));
        qa_update_ok(&q, 1, QA_GIDS(0, 1), QA_VEC(SL_TYPE_STRING, "kiwi", "apple"));
        qa_update_ok(&q, 1, QA_GIDS(0, 1), QA_VEC(SL_TYPE_STRING, "banana", "zucchini-long-name"));
        qa_update_ok(&q, 2, QA_GIDS(0, 1, 2), QA_VEC(SL_TYPE_STRING, "mango", "pear", "fig"));
        qa_merge(&q, 0, order ? 2 : 1);
        qa_merge(&q, 0, order ? 1 : 2);
        QA_EXPECT_RESULT(&q, 0, 3, "mango|zucchini-long-name|fig");
        qa_done(&q);
    }
}

Test(query_agg_minmax, guids_skip_nulls)
{
    qa_t q;
    qa_bind(&q, "min", "g", QA_COL(SL_TYPE_GUID));
    qa_update_ok(&q,
                 0,
                 QA_GIDS(0, 0, 0, 1),
                 QA_VEC(SL_TYPE_GUID,
                        "",
                        "bbbbbbbb-0000-4000-8000-000000000000",
                        "aaaaaaaa-0000-4000-8000-000000000000",
                        ""));
    QA_EXPECT_RESULT(&q, 0, 2, "aaaaaaaa-0000-4000-8000-000000000000|null");
    qa_done(&q);
}

Test(query_agg_minmax, minif_and_maxif)
{
    qa_t q;
    qa_bind(&q, "maxif", "x", QA_COL(SL_TYPE_LONG), QA_COL(SL_TYPE_BOOL));
    QA_EXPECT_STR(qa_names, &q, "maxif_x");
    qa_update_ok(&q,
                 0,
                 QA_GIDS(0, 0, 0, 1),
                 QA_VEC(SL_TYPE_LONG, "5", "50", "7", "1"),
                 QA_VEC(SL_TYPE_BOOL, "true", "false", "true", QA_NULL));
    QA_EXPECT_RESULT(&q, 0, 2, "7|null");
    qa_done(&q);

    qa_bind(&q, "minif", "s", QA_COL(SL_TYPE_STRING), QA_COL(SL_TYPE_BOOL));
    QA_EXPECT_STR(qa_names, &q, "minif_s");
    qa_update_ok(&q,
                 0,
                 QA_GIDS(0, 0, 0),
                 QA_VEC(SL_TYPE_STRING, "a", "b", "c"),
                 QA_VEC(SL_TYPE_BOOL, "false", "true", "true"));
    QA_EXPECT_RESULT(&q, 0, 1, "b");
    qa_done(&q);
}

Test(query_agg_minmax, min_merges_keep_the_smaller)
{
    qa_t q;
    qa_bind(&q, "min", "x", QA_COL(SL_TYPE_REAL));
    qa_update_ok(&q, 1, QA_GIDS(0, 1), QA_VEC(SL_TYPE_REAL, "3", QA_NULL));
    qa_update_ok(&q, 2, QA_GIDS(0, 1), QA_VEC(SL_TYPE_REAL, "-3", "8"));
    qa_merge(&q, 0, 1);
    qa_merge(&q, 0, 2);
    QA_EXPECT_RESULT(&q, 0, 2, "-3|8");
    qa_done(&q);
}

Test(query_agg_minmax, dynamic_values_have_no_order)
{
    qa_t q;
    cr_expect_eq(qa_bind_err(&q, "max", "d", QA_COL(SL_TYPE_DYNAMIC)), SL_ESEMANTIC);
    cr_expect_str_eq(q.d.msg,
                     "max(): argument 1 must be a value that can be ordered (not dynamic), got "
                     "dynamic");
    qa_done(&q);
}
