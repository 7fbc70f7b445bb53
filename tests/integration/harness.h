/*
 * Integration test harness: starts real sealogd processes on free ports
 * with temporary data directories, talks HTTPS to them with libcurl, runs
 * the sealog CLI, and stops them with signals.
 */
#ifndef SL_TEST_HARNESS_H
#define SL_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/common.h"

struct json_t;

typedef struct th_node {
    pid_t pid;
    char dir[256];      /* temp dir holding data/ and logs */
    char data_dir[300];
    char https[128];    /* https://127.0.0.1:PORT */
    char http[128];     /* http://127.0.0.1:PORT, when a plain listener was asked for */
    char cacert[320];
    char token[160];    /* bootstrap admin token (first start only) */
    char log_path[320];
    char out_path[320];
} th_node_t;

typedef struct th_resp {
    long status;
    sl_buf_t body;
    sl_buf_t headers;
} th_resp_t;

/* Creates a fresh temp dir for a node (does not start it). */
void th_node_init(th_node_t *n);
/* Starts sealogd with --data-dir and free ports plus `extra` args (NULL-
 * terminated). Waits until it prints its banner. Returns 0, or the exit
 * status if it exited instead (its stderr is then in n->log_path). */
int th_node_start(th_node_t *n, const char *const *extra);
/* SIGTERM, wait; returns the exit status (or -signal). */
int th_node_stop(th_node_t *n);
void th_node_kill9(th_node_t *n);
/* Removes the temp dir. */
void th_node_cleanup(th_node_t *n);

/* HTTP(S) request to `base` + path. `headers` NULL-terminated "Name: value". */
int th_request(const th_node_t *n, const char *base, const char *method, const char *path,
               const char *token, const char *const *headers, const char *body, size_t body_len,
               th_resp_t *out);
void th_resp_dispose(th_resp_t *r);
/* Runs `sealog` with args against the node's HTTPS endpoint and admin token;
 * captures stdout+stderr; returns the exit code. */
int th_cli(const th_node_t *n, sl_buf_t *out, const char *const *args);
/* Like th_cli, with `input` (NULL: /dev/null) on stdin and stdout and stderr
 * captured apart (either buffer may be NULL). Returns the exit code. */
int th_cli_io(const th_node_t *n, const char *input, sl_buf_t *out, sl_buf_t *err,
              const char *const *args);
/* Runs a binary with args; captures output; returns the exit code. */
int th_run(const char *bin, const char *const *args, const char *cwd, sl_buf_t *out);
/* Sends raw bytes over a plain TCP connection and returns the response. */
int th_raw_http(const char *hostport, const char *raw, sl_buf_t *out);
/* Admin API call with the node's admin token; parses the JSON answer into
 * *out (may be NULL). Returns the HTTP status. */
long th_admin(const th_node_t *n, const char *method, const char *path, const char *body,
              struct json_t **out);
/* Creates a workspace; fills id (36 chars) and the primary key (base64). */
void th_workspace(const th_node_t *n, const char *name, int retention, char id[37],
                  char key[100]);
/* A signed HTTP Data Collector post; returns the status, body in *resp. */
long th_dc_post(const th_node_t *n, const char *ws_id, const char *key_b64, const char *log_type,
                const char *time_field, const char *body, size_t len, sl_buf_t *resp);
/* Counts NDJSON lines of a dump of (ws, table); -1 on error. */
long th_dump_count(const th_node_t *n, const char *ws, const char *table, sl_buf_t *out);
/* True if `hay` contains `needle` (len-aware). */
bool th_contains(const sl_buf_t *hay, const char *needle);
/* Reads a file into out. */
int th_slurp(const char *path, sl_buf_t *out);

#endif
