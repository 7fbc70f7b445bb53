/*
 * sealog-capture: the capture server as a program, for measuring
 * sealog-load's own ceiling (bench/RESULTS.md) and for trying the generator
 * by hand. It prints its URL (and certificate), serves until SIGINT or
 * SIGTERM, then prints what it received.
 */
#include "bench/capture.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fputs("usage: sealog-capture [--tls] [--port N] [--dir DIR] [--record]\n"
          "         [--fail-every N [--fail-status 503|500]] [--close-every N] [--chunked]\n"
          "         [--token-ttl SECONDS] [--client-id ID --client-secret SECRET]\n"
          "\n"
          "Answers POST /api/logs with 200, POST /dataCollectionRules/... with 204 and\n"
          "POST /oauth2/.../token with a bearer token, on 127.0.0.1. Prints its URL, runs\n"
          "until SIGINT or SIGTERM, then prints the requests it counted.\n",
          f);
}

static unsigned uint_arg(const char *name, const char *v)
{
    char *end;
    unsigned long x = strtoul(v, &end, 10);
    if (end == v || *end || x > 65535 * 1000UL) {
        fprintf(stderr, "sealog-capture: bad --%s\n", name);
        exit(2);
    }
    return (unsigned)x;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "tls", no_argument, NULL, 't' },
        { "port", required_argument, NULL, 'p' },
        { "dir", required_argument, NULL, 'd' },
        { "record", no_argument, NULL, 'r' },
        { "fail-every", required_argument, NULL, 'f' },
        { "fail-status", required_argument, NULL, 's' },
        { "close-every", required_argument, NULL, 'c' },
        { "chunked", no_argument, NULL, 'k' },
        { "token-ttl", required_argument, NULL, 'l' },
        { "client-id", required_argument, NULL, 'i' },
        { "client-secret", required_argument, NULL, 'x' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    sl_capture_opts_t o = { 0 };
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 't':
            o.tls = true;
            break;
        case 'p':
            o.port = (uint16_t)uint_arg("port", optarg);
            break;
        case 'd':
            o.dir = optarg;
            break;
        case 'r':
            o.record = true;
            break;
        case 'f':
            o.fail_every = uint_arg("fail-every", optarg);
            break;
        case 's':
            o.fail_status = (int)uint_arg("fail-status", optarg);
            break;
        case 'c':
            o.close_every = uint_arg("close-every", optarg);
            break;
        case 'k':
            o.chunked = true;
            break;
        case 'l':
            o.token_ttl = uint_arg("token-ttl", optarg);
            break;
        case 'i':
            o.client_id = optarg;
            break;
        case 'x':
            o.client_secret = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (o.fail_status && o.fail_status != 500 && o.fail_status != 503) {
        fprintf(stderr, "sealog-capture: --fail-status must be 500 or 503\n");
        return 2;
    }
    /* Block the signals before the server thread starts, so that only
     * sigwait() below sees them. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);

    sl_capture_t *cap;
    sl_diag_t d;
    if (sl_capture_start(&o, &cap, &d)) {
        fprintf(stderr, "sealog-capture: %s\n", d.msg);
        return 2;
    }
    printf("listening: %s\n", sl_capture_url(cap));
    if (sl_capture_cacert(cap))
        printf("certificate: %s\n", sl_capture_cacert(cap));
    fflush(stdout);
    int sig;
    sigwait(&set, &sig);
    sl_capture_stop(cap);
    sl_capture_counts_t n;
    sl_capture_counts(cap, &n);
    printf("connections %llu, requests %llu (data %llu, token %llu), body bytes %llu\n",
           (unsigned long long)n.connections,
           (unsigned long long)n.requests,
           (unsigned long long)n.data_requests,
           (unsigned long long)n.token_requests,
           (unsigned long long)n.body_bytes);
    for (int i = 0; i < 600; i++)
        if (n.status[i])
            printf("  HTTP %d: %llu\n", i, (unsigned long long)n.status[i]);
    sl_capture_destroy(cap);
    return 0;
}
