import unittest
from wrapping import wrap


class TestWrap(unittest.TestCase):
    def test_greedy(self):
        self.assertEqual(wrap("the quick brown fox jumps over the lazy dog", 10),
                         ["the quick", "brown fox", "jumps over", "the lazy", "dog"])

    def test_exact_fit(self):
        self.assertEqual(wrap("aaa bbb", 7), ["aaa bbb"])
        self.assertEqual(wrap("aaa bbb", 6), ["aaa", "bbb"])

    def test_long_word(self):
        self.assertEqual(wrap("a verylongword b", 5), ["a", "verylongword", "b"])

    def test_whitespace(self):
        self.assertEqual(wrap("  one\n two\tthree  ", 20), ["one two three"])
        self.assertEqual(wrap("   ", 5), [])
