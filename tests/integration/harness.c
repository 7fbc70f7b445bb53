/*
 * The integration harness. sealogd is started with --listen 127.0.0.1:0 so
 * the kernel picks a free port, and the harness reads the port from the
 * start-up banner on stdout; nothing here guesses at ports.
 */
#include "harness.h"

#include <curl/curl.h>
#include <jansson.h>

#include "ingest/ingest.h"
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

int th_cli_io(const th_node_t *n, const char *input, sl_buf_t *out, sl_buf_t *err,
              const char *const *args)
{
    char in_path[300], out_path[300], err_path[300];
    long tag = random();
    snprintf(in_path, sizeof in_path, "/tmp/sealog-io-%d-%ld.in", (int)getpid(), tag);
    snprintf(out_path, sizeof out_path, "/tmp/sealog-io-%d-%ld.out", (int)getpid(), tag);
    snprintf(err_path, sizeof err_path, "/tmp/sealog-io-%d-%ld.err", (int)getpid(), tag);
    if (input && sl_write_file_atomic(in_path, input, strlen(input), 0600)) {
        return -1;
    }
    const char *argv[64];
    size_t k = 0;
    argv[k++] = SEALOG_CLI_PATH;
    argv[k++] = "--endpoint";
    argv[k++] = n->https;
    argv[k++] = "--cacert";
    argv[k++] = n->cacert;
    argv[k++] = "--token";
    argv[k++] = n->token;
    for (const char *const *a = args; a && *a && k < 63; a++) {
        argv[k++] = *a;
    }
    argv[k] = NULL;
    pid_t pid = fork();
    if (pid == 0) {
        int i = open(input ? in_path : "/dev/null", O_RDONLY);
        int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(i, 0);
        dup2(o, 1);
        dup2(e, 2);
        execv(argv[0], (char **)argv);
        _exit(127);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    if (out) {
        th_slurp(out_path, out);
    }
    if (err) {
        th_slurp(err_path, err);
    }
    unlink(in_path);
    unlink(out_path);
    unlink(err_path);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
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

long th_admin(const th_node_t *n, const char *method, const char *path, const char *body,
              json_t **out)
{
    const char *h[] = { "Content-Type: application/json", NULL };
    th_resp_t r;
    if (out)
        *out = NULL;
    if (th_request(n, NULL, method, path, n->token, h, body, body ? strlen(body) : 0, &r))
        return -1;
    if (out && r.body.len)
        *out = json_loadb(r.body.data, r.body.len, 0, NULL);
    long st = r.status;
    th_resp_dispose(&r);
    return st;
}

void th_workspace(const th_node_t *n, const char *name, int retention, char id[37], char key[100])
{
    char body[200];
    snprintf(body, sizeof body, "{\"name\":\"%s\",\"retentionInDays\":%d}", name, retention);
    json_t *j;
    long st = th_admin(n, "POST", "/admin/v1/workspaces", body, &j);
    if (st != 201 || !j) {
        fprintf(stderr, "workspace create failed: %ld\n", st);
        abort();
    }
    snprintf(id, 37, "%s", json_string_value(json_object_get(j, "customerId")));
    snprintf(key, 100, "%s", json_string_value(json_object_get(j, "primarySharedKey")));
    json_decref(j);
}

long th_dc_post(const th_node_t *n, const char *ws_id, const char *key_b64, const char *log_type,
                const char *time_field, const char *body, size_t len, sl_buf_t *resp)
{
    char date[40], sig[48], auth[200], lt[160], tf[300], dh[80];
    sl_time_format_rfc1123(sl_time_now(), date);
    uint8_t key[80];
    size_t kn;
    sl_base64_decode(key_b64, strlen(key_b64), key, &kn);
    sl_ingest_sharedkey_sign(key, kn, len, "application/json", 16, date, strlen(date), sig);
    snprintf(auth, sizeof auth, "Authorization: SharedKey %s:%s", ws_id, sig);
    snprintf(lt, sizeof lt, "Log-Type: %s", log_type);
    snprintf(dh, sizeof dh, "x-ms-date: %s", date);
    snprintf(tf, sizeof tf, "time-generated-field: %s", time_field ? time_field : "");
    const char *h[] = { "Content-Type: application/json", lt, dh, auth,
                        time_field ? tf : NULL, NULL };
    th_resp_t r;
    if (th_request(n, NULL, "POST", "/api/logs?api-version=2016-04-01", NULL, h, body, len, &r))
        return -1;
    if (resp)
        sl_buf_append(resp, r.body.data, r.body.len);
    long st = r.status;
    th_resp_dispose(&r);
    return st;
}

long th_dump_count(const th_node_t *n, const char *ws, const char *table, sl_buf_t *out)
{
    char path[400];
    snprintf(path, sizeof path, "/admin/v1/dump?workspace=%s&table=%s", ws, table);
    th_resp_t r;
    if (th_request(n, NULL, "GET", path, n->token, NULL, NULL, 0, &r) || r.status != 200) {
        th_resp_dispose(&r);
        return -1;
    }
    long lines = 0;
    for (size_t i = 0; i < r.body.len; i++)
        lines += r.body.data[i] == '\n';
    if (out)
        sl_buf_append(out, r.body.data, r.body.len);
    th_resp_dispose(&r);
    return lines;
}
