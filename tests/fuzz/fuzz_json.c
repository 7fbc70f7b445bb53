/*
 * Fuzzes the ingest JSON scanner (ingest/json*.c) on arbitrary bytes, with
 * small limits so that deep and wide inputs reach the limit paths.
 *
 * On success it checks the tape: every span inside the input and pointing
 * at the right bytes, end indices consistent with sl_json_next, counts equal
 * to the children found by walking, flags matching the text, decoded
 * strings valid and equal to themselves by sl_json_string_eq, and the
 * compacted text parsing again to the same tape shape. On failure it checks
 * the message names a byte inside the input.
 *
 * Differential: jansson (JSON_DECODE_ANY | JSON_REJECT_DUPLICATES |
 * JSON_ALLOW_NUL) must agree on accept/reject, and where both accept, on
 * every value: types, decoded strings, object keys, integers, and doubles
 * bit for bit. Two classes of input are excluded because jansson deviates
 * from RFC 8259 there, not because the scanner does:
 *   - numbers jansson cannot represent (integers outside int64, reals that
 *     overflow a double): RFC 8259 section 6 allows any magnitude in the
 *     text; jansson refuses the document (json_error_numeric_overflow);
 *   - object keys containing \u0000: valid JSON, but jansson's keys are C
 *     strings, so it refuses them (json_error_null_byte_in_key).
 * And one class is adjusted rather than skipped: jansson's lexer reads one
 * byte past a number or a literal and pushes it back, and a pushed-back NUL
 * byte is lost, so it accepts "[1\0]" and "true\0" as if the NUL were not
 * there. RFC 8259 allows no NUL outside strings, and the scanner rejects
 * them. When the scanner's error is exactly such a NUL (right after a
 * number or literal), the scanner reads the input again with that byte
 * turned into a space, which is what jansson's lexer makes of it (the token
 * ends there, the next one starts after it; deleting the byte instead would
 * merge "2\0" "2" into 22). Only the one byte after each token is affected.
 * Inputs over our limits (SL_ELIMIT) are not compared.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest_int.h"

#define CHECK(cond)                                                                            \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            abort();                                                                           \
        }                                                                                      \
    } while (0)

static const sl_json_limits_t limits = { .max_depth = 32, .max_tokens = 4096 };

/* Checks token i and its subtree; returns the index after it. */
static size_t check_tape(const sl_json_doc_t *d, size_t i, const uint8_t *src, size_t size)
{
    const sl_json_tok_t *t = &d->tok[i];
    CHECK(i < d->ntok);
    CHECK(t->end > i && t->end <= d->ntok && sl_json_next(d, i) == t->end);
    CHECK((size_t)t->off + t->len <= size);
    const uint8_t *s = src + t->off;
    switch (t->type) {
    case SL_JSON_NULL:
        CHECK(t->len == 4 && memcmp(s, "null", 4) == 0);
        break;
    case SL_JSON_TRUE:
        CHECK(t->len == 4 && memcmp(s, "true", 4) == 0);
        break;
    case SL_JSON_FALSE:
        CHECK(t->len == 5 && memcmp(s, "false", 5) == 0);
        break;
    case SL_JSON_NUMBER: {
        CHECK(t->len > 0);
        bool intlike = true;
        for (size_t k = 0; k < t->len; k++) {
            CHECK(strchr("-+0123456789.eE", s[k]) != NULL && s[k] != '\0');
            intlike = intlike && s[k] != '.' && s[k] != 'e' && s[k] != 'E';
        }
        CHECK(intlike == ((t->flags & SL_JSON_F_INT) != 0));
        CHECK((t->flags & ~SL_JSON_F_INT) == 0);
        break;
    }
    case SL_JSON_STRING: {
        CHECK(t->off >= 1 && s[-1] == '"' && (size_t)t->off + t->len < size && s[t->len] == '"');
        bool esc = memchr(s, '\\', t->len) != NULL, high = false;
        for (size_t k = 0; k < t->len; k++) {
            high = high || s[k] >= 0x80;
            CHECK(s[k] >= 0x20);
        }
        CHECK(esc == ((t->flags & SL_JSON_F_ESCAPED) != 0));
        CHECK(high == ((t->flags & SL_JSON_F_NONASCII) != 0));
        CHECK(sl_ingest__utf8_check(s, t->len) == t->len);
        break;
    }
    case SL_JSON_ARRAY:
    case SL_JSON_OBJECT: {
        bool obj = t->type == SL_JSON_OBJECT;
        CHECK(t->len >= 2 && s[0] == (obj ? '{' : '[') && s[t->len - 1] == (obj ? '}' : ']'));
        size_t n = 0, j = i + 1;
        while (j < t->end) {
            const sl_json_tok_t *c = &d->tok[j];
            CHECK(c->off > t->off && (size_t)c->off + c->len < (size_t)t->off + t->len);
            if (obj && n % 2 == 0) {
                CHECK(c->type == SL_JSON_STRING);
            }
            j = check_tape(d, j, src, size);
            n++;
        }
        CHECK(j == t->end);
        CHECK(obj ? n % 2 == 0 && n / 2 == t->count : n == t->count);
        return t->end;
    }
    default:
        abort();
    }
    CHECK(t->end == i + 1 && t->count == 0);
    return t->end;
}

/* Decoded strings must be valid UTF-8 and equal themselves; numbers must
 * convert or report range. */
static void check_values(const sl_json_doc_t *d, sl_buf_t *tmp)
{
    for (size_t i = 0; i < d->ntok; i++) {
        const sl_json_tok_t *t = &d->tok[i];
        if (t->type == SL_JSON_STRING) {
            sl_buf_reset(tmp);
            sl_json_string(d, t, tmp);
            CHECK(tmp->len <= t->len);
            CHECK(sl_ingest__utf8_check((const uint8_t *)tmp->data, tmp->len) == tmp->len);
            CHECK(sl_json_string_eq(d, t, tmp->data, tmp->len));
            if (tmp->len > 0) {
                CHECK(!sl_json_string_eq(d, t, tmp->data, tmp->len - 1));
            }
        } else if (t->type == SL_JSON_NUMBER) {
            double v;
            int64_t w;
            int rc = sl_json_number_double(d, t, &v);
            CHECK(rc == 0 || rc == SL_ELIMIT);
            rc = sl_json_number_i64(d, t, &w);
            CHECK(rc == 0 || rc == SL_ELIMIT);
            CHECK(rc == SL_ELIMIT || (t->flags & SL_JSON_F_INT));
        }
    }
}

/* The compacted document parses again to the same tape shape. */
static void check_compact(const sl_json_doc_t *d, sl_buf_t *out)
{
    sl_buf_reset(out);
    sl_json_compact(d, 0, out);
    CHECK(out->len <= d->len);
    sl_json_doc_t e;
    sl_json_doc_init(&e);
    sl_diag_t diag;
    CHECK(sl_json_parse(&e, out->data, out->len, &limits, &diag) == 0);
    CHECK(e.ntok == d->ntok);
    for (size_t i = 0; i < d->ntok; i++) {
        const sl_json_tok_t *a = &d->tok[i], *b = &e.tok[i];
        CHECK(a->type == b->type && a->flags == b->flags && a->count == b->count &&
              a->end == b->end);
        if (a->type != SL_JSON_ARRAY && a->type != SL_JSON_OBJECT) {
            CHECK(a->len == b->len && memcmp(d->src + a->off, e.src + b->off, a->len) == 0);
        }
    }
    sl_json_doc_dispose(&e);
}

/* Token i and jansson value j hold the same data. */
static size_t same_as_jansson(const sl_json_doc_t *d, size_t i, const json_t *j, sl_buf_t *tmp)
{
    const sl_json_tok_t *t = &d->tok[i];
    switch (t->type) {
    case SL_JSON_NULL:
        CHECK(json_is_null(j));
        break;
    case SL_JSON_TRUE:
        CHECK(json_is_true(j));
        break;
    case SL_JSON_FALSE:
        CHECK(json_is_false(j));
        break;
    case SL_JSON_NUMBER:
        if (t->flags & SL_JSON_F_INT) {
            int64_t v;
            CHECK(json_is_integer(j));
            CHECK(sl_json_number_i64(d, t, &v) == 0 && v == json_integer_value(j));
        } else {
            double v, w = json_real_value(j);
            CHECK(json_is_real(j));
            CHECK(sl_json_number_double(d, t, &v) == 0 && memcmp(&v, &w, sizeof v) == 0);
        }
        break;
    case SL_JSON_STRING:
        CHECK(json_is_string(j));
        sl_buf_reset(tmp);
        sl_json_string(d, t, tmp);
        CHECK(tmp->len == json_string_length(j));
        CHECK(memcmp(tmp->data, json_string_value(j), tmp->len) == 0);
        break;
    case SL_JSON_ARRAY: {
        CHECK(json_is_array(j) && json_array_size(j) == t->count);
        size_t k = i + 1;
        for (size_t n = 0; n < t->count; n++) {
            k = same_as_jansson(d, k, json_array_get(j, n), tmp);
        }
        break;
    }
    case SL_JSON_OBJECT: {
        CHECK(json_is_object(j) && json_object_size(j) == t->count);
        for (size_t k = i + 1; k < t->end; k = sl_json_next(d, k + 1)) {
            sl_buf_reset(tmp);
            sl_json_string(d, &d->tok[k], tmp);
            const json_t *v = json_object_getn(j, tmp->data, tmp->len);
            CHECK(v != NULL);
            same_as_jansson(d, k + 1, v, tmp);
        }
        break;
    }
    default:
        abort();
    }
    return t->end;
}

/*
 * If the scanner rejected `data` at a NUL byte right after a number or a
 * literal (which jansson would have dropped), returns that byte's offset;
 * else SIZE_MAX.
 */
static size_t jansson_dropped_nul(const uint8_t *data, size_t size, const sl_diag_t *diag)
{
    const char *found = strstr(diag->msg, ", found byte 0x00 at byte ");
    if (!found || strncmp(diag->msg, "expected ", 9) != 0) {
        return SIZE_MAX;
    }
    size_t at = strtoull(found + 26, NULL, 10);
    if (at == 0 || at >= size || data[at] != 0) {
        return SIZE_MAX;
    }
    uint8_t prev = data[at - 1]; /* last byte of a number, true, false or null */
    return (prev >= '0' && prev <= '9') || prev == 'e' || prev == 'l' ? at : SIZE_MAX;
}

/* Parses with both and compares. jansson always reads the original input;
 * the scanner reads it with the NULs jansson drops turned into spaces. */
static void differential(const uint8_t *data, size_t size, sl_buf_t *tmp)
{
    sl_json_doc_t d;
    sl_json_doc_init(&d);
    sl_diag_t diag = { 0 };
    const uint8_t *p = data;
    uint8_t *view = NULL;
    int rc;
    for (;;) {
        rc = sl_json_parse(&d, (const char *)p, size, &limits, &diag);
        size_t drop = rc == SL_EPARSE ? jansson_dropped_nul(p, size, &diag) : SIZE_MAX;
        if (drop == SIZE_MAX) {
            break;
        }
        if (!view) {
            view = malloc(size);
            CHECK(view != NULL);
            memcpy(view, data, size);
            p = view;
        }
        view[drop] = ' '; /* the next error, if any, is further on */
    }
    if (rc != SL_ELIMIT) {
        json_error_t err;
        json_t *j = json_loadb((const char *)data, size,
                               JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &err);
        if (rc == 0 && !j) {
            enum json_error_code c = json_error_code(&err);
            CHECK(c == json_error_numeric_overflow || c == json_error_null_byte_in_key);
        } else if (rc == 0) {
            CHECK(same_as_jansson(&d, 0, j, tmp) == d.ntok);
        } else {
            CHECK(j == NULL); /* we rejected what jansson accepted */
        }
        json_decref(j);
    }
    sl_json_doc_dispose(&d);
    free(view);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sl_json_doc_t d;
    sl_json_doc_init(&d);
    sl_diag_t diag = { 0 };
    sl_buf_t tmp = SL_BUF_INIT;
    int rc = sl_json_parse(&d, (const char *)data, size, &limits, &diag);
    if (rc == 0) {
        CHECK(d.ntok >= 1 && check_tape(&d, 0, data, size) == d.ntok);
        check_values(&d, &tmp);
        check_compact(&d, &tmp);
    } else {
        CHECK(rc == SL_EPARSE || rc == SL_ELIMIT);
        CHECK(diag.code == rc);
        const char *at = strstr(diag.msg, " at byte ");
        CHECK(at != NULL);
        CHECK(strtoull(at + 9, NULL, 10) <= size);
    }
    sl_json_doc_dispose(&d);
    differential(data, size, &tmp);
    sl_buf_dispose(&tmp);
    return 0;
}
