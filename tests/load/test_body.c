/*
 * Rows to records (BENCHMARKS.md's mapping), bodies as JSON arrays, gzip.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>
#include <zlib.h>

#include "bench/load.h"

static sl_load_row_t sample(void)
{
    sl_load_row_t r = { 0 };
    r.ts_ms = 1718000000123;
    r.host = (sl_load_str_t){ "web-01.prod.example.net", 23 };
    r.app = (sl_load_str_t){ "nginx", 5 };
    r.severity = (sl_load_str_t){ "info", 4 };
    r.message = (sl_load_str_t){ "GET \\\"/\\\" 200", 13 };
    return r;
}

Test(load_body, records_map_fields_for_both_apis)
{
    sl_load_row_t r = sample();
    sl_buf_t b = SL_BUF_INIT;
    sl_load_record_append(&b, SL_LOAD_MODE_DC, &r, 0);
    cr_expect_str_eq(b.data,
                     "{\"ts\":\"2024-06-10T06:13:20.123Z\",\"Computer\":\"web-01.prod."
                     "example.net\",\"ProcessName\":\"nginx\",\"SeverityLevel\":\"info\","
                     "\"SyslogMessage\":\"GET \\\"/\\\" 200\"}");
    sl_buf_reset(&b);
    sl_load_record_append(&b, SL_LOAD_MODE_LI, &r, 1000);
    cr_expect_str_eq(b.data,
                     "{\"TimeGenerated\":\"2024-06-10T06:13:21.123Z\",\"Computer\":\"web-"
                     "01.prod.example.net\",\"ProcessName\":\"nginx\",\"SeverityLevel\":"
                     "\"info\",\"SyslogMessage\":\"GET \\\"/\\\" 200\"}",
                     "the shift moves the time");
    json_error_t e;
    json_t *j = json_loads(b.data, 0, &e);
    cr_assert(j, "%s", e.text);
    cr_expect_str_eq(json_string_value(json_object_get(j, "SyslogMessage")), "GET \"/\" 200");
    json_decref(j);
    sl_buf_dispose(&b);
}

Test(load_body, times_format_like_the_common_formatter)
{
    sl_load_row_t r = sample();
    sl_buf_t b = SL_BUF_INIT;
    /* From 1970 to 2100, odd steps, including negative shifts. */
    for (int64_t ms = 0; ms < INT64_C(4102444800000); ms += INT64_C(987654321987) / 97) {
        r.ts_ms = ms;
        sl_buf_reset(&b);
        sl_load_record_append(&b, SL_LOAD_MODE_DC, &r, -7);
        char want[32];
        sl_time_format_iso8601_ms((ms - 7) * SL_TICKS_PER_MS, want);
        cr_assert(strncmp(b.data + 7, want, strlen(want)) == 0,
                  "%lld: %.30s vs %s",
                  (long long)ms,
                  b.data + 7,
                  want);
    }
    sl_buf_dispose(&b);
}

Test(load_body, absurd_times_are_formatted_without_overflow)
{
    sl_load_row_t r = sample();
    sl_buf_t b = SL_BUF_INIT;
    const int64_t ms[] = { INT64_C(17180000006000654), -INT64_C(17180000006000654), INT64_MAX,
                           INT64_MIN + 1 };
    for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) {
        r.ts_ms = ms[i];
        sl_buf_reset(&b);
        sl_load_record_append(&b, SL_LOAD_MODE_DC, &r, 0);
        cr_expect(b.len > 0 && b.data[b.len - 1] == '}', "%lld: %s", (long long)ms[i], b.data);
    }
    sl_buf_dispose(&b);
}

Test(load_body, gzip_round_trips)
{
    sl_buf_t json = SL_BUF_INIT, gz = SL_BUF_INIT;
    sl_load_gen_t g;
    sl_load_gen_init(&g, 3, 0);
    sl_buf_putc(&json, '[');
    for (int i = 0; i < 500; i++) {
        sl_load_row_t r;
        sl_load_gen_row(&g, (uint64_t)i, &r);
        if (i)
            sl_buf_putc(&json, ',');
        sl_load_record_append(&json, SL_LOAD_MODE_LI, &r, 0);
    }
    sl_buf_putc(&json, ']');
    cr_assert_eq(sl_load_gzip(json.data, json.len, 6, &gz, NULL), 0);
    cr_expect((uint8_t)gz.data[0] == 0x1f && (uint8_t)gz.data[1] == 0x8b, "a gzip member");
    cr_expect_lt(gz.len, json.len / 3, "log text compresses");

    z_stream z = { 0 };
    cr_assert_eq(inflateInit2(&z, 15 + 16), Z_OK);
    char *back = malloc(json.len + 1);
    z.next_in = (Bytef *)gz.data;
    z.avail_in = (uInt)gz.len;
    z.next_out = (Bytef *)back;
    z.avail_out = (uInt)json.len + 1;
    cr_assert_eq(inflate(&z, Z_FINISH), Z_STREAM_END);
    cr_expect_eq(z.total_out, json.len);
    cr_expect(memcmp(back, json.data, json.len) == 0);
    inflateEnd(&z);
    free(back);

    json_t *j = json_loadb(json.data, json.len, 0, NULL);
    cr_assert(json_is_array(j));
    cr_expect_eq(json_array_size(j), 500);
    json_decref(j);
    cr_expect_eq(sl_load_gzip("x", 1, 11, &gz, NULL), SL_EINVAL);
    sl_buf_dispose(&json);
    sl_buf_dispose(&gz);
}
