/*
 * Math functions (fn_misc_math.c, fn_misc_minmax.c): rounding halves away
 * from zero, integer types kept, domain errors as nulls, max_of / min_of
 * over mixed numeric types with nulls.
 */
#include "fn_misc_test.h"

Test(query_fn_misc_math, round_of_the_docs)
{
    et_expect(NULL, "round(2.98765, 3)", "2.988:real");
    et_expect(NULL, "round(2.15, 1)", "2.2:real");
    et_expect(NULL, "round(2.15)", "2:real");
    et_expect(NULL, "round(-50.55, -2)", "-100:real");
    et_expect(NULL, "round(21.5, -1)", "20:real");
}

Test(query_fn_misc_math, round_halves_away_from_zero)
{
    et_expect(NULL, "round(2.5)", "3:real");
    et_expect(NULL, "round(-2.5)", "-3:real");
    et_expect(NULL, "round(0.5)", "1:real");
    et_expect(NULL, "round(1.005, 2)", "1:real"); /* 1.005 is 1.00499... as a double */
    et_expect(NULL, "round(0.125, 2)", "0.13:real");
    et_expect(NULL, "round(-0.125, 2)", "-0.13:real");
    et_expect(NULL, "round(1.5, 400)", "1.5:real");
    et_expect(NULL, "round(123.4, -400)", "0:real");
    et_expect(NULL, "round(real(+inf), 2)", "Infinity:real");
    /* Integers stay integers; negative precisions round them. */
    et_expect(NULL, "round(1234, -2)", "1200:long");
    et_expect(NULL, "round(1250, -2)", "1300:long");
    et_expect(NULL, "round(-1250, -2)", "-1300:long");
    et_expect(NULL, "round(1249, -2)", "1200:long");
    et_expect(NULL, "round(int(15), -1)", "20:int");
    et_expect(NULL, "round(1234, 2)", "1234:long");
    et_expect(NULL, "round(1234)", "1234:long");
    et_expect(NULL, "round(5, -30)", "0:long");
    et_expect(NULL, "round(9223372036854775807, -1)", "null:long");
    et_expect(NULL, "round(real(null), 1)", "null:real");
    et_expect(NULL, "round(1.5, long(null))", "null:real");

    sl_colset_t t;
    mt_table(&t);
    et_expect(&t, "round(r)", "3|-3|0|null|NaN:real");
    et_expect(&t, "round(r, 1)", "2.5|-2.5|0.1|null|NaN:real");
    et_expect(&t, "round(l, -1)", "10|-10|0|null|null:long");
    et_expect(&t, "round(2.25, i)", "2.25|0|2|null|2.25:real");
    sl_colset_dispose(&t);
}

Test(query_fn_misc_math, floor_ceiling_abs_sign)
{
    et_expect(NULL, "floor(-1.5)", "-2:real");
    et_expect(NULL, "floor(7)", "7:long");
    et_expect(NULL, "ceiling(-1.1)", "-1:real");
    et_expect(NULL, "ceiling(1.1)", "2:real");
    et_expect(NULL, "ceiling(int(3))", "3:int");
    et_expect(NULL, "abs(-5)", "5:long");
    et_expect(NULL, "abs(-2.5)", "2.5:real");
    et_expect(NULL, "abs(-1h)", "01:00:00:timespan");
    et_expect(NULL, "abs(-9223372036854775807 - 1)", "null:long");
    et_expect(NULL, "sign(-42)", "-1:long");
    et_expect(NULL, "sign(0)", "0:long");
    et_expect(NULL, "sign(25)", "1:long");
    et_expect(NULL, "sign(0.004)", "1:real");
    et_expect(NULL, "sign(-0.0)", "0:real");

    sl_colset_t t;
    mt_table(&t);
    et_expect(&t, "floor(r)", "2|-3|0|null|NaN:real");
    et_expect(&t, "ceiling(r)", "3|-2|1|null|NaN:real");
    et_expect(&t, "abs(l)", "7|7|0|null|9223372036854775807:long");
    et_expect(&t, "abs(ts)", "1.02:03:04.5000000|01:30:00|00:00:00|null|7.00:00:00:timespan");
    et_expect(&t, "abs(i)", "3|3|0|null|2147483647:int");
    et_expect(&t, "sign(r)", "1|-1|1|null|NaN:real");
    et_expect(&t, "sign(l)", "1|-1|0|null|1:long");
    sl_colset_dispose(&t);
}

Test(query_fn_misc_math, real_functions_and_their_domains)
{
    et_expect(NULL, "sqrt(256)", "16:real");
    et_expect(NULL, "sqrt(-1)", "null:real");
    et_expect(NULL, "pow(2, 3)", "8:real");
    et_expect(NULL, "pow(2.0, -1)", "0.5:real");
    et_expect(NULL, "exp(1)", "2.718281828459045:real");
    et_expect(NULL, "exp2(10)", "1024:real");
    et_expect(NULL, "exp10(3)", "1000:real");
    et_expect(NULL, "log(5)", "1.6094379124341003:real");
    et_expect(NULL, "log(-1)", "null:real");
    et_expect(NULL, "log(0)", "-Infinity:real");
    et_expect(NULL, "log2(8)", "3:real");
    et_expect(NULL, "log10(1000)", "3:real");
    et_expect(NULL, "log10(-5)", "null:real");
    et_expect(NULL, "sin(0)", "0:real");
    et_expect(NULL, "cos(0)", "1:real");
    et_expect(NULL, "acos(2)", "null:real");
    et_expect(NULL, "asin(1) * 2 == pi()", "true:bool");
    et_expect(NULL, "atan2(1, 1) * 4 == pi()", "true:bool");
    et_expect(NULL, "degrees(pi())", "180:real");
    et_expect(NULL, "radians(180) == pi()", "true:bool");
    et_expect(NULL, "pow(real(null), 2)", "null:real");

    sl_colset_t t;
    mt_table(&t);
    et_expect(&t, "sqrt(r)", "1.5811388300841898|null|0.31622776601683794|null|NaN:real");
    et_expect(&t, "pow(l, 2)", "49|49|0|null|8.507059173023462e+37:real");
    et_expect(&t, "log10(i)", "0.47712125471966244|null|-Infinity|null|9.331929865381182:real");
    sl_colset_dispose(&t);
}

Test(query_fn_misc_math, isnan_isinf_isfinite)
{
    et_expect(NULL, "isnan(real(nan))", "true:bool");
    et_expect(NULL, "isnan(1)", "false:bool");
    et_expect(NULL, "isinf(real(+inf))", "true:bool");
    et_expect(NULL, "isinf(real(-inf))", "true:bool");
    et_expect(NULL, "isinf(1.0 / 0)", "true:bool");
    et_expect(NULL, "isfinite(1)", "true:bool");
    et_expect(NULL, "isfinite(real(nan))", "false:bool");
    et_expect(NULL, "isnan(real(null))", "null:bool");

    sl_colset_t t;
    mt_table(&t);
    et_expect(&t, "isnan(r)", "false|false|false|null|true:bool");
    et_expect(&t, "isfinite(r)", "true|true|true|null|false:bool");
    et_expect(&t, "isinf(l)", "false|false|false|null|false:bool");
    sl_colset_dispose(&t);
}

Test(query_fn_misc_math, max_of_and_min_of)
{
    et_expect(NULL, "max_of(10, 1, -3, 17)", "17:long");
    et_expect(NULL, "min_of(10, 1, -3, 17)", "-3:long");
    et_expect(NULL, "max_of(1, 2.5)", "2.5:real");
    et_expect(NULL, "max_of(int(1), 2)", "2:long");
    et_expect(NULL, "min_of('b', 'a', 'c')", "a:string");
    et_expect(NULL, "min_of('b', '')", ":string");
    et_expect(NULL,
              "max_of(datetime(2024-12-15 07:15:22), datetime(2024-12-15 07:15:24))",
              "2024-12-15T07:15:24Z:datetime");
    et_expect(NULL, "min_of(1h, -1h)", "-01:00:00:timespan");
    et_expect(NULL, "max_of(false, true)", "true:bool");
    et_expect(NULL, "max_of(real(nan), 1.0)", "1:real");
    /* Non-null values take precedence over nulls. */
    et_expect(NULL, "max_of(int(null), 2)", "2:long");
    et_expect(NULL, "min_of(long(null), long(null))", "null:long");
    mt_expect_error(NULL, "max_of(1, 'a')", "does not match");
    mt_expect_error(NULL, "max_of(1h, now())", "does not match");
    mt_expect_error(NULL, "max_of(dynamic(1), dynamic(2))", "max_of(): argument 1 must be");

    /* The docs' table: (1, 6), (8, 1), (null, 2), (1, null), (null, null). */
    sl_colset_t t;
    sl_colset_init(&t);
    int a = sl_colset_add(&t, "A", SL_TYPE_INT);
    int b = sl_colset_add(&t, "B", SL_TYPE_INT);
    const int av[] = { 1, 8, -1, 1, -1 }, bv[] = { 6, 1, 2, -1, -1 };
    for (int k = 0; k < 5; k++) {
        if (av[k] < 0) {
            sl_col_push_null(&t.cols[a]);
        } else {
            sl_col_push_i64(&t.cols[a], av[k]);
        }
        if (bv[k] < 0) {
            sl_col_push_null(&t.cols[b]);
        } else {
            sl_col_push_i64(&t.cols[b], bv[k]);
        }
        sl_colset_end_row(&t);
    }
    et_expect(&t, "max_of(A, B)", "6|8|2|1|null:int");
    et_expect(&t, "min_of(A, B)", "1|1|2|1|null:int");
    sl_colset_dispose(&t);

    mt_table(&t);
    et_expect(&t, "max_of(l, i, r)", "7|-2.5|0.1|null|9.223372036854776e+18:real");
    et_expect(&t,
              "min_of(d, datetime(2000-01-01))",
              "2000-01-01T00:00:00Z|1969-12-31T23:59:59.9999999Z|2000-01-01T00:00:00Z|"
              "2000-01-01T00:00:00Z|0001-01-01T00:00:00Z:datetime");
    et_expect(&t, "max_of(s, 'b')", "b|b|b|b|b:string");
    sl_colset_dispose(&t);
}

Test(query_fn_misc_math, type_errors_at_bind_time)
{
    mt_expect_error(NULL, "round('1.5')", "round(): argument 1 must be a number, got string");
    mt_expect_error(NULL, "round(1.5, 'x')", "round(): argument 2 must be an integer");
    mt_expect_error(NULL, "sqrt(now())", "sqrt(): argument 1 must be a number, got datetime");
    mt_expect_error(NULL, "abs('x')", "abs(): argument 1 must be a number");
    mt_expect_error(NULL, "pow(2, '3')", "pow(): argument 2 must be a number");
    /* A dynamic number is read as a real. */
    et_expect(NULL, "sqrt(dynamic(16))", "4:real");
    et_expect(NULL, "round(dynamic(2.5))", "3:real");
}
