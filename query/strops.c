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
 * the start respectively.
 *
 * Column scans (sl_qstr_scan_*) search the block's contiguous text buffer as
 * a whole and map hits back to rows: a rare needle costs one pass of a
 * memmem-like search over the bytes, not one call per row.
 */
#include "query/query_int.h"

#include <string.h>

static inline unsigned char lower(unsigned char c)
{
    return (unsigned char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
}

static inline bool term_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c >= 0x80;
}

bool sl_qstr_eq(const char *a, size_t an, const char *b, size_t bn, bool cs)
{
    if (an != bn)
        return false;
    if (cs)
        return memcmp(a, b, an) == 0;
    for (size_t i = 0; i < an; i++)
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
            return false;
    return true;
}

/* First occurrence of needle in hay at or after `from`; -1 if none. The
 * needle is already lower-cased when !cs. */
static ptrdiff_t find(const char *hay, size_t hn, size_t from, const char *nd, size_t nn, bool cs)
{
    if (nn == 0)
        return (ptrdiff_t)from;
    if (from > hn || hn - from < nn)
        return -1;
    if (cs) {
        const char *p = memmem(hay + from, hn - from, nd, nn);
        return p ? p - hay : -1;
    }
    unsigned char f = (unsigned char)nd[0], F = (unsigned char)(f >= 'a' && f <= 'z' ? f - 32 : f);
    const char *end = hay + hn - nn;
    for (const char *p = hay + from; p <= end; p++) {
        /* Find the next byte matching the first needle byte in either case. */
        const char *q1 = memchr(p, f, (size_t)(end - p) + 1);
        const char *q2 = F != f ? memchr(p, F, (size_t)((q1 ? q1 : end + 1) - p)) : NULL;
        const char *q = q2 && (!q1 || q2 < q1) ? q2 : q1;
        if (!q)
            return -1;
        size_t i = 1;
        while (i < nn && lower((unsigned char)q[i]) == (unsigned char)nd[i])
            i++;
        if (i == nn)
            return q - hay;
        p = q;
    }
    return -1;
}

/* Lower-cases `s` into the caller's buffer (for case-insensitive needles). */
void sl_qstr_lower(const char *s, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (char)lower((unsigned char)s[i]);
}

bool sl_qstr_contains(const char *h, size_t hn, const char *nd, size_t nn, bool cs)
{
    if (cs)
        return find(h, hn, 0, nd, nn, true) >= 0;
    char small[256];
    char *low = nn <= sizeof small ? small : sl_xmalloc(nn);
    sl_qstr_lower(nd, nn, low);
    bool r = find(h, hn, 0, low, nn, false) >= 0;
    if (low != small)
        sl_free(low);
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

/* Term boundaries of an occurrence at [p, p+nn). */
static bool starts_term(const char *h, size_t p, const char *nd)
{
    return p == 0 || !term_char((unsigned char)h[p - 1]) || !term_char((unsigned char)nd[0]);
}

static bool ends_term(const char *h, size_t hn, size_t end, const char *nd, size_t nn)
{
    return end == hn || !term_char((unsigned char)h[end]) ||
           !term_char((unsigned char)nd[nn - 1]);
}

/* mode: 0 has (both ends), 1 hasprefix (start only), 2 hassuffix (end only). */
static bool has_mode(const char *h, size_t hn, const char *nd, size_t nn, bool cs, int mode)
{
    if (nn == 0)
        return true;
    char small[256];
    const char *needle = nd;
    char *low = NULL;
    if (!cs) {
        low = nn <= sizeof small ? small : sl_xmalloc(nn);
        sl_qstr_lower(nd, nn, low);
        needle = low;
    }
    bool r = false;
    ptrdiff_t at = 0;
    while (!r && (at = find(h, hn, (size_t)at, needle, nn, cs)) >= 0) {
        bool s = mode == 2 || starts_term(h, (size_t)at, needle);
        bool e = mode == 1 || ends_term(h, hn, (size_t)at + nn, needle, nn);
        r = s && e;
        at++;
    }
    if (low && low != small)
        sl_free(low);
    return r;
}

bool sl_qstr_has(const char *h, size_t hn, const char *nd, size_t nn, bool cs)
{
    return has_mode(h, hn, nd, nn, cs, 0);
}

bool sl_qstr_hasprefix(const char *h, size_t hn, const char *nd, size_t nn, bool cs)
{
    return has_mode(h, hn, nd, nn, cs, 1);
}

bool sl_qstr_hassuffix(const char *h, size_t hn, const char *nd, size_t nn, bool cs)
{
    return has_mode(h, hn, nd, nn, cs, 2);
}

/*
 * Whole-column scans. `offs` are the column's n+1 offsets into `data`; the
 * result bit of row i is set when the row matches. The search runs over the
 * concatenated bytes, so an occurrence found across a row boundary is
 * re-checked inside its row.
 */
static size_t row_of(const uint32_t *offs, size_t n, size_t pos, size_t from_row)
{
    /* Rows are visited in increasing order: gallop forward from the last. */
    size_t r = from_row;
    if (offs[r + 1] > pos)
        return r;
    size_t step = 1;
    while (r + step < n && offs[r + step + 1] <= pos)
        step *= 2;
    size_t lo = r + step / 2, hi = SL_MIN(n - 1, r + step);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (offs[mid + 1] <= pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void sl_qstr_scan(const char *data, const uint32_t *offs, size_t n, const char *nd, size_t nn,
                  bool cs, sl_qstr_op_t op, uint8_t *match)
{
    memset(match, 0, n);
    if (n == 0)
        return;
    size_t total = offs[n];
    if (nn == 0) {
        for (size_t i = 0; i < n; i++)
            match[i] = op == SL_QSTR_CONTAINS || op == SL_QSTR_HAS;
        return;
    }
    char small[256];
    const char *needle = nd;
    char *low = NULL;
    if (!cs) {
        low = nn <= sizeof small ? small : sl_xmalloc(nn);
        sl_qstr_lower(nd, nn, low);
        needle = low;
    }
    size_t row = 0;
    ptrdiff_t at = 0;
    while ((at = find(data, total, (size_t)at, needle, nn, cs)) >= 0) {
        row = row_of(offs, n, (size_t)at, row);
        size_t rs = offs[row], re = offs[row + 1];
        if ((size_t)at + nn > re) {
            /* Straddles into the next row: resume at that row's start. */
            at = (ptrdiff_t)re;
            continue;
        }
        if (match[row]) {
            at = (ptrdiff_t)re; /* this row is decided */
            continue;
        }
        const char *h = data + rs;
        size_t hn = re - rs, p = (size_t)at - rs;
        bool ok = true;
        if (op == SL_QSTR_HAS || op == SL_QSTR_HASPREFIX)
            ok = starts_term(h, p, needle);
        if (ok && (op == SL_QSTR_HAS || op == SL_QSTR_HASSUFFIX))
            ok = ends_term(h, hn, p + nn, needle, nn);
        if (ok) {
            match[row] = 1;
            at = (ptrdiff_t)re;
        } else {
            at++;
        }
    }
    if (low && low != small)
        sl_free(low);
}
