/*
 * Retention: every retention_interval (and on POST /admin/v1/retention/run)
 * the node turns each workspace's retentionInDays into a cutoff and asks the
 * store to purge; the purge itself runs on the store's segment writer, the
 * wait for it on the thread pool.
 */
#include "node/node_int.h"

#include <stdio.h>

typedef struct purge_job {
    sl_node_t *n;
    sl_req_t *r; /* NULL for the timer */
    sl_retention_rule_t *rules;
    size_t nrules;
    sl_purge_stats_t st;
    int rc;
    sl_diag_t d;
    uint64_t ns;
} purge_job_t;

static void purge_work(void *arg)
{
    purge_job_t *j = arg;
    uint64_t t0 = sl_time_mono_ns();
    j->rc = sl_store_purge(j->n->store, j->rules, j->nrules, &j->st, &j->d);
    if (!j->rc)
        sl_node__cache_purge(j->n, j->rules, j->nrules);
    j->ns = sl_time_mono_ns() - t0;
}

static void purge_done(void *arg)
{
    purge_job_t *j = arg;
    sl_node_t *n = j->n;
    n->purge_running = false;
    if (j->rc)
        sl_log(n->log, SL_LOG_ERROR, "store", "retention purge failed: %s", j->d.msg);
    else if (j->st.rows_deleted || j->st.segments_dropped)
        sl_log(n->log, SL_LOG_INFO, "store",
               "retention: %llu segment(s) dropped, %llu block(s) deleted, %llu rewritten, "
               "%llu row(s) removed in %.1f ms",
               (unsigned long long)j->st.segments_dropped, (unsigned long long)j->st.blocks_deleted,
               (unsigned long long)j->st.blocks_rewritten, (unsigned long long)j->st.rows_deleted,
               (double)j->ns / 1e6);
    n->purged_rows += j->st.rows_deleted;
    if (j->r && sl_req_resume(j->r)) {
        if (j->rc) {
            sl_respond_error(j->r, 500, "InternalError", NULL, "%s", j->d.msg);
        } else {
            sl_buf_t b = SL_BUF_INIT;
            sl_jw_t w;
            sl_jw_init(&w, &b);
            sl_jw_obj_begin(&w);
            sl_jw_key(&w, "segmentsDropped");
            sl_jw_uint(&w, j->st.segments_dropped);
            sl_jw_key(&w, "blocksDeleted");
            sl_jw_uint(&w, j->st.blocks_deleted);
            sl_jw_key(&w, "blocksRewritten");
            sl_jw_uint(&w, j->st.blocks_rewritten);
            sl_jw_key(&w, "rowsDeleted");
            sl_jw_uint(&w, j->st.rows_deleted);
            sl_jw_key(&w, "milliseconds");
            sl_jw_real(&w, (double)j->ns / 1e6);
            sl_jw_obj_end(&w);
            sl_respond_json(j->r, 200, &b);
        }
    }
    bool timer = !j->r;
    sl_free(j->rules);
    sl_free(j);
    if (timer) {
        n->inflight--;
        sl_node__maybe_finish_drain(n);
    }
}

/* Starts a purge; false if one is already running. */
static bool start_purge(sl_node_t *n, sl_req_t *r)
{
    if (n->purge_running || !n->store)
        return false;
    sl_ws_rec_t *list;
    size_t count;
    if (sl_catalog_ws_list(n->catalog, &list, &count, NULL))
        return false;
    purge_job_t *j = sl_xcalloc(1, sizeof *j);
    j->n = n;
    j->r = r;
    j->rules = sl_xcalloc(count ? count : 1, sizeof *j->rules);
    sl_ticks_t now = sl_time_now();
    for (size_t i = 0; i < count; i++) {
        j->rules[j->nrules].ws = list[i].id;
        j->rules[j->nrules].cutoff = now - (sl_ticks_t)list[i].retention_days * SL_TICKS_PER_DAY;
        j->nrules++;
    }
    sl_ws_list_free(list, count);
    n->purge_running = true;
    if (r)
        sl_req_suspend(r);
    else
        n->inflight++; /* a shutdown waits for the purge like for a request */
    sl_node__run_blocking(n, purge_work, purge_done, j);
    return true;
}

static void on_timer(uv_timer_t *t)
{
    start_purge(t->data, NULL);
}

void sl_node__retention_start(sl_node_t *n)
{
    uv_timer_init(n->loop, &n->retention_timer);
    n->retention_timer.data = n;
    uint64_t every = (uint64_t)n->cfg->retention_interval_ms;
    uv_timer_start(&n->retention_timer, on_timer, every, every);
}

void sl_h_retention_run(sl_req_t *r)
{
    if (!start_purge(r->node, r))
        sl_respond_retry_after(r, 503, 5, "Busy", "A retention purge is already running.");
}
