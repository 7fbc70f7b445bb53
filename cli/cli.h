/*
 * cli — `sealog`, the command-line client for people and scripts. It talks
 * to a node over HTTPS (or a Unix socket) with libcurl, prints aligned
 * tables on a terminal and JSON with --json.
 *
 * Everything but main() is the library sl_cli, so tests/cli can test the
 * printers and parsers directly. Functions print to stdout/stderr only where
 * they say so; they run on the one thread the CLI has.
 */
#ifndef SL_CLI_H
#define SL_CLI_H

#include <jansson.h>
#include <stdio.h>

#include "common/common.h"

/* Exit codes. CLI_ERR_SERVER: the node answered with an error (for `query`: the
 * query failed); CLI_ERR_CONNECT: the node could not be reached, TLS failed, or
 * it refused the credentials. */
enum { CLI_OK = 0, CLI_ERR_SERVER = 1, CLI_ERR_USAGE = 2, CLI_ERR_CONNECT = 3 };

typedef struct cli {
    const char *endpoint; /* https://host:port, http://..., or unix:/path */
    const char *cacert;
    const char *token;
    const char *workspace; /* SEALOG_WORKSPACE: `query`'s default -w */
    bool insecure;
    bool json;
    bool verbose;
} cli_t;

/* How often a waiting exchange calls its tick, in milliseconds. */
#define CLI_TICK_MS 100

/* One HTTP request. `headers` is NULL-terminated "Name: value" lines (may be
 * NULL). With `tick` set, the exchange calls tick(tick_arg) about every
 * CLI_TICK_MS while it waits, and done(tick_arg) (if set) once it is over,
 * before anything is printed about a failure. */
typedef struct cli_req {
    const char *method;
    const char *path;
    const char *content_type;
    const char *body;
    size_t body_len;
    const char *const *headers;
    void (*tick)(void *arg);
    void (*done)(void *arg);
    void *tick_arg;
} cli_req_t;

/* One HTTP exchange. Returns CLI_OK with *status and *body filled, or
 * CLI_ERR_CONNECT after printing why the node could not be reached. */
int cli_http_send(const cli_t *c, const cli_req_t *rq, long *status, sl_buf_t *resp);
/* The same, with the request's fields as arguments and no tick. */
int cli_http(const cli_t *c, const char *method, const char *path, const char *content_type,
             const char *body, size_t body_len, const char *const *headers, long *status,
             sl_buf_t *resp);
/* Convenience: JSON request/response. On HTTP errors prints the server's
 * message and returns CLI_ERR_SERVER; on success *out holds the parsed body
 * (or NULL when empty). */
int cli_json(const cli_t *c, const char *method, const char *path, json_t *req, json_t **out);
/* admin_cmk.c: `admin cluster show|update`, `admin audit list|verify`, and
 * `admin workspace link|unlink WS`. */
int cli_cmd_admin_cmk(cli_t *c, const char *subject, int argc, char **argv);
int cli_cmd_ws_link(cli_t *c, const char *ws, bool link);
/* Prints `j` as one line of JSON on stdout. */
void cli_print_json(json_t *j);

/* Tables: collect rows of cells, then print aligned. Cells are copied (NULL
 * reads as empty); control characters in them print as spaces. */
typedef struct cli_table cli_table_t;
cli_table_t *cli_table_create(const char *const *headers, size_t ncols);
void cli_table_add(cli_table_t *t, const char *const *cells);
/* Pads column `col` on the left, header included (for numbers). */
void cli_table_align_right(cli_table_t *t, size_t col);
/* Cuts data cells wider than `max` characters to max - 1 and an ellipsis;
 * 0 (the default) keeps them whole. Headers are never cut. */
void cli_table_set_max_width(cli_table_t *t, size_t max);
void cli_table_print(cli_table_t *t, FILE *f);
void cli_table_destroy(cli_table_t *t);
/* Characters (UTF-8 code points) in `s`: the width a cell takes. */
size_t cli_text_width(const char *s);

/* ---- Query results (query_fmt.c) ---------------------------------------- */

typedef enum cli_format {
    CLI_FORMAT_TABLE, /* aligned columns, on a terminal or not */
    CLI_FORMAT_CSV,   /* RFC 4180 */
    CLI_FORMAT_JSON,  /* per table, an array of one object per row */
    CLI_FORMAT_RAW    /* the node's answer as it came */
} cli_format_t;

/* Characters a table cell shows before it is cut (`--no-truncate` lifts it). */
#define CLI_CELL_MAX 60

typedef struct cli_fmt_opts {
    cli_format_t format;
    size_t max_cell; /* table cells: 0 = never cut */
} cli_fmt_opts_t;

/* Parses "table", "csv", "json" or "raw". Returns 0 or SL_EINVAL. */
int cli_format_parse(const char *s, cli_format_t *out);
/* Checks that a Query API answer has the shape the writers rely on:
 * `tables` an array of {name, columns[{name, ...}], rows[[...]]}. Returns
 * 0 or SL_EPARSE with the reason in `d`. Rows shorter than the columns are
 * allowed (the missing cells read as null). */
int cli_result_check(json_t *resp, sl_diag_t *d);
/* Writes every table of a checked answer to `f` in o->format (not RAW):
 * tables one after another, titled "NAME (N rows)" in table format when
 * there are several, separated by an empty line in CSV, and as one JSON
 * array each in JSON. */
void cli_result_write(json_t *resp, const cli_fmt_opts_t *o, FILE *f);
/* Appends the text of one cell, as tables and CSV show it, to `out`:
 * strings as they are, numbers in their shortest exact form, true/false.
 * Returns true (and appends nothing) for null or a missing cell. */
bool cli_cell_text(json_t *v, sl_buf_t *out);
/* Appends `s` as one RFC 4180 field: quoted (quotes doubled) when it holds
 * a comma, a quote, CR or LF, or when it is empty and `quote_empty`. */
void cli_csv_field(sl_buf_t *out, const char *s, size_t n, bool quote_empty);
/* Appends a parsed JSON value (NULL reads as null) as compact JSON, reals
 * in their shortest exact form, at any depth. */
void cli_json_append(sl_buf_t *out, json_t *v);
/* Writes the answer's `statistics` as one line ("statistics: 0.012 s, ...")
 * to `f`; a shape it does not know is printed as compact JSON. */
void cli_stats_write(json_t *stats, FILE *f);
/* Appends what a partial-result `error` object says: its first detail's
 * message and the most specific code, "MESSAGE (CODE)". */
void cli_partial_describe(json_t *err, sl_buf_t *out);

/* ---- Progress (progress.c) ------------------------------------------------ */

/* A spinner with elapsed seconds, for a terminal's stderr. It stays silent
 * for the first CLI_PROGRESS_DELAY_NS, so quick queries print nothing, and
 * erases itself when cleared. Times are sl_time_mono_ns() values. */
#define CLI_PROGRESS_DELAY_NS 1000000000ull

typedef struct cli_progress {
    FILE *f;
    uint64_t start_ns;
    uint64_t drawn_ns; /* last redraw */
    unsigned frame;
    bool shown;
} cli_progress_t;

void cli_progress_init(cli_progress_t *p, FILE *f, uint64_t now_ns);
/* Redraws the line if the delay has passed and the last redraw is at least
 * CLI_TICK_MS old. */
void cli_progress_update(cli_progress_t *p, uint64_t now_ns);
/* Erases the line if it was drawn; safe to call more than once. */
void cli_progress_clear(cli_progress_t *p);

/* ---- The query command (query.c) ---------------------------------------- */

/* Turns a --timespan into the ISO 8601 form the Query API takes. Accepts
 * ISO durations and intervals as they are (PT1H, P1D, start/end,
 * start/duration, duration/end) and friendly durations made of a number and
 * a unit each (s, m, h, d, w: "1h", "30m", "7d", "1h30m", "1.5h"), which
 * become "PT1H", "PT30M", "P7D", "PT1H30M", "PT1.5H". Appends to `out`;
 * returns 0 or SL_EPARSE with a message in `d`. */
int cli_timespan_iso(const char *in, sl_buf_t *out, sl_diag_t *d);
/* Reads the query text: `arg` when given ("-" means stdin), else the file
 * `file` ("-" means stdin), else `in` when `in_is_tty` is false. At most
 * CLI_QUERY_MAX bytes. Returns 0, SL_EINVAL (nothing to read: the caller
 * prints usage), SL_ELIMIT, SL_EPARSE (empty text) or -errno, with a
 * message in `d`. */
#define CLI_QUERY_MAX (1u << 20)
int cli_query_text(const char *arg, const char *file, FILE *in, bool in_is_tty, sl_buf_t *out,
                   sl_diag_t *d);
/* Builds the request body {"query","timespan","workspaces"}: `timespan`
 * may be NULL, `workspaces` a comma-separated list or NULL. */
void cli_query_body(const char *query, size_t len, const char *timespan, const char *workspaces,
                    sl_buf_t *out);
/* Prints a failed answer as "error: CODE: MESSAGE" (the innererror code
 * when there is one) to `err` and returns the exit code: CLI_ERR_CONNECT
 * for 401 and 403 (credentials), CLI_ERR_SERVER otherwise. */
int cli_query_error(long status, const sl_buf_t *body, FILE *err);

/* Commands: argv starts after the command word. */
int cli_cmd_status(cli_t *c, int argc, char **argv);
int cli_cmd_admin(cli_t *c, int argc, char **argv);
int cli_cmd_query(cli_t *c, int argc, char **argv);

/* Option parsing helper: returns the value of --name (or --name=value) at
 * argv[*i], advancing *i; NULL if argv[*i] is not that option. */
const char *cli_opt(int argc, char **argv, int *i, const char *name);
void cli_usage_error(const char *fmt, ...) SL_PRINTF(1, 2);

#endif
