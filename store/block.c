/*
 * Blocks: up to ~64 K rows of one (workspace, table, key scope), stored as
 *
 *   index value:  the 88-byte header, in the clear so that pruning by time
 *                 needs no key, but authenticated: it is the associated data
 *                 of every sealed part below;
 *   data value:   sealed directory | sealed column 0 | sealed column 1 | ...
 *
 * Each column is encoded (codec.c), compressed with zstd when that helps,
 * and sealed as part i of the block's envelope (DEK = HKDF(AEK, block id),
 * plus the infrastructure layer when double encryption is on). The
 * directory — column names included — is sealed as part DIR_PART. A reader
 * decrypts and decompresses only the columns a query asks for.
 */
#include "store/store_int.h"

#include <string.h>
#include <zstd.h>

#define DIR_PART 0xffffffffu
/* Term filters are sealed as parts FILTER_PART | column index. */
#define FILTER_PART 0x80000000u
#define ZSTD_LEVEL 1

void sl_store__block_hdr_write(const sl_block_hdr_t *h, uint8_t o[SL_BLOCK_HDR_LEN])
{
    memset(o, 0, SL_BLOCK_HDR_LEN);
    sl_store_u32le(o, SL_BLOCK_MAGIC);
    o[4] = h->version;
    o[5] = h->scope;
    o[6] = h->flags;
    sl_store_u64le(o + 8, h->aek_id);
    sl_store_u32le(o + 16, h->kek_version);
    sl_store_u32le(o + 20, h->table_id);
    memcpy(o + 24, h->ws.b, 16);
    sl_store_u64le(o + 40, h->block_id);
    sl_store_u64le(o + 48, (uint64_t)h->tmin);
    sl_store_u64le(o + 56, (uint64_t)h->tmax);
    sl_store_u32le(o + 64, h->rows);
    sl_store_u16le(o + 68, h->ncols);
    sl_store_u32le(o + 72, h->dir_len);
    sl_store_u32le(o + 76, h->data_len);
    sl_store_u64le(o + 80, (uint64_t)h->created);
}

int sl_store__block_hdr_read(const void *p, size_t n, sl_block_hdr_t *h)
{
    const uint8_t *b = p;
    if (n != SL_BLOCK_HDR_LEN || sl_load_u32le(b) != SL_BLOCK_MAGIC)
        return SL_EINTEGRITY;
    memset(h, 0, sizeof *h);
    h->version = b[4];
    if (h->version != SL_BLOCK_VERSION)
        return SL_EVERSION;
    h->scope = b[5];
    h->flags = b[6];
    if (h->scope >= SL_SCOPE_COUNT)
        return SL_EINTEGRITY;
    h->aek_id = sl_load_u64le(b + 8);
    h->kek_version = sl_load_u32le(b + 16);
    h->table_id = sl_load_u32le(b + 20);
    memcpy(h->ws.b, b + 24, 16);
    h->block_id = sl_load_u64le(b + 40);
    h->tmin = (sl_ticks_t)sl_load_u64le(b + 48);
    h->tmax = (sl_ticks_t)sl_load_u64le(b + 56);
    h->rows = sl_load_u32le(b + 64);
    h->ncols = sl_load_u16le(b + 68);
    h->dir_len = sl_load_u32le(b + 72);
    h->data_len = sl_load_u32le(b + 76);
    h->created = (sl_ticks_t)sl_load_u64le(b + 80);
    if (h->dir_len > h->data_len)
        return SL_EINTEGRITY;
    return 0;
}

/* Appends part `part` of `pt` sealed with `env` to `data`. */
static int seal_part(const sl_envelope_t *env, uint64_t part, const uint8_t *aad,
                     const void *pt, size_t n, sl_buf_t *data)
{
    size_t over = SL_ENVELOPE_OVERHEAD(env->twice);
    sl_buf_reserve(data, n + over);
    int rc = sl_envelope_seal(env, part, aad, SL_BLOCK_HDR_LEN, pt, n,
                              (uint8_t *)data->data + data->len);
    if (!rc)
        data->len += n + over;
    return rc;
}

int sl_store__block_build(sl_keyring_t *kr, sl_scope_t scope, const sl_guid_t *ws,
                          uint32_t table_id, uint64_t block_id, const sl_colset_t *rows,
                          void *zc, uint8_t hdr_out[SL_BLOCK_HDR_LEN], sl_buf_t *data,
                          uint64_t ns[3], sl_diag_t *d)
{
    int tg = sl_colset_find(rows, "TimeGenerated");
    if (tg < 0 || rows->cols[tg].type != SL_TYPE_DATETIME || rows->nrows == 0 ||
        rows->ncols > UINT16_MAX)
        return sl_diag_set(d, SL_EINVAL, "a block needs rows with a TimeGenerated column");
    sl_block_hdr_t h = { 0 };
    h.version = SL_BLOCK_VERSION;
    h.scope = (uint8_t)scope;
    h.flags = sl_keyring_double_encryption(kr) ? 1 : 0;
    int rc = sl_keyring_active(kr, scope, &h.aek_id, &h.kek_version);
    if (rc)
        return sl_diag_set(d, rc, "no key for scope %s", scope == SL_SCOPE_CMK ? "CMK" : "MMK");
    h.table_id = table_id;
    h.ws = *ws;
    h.block_id = block_id;
    h.rows = (uint32_t)rows->nrows;
    h.ncols = (uint16_t)rows->ncols;
    h.created = sl_time_now();
    const sl_col_t *t = &rows->cols[tg];
    h.tmin = INT64_MAX;
    h.tmax = INT64_MIN;
    for (size_t i = 0; i < t->n; i++) {
        int64_t v = sl_col_i64(t, i);
        h.tmin = SL_MIN(h.tmin, v);
        h.tmax = SL_MAX(h.tmax, v);
    }

    sl_envelope_t env;
    rc = sl_keyring_envelope(kr, scope, h.aek_id, "block", block_id, &env);
    if (rc)
        return sl_diag_set(d, rc, "cannot derive block keys");

    /* Every part is sealed with the final header as associated data, and the
     * header holds the lengths: so encode and compress all columns first,
     * then write the directory and header, then seal. */
    sl_buf_t enc = SL_BUF_INIT, comp = SL_BUF_INIT, dir = SL_BUF_INIT;
    uint8_t aad[SL_BLOCK_HDR_LEN];
    struct {
        uint8_t compressed;
        uint32_t raw_len;
        sl_buf_t body;
    } *parts = sl_xcalloc(rows->ncols, sizeof *parts);
    uint64_t t0, t1;
    for (size_t i = 0; i < rows->ncols && !rc; i++) {
        t0 = sl_time_mono_ns();
        sl_buf_reset(&enc);
        sl_store__col_encode(&rows->cols[i], &enc);
        t1 = sl_time_mono_ns();
        ns[0] += t1 - t0;
        size_t bound = ZSTD_compressBound(enc.len);
        sl_buf_reset(&comp);
        sl_buf_reserve(&comp, bound);
        size_t z = ZSTD_compressCCtx(zc, comp.data, bound, enc.data, enc.len, ZSTD_LEVEL);
        parts[i].raw_len = (uint32_t)enc.len;
        if (!ZSTD_isError(z) && z < enc.len) {
            parts[i].compressed = 1;
            sl_buf_append(&parts[i].body, comp.data, z);
        } else {
            sl_buf_append(&parts[i].body, enc.data, enc.len);
        }
        ns[1] += sl_time_mono_ns() - t1;
    }
    /* Term filters of the string columns (terms.c). */
    sl_buf_t *filters = sl_xcalloc(rows->ncols + 1, sizeof *filters);
    size_t nfilters = 0;
    t0 = sl_time_mono_ns();
    for (size_t i = 0; i < rows->ncols && !rc; i++)
        nfilters += sl_store__terms_build(&rows->cols[i], &filters[i]);
    ns[0] += sl_time_mono_ns() - t0;
    /* Directory: names, types, and where each sealed column will sit;
     * then the term filters' places. */
    size_t over = SL_ENVELOPE_OVERHEAD(env.twice);
    sl_buf_put_uvarint(&dir, rows->ncols);
    size_t off = 0;
    for (size_t i = 0; i < rows->ncols; i++) {
        const sl_col_t *c = &rows->cols[i];
        size_t nl = strlen(c->name);
        sl_buf_put_uvarint(&dir, nl);
        sl_buf_append(&dir, c->name, nl);
        sl_buf_putc(&dir, (char)c->type);
        sl_buf_putc(&dir, (char)parts[i].compressed);
        sl_buf_put_uvarint(&dir, off);
        sl_buf_put_uvarint(&dir, parts[i].body.len + over);
        sl_buf_put_uvarint(&dir, parts[i].raw_len);
        off += parts[i].body.len + over;
    }
    sl_buf_put_uvarint(&dir, nfilters);
    for (size_t i = 0; i < rows->ncols; i++) {
        if (!filters[i].len)
            continue;
        sl_buf_put_uvarint(&dir, i);
        sl_buf_put_uvarint(&dir, off);
        sl_buf_put_uvarint(&dir, filters[i].len + over);
        off += filters[i].len + over;
    }
    h.dir_len = (uint32_t)(dir.len + over);
    if (h.dir_len + off > UINT32_MAX) {
        rc = sl_diag_set(d, SL_ELIMIT, "block too large");
    } else {
        h.data_len = (uint32_t)(h.dir_len + off);
        sl_store__block_hdr_write(&h, aad);
        t0 = sl_time_mono_ns();
        rc = seal_part(&env, DIR_PART, aad, dir.data, dir.len, data);
        for (size_t i = 0; i < rows->ncols && !rc; i++)
            rc = seal_part(&env, i, aad, parts[i].body.data, parts[i].body.len, data);
        for (size_t i = 0; i < rows->ncols && !rc; i++)
            if (filters[i].len)
                rc = seal_part(&env, FILTER_PART | i, aad, filters[i].data, filters[i].len,
                               data);
        ns[2] += sl_time_mono_ns() - t0;
        if (rc)
            sl_diag_set(d, rc, "block encryption failed");
        else
            memcpy(hdr_out, aad, SL_BLOCK_HDR_LEN);
    }
    for (size_t i = 0; i < rows->ncols; i++) {
        sl_buf_dispose(&parts[i].body);
        sl_buf_dispose(&filters[i]);
    }
    sl_free(filters);
    sl_free(parts);
    sl_envelope_wipe(&env);
    sl_buf_wipe(&enc);
    sl_buf_wipe(&comp);
    sl_buf_wipe(&dir);
    return rc;
}

void sl_store__block_reader_init(sl_block_reader_t *r)
{
    memset(r, 0, sizeof *r);
}

static void reader_reset(sl_block_reader_t *r)
{
    for (size_t i = 0; i < r->ncols; i++)
        sl_free(r->cols[i].name);
    sl_free(r->cols);
    r->cols = NULL;
    r->ncols = 0;
    sl_envelope_wipe(&r->env);
}

void sl_store__block_reader_dispose(sl_block_reader_t *r)
{
    reader_reset(r);
    sl_buf_wipe(&r->scratch);
    sl_buf_wipe(&r->raw);
    if (r->zd)
        ZSTD_freeDCtx(r->zd);
    r->zd = NULL;
}

/* Reads n uvarints in a row from p[*at..len); false if one is malformed. */
static bool get_uvarints(const uint8_t *p, size_t len, size_t *at, uint64_t *const *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t k = sl_get_uvarint(p + *at, len - *at, out[i]);
        if (!k)
            return false;
        *at += k;
    }
    return true;
}

int sl_store__block_open(sl_block_reader_t *r, sl_keyring_t *kr, const uint8_t *hdr,
                         size_t hdr_len, const uint8_t *data, size_t data_len, sl_diag_t *d)
{
    reader_reset(r);
    int rc = sl_store__block_hdr_read(hdr, hdr_len, &r->hdr);
    if (rc)
        return sl_diag_set(d, rc, "block header is damaged");
    if (r->hdr.data_len != data_len)
        return sl_diag_set(d, SL_EINTEGRITY, "block %016llx: data length does not match its "
                           "header", (unsigned long long)r->hdr.block_id);
    memcpy(r->hdr_bytes, hdr, SL_BLOCK_HDR_LEN);
    r->data = data;
    r->data_len = data_len;
    rc = sl_keyring_envelope(kr, r->hdr.scope, r->hdr.aek_id, "block", r->hdr.block_id, &r->env);
    if (rc)
        return sl_diag_set(d, SL_EKEYUNAVAIL, "the %s key (AEK %016llx) of block %016llx is "
                           "unavailable", r->hdr.scope == SL_SCOPE_CMK ? "customer-managed" :
                           "service-managed", (unsigned long long)r->hdr.aek_id,
                           (unsigned long long)r->hdr.block_id);
    if (r->env.twice != ((r->hdr.flags & 1) != 0)) {
        /* A header claiming the other layering is itself an alteration. */
        return sl_diag_set(d, SL_EINTEGRITY, "block %016llx: encryption flags altered",
                           (unsigned long long)r->hdr.block_id);
    }
    size_t over = SL_ENVELOPE_OVERHEAD(r->env.twice);
    if (r->hdr.dir_len < over)
        return sl_diag_set(d, SL_EINTEGRITY, "block directory truncated");
    sl_buf_reset(&r->scratch);
    sl_buf_reserve(&r->scratch, r->hdr.dir_len);
    rc = sl_envelope_open(&r->env, DIR_PART, r->hdr_bytes, SL_BLOCK_HDR_LEN, data,
                          r->hdr.dir_len, (uint8_t *)r->scratch.data);
    if (rc)
        return sl_diag_set(d, SL_EINTEGRITY, "block %016llx failed its integrity check "
                           "(directory)", (unsigned long long)r->hdr.block_id);
    r->bytes_decrypted += r->hdr.dir_len;
    const uint8_t *p = (const uint8_t *)r->scratch.data;
    size_t n = r->hdr.dir_len - over, at = 0;
    uint64_t ncols;
    size_t k = sl_get_uvarint(p, n, &ncols);
    if (!k || ncols != r->hdr.ncols)
        return sl_diag_set(d, SL_EINTEGRITY, "block directory malformed");
    at = k;
    r->cols = sl_xcalloc(ncols ? ncols : 1, sizeof *r->cols);
    for (uint64_t i = 0; i < ncols; i++) {
        uint64_t nl, off, sl, rl;
        if (!(k = sl_get_uvarint(p + at, n - at, &nl)) || nl > 1024 || nl + 2 > n - at - k)
            goto bad;
        at += k;
        sl_block_col_info_t *c = &r->cols[r->ncols++];
        c->name = sl_xstrndup((const char *)p + at, nl);
        at += nl;
        c->type = p[at++];
        c->compressed = p[at++];
        uint64_t *want[] = { &off, &sl, &rl };
        if (!get_uvarints(p, n, &at, want, 3))
            goto bad;
        if (off + sl > data_len - r->hdr.dir_len || sl < over || rl > UINT32_MAX ||
            !sl_type_name(c->type)[0])
            goto bad;
        c->off = (uint32_t)(r->hdr.dir_len + off);
        c->sealed_len = (uint32_t)sl;
        c->raw_len = (uint32_t)rl;
    }
    /* Term filters (absent in the oldest blocks: the directory ends here). */
    if (at < n) {
        uint64_t nf;
        if (!(k = sl_get_uvarint(p + at, n - at, &nf)) || nf > ncols)
            goto bad;
        at += k;
        for (uint64_t f = 0; f < nf; f++) {
            uint64_t ci, off, sl;
            uint64_t *want[] = { &ci, &off, &sl };
            if (!get_uvarints(p, n, &at, want, 3))
                goto bad;
            if (ci >= ncols || off + sl > data_len - r->hdr.dir_len || sl < over ||
                r->cols[ci].filter_len)
                goto bad;
            r->cols[ci].filter_off = (uint32_t)(r->hdr.dir_len + off);
            r->cols[ci].filter_len = (uint32_t)sl;
        }
    }
    if (at != n)
        goto bad;
    return 0;
bad:
    return sl_diag_set(d, SL_EINTEGRITY, "block directory malformed");
}

int sl_store__block_read_col(sl_block_reader_t *r, size_t i, sl_col_t *out, sl_diag_t *d)
{
    const sl_block_col_info_t *c = &r->cols[i];
    size_t over = SL_ENVELOPE_OVERHEAD(r->env.twice);
    size_t n = c->sealed_len - over;
    sl_buf_reset(&r->scratch);
    if (sl_buf_try_reserve(&r->scratch, c->sealed_len))
        return sl_diag_set(d, SL_ENOMEM, "out of memory");
    int rc = sl_envelope_open(&r->env, i, r->hdr_bytes, SL_BLOCK_HDR_LEN, r->data + c->off,
                              c->sealed_len, (uint8_t *)r->scratch.data);
    if (rc)
        return sl_diag_set(d, SL_EINTEGRITY, "block %016llx failed its integrity check "
                           "(column %zu)", (unsigned long long)r->hdr.block_id, i);
    r->bytes_decrypted += c->sealed_len;
    const uint8_t *enc = (const uint8_t *)r->scratch.data;
    size_t enc_len = n;
    if (c->compressed) {
        if (!r->zd)
            r->zd = ZSTD_createDCtx();
        sl_buf_reset(&r->raw);
        if (sl_buf_try_reserve(&r->raw, c->raw_len))
            return sl_diag_set(d, SL_ENOMEM, "out of memory");
        size_t z = ZSTD_decompressDCtx(r->zd, r->raw.data, c->raw_len, enc, n);
        if (ZSTD_isError(z) || z != c->raw_len)
            return sl_diag_set(d, SL_EINTEGRITY, "block %016llx: column %zu does not decompress",
                               (unsigned long long)r->hdr.block_id, i);
        enc = (const uint8_t *)r->raw.data;
        enc_len = z;
    }
    out->type = c->type;
    rc = sl_store__col_decode(enc, enc_len, out, r->hdr.rows);
    if (!rc && out->n != r->hdr.rows)
        rc = SL_EINTEGRITY;
    if (rc)
        return sl_diag_set(d, rc, "block %016llx: column %zu is malformed",
                           (unsigned long long)r->hdr.block_id, i);
    return 0;
}

int sl_store__block_may_have(sl_block_reader_t *r, size_t i, const uint64_t *hashes, size_t n,
                             bool *may, sl_diag_t *d)
{
    *may = true;
    const sl_block_col_info_t *c = &r->cols[i];
    if (!c->filter_len || !n)
        return 0;
    size_t over = SL_ENVELOPE_OVERHEAD(r->env.twice);
    sl_buf_reset(&r->scratch);
    if (sl_buf_try_reserve(&r->scratch, c->filter_len))
        return sl_diag_set(d, SL_ENOMEM, "out of memory");
    int rc = sl_envelope_open(&r->env, FILTER_PART | i, r->hdr_bytes, SL_BLOCK_HDR_LEN,
                              r->data + c->filter_off, c->filter_len,
                              (uint8_t *)r->scratch.data);
    if (rc)
        return sl_diag_set(d, SL_EINTEGRITY, "block %016llx failed its integrity check "
                           "(term filter %zu)", (unsigned long long)r->hdr.block_id, i);
    r->bytes_decrypted += c->filter_len;
    for (size_t k = 0; k < n && *may; k++)
        *may = sl_store__terms_may_have((const uint8_t *)r->scratch.data, c->filter_len - over,
                                        hashes[k]);
    return 0;
}

int sl_store__block_check_filters(sl_block_reader_t *r, sl_diag_t *d)
{
    uint64_t any = 1;
    bool may;
    int rc = 0;
    for (size_t i = 0; !rc && i < r->ncols; i++)
        rc = sl_store__block_may_have(r, i, &any, 1, &may, d);
    return rc;
}
