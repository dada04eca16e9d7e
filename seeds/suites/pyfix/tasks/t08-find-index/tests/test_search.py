import unittest
from search import find_first


class TestFindFirst(unittest.TestCase):
    def test_found(self):
        self.assertEqual(find_first([4, 7, 7, 1], 7), 1)
        self.assertEqual(find_first(["a"], "a"), 0)

    def test_missing(self):
        self.assertEqual(find_first([1, 2, 3], 9), -1)
        self.assertEqual(find_first([], 1), -1)
