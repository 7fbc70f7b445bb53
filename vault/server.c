/*
 * sealog-vault's lifecycle.
 *
 *   sl_vault_main (server)
 *     ├─ parse flags                 bad flag → one line, exit 2
 *     ├─ bind listeners              nothing on disk yet: a busy port fails clean
 *     ├─ open the data directory     first start: created atomically, with the
 *     │                              master key and the bootstrap token
 *     ├─ TLS, h2o, banner            the bootstrap token is printed once
 *     ├─ RUNNING: uv_run
 *     │     SIGTERM/SIGINT → DRAINING: stop accepting, let in-flight requests
 *     │                      and their writes finish (at most --shutdown-timeout)
 *     └─ STOPPED: close everything, exit 0
 */
#include "vault/vault_int.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

static void out_printf(sl_vault_t *v, const char *fmt, ...) SL_PRINTF(2, 3);
static void out_printf(sl_vault_t *v, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof buf - 1)
        n = (int)sizeof buf - 1;
    ssize_t w = write(v->out_fd, buf, (size_t)n);
    (void)w;
    sl_wipe(buf, sizeof buf); /* the banner may carry the bootstrap token */
}

static void finish(sl_vault_t *v)
{
    if (v->state == SL_VAULT_STOPPED)
        return;
    v->state = SL_VAULT_STOPPED;
    uv_timer_stop(&v->drain_timer);
    uv_signal_stop(&v->sig_term);
    uv_signal_stop(&v->sig_int);
    uv_stop(v->loop);
}

void sl_vault__maybe_finish_drain(sl_vault_t *v)
{
    if (v->state != SL_VAULT_DRAINING || v->inflight != 0 || v->wq_busy)
        return;
    if (v->open_conns == 0)
        finish(v);
    else if (!v->closing_idle) {
        v->closing_idle = true;
        sl_vault__http_close_idle(v);
    }
}

static void on_drain_timeout(uv_timer_t *t)
{
    sl_vault_t *v = t->data;
    sl_log(v->log, SL_LOG_WARN, "vault", "shutdown timeout: %llu request(s) in flight, stopping",
           (unsigned long long)v->inflight);
    finish(v);
}

static void on_signal(uv_signal_t *s, int signum)
{
    sl_vault_t *v = s->data;
    if (v->state != SL_VAULT_RUNNING)
        return;
    v->state = SL_VAULT_DRAINING;
    sl_log(v->log, SL_LOG_INFO, "vault", "%s: draining (%llu in flight)",
           signum == SIGTERM ? "SIGTERM" : "SIGINT", (unsigned long long)v->inflight);
    sl_vault__http_stop_accepting(v);
    uv_timer_start(&v->drain_timer, on_drain_timeout, (uint64_t)v->opts->shutdown_timeout_ms, 0);
    sl_vault__maybe_finish_drain(v);
}

static void harden(void)
{
    /* A peer that hangs up mid-write costs an EPIPE, not the process; and
     * key material must never reach a core file. */
    signal(SIGPIPE, SIG_IGN);
    struct rlimit rl = { 0, 0 };
    setrlimit(RLIMIT_CORE, &rl);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

static void banner(sl_vault_t *v)
{
    char fp[96] = "";
    sl_tls_fingerprint(v->cert_path, fp, NULL);
    out_printf(v, "sealog-vault %s ready\n  data dir:     %s%s\n", SL_VERSION, v->data_dir,
               v->first_start ? " (created)" : "");
    for (sl_vault_listener_t *l = v->listeners; l; l = l->next)
        out_printf(v, "  listening:    %s\n", l->url);
    out_printf(v, "  certificate:  %s\n  sha256:       %s\n", v->cert_path, fp);
    int days;
    const char *level = sl_vault_recovery_level(v->opts->soft_delete, v->opts->purge_protection,
                                                &days);
    out_printf(v, "  key ids:      %s/keys/NAME/VERSION\n  recovery:     %s\n", v->public_url,
               level);
    out_printf(v, "  challenge:    authorization=\"%s/%s\" resource=\"%s\"\n", v->authority,
               v->tenant, v->opts->resource);
    out_printf(v, "  token url:    %s/%s/oauth2/v2.0/token\n", v->public_url, v->tenant);
    if (v->opts->mi_enabled) {
        sl_buf_t p = SL_BUF_INIT;
        sl_vault_perms_format(v->opts->mi_perms, &p);
        out_printf(v, "  identity:     %s/metadata/identity/oauth2/token (%s)\n", v->public_url,
                   p.data);
        sl_buf_dispose(&p);
    }
    if (v->first_start) {
        out_printf(v, "  admin token:  %s\n"
                      "                (shown once: keep it; the vault stores only its hash)\n",
                   v->bootstrap_secret);
        sl_wipe(v->bootstrap_secret, sizeof v->bootstrap_secret);
    }
}

static int start(sl_vault_t *v, sl_diag_t *d)
{
    int rc;
    if ((rc = sl_vault__http_bind(v, d)) || (rc = sl_vault__datadir_open(v, d)) ||
        (rc = sl_vault__http_start(v, d)))
        return rc;
    if (v->opts->tenant)
        snprintf(v->tenant, sizeof v->tenant, "%s", v->opts->tenant);
    snprintf(v->authority, sizeof v->authority, "%s",
             v->opts->authority ? v->opts->authority : v->public_url);
    v->view.base_url = v->public_url;
    v->view.recovery_level = sl_vault_recovery_level(v->opts->soft_delete,
                                                     v->opts->purge_protection,
                                                     &v->view.recoverable_days);
    v->auth.hash_key = v->hash_key;
    v->auth.access_key = v->access_key;
    v->auth.tokens = &v->tokens;
    v->auth.resource = v->opts->resource;
    v->auth.mi_enabled = v->opts->mi_enabled;
    v->auth.mi_perms = v->opts->mi_perms;

    uv_signal_init(v->loop, &v->sig_term);
    uv_signal_init(v->loop, &v->sig_int);
    uv_timer_init(v->loop, &v->drain_timer);
    v->sig_term.data = v->sig_int.data = v->drain_timer.data = v;
    uv_signal_start(&v->sig_term, on_signal, SIGTERM);
    uv_signal_start(&v->sig_int, on_signal, SIGINT);

    banner(v);
    v->state = SL_VAULT_RUNNING;
    size_t nver = 0;
    for (size_t i = 0; i < v->model.nk; i++)
        nver += v->model.k[i]->nv;
    sl_log(v->log, SL_LOG_INFO, "vault", "ready: %s, %zu key(s), %zu version(s), %zu token(s)",
           v->public_url, v->model.nk, nver, v->tokens.n);
    return 0;
}

static void close_walk_cb(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

static int serve(int argc, char **argv, int out_fd, int log_fd)
{
    sl_vault_opts_t *opts;
    sl_vault_action_t action;
    sl_diag_t d;
    sl_diag_clear(&d);
    if (sl_vault_opts_parse(argc, argv, &opts, &action, &d)) {
        fprintf(stderr, "sealog-vault: %s\n", d.msg);
        return SL_VAULT_EXIT_USAGE;
    }
    if (action != SL_VAULT_RUN) {
        sl_buf_t b = SL_BUF_INIT;
        if (action == SL_VAULT_HELP)
            sl_vault_usage(&b);
        else
            sl_buf_printf(&b, "sealog-vault %s\n", SL_VERSION);
        fwrite(b.data, 1, b.len, stdout);
        sl_buf_dispose(&b);
        sl_vault_opts_destroy(opts);
        return SL_VAULT_EXIT_OK;
    }
    harden();
    sl_vault_t *v = sl_xcalloc(1, sizeof *v);
    uv_loop_t loop;
    uv_loop_init(&loop);
    v->loop = &loop;
    v->opts = opts;
    v->out_fd = out_fd;
    v->lock_fd = -1;
    v->log = sl_log_create(log_fd, (sl_log_level_t)opts->log_level);
    snprintf(v->data_dir, sizeof v->data_dir, "%s", opts->data_dir);
    sl_vault_model_init(&v->model);

    int code = SL_VAULT_EXIT_OK;
    if (start(v, &d)) {
        fprintf(stderr, "sealog-vault: %s\n", d.msg);
        code = SL_VAULT_EXIT_FAIL;
    } else {
        uv_run(v->loop, UV_RUN_DEFAULT);
        sl_log(v->log, SL_LOG_INFO, "vault", "stopped");
    }
    sl_wipe(v->bootstrap_secret, sizeof v->bootstrap_secret);

    /* Close what is left and let the callbacks (and any queued work) run.
     * h2o's context may only be disposed of when no connection uses it; with
     * idle HTTP/1 connections still open at a drain timeout, process exit
     * takes care of it. */
    if (v->listeners)
        sl_vault__http_stop_accepting(v);
    if (v->h2o_ready && v->open_conns == 0) {
        /* h2o 2.2 links this entry on shutdown and never unlinks it. */
        if (h2o_timeout_is_linked(&v->h2o_ctx.http2._graceful_shutdown_timeout))
            h2o_timeout_unlink(&v->h2o_ctx.http2._graceful_shutdown_timeout);
        h2o_context_dispose(&v->h2o_ctx);
        h2o_config_dispose(&v->h2o_conf);
        v->h2o_ready = false;
    }
    uv_walk(v->loop, close_walk_cb, NULL);
    uv_run(v->loop, UV_RUN_DEFAULT);
    uv_loop_close(v->loop);

    sl_vault__http_dispose(v);
    sl_vault__datadir_close(v);
    sl_log_destroy(v->log);
    sl_vault_opts_destroy(v->opts);
    sl_free(v);
    return code;
}

int sl_vault_main(int argc, char **argv, int out_fd, int log_fd)
{
    if (argc > 1 && (!strcmp(argv[1], "key") || !strcmp(argv[1], "token")))
        return sl_vault_cli_main(argc, argv);
    return serve(argc, argv, out_fd, log_fd);
}
