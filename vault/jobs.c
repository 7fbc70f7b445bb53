/*
 * Work off the event loop.
 *
 * Two kinds: sl_vault__run() for CPU work that may run in parallel (RSA key
 * generation takes seconds at 4096 bits; RSA unwraps take milliseconds),
 * and the write queue for durable record writes.
 *
 * The write queue runs one write at a time, in submission order. That is
 * what makes concurrent updates of one key version safe: each job builds its
 * record from the in-memory state only when its turn comes (`prepare`, on
 * the loop), after every earlier write has been committed to memory by its
 * `done`. A request is answered only after its write is durable, and memory
 * changes only after the write succeeded, so the vault never reports state
 * that a crash would lose.
 *
 *   submit ──► queued ──► prepare (loop) ──► write + fsync (pool) ──► done (loop) ──► next
 *                              └─ error ───────────────────────────────►┘
 */
#include "vault/vault_int.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

typedef struct work {
    uv_work_t req;
    sl_vault_work_fn fn, done;
    void *arg;
} work_t;

static void on_work(uv_work_t *w)
{
    work_t *wk = (work_t *)w;
    wk->fn(wk->arg);
}

static void on_work_done(uv_work_t *w, int status)
{
    work_t *wk = (work_t *)w;
    (void)status; /* never cancelled */
    wk->done(wk->arg);
    sl_free(wk);
}

void sl_vault__run(sl_vault_t *v, sl_vault_work_fn fn, sl_vault_work_fn done, void *arg)
{
    work_t *wk = sl_xcalloc(1, sizeof *wk);
    wk->fn = fn;
    wk->done = done;
    wk->arg = arg;
    uv_queue_work(v->loop, &wk->req, on_work, on_work_done);
}

static void start_next(sl_vault_t *v);

static void on_write(uv_work_t *req)
{
    sl_vault_write_t *w = SL_CONTAINER_OF(req, sl_vault_write_t, work);
    int rc = 0;
    if (w->mkdir[0]) {
        struct stat st;
        bool existed = stat(w->mkdir, &st) == 0;
        rc = sl_mkdirs(w->mkdir, 0700);
        if (!rc && !existed) {
            /* Make the new directory's entry durable before the file in it. */
            char parent[PATH_MAX];
            snprintf(parent, sizeof parent, "%s", w->mkdir);
            char *slash = strrchr(parent, '/');
            if (slash)
                *slash = '\0';
            rc = sl_fsync_dir(parent);
        }
    }
    if (!rc)
        rc = sl_write_file_atomic(w->path, w->data.data, w->data.len, 0600);
    if (rc)
        sl_diag_set(&w->diag, rc, "cannot write %s: %s", w->path, sl_strerror(rc));
    w->rc = rc;
}

static void finish(sl_vault_write_t *w)
{
    sl_vault_t *v = w->vault;
    w->done(w, w->rc);
    sl_buf_dispose(&w->data);
    sl_free(w);
    v->wq_busy = false;
    start_next(v);
}

static void on_write_done(uv_work_t *req, int status)
{
    (void)status;
    finish(SL_CONTAINER_OF(req, sl_vault_write_t, work));
}

static void start_next(sl_vault_t *v)
{
    while (!v->wq_busy && v->wq_head) {
        sl_vault_write_t *w = v->wq_head;
        v->wq_head = w->next;
        if (!v->wq_head)
            v->wq_tail = NULL;
        v->wq_busy = true;
        sl_diag_clear(&w->diag);
        w->rc = w->prepare(w);
        if (w->rc) {
            finish(w); /* clears busy and loops through start_next again */
            return;
        }
        uv_queue_work(v->loop, &w->work, on_write, on_write_done);
    }
}

void sl_vault__write_submit(sl_vault_t *v, sl_vault_write_t *w)
{
    w->vault = v;
    w->next = NULL;
    if (v->wq_tail)
        v->wq_tail->next = w;
    else
        v->wq_head = w;
    v->wq_tail = w;
    start_next(v);
}
