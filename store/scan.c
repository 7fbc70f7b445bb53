/*
 * Scans: read one table's blocks in a time range, segment by segment, in
 * key order (workspace, table, block start time). The clear block header is
 * enough to prune a block; only blocks that may hold wanted rows are
 * decrypted, and only the asked-for columns of those.
 *
 * A scan holds an LMDB read transaction per segment while it decodes that
 * segment's blocks: block data is read straight from the map (zero copy)
 * and copied out only by decryption.
 */
#include "store/store_int.h"

#include <string.h>

static bool wanted(const sl_scan_spec_t *spec, const char *name)
{
    if (!spec->columns)
        return true;
    for (size_t i = 0; i < spec->ncolumns; i++)
        if (!strcmp(spec->columns[i], name))
            return true;
    return false;
}

static int scan_segment(sl_store_t *s, sl_segment_t *seg, const sl_scan_spec_t *spec,
                        uint32_t table_id, sl_scan_cb cb, void *arg, sl_scan_stats_t *st,
                        sl_block_reader_t *r, sl_diag_t *d)
{
    MDB_txn *txn;
    MDB_cursor *cur;
    int rc = mdb_txn_begin(seg->env, NULL, MDB_RDONLY, &txn);
    if (rc)
        return sl_store__mdb_err(rc, d, "segment read");
    rc = mdb_cursor_open(txn, seg->blocks, &cur);
    if (rc) {
        mdb_txn_abort(txn);
        return sl_store__mdb_err(rc, d, "segment cursor");
    }
    uint8_t from[SL_BLOCK_KEY_LEN];
    sl_store__block_key(&spec->ws, table_id, INT64_MIN, 0, from);
    MDB_val k = { sizeof from, from }, v;
    int op = MDB_SET_RANGE;
    rc = 0;
    while (!rc && mdb_cursor_get(cur, &k, &v, op) == 0) {
        op = MDB_NEXT;
        if (k.mv_size != SL_BLOCK_KEY_LEN || memcmp(k.mv_data, from, 20) != 0)
            break; /* past this (workspace, table) */
        sl_block_hdr_t h;
        if (sl_store__block_hdr_read(v.mv_data, v.mv_size, &h)) {
            rc = sl_diag_set(d, SL_EINTEGRITY, "block header in %s is damaged", seg->dir);
            break;
        }
        if (h.tmin > spec->t1)
            break; /* keys are in tmin order: nothing later can match */
        if (h.tmax < spec->t0) {
            st->blocks_pruned++;
            continue;
        }
        uint8_t idk[8];
        sl_store_u64be(idk, h.block_id);
        MDB_val dk = { 8, idk }, dv;
        if (mdb_get(txn, seg->data, &dk, &dv) != 0) {
            rc = sl_diag_set(d, SL_EINTEGRITY, "block %016llx in %s has no data",
                             (unsigned long long)h.block_id, seg->dir);
            break;
        }
        uint64_t before = r->bytes_decrypted;
        rc = sl_store__block_open(r, s->kr, v.mv_data, v.mv_size, dv.mv_data, dv.mv_size, d);
        sl_colset_t rows;
        sl_colset_init(&rows);
        for (size_t i = 0; !rc && i < r->ncols; i++) {
            if (!wanted(spec, r->cols[i].name))
                continue;
            int ci = sl_colset_add(&rows, r->cols[i].name, r->cols[i].type);
            sl_col_t *c = &rows.cols[ci];
            sl_buf_dispose(&c->offs);
            rc = sl_store__block_read_col(r, i, c, d);
        }
        /* A full scan (dump, export) vouches for the whole block, term
         * filters included, not only for the columns it returns. */
        if (!rc && !spec->columns)
            rc = sl_store__block_check_filters(r, d);
        st->bytes_decrypted += r->bytes_decrypted - before;
        if (!rc) {
            rows.nrows = h.rows;
            st->blocks_read++;
            st->rows += h.rows;
            sl_scan_block_t info = { h.block_id, h.scope, h.aek_id, h.kek_version,
                                     h.tmin, h.tmax, seg->dir };
            rc = cb(arg, &info, &rows);
        }
        sl_colset_dispose(&rows);
    }
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    return rc;
}

int sl_store_scan(sl_store_t *s, const sl_scan_spec_t *spec, sl_scan_cb cb, void *arg,
                  sl_scan_stats_t *st, sl_diag_t *d)
{
    sl_scan_stats_t local = { 0 };
    if (!st)
        st = &local;
    sl_table_def_t def;
    if (sl_store__schema_get(s->schema, &spec->ws, spec->table, &def))
        return sl_diag_set(d, SL_ENOTFOUND, "table %s does not exist", spec->table);
    uint32_t table_id = def.table_id;
    sl_store__table_def_dispose(&def);
    sl_segment_t **segs;
    size_t n = sl_store__segs_range(s->segs, spec->t0, spec->t1, &segs);
    sl_block_reader_t r;
    sl_store__block_reader_init(&r);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (!rc)
            rc = scan_segment(s, segs[i], spec, table_id, cb, arg, st, &r, d);
        sl_store__seg_unref(segs[i]);
    }
    sl_free(segs);
    sl_store__block_reader_dispose(&r);
    return rc;
}
