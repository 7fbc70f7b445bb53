/*
 * Node key files (the service key MMK and the infrastructure key). Format,
 * 48 bytes: "SLKEY1\0\0" | key (32) | first 8 bytes of SHA-256(magic|key).
 * The checksum turns a truncated or altered file into a clear refusal
 * instead of a wrong key that would make every block look tampered with.
 */
#include "crypto/crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <string.h>
#include <sys/stat.h>

#define MAGIC "SLKEY1\0\0"
#define FILE_LEN (8 + SL_KEY_LEN + 8)

static void checksum(const uint8_t *magic_and_key, uint8_t out[8])
{
    uint8_t h[SL_SHA256_LEN];
    sl_sha256(magic_and_key, 8 + SL_KEY_LEN, h);
    memcpy(out, h, 8);
}

int sl_keyfile_load(const char *path, bool create, sl_key_t **out, bool *created, sl_diag_t *d)
{
    uint8_t file[FILE_LEN];
    sl_buf_t b = SL_BUF_INIT;
    int rc;
    if (created)
        *created = false;
    struct stat st;
    if (stat(path, &st) == 0) {
        if (st.st_mode & 077) {
            return sl_diag_set(d, SL_EFORBIDDEN,
                               "key file %s is accessible by group or others (mode %03o); "
                               "run: chmod 600 %s",
                               path, (unsigned)(st.st_mode & 0777), path);
        }
        rc = sl_read_file(path, FILE_LEN + 1, &b);
        if (rc) {
            sl_buf_wipe(&b);
            return sl_diag_set(d, rc, "cannot read key file %s: %s", path, sl_strerror(rc));
        }
        if (b.len != FILE_LEN || memcmp(b.data, MAGIC, 8) != 0) {
            sl_buf_wipe(&b);
            return sl_diag_set(d, SL_EINTEGRITY, "key file %s is not a sealog key file", path);
        }
        uint8_t sum[8];
        checksum((uint8_t *)b.data, sum);
        if (!sl_ct_equal(sum, b.data + 8 + SL_KEY_LEN, 8)) {
            sl_buf_wipe(&b);
            return sl_diag_set(d, SL_EINTEGRITY, "key file %s is damaged (checksum mismatch)",
                               path);
        }
        rc = sl_key_create_from((uint8_t *)b.data + 8, out);
        sl_buf_wipe(&b);
        return rc ? sl_diag_set(d, rc, "cannot allocate key memory") : 0;
    }
    if (errno != ENOENT || !create)
        return sl_diag_set(d, -errno, "cannot open key file %s: %s", path, strerror(errno));

    sl_key_t *k;
    rc = sl_key_create_random(&k);
    if (rc)
        return sl_diag_set(d, rc, "cannot allocate key memory");
    memcpy(file, MAGIC, 8);
    memcpy(file + 8, sl_key_bytes(k), SL_KEY_LEN);
    checksum(file, file + 8 + SL_KEY_LEN);
    rc = sl_write_file_atomic(path, file, sizeof file, 0600);
    OPENSSL_cleanse(file, sizeof file);
    if (rc) {
        sl_key_destroy(k);
        return sl_diag_set(d, rc, "cannot write key file %s: %s", path, sl_strerror(rc));
    }
    *out = k;
    if (created)
        *created = true;
    return 0;
}
