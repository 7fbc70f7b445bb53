/*
 * Retention purge, run by the segment writer (the only thread that writes
 * segments) with every builder flushed first.
 *
 * Per segment, oldest first: the usage database lists which (workspace,
 * table) pairs have data there. If every one of those workspaces has a rule
 * whose cutoff is at or after the segment's end, the whole environment is
 * dropped (closed and deleted once the last reader lets go). Otherwise each
 * expired workspace's blocks are visited through their key prefix: blocks
 * entirely before the cutoff are deleted, a block across it is rewritten
 * with only its live rows. Nothing else is read.
 */
#include "store/store_int.h"

#include <string.h>

static const sl_retention_rule_t *rule_for(const sl_purge_job_t *j, const uint8_t *ws)
{
    for (size_t i = 0; i < j->n; i++)
        if (!memcmp(j->rules[i].ws.b, ws, 16))
            return &j->rules[i];
    return NULL;
}

/* True if every workspace with data in `seg` has expired there entirely. */
static bool segment_expired(sl_segment_t *seg, const sl_purge_job_t *j)
{
    MDB_txn *txn;
    MDB_cursor *cur;
    if (mdb_txn_begin(seg->env, NULL, MDB_RDONLY, &txn))
        return false;
    bool all = true, any = false;
    if (mdb_cursor_open(txn, seg->usage, &cur) == 0) {
        MDB_val k, v;
        for (int op = MDB_FIRST; all && mdb_cursor_get(cur, &k, &v, op) == 0; op = MDB_NEXT) {
            any = true;
            const sl_retention_rule_t *r = k.mv_size >= 16 ? rule_for(j, k.mv_data) : NULL;
            all = r && r->cutoff >= seg->end;
        }
        mdb_cursor_close(cur);
    }
    mdb_txn_abort(txn);
    return all && any;
}

/* Rewrites block `hdr` keeping rows with TimeGenerated >= cutoff. */
static int rewrite(sl_store_t *s, sl_segment_t *seg, MDB_txn *txn, const uint8_t *hdr,
                   const MDB_val *data, sl_ticks_t cutoff, sl_purge_stats_t *st, sl_diag_t *d)
{
    sl_block_reader_t r;
    sl_store__block_reader_init(&r);
    sl_colset_t all, keep;
    sl_colset_init(&all);
    sl_colset_init(&keep);
    int rc = sl_store__block_open(&r, s->kr, hdr, SL_BLOCK_HDR_LEN, data->mv_data, data->mv_size,
                                  d);
    for (size_t i = 0; !rc && i < r.ncols; i++) {
        int ci = sl_colset_add(&all, r.cols[i].name, r.cols[i].type);
        sl_buf_dispose(&all.cols[ci].offs);
        rc = sl_store__block_read_col(&r, i, &all.cols[ci], d);
    }
    sl_block_hdr_t h = r.hdr;
    sl_store__block_reader_dispose(&r);
    if (rc)
        goto done;
    all.nrows = h.rows;
    int tg = sl_colset_find(&all, "TimeGenerated");
    if (tg < 0) {
        rc = sl_diag_set(d, SL_EINTEGRITY, "block without TimeGenerated");
        goto done;
    }
    /* Live rows, kept in order, appended in runs. */
    for (size_t i = 0; i < all.nrows;) {
        while (i < all.nrows && sl_col_i64(&all.cols[tg], i) < cutoff)
            i++;
        size_t j = i;
        while (j < all.nrows && sl_col_i64(&all.cols[tg], j) >= cutoff)
            j++;
        sl_colset_append(&keep, &all, i, j);
        i = j;
    }
    st->rows_deleted += all.nrows - keep.nrows;
    uint8_t idk[8], key[SL_BLOCK_KEY_LEN];
    sl_store_u64be(idk, h.block_id);
    MDB_val dk = { 8, idk };
    sl_store__block_key(&h.ws, h.table_id, h.tmin, h.block_id, key);
    MDB_val hk = { sizeof key, key };
    if ((rc = mdb_del(txn, seg->data, &dk, NULL)) || (rc = mdb_del(txn, seg->blocks, &hk, NULL))) {
        rc = sl_store__mdb_err(rc, d, "delete block");
        goto done;
    }
    if (keep.nrows) {
        uint64_t id, ns[3] = { 0, 0, 0 };
        sl_random_bytes(&id, sizeof id);
        uint8_t nh[SL_BLOCK_HDR_LEN];
        sl_buf_t nd = SL_BUF_INIT;
        /* Rewritten under the block's own scope: its current key. */
        rc = sl_store__block_build(s->kr, h.scope, &h.ws, h.table_id, id, &keep, s->zc, nh, &nd,
                                   ns, d);
        if (!rc) {
            sl_block_hdr_t n2;
            sl_store__block_hdr_read(nh, sizeof nh, &n2);
            sl_store_u64be(idk, id);
            sl_store__block_key(&h.ws, h.table_id, n2.tmin, id, key);
            MDB_val v = { nd.len, nd.data }, hv = { sizeof nh, nh };
            rc = mdb_put(txn, seg->data, &dk, &v, MDB_NOOVERWRITE);
            if (!rc)
                rc = mdb_put(txn, seg->blocks, &hk, &hv, 0);
            if (rc)
                rc = sl_store__mdb_err(rc, d, "write rewritten block");
        }
        sl_buf_dispose(&nd);
        st->blocks_rewritten++;
    } else {
        st->blocks_deleted++;
    }
done:
    sl_colset_dispose(&all);
    sl_colset_dispose(&keep);
    return rc;
}

static int purge_workspace(sl_store_t *s, sl_segment_t *seg, MDB_txn *txn,
                           const sl_retention_rule_t *rule, sl_purge_stats_t *st, sl_diag_t *d)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, seg->blocks, &cur);
    if (rc)
        return sl_store__mdb_err(rc, d, "segment cursor");
    uint8_t from[SL_BLOCK_KEY_LEN] = { 0 };
    memcpy(from, rule->ws.b, 16);
    MDB_val k = { sizeof from, from }, v;
    /* Rewrites add keys behind the cursor; collect first, act after. */
    typedef struct {
        uint8_t hdr[SL_BLOCK_HDR_LEN];
        bool whole;
    } victim_t;
    victim_t *vs = NULL;
    size_t nv = 0;
    for (int op = MDB_SET_RANGE; mdb_cursor_get(cur, &k, &v, op) == 0; op = MDB_NEXT) {
        if (k.mv_size != SL_BLOCK_KEY_LEN || memcmp(k.mv_data, rule->ws.b, 16))
            break;
        sl_block_hdr_t h;
        if (sl_store__block_hdr_read(v.mv_data, v.mv_size, &h))
            continue;
        if (h.tmin >= rule->cutoff)
            continue;
        vs = sl_xrealloc(vs, (nv + 1) * sizeof *vs);
        memcpy(vs[nv].hdr, v.mv_data, SL_BLOCK_HDR_LEN);
        vs[nv++].whole = h.tmax < rule->cutoff;
    }
    mdb_cursor_close(cur);
    rc = 0;
    for (size_t i = 0; i < nv && !rc; i++) {
        sl_block_hdr_t h;
        sl_store__block_hdr_read(vs[i].hdr, SL_BLOCK_HDR_LEN, &h);
        uint8_t idk[8], key[SL_BLOCK_KEY_LEN];
        sl_store_u64be(idk, h.block_id);
        MDB_val dk = { 8, idk }, dv;
        if (!vs[i].whole) {
            if (mdb_get(txn, seg->data, &dk, &dv) == 0)
                rc = rewrite(s, seg, txn, vs[i].hdr, &dv, rule->cutoff, st, d);
            continue;
        }
        sl_store__block_key(&h.ws, h.table_id, h.tmin, h.block_id, key);
        MDB_val hk = { sizeof key, key };
        int r1 = mdb_del(txn, seg->data, &dk, NULL), r2 = mdb_del(txn, seg->blocks, &hk, NULL);
        if ((r1 && r1 != MDB_NOTFOUND) || (r2 && r2 != MDB_NOTFOUND))
            rc = sl_store__mdb_err(r1 ? r1 : r2, d, "delete block");
        st->blocks_deleted++;
        st->rows_deleted += h.rows;
    }
    sl_free(vs);
    return rc;
}

void sl_store__purge_run(sl_store_t *s, sl_purge_job_t *j)
{
    sl_segment_t **segs;
    size_t n = sl_store__segs_range(s->segs, INT64_MIN, INT64_MAX, &segs);
    sl_ticks_t oldest_cutoff = INT64_MIN;
    for (size_t i = 0; i < j->n; i++)
        oldest_cutoff = SL_MAX(oldest_cutoff, j->rules[i].cutoff);
    for (size_t i = 0; i < n && !j->rc; i++) {
        sl_segment_t *seg = segs[i];
        if (seg->start >= oldest_cutoff)
            continue; /* nothing in it can have expired */
        bool held = false;
        for (sl_builder_t *b = s->builders; b; b = b->next)
            held |= b->seg == seg;
        if (held)
            continue; /* rows waiting for their key still point at it */
        if (segment_expired(seg, j)) {
            sl_store__segs_drop(s->segs, seg);
            j->st.segments_dropped++;
            continue;
        }
        MDB_txn *txn;
        int rc = mdb_txn_begin(seg->env, NULL, 0, &txn);
        if (rc) {
            j->rc = sl_store__mdb_err(rc, &j->d, "begin purge");
            break;
        }
        for (size_t r = 0; r < j->n && !rc; r++)
            if (j->rules[r].cutoff > seg->start)
                rc = purge_workspace(s, seg, txn, &j->rules[r], &j->st, &j->d);
        if (rc) {
            mdb_txn_abort(txn);
            j->rc = rc;
        } else if ((rc = mdb_txn_commit(txn))) {
            j->rc = sl_store__mdb_err(rc, &j->d, "commit purge");
        }
    }
    for (size_t i = 0; i < n; i++)
        sl_store__seg_unref(segs[i]);
    sl_free(segs);
}

int sl_store_purge(sl_store_t *s, const sl_retention_rule_t *rules, size_t n,
                   sl_purge_stats_t *st, sl_diag_t *d)
{
    sl_purge_job_t j = { 0 };
    j.rules = rules;
    j.n = n;
    pthread_mutex_lock(&s->mu);
    while (s->purge) /* one purge at a time */
        pthread_cond_wait(&s->flush_cv, &s->mu);
    s->purge = &j;
    pthread_cond_signal(&s->seg_cv);
    while (!j.done)
        pthread_cond_wait(&s->flush_cv, &s->mu);
    pthread_mutex_unlock(&s->mu);
    if (st)
        *st = j.st;
    if (j.rc && d)
        *d = j.d;
    return j.rc;
}
