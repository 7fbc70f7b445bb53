/*
 * `in` and friends (in, !in, in~, !in~), has_any / has_all, and between /
 * !between: scalar and dynamic-array items, items from columns, the
 * comparison rules per lhs type, and nulls.
 */
#include "fn_text_test.h"

static const char *const words[] = { "abc", "ABC", "", "bca", "x y" };

Test(query_fn_text_in, docs_examples)
{
    ft_both("abc", "s in ('123', '345', 'abc')", "true:bool");
    ft_both("bca", "s !in ('123', '345', 'abc')", "true:bool");
    ft_both("Abc", "s in~ ('123', '345', 'abc')", "true:bool");
    ft_both("bCa", "s !in~ ('123', '345', 'abc')", "true:bool");
    ft_both("Abc", "s in ('123', '345', 'abc')", "false:bool");
    ft_both("North America", "s has_any ('south', 'north')", "true:bool");
    ft_both("North America", "s has_all ('south', 'north')", "false:bool");
    ft_both("North America", "s has_all ('america', 'north')", "true:bool");
}

Test(query_fn_text_in, string_column_against_a_list)
{
    sl_colset_t t;
    ft_strings(&t, words, SL_ARRAY_SIZE(words));
    et_expect(&t, "s in ('abc', '')", "true|false|true|false|false:bool");
    et_expect(&t, "s !in ('abc', '')", "false|true|false|true|true:bool");
    et_expect(&t, "s in~ ('abc', 'X Y')", "true|true|false|false|true:bool");
    et_expect(&t, "s !in~ ('abc')", "false|false|true|true|true:bool");
    et_expect(&t, "s in ('zzz')", "false|false|false|false|false:bool");
    sl_colset_dispose(&t);
}

Test(query_fn_text_in, dynamic_arrays_count_as_their_elements)
{
    sl_colset_t t;
    ft_strings(&t, words, SL_ARRAY_SIZE(words));
    et_expect(&t, "s in (dynamic(['abc', 'x y']))", "true|false|false|false|true:bool");
    et_expect(
      &t, "s in ('bca', dynamic(['abc']), dynamic([]))", "true|false|false|true|false:bool");
    et_expect(&t, "s in~ (dynamic(['ABC', null, 1]))", "true|true|false|false|false:bool");
    sl_colset_dispose(&t);
    et_expect(NULL, "5 in (dynamic([1, 5, 9]))", "true:bool");
    et_expect(NULL, "5 in (dynamic([1.0, 5.0]))", "true:bool");
    et_expect(NULL, "5 in (dynamic(['5', {\"a\":5}]))", "false:bool");
    et_expect(NULL, "2.5 in (dynamic([1, 2.5]))", "true:bool");
    et_expect(NULL, "'1' in (dynamic([1]))", "true:bool");
    et_expect(NULL, "true in (dynamic([false, true]))", "true:bool");
    et_expect(NULL, "datetime(2024-01-01) in (dynamic([datetime(2024-01-01)]))", "true:bool");
    et_expect(NULL, "1h in (dynamic([timespan(1h), 2h]))", "true:bool");
}

Test(query_fn_text_in, numbers_compare_by_value)
{
    sl_colset_t t;
    et_table(&t); /* a: 1, 5, null, -3 */
    et_expect(&t, "a in (1, 5)", "true|true|false|false:bool");
    et_expect(&t, "a !in (1, 5)", "false|false|true|true:bool");
    et_expect(&t, "a in (5.0, -3.5)", "false|true|false|false:bool");
    et_expect(&t, "r in (1.5, -3)", "true|false|false|true:bool");
    et_expect(&t, "a in (r)", "false|true|false|true:bool");
    et_expect(&t, "a in (r, 1)", "true|true|false|true:bool");
    sl_colset_dispose(&t);
    et_expect(NULL, "long(null) in (1, 2)", "false:bool");
    et_expect(NULL, "long(null) !in (1, 2)", "true:bool");
    et_expect(NULL, "1 in (long(null))", "false:bool");
    et_expect(NULL, "real(nan) in (real(nan))", "false:bool");
    et_expect(NULL, "0.0 in (-0.0)", "true:bool");
    et_expect(NULL, "9223372036854775807 in (9223372036854775806)", "false:bool");
}

Test(query_fn_text_in, incomparable_items_are_bind_errors)
{
    char *got = et_eval(NULL, "1 in ('a')");
    cr_expect(strstr(got, "SL_ESEMANTIC") && strstr(got, "cannot be compared"), "%s", got);
    free(got);
    got = et_eval(NULL, "datetime(2024-01-01) in (1)");
    cr_expect(strstr(got, "SL_ESEMANTIC"), "%s", got);
    free(got);
}

Test(query_fn_text_in, items_from_columns)
{
    sl_colset_t t;
    sl_colset_init(&t);
    int s = sl_colset_add(&t, "s", SL_TYPE_STRING);
    int p = sl_colset_add(&t, "p", SL_TYPE_STRING);
    static const char *const rows[][2] = { { "a", "a" }, { "a", "A" }, { "b", "c" } };
    for (size_t i = 0; i < 3; i++) {
        sl_col_push_text(&t.cols[s], rows[i][0], 1);
        sl_col_push_text(&t.cols[p], rows[i][1], 1);
        sl_colset_end_row(&t);
    }
    et_expect(&t, "s in (p)", "true|false|false:bool");
    et_expect(&t, "s in~ (p)", "true|true|false:bool");
    et_expect(&t, "s in (p, 'b')", "true|false|true:bool");
    et_expect(&t, "s !in (p, 'b')", "false|true|false:bool");
    et_expect(&t, "'c' in (p)", "false|false|true:bool");
    sl_colset_dispose(&t);
}

Test(query_fn_text_in, has_any_and_has_all_over_a_column)
{
    static const char *const v[] = {
        "Failed password for root from 10.1.2.3",
        "session opened for user bob",
        "",
        "error: disk full",
        "ERROR in module",
    };
    sl_colset_t t;
    ft_strings(&t, v, SL_ARRAY_SIZE(v));
    et_expect(&t, "s has_any ('error', 'bob')", "false|true|false|true|true:bool");
    et_expect(&t, "s has_any ('err')", "false|false|false|false|false:bool");
    et_expect(&t, "s has_any ('10.1.2.3')", "true|false|false|false|false:bool");
    et_expect(&t, "s has_all ('error', 'disk')", "false|false|false|true|false:bool");
    et_expect(&t, "s has_all ('for', 'from', 'root')", "true|false|false|false|false:bool");
    et_expect(&t, "s has_any (dynamic(['module', 'full']))", "false|false|false|true|true:bool");
    et_expect(&t, "s has_any (dynamic([]))", "false|false|false|false|false:bool");
    et_expect(&t, "s has_all (dynamic([]))", "true|true|true|true|true:bool");
    et_expect(&t, "s has_any ('')", "true|true|true|true|true:bool");
    sl_colset_dispose(&t);
}

Test(query_fn_text_in, has_any_with_a_long_watch_list)
{
    /* More than a few needles: the row's terms are looked up in a set;
     * multi-term needles and needles with separators keep term search. */
    static const char *const v[] = {
        "Failed password for root from 10.1.2.3",
        "session opened for user bob",
        "",
        "error: disk full",
        "GET /index.html 200",
        "ip 10.1.2.30 seen",
    };
    sl_colset_t t;
    ft_strings(&t, v, SL_ARRAY_SIZE(v));
    const char *list = "dynamic(['alpha', 'beta', 'gamma', 'delta', 'BOB', '10.1.2.3', "
                       "'index.html', 'epsilon', 'zeta'])";
    char expr[300];
    snprintf(expr, sizeof expr, "s has_any (%s)", list);
    et_expect(&t, expr, "true|true|false|false|true|false:bool");
    snprintf(expr, sizeof expr, "s has_any (%s, 'error:')", list);
    et_expect(&t, expr, "true|true|false|true|true|false:bool");
    snprintf(expr, sizeof expr, "s has_any (%s, '')", list);
    et_expect(&t, expr, "true|true|true|true|true|true:bool");
    sl_colset_dispose(&t);
    et_expect(NULL, "'a Bob b' has_any ('q', 'w', 'e', 'r', 't', 'y', 'bob')", "true:bool");
    et_expect(NULL, "'a Bobby b' has_any ('q', 'w', 'e', 'r', 't', 'y', 'bob')", "false:bool");
}

Test(query_fn_text_in, has_any_with_needles_from_a_column)
{
    sl_colset_t t;
    sl_colset_init(&t);
    int s = sl_colset_add(&t, "s", SL_TYPE_STRING);
    int p = sl_colset_add(&t, "p", SL_TYPE_STRING);
    static const char *const rows[][2] = { { "a b c", "b" }, { "a b c", "x" }, { "q", "q" } };
    for (size_t i = 0; i < 3; i++) {
        sl_col_push_text(&t.cols[s], rows[i][0], strlen(rows[i][0]));
        sl_col_push_text(&t.cols[p], rows[i][1], strlen(rows[i][1]));
        sl_colset_end_row(&t);
    }
    et_expect(&t, "s has_any (p)", "true|false|true:bool");
    et_expect(&t, "s has_any ('z', p)", "true|false|true:bool");
    et_expect(&t, "s has_all ('a', p)", "true|false|false:bool");
    sl_colset_dispose(&t);
}

Test(query_fn_text_in, between_numbers_datetimes_timespans)
{
    sl_colset_t t;
    et_table(&t); /* a: 1, 5, null, -3; r: 1.5, 5.0, 0.25, -3.0 */
    et_expect(&t, "a between (1 .. 5)", "true|true|null|false:bool");
    et_expect(&t, "a !between (1 .. 5)", "false|false|null|true:bool");
    et_expect(&t, "r between (0.25 .. 1.5)", "true|false|true|false:bool");
    et_expect(&t, "a between (r .. 10)", "false|true|null|true:bool");
    et_expect(&t, "r between (-3 .. a)", "false|true|null|true:bool");
    sl_colset_dispose(&t);
    et_expect(NULL, "50 between (50 .. 55)", "true:bool");
    et_expect(NULL, "56 between (50 .. 55)", "false:bool");
    et_expect(NULL, "5 between (long(null) .. 6)", "null:bool");
    et_expect(NULL, "real(nan) between (0.0 .. 1.0)", "false:bool");
    et_expect(NULL,
              "datetime(2007-07-28) between (datetime(2007-07-27) .. datetime(2007-07-30))",
              "true:bool");
    et_expect(NULL,
              "datetime(2007-07-30 00:00:01) between (datetime(2007-07-27) .. "
              "datetime(2007-07-30))",
              "false:bool");
    /* A timespan upper bound: lo .. lo + span. */
    et_expect(NULL, "datetime(2007-07-29) between (datetime(2007-07-27) .. 3d)", "true:bool");
    et_expect(NULL, "datetime(2007-07-30) between (datetime(2007-07-27) .. 3d)", "true:bool");
    et_expect(
      NULL, "datetime(2007-07-30 00:00:01) between (datetime(2007-07-27) .. 3d)", "false:bool");
    et_expect(NULL, "90m between (1h .. 2h)", "true:bool");
    et_expect(NULL,
              "9223372036854775807 between (9223372036854775806 .. 9223372036854775807)",
              "true:bool");
}

Test(query_fn_text_in, between_rejects_mixed_types)
{
    char *got = et_eval(NULL, "'a' between ('a' .. 'b')");
    cr_expect(strstr(got, "SL_ESEMANTIC") && strstr(got, "between"), "%s", got);
    free(got);
    got = et_eval(NULL, "5 between (1 .. 1h)");
    cr_expect(strstr(got, "SL_ESEMANTIC"), "%s", got);
    free(got);
}
