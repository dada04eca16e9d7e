import unittest
from pairs import parse_pairs


class TestParsePairs(unittest.TestCase):
    def test_basic(self):
        self.assertEqual(parse_pairs("a=1;b=2"), {"a": "1", "b": "2"})

    def test_spaces(self):
        self.assertEqual(parse_pairs(" a = 1 ; b= 2"), {"a": "1", "b": "2"})

    def test_empty_segments(self):
        self.assertEqual(parse_pairs("a=1;;b=2;"), {"a": "1", "b": "2"})
        self.assertEqual(parse_pairs(""), {})

    def test_equals_in_value(self):
        self.assertEqual(parse_pairs("expr=x=y"), {"expr": "x=y"})
