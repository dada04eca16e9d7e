import unittest
from histogram import letter_counts


class TestLetterCounts(unittest.TestCase):
    def test_case_folded(self):
        self.assertEqual(letter_counts("AaB"), {"a": 2, "b": 1})

    def test_ignores_non_letters(self):
        self.assertEqual(letter_counts("Hi, hi 42!"), {"h": 2, "i": 2})

    def test_empty(self):
        self.assertEqual(letter_counts(""), {})
