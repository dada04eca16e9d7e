import unittest
from lists import dedupe


class TestDedupe(unittest.TestCase):
    def test_order(self):
        self.assertEqual(dedupe([3, 1, 3, 2, 1]), [3, 1, 2])

    def test_strings(self):
        self.assertEqual(dedupe(["b", "a", "b", "c", "a"]), ["b", "a", "c"])

    def test_empty(self):
        self.assertEqual(dedupe([]), [])

    def test_input_untouched(self):
        data = [5, 5, 4]
        dedupe(data)
        self.assertEqual(data, [5, 5, 4])
