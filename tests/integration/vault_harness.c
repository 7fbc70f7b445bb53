/*
 * sealog-vault integration helpers (see vault_harness.h). The start-up
 * mirrors th_node_start: the kernel picks the port, the banner tells it.
 */
#include "vault_harness.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static bool field(const char *text, const char *label, char *out, size_t n)
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

int th_vault_start(th_node_t *n, const char *const *extra)
{
    static int seq;
    seq++;
    snprintf(n->out_path, sizeof n->out_path, "%s/vault.out.%d", n->dir, seq);
    snprintf(n->log_path, sizeof n->log_path, "%s/vault.err.%d", n->dir, seq);
    const char *argv[64];
    size_t k = 0;
    argv[k++] = SEALOG_VAULT_PATH;
    argv[k++] = "--data-dir";
    argv[k++] = n->data_dir;
    bool has_listen = false;
    for (const char *const *e = extra; e && *e; e++)
        has_listen |= !strcmp(*e, "--listen");
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
    for (int i = 0; i < 600; i++) {
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            n->pid = 0;
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        }
        sl_buf_t out = SL_BUF_INIT;
        th_slurp(n->out_path, &out);
        const char *t = out.data ? out.data : "";
        if (strstr(t, "token url:") &&
            (!strstr(t, "(created)") || strstr(t, "shown once"))) {
            n->https[0] = n->http[0] = '\0';
            for (const char *l = t; (l = strstr(l, "listening:")); l += 10) {
                char url[128];
                if (!field(l, "listening:", url, sizeof url))
                    continue;
                if (!strncmp(url, "https://", 8) && !n->https[0])
                    snprintf(n->https, sizeof n->https, "%s", url);
                else if (!strncmp(url, "http://", 7) && !n->http[0])
                    snprintf(n->http, sizeof n->http, "%s", url);
            }
            char tok[160], cert[320];
            if (field(t, "admin token:", tok, sizeof tok))
                snprintf(n->token, sizeof n->token, "%s", tok);
            if (field(t, "certificate:", cert, sizeof cert))
                snprintf(n->cacert, sizeof n->cacert, "%s", cert);
            sl_buf_dispose(&out);
            return 0;
        }
        sl_buf_dispose(&out);
        struct timespec ts = { 0, 50 * 1000000L };
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    n->pid = 0;
    return -1;
}

bool th_vault_banner(const th_node_t *n, const char *label, char *out, size_t size)
{
    sl_buf_t b = SL_BUF_INIT;
    th_slurp(n->out_path, &b);
    bool ok = b.data && field(b.data, label, out, size);
    sl_buf_dispose(&b);
    return ok;
}

int th_kv(const th_node_t *n, const char *token, const char *method, const char *path,
          const char *body, th_resp_t *out)
{
    const char *hdr[] = { "Content-Type: application/json", NULL };
    return th_request(n, NULL, method, path, token, body ? hdr : NULL, body,
                      body ? strlen(body) : 0, out);
}

bool th_json_str(const sl_buf_t *body, const char *path, char *out, size_t size)
{
    json_t *root = json_loadb(body->data ? body->data : "", body->len, 0, NULL);
    json_t *j = root;
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *save, *part = strtok_r(buf, ".", &save); part && j;
         part = strtok_r(NULL, ".", &save))
        j = json_object_get(j, part);
    bool ok = json_is_string(j) && strlen(json_string_value(j)) < size;
    if (ok)
        snprintf(out, size, "%s", json_string_value(j));
    json_decref(root);
    return ok;
}

void th_kv_create(const th_node_t *n, const char *name, const char *body, char version[33])
{
    char path[256], kid[512];
    snprintf(path, sizeof path, "/keys/%s/create?" TH_KV_API, name);
    th_resp_t r;
    cr_assert_eq(th_kv(n, n->token, "POST", path, body, &r), 0);
    cr_assert_eq(r.status, 200, "create %s: %ld %s", name, r.status, r.body.data);
    cr_assert(th_json_str(&r.body, "key.kid", kid, sizeof kid), "%s", r.body.data);
    const char *slash = strrchr(kid, '/');
    cr_assert(slash && strlen(slash + 1) == 32, "kid %s", kid);
    snprintf(version, 33, "%s", slash + 1);
    th_resp_dispose(&r);
}

long th_kv_wrap(const th_node_t *n, const char *token, const char *path, const char *alg,
                const void *data, size_t len, sl_buf_t *out)
{
    char *enc = sl_xmalloc(SL_BASE64_LEN(len) + 1);
    enc[sl_base64url_encode(data, len, enc)] = '\0';
    char *body = sl_xasprintf("{\"alg\":\"%s\",\"value\":\"%s\"}", alg, enc);
    th_resp_t r;
    cr_assert_eq(th_kv(n, token, "POST", path, body, &r), 0);
    char val[2048];
    if (r.status == 200 && th_json_str(&r.body, "value", val, sizeof val))
        sl_buf_puts(out, val);
    else
        sl_buf_append(out, r.body.data, r.body.len);
    long st = r.status;
    th_resp_dispose(&r);
    sl_free(body);
    sl_free(enc);
    return st;
}

long th_kv_unwrap(const th_node_t *n, const char *token, const char *path, const char *alg,
                  const char *value, sl_buf_t *out)
{
    char *body = sl_xasprintf("{\"alg\":\"%s\",\"value\":\"%s\"}", alg, value);
    th_resp_t r;
    cr_assert_eq(th_kv(n, token, "POST", path, body, &r), 0);
    char val[2048];
    if (r.status == 200 && th_json_str(&r.body, "value", val, sizeof val)) {
        uint8_t raw[2048];
        size_t rn;
        cr_assert_eq(sl_base64_decode(val, strlen(val), raw, &rn), 0);
        sl_buf_append(out, raw, rn);
    } else {
        sl_buf_append(out, r.body.data, r.body.len);
    }
    long st = r.status;
    th_resp_dispose(&r);
    sl_free(body);
    return st;
}

void th_vault_token(const th_node_t *n, const char *body, char out[160])
{
    th_resp_t r;
    cr_assert_eq(th_kv(n, n->token, "POST", "/admin/tokens", body, &r), 0);
    cr_assert_eq(r.status, 200, "token create: %ld %s", r.status, r.body.data);
    cr_assert(th_json_str(&r.body, "token", out, 160), "%s", r.body.data);
    th_resp_dispose(&r);
}
