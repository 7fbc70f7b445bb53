/*
 * The read-through: what a query's scan calls for each block.
 *
 *   memory block, scope detached ──────────────────────────▶ store
 *   AEK not in the keyring ────────────────────────────────▶ SL_EKEYUNAVAIL
 *   in the index, every wanted column known ───────────────▶ cache (hit)
 *   otherwise (or a damaged entry) ────────────────────────▶ store (miss) ─▶ admit
 *
 * A hit holds the scope's lock shared for the one block (a wipe waits for
 * it, and then nothing can start), opens one LMDB read transaction, derives
 * the block key, opens the directory, and decrypts each wanted column
 * straight into the output column. The cache only serves what the store
 * would: a block whose AEK the keyring no longer holds is refused exactly as
 * the store refuses it, even before the wipe has run.
 *
 * Term probes (sl_cache_read_probed): the cache keeps no term filters, so a
 * block it holds is first checked against storage's (its directory and
 * filters only, sl_store_snap_probe) — a rare-term `has` skips cached blocks
 * as it skips stored ones. On a miss the store read does the same; a skipped
 * block has nothing to admit and is no miss.
 *
 * A miss reads the store, then queues a copy of the columns it read (and
 * the wanted names the block turned out not to have) for the cache thread,
 * without waiting: a full queue only means the block is not admitted.
 */
#include "cache/cache_int.h"

#include <string.h>

static bool wanted(const char *const *cols, size_t n, const char *name)
{
    if (!cols) {
        return true;
    }
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(cols[i], name)) {
            return true;
        }
    }
    return false;
}

/* Reads block `id` from the cache into `out`: 0, SL_ENOTFOUND when a
 * wanted column is not known to the cache (a miss), SL_EINTEGRITY when the
 * entry is damaged or does not match the block. */
static int hit_read(sl_cache_scope_t *sc, const sl_snap_block_t *b, const char *const *cols,
                    size_t ncols, sl_colset_t *out, uint64_t *bytes)
{
    MDB_txn *txn;
    if (mdb_txn_begin(sc->env, NULL, MDB_RDONLY, &txn)) {
        return SL_ENOTFOUND;
    }
    uint8_t idk[8], key[SL_KEY_LEN];
    sl_store_u64be(idk, b->block_id);
    MDB_val k = { 8, idk }, v;
    sl_cache_meta_t m;
    sl_cache_dir_t dir = { 0 };
    int rc = mdb_get(txn, sc->blocks, &k, &v) ? SL_ENOTFOUND : 0;
    if (!rc && (sl_cache__meta_read(v.mv_data, v.mv_size, &m) || m.scope != b->scope ||
                m.rows != b->rows || sl_cache__block_key(sc->key, b->block_id, m.salt, key) ||
                sl_cache__dir_open(key, b->block_id, v.mv_data, v.mv_size, &dir))) {
        rc = SL_EINTEGRITY;
    }
    bool complete = !rc && (m.flags & SL_CACHE_META_COMPLETE);
    /* Every wanted column must be known: cached, or known to be absent. */
    if (!rc && !complete) {
        if (!cols) {
            rc = SL_ENOTFOUND;
        }
        for (size_t i = 0; !rc && i < ncols; i++) {
            if (sl_cache__dir_find(&dir, cols[i]) < 0) {
                rc = SL_ENOTFOUND;
            }
        }
    }
    uint64_t got = 0;
    for (size_t i = 0; !rc && i < dir.n; i++) {
        const sl_cache_dcol_t *dc = &dir.cols[i];
        if (dc->ordinal < 0 || !wanted(cols, ncols, dc->name)) {
            continue;
        }
        uint8_t ck[SL_CACHE_COL_KEY_LEN];
        sl_cache__col_key(b->block_id, (uint32_t)dc->ordinal, ck);
        MDB_val cv = { sizeof ck, ck }, val;
        if (mdb_get(txn, sc->cols, &cv, &val)) {
            rc = SL_EINTEGRITY;
            break;
        }
        int ci = sl_colset_add(out, dc->name, dc->type);
        rc = sl_cache__col_open(key, b->block_id, (uint32_t)dc->ordinal, val.mv_data,
                                val.mv_size, m.rows, &out->cols[ci]);
        if (rc && rc != SL_ENOMEM) {
            rc = SL_EINTEGRITY;
        }
        got += val.mv_size;
    }
    if (!rc) {
        out->nrows = m.rows;
        *bytes = got;
    }
    sl_wipe(key, sizeof key);
    sl_cache__dir_dispose(&dir);
    mdb_txn_abort(txn);
    return rc;
}

/* Queues the columns just read from the store for admission. */
static void admit(sl_cache_t *c, const sl_snap_block_t *b, uint64_t gen, bool replace,
                  const char *const *cols, size_t ncols, const sl_colset_t *rows)
{
    uint64_t qbytes = sl_colset_bytes(rows), est = sl_cache__estimate(rows);
    if (!rows->nrows || est > c->o.max_bytes) {
        return; /* could never fit */
    }
    pthread_mutex_lock(&c->qmu);
    bool room = c->qbytes == 0 || c->qbytes + qbytes <= c->o.queue_max_bytes;
    pthread_mutex_unlock(&c->qmu);
    if (!room) {
        atomic_fetch_add(&c->st.dropped, 1);
        return;
    }
    sl_cache_job_t *j = sl_xcalloc(1, sizeof *j);
    j->kind = SL_CACHE_JOB_ADMIT;
    j->b = (sl_cache_block_t){ .block_id = b->block_id, .scope = b->scope, .ws = b->ws,
                               .tmin = b->tmin, .tmax = b->tmax };
    j->gen = gen;
    j->atime = sl_time_now();
    j->complete = cols == NULL;
    j->replace = replace;
    sl_colset_init(&j->rows);
    sl_colset_append(&j->rows, rows, 0, rows->nrows);
    for (size_t i = 0; cols && i < ncols; i++) {
        if (sl_colset_find(rows, cols[i]) < 0) {
            j->absent = sl_xrealloc(j->absent, (j->nabsent + 1) * sizeof *j->absent);
            j->absent[j->nabsent++] = sl_xstrdup(cols[i]);
        }
    }
    j->qbytes = qbytes;
    j->est = est;
    sl_cache__push(c, j, false, NULL);
}

static const char *scope_label(sl_scope_t s)
{
    return s == SL_SCOPE_CMK ? "customer-managed" : "service-managed";
}

int sl_cache_read(sl_cache_t *c, sl_snap_t *sn, size_t i, const char *const *cols, size_t ncols,
                  sl_snap_reader_t *rd, sl_colset_t *out, sl_cache_read_stats_t *st,
                  sl_diag_t *d)
{
    return sl_cache_read_probed(c, sn, i, cols, ncols, NULL, 0, rd, out, st, d);
}

int sl_cache_read_probed(sl_cache_t *c, sl_snap_t *sn, size_t i, const char *const *cols,
                         size_t ncols, const sl_snap_probe_t *probes, size_t nprobes,
                         sl_snap_reader_t *rd, sl_colset_t *out, sl_cache_read_stats_t *st,
                         sl_diag_t *d)
{
    const sl_snap_block_t *b = sl_store_snap_block(sn, i);
    sl_cache_read_stats_t local = { 0 };
    if (!st) {
        st = &local;
    }
    st->hit = false;
    st->skipped = false;
    st->bytes_decrypted = 0;
    if (!c || b->memory || !b->block_id) {
        return sl_store_snap_read_probed(sn, i, cols, ncols, probes, nprobes, rd, out,
                                         &st->bytes_decrypted, &st->skipped, d);
    }
    sl_cache_scope_t *sc = &c->scope[b->scope];
    if (!atomic_load(&sc->attached)) {
        atomic_fetch_add(&c->st.bypass, 1);
        return sl_store_snap_read_probed(sn, i, cols, ncols, probes, nprobes, rd, out,
                                         &st->bytes_decrypted, &st->skipped, d);
    }
    if (!sl_keyring_has(c->kr, b->scope, b->aek_id)) {
        return sl_diag_set(d, SL_EKEYUNAVAIL, "the %s key (AEK %016llx) of block %016llx is "
                           "unavailable", scope_label(b->scope), (unsigned long long)b->aek_id,
                           (unsigned long long)b->block_id);
    }
    pthread_rwlock_rdlock(&sc->lock);
    uint64_t gen = atomic_load(&sc->gen);
    bool known = false;
    if (sc->key) {
        pthread_mutex_lock(&c->mu);
        sl_cache_ent_t *e = sl_cache__idx_get(&c->idx, b->block_id);
        if (e) {
            known = true;
            e->atime = sl_time_now();
            e->touched = true;
        }
        pthread_mutex_unlock(&c->mu);
    }
    int rc = SL_ENOTFOUND;
    bool damaged = false;
    if (known && nprobes) {
        /* The entry has no term filters: ask storage's, which costs the
         * block's directory and filters, not its columns. */
        rc = sl_store_snap_probe(sn, i, probes, nprobes, rd, &st->skipped, &st->bytes_decrypted,
                                 d);
        if (rc || st->skipped) {
            pthread_rwlock_unlock(&sc->lock);
            if (!rc)
                atomic_fetch_add(&c->st.skipped, 1);
            return rc;
        }
        rc = SL_ENOTFOUND;
    }
    if (known) {
        uint64_t bytes = 0;
        rc = hit_read(sc, b, cols, ncols, out, &bytes);
        if (!rc) {
            st->hit = true;
            st->bytes_decrypted = bytes;
            atomic_fetch_add(&c->st.hits, 1);
            atomic_fetch_add(&c->st.hit_bytes, bytes);
        } else {
            sl_colset_dispose(out);
            sl_colset_init(out);
            if (rc == SL_EINTEGRITY) {
                /* Read it from the store; the admission replaces the entry. */
                atomic_fetch_add(&c->st.integrity, 1);
                damaged = true;
            }
        }
    }
    bool attached = sc->key != NULL;
    pthread_rwlock_unlock(&sc->lock);
    if (st->hit) {
        return 0;
    }
    rc = sl_store_snap_read_probed(sn, i, cols, ncols, probes, nprobes, rd, out,
                                   &st->bytes_decrypted, &st->skipped, d);
    if (!rc && st->skipped) {
        /* The term filter answered: nothing was read that could be cached. */
        atomic_fetch_add(&c->st.skipped, 1);
        return 0;
    }
    atomic_fetch_add(&c->st.misses, 1);
    atomic_fetch_add(&c->st.miss_bytes, st->bytes_decrypted);
    if (!rc && attached) {
        admit(c, b, gen, damaged, cols, ncols, out);
    }
    return rc;
}
