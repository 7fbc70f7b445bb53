/*
 * Counting results and printing them. The text report is for people
 * reading a terminal; the JSON report (same figures, machine units: seconds,
 * nanoseconds, bytes) is for the scripts that fill bench/RESULTS.md.
 *
 * Rates divide by the measured interval, first send to last answer. Bytes
 * are the uncompressed JSON bodies of acknowledged requests, so MB/s means
 * the same thing with and without --gzip; the bytes on the wire are reported
 * beside them.
 */
#include "bench/load.h"

#include <stdio.h>
#include <string.h>

void sl_load_stats_init(sl_load_stats_t *s)
{
    memset(s, 0, sizeof *s);
    sl_load_hist_init(&s->lat);
}

static void xerr_add(sl_load_stats_t *s, const char *name, uint64_t n)
{
    for (size_t i = 0; i < s->nxerr; i++) {
        if (!strncmp(s->xerr[i].name, name, sizeof s->xerr[i].name - 1)) {
            s->xerr[i].n += n;
            return;
        }
    }
    /* The last slot is kept for "other", so the table never overflows. */
    if (s->nxerr >= SL_LOAD_MAX_XERR - 1 && strcmp(name, "other")) {
        xerr_add(s, "other", n);
        return;
    }
    snprintf(s->xerr[s->nxerr].name, sizeof s->xerr[s->nxerr].name, "%s", name);
    s->xerr[s->nxerr++].n = n;
}

void sl_load_stats_xerr(sl_load_stats_t *s, const char *name, bool lost)
{
    xerr_add(s, name, 1);
    if (lost) {
        s->requests++;
        s->lost++;
    }
}

void sl_load_stats_response(sl_load_stats_t *s,
                            int status,
                            uint64_t rows,
                            uint64_t bytes,
                            uint64_t wire_bytes,
                            uint64_t latency_ns)
{
    s->requests++;
    if (status >= 0 && status < SL_LOAD_MAX_STATUS)
        s->status[status]++;
    if (status >= 200 && status < 300) {
        s->requests_ok++;
        s->rows_ok += rows;
        s->bytes_ok += bytes;
        s->wire_bytes_ok += wire_bytes;
    }
    sl_load_hist_record(&s->lat, latency_ns);
}

void sl_load_stats_merge(sl_load_stats_t *dst, const sl_load_stats_t *src)
{
    dst->requests += src->requests;
    dst->requests_ok += src->requests_ok;
    dst->lost += src->lost;
    dst->rows_ok += src->rows_ok;
    dst->bytes_ok += src->bytes_ok;
    dst->wire_bytes_ok += src->wire_bytes_ok;
    for (size_t i = 0; i < SL_LOAD_MAX_STATUS; i++)
        dst->status[i] += src->status[i];
    for (size_t i = 0; i < src->nxerr; i++)
        xerr_add(dst, src->xerr[i].name, src->xerr[i].n);
    sl_load_hist_merge(&dst->lat, &src->lat);
}

uint64_t sl_load_stats_errors(const sl_load_stats_t *s)
{
    uint64_t n = s->requests - s->requests_ok - s->lost;
    for (size_t i = 0; i < s->nxerr; i++)
        n += s->xerr[i].n;
    return n;
}

void sl_load_fmt_ns(uint64_t ns, char out[16])
{
    if (ns < 1000)
        snprintf(out, 16, "%llu ns", (unsigned long long)ns);
    else if (ns < 1000000)
        snprintf(out, 16, "%.1f us", (double)ns / 1e3);
    else if (ns < 1000000000)
        snprintf(out, 16, "%.2f ms", (double)ns / 1e6);
    else
        snprintf(out, 16, "%.3f s", (double)ns / 1e9);
}

static double per_s(uint64_t n, double secs)
{
    return secs > 0 ? (double)n / secs : 0;
}

static const struct {
    const char *label, *key;
    double q;
} quantiles[] = {
    { "p50", "p50_ns", 0.50 },     { "p90", "p90_ns", 0.90 }, { "p99", "p99_ns", 0.99 },
    { "p99.9", "p999_ns", 0.999 }, { "max", "max_ns", 1.0 },
};

void sl_load_report_text(sl_buf_t *out, const sl_load_meta_t *m, const sl_load_stats_t *s)
{
    double t = m->elapsed_s;
    sl_buf_printf(out,
                  "sealog-load %s %s: %u connections, %u thread%s, %llu rows/post%s, %s\n",
                  m->mode,
                  m->url,
                  m->connections,
                  m->threads,
                  m->threads == 1 ? "" : "s",
                  (unsigned long long)m->rows_per_post,
                  m->gzip ? ", gzip" : "",
                  m->rate ? "open loop" : "closed loop (as fast as possible)");
    if (m->rate)
        sl_buf_printf(out, "  target rate   %llu rows/s\n", (unsigned long long)m->rate);
    sl_buf_printf(out, "  elapsed       %.3f s\n", t);
    sl_buf_printf(out,
                  "  requests      %llu (%llu ok, %llu lost)  %.1f req/s\n",
                  (unsigned long long)s->requests,
                  (unsigned long long)s->requests_ok,
                  (unsigned long long)s->lost,
                  per_s(s->requests, t));
    sl_buf_printf(out,
                  "  rows          %llu  %.0f rows/s\n",
                  (unsigned long long)s->rows_ok,
                  per_s(s->rows_ok, t));
    sl_buf_printf(out,
                  "  bytes         %llu JSON (%.2f MB/s), %llu on the wire\n",
                  (unsigned long long)s->bytes_ok,
                  per_s(s->bytes_ok, t) / 1e6,
                  (unsigned long long)s->wire_bytes_ok);
    sl_buf_puts(out, "  latency      ");
    for (size_t i = 0; i < SL_ARRAY_SIZE(quantiles); i++) {
        char v[16];
        sl_load_fmt_ns(sl_load_hist_quantile(&s->lat, quantiles[i].q), v);
        sl_buf_printf(
          out, " %s %s%s", quantiles[i].label, v, i + 1 < SL_ARRAY_SIZE(quantiles) ? "," : "");
    }
    sl_buf_printf(out, "%s\n", m->rate ? "  (from scheduled send time)" : "");
    sl_buf_printf(out, "  errors        %llu", (unsigned long long)sl_load_stats_errors(s));
    bool first = true;
    for (size_t i = 0; i < SL_LOAD_MAX_STATUS; i++) {
        if (!s->status[i] || (i >= 200 && i < 300))
            continue;
        sl_buf_printf(
          out, "%sHTTP %zu: %llu", first ? "  (" : ", ", i, (unsigned long long)s->status[i]);
        first = false;
    }
    for (size_t i = 0; i < s->nxerr; i++) {
        sl_buf_printf(out,
                      "%s%s: %llu",
                      first ? "  (" : ", ",
                      s->xerr[i].name,
                      (unsigned long long)s->xerr[i].n);
        first = false;
    }
    sl_buf_puts(out, first ? "\n" : ")\n");
    sl_buf_printf(out,
                  "  client CPU    %.2f s user, %.2f s sys (%.0f%% of one core)\n",
                  m->cpu_user_s,
                  m->cpu_sys_s,
                  t > 0 ? 100 * (m->cpu_user_s + m->cpu_sys_s) / t : 0.0);
    if (m->token_fetches || m->token_failures)
        sl_buf_printf(out,
                      "  tokens        %llu fetched, %llu failed\n",
                      (unsigned long long)m->token_fetches,
                      (unsigned long long)m->token_failures);
    if (m->unsent)
        sl_buf_printf(out,
                      "  NOTE          %llu scheduled requests were never sent: the server did "
                      "not keep up with --rate\n",
                      (unsigned long long)m->unsent);
    if (m->feed_stalls)
        sl_buf_printf(out,
                      "  NOTE          connections waited %llu times for bodies to be prepared: "
                      "figures are limited by the generator (raise --ring-mb)\n",
                      (unsigned long long)m->feed_stalls);
}

void sl_load_report_json(sl_buf_t *out, const sl_load_meta_t *m, const sl_load_stats_t *s)
{
    sl_jw_t w;
    double t = m->elapsed_s;
    sl_jw_init(&w, out);
    sl_jw_obj_begin(&w);
    sl_jw_key(&w, "mode");
    sl_jw_str(&w, m->mode);
    sl_jw_key(&w, "url");
    sl_jw_str(&w, m->url);
    sl_jw_key(&w, "connections");
    sl_jw_uint(&w, m->connections);
    sl_jw_key(&w, "threads");
    sl_jw_uint(&w, m->threads);
    sl_jw_key(&w, "rows_per_post");
    sl_jw_uint(&w, m->rows_per_post);
    sl_jw_key(&w, "rate");
    sl_jw_uint(&w, m->rate);
    sl_jw_key(&w, "gzip");
    sl_jw_bool(&w, m->gzip);
    sl_jw_key(&w, "elapsed_s");
    sl_jw_real(&w, t);
    sl_jw_key(&w, "requests");
    sl_jw_uint(&w, s->requests);
    sl_jw_key(&w, "requests_ok");
    sl_jw_uint(&w, s->requests_ok);
    sl_jw_key(&w, "requests_lost");
    sl_jw_uint(&w, s->lost);
    sl_jw_key(&w, "rows");
    sl_jw_uint(&w, s->rows_ok);
    sl_jw_key(&w, "bytes");
    sl_jw_uint(&w, s->bytes_ok);
    sl_jw_key(&w, "wire_bytes");
    sl_jw_uint(&w, s->wire_bytes_ok);
    sl_jw_key(&w, "rows_per_s");
    sl_jw_real(&w, per_s(s->rows_ok, t));
    sl_jw_key(&w, "mb_per_s");
    sl_jw_real(&w, per_s(s->bytes_ok, t) / 1e6);
    sl_jw_key(&w, "requests_per_s");
    sl_jw_real(&w, per_s(s->requests, t));
    sl_jw_key(&w, "latency");
    sl_jw_obj_begin(&w);
    sl_jw_key(&w, "count");
    sl_jw_uint(&w, s->lat.count);
    sl_jw_key(&w, "min_ns");
    sl_jw_uint(&w, s->lat.count ? s->lat.min_ns : 0);
    sl_jw_key(&w, "mean_ns");
    sl_jw_uint(&w, s->lat.count ? s->lat.sum_ns / s->lat.count : 0);
    for (size_t i = 0; i < SL_ARRAY_SIZE(quantiles); i++) {
        sl_jw_key(&w, quantiles[i].key);
        sl_jw_uint(&w, sl_load_hist_quantile(&s->lat, quantiles[i].q));
    }
    sl_jw_key(&w, "from_scheduled_time");
    sl_jw_bool(&w, m->rate != 0);
    sl_jw_obj_end(&w);
    sl_jw_key(&w, "errors");
    sl_jw_obj_begin(&w);
    sl_jw_key(&w, "total");
    sl_jw_uint(&w, sl_load_stats_errors(s));
    sl_jw_key(&w, "by_status");
    sl_jw_obj_begin(&w);
    for (size_t i = 0; i < SL_LOAD_MAX_STATUS; i++) {
        if (!s->status[i] || (i >= 200 && i < 300))
            continue;
        char k[8];
        snprintf(k, sizeof k, "%zu", i);
        sl_jw_key(&w, k);
        sl_jw_uint(&w, s->status[i]);
    }
    sl_jw_obj_end(&w);
    sl_jw_key(&w, "transport");
    sl_jw_obj_begin(&w);
    for (size_t i = 0; i < s->nxerr; i++) {
        sl_jw_key(&w, s->xerr[i].name);
        sl_jw_uint(&w, s->xerr[i].n);
    }
    sl_jw_obj_end(&w);
    sl_jw_obj_end(&w);
    sl_jw_key(&w, "status");
    sl_jw_obj_begin(&w);
    for (size_t i = 0; i < SL_LOAD_MAX_STATUS; i++) {
        if (!s->status[i])
            continue;
        char k[8];
        snprintf(k, sizeof k, "%zu", i);
        sl_jw_key(&w, k);
        sl_jw_uint(&w, s->status[i]);
    }
    sl_jw_obj_end(&w);
    sl_jw_key(&w, "client_cpu_s");
    sl_jw_obj_begin(&w);
    sl_jw_key(&w, "user");
    sl_jw_real(&w, m->cpu_user_s);
    sl_jw_key(&w, "sys");
    sl_jw_real(&w, m->cpu_sys_s);
    sl_jw_obj_end(&w);
    sl_jw_key(&w, "unsent");
    sl_jw_uint(&w, m->unsent);
    sl_jw_key(&w, "feed_stalls");
    sl_jw_uint(&w, m->feed_stalls);
    sl_jw_key(&w, "token_fetches");
    sl_jw_uint(&w, m->token_fetches);
    sl_jw_key(&w, "token_failures");
    sl_jw_uint(&w, m->token_failures);
    sl_jw_obj_end(&w);
    sl_buf_putc(out, '\n');
}
