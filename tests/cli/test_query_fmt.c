#include "cli_test.h"

#include <string.h>

/* A small answer with every kind of cell the node sends. */
static const char answer[] =
    "{\"tables\":[{\"name\":\"PrimaryResult\","
    "\"columns\":[{\"name\":\"Host\",\"type\":\"string\"},{\"name\":\"N\",\"type\":\"long\"},"
    "{\"name\":\"R\",\"type\":\"real\"},{\"name\":\"Ok\",\"type\":\"bool\"},"
    "{\"name\":\"T\",\"type\":\"datetime\"},{\"name\":\"D\",\"type\":\"dynamic\"}],"
    "\"rows\":[[\"web-1\",3,0.1,true,\"2026-11-23T12:00:00Z\",\"{\\\"a\\\":[1,2.5]}\"],"
    "[\"a, \\\"quoted\\\"\\nline\",null,null,null,null,null],"
    "[\"\",-7,1e+300,false,\"2026-11-23T12:00:00.5Z\",\"not json\"]]}]}";

static char *render(const char *resp, cli_format_t f, size_t max_cell)
{
    json_t *j = jparse(resp);
    sl_diag_t d = { 0 };
    cr_assert_eq(cli_result_check(j, &d), 0, "%s", d.msg);
    cli_fmt_opts_t o = { .format = f, .max_cell = max_cell };
    cap_t c;
    cap_begin(&c);
    cli_result_write(j, &o, c.f);
    json_decref(j);
    return cap_end(&c);
}

Test(cli_query_fmt, table_aligns_types_and_shows_null_as_empty)
{
    char *s = render(answer, CLI_FORMAT_TABLE, 0);
    cr_expect_str_eq(s, "Host               N       R  Ok     T                       D\n"
                        "----------------  --  ------  -----  ----------------------  "
                        "-------------\n"
                        "web-1              3     0.1  true   2026-11-23T12:00:00Z    "
                        "{\"a\":[1,2.5]}\n"
                        "a, \"quoted\" line\n"
                        "                  -7  1e+300  false  2026-11-23T12:00:00.5Z  "
                        "not json\n");
    free(s);
}

Test(cli_query_fmt, table_cuts_long_cells)
{
    char *s = render("{\"tables\":[{\"name\":\"t\",\"columns\":[{\"name\":\"m\",\"type\":"
                     "\"string\"}],\"rows\":[[\"0123456789\"]]}]}",
                     CLI_FORMAT_TABLE, 6);
    cr_expect_str_eq(s, "m\n------\n01234…\n");
    free(s);
}

Test(cli_query_fmt, several_tables_are_titled_one_is_not)
{
    const char *two = "{\"tables\":["
                      "{\"name\":\"PrimaryResult\",\"columns\":[{\"name\":\"a\",\"type\":"
                      "\"long\"}],\"rows\":[[1],[2]]},"
                      "{\"name\":\"Table_1\",\"columns\":[{\"name\":\"b\",\"type\":"
                      "\"string\"}],\"rows\":[[\"x\"]]}]}";
    char *s = render(two, CLI_FORMAT_TABLE, 0);
    cr_expect_str_eq(s, "PrimaryResult (2 rows)\na\n-\n1\n2\n\nTable_1 (1 row)\nb\n-\nx\n");
    free(s);
    s = render("{\"tables\":[{\"name\":\"PrimaryResult\",\"columns\":[{\"name\":\"a\","
               "\"type\":\"long\"}],\"rows\":[]}]}",
               CLI_FORMAT_TABLE, 0);
    cr_expect_str_eq(s, "a\n-\n");
    free(s);
}

Test(cli_query_fmt, csv_quotes_per_rfc4180_and_tells_null_from_empty)
{
    char *s = render(answer, CLI_FORMAT_CSV, 0);
    cr_expect_str_eq(s, "Host,N,R,Ok,T,D\r\n"
                        "web-1,3,0.1,true,2026-11-23T12:00:00Z,\"{\"\"a\"\":[1,2.5]}\"\r\n"
                        "\"a, \"\"quoted\"\"\nline\",,,,,\r\n"
                        "\"\",-7,1e+300,false,2026-11-23T12:00:00.5Z,not json\r\n");
    free(s);
}

Test(cli_query_fmt, csv_tables_separated_by_an_empty_line)
{
    const char *two = "{\"tables\":["
                      "{\"name\":\"A\",\"columns\":[{\"name\":\"a\",\"type\":\"long\"}],"
                      "\"rows\":[[1]]},"
                      "{\"name\":\"B\",\"columns\":[{\"name\":\"b\",\"type\":\"long\"}],"
                      "\"rows\":[[2]]}]}";
    char *s = render(two, CLI_FORMAT_CSV, 0);
    cr_expect_str_eq(s, "a\r\n1\r\n\r\nb\r\n2\r\n");
    free(s);
}

Test(cli_query_fmt, json_rows_are_typed_objects)
{
    char *s = render(answer, CLI_FORMAT_JSON, 0);
    cr_expect_str_eq(s, "[\n"
                        "{\"Host\":\"web-1\",\"N\":3,\"R\":0.1,\"Ok\":true,"
                        "\"T\":\"2026-11-23T12:00:00Z\",\"D\":{\"a\":[1,2.5]}},\n"
                        "{\"Host\":\"a, \\\"quoted\\\"\\nline\",\"N\":null,\"R\":null,"
                        "\"Ok\":null,\"T\":null,\"D\":null},\n"
                        "{\"Host\":\"\",\"N\":-7,\"R\":1e+300,\"Ok\":false,"
                        "\"T\":\"2026-11-23T12:00:00.5Z\",\"D\":\"not json\"}\n"
                        "]\n");
    /* And it is JSON that reads back with the same values. */
    json_t *back = jparse(s);
    cr_expect_eq(json_array_size(back), 3);
    cr_expect_eq(json_real_value(json_object_get(json_array_get(back, 0), "R")), 0.1);
    json_decref(back);
    free(s);
}

Test(cli_query_fmt, json_empty_table_and_several_tables)
{
    const char *two = "{\"tables\":["
                      "{\"name\":\"A\",\"columns\":[{\"name\":\"a\",\"type\":\"long\"}],"
                      "\"rows\":[]},"
                      "{\"name\":\"B\",\"columns\":[{\"name\":\"b\",\"type\":\"long\"}],"
                      "\"rows\":[[2]]}]}";
    char *s = render(two, CLI_FORMAT_JSON, 0);
    cr_expect_str_eq(s, "[]\n[\n{\"b\":2}\n]\n");
    free(s);
}

Test(cli_query_fmt, short_rows_read_as_null)
{
    char *s = render("{\"tables\":[{\"name\":\"t\",\"columns\":[{\"name\":\"a\",\"type\":"
                     "\"long\"},{\"name\":\"b\",\"type\":\"long\"}],\"rows\":[[1]]}]}",
                     CLI_FORMAT_JSON, 0);
    cr_expect_str_eq(s, "[\n{\"a\":1,\"b\":null}\n]\n");
    free(s);
}

Test(cli_query_fmt, numbers_keep_the_text_the_node_wrote)
{
    /* The node writes the shortest text that reads back; %.17g would turn
     * 0.1 into 0.10000000000000001. */
    const char *nums[] = { "0.1", "0.3333333333333333", "-2.5", "1e-05", "1e+300",
                           "9007199254740993", "-9223372036854775808" };
    for (size_t i = 0; i < SL_ARRAY_SIZE(nums); i++) {
        json_t *v = jparse(nums[i]);
        sl_buf_t b = SL_BUF_INIT;
        cr_expect_not(cli_cell_text(v, &b));
        cr_expect_str_eq(b.data, nums[i]);
        sl_buf_reset(&b);
        cli_json_append(&b, v);
        cr_expect_str_eq(b.data, nums[i]);
        sl_buf_dispose(&b);
        json_decref(v);
    }
}

Test(cli_query_fmt, cell_text_null_and_missing)
{
    sl_buf_t b = SL_BUF_INIT;
    json_t *n = json_null();
    cr_expect(cli_cell_text(n, &b));
    cr_expect(cli_cell_text(NULL, &b));
    cr_expect_eq(b.len, 0);
    json_t *e = json_string("");
    cr_expect_not(cli_cell_text(e, &b));
    json_decref(e);
    sl_buf_dispose(&b);
}

Test(cli_query_fmt, csv_field_quoting)
{
    struct {
        const char *in;
        bool quote_empty;
        const char *out;
    } cases[] = {
        { "plain", true, "plain" },     { "a,b", true, "\"a,b\"" },
        { "say \"hi\"", true, "\"say \"\"hi\"\"\"" }, { "two\nlines", true, "\"two\nlines\"" },
        { "cr\r", true, "\"cr\r\"" },   { "", true, "\"\"" },
        { "", false, "" },              { " spaced ", true, " spaced " },
    };
    for (size_t i = 0; i < SL_ARRAY_SIZE(cases); i++) {
        sl_buf_t b = SL_BUF_INIT;
        cli_csv_field(&b, cases[i].in, strlen(cases[i].in), cases[i].quote_empty);
        cr_expect_str_eq(b.data ? b.data : "", cases[i].out, "case %zu", i);
        sl_buf_dispose(&b);
    }
}

Test(cli_query_fmt, check_rejects_answers_without_tables)
{
    const char *bad[] = {
        "{}",
        "{\"tables\":{}}",
        "{\"tables\":[{\"columns\":[],\"rows\":[]}]}",
        "{\"tables\":[{\"name\":\"t\",\"columns\":[{\"type\":\"long\"}],\"rows\":[]}]}",
        "{\"tables\":[{\"name\":\"t\",\"columns\":[],\"rows\":[1]}]}",
        "[]",
    };
    for (size_t i = 0; i < SL_ARRAY_SIZE(bad); i++) {
        json_t *j = jparse(bad[i]);
        sl_diag_t d = { 0 };
        cr_expect_eq(cli_result_check(j, &d), SL_EPARSE, "case %zu", i);
        cr_expect_neq(d.msg[0], '\0');
        json_decref(j);
    }
}

Test(cli_query_fmt, format_names)
{
    cli_format_t f;
    cr_expect_eq(cli_format_parse("csv", &f), 0);
    cr_expect_eq(f, CLI_FORMAT_CSV);
    cr_expect_eq(cli_format_parse("raw", &f), 0);
    cr_expect_eq(f, CLI_FORMAT_RAW);
    cr_expect_eq(cli_format_parse("xml", &f), SL_EINVAL);
}

Test(cli_query_fmt, statistics_line)
{
    json_t *st = jparse("{\"query\":{\"executionTime\":0.0125,\"resourceUsage\":{\"memory\":"
                        "{\"peakPerNode\":2048}},\"inputDatasetStatistics\":{\"extents\":"
                        "{\"total\":4,\"scanned\":3},\"rows\":{\"scanned\":1000}},"
                        "\"datasetStatistics\":[{\"tableRowCount\":1,\"tableSize\":8}],"
                        "\"sealog\":{\"bytesDecrypted\":1536}}}");
    cap_t c;
    cap_begin(&c);
    cli_stats_write(st, c.f);
    char *s = cap_end(&c);
    cr_expect_str_eq(s, "statistics: 12.500 ms, 1000 rows scanned, 3 of 4 blocks read, "
                        "1.5 KiB decrypted, peak memory 2.0 KiB, result 1 row / 8 B\n");
    free(s);
    json_decref(st);
    /* A shape it does not know is shown as it came. */
    st = jparse("{\"other\":[1]}");
    cap_begin(&c);
    cli_stats_write(st, c.f);
    s = cap_end(&c);
    cr_expect_str_eq(s, "statistics: {\"other\":[1]}\n");
    free(s);
    json_decref(st);
    cap_begin(&c);
    cli_stats_write(NULL, c.f);
    s = cap_end(&c);
    cr_expect_str_eq(s, "statistics: the node sent none\n");
    free(s);
}

Test(cli_query_fmt, partial_error_description)
{
    json_t *e = jparse("{\"code\":\"PartialError\",\"message\":\"There were some errors\","
                       "\"details\":[{\"code\":\"EngineError\",\"message\":\"The results "
                       "exceed the set limit of 3 records\",\"innererror\":{\"code\":"
                       "\"E_QUERY_RESULT_SET_TOO_LARGE\"}}]}");
    sl_buf_t b = SL_BUF_INIT;
    cli_partial_describe(e, &b);
    cr_expect_str_eq(b.data, "The results exceed the set limit of 3 records "
                             "(E_QUERY_RESULT_SET_TOO_LARGE)");
    json_decref(e);
    sl_buf_reset(&b);
    e = jparse("{\"code\":\"PartialError\",\"message\":\"Some legs failed\"}");
    cli_partial_describe(e, &b);
    cr_expect_str_eq(b.data, "Some legs failed (PartialError)");
    json_decref(e);
    sl_buf_dispose(&b);
}

Test(cli_query_fmt, deep_dynamic_values_stay_valid_json)
{
    /* Deeper than sl_jw_t tracks commas for. */
    sl_buf_t text = SL_BUF_INIT;
    for (int i = 0; i < 200; i++) {
        sl_buf_puts(&text, "[1,");
    }
    sl_buf_puts(&text, "2");
    for (int i = 0; i < 200; i++) {
        sl_buf_puts(&text, "]");
    }
    json_t *cell = json_string(text.data);
    json_t *resp = jparse("{\"tables\":[{\"name\":\"t\",\"columns\":[{\"name\":\"d\","
                          "\"type\":\"dynamic\"}],\"rows\":[[null]]}]}");
    json_t *row = json_array_get(json_object_get(json_array_get(json_object_get(resp, "tables"), 0),
                                                 "rows"),
                                 0);
    json_array_set_new(row, 0, cell);
    cli_fmt_opts_t o = { .format = CLI_FORMAT_JSON };
    cap_t c;
    cap_begin(&c);
    cli_result_write(resp, &o, c.f);
    char *s = cap_end(&c);
    json_t *back = json_loads(s, 0, NULL);
    cr_assert(back, "not JSON: %.200s", s);
    json_t *v = json_object_get(json_array_get(back, 0), "d");
    for (int i = 0; i < 199; i++) {
        cr_assert_eq(json_array_size(v), 2);
        v = json_array_get(v, 1);
    }
    cr_expect_eq(json_integer_value(json_array_get(v, 1)), 2);
    json_decref(back);
    json_decref(resp);
    free(s);
    sl_buf_dispose(&text);
}
