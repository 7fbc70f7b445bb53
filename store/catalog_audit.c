/*
 * The audit log: an append-only chain of records in the catalog's "audit"
 * database. Key: sequence number (u64 big-endian, from 1). Fields: 1 time,
 * 2 kind ("key.wrap", "key.state", "cluster.update" ...), 3 details (a
 * small JSON object), 4 the previous record's hash, 5 this record's hash.
 *
 * hash = SHA-256(prev hash | seq u64be | time i64be | kind | 0x00 | details)
 *
 * so changing, removing or reordering any record breaks every hash after
 * it; sl_catalog_audit_verify walks the chain and names the first record
 * that does not match. Appends are serialised by LMDB's single writer: the
 * sequence number and the previous hash are read in the same transaction
 * that writes the record.
 */
#include "store/store_int.h"

#include <stdio.h>
#include <string.h>

enum { F_TIME = 1, F_KIND, F_DETAILS, F_PREV, F_HASH };

static void chain_hash(const uint8_t prev[32], uint64_t seq, sl_ticks_t t, const char *kind,
                       const char *details, size_t dn, uint8_t out[32])
{
    uint8_t num[16];
    sl_store_u64be(num, seq);
    sl_store_u64be(num + 8, (uint64_t)t);
    sl_sha256_ctx_t *c = sl_sha256_begin();
    sl_sha256_update(c, prev, 32);
    sl_sha256_update(c, num, sizeof num);
    sl_sha256_update(c, kind, strlen(kind) + 1);
    sl_sha256_update(c, details, dn);
    sl_sha256_end(c, out);
}

static bool decode(const MDB_val *k, const MDB_val *v, sl_audit_rec_t *r)
{
    if (k->mv_size != 8)
        return false;
    memset(r, 0, sizeof *r);
    r->seq = sl_load_u64be(k->mv_data);
    sl_rec_reader_t rd;
    sl_rec_field_t f;
    sl_rec_reader_init(&rd, v->mv_data, v->mv_size);
    while (sl_rec_next(&rd, &f) == 1) {
        switch (f.field) {
        case F_TIME:
            r->time = f.i;
            break;
        case F_KIND:
            snprintf(r->kind, sizeof r->kind, "%.*s", (int)f.n, (const char *)f.p);
            break;
        case F_DETAILS:
            sl_buf_append(&r->details, f.p, f.n);
            break;
        case F_PREV:
            if (f.n == 32)
                memcpy(r->prev, f.p, 32);
            break;
        case F_HASH:
            if (f.n == 32)
                memcpy(r->hash, f.p, 32);
            break;
        }
    }
    return true;
}

int sl_catalog_audit_append(sl_catalog_t *c, sl_ticks_t time, const char *kind,
                            const char *details, uint64_t *seq_out, sl_diag_t *d)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin(c->env, NULL, 0, &txn);
    if (rc)
        return sl_store__mdb_err(rc, d, "audit write");
    MDB_cursor *cur;
    uint8_t prev[32] = { 0 };
    uint64_t seq = 1;
    rc = mdb_cursor_open(txn, c->audit, &cur);
    if (!rc) {
        MDB_val k, v;
        if (mdb_cursor_get(cur, &k, &v, MDB_LAST) == 0) {
            sl_audit_rec_t last;
            if (decode(&k, &v, &last)) {
                seq = last.seq + 1;
                memcpy(prev, last.hash, 32);
            }
            sl_buf_dispose(&last.details);
        }
        mdb_cursor_close(cur);
    }
    size_t dn = strlen(details);
    uint8_t hash[32];
    chain_hash(prev, seq, time, kind, details, dn, hash);
    sl_buf_t val = SL_BUF_INIT;
    sl_rec_put_i(&val, F_TIME, time);
    sl_rec_put_bytes(&val, F_KIND, kind, strlen(kind));
    sl_rec_put_bytes(&val, F_DETAILS, details, dn);
    sl_rec_put_bytes(&val, F_PREV, prev, 32);
    sl_rec_put_bytes(&val, F_HASH, hash, 32);
    uint8_t key[8];
    sl_store_u64be(key, seq);
    MDB_val k = { 8, key }, v = { val.len, val.data };
    if (!rc)
        rc = mdb_put(txn, c->audit, &k, &v, MDB_NOOVERWRITE);
    if (!rc)
        rc = mdb_txn_commit(txn);
    else
        mdb_txn_abort(txn);
    sl_buf_dispose(&val);
    if (!rc && seq_out)
        *seq_out = seq;
    return sl_store__mdb_err(rc, d, "audit append");
}

int sl_catalog_audit_list(sl_catalog_t *c, uint64_t from_seq, size_t limit,
                          sl_audit_rec_t **out, size_t *n, sl_diag_t *d)
{
    *out = NULL;
    *n = 0;
    MDB_txn *txn;
    MDB_cursor *cur;
    int rc = mdb_txn_begin(c->env, NULL, MDB_RDONLY, &txn);
    if (rc)
        return sl_store__mdb_err(rc, d, "catalog read");
    rc = mdb_cursor_open(txn, c->audit, &cur);
    if (rc) {
        mdb_txn_abort(txn);
        return sl_store__mdb_err(rc, d, "catalog cursor");
    }
    uint8_t key[8];
    sl_store_u64be(key, from_seq);
    MDB_val k = { 8, key }, v;
    size_t cap = 0;
    for (int op = MDB_SET_RANGE; *n < limit && (rc = mdb_cursor_get(cur, &k, &v, op)) == 0;
         op = MDB_NEXT) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            *out = sl_xrealloc(*out, cap * sizeof **out);
        }
        if (decode(&k, &v, &(*out)[*n]))
            (*n)++;
    }
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    return rc == MDB_NOTFOUND || rc == 0 ? 0 : sl_store__mdb_err(rc, d, "audit list");
}

void sl_audit_list_free(sl_audit_rec_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sl_buf_dispose(&v[i].details);
    sl_free(v);
}

int sl_catalog_audit_verify(sl_catalog_t *c, uint64_t *records, uint64_t *bad_seq, sl_diag_t *d)
{
    *records = 0;
    *bad_seq = 0;
    MDB_txn *txn;
    MDB_cursor *cur;
    int rc = mdb_txn_begin(c->env, NULL, MDB_RDONLY, &txn);
    if (rc)
        return sl_store__mdb_err(rc, d, "catalog read");
    rc = mdb_cursor_open(txn, c->audit, &cur);
    if (rc) {
        mdb_txn_abort(txn);
        return sl_store__mdb_err(rc, d, "catalog cursor");
    }
    uint8_t prev[32] = { 0 };
    uint64_t expect = 1;
    MDB_val k, v;
    int out = 0;
    for (int op = MDB_FIRST; mdb_cursor_get(cur, &k, &v, op) == 0; op = MDB_NEXT) {
        sl_audit_rec_t r;
        bool ok = decode(&k, &v, &r);
        uint8_t h[32];
        if (ok)
            chain_hash(prev, r.seq, r.time, r.kind, r.details.data ? r.details.data : "",
                       r.details.len, h);
        ok = ok && r.seq == expect && !memcmp(r.prev, prev, 32) && !memcmp(r.hash, h, 32);
        if (!ok) {
            *bad_seq = k.mv_size == 8 ? sl_load_u64be(k.mv_data) : expect;
            out = sl_diag_set(d, SL_EINTEGRITY,
                              "audit record %llu does not match the chain (altered, removed "
                              "or reordered records)",
                              (unsigned long long)*bad_seq);
            sl_buf_dispose(&r.details);
            break;
        }
        memcpy(prev, r.hash, 32);
        expect++;
        (*records)++;
        sl_buf_dispose(&r.details);
    }
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    return out;
}
