/*
 * String tokens after the scan: sl_json_string decoding, sl_json_string_eq,
 * and the UTF-8 checker on its own.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "ingest/ingest_int.h"

#define LIT(s) s, sizeof(s) - 1

/* Parses `json` (one string) and returns its decoded bytes in `out`. */
static void decode(const char *json, size_t n, sl_buf_t *out)
{
    sl_json_doc_t d;
    sl_json_doc_init(&d);
    sl_diag_t diag;
    cr_assert_eq(sl_json_parse(&d, json, n, NULL, &diag), 0, "%s", diag.msg);
    cr_assert_eq(d.tok[0].type, SL_JSON_STRING);
    sl_buf_reset(out);
    sl_json_string(&d, &d.tok[0], out);
    cr_assert_leq(out->len, d.tok[0].len, "decoding never lengthens");
    sl_json_doc_dispose(&d);
}

Test(ingest_json_str, decodes_every_simple_escape)
{
    sl_buf_t b = SL_BUF_INIT;
    decode(LIT("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\""), &b);
    cr_expect_eq(b.len, 8);
    cr_expect_eq(memcmp(b.data, "\"\\/\b\f\n\r\t", 8), 0);
    decode(LIT("\"a\\tb\\nc\""), &b);
    cr_expect_str_eq(b.data, "a\tb\nc");
    sl_buf_dispose(&b);
}

Test(ingest_json_str, decodes_u_escapes_to_utf8)
{
    sl_buf_t b = SL_BUF_INIT;
    decode(LIT("\"\\u0041\\u00e9\\u20AC\\uFFFF\""), &b);
    cr_expect_str_eq(b.data, "A\xc3\xa9\xe2\x82\xac\xef\xbf\xbf");
    decode(LIT("\"\\u007f\\u0080\\u07ff\\u0800\""), &b); /* the encoding-length edges */
    cr_expect_str_eq(b.data, "\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80");
    sl_buf_dispose(&b);
}

Test(ingest_json_str, surrogate_pairs_become_4_byte_utf8)
{
    sl_buf_t b = SL_BUF_INIT;
    decode(LIT("\"\\ud83d\\ude00\""), &b); /* U+1F600 */
    cr_expect_str_eq(b.data, "\xf0\x9f\x98\x80");
    decode(LIT("\"\\uD800\\uDC00\""), &b); /* U+10000, the first */
    cr_expect_str_eq(b.data, "\xf0\x90\x80\x80");
    decode(LIT("\"\\uDBFF\\uDFFF\""), &b); /* U+10FFFF, the last */
    cr_expect_str_eq(b.data, "\xf4\x8f\xbf\xbf");
    decode(LIT("\"x\\uD834\\uDD1Ey\""), &b); /* U+1D11E between ASCII */
    cr_expect_str_eq(b.data, "x\xf0\x9d\x84\x9ey");
    sl_buf_dispose(&b);
}

Test(ingest_json_str, escaped_nul_becomes_a_nul_byte)
{
    sl_buf_t b = SL_BUF_INIT;
    decode(LIT("\"a\\u0000b\""), &b);
    cr_expect_eq(b.len, 3);
    cr_expect_eq(memcmp(b.data, "a\0b", 3), 0);
    sl_buf_dispose(&b);
}

Test(ingest_json_str, raw_utf8_and_plain_strings_copy_through)
{
    sl_buf_t b = SL_BUF_INIT;
    decode(LIT("\"K\xc3\xb6ln \xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x9a\x80\""), &b);
    cr_expect_str_eq(b.data, "K\xc3\xb6ln \xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x9a\x80");
    decode(LIT("\"\""), &b);
    cr_expect_eq(b.len, 0);
    sl_buf_dispose(&b);
}

Test(ingest_json_str, appends_to_existing_content)
{
    const char *s = "[\"x\\ny\",\"z\",7]";
    sl_json_doc_t d;
    sl_json_doc_init(&d);
    sl_diag_t diag;
    cr_assert_eq(sl_json_parse(&d, s, strlen(s), NULL, &diag), 0);
    sl_buf_t b = SL_BUF_INIT;
    sl_buf_puts(&b, "pre:");
    sl_json_string(&d, &d.tok[1], &b);
    sl_json_string(&d, &d.tok[2], &b);
    sl_json_string(&d, &d.tok[3], &b); /* a number: nothing */
    sl_json_string(&d, &d.tok[0], &b); /* an array: nothing */
    cr_expect_str_eq(b.data, "pre:x\nyz");
    sl_buf_dispose(&b);
    sl_json_doc_dispose(&d);
}

Test(ingest_json_str, string_eq_compares_decoded_bytes)
{
    const char *s = "[\"host\",\"\\u0068ost\",\"a\\\"b\",\"\\u00e9\",\"\xc3\xa9\",\"a\\u0000b\","
                    "\"\\ud83d\\ude00\",\"\",1]";
    sl_json_doc_t d;
    sl_json_doc_init(&d);
    sl_diag_t diag;
    cr_assert_eq(sl_json_parse(&d, s, strlen(s), NULL, &diag), 0, "%s", diag.msg);
    const sl_json_tok_t *t = d.tok;
    cr_expect(sl_json_string_eq(&d, &t[1], LIT("host")));
    cr_expect(!sl_json_string_eq(&d, &t[1], LIT("hos")));
    cr_expect(!sl_json_string_eq(&d, &t[1], LIT("hosts")));
    cr_expect(!sl_json_string_eq(&d, &t[1], LIT("Host")));
    cr_expect(sl_json_string_eq(&d, &t[2], LIT("host")), "escaped form");
    cr_expect(!sl_json_string_eq(&d, &t[2], LIT("hosT")));
    cr_expect(!sl_json_string_eq(&d, &t[2], LIT("hos")));
    cr_expect(!sl_json_string_eq(&d, &t[2], LIT("hostx")));
    cr_expect(!sl_json_string_eq(&d, &t[2], LIT("host-longer-than-the-raw-text")));
    cr_expect(sl_json_string_eq(&d, &t[3], LIT("a\"b")));
    cr_expect(!sl_json_string_eq(&d, &t[3], LIT("a\\\"b")), "raw text is not the value");
    cr_expect(sl_json_string_eq(&d, &t[4], LIT("\xc3\xa9")));
    cr_expect(sl_json_string_eq(&d, &t[5], LIT("\xc3\xa9")));
    cr_expect(!sl_json_string_eq(&d, &t[4], LIT("\xc3")), "partial escape output");
    cr_expect(sl_json_string_eq(&d, &t[6], LIT("a\0b")));
    cr_expect(!sl_json_string_eq(&d, &t[6], LIT("a")));
    cr_expect(sl_json_string_eq(&d, &t[7], LIT("\xf0\x9f\x98\x80")));
    cr_expect(sl_json_string_eq(&d, &t[8], "", 0));
    cr_expect(!sl_json_string_eq(&d, &t[8], LIT("x")));
    cr_expect(!sl_json_string_eq(&d, &t[9], LIT("1")), "numbers are not strings");
    sl_json_doc_dispose(&d);
}

Test(ingest_json_str, utf8_check_reports_first_bad_sequence)
{
    static const struct {
        const char *s;
        size_t n, want;
    } cases[] = {
        { LIT("plain ascii text, longer than eight bytes"), 41 },
        { LIT(""), 0 },
        { LIT("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"), 9 },
        { LIT("abcdefgh\xc3"), 8 },         /* truncated after an ASCII block */
        { LIT("abcdefgh\x80"), 8 },         /* stray continuation */
        { LIT("\xc3\xa9\xc3\x28"), 2 },     /* bad continuation */
        { LIT("\xe0\xa0"), 0 },             /* truncated 3-byte */
        { LIT("\xe0\x9f\x80"), 0 },         /* overlong 3-byte */
        { LIT("\xed\x9f\xbf\xed\xa0\x80"), 3 }, /* U+D7FF ok, U+D800 not */
        { LIT("\xf0\x8f\x80\x80"), 0 },     /* overlong 4-byte */
        { LIT("\xf4\x8f\xbf\xbf\xf4\x90\x80\x80"), 4 },
        { LIT("\xf8\x88\x80\x80\x80"), 0 }, /* 5-byte form */
        { LIT("\xc2"), 0 },
        { LIT("\xf0\x9f\x98"), 0 },
        { LIT("\xf0\x9f\x98\x41"), 0 },
    };
    for (size_t i = 0; i < SL_ARRAY_SIZE(cases); i++) {
        size_t got = sl_ingest__utf8_check((const uint8_t *)cases[i].s, cases[i].n);
        cr_expect_eq(got, cases[i].want, "case %zu: %zu want %zu", i, got, cases[i].want);
    }
}

Test(ingest_json_str, utf8_check_agrees_with_a_reference_on_all_short_sequences)
{
    /* Every 1..3-byte sequence over a set of interesting bytes, checked
     * against a decoder written differently: decode, then require the
     * shortest form, no surrogates, <= U+10FFFF. */
    static const uint8_t bytes[] = { 0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf,
                                     0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee,
                                     0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xf8, 0xff };
    size_t nb = sizeof bytes;
    for (size_t a = 0; a < nb; a++) {
        for (size_t b = 0; b < nb; b++) {
            for (size_t c = 0; c < nb; c++) {
                for (size_t e = 0; e < nb; e++) {
                    uint8_t s[4] = { bytes[a], bytes[b], bytes[c], bytes[e] };
                    /* reference: is s[0..k) one valid character, for the k
                     * its lead byte announces? */
                    int k = s[0] < 0x80 ? 1 : s[0] >= 0xc0 && s[0] < 0xe0 ? 2
                          : s[0] >= 0xe0 && s[0] < 0xf0 ? 3 : s[0] >= 0xf0 && s[0] < 0xf8 ? 4 : 0;
                    bool ok = k > 0;
                    uint32_t cp = k == 1 ? s[0] : k == 2 ? s[0] & 0x1fu
                                : k == 3 ? s[0] & 0x0fu : s[0] & 0x07u;
                    for (int i = 1; ok && i < k; i++) {
                        ok = (s[i] & 0xc0) == 0x80;
                        cp = cp << 6 | (s[i] & 0x3fu);
                    }
                    static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
                    ok = ok && cp >= min[k] && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
                    size_t got = sl_ingest__utf8_check(s, ok ? (size_t)k : 4);
                    if (ok) {
                        cr_assert_eq(got, (size_t)k, "%02x %02x %02x %02x", s[0], s[1], s[2],
                                     s[3]);
                    } else {
                        cr_assert_eq(got, 0, "%02x %02x %02x %02x accepted", s[0], s[1], s[2],
                                     s[3]);
                    }
                }
            }
        }
    }
}
