"""Loads a generated data set into a node through its public APIs.

Workspaces and one data collection rule per workspace come from the admin API
(streams Custom-<Table> with typed columns, output Custom-<Table>); rows go
through the Logs Ingestion API with the admin token, as JSON arrays of at most
1,000,000 bytes (the node's limit is 1 MiB on the wire and after inflation),
every third request gzip-compressed, four requests in flight.
"""

import collections
import concurrent.futures
import json

import gen
import ktime

MAX_BODY = 1_000_000


def setup(client, ds):
    """Creates workspaces, rules and a query token; returns a dict of ids."""
    ids = {"workspaces": {}, "dcr": {}}
    for ws in ds.workspaces:
        ids["workspaces"][ws] = client.create_workspace(ws)["customerId"]
    for ws, tables in ds.workspaces.items():
        dcr = "dcr-" + ws
        client.create_dcr(dcr, ws, [(t.name, t.columns) for t in tables.values()])
        ids["dcr"][ws] = dcr
    tok = client.create_token("query", list(ds.workspaces), "diff-query")
    ids["query_token"] = tok["token"]
    return ids


def batches(table):
    """Yields JSON array bodies (bytes) of at most MAX_BODY bytes."""
    parts, size = [], 2
    for row in table.rows:
        rec = json.dumps(gen.record(table, row), ensure_ascii=False,
                         separators=(",", ":")).encode("utf-8")
        if parts and size + len(rec) + 1 > MAX_BODY:
            yield b"[" + b",".join(parts) + b"]"
            parts, size = [], 2
        parts.append(rec)
        size += len(rec) + 1
    if parts:
        yield b"[" + b",".join(parts) + b"]"


def ingest(client, ds, ids, threads=4, progress=None):
    """Sends every row; returns (requests, bytes)."""
    n_req = n_bytes = 0
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        pending = set()
        for ws, table in ds.tables():
            stream = "Custom-" + table.name
            for body in batches(table):
                n_req += 1
                n_bytes += len(body)
                pending.add(pool.submit(client.ingest, ids["dcr"][ws], stream, body,
                                        n_req % 3 == 0))
                if len(pending) >= threads * 2:
                    done, pending = concurrent.futures.wait(
                        pending, return_when=concurrent.futures.FIRST_COMPLETED)
                    for f in done:
                        f.result()
                if progress and n_req % 50 == 0:
                    progress("  %d requests, %.0f MB" % (n_req, n_bytes / 1e6))
        for f in concurrent.futures.as_completed(pending):
            f.result()
    return n_req, n_bytes


def _stored_cell(typ, v):
    """A dump cell in the form _generated_cell gives the sent value."""
    if v is None:
        return "" if typ == "string" else None
    if typ == "datetime":
        return ktime.parse_iso(v)
    if typ == "real":
        return float(v)
    if typ == "dynamic":
        return json.dumps(v, sort_keys=True)
    return v


def _generated_cell(typ, v):
    if v is None:
        return "" if typ == "string" else None
    if typ == "real":
        return float(v)
    if typ == "dynamic":
        return json.dumps(v, sort_keys=True)
    return v


def verify_dump(client, ds, log=print):
    """Reads every table back through the admin dump and compares it with the
    generated rows (as multisets, every declared column). Returns the number of
    mismatching tables."""
    bad = 0
    for ws, table in ds.tables():
        got = client.dump(ws, table.name)
        types = [t for _, t in table.columns]
        want = collections.Counter(
            tuple(_generated_cell(t, v) for t, v in zip(types, row)) for row in table.rows)
        have = collections.Counter(
            tuple(_stored_cell(t, rec.get(c)) for c, t in table.columns) for rec in got)
        if want != have:
            bad += 1
            missing = list((want - have).elements())[:3]
            extra = list((have - want).elements())[:3]
            log("dump %s/%s: %d rows stored, %d generated; missing %r; unexpected %r" % (
                ws, table.name, len(got), len(table.rows), missing, extra))
        else:
            log("dump %s/%s: %d rows match" % (ws, table.name, len(got)))
    return bad
