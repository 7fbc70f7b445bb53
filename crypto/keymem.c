/*
 * Key memory. Each long-lived key gets its own anonymous page so that it can
 * be locked (never swapped) and marked MADV_DONTDUMP (never in a core file),
 * and so that destroying it wipes and unmaps exactly that page. sealog holds
 * a handful of such keys (service, infrastructure, one AEK per scope, cache
 * keys), so a page each costs little.
 */
#include "crypto/crypto.h"

#include <openssl/crypto.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct sl_key {
    uint8_t bytes[SL_KEY_LEN];
    size_t map_len;
};

static sl_key_t *key_alloc(void)
{
    size_t len = (size_t)sysconf(_SC_PAGESIZE);
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    /* Best effort: the memlock limit may be small; dump exclusion still holds. */
    (void)mlock(p, len);
    (void)madvise(p, len, MADV_DONTDUMP);
    sl_key_t *k = p;
    k->map_len = len;
    return k;
}

int sl_key_create_random(sl_key_t **out)
{
    sl_key_t *k = key_alloc();
    if (!k)
        return SL_ENOMEM;
    sl_random_bytes(k->bytes, SL_KEY_LEN);
    *out = k;
    return 0;
}

int sl_key_create_from(const uint8_t bytes[SL_KEY_LEN], sl_key_t **out)
{
    sl_key_t *k = key_alloc();
    if (!k)
        return SL_ENOMEM;
    memcpy(k->bytes, bytes, SL_KEY_LEN);
    *out = k;
    return 0;
}

int sl_key_clone(const sl_key_t *k, sl_key_t **out)
{
    return sl_key_create_from(k->bytes, out);
}

void sl_key_destroy(sl_key_t *k)
{
    if (!k)
        return;
    size_t len = k->map_len;
    OPENSSL_cleanse(k, len);
    munlock(k, len);
    munmap(k, len);
}

const uint8_t *sl_key_bytes(const sl_key_t *k)
{
    return k->bytes;
}

uint64_t sl_key_id(const sl_key_t *k)
{
    uint8_t mac[SL_SHA256_LEN];
    static const char label[] = "sealog key id";
    sl_hmac_sha256(k->bytes, SL_KEY_LEN, label, sizeof label - 1, mac);
    return sl_load_u64be(mac);
}
