"""The differential cases: KQL, its independent answer, and how to compare.

cases(ctx) returns the list. Each Case holds
  name      area/what, unique; `run.py --only` matches it
  kql       the query text sent to the Query API
  cols      expected columns "Name:type, ..." (names and types compared exactly)
  sql       SQLite over the oracle's tables (diff-a in main, diff-b in schema b)
  py        or a function(oracle) -> rows, for answers SQL states badly or that
            need a premise check (ties, percentiles)
  ordered   the row order is defined by the query (sort/top with a total order)
  subset    take/limit: rows are arbitrary; the answer must have exactly
            min(subset, |candidates|) rows, each one of the candidates
  timespan  the Query API `timespan` parameter
  workspaces  names of extra workspaces for the API's `workspaces` list
  set_cols / bag_cols  dynamic array columns compared as sets / multisets
  xfail     reason, only for features outside the executed subset; such a case
            passes as "xfail" only while the engine rejects it by name ("... is not
            supported"): a wrong answer fails, and so does a pass (drop the marker)
  bug       reason naming a known engine bug (KQL.md rule, minimal repro): the case
            is expected to fail; it passes as "bug" while it fails in any way and
            is reported as a failure ("xpass") once the engine answers right, so
            the marker is dropped with the fix
  relative  the answer depends on now() (ago, now, a bare ISO duration): valid
            only while the data's base time is the current hour (+3 h)

The KQL text may name a workspace by id as {ws:diff-b}; the runner fills it in.

ctx gives the data set's base time: ctx.dt(offset) is a KQL datetime literal,
ctx.t(offset) its ticks for SQL; ctx.edge(offset) is an instant that no row
has (its ticks end in 4321), for boundaries that must not cut ties.
"""

import ktime
import oracle
from ktime import DAY, HOUR, MIN, SEC

S, A, H = "Syslog_CL", "AppRequests_CL", "Heartbeat_CL"
NOT_YET = ("tier 1 of KQL.md but not executed yet: docs/KQL.md names join, mv-expand, parse "
           "and search as the next steps")
BS, BH, BAU = "b.Syslog_CL", "b.Heartbeat_CL", "b.Audit_CL"

# Known engine bugs are marked on their cases with bug="<rule broken, minimal query>": such a
# case passes as "bug" while the engine is wrong and fails ("xpass") once it is fixed, so the
# marker goes with the fix. None are open now.


class Case:
    def __init__(self, name, kql, cols, sql=None, py=None, ordered=False, subset=None,
                 timespan=None, workspaces=None, set_cols=(), bag_cols=(), xfail=None,
                 relative=False, bug=None):
        self.name = name
        self.kql = kql.strip()
        self.cols = [tuple(p.strip() for p in c.split(":")) for c in cols.split(",")]
        self.sql = sql
        self.py = py
        self.ordered = ordered
        self.subset = subset
        self.timespan = timespan
        self.workspaces = workspaces or []
        names = [c for c, _ in self.cols]
        self.set_cols = [names.index(c) for c in set_cols]
        self.bag_cols = [names.index(c) for c in bag_cols]
        self.xfail = xfail
        self.bug = bug
        assert not (xfail and bug), name
        self.relative = relative
        assert (sql is None) != (py is None), name

    def expected(self, orc):
        return orc.sql(self.sql) if self.sql is not None else self.py(orc)


class Ctx:
    def __init__(self, ds):
        self.ds = ds
        self.base = ds.base

    def t(self, off):
        return self.base + off

    def dt(self, off):
        return ktime.kql(self.base + off)

    def edge(self, off):
        return self.base + off + 4321

    def edt(self, off):
        return ktime.kql(self.edge(off))

    def eiso(self, off):
        return ktime.iso(self.edge(off))


def cases(ctx):
    out = []

    def C(*a, **kw):
        out.append(Case(*a, **kw))

    string_ops(C)
    nulls(C)
    projection(C)
    aggregates(C, ctx)
    ordering(C)
    sources(C, ctx)
    times(C, ctx)
    functions(C, ctx)
    more_operators(C)
    names = [c.name for c in out]
    assert len(names) == len(set(names)), "duplicate case names"
    return out


# ---------------------------------------------------------------- string operators


def string_ops(C):
    def by_proc(name, kpred, spred):
        C("str/" + name,
          "Syslog_CL | where %s | summarize n = count() by ProcessName" % kpred,
          "ProcessName:string, n:long",
          "SELECT ProcessName, count(*) FROM Syslog_CL WHERE %s GROUP BY 1" % spred)

    by_proc("has", 'SyslogMessage has "failed"', "k_has(SyslogMessage, 'failed')")
    by_proc("not_has", 'SyslogMessage !has "failed"', "NOT k_has(SyslogMessage, 'failed')")
    by_proc("has_cs", 'SyslogMessage has_cs "Failed"', "k_has_cs(SyslogMessage, 'Failed')")
    by_proc("has_cs_lower", 'SyslogMessage has_cs "failed"', "k_has_cs(SyslogMessage, 'failed')")
    by_proc("not_has_cs", 'SyslogMessage !has_cs "Failed"', "NOT k_has_cs(SyslogMessage, 'Failed')")
    by_proc("hasprefix", 'SyslogMessage hasprefix "DISCONN"',
            "k_hasprefix(SyslogMessage, 'DISCONN')")
    by_proc("not_hasprefix", 'SyslogMessage !hasprefix "disconn"',
            "NOT k_hasprefix(SyslogMessage, 'disconn')")
    by_proc("hasprefix_cs", 'SyslogMessage hasprefix_cs "Disconn"',
            "k_hasprefix_cs(SyslogMessage, 'Disconn')")
    by_proc("not_hasprefix_cs", 'SyslogMessage !hasprefix_cs "Disconn"',
            "NOT k_hasprefix_cs(SyslogMessage, 'Disconn')")
    by_proc("hassuffix", 'SyslogMessage hassuffix "ESSION"', "k_hassuffix(SyslogMessage, 'ESSION')")
    by_proc("not_hassuffix", 'SyslogMessage !hassuffix "ession"',
            "NOT k_hassuffix(SyslogMessage, 'ession')")
    by_proc("hassuffix_cs", 'SyslogMessage hassuffix_cs "ession"',
            "k_hassuffix_cs(SyslogMessage, 'ession')")
    by_proc("not_hassuffix_cs", 'SyslogMessage !hassuffix_cs "ession"',
            "NOT k_hassuffix_cs(SyslogMessage, 'ession')")
    by_proc("contains", 'SyslogMessage contains "TIMED OUT"',
            "k_contains(SyslogMessage, 'TIMED OUT')")
    by_proc("not_contains", 'SyslogMessage !contains "timed out"',
            "NOT k_contains(SyslogMessage, 'timed out')")
    by_proc("contains_cs", 'SyslogMessage contains_cs "Connection"',
            "k_contains_cs(SyslogMessage, 'Connection')")
    by_proc("not_contains_cs", 'SyslogMessage !contains_cs "Connection"',
            "NOT k_contains_cs(SyslogMessage, 'Connection')")
    by_proc("startswith", 'SyslogMessage startswith "failed PASS"',
            "k_startswith(SyslogMessage, 'failed PASS')")
    by_proc("not_startswith", 'SyslogMessage !startswith "failed"',
            "NOT k_startswith(SyslogMessage, 'failed')")
    by_proc("startswith_cs", 'SyslogMessage startswith_cs "Failed"',
            "k_startswith_cs(SyslogMessage, 'Failed')")
    by_proc("not_startswith_cs", 'SyslogMessage !startswith_cs "Failed"',
            "NOT k_startswith_cs(SyslogMessage, 'Failed')")
    by_proc("endswith", 'SyslogMessage endswith "[PREAUTH]"',
            "k_endswith(SyslogMessage, '[PREAUTH]')")
    by_proc("not_endswith", 'SyslogMessage !endswith "[preauth]"',
            "NOT k_endswith(SyslogMessage, '[preauth]')")
    by_proc("endswith_cs", 'SyslogMessage endswith_cs "[preauth]"',
            "k_endswith_cs(SyslogMessage, '[preauth]')")
    by_proc("not_endswith_cs", 'SyslogMessage !endswith_cs "[PREAUTH]"',
            "NOT k_endswith_cs(SyslogMessage, '[PREAUTH]')")
    by_proc("eq", 'Computer == "web-01"', "Computer = 'web-01'")
    by_proc("ne", 'Computer != "web-01"', "Computer != 'web-01'")
    by_proc("eq_ci", 'Computer =~ "web-09"', "k_eq_ci(Computer, 'web-09')")
    by_proc("ne_ci", 'Computer !~ "WEB-01"', "NOT k_eq_ci(Computer, 'WEB-01')")
    by_proc("eq_empty", 'SyslogMessage == ""', "SyslogMessage = ''")
    by_proc("regex", r'SyslogMessage matches regex @"port \d{5} "',
            r"k_matches(SyslogMessage, 'port \d{5} ')")
    by_proc("regex_ci", r'SyslogMessage matches regex @"(?i)^error: disk /dev/sd[a-z]\d"',
            r"k_matches(SyslogMessage, '(?i)^error: disk /dev/sd[a-z]\d')")
    by_proc("regex_anchor", r'SyslogMessage matches regex "^[A-Z][a-z]+ [a-z]+ by"',
            r"k_matches(SyslogMessage, '^[A-Z][a-z]+ [a-z]+ by')")
    by_proc("has_phrase_ip", 'SyslogMessage has "10.1.2.3"', "k_has(SyslogMessage, '10.1.2.3')")
    by_proc("has_short_term", 'SyslogMessage has "rc"', "k_has(SyslogMessage, 'rc')")
    by_proc("has_any", 'SyslogMessage has_any ("accepted", "FAILED", "timeout")',
            "(k_has(SyslogMessage, 'accepted') OR k_has(SyslogMessage, 'FAILED') OR "
            "k_has(SyslogMessage, 'timeout'))")
    by_proc("has_all", 'SyslogMessage has_all ("session", "OPENED", "uid")',
            "(k_has(SyslogMessage, 'session') AND k_has(SyslogMessage, 'OPENED') AND "
            "k_has(SyslogMessage, 'uid'))")
    by_proc("in", 'ProcessName in ("sshd", "CRON", "")', "ProcessName IN ('sshd', 'CRON', '')")
    by_proc("not_in", 'ProcessName !in ("sshd", "CRON")', "ProcessName NOT IN ('sshd', 'CRON')")
    by_proc("in_ci", 'ProcessName in~ ("cron", "SSHD")',
            "(k_eq_ci(ProcessName, 'cron') OR k_eq_ci(ProcessName, 'SSHD'))")
    by_proc("not_in_ci", 'ProcessName !in~ ("cron", "SSHD")',
            "NOT (k_eq_ci(ProcessName, 'cron') OR k_eq_ci(ProcessName, 'SSHD'))")
    by_proc("and_or_precedence",
            'Facility == "auth" or Facility == "cron" and SeverityLevel == "err"',
            "(Facility = 'auth' OR (Facility = 'cron' AND SeverityLevel = 'err'))")
    by_proc("not_fn", 'not(Computer startswith "web")', "NOT k_startswith(Computer, 'web')")
    by_proc("isempty", "isempty(ProcessName)", "ProcessName = ''")
    by_proc("isnotempty", "isnotempty(SyslogMessage)", "SyslogMessage != ''")
    C("str/term_rules",
      '''Syslog_CL
| summarize Explorer = countif(SyslogMessage has "Explorer"),
            Whole = countif(SyslogMessage has "KustoExplorerQueryRun"),
            Sub = countif(SyslogMessage contains "Explorer"),
            Guid = countif(SyslogMessage has "KUSTO")''',
      "Explorer:long, Whole:long, Sub:long, Guid:long",
      "SELECT sum(k_has(SyslogMessage, 'Explorer')), sum(k_has(SyslogMessage, "
      "'KustoExplorerQueryRun')), sum(k_contains(SyslogMessage, 'Explorer')), "
      "sum(k_has(SyslogMessage, 'KUSTO')) FROM Syslog_CL")
    C("str/ascii_folding",
      '''Syslog_CL
| summarize Mueller = countif(SyslogMessage has "müller"),
            MuellerUp = countif(SyslogMessage has "MÜLLER"),
            Ueber = countif(SyslogMessage has "überlast"),
            UeberExact = countif(SyslogMessage has_cs "ÜBERLAST"),
            Quota = countif(SyslogMessage contains "ÜBER QUOTA"),
            Prefix = countif(SyslogMessage hasprefix "ÜBER")''',
      "Mueller:long, MuellerUp:long, Ueber:long, UeberExact:long, Quota:long, Prefix:long",
      "SELECT sum(k_has(SyslogMessage, 'müller')), sum(k_has(SyslogMessage, 'MÜLLER')), "
      "sum(k_has(SyslogMessage, 'überlast')), sum(k_has_cs(SyslogMessage, 'ÜBERLAST')), "
      "sum(k_contains(SyslogMessage, 'ÜBER QUOTA')), sum(k_hasprefix(SyslogMessage, 'ÜBER')) "
      "FROM Syslog_CL")
    C("str/url_ops",
      '''AppRequests_CL
| summarize Page = countif(Url contains "?page="), Https = countif(Url startswith "HTTPS://"),
            Api = countif(Url has "api"), Port = countif(Url has "8080"),
            Index = countif(Url endswith_cs "/Index"), Health = countif(Name == "GET /health")''',
      "Page:long, Https:long, Api:long, Port:long, Index:long, Health:long",
      "SELECT sum(k_contains(Url, '?page=')), sum(k_startswith(Url, 'HTTPS://')), "
      "sum(k_has(Url, 'api')), sum(k_has(Url, '8080')), sum(k_endswith_cs(Url, '/Index')), "
      "sum(Name = 'GET /health') FROM AppRequests_CL")
    C("str/has_any_let",
      '''let terms = dynamic(["sudo", "CMD", "mark"]);
Syslog_CL | where SyslogMessage has_any (terms) | summarize n = count() by Computer''',
      "Computer:string, n:long",
      "SELECT Computer, count(*) FROM Syslog_CL WHERE k_has(SyslogMessage, 'sudo') OR "
      "k_has(SyslogMessage, 'CMD') OR k_has(SyslogMessage, 'mark') GROUP BY 1")
    C("str/between_long",
      "AppRequests_CL | where ResultCode between (400 .. 499) | summarize n = count() by ResultCode",
      "ResultCode:int, n:long",
      "SELECT ResultCode, count(*) FROM AppRequests_CL WHERE ResultCode BETWEEN 400 AND 499 "
      "GROUP BY 1")
    C("str/not_between_real",
      '''AppRequests_CL | where isnotnull(DurationMs) and DurationMs !between (10.0 .. 1000.0)
| summarize n = count(), lo = min(DurationMs), hi = max(DurationMs) by Name''',
      "Name:string, n:long, lo:real, hi:real",
      "SELECT Name, count(*), min(DurationMs), max(DurationMs) FROM AppRequests_CL "
      "WHERE DurationMs NOT BETWEEN 10.0 AND 1000.0 GROUP BY 1")


# ---------------------------------------------------------------- nulls


def nulls(C):
    C("null/eq_excludes_null", "AppRequests_CL | where ResultCode == 500 | count", "Count:long",
      "SELECT count(*) FROM AppRequests_CL WHERE ResultCode = 500")
    C("null/ne_includes_null", "AppRequests_CL | where ResultCode != 200 | count", "Count:long",
      "SELECT count(*) FROM AppRequests_CL WHERE ResultCode IS NULL OR ResultCode != 200")
    C("null/gt_excludes_null", "AppRequests_CL | where DurationMs > 100 | count", "Count:long",
      "SELECT count(*) FROM AppRequests_CL WHERE DurationMs > 100")
    C("null/comparison_values",
      '''AppRequests_CL
| extend eq = ResultCode == 200, ne = ResultCode != 200, gt = ResultCode > 300
| summarize n = count() by eq, ne, gt''',
      "eq:bool, ne:bool, gt:bool, n:long",
      "SELECT coalesce(ResultCode = 200, 0), coalesce(ResultCode != 200, 1), ResultCode > 300, "
      "count(*) FROM AppRequests_CL GROUP BY 1, 2, 3")
    C("null/both_null_eq",
      '''Heartbeat_CL | extend x = CpuPct == real(null), y = CpuPct != real(null)
| summarize n = count() by x, y''',
      "x:bool, y:bool, n:long",
      "SELECT CASE WHEN CpuPct IS NULL THEN NULL ELSE 0 END, "
      "CASE WHEN CpuPct IS NULL THEN NULL ELSE 1 END, count(*) FROM Heartbeat_CL GROUP BY 1, 2")
    C("null/bool_eq_true", "Heartbeat_CL | where IsCompliant == true | count", "Count:long",
      "SELECT count(*) FROM Heartbeat_CL WHERE IsCompliant = 1")
    C("null/bool_ne_true", "Heartbeat_CL | where IsCompliant != true | count", "Count:long",
      "SELECT count(*) FROM Heartbeat_CL WHERE IsCompliant IS NULL OR IsCompliant != 1")
    C("null/bool_column_predicate", "Heartbeat_CL | where IsCompliant | count", "Count:long",
      "SELECT count(*) FROM Heartbeat_CL WHERE IsCompliant = 1")
    C("null/not_of_eq", "Heartbeat_CL | where not(IsCompliant == true) | count", "Count:long",
      "SELECT count(*) FROM Heartbeat_CL WHERE IsCompliant IS NULL OR IsCompliant = 0")
    C("null/group_by_nullable_bool",
      "Heartbeat_CL | summarize n = count() by IsCompliant", "IsCompliant:bool, n:long",
      "SELECT IsCompliant, count(*) FROM Heartbeat_CL GROUP BY 1")
    C("null/or_isnull",
      "Heartbeat_CL | where CpuPct < 50 or isnull(CpuPct) | summarize n = count() by OSType",
      "OSType:string, n:long",
      "SELECT OSType, count(*) FROM Heartbeat_CL WHERE CpuPct < 50 OR CpuPct IS NULL GROUP BY 1")
    C("null/isnull_groups",
      "AppRequests_CL | where isnull(Success) | summarize n = count() by ResultCode",
      "ResultCode:int, n:long",
      "SELECT ResultCode, count(*) FROM AppRequests_CL WHERE Success IS NULL GROUP BY 1")
    C("null/isnotnull_and",
      "Heartbeat_CL | where isnotnull(MemoryMB) and MemoryMB >= 4096 | summarize n = count() by MemoryMB",
      "MemoryMB:long, n:long",
      "SELECT MemoryMB, count(*) FROM Heartbeat_CL WHERE MemoryMB >= 4096 GROUP BY 1")
    C("null/bool_false",
      "AppRequests_CL | where Success == false | summarize n = count() by ResultCode",
      "ResultCode:int, n:long",
      "SELECT ResultCode, count(*) FROM AppRequests_CL WHERE Success = 0 GROUP BY 1")
    C("null/aggregates_skip_nulls",
      '''Heartbeat_CL
| summarize rows = count(), cpu_avg = avg(CpuPct), cpu_sum = sum(CpuPct), mem_max = max(MemoryMB),
            mem_min = min(MemoryMB), nn = dcount(MemoryMB) by OSType''',
      "OSType:string, rows:long, cpu_avg:real, cpu_sum:real, mem_max:long, mem_min:long, nn:long",
      "SELECT OSType, count(*), avg(CpuPct), sum(CpuPct), max(MemoryMB), min(MemoryMB), "
      "count(DISTINCT MemoryMB) FROM Heartbeat_CL GROUP BY 1")
    C("null/int_ne_list_excludes",
      "AppRequests_CL | where isnotnull(ResultCode) and ResultCode !in (200, 201) | summarize n = count() by ResultCode",
      "ResultCode:int, n:long",
      "SELECT ResultCode, count(*) FROM AppRequests_CL WHERE ResultCode NOT IN (200, 201) "
      "GROUP BY 1")


# ---------------------------------------------------------------- project / extend


def projection(C):
    C("proj/project_rows",
      '''AppRequests_CL | where ResultCode == 503 and ItemCount == 1000
| project RecordId, Name, ResultCode, Success, ItemCount''',
      "RecordId:long, Name:string, ResultCode:int, Success:bool, ItemCount:long",
      "SELECT RecordId, Name, ResultCode, Success, ItemCount FROM AppRequests_CL "
      "WHERE ResultCode = 503 AND ItemCount = 1000")
    C("proj/extend_long_arith",
      '''AppRequests_CL | where isnotnull(ItemCount)
| extend x = ItemCount * 2 + 1, y = (ItemCount - 500) / 7, z = (ItemCount - 500) % 7
| summarize n = count() by ItemCount, x, y, z''',
      "ItemCount:long, x:long, y:long, z:long, n:long",
      "SELECT ItemCount, ItemCount * 2 + 1, k_idiv(ItemCount - 500, 7), k_mod(ItemCount - 500, 7), "
      "count(*) FROM AppRequests_CL WHERE ItemCount IS NOT NULL GROUP BY 1, 2, 3, 4")
    C("proj/modulo_signs",
      "print pp = 14 % 12, mp = -14 % 12, pm = 14 % -12, mm = -14 % -12",
      "pp:long, mp:long, pm:long, mm:long",
      "SELECT k_mod(14, 12), k_mod(-14, 12), k_mod(14, -12), k_mod(-14, -12)",
      ordered=True)
    C("proj/extend_real_arith",
      '''AppRequests_CL | where DurationMs between (100.0 .. 101.0)
| extend half = DurationMs / 2, ms = DurationMs * 1000, r = ItemCount / 4.0
| project RecordId, DurationMs, half, ms, r''',
      "RecordId:long, DurationMs:real, half:real, ms:real, r:real",
      "SELECT RecordId, DurationMs, DurationMs / 2.0, DurationMs * 1000, ItemCount / 4.0 "
      "FROM AppRequests_CL WHERE DurationMs BETWEEN 100.0 AND 101.0")
    C("proj/int_promotes",
      '''AppRequests_CL | where isnotnull(ResultCode)
| extend cls = ResultCode / 100 | summarize n = count() by cls''',
      "cls:long, n:long",
      "SELECT ResultCode / 100, count(*) FROM AppRequests_CL WHERE ResultCode IS NOT NULL "
      "GROUP BY 1")
    C("proj/project_away",
      '''Syslog_CL | where Computer == "mail-01" and ProcessName == "sudo"
| project RecordId, Computer, ProcessName, Facility, SeverityLevel
| project-away Facility, ProcessName''',
      "RecordId:long, Computer:string, SeverityLevel:string",
      "SELECT RecordId, Computer, SeverityLevel FROM Syslog_CL WHERE Computer = 'mail-01' "
      "AND ProcessName = 'sudo'")
    C("proj/project_rename",
      '''Syslog_CL | where Computer == "cache-02" and ProcessName == "kernel"
| project RecordId, Computer, Facility
| project-rename Host = Computer, Id = RecordId''',
      "Id:long, Host:string, Facility:string",
      "SELECT RecordId, Computer, Facility FROM Syslog_CL WHERE Computer = 'cache-02' "
      "AND ProcessName = 'kernel'")
    C("proj/project_expressions",
      '''Syslog_CL | where ProcessName == "sudo"
| project Host = Computer, Len = strlen(SyslogMessage), Sev = SeverityLevel
| summarize n = count() by Host, Len, Sev''',
      "Host:string, Len:long, Sev:string, n:long",
      "SELECT Computer, length(SyslogMessage), SeverityLevel, count(*) FROM Syslog_CL "
      "WHERE ProcessName = 'sudo' GROUP BY 1, 2, 3")
    C("proj/extend_replaces_column",
      '''Syslog_CL | project Computer, ProcessName
| extend Computer = toupper(Computer) | summarize n = count() by Computer, ProcessName''',
      "Computer:string, ProcessName:string, n:long",
      "SELECT upper(Computer), ProcessName, count(*) FROM Syslog_CL GROUP BY 1, 2")
    C("proj/bracket_names",
      '''Heartbeat_CL | project ['Host Name'] = Computer, ['os-type'] = OSType
| summarize ['Row Count'] = count() by ['Host Name'], ['os-type']''',
      "Host Name:string, os-type:string, Row Count:long",
      "SELECT Computer, OSType, count(*) FROM Heartbeat_CL GROUP BY 1, 2")
    C("proj/extend_chain",
      '''AppRequests_CL | where isnotnull(ItemCount) and ItemCount < 100
| extend a = ItemCount + 1 | extend b = a * a | extend c = b - ItemCount
| summarize n = count() by ItemCount, a, b, c''',
      "ItemCount:long, a:long, b:long, c:long, n:long",
      "SELECT ItemCount, ItemCount + 1, (ItemCount + 1) * (ItemCount + 1), "
      "(ItemCount + 1) * (ItemCount + 1) - ItemCount, count(*) FROM AppRequests_CL "
      "WHERE ItemCount < 100 GROUP BY 1, 2, 3, 4")
    C("proj/where_after_extend",
      '''AppRequests_CL | extend slow = DurationMs > 500 | where slow
| summarize n = count() by Name''',
      "Name:string, n:long",
      "SELECT Name, count(*) FROM AppRequests_CL WHERE DurationMs > 500 GROUP BY 1")


# ---------------------------------------------------------------- summarize


def _argext(orc, sql, key_idx, arg_idx, want_max):
    """arg_max/arg_min from the rows of `sql` (key, arg, returned...): the row
    with the extreme non-null arg per key; a tie whose returned values differ
    is a premise error."""
    best = {}
    for r in orc.sql(sql):
        k, v = r[key_idx], r[arg_idx]
        if v is None:
            continue
        cur = best.get(k)
        if cur is None or (v > cur[0][arg_idx] if want_max else v < cur[0][arg_idx]):
            best[k] = [r]
        elif v == cur[0][arg_idx]:
            cur.append(r)
    out = []
    for k, rs in best.items():
        if len(set(rs)) > 1:
            raise oracle.PremiseError("arg tie for %r: %r" % (k, rs[:2]))
        out.append(rs[0])
    return out


def _percentiles(orc, sql, ps):
    """Rows (key, value) -> (key, percentile p for p in ps), nearest rank."""
    groups = {}
    for k, v in orc.sql(sql):
        groups.setdefault(k, []).append(v)
    return [(k,) + tuple(oracle.percentile_nearest_rank(vs, p) for p in ps)
            for k, vs in groups.items()]


def aggregates(C, ctx):
    C("agg/count_by", "Syslog_CL | summarize count() by Computer", "Computer:string, count_:long",
      "SELECT Computer, count(*) FROM Syslog_CL GROUP BY 1")
    C("agg/count_by_bin_1h", "Syslog_CL | summarize count() by bin(TimeGenerated, 1h)",
      "TimeGenerated:datetime, count_:long",
      "SELECT k_bin(TimeGenerated, %d), count(*) FROM Syslog_CL GROUP BY 1" % HOUR)
    C("agg/count_by_bin_1d_and_key",
      "Syslog_CL | summarize n = count() by bin(TimeGenerated, 1d), Computer",
      "TimeGenerated:datetime, Computer:string, n:long",
      "SELECT k_bin(TimeGenerated, %d), Computer, count(*) FROM Syslog_CL GROUP BY 1, 2" % DAY)
    C("agg/count_by_bin_15m_window",
      '''AppRequests_CL | where TimeGenerated between (%s .. %s)
| summarize count() by bin(TimeGenerated, 15m)''' % (ctx.edt(-4 * DAY), ctx.edt(-4 * DAY + 6 * HOUR)),
      "TimeGenerated:datetime, count_:long",
      "SELECT k_bin(TimeGenerated, %d), count(*) FROM AppRequests_CL WHERE TimeGenerated "
      "BETWEEN %d AND %d GROUP BY 1" % (15 * MIN, ctx.edge(-4 * DAY),
                                        ctx.edge(-4 * DAY + 6 * HOUR)))
    C("agg/bin_long_10", "AppRequests_CL | summarize count() by bin(ItemCount, 10)",
      "ItemCount:long, count_:long",
      "SELECT k_bin(ItemCount, 10), count(*) FROM AppRequests_CL GROUP BY 1")
    C("agg/bin_negative_long",
      "AppRequests_CL | summarize n = count() by b = bin(ItemCount - 25, 10)",
      "b:long, n:long",
      "SELECT k_bin(ItemCount - 25, 10), count(*) FROM AppRequests_CL GROUP BY 1")
    C("agg/bin_real", "AppRequests_CL | summarize count() by bin(DurationMs, 250.0)",
      "DurationMs:real, count_:long",
      "SELECT k_bin(DurationMs, 250.0), count(*) FROM AppRequests_CL GROUP BY 1")
    C("agg/generated_names",
      '''AppRequests_CL
| summarize count(), sum(ItemCount), avg(DurationMs), min(DurationMs), max(DurationMs),
            dcount(ResultCode) by Name''',
      "Name:string, count_:long, sum_ItemCount:long, avg_DurationMs:real, min_DurationMs:real, "
      "max_DurationMs:real, dcount_ResultCode:long",
      "SELECT Name, count(*), sum(ItemCount), avg(DurationMs), min(DurationMs), max(DurationMs), "
      "count(DISTINCT ResultCode) FROM AppRequests_CL GROUP BY 1")
    C("agg/generated_names_if",
      '''AppRequests_CL
| summarize countif(Success == false), sumif(ItemCount, Success == true),
            avgif(DurationMs, ResultCode == 200), minif(DurationMs, Success == false),
            maxif(DurationMs, Success == false), dcountif(ResultCode, DurationMs > 100) by Name''',
      "Name:string, countif_:long, sumif_ItemCount:long, avgif_DurationMs:real, "
      "minif_DurationMs:real, maxif_DurationMs:real, dcountif_ResultCode:long",
      "SELECT Name, count(CASE WHEN Success = 0 THEN 1 END), sum(CASE WHEN Success = 1 THEN ItemCount END), "
      "avg(CASE WHEN ResultCode = 200 THEN DurationMs END), "
      "min(CASE WHEN Success = 0 THEN DurationMs END), "
      "max(CASE WHEN Success = 0 THEN DurationMs END), "
      "count(DISTINCT CASE WHEN DurationMs > 100 THEN ResultCode END) "
      "FROM AppRequests_CL GROUP BY 1")
    C("agg/dcount_dcountif",
      '''Heartbeat_CL
| summarize Hosts = dcount(Computer), Bad = dcountif(Computer, IsCompliant == false),
            Versions = dcount(Version) by OSType''',
      "OSType:string, Hosts:long, Bad:long, Versions:long",
      "SELECT OSType, count(DISTINCT Computer), count(DISTINCT CASE WHEN IsCompliant = 0 "
      "THEN Computer END), count(DISTINCT Version) FROM Heartbeat_CL GROUP BY 1")
    C("agg/count_distinct",
      "Syslog_CL | summarize count_distinct(SeverityLevel) by Facility",
      "Facility:string, count_distinct_SeverityLevel:long",
      "SELECT Facility, count(DISTINCT SeverityLevel) FROM Syslog_CL GROUP BY 1")
    C("agg/sum_real_avg_int",
      "AppRequests_CL | summarize sum(DurationMs), avg(ResultCode), avg(ItemCount) by Name",
      "Name:string, sum_DurationMs:real, avg_ResultCode:real, avg_ItemCount:real",
      "SELECT Name, sum(DurationMs), avg(ResultCode), avg(ItemCount) FROM AppRequests_CL "
      "GROUP BY 1")
    C("agg/sum_large_long",
      "AppRequests_CL | where ItemCount > 1000 | summarize s = sum(ItemCount), n = count()",
      "s:long, n:long",
      "SELECT sum(ItemCount), count(*) FROM AppRequests_CL WHERE ItemCount > 1000")
    C("agg/min_max_datetime",
      "Syslog_CL | summarize First = min(TimeGenerated), Last = max(TimeGenerated) by Computer",
      "Computer:string, First:datetime, Last:datetime",
      "SELECT Computer, min(TimeGenerated), max(TimeGenerated) FROM Syslog_CL GROUP BY 1")
    C("agg/max_string", "Syslog_CL | summarize max(ProcessName) by Computer",
      "Computer:string, max_ProcessName:string",
      "SELECT Computer, max(ProcessName) FROM Syslog_CL GROUP BY 1")
    C("agg/no_keys", "Heartbeat_CL | summarize count(), dcount(Computer), avg(CpuPct)",
      "count_:long, dcount_Computer:long, avg_CpuPct:real",
      "SELECT count(*), count(DISTINCT Computer), avg(CpuPct) FROM Heartbeat_CL")
    C("agg/empty_input_no_keys",
      'Syslog_CL | where Computer == "no-such-host" | summarize count()', "count_:long",
      "SELECT count(*) FROM Syslog_CL WHERE Computer = 'no-such-host'")
    C("agg/empty_input_with_keys",
      'Syslog_CL | where Computer == "no-such-host" | summarize count() by ProcessName',
      "ProcessName:string, count_:long",
      "SELECT ProcessName, count(*) FROM Syslog_CL WHERE Computer = 'no-such-host' GROUP BY 1")
    C("agg/by_only", "Heartbeat_CL | summarize by Computer, OSType, Category",
      "Computer:string, OSType:string, Category:string",
      "SELECT DISTINCT Computer, OSType, Category FROM Heartbeat_CL")
    C("agg/by_named_expression",
      "Syslog_CL | summarize n = count() by Hour = hourofday(TimeGenerated), Facility",
      "Hour:int, Facility:string, n:long",
      "SELECT k_hourofday(TimeGenerated), Facility, count(*) FROM Syslog_CL GROUP BY 1, 2")
    C("agg/by_dynamic_path",
      "AppRequests_CL | summarize n = count() by Region = tostring(Properties.region)",
      "Region:string, n:long",
      "SELECT coalesce(json_extract(Properties, '$.region'), ''), count(*) FROM AppRequests_CL "
      "GROUP BY 1")
    C("agg/rate_per_hour",
      '''AppRequests_CL
| summarize Total = count(), Failed = countif(Success == false) by bin(TimeGenerated, 1h)
| extend Rate = todouble(Failed) / Total''',
      "TimeGenerated:datetime, Total:long, Failed:long, Rate:real",
      "SELECT k_bin(TimeGenerated, %d), count(*), count(CASE WHEN Success = 0 THEN 1 END), "
      "CAST(count(CASE WHEN Success = 0 THEN 1 END) AS REAL) / count(*) FROM AppRequests_CL "
      "GROUP BY 1" % HOUR)
    C("agg/summarize_twice",
      '''Syslog_CL | summarize n = count() by Computer, ProcessName
| summarize Procs = count(), Rows = sum(n), Biggest = max(n) by Computer''',
      "Computer:string, Procs:long, Rows:long, Biggest:long",
      "SELECT Computer, count(*), sum(n), max(n) FROM (SELECT Computer, ProcessName, "
      "count(*) AS n FROM Syslog_CL GROUP BY 1, 2) GROUP BY 1")
    C("agg/arg_max_columns",
      "Syslog_CL | summarize arg_max(RecordId, Computer, ProcessName) by Facility",
      "Facility:string, RecordId:long, Computer:string, ProcessName:string",
      py=lambda o: _argext(o, "SELECT Facility, RecordId, Computer, ProcessName FROM Syslog_CL",
                           0, 1, True))
    C("agg/arg_min_star",
      '''Syslog_CL | where ProcessName == "sshd" | summarize arg_min(RecordId, *) by Computer
| project Computer, RecordId, Facility, SeverityLevel, SyslogMessage''',
      "Computer:string, RecordId:long, Facility:string, SeverityLevel:string, SyslogMessage:string",
      py=lambda o: _argext(o, "SELECT Computer, RecordId, Facility, SeverityLevel, SyslogMessage "
                              "FROM Syslog_CL WHERE ProcessName = 'sshd'", 0, 1, False))
    C("agg/arg_max_time_star",
      '''Heartbeat_CL | summarize arg_max(TimeGenerated, *) by Computer
| project Computer, TimeGenerated, Version, OSType''',
      "Computer:string, TimeGenerated:datetime, Version:string, OSType:string",
      py=lambda o: [r[:4] for r in _argext(
          o, "SELECT Computer, TimeGenerated, Version, OSType, Category, CpuPct, MemoryMB, "
             "IsCompliant FROM Heartbeat_CL", 0, 1, True)])
    C("agg/arg_max_real",
      "AppRequests_CL | where ResultCode == 500 | summarize arg_max(DurationMs, RecordId) by Name",
      "Name:string, DurationMs:real, RecordId:long",
      py=lambda o: _argext(o, "SELECT Name, DurationMs, RecordId FROM AppRequests_CL "
                              "WHERE ResultCode = 500", 0, 1, True))
    C("agg/make_set",
      "Syslog_CL | where isnotempty(ProcessName) | summarize Procs = make_set(ProcessName) by Computer",
      "Computer:string, Procs:dynamic",
      "SELECT Computer, json_group_array(DISTINCT ProcessName) FROM Syslog_CL "
      "WHERE ProcessName != '' GROUP BY 1",
      set_cols=["Procs"])
    C("agg/make_set_default_name",
      "Heartbeat_CL | summarize make_set(Version) by OSType",
      "OSType:string, set_Version:dynamic",
      "SELECT OSType, json_group_array(DISTINCT Version) FROM Heartbeat_CL GROUP BY 1",
      set_cols=["set_Version"])
    C("agg/make_list",
      '''AppRequests_CL | where TimeGenerated between (%s .. %s)
| summarize Codes = make_list(ResultCode), Names = make_list(Name) by bin(TimeGenerated, 1h)''' % (
          ctx.edt(-6 * DAY), ctx.edt(-6 * DAY + 3 * HOUR)),
      "TimeGenerated:datetime, Codes:dynamic, Names:dynamic",
      "SELECT k_bin(TimeGenerated, %d), json_group_array(ResultCode) FILTER (WHERE ResultCode "
      "IS NOT NULL), json_group_array(Name) FROM AppRequests_CL WHERE TimeGenerated BETWEEN "
      "%d AND %d GROUP BY 1" % (HOUR, ctx.edge(-6 * DAY), ctx.edge(-6 * DAY + 3 * HOUR)),
      bag_cols=["Codes", "Names"])
    C("agg/make_set_if_list_if",
      '''Heartbeat_CL
| summarize Bad = make_set_if(Computer, IsCompliant == false),
            Cpus = make_set_if(CpuPct, CpuPct > 90) by OSType''',
      "OSType:string, Bad:dynamic, Cpus:dynamic",
      "SELECT OSType, json_group_array(DISTINCT Computer) FILTER (WHERE IsCompliant = 0), "
      "json_group_array(DISTINCT CpuPct) FILTER (WHERE CpuPct > 90) FROM Heartbeat_CL GROUP BY 1",
      set_cols=["Bad", "Cpus"])
    C("agg/make_list_if",
      '''AppRequests_CL | where ItemCount > 1000
| summarize Ids = make_list_if(RecordId, ResultCode == 200), All = make_list(ItemCount) by Name''',
      "Name:string, Ids:dynamic, All:dynamic",
      "SELECT Name, json_group_array(RecordId) FILTER (WHERE ResultCode = 200), "
      "json_group_array(ItemCount) FROM AppRequests_CL WHERE ItemCount > 1000 GROUP BY 1",
      bag_cols=["Ids", "All"])
    C("agg/take_any_dependent",
      "Heartbeat_CL | summarize take_any(OSType), take_any(Category) by Computer",
      "Computer:string, OSType:string, Category:string",
      "SELECT Computer, min(OSType), min(Category) FROM Heartbeat_CL GROUP BY 1")
    C("agg/any_deprecated_prefix",
      "Heartbeat_CL | summarize any(OSType) by Computer",
      "Computer:string, any_OSType:string",
      "SELECT Computer, min(OSType) FROM Heartbeat_CL GROUP BY 1")
    C("agg/percentile_int",
      "AppRequests_CL | summarize percentile(ResultCode, 50) by Name",
      "Name:string, percentile_ResultCode_50:long",
      py=lambda o: _percentiles(o, "SELECT Name, ResultCode FROM AppRequests_CL", [50]))
    C("agg/percentiles_long",
      "AppRequests_CL | summarize percentiles(ItemCount, 32, 65) by Name",
      "Name:string, percentile_ItemCount_32:long, percentile_ItemCount_65:long",
      py=lambda o: _percentiles(o, "SELECT Name, ItemCount FROM AppRequests_CL", [32, 65]))
    C("agg/percentile_real",
      "Heartbeat_CL | summarize percentile(CpuPct, 35) by OSType",
      "OSType:string, percentile_CpuPct_35:real",
      py=lambda o: _percentiles(o, "SELECT OSType, CpuPct FROM Heartbeat_CL", [35]))
    C("agg/percentile_named",
      "Heartbeat_CL | summarize p = percentile(MemoryMB, 50), n = count() by Category",
      "Category:string, p:long, n:long",
      py=lambda o: [(k, p, n) for (k, p), (k2, n) in zip(
          sorted(_percentiles(o, "SELECT Category, MemoryMB FROM Heartbeat_CL", [50])),
          sorted(o.sql("SELECT Category, count(*) FROM Heartbeat_CL GROUP BY 1")))])


# ---------------------------------------------------------------- sort / top / take / distinct


def _top(orc, sql, n, key_idx, desc=True, nulls_first=None):
    """The first n rows of `sql` by one key (nulls last when descending, first
    when ascending); the n-th and (n+1)-th keys must differ and the first n
    keys must be distinct, or the order would not be defined."""
    rows = orc.sql(sql)
    nonnull = sorted((r for r in rows if r[key_idx] is not None), key=lambda r: r[key_idx],
                     reverse=desc)
    nulls = [r for r in rows if r[key_idx] is None]
    if nulls_first is None:
        nulls_first = not desc
    ordered = nulls + nonnull if nulls_first else nonnull + nulls
    keys = [r[key_idx] for r in ordered[:n + 1]]
    if len(set(keys[:n])) < min(n, len(keys)) or (len(keys) > n and keys[n] == keys[n - 1]):
        raise oracle.PremiseError("top %d keys are not distinct: %r" % (n, keys))
    return ordered[:n]


def ordering(C):
    C("sort/two_keys",
      "Syslog_CL | summarize n = count() by Computer | sort by n desc, Computer asc",
      "Computer:string, n:long",
      "SELECT Computer, count(*) AS n FROM Syslog_CL GROUP BY 1 ORDER BY n DESC, Computer ASC",
      ordered=True)
    C("sort/asc_nulls_first_default",
      "AppRequests_CL | summarize n = count() by ResultCode | sort by ResultCode asc",
      "ResultCode:int, n:long",
      "SELECT ResultCode, count(*) FROM AppRequests_CL GROUP BY 1 ORDER BY 1 ASC NULLS FIRST",
      ordered=True)
    C("sort/desc_nulls_last_default",
      "AppRequests_CL | summarize n = count() by ResultCode | sort by ResultCode desc",
      "ResultCode:int, n:long",
      "SELECT ResultCode, count(*) FROM AppRequests_CL GROUP BY 1 ORDER BY 1 DESC NULLS LAST",
      ordered=True)
    C("sort/default_is_desc",
      "AppRequests_CL | summarize n = count() by ResultCode | sort by ResultCode",
      "ResultCode:int, n:long",
      "SELECT ResultCode, count(*) FROM AppRequests_CL GROUP BY 1 ORDER BY 1 DESC NULLS LAST",
      ordered=True)
    C("sort/asc_nulls_last",
      "AppRequests_CL | summarize n = count() by ResultCode | sort by ResultCode asc nulls last",
      "ResultCode:int, n:long",
      "SELECT ResultCode, count(*) FROM AppRequests_CL GROUP BY 1 ORDER BY 1 ASC NULLS LAST",
      ordered=True)
    C("sort/desc_nulls_first",
      "AppRequests_CL | summarize n = count() by ResultCode | order by ResultCode desc nulls first",
      "ResultCode:int, n:long",
      "SELECT ResultCode, count(*) FROM AppRequests_CL GROUP BY 1 ORDER BY 1 DESC NULLS FIRST",
      ordered=True)
    C("sort/bool_and_string",
      "Heartbeat_CL | summarize n = count() by OSType, IsCompliant | order by OSType asc, IsCompliant desc",
      "OSType:string, IsCompliant:bool, n:long",
      "SELECT OSType, IsCompliant, count(*) FROM Heartbeat_CL GROUP BY 1, 2 "
      "ORDER BY 1 ASC, 2 DESC NULLS LAST", ordered=True)
    C("sort/bool_asc",
      "Heartbeat_CL | summarize n = count() by IsCompliant | sort by IsCompliant asc",
      "IsCompliant:bool, n:long",
      "SELECT IsCompliant, count(*) FROM Heartbeat_CL GROUP BY 1 ORDER BY 1 ASC NULLS FIRST",
      ordered=True)
    C("sort/ordinal_strings",
      "Syslog_CL | distinct Computer | sort by Computer asc",
      "Computer:string",
      "SELECT DISTINCT Computer FROM Syslog_CL ORDER BY 1", ordered=True)
    C("sort/then_take",
      '''Syslog_CL | sort by TimeGenerated desc, RecordId desc | take 7
| project TimeGenerated, RecordId, Computer''',
      "TimeGenerated:datetime, RecordId:long, Computer:string",
      "SELECT TimeGenerated, RecordId, Computer FROM Syslog_CL ORDER BY 1 DESC, 2 DESC LIMIT 7",
      ordered=True)
    C("sort/real_nulls_first_tiebreak",
      '''AppRequests_CL | where Name == "GET /health"
| sort by DurationMs desc nulls first, RecordId asc | take 40 | project RecordId, DurationMs''',
      "RecordId:long, DurationMs:real",
      "SELECT RecordId, DurationMs FROM AppRequests_CL WHERE Name = 'GET /health' "
      "ORDER BY DurationMs DESC NULLS FIRST, RecordId ASC LIMIT 40", ordered=True)
    C("sort/bins_first_hours",
      '''Syslog_CL | summarize n = count() by bin(TimeGenerated, 1h) | sort by TimeGenerated asc
| take 5''',
      "TimeGenerated:datetime, n:long",
      "SELECT k_bin(TimeGenerated, %d), count(*) FROM Syslog_CL GROUP BY 1 ORDER BY 1 LIMIT 5"
      % HOUR, ordered=True)
    C("top/real_desc_default",
      "AppRequests_CL | top 10 by DurationMs | project RecordId, DurationMs",
      "RecordId:long, DurationMs:real",
      py=lambda o: [(r[0], r[1]) for r in _top(
          o, "SELECT RecordId, DurationMs FROM AppRequests_CL", 10, 1)], ordered=True)
    C("top/asc",
      "Syslog_CL | top 5 by RecordId asc | project RecordId, Computer, ProcessName",
      "RecordId:long, Computer:string, ProcessName:string",
      py=lambda o: _top(o, "SELECT RecordId, Computer, ProcessName FROM Syslog_CL", 5, 0,
                        desc=False), ordered=True)
    C("top/after_summarize",
      "AppRequests_CL | summarize Total = sum(ItemCount) by ClientIP | top 5 by Total",
      "ClientIP:string, Total:long",
      py=lambda o: _top(o, "SELECT ClientIP, sum(ItemCount) FROM AppRequests_CL GROUP BY 1", 5,
                        1), ordered=True)
    C("top/nulls_last_asc",
      '''AppRequests_CL | extend k = iff(ResultCode == 503, RecordId, long(null))
| top 5 by k asc nulls last | project RecordId, k''',
      "RecordId:long, k:long",
      py=lambda o: _top(o, "SELECT RecordId, CASE WHEN ResultCode = 503 THEN RecordId END "
                           "FROM AppRequests_CL", 5, 1, desc=False, nulls_first=False),
      ordered=True)
    C("take/subset",
      'Syslog_CL | where ProcessName == "sudo" | take 10 | project RecordId, Computer',
      "RecordId:long, Computer:string",
      "SELECT RecordId, Computer FROM Syslog_CL WHERE ProcessName = 'sudo'", subset=10)
    C("take/limit_subset",
      "AppRequests_CL | where ResultCode == 404 | limit 25 | project RecordId, ResultCode",
      "RecordId:long, ResultCode:int",
      "SELECT RecordId, ResultCode FROM AppRequests_CL WHERE ResultCode = 404", subset=25)
    C("take/more_than_available",
      '''Syslog_CL | where Computer == "build-agent-7" and ProcessName == "sudo" | take 100000
| project RecordId''',
      "RecordId:long",
      "SELECT RecordId FROM Syslog_CL WHERE Computer = 'build-agent-7' AND ProcessName = 'sudo'")
    C("take/zero", "Heartbeat_CL | take 0 | project Computer", "Computer:string",
      "SELECT Computer FROM Heartbeat_CL LIMIT 0")
    C("distinct/one", "Syslog_CL | distinct ProcessName", "ProcessName:string",
      "SELECT DISTINCT ProcessName FROM Syslog_CL")
    C("distinct/two", "Heartbeat_CL | distinct Computer, OSType", "Computer:string, OSType:string",
      "SELECT DISTINCT Computer, OSType FROM Heartbeat_CL")
    C("distinct/nullable", "Heartbeat_CL | distinct OSType, IsCompliant",
      "OSType:string, IsCompliant:bool",
      "SELECT DISTINCT OSType, IsCompliant FROM Heartbeat_CL")
    C("distinct/star_after_project",
      "Heartbeat_CL | project Computer, Version | distinct *",
      "Computer:string, Version:string",
      "SELECT DISTINCT Computer, Version FROM Heartbeat_CL")
    C("distinct/then_count", "Syslog_CL | distinct Computer, ProcessName | count", "Count:long",
      "SELECT count(*) FROM (SELECT DISTINCT Computer, ProcessName FROM Syslog_CL)")
    C("count/table", "Syslog_CL | count", "Count:long", "SELECT count(*) FROM Syslog_CL")
    C("count/filtered", "AppRequests_CL | where Success | count", "Count:long",
      "SELECT count(*) FROM AppRequests_CL WHERE Success = 1")


# ---------------------------------------------------------------- union / let / workspaces


def sources(C, ctx):
    C("union/two_tables", "union Syslog_CL, Heartbeat_CL | summarize n = count() by Computer",
      "Computer:string, n:long",
      "SELECT Computer, count(*) FROM (SELECT Computer FROM Syslog_CL UNION ALL "
      "SELECT Computer FROM Heartbeat_CL) GROUP BY 1")
    C("union/withsource",
      "union withsource=SourceTable Syslog_CL, AppRequests_CL | summarize n = count() by SourceTable",
      "SourceTable:string, n:long",
      "SELECT 'Syslog_CL', count(*) FROM Syslog_CL UNION ALL "
      "SELECT 'AppRequests_CL', count(*) FROM AppRequests_CL")
    C("union/wildcards",
      "union withsource=T Sys*, Heart* | summarize n = count() by T",
      "T:string, n:long",
      "SELECT 'Syslog_CL', count(*) FROM Syslog_CL UNION ALL "
      "SELECT 'Heartbeat_CL', count(*) FROM Heartbeat_CL")
    C("union/star_count", "union * | count", "Count:long",
      "SELECT (SELECT count(*) FROM Syslog_CL) + (SELECT count(*) FROM AppRequests_CL) + "
      "(SELECT count(*) FROM Heartbeat_CL)")
    C("union/star_withsource", "union withsource=T * | summarize n = count() by T",
      "T:string, n:long",
      "SELECT 'Syslog_CL', count(*) FROM Syslog_CL UNION ALL "
      "SELECT 'AppRequests_CL', count(*) FROM AppRequests_CL UNION ALL "
      "SELECT 'Heartbeat_CL', count(*) FROM Heartbeat_CL")
    C("union/piped", "Syslog_CL | union Heartbeat_CL | count", "Count:long",
      "SELECT (SELECT count(*) FROM Syslog_CL) + (SELECT count(*) FROM Heartbeat_CL)")
    C("union/subqueries",
      '''union (Syslog_CL | where ProcessName == "sudo" | project Computer),
      (Heartbeat_CL | where OSType == "Windows" | project Computer)
| summarize n = count() by Computer''',
      "Computer:string, n:long",
      "SELECT Computer, count(*) FROM (SELECT Computer FROM Syslog_CL WHERE ProcessName = "
      "'sudo' UNION ALL SELECT Computer FROM Heartbeat_CL WHERE OSType = 'Windows') GROUP BY 1")
    C("union/type_suffixes",
      '''union Heartbeat_CL, AppRequests_CL
| summarize n = count() by Version_string, Version_int''',
      "Version_string:string, Version_int:int, n:long",
      "SELECT Version, NULL, count(*) FROM Heartbeat_CL GROUP BY 1 UNION ALL "
      "SELECT '', Version, count(*) FROM AppRequests_CL GROUP BY 2")
    C("union/projected_legs_columns",
      '''union (Syslog_CL | summarize Rows = count() by Computer | extend Source = "syslog"),
      (Heartbeat_CL | summarize Rows = count() by Computer | extend Source = "heartbeat")
| where Rows > 0 | project Source, Computer, Rows''',
      "Source:string, Computer:string, Rows:long",
      "SELECT 'syslog', Computer, count(*) FROM Syslog_CL GROUP BY 2 UNION ALL "
      "SELECT 'heartbeat', Computer, count(*) FROM Heartbeat_CL GROUP BY 2")
    C("ws/workspace_function",
      'workspace("diff-b").Syslog_CL | summarize n = count() by Computer',
      "Computer:string, n:long",
      "SELECT Computer, count(*) FROM b.Syslog_CL GROUP BY 1")
    C("ws/workspace_by_id",
      'workspace("{ws:diff-b}").Heartbeat_CL | summarize n = count() by OSType',
      "OSType:string, n:long",
      "SELECT OSType, count(*) FROM b.Heartbeat_CL GROUP BY 1")
    C("ws/only_in_other",
      'workspace("diff-b").Audit_CL | summarize n = count() by Action, Result',
      "Action:string, Result:string, n:long",
      "SELECT Action, Result, count(*) FROM b.Audit_CL GROUP BY 1, 2")
    C("ws/union_both",
      'union Syslog_CL, workspace("diff-b").Syslog_CL | summarize n = count() by Computer',
      "Computer:string, n:long",
      "SELECT Computer, count(*) FROM (SELECT Computer FROM Syslog_CL UNION ALL "
      "SELECT Computer FROM b.Syslog_CL) GROUP BY 1")
    C("ws/union_both_filtered",
      '''union (Heartbeat_CL | where OSType == "Linux"),
      (workspace("diff-b").Heartbeat_CL | where OSType == "Linux")
| summarize n = count(), mem = sum(MemoryMB) by Version''',
      "Version:string, n:long, mem:long",
      "SELECT Version, count(*), sum(MemoryMB) FROM (SELECT * FROM Heartbeat_CL WHERE OSType = "
      "'Linux' UNION ALL SELECT * FROM b.Heartbeat_CL WHERE OSType = 'Linux') GROUP BY 1")
    C("ws/api_workspaces_list",
      "Heartbeat_CL | summarize n = count() by Computer",
      "Computer:string, n:long",
      "SELECT Computer, count(*) FROM (SELECT Computer FROM Heartbeat_CL UNION ALL "
      "SELECT Computer FROM b.Heartbeat_CL) GROUP BY 1", workspaces=["diff-b"])
    C("ws/api_workspaces_count",
      "Syslog_CL | where ProcessName == \"sshd\" | count", "Count:long",
      "SELECT (SELECT count(*) FROM Syslog_CL WHERE ProcessName = 'sshd') + "
      "(SELECT count(*) FROM b.Syslog_CL WHERE ProcessName = 'sshd')", workspaces=["diff-b"])
    C("let/scalar", "let threshold = 500.0;\nAppRequests_CL | where DurationMs > threshold | count",
      "Count:long", "SELECT count(*) FROM AppRequests_CL WHERE DurationMs > 500.0")
    C("let/tabular",
      '''let fails = AppRequests_CL | where Success == false;
fails | summarize n = count() by ResultCode''',
      "ResultCode:int, n:long",
      "SELECT ResultCode, count(*) FROM AppRequests_CL WHERE Success = 0 GROUP BY 1")
    C("let/chained",
      '''let windows = Heartbeat_CL | where OSType == "Windows";
let bad = windows | where IsCompliant == false;
bad | summarize n = count() by Computer''',
      "Computer:string, n:long",
      "SELECT Computer, count(*) FROM Heartbeat_CL WHERE OSType = 'Windows' AND IsCompliant = 0 "
      "GROUP BY 1")
    C("let/dynamic_in",
      '''let codes = dynamic([500, 503]);
AppRequests_CL | where ResultCode in (codes) | summarize n = count() by ResultCode''',
      "ResultCode:int, n:long",
      "SELECT ResultCode, count(*) FROM AppRequests_CL WHERE ResultCode IN (500, 503) GROUP BY 1")
    C("let/in_subquery",
      '''let hosts = Heartbeat_CL | where OSType == "Windows" and IsCompliant == false | distinct Computer;
Heartbeat_CL | where Computer in (hosts) | summarize n = count() by OSType''',
      "OSType:string, n:long",
      "SELECT OSType, count(*) FROM Heartbeat_CL WHERE Computer IN (SELECT Computer FROM "
      "Heartbeat_CL WHERE OSType = 'Windows' AND IsCompliant = 0) GROUP BY 1")
    C("let/in_inline_subquery",
      '''Syslog_CL | where Computer in ((Syslog_CL | where ProcessName == "postfix/smtpd" | distinct Computer))
| summarize n = count() by Computer''',
      "Computer:string, n:long",
      "SELECT Computer, count(*) FROM Syslog_CL WHERE Computer IN (SELECT Computer FROM "
      "Syslog_CL WHERE ProcessName = 'postfix/smtpd') GROUP BY 1")
    C("let/not_in_subquery",
      '''let quiet = Syslog_CL | where SeverityLevel == "emerg" and ProcessName == "sudo" and Facility == "mail"
    | distinct Computer;
Syslog_CL | where Computer !in (quiet) | distinct Computer''',
      "Computer:string",
      "SELECT DISTINCT Computer FROM Syslog_CL WHERE Computer NOT IN (SELECT Computer FROM "
      "Syslog_CL WHERE SeverityLevel = 'emerg' AND ProcessName = 'sudo' AND Facility = 'mail')")
    C("let/datetime_window",
      '''let start = %s;
let stop = start + 6h;
Syslog_CL | where TimeGenerated >= start and TimeGenerated < stop
| summarize n = count() by bin(TimeGenerated, 1h)''' % ctx.dt(-5 * DAY),
      "TimeGenerated:datetime, n:long",
      "SELECT k_bin(TimeGenerated, %d), count(*) FROM Syslog_CL WHERE TimeGenerated >= %d AND "
      "TimeGenerated < %d GROUP BY 1" % (HOUR, ctx.t(-5 * DAY), ctx.t(-5 * DAY + 6 * HOUR)))
    minimum = 100 if ctx.ds.small else 2000
    C("let/string_and_multiple_statements",
      '''let needle = "CMD";
let minimum = %d;
Syslog_CL | where SyslogMessage has needle | summarize n = count() by Computer
| where n >= minimum''' % minimum,
      "Computer:string, n:long",
      "SELECT Computer, count(*) AS n FROM Syslog_CL WHERE k_has(SyslogMessage, 'CMD') "
      "GROUP BY 1 HAVING n >= %d" % minimum)


# ---------------------------------------------------------------- time


def _exact_hour_with_rows(ds):
    """An hour boundary (offset from base) on which several Syslog rows sit."""
    counts = {}
    for r in ds.workspaces["diff-a"]["Syslog_CL"].rows:
        if r[0] % HOUR == 0:
            counts[r[0]] = counts.get(r[0], 0) + 1
    t = max(sorted(counts), key=lambda k: counts[k])
    return t - ds.base


def times(C, ctx):
    C("time/ago_1d", "Syslog_CL | where TimeGenerated > ago(1d) | summarize n = count() by Computer",
      "Computer:string, n:long",
      "SELECT Computer, count(*) FROM Syslog_CL WHERE TimeGenerated > %d GROUP BY 1"
      % ctx.t(-DAY), relative=True)
    C("time/ago_12h", "AppRequests_CL | where TimeGenerated >= ago(12h) | count", "Count:long",
      "SELECT count(*) FROM AppRequests_CL WHERE TimeGenerated >= %d" % ctx.t(-12 * HOUR),
      relative=True)
    C("time/ago_between_now",
      "Heartbeat_CL | where TimeGenerated between (ago(2d) .. now()) | summarize n = count() by OSType",
      "OSType:string, n:long",
      "SELECT OSType, count(*) FROM Heartbeat_CL WHERE TimeGenerated >= %d GROUP BY 1"
      % ctx.t(-2 * DAY), relative=True)
    C("time/older_than", "Syslog_CL | where TimeGenerated < ago(2d) | count", "Count:long",
      "SELECT count(*) FROM Syslog_CL WHERE TimeGenerated < %d" % ctx.t(-2 * DAY), relative=True)
    C("time/before_now", "Syslog_CL | where TimeGenerated < now() | count", "Count:long",
      "SELECT count(*) FROM Syslog_CL", relative=True)
    C("time/now_minus_column",
      "AppRequests_CL | where now() - TimeGenerated < 1d | summarize n = count() by Name",
      "Name:string, n:long",
      "SELECT Name, count(*) FROM AppRequests_CL WHERE TimeGenerated > %d GROUP BY 1"
      % ctx.t(-DAY), relative=True)
    C("time/between_literals",
      '''Syslog_CL | where TimeGenerated between (%s .. %s)
| summarize n = count() by bin(TimeGenerated, 1h)''' % (ctx.edt(-8 * DAY), ctx.edt(-7 * DAY)),
      "TimeGenerated:datetime, n:long",
      "SELECT k_bin(TimeGenerated, %d), count(*) FROM Syslog_CL WHERE TimeGenerated BETWEEN "
      "%d AND %d GROUP BY 1" % (HOUR, ctx.edge(-8 * DAY), ctx.edge(-7 * DAY)))
    C("time/hour_boundaries_inclusive",
      '''Syslog_CL | where TimeGenerated >= %s and TimeGenerated < %s
| summarize n = count(), first = min(TimeGenerated), last = max(TimeGenerated)''' % (
          ctx.dt(-3 * DAY), ctx.dt(-3 * DAY + 2 * HOUR)),
      "n:long, first:datetime, last:datetime",
      "SELECT count(*), min(TimeGenerated), max(TimeGenerated) FROM Syslog_CL WHERE "
      "TimeGenerated >= %d AND TimeGenerated < %d" % (ctx.t(-3 * DAY), ctx.t(-3 * DAY + 2 * HOUR)))
    hour = _exact_hour_with_rows(ctx.ds)
    C("time/equals_exact_hour",
      "Syslog_CL | where TimeGenerated == %s | summarize n = count() by Computer" % ctx.dt(hour),
      "Computer:string, n:long",
      "SELECT Computer, count(*) FROM Syslog_CL WHERE TimeGenerated = %d GROUP BY 1"
      % ctx.t(hour))
    C("time/literal_forms",
      '''Syslog_CL | where TimeGenerated >= datetime(%s) and TimeGenerated < datetime(%s)
| count''' % (ktime.iso(ctx.t(-6 * DAY)).replace("T", " ").replace(".0000000Z", ""),
              ktime.iso(ctx.t(-5 * DAY))[:10]),
      "Count:long",
      "SELECT count(*) FROM Syslog_CL WHERE TimeGenerated >= %d AND TimeGenerated < %d"
      % (ctx.t(-6 * DAY), ktime.floor_to(ctx.t(-5 * DAY), DAY)))
    C("time/timespan_arith",
      '''Syslog_CL | extend since = TimeGenerated - startofday(TimeGenerated)
| where since between (1h .. 2h) | summarize n = count() by Computer''',
      "Computer:string, n:long",
      "SELECT Computer, count(*) FROM Syslog_CL WHERE TimeGenerated - k_startofday(TimeGenerated) "
      "BETWEEN %d AND %d GROUP BY 1" % (HOUR, 2 * HOUR))
    C("time/datetime_plus_timespan",
      '''AppRequests_CL | where TimeGenerated + 90m < %s and TimeGenerated > %s - 1d
| summarize n = count() by Success''' % (ctx.edt(-4 * DAY), ctx.edt(-4 * DAY)),
      "Success:bool, n:long",
      "SELECT Success, count(*) FROM AppRequests_CL WHERE TimeGenerated + %d < %d AND "
      "TimeGenerated > %d GROUP BY 1" % (90 * MIN, ctx.edge(-4 * DAY), ctx.edge(-5 * DAY)))
    # The Query API timespan in its four ISO 8601 shapes.
    C("timespan/duration_P2D", "Syslog_CL | summarize n = count() by Computer",
      "Computer:string, n:long",
      "SELECT Computer, count(*) FROM Syslog_CL WHERE TimeGenerated >= %d GROUP BY 1"
      % ctx.t(-2 * DAY), timespan="P2D", relative=True)
    C("timespan/duration_PT12H", "AppRequests_CL | summarize n = count() by ResultCode",
      "ResultCode:int, n:long",
      "SELECT ResultCode, count(*) FROM AppRequests_CL WHERE TimeGenerated >= %d GROUP BY 1"
      % ctx.t(-12 * HOUR), timespan="PT12H", relative=True)
    C("timespan/start_end", "Heartbeat_CL | summarize n = count() by OSType",
      "OSType:string, n:long",
      "SELECT OSType, count(*) FROM Heartbeat_CL WHERE TimeGenerated BETWEEN %d AND %d GROUP BY 1"
      % (ctx.edge(-5 * DAY), ctx.edge(-3 * DAY + 7 * HOUR)),
      timespan="%s/%s" % (ctx.eiso(-5 * DAY), ctx.eiso(-3 * DAY + 7 * HOUR)))
    C("timespan/start_duration", "Syslog_CL | summarize n = count() by bin(TimeGenerated, 1h)",
      "TimeGenerated:datetime, n:long",
      "SELECT k_bin(TimeGenerated, %d), count(*) FROM Syslog_CL WHERE TimeGenerated BETWEEN "
      "%d AND %d GROUP BY 1" % (HOUR, ctx.edge(-7 * DAY), ctx.edge(-7 * DAY + 6 * HOUR)),
      timespan="%s/PT6H" % ctx.eiso(-7 * DAY))
    C("timespan/duration_end", "AppRequests_CL | summarize n = count() by Name",
      "Name:string, n:long",
      "SELECT Name, count(*) FROM AppRequests_CL WHERE TimeGenerated BETWEEN %d AND %d GROUP BY 1"
      % (ctx.edge(-2 * DAY - 12 * HOUR), ctx.edge(-2 * DAY - 6 * HOUR)),
      timespan="PT6H/%s" % ctx.eiso(-2 * DAY - 6 * HOUR))
    C("timespan/intersects_query_filter",
      "Syslog_CL | where TimeGenerated > ago(1d) | count", "Count:long",
      "SELECT count(*) FROM Syslog_CL WHERE TimeGenerated >= %d" % ctx.t(-DAY),
      timespan="P2D", relative=True)
    C("timespan/narrower_than_query",
      "Syslog_CL | where TimeGenerated > %s | count" % ctx.edt(-9 * DAY), "Count:long",
      "SELECT count(*) FROM Syslog_CL WHERE TimeGenerated BETWEEN %d AND %d"
      % (ctx.edge(-6 * DAY), ctx.edge(-5 * DAY)),
      timespan="%s/%s" % (ctx.eiso(-6 * DAY), ctx.eiso(-5 * DAY)))
    C("timespan/cross_workspace",
      'union Syslog_CL, workspace("diff-b").Syslog_CL | summarize n = count() by Computer',
      "Computer:string, n:long",
      "SELECT Computer, count(*) FROM (SELECT Computer, TimeGenerated FROM Syslog_CL UNION ALL "
      "SELECT Computer, TimeGenerated FROM b.Syslog_CL) WHERE TimeGenerated BETWEEN %d AND %d "
      "GROUP BY 1" % (ctx.edge(-4 * DAY), ctx.edge(-4 * DAY + 12 * HOUR)),
      timespan="%s/%s" % (ctx.eiso(-4 * DAY), ctx.eiso(-4 * DAY + 12 * HOUR)))


# ---------------------------------------------------------------- scalar functions


def functions(C, ctx):
    base = ctx.dt(0)
    C("fn/tostring_int_null",
      "AppRequests_CL | summarize n = count() by s = tostring(ResultCode)", "s:string, n:long",
      "SELECT coalesce(CAST(ResultCode AS TEXT), ''), count(*) FROM AppRequests_CL GROUP BY 1")
    C("fn/toint_extract",
      r'''Syslog_CL | extend rc = toint(extract(@"rc=(\d+)", 1, SyslogMessage))
| summarize n = count() by rc''',
      "rc:int, n:long",
      r"SELECT k_toint(k_extract('rc=(\d+)', 1, SyslogMessage)), count(*) FROM Syslog_CL "
      "GROUP BY 1")
    C("fn/tolong_extract",
      r'''Syslog_CL | where ProcessName == "sshd"
| extend port = tolong(extract(@"port (\d+)", 1, SyslogMessage))
| summarize n = count(), lo = min(port), hi = max(port), s = sum(port) by Computer''',
      "Computer:string, n:long, lo:long, hi:long, s:long",
      r"SELECT Computer, count(*), min(p), max(p), sum(p) FROM (SELECT Computer, "
      r"k_toint(k_extract('port (\d+)', 1, SyslogMessage)) AS p FROM Syslog_CL "
      "WHERE ProcessName = 'sshd') GROUP BY 1")
    C("fn/todouble_dynamic",
      '''AppRequests_CL
| summarize p99 = sum(todouble(Properties.latency.p99)), p50 = max(todouble(Properties.latency.p50)) by Name''',
      "Name:string, p99:real, p50:real",
      "SELECT Name, sum(json_extract(Properties, '$.latency.p99')), "
      "max(json_extract(Properties, '$.latency.p50')) FROM AppRequests_CL GROUP BY 1")
    C("fn/todatetime_roundtrip",
      '''Syslog_CL | where ProcessName == "sudo" and Computer == "db-03"
| extend s = format_datetime(TimeGenerated, "yyyy-MM-dd HH:mm:ss")
| project RecordId, s, d = todatetime(s)''',
      "RecordId:long, s:string, d:datetime",
      "SELECT RecordId, k_format_datetime(TimeGenerated, 'yyyy-MM-dd HH:mm:ss'), "
      "k_todatetime(k_format_datetime(TimeGenerated, 'yyyy-MM-dd HH:mm:ss')) FROM Syslog_CL "
      "WHERE ProcessName = 'sudo' AND Computer = 'db-03'")
    C("fn/totimespan",
      '''Syslog_CL | where Computer == "db-01" and ProcessName == "cron"
| project RecordId, ts = totimespan(strcat("00:", format_datetime(TimeGenerated, "mm:ss")))''',
      "RecordId:long, ts:timespan",
      "SELECT RecordId, k_totimespan('00:' || k_format_datetime(TimeGenerated, 'mm:ss')) "
      "FROM Syslog_CL WHERE Computer = 'db-01' AND ProcessName = 'cron'")
    C("fn/tobool",
      '''AppRequests_CL | where isnotnull(ResultCode)
| summarize n = count() by b = tobool(iff(ResultCode < 400, "true", "false"))''',
      "b:bool, n:long",
      "SELECT ResultCode < 400, count(*) FROM AppRequests_CL WHERE ResultCode IS NOT NULL "
      "GROUP BY 1")
    C("fn/iff",
      '''AppRequests_CL | where isnotnull(Success)
| summarize n = count() by Outcome = iff(Success, "ok", "fail"), Name''',
      "Outcome:string, Name:string, n:long",
      "SELECT CASE WHEN Success THEN 'ok' ELSE 'fail' END, Name, count(*) FROM AppRequests_CL "
      "WHERE Success IS NOT NULL GROUP BY 1, 2")
    C("fn/iff_numbers",
      '''AppRequests_CL | where isnotnull(ResultCode)
| summarize Failures = sum(iff(ResultCode >= 500, 1, 0)), Ratio = avg(iff(ResultCode >= 400, 1.0, 0.0)) by Name''',
      "Name:string, Failures:long, Ratio:real",
      "SELECT Name, sum(ResultCode >= 500), avg(CASE WHEN ResultCode >= 400 THEN 1.0 ELSE 0.0 "
      "END) FROM AppRequests_CL WHERE ResultCode IS NOT NULL GROUP BY 1")
    C("fn/case",
      '''AppRequests_CL | where isnotnull(ResultCode)
| summarize n = count() by Class = case(ResultCode >= 500, "5xx", ResultCode >= 400, "4xx",
                                         ResultCode >= 300, "3xx", "2xx")''',
      "Class:string, n:long",
      "SELECT CASE WHEN ResultCode >= 500 THEN '5xx' WHEN ResultCode >= 400 THEN '4xx' "
      "WHEN ResultCode >= 300 THEN '3xx' ELSE '2xx' END, count(*) FROM AppRequests_CL "
      "WHERE ResultCode IS NOT NULL GROUP BY 1")
    C("fn/coalesce",
      '''AppRequests_CL
| summarize n = count() by d = coalesce(DurationMs, -1.0), c = coalesce(ItemCount, -1) == -1
| where d < 0 or d == 0''',
      "d:real, c:bool, n:long",
      "SELECT coalesce(DurationMs, -1.0), coalesce(ItemCount, -1) = -1, count(*) "
      "FROM AppRequests_CL WHERE coalesce(DurationMs, -1.0) <= 0 GROUP BY 1, 2")
    C("fn/empty_and_null_tests",
      '''Syslog_CL
| summarize a = countif(isempty(SyslogMessage)), b = countif(isnotempty(ProcessName)),
            c = countif(isnull(ProcessID)), d = countif(isnotnull(ProcessID)),
            e = countif(isempty(ProcessID)), f = countif(isnull(SyslogMessage))''',
      "a:long, b:long, c:long, d:long, e:long, f:long",
      "SELECT count(CASE WHEN SyslogMessage = '' THEN 1 END), "
      "count(CASE WHEN ProcessName != '' THEN 1 END), count(CASE WHEN ProcessID IS NULL "
      "THEN 1 END), count(ProcessID), count(CASE WHEN ProcessID IS NULL THEN 1 END), 0 "
      "FROM Syslog_CL")
    C("fn/strcat", 'Syslog_CL | summarize n = count() by k = strcat(Computer, "/", ProcessName)',
      "k:string, n:long",
      "SELECT Computer || '/' || ProcessName, count(*) FROM Syslog_CL GROUP BY 1")
    C("fn/strcat_number",
      '''AppRequests_CL | where isnotnull(ResultCode)
| summarize n = count() by k = strcat(Name, " -> ", ResultCode)''',
      "k:string, n:long",
      "SELECT Name || ' -> ' || ResultCode, count(*) FROM AppRequests_CL "
      "WHERE ResultCode IS NOT NULL GROUP BY 1")
    C("fn/strcat_delim",
      'Syslog_CL | summarize n = count() by k = strcat_delim(":", Facility, SeverityLevel, Computer)',
      "k:string, n:long",
      "SELECT Facility || ':' || SeverityLevel || ':' || Computer, count(*) FROM Syslog_CL "
      "GROUP BY 1")
    C("fn/split_array",
      'AppRequests_CL | where RecordId % 997 == 0 | project RecordId, parts = split(Url, "/")',
      "RecordId:long, parts:dynamic",
      "SELECT RecordId, k_split(Url, '/') FROM AppRequests_CL WHERE RecordId % 997 = 0")
    C("fn/split_index",
      'AppRequests_CL | summarize n = count() by Host = tostring(split(Url, "/")[2])',
      "Host:string, n:long",
      "SELECT coalesce(json_extract(k_split(Url, '/'), '$[2]'), ''), count(*) "
      "FROM AppRequests_CL GROUP BY 1")
    C("fn/tolower_toupper",
      "Syslog_CL | summarize n = count() by lower = tolower(Computer), upper = toupper(ProcessName)",
      "lower:string, upper:string, n:long",
      "SELECT lower(Computer), upper(ProcessName), count(*) FROM Syslog_CL GROUP BY 1, 2")
    C("fn/strlen_unicode",
      '''Syslog_CL | where SyslogMessage has_any ("Müller", "ÜBERLAST", "quota")
| summarize n = count() by SyslogMessage, L = strlen(SyslogMessage)''',
      "SyslogMessage:string, L:long, n:long",
      "SELECT SyslogMessage, length(SyslogMessage), count(*) FROM Syslog_CL WHERE "
      "k_has(SyslogMessage, 'Müller') OR k_has(SyslogMessage, 'ÜBERLAST') OR "
      "k_has(SyslogMessage, 'quota') GROUP BY 1")
    C("fn/substring_unicode",
      '''Syslog_CL | where SyslogMessage has_any ("Benutzer", "ÜBERLAST")
| summarize n = count() by a = substring(SyslogMessage, 0, 3), b = substring(SyslogMessage, 10, 6)''',
      "a:string, b:string, n:long",
      "SELECT substr(SyslogMessage, 1, 3), substr(SyslogMessage, 11, 6), count(*) FROM Syslog_CL "
      "WHERE k_has(SyslogMessage, 'Benutzer') OR k_has(SyslogMessage, 'ÜBERLAST') GROUP BY 1, 2")
    C("fn/substring_two_args",
      "Syslog_CL | summarize n = count() by p = substring(Computer, 0, 3), r = substring(Computer, 4)",
      "p:string, r:string, n:long",
      "SELECT substr(Computer, 1, 3), substr(Computer, 5), count(*) FROM Syslog_CL GROUP BY 1, 2")
    C("fn/extract_group",
      r'''Syslog_CL | where ProcessName == "sshd"
| summarize n = count() by ip = extract(@"from (\d+\.\d+\.\d+\.\d+)", 1, SyslogMessage)''',
      "ip:string, n:long",
      r"SELECT k_extract('from (\d+\.\d+\.\d+\.\d+)', 1, SyslogMessage), count(*) FROM Syslog_CL "
      "WHERE ProcessName = 'sshd' GROUP BY 1")
    C("fn/extract_whole_match",
      r'''Syslog_CL | where ProcessName == "kernel"
| summarize n = count() by m = extract(@"DPT=\d+", 0, SyslogMessage)''',
      "m:string, n:long",
      r"SELECT k_extract('DPT=\d+', 0, SyslogMessage), count(*) FROM Syslog_CL "
      "WHERE ProcessName = 'kernel' GROUP BY 1")
    C("fn/replace_regex",
      r'''Syslog_CL | where ProcessName == "sshd" and Computer == "db-02"
| project RecordId, r = replace_regex(SyslogMessage, @"port (\d+)", @"port <\1>")''',
      "RecordId:long, r:string",
      r"SELECT RecordId, k_replace_regex(SyslogMessage, 'port (\d+)', 'port <\1>') FROM "
      "Syslog_CL WHERE ProcessName = 'sshd' AND Computer = 'db-02'")
    C("fn/replace_string",
      'Syslog_CL | summarize n = count() by r = replace_string(Computer, "web", "www")',
      "r:string, n:long",
      "SELECT replace(Computer, 'web', 'www'), count(*) FROM Syslog_CL GROUP BY 1")
    C("fn/trim",
      '''Syslog_CL | where SyslogMessage startswith " "
| summarize n = count() by a = trim(" ", SyslogMessage), b = trim_start(" ", SyslogMessage),
                          c = trim_end(" ", SyslogMessage)''',
      "a:string, b:string, c:string, n:long",
      "SELECT k_trim(' ', SyslogMessage), k_trim_start(' ', SyslogMessage), "
      "k_trim_end(' ', SyslogMessage), count(*) FROM Syslog_CL "
      "WHERE k_startswith(SyslogMessage, ' ') GROUP BY 1, 2, 3")
    C("fn/trim_regex",
      r'''Syslog_CL | where ProcessName == "systemd"
| summarize n = count() by t = trim(@"[.\s]+", SyslogMessage) | where t endswith "service"''',
      "t:string, n:long",
      r"SELECT t, n FROM (SELECT k_trim('[.\s]+', SyslogMessage) AS t, count(*) AS n FROM "
      "Syslog_CL WHERE ProcessName = 'systemd' GROUP BY 1) WHERE k_endswith(t, 'service')")
    C("fn/indexof",
      '''Syslog_CL | where ProcessName in ("sshd", "nginx")
| summarize n = count() by i = indexof(SyslogMessage, "port"), ProcessName''',
      "i:long, ProcessName:string, n:long",
      "SELECT k_indexof(SyslogMessage, 'port'), ProcessName, count(*) FROM Syslog_CL "
      "WHERE ProcessName IN ('sshd', 'nginx') GROUP BY 1, 2")
    C("fn/countof",
      r'''Syslog_CL | where ProcessName in ("systemd", "kernel")
| summarize n = count() by dots = countof(SyslogMessage, ".."), nums = countof(SyslogMessage, @"\d+", "regex"), eq = countof(SyslogMessage, "=")''',
      "dots:long, nums:long, eq:long, n:long",
      r"SELECT k_countof(SyslogMessage, '..'), k_countof_re(SyslogMessage, '\d+'), "
      "k_countof(SyslogMessage, '='), count(*) FROM Syslog_CL WHERE ProcessName IN "
      "('systemd', 'kernel') GROUP BY 1, 2, 3")
    C("fn/startof_endof",
      '''Syslog_CL
| summarize n = count() by d = startofday(TimeGenerated), w = startofweek(TimeGenerated),
                          m = startofmonth(TimeGenerated), y = startofyear(TimeGenerated),
                          e = endofday(TimeGenerated)''',
      "d:datetime, w:datetime, m:datetime, y:datetime, e:datetime, n:long",
      "SELECT k_startofday(TimeGenerated), k_startofweek(TimeGenerated), "
      "k_startofmonth(TimeGenerated), k_startofyear(TimeGenerated), k_endofday(TimeGenerated), "
      "count(*) FROM Syslog_CL GROUP BY 1, 2, 3, 4, 5")
    C("fn/datetime_diff",
      '''Syslog_CL | where ProcessName == "cron"
| summarize n = count() by h = datetime_diff('hour', TimeGenerated, startofday(TimeGenerated)),
                          d = datetime_diff('day', %s, TimeGenerated),
                          w = datetime_diff('week', %s, TimeGenerated)''' % (base, base),
      "h:long, d:long, w:long, n:long",
      "SELECT k_datetime_diff('hour', TimeGenerated, k_startofday(TimeGenerated)), "
      "k_datetime_diff('day', %d, TimeGenerated), k_datetime_diff('week', %d, TimeGenerated), "
      "count(*) FROM Syslog_CL WHERE ProcessName = 'cron' GROUP BY 1, 2, 3"
      % (ctx.t(0), ctx.t(0)))
    C("fn/datetime_diff_month_minute",
      '''AppRequests_CL
| summarize n = count() by mo = datetime_diff('month', %s, TimeGenerated),
                          mi = datetime_diff('minute', TimeGenerated, bin(TimeGenerated, 1h)),
                          s = datetime_diff('second', TimeGenerated, bin(TimeGenerated, 1m)) / 10''' % base,
      "mo:long, mi:long, s:long, n:long",
      "SELECT k_datetime_diff('month', %d, TimeGenerated), "
      "k_datetime_diff('minute', TimeGenerated, k_bin(TimeGenerated, %d)), "
      "k_datetime_diff('second', TimeGenerated, k_bin(TimeGenerated, %d)) / 10, count(*) "
      "FROM AppRequests_CL GROUP BY 1, 2, 3" % (ctx.t(0), HOUR, MIN))
    C("fn/datetime_add",
      '''Syslog_CL | where ProcessName == "sudo" and Computer == "web-03"
| project RecordId, a = datetime_add('hour', 3, TimeGenerated),
          b = datetime_add('month', 1, startofday(TimeGenerated)),
          c = datetime_add('day', -2, TimeGenerated), d = datetime_add('minute', 90, TimeGenerated)''',
      "RecordId:long, a:datetime, b:datetime, c:datetime, d:datetime",
      "SELECT RecordId, k_datetime_add('hour', 3, TimeGenerated), "
      "k_datetime_add('month', 1, k_startofday(TimeGenerated)), "
      "k_datetime_add('day', -2, TimeGenerated), k_datetime_add('minute', 90, TimeGenerated) "
      "FROM Syslog_CL WHERE ProcessName = 'sudo' AND Computer = 'web-03'")
    C("fn/datetime_part",
      '''Syslog_CL
| summarize n = count() by h = datetime_part("hour", TimeGenerated), d = datetime_part("day", TimeGenerated),
                          mo = datetime_part("month", TimeGenerated), y = datetime_part("year", TimeGenerated),
                          q = datetime_part("quarter", TimeGenerated)''',
      "h:int, d:int, mo:int, y:int, q:int, n:long",
      "SELECT k_datetime_part('hour', TimeGenerated), k_datetime_part('day', TimeGenerated), "
      "k_datetime_part('month', TimeGenerated), k_datetime_part('year', TimeGenerated), "
      "k_datetime_part('quarter', TimeGenerated), count(*) FROM Syslog_CL GROUP BY 1, 2, 3, 4, 5")
    C("fn/datetime_part_small_units",
      '''AppRequests_CL | where TimeGenerated between (%s .. %s)
| summarize n = count() by mi = datetime_part("minute", TimeGenerated), s = datetime_part("second", TimeGenerated),
                          ms = datetime_part("millisecond", TimeGenerated) / 100,
                          doy = datetime_part("dayOfYear", TimeGenerated),
                          gy = getyear(TimeGenerated), gm = getmonth(TimeGenerated)''' % (
          ctx.edt(-9 * DAY), ctx.edt(-9 * DAY + 4 * HOUR)),
      "mi:int, s:int, ms:long, doy:int, gy:int, gm:int, n:long",
      "SELECT k_datetime_part('minute', TimeGenerated), k_datetime_part('second', TimeGenerated), "
      "k_datetime_part('millisecond', TimeGenerated) / 100, "
      "k_datetime_part('dayOfYear', TimeGenerated), k_datetime_part('year', TimeGenerated), "
      "k_datetime_part('month', TimeGenerated), count(*) FROM AppRequests_CL WHERE TimeGenerated "
      "BETWEEN %d AND %d GROUP BY 1, 2, 3, 4, 5, 6" % (ctx.edge(-9 * DAY),
                                                       ctx.edge(-9 * DAY + 4 * HOUR)))
    C("fn/dayofweek_hourofday",
      "Syslog_CL | summarize n = count() by dow = dayofweek(TimeGenerated), h = hourofday(TimeGenerated)",
      "dow:timespan, h:int, n:long",
      "SELECT k_dayofweek(TimeGenerated), k_hourofday(TimeGenerated), count(*) FROM Syslog_CL "
      "GROUP BY 1, 2")
    C("fn/format_datetime",
      '''Syslog_CL | where ProcessName == "sudo" and Computer == "web-05"
| project RecordId, a = format_datetime(TimeGenerated, "yyyy-MM-dd HH:mm:ss"),
          b = format_datetime(TimeGenerated, "yy-M-d h:mm tt"),
          c = format_datetime(TimeGenerated, "HH:mm:ss.fffffff"),
          d = format_datetime(TimeGenerated, "dd/MM/yyyy")''',
      "RecordId:long, a:string, b:string, c:string, d:string",
      "SELECT RecordId, k_format_datetime(TimeGenerated, 'yyyy-MM-dd HH:mm:ss'), "
      "k_format_datetime(TimeGenerated, 'yy-M-d h:mm tt'), "
      "k_format_datetime(TimeGenerated, 'HH:mm:ss.fffffff'), "
      "k_format_datetime(TimeGenerated, 'dd/MM/yyyy') FROM Syslog_CL "
      "WHERE ProcessName = 'sudo' AND Computer = 'web-05'")
    C("fn/round",
      "AppRequests_CL | summarize n = count() by r = round(ItemCount / 7.0, 2), r0 = round(ItemCount / 7.0)",
      "r:real, r0:real, n:long",
      "SELECT k_round(ItemCount / 7.0, 2), k_round(ItemCount / 7.0, 0), count(*) "
      "FROM AppRequests_CL GROUP BY 1, 2")
    C("fn/floor_ceiling_abs",
      '''AppRequests_CL
| summarize n = count() by f = floor(ItemCount, 100), c = ceiling(ItemCount / 3.0), a = abs(ItemCount - 100)''',
      "f:long, c:real, a:long, n:long",
      "SELECT k_bin(ItemCount, 100), k_ceiling(ItemCount / 3.0), abs(ItemCount - 100), count(*) "
      "FROM AppRequests_CL GROUP BY 1, 2, 3")
    C("fn/parse_json",
      '''AppRequests_CL | where isnotempty(CustomDims)
| summarize n = count() by b = tostring(parse_json(CustomDims).build), w = todouble(todynamic(CustomDims).weight)''',
      "b:string, w:real, n:long",
      "SELECT json_extract(CustomDims, '$.build'), json_extract(CustomDims, '$.weight'), count(*) "
      "FROM AppRequests_CL WHERE CustomDims != '' GROUP BY 1, 2")
    C("fn/array_length",
      '''AppRequests_CL | where isnotempty(CustomDims)
| summarize n = count() by tags = array_length(Properties.tags), exp = array_length(parse_json(CustomDims).experiment)''',
      "tags:long, exp:long, n:long",
      "SELECT json_array_length(Properties, '$.tags'), json_array_length(CustomDims, "
      "'$.experiment'), count(*) FROM AppRequests_CL WHERE CustomDims != '' GROUP BY 1, 2")
    C("fn/pack",
      '''AppRequests_CL | where RecordId % 1009 == 0 and isnotnull(ResultCode) and isnotnull(ItemCount) and isnotnull(Properties)
| project RecordId, p = pack("code", ResultCode, "name", Name),
          q = bag_pack("region", Properties.region, "items", ItemCount)''',
      "RecordId:long, p:dynamic, q:dynamic",
      "SELECT RecordId, json_object('code', ResultCode, 'name', Name), "
      "json_object('region', Properties -> '$.region', 'items', ItemCount) FROM AppRequests_CL "
      "WHERE RecordId % 1009 = 0 AND ResultCode IS NOT NULL AND ItemCount IS NOT NULL AND "
      "Properties IS NOT NULL")
    C("fn/pack_array",
      '''AppRequests_CL | where RecordId % 1013 == 0 and isnotnull(ResultCode) and isnotnull(Success)
| project RecordId, a = pack_array(ResultCode, Name, Success)''',
      "RecordId:long, a:dynamic",
      "SELECT RecordId, json_array(ResultCode, Name, json(CASE WHEN Success THEN 'true' ELSE "
      "'false' END)) FROM AppRequests_CL WHERE RecordId % 1013 = 0 AND ResultCode IS NOT NULL "
      "AND Success IS NOT NULL")
    C("fn/dynamic_paths",
      '''AppRequests_CL
| summarize n = count() by u = substring(tostring(Properties.user.id), 0, 2), odd = tostring(Properties["odd key"]),
                          first_tag = tostring(Properties.tags[0]), role2 = tostring(Properties.user.roles[1])''',
      "u:string, odd:string, first_tag:string, role2:string, n:long",
      "SELECT substr(coalesce(json_extract(Properties, '$.user.id'), ''), 1, 2), "
      "coalesce(json_extract(Properties, '$.\"odd key\"'), ''), "
      "coalesce(json_extract(Properties, '$.tags[0]'), ''), "
      "coalesce(json_extract(Properties, '$.user.roles[1]'), ''), count(*) FROM AppRequests_CL "
      "GROUP BY 1, 2, 3, 4")
    C("fn/dynamic_values",
      '''AppRequests_CL | where RecordId % 1013 == 0
| project RecordId, lat = Properties.latency, tags = Properties.tags, region = Properties.region,
          retries = Properties.retries, missing = Properties.nothing''',
      "RecordId:long, lat:dynamic, tags:dynamic, region:dynamic, retries:dynamic, missing:dynamic",
      "SELECT RecordId, Properties -> '$.latency', Properties -> '$.tags', "
      "Properties -> '$.region', Properties -> '$.retries', NULL FROM AppRequests_CL "
      "WHERE RecordId % 1013 = 0")
    C("fn/dynamic_compare",
      '''AppRequests_CL
| summarize premium = countif(Properties.tier == "premium"), retried = countif(toint(Properties.retries) >= 2),
            canary = countif(tostring(Properties.tags) has "canary") by Name''',
      "Name:string, premium:long, retried:long, canary:long",
      "SELECT Name, count(CASE WHEN json_extract(Properties, '$.tier') = 'premium' THEN 1 END), "
      "count(CASE WHEN json_extract(Properties, '$.retries') >= 2 THEN 1 END), "
      "count(CASE WHEN k_has(json_extract(Properties, '$.tags'), 'canary') THEN 1 END) "
      "FROM AppRequests_CL GROUP BY 1")
    C("fn/tostring_dynamic_array",
      '''AppRequests_CL | where isnotnull(Properties)
| summarize n = count() by roles = tostring(Properties.user.roles)''',
      "roles:string, n:long",
      "SELECT json_extract(Properties, '$.user.roles'), count(*) FROM AppRequests_CL "
      "WHERE Properties IS NOT NULL GROUP BY 1")
    C("fn/strcat_array",
      '''AppRequests_CL | where isnotnull(Properties)
| summarize n = count() by t = strcat_array(Properties.tags, "+")''',
      "t:string, n:long",
      "SELECT k_strcat_array(json_extract(Properties, '$.tags'), '+'), count(*) "
      "FROM AppRequests_CL WHERE Properties IS NOT NULL GROUP BY 1")
    C("fn/toguid",
      "AppRequests_CL | where RecordId % 1019 == 0 | project RecordId, g = toguid(OperationId)",
      "RecordId:long, g:guid",
      "SELECT RecordId, OperationId FROM AppRequests_CL WHERE RecordId % 1019 = 0")
    C("fn/bin_datetime_plus",
      '''Syslog_CL | where ProcessName == "postfix/smtpd"
| summarize n = count() by mid = bin(TimeGenerated, 1h) + 30m''',
      "mid:datetime, n:long",
      "SELECT k_bin(TimeGenerated, %d) + %d, count(*) FROM Syslog_CL "
      "WHERE ProcessName = 'postfix/smtpd' GROUP BY 1" % (HOUR, 30 * MIN))


# ---------------------------------------------------------------- join, mv-expand, parse, search


def _sudo_parse(orc):
    import re
    rx = re.compile(r"^(.*?) : TTY=pts/(.*?) ; PWD=.*?COMMAND=(.*)$", re.S)
    counts = {}
    for (msg,) in orc.sql("SELECT SyslogMessage FROM Syslog_CL WHERE ProcessName = 'sudo'"):
        m = rx.match(msg)
        key = (m.group(1), oracle.toint(m.group(2)), m.group(3)) if m else ("", None, "")
        counts[key] = counts.get(key, 0) + 1
    return [k + (n,) for k, n in counts.items()]


def more_operators(C):
    C("join/inner_key_columns",
      '''Syslog_CL | where ProcessName == "sudo" | summarize Sudo = count() by Computer
| join kind=inner (Syslog_CL | where ProcessName == "kernel" | summarize Kernel = count() by Computer) on Computer''',
      "Computer:string, Sudo:long, Computer1:string, Kernel:long",
      "SELECT l.Computer, l.n, r.Computer, r.n FROM (SELECT Computer, count(*) AS n FROM "
      "Syslog_CL WHERE ProcessName = 'sudo' GROUP BY 1) l JOIN (SELECT Computer, count(*) AS n "
      "FROM Syslog_CL WHERE ProcessName = 'kernel' GROUP BY 1) r ON l.Computer = r.Computer",
      xfail=NOT_YET)
    C("join/leftouter_nulls",
      '''Heartbeat_CL | summarize Rows = count() by Computer
| join kind=leftouter (Heartbeat_CL | where CpuPct > 90 and OSType == "Windows" | summarize Hot = count() by Computer) on Computer
| project Computer, Rows, Hot''',
      "Computer:string, Rows:long, Hot:long",
      "SELECT l.Computer, l.n, r.n FROM (SELECT Computer, count(*) AS n FROM Heartbeat_CL "
      "GROUP BY 1) l LEFT JOIN (SELECT Computer, count(*) AS n FROM Heartbeat_CL WHERE "
      "CpuPct > 90 AND OSType = 'Windows' GROUP BY 1) r ON l.Computer = r.Computer",
      xfail=NOT_YET)
    C("join/leftanti",
      '''Heartbeat_CL | distinct Computer
| join kind=leftanti (Heartbeat_CL | where MemoryMB == 16384 and IsCompliant == false and CpuPct > 90 | distinct Computer) on Computer''',
      "Computer:string",
      "SELECT DISTINCT Computer FROM Heartbeat_CL WHERE Computer NOT IN (SELECT Computer FROM "
      "Heartbeat_CL WHERE MemoryMB = 16384 AND IsCompliant = 0 AND CpuPct > 90)",
      xfail=NOT_YET)
    C("join/leftsemi",
      '''Syslog_CL | summarize n = count() by Computer
| join kind=leftsemi (Syslog_CL | where SeverityLevel == "emerg" and ProcessName == "sshd") on Computer''',
      "Computer:string, n:long",
      "SELECT Computer, count(*) FROM Syslog_CL WHERE Computer IN (SELECT Computer FROM "
      "Syslog_CL WHERE SeverityLevel = 'emerg' AND ProcessName = 'sshd') GROUP BY 1",
      xfail=NOT_YET)
    C("join/innerunique_dedups_left",
      '''Heartbeat_CL | project Computer, OSType
| join (Heartbeat_CL | summarize Bad = countif(IsCompliant == false) by Computer) on Computer
| project Computer, OSType, Bad''',
      "Computer:string, OSType:string, Bad:long",
      "SELECT Computer, min(OSType), count(CASE WHEN IsCompliant = 0 THEN 1 END) "
      "FROM Heartbeat_CL GROUP BY 1",
      xfail=NOT_YET)
    C("join/left_right_qualifiers",
      '''AppRequests_CL | summarize Requests = count() by Name
| join kind=inner (AppRequests_CL | where ResultCode >= 500 | summarize Errors = count() by Endpoint = Name) on $left.Name == $right.Endpoint
| project Name, Requests, Errors''',
      "Name:string, Requests:long, Errors:long",
      "SELECT l.Name, l.n, r.n FROM (SELECT Name, count(*) AS n FROM AppRequests_CL GROUP BY 1) l "
      "JOIN (SELECT Name, count(*) AS n FROM AppRequests_CL WHERE ResultCode >= 500 GROUP BY 1) r "
      "ON l.Name = r.Name",
      xfail=NOT_YET)
    C("join/rightanti",
      '''Syslog_CL | where ProcessName == "sudo" and SeverityLevel == "emerg" and Facility == "mail"
| distinct Computer | join kind=rightanti (Syslog_CL | distinct Computer) on Computer''',
      "Computer:string",
      "SELECT DISTINCT Computer FROM Syslog_CL WHERE Computer NOT IN (SELECT Computer FROM "
      "Syslog_CL WHERE ProcessName = 'sudo' AND SeverityLevel = 'emerg' AND Facility = 'mail')",
      xfail=NOT_YET)
    C("join/cross_workspace",
      '''Syslog_CL | summarize A = count() by Computer
| join kind=inner (workspace("diff-b").Syslog_CL | summarize B = count() by Computer) on Computer
| project Computer, A, B''',
      "Computer:string, A:long, B:long",
      "SELECT l.Computer, l.n, r.n FROM (SELECT Computer, count(*) AS n FROM Syslog_CL GROUP BY 1)"
      " l JOIN (SELECT Computer, count(*) AS n FROM b.Syslog_CL GROUP BY 1) r "
      "ON l.Computer = r.Computer",
      xfail=NOT_YET)
    C("mvexpand/tags",
      '''AppRequests_CL | where array_length(Properties.tags) > 0
| mv-expand tag = Properties.tags | summarize n = count() by Tag = tostring(tag)''',
      "Tag:string, n:long",
      "SELECT je.value, count(*) FROM AppRequests_CL, json_each(AppRequests_CL.Properties, "
      "'$.tags') AS je GROUP BY 1",
      xfail=NOT_YET)
    C("parse/simple",
      '''Syslog_CL | where ProcessName == "sudo"
| parse SyslogMessage with User " : TTY=pts/" Tty:int " ; PWD=" * "COMMAND=" Command
| summarize n = count() by User, Tty, Command''',
      "User:string, Tty:int, Command:string, n:long", py=_sudo_parse,
      xfail=NOT_YET)
    C("search/in_table",
      'search in (Syslog_CL) "timed" | count', "Count:long",
      "SELECT count(*) FROM Syslog_CL WHERE k_has(Computer, 'timed') OR k_has(HostIP, 'timed') "
      "OR k_has(Facility, 'timed') OR k_has(SeverityLevel, 'timed') OR "
      "k_has(ProcessName, 'timed') OR k_has(SyslogMessage, 'timed')",
      xfail=NOT_YET)
    C("search/where_star_has",
      'Syslog_CL | where * has "MARK" | summarize n = count() by ProcessName',
      "ProcessName:string, n:long",
      "SELECT ProcessName, count(*) FROM Syslog_CL WHERE k_has(Computer, 'MARK') OR "
      "k_has(HostIP, 'MARK') OR k_has(Facility, 'MARK') OR k_has(SeverityLevel, 'MARK') OR "
      "k_has(ProcessName, 'MARK') OR k_has(SyslogMessage, 'MARK') GROUP BY 1")
    C("proj/project_away_wildcard",
      '''Syslog_CL | where Computer == "cache-01" and ProcessName == "postfix/smtpd"
| project RecordId, Computer, SeverityLevel, SevLen = strlen(SeverityLevel)
| project-away Sev*''',
      "RecordId:long, Computer:string",
      "SELECT RecordId, Computer FROM Syslog_CL WHERE Computer = 'cache-01' AND "
      "ProcessName = 'postfix/smtpd'")
    C("render/no_effect",
      "Syslog_CL | summarize n = count() by bin(TimeGenerated, 1d) | render timechart",
      "TimeGenerated:datetime, n:long",
      "SELECT k_bin(TimeGenerated, %d), count(*) FROM Syslog_CL GROUP BY 1" % DAY)
