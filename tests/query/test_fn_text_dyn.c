/*
 * Dynamic values: `.member`, `["key"]`, `[index]` (negative from the end),
 * parse_json and its aliases, array_length, pack / bag_pack, pack_array,
 * bag_keys — over columns and constants, with nulls and bad input.
 */
#include "fn_text_test.h"

static const char *const text[] = { "a", "b", "c", "d", "e" };
static const char *const dyn[] = {
    "{\"a\":1,\"b\":[10,20,30],\"c\":{\"d\":\"x\"}}",
    "[\"p\",\"q\"]",
    "",
    "{\"a\":null,\"k\\\"ey\":true}",
    "\"str\"",
};

Test(query_fn_text_dyn, member_and_element_access)
{
    sl_colset_t t;
    ft_pairs(&t, text, dyn, SL_ARRAY_SIZE(dyn));
    et_expect(&t, "d.a", "1||||:dynamic");
    /* A JSON null, a missing member and a null cell are all null. */
    et_expect(&t, "pack_array(d.a)", "[1]|[null]|[null]|[null]|[null]:dynamic");
    et_expect(&t, "d.b[1]", "20||||:dynamic");
    et_expect(&t, "d.b[-1]", "30||||:dynamic");
    et_expect(&t, "d.b[3]", "||||:dynamic");
    et_expect(&t, "d.b[-4]", "||||:dynamic");
    et_expect(&t, "d.c.d", "x||||:dynamic");
    et_expect(&t, "d['c']['d']", "x||||:dynamic");
    et_expect(&t, "d[0]", "|p|||:dynamic");
    et_expect(&t, "d['k\"ey']", "|||true|:dynamic");
    et_expect(&t, "d[s]", "1||||:dynamic");
    et_expect(&t, "d.b[strlen(s) - 1]", "10||||:dynamic");
    sl_colset_dispose(&t);
    et_expect(NULL, "dynamic({\"a\":{\"b\":[1,{\"c\":2}]}}).a.b[1].c", "2:dynamic");
    et_expect(NULL, "dynamic({\"a\":1, \"a\":2}).a", "2:dynamic");
}

Test(query_fn_text_dyn, empty_member_name)
{
    /* Found by fuzz_dyn: an empty key has no text to compare (UBSan's
     * nonnull check fired in memcmp). */
    et_expect(NULL, "dynamic({\"\":1,\"a\":2})['']", "1:dynamic");
    et_expect(NULL, "dynamic({\"a\":2})['']", ":dynamic");
    et_expect(NULL, "dynamic({\"\":{\"\":[3]}})[''][''][0]", "3:dynamic");
}

Test(query_fn_text_dyn, real_indexes_are_converted)
{
    if (!sl_qfn_find("tolong", 6, 1)) {
        cr_skip_test("tolong() (conversion library) is not registered in this build");
    }
    et_expect(NULL, "dynamic([1,2,3])[1.9]", "2:dynamic");
}

Test(query_fn_text_dyn, access_needs_a_dynamic_value)
{
    char *got = et_eval(NULL, "'abc'[0]");
    cr_expect(strstr(got, "SL_ESEMANTIC") && strstr(got, "dynamic"), "%s", got);
    free(got);
    got = et_eval(NULL, "dynamic([1])[true]");
    cr_expect(strstr(got, "SL_ESEMANTIC"), "%s", got);
    free(got);
}

Test(query_fn_text_dyn, parse_json_and_aliases)
{
    static const char *const v[] = {
        "{\"duration\":{\"value\":118.0,\"count\":5.0,\"min\":100.0}}",
        "not json",
        "",
        " [1, 2 , {\"a\" : \"b\"}] ",
        "null",
        "\"quoted\"",
    };
    sl_colset_t t;
    ft_strings(&t, v, SL_ARRAY_SIZE(v));
    et_expect(&t, "parse_json(s).duration.value", "118.0|||||:dynamic");
    et_expect(&t,
              "parse_json(s)",
              "{\"duration\":{\"value\":118.0,\"count\":5.0,\"min\":100.0}}|not json||"
              "[1,2,{\"a\":\"b\"}]||quoted:dynamic");
    et_expect(&t, "todynamic(s)[2].a", "|||b||:dynamic");
    et_expect(&t, "parsejson(s)[0]", "|||1||:dynamic");
    et_expect(&t, "array_length(parse_json(s))", "null|null|null|3|null|null:long");
    /* Text that is not JSON becomes a dynamic string. */
    et_expect(
      &t,
      "pack_array(parse_json(s))",
      "[{\"duration\":{\"value\":118.0,\"count\":5.0,\"min\":100.0}}]|[\"not json\"]|[null]|"
      "[[1,2,{\"a\":\"b\"}]]|[null]|[\"quoted\"]:dynamic");
    sl_colset_dispose(&t);
    /* A dynamic argument passes through. */
    et_expect(NULL, "parse_json(dynamic({\"a\":1})).a", "1:dynamic");
}

Test(query_fn_text_dyn, array_length)
{
    et_expect(NULL, "array_length(dynamic([1, 2, 3]))", "3:long");
    et_expect(NULL, "array_length(dynamic([]))", "0:long");
    et_expect(NULL, "array_length(dynamic([[1,2],[3]]))", "2:long");
    et_expect(NULL, "array_length(dynamic({\"a\":1}))", "null:long");
    et_expect(NULL, "array_length(dynamic(null))", "null:long");
    char *got = et_eval(NULL, "array_length('[1]')");
    cr_expect(strstr(got, "SL_ESEMANTIC"), "%s", got);
    free(got);
}

Test(query_fn_text_dyn, pack_and_pack_array)
{
    et_expect(NULL,
              "bag_pack('Level', 'Information', 'ProcessID', 1234, 'Data', dynamic({'url':"
              "'www.bing.com'}))",
              "{\"Level\":\"Information\",\"ProcessID\":1234,\"Data\":{\"url\":\"www.bing.com\"}}"
              ":dynamic");
    et_expect(NULL,
              "pack('a', 1.5, 'b', true, 'c', long(null), 'd', datetime(2024-01-01), "
              "'e', 1h, 'f', 'q\"uote')",
              "{\"a\":1.5,\"b\":true,\"c\":null,\"d\":\"2024-01-01T00:00:00Z\",\"e\":\"01:00:00\","
              "\"f\":\"q\\\"uote\"}:dynamic");
    et_expect(
      NULL, "pack_array(1, 'two', dynamic([3]), real(null))", "[1,\"two\",[3],null]:dynamic");
    sl_colset_t t;
    ft_pairs(&t, text, dyn, 3);
    et_expect(&t,
              "pack('k', s, 'v', d.a)",
              "{\"k\":\"a\",\"v\":1}|{\"k\":\"b\",\"v\":null}|"
              "{\"k\":\"c\",\"v\":null}:dynamic");
    et_expect(&t, "pack_array(s, strlen(s))", "[\"a\",1]|[\"b\",1]|[\"c\",1]:dynamic");
    sl_colset_dispose(&t);
    char *got = et_eval(NULL, "pack('a', 1, 'b')");
    cr_expect(strstr(got, "SL_ESEMANTIC") && strstr(got, "pairs"), "%s", got);
    free(got);
}

Test(query_fn_text_dyn, bag_keys)
{
    et_expect(NULL,
              "bag_keys(dynamic({'a':1, 'b':{'c':2}, 'd\"e':[1]}))",
              "[\"a\",\"b\",\"d\\\"e\"]:dynamic");
    et_expect(NULL, "bag_keys(dynamic({}))", "[]:dynamic");
    et_expect(NULL, "array_length(bag_keys(dynamic([1])))", "null:long");
}
