#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"

Test(common_jsonw, nested_with_commas)
{
    sl_buf_t b = SL_BUF_INIT;
    sl_jw_t w;
    sl_jw_init(&w, &b);
    sl_jw_obj_begin(&w);
    sl_jw_key(&w, "a");
    sl_jw_int(&w, -3);
    sl_jw_key(&w, "b");
    sl_jw_arr_begin(&w);
    sl_jw_str(&w, "x");
    sl_jw_bool(&w, true);
    sl_jw_null(&w);
    sl_jw_obj_begin(&w);
    sl_jw_obj_end(&w);
    sl_jw_arr_end(&w);
    sl_jw_key(&w, "c");
    sl_jw_real(&w, 0.1);
    sl_jw_obj_end(&w);
    cr_expect_str_eq(b.data, "{\"a\":-3,\"b\":[\"x\",true,null,{}],\"c\":0.1}");
    sl_buf_dispose(&b);
}

Test(common_jsonw, escaping_and_invalid_utf8)
{
    sl_buf_t b = SL_BUF_INIT;
    const char *in = "q\"\\\n\x01 é";
    sl_json_escape(&b, in, strlen(in));
    cr_expect_str_eq(b.data, "q\\\"\\\\\\n\\u0001 é");
    sl_buf_reset(&b);
    sl_json_escape(&b, "a\xff" "b\xc3", 4);
    cr_expect_str_eq(b.data, "a\xef\xbf\xbd" "b\xef\xbf\xbd");
    sl_buf_reset(&b);
    sl_json_escape(&b, "\xed\xa0\x80", 3); /* a UTF-16 surrogate encoded in UTF-8 */
    cr_expect_str_eq(b.data, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    sl_buf_dispose(&b);
}

Test(common_jsonw, doubles_round_trip)
{
    double vals[] = { 0.1, 1.0 / 3, 1e300, -2.5, 123456789012345678.0, 5e-324 };
    for (size_t i = 0; i < 6; i++) {
        char s[32];
        sl_format_double(vals[i], s);
        cr_expect_eq(strtod(s, NULL), vals[i], "%s", s);
    }
    char s[32];
    sl_format_double(NAN, s);
    cr_expect_str_eq(s, "NaN");
    sl_format_double(-INFINITY, s);
    cr_expect_str_eq(s, "-Infinity");
}
