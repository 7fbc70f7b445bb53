/*
 * sealog-load: drives many keep-alive connections at a sealog node (or any
 * server speaking the Data Collector or Logs Ingestion API) and reports
 * throughput and latency. This file is the command line: options, checks,
 * and the report at the end. The run itself is in run.c.
 *
 * Exit status: 0 when every request got a 2xx, 1 when any did not (or a
 * transport error happened), 2 when the run could not start.
 */
#include "bench/load_int.h"

#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

void sl_load__usage(FILE *f)
{
    fputs("usage: sealog-load --url URL [--cacert FILE | --insecure]\n"
          "         --mode dc --workspace-id GUID --shared-key BASE64 [--log-type Syslog]\n"
          "                   [--time-field]\n"
          "         --mode li --dcr ID --stream Custom-Syslog_CL\n"
          "                   (--token TOKEN | --client-id ID --client-secret SECRET\n"
          "                    [--token-url URL]) [--gzip [--gzip-level 0-9]]\n"
          "         [--connections 4] [--threads 1] [--rows-per-post 1000]\n"
          "         [--rate ROWS_PER_SECOND] [--duration SECONDS] [--total-rows N]\n"
          "         [--input FILE.jsonl | --seed N] [--no-rebase-time]\n"
          "         [--ring-mb 512] [--timeout 60] [--report-json FILE] [--quiet]\n"
          "\n"
          "Posts syslog-like rows to a sealog node and reports rows/s, MB/s, requests/s,\n"
          "latency percentiles and errors. Without --rate every connection sends its next\n"
          "request when the previous answer arrives; with --rate requests follow a fixed\n"
          "timetable and latency counts from each request's scheduled time. The run stops\n"
          "after --duration (default 10 s when --total-rows is not given) or when\n"
          "--total-rows have been sent, whichever comes first.\n"
          "\n"
          "Rows come from --input (JSON lines of the shared generator: ts, ts_ms, host, app,\n"
          "severity, message) or are generated from --seed (default 1); their times are\n"
          "shifted so the data ends now unless --no-rebase-time.\n"
          "\n"
          "Exit status: 0 if every request got a 2xx, 1 otherwise, 2 if the run could not\n"
          "start.\n",
          f);
}

enum {
    O_URL = 256,
    O_CACERT,
    O_INSECURE,
    O_MODE,
    O_WS,
    O_KEY,
    O_LOGTYPE,
    O_TIMEFIELD,
    O_DCR,
    O_STREAM,
    O_TOKEN,
    O_CLIENT_ID,
    O_CLIENT_SECRET,
    O_TOKEN_URL,
    O_GZIP,
    O_GZIP_LEVEL,
    O_CONNS,
    O_THREADS,
    O_RPP,
    O_RATE,
    O_DURATION,
    O_TOTAL,
    O_INPUT,
    O_SEED,
    O_NO_REBASE,
    O_RING,
    O_TIMEOUT,
    O_REPORT,
    O_QUIET,
    O_HELP,
};

static const struct option longopts[] = {
    { "url", required_argument, NULL, O_URL },
    { "cacert", required_argument, NULL, O_CACERT },
    { "insecure", no_argument, NULL, O_INSECURE },
    { "mode", required_argument, NULL, O_MODE },
    { "workspace-id", required_argument, NULL, O_WS },
    { "shared-key", required_argument, NULL, O_KEY },
    { "log-type", required_argument, NULL, O_LOGTYPE },
    { "time-field", no_argument, NULL, O_TIMEFIELD },
    { "dcr", required_argument, NULL, O_DCR },
    { "stream", required_argument, NULL, O_STREAM },
    { "token", required_argument, NULL, O_TOKEN },
    { "client-id", required_argument, NULL, O_CLIENT_ID },
    { "client-secret", required_argument, NULL, O_CLIENT_SECRET },
    { "token-url", required_argument, NULL, O_TOKEN_URL },
    { "gzip", no_argument, NULL, O_GZIP },
    { "gzip-level", required_argument, NULL, O_GZIP_LEVEL },
    { "connections", required_argument, NULL, O_CONNS },
    { "threads", required_argument, NULL, O_THREADS },
    { "rows-per-post", required_argument, NULL, O_RPP },
    { "rate", required_argument, NULL, O_RATE },
    { "duration", required_argument, NULL, O_DURATION },
    { "total-rows", required_argument, NULL, O_TOTAL },
    { "input", required_argument, NULL, O_INPUT },
    { "seed", required_argument, NULL, O_SEED },
    { "no-rebase-time", no_argument, NULL, O_NO_REBASE },
    { "ring-mb", required_argument, NULL, O_RING },
    { "timeout", required_argument, NULL, O_TIMEOUT },
    { "report-json", required_argument, NULL, O_REPORT },
    { "quiet", no_argument, NULL, O_QUIET },
    { "help", no_argument, NULL, O_HELP },
    { NULL, 0, NULL, 0 },
};

/* An unsigned integer option in [lo, hi]. */
static int num(const char *name,
               const char *v,
               uint64_t lo,
               uint64_t hi,
               uint64_t *out,
               sl_diag_t *d)
{
    int64_t x;
    if (sl_parse_i64(v, strlen(v), &x) || x < 0 || (uint64_t)x < lo || (uint64_t)x > hi)
        return sl_diag_set(d,
                           SL_EINVAL,
                           "--%s must be a whole number in %llu..%llu",
                           name,
                           (unsigned long long)lo,
                           (unsigned long long)hi);
    *out = (uint64_t)x;
    return 0;
}

static int seconds(const char *name, const char *v, double *out, sl_diag_t *d)
{
    char *end;
    double x = strtod(v, &end);
    if (end == v || *end || !(x > 0 && x < 1e7))
        return sl_diag_set(d, SL_EINVAL, "--%s must be a positive number of seconds", name);
    *out = x;
    return 0;
}

static bool log_type_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 100)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

int sl_load__opts_parse(int argc, char **argv, sl_load_opts_t *o, sl_diag_t *d)
{
    memset(o, 0, sizeof *o);
    o->log_type = "Syslog";
    o->gzip_level = -1;
    o->connections = 4;
    o->threads = 1;
    o->rows_per_post = 1000;
    o->seed = 1;
    o->rebase = true;
    o->ring_bytes = (uint64_t)512 << 20;
    o->timeout_s = 60;
    const char *mode = NULL;
    bool have_seed = false;
    uint64_t v;
    int c, rc = 0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case O_URL:
            o->url_text = optarg;
            break;
        case O_CACERT:
            o->cacert = optarg;
            break;
        case O_INSECURE:
            o->insecure = true;
            break;
        case O_MODE:
            mode = optarg;
            break;
        case O_WS:
            o->workspace_id = optarg;
            break;
        case O_KEY:
            o->shared_key = optarg;
            break;
        case O_LOGTYPE:
            o->log_type = optarg;
            break;
        case O_TIMEFIELD:
            o->time_field = true;
            break;
        case O_DCR:
            o->dcr = optarg;
            break;
        case O_STREAM:
            o->stream = optarg;
            break;
        case O_TOKEN:
            o->token = optarg;
            break;
        case O_CLIENT_ID:
            o->client_id = optarg;
            break;
        case O_CLIENT_SECRET:
            o->client_secret = optarg;
            break;
        case O_TOKEN_URL:
            o->token_url_text = optarg;
            break;
        case O_GZIP:
            o->gzip = true;
            break;
        case O_GZIP_LEVEL:
            rc = num("gzip-level", optarg, 0, 9, &v, d);
            o->gzip_level = (int)v;
            break;
        case O_CONNS:
            rc = num("connections", optarg, 1, 100000, &v, d);
            o->connections = (unsigned)v;
            break;
        case O_THREADS:
            rc = num("threads", optarg, 1, 64, &v, d);
            o->threads = (unsigned)v;
            break;
        case O_RPP:
            rc = num("rows-per-post", optarg, 1, 10000000, &o->rows_per_post, d);
            break;
        case O_RATE:
            rc = num("rate", optarg, 1, UINT64_C(1) << 40, &o->rate, d);
            break;
        case O_DURATION:
            rc = seconds("duration", optarg, &o->duration_s, d);
            break;
        case O_TOTAL:
            rc = num("total-rows", optarg, 1, UINT64_C(1) << 50, &o->total_rows, d);
            break;
        case O_INPUT:
            o->input = optarg;
            break;
        case O_SEED:
            rc = num("seed", optarg, 0, INT64_MAX, &o->seed, d);
            have_seed = true;
            break;
        case O_NO_REBASE:
            o->rebase = false;
            break;
        case O_RING:
            rc = num("ring-mb", optarg, 1, 1 << 20, &v, d);
            o->ring_bytes = v << 20;
            break;
        case O_TIMEOUT:
            rc = seconds("timeout", optarg, &o->timeout_s, d);
            break;
        case O_REPORT:
            o->report_json = optarg;
            break;
        case O_QUIET:
            o->quiet = true;
            break;
        case O_HELP:
            return 1;
        default:
            return sl_diag_set(d, SL_EINVAL, "unknown or incomplete option %s", argv[optind - 1]);
        }
        if (rc)
            return rc;
    }
    if (optind < argc)
        return sl_diag_set(d, SL_EINVAL, "unexpected argument %s", argv[optind]);

    if (!o->url_text)
        return sl_diag_set(d, SL_EINVAL, "--url is required");
    if ((rc = sl_load_url_parse(o->url_text, &o->url, d)))
        return rc;
    if (o->url.path[0] && strchr(o->url.path, '?'))
        return sl_diag_set(d, SL_EINVAL, "--url must not have a query");
    if (o->cacert && o->insecure)
        return sl_diag_set(d, SL_EINVAL, "--cacert and --insecure exclude each other");
    if (!mode)
        return sl_diag_set(d, SL_EINVAL, "--mode dc or --mode li is required");
    if (!strcmp(mode, "dc")) {
        o->mode = SL_LOAD_MODE_DC;
        sl_guid_t g;
        if (!o->workspace_id || sl_guid_parse(o->workspace_id, strlen(o->workspace_id), &g))
            return sl_diag_set(d, SL_EINVAL, "--mode dc needs --workspace-id GUID");
        if (!o->shared_key)
            return sl_diag_set(d, SL_EINVAL, "--mode dc needs --shared-key BASE64");
        sl_load_sharedkey_t k;
        rc = sl_load_sharedkey_init(&k, o->shared_key, d);
        sl_load_sharedkey_dispose(&k);
        if (rc)
            return rc;
        if (!log_type_ok(o->log_type))
            return sl_diag_set(d, SL_EINVAL, "--log-type must be 1-100 of [A-Za-z0-9_]");
        if (o->gzip)
            return sl_diag_set(d, SL_EINVAL, "--gzip is for --mode li");
    } else if (!strcmp(mode, "li")) {
        o->mode = SL_LOAD_MODE_LI;
        if (!o->dcr || !o->dcr[0] || !o->stream || !o->stream[0])
            return sl_diag_set(d, SL_EINVAL, "--mode li needs --dcr and --stream");
        bool creds = o->client_id || o->client_secret;
        if (!!o->token == creds)
            return sl_diag_set(
              d, SL_EINVAL, "--mode li needs --token, or --client-id and --client-secret");
        if (creds && (!o->client_id || !o->client_secret))
            return sl_diag_set(d, SL_EINVAL, "--client-id and --client-secret go together");
        if (creds) {
            char def[1100];
            if (!o->token_url_text) {
                snprintf(def,
                         sizeof def,
                         "%s://%s%s/oauth2/v2.0/token",
                         o->url.tls ? "https" : "http",
                         o->url.authority,
                         o->url.path);
                rc = sl_load_url_parse(def, &o->token_url, d);
            } else {
                rc = sl_load_url_parse(o->token_url_text, &o->token_url, d);
            }
            if (rc) {
                sl_diag_prefix(d, "--token-url");
                return rc;
            }
        }
        if (o->gzip_level >= 0 && !o->gzip)
            return sl_diag_set(d, SL_EINVAL, "--gzip-level needs --gzip");
    } else {
        return sl_diag_set(d, SL_EINVAL, "--mode must be dc or li");
    }
    if (o->input && have_seed)
        return sl_diag_set(d, SL_EINVAL, "--input and --seed exclude each other");
    if (o->threads > o->connections)
        return sl_diag_set(d, SL_EINVAL, "--threads cannot exceed --connections");
    if (o->rate && o->rate < o->threads)
        return sl_diag_set(d, SL_EINVAL, "--rate must be at least --threads");
    if (!o->duration_s && !o->total_rows)
        o->duration_s = 10;
    return 0;
}

int main(int argc, char **argv)
{
    /* A server closing a socket mid-write must be an EPIPE, not a kill. */
    signal(SIGPIPE, SIG_IGN);
    sl_load_opts_t o;
    sl_diag_t d = { 0 };
    int rc = sl_load__opts_parse(argc, argv, &o, &d);
    if (rc == 1) {
        sl_load__usage(stdout);
        return 0;
    }
    if (rc) {
        fprintf(stderr, "sealog-load: %s\n(see sealog-load --help)\n", d.msg);
        return 2;
    }
    sl_load_stats_t *stats = sl_xmalloc(sizeof *stats);
    sl_load_meta_t meta;
    rc = sl_load__run(&o, stats, &meta, &d);
    bool ran = meta.elapsed_s > 0;
    if (rc && !ran) {
        fprintf(stderr, "sealog-load: %s\n", d.msg);
        sl_free(stats);
        return 2;
    }
    sl_buf_t out = SL_BUF_INIT;
    sl_load_report_text(&out, &meta, stats);
    fwrite(out.data, 1, out.len, stdout);
    fflush(stdout);
    int status = sl_load_stats_errors(stats) ? 1 : 0;
    if (o.report_json) {
        sl_buf_reset(&out);
        sl_load_report_json(&out, &meta, stats);
        FILE *f = fopen(o.report_json, "w");
        if (!f || fwrite(out.data, 1, out.len, f) != out.len || fclose(f)) {
            fprintf(stderr, "sealog-load: cannot write %s\n", o.report_json);
            status = 1;
        }
    }
    if (rc) {
        fprintf(stderr, "sealog-load: %s\n", d.msg);
        status = 1;
    }
    sl_buf_dispose(&out);
    sl_free(stats);
    return status;
}
