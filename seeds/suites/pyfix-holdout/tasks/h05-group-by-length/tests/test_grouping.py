import unittest
from grouping import group_by_length


class TestGroupByLength(unittest.TestCase):
    def test_example(self):
        self.assertEqual(group_by_length(["bb", "a", "cc", "bb"]), {1: ["a"], 2: ["bb", "cc"]})

    def test_sorted(self):
        self.assertEqual(group_by_length(["pear", "fig", "kiwi", "apple", "date"]),
                         {3: ["fig"], 4: ["date", "kiwi", "pear"], 5: ["apple"]})

    def test_empty(self):
        self.assertEqual(group_by_length([]), {})
