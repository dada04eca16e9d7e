import unittest
from nested import flatten


class TestFlatten(unittest.TestCase):
    def test_lists(self):
        self.assertEqual(flatten([[1, 2], [3], []]), [1, 2, 3])

    def test_mixed(self):
        self.assertEqual(flatten([0, [1, 2], 3]), [0, 1, 2, 3])

    def test_one_level(self):
        self.assertEqual(flatten([[1, [2]], 3]), [1, [2], 3])

    def test_strings_are_values(self):
        self.assertEqual(flatten(["ab", ["c"]]), ["ab", "c"])
