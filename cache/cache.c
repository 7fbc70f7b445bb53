/*
 * The cache object: open and close, the feed from the store, retention,
 * and the counters for /metrics.
 *
 *   sl_cache_open ─ empty the trash ─ attach each scope whose AEK is there
 *                   (keep or discard its entries) ─ discard the others ─ thread
 *   sl_cache_close ─ drain the queue ─ stop the thread ─ close scopes cleanly
 *
 * The byte bound is shared by the two scopes; the LMDB map of each is twice
 * the bound plus slack, because a file keeps its high-water mark and large
 * values need contiguous free pages (docs/OPERATIONS.md "Hot cache" says
 * how to size the disk).
 */
#include "cache/cache_int.h"

#include <stdio.h>
#include <string.h>

#define DEFAULT_QUEUE (64u << 20)

sl_ticks_t sl_cache__window(const sl_cache_t *c, sl_ticks_t now)
{
    return now - c->hot_ticks;
}

uint64_t sl_cache__estimate(const sl_colset_t *rows)
{
    /* The meta value is small next to the columns; a name and a few bytes
     * per column cover it. */
    uint64_t b = SL_CACHE_META_HDR + SL_CACHE_SEAL_OVER + 16;
    for (size_t i = 0; i < rows->ncols; i++) {
        b += sl_cache__col_sealed_len(&rows->cols[i]) + strlen(rows->cols[i].name) + 8;
    }
    return b;
}

static void read_boot_id(char out[64])
{
    sl_buf_t f = SL_BUF_INIT;
    out[0] = '\0';
    if (sl_read_file("/proc/sys/kernel/random/boot_id", 256, &f) == 0) {
        size_t n = 0;
        while (n < f.len && n < 63 && f.data[n] != '\n') {
            n++;
        }
        memcpy(out, f.data, n);
        out[n] = '\0';
    }
    sl_buf_dispose(&f);
}

int sl_cache_open(const sl_cache_opts_t *o, sl_cache_t **out, sl_diag_t *d)
{
    if (!o->path || !*o->path || !o->keyring || !o->max_bytes) {
        return sl_diag_set(d, SL_EINVAL, "cache: a path, a keyring and a size are required");
    }
    if (strlen(o->path) > PATH_MAX - 64) {
        return sl_diag_set(d, SL_EINVAL, "cache: path too long");
    }
    int rc = sl_mkdirs(o->path, 0700);
    if (rc) {
        return sl_diag_set(d, rc, "cache: cannot create %s", o->path);
    }
    sl_cache_t *c = sl_xcalloc(1, sizeof *c);
    c->o = *o;
    snprintf(c->path, sizeof c->path, "%s", o->path);
    c->o.path = c->path;
    c->kr = o->keyring;
    if (!c->o.hot_days) {
        c->o.hot_days = 14;
    }
    if (!c->o.queue_max_bytes) {
        c->o.queue_max_bytes = DEFAULT_QUEUE;
    }
    c->hot_ticks = (sl_ticks_t)c->o.hot_days * SL_TICKS_PER_DAY;
    uint64_t map = c->o.max_bytes * 2 + (64u << 20);
    c->mapsize = (size_t)((map + (1u << 20) - 1) & ~(uint64_t)((1u << 20) - 1));
    read_boot_id(c->boot_id);
    pthread_mutex_init(&c->mu, NULL);
    pthread_mutex_init(&c->qmu, NULL);
    pthread_mutex_init(&c->rmu, NULL);
    pthread_cond_init(&c->qcv, NULL);
    pthread_cond_init(&c->qroom, NULL);
    pthread_rwlockattr_t ra;
    pthread_rwlockattr_init(&ra);
    pthread_rwlockattr_setkind_np(&ra, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    for (int s = 0; s < SL_SCOPE_COUNT; s++) {
        sl_cache_scope_t *sc = &c->scope[s];
        sc->id = (sl_scope_t)s;
        pthread_rwlock_init(&sc->lock, &ra);
        snprintf(sc->dir, sizeof sc->dir, "%s/%s", c->path, s == SL_SCOPE_CMK ? "cmk" : "mmk");
    }
    pthread_rwlockattr_destroy(&ra);

    /* Leftovers of wipes the last run did not finish deleting. */
    sl_cache__trash_empty(c);
    for (int s = 0; !rc && s < SL_SCOPE_COUNT; s++) {
        sl_cache_scope_t *sc = &c->scope[s];
        pthread_rwlock_wrlock(&sc->lock);
        rc = sl_cache__scope_attach(c, (sl_scope_t)s, NULL, d);
        if (rc == SL_EKEYUNAVAIL && c->o.keep_detached) {
            /* Unreadable until sl_cache_attach finds the AEK (or a wipe). */
            rc = 0;
        } else if (rc == SL_EKEYUNAVAIL) {
            /* Its key is gone: so are its entries. */
            rc = sl_cache__scope_discard(c, (sl_scope_t)s);
            if (rc) {
                sl_diag_set(d, rc, "cache: cannot discard %s", sc->dir);
            }
        }
        pthread_rwlock_unlock(&sc->lock);
    }
    if (!rc) {
        sl_cache__trash_empty(c);
        rc = sl_cache__thread_start(c, d);
    }
    if (rc) {
        sl_cache_close(c);
        return rc;
    }
    *out = c;
    return 0;
}

int sl_cache_attach(sl_cache_t *c, sl_scope_t scope, bool *kept, sl_diag_t *d)
{
    if (kept) {
        *kept = false;
    }
    if ((unsigned)scope >= SL_SCOPE_COUNT) {
        return sl_diag_set(d, SL_EINVAL, "cache: no such key scope");
    }
    sl_cache_scope_t *sc = &c->scope[scope];
    pthread_rwlock_wrlock(&sc->lock);
    int rc = sl_cache__scope_attach(c, scope, kept, d);
    pthread_rwlock_unlock(&sc->lock);
    return rc;
}

void sl_cache_close(sl_cache_t *c)
{
    if (!c) {
        return;
    }
    sl_cache__thread_stop(c);
    while (c->qhead) {
        sl_cache_job_t *j = c->qhead;
        c->qhead = j->next;
        sl_cache__job_free(j);
    }
    for (int s = 0; s < SL_SCOPE_COUNT; s++) {
        sl_cache__scope_close(c, (sl_scope_t)s);
        pthread_rwlock_destroy(&c->scope[s].lock);
    }
    sl_cache__idx_dispose(&c->idx);
    pthread_mutex_destroy(&c->mu);
    pthread_mutex_destroy(&c->qmu);
    pthread_mutex_destroy(&c->rmu);
    pthread_cond_destroy(&c->qcv);
    pthread_cond_destroy(&c->qroom);
    sl_free(c);
}

int sl_cache_put_block(sl_cache_t *c, const sl_cache_block_t *b, sl_colset_t *rows)
{
    if (!b->block_id || b->scope >= SL_SCOPE_COUNT || !rows->nrows) {
        return SL_EINVAL;
    }
    sl_cache_scope_t *sc = &c->scope[b->scope];
    uint64_t gen = atomic_load(&sc->gen);
    if (!atomic_load(&sc->attached)) {
        return SL_EKEYUNAVAIL;
    }
    uint64_t qbytes = sl_colset_bytes(rows);
    /* Cheap early refusal without moving the rows. */
    pthread_mutex_lock(&c->qmu);
    bool room = c->qbytes == 0 || c->qbytes + qbytes <= c->o.queue_max_bytes;
    pthread_mutex_unlock(&c->qmu);
    if (!room) {
        atomic_fetch_add(&c->st.dropped, 1);
        return SL_EBUSY;
    }
    sl_cache_job_t *j = sl_xcalloc(1, sizeof *j);
    j->kind = SL_CACHE_JOB_PUT;
    j->b = *b;
    j->gen = gen;
    j->atime = sl_time_now();
    j->rows = *rows;
    sl_colset_init(rows);
    j->qbytes = qbytes;
    j->est = sl_cache__estimate(&j->rows);
    return sl_cache__push(c, j, false, NULL) ? 0 : SL_EBUSY;
}

void sl_cache_on_block_written(void *cache, const sl_store_block_info_t *info,
                               sl_colset_t *rows)
{
    sl_cache_block_t b = { .block_id = info->block_id, .scope = info->scope, .ws = info->ws,
                           .tmin = info->tmin, .tmax = info->tmax };
    /* A full queue or a detached scope just means this block is not cached. */
    (void)sl_cache_put_block(cache, &b, rows);
}

int sl_cache_purge(sl_cache_t *c, const sl_retention_rule_t *rules, size_t n,
                   uint64_t *dropped, sl_diag_t *d)
{
    uint64_t total = 0;
    int rc = 0;
    for (int s = 0; s < SL_SCOPE_COUNT; s++) {
        sl_cache_scope_t *sc = &c->scope[s];
        pthread_rwlock_rdlock(&sc->lock);
        if (!sc->env) {
            pthread_rwlock_unlock(&sc->lock);
            continue;
        }
        size_t k = 0, cap = 0;
        uint64_t *ids = NULL;
        pthread_mutex_lock(&c->mu);
        for (size_t i = 0; i < c->idx.cap; i++) {
            const sl_cache_ent_t *e = &c->idx.slot[i];
            if (!e->id || e->scope != s) {
                continue;
            }
            for (size_t r = 0; r < n; r++) {
                if (!memcmp(rules[r].ws.b, e->ws.b, 16) && e->tmin < rules[r].cutoff) {
                    if (k == cap) {
                        cap = cap ? cap * 2 : 64;
                        ids = sl_xrealloc(ids, cap * sizeof *ids);
                    }
                    ids[k++] = e->id;
                    break;
                }
            }
        }
        pthread_mutex_unlock(&c->mu);
        MDB_txn *txn = NULL;
        int mr = k ? mdb_txn_begin(sc->env, NULL, 0, &txn) : 0;
        for (size_t i = 0; !mr && i < k; i++) {
            mr = sl_cache__env_del_block(sc, txn, ids[i]);
        }
        if (txn) {
            if (!mr) {
                mr = mdb_txn_commit(txn);
            } else {
                mdb_txn_abort(txn);
            }
        }
        if (mr) {
            rc = sl_cache__mdb_err(mr, d, "purge");
        } else if (k) {
            sl_cache__forget(c, ids, k, false);
            total += k;
        }
        sl_free(ids);
        pthread_rwlock_unlock(&sc->lock);
    }
    if (dropped) {
        *dropped = total;
    }
    return rc;
}

void sl_cache_stats(sl_cache_t *c, sl_cache_stats_t *out)
{
    memset(out, 0, sizeof *out);
    out->hits = atomic_load(&c->st.hits);
    out->misses = atomic_load(&c->st.misses);
    out->bypass = atomic_load(&c->st.bypass);
    out->skipped = atomic_load(&c->st.skipped);
    out->hit_bytes = atomic_load(&c->st.hit_bytes);
    out->miss_bytes = atomic_load(&c->st.miss_bytes);
    out->puts = atomic_load(&c->st.puts);
    out->admits = atomic_load(&c->st.admits);
    out->dropped = atomic_load(&c->st.dropped);
    out->evictions = atomic_load(&c->st.evictions);
    out->evicted_bytes = atomic_load(&c->st.evicted_bytes);
    out->integrity_failures = atomic_load(&c->st.integrity);
    out->discarded = atomic_load(&c->st.discarded);
    out->wipes = atomic_load(&c->st.wipes);
    out->max_bytes = c->o.max_bytes;
    pthread_mutex_lock(&c->mu);
    for (int s = 0; s < SL_SCOPE_COUNT; s++) {
        out->scope_blocks[s] = c->blocks[s];
        out->scope_bytes[s] = c->bytes[s];
        out->blocks += c->blocks[s];
        out->bytes += c->bytes[s];
        out->attached[s] = atomic_load(&c->scope[s].attached);
    }
    out->last_wipe = c->last_wipe;
    pthread_mutex_unlock(&c->mu);
    pthread_mutex_lock(&c->qmu);
    out->queue_bytes = c->qbytes;
    pthread_mutex_unlock(&c->qmu);
    pthread_mutex_lock(&c->rmu);
    out->reload = c->reload;
    pthread_mutex_unlock(&c->rmu);
}
