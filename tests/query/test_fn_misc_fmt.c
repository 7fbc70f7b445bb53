/*
 * format_datetime and format_timespan (fn_misc_fmt.c): the docs' examples
 * and element table, literals, F trimming, negative timespans, formats
 * that come from the data, and format errors.
 */
#include "fn_misc_test.h"

Test(query_fn_misc_fmt, format_datetime_examples_of_the_docs)
{
    const char *dt = "datetime(2017-01-29 09:00:05)";
    char expr[160];
    snprintf(expr, sizeof expr, "format_datetime(%s, 'yy-MM-dd [HH:mm:ss]')", dt);
    et_expect(NULL, expr, "17-01-29 [09:00:05]:string");
    snprintf(expr, sizeof expr, "format_datetime(%s, 'yyyy-M-dd [H:mm:ss]')", dt);
    et_expect(NULL, expr, "2017-1-29 [9:00:05]:string");
    snprintf(expr, sizeof expr, "format_datetime(%s, 'yy-MM-dd [hh:mm:ss tt]')", dt);
    et_expect(NULL, expr, "17-01-29 [09:00:05 AM]:string");
}

Test(query_fn_misc_fmt, format_datetime_elements)
{
    /* The docs' element table, on their example values. */
    static const struct {
        const char *dt, *fmt, *want;
    } cases[] = {
        { "2009-06-01T13:45:30", "d", "1" },
        { "2009-06-15T13:45:30", "dd", "15" },
        { "2009-06-15T13:45:30.6170000", "f", "6" },
        { "2009-06-15T13:45:30.05", "f", "0" },
        { "2009-06-15T13:45:30.6170000", "ff", "61" },
        { "2009-06-15T13:45:30.0050000", "ff", "00" },
        { "2009-06-15T13:45:30.617", "fff", "617" },
        { "2009-06-15T13:45:30.0005", "fff", "000" },
        { "2009-06-15T13:45:30.6175000", "ffff", "6175" },
        { "2009-06-15T13:45:30.6175400", "fffff", "61754" },
        { "2009-06-15T13:45:30.6175420", "ffffff", "617542" },
        { "2009-06-15T13:45:30.6175425", "fffffff", "6175425" },
        { "2009-06-15T13:45:30.0001150", "fffffff", "0001150" },
        { "2009-06-15T13:45:30.6170000", "F", "6" },
        { "2009-06-15T13:45:30.0500000", "F", "" },
        { "2009-06-15T13:45:30.6170000", "FF", "61" },
        { "2009-06-15T13:45:30.0050000", "FF", "" },
        { "2009-06-15T13:45:30.6170000", "FFF", "617" },
        { "2009-06-15T13:45:30.5275000", "FFFF", "5275" },
        { "2009-06-15T13:45:30.0001150", "FFFFFFF", "000115" },
        { "2009-06-15T01:45:30", "h", "1" },
        { "2009-06-15T13:45:30", "h", "1" },
        { "2009-06-15T01:45:30", "hh", "01" },
        { "2009-06-15T13:45:30", "hh", "01" },
        { "2009-06-15T00:45:30", "hh", "12" },
        { "2009-06-15T01:45:30", "H", "1" },
        { "2009-06-15T13:45:30", "HH", "13" },
        { "2009-06-15T01:09:30", "m", "9" },
        { "2009-06-15T01:09:30", "mm", "09" },
        { "2009-06-15T13:45:30", "M", "6" },
        { "2009-06-15T13:45:30", "MM", "06" },
        { "2009-06-15T13:45:09", "s", "9" },
        { "2009-06-15T13:45:09", "ss", "09" },
        { "2009-06-15T13:45:30", "tt", "PM" },
        { "2009-06-15T08:45:30", "t", "A" },
        { "0001-01-01T00:00:00", "y", "1" },
        { "0900-01-01T00:00:00", "y", "0" },
        { "2009-01-01T00:00:00", "y", "9" },
        { "2019-01-01T00:00:00", "y", "19" },
        { "0001-01-01T00:00:00", "yy", "01" },
        { "2019-01-01T00:00:00", "yy", "19" },
        { "0001-01-01T00:00:00", "yyyy", "0001" },
        { "2009-06-15T13:45:30", "MMM MMMM ddd dddd", "Jun June Mon Monday" },
        /* An empty F field takes its decimal point along, as in .NET. */
        { "2009-06-15T13:45:30", "HH:mm:ss.FFF", "13:45:30" },
        { "2009-06-15T13:45:30.5", "HH:mm:ss.FFF", "13:45:30.5" },
        /* Separators, and quoted or escaped literal letters. */
        { "2009-06-15T13:45:30", "yyyy/MM/dd_HH,mm", "2009/06/15_13,45" },
        { "2009-06-15T13:45:30", "'Date:' yyyy \\Q\\1", "Date: 2009 Q1" },
        { "1969-12-31T23:59:59.9999999", "yyyy-MM-ddTHH:mm:ss.fffffff", "" },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char expr[200], want[80];
        snprintf(
          expr, sizeof expr, "format_datetime(datetime(%s), @\"%s\")", cases[k].dt, cases[k].fmt);
        snprintf(want, sizeof want, "%s:string", cases[k].want);
        if (strchr(cases[k].fmt, 'T')) {
            /* 'T' is not an element: the whole format is an error. */
            mt_expect_error(NULL, expr, "unsupported format element 'T'");
            continue;
        }
        et_expect(NULL, expr, want);
    }
    et_expect(NULL,
              "format_datetime(datetime(1969-12-31 23:59:59.9999999), "
              "'yyyy-MM-dd HH:mm:ss.fffffff')",
              "1969-12-31 23:59:59.9999999:string");
    et_expect(NULL, "format_datetime(datetime(null), 'yyyy')", ":string");
}

Test(query_fn_misc_fmt, format_datetime_over_columns)
{
    sl_colset_t t;
    mt_table(&t);
    et_expect(&t,
              "format_datetime(d, 'yyyy-MM-dd HH:mm:ss.FFFFFFF')",
              "2017-01-29 09:00:05|1969-12-31 23:59:59.9999999|2016-02-29 12:00:00||"
              "0001-01-01 00:00:00:string");
    et_expect(&t,
              "format_datetime(d, 'dddd d MMMM yyyy, h tt')",
              "Sunday 29 January 2017, 9 AM|Wednesday 31 December 1969, 11 PM|"
              "Monday 29 February 2016, 12 PM||Monday 1 January 0001, 12 AM:string");
    /* "day", "month" ... hold letters that are not elements: "". */
    et_expect(&t, "format_datetime(datetime(2020-02-03), per)", "||||:string");
    sl_colset_dispose(&t);

    /* Formats from the data, compiled again only when they change. */
    sl_colset_init(&t);
    int f = sl_colset_add(&t, "f", SL_TYPE_STRING);
    const char *fv[] = { "yyyy", "yyyy", "HH:mm", "bad", "", "HH:mm" };
    for (int k = 0; k < 6; k++) {
        sl_col_push_text(&t.cols[f], fv[k], strlen(fv[k]));
        sl_colset_end_row(&t);
    }
    et_expect(
      &t, "format_datetime(datetime(2020-02-03 04:05), f)", "2020|2020|04:05|||04:05:string");
    et_expect(&t, "format_timespan(1h, f)", "||01:00|||01:00:string");
    sl_colset_dispose(&t);
}

Test(query_fn_misc_fmt, format_timespan_examples_of_the_docs)
{
    et_expect(
      NULL, "format_timespan(time(29.09:00:05.12345), 'dd.hh:mm:ss:FF')", "29.09:00:05:12:string");
    et_expect(NULL,
              "format_timespan(time(29.09:00:05.12345), 'ddd.h:mm:ss [fffffff]')",
              "029.9:00:05 [1234500]:string");
    et_expect(NULL, "format_timespan(time(15.13:45:30), 'd')", "15:string");
    et_expect(NULL, "format_timespan(time(15.13:45:30), 'ddd')", "015:string");
    et_expect(NULL, "format_timespan(time(15.13:45:30.0001150), 'FFFFFFF')", "000115:string");
    et_expect(NULL, "format_timespan(time(15.13:45:30.0500000), 'F')", ":string");
    et_expect(NULL,
              "format_timespan(time(1.02:03:04), 'H HH h hh m mm s ss')",
              "2 02 2 02 3 03 4 04:string");
    et_expect(NULL, "format_timespan(time(400.00:00:00), 'dddddddd')", "00000400:string");
}

Test(query_fn_misc_fmt, negative_timespans_keep_their_sign)
{
    et_expect(NULL, "format_timespan(-1h, 'hh:mm')", "-01:00:string");
    et_expect(NULL, "format_timespan(-90m, 'd.hh:mm:ss')", "-0.01:30:00:string");
    et_expect(
      NULL, "format_timespan(-1d - 1tick, 'd.hh:mm:ss.fffffff')", "-1.00:00:00.0000001:string");

    sl_colset_t t;
    mt_table(&t);
    et_expect(&t,
              "format_timespan(ts, 'd.hh:mm:ss.FFF')",
              "1.02:03:04.5|-0.01:30:00|0.00:00:00||7.00:00:00:string");
    sl_colset_dispose(&t);
}

Test(query_fn_misc_fmt, format_errors)
{
    mt_expect_error(NULL, "format_datetime(now(), 'yyyy-Q')", "unsupported format element 'Q'");
    mt_expect_error(NULL, "format_datetime(now(), 'fffffffff')", "unsupported format element 'f'");
    mt_expect_error(NULL, "format_timespan(1h, 'yyyy')", "unsupported format element 'y'");
    mt_expect_error(NULL, "format_timespan(1h, 'tt')", "unsupported format element 't'");
    mt_expect_error(NULL, "format_datetime(1h, 'HH')", "argument 1 must be a datetime");
    mt_expect_error(NULL, "format_timespan(now(), 'HH')", "argument 1 must be a timespan");
    mt_expect_error(NULL, "format_datetime(now(), 5)", "argument 2 must be a string");
}
