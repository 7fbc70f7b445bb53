/*
 * Records on disk: what a key version looks like as bytes, and the sealed
 * envelope every record file uses.
 *
 * A key version record is an sl_rec field list (common/), so a later
 * version of the vault can add fields that this one skips:
 *
 *   1 name (str)       2 version (str)     3 seq (u)        4 kty (u)
 *   5 bits (u)         6 ops (u)           7 enabled (u)    8 nbf (i, if set)
 *   9 exp (i, if set)  10 created (i)      11 updated (i)   12 tags (JSON str)
 *   13 material (bytes: PKCS#1 DER or the 32-byte AES key)
 *
 * The plain record exists only in memory, between encoding and sealing (or
 * unsealing and decoding), and is wiped right after: the file holds nothing
 * but the magic, a type byte and AES-256-GCM ciphertext. Metadata (tags,
 * names) is sealed too; the only things in the clear are the directory and
 * file names — the key name and the version id, which every kid reveals.
 */
#include "vault/vault_int.h"

#include <stdio.h>
#include <string.h>

#define MAGIC "SLVAULT1"
#define MAGIC_LEN 8

enum {
    F_NAME = 1,
    F_VERSION,
    F_SEQ,
    F_KTY,
    F_BITS,
    F_OPS,
    F_ENABLED,
    F_NBF,
    F_EXP,
    F_CREATED,
    F_UPDATED,
    F_TAGS,
    F_MATERIAL,
};

/* AAD: magic | type | ident. */
static void aad_of(int type, const char *ident, sl_buf_t *aad)
{
    sl_buf_append(aad, MAGIC, MAGIC_LEN);
    sl_buf_putc(aad, (char)type);
    sl_buf_puts(aad, ident);
}

void sl_vault_file_seal(const sl_key_t *k, int type, const char *ident, const void *pt,
                        size_t pt_n, sl_buf_t *out)
{
    sl_buf_t aad = SL_BUF_INIT;
    aad_of(type, ident, &aad);
    sl_buf_append(out, MAGIC, MAGIC_LEN);
    sl_buf_putc(out, (char)type);
    sl_seal(k, aad.data, aad.len, pt, pt_n, out);
    sl_buf_dispose(&aad);
}

int sl_vault_file_unseal(const sl_key_t *k, int type, const char *ident, const void *data,
                         size_t n, sl_buf_t *pt, sl_diag_t *d)
{
    const uint8_t *p = data;
    if (n < MAGIC_LEN + 1 || memcmp(p, MAGIC, MAGIC_LEN) != 0)
        return sl_diag_set(d, SL_EINTEGRITY, "not a sealog-vault record");
    if (p[MAGIC_LEN] != (uint8_t)type)
        return sl_diag_set(d, SL_EINTEGRITY, "record of type '%c', expected '%c'",
                           p[MAGIC_LEN] >= 32 && p[MAGIC_LEN] < 127 ? p[MAGIC_LEN] : '?', type);
    sl_buf_t aad = SL_BUF_INIT;
    aad_of(type, ident, &aad);
    int rc = sl_unseal(k, aad.data, aad.len, p + MAGIC_LEN + 1, n - MAGIC_LEN - 1, pt);
    sl_buf_dispose(&aad);
    if (rc)
        return sl_diag_set(d, SL_EINTEGRITY,
                           "record does not authenticate (altered, moved, or sealed under "
                           "another master key)");
    return 0;
}

void sl_vault_ver_ident(const char *lname, const char *version, char *out, size_t n)
{
    snprintf(out, n, "key:%s/%s", lname, version);
}

void sl_vault_ver_encode(const char *name, const sl_vault_ver_t *v, sl_buf_t *out)
{
    sl_rec_put_str(out, F_NAME, name);
    sl_rec_put_str(out, F_VERSION, v->id);
    sl_rec_put_u(out, F_SEQ, v->seq);
    sl_rec_put_u(out, F_KTY, (uint64_t)v->kty);
    sl_rec_put_u(out, F_BITS, v->bits);
    sl_rec_put_u(out, F_OPS, v->ops);
    sl_rec_put_u(out, F_ENABLED, v->enabled);
    if (v->has_nbf)
        sl_rec_put_i(out, F_NBF, v->nbf);
    if (v->has_exp)
        sl_rec_put_i(out, F_EXP, v->exp);
    sl_rec_put_i(out, F_CREATED, v->created);
    sl_rec_put_i(out, F_UPDATED, v->updated);
    if (v->tags)
        sl_rec_put_str(out, F_TAGS, v->tags);
    sl_buf_t mat = SL_BUF_INIT;
    /* Reserve first so the material is written once, not copied by growth. */
    sl_buf_reserve(&mat, 4096);
    if (v->mat && sl_vault_mat_export(v->mat, &mat) == 0)
        sl_rec_put_bytes(out, F_MATERIAL, mat.data, mat.len);
    sl_buf_wipe(&mat);
}

static bool copy_str(const sl_rec_field_t *f, char *out, size_t n)
{
    if (f->kind != SL_REC_BYTES || f->n >= n || memchr(f->p, 0, f->n))
        return false;
    memcpy(out, f->p, f->n);
    out[f->n] = '\0';
    return true;
}

int sl_vault_ver_decode(const void *p, size_t n, char name[SL_VAULT_NAME_MAX + 1],
                        sl_vault_ver_t **out, sl_diag_t *d)
{
    sl_vault_ver_t *v = sl_vault_ver_create();
    sl_rec_reader_t r;
    sl_rec_field_t f;
    const uint8_t *mat = NULL;
    size_t matn = 0;
    bool ok = true;
    int st;
    name[0] = '\0';
    sl_rec_reader_init(&r, p, n);
    while (ok && (st = sl_rec_next(&r, &f)) == 1) {
        switch (f.field) {
        case F_NAME:
            ok = copy_str(&f, name, SL_VAULT_NAME_MAX + 1);
            break;
        case F_VERSION:
            ok = copy_str(&f, v->id, sizeof v->id);
            break;
        case F_SEQ:
            v->seq = f.u;
            break;
        case F_KTY:
            v->kty = (sl_vault_kty_t)f.u;
            break;
        case F_BITS:
            v->bits = (unsigned)f.u;
            break;
        case F_OPS:
            v->ops = (unsigned)f.u;
            break;
        case F_ENABLED:
            v->enabled = f.u != 0;
            break;
        case F_NBF:
            v->has_nbf = true;
            v->nbf = f.i;
            break;
        case F_EXP:
            v->has_exp = true;
            v->exp = f.i;
            break;
        case F_CREATED:
            v->created = f.i;
            break;
        case F_UPDATED:
            v->updated = f.i;
            break;
        case F_TAGS:
            ok = f.kind == SL_REC_BYTES;
            if (ok) {
                sl_free(v->tags); /* a repeated field replaces the earlier one */
                v->tags = sl_xstrndup((const char *)f.p, f.n);
            }
            break;
        case F_MATERIAL:
            ok = f.kind == SL_REC_BYTES;
            mat = f.p;
            matn = f.n;
            break;
        default:
            break; /* a field from a newer vault */
        }
    }
    if (!ok || st < 0 || !sl_vault_name_valid(name) || !sl_vault_version_valid(v->id) ||
        v->seq == 0 || !mat || !strcmp(sl_vault_kty_name(v->kty), "?")) {
        sl_vault_ver_destroy(v);
        return sl_diag_set(d, SL_EINTEGRITY, "key record is malformed");
    }
    int rc = sl_vault_mat_import(v->kty, mat, matn, &v->mat, d);
    if (rc) {
        sl_vault_ver_destroy(v);
        return rc;
    }
    if (!v->bits)
        v->bits = sl_vault_mat_bits(v->mat);
    *out = v;
    return 0;
}
