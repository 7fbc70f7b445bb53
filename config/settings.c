/*
 * The settings table. Every setting of sealogd is one row here; the parser,
 * the validator, --help and the README reference are all generated from it,
 * so they cannot disagree. Add a row and a field in sl_config_t together.
 */
#include "config/config_int.h"

#include <stddef.h>

#define OFF(f) offsetof(sl_config_t, f)

/* A segment span must tile days: a divisor of 24h or a whole number of days. */
const char *sl_check_span(const char *v)
{
    int64_t ms;
    if (sl_duration_parse_ms(v, &ms) || ms <= 0)
        return NULL; /* the duration check reports it */
    if (86400000 % ms == 0 || ms % 86400000 == 0)
        return NULL;
    return "a duration that divides a day (1h, 2h, 3h, 4h, 6h, 8h, 12h) or whole days";
}

const sl_setting_t sl_settings[] = {
    { "data_dir", SL_SET_STRING, OFF(data_dir), "./sealog-data", 0, 0, NULL,
      "Directory for the catalog, segments, WAL, keys and TLS files. Created on first start." },
    { "listen", SL_SET_LIST, OFF(listen), "127.0.0.1:8443", 0, 0, sl_check_listen,
      "HTTPS listeners as HOST:PORT ([v6]:PORT for IPv6; port 0 picks a free port), or "
      "unix:PATH for a plain-HTTP Unix socket (mode 0660). Repeat the flag for several." },
    { "http_listen", SL_SET_LIST, OFF(http_listen), "", 0, 0, sl_check_http_listen,
      "Optional plain-HTTP listeners, loopback addresses only (for agents with TLS off)." },
    { "tls_cert_file", SL_SET_STRING, OFF(tls_cert_file), "", 0, 0, NULL,
      "PEM certificate chain for HTTPS. Empty: a self-signed certificate in DATA_DIR/tls." },
    { "tls_key_file", SL_SET_STRING, OFF(tls_key_file), "", 0, 0, NULL,
      "PEM private key for tls_cert_file (unencrypted). Required when tls_cert_file is set." },
    { "public_url", SL_SET_STRING, OFF(public_url), "", 0, 0, sl_check_url,
      "Base URL clients use to reach the node (https://host:port). Empty: the first HTTPS "
      "listener." },
    { "log_level", SL_SET_ENUM, OFF(log_level), "info", 0, 0, NULL,
      "Least severe level written to the log: debug, info, warn, error or off. Reloaded on "
      "SIGHUP." },
    { "shutdown_timeout", SL_SET_DURATION, OFF(shutdown_timeout_ms), "10s", 0, 300000, NULL,
      "On SIGTERM/SIGINT, how long in-flight requests may take to finish before exit." },
    { "idle_timeout", SL_SET_DURATION, OFF(idle_timeout_ms), "60s", 1000, 3600000, NULL,
      "Idle keep-alive connections are closed after this long." },
    { "threadpool_size", SL_SET_INT, OFF(threadpool_size), "4", 1, 128, NULL,
      "Threads in the libuv pool that runs scans, block encryption and cache reloads." },
    { "max_connections", SL_SET_INT, OFF(max_connections), "10000", 1, 1000000, NULL,
      "Connections beyond this are closed on accept." },
    { "max_body_size", SL_SET_SIZE, OFF(max_body_size), "32MiB", 1048576, 1073741824, NULL,
      "Largest request body read from the wire (before decompression)." },
    { "token_default_ttl", SL_SET_DURATION, OFF(token_default_ttl_ms), "30d", 60000,
      (int64_t)3650 * 86400000, NULL,
      "Lifetime of tokens minted without an explicit expiry." },
    { "allow_core_dumps", SL_SET_BOOL, OFF(allow_core_dumps), "false", 0, 0, NULL,
      "Let the process dump core. Off by default: a core file could hold key material." },
    { "double_encryption", SL_SET_BOOL, OFF(double_encryption), "true", 0, 0, NULL,
      "Encrypt data twice (AES-256-GCM under the scope key, then ChaCha20-Poly1305 under the "
      "node's infrastructure key). Fixed when the data directory is created." },
    { "wal_file_size", SL_SET_SIZE, OFF(wal_file_size), "64MiB", 1048576, 1073741824, NULL,
      "The write-ahead log moves to a new file past this size." },
    { "ingest_queue_max", SL_SET_SIZE, OFF(ingest_queue_max), "256MiB", 16777216,
      (int64_t)8 << 30, NULL,
      "Accepted rows not yet in blocks (waiting for the WAL or for the block builders); beyond "
      "it requests get 503 + Retry-After, so memory stays bounded when building falls behind." },
    { "block_max_rows", SL_SET_INT, OFF(block_max_rows), "65536", 1024, 1048576, NULL,
      "Rows per block, at most." },
    { "block_max_bytes", SL_SET_SIZE, OFF(block_max_bytes), "4MiB", 262144, 67108864, NULL,
      "Uncompressed bytes per block, at most." },
    { "block_flush_interval", SL_SET_DURATION, OFF(block_flush_interval_ms), "1s", 50, 60000,
      NULL,
      "Rows become a block at the latest this long after they are acknowledged (they are "
      "durable in the WAL meanwhile)." },
    { "segment_span", SL_SET_DURATION, OFF(segment_span_ms), "1d", 3600000, 604800000,
      sl_check_span, "Time window of one LMDB segment (a divisor or multiple of a day)." },
    { "retention_interval", SL_SET_DURATION, OFF(retention_interval_ms), "1h", 1000, 86400000,
      NULL, "How often expired data is purged." },
    { "cache_path", SL_SET_STRING, OFF(cache_path), "", 0, 0, NULL,
      "Directory of the hot cache (put it on fast local SSD). Empty: DATA_DIR/cache. It only "
      "holds copies: deleting it costs speed, never data." },
    { "cache_max_size", SL_SET_SIZE, OFF(cache_max_size), "16GiB", 16777216,
      (int64_t)1 << 50, NULL,
      "Bound on the bytes of the hot cache's entries. Beyond it, blocks outside the hot "
      "window are evicted first (least recently read first), then the oldest-read blocks "
      "inside it." },
    { "hot_cache_days", SL_SET_INT, OFF(hot_cache_days), "14", 1, 3650, NULL,
      "Blocks whose newest row is at most this many days old are kept in the hot cache as "
      "they are written, and reloaded into it after a customer-managed key comes back." },
    { "dc_max_body", SL_SET_SIZE, OFF(dc_max_body), "30MiB", 1024, 1073741824, NULL,
      "Largest HTTP Data Collector API post." },
    { "li_max_body", SL_SET_SIZE, OFF(li_max_body), "1MiB", 65536, 67108864, NULL,
      "Largest Logs Ingestion API body after decompression (Azure: 1 MB)." },
    { "dc_clock_skew", SL_SET_DURATION, OFF(dc_clock_skew_ms), "15m", 60000, 86400000, NULL,
      "Accepted difference between a Data Collector post's x-ms-date and the node's clock." },
    { "oauth_token_ttl", SL_SET_DURATION, OFF(oauth_token_ttl_ms), "1h", 120000, 86400000, NULL,
      "Lifetime of access tokens issued by /oauth2/v2.0/token (expires_in)." },
    { "cmk_check_interval", SL_SET_DURATION, OFF(cmk_check_interval_ms), "10s", 1000, 60000,
      NULL,
      "How often the customer-managed key is unwrapped again in the key vault (jittered by up "
      "to 10%)." },
    { "cmk_grace_period", SL_SET_DURATION, OFF(cmk_grace_period_ms), "1h", 0,
      (int64_t)7 * 86400000, NULL,
      "How long the node keeps serving with the cached key while the key vault cannot be "
      "reached; then it fails closed until the vault answers." },
    { "vault_ca_file", SL_SET_STRING, OFF(vault_ca_file), "", 0, 0, NULL,
      "PEM CA bundle trusted for the key vault's (and token endpoints') TLS. Empty: the system "
      "trust store." },
    { "vault_timeout", SL_SET_DURATION, OFF(vault_timeout_ms), "10s", 500, 120000, NULL,
      "Longest exchange with the key vault or a token endpoint." },
    { "vault_token_file", SL_SET_STRING, OFF(vault_token_file), "", 0, 0, NULL,
      "A file holding a bearer token for the key vault (re-read when it changes). Takes "
      "precedence over the other token sources." },
    { "vault_client_id", SL_SET_STRING, OFF(vault_client_id), "", 0, 0, NULL,
      "OAuth2 client-credentials identity for the key vault (with vault_client_secret_file, "
      "vault_tenant, vault_authority). Empty: the cluster's managed identity." },
    { "vault_client_secret_file", SL_SET_STRING, OFF(vault_client_secret_file), "", 0, 0,
      NULL, "A file holding the client secret for vault_client_id." },
    { "vault_tenant", SL_SET_STRING, OFF(vault_tenant), "", 0, 0, NULL,
      "Tenant for client credentials (the token URL is AUTHORITY/TENANT/oauth2/v2.0/token)." },
    { "vault_authority", SL_SET_STRING, OFF(vault_authority), "https://login.microsoftonline.com",
      0, 0, NULL, "Authority for client credentials." },
    { "identity_endpoint", SL_SET_STRING, OFF(identity_endpoint), "", 0, 0, NULL,
      "Managed identity token endpoint (IMDS shape). Empty: "
      "http://169.254.169.254/metadata/identity/oauth2/token." },
    { "identity_header", SL_SET_STRING, OFF(identity_header), "", 0, 0, NULL,
      "App Service managed identity: the IDENTITY_HEADER value (then identity_endpoint is "
      "IDENTITY_ENDPOINT)." },
    { "query_timeout", SL_SET_DURATION, OFF(query_timeout_ms), "180s", 1000, 3600000, NULL,
      "Time a query may run when the request has no Prefer: wait=N (then 504)." },
    { "query_timeout_max", SL_SET_DURATION, OFF(query_timeout_max_ms), "600s", 1000, 86400000,
      NULL, "Largest Prefer: wait=N honoured; longer waits are cut to this." },
    { "query_memory", SL_SET_SIZE, OFF(query_memory), "1GiB", 16777216, (int64_t)64 << 30,
      NULL,
      "Memory one query may hold (groups, sort buffers, collected rows); beyond it the query "
      "fails with a clear error." },
    { "query_max_rows", SL_SET_INT, OFF(query_max_rows), "500000", 1, 100000000, NULL,
      "Rows a query result may have; beyond it the result is cut and marked partial." },
    { "query_max_result", SL_SET_SIZE, OFF(query_max_result), "64MiB", 1048576,
      (int64_t)4 << 30, NULL,
      "Bytes of values a query result may have; beyond it the result is cut and marked "
      "partial." },
    { "query_max_length", SL_SET_SIZE, OFF(query_max_length), "256KiB", 1024, 1048576, NULL,
      "Longest query text accepted." },
};

const size_t sl_settings_count = sizeof sl_settings / sizeof sl_settings[0];
