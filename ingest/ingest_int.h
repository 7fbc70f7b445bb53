/*
 * ingest — internals shared by the files of the ingest module.
 *
 * Each section below belongs to one part of the module and is self-contained.
 * Nothing here is for other modules: they use ingest/ingest.h.
 */
#ifndef SL_INGEST_INT_H
#define SL_INGEST_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"

/* ======================================================================== */
/* JSON scanner (json.c, json_str.c, json_num.c, json_keys.c,              */
/* json_compact.c)                                                          */
/* ======================================================================== */

/*
 * A strict RFC 8259 JSON scanner for request bodies. One pass over the input
 * produces a *tape*: a flat array of tokens in document order that point back
 * into the input (zero copy). Strings are validated (escapes, surrogate pairs,
 * UTF-8) but not decoded; callers decode the few they need with
 * sl_json_string() or compare them in place with sl_json_string_eq().
 *
 * Reading the tape:
 *
 *   [{"a":1,"b":[true,"x"]}]
 *
 *   i  type    span             count  end
 *   0  ARRAY   [{...}]          1      7
 *   1  OBJECT  {"a":1,...}      2      7
 *   2  STRING  a                0      3     key
 *   3  NUMBER  1                0      4     value
 *   4  STRING  b                0      5     key
 *   5  ARRAY   [true,"x"]       2      7     value
 *   6  TRUE    true             0      7
 *
 * An object's members are a STRING token (the key) followed by the value's
 * token(s); `end` jumps over a whole subtree, so the members of the object at
 * `o` are visited with
 *
 *   for (size_t k = o + 1; k < d->tok[o].end; k = sl_json_next(d, k + 1))
 *       key = &d->tok[k], value index = k + 1
 *
 * and the elements of the array at `a` with
 *
 *   for (size_t e = a + 1; e < d->tok[a].end; e = sl_json_next(d, e))
 *
 * Thread safety: a doc is used by one thread at a time; a parsed doc may be
 * read (every function taking a const doc) from several threads at once.
 */

typedef enum {
    SL_JSON_NULL = 1,
    SL_JSON_FALSE,
    SL_JSON_TRUE,
    SL_JSON_NUMBER,
    SL_JSON_STRING,
    SL_JSON_ARRAY,
    SL_JSON_OBJECT
} sl_json_type_t;

enum {
    SL_JSON_F_ESCAPED = 1, /* string contains backslash escapes */
    SL_JSON_F_INT = 2,     /* number literal has no fraction or exponent */
    SL_JSON_F_NONASCII = 4 /* string has bytes >= 0x80 (valid UTF-8) */
};

/* One token of the tape (20 bytes). Offsets are byte offsets into the input,
 * which is why inputs are limited to 4 GiB - 1. */
typedef struct sl_json_tok {
    uint8_t type;  /* sl_json_type_t */
    uint8_t flags; /* SL_JSON_F_* */
    uint32_t off;  /* start of the span in the input */
    uint32_t len;  /* span length: string content without the quotes; number
                      text; literal text; container from its opening to its
                      closing bracket inclusive */
    uint32_t count; /* containers: elements (array) or members (object); else 0 */
    uint32_t end;   /* index of the first token after this value's subtree
                       (containers: after their last descendant; others: i + 1) */
} sl_json_tok_t;

/* Parse limits. A zero field means its default: depth 64, tokens unlimited
 * (the input length bounds them: every token consumes at least one byte). */
typedef struct sl_json_limits {
    uint32_t max_depth; /* nesting of arrays/objects; a top-level scalar is depth 0 */
    size_t max_tokens;  /* tape length */
} sl_json_limits_t;

#define SL_JSON_DEFAULT_DEPTH 64u

/*
 * A parsed document. `src`, `len`, `tok` and `ntok` are the result; the
 * rest is scratch memory kept between parses so that a reused doc parses
 * without allocating. The doc borrows `src`: the input must outlive every
 * use of the tape.
 */
typedef struct sl_json_doc {
    const char *src;
    size_t len;
    sl_json_tok_t *tok;
    size_t ntok, cap;
    /* internal scratch, reused across parses */
    uint32_t *stack; /* open containers (token indices) */
    uint32_t *keys;  /* per open container: its first keys, 2 words each */
    size_t stack_cap;
    uint64_t *hash; /* duplicate-key table for large objects */
    size_t hash_cap;
    sl_buf_t tmp;       /* decoded keys for hashing and comparison */
    uint64_t seed[2];   /* SipHash key for the duplicate-key table */
    bool seeded;
} sl_json_doc_t;

/* Prepares an empty doc (no allocation). */
void sl_json_doc_init(sl_json_doc_t *d);
/* Frees the tape and scratch memory; the doc may be initialised again. */
void sl_json_doc_dispose(sl_json_doc_t *d);

/*
 * Parses src[0..len) (not NUL-terminated; it may contain NUL bytes, which are
 * errors outside strings and must be written \u0000 inside them) into the
 * tape of `d`, replacing any previous result; the tape memory is kept and
 * reused. `lim` may be NULL for the defaults.
 *
 * Returns 0, or:
 *   SL_EPARSE  malformed JSON (see the rules atop json.c),
 *   SL_ELIMIT  nesting deeper than max_depth, more than max_tokens tokens,
 *              or an input longer than 4 GiB - 1,
 *   SL_ENOMEM  the tape could not grow,
 * with `diag` set to "<what> at byte N" (N counts from 0), e.g.
 * "expected ',' or ']' at byte 1234", "duplicate key \"host\" at byte 88".
 * On failure the tape is unspecified (ntok is 0 or partial) and must not be
 * read.
 */
int sl_json_parse(sl_json_doc_t *d, const char *src, size_t len, const sl_json_limits_t *lim,
                  sl_diag_t *diag);

/* Index of the token after value i and its whole subtree. */
static inline size_t sl_json_next(const sl_json_doc_t *d, size_t i)
{
    return d->tok[i].end;
}

/*
 * Appends the decoded content of STRING token `t` (escapes resolved, \u
 * escapes and surrogate pairs turned into UTF-8) to `out`; a \u0000 escape
 * becomes a NUL byte. The result is never longer than t->len. Other token
 * types append nothing. Aborts on OOM like sl_buf_append: the output is no
 * larger than the input the caller already holds.
 */
void sl_json_string(const sl_json_doc_t *d, const sl_json_tok_t *t, sl_buf_t *out);

/* True if STRING token `t` decodes to exactly s[0..n). No allocation. */
bool sl_json_string_eq(const sl_json_doc_t *d, const sl_json_tok_t *t, const char *s, size_t n);

/*
 * Converts NUMBER token `t` to the nearest double (correctly rounded, as
 * strtod in the C locale). Returns 0; SL_ELIMIT if the magnitude overflows
 * (e.g. 1e400; *out is then ±HUGE_VAL); SL_EINVAL if `t` is not a number;
 * SL_ENOMEM if a very long literal (> 128 bytes) cannot be copied.
 * Underflow rounds to a subnormal or zero and is not an error.
 */
int sl_json_number_double(const sl_json_doc_t *d, const sl_json_tok_t *t, double *out);

/*
 * Converts NUMBER token `t` to int64. Only integer literals qualify (no
 * fraction or exponent, flag SL_JSON_F_INT): "1.0" and "1e3" fail. Returns 0,
 * SL_ELIMIT for a non-integer literal or a value outside int64, SL_EINVAL if
 * `t` is not a number.
 */
int sl_json_number_i64(const sl_json_doc_t *d, const sl_json_tok_t *t, int64_t *out);

/*
 * Appends the minified JSON text of the value at token index i: containers
 * without insignificant whitespace, strings with their quotes and escapes
 * exactly as in the input, numbers and literals verbatim. The result is
 * valid JSON that parses to the same tape shape. Aborts on OOM like
 * sl_buf_append (the output is never longer than the value's span).
 */
void sl_json_compact(const sl_json_doc_t *d, size_t i, sl_buf_t *out);

/* --- internals of the scanner, shared between its files ------------------ */

/* Validates UTF-8 in p[0..n) (RFC 3629: no overlongs, no surrogates, nothing
 * above U+10FFFF, no truncated sequences). Returns n if valid, else the offset
 * of the first byte of the first invalid sequence. */
size_t sl_ingest__utf8_check(const uint8_t *p, size_t n);

/* Encodes code point cp (<= 0x10FFFF, not a surrogate) as UTF-8 into out;
 * returns the length (1..4). */
size_t sl_ingest__utf8_put(uint32_t cp, uint8_t out[4]);

/* Decodes the validated escape at p (p[0] == '\\') into UTF-8 in out[0..4);
 * sets *used to the input bytes consumed (2, 6 or 12) and returns the number
 * of output bytes. */
size_t sl_ingest__json_unescape(const uint8_t *p, size_t *used, uint8_t out[4]);

/* True if STRING tokens a and b of `d` decode to the same bytes. Uses
 * d->tmp when both are escaped; returns SL_ENOMEM through *err if that fails. */
bool sl_ingest__json_key_eq(sl_json_doc_t *d, const sl_json_tok_t *a, const sl_json_tok_t *b,
                            int *err);

/* Checks the object at token index `o` (closed, with more members than the
 * linear check covers) for duplicate keys with a keyed hash table. Returns 0,
 * or sets diag and returns SL_EPARSE (duplicate) or SL_ENOMEM. */
int sl_ingest__json_dup_hash(sl_json_doc_t *d, size_t o, sl_diag_t *diag);

/* Sets diag to "duplicate key \"<raw key text>\" at byte N" for key token k
 * and returns SL_EPARSE. */
int sl_ingest__json_dup_error(const sl_json_doc_t *d, const sl_json_tok_t *k, sl_diag_t *diag);

/* Objects with more members than this are checked for duplicates by hashing
 * at their close; smaller ones by comparing each new key with the previous. */
#define SL_INGEST__JSON_LINEAR_KEYS 16u

/* ======================================================================== */
/* Value conversion (values.c), shared by dc.c and li.c                      */
/* ======================================================================== */

#include "ingest/ingest.h"

/* A JSON value converted to a column type. Text may point into the input,
 * into `tmp`, or into `guid`: push it before converting the next value. */
typedef struct sl_ingest_val {
    sl_type_t type;
    const char *text;
    size_t len;
    int64_t i;
    double f;
    bool b;
    char guid[37];
} sl_ingest_val_t;

bool sl_ingest__guid_text(const char *s, size_t n, char canonical[37]);
bool sl_ingest__datetime_text(const char *s, size_t n, sl_ticks_t *out);
bool sl_ingest__number_text(const char *s, size_t n, double *out);
size_t sl_ingest__utf8_cut(const char *s, size_t n, size_t max);
/* Converts the value at token vi to `type`; false if it does not convert. */
bool sl_ingest__convert(const sl_json_doc_t *doc, size_t vi, sl_type_t type, size_t field_max,
                        sl_ingest_val_t *v, sl_buf_t *tmp);
void sl_ingest__push(sl_col_t *c, const sl_ingest_val_t *v);

#endif /* SL_INGEST_INT_H */
