/*
 * The string-operator engine (strops.c) against a naive reference: random
 * haystacks and needles over a small alphabet (so that partial matches,
 * case variants, separators and UTF-8 bytes are frequent), every operator,
 * both case rules, every start offset of the SIMD kernels and their tails,
 * and whole-column scans whose rows touch each other in one buffer.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "query/fn_text_int.h"

static unsigned char low(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

static bool eq_at(const char *h, const char *nd, size_t nn, bool cs)
{
    for (size_t i = 0; i < nn; i++) {
        unsigned char a = (unsigned char)h[i], b = (unsigned char)nd[i];
        if (cs ? a != b : low(a) != low(b)) {
            return false;
        }
    }
    return true;
}

static bool tc(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

/* mode: 0 contains, 1 has, 2 hasprefix, 3 hassuffix */
static bool naive(const char *h, size_t hn, const char *nd, size_t nn, bool cs, int mode)
{
    if (nn == 0) {
        return true;
    }
    for (size_t p = 0; p + nn <= hn; p++) {
        if (!eq_at(h + p, nd, nn, cs)) {
            continue;
        }
        bool s = p == 0 || !tc((unsigned char)h[p - 1]) || !tc((unsigned char)nd[0]);
        bool e = p + nn == hn || !tc((unsigned char)h[p + nn]) || !tc((unsigned char)nd[nn - 1]);
        if (mode == 0 || (mode == 1 && s && e) || (mode == 2 && s) || (mode == 3 && e)) {
            return true;
        }
    }
    return false;
}

static const char alphabet[] = "aAbB -.\xc3\xa9"
                               "09";

static void rand_text(char *out, size_t n, unsigned *seed)
{
    for (size_t i = 0; i < n; i++) {
        out[i] = alphabet[rand_r(seed) % (sizeof alphabet - 1)];
    }
}

Test(query_strops, scans_agree_with_a_naive_search)
{
    unsigned seed = 12345;
    enum { ROWS = 64 };
    char data[ROWS * 80];
    uint32_t offs[ROWS + 1];
    uint8_t match[ROWS];
    static const sl_qstr_op_t ops[] = {
        SL_QSTR_CONTAINS, SL_QSTR_HAS, SL_QSTR_HASPREFIX, SL_QSTR_HASSUFFIX
    };
    for (int round = 0; round < 400; round++) {
        size_t pos = 0;
        for (int r = 0; r < ROWS; r++) {
            offs[r] = (uint32_t)pos;
            size_t len = (size_t)(rand_r(&seed) % 79);
            rand_text(data + pos, len, &seed);
            pos += len;
        }
        offs[ROWS] = (uint32_t)pos;
        char nd[8];
        size_t nn = (size_t)(rand_r(&seed) % 6);
        rand_text(nd, nn, &seed);
        for (int cs = 0; cs < 2; cs++) {
            for (int m = 0; m < 4; m++) {
                sl_qstr_scan(data, offs, ROWS, nd, nn, cs, ops[m], match);
                for (int r = 0; r < ROWS; r++) {
                    bool want = naive(data + offs[r], offs[r + 1] - offs[r], nd, nn, cs, m);
                    cr_assert_eq(match[r],
                                 want,
                                 "round %d row %d op %d cs %d needle '%.*s'",
                                 round,
                                 r,
                                 m,
                                 cs,
                                 (int)nn,
                                 nd);
                }
            }
        }
    }
}

Test(query_strops, single_value_operators_agree_with_a_naive_search)
{
    unsigned seed = 777;
    char h[200], nd[12];
    for (int round = 0; round < 20000; round++) {
        size_t hn = (size_t)(rand_r(&seed) % 200), nn = (size_t)(rand_r(&seed) % 10);
        rand_text(h, hn, &seed);
        if (nn && hn > nn && rand_r(&seed) % 2) {
            memcpy(nd, h + rand_r(&seed) % (hn - nn), nn); /* a needle that occurs */
        } else {
            rand_text(nd, nn, &seed);
        }
        bool cs = rand_r(&seed) % 2;
        cr_assert_eq(sl_qstr_contains(h, hn, nd, nn, cs), naive(h, hn, nd, nn, cs, 0));
        cr_assert_eq(sl_qstr_has(h, hn, nd, nn, cs), naive(h, hn, nd, nn, cs, 1));
        cr_assert_eq(sl_qstr_hasprefix(h, hn, nd, nn, cs), naive(h, hn, nd, nn, cs, 2));
        cr_assert_eq(sl_qstr_hassuffix(h, hn, nd, nn, cs), naive(h, hn, nd, nn, cs, 3));
        cr_assert_eq(sl_qstr_starts(h, hn, nd, nn, cs), hn >= nn && eq_at(h, nd, nn, cs));
        cr_assert_eq(sl_qstr_ends(h, hn, nd, nn, cs), hn >= nn && eq_at(h + hn - nn, nd, nn, cs));
    }
}

Test(query_strops, finder_reports_every_occurrence_from_every_offset)
{
    /* A long haystack exercises the 32- and 16-byte kernels and their
     * scalar tails; each start offset shifts the alignment. */
    unsigned seed = 99;
    char h[300];
    rand_text(h, sizeof h, &seed);
    for (size_t nn = 1; nn <= 40; nn += 3) {
        for (int cs = 0; cs < 2; cs++) {
            const char *nd = h + 137; /* occurs at 137, maybe elsewhere */
            sl_qstr_finder_t f;
            sl_qstr_finder_init(&f, nd, nn, cs);
            for (size_t from = 0; from <= sizeof h; from++) {
                ptrdiff_t want = -1;
                for (size_t p = from; p + nn <= sizeof h; p++) {
                    if (eq_at(h + p, nd, nn, cs)) {
                        want = (ptrdiff_t)p;
                        break;
                    }
                }
                cr_assert_eq(sl_qstr_finder_find(&f, h, sizeof h, from),
                             want,
                             "nn %zu cs %d from %zu",
                             nn,
                             cs,
                             from);
            }
            sl_qstr_finder_dispose(&f);
        }
    }
}

Test(query_strops, case_insensitive_search_folds_only_letters)
{
    /* '@' (0x40) and '`' (0x60) differ by the bit that folds letters: they
     * must not be taken for each other, nor '[' for '{'. */
    cr_assert(!sl_qstr_contains("x@y", 3, "x`y", 3, false));
    cr_assert(!sl_qstr_contains("a[b", 3, "A{B", 3, false));
    cr_assert(sl_qstr_contains("a[b", 3, "A[B", 3, false));
    cr_assert(!sl_qstr_contains("\xc3\x89", 2, "\xc3\xa9", 2, false)); /* É vs é */
    char big[1000];
    memset(big, '@', sizeof big);
    memcpy(big + 990, "`needle`", 8);
    cr_assert(sl_qstr_contains(big, sizeof big, "`NEEDLE`", 8, false));
    cr_assert(!sl_qstr_contains(big, sizeof big, "@NEEDLE@", 8, false));
}

Test(query_strops, long_needles_and_overlapping_counts)
{
    char h[600], nd[300];
    memset(h, 'a', sizeof h);
    memset(nd, 'A', sizeof nd);
    sl_qstr_finder_t f;
    sl_qstr_finder_init(&f, nd, sizeof nd, false);
    cr_assert_eq(sl_qstr_finder_find(&f, h, sizeof h, 0), 0);
    cr_assert_eq(sl_qstr_finder_find(&f, h, sizeof h, 300), 300);
    cr_assert_eq(sl_qstr_finder_find(&f, h, sizeof h, 301), -1);
    cr_assert_eq(sl_qstr_finder_count(&f, h, sizeof h), 301);
    sl_qstr_finder_dispose(&f);
    sl_qstr_finder_init(&f, "aa", 2, true);
    cr_assert_eq(sl_qstr_finder_count(&f, "aaaa", 4), 3);
    sl_qstr_finder_dispose(&f);
    sl_qstr_finder_init(&f, "", 0, true);
    cr_assert_eq(sl_qstr_finder_count(&f, "aaaa", 4), 0);
    cr_assert_eq(sl_qstr_finder_find(&f, "abc", 3, 3), 3);
    cr_assert_eq(sl_qstr_finder_find(&f, "abc", 3, 4), -1);
    sl_qstr_finder_dispose(&f);
}
