#!/usr/bin/env python3
"""Deterministic data set for the differential KQL tests.

generate(seed, base, small) returns the same rows for the same arguments. All
times are offsets from `base` (ticks since the Unix epoch, on an hour
boundary), so the structure of the data — ties, hour boundaries, quiet
windows — depends on the seed alone and the oracle knows every instant.

Shape (default run, about 1.1 M rows; --small about 62 k):

  diff-a  Syslog_CL       450 k  messages with terms, IPs, GUIDs, mixed case,
                                 punctuation, non-ASCII letters, empty strings
          AppRequests_CL  350 k  int/real/bool/long with nulls, GUID strings,
                                 a dynamic Properties bag, JSON text
          Heartbeat_CL    200 k  nulls in real/long/bool columns, exact duplicates
  diff-b  Syslog_CL        60 k  other hosts (and one shared host)
          Heartbeat_CL     30 k
          Audit_CL          5 k  only in diff-b

Time rules the queries rely on:
  * rows lie in [base - 10d, base - 30m);
  * no row lies in a quiet window [base - D - 30m, base - D + 4h) for D in
    QUIET_AGES, so `ago(D)` and a bare `PT..` timespan select the same rows
    for several hours after `base`;
  * sub-millisecond ticks come only from SUBMS, so an instant whose tick count
    ends in 4321 (see BOUNDARY_TICKS) never equals a row's time;
  * some rows sit exactly on an hour, some repeat the previous row's time.

Run as a script it prints row counts (and with --dump DIR writes NDJSON).
"""

import argparse
import bisect
import json
import math
import os
import random
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ktime  # noqa: E402
from ktime import DAY, HOUR, MIN, MS, SEC  # noqa: E402

QUIET_AGES = (12 * HOUR, DAY, 2 * DAY)
SPAN = 10 * DAY
NEWEST = 30 * MIN
SUBMS = (1, 1230, 5000, 9999)
BOUNDARY_TICKS = 4321

FULL = {("diff-a", "Syslog_CL"): 450_000, ("diff-a", "AppRequests_CL"): 350_000,
        ("diff-a", "Heartbeat_CL"): 200_000, ("diff-b", "Syslog_CL"): 60_000,
        ("diff-b", "Heartbeat_CL"): 30_000, ("diff-b", "Audit_CL"): 5_000}
SMALL = {("diff-a", "Syslog_CL"): 25_000, ("diff-a", "AppRequests_CL"): 20_000,
         ("diff-a", "Heartbeat_CL"): 12_000, ("diff-b", "Syslog_CL"): 3_000,
         ("diff-b", "Heartbeat_CL"): 1_500, ("diff-b", "Audit_CL"): 500}

SCHEMAS = {
    "Syslog_CL": [("TimeGenerated", "datetime"), ("Computer", "string"), ("HostIP", "string"),
                  ("Facility", "string"), ("SeverityLevel", "string"),
                  ("ProcessName", "string"), ("ProcessID", "int"),
                  ("SyslogMessage", "string"), ("RecordId", "long")],
    "AppRequests_CL": [("TimeGenerated", "datetime"), ("Name", "string"), ("Url", "string"),
                       ("ResultCode", "int"), ("DurationMs", "real"), ("Success", "bool"),
                       ("ItemCount", "long"), ("OperationId", "string"),
                       ("Properties", "dynamic"), ("ClientIP", "string"), ("Version", "int"),
                       ("CustomDims", "string"), ("RecordId", "long")],
    "Heartbeat_CL": [("TimeGenerated", "datetime"), ("Computer", "string"), ("OSType", "string"),
                     ("Version", "string"), ("Category", "string"), ("CpuPct", "real"),
                     ("MemoryMB", "long"), ("IsCompliant", "bool")],
    "Audit_CL": [("TimeGenerated", "datetime"), ("Actor", "string"), ("Action", "string"),
                 ("Target", "string"), ("Result", "string"), ("Severity", "int")],
}


class Table:
    def __init__(self, name, rows):
        self.name = name
        self.columns = SCHEMAS[name]
        self.rows = rows

    def col(self, name):
        return [c for c, _ in self.columns].index(name)


class Dataset:
    def __init__(self, seed, base, small):
        self.seed = seed
        self.base = base
        self.small = small
        self.workspaces = {"diff-a": {}, "diff-b": {}}
        self.quiet = [(base - age - 30 * MIN, base - age + 4 * HOUR) for age in QUIET_AGES]

    def tables(self):
        for ws, tabs in self.workspaces.items():
            for name, t in tabs.items():
                yield ws, t

    def total_rows(self):
        return sum(len(t.rows) for _, t in self.tables())


def default_base():
    """The current hour (UTC), in ticks."""
    return ktime.floor_to(int(time.time()) * SEC, HOUR)


class Clock:
    """Draws row times: diurnal density, quiet windows, exact hours, ties."""

    def __init__(self, rng, ds):
        self.rng = rng
        self.ds = ds
        self.prev = None

    def _quiet(self, t):
        return any(a <= t < b for a, b in self.ds.quiet)

    def draw(self):
        rng, base = self.rng, self.ds.base
        if self.prev is not None and rng.random() < 0.03:
            return self.prev
        while True:
            t = base - SPAN + int(rng.random() * (SPAN - NEWEST))
            hour = (t // HOUR) % 24
            # Busier in the (UTC) working day: accept with 0.35..1.0.
            if rng.random() > 0.675 + 0.325 * math.sin((hour - 8) / 24 * 2 * math.pi):
                continue
            u = rng.random()
            if u < 0.02:
                t = ktime.floor_to(t, HOUR)
            else:
                t = ktime.floor_to(t, MS)
                if u < 0.07:
                    t += rng.choice(SUBMS)
            if self._quiet(t) or t >= base - NEWEST:
                continue
            self.prev = t
            return t


def _guid(rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


_CUM = {}


def _weighted(rng, pairs):
    """A value drawn with the weights of (value, weight) pairs; the cumulative
    weights of each (constant) table are computed once."""
    key = id(pairs)
    table = _CUM.get(key)
    if table is None or table[0] is not pairs:
        values = [p[0] for p in pairs]
        cum, total = [], 0
        for p in pairs:
            total += p[-1]
            cum.append(total)
        table = _CUM[key] = (pairs, values, cum, total)
    _, values, cum, total = table
    return values[bisect.bisect_right(cum, rng.random() * total)]


USERS = ["root", "alice", "bob", "Carol", "dave_ops", "svc-backup", "admin", "deploy", "jürgen"]
SERVICES = ["nginx", "postgresql", "redis-server", "docker", "ssh", "cron", "rsyslog"]
JOBS = ["logrotate", "backup.sh", "certbot", "apt-daily", "sa1"]


def _ip(rng):
    r = rng.random()
    if r < 0.02:
        return rng.choice(["10.1.2.3", "10.1.2.30", "110.1.2.3", "10.1.2.3"])
    if r < 0.55:
        return "10.0.%d.%d" % (rng.randrange(4), rng.randrange(1, 255))
    if r < 0.75:
        return "192.168.1.%d" % rng.randrange(1, 255)
    if r < 0.9:
        return "203.0.113.%d" % rng.randrange(1, 255)
    return "198.51.100.%d" % rng.randrange(1, 255)


def _syslog_message(rng, proc, host):
    u = rng.choice(USERS)
    ip = _ip(rng)
    port = rng.randrange(1024, 65536)
    r = rng.random()
    if rng.random() < 0.004:
        return ""
    if rng.random() < 0.01:
        return rng.choice([
            "Kusto: %s;KustoExplorerQueryRun" % _guid(rng),
            "Benutzer Müller hat sich angemeldet",
            "ÜBERLAST auf Knoten %d erkannt" % rng.randrange(1, 9),
            "über quota for user %s" % u,
            "  padded message with spaces  ",
            "path=/var/log/app.log;user=%s;rc=%d" % (u, rng.randrange(0, 3)),
            "Error: disk /dev/sda1 at %d%% (ERROR threshold)" % rng.randrange(85, 100),
        ])
    if proc == "sshd":
        if r < 0.05:
            return "error: PAM: Authentication failed for %s from %s" % (u, ip)
        if r < 0.35:
            return "Accepted publickey for %s from %s port %d ssh2: RSA SHA256:%s" % (
                u, ip, port, "%032x" % rng.getrandbits(128))
        if r < 0.7:
            return "Failed password for invalid user %s from %s port %d ssh2" % (u, ip, port)
        if r < 0.85:
            return "Connection closed by %s port %d [preauth]" % (ip, port)
        return "Disconnected from user %s %s port %d" % (u, ip, port)
    if proc in ("CRON", "cron"):
        if r < 0.6:
            return "(%s) CMD (/usr/lib/%s --run)" % (u, rng.choice(JOBS))
        return "pam_unix(cron:session): session opened for user %s(uid=0) by (uid=0)" % u
    if proc == "kernel":
        if r < 0.6:
            return ("[UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:%02x:%02x:%02x SRC=%s DST=%s LEN=%d "
                    "PROTO=TCP SPT=%d DPT=%d" % (rng.randrange(256), rng.randrange(256),
                                                 rng.randrange(256), ip, _ip(rng),
                                                 rng.randrange(40, 1500), port,
                                                 rng.choice([22, 80, 443, 3389, 5432])))
        if r < 0.8:
            return "Out of memory: Killed process %d (%s)" % (rng.randrange(100, 40000),
                                                               rng.choice(SERVICES))
        return "EXT4-fs (sda1): mounted filesystem with ordered data mode"
    if proc == "systemd":
        svc = rng.choice(SERVICES)
        if r < 0.4:
            return "Started Session %d of user %s." % (rng.randrange(1, 5000), u)
        if r < 0.7:
            return "Stopping %s.service..." % svc
        return "%s.service: Main process exited, code=exited, status=1/FAILURE" % svc
    if proc == "nginx":
        if r < 0.8:
            return '%s - - "GET /%s HTTP/1.1" %d %d' % (
                ip, rng.choice(["index.html", "api/v1/items", "static/app.js", "login"]),
                rng.choice([200, 200, 200, 304, 404, 500]), rng.randrange(100, 90000))
        return ("upstream timed out (110: Connection timed out) while reading response header "
                "from upstream, client: %s" % ip)
    if proc == "postfix/smtpd":
        if r < 0.6:
            return "connect from unknown[%s]" % ip
        return ("NOQUEUE: reject: RCPT from unknown[%s]: 554 5.7.1 Relay access denied; "
                "to=<%s@example.org>" % (ip, u))
    if proc == "sudo":
        return "%s : TTY=pts/%d ; PWD=/home/%s ; USER=root ; COMMAND=/usr/bin/%s" % (
            u, rng.randrange(0, 8), u, rng.choice(["apt", "systemctl", "journalctl", "vim"]))
    if proc == "dockerd":
        return ('host=%s level=%s msg="Container %012x health status changed" id=%s' % (
            host, rng.choice(["info", "warning", "error"]), rng.getrandbits(48), _guid(rng)))
    return rng.choice(["-- MARK --", "", "rsyslogd was HUPed", "Warning: clock skew detected"])


PROCS = [("sshd", 20), ("CRON", 8), ("cron", 4), ("kernel", 12), ("systemd", 15), ("nginx", 18),
         ("postfix/smtpd", 6), ("sudo", 5), ("dockerd", 8), ("", 4)]
SEVERITIES = [("info", 50), ("notice", 12), ("warning", 12), ("err", 10), ("debug", 10),
              ("crit", 3), ("alert", 2), ("emerg", 1)]
FACILITIES = ["auth", "authpriv", "daemon", "kern", "cron", "user", "local0", "mail"]


def gen_syslog(rng, ds, n, hosts, first_id):
    clock = Clock(rng, ds)
    host_ip = {h: "10.9.%d.%d" % (i // 250, i % 250 + 1) for i, h in enumerate(hosts)}
    host_w = [(h, 5 if h.startswith("web") else 3 if h.startswith("db") else 1) for h in hosts]
    rows = []
    for i in range(n):
        host = _weighted(rng, host_w)
        proc = _weighted(rng, PROCS)
        pid = None if proc in ("kernel", "") or rng.random() < 0.01 else rng.randrange(1, 65536)
        rows.append((clock.draw(), host, host_ip[host], rng.choice(FACILITIES),
                     _weighted(rng, SEVERITIES), proc, pid, _syslog_message(rng, proc, host),
                     first_id + i))
    return rows


API = [("GET /api/orders", "/api/orders", 20), ("GET /api/orders/{id}", "/api/orders/%d", 15),
       ("POST /api/orders", "/api/orders", 8), ("GET /api/products", "/api/products?page=%d&sort=price", 15),
       ("PUT /api/users/{id}", "/api/users/%d", 5), ("DELETE /api/cart/{id}", "/api/cart/%d", 3),
       ("GET /health", "/health", 20), ("GET /Home/Index", "/Home/Index", 8),
       ("POST /api/login", "/api/login", 6)]
API_W = [(a, a[2]) for a in API]
SITES = ["https://shop.example.com", "https://api.example.com", "http://legacy.example.net:8080"]
CODES = [(200, 80), (201, 2), (302, 2), (401, 2), (404, 7), (500, 4), (503, 2)]
ITEMS = [(0, 10), (1, 10), (2, 25), (5, 10), (10, 20), (20, 10), (50, 6), (100, 5), (250, 3),
         (1000, 1)]
REGIONS = ["westeurope", "eastus", "northeurope", "westus2", "japaneast"]
TAGS = ["beta", "mobile", "web", "internal", "canary"]
TIERS = [("free", 5), ("standard", 3), ("premium", 2)]
RETRIES = [(0, 70), (1, 20), (2, 7), (3, 3)]
NTAGS = [(0, 20), (1, 40), (2, 30), (3, 10)]
ACTIONS = [("Login", 6), ("Logout", 4), ("Delete", 1), ("Update", 3)]
RESULTS = [("Success", 9), ("Failure", 1)]


def _properties(rng):
    if rng.random() < 0.03:
        return None
    p = {"region": rng.choice(REGIONS),
         "tier": _weighted(rng, TIERS),
         "retries": _weighted(rng, RETRIES),
         "tags": rng.sample(TAGS, _weighted(rng, NTAGS)),
         "latency": {"p50": round(rng.uniform(1, 50), 2), "p99": round(rng.uniform(50, 900), 2)},
         "user": {"id": "u%04d" % rng.randrange(10000),
                  "roles": rng.sample(["reader", "writer", "admin"], rng.randrange(1, 3))}}
    if rng.random() < 0.1:
        p["odd key"] = rng.choice(["x", "y"])
    if rng.random() < 0.2:
        del p["tier"]
    return p


def _custom_dims(rng):
    if rng.random() < 0.1:
        return ""
    return json.dumps({"build": "1.%d.%d" % (rng.randrange(3, 6), rng.randrange(0, 10)),
                       "experiment": rng.sample(["a", "b", "c"], rng.randrange(0, 3)),
                       "weight": rng.choice([0.25, 0.5, 1])}, separators=(",", ":"))


def gen_apprequests(rng, ds, n, first_id):
    clock = Clock(rng, ds)
    rows = []
    for i in range(n):
        name, path, _ = _weighted(rng, API_W)
        if "%d" in path:
            path = path % rng.randrange(1, 5000)
        code = None if rng.random() < 0.01 else _weighted(rng, CODES)
        if name.startswith("POST") and code == 200 and rng.random() < 0.5:
            code = 201
        u = rng.random()
        if u < 0.01:
            dur = None
        elif u < 0.015:
            dur = 0.0
        elif u < 0.05:
            dur = float(rng.randrange(1, 500))
        else:
            dur = round(rng.lognormvariate(4, 1), 3)
        success = None if code is None or rng.random() < 0.005 else code < 400
        items = None if rng.random() < 0.02 else (
            5_000_000_000 + rng.randrange(1000) if rng.random() < 0.002 else _weighted(rng, ITEMS))
        rows.append((clock.draw(), name, rng.choice(SITES) + path, code, dur, success, items,
                     _guid(rng), _properties(rng), _ip(rng), rng.randrange(100, 121),
                     _custom_dims(rng), first_id + i))
    return rows


CPU = [(12.5, 20), (25.0, 30), (37.5, 15), (50.0, 10), (62.25, 8), (87.5, 7), (99.75, 5)]
MEM = [(512, 5), (1024, 10), (2048, 25), (4096, 30), (8192, 20), (16384, 10)]
CATEGORIES = [("Direct Agent", 5), ("Azure Monitor Agent", 4), ("OpsManager", 1)]
VERSIONS = ["1.10.2", "1.11.0", "1.12.3", "1.9.8"]


def gen_heartbeat(rng, ds, n, computers):
    clock = Clock(rng, ds)
    info = {}
    for c in computers:
        v0 = rng.choice(VERSIONS)
        upgrade = ds.base - int(rng.random() * SPAN)
        info[c] = ("Windows" if "-win-" in c else "Linux", v0, upgrade,
                   _weighted(rng, CATEGORIES))
    rows = []
    for _ in range(n):
        if rows and rng.random() < 0.01:
            rows.append(rows[-1])  # an exact duplicate, as agents resend
            continue
        c = rng.choice(computers)
        os_type, v0, upgrade, cat = info[c]
        t = clock.draw()
        version = "1.13.0" if t >= upgrade else v0
        cpu = None if rng.random() < 0.05 else _weighted(rng, CPU)
        mem = None if rng.random() < 0.05 else _weighted(rng, MEM)
        u = rng.random()
        ok = None if u < 0.1 else u < 0.8
        rows.append((t, c, os_type, version, cat, cpu, mem, ok))
    return rows


def gen_audit(rng, ds, n):
    clock = Clock(rng, ds)
    rows = []
    for _ in range(n):
        rows.append((clock.draw(), rng.choice(["alice", "bob", "svc-deploy", "Carol"]),
                     _weighted(rng, ACTIONS),
                     rng.choice(["vm-%02d" % k for k in range(1, 13)]),
                     _weighted(rng, RESULTS),
                     rng.randrange(0, 4)))
    return rows


def generate(seed=1, base=None, small=False):
    base = default_base() if base is None else base
    ds = Dataset(seed, base, small)
    size = SMALL if small else FULL

    def rng(ws, table):
        return random.Random("%s/%s/%s" % (seed, ws, table))

    a_hosts = (["web-%02d" % k for k in range(1, 9)] + ["db-01", "db-02", "db-03",
               "cache-01", "cache-02", "mail-01", "build-agent-7", "WEB-09"])
    b_hosts = ["b-web-01", "b-web-02", "b-web-03", "b-db-01", "web-01"]
    a_comp = (["hb-linux-%03d" % k for k in range(1, 41)] +
              ["hb-win-%03d" % k for k in range(1, 21)])
    b_comp = ["hb-b-linux-%03d" % k for k in range(1, 9)] + ["hb-b-win-001", "hb-linux-001"]

    def put(ws, name, rows):
        ds.workspaces[ws][name] = Table(name, rows)

    put("diff-a", "Syslog_CL", gen_syslog(rng("diff-a", "Syslog_CL"), ds,
                                          size[("diff-a", "Syslog_CL")], a_hosts, 3_000_000_000))
    put("diff-a", "AppRequests_CL", gen_apprequests(rng("diff-a", "AppRequests_CL"), ds,
                                                    size[("diff-a", "AppRequests_CL")],
                                                    7_000_000_000))
    put("diff-a", "Heartbeat_CL", gen_heartbeat(rng("diff-a", "Heartbeat_CL"), ds,
                                                size[("diff-a", "Heartbeat_CL")], a_comp))
    put("diff-b", "Syslog_CL", gen_syslog(rng("diff-b", "Syslog_CL"), ds,
                                          size[("diff-b", "Syslog_CL")], b_hosts, 5_000_000_000))
    put("diff-b", "Heartbeat_CL", gen_heartbeat(rng("diff-b", "Heartbeat_CL"), ds,
                                                size[("diff-b", "Heartbeat_CL")], b_comp))
    put("diff-b", "Audit_CL", gen_audit(rng("diff-b", "Audit_CL"), ds, size[("diff-b", "Audit_CL")]))
    return ds


def record(table, row):
    """One row as the Logs Ingestion API record (JSON-ready)."""
    out = {}
    for (name, typ), v in zip(table.columns, row):
        out[name] = ktime.iso(v) if typ == "datetime" and v is not None else v
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--base", help="ISO 8601 base time (default: the current hour)")
    ap.add_argument("--small", action="store_true")
    ap.add_argument("--dump", metavar="DIR", help="write <ws>.<table>.ndjson files")
    a = ap.parse_args()
    base = ktime.parse_iso(a.base) if a.base else None
    t0 = time.time()
    ds = generate(a.seed, base, a.small)
    for ws, t in ds.tables():
        print("%-7s %-15s %8d rows" % (ws, t.name, len(t.rows)))
        if a.dump:
            os.makedirs(a.dump, exist_ok=True)
            with open(os.path.join(a.dump, "%s.%s.ndjson" % (ws, t.name)), "w") as f:
                for r in t.rows:
                    f.write(json.dumps(record(t, r), ensure_ascii=False) + "\n")
    print("total   %d rows, base %s, %.1f s" % (ds.total_rows(), ktime.iso(ds.base),
                                                 time.time() - t0))


if __name__ == "__main__":
    main()
