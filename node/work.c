/*
 * Blocking work (durable catalog writes, scans) runs on the libuv thread
 * pool so the event loop never waits on fsync; `done` runs back on the loop.
 */
#include "node/node_int.h"

typedef struct work {
    uv_work_t req;
    sl_work_fn fn, done;
    void *arg;
} work_t;

static void on_work(uv_work_t *w)
{
    work_t *wk = (work_t *)w;
    wk->fn(wk->arg);
}

static void on_after(uv_work_t *w, int status)
{
    work_t *wk = (work_t *)w;
    (void)status; /* work is never cancelled */
    wk->done(wk->arg);
    sl_free(wk);
}

void sl_node__run_blocking(sl_node_t *n, sl_work_fn fn, sl_work_fn done, void *arg)
{
    work_t *wk = sl_xcalloc(1, sizeof *wk);
    wk->fn = fn;
    wk->done = done;
    wk->arg = arg;
    uv_queue_work(n->loop, &wk->req, on_work, on_after);
}
