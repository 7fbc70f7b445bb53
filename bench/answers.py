#!/usr/bin/env python3
"""The right answers to Q1-Q9 of BENCHMARKS.md, and the check of sealog's.

  answers.py expect LOGS.jsonl EXPECTED.json   compute the answers from the data file
  answers.py check EXPECTED.json QID ANSWER.json
                                               compare a Query API answer; print one line
                                               of KEY=VALUE (answer, ok, statistics)

The expected answers are computed here, independently of both engines, straight from the
shared generator's JSON lines, with KQL's rules as docs/KQL.md states them: contains_cs is
a byte substring, contains folds ASCII letters only, `has` matches whole terms (maximal runs
of ASCII letters, digits and bytes >= 0x80) case-insensitively, regexes are RE2 syntax
(ASCII \\w and \\d). TimeGenerated is ts_ms, not rebased. Q6 is compared group by group,
Q8 by its 100 timestamps (rows with equal times may come in either order). The file also
holds the total length of the messages, so that a scan's figures can be turned into
bytes of raw text per CPU-second.
"""
import calendar
import json
import os
import re
import sys
import time

TRACE = "a65ed389b74d0fb132e706298fadc1a6"  # the rare term of ch_sidebyside.sh (row 2)
H12 = 1718020800000  # 2024-06-10 12:00:00 UTC, ms
H13 = H12 + 3600 * 1000

RE_Q3 = re.compile(r"Failed password for invalid user \w+ from (\d{1,3}\.){3}\d{1,3}", re.ASCII)
RE_Q4 = re.compile(r"(?i)(exception|fatal|panic|segfault)", re.ASCII)
TERM = r"A-Za-z0-9\x80-\U0010ffff"
RE_Q5 = re.compile(r"(?<![%s])%s(?![%s])" % (TERM, TRACE, TERM), re.IGNORECASE)


def iso_hour(ms):
    return time.strftime("%Y-%m-%dT%H:00:00Z", time.gmtime(ms // 1000))


def expect(logs, out):
    n = 0
    msg_bytes = 0
    c = dict.fromkeys(["Q1", "Q2", "Q3", "Q4", "Q5", "Q7", "Q9"], 0)
    groups = {}
    err_ts = []
    with open(logs, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            m = r["message"]
            ts = r["ts_ms"]
            n += 1
            msg_bytes += len(m.encode("utf-8"))
            e = "error" in m
            if e:
                c["Q1"] += 1
                err_ts.append(ts)
                if H12 <= ts < H13:
                    c["Q7"] += 1
            # ASCII-only folding (docs/KQL.md): lower() of non-ASCII never yields "error".
            if e or "error" in m.lower():
                c["Q2"] += 1
            if RE_Q3.search(m):
                c["Q3"] += 1
            if RE_Q4.search(m):
                c["Q4"] += 1
            if TRACE in m.lower() and RE_Q5.search(m):
                c["Q5"] += 1
            if r["severity"] == "error" and "timeout" in m:
                c["Q9"] += 1
            k = iso_hour(ts) + "|" + r["host"]
            groups[k] = groups.get(k, 0) + 1
            if len(err_ts) > 100000:
                err_ts = sorted(err_ts, reverse=True)[:100]
    c["Q8"] = sorted(err_ts, reverse=True)[:100]
    c["Q6"] = groups
    st = os.stat(logs)
    doc = {"rows": n, "message_bytes": msg_bytes, "file_size": st.st_size,
           "file_mtime": int(st.st_mtime), "answers": c}
    with open(out, "w") as f:
        json.dump(doc, f)
    short = {k: (v if isinstance(v, int) else len(v)) for k, v in c.items()}
    print("expected answers over %d rows: %s" % (n, json.dumps(short, sort_keys=True)))


def parse_ms(iso):
    # "2024-06-10T12:34:56.789Z" (fraction trimmed, maybe absent) -> ms since the epoch
    base, _, frac = iso.rstrip("Z").partition(".")
    t = time.strptime(base, "%Y-%m-%dT%H:%M:%S")
    return calendar.timegm(t) * 1000 + int((frac + "000")[:3] or 0)


def check(expected, qid, answer):
    exp = json.load(open(expected))["answers"]
    try:
        doc = json.load(open(answer))
    except ValueError:
        print("ok=ERROR answer='not JSON'")
        return
    if "tables" not in doc:
        msg = json.dumps(doc.get("error", doc))[:300].replace("'", "")
        print("ok=ERROR answer='%s'" % msg)
        return
    t = doc["tables"][0]
    rows = t["rows"]
    cols = [c["name"] for c in t["columns"]]
    if qid == "Q6":
        got = {}
        for r in rows:
            got[iso_hour(parse_ms(r[cols.index("TimeGenerated")])) + "|" + r[cols.index("Computer")]] = \
                r[cols.index("count_")]
        want = exp["Q6"]
        diff = sum(1 for k in set(got) | set(want) if got.get(k) != want.get(k))
        ans = "%d groups, %d rows" % (len(got), sum(got.values()))
        ok = "ok" if diff == 0 else "WRONG(%d groups differ of %d expected)" % (diff, len(want))
    elif qid == "Q8":
        got = sorted((parse_ms(r[cols.index("TimeGenerated")]) for r in rows), reverse=True)
        ans = "%d rows, newest %s" % (len(rows), rows[0][cols.index("TimeGenerated")] if rows else "-")
        bad = [r for r in rows if "error" not in r[cols.index("SyslogMessage")]]
        ok = "ok" if got == exp["Q8"] and not bad and cols == ["TimeGenerated", "Computer", "SyslogMessage"] \
            else "WRONG(timestamps or columns differ)"
    else:
        ans = rows[0][0] if rows and rows[0] else None
        ok = "ok" if ans == exp[qid] else "WRONG(expected %s)" % exp[qid]
    s = doc.get("statistics", {}).get("query", {})
    sl = s.get("sealog", {})
    print("ok='%s' answer='%s' rows_scanned=%s bytes_decrypted=%s blocks_read=%s blocks_pruned=%s exec_s=%s"
          % (ok, ans, sl.get("rowsScanned", 0), sl.get("bytesDecrypted", 0), sl.get("blocksRead", 0),
             sl.get("blocksPruned", 0), s.get("executionTime", 0)))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "expect":
        expect(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 5 and sys.argv[1] == "check":
        check(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)
