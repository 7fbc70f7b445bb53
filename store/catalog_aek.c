/*
 * Wrapped AEK records. Key: scope (1) | AEK id (8, big-endian). Fields:
 * 1 wrapped AEK  2 provider  3 KEK version string  4 KEK version number
 * 5 created  6 active (1/0). The AEK itself never reaches the catalog
 * unwrapped: only its KEK provider can open it.
 */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { F_WRAPPED = 1, F_PROVIDER, F_VERSION, F_VERSION_NO, F_CREATED, F_ACTIVE };

int sl_catalog_aek_put(sl_catalog_t *c, const sl_aek_rec_t *a, sl_diag_t *d)
{
    uint8_t key[9];
    key[0] = (uint8_t)a->scope;
    sl_store_u64be(key + 1, a->aek_id);
    sl_buf_t v = SL_BUF_INIT;
    sl_rec_put_bytes(&v, F_WRAPPED, a->wrapped.data, a->wrapped.len);
    sl_rec_put_str(&v, F_PROVIDER, a->provider);
    sl_rec_put_str(&v, F_VERSION, a->kek_version);
    sl_rec_put_u(&v, F_VERSION_NO, a->kek_version_no);
    sl_rec_put_i(&v, F_CREATED, a->created);
    sl_rec_put_u(&v, F_ACTIVE, a->active);
    MDB_txn *txn;
    int rc = mdb_txn_begin(c->env, NULL, 0, &txn);
    if (!rc) {
        MDB_val k = { sizeof key, key }, val = { v.len, v.data };
        rc = mdb_put(txn, c->aeks, &k, &val, 0);
        if (!rc)
            rc = mdb_txn_commit(txn);
        else
            mdb_txn_abort(txn);
    }
    sl_buf_dispose(&v);
    return sl_store__mdb_err(rc, d, "AEK record");
}

static int decode(const MDB_val *k, const MDB_val *v, sl_aek_rec_t *a)
{
    memset(a, 0, sizeof *a);
    if (k->mv_size != 9)
        return SL_EINTEGRITY;
    a->scope = ((uint8_t *)k->mv_data)[0];
    a->aek_id = sl_load_u64be((uint8_t *)k->mv_data + 1);
    sl_rec_reader_t r;
    sl_rec_field_t f;
    sl_rec_reader_init(&r, v->mv_data, v->mv_size);
    int st;
    while ((st = sl_rec_next(&r, &f)) == 1) {
        switch (f.field) {
        case F_WRAPPED:
            sl_buf_append(&a->wrapped, f.p, f.n);
            break;
        case F_PROVIDER:
            snprintf(a->provider, sizeof a->provider, "%.*s", (int)f.n, f.p);
            break;
        case F_VERSION:
            snprintf(a->kek_version, sizeof a->kek_version, "%.*s", (int)f.n, f.p);
            break;
        case F_VERSION_NO:
            a->kek_version_no = (uint32_t)f.u;
            break;
        case F_CREATED:
            a->created = f.i;
            break;
        case F_ACTIVE:
            a->active = f.u != 0;
            break;
        }
    }
    if (st < 0 || a->scope >= SL_SCOPE_COUNT) {
        sl_buf_dispose(&a->wrapped);
        return SL_EINTEGRITY;
    }
    return 0;
}

static int by_created(const void *x, const void *y)
{
    const sl_aek_rec_t *a = x, *b = y;
    return a->created < b->created ? -1 : a->created > b->created;
}

int sl_catalog_aek_list(sl_catalog_t *c, sl_aek_rec_t **out, size_t *n, sl_diag_t *d)
{
    *out = NULL;
    *n = 0;
    MDB_txn *txn;
    MDB_cursor *cur;
    int rc = mdb_txn_begin(c->env, NULL, MDB_RDONLY, &txn);
    if (rc)
        return sl_store__mdb_err(rc, d, "catalog read");
    rc = mdb_cursor_open(txn, c->aeks, &cur);
    if (rc) {
        mdb_txn_abort(txn);
        return sl_store__mdb_err(rc, d, "catalog cursor");
    }
    MDB_val k, v;
    for (int op = MDB_FIRST; (rc = mdb_cursor_get(cur, &k, &v, op)) == 0; op = MDB_NEXT) {
        *out = sl_xrealloc(*out, (*n + 1) * sizeof **out);
        if (decode(&k, &v, &(*out)[*n]) == 0)
            (*n)++;
        else {
            rc = SL_EINTEGRITY;
            break;
        }
    }
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    if (rc == SL_EINTEGRITY)
        return sl_diag_set(d, rc, "a wrapped AEK record is damaged");
    if (*n > 1)
        qsort(*out, *n, sizeof **out, by_created);
    return rc == MDB_NOTFOUND ? 0 : sl_store__mdb_err(rc, d, "AEK list");
}

void sl_aek_list_free(sl_aek_rec_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sl_buf_dispose(&v[i].wrapped);
    sl_free(v);
}
