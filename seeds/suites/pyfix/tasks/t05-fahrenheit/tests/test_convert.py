import unittest
from convert import to_celsius


class TestToCelsius(unittest.TestCase):
    def test_fixed_points(self):
        self.assertAlmostEqual(to_celsius(32), 0)
        self.assertAlmostEqual(to_celsius(212), 100)

    def test_minus_forty(self):
        self.assertAlmostEqual(to_celsius(-40), -40)

    def test_body(self):
        self.assertAlmostEqual(to_celsius(98.6), 37, places=6)
