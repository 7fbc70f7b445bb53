/*
 * The real Azure SDK for JavaScript, @azure/monitor-ingestion from the npm
 * registry, uploads 10,000 records to the node over HTTPS with its default
 * gzip and concurrency; every record is then in the store, once.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

TestSuite(sdk, .timeout = 300);

Test(sdk, monitor_ingestion_uploads_ten_thousand_records)
{
    th_node_t n;
    th_node_init(&n);
    cr_assert_eq(th_node_start(&n, NULL), 0);
    char ws[37], key[100];
    th_workspace(&n, "sdk-ws", 30, ws, key);
    const char *dcr =
        "{\"properties\":{\"immutableId\":\"dcr-sdk0000000000000000000000000001\","
        "\"streamDeclarations\":{\"Custom-Sdk_CL\":{\"columns\":["
        "{\"name\":\"TimeGenerated\",\"type\":\"datetime\"},"
        "{\"name\":\"Computer\",\"type\":\"string\"},{\"name\":\"Seq\",\"type\":\"long\"},"
        "{\"name\":\"Msg\",\"type\":\"string\"}]}},"
        "\"destinations\":{\"logAnalytics\":[{\"name\":\"la\",\"workspaceId\":\"sdk-ws\"}]},"
        "\"dataFlows\":[{\"streams\":[\"Custom-Sdk_CL\"],\"destinations\":[\"la\"],"
        "\"transformKql\":\"source\",\"outputStream\":\"Custom-Sdk_CL\"}]}}";
    cr_assert_eq(th_admin(&n, "POST", "/admin/v1/dataCollectionRules", dcr, NULL), 201);
    json_t *t;
    cr_assert_eq(th_admin(&n, "POST", "/admin/v1/tokens",
                          "{\"kind\":\"ingest\",\"scopes\":[\"dcr-sdk0000000000000000000000000001\"]}",
                          &t),
                 201);
    char env_token[300], env_url[200], env_ca[400];
    snprintf(env_token, sizeof env_token, "SEALOG_TOKEN=%s",
             json_string_value(json_object_get(t, "token")));
    json_decref(t);
    snprintf(env_url, sizeof env_url, "SEALOG_URL=%s", n.https);
    snprintf(env_ca, sizeof env_ca, "NODE_EXTRA_CA_CERTS=%s", n.cacert);
    char script[600];
    snprintf(script, sizeof script, "%s/ingest_sdk.mjs", SEALOG_JS_DIR);
    const char *args[] = { "env", env_token, env_url, env_ca,
                           "SEALOG_DCR=dcr-sdk0000000000000000000000000001",
                           "SEALOG_STREAM=Custom-Sdk_CL", NODE_PATH, script, NULL };
    sl_buf_t out = SL_BUF_INIT;
    int rc = th_run("/usr/bin/env", args + 1, SEALOG_JS_DIR, &out);
    cr_assert_eq(rc, 0, "node script failed: %s", out.data);
    cr_expect(th_contains(&out, "uploaded 10000 records"), "%s", out.data);
    cr_expect(th_contains(&out, "scope https://monitor.azure.com/.default"), "%s", out.data);
    sl_buf_t dump = SL_BUF_INIT;
    cr_assert_eq(th_dump_count(&n, ws, "Sdk_CL", &dump), 10000);
    uint8_t *seen = calloc(10000, 1);
    for (char *line = dump.data; line && *line;) {
        char *nl = strchr(line, '\n');
        json_t *j = json_loadb(line, (size_t)(nl - line), 0, NULL);
        json_int_t seq = json_integer_value(json_object_get(j, "Seq"));
        cr_assert(seq >= 0 && seq < 10000);
        seen[seq]++;
        const char *msg = json_string_value(json_object_get(j, "Msg"));
        char want[32];
        snprintf(want, sizeof want, "record %lld ", (long long)seq);
        cr_assert(msg && !strncmp(msg, want, strlen(want)));
        json_decref(j);
        line = nl + 1;
    }
    for (int i = 0; i < 10000; i++)
        cr_assert_eq(seen[i], 1, "Seq %d stored %d times", i, seen[i]);
    free(seen);
    sl_buf_dispose(&dump);
    sl_buf_dispose(&out);
    cr_expect_eq(th_node_stop(&n), 0);
    th_node_cleanup(&n);
}
