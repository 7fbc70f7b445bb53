#!/usr/bin/env python3
"""Tests of the harness itself: the oracle's KQL rules against the examples of
the KQL documentation, the cell decoding of Query API answers, and that a
wrong answer is reported. No node needed: `python3 -m unittest test_harness`."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402
import gen  # noqa: E402
import ktime  # noqa: E402
import oracle  # noqa: E402
import queries  # noqa: E402
import run  # noqa: E402
from ktime import DAY, HOUR  # noqa: E402


def T(text):
    return ktime.parse_iso(text)


class TermRules(unittest.TestCase):
    def test_doc_example_terms(self):
        s = "Kusto: ad67d136-c1db-4f9f-88ef-d94f3b6b0b5a;KustoExplorerQueryRun"
        self.assertFalse(oracle.has(s, "Explorer"))
        self.assertTrue(oracle.contains(s, "Explorer"))
        self.assertTrue(oracle.has(s, "kustoexplorerqueryrun"))
        self.assertFalse(oracle.has(s, "kustoexplorerqueryrun", cs=True))
        self.assertTrue(oracle.has(s, "c1db"))

    def test_non_ascii_bytes_are_term_characters(self):
        self.assertTrue(oracle.has("Benutzer Müller hat", "müller"))
        self.assertFalse(oracle.has("Benutzer Müller hat", "ller"))
        # ASCII folding only: Ü and ü are different letters.
        self.assertFalse(oracle.has("ÜBERLAST auf", "überlast"))
        self.assertTrue(oracle.has("ÜBERLAST auf", "Überlast"))
        self.assertFalse(oracle.eq_ci("Ü", "ü"))

    def test_prefix_suffix(self):
        self.assertTrue(oracle.has_prefix("Disconnected from", "DISCONN"))
        self.assertFalse(oracle.has_prefix("Disconnected from", "DISCONN", cs=True))
        self.assertTrue(oracle.has_suffix("session opened", "SSION"))
        self.assertFalse(oracle.has_suffix("sessions", "ssion"))

    def test_phrase_readings_must_agree(self):
        self.assertTrue(oracle.has("SRC=10.1.2.3 DST", "10.1.2.3"))
        self.assertFalse(oracle.has("from 10.1.2.30 port", "10.1.2.3"))
        self.assertFalse(oracle.has("from 110.1.2.3 port", "10.1.2.3"))
        with self.assertRaises(oracle.PremiseError):
            oracle.has("a b", "a-b")


class Functions(unittest.TestCase):
    def test_countof_doc_examples(self):
        self.assertEqual(oracle.countof("aaa", "a"), 3)
        self.assertEqual(oracle.countof("aaaa", "aa"), 3)
        self.assertEqual(oracle.countof("ababa", "ab"), 2)
        self.assertEqual(oracle.countof("ababa", "aba"), 2)
        self.assertEqual(oracle.countof("ababa", "aba", "regex"), 1)
        self.assertEqual(oracle.countof("abcabc", "a.c", "regex"), 2)

    def test_datetime_diff_doc_examples(self):
        d = oracle.datetime_diff
        self.assertEqual(d("year", T("2017-01-01T00:00"), T("2000-12-31T00:00")), 17)
        self.assertEqual(d("quarter", T("2017-07-01T00:00"), T("2017-03-30T00:00")), 2)
        self.assertEqual(d("month", T("2017-01-01T00:00"), T("2015-12-30T00:00")), 13)
        self.assertEqual(d("week", T("2017-10-29T00:00"), T("2017-09-30T23:59")), 5)
        self.assertEqual(d("day", T("2017-10-29T00:00"), T("2017-09-30T23:59")), 29)
        self.assertEqual(d("hour", T("2017-10-31T01:00"), T("2017-10-30T23:59")), 2)
        self.assertEqual(d("minute", T("2017-10-30T23:05:01"), T("2017-10-30T23:00:59")), 5)
        self.assertEqual(d("second", T("2017-10-30T23:00:10.100"), T("2017-10-30T23:00:00.900")),
                         10)
        self.assertEqual(d("millisecond", T("2017-10-30T23:00:00.200100"),
                           T("2017-10-30T23:00:00.100900")), 100)

    def test_calendar(self):
        t = T("2017-10-31T13:14:15.1234567Z")  # a Tuesday
        self.assertEqual(oracle.startofweek(t), T("2017-10-29T00:00"))
        self.assertEqual(oracle.dayofweek(t), 2 * DAY)
        self.assertEqual(oracle.startofmonth(t), T("2017-10-01T00:00"))
        self.assertEqual(oracle.startofyear(t), T("2017-01-01T00:00"))
        self.assertEqual(oracle.endofday(t), T("2017-10-31T23:59:59.9999999"))
        self.assertEqual(oracle.datetime_add("month", 1, T("2017-01-31T00:00")),
                         T("2017-02-28T00:00"))
        self.assertEqual(oracle.format_datetime(t, "yy-M-d h:mm tt"), "17-10-31 1:14 PM")
        self.assertEqual(oracle.format_datetime(t, "HH:mm:ss.fffffff"), "13:14:15.1234567")
        self.assertEqual(oracle.datetime_part("dayofyear", t), 304)

    def test_bin_floors(self):
        self.assertEqual(oracle.kbin(-5, 10), -10)
        self.assertEqual(oracle.kbin(25, 10), 20)
        self.assertEqual(oracle.kbin(249.9, 250.0), 0.0)
        self.assertEqual(oracle.trunc_div(-495, 7), -70)
        mod = oracle._FUNCS["k_mod"][1]
        self.assertEqual([mod(14, 12), mod(-14, 12), mod(14, -12), mod(-14, -12)], [2, 10, 2, 10])

    def test_round_ties_are_premise_errors(self):
        self.assertEqual(oracle.kround(2.0 / 7, 2), 0.29)
        with self.assertRaises(oracle.PremiseError):
            oracle.kround(2.5, 0)

    def test_percentile_nearest_rank(self):
        self.assertEqual(oracle.percentile_nearest_rank([1] * 10 + [2] * 80 + [3] * 10, 50), 2)
        with self.assertRaises(oracle.PremiseError):
            oracle.percentile_nearest_rank(list(range(100)), 50)


class Cells(unittest.TestCase):
    def test_datetime_and_timespan_cells(self):
        self.assertEqual(compare.actual_cell("datetime", "2024-06-10T06:13:20.1230000Z"),
                         T("2024-06-10T06:13:20.123Z"))
        self.assertEqual(compare.actual_cell("datetime", "2024-06-10T06:13:20Z"),
                         T("2024-06-10T06:13:20Z"))
        self.assertEqual(compare.actual_cell("timespan", "1.02:03:04.5000000"),
                         DAY + 2 * HOUR + 3 * 60 * 10**7 + 4 * 10**7 + 5 * 10**6)
        self.assertEqual(compare.actual_cell("timespan", "-00:00:01"), -10**7)
        self.assertEqual(ktime.format_timespan(DAY + 5), "1.00:00:00.0000005")

    def test_typed_cells_must_fit(self):
        self.assertIsInstance(compare.actual_cell("bool", 1), tuple)
        self.assertIsInstance(compare.actual_cell("long", "5"), tuple)
        self.assertIsInstance(compare.actual_cell("datetime", "yesterday"), tuple)
        self.assertEqual(compare.actual_cell("dynamic", '{"a":[1,2]}'), {"a": [1, 2]})
        self.assertEqual(compare.actual_cell("dynamic", "westeurope"), "westeurope")
        self.assertEqual(compare.actual_cell("guid", "ABC"), "abc")

    def test_diffs(self):
        types = ["string", "long", "real"]
        self.assertIsNone(compare.diff([("a", 1, 1.0)], [("a", 1, 1.0 + 1e-12)], types, False))
        self.assertIsNotNone(compare.diff([("a", 1, 1.0)], [("a", 1, 1.001)], types, False))
        self.assertIsNotNone(compare.diff([("a", 1, 1.0)], [("a", 1, 1.0)] * 2, types, False))
        self.assertIsNone(compare.diff([("a", 1, None), ("b", 2, 0.5)],
                                       [("b", 2, 0.5), ("a", 1, None)], types, False))
        self.assertIsNotNone(compare.diff([("a", 1, None), ("b", 2, 0.5)],
                                          [("b", 2, 0.5), ("a", 1, None)], types, True))


class Response:
    def __init__(self, status, body):
        import json
        self.status = status
        self.body = json.dumps(body).encode()

    def json(self):
        import json
        return json.loads(self.body)

    def text(self):
        return self.body.decode()


class Check(unittest.TestCase):
    """run.check() on hand-made answers: right ones pass, wrong ones fail."""

    case = queries.Case("t/x", "T | summarize n = count() by k", "k:string, n:long",
                        sql="SELECT 1")

    def answer(self, cols, rows):
        return Response(200, {"tables": [{"name": "PrimaryResult", "columns": [
            {"name": n, "type": t} for n, t in cols], "rows": rows}]})

    def test_right_answer_passes(self):
        ok, _ = run.check(self.case, [("a", 1), ("b", 2)],
                          self.answer([("k", "string"), ("n", "long")], [["b", 2], ["a", 1]]))
        self.assertTrue(ok)

    def test_wrong_value_type_name_or_error_fails(self):
        exp = [("a", 1), ("b", 2)]
        for cols, rows in [([("k", "string"), ("n", "long")], [["b", 2], ["a", 2]]),
                           ([("k", "string"), ("n", "int")], [["b", 2], ["a", 1]]),
                           ([("k", "string"), ("count_", "long")], [["b", 2], ["a", 1]]),
                           ([("k", "string"), ("n", "long")], [["b", 2]])]:
            ok, detail = run.check(self.case, exp, self.answer(cols, rows))
            self.assertFalse(ok, (cols, rows))
            self.assertTrue(detail)
        ok, detail = run.check(self.case, exp, Response(400, {"error": {
            "code": "BadArgumentError", "message": "nope", "innererror": {"code": "SyntaxError"}}}))
        self.assertFalse(ok)
        self.assertIn("SyntaxError", detail)

    def test_mutated_expectation_fails(self):
        exp = [("a", 1), ("b", 2)]
        resp = self.answer([("k", "string"), ("n", "long")], [["a", 1], ["b", 2]])
        for m in run.mutations(exp, ["string", "long"]):
            self.assertFalse(run.check(self.case, m, resp)[0], m)


class FakeClient:
    """Answers every query with one fixed response."""

    def __init__(self, resp):
        self.resp = resp

    def query(self, *a, **kw):
        return self.resp


class FakeOracle:
    def sql(self, text):
        return [("a", 1)]


class Markers(unittest.TestCase):
    """Known-bug and not-yet markers are strict both ways."""

    ids = {"workspaces": {"diff-a": "ws-a"}}
    right = Check.answer(None, [("k", "string"), ("n", "long")], [["a", 1]])
    wrong = Check.answer(None, [("k", "string"), ("n", "long")], [["a", 2]])
    unsupported = Response(400, {"error": {"code": "BadArgumentError",
                                           "message": "'join' is not supported",
                                           "innererror": {"code": "SemanticError"}}})

    def outcome(self, resp, **kw):
        case = queries.Case("t/x", "T", "k:string, n:long", sql="SELECT 1", **kw)
        out = run.run_cases(FakeClient(resp), FakeOracle(), self.ids, [case], 1, True, "tok")
        return out[0].status

    def test_bug_marker(self):
        self.assertEqual(self.outcome(self.wrong, bug="engine bug: x"), "bug")
        self.assertEqual(self.outcome(self.unsupported, bug="engine bug: x"), "bug")
        self.assertEqual(self.outcome(self.right, bug="engine bug: x"), "xpass")

    def test_xfail_marker(self):
        self.assertEqual(self.outcome(self.unsupported, xfail="later"), "xfail")
        self.assertEqual(self.outcome(self.wrong, xfail="later"), "fail")
        self.assertEqual(self.outcome(self.right, xfail="later"), "xpass")

    def test_unmarked(self):
        self.assertEqual(self.outcome(self.right), "pass")
        self.assertEqual(self.outcome(self.wrong), "fail")


class Data(unittest.TestCase):
    def test_generator_is_deterministic_and_respects_quiet_windows(self):
        base = T("2024-06-10T12:00:00Z")
        a = gen.generate(7, base, small=True)
        b = gen.generate(7, base, small=True)
        for (_, t1), (_, t2) in zip(a.tables(), b.tables()):
            self.assertEqual(t1.rows, t2.rows)
        for _, t in a.tables():
            for r in t.rows:
                self.assertTrue(base - gen.SPAN <= r[0] < base - gen.NEWEST)
                self.assertFalse(any(lo <= r[0] < hi for lo, hi in a.quiet))
                self.assertNotEqual(r[0] % 10_000, gen.BOUNDARY_TICKS)

    def test_cases_are_well_formed(self):
        ds = gen.generate(1, T("2024-06-10T12:00:00Z"), small=True)
        cs = queries.cases(queries.Ctx(ds))
        self.assertGreaterEqual(len(cs), 150)
        for c in cs:
            for name, typ in c.cols:
                self.assertIn(typ, ("string", "int", "long", "real", "bool", "datetime",
                                    "timespan", "dynamic", "guid"), c.name)


if __name__ == "__main__":
    unittest.main()
