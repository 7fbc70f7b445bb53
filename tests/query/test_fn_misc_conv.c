/*
 * Conversion functions (fn_misc_conv.c): the docs' examples, text parsing
 * rules, nulls, dynamic values by JSON kind, on constants and columns.
 */
#include "fn_misc_test.h"
#include "query/fn_misc_int.h"

Test(query_fn_misc_conv, tostring_formats_every_type)
{
    et_expect(NULL, "tostring(123)", "123:string");
    et_expect(NULL, "tostring(-9223372036854775807 - 1)", "-9223372036854775808:string");
    et_expect(NULL, "tostring(1.5)", "1.5:string");
    et_expect(NULL, "tostring(true)", "true:string");
    et_expect(NULL, "tostring(datetime(2024-01-01))", "2024-01-01T00:00:00Z:string");
    et_expect(NULL, "tostring(-90m)", "-01:30:00:string");
    et_expect(NULL, "tostring(dynamic({\"a\":[1, \"x\"]}))", "{\"a\":[1,\"x\"]}:string");
    et_expect(NULL, "tostring(dynamic(\"text\"))", "text:string");
    et_expect(NULL, "tostring(long(null))", ":string");
    et_expect(NULL, "tostring('same')", "same:string");

    sl_colset_t t;
    mt_table(&t);
    et_expect(&t, "tostring(l)", "7|-7|0||9223372036854775807:string");
    et_expect(&t, "tostring(i)", "3|-3|0||2147483647:string");
    et_expect(&t, "tostring(r)", "2.5|-2.5|0.1||NaN:string");
    et_expect(&t,
              "tostring(d)",
              "2017-01-29T09:00:05Z|1969-12-31T23:59:59.9999999Z|2016-02-29T12:00:00Z||"
              "0001-01-01T00:00:00Z:string");
    et_expect(&t, "tostring(ts)", "1.02:03:04.5000000|-01:30:00|00:00:00||7.00:00:00:string");
    et_expect(&t, "tostring(b)", "true|false|true||true:string");
    et_expect(&t, "tostring(g)", "74be27de-1e4e-49d9-b579-fe0b331d3642||||:string");
    et_expect(&t, "tostring(dy)", "12|2017-01-01|true||[1,2]:string");
    sl_colset_dispose(&t);
}

Test(query_fn_misc_conv, toint_parses_truncates_and_wraps)
{
    /* The docs' examples. */
    et_expect(NULL, "toint('123') == 123", "true:bool");
    et_expect(NULL, "toint(2.3)", "2:int");
    et_expect(NULL, "toint(-2.9)", "-2:int");
    /* Text: trimmed; a real text truncates; junk and overflow are null. */
    et_expect(NULL, "toint(' 12 ')", "12:int");
    et_expect(NULL, "toint('1.5')", "1:int");
    et_expect(NULL, "toint('1e3')", "1000:int");
    et_expect(NULL, "toint('abc')", "null:int");
    et_expect(NULL, "toint('')", "null:int");
    et_expect(NULL, "toint('12abc')", "null:int");
    et_expect(NULL, "toint('3000000000')", "null:int");
    et_expect(NULL, "toint(3.0e9)", "null:int");
    et_expect(NULL, "toint(real(nan))", "null:int");
    /* An integral value wraps to 32 bits, as a C# cast does. */
    et_expect(NULL, "toint(3000000000)", "-1294967296:int");
    et_expect(NULL, "toint(true)", "1:int");
    et_expect(NULL, "toint(int(null))", "null:int");

    sl_colset_t t;
    mt_table(&t);
    et_expect(&t, "toint(l)", "7|-7|0|null|-1:int");
    et_expect(&t, "toint(r)", "2|-2|0|null|null:int");
    et_expect(&t, "toint(s)", "123|12|1|null|null:int");
    et_expect(&t, "toint(b)", "1|0|1|null|1:int");
    et_expect(&t, "toint(dy)", "12|null|1|null|null:int");
    et_expect(&t, "toint(g)", "null|null|null|null|null:int");
    sl_colset_dispose(&t);
}

Test(query_fn_misc_conv, tolong_and_datetime_ticks_round_trip)
{
    et_expect(NULL, "tolong('9223372036854775807')", "9223372036854775807:long");
    et_expect(NULL, "tolong('-9223372036854775808')", "-9223372036854775808:long");
    et_expect(NULL, "tolong('9223372036854775808')", "null:long");
    et_expect(NULL, "tolong('+42')", "42:long");
    et_expect(NULL, "tolong('-')", "null:long");
    et_expect(NULL, "tolong(1e19)", "null:long");
    /* Datetimes are .NET ticks (since 0001-01-01), timespans ticks. */
    et_expect(NULL, "tolong(datetime(2020-01-01))", "637134336000000000:long");
    et_expect(NULL, "tolong(datetime(0001-01-01))", "0:long");
    et_expect(NULL, "todatetime(637134336000000000)", "2020-01-01T00:00:00Z:datetime");
    et_expect(
      NULL, "todatetime(tolong(datetime(1969-07-20 20:17:40)))", "1969-07-20T20:17:40Z:datetime");
    et_expect(NULL, "todatetime(-1)", "null:datetime");
    et_expect(NULL, "tolong(1s)", "10000000:long");
    et_expect(NULL, "totimespan(10000000)", "00:00:01:timespan");

    sl_colset_t t;
    mt_table(&t);
    et_expect(&t, "tolong(i)", "3|-3|0|null|2147483647:long");
    et_expect(&t, "tolong(s)", "123|12|1|null|null:long");
    et_expect(&t, "tolong(ts)", "937845000000|-54000000000|0|null|6048000000000:long");
    et_expect(&t, "tolong(r)", "2|-2|0|null|null:long");
    et_expect(&t, "tolong(l)", "7|-7|0|null|9223372036854775807:long");
    et_expect(&t,
              "todatetime(tolong(d))",
              "2017-01-29T09:00:05Z|1969-12-31T23:59:59.9999999Z|2016-02-29T12:00:00Z|null|"
              "0001-01-01T00:00:00Z:datetime");
    sl_colset_dispose(&t);
}

Test(query_fn_misc_conv, todouble_toreal_todecimal)
{
    et_expect(NULL, "todouble('123.4')", "123.4:real");
    et_expect(NULL, "toreal('1.5e3')", "1500:real");
    et_expect(NULL, "todouble(' .5 ')", "0.5:real");
    et_expect(NULL, "todouble('NaN')", "NaN:real");
    et_expect(NULL, "todouble('-Infinity')", "-Infinity:real");
    et_expect(NULL, "todouble('inf')", "Infinity:real");
    et_expect(NULL, "todouble('1,5')", "null:real");
    et_expect(NULL, "todouble('0x10')", "null:real");
    et_expect(NULL, "todouble(true)", "1:real");
    /* decimal is carried as real. */
    et_expect(NULL, "todecimal('123.45678')", "123.45678:real");
    et_expect(NULL, "todecimal(3)", "3:real");

    sl_colset_t t;
    mt_table(&t);
    et_expect(&t, "todouble(s)", "123|12|1.5|null|null:real");
    et_expect(&t, "todouble(l)", "7|-7|0|null|9.223372036854776e+18:real");
    et_expect(&t, "todouble(i)", "3|-3|0|null|2147483647:real");
    et_expect(&t, "todouble(dy)", "12|null|1|null|null:real");
    sl_colset_dispose(&t);
}

Test(query_fn_misc_conv, tobool_accepts_words_and_numbers)
{
    /* The docs' examples. */
    et_expect(NULL, "tobool('true') == true", "true:bool");
    et_expect(NULL, "tobool('false') == false", "true:bool");
    et_expect(NULL, "tobool(1) == true", "true:bool");
    et_expect(NULL, "tobool(123) == true", "true:bool");
    et_expect(NULL, "toboolean('TRUE')", "true:bool");
    et_expect(NULL, "tobool(' False ')", "false:bool");
    et_expect(NULL, "tobool(0)", "false:bool");
    et_expect(NULL, "tobool(0.0)", "false:bool");
    et_expect(NULL, "tobool('0')", "false:bool");
    et_expect(NULL, "tobool('yes')", "null:bool");
    et_expect(NULL, "tobool(1h)", "null:bool");

    sl_colset_t t;
    mt_table(&t);
    et_expect(&t, "tobool(s)", "true|true|true|null|null:bool");
    et_expect(&t, "tobool(l)", "true|true|false|null|true:bool");
    et_expect(&t, "tobool(dy)", "true|null|true|null|null:bool");
    sl_colset_dispose(&t);
}

Test(query_fn_misc_conv, todatetime_reads_iso_and_rfc_forms)
{
    et_expect(NULL, "todatetime('2015-12-24') == datetime(2015-12-24)", "true:bool");
    et_expect(NULL, "todatetime('2015-12-31 23:59:59.9')", "2015-12-31T23:59:59.9Z:datetime");
    et_expect(NULL, "todatetime('2015-12-31T23:59:59+02:00')", "2015-12-31T21:59:59Z:datetime");
    et_expect(NULL, "todatetime('Sat, 8 Nov 14 15:05:02 GMT')", "2014-11-08T15:05:02Z:datetime");
    et_expect(NULL, "todatetime('Sat, 8 Nov 14 15:05:02 EST')", "2014-11-08T20:05:02Z:datetime");
    et_expect(NULL, "todatetime('1900-01-01')", "1900-01-01T00:00:00Z:datetime");
    et_expect(NULL, "todatetime('not a date')", "null:datetime");
    et_expect(NULL, "todatetime('2015-02-30')", "null:datetime");
    et_expect(NULL, "todatetime('')", "null:datetime");
    et_expect(NULL, "todatetime(datetime(2001-02-03))", "2001-02-03T00:00:00Z:datetime");
    et_expect(NULL, "todatetime(1.5)", "null:datetime");

    sl_colset_t t;
    mt_table(&t);
    et_expect(&t, "todatetime(s)", "null|null|null|null|null:datetime");
    et_expect(&t,
              "todatetime(dy)",
              "0001-01-01T00:00:00.0000012Z|2017-01-01T00:00:00Z|null|null|null:datetime");
    sl_colset_dispose(&t);
}

Test(query_fn_misc_conv, totimespan_reads_clock_and_unit_forms)
{
    et_expect(NULL, "totimespan('0.00:01:00') == time(1min)", "true:bool");
    et_expect(NULL, "totimespan('1.5h')", "01:30:00:timespan");
    et_expect(NULL, "totime('15 seconds')", "00:00:15:timespan");
    et_expect(NULL, "totimespan('-1.02:03:04.5')", "-1.02:03:04.5000000:timespan");
    et_expect(NULL, "totimespan('2')", "2.00:00:00:timespan");
    et_expect(NULL, "totimespan('12:61')", "null:timespan");
    et_expect(NULL, "totimespan('soon')", "null:timespan");
    et_expect(NULL, "totimespan(1.5e7)", "00:00:01.5000000:timespan");
    et_expect(NULL, "totimespan(datetime(2020-01-01))", "null:timespan");

    sl_colset_t t;
    mt_table(&t);
    et_expect(&t, "totimespan(s)", "123.00:00:00|12.00:00:00|1.12:00:00|null|null:timespan");
    et_expect(&t,
              "totimespan(l)",
              "00:00:00.0000007|-00:00:00.0000007|00:00:00|null|10675199.02:48:05.4775807"
              ":timespan");
    sl_colset_dispose(&t);
}

Test(query_fn_misc_conv, toguid_canonicalises_or_nulls)
{
    et_expect(NULL,
              "toguid('74be27de-1e4e-49d9-b579-fe0b331d3642')",
              "74be27de-1e4e-49d9-b579-fe0b331d3642:guid");
    et_expect(NULL,
              "toguid('{74BE27DE-1E4E-49D9-B579-FE0B331D3642}')",
              "74be27de-1e4e-49d9-b579-fe0b331d3642:guid");
    et_expect(NULL,
              "toguid('74be27de1e4e49d9b579fe0b331d3642')",
              "74be27de-1e4e-49d9-b579-fe0b331d3642:guid");
    et_expect(NULL, "isnull(toguid('not a guid'))", "true:bool");
    et_expect(NULL, "isnull(toguid(42))", "true:bool");
    et_expect(NULL,
              "toguid(dynamic('74be27de-1e4e-49d9-b579-fe0b331d3642'))",
              "74be27de-1e4e-49d9-b579-fe0b331d3642:guid");

    sl_colset_t t;
    mt_table(&t);
    et_expect(&t, "toguid(g)", "74be27de-1e4e-49d9-b579-fe0b331d3642||||:guid");
    et_expect(&t, "isnull(toguid(s))", "true|true|true|true|true:bool");
    sl_colset_dispose(&t);
}

Test(query_fn_misc_conv, dynamic_values_convert_by_json_kind)
{
    et_expect(NULL, "tolong(dynamic(12))", "12:long");
    et_expect(NULL, "tolong(dynamic('12'))", "12:long");
    et_expect(NULL, "tolong(dynamic(1.75))", "1:long");
    et_expect(NULL, "todouble(dynamic(1.75))", "1.75:real");
    et_expect(NULL, "tolong(dynamic(true))", "1:long");
    et_expect(NULL, "tobool(dynamic('false'))", "false:bool");
    et_expect(NULL, "tolong(dynamic([1]))", "null:long");
    et_expect(NULL, "tolong(dynamic({\"a\":1}))", "null:long");
    et_expect(NULL, "tolong(dynamic(null))", "null:long");
    et_expect(NULL, "todatetime(dynamic('2020-05-06T07:08:09Z'))", "2020-05-06T07:08:09Z:datetime");
    et_expect(NULL, "totimespan(dynamic('01:00:00'))", "01:00:00:timespan");
    et_expect(NULL, "tostring(dynamic(null))", ":string");
}

static uint64_t xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

Test(query_fn_misc_conv, fast_datetime_and_timespan_text_match_value_c)
{
    /* tostring() of datetime and timespan columns skips printf; its text
     * must be exactly sl_qfmt_datetime's / sl_qfmt_timespan's. */
    const int64_t lo = -INT64_C(621355968000000000), hi = INT64_C(2534023007999999999);
    uint64_t seed = 12345;
    sl_buf_t want = SL_BUF_INIT;
    size_t bad = 0;
    for (int k = 0; k < 200000; k++) {
        int64_t t = lo + (int64_t)(xorshift(&seed) % (uint64_t)(hi - lo + 1));
        if (k % 3 == 1) {
            t -= t % SL_TICKS_PER_SEC; /* whole seconds: no fraction */
        }
        char got[40];
        size_t n = sl_qmisc_fmt_datetime(t, got);
        sl_buf_reset(&want);
        sl_qfmt_datetime(t, &want);
        bad += n != want.len || memcmp(got, want.data, n) != 0;

        int64_t span = (int64_t)xorshift(&seed) >> (xorshift(&seed) % 64);
        if (k == 0) {
            span = INT64_MIN;
        }
        n = sl_qmisc_fmt_timespan(span, got);
        sl_buf_reset(&want);
        sl_qfmt_timespan(span, &want);
        bad += n != want.len || memcmp(got, want.data, n) != 0;
    }
    sl_buf_dispose(&want);
    cr_expect_eq(bad, 0, "%zu values format differently", bad);
}
