import unittest
from signs import count_positive


class TestCountPositive(unittest.TestCase):
    def test_counts(self):
        self.assertEqual(count_positive([1, -2, 0, 5]), 2)
        self.assertEqual(count_positive([0, 0]), 0)
        self.assertEqual(count_positive([]), 0)
