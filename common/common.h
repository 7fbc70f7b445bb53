/*
 * common — the small things every sealog module needs: error codes and
 * diagnostics, allocation, growable buffers, request pools, logging, time,
 * a JSON writer, base64/hex, GUIDs, URL targets, and a binary record codec.
 *
 * Nothing here touches third-party libraries, so every module may include it.
 * Functions are thread-safe unless they take an object that says otherwise.
 */
#ifndef SL_COMMON_H
#define SL_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SL_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define SL_MIN(a, b) ((a) < (b) ? (a) : (b))
#define SL_MAX(a, b) ((a) > (b) ? (a) : (b))
#define SL_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define SL_MUST_CHECK __attribute__((warn_unused_result))
#define SL_CONTAINER_OF(p, type, member) ((type *)((char *)(p) - offsetof(type, member)))

/* ------------------------------------------------------------------------ */
/* Errors                                                                   */
/* ------------------------------------------------------------------------ */

/*
 * Functions return 0 on success and a negative code on failure. Codes from
 * the OS pass through as -errno; sealog's own codes sit in a reserved range
 * below -20000 so they never collide (as LMDB does with its MDB_* codes).
 *
 * X(name, value, message)
 */
#define SL_ERROR_MAP(X)                                                                         \
    X(SL_EINVAL, -20001, "invalid argument")                                                    \
    X(SL_ENOTFOUND, -20002, "not found")                                                        \
    X(SL_EEXIST, -20003, "already exists")                                                      \
    X(SL_EPARSE, -20004, "malformed input")                                                     \
    X(SL_ELIMIT, -20005, "limit exceeded")                                                      \
    X(SL_EINTEGRITY, -20006, "integrity check failed")                                          \
    X(SL_EKEYUNAVAIL, -20007, "key unavailable")                                                \
    X(SL_EAUTH, -20008, "authentication failed")                                                \
    X(SL_EFORBIDDEN, -20009, "not permitted")                                                   \
    X(SL_EBUSY, -20010, "busy, retry later")                                                    \
    X(SL_ETIMEOUT, -20011, "timed out")                                                         \
    X(SL_ESTORE, -20012, "storage error")                                                       \
    X(SL_ECRYPTO, -20013, "cryptographic library error")                                        \
    X(SL_EUNSUPPORTED, -20014, "not supported")                                                 \
    X(SL_ESTATE, -20015, "invalid state")                                                       \
    X(SL_EVERSION, -20016, "unsupported format version")                                        \
    X(SL_ENOMEM, -20017, "out of memory")                                                       \
    X(SL_ECANCELED, -20018, "canceled")                                                         \
    X(SL_ETRANSIENT, -20019, "transient failure")                                               \
    X(SL_ECONFIG, -20020, "invalid configuration")                                              \
    X(SL_ESEMANTIC, -20021, "invalid query")

enum {
#define SL__ERR_ENUM(name, value, msg) name = value,
    SL_ERROR_MAP(SL__ERR_ENUM)
#undef SL__ERR_ENUM
};

/* Returns a static message for `code` (ours or -errno). Never NULL. */
const char *sl_strerror(int code);
/* Returns the symbolic name ("SL_ENOTFOUND", "ENOENT", ...). Never NULL. */
const char *sl_err_name(int code);

/*
 * Caller-supplied error detail. A function that fails fills it (if non-NULL)
 * with the code and a one-line human message; the caller decides whether and
 * how to log it. Modules below node/ never log on their own.
 */
typedef struct sl_diag {
    int code;
    char msg[320];
} sl_diag_t;

/* Records `code` and a formatted message in `d` (may be NULL); returns `code`. */
int sl_diag_set(sl_diag_t *d, int code, const char *fmt, ...) SL_PRINTF(3, 4);
/* Prefixes the existing message of `d` with a formatted context string. */
void sl_diag_prefix(sl_diag_t *d, const char *fmt, ...) SL_PRINTF(2, 3);
static inline void sl_diag_clear(sl_diag_t *d)
{
    if (d) {
        d->code = 0;
        d->msg[0] = '\0';
    }
}

/* ------------------------------------------------------------------------ */
/* Allocation                                                               */
/* ------------------------------------------------------------------------ */

/*
 * All memory goes through these. The x-variants abort on exhaustion and are
 * for sizes the program controls; the try-variants return NULL and are for
 * sizes a peer controls (after a limit check).
 *
 * sl_set_allocator() replaces the underlying functions (for OOM tests). It
 * must be called before any other thread starts and before any allocation
 * that will later be freed; it is the one process-wide setting in sealog.
 */
typedef struct sl_allocator {
    void *(*malloc_fn)(size_t);
    void *(*realloc_fn)(void *, size_t);
    void (*free_fn)(void *);
} sl_allocator_t;

void sl_set_allocator(const sl_allocator_t *a);
void *sl_xmalloc(size_t n);
void *sl_xcalloc(size_t n, size_t size);
void *sl_xrealloc(void *p, size_t n);
char *sl_xstrdup(const char *s);
char *sl_xstrndup(const char *s, size_t n);
char *sl_xasprintf(const char *fmt, ...) SL_PRINTF(1, 2);
void *sl_try_malloc(size_t n) SL_MUST_CHECK;
void *sl_try_realloc(void *p, size_t n) SL_MUST_CHECK;
void sl_free(void *p);

/* ------------------------------------------------------------------------ */
/* Buffers                                                                  */
/* ------------------------------------------------------------------------ */

/* A growable byte buffer. Zero-initialise or use SL_BUF_INIT. Always keeps a
 * NUL after the data so text can be used as a C string. */
typedef struct sl_buf {
    char *data;
    size_t len;
    size_t cap;
} sl_buf_t;

#define SL_BUF_INIT {NULL, 0, 0}

void sl_buf_reserve(sl_buf_t *b, size_t extra);
int sl_buf_try_reserve(sl_buf_t *b, size_t extra) SL_MUST_CHECK;
void sl_buf_append(sl_buf_t *b, const void *p, size_t n);
void sl_buf_puts(sl_buf_t *b, const char *s);
void sl_buf_putc(sl_buf_t *b, char c);
void sl_buf_printf(sl_buf_t *b, const char *fmt, ...) SL_PRINTF(2, 3);
void sl_buf_vprintf(sl_buf_t *b, const char *fmt, va_list ap);
/* Appends unsigned LEB128 / zigzag varints and fixed little-endian integers. */
void sl_buf_put_uvarint(sl_buf_t *b, uint64_t v);
void sl_buf_put_svarint(sl_buf_t *b, int64_t v);
void sl_buf_put_u16le(sl_buf_t *b, uint16_t v);
void sl_buf_put_u32le(sl_buf_t *b, uint32_t v);
void sl_buf_put_u64le(sl_buf_t *b, uint64_t v);
void sl_buf_reset(sl_buf_t *b);
/* Zeroes the contents (for buffers that held secrets) and frees them. */
void sl_buf_wipe(sl_buf_t *b);
void sl_buf_dispose(sl_buf_t *b);
/* Takes ownership of the data (caller frees with sl_free); leaves b empty. */
char *sl_buf_steal(sl_buf_t *b, size_t *len);

/* Little-endian loads/stores and varint readers. Readers return the number of
 * bytes consumed, or 0 when the input is truncated or the varint too long. */
static inline uint16_t sl_load_u16le(const void *p)
{
    const uint8_t *b = p;
    return (uint16_t)(b[0] | (b[1] << 8));
}
static inline uint32_t sl_load_u32le(const void *p)
{
    const uint8_t *b = p;
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}
static inline uint64_t sl_load_u64le(const void *p)
{
    const uint8_t *b = p;
    return (uint64_t)sl_load_u32le(b) | (uint64_t)sl_load_u32le(b + 4) << 32;
}
static inline void sl_store_u16le(void *p, uint16_t v)
{
    uint8_t *b = p;
    b[0] = (uint8_t)v;
    b[1] = (uint8_t)(v >> 8);
}
static inline void sl_store_u32le(void *p, uint32_t v)
{
    uint8_t *b = p;
    for (int i = 0; i < 4; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}
static inline void sl_store_u64le(void *p, uint64_t v)
{
    uint8_t *b = p;
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}
static inline void sl_store_u64be(void *p, uint64_t v)
{
    uint8_t *b = p;
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (56 - 8 * i));
}
static inline uint64_t sl_load_u64be(const void *p)
{
    const uint8_t *b = p;
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | b[i];
    return v;
}
static inline void sl_store_u32be(void *p, uint32_t v)
{
    uint8_t *b = p;
    for (int i = 0; i < 4; i++)
        b[i] = (uint8_t)(v >> (24 - 8 * i));
}
static inline uint32_t sl_load_u32be(const void *p)
{
    const uint8_t *b = p;
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}
size_t sl_get_uvarint(const uint8_t *p, size_t n, uint64_t *out);
size_t sl_get_svarint(const uint8_t *p, size_t n, int64_t *out);

/* ------------------------------------------------------------------------ */
/* Binary records (catalog values, WAL payloads)                            */
/* ------------------------------------------------------------------------ */

/*
 * A record is a sequence of fields, each a uvarint tag followed by a value:
 * tag&7 == 0 → uvarint, 1 → svarint, 2 → length-prefixed bytes. Unknown tags
 * are skipped, so readers tolerate fields added by newer versions.
 */
enum { SL_REC_UVAR = 0, SL_REC_SVAR = 1, SL_REC_BYTES = 2 };

void sl_rec_put_u(sl_buf_t *b, unsigned field, uint64_t v);
void sl_rec_put_i(sl_buf_t *b, unsigned field, int64_t v);
void sl_rec_put_bytes(sl_buf_t *b, unsigned field, const void *p, size_t n);
void sl_rec_put_str(sl_buf_t *b, unsigned field, const char *s);

typedef struct sl_rec_field {
    unsigned field;
    int kind;
    uint64_t u;
    int64_t i;
    const uint8_t *p;
    size_t n;
} sl_rec_field_t;

typedef struct sl_rec_reader {
    const uint8_t *p;
    size_t n;
    size_t off;
    bool bad;
} sl_rec_reader_t;

void sl_rec_reader_init(sl_rec_reader_t *r, const void *p, size_t n);
/* Returns 1 and fills `f` for the next field, 0 at the end, -1 on malformed
 * input (and sets r->bad). */
int sl_rec_next(sl_rec_reader_t *r, sl_rec_field_t *f);

/* ------------------------------------------------------------------------ */
/* Request pools                                                            */
/* ------------------------------------------------------------------------ */

/*
 * An arena for memory with one lifetime (a request, a query). Allocations are
 * freed together by sl_pool_dispose(), after the cleanup hooks run in reverse
 * order of registration. Not thread-safe.
 */
typedef struct sl_pool sl_pool_t;
typedef void (*sl_pool_cleanup_cb)(void *arg);

sl_pool_t *sl_pool_create(void);
void sl_pool_destroy(sl_pool_t *p);
void *sl_pool_alloc(sl_pool_t *p, size_t n);
void *sl_pool_calloc(sl_pool_t *p, size_t n);
char *sl_pool_strndup(sl_pool_t *p, const char *s, size_t n);
char *sl_pool_strdup(sl_pool_t *p, const char *s);
char *sl_pool_printf(sl_pool_t *p, const char *fmt, ...) SL_PRINTF(2, 3);
void sl_pool_cleanup_add(sl_pool_t *p, sl_pool_cleanup_cb cb, void *arg);
/* Bytes handed out so far (for per-query memory budgets). */
size_t sl_pool_used(const sl_pool_t *p);

/* ------------------------------------------------------------------------ */
/* Logging                                                                  */
/* ------------------------------------------------------------------------ */

typedef enum { SL_LOG_DEBUG = 0, SL_LOG_INFO, SL_LOG_WARN, SL_LOG_ERROR, SL_LOG_OFF } sl_log_level_t;

/*
 * A logger writes one line per event to a file descriptor:
 *   2026-11-23T12:00:00.123Z level=info sub=node req=5f2c... msg="text"
 * The level can change at run time (SIGHUP); warnings and errors are
 * rate-limited per logger so that a flood of bad requests cannot fill a disk.
 * Thread-safe. Never pass secrets to it.
 */
typedef struct sl_log sl_log_t;

sl_log_t *sl_log_create(int fd, sl_log_level_t level);
void sl_log_destroy(sl_log_t *lg);
void sl_log_set_level(sl_log_t *lg, sl_log_level_t level);
sl_log_level_t sl_log_get_level(const sl_log_t *lg);
bool sl_log_enabled(const sl_log_t *lg, sl_log_level_t level);
/* Parses "debug", "info", "warn", "error", "off"; returns -1 if unknown. */
int sl_log_level_parse(const char *s);
const char *sl_log_level_name(sl_log_level_t l);
void sl_log_write(sl_log_t *lg, sl_log_level_t level, const char *sub, const char *reqid,
                  const char *fmt, ...) SL_PRINTF(5, 6);
/* Number of lines dropped by rate limiting so far. */
uint64_t sl_log_suppressed(const sl_log_t *lg);

#define sl_log(lg, level, sub, ...)                                                            \
    do {                                                                                       \
        if (sl_log_enabled((lg), (level)))                                                     \
            sl_log_write((lg), (level), (sub), NULL, __VA_ARGS__);                             \
    } while (0)
#define sl_logr(lg, level, sub, reqid, ...)                                                    \
    do {                                                                                       \
        if (sl_log_enabled((lg), (level)))                                                     \
            sl_log_write((lg), (level), (sub), (reqid), __VA_ARGS__);                          \
    } while (0)

/* ------------------------------------------------------------------------ */
/* Time                                                                     */
/* ------------------------------------------------------------------------ */

/*
 * Datetimes are 100-nanosecond ticks since the Unix epoch (KQL's resolution),
 * in an int64 (± 29,000 years). Timespans use the same unit.
 */
typedef int64_t sl_ticks_t;
#define SL_TICKS_PER_US INT64_C(10)
#define SL_TICKS_PER_MS INT64_C(10000)
#define SL_TICKS_PER_SEC INT64_C(10000000)
#define SL_TICKS_PER_MIN (60 * SL_TICKS_PER_SEC)
#define SL_TICKS_PER_HOUR (3600 * SL_TICKS_PER_SEC)
#define SL_TICKS_PER_DAY (86400 * SL_TICKS_PER_SEC)

sl_ticks_t sl_time_now(void);          /* wall clock (UTC)              */
uint64_t sl_time_mono_ns(void);        /* monotonic clock, nanoseconds  */
/* Days since 1970-01-01 for a civil date, and back. */
int64_t sl_days_from_civil(int64_t y, unsigned m, unsigned d);
void sl_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

/*
 * Parses an ISO 8601 / RFC 3339 datetime: date, optional 'T' or ' ' and time,
 * optional fraction (up to 7 digits kept), optional 'Z' or ±hh:mm offset.
 * A missing zone means UTC. Returns 0 or SL_EPARSE.
 */
int sl_time_parse_iso8601(const char *s, size_t n, sl_ticks_t *out);
/* Parses RFC 1123 ("Mon, 04 Apr 2016 08:00:00 GMT") and RFC 850 forms. */
int sl_time_parse_rfc1123(const char *s, size_t n, sl_ticks_t *out);
/* Writes "2026-11-23T12:00:00.1234567Z" (7 fraction digits, trailing zeros
 * trimmed down to none: "…:00Z"); returns the length. `out` needs 32 bytes. */
size_t sl_time_format_iso8601(sl_ticks_t t, char out[32]);
/* Writes "2026-11-23T12:00:00.123Z" (always milliseconds). */
size_t sl_time_format_iso8601_ms(sl_ticks_t t, char out[32]);
/* Writes a timespan as KQL shows it: "[-][d.]hh:mm:ss[.fffffff]" (the
 * fraction only when non-zero). Returns the length. */
size_t sl_time_format_timespan(sl_ticks_t t, char out[40]);
/* Writes "Mon, 23 Nov 2026 12:00:00 GMT". `out` needs 32 bytes. */
size_t sl_time_format_rfc1123(sl_ticks_t t, char out[32]);

/*
 * Parses a duration for configuration: a number and a unit (ms, s, m, h, d),
 * e.g. "500ms", "10s", "1h"; a bare number means seconds. Result in
 * milliseconds. Returns 0 or SL_EPARSE.
 */
int sl_duration_parse_ms(const char *s, int64_t *out_ms);
/* ISO 8601 duration ("PT1H", "P1DT2H30M", "PT0.5S", "P2W"; Y = 365 days,
 * M = 30 days) in ticks. Returns 0 or SL_EPARSE. */
int sl_time_parse_iso_duration(const char *s, size_t n, sl_ticks_t *out);
/* ISO 8601 interval, as the Query API's timespan: "start/end",
 * "start/duration", "duration/end", or a bare duration (ending at `now`).
 * The end is what the client wrote; callers treat it as inclusive.
 * Returns 0 or SL_EPARSE (also when start > end). */
int sl_time_parse_iso_interval(const char *s, size_t n, sl_ticks_t now, sl_ticks_t *t0,
                               sl_ticks_t *t1);
/* Parses a byte size: a number with optional unit (B, KB, MB, GB, KiB, MiB,
 * GiB); a bare number means bytes. Returns 0 or SL_EPARSE. */
int sl_size_parse(const char *s, uint64_t *out);

/* ------------------------------------------------------------------------ */
/* JSON writer                                                              */
/* ------------------------------------------------------------------------ */

/*
 * Streams JSON into a buffer, inserting commas itself. Strings are escaped
 * per RFC 8259; invalid UTF-8 is replaced by U+FFFD so output is always valid.
 */
typedef struct sl_jw {
    sl_buf_t *out;
    uint8_t need_comma[64];
    int depth;
} sl_jw_t;

void sl_jw_init(sl_jw_t *w, sl_buf_t *out);
void sl_jw_obj_begin(sl_jw_t *w);
void sl_jw_obj_end(sl_jw_t *w);
void sl_jw_arr_begin(sl_jw_t *w);
void sl_jw_arr_end(sl_jw_t *w);
void sl_jw_key(sl_jw_t *w, const char *k);
void sl_jw_keyn(sl_jw_t *w, const char *k, size_t n);
void sl_jw_str(sl_jw_t *w, const char *s);
void sl_jw_strn(sl_jw_t *w, const char *s, size_t n);
void sl_jw_int(sl_jw_t *w, int64_t v);
void sl_jw_uint(sl_jw_t *w, uint64_t v);
/* Finite values as shortest round-trip text; NaN/±Inf as strings. */
void sl_jw_real(sl_jw_t *w, double v);
void sl_jw_bool(sl_jw_t *w, bool v);
void sl_jw_null(sl_jw_t *w);
/* Inserts pre-encoded JSON text verbatim (caller guarantees validity). */
void sl_jw_raw(sl_jw_t *w, const char *s, size_t n);
/* Appends `s` escaped as JSON string content (no quotes) to `b`. */
void sl_json_escape(sl_buf_t *b, const char *s, size_t n);
/* Formats a double as shortest text that round-trips; returns length. */
size_t sl_format_double(double v, char out[32]);

/* ------------------------------------------------------------------------ */
/* Encodings                                                                */
/* ------------------------------------------------------------------------ */

/* Standard base64 with padding. Returns the encoded length (no NUL). */
size_t sl_base64_encode(const void *in, size_t n, char *out);
#define SL_BASE64_LEN(n) ((((n) + 2) / 3) * 4)
/* base64url without padding. */
size_t sl_base64url_encode(const void *in, size_t n, char *out);
/* Decodes standard or url-safe base64, padded or not. `out` needs
 * 3*n/4+3 bytes. Returns 0 or SL_EPARSE; *out_n gets the length. */
int sl_base64_decode(const char *in, size_t n, uint8_t *out, size_t *out_n);
/* Lower-case hex. `out` needs 2n+1 bytes (NUL-terminated). */
void sl_hex_encode(const void *in, size_t n, char *out);
int sl_hex_decode(const char *in, size_t n, uint8_t *out);

/* Fills `p` with random bytes from the kernel CSPRNG (getrandom). Aborts if
 * the kernel cannot supply them: no fallback is acceptable for keys. */
void sl_random_bytes(void *p, size_t n);
/* Constant-time comparison of equal-length byte strings; true if equal. */
bool sl_ct_equal(const void *a, const void *b, size_t n);
/* Zeroes memory in a way the compiler may not remove. */
void sl_wipe(void *p, size_t n);

/* ------------------------------------------------------------------------ */
/* GUIDs                                                                    */
/* ------------------------------------------------------------------------ */

typedef struct sl_guid {
    uint8_t b[16];
} sl_guid_t;

/* Accepts 8-4-4-4-12 with dashes, 32 hex digits without, optionally in
 * braces; any case. Returns 0 or SL_EPARSE. */
int sl_guid_parse(const char *s, size_t n, sl_guid_t *out);
/* Writes the canonical lower-case dashed form; `out` needs 37 bytes. */
void sl_guid_format(const sl_guid_t *g, char out[37]);
/* A random (version 4) GUID. */
void sl_guid_random(sl_guid_t *g);
bool sl_guid_is_zero(const sl_guid_t *g);

/* ------------------------------------------------------------------------ */
/* Request targets (PROTOCOLS.md §5)                                        */
/* ------------------------------------------------------------------------ */

/* One decoded query parameter. */
typedef struct sl_qparam {
    char *name;
    char *value;
} sl_qparam_t;

#define SL_TARGET_MAX_SEGMENTS 16
#define SL_TARGET_MAX_PARAMS 32

/*
 * A request target split for routing. Accepts origin-form ("/a/b?x=1") and
 * absolute-form ("https://host:port/a/b?x=1"). Path segments are
 * percent-decoded; empty segments (from "//") are dropped unless
 * `keep_empty` was requested (Key Vault's "/keys/n//wrapkey"). Query names
 * and values are percent-decoded ('+' means space in values).
 */
typedef struct sl_target {
    size_t nseg;
    char *seg[SL_TARGET_MAX_SEGMENTS];
    size_t nparam;
    sl_qparam_t param[SL_TARGET_MAX_PARAMS];
    char *path; /* the normalized path, "/" joined, decoded */
} sl_target_t;

/*
 * Parses `raw` into `t`, allocating from `pool`. Returns 0, or SL_EPARSE for
 * a target that is not origin- or absolute-form, has bad percent-escapes or
 * NUL bytes, or SL_ELIMIT when it has too many segments or parameters.
 */
int sl_target_parse(sl_pool_t *pool, const char *raw, size_t n, bool keep_empty, sl_target_t *t);
/* Value of the first parameter named `name` (exact match), or NULL. */
const char *sl_target_param(const sl_target_t *t, const char *name);
/* Percent-decodes into `out` (which may alias `in`); `plus_space` turns '+'
 * into ' '. Returns the decoded length or -1 on a bad escape or NUL. */
ssize_t sl_percent_decode(const char *in, size_t n, char *out, bool plus_space);
/* Parses an application/x-www-form-urlencoded body into params. */
int sl_form_parse(sl_pool_t *pool, const char *body, size_t n, sl_qparam_t *params,
                  size_t max, size_t *count);
/* Appends the percent-encoding of `s` (RFC 3986 unreserved kept) to `b`. */
void sl_percent_encode(sl_buf_t *b, const char *s, size_t n);

/* ------------------------------------------------------------------------ */
/* Small utilities                                                          */
/* ------------------------------------------------------------------------ */

/* ASCII case-insensitive comparisons of byte strings. */
bool sl_strn_ieq(const char *a, size_t an, const char *b, size_t bn);
bool sl_str_ieq(const char *a, const char *b);
/* Parses a decimal int64 covering all of s[0..n); returns 0 or SL_EPARSE. */
int sl_parse_i64(const char *s, size_t n, int64_t *out);
/* Writes a file atomically: temp file in the same directory, fsync, rename,
 * fsync of the directory. Returns 0 or -errno. */
int sl_write_file_atomic(const char *path, const void *data, size_t n, unsigned mode);
/* Reads a whole file (up to `max` bytes). Returns 0, -errno, or SL_ELIMIT. */
int sl_read_file(const char *path, size_t max, sl_buf_t *out);
/* mkdir -p with `mode` for the directories it creates. Returns 0 or -errno. */
int sl_mkdirs(const char *path, unsigned mode);
/* Removes a directory tree (for tests and rollback). Returns 0 or -errno. */
int sl_rmtree(const char *path);
/* fsyncs a directory so that entries created in it are durable. */
int sl_fsync_dir(const char *path);
/* Lower-case hex request id of 16 characters (NUL-terminated). */
void sl_request_id(char out[17]);

#endif /* SL_COMMON_H */
