/*
 * The cache thread: the one writer of cache entries.
 *
 *   store hook ─ sl_cache_put_block ─┐
 *   query miss ─ admission ──────────┼─▶ [queue, bounded in bytes] ─▶ cache thread
 *   reload workers (wait for room) ──┘        seal, evict, write, index
 *
 * Producers never wait, except reloads: a full queue drops new blocks and
 * admissions (counted), because ingestion and queries must not slow down
 * for the cache. The thread takes up to BATCH_BYTES of jobs at a time and
 * writes each scope's share in one LMDB transaction while holding that
 * scope's lock shared, so a wipe waits at most for one batch. A job whose
 * scope was wiped or re-attached since it was queued (its generation no
 * longer matches) is dropped: its rows belong to a key that is gone.
 *
 * Between batches (and at least every ATIME_EVERY_MS) it writes the access
 * times that reads recorded in the index, so LRU order survives a restart,
 * and deletes the files of wiped environments.
 */
#include "cache/cache_int.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#define BATCH_BYTES (32u << 20)
#define ATIME_EVERY_MS 2000

static void wipe_colset(sl_colset_t *s)
{
    for (size_t i = 0; i < s->ncols; i++) {
        sl_col_t *c = &s->cols[i];
        sl_wipe(c->data.data, c->data.len);
        sl_wipe(c->name, strlen(c->name));
    }
    sl_colset_dispose(s);
}

void sl_cache__job_free(sl_cache_job_t *j)
{
    if (!j) {
        return;
    }
    /* The rows are plaintext of a key scope: leave nothing behind. */
    wipe_colset(&j->rows);
    for (size_t i = 0; i < j->nabsent; i++) {
        sl_free(j->absent[i]);
    }
    sl_free(j->absent);
    sl_free(j);
}

/* Called when a job leaves the queue's custody without being written. */
static void job_drop(sl_cache_t *c, sl_cache_job_t *j)
{
    atomic_fetch_add(&c->st.dropped, 1);
    if (j->reload) {
        atomic_fetch_sub(&c->reload_inflight, j->est);
    }
    sl_cache__job_free(j);
}

bool sl_cache__push(sl_cache_t *c, sl_cache_job_t *j, bool wait, const _Atomic bool *cancel)
{
    sl_cache_scope_t *sc = &c->scope[j->b.scope];
    pthread_mutex_lock(&c->qmu);
    for (;;) {
        bool stale = atomic_load(&sc->gen) != j->gen || c->stop || (cancel && atomic_load(cancel));
        /* One job may always enter an empty queue, however large. */
        bool room = c->qbytes == 0 || c->qbytes + j->qbytes <= c->o.queue_max_bytes;
        if (!stale && room) {
            break;
        }
        if (stale || !wait) {
            pthread_mutex_unlock(&c->qmu);
            job_drop(c, j);
            return false;
        }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 50 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&c->qroom, &c->qmu, &ts);
    }
    j->next = NULL;
    if (c->qtail) {
        c->qtail->next = j;
    } else {
        c->qhead = j;
    }
    c->qtail = j;
    c->qbytes += j->qbytes;
    pthread_cond_signal(&c->qcv);
    pthread_mutex_unlock(&c->qmu);
    return true;
}

void sl_cache__queue_drop_scope(sl_cache_t *c, sl_scope_t s)
{
    sl_cache_job_t *drop = NULL;
    pthread_mutex_lock(&c->qmu);
    sl_cache_job_t **pp = &c->qhead, *last = NULL;
    while (*pp) {
        sl_cache_job_t *j = *pp;
        if (j->b.scope == s) {
            *pp = j->next;
            c->qbytes -= j->qbytes;
            j->next = drop;
            drop = j;
        } else {
            last = j;
            pp = &j->next;
        }
    }
    c->qtail = last;
    pthread_cond_broadcast(&c->qroom);
    pthread_mutex_unlock(&c->qmu);
    while (drop) {
        sl_cache_job_t *next = drop->next;
        job_drop(c, drop);
        drop = next;
    }
}

/* ---- eviction ---------------------------------------------------------- */

void sl_cache__make_room(sl_cache_t *c, uint64_t need)
{
    uint64_t max = c->o.max_bytes;
    pthread_mutex_lock(&c->mu);
    uint64_t total = c->bytes[0] + c->bytes[1];
    if (total + need <= max) {
        pthread_mutex_unlock(&c->mu);
        return;
    }
    /* A little more than needed, so that ranking (a sort) runs seldom. */
    uint64_t want = total + need - max + max / 32;
    sl_cache_victim_t *v;
    size_t n = sl_cache__idx_victims(&c->idx, sl_cache__window(c, sl_time_now()), want, &v);
    pthread_mutex_unlock(&c->mu);
    uint64_t *ids = sl_xmalloc((n ? n : 1) * sizeof *ids);
    for (int s = 0; s < SL_SCOPE_COUNT; s++) {
        sl_cache_scope_t *sc = &c->scope[s];
        size_t k = 0;
        pthread_rwlock_rdlock(&sc->lock);
        MDB_txn *txn = NULL;
        if (sc->env && mdb_txn_begin(sc->env, NULL, 0, &txn) == 0) {
            for (size_t i = 0; i < n; i++) {
                if (v[i].scope == s && sl_cache__env_del_block(sc, txn, v[i].id) == 0) {
                    ids[k++] = v[i].id;
                }
            }
            if (mdb_txn_commit(txn) != 0) {
                k = 0;
            }
        }
        if (k) {
            sl_cache__forget(c, ids, k, true);
        }
        pthread_rwlock_unlock(&sc->lock);
    }
    sl_free(ids);
    sl_free(v);
}

/* ---- writing one job --------------------------------------------------- */

typedef struct wctx {
    sl_cache_t *c;
    sl_cache_scope_t *sc;
    MDB_txn *txn;
    sl_buf_t meta;
    sl_cache_ent_t *ents; /* index entries to publish after the commit */
    size_t nents, cap;
} wctx_t;

static int put_col(wctx_t *w, const uint8_t key[SL_KEY_LEN], uint64_t id, uint32_t ord,
                   const sl_col_t *col, uint64_t *bytes)
{
    uint8_t ck[SL_CACHE_COL_KEY_LEN];
    sl_cache__col_key(id, ord, ck);
    size_t len = sl_cache__col_sealed_len(col);
    MDB_val k = { sizeof ck, ck }, v = { len, NULL };
    /* MDB_RESERVE: seal straight into the page LMDB will write. */
    int rc = mdb_put(w->txn, w->sc->cols, &k, &v, MDB_RESERVE);
    if (rc) {
        return rc;
    }
    *bytes += len;
    return sl_cache__col_seal(key, id, ord, col, v.mv_data) ? EIO : 0;
}

static int write_job(wctx_t *w, sl_cache_job_t *j)
{
    sl_cache_scope_t *sc = w->sc;
    uint64_t id = j->b.block_id;
    uint8_t idk[8], key[SL_KEY_LEN];
    sl_store_u64be(idk, id);
    MDB_val k = { 8, idk }, v;
    sl_cache_meta_t m;
    sl_cache_dir_t dir = { 0 };
    bool merge = false;
    uint64_t bytes = 0;
    int rc = mdb_get(w->txn, sc->blocks, &k, &v);
    if (rc == 0 && sl_cache__meta_read(v.mv_data, v.mv_size, &m) == 0 && m.rows == j->rows.nrows) {
        if ((m.flags & SL_CACHE_META_COMPLETE) && !j->replace) {
            return 0; /* nothing to add */
        }
        if (j->kind == SL_CACHE_JOB_ADMIT && !j->replace &&
            !sl_cache__block_key(sc->key, id, m.salt, key) &&
            !sl_cache__dir_open(key, id, v.mv_data, v.mv_size, &dir)) {
            merge = true;
            bytes = m.bytes - v.mv_size; /* its columns; the meta value is rewritten */
        }
    }
    if (!merge) {
        /* New, or replaced entirely (a whole block, or an entry that does
         * not open). */
        if (rc == 0 && (rc = sl_cache__env_del_block(sc, w->txn, id)) != 0) {
            return rc;
        }
        memset(&m, 0, sizeof m);
        m.scope = (uint8_t)j->b.scope;
        sl_random_bytes(&m.salt, sizeof m.salt);
        m.ws = j->b.ws;
        m.tmin = j->b.tmin;
        m.tmax = j->b.tmax;
        m.inserted = sl_time_now();
        m.rows = (uint32_t)j->rows.nrows;
        if (sl_cache__block_key(sc->key, id, m.salt, key)) {
            return EIO;
        }
    }
    rc = 0;
    int32_t next = sl_cache__dir_next(&dir);
    for (size_t i = 0; !rc && i < j->rows.ncols; i++) {
        const sl_col_t *col = &j->rows.cols[i];
        if (sl_cache__dir_find(&dir, col->name) >= 0) {
            continue;
        }
        sl_cache__dir_add(&dir, col->name, col->type, next);
        rc = put_col(w, key, id, (uint32_t)next++, col, &bytes);
    }
    for (size_t i = 0; !rc && i < j->nabsent; i++) {
        if (sl_cache__dir_find(&dir, j->absent[i]) < 0) {
            sl_cache__dir_add(&dir, j->absent[i], SL_TYPE_BOOL, -1);
        }
    }
    if (!rc) {
        if (j->kind == SL_CACHE_JOB_PUT || j->complete) {
            m.flags |= SL_CACHE_META_COMPLETE;
        }
        m.bytes = bytes + sl_cache__meta_len(&dir);
        sl_buf_reset(&w->meta);
        sl_cache__meta_seal(key, id, &m, &dir, &w->meta);
        MDB_val mv = { w->meta.len, w->meta.data };
        k = (MDB_val){ 8, idk };
        rc = mdb_put(w->txn, sc->blocks, &k, &mv, 0);
    }
    if (!rc) {
        uint8_t at[8];
        sl_store_u64le(at, (uint64_t)j->atime);
        MDB_val av = { 8, at };
        k = (MDB_val){ 8, idk };
        rc = mdb_put(w->txn, sc->atime, &k, &av, 0);
    }
    sl_wipe(key, sizeof key);
    sl_cache__dir_dispose(&dir);
    if (!rc) {
        if (w->nents == w->cap) {
            w->cap = w->cap ? w->cap * 2 : 64;
            w->ents = sl_xrealloc(w->ents, w->cap * sizeof *w->ents);
        }
        w->ents[w->nents++] = (sl_cache_ent_t){ .id = id, .ws = m.ws, .tmin = m.tmin,
                                                .tmax = m.tmax, .atime = j->atime,
                                                .bytes = m.bytes, .scope = m.scope,
                                                .complete = (m.flags & SL_CACHE_META_COMPLETE) };
    }
    return rc;
}

/* Publishes written entries in the index (after their commit). */
static void publish(sl_cache_t *c, const sl_cache_ent_t *e, size_t n)
{
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < n; i++) {
        sl_cache_ent_t old;
        if (sl_cache__idx_del(&c->idx, e[i].id, &old)) {
            c->bytes[old.scope] -= old.bytes;
            c->blocks[old.scope]--;
        }
        sl_cache__idx_put(&c->idx, &e[i]);
        c->bytes[e[i].scope] += e[i].bytes;
        c->blocks[e[i].scope]++;
    }
    pthread_mutex_unlock(&c->mu);
}

/* Writes the jobs of one scope (a list) in one transaction. */
static void write_scope(sl_cache_t *c, sl_scope_t s, sl_cache_job_t *jobs)
{
    sl_cache_scope_t *sc = &c->scope[s];
    uint64_t need = 0;
    for (sl_cache_job_t *j = jobs; j; j = j->next) {
        need += j->est;
    }
    sl_cache__make_room(c, need);
    wctx_t w = { .c = c, .sc = sc };
    pthread_rwlock_rdlock(&sc->lock);
    int rc = sc->key && sc->env ? mdb_txn_begin(sc->env, NULL, 0, &w.txn) : SL_ESTATE;
    uint64_t puts = 0, admits = 0;
    for (sl_cache_job_t *j = jobs; !rc && j; j = j->next) {
        /* Stale (wiped since) or larger than the whole cache: skip. */
        if (j->gen != atomic_load(&sc->gen) || j->est > c->o.max_bytes) {
            continue;
        }
        rc = write_job(&w, j);
        if (!rc) {
            puts += j->kind == SL_CACHE_JOB_PUT;
            admits += j->kind == SL_CACHE_JOB_ADMIT;
        }
    }
    if (w.txn) {
        if (!rc) {
            rc = mdb_txn_commit(w.txn);
        } else {
            mdb_txn_abort(w.txn);
        }
        if (!rc) {
            publish(c, w.ents, w.nents);
        }
    }
    pthread_rwlock_unlock(&sc->lock);
    if (rc) {
        /* Nothing of this batch was written. A full map means the file is
         * fragmented: make room generously for the next batch. */
        puts = admits = 0;
        if (rc == MDB_MAP_FULL) {
            sl_cache__make_room(c, need + c->o.max_bytes / 8);
        }
    }
    atomic_fetch_add(&c->st.puts, puts);
    atomic_fetch_add(&c->st.admits, admits);
    uint64_t written = puts + admits, seen = 0;
    for (sl_cache_job_t *j = jobs, *next; j; j = next) {
        next = j->next;
        seen++;
        if (j->reload) {
            atomic_fetch_sub(&c->reload_inflight, j->est);
        }
        sl_cache__job_free(j);
    }
    if (seen > written) {
        atomic_fetch_add(&c->st.dropped, seen - written);
    }
    sl_buf_wipe(&w.meta);
    sl_free(w.ents);
}

/* Writes the access times that reads recorded. */
static void flush_atimes(sl_cache_t *c)
{
    for (int s = 0; s < SL_SCOPE_COUNT; s++) {
        sl_cache_scope_t *sc = &c->scope[s];
        pthread_rwlock_rdlock(&sc->lock);
        if (!sc->env) {
            pthread_rwlock_unlock(&sc->lock);
            continue;
        }
        size_t n = 0, cap = 0;
        struct {
            uint64_t id;
            sl_ticks_t t;
        } *v = NULL;
        pthread_mutex_lock(&c->mu);
        for (size_t i = 0; i < c->idx.cap; i++) {
            sl_cache_ent_t *e = &c->idx.slot[i];
            if (e->id && e->scope == s && e->touched) {
                if (n == cap) {
                    cap = cap ? cap * 2 : 256;
                    v = sl_xrealloc(v, cap * sizeof *v);
                }
                v[n].id = e->id;
                v[n++].t = e->atime;
                e->touched = false;
            }
        }
        pthread_mutex_unlock(&c->mu);
        MDB_txn *txn;
        if (n && mdb_txn_begin(sc->env, NULL, 0, &txn) == 0) {
            for (size_t i = 0; i < n; i++) {
                uint8_t idk[8], at[8];
                sl_store_u64be(idk, v[i].id);
                sl_store_u64le(at, (uint64_t)v[i].t);
                MDB_val k = { 8, idk }, val = { 8, at }, have;
                /* Only for blocks still there (evicted ones are gone). */
                if (mdb_get(txn, sc->blocks, &k, &have) == 0) {
                    mdb_put(txn, sc->atime, &k, &val, 0);
                }
            }
            if (mdb_txn_commit(txn) != 0) {
                /* Access times are a hint; the next round tries again. */
            }
        }
        sl_free(v);
        pthread_rwlock_unlock(&sc->lock);
    }
}

static void process(sl_cache_t *c, sl_cache_job_t *batch)
{
    sl_cache_job_t *per[SL_SCOPE_COUNT] = { NULL }, **tail[SL_SCOPE_COUNT];
    for (int s = 0; s < SL_SCOPE_COUNT; s++) {
        tail[s] = &per[s];
    }
    for (sl_cache_job_t *j = batch, *next; j; j = next) {
        next = j->next;
        j->next = NULL;
        *tail[j->b.scope] = j;
        tail[j->b.scope] = &j->next;
    }
    for (int s = 0; s < SL_SCOPE_COUNT; s++) {
        if (per[s]) {
            write_scope(c, (sl_scope_t)s, per[s]);
        }
    }
}

static void *cache_main(void *arg)
{
    sl_cache_t *c = arg;
    uint64_t last_atime = sl_time_mono_ns();
    for (;;) {
        pthread_mutex_lock(&c->qmu);
        if (!c->qhead && !c->stop && !c->trash) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += ATIME_EVERY_MS / 1000;
            pthread_cond_timedwait(&c->qcv, &c->qmu, &ts);
        }
        bool stop = c->stop && !c->qhead;
        bool trash = c->trash;
        c->trash = false;
        /* A batch: jobs up to BATCH_BYTES (at least one). */
        sl_cache_job_t *batch = NULL, **bt = &batch;
        uint64_t taken = 0;
        while (c->qhead && (taken == 0 || taken + c->qhead->qbytes <= BATCH_BYTES)) {
            sl_cache_job_t *j = c->qhead;
            c->qhead = j->next;
            j->next = NULL;
            *bt = j;
            bt = &j->next;
            taken += j->qbytes;
        }
        if (!c->qhead) {
            c->qtail = NULL;
        }
        c->qbytes -= taken;
        if (batch) {
            c->busy = true;
        }
        pthread_cond_broadcast(&c->qroom);
        pthread_mutex_unlock(&c->qmu);

        if (batch) {
            process(c, batch);
        }
        if (trash) {
            sl_cache__trash_empty(c);
        }
        if (stop || sl_time_mono_ns() - last_atime >= ATIME_EVERY_MS * 1000000ull) {
            flush_atimes(c);
            last_atime = sl_time_mono_ns();
        }
        pthread_mutex_lock(&c->qmu);
        c->busy = false;
        pthread_cond_broadcast(&c->qroom);
        pthread_mutex_unlock(&c->qmu);
        if (stop) {
            break;
        }
    }
    return NULL;
}

int sl_cache__thread_start(sl_cache_t *c, sl_diag_t *d)
{
    int rc = pthread_create(&c->thr, NULL, cache_main, c);
    if (rc) {
        return sl_diag_set(d, -rc, "cache: cannot start the cache thread");
    }
    c->started = true;
    return 0;
}

void sl_cache__thread_stop(sl_cache_t *c)
{
    if (!c->started) {
        return;
    }
    pthread_mutex_lock(&c->qmu);
    c->stop = true;
    pthread_cond_broadcast(&c->qcv);
    pthread_cond_broadcast(&c->qroom);
    pthread_mutex_unlock(&c->qmu);
    pthread_join(c->thr, NULL);
    c->started = false;
}

void sl_cache_flush(sl_cache_t *c)
{
    pthread_mutex_lock(&c->qmu);
    while ((c->qhead || c->busy) && c->started) {
        pthread_cond_wait(&c->qroom, &c->qmu);
    }
    pthread_mutex_unlock(&c->qmu);
}
