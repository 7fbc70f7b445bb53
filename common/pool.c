/*
 * Request pools: a chain of chunks, bump-allocated, freed at once. Large
 * allocations get their own chunk so a few big objects do not waste a
 * standard chunk each. Cleanup hooks release resources tied to the request
 * (read transactions, cache references) before the memory goes.
 */
#include "common/common.h"

#include <stdio.h>
#include <string.h>

#define CHUNK_SIZE 8192
#define ALIGN 16

struct chunk {
    struct chunk *next;
    size_t used, cap;
    _Alignas(ALIGN) unsigned char mem[];
};

struct cleanup {
    struct cleanup *next;
    sl_pool_cleanup_cb cb;
    void *arg;
};

struct sl_pool {
    struct chunk *cur;   /* chunk being bump-allocated */
    struct chunk *large; /* oversize allocations */
    struct cleanup *cleanups;
    size_t used;
};

sl_pool_t *sl_pool_create(void)
{
    return sl_xcalloc(1, sizeof(sl_pool_t));
}

void sl_pool_destroy(sl_pool_t *p)
{
    if (!p)
        return;
    while (p->cleanups) {
        struct cleanup *c = p->cleanups;
        p->cleanups = c->next;
        c->cb(c->arg);
    }
    for (struct chunk *c = p->cur, *n; c; c = n) {
        n = c->next;
        sl_free(c);
    }
    for (struct chunk *c = p->large, *n; c; c = n) {
        n = c->next;
        sl_free(c);
    }
    sl_free(p);
}

void *sl_pool_alloc(sl_pool_t *p, size_t n)
{
    n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    if (n == 0)
        n = ALIGN;
    p->used += n;
    if (n > CHUNK_SIZE / 4) {
        struct chunk *c = sl_xmalloc(sizeof *c + n);
        c->used = c->cap = n;
        c->next = p->large;
        p->large = c;
        return c->mem;
    }
    if (!p->cur || p->cur->cap - p->cur->used < n) {
        struct chunk *c = sl_xmalloc(sizeof *c + CHUNK_SIZE);
        c->used = 0;
        c->cap = CHUNK_SIZE;
        c->next = p->cur;
        p->cur = c;
    }
    void *r = p->cur->mem + p->cur->used;
    p->cur->used += n;
    return r;
}

void *sl_pool_calloc(sl_pool_t *p, size_t n)
{
    void *r = sl_pool_alloc(p, n);
    memset(r, 0, n);
    return r;
}

char *sl_pool_strndup(sl_pool_t *p, const char *s, size_t n)
{
    char *r = sl_pool_alloc(p, n + 1);
    memcpy(r, s, n);
    r[n] = '\0';
    return r;
}

char *sl_pool_strdup(sl_pool_t *p, const char *s)
{
    return sl_pool_strndup(p, s, strlen(s));
}

char *sl_pool_printf(sl_pool_t *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *r = sl_pool_alloc(p, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(r, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return r;
}

void sl_pool_cleanup_add(sl_pool_t *p, sl_pool_cleanup_cb cb, void *arg)
{
    struct cleanup *c = sl_pool_alloc(p, sizeof *c);
    c->cb = cb;
    c->arg = arg;
    c->next = p->cleanups;
    p->cleanups = c;
}

size_t sl_pool_used(const sl_pool_t *p)
{
    return p->used;
}
