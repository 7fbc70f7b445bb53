/*
 * Wiring the store into the node: options from the configuration, and the
 * wake-up path for acknowledgements. The WAL thread calls on_commit after
 * every group commit; that only pokes a uv_async handle, and the loop thread
 * then drains the completions and answers the waiting requests.
 */
#include "node/node_int.h"

static void on_commit(void *arg)
{
    sl_node_t *n = arg;
    uv_async_send(&n->store_async);
}

static void on_async(uv_async_t *h)
{
    sl_node_t *n = h->data;
    sl_store_completions(n->store, sl_node__ingest_done, n);
}

int sl_node__storage_open(sl_node_t *n, sl_diag_t *d)
{
    uv_async_init(n->loop, &n->store_async, on_async);
    n->store_async.data = n;
    n->store_async_ready = true;
    sl_store_opts_t o = { 0 };
    o.data_dir = n->data_dir;
    o.keyring = n->keyring;
    o.catalog = n->catalog;
    o.wal_file_size = n->cfg->wal_file_size;
    o.queue_max_bytes = n->cfg->ingest_queue_max;
    o.block_max_rows = (uint32_t)n->cfg->block_max_rows;
    o.block_max_bytes = n->cfg->block_max_bytes;
    o.flush_interval_ms = n->cfg->block_flush_interval_ms;
    o.segment_span_ms = n->cfg->segment_span_ms;
    o.on_commit = on_commit;
    o.on_commit_arg = n;
    o.on_block = sl_node__cache_on_block;
    o.on_block_arg = sl_node__cache_create(n);
    uint64_t t0 = sl_time_mono_ns();
    int rc = sl_store_open(&o, &n->store, d);
    if (!rc)
        sl_log(n->log, SL_LOG_INFO, "store", "store open in %.1f ms (WAL replayed)",
               (double)(sl_time_mono_ns() - t0) / 1e6);
    return rc;
}

void sl_node__storage_close(sl_node_t *n)
{
    if (n->store) {
        sl_store_close(n->store);
        n->store = NULL;
        /* Acknowledgements still pending have nobody to go to any more. */
    }
}
