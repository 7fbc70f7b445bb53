/*
 * The key monitor: keeps a customer-managed scope's account key (AEK) in
 * step with the customer's key-encryption key.
 *
 * A thread of its own unwraps the wrapped AEK every interval (jittered by
 * up to a tenth so that nodes do not beat in step, and never more than one
 * call per interval). The outcome decides the state:
 *
 *   unwrap succeeds            → ACTIVE (the AEK is (re)installed in the keyring)
 *   transient failure          → DEGRADED: the AEK stays, ingestion and
 *     (refused, timeout, 429,    queries go on; after `grace` of failures
 *      5xx ...)                  without a success → REVOKED
 *   explicit refusal           → REVOKED at once: the scope's AEKs are
 *     (disabled, 401/403/404,    zeroed and dropped from the keyring
 *      integrity failure)
 *
 * When the provider follows the latest key version, the monitor asks for
 * it each interval and, when it changed, re-wraps the AEK under it
 * (rotation: no data is rewritten) and reports the new wrapped form so
 * the caller can store it.
 *
 * Events are reported from the monitor thread; the caller hops to its own
 * thread as needed. The AEK exists in the clear only inside the keyring's
 * locked pages and, during a check, in a stack buffer wiped right after.
 */
#include "crypto/crypto.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

struct sl_keymon {
    sl_keymon_opts_t o;
    sl_buf_t wrapped;
    char version[256];
    pthread_t thr;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop, poke;
    _Atomic int state;
    sl_ticks_t failing_since; /* first failure of the current outage */
    sl_ticks_t revoked_at;
    uint64_t rng;
};

const char *sl_key_state_name(sl_key_state_t s)
{
    switch (s) {
    case SL_KEY_ACTIVE:
        return "active";
    case SL_KEY_DEGRADED:
        return "degraded";
    case SL_KEY_REVOKED:
        return "revoked";
    default:
        return "pending";
    }
}

static void emit(sl_keymon_t *m, sl_keymon_event_t *ev)
{
    if (m->o.on_event)
        m->o.on_event(m->o.arg, ev);
}

static void set_state(sl_keymon_t *m, sl_key_state_t to, sl_keymon_event_t *ev)
{
    sl_key_state_t from = (sl_key_state_t)atomic_load(&m->state);
    if (from == to)
        return;
    if (to == SL_KEY_REVOKED)
        sl_keyring_drop_scope(m->o.keyring, m->o.scope);
    atomic_store(&m->state, to);
    ev->kind = SL_KEYMON_STATE;
    ev->from = from;
    ev->to = to;
    emit(m, ev);
}

/* Re-wraps the AEK under the provider's latest version when it moved. */
static void check_rotation(sl_keymon_t *m, const uint8_t aek[SL_KEY_LEN])
{
    sl_kek_provider_t *p = m->o.kek;
    if (!m->o.follow_latest || !p->latest)
        return;
    char latest[256];
    sl_diag_t d;
    if (p->latest(p->ctx, latest, &d) != 0 || !strcmp(latest, m->version))
        return;
    sl_buf_t nw = SL_BUF_INIT;
    char nv[256] = "";
    int rc = p->wrap(p->ctx, aek, &nw, nv, &d);
    sl_keymon_event_t ev = { .kind = SL_KEYMON_ROTATED };
    if (rc) {
        ev.kind = SL_KEYMON_ROTATION_FAILED;
        snprintf(ev.reason, sizeof ev.reason, "%s", d.msg);
        snprintf(ev.version, sizeof ev.version, "%s", latest);
        emit(m, &ev);
        sl_buf_dispose(&nw);
        return;
    }
    snprintf(ev.old_version, sizeof ev.old_version, "%s", m->version);
    snprintf(ev.version, sizeof ev.version, "%s", nv);
    ev.wrapped = (const uint8_t *)nw.data;
    ev.wrapped_n = nw.len;
    pthread_mutex_lock(&m->mu);
    sl_buf_reset(&m->wrapped);
    sl_buf_append(&m->wrapped, nw.data, nw.len);
    snprintf(m->version, sizeof m->version, "%s", nv);
    pthread_mutex_unlock(&m->mu);
    emit(m, &ev);
    sl_buf_dispose(&nw);
}

static void check(sl_keymon_t *m)
{
    sl_kek_provider_t *p = m->o.kek;
    uint8_t aek[SL_KEY_LEN];
    sl_diag_t d;
    sl_diag_clear(&d);
    pthread_mutex_lock(&m->mu);
    sl_buf_t w = SL_BUF_INIT;
    sl_buf_append(&w, m->wrapped.data, m->wrapped.len);
    char version[256];
    snprintf(version, sizeof version, "%s", m->version);
    pthread_mutex_unlock(&m->mu);
    uint64_t t0 = sl_time_mono_ns();
    int rc = p->unwrap(p->ctx, (const uint8_t *)w.data, w.len, version, aek, &d);
    sl_buf_dispose(&w);
    sl_keymon_event_t ev = { 0 };
    ev.check_ms = (int64_t)((sl_time_mono_ns() - t0) / 1000000u);
    sl_ticks_t now = sl_time_now();
    if (rc == 0) {
        sl_key_state_t prev = (sl_key_state_t)atomic_load(&m->state);
        if (prev != SL_KEY_ACTIVE)
            sl_keyring_put(m->o.keyring, m->o.scope, m->o.aek_id, m->o.kek_version_no, aek);
        if (prev == SL_KEY_REVOKED && m->revoked_at)
            ev.outage_ms = (now - m->revoked_at) / SL_TICKS_PER_MS;
        else if (m->failing_since)
            ev.outage_ms = (now - m->failing_since) / SL_TICKS_PER_MS;
        m->failing_since = 0;
        m->revoked_at = 0;
        set_state(m, SL_KEY_ACTIVE, &ev);
        check_rotation(m, aek);
        sl_wipe(aek, sizeof aek);
        return;
    }
    sl_wipe(aek, sizeof aek);
    ev.err = rc;
    ev.cls = p->classify ? p->classify(p->ctx, rc) : SL_KEK_REVOKED;
    snprintf(ev.reason, sizeof ev.reason, "%s", d.msg);
    if (!m->failing_since)
        m->failing_since = now;
    sl_key_state_t cur = (sl_key_state_t)atomic_load(&m->state);
    if (ev.cls == SL_KEK_REVOKED) {
        if (cur != SL_KEY_REVOKED)
            m->revoked_at = now;
        set_state(m, SL_KEY_REVOKED, &ev);
        return;
    }
    /* Transient: keep serving with the AEK in hand, within the grace. */
    if (cur == SL_KEY_ACTIVE) {
        set_state(m, SL_KEY_DEGRADED, &ev);
    } else if (cur == SL_KEY_DEGRADED &&
               (now - m->failing_since) / SL_TICKS_PER_MS >= m->o.grace_ms) {
        m->revoked_at = now;
        snprintf(ev.reason, sizeof ev.reason,
                 "the key vault has been unreachable for longer than the grace period "
                 "(%lld s): %.180s",
                 (long long)(m->o.grace_ms / 1000), d.msg);
        set_state(m, SL_KEY_REVOKED, &ev);
    } else if (cur == SL_KEY_NONE) {
        /* Never unwrapped since start: nothing to keep serving with. */
        m->revoked_at = now;
        set_state(m, SL_KEY_REVOKED, &ev);
    } else {
        ev.kind = SL_KEYMON_CHECK_FAILED;
        emit(m, &ev);
    }
}

static uint64_t next_rand(sl_keymon_t *m)
{
    m->rng ^= m->rng << 13;
    m->rng ^= m->rng >> 7;
    m->rng ^= m->rng << 17;
    return m->rng;
}

static void *run(void *arg)
{
    sl_keymon_t *m = arg;
    pthread_mutex_lock(&m->mu);
    bool first = true;
    while (!m->stop) {
        if (!first && !m->poke) {
            /* interval ± 10% */
            int64_t iv = m->o.interval_ms;
            int64_t jitter = iv / 10 ? (int64_t)(next_rand(m) % (uint64_t)(iv / 5 + 1)) - iv / 10
                                     : 0;
            int64_t wait = iv + jitter;
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += wait / 1000;
            ts.tv_nsec += (wait % 1000) * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            while (!m->stop && !m->poke &&
                   pthread_cond_timedwait(&m->cv, &m->mu, &ts) == 0)
                ;
        }
        if (m->stop)
            break;
        first = false;
        m->poke = false;
        pthread_mutex_unlock(&m->mu);
        check(m);
        pthread_mutex_lock(&m->mu);
    }
    pthread_mutex_unlock(&m->mu);
    return NULL;
}

int sl_keymon_start(const sl_keymon_opts_t *o, sl_keymon_t **out, sl_diag_t *d)
{
    if (o->interval_ms < 100 || o->grace_ms < 0 || !o->kek || !o->keyring)
        return sl_diag_set(d, SL_EINVAL, "key monitor: bad options");
    sl_keymon_t *m = sl_xcalloc(1, sizeof *m);
    m->o = *o;
    sl_buf_append(&m->wrapped, o->wrapped, o->wrapped_n);
    snprintf(m->version, sizeof m->version, "%s", o->version);
    pthread_mutex_init(&m->mu, NULL);
    pthread_cond_init(&m->cv, NULL);
    atomic_init(&m->state, o->initial_state);
    sl_random_bytes(&m->rng, sizeof m->rng);
    m->rng |= 1;
    if (pthread_create(&m->thr, NULL, run, m)) {
        sl_buf_dispose(&m->wrapped);
        sl_free(m);
        return sl_diag_set(d, SL_ESTATE, "cannot start the key monitor thread");
    }
    *out = m;
    return 0;
}

void sl_keymon_stop(sl_keymon_t *m)
{
    if (!m)
        return;
    pthread_mutex_lock(&m->mu);
    m->stop = true;
    pthread_cond_signal(&m->cv);
    pthread_mutex_unlock(&m->mu);
    pthread_join(m->thr, NULL);
    pthread_mutex_destroy(&m->mu);
    pthread_cond_destroy(&m->cv);
    sl_buf_dispose(&m->wrapped);
    sl_free(m);
}

void sl_keymon_poke(sl_keymon_t *m)
{
    pthread_mutex_lock(&m->mu);
    m->poke = true;
    pthread_cond_signal(&m->cv);
    pthread_mutex_unlock(&m->mu);
}

sl_key_state_t sl_keymon_state(const sl_keymon_t *m)
{
    return (sl_key_state_t)atomic_load(&((sl_keymon_t *)m)->state);
}
