/*
 * Compaction: minified text of a value, strings verbatim, same tape shape
 * when parsed again.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "ingest/ingest_int.h"

static void compact(const char *in, size_t i, sl_buf_t *out)
{
    sl_json_doc_t d;
    sl_json_doc_init(&d);
    sl_diag_t diag;
    cr_assert_eq(sl_json_parse(&d, in, strlen(in), NULL, &diag), 0, "%s", diag.msg);
    sl_buf_reset(out);
    sl_json_compact(&d, i, out);
    sl_json_doc_dispose(&d);
}

Test(ingest_json_compact, removes_whitespace_outside_strings)
{
    sl_buf_t b = SL_BUF_INIT;
    compact(" {\n  \"a b\" : [ 1 , 2.5e3 ,\ttrue , null ] ,\r\n  \"c\" : { \"d\" : \" x \" } \n} ",
            0, &b);
    cr_expect_str_eq(b.data, "{\"a b\":[1,2.5e3,true,null],\"c\":{\"d\":\" x \"}}");
    sl_buf_dispose(&b);
}

Test(ingest_json_compact, keeps_escapes_and_utf8_verbatim)
{
    sl_buf_t b = SL_BUF_INIT;
    compact("[ \"tab\\t \\\" \\u00e9 \\ud83d\\ude00\" , \"caf\xc3\xa9\" ]", 0, &b);
    cr_expect_str_eq(b.data, "[\"tab\\t \\\" \\u00e9 \\ud83d\\ude00\",\"caf\xc3\xa9\"]");
    sl_buf_dispose(&b);
}

Test(ingest_json_compact, compacts_a_member_value_and_scalars)
{
    const char *s = "{ \"k\" : { \"n\" : [ 1 , { } , [ ] ] } , \"s\" : \"v\" , \"x\" : -1.5 }";
    sl_buf_t b = SL_BUF_INIT;
    compact(s, 2, &b); /* the value of "k" */
    cr_expect_str_eq(b.data, "{\"n\":[1,{},[]]}");
    compact(s, 4, &b); /* the array under "n" */
    cr_expect_str_eq(b.data, "[1,{},[]]");
    compact(s, 1, &b); /* a key */
    cr_expect_str_eq(b.data, "\"k\"");
    compact(s, 9, &b); /* "v" */
    cr_expect_str_eq(b.data, "\"v\"");
    compact(s, 11, &b); /* -1.5 */
    cr_expect_str_eq(b.data, "-1.5");
    compact(" true ", 0, &b);
    cr_expect_str_eq(b.data, "true");
    sl_buf_dispose(&b);
}

Test(ingest_json_compact, appends_and_reparses_to_the_same_shape)
{
    const char *s = "[ {\"a\" : [ \"x y\", 1e5, false ] }, \"\\u0041\", [ [ ] ], 0 ]";
    sl_json_doc_t d, e;
    sl_json_doc_init(&d);
    sl_json_doc_init(&e);
    sl_diag_t diag;
    cr_assert_eq(sl_json_parse(&d, s, strlen(s), NULL, &diag), 0);
    sl_buf_t b = SL_BUF_INIT;
    sl_buf_puts(&b, "v=");
    sl_json_compact(&d, 0, &b);
    cr_expect_eq(strncmp(b.data, "v=[{", 4), 0);
    cr_assert_eq(sl_json_parse(&e, b.data + 2, b.len - 2, NULL, &diag), 0, "%s", diag.msg);
    cr_assert_eq(e.ntok, d.ntok);
    for (size_t i = 0; i < d.ntok; i++) {
        cr_expect_eq(e.tok[i].type, d.tok[i].type);
        cr_expect_eq(e.tok[i].flags, d.tok[i].flags);
        cr_expect_eq(e.tok[i].count, d.tok[i].count);
        cr_expect_eq(e.tok[i].end, d.tok[i].end);
        if (d.tok[i].type != SL_JSON_ARRAY && d.tok[i].type != SL_JSON_OBJECT) {
            cr_expect_eq(e.tok[i].len, d.tok[i].len);
            cr_expect_eq(memcmp(e.src + e.tok[i].off, d.src + d.tok[i].off, d.tok[i].len), 0);
        }
    }
    sl_buf_dispose(&b);
    sl_json_doc_dispose(&d);
    sl_json_doc_dispose(&e);
}
