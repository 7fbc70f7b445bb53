/*
 * Token records. Key: the 8-byte token id (public, printed in listings).
 * Value: the SHA-256 of the secret part and the token's scope. The secret
 * itself is never stored, so a copy of the catalog cannot mint requests.
 *
 * Fields: 1 hash  2 kind  3 name  4 created  5 expires  6 revoked
 *         7 scope (repeated)
 */
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

enum { F_HASH = 1, F_KIND, F_NAME, F_CREATED, F_EXPIRES, F_REVOKED, F_SCOPE };

static void encode(const sl_token_rec_t *t, sl_buf_t *b)
{
    sl_rec_put_bytes(b, F_HASH, t->hash, sizeof t->hash);
    sl_rec_put_u(b, F_KIND, (uint64_t)t->kind);
    sl_rec_put_str(b, F_NAME, t->name);
    sl_rec_put_i(b, F_CREATED, t->created);
    sl_rec_put_i(b, F_EXPIRES, t->expires);
    sl_rec_put_i(b, F_REVOKED, t->revoked);
    for (size_t i = 0; i < t->nscopes; i++)
        sl_rec_put_str(b, F_SCOPE, t->scopes[i]);
}

static int decode(const MDB_val *k, const MDB_val *v, sl_token_rec_t *t, sl_diag_t *d)
{
    memset(t, 0, sizeof *t);
    if (k->mv_size != SL_TOKEN_ID_LEN)
        return sl_diag_set(d, SL_EINTEGRITY, "token key has %zu bytes", k->mv_size);
    memcpy(t->id, k->mv_data, SL_TOKEN_ID_LEN);
    sl_rec_reader_t r;
    sl_rec_field_t f;
    sl_rec_reader_init(&r, v->mv_data, v->mv_size);
    int st;
    while ((st = sl_rec_next(&r, &f)) == 1) {
        switch (f.field) {
        case F_HASH:
            if (f.n != sizeof t->hash)
                goto bad;
            memcpy(t->hash, f.p, f.n);
            break;
        case F_KIND:
            t->kind = (sl_token_kind_t)f.u;
            break;
        case F_NAME:
            if (f.n >= sizeof t->name)
                goto bad;
            memcpy(t->name, f.p, f.n);
            break;
        case F_CREATED:
            t->created = f.i;
            break;
        case F_EXPIRES:
            t->expires = f.i;
            break;
        case F_REVOKED:
            t->revoked = f.i;
            break;
        case F_SCOPE:
            if (t->nscopes == SL_TOKEN_MAX_SCOPES || f.n >= sizeof t->scopes[0])
                goto bad;
            memcpy(t->scopes[t->nscopes++], f.p, f.n);
            break;
        }
    }
    if (st < 0)
        goto bad;
    return 0;
bad:
    return sl_diag_set(d, SL_EINTEGRITY, "token record is malformed");
}

int sl_catalog_token_put(sl_catalog_t *c, const sl_token_rec_t *t, sl_diag_t *d)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin(c->env, NULL, 0, &txn);
    if (rc)
        return sl_store__mdb_err(rc, d, "catalog write");
    sl_buf_t b = SL_BUF_INIT;
    encode(t, &b);
    MDB_val k = { SL_TOKEN_ID_LEN, (void *)t->id }, v = { b.len, b.data };
    rc = mdb_put(txn, c->tokens, &k, &v, 0);
    if (!rc)
        rc = mdb_txn_commit(txn);
    else
        mdb_txn_abort(txn);
    sl_buf_dispose(&b);
    return sl_store__mdb_err(rc, d, "token");
}

int sl_catalog_token_get(sl_catalog_t *c, const uint8_t id[SL_TOKEN_ID_LEN], sl_token_rec_t *out,
                         sl_diag_t *d)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin(c->env, NULL, MDB_RDONLY, &txn);
    if (rc)
        return sl_store__mdb_err(rc, d, "catalog read");
    MDB_val k = { SL_TOKEN_ID_LEN, (void *)id }, v;
    rc = mdb_get(txn, c->tokens, &k, &v);
    if (!rc)
        rc = decode(&k, &v, out, d);
    else
        rc = sl_store__mdb_err(rc, d, "token");
    mdb_txn_abort(txn);
    return rc;
}

static int by_created_desc(const void *a, const void *b)
{
    const sl_token_rec_t *x = a, *y = b;
    return x->created < y->created ? 1 : x->created > y->created ? -1 : 0;
}

int sl_catalog_token_list(sl_catalog_t *c, sl_token_rec_t **out, size_t *n, sl_diag_t *d)
{
    *out = NULL;
    *n = 0;
    MDB_txn *txn;
    MDB_cursor *cur;
    int rc = mdb_txn_begin(c->env, NULL, MDB_RDONLY, &txn);
    if (rc)
        return sl_store__mdb_err(rc, d, "catalog read");
    rc = mdb_cursor_open(txn, c->tokens, &cur);
    if (rc) {
        mdb_txn_abort(txn);
        return sl_store__mdb_err(rc, d, "catalog cursor");
    }
    MDB_val k, v;
    size_t cap = 0;
    for (int op = MDB_FIRST; (rc = mdb_cursor_get(cur, &k, &v, op)) == 0; op = MDB_NEXT) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            *out = sl_xrealloc(*out, cap * sizeof **out);
        }
        if (decode(&k, &v, &(*out)[*n], d) == 0)
            (*n)++;
    }
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    if (*n > 1)
        qsort(*out, *n, sizeof **out, by_created_desc);
    return rc == MDB_NOTFOUND ? 0 : sl_store__mdb_err(rc, d, "token list");
}
