/*
 * Bearer tokens for Logs Ingestion runs, by the OAuth2 client-credentials
 * grant (PROTOCOLS.md §2.8, §5): a form POST of grant_type, client_id,
 * client_secret and scope to the token endpoint, answered with JSON holding
 * access_token and expires_in. The first token is fetched before the clock
 * starts; after that a timer on the main loop fetches a new one when 80% of
 * the lifetime has passed, and workers pick it up by version number. A
 * failed refresh keeps the old token, counts the failure and tries again a
 * second later — the run goes on, and the server decides whether an
 * expired token still works.
 *
 * The reply is a small document, so jansson parses it.
 */
#include "bench/load_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

struct sl_load__token {
    uv_loop_t *loop;
    const sl_load_opts_t *o;
    struct sockaddr_storage addr;
    sl_load_tls_ctx_t *tls_ctx;
    sl_load__conn_t *conn; /* the fetch in progress, if any */
    uv_timer_t refresh;
    bool timer_on, stopping, got, failed_now;
    uint64_t refresh_ms; /* when the current token should be replaced */
    sl_diag_t err;
    uv_mutex_t mu;
    char *token;
    atomic_uint_fast64_t version;
    uint64_t fetches, failures;
    sl_buf_t form, head;
};

static void fetch(sl_load__token_t *t);

static void on_refresh(uv_timer_t *h)
{
    fetch(h->data);
}

static void schedule(sl_load__token_t *t, uint64_t ms)
{
    t->refresh_ms = ms;
    if (t->timer_on && !t->stopping)
        uv_timer_start(&t->refresh, on_refresh, ms, 0);
}

static void fetch_failed(sl_load__token_t *t, const char *fmt, const char *detail)
{
    t->failures++;
    t->failed_now = true;
    sl_diag_set(&t->err, SL_EAUTH, fmt, detail);
}

static void on_ready(sl_load__conn_t *c)
{
    sl_load__token_t *t = c->owner;
    if (c->req) {
        /* Already sent: this is the connection becoming idle again. */
        sl_load__conn_shutdown(c);
        return;
    }
    c->req = t;
    sl_load__conn_send(c, t->head.data, t->head.len, t->form.data, t->form.len);
}

static void on_response(sl_load__conn_t *c, const sl_load_http_t *r)
{
    sl_load__token_t *t = c->owner;
    if (r->status != 200) {
        char st[16];
        snprintf(st, sizeof st, "%d", r->status);
        fetch_failed(t, "token endpoint answered HTTP %s", st);
        return;
    }
    json_error_t je;
    json_t *doc = json_loadb(r->body.data ? r->body.data : "", r->body.len, 0, &je);
    const char *tok = json_string_value(json_object_get(doc, "access_token"));
    json_t *exp = json_object_get(doc, "expires_in");
    /* expires_in is a number; some issuers send digits in a string. */
    long long secs = json_is_integer(exp)  ? json_integer_value(exp)
                     : json_is_string(exp) ? atoll(json_string_value(exp))
                                           : 3600;
    if (!tok || !tok[0]) {
        fetch_failed(
          t, "token endpoint reply has no access_token (%s)", doc ? "JSON without it" : je.text);
    } else {
        uv_mutex_lock(&t->mu);
        sl_free(t->token);
        t->token = sl_xstrdup(tok);
        uv_mutex_unlock(&t->mu);
        atomic_fetch_add(&t->version, 1);
        t->fetches++;
        t->got = true;
        t->failed_now = false;
        if (secs < 1)
            secs = 1;
        schedule(t, (uint64_t)secs * 800); /* 80% of the lifetime, in ms */
    }
    json_decref(doc);
}

static void on_error(sl_load__conn_t *c, const char *name, bool lost, const sl_diag_t *d)
{
    sl_load__token_t *t = c->owner;
    fetch_failed(t, "token fetch failed: %s", d ? d->msg : name);
    sl_load__conn_shutdown(c);
}

static void on_closed(sl_load__conn_t *c)
{
    sl_load__token_t *t = c->owner;
    sl_free(c);
    t->conn = NULL;
    if (t->failed_now)
        schedule(t, 1000);
}

static const sl_load__conn_ops_t token_ops = { on_ready, on_response, on_error, on_closed };

static void fetch(sl_load__token_t *t)
{
    if (t->conn || t->stopping)
        return;
    t->failed_now = false;
    sl_load__conn_t *c = sl_xmalloc(sizeof *c);
    sl_load__conn_init(c,
                       t->loop,
                       &token_ops,
                       t,
                       0,
                       &t->addr,
                       t->tls_ctx,
                       t->o->token_url.host,
                       (uint64_t)(t->o->timeout_s * 1000));
    sl_load__conn_keep_body(c, 1 << 20);
    c->req = NULL;
    t->conn = c;
    sl_load__conn_start(c);
}

int sl_load__token_create(uv_loop_t *loop,
                          const sl_load_opts_t *o,
                          sl_load__token_t **out,
                          sl_diag_t *d)
{
    sl_load__token_t *t = sl_xcalloc(1, sizeof *t);
    t->loop = loop;
    t->o = o;
    uv_mutex_init(&t->mu);
    atomic_init(&t->version, 0);
    int rc;
    if ((rc = sl_load__resolve(&o->token_url, &t->addr, d)))
        goto fail;
    if (o->token_url.tls && (rc = sl_load_tls_ctx_client(o->cacert, o->insecure, &t->tls_ctx, d)))
        goto fail;
    sl_buf_puts(&t->form, "grant_type=client_credentials&client_id=");
    sl_percent_encode(&t->form, o->client_id, strlen(o->client_id));
    sl_buf_puts(&t->form, "&client_secret=");
    sl_percent_encode(&t->form, o->client_secret, strlen(o->client_secret));
    sl_buf_puts(&t->form, "&scope=https://monitor.azure.com/.default");
    sl_buf_printf(&t->head,
                  "POST %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: sealog-load/" SL_VERSION "\r\n"
                  "Content-Type: application/x-www-form-urlencoded\r\nAccept: application/json\r\n"
                  "Content-Length: %zu\r\n\r\n",
                  o->token_url.path[0] ? o->token_url.path : "/",
                  o->token_url.authority,
                  t->form.len);

    /* The first token, before anything else runs on the loop. */
    fetch(t);
    uv_run(loop, UV_RUN_DEFAULT);
    if (!t->got) {
        rc = sl_diag_set(d, SL_EAUTH, "%s", t->err.msg[0] ? t->err.msg : "no token");
        goto fail;
    }
    /* The refresh timer exists only now, so arm it for the lifetime the
     * first reply gave. */
    uv_timer_init(loop, &t->refresh);
    t->refresh.data = t;
    t->timer_on = true;
    schedule(t, t->refresh_ms);
    *out = t;
    return 0;
fail:
    sl_load__token_destroy(t);
    return rc;
}

bool sl_load__token_copy(sl_load__token_t *t, uint64_t *version, sl_buf_t *out)
{
    uint64_t v = atomic_load(&t->version);
    if (v == *version)
        return false;
    uv_mutex_lock(&t->mu);
    sl_buf_reset(out);
    sl_buf_puts(out, t->token ? t->token : "");
    uv_mutex_unlock(&t->mu);
    *version = v;
    return true;
}

void sl_load__token_counts(sl_load__token_t *t, uint64_t *fetches, uint64_t *failures)
{
    *fetches = t->fetches;
    *failures = t->failures;
}

void sl_load__token_stop(sl_load__token_t *t)
{
    t->stopping = true;
    if (t->timer_on) {
        t->timer_on = false;
        uv_close((uv_handle_t *)&t->refresh, NULL);
    }
    if (t->conn)
        sl_load__conn_shutdown(t->conn);
}

void sl_load__token_destroy(sl_load__token_t *t)
{
    if (!t)
        return;
    sl_load_tls_ctx_destroy(t->tls_ctx);
    if (t->token)
        sl_wipe(t->token, strlen(t->token));
    sl_free(t->token);
    sl_buf_wipe(&t->form);
    sl_buf_dispose(&t->head);
    uv_mutex_destroy(&t->mu);
    sl_free(t);
}
