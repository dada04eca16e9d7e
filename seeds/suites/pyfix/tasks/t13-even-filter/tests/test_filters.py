import unittest
from filters import evens


class TestEvens(unittest.TestCase):
    def test_mixed(self):
        self.assertEqual(evens([1, 2, 3, 4, 5, 6]), [2, 4, 6])

    def test_negative_and_zero(self):
        self.assertEqual(evens([-3, -2, 0, 7]), [-2, 0])

    def test_none(self):
        self.assertEqual(evens([1, 3]), [])
