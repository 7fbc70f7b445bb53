/*
 * The key monitor's state machine with a scripted KEK provider: success,
 * transient failures within and beyond the grace period, explicit
 * refusals, recovery, and rotation to a newer key version.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "crypto/crypto.h"

enum { OK = 0, TRANSIENT = 1, REFUSED = 2 };

typedef struct fake {
    _Atomic int mode;
    _Atomic int calls;
    char latest[256];
    pthread_mutex_t mu;
    sl_keymon_event_t events[64];
    _Atomic int nevents;
    uint8_t aek[SL_KEY_LEN];
} fake_t;

static int f_unwrap(void *ctx, const uint8_t *w, size_t n, const char *version,
                    uint8_t aek[SL_KEY_LEN], sl_diag_t *d)
{
    fake_t *f = ctx;
    atomic_fetch_add(&f->calls, 1);
    int m = atomic_load(&f->mode);
    if (m == TRANSIENT)
        return sl_diag_set(d, SL_ETRANSIENT, "connection refused");
    if (m == REFUSED)
        return sl_diag_set(d, SL_EFORBIDDEN, "403 KeyDisabled");
    /* The "wrapped" form is the version name followed by the AEK. */
    size_t vl = strlen(version);
    if (n != vl + SL_KEY_LEN || memcmp(w, version, vl))
        return sl_diag_set(d, SL_EINTEGRITY, "wrapped under another version");
    memcpy(aek, w + vl, SL_KEY_LEN);
    return 0;
}

static int f_wrap(void *ctx, const uint8_t aek[SL_KEY_LEN], sl_buf_t *w, char version[256],
                  sl_diag_t *d)
{
    fake_t *f = ctx;
    (void)d;
    pthread_mutex_lock(&f->mu);
    snprintf(version, 256, "%s", f->latest);
    pthread_mutex_unlock(&f->mu);
    sl_buf_append(w, version, strlen(version));
    sl_buf_append(w, aek, SL_KEY_LEN);
    return 0;
}

static int f_latest(void *ctx, char version[256], sl_diag_t *d)
{
    fake_t *f = ctx;
    (void)d;
    pthread_mutex_lock(&f->mu);
    snprintf(version, 256, "%s", f->latest);
    pthread_mutex_unlock(&f->mu);
    return 0;
}

static sl_kek_class_t f_classify(void *ctx, int err)
{
    (void)ctx;
    return err == SL_ETRANSIENT ? SL_KEK_TRANSIENT : SL_KEK_REVOKED;
}

static void on_event(void *arg, const sl_keymon_event_t *ev)
{
    fake_t *f = arg;
    int i = atomic_fetch_add(&f->nevents, 1);
    if (i < 64) {
        f->events[i] = *ev;
        f->events[i].wrapped = NULL;
    }
}

static fake_t F;
static sl_kek_provider_t P;
static sl_key_t *infra;
static sl_keyring_t *kr;

static void setup(void)
{
    memset(&F, 0, sizeof F);
    pthread_mutex_init(&F.mu, NULL);
    snprintf(F.latest, sizeof F.latest, "v1");
    memset(F.aek, 0x5a, SL_KEY_LEN);
    P = (sl_kek_provider_t){ .ctx = &F, .kind = "fake", .wrap = f_wrap, .unwrap = f_unwrap,
                             .classify = f_classify, .latest = f_latest };
    sl_key_create_random(&infra);
    kr = sl_keyring_create(infra, true);
}

static void teardown(void)
{
    sl_keyring_destroy(kr);
    sl_key_destroy(infra);
}

TestSuite(crypto_keymon, .init = setup, .fini = teardown, .timeout = 30);

static sl_keymon_t *start(int64_t interval, int64_t grace, bool follow)
{
    uint8_t w[2 + SL_KEY_LEN];
    memcpy(w, "v1", 2);
    memcpy(w + 2, F.aek, SL_KEY_LEN);
    sl_keymon_opts_t o = { .kek = &P, .keyring = kr, .scope = SL_SCOPE_CMK, .aek_id = 7,
                           .kek_version_no = 1, .wrapped = w, .wrapped_n = sizeof w,
                           .version = "v1", .follow_latest = follow, .interval_ms = interval,
                           .grace_ms = grace, .on_event = on_event, .arg = &F };
    sl_keymon_t *m;
    sl_diag_t d;
    cr_assert_eq(sl_keymon_start(&o, &m, &d), 0, "%s", d.msg);
    return m;
}

static bool wait_state(sl_keymon_t *m, sl_key_state_t want, int ms)
{
    for (int i = 0; i < ms / 10; i++) {
        if (sl_keymon_state(m) == want)
            return true;
        usleep(10000);
    }
    return sl_keymon_state(m) == want;
}

Test(crypto_keymon, unwraps_at_start_and_installs_the_key)
{
    sl_keymon_t *m = start(100, 1000, false);
    cr_expect(wait_state(m, SL_KEY_ACTIVE, 2000));
    cr_expect(sl_keyring_has(kr, SL_SCOPE_CMK, 7));
    sl_keymon_stop(m);
}

Test(crypto_keymon, a_refusal_revokes_at_once_and_a_success_recovers)
{
    sl_keymon_t *m = start(100, 60000, false);
    cr_assert(wait_state(m, SL_KEY_ACTIVE, 2000));
    atomic_store(&F.mode, REFUSED);
    cr_expect(wait_state(m, SL_KEY_REVOKED, 1000));
    cr_expect(!sl_keyring_has(kr, SL_SCOPE_CMK, 7), "the AEK must be gone");
    atomic_store(&F.mode, OK);
    cr_expect(wait_state(m, SL_KEY_ACTIVE, 1000));
    cr_expect(sl_keyring_has(kr, SL_SCOPE_CMK, 7));
    sl_keymon_stop(m);
    /* The recovery event says how long the key was out. */
    bool saw = false;
    for (int i = 0; i < atomic_load(&F.nevents); i++)
        if (F.events[i].kind == SL_KEYMON_STATE && F.events[i].from == SL_KEY_REVOKED &&
            F.events[i].to == SL_KEY_ACTIVE)
            saw = F.events[i].outage_ms >= 50;
    cr_expect(saw);
}

Test(crypto_keymon, transient_failures_degrade_then_fail_closed_after_the_grace)
{
    sl_keymon_t *m = start(100, 600, false);
    cr_assert(wait_state(m, SL_KEY_ACTIVE, 2000));
    atomic_store(&F.mode, TRANSIENT);
    cr_expect(wait_state(m, SL_KEY_DEGRADED, 1000));
    cr_expect(sl_keyring_has(kr, SL_SCOPE_CMK, 7), "degraded keeps serving");
    cr_expect(wait_state(m, SL_KEY_REVOKED, 2000));
    cr_expect(!sl_keyring_has(kr, SL_SCOPE_CMK, 7));
    atomic_store(&F.mode, OK);
    cr_expect(wait_state(m, SL_KEY_ACTIVE, 1000));
    sl_keymon_stop(m);
}

Test(crypto_keymon, short_outages_change_nothing_visible)
{
    sl_keymon_t *m = start(100, 5000, false);
    cr_assert(wait_state(m, SL_KEY_ACTIVE, 2000));
    atomic_store(&F.mode, TRANSIENT);
    cr_expect(wait_state(m, SL_KEY_DEGRADED, 1000));
    usleep(300000);
    cr_expect(sl_keyring_has(kr, SL_SCOPE_CMK, 7));
    atomic_store(&F.mode, OK);
    cr_expect(wait_state(m, SL_KEY_ACTIVE, 1000));
    sl_keymon_stop(m);
}

Test(crypto_keymon, checks_at_most_once_per_interval)
{
    sl_keymon_t *m = start(200, 1000, false);
    usleep(1050000);
    int calls = atomic_load(&F.calls);
    cr_expect(calls >= 4 && calls <= 7, "%d calls in ~1 s at a 200 ms interval", calls);
    sl_keymon_stop(m);
}

Test(crypto_keymon, follows_the_latest_version)
{
    sl_keymon_t *m = start(100, 1000, true);
    cr_assert(wait_state(m, SL_KEY_ACTIVE, 2000));
    pthread_mutex_lock(&F.mu);
    snprintf(F.latest, sizeof F.latest, "v2");
    pthread_mutex_unlock(&F.mu);
    bool rotated = false;
    for (int i = 0; i < 100 && !rotated; i++) {
        usleep(20000);
        for (int k = 0; k < atomic_load(&F.nevents); k++)
            rotated |= F.events[k].kind == SL_KEYMON_ROTATED &&
                       !strcmp(F.events[k].version, "v2") &&
                       !strcmp(F.events[k].old_version, "v1");
    }
    cr_expect(rotated);
    /* Later checks unwrap the v2 form and stay active. */
    usleep(300000);
    cr_expect_eq(sl_keymon_state(m), SL_KEY_ACTIVE);
    sl_keymon_stop(m);
}
