/*
 * Literal decoding: datetime, timespan, guid, numeric, bool, typeof and
 * dynamic literals (KQL.md §2.2), as values and as parse results.
 */
#include "query_test.h"

static sl_ticks_t dt(const char *s)
{
    sl_ticks_t t = 0;
    bool null = true;
    cr_assert_eq(sl_query_datetime_decode(s, strlen(s), &t, &null), 0, "datetime(%s)", s);
    cr_assert(!null);
    return t;
}

static sl_ticks_t ts(const char *s)
{
    sl_ticks_t t = 0;
    bool null = true;
    cr_assert_eq(sl_query_timespan_decode(s, strlen(s), &t, &null), 0, "timespan(%s)", s);
    cr_assert(!null);
    return t;
}

#define DAY SL_TICKS_PER_DAY
#define HOUR SL_TICKS_PER_HOUR
#define MIN SL_TICKS_PER_MIN
#define SEC SL_TICKS_PER_SEC

Test(query_parse_literal, datetime_iso_forms)
{
    sl_ticks_t d2015 = sl_days_from_civil(2015, 12, 31) * DAY;
    cr_expect_eq(dt("2015-12-31"), d2015);
    cr_expect_eq(dt("2015-12-31 23:59:59.9"), d2015 + 23 * HOUR + 59 * MIN + 59 * SEC + 9000000);
    cr_expect_eq(dt("2015-12-31T23:59:59Z"), d2015 + 23 * HOUR + 59 * MIN + 59 * SEC);
    cr_expect_eq(dt("2015-12-31T23:59:59.1234567Z"),
                 d2015 + 23 * HOUR + 59 * MIN + 59 * SEC + 1234567);
    cr_expect_eq(dt("2015-12-31T23:59:59+02:00"), d2015 + 21 * HOUR + 59 * MIN + 59 * SEC);
    cr_expect_eq(dt("2015-12-31 10:00"), d2015 + 10 * HOUR);
    cr_expect_eq(dt("  2015-12-31  "), d2015, "surrounding blanks are ignored");
    cr_expect_eq(dt("1970-01-01"), 0);
    cr_expect_eq(dt("1969-12-31 23:59:59"), -SEC);
}

Test(query_parse_literal, datetime_rfc_forms)
{
    sl_ticks_t nov8 = sl_days_from_civil(2014, 11, 8) * DAY + 15 * HOUR + 5 * MIN + 2 * SEC;
    cr_expect_eq(dt("Sat, 8 Nov 14 15:05:02 GMT"), nov8, "RFC 822");
    cr_expect_eq(dt("Sat, 08 Nov 2014 15:05:02 GMT"), nov8, "RFC 1123");
    cr_expect_eq(dt("Saturday, 08-Nov-14 15:05:02 GMT"), nov8, "RFC 850");
    cr_expect_eq(dt("8 Nov 14 15:05:02 UT"), nov8);
    cr_expect_eq(dt("Sat, 8 Nov 14 10:05:02 EST"), nov8);
    cr_expect_eq(dt("Sat, 8 Nov 14 11:05:02 EDT"), nov8);
    cr_expect_eq(dt("Sat, 8 Nov 14 07:05:02 PST"), nov8);
    cr_expect_eq(dt("Sat, 8 Nov 14 16:05:02 +0100"), nov8);
}

Test(query_parse_literal, datetime_rejects)
{
    const char *bad[] = { "",          "2015-13-01",       "2015-02-30",
                          "yesterday", "2015-12-31X",      "Sat, 8 Nov 14",
                          "12:00",     "2015-12-31 25:00", "Sat, 8 Nov 14 15:05:02 XYZ",
                          "NULL" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sl_ticks_t t;
        bool null;
        cr_expect_eq(
          sl_query_datetime_decode(bad[i], strlen(bad[i]), &t, &null), SL_EPARSE, "%s", bad[i]);
    }
    sl_ticks_t t;
    bool null = false;
    cr_expect_eq(sl_query_datetime_decode(" null ", 6, &t, &null), 0);
    cr_expect(null);
}

Test(query_parse_literal, timespan_bodies)
{
    cr_expect_eq(ts("2"), 2 * DAY, "a bare number means days");
    cr_expect_eq(ts("1.5"), DAY + 12 * HOUR);
    cr_expect_eq(ts("15 seconds"), 15 * SEC);
    cr_expect_eq(ts("15seconds"), 15 * SEC);
    cr_expect_eq(ts("1.5h"), 90 * MIN);
    cr_expect_eq(ts("1.02:03:04.5"), DAY + 2 * HOUR + 3 * MIN + 4 * SEC + 5000000);
    cr_expect_eq(ts("0.12:34:56.7"), 12 * HOUR + 34 * MIN + 56 * SEC + 7000000);
    cr_expect_eq(ts("02:03:04"), 2 * HOUR + 3 * MIN + 4 * SEC);
    cr_expect_eq(ts("00:01"), MIN);
    cr_expect_eq(ts("-1d"), -DAY);
    cr_expect_eq(ts("-01:00:00"), -HOUR);
    cr_expect_eq(ts("10.00:00:00.1234567"), 10 * DAY + 1234567);
}

Test(query_parse_literal, timespan_rejects)
{
    const char *bad[] = { "",   "x",   "1w", "1..2",  "24:00:00", "1:60",
                          "1.", ".5h", "12", "1 d d", "1.2.3:00", "00:00:60" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sl_ticks_t t;
        bool null;
        int rc = sl_query_timespan_decode(bad[i], strlen(bad[i]), &t, &null);
        if (strcmp(bad[i], "12") == 0) {
            cr_expect_eq(rc, 0, "12 days is fine");
            continue;
        }
        cr_expect_eq(rc, SL_EPARSE, "%s", bad[i]);
    }
}

Test(query_parse_literal, timespan_units_are_exact)
{
    sl_ticks_t t;
    cr_expect_eq(sl_query_timespan_from_parts("1", 1, "nanosecond", 10, &t), 0);
    cr_expect_eq(t, 0, "one nanosecond rounds to zero ticks");
    cr_expect_eq(sl_query_timespan_from_parts("50", 2, "nanos", 5, &t), 0);
    cr_expect_eq(t, 1, "50 ns rounds half away from zero");
    cr_expect_eq(sl_query_timespan_from_parts("0.1", 3, "d", 1, &t), 0);
    cr_expect_eq(t, DAY / 10);
    cr_expect_eq(sl_query_timespan_from_parts("1", 1, "week", 4, &t), SL_EPARSE);
    cr_expect_eq(sl_query_timespan_from_parts("10675199", 8, "d", 1, &t), 0);
    cr_expect_eq(sl_query_timespan_from_parts("10675200", 8, "d", 1, &t), SL_ELIMIT);
    int64_t num, den;
    cr_expect(sl_query_timespan_unit("ticks", 5, &num, &den) && num == 1 && den == 1);
    cr_expect(!sl_query_timespan_unit("Ticks", 5, &num, &den));
}

Test(query_parse_literal, typed_literal_nodes)
{
    EXPECT_EXPR("int(5)", "(int 5)");
    EXPECT_EXPR("int(-2147483648)", "(int -2147483648)");
    EXPECT_EXPR("long(0x10)", "16");
    EXPECT_EXPR("long(-9223372036854775808)", "-9223372036854775808");
    EXPECT_EXPR("real(1.5)", "(real 1.5)");
    EXPECT_EXPR("real(-2e3)", "(real -2000)");
    EXPECT_EXPR("double(.5)", "(real 0.5)");
    EXPECT_EXPR("real(nan)", "(real nan)");
    EXPECT_EXPR("real(+inf)", "(real +inf)");
    EXPECT_EXPR("real(-inf)", "(real -inf)");
    EXPECT_EXPR("decimal(1.50)", "(decimal 1.50)");
    EXPECT_EXPR("decimal(-3)", "(decimal -3)");
    EXPECT_EXPR("bool(true)", "true");
    EXPECT_EXPR("bool(False)", "false");
    EXPECT_EXPR("guid(74BE27DE-1E4E-49D9-B579-FE0B331D3642)",
                "(guid 74be27de-1e4e-49d9-b579-fe0b331d3642)");
    EXPECT_EXPR("typeof(long)", "(typeof long)");
    EXPECT_EXPR("typeof(int64)", "(typeof long)");
    EXPECT_EXPR("typeof( date )", "(typeof datetime)");
    EXPECT_EXPR("time(2)", "(timespan 1728000000000)");
    EXPECT_EXPR("datetime(2024-02-29)", "(datetime 2024-02-29T00:00:00Z)");
}

Test(query_parse_literal, typed_nulls)
{
    const char *types[] = { "int",  "long", "real",     "double",  "decimal",
                            "bool", "guid", "datetime", "timespan" };
    const char *names[] = { "int",  "long", "real",     "real",    "decimal",
                            "bool", "guid", "datetime", "timespan" };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        char in[32], out[32];
        snprintf(in, sizeof in, "%s(null)", types[i]);
        snprintf(out, sizeof out, "(%s null)", names[i]);
        EXPECT_EXPR(in, out);
    }
    EXPECT_EXPR("dynamic(null)", "(dynamic null)");
}

Test(query_parse_literal, bad_typed_literals_are_syntax_errors)
{
    EXPECT_ERROR("print int(2147483648)", SL_EPARSE, 1, 7, "int(2147483648)");
    EXPECT_ERROR("print long(1.5)", SL_EPARSE, 1, 7, "long(1.5)");
    EXPECT_ERROR("print real(1.5.5)", SL_EPARSE, 1, 7, "real(1.5.5)");
    EXPECT_ERROR("print real(0x10)", SL_EPARSE, 1, 7, "real(0x10)");
    EXPECT_ERROR("print decimal(nan)", SL_EPARSE, 1, 7, "decimal(nan)");
    EXPECT_ERROR("print bool(1)", SL_EPARSE, 1, 7, "bool(1)");
    EXPECT_ERROR("print guid(1234)", SL_EPARSE, 1, 7, "guid(1234)");
    EXPECT_ERROR("print timespan(1 week)", SL_EPARSE, 1, 7, "timespan(1 week)");
    EXPECT_ERROR("print x, datetime(2024-02-30)", SL_EPARSE, 1, 10, "datetime(2024-02-30)");
    char msg[400];
    qt_error("print datetime(garbage)", msg, sizeof msg);
    cr_expect_str_eq(msg,
                     "Syntax error at line 1, column 7 near 'datetime(garbage)': invalid "
                     "datetime literal");
}

Test(query_parse_literal, dynamic_values)
{
    EXPECT_EXPR("dynamic([])", "(dynamic [])");
    EXPECT_EXPR("dynamic({})", "(dynamic {})");
    EXPECT_EXPR("dynamic(5)", "(dynamic 5)");
    EXPECT_EXPR("dynamic(\"s\")", "(dynamic \"s\")");
    EXPECT_EXPR("dynamic([1, -2, 2.5, -0.5, true, false, null, 'sq', @\"v\\b\"])",
                "(dynamic [1,-2,(real 2.5),(real -0.5),true,false,null,\"sq\",\"v\\\\b\"])");
    EXPECT_EXPR("dynamic({\"a\": {\"b\": [1, {\"c\": []}]}, 'd': \"e\"})",
                "(dynamic {\"a\":{\"b\":[1,{\"c\":[]}]},\"d\":\"e\"})");
    EXPECT_EXPR("dynamic([TRUE, False])", "(dynamic [true,false])");
    EXPECT_EXPR("dynamic({\"k\": 1, \"k\": 2})", "(dynamic {\"k\":1,\"k\":2})");
}

Test(query_parse_literal, dynamic_nested_literals)
{
    EXPECT_EXPR("dynamic([datetime(2020-01-02), time(1.00:00:00), 1h, "
                "guid(74be27de-1e4e-49d9-b579-fe0b331d3642)])",
                "(dynamic [(datetime 2020-01-02T00:00:00Z),(timespan 864000000000),(timespan "
                "36000000000),(guid 74be27de-1e4e-49d9-b579-fe0b331d3642)])");
    EXPECT_EXPR("dynamic([long(5), real(1), bool(true), datetime(null), dynamic([1])])",
                "(dynamic [5,(real 1),true,null,[1]])");
    EXPECT_EXPR("dynamic({\"a\": dynamic({\"b\": 1})})", "(dynamic {\"a\":{\"b\":1}})");
    EXPECT_EXPR("dynamic([-2h, 1d])", "(dynamic [(timespan -72000000000),(timespan 864000000000)])");
    EXPECT_EXPR("dynamic([ // comment\n 1, /* no */ 2])",
                "ERROR SL_EPARSE: Syntax error at line 2, column 5 near '/': expected a JSON "
                "value");
    EXPECT_EXPR("dynamic([\n  1, // first\n  2 // second\n])", "(dynamic [1,2])");
}

Test(query_parse_literal, dynamic_errors_point_inside_the_body)
{
    EXPECT_ERROR("print dynamic({\"a\" 1})", SL_EPARSE, 1, 20, "1");
    EXPECT_ERROR("print dynamic([1,,2])", SL_EPARSE, 1, 18, ",");
    EXPECT_ERROR("print dynamic({a: 1})", SL_EPARSE, 1, 16, "a");
    EXPECT_ERROR("print dynamic([1] 2)", SL_EPARSE, 1, 19, "2");
    EXPECT_ERROR("print dynamic(x)", SL_EPARSE, 1, 15, "x");
    EXPECT_ERROR("print dynamic([decimal(1)])", SL_EPARSE, 1, 16, "decimal(1)");
    EXPECT_ERROR("print dynamic([typeof(int)])", SL_EPARSE, 1, 16, "typeof(int)");
    EXPECT_ERROR("print dynamic([- x])", SL_EPARSE, 1, 18, "x");
    EXPECT_ERROR("print dynamic([datetime(bad)])", SL_EPARSE, 1, 16, "datetime(bad)");
    EXPECT_ERROR("print\n  dynamic({\"a\":\n [1, }])", SL_EPARSE, 3, 6, "}");
}

Test(query_parse_literal, dynamic_nesting_is_bounded)
{
    sl_buf_t b = SL_BUF_INIT;
    sl_buf_puts(&b, "print dynamic(");
    for (int i = 0; i < 1000; i++) {
        sl_buf_putc(&b, '[');
    }
    for (int i = 0; i < 1000; i++) {
        sl_buf_putc(&b, ']');
    }
    sl_buf_putc(&b, ')');
    char msg[400];
    sl_query_error_t e = qt_error(b.data, msg, sizeof msg);
    cr_expect_eq(e.code, SL_ELIMIT, "%s", msg);
    sl_buf_dispose(&b);
}

Test(query_parse_literal, dynamic_tree_shape)
{
    sl_pool_t *pool = sl_pool_create();
    sl_query_node_t *q;
    const char *text = "print dynamic({\"a\": [1, \"x\"], \"b\": null})";
    cr_assert_eq(sl_query_parse(pool, text, strlen(text), &q, NULL, NULL), 0);
    const sl_query_node_t *lit = q->query.stmts.v[0]->items.items.v[0];
    cr_assert_eq(lit->lit.type, SL_QUERY_TY_DYNAMIC);
    const sl_query_dyn_t *v = lit->lit.dyn;
    cr_assert_eq(v->kind, SL_QUERY_DYN_OBJECT);
    cr_assert_eq(v->items.n, 2);
    cr_expect_eq(v->items.key_lens[0], 1);
    cr_expect_eq(memcmp(v->items.keys[0], "a", 1), 0);
    cr_assert_eq(v->items.v[0]->kind, SL_QUERY_DYN_ARRAY);
    cr_expect_null(v->items.v[0]->items.keys);
    cr_expect_eq(v->items.v[0]->items.v[0]->i, 1);
    cr_expect_eq(v->items.v[0]->items.v[1]->str.n, 1);
    cr_expect_eq(v->items.v[1]->kind, SL_QUERY_DYN_NULL);
    sl_pool_destroy(pool);
}

Test(query_parse_literal, strings_and_obfuscation_in_nodes)
{
    sl_pool_t *pool = sl_pool_create();
    sl_query_node_t *q;
    const char *text = "print h'se' \"cret\", \"a\\u0000b\"";
    cr_assert_eq(sl_query_parse(pool, text, strlen(text), &q, NULL, NULL), 0);
    const sl_query_node_t *s = q->query.stmts.v[0]->items.items.v[0];
    cr_expect(s->lit.obfuscated);
    cr_expect_eq(s->lit.str.n, 6);
    cr_expect_eq(memcmp(s->lit.str.s, "secret", 6), 0);
    const sl_query_node_t *z = q->query.stmts.v[0]->items.items.v[1];
    cr_expect(!z->lit.obfuscated);
    cr_expect_eq(z->lit.str.n, 3, "an escaped NUL is kept");
    sl_pool_destroy(pool);
}
