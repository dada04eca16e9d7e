import unittest
from stats import average


class TestAverage(unittest.TestCase):
    def test_whole(self):
        self.assertEqual(average([2, 4, 6]), 4.0)

    def test_fraction(self):
        self.assertAlmostEqual(average([1, 2]), 1.5)
        self.assertAlmostEqual(average([1, 2, 2]), 5 / 3)

    def test_empty(self):
        self.assertEqual(average([]), 0.0)

    def test_type(self):
        self.assertIsInstance(average([1, 3]), float)
