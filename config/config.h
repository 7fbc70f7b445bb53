/*
 * config — the node's settings: one descriptor table (name, type, default,
 * bounds, description) drives the config file parser, the environment and
 * command-line overrides, validation, `sealogd --help` and the reference in
 * the README. Only this module reads configuration files or the environment.
 *
 * Precedence, lowest to highest: built-in defaults, the config file
 * (--config FILE, JSON), environment variables (SEALOGD_<NAME>), flags
 * (--<name-with-dashes>). A list setting is replaced, not merged, by a
 * higher source.
 *
 * The result is immutable once loaded; a reload (SIGHUP) builds a new one.
 */
#ifndef SL_CONFIG_H
#define SL_CONFIG_H

#include "common/common.h"

typedef struct sl_strlist {
    size_t n;
    char **v;
} sl_strlist_t;

typedef struct sl_config {
    /* node */
    char *data_dir;
    sl_strlist_t listen;      /* HTTPS "HOST:PORT", or "unix:PATH" (plain HTTP) */
    sl_strlist_t http_listen; /* plain HTTP, loopback only */
    char *tls_cert_file;
    char *tls_key_file;
    char *public_url; /* how clients reach us; "" = first HTTPS listener */
    int log_level;
    int64_t shutdown_timeout_ms;
    int64_t idle_timeout_ms;
    int64_t threadpool_size;
    int64_t max_connections;
    uint64_t max_body_size;
    int64_t token_default_ttl_ms;
    bool allow_core_dumps;

    /* storage */
    bool double_encryption;
    uint64_t wal_file_size;
    uint64_t ingest_queue_max;
    int64_t block_max_rows;
    uint64_t block_max_bytes;
    int64_t block_flush_interval_ms;
    int64_t segment_span_ms;
    int64_t retention_interval_ms;

    /* hot cache */
    char *cache_path;        /* "" = DATA_DIR/cache */
    uint64_t cache_max_size;
    int64_t hot_cache_days;

    /* ingestion */
    uint64_t dc_max_body;
    uint64_t li_max_body;
    int64_t dc_clock_skew_ms;
    int64_t oauth_token_ttl_ms;

    /* customer-managed keys */
    int64_t cmk_check_interval_ms;
    int64_t cmk_grace_period_ms;
    char *vault_ca_file;
    int64_t vault_timeout_ms;
    char *vault_token_file;
    char *vault_client_id;
    char *vault_client_secret_file;
    char *vault_tenant;
    char *vault_authority;
    char *identity_endpoint;
    char *identity_header;

    /* queries */
    int64_t query_timeout_ms;
    int64_t query_timeout_max_ms;
    uint64_t query_memory;
    int64_t query_max_rows;
    uint64_t query_max_result;
    uint64_t query_max_length;

    char *source_file; /* the config file used, or NULL */
} sl_config_t;

/*
 * Loads the configuration from the command line (argv[1..]), the environment
 * `envp` and the file named by --config. Flags that are not settings
 * (--config, --help, --version, --print-config-reference) are reported via
 * `action`. On error fills `d` with one line that names the setting, the
 * value, where it came from and what is accepted, and returns SL_ECONFIG.
 */
typedef enum {
    SL_CONFIG_RUN = 0,
    SL_CONFIG_HELP,
    SL_CONFIG_VERSION,
    SL_CONFIG_REFERENCE,
} sl_config_action_t;

int sl_config_load(int argc, char **argv, char **envp, sl_config_t **out,
                   sl_config_action_t *action, sl_diag_t *d);
void sl_config_destroy(sl_config_t *c);

/* Writes `sealogd --help` text. */
void sl_config_usage(sl_buf_t *out, const char *prog);
/* Writes the Markdown configuration reference (the README embeds it). */
void sl_config_reference(sl_buf_t *out);

/* A parsed listener address. */
typedef struct sl_listen_addr {
    bool is_unix;
    char host[256]; /* without brackets */
    int port;
    char path[108];
} sl_listen_addr_t;

/* Parses "HOST:PORT", "[v6]:PORT" or "unix:PATH". Returns 0 or SL_EPARSE. */
int sl_config_parse_listen(const char *s, sl_listen_addr_t *out);


/* ------------------------------------------------------------------------ */
/* The cluster resource (cluster.c)                                         */
/* ------------------------------------------------------------------------ */

typedef enum {
    SL_IDENTITY_NONE = 0,
    SL_IDENTITY_SYSTEM, /* SystemAssigned */
    SL_IDENTITY_USER,   /* UserAssigned */
} sl_identity_type_t;

typedef struct sl_cluster {
    sl_identity_type_t identity;
    char user_identity[256]; /* the user-assigned identity (resource id or client id) */
    char kv_uri[512];        /* keyVaultProperties; empty: no customer-managed key */
    char key_name[128];
    char key_version[128];   /* "" follows the latest version */
    bool double_encryption;  /* fixed at creation */
    sl_ticks_t created, updated;
} sl_cluster_t;

/* What an update changes. */
typedef struct sl_cluster_change {
    bool identity, key;
} sl_cluster_change_t;

const char *sl_identity_type_name(sl_identity_type_t t);
/* The stored form (`stored`) or the ARM-shaped API answer. */
void sl_cluster_to_json(const sl_cluster_t *c, bool stored, sl_buf_t *out);
int sl_cluster_from_json(const char *text, size_t n, sl_cluster_t *c, sl_diag_t *d);
/*
 * Applies an update body (ARM shape: identity, properties.keyVaultProperties)
 * to `cur` giving `out`. Checks its shape: unknown properties, identity and
 * key changed together, a key without an identity, a change of
 * isDoubleEncryptionEnabled → SL_EINVAL / SL_EPARSE with the message. The
 * key itself is validated against the vault by the caller.
 */
int sl_cluster_apply_update(const sl_cluster_t *cur, const char *text, size_t n,
                            sl_cluster_t *out, sl_cluster_change_t *what, sl_diag_t *d);

#endif /* SL_CONFIG_H */
