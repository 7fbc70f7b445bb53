/*
 * The JSON scanner: one pass over a request body that validates it strictly
 * and writes a tape of tokens pointing back into the input.
 *
 * Design. The parser is a small state machine written with gotos (VALUE,
 * AFTER a value, KEY of an object member) over a pointer into the input and
 * an explicit stack of open containers, so nesting costs no C recursion and
 * the depth limit is a counter. Each token is written once into the tape
 * (a geometrically grown array, kept in the doc between parses); a container
 * gets its length, count and end index when it closes. Nothing is allocated
 * per token and nothing is copied: string and number tokens are spans.
 *
 * Speed comes from the string scanner, where log records spend most of
 * their bytes: it looks at 16 bytes at a time (SSE2, which every x86-64 has;
 * a portable 8-byte SWAR version elsewhere, or when built with
 * SL_JSON_NO_SIMD, which the tests do too) for the four things that end a
 * run of plain characters: '"', '\\', a control byte, and a byte >= 0x80.
 * Once a string has shown a non-ASCII byte, the scanner stops looking for
 * them and the string is validated as UTF-8 afterwards, in one pass over the
 * span from its first non-ASCII byte; pure ASCII strings are never
 * revisited. The input is not padded, so the last partial block is copied
 * into a zero-filled local block (a zero byte is a control byte, which stops
 * the scan, and the position then tells "end of input" from a real one).
 *
 * Duplicate keys are checked as each key is read, against the object's
 * previous keys, while an object has at most SL_INGEST__JSON_LINEAR_KEYS
 * members (log records have about six, usually of different lengths, so a
 * length compare settles almost every pair); larger objects are checked
 * once more at their close with a keyed hash table (json_keys.c).
 *
 * Rules (RFC 8259, strict):
 *
 *   - The input is one value of any type, with only whitespace (space, tab,
 *     LF, CR) around it. Empty input is an error. A UTF-8 byte order mark is
 *     rejected with its own message.
 *   - No comments, trailing commas, single quotes, unquoted keys, NaN,
 *     Infinity, or other extensions. Literals are exactly true/false/null.
 *   - Numbers: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? and nothing else:
 *     no leading zeros (01), no '+', no bare '-', no '.5', '1.', '1e'. Any
 *     magnitude and precision is accepted here; conversion reports range.
 *   - Strings: no raw bytes below 0x20 (NUL included); escapes are only
 *     \" \\ \/ \b \f \n \r \t and \uXXXX (hex in either case); a \u high
 *     surrogate (D800-DBFF) must be followed at once by a \u low surrogate
 *     (DC00-DFFF) and a low surrogate may not appear alone; \u0000 is allowed.
 *     Raw bytes >= 0x80 must be well-formed UTF-8: no overlong forms, no
 *     encoded surrogates (ED A0-BF ..), nothing above U+10FFFF (F4 90.. and
 *     F5-FF), no truncated sequences.
 *   - Object keys must be unique within an object, compared after decoding
 *     ("a" and "\u0061" are the same key).
 *   - Limits: nesting depth (default 64), tape length, and input length
 *     below 4 GiB (offsets are 32-bit).
 *
 * Errors name the first offending byte: "expected ':' at byte 17". The
 * reported position is where a reader scanning left to right first knows
 * the input is wrong, so inputs that break several rules report the first.
 */
#include "ingest/ingest_int.h"

#include <string.h>

#if defined(__SSE2__) && !defined(SL_JSON_NO_SIMD)
#include <emmintrin.h>
#define JSON_BLOCK 16
#else
#define JSON_BLOCK 8
#endif

#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

/* JSON whitespace. */
static const uint8_t ws_tab[256] = { [' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1 };

/* Hex digit values plus one; 0 for non-digits. */
static const uint8_t hex_tab[256] = {
    ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,  ['6'] = 7,
    ['7'] = 8,  ['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14,
    ['e'] = 15, ['f'] = 16, ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15,
    ['F'] = 16,
};

/* Characters allowed after a backslash, other than 'u'. */
static const uint8_t esc_tab[256] = {
    ['"'] = 1, ['\\'] = 1, ['/'] = 1, ['b'] = 1, ['f'] = 1, ['n'] = 1, ['r'] = 1, ['t'] = 1,
};

static inline bool is_digit(uint8_t c)
{
    return (uint8_t)(c - '0') < 10;
}

/* ------------------------------------------------------------------------ */
/* The block scanner                                                        */
/* ------------------------------------------------------------------------ */

/*
 * Returns the index of the first byte in p[0..JSON_BLOCK) that ends a run of
 * plain string characters, or JSON_BLOCK if there is none. Special bytes are
 * '"', '\\', bytes below 0x20, and (unless `high_ok`) bytes >= 0x80.
 */
#if JSON_BLOCK == 16
static inline unsigned block_special(const uint8_t *p, bool high_ok)
{
    __m128i v = _mm_loadu_si128((const __m128i *)p);
    __m128i m = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                             _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
    if (high_ok) {
        /* unsigned v <= 0x1f */
        m = _mm_or_si128(m, _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v));
    } else {
        /* signed v < 0x20: the control bytes and everything >= 0x80 */
        m = _mm_or_si128(m, _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
    }
    unsigned mask = (unsigned)_mm_movemask_epi8(m);
    return mask ? (unsigned)__builtin_ctz(mask) : 16u;
}
#else
#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)
static inline unsigned block_special(const uint8_t *p, bool high_ok)
{
    uint64_t x;
    memcpy(&x, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    x = __builtin_bswap64(x); /* byte 0 in the low bits, so ctz finds it */
#endif
    /* (y - ONES) & ~y & HIGHS flags zero bytes of y; (x - n*ONES) & ~x & HIGHS
     * flags bytes below n. Borrows only run upwards from a flagged byte, so
     * the lowest flag is always exact, which is all we use. */
    uint64_t q = x ^ (ONES * '"'), b = x ^ (ONES * '\\');
    uint64_t m = ((q - ONES) & ~q) | ((b - ONES) & ~b) | ((x - ONES * 0x20) & ~x);
    m &= HIGHS;
    if (!high_ok) {
        m |= x & HIGHS;
    }
    return m ? (unsigned)__builtin_ctzll(m) >> 3 : 8u;
}
#endif

/*
 * Advances from p to the first special byte (see block_special) before
 * `end`; returns NULL if there is none.
 */
static inline const uint8_t *find_special(const uint8_t *p, const uint8_t *end, bool high_ok)
{
    while (LIKELY(end - p >= JSON_BLOCK)) {
        unsigned i = block_special(p, high_ok);
        if (i < JSON_BLOCK) {
            return p + i;
        }
        p += JSON_BLOCK;
    }
    /* The tail: a zero byte is special, so padding with zeros stops the
     * scan at the end of the real bytes at the latest. */
    uint8_t last[JSON_BLOCK] = { 0 };
    size_t n = (size_t)(end - p);
    memcpy(last, p, n);
    unsigned i = block_special(last, high_ok);
    return i < n ? p + i : NULL;
}

/* ------------------------------------------------------------------------ */
/* Parser state and errors                                                  */
/* ------------------------------------------------------------------------ */

typedef struct parser {
    sl_json_doc_t *d;
    const uint8_t *base;
    const uint8_t *end;
    size_t max_tokens;
    uint32_t max_depth;
    sl_diag_t *diag;
} parser_t;

static int fail_at(const parser_t *ps, const uint8_t *at, int code, const char *what)
{
    return sl_diag_set(ps->diag, code, "%s at byte %zu", what, (size_t)(at - ps->base));
}

/* "unexpected character 'x'" or "... 0x00", or end of input. */
static int fail_unexpected(const parser_t *ps, const uint8_t *at, const char *expected)
{
    size_t off = (size_t)(at - ps->base);
    if (at >= ps->end) {
        return sl_diag_set(ps->diag, SL_EPARSE, "unexpected end of input (%s) at byte %zu",
                           expected, off);
    }
    uint8_t c = *at;
    if (c >= 0x21 && c < 0x7f) {
        return sl_diag_set(ps->diag, SL_EPARSE, "%s, found '%c' at byte %zu", expected, c, off);
    }
    return sl_diag_set(ps->diag, SL_EPARSE, "%s, found byte 0x%02x at byte %zu", expected, c,
                       off);
}

/* Grows the tape so that one more token fits. */
static int tape_grow(parser_t *ps, size_t ntok, const uint8_t *at)
{
    sl_json_doc_t *d = ps->d;
    if (ntok >= ps->max_tokens) {
        return sl_diag_set(ps->diag, SL_ELIMIT, "more than %zu tokens at byte %zu",
                           ps->max_tokens, (size_t)(at - ps->base));
    }
    /* First guess from the input size (one token per ~16 bytes is typical
     * of log records), then doubling. Tokens never outnumber input bytes.
     * The result exceeds ntok: here ntok == d->cap (doubled), ntok is below
     * max_tokens (checked above) and below len (each token so far used at
     * least one byte, and the next one starts before the end). */
    size_t cap = d->cap ? d->cap * 2 : (size_t)(ps->end - ps->base) / 16 + 16;
    cap = SL_MIN(cap, (size_t)(ps->end - ps->base) + 1);
    cap = SL_MIN(cap, ps->max_tokens);
    sl_json_tok_t *t = NULL;
    if (cap <= SIZE_MAX / sizeof *t) { /* only a 32-bit host can fail this */
        t = sl_try_realloc(d->tok, cap * sizeof *t);
    }
    if (!t) {
        return sl_diag_set(ps->diag, SL_ENOMEM, "out of memory for %zu tokens at byte %zu", cap,
                           (size_t)(at - ps->base));
    }
    d->tok = t;
    d->cap = cap;
    return 0;
}

/* Words of d->keys per nesting level: a (length, token) pair per key. */
#define KEY_ROW (2 * SL_INGEST__JSON_LINEAR_KEYS)

static int stack_grow(parser_t *ps, const uint8_t *at)
{
    sl_json_doc_t *d = ps->d;
    size_t cap = d->stack_cap ? d->stack_cap * 2 : 32;
    cap = SL_MIN(cap, (size_t)ps->max_depth);
    uint32_t *s = NULL, *k = NULL;
    if (cap <= SIZE_MAX / (KEY_ROW * sizeof *k)) {
        s = sl_try_realloc(d->stack, cap * sizeof *s);
        d->stack = s ? s : d->stack;
        k = s ? sl_try_realloc(d->keys, cap * KEY_ROW * sizeof *k) : NULL;
    }
    if (!k) {
        return sl_diag_set(ps->diag, SL_ENOMEM, "out of memory for nesting at byte %zu",
                           (size_t)(at - ps->base));
    }
    d->keys = k;
    d->stack_cap = cap;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Strings                                                                  */
/* ------------------------------------------------------------------------ */

/*
 * Validates the escape at p (p[0] == '\\'); returns the byte after it, or
 * NULL with diag set.
 */
static const uint8_t *scan_escape(const parser_t *ps, const uint8_t *p)
{
    const uint8_t *end = ps->end;
    if (end - p < 2) {
        fail_at(ps, end, SL_EPARSE, "unterminated escape");
        return NULL;
    }
    if (esc_tab[p[1]]) {
        return p + 2;
    }
    if (p[1] != 'u') {
        if (p[1] >= 0x21 && p[1] < 0x7f) {
            sl_diag_set(ps->diag, SL_EPARSE, "invalid escape '\\%c' at byte %zu", p[1],
                        (size_t)(p - ps->base));
        } else {
            fail_at(ps, p, SL_EPARSE, "invalid escape");
        }
        return NULL;
    }
    uint32_t v = 0;
    for (int i = 2; i < 6; i++) {
        if (p + i >= end || !hex_tab[p[i]]) {
            fail_at(ps, p, SL_EPARSE, "invalid \\u escape (needs 4 hex digits)");
            return NULL;
        }
        v = v << 4 | (uint32_t)(hex_tab[p[i]] - 1);
    }
    if (v < 0xd800 || v > 0xdfff) {
        return p + 6;
    }
    if (v >= 0xdc00) {
        fail_at(ps, p, SL_EPARSE, "lone low surrogate \\u escape");
        return NULL;
    }
    /* A high surrogate: the low half must follow as another \u escape. */
    uint32_t lo = 0;
    bool ok = end - p >= 12 && p[6] == '\\' && p[7] == 'u';
    for (int i = 8; ok && i < 12; i++) {
        ok = hex_tab[p[i]] != 0;
        lo = lo << 4 | (uint32_t)(hex_tab[p[i]] - 1);
    }
    if (!ok || lo < 0xdc00 || lo > 0xdfff) {
        fail_at(ps, p, SL_EPARSE, "high surrogate \\u escape not followed by a low surrogate");
        return NULL;
    }
    return p + 12;
}

/*
 * Scans the string whose content starts at p (just after the opening
 * quote). Returns the position of the closing quote and sets *flags, or
 * returns NULL with diag set.
 */
static inline const uint8_t *scan_string(const parser_t *ps, const uint8_t *p, uint8_t *flags)
{
    const uint8_t *end = ps->end;
    const uint8_t *open = p - 1; /* the opening quote, for messages */
    const uint8_t *high = NULL;  /* first byte >= 0x80, if any */
    uint8_t f = 0;
    for (;;) {
        const uint8_t *q = find_special(p, end, high != NULL);
        if (UNLIKELY(!q)) {
            sl_diag_set(ps->diag, SL_EPARSE, "unterminated string (opened at byte %zu) at byte %zu",
                        (size_t)(open - ps->base), (size_t)(end - ps->base));
            return NULL;
        }
        uint8_t c = *q;
        if (LIKELY(c == '"')) {
            if (UNLIKELY(high != NULL)) {
                size_t n = (size_t)(q - high);
                size_t bad = sl_ingest__utf8_check(high, n);
                if (bad != n) {
                    fail_at(ps, high + bad, SL_EPARSE, "invalid UTF-8");
                    return NULL;
                }
                f |= SL_JSON_F_NONASCII;
            }
            *flags = f;
            return q;
        }
        if (c == '\\') {
            f |= SL_JSON_F_ESCAPED;
            p = scan_escape(ps, q);
            if (!p) {
                return NULL;
            }
        } else if (c >= 0x80) {
            high = q; /* from here on, only '"', '\\' and controls stop us */
            p = q + 1;
        } else {
            sl_diag_set(ps->diag, SL_EPARSE, "control character 0x%02x in string at byte %zu", c,
                        (size_t)(q - ps->base));
            return NULL;
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Numbers                                                                  */
/* ------------------------------------------------------------------------ */

static inline const uint8_t *skip_digits(const uint8_t *p, const uint8_t *end)
{
    while (end - p >= 8) {
        /* Eight digits at once: every byte is 0x30..0x39 iff its high nibble
         * is 3 and adding 6 does not carry into the high nibble. */
        uint64_t x;
        memcpy(&x, p, 8);
        uint64_t lo = x & UINT64_C(0xf0f0f0f0f0f0f0f0);
        uint64_t hi = (x + UINT64_C(0x0606060606060606)) & UINT64_C(0xf0f0f0f0f0f0f0f0);
        if (lo != UINT64_C(0x3030303030303030) || hi != UINT64_C(0x3030303030303030)) {
            break;
        }
        p += 8;
    }
    while (p < end && is_digit(*p)) {
        p++;
    }
    return p;
}

/*
 * Scans the number starting at p; returns the byte after it and sets
 * *flags, or NULL with diag set.
 */
static inline const uint8_t *scan_number(const parser_t *ps, const uint8_t *p, uint8_t *flags)
{
    const uint8_t *end = ps->end;
    uint8_t f = SL_JSON_F_INT;
    if (*p == '-') {
        p++;
    }
    if (p < end && *p == '0') {
        p++;
        if (p < end && is_digit(*p)) {
            fail_at(ps, p - 1, SL_EPARSE, "leading zero in number");
            return NULL;
        }
    } else if (p < end && is_digit(*p)) {
        p = skip_digits(p + 1, end);
    } else {
        fail_unexpected(ps, p, "expected a digit");
        return NULL;
    }
    if (p < end && *p == '.') {
        f = 0;
        p++;
        if (p >= end || !is_digit(*p)) {
            fail_unexpected(ps, p, "expected a digit after the decimal point");
            return NULL;
        }
        p = skip_digits(p + 1, end);
    }
    if (p < end && (*p | 0x20) == 'e') {
        f = 0;
        p++;
        if (p < end && (*p == '+' || *p == '-')) {
            p++;
        }
        if (p >= end || !is_digit(*p)) {
            fail_unexpected(ps, p, "expected a digit in the exponent");
            return NULL;
        }
        p = skip_digits(p + 1, end);
    }
    *flags = f;
    return p;
}

/* ------------------------------------------------------------------------ */
/* The state machine                                                        */
/* ------------------------------------------------------------------------ */

void sl_json_doc_init(sl_json_doc_t *d)
{
    memset(d, 0, sizeof *d);
}

void sl_json_doc_dispose(sl_json_doc_t *d)
{
    sl_free(d->tok);
    sl_free(d->stack);
    sl_free(d->keys);
    sl_free(d->hash);
    sl_buf_dispose(&d->tmp);
    sl_wipe(d->seed, sizeof d->seed);
    memset(d, 0, sizeof *d);
}

static inline const uint8_t *skip_ws(const uint8_t *p, const uint8_t *end)
{
    while (p < end && ws_tab[*p]) {
        p++;
    }
    return p;
}

/*
 * Duplicate keys of small objects. Each open object keeps its first keys in
 * a row of d->keys (the row of its nesting level): a word with the key's
 * length, or KEY_SLOW for keys that must be compared decoded (escaped, or
 * too long for the word), and the key's token index. A new key is checked
 * against the row: keys of different lengths differ unless one is escaped,
 * so most pairs are settled by one compare in a contiguous array, and the
 * tape and the input are only read when lengths match.
 */
#define KEY_SLOW UINT32_C(0x80000000)

static inline uint32_t key_word(const sl_json_tok_t *t)
{
    bool slow = (t->flags & SL_JSON_F_ESCAPED) || t->len >= KEY_SLOW;
    return slow ? KEY_SLOW | (t->len & (KEY_SLOW - 1)) : t->len;
}

/* Checks key token k against the n keys in `row`; returns 0, or SL_EPARSE
 * or SL_ENOMEM with diag set. */
static int dup_linear(parser_t *ps, const uint32_t *row, uint32_t n, size_t k)
{
    sl_json_doc_t *d = ps->d;
    const sl_json_tok_t *tk = &d->tok[k];
    uint32_t w = key_word(tk);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t e = row[2 * i];
        if (LIKELY(e != w) && !((e | w) & KEY_SLOW)) {
            continue;
        }
        const sl_json_tok_t *tj = &d->tok[row[2 * i + 1]];
        bool eq;
        if (!((e | w) & KEY_SLOW)) {
            eq = memcmp(ps->base + tj->off, ps->base + tk->off, tk->len) == 0;
        } else {
            int err = 0;
            eq = sl_ingest__json_key_eq(d, tj, tk, &err);
            if (err) {
                return fail_at(ps, ps->base + tk->off, err, "out of memory comparing keys");
            }
        }
        if (eq) {
            return sl_ingest__json_dup_error(d, tk, ps->diag);
        }
    }
    return 0;
}

int sl_json_parse(sl_json_doc_t *d, const char *src, size_t len, const sl_json_limits_t *lim,
                  sl_diag_t *diag)
{
    d->src = src;
    d->len = len;
    d->ntok = 0;
    if (len > UINT32_MAX) {
        return sl_diag_set(diag, SL_ELIMIT, "input of %zu bytes is over the limit at byte %zu",
                           len, (size_t)UINT32_MAX);
    }
    parser_t ps = {
        .d = d,
        .base = (const uint8_t *)src,
        .end = (const uint8_t *)src + len,
        .max_tokens = lim && lim->max_tokens ? lim->max_tokens : SIZE_MAX,
        .max_depth = lim && lim->max_depth ? lim->max_depth : SL_JSON_DEFAULT_DEPTH,
        .diag = diag,
    };
    const uint8_t *const base = ps.base, *const end = ps.end;
    const uint8_t *p = base;
    sl_json_tok_t *tok = d->tok;
    size_t ntok = 0;
    size_t room = SL_MIN(d->cap, ps.max_tokens);
    uint32_t depth = 0;
    size_t cur = 0;      /* innermost open container */
    bool in_obj = false; /* ... and whether it is an object */
    sl_json_tok_t *t;
    uint8_t flags;
    int rc;

    if (len >= 3 && base[0] == 0xef && base[1] == 0xbb && base[2] == 0xbf) {
        return fail_at(&ps, base, SL_EPARSE, "UTF-8 byte order mark is not allowed");
    }

/* Makes room for one more token at tok[ntok]. */
#define NEED_TOKEN()                                                                           \
    do {                                                                                       \
        if (UNLIKELY(ntok == room)) {                                                          \
            if ((rc = tape_grow(&ps, ntok, p)) != 0) {                                         \
                goto fail;                                                                     \
            }                                                                                  \
            tok = d->tok;                                                                      \
            room = SL_MIN(d->cap, ps.max_tokens);                                              \
        }                                                                                      \
    } while (0)

value:
    /* A value is expected at p (whitespace allowed before it). */
    if (UNLIKELY(p < end && ws_tab[*p])) {
        p = skip_ws(p, end);
    }
    if (UNLIKELY(p >= end)) {
        rc = fail_unexpected(&ps, p, "expected a value");
        goto fail;
    }
    NEED_TOKEN();
    t = &tok[ntok];
    switch (*p) {
    case '"': {
        const uint8_t *q = scan_string(&ps, p + 1, &flags);
        if (UNLIKELY(!q)) {
            rc = SL_EPARSE;
            goto fail;
        }
        *t = (sl_json_tok_t){ .type = SL_JSON_STRING,
                              .flags = flags,
                              .off = (uint32_t)(p + 1 - base),
                              .len = (uint32_t)(q - p - 1),
                              .end = (uint32_t)(ntok + 1) };
        ntok++;
        p = q + 1;
        goto after;
    }
    case '-':
    case '0' ... '9': {
        const uint8_t *q = scan_number(&ps, p, &flags);
        if (UNLIKELY(!q)) {
            rc = SL_EPARSE;
            goto fail;
        }
        *t = (sl_json_tok_t){ .type = SL_JSON_NUMBER,
                              .flags = flags,
                              .off = (uint32_t)(p - base),
                              .len = (uint32_t)(q - p),
                              .end = (uint32_t)(ntok + 1) };
        ntok++;
        p = q;
        goto after;
    }
    case 't':
        if (end - p >= 4 && memcmp(p, "true", 4) == 0) {
            *t = (sl_json_tok_t){ .type = SL_JSON_TRUE, .off = (uint32_t)(p - base), .len = 4 };
            goto literal;
        }
        goto bad_literal;
    case 'f':
        if (end - p >= 5 && memcmp(p, "false", 5) == 0) {
            *t = (sl_json_tok_t){ .type = SL_JSON_FALSE, .off = (uint32_t)(p - base), .len = 5 };
            goto literal;
        }
        goto bad_literal;
    case 'n':
        if (end - p >= 4 && memcmp(p, "null", 4) == 0) {
            *t = (sl_json_tok_t){ .type = SL_JSON_NULL, .off = (uint32_t)(p - base), .len = 4 };
            goto literal;
        }
        goto bad_literal;
    case '[':
    case '{':
        if (UNLIKELY(depth >= ps.max_depth)) {
            rc = sl_diag_set(diag, SL_ELIMIT, "nesting deeper than %u at byte %zu", ps.max_depth,
                             (size_t)(p - base));
            goto fail;
        }
        if (UNLIKELY(depth == d->stack_cap) && (rc = stack_grow(&ps, p)) != 0) {
            goto fail;
        }
        in_obj = *p == '{';
        *t = (sl_json_tok_t){ .type = in_obj ? SL_JSON_OBJECT : SL_JSON_ARRAY,
                              .off = (uint32_t)(p - base) };
        d->stack[depth++] = (uint32_t)ntok;
        cur = ntok++;
        p = skip_ws(p + 1, end);
        if (p < end && *p == (in_obj ? '}' : ']')) {
            goto close;
        }
        if (in_obj) {
            goto key;
        }
        tok[cur].count = 1;
        goto value;
    default:
        rc = fail_unexpected(&ps, p, "expected a value");
        goto fail;
    }

literal:
    t->end = (uint32_t)(ntok + 1);
    p += t->len;
    ntok++;
    goto after;

bad_literal:
    rc = fail_at(&ps, p, SL_EPARSE, "invalid literal (expected true, false or null)");
    goto fail;

after:
    /* A value ended just before p. */
    if (UNLIKELY(depth == 0)) {
        p = skip_ws(p, end);
        if (p != end) {
            rc = fail_unexpected(&ps, p, "expected end of input after the top-level value");
            goto fail;
        }
        d->tok = tok;
        d->ntok = ntok;
        return 0;
    }
    if (UNLIKELY(p < end && ws_tab[*p])) {
        p = skip_ws(p, end);
    }
    if (LIKELY(p < end)) {
        if (*p == ',') {
            p++;
            if (in_obj) {
                goto key;
            }
            tok[cur].count++;
            goto value;
        }
        if (*p == (in_obj ? '}' : ']')) {
            goto close;
        }
    }
    rc = fail_unexpected(&ps, p, in_obj ? "expected ',' or '}'" : "expected ',' or ']'");
    goto fail;

close:
    /* p is at the closing bracket of container `cur`. */
    t = &tok[cur];
    t->len = (uint32_t)(p + 1 - base) - t->off;
    t->end = (uint32_t)ntok;
    p++;
    if (UNLIKELY(in_obj && t->count > SL_INGEST__JSON_LINEAR_KEYS)) {
        d->tok = tok;
        d->ntok = ntok;
        if ((rc = sl_ingest__json_dup_hash(d, cur, diag)) != 0) {
            goto fail;
        }
    }
    if (--depth > 0) {
        cur = d->stack[depth - 1];
        in_obj = tok[cur].type == SL_JSON_OBJECT;
    }
    goto after;

key:
    /* An object member is expected at p: after '{' or ','. */
    if (UNLIKELY(p < end && ws_tab[*p])) {
        p = skip_ws(p, end);
    }
    if (UNLIKELY(p >= end || *p != '"')) {
        rc = fail_unexpected(&ps, p, tok[cur].count ? "expected a string key"
                                                     : "expected a string key or '}'");
        goto fail;
    }
    NEED_TOKEN();
    {
        const uint8_t *q = scan_string(&ps, p + 1, &flags);
        if (UNLIKELY(!q)) {
            rc = SL_EPARSE;
            goto fail;
        }
        tok[ntok] = (sl_json_tok_t){ .type = SL_JSON_STRING,
                                     .flags = flags,
                                     .off = (uint32_t)(p + 1 - base),
                                     .len = (uint32_t)(q - p - 1),
                                     .end = (uint32_t)(ntok + 1) };
        p = q + 1;
    }
    if (LIKELY(++tok[cur].count <= SL_INGEST__JSON_LINEAR_KEYS)) {
        /* d->tok is tok: the tape only moves in tape_grow, which updates both */
        uint32_t n = tok[cur].count - 1, *row = d->keys + (size_t)(depth - 1) * KEY_ROW;
        if (n > 0 && (rc = dup_linear(&ps, row, n, ntok)) != 0) {
            goto fail;
        }
        row[2 * n] = key_word(&tok[ntok]);
        row[2 * n + 1] = (uint32_t)ntok;
    }
    ntok++;
    if (UNLIKELY(p < end && ws_tab[*p])) {
        p = skip_ws(p, end);
    }
    if (UNLIKELY(p >= end || *p != ':')) {
        rc = fail_unexpected(&ps, p, "expected ':'");
        goto fail;
    }
    p++;
    goto value;

fail:
#undef NEED_TOKEN
    d->ntok = 0;
    return rc;
}
