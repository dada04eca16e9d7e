import unittest
from matrix import spiral


class TestSpiral(unittest.TestCase):
    def test_square(self):
        self.assertEqual(spiral([[1, 2, 3], [4, 5, 6], [7, 8, 9]]), [1, 2, 3, 6, 9, 8, 7, 4, 5])

    def test_wide_and_tall(self):
        self.assertEqual(spiral([[1, 2, 3], [4, 5, 6]]), [1, 2, 3, 6, 5, 4])
        self.assertEqual(spiral([[1], [2], [3]]), [1, 2, 3])
        self.assertEqual(spiral([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]),
                         [1, 2, 3, 4, 8, 12, 11, 10, 9, 5, 6, 7])

    def test_empty(self):
        self.assertEqual(spiral([]), [])
        self.assertEqual(spiral([[]]), [])
