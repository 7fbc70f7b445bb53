/*
 * store — everything sealog keeps on disk: the catalog (workspaces, tokens,
 * tables, DCRs, the cluster resource, audit log, usage), and later the WAL
 * and the encrypted segments. LMDB is used only inside this module.
 *
 * Threads: read functions may be called from any thread (each opens its own
 * read-only transaction, MDB_NOTLS). Write functions may be called from any
 * thread too — LMDB serialises writers — but they commit durably (fsync), so
 * the node calls them off its event loop.
 *
 * Nothing here logs; errors come back as SL_E* codes with an sl_diag_t.
 */
#ifndef SL_STORE_H
#define SL_STORE_H

#include "common/common.h"

/* ------------------------------------------------------------------------ */
/* Catalog                                                                  */
/* ------------------------------------------------------------------------ */

typedef struct sl_catalog sl_catalog_t;

/* Opens (creating if needed) the catalog environment in directory `dir`. */
int sl_catalog_open(const char *dir, sl_catalog_t **out, sl_diag_t *d);
void sl_catalog_close(sl_catalog_t *c);

/* Small node-wide values ("format_version", "double_encryption", ...). */
int sl_catalog_meta_get(sl_catalog_t *c, const char *key, sl_buf_t *out, sl_diag_t *d);
int sl_catalog_meta_put(sl_catalog_t *c, const char *key, const void *v, size_t n, sl_diag_t *d);

/* Workspaces. Shared keys are stored sealed; the catalog never sees them in
 * the clear (the caller seals under the service key). */
#define SL_WS_NAME_MAX 63
typedef struct sl_ws_rec {
    sl_guid_t id;
    char name[SL_WS_NAME_MAX + 1];
    uint32_t retention_days;
    sl_ticks_t created;
    sl_ticks_t deleted; /* 0 while active */
    sl_buf_t sealed_key[2]; /* primary, secondary */
} sl_ws_rec_t;

void sl_ws_rec_dispose(sl_ws_rec_t *w);
/* Inserts a new workspace; SL_EEXIST if the id or the name is taken. */
int sl_catalog_ws_create(sl_catalog_t *c, const sl_ws_rec_t *w, sl_diag_t *d);
/* Replaces an existing workspace record (same id, same name). */
int sl_catalog_ws_update(sl_catalog_t *c, const sl_ws_rec_t *w, sl_diag_t *d);
int sl_catalog_ws_get(sl_catalog_t *c, const sl_guid_t *id, sl_ws_rec_t *out, sl_diag_t *d);
int sl_catalog_ws_by_name(sl_catalog_t *c, const char *name, sl_ws_rec_t *out, sl_diag_t *d);
/* All workspaces (deleted ones included), ordered by name. Free with
 * sl_ws_list_free. */
int sl_catalog_ws_list(sl_catalog_t *c, sl_ws_rec_t **out, size_t *n, sl_diag_t *d);
void sl_ws_list_free(sl_ws_rec_t *list, size_t n);

/* Tokens: stored by id with the SHA-256 of their secret, never the secret. */
typedef enum {
    SL_TOKEN_ADMIN = 1,  /* the admin API */
    SL_TOKEN_INGEST = 2, /* Logs Ingestion for the listed DCR ids ("*" = all) */
    SL_TOKEN_QUERY = 3,  /* the Query API for the listed workspace ids ("*" = all) */
} sl_token_kind_t;

#define SL_TOKEN_ID_LEN 8
#define SL_TOKEN_MAX_SCOPES 64
typedef struct sl_token_rec {
    uint8_t id[SL_TOKEN_ID_LEN];
    uint8_t hash[32];
    sl_token_kind_t kind;
    char name[64];
    sl_ticks_t created, expires, revoked; /* revoked 0 while valid */
    size_t nscopes;
    char scopes[SL_TOKEN_MAX_SCOPES][64];
} sl_token_rec_t;

int sl_catalog_token_put(sl_catalog_t *c, const sl_token_rec_t *t, sl_diag_t *d);
int sl_catalog_token_get(sl_catalog_t *c, const uint8_t id[SL_TOKEN_ID_LEN], sl_token_rec_t *out,
                         sl_diag_t *d);
/* All tokens, newest first. Free with sl_free. */
int sl_catalog_token_list(sl_catalog_t *c, sl_token_rec_t **out, size_t *n, sl_diag_t *d);

#endif /* SL_STORE_H */
