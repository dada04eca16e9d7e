import unittest
from series import running_totals


class TestRunningTotals(unittest.TestCase):
    def test_basic(self):
        self.assertEqual(running_totals([1, 2, 3]), [1, 3, 6])

    def test_negative(self):
        self.assertEqual(running_totals([5, -5, 2]), [5, 0, 2])

    def test_empty(self):
        self.assertEqual(running_totals([]), [])
