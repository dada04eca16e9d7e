import json
import math
import unittest

FUNCTION = "clamp(x, lo, hi)"
SPEC = 'Return lo if x is below lo, hi if x is above hi, and x otherwise.'
CASES = [[5, 0, 10], [-3, 0, 10], [15, 0, 10], [0, 0, 10], [10, 0, 10], [7, 7, 7], [2.5, 1, 3]]
EXPECTED = [5, 0, 10, 0, 10, 7, 2.5]


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
                call = "clamp(%s)" % ", ".join(json.dumps(a) for a in args)
                wrong.append("  %s returned %s, expected %s" % (call, json.dumps(have), json.dumps(want)))
        if wrong:
            self.fail("%s in funcs/clamp.py is wrong. %s\n%s" % (FUNCTION, SPEC, "\n".join(wrong)))


if __name__ == "__main__":
    unittest.main()
