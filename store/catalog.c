/*
 * The catalog environment: one LMDB environment in DATA_DIR/catalog holding
 * the node's small, long-lived records. Each kind of record has its own
 * named database; values are tagged binary records (common/rec.c) so fields
 * can be added without migrations. docs/FORMAT.md lists every database.
 */
#include "store/store_int.h"

#include <string.h>

#define CATALOG_MAPSIZE ((size_t)4 << 30)

int sl_catalog_open(const char *dir, sl_catalog_t **out, sl_diag_t *d)
{
    sl_catalog_t *c = sl_xcalloc(1, sizeof *c);
    MDB_txn *txn = NULL;
    int rc = sl_store__env_open(dir, CATALOG_MAPSIZE, 32, 0, &c->env, d);
    if (rc)
        goto fail;
    rc = mdb_txn_begin(c->env, NULL, 0, &txn);
    if (!rc)
        rc = mdb_dbi_open(txn, "meta", MDB_CREATE, &c->meta);
    if (!rc)
        rc = mdb_dbi_open(txn, "workspaces", MDB_CREATE, &c->ws);
    if (!rc)
        rc = mdb_dbi_open(txn, "workspace_names", MDB_CREATE, &c->ws_name);
    if (!rc)
        rc = mdb_dbi_open(txn, "tokens", MDB_CREATE, &c->tokens);
    if (!rc)
        rc = mdb_dbi_open(txn, "tables", MDB_CREATE, &c->tables);
    if (!rc)
        rc = mdb_dbi_open(txn, "dcrs", MDB_CREATE, &c->dcrs);
    if (!rc)
        rc = mdb_dbi_open(txn, "aeks", MDB_CREATE, &c->aeks);
    if (!rc)
        rc = mdb_dbi_open(txn, "audit", MDB_CREATE, &c->audit);
    if (!rc) {
        rc = mdb_txn_commit(txn);
        txn = NULL;
    }
    if (rc) {
        rc = sl_store__mdb_err(rc, d, "open catalog databases");
        goto fail;
    }
    *out = c;
    return 0;
fail:
    if (txn)
        mdb_txn_abort(txn);
    sl_catalog_close(c);
    return rc;
}

void sl_catalog_close(sl_catalog_t *c)
{
    if (!c)
        return;
    if (c->env)
        mdb_env_close(c->env);
    sl_free(c);
}

int sl_catalog_meta_get(sl_catalog_t *c, const char *key, sl_buf_t *out, sl_diag_t *d)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin(c->env, NULL, MDB_RDONLY, &txn);
    if (rc)
        return sl_store__mdb_err(rc, d, "catalog read");
    MDB_val k = { strlen(key), (void *)key }, v;
    rc = mdb_get(txn, c->meta, &k, &v);
    if (!rc)
        sl_buf_append(out, v.mv_data, v.mv_size);
    mdb_txn_abort(txn);
    return sl_store__mdb_err(rc, d, key);
}

int sl_catalog_meta_put(sl_catalog_t *c, const char *key, const void *val, size_t n, sl_diag_t *d)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin(c->env, NULL, 0, &txn);
    if (rc)
        return sl_store__mdb_err(rc, d, "catalog write");
    MDB_val k = { strlen(key), (void *)key }, v = { n, (void *)val };
    rc = mdb_put(txn, c->meta, &k, &v, 0);
    if (rc) {
        mdb_txn_abort(txn);
        return sl_store__mdb_err(rc, d, key);
    }
    return sl_store__mdb_err(mdb_txn_commit(txn), d, "catalog commit");
}
