/*
 * bench_vault_wrap — how fast sealog-vault unwraps, end to end.
 *
 *   bench_vault_wrap --vault PATH [--connections C] [--seconds S]
 *                    [--alg RSA-OAEP-256|RSA-OAEP|RSA1_5|A256KW] [--size BITS]
 *
 * Starts PATH (sealog-vault) on a free port with a temporary data directory,
 * creates a key, wraps one 32-byte AEK, then C threads each hold one
 * keep-alive HTTPS connection and unwrap it back-to-back for S seconds —
 * what a fleet of sealog nodes' key monitors would do. Prints throughput and
 * latency percentiles. The vault is a black box here (HTTP only), as it is
 * to the node.
 *
 * Not a test: it asserts nothing and is not run by ctest.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/common.h"

static double now_s(void)
{
    return (double)sl_time_mono_ns() / 1e9;
}

/* ------------------------------------------------------------------------ */

typedef struct target {
    char url[256];    /* .../keys/bench//unwrapkey?api-version=7.5 */
    char auth[256];   /* Authorization header */
    char cacert[512];
    char body[1024];  /* {"alg":..,"value":..} */
    double secs;
} target_t;

typedef struct worker {
    const target_t *t;
    pthread_t th;
    double *lat;
    size_t n, cap;
    uint64_t errors;
} worker_t;

static size_t sink(char *p, size_t size, size_t n, void *arg)
{
    (void)p;
    (void)arg;
    return size * n;
}

static size_t collect(char *p, size_t size, size_t n, void *arg)
{
    sl_buf_append(arg, p, size * n);
    return size * n;
}

static CURL *handle(const target_t *t, struct curl_slist **hl)
{
    CURL *h = curl_easy_init();
    *hl = curl_slist_append(NULL, t->auth);
    *hl = curl_slist_append(*hl, "Content-Type: application/json");
    *hl = curl_slist_append(*hl, "Expect:");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, *hl);
    curl_easy_setopt(h, CURLOPT_CAINFO, t->cacert);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
    return h;
}

static void *run(void *arg)
{
    worker_t *w = arg;
    struct curl_slist *hl;
    CURL *h = handle(w->t, &hl);
    curl_easy_setopt(h, CURLOPT_URL, w->t->url);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, w->t->body);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
    double t0 = now_s(), t;
    do {
        double s = now_s();
        long status = 0;
        if (curl_easy_perform(h) == CURLE_OK)
            curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        t = now_s();
        if (status != 200) {
            w->errors++;
            continue;
        }
        if (w->n == w->cap) {
            w->cap = w->cap ? w->cap * 2 : 4096;
            w->lat = sl_xrealloc(w->lat, w->cap * sizeof *w->lat);
        }
        w->lat[w->n++] = t - s;
    } while (t - t0 < w->t->secs);
    curl_easy_cleanup(h);
    curl_slist_free_all(hl);
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* POSTs `body` to `url`; returns the response JSON. */
static json_t *post(const target_t *t, const char *url, const char *body)
{
    struct curl_slist *hl;
    CURL *h = handle(t, &hl);
    sl_buf_t b = SL_BUF_INIT;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    long status = 0;
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(h);
    curl_slist_free_all(hl);
    json_t *j = status == 200 ? json_loadb(b.data, b.len, 0, NULL) : NULL;
    if (!j) {
        fprintf(stderr, "POST %s: HTTP %ld %s\n", url, status, b.data ? b.data : "");
        exit(1);
    }
    sl_buf_dispose(&b);
    return j;
}

/* Starts the vault; fills base URL, cacert and admin token from its banner. */
static pid_t spawn(const char *vault, const char *dir, char *base, char *cacert, char *token)
{
    char out[600], data[600];
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(data, sizeof data, "%s/data", dir);
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen(out, "w", stdout) || !freopen("/dev/null", "w", stderr))
            _exit(126);
        execl(vault, vault, "--data-dir", data, "--listen", "127.0.0.1:0", "--log-level", "warn",
              (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 200; i++) {
        usleep(50000);
        sl_buf_t b = SL_BUF_INIT;
        sl_read_file(out, 1 << 16, &b);
        const char *s = b.data ? b.data : "";
        const char *l = strstr(s, "listening:"), *c = strstr(s, "certificate:"),
                   *a = strstr(s, "admin token:");
        if (l && c && a && strstr(s, "shown once")) {
            sscanf(l, "listening: %255s", base);
            sscanf(c, "certificate: %511s", cacert);
            sscanf(a, "admin token: %255s", token);
            sl_buf_dispose(&b);
            return pid;
        }
        sl_buf_dispose(&b);
    }
    fprintf(stderr, "the vault did not start (see %s)\n", out);
    kill(pid, SIGKILL);
    exit(1);
}

static void bench_http(const char *vault, int conns, double secs, const char *alg, unsigned bits)
{
    char dir[] = "/tmp/sealog-vault-bench-XXXXXX", base[256], token[256];
    target_t t = { .secs = secs };
    if (!mkdtemp(dir))
        exit(1);
    pid_t pid = spawn(vault, dir, base, t.cacert, token);
    snprintf(t.auth, sizeof t.auth, "Authorization: Bearer %s", token);
    bool oct = !strcmp(alg, "A256KW");
    char url[512], body[256];
    snprintf(url, sizeof url, "%s/keys/bench/create?api-version=7.5", base);
    snprintf(body, sizeof body, "{\"kty\":\"%s\",\"key_size\":%u}", oct ? "oct" : "RSA",
             oct ? 256 : bits);
    json_decref(post(&t, url, body));
    uint8_t aek[32];
    char enc[64];
    sl_random_bytes(aek, sizeof aek);
    enc[sl_base64url_encode(aek, 32, enc)] = '\0';
    snprintf(url, sizeof url, "%s/keys/bench//wrapkey?api-version=7.5", base);
    snprintf(body, sizeof body, "{\"alg\":\"%s\",\"value\":\"%s\"}", alg, enc);
    json_t *w = post(&t, url, body);
    snprintf(t.body, sizeof t.body, "{\"alg\":\"%s\",\"value\":\"%s\"}", alg,
             json_string_value(json_object_get(w, "value")));
    json_decref(w);
    snprintf(t.url, sizeof t.url, "%s/keys/bench//unwrapkey?api-version=7.5", base);

    worker_t *ws = sl_xcalloc((size_t)conns, sizeof *ws);
    for (int i = 0; i < conns; i++) {
        ws[i].t = &t;
        pthread_create(&ws[i].th, NULL, run, &ws[i]);
    }
    size_t total = 0;
    uint64_t errors = 0;
    for (int i = 0; i < conns; i++) {
        pthread_join(ws[i].th, NULL);
        total += ws[i].n;
        errors += ws[i].errors;
    }
    double *all = sl_xmalloc((total + 1) * sizeof *all);
    size_t k = 0;
    for (int i = 0; i < conns; i++) {
        memcpy(all + k, ws[i].lat, ws[i].n * sizeof *all);
        k += ws[i].n;
        sl_free(ws[i].lat);
    }
    qsort(all, total, sizeof *all, cmp);
    printf("unwrapkey %s with %s-%u over HTTPS/1.1 keep-alive: %d connection(s), %.0f s\n",
           alg, oct ? "oct" : "RSA", oct ? 256 : bits, conns, secs);
    if (total)
        printf("  %zu requests, %.0f req/s, errors %llu; latency ms p50 %.2f p90 %.2f "
               "p99 %.2f max %.2f\n",
               total, (double)total / secs, (unsigned long long)errors, all[total / 2] * 1e3,
               all[total * 9 / 10] * 1e3, all[total * 99 / 100] * 1e3, all[total - 1] * 1e3);
    sl_free(all);
    sl_free(ws);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    sl_rmtree(dir);
}

int main(int argc, char **argv)
{
    double secs = 3;
    int conns = 8;
    unsigned bits = 2048;
    const char *vault = NULL, *alg = "RSA-OAEP-256";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--seconds"))
            secs = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--connections"))
            conns = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--vault"))
            vault = argv[i + 1];
        else if (!strcmp(argv[i], "--alg"))
            alg = argv[i + 1];
        else if (!strcmp(argv[i], "--size"))
            bits = (unsigned)atoi(argv[i + 1]);
    }
    if (!vault || conns < 1 || secs <= 0) {
        fprintf(stderr, "usage: %s --vault PATH [--connections C] [--seconds S] "
                        "[--alg RSA-OAEP-256|RSA-OAEP|RSA1_5|A256KW] [--size BITS]\n",
                argv[0]);
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    bench_http(vault, conns, secs, alg, bits);
    curl_global_cleanup();
    return 0;
}
