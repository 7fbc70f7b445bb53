/*
 * arg_max, arg_min, take_any, take_anyif, any (query/agg_arg.c).
 */
#include "agg_test.h"

/* The docs' null-handling example:
 *   datatable(Fruit, Color, Version) [...] | summarize arg_max(Version, *) by Fruit
 * with groups Apple = 0, Banana = 1, Pear = 2 and returned column Color. */
static void fruit_batch(qa_t *q, size_t p)
{
    qa_update_ok(q,
                 p,
                 QA_GIDS(0, 0, 1, 1, 2, 2),
                 QA_VEC(SL_TYPE_INT, "1", QA_NULL, QA_NULL, QA_NULL, "1", "2"),
                 QA_VEC(SL_TYPE_STRING, "Red", "Green", "Yellow", "Green", "Brown", "Green"));
}

Test(query_agg_arg, arg_max_follows_the_docs_null_example)
{
    qa_t q;
    qa_bind(&q, "arg_max", "Version", QA_COL(SL_TYPE_INT), QA_COL(SL_TYPE_STRING));
    QA_EXPECT_STR(qa_names, &q, "Version,<arg 2>");
    QA_EXPECT_STR(qa_types, &q, "int,string");
    fruit_batch(&q, 0);
    QA_EXPECT_RESULT(&q, 0, 3, "1,Red|null,Yellow|2,Green");
    qa_done(&q);
}

Test(query_agg_arg, arg_min_prefers_any_key_to_a_null_key)
{
    qa_t q;
    qa_bind(&q, "arg_min", "Version", QA_COL(SL_TYPE_INT), QA_COL(SL_TYPE_STRING));
    fruit_batch(&q, 0);
    QA_EXPECT_RESULT(&q, 0, 3, "1,Red|null,Yellow|1,Brown");
    qa_done(&q);
}

Test(query_agg_arg, star_drops_the_key_column_from_the_returned_ones)
{
    /* arg_max(StartTime, *) over columns (StartTime, State, Count): the
     * binder passes StartTime, then StartTime, State, Count. */
    qa_t q;
    qa_bind(&q,
            "arg_max",
            "StartTime",
            QA_COLN(SL_TYPE_DATETIME, 0),
            QA_COLN(SL_TYPE_DATETIME, 0),
            QA_COLN(SL_TYPE_STRING, 1),
            QA_COLN(SL_TYPE_LONG, 2));
    QA_EXPECT_STR(qa_names, &q, "StartTime,<arg 3>,<arg 4>");
    QA_EXPECT_STR(qa_types, &q, "datetime,string,long");
    qa_update_ok(&q,
                 0,
                 QA_GIDS(0, 0),
                 QA_VEC(SL_TYPE_DATETIME, "2007-01-27T11:15:00Z", "2007-02-03T22:00:00Z"),
                 QA_VEC(SL_TYPE_STRING, "GUAM", "MASSACHUSETTS"),
                 QA_VEC(SL_TYPE_LONG, "1", "2"));
    QA_EXPECT_RESULT(&q, 0, 1, "2007-02-03T22:00:00Z,MASSACHUSETTS,2");
    qa_done(&q);
}

Test(query_agg_arg, an_ascending_key_copies_the_winning_row_only)
{
    /* Keys rise through each batch and across batches; each group keeps
     * the last row, with its strings intact after the batch is freed. */
    qa_t q;
    qa_bind(
      &q, "arg_max", "t", QA_COL(SL_TYPE_LONG), QA_COL(SL_TYPE_STRING), QA_COL(SL_TYPE_DYNAMIC));
    for (int b = 0; b < 3; b++) {
        size_t n = 1000;
        uint32_t *gid = calloc(n, sizeof *gid);
        sl_qvec_t *k = sl_qvec_new(SL_TYPE_LONG, n);
        sl_qvec_t *s = sl_qvec_new(SL_TYPE_STRING, n);
        sl_qvec_t *d = sl_qvec_new(SL_TYPE_DYNAMIC, n);
        for (size_t i = 0; i < n; i++) {
            char tmp[64];
            int len = snprintf(tmp, sizeof tmp, "row-%d-%zu", b, i);
            gid[i] = (uint32_t)(i % 3);
            sl_qvec_i64w(k)[i] = b * 10000 + (int64_t)i;
            sl_qvec_push_text(s, tmp, (size_t)len);
            len = snprintf(tmp, sizeof tmp, "{\"i\":%zu}", i);
            sl_qvec_push_text(d, tmp, (size_t)len);
        }
        qa_update_ok(&q, 0, ((qa_gids_t){ n, gid }), k, s, d);
        free(gid);
    }
    QA_EXPECT_RESULT(&q,
                     0,
                     3,
                     "20999,row-2-999,{\"i\":999}|20997,row-2-997,{\"i\":997}|"
                     "20998,row-2-998,{\"i\":998}");
    qa_done(&q);
}

Test(query_agg_arg, ties_keep_the_first_row)
{
    qa_t q;
    qa_bind(&q, "arg_min", "k", QA_COL(SL_TYPE_REAL), QA_COL(SL_TYPE_STRING));
    qa_update_ok(&q,
                 0,
                 QA_GIDS(0, 0, 0),
                 QA_VEC(SL_TYPE_REAL, "1", "0.5", "0.5"),
                 QA_VEC(SL_TYPE_STRING, "a", "first", "second"));
    qa_update_ok(&q, 0, QA_GIDS(0), QA_VEC(SL_TYPE_REAL, "0.5"), QA_VEC(SL_TYPE_STRING, "third"));
    QA_EXPECT_RESULT(&q, 0, 1, "0.5,first");
    qa_done(&q);
}

Test(query_agg_arg, merging_partials_keeps_the_best_row_in_any_order)
{
    for (int order = 0; order < 2; order++) {
        qa_t q;
        qa_bind(&q, "arg_max", "k", QA_COL(SL_TYPE_STRING), QA_COL(SL_TYPE_LONG));
        qa_update_ok(&q,
                     1,
                     QA_GIDS(0, 1, 2),
                     QA_VEC(SL_TYPE_STRING, "m", "a", "z"),
                     QA_VEC(SL_TYPE_LONG, "1", "2", "3"));
        qa_update_ok(
          &q, 2, QA_GIDS(0, 1), QA_VEC(SL_TYPE_STRING, "y", "b"), QA_VEC(SL_TYPE_LONG, "10", "20"));
        qa_merge(&q, 0, order ? 2 : 1);
        qa_merge(&q, 0, order ? 1 : 2);
        QA_EXPECT_RESULT(&q, 0, 4, "y,10|b,20|z,3|,null");
        qa_done(&q);
    }
}

Test(query_agg_arg, a_null_key_row_loses_to_a_keyed_row_from_another_partial)
{
    for (int order = 0; order < 2; order++) {
        qa_t q;
        qa_bind(&q, "arg_max", "k", QA_COL(SL_TYPE_LONG), QA_COL(SL_TYPE_STRING));
        qa_update_ok(
          &q, 1, QA_GIDS(0), QA_VEC(SL_TYPE_LONG, QA_NULL), QA_VEC(SL_TYPE_STRING, "nokey"));
        qa_update_ok(
          &q, 2, QA_GIDS(0), QA_VEC(SL_TYPE_LONG, "-100"), QA_VEC(SL_TYPE_STRING, "keyed"));
        qa_merge(&q, 0, order ? 2 : 1);
        qa_merge(&q, 0, order ? 1 : 2);
        QA_EXPECT_RESULT(&q, 0, 1, "-100,keyed");
        qa_done(&q);
    }
}

Test(query_agg_arg, many_returned_columns)
{
    qa_t q;
    qa_bind(&q,
            "arg_max",
            "k",
            QA_COL(SL_TYPE_LONG),
            QA_COL(SL_TYPE_LONG),
            QA_COL(SL_TYPE_LONG),
            QA_COL(SL_TYPE_LONG),
            QA_COL(SL_TYPE_LONG),
            QA_COL(SL_TYPE_LONG),
            QA_COL(SL_TYPE_LONG),
            QA_COL(SL_TYPE_LONG));
    cr_assert_eq(q.call.nout, 8);
    qa_update_ok(&q,
                 0,
                 QA_GIDS(0, 0),
                 QA_VEC(SL_TYPE_LONG, "1", "2"),
                 QA_VEC(SL_TYPE_LONG, "1", "2"),
                 QA_VEC(SL_TYPE_LONG, "1", "3"),
                 QA_VEC(SL_TYPE_LONG, "1", "4"),
                 QA_VEC(SL_TYPE_LONG, "1", "5"),
                 QA_VEC(SL_TYPE_LONG, "1", "6"),
                 QA_VEC(SL_TYPE_LONG, "1", "7"),
                 QA_VEC(SL_TYPE_LONG, "1", QA_NULL));
    QA_EXPECT_RESULT(&q, 0, 1, "2,2,3,4,5,6,7,null");
    qa_done(&q);
}

Test(query_agg_arg, arg_max_of_an_expression_leaves_its_name_to_the_binder)
{
    qa_t q;
    qa_bind(&q, "arg_max", "", QA_COL(SL_TYPE_LONG), QA_COL(SL_TYPE_BOOL));
    QA_EXPECT_STR(qa_names, &q, "<arg 1>,<arg 2>");
    qa_done(&q);
    cr_expect_eq(qa_bind_err(&q, "arg_max", "d", QA_COL(SL_TYPE_DYNAMIC), QA_COL(SL_TYPE_LONG)),
                 SL_ESEMANTIC);
    qa_done(&q);
}

Test(query_agg_arg, take_any_of_one_value_prefers_a_non_empty_one)
{
    qa_t q;
    qa_bind(&q, "take_any", "State", QA_COL(SL_TYPE_STRING));
    QA_EXPECT_STR(qa_names, &q, "State");
    QA_EXPECT_STR(qa_types, &q, "string");
    qa_update_ok(&q, 0, QA_GIDS(0, 0, 1, 2), QA_VEC(SL_TYPE_STRING, "", "TEXAS", "", "IOWA"));
    qa_update_ok(&q, 0, QA_GIDS(1, 2), QA_VEC(SL_TYPE_STRING, "OHIO", "UTAH"));
    QA_EXPECT_RESULT(&q, 0, 3, "TEXAS|OHIO|IOWA");
    qa_done(&q);

    qa_bind(&q, "take_any", "x", QA_COL(SL_TYPE_LONG));
    qa_update_ok(&q, 0, QA_GIDS(0, 0, 1), QA_VEC(SL_TYPE_LONG, QA_NULL, "4", QA_NULL));
    QA_EXPECT_RESULT(&q, 0, 2, "4|null");
    qa_done(&q);
}

Test(query_agg_arg, take_any_merges_prefer_a_value)
{
    for (int order = 0; order < 2; order++) {
        qa_t q;
        qa_bind(&q, "take_any", "x", QA_COL(SL_TYPE_DYNAMIC));
        qa_update_ok(&q, 1, QA_GIDS(0), QA_VEC(SL_TYPE_DYNAMIC, ""));
        qa_update_ok(&q, 2, QA_GIDS(0), QA_VEC(SL_TYPE_DYNAMIC, "[1]"));
        qa_merge(&q, 0, order ? 2 : 1);
        qa_merge(&q, 0, order ? 1 : 2);
        QA_EXPECT_RESULT(&q, 0, 1, "[1]");
        qa_done(&q);
    }
}

Test(query_agg_arg, take_any_of_several_values_takes_one_row)
{
    qa_t q;
    qa_bind(&q, "take_any", "a", QA_COL(SL_TYPE_STRING), QA_COL(SL_TYPE_LONG));
    QA_EXPECT_STR(qa_names, &q, "a,<arg 2>");
    qa_update_ok(
      &q, 0, QA_GIDS(0, 0), QA_VEC(SL_TYPE_STRING, "", "x"), QA_VEC(SL_TYPE_LONG, "1", "2"));
    /* The values come from one row, even when its first value is empty. */
    QA_EXPECT_RESULT(&q, 0, 1, ",1");
    qa_done(&q);
}

Test(query_agg_arg, any_adds_the_legacy_prefix)
{
    qa_t q;
    qa_bind(&q, "any", "x", QA_COL(SL_TYPE_REAL));
    QA_EXPECT_STR(qa_names, &q, "any_x");
    qa_update_ok(&q, 0, QA_GIDS(0), QA_VEC(SL_TYPE_REAL, "2.5"));
    QA_EXPECT_RESULT(&q, 0, 2, "2.5|null");
    qa_done(&q);
}

Test(query_agg_arg, take_anyif_considers_matching_rows)
{
    qa_t q;
    qa_bind(&q, "take_anyif", "x", QA_COL(SL_TYPE_LONG), QA_COL(SL_TYPE_BOOL));
    QA_EXPECT_STR(qa_names, &q, "x");
    qa_update_ok(&q,
                 0,
                 QA_GIDS(0, 0, 1),
                 QA_VEC(SL_TYPE_LONG, "1", "2", "3"),
                 QA_VEC(SL_TYPE_BOOL, "false", "true", QA_NULL));
    QA_EXPECT_RESULT(&q, 0, 2, "2|null");
    qa_done(&q);
}
