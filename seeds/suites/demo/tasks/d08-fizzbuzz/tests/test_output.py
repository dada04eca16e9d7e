import json
import math
import unittest

FUNCTION = "fizzbuzz(n)"
SPEC = 'Return "FizzBuzz" if n is divisible by both 3 and 5, "Fizz" if only by 3, "Buzz" if only by 5, and otherwise n as a string (for example "7").'
CASES = [[1], [3], [5], [15], [30], [7], [9], [10]]
EXPECTED = ['1', 'Fizz', 'Buzz', 'FizzBuzz', 'FizzBuzz', '7', 'Fizz', 'Buzz']


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
                call = "fizzbuzz(%s)" % ", ".join(json.dumps(a) for a in args)
                wrong.append("  %s returned %s, expected %s" % (call, json.dumps(have), json.dumps(want)))
        if wrong:
            self.fail("%s in funcs/fizzbuzz.py is wrong. %s\n%s" % (FUNCTION, SPEC, "\n".join(wrong)))


if __name__ == "__main__":
    unittest.main()
