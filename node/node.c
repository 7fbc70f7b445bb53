/*
 * sealogd's lifecycle.
 *
 *   sl_node_main
 *     ├─ bind listeners            (nothing on disk yet: a busy port fails clean)
 *     ├─ open the data directory   (created atomically on first start)
 *     ├─ TLS, h2o context, routes
 *     ├─ first start: mint the bootstrap admin token, print it once
 *     ├─ RUNNING: uv_run
 *     │     SIGHUP  → reload TLS certificate and log level
 *     │     SIGTERM/SIGINT → DRAINING: stop accepting, let in-flight
 *     │                      requests finish (at most shutdown_timeout)
 *     └─ STOPPED: close everything, exit 0
 */
#include "node/node_int.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

static void out_printf(sl_node_t *n, const char *fmt, ...) SL_PRINTF(2, 3);
static void out_printf(sl_node_t *n, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (len > (int)sizeof buf - 1)
        len = (int)sizeof buf - 1;
    ssize_t w = write(n->out_fd, buf, (size_t)len);
    (void)w;
}

static void close_walk_cb(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

static void finish(sl_node_t *n)
{
    if (n->state == SL_NODE_STOPPED)
        return;
    n->state = SL_NODE_STOPPED;
    atomic_store(&n->cancel_queries, true);
    uv_timer_stop(&n->drain_timer);
    uv_timer_stop(&n->retention_timer);
    uv_signal_stop(&n->sig_term);
    uv_signal_stop(&n->sig_int);
    uv_signal_stop(&n->sig_hup);
    uv_stop(n->loop);
}

void sl_node__maybe_finish_drain(sl_node_t *n)
{
    if (n->state != SL_NODE_DRAINING || n->inflight != 0)
        return;
    /* Nothing in flight: close idle keep-alive connections, then stop once
     * they are gone (the drain timer still bounds the wait). */
    if (n->open_conns == 0)
        finish(n);
    else if (!n->closing_idle) {
        n->closing_idle = true;
        sl_node__http_close_idle(n);
    }
}

static void on_drain_timeout(uv_timer_t *t)
{
    sl_node_t *n = t->data;
    sl_log(n->log, SL_LOG_WARN, "node",
           "shutdown timeout: %llu request(s) still in flight, exiting anyway",
           (unsigned long long)n->inflight);
    finish(n);
}

static void begin_drain(sl_node_t *n, const char *why)
{
    if (n->state != SL_NODE_RUNNING)
        return;
    n->state = SL_NODE_DRAINING;
    sl_node__cache_cancel(n);
    sl_log(n->log, SL_LOG_INFO, "node", "%s: draining (%llu in flight, up to %lld ms)", why,
           (unsigned long long)n->inflight, (long long)n->cfg->shutdown_timeout_ms);
    sl_node__http_stop_accepting(n);
    uv_timer_start(&n->drain_timer, on_drain_timeout, (uint64_t)n->cfg->shutdown_timeout_ms, 0);
    sl_node__maybe_finish_drain(n);
}

static void on_signal(uv_signal_t *s, int signum)
{
    sl_node_t *n = s->data;
    if (signum == SIGHUP) {
        /* Re-read the configuration; only the log level and the certificate
         * change at run time, anything else needs a restart. */
        sl_config_t *fresh;
        sl_config_action_t action;
        sl_diag_t d;
        if (sl_config_load(n->argc, n->argv, n->envp, &fresh, &action, &d)) {
            sl_log(n->log, SL_LOG_ERROR, "node", "reload: %s (keeping the running configuration)",
                   d.msg);
        } else {
            sl_log_set_level(n->log, (sl_log_level_t)fresh->log_level);
            n->cfg->log_level = fresh->log_level;
            sl_log(n->log, SL_LOG_INFO, "node", "reload: log level %s",
                   sl_log_level_name((sl_log_level_t)fresh->log_level));
            sl_config_destroy(fresh);
        }
        sl_node__http_reload_tls(n);
        return;
    }
    begin_drain(n, signum == SIGTERM ? "SIGTERM" : "SIGINT");
}

static void harden_process(sl_node_t *n)
{
    /* A peer that closes while we write must cost an EPIPE, not the process. */
    signal(SIGPIPE, SIG_IGN);
    if (!n->cfg->allow_core_dumps) {
        /* Keys live in process memory; a core file must never capture them. */
        struct rlimit rl = { 0, 0 };
        setrlimit(RLIMIT_CORE, &rl);
        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
}

static int bootstrap_token(sl_node_t *n, sl_diag_t *d)
{
    sl_token_rec_t t;
    char secret[128];
    int rc = sl_node__token_mint(n, SL_TOKEN_ADMIN, "bootstrap", NULL, 0,
                                 (int64_t)3650 * 86400000, &t, secret, d);
    if (rc)
        return rc;
    out_printf(n, "  admin token:  %s\n"
                  "                (shown once: keep it; sealog stores only its hash)\n",
               secret);
    sl_wipe(secret, sizeof secret);
    return 0;
}

static int start(sl_node_t *n, sl_diag_t *d)
{
    int rc;
    if ((rc = sl_node__http_bind(n, d)))
        return rc;
    if ((rc = sl_node__datadir_open(n, d)))
        return rc;
    if ((rc = sl_node__keys_open(n, d)))
        return rc;
    if ((rc = sl_node__storage_open(n, d)))
        return rc;
    if ((rc = sl_node__qspawn_open(n, d)))
        return rc;
    if ((rc = sl_node__audit_open(n, d)))
        return rc;
    if ((rc = sl_node__cmk_open(n, d)))
        return rc;
    sl_cluster_t cluster;
    sl_node__cmk_cluster(n, &cluster);
    if ((rc = sl_node__cache_open(n, cluster.kv_uri[0] != '\0', d)))
        return rc;
    /* A scan uses the query's own thread plus helpers, up to the pool size
     * and the cores there are. */
    unsigned cores = uv_available_parallelism();
    unsigned pool = (unsigned)n->cfg->threadpool_size;
    n->query_helpers = (pool < cores ? pool : cores) - 1;
    if ((rc = sl_node__http_start(n, d)))
        return rc;
    if ((rc = sl_node__dcr_load(n, d)))
        return rc;
    n->metrics = sl_metrics_create(sl_routes_count);

    uv_signal_init(n->loop, &n->sig_term);
    uv_signal_init(n->loop, &n->sig_int);
    uv_signal_init(n->loop, &n->sig_hup);
    uv_timer_init(n->loop, &n->drain_timer);
    n->sig_term.data = n->sig_int.data = n->sig_hup.data = n->drain_timer.data = n;
    uv_signal_start(&n->sig_term, on_signal, SIGTERM);
    uv_signal_start(&n->sig_int, on_signal, SIGINT);
    uv_signal_start(&n->sig_hup, on_signal, SIGHUP);
    sl_node__retention_start(n);

    char fp[96] = "";
    sl_tls_fingerprint(n->cert_path, fp, NULL);
    out_printf(n, "sealog %s node ready\n  data dir:     %s%s\n", SL_VERSION, n->data_dir,
               n->first_start ? " (created)" : "");
    for (sl_listener_t *l = n->listeners; l; l = l->next)
        out_printf(n, "  listening:    %s\n", l->display);
    out_printf(n, "  certificate:  %s\n  sha256:       %s\n", n->cert_path, fp);
    if (n->first_start && (rc = bootstrap_token(n, d)))
        return rc;
    n->state = SL_NODE_RUNNING;
    n->started_at = sl_time_now();
    sl_log(n->log, SL_LOG_INFO, "node", "ready: %s, data dir %s", n->public_url, n->data_dir);
    return 0;
}

int sl_node_main(sl_config_t *cfg, int argc, char **argv, char **envp, int out_fd, int log_fd)
{
    sl_node_t *n = sl_xcalloc(1, sizeof *n);
    uv_loop_t loop;
    n->cfg = cfg;
    n->argc = argc;
    n->argv = argv;
    n->envp = envp;
    n->out_fd = out_fd;
    n->lock_fd = -1;
    n->log = sl_log_create(log_fd, (sl_log_level_t)cfg->log_level);
    snprintf(n->data_dir, sizeof n->data_dir, "%s", cfg->data_dir);
    harden_process(n);

    /* The pool size is read once, at the first uv_queue_work. */
    char tp[16];
    snprintf(tp, sizeof tp, "%lld", (long long)cfg->threadpool_size);
    setenv("UV_THREADPOOL_SIZE", tp, 1);
    uv_loop_init(&loop);
    n->loop = &loop;

    sl_diag_t d;
    sl_diag_clear(&d);
    int rc = start(n, &d);
    int code = SL_EXIT_OK;
    if (rc) {
        fprintf(stderr, "sealogd: %s\n", d.msg);
        code = SL_EXIT_RUNTIME;
    } else {
        uv_run(n->loop, UV_RUN_DEFAULT);
        sl_log(n->log, SL_LOG_INFO, "node", "stopped");
    }

    /* Queries still running after a drain timeout were told to stop; they
     * do at their next block. The store must outlive them. */
    atomic_store(&n->cancel_queries, true);
    for (int i = 0; i < 1000 && atomic_load(&n->queries_active); i++)
        uv_sleep(10);
    sl_node__qspawn_close(n);
    sl_node__cmk_close(n);
    sl_node__audit_close(n);

    /* The store first: its WAL thread pokes store_async, which must still be
     * open then. Nothing is in flight any more, so no answer is lost. */
    sl_node__storage_close(n);
    sl_node__cache_close(n);

    /* Close whatever is left (listeners on failure, idle keep-alive
     * connections) and let the close callbacks run. h2o's context can only
     * be disposed of when no connection refers to it any more; with idle
     * HTTP/1 connections still open (h2o 2.2 does not close them on
     * shutdown) we leave it to process exit. */
    if (n->listeners)
        sl_node__http_stop_accepting(n);
    if (n->h2o_ready && n->open_conns == 0) {
        /* h2o 2.2 links this entry on shutdown and never unlinks it. */
        if (h2o_timeout_is_linked(&n->h2o_ctx.http2._graceful_shutdown_timeout))
            h2o_timeout_unlink(&n->h2o_ctx.http2._graceful_shutdown_timeout);
        h2o_context_dispose(&n->h2o_ctx);
        h2o_config_dispose(&n->h2o_conf);
        n->h2o_ready = false;
    }
    uv_walk(n->loop, close_walk_cb, NULL);
    uv_run(n->loop, UV_RUN_DEFAULT);
    uv_loop_close(n->loop);
    sl_node__audit_free(n);
    sl_node__cmk_free(n);

    sl_node__http_dispose(n);
    sl_node__dcr_free(n);
    sl_node__keys_close(n);
    sl_node__datadir_close(n);
    sl_metrics_destroy(n->metrics);
    sl_log_destroy(n->log);
    sl_config_destroy(n->cfg);
    sl_free(n);
    return code;
}
