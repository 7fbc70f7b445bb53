/*
 * The hot cache in the node (cache/ does the work; this file decides when).
 *
 *   start     open the cache after the key monitor has started, so that it
 *             knows whether a customer-managed key may still come: the CMK
 *             part is then left as it is (detached) until the key is back,
 *             and kept if its sealed cache key opens under that key. A
 *             revocation the monitor reported before the open is carried
 *             out by the open.
 *             Blocks the store writes reach the cache through a forwarder
 *             (the store is opened first; until the cache is open, nothing
 *             is forwarded). The MMK part of the hot window is then filled
 *             in the background (what is cached already is skipped).
 *   revoked   the key monitor's thread wipes the CMK part (destroys its
 *             cache key, moves its files away) *before* the node's key state
 *             says "revoked": by the time anyone can see the revocation, no
 *             cache entry of that scope can be read any more.
 *   recovered the CMK part of the hot window is reloaded from storage on a
 *             pool thread; queries read the store meanwhile. Its figures
 *             (blocks/s, MB/s, time to a full cache) go to the log, the audit
 *             log, /metrics and /readyz.
 *   purge     after the store's retention purge, the same rules drop the
 *             cached copies.
 *   stop      cancel a reload, close the store (its last blocks still reach
 *             the cache), then close the cache.
 *
 * Reloads run one at a time; a scope asked for while one runs is picked up
 * by the same job when the current scope is done.
 */
#include "node/node_int.h"

#include <stdio.h>

struct sl_node_cache {
    sl_node_t *n;
    sl_cache_t *c;
    _Atomic(sl_cache_t *) feed; /* what the store's hook forwards to */
    pthread_mutex_t mu;      /* reload bookkeeping */
    pthread_mutex_t open_mu; /* orders the open against a revocation */
    bool want[SL_SCOPE_COUNT]; /* reloads asked for */
    bool running;              /* a reload job exists (mu) */
    _Atomic bool cancel;       /* shutting down: reloads stop, none start */
    _Atomic int working;       /* reloads running on a pool thread */
    sl_cache_reload_stats_t last[SL_SCOPE_COUNT];
    int last_status[SL_SCOPE_COUNT];
    unsigned runs[SL_SCOPE_COUNT]; /* reloads finished */
    bool wipe_at_open[SL_SCOPE_COUNT]; /* revoked before the cache was open */
    char last_error[SL_SCOPE_COUNT][200];
};

static const char *scope_name(sl_scope_t s)
{
    return s == SL_SCOPE_CMK ? "CMK" : "MMK";
}

/* ---- feed from the store ---------------------------------------------------- */

void sl_node__cache_on_block(void *arg, const sl_store_block_info_t *info, sl_colset_t *rows)
{
    sl_node_cache_t *nc = arg;
    sl_cache_t *c = atomic_load(&nc->feed);
    if (c)
        sl_cache_on_block_written(c, info, rows);
}

sl_node_cache_t *sl_node__cache_create(sl_node_t *n)
{
    sl_node_cache_t *nc = sl_xcalloc(1, sizeof *nc);
    nc->n = n;
    pthread_mutex_init(&nc->mu, NULL);
    pthread_mutex_init(&nc->open_mu, NULL);
    n->hot = nc;
    return nc;
}

/* ---- reloads ------------------------------------------------------------ */

typedef struct reload_job {
    sl_node_cache_t *nc;
    sl_scope_t scope;
    sl_cache_reload_stats_t st;
    int rc;
    sl_diag_t d;
} reload_job_t;

static void reload_progress(void *arg, const sl_cache_reload_stats_t *st)
{
    reload_job_t *j = arg;
    pthread_mutex_lock(&j->nc->mu);
    j->nc->last[j->scope] = *st;
    pthread_mutex_unlock(&j->nc->mu);
}

static void reload_work(void *arg)
{
    reload_job_t *j = arg;
    sl_node_t *n = j->nc->n;
    sl_cache_reload_opts_t o = { .store = n->store,
                                 .catalog = n->catalog,
                                 .scope = j->scope,
                                 .spawn = n->qspawn ? sl_node__qspawn : NULL,
                                 .spawn_arg = n->qspawn,
                                 .helpers = n->query_helpers,
                                 .progress = reload_progress,
                                 .progress_arg = j,
                                 .cancel = &j->nc->cancel };
    sl_diag_clear(&j->d);
    j->rc = sl_cache_reload(j->nc->c, &o, &j->st, &j->d);
    atomic_fetch_sub(&j->nc->working, 1);
}

static bool next_scope(sl_node_cache_t *nc, sl_scope_t *s)
{
    for (int i = 0; i < SL_SCOPE_COUNT; i++) {
        if (nc->want[i]) {
            nc->want[i] = false;
            *s = (sl_scope_t)i;
            return true;
        }
    }
    return false;
}

static void reload_done(void *arg);

static void reload_start(sl_node_cache_t *nc, sl_scope_t s)
{
    reload_job_t *j = sl_xcalloc(1, sizeof *j);
    j->nc = nc;
    j->scope = s;
    atomic_fetch_add(&nc->working, 1);
    /* A drain waits for it like for a request (it stops at its next block
     * once the drain has begun). */
    nc->n->inflight++;
    sl_node__run_blocking(nc->n, reload_work, reload_done, j);
}

static void reload_done(void *arg)
{
    reload_job_t *j = arg;
    sl_node_cache_t *nc = j->nc;
    sl_node_t *n = nc->n;
    const sl_cache_reload_stats_t *st = &j->st;
    pthread_mutex_lock(&nc->mu);
    nc->last[j->scope] = *st;
    nc->last_status[j->scope] = j->rc;
    nc->runs[j->scope]++;
    snprintf(
      nc->last_error[j->scope], sizeof nc->last_error[j->scope], "%s", j->rc ? j->d.msg : "");
    pthread_mutex_unlock(&nc->mu);
    if (j->rc == 0) {
        sl_log(n->log,
               st->blocks_done ? SL_LOG_INFO : SL_LOG_DEBUG,
               "cache",
               "hot cache: %s part reloaded%s: %llu block(s), %.1f MB read in %.2f s "
               "(%.0f blocks/s, %.1f MB/s), %llu already cached",
               scope_name(j->scope),
               st->full ? " until full" : "",
               (unsigned long long)st->blocks_done,
               (double)st->bytes_read / 1e6,
               st->seconds,
               st->blocks_per_sec,
               st->mb_per_sec,
               (unsigned long long)st->blocks_cached);
        char js[300];
        snprintf(js,
                 sizeof js,
                 "{\"scope\":\"%s\",\"blocks\":%llu,\"bytesRead\":%llu,\"seconds\":%.3f,"
                 "\"blocksPerSecond\":%.1f,\"mbPerSecond\":%.2f,\"full\":%s}",
                 scope_name(j->scope),
                 (unsigned long long)st->blocks_done,
                 (unsigned long long)st->bytes_read,
                 st->seconds,
                 st->blocks_per_sec,
                 st->mb_per_sec,
                 st->full ? "true" : "false");
        if (j->scope == SL_SCOPE_CMK)
            sl_node__audit(n, "cache.reload", js);
    } else if (j->rc == SL_ECANCELED || j->rc == SL_EKEYUNAVAIL) {
        sl_log(n->log,
               SL_LOG_INFO,
               "cache",
               "hot cache: %s reload stopped: %s",
               scope_name(j->scope),
               j->d.msg);
    } else {
        sl_log(n->log,
               SL_LOG_WARN,
               "cache",
               "hot cache: %s reload failed: %s (queries read "
               "storage instead)",
               scope_name(j->scope),
               j->d.msg);
    }
    sl_free(j);
    sl_scope_t s;
    pthread_mutex_lock(&nc->mu);
    bool more = !atomic_load(&nc->cancel) && next_scope(nc, &s);
    nc->running = more;
    pthread_mutex_unlock(&nc->mu);
    if (more)
        reload_start(nc, s);
    n->inflight--;
    sl_node__maybe_finish_drain(n);
}

/* Loop thread. */
void sl_node__cache_reload(sl_node_t *n, sl_scope_t s)
{
    sl_node_cache_t *nc = n->hot;
    if (!nc || !nc->c || atomic_load(&nc->cancel))
        return;
    pthread_mutex_lock(&nc->mu);
    nc->want[s] = true;
    bool start = !nc->running && next_scope(nc, &s);
    if (start)
        nc->running = true;
    pthread_mutex_unlock(&nc->mu);
    if (start)
        reload_start(nc, s);
}

/* ---- revocation ----------------------------------------------------------- */

int sl_node__cache_wipe(sl_node_t *n, sl_scope_t s, sl_cache_wipe_stats_t *st, sl_diag_t *d)
{
    sl_node_cache_t *nc = n->hot;
    memset(st, 0, sizeof *st);
    if (!nc)
        return 0;
    /* The key monitor starts before the cache opens: a revocation seen
     * first is carried out by the open (see sl_node__cache_open). */
    pthread_mutex_lock(&nc->mu);
    nc->want[s] = false;
    pthread_mutex_unlock(&nc->mu);
    int rc = 0;
    pthread_mutex_lock(&nc->open_mu);
    if (nc->c)
        rc = sl_cache_wipe_scope(nc->c, s, st, d);
    else
        nc->wipe_at_open[s] = true;
    pthread_mutex_unlock(&nc->open_mu);
    return rc;
}

/* ---- open and close ----------------------------------------------------------- */

int sl_node__cache_open(sl_node_t *n, bool cmk_may_come, sl_diag_t *d)
{
    sl_node_cache_t *nc = n->hot;
    char path[PATH_MAX];
    if (*n->cfg->cache_path)
        snprintf(path, sizeof path, "%s", n->cfg->cache_path);
    else
        snprintf(path, sizeof path, "%s/cache", n->data_dir);
    sl_cache_opts_t o = { .path = path,
                          .max_bytes = n->cfg->cache_max_size,
                          .hot_days = (uint32_t)n->cfg->hot_cache_days,
                          .keyring = n->keyring };
    o.keep_detached = cmk_may_come;
    uint64_t t0 = sl_time_mono_ns();
    sl_cache_t *c;
    int rc = sl_cache_open(&o, &c, d);
    if (rc) {
        sl_diag_prefix(d, "hot cache");
        return rc;
    }
    pthread_mutex_lock(&nc->open_mu);
    nc->c = c;
    for (int s = 0; s < SL_SCOPE_COUNT; s++) {
        if (!nc->wipe_at_open[s])
            continue;
        sl_cache_wipe_stats_t ws;
        sl_diag_t wd;
        if (sl_cache_wipe_scope(c, (sl_scope_t)s, &ws, &wd) == 0)
            sl_log(n->log, SL_LOG_INFO, "cache",
                   "hot cache: %s part discarded at start (its key was revoked), %.1f ms",
                   scope_name((sl_scope_t)s), (double)ws.ns_total / 1e6);
        else
            sl_log(n->log, SL_LOG_ERROR, "cache", "hot cache: discarding the %s part: %s",
                   scope_name((sl_scope_t)s), wd.msg);
    }
    pthread_mutex_unlock(&nc->open_mu);
    sl_cache_stats_t st;
    sl_cache_stats(nc->c, &st);
    sl_log(n->log,
           SL_LOG_INFO,
           "cache",
           "hot cache open in %.1f ms: %s, %llu block(s), %llu byte(s) of at most %llu; "
           "window %lld day(s)%s",
           (double)(sl_time_mono_ns() - t0) / 1e6,
           path,
           (unsigned long long)st.blocks,
           (unsigned long long)st.bytes,
           (unsigned long long)st.max_bytes,
           (long long)n->cfg->hot_cache_days,
           st.discarded ? "; entries whose key is gone were discarded" : "");
    atomic_store(&nc->feed, nc->c);
    sl_node__cache_reload(n, SL_SCOPE_MMK);
    return 0;
}

sl_cache_t *sl_node__cache(sl_node_t *n)
{
    return n->hot ? n->hot->c : NULL;
}

void sl_node__cache_cancel(sl_node_t *n)
{
    if (n->hot)
        atomic_store(&n->hot->cancel, true);
}

void sl_node__cache_close(sl_node_t *n)
{
    sl_node_cache_t *nc = n->hot;
    if (!nc)
        return;
    atomic_store(&nc->cancel, true);
    /* After a drain timeout a reload may still be at work (its done callback
     * will not run: the loop has stopped); it stops at its next block. */
    for (int i = 0; i < 3000 && atomic_load(&nc->working); i++)
        uv_sleep(10);
    atomic_store(&nc->feed, NULL);
    if (!atomic_load(&nc->working)) {
        sl_cache_close(nc->c);
        pthread_mutex_destroy(&nc->mu);
        pthread_mutex_destroy(&nc->open_mu);
        sl_free(nc);
        n->hot = NULL;
    }
}

/* ---- retention -------------------------------------------------------------- */

void sl_node__cache_purge(sl_node_t *n, const sl_retention_rule_t *rules, size_t nrules)
{
    sl_cache_t *c = sl_node__cache(n);
    if (!c)
        return;
    uint64_t dropped = 0;
    sl_diag_t d;
    if (sl_cache_purge(c, rules, nrules, &dropped, &d))
        sl_log(n->log, SL_LOG_WARN, "cache", "hot cache: retention purge failed: %s", d.msg);
    else if (dropped)
        sl_log(n->log,
               SL_LOG_INFO,
               "cache",
               "hot cache: retention dropped %llu block(s)",
               (unsigned long long)dropped);
}

/* ---- /readyz and /metrics ----------------------------------------------------- */

void sl_node__cache_json(sl_node_t *n, sl_jw_t *w)
{
    sl_node_cache_t *nc = n->hot;
    sl_jw_obj_begin(w);
    sl_jw_key(w, "state");
    if (!nc || !nc->c) {
        sl_jw_str(w, "closed");
        sl_jw_obj_end(w);
        return;
    }
    sl_cache_stats_t st;
    sl_cache_stats(nc->c, &st);
    sl_jw_str(w, "ready");
    sl_jw_key(w, "blocks");
    sl_jw_uint(w, st.blocks);
    sl_jw_key(w, "bytes");
    sl_jw_uint(w, st.bytes);
    sl_jw_key(w, "maxBytes");
    sl_jw_uint(w, st.max_bytes);
    sl_jw_key(w, "scopes");
    sl_jw_obj_begin(w);
    for (int s = 0; s < SL_SCOPE_COUNT; s++) {
        sl_jw_key(w, scope_name((sl_scope_t)s));
        sl_jw_obj_begin(w);
        sl_jw_key(w, "attached");
        sl_jw_bool(w, st.attached[s]);
        sl_jw_key(w, "blocks");
        sl_jw_uint(w, st.scope_blocks[s]);
        sl_jw_key(w, "bytes");
        sl_jw_uint(w, st.scope_bytes[s]);
        pthread_mutex_lock(&nc->mu);
        sl_cache_reload_stats_t r = nc->last[s];
        int status = nc->last_status[s];
        unsigned runs = nc->runs[s];
        char err[200];
        snprintf(err, sizeof err, "%s", nc->last_error[s]);
        pthread_mutex_unlock(&nc->mu);
        if (runs || r.running) {
            sl_jw_key(w, "reload");
            sl_jw_obj_begin(w);
            sl_jw_key(w, "running");
            sl_jw_bool(w, r.running);
            sl_jw_key(w, "finished");
            sl_jw_uint(w, runs);
            sl_jw_key(w, "blocks");
            sl_jw_uint(w, r.blocks_done);
            sl_jw_key(w, "blocksTotal");
            sl_jw_uint(w, r.blocks_total);
            sl_jw_key(w, "seconds");
            sl_jw_real(w, r.seconds);
            sl_jw_key(w, "blocksPerSecond");
            sl_jw_real(w, r.blocks_per_sec);
            sl_jw_key(w, "mbPerSecond");
            sl_jw_real(w, r.mb_per_sec);
            if (status) {
                sl_jw_key(w, "error");
                sl_jw_str(w, err);
            }
            sl_jw_obj_end(w);
        }
        sl_jw_obj_end(w);
    }
    sl_jw_obj_end(w);
    sl_jw_key(w, "wipes");
    sl_jw_uint(w, st.wipes);
    if (st.wipes) {
        sl_jw_key(w, "lastWipeMs");
        sl_jw_real(w, (double)st.last_wipe.ns_total / 1e6);
    }
    sl_jw_obj_end(w);
}

void sl_node__cache_metrics(sl_node_t *n, sl_buf_t *out)
{
    sl_cache_t *c = sl_node__cache(n);
    if (!c)
        return;
    sl_cache_stats_t st;
    sl_cache_stats(c, &st);
    sl_buf_printf(out,
                  "# HELP sealog_cache_reads_total Block reads by the hot cache's outcome "
                  "(hit: from the cache; miss: from storage, then admitted; bypass: from "
                  "storage, the scope is not in the cache).\n"
                  "# TYPE sealog_cache_reads_total counter\n"
                  "sealog_cache_reads_total{outcome=\"hit\"} %llu\n"
                  "sealog_cache_reads_total{outcome=\"miss\"} %llu\n"
                  "sealog_cache_reads_total{outcome=\"bypass\"} %llu\n"
                  "# HELP sealog_cache_read_bytes_total Bytes decrypted for queries, from the "
                  "cache (hit) or storage (miss).\n"
                  "# TYPE sealog_cache_read_bytes_total counter\n"
                  "sealog_cache_read_bytes_total{outcome=\"hit\"} %llu\n"
                  "sealog_cache_read_bytes_total{outcome=\"miss\"} %llu\n"
                  "# HELP sealog_cache_max_bytes The hot cache's bound (cache_max_size).\n"
                  "# TYPE sealog_cache_max_bytes gauge\n"
                  "sealog_cache_max_bytes %llu\n",
                  (unsigned long long)st.hits,
                  (unsigned long long)st.misses,
                  (unsigned long long)st.bypass,
                  (unsigned long long)st.hit_bytes,
                  (unsigned long long)st.miss_bytes,
                  (unsigned long long)st.max_bytes);
    sl_buf_puts(out,
                "# HELP sealog_cache_bytes Bytes of hot cache entries by key scope.\n"
                "# TYPE sealog_cache_bytes gauge\n");
    for (int s = 0; s < SL_SCOPE_COUNT; s++)
        sl_buf_printf(out,
                      "sealog_cache_bytes{scope=\"%s\"} %llu\n",
                      scope_name((sl_scope_t)s),
                      (unsigned long long)st.scope_bytes[s]);
    sl_buf_puts(out,
                "# HELP sealog_cache_blocks Blocks in the hot cache by key scope.\n"
                "# TYPE sealog_cache_blocks gauge\n");
    for (int s = 0; s < SL_SCOPE_COUNT; s++)
        sl_buf_printf(out,
                      "sealog_cache_blocks{scope=\"%s\"} %llu\n",
                      scope_name((sl_scope_t)s),
                      (unsigned long long)st.scope_blocks[s]);
    sl_buf_puts(out,
                "# HELP sealog_cache_attached Whether a key scope's part of the hot cache "
                "is usable (1) or detached: wiped, or waiting for its key (0).\n"
                "# TYPE sealog_cache_attached gauge\n");
    for (int s = 0; s < SL_SCOPE_COUNT; s++)
        sl_buf_printf(out,
                      "sealog_cache_attached{scope=\"%s\"} %d\n",
                      scope_name((sl_scope_t)s),
                      st.attached[s] ? 1 : 0);
    sl_buf_printf(out,
                  "# HELP sealog_cache_writes_total Blocks written to the hot cache (new: as "
                  "storage wrote them; admitted: after a miss or by a reload) or dropped (queue "
                  "full, scope gone).\n"
                  "# TYPE sealog_cache_writes_total counter\n"
                  "sealog_cache_writes_total{kind=\"new\"} %llu\n"
                  "sealog_cache_writes_total{kind=\"admitted\"} %llu\n"
                  "sealog_cache_writes_total{kind=\"dropped\"} %llu\n"
                  "# HELP sealog_cache_evictions_total Blocks evicted to stay within the bound.\n"
                  "# TYPE sealog_cache_evictions_total counter\n"
                  "sealog_cache_evictions_total %llu\n"
                  "# HELP sealog_cache_evicted_bytes_total Bytes evicted.\n"
                  "# TYPE sealog_cache_evicted_bytes_total counter\n"
                  "sealog_cache_evicted_bytes_total %llu\n"
                  "# HELP sealog_cache_integrity_failures_total Damaged entries dropped (the "
                  "block was read from storage).\n"
                  "# TYPE sealog_cache_integrity_failures_total counter\n"
                  "sealog_cache_integrity_failures_total %llu\n"
                  "# HELP sealog_cache_wipes_total Crypto-shredding wipes (revocations).\n"
                  "# TYPE sealog_cache_wipes_total counter\n"
                  "sealog_cache_wipes_total %llu\n"
                  "# HELP sealog_cache_last_wipe_seconds Duration of the last wipe.\n"
                  "# TYPE sealog_cache_last_wipe_seconds gauge\n"
                  "sealog_cache_last_wipe_seconds %.6f\n",
                  (unsigned long long)st.puts,
                  (unsigned long long)st.admits,
                  (unsigned long long)st.dropped,
                  (unsigned long long)st.evictions,
                  (unsigned long long)st.evicted_bytes,
                  (unsigned long long)st.integrity_failures,
                  (unsigned long long)st.wipes,
                  (double)st.last_wipe.ns_total / 1e9);
    sl_node_cache_t *nc = n->hot;
    sl_buf_puts(out,
                "# HELP sealog_cache_reload_blocks Blocks loaded by the last (or running) "
                "reload of a scope's hot window.\n"
                "# TYPE sealog_cache_reload_blocks gauge\n");
    sl_cache_reload_stats_t r[SL_SCOPE_COUNT];
    pthread_mutex_lock(&nc->mu);
    memcpy(r, nc->last, sizeof r);
    pthread_mutex_unlock(&nc->mu);
    for (int s = 0; s < SL_SCOPE_COUNT; s++)
        sl_buf_printf(out,
                      "sealog_cache_reload_blocks{scope=\"%s\"} %llu\n",
                      scope_name((sl_scope_t)s),
                      (unsigned long long)r[s].blocks_done);
    sl_buf_puts(out,
                "# HELP sealog_cache_reload_seconds Duration of the last reload (so far, "
                "while it runs).\n"
                "# TYPE sealog_cache_reload_seconds gauge\n");
    for (int s = 0; s < SL_SCOPE_COUNT; s++)
        sl_buf_printf(out,
                      "sealog_cache_reload_seconds{scope=\"%s\"} %.3f\n",
                      scope_name((sl_scope_t)s),
                      r[s].seconds);
    sl_buf_puts(out,
                "# HELP sealog_cache_reload_mb_per_second Stored MB read per second by the "
                "last reload.\n"
                "# TYPE sealog_cache_reload_mb_per_second gauge\n");
    for (int s = 0; s < SL_SCOPE_COUNT; s++)
        sl_buf_printf(out,
                      "sealog_cache_reload_mb_per_second{scope=\"%s\"} %.2f\n",
                      scope_name((sl_scope_t)s),
                      r[s].mb_per_sec);
    sl_buf_puts(out,
                "# HELP sealog_cache_reload_running Whether a reload of the scope runs.\n"
                "# TYPE sealog_cache_reload_running gauge\n");
    for (int s = 0; s < SL_SCOPE_COUNT; s++)
        sl_buf_printf(out,
                      "sealog_cache_reload_running{scope=\"%s\"} %d\n",
                      scope_name((sl_scope_t)s),
                      r[s].running ? 1 : 0);
}
