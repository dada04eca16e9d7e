import json
import math
import unittest

FUNCTION = "factorial(n)"
SPEC = 'Return n! = 1 * 2 * ... * n for an integer n >= 0, with factorial(0) == 1.'
CASES = [[0], [1], [2], [3], [5], [10]]
EXPECTED = [1, 1, 2, 6, 120, 3628800]


def same(have, want):
    if isinstance(have, bool) != isinstance(want, bool):
        return False
    if isinstance(want, float) and isinstance(have, (int, float)):
        return math.isclose(have, want, rel_tol=1e-9, abs_tol=1e-9)
    return have == want


class TestOutput(unittest.TestCase):
    def test_output(self):
        with open("output.json") as f:
            got = json.load(f)
        self.assertIsInstance(got, list, "output.json must hold a list")
        self.assertEqual(len(got), len(CASES), "output.json must hold one result per case")
        wrong = []
        for args, want, have in zip(CASES, EXPECTED, got):
            if not same(have, want):
                call = "factorial(%s)" % ", ".join(json.dumps(a) for a in args)
                wrong.append("  %s returned %s, expected %s" % (call, json.dumps(have), json.dumps(want)))
        if wrong:
            self.fail("%s in funcs/factorial.py is wrong. %s\n%s" % (FUNCTION, SPEC, "\n".join(wrong)))


if __name__ == "__main__":
    unittest.main()
