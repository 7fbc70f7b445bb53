/*
 * The JSON scanner's parse: tape contents, every rejection rule with its
 * byte offset, limits, reuse, and the block scanner at every alignment.
 * The JSONTestSuite-style accept/reject lists are in test_json_suite.c.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest_int.h"

/* A literal with its length, so that embedded NUL bytes count. */
#define LIT(s) s, sizeof(s) - 1

typedef struct want {
    uint8_t type, flags;
    uint32_t off, len, count, end;
} want_t;

static void expect_tape(const sl_json_doc_t *d, const want_t *w, size_t n)
{
    cr_assert_eq(d->ntok, n, "ntok %zu, want %zu", d->ntok, n);
    for (size_t i = 0; i < n; i++) {
        const sl_json_tok_t *t = &d->tok[i];
        cr_expect_eq(t->type, w[i].type, "tok %zu type %d want %d", i, t->type, w[i].type);
        cr_expect_eq(t->flags, w[i].flags, "tok %zu flags %d want %d", i, t->flags, w[i].flags);
        cr_expect_eq(t->off, w[i].off, "tok %zu off %u want %u", i, t->off, w[i].off);
        cr_expect_eq(t->len, w[i].len, "tok %zu len %u want %u", i, t->len, w[i].len);
        cr_expect_eq(t->count, w[i].count, "tok %zu count %u want %u", i, t->count, w[i].count);
        cr_expect_eq(t->end, w[i].end, "tok %zu end %u want %u", i, t->end, w[i].end);
    }
}

static int parse(sl_json_doc_t *d, const char *s, size_t n, sl_diag_t *diag)
{
    return sl_json_parse(d, s, n, NULL, diag);
}

enum { A = SL_JSON_ARRAY, O = SL_JSON_OBJECT, S = SL_JSON_STRING, N = SL_JSON_NUMBER };
enum { ESC = SL_JSON_F_ESCAPED, INT = SL_JSON_F_INT, NA = SL_JSON_F_NONASCII };

Test(ingest_json, tape_of_nested_document)
{
    /* The example of ingest_int.h. */
    const char *s = "[{\"a\":1,\"b\":[true,\"x\"]}]";
    sl_json_doc_t d;
    sl_json_doc_init(&d);
    sl_diag_t diag;
    cr_assert_eq(parse(&d, s, strlen(s), &diag), 0, "%s", diag.msg);
    const want_t w[] = {
        { A, 0, 0, 24, 1, 8 },  { O, 0, 1, 22, 2, 8 },           { S, 0, 3, 1, 0, 3 },
        { N, INT, 6, 1, 0, 4 }, { S, 0, 9, 1, 0, 5 },            { A, 0, 12, 10, 2, 8 },
        { SL_JSON_TRUE, 0, 13, 4, 0, 7 },                        { S, 0, 19, 1, 0, 8 },
    };
    expect_tape(&d, w, SL_ARRAY_SIZE(w));
    cr_expect_eq(d.src, s);
    cr_expect_eq(d.len, strlen(s));
    sl_json_doc_dispose(&d);
}

Test(ingest_json, tape_with_whitespace_everywhere)
{
    const char *s = " \t\n\r[ 1 , { \"k\" : null , \"e\" : [ ] } , -2.5e3 ]\r\n ";
    sl_json_doc_t d;
    sl_json_doc_init(&d);
    sl_diag_t diag;
    cr_assert_eq(parse(&d, s, strlen(s), &diag), 0, "%s", diag.msg);
    const want_t w[] = {
        { A, 0, 4, 43, 3, 8 },         { N, INT, 6, 1, 0, 2 }, { O, 0, 10, 26, 2, 7 },
        { S, 0, 13, 1, 0, 4 },         { SL_JSON_NULL, 0, 18, 4, 0, 5 },
        { S, 0, 26, 1, 0, 6 },         { A, 0, 31, 3, 0, 7 },  { N, 0, 39, 6, 0, 8 },
    };
    expect_tape(&d, w, SL_ARRAY_SIZE(w));
    sl_json_doc_dispose(&d);
}

Test(ingest_json, top_level_scalars)
{
    static const struct {
        const char *in;
        want_t w;
    } cases[] = {
        { "null", { SL_JSON_NULL, 0, 0, 4, 0, 1 } },
        { " true ", { SL_JSON_TRUE, 0, 1, 4, 0, 1 } },
        { "false", { SL_JSON_FALSE, 0, 0, 5, 0, 1 } },
        { "0", { N, INT, 0, 1, 0, 1 } },
        { "-0", { N, INT, 0, 2, 0, 1 } },
        { "\n123456789012345678901234567890\n", { N, INT, 1, 30, 0, 1 } },
        { "-1.5e+3", { N, 0, 0, 7, 0, 1 } },
        { "1E9", { N, 0, 0, 3, 0, 1 } },
        { "0.5", { N, 0, 0, 3, 0, 1 } },
        { "\"\"", { S, 0, 1, 0, 0, 1 } },
        { "\"plain\"", { S, 0, 1, 5, 0, 1 } },
        { "\"tab\\there\"", { S, ESC, 1, 9, 0, 1 } },
        { "\"caf\xc3\xa9\"", { S, NA, 1, 5, 0, 1 } },
        { "\"caf\xc3\xa9\\n\"", { S, ESC | NA, 1, 7, 0, 1 } },
        { "{}", { O, 0, 0, 2, 0, 1 } },
        { "[ ]", { A, 0, 0, 3, 0, 1 } },
    };
    sl_json_doc_t d;
    sl_json_doc_init(&d);
    for (size_t i = 0; i < SL_ARRAY_SIZE(cases); i++) {
        sl_diag_t diag;
        cr_assert_eq(parse(&d, cases[i].in, strlen(cases[i].in), &diag), 0, "%s: %s",
                     cases[i].in, diag.msg);
        expect_tape(&d, &cases[i].w, 1);
    }
    sl_json_doc_dispose(&d);
}

Test(ingest_json, object_members_walk_with_next)
{
    const char *s = "{\"a\":[1,[2,3]],\"b\":{\"c\":{}},\"d\":\"x\"}";
    sl_json_doc_t d;
    sl_json_doc_init(&d);
    sl_diag_t diag;
    cr_assert_eq(parse(&d, s, strlen(s), &diag), 0, "%s", diag.msg);
    const char *keys[3];
    uint8_t vtype[3];
    size_t n = 0;
    for (size_t k = 1; k < d.tok[0].end; k = sl_json_next(&d, k + 1)) {
        cr_assert_lt(n, 3);
        keys[n] = d.src + d.tok[k].off;
        vtype[n++] = d.tok[k + 1].type;
    }
    cr_assert_eq(n, 3);
    cr_expect_eq(d.tok[0].count, 3);
    cr_expect_eq(keys[0][0], 'a');
    cr_expect_eq(keys[1][0], 'b');
    cr_expect_eq(keys[2][0], 'd');
    cr_expect_eq(vtype[0], A);
    cr_expect_eq(vtype[1], O);
    cr_expect_eq(vtype[2], S);
    /* Elements of the array under "a": 1 and [2,3]. */
    size_t a = 2, m = 0;
    for (size_t e = a + 1; e < d.tok[a].end; e = sl_json_next(&d, e)) {
        m++;
    }
    cr_expect_eq(m, 2);
    cr_expect_eq(d.tok[a].count, 2);
    sl_json_doc_dispose(&d);
}

Test(ingest_json, doc_is_reusable_and_keeps_tape)
{
    sl_json_doc_t d;
    sl_json_doc_init(&d);
    sl_diag_t diag;
    sl_buf_t big = SL_BUF_INIT;
    sl_buf_putc(&big, '[');
    for (int i = 0; i < 5000; i++) {
        sl_buf_printf(&big, "%s{\"i\":%d}", i ? "," : "", i);
    }
    sl_buf_putc(&big, ']');
    cr_assert_eq(parse(&d, big.data, big.len, &diag), 0, "%s", diag.msg);
    cr_expect_eq(d.ntok, 1 + 5000 * 3);
    sl_json_tok_t *tape = d.tok;
    size_t cap = d.cap;
    cr_assert_eq(parse(&d, LIT("[7]"), &diag), 0);
    cr_expect_eq(d.ntok, 2);
    cr_expect_eq(d.tok, tape, "a smaller parse reuses the tape");
    cr_expect_eq(d.cap, cap);
    cr_expect_eq(d.tok[1].off, 1);
    /* A failed parse leaves nothing to read; the next one works. */
    cr_expect_eq(parse(&d, LIT("[7,"), &diag), SL_EPARSE);
    cr_expect_eq(d.ntok, 0);
    cr_assert_eq(parse(&d, LIT("{\"i\":1}"), &diag), 0);
    cr_expect_eq(d.ntok, 3);
    sl_buf_dispose(&big);
    sl_json_doc_dispose(&d);
    sl_json_doc_dispose(&d); /* disposing twice is harmless */
}

Test(ingest_json, input_is_a_length_not_a_c_string)
{
    sl_json_doc_t d;
    sl_json_doc_init(&d);
    sl_diag_t diag;
    /* Only the first 5 bytes are the document. */
    cr_expect_eq(parse(&d, "[1,2]garbage", 5, &diag), 0);
    /* A string that would run on into the rest of the buffer is unterminated. */
    cr_expect_eq(parse(&d, "\"abc\"", 4, &diag), SL_EPARSE);
    cr_expect_str_eq(diag.msg, "unterminated string (opened at byte 0) at byte 4");
    /* \u0000 inside a string is fine; a raw NUL is not, anywhere. */
    cr_expect_eq(parse(&d, LIT("[\"a\\u0000b\"]"), &diag), 0);
    cr_expect_eq(parse(&d, LIT("[\"a\0b\"]"), &diag), SL_EPARSE);
    cr_expect_str_eq(diag.msg, "control character 0x00 in string at byte 3");
    cr_expect_eq(parse(&d, LIT("[1,\0]"), &diag), SL_EPARSE);
    cr_expect_str_eq(diag.msg, "expected a value, found byte 0x00 at byte 3");
    sl_json_doc_dispose(&d);
}

/* ------------------------------------------------------------------------ */
/* Rejections                                                               */
/* ------------------------------------------------------------------------ */

typedef struct bad {
    const char *in;
    size_t len;
    const char *msg;
} bad_t;

#define BAD(s, m) { s, sizeof(s) - 1, m }

static void expect_rejections(const bad_t *cases, size_t n, int code)
{
    sl_json_doc_t d;
    sl_json_doc_init(&d);
    for (size_t i = 0; i < n; i++) {
        sl_diag_t diag = { 0 };
        int rc = parse(&d, cases[i].in, cases[i].len, &diag);
        cr_expect_eq(rc, code, "case %zu: rc %d", i, rc);
        cr_expect_eq(diag.code, code, "case %zu: diag code %d", i, diag.code);
        cr_expect_str_eq(diag.msg, cases[i].msg, "case %zu", i);
    }
    sl_json_doc_dispose(&d);
}

Test(ingest_json, rejects_structure_errors_with_offsets)
{
    static const bad_t cases[] = {
        BAD("", "unexpected end of input (expected a value) at byte 0"),
        BAD("   ", "unexpected end of input (expected a value) at byte 3"),
        BAD("\xef\xbb\xbf{}", "UTF-8 byte order mark is not allowed at byte 0"),
        BAD("[1,]", "expected a value, found ']' at byte 3"),
        BAD("{\"a\":1,}", "expected a string key, found '}' at byte 7"),
        BAD("{,}", "expected a string key or '}', found ',' at byte 1"),
        BAD("{'a':1}", "expected a string key or '}', found ''' at byte 1"),
        BAD("{a:1}", "expected a string key or '}', found 'a' at byte 1"),
        BAD("[1 2]", "expected ',' or ']', found '2' at byte 3"),
        BAD("{\"a\" 1}", "expected ':', found '1' at byte 5"),
        BAD("{\"a\":1 \"b\":2}", "expected ',' or '}', found '\"' at byte 7"),
        BAD("{\"a\":1]", "expected ',' or '}', found ']' at byte 6"),
        BAD("[1}", "expected ',' or ']', found '}' at byte 2"),
        BAD("[1] 2", "expected end of input after the top-level value, found '2' at byte 4"),
        BAD("{}{}", "expected end of input after the top-level value, found '{' at byte 2"),
        BAD("[1]/*c*/", "expected end of input after the top-level value, found '/' at byte 3"),
        BAD("[1,//c\n2]", "expected a value, found '/' at byte 3"),
        BAD("]", "expected a value, found ']' at byte 0"),
        BAD("[", "unexpected end of input (expected a value) at byte 1"),
        BAD("[1", "unexpected end of input (expected ',' or ']') at byte 2"),
        BAD("{", "unexpected end of input (expected a string key or '}') at byte 1"),
        BAD("{\"a\"", "unexpected end of input (expected ':') at byte 4"),
        BAD("{\"a\":", "unexpected end of input (expected a value) at byte 5"),
        BAD("{\"a\":1,", "unexpected end of input (expected a string key) at byte 7"),
        BAD("\x00", "expected a value, found byte 0x00 at byte 0"),
        BAD("[1]\x00", "expected end of input after the top-level value, found byte 0x00 at byte 3"),
        BAD("\xc3\xa9", "expected a value, found byte 0xc3 at byte 0"),
        BAD("\x0c[]", "expected a value, found byte 0x0c at byte 0"),
        BAD("\xc2\xa0[]", "expected a value, found byte 0xc2 at byte 0"),
        BAD("tru", "invalid literal (expected true, false or null) at byte 0"),
        BAD("[nul]", "invalid literal (expected true, false or null) at byte 1"),
        BAD("fals", "invalid literal (expected true, false or null) at byte 0"),
        BAD("True", "expected a value, found 'T' at byte 0"),
        BAD("nulll", "expected end of input after the top-level value, found 'l' at byte 4"),
        BAD("[truex]", "expected ',' or ']', found 'x' at byte 5"),
        BAD("NaN", "expected a value, found 'N' at byte 0"),
        BAD("[Infinity]", "expected a value, found 'I' at byte 1"),
        BAD("'x'", "expected a value, found ''' at byte 0"),
    };
    expect_rejections(cases, SL_ARRAY_SIZE(cases), SL_EPARSE);
}

Test(ingest_json, rejects_bad_numbers_with_offsets)
{
    static const bad_t cases[] = {
        BAD("01", "leading zero in number at byte 0"),
        BAD("[-01]", "leading zero in number at byte 2"),
        BAD("[00]", "leading zero in number at byte 1"),
        BAD("+1", "expected a value, found '+' at byte 0"),
        BAD(".5", "expected a value, found '.' at byte 0"),
        BAD("1.", "unexpected end of input (expected a digit after the decimal point) at byte 2"),
        BAD("[1.]", "expected a digit after the decimal point, found ']' at byte 3"),
        BAD("1.e5", "expected a digit after the decimal point, found 'e' at byte 2"),
        BAD("1e", "unexpected end of input (expected a digit in the exponent) at byte 2"),
        BAD("1e+", "unexpected end of input (expected a digit in the exponent) at byte 3"),
        BAD("[1E-x]", "expected a digit in the exponent, found 'x' at byte 4"),
        BAD("-", "unexpected end of input (expected a digit) at byte 1"),
        BAD("[-]", "expected a digit, found ']' at byte 2"),
        BAD("-Infinity", "expected a digit, found 'I' at byte 1"),
        BAD("[- 1]", "expected a digit, found byte 0x20 at byte 2"),
        BAD("0x10", "expected end of input after the top-level value, found 'x' at byte 1"),
        BAD("[1.5.2]", "expected ',' or ']', found '.' at byte 4"),
        BAD("[1e5e5]", "expected ',' or ']', found 'e' at byte 4"),
        BAD("[12345678a]", "expected ',' or ']', found 'a' at byte 9"),
    };
    expect_rejections(cases, SL_ARRAY_SIZE(cases), SL_EPARSE);
}

Test(ingest_json, rejects_bad_strings_with_offsets)
{
    static const bad_t cases[] = {
        BAD("\"a\x01\"", "control character 0x01 in string at byte 2"),
        BAD("[\"line\nbreak\"]", "control character 0x0a in string at byte 6"),
        BAD("\"\t\"", "control character 0x09 in string at byte 1"),
        BAD("\"\x1f\"", "control character 0x1f in string at byte 1"),
        BAD("\"\\x41\"", "invalid escape '\\x' at byte 1"),
        BAD("\"\\a\"", "invalid escape '\\a' at byte 1"),
        BAD("\"\\U0041\"", "invalid escape '\\U' at byte 1"),
        BAD("\"\\'\"", "invalid escape '\\'' at byte 1"),
        BAD("\"\\\x01\"", "invalid escape at byte 1"),
        BAD("\"\\\xc3\xa9\"", "invalid escape at byte 1"),
        BAD("\"\\u12G4\"", "invalid \\u escape (needs 4 hex digits) at byte 1"),
        BAD("\"\\u004\"", "invalid \\u escape (needs 4 hex digits) at byte 1"),
        BAD("\"\\u00", "invalid \\u escape (needs 4 hex digits) at byte 1"),
        BAD("[\"\\uD800\"]", "high surrogate \\u escape not followed by a low surrogate at byte 2"),
        BAD("\"\\uDBFF\\u0041\"",
            "high surrogate \\u escape not followed by a low surrogate at byte 1"),
        BAD("\"\\uD800\\uD800\"",
            "high surrogate \\u escape not followed by a low surrogate at byte 1"),
        BAD("\"\\uD800\\n\"", "high surrogate \\u escape not followed by a low surrogate at byte 1"),
        BAD("\"\\uD800\\uDC0", "high surrogate \\u escape not followed by a low surrogate at byte 1"),
        BAD("\"x\\uDC00\"", "lone low surrogate \\u escape at byte 2"),
        BAD("\"\\udfff\"", "lone low surrogate \\u escape at byte 1"),
        BAD("\"abc", "unterminated string (opened at byte 0) at byte 4"),
        BAD("[\"a\\\"]", "unterminated string (opened at byte 1) at byte 6"),
        BAD("\"\\", "unterminated escape at byte 2"),
        BAD("{\"k\":\"v}", "unterminated string (opened at byte 5) at byte 8"),
    };
    expect_rejections(cases, SL_ARRAY_SIZE(cases), SL_EPARSE);
}

Test(ingest_json, rejects_invalid_utf8_with_offsets)
{
    static const bad_t cases[] = {
        BAD("\"\xc3\"", "invalid UTF-8 at byte 1"),             /* truncated 2-byte */
        BAD("\"\xc0\x80\"", "invalid UTF-8 at byte 1"),         /* overlong NUL */
        BAD("\"\xc1\xbf\"", "invalid UTF-8 at byte 1"),         /* overlong */
        BAD("\"\xe0\x9f\xbf\"", "invalid UTF-8 at byte 1"),     /* overlong 3-byte */
        BAD("\"ab\xed\xa0\x80\"", "invalid UTF-8 at byte 3"),   /* U+D800 encoded */
        BAD("\"\xed\xbf\xbf\"", "invalid UTF-8 at byte 1"),     /* U+DFFF encoded */
        BAD("\"\xf0\x8f\xbf\xbf\"", "invalid UTF-8 at byte 1"), /* overlong 4-byte */
        BAD("\"\xf4\x90\x80\x80\"", "invalid UTF-8 at byte 1"), /* U+110000 */
        BAD("\"\xf5\x80\x80\x80\"", "invalid UTF-8 at byte 1"),
        BAD("\"\xff\"", "invalid UTF-8 at byte 1"),
        BAD("\"\x80\"", "invalid UTF-8 at byte 1"), /* stray continuation */
        BAD("\"\xc3\xa9\xff\"", "invalid UTF-8 at byte 3"),
        BAD("[\"ok\",\"\xe2\x82\"]", "invalid UTF-8 at byte 7"), /* truncated 3-byte */
        BAD("\"\xe2\x82\x41\"", "invalid UTF-8 at byte 1"),
        BAD("\"\xf0\x9f\x98\"", "invalid UTF-8 at byte 1"), /* truncated 4-byte */
        /* after a long ASCII run, past the first block */
        BAD("\"0123456789abcdefghijklmnopqrstuvwxyz\xe9t\xc3\xa9\"", "invalid UTF-8 at byte 37"),
        /* a valid character, then an invalid one much later */
        BAD("\"\xc3\xa9 0123456789abcdefghijklmnopqrstuvwxyz \xed\xa0\x80\"",
            "invalid UTF-8 at byte 41"),
    };
    expect_rejections(cases, SL_ARRAY_SIZE(cases), SL_EPARSE);
}

Test(ingest_json, accepts_all_utf8_boundaries)
{
    static const char *const ok[] = {
        "\"\xc2\x80\"",         /* U+0080 */
        "\"\xdf\xbf\"",         /* U+07FF */
        "\"\xe0\xa0\x80\"",     /* U+0800 */
        "\"\xed\x9f\xbf\"",     /* U+D7FF */
        "\"\xee\x80\x80\"",     /* U+E000 */
        "\"\xef\xbf\xbf\"",     /* U+FFFF */
        "\"\xf0\x90\x80\x80\"", /* U+10000 */
        "\"\xf4\x8f\xbf\xbf\"", /* U+10FFFF */
        "\"\x7f\"",             /* DEL is not a control character in JSON */
        "\"\xef\xbb\xbf\"",     /* a BOM inside a string is just U+FEFF */
    };
    sl_json_doc_t d;
    sl_json_doc_init(&d);
    for (size_t i = 0; i < SL_ARRAY_SIZE(ok); i++) {
        sl_diag_t diag;
        cr_expect_eq(parse(&d, ok[i], strlen(ok[i]), &diag), 0, "case %zu: %s", i, diag.msg);
    }
    sl_json_doc_dispose(&d);
}

Test(ingest_json, rejects_duplicate_keys)
{
    static const bad_t cases[] = {
        BAD("{\"a\":1,\"a\":2}", "duplicate key \"a\" at byte 7"),
        BAD("{\"a\":1,\"\\u0061\":2}", "duplicate key \"\\u0061\" at byte 7"),
        BAD("{\"host\":1,\"app\":2,\"host\":3}", "duplicate key \"host\" at byte 18"),
        BAD("[{\"x\":{\"a\":[],\"a\":{}}}]", "duplicate key \"a\" at byte 14"),
    };
    expect_rejections(cases, SL_ARRAY_SIZE(cases), SL_EPARSE);
}

/* ------------------------------------------------------------------------ */
/* Limits                                                                   */
/* ------------------------------------------------------------------------ */

static void nested(sl_buf_t *b, int depth)
{
    sl_buf_reset(b);
    for (int i = 0; i < depth; i++) {
        sl_buf_puts(b, i & 1 ? "{\"k\":" : "[");
    }
    sl_buf_puts(b, "0");
    for (int i = depth - 1; i >= 0; i--) {
        sl_buf_putc(b, i & 1 ? '}' : ']');
    }
}

Test(ingest_json, depth_limit_default_is_64)
{
    sl_json_doc_t d;
    sl_json_doc_init(&d);
    sl_diag_t diag;
    sl_buf_t b = SL_BUF_INIT;
    nested(&b, 64);
    cr_expect_eq(parse(&d, b.data, b.len, &diag), 0, "%s", diag.msg);
    cr_expect_eq(d.ntok, 1 + 64 + 32);
    nested(&b, 65);
    cr_expect_eq(parse(&d, b.data, b.len, &diag), SL_ELIMIT);
    /* 32 "[" and 32 "{"k":" open containers precede the 65th */
    char want[80];
    snprintf(want, sizeof want, "nesting deeper than 64 at byte %d", 32 * 1 + 32 * 5);
    cr_expect_str_eq(diag.msg, want);
    sl_buf_dispose(&b);
    sl_json_doc_dispose(&d);
}

Test(ingest_json, depth_limit_custom)
{
    sl_json_doc_t d;
    sl_json_doc_init(&d);
    sl_diag_t diag;
    sl_buf_t b = SL_BUF_INIT;
    sl_json_limits_t two = { .max_depth = 2 };
    cr_expect_eq(sl_json_parse(&d, LIT("[[1]]"), &two, &diag), 0);
    cr_expect_eq(sl_json_parse(&d, LIT("[[[1]]]"), &two, &diag), SL_ELIMIT);
    cr_expect_str_eq(diag.msg, "nesting deeper than 2 at byte 2");
    cr_expect_eq(sl_json_parse(&d, LIT("\"scalars need no depth\""), &two, &diag), 0);
    /* Deep nesting beyond the initial stack, when allowed. */
    sl_json_limits_t deep = { .max_depth = 5000 };
    nested(&b, 5000);
    cr_expect_eq(sl_json_parse(&d, b.data, b.len, &deep, &diag), 0, "%s", diag.msg);
    cr_expect_eq(d.tok[0].end, d.ntok);
    nested(&b, 5001);
    cr_expect_eq(sl_json_parse(&d, b.data, b.len, &deep, &diag), SL_ELIMIT);
    sl_buf_dispose(&b);
    sl_json_doc_dispose(&d);
}

Test(ingest_json, token_limit)
{
    sl_json_doc_t d;
    sl_json_doc_init(&d);
    sl_diag_t diag;
    sl_json_limits_t lim = { .max_tokens = 4 };
    cr_expect_eq(sl_json_parse(&d, LIT("[1,2,3]"), &lim, &diag), 0);
    cr_expect_eq(d.ntok, 4);
    cr_expect_eq(sl_json_parse(&d, LIT("[1,2,3,4]"), &lim, &diag), SL_ELIMIT);
    cr_expect_str_eq(diag.msg, "more than 4 tokens at byte 7");
    cr_expect_eq(sl_json_parse(&d, LIT("{\"a\":1,\"b\":2}"), &lim, &diag), SL_ELIMIT);
    cr_expect_str_eq(diag.msg, "more than 4 tokens at byte 11");
    /* The limit holds after the tape has grown larger in an earlier parse. */
    cr_expect_eq(sl_json_parse(&d, LIT("[1,2,3,4,5,6,7,8,9]"), NULL, &diag), 0);
    cr_expect_eq(sl_json_parse(&d, LIT("[1,2,3,4]"), &lim, &diag), SL_ELIMIT);
    sl_json_doc_dispose(&d);
}

Test(ingest_json, input_over_4gib_is_refused_before_reading)
{
    sl_json_doc_t d;
    sl_json_doc_init(&d);
    sl_diag_t diag;
    /* The length check comes first, so no byte of this short buffer beyond
     * the first is touched. */
    static const char one[1] = { '[' };
    cr_expect_eq(parse(&d, one, (size_t)UINT32_MAX + 1, &diag), SL_ELIMIT);
    cr_expect_str_eq(diag.msg, "input of 4294967296 bytes is over the limit at byte 4294967295");
    sl_json_doc_dispose(&d);
}

/* An allocator that refuses everything after the first `budget` calls. */
static int alloc_budget;
static void *lim_malloc(size_t n)
{
    return alloc_budget-- > 0 ? malloc(n) : NULL;
}
static void *lim_realloc(void *p, size_t n)
{
    return alloc_budget-- > 0 ? realloc(p, n) : NULL;
}

Test(ingest_json, tape_allocation_failure_is_enomem)
{
    /* Each Criterion test runs in its own process, so replacing the
     * allocator here affects no other test. */
    sl_allocator_t a = { lim_malloc, lim_realloc, free };
    sl_set_allocator(&a);
    sl_json_doc_t d;
    sl_json_doc_init(&d);
    sl_diag_t diag;
    alloc_budget = 0;
    cr_expect_eq(parse(&d, LIT("[1,2]"), &diag), SL_ENOMEM);
    cr_expect_eq(diag.code, SL_ENOMEM);
    cr_expect(strstr(diag.msg, "out of memory") != NULL, "%s", diag.msg);
    alloc_budget = 1; /* the tape, but not the container stack */
    cr_expect_eq(parse(&d, LIT("[1,2]"), &diag), SL_ENOMEM);
    alloc_budget = 100;
    cr_expect_eq(parse(&d, LIT("[1,2]"), &diag), 0);
    sl_json_doc_dispose(&d);
}

/* ------------------------------------------------------------------------ */
/* The block scanner at every alignment                                     */
/* ------------------------------------------------------------------------ */

Test(ingest_json, strings_of_every_length_and_alignment)
{
    /* Strings of 0..80 bytes starting at offsets 1..17, so that the closing
     * quote falls at every position of a 16-byte block, in the zero-padded
     * tail and in the main loop. */
    sl_json_doc_t d;
    sl_json_doc_init(&d);
    char buf[128];
    for (int pad = 0; pad < 17; pad++) {
        for (int n = 0; n <= 80; n++) {
            int k = 0;
            for (int i = 0; i < pad; i++) {
                buf[k++] = ' ';
            }
            buf[k++] = '"';
            for (int i = 0; i < n; i++) {
                buf[k++] = (char)('a' + i % 26);
            }
            buf[k++] = '"';
            sl_diag_t diag;
            cr_assert_eq(parse(&d, buf, (size_t)k, &diag), 0, "pad %d n %d: %s", pad, n,
                         diag.msg);
            cr_assert_eq(d.tok[0].len, (uint32_t)n);
            cr_assert_eq(d.tok[0].off, (uint32_t)pad + 1);
            /* Without the closing quote it is unterminated at the end. */
            cr_assert_eq(parse(&d, buf, (size_t)k - 1, &diag), SL_EPARSE);
        }
    }
    sl_json_doc_dispose(&d);
}

Test(ingest_json, special_byte_found_at_every_position)
{
    /* A control byte, a backslash escape and a non-ASCII character at each
     * position of a 70-byte string (the two-byte ones ending before the
     * closing quote). */
    sl_json_doc_t d;
    sl_json_doc_init(&d);
    char buf[128];
    for (int at = 0; at < 69; at++) {
        sl_diag_t diag;
        char want[64];
        memset(buf, 'x', sizeof buf);
        buf[0] = '"';
        buf[71] = '"';
        buf[1 + at] = '\x1b';
        cr_assert_eq(parse(&d, buf, 72, &diag), SL_EPARSE);
        snprintf(want, sizeof want, "control character 0x1b in string at byte %d", 1 + at);
        cr_assert_str_eq(diag.msg, want);

        buf[1 + at] = '\\';
        buf[2 + at] = at % 2 ? 'n' : '"';
        cr_assert_eq(parse(&d, buf, 72, &diag), 0, "at %d: %s", at, diag.msg);
        cr_assert_eq(d.tok[0].flags, ESC);
        cr_assert_eq(d.tok[0].len, 70);

        memset(buf + 1, 'x', 70);
        buf[1 + at] = (char)0xc3;
        buf[2 + at] = (char)0xa9;
        cr_assert_eq(parse(&d, buf, 72, &diag), 0, "at %d: %s", at, diag.msg);
        cr_assert_eq(d.tok[0].flags, NA);
        /* Every later byte is still checked for controls and quotes. */
        if (at < 68) {
            buf[3 + at] = '\n';
            cr_assert_eq(parse(&d, buf, 72, &diag), SL_EPARSE);
            snprintf(want, sizeof want, "control character 0x0a in string at byte %d", 3 + at);
            cr_assert_str_eq(diag.msg, want);
            buf[3 + at] = '"';
            cr_assert_eq(parse(&d, buf, 72, &diag), SL_EPARSE, "a quote ends the string early");
        }
        /* A truncated sequence right before the closing quote. */
        memset(buf + 1, 'x', 70);
        buf[70] = (char)0xe2;
        buf[1 + at] = (char)0xc3;
        buf[2 + at] = (char)0xa9;
        if (at < 68) {
            cr_assert_eq(parse(&d, buf, 72, &diag), SL_EPARSE);
            cr_assert_str_eq(diag.msg, "invalid UTF-8 at byte 70");
        }
    }
    sl_json_doc_dispose(&d);
}

Test(ingest_json, long_numbers_and_digit_runs)
{
    sl_json_doc_t d;
    sl_json_doc_init(&d);
    sl_diag_t diag;
    char buf[64];
    /* Digit runs of every length around the 8-byte step, each followed by
     * a character that must stop the run. */
    for (int n = 1; n < 40; n++) {
        int k = 0;
        buf[k++] = '[';
        buf[k++] = '1';
        for (int i = 1; i < n; i++) {
            buf[k++] = (char)('0' + i % 10);
        }
        buf[k++] = ']';
        cr_assert_eq(parse(&d, buf, (size_t)k, &diag), 0, "%d: %s", n, diag.msg);
        cr_assert_eq(d.tok[1].len, (uint32_t)n);
        cr_assert_eq(d.tok[1].flags, INT);
        buf[k - 1] = ':'; /* 0x3a, one past '9' */
        cr_assert_eq(parse(&d, buf, (size_t)k, &diag), SL_EPARSE);
        buf[k - 1] = '/'; /* 0x2f, one before '0' */
        cr_assert_eq(parse(&d, buf, (size_t)k, &diag), SL_EPARSE);
        cr_assert_eq(parse(&d, buf + 1, (size_t)k - 2, &diag), 0, "top-level %d", n);
    }
    sl_json_doc_dispose(&d);
}
