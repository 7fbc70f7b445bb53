/*
 * Parallel scans.
 *
 * A fragment is a scan, the row operators above it (where, project ...),
 * and a sink: collect, take n, count, group (summarize, distinct) or top n.
 * The scan's blocks come from one storage snapshot; workers claim block
 * numbers from an atomic counter, decode only the needed columns, apply
 * the row operators and feed their own sink. The coordinator (the calling
 * thread) works too, so a query progresses even when no helper thread is
 * free; helpers are offered to the caller's thread pool and any that start
 * after the blocks are gone simply leave.
 *
 * Results stay deterministic where KQL promises an order: collected
 * batches are kept per block and concatenated in block (time) order.
 * take stops claiming blocks once enough rows are in hand; groups and top
 * candidates are merged at the end.
 */
#include "query/query_int.h"

#include <pthread.h>
#include <string.h>

enum { SINK_COLLECT, SINK_TAKE, SINK_COUNT, SINK_GROUPS, SINK_TOP };

typedef struct worker {
    struct worker *next;
    sl_qgroups_t groups;
    sl_qbatch_t top;
    bool has_groups, has_top;
} worker_t;

typedef struct frag {
    sl_qexec_t *x;
    const sl_qplan_t *sink, *scan;
    const sl_qplan_t **chain; /* row operators, scan side first */
    size_t nchain;
    int kind;
    sl_snap_t *snap;
    size_t nblocks;
    const char ***cols; /* per leg: stored columns to read */
    size_t *ncols;
    _Atomic size_t next;
    _Atomic int64_t rows; /* count / take progress */
    _Atomic bool enough;  /* take: stop claiming blocks */
    sl_qbatch_t *slots;   /* collect / take: output per block */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int running;
    bool closed;
    int refs;
    worker_t *workers;
    int rc;
    sl_diag_t d;
} frag_t;

static void frag_unref(frag_t *f)
{
    pthread_mutex_lock(&f->mu);
    bool last = --f->refs == 0;
    pthread_mutex_unlock(&f->mu);
    if (!last)
        return;
    pthread_mutex_destroy(&f->mu);
    pthread_cond_destroy(&f->cv);
    sl_free(f);
}

static void fail(frag_t *f, int rc, const sl_diag_t *d)
{
    pthread_mutex_lock(&f->mu);
    if (!f->rc) {
        f->rc = rc;
        f->d = *d;
    }
    pthread_mutex_unlock(&f->mu);
    atomic_store(&f->x->q->stop, true);
}

/* Builds block i's batch in the scan's column order. */
static int load_block(frag_t *f, size_t i, sl_snap_reader_t *rd, sl_qbatch_t *b, sl_qrt_t *rt)
{
    const sl_qplan_t *s = f->scan;
    const sl_snap_block_t *blk = sl_store_snap_block(f->snap, i);
    const sl_qleg_t *leg = &s->scan.legs[blk->table];
    sl_colset_t rows;
    sl_colset_init(&rows);
    uint64_t dec = 0;
    bool skipped = false;
    int rc = sl_store_snap_read_probed(f->snap, i, f->cols[blk->table], f->ncols[blk->table],
                                       s->scan.probes, s->scan.nprobes, rd, &rows, &dec,
                                       &skipped, rt->d);
    atomic_fetch_add(&f->x->q->bytes_decrypted, dec);
    if (skipped) {
        /* Its term filter proves no row can pass the query's `has`. */
        atomic_fetch_add(&f->x->q->blocks_pruned, 1);
        sl_colset_dispose(&rows);
        sl_qbatch_init(b, s->out.n);
        return 0;
    }
    atomic_fetch_add(&f->x->q->rows_scanned, blk->rows);
    if (!blk->memory)
        atomic_fetch_add(&f->x->q->blocks_read, 1);
    if (rc) {
        sl_colset_dispose(&rows);
        return rc;
    }
    sl_qbatch_init(b, s->out.n);
    b->n = rows.nrows;
    int tcol = -1;
    for (size_t c = 0; c < rows.ncols; c++) {
        for (size_t k = 0; k < leg->ncols; k++) {
            if (strcmp(leg->colnames[k], rows.cols[c].name) != 0)
                continue;
            int at = leg->map[k];
            if (at >= 0 && !b->cols[at] && rows.cols[c].type == s->out.types[at]) {
                b->cols[at] = sl_qvec_adopt(&rows.cols[c]);
                if (!strcmp(leg->colnames[k], "TimeGenerated"))
                    tcol = at;
            }
            break;
        }
    }
    sl_colset_dispose(&rows);
    char ws[37];
    sl_guid_format(&leg->ws, ws);
    for (size_t c = 0; c < s->out.n; c++) {
        if (b->cols[c] || !s->need[c])
            continue;
        if ((int)c == s->scan.type_col || (int)c == s->scan.source_col)
            b->cols[c] = sl_qvec_const_text(SL_TYPE_STRING, leg->table, strlen(leg->table));
        else if ((int)c == s->scan.tenant_col)
            b->cols[c] = sl_qvec_const_text(SL_TYPE_STRING, ws, 36);
        else
            b->cols[c] = sl_qvec_const_null(s->out.types[c]);
    }
    /* Rows outside the scan's range (the block straddles an edge). */
    if (tcol >= 0 && (blk->tmin < s->scan.t0 || blk->tmax > s->scan.t1)) {
        const sl_qvec_t *t = b->cols[tcol];
        uint8_t *keep = sl_xmalloc(b->n ? b->n : 1);
        for (size_t r = 0; r < b->n; r++) {
            int64_t v = sl_qvec_i64(t, r);
            keep[r] = v >= s->scan.t0 && v <= s->scan.t1;
        }
        sl_qbatch_filter(b, keep);
        sl_free(keep);
    }
    return 0;
}

static int run_chain(frag_t *f, sl_qbatch_t *b, sl_qrt_t *rt)
{
    int rc = 0;
    for (size_t k = 0; k < f->nchain && !rc && b->n; k++) {
        const sl_qplan_t *op = f->chain[k];
        rc = op->kind == SL_QP_FILTER ? sl_qop_filter(op, b, rt) : sl_qop_project(op, b, rt);
    }
    return rc;
}

static int feed(frag_t *f, worker_t *w, size_t i, sl_qbatch_t *b, sl_qrt_t *rt)
{
    switch (f->kind) {
    case SINK_COUNT:
        atomic_fetch_add(&f->rows, (int64_t)b->n);
        sl_qbatch_dispose(b);
        return 0;
    case SINK_TAKE: {
        int64_t want = f->sink->take.n;
        sl_qbatch_truncate(b, (size_t)want);
        if (atomic_fetch_add(&f->rows, (int64_t)b->n) + (int64_t)b->n >= want)
            atomic_store(&f->enough, true);
    }
        /* fall through */
    case SINK_COLLECT: {
        int rc = sl_qrt_charge(rt, (int64_t)sl_qbatch_bytes(b));
        f->slots[i] = *b; /* each block index is claimed once: no lock */
        memset(b, 0, sizeof *b);
        return rc;
    }
    case SINK_GROUPS: {
        if (!w->has_groups) {
            sl_qgroups_init(&w->groups, f->sink);
            w->has_groups = true;
        }
        int rc = sl_qgroups_add(&w->groups, b, rt);
        sl_qbatch_dispose(b);
        return rc;
    }
    default: { /* SINK_TOP */
        if (!w->has_top) {
            sl_qbatch_init(&w->top, f->sink->out.n);
            w->has_top = true;
        }
        int rc = sl_qop_top_add(f->sink, &w->top, b, rt);
        sl_qbatch_dispose(b);
        return rc;
    }
    }
}

static void work(frag_t *f)
{
    worker_t *w = sl_xcalloc(1, sizeof *w);
    pthread_mutex_lock(&f->mu);
    w->next = f->workers;
    f->workers = w;
    pthread_mutex_unlock(&f->mu);
    sl_diag_t d = { 0 };
    sl_qrt_t rt;
    sl_qrt_init(&rt, f->x->q, &d);
    sl_snap_reader_t *rd = sl_store_snap_reader_new();
    for (;;) {
        if (atomic_load(&f->enough))
            break;
        if (sl_qrt_stopped(&rt))
            break;
        size_t i = atomic_fetch_add(&f->next, 1);
        if (i >= f->nblocks)
            break;
        sl_qbatch_t b = { 0 };
        int rc = load_block(f, i, rd, &b, &rt);
        if (!rc)
            rc = run_chain(f, &b, &rt);
        if (!rc)
            rc = feed(f, w, i, &b, &rt);
        sl_qbatch_dispose(&b);
        if (rc) {
            fail(f, rc, &d);
            break;
        }
    }
    sl_store_snap_reader_free(rd);
    sl_qrt_dispose(&rt);
}

static void helper_main(void *task)
{
    frag_t *f = task;
    pthread_mutex_lock(&f->mu);
    bool go = !f->closed;
    if (go)
        f->running++;
    pthread_mutex_unlock(&f->mu);
    if (go) {
        work(f);
        pthread_mutex_lock(&f->mu);
        f->running--;
        pthread_cond_broadcast(&f->cv);
        pthread_mutex_unlock(&f->mu);
    }
    frag_unref(f);
}

/* Stored columns each leg must read: those the scan's needed outputs map
 * to, plus TimeGenerated when the range is bounded (rows are checked). */
static void plan_columns(frag_t *f, sl_pool_t *pool)
{
    const sl_qplan_t *s = f->scan;
    bool bounded = s->scan.t0 != INT64_MIN || s->scan.t1 != INT64_MAX;
    f->cols = sl_pool_calloc(pool, (s->scan.nlegs + 1) * sizeof *f->cols);
    f->ncols = sl_pool_calloc(pool, (s->scan.nlegs + 1) * sizeof *f->ncols);
    for (size_t l = 0; l < s->scan.nlegs; l++) {
        const sl_qleg_t *leg = &s->scan.legs[l];
        f->cols[l] = sl_pool_calloc(pool, (leg->ncols + 1) * sizeof(char *));
        for (size_t k = 0; k < leg->ncols; k++) {
            int at = leg->map[k];
            bool want = at >= 0 && s->need[at];
            if (bounded && !strcmp(leg->colnames[k], "TimeGenerated"))
                want = true;
            if (want)
                f->cols[l][f->ncols[l]++] = leg->colnames[k];
        }
    }
}

static int finish(frag_t *f, sl_qbatch_t *out, sl_qrt_t *rt)
{
    const sl_qplan_t *sink = f->sink;
    int rc = 0;
    switch (f->kind) {
    case SINK_COUNT:
        sl_qbatch_init(out, 1);
        out->n = 1;
        out->cols[0] = sl_qvec_new(SL_TYPE_LONG, 1);
        sl_qvec_i64w(out->cols[0])[0] = atomic_load(&f->rows);
        return 0;
    case SINK_COLLECT:
    case SINK_TAKE:
        sl_qbatch_init(out, sink->out.n);
        for (size_t i = 0; i < f->nblocks; i++) {
            if (f->slots[i].ncols && f->slots[i].n)
                sl_qbatch_append(out, &f->slots[i]);
            sl_qbatch_dispose(&f->slots[i]);
        }
        if (f->kind == SINK_TAKE)
            sl_qbatch_truncate(out, (size_t)sink->take.n);
        return 0;
    case SINK_GROUPS: {
        sl_qgroups_t all;
        sl_qgroups_init(&all, sink);
        for (worker_t *w = f->workers; w && !rc; w = w->next)
            if (w->has_groups)
                rc = sl_qgroups_merge(&all, &w->groups, rt);
        if (!rc)
            rc = sl_qgroups_finish(&all, out, rt);
        sl_qgroups_dispose(&all);
        return rc;
    }
    default: {
        sl_qbatch_init(out, sink->out.n);
        for (worker_t *w = f->workers; w; w = w->next)
            if (w->has_top)
                sl_qbatch_append(out, &w->top);
        return sl_qop_sort(sink, out, sink->sort.limit, rt);
    }
    }
}

int sl_qexec_fragment(sl_qexec_t *x, const sl_qplan_t *sink, const sl_qplan_t *scan,
                      sl_qbatch_t *out)
{
    frag_t *f = sl_xcalloc(1, sizeof *f);
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->cv, NULL);
    f->refs = 1;
    f->x = x;
    f->sink = sink;
    f->scan = scan;
    switch (sink->kind) {
    case SL_QP_COUNT:
        f->kind = SINK_COUNT;
        break;
    case SL_QP_TAKE:
        f->kind = SINK_TAKE;
        break;
    case SL_QP_SUMMARIZE:
    case SL_QP_DISTINCT:
        f->kind = SINK_GROUPS;
        break;
    case SL_QP_SORT:
        f->kind = SINK_TOP;
        break;
    default:
        f->kind = SINK_COLLECT;
        break;
    }
    /* The row operators between the scan and the sink. */
    size_t n = 0;
    const sl_qplan_t *top = f->kind == SINK_COLLECT ? sink : sink->input;
    for (const sl_qplan_t *p = top; p != scan; p = p->input)
        n++;
    sl_pool_t *pool = sl_pool_create();
    f->chain = sl_pool_calloc(pool, (n + 1) * sizeof *f->chain);
    f->nchain = n;
    for (const sl_qplan_t *p = top; p != scan; p = p->input)
        f->chain[--n] = p;
    plan_columns(f, pool);

    sl_snap_table_t *tabs = sl_pool_calloc(pool, (scan->scan.nlegs + 1) * sizeof *tabs);
    for (size_t l = 0; l < scan->scan.nlegs; l++) {
        tabs[l].ws = scan->scan.legs[l].ws;
        tabs[l].table = scan->scan.legs[l].table;
    }
    int rc = 0;
    if (scan->scan.t0 <= scan->scan.t1 && scan->scan.nlegs)
        rc = sl_store_snap_open(x->store, tabs, scan->scan.nlegs, scan->scan.t0, scan->scan.t1,
                                &f->snap, x->d);
    if (!rc) {
        f->nblocks = f->snap ? sl_store_snap_count(f->snap) : 0;
        if (f->snap)
            atomic_fetch_add(&x->q->blocks_pruned, sl_store_snap_pruned(f->snap));
        f->slots = sl_xcalloc(f->nblocks + 1, sizeof *f->slots);
        unsigned helpers = x->spawn ? x->helpers : 0;
        if (helpers > f->nblocks)
            helpers = f->nblocks ? (unsigned)f->nblocks - 1 : 0;
        for (unsigned h = 0; h < helpers; h++) {
            pthread_mutex_lock(&f->mu);
            f->refs++;
            pthread_mutex_unlock(&f->mu);
            x->spawn(x->spawn_arg, helper_main, f);
        }
        work(f);
        pthread_mutex_lock(&f->mu);
        f->closed = true;
        while (f->running)
            pthread_cond_wait(&f->cv, &f->mu);
        pthread_mutex_unlock(&f->mu);
        rc = f->rc;
        if (rc && x->d)
            *x->d = f->d;
        if (!rc && atomic_load(&x->q->stop)) {
            /* Workers left early without an error of their own. */
            bool late = x->q->deadline_ns && sl_time_mono_ns() > x->q->deadline_ns;
            rc = sl_diag_set(x->d, late ? SL_ETIMEOUT : SL_ECANCELED,
                             late ? "the query ran past its time limit"
                                  : "the query was cancelled");
        }
    }
    if (!rc) {
        sl_qrt_t rt;
        sl_qrt_init(&rt, x->q, x->d);
        rc = finish(f, out, &rt);
        sl_qrt_dispose(&rt);
        /* No rows arrived: needed columns still exist, empty. */
        for (size_t c = 0; !rc && c < out->ncols; c++)
            if (!out->cols[c] && sink->need[c])
                out->cols[c] = sl_qvec_new(sink->out.types[c], 0);
    }
    for (worker_t *w = f->workers, *nx; w; w = nx) {
        nx = w->next;
        if (w->has_groups)
            sl_qgroups_dispose(&w->groups);
        if (w->has_top)
            sl_qbatch_dispose(&w->top);
        sl_free(w);
    }
    if (f->slots) {
        for (size_t i = 0; i < f->nblocks; i++)
            sl_qbatch_dispose(&f->slots[i]);
        sl_free(f->slots);
    }
    sl_store_snap_close(f->snap);
    sl_pool_destroy(pool);
    frag_unref(f);
    return rc;
}
