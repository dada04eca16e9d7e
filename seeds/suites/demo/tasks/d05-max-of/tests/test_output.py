import json
import math
import unittest

FUNCTION = "max_of(numbers)"
SPEC = 'Return the largest number in the non-empty list numbers. The numbers may all be negative.'
CASES = [[[1, 5, 3]], [[-4, -2, -9]], [[7]], [[-1]], [[0, -1]], [[2, 2, 1]]]
EXPECTED = [5, -2, 7, -1, 0, 2]


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
                call = "max_of(%s)" % ", ".join(json.dumps(a) for a in args)
                wrong.append("  %s returned %s, expected %s" % (call, json.dumps(have), json.dumps(want)))
        if wrong:
            self.fail("%s in funcs/max_of.py is wrong. %s\n%s" % (FUNCTION, SPEC, "\n".join(wrong)))


if __name__ == "__main__":
    unittest.main()
