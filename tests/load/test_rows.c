/*
 * Reading the shared generator's JSON lines: fields land in the row as
 * escaped JSON text (so they can be copied into a body verbatim), times come
 * from ts_ms (or ts), and malformed lines are refused with a reason.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "bench/load.h"

static bool str_is(sl_load_str_t s, const char *want)
{
    return s.n == strlen(want) && !memcmp(s.p, want, s.n);
}

Test(load_rows, parses_a_generator_line)
{
    const char *line =
      "{\"ts\":\"2024-06-10 06:13:20\",\"ts_ms\":1718000000123,\"host\":\"db-03.prod.example.net\","
      "\"app\":\"postgres\",\"severity\":\"error\",\"message\":\"ERROR:  duplicate key value "
      "violates unique constraint \\\"orders_pkey\\\" \\u00e9\"}\n";
    sl_load_row_t r;
    sl_diag_t d;
    cr_assert_eq(sl_load_row_parse(line, strlen(line), &r, &d), 0, "%s", d.msg);
    cr_expect_eq(r.ts_ms, 1718000000123);
    cr_expect(str_is(r.host, "db-03.prod.example.net"));
    cr_expect(str_is(r.app, "postgres"));
    cr_expect(str_is(r.severity, "error"));
    cr_expect(str_is(r.message,
                     "ERROR:  duplicate key value violates unique constraint "
                     "\\\"orders_pkey\\\" \\u00e9"),
              "escapes are kept as written");
}

Test(load_rows, time_falls_back_to_ts_and_other_keys_are_ignored)
{
    const char *line = "{\"extra\":{\"a\":[1,2,{\"b\":null}]},\"ts\":\"2024-06-10 00:00:01\","
                       "\"host\":\"h\",\"app\":\"a\",\"severity\":\"info\",\"message\":\"m\","
                       "\"n\":-1.5e3,\"t\":true}";
    sl_load_row_t r;
    sl_diag_t d;
    cr_assert_eq(sl_load_row_parse(line, strlen(line), &r, &d), 0, "%s", d.msg);
    cr_expect_eq(r.ts_ms, 1717977601000, "naive ts is UTC");
}

Test(load_rows, malformed_lines_are_refused_with_a_reason)
{
    static const struct {
        const char *line, *why;
    } bad[] = {
        { "[1,2]", "object" },
        { "{\"host\":\"h\",\"app\":\"a\",\"severity\":\"s\",\"ts_ms\":1}", "message" },
        { "{\"host\":\"h\",\"app\":\"a\",\"severity\":\"s\",\"message\":\"m\"}", "ts_ms" },
        { "{\"host\":\"h\",\"app\":\"a\",\"severity\":\"s\",\"message\":\"m\\x\",\"ts_ms\":1}",
          "message" },
        { "{\"host\":\"h\",\"app\":\"a\",\"severity\":\"s\",\"message\":\"m\\u12\",\"ts_ms\":1}",
          "message" },
        { "{\"host\":\"h\",\"app\":\"a\",\"severity\":\"s\",\"message\":\"tab\there\",\"ts_ms\":1}",
          "message" },
        { "{\"host\":1,\"app\":\"a\",\"severity\":\"s\",\"message\":\"m\",\"ts_ms\":1}", "host" },
        { "{\"host\":\"h\",\"app\":\"a\",\"severity\":\"s\",\"message\":\"m\",\"ts_ms\":1} x",
          "trailing" },
        { "{\"host\":\"h\",\"app\":\"a\",\"severity\":\"s\",\"message\":\"m\",\"ts_ms\":1",
          "expected" },
        { "{\"host\":\"h\",\"app\":\"a\",\"severity\":\"s\",\"message\":\"m\",\"ts_ms\":\"1\"}",
          "ts_ms" },
        { "{\"host\":\"h\",\"app\":\"a\",\"severity\":\"s\",\"message\":\"m\",\"ts_ms\":1e99}",
          "range" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        sl_load_row_t r;
        sl_diag_t d = { 0 };
        cr_expect_eq(sl_load_row_parse(bad[i].line, strlen(bad[i].line), &r, &d),
                     SL_EPARSE,
                     "line %zu accepted",
                     i);
        cr_expect(
          strstr(d.msg, bad[i].why) != NULL, "line %zu: '%s' lacks '%s'", i, d.msg, bad[i].why);
    }
}
