/*
 * Liveness, readiness, metrics and node status.
 *
 * /healthz answers 200 whenever the loop runs. /readyz reports each
 * subsystem and answers 503 while any of them is not ready (starting,
 * draining), so a load balancer stops sending work before shutdown.
 */
#include "node/node_int.h"

#include <string.h>

void sl_h_healthz(sl_req_t *r)
{
    sl_buf_t b = SL_BUF_INIT;
    sl_buf_puts(&b, "ok\n");
    sl_respond(r, 200, "text/plain; charset=utf-8", &b);
}

static const char *state_name(sl_node_state_t s)
{
    switch (s) {
    case SL_NODE_STARTING:
        return "starting";
    case SL_NODE_RUNNING:
        return "ready";
    case SL_NODE_DRAINING:
        return "draining";
    case SL_NODE_STOPPED:
        return "stopped";
    }
    return "unknown";
}

void sl_h_readyz(sl_req_t *r)
{
    sl_node_t *n = r->node;
    bool ready = n->state == SL_NODE_RUNNING;
    sl_buf_t b = SL_BUF_INIT;
    sl_jw_t w;
    sl_jw_init(&w, &b);
    sl_jw_obj_begin(&w);
    sl_jw_key(&w, "status");
    sl_jw_str(&w, ready ? "ready" : "not ready");
    sl_jw_key(&w, "subsystems");
    sl_jw_obj_begin(&w);
    sl_jw_key(&w, "http");
    sl_jw_obj_begin(&w);
    sl_jw_key(&w, "state");
    sl_jw_str(&w, state_name(n->state));
    sl_jw_key(&w, "openConnections");
    sl_jw_uint(&w, n->open_conns);
    sl_jw_obj_end(&w);
    sl_jw_key(&w, "catalog");
    sl_jw_obj_begin(&w);
    sl_jw_key(&w, "state");
    sl_jw_str(&w, n->catalog ? "ready" : "closed");
    sl_jw_obj_end(&w);
    sl_jw_key(&w, "keys");
    sl_jw_obj_begin(&w);
    sl_jw_key(&w, "state");
    sl_jw_str(&w, n->service_key ? "ready" : "unavailable");
    sl_jw_key(&w, "serviceKeyId");
    char kid[17] = "";
    if (n->service_key) {
        uint8_t id[8];
        sl_store_u64be(id, sl_key_id(n->service_key));
        sl_hex_encode(id, 8, kid);
    }
    sl_jw_str(&w, kid);
    sl_jw_obj_end(&w);
    if (n->cmk) {
        sl_jw_key(&w, "customerManagedKey");
        sl_node__cmk_json(n, &w);
    }
    sl_jw_key(&w, "hotCache");
    sl_node__cache_json(n, &w);
    sl_jw_obj_end(&w);
    sl_jw_obj_end(&w);
    sl_respond_json(r, ready ? 200 : 503, &b);
}

void sl_h_metrics(sl_req_t *r)
{
    sl_buf_t b = SL_BUF_INIT;
    sl_metrics_render(r->node->metrics, r->node, &b);
    sl_respond(r, 200, "text/plain; version=0.0.4; charset=utf-8", &b);
}

void sl_h_status(sl_req_t *r)
{
    sl_node_t *n = r->node;
    sl_buf_t b = SL_BUF_INIT;
    sl_jw_t w;
    sl_jw_init(&w, &b);
    char ts[32];
    sl_jw_obj_begin(&w);
    sl_jw_key(&w, "version");
    sl_jw_str(&w, SL_VERSION);
    sl_jw_key(&w, "state");
    sl_jw_str(&w, state_name(n->state));
    sl_jw_key(&w, "startedAt");
    sl_time_format_iso8601(n->started_at, ts);
    sl_jw_str(&w, ts);
    sl_jw_key(&w, "uptimeSeconds");
    sl_jw_int(&w, (sl_time_now() - n->started_at) / SL_TICKS_PER_SEC);
    sl_jw_key(&w, "dataDir");
    sl_jw_str(&w, n->data_dir);
    sl_jw_key(&w, "publicUrl");
    sl_jw_str(&w, n->public_url);
    sl_jw_key(&w, "openConnections");
    sl_jw_uint(&w, n->open_conns);
    sl_ws_rec_t *list;
    size_t count = 0, active = 0;
    if (sl_catalog_ws_list(n->catalog, &list, &count, NULL) == 0) {
        for (size_t i = 0; i < count; i++)
            active += list[i].deleted == 0;
        sl_ws_list_free(list, count);
    }
    sl_jw_key(&w, "workspaces");
    sl_jw_uint(&w, active);
    sl_jw_obj_end(&w);
    sl_respond_json(r, 200, &b);
}
