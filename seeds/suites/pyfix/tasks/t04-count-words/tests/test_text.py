import unittest
from text import count_words


class TestCountWords(unittest.TestCase):
    def test_simple(self):
        self.assertEqual(count_words("the quick brown fox"), 4)

    def test_whitespace(self):
        self.assertEqual(count_words("  a\tb\n\nc  "), 3)

    def test_blank(self):
        self.assertEqual(count_words(""), 0)
        self.assertEqual(count_words("   "), 0)
