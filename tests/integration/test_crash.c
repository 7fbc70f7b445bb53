/*
 * Acknowledged means durable: concurrent posters, kill -9 at a random
 * moment, restart, again and again. Afterwards every record whose request
 * got a 2xx is stored exactly once with its content, and no record that was
 * not acknowledged is stored twice.
 */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "ingest/ingest.h"

#define THREADS 4
#define ROUNDS 4
#define PER_POST 40
#define MAX_POSTS 4000 /* per thread per round, an upper bound */

TestSuite(crash, .timeout = 600);

static th_node_t N;
static char WS[37], KEY[100];

typedef struct poster {
    int thread, round;
    _Atomic bool *stop;
    uint8_t acked[MAX_POSTS]; /* per post: 1 acknowledged, 2 failed */
    int posts;
} poster_t;

static long seq_of(int round, int thread, int post, int rec)
{
    return (((long)round * THREADS + thread) * MAX_POSTS + post) * PER_POST + rec;
}

static void payload_of(long seq, char out[40])
{
    snprintf(out, 40, "p-%ld-%08lx", seq, (unsigned long)(seq * 2654435761u));
}

static size_t sink(char *p, size_t s, size_t n, void *arg)
{
    (void)p;
    (void)arg;
    return s * n;
}

static void *post_loop(void *arg)
{
    poster_t *p = arg;
    CURL *h = curl_easy_init();
    uint8_t key[80];
    size_t kn;
    sl_base64_decode(KEY, strlen(KEY), key, &kn);
    char url[200];
    snprintf(url, sizeof url, "%s/api/logs?api-version=2016-04-01", N.https);
    sl_buf_t body = SL_BUF_INIT;
    for (int post = 0; post < MAX_POSTS && !atomic_load(p->stop); post++) {
        sl_buf_reset(&body);
        sl_buf_putc(&body, '[');
        for (int r = 0; r < PER_POST; r++) {
            long seq = seq_of(p->round, p->thread, post, r);
            char pay[40];
            payload_of(seq, pay);
            sl_buf_printf(&body, "%s{\"seq\":%ld,\"payload\":\"%s\"}", r ? "," : "", seq, pay);
        }
        sl_buf_putc(&body, ']');
        char date[40], sig[48], auth[200], dh[80];
        sl_time_format_rfc1123(sl_time_now(), date);
        sl_ingest_sharedkey_sign(key, kn, body.len, "application/json", 16, date, strlen(date),
                                 sig);
        snprintf(auth, sizeof auth, "Authorization: SharedKey %s:%s", WS, sig);
        snprintf(dh, sizeof dh, "x-ms-date: %s", date);
        struct curl_slist *hl = NULL;
        hl = curl_slist_append(hl, "Content-Type: application/json");
        hl = curl_slist_append(hl, "Log-Type: Crash");
        hl = curl_slist_append(hl, dh);
        hl = curl_slist_append(hl, auth);
        hl = curl_slist_append(hl, "Expect:");
        curl_easy_setopt(h, CURLOPT_URL, url);
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
        curl_easy_setopt(h, CURLOPT_CAINFO, N.cacert);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)body.len);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
        curl_easy_setopt(h, CURLOPT_TIMEOUT, 5L);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        long status = 0;
        CURLcode rc = curl_easy_perform(h);
        if (rc == CURLE_OK)
            curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        curl_slist_free_all(hl);
        p->acked[post] = status == 200 ? 1 : 2;
        p->posts = post + 1;
        if (rc != CURLE_OK)
            break; /* the node is gone */
    }
    sl_buf_dispose(&body);
    curl_easy_cleanup(h);
    return NULL;
}

Test(crash, kill9_under_load_keeps_every_acknowledged_record_once)
{
    unsigned seed = (unsigned)time(NULL);
    srand(seed);
    fprintf(stderr, "crash test seed %u\n", seed);
    th_node_init(&N);
    const char *extra[] = { "--block-flush-interval", "200ms", NULL };
    cr_assert_eq(th_node_start(&N, extra), 0);
    char token[200];
    snprintf(token, sizeof token, "%s", N.token);
    th_workspace(&N, "crash-ws", 30, WS, KEY);
    static poster_t posters[ROUNDS][THREADS];
    long acked_total = 0;
    for (int round = 0; round < ROUNDS; round++) {
        _Atomic bool stop = false;
        pthread_t th[THREADS];
        for (int t = 0; t < THREADS; t++) {
            posters[round][t] = (poster_t){ .thread = t, .round = round, .stop = &stop };
            pthread_create(&th[t], NULL, post_loop, &posters[round][t]);
        }
        usleep((useconds_t)(150000 + rand() % 600000));
        th_node_kill9(&N);
        atomic_store(&stop, true);
        for (int t = 0; t < THREADS; t++)
            pthread_join(th[t], NULL);
        for (int t = 0; t < THREADS; t++)
            for (int i = 0; i < posters[round][t].posts; i++)
                acked_total += posters[round][t].acked[i] == 1;
        cr_assert_eq(th_node_start(&N, extra), 0, "restart after kill -9 (round %d)", round);
        snprintf(N.token, sizeof N.token, "%s", token);
    }
    cr_assert(acked_total > 0, "some posts were acknowledged");
    sl_buf_t dump = SL_BUF_INIT;
    long lines = th_dump_count(&N, WS, "Crash_CL", &dump);
    cr_assert(lines >= acked_total * PER_POST, "%ld rows, %ld acked posts", lines, acked_total);
    /* Count each seq and check its payload. */
    size_t nseq = (size_t)ROUNDS * THREADS * MAX_POSTS * PER_POST;
    uint8_t *seen = calloc(nseq, 1);
    char *line = dump.data;
    long bad_payload = 0;
    while (line && *line) {
        char *nl = strchr(line, '\n');
        json_t *j = json_loadb(line, nl ? (size_t)(nl - line) : strlen(line), 0, NULL);
        cr_assert(j, "dump line is JSON");
        long seq = (long)json_number_value(json_object_get(j, "seq_d"));
        const char *pay = json_string_value(json_object_get(j, "payload_s"));
        char want[40];
        payload_of(seq, want);
        if (!pay || strcmp(pay, want))
            bad_payload++;
        cr_assert(seq >= 0 && (size_t)seq < nseq);
        if (seen[seq] < 255)
            seen[seq]++;
        json_decref(j);
        line = nl ? nl + 1 : NULL;
    }
    cr_expect_eq(bad_payload, 0, "content intact");
    long missing = 0, dup = 0;
    for (int round = 0; round < ROUNDS; round++)
        for (int t = 0; t < THREADS; t++)
            for (int i = 0; i < posters[round][t].posts; i++)
                for (int r = 0; r < PER_POST; r++) {
                    long s = seq_of(round, t, i, r);
                    if (posters[round][t].acked[i] == 1 && seen[s] != 1)
                        missing++;
                    if (seen[s] > 1)
                        dup++;
                }
    cr_expect_eq(missing, 0, "acknowledged records missing or duplicated");
    cr_expect_eq(dup, 0, "records stored twice");
    fprintf(stderr, "crash test: %ld acknowledged posts, %ld rows stored\n", acked_total, lines);
    free(seen);
    sl_buf_dispose(&dump);
    cr_expect_eq(th_node_stop(&N), 0);
    th_node_cleanup(&N);
}
