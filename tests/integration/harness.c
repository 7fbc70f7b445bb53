/*
 * The integration harness. sealogd is started with --listen 127.0.0.1:0 so
 * the kernel picks a free port, and the harness reads the port from the
 * start-up banner on stdout; nothing here guesses at ports.
 */
#include "harness.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void th_node_init(th_node_t *n)
{
    memset(n, 0, sizeof *n);
    snprintf(n->dir, sizeof n->dir, "/tmp/sealog-it-XXXXXX");
    if (!mkdtemp(n->dir)) {
        perror("mkdtemp");
        abort();
    }
    snprintf(n->data_dir, sizeof n->data_dir, "%s/data", n->dir);
    snprintf(n->cacert, sizeof n->cacert, "%s/tls/cert.pem", n->data_dir);
}

int th_slurp(const char *path, sl_buf_t *out)
{
    return sl_read_file(path, 64 << 20, out);
}

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };
    nanosleep(&ts, NULL);
}

/* Extracts the value after `label` on its line in `text`. */
static bool find_field(const char *text, const char *label, char *out, size_t n)
{
    const char *p = strstr(text, label);
    if (!p)
        return false;
    p += strlen(label);
    while (*p == ' ')
        p++;
    size_t len = strcspn(p, " \n");
    if (len >= n)
        return false;
    memcpy(out, p, len);
    out[len] = '\0';
    return true;
}

int th_node_start(th_node_t *n, const char *const *extra)
{
    static int seq;
    seq++;
    snprintf(n->out_path, sizeof n->out_path, "%s/stdout.%d", n->dir, seq);
    snprintf(n->log_path, sizeof n->log_path, "%s/stderr.%d", n->dir, seq);
    const char *argv[64];
    size_t k = 0;
    argv[k++] = SEALOGD_PATH;
    argv[k++] = "--data-dir";
    argv[k++] = n->data_dir;
    bool has_listen = false;
    for (const char *const *e = extra; e && *e; e++)
        has_listen |= !strncmp(*e, "--listen", 8);
    if (!has_listen) {
        argv[k++] = "--listen";
        argv[k++] = "127.0.0.1:0";
    }
    for (const char *const *e = extra; e && *e && k < 62; e++)
        argv[k++] = *e;
    argv[k] = NULL;
    pid_t pid = fork();
    if (pid == 0) {
        int o = open(n->out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open(n->log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(o, 1);
        dup2(e, 2);
        execv(argv[0], (char **)argv);
        _exit(127);
    }
    n->pid = pid;
    /* Wait for the banner (or an exit). */
    for (int i = 0; i < 600; i++) {
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            n->pid = 0;
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        }
        sl_buf_t out = SL_BUF_INIT;
        th_slurp(n->out_path, &out);
        bool ready = out.data && strstr(out.data, "sha256:") &&
                     (!strstr(out.data, "(created)") || strstr(out.data, "shown once"));
        if (ready) {
            const char *l = out.data;
            n->https[0] = n->http[0] = '\0';
            while ((l = strstr(l, "listening:"))) {
                char url[128];
                if (find_field(l, "listening:", url, sizeof url)) {
                    if (!strncmp(url, "https://", 8) && !n->https[0])
                        snprintf(n->https, sizeof n->https, "%s", url);
                    else if (!strncmp(url, "http://", 7) && !n->http[0])
                        snprintf(n->http, sizeof n->http, "%s", url);
                }
                l += 10;
            }
            char tok[160];
            if (find_field(out.data, "admin token:", tok, sizeof tok))
                snprintf(n->token, sizeof n->token, "%s", tok);
            char cert[320];
            if (find_field(out.data, "certificate:", cert, sizeof cert))
                snprintf(n->cacert, sizeof n->cacert, "%s", cert);
            sl_buf_dispose(&out);
            return 0;
        }
        sl_buf_dispose(&out);
        sleep_ms(50);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    n->pid = 0;
    return -1;
}

int th_node_stop(th_node_t *n)
{
    if (!n->pid)
        return -1;
    kill(n->pid, SIGTERM);
    int st = 0;
    for (int i = 0; i < 600; i++) {
        if (waitpid(n->pid, &st, WNOHANG) == n->pid) {
            n->pid = 0;
            return WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
        }
        sleep_ms(50);
    }
    kill(n->pid, SIGKILL);
    waitpid(n->pid, &st, 0);
    n->pid = 0;
    return -SIGKILL;
}

void th_node_kill9(th_node_t *n)
{
    if (!n->pid)
        return;
    kill(n->pid, SIGKILL);
    waitpid(n->pid, NULL, 0);
    n->pid = 0;
}

void th_node_cleanup(th_node_t *n)
{
    if (n->pid)
        th_node_kill9(n);
    if (!getenv("SEALOG_KEEP_TEST_DIRS"))
        sl_rmtree(n->dir);
}

static size_t on_data(char *p, size_t size, size_t k, void *arg)
{
    sl_buf_append(arg, p, size * k);
    return size * k;
}

int th_request(const th_node_t *n, const char *base, const char *method, const char *path,
               const char *token, const char *const *headers, const char *body, size_t body_len,
               th_resp_t *out)
{
    memset(out, 0, sizeof *out);
    CURL *h = curl_easy_init();
    char url[1024], auth[400];
    snprintf(url, sizeof url, "%s%s", base ? base : n->https, path);
    struct curl_slist *hl = NULL;
    if (token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        hl = curl_slist_append(hl, auth);
    }
    for (const char *const *x = headers; x && *x; x++)
        hl = curl_slist_append(hl, *x);
    hl = curl_slist_append(hl, "Expect:");
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(h, CURLOPT_CAINFO, n->cacert);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &out->body);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &out->headers);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
    if (body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
    CURLcode rc = curl_easy_perform(h);
    if (rc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
    curl_slist_free_all(hl);
    curl_easy_cleanup(h);
    if (!out->body.data)
        sl_buf_append(&out->body, "", 0);
    return rc == CURLE_OK ? 0 : -1;
}

void th_resp_dispose(th_resp_t *r)
{
    sl_buf_dispose(&r->body);
    sl_buf_dispose(&r->headers);
}

int th_run(const char *bin, const char *const *args, const char *cwd, sl_buf_t *out)
{
    char path[300];
    snprintf(path, sizeof path, "/tmp/sealog-run-%d-%ld.out", (int)getpid(), (long)random());
    const char *argv[64];
    size_t k = 0;
    argv[k++] = bin;
    for (const char *const *a = args; a && *a && k < 63; a++)
        argv[k++] = *a;
    argv[k] = NULL;
    pid_t pid = fork();
    if (pid == 0) {
        int o = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(o, 1);
        dup2(o, 2);
        if (cwd && chdir(cwd))
            _exit(126);
        execv(bin, (char **)argv);
        _exit(127);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    if (out)
        th_slurp(path, out);
    unlink(path);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int th_cli(const th_node_t *n, sl_buf_t *out, const char *const *args)
{
    const char *argv[64];
    size_t k = 0;
    argv[k++] = "--endpoint";
    argv[k++] = n->https;
    argv[k++] = "--cacert";
    argv[k++] = n->cacert;
    argv[k++] = "--token";
    argv[k++] = n->token;
    for (const char *const *a = args; a && *a && k < 63; a++)
        argv[k++] = *a;
    argv[k] = NULL;
    return th_run(SEALOG_CLI_PATH, argv, NULL, out);
}

int th_raw_http(const char *hostport, const char *raw, sl_buf_t *out)
{
    char host[64];
    const char *colon = strrchr(hostport, ':');
    snprintf(host, sizeof host, "%.*s", (int)(colon - hostport), hostport);
    struct addrinfo *ai;
    if (getaddrinfo(host, colon + 1, NULL, &ai))
        return -1;
    int fd = socket(ai->ai_family, SOCK_STREAM, 0);
    int rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
    freeaddrinfo(ai);
    if (rc) {
        close(fd);
        return -1;
    }
    size_t len = strlen(raw);
    if (write(fd, raw, len) != (ssize_t)len) {
        close(fd);
        return -1;
    }
    char buf[4096];
    ssize_t r;
    while ((r = read(fd, buf, sizeof buf)) > 0)
        sl_buf_append(out, buf, (size_t)r);
    close(fd);
    return 0;
}

bool th_contains(const sl_buf_t *hay, const char *needle)
{
    return hay->data && memmem(hay->data, hay->len, needle, strlen(needle)) != NULL;
}
