/*
 * Internals shared by the text function library (fn_text_*.c) and the
 * string-operator engine (strops.c). Nothing outside these files includes
 * this header; the shared executor interface stays in query_int.h.
 *
 * Pieces:
 *   - sl_qstr_finder_t: a prepared needle (lower-cased once, SIMD kernel
 *     chosen once) for substring search; the column scans and every
 *     per-row operator go through it;
 *   - UTF-8 helpers (character counts and offsets: KQL counts characters,
 *     not bytes, in strlen, substring, indexof and reverse);
 *   - small argument helpers for bind functions;
 *   - a string / int64 / double hash set for `in` and `has_any`;
 *   - required-literal extraction from regex patterns (the prefilter of
 *     matches_regex).
 */
#ifndef SL_QUERY_FN_TEXT_INT_H
#define SL_QUERY_FN_TEXT_INT_H

#include "query/query_int.h"

/* ------------------------------------------------------------------------ */
/* Needle search (strops.c)                                                 */
/* ------------------------------------------------------------------------ */

/* Needles up to this many bytes live inside the finder (no allocation). */
#define SL_QSTR_FINDER_INLINE 120

typedef struct sl_qstr_finder sl_qstr_finder_t;

struct sl_qstr_finder {
    const char *nd;      /* the needle, lower-cased (ASCII) when !cs */
    const uint8_t *fold; /* per needle byte: 0x20 for an ASCII letter when
                            !cs, else 0 (x matches nd[i] iff (x | fold[i]) ==
                            nd[i]) */
    size_t nn;
    size_t a1, a2; /* anchor positions: the needle's two rarest bytes */
    bool cs;
    /* The search kernel (SSE2, AVX2 or portable), chosen at init. Returns
     * the first occurrence at or after `from`, or -1. */
    ptrdiff_t (*find)(const sl_qstr_finder_t *f, const char *h, size_t hn, size_t from);
    char *heap; /* needle + fold bytes when longer than the inline room */
    char inl[2 * SL_QSTR_FINDER_INLINE];
};

/* Prepares a needle. Never fails; dispose releases what a long needle
 * needed. */
void sl_qstr_finder_init(sl_qstr_finder_t *f, const char *nd, size_t nn, bool cs);
void sl_qstr_finder_dispose(sl_qstr_finder_t *f);
/* A finder that lives as long as `pool` (bind-time constants). */
sl_qstr_finder_t *sl_qstr_finder_pool(sl_pool_t *pool, const char *nd, size_t nn, bool cs);

static inline ptrdiff_t sl_qstr_finder_find(const sl_qstr_finder_t *f,
                                            const char *h,
                                            size_t hn,
                                            size_t from)
{
    return f->find(f, h, hn, from);
}

/* Term tests of the has family against one value. */
typedef enum sl_qstr_term_mode {
    SL_QSTR_TERM_WHOLE,  /* has */
    SL_QSTR_TERM_PREFIX, /* hasprefix */
    SL_QSTR_TERM_SUFFIX, /* hassuffix */
} sl_qstr_term_mode_t;

bool sl_qstr_finder_has(const sl_qstr_finder_t *f,
                        const char *h,
                        size_t hn,
                        sl_qstr_term_mode_t mode);
/* Occurrences of the needle in h, overlapping ones included (countof). */
int64_t sl_qstr_finder_count(const sl_qstr_finder_t *f, const char *h, size_t hn);
/* Whole-column scan with a prepared needle (see sl_qstr_scan). */
void sl_qstr_scan_finder(const sl_qstr_finder_t *f,
                         const char *data,
                         const uint32_t *offs,
                         size_t n,
                         sl_qstr_op_t op,
                         uint8_t *match);

/* mark[i] = 1 for the rows holding a byte >= 0x80 (one SIMD pass). */
void sl_qstr_scan_nonascii(const char *data, const uint32_t *offs, size_t n, uint8_t *mark);

/* Prefix / suffix / equality with a finder's (lower-cased) needle. */
bool sl_qstr_finder_starts(const sl_qstr_finder_t *f, const char *h, size_t hn);
bool sl_qstr_finder_ends(const sl_qstr_finder_t *f, const char *h, size_t hn);
bool sl_qstr_finder_eq(const sl_qstr_finder_t *f, const char *h, size_t hn);

/* True for the bytes terms are made of (ASCII letters and digits, and
 * every byte >= 0x80). */
static inline bool sl_qstr_term_char(unsigned char c)
{
    return (unsigned char)((c | 0x20) - 'a') < 26 || (unsigned char)(c - '0') < 10 || c >= 0x80;
}

static inline unsigned char sl_qstr_lower1(unsigned char c)
{
    return (unsigned char)(c - 'A') < 26 ? (unsigned char)(c + 32) : c;
}

/* ------------------------------------------------------------------------ */
/* UTF-8 (fn_text_util.c)                                                   */
/* ------------------------------------------------------------------------ */

/* Characters of s. A character starts at byte 0 and at every byte that is
 * not a UTF-8 continuation byte (10xxxxxx), so every byte belongs to
 * exactly one character and valid UTF-8 counts its code points. */
size_t sl_qutf8_count(const char *s, size_t n);
/* Byte offset of character k (n if the string is shorter). */
size_t sl_qutf8_offset(const char *s, size_t n, size_t k);
/* Byte length of the character starting at s[0] (1 for an invalid byte). */
size_t sl_qutf8_char_len(const char *s, size_t n);
/* Decodes the character at s (n > 0) into *cp; returns its byte length, or
 * 0 when the bytes there are not valid UTF-8. */
size_t sl_qutf8_decode(const char *s, size_t n, uint32_t *cp);
/* Appends code point cp as UTF-8. */
void sl_qutf8_put(sl_buf_t *b, uint32_t cp);
/* True if s is valid UTF-8 (no overlongs, surrogates or values past
 * U+10FFFF). */
bool sl_qutf8_valid(const char *s, size_t n);

/* ------------------------------------------------------------------------ */
/* Bind helpers (fn_text_util.c)                                            */
/* ------------------------------------------------------------------------ */

/* Casts argument k to string with tostring() semantics unless it is one. */
int sl_qtext_want_string(sl_qbind_t *b, sl_qcall_t *call, size_t k, sl_diag_t *d);
/* Casts argument k to long unless it is int or long already; other types
 * than numbers are a bind error naming `what`. */
int sl_qtext_want_int(sl_qbind_t *b, sl_qcall_t *call, size_t k, const char *what, sl_diag_t *d);
/* The constant text of argument k, or an SL_ESEMANTIC error saying that it
 * must be a constant string (`what` names it: "regex", "kind"). */
int sl_qtext_const_arg(const sl_qcall_t *call,
                       size_t k,
                       const char *what,
                       const char **s,
                       size_t *n,
                       sl_diag_t *d);
/* The function's name for messages. */
static inline const char *sl_qtext_fname(const sl_qcall_t *call)
{
    return call->fn->name;
}

/* Text of row i of a string vector (the offsets and bytes, read directly). */
static inline const char *sl_qtext_data(const sl_qvec_t *v)
{
    return v->col.data.data ? v->col.data.data : "";
}
static inline const uint32_t *sl_qtext_offs(const sl_qvec_t *v)
{
    return (const uint32_t *)v->col.offs.data;
}

/* A new string vector with room for `rows` values of about `bytes` bytes. */
sl_qvec_t *sl_qtext_new(sl_type_t t, size_t rows, size_t bytes);

/* Ends the next value of a text vector whose bytes were appended to
 * v->col.data directly (saves the copy sl_qvec_push_text would make). */
static inline void sl_qtext_push_end(sl_qvec_t *v)
{
    uint32_t end = (uint32_t)v->col.data.len;
    sl_buf_append(&v->col.offs, &end, 4);
    v->col.n++;
}

/* ------------------------------------------------------------------------ */
/* Hash sets (fn_text_set.c)                                                */
/* ------------------------------------------------------------------------ */

/* Open-addressing set of byte strings or 64-bit values, built at bind time
 * in a pool and then read-only (safe to probe from several threads). */
typedef struct sl_qset sl_qset_t;

sl_qset_t *sl_qset_new(sl_pool_t *pool, bool fold_case);
/* Adds a string (folded to lower case first when the set folds). */
void sl_qset_add_text(sl_qset_t *s, const char *p, size_t n);
void sl_qset_add_i64(sl_qset_t *s, int64_t v);
void sl_qset_add_f64(sl_qset_t *s, double v);
bool sl_qset_has_text(const sl_qset_t *s, const char *p, size_t n);
bool sl_qset_has_i64(const sl_qset_t *s, int64_t v);
bool sl_qset_has_f64(const sl_qset_t *s, double v);
size_t sl_qset_count(const sl_qset_t *s);
/* Makes the table ready for probing (sizes it); call once after adding. */
void sl_qset_seal(sl_qset_t *s);

/* 64-bit hash of bytes (not folded). */
uint64_t sl_qtext_hash(const char *s, size_t n);

/* ------------------------------------------------------------------------ */
/* Dynamic helpers (fn_text_dyn.c)                                          */
/* ------------------------------------------------------------------------ */

/* Member `key` of the compact JSON object s[0..n): like sl_qdyn_member but
 * without allocating (keys with escapes are decoded into `scratch`). */
bool sl_qtext_dyn_member(const char *s,
                         size_t n,
                         const char *key,
                         size_t kn,
                         const char **v,
                         size_t *vn,
                         sl_buf_t *scratch);
/* Appends the text a dynamic element stands for when used as a string: a
 * JSON string without its quotes, anything else as its JSON text; null
 * appends nothing. */
void sl_qtext_dyn_tostring(const char *s, size_t n, sl_buf_t *out);
/* Calls fn(arg, elem, elem_n) for every element of the JSON array s; false
 * if s is not an array. */
bool sl_qtext_dyn_each(const char *s,
                       size_t n,
                       void (*fn)(void *arg, const char *e, size_t en),
                       void *arg);

/* ------------------------------------------------------------------------ */
/* Regex helpers (fn_text_relit.c)                                          */
/* ------------------------------------------------------------------------ */

/* What must occur in any text a pattern matches: either one literal, or
 * (for a pattern that is just an alternation of literals) any of several.
 * Case-insensitive when the pattern starts with (?i) or `icase` is set. */
#define SL_QRELIT_MAX_ALTS 8
typedef struct sl_qrelit {
    size_t nalts;                        /* 0: nothing usable */
    bool cs;                             /* case-sensitive literals */
    bool exact;                          /* the pattern is just these literals: containing one of
                                            them is matching */
    bool nonascii;                       /* rows holding bytes >= 0x80 must go to the regex
                                            whatever the scan says (see fn_text_relit.c) */
    const char *alt[SL_QRELIT_MAX_ALTS]; /* pool copies */
    size_t altn[SL_QRELIT_MAX_ALTS];
} sl_qrelit_t;

/* Successive matches of a regex in one string, with RE2's rules (Kusto's
 * regex engine) for empty matches: after an empty match the search moves
 * on by one character, and an empty match right where the previous match
 * ended is skipped (replace_regex("abc", "b*", "-") is "-a-c-"). */
typedef struct sl_qtext_rx_iter {
    size_t pos;      /* where the next search starts */
    size_t last_end; /* end of the previous match */
    bool started;
} sl_qtext_rx_iter_t;

/* The next match: 1 with ov[0..nov) filled (ov[0], ov[1] = the match),
 * 0 when there is none, or a negative error (SL_ELIMIT). nov >= 2. */
int sl_qtext_rx_next(const sl_qregex_t *re,
                     const char *s,
                     size_t n,
                     sl_qtext_rx_iter_t *it,
                     size_t *ov,
                     size_t nov,
                     sl_qrt_t *rt);

/* Analyses `pat` conservatively: whatever it reports is truly required; a
 * pattern it does not understand yields nalts == 0. */
void sl_qrelit_analyse(sl_pool_t *pool, const char *pat, size_t n, bool icase, sl_qrelit_t *out);

/* ------------------------------------------------------------------------ */
/* The functions (bind and eval of each family, listed in fn_text_reg.c)    */
/* ------------------------------------------------------------------------ */

#define SL_QTEXT_DECLARE(f)                                                                        \
    int sl_query__txt_##f##_bind(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d);  \
    int sl_query__txt_##f##_eval(                                                                  \
      const sl_qcall_t *call, sl_qvec_t *const *args, size_t n, sl_qvec_t **out, sl_qrt_t *rt);
SL_QTEXT_DECLARE(ops)
SL_QTEXT_DECLARE(in)
SL_QTEXT_DECLARE(hasany)
SL_QTEXT_DECLARE(between)
SL_QTEXT_DECLARE(member)
SL_QTEXT_DECLARE(index)
SL_QTEXT_DECLARE(strcat)
SL_QTEXT_DECLARE(strcat_array)
SL_QTEXT_DECLARE(split)
SL_QTEXT_DECLARE(measure)
SL_QTEXT_DECLARE(substring)
SL_QTEXT_DECLARE(reverse)
SL_QTEXT_DECLARE(case)
SL_QTEXT_DECLARE(indexof)
SL_QTEXT_DECLARE(replace_string)
SL_QTEXT_DECLARE(countof)
SL_QTEXT_DECLARE(parse_json)
SL_QTEXT_DECLARE(array_length)
SL_QTEXT_DECLARE(pack)
SL_QTEXT_DECLARE(pack_array)
SL_QTEXT_DECLARE(bag_keys)
SL_QTEXT_DECLARE(matches)
SL_QTEXT_DECLARE(extract)
SL_QTEXT_DECLARE(extract_all)
SL_QTEXT_DECLARE(replace_regex)
SL_QTEXT_DECLARE(trim)
#undef SL_QTEXT_DECLARE

#endif /* SL_QUERY_FN_TEXT_INT_H */
