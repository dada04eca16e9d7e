import unittest
from ranking import second_largest


class TestSecondLargest(unittest.TestCase):
    def test_plain(self):
        self.assertEqual(second_largest([1, 4, 2]), 2)

    def test_duplicates(self):
        self.assertEqual(second_largest([5, 5, 3]), 3)
        self.assertEqual(second_largest([-1, -1, -2, -2]), -2)

    def test_none(self):
        self.assertIsNone(second_largest([7, 7]))
        self.assertIsNone(second_largest([1]))
        self.assertIsNone(second_largest([]))
