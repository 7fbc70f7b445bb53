"""A real sealogd for the differential tests, and a small HTTPS client for it.

SealogNode starts sealogd the way tests/integration/harness.c does: a temporary
data directory, `--listen 127.0.0.1:0`, and the start-up banner on stdout for
the port, the certificate (the CA file to trust) and the bootstrap admin token.
Client speaks the admin API, the Logs Ingestion API and the Query API over
HTTPS with that CA, keeping one connection per thread.
"""

import gzip
import http.client
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.parse


class NodeError(Exception):
    pass


class SealogNode:
    def __init__(self, sealogd, keep=False, extra_args=()):
        self.sealogd = sealogd
        self.keep = keep
        self.extra_args = list(extra_args)
        self.dir = tempfile.mkdtemp(prefix="sealog-diff-")
        self.data_dir = os.path.join(self.dir, "data")
        self.proc = None
        self.url = self.cacert = self.token = None

    def start(self, timeout=60):
        out = open(os.path.join(self.dir, "stdout"), "wb")
        err = open(os.path.join(self.dir, "stderr"), "wb")
        self.proc = subprocess.Popen(
            [self.sealogd, "--data-dir", self.data_dir, "--listen", "127.0.0.1:0"]
            + self.extra_args, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise NodeError("sealogd exited with %d: %s" % (self.proc.returncode,
                                                                 self.stderr_tail()))
            text = open(os.path.join(self.dir, "stdout"), encoding="utf-8",
                        errors="replace").read()
            if "sha256:" in text and "shown once" in text:
                self.url = re.search(r"listening:\s+(https://\S+)", text).group(1)
                self.cacert = re.search(r"certificate:\s+(\S+)", text).group(1)
                self.token = re.search(r"admin token:\s+(\S+)", text).group(1)
                return self
            time.sleep(0.05)
        self.kill()
        raise NodeError("sealogd printed no banner within %d s" % timeout)

    def stderr_tail(self, n=20):
        try:
            with open(os.path.join(self.dir, "stderr"), encoding="utf-8", errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=30):
        """SIGTERM, then SIGKILL after timeout; returns the exit status."""
        if not self.proc:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def cleanup(self):
        if not self.keep:
            self.kill()
            shutil.rmtree(self.dir, ignore_errors=True)


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def text(self):
        return self.body.decode("utf-8", errors="replace")


class Client:
    """HTTPS to one node; one keep-alive connection per thread."""

    def __init__(self, url, cacert, token):
        u = urllib.parse.urlsplit(url)
        self.host, self.port = u.hostname, u.port
        self.ctx = ssl.create_default_context(cafile=cacert)
        self.token = token
        self.local = threading.local()

    def _conn(self, fresh=False):
        c = getattr(self.local, "conn", None)
        if c is None or fresh:
            if c is not None:
                c.close()
            c = http.client.HTTPSConnection(self.host, self.port, context=self.ctx, timeout=600)
            self.local.conn = c
        return c

    def request(self, method, path, body=None, headers=None, token=None):
        h = {"Authorization": "Bearer " + (token or self.token)}
        if body is not None and not isinstance(body, (bytes, bytearray)):
            body = json.dumps(body).encode("utf-8")
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        # Connection errors are retried twice; busy answers (429/503: the node
        # applies backpressure while block building catches up) as an agent
        # would, after Retry-After, for up to a minute.
        busy = 0
        attempt = 0
        while attempt < 3:
            conn = self._conn(fresh=attempt > 0)
            try:
                conn.request(method, path, body=body, headers=h)
                r = conn.getresponse()
                data = r.read()
                resp = Response(r.status, {k.lower(): v for k, v in r.getheaders()}, data)
            except (http.client.HTTPException, ConnectionError, ssl.SSLError) as e:
                last = e
                attempt += 1
                continue
            if resp.status in (429, 503) and busy < 60:
                busy += 1
                time.sleep(float(resp.headers.get("retry-after", "1")))
                continue
            return resp
        raise NodeError("%s %s failed: %s" % (method, path, last))

    # -- admin API ---------------------------------------------------------

    def admin(self, method, path, body=None, expect=(200, 201)):
        r = self.request(method, "/admin/v1" + path, body)
        if r.status not in expect:
            raise NodeError("%s /admin/v1%s -> %d %s" % (method, path, r.status, r.text()[:400]))
        return r.json() if r.body else None

    def create_workspace(self, name, retention_days=30):
        return self.admin("POST", "/workspaces", {"name": name, "retentionInDays": retention_days})

    def create_token(self, kind, scopes, name):
        return self.admin("POST", "/tokens", {"kind": kind, "scopes": scopes, "name": name})

    def create_dcr(self, immutable_id, workspace, tables):
        """One rule: stream Custom-<T> -> output Custom-<T> for each (T, columns)."""
        dcr_types = {"bool": "boolean"}
        decl, flows = {}, []
        for name, columns in tables:
            stream = "Custom-" + name
            decl[stream] = {"columns": [{"name": c, "type": dcr_types.get(t, t)}
                                        for c, t in columns]}
            flows.append({"streams": [stream], "destinations": ["la"],
                          "transformKql": "source", "outputStream": stream})
        body = {"name": immutable_id, "properties": {
            "immutableId": immutable_id,
            "streamDeclarations": decl,
            "destinations": {"logAnalytics": [{
                "name": "la",
                "workspaceResourceId": "/subscriptions/s/resourceGroups/g/providers/"
                                       "Microsoft.OperationalInsights/workspaces/" + workspace}]},
            "dataFlows": flows}}
        return self.admin("POST", "/dataCollectionRules", body)

    def dump(self, workspace, table):
        """The stored rows (admin dump, NDJSON) as a list of dicts."""
        q = urllib.parse.urlencode({"workspace": workspace, "table": table})
        r = self.request("GET", "/admin/v1/dump?" + q)
        if r.status != 200:
            raise NodeError("dump %s/%s -> %d %s" % (workspace, table, r.status, r.text()[:300]))
        return [json.loads(line) for line in r.text().splitlines() if line.strip()]

    # -- Logs Ingestion API ------------------------------------------------

    def ingest(self, dcr, stream, body_bytes, use_gzip=False):
        h = {"Content-Type": "application/json"}
        if use_gzip:
            body_bytes = gzip.compress(body_bytes, compresslevel=1)
            h["Content-Encoding"] = "gzip"
        path = "/dataCollectionRules/%s/streams/%s?api-version=2023-01-01" % (dcr, stream)
        r = self.request("POST", path, body_bytes, h)
        if r.status != 204:
            raise NodeError("ingest %s -> %d %s" % (stream, r.status, r.text()[:400]))

    # -- Query API ---------------------------------------------------------

    def query(self, workspace_id, kql, timespan=None, workspaces=None, token=None):
        body = {"query": kql}
        if timespan is not None:
            body["timespan"] = timespan
        if workspaces:
            body["workspaces"] = workspaces
        return self.request("POST", "/v1/workspaces/%s/query" % workspace_id, body, token=token)
