/*
 * Conditionals and null tests (fn_misc_cond.c, fn_misc_null.c): iff / iif,
 * case, coalesce, not, isnull, isnotnull, isempty, isnotempty, gettype.
 */
#include "fn_misc_test.h"

Test(query_fn_misc_cond, iff_picks_a_branch)
{
    et_expect(NULL, "iff(1 > 0, 'yes', 'no')", "yes:string");
    et_expect(NULL, "iif(1 < 0, 'yes', 'no')", "no:string");
    /* A null condition takes the else branch. */
    et_expect(NULL, "iff(bool(null), 1, 2)", "2:long");
    /* Branches of different numeric types promote to the wider. */
    et_expect(NULL, "iff(true, 1, 2.5)", "1:real");
    et_expect(NULL, "iff(true, int(1), 2)", "1:long");
    et_expect(NULL, "iff(true, long(null), 2)", "null:long");
    et_expect(NULL, "iff(false, now(), datetime(null))", "null:datetime");
    et_expect(NULL, "iff(dynamic(true), 'a', 'b')", "a:string");

    sl_colset_t t;
    mt_table(&t);
    et_expect(&t, "iff(b, l, -l)", "7|7|0|null|9223372036854775807:long");
    et_expect(&t, "iff(b, l, long(null))", "7|null|0|null|9223372036854775807:long");
    et_expect(&t, "iff(b, 1h, ts)", "01:00:00|-01:30:00|01:00:00|null|01:00:00:timespan");
    et_expect(&t, "iff(b, l, r)", "7|-2.5|0|null|9.223372036854776e+18:real");
    et_expect(&t, "iff(b, s, 'x')", "123|x|1.5|x|abc:string");
    et_expect(&t,
              "iff(b, d, datetime(2000-01-01))",
              "2017-01-29T09:00:05Z|2000-01-01T00:00:00Z|2016-02-29T12:00:00Z|"
              "2000-01-01T00:00:00Z|0001-01-01T00:00:00Z:datetime");
    et_expect(&t,
              "iff(b, g, guid(00000000-0000-0000-0000-000000000001))",
              "74be27de-1e4e-49d9-b579-fe0b331d3642|00000000-0000-0000-0000-000000000001||"
              "00000000-0000-0000-0000-000000000001|:guid");
    et_expect(&t, "iff(l > 0, true, b)", "true|false|true|null|true:bool");
    et_expect(&t, "iff(l > 0, dy, dynamic(null))", "12|null|null|null|[1,2]:dynamic");
    sl_colset_dispose(&t);
}

Test(query_fn_misc_cond, case_takes_the_first_true_predicate)
{
    et_expect(NULL, "case(1 > 2, 'a', 2 > 1, 'b', 'c')", "b:string");
    et_expect(NULL, "case(false, 1, false, 2, 3)", "3:long");
    et_expect(NULL, "case(bool(null), 1, 2)", "2:long");
    et_expect(NULL, "case(true, 1, true, 2.5, 3)", "1:real");

    /* The docs' example over Size = 1, 3, ..., 15. */
    sl_colset_t t;
    sl_colset_init(&t);
    int c = sl_colset_add(&t, "Size", SL_TYPE_LONG);
    for (int k = 1; k <= 15; k += 2) {
        sl_col_push_i64(&t.cols[c], k);
        sl_colset_end_row(&t);
    }
    et_expect(&t,
              "case(Size <= 3, 'Small', Size <= 10, 'Medium', 'Large')",
              "Small|Small|Medium|Medium|Medium|Large|Large|Large:string");
    sl_colset_dispose(&t);

    mt_table(&t);
    et_expect(
      &t, "case(l > 5, 'big', l > -10, 'small', 'none')", "big|small|small|none|big:string");
    et_expect(&t,
              "case(b, ts, 1h)",
              "1.02:03:04.5000000|01:00:00|00:00:00|01:00:00|7.00:00:00"
              ":timespan");
    sl_colset_dispose(&t);

    mt_expect_error(NULL, "case(true, 1, false, 2)", "odd number of arguments");
    mt_expect_error(NULL, "case(1, 2, 3)", "case(): argument 1 must be a bool, got long");
    mt_expect_error(NULL, "case(true, 1, 'x')", "does not match");
}

Test(query_fn_misc_cond, coalesce_returns_the_first_value)
{
    et_expect(NULL, "coalesce(tolong('not a number'), tolong('42'), 33)", "42:long");
    et_expect(NULL, "coalesce(long(null), 5, 6)", "5:long");
    et_expect(NULL, "coalesce(int(null), 2.5)", "2.5:real");
    /* Strings: the first non-empty one. */
    et_expect(NULL, "coalesce('', 'x')", "x:string");
    et_expect(NULL, "coalesce('', '')", ":string");
    et_expect(NULL, "coalesce(long(null), long(null))", "null:long");
    mt_expect_error(NULL, "coalesce(1, 'a')", "does not match");

    sl_colset_t t;
    mt_table(&t);
    et_expect(&t, "coalesce(l, 9)", "7|-7|0|9|9223372036854775807:long");
    et_expect(&t, "coalesce(s, 'empty')", "123| 12 |1.5|empty|abc:string");
    et_expect(&t,
              "coalesce(d, datetime(2000-01-01))",
              "2017-01-29T09:00:05Z|1969-12-31T23:59:59.9999999Z|2016-02-29T12:00:00Z|"
              "2000-01-01T00:00:00Z|0001-01-01T00:00:00Z:datetime");
    et_expect(&t,
              "coalesce(g, guid(00000000-0000-0000-0000-000000000001))",
              "74be27de-1e4e-49d9-b579-fe0b331d3642|00000000-0000-0000-0000-000000000001|"
              "00000000-0000-0000-0000-000000000001|00000000-0000-0000-0000-000000000001|"
              "00000000-0000-0000-0000-000000000001:guid");
    et_expect(&t, "coalesce(dy, dynamic(5))", "12|2017-01-01|true|5|[1,2]:dynamic");
    et_expect(&t, "coalesce(b, false)", "true|false|true|false|true:bool");
    sl_colset_dispose(&t);
}

Test(query_fn_misc_cond, null_and_empty_tests)
{
    /* The docs' examples. */
    et_expect(NULL, "isnull('')", "false:bool");
    et_expect(NULL, "isnull('x')", "false:bool");
    et_expect(NULL, "isnull(dynamic(null))", "true:bool");
    et_expect(NULL, "isnull(dynamic([]))", "false:bool");
    et_expect(NULL, "isnull(long(null))", "true:bool");
    et_expect(NULL, "isnotnull(5)", "true:bool");
    et_expect(NULL, "isempty('')", "true:bool");
    et_expect(NULL, "isempty('x')", "false:bool");
    et_expect(NULL, "isempty(dynamic(null))", "true:bool");
    et_expect(NULL, "isempty(dynamic([]))", "false:bool");
    et_expect(NULL, "isempty(dynamic({}))", "false:bool");
    et_expect(NULL, "isempty(long(null))", "true:bool");
    et_expect(NULL, "isempty(0)", "false:bool");
    et_expect(NULL, "isnotempty('a')", "true:bool");

    sl_colset_t t;
    mt_table(&t);
    et_expect(&t, "isnull(l)", "false|false|false|true|false:bool");
    et_expect(&t, "isnotnull(d)", "true|true|true|false|true:bool");
    et_expect(&t, "isnull(s)", "false|false|false|false|false:bool");
    et_expect(&t, "isempty(s)", "false|false|false|true|false:bool");
    et_expect(&t, "isnotempty(s)", "true|true|true|false|true:bool");
    et_expect(&t, "isnull(g)", "false|true|true|true|true:bool");
    et_expect(&t, "isempty(dy)", "false|false|false|true|false:bool");
    et_expect(&t, "isnotnull(dy)", "true|true|true|false|true:bool");
    et_expect(&t, "isnull(per)", "false|false|false|false|false:bool");
    sl_colset_dispose(&t);
}

Test(query_fn_misc_cond, not_negates_with_nulls)
{
    et_expect(NULL, "not(true)", "false:bool");
    et_expect(NULL, "not(false)", "true:bool");
    et_expect(NULL, "not(bool(null))", "null:bool");
    et_expect(NULL, "not(1 > 2)", "true:bool");
    mt_expect_error(NULL, "not(1)", "not(): argument 1 must be a bool, got long");

    sl_colset_t t;
    mt_table(&t);
    et_expect(&t, "not(b)", "false|true|false|null|false:bool");
    et_expect(&t, "not(isempty(s))", "true|true|true|false|true:bool");
    sl_colset_dispose(&t);
}

Test(query_fn_misc_cond, gettype_names_types)
{
    et_expect(NULL, "gettype('a')", "string:string");
    et_expect(NULL, "gettype(111)", "long:string");
    et_expect(NULL, "gettype(int(1))", "int:string");
    et_expect(NULL, "gettype(1 == 1)", "bool:string");
    et_expect(NULL, "gettype(now())", "datetime:string");
    et_expect(NULL, "gettype(1s)", "timespan:string");
    et_expect(NULL, "gettype(123.45)", "real:string");
    et_expect(NULL, "gettype(guid(12e8b78d-55b4-46ae-b068-26d7a0080254))", "guid:string");
    et_expect(NULL, "gettype(dynamic(1))", "int:string");
    et_expect(NULL, "gettype(dynamic(12345678901))", "long:string");
    et_expect(NULL, "gettype(dynamic(1.5))", "real:string");
    et_expect(NULL, "gettype(dynamic('abc'))", "string:string");
    et_expect(NULL, "gettype(dynamic({\"abc\":1}))", "dictionary:string");
    et_expect(NULL, "gettype(dynamic([1, 2, 3]))", "array:string");
    et_expect(NULL, "gettype(dynamic(null))", "null:string");

    sl_colset_t t;
    mt_table(&t);
    et_expect(&t, "gettype(dy)", "int|string|bool|null|array:string");
    et_expect(&t, "gettype(l)", "long|long|long|long|long:string");
    sl_colset_dispose(&t);
}
