import unittest
from report import column_sums


class TestColumnSums(unittest.TestCase):
    def test_plain(self):
        self.assertEqual(column_sums("a,b\n1,2\n3,4.5\n"), {"a": 4.0, "b": 6.5})

    def test_text_column_skipped(self):
        self.assertEqual(column_sums("name,qty\nx,1\ny,2\n"), {"qty": 3.0})

    def test_quoted(self):
        text = 'name,qty,price\n"Smith, J",3,1.5\n"Doe, A",2,2.5\n'
        self.assertEqual(column_sums(text), {"qty": 5.0, "price": 4.0})

    def test_quoted_header(self):
        self.assertEqual(column_sums('"a,b",c\n1,2\n'), {"a,b": 1.0, "c": 2.0})
