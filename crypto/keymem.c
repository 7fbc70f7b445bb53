/*
 * Key memory. Each long-lived key gets its own anonymous page so that it can
 * be locked (never swapped) and marked MADV_DONTDUMP (never in a core file),
 * and so that destroying it wipes and unmaps exactly that page. sealog holds
 * a handful of such keys (service, infrastructure, one AEK per scope, cache
 * keys), so a page each costs little.
 *
 * Secret buffers (sl_secbuf_t) apply the same treatment to short-lived
 * secrets of variable size: a vault's answer holding an unwrapped AEK, an
 * access token, a client secret. They have a fixed capacity and never
 * reallocate, because realloc would leave a copy behind in freed memory.
 */
#include "crypto/crypto_int.h"

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

/* ------------------------------------------------------------------------ */
/* Secret buffers (crypto_int.h)                                            */
/* ------------------------------------------------------------------------ */

int sl_crypto__secbuf_init(sl_secbuf_t *b, size_t cap)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t len = (cap + 1 + page - 1) / page * page;
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        *b = (sl_secbuf_t)SL_SECBUF_INIT;
        return SL_ENOMEM;
    }
    (void)mlock(p, len);
    (void)madvise(p, len, MADV_DONTDUMP);
    b->data = p;
    b->data[0] = '\0';
    b->len = 0;
    b->cap = cap;
    b->map_len = len;
    return 0;
}

int sl_crypto__secbuf_append(sl_secbuf_t *b, const void *p, size_t n)
{
    if (!b->data || n > b->cap - b->len) {
        return SL_ELIMIT;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int sl_crypto__secbuf_puts(sl_secbuf_t *b, const char *s)
{
    return sl_crypto__secbuf_append(b, s, strlen(s));
}

int sl_crypto__secbuf_put_form(sl_secbuf_t *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char enc[3];
        size_t en = 1;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            enc[0] = (char)c;
        } else {
            enc[0] = '%';
            enc[1] = hex[c >> 4];
            enc[2] = hex[c & 15];
            en = 3;
        }
        int rc = sl_crypto__secbuf_append(b, enc, en);
        if (rc) {
            return rc;
        }
    }
    return 0;
}

void sl_crypto__secbuf_reset(sl_secbuf_t *b)
{
    if (b->data) {
        OPENSSL_cleanse(b->data, b->len + 1);
        b->len = 0;
    }
}

void sl_crypto__secbuf_dispose(sl_secbuf_t *b)
{
    if (b->data) {
        OPENSSL_cleanse(b->data, b->map_len);
        munlock(b->data, b->map_len);
        munmap(b->data, b->map_len);
    }
    *b = (sl_secbuf_t)SL_SECBUF_INIT;
}
