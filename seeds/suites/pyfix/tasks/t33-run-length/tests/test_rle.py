import unittest
from rle import decode, encode


class TestRLE(unittest.TestCase):
    def test_encode(self):
        self.assertEqual(encode("aaabcc"), "3a1b2c")
        self.assertEqual(encode(""), "")
        self.assertEqual(encode("x" * 12), "12x")

    def test_decode(self):
        self.assertEqual(decode("3a1b2c"), "aaabcc")
        self.assertEqual(decode("12x1y"), "x" * 12 + "y")
        self.assertEqual(decode(""), "")

    def test_round_trip(self):
        for s in ("a", "abc", "zzzzzzzzzzzzzzzzzzzzzzzz!!", "  tt  ", "a" * 105 + "b"):
            self.assertEqual(decode(encode(s)), s)
