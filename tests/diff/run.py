#!/usr/bin/env python3
"""Differential KQL tests: sealog's Query API against an independent oracle.

    run.py --sealogd build/node/sealogd --sealog build/cli/sealog [--small]
           [--only PATTERN] [--keep] [--seed N] [--jobs N]

Starts a real sealogd (HTTPS on a free port, temporary data directory),
creates workspaces diff-a and diff-b, a data collection rule per workspace and
a query token through the admin API, ingests the generated data set through
the Logs Ingestion API, reads it back through the admin dump, then runs every
case of queries.py over the Query API and compares it with the oracle
(oracle.py, SQLite). One line per failing case with a compact diff, then
"N passed, M failed"; the exit status is non-zero on any failure.

Other modes:
  --attach STATE   reuse a node left running by --keep (no start, no ingest)
  --oracle-only    compute every expected answer (checks the cases' premises)
  --list           print the case names
"""

import argparse
import concurrent.futures
import fnmatch
import json
import os
import re
import subprocess
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402
import gen  # noqa: E402
import ktime  # noqa: E402
import load  # noqa: E402
import node  # noqa: E402
import oracle  # noqa: E402
import queries  # noqa: E402
from ktime import HOUR, SEC  # noqa: E402


UNSUPPORTED = "is not supported"


def log(msg):
    print(msg, flush=True)


def select(cases, patterns):
    if not patterns:
        return cases
    out = []
    for c in cases:
        for p in patterns:
            if fnmatch.fnmatchcase(c.name, p) or re.search(p, c.name):
                out.append(c)
                break
    return out


class Outcome:
    def __init__(self, case):
        self.case = case
        self.status = None      # pass, fail, xfail, bug, xpass, skip, premise
        self.detail = ""
        self.seconds = 0.0


def check(case, expected, resp):
    """(ok, detail) for one case's Query API answer."""
    if resp.status != 200:
        try:
            e = resp.json().get("error", {})
            inner = (e.get("innererror") or {}).get("code", "")
            msg = "HTTP %d %s/%s: %s" % (resp.status, e.get("code"), inner, e.get("message"))
        except ValueError:
            msg = "HTTP %d %s" % (resp.status, resp.text()[:300])
        return False, msg
    try:
        body = resp.json()
        table = body["tables"][0]
        got_cols = [(c["name"], c["type"]) for c in table["columns"]]
        rows = table["rows"]
    except (ValueError, KeyError, IndexError, TypeError) as e:
        return False, "malformed answer (%s): %s" % (e, resp.text()[:300])
    want_types = [t for _, t in case.cols]
    problems = []
    if got_cols != case.cols:
        problems.append("columns differ:\n      want %s\n      got  %s" % (
            ", ".join("%s:%s" % c for c in case.cols), ", ".join("%s:%s" % c for c in got_cols)))
        if len(got_cols) != len(case.cols):
            return False, problems[0]
    if any(len(r) != len(want_types) for r in rows):
        return False, "a row has %d cells, %d columns expected" % (
            len(next(r for r in rows if len(r) != len(want_types))), len(want_types))
    exp = compare.canon_rows(expected, want_types, compare.expected_cell, case.set_cols,
                             case.bag_cols)
    act = compare.canon_rows(rows, want_types, compare.actual_cell, case.set_cols, case.bag_cols)
    if case.subset is not None:
        want_n = min(case.subset, len(exp))
        if len(act) != want_n:
            problems.append("%d rows expected (take %d of %d), %d got" % (
                want_n, case.subset, len(exp), len(act)))
        pool = {}
        for r in exp:
            pool.setdefault(compare.row_key(r), []).append(r)
        for r in act:
            bucket = pool.get(compare.row_key(r), [])
            hit = next((i for i, s in enumerate(bucket) if compare.rows_equal(r, s)), None)
            if hit is None:
                problems.append("row not among the candidates: %s" % compare.fmt_row(
                    want_types, r))
                break
            del bucket[hit]
    else:
        d = compare.diff(exp, act, want_types, case.ordered)
        if d:
            problems.append(d)
    return not problems, "\n    ".join(problems)


def _mutate_cell(typ, v):
    if typ == "dynamic":
        return json.dumps([json.loads(v)]) if v is not None else "[1]"
    if v is None:
        return {"string": "x", "guid": "x", "real": 0.5}.get(typ, 1)
    if typ == "bool":
        return 0 if v else 1
    if isinstance(v, float):
        return v * 1.5 + 1
    if isinstance(v, int):
        return v + 1
    return v + "~"


def mutations(expected, types):
    """Wrong answers derived from a right one: a row dropped, a cell changed
    (every column in turn), a row added. A case that still passes against one
    of them could not detect that error."""
    out = []
    rows = [tuple(r) for r in expected]
    if rows:
        out.append(rows[:-1])
        for i, t in enumerate(types):
            first = list(rows[0])
            first[i] = _mutate_cell(t, first[i])
            out.append([tuple(first)] + rows[1:])
    out.append(rows + [tuple(_mutate_cell(t, None) for t in types)])
    return out


def fill_ws(text, ids):
    return re.sub(r"\{ws:([\w-]+)\}", lambda m: ids["workspaces"][m.group(1)], text)


def run_cases(client, orc, ids, cases, jobs, relative_ok, token, mutate=False):
    """Queries run on `jobs` threads while the main thread computes answers."""
    ws_a = ids["workspaces"]["diff-a"]
    outcomes = []

    def ask(case):
        t0 = time.time()
        r = client.query(ws_a, fill_ws(case.kql, ids), case.timespan,
                         [ids["workspaces"][w] for w in case.workspaces], token=token)
        return r, time.time() - t0

    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        futures = []
        for c in cases:
            if c.relative and not relative_ok:
                futures.append(None)
            else:
                futures.append(pool.submit(ask, c))
        for c, fut in zip(cases, futures):
            o = Outcome(c)
            outcomes.append(o)
            if fut is None:
                o.status, o.detail = "skip", "depends on now(); the data's base time is not now"
                continue
            try:
                expected = c.expected(orc)
            except oracle.PremiseError as e:
                fut.cancel()
                o.status, o.detail = "premise", "oracle premise does not hold: %s" % e
                continue
            try:
                resp, o.seconds = fut.result()
            except node.NodeError as e:
                o.status, o.detail = "fail", "request failed: %s" % e
                continue
            ok, detail = check(c, expected, resp)
            if ok and mutate and c.subset is None:
                types = [t for _, t in c.cols]
                blind = [m for m in mutations(expected, types) if check(c, m, resp)[0]]
                if blind:
                    ok, detail = False, "insensitive: passes against a wrong expectation too: %r" \
                        % (blind[0][:3],)
            if c.bug:
                # Strict: a known engine bug must still show; once the engine
                # answers right the marker has to go.
                if ok:
                    o.status, o.detail = "xpass", "passes although marked as a bug: " + c.bug
                else:
                    o.status, o.detail = "bug", "%s\n%s" % (c.bug, detail)
            elif c.xfail:
                # Strict: an xfail case must fail the way it says (the engine rejects
                # the feature by name); a wrong answer is a failure, a pass is "xpass"
                # (drop the marker).
                if ok:
                    o.status, o.detail = "xpass", "passes although marked xfail: " + c.xfail
                elif UNSUPPORTED in detail:
                    o.status, o.detail = "xfail", c.xfail
                else:
                    o.status = "fail"
            else:
                o.status = "pass" if ok else "fail"
                o.detail = detail
    return outcomes


def report(outcomes, verbose):
    bad = 0
    for o in outcomes:
        if o.status in ("fail", "premise", "xpass"):
            bad += 1
            first = o.case.kql.splitlines()[0]
            more = " ..." if "\n" in o.case.kql else ""
            log("FAIL %s: %s" % (o.case.name, o.detail.split("\n")[0]))
            for line in o.detail.split("\n")[1:]:
                log("  " + line)
            log("    query: %s%s%s" % (first, more, "  [timespan %s]" % o.case.timespan
                                       if o.case.timespan else ""))
        elif o.status == "bug":
            log("BUG  %s: %s" % (o.case.name, o.case.bug))
            if verbose:
                for line in o.detail.split("\n")[1:]:
                    log("  " + line)
        elif verbose and o.status in ("pass", "xfail", "skip"):
            log("%s %s (%.2f s)%s" % (o.status.upper(), o.case.name, o.seconds,
                                      ": " + o.detail if o.status != "pass" else ""))
    n = {s: sum(1 for o in outcomes if o.status == s)
         for s in ("pass", "fail", "premise", "xfail", "bug", "xpass", "skip")}
    names = {"bug": "known engine bugs"}
    extra = "".join(", %d %s" % (n[k], names.get(k, k))
                    for k in ("premise", "xfail", "bug", "xpass", "skip") if n[k])
    log("%d passed, %d failed%s" % (n["pass"], n["fail"] + n["premise"] + n["xpass"], extra))
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__[__doc__.index("Starts"):])
    ap.add_argument("--sealogd", help="the sealogd binary")
    ap.add_argument("--sealog", help="the sealog CLI (used to list the workspaces it sees)")
    ap.add_argument("--small", action="store_true", help="about 62 k rows instead of 1.1 M")
    ap.add_argument("--only", action="append", default=[], metavar="PATTERN",
                    help="run cases whose name matches (glob or regex); repeatable")
    ap.add_argument("--keep", action="store_true", help="leave the node running and print how "
                    "to --attach to it")
    ap.add_argument("--attach", metavar="STATE", help="state.json of a node left by --keep")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--base", help="base time of the data (ISO 8601; default: this hour). "
                    "Cases that depend on now() are skipped unless it is within 3 h of now")
    ap.add_argument("--jobs", type=int, default=2, help="queries in flight (default 2)")
    ap.add_argument("--no-verify-dump", action="store_true",
                    help="skip reading the data back through the admin dump")
    ap.add_argument("--oracle-only", action="store_true")
    ap.add_argument("--mutate", action="store_true",
                    help="also check that every passing case fails against altered answers")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--verbose", "-v", action="store_true")
    a = ap.parse_args()

    t_start = time.time()
    state = None
    if a.attach:
        with open(a.attach) as f:
            state = json.load(f)
        a.seed, a.small = state["seed"], state["small"]
        base = state["base"]
    else:
        base = ktime.parse_iso(a.base) if a.base else None
    ds = gen.generate(a.seed, base, a.small)
    cases = select(queries.cases(queries.Ctx(ds)), a.only)
    if a.list:
        areas = {}
        for c in cases:
            print(c.name)
            areas[c.name.split("/")[0]] = areas.get(c.name.split("/")[0], 0) + 1
        print("%d cases: %s" % (len(cases), ", ".join("%s %d" % kv for kv in areas.items())))
        return 0
    if not cases:
        log("no case matches %s" % a.only)
        return 2
    log("data: seed %d, base %s, %d rows (%.1f s to generate); %d cases" % (
        a.seed, ktime.iso(ds.base), ds.total_rows(), time.time() - t_start, len(cases)))
    relative_ok = 0 <= int(time.time()) * SEC - ds.base < 3 * HOUR

    t0 = time.time()
    orc = oracle.Oracle(ds)
    log("oracle: SQLite loaded in %.1f s" % (time.time() - t0))
    if a.oracle_only:
        bad = 0
        for c in cases:
            try:
                t1 = time.time()
                rows = c.expected(orc)
                if a.verbose:
                    log("%-40s %6d rows %.2f s" % (c.name, len(rows), time.time() - t1))
            except (oracle.PremiseError, RuntimeError) as e:
                bad += 1
                log("ORACLE %s: %s" % (c.name, e))
        log("%d cases, %d oracle problems" % (len(cases), bad))
        return 1 if bad else 0

    sealog_node = None
    try:
        if state:
            client = node.Client(state["url"], state["cacert"], state["token"])
            ids = state["ids"]
        else:
            if not a.sealogd:
                ap.error("--sealogd is required (or --attach)")
            sealog_node = node.SealogNode(a.sealogd, keep=a.keep)
            sealog_node.start()
            log("node: %s (data in %s)" % (sealog_node.url, sealog_node.data_dir))
            client = node.Client(sealog_node.url, sealog_node.cacert, sealog_node.token)
            ids = load.setup(client, ds)
            if a.sealog:
                cli_check(a.sealog, sealog_node)
            t0 = time.time()
            n_req, n_bytes = load.ingest(client, ds, ids)
            dt = time.time() - t0
            log("ingest: %d rows in %d requests (%.0f MB) in %.1f s, %.0f rows/s" % (
                ds.total_rows(), n_req, n_bytes / 1e6, dt, ds.total_rows() / dt))
        ingest_bad = 0
        if not a.no_verify_dump and not state:
            t0 = time.time()
            ingest_bad = load.verify_dump(client, ds, log=lambda m: log("  " + m))
            log("dump: verified in %.1f s%s" % (time.time() - t0, "" if not ingest_bad else
                                               " — %d tables differ" % ingest_bad))
        t0 = time.time()
        outcomes = run_cases(client, orc, ids, cases, a.jobs, relative_ok, ids.get("query_token"),
                             a.mutate)
        log("queries: %d cases in %.1f s; slowest: %s" % (
            len(cases), time.time() - t0, ", ".join(
                "%s %.1f s" % (o.case.name, o.seconds)
                for o in sorted(outcomes, key=lambda o: -o.seconds)[:5])))
        bad = report(outcomes, a.verbose) + ingest_bad
        if ingest_bad:
            log("FAIL ingestion: %d tables read back differently from what was sent" % ingest_bad)
        if sealog_node and not sealog_node.alive():
            log("FAIL node: sealogd exited with %s\n%s" % (sealog_node.proc.returncode,
                                                            sealog_node.stderr_tail()))
            bad += 1
        elif sealog_node and not a.keep:
            status = sealog_node.stop()
            if status != 0:
                log("FAIL node: sealogd exited with %s on SIGTERM" % status)
                bad += 1
        if sealog_node:
            reports = sanitizer_reports(sealog_node)
            if reports:
                log("FAIL node: sanitizer reports in sealogd's log:\n" + reports)
                bad += 1
        if sealog_node and a.keep:
            path = os.path.join(sealog_node.dir, "state.json")
            with open(path, "w") as f:
                json.dump({"url": sealog_node.url, "cacert": sealog_node.cacert,
                           "token": sealog_node.token, "ids": ids, "seed": a.seed,
                           "small": a.small, "base": ds.base, "pid": sealog_node.proc.pid}, f)
            log("kept: sealogd pid %d; rerun with --attach %s" % (sealog_node.proc.pid, path))
        log("total: %.1f s" % (time.time() - t_start))
        return 1 if bad else 0
    except Exception:
        traceback.print_exc()
        if sealog_node:
            log("sealogd stderr:\n" + sealog_node.stderr_tail())
        return 2
    finally:
        if sealog_node and not a.keep:
            sealog_node.stop()
            sealog_node.cleanup()


def sanitizer_reports(n):
    """Lines of AddressSanitizer/UBSan/LeakSanitizer reports in the node's stderr."""
    try:
        with open(os.path.join(n.dir, "stderr"), encoding="utf-8", errors="replace") as f:
            lines = f.readlines()
    except OSError:
        return ""
    marks = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
             "WARNING: ThreadSanitizer")
    hits = [i for i, line in enumerate(lines) if any(m in line for m in marks)]
    return "".join(lines[i] for i in hits[:10])


def cli_check(sealog, n):
    """The CLI lists both workspaces (it talks to the same admin API)."""
    r = subprocess.run([sealog, "--endpoint", n.url, "--cacert", n.cacert, "--token", n.token,
                        "--json", "admin", "workspace", "list"], capture_output=True, text=True,
                       timeout=60)
    names = set()
    try:
        names = {w["name"] for w in json.loads(r.stdout).get("value", [])}
    except (ValueError, AttributeError):
        pass
    if r.returncode != 0 or not {"diff-a", "diff-b"} <= names:
        raise node.NodeError("sealog admin workspace list: exit %d, %s %s" % (
            r.returncode, r.stdout[:200], r.stderr[:200]))


if __name__ == "__main__":
    sys.exit(main())
