import unittest
from sums import sum_to


class TestSumTo(unittest.TestCase):
    def test_small(self):
        self.assertEqual(sum_to(1), 1)
        self.assertEqual(sum_to(3), 6)

    def test_zero(self):
        self.assertEqual(sum_to(0), 0)

    def test_larger(self):
        self.assertEqual(sum_to(100), 5050)
