import json
import math
import unittest

FUNCTION = "celsius_to_fahrenheit(c)"
SPEC = 'Return the temperature c (degrees Celsius) in degrees Fahrenheit: c * 9 / 5 + 32.'
CASES = [[0], [100], [-40], [37], [21.5]]
EXPECTED = [32.0, 212.0, -40.0, 98.6, 70.7]


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
                call = "celsius_to_fahrenheit(%s)" % ", ".join(json.dumps(a) for a in args)
                wrong.append("  %s returned %s, expected %s" % (call, json.dumps(have), json.dumps(want)))
        if wrong:
            self.fail("%s in funcs/celsius_to_fahrenheit.py is wrong. %s\n%s" % (FUNCTION, SPEC, "\n".join(wrong)))


if __name__ == "__main__":
    unittest.main()
