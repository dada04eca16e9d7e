import unittest
from words import is_anagram


class TestIsAnagram(unittest.TestCase):
    def test_yes(self):
        self.assertTrue(is_anagram("listen", "silent"))
        self.assertTrue(is_anagram("Dormitory", "dirty room"))

    def test_counts_matter(self):
        self.assertFalse(is_anagram("aab", "abb"))
        self.assertFalse(is_anagram("abc", "abcc"))

    def test_no(self):
        self.assertFalse(is_anagram("abc", "abd"))
