"""Canonical cells and result comparison.

Both sides are brought to one form per declared KQL type before comparing:

  string  str                      long/int  int
  real    float (NaN kept)         bool      True/False (0/1 from SQLite)
  datetime ticks (int)             timespan  ticks (int)
  dynamic the parsed JSON value    guid      lower-case str
  null    None

Query API cells follow PROTOCOLS §3.4: datetime and timespan as strings,
dynamic as the JSON value encoded in a string (a string that does not parse is
taken as the string itself, which is what the Azure SDKs do). A cell that does
not fit its type stays as ("bad <type>", cell) so that it can never compare
equal. Reals match within a relative tolerance of 1e-9 (sums and averages of
reals depend on the order of additions). Rows compare as multisets unless the
case says its order is defined.
"""

import json
import math

import ktime

REL_TOL = 1e-9


def _bad(typ, v):
    return ("bad " + typ, repr(v))


def actual_cell(typ, v):
    if v is None:
        return None
    if typ == "string":
        return v if isinstance(v, str) else _bad(typ, v)
    if typ in ("int", "long"):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v != int(v):
            return _bad(typ, v)
        return int(v)
    if typ == "real":
        if isinstance(v, bool):
            return _bad(typ, v)
        if isinstance(v, (int, float)):
            return float(v)
        if v in ("NaN", "Infinity", "-Infinity"):
            return float(v.replace("Infinity", "inf"))
        return _bad(typ, v)
    if typ == "bool":
        return v if isinstance(v, bool) else _bad(typ, v)
    if typ == "datetime":
        t = ktime.parse_iso(v) if isinstance(v, str) else None
        return _bad(typ, v) if t is None else t
    if typ == "timespan":
        t = ktime.parse_timespan(v) if isinstance(v, str) else None
        return _bad(typ, v) if t is None else t
    if typ == "dynamic":
        if isinstance(v, str):
            try:
                return json.loads(v)
            except ValueError:
                return v
        return v
    if typ == "guid":
        return v.lower() if isinstance(v, str) else _bad(typ, v)
    return _bad(typ, v)


def expected_cell(typ, v):
    if v is None:
        return None
    if typ == "bool":
        return bool(v)
    if typ == "real":
        return float(v)
    if typ in ("int", "long", "datetime", "timespan"):
        return int(v)
    if typ == "dynamic":
        return json.loads(v) if isinstance(v, str) else v
    if typ == "guid":
        return v.lower()
    return v


def _sorted_json(values):
    return sorted(values, key=lambda x: json.dumps(x, sort_keys=True))


def canon_rows(rows, types, cell, set_cols=(), bag_cols=()):
    out = []
    for r in rows:
        c = [cell(t, v) for t, v in zip(types, r)]
        for i in list(set_cols) + list(bag_cols):
            if isinstance(c[i], list):
                c[i] = _sorted_json(c[i])
        out.append(tuple(c))
    return out


def values_equal(a, b):
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        if isinstance(a, bool) or isinstance(b, bool):
            return False
        if not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
            return False
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b or abs(a - b) <= REL_TOL * max(abs(a), abs(b))
    if type(a) is bool or type(b) is bool:
        return type(a) is type(b) and a == b
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(values_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b or (
        isinstance(a, int) and isinstance(b, int) and a == b)


def rows_equal(a, b):
    return len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b))


def _key(v):
    if v is None:
        return (0, 0, "")
    if isinstance(v, bool):
        return (1, 0, str(v))
    if isinstance(v, (int, float)):
        if isinstance(v, float) and math.isnan(v):
            return (2, 0, "nan")
        # Reals sort by their value to 12 significant digits: close enough
        # that sums added in another order still pair up, fine enough that
        # distinct values (714285716.43 and 714285715.71) never tie.
        return (2, v, "") if isinstance(v, int) else (2, float("%.12g" % v), "")
    if isinstance(v, str):
        return (3, 0, v)
    return (4, 0, json.dumps(v, sort_keys=True, default=str))


def row_key(r):
    return tuple(_key(v) for v in r)


def fmt_cell(typ, v):
    if v is None:
        return "null"
    if isinstance(v, tuple) and len(v) == 2 and str(v[0]).startswith("bad "):
        return "<%s %s>" % v
    if typ == "datetime" and isinstance(v, int):
        return ktime.iso(v)
    if typ == "timespan" and isinstance(v, int):
        return ktime.format_timespan(v)
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False)
    return repr(v)


def fmt_row(types, r):
    return "[" + ", ".join(fmt_cell(t, v) for t, v in zip(types, r)) + "]"


def diff(expected, actual, types, ordered, limit=3):
    """None when equal, else a short multi-line description."""
    if ordered:
        n = min(len(expected), len(actual))
        for i in range(n):
            if not rows_equal(expected[i], actual[i]):
                return ("row %d differs (of %d expected, %d got):\n      want %s\n      got  %s" %
                        (i, len(expected), len(actual), fmt_row(types, expected[i]),
                         fmt_row(types, actual[i])))
        if len(expected) != len(actual):
            extra = (actual[n:] if len(actual) > n else expected[n:])[:limit]
            which = "unexpected" if len(actual) > n else "missing"
            return "%d rows expected, %d got; %s: %s" % (
                len(expected), len(actual), which,
                "; ".join(fmt_row(types, r) for r in extra))
        return None
    e = sorted(expected, key=row_key)
    a = sorted(actual, key=row_key)
    if len(e) == len(a) and all(rows_equal(x, y) for x, y in zip(e, a)):
        return None
    # Multiset difference: bucket by tolerant key, then match exactly.
    buckets = {}
    for s in a:
        buckets.setdefault(row_key(s), []).append(s)
    missing = []
    for r in e:
        bucket = buckets.get(row_key(r), [])
        for j, s in enumerate(bucket):
            if rows_equal(r, s):
                del bucket[j]
                break
        else:
            missing.append(r)
    unexpected = [s for b in buckets.values() for s in b]
    if not missing and not unexpected:
        return None
    lines = ["%d rows expected, %d got" % (len(e), len(a))]
    if missing:
        lines.append("      missing    " + "\n                 ".join(
            fmt_row(types, r) for r in missing[:limit]) +
            ("  (+%d more)" % (len(missing) - limit) if len(missing) > limit else ""))
    if unexpected:
        lines.append("      unexpected " + "\n                 ".join(
            fmt_row(types, r) for r in unexpected[:limit]) +
            ("  (+%d more)" % (len(unexpected) - limit) if len(unexpected) > limit else ""))
    return "\n".join(lines)
