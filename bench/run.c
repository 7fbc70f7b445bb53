/*
 * The run: workers, each a libuv loop with its share of the connections,
 * and the main loop's bookkeeping (start, progress, signals, the token).
 *
 * Worker 0 runs on the main loop, so the default (--threads 1) is a single
 * thread doing everything, plus the refill thread when the ring is too
 * small for the run. With --threads N, workers 1..N-1 get their own loops
 * and threads; they share only the feed (a mutex per take/release), the
 * token (read by version), and their stats, which each worker guards with
 * its own mutex so the progress line can read them once a second.
 *
 * Phases, driven from the main loop through async handles:
 *
 *   CONNECT: every worker opens its connections; each reports "ready" when
 *            all are connected (or have given up).
 *   GO:      the clock starts (start_ns) once every worker is ready, so
 *            connection set-up never counts as latency or throughput.
 *   STOP:    --duration passed, the feed ran out, or SIGINT/SIGTERM. No new
 *            requests; answers in flight are still awaited (a second signal
 *            abandons them).
 *   DONE:    every connection is closed; the loops end; stats are merged.
 *
 * Closed loop (no --rate): a connection sends its next body as soon as its
 * answer arrives; latency runs from the send. Open loop (--rate): request k
 * of a worker is due at the time sched.c gives; a timerfd wakes the worker
 * at the next due time (libuv timers have only millisecond resolution),
 * due requests go to idle connections, requests that find none wait for
 * one, and latency runs from the due time, so waiting counts.
 */
#include "bench/load_int.h"

#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/timerfd.h>
#include <unistd.h>

typedef struct run run_t;

/* A signature cache for Data Collector requests: the HMAC covers only the
 * body length and the date, so within one second equal lengths share it. */
#define SIG_CACHE 4096
typedef struct sig_entry {
    uint64_t len;
    int64_t sec;
    char sig[SL_LOAD_SIG_B64_LEN + 1];
} sig_entry_t;

typedef struct worker {
    run_t *run;
    unsigned id;
    uv_loop_t own_loop;
    uv_loop_t *loop;
    uv_thread_t thread;
    uv_async_t async;
    atomic_bool go_flag, stop_flag, abort_flag, close_flag;
    sl_load__conn_t *conns;
    unsigned nconns, nclosed, base; /* base: number of the first connection */
    bool *ever_ready;
    unsigned nready;
    bool reported_ready, going, stopping, finished;
    sl_load__conn_t **idle;
    bool *in_idle;
    unsigned nidle;
    /* open loop */
    sl_load_sched_t sched;
    uint64_t dispatched, armed_for;
    int tfd;
    uv_poll_t tpoll;
    uv_timer_t retry, deadline;
    uint64_t deadline_ns;
    /* request building */
    sl_buf_t head, token;
    uint64_t token_version, uuid_state;
    int64_t date_sec;
    char date[32];
    sig_entry_t *sigs;
    /* results, guarded by mu */
    uv_mutex_t mu;
    sl_load_stats_t stats;
    uint64_t last_answer_ns, stalls, unsent;
} worker_t;

struct run {
    const sl_load_opts_t *o;
    sl_load__feed_t *feed;
    sl_load__token_t *token;
    sl_load_reqcfg_t reqcfg;
    sl_load_sharedkey_t key;
    struct sockaddr_storage addr;
    sl_load_tls_ctx_t *tls_ctx;
    worker_t *w;
    unsigned nw;
    uv_loop_t *main_loop;
    uv_async_t main_async;
    uv_timer_t progress;
    uv_signal_t sigint, sigterm;
    atomic_uint nready, ndone;
    bool started, main_closed;
    unsigned signals;
    uint64_t start_ns;
    struct rusage ru0;
    bool tty, progress_printed;
    sl_load_stats_t *snap; /* scratch for the progress line */
    uint64_t last_rows, last_bytes, last_ns;
    /* first occurrence of each transport error is explained on stderr */
    uv_mutex_t err_mu;
    char seen[SL_LOAD_MAX_XERR][24];
    unsigned nseen;
};

static void begin_stop(worker_t *w, bool count_unsent);
static void dispatch(worker_t *w, sl_load__conn_t *c);

/* ------------------------------------------------------------------------ */
/* Requests                                                                 */
/* ------------------------------------------------------------------------ */

static const char *dc_signature(worker_t *w, uint64_t len)
{
    sig_entry_t *e = &w->sigs[len % SIG_CACHE];
    if (e->len != len || e->sec != w->date_sec) {
        sl_load_sharedkey_sign(&w->run->key, len, "application/json", w->date, e->sig);
        e->len = len;
        e->sec = w->date_sec;
    }
    return e->sig;
}

static void send_body(worker_t *w, sl_load__conn_t *c, sl_load_body_t *b, uint64_t t0)
{
    run_t *r = w->run;
    c->req = b;
    c->t0_ns = t0;
    size_t len = b->data.len;
    if (r->reqcfg.mode == SL_LOAD_MODE_DC) {
        int64_t sec = sl_time_now() / SL_TICKS_PER_SEC;
        if (sec != w->date_sec) {
            w->date_sec = sec;
            sl_time_format_rfc1123(sec * SL_TICKS_PER_SEC, w->date);
        }
        sl_load_req_head(&w->head, &r->reqcfg, len, w->date, dc_signature(w, len), NULL);
    } else {
        char rid[37];
        sl_load_uuid(&w->uuid_state, rid);
        if (r->token)
            sl_load__token_copy(r->token, &w->token_version, &w->token);
        sl_load_req_head(
          &w->head, &r->reqcfg, len, NULL, r->token ? w->token.data : r->o->token, rid);
    }
    /* On failure the connection reports on_error (lost) itself. */
    sl_load__conn_send(c, w->head.data, w->head.len, b->data.data, len);
}

static void push_idle(worker_t *w, sl_load__conn_t *c)
{
    if (!w->in_idle[c->id]) {
        w->in_idle[c->id] = true;
        w->idle[w->nidle++] = c;
    }
}

static sl_load__conn_t *pop_idle(worker_t *w)
{
    while (w->nidle) {
        sl_load__conn_t *c = w->idle[--w->nidle];
        w->in_idle[c->id] = false;
        /* It may have been closed by the server while it waited. */
        if (sl_load__conn_is_ready(c) && !c->busy)
            return c;
    }
    return NULL;
}

/* Offers every idle connection one dispatch. The list is emptied first,
 * because a dispatch that finds no body puts its connection back. */
static void drain_idle(worker_t *w)
{
    unsigned n = w->nidle;
    sl_load__conn_t **list = sl_xmalloc((n ? n : 1) * sizeof *list);
    memcpy(list, w->idle, n * sizeof *list);
    w->nidle = 0;
    for (unsigned i = 0; i < n; i++)
        w->in_idle[list[i]->id] = false;
    for (unsigned i = 0; i < n; i++)
        if (sl_load__conn_is_ready(list[i]) && !list[i]->busy)
            dispatch(w, list[i]);
    sl_free(list);
}

static void on_retry(uv_timer_t *t)
{
    drain_idle(t->data);
}

/* Takes the next body; handles "not ready yet" and "no more". */
static sl_load_body_t *take(worker_t *w, sl_load__conn_t *c)
{
    sl_load_body_t *b;
    switch (sl_load__feed_take(w->run->feed, &b)) {
    case SL_LOAD_TAKE_OK:
        return b;
    case SL_LOAD_TAKE_WAIT:
        w->stalls++;
        push_idle(w, c);
        if (!uv_is_active((uv_handle_t *)&w->retry))
            uv_timer_start(&w->retry, on_retry, 1, 0);
        return NULL;
    default:
        push_idle(w, c);
        begin_stop(w, false);
        return NULL;
    }
}

static void arm_timerfd(worker_t *w, uint64_t due_ns)
{
    if (due_ns == w->armed_for)
        return;
    w->armed_for = due_ns;
    struct itimerspec its = { { 0, 0 },
                              { (time_t)(due_ns / 1000000000u), (long)(due_ns % 1000000000u) } };
    if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
        its.it_value.tv_nsec = 1; /* zero would disarm it */
    timerfd_settime(w->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

/* Open loop: sends due requests while idle connections last. */
static void dispatch_due(worker_t *w)
{
    uint64_t now = sl_time_mono_ns();
    uint64_t due = sl_load_sched_due_count(&w->sched, now);
    while (!w->stopping && w->dispatched < due) {
        uint64_t at = sl_load_sched_due_ns(&w->sched, w->dispatched);
        if (w->deadline_ns && at >= w->deadline_ns)
            break;
        sl_load__conn_t *c = pop_idle(w);
        if (!c)
            return; /* backlog: the next answer sends the next request */
        sl_load_body_t *b = take(w, c);
        if (!b)
            return;
        w->dispatched++;
        send_body(w, c, b, at);
    }
    if (!w->stopping) {
        uint64_t next = sl_load_sched_due_ns(&w->sched, w->dispatched);
        if (!w->deadline_ns || next < w->deadline_ns)
            arm_timerfd(w, next);
    }
}

static void on_tick(uv_poll_t *p, int status, int events)
{
    worker_t *w = p->data;
    uint64_t expirations;
    if (read(w->tfd, &expirations, sizeof expirations) < 0 && errno != EAGAIN)
        return;
    dispatch_due(w);
}

static void dispatch(worker_t *w, sl_load__conn_t *c)
{
    if (w->stopping) {
        sl_load__conn_shutdown(c);
        return;
    }
    if (!w->going) {
        if (!w->ever_ready[c->id]) {
            w->ever_ready[c->id] = true;
            w->nready++;
        }
        push_idle(w, c);
        return;
    }
    if (w->run->o->rate) {
        push_idle(w, c);
        dispatch_due(w);
        return;
    }
    uint64_t now = sl_time_mono_ns();
    if (w->deadline_ns && now >= w->deadline_ns) {
        begin_stop(w, true);
        sl_load__conn_shutdown(c);
        return;
    }
    sl_load_body_t *b = take(w, c);
    if (b)
        send_body(w, c, b, now);
}

/* ------------------------------------------------------------------------ */
/* Connection callbacks                                                     */
/* ------------------------------------------------------------------------ */

static void check_ready(worker_t *w);
static void finish(worker_t *w);

static void on_ready(sl_load__conn_t *c)
{
    worker_t *w = c->owner;
    dispatch(w, c);
    check_ready(w);
}

static void on_response(sl_load__conn_t *c, const sl_load_http_t *resp)
{
    worker_t *w = c->owner;
    sl_load_body_t *b = c->req;
    uint64_t now = sl_time_mono_ns();
    uv_mutex_lock(&w->mu);
    sl_load_stats_response(&w->stats,
                           resp->status,
                           b->rows,
                           b->json_bytes,
                           b->data.len,
                           now > c->t0_ns ? now - c->t0_ns : 0);
    w->last_answer_ns = now;
    uv_mutex_unlock(&w->mu);
    c->req = NULL;
    sl_load__feed_release(w->run->feed, b);
}

static void explain_once(run_t *r, unsigned conn, const char *name, const sl_diag_t *d)
{
    if (r->o->quiet)
        return;
    uv_mutex_lock(&r->err_mu);
    bool seen = false;
    for (unsigned i = 0; i < r->nseen; i++)
        seen |= !strncmp(r->seen[i], name, sizeof r->seen[i] - 1);
    if (!seen && r->nseen < SL_LOAD_MAX_XERR) {
        snprintf(r->seen[r->nseen++], sizeof r->seen[0], "%s", name);
        fprintf(stderr,
                "%ssealog-load: connection %u: %s%s%s (more like it are only counted)\n",
                r->progress_printed && r->tty ? "\n" : "",
                conn,
                name,
                d ? ": " : "",
                d ? d->msg : "");
    }
    uv_mutex_unlock(&r->err_mu);
}

static void on_error(sl_load__conn_t *c, const char *name, bool lost, const sl_diag_t *d)
{
    worker_t *w = c->owner;
    uv_mutex_lock(&w->mu);
    sl_load_stats_xerr(&w->stats, name, lost);
    uv_mutex_unlock(&w->mu);
    if (lost && c->req) {
        sl_load__feed_release(w->run->feed, c->req);
        c->req = NULL;
    }
    explain_once(w->run, w->base + c->id, name, d);
}

static void on_closed(sl_load__conn_t *c)
{
    worker_t *w = c->owner;
    if (c->req) {
        /* Abandoned by a forced stop. */
        uv_mutex_lock(&w->mu);
        sl_load_stats_xerr(&w->stats, "canceled", true);
        uv_mutex_unlock(&w->mu);
        sl_load__feed_release(w->run->feed, c->req);
        c->req = NULL;
    }
    w->nclosed++;
    check_ready(w);
    if (w->nclosed == w->nconns)
        finish(w);
}

static const sl_load__conn_ops_t worker_ops = { on_ready, on_response, on_error, on_closed };

/* ------------------------------------------------------------------------ */
/* Worker phases                                                            */
/* ------------------------------------------------------------------------ */

static void check_ready(worker_t *w)
{
    if (w->reported_ready || w->nready + w->nclosed < w->nconns)
        return;
    w->reported_ready = true;
    atomic_fetch_add(&w->run->nready, 1);
    uv_async_send(&w->run->main_async);
}

static void on_deadline(uv_timer_t *t)
{
    begin_stop(t->data, true);
}

static void go(worker_t *w)
{
    run_t *r = w->run;
    w->going = true;
    w->sched.start_ns = r->start_ns;
    if (r->o->duration_s > 0) {
        w->deadline_ns = r->start_ns + (uint64_t)(r->o->duration_s * 1e9);
        uv_timer_start(&w->deadline, on_deadline, (uint64_t)(r->o->duration_s * 1000), 0);
    }
    if (r->o->rate)
        dispatch_due(w);
    else
        drain_idle(w);
}

/* No new requests; connections close as their answers arrive. With
 * `count_unsent` (a deadline or a signal, not the end of the data), requests
 * whose time came but that never found a free connection are counted. */
static void begin_stop(worker_t *w, bool count_unsent)
{
    if (w->stopping)
        return;
    w->stopping = true;
    if (w->run->o->rate && w->going && count_unsent) {
        uint64_t end = sl_time_mono_ns();
        if (w->deadline_ns && end >= w->deadline_ns)
            end = w->deadline_ns - 1;
        uint64_t due = sl_load_sched_due_count(&w->sched, end);
        w->unsent = due > w->dispatched ? due - w->dispatched : 0;
    }
    for (unsigned i = 0; i < w->nconns; i++)
        if (!w->conns[i].busy)
            sl_load__conn_shutdown(&w->conns[i]);
}

static void abort_all(worker_t *w)
{
    w->stopping = true;
    for (unsigned i = 0; i < w->nconns; i++)
        sl_load__conn_shutdown(&w->conns[i]);
}

static void on_worker_async(uv_async_t *a)
{
    worker_t *w = a->data;
    if (atomic_load(&w->close_flag)) {
        /* The main loop sends nothing after this. */
        uv_close((uv_handle_t *)&w->async, NULL);
        return;
    }
    if (w->finished)
        return;
    if (atomic_load(&w->abort_flag)) {
        abort_all(w);
        return;
    }
    if (atomic_load(&w->stop_flag)) {
        begin_stop(w, true);
        return;
    }
    if (atomic_load(&w->go_flag) && !w->going)
        go(w);
}

/* Every connection is closed. The async handle stays open until the main
 * loop says so, so that it never signals a closed handle. */
static void finish(worker_t *w)
{
    if (w->finished)
        return;
    w->finished = true;
    uv_close((uv_handle_t *)&w->retry, NULL);
    uv_close((uv_handle_t *)&w->deadline, NULL);
    if (w->tfd >= 0)
        uv_close((uv_handle_t *)&w->tpoll, NULL);
    atomic_fetch_add(&w->run->ndone, 1);
    uv_async_send(&w->run->main_async);
}

static void start_conns(worker_t *w)
{
    for (unsigned i = 0; i < w->nconns; i++)
        sl_load__conn_start(&w->conns[i]);
    if (!w->nconns)
        check_ready(w);
}

static void worker_main(void *arg)
{
    worker_t *w = arg;
    start_conns(w);
    uv_run(w->loop, UV_RUN_DEFAULT);
}

/* Sets up a worker whose timerfd (open loop) is already in w->tfd. */
static void worker_init(run_t *r,
                        worker_t *w,
                        unsigned id,
                        unsigned nconns,
                        unsigned base,
                        uint64_t rate)
{
    const sl_load_opts_t *o = r->o;
    w->run = r;
    w->id = id;
    w->base = base;
    if (id == 0) {
        w->loop = r->main_loop;
    } else {
        uv_loop_init(&w->own_loop);
        w->loop = &w->own_loop;
    }
    uv_mutex_init(&w->mu);
    sl_load_stats_init(&w->stats);
    uv_async_init(w->loop, &w->async, on_worker_async);
    w->async.data = w;
    uv_timer_init(w->loop, &w->retry);
    w->retry.data = w;
    uv_timer_init(w->loop, &w->deadline);
    w->deadline.data = w;
    if (rate) {
        w->sched.rate = rate;
        w->sched.rows_per_post = o->rows_per_post;
        uv_poll_init(w->loop, &w->tpoll, w->tfd);
        w->tpoll.data = w;
        uv_poll_start(&w->tpoll, UV_READABLE, on_tick);
    }
    w->uuid_state = sl_time_mono_ns() ^ ((uint64_t)id << 56) ^ (uint64_t)getpid();
    w->sigs = sl_xcalloc(SIG_CACHE, sizeof *w->sigs);
    w->date_sec = -1;
    w->nconns = nconns;
    w->conns = sl_xcalloc(nconns ? nconns : 1, sizeof *w->conns);
    w->idle = sl_xcalloc(nconns ? nconns : 1, sizeof *w->idle);
    w->in_idle = sl_xcalloc(nconns ? nconns : 1, sizeof *w->in_idle);
    w->ever_ready = sl_xcalloc(nconns ? nconns : 1, sizeof *w->ever_ready);
    for (unsigned i = 0; i < nconns; i++)
        sl_load__conn_init(&w->conns[i],
                           w->loop,
                           &worker_ops,
                           w,
                           i,
                           &r->addr,
                           r->tls_ctx,
                           o->url.host,
                           (uint64_t)(o->timeout_s * 1000));
}

static void worker_dispose(worker_t *w)
{
    if (w->id != 0 && w->loop)
        uv_loop_close(&w->own_loop);
    if (w->tfd >= 0)
        close(w->tfd);
    uv_mutex_destroy(&w->mu);
    sl_free(w->conns);
    sl_free(w->idle);
    sl_free(w->in_idle);
    sl_free(w->ever_ready);
    sl_free(w->sigs);
    sl_buf_dispose(&w->head);
    sl_buf_wipe(&w->token);
}

/* ------------------------------------------------------------------------ */
/* Main loop: start, progress, signals, end                                 */
/* ------------------------------------------------------------------------ */

static void merged(run_t *r, sl_load_stats_t *out, uint64_t *last_answer)
{
    sl_load_stats_init(out);
    *last_answer = 0;
    for (unsigned i = 0; i < r->nw; i++) {
        worker_t *w = &r->w[i];
        uv_mutex_lock(&w->mu);
        sl_load_stats_merge(out, &w->stats);
        *last_answer = SL_MAX(*last_answer, w->last_answer_ns);
        uv_mutex_unlock(&w->mu);
    }
}

static void on_progress(uv_timer_t *t)
{
    run_t *r = t->data;
    sl_load_stats_t *sp = r->snap, s;
    uint64_t last, now = sl_time_mono_ns();
    merged(r, sp, &last);
    s = *sp;
    double dt = (double)(now - r->last_ns) / 1e9;
    char p99[16];
    sl_load_fmt_ns(sl_load_hist_quantile(&s.lat, 0.99), p99);
    fprintf(stderr,
            "%s%7.1fs  rows %llu  %.0f rows/s  %.2f MB/s  p99 %s  errors %llu%s",
            r->tty ? "\r" : "",
            (double)(now - r->start_ns) / 1e9,
            (unsigned long long)s.rows_ok,
            (double)(s.rows_ok - r->last_rows) / dt,
            (double)(s.bytes_ok - r->last_bytes) / dt / 1e6,
            p99,
            (unsigned long long)sl_load_stats_errors(&s),
            r->tty ? "\x1b[K" : "\n");
    fflush(stderr);
    r->progress_printed = true;
    r->last_rows = s.rows_ok;
    r->last_bytes = s.bytes_ok;
    r->last_ns = now;
}

static void main_close(run_t *r)
{
    if (r->main_closed)
        return;
    r->main_closed = true;
    uv_close((uv_handle_t *)&r->main_async, NULL);
    uv_close((uv_handle_t *)&r->progress, NULL);
    uv_close((uv_handle_t *)&r->sigint, NULL);
    uv_close((uv_handle_t *)&r->sigterm, NULL);
    if (r->token)
        sl_load__token_stop(r->token);
}

static void on_main_async(uv_async_t *a)
{
    run_t *r = a->data;
    if (!r->started && atomic_load(&r->nready) == r->nw && !r->signals) {
        r->started = true;
        getrusage(RUSAGE_SELF, &r->ru0);
        r->start_ns = r->last_ns = sl_time_mono_ns();
        if (!r->o->quiet)
            uv_timer_start(&r->progress, on_progress, 1000, 1000);
        for (unsigned i = 0; i < r->nw; i++) {
            atomic_store(&r->w[i].go_flag, true);
            uv_async_send(&r->w[i].async);
        }
    }
    if (atomic_load(&r->ndone) == r->nw && !r->main_closed) {
        for (unsigned i = 0; i < r->nw; i++) {
            atomic_store(&r->w[i].close_flag, true);
            uv_async_send(&r->w[i].async);
        }
        main_close(r);
    }
}

static void on_signal(uv_signal_t *s, int signum)
{
    run_t *r = s->data;
    r->signals++;
    for (unsigned i = 0; i < r->nw; i++) {
        worker_t *w = &r->w[i];
        if (w->finished)
            continue;
        atomic_store(r->signals > 1 ? &w->abort_flag : &w->stop_flag, true);
        uv_async_send(&w->async);
    }
}

static int setup(run_t *r, sl_diag_t *d)
{
    const sl_load_opts_t *o = r->o;
    int rc;
    if ((rc = sl_load__resolve(&o->url, &r->addr, d)))
        return rc;
    if (o->url.tls && (rc = sl_load_tls_ctx_client(o->cacert, o->insecure, &r->tls_ctx, d)))
        return rc;
    sl_load_reqcfg_t *c = &r->reqcfg;
    c->mode = o->mode;
    c->authority = o->url.authority;
    c->base_path = o->url.path;
    c->workspace_id = o->workspace_id;
    c->log_type = o->log_type;
    c->time_field = o->time_field;
    c->dcr = o->dcr;
    c->stream = o->stream;
    c->gzip = o->gzip;
    if (o->mode == SL_LOAD_MODE_DC && (rc = sl_load_sharedkey_init(&r->key, o->shared_key, d)))
        return rc;
    if ((rc = sl_load__feed_create(o, &r->feed, d)))
        return rc;
    /* The token last, so that it is fresh when the clock starts. */
    if (o->mode == SL_LOAD_MODE_LI && !o->token &&
        (rc = sl_load__token_create(r->main_loop, o, &r->token, d)))
        return rc;
    return 0;
}

int sl_load__run(const sl_load_opts_t *o,
                 sl_load_stats_t *stats,
                 sl_load_meta_t *meta,
                 sl_diag_t *d)
{
    memset(meta, 0, sizeof *meta);
    sl_load_stats_init(stats);
    run_t *r = sl_xcalloc(1, sizeof *r);
    int *tfds = sl_xmalloc(o->threads * sizeof *tfds);
    for (unsigned i = 0; i < o->threads; i++)
        tfds[i] = -1;
    r->o = o;
    r->main_loop = uv_default_loop();
    r->tty = isatty(2);
    uv_mutex_init(&r->err_mu);
    atomic_init(&r->nready, 0);
    atomic_init(&r->ndone, 0);
    r->snap = sl_xmalloc(sizeof *r->snap);
    unsigned base = 0;
    int rc = setup(r, d);
    if (rc)
        goto out;
    /* Timer fds first: after them nothing can fail half-way through setting
     * up the loops' handles. */
    for (unsigned i = 0; o->rate && i < o->threads; i++) {
        tfds[i] = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
        if (tfds[i] < 0) {
            rc = sl_diag_set(d, -errno, "timerfd_create: %s", strerror(errno));
            goto out;
        }
    }
    if (!o->quiet) {
        size_t slots;
        uint64_t bytes;
        const char *after;
        sl_load__feed_info(r->feed, &slots, &bytes, &after);
        fprintf(stderr,
                "sealog-load: %zu bodies prepared (%.1f MiB, %s); connecting %u\n",
                slots,
                (double)bytes / 1048576,
                after,
                o->connections);
    }

    uv_async_init(r->main_loop, &r->main_async, on_main_async);
    r->main_async.data = r;
    uv_timer_init(r->main_loop, &r->progress);
    r->progress.data = r;
    uv_signal_init(r->main_loop, &r->sigint);
    uv_signal_init(r->main_loop, &r->sigterm);
    r->sigint.data = r->sigterm.data = r;
    uv_signal_start(&r->sigint, on_signal, SIGINT);
    uv_signal_start(&r->sigterm, on_signal, SIGTERM);

    r->nw = o->threads;
    r->w = sl_xcalloc(r->nw, sizeof *r->w);
    for (unsigned i = 0; i < r->nw; i++) {
        unsigned nc = o->connections / r->nw + (i < o->connections % r->nw);
        uint64_t rate = o->rate ? o->rate / r->nw + (i < o->rate % r->nw) : 0;
        r->w[i].tfd = tfds[i];
        tfds[i] = -1; /* the worker owns it now */
        worker_init(r, &r->w[i], i, nc, base, rate);
        base += nc;
    }
    for (unsigned i = 1; i < r->nw; i++)
        uv_thread_create(&r->w[i].thread, worker_main, &r->w[i]);
    start_conns(&r->w[0]);
    uv_run(r->main_loop, UV_RUN_DEFAULT);
    for (unsigned i = 1; i < r->nw; i++)
        uv_thread_join(&r->w[i].thread);
    if (r->progress_printed && r->tty)
        fputc('\n', stderr);

    struct rusage ru1;
    getrusage(RUSAGE_SELF, &ru1);
    uint64_t last;
    merged(r, stats, &last);
    memset(meta, 0, sizeof *meta);
    meta->mode = o->mode == SL_LOAD_MODE_DC ? "dc" : "li";
    meta->url = o->url_text;
    meta->connections = o->connections;
    meta->threads = o->threads;
    meta->rows_per_post = o->rows_per_post;
    meta->rate = o->rate;
    meta->gzip = o->mode == SL_LOAD_MODE_LI && o->gzip;
    if (r->started) {
        uint64_t end = last > r->start_ns ? last : sl_time_mono_ns();
        meta->elapsed_s = (double)(end - r->start_ns) / 1e9;
        meta->cpu_user_s = (double)(ru1.ru_utime.tv_sec - r->ru0.ru_utime.tv_sec) +
                           (double)(ru1.ru_utime.tv_usec - r->ru0.ru_utime.tv_usec) / 1e6;
        meta->cpu_sys_s = (double)(ru1.ru_stime.tv_sec - r->ru0.ru_stime.tv_sec) +
                          (double)(ru1.ru_stime.tv_usec - r->ru0.ru_stime.tv_usec) / 1e6;
    }
    for (unsigned i = 0; i < r->nw; i++) {
        meta->unsent += r->w[i].unsent;
        meta->feed_stalls += r->w[i].stalls;
    }
    if (r->token)
        sl_load__token_counts(r->token, &meta->token_fetches, &meta->token_failures);
    for (unsigned i = 0; i < r->nw; i++)
        worker_dispose(&r->w[i]);
    if (!rc && !r->started)
        rc = sl_diag_set(d, SL_ECANCELED, "stopped before the run started");
out:
    for (unsigned i = 0; i < o->threads; i++)
        if (tfds[i] >= 0)
            close(tfds[i]);
    sl_free(tfds);
    if (r->token && !r->main_closed) {
        /* Set-up failed after the token source started its timer. */
        sl_load__token_stop(r->token);
        uv_run(r->main_loop, UV_RUN_DEFAULT);
    }
    if (r->feed) {
        sl_diag_t fd;
        int frc = sl_load__feed_destroy(r->feed, &fd);
        if (frc && !rc) {
            rc = frc;
            *d = fd;
        }
    }
    sl_load__token_destroy(r->token);
    sl_load_tls_ctx_destroy(r->tls_ctx);
    sl_load_sharedkey_dispose(&r->key);
    uv_mutex_destroy(&r->err_mu);
    sl_free(r->w);
    sl_free(r->snap);
    sl_free(r);
    uv_loop_close(uv_default_loop());
    return rc;
}
