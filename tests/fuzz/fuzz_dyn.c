/*
 * Fuzzes dynamic values (query/dyn.c): sl_qdyn_compact on arbitrary bytes,
 * which is what parse_json() does with a user's string, and navigation
 * (sl_qdyn_kind, _member, _index, _array_length) over what it makes.
 *
 * Invariants:
 *  - a failure is SL_EPARSE and leaves the output buffer as it was (the
 *    compactor appends: text already in the buffer stays);
 *  - a success is compact JSON: no whitespace outside strings, no raw
 *    control byte inside them, and compacting it again gives itself;
 *  - navigation stays inside the compact text, with edge indexes too (the
 *    text is copied to a buffer of its exact size, so ASan sees any read
 *    past it). Navigation trusts its input to be valid (dyn.c's design
 *    note): it is only ever given text that was compacted or validated,
 *    so it is not run on the raw input;
 *  - differential against jansson (JSON_DECODE_ANY | JSON_ALLOW_NUL) on
 *    the compact text: same kind at the top and in every container;
 *    sl_qdyn_member finds every key jansson sees (duplicates: the last one
 *    wins in both) with an equal value, and no key jansson does not see;
 *    sl_qtext_dyn_member (the allocation-free lookup queries use) finds
 *    exactly what sl_qdyn_member finds; sl_qdyn_array_length is jansson's
 *    size, sl_qdyn_index(i) and sl_qtext_dyn_each's i-th call jansson's
 *    element i, negative indexes count from the end, and every value found
 *    is itself compact text;
 *  - accept/reject agrees with jansson on the input itself.
 * The comparison skips what jansson refuses although it is valid JSON or
 * what dyn.c keeps on purpose: numbers outside int64/double
 * (json_error_numeric_overflow), "\u0000" in object keys (C-string keys),
 * bytes that are not UTF-8 (dyn.c copies string bytes as they are; the
 * result writer replaces them), lone surrogates (dyn.c writes U+FFFD), and
 * nesting past dyn.c's limit of 128.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "query/fn_text_int.h"

#define CHECK(cond)                                                                            \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            abort();                                                                           \
        }                                                                                      \
    } while (0)

#define LOAD_FLAGS (JSON_DECODE_ANY | JSON_ALLOW_NUL)

static void in_bounds(const char *s, size_t n, const char *v, size_t vn)
{
    CHECK(v >= s && vn <= n && (size_t)(v - s) <= n - vn);
}

/* Both member lookups, which must agree. */
static bool member(const char *s, size_t n, const char *key, size_t kn, const char **v, size_t *vn)
{
    const char *w = NULL;
    size_t wn = 0;
    sl_buf_t scratch = SL_BUF_INIT;
    bool a = sl_qdyn_member(s, n, key, kn, v, vn);
    bool b = sl_qtext_dyn_member(s, n, key, kn, &w, &wn, &scratch);
    CHECK(a == b && (!a || (w == *v && wn == *vn)));
    sl_buf_dispose(&scratch);
    return a;
}

/* Collects sl_qtext_dyn_each's elements. */
typedef struct elems {
    const char *v[64];
    size_t vn[64];
    size_t n;
} elems_t;

static void on_elem(void *arg, const char *e, size_t en)
{
    elems_t *x = arg;
    if (x->n < 64) {
        x->v[x->n] = e;
        x->vn[x->n] = en;
    }
    x->n++;
}

/* Edge indexes and keys: no answer may point outside the text. */
static void navigate_edges(const char *s, size_t n)
{
    (void)sl_qdyn_kind(s, n);
    int64_t len = sl_qdyn_array_length(s, n);
    CHECK(len == -1 || (len >= 0 && (uint64_t)len <= n));
    static const int64_t idx[] = { 0, 1, 2, -1, -2, INT64_MIN, INT64_MAX };
    for (size_t k = 0; k < sizeof idx / sizeof idx[0]; k++) {
        const char *v;
        size_t vn;
        if (sl_qdyn_index(s, n, idx[k], &v, &vn))
            in_bounds(s, n, v, vn);
    }
    static const char *const keys[] = { "", "a", "b", "\"" };
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        const char *v;
        size_t vn;
        if (member(s, n, keys[k], strlen(keys[k]), &v, &vn))
            in_bounds(s, n, v, vn);
    }
}

/* s[0..n) is compact: no whitespace between tokens, no control bytes in
 * strings, and compacting it changes nothing. */
static void check_compact(const char *s, size_t n)
{
    bool str = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (str) {
            CHECK(c >= 0x20);
            if (c == '\\')
                i++;
            else if (c == '"')
                str = false;
        } else {
            CHECK(c != ' ' && c != '\t' && c != '\n' && c != '\r');
            str = c == '"';
        }
    }
    CHECK(!str);
    sl_buf_t again = SL_BUF_INIT;
    CHECK(sl_qdyn_compact(s, n, &again) == 0);
    CHECK(again.len == n && memcmp(again.data, s, n) == 0);
    sl_buf_dispose(&again);
}

static sl_qdyn_kind_t kind_of(const json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_OBJECT: return SL_QDYN_OBJECT;
    case JSON_ARRAY: return SL_QDYN_ARRAY;
    case JSON_STRING: return SL_QDYN_STRING;
    case JSON_INTEGER:
    case JSON_REAL: return SL_QDYN_NUMBER;
    case JSON_TRUE:
    case JSON_FALSE: return SL_QDYN_BOOL;
    default: return SL_QDYN_NULL;
    }
}

static void check_tree(const char *s, size_t n, const json_t *j, size_t *budget);

/* A value found by navigation: compact, and equal to jansson's. */
static void check_found(const char *s, size_t n, const char *v, size_t vn, const json_t *want,
                        size_t *budget)
{
    in_bounds(s, n, v, vn);
    /* Elements of a compact document are compact documents. */
    sl_buf_t c = SL_BUF_INIT;
    CHECK(sl_qdyn_compact(v, vn, &c) == 0 && c.len == vn && memcmp(c.data, v, vn) == 0);
    sl_buf_dispose(&c);
    json_t *got = json_loadb(v, vn, LOAD_FLAGS, NULL);
    CHECK(got && json_equal(got, want));
    json_decref(got);
    check_tree(v, vn, want, budget);
}

/* Kind, members, length and elements of s against jansson's j. */
static void check_tree(const char *s, size_t n, const json_t *j, size_t *budget)
{
    if (*budget == 0)
        return;
    (*budget)--;
    CHECK(sl_qdyn_kind(s, n) == kind_of(j));
    const char *v;
    size_t vn;
    if (json_is_object(j)) {
        CHECK(sl_qdyn_array_length(s, n) == -1);
        CHECK(!sl_qdyn_index(s, n, 0, &v, &vn));
        const char *key;
        size_t kn;
        json_t *val;
        sl_buf_t other = SL_BUF_INIT;
        json_object_keylen_foreach((json_t *)j, key, kn, val)
        {
            CHECK(member(s, n, key, kn, &v, &vn));
            check_found(s, n, v, vn, val, budget);
            /* A key with one more byte is not there unless jansson has it. */
            sl_buf_reset(&other);
            sl_buf_append(&other, key, kn);
            sl_buf_putc(&other, 'x');
            bool has = json_object_getn(j, other.data, other.len) != NULL;
            CHECK(member(s, n, other.data, other.len, &v, &vn) == has);
        }
        sl_buf_dispose(&other);
        CHECK(!member(s, n, "\x01", 1, &v, &vn) || json_object_getn(j, "\x01", 1));
    } else if (json_is_array(j)) {
        int64_t len = (int64_t)json_array_size(j);
        CHECK(sl_qdyn_array_length(s, n) == len);
        CHECK(!member(s, n, "a", 1, &v, &vn));
        elems_t each = { .n = 0 };
        CHECK(sl_qtext_dyn_each(s, n, on_elem, &each) && each.n == (size_t)len);
        for (int64_t i = 0; i < len; i++) {
            CHECK(sl_qdyn_index(s, n, i, &v, &vn));
            CHECK(i >= 64 || (each.v[i] == v && each.vn[i] == vn));
            check_found(s, n, v, vn, json_array_get(j, (size_t)i), budget);
            const char *w;
            size_t wn;
            CHECK(sl_qdyn_index(s, n, i - len, &w, &wn) && w == v && wn == vn);
        }
        CHECK(!sl_qdyn_index(s, n, len, &v, &vn));
        CHECK(!sl_qdyn_index(s, n, -len - 1, &v, &vn));
    } else {
        CHECK(sl_qdyn_array_length(s, n) == -1);
        CHECK(!member(s, n, "a", 1, &v, &vn));
        CHECK(!sl_qdyn_index(s, n, 0, &v, &vn));
    }
    if (!json_is_array(j)) {
        elems_t each = { .n = 0 };
        CHECK(!sl_qtext_dyn_each(s, n, on_elem, &each) && each.n == 0);
    }
}

/* What jansson refuses although dyn.c is right to accept it. */
static bool jansson_deviates(const json_error_t *e)
{
    enum json_error_code c = json_error_code(e);
    return c == json_error_numeric_overflow || c == json_error_null_byte_in_key ||
           c == json_error_invalid_utf8 || strstr(e->text, "surrogate") ||
           strstr(e->text, "invalid Unicode");
}

static bool depth_over(const char *s, size_t n, int max)
{
    int depth = 0;
    bool str = false;
    for (size_t i = 0; i < n; i++) {
        if (str) {
            if (s[i] == '\\')
                i++;
            else if (s[i] == '"')
                str = false;
        } else if (s[i] == '"') {
            str = true;
        } else if (s[i] == '[' || s[i] == '{') {
            if (++depth > max)
                return true;
        } else if (s[i] == ']' || s[i] == '}') {
            depth--;
        }
    }
    return false;
}

/* UBSan reports and carries on by default: stop at the first report, so
 * undefined behaviour fails the run (UBSAN_OPTIONS still overrides). */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
    return "halt_on_error=1:print_stacktrace=1";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 8192)
        return 0;
    char *in = malloc(size ? size : 1);
    memcpy(in, data, size);

    sl_buf_t out = SL_BUF_INIT;
    sl_buf_puts(&out, "[prefix]");
    int rc = sl_qdyn_compact(in, size, &out);
    json_error_t jerr;
    json_t *jin = json_loadb(in, size, LOAD_FLAGS, &jerr);
    if (rc != 0) {
        CHECK(rc == SL_EPARSE && out.len == 8 && !memcmp(out.data, "[prefix]", 8));
        /* jansson accepts no more, bar dyn.c's nesting limit, and NUL
         * bytes after a number or literal, which jansson's lexer loses
         * (see fuzz_json.c) but RFC 8259 does not allow. */
        CHECK(!jin || depth_over(in, size, 128) || memchr(in, '\0', size));
    } else {
        CHECK(out.len > 8 && !memcmp(out.data, "[prefix]", 8));
        const char *s = out.data + 8;
        size_t n = out.len - 8;
        char *c = malloc(n); /* exact size: ASan sees any read past it */
        memcpy(c, s, n);
        check_compact(c, n);
        navigate_edges(c, n);
        CHECK(jin || jansson_deviates(&jerr));
        json_error_t cerr;
        json_t *j = json_loadb(c, n, LOAD_FLAGS, &cerr);
        CHECK(j || jansson_deviates(&cerr));
        if (j) {
            CHECK(!jin || json_equal(j, jin));
            size_t budget = 512;
            check_tree(c, n, j, &budget);
            json_decref(j);
        }
        free(c);
    }
    json_decref(jin);
    sl_buf_dispose(&out);
    free(in);
    return 0;
}
