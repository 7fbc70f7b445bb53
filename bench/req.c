/*
 * Request heads for the two ingestion APIs, written the way the real agents
 * write them (PROTOCOLS.md §1.8 for Fluent Bit's Data Collector requests,
 * §2.7 for the Azure SDK's Logs Ingestion requests), so the node sees the
 * same headers under load that it will see in production.
 *
 * Heads are rebuilt for every request: the date, the signature (which covers
 * Content-Length) and the request id change, and formatting ~300 bytes costs
 * far less than the syscalls that send them. The caller signs, so that it
 * can cache signatures per (length, second).
 */
#include "bench/load.h"

#include <string.h>

#define CT_JSON "application/json"

/* Header lines are assembled with puts, not printf: at 100k requests a
 * second the format parser showed up in profiles. */
static void put_header(sl_buf_t *out, const char *name, const char *value)
{
    sl_buf_puts(out, name);
    sl_buf_puts(out, value);
    sl_buf_puts(out, "\r\n");
}

static void put_size(sl_buf_t *out, size_t v)
{
    char t[24];
    int k = sizeof t;
    do {
        t[--k] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    sl_buf_append(out, t + k, sizeof t - (size_t)k);
}

void sl_load_req_head(sl_buf_t *out,
                      const sl_load_reqcfg_t *c,
                      size_t body_len,
                      const char *date,
                      const char *auth,
                      const char *request_id)
{
    sl_buf_reset(out);
    sl_buf_puts(out, "POST ");
    sl_buf_puts(out, c->base_path);
    if (c->mode == SL_LOAD_MODE_DC) {
        sl_buf_puts(out, "/api/logs?api-version=2016-04-01 HTTP/1.1\r\n");
    } else {
        sl_buf_puts(out, "/dataCollectionRules/");
        sl_percent_encode(out, c->dcr, strlen(c->dcr));
        sl_buf_puts(out, "/streams/");
        sl_percent_encode(out, c->stream, strlen(c->stream));
        sl_buf_puts(out, "?api-version=2023-01-01 HTTP/1.1\r\n");
    }
    put_header(out, "Host: ", c->authority);
    sl_buf_puts(out, "User-Agent: sealog-load/" SL_VERSION "\r\nContent-Type: " CT_JSON "\r\n");
    if (c->mode == SL_LOAD_MODE_DC) {
        put_header(out, "Log-Type: ", c->log_type);
        put_header(out, "x-ms-date: ", date);
        if (c->time_field)
            sl_buf_puts(out, "time-generated-field: ts\r\n");
        sl_buf_puts(out, "Authorization: SharedKey ");
        sl_buf_puts(out, c->workspace_id);
        sl_buf_putc(out, ':');
        put_header(out, "", auth);
    } else {
        if (c->gzip)
            sl_buf_puts(out, "Content-Encoding: gzip\r\n");
        put_header(out, "Authorization: Bearer ", auth ? auth : "");
        put_header(out, "x-ms-client-request-id: ", request_id ? request_id : "");
    }
    sl_buf_puts(out, "Content-Length: ");
    put_size(out, body_len);
    sl_buf_puts(out, "\r\n\r\n");
}

void sl_load_uuid(uint64_t *state, char out[37])
{
    sl_guid_t g;
    for (int half = 0; half < 2; half++) {
        /* xorshift64*: a state that is never zero gives 2^64-1 distinct outputs. */
        uint64_t x = *state ? *state : UINT64_C(0x9E3779B97F4A7C15);
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        *state = x;
        sl_store_u64be(g.b + 8 * half, x * UINT64_C(0x2545F4914F6CDD1D));
    }
    g.b[6] = (uint8_t)((g.b[6] & 0x0f) | 0x40);
    g.b[8] = (uint8_t)((g.b[8] & 0x3f) | 0x80);
    sl_guid_format(&g, out);
}
