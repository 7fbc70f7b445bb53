/*
 * sort and top.
 *
 * Keys are evaluated once per batch into vectors; rows are ordered by an
 * index permutation (qsort_r over row numbers) and then gathered, so wide
 * rows are moved once. Order: per key ascending or descending, nulls first
 * or last as bound (KQL defaults: desc, nulls last; asc, nulls first), then
 * the row's position, so equal rows keep their input order and results are
 * deterministic.
 *
 * top n keeps a bounded candidate set: each batch is sorted and cut to n,
 * then merged with the candidates so far and cut again, so memory stays
 * at about 2n rows however much is scanned.
 */
#include "query/query_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct sort_ctx {
    const sl_qplan_t *p;
    sl_qvec_t **keys;
} sort_ctx_t;

static int row_cmp(const void *a, const void *b, void *arg)
{
    const sort_ctx_t *s = arg;
    uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
    for (size_t k = 0; k < s->p->sort.nkeys; k++) {
        const sl_qvec_t *v = s->keys[k];
        bool ni = sl_qvec_is_null(v, i), nj = sl_qvec_is_null(v, j);
        int c;
        if (ni || nj) {
            if (ni && nj)
                continue;
            /* Nulls go first or last regardless of direction. */
            c = ni ? -1 : 1;
            if (!s->p->sort.nulls_first[k])
                c = -c;
            return c;
        }
        c = sl_qvec_cmp(v, i, v, j);
        if (c)
            return s->p->sort.desc[k] ? -c : c;
    }
    return (i > j) - (i < j);
}

/* Sorts the batch in place by the plan's keys and keeps at most `limit`
 * rows (limit < 0: all). */
int sl_qop_sort(const sl_qplan_t *p, sl_qbatch_t *b, int64_t limit, sl_qrt_t *rt)
{
    size_t n = b->n;
    if (n == 0)
        return 0;
    sl_qvec_t **keys = sl_xcalloc(p->sort.nkeys + 1, sizeof *keys);
    int rc = 0;
    for (size_t k = 0; k < p->sort.nkeys && !rc; k++)
        rc = sl_qexpr_eval(p->sort.keys[k], b, rt, &keys[k]);
    if (!rc) {
        uint32_t *idx = sl_xmalloc(n * sizeof *idx);
        for (size_t i = 0; i < n; i++)
            idx[i] = (uint32_t)i;
        sort_ctx_t sc = { p, keys };
        qsort_r(idx, n, sizeof *idx, row_cmp, &sc);
        size_t keep = limit >= 0 && (uint64_t)limit < n ? (size_t)limit : n;
        sl_qbatch_gather(b, idx, keep);
        sl_free(idx);
    }
    for (size_t k = 0; k < p->sort.nkeys; k++)
        sl_qvec_unref(keys[k]);
    sl_free(keys);
    return rc;
}

/* top n: folds `in` into the candidates `acc` (both with the plan's
 * columns); acc keeps at most n rows in order once it has been cut. */
int sl_qop_top_add(const sl_qplan_t *p, sl_qbatch_t *acc, sl_qbatch_t *in, sl_qrt_t *rt)
{
    int64_t n = p->sort.limit;
    int rc = 0;
    if ((int64_t)in->n > n)
        rc = sl_qop_sort(p, in, n, rt);
    if (rc)
        return rc;
    sl_qbatch_append(acc, in);
    if ((int64_t)acc->n > 2 * n + 1024)
        rc = sl_qop_sort(p, acc, n, rt);
    return rc;
}
