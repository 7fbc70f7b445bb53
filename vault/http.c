/*
 * The vault's HTTPS (and optional loopback HTTP) listeners on h2o + libuv.
 *
 * Smaller than the node's server: TCP only (no Unix sockets), no TLS reload,
 * no metrics. Sockets are bound before the data directory is touched, so a
 * busy port fails start-up with nothing created; the loop runs only once
 * TLS and routing are ready, so early connections wait in the backlog.
 *
 * Open connections are kept in a list from accept to close: the drain on
 * SIGTERM waits for in-flight requests, then shuts the idle keep-alive
 * sockets down so h2o closes them through its own path.
 */
#include "vault/vault_int.h"

#include <h2o/http2.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

typedef struct handler {
    h2o_handler_t super;
    sl_vault_t *vault;
} handler_t;

/* An accepted connection; the handle comes first so close callbacks can cast. */
typedef struct sl_vault_conn {
    union {
        uv_handle_t handle;
        uv_tcp_t tcp;
    } h;
    sl_vault_t *vault;
    struct sl_vault_conn *prev, *next;
} conn_t;

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    sl_vault__dispatch(((handler_t *)self)->vault, req);
    return 0;
}

static void on_conn_closed(uv_handle_t *h)
{
    conn_t *c = (conn_t *)h;
    sl_vault_t *v = c->vault;
    if (c->prev)
        c->prev->next = c->next;
    else
        v->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    v->open_conns--;
    sl_free(c);
    sl_vault__maybe_finish_drain(v);
}

/* For connections refused at accept, and listeners: the handle is the
 * first member of its allocation. */
static void free_handle(uv_handle_t *h)
{
    sl_free(h);
}

static void on_connection(uv_stream_t *server, int status)
{
    sl_vault_listener_t *l = server->data;
    sl_vault_t *v = l->vault;
    if (status < 0) {
        sl_log(v->log, SL_LOG_WARN, "http", "accept on %s failed: %s", l->url,
               uv_strerror(status));
        return;
    }
    conn_t *c = sl_xcalloc(1, sizeof *c);
    c->vault = v;
    uv_tcp_init(v->loop, &c->h.tcp);
    if (uv_accept(server, (uv_stream_t *)&c->h.tcp) != 0 || v->state != SL_VAULT_RUNNING) {
        uv_close(&c->h.handle, free_handle);
        return;
    }
    uv_tcp_nodelay(&c->h.tcp, 1);
    v->open_conns++;
    c->next = v->conns;
    if (c->next)
        c->next->prev = c;
    v->conns = c;
    h2o_socket_t *sock = h2o_uv_socket_create((uv_stream_t *)&c->h.tcp, on_conn_closed);
    h2o_accept(l->tls ? &v->accept_tls : &v->accept_plain, sock);
}

void sl_vault__http_close_idle(sl_vault_t *v)
{
    for (conn_t *c = v->conns; c; c = c->next) {
        uv_os_fd_t fd;
        if (uv_fileno(&c->h.handle, &fd) == 0)
            shutdown(fd, SHUT_RDWR);
    }
}

static int bind_one(sl_vault_t *v, const char *spec, bool tls, sl_diag_t *d)
{
    sl_listen_addr_t a;
    if (sl_config_parse_listen(spec, &a) || a.is_unix)
        return sl_diag_set(d, SL_ECONFIG, "bad listen address \"%s\"", spec);
    sl_vault_listener_t *l = sl_xcalloc(1, sizeof *l);
    l->vault = v;
    l->tls = tls;
    struct sockaddr_storage ss;
    bool v6 = strchr(a.host, ':') != NULL;
    int rc = v6 ? uv_ip6_addr(a.host, a.port, (struct sockaddr_in6 *)&ss)
                : uv_ip4_addr(a.host, a.port, (struct sockaddr_in *)&ss);
    uv_tcp_init(v->loop, &l->h.tcp);
    l->h.handle.data = l;
    if (!rc)
        rc = uv_tcp_bind(&l->h.tcp, (struct sockaddr *)&ss, 0);
    if (!rc)
        rc = uv_listen(&l->h.stream, 512, on_connection);
    if (rc) {
        sl_diag_set(d, rc, "cannot listen on %s: %s", spec, uv_strerror(rc));
        uv_close(&l->h.handle, free_handle);
        return rc;
    }
    /* Port 0 asks the kernel for a free port: report the real one. */
    int len = sizeof ss;
    uv_tcp_getsockname(&l->h.tcp, (struct sockaddr *)&ss, &len);
    int port = v6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                  : ntohs(((struct sockaddr_in *)&ss)->sin_port);
    snprintf(l->url, sizeof l->url, "%s://%s%s%s:%d", tls ? "https" : "http", v6 ? "[" : "",
             a.host, v6 ? "]" : "", port);
    /* Append, keeping the order of the flags. */
    sl_vault_listener_t **tail = &v->listeners;
    while (*tail)
        tail = &(*tail)->next;
    *tail = l;
    return 0;
}

int sl_vault__http_bind(sl_vault_t *v, sl_diag_t *d)
{
    for (size_t i = 0; i < v->opts->nlisten; i++) {
        int rc = bind_one(v, v->opts->listen[i], true, d);
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < v->opts->nhttp; i++) {
        int rc = bind_one(v, v->opts->http_listen[i], false, d);
        if (rc)
            return rc;
    }
    return 0;
}

int sl_vault__http_start(sl_vault_t *v, sl_diag_t *d)
{
    snprintf(v->cert_path, sizeof v->cert_path, "%s/tls/cert.pem", v->data_dir);
    snprintf(v->key_path, sizeof v->key_path, "%s/tls/key.pem", v->data_dir);
    int rc = sl_tls_ctx_create(v->cert_path, v->key_path, v->master, &v->tls_ctx, d);
    if (rc)
        return rc;
    h2o_ssl_register_alpn_protocols((SSL_CTX *)v->tls_ctx, h2o_http2_alpn_protocols);

    h2o_config_init(&v->h2o_conf);
    v->h2o_conf.server_name = h2o_iovec_init(H2O_STRLIT("sealog-vault"));
    /* Key Vault bodies are small JSON documents. */
    v->h2o_conf.max_request_entity_size = 1024 * 1024;
    v->h2o_conf.http2.graceful_shutdown_timeout = 0; /* the drain timer bounds shutdown */
    h2o_hostconf_t *host =
        h2o_config_register_host(&v->h2o_conf, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_pathconf_t *path = h2o_config_register_path(host, "/", 0);
    handler_t *h = (handler_t *)h2o_create_handler(path, sizeof *h);
    h->super.on_req = on_req;
    h->vault = v;
    h2o_context_init(&v->h2o_ctx, v->loop, &v->h2o_conf);
    v->h2o_ready = true;
    v->accept_tls.ctx = v->accept_plain.ctx = &v->h2o_ctx;
    v->accept_tls.hosts = v->accept_plain.hosts = v->h2o_conf.hosts;
    v->accept_tls.ssl_ctx = (SSL_CTX *)v->tls_ctx;

    /* The public URL every kid starts with: the flag, else the first
     * HTTPS listener, else the first listener of any kind. */
    if (v->opts->public_url) {
        snprintf(v->public_url, sizeof v->public_url, "%s", v->opts->public_url);
    } else {
        for (sl_vault_listener_t *l = v->listeners; l && !v->public_url[0]; l = l->next)
            if (l->tls)
                snprintf(v->public_url, sizeof v->public_url, "%s", l->url);
        if (!v->public_url[0] && v->listeners)
            snprintf(v->public_url, sizeof v->public_url, "%s", v->listeners->url);
    }
    return 0;
}

void sl_vault__http_stop_accepting(sl_vault_t *v)
{
    for (sl_vault_listener_t *l = v->listeners, *next; l; l = next) {
        next = l->next;
        uv_close(&l->h.handle, free_handle);
    }
    v->listeners = NULL;
    if (v->h2o_ready)
        h2o_context_request_shutdown(&v->h2o_ctx);
}

void sl_vault__http_dispose(sl_vault_t *v)
{
    sl_tls_ctx_destroy(v->tls_ctx);
    v->tls_ctx = NULL;
}
