/* Internals shared by the files of config/. */
#ifndef SL_CONFIG_INT_H
#define SL_CONFIG_INT_H

#include "config/config.h"

typedef enum {
    SL_SET_STRING,
    SL_SET_LIST,
    SL_SET_INT,
    SL_SET_BOOL,
    SL_SET_DURATION, /* stored as int64 milliseconds */
    SL_SET_SIZE,     /* stored as uint64 bytes */
    SL_SET_ENUM,     /* log level names, stored as int */
} sl_setting_type_t;

/* Extra validation of a parsed string value; returns NULL or what is accepted. */
typedef const char *(*sl_setting_check_fn)(const char *value);

typedef struct sl_setting {
    const char *name;
    sl_setting_type_t type;
    size_t offset;
    const char *def;
    int64_t min, max; /* for INT, DURATION (ms) and SIZE; ignored when both 0 */
    sl_setting_check_fn check;
    const char *doc;
} sl_setting_t;

extern const sl_setting_t sl_settings[];
extern const size_t sl_settings_count;

const char *sl_check_listen(const char *v);
const char *sl_check_http_listen(const char *v);
const char *sl_check_url(const char *v);
const char *sl_check_span(const char *v);

#endif
