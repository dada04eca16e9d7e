import unittest
from stack_calc import rpn


class TestRPN(unittest.TestCase):
    def test_example(self):
        self.assertEqual(rpn("5 1 2 + 4 * + 3 -"), 14)

    def test_order(self):
        self.assertEqual(rpn("10 4 -"), 6)
        self.assertEqual(rpn("8 2 /"), 4)
        self.assertEqual(rpn("2 8 /"), 0.25)

    def test_negative_number(self):
        self.assertEqual(rpn("-3 4 *"), -12)

    def test_malformed(self):
        for bad in ("", "1 +", "1 2", "1 2 x", "+"):
            with self.assertRaises(ValueError, msg=bad):
                rpn(bad)
