/*
 * Writing the audit log from anywhere in the node. Records are appended
 * durably to the catalog (an fsync each), so never on the event loop: a
 * queue is drained by one pool job at a time, which also keeps the chain
 * in the order the events happened. Callers on any thread enqueue and
 * return at once.
 */
#include "node/node_int.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

typedef struct audit_item {
    struct audit_item *next;
    sl_ticks_t time;
    char kind[48];
    char *details;
} audit_item_t;

struct sl_audit_q {
    uv_async_t async;
    pthread_mutex_t mu;
    audit_item_t *head, *tail;
    bool running; /* a drain job is queued or running */
    sl_node_t *n;
};

static void drain(void *arg)
{
    struct sl_audit_q *q = arg;
    for (;;) {
        pthread_mutex_lock(&q->mu);
        audit_item_t *it = q->head;
        if (it) {
            q->head = it->next;
            if (!q->head)
                q->tail = NULL;
        } else {
            q->running = false;
        }
        pthread_mutex_unlock(&q->mu);
        if (!it)
            return;
        sl_diag_t d;
        if (sl_catalog_audit_append(q->n->catalog, it->time, it->kind, it->details, NULL, &d))
            sl_log(q->n->log, SL_LOG_ERROR, "audit", "cannot append %s: %s", it->kind, d.msg);
        sl_free(it->details);
        sl_free(it);
    }
}

static void drained(void *arg)
{
    (void)arg;
}

static void on_async(uv_async_t *a)
{
    struct sl_audit_q *q = a->data;
    sl_node__run_blocking(q->n, drain, drained, q);
}

int sl_node__audit_open(sl_node_t *n, sl_diag_t *d)
{
    struct sl_audit_q *q = sl_xcalloc(1, sizeof *q);
    pthread_mutex_init(&q->mu, NULL);
    q->n = n;
    if (uv_async_init(n->loop, &q->async, on_async)) {
        pthread_mutex_destroy(&q->mu);
        sl_free(q);
        return sl_diag_set(d, SL_ESTATE, "cannot create the audit wake-up");
    }
    q->async.data = q;
    n->audit = q;
    return 0;
}



void sl_node__audit_close(sl_node_t *n)
{
    struct sl_audit_q *q = n->audit;
    if (!q)
        return;
    /* Whatever is still queued is written now, on this thread (a drain job
     * still running in the pool takes items under the same lock). */
    drain(q);
    uv_close((uv_handle_t *)&q->async, NULL);
}

void sl_node__audit_free(sl_node_t *n)
{
    struct sl_audit_q *q = n->audit;
    if (!q)
        return;
    /* The loop has run to completion: no job or wake-up refers to q. */
    pthread_mutex_destroy(&q->mu);
    sl_free(q);
    n->audit = NULL;
}

void sl_node__audit(sl_node_t *n, const char *kind, const char *details_json)
{
    struct sl_audit_q *q = n->audit;
    if (!q || uv_is_closing((uv_handle_t *)&q->async)) {
        /* Shutting down: write it here and now. */
        sl_diag_t d;
        if (q && sl_catalog_audit_append(n->catalog, sl_time_now(), kind,
                                         details_json ? details_json : "{}", NULL, &d))
            sl_log(n->log, SL_LOG_ERROR, "audit", "cannot append %s: %s", kind, d.msg);
        return;
    }
    audit_item_t *it = sl_xcalloc(1, sizeof *it);
    it->time = sl_time_now();
    snprintf(it->kind, sizeof it->kind, "%s", kind);
    it->details = sl_xstrdup(details_json ? details_json : "{}");
    pthread_mutex_lock(&q->mu);
    if (q->tail)
        q->tail->next = it;
    else
        q->head = it;
    q->tail = it;
    bool start = !q->running;
    q->running = true;
    pthread_mutex_unlock(&q->mu);
    /* uv_queue_work belongs to the loop thread: wake it to start the job. */
    if (start)
        uv_async_send(&q->async);
}
