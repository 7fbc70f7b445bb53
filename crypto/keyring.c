/*
 * The keyring holds the unwrapped AEKs, each in its own locked page, behind
 * a read-write lock: many threads derive envelopes at once, and the key
 * monitor (a later addition) drops a whole scope on revocation. Dropping
 * destroys the key pages, which wipes them; nothing else keeps a copy of an
 * AEK: envelopes hold only derived keys, and callers wipe those after use.
 */
#include "crypto/crypto.h"

#include <openssl/crypto.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define MAX_AEKS 16 /* per scope: the active one and older ones still readable */

typedef struct aek_slot {
    uint64_t id;
    uint32_t kek_version;
    sl_key_t *key;
} aek_slot_t;

struct sl_keyring {
    pthread_rwlock_t lock;
    const sl_key_t *infra; /* borrowed from the node */
    bool twice;
    struct {
        aek_slot_t slot[MAX_AEKS];
        size_t n;
        int active; /* index into slot, -1 when none */
    } scope[SL_SCOPE_COUNT];
};

sl_keyring_t *sl_keyring_create(const sl_key_t *infra_key, bool double_encryption)
{
    sl_keyring_t *kr = sl_xcalloc(1, sizeof *kr);
    pthread_rwlock_init(&kr->lock, NULL);
    kr->infra = infra_key;
    kr->twice = double_encryption;
    for (int s = 0; s < SL_SCOPE_COUNT; s++)
        kr->scope[s].active = -1;
    return kr;
}

void sl_keyring_destroy(sl_keyring_t *kr)
{
    if (!kr)
        return;
    for (int s = 0; s < SL_SCOPE_COUNT; s++)
        sl_keyring_drop_scope(kr, (sl_scope_t)s);
    pthread_rwlock_destroy(&kr->lock);
    sl_free(kr);
}

bool sl_keyring_double_encryption(const sl_keyring_t *kr)
{
    return kr->twice;
}

void sl_keyring_put(sl_keyring_t *kr, sl_scope_t scope, uint64_t aek_id, uint32_t kek_version,
                    const uint8_t aek[SL_KEY_LEN])
{
    sl_key_t *k;
    if (sl_key_create_from(aek, &k))
        abort(); /* key memory exhausted: nothing sensible to do */
    pthread_rwlock_wrlock(&kr->lock);
    __typeof__(kr->scope[0]) *sc = &kr->scope[scope];
    size_t i;
    for (i = 0; i < sc->n && sc->slot[i].id != aek_id; i++)
        ;
    if (i == sc->n) {
        if (sc->n == MAX_AEKS) {
            /* Evict the oldest non-active key: older data then needs a reload. */
            size_t victim = sc->active == 0 ? 1 : 0;
            sl_key_destroy(sc->slot[victim].key);
            memmove(&sc->slot[victim], &sc->slot[victim + 1],
                    (sc->n - victim - 1) * sizeof sc->slot[0]);
            sc->n--;
            if (sc->active > (int)victim)
                sc->active--;
            i = sc->n;
        }
        sc->n++;
    } else {
        sl_key_destroy(sc->slot[i].key);
    }
    sc->slot[i].id = aek_id;
    sc->slot[i].kek_version = kek_version;
    sc->slot[i].key = k;
    sc->active = (int)i;
    pthread_rwlock_unlock(&kr->lock);
}

void sl_keyring_drop_scope(sl_keyring_t *kr, sl_scope_t scope)
{
    pthread_rwlock_wrlock(&kr->lock);
    __typeof__(kr->scope[0]) *sc = &kr->scope[scope];
    for (size_t i = 0; i < sc->n; i++) {
        sl_key_destroy(sc->slot[i].key);
        memset(&sc->slot[i], 0, sizeof sc->slot[i]);
    }
    sc->n = 0;
    sc->active = -1;
    pthread_rwlock_unlock(&kr->lock);
}

int sl_keyring_active(sl_keyring_t *kr, sl_scope_t scope, uint64_t *aek_id,
                      uint32_t *kek_version)
{
    int rc = SL_EKEYUNAVAIL;
    pthread_rwlock_rdlock(&kr->lock);
    __typeof__(kr->scope[0]) *sc = &kr->scope[scope];
    if (sc->active >= 0) {
        *aek_id = sc->slot[sc->active].id;
        *kek_version = sc->slot[sc->active].kek_version;
        rc = 0;
    }
    pthread_rwlock_unlock(&kr->lock);
    return rc;
}

bool sl_keyring_has(sl_keyring_t *kr, sl_scope_t scope, uint64_t aek_id)
{
    bool found = false;
    pthread_rwlock_rdlock(&kr->lock);
    for (size_t i = 0; i < kr->scope[scope].n; i++)
        found |= kr->scope[scope].slot[i].id == aek_id;
    pthread_rwlock_unlock(&kr->lock);
    return found;
}

int sl_keyring_envelope(sl_keyring_t *kr, sl_scope_t scope, uint64_t aek_id, const char *purpose,
                        uint64_t object_id, sl_envelope_t *out)
{
    uint8_t ctx[8];
    sl_store_u64be(ctx, object_id);
    int rc = SL_EKEYUNAVAIL;
    memset(out, 0, sizeof *out);
    out->twice = kr->twice;
    pthread_rwlock_rdlock(&kr->lock);
    __typeof__(kr->scope[0]) *sc = &kr->scope[scope];
    for (size_t i = 0; i < sc->n; i++) {
        if (sc->slot[i].id == aek_id) {
            rc = sl_key_derive_raw(sc->slot[i].key, purpose, ctx, sizeof ctx, out->dek);
            break;
        }
    }
    pthread_rwlock_unlock(&kr->lock);
    if (!rc && kr->twice)
        rc = sl_key_derive_raw(kr->infra, purpose, ctx, sizeof ctx, out->infra);
    if (rc)
        sl_envelope_wipe(out);
    return rc;
}

static void part_nonce(uint64_t part, uint8_t nonce[SL_AEAD_NONCE_LEN])
{
    memset(nonce, 0, SL_AEAD_NONCE_LEN);
    sl_store_u64be(nonce + 4, part);
}

int sl_envelope_seal(const sl_envelope_t *e, uint64_t part, const void *aad, size_t aad_n,
                     const void *pt, size_t pt_n, uint8_t *out)
{
    uint8_t nonce[SL_AEAD_NONCE_LEN];
    part_nonce(part, nonce);
    int rc = sl_aead_seal(SL_AEAD_AES256GCM, e->dek, nonce, aad, aad_n, pt, pt_n, out);
    if (!rc && e->twice)
        rc = sl_aead_seal(SL_AEAD_CHACHA20POLY1305, e->infra, nonce, aad, aad_n, out,
                          pt_n + SL_AEAD_TAG_LEN, out);
    return rc;
}

int sl_envelope_open(const sl_envelope_t *e, uint64_t part, const void *aad, size_t aad_n,
                     const void *ct, size_t ct_n, uint8_t *out)
{
    uint8_t nonce[SL_AEAD_NONCE_LEN];
    part_nonce(part, nonce);
    size_t over = SL_ENVELOPE_OVERHEAD(e->twice);
    if (ct_n < over)
        return SL_EINTEGRITY;
    if (!e->twice)
        return sl_aead_open(SL_AEAD_AES256GCM, e->dek, nonce, aad, aad_n, ct, ct_n, out);
    /* Outer layer first; the inner ciphertext lands in `out` and is opened in place. */
    int rc = sl_aead_open(SL_AEAD_CHACHA20POLY1305, e->infra, nonce, aad, aad_n, ct, ct_n, out);
    if (!rc)
        rc = sl_aead_open(SL_AEAD_AES256GCM, e->dek, nonce, aad, aad_n, out,
                          ct_n - SL_AEAD_TAG_LEN, out);
    return rc;
}

void sl_envelope_wipe(sl_envelope_t *e)
{
    OPENSSL_cleanse(e, sizeof *e);
}
