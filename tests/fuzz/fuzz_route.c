/*
 * Fuzzes HTTP routing: a request line ("METHOD target", or a bare target
 * for GET) is parsed the way dispatch parses it and looked up in the real
 * routing table with sl_node__route_find, without a server.
 *
 * The answer is checked against a second, independent matcher written
 * here (each pattern anchored at both ends around its one "{*}"):
 *  - the route found is the first of the table whose pattern matches the
 *    path and whose method is the request's (GET also serving HEAD);
 *    -1 exactly when no pattern matches; -2 exactly when some do but not
 *    for this method, with Allow listing their methods in table order,
 *    never the request's own;
 *  - the captures are the expected ones, in order, none missing or extra;
 *    every "{}" capture is a non-empty segment of the target, and putting
 *    the captures back into the pattern gives the normalised path, so a
 *    "{*}" capture re-joined is exactly the part of the path it covers;
 *  - method and target are copied into buffers of their exact size, so
 *    ASan catches any read past the input.
 */
#include <stdlib.h>
#include <string.h>

#include "node/node_int.h"

#define CHECK(cond)                                                                            \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            abort();                                                                           \
        }                                                                                      \
    } while (0)

#define MAX_PSEG 12

/* A route's pattern split into segments, once. */
typedef struct pat {
    size_t n;
    char seg[MAX_PSEG][40];
    int star; /* index of the "{*}" segment, or -1 */
} pat_t;

static pat_t *pats;

static void split_patterns(void)
{
    pats = calloc(sl_routes_count, sizeof *pats);
    for (size_t r = 0; r < sl_routes_count; r++) {
        pat_t *p = &pats[r];
        p->star = -1;
        const char *s = sl_routes[r].pattern;
        CHECK(s[0] == '/');
        while (*s) {
            s++;
            size_t len = strcspn(s, "/");
            CHECK(p->n < MAX_PSEG && len > 0 && len < sizeof p->seg[0]);
            memcpy(p->seg[p->n], s, len);
            if (!strcmp(p->seg[p->n], "{*}")) {
                CHECK(p->star < 0); /* the matcher below allows one */
                p->star = (int)p->n;
            }
            p->n++;
            s += len;
        }
    }
}

static bool is_capture(const char *seg)
{
    return !strcmp(seg, "{}") || !strcmp(seg, "{*}");
}

/* Matches t against p; on success caps[] gets the expected captures. */
static bool ref_match(const pat_t *p, const sl_target_t *t, sl_buf_t caps[SL_REQ_MAX_PARAMS],
                      size_t *ncaps)
{
    size_t fixed = p->n - (p->star >= 0);
    if (p->star < 0 ? t->nseg != p->n : t->nseg < p->n)
        return false;
    /* Pattern segment k covers target segments [from[k], to[k]). */
    size_t from[MAX_PSEG], to[MAX_PSEG];
    for (size_t k = 0; k < p->n; k++) {
        bool after = p->star >= 0 && k > (size_t)p->star;
        size_t at = after ? t->nseg - (p->n - k) : k;
        from[k] = at;
        to[k] = (int)k == p->star ? t->nseg - (fixed - k) : at + 1;
    }
    *ncaps = 0;
    for (size_t k = 0; k < p->n; k++) {
        if (!is_capture(p->seg[k])) {
            if (strcmp(p->seg[k], t->seg[from[k]]) != 0)
                return false;
            continue;
        }
        sl_buf_t *c = &caps[(*ncaps)++];
        sl_buf_reset(c);
        for (size_t i = from[k]; i < to[k]; i++)
            sl_buf_printf(c, "%s%s", i > from[k] ? "/" : "", t->seg[i]);
    }
    return true;
}

static bool method_ok(const char *route_method, const char *m, size_t mn)
{
    if (strlen(route_method) == mn && memcmp(route_method, m, mn) == 0)
        return true;
    return !strcmp(route_method, "GET") && mn == 4 && memcmp(m, "HEAD", 4) == 0;
}

/* The pattern with the captures put back in: must be the normalised path. */
static void check_rebuild(const pat_t *p, const char *const *params, const sl_target_t *t)
{
    sl_buf_t b = SL_BUF_INIT;
    size_t np = 0;
    for (size_t k = 0; k < p->n; k++) {
        const char *s = is_capture(p->seg[k]) ? params[np++] : p->seg[k];
        sl_buf_printf(&b, "/%s", s);
    }
    CHECK(b.len == strlen(t->path) && memcmp(b.data, t->path, b.len) == 0);
    sl_buf_dispose(&b);
}

static void check_route(const char *m, size_t mn, const sl_target_t *t, sl_pool_t *pool)
{
    const char *params[SL_REQ_MAX_PARAMS];
    for (size_t i = 0; i < SL_REQ_MAX_PARAMS; i++)
        params[i] = (const char *)(uintptr_t)1; /* must be overwritten on a match */
    sl_buf_t allow = SL_BUF_INIT;
    int rc = sl_node__route_find(m, mn, t, pool, params, &allow);

    /* The same lookup without an Allow buffer answers the same. */
    const char *params2[SL_REQ_MAX_PARAMS];
    CHECK(sl_node__route_find(m, mn, t, pool, params2, NULL) == rc);

    sl_buf_t caps[SL_REQ_MAX_PARAMS] = { SL_BUF_INIT };
    sl_buf_t want_allow = SL_BUF_INIT; /* the methods of every route matching the path */
    int want = -1;
    for (size_t r = 0; r < sl_routes_count; r++) {
        size_t nc;
        if (!ref_match(&pats[r], t, caps, &nc))
            continue;
        if (want < 0 && method_ok(sl_routes[r].method, m, mn))
            want = (int)r;
        sl_buf_printf(&want_allow, "%s%s", want_allow.len ? ", " : "", sl_routes[r].method);
    }
    if (want < 0 && want_allow.len)
        want = -2;
    CHECK(rc == want);

    if (rc >= 0) {
        CHECK(allow.len == 0);
        size_t ncaps;
        CHECK(ref_match(&pats[rc], t, caps, &ncaps));
        for (size_t i = 0; i < SL_REQ_MAX_PARAMS; i++) {
            if (i >= ncaps) {
                CHECK(params[i] == NULL && params2[i] == NULL);
                continue;
            }
            CHECK(params[i] != NULL && params[i][0] != '\0');
            CHECK(caps[i].len && strcmp(params[i], caps[i].data) == 0);
            CHECK(strcmp(params2[i], params[i]) == 0);
        }
        for (size_t k = 0, np = 0; k < pats[rc].n; k++) {
            if (!strcmp(pats[rc].seg[k], "{}")) {
                /* A one-segment capture is one of the target's segments. */
                bool seen = false;
                for (size_t s = 0; s < t->nseg; s++)
                    seen |= params[np] == t->seg[s];
                CHECK(seen);
            }
            np += is_capture(pats[rc].seg[k]);
        }
        check_rebuild(&pats[rc], params, t);
    } else if (rc == -2) {
        /* Allow lists every method of the path, never the request's. */
        CHECK(allow.len == want_allow.len && !memcmp(allow.data, want_allow.data, allow.len));
        for (size_t r = 0; r < sl_routes_count; r++) {
            size_t nc;
            if (ref_match(&pats[r], t, caps, &nc))
                CHECK(!method_ok(sl_routes[r].method, m, mn));
        }
    } else {
        CHECK(allow.len == 0);
    }
    for (size_t i = 0; i < SL_REQ_MAX_PARAMS; i++)
        sl_buf_dispose(&caps[i]);
    sl_buf_dispose(&want_allow);
    sl_buf_dispose(&allow);
}

/* UBSan reports and carries on by default: stop at the first report, so
 * undefined behaviour fails the run (UBSAN_OPTIONS still overrides). */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
    return "halt_on_error=1:print_stacktrace=1";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!pats)
        split_patterns();
    if (size > 4096)
        return 0;
    /* "METHOD target": the method is what comes before the first space. */
    const uint8_t *sp = memchr(data, ' ', size);
    size_t mn = sp ? (size_t)(sp - data) : 3;
    size_t tn = sp ? size - mn - 1 : size;
    char *m = malloc(mn ? mn : 1);
    char *target = malloc(tn ? tn : 1);
    memcpy(m, sp ? (const void *)data : "GET", mn);
    memcpy(target, sp ? sp + 1 : data, tn);

    sl_pool_t *pool = sl_pool_create();
    sl_target_t t;
    if (sl_target_parse(pool, target, tn, false, &t) == 0)
        check_route(m, mn, &t, pool);
    sl_pool_destroy(pool);
    free(m);
    free(target);
    return 0;
}
