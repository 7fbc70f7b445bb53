/*
 * HTTP metrics in Prometheus text format. All updates happen on the loop
 * thread (sl_respond), so plain integers suffice. Route labels come from the
 * routing table's patterns, so label cardinality is fixed and small.
 */
#include "node/node_int.h"

#include <stdio.h>
#include <string.h>

static const double bucket_le[] = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                    0.1,    0.25,  0.5,    1,     2.5,  5,     10 };
#define NBUCKETS (sizeof bucket_le / sizeof bucket_le[0])
#define MAX_STATUSES 24

typedef struct route_stats {
    struct {
        int status;
        uint64_t count;
    } by_status[MAX_STATUSES];
    size_t nstatus;
    uint64_t bucket[NBUCKETS];
    uint64_t count;
    double sum_s;
} route_stats_t;

struct sl_metrics {
    size_t nroutes; /* plus one slot for unrouted requests */
    route_stats_t *routes;
    uint64_t bytes_in, bytes_out;
};

sl_metrics_t *sl_metrics_create(size_t nroutes)
{
    sl_metrics_t *m = sl_xcalloc(1, sizeof *m);
    m->nroutes = nroutes;
    m->routes = sl_xcalloc(nroutes + 1, sizeof *m->routes);
    return m;
}

void sl_metrics_destroy(sl_metrics_t *m)
{
    if (!m)
        return;
    sl_free(m->routes);
    sl_free(m);
}

void sl_metrics_request(sl_metrics_t *m, int route, int status, uint64_t bytes_in,
                        uint64_t bytes_out, uint64_t ns)
{
    route_stats_t *rs = &m->routes[route < 0 ? m->nroutes : (size_t)route];
    m->bytes_in += bytes_in;
    m->bytes_out += bytes_out;
    size_t i;
    for (i = 0; i < rs->nstatus && rs->by_status[i].status != status; i++)
        ;
    if (i == rs->nstatus && rs->nstatus < MAX_STATUSES)
        rs->by_status[rs->nstatus++].status = status;
    if (i < rs->nstatus)
        rs->by_status[i].count++;
    double s = (double)ns / 1e9;
    for (size_t b = 0; b < NBUCKETS; b++)
        if (s <= bucket_le[b])
            rs->bucket[b]++;
    rs->count++;
    rs->sum_s += s;
}

static void route_label(sl_metrics_t *m, size_t i, char *out, size_t n)
{
    if (i == m->nroutes)
        snprintf(out, n, "route=\"unmatched\",method=\"\"");
    else
        snprintf(out, n, "route=\"%s\",method=\"%s\"", sl_routes[i].pattern,
                 sl_routes[i].method);
}

static void counter(sl_buf_t *out, const char *name, const char *help, const char *label,
                    uint64_t v)
{
    sl_buf_printf(out, "# HELP %s %s\n# TYPE %s counter\n%s%s %llu\n", name, help, name, name,
                  label ? label : "", (unsigned long long)v);
}

static void render_storage(sl_node_t *n, sl_buf_t *out)
{
    sl_buf_printf(out,
                  "# HELP sealog_ingest_requests_total Ingestion requests acknowledged.\n"
                  "# TYPE sealog_ingest_requests_total counter\n"
                  "sealog_ingest_requests_total{api=\"data_collector\"} %llu\n"
                  "sealog_ingest_requests_total{api=\"logs_ingestion\"} %llu\n"
                  "# HELP sealog_ingest_rejected_total Ingestion requests refused.\n"
                  "# TYPE sealog_ingest_rejected_total counter\n"
                  "sealog_ingest_rejected_total{reason=\"busy\"} %llu\n"
                  "sealog_ingest_rejected_total{reason=\"auth\"} %llu\n"
                  "# HELP sealog_ingest_inflight_bytes Request bytes accepted, not yet answered.\n"
                  "# TYPE sealog_ingest_inflight_bytes gauge\n"
                  "sealog_ingest_inflight_bytes %llu\n",
                  (unsigned long long)n->ingest_requests[0], (unsigned long long)n->ingest_requests[1],
                  (unsigned long long)n->ingest_rejected_busy,
                  (unsigned long long)n->ingest_rejected_auth,
                  (unsigned long long)n->ingest_inflight_bytes);
    counter(out, "sealog_ingest_rows_total", "Rows acknowledged (durable).", NULL, n->ingest_rows);
    counter(out, "sealog_retention_rows_deleted_total", "Rows removed by retention.", NULL,
            n->purged_rows);
    if (!n->store)
        return;
    sl_store_stats_t st;
    sl_store_stats(n->store, &st);
    counter(out, "sealog_wal_commits_total", "WAL group commits (one fsync each).", NULL,
            st.wal_groups);
    counter(out, "sealog_wal_records_total", "WAL records (one per request and table).", NULL,
            st.wal_records);
    counter(out, "sealog_wal_bytes_total", "WAL payload bytes before sealing.", NULL,
            st.wal_bytes);
    counter(out, "sealog_blocks_written_total", "Blocks written to segments.", NULL, st.blocks);
    counter(out, "sealog_block_rows_total", "Rows written into blocks.", NULL, st.block_rows);
    counter(out, "sealog_block_bytes_total", "Bytes of blocks written (sealed).", NULL,
            st.block_bytes);
    counter(out, "sealog_store_queue_rejects_total", "Batches refused by a full write queue.",
            NULL, st.queue_rejects);
    sl_buf_printf(out,
                  "# HELP sealog_store_queue_bytes Bytes waiting for the WAL.\n"
                  "# TYPE sealog_store_queue_bytes gauge\nsealog_store_queue_bytes %llu\n"
                  "# HELP sealog_store_backlog_bytes Bytes committed and waiting for the block "
                  "builders.\n"
                  "# TYPE sealog_store_backlog_bytes gauge\nsealog_store_backlog_bytes %llu\n"
                  "# HELP sealog_store_stage_seconds_total Time spent per write stage.\n"
                  "# TYPE sealog_store_stage_seconds_total counter\n",
                  (unsigned long long)st.queue_bytes, (unsigned long long)st.backlog_bytes);
    const struct {
        const char *name;
        uint64_t ns;
    } stages[] = { { "parse", atomic_load(&n->ingest_ns_parse) },
                   { "wal_write", st.ns_wal_write }, { "encode", st.ns_encode },
                   { "compress", st.ns_compress },   { "encrypt", st.ns_encrypt },
                   { "commit", st.ns_commit } };
    for (size_t i = 0; i < SL_ARRAY_SIZE(stages); i++)
        sl_buf_printf(out, "sealog_store_stage_seconds_total{stage=\"%s\"} %.6f\n", stages[i].name,
                      (double)stages[i].ns / 1e9);
}

void sl_metrics_render(sl_metrics_t *m, sl_node_t *n, sl_buf_t *out)
{
    char label[256];
    sl_buf_puts(out, "# HELP sealog_http_requests_total HTTP requests by route and status.\n"
                     "# TYPE sealog_http_requests_total counter\n");
    for (size_t i = 0; i <= m->nroutes; i++) {
        route_label(m, i, label, sizeof label);
        for (size_t k = 0; k < m->routes[i].nstatus; k++)
            sl_buf_printf(out, "sealog_http_requests_total{%s,code=\"%d\"} %llu\n", label,
                          m->routes[i].by_status[k].status,
                          (unsigned long long)m->routes[i].by_status[k].count);
    }
    sl_buf_puts(out, "# HELP sealog_http_request_duration_seconds Time from request to response.\n"
                     "# TYPE sealog_http_request_duration_seconds histogram\n");
    for (size_t i = 0; i <= m->nroutes; i++) {
        route_stats_t *rs = &m->routes[i];
        if (!rs->count)
            continue;
        route_label(m, i, label, sizeof label);
        for (size_t b = 0; b < NBUCKETS; b++)
            sl_buf_printf(out, "sealog_http_request_duration_seconds_bucket{%s,le=\"%g\"} %llu\n",
                          label, bucket_le[b], (unsigned long long)rs->bucket[b]);
        sl_buf_printf(out, "sealog_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %llu\n",
                      label, (unsigned long long)rs->count);
        sl_buf_printf(out, "sealog_http_request_duration_seconds_sum{%s} %.6f\n", label,
                      rs->sum_s);
        sl_buf_printf(out, "sealog_http_request_duration_seconds_count{%s} %llu\n", label,
                      (unsigned long long)rs->count);
    }
    sl_buf_printf(out,
                  "# HELP sealog_http_received_bytes_total Request body bytes received.\n"
                  "# TYPE sealog_http_received_bytes_total counter\n"
                  "sealog_http_received_bytes_total %llu\n"
                  "# HELP sealog_http_sent_bytes_total Response body bytes sent.\n"
                  "# TYPE sealog_http_sent_bytes_total counter\n"
                  "sealog_http_sent_bytes_total %llu\n"
                  "# HELP sealog_http_open_connections Connections currently open.\n"
                  "# TYPE sealog_http_open_connections gauge\n"
                  "sealog_http_open_connections %llu\n"
                  "# HELP sealog_uptime_seconds Seconds since the node started.\n"
                  "# TYPE sealog_uptime_seconds gauge\n"
                  "sealog_uptime_seconds %lld\n"
                  "# HELP sealog_log_suppressed_total Log lines dropped by rate limiting.\n"
                  "# TYPE sealog_log_suppressed_total counter\n"
                  "sealog_log_suppressed_total %llu\n",
                  (unsigned long long)m->bytes_in, (unsigned long long)m->bytes_out,
                  (unsigned long long)n->open_conns,
                  (long long)((sl_time_now() - n->started_at) / SL_TICKS_PER_SEC),
                  (unsigned long long)sl_log_suppressed(n->log));
    render_storage(n, out);
    if (n->cmk)
        sl_node__cmk_metrics(n, out);
    sl_node__cache_metrics(n, out);
    sl_buf_printf(out,
                  "# HELP sealog_queries_total Queries run, failed, timed out, cut.\n"
                  "# TYPE sealog_queries_total counter\n"
                  "sealog_queries_total{outcome=\"all\"} %llu\n"
                  "sealog_queries_total{outcome=\"error\"} %llu\n"
                  "sealog_queries_total{outcome=\"timeout\"} %llu\n"
                  "sealog_queries_total{outcome=\"partial\"} %llu\n",
                  (unsigned long long)atomic_load(&n->queries),
                  (unsigned long long)atomic_load(&n->query_errors),
                  (unsigned long long)atomic_load(&n->query_timeouts),
                  (unsigned long long)atomic_load(&n->query_partial));
}
