/*
 * Listeners and the h2o server on the node's uv loop.
 *
 * Sockets are bound (and listen(2)ed) before the data directory is touched,
 * so that "address in use" fails start-up with nothing created. The loop
 * does not run until TLS and routing are ready, so connections that arrive
 * early wait in the backlog.
 *
 * Every connection is counted from accept to the close callback, which is
 * what /metrics reports as open connections and what the drain waits on.
 */
#include "node/node_int.h"

#include <errno.h>
#include <h2o/http2.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

typedef struct sl_handler {
    h2o_handler_t super;
    sl_node_t *node;
} sl_handler_t;

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    sl_node__dispatch(((sl_handler_t *)self)->node, req);
    return 0;
}

/* An accepted connection. h2o owns handle.data, so the node pointer lives
 * beside the handle; the handle comes first so close callbacks can cast. */
typedef struct conn {
    union {
        uv_handle_t handle;
        uv_tcp_t tcp;
        uv_pipe_t pipe;
    } h;
    sl_node_t *node;
    struct conn *prev, *next; /* the node's list of open connections */
} conn_t;

static void on_conn_close(uv_handle_t *h)
{
    conn_t *c = (conn_t *)h;
    sl_node_t *n = c->node;
    if (c->prev)
        c->prev->next = c->next;
    else
        n->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    n->open_conns--;
    sl_free(c);
    sl_node__maybe_finish_drain(n);
}

void sl_node__http_close_idle(sl_node_t *n)
{
    /* Shutting the socket down makes h2o read EOF and close the connection
     * through its own path, so its per-connection state is freed. */
    for (conn_t *c = n->conns; c; c = c->next) {
        uv_os_fd_t fd;
        if (uv_fileno(&c->h.handle, &fd) == 0)
            shutdown(fd, SHUT_RDWR);
    }
}

static void on_closed_reject(uv_handle_t *h)
{
    sl_free(h);
}

static void on_connection(uv_stream_t *server, int status)
{
    sl_listener_t *l = server->data;
    sl_node_t *n = l->node;
    if (status < 0) {
        sl_log(n->log, SL_LOG_WARN, "http", "accept on %s failed: %s", l->display,
               uv_strerror(status));
        return;
    }
    conn_t *c = sl_xcalloc(1, sizeof *c);
    c->node = n;
    if (l->is_unix)
        uv_pipe_init(n->loop, &c->h.pipe, 0);
    else
        uv_tcp_init(n->loop, &c->h.tcp);
    uv_stream_t *conn = (uv_stream_t *)&c->h;
    if (uv_accept(server, conn) != 0) {
        uv_close((uv_handle_t *)conn, on_closed_reject);
        return;
    }
    if (n->state != SL_NODE_RUNNING || n->open_conns >= (uint64_t)n->cfg->max_connections) {
        if (n->state == SL_NODE_RUNNING)
            sl_log(n->log, SL_LOG_WARN, "http", "connection limit %lld reached; closing new one",
                   (long long)n->cfg->max_connections);
        uv_close((uv_handle_t *)conn, on_closed_reject);
        return;
    }
    if (!l->is_unix)
        uv_tcp_nodelay((uv_tcp_t *)conn, 1);
    n->open_conns++;
    c->next = n->conns;
    if (c->next)
        c->next->prev = c;
    n->conns = c;
    h2o_socket_t *sock = h2o_uv_socket_create(conn, on_conn_close);
    h2o_accept(l->tls ? &n->accept_tls : &n->accept_plain, sock);
}

/* Removes a stale socket file left by a crash; refuses a live one. */
static int clear_unix_path(const char *path, sl_diag_t *d)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return 0;
    if (!S_ISSOCK(st.st_mode))
        return sl_diag_set(d, -EEXIST, "cannot listen on unix:%s: a non-socket file is there",
                           path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
    int live = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
    if (fd >= 0)
        close(fd);
    if (live)
        return sl_diag_set(d, -EADDRINUSE, "cannot listen on unix:%s: another process serves it",
                           path);
    unlink(path);
    return 0;
}

static int bind_one(sl_node_t *n, const char *spec, bool tls, sl_diag_t *d)
{
    sl_listen_addr_t a;
    if (sl_config_parse_listen(spec, &a))
        return sl_diag_set(d, SL_ECONFIG, "bad listen address \"%s\"", spec);
    sl_listener_t *l = sl_xcalloc(1, sizeof *l);
    l->node = n;
    l->is_unix = a.is_unix;
    l->tls = tls && !a.is_unix;
    int rc;
    if (a.is_unix) {
        if ((rc = clear_unix_path(a.path, d))) {
            sl_free(l);
            return rc;
        }
        uv_pipe_init(n->loop, &l->h.pipe, 0);
        rc = uv_pipe_bind(&l->h.pipe, a.path);
        if (!rc)
            rc = uv_listen(&l->h.stream, 1024, on_connection);
        if (!rc && chmod(a.path, 0660))
            rc = -errno;
        snprintf(l->display, sizeof l->display, "unix:%s", a.path);
    } else {
        struct sockaddr_storage ss;
        if (strchr(a.host, ':'))
            rc = uv_ip6_addr(a.host, a.port, (struct sockaddr_in6 *)&ss);
        else
            rc = uv_ip4_addr(a.host, a.port, (struct sockaddr_in *)&ss);
        uv_tcp_init(n->loop, &l->h.tcp);
        if (!rc)
            rc = uv_tcp_bind(&l->h.tcp, (struct sockaddr *)&ss, 0);
        if (!rc)
            rc = uv_listen(&l->h.stream, 1024, on_connection);
        if (!rc) {
            /* Report the real port (port 0 asks the kernel to choose). */
            int len = sizeof ss;
            uv_tcp_getsockname(&l->h.tcp, (struct sockaddr *)&ss, &len);
            int port = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                                                : ntohs(((struct sockaddr_in *)&ss)->sin_port);
            snprintf(l->display, sizeof l->display, "%s://%s%s%s:%d", l->tls ? "https" : "http",
                     strchr(a.host, ':') ? "[" : "", a.host, strchr(a.host, ':') ? "]" : "", port);
        }
    }
    l->h.handle.data = l;
    if (rc) {
        sl_diag_set(d, rc, "cannot listen on %s: %s", spec, uv_strerror(rc));
        uv_close(&l->h.handle, (uv_close_cb)sl_free);
        return rc;
    }
    l->next = n->listeners;
    n->listeners = l;
    return 0;
}

int sl_node__http_bind(sl_node_t *n, sl_diag_t *d)
{
    for (size_t i = 0; i < n->cfg->listen.n; i++) {
        int rc = bind_one(n, n->cfg->listen.v[i], true, d);
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < n->cfg->http_listen.n; i++) {
        int rc = bind_one(n, n->cfg->http_listen.v[i], false, d);
        if (rc)
            return rc;
    }
    /* The list was built by prepending; restore configuration order. */
    sl_listener_t *rev = NULL;
    while (n->listeners) {
        sl_listener_t *l = n->listeners;
        n->listeners = l->next;
        l->next = rev;
        rev = l;
    }
    n->listeners = rev;
    return 0;
}

int sl_node__tls_load(sl_node_t *n, sl_tls_ctx_t **out, sl_diag_t *d)
{
    int rc = sl_tls_ctx_create(n->cert_path, n->key_path, n->cert_is_ours ? n->service_key : NULL,
                               out, d);
    if (!rc)
        h2o_ssl_register_alpn_protocols((SSL_CTX *)*out, h2o_http2_alpn_protocols);
    return rc;
}

int sl_node__http_start(sl_node_t *n, sl_diag_t *d)
{
    if (*n->cfg->tls_cert_file) {
        snprintf(n->cert_path, sizeof n->cert_path, "%s", n->cfg->tls_cert_file);
        snprintf(n->key_path, sizeof n->key_path, "%s", n->cfg->tls_key_file);
        n->cert_is_ours = false;
    } else {
        snprintf(n->cert_path, sizeof n->cert_path, "%s/tls/cert.pem", n->data_dir);
        snprintf(n->key_path, sizeof n->key_path, "%s/tls/key.pem", n->data_dir);
        n->cert_is_ours = true;
        bool created;
        int rc = sl_tls_ensure_selfsigned(n->cert_path, n->key_path, n->service_key, &created, d);
        if (rc)
            return rc;
    }
    int rc = sl_node__tls_load(n, &n->tls_ctx, d);
    if (rc)
        return rc;

    h2o_config_init(&n->h2o_conf);
    n->h2o_conf.server_name = h2o_iovec_init(H2O_STRLIT("sealog"));
    n->h2o_conf.max_request_entity_size = (size_t)n->cfg->max_body_size;
    n->h2o_conf.http1.req_timeout = (uint64_t)n->cfg->idle_timeout_ms;
    n->h2o_conf.http2.idle_timeout = (uint64_t)n->cfg->idle_timeout_ms;
    /* No h2o timer for graceful shutdown: the node's own drain timer bounds it
     * (and a linked h2o timer would keep the context from being disposed). */
    n->h2o_conf.http2.graceful_shutdown_timeout = 0;
    h2o_hostconf_t *host =
        h2o_config_register_host(&n->h2o_conf, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_pathconf_t *path = h2o_config_register_path(host, "/", 0);
    sl_handler_t *h = (sl_handler_t *)h2o_create_handler(path, sizeof *h);
    h->super.on_req = on_req;
    h->node = n;
    h2o_context_init(&n->h2o_ctx, n->loop, &n->h2o_conf);
    n->h2o_ready = true;
    n->accept_tls.ctx = n->accept_plain.ctx = &n->h2o_ctx;
    n->accept_tls.hosts = n->accept_plain.hosts = n->h2o_conf.hosts;
    n->accept_tls.ssl_ctx = (SSL_CTX *)n->tls_ctx;

    for (sl_listener_t *l = n->listeners; l; l = l->next)
        if (l->tls && !*n->public_url)
            snprintf(n->public_url, sizeof n->public_url, "%s", l->display);
    if (*n->cfg->public_url)
        snprintf(n->public_url, sizeof n->public_url, "%s", n->cfg->public_url);
    return 0;
}

void sl_node__http_reload_tls(sl_node_t *n)
{
    sl_diag_t d;
    sl_tls_ctx_t *fresh;
    if (sl_node__tls_load(n, &fresh, &d)) {
        sl_log(n->log, SL_LOG_ERROR, "node", "TLS reload failed, keeping the old certificate: %s",
               d.msg);
        return;
    }
    /* Live connections hold their own reference to the old context. */
    sl_tls_ctx_destroy(n->tls_ctx);
    n->tls_ctx = fresh;
    n->accept_tls.ssl_ctx = (SSL_CTX *)fresh;
    char fp[96] = "";
    sl_tls_fingerprint(n->cert_path, fp, &d);
    sl_log(n->log, SL_LOG_INFO, "node", "TLS certificate reloaded from %s (sha256 %s)",
           n->cert_path, fp);
}

void sl_node__http_stop_accepting(sl_node_t *n)
{
    for (sl_listener_t *l = n->listeners, *next; l; l = next) {
        next = l->next;
        if (l->is_unix)
            unlink(l->display + 5);
        uv_close(&l->h.handle, (uv_close_cb)sl_free);
    }
    n->listeners = NULL;
    if (n->h2o_ready)
        h2o_context_request_shutdown(&n->h2o_ctx);
}

void sl_node__http_dispose(sl_node_t *n)
{
    if (n->tls_ctx) {
        sl_tls_ctx_destroy(n->tls_ctx);
        n->tls_ctx = NULL;
    }
}
