/*
 * The table registry: every (workspace, table) the store has seen, with its
 * id and columns in order of creation. Ingestion reads it (type inference
 * needs the existing columns) on pool threads while the writer extends it,
 * so it sits behind a read-write lock and readers get copies.
 *
 * A table or column is added the moment a batch that needs it is accepted,
 * so the next request already sees it. It reaches the catalog before the
 * first block that uses it does (the segment writer persists dirty tables
 * first); after a crash, replaying the WAL re-adds anything that was lost.
 */
#include "store/store_int.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

typedef struct table {
    sl_table_def_t def;
    bool dirty;
    uint32_t *slot; /* open addressing: column index + 1, 0 = empty */
    size_t slot_cap;
} table_t;

struct sl_schema {
    pthread_rwlock_t lock;
    table_t **tables;
    size_t n;
    uint32_t next_id;
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 0x100000001b3u;
    return h;
}

static void rehash(table_t *t)
{
    size_t cap = 16;
    while (cap < t->def.ncols * 2 + 2)
        cap *= 2;
    sl_free(t->slot);
    t->slot = sl_xcalloc(cap, sizeof *t->slot);
    t->slot_cap = cap;
    for (size_t i = 0; i < t->def.ncols; i++) {
        size_t h = (size_t)hash_str(t->def.cols[i].name) & (cap - 1);
        while (t->slot[h])
            h = (h + 1) & (cap - 1);
        t->slot[h] = (uint32_t)(i + 1);
    }
}

static int col_index(const table_t *t, const char *name)
{
    size_t h = (size_t)hash_str(name) & (t->slot_cap - 1);
    while (t->slot[h]) {
        const char *cn = t->def.cols[t->slot[h] - 1].name;
        if (strcmp(cn, name) == 0)
            return (int)t->slot[h] - 1;
        h = (h + 1) & (t->slot_cap - 1);
    }
    return -1;
}

static void add_col(table_t *t, const char *name, sl_type_t type)
{
    t->def.cols = sl_xrealloc(t->def.cols, (t->def.ncols + 1) * sizeof *t->def.cols);
    t->def.cols[t->def.ncols].name = sl_xstrdup(name);
    t->def.cols[t->def.ncols].type = type;
    t->def.ncols++;
    if (t->def.ncols * 2 + 2 > t->slot_cap)
        rehash(t);
    else {
        size_t h = (size_t)hash_str(name) & (t->slot_cap - 1);
        while (t->slot[h])
            h = (h + 1) & (t->slot_cap - 1);
        t->slot[h] = (uint32_t)t->def.ncols;
    }
}

int sl_store__schema_load(sl_catalog_t *c, sl_schema_t **out, sl_diag_t *d)
{
    sl_table_def_t *defs;
    size_t n;
    int rc = sl_store__catalog_table_list(c, &defs, &n, d);
    if (rc)
        return rc;
    sl_schema_t *s = sl_xcalloc(1, sizeof *s);
    pthread_rwlock_init(&s->lock, NULL);
    s->next_id = 1;
    s->tables = sl_xcalloc(n ? n : 1, sizeof *s->tables);
    for (size_t i = 0; i < n; i++) {
        table_t *t = sl_xcalloc(1, sizeof *t);
        t->def = defs[i];
        rehash(t);
        s->tables[s->n++] = t;
        if (t->def.table_id >= s->next_id)
            s->next_id = t->def.table_id + 1;
    }
    sl_free(defs);
    *out = s;
    return 0;
}

void sl_store__schema_destroy(sl_schema_t *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        sl_store__table_def_dispose(&s->tables[i]->def);
        sl_free(s->tables[i]->slot);
        sl_free(s->tables[i]);
    }
    sl_free(s->tables);
    pthread_rwlock_destroy(&s->lock);
    sl_free(s);
}

static table_t *find(sl_schema_t *s, const sl_guid_t *ws, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (!memcmp(s->tables[i]->def.ws.b, ws->b, 16) && !strcmp(s->tables[i]->def.name, name))
            return s->tables[i];
    return NULL;
}

int sl_store__schema_merge(sl_schema_t *s, const sl_guid_t *ws, const char *table,
                           const sl_colset_t *rows, uint32_t *table_id, sl_diag_t *d)
{
    int rc = 0;
    pthread_rwlock_wrlock(&s->lock);
    table_t *t = find(s, ws, table);
    if (!t) {
        t = sl_xcalloc(1, sizeof *t);
        t->def.ws = *ws;
        snprintf(t->def.name, sizeof t->def.name, "%s", table);
        t->def.table_id = s->next_id++;
        t->def.created = sl_time_now();
        t->dirty = true;
        rehash(t);
        s->tables = sl_xrealloc(s->tables, (s->n + 1) * sizeof *s->tables);
        s->tables[s->n++] = t;
    }
    size_t added = 0;
    for (size_t i = 0; i < rows->ncols && !rc; i++) {
        const sl_col_t *c = &rows->cols[i];
        int k = col_index(t, c->name);
        if (k < 0)
            added++;
        else if (t->def.cols[k].type != c->type)
            rc = sl_diag_set(d, SL_EINVAL, "column %s of table %s is %s, not %s", c->name, table,
                             sl_type_name(t->def.cols[k].type), sl_type_name(c->type));
    }
    if (!rc && t->def.ncols + added > SL_TABLE_MAX_COLUMNS)
        rc = sl_diag_set(d, SL_ELIMIT, "table %s would have %zu columns; the limit is %d", table,
                         t->def.ncols + added, SL_TABLE_MAX_COLUMNS);
    if (!rc && added) {
        for (size_t i = 0; i < rows->ncols; i++)
            if (col_index(t, rows->cols[i].name) < 0)
                add_col(t, rows->cols[i].name, rows->cols[i].type);
        t->dirty = true;
    }
    if (!rc)
        *table_id = t->def.table_id;
    pthread_rwlock_unlock(&s->lock);
    return rc;
}

static void copy_def(const sl_table_def_t *src, sl_table_def_t *dst)
{
    *dst = *src;
    dst->cols = sl_xcalloc(src->ncols ? src->ncols : 1, sizeof *dst->cols);
    for (size_t i = 0; i < src->ncols; i++) {
        dst->cols[i].name = sl_xstrdup(src->cols[i].name);
        dst->cols[i].type = src->cols[i].type;
    }
}

int sl_store__schema_persist(sl_schema_t *s, sl_catalog_t *c, sl_diag_t *d)
{
    /* Copy the dirty definitions under the lock, write them without it. */
    sl_table_def_t *todo = NULL;
    table_t **which = NULL;
    size_t n = 0;
    pthread_rwlock_wrlock(&s->lock);
    for (size_t i = 0; i < s->n; i++) {
        if (!s->tables[i]->dirty)
            continue;
        todo = sl_xrealloc(todo, (n + 1) * sizeof *todo);
        which = sl_xrealloc(which, (n + 1) * sizeof *which);
        copy_def(&s->tables[i]->def, &todo[n]);
        which[n++] = s->tables[i];
        s->tables[i]->dirty = false;
    }
    pthread_rwlock_unlock(&s->lock);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (!rc)
            rc = sl_store__catalog_table_put(c, &todo[i], d);
        if (rc) {
            pthread_rwlock_wrlock(&s->lock);
            which[i]->dirty = true; /* try again next time */
            pthread_rwlock_unlock(&s->lock);
        }
        sl_store__table_def_dispose(&todo[i]);
    }
    sl_free(todo);
    sl_free(which);
    return rc;
}

int sl_store__schema_get(sl_schema_t *s, const sl_guid_t *ws, const char *table,
                         sl_table_def_t *out)
{
    pthread_rwlock_rdlock(&s->lock);
    table_t *t = find(s, ws, table);
    if (t)
        copy_def(&t->def, out);
    pthread_rwlock_unlock(&s->lock);
    return t ? 0 : SL_ENOTFOUND;
}

int sl_store__schema_list(sl_schema_t *s, const sl_guid_t *ws, sl_table_def_t **out, size_t *n)
{
    pthread_rwlock_rdlock(&s->lock);
    *out = NULL;
    *n = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (ws && memcmp(s->tables[i]->def.ws.b, ws->b, 16))
            continue;
        *out = sl_xrealloc(*out, (*n + 1) * sizeof **out);
        copy_def(&s->tables[i]->def, &(*out)[(*n)++]);
    }
    pthread_rwlock_unlock(&s->lock);
    return 0;
}
