/*
 * `sealog query`: KQL from the terminal, against the node's Log Analytics
 * Query API (POST /v1/workspaces/{id or name}/query, PROTOCOLS.md §3).
 *
 *   sealog query -w WS 'Syslog | take 10'          the query as an argument
 *   sealog query -w WS -f q.kql                    from a file
 *   sealog query -w WS < q.kql      (or `-`)       from stdin
 *
 * Output goes to stdout in the chosen format (query_fmt.c); everything else
 * goes to stderr: the spinner (only on a terminal), the partial-result
 * warning, statistics and errors. That keeps `sealog query ... > out.csv`
 * clean whatever happens.
 *
 * The table format is the default whether or not stdout is a terminal:
 * a script that wants something to parse asks for csv or json, and a person
 * who pipes into less or grep sees what the terminal would have shown.
 *
 * Exit codes: 0 success, including a partial result (the rows that came
 * back are printed and a warning names the limit that cut them: the answer
 * is correct as far as it goes, and the node's caps are a setting, not a
 * failure); 1 the query failed (syntax, semantics, unknown workspace,
 * timeout, a node error; "error: CODE: MESSAGE" on stderr); 2 usage; 3 the
 * node could not be reached, TLS failed or the credentials were refused.
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char query_usage[] =
    "usage: sealog query [-w WS] [options] [QUERY | -f FILE | -]\n"
    "\n"
    "Runs a KQL query on a workspace and prints the result. The query is the\n"
    "argument, the contents of FILE, or stdin (with `-`, or when no query is\n"
    "given and stdin is not a terminal).\n"
    "\n"
    "Options:\n"
    "  -w, --workspace WS     workspace name or id (SEALOG_WORKSPACE)\n"
    "  -f, --file FILE        read the query from FILE (`-` for stdin)\n"
    "  --timespan T           time range: 1h, 30m, 7d, 1h30m, or ISO 8601\n"
    "                         (PT1H, P1D, START/END, START/PT1H, PT1H/END)\n"
    "  --workspaces A,B       more workspaces to query (cross-workspace)\n"
    "  --format F             table (default), csv, json, or raw (the node's answer)\n"
    "  --json                 same as --format json\n"
    "  --wait SECONDS         server-side time limit (Prefer: wait=N)\n"
    "  --stats                print query statistics to stderr\n"
    "  --no-truncate          never cut long table cells (default: 60 characters)\n"
    "\n"
    "Exit status: 0 success (a partial result too: a warning goes to stderr),\n"
    "1 the query failed, 2 usage, 3 cannot connect, TLS or credentials refused.\n";

/* ---- Timespans ----------------------------------------------------------- */

/* Reads "<number><unit>" pairs: "1h30m", "7d", "1.5h". Each unit once. */
static int friendly_duration(const char *in, sl_buf_t *out)
{
    static const char units[] = "wdhms";
    const char *num[5] = { 0 };
    size_t len[5] = { 0 };
    const char *p = in;
    while (*p) {
        const char *st = p;
        while ((*p >= '0' && *p <= '9') || *p == '.') {
            p++;
        }
        size_t n = (size_t)(p - st);
        /* Lower case only: "M" would read as months to some people. */
        const char *k = *p ? strchr(units, *p) : NULL;
        /* A number with at most one point and a digit on each side of it. */
        const char *dot = memchr(st, '.', n);
        if (!n || !k || st[0] == '.' || st[n - 1] == '.' ||
            (dot && memchr(dot + 1, '.', (size_t)(st + n - dot - 1)))) {
            return SL_EPARSE;
        }
        size_t i = (size_t)(k - units);
        if (num[i]) {
            return SL_EPARSE;
        }
        num[i] = st;
        len[i] = n;
        p++;
    }
    if (p == in) {
        return SL_EPARSE;
    }
    sl_buf_putc(out, 'P');
    if (num[0]) {
        /* ISO 8601 does not mix weeks with other units: weeks become days. */
        double days = strtod(num[0], NULL) * 7 + (num[1] ? strtod(num[1], NULL) : 0);
        sl_buf_printf(out, "%.15gD", days);
    } else if (num[1]) {
        sl_buf_printf(out, "%.*sD", (int)len[1], num[1]);
    }
    if (num[2] || num[3] || num[4]) {
        sl_buf_putc(out, 'T');
        for (size_t i = 2; i < 5; i++) {
            if (num[i]) {
                sl_buf_printf(out, "%.*s%c", (int)len[i], num[i], "WDHMS"[i]);
            }
        }
    }
    return 0;
}

int cli_timespan_iso(const char *in, sl_buf_t *out, sl_diag_t *d)
{
    size_t start = out->len;
    bool iso = in[0] == 'P' || in[0] == 'p' || strchr(in, '/') ||
               ((in[0] == '-' || in[0] == '+') && (in[1] == 'P' || in[1] == 'p'));
    int rc = 0;
    if (iso) {
        sl_buf_puts(out, in);
    } else {
        rc = friendly_duration(in, out);
    }
    /* Check here what the node would refuse, so a typo is a usage error
     * with the accepted forms rather than a round trip and a 400. */
    sl_ticks_t a, b;
    if (!rc && sl_time_parse_iso_interval(out->data + start, out->len - start, sl_time_now(), &a,
                                          &b)) {
        rc = SL_EPARSE;
    }
    if (rc) {
        out->len = start;
        if (out->data) {
            out->data[start] = '\0';
        }
        return sl_diag_set(d, SL_EPARSE,
                           "--timespan '%.80s' is not a duration (1h, 30m, 7d, 1h30m) or an "
                           "ISO 8601 duration or interval (PT1H, P1D, START/END, START/PT1H)",
                           in);
    }
    return 0;
}

/* ---- The query text ------------------------------------------------------ */

static int read_stream(FILE *in, sl_buf_t *out)
{
    char chunk[16384];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, in)) > 0) {
        if (out->len + got > CLI_QUERY_MAX) {
            return SL_ELIMIT;
        }
        sl_buf_append(out, chunk, got);
    }
    return ferror(in) ? -EIO : 0;
}

int cli_query_text(const char *arg, const char *file, FILE *in, bool in_is_tty, sl_buf_t *out,
                   sl_diag_t *d)
{
    const char *from = arg && strcmp(arg, "-")             ? "the query"
                       : !arg && file && strcmp(file, "-") ? file
                                                            : "stdin";
    int rc;
    if (arg && strcmp(arg, "-")) {
        rc = strlen(arg) > CLI_QUERY_MAX ? SL_ELIMIT : 0;
        if (!rc) {
            sl_buf_puts(out, arg);
        }
    } else if (!arg && file && strcmp(file, "-")) {
        rc = sl_read_file(file, CLI_QUERY_MAX, out);
    } else if (arg || file || !in_is_tty) {
        rc = read_stream(in, out);
    } else {
        return sl_diag_set(d, SL_EINVAL,
                           "query needs a query: an argument, -f FILE, or text on stdin");
    }
    if (rc == SL_ELIMIT) {
        return sl_diag_set(d, rc, "%s is longer than %u bytes", from, CLI_QUERY_MAX);
    }
    if (rc) {
        return sl_diag_set(d, rc, "cannot read %s: %s", from, sl_strerror(rc));
    }
    for (size_t i = 0; i < out->len; i++) {
        if (out->data[i] != ' ' && out->data[i] != '\t' && out->data[i] != '\n' &&
            out->data[i] != '\r') {
            return 0;
        }
    }
    return sl_diag_set(d, SL_EPARSE, "%s is empty", from);
}

void cli_query_body(const char *query, size_t len, const char *timespan, const char *workspaces,
                    sl_buf_t *out)
{
    sl_jw_t w;
    sl_jw_init(&w, out);
    sl_jw_obj_begin(&w);
    sl_jw_key(&w, "query");
    sl_jw_strn(&w, query, len);
    if (timespan) {
        sl_jw_key(&w, "timespan");
        sl_jw_str(&w, timespan);
    }
    if (workspaces) {
        sl_jw_key(&w, "workspaces");
        sl_jw_arr_begin(&w);
        for (const char *s = workspaces;;) {
            size_t n = strcspn(s, ",");
            const char *b = s, *e = s + n;
            while (b < e && *b == ' ') {
                b++;
            }
            while (e > b && e[-1] == ' ') {
                e--;
            }
            if (e > b) {
                sl_jw_strn(&w, b, (size_t)(e - b));
            }
            if (!s[n]) {
                break;
            }
            s += n + 1;
        }
        sl_jw_arr_end(&w);
    }
    sl_jw_obj_end(&w);
}

/* ---- Answers ------------------------------------------------------------- */

int cli_query_error(long status, const sl_buf_t *body, FILE *err)
{
    json_t *j = body->len ? json_loadb(body->data, body->len, 0, NULL) : NULL;
    json_t *e = json_object_get(j, "error");
    const char *code = json_string_value(json_object_get(json_object_get(e, "innererror"),
                                                         "code"));
    if (!code) {
        code = json_string_value(json_object_get(e, "code"));
    }
    const char *msg = json_string_value(json_object_get(e, "message"));
    if (msg) {
        if (code) {
            fprintf(err, "error: %s: %s\n", code, msg);
        } else {
            fprintf(err, "error: HTTP %ld: %s\n", status, msg);
        }
    } else {
        /* Not the API's error shape (a proxy, another service): show the
         * start of what came, on one line. */
        size_t n = body->len ? strcspn(body->data, "\r\n") : 0;
        if (n) {
            fprintf(err, "error: HTTP %ld: %.*s\n", status, (int)SL_MIN(n, 300), body->data);
        } else {
            fprintf(err, "error: HTTP %ld: the node sent no message\n", status);
        }
    }
    json_decref(j);
    return status == 401 || status == 403 ? CLI_ERR_CONNECT : CLI_ERR_SERVER;
}

static void on_tick(void *arg)
{
    cli_progress_update(arg, sl_time_mono_ns());
}

static void on_done(void *arg)
{
    cli_progress_clear(arg);
}

/* Prints a 200 answer; returns the exit code. */
static int print_answer(const sl_buf_t *body, const cli_fmt_opts_t *o, bool stats)
{
    json_error_t jerr;
    json_t *j = json_loadb(body->data ? body->data : "", body->len, JSON_ALLOW_NUL, &jerr);
    if (o->format == CLI_FORMAT_RAW) {
        fwrite(body->data ? body->data : "", 1, body->len, stdout);
        if (!body->len || body->data[body->len - 1] != '\n') {
            fputc('\n', stdout);
        }
    } else {
        sl_diag_t d = { 0 };
        if (!j) {
            fprintf(stderr, "error: the node's answer is not JSON: %s\n", jerr.text);
            return CLI_ERR_SERVER;
        }
        if (cli_result_check(j, &d)) {
            fprintf(stderr, "error: the node's answer is not a query result: %s\n", d.msg);
            json_decref(j);
            return CLI_ERR_SERVER;
        }
        cli_result_write(j, o, stdout);
    }
    int rc = CLI_OK;
    if (fflush(stdout) || ferror(stdout)) {
        fprintf(stderr, "sealog: cannot write the result: %s\n", strerror(errno));
        rc = CLI_ERR_SERVER;
    }
    /* After the rows, so the warning is the last thing a person sees. */
    json_t *partial = json_object_get(j, "error");
    if (json_is_object(partial)) {
        sl_buf_t m = SL_BUF_INIT;
        cli_partial_describe(partial, &m);
        fprintf(stderr, "warning: partial result: %s\n", m.data);
        sl_buf_dispose(&m);
    }
    if (stats && o->format != CLI_FORMAT_RAW) {
        cli_stats_write(json_object_get(j, "statistics"), stderr);
    }
    json_decref(j);
    return rc;
}

/* ---- The command ----------------------------------------------------------- */

typedef struct qargs {
    const char *ws, *query, *file, *timespan, *workspaces, *format, *wait;
    bool stats, no_truncate;
} qargs_t;

/* Returns -1 to go on, or an exit code. */
static int parse_args(const cli_t *c, int argc, char **argv, qargs_t *a)
{
    bool opts_done = false;
    a->ws = c->workspace && *c->workspace ? c->workspace : NULL;
    for (int i = 0; i < argc; i++) {
        const char *s = argv[i], *v;
        if (opts_done || s[0] != '-' || !s[1]) {
            if (a->query) {
                cli_usage_error("query takes one query text (quote it): \"%s\" is extra", s);
                return CLI_ERR_USAGE;
            }
            a->query = s;
        } else if (!strcmp(s, "--")) {
            opts_done = true;
        } else if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
            fputs(query_usage, stdout);
            return CLI_OK;
        } else if ((v = cli_opt(argc, argv, &i, "-w")) ||
                   (v = cli_opt(argc, argv, &i, "--workspace"))) {
            a->ws = v;
        } else if ((v = cli_opt(argc, argv, &i, "-f")) ||
                   (v = cli_opt(argc, argv, &i, "--file"))) {
            a->file = v;
        } else if ((v = cli_opt(argc, argv, &i, "--timespan"))) {
            a->timespan = v;
        } else if ((v = cli_opt(argc, argv, &i, "--workspaces"))) {
            a->workspaces = v;
        } else if ((v = cli_opt(argc, argv, &i, "--format"))) {
            a->format = v;
        } else if ((v = cli_opt(argc, argv, &i, "--wait"))) {
            a->wait = v;
        } else if (!strcmp(s, "--stats")) {
            a->stats = true;
        } else if (!strcmp(s, "--no-truncate")) {
            a->no_truncate = true;
        } else {
            cli_usage_error("unknown query option %s", s);
            return CLI_ERR_USAGE;
        }
    }
    if (!a->ws) {
        cli_usage_error("query needs a workspace: -w NAME|ID (or SEALOG_WORKSPACE)");
        return CLI_ERR_USAGE;
    }
    if (a->query && a->file) {
        cli_usage_error("give the query as an argument or with -f FILE, not both");
        return CLI_ERR_USAGE;
    }
    return -1;
}

int cli_cmd_query(cli_t *c, int argc, char **argv)
{
    qargs_t a = { 0 };
    int rc = parse_args(c, argc, argv, &a);
    if (rc >= 0) {
        return rc;
    }
    cli_fmt_opts_t fo = { .format = c->json ? CLI_FORMAT_JSON : CLI_FORMAT_TABLE,
                          .max_cell = a.no_truncate ? 0 : CLI_CELL_MAX };
    if (a.format && cli_format_parse(a.format, &fo.format)) {
        cli_usage_error("--format must be table, csv, json or raw, not \"%s\"", a.format);
        return CLI_ERR_USAGE;
    }
    int64_t wait = 0;
    if (a.wait && (sl_parse_i64(a.wait, strlen(a.wait), &wait) || wait < 1 || wait > 86400)) {
        cli_usage_error("--wait takes whole seconds (1 to 86400), not \"%s\"", a.wait);
        return CLI_ERR_USAGE;
    }
    sl_buf_t text = SL_BUF_INIT, ts = SL_BUF_INIT, body = SL_BUF_INIT, path = SL_BUF_INIT,
             resp = SL_BUF_INIT, prefer = SL_BUF_INIT;
    sl_diag_t d = { 0 };
    if (cli_query_text(a.query, a.file, stdin, isatty(STDIN_FILENO), &text, &d)) {
        cli_usage_error("%s", d.msg);
        rc = CLI_ERR_USAGE;
        goto done;
    }
    if (a.timespan && cli_timespan_iso(a.timespan, &ts, &d)) {
        cli_usage_error("%s", d.msg);
        rc = CLI_ERR_USAGE;
        goto done;
    }
    cli_query_body(text.data, text.len, a.timespan ? ts.data : NULL, a.workspaces, &body);
    sl_buf_puts(&path, "/v1/workspaces/");
    sl_percent_encode(&path, a.ws, strlen(a.ws));
    sl_buf_puts(&path, "/query");
    if (wait || a.stats) {
        sl_buf_puts(&prefer, "Prefer: ");
        if (wait) {
            sl_buf_printf(&prefer, "wait=%lld%s", (long long)wait, a.stats ? "," : "");
        }
        if (a.stats) {
            sl_buf_puts(&prefer, "include-statistics=true");
        }
    }
    const char *headers[] = { prefer.data, NULL };
    cli_progress_t prog;
    cli_progress_init(&prog, stderr, sl_time_mono_ns());
    /* A spinner only for a person watching stderr; -v prints curl's trace
     * there, which a spinner would scribble over. */
    bool spin = isatty(STDERR_FILENO) && !c->verbose;
    cli_req_t rq = { .method = "POST",
                     .path = path.data,
                     .content_type = "application/json",
                     .body = body.data,
                     .body_len = body.len,
                     .headers = headers,
                     .tick = spin ? on_tick : NULL,
                     .done = spin ? on_done : NULL,
                     .tick_arg = &prog };
    long status = 0;
    rc = cli_http_send(c, &rq, &status, &resp);
    if (rc) {
        goto done;
    }
    if (status != 200) {
        rc = cli_query_error(status, &resp, stderr);
        goto done;
    }
    rc = print_answer(&resp, &fo, a.stats);
done:
    sl_buf_dispose(&text);
    sl_buf_dispose(&ts);
    sl_buf_dispose(&body);
    sl_buf_dispose(&path);
    sl_buf_dispose(&resp);
    sl_buf_dispose(&prefer);
    return rc;
}
