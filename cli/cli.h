/*
 * cli — `sealog`, the command-line client for people and scripts. It talks
 * to a node over HTTPS (or a Unix socket) with libcurl, prints aligned
 * tables on a terminal and JSON with --json.
 */
#ifndef SL_CLI_H
#define SL_CLI_H

#include <jansson.h>
#include <stdio.h>

#include "common/common.h"

/* Exit codes. */
enum { CLI_OK = 0, CLI_ERR_SERVER = 1, CLI_ERR_USAGE = 2, CLI_ERR_CONNECT = 3 };

typedef struct cli {
    const char *endpoint; /* https://host:port, http://..., or unix:/path */
    const char *cacert;
    const char *token;
    bool insecure;
    bool json;
    bool verbose;
} cli_t;

/* One HTTP exchange. Returns CLI_OK with *status and *body filled, or
 * CLI_ERR_CONNECT after printing why the node could not be reached. */
int cli_http(const cli_t *c, const char *method, const char *path, const char *content_type,
             const char *body, size_t body_len, const char *const *headers, long *status,
             sl_buf_t *resp);
/* Convenience: JSON request/response. On HTTP errors prints the server's
 * message and returns CLI_ERR_SERVER; on success *out holds the parsed body
 * (or NULL when empty). */
int cli_json(const cli_t *c, const char *method, const char *path, json_t *req, json_t **out);
/* Prints `j` as one line of JSON on stdout. */
void cli_print_json(json_t *j);

/* Tables: collect rows of cells, then print aligned. */
typedef struct cli_table cli_table_t;
cli_table_t *cli_table_create(const char *const *headers, size_t ncols);
void cli_table_add(cli_table_t *t, const char *const *cells);
void cli_table_print(cli_table_t *t, FILE *f);
void cli_table_destroy(cli_table_t *t);

/* Commands: argv starts after the command word. */
int cli_cmd_status(cli_t *c, int argc, char **argv);
int cli_cmd_admin(cli_t *c, int argc, char **argv);

/* Option parsing helper: returns the value of --name (or --name=value) at
 * argv[*i], advancing *i; NULL if argv[*i] is not that option. */
const char *cli_opt(int argc, char **argv, int *i, const char *name);
void cli_usage_error(const char *fmt, ...) SL_PRINTF(1, 2);

#endif
