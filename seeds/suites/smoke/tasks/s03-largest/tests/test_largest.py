import unittest

from largest import largest


class TestLargest(unittest.TestCase):
    def test_mixed(self):
        self.assertEqual(largest([3, 9, -2, 7]), 9)

    def test_single(self):
        self.assertEqual(largest([4]), 4)

    def test_empty(self):
        self.assertIsNone(largest([]))


if __name__ == "__main__":
    unittest.main()
