import unittest
from people import is_adult


class TestIsAdult(unittest.TestCase):
    def test_boundary(self):
        self.assertTrue(is_adult(18))

    def test_below_and_above(self):
        self.assertFalse(is_adult(17))
        self.assertFalse(is_adult(0))
        self.assertTrue(is_adult(40))
