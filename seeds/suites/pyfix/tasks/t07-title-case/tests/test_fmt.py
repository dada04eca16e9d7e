import unittest
from fmt import title_words


class TestTitleWords(unittest.TestCase):
    def test_two_words(self):
        self.assertEqual(title_words("hello WORLD"), "Hello World")

    def test_one_word(self):
        self.assertEqual(title_words("pYTHON"), "Python")

    def test_empty(self):
        self.assertEqual(title_words(""), "")

    def test_many(self):
        self.assertEqual(title_words("a tale of two cities"), "A Tale Of Two Cities")
