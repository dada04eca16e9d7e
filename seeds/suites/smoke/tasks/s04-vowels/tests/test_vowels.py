import unittest

from vowels import count_vowels


class TestVowels(unittest.TestCase):
    def test_lower(self):
        self.assertEqual(count_vowels("banana"), 3)

    def test_upper(self):
        self.assertEqual(count_vowels("AEIOU xyz"), 5)

    def test_none(self):
        self.assertEqual(count_vowels("rhythm"), 0)


if __name__ == "__main__":
    unittest.main()
