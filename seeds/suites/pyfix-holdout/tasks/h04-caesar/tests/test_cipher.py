import unittest
from cipher import caesar


class TestCaesar(unittest.TestCase):
    def test_simple(self):
        self.assertEqual(caesar("abc", 1), "bcd")

    def test_wrap_and_case(self):
        self.assertEqual(caesar("xyz XYZ", 3), "abc ABC")
        self.assertEqual(caesar("Hello, World!", 13), "Uryyb, Jbeyq!")

    def test_negative_and_large(self):
        self.assertEqual(caesar("abc", -1), "zab")
        self.assertEqual(caesar("abc", 27), "bcd")

    def test_round_trip(self):
        self.assertEqual(caesar(caesar("Mixed Case 123", 7), -7), "Mixed Case 123")
