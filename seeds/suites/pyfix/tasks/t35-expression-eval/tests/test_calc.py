import unittest
from calc import evaluate


class TestEvaluate(unittest.TestCase):
    def test_precedence(self):
        self.assertEqual(evaluate("1 + 2 * 3"), 7)
        self.assertEqual(evaluate("(1 + 2) * 3"), 9)
        self.assertEqual(evaluate("10 - 4 - 3"), 3)
        self.assertEqual(evaluate("64 / 4 / 2"), 8)

    def test_decimals_and_division(self):
        self.assertAlmostEqual(evaluate("2.5 * 4"), 10)
        self.assertAlmostEqual(evaluate("7 / 2"), 3.5)

    def test_unary(self):
        self.assertEqual(evaluate("-3 + 5"), 2)
        self.assertEqual(evaluate("2 * -(1 + 1)"), -4)
        self.assertEqual(evaluate("--4"), 4)

    def test_nested(self):
        self.assertEqual(evaluate(" ((2)) * ((3 + 4) * (1 - 2)) "), -14)

    def test_errors(self):
        for bad in ("", "1 +", "(1 + 2", "1 + 2)", "2 ** 3", "abs(1)", "__import__('os')", "1 2", "()"):
            with self.assertRaises(ValueError, msg=bad):
                evaluate(bad)

    def test_division_by_zero(self):
        with self.assertRaises(ZeroDivisionError):
            evaluate("1 / (2 - 2)")
