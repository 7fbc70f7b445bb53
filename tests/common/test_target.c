#include <criterion/criterion.h>
#include <string.h>

#include "common/common.h"

static sl_pool_t *pool;
static void setup(void)
{
    pool = sl_pool_create();
}
static void teardown(void)
{
    sl_pool_destroy(pool);
}
TestSuite(common_target, .init = setup, .fini = teardown);

static sl_target_t parse(const char *s, bool keep)
{
    sl_target_t t;
    cr_assert_eq(sl_target_parse(pool, s, strlen(s), keep, &t), 0, "%s", s);
    return t;
}

Test(common_target, origin_form_with_query)
{
    sl_target_t t = parse("/api/logs?api-version=2016-04-01", false);
    cr_assert_eq(t.nseg, 2);
    cr_expect_str_eq(t.seg[0], "api");
    cr_expect_str_eq(t.seg[1], "logs");
    cr_expect_str_eq(t.path, "/api/logs");
    cr_expect_str_eq(sl_target_param(&t, "api-version"), "2016-04-01");
}

Test(common_target, absolute_form_is_stripped)
{
    sl_target_t t = parse("https://dce.example:8443/dataCollectionRules/dcr-1/streams/"
                          "Custom-T_CL?api-version=2021-11-01-preview",
                          false);
    cr_assert_eq(t.nseg, 4);
    cr_expect_str_eq(t.path, "/dataCollectionRules/dcr-1/streams/Custom-T_CL");
    cr_expect_str_eq(sl_target_param(&t, "api-version"), "2021-11-01-preview");
    sl_target_t e = parse("http://host", false);
    cr_expect_eq(e.nseg, 0);
    cr_expect_str_eq(e.path, "/");
}

Test(common_target, parameter_names_are_percent_decoded)
{
    sl_target_t t = parse("/x?api%2Dversion=2023-01-01&q=a+b%20c&flag&empty=", false);
    cr_expect_str_eq(sl_target_param(&t, "api-version"), "2023-01-01");
    cr_expect_str_eq(sl_target_param(&t, "q"), "a b c");
    cr_expect_str_eq(sl_target_param(&t, "flag"), "");
    cr_expect_str_eq(sl_target_param(&t, "empty"), "");
    cr_expect_null(sl_target_param(&t, "missing"));
}

Test(common_target, double_slashes_collapse_unless_kept)
{
    sl_target_t t = parse("//v1//subscriptions/abc/query", false);
    cr_assert_eq(t.nseg, 4);
    cr_expect_str_eq(t.path, "/v1/subscriptions/abc/query");
    sl_target_t k = parse("/keys/n//wrapkey", true);
    cr_assert_eq(k.nseg, 4);
    cr_expect_str_eq(k.seg[2], "");
    cr_expect_str_eq(k.seg[3], "wrapkey");
    sl_target_t trail = parse("/keys/n/", true);
    cr_assert_eq(trail.nseg, 3);
    cr_expect_str_eq(trail.seg[2], "");
}

Test(common_target, segments_are_decoded)
{
    sl_target_t t = parse("/a%2Fb/c%20d", false);
    cr_assert_eq(t.nseg, 2);
    cr_expect_str_eq(t.seg[0], "a/b");
    cr_expect_str_eq(t.seg[1], "c d");
}

Test(common_target, rejects_bad_input)
{
    sl_target_t t;
    const char *bad[] = { "", "a/b", "/a%zz", "/a%2", "/a%00b", "/x?a=%G1", "ftp:/x" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_expect_neq(sl_target_parse(pool, bad[i], strlen(bad[i]), false, &t), 0, "%s", bad[i]);
    char many[400] = "";
    for (int i = 0; i < 40; i++)
        strcat(many, "/s");
    cr_expect_eq(sl_target_parse(pool, many, strlen(many), false, &t), SL_ELIMIT);
}
