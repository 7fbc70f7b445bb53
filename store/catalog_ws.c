/*
 * Workspace records. Key: the 16 GUID bytes. A second database maps the
 * name to the id so names stay unique; both change in one transaction.
 *
 * Record fields (tag: meaning):
 *   1 name  2 retention_days  3 created  4 deleted  5 sealed primary key
 *   6 sealed secondary key  7 linked to the cluster since (0: not linked)
 *   8 last unlinked at
 */
#include "store/store_int.h"

#include <string.h>

enum { F_NAME = 1, F_RETENTION, F_CREATED, F_DELETED, F_KEY1, F_KEY2, F_LINKED, F_UNLINKED };

void sl_ws_rec_dispose(sl_ws_rec_t *w)
{
    sl_buf_dispose(&w->sealed_key[0]);
    sl_buf_dispose(&w->sealed_key[1]);
}

static void encode(const sl_ws_rec_t *w, sl_buf_t *b)
{
    sl_rec_put_str(b, F_NAME, w->name);
    sl_rec_put_u(b, F_RETENTION, w->retention_days);
    sl_rec_put_i(b, F_CREATED, w->created);
    sl_rec_put_i(b, F_DELETED, w->deleted);
    sl_rec_put_bytes(b, F_KEY1, w->sealed_key[0].data, w->sealed_key[0].len);
    sl_rec_put_bytes(b, F_KEY2, w->sealed_key[1].data, w->sealed_key[1].len);
    sl_rec_put_i(b, F_LINKED, w->linked);
    sl_rec_put_i(b, F_UNLINKED, w->unlinked);
}

static int decode(const MDB_val *k, const MDB_val *v, sl_ws_rec_t *w, sl_diag_t *d)
{
    memset(w, 0, sizeof *w);
    if (k->mv_size != 16)
        return sl_diag_set(d, SL_EINTEGRITY, "workspace key has %zu bytes", k->mv_size);
    memcpy(w->id.b, k->mv_data, 16);
    sl_rec_reader_t r;
    sl_rec_field_t f;
    sl_rec_reader_init(&r, v->mv_data, v->mv_size);
    int st;
    while ((st = sl_rec_next(&r, &f)) == 1) {
        switch (f.field) {
        case F_NAME:
            if (f.n > SL_WS_NAME_MAX)
                goto bad;
            memcpy(w->name, f.p, f.n);
            w->name[f.n] = '\0';
            break;
        case F_RETENTION:
            w->retention_days = (uint32_t)f.u;
            break;
        case F_CREATED:
            w->created = f.i;
            break;
        case F_DELETED:
            w->deleted = f.i;
            break;
        case F_LINKED:
            w->linked = f.i;
            break;
        case F_UNLINKED:
            w->unlinked = f.i;
            break;
        case F_KEY1:
        case F_KEY2:
            sl_buf_append(&w->sealed_key[f.field - F_KEY1], f.p, f.n);
            break;
        }
    }
    if (st < 0)
        goto bad;
    return 0;
bad:
    sl_ws_rec_dispose(w);
    return sl_diag_set(d, SL_EINTEGRITY, "workspace record is malformed");
}

static int put(sl_catalog_t *c, const sl_ws_rec_t *w, bool create, sl_diag_t *d)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin(c->env, NULL, 0, &txn);
    if (rc)
        return sl_store__mdb_err(rc, d, "catalog write");
    sl_buf_t b = SL_BUF_INIT;
    encode(w, &b);
    MDB_val k = { 16, (void *)w->id.b }, v = { b.len, b.data };
    MDB_val nk = { strlen(w->name), (void *)w->name }, nv = { 16, (void *)w->id.b };
    unsigned flags = create ? MDB_NOOVERWRITE : 0;
    if (!create) {
        MDB_val old;
        rc = mdb_get(txn, c->ws, &k, &old);
        if (rc)
            goto done;
    }
    rc = mdb_put(txn, c->ws, &k, &v, flags);
    if (!rc && create)
        rc = mdb_put(txn, c->ws_name, &nk, &nv, MDB_NOOVERWRITE);
    if (!rc) {
        rc = mdb_txn_commit(txn);
        txn = NULL;
    }
done:
    if (txn)
        mdb_txn_abort(txn);
    sl_buf_dispose(&b);
    if (rc == MDB_KEYEXIST)
        return sl_diag_set(d, SL_EEXIST, "a workspace named \"%s\" already exists", w->name);
    return sl_store__mdb_err(rc, d, "workspace");
}

int sl_catalog_ws_create(sl_catalog_t *c, const sl_ws_rec_t *w, sl_diag_t *d)
{
    return put(c, w, true, d);
}

int sl_catalog_ws_update(sl_catalog_t *c, const sl_ws_rec_t *w, sl_diag_t *d)
{
    return put(c, w, false, d);
}

int sl_catalog_ws_get(sl_catalog_t *c, const sl_guid_t *id, sl_ws_rec_t *out, sl_diag_t *d)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin(c->env, NULL, MDB_RDONLY, &txn);
    if (rc)
        return sl_store__mdb_err(rc, d, "catalog read");
    MDB_val k = { 16, (void *)id->b }, v;
    rc = mdb_get(txn, c->ws, &k, &v);
    if (!rc)
        rc = decode(&k, &v, out, d);
    else
        rc = sl_store__mdb_err(rc, d, "workspace");
    mdb_txn_abort(txn);
    return rc;
}

int sl_catalog_ws_by_name(sl_catalog_t *c, const char *name, sl_ws_rec_t *out, sl_diag_t *d)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin(c->env, NULL, MDB_RDONLY, &txn);
    if (rc)
        return sl_store__mdb_err(rc, d, "catalog read");
    MDB_val nk = { strlen(name), (void *)name }, id, v;
    rc = mdb_get(txn, c->ws_name, &nk, &id);
    if (!rc)
        rc = mdb_get(txn, c->ws, &id, &v);
    if (!rc)
        rc = decode(&id, &v, out, d);
    else
        rc = sl_store__mdb_err(rc, d, "workspace");
    mdb_txn_abort(txn);
    return rc;
}

int sl_catalog_ws_list(sl_catalog_t *c, sl_ws_rec_t **out, size_t *n, sl_diag_t *d)
{
    *out = NULL;
    *n = 0;
    MDB_txn *txn;
    MDB_cursor *cur;
    int rc = mdb_txn_begin(c->env, NULL, MDB_RDONLY, &txn);
    if (rc)
        return sl_store__mdb_err(rc, d, "catalog read");
    rc = mdb_cursor_open(txn, c->ws_name, &cur);
    if (rc) {
        mdb_txn_abort(txn);
        return sl_store__mdb_err(rc, d, "catalog cursor");
    }
    MDB_val nk, id, v;
    size_t cap = 0;
    for (int op = MDB_FIRST; (rc = mdb_cursor_get(cur, &nk, &id, op)) == 0; op = MDB_NEXT) {
        if (mdb_get(txn, c->ws, &id, &v))
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            *out = sl_xrealloc(*out, cap * sizeof **out);
        }
        if (decode(&id, &v, &(*out)[*n], d) == 0)
            (*n)++;
    }
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    return rc == MDB_NOTFOUND ? 0 : sl_store__mdb_err(rc, d, "workspace list");
}

void sl_ws_list_free(sl_ws_rec_t *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sl_ws_rec_dispose(&list[i]);
    sl_free(list);
}
