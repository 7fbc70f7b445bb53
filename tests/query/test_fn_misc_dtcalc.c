/*
 * Calendar arithmetic (fn_misc_dtcalc.c): datetime_add, datetime_diff,
 * make_datetime, make_timespan, unixtime_*_todatetime.
 */
#include "fn_misc_test.h"

Test(query_fn_misc_dtcalc, datetime_add_of_the_docs)
{
    const char *dt = "datetime(2017-01-01)";
    static const struct {
        const char *period, *want;
    } cases[] = {
        { "year", "2018-01-01T00:00:00Z:datetime" },
        { "quarter", "2017-04-01T00:00:00Z:datetime" },
        { "month", "2017-02-01T00:00:00Z:datetime" },
        { "week", "2017-01-08T00:00:00Z:datetime" },
        { "day", "2017-01-02T00:00:00Z:datetime" },
        { "hour", "2017-01-01T01:00:00Z:datetime" },
        { "minute", "2017-01-01T00:01:00Z:datetime" },
        { "second", "2017-01-01T00:00:01Z:datetime" },
        { "millisecond", "2017-01-01T00:00:00.001Z:datetime" },
        { "microsecond", "2017-01-01T00:00:00.000001Z:datetime" },
        { "nanosecond", "2017-01-01T00:00:00Z:datetime" }, /* 1 ns < 1 tick */
        { "Month", "2017-02-01T00:00:00Z:datetime" },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char expr[128];
        snprintf(expr, sizeof expr, "datetime_add('%s', 1, %s)", cases[k].period, dt);
        et_expect(NULL, expr, cases[k].want);
    }
    et_expect(NULL,
              "datetime_add('nanosecond', 300, datetime(2017-01-01))",
              "2017-01-01T00:00:00.0000003Z:datetime");
    et_expect(
      NULL, "datetime_add('day', -1, datetime(1970-01-01))", "1969-12-31T00:00:00Z:datetime");
}

Test(query_fn_misc_dtcalc, datetime_add_clamps_month_ends)
{
    et_expect(NULL,
              "datetime_add('month', 1, datetime(2017-01-31 10:00))",
              "2017-02-28T10:00:00Z:datetime");
    et_expect(
      NULL, "datetime_add('month', 1, datetime(2016-01-31))", "2016-02-29T00:00:00Z:datetime");
    et_expect(
      NULL, "datetime_add('month', -1, datetime(2017-03-31))", "2017-02-28T00:00:00Z:datetime");
    et_expect(
      NULL, "datetime_add('quarter', 1, datetime(2017-11-30))", "2018-02-28T00:00:00Z:datetime");
    et_expect(
      NULL, "datetime_add('year', 1, datetime(2016-02-29))", "2017-02-28T00:00:00Z:datetime");
    et_expect(
      NULL, "datetime_add('year', 4, datetime(2016-02-29))", "2020-02-29T00:00:00Z:datetime");
    et_expect(
      NULL, "datetime_add('month', -13, datetime(1970-01-15))", "1968-12-15T00:00:00Z:datetime");
    /* Out of 0001..9999, or overflowing: null. */
    et_expect(NULL, "datetime_add('year', 1, datetime(9999-06-01))", "null:datetime");
    et_expect(NULL, "datetime_add('day', 9223372036854775807, now())", "null:datetime");
    et_expect(NULL, "datetime_add('year', long(null), now())", "null:datetime");
    et_expect(NULL, "datetime_add('year', 1, datetime(null))", "null:datetime");

    sl_colset_t t;
    mt_table(&t);
    et_expect(&t,
              "datetime_add('month', l, d)",
              "2017-08-29T09:00:05Z|1969-05-31T23:59:59.9999999Z|2016-02-29T12:00:00Z|null|null"
              ":datetime");
    et_expect(&t,
              "datetime_add(per, 1, datetime(2016-01-31))",
              "2016-02-01T00:00:00Z|2016-02-29T00:00:00Z|2017-01-31T00:00:00Z|null|"
              "2016-02-07T00:00:00Z:datetime");
    sl_colset_dispose(&t);
}

Test(query_fn_misc_dtcalc, datetime_diff_of_the_docs)
{
    et_expect(NULL, "datetime_diff('year',datetime(2017-01-01),datetime(2000-12-31))", "17:long");
    et_expect(NULL, "datetime_diff('quarter',datetime(2017-07-01),datetime(2017-03-30))", "2:long");
    et_expect(NULL, "datetime_diff('month',datetime(2017-01-01),datetime(2015-12-30))", "13:long");
    et_expect(NULL,
              "datetime_diff('week',datetime(2017-10-29 00:00),datetime(2017-09-30 23:59))",
              "5:long");
    et_expect(NULL,
              "datetime_diff('day',datetime(2017-10-29 00:00),datetime(2017-09-30 23:59))",
              "29:long");
    et_expect(NULL,
              "datetime_diff('hour',datetime(2017-10-31 01:00),datetime(2017-10-30 23:59))",
              "2:long");
    et_expect(NULL,
              "datetime_diff('minute',datetime(2017-10-30 23:05:01),datetime(2017-10-30 23:00:59))",
              "5:long");
    et_expect(NULL,
              "datetime_diff('second',datetime(2017-10-30 23:00:10.100),"
              "datetime(2017-10-30 23:00:00.900))",
              "10:long");
    et_expect(NULL,
              "datetime_diff('millisecond',datetime(2017-10-30 23:00:00.200100),"
              "datetime(2017-10-30 23:00:00.100900))",
              "100:long");
    et_expect(NULL,
              "datetime_diff('microsecond',datetime(2017-10-30 23:00:00.1009001),"
              "datetime(2017-10-30 23:00:00.1008009))",
              "100:long");
    et_expect(NULL,
              "datetime_diff('nanosecond',datetime(2017-10-30 23:00:00.0000000),"
              "datetime(2017-10-30 23:00:00.0000007))",
              "-700:long");
}

Test(query_fn_misc_dtcalc, datetime_diff_counts_boundaries_both_ways)
{
    et_expect(
      NULL, "datetime_diff('year', datetime(2000-12-31), datetime(2017-01-01))", "-17:long");
    et_expect(
      NULL, "datetime_diff('day', datetime(1970-01-01), datetime(1969-12-31 23:59:59))", "1:long");
    et_expect(NULL, "datetime_diff('week', datetime(1970-01-04), datetime(1970-01-03))", "1:long");
    et_expect(NULL, "datetime_diff('month', datetime(2016-03-01), datetime(2016-02-29))", "1:long");
    et_expect(
      NULL, "datetime_diff('nanosecond', datetime(9999-01-01), datetime(0001-01-01))", "null:long");
    et_expect(NULL, "datetime_diff('day', datetime(null), now())", "null:long");

    sl_colset_t t;
    mt_table(&t);
    et_expect(
      &t, "datetime_diff('day', d, datetime(1970-01-01))", "17195|-1|16860|null|-719162:long");
    et_expect(&t, "datetime_diff(per, datetime(2017-01-01), d)", "-28|565|1|null|105190:long");
    sl_colset_dispose(&t);
}

Test(query_fn_misc_dtcalc, unknown_periods)
{
    mt_expect_error(NULL, "datetime_add('fortnight', 1, now())", "unknown period 'fortnight'");
    mt_expect_error(NULL, "datetime_diff('decade', now(), now())", "unknown period 'decade'");
    /* datetime_part's own parts are not periods. */
    mt_expect_error(NULL, "datetime_diff('dayofyear', now(), now())", "unknown period");
    mt_expect_error(NULL, "datetime_add('day', 1, 1d)", "argument 3 must be a datetime");
    mt_expect_error(NULL, "datetime_add('day', 'x', now())", "argument 2 must be an integer");
    mt_expect_error(NULL, "datetime_diff('day', now(), 5)", "argument 3 must be a datetime");
}

Test(query_fn_misc_dtcalc, make_datetime_and_make_timespan)
{
    /* The docs' examples. */
    et_expect(NULL, "make_datetime(2017,10,01,12,10)", "2017-10-01T12:10:00Z:datetime");
    et_expect(NULL, "make_datetime(2017,10,01)", "2017-10-01T00:00:00Z:datetime");
    et_expect(
      NULL, "make_datetime(2017,10,01,12,11,0.1234567)", "2017-10-01T12:11:00.1234567Z:datetime");
    et_expect(NULL, "make_timespan(1,12,30,55.123)", "1.12:30:55.1230000:timespan");
    et_expect(NULL, "make_timespan(12,30)", "12:30:00:timespan");
    et_expect(NULL, "make_timespan(12,30,15.5)", "12:30:15.5000000:timespan");
    /* Invalid dates are null: February 30, month 13, hour 24, year 0. */
    et_expect(NULL, "make_datetime(2017,2,30)", "null:datetime");
    et_expect(NULL, "make_datetime(2016,2,29)", "2016-02-29T00:00:00Z:datetime");
    et_expect(NULL, "make_datetime(2017,13,1)", "null:datetime");
    et_expect(NULL, "make_datetime(2017,1,1,24,0)", "null:datetime");
    et_expect(NULL, "make_datetime(2017,1,1,0,0,60)", "null:datetime");
    et_expect(NULL, "make_datetime(0,1,1)", "null:datetime");
    et_expect(NULL, "make_datetime(1900,1,1)", "1900-01-01T00:00:00Z:datetime");
    et_expect(NULL, "make_datetime(long(null),1,1)", "null:datetime");
    mt_expect_error(NULL, "make_datetime('2017',1,1)", "argument 1 must be an integer");

    sl_colset_t t;
    mt_table(&t);
    et_expect(&t, "make_datetime(2017, 1, l)", "2017-01-07T00:00:00Z|null|null|null|null:datetime");
    /* int.max hours do not fit in a timespan (2^63 ticks are ~29,000 years). */
    et_expect(&t, "make_timespan(i, 0)", "03:00:00|-03:00:00|00:00:00|null|null:timespan");
    sl_colset_dispose(&t);
}

Test(query_fn_misc_dtcalc, unixtime_conversions)
{
    et_expect(NULL, "unixtime_seconds_todatetime(1546300800)", "2019-01-01T00:00:00Z:datetime");
    et_expect(
      NULL, "unixtime_milliseconds_todatetime(1546300800000)", "2019-01-01T00:00:00Z:datetime");
    et_expect(
      NULL, "unixtime_microseconds_todatetime(1546300800000000)", "2019-01-01T00:00:00Z:datetime");
    et_expect(NULL,
              "unixtime_nanoseconds_todatetime(1546300800000000000)",
              "2019-01-01T00:00:00Z:datetime");
    et_expect(
      NULL, "unixtime_milliseconds_todatetime(1546300800123)", "2019-01-01T00:00:00.123Z:datetime");
    et_expect(NULL,
              "unixtime_nanoseconds_todatetime(1546300800123456789)",
              "2019-01-01T00:00:00.1234567Z:datetime");
    et_expect(NULL, "unixtime_seconds_todatetime(1546300800.5)", "2019-01-01T00:00:00.5Z:datetime");
    et_expect(NULL, "unixtime_seconds_todatetime(-1)", "1969-12-31T23:59:59Z:datetime");
    et_expect(NULL, "unixtime_seconds_todatetime(1e300)", "null:datetime");
    et_expect(NULL, "unixtime_seconds_todatetime(9223372036854775807)", "null:datetime");
    et_expect(NULL, "unixtime_seconds_todatetime(real(null))", "null:datetime");
    mt_expect_error(NULL, "unixtime_seconds_todatetime('0')", "argument 1 must be a number");

    sl_colset_t t;
    mt_table(&t);
    et_expect(&t,
              "unixtime_seconds_todatetime(l)",
              "1970-01-01T00:00:07Z|1969-12-31T23:59:53Z|1970-01-01T00:00:00Z|null|null:datetime");
    et_expect(&t,
              "unixtime_seconds_todatetime(r)",
              "1970-01-01T00:00:02.5Z|1969-12-31T23:59:57.5Z|1970-01-01T00:00:00.1Z|null|null"
              ":datetime");
    et_expect(&t,
              "unixtime_milliseconds_todatetime(i)",
              "1970-01-01T00:00:00.003Z|1969-12-31T23:59:59.997Z|1970-01-01T00:00:00Z|null|"
              "1970-01-25T20:31:23.647Z:datetime");
    sl_colset_dispose(&t);
}
