#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "config/config.h"

static int load(char **argv, char **env, sl_config_t **c, sl_diag_t *d)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    sl_config_action_t a;
    return sl_config_load(argc, argv, env, c, &a, d);
}

Test(config_config, defaults_need_no_configuration)
{
    char *argv[] = { "sealogd", NULL };
    char *env[] = { NULL };
    sl_config_t *c;
    sl_diag_t d;
    cr_assert_eq(load(argv, env, &c, &d), 0, "%s", d.msg);
    cr_expect_str_eq(c->data_dir, "./sealog-data");
    cr_assert_eq(c->listen.n, 1);
    cr_expect_str_eq(c->listen.v[0], "127.0.0.1:8443");
    cr_expect_eq(c->http_listen.n, 0);
    cr_expect_eq(c->shutdown_timeout_ms, 10000);
    cr_expect_eq(c->max_body_size, 32u << 20);
    cr_expect_eq(c->log_level, SL_LOG_INFO);
    sl_config_destroy(c);
}

Test(config_config, precedence_file_env_flags)
{
    char path[] = "/tmp/sealog-cfg-XXXXXX";
    int fd = mkstemp(path);
    const char *json = "{\"data_dir\": \"/from/file\", \"log_level\": \"warn\", "
                       "\"threadpool_size\": 8, \"listen\": [\"127.0.0.1:1\", \"unix:/tmp/x\"]}";
    cr_assert_eq(write(fd, json, strlen(json)), (ssize_t)strlen(json));
    close(fd);
    char *argv[] = { "sealogd", "--config", path, "--log-level", "debug", NULL };
    char *env[] = { "SEALOGD_LOG_LEVEL=error", "SEALOGD_THREADPOOL_SIZE=6", "PATH=/bin", NULL };
    sl_config_t *c;
    sl_diag_t d;
    cr_assert_eq(load(argv, env, &c, &d), 0, "%s", d.msg);
    cr_expect_str_eq(c->data_dir, "/from/file");
    cr_expect_eq(c->log_level, SL_LOG_DEBUG, "flag beats env beats file");
    cr_expect_eq(c->threadpool_size, 6, "env beats file");
    cr_assert_eq(c->listen.n, 2);
    cr_expect_str_eq(c->listen.v[1], "unix:/tmp/x");
    sl_config_destroy(c);

    /* A list flag replaces the file's list; repeating it appends. */
    char *argv2[] = { "sealogd", "--config", path, "--listen", "127.0.0.1:2", "--listen=[::1]:3",
                      NULL };
    char *env2[] = { NULL };
    cr_assert_eq(load(argv2, env2, &c, &d), 0, "%s", d.msg);
    cr_assert_eq(c->listen.n, 2);
    cr_expect_str_eq(c->listen.v[0], "127.0.0.1:2");
    cr_expect_str_eq(c->listen.v[1], "[::1]:3");
    sl_config_destroy(c);
    unlink(path);
}

Test(config_config, errors_name_setting_value_source_and_accepted)
{
    struct {
        char *argv[6];
        char *env[2];
        const char *want[3];
    } cases[] = {
        { { "sealogd", "--threadpool-size", "0", NULL }, { NULL },
          { "threadpool_size", "\"0\"", "from 1 to 128" } },
        { { "sealogd", "--max-body-size", "1KiB", NULL }, { NULL },
          { "max_body_size", "flag --max-body-size", "bytes" } },
        { { "sealogd", NULL }, { "SEALOGD_IDLE_TIMEOUT=soon", NULL },
          { "idle_timeout", "environment SEALOGD_IDLE_TIMEOUT", "duration" } },
        { { "sealogd", "--listen", "localhost", NULL }, { NULL },
          { "listen", "HOST:PORT", "unix:PATH" } },
        { { "sealogd", "--frobnicate", NULL }, { NULL }, { "unknown option --frobnicate", "", "" } },
        { { "sealogd", NULL }, { "SEALOGD_NOPE=1", NULL }, { "SEALOGD_NOPE", "", "" } },
        { { "sealogd", "--tls-cert-file", "/x.pem", NULL }, { NULL },
          { "tls_key_file", "together", "" } },
        { { "sealogd", "--allow-core-dumps=maybe", NULL }, { NULL },
          { "allow_core_dumps", "true or false", "" } },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sl_config_t *c;
        sl_diag_t d;
        cr_expect_eq(load(cases[i].argv, cases[i].env, &c, &d), SL_ECONFIG, "case %zu", i);
        cr_expect_null(c);
        for (int k = 0; k < 3; k++)
            cr_expect(strstr(d.msg, cases[i].want[k]), "case %zu: \"%s\" not in: %s", i,
                      cases[i].want[k], d.msg);
        cr_expect_null(strchr(d.msg, '\n'), "one line");
    }
}

Test(config_config, file_errors_cite_file_and_line)
{
    char path[] = "/tmp/sealog-cfg-XXXXXX";
    int fd = mkstemp(path);
    const char *json = "{\n  \"log_level\": \"info\",\n  \"shutdown_timeout\": true\n}\n";
    cr_assert_eq(write(fd, json, strlen(json)), (ssize_t)strlen(json));
    close(fd);
    char *argv[] = { "sealogd", "--config", path, NULL };
    char *env[] = { NULL };
    sl_config_t *c;
    sl_diag_t d;
    cr_expect_eq(load(argv, env, &c, &d), SL_ECONFIG);
    char want[64];
    snprintf(want, sizeof want, "%s:3", path);
    cr_expect(strstr(d.msg, want), "%s", d.msg);
    cr_expect(strstr(d.msg, "wrong type"), "%s", d.msg);
    fd = open(path, O_WRONLY | O_TRUNC);
    cr_assert_eq(write(fd, "{\"log_level\": ", 14), 14);
    close(fd);
    cr_expect_eq(load(argv, env, &c, &d), SL_ECONFIG);
    cr_expect(strstr(d.msg, path), "%s", d.msg);
    unlink(path);
}

Test(config_config, listen_addresses)
{
    sl_listen_addr_t a;
    cr_expect_eq(sl_config_parse_listen("127.0.0.1:8443", &a), 0);
    cr_expect(!a.is_unix && a.port == 8443 && !strcmp(a.host, "127.0.0.1"));
    cr_expect_eq(sl_config_parse_listen("[::1]:0", &a), 0);
    cr_expect(!strcmp(a.host, "::1") && a.port == 0);
    cr_expect_eq(sl_config_parse_listen("unix:/run/sealog.sock", &a), 0);
    cr_expect(a.is_unix && !strcmp(a.path, "/run/sealog.sock"));
    cr_expect_eq(sl_config_parse_listen("localhost:80", &a), 0);
    cr_expect_neq(sl_config_parse_listen("::1:80", &a), 0);
    cr_expect_neq(sl_config_parse_listen("127.0.0.1:65536", &a), 0);
    cr_expect_neq(sl_config_parse_listen("example.com:80", &a), 0, "no DNS for listeners");
}

Test(config_config, reference_lists_every_setting)
{
    sl_buf_t b = SL_BUF_INIT;
    sl_config_reference(&b);
    const char *names[] = { "data_dir", "listen", "http_listen", "log_level", "shutdown_timeout",
                            "max_body_size", "SEALOGD_DATA_DIR", "--data-dir" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        cr_expect(strstr(b.data, names[i]), "%s missing", names[i]);
    sl_buf_dispose(&b);
}
