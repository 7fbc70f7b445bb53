/*
 * Snapshots: a consistent read view of some tables over a time range, for
 * queries that read blocks in parallel.
 *
 * Opening a snapshot lists, under the store's visibility lock, every block
 * that may hold wanted rows (headers only: pruning needs no key) and copies
 * the rows that are acknowledged but not yet in a block (the segment
 * writer's queue and builders). Holding the lock shared while doing both
 * means a row is seen exactly once: the segment writer moves rows from its
 * queue to builders to blocks only while holding it exclusively.
 *
 * The snapshot keeps one LMDB read transaction per segment until it is
 * closed; block bytes are then read straight from the memory map, so any
 * number of threads can decode different blocks at once without touching
 * LMDB (a read transaction itself is single-threaded).
 */
#include "store/store_int.h"

#include <string.h>

typedef struct snap_ref {
    const uint8_t *hdr, *data; /* in the map (blocks), or NULL (memory) */
    size_t hdr_len, data_len;
    sl_colset_t *mem; /* rows not yet in a block */
} snap_ref_t;

struct sl_snap {
    sl_store_t *s;
    sl_segment_t **segs;
    MDB_txn **txns;
    size_t nsegs;
    sl_snap_block_t *blocks;
    snap_ref_t *refs;
    size_t n, cap;
    uint64_t pruned;
};

struct sl_snap_reader {
    sl_block_reader_t r;
};

static void snap_push(sl_snap_t *sn, const sl_snap_block_t *b, const snap_ref_t *ref)
{
    if (sn->n == sn->cap) {
        sn->cap = sn->cap ? sn->cap * 2 : 64;
        sn->blocks = sl_xrealloc(sn->blocks, sn->cap * sizeof *sn->blocks);
        sn->refs = sl_xrealloc(sn->refs, sn->cap * sizeof *sn->refs);
    }
    sn->blocks[sn->n] = *b;
    sn->refs[sn->n] = *ref;
    sn->n++;
}

static int list_segment(sl_snap_t *sn, MDB_txn *txn, sl_segment_t *seg,
                        const sl_snap_table_t *tabs, const uint32_t *ids, size_t ntabs,
                        sl_ticks_t t0, sl_ticks_t t1, sl_diag_t *d)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, seg->blocks, &cur);
    if (rc)
        return sl_store__mdb_err(rc, d, "segment cursor");
    for (size_t t = 0; !rc && t < ntabs; t++) {
        if (!ids[t])
            continue;
        uint8_t from[SL_BLOCK_KEY_LEN];
        sl_store__block_key(&tabs[t].ws, ids[t], INT64_MIN, 0, from);
        MDB_val k = { sizeof from, from }, v;
        int op = MDB_SET_RANGE;
        while (mdb_cursor_get(cur, &k, &v, op) == 0) {
            op = MDB_NEXT;
            if (k.mv_size != SL_BLOCK_KEY_LEN || memcmp(k.mv_data, from, 20) != 0)
                break;
            sl_block_hdr_t h;
            if (sl_store__block_hdr_read(v.mv_data, v.mv_size, &h)) {
                rc = sl_diag_set(d, SL_EINTEGRITY, "block header in %s is damaged", seg->dir);
                break;
            }
            if (h.tmin > t1)
                break; /* keys are in tmin order */
            if (h.tmax < t0) {
                sn->pruned++;
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
            sl_snap_block_t b = { .table = t, .block_id = h.block_id, .ws = tabs[t].ws,
                                  .scope = h.scope, .aek_id = h.aek_id,
                                  .kek_version = h.kek_version, .tmin = h.tmin, .tmax = h.tmax,
                                  .rows = h.rows, .bytes = dv.mv_size };
            snap_ref_t ref = { v.mv_data, dv.mv_data, v.mv_size, dv.mv_size, NULL };
            snap_push(sn, &b, &ref);
        }
    }
    mdb_cursor_close(cur);
    return rc;
}

/* Copies the rows of `rows` with TimeGenerated in [t0, t1] as one memory
 * block of table `t`. */
static void add_memory(sl_snap_t *sn, size_t t, const sl_guid_t *ws, sl_scope_t scope,
                       const sl_colset_t *rows, sl_ticks_t t0, sl_ticks_t t1)
{
    int tc = sl_colset_find(rows, "TimeGenerated");
    if (tc < 0 || !rows->nrows)
        return;
    const sl_col_t *tg = &rows->cols[tc];
    sl_colset_t *copy = sl_xcalloc(1, sizeof *copy);
    sl_colset_init(copy);
    sl_ticks_t lo = INT64_MAX, hi = INT64_MIN;
    size_t i = 0;
    while (i < rows->nrows) {
        /* Copy runs of wanted rows at once. */
        while (i < rows->nrows &&
               (sl_col_i64(tg, i) < t0 || sl_col_i64(tg, i) > t1))
            i++;
        size_t from = i;
        while (i < rows->nrows && sl_col_i64(tg, i) >= t0 && sl_col_i64(tg, i) <= t1) {
            lo = SL_MIN(lo, sl_col_i64(tg, i));
            hi = SL_MAX(hi, sl_col_i64(tg, i));
            i++;
        }
        if (i > from)
            sl_colset_append(copy, rows, from, i);
    }
    if (!copy->nrows) {
        sl_colset_dispose(copy);
        sl_free(copy);
        return;
    }
    sl_snap_block_t b = { .table = t, .ws = *ws, .scope = scope, .tmin = lo, .tmax = hi,
                          .rows = (uint32_t)copy->nrows, .bytes = sl_colset_bytes(copy),
                          .memory = true };
    snap_ref_t ref = { NULL, NULL, 0, 0, copy };
    snap_push(sn, &b, &ref);
}

static void list_memory(sl_snap_t *sn, const sl_snap_table_t *tabs, const uint32_t *ids,
                        size_t ntabs, sl_ticks_t t0, sl_ticks_t t1)
{
    sl_store_t *s = sn->s;
    for (size_t t = 0; t < ntabs; t++) {
        if (!ids[t])
            continue;
        for (sl_builder_t *b = s->builders; b; b = b->next)
            if (b->table_id == ids[t] && !memcmp(b->ws.b, tabs[t].ws.b, 16))
                add_memory(sn, t, &tabs[t].ws, b->scope, &b->rows, t0, t1);
        for (sl_pending_t *p = s->seg_work; p; p = p->next)
            if (p->table_id == ids[t] && !memcmp(p->batch->ws.b, tabs[t].ws.b, 16))
                add_memory(sn, t, &tabs[t].ws, p->batch->scope, &p->batch->rows, t0, t1);
        pthread_mutex_lock(&s->mu);
        for (sl_pending_t *p = s->seg_head; p; p = p->next)
            if (p->table_id == ids[t] && !memcmp(p->batch->ws.b, tabs[t].ws.b, 16))
                add_memory(sn, t, &tabs[t].ws, p->batch->scope, &p->batch->rows, t0, t1);
        pthread_mutex_unlock(&s->mu);
    }
}

int sl_store_snap_open(sl_store_t *s, const sl_snap_table_t *tabs, size_t ntabs,
                       sl_ticks_t t0, sl_ticks_t t1, sl_snap_t **out, sl_diag_t *d)
{
    sl_snap_t *sn = sl_xcalloc(1, sizeof *sn);
    sn->s = s;
    uint32_t *ids = sl_xcalloc(ntabs ? ntabs : 1, sizeof *ids);
    for (size_t t = 0; t < ntabs; t++) {
        sl_table_def_t def;
        if (!sl_store__schema_get(s->schema, &tabs[t].ws, tabs[t].table, &def)) {
            ids[t] = def.table_id;
            sl_store__table_def_dispose(&def);
        }
    }
    int rc = 0;
    pthread_rwlock_rdlock(&s->vis);
    sn->nsegs = sl_store__segs_range(s->segs, t0, t1, &sn->segs);
    sn->txns = sl_xcalloc(sn->nsegs ? sn->nsegs : 1, sizeof *sn->txns);
    for (size_t i = 0; !rc && i < sn->nsegs; i++) {
        int mr = mdb_txn_begin(sn->segs[i]->env, NULL, MDB_RDONLY, &sn->txns[i]);
        if (mr) {
            sn->txns[i] = NULL;
            rc = sl_store__mdb_err(mr, d, "segment read");
            break;
        }
        rc = list_segment(sn, sn->txns[i], sn->segs[i], tabs, ids, ntabs, t0, t1, d);
    }
    if (!rc)
        list_memory(sn, tabs, ids, ntabs, t0, t1);
    pthread_rwlock_unlock(&s->vis);
    sl_free(ids);
    if (rc) {
        sl_store_snap_close(sn);
        return rc;
    }
    *out = sn;
    return 0;
}

void sl_store_snap_close(sl_snap_t *sn)
{
    if (!sn)
        return;
    for (size_t i = 0; i < sn->n; i++) {
        if (sn->refs[i].mem) {
            sl_colset_dispose(sn->refs[i].mem);
            sl_free(sn->refs[i].mem);
        }
    }
    for (size_t i = 0; i < sn->nsegs; i++) {
        if (sn->txns[i])
            mdb_txn_abort(sn->txns[i]);
        sl_store__seg_unref(sn->segs[i]);
    }
    sl_free(sn->txns);
    sl_free(sn->segs);
    sl_free(sn->blocks);
    sl_free(sn->refs);
    sl_free(sn);
}

size_t sl_store_snap_count(const sl_snap_t *sn)
{
    return sn->n;
}

const sl_snap_block_t *sl_store_snap_block(const sl_snap_t *sn, size_t i)
{
    return &sn->blocks[i];
}

uint64_t sl_store_snap_pruned(const sl_snap_t *sn)
{
    return sn->pruned;
}

sl_snap_reader_t *sl_store_snap_reader_new(void)
{
    sl_snap_reader_t *r = sl_xcalloc(1, sizeof *r);
    sl_store__block_reader_init(&r->r);
    return r;
}

void sl_store_snap_reader_free(sl_snap_reader_t *r)
{
    if (!r)
        return;
    sl_store__block_reader_dispose(&r->r);
    sl_free(r);
}

static bool wanted(const char *const *cols, size_t n, const char *name)
{
    if (!cols)
        return true;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(cols[i], name))
            return true;
    return false;
}

int sl_store_snap_read(sl_snap_t *sn, size_t i, const char *const *cols, size_t ncols,
                       sl_snap_reader_t *rd, sl_colset_t *out, uint64_t *bytes_decrypted,
                       sl_diag_t *d)
{
    bool skipped;
    return sl_store_snap_read_probed(sn, i, cols, ncols, NULL, 0, rd, out, bytes_decrypted,
                                     &skipped, d);
}

/* Checks the probes against the term filters of the opened block. */
static int probe_open_block(sl_block_reader_t *r, const sl_snap_probe_t *probes, size_t nprobes,
                            bool *skipped, sl_diag_t *d)
{
    int rc = 0;
    for (size_t p = 0; !rc && p < nprobes && !*skipped; p++) {
        for (size_t c = 0; c < r->ncols; c++) {
            if (strcmp(r->cols[c].name, probes[p].column))
                continue;
            bool may;
            rc = sl_store__block_may_have(r, c, probes[p].hashes, probes[p].n, &may, d);
            *skipped = !rc && !may;
            break;
        }
    }
    return rc;
}

int sl_store_snap_probe(sl_snap_t *sn, size_t i, const sl_snap_probe_t *probes, size_t nprobes,
                        sl_snap_reader_t *rd, bool *skipped, uint64_t *bytes_decrypted,
                        sl_diag_t *d)
{
    *skipped = false;
    const snap_ref_t *ref = &sn->refs[i];
    if (ref->mem || !nprobes)
        return 0;
    sl_block_reader_t *r = &rd->r;
    uint64_t before = r->bytes_decrypted;
    int rc = sl_store__block_open(r, sn->s->kr, ref->hdr, ref->hdr_len, ref->data,
                                  ref->data_len, d);
    if (!rc)
        rc = probe_open_block(r, probes, nprobes, skipped, d);
    if (bytes_decrypted)
        *bytes_decrypted += r->bytes_decrypted - before;
    return rc;
}

int sl_store_snap_read_probed(sl_snap_t *sn, size_t i, const char *const *cols, size_t ncols,
                              const sl_snap_probe_t *probes, size_t nprobes,
                              sl_snap_reader_t *rd, sl_colset_t *out, uint64_t *bytes_decrypted,
                              bool *skipped, sl_diag_t *d)
{
    *skipped = false;
    const snap_ref_t *ref = &sn->refs[i];
    if (ref->mem) {
        /* Rows not yet in a block are in the clear in memory: they are
         * readable only while their scope's key is. */
        uint64_t aek;
        uint32_t kv;
        if (sl_keyring_active(sn->s->kr, sn->blocks[i].scope, &aek, &kv) != 0)
            return sl_diag_set(d, SL_EKEYUNAVAIL, "the %s account key is unavailable",
                               sn->blocks[i].scope == SL_SCOPE_CMK ? "customer-managed"
                                                                    : "service-managed");
        /* A view of the wanted columns (shallow copies), appended at once. */
        const sl_colset_t *m = ref->mem;
        sl_colset_t view = { .nrows = m->nrows, .cols = sl_xcalloc(m->ncols + 1, sizeof(sl_col_t)) };
        for (size_t c = 0; c < m->ncols; c++)
            if (wanted(cols, ncols, m->cols[c].name))
                view.cols[view.ncols++] = m->cols[c];
        view.cap = view.ncols;
        sl_colset_append(out, &view, 0, m->nrows);
        out->nrows = m->nrows;
        sl_free(view.cols);
        return 0;
    }
    sl_block_reader_t *r = &rd->r;
    uint64_t before = r->bytes_decrypted;
    int rc = sl_store__block_open(r, sn->s->kr, ref->hdr, ref->hdr_len, ref->data,
                                  ref->data_len, d);
    if (!rc)
        rc = probe_open_block(r, probes, nprobes, skipped, d);
    if (*skipped) {
        if (bytes_decrypted)
            *bytes_decrypted += r->bytes_decrypted - before;
        return 0;
    }
    for (size_t c = 0; !rc && c < r->ncols; c++) {
        if (!wanted(cols, ncols, r->cols[c].name))
            continue;
        int ci = sl_colset_add(out, r->cols[c].name, r->cols[c].type);
        sl_col_t *col = &out->cols[ci];
        sl_buf_dispose(&col->offs);
        rc = sl_store__block_read_col(r, c, col, d);
    }
    if (!rc)
        out->nrows = r->hdr.rows;
    if (bytes_decrypted)
        *bytes_decrypted += r->bytes_decrypted - before;
    return rc;
}
