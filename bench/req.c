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

void sl_load_req_head(sl_buf_t *out, const sl_load_reqcfg_t *c, size_t body_len,
                      const char *date, const char *auth, const char *request_id)
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
    sl_buf_printf(out, "Host: %s\r\nUser-Agent: sealog-load/" SL_VERSION "\r\n", c->authority);
    sl_buf_puts(out, "Content-Type: " CT_JSON "\r\n");
    if (c->mode == SL_LOAD_MODE_DC) {
        sl_buf_printf(out, "Log-Type: %s\r\nx-ms-date: %s\r\n", c->log_type, date);
        if (c->time_field)
            sl_buf_puts(out, "time-generated-field: ts\r\n");
        sl_buf_printf(out, "Authorization: SharedKey %s:%s\r\n", c->workspace_id, auth);
    } else {
        if (c->gzip)
            sl_buf_puts(out, "Content-Encoding: gzip\r\n");
        sl_buf_printf(out, "Authorization: Bearer %s\r\nx-ms-client-request-id: %s\r\n",
                      auth ? auth : "", request_id ? request_id : "");
    }
    sl_buf_printf(out, "Content-Length: %zu\r\n\r\n", body_len);
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
