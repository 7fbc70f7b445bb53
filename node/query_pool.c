/*
 * Helper threads for parallel scans. A query runs on a libuv pool thread
 * and offers its scan to more pool threads; libuv only queues work from the
 * loop thread, so offers travel through a locked list and a uv_async
 * wake-up. The query never waits for an offer to be taken (it scans too),
 * so a busy pool only costs parallelism, never progress.
 */
#include "node/node_int.h"

#include <pthread.h>

typedef struct offer {
    uv_work_t req;
    struct offer *next;
    void (*fn)(void *task);
    void *task;
} offer_t;

struct sl_qspawn {
    uv_async_t async;
    pthread_mutex_t mu;
    offer_t *head;
    uv_loop_t *loop;
    bool open;
};

static void on_work(uv_work_t *w)
{
    offer_t *o = (offer_t *)w;
    o->fn(o->task);
}

static void on_after(uv_work_t *w, int status)
{
    (void)status;
    sl_free(w);
}

static void on_async(uv_async_t *a)
{
    sl_qspawn_t *s = a->data;
    pthread_mutex_lock(&s->mu);
    offer_t *list = s->head;
    s->head = NULL;
    pthread_mutex_unlock(&s->mu);
    while (list) {
        offer_t *o = list;
        list = o->next;
        uv_queue_work(s->loop, &o->req, on_work, on_after);
    }
}

int sl_node__qspawn_open(sl_node_t *n, sl_diag_t *d)
{
    sl_qspawn_t *s = sl_xcalloc(1, sizeof *s);
    pthread_mutex_init(&s->mu, NULL);
    s->loop = n->loop;
    if (uv_async_init(n->loop, &s->async, on_async)) {
        pthread_mutex_destroy(&s->mu);
        sl_free(s);
        return sl_diag_set(d, SL_ESTATE, "cannot create the query helper wake-up");
    }
    s->async.data = s;
    s->open = true;
    n->qspawn = s;
    return 0;
}

static void on_closed(uv_handle_t *h)
{
    sl_qspawn_t *s = h->data;
    pthread_mutex_destroy(&s->mu);
    sl_free(s);
}

void sl_node__qspawn_close(sl_node_t *n)
{
    sl_qspawn_t *s = n->qspawn;
    if (!s)
        return;
    n->qspawn = NULL;
    pthread_mutex_lock(&s->mu);
    s->open = false;
    /* Offers nobody took: the query finished without them; run nothing. */
    offer_t *list = s->head;
    s->head = NULL;
    pthread_mutex_unlock(&s->mu);
    while (list) {
        offer_t *o = list;
        list = o->next;
        o->fn(o->task); /* a late helper only drops its reference */
        sl_free(o);
    }
    uv_close((uv_handle_t *)&s->async, on_closed);
}

void sl_node__qspawn(void *arg, void (*fn)(void *task), void *task)
{
    sl_qspawn_t *s = arg;
    offer_t *o = sl_xcalloc(1, sizeof *o);
    o->fn = fn;
    o->task = task;
    pthread_mutex_lock(&s->mu);
    o->next = s->head;
    s->head = o;
    pthread_mutex_unlock(&s->mu);
    uv_async_send(&s->async);
}
