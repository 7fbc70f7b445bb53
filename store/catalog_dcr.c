/*
 * DCR records. Key: the immutable id. Fields: 1 the rule's JSON as
 * submitted, 2 created, 3 deleted (0 while active). A deleted rule keeps its
 * record so its id is never reused for a different rule.
 */
#include "store/store_int.h"

#include <stdio.h>
#include <string.h>

enum { F_JSON = 1, F_CREATED, F_DELETED };

int sl_catalog_dcr_put(sl_catalog_t *c, const sl_dcr_rec_t *r, bool create, sl_diag_t *d)
{
    sl_buf_t v = SL_BUF_INIT;
    sl_rec_put_bytes(&v, F_JSON, r->json.data, r->json.len);
    sl_rec_put_i(&v, F_CREATED, r->created);
    sl_rec_put_i(&v, F_DELETED, r->deleted);
    MDB_txn *txn;
    int rc = mdb_txn_begin(c->env, NULL, 0, &txn);
    if (!rc) {
        MDB_val k = { strlen(r->immutable_id), (void *)r->immutable_id }, val = { v.len, v.data };
        rc = mdb_put(txn, c->dcrs, &k, &val, create ? MDB_NOOVERWRITE : 0);
        if (!rc)
            rc = mdb_txn_commit(txn);
        else
            mdb_txn_abort(txn);
    }
    sl_buf_dispose(&v);
    if (rc == MDB_KEYEXIST)
        return sl_diag_set(d, SL_EEXIST, "a data collection rule with immutableId %s exists",
                           r->immutable_id);
    return sl_store__mdb_err(rc, d, "DCR record");
}

int sl_catalog_dcr_list(sl_catalog_t *c, sl_dcr_rec_t **out, size_t *n, sl_diag_t *d)
{
    *out = NULL;
    *n = 0;
    MDB_txn *txn;
    MDB_cursor *cur;
    int rc = mdb_txn_begin(c->env, NULL, MDB_RDONLY, &txn);
    if (rc)
        return sl_store__mdb_err(rc, d, "catalog read");
    rc = mdb_cursor_open(txn, c->dcrs, &cur);
    if (rc) {
        mdb_txn_abort(txn);
        return sl_store__mdb_err(rc, d, "catalog cursor");
    }
    MDB_val k, v;
    for (int op = MDB_FIRST; (rc = mdb_cursor_get(cur, &k, &v, op)) == 0; op = MDB_NEXT) {
        if (k.mv_size >= sizeof((*out)->immutable_id))
            continue;
        *out = sl_xrealloc(*out, (*n + 1) * sizeof **out);
        sl_dcr_rec_t *r = &(*out)[(*n)++];
        memset(r, 0, sizeof *r);
        memcpy(r->immutable_id, k.mv_data, k.mv_size);
        sl_rec_reader_t rd;
        sl_rec_field_t f;
        sl_rec_reader_init(&rd, v.mv_data, v.mv_size);
        while (sl_rec_next(&rd, &f) == 1) {
            if (f.field == F_JSON)
                sl_buf_append(&r->json, f.p, f.n);
            else if (f.field == F_CREATED)
                r->created = f.i;
            else if (f.field == F_DELETED)
                r->deleted = f.i;
        }
    }
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    return rc == MDB_NOTFOUND ? 0 : sl_store__mdb_err(rc, d, "DCR list");
}

void sl_dcr_list_free(sl_dcr_rec_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sl_buf_dispose(&v[i].json);
    sl_free(v);
}
