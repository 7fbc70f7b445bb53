/*
 * KQL's string operators (KQL.md §2.8) on byte strings.
 *
 * Case: the case-insensitive operators fold ASCII letters only; other bytes
 * (UTF-8 included) must match exactly. This is the cheap rule the older
 * Kusto documentation states, and it never splits a UTF-8 sequence.
 *
 * Terms: a term is a maximal run of ASCII letters and digits (bytes >= 0x80
 * count as term characters too, so a word with accents stays one term).
 * `has t` holds when t occurs in the string starting at a term start and
 * ending at a term end — for a one-term t, t is a whole term of the string;
 * for t with several terms ("10.1.2.3", "a-b") they occur in sequence with
 * exactly the separators written. hasprefix and hassuffix relax the end and
 * the start respectively. An empty needle is found in every string (as
 * String.Contains("") / StartsWith("") are true), for every operator.
 *
 * Search: a needle is prepared once (sl_qstr_finder_t): lower-cased when
 * the search ignores case, with a per-byte "fold" mask so that a byte x
 * matches needle byte v exactly when (x | fold) == v — for an ASCII
 * letter, fold is 0x20 and both cases map onto the lower one; for anything
 * else it is 0. The kernel is the "generic SIMD" substring search: compare
 * 16 (SSE2) or 32 (AVX2) candidate positions at once against two bytes of
 * the needle (folded), and verify only where both agree. The two anchor
 * bytes are the needle's rarest by a fixed table of byte frequencies in
 * log text, so that few positions survive the filter ("exception" anchors
 * on 'x' and 'p'); case-insensitive search costs one OR more per vector.
 *
 * Column scans (sl_qstr_scan_*) search the block's contiguous text buffer as
 * a whole and map hits back to rows: a rare needle costs one pass of the
 * kernel over the bytes, not one call per row. A hit that straddles two
 * rows is never reported for either: the search resumes at the second
 * row's start.
 */
#include "query/fn_text_int.h"

#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#define SL_QSTR_X86 1
#include <immintrin.h>
#endif

static inline unsigned char lower(unsigned char c)
{
    return sl_qstr_lower1(c);
}

/* ---- Prepared needles --------------------------------------------------- */

/*
 * How common each byte is in log text, roughly (0 rare .. 9 everywhere):
 * English letter frequencies, digits and the punctuation of timestamps,
 * paths, key=value pairs and JSON. The kernel anchors on the two needle
 * bytes with the lowest score, so that few positions survive the SIMD
 * filter: "exception" is anchored on 'x' and 'p', not on 'e' and 'n'.
 */
static const uint8_t byte_score[256] = {
    ['\t'] = 4, ['\n'] = 3, [' '] = 9, ['!'] = 2, ['"'] = 6, ['#'] = 2, ['$'] = 2,  ['%'] = 2,
    ['&'] = 3,  ['\''] = 4, ['('] = 5, [')'] = 5, ['*'] = 3, ['+'] = 3, [','] = 6,  ['-'] = 7,
    ['.'] = 8,  ['/'] = 7,  ['0'] = 8, ['1'] = 8, ['2'] = 8, ['3'] = 7, ['4'] = 7,  ['5'] = 7,
    ['6'] = 7,  ['7'] = 7,  ['8'] = 7, ['9'] = 7, [':'] = 7, [';'] = 4, ['<'] = 2,  ['='] = 6,
    ['>'] = 3,  ['?'] = 3,  ['@'] = 3, ['A'] = 5, ['B'] = 3, ['C'] = 4, ['D'] = 4,  ['E'] = 5,
    ['F'] = 4,  ['G'] = 3,  ['H'] = 3, ['I'] = 4, ['J'] = 2, ['K'] = 2, ['L'] = 4,  ['M'] = 4,
    ['N'] = 4,  ['O'] = 4,  ['P'] = 4, ['Q'] = 1, ['R'] = 4, ['S'] = 5, ['T'] = 5,  ['U'] = 3,
    ['V'] = 2,  ['W'] = 2,  ['X'] = 2, ['Y'] = 2, ['Z'] = 1, ['['] = 4, ['\\'] = 3, [']'] = 4,
    ['^'] = 1,  ['_'] = 6,  ['`'] = 1, ['a'] = 8, ['b'] = 6, ['c'] = 7, ['d'] = 7,  ['e'] = 9,
    ['f'] = 6,  ['g'] = 5,  ['h'] = 6, ['i'] = 8, ['j'] = 2, ['k'] = 4, ['l'] = 7,  ['m'] = 6,
    ['n'] = 8,  ['o'] = 8,  ['p'] = 6, ['q'] = 2, ['r'] = 8, ['s'] = 8, ['t'] = 9,  ['u'] = 6,
    ['v'] = 4,  ['w'] = 4,  ['x'] = 3, ['y'] = 4, ['z'] = 2, ['{'] = 3, ['|'] = 3,  ['}'] = 3,
    ['~'] = 1,
};

/* Does the needle match at h? The anchors are already known to match on
 * the SIMD path, but checking every byte keeps one routine for all paths;
 * eight bytes at a time with the fold mask. */
static inline bool match_at(const sl_qstr_finder_t *f, const char *h)
{
    size_t nn = f->nn;
    if (f->cs) {
        return memcmp(h, f->nd, nn) == 0;
    }
    size_t i = 0;
    for (; i + 8 <= nn; i += 8) {
        uint64_t x, m, v;
        memcpy(&x, h + i, 8);
        memcpy(&m, f->fold + i, 8);
        memcpy(&v, f->nd + i, 8);
        if ((x | m) != v) {
            return false;
        }
    }
    for (; i < nn; i++) {
        if (((unsigned char)h[i] | f->fold[i]) != (unsigned char)f->nd[i]) {
            return false;
        }
    }
    return true;
}

static ptrdiff_t find_scalar(const sl_qstr_finder_t *f, const char *h, size_t hn, size_t from)
{
    size_t nn = f->nn;
    if (nn == 0) {
        return from <= hn ? (ptrdiff_t)from : -1;
    }
    if (from > hn || hn - from < nn) {
        return -1;
    }
    if (f->cs) {
        const char *p = memmem(h + from, hn - from, f->nd, nn);
        return p ? p - h : -1;
    }
    for (size_t i = from, last = hn - nn; i <= last; i++) {
        if (match_at(f, h + i)) {
            return (ptrdiff_t)i;
        }
    }
    return -1;
}

#ifdef SL_QSTR_X86
/* 16 candidate starts at h+i: bit k set when both anchors match at i+k. */
static inline unsigned anchors16(const sl_qstr_finder_t *f, const char *h, size_t i)
{
    const __m128i v1 = _mm_set1_epi8((char)f->nd[f->a1]), m1 = _mm_set1_epi8((char)f->fold[f->a1]);
    const __m128i v2 = _mm_set1_epi8((char)f->nd[f->a2]), m2 = _mm_set1_epi8((char)f->fold[f->a2]);
    __m128i a = _mm_loadu_si128((const __m128i *)(h + i + f->a1));
    __m128i b = _mm_loadu_si128((const __m128i *)(h + i + f->a2));
    __m128i ea = _mm_cmpeq_epi8(_mm_or_si128(a, m1), v1);
    __m128i eb = _mm_cmpeq_epi8(_mm_or_si128(b, m2), v2);
    return (unsigned)_mm_movemask_epi8(_mm_and_si128(ea, eb));
}

static ptrdiff_t find_sse2(const sl_qstr_finder_t *f, const char *h, size_t hn, size_t from)
{
    size_t nn = f->nn;
    if (nn == 0 || from > hn || hn - from < nn) {
        return find_scalar(f, h, hn, from);
    }
    size_t last = hn - nn; /* last possible start */
    size_t i = from;
    /* The loads (anchors at i+a1 and i+a2, 16 bytes each) stay inside h
     * while i + 15 <= last, as both anchors are < nn. */
    for (; i + 15 <= last; i += 16) {
        unsigned m = anchors16(f, h, i);
        while (m) {
            size_t k = i + (size_t)__builtin_ctz(m);
            if (match_at(f, h + k)) {
                return (ptrdiff_t)k;
            }
            m &= m - 1;
        }
    }
    for (; i <= last; i++) {
        if (match_at(f, h + i)) {
            return (ptrdiff_t)i;
        }
    }
    return -1;
}

__attribute__((target("avx2"))) static ptrdiff_t find_avx2(const sl_qstr_finder_t *f,
                                                           const char *h,
                                                           size_t hn,
                                                           size_t from)
{
    size_t nn = f->nn;
    if (nn == 0 || from > hn || hn - from < nn) {
        return find_scalar(f, h, hn, from);
    }
    const __m256i v1 = _mm256_set1_epi8((char)f->nd[f->a1]);
    const __m256i m1 = _mm256_set1_epi8((char)f->fold[f->a1]);
    const __m256i v2 = _mm256_set1_epi8((char)f->nd[f->a2]);
    const __m256i m2 = _mm256_set1_epi8((char)f->fold[f->a2]);
    const char *p1 = h + f->a1, *p2 = h + f->a2;
    size_t last = hn - nn;
    size_t i = from;
    for (; i + 31 <= last; i += 32) {
        __m256i a = _mm256_loadu_si256((const __m256i *)(p1 + i));
        __m256i b = _mm256_loadu_si256((const __m256i *)(p2 + i));
        __m256i ea = _mm256_cmpeq_epi8(_mm256_or_si256(a, m1), v1);
        __m256i eb = _mm256_cmpeq_epi8(_mm256_or_si256(b, m2), v2);
        unsigned m = (unsigned)_mm256_movemask_epi8(_mm256_and_si256(ea, eb));
        while (m) {
            size_t k = i + (size_t)__builtin_ctz(m);
            if (match_at(f, h + k)) {
                return (ptrdiff_t)k;
            }
            m &= m - 1;
        }
    }
    /* The tail (fewer than 32 starts) with the 16-byte kernel. */
    for (; i + 15 <= last; i += 16) {
        unsigned m = anchors16(f, h, i);
        while (m) {
            size_t k = i + (size_t)__builtin_ctz(m);
            if (match_at(f, h + k)) {
                return (ptrdiff_t)k;
            }
            m &= m - 1;
        }
    }
    for (; i <= last; i++) {
        if (match_at(f, h + i)) {
            return (ptrdiff_t)i;
        }
    }
    return -1;
}
#endif

/* Score of needle byte i (a letter searched without case counts both of
 * its cases). */
static int anchor_score(const sl_qstr_finder_t *f, size_t i)
{
    unsigned char c = (unsigned char)f->nd[i];
    int sc = byte_score[c];
    if (f->fold[i]) {
        sc = SL_MAX(sc, byte_score[c - 32]) + 1;
    }
    return sc;
}

/* Picks the two rarest needle positions as SIMD anchors (a1 != a2 when
 * the needle has two bytes; preferring two different byte values). */
static void pick_anchors(sl_qstr_finder_t *f)
{
    size_t nn = f->nn;
    f->a1 = f->a2 = 0;
    if (nn < 2) {
        return;
    }
    size_t best = 0;
    for (size_t i = 1; i < nn; i++) {
        if (anchor_score(f, i) < anchor_score(f, best)) {
            best = i;
        }
    }
    size_t second = best == 0 ? 1 : 0;
    for (size_t i = 0; i < nn; i++) {
        if (i == best) {
            continue;
        }
        /* A different byte filters more than the same byte twice. */
        int si = anchor_score(f, i) + (f->nd[i] == f->nd[best] ? 3 : 0);
        int ss = anchor_score(f, second) + (f->nd[second] == f->nd[best] ? 3 : 0);
        if (si < ss) {
            second = i;
        }
    }
    f->a1 = best;
    f->a2 = second;
}

void sl_qstr_finder_init(sl_qstr_finder_t *f, const char *nd, size_t nn, bool cs)
{
    f->nn = nn;
    f->cs = cs;
    f->heap = NULL;
    char *buf = f->inl;
    if (nn > SL_QSTR_FINDER_INLINE) {
        buf = f->heap = sl_xmalloc(2 * nn);
    }
    char *low = buf;
    uint8_t *fold = (uint8_t *)buf + nn;
    for (size_t i = 0; i < nn; i++) {
        unsigned char c = (unsigned char)nd[i];
        bool letter = (unsigned char)((c | 0x20) - 'a') < 26;
        low[i] = (char)(cs ? c : lower(c));
        fold[i] = (uint8_t)(!cs && letter ? 0x20 : 0);
    }
    f->nd = low;
    f->fold = fold;
    pick_anchors(f);
#ifdef SL_QSTR_X86
    /* The CPU is asked once per needle, not per search. */
    f->find = __builtin_cpu_supports("avx2") ? find_avx2 : find_sse2;
#else
    f->find = find_scalar;
#endif
}

void sl_qstr_finder_dispose(sl_qstr_finder_t *f)
{
    sl_free(f->heap);
    f->heap = NULL;
}

static void finder_cleanup(void *arg)
{
    sl_qstr_finder_dispose(arg);
}

sl_qstr_finder_t *sl_qstr_finder_pool(sl_pool_t *pool, const char *nd, size_t nn, bool cs)
{
    sl_qstr_finder_t *f = sl_pool_alloc(pool, sizeof *f);
    sl_qstr_finder_init(f, nd, nn, cs);
    /* The needle pointers refer into the finder itself: it must not move,
     * which a pool allocation guarantees. */
    if (f->heap) {
        sl_pool_cleanup_add(pool, finder_cleanup, f);
    }
    return f;
}

/* ---- Single values ------------------------------------------------------ */

bool sl_qstr_finder_eq(const sl_qstr_finder_t *f, const char *h, size_t hn)
{
    if (hn != f->nn) {
        return false;
    }
    return hn == 0 || match_at(f, h);
}

bool sl_qstr_finder_starts(const sl_qstr_finder_t *f, const char *h, size_t hn)
{
    return hn >= f->nn && (f->nn == 0 || match_at(f, h));
}

bool sl_qstr_finder_ends(const sl_qstr_finder_t *f, const char *h, size_t hn)
{
    return hn >= f->nn && (f->nn == 0 || match_at(f, h + hn - f->nn));
}

/* Term boundaries of an occurrence at [p, p+nn): a needle that begins (ends)
 * with a separator carries its own boundary. */
static inline bool starts_term(const char *h, size_t p, const char *nd)
{
    return p == 0 || !sl_qstr_term_char((unsigned char)h[p - 1]) ||
           !sl_qstr_term_char((unsigned char)nd[0]);
}

static inline bool ends_term(const char *h, size_t hn, size_t end, const char *nd, size_t nn)
{
    return end == hn || !sl_qstr_term_char((unsigned char)h[end]) ||
           !sl_qstr_term_char((unsigned char)nd[nn - 1]);
}

static inline bool term_ok(const sl_qstr_finder_t *f,
                           const char *h,
                           size_t hn,
                           size_t at,
                           sl_qstr_term_mode_t mode)
{
    bool s = mode == SL_QSTR_TERM_SUFFIX || starts_term(h, at, f->nd);
    return s && (mode == SL_QSTR_TERM_PREFIX || ends_term(h, hn, at + f->nn, f->nd, f->nn));
}

bool sl_qstr_finder_has(const sl_qstr_finder_t *f,
                        const char *h,
                        size_t hn,
                        sl_qstr_term_mode_t mode)
{
    if (f->nn == 0) {
        return true;
    }
    ptrdiff_t at = 0;
    while ((at = sl_qstr_finder_find(f, h, hn, (size_t)at)) >= 0) {
        if (term_ok(f, h, hn, (size_t)at, mode)) {
            return true;
        }
        at++;
    }
    return false;
}

int64_t sl_qstr_finder_count(const sl_qstr_finder_t *f, const char *h, size_t hn)
{
    if (f->nn == 0) {
        return 0;
    }
    int64_t k = 0;
    ptrdiff_t at = 0;
    while ((at = sl_qstr_finder_find(f, h, hn, (size_t)at)) >= 0) {
        k++;
        at++; /* overlapping occurrences count (countof("aaaa", "aa") == 3) */
    }
    return k;
}

/* ---- The original one-shot API ------------------------------------------ */

bool sl_qstr_eq(const char *a, size_t an, const char *b, size_t bn, bool cs)
{
    if (an != bn) {
        return false;
    }
    if (cs) {
        return memcmp(a, b, an) == 0;
    }
    for (size_t i = 0; i < an; i++) {
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i])) {
            return false;
        }
    }
    return true;
}

/* Lower-cases `s` into the caller's buffer (for case-insensitive needles). */
void sl_qstr_lower(const char *s, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) {
        out[i] = (char)lower((unsigned char)s[i]);
    }
}

bool sl_qstr_contains(const char *h, size_t hn, const char *nd, size_t nn, bool cs)
{
    sl_qstr_finder_t f;
    sl_qstr_finder_init(&f, nd, nn, cs);
    bool r = sl_qstr_finder_find(&f, h, hn, 0) >= 0;
    sl_qstr_finder_dispose(&f);
    return r;
}

bool sl_qstr_starts(const char *h, size_t hn, const char *nd, size_t nn, bool cs)
{
    return hn >= nn && sl_qstr_eq(h, nn, nd, nn, cs);
}

bool sl_qstr_ends(const char *h, size_t hn, const char *nd, size_t nn, bool cs)
{
    return hn >= nn && sl_qstr_eq(h + hn - nn, nn, nd, nn, cs);
}

static bool has_once(const char *h,
                     size_t hn,
                     const char *nd,
                     size_t nn,
                     bool cs,
                     sl_qstr_term_mode_t mode)
{
    sl_qstr_finder_t f;
    sl_qstr_finder_init(&f, nd, nn, cs);
    bool r = sl_qstr_finder_has(&f, h, hn, mode);
    sl_qstr_finder_dispose(&f);
    return r;
}

bool sl_qstr_has(const char *h, size_t hn, const char *nd, size_t nn, bool cs)
{
    return has_once(h, hn, nd, nn, cs, SL_QSTR_TERM_WHOLE);
}

bool sl_qstr_hasprefix(const char *h, size_t hn, const char *nd, size_t nn, bool cs)
{
    return has_once(h, hn, nd, nn, cs, SL_QSTR_TERM_PREFIX);
}

bool sl_qstr_hassuffix(const char *h, size_t hn, const char *nd, size_t nn, bool cs)
{
    return has_once(h, hn, nd, nn, cs, SL_QSTR_TERM_SUFFIX);
}

/* ---- Whole-column scans ------------------------------------------------- */

/* Row holding byte `pos`. Rows are visited in increasing order: gallop
 * forward from the last one. */
static size_t row_of(const uint32_t *offs, size_t n, size_t pos, size_t from_row)
{
    size_t r = from_row;
    if (offs[r + 1] > pos) {
        return r;
    }
    size_t step = 1;
    while (r + step < n && offs[r + step + 1] <= pos) {
        step *= 2;
    }
    size_t lo = r + step / 2, hi = SL_MIN(n - 1, r + step);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (offs[mid + 1] <= pos) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

void sl_qstr_scan_finder(const sl_qstr_finder_t *f,
                         const char *data,
                         const uint32_t *offs,
                         size_t n,
                         sl_qstr_op_t op,
                         uint8_t *match)
{
    if (n == 0) {
        return;
    }
    size_t nn = f->nn;
    if (nn == 0) {
        memset(match, 1, n);
        return;
    }
    memset(match, 0, n);
    size_t base = offs[0], total = offs[n];
    sl_qstr_term_mode_t mode = op == SL_QSTR_HASPREFIX   ? SL_QSTR_TERM_PREFIX
                               : op == SL_QSTR_HASSUFFIX ? SL_QSTR_TERM_SUFFIX
                                                         : SL_QSTR_TERM_WHOLE;
    size_t row = 0;
    ptrdiff_t at = (ptrdiff_t)base;
    while ((at = sl_qstr_finder_find(f, data, total, (size_t)at)) >= 0) {
        row = row_of(offs, n, (size_t)at, row);
        size_t rs = offs[row], re = offs[row + 1];
        if ((size_t)at + nn > re) {
            /* Straddles into the next row: resume at that row's start. */
            at = (ptrdiff_t)re;
            continue;
        }
        if (op == SL_QSTR_CONTAINS || term_ok(f, data + rs, re - rs, (size_t)at - rs, mode)) {
            match[row] = 1;
            at = (ptrdiff_t)re; /* this row is decided */
        } else {
            at++;
        }
    }
}

/* First byte >= 0x80 at or after `from`, or -1. */
static ptrdiff_t find_high(const char *h, size_t hn, size_t from)
{
    size_t i = from;
#ifdef SL_QSTR_X86
    for (; i + 16 <= hn; i += 16) {
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(h + i)));
        if (m) {
            return (ptrdiff_t)(i + (size_t)__builtin_ctz(m));
        }
    }
#endif
    for (; i + 8 <= hn; i += 8) {
        uint64_t w;
        memcpy(&w, h + i, 8);
        if (w & UINT64_C(0x8080808080808080)) {
            break;
        }
    }
    for (; i < hn; i++) {
        if ((unsigned char)h[i] >= 0x80) {
            return (ptrdiff_t)i;
        }
    }
    return -1;
}

void sl_qstr_scan_nonascii(const char *data, const uint32_t *offs, size_t n, uint8_t *mark)
{
    memset(mark, 0, n);
    if (n == 0) {
        return;
    }
    size_t row = 0, total = offs[n];
    ptrdiff_t at = (ptrdiff_t)offs[0];
    while ((at = find_high(data, total, (size_t)at)) >= 0) {
        row = row_of(offs, n, (size_t)at, row);
        mark[row] = 1;
        at = (ptrdiff_t)offs[row + 1];
    }
}

void sl_qstr_scan(const char *data,
                  const uint32_t *offs,
                  size_t n,
                  const char *nd,
                  size_t nn,
                  bool cs,
                  sl_qstr_op_t op,
                  uint8_t *match)
{
    sl_qstr_finder_t f;
    sl_qstr_finder_init(&f, nd, nn, cs);
    sl_qstr_scan_finder(&f, data, offs, n, op, match);
    sl_qstr_finder_dispose(&f);
}
