/*
 * The store's public face: open (replay included), submit, completions,
 * flush, schema lookups, counters, close.
 *
 *   sl_store_open ─ load tables ─ open segments ─ open WAL ─ replay ─ threads
 *   sl_store_close ─ stop threads (commit queued, write all blocks) ─ close
 */
#include "store/store_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <zstd.h>

typedef struct replay_ctx {
    sl_store_t *s;
    uint64_t records, held;
} replay_ctx_t;

static int on_replay(void *arg, uint64_t lsn, sl_scope_t scope, const uint8_t *payload,
                     size_t n, sl_diag_t *d)
{
    replay_ctx_t *rc = arg;
    sl_store_t *s = rc->s;
    if (!payload) {
        /* Key unavailable: the record stays in the WAL until it can be read. */
        if (!s->held_min_lsn)
            s->held_min_lsn = lsn;
        rc->held++;
        return 0;
    }
    sl_batch_t *b;
    int r = sl_store__batch_decode(payload, n, &b);
    if (r)
        return sl_diag_set(d, r, "WAL record LSN %llu has a malformed payload",
                           (unsigned long long)lsn);
    b->scope = scope;
    sl_pending_t p = { 0 };
    p.batch = b;
    p.lsn = lsn;
    p.replayed = true;
    r = sl_store__schema_merge(s->schema, &b->ws, b->table, &b->rows, &p.table_id, d);
    if (!r)
        r = sl_store__builders_add(s, &p, d);
    if (!r)
        r = sl_store__builders_flush(s, false, d);
    sl_batch_destroy(b);
    rc->records++;
    return r;
}

int sl_store_open(const sl_store_opts_t *o, sl_store_t **out, sl_diag_t *d)
{
    sl_store_t *s = sl_xcalloc(1, sizeof *s);
    s->o = *o;
    snprintf(s->data_dir, sizeof s->data_dir, "%s", o->data_dir);
    s->o.data_dir = s->data_dir;
    s->kr = o->keyring;
    s->cat = o->catalog;
    if (!s->o.block_max_rows)
        s->o.block_max_rows = 65536;
    if (!s->o.block_max_bytes)
        s->o.block_max_bytes = 4u << 20;
    if (!s->o.flush_interval_ms)
        s->o.flush_interval_ms = 1000;
    if (!s->o.wal_file_size)
        s->o.wal_file_size = 64u << 20;
    if (!s->o.queue_max_bytes)
        s->o.queue_max_bytes = 256u << 20;
    if (!s->o.segment_span_ms)
        s->o.segment_span_ms = 86400000;
    pthread_mutex_init(&s->mu, NULL);
    pthread_rwlockattr_t ra;
    pthread_rwlockattr_init(&ra);
    /* Queries take it often and briefly; the writer must not starve. */
    pthread_rwlockattr_setkind_np(&ra, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&s->vis, &ra);
    pthread_rwlockattr_destroy(&ra);
    pthread_cond_init(&s->wal_cv, NULL);
    pthread_cond_init(&s->seg_cv, NULL);
    pthread_cond_init(&s->flush_cv, NULL);
    s->zc = ZSTD_createCCtx();
    char path[4200];
    int rc = sl_store__schema_load(s->cat, &s->schema, d);
    if (!rc) {
        snprintf(path, sizeof path, "%s/segments", s->data_dir);
        rc = sl_store__segs_open(path, s->o.segment_span_ms * SL_TICKS_PER_MS, &s->segs, d);
    }
    if (!rc) {
        snprintf(path, sizeof path, "%s/wal", s->data_dir);
        rc = sl_store__wal_open(path, s->kr, s->o.wal_file_size, &s->wal, d);
    }
    replay_ctx_t rctx = { s, 0, 0 };
    if (!rc)
        rc = sl_store__wal_replay(s->wal, on_replay, &rctx, d);
    if (!rc) {
        atomic_store(&s->committed_through, sl_store__wal_next_lsn(s->wal) - 1);
        /* Whatever replay left in builders is written now, so a node that
         * crashes again and again still makes progress. */
        rc = sl_store__builders_flush(s, true, d);
        atomic_store(&s->durable_through, sl_store__low_water(s) - 1);
        sl_store__wal_release(s->wal, atomic_load(&s->durable_through));
    }
    if (!rc)
        rc = sl_store__threads_start(s, d);
    if (rc) {
        sl_store_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

void sl_store_close(sl_store_t *s)
{
    if (!s)
        return;
    sl_store__threads_stop(s);
    /* Batches that never reached the WAL thread (only if it failed to start). */
    for (sl_pending_t *p = s->wal_head, *n; p; p = n) {
        n = p->next;
        sl_buf_dispose(&p->payload);
        sl_batch_destroy(p->batch);
        sl_free(p);
    }
    for (sl_pending_t *p = s->done_head, *n; p; p = n) {
        n = p->next;
        sl_free(p);
    }
    sl_store__builders_free(s);
    sl_store__wal_close(s->wal);
    sl_store__segs_close(s->segs);
    sl_store__schema_destroy(s->schema);
    if (s->zc)
        ZSTD_freeCCtx(s->zc);
    pthread_cond_destroy(&s->wal_cv);
    pthread_cond_destroy(&s->seg_cv);
    pthread_cond_destroy(&s->flush_cv);
    pthread_mutex_destroy(&s->mu);
    pthread_rwlock_destroy(&s->vis);
    sl_free(s);
}

int sl_store_submit(sl_store_t *s, sl_batch_t *b, void *user, sl_diag_t *d)
{
    uint64_t aek;
    uint32_t kv;
    int rc;
    if (sl_colset_find(&b->rows, "TimeGenerated") < 0) {
        rc = sl_diag_set(d, SL_EINVAL, "batch without TimeGenerated");
        goto fail;
    }
    if (sl_keyring_active(s->kr, b->scope, &aek, &kv)) {
        rc = sl_diag_set(d, SL_EKEYUNAVAIL, "the %s key is not available",
                         b->scope == SL_SCOPE_CMK ? "customer-managed" : "service-managed");
        goto fail;
    }
    sl_pending_t *p = sl_xcalloc(1, sizeof *p);
    rc = sl_store__schema_merge(s->schema, &b->ws, b->table, &b->rows, &p->table_id, d);
    if (rc) {
        sl_free(p);
        goto fail;
    }
    /* Serialise here, on the caller's thread, so the WAL thread only seals. */
    sl_store__batch_encode(b, &p->payload);
    p->batch = b;
    p->user = user;
    p->bytes = p->payload.len;
    pthread_mutex_lock(&s->mu);
    /* The bound covers rows waiting for the WAL and rows committed but not yet
     * taken by the block builders: when building falls behind acknowledging,
     * ingestion slows down (503 + Retry-After) instead of memory growing. */
    uint64_t held = s->queued_bytes + s->backlog_bytes;
    if (s->stop_wal || (held && held + p->bytes > s->o.queue_max_bytes)) {
        pthread_mutex_unlock(&s->mu);
        atomic_fetch_add(&s->st.queue_rejects, 1);
        sl_buf_dispose(&p->payload);
        sl_free(p);
        rc = sl_diag_set(d, SL_EBUSY, "the write queue is full");
        goto fail;
    }
    s->queued_bytes += p->bytes;
    p->next = NULL;
    if (s->wal_tail)
        s->wal_tail->next = p;
    else
        s->wal_head = p;
    s->wal_tail = p;
    pthread_cond_signal(&s->wal_cv);
    pthread_mutex_unlock(&s->mu);
    atomic_fetch_add(&s->st.batches, 1);
    atomic_fetch_add(&s->st.rows, b->rows.nrows);
    atomic_fetch_add(&s->st.raw_bytes, b->raw_bytes);
    return 0;
fail:
    sl_batch_destroy(b);
    return rc;
}

size_t sl_store_completions(sl_store_t *s, sl_store_done_cb cb, void *arg)
{
    pthread_mutex_lock(&s->mu);
    sl_pending_t *list = s->done_head;
    s->done_head = s->done_tail = NULL;
    pthread_mutex_unlock(&s->mu);
    size_t n = 0;
    for (sl_pending_t *p = list, *next; p; p = next) {
        next = p->next;
        cb(arg, p->user, p->status, p->lsn);
        sl_free(p);
        n++;
    }
    return n;
}

void sl_store_flush(sl_store_t *s)
{
    pthread_mutex_lock(&s->mu);
    /* Wait for the WAL queue to drain into the segment queue first. */
    uint64_t ticket = ++s->flush_req;
    pthread_cond_signal(&s->seg_cv);
    while (s->flush_done < ticket || s->wal_head)
        pthread_cond_wait(&s->flush_cv, &s->mu);
    pthread_mutex_unlock(&s->mu);
}

int sl_store_table_get(sl_store_t *s, const sl_guid_t *ws, const char *table, sl_table_def_t *out)
{
    return sl_store__schema_get(s->schema, ws, table, out);
}

int sl_store_table_list(sl_store_t *s, const sl_guid_t *ws, sl_table_def_t **out, size_t *n)
{
    return sl_store__schema_list(s->schema, ws, out, n);
}

void sl_table_def_dispose(sl_table_def_t *t)
{
    sl_store__table_def_dispose(t);
}

void sl_table_list_free(sl_table_def_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sl_store__table_def_dispose(&v[i]);
    sl_free(v);
}

void sl_store_stats(sl_store_t *s, sl_store_stats_t *o)
{
    memset(o, 0, sizeof *o);
    o->batches = atomic_load(&s->st.batches);
    o->rows = atomic_load(&s->st.rows);
    o->raw_bytes = atomic_load(&s->st.raw_bytes);
    o->wal_groups = atomic_load(&s->st.wal_groups);
    o->wal_records = atomic_load(&s->st.wal_records);
    o->wal_bytes = atomic_load(&s->st.wal_bytes);
    o->blocks = atomic_load(&s->st.blocks);
    o->block_rows = atomic_load(&s->st.block_rows);
    o->block_bytes = atomic_load(&s->st.block_bytes);
    o->queue_rejects = atomic_load(&s->st.queue_rejects);
    o->ns_wal_seal = atomic_load(&s->st.ns_wal_seal);
    o->ns_wal_write = atomic_load(&s->st.ns_wal_write);
    o->ns_wal_sync = atomic_load(&s->st.ns_wal_sync);
    o->ns_encode = atomic_load(&s->st.ns_encode);
    o->ns_compress = atomic_load(&s->st.ns_compress);
    o->ns_encrypt = atomic_load(&s->st.ns_encrypt);
    o->ns_commit = atomic_load(&s->st.ns_commit);
    o->durable_through = atomic_load(&s->durable_through);
    pthread_mutex_lock(&s->mu);
    o->queue_bytes = s->queued_bytes;
    o->backlog_bytes = s->backlog_bytes;
    pthread_mutex_unlock(&s->mu);
}
