/* Logs Ingestion: DCR parsing, stream coercion, gzip. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "ingest/ingest_int.h"

static const char *DCR =
    "{\"location\":\"eastus\",\"name\":\"my-dcr\",\"properties\":{"
    "\"immutableId\":\"dcr-0123456789abcdef0123456789abcdef\","
    "\"streamDeclarations\":{\"Custom-MyTable_CL\":{\"columns\":["
    "{\"name\":\"TimeGenerated\",\"type\":\"datetime\"},{\"name\":\"Computer\",\"type\":\"string\"},"
    "{\"name\":\"Count\",\"type\":\"long\"},{\"name\":\"Ratio\",\"type\":\"real\"},"
    "{\"name\":\"Ok\",\"type\":\"boolean\"},{\"name\":\"Pid\",\"type\":\"int\"},"
    "{\"name\":\"Props\",\"type\":\"dynamic\"}]}},"
    "\"destinations\":{\"logAnalytics\":[{\"name\":\"la\",\"workspaceResourceId\":"
    "\"/subscriptions/s/resourceGroups/g/providers/Microsoft.OperationalInsights/workspaces/w1\"}]},"
    "\"dataFlows\":[{\"streams\":[\"Custom-MyTable_CL\"],\"destinations\":[\"la\"],"
    "\"transformKql\":\"source\",\"outputStream\":\"Custom-MyTable_CL\"}]}}";

Test(ingest_dcr, parses_the_azure_shape)
{
    sl_dcr_t *r;
    sl_diag_t d;
    cr_assert_eq(sl_ingest_dcr_parse(DCR, strlen(DCR), &r, &d), 0, "%s", d.msg);
    cr_expect_str_eq(r->immutable_id, "dcr-0123456789abcdef0123456789abcdef");
    cr_expect_str_eq(r->name, "my-dcr");
    const sl_dcr_stream_t *s = sl_ingest_dcr_stream(r, "Custom-MyTable_CL");
    cr_assert(s);
    cr_expect_eq(s->ncols, 7);
    cr_expect_eq(s->cols[4].type, SL_TYPE_BOOL);
    cr_assert_eq(s->nout, 1);
    cr_expect_str_eq(s->out[0].table, "MyTable_CL");
    cr_expect(strstr(s->out[0].workspace, "/workspaces/w1"));
    sl_ingest_dcr_free(r);
}

Test(ingest_dcr, refuses_what_it_cannot_honour)
{
    struct {
        const char *json, *want;
    } cases[] = {
        { "{", "not valid JSON" },
        { "{\"properties\":{\"streamDeclarations\":{}}}", "at least one stream" },
        { "{\"properties\":{\"streamDeclarations\":{\"Custom-A\":{\"columns\":[{\"name\":\"x\","
          "\"type\":\"blob\"}]}},\"dataFlows\":[]}}",
          "unknown type" },
        { "{\"properties\":{\"streamDeclarations\":{\"Custom-A\":{\"columns\":[{\"name\":\"x\","
          "\"type\":\"string\"}]}},\"destinations\":{\"logAnalytics\":[{\"name\":\"la\","
          "\"workspaceId\":\"w\"}]},\"dataFlows\":[{\"streams\":[\"Custom-A\"],\"destinations\":"
          "[\"la\"],\"transformKql\":\"source | where x == 1\",\"outputStream\":\"Custom-A_CL\"}]}}",
          "not supported" },
        { "{\"properties\":{\"streamDeclarations\":{\"Custom-A\":{\"columns\":[{\"name\":\"x\","
          "\"type\":\"string\"}]}},\"dataFlows\":[{\"streams\":[\"Custom-A\"],\"destinations\":"
          "[\"nowhere\"]}]}}",
          "destination" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sl_dcr_t *r;
        sl_diag_t d;
        cr_expect_neq(sl_ingest_dcr_parse(cases[i].json, strlen(cases[i].json), &r, &d), 0);
        cr_expect(strstr(d.msg, cases[i].want), "case %zu: %s", i, d.msg);
    }
}

Test(ingest_li, coerces_to_declared_types_and_drops_the_rest)
{
    sl_dcr_t *r;
    sl_diag_t d;
    cr_assert_eq(sl_ingest_dcr_parse(DCR, strlen(DCR), &r, &d), 0);
    const sl_dcr_stream_t *s = &r->streams[0];
    sl_dcr_output_t o = s->out[0];
    memset(o.ws.b, 1, 16);
    const char *body = "[{\"TimeGenerated\":\"2024-06-10T06:13:20Z\",\"Computer\":\"h1\","
                       "\"Count\":\"42\",\"Ratio\":1,\"Ok\":\"true\",\"Pid\":3.0,"
                       "\"Props\":{\"k\":[1]},\"Extra\":\"dropped\"},"
                       "{\"Computer\":5,\"Count\":\"x\",\"Pid\":99999999999,"
                       "\"Props\":\"plain\"}]";
    sl_batch_t *b;
    sl_ingest_err_t e;
    sl_ticks_t now = 1800000000LL * SL_TICKS_PER_SEC;
    cr_assert_eq(sl_ingest_li_parse(s, &o, body, strlen(body), now, &b, &e), 0, "%s", e.msg);
    cr_assert_eq(b->rows.nrows, 2);
    cr_expect_str_eq(b->table, "MyTable_CL");
    const sl_colset_t *c = &b->rows;
    cr_expect_eq(sl_col_i64(&c->cols[sl_colset_find(c, "TimeGenerated")], 0),
                 1718000000LL * SL_TICKS_PER_SEC);
    cr_expect_eq(sl_col_i64(&c->cols[sl_colset_find(c, "TimeGenerated")], 1), now);
    cr_expect_eq(sl_col_i64(&c->cols[sl_colset_find(c, "Count")], 0), 42);
    cr_expect(sl_col_is_null(&c->cols[sl_colset_find(c, "Count")], 1), "'x' is not a long");
    cr_expect(sl_col_is_null(&c->cols[sl_colset_find(c, "Pid")], 1), "out of int range");
    cr_expect_eq(sl_col_i64(&c->cols[sl_colset_find(c, "Pid")], 0), 3);
    cr_expect(sl_col_bool(&c->cols[sl_colset_find(c, "Ok")], 0));
    size_t n;
    const char *t = sl_col_text(&c->cols[sl_colset_find(c, "Computer")], 1, &n);
    cr_expect(n == 1 && t[0] == '5');
    t = sl_col_text(&c->cols[sl_colset_find(c, "Props")], 0, &n);
    cr_expect(n == 9 && !memcmp(t, "{\"k\":[1]}", 9));
    t = sl_col_text(&c->cols[sl_colset_find(c, "Props")], 1, &n);
    cr_expect(n == 7 && !memcmp(t, "\"plain\"", 7), "a plain string is a JSON string");
    cr_expect_eq(sl_colset_find(c, "Extra"), -1);
    sl_batch_destroy(b);
    cr_expect_neq(sl_ingest_li_parse(s, &o, "{\"a\":1}", 7, now, &b, &e), 0);
    cr_expect_eq(e.http, 400, "a bare object is refused, not silently dropped");
    cr_assert_eq(sl_ingest_li_parse(s, &o, "[]", 2, now, &b, &e), 0);
    cr_expect_eq(b->rows.nrows, 0);
    sl_batch_destroy(b);
    sl_ingest_dcr_free(r);
}

static void gz(const char *in, size_t n, sl_buf_t *out)
{
    z_stream z = { 0 };
    deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    sl_buf_reserve(out, deflateBound(&z, n));
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)n;
    z.next_out = (Bytef *)out->data;
    z.avail_out = (uInt)out->cap;
    deflate(&z, Z_FINISH);
    out->len = z.total_out;
    deflateEnd(&z);
}

Test(ingest_gzip, inflates_within_the_limit_only)
{
    sl_buf_t big = SL_BUF_INIT, packed = SL_BUF_INIT, out = SL_BUF_INIT;
    for (int i = 0; i < 200000; i++)
        sl_buf_putc(&big, 'a');
    gz(big.data, big.len, &packed);
    sl_diag_t d;
    cr_expect_eq(sl_ingest_gunzip(packed.data, packed.len, 1 << 20, &out, &d), 0);
    cr_expect_eq(out.len, 200000);
    sl_buf_reset(&out);
    cr_expect_eq(sl_ingest_gunzip(packed.data, packed.len, 1000, &out, &d), SL_ELIMIT,
                 "a small bomb stops at the limit");
    cr_expect(out.len <= 1001);
    sl_buf_reset(&out);
    cr_expect_eq(sl_ingest_gunzip("not gzip", 8, 1000, &out, &d), SL_EPARSE);
    sl_buf_reset(&out);
    cr_expect_eq(sl_ingest_gunzip(packed.data, packed.len / 2, 1 << 20, &out, &d), SL_EPARSE,
                 "truncated");
    sl_buf_dispose(&big);
    sl_buf_dispose(&packed);
    sl_buf_dispose(&out);
}
