/*
 * Allocation hooks. sealog aborts on exhaustion for sizes it controls (like
 * redis' zmalloc) and reports it for sizes a peer controls, after a limit
 * check. The hook exists so that OOM tests can fail allocations on purpose.
 */
#include "common/common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The single process-wide setting: replaced only before threads start. */
static sl_allocator_t g_alloc = { malloc, realloc, free };

void sl_set_allocator(const sl_allocator_t *a)
{
    g_alloc = *a;
}

static void oom(size_t n)
{
    fprintf(stderr, "sealog: out of memory allocating %zu bytes\n", n);
    abort();
}

void *sl_xmalloc(size_t n)
{
    void *p = g_alloc.malloc_fn(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

void *sl_xcalloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        oom(SIZE_MAX);
    void *p = sl_xmalloc(n * size);
    memset(p, 0, n * size);
    return p;
}

void *sl_xrealloc(void *p, size_t n)
{
    void *q = g_alloc.realloc_fn(p, n ? n : 1);
    if (!q)
        oom(n);
    return q;
}

char *sl_xstrdup(const char *s)
{
    return sl_xstrndup(s, strlen(s));
}

char *sl_xstrndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = sl_xmalloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *sl_xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = sl_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void *sl_try_malloc(size_t n)
{
    return g_alloc.malloc_fn(n ? n : 1);
}

void *sl_try_realloc(void *p, size_t n)
{
    return g_alloc.realloc_fn(p, n ? n : 1);
}

void sl_free(void *p)
{
    if (p)
        g_alloc.free_fn(p);
}
