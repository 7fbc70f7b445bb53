/*
 * Route lookup as dispatch does it (sl_node__route_find): the target is
 * parsed the way dispatch parses it, then matched against the routing
 * table without a server.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "node/node_int.h"

typedef struct found {
    int index;
    const char *params[SL_REQ_MAX_PARAMS];
    sl_buf_t allow;
} found_t;

static sl_pool_t *pool;

static void setup(void)
{
    pool = sl_pool_create();
}

static void teardown(void)
{
    sl_pool_destroy(pool);
}

TestSuite(node_router, .init = setup, .fini = teardown);

static found_t find(const char *method, const char *target)
{
    sl_target_t t;
    cr_assert_eq(sl_target_parse(pool, target, strlen(target), false, &t), 0, "%s", target);
    found_t f = { .allow = SL_BUF_INIT };
    f.index = sl_node__route_find(method, strlen(method), &t, pool, f.params, &f.allow);
    return f;
}

static const sl_route_t *route(const found_t *f)
{
    cr_assert_geq(f->index, 0);
    cr_assert_lt((size_t)f->index, sl_routes_count);
    return &sl_routes[f->index];
}

Test(node_router, one_segment_capture)
{
    found_t f = find("GET", "/admin/v1/workspaces/abc");
    cr_assert_str_eq(route(&f)->pattern, "/admin/v1/workspaces/{}");
    cr_assert_str_eq(route(&f)->method, "GET");
    cr_assert_str_eq(f.params[0], "abc");
    cr_assert_null(f.params[1]);
    cr_assert_eq(f.allow.len, 0);
}

Test(node_router, captures_are_decoded_segments_of_any_spelling)
{
    found_t f = find("POST", "https://example:8443//v1//workspaces/w%2Dx/query?api-version=1");
    cr_assert_str_eq(route(&f)->pattern, "/v1/workspaces/{}/query");
    cr_assert_str_eq(f.params[0], "w-x");
}

Test(node_router, several_captures_in_order)
{
    found_t f = find("POST", "/dataCollectionRules/dcr-1/streams/Custom-T");
    cr_assert_str_eq(route(&f)->pattern, "/dataCollectionRules/{}/streams/{}");
    cr_assert_str_eq(f.params[0], "dcr-1");
    cr_assert_str_eq(f.params[1], "Custom-T");
}

Test(node_router, star_capture_rejoins_resource_id)
{
    found_t f = find("POST", "/v1/subscriptions/s/resourceGroups/g/providers/"
                             "Microsoft.OperationalInsights/workspaces/w/query");
    cr_assert_str_eq(route(&f)->pattern, "/v1/{*}/query");
    cr_assert_str_eq(f.params[0], "subscriptions/s/resourceGroups/g/providers/"
                                  "Microsoft.OperationalInsights/workspaces/w");
}

Test(node_router, star_capture_is_greedy_and_needs_a_segment)
{
    found_t f = find("GET", "/v1/a/query/query");
    cr_assert_str_eq(route(&f)->pattern, "/v1/{*}/query");
    cr_assert_str_eq(f.params[0], "a/query");
    cr_assert_eq(find("GET", "/v1/query").index, -1);
}

Test(node_router, first_route_in_table_wins)
{
    /* Also matches "/v1/{*}/query", which comes later in the table. */
    found_t f = find("GET", "/v1/workspaces/w/query");
    cr_assert_str_eq(route(&f)->pattern, "/v1/workspaces/{}/query");
    cr_assert_str_eq(f.params[0], "w");
}

Test(node_router, head_is_served_by_get_routes_only)
{
    found_t f = find("HEAD", "/healthz");
    cr_assert_str_eq(route(&f)->pattern, "/healthz");
    cr_assert_str_eq(route(&f)->method, "GET");
    f = find("HEAD", "/api/logs");
    cr_assert_eq(f.index, -2);
    cr_assert_str_eq(f.allow.data, "POST");
    sl_buf_dispose(&f.allow);
}

Test(node_router, wrong_method_lists_the_allowed_ones)
{
    found_t f = find("DELETE", "/admin/v1/workspaces");
    cr_assert_eq(f.index, -2);
    cr_assert_str_eq(f.allow.data, "GET, POST");
    sl_buf_dispose(&f.allow);
    /* Methods compare exactly: no case folding, no prefixes. */
    const char *methods[] = { "get", "GETX" };
    for (size_t i = 0; i < 2; i++) {
        f = find(methods[i], "/healthz");
        cr_assert_eq(f.index, -2, "%s", methods[i]);
        sl_buf_dispose(&f.allow);
    }
}

Test(node_router, unknown_paths_are_not_found)
{
    cr_assert_eq(find("GET", "/").index, -1);
    cr_assert_eq(find("GET", "/healthz/x").index, -1);
    cr_assert_eq(find("GET", "/admin/v1/workspaces/a/b").index, -1);
    /* A trailing slash is an empty segment, which routing never sees. */
    cr_assert_geq(find("GET", "/healthz/").index, 0);
}
