/*
 * Builders: rows committed to the WAL wait here, per (workspace, table,
 * scope, segment), until they make a block. Runs them on the segment writer
 * thread only, so nothing here locks except to peek at the queue.
 *
 * Exactly once. Each builder remembers, in order, which rows of which WAL
 * record (LSN) it holds. Writing its blocks also writes, in the same LMDB
 * transaction, the stream's "applied" mark: (LSN, rows) = every row of
 * earlier records and the first `rows` rows of record LSN (restricted to
 * this segment) are in blocks. Replay after a crash skips exactly those.
 */
#include "store/store_int.h"

#include <string.h>
#include <zstd.h>

static sl_builder_t *builder_for(sl_store_t *s, const sl_guid_t *ws, uint32_t table_id,
                                 sl_scope_t scope, sl_segment_t *seg)
{
    for (sl_builder_t *b = s->builders; b; b = b->next)
        if (b->seg == seg && b->table_id == table_id && b->scope == scope &&
            !memcmp(b->ws.b, ws->b, 16))
            return b;
    sl_builder_t *b = sl_xcalloc(1, sizeof *b);
    b->ws = *ws;
    b->table_id = table_id;
    b->scope = scope;
    b->seg = seg;
    sl_colset_init(&b->rows);
    b->next = s->builders;
    s->builders = b;
    return b;
}

static void stream_key(const sl_builder_t *b, uint8_t key[21])
{
    memcpy(key, b->ws.b, 16);
    sl_store_u32be(key + 16, b->table_id);
    key[20] = (uint8_t)b->scope;
}

/* Reads the applied mark of (ws, table, scope) in `seg`. */
static void applied_get(sl_segment_t *seg, const sl_guid_t *ws, uint32_t table_id,
                        sl_scope_t scope, uint64_t *lsn, uint32_t *rows)
{
    *lsn = 0;
    *rows = 0;
    uint8_t key[21];
    memcpy(key, ws->b, 16);
    sl_store_u32be(key + 16, table_id);
    key[20] = (uint8_t)scope;
    MDB_txn *txn;
    if (mdb_txn_begin(seg->env, NULL, MDB_RDONLY, &txn))
        return;
    MDB_val k = { sizeof key, key }, v;
    if (mdb_get(txn, seg->applied, &k, &v) == 0 && v.mv_size == 12) {
        *lsn = sl_load_u64le(v.mv_data);
        *rows = sl_load_u32le((uint8_t *)v.mv_data + 8);
    }
    mdb_txn_abort(txn);
}

/* Appends rows [from, to) of the batch (all in `seg`) to their builder. */
static void add_part(sl_store_t *s, sl_pending_t *p, sl_segment_t *seg, const uint32_t *idx,
                     size_t nidx, size_t from, size_t to)
{
    sl_batch_t *bt = p->batch;
    size_t part = idx ? nidx : to - from;
    size_t skip = 0;
    if (p->replayed) {
        uint64_t alsn;
        uint32_t arows;
        applied_get(seg, &bt->ws, p->table_id, bt->scope, &alsn, &arows);
        if (alsn > p->lsn)
            return;
        if (alsn == p->lsn)
            skip = SL_MIN(arows, part);
    }
    if (skip == part)
        return;
    sl_builder_t *b = builder_for(s, &bt->ws, p->table_id, bt->scope, seg);
    if (b->rows.nrows == 0)
        b->first_ns = sl_time_mono_ns();
    if (!idx) {
        sl_colset_append(&b->rows, &bt->rows, from + skip, to);
    } else {
        /* Rows of this segment are scattered: append them in runs. */
        size_t i = skip;
        while (i < nidx) {
            size_t j = i + 1;
            while (j < nidx && idx[j] == idx[j - 1] + 1)
                j++;
            sl_colset_append(&b->rows, &bt->rows, idx[i], idx[j - 1] + 1);
            i = j;
        }
    }
    if (b->nruns == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 16;
        b->runs = sl_xrealloc(b->runs, b->cap * sizeof *b->runs);
    }
    b->runs[b->nruns++] = (sl_run_t){ p->lsn, (uint32_t)skip, (uint32_t)(part - skip) };
    if (bt->rows.nrows)
        b->raw_bytes += bt->raw_bytes * (part - skip) / bt->rows.nrows;
}

int sl_store__builders_add(sl_store_t *s, sl_pending_t *p, sl_diag_t *d)
{
    sl_batch_t *bt = p->batch;
    int tg = sl_colset_find(&bt->rows, "TimeGenerated");
    if (tg < 0 || bt->rows.nrows == 0)
        return 0;
    const sl_col_t *t = &bt->rows.cols[tg];
    /* Common case: every row falls in one segment. */
    sl_segment_t *first;
    int rc = sl_store__segs_for(s->segs, sl_col_i64(t, 0), &first, d);
    if (rc)
        return rc;
    size_t n = bt->rows.nrows, i;
    for (i = 1; i < n; i++) {
        sl_ticks_t v = sl_col_i64(t, i);
        if (v < first->start || v >= first->end)
            break;
    }
    if (i == n) {
        add_part(s, p, first, NULL, 0, 0, n);
        return 0;
    }
    /* Rows span segments: group row indices by segment, in row order. */
    uint32_t *idx = sl_xmalloc(n * sizeof *idx);
    bool *done = sl_xcalloc(n, sizeof *done);
    for (size_t start = 0; start < n && !rc; start++) {
        if (done[start])
            continue;
        sl_segment_t *seg;
        rc = sl_store__segs_for(s->segs, sl_col_i64(t, start), &seg, d);
        if (rc)
            break;
        size_t k = 0;
        for (size_t r = start; r < n; r++) {
            sl_ticks_t v = sl_col_i64(t, r);
            if (!done[r] && v >= seg->start && v < seg->end) {
                idx[k++] = (uint32_t)r;
                done[r] = true;
            }
        }
        add_part(s, p, seg, idx, k, 0, 0);
    }
    sl_free(idx);
    sl_free(done);
    return rc;
}

/* Blocks written in one segment transaction, for the on_block hook. */
typedef struct written {
    sl_builder_t *b;
    size_t from, to; /* rows of the builder */
    sl_block_hdr_t h;
} written_t;

typedef struct written_list {
    written_t *v;
    size_t n, cap;
} written_list_t;

static void builder_reset(sl_builder_t *b)
{
    sl_colset_dispose(&b->rows);
    sl_colset_init(&b->rows);
    b->nruns = 0;
    b->raw_bytes = 0;
}

/* Writes all rows of `b` as blocks into the open transaction; each block
 * is recorded in `w`. */
static int write_builder(sl_store_t *s, sl_builder_t *b, MDB_txn *txn, written_list_t *w,
                         sl_diag_t *d)
{
    uint32_t max_rows = s->o.block_max_rows;
    size_t bytes = sl_colset_bytes(&b->rows);
    size_t nrows = b->rows.nrows;
    /* Split evenly into as many blocks as the row and byte limits ask for. */
    size_t nblocks = SL_MAX((nrows + max_rows - 1) / max_rows,
                            (bytes + s->o.block_max_bytes - 1) / s->o.block_max_bytes);
    if (nblocks == 0)
        nblocks = 1;
    size_t per = (nrows + nblocks - 1) / nblocks;
    sl_buf_t data = SL_BUF_INIT;
    int rc = 0;
    for (size_t from = 0; from < nrows && !rc; from += per) {
        size_t to = SL_MIN(nrows, from + per);
        sl_colset_t chunk;
        const sl_colset_t *rows = &b->rows;
        if (from != 0 || to != nrows) {
            sl_colset_init(&chunk);
            sl_colset_append(&chunk, &b->rows, from, to);
            rows = &chunk;
        }
        uint8_t hdr[SL_BLOCK_HDR_LEN];
        uint64_t ns[3] = { 0, 0, 0 };
        sl_buf_reset(&data);
        for (int attempt = 0; attempt < 4; attempt++) {
            uint64_t id;
            sl_random_bytes(&id, sizeof id);
            sl_buf_reset(&data);
            rc = sl_store__block_build(s->kr, b->scope, &b->ws, b->table_id, id, rows, s->zc, hdr,
                                       &data, ns, d);
            if (rc)
                break;
            uint8_t idk[8], key[SL_BLOCK_KEY_LEN];
            sl_store_u64be(idk, id);
            MDB_val k = { 8, idk }, v = { data.len, data.data };
            rc = mdb_put(txn, b->seg->data, &k, &v, MDB_NOOVERWRITE);
            if (rc == MDB_KEYEXIST)
                continue; /* a 64-bit collision: pick another id */
            if (!rc) {
                sl_block_hdr_t h;
                sl_store__block_hdr_read(hdr, sizeof hdr, &h);
                sl_store__block_key(&b->ws, b->table_id, h.tmin, id, key);
                MDB_val hk = { sizeof key, key }, hv = { sizeof hdr, hdr };
                rc = mdb_put(txn, b->seg->blocks, &hk, &hv, 0);
                if (!rc) {
                    if (w->n == w->cap) {
                        w->cap = w->cap ? w->cap * 2 : 16;
                        w->v = sl_xrealloc(w->v, w->cap * sizeof *w->v);
                    }
                    w->v[w->n++] = (written_t){ b, from, to, h };
                }
            }
            if (rc)
                rc = sl_store__mdb_err(rc, d, "write block");
            break;
        }
        atomic_fetch_add(&s->st.ns_encode, ns[0]);
        atomic_fetch_add(&s->st.ns_compress, ns[1]);
        atomic_fetch_add(&s->st.ns_encrypt, ns[2]);
        if (!rc) {
            atomic_fetch_add(&s->st.blocks, 1);
            atomic_fetch_add(&s->st.block_rows, to - from);
            atomic_fetch_add(&s->st.block_bytes, data.len + SL_BLOCK_HDR_LEN);
        }
        if (rows != &b->rows)
            sl_colset_dispose(&chunk);
    }
    sl_buf_dispose(&data);
    if (rc)
        return rc;
    /* Applied mark and usage, in the same transaction as the blocks. */
    uint8_t key[21], val[12];
    stream_key(b, key);
    const sl_run_t *last = &b->runs[b->nruns - 1];
    sl_store_u64le(val, last->lsn);
    sl_store_u32le(val + 8, last->start + last->count);
    MDB_val ak = { sizeof key, key }, av = { sizeof val, val };
    rc = mdb_put(txn, b->seg->applied, &ak, &av, 0);
    if (!rc) {
        MDB_val uk = { 20, key }, uv;
        uint64_t rec = 0, byt = 0;
        if (mdb_get(txn, b->seg->usage, &uk, &uv) == 0 && uv.mv_size == 16) {
            rec = sl_load_u64le(uv.mv_data);
            byt = sl_load_u64le((uint8_t *)uv.mv_data + 8);
        }
        uint8_t u[16];
        sl_store_u64le(u, rec + nrows);
        sl_store_u64le(u + 8, byt + b->raw_bytes);
        uv = (MDB_val){ 16, u };
        rc = mdb_put(txn, b->seg->usage, &uk, &uv, 0);
    }
    return rc ? sl_store__mdb_err(rc, d, "write applied mark") : 0;
}

static bool due(const sl_store_t *s, const sl_builder_t *b, bool all, uint64_t now)
{
    if (b->rows.nrows == 0)
        return false;
    /* Without its scope's key (revoked) a builder waits: its rows stay in
     * the WAL, which keeps them until they are in blocks. */
    uint64_t aek;
    uint32_t kv;
    if (sl_keyring_active(s->kr, b->scope, &aek, &kv) != 0)
        return false;
    if (all || b->rows.nrows >= s->o.block_max_rows)
        return true;
    if (sl_colset_bytes(&b->rows) >= s->o.block_max_bytes)
        return true;
    return now - b->first_ns >= (uint64_t)s->o.flush_interval_ms * 1000000u;
}

/*
 * Hands each block of a committed transaction to the on_block hook, then
 * empties the builders that were written. A builder that made one block
 * lends its own rows (the hook may take them: the builder is emptied next
 * anyway); a builder split into several blocks gives each a copy of its
 * part. Builders are reset from this list rather than by asking due()
 * again, whose answer may have changed since (a key dropped meanwhile).
 */
static void after_commit(sl_store_t *s, written_list_t *w)
{
    for (size_t i = 0; i < w->n; i++) {
        written_t *x = &w->v[i];
        if (!s->o.on_block) {
            continue;
        }
        sl_store_block_info_t info = { .block_id = x->h.block_id, .scope = x->h.scope,
                                       .aek_id = x->h.aek_id, .ws = x->b->ws,
                                       .table_id = x->b->table_id, .tmin = x->h.tmin,
                                       .tmax = x->h.tmax, .rows = x->h.rows };
        if (x->from == 0 && x->to == x->b->rows.nrows) {
            s->o.on_block(s->o.on_block_arg, &info, &x->b->rows);
        } else {
            sl_colset_t part;
            sl_colset_init(&part);
            sl_colset_append(&part, &x->b->rows, x->from, x->to);
            s->o.on_block(s->o.on_block_arg, &info, &part);
            sl_colset_dispose(&part);
        }
    }
    for (size_t i = 0; i < w->n; i++) {
        if (i + 1 == w->n || w->v[i + 1].b != w->v[i].b) {
            builder_reset(w->v[i].b);
        }
    }
    w->n = 0;
}

int sl_store__builders_flush(sl_store_t *s, bool all, sl_diag_t *d)
{
    uint64_t now = sl_time_mono_ns();
    bool any = false;
    for (sl_builder_t *b = s->builders; b && !any; b = b->next)
        any = due(s, b, all, now);
    if (!any)
        return 0;
    /* Tables first: a block must never name a table the catalog lacks. */
    int rc = sl_store__schema_persist(s->schema, s->cat, d);
    if (rc)
        return rc;
    uint64_t t0 = sl_time_mono_ns();
    written_list_t w = { 0 };
    /* One transaction per segment for all its due builders. */
    for (sl_builder_t *b = s->builders; b && !rc; b = b->next) {
        if (!due(s, b, all, now) || b->seg->dirty)
            continue;
        sl_segment_t *seg = b->seg;
        MDB_txn *txn;
        rc = mdb_txn_begin(seg->env, NULL, 0, &txn);
        if (rc) {
            rc = sl_store__mdb_err(rc, d, "begin segment write");
            break;
        }
        for (sl_builder_t *c = b; c && !rc; c = c->next)
            if (c->seg == seg && due(s, c, all, now))
                rc = write_builder(s, c, txn, &w, d);
        if (rc) {
            mdb_txn_abort(txn);
            break;
        }
        rc = mdb_txn_commit(txn);
        if (rc) {
            rc = sl_store__mdb_err(rc, d, "commit segment write");
            break;
        }
        seg->dirty = true;
        after_commit(s, &w);
    }
    sl_free(w.v);
    /* The WAL may drop records only once their blocks are on disk for good. */
    for (sl_builder_t *b = s->builders; b; b = b->next) {
        if (b->seg->dirty) {
            mdb_env_sync(b->seg->env, 1);
            b->seg->dirty = false;
        }
    }
    atomic_fetch_add(&s->st.ns_commit, sl_time_mono_ns() - t0);
    /* Drop empty builders so the list stays short. */
    for (sl_builder_t **pp = &s->builders; *pp;) {
        sl_builder_t *b = *pp;
        if (b->rows.nrows == 0) {
            *pp = b->next;
            sl_colset_dispose(&b->rows);
            sl_free(b->runs);
            sl_free(b);
        } else {
            pp = &b->next;
        }
    }
    return rc;
}

uint64_t sl_store__low_water(sl_store_t *s)
{
    uint64_t low = atomic_load(&s->committed_through) + 1;
    for (sl_builder_t *b = s->builders; b; b = b->next)
        if (b->nruns && b->runs[0].lsn < low)
            low = b->runs[0].lsn;
    pthread_mutex_lock(&s->mu);
    if (s->seg_head && s->seg_head->lsn < low)
        low = s->seg_head->lsn;
    pthread_mutex_unlock(&s->mu);
    if (s->held_min_lsn && s->held_min_lsn < low)
        low = s->held_min_lsn;
    return low;
}

void sl_store__builders_free(sl_store_t *s)
{
    while (s->builders) {
        sl_builder_t *b = s->builders;
        s->builders = b->next;
        sl_colset_dispose(&b->rows);
        sl_free(b->runs);
        sl_free(b);
    }
}
