import unittest
from lexer import tokenize


class TestTokenize(unittest.TestCase):
    def test_example(self):
        self.assertEqual(tokenize("12 + 3.5*(40-1)"), ["12", "+", "3.5", "*", "(", "40", "-", "1", ")"])

    def test_whitespace(self):
        self.assertEqual(tokenize("\t7\n/ 2 "), ["7", "/", "2"])
        self.assertEqual(tokenize(""), [])

    def test_adjacent_numbers(self):
        self.assertEqual(tokenize("1 2"), ["1", "2"])

    def test_junk(self):
        for bad in ("2 $ 3", "a+1", "1.2.3"):
            with self.assertRaises(ValueError, msg=bad):
                tokenize(bad)
