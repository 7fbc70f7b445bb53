/*
 * Fuzzes the string-operator engine and the regex prefilter.
 *
 * Input: one mode byte, then a needle or pattern, a 0xFF separator, then
 * text (rows separated by '\n').
 *
 * Mode even — strops: for every operator (contains, has, hasprefix,
 * hassuffix) and both case rules, the whole-column scan over the rows must
 * agree with a naive per-row search, and the finder must report the same
 * first occurrence as a naive search from every offset of the text.
 *
 * Mode odd — regex prefilter: the pattern is analysed (fn_text_relit.c)
 * and compiled (PCRE2, as matches_regex does). Whenever the regex matches
 * the text, the text must contain one of the required literals (or hold a
 * non-ASCII byte when the analysis said those rows bypass the scan); when
 * the analysis says the pattern is exactly its literals, matching and
 * containing must agree on valid UTF-8 text.
 */
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

static void fuzz_scan(const char *nd, size_t nn, const char *text, size_t tn)
{
    uint32_t offs[257];
    size_t rows = 0;
    offs[0] = 0;
    for (size_t i = 0; i <= tn && rows < 256; i++) {
        if (i == tn || text[i] == '\n') {
            offs[++rows] = (uint32_t)i;
            /* The newline itself belongs to the next row, so rows touch. */
        }
    }
    uint8_t match[256];
    static const sl_qstr_op_t ops[] = {
        SL_QSTR_CONTAINS, SL_QSTR_HAS, SL_QSTR_HASPREFIX, SL_QSTR_HASSUFFIX
    };
    for (int cs = 0; cs < 2; cs++) {
        for (int m = 0; m < 4; m++) {
            sl_qstr_scan(text, offs, rows, nd, nn, cs, ops[m], match);
            for (size_t r = 0; r < rows; r++) {
                if (match[r] != naive(text + offs[r], offs[r + 1] - offs[r], nd, nn, cs, m)) {
                    abort();
                }
            }
        }
        sl_qstr_finder_t f;
        sl_qstr_finder_init(&f, nd, nn, cs);
        for (size_t from = 0; from <= tn; from += 1 + from / 64) {
            ptrdiff_t want = -1;
            for (size_t p = from; p + nn <= tn; p++) {
                if (eq_at(text + p, nd, nn, cs)) {
                    want = (ptrdiff_t)p;
                    break;
                }
            }
            if (sl_qstr_finder_find(&f, text, tn, from) != want) {
                abort();
            }
        }
        sl_qstr_finder_dispose(&f);
    }
}

static bool contains(const char *h, size_t hn, const char *nd, size_t nn, bool cs)
{
    for (size_t p = 0; p + nn <= hn; p++) {
        if (eq_at(h + p, nd, nn, cs)) {
            return true;
        }
    }
    return false;
}

static void fuzz_relit(const char *pat, size_t pn, const char *text, size_t tn)
{
    sl_pool_t *pool = sl_pool_create();
    sl_diag_t d;
    sl_qbind_t b;
    sl_qbind_init(&b, pool, 0, NULL, &d);
    sl_qrelit_t lit;
    sl_qrelit_analyse(pool, pat, pn, false, &lit);
    sl_qregex_t *re;
    if (sl_qregex_compile(&b, pat, pn, NULL, &re, &d) == 0 && lit.nalts) {
        sl_qrt_t rt = { .d = &d };
        size_t ov[2];
        int rc = sl_qregex_match(re, text, tn, 0, ov, 2, &rt);
        bool any = false, high = false;
        for (size_t k = 0; k < lit.nalts; k++) {
            any |= contains(text, tn, lit.alt[k], lit.altn[k], lit.cs);
        }
        for (size_t i = 0; i < tn; i++) {
            high |= (unsigned char)text[i] >= 0x80;
        }
        bool bypass = lit.nonascii && high;
        if (rc == 1 && !any && !bypass) {
            abort(); /* the prefilter would have dropped a matching row */
        }
        if (rc >= 0 && lit.exact && !bypass && sl_qutf8_valid(text, tn) && (rc == 1) != any) {
            abort(); /* "exact" promised that containing is matching */
        }
        sl_qrt_dispose(&rt);
    }
    sl_qbind_dispose(&b);
    sl_pool_destroy(pool);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 4096) {
        return 0;
    }
    const char *in = (const char *)data + 1;
    size_t n = size - 1;
    const char *sep = memchr(in, 0xFF, n);
    size_t an = sep ? (size_t)(sep - in) : n;
    const char *text = sep ? sep + 1 : in + n;
    size_t tn = sep ? n - an - 1 : 0;
    if (data[0] % 2 == 0) {
        if (an <= 200) {
            fuzz_scan(in, an, text, tn);
        }
    } else if (an <= 300) {
        fuzz_relit(in, an, text, tn);
    }
    return 0;
}
