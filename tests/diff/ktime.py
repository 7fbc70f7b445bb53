"""KQL time values for the differential tests.

Every datetime in the harness is an integer count of 100 ns ticks since the
Unix epoch (KQL counts ticks from 0001-01-01; the offset is a whole number of
days, so floors to any divisor of a day agree), and every timespan is an
integer count of ticks. This module converts between ticks and the text forms
that cross the wire: ISO 8601 for ingestion and for Query API cells, KQL
`datetime(...)` literals, and the `[-][d.]hh:mm:ss[.fffffff]` timespan cells.

It is written from the KQL documentation, not from sealog's code.
"""

import datetime as _dt
import re

TICK = 1
US = 10
MS = 10_000
SEC = 10_000_000
MIN = 60 * SEC
HOUR = 60 * MIN
DAY = 24 * HOUR

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)


def to_datetime(ticks):
    """Python datetime (microsecond precision) and the 100 ns remainder."""
    return _EPOCH + _dt.timedelta(microseconds=ticks // US), ticks % US


def from_parts(year, month, day, hour=0, minute=0, second=0, frac_ticks=0):
    d = _dt.datetime(year, month, day, hour, minute, second, tzinfo=_dt.timezone.utc)
    return (d - _EPOCH) // _dt.timedelta(microseconds=1) * US + frac_ticks


def from_datetime(d):
    """Ticks of an aware or naive-UTC Python datetime."""
    if d.tzinfo is None:
        d = d.replace(tzinfo=_dt.timezone.utc)
    return (d - _EPOCH) // _dt.timedelta(microseconds=1) * US


def iso(ticks):
    """2024-06-10T06:13:20.1230000Z: always seven fractional digits."""
    d, rem = to_datetime(ticks)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%06d%dZ" % (
        d.year, d.month, d.day, d.hour, d.minute, d.second, d.microsecond, rem)


def kql(ticks):
    """A KQL datetime literal for ticks."""
    return "datetime(%s)" % iso(ticks)


_ISO_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?"
    r"(Z|[+-]\d{2}:?\d{2})?$")


_DAYS = {}


def _fast_iso(text):
    """YYYY-MM-DDTHH:MM:SS[.f{1,7}]Z, the shape every sealog cell has, without a regex."""
    n = len(text)
    if n < 20 or text[-1] != "Z" or text[10] != "T" or text[13] != ":" or text[16] != ":":
        return None
    day = _DAYS.get(text[:10])
    if day is None:
        try:
            day = from_parts(int(text[0:4]), int(text[5:7]), int(text[8:10]))
        except ValueError:
            return None
        if len(_DAYS) < 100_000:
            _DAYS[text[:10]] = day
    frac = text[20:-1] if n > 20 else ""
    if (n > 20 and text[19] != ".") or len(frac) > 7 or not (text[11:13] + text[14:16] +
                                                               text[17:19] + frac).isdigit():
        return None
    return (day + int(text[11:13]) * HOUR + int(text[14:16]) * MIN + int(text[17:19]) * SEC
            + (int(frac.ljust(7, "0")) if frac else 0))


def parse_iso(text):
    """Ticks of an ISO 8601 date-time (a missing zone means UTC); None if malformed."""
    t = _fast_iso(text)
    if t is not None:
        return t
    m = _ISO_RE.match(text.strip())
    if not m:
        return None
    y, mo, d, h, mi = (int(m.group(i)) for i in range(1, 6))
    s = int(m.group(6) or 0)
    frac = (m.group(7) or "").ljust(7, "0")
    try:
        t = from_parts(y, mo, d, h, mi, s, int(frac))
    except ValueError:
        return None
    zone = m.group(8)
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        t -= sign * (int(digits[:2]) * HOUR + int(digits[2:]) * MIN)
    return t


_TS_RE = re.compile(r"^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$")


def parse_timespan(text):
    """Ticks of a Query API timespan cell ([-][d.]hh:mm:ss[.fffffff]); None if malformed."""
    m = _TS_RE.match(text.strip())
    if not m:
        return None
    days = int(m.group(2) or 0)
    t = (days * DAY + int(m.group(3)) * HOUR + int(m.group(4)) * MIN + int(m.group(5)) * SEC
         + int((m.group(6) or "").ljust(7, "0")))
    return -t if m.group(1) else t


def format_timespan(ticks):
    """The KQL text form, for diffs: [-][d.]hh:mm:ss[.fffffff]."""
    neg = ticks < 0
    t = -ticks if neg else ticks
    days, t = divmod(t, DAY)
    h, t = divmod(t, HOUR)
    m, t = divmod(t, MIN)
    s, frac = divmod(t, SEC)
    out = "%s%s%02d:%02d:%02d" % ("-" if neg else "", "%d." % days if days else "", h, m, s)
    return out + (".%07d" % frac if frac else "")


def floor_to(ticks, step):
    return ticks - ticks % step
