import unittest

from calc import add


class TestAdd(unittest.TestCase):
    def test_small_numbers(self):
        self.assertEqual(add(2, 3), 5)

    def test_negative(self):
        self.assertEqual(add(-4, 1), -3)

    def test_floats(self):
        self.assertAlmostEqual(add(0.5, 0.25), 0.75)


if __name__ == "__main__":
    unittest.main()
