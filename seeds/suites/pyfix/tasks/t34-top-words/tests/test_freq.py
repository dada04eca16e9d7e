import unittest
from freq import top_words


class TestTopWords(unittest.TestCase):
    def test_case_and_punctuation(self):
        self.assertEqual(top_words("The cat. the CAT, the dog!", 2), [("the", 3), ("cat", 2)])

    def test_ties_alphabetical(self):
        self.assertEqual(top_words("pear apple fig apple pear fig kiwi", 3),
                         [("apple", 2), ("fig", 2), ("pear", 2)])

    def test_apostrophes(self):
        self.assertEqual(top_words("don't stop, don't", 1), [("don't", 2)])

    def test_fewer_than_k(self):
        self.assertEqual(top_words("b a", 5), [("a", 1), ("b", 1)])
        self.assertEqual(top_words("", 3), [])
