/*
 * Customer-managed keys on the node: the cluster resource, the CMK scope's
 * account key, the key monitor's verdicts, and what they mean for
 * ingestion and queries.
 *
 * State lives in one sl_cmk_t. The key monitor reports from its own thread;
 * its events are queued and handled on the loop (audit, log, counters).
 * Ingestion (pool threads) and queries read the current verdict through
 * atomics and a read lock, never waiting on the vault.
 *
 *   workspace linked + key configured + state active/degraded → CMK scope
 *   workspace linked + key configured + state pending/revoked  → refused
 *   otherwise                                                  → MMK scope
 */
#include "node/node_int.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef struct key_event {
    struct key_event *next;
    sl_keymon_event_t ev;
    sl_buf_t wrapped; /* ROTATED */
    bool wiped;       /* STATE to revoked: the CMK part of the hot cache was wiped */
    int wipe_rc;
    char wipe_err[200];
    sl_cache_wipe_stats_t wipe;
} key_event_t;

typedef struct drop {
    sl_guid_t ws;
    uint64_t records, bytes, requests;
    sl_ticks_t first, last;
} drop_t;

struct sl_cmk {
    sl_node_t *n;
    pthread_rwlock_t lock; /* cluster, linked, kid, reason */
    sl_cluster_t cluster;
    sl_guid_t *linked;
    size_t nlinked;
    char kid[256];     /* the KEK version the AEK is wrapped under */
    char reason[320];  /* why the key is not active */
    sl_ticks_t since;  /* state since */
    _Atomic int state; /* sl_key_state_t; NONE while no CMK is configured */
    uint64_t aek_id;   /* 0: none */
    sl_kek_provider_t *kek;
    sl_token_source_t *tokens;
    sl_keymon_t *mon;
    uv_async_t async;
    pthread_mutex_t ev_mu;
    key_event_t *ev_head, *ev_tail;
    pthread_mutex_t drop_mu;
    drop_t *drops;
    size_t ndrops;
    _Atomic uint64_t dropped_records, dropped_bytes, revocations, recoveries;
    int64_t last_outage_ms;
    uv_timer_t expiry_timer; /* looks at the key's expiry date now and then */
    bool expiry_running;
    _Atomic int64_t key_exp;   /* Unix seconds; 0: none or unknown */
    sl_ticks_t warned_at;      /* last expiry warning (one a day) */
};

/* Warn this long ahead of a key's expiry (Azure Key Vault keys keep
 * unwrapping after it, but can no longer wrap: rotation would fail). */
#define EXPIRY_WARN_DAYS 30

/* ---- Token sources and providers ----------------------------------------- */

static bool loopback_uri(const char *uri)
{
    const char *h = strstr(uri, "://");
    h = h ? h + 3 : uri;
    return !strncmp(h, "127.", 4) || !strncasecmp(h, "localhost", 9) || !strncmp(h, "[::1]", 5);
}

/* The token source the cluster's identity (or the node's configuration)
 * calls for. */
static int make_tokens(sl_node_t *n, const sl_cluster_t *c, sl_token_source_t **out,
                       sl_diag_t *d)
{
    const sl_config_t *cfg = n->cfg;
    if (cfg->vault_token_file && *cfg->vault_token_file)
        return sl_token_file_create(cfg->vault_token_file, out, d);
    if (cfg->vault_client_id && *cfg->vault_client_id) {
        sl_buf_t secret = SL_BUF_INIT;
        if (!cfg->vault_client_secret_file || !*cfg->vault_client_secret_file ||
            sl_read_file(cfg->vault_client_secret_file, 16384, &secret))
            return sl_diag_set(d, SL_ECONFIG,
                               "vault_client_id needs vault_client_secret_file (a file holding "
                               "the client secret)");
        while (secret.len && (secret.data[secret.len - 1] == '\n' ||
                              secret.data[secret.len - 1] == '\r' ||
                              secret.data[secret.len - 1] == ' '))
            secret.len--;
        sl_buf_putc(&secret, '\0');
        sl_token_client_config_t tc = { .authority = cfg->vault_authority,
                                         .tenant = cfg->vault_tenant,
                                         .client_id = cfg->vault_client_id,
                                         .client_secret = secret.data,
                                         .ca_file = *cfg->vault_ca_file ? cfg->vault_ca_file : NULL,
                                         .timeout_ms = cfg->vault_timeout_ms };
        int rc = sl_token_client_create(&tc, out, d);
        sl_buf_wipe(&secret);
        return rc;
    }
    if (c->identity == SL_IDENTITY_NONE)
        return sl_diag_set(d, SL_EINVAL,
                           "the cluster has no managed identity (identity type None): set "
                           "identity.type first");
    sl_token_mi_config_t mc = { 0 };
    mc.kind = *cfg->identity_header ? SL_TOKEN_MI_APP_SERVICE : SL_TOKEN_MI_IMDS;
    mc.endpoint = *cfg->identity_endpoint ? cfg->identity_endpoint : NULL;
    mc.identity_header = *cfg->identity_header ? cfg->identity_header : NULL;
    mc.client_id = c->identity == SL_IDENTITY_USER ? c->user_identity : NULL;
    mc.ca_file = *cfg->vault_ca_file ? cfg->vault_ca_file : NULL;
    mc.timeout_ms = cfg->vault_timeout_ms;
    return sl_token_mi_create(&mc, out, d);
}

int sl_node__cmk_provider(sl_node_t *n, const sl_cluster_t *c, sl_token_source_t **tokens,
                          sl_kek_provider_t **kek, sl_diag_t *d)
{
    *tokens = NULL;
    *kek = NULL;
    int rc = make_tokens(n, c, tokens, d);
    if (rc)
        return rc;
    sl_kv_config_t kc = { .vault_uri = c->kv_uri,
                          .key_name = c->key_name,
                          .key_version = c->key_version,
                          .ca_file = *n->cfg->vault_ca_file ? n->cfg->vault_ca_file : NULL,
                          .tokens = *tokens,
                          .timeout_ms = n->cfg->vault_timeout_ms,
                          .disable_challenge_resource_verification = loopback_uri(c->kv_uri) };
    rc = sl_kek_vault_create(&kc, kek, d);
    if (rc) {
        sl_token_source_destroy(*tokens);
        *tokens = NULL;
    }
    return rc;
}

/* ---- Events from the key monitor -------------------------------------------- */

static void on_mon_event(void *arg, const sl_keymon_event_t *ev)
{
    sl_cmk_t *k = arg;
    key_event_t *e = sl_xcalloc(1, sizeof *e);
    e->ev = *ev;
    if (ev->wrapped)
        sl_buf_append(&e->wrapped, ev->wrapped, ev->wrapped_n);
    e->ev.wrapped = NULL;
    /* A revocation reaches the hot cache before anyone can see it: the CMK
     * part is crypto-shredded here, before the state below changes. */
    if (ev->kind == SL_KEYMON_STATE && ev->to == SL_KEY_REVOKED) {
        sl_diag_t d;
        sl_diag_clear(&d);
        e->wiped = true;
        e->wipe_rc = sl_node__cache_wipe(k->n, SL_SCOPE_CMK, &e->wipe, &d);
        snprintf(e->wipe_err, sizeof e->wipe_err, "%s", e->wipe_rc ? d.msg : "");
    }
    /* The verdict counts at once for ingestion and queries; the loop does
     * the bookkeeping. */
    if (ev->kind == SL_KEYMON_STATE) {
        pthread_rwlock_wrlock(&k->lock);
        atomic_store(&k->state, ev->to);
        k->since = sl_time_now();
        snprintf(k->reason, sizeof k->reason, "%s", ev->to == SL_KEY_ACTIVE ? "" : ev->reason);
        pthread_rwlock_unlock(&k->lock);
    }
    pthread_mutex_lock(&k->ev_mu);
    if (k->ev_tail)
        k->ev_tail->next = e;
    else
        k->ev_head = e;
    k->ev_tail = e;
    pthread_mutex_unlock(&k->ev_mu);
    uv_async_send(&k->async);
}

static void audit_state(sl_node_t *n, const sl_keymon_event_t *ev, const char *kid)
{
    sl_buf_t b = SL_BUF_INIT;
    sl_jw_t w;
    sl_jw_init(&w, &b);
    sl_jw_obj_begin(&w);
    sl_jw_key(&w, "from");
    sl_jw_str(&w, sl_key_state_name(ev->from));
    sl_jw_key(&w, "to");
    sl_jw_str(&w, sl_key_state_name(ev->to));
    sl_jw_key(&w, "kid");
    sl_jw_str(&w, kid);
    if (ev->reason[0] && ev->to != SL_KEY_ACTIVE) {
        sl_jw_key(&w, "reason");
        sl_jw_str(&w, ev->reason);
    }
    if (ev->outage_ms) {
        sl_jw_key(&w, "outageMs");
        sl_jw_int(&w, ev->outage_ms);
    }
    sl_jw_obj_end(&w);
    sl_node__audit(n, "key.state", b.data);
    sl_buf_dispose(&b);
}

/* Closes the dropped-ingestion windows (audit one record per workspace). */
static void audit_drops(sl_cmk_t *k)
{
    pthread_mutex_lock(&k->drop_mu);
    drop_t *v = k->drops;
    size_t n = k->ndrops;
    k->drops = NULL;
    k->ndrops = 0;
    pthread_mutex_unlock(&k->drop_mu);
    for (size_t i = 0; i < n; i++) {
        char id[37], a[32], b[32], js[400];
        sl_guid_format(&v[i].ws, id);
        sl_time_format_iso8601(v[i].first, a);
        sl_time_format_iso8601(v[i].last, b);
        snprintf(js, sizeof js,
                 "{\"workspace\":\"%s\",\"records\":%llu,\"bytes\":%llu,\"requests\":%llu,"
                 "\"from\":\"%s\",\"to\":\"%s\"}",
                 id, (unsigned long long)v[i].records, (unsigned long long)v[i].bytes,
                 (unsigned long long)v[i].requests, a, b);
        sl_node__audit(k->n, "ingest.dropped", js);
    }
    sl_free(v);
}

static void report_wipe(sl_node_t *n, const key_event_t *e)
{
    const sl_cache_wipe_stats_t *w = &e->wipe;
    double ms = (double)w->ns_total / 1e6;
    if (e->wipe_rc)
        sl_log(n->log, SL_LOG_ERROR, "cache",
               "hot cache: CMK part wiped with an error in %.1f ms (its key is destroyed "
               "all the same): %s",
               ms, e->wipe_err);
    else
        sl_log(n->log, SL_LOG_INFO, "cache",
               "hot cache: CMK part crypto-shredded in %.1f ms (%llu block(s), %llu byte(s); "
               "key %.1f ms, entries %.1f ms)",
               ms, (unsigned long long)w->blocks, (unsigned long long)w->bytes,
               (double)w->ns_key / 1e6, (double)w->ns_drop / 1e6);
    char js[300];
    snprintf(js, sizeof js,
             "{\"scope\":\"CMK\",\"blocks\":%llu,\"bytes\":%llu,\"milliseconds\":%.3f,"
             "\"ok\":%s}",
             (unsigned long long)w->blocks, (unsigned long long)w->bytes, ms,
             e->wipe_rc ? "false" : "true");
    sl_node__audit(n, "cache.wipe", js);
}

static void store_rotation(void *arg);
static void rotation_stored(void *arg);

typedef struct rot_job {
    sl_cmk_t *k;
    sl_buf_t wrapped;
    char kid[256], old[256];
    int rc;
    sl_diag_t d;
} rot_job_t;

static void on_async(uv_async_t *a)
{
    sl_cmk_t *k = a->data;
    sl_node_t *n = k->n;
    pthread_mutex_lock(&k->ev_mu);
    key_event_t *list = k->ev_head;
    k->ev_head = k->ev_tail = NULL;
    pthread_mutex_unlock(&k->ev_mu);
    while (list) {
        key_event_t *e = list;
        list = e->next;
        const sl_keymon_event_t *ev = &e->ev;
        char kid[256];
        pthread_rwlock_rdlock(&k->lock);
        snprintf(kid, sizeof kid, "%s", k->kid);
        pthread_rwlock_unlock(&k->lock);
        switch (ev->kind) {
        case SL_KEYMON_STATE:
            audit_state(n, ev, kid);
            if (e->wiped)
                report_wipe(n, e);
            if (ev->to == SL_KEY_REVOKED) {
                atomic_fetch_add(&k->revocations, 1);
                sl_log(n->log, SL_LOG_ERROR, "cmk",
                       "customer-managed key REVOKED (%s): ingestion to linked workspaces is "
                       "refused and their queries fail until the key is back",
                       ev->reason);
            } else if (ev->to == SL_KEY_DEGRADED) {
                sl_log(n->log, SL_LOG_WARN, "cmk",
                       "key vault unreachable (%s): serving with the cached key for up to %lld s",
                       ev->reason, (long long)(n->cfg->cmk_grace_period_ms / 1000));
            } else if (ev->to == SL_KEY_ACTIVE) {
                if (ev->from == SL_KEY_REVOKED) {
                    atomic_fetch_add(&k->recoveries, 1);
                    k->last_outage_ms = ev->outage_ms;
                    audit_drops(k);
                }
                /* The key is (back) in the keyring: refill the hot window. */
                if (ev->from == SL_KEY_REVOKED || ev->from == SL_KEY_NONE)
                    sl_node__cache_reload(n, SL_SCOPE_CMK);
                sl_log(n->log, SL_LOG_INFO, "cmk",
                       "customer-managed key active%s (was %s for %lld ms, check %lld ms)",
                       ev->from == SL_KEY_NONE ? "" : " again", sl_key_state_name(ev->from),
                       (long long)ev->outage_ms, (long long)ev->check_ms);
            }
            break;
        case SL_KEYMON_ROTATED: {
            rot_job_t *j = sl_xcalloc(1, sizeof *j);
            j->k = k;
            sl_buf_append(&j->wrapped, e->wrapped.data, e->wrapped.len);
            snprintf(j->kid, sizeof j->kid, "%s", ev->version);
            snprintf(j->old, sizeof j->old, "%s", ev->old_version);
            sl_node__run_blocking(n, store_rotation, rotation_stored, j);
            break;
        }
        case SL_KEYMON_ROTATION_FAILED:
            sl_log(n->log, SL_LOG_WARN, "cmk", "a newer key version exists (%s) but wrapping "
                   "under it failed: %s", ev->version, ev->reason);
            break;
        case SL_KEYMON_CHECK_FAILED:
            sl_log(n->log, SL_LOG_DEBUG, "cmk", "key check failed: %s", ev->reason);
            break;
        }
        sl_buf_dispose(&e->wrapped);
        sl_free(e);
    }
}

/* Rotation: the AEK re-wrapped under the latest version replaces the stored
 * wrap (same AEK id: no data changes). */
static void store_rotation(void *arg)
{
    rot_job_t *j = arg;
    sl_node_t *n = j->k->n;
    sl_aek_rec_t *list;
    size_t cnt;
    j->rc = sl_catalog_aek_list(n->catalog, &list, &cnt, &j->d);
    if (j->rc)
        return;
    j->rc = SL_ENOTFOUND;
    for (size_t i = 0; i < cnt; i++) {
        sl_aek_rec_t *a = &list[i];
        if (a->scope != SL_SCOPE_CMK || a->aek_id != j->k->aek_id)
            continue;
        sl_buf_reset(&a->wrapped);
        sl_buf_append(&a->wrapped, j->wrapped.data, j->wrapped.len);
        snprintf(a->kek_version, sizeof a->kek_version, "%s", j->kid);
        a->kek_version_no++;
        j->rc = sl_catalog_aek_put(n->catalog, a, &j->d);
        break;
    }
    sl_aek_list_free(list, cnt);
}

static void rotation_stored(void *arg)
{
    rot_job_t *j = arg;
    sl_node_t *n = j->k->n;
    if (j->rc) {
        sl_log(n->log, SL_LOG_ERROR, "cmk", "cannot store the re-wrapped account key: %s",
               j->d.msg);
    } else {
        pthread_rwlock_wrlock(&j->k->lock);
        snprintf(j->k->kid, sizeof j->k->kid, "%s", j->kid);
        pthread_rwlock_unlock(&j->k->lock);
        char js[700];
        snprintf(js, sizeof js, "{\"from\":\"%s\",\"to\":\"%s\"}", j->old, j->kid);
        sl_node__audit(n, "key.rotate", js);
        sl_log(n->log, SL_LOG_INFO, "cmk", "account key re-wrapped under %s", j->kid);
    }
    sl_buf_dispose(&j->wrapped);
    sl_free(j);
}

/* ---- Expiry warnings ------------------------------------------------------------ */

typedef struct exp_job {
    sl_cmk_t *k;
    char kid[256];
    int64_t exp;
    int rc;
} exp_job_t;

static void expiry_run(void *arg)
{
    exp_job_t *j = arg;
    sl_kv_key_info_t info;
    sl_diag_t d;
    j->rc = j->k->kek ? sl_kek_vault_key_info(j->k->kek, j->kid, &info, &d) : SL_ENOTFOUND;
    j->exp = j->rc ? 0 : info.exp;
}

static void expiry_done(void *arg)
{
    exp_job_t *j = arg;
    sl_cmk_t *k = j->k;
    sl_node_t *n = k->n;
    k->expiry_running = false;
    if (!j->rc) {
        atomic_store(&k->key_exp, j->exp);
        int64_t left = j->exp ? j->exp - sl_time_now() / SL_TICKS_PER_SEC : INT64_MAX;
        sl_ticks_t now = sl_time_now();
        if (left < EXPIRY_WARN_DAYS * 86400 && now - k->warned_at > SL_TICKS_PER_DAY) {
            k->warned_at = now;
            sl_log(n->log, SL_LOG_WARN, "cmk",
                   "the customer-managed key %s expires in %lld days%s: rotate it (a new "
                   "version) before then; an expired key still unwraps but cannot wrap",
                   j->kid, (long long)(left / 86400), left < 0 ? " (already expired)" : "");
            char js[400];
            snprintf(js, sizeof js, "{\"kid\":\"%s\",\"exp\":%lld,\"daysLeft\":%lld}", j->kid,
                     (long long)j->exp, (long long)(left / 86400));
            sl_node__audit(n, "key.expiring", js);
        }
    }
    sl_free(j);
}

static void on_expiry_timer(uv_timer_t *t)
{
    sl_cmk_t *k = t->data;
    if (k->expiry_running || !k->kek)
        return;
    exp_job_t *j = sl_xcalloc(1, sizeof *j);
    j->k = k;
    pthread_rwlock_rdlock(&k->lock);
    snprintf(j->kid, sizeof j->kid, "%s", k->kid);
    pthread_rwlock_unlock(&k->lock);
    k->expiry_running = true;
    sl_node__run_blocking(k->n, expiry_run, expiry_done, j);
}

/* ---- Lifecycle ---------------------------------------------------------------- */

static int load_linked(sl_cmk_t *k, sl_diag_t *d)
{
    sl_ws_rec_t *list;
    size_t n;
    int rc = sl_catalog_ws_list(k->n->catalog, &list, &n, d);
    if (rc)
        return rc;
    k->linked = sl_xcalloc(n + 1, sizeof *k->linked);
    for (size_t i = 0; i < n; i++)
        if (list[i].linked && !list[i].deleted)
            k->linked[k->nlinked++] = list[i].id;
    sl_ws_list_free(list, n);
    return 0;
}

/* Starts watching the CMK AEK (the catalog's active CMK record). */
int sl_node__cmk_watch(sl_node_t *n, sl_kek_provider_t *kek, sl_token_source_t *tokens,
                       sl_diag_t *d)
{
    sl_cmk_t *k = n->cmk;
    sl_aek_rec_t *list;
    size_t cnt;
    int rc = sl_catalog_aek_list(n->catalog, &list, &cnt, d);
    if (rc)
        return rc;
    sl_aek_rec_t *cmk = NULL;
    for (size_t i = 0; i < cnt; i++)
        if (list[i].scope == SL_SCOPE_CMK && list[i].active)
            cmk = &list[i];
    if (!cmk) {
        sl_aek_list_free(list, cnt);
        return sl_diag_set(d, SL_ENOTFOUND, "no customer-managed account key is stored");
    }
    if (k->mon)
        sl_keymon_stop(k->mon);
    if (k->kek && k->kek != kek)
        sl_kek_provider_destroy(k->kek);
    if (k->tokens && k->tokens != tokens)
        sl_token_source_destroy(k->tokens);
    k->kek = kek;
    k->tokens = tokens;
    k->aek_id = cmk->aek_id;
    pthread_rwlock_wrlock(&k->lock);
    snprintf(k->kid, sizeof k->kid, "%s", cmk->kek_version);
    bool follow = k->cluster.key_version[0] == '\0';
    pthread_rwlock_unlock(&k->lock);
    sl_key_state_t initial = sl_keyring_has(n->keyring, SL_SCOPE_CMK, cmk->aek_id)
                                 ? SL_KEY_ACTIVE
                                 : SL_KEY_NONE;
    pthread_rwlock_wrlock(&k->lock);
    atomic_store(&k->state, initial);
    k->since = sl_time_now();
    k->reason[0] = '\0';
    pthread_rwlock_unlock(&k->lock);
    sl_keymon_opts_t o = { .kek = kek,
                           .keyring = n->keyring,
                           .scope = SL_SCOPE_CMK,
                           .aek_id = cmk->aek_id,
                           .kek_version_no = cmk->kek_version_no,
                           .wrapped = (const uint8_t *)cmk->wrapped.data,
                           .wrapped_n = cmk->wrapped.len,
                           .version = cmk->kek_version,
                           .follow_latest = follow,
                           .interval_ms = n->cfg->cmk_check_interval_ms,
                           .grace_ms = n->cfg->cmk_grace_period_ms,
                           .initial_state = initial,
                           .on_event = on_mon_event,
                           .arg = k };
    rc = sl_keymon_start(&o, &k->mon, d);
    sl_aek_list_free(list, cnt);
    /* A key just configured is in the keyring already: its part of the hot
     * cache can start (no state change will say so). */
    if (!rc && initial == SL_KEY_ACTIVE)
        sl_node__cache_reload(n, SL_SCOPE_CMK);
    /* Look at the key's expiry now and every hour. */
    if (!rc)
        uv_timer_start(&k->expiry_timer, on_expiry_timer, 1000, 3600 * 1000);
    return rc;
}

int sl_node__cmk_open(sl_node_t *n, sl_diag_t *d)
{
    sl_cmk_t *k = sl_xcalloc(1, sizeof *k);
    k->n = n;
    pthread_rwlock_init(&k->lock, NULL);
    pthread_mutex_init(&k->ev_mu, NULL);
    pthread_mutex_init(&k->drop_mu, NULL);
    n->cmk = k;
    if (uv_async_init(n->loop, &k->async, on_async))
        return sl_diag_set(d, SL_ESTATE, "cannot create the key monitor wake-up");
    k->async.data = k;
    uv_timer_init(n->loop, &k->expiry_timer);
    k->expiry_timer.data = k;
    sl_buf_t js = SL_BUF_INIT;
    sl_diag_t tmp;
    if (sl_catalog_meta_get(n->catalog, "cluster", &js, &tmp) == 0) {
        int rc = sl_cluster_from_json(js.data, js.len, &k->cluster, d);
        sl_buf_dispose(&js);
        if (rc)
            return rc;
    } else {
        sl_buf_dispose(&js);
        k->cluster.double_encryption = n->double_encryption;
        k->cluster.created = k->cluster.updated = sl_time_now();
        sl_buf_t b = SL_BUF_INIT;
        sl_cluster_to_json(&k->cluster, true, &b);
        int rc = sl_catalog_meta_put(n->catalog, "cluster", b.data, b.len, d);
        sl_buf_dispose(&b);
        if (rc)
            return rc;
    }
    int rc = load_linked(k, d);
    if (rc || !k->cluster.kv_uri[0])
        return rc;
    /* A key is configured: the monitor's first check unwraps it. Until then
     * linked workspaces wait (pending), like after a revocation. */
    sl_token_source_t *tokens;
    sl_kek_provider_t *kek;
    rc = sl_node__cmk_provider(n, &k->cluster, &tokens, &kek, d);
    if (!rc)
        rc = sl_node__cmk_watch(n, kek, tokens, d);
    if (rc)
        sl_diag_prefix(d, "customer-managed key");
    return rc;
}

void sl_node__cmk_close(sl_node_t *n)
{
    sl_cmk_t *k = n->cmk;
    if (!k)
        return;
    sl_keymon_stop(k->mon);
    k->mon = NULL;
    uv_timer_stop(&k->expiry_timer);
    if (!uv_is_closing((uv_handle_t *)&k->expiry_timer))
        uv_close((uv_handle_t *)&k->expiry_timer, NULL);
    if (!uv_is_closing((uv_handle_t *)&k->async))
        uv_close((uv_handle_t *)&k->async, NULL);
}

void sl_node__cmk_free(sl_node_t *n)
{
    sl_cmk_t *k = n->cmk;
    if (!k)
        return;
    sl_kek_provider_destroy(k->kek);
    sl_token_source_destroy(k->tokens);
    for (key_event_t *e = k->ev_head, *nx; e; e = nx) {
        nx = e->next;
        sl_buf_dispose(&e->wrapped);
        sl_free(e);
    }
    sl_free(k->linked);
    sl_free(k->drops);
    pthread_rwlock_destroy(&k->lock);
    pthread_mutex_destroy(&k->ev_mu);
    pthread_mutex_destroy(&k->drop_mu);
    sl_free(k);
    n->cmk = NULL;
}

/* ---- Decisions ------------------------------------------------------------------ */

static bool is_linked(const sl_cmk_t *k, const sl_guid_t *ws)
{
    for (size_t i = 0; i < k->nlinked; i++)
        if (!memcmp(k->linked[i].b, ws->b, 16))
            return true;
    return false;
}

int sl_node__cmk_scope(sl_node_t *n, const sl_guid_t *ws, sl_scope_t *scope, char *why,
                       size_t whyn)
{
    sl_cmk_t *k = n->cmk;
    *scope = SL_SCOPE_MMK;
    if (!k)
        return 0;
    pthread_rwlock_rdlock(&k->lock);
    bool cmk = k->aek_id && k->cluster.kv_uri[0] && is_linked(k, ws);
    sl_key_state_t st = (sl_key_state_t)atomic_load(&k->state);
    int rc = 0;
    if (cmk) {
        if (st == SL_KEY_ACTIVE || st == SL_KEY_DEGRADED) {
            *scope = SL_SCOPE_CMK;
        } else {
            rc = SL_EKEYUNAVAIL;
            if (why)
                snprintf(why, whyn,
                         "The workspace's customer-managed key is %s (key %s/keys/%s%s%s); "
                         "its data cannot be written or read until the key is available again",
                         st == SL_KEY_REVOKED ? "revoked" : "not verified yet", k->cluster.kv_uri,
                         k->cluster.key_name, k->reason[0] ? ": " : "", k->reason);
        }
    }
    pthread_rwlock_unlock(&k->lock);
    return rc;
}

void sl_node__cmk_dropped(sl_node_t *n, const sl_guid_t *ws, uint64_t records, uint64_t bytes)
{
    sl_cmk_t *k = n->cmk;
    atomic_fetch_add(&k->dropped_records, records);
    atomic_fetch_add(&k->dropped_bytes, bytes);
    sl_ticks_t now = sl_time_now();
    pthread_mutex_lock(&k->drop_mu);
    drop_t *dp = NULL;
    for (size_t i = 0; i < k->ndrops && !dp; i++)
        if (!memcmp(k->drops[i].ws.b, ws->b, 16))
            dp = &k->drops[i];
    if (!dp) {
        k->drops = sl_xrealloc(k->drops, (k->ndrops + 1) * sizeof *k->drops);
        dp = &k->drops[k->ndrops++];
        memset(dp, 0, sizeof *dp);
        dp->ws = *ws;
        dp->first = now;
    }
    dp->records += records;
    dp->bytes += bytes;
    dp->requests++;
    dp->last = now;
    pthread_mutex_unlock(&k->drop_mu);
}

/* ---- Reporting ------------------------------------------------------------------- */

void sl_node__cmk_json(sl_node_t *n, sl_jw_t *w)
{
    sl_cmk_t *k = n->cmk;
    sl_jw_obj_begin(w);
    pthread_rwlock_rdlock(&k->lock);
    bool configured = k->cluster.kv_uri[0] && k->aek_id;
    sl_key_state_t st = (sl_key_state_t)atomic_load(&k->state);
    sl_jw_key(w, "state");
    sl_jw_str(w, configured ? sl_key_state_name(st) : "notConfigured");
    if (configured) {
        sl_jw_key(w, "keyId");
        sl_jw_str(w, k->kid);
        char t[32];
        if (k->since) {
            sl_time_format_iso8601(k->since, t);
            sl_jw_key(w, "since");
            sl_jw_str(w, t);
        }
        if (k->reason[0]) {
            sl_jw_key(w, "reason");
            sl_jw_str(w, k->reason);
        }
    }
    sl_jw_key(w, "accountKeyInMemory");
    sl_jw_bool(w, k->aek_id && sl_keyring_has(n->keyring, SL_SCOPE_CMK, k->aek_id));
    sl_jw_key(w, "linkedWorkspaces");
    sl_jw_uint(w, k->nlinked);
    pthread_rwlock_unlock(&k->lock);
    sl_jw_key(w, "droppedRecords");
    sl_jw_uint(w, atomic_load(&k->dropped_records));
    sl_jw_key(w, "droppedBytes");
    sl_jw_uint(w, atomic_load(&k->dropped_bytes));
    sl_jw_key(w, "revocations");
    sl_jw_uint(w, atomic_load(&k->revocations));
    sl_jw_key(w, "recoveries");
    sl_jw_uint(w, atomic_load(&k->recoveries));
    sl_jw_key(w, "lastOutageMs");
    sl_jw_int(w, k->last_outage_ms);
    int64_t exp = atomic_load(&k->key_exp);
    if (exp) {
        char t[32];
        sl_time_format_iso8601(exp * SL_TICKS_PER_SEC, t);
        sl_jw_key(w, "keyExpires");
        sl_jw_str(w, t);
    }
    sl_jw_obj_end(w);
}

void sl_node__cmk_metrics(sl_node_t *n, sl_buf_t *out)
{
    sl_cmk_t *k = n->cmk;
    sl_key_state_t st = (sl_key_state_t)atomic_load(&k->state);
    sl_buf_printf(out,
                  "# HELP sealog_cmk_state Customer-managed key state (0 none, 1 active, 2 "
                  "degraded, 3 revoked).\n# TYPE sealog_cmk_state gauge\nsealog_cmk_state %d\n",
                  (int)st);
    sl_buf_printf(out,
                  "# HELP sealog_cmk_dropped_records_total Records refused while the key was "
                  "unavailable.\n# TYPE sealog_cmk_dropped_records_total counter\n"
                  "sealog_cmk_dropped_records_total %llu\n",
                  (unsigned long long)atomic_load(&k->dropped_records));
    sl_buf_printf(out,
                  "# HELP sealog_cmk_dropped_bytes_total Request bytes refused while the key was "
                  "unavailable.\n# TYPE sealog_cmk_dropped_bytes_total counter\n"
                  "sealog_cmk_dropped_bytes_total %llu\n",
                  (unsigned long long)atomic_load(&k->dropped_bytes));
    int64_t exp = atomic_load(&k->key_exp);
    if (exp)
        sl_buf_printf(out,
                      "# HELP sealog_cmk_key_expiry_seconds Seconds until the customer-managed "
                      "key expires (negative: expired).\n# TYPE sealog_cmk_key_expiry_seconds "
                      "gauge\nsealog_cmk_key_expiry_seconds %lld\n",
                      (long long)(exp - sl_time_now() / SL_TICKS_PER_SEC));
    pthread_mutex_lock(&k->drop_mu);
    for (size_t i = 0; i < k->ndrops; i++) {
        char id[37];
        sl_guid_format(&k->drops[i].ws, id);
        sl_buf_printf(out, "sealog_cmk_dropped_records{workspace=\"%s\"} %llu\n", id,
                      (unsigned long long)k->drops[i].records);
    }
    pthread_mutex_unlock(&k->drop_mu);
}

/* ---- Changes from the admin API (loop thread) ------------------------------------ */

void sl_node__cmk_cluster(sl_node_t *n, sl_cluster_t *out)
{
    sl_cmk_t *k = n->cmk;
    pthread_rwlock_rdlock(&k->lock);
    *out = k->cluster;
    pthread_rwlock_unlock(&k->lock);
}

void sl_node__cmk_set_cluster(sl_node_t *n, const sl_cluster_t *c)
{
    sl_cmk_t *k = n->cmk;
    pthread_rwlock_wrlock(&k->lock);
    k->cluster = *c;
    pthread_rwlock_unlock(&k->lock);
}

void sl_node__cmk_set_linked(sl_node_t *n, const sl_guid_t *ws, bool linked)
{
    sl_cmk_t *k = n->cmk;
    pthread_rwlock_wrlock(&k->lock);
    size_t i = 0;
    while (i < k->nlinked && memcmp(k->linked[i].b, ws->b, 16))
        i++;
    if (linked && i == k->nlinked) {
        k->linked = sl_xrealloc(k->linked, (k->nlinked + 1) * sizeof *k->linked);
        k->linked[k->nlinked++] = *ws;
    } else if (!linked && i < k->nlinked) {
        k->linked[i] = k->linked[--k->nlinked];
    }
    pthread_rwlock_unlock(&k->lock);
}

void sl_node__cmk_revoke(sl_node_t *n, const char *why)
{
    sl_cmk_t *k = n->cmk;
    if (k->mon) {
        sl_keymon_stop(k->mon);
        k->mon = NULL;
    }
    sl_keyring_drop_scope(n->keyring, SL_SCOPE_CMK);
    sl_keymon_event_t ev = { .kind = SL_KEYMON_STATE,
                             .from = (sl_key_state_t)atomic_load(&k->state),
                             .to = SL_KEY_REVOKED };
    snprintf(ev.reason, sizeof ev.reason, "%s", why);
    on_mon_event(k, &ev);
}
