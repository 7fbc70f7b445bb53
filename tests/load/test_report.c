/*
 * Counting and reporting: what counts as an error, merging workers, and the
 * two report forms carrying the same figures.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>

#include "bench/load.h"

static sl_load_stats_t *fill(void)
{
    sl_load_stats_t *s = malloc(sizeof *s);
    sl_load_stats_init(s);
    for (int i = 0; i < 90; i++)
        sl_load_stats_response(s, i % 2 ? 200 : 204, 1000, 240000, 60000, 2000000);
    for (int i = 0; i < 7; i++)
        sl_load_stats_response(s, 503, 1000, 240000, 60000, 1000000);
    sl_load_stats_response(s, 500, 1000, 240000, 60000, 3000000);
    sl_load_stats_xerr(s, "ECONNRESET", true);
    sl_load_stats_xerr(s, "connect ECONNREFUSED", false);
    return s;
}

Test(load_report, errors_are_non_2xx_plus_transport)
{
    sl_load_stats_t *s = fill();
    cr_expect_eq(s->requests, 99, "98 answers and one lost request");
    cr_expect_eq(s->requests_ok, 90);
    cr_expect_eq(s->rows_ok, 90000, "only acknowledged rows count");
    cr_expect_eq(s->bytes_ok, 90 * 240000ull);
    cr_expect_eq(s->lost, 1);
    cr_expect_eq(sl_load_stats_errors(s), 7 + 1 + 2, "non-2xx, plus each transport error");
    cr_expect_eq(s->lat.count, 98, "lost requests have no latency");
    free(s);
}

Test(load_report, merge_adds_everything)
{
    sl_load_stats_t *a = fill(), *b = fill();
    sl_load_stats_merge(a, b);
    cr_expect_eq(a->requests, 198);
    cr_expect_eq(a->status[503], 14);
    cr_expect_eq(a->nxerr, 2, "same names merge");
    cr_expect_eq(a->xerr[0].n + a->xerr[1].n, 4);
    cr_expect_eq(sl_load_stats_errors(a), 20);
    free(a);
    free(b);
}

Test(load_report, transport_error_names_are_bounded)
{
    sl_load_stats_t *s = malloc(sizeof *s);
    sl_load_stats_init(s);
    for (int i = 0; i < 40; i++) {
        char name[32];
        snprintf(name, sizeof name, "E%d", i);
        sl_load_stats_xerr(s, name, false);
    }
    cr_expect_eq(s->nxerr, SL_LOAD_MAX_XERR);
    cr_expect_str_eq(s->xerr[SL_LOAD_MAX_XERR - 1].name, "other");
    cr_expect_eq(sl_load_stats_errors(s), 40, "nothing is dropped");
    free(s);
}

Test(load_report, text_and_json_carry_the_same_figures)
{
    sl_load_stats_t *s = fill();
    sl_load_meta_t m = { .mode = "dc",
                         .url = "https://127.0.0.1:8443",
                         .connections = 4,
                         .threads = 1,
                         .rows_per_post = 1000,
                         .rate = 0,
                         .elapsed_s = 2.0,
                         .cpu_user_s = 0.5,
                         .cpu_sys_s = 0.25 };
    sl_buf_t t = SL_BUF_INIT, j = SL_BUF_INIT;
    sl_load_report_text(&t, &m, s);
    cr_expect(strstr(t.data, "45000 rows/s") != NULL, "%s", t.data);
    cr_expect(strstr(t.data, "HTTP 503: 7") != NULL);
    cr_expect(strstr(t.data, "HTTP 500: 1") != NULL);
    cr_expect(strstr(t.data, "ECONNRESET: 1") != NULL);
    cr_expect(strstr(t.data, "p50 2.00 ms") != NULL, "%s", t.data);
    cr_expect(strstr(t.data, "p99 3.00 ms") != NULL, "the 98th of 98 answers: %s", t.data);
    cr_expect(strstr(t.data, "(HTTP 500: 1, HTTP 503: 7, ECONNRESET: 1") != NULL, "%s", t.data);
    cr_expect(strstr(t.data, "0.50 s user, 0.25 s sys") != NULL);

    sl_load_report_json(&j, &m, s);
    json_error_t e;
    json_t *doc = json_loads(j.data, 0, &e);
    cr_assert(doc, "%s", e.text);
    cr_expect_eq(json_integer_value(json_object_get(doc, "rows")), 90000);
    cr_expect_eq(json_integer_value(json_object_get(doc, "requests")), 99);
    cr_expect_eq(json_number_value(json_object_get(doc, "rows_per_s")), 45000.0);
    json_t *err = json_object_get(doc, "errors");
    cr_expect_eq(json_integer_value(json_object_get(err, "total")), 10);
    cr_expect_eq(json_integer_value(json_object_get(json_object_get(err, "by_status"), "503")), 7);
    cr_expect_eq(
      json_integer_value(json_object_get(json_object_get(err, "transport"), "ECONNRESET")), 1);
    json_t *lat = json_object_get(doc, "latency");
    uint64_t p50 = (uint64_t)json_integer_value(json_object_get(lat, "p50_ns"));
    cr_expect(p50 > 1980000 && p50 < 2020000, "p50 %llu", (unsigned long long)p50);
    cr_expect_eq(json_integer_value(json_object_get(lat, "max_ns")), 3000000);
    json_decref(doc);
    sl_buf_dispose(&t);
    sl_buf_dispose(&j);
    free(s);
}
