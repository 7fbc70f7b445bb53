/*
 * Datetime functions of one datetime (fn_misc_time.c): now/ago and their
 * folding, startofX/endofX with offsets, calendar fields and
 * datetime_part, on the docs' examples, dates before 1970, leap years and
 * the ends of the datetime range.
 */
#include "fn_misc_test.h"

/* et_eval's now(): 2024-06-10T12:00:00Z. */

Test(query_fn_misc_time, now_and_ago_use_the_query_now)
{
    et_expect(NULL, "now()", "2024-06-10T12:00:00Z:datetime");
    et_expect(NULL, "now(-2d)", "2024-06-08T12:00:00Z:datetime");
    et_expect(NULL, "ago(1h)", "2024-06-10T11:00:00Z:datetime");
    et_expect(NULL, "ago(-1d)", "2024-06-11T12:00:00Z:datetime");
    et_expect(NULL, "ago(1h) == now() - 1h", "true:bool");
    et_expect(NULL, "ago(timespan(null))", "null:datetime");
    et_expect(NULL, "ago(1000000d)", "null:datetime");

    sl_colset_t t;
    mt_table(&t);
    et_expect(&t,
              "ago(ts)",
              "2024-06-09T09:56:55.5Z|2024-06-10T13:30:00Z|2024-06-10T12:00:00Z|null|"
              "2024-06-03T12:00:00Z:datetime");
    et_expect(&t,
              "now(ts)",
              "2024-06-11T14:03:04.5Z|2024-06-10T10:30:00Z|2024-06-10T12:00:00Z|null|"
              "2024-06-17T12:00:00Z:datetime");
    sl_colset_dispose(&t);
}

Test(query_fn_misc_time, ago_folds_to_a_constant_at_bind_time)
{
    sl_pool_t *pool = sl_pool_create();
    sl_diag_t d = { 0 };
    sl_qexpr_t *e = mt_bind(pool, "ago(1h)", &d);
    cr_assert_not_null(e, "%s", d.msg);
    cr_expect_eq(e->kind, SL_QX_CONST);
    cr_expect_eq(e->type, SL_TYPE_DATETIME);
    cr_expect_eq(sl_qvec_i64(e->konst, 0), INT64_C(17180208000000000) - SL_TICKS_PER_HOUR);
    e = mt_bind(pool, "startofday(ago(1d))", &d);
    cr_assert_not_null(e, "%s", d.msg);
    cr_expect_eq(e->kind, SL_QX_CONST);
    sl_pool_destroy(pool);
}

Test(query_fn_misc_time, startof_with_offsets)
{
    /* The docs' examples. */
    et_expect(NULL, "startofday(datetime(2017-01-01 10:10:17))", "2017-01-01T00:00:00Z:datetime");
    et_expect(
      NULL, "startofday(datetime(2017-01-01 10:10:17), -1)", "2016-12-31T00:00:00Z:datetime");
    et_expect(
      NULL, "startofday(datetime(2017-01-01 10:10:17), 1)", "2017-01-02T00:00:00Z:datetime");
    et_expect(
      NULL, "startofweek(datetime(2017-01-01 10:10:17), -1)", "2016-12-25T00:00:00Z:datetime");
    et_expect(NULL, "startofweek(datetime(2017-01-01 10:10:17))", "2017-01-01T00:00:00Z:datetime");
    et_expect(
      NULL, "startofweek(datetime(2017-01-01 10:10:17), 1)", "2017-01-08T00:00:00Z:datetime");
    et_expect(
      NULL, "startofmonth(datetime(2017-01-01 10:10:17), -1)", "2016-12-01T00:00:00Z:datetime");
    et_expect(
      NULL, "startofmonth(datetime(2017-01-01 10:10:17), 1)", "2017-02-01T00:00:00Z:datetime");
    et_expect(
      NULL, "startofyear(datetime(2017-01-01 10:10:17), -1)", "2016-01-01T00:00:00Z:datetime");
    et_expect(
      NULL, "startofyear(datetime(2017-01-01 10:10:17), 1)", "2018-01-01T00:00:00Z:datetime");
    /* Weeks start on Sunday, before 1970 too (1969-12-31 was a Wednesday). */
    et_expect(NULL, "startofweek(datetime(1969-12-31 12:00))", "1969-12-28T00:00:00Z:datetime");
    et_expect(NULL, "startofmonth(datetime(2016-03-15), -13)", "2015-02-01T00:00:00Z:datetime");
    et_expect(NULL, "startofday(datetime(null))", "null:datetime");
    et_expect(NULL, "startofday(now(), long(null))", "null:datetime");
    /* Leaving 0001..9999 gives null. */
    et_expect(NULL, "startofyear(datetime(0001-06-01), -1)", "null:datetime");
    et_expect(NULL, "startofmonth(datetime(9999-12-01), 1)", "null:datetime");
    et_expect(NULL, "startofday(now(), 9223372036854775807)", "null:datetime");

    sl_colset_t t;
    mt_table(&t);
    et_expect(&t,
              "startofday(d)",
              "2017-01-29T00:00:00Z|1969-12-31T00:00:00Z|2016-02-29T00:00:00Z|null|"
              "0001-01-01T00:00:00Z:datetime");
    et_expect(&t,
              "startofweek(d)",
              "2017-01-29T00:00:00Z|1969-12-28T00:00:00Z|2016-02-28T00:00:00Z|null|null"
              ":datetime");
    et_expect(&t,
              "startofmonth(d)",
              "2017-01-01T00:00:00Z|1969-12-01T00:00:00Z|2016-02-01T00:00:00Z|null|"
              "0001-01-01T00:00:00Z:datetime");
    et_expect(&t,
              "startofyear(d)",
              "2017-01-01T00:00:00Z|1969-01-01T00:00:00Z|2016-01-01T00:00:00Z|null|"
              "0001-01-01T00:00:00Z:datetime");
    et_expect(&t,
              "startofday(d, -1)",
              "2017-01-28T00:00:00Z|1969-12-30T00:00:00Z|2016-02-28T00:00:00Z|null|null"
              ":datetime");
    et_expect(&t,
              "startofmonth(d, l)",
              "2017-08-01T00:00:00Z|1969-05-01T00:00:00Z|2016-02-01T00:00:00Z|null|null"
              ":datetime");
    et_expect(&t,
              "startofmonth(d, i)",
              "2017-04-01T00:00:00Z|1969-09-01T00:00:00Z|2016-02-01T00:00:00Z|null|null"
              ":datetime");
    sl_colset_dispose(&t);
}

Test(query_fn_misc_time, endof_is_the_last_tick)
{
    /* The docs' examples. */
    et_expect(
      NULL, "endofday(datetime(2017-01-01 10:10:17), -1)", "2016-12-31T23:59:59.9999999Z:datetime");
    et_expect(
      NULL, "endofday(datetime(2017-01-01 10:10:17))", "2017-01-01T23:59:59.9999999Z:datetime");
    et_expect(NULL,
              "endofweek(datetime(2017-01-01 10:10:17), -1)",
              "2016-12-31T23:59:59.9999999Z:datetime");
    et_expect(
      NULL, "endofweek(datetime(2017-01-01 10:10:17), 1)", "2017-01-14T23:59:59.9999999Z:datetime");
    et_expect(NULL,
              "endofmonth(datetime(2017-01-01 10:10:17), 1)",
              "2017-02-28T23:59:59.9999999Z:datetime");
    et_expect(
      NULL, "endofyear(datetime(2017-01-01 10:10:17), 1)", "2018-12-31T23:59:59.9999999Z:datetime");
    /* Leap years. */
    et_expect(NULL, "endofmonth(datetime(2016-02-10))", "2016-02-29T23:59:59.9999999Z:datetime");
    et_expect(NULL, "endofmonth(datetime(1900-02-10))", "1900-02-28T23:59:59.9999999Z:datetime");
    et_expect(NULL, "endofmonth(datetime(2000-02-10))", "2000-02-29T23:59:59.9999999Z:datetime");
    /* The very last tick of the range is still in it. */
    et_expect(NULL, "endofyear(datetime(9999-05-05))", "9999-12-31T23:59:59.9999999Z:datetime");
    et_expect(NULL, "endofyear(datetime(9999-05-05), 1)", "null:datetime");

    sl_colset_t t;
    mt_table(&t);
    et_expect(&t,
              "endofday(d)",
              "2017-01-29T23:59:59.9999999Z|1969-12-31T23:59:59.9999999Z|"
              "2016-02-29T23:59:59.9999999Z|null|0001-01-01T23:59:59.9999999Z:datetime");
    et_expect(&t,
              "endofweek(d)",
              "2017-02-04T23:59:59.9999999Z|1970-01-03T23:59:59.9999999Z|"
              "2016-03-05T23:59:59.9999999Z|null|0001-01-06T23:59:59.9999999Z:datetime");
    et_expect(&t,
              "endofmonth(d)",
              "2017-01-31T23:59:59.9999999Z|1969-12-31T23:59:59.9999999Z|"
              "2016-02-29T23:59:59.9999999Z|null|0001-01-31T23:59:59.9999999Z:datetime");
    sl_colset_dispose(&t);
}

Test(query_fn_misc_time, calendar_fields)
{
    /* The docs' examples. */
    et_expect(NULL, "dayofweek(datetime(1947-11-30 10:00:05))", "00:00:00:timespan");
    et_expect(NULL, "dayofweek(datetime(1970-05-11))", "1.00:00:00:timespan");
    et_expect(NULL, "dayofmonth(datetime(2015-12-14))", "14:int");
    et_expect(NULL, "dayofyear(datetime(2015-12-14))", "348:int");
    et_expect(NULL, "hourofday(datetime(2015-12-14 18:54:00))", "18:int");
    et_expect(NULL, "getmonth(datetime(2015-10-12))", "10:int");
    et_expect(NULL, "monthofyear(datetime(2015-10-12))", "10:int");
    et_expect(NULL, "getyear(datetime(2015-10-12))", "2015:int");
    et_expect(NULL, "dayofyear(datetime(2016-12-31))", "366:int");
    et_expect(NULL, "hourofday(datetime(null))", "null:int");

    sl_colset_t t;
    mt_table(&t);
    et_expect(&t, "dayofweek(d)", "00:00:00|3.00:00:00|1.00:00:00|null|1.00:00:00:timespan");
    et_expect(&t, "dayofmonth(d)", "29|31|29|null|1:int");
    et_expect(&t, "dayofyear(d)", "29|365|60|null|1:int");
    et_expect(&t, "hourofday(d)", "9|23|12|null|0:int");
    et_expect(&t, "getmonth(d)", "1|12|2|null|1:int");
    et_expect(&t, "getyear(d)", "2017|1969|2016|null|1:int");
    sl_colset_dispose(&t);
}

Test(query_fn_misc_time, week_of_year_is_iso_8601)
{
    et_expect(NULL, "week_of_year(datetime(2020-12-31))", "53:int");
    et_expect(NULL, "week_of_year(datetime(2020-06-15))", "25:int");
    et_expect(NULL, "week_of_year(datetime(1970-01-01))", "1:int");
    et_expect(NULL, "week_of_year(datetime(1970-01-05))", "2:int");
    et_expect(NULL, "week_of_year(datetime(2000-01-01))", "52:int");
    et_expect(NULL, "week_of_year(datetime(2015-12-14))", "51:int");
    et_expect(NULL, "week_of_year(datetime(2018-12-31))", "1:int");
    et_expect(NULL, "week_of_year(datetime(2021-01-03))", "53:int");

    sl_colset_t t;
    mt_table(&t);
    et_expect(&t, "week_of_year(d)", "4|1|9|null|1:int");
    sl_colset_dispose(&t);
}

Test(query_fn_misc_time, datetime_part_of_the_docs)
{
    const char *dt = "datetime(2017-10-30 01:02:03.7654321)";
    static const struct {
        const char *part, *want;
    } cases[] = {
        { "year", "2017:int" },
        { "quarter", "4:int" },
        { "month", "10:int" },
        { "week_of_year", "44:int" },
        { "day", "30:int" },
        { "dayOfYear", "303:int" },
        { "hour", "1:int" },
        { "minute", "2:int" },
        { "second", "3:int" },
        { "millisecond", "765:int" },
        { "microsecond", "765432:int" },
        { "nanosecond", "765432100:int" },
        { "Year", "2017:int" },
        { "NANOSECOND", "765432100:int" },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char expr[128];
        snprintf(expr, sizeof expr, "datetime_part('%s', %s)", cases[k].part, dt);
        et_expect(NULL, expr, cases[k].want);
    }
    et_expect(NULL, "datepart('hour', datetime(2017-10-30 21:00))", "21:int");
    et_expect(NULL, "datetime_part('day', datetime(null))", "null:int");
    mt_expect_error(NULL, "datetime_part('fortnight', now())", "unknown part 'fortnight'");
    mt_expect_error(NULL, "datetime_part('week', now())", "unknown part");

    sl_colset_t t;
    mt_table(&t);
    et_expect(&t, "datetime_part('hour', d)", "9|23|12|null|0:int");
    et_expect(&t, "datetime_part('nanosecond', d)", "0|999999900|0|null|0:int");
    /* A part from the data: unknown ones (and the week period) are null. */
    et_expect(&t, "datetime_part(per, datetime(2017-10-30 01:02:03))", "30|10|2017|null|null:int");
    sl_colset_dispose(&t);
}

Test(query_fn_misc_time, type_errors_at_bind_time)
{
    mt_expect_error(
      NULL, "startofday('2017-01-01')", "startofday(): argument 1 must be a datetime");
    mt_expect_error(
      NULL, "startofmonth(now(), 'x')", "startofmonth(): argument 2 must be an integer");
    mt_expect_error(NULL, "ago(5)", "ago(): argument 1 must be a timespan, got long");
    mt_expect_error(NULL, "dayofweek(1d)", "dayofweek(): argument 1 must be a datetime");
    mt_expect_error(NULL, "datetime_part(1, now())", "argument 1 must be a string");
    /* A dynamic argument converts by its JSON kind. */
    sl_colset_t t;
    mt_table(&t);
    et_expect(
      &t, "startofday(dy)", "0001-01-01T00:00:00Z|2017-01-01T00:00:00Z|null|null|null:datetime");
    sl_colset_dispose(&t);
}
