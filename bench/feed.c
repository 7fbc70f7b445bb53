/*
 * The feed: request bodies, prepared ahead of time so that the generator
 * measures the server and not its own JSON writing.
 *
 * Bodies live in a ring of slots. Before the clock starts the feed fills
 * slots until the run's rows are all prepared or the ring's budget
 * (--ring-mb of uncompressed JSON) is spent. Runs that need more bodies
 * than that go on in one of two ways:
 *
 *   --total-rows N: every row must be sent once (a data set is being
 *     loaded), so a refill thread re-uses slots whose requests have been
 *     answered, in request order, and memory stays bounded. If a connection
 *     ever finds the next body not ready, the refill thread is the
 *     bottleneck; the run counts those stalls and the report says so.
 *   --duration only: the ring is sent again from the start. Nothing is
 *     generated while the clock runs, so the generator's CPU stays out of
 *     the measurement; the data repeats only after --ring-mb (512 MiB by
 *     default, ~2 M rows), far beyond any block or dictionary the server
 *     builds.
 *
 * Slot life: FREE --refill--> READY --take--> TAKEN --release--> FREE (or
 * back to READY when the ring is re-sent). Request k always uses slot
 * k % nslots, so the refill thread waits on one slot at a time and takes
 * are strictly ordered.
 *
 * Rows come from --input (the shared generator's JSON lines, read again
 * from the top if the run needs more rows than the file has) or from the
 * built-in generator. Times move by one shift so that the data ends "now"
 * (--no-rebase-time keeps them): for a file, the shift comes from its last
 * line, which the shared generator writes in time order.
 */
#include "bench/load_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum { FEED_FREE = 0, FEED_READY, FEED_TAKEN };

struct sl_load__feed {
    uv_mutex_t mu;
    uv_cond_t cv;
    sl_load_body_t *slots;
    size_t nslots;
    uint64_t next_take, produced, total_requests;
    uint64_t prepared_bytes, json_bytes;
    bool stop, failed, threaded, recycle;
    sl_diag_t err;
    uv_thread_t thread;

    /* the row source and the body format */
    sl_load_mode_t mode;
    bool gzip;
    int level;
    uint64_t rpp, total_rows;
    int64_t shift_ms;
    bool use_gen;
    sl_load_gen_t gen;
    uint64_t next_row;
    FILE *in;
    const char *path;
    char *line;
    size_t line_cap;
    uint64_t lineno, pass_rows;
    sl_buf_t scratch;
};

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return false;
    return true;
}

/* The next input row; strings stay valid until the next call. */
static int next_row(sl_load__feed_t *f, sl_load_row_t *row, sl_diag_t *d)
{
    if (f->use_gen) {
        sl_load_gen_row(&f->gen, f->next_row++, row);
        return 0;
    }
    for (;;) {
        ssize_t n = getline(&f->line, &f->line_cap, f->in);
        if (n < 0) {
            if (ferror(f->in))
                return sl_diag_set(d, -errno, "%s: read error: %s", f->path, strerror(errno));
            if (f->pass_rows == 0)
                return sl_diag_set(d, SL_EPARSE, "%s: no rows", f->path);
            /* Out of rows before the run is: read the file again. */
            rewind(f->in);
            f->lineno = 0;
            f->pass_rows = 0;
            continue;
        }
        f->lineno++;
        if (blank(f->line, (size_t)n))
            continue;
        int rc = sl_load_row_parse(f->line, (size_t)n, row, d);
        if (rc) {
            sl_diag_prefix(d, "%s:%llu", f->path, (unsigned long long)f->lineno);
            return rc;
        }
        f->pass_rows++;
        return 0;
    }
}

/* Builds the body of request k into `b`. Called by one thread at a time per
 * slot; the source is only used by the creator and then the refill thread. */
static int fill(sl_load__feed_t *f, sl_load_body_t *b, uint64_t k, sl_diag_t *d)
{
    uint64_t rows = f->rpp;
    if (f->total_rows)
        rows = SL_MIN(rows, f->total_rows - k * f->rpp);
    sl_buf_t *json = f->gzip ? &f->scratch : &b->data;
    sl_buf_reset(json);
    sl_buf_putc(json, '[');
    for (uint64_t i = 0; i < rows; i++) {
        sl_load_row_t row;
        int rc = next_row(f, &row, d);
        if (rc)
            return rc;
        if (i)
            sl_buf_putc(json, ',');
        sl_load_record_append(json, f->mode, &row, f->shift_ms);
    }
    sl_buf_putc(json, ']');
    b->json_bytes = json->len;
    b->rows = rows;
    b->seq = k;
    if (f->gzip)
        return sl_load_gzip(json->data, json->len, f->level, &b->data, d);
    return 0;
}

static void refill_main(void *arg)
{
    sl_load__feed_t *f = arg;
    uv_mutex_lock(&f->mu);
    while (!f->stop && f->produced < f->total_requests) {
        sl_load_body_t *b = &f->slots[f->produced % f->nslots];
        while (!f->stop && b->state != FEED_FREE)
            uv_cond_wait(&f->cv, &f->mu);
        if (f->stop)
            break;
        uint64_t k = f->produced;
        uv_mutex_unlock(&f->mu);
        /* The slot is FREE, so nobody else looks at it while it is filled. */
        sl_diag_t d;
        int rc = fill(f, b, k, &d);
        uv_mutex_lock(&f->mu);
        if (rc) {
            f->failed = true;
            f->err = d;
            break;
        }
        b->state = FEED_READY;
        f->produced++;
    }
    uv_mutex_unlock(&f->mu);
}

/* Reads the time of the last row of the input file (for rebasing). */
static int last_row_ms(sl_load__feed_t *f, int64_t *out, sl_diag_t *d)
{
    if (fseeko(f->in, 0, SEEK_END))
        return sl_diag_set(d, -errno, "%s: %s", f->path, strerror(errno));
    off_t size = ftello(f->in);
    off_t from = size > 65536 ? size - 65536 : 0;
    fseeko(f->in, from, SEEK_SET);
    sl_buf_t tail = SL_BUF_INIT;
    sl_buf_reserve(&tail, (size_t)(size - from));
    tail.len = fread(tail.data, 1, (size_t)(size - from), f->in);
    tail.data[tail.len] = '\0';
    rewind(f->in);
    int rc = sl_diag_set(d, SL_EPARSE, "%s: cannot read the last row's time", f->path);
    size_t end = tail.len;
    while (end > 0) {
        while (end > 0 && blank(tail.data + end - 1, 1))
            end--;
        size_t start = end;
        while (start > 0 && tail.data[start - 1] != '\n')
            start--;
        if (end == start)
            break;
        sl_load_row_t row;
        sl_diag_t pd;
        if (sl_load_row_parse(tail.data + start, end - start, &row, &pd) == 0) {
            *out = row.ts_ms;
            rc = 0;
        } else {
            sl_diag_set(d, SL_EPARSE, "%s: last line: %s", f->path, pd.msg);
        }
        break;
    }
    sl_buf_dispose(&tail);
    return rc;
}

int sl_load__feed_create(const sl_load_opts_t *o, sl_load__feed_t **out, sl_diag_t *d)
{
    sl_load__feed_t *f = sl_xcalloc(1, sizeof *f);
    uv_mutex_init(&f->mu);
    uv_cond_init(&f->cv);
    f->mode = o->mode;
    f->gzip = o->mode == SL_LOAD_MODE_LI && o->gzip;
    f->level = o->gzip_level;
    f->rpp = o->rows_per_post;
    f->total_rows = o->total_rows;
    f->total_requests =
      o->total_rows ? (o->total_rows + o->rows_per_post - 1) / o->rows_per_post : UINT64_MAX;
    int rc = 0;
    int64_t last_ms = 0;
    if (o->input) {
        f->path = o->input;
        f->in = fopen(o->input, "r");
        if (!f->in) {
            rc = sl_diag_set(d, -errno, "%s: %s", o->input, strerror(errno));
            goto fail;
        }
        if (o->rebase && (rc = last_row_ms(f, &last_ms, d)))
            goto fail;
    } else {
        f->use_gen = true;
        sl_load_gen_init(&f->gen, o->seed, o->total_rows);
        last_ms = sl_load_gen_last_ms(&f->gen);
    }
    if (o->rebase)
        f->shift_ms = sl_time_now() / SL_TICKS_PER_MS - last_ms;

    /* Prepare before the clock: everything if it fits, else a ring's worth
     * (but always enough for every connection to have a body in flight and
     * one waiting). */
    size_t min_slots = (size_t)o->connections * 2 + 2, cap = 0;
    while (f->produced < f->total_requests) {
        if (f->json_bytes >= o->ring_bytes && f->nslots >= min_slots)
            break;
        if (f->nslots == cap) {
            cap = cap ? cap * 2 : 64;
            f->slots = sl_xrealloc(f->slots, cap * sizeof *f->slots);
        }
        sl_load_body_t *b = &f->slots[f->nslots++];
        memset(b, 0, sizeof *b);
        if ((rc = fill(f, b, f->produced, d)))
            goto fail;
        b->state = FEED_READY;
        f->produced++;
        f->prepared_bytes += b->data.cap + sizeof *b;
        f->json_bytes += b->json_bytes;
    }
    if (!o->total_rows && f->produced < f->total_requests) {
        f->recycle = true;
    } else if (f->produced < f->total_requests) {
        f->threaded = true;
        if ((rc = uv_thread_create(&f->thread, refill_main, f))) {
            f->threaded = false;
            rc = sl_diag_set(d, rc, "cannot start the refill thread: %s", uv_strerror(rc));
            goto fail;
        }
    }
    *out = f;
    return 0;
fail:
    sl_load__feed_destroy(f, NULL);
    return rc;
}

sl_load_take_t sl_load__feed_take(sl_load__feed_t *f, sl_load_body_t **out)
{
    sl_load_take_t r;
    uv_mutex_lock(&f->mu);
    if (f->failed || f->next_take >= f->total_requests) {
        r = SL_LOAD_TAKE_END;
    } else {
        sl_load_body_t *b = &f->slots[f->next_take % f->nslots];
        if (b->state == FEED_READY && (b->seq == f->next_take || f->recycle)) {
            b->state = FEED_TAKEN;
            f->next_take++;
            *out = b;
            r = SL_LOAD_TAKE_OK;
        } else {
            r = SL_LOAD_TAKE_WAIT;
        }
    }
    uv_mutex_unlock(&f->mu);
    return r;
}

void sl_load__feed_release(sl_load__feed_t *f, sl_load_body_t *b)
{
    uv_mutex_lock(&f->mu);
    b->state = f->recycle ? FEED_READY : FEED_FREE;
    if (f->threaded)
        uv_cond_signal(&f->cv);
    uv_mutex_unlock(&f->mu);
}

void sl_load__feed_info(const sl_load__feed_t *f,
                        size_t *slots,
                        uint64_t *bytes,
                        const char **after)
{
    *slots = f->nslots;
    *bytes = f->prepared_bytes;
    *after = f->threaded ? "refilled while running" : f->recycle ? "re-sent in a ring" : "all rows";
}

int sl_load__feed_destroy(sl_load__feed_t *f, sl_diag_t *d)
{
    if (!f)
        return 0;
    if (f->threaded) {
        uv_mutex_lock(&f->mu);
        f->stop = true;
        uv_cond_broadcast(&f->cv);
        uv_mutex_unlock(&f->mu);
        uv_thread_join(&f->thread);
    }
    int rc = 0;
    if (f->failed) {
        rc = f->err.code ? f->err.code : SL_EINVAL;
        if (d)
            *d = f->err;
    }
    for (size_t i = 0; i < f->nslots; i++)
        sl_buf_dispose(&f->slots[i].data);
    sl_free(f->slots);
    sl_buf_dispose(&f->scratch);
    free(f->line);
    if (f->in)
        fclose(f->in);
    uv_cond_destroy(&f->cv);
    uv_mutex_destroy(&f->mu);
    sl_free(f);
    return rc;
}
