/* Value conversion shared by dc.c and li.c (see values.c). */
#ifndef SL_INGEST_VALS_H
#define SL_INGEST_VALS_H

#include "ingest/ingest.h"
#include "ingest/ingest_int.h"

/* A JSON value converted to a column type. Text may point into the input,
 * into `tmp`, or into `guid`: push it before converting the next value. */
typedef struct sl_ingest_val {
    sl_type_t type;
    const char *text;
    size_t len;
    int64_t i;
    double f;
    bool b;
    char guid[37];
} sl_ingest_val_t;

bool sl_ingest__guid_text(const char *s, size_t n, char canonical[37]);
bool sl_ingest__datetime_text(const char *s, size_t n, sl_ticks_t *out);
bool sl_ingest__number_text(const char *s, size_t n, double *out);
size_t sl_ingest__utf8_cut(const char *s, size_t n, size_t max);
/* Converts the value at token vi to `type`; false if it does not convert. */
bool sl_ingest__convert(const sl_json_doc_t *doc, size_t vi, sl_type_t type, size_t field_max,
                        sl_ingest_val_t *v, sl_buf_t *tmp);
void sl_ingest__push(sl_col_t *c, const sl_ingest_val_t *v);

#endif
