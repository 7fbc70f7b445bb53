/*
 * Duplicate keys: the linear check of small objects and the keyed hash
 * table of large ones must agree, compare decoded keys, and report the
 * first repeated key in document order.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest_int.h"

/* An object of n members "k0".."k{n-1}" (key i spelled with \u escapes when
 * `escape` says so), then `extra` appended before the closing brace. */
static void object(sl_buf_t *b, int n, bool (*escape)(int), const char *extra)
{
    sl_buf_reset(b);
    sl_buf_putc(b, '{');
    for (int i = 0; i < n; i++) {
        if (i) {
            sl_buf_putc(b, ',');
        }
        if (escape && escape(i)) {
            sl_buf_printf(b, "\"\\u006b%d\":%d", i, i);
        } else {
            sl_buf_printf(b, "\"k%d\":%d", i, i);
        }
    }
    sl_buf_puts(b, extra);
    sl_buf_putc(b, '}');
}

static bool every_third(int i)
{
    return i % 3 == 0;
}

static int parse(sl_json_doc_t *d, const sl_buf_t *b, sl_diag_t *diag)
{
    return sl_json_parse(d, b->data, b->len, NULL, diag);
}

Test(ingest_json_keys, objects_of_every_size_without_duplicates_pass)
{
    sl_json_doc_t d;
    sl_json_doc_init(&d);
    sl_buf_t b = SL_BUF_INIT;
    for (int n = 0; n <= 200; n += n < 40 ? 1 : 37) {
        sl_diag_t diag;
        object(&b, n, every_third, "");
        cr_expect_eq(parse(&d, &b, &diag), 0, "n=%d: %s", n, diag.msg);
        cr_expect_eq(d.tok[0].count, (uint32_t)n);
    }
    sl_buf_dispose(&b);
    sl_json_doc_dispose(&d);
}

Test(ingest_json_keys, a_repeat_is_found_at_every_size)
{
    /* The last key repeats an earlier one (in either spelling), for sizes
     * on both sides of the linear/hash boundary. */
    sl_json_doc_t d;
    sl_json_doc_init(&d);
    sl_buf_t b = SL_BUF_INIT;
    char extra[64], want[96];
    for (int n = 1; n <= 100; n++) {
        for (int which = 0; which < n; which += n > 20 ? 7 : 1) {
            sl_diag_t diag;
            snprintf(extra, sizeof extra, ",\"k%d\":null", which);
            object(&b, n, every_third, extra);
            cr_assert_eq(parse(&d, &b, &diag), SL_EPARSE, "n=%d which=%d", n, which);
            /* the repeated key's quote: after the other members, before '}' */
            snprintf(want, sizeof want, "duplicate key \"k%d\" at byte %zu", which,
                     b.len - 1 - strlen(extra) + 1);
            cr_assert_str_eq(diag.msg, want);
            /* and spelled with an escape */
            snprintf(extra, sizeof extra, ",\"\\u006b%d\":null", which);
            object(&b, n, NULL, extra);
            cr_assert_eq(parse(&d, &b, &diag), SL_EPARSE, "escaped n=%d which=%d", n, which);
        }
    }
    sl_buf_dispose(&b);
    sl_json_doc_dispose(&d);
}

Test(ingest_json_keys, first_repeat_in_document_order_is_reported)
{
    /* 40 members where k5 repeats at member 30 and k2 at member 35: the
     * hash check must name k5 (it comes first), like the linear one would. */
    sl_json_doc_t d;
    sl_json_doc_init(&d);
    sl_buf_t b = SL_BUF_INIT;
    sl_buf_putc(&b, '{');
    size_t at5 = 0;
    for (int i = 0; i < 40; i++) {
        int k = i == 30 ? 5 : i == 35 ? 2 : i;
        if (i == 30) {
            at5 = b.len + 1;
        }
        sl_buf_printf(&b, "%s\"k%d\":0", i ? "," : "", k);
    }
    sl_buf_putc(&b, '}');
    sl_diag_t diag;
    cr_assert_eq(parse(&d, &b, &diag), SL_EPARSE);
    char want[64];
    snprintf(want, sizeof want, "duplicate key \"k5\" at byte %zu", at5);
    cr_expect_str_eq(diag.msg, want);
    sl_buf_dispose(&b);
    sl_json_doc_dispose(&d);
}

Test(ingest_json_keys, keys_compare_decoded)
{
    static const char *const dup[] = {
        "{\"/\":1,\"\\/\":2}",
        "{\"\\/\":1,\"\\u002F\":2}",
        "{\"\xc3\xa9\":1,\"\\u00E9\":2}",
        "{\"\\ud83d\\ude00\":1,\"\xf0\x9f\x98\x80\":2}",
        "{\"a\\u0000\":1,\"a\\u0000\":2}",
        "{\"\\\"\":1,\"\\u0022\":2}",
    };
    static const char *const distinct[] = {
        "{\"a\":1,\"\\u0041\":2}",
        "{\"a\\u0000\":1,\"a\":2}",
        "{\"\\\\n\":1,\"\\n\":2}",
        "{\"ab\":1,\"a\":2,\"abc\":3}",
    };
    sl_json_doc_t d;
    sl_json_doc_init(&d);
    sl_diag_t diag;
    for (size_t i = 0; i < SL_ARRAY_SIZE(dup); i++) {
        cr_expect_eq(sl_json_parse(&d, dup[i], strlen(dup[i]), NULL, &diag), SL_EPARSE, "%s",
                     dup[i]);
        cr_expect(strncmp(diag.msg, "duplicate key", 13) == 0, "%s", diag.msg);
    }
    for (size_t i = 0; i < SL_ARRAY_SIZE(distinct); i++) {
        cr_expect_eq(sl_json_parse(&d, distinct[i], strlen(distinct[i]), NULL, &diag), 0, "%s",
                     distinct[i]);
    }
    sl_json_doc_dispose(&d);
}

Test(ingest_json_keys, large_objects_compare_decoded_too)
{
    /* The same pairs inside 30-member objects go through the hash table. */
    static const char *const pairs[][2] = {
        { "\"/\"", "\"\\/\"" },
        { "\"\xc3\xa9\"", "\"\\u00e9\"" },
        { "\"\\u00e9x\"", "\"\\u00E9\\u0078\"" },
    };
    sl_json_doc_t d;
    sl_json_doc_init(&d);
    sl_buf_t b = SL_BUF_INIT;
    for (size_t i = 0; i < SL_ARRAY_SIZE(pairs); i++) {
        char extra[64];
        snprintf(extra, sizeof extra, ",%s:1", pairs[i][0]);
        object(&b, 30, NULL, extra);
        sl_diag_t diag;
        cr_assert_eq(parse(&d, &b, &diag), 0, "%s", diag.msg);
        snprintf(extra, sizeof extra, ",%s:1,%s:2", pairs[i][0], pairs[i][1]);
        object(&b, 30, NULL, extra);
        cr_expect_eq(parse(&d, &b, &diag), SL_EPARSE, "pair %zu", i);
    }
    sl_buf_dispose(&b);
    sl_json_doc_dispose(&d);
}

Test(ingest_json_keys, same_keys_in_different_objects_are_fine)
{
    sl_json_doc_t d;
    sl_json_doc_init(&d);
    sl_buf_t b = SL_BUF_INIT, inner = SL_BUF_INIT;
    /* Large sibling objects with identical keys, and a large object nested
     * in another with the same keys. */
    object(&inner, 50, every_third, "");
    sl_buf_printf(&b, "[%s,%s,{\"k0\":%s,\"k1\":1}]", inner.data, inner.data, inner.data);
    sl_diag_t diag;
    cr_expect_eq(parse(&d, &b, &diag), 0, "%s", diag.msg);
    sl_buf_dispose(&b);
    sl_buf_dispose(&inner);
    sl_json_doc_dispose(&d);
}

Test(ingest_json_keys, long_keys_are_shortened_in_the_message)
{
    sl_json_doc_t d;
    sl_json_doc_init(&d);
    sl_buf_t b = SL_BUF_INIT;
    char key[201];
    memset(key, 'k', 200);
    key[200] = '\0';
    key[63] = (char)0xc3; /* a 2-byte character straddling the cut at 64 */
    key[64] = (char)0xa9;
    sl_buf_printf(&b, "{\"%s\":1,\"%s\":2}", key, key);
    sl_diag_t diag;
    cr_assert_eq(parse(&d, &b, &diag), SL_EPARSE);
    char want[160];
    snprintf(want, sizeof want, "duplicate key \"%.63s\"... at byte 206", key);
    cr_expect_str_eq(diag.msg, want, "the cut moves back to a character boundary");
    sl_buf_dispose(&b);
    sl_json_doc_dispose(&d);
}

Test(ingest_json_keys, a_huge_object_is_checked_in_linear_time)
{
    /* 200,000 distinct keys: quadratic checking would take minutes. */
    sl_json_doc_t d;
    sl_json_doc_init(&d);
    sl_buf_t b = SL_BUF_INIT;
    object(&b, 200000, every_third, "");
    sl_diag_t diag;
    cr_expect_eq(parse(&d, &b, &diag), 0, "%s", diag.msg);
    object(&b, 200000, every_third, ",\"k199999\":0");
    cr_expect_eq(parse(&d, &b, &diag), SL_EPARSE);
    sl_buf_dispose(&b);
    sl_json_doc_dispose(&d);
}

Test(ingest_json_keys, long_keys_in_large_objects)
{
    /* Keys of 1..40 bytes (the keyed hash reads 8-byte blocks), all
     * distinct, then the same object with one key repeated. */
    sl_json_doc_t d;
    sl_json_doc_init(&d);
    sl_buf_t b = SL_BUF_INIT;
    for (int dup = 0; dup < 2; dup++) {
        sl_buf_reset(&b);
        sl_buf_putc(&b, '{');
        for (int i = 0; i < 40; i++) {
            sl_buf_printf(&b, "%s\"%0*d\":%d", i ? "," : "", i + 1, i, i);
        }
        if (dup) {
            sl_buf_printf(&b, ",\"%0*d\":0", 33, 32);
        }
        sl_buf_putc(&b, '}');
        sl_diag_t diag;
        cr_expect_eq(parse(&d, &b, &diag), dup ? SL_EPARSE : 0, "%s", diag.msg);
    }
    sl_buf_dispose(&b);
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

Test(ingest_json_keys, hash_table_allocation_failure_is_enomem)
{
    sl_json_doc_t d;
    sl_json_doc_init(&d);
    sl_buf_t plain = SL_BUF_INIT, escaped = SL_BUF_INIT;
    object(&plain, 40, NULL, "");
    object(&escaped, 40, every_third, "");
    /* Grow the tape and the stack first (no large object: no hash table),
     * so that below the hash table is the first allocation. */
    sl_buf_t warm = SL_BUF_INIT;
    sl_buf_puts(&warm, "[[");
    for (int i = 0; i < 300; i++) {
        sl_buf_puts(&warm, "0,");
    }
    sl_buf_puts(&warm, "0]]");
    sl_diag_t diag;
    cr_assert_eq(parse(&d, &warm, &diag), 0);
    sl_buf_dispose(&warm);
    /* Runs in its own process (Criterion), so the allocator swap is local. */
    sl_allocator_t a = { lim_malloc, lim_realloc, free };
    sl_set_allocator(&a);
    alloc_budget = 0;
    cr_expect_eq(parse(&d, &plain, &diag), SL_ENOMEM);
    cr_expect(strstr(diag.msg, "out of memory checking keys") != NULL, "%s", diag.msg);
    alloc_budget = 1; /* the hash table */
    cr_expect_eq(parse(&d, &plain, &diag), 0, "%s", diag.msg);
    /* Two escaped keys are compared decoded, in a buffer that cannot grow. */
    alloc_budget = 0;
    cr_expect_eq(parse(&d, &escaped, &diag), SL_ENOMEM);
    cr_expect(strstr(diag.msg, "out of memory comparing keys") != NULL, "%s", diag.msg);
    alloc_budget = 100;
    cr_expect_eq(parse(&d, &escaped, &diag), 0, "%s", diag.msg);
    sl_json_doc_dispose(&d);
    sl_buf_dispose(&plain);
    sl_buf_dispose(&escaped);
}
