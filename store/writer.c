/*
 * The store's two threads.
 *
 * The WAL thread owns acknowledgement: it takes every batch queued since its
 * last round, seals them into records, writes them with one writev and one
 * fdatasync (group commit), then reports each outcome through the
 * completion list and the on_commit hook, and passes the rows on.
 *
 * The segment writer thread owns the segments: it puts committed rows into
 * builders and writes blocks when a builder is full or old enough. It never
 * delays an acknowledgement. After each round it publishes how far the WAL
 * is now redundant (durable_through); the WAL thread then deletes old files.
 *
 *   submit ─▶ [wal queue] ─WAL thread─▶ fsync ─▶ completions (loop)
 *                                         └────▶ [seg queue] ─segment writer─▶ blocks
 */
#include "store/store_int.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include <zstd.h>

static void push(sl_pending_t **head, sl_pending_t **tail, sl_pending_t *p)
{
    p->next = NULL;
    if (*tail)
        (*tail)->next = p;
    else
        *head = p;
    *tail = p;
}

static void *wal_main(void *arg)
{
    sl_store_t *s = arg;
    sl_wal_item_t *items = NULL;
    size_t cap = 0;
    for (;;) {
        pthread_mutex_lock(&s->mu);
        while (!s->wal_head && !s->stop_wal)
            pthread_cond_wait(&s->wal_cv, &s->mu);
        if (!s->wal_head && s->stop_wal) {
            pthread_mutex_unlock(&s->mu);
            break;
        }
        sl_pending_t *group = s->wal_head;
        s->wal_head = s->wal_tail = NULL;
        pthread_mutex_unlock(&s->mu);

        size_t n = 0;
        for (sl_pending_t *p = group; p; p = p->next)
            n++;
        if (n > cap) {
            cap = n * 2;
            items = sl_xrealloc(items, cap * sizeof *items);
        }
        size_t i = 0;
        for (sl_pending_t *p = group; p; p = p->next, i++) {
            items[i] = (sl_wal_item_t){ p->batch->scope, (const uint8_t *)p->payload.data,
                                        p->payload.len, 0, 0 };
        }
        uint64_t t0 = sl_time_mono_ns();
        sl_diag_t d;
        sl_store__wal_append(s->wal, items, n, &d);
        uint64_t t1 = sl_time_mono_ns();
        atomic_fetch_add(&s->st.ns_wal_write, t1 - t0);
        atomic_fetch_add(&s->st.wal_groups, 1);

        pthread_mutex_lock(&s->mu);
        i = 0;
        uint64_t last = atomic_load(&s->committed_through);
        for (sl_pending_t *p = group, *next; p; p = next, i++) {
            next = p->next;
            p->status = items[i].status;
            p->lsn = items[i].lsn;
            s->queued_bytes -= p->bytes;
            sl_buf_dispose(&p->payload);
            atomic_fetch_add(&s->st.wal_records, !p->status);
            atomic_fetch_add(&s->st.wal_bytes, p->status ? 0 : p->bytes);
            /* The caller learns the outcome; the rows go on to the builders. */
            sl_pending_t *done = sl_xcalloc(1, sizeof *done);
            done->user = p->user;
            done->status = p->status;
            done->lsn = p->lsn;
            push(&s->done_head, &s->done_tail, done);
            if (p->status) {
                sl_batch_destroy(p->batch);
                sl_free(p);
            } else {
                last = p->lsn;
                s->backlog_bytes += p->bytes;
                push(&s->seg_head, &s->seg_tail, p);
            }
        }
        atomic_store(&s->committed_through, last);
        pthread_cond_signal(&s->seg_cv);
        pthread_mutex_unlock(&s->mu);
        if (s->o.on_commit)
            s->o.on_commit(s->o.on_commit_arg);
        sl_store__wal_release(s->wal, atomic_load(&s->durable_through));
    }
    sl_free(items);
    return NULL;
}

static void *seg_main(void *arg)
{
    sl_store_t *s = arg;
    for (;;) {
        pthread_mutex_lock(&s->mu);
        if (!s->seg_head && !s->stop_seg && s->flush_req == s->flush_done && !s->purge) {
            /* Sleep until work arrives or the oldest builder comes due. */
            uint64_t wait_ms = s->builders ? (uint64_t)s->o.flush_interval_ms / 4 + 1 : 1000;
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += (time_t)(wait_ms / 1000);
            ts.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&s->seg_cv, &s->mu, &ts);
        }
        pthread_mutex_unlock(&s->mu);

        /* Rows move from the queue to builders to blocks only under `vis`
         * held exclusively, so that snapshots see each row exactly once. */
        pthread_rwlock_wrlock(&s->vis);
        pthread_mutex_lock(&s->mu);
        sl_pending_t *work = s->seg_head;
        s->seg_head = s->seg_tail = NULL;
        bool stop = s->stop_seg && !work;
        uint64_t want_flush = s->flush_req;
        sl_purge_job_t *purge = s->purge;
        pthread_mutex_unlock(&s->mu);
        s->seg_work = work;
        pthread_rwlock_unlock(&s->vis);

        sl_diag_t d;
        for (sl_pending_t *p = work, *next; p; p = next) {
            next = p->next;
            pthread_rwlock_wrlock(&s->vis);
            sl_store__builders_add(s, p, &d);
            s->seg_work = next;
            /* Keep builders bounded while a large queue drains. */
            sl_store__builders_flush(s, false, &d);
            pthread_rwlock_unlock(&s->vis);
            pthread_mutex_lock(&s->mu);
            s->backlog_bytes -= p->bytes;
            pthread_mutex_unlock(&s->mu);
            sl_batch_destroy(p->batch);
            sl_free(p);
        }
        bool all = stop || want_flush != s->flush_done || purge;
        pthread_rwlock_wrlock(&s->vis);
        sl_store__builders_flush(s, all, &d);
        if (purge)
            sl_store__purge_run(s, purge); /* builders are empty: no segment is in use */
        pthread_rwlock_unlock(&s->vis);
        atomic_store(&s->durable_through, sl_store__low_water(s) - 1);

        pthread_mutex_lock(&s->mu);
        if (purge) {
            purge->done = true;
            s->purge = NULL;
            pthread_cond_broadcast(&s->flush_cv);
        }
        if (all && !s->seg_head) {
            s->flush_done = want_flush;
            pthread_cond_broadcast(&s->flush_cv);
        }
        pthread_mutex_unlock(&s->mu);
        if (stop)
            break;
    }
    return NULL;
}

int sl_store__threads_start(sl_store_t *s, sl_diag_t *d)
{
    if (pthread_create(&s->wal_thr, NULL, wal_main, s))
        return sl_diag_set(d, -errno, "cannot start the WAL thread");
    if (pthread_create(&s->seg_thr, NULL, seg_main, s)) {
        pthread_mutex_lock(&s->mu);
        s->stop_wal = true;
        pthread_cond_signal(&s->wal_cv);
        pthread_mutex_unlock(&s->mu);
        pthread_join(s->wal_thr, NULL);
        return sl_diag_set(d, -errno, "cannot start the segment writer thread");
    }
    s->started = true;
    return 0;
}

void sl_store__threads_stop(sl_store_t *s)
{
    if (!s->started)
        return;
    pthread_mutex_lock(&s->mu);
    s->stop_wal = true;
    pthread_cond_signal(&s->wal_cv);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->wal_thr, NULL);
    pthread_mutex_lock(&s->mu);
    s->stop_seg = true;
    pthread_cond_signal(&s->seg_cv);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->seg_thr, NULL);
    s->started = false;
    /* Everything is in blocks now: the WAL can shrink to its active file. */
    sl_store__wal_release(s->wal, atomic_load(&s->durable_through));
}
