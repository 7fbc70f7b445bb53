#!/usr/bin/env python3
"""L2 of BENCHMARKS.md: time from an ingestion ack to the record being queryable.

  l2probe.py --url http://127.0.0.1:PORT --workspace-id GUID --shared-key KEY \\
             --token ADMIN_TOKEN [--log-type Live] [--probes 100] [--gap 0.2] [--json OUT]

Each probe posts one record carrying a unique marker (HTTP Data Collector API, SharedKey,
the same fields sealog-load sends), takes the time the 200 arrives (the record is durable
then), and at once polls the Query API, back to back on a keep-alive connection, with

  <Table> | where TimeGenerated >= datetime(<probe start - 5 s>)
          | where SyslogMessage_s has "<marker>" | count

until the count is 1. The figure is the time from the ack to the answer of the first poll
that saw the marker (an upper bound: visibility happened at or before that poll's start,
which is reported too). Run it while a load runs against the same table (query.sh runs
I2's shape). Prints percentiles and, with --json, every probe.
"""
import argparse
import base64
import email.utils
import hashlib
import hmac
import http.client
import json
import sys
import time
import urllib.parse
import uuid


def pct(xs, p):
    xs = sorted(xs)
    i = max(0, min(len(xs) - 1, int(-(-len(xs) * p // 1)) - 1))  # nearest rank
    return xs[i]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--workspace-id", required=True)
    ap.add_argument("--shared-key", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--log-type", default="Live")
    ap.add_argument("--probes", type=int, default=100)
    ap.add_argument("--gap", type=float, default=0.2)
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("--json")
    a = ap.parse_args()
    u = urllib.parse.urlsplit(a.url)
    ing = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    qc = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    key = base64.b64decode(a.shared_key)
    qpath = "/v1/workspaces/%s/query" % a.workspace_id
    qhead = {"Authorization": "Bearer " + a.token, "Content-Type": "application/json"}
    probes = []
    for i in range(a.probes):
        marker = uuid.uuid4().hex
        start = time.time()
        rec = [{"ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(start)) + ".%03dZ" % (int(start * 1000) % 1000),
                "Computer": "l2-probe", "ProcessName": "probe", "SeverityLevel": "info",
                "SyslogMessage": "l2 probe %d marker %s" % (i, marker)}]
        body = json.dumps(rec, separators=(",", ":")).encode()
        date = email.utils.formatdate(usegmt=True)
        sts = "POST\n%d\napplication/json\nx-ms-date:%s\n/api/logs" % (len(body), date)
        sig = base64.b64encode(hmac.new(key, sts.encode(), hashlib.sha256).digest()).decode()
        head = {"Content-Type": "application/json", "Log-Type": a.log_type, "x-ms-date": date,
                "time-generated-field": "ts", "Authorization": "SharedKey %s:%s" % (a.workspace_id, sig)}
        since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start - 5))
        kql = ('%s_CL | where TimeGenerated >= datetime(%s) | where SyslogMessage_s has "%s" | count'
               % (a.log_type, since, marker))
        qbody = json.dumps({"query": kql}).encode()
        t_send = time.monotonic()
        ing.request("POST", "/api/logs?api-version=2016-04-01", body, head)
        r = ing.getresponse()
        r.read()
        t_ack = time.monotonic()
        if r.status != 200:
            sys.exit("probe %d: ingestion answered %d" % (i, r.status))
        polls = 0
        while True:
            t_poll = time.monotonic()
            qc.request("POST", qpath, qbody, qhead)
            qr = qc.getresponse()
            doc = json.loads(qr.read())
            t_ans = time.monotonic()
            polls += 1
            if qr.status != 200:
                sys.exit("probe %d: query answered %d: %s" % (i, qr.status, doc))
            if doc["tables"][0]["rows"][0][0] >= 1:
                break
            if t_ans - t_ack > a.timeout:
                sys.exit("probe %d: marker not visible %.0f s after the ack" % (i, a.timeout))
        probes.append({"ack_s": t_ack - t_send, "visible_s": t_ans - t_ack,
                       "last_poll_start_s": t_poll - t_ack, "last_poll_s": t_ans - t_poll, "polls": polls})
        time.sleep(a.gap)
    vis = [p["visible_s"] for p in probes]
    lower = [max(0.0, p["last_poll_start_s"]) for p in probes]
    acks = [p["ack_s"] for p in probes]
    polls = [p["polls"] for p in probes]
    summary = {"probes": len(probes),
               "visible_p50_ms": 1000 * pct(vis, 0.5), "visible_p99_ms": 1000 * pct(vis, 0.99),
               "visible_max_ms": 1000 * max(vis),
               "visible_lower_p50_ms": 1000 * pct(lower, 0.5), "visible_lower_p99_ms": 1000 * pct(lower, 0.99),
               "ack_p50_ms": 1000 * pct(acks, 0.5), "ack_p99_ms": 1000 * pct(acks, 0.99),
               "poll_p50_ms": 1000 * pct([p["last_poll_s"] for p in probes], 0.5),
               "polls_max": max(polls), "probes_seen_on_first_poll": sum(1 for p in polls if p == 1)}
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"summary": summary, "probes": probes}, f)
    print(" ".join("%s=%s" % (k, round(v, 1) if isinstance(v, float) else v) for k, v in summary.items()))


if __name__ == "__main__":
    main()
