/*
 * The settings table. Every setting of sealogd is one row here; the parser,
 * the validator, --help and the README reference are all generated from it,
 * so they cannot disagree. Add a row and a field in sl_config_t together.
 */
#include "config/config_int.h"

#include <stddef.h>

#define OFF(f) offsetof(sl_config_t, f)

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
};

const size_t sl_settings_count = sizeof sl_settings / sizeof sl_settings[0];
