import unittest
from bsearch import find


class TestFind(unittest.TestCase):
    def test_every_position(self):
        items = [1, 3, 4, 6, 8, 9, 11]
        for i, v in enumerate(items):
            self.assertEqual(find(items, v), i)

    def test_single(self):
        self.assertEqual(find([6], 6), 0)

    def test_missing(self):
        for v in (0, 2, 7, 12):
            with self.assertRaises(ValueError):
                find([1, 3, 4, 6, 8, 9, 11], v)
        with self.assertRaises(ValueError):
            find([], 1)

    def test_large(self):
        items = list(range(0, 200000, 2))
        self.assertEqual(find(items, 123456), 61728)
