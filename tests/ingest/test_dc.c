/* Data Collector API bodies → batches: Azure's inference and conversion rules. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "ingest/ingest_int.h"

static const sl_ticks_t NOW = 1718000000LL * SL_TICKS_PER_SEC;
static sl_guid_t WS;

static sl_batch_t *parse_ok(const char *body, const char *time_field, const sl_table_def_t *t)
{
    sl_dc_req_t r = { 0 };
    r.log_type = "MyApp";
    r.log_type_len = 5;
    r.body = body;
    r.body_len = strlen(body);
    r.received = NOW;
    if (time_field) {
        r.time_field = time_field;
        r.time_field_len = strlen(time_field);
    }
    sl_batch_t *b;
    sl_ingest_err_t e;
    int rc = sl_ingest_dc_parse(&r, &WS, t, &b, &e);
    cr_assert_eq(rc, 0, "%s: %s", e.code, e.msg);
    cr_assert_str_eq(b->table, "MyApp_CL");
    return b;
}

static int parse_err(const char *body, sl_ingest_err_t *e)
{
    sl_dc_req_t r = { 0 };
    r.log_type = "MyApp";
    r.log_type_len = 5;
    r.body = body;
    r.body_len = strlen(body);
    r.received = NOW;
    sl_batch_t *b;
    int rc = sl_ingest_dc_parse(&r, &WS, NULL, &b, e);
    cr_expect_null(b);
    return rc;
}

static const sl_col_t *col(const sl_batch_t *b, const char *name)
{
    int i = sl_colset_find(&b->rows, name);
    cr_assert(i >= 0, "column %s missing", name);
    return &b->rows.cols[i];
}

static void expect_text(const sl_batch_t *b, const char *name, size_t row, const char *want)
{
    size_t n;
    const char *s = sl_col_text(col(b, name), row, &n);
    cr_expect(n == strlen(want) && !memcmp(s, want, n), "%s[%zu] = '%.*s', want '%s'", name, row,
              (int)n, s, want);
}

Test(ingest_dc, suffixes_by_inferred_type)
{
    sl_batch_t *b = parse_ok("[{\"host\":\"web-1\",\"count\":3,\"ratio\":0.5,\"ok\":true,"
                             "\"when\":\"2024-06-10T06:00:00Z\","
                             "\"id\":\"8145d82213a744ad859c36f31a84f6dd\","
                             "\"nested\":{\"a\":[1, 2]},\"gone\":null}]",
                             NULL, NULL);
    cr_assert_eq(b->rows.nrows, 1);
    expect_text(b, "host_s", 0, "web-1");
    cr_expect_eq(col(b, "count_d")->type, SL_TYPE_REAL);
    cr_expect_eq(sl_col_f64(col(b, "count_d"), 0), 3.0);
    cr_expect_eq(sl_col_f64(col(b, "ratio_d"), 0), 0.5);
    cr_expect(sl_col_bool(col(b, "ok_b"), 0));
    cr_expect_eq(col(b, "when_t")->type, SL_TYPE_DATETIME);
    cr_expect_eq(sl_col_i64(col(b, "when_t"), 0), NOW - (13 * 60 + 20) * SL_TICKS_PER_SEC);
    expect_text(b, "id_g", 0, "8145d822-13a7-44ad-859c-36f31a84f6dd");
    expect_text(b, "nested_s", 0, "{\"a\":[1,2]}");
    cr_expect_eq(sl_colset_find(&b->rows, "gone_s"), -1, "nulls are dropped");
    cr_expect_eq(sl_col_i64(col(b, "TimeGenerated"), 0), NOW, "no time field: receipt time");
    cr_expect_eq(sl_col_i64(col(b, "_TimeReceived"), 0), NOW);
    sl_batch_destroy(b);
}

Test(ingest_dc, values_convert_to_existing_columns_else_new_suffix)
{
    sl_table_col_t cols[] = { { "TimeGenerated", SL_TYPE_DATETIME },
                              { "count_d", SL_TYPE_REAL },
                              { "flag_b", SL_TYPE_BOOL },
                              { "name_s", SL_TYPE_STRING } };
    sl_table_def_t t = { .ncols = 4, .cols = cols };
    sl_batch_t *b = parse_ok("[{\"count\":\"42\",\"flag\":\"maybe\",\"name\":17}]", NULL, &t);
    cr_expect_eq(sl_col_f64(col(b, "count_d"), 0), 42.0, "\"42\" fits the existing _d column");
    expect_text(b, "flag_s", 0, "maybe");
    cr_expect_eq(sl_colset_find(&b->rows, "flag_b"), -1, "no value for the _b column");
    expect_text(b, "name_s", 0, "17");
    cr_expect_eq(sl_colset_find(&b->rows, "name_d"), -1, "17 fits the existing _s column");
    sl_batch_destroy(b);
    /* Within one post: the first record creates, later ones convert. */
    b = parse_ok("[{\"v\":1},{\"v\":\"2\"},{\"v\":\"x\"}]", NULL, NULL);
    cr_expect_eq(sl_col_f64(col(b, "v_d"), 1), 2.0);
    cr_expect(sl_col_is_null(col(b, "v_d"), 2));
    expect_text(b, "v_s", 2, "x");
    sl_batch_destroy(b);
}

Test(ingest_dc, names_are_sanitised_and_bounded)
{
    char body[300];
    snprintf(body, sizeof body, "[{\"@timestamp\":1724230000.5,\"a-b.c\":\"x\",\"%s\":1,\"@\":2}]",
             "a_very_long_property_name_that_goes_on_and_on_forever");
    sl_batch_t *b = parse_ok(body, NULL, NULL);
    cr_expect_eq(sl_col_f64(col(b, "timestamp_d"), 0), 1724230000.5);
    expect_text(b, "abc_s", 0, "x");
    bool found = false;
    for (size_t i = 0; i < b->rows.ncols; i++) {
        cr_expect(strlen(b->rows.cols[i].name) <= 45, "%s", b->rows.cols[i].name);
        found |= !strncmp(b->rows.cols[i].name, "a_very_long", 11);
    }
    cr_expect(found);
    sl_batch_destroy(b);
}

Test(ingest_dc, time_generated_field_by_raw_key_within_window)
{
    sl_batch_t *b = parse_ok("[{\"@timestamp\":\"2024-06-10T06:13:00.500Z\",\"m\":1},"
                             "{\"@timestamp\":\"2024-06-01T00:00:00Z\",\"m\":2},"
                             "{\"@timestamp\":\"2024-06-12T00:00:00Z\",\"m\":3},"
                             "{\"m\":4}]",
                             "@timestamp", NULL);
    const sl_col_t *tg = col(b, "TimeGenerated");
    cr_expect_eq(sl_col_i64(tg, 0), NOW - 195000000LL);
    cr_expect_eq(sl_col_i64(tg, 1), NOW, "more than 2 days old: receipt time");
    cr_expect_eq(sl_col_i64(tg, 2), NOW, "more than 1 day ahead: receipt time");
    cr_expect_eq(sl_col_i64(tg, 3), NOW, "field absent: receipt time");
    cr_expect_eq(col(b, "timestamp_t")->type, SL_TYPE_DATETIME, "the field is also a column");
    sl_batch_destroy(b);
}

Test(ingest_dc, long_values_truncate_on_a_character_boundary)
{
    size_t n = SL_DC_FIELD_MAX + 100;
    sl_buf_t body = SL_BUF_INIT;
    sl_buf_puts(&body, "[{\"big\":\"");
    for (size_t i = 0; i < n / 2; i++)
        sl_buf_append(&body, "\xc3\xa9", 2); /* é */
    sl_buf_puts(&body, "\"}]");
    sl_batch_t *b = parse_ok(body.data, NULL, NULL);
    size_t len;
    const char *s = sl_col_text(col(b, "big_s"), 0, &len);
    cr_expect(len <= SL_DC_FIELD_MAX && len >= SL_DC_FIELD_MAX - 1);
    cr_expect_eq(len % 2, 0, "no split character");
    cr_expect_eq((unsigned char)s[len - 1], 0xa9);
    sl_batch_destroy(b);
    sl_buf_dispose(&body);
}

Test(ingest_dc, single_object_and_empty_array)
{
    sl_batch_t *b = parse_ok("{\"a\":\"b\"}", NULL, NULL);
    cr_expect_eq(b->rows.nrows, 1);
    sl_batch_destroy(b);
    b = parse_ok("[]", NULL, NULL);
    cr_expect_eq(b->rows.nrows, 0);
    sl_batch_destroy(b);
}

Test(ingest_dc, bad_bodies_are_invalid_data_format)
{
    const char *bad[] = { "[{\"a\":", "[1,2]", "\"text\"", "[{\"TimeGenerated\":\"x\"}]",
                          "[{\"RawData\":\"x\"}]", "[{\"a\":1,\"a\":2}]", "" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sl_ingest_err_t e;
        cr_expect_eq(parse_err(bad[i], &e), SL_EPARSE, "%s", bad[i]);
        cr_expect_eq(e.http, 400);
        cr_expect_str_eq(e.code, "InvalidDataFormat", "%s", bad[i]);
    }
}

Test(ingest_dc, column_limit)
{
    sl_buf_t body = SL_BUF_INIT;
    sl_buf_puts(&body, "[{");
    for (int i = 0; i < 510; i++)
        sl_buf_printf(&body, "%s\"c%d\":1", i ? "," : "", i);
    sl_buf_puts(&body, "}]");
    sl_ingest_err_t e;
    cr_expect_eq(parse_err(body.data, &e), SL_EPARSE);
    cr_expect(strstr(e.msg, "500 columns"), "%s", e.msg);
    sl_buf_dispose(&body);
}

Test(ingest_sharedkey, signature_matches_an_independent_hmac)
{
    /* PROTOCOLS.md §1.3 string-to-sign, HMAC computed separately here. */
    uint8_t key[64];
    for (int i = 0; i < 64; i++)
        key[i] = (uint8_t)(i * 7);
    const char *date = "Mon, 04 Apr 2016 08:00:00 GMT";
    const char *sts = "POST\n1024\napplication/json\nx-ms-date:Mon, 04 Apr 2016 08:00:00 GMT\n"
                      "/api/logs";
    uint8_t mac[32];
    sl_hmac_sha256(key, sizeof key, sts, strlen(sts), mac);
    char want[48];
    want[sl_base64_encode(mac, 32, want)] = '\0';
    char got[48];
    sl_ingest_sharedkey_sign(key, sizeof key, 1024, "application/json", 16, date, strlen(date),
                             got);
    cr_expect_str_eq(got, want);
    cr_expect(sl_ingest_sharedkey_check(key, sizeof key, 1024, "application/json", 16, date,
                                        strlen(date), want, strlen(want)));
    cr_expect(!sl_ingest_sharedkey_check(key, sizeof key, 1025, "application/json", 16, date,
                                         strlen(date), want, strlen(want)));
    cr_expect(!sl_ingest_sharedkey_check(key, sizeof key, 1024, "application/json", 16, date,
                                         strlen(date), "AAAA", 4));
    cr_expect(sl_ingest_log_type_valid("My_Log2", 7));
    cr_expect(!sl_ingest_log_type_valid("My-Log", 6));
    cr_expect(!sl_ingest_log_type_valid("", 0));
}
