/*
 * Number tokens to doubles and int64: correct rounding (fast path and
 * strtod path agree with strtod bit for bit), range errors, i64 bounds.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest_int.h"

/* Parses one number literal and converts it. */
static int to_double(const char *lit, double *out)
{
    sl_json_doc_t d;
    sl_json_doc_init(&d);
    sl_diag_t diag;
    cr_assert_eq(sl_json_parse(&d, lit, strlen(lit), NULL, &diag), 0, "%s: %s", lit, diag.msg);
    int rc = sl_json_number_double(&d, &d.tok[0], out);
    sl_json_doc_dispose(&d);
    return rc;
}

static int to_i64(const char *lit, int64_t *out)
{
    sl_json_doc_t d;
    sl_json_doc_init(&d);
    sl_diag_t diag;
    cr_assert_eq(sl_json_parse(&d, lit, strlen(lit), NULL, &diag), 0, "%s: %s", lit, diag.msg);
    int rc = sl_json_number_i64(&d, &d.tok[0], out);
    sl_json_doc_dispose(&d);
    return rc;
}

static void expect_same_as_strtod(const char *lit)
{
    double got, want = strtod(lit, NULL);
    cr_assert_eq(to_double(lit, &got), 0, "%s", lit);
    cr_assert_eq(memcmp(&got, &want, sizeof got), 0, "%s: got %.17g want %.17g", lit, got, want);
}

Test(ingest_json_num, tricky_decimals_are_correctly_rounded)
{
    static const char *const lits[] = {
        "0", "-0", "0.0", "-0.0", "1", "-1", "0.1", "0.2", "0.3", "0.30000000000000004",
        "1.7976931348623157e308", "-1.7976931348623157e308", "2.2250738585072014e-308",
        "2.2250738585072011e-308", /* the value that hung PHP and Java */
        "4.9e-324", "5e-324", "2.4703282292062327e-324", /* rounds down to 0 */
        "2.4703282292062328e-324",                       /* rounds up to the minimum */
        "9007199254740992", "9007199254740993", /* 2^53 + 1: ties to even */
        "9007199254740995", "18014398509481985", "123456789012345678901234567890",
        "1e22", "1e23", /* 1e23 is not exact: beyond the fast path */
        "8.98846567431158e307", "1.0000000000000002", "0.9999999999999999",
        "1724230000.123456", "1718000000123", "3.14159265358979323846264338327950288",
        "1.5e-10", "123.456e-5", "7e22", "7e37", "12345e30", "1e-22", "1e-23",
        "100000000000000000000000", "0.000001", "1e0", "1E+2", "1e-0",
        "0.1e1", "1.00000000000000011102230246251565404236316680908203125",
        "1.00000000000000011102230246251565404236316680908203124",
        "1.00000000000000011102230246251565404236316680908203126",
        "6.9294956446009195e15", "3.4028234663852886e38", "1e-320",
        "0.0000000000000000000000000000000000000000001", "1e00000000000000000000000000003",
    };
    for (size_t i = 0; i < SL_ARRAY_SIZE(lits); i++) {
        expect_same_as_strtod(lits[i]);
    }
}

Test(ingest_json_num, random_short_literals_match_strtod)
{
    /* Literals of the shapes the fast path takes (and those just beyond
     * it): up to 17 digits, a decimal point anywhere, exponents -30..30. */
    uint64_t s = 12345;
    char lit[64];
    for (int i = 0; i < 200000; i++) {
        s = s * 6364136223846793005u + 1442695040888963407u;
        int nd = 1 + (int)((s >> 33) % 17);
        int dot = (int)((s >> 40) % (unsigned)(nd + 1));
        int k = 0;
        if (s >> 63) {
            lit[k++] = '-';
        }
        uint64_t r = s;
        for (int j = 0; j < nd; j++) {
            r = r * 6364136223846793005u + 1;
            char c = (char)('0' + (r >> 33) % 10);
            if (j == 0 && c == '0' && dot != 1) {
                c = '7'; /* no leading zero unless "0." */
            }
            if (j == dot && j > 0) {
                lit[k++] = '.';
            }
            lit[k++] = c;
        }
        if ((s >> 20) & 1) {
            k += snprintf(lit + k, sizeof lit - (size_t)k, "e%d", (int)((s >> 24) % 61) - 30);
        }
        lit[k] = '\0';
        expect_same_as_strtod(lit);
    }
}

Test(ingest_json_num, overflow_is_a_limit_underflow_is_not)
{
    double v;
    cr_expect_eq(to_double("1e400", &v), SL_ELIMIT);
    cr_expect(isinf(v) && v > 0);
    cr_expect_eq(to_double("-1e400", &v), SL_ELIMIT);
    cr_expect(isinf(v) && v < 0);
    cr_expect_eq(to_double("1.8e308", &v), SL_ELIMIT);
    cr_expect_eq(to_double("1e-400", &v), 0);
    cr_expect_eq(v, 0.0);
    cr_expect_eq(to_double("-1e-400", &v), 0);
    cr_expect(v == 0.0 && signbit(v));
    cr_expect_eq(to_double("0e999999999999999999", &v), 0, "zero with a huge exponent");
    cr_expect_eq(v, 0.0);
}

Test(ingest_json_num, very_long_literals_use_a_heap_copy)
{
    /* "0.000...0001" with 300 zeros: longer than the stack copy. */
    char lit[400] = "0.";
    memset(lit + 2, '0', 300);
    strcpy(lit + 302, "1e300");
    expect_same_as_strtod(lit);
    /* 400 significant digits */
    char big[420];
    memset(big, '9', 400);
    big[400] = '\0';
    double v;
    cr_expect_eq(to_double(big, &v), SL_ELIMIT);
    big[300] = '\0';
    expect_same_as_strtod(big);
}

Test(ingest_json_num, i64_bounds)
{
    int64_t v;
    cr_expect_eq(to_i64("0", &v), 0);
    cr_expect_eq(v, 0);
    cr_expect_eq(to_i64("-0", &v), 0);
    cr_expect_eq(v, 0);
    cr_expect_eq(to_i64("1718000000123", &v), 0);
    cr_expect_eq(v, INT64_C(1718000000123));
    cr_expect_eq(to_i64("9223372036854775807", &v), 0);
    cr_expect_eq(v, INT64_MAX);
    cr_expect_eq(to_i64("-9223372036854775808", &v), 0);
    cr_expect_eq(v, INT64_MIN);
    cr_expect_eq(to_i64("9223372036854775808", &v), SL_ELIMIT);
    cr_expect_eq(to_i64("-9223372036854775809", &v), SL_ELIMIT);
    cr_expect_eq(to_i64("18446744073709551616", &v), SL_ELIMIT);
    cr_expect_eq(to_i64("123456789012345678901234567890", &v), SL_ELIMIT);
}

Test(ingest_json_num, i64_rejects_non_integer_literals)
{
    int64_t v;
    cr_expect_eq(to_i64("1.0", &v), SL_ELIMIT);
    cr_expect_eq(to_i64("1e3", &v), SL_ELIMIT);
    cr_expect_eq(to_i64("1E0", &v), SL_ELIMIT);
    cr_expect_eq(to_i64("-2.5", &v), SL_ELIMIT);
}

Test(ingest_json_num, non_numbers_are_invalid)
{
    const char *s = "[\"1\",true,null,[]]";
    sl_json_doc_t d;
    sl_json_doc_init(&d);
    sl_diag_t diag;
    cr_assert_eq(sl_json_parse(&d, s, strlen(s), NULL, &diag), 0);
    for (size_t i = 0; i < d.ntok; i++) {
        double x;
        int64_t y;
        cr_expect_eq(sl_json_number_double(&d, &d.tok[i], &x), SL_EINVAL);
        cr_expect_eq(sl_json_number_i64(&d, &d.tok[i], &y), SL_EINVAL);
    }
    sl_json_doc_dispose(&d);
}

Test(ingest_json_num, numbers_inside_documents)
{
    /* Conversion reads only the token's span, not what follows it. */
    const char *s = "{\"@timestamp\":1724230000.123456,\"n\":[12,-3e2,0.5]}";
    sl_json_doc_t d;
    sl_json_doc_init(&d);
    sl_diag_t diag;
    cr_assert_eq(sl_json_parse(&d, s, strlen(s), NULL, &diag), 0);
    double v;
    int64_t i;
    cr_expect_eq(sl_json_number_double(&d, &d.tok[2], &v), 0);
    cr_expect_eq(v, 1724230000.123456);
    cr_expect_eq(sl_json_number_i64(&d, &d.tok[5], &i), 0);
    cr_expect_eq(i, 12);
    cr_expect_eq(sl_json_number_double(&d, &d.tok[5], &v), 0);
    cr_expect_eq(v, 12.0);
    cr_expect_eq(sl_json_number_double(&d, &d.tok[6], &v), 0);
    cr_expect_eq(v, -300.0);
    cr_expect_eq(sl_json_number_double(&d, &d.tok[7], &v), 0);
    cr_expect_eq(v, 0.5);
    sl_json_doc_dispose(&d);
}

static int alloc_budget;
static void *lim_malloc(size_t n)
{
    return alloc_budget-- > 0 ? malloc(n) : NULL;
}
static void *lim_realloc(void *p, size_t n)
{
    return alloc_budget-- > 0 ? realloc(p, n) : NULL;
}

Test(ingest_json_num, long_literal_copy_failure_is_enomem)
{
    char lit[300];
    memset(lit, '1', 299);
    lit[299] = '\0';
    sl_json_doc_t d;
    sl_json_doc_init(&d);
    sl_diag_t diag;
    cr_assert_eq(sl_json_parse(&d, lit, 299, NULL, &diag), 0);
    sl_allocator_t a = { lim_malloc, lim_realloc, free }; /* own process: local */
    sl_set_allocator(&a);
    alloc_budget = 0;
    double v;
    cr_expect_eq(sl_json_number_double(&d, &d.tok[0], &v), SL_ENOMEM);
    alloc_budget = 1;
    cr_expect_eq(sl_json_number_double(&d, &d.tok[0], &v), 0);
    cr_expect_eq(v, strtod(lit, NULL));
    sl_json_doc_dispose(&d);
}
