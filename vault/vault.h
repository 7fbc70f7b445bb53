/*
 * vault — sealog-vault, the customer's key vault for demos and tests.
 *
 * One executable with two faces:
 *
 *   sealog-vault [flags]            the server: an HTTPS listener speaking the
 *                                   Azure Key Vault keys REST subset
 *                                   (docs/VAULT.md), its own data directory,
 *                                   its own bearer tokens and token endpoints;
 *   sealog-vault key|token ...      the client: talks to a running vault over
 *                                   HTTPS with libcurl (tables or --json).
 *
 * Everything else in the module is internal (vault/vault_int.h). Unlike the
 * rest of sealog, vault/ uses OpenSSL directly: RSA and AES key wrapping are
 * the vault's business, not the node's, so they do not belong in crypto/.
 */
#ifndef SL_VAULT_H
#define SL_VAULT_H

#include "common/common.h"

/* Exit codes of sealog-vault (server and client). */
enum {
    SL_VAULT_EXIT_OK = 0,
    SL_VAULT_EXIT_FAIL = 1,    /* server: could not start; client: the vault refused */
    SL_VAULT_EXIT_USAGE = 2,   /* bad flags or arguments */
    SL_VAULT_EXIT_CONNECT = 3, /* client: the vault could not be reached */
};

/*
 * The program: runs the client when argv[1] is "key" or "token", the server
 * otherwise. The server prints its start-up banner (listeners, certificate
 * and fingerprint, and on first start the bootstrap admin token) to `out_fd`
 * and logs one line per request and per key operation to `log_fd`; it runs
 * until SIGTERM/SIGINT, drains, and returns an exit code. The client writes
 * to stdout/stderr. Call from the main thread, once.
 */
int sl_vault_main(int argc, char **argv, int out_fd, int log_fd);

#endif /* SL_VAULT_H */
