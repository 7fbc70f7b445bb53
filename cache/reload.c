/*
 * Reload: refilling one scope from the store, after recovery or start.
 *
 * The blocks of the scope whose newest row is inside the hot window are
 * listed from one store snapshot (headers only), those already cached are
 * skipped, and the rest are loaded newest first — the data queries are
 * most likely to want — by the calling thread and any helpers the caller's
 * pool runs: each decrypts and decodes a block from the store and queues it
 * for the cache thread, waiting when the queue is full (a reload runs at the
 * speed of the slower side, never faster than the cache can write).
 * Queries go on meanwhile; what is not cached yet they read from the store.
 *
 * The bound. A reloaded block enters with its newest row's time as its last
 * access, so reloaded blocks rank among themselves by recency of data.
 * Before queueing a block the reload checks that it fits: under the bound
 * with what is cached and queued, or else by evicting only blocks that rank
 * below it (outside the window, or used less recently). When neither holds
 * the reload stops and says the cache is full, rather than evicting blocks
 * it just loaded to make room for older ones. The check keeps a credit so
 * the index is ranked once per run of blocks, not once per block.
 *
 * A wipe of the scope (its generation changes), closing the cache or the
 * caller's cancel flag stop it with SL_ECANCELED.
 */
#include "cache/cache_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct cand {
    sl_ticks_t tmax;
    size_t i;
} cand_t;

typedef struct rl {
    sl_cache_t *c;
    sl_cache_reload_opts_t o;
    sl_snap_t *snap;
    size_t *order;
    size_t n;
    uint64_t gen;
    sl_ticks_t now, win;
    uint64_t t0;
    _Atomic size_t next;
    _Atomic bool stop;
    _Atomic uint64_t done, bytes_read, bytes_written;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int running, refs;
    bool closed;
    bool full;
    uint64_t credit;
    int rc;
    sl_diag_t d;
} rl_t;

static void rl_unref(rl_t *r)
{
    pthread_mutex_lock(&r->mu);
    bool last = --r->refs == 0;
    pthread_mutex_unlock(&r->mu);
    if (last) {
        pthread_mutex_destroy(&r->mu);
        pthread_cond_destroy(&r->cv);
        sl_free(r->order);
        sl_free(r);
    }
}

static void fail(rl_t *r, int rc, const sl_diag_t *d)
{
    pthread_mutex_lock(&r->mu);
    if (!r->rc) {
        r->rc = rc;
        if (d) {
            r->d = *d;
        } else {
            sl_diag_set(&r->d, rc, "cache reload cancelled");
        }
    }
    pthread_mutex_unlock(&r->mu);
    atomic_store(&r->stop, true);
}

static bool stale(rl_t *r)
{
    sl_cache_t *c = r->c;
    if (atomic_load(&c->scope[r->o.scope].gen) != r->gen || (r->o.cancel && atomic_load(r->o.cancel))) {
        return true;
    }
    pthread_mutex_lock(&c->qmu);
    bool stop = c->stop;
    pthread_mutex_unlock(&c->qmu);
    return stop;
}

/* Whether a block of `est` bytes last used at `atime` may go in (above). */
static bool fits(rl_t *r, uint64_t est, sl_ticks_t atime)
{
    sl_cache_t *c = r->c;
    bool ok = true;
    pthread_mutex_lock(&r->mu);
    if (r->full) {
        ok = false;
    } else {
        pthread_mutex_lock(&c->mu);
        uint64_t total = c->bytes[0] + c->bytes[1] + atomic_load(&c->reload_inflight);
        if (total + est > c->o.max_bytes) {
            if (r->credit >= est) {
                r->credit -= est;
            } else {
                uint64_t over = total + est - c->o.max_bytes;
                uint64_t below = sl_cache__idx_below(&c->idx, r->win, atime);
                if (below >= over) {
                    r->credit = below - over;
                } else {
                    ok = false;
                    r->full = true;
                }
            }
        }
        pthread_mutex_unlock(&c->mu);
    }
    pthread_mutex_unlock(&r->mu);
    return ok;
}

static void fill_stats(rl_t *r, sl_cache_reload_stats_t *st)
{
    st->blocks_done = atomic_load(&r->done);
    st->bytes_read = atomic_load(&r->bytes_read);
    st->bytes_written = atomic_load(&r->bytes_written);
    st->seconds = (double)(sl_time_mono_ns() - r->t0) / 1e9;
    if (st->seconds > 0) {
        st->blocks_per_sec = (double)st->blocks_done / st->seconds;
        st->mb_per_sec = (double)st->bytes_read / 1e6 / st->seconds;
    }
}

static void publish(rl_t *r, const sl_cache_reload_stats_t *st)
{
    pthread_mutex_lock(&r->c->rmu);
    r->c->reload = *st;
    pthread_mutex_unlock(&r->c->rmu);
}

static void work(rl_t *r, sl_cache_reload_stats_t *report)
{
    sl_cache_t *c = r->c;
    sl_snap_reader_t *rd = sl_store_snap_reader_new();
    uint64_t last = sl_time_mono_ns();
    sl_diag_t d = { 0 };
    for (;;) {
        if (atomic_load(&r->stop)) {
            break;
        }
        if (stale(r)) {
            fail(r, SL_ECANCELED, NULL);
            break;
        }
        size_t k = atomic_fetch_add(&r->next, 1);
        if (k >= r->n) {
            break;
        }
        const sl_snap_block_t *b = sl_store_snap_block(r->snap, r->order[k]);
        sl_cache_job_t *j = sl_xcalloc(1, sizeof *j);
        sl_colset_init(&j->rows);
        int rc = sl_store_snap_read(r->snap, r->order[k], NULL, 0, rd, &j->rows, NULL, &d);
        if (rc) {
            sl_cache__job_free(j);
            fail(r, rc, &d);
            break;
        }
        atomic_fetch_add(&r->bytes_read, b->bytes);
        j->kind = SL_CACHE_JOB_PUT;
        j->b = (sl_cache_block_t){ .block_id = b->block_id, .scope = b->scope, .ws = b->ws,
                                   .tmin = b->tmin, .tmax = b->tmax };
        j->gen = r->gen;
        j->atime = SL_MIN(b->tmax, r->now);
        j->reload = true;
        j->qbytes = sl_colset_bytes(&j->rows);
        j->est = sl_cache__estimate(&j->rows);
        if (!fits(r, j->est, j->atime)) {
            sl_cache__job_free(j);
            atomic_store(&r->stop, true);
            break;
        }
        uint64_t est = j->est;
        atomic_fetch_add(&c->reload_inflight, est);
        if (!sl_cache__push(c, j, true, r->o.cancel)) {
            fail(r, SL_ECANCELED, NULL);
            break;
        }
        atomic_fetch_add(&r->done, 1);
        atomic_fetch_add(&r->bytes_written, est);
        /* Progress after the first block, then about every 250 ms. */
        if (report && (atomic_load(&r->done) == 1 || sl_time_mono_ns() - last >= 250000000u)) {
            last = sl_time_mono_ns();
            fill_stats(r, report);
            publish(r, report);
            if (r->o.progress) {
                r->o.progress(r->o.progress_arg, report);
            }
        }
    }
    sl_store_snap_reader_free(rd);
}

static void helper_main(void *task)
{
    rl_t *r = task;
    pthread_mutex_lock(&r->mu);
    bool go = !r->closed;
    if (go) {
        r->running++;
    }
    pthread_mutex_unlock(&r->mu);
    if (go) {
        work(r, NULL);
        pthread_mutex_lock(&r->mu);
        r->running--;
        pthread_cond_broadcast(&r->cv);
        pthread_mutex_unlock(&r->mu);
    }
    rl_unref(r);
}

static int cmp_newest(const void *a, const void *b)
{
    const cand_t *x = a, *y = b;
    return x->tmax > y->tmax ? -1 : x->tmax < y->tmax;
}

/* Lists the tables of every live workspace and opens one snapshot of the
 * window over them. */
static int open_window(rl_t *r, sl_diag_t *d)
{
    sl_ws_rec_t *ws = NULL;
    size_t nws = 0, nt = 0, cap = 0;
    sl_snap_table_t *tabs = NULL;
    int rc = sl_catalog_ws_list(r->o.catalog, &ws, &nws, d);
    for (size_t w = 0; !rc && w < nws; w++) {
        if (ws[w].deleted) {
            continue;
        }
        sl_table_def_t *defs;
        size_t nd;
        if (sl_store_table_list(r->o.store, &ws[w].id, &defs, &nd)) {
            continue;
        }
        for (size_t t = 0; t < nd; t++) {
            if (nt == cap) {
                cap = cap ? cap * 2 : 16;
                tabs = sl_xrealloc(tabs, cap * sizeof *tabs);
            }
            tabs[nt++] = (sl_snap_table_t){ ws[w].id, sl_xstrdup(defs[t].name) };
        }
        sl_table_list_free(defs, nd);
    }
    if (!rc) {
        rc = sl_store_snap_open(r->o.store, tabs, nt, r->win, INT64_MAX, &r->snap, d);
    }
    for (size_t t = 0; t < nt; t++) {
        sl_free((char *)tabs[t].table);
    }
    sl_free(tabs);
    if (ws) {
        sl_ws_list_free(ws, nws);
    }
    return rc;
}

/* The blocks to load, newest first; counts those already cached. */
static void plan(rl_t *r, uint64_t *cached)
{
    sl_cache_t *c = r->c;
    size_t total = sl_store_snap_count(r->snap);
    cand_t *v = sl_xmalloc((total ? total : 1) * sizeof *v);
    size_t n = 0;
    *cached = 0;
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < total; i++) {
        const sl_snap_block_t *b = sl_store_snap_block(r->snap, i);
        if (b->memory || !b->block_id || b->scope != r->o.scope || b->tmax < r->win) {
            continue;
        }
        const sl_cache_ent_t *e = sl_cache__idx_get(&c->idx, b->block_id);
        if (e && e->complete) {
            (*cached)++;
            continue;
        }
        v[n++] = (cand_t){ b->tmax, i };
    }
    pthread_mutex_unlock(&c->mu);
    qsort(v, n, sizeof *v, cmp_newest);
    r->order = sl_xmalloc((n ? n : 1) * sizeof *r->order);
    for (size_t k = 0; k < n; k++) {
        r->order[k] = v[k].i;
    }
    r->n = n;
    sl_free(v);
}

int sl_cache_reload(sl_cache_t *c, const sl_cache_reload_opts_t *o, sl_cache_reload_stats_t *st,
                    sl_diag_t *d)
{
    if (o->scope >= SL_SCOPE_COUNT || !o->store || !o->catalog) {
        return sl_diag_set(d, SL_EINVAL, "cache reload: a scope, a store and a catalog are "
                                         "required");
    }
    if (atomic_exchange(&c->reloading, true)) {
        return sl_diag_set(d, SL_EBUSY, "cache reload: another reload is running");
    }
    sl_cache_reload_stats_t rs = { .scope = o->scope, .running = true };
    sl_cache_scope_t *sc = &c->scope[o->scope];
    pthread_rwlock_wrlock(&sc->lock);
    int rc = sl_cache__scope_attach(c, o->scope, NULL, d);
    uint64_t gen = atomic_load(&sc->gen);
    pthread_rwlock_unlock(&sc->lock);
    if (rc) {
        atomic_store(&c->reloading, false);
        return rc;
    }
    rl_t *r = sl_xcalloc(1, sizeof *r);
    r->c = c;
    r->o = *o;
    r->gen = gen;
    r->now = o->now ? o->now : sl_time_now();
    r->win = sl_cache__window(c, r->now);
    r->t0 = sl_time_mono_ns();
    r->refs = 1;
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    rc = open_window(r, d);
    if (!rc) {
        plan(r, &rs.blocks_cached);
        rs.blocks_total = r->n;
        publish(r, &rs);
        for (unsigned h = 0; o->spawn && h < o->helpers && h + 1 < r->n; h++) {
            pthread_mutex_lock(&r->mu);
            r->refs++;
            pthread_mutex_unlock(&r->mu);
            o->spawn(o->spawn_arg, helper_main, r);
        }
        work(r, &rs);
        pthread_mutex_lock(&r->mu);
        r->closed = true;
        while (r->running) {
            pthread_cond_wait(&r->cv, &r->mu);
        }
        pthread_mutex_unlock(&r->mu);
        sl_store_snap_close(r->snap);
        r->snap = NULL;
        /* Time to a full cache: until the last block is written. */
        sl_cache_flush(c);
        if (!r->rc && atomic_load(&sc->gen) != r->gen) {
            fail(r, SL_ECANCELED, NULL);
        }
        rc = r->rc;
        if (rc && d) {
            *d = r->d;
        }
    }
    fill_stats(r, &rs);
    rs.running = false;
    rs.status = rc;
    rs.full = r->full;
    publish(r, &rs);
    if (o->progress) {
        o->progress(o->progress_arg, &rs);
    }
    if (st) {
        *st = rs;
    }
    rl_unref(r);
    atomic_store(&c->reloading, false);
    return rc;
}
