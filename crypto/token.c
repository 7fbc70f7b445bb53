/*
 * The caching, locking half of every token source (crypto.h "Access tokens
 * for a key vault"); the kinds (token_file.c, token_client.c, token_mi.c)
 * only know how to fetch one token.
 *
 * Each source keeps up to CACHE_SLOTS tokens, one per scope (a node talks to
 * one vault, so one slot is the normal case). A token is handed out until
 * its refresh time — five minutes before expiry, or half its lifetime when
 * that is shorter — and then fetched again; if that fetch fails while the
 * old token has not expired yet, the old one is handed out, as the Azure
 * SDKs do, so a short identity-provider outage never turns into a vault
 * failure. Times are monotonic, taken when the answer arrives, so a wrong
 * wall clock on the node cannot make a token look fresh.
 *
 *   empty ──fetch ok──> fresh ──refresh time──> stale ──fetch ok──> fresh
 *                         ▲                       │ fetch fails: keep serving
 *                         └──sl_token_invalidate──┴─ until expiry, then error
 *
 * Tokens live in locked secret buffers and are wiped when replaced, when
 * invalidated and when the source is destroyed.
 */
#include "crypto/crypto_int.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define CACHE_SLOTS 4
#define REFRESH_MARGIN_S 300

typedef struct slot {
    char scope[512];
    sl_secbuf_t tok;
    bool valid;
    int64_t refresh_at; /* monotonic seconds */
    int64_t expire_at;
    int64_t used_at;
} slot_t;

struct sl_token_source {
    const sl_token_ops_t *ops;
    void *impl;
    pthread_mutex_t mu;
    slot_t slot[CACHE_SLOTS];
};

int64_t sl_crypto__mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec;
}

sl_token_source_t *sl_crypto__token_source_new(const sl_token_ops_t *ops, void *impl)
{
    sl_token_source_t *s = sl_xcalloc(1, sizeof *s);
    s->ops = ops;
    s->impl = impl;
    pthread_mutex_init(&s->mu, NULL);
    return s;
}

void sl_token_source_destroy(sl_token_source_t *s)
{
    if (!s) {
        return;
    }
    for (int i = 0; i < CACHE_SLOTS; i++) {
        sl_crypto__secbuf_dispose(&s->slot[i].tok);
    }
    s->ops->destroy(s->impl);
    pthread_mutex_destroy(&s->mu);
    sl_free(s);
}

static const char *cache_key(const sl_token_source_t *s, const char *scope)
{
    return s->ops->scoped ? scope : "";
}

/* The slot for `key`, or the least recently used one (emptied) for it. */
static slot_t *slot_for(sl_token_source_t *s, const char *key)
{
    slot_t *lru = &s->slot[0];
    for (int i = 0; i < CACHE_SLOTS; i++) {
        slot_t *e = &s->slot[i];
        if (e->tok.data && !strcmp(e->scope, key)) {
            return e;
        }
        if (!e->tok.data || (lru->tok.data && e->used_at < lru->used_at)) {
            lru = e;
        }
    }
    sl_crypto__secbuf_dispose(&lru->tok);
    memset(lru, 0, sizeof *lru);
    snprintf(lru->scope, sizeof lru->scope, "%s", key);
    return lru;
}

static int copy_out(const slot_t *e, char *out, size_t size, sl_diag_t *d)
{
    if (e->tok.len + 1 > size) {
        return sl_diag_set(d, SL_ELIMIT, "token of %zu bytes does not fit in %zu", e->tok.len,
                           size);
    }
    memcpy(out, e->tok.data, e->tok.len + 1);
    return 0;
}

int sl_token_get(sl_token_source_t *s, const char *resource_or_scope, char *out, size_t size,
                 sl_diag_t *d)
{
    const char *scope = resource_or_scope ? resource_or_scope : "";
    if (strlen(scope) >= sizeof s->slot[0].scope) {
        return sl_diag_set(d, SL_EINVAL, "scope longer than %zu bytes",
                           sizeof s->slot[0].scope - 1);
    }
    pthread_mutex_lock(&s->mu);
    int64_t now = sl_crypto__mono_s();
    slot_t *e = slot_for(s, cache_key(s, scope));
    bool changed = e->valid && s->ops->changed && s->ops->changed(s->impl);
    int rc;
    if (e->valid && !changed && now < e->refresh_at) {
        rc = copy_out(e, out, size, d);
        e->used_at = now;
        pthread_mutex_unlock(&s->mu);
        return rc;
    }
    sl_secbuf_t fresh;
    rc = sl_crypto__secbuf_init(&fresh, SL_TOKEN_MAX);
    if (rc) {
        pthread_mutex_unlock(&s->mu);
        return sl_diag_set(d, rc, "cannot map a buffer for a token");
    }
    int64_t lifetime = 0;
    sl_diag_t fd;
    sl_diag_clear(&fd);
    rc = s->ops->fetch(s->impl, scope, &fresh, &lifetime, &fd);
    now = sl_crypto__mono_s();
    if (rc) {
        sl_crypto__secbuf_dispose(&fresh);
        /* Ride out a failed refresh on a token that has not expired. */
        if (e->valid && !changed && now < e->expire_at) {
            rc = copy_out(e, out, size, d);
            e->used_at = now;
        } else {
            if (d) {
                *d = fd;
            }
        }
        pthread_mutex_unlock(&s->mu);
        return rc;
    }
    sl_crypto__secbuf_dispose(&e->tok);
    e->tok = fresh;
    e->valid = true;
    e->used_at = now;
    if (lifetime == SL_TOKEN_NO_EXPIRY) {
        e->refresh_at = e->expire_at = INT64_MAX;
    } else {
        int64_t margin = SL_MIN(REFRESH_MARGIN_S, lifetime / 2);
        e->expire_at = now + lifetime;
        e->refresh_at = now + lifetime - margin;
    }
    rc = copy_out(e, out, size, d);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

void sl_token_invalidate(sl_token_source_t *s, const char *resource_or_scope, const char *token)
{
    const char *scope = resource_or_scope ? resource_or_scope : "";
    pthread_mutex_lock(&s->mu);
    const char *key = cache_key(s, scope);
    for (int i = 0; i < CACHE_SLOTS; i++) {
        slot_t *e = &s->slot[i];
        if (e->valid && !strcmp(e->scope, key) &&
            (!token || (strlen(token) == e->tok.len &&
                        sl_ct_equal(token, e->tok.data, e->tok.len)))) {
            sl_crypto__secbuf_reset(&e->tok);
            e->valid = false;
        }
    }
    pthread_mutex_unlock(&s->mu);
}

void sl_token_describe(sl_token_source_t *s, sl_buf_t *out)
{
    s->ops->describe(s->impl, out);
}
