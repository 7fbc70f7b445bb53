/*
 * ingest — turns request bodies of the ingestion APIs into batches for the
 * store: the HTTP Data Collector API (SharedKey, type inference by suffix)
 * and the Logs Ingestion API (DCR stream declarations), plus their
 * building blocks: the SharedKey signature, gzip bodies, and DCR parsing.
 *
 * Nothing here knows HTTP servers: callers pass header values and bodies in,
 * and get a batch or an error in the API's terms (HTTP status, error code,
 * message) back. Functions are thread-safe and run on pool threads.
 */
#ifndef SL_INGEST_H
#define SL_INGEST_H

#include "common/common.h"
#include "store/store.h"

/* An ingestion error as the API reports it. */
typedef struct sl_ingest_err {
    int http;         /* 400, 413, ... */
    const char *code; /* "InvalidDataFormat", "InvalidLogType", ... */
    char msg[400];
} sl_ingest_err_t;

/* ------------------------------------------------------------------------ */
/* HTTP Data Collector API (PROTOCOLS.md §1)                                */
/* ------------------------------------------------------------------------ */

#define SL_DC_FIELD_MAX 32768 /* bytes; longer values are truncated */
#define SL_DC_COLUMN_NAME_MAX 45

/* Log-Type: letters, digits and '_', 1 to 100 characters. */
bool sl_ingest_log_type_valid(const char *s, size_t n);

/*
 * The SharedKey signature: Base64(HMAC-SHA256(key, "POST\n<length>\n<type>\n
 * x-ms-date:<date>\n/api/logs")). `key` is the decoded shared key.
 * sl_ingest_sharedkey_check compares with `sig` (base64) in constant time.
 */
void sl_ingest_sharedkey_sign(const uint8_t *key, size_t key_len, uint64_t content_length,
                              const char *content_type, size_t ct_len, const char *date,
                              size_t date_len, char out[48]);
bool sl_ingest_sharedkey_check(const uint8_t *key, size_t key_len, uint64_t content_length,
                               const char *content_type, size_t ct_len, const char *date,
                               size_t date_len, const char *sig, size_t sig_len);

typedef struct sl_dc_req {
    const char *log_type;
    size_t log_type_len;
    const char *time_field; /* raw JSON key named by time-generated-field, or NULL */
    size_t time_field_len;
    const char *resource_id; /* x-ms-AzureResourceId, or NULL */
    size_t resource_id_len;
    const char *body;
    size_t body_len;
    sl_ticks_t received;
} sl_dc_req_t;

/*
 * Parses a Data Collector post into a batch for table <Log-Type>_CL of
 * workspace `ws`. `existing` is the table's current schema (NULL for a new
 * table): values convert to existing columns where they can, as Azure does.
 * An empty array yields a batch with no rows. On failure *out is NULL and
 * `e` says why (400 InvalidDataFormat, ...).
 */
int sl_ingest_dc_parse(const sl_dc_req_t *r, const sl_guid_t *ws, const sl_table_def_t *existing,
                       sl_batch_t **out, sl_ingest_err_t *e);

/* ------------------------------------------------------------------------ */
/* Data collection rules and the Logs Ingestion API (PROTOCOLS.md §2)       */
/* ------------------------------------------------------------------------ */

#define SL_LI_FIELD_MAX 65536

typedef struct sl_dcr_column {
    char *name;
    sl_type_t type;
} sl_dcr_column_t;

/* Where one stream's rows go. */
typedef struct sl_dcr_output {
    char *workspace; /* as written in the DCR: a name, a GUID or a resource id */
    sl_guid_t ws;    /* resolved by the caller */
    char table[SL_TABLE_NAME_MAX + 1];
} sl_dcr_output_t;

typedef struct sl_dcr_stream {
    char *name; /* "Custom-MyTable_CL" */
    size_t ncols;
    sl_dcr_column_t *cols;
    size_t nout;
    sl_dcr_output_t *out;
} sl_dcr_stream_t;

typedef struct sl_dcr {
    char immutable_id[72];
    char name[128];
    size_t nstreams;
    sl_dcr_stream_t *streams;
} sl_dcr_t;

/*
 * Parses a data collection rule in the shape Azure uses (an ARM resource with
 * "properties", or the properties object itself): streamDeclarations,
 * destinations.logAnalytics and dataFlows. Only the "source" transformation
 * is supported; anything else is refused by name. When the rule has no
 * properties.immutableId one is generated ("dcr-" and 32 hex digits).
 */
int sl_ingest_dcr_parse(const char *json, size_t n, sl_dcr_t **out, sl_diag_t *d);
void sl_ingest_dcr_free(sl_dcr_t *dcr);
const sl_dcr_stream_t *sl_ingest_dcr_stream(const sl_dcr_t *dcr, const char *name);

/*
 * Parses a Logs Ingestion body (a JSON array of objects) against a stream's
 * declared columns into a batch for output `o`: values are coerced to the
 * declared types, undeclared fields are dropped, strings over 64 KB are
 * truncated, TimeGenerated comes from the data when declared. An empty array
 * yields a batch with no rows.
 */
int sl_ingest_li_parse(const sl_dcr_stream_t *st, const sl_dcr_output_t *o, const char *body,
                       size_t n, sl_ticks_t received, sl_batch_t **out, sl_ingest_err_t *e);

/* Inflates a gzip body into `out`, failing with SL_ELIMIT past `max` bytes
 * and SL_EPARSE on a malformed stream. */
int sl_ingest_gunzip(const char *in, size_t n, size_t max, sl_buf_t *out, sl_diag_t *d);

#endif /* SL_INGEST_H */
