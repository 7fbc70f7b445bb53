/*
 * Tagged binary records: compact, self-describing enough to skip unknown
 * fields, so the catalog can add fields without a migration.
 */
#include "common/common.h"

#include <string.h>

void sl_rec_put_u(sl_buf_t *b, unsigned field, uint64_t v)
{
    sl_buf_put_uvarint(b, (uint64_t)field << 3 | SL_REC_UVAR);
    sl_buf_put_uvarint(b, v);
}

void sl_rec_put_i(sl_buf_t *b, unsigned field, int64_t v)
{
    sl_buf_put_uvarint(b, (uint64_t)field << 3 | SL_REC_SVAR);
    sl_buf_put_svarint(b, v);
}

void sl_rec_put_bytes(sl_buf_t *b, unsigned field, const void *p, size_t n)
{
    sl_buf_put_uvarint(b, (uint64_t)field << 3 | SL_REC_BYTES);
    sl_buf_put_uvarint(b, n);
    sl_buf_append(b, p, n);
}

void sl_rec_put_str(sl_buf_t *b, unsigned field, const char *s)
{
    sl_rec_put_bytes(b, field, s, strlen(s));
}

void sl_rec_reader_init(sl_rec_reader_t *r, const void *p, size_t n)
{
    r->p = p;
    r->n = n;
    r->off = 0;
    r->bad = false;
}

int sl_rec_next(sl_rec_reader_t *r, sl_rec_field_t *f)
{
    if (r->bad)
        return -1;
    if (r->off == r->n)
        return 0;
    uint64_t tag;
    size_t k = sl_get_uvarint(r->p + r->off, r->n - r->off, &tag);
    if (!k || (tag >> 3) > UINT32_MAX)
        goto bad;
    r->off += k;
    memset(f, 0, sizeof *f);
    f->field = (unsigned)(tag >> 3);
    f->kind = (int)(tag & 7);
    switch (f->kind) {
    case SL_REC_UVAR:
        k = sl_get_uvarint(r->p + r->off, r->n - r->off, &f->u);
        f->i = (int64_t)f->u;
        break;
    case SL_REC_SVAR:
        k = sl_get_svarint(r->p + r->off, r->n - r->off, &f->i);
        f->u = (uint64_t)f->i;
        break;
    case SL_REC_BYTES: {
        uint64_t len;
        k = sl_get_uvarint(r->p + r->off, r->n - r->off, &len);
        if (!k || len > r->n - r->off - k)
            goto bad;
        f->p = r->p + r->off + k;
        f->n = (size_t)len;
        k += (size_t)len;
        break;
    }
    default:
        goto bad;
    }
    if (!k)
        goto bad;
    r->off += k;
    return 1;
bad:
    r->bad = true;
    return -1;
}
