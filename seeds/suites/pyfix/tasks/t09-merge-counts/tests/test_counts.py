import unittest
from counts import merge_counts


class TestMergeCounts(unittest.TestCase):
    def test_overlap(self):
        self.assertEqual(merge_counts({"x": 1, "y": 2}, {"y": 3, "z": 4}), {"x": 1, "y": 5, "z": 4})

    def test_empty(self):
        self.assertEqual(merge_counts({}, {"a": 1}), {"a": 1})
        self.assertEqual(merge_counts({}, {}), {})

    def test_inputs_untouched(self):
        a, b = {"k": 1}, {"k": 2}
        merge_counts(a, b)
        self.assertEqual(a, {"k": 1})
        self.assertEqual(b, {"k": 2})
