/*
 * Batch payloads: how a batch is written inside a WAL record. Columns use
 * the same encodings as blocks (codec.c) without compression — the WAL is on
 * the acknowledgement path, and it is read back only after a crash.
 *
 *   ws (16) | uvarint table length | table | svarint received | uvarint raw_bytes
 *   | uvarint nrows | uvarint ncols
 *   | per column: uvarint name length | name | u8 type | uvarint encoded length
 *                 | encoded column
 */
#include "store/store_int.h"

#include <stdio.h>
#include <string.h>

sl_batch_t *sl_batch_create(const sl_guid_t *ws, const char *table, sl_scope_t scope)
{
    sl_batch_t *b = sl_xcalloc(1, sizeof *b);
    b->ws = *ws;
    snprintf(b->table, sizeof b->table, "%s", table);
    b->scope = scope;
    b->received = sl_time_now();
    sl_colset_init(&b->rows);
    return b;
}

void sl_batch_destroy(sl_batch_t *b)
{
    if (!b)
        return;
    sl_colset_dispose(&b->rows);
    sl_free(b);
}

void sl_store__batch_encode(const sl_batch_t *b, sl_buf_t *out)
{
    sl_buf_append(out, b->ws.b, 16);
    size_t tl = strlen(b->table);
    sl_buf_put_uvarint(out, tl);
    sl_buf_append(out, b->table, tl);
    sl_buf_put_svarint(out, b->received);
    sl_buf_put_uvarint(out, b->raw_bytes);
    sl_buf_put_uvarint(out, b->rows.nrows);
    sl_buf_put_uvarint(out, b->rows.ncols);
    sl_buf_t enc = SL_BUF_INIT;
    for (size_t i = 0; i < b->rows.ncols; i++) {
        const sl_col_t *c = &b->rows.cols[i];
        size_t nl = strlen(c->name);
        sl_buf_put_uvarint(out, nl);
        sl_buf_append(out, c->name, nl);
        sl_buf_putc(out, (char)c->type);
        sl_buf_reset(&enc);
        sl_store__col_encode(c, &enc);
        sl_buf_put_uvarint(out, enc.len);
        sl_buf_append(out, enc.data, enc.len);
    }
    sl_buf_dispose(&enc);
}

int sl_store__batch_decode(const uint8_t *p, size_t n, sl_batch_t **out)
{
    size_t at = 16, k;
    uint64_t tl, nrows, ncols, raw;
    int64_t recv;
    if (n < 16)
        return SL_EINTEGRITY;
    if (!(k = sl_get_uvarint(p + at, n - at, &tl)) || tl > SL_TABLE_NAME_MAX || tl > n - at - k)
        return SL_EINTEGRITY;
    at += k;
    char table[SL_TABLE_NAME_MAX + 1];
    memcpy(table, p + at, tl);
    table[tl] = '\0';
    at += tl;
    sl_guid_t ws;
    memcpy(ws.b, p, 16);
    if (!(k = sl_get_svarint(p + at, n - at, &recv)))
        return SL_EINTEGRITY;
    at += k;
    if (!(k = sl_get_uvarint(p + at, n - at, &raw)))
        return SL_EINTEGRITY;
    at += k;
    if (!(k = sl_get_uvarint(p + at, n - at, &nrows)) || nrows > n)
        return SL_EINTEGRITY;
    at += k;
    if (!(k = sl_get_uvarint(p + at, n - at, &ncols)) || ncols > SL_TABLE_MAX_COLUMNS + 16)
        return SL_EINTEGRITY;
    at += k;
    sl_batch_t *b = sl_batch_create(&ws, table, SL_SCOPE_MMK);
    b->received = recv;
    b->raw_bytes = raw;
    for (uint64_t i = 0; i < ncols; i++) {
        uint64_t nl, el;
        if (!(k = sl_get_uvarint(p + at, n - at, &nl)) || nl == 0 || nl > 256 ||
            nl + 1 > n - at - k)
            goto bad;
        at += k;
        char name[257];
        memcpy(name, p + at, nl);
        name[nl] = '\0';
        at += nl;
        sl_type_t type = p[at++];
        if (!(k = sl_get_uvarint(p + at, n - at, &el)) || el > n - at - k)
            goto bad;
        at += k;
        if (!sl_type_name(type)[0] || sl_colset_find(&b->rows, name) >= 0)
            goto bad;
        /* Decode into a fresh column, then move it into the set. */
        int ci = sl_colset_add(&b->rows, name, type);
        sl_col_t *c = &b->rows.cols[ci];
        sl_buf_dispose(&c->offs);
        if (sl_store__col_decode(p + at, el, c, nrows) || c->n != nrows)
            goto bad;
        at += el;
    }
    if (at != n)
        goto bad;
    b->rows.nrows = nrows;
    *out = b;
    return 0;
bad:
    sl_batch_destroy(b);
    return SL_EINTEGRITY;
}
