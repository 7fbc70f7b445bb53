/*
 * Helpers shared by the aggregates (query/agg_util.c) and the registry
 * (query/agg_reg.c).
 */
#include "agg_test.h"

static char *walk(const char *json, size_t start)
{
    sl_buf_t b = SL_BUF_INIT;
    sl_buf_puts(&b, "");
    size_t pos = start, n;
    const char *v;
    while (sl_qagg_json_next(json, strlen(json), &pos, &v, &n)) {
        sl_buf_printf(&b, "<%.*s>", (int)n, v);
    }
    char *s = strdup(b.data);
    sl_buf_dispose(&b);
    return s;
}

Test(query_agg_util, json_walker_steps_over_nested_values_and_strings)
{
    char *s = walk("[1,\"a,]\\\"b\",[2,[3]],{\"k\":\"}\"},null,-1.5e3]", 1);
    cr_expect_str_eq(s, "<1><\"a,]\\\"b\"><[2,[3]]><{\"k\":\"}\"}><null><-1.5e3>");
    free(s);
    s = walk("[]", 1);
    cr_expect_str_eq(s, "");
    free(s);
    /* A bare list, as make_list keeps its elements. */
    s = walk("true,{}", 0);
    cr_expect_str_eq(s, "<true><{}>");
    free(s);
}

Test(query_agg_util, results_read_back_after_a_null)
{
    sl_qvec_t *v = sl_qvec_new(SL_TYPE_LONG, 0);
    sl_qagg_push_null(v);
    for (int i = 0; i < 100; i++) {
        sl_qagg_out_bits(v, (uint64_t)i);
    }
    cr_expect_eq(v->col.n, 101);
    cr_expect(sl_qvec_is_null(v, 0));
    for (size_t i = 1; i < 101; i++) {
        cr_expect(!sl_qvec_is_null(v, i), "row %zu", i);
        cr_expect_eq(sl_qvec_i64(v, i), (int64_t)i - 1);
    }
    sl_qvec_unref(v);
}

Test(query_agg_util, json_of_fixed_values)
{
    static const struct {
        sl_type_t t;
        uint64_t bits;
        const char *want;
    } cases[] = {
        { SL_TYPE_LONG, (uint64_t)-3, "-3" },
        { SL_TYPE_BOOL, 1, "true" },
        { SL_TYPE_TIMESPAN, 36000000000, "\"01:00:00\"" },
        { SL_TYPE_DATETIME, 0, "\"1970-01-01T00:00:00Z\"" },
    };
    for (size_t i = 0; i < SL_ARRAY_SIZE(cases); i++) {
        sl_buf_t b = SL_BUF_INIT;
        sl_qagg_json_bits(cases[i].t, cases[i].bits, &b);
        cr_expect_str_eq(b.data, cases[i].want);
        sl_buf_dispose(&b);
    }
    double x = 2.5;
    uint64_t bits;
    memcpy(&bits, &x, 8);
    sl_buf_t b = SL_BUF_INIT;
    sl_qagg_json_bits(SL_TYPE_REAL, bits, &b);
    cr_expect_str_eq(b.data, "2.5");
    sl_buf_dispose(&b);
}

Test(query_agg_util, every_registered_aggregate_is_found_by_name)
{
    size_t n = 0;
    for (const sl_qagg_t *a = sl_qagg_all; a->name; a++, n++) {
        cr_expect_eq(sl_qagg_find(a->name, strlen(a->name)), a, "%s", a->name);
        cr_expect(a->bind && a->update && a->merge && a->finish, "%s", a->name);
    }
    cr_expect_geq(n, 35);
    cr_expect_null(sl_qagg_find("median", 6));
    cr_expect_null(sl_qagg_find("coun", 4));
}
