/*
 * Integration helpers for sealog-vault, on top of the node harness: the
 * vault is started like sealogd (free port, temporary data directory,
 * banner parsed from stdout) and stopped, requested and cleaned up with the
 * same th_* functions, since th_node_t describes any such process.
 */
#ifndef SL_TEST_VAULT_HARNESS_H
#define SL_TEST_VAULT_HARNESS_H

#include "harness.h"

#define TH_KV_API "api-version=7.5"

/* Starts sealog-vault with --data-dir and --listen 127.0.0.1:0 (unless
 * `extra` has a --listen) plus `extra` (NULL-terminated). Waits for the
 * banner. Returns 0, or the exit status if the vault exited instead. */
int th_vault_start(th_node_t *n, const char *const *extra);
/* Value after `label` ("token url:", "challenge:") in the last banner. */
bool th_vault_banner(const th_node_t *n, const char *label, char *out, size_t size);

/* A Key Vault request with the vault's token (or `token`, NULL for none). */
int th_kv(const th_node_t *n, const char *token, const char *method, const char *path,
          const char *body, th_resp_t *out);
/* Creates an RSA or oct key; returns its 32-hex version in `version`. */
void th_kv_create(const th_node_t *n, const char *name, const char *body, char version[33]);
/* Wraps `len` bytes with `alg` at `path` ("/keys/k/v/wrapkey"); returns the
 * HTTP status and the base64url result in `out` (NUL-terminated). */
long th_kv_wrap(const th_node_t *n, const char *token, const char *path, const char *alg,
                const void *data, size_t len, sl_buf_t *out);
/* Unwraps the base64url `value`; returns the status, raw bytes in `out`. */
long th_kv_unwrap(const th_node_t *n, const char *token, const char *path, const char *alg,
                  const char *value, sl_buf_t *out);
/* Mints a vault token with the admin token; returns the token string. */
void th_vault_token(const th_node_t *n, const char *body, char out[160]);
/* The string value of a top-level or nested member ("error.code",
 * "key.kid", "error.innererror.code") of a JSON body, into `out`. */
bool th_json_str(const sl_buf_t *body, const char *path, char *out, size_t size);

#endif
