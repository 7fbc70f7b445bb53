/*
 * HTTP Data Collector API bodies → batches (PROTOCOLS.md §1.4–1.6).
 *
 * Each property becomes a column named after it plus a type suffix:
 * _s string, _d real (every JSON number), _b bool, _t datetime (an ISO 8601
 * date-time string), _g GUID (canonical text). Names are sanitised to
 * [A-Za-z0-9_] and cut to fit 45 characters with the suffix.
 *
 * Against an existing table, a value goes to an existing column of the same
 * base name when it converts to that column's type ("42" fits foo_d, 42 fits
 * foo_s); only if none fits is a new column created (foo_d next to foo_b).
 * Columns are tried in the table's order of creation.
 *
 * Nulls are dropped; nested objects and arrays are stored as compact JSON
 * text in _s columns; values over 32 KB are truncated on a character
 * boundary. TimeGenerated comes from the time-generated-field when it holds
 * a date-time within [received − 2 days, received + 1 day], else it is the
 * time of receipt.
 */
#include "ingest/ingest_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define WINDOW_BEFORE (2 * SL_TICKS_PER_DAY)
#define WINDOW_AFTER (1 * SL_TICKS_PER_DAY)

/* Decisions made for a (raw key, inferred suffix) pair, reused for the next
 * records: most posts repeat the same keys, and the slow path (sanitising,
 * looking through existing columns, formatting names) then runs once. */
typedef struct decision {
    uint32_t key_off, key_len; /* the key as first seen, in the input */
    char want;                 /* inferred suffix; 0 = empty slot */
    char x;                    /* suffix of the chosen column; 0 = property skipped */
    int col;                   /* column index in the batch */
} decision_t;

typedef struct dc {
    const sl_dc_req_t *r;
    decision_t *cache;
    size_t cache_cap, cache_n;
    const sl_table_def_t *existing;
    sl_batch_t *b;
    sl_json_doc_t doc;
    sl_buf_t tmp, key, name;
    size_t new_cols; /* columns this batch adds to the table */
    sl_ticks_t inferred_time; /* infer() parsed a 't' value: here it is */
    int tg, rid, recv, billed;
    sl_ingest_err_t *e;
} dc_t;

static int fail(dc_t *c, int http, const char *code, const char *fmt, ...) SL_PRINTF(4, 5);
static int fail(dc_t *c, int http, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->e->msg, sizeof c->e->msg, fmt, ap);
    va_end(ap);
    c->e->http = http;
    c->e->code = code;
    return SL_EPARSE;
}

static sl_type_t suffix_type(char s)
{
    switch (s) {
    case 's':
    case 'g':
        return SL_TYPE_STRING;
    case 'd':
        return SL_TYPE_REAL;
    case 'b':
        return SL_TYPE_BOOL;
    case 't':
        return SL_TYPE_DATETIME;
    }
    return 0;
}

/* The type a fresh value asks for, as a suffix letter. */
static char infer(dc_t *c, size_t vi)
{
    const sl_json_tok_t *t = &c->doc.tok[vi];
    switch (t->type) {
    case SL_JSON_NUMBER:
        return 'd';
    case SL_JSON_TRUE:
    case SL_JSON_FALSE:
        return 'b';
    case SL_JSON_STRING: {
        const char *s = c->doc.src + t->off;
        size_t n = t->len;
        if (t->flags & SL_JSON_F_ESCAPED) {
            sl_buf_reset(&c->tmp);
            sl_json_string(&c->doc, t, &c->tmp);
            s = c->tmp.data ? c->tmp.data : "";
            n = c->tmp.len;
        }
        char g[37];
        if (sl_ingest__guid_text(s, n, g))
            return 'g';
        if (sl_ingest__datetime_text(s, n, &c->inferred_time))
            return 't';
        return 's';
    }
    default:
        return 's'; /* objects and arrays as JSON text */
    }
}

/* Converts a value for a column with suffix `x`; `want` is what infer()
 * said of it (a datetime was parsed there already). */
static bool convert(dc_t *c, size_t vi, char x, sl_ingest_val_t *v, char want)
{
    if (x == 't' && want == 't') {
        memset(v, 0, sizeof *v);
        v->type = SL_TYPE_DATETIME;
        v->i = c->inferred_time;
        return true;
    }
    if (x == 'g')
        return sl_ingest__convert(&c->doc, vi, SL_TYPE_GUID, SL_DC_FIELD_MAX, v, &c->tmp);
    sl_type_t t = suffix_type(x);
    if (x == 't' && c->doc.tok[vi].type != SL_JSON_STRING)
        return false; /* numbers are not dates in this API */
    if (x == 't') {
        const sl_json_tok_t *tk = &c->doc.tok[vi];
        sl_buf_reset(&c->tmp);
        sl_json_string(&c->doc, tk, &c->tmp);
        memset(v, 0, sizeof *v);
        v->type = SL_TYPE_DATETIME;
        return sl_ingest__datetime_text(c->tmp.data ? c->tmp.data : "", c->tmp.len, &v->i);
    }
    return sl_ingest__convert(&c->doc, vi, t, SL_DC_FIELD_MAX, v, &c->tmp);
}

/* Existing column "<base>_<x>" in the table or the batch? */
static bool have_column(dc_t *c, const char *full)
{
    if (sl_colset_find(&c->b->rows, full) >= 0)
        return true;
    if (c->existing)
        for (size_t i = 0; i < c->existing->ncols; i++)
            if (!strcmp(c->existing->cols[i].name, full))
                return true;
    return false;
}

/* Candidate suffixes of existing columns named base_?, in creation order. */
static size_t existing_suffixes(dc_t *c, const char *base, size_t bl, char out[8])
{
    size_t n = 0;
    if (c->existing)
        for (size_t i = 0; i < c->existing->ncols && n < 5; i++) {
            const char *nm = c->existing->cols[i].name;
            size_t l = strlen(nm);
            if (l == bl + 2 && !memcmp(nm, base, bl) && nm[bl] == '_' && suffix_type(nm[bl + 1]) &&
                !memchr(out, nm[bl + 1], n))
                out[n++] = nm[bl + 1];
        }
    for (size_t i = 0; i < c->b->rows.ncols && n < 5; i++) {
        const char *nm = c->b->rows.cols[i].name;
        size_t l = strlen(nm);
        if (l == bl + 2 && !memcmp(nm, base, bl) && nm[bl] == '_' && suffix_type(nm[bl + 1]) &&
            !memchr(out, nm[bl + 1], n))
            out[n++] = nm[bl + 1];
    }
    return n;
}

static int column(dc_t *c, const char *full, sl_type_t type)
{
    int i = sl_colset_find(&c->b->rows, full);
    if (i >= 0)
        return i;
    if (!have_column(c, full)) {
        size_t have = c->existing ? c->existing->ncols : 0;
        if (have + c->new_cols + 1 > SL_TABLE_MAX_COLUMNS)
            return -1;
        c->new_cols++;
    }
    return sl_colset_add(&c->b->rows, full, type);
}

/* Sanitised base name of key token k into c->name; false if nothing is left. */
static bool base_name(dc_t *c, const sl_json_tok_t *k)
{
    sl_buf_reset(&c->key);
    sl_json_string(&c->doc, k, &c->key);
    sl_buf_reset(&c->name);
    for (size_t i = 0; i < c->key.len && c->name.len < SL_DC_COLUMN_NAME_MAX - 2; i++) {
        char ch = c->key.data[i];
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
            ch == '_')
            sl_buf_putc(&c->name, ch);
    }
    return c->name.len > 0;
}

static uint64_t key_hash(const char *p, size_t n, char want)
{
    uint64_t h = 0xcbf29ce484222325u ^ (uint8_t)want;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)p[i]) * 0x100000001b3u;
    return h;
}

static decision_t *cache_slot(dc_t *c, const sl_json_tok_t *k, char want)
{
    if (c->cache_n * 2 >= c->cache_cap) {
        size_t cap = c->cache_cap ? c->cache_cap * 2 : 64;
        decision_t *nc = sl_xcalloc(cap, sizeof *nc);
        for (size_t i = 0; i < c->cache_cap; i++) {
            decision_t *e = &c->cache[i];
            if (!e->want)
                continue;
            size_t h = (size_t)key_hash(c->doc.src + e->key_off, e->key_len, e->want) & (cap - 1);
            while (nc[h].want)
                h = (h + 1) & (cap - 1);
            nc[h] = *e;
        }
        sl_free(c->cache);
        c->cache = nc;
        c->cache_cap = cap;
    }
    const char *kp = c->doc.src + k->off;
    size_t h = (size_t)key_hash(kp, k->len, want) & (c->cache_cap - 1);
    for (;;) {
        decision_t *e = &c->cache[h];
        if (!e->want || (e->want == want && e->key_len == k->len &&
                         !memcmp(c->doc.src + e->key_off, kp, k->len)))
            return e;
        h = (h + 1) & (c->cache_cap - 1);
    }
}

static int member_slow(dc_t *c, size_t row, size_t ki, char want, decision_t *dec);

static int member(dc_t *c, size_t row, size_t ki)
{
    const sl_json_tok_t *k = &c->doc.tok[ki];
    size_t vi = ki + 1;
    if (c->doc.tok[vi].type == SL_JSON_NULL)
        return 0;
    char want = infer(c, vi);
    decision_t *dec = cache_slot(c, k, want);
    if (dec->want) {
        if (!dec->x)
            return 0; /* a property this post does not store */
        sl_ingest_val_t v;
        sl_col_t *col = &c->b->rows.cols[dec->col];
        if (convert(c, vi, dec->x, &v, want)) {
            if (col->n > row)
                return 0;
            if (col->type == SL_TYPE_DATETIME)
                sl_col_push_i64(col, v.i);
            else
                sl_ingest__push(col, &v);
            return 0;
        }
        /* This value does not fit the cached column: decide afresh, uncached. */
        return member_slow(c, row, ki, want, NULL);
    }
    return member_slow(c, row, ki, want, dec);
}

static int member_slow(dc_t *c, size_t row, size_t ki, char want, decision_t *dec)
{
    const sl_json_tok_t *k = &c->doc.tok[ki];
    size_t vi = ki + 1;
    if (!base_name(c, k)) {
        if (dec && !(k->flags & SL_JSON_F_ESCAPED)) {
            *dec = (decision_t){ k->off, k->len, want, 0, -1 };
            c->cache_n++;
        }
        return 0;
    }
    static const char *const reserved[] = { "TimeGenerated", "tenant", "RawData" };
    for (size_t i = 0; i < SL_ARRAY_SIZE(reserved); i++) {
        if (strcasecmp(c->key.data, reserved[i]))
            continue;
        /* The time-generated-field may be called TimeGenerated: it is used as
         * the row's time, not stored as a column of its own. */
        if (c->r->time_field && c->key.len == c->r->time_field_len &&
            !memcmp(c->key.data, c->r->time_field, c->key.len))
            return 0;
        return fail(c, 400, "InvalidDataFormat",
                    "record %zu: property \"%s\" is reserved; rename it", row, reserved[i]);
    }
    char full[64];
    sl_ingest_val_t v;
    snprintf(full, sizeof full, "%s_%c", c->name.data, want);
    char x = 0;
    if (have_column(c, full) && convert(c, vi, want, &v, want)) {
        x = want;
    } else {
        char cand[8];
        size_t nc = existing_suffixes(c, c->name.data, c->name.len, cand);
        for (size_t i = 0; i < nc && !x; i++)
            if (cand[i] != want && convert(c, vi, cand[i], &v, want))
                x = cand[i];
        if (!x) {
            if (!convert(c, vi, want, &v, want))
                return 0; /* cannot happen for inferred types; skip defensively */
            x = want;
        }
    }
    snprintf(full, sizeof full, "%s_%c", c->name.data, x);
    int ci = column(c, full, suffix_type(x));
    if (ci < 0)
        return fail(c, 400, "InvalidDataFormat",
                    "table %s would exceed %d columns (property \"%s\")", c->b->table,
                    SL_TABLE_MAX_COLUMNS, c->key.data);
    sl_col_t *col = &c->b->rows.cols[ci];
    if (dec && !(k->flags & SL_JSON_F_ESCAPED)) {
        *dec = (decision_t){ k->off, k->len, want, x, ci };
        c->cache_n++;
    }
    /* Two properties that sanitise to one column: the first one wins. */
    if (col->n > row)
        return 0;
    if (col->type == SL_TYPE_DATETIME)
        sl_col_push_i64(col, v.i);
    else
        sl_ingest__push(col, &v);
    return 0;
}

/* The row's TimeGenerated from the time-generated-field, if usable. */
static sl_ticks_t record_time(dc_t *c, size_t obj)
{
    const sl_dc_req_t *r = c->r;
    if (!r->time_field)
        return r->received;
    for (size_t k = obj + 1; k < c->doc.tok[obj].end; k = sl_json_next(&c->doc, k + 1)) {
        if (!sl_json_string_eq(&c->doc, &c->doc.tok[k], r->time_field, r->time_field_len))
            continue;
        sl_ingest_val_t v;
        if (!sl_ingest__convert(&c->doc, k + 1, SL_TYPE_DATETIME, 0, &v, &c->tmp))
            return r->received;
        if (v.i < r->received - WINDOW_BEFORE || v.i > r->received + WINDOW_AFTER)
            return r->received;
        return v.i;
    }
    return r->received;
}

static int record(dc_t *c, size_t row, size_t obj)
{
    if (c->doc.tok[obj].type != SL_JSON_OBJECT)
        return fail(c, 400, "InvalidDataFormat", "record %zu is not a JSON object", row);
    for (size_t k = obj + 1; k < c->doc.tok[obj].end; k = sl_json_next(&c->doc, k + 1)) {
        int rc = member(c, row, k);
        if (rc)
            return rc;
    }
    sl_col_push_i64(&c->b->rows.cols[c->tg], record_time(c, obj));
    if (c->rid < 0) {
        /* System columns follow the first record's own columns. */
        c->rid = sl_colset_add(&c->b->rows, "_ResourceId", SL_TYPE_STRING);
        c->recv = sl_colset_add(&c->b->rows, "_TimeReceived", SL_TYPE_DATETIME);
        c->billed = sl_colset_add(&c->b->rows, "_BilledSize", SL_TYPE_REAL);
    }
    sl_col_push_text(&c->b->rows.cols[c->rid], c->r->resource_id ? c->r->resource_id : "",
                     c->r->resource_id ? c->r->resource_id_len : 0);
    sl_col_push_i64(&c->b->rows.cols[c->recv], c->r->received);
    sl_col_push_f64(&c->b->rows.cols[c->billed], (double)c->doc.tok[obj].len);
    sl_colset_end_row(&c->b->rows);
    return 0;
}

int sl_ingest_dc_parse(const sl_dc_req_t *r, const sl_guid_t *ws, const sl_table_def_t *existing,
                       sl_batch_t **out, sl_ingest_err_t *e)
{
    *out = NULL;
    memset(e, 0, sizeof *e);
    dc_t c = { 0 };
    c.r = r;
    c.existing = existing;
    c.e = e;
    c.rid = c.recv = c.billed = -1;
    sl_json_doc_init(&c.doc);
    sl_diag_t d;
    int rc = sl_json_parse(&c.doc, r->body, r->body_len, NULL, &d);
    if (rc) {
        fail(&c, 400, "InvalidDataFormat", "the body is not valid JSON: %s", d.msg);
        goto done;
    }
    char table[SL_TABLE_NAME_MAX + 1];
    snprintf(table, sizeof table, "%.*s_CL", (int)r->log_type_len, r->log_type);
    c.b = sl_batch_create(ws, table, SL_SCOPE_MMK);
    c.b->received = r->received;
    c.b->raw_bytes = r->body_len;
    c.tg = sl_colset_add(&c.b->rows, "TimeGenerated", SL_TYPE_DATETIME);
    const sl_json_tok_t *root = &c.doc.tok[0];
    if (root->type == SL_JSON_OBJECT) {
        rc = record(&c, 0, 0); /* a single object is one record */
    } else if (root->type == SL_JSON_ARRAY) {
        size_t row = 0;
        for (size_t i = 1; i < root->end && !rc; i = sl_json_next(&c.doc, i))
            rc = record(&c, row++, i);
    } else {
        rc = fail(&c, 400, "InvalidDataFormat", "the body must be a JSON array of objects");
    }
done:
    if (rc) {
        sl_batch_destroy(c.b);
        rc = SL_EPARSE;
    } else {
        *out = c.b;
    }
    sl_json_doc_dispose(&c.doc);
    sl_free(c.cache);
    sl_buf_dispose(&c.tmp);
    sl_buf_dispose(&c.key);
    sl_buf_dispose(&c.name);
    return rc;
}
