/*
 * make_set, make_set_if, make_list, make_list_if, make_bag, make_bag_if
 * and the legacy makeset/makelist (query/agg_list.c).
 */
#include "agg_test.h"

Test(query_agg_list, make_set_of_longs_in_first_seen_order)
{
    qa_t q;
    qa_bind(&q, "make_set", "Val", QA_COL(SL_TYPE_INT));
    QA_EXPECT_STR(qa_names, &q, "set_Val");
    QA_EXPECT_STR(qa_types, &q, "dynamic");
    /* The docs' "Set from array column" example, its Val column. */
    qa_update_ok(&q, 0, QA_GIDS(0, 0, 0, 0), QA_VEC(SL_TYPE_INT, "1", "5", "7", "5"));
    QA_EXPECT_RESULT(&q, 0, 1, "[1,5,7]");
    qa_done(&q);
}

Test(query_agg_list, make_set_flattens_dynamic_arrays)
{
    qa_t q;
    qa_bind(&q, "make_set", "Arr1", QA_COL(SL_TYPE_DYNAMIC));
    qa_update_ok(&q,
                 0,
                 QA_GIDS(0, 0, 0, 0),
                 QA_VEC(SL_TYPE_DYNAMIC,
                        "[\"A1\",\"A2\",\"A3\"]",
                        "[\"A2\",\"C1\"]",
                        "[\"C2\",\"A3\"]",
                        "[\"C2\",\"A1\"]"));
    QA_EXPECT_RESULT(&q, 0, 1, "[\"A1\",\"A2\",\"A3\",\"C1\",\"C2\"]");
    qa_done(&q);
}

Test(query_agg_list, make_set_skips_nulls_but_keeps_empty_strings)
{
    qa_t q;
    qa_bind(&q, "make_set", "d", QA_COL(SL_TYPE_DYNAMIC));
    qa_update_ok(&q,
                 0,
                 QA_GIDS(0, 0, 0, 0, 0),
                 QA_VEC(SL_TYPE_DYNAMIC, "", "null", "[null,1]", "{\"a\":[1]}", "1"));
    QA_EXPECT_RESULT(&q, 0, 2, "[1,{\"a\":[1]}]|[]");
    qa_done(&q);

    qa_bind(&q, "make_set", "s", QA_COL(SL_TYPE_STRING));
    qa_update_ok(&q, 0, QA_GIDS(0, 0, 0, 0), QA_VEC(SL_TYPE_STRING, "a", "", "say \"hi\"", "a"));
    QA_EXPECT_RESULT(&q, 0, 1, "[\"a\",\"\",\"say \\\"hi\\\"\"]");
    qa_done(&q);

    qa_bind(&q, "make_set", "y", QA_COL(SL_TYPE_REAL));
    qa_update_ok(&q, 0, QA_GIDS(0, 0, 0), QA_VEC(SL_TYPE_REAL, QA_NULL, "5", "5"));
    QA_EXPECT_RESULT(&q, 0, 1, "[5]");
    qa_done(&q);
}

Test(query_agg_list, make_set_renders_times_as_strings)
{
    qa_t q;
    qa_bind(&q, "make_set", "t", QA_COL(SL_TYPE_DATETIME));
    qa_update_ok(&q,
                 0,
                 QA_GIDS(0, 0),
                 QA_VEC(SL_TYPE_DATETIME, "2024-06-10T06:13:20Z", "2024-06-10T06:13:20Z"));
    QA_EXPECT_RESULT(&q, 0, 1, "[\"2024-06-10T06:13:20Z\"]");
    qa_done(&q);
    qa_bind(&q, "make_set", "b", QA_COL(SL_TYPE_BOOL));
    qa_update_ok(&q, 0, QA_GIDS(0, 0, 0), QA_VEC(SL_TYPE_BOOL, "true", "false", "true"));
    QA_EXPECT_RESULT(&q, 0, 1, "[true,false]");
    qa_done(&q);
}

Test(query_agg_list, make_set_respects_max_size_across_merges)
{
    for (int order = 0; order < 2; order++) {
        qa_t q;
        qa_bind(&q, "make_set", "x", QA_COL(SL_TYPE_LONG), QA_K(SL_TYPE_INT, "3"));
        qa_update_ok(&q, 1, QA_GIDS(0, 0), QA_VEC(SL_TYPE_LONG, "1", "2"));
        qa_update_ok(&q, 2, QA_GIDS(0, 0, 0), QA_VEC(SL_TYPE_LONG, "2", "3", "4"));
        qa_merge(&q, 0, order ? 2 : 1);
        qa_merge(&q, 0, order ? 1 : 2);
        QA_EXPECT_RESULT(&q, 0, 1, order ? "[2,3,4]" : "[1,2,3]");
        qa_done(&q);
    }
}

Test(query_agg_list, legacy_makeset_defaults_to_128_members)
{
    qa_t q;
    qa_bind(&q, "makeset", "x", QA_COL(SL_TYPE_LONG));
    QA_EXPECT_STR(qa_names, &q, "set_x");
    size_t n = 1000;
    uint32_t *gid = calloc(n, sizeof *gid);
    sl_qvec_t *v = sl_qvec_new(SL_TYPE_LONG, n);
    for (size_t i = 0; i < n; i++) {
        sl_qvec_i64w(v)[i] = (int64_t)i;
    }
    qa_update_ok(&q, 0, ((qa_gids_t){ n, gid }), v);
    free(gid);
    char *got = qa_result(&q, 0, 1);
    cr_expect(strstr(got, ",127]") != NULL, "ends at the 128th member: %.40s...", got);
    free(got);
    qa_done(&q);
}

Test(query_agg_list, max_size_must_be_a_positive_constant)
{
    qa_t q;
    cr_expect_eq(qa_bind_err(&q, "make_list", "x", QA_COL(SL_TYPE_LONG), QA_K(SL_TYPE_LONG, "0")),
                 SL_ESEMANTIC);
    cr_expect_str_eq(q.d.msg, "make_list(): maxSize must be at least 1, got 0");
    qa_done(&q);
    cr_expect_eq(qa_bind_err(&q, "make_list", "x", QA_COL(SL_TYPE_LONG), QA_COL(SL_TYPE_LONG)),
                 SL_ESEMANTIC);
    qa_done(&q);
    /* Above the documented maximum: served with the maximum. */
    qa_bind(&q, "make_list", "x", QA_COL(SL_TYPE_LONG), QA_K(SL_TYPE_LONG, "99999999"));
    qa_done(&q);
}

Test(query_agg_list, make_list_keeps_every_value_in_order)
{
    qa_t q;
    qa_bind(&q, "make_list", "name", QA_COL(SL_TYPE_STRING));
    QA_EXPECT_STR(qa_names, &q, "list_name");
    qa_update_ok(&q,
                 0,
                 QA_GIDS(0, 1, 0, 1, 0),
                 QA_VEC(SL_TYPE_STRING, "triangle", "square", "pentagon", "rectangle", "triangle"));
    QA_EXPECT_RESULT(
      &q, 0, 3, "[\"triangle\",\"pentagon\",\"triangle\"]|[\"square\",\"rectangle\"]|[]");
    qa_done(&q);
}

Test(query_agg_list, make_list_keeps_arrays_whole_and_skips_nulls)
{
    qa_t q;
    qa_bind(&q, "make_list", "d", QA_COL(SL_TYPE_DYNAMIC));
    qa_update_ok(&q,
                 0,
                 QA_GIDS(0, 0, 0, 0),
                 QA_VEC(SL_TYPE_DYNAMIC, "[1,2]", "", "null", "{\"name\":\"square\"}"));
    QA_EXPECT_RESULT(&q, 0, 1, "[[1,2],{\"name\":\"square\"}]");
    qa_done(&q);

    qa_bind(&q, "make_list", "x", QA_COL(SL_TYPE_REAL));
    qa_update_ok(&q, 0, QA_GIDS(0, 0, 0), QA_VEC(SL_TYPE_REAL, "1.5", QA_NULL, "-2"));
    QA_EXPECT_RESULT(&q, 0, 1, "[1.5,-2]");
    qa_done(&q);
}

Test(query_agg_list, make_list_merges_append_up_to_max_size)
{
    qa_t q;
    qa_bind(&q, "make_list", "x", QA_COL(SL_TYPE_STRING), QA_K(SL_TYPE_INT, "4"));
    qa_update_ok(&q, 1, QA_GIDS(0, 0, 1), QA_VEC(SL_TYPE_STRING, "a,b", "c", "z"));
    qa_update_ok(&q, 2, QA_GIDS(0, 0, 0, 0), QA_VEC(SL_TYPE_STRING, "[d]", "e", "f", "g"));
    qa_merge(&q, 0, 1);
    qa_merge(&q, 0, 2);
    QA_EXPECT_RESULT(&q, 0, 2, "[\"a,b\",\"c\",\"[d]\",\"e\"]|[\"z\"]");
    qa_done(&q);
}

Test(query_agg_list, make_list_if_and_make_set_if)
{
    qa_t q;
    qa_bind(
      &q, "make_list_if", "x", QA_COL(SL_TYPE_LONG), QA_COL(SL_TYPE_BOOL), QA_K(SL_TYPE_INT, "10"));
    QA_EXPECT_STR(qa_names, &q, "list_x");
    qa_update_ok(&q,
                 0,
                 QA_GIDS(0, 0, 0),
                 QA_VEC(SL_TYPE_LONG, "1", "2", "3"),
                 QA_VEC(SL_TYPE_BOOL, "true", QA_NULL, "true"));
    QA_EXPECT_RESULT(&q, 0, 1, "[1,3]");
    qa_done(&q);

    qa_bind(&q, "make_set_if", "x", QA_COL(SL_TYPE_LONG), QA_COL(SL_TYPE_BOOL));
    QA_EXPECT_STR(qa_names, &q, "set_x");
    qa_update_ok(&q,
                 0,
                 QA_GIDS(0, 0, 0),
                 QA_VEC(SL_TYPE_LONG, "1", "1", "3"),
                 QA_VEC(SL_TYPE_BOOL, "true", "true", "false"));
    QA_EXPECT_RESULT(&q, 0, 1, "[1]");
    qa_done(&q);
}

Test(query_agg_list, make_bag_merges_property_bags)
{
    /* The docs' example: bag_pack(prop, value) rows → one bag. */
    qa_t q;
    qa_bind(&q, "make_bag", "p", QA_COL(SL_TYPE_DYNAMIC));
    QA_EXPECT_STR(qa_names, &q, "bag_p");
    qa_update_ok(&q,
                 0,
                 QA_GIDS(0, 0, 0, 0, 0),
                 QA_VEC(SL_TYPE_DYNAMIC,
                        "{\"prop01\":\"val_a\"}",
                        "[1]",
                        "{\"prop02\":\"val_b\"}",
                        "",
                        "{\"prop03\":\"val_c\",\"prop01\":\"later\"}"));
    QA_EXPECT_RESULT(
      &q, 0, 2, "{\"prop01\":\"val_a\",\"prop02\":\"val_b\",\"prop03\":\"val_c\"}|{}");
    qa_done(&q);
}

Test(query_agg_list, make_bag_merges_partials_and_keeps_nested_values)
{
    for (int order = 0; order < 2; order++) {
        qa_t q;
        qa_bind(&q, "make_bag", "p", QA_COL(SL_TYPE_DYNAMIC));
        qa_update_ok(&q, 1, QA_GIDS(0), QA_VEC(SL_TYPE_DYNAMIC, "{\"a\":{\"x\":[1,\"}\"]}}"));
        qa_update_ok(&q, 2, QA_GIDS(0), QA_VEC(SL_TYPE_DYNAMIC, "{\"b\":null,\"c\":2}"));
        qa_merge(&q, 0, order ? 2 : 1);
        qa_merge(&q, 0, order ? 1 : 2);
        QA_EXPECT_RESULT(&q,
                         0,
                         1,
                         order ? "{\"b\":null,\"c\":2,\"a\":{\"x\":[1,\"}\"]}}"
                               : "{\"a\":{\"x\":[1,\"}\"]},\"b\":null,\"c\":2}");
        qa_done(&q);
    }
}

Test(query_agg_list, make_bag_needs_a_dynamic_value)
{
    qa_t q;
    cr_expect_eq(qa_bind_err(&q, "make_bag", "s", QA_COL(SL_TYPE_STRING)), SL_ESEMANTIC);
    cr_expect_str_eq(q.d.msg, "make_bag(): argument 1 must be a dynamic property bag, got string");
    qa_done(&q);
}

Test(query_agg_list, make_bag_if_with_max_size)
{
    qa_t q;
    qa_bind(&q,
            "make_bag_if",
            "p",
            QA_COL(SL_TYPE_DYNAMIC),
            QA_COL(SL_TYPE_BOOL),
            QA_K(SL_TYPE_INT, "2"));
    qa_update_ok(&q,
                 0,
                 QA_GIDS(0, 0, 0),
                 QA_VEC(SL_TYPE_DYNAMIC, "{\"a\":1,\"b\":2,\"c\":3}", "{\"d\":4}", "{\"e\":5}"),
                 QA_VEC(SL_TYPE_BOOL, "true", "true", "false"));
    QA_EXPECT_RESULT(&q, 0, 1, "{\"a\":1,\"b\":2}");
    qa_done(&q);
}

Test(query_agg_list, lists_fail_cleanly_past_the_memory_budget)
{
    qa_t q;
    qa_bind(&q, "make_list", "s", QA_COL(SL_TYPE_STRING));
    qa_env_limit(&q.env, 10000);
    size_t n = 2000;
    uint32_t *gid = calloc(n, sizeof *gid);
    sl_qvec_t *v = sl_qvec_new(SL_TYPE_STRING, n);
    for (size_t i = 0; i < n; i++) {
        sl_qvec_push_text(v, "0123456789", 10);
    }
    cr_expect_eq(qa_update(&q, 0, ((qa_gids_t){ n, gid }), v), SL_ELIMIT);
    free(gid);
    qa_done(&q);
}
