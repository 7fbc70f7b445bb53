"""The independent oracle: the generated rows in SQLite, plus KQL semantics.

Written from the KQL documentation (KQL.md §2.8 and the Kusto reference
pages), never from sealog's code. Tables of workspace diff-a live in SQLite's
`main` schema and those of diff-b in an attached schema `b`, under their KQL
names. Representation:

  string   TEXT, never NULL (KQL strings have no null: empty string)
  int/long INTEGER or NULL
  real     REAL or NULL
  bool     INTEGER 0/1 or NULL
  datetime INTEGER ticks (100 ns) since the Unix epoch, or NULL
  timespan INTEGER ticks
  dynamic  TEXT holding compact JSON, or NULL

What SQLite lacks comes as Python functions registered on the connection
(`k_...`). Their rules:

  * Terms (the `has` family): maximal runs of ASCII letters and digits and of
    bytes >= 0x80 (so a UTF-8 letter such as "ü" is part of a term); a RHS that
    itself has several terms matches when they occur consecutively in the LHS
    (and, as a premise check, also as a substring starting and ending on term
    boundaries — the two readings must agree or the case is rejected).
  * Case-insensitive operators fold ASCII letters only ("Ü" != "ü").
  * Null rules of the KQL docs: `==` with one null is false, `!=` with one null
    is true, both null gives null; `where` keeps only true; aggregates skip
    nulls. The SQL of each case spells these out (`x IS NULL OR x != c`).
  * Regexes use Python's `re` on patterns chosen to mean the same in RE2.
  * bin() floors toward negative infinity; datetime floors are in ticks.
  * long / long truncates toward zero; N % D is never negative (0 <= N % D < |D|,
    the numerical-operators page: -14 % 12 == 10).
  * countof() counts overlapping plain matches and non-overlapping regex ones.
  * datetime_diff() counts period boundaries between the truncated values
    (weeks start on Sunday), as in the reference examples.

A case whose answer would depend on a rule the docs leave open raises
PremiseError instead of guessing (ties under arg_max, percentiles that
interpolation would change, rounding ties, ambiguous `has` phrases).
"""

import calendar
import functools
import json
import math
import re
import sqlite3
from decimal import ROUND_HALF_UP, Decimal

import ktime
from ktime import DAY, HOUR, MIN, SEC


class PremiseError(Exception):
    """The data does not make the case's answer unambiguous."""


# ---------------------------------------------------------------- terms


def _is_term_byte(b):
    return (48 <= b <= 57) or (65 <= b <= 90) or (97 <= b <= 122) or b >= 0x80


_TERM_RE = re.compile(rb"[A-Za-z0-9\x80-\xff]+")


def terms_of(data):
    """Terms of UTF-8 bytes, in order, with (start, end) offsets."""
    return [(m.group(0), m.start(), m.end()) for m in _TERM_RE.finditer(data)]


def fold(b):
    """ASCII case folding of bytes (bytes.lower touches ASCII only)."""
    return b.lower()


def _enc(s):
    return s.encode("utf-8") if isinstance(s, str) else s


def has(lhs, rhs, cs=False):
    if lhs is None or rhs is None:
        return None
    lb, rb = _enc(lhs), _enc(rhs)
    if not cs:
        lb, rb = fold(lb), fold(rb)
    if _TERM_RE.fullmatch(rb):
        # One term: a substring test first (most rows fail it), then the terms.
        return rb in lb and rb in _TERM_RE.findall(lb)
    rterms = _TERM_RE.findall(rb)
    if not rterms:
        return False
    words = _TERM_RE.findall(lb)
    k = len(rterms)
    by_terms = any(words[i:i + k] == rterms for i in range(len(words) - k + 1))
    # A phrase: also read it as a substring that starts and ends on term
    # boundaries; the case is only valid where both readings agree.
    by_sub = False
    start = lb.find(rb)
    while start >= 0:
        end = start + len(rb)
        left_ok = start == 0 or not (_is_term_byte(lb[start - 1]) and _is_term_byte(rb[0]))
        right_ok = end == len(lb) or not (_is_term_byte(lb[end]) and _is_term_byte(rb[-1]))
        if left_ok and right_ok:
            by_sub = True
            break
        start = lb.find(rb, start + 1)
    if by_sub != by_terms:
        raise PremiseError("has %r on %r: term and substring readings differ" % (rhs, lhs))
    return by_terms


def has_prefix(lhs, rhs, cs=False):
    lb, rb = _enc(lhs), _enc(rhs)
    if not cs:
        lb, rb = fold(lb), fold(rb)
    return rb in lb and any(t.startswith(rb) for t in _TERM_RE.findall(lb))


def has_suffix(lhs, rhs, cs=False):
    lb, rb = _enc(lhs), _enc(rhs)
    if not cs:
        lb, rb = fold(lb), fold(rb)
    return rb in lb and any(t.endswith(rb) for t in _TERM_RE.findall(lb))


def contains(lhs, rhs, cs=False):
    lb, rb = _enc(lhs), _enc(rhs)
    return (rb in lb) if cs else (fold(rb) in fold(lb))


def startswith(lhs, rhs, cs=False):
    lb, rb = _enc(lhs), _enc(rhs)
    return lb.startswith(rb) if cs else fold(lb).startswith(fold(rb))


def endswith(lhs, rhs, cs=False):
    lb, rb = _enc(lhs), _enc(rhs)
    return lb.endswith(rb) if cs else fold(lb).endswith(fold(rb))


def eq_ci(a, b):
    if a is None or b is None:
        return None
    return fold(_enc(a)) == fold(_enc(b))


# ---------------------------------------------------------------- regex


_RE_CACHE = {}


def _re(pat):
    r = _RE_CACHE.get(pat)
    if r is None:
        r = _RE_CACHE[pat] = re.compile(pat)
    return r


def matches(s, pat):
    return _re(pat).search(s) is not None


def extract(pat, group, s):
    m = _re(pat).search(s)
    if not m:
        return ""
    return m.group(group) or ""


def replace_regex(s, pat, rewrite):
    return _re(pat).sub(rewrite, s)


def trim_start(pat, s):
    return re.sub(r"\A(?:%s)+" % pat, "", s)


def trim_end(pat, s):
    # Match the longest run of repetitions that ends the string.
    m = re.search(r"(?:%s)+\Z" % pat, s)
    return s[:m.start()] if m else s


def trim(pat, s):
    return trim_end(pat, trim_start(pat, s))


def countof(s, search, kind="normal"):
    if kind == "regex":
        return len(_re(search).findall(s))
    n, i = 0, s.find(search)
    while i >= 0 and search:
        n += 1
        i = s.find(search, i + 1)
    return n


# ---------------------------------------------------------------- numbers


def kbin(x, size):
    """bin()/floor(): down to a multiple of size (toward negative infinity)."""
    if x is None or size is None:
        return None
    if isinstance(x, int) and isinstance(size, int):
        return (x // size) * size
    return float(x // size * size) if isinstance(x, float) or isinstance(size, float) else x


def kround(x, digits=0):
    """round(): half away from zero on the exact binary value; a value within
    1e-9 (relative) of a tie is a premise error, since implementations that
    scale by 10^digits first may land on either side."""
    if x is None:
        return None
    scaled = abs(x) * 10 ** digits
    frac = scaled - int(scaled)
    if abs(frac - 0.5) < max(1e-9, 8 * math.ulp(scaled)):
        raise PremiseError("round(%r, %d) is a tie" % (x, digits))
    q = Decimal(x).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return float(q)


def trunc_div(a, b):
    """long / long: truncates toward zero (C#)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def percentile_nearest_rank(values, p):
    """Nearest rank; PremiseError unless the neighbourhood of the rank holds
    one value (then interpolating or estimating definitions agree)."""
    vals = sorted(v for v in values if v is not None)
    n = len(vals)
    if n == 0:
        return None
    rank = max(1, -(-p * n // 100)) if isinstance(p, int) else max(1, int(-(-p * n // 100)))
    i = rank - 1
    k = max(2, n // 100)
    lo, hi = max(0, i - k), min(n - 1, i + k)
    if vals[lo] != vals[hi]:
        raise PremiseError("percentile %s of %d values is not unambiguous" % (p, n))
    return vals[i]


# ---------------------------------------------------------------- time


def startofday(t):
    return None if t is None else t - t % DAY


def endofday(t):
    return None if t is None else startofday(t) + DAY - 1


def dayofweek(t):
    """Days since the preceding Sunday, as a timespan (1970-01-01 was a Thursday)."""
    return None if t is None else ((t // DAY + 4) % 7) * DAY


def startofweek(t):
    return None if t is None else startofday(t) - dayofweek(t)


@functools.lru_cache(maxsize=4096)
def _day(day):
    """(datetime at midnight, start of month, start of year) of a day number."""
    d, _ = ktime.to_datetime(day * DAY)
    return d, ktime.from_parts(d.year, d.month, 1), ktime.from_parts(d.year, 1, 1)


def _ymd(t):
    return _day(t // DAY)[0]


def startofmonth(t):
    return _day(t // DAY)[1]


def startofyear(t):
    return _day(t // DAY)[2]


def hourofday(t):
    return None if t is None else (t % DAY) // HOUR


def datetime_part(part, t):
    part = part.lower()
    d = _ymd(t)
    within = t % DAY
    if part == "year":
        return d.year
    if part == "quarter":
        return (d.month - 1) // 3 + 1
    if part == "month":
        return d.month
    if part == "day":
        return d.day
    if part == "dayofyear":
        return d.timetuple().tm_yday
    if part == "hour":
        return within // HOUR
    if part == "minute":
        return within % HOUR // MIN
    if part == "second":
        return within % MIN // SEC
    if part == "millisecond":
        return within % SEC // 10_000
    if part == "microsecond":
        return within % SEC // 10
    if part == "nanosecond":
        return within % SEC * 100
    raise ValueError(part)


def datetime_diff(part, a, b):
    part = part.lower()
    da, db = _ymd(a), _ymd(b)
    if part == "year":
        return da.year - db.year
    if part == "quarter":
        return (da.year - db.year) * 4 + (da.month - 1) // 3 - (db.month - 1) // 3
    if part == "month":
        return (da.year - db.year) * 12 + da.month - db.month
    if part == "week":
        return (startofweek(a) - startofweek(b)) // (7 * DAY)
    unit = {"day": DAY, "hour": HOUR, "minute": MIN, "second": SEC, "millisecond": 10_000,
            "microsecond": 10}[part]
    return a // unit - b // unit


def datetime_add(part, n, t):
    part = part.lower()
    if part in ("year", "quarter", "month"):
        months = n * {"year": 12, "quarter": 3, "month": 1}[part]
        d, rem = ktime.to_datetime(t)
        m0 = d.year * 12 + d.month - 1 + months
        y, m = divmod(m0, 12)
        day = min(d.day, calendar.monthrange(y, m + 1)[1])
        return ktime.from_datetime(d.replace(year=y, month=m + 1, day=day)) + rem
    unit = {"week": 7 * DAY, "day": DAY, "hour": HOUR, "minute": MIN, "second": SEC,
            "millisecond": 10_000, "microsecond": 10}[part]
    return t + n * unit


_FMT_RE = re.compile(r"yyyy|yy|MM|M|dd|d|HH|H|hh|h|mm|m|ss|s|tt|f{1,7}|F{1,7}")


def format_datetime(t, fmt):
    """The .NET-style specifiers the KQL docs list (yyyy, MM, dd, HH, hh, mm,
    ss, f.../F..., tt); everything else is copied."""
    if t is None:
        return ""
    d, rem = ktime.to_datetime(t)
    frac = "%06d%d" % (d.microsecond, rem)

    def one(m):
        s = m.group(0)
        if s == "yyyy":
            return "%04d" % d.year
        if s == "yy":
            return "%02d" % (d.year % 100)
        if s in ("MM", "M"):
            return "%02d" % d.month if s == "MM" else str(d.month)
        if s in ("dd", "d"):
            return "%02d" % d.day if s == "dd" else str(d.day)
        if s in ("HH", "H"):
            return "%02d" % d.hour if s == "HH" else str(d.hour)
        if s in ("hh", "h"):
            h12 = d.hour % 12 or 12
            return "%02d" % h12 if s == "hh" else str(h12)
        if s in ("mm", "m"):
            return "%02d" % d.minute if s == "mm" else str(d.minute)
        if s in ("ss", "s"):
            return "%02d" % d.second if s == "ss" else str(d.second)
        if s == "tt":
            return "AM" if d.hour < 12 else "PM"
        if s[0] == "f":
            return frac[:len(s)]
        return frac[:len(s)].rstrip("0")

    return _FMT_RE.sub(one, fmt)


# ---------------------------------------------------------------- conversions


def toint(v):
    """toint/tolong of a string or number: integer or None."""
    if v is None:
        return None
    if isinstance(v, (int, float)):
        return int(v)
    s = str(v).strip()
    if re.fullmatch(r"[+-]?\d+", s):
        return int(s)
    if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", s):
        return int(float(s))
    return None


def todouble(v):
    if v is None:
        return None
    if isinstance(v, (int, float)):
        return float(v)
    try:
        return float(str(v).strip())
    except ValueError:
        return None


def totimespan(s):
    return None if s is None else ktime.parse_timespan(s)


def todatetime(s):
    return None if s is None or s == "" else ktime.parse_iso(s)


# ---------------------------------------------------------------- dynamic


def jdump(v):
    return None if v is None else json.dumps(v, separators=(",", ":"), ensure_ascii=False)


def split(s, delim):
    return jdump(s.split(delim))


# ---------------------------------------------------------------- the database


_FUNCS = {
    "k_has": (2, lambda a, b: has(a, b)),
    "k_has_cs": (2, lambda a, b: has(a, b, cs=True)),
    "k_hasprefix": (2, lambda a, b: has_prefix(a, b)),
    "k_hasprefix_cs": (2, lambda a, b: has_prefix(a, b, cs=True)),
    "k_hassuffix": (2, lambda a, b: has_suffix(a, b)),
    "k_hassuffix_cs": (2, lambda a, b: has_suffix(a, b, cs=True)),
    "k_contains": (2, lambda a, b: contains(a, b)),
    "k_contains_cs": (2, lambda a, b: contains(a, b, cs=True)),
    "k_startswith": (2, lambda a, b: startswith(a, b)),
    "k_startswith_cs": (2, lambda a, b: startswith(a, b, cs=True)),
    "k_endswith": (2, lambda a, b: endswith(a, b)),
    "k_endswith_cs": (2, lambda a, b: endswith(a, b, cs=True)),
    "k_eq_ci": (2, eq_ci),
    "k_matches": (2, matches),
    "k_extract": (3, extract),
    "k_replace_regex": (3, replace_regex),
    "k_trim": (2, trim),
    "k_trim_start": (2, trim_start),
    "k_trim_end": (2, trim_end),
    "k_countof": (2, countof),
    "k_countof_re": (2, lambda s, p: countof(s, p, "regex")),
    "k_indexof": (2, lambda s, t: s.find(t)),
    "k_strlen": (1, len),
    "k_substring": (3, lambda s, start, n: s[start:start + n]),
    "k_tolower": (1, lambda s: s.lower()),
    "k_toupper": (1, lambda s: s.upper()),
    "k_split": (2, split),
    "k_bin": (2, kbin),
    "k_ceiling": (1, lambda x: float(math.ceil(x))),
    "k_strcat_array": (2, lambda arr, d: d.join(
        v if isinstance(v, str) else json.dumps(v) for v in json.loads(arr))),
    "k_round": (2, kround),
    "k_idiv": (2, lambda a, b: None if a is None else trunc_div(a, b)),
    "k_mod": (2, lambda a, b: a % abs(b)),
    "k_startofday": (1, startofday),
    "k_endofday": (1, endofday),
    "k_startofweek": (1, startofweek),
    "k_startofmonth": (1, startofmonth),
    "k_startofyear": (1, startofyear),
    "k_dayofweek": (1, dayofweek),
    "k_hourofday": (1, hourofday),
    "k_datetime_part": (2, datetime_part),
    "k_datetime_diff": (3, datetime_diff),
    "k_datetime_add": (3, datetime_add),
    "k_format_datetime": (2, format_datetime),
    "k_toint": (1, toint),
    "k_todouble": (1, todouble),
    "k_totimespan": (1, totimespan),
    "k_todatetime": (1, todatetime),
}


def _sql_value(typ, v):
    if v is None:
        return "" if typ == "string" else None
    if typ == "bool":
        return 1 if v else 0
    if typ == "dynamic":
        return jdump(v)
    return v


_SQL_TYPES = {"string": "TEXT", "int": "INTEGER", "long": "INTEGER", "real": "REAL",
              "bool": "INTEGER", "datetime": "INTEGER", "timespan": "INTEGER",
              "dynamic": "TEXT", "guid": "TEXT"}


class Oracle:
    def __init__(self, ds):
        self.ds = ds
        self.db = sqlite3.connect(":memory:")
        self.db.execute("ATTACH DATABASE ':memory:' AS b")
        for name, (nargs, fn) in _FUNCS.items():
            self.db.create_function(name, nargs, _null_safe(fn), deterministic=True)
        for ws, table in ds.tables():
            schema = "main" if ws == "diff-a" else "b"
            cols = ", ".join('"%s" %s' % (c, _SQL_TYPES[t]) for c, t in table.columns)
            self.db.execute('CREATE TABLE %s."%s" (%s)' % (schema, table.name, cols))
            marks = ", ".join("?" * len(table.columns))
            types = [t for _, t in table.columns]
            self.db.executemany(
                'INSERT INTO %s."%s" VALUES (%s)' % (schema, table.name, marks),
                ([_sql_value(t, v) for t, v in zip(types, row)] for row in table.rows))
        self.db.commit()

    def sql(self, text, params=()):
        _CURRENT.pop("premise", None)
        try:
            return self.db.execute(text, params).fetchall()
        except sqlite3.OperationalError as e:
            # A Python function raising PremiseError surfaces as an OperationalError.
            cause = _CURRENT.pop("premise", None)
            if cause:
                raise cause from None
            raise RuntimeError("oracle SQL failed: %s\n%s" % (e, text)) from None

    def rows(self, ws, table):
        """The generated rows of a table, as tuples in schema order."""
        return self.ds.workspaces[ws][table].rows

    def cols(self, ws, table):
        return [c for c, _ in self.ds.workspaces[ws][table].columns]


_CURRENT = {}


def _null_safe(fn):
    """SQL NULL in, NULL out (KQL functions of a null are null); PremiseError is
    kept so that Oracle.sql can re-raise it."""
    def wrapped(*args):
        if any(a is None for a in args):
            return None
        try:
            r = fn(*args)
        except PremiseError as e:
            _CURRENT["premise"] = e
            raise
        if isinstance(r, bool):
            return 1 if r else 0
        return r
    return wrapped
