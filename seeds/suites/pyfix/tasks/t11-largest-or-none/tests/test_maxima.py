import unittest
from maxima import largest


class TestLargest(unittest.TestCase):
    def test_values(self):
        self.assertEqual(largest([3, 9, 2]), 9)
        self.assertEqual(largest([-5, -2]), -2)

    def test_empty(self):
        self.assertIsNone(largest([]))
