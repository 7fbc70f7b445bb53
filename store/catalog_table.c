/*
 * Table records in the catalog. Key: workspace GUID (16) | table name.
 * Value fields: 1 table id (uvarint), 2 created (svarint ticks), 3 column
 * (repeated bytes: u8 type | name). Column order is the order of creation,
 * which is the order queries show them in.
 */
#include "store/store_int.h"

#include <string.h>

enum { F_ID = 1, F_CREATED, F_COLUMN };

static void table_key(const sl_guid_t *ws, const char *name, uint8_t *key, size_t *n)
{
    size_t nl = strlen(name);
    memcpy(key, ws->b, 16);
    memcpy(key + 16, name, nl);
    *n = 16 + nl;
}

int sl_store__catalog_table_put(sl_catalog_t *c, const sl_table_def_t *t, sl_diag_t *d)
{
    uint8_t key[16 + SL_TABLE_NAME_MAX + 1];
    size_t kn;
    table_key(&t->ws, t->name, key, &kn);
    sl_buf_t v = SL_BUF_INIT;
    sl_rec_put_u(&v, F_ID, t->table_id);
    sl_rec_put_i(&v, F_CREATED, t->created);
    sl_buf_t col = SL_BUF_INIT;
    for (size_t i = 0; i < t->ncols; i++) {
        sl_buf_reset(&col);
        sl_buf_putc(&col, (char)t->cols[i].type);
        sl_buf_puts(&col, t->cols[i].name);
        sl_rec_put_bytes(&v, F_COLUMN, col.data, col.len);
    }
    sl_buf_dispose(&col);
    MDB_txn *txn;
    int rc = mdb_txn_begin(c->env, NULL, 0, &txn);
    if (!rc) {
        MDB_val k = { kn, key }, val = { v.len, v.data };
        rc = mdb_put(txn, c->tables, &k, &val, 0);
        if (!rc)
            rc = mdb_txn_commit(txn);
        else
            mdb_txn_abort(txn);
    }
    sl_buf_dispose(&v);
    return sl_store__mdb_err(rc, d, "table");
}

static int decode(const MDB_val *k, const MDB_val *v, sl_table_def_t *t)
{
    memset(t, 0, sizeof *t);
    if (k->mv_size <= 16 || k->mv_size > 16 + SL_TABLE_NAME_MAX)
        return SL_EINTEGRITY;
    memcpy(t->ws.b, k->mv_data, 16);
    memcpy(t->name, (char *)k->mv_data + 16, k->mv_size - 16);
    sl_rec_reader_t r;
    sl_rec_field_t f;
    sl_rec_reader_init(&r, v->mv_data, v->mv_size);
    int st;
    while ((st = sl_rec_next(&r, &f)) == 1) {
        if (f.field == F_ID) {
            t->table_id = (uint32_t)f.u;
        } else if (f.field == F_CREATED) {
            t->created = f.i;
        } else if (f.field == F_COLUMN) {
            if (f.n < 2 || f.n > 257)
                goto bad;
            t->cols = sl_xrealloc(t->cols, (t->ncols + 1) * sizeof *t->cols);
            t->cols[t->ncols].type = f.p[0];
            t->cols[t->ncols].name = sl_xstrndup((const char *)f.p + 1, f.n - 1);
            t->ncols++;
        }
    }
    if (st == 0)
        return 0;
bad:
    sl_store__table_def_dispose(t);
    return SL_EINTEGRITY;
}

int sl_store__catalog_table_list(sl_catalog_t *c, sl_table_def_t **out, size_t *n, sl_diag_t *d)
{
    *out = NULL;
    *n = 0;
    MDB_txn *txn;
    MDB_cursor *cur;
    int rc = mdb_txn_begin(c->env, NULL, MDB_RDONLY, &txn);
    if (rc)
        return sl_store__mdb_err(rc, d, "catalog read");
    rc = mdb_cursor_open(txn, c->tables, &cur);
    if (rc) {
        mdb_txn_abort(txn);
        return sl_store__mdb_err(rc, d, "catalog cursor");
    }
    MDB_val k, v;
    for (int op = MDB_FIRST; (rc = mdb_cursor_get(cur, &k, &v, op)) == 0; op = MDB_NEXT) {
        *out = sl_xrealloc(*out, (*n + 1) * sizeof **out);
        if (decode(&k, &v, &(*out)[*n]) == 0)
            (*n)++;
    }
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    return rc == MDB_NOTFOUND ? 0 : sl_store__mdb_err(rc, d, "table list");
}

void sl_store__table_def_dispose(sl_table_def_t *t)
{
    for (size_t i = 0; i < t->ncols; i++)
        sl_free(t->cols[i].name);
    sl_free(t->cols);
    t->cols = NULL;
    t->ncols = 0;
}
