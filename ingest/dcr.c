/*
 * Data collection rules, in the JSON shape Azure uses (an ARM resource with
 * "properties", or the properties alone):
 *
 *   streamDeclarations  { "Custom-X": { "columns": [ {name, type}, ... ] } }
 *   destinations        { "logAnalytics": [ { "name", "workspaceResourceId" |
 *                                              "workspaceId" } ] }
 *   dataFlows           [ { "streams": [...], "destinations": [...],
 *                           "transformKql": "source", "outputStream": "Custom-X_CL" } ]
 *
 * The result maps each declared stream to its outputs (workspace, table).
 * Rules are small documents: jansson parses them.
 */
#include "ingest/ingest.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static bool valid_column_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 45 || !isalpha((unsigned char)s[0]))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_')
            return false;
    return true;
}

static bool valid_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
            return false;
    return true;
}

/* The column types of a stream declaration (KnownColumnDefinitionType). */
static sl_type_t dcr_type(const char *s)
{
    static const struct {
        const char *name;
        sl_type_t t;
    } types[] = { { "string", SL_TYPE_STRING }, { "int", SL_TYPE_INT },
                  { "long", SL_TYPE_LONG },     { "real", SL_TYPE_REAL },
                  { "boolean", SL_TYPE_BOOL },  { "datetime", SL_TYPE_DATETIME },
                  { "dynamic", SL_TYPE_DYNAMIC } };
    for (size_t i = 0; i < SL_ARRAY_SIZE(types); i++)
        if (!strcasecmp(s, types[i].name))
            return types[i].t;
    return 0;
}

/* "Custom-MyTable_CL" → "MyTable_CL"; "Microsoft-Syslog" → "Syslog". */
static bool output_table(const char *stream, char *out, size_t n)
{
    const char *t = NULL;
    if (!strncmp(stream, "Custom-", 7))
        t = stream + 7;
    else if (!strncmp(stream, "Microsoft-", 10))
        t = stream + 10;
    if (!t || !*t || strlen(t) >= n)
        return false;
    for (const char *p = t; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_')
            return false;
    snprintf(out, n, "%s", t);
    return true;
}

void sl_ingest_dcr_free(sl_dcr_t *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nstreams; i++) {
        sl_dcr_stream_t *s = &r->streams[i];
        sl_free(s->name);
        for (size_t k = 0; k < s->ncols; k++)
            sl_free(s->cols[k].name);
        sl_free(s->cols);
        for (size_t k = 0; k < s->nout; k++)
            sl_free(s->out[k].workspace);
        sl_free(s->out);
    }
    sl_free(r->streams);
    sl_free(r);
}

const sl_dcr_stream_t *sl_ingest_dcr_stream(const sl_dcr_t *r, const char *name)
{
    for (size_t i = 0; i < r->nstreams; i++)
        if (!strcmp(r->streams[i].name, name))
            return &r->streams[i];
    return NULL;
}

static const char *destination_workspace(json_t *dests, const char *name)
{
    json_t *la = json_object_get(dests, "logAnalytics");
    size_t i;
    json_t *d;
    json_array_foreach(la, i, d)
    {
        const char *n = json_string_value(json_object_get(d, "name"));
        if (!n || strcmp(n, name))
            continue;
        const char *w = json_string_value(json_object_get(d, "workspaceResourceId"));
        if (!w)
            w = json_string_value(json_object_get(d, "workspaceId"));
        return w;
    }
    return NULL;
}

int sl_ingest_dcr_parse(const char *text, size_t n, sl_dcr_t **out, sl_diag_t *d)
{
    *out = NULL;
    json_error_t err;
    json_t *root = json_loadb(text, n, JSON_REJECT_DUPLICATES, &err);
    if (!root)
        return sl_diag_set(d, SL_EPARSE, "the rule is not valid JSON: %s (line %d)", err.text,
                           err.line);
    int rc = 0;
    sl_dcr_t *r = sl_xcalloc(1, sizeof *r);
    json_t *props = json_object_get(root, "properties");
    if (!json_is_object(props))
        props = root;
    const char *name = json_string_value(json_object_get(root, "name"));
    snprintf(r->name, sizeof r->name, "%s", name ? name : "");
    const char *imm = json_string_value(json_object_get(props, "immutableId"));
    if (imm) {
        if (!valid_id(imm)) {
            rc = sl_diag_set(d, SL_EINVAL, "immutableId \"%s\" must be 1-64 letters, digits, "
                             "'-' or '_'", imm);
            goto done;
        }
        snprintf(r->immutable_id, sizeof r->immutable_id, "%s", imm);
    } else {
        uint8_t raw[16];
        char hex[33];
        sl_random_bytes(raw, sizeof raw);
        sl_hex_encode(raw, sizeof raw, hex);
        snprintf(r->immutable_id, sizeof r->immutable_id, "dcr-%s", hex);
    }
    json_t *decls = json_object_get(props, "streamDeclarations");
    if (!json_is_object(decls) || json_object_size(decls) == 0) {
        rc = sl_diag_set(d, SL_EINVAL, "properties.streamDeclarations must declare at least "
                         "one stream");
        goto done;
    }
    r->streams = sl_xcalloc(json_object_size(decls), sizeof *r->streams);
    const char *sname;
    json_t *sdecl;
    json_object_foreach(decls, sname, sdecl)
    {
        if (strncmp(sname, "Custom-", 7) || !sname[7]) {
            rc = sl_diag_set(d, SL_EINVAL, "stream \"%s\": declared streams are named "
                             "Custom-<name>", sname);
            goto done;
        }
        sl_dcr_stream_t *s = &r->streams[r->nstreams++];
        s->name = sl_xstrdup(sname);
        json_t *cols = json_object_get(sdecl, "columns");
        if (!json_is_array(cols) || json_array_size(cols) == 0 ||
            json_array_size(cols) > SL_TABLE_MAX_COLUMNS - 8) {
            rc = sl_diag_set(d, SL_EINVAL, "stream \"%s\" needs 1 to %d columns", sname,
                             SL_TABLE_MAX_COLUMNS - 8);
            goto done;
        }
        s->cols = sl_xcalloc(json_array_size(cols), sizeof *s->cols);
        size_t i;
        json_t *c;
        json_array_foreach(cols, i, c)
        {
            const char *cn = json_string_value(json_object_get(c, "name"));
            const char *ct = json_string_value(json_object_get(c, "type"));
            sl_type_t t = ct ? dcr_type(ct) : 0;
            if (!cn || !valid_column_name(cn)) {
                rc = sl_diag_set(d, SL_EINVAL, "stream \"%s\" column %zu: the name must start "
                                 "with a letter and have at most 45 letters, digits or '_'",
                                 sname, i);
                goto done;
            }
            if (!t) {
                rc = sl_diag_set(d, SL_EINVAL, "stream \"%s\" column %s: unknown type \"%s\" "
                                 "(string, int, long, real, boolean, datetime, dynamic)",
                                 sname, cn, ct ? ct : "");
                goto done;
            }
            for (size_t k = 0; k < s->ncols; k++)
                if (!strcmp(s->cols[k].name, cn)) {
                    rc = sl_diag_set(d, SL_EINVAL, "stream \"%s\" declares column %s twice",
                                     sname, cn);
                    goto done;
                }
            s->cols[s->ncols].name = sl_xstrdup(cn);
            s->cols[s->ncols].type = t;
            s->ncols++;
        }
    }
    json_t *dests = json_object_get(props, "destinations");
    json_t *flows = json_object_get(props, "dataFlows");
    if (!json_is_array(flows) || json_array_size(flows) == 0) {
        rc = sl_diag_set(d, SL_EINVAL, "properties.dataFlows must have at least one flow");
        goto done;
    }
    size_t fi;
    json_t *f;
    json_array_foreach(flows, fi, f)
    {
        const char *kql = json_string_value(json_object_get(f, "transformKql"));
        if (kql) {
            while (isspace((unsigned char)*kql))
                kql++;
            size_t kl = strlen(kql);
            while (kl && isspace((unsigned char)kql[kl - 1]))
                kl--;
            if (kl != 6 || strncmp(kql, "source", 6)) {
                rc = sl_diag_set(d, SL_EUNSUPPORTED, "dataFlows[%zu]: transformKql other than "
                                 "\"source\" is not supported yet", fi);
                goto done;
            }
        }
        const char *ostream = json_string_value(json_object_get(f, "outputStream"));
        json_t *fs = json_object_get(f, "streams"), *fd = json_object_get(f, "destinations");
        if (!json_is_array(fs) || !json_is_array(fd) || !json_array_size(fs) ||
            !json_array_size(fd)) {
            rc = sl_diag_set(d, SL_EINVAL, "dataFlows[%zu] needs streams and destinations", fi);
            goto done;
        }
        size_t si, di;
        json_t *sv, *dv;
        json_array_foreach(fs, si, sv)
        {
            const char *in = json_string_value(sv);
            sl_dcr_stream_t *s = NULL;
            for (size_t k = 0; in && k < r->nstreams; k++)
                if (!strcmp(r->streams[k].name, in))
                    s = &r->streams[k];
            if (!s) {
                rc = sl_diag_set(d, SL_EINVAL, "dataFlows[%zu]: stream \"%s\" is not declared",
                                 fi, in ? in : "");
                goto done;
            }
            char table[SL_TABLE_NAME_MAX + 1];
            if (!output_table(ostream ? ostream : s->name, table, sizeof table)) {
                rc = sl_diag_set(d, SL_EINVAL, "dataFlows[%zu]: outputStream \"%s\" must be "
                                 "Custom-<Table>_CL or Microsoft-<Table>", fi,
                                 ostream ? ostream : s->name);
                goto done;
            }
            json_array_foreach(fd, di, dv)
            {
                const char *dn = json_string_value(dv);
                const char *w = dn ? destination_workspace(dests, dn) : NULL;
                if (!w) {
                    rc = sl_diag_set(d, SL_EINVAL, "dataFlows[%zu]: destination \"%s\" is not a "
                                     "destinations.logAnalytics entry with a workspace", fi,
                                     dn ? dn : "");
                    goto done;
                }
                s->out = sl_xrealloc(s->out, (s->nout + 1) * sizeof *s->out);
                sl_dcr_output_t *o = &s->out[s->nout++];
                memset(o, 0, sizeof *o);
                o->workspace = sl_xstrdup(w);
                snprintf(o->table, sizeof o->table, "%s", table);
            }
        }
    }
    for (size_t i = 0; i < r->nstreams; i++)
        if (r->streams[i].nout == 0) {
            rc = sl_diag_set(d, SL_EINVAL, "stream \"%s\" is declared but no dataFlow uses it",
                             r->streams[i].name);
            goto done;
        }
done:
    json_decref(root);
    if (rc) {
        sl_ingest_dcr_free(r);
        return rc;
    }
    *out = r;
    return 0;
}
