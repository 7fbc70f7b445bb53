#!/usr/bin/env python3
"""The ratio table of compare.sh: sealog / peer for every row of BENCHMARKS.md.

  ratios.py RESULTS_DIR ROWS RATE

Reads RESULTS_DIR/ch.txt (the peer's log), ingest.env and query_<ROWS>.env (the sealog
scripts' KEY=VALUE lines) and prints a Markdown table: sealog's figure, the peer's, the
ratio of wall figures, the ratio of server CPU where both sides report it (less sensitive
to other jobs on a shared machine than wall time), the target and whether it is met (on
the wall ratio, as BENCHMARKS.md defines the targets).
"""
import re, sys, os
R, NR, RATE = sys.argv[1], sys.argv[2], sys.argv[3]

def env(name):
    d = {}
    p = os.path.join(R, name)
    if os.path.exists(p):
        for line in open(p):
            k, _, v = line.rstrip("\n").partition("=")
            d[k] = v.strip('"')
    return d

ing, qry = env("ingest.env"), env("query_%s.env" % NR)
ch = open(os.path.join(R, "ch.txt")).read() if os.path.exists(os.path.join(R, "ch.txt")) else ""
sections = re.split(r"^server .* compression=", ch, flags=re.M)[1:]
peer = {}
for sec in sections:
    comp = sec.split()[0]
    m = re.search(r"INSERT 1 request: ([\d.]+) s -> (\d+) rows/s.*\((\d+) rows/s per CPU-s\)", sec)
    if m:
        peer["insert_" + comp] = float(m.group(2))
        peer["inscpu_" + comp] = float(m.group(3))
    m = re.search(r"^on disk (\d+) bytes", sec, re.M)
    if m:
        peer["disk_" + comp] = int(m.group(1))
    m = re.search(r"server peak RSS: (\d+) MiB", sec)
    if m:
        peer["rss_" + comp] = int(m.group(1))
    for m in re.finditer(r"^  (.{24}) min ([\d.]+) s  median ([\d.]+) s  server CPU/run ([\d.]+) s", sec, re.M):
        peer["q_%s_%s" % (m.group(1).strip(), comp)] = float(m.group(3))
        peer["qcpu_%s_%s" % (m.group(1).strip(), comp)] = float(m.group(4))
    m = re.search(r"INSERT chunks1k sequential: \d+ requests, (\d+) rows/s", sec)
    if m:
        peer["i2"] = float(m.group(1))
    m = re.search(r"INSERT chunks10k sequential: \d+ requests, (\d+) rows/s", sec)
    if m:
        peer["i10k"] = float(m.group(1))
    m = re.search(r"latency ingest@\d+ contains: n=\d+ p50=(\d+) ms p90=\d+ ms p99=(\d+) ms", sec)
    if m:
        peer["l1_p99"] = float(m.group(2)) / 1000
    m = re.search(r"paced ingest achieved (\d+) rows/s", sec)
    if m:
        peer["l1_rate"] = int(m.group(1))

def f(d, k):
    try:
        return float(d[k])
    except (KeyError, ValueError):
        return None

rows = []
def row(id_, what, ours, theirs, unit, target, ok_fn, higher_better, note="", cpu=(None, None)):
    cr = "%.2fx" % (cpu[0] / cpu[1]) if cpu[0] is not None and cpu[1] else "-"
    if ours is None:
        rows.append((id_, what, "-", fmt(theirs, unit), "-", cr, target, "NOT MEASURED", note))
        return
    ratio = ours / theirs if theirs else None
    met = ok_fn(ours, ratio)
    status = "met" if met else ("NO PEER FIGURE" if theirs is None and id_ not in ("I3", "L2", "S2") else "MISSED")
    rows.append((id_, what, fmt(ours, unit), fmt(theirs, unit),
                 "%.2fx" % ratio if ratio is not None else "-", cr, target, status, note))

def fmt(v, unit):
    if v is None:
        return "-"
    if unit == "rows/s":
        return "%.0f k/s" % (v / 1000)
    if unit == "s":
        return "%.3f s" % v
    if unit == "ms":
        return "%.1f ms" % v
    if unit == "MB":
        return "%.1f MB" % (v / 1e6)
    if unit == "MiB":
        return "%.0f MiB" % v
    return str(v)

pi = max([v for k, v in peer.items() if k.startswith("insert_")] or [None]) if peer else None
for p in ("https", "http"):
    row("I1", "bulk 10k/post x4 (%s)" % p, f(ing, "I1_%s_rows_s" % p), pi, "rows/s", ">= 2x (stretch 3x)",
        lambda o, r: r is not None and r >= 2, True,
        "%s vs %s rows per server CPU-s" % (ing.get("I1_%s_rows_per_cpu_s" % p, "-"), peer.get("inscpu_%s" % ("lz4" if peer.get("insert_lz4") == pi else "zstd"), "-")),
        (f(ing, "I1_%s_rows_per_cpu_s" % p), peer.get("inscpu_%s" % ("lz4" if peer.get("insert_lz4") == pi else "zstd"))))
for p in ("https", "http"):
    p99 = f(ing, "I2_%s_p99_ms" % p)
    row("I2", "1k/post x8 (%s)" % p, f(ing, "I2_%s_rows_s" % p), peer.get("i2"), "rows/s",
        ">= 6x; p99 <= 20 ms", lambda o, r, p99=p99: r is not None and r >= 6 and p99 is not None and p99 <= 20, True,
        "p99 %s ms" % ing.get("I2_%s_p99_ms" % p, "-"))
for p in ("https", "http"):
    p99 = f(ing, "I3_%s_p99_ms" % p)
    row("I3", "1/post x64 (%s)" % p, f(ing, "I3_%s_rows_s" % p), None, "rows/s",
        ">= 50 k/s; p99 <= 10 ms", lambda o, r, p99=p99: o >= 50000 and p99 is not None and p99 <= 10, True,
        "p99 %s ms" % ing.get("I3_%s_p99_ms" % p, "-"))
row("S1", "bytes on disk after I1", f(ing, "S1_https_bytes") or f(ing, "S1_http_bytes"), peer.get("disk_zstd"), "MB",
    "<= 1.0x zstd (stretch 0.8x)", lambda o, r: r is not None and r <= 1.0, False,
    "peer lz4 %s" % fmt(peer.get("disk_lz4"), "MB"))
s2 = [v for v in (f(ing, "S2_https_mib"), f(ing, "S2_http_mib")) if v is not None]
row("S2", "peak RSS during I1 (worst run)", max(s2) if s2 else None, peer.get("rss_lz4"), "MiB",
    "<= 320 MiB (stretch 160)", lambda o, r: o <= 320, False,
    "absolute target; peer shown; HTTPS %s, HTTP %s MiB" % (ing.get("S2_https_mib", "-"), ing.get("S2_http_mib", "-")))
QN = {"Q1": "contains_cs error", "Q2": "contains error (ci)", "Q3": "regex literal-led",
      "Q4": "regex ci alternation", "Q5": "rare term (1 row)", "Q6": "count by hour, host",
      "Q7": "1h window & contains", "Q8": "last 100 matching", "Q9": "severity & contains"}
QT = {"Q1": 1.25, "Q2": 1.0, "Q3": 1.0, "Q4": 1.5, "Q5": 0.2, "Q6": 1.5, "Q7": 0.5, "Q8": 0.5, "Q9": 1.0}
for q, name in QN.items():
    cands = [(peer["q_%s_%s" % (name, c)], peer["qcpu_%s_%s" % (name, c)]) for c in ("lz4", "zstd")
             if "q_%s_%s" % (name, c) in peer]
    best = min(cands) if cands else (None, None)
    ok = qry.get("%s_ok" % q, "")
    note = "answer %s [%s]" % (qry.get("%s_answer" % q, "-"), ok or "-")
    row(q, name, f(qry, "%s_median_s" % q), best[0], "s", "<= %gx" % QT[q],
        lambda o, r, t=QT[q], ok=ok: r is not None and r <= t and ok == "ok", False,
        note + "; CPU/run %s vs %s" % (fmt(f(qry, "%s_cpu_s" % q), "s"), fmt(best[1], "s")), (f(qry, "%s_cpu_s" % q), best[1]))
row("L1", "Q1 p99 under %s rows/s ingest" % RATE, (f(qry, "L1_p99_ms") or 0) / 1000 if "L1_p99_ms" in qry else None,
    peer.get("l1_p99"), "s", "<= 1.0x (stretch 0.7x)", lambda o, r: r is not None and r <= 1.0, False,
    "ingest achieved: sealog %s, peer %s rows/s" % (qry.get("L1_rate", "-"), peer.get("l1_rate", "-")))
row("L2", "ack -> queryable p99 under I2", f(qry, "L2_visible_p99_ms"), None, "ms", "<= 1 s (stretch 100 ms)",
    lambda o, r: o <= 1000, False, "p50 %s ms" % qry.get("L2_visible_p50_ms", "-"))

print()
print("sealog: %s" % ing.get("machine", qry.get("machine", "?")))
print("rows: %s; ratios are sealog / peer (for rows/s higher is better, for the rest lower)" % NR)
print("| ID | workload | sealog | peer | ratio | CPU ratio | target | status | note |")
print("|---|---|---|---|---|---|---|---|---|")
for r in rows:
    print("| " + " | ".join(r) + " |")
