import unittest
from game import fizzbuzz


class TestFizzBuzz(unittest.TestCase):
    def test_first_fifteen(self):
        self.assertEqual(fizzbuzz(15), ["1", "2", "Fizz", "4", "Buzz", "Fizz", "7", "8", "Fizz", "Buzz",
                                        "11", "Fizz", "13", "14", "FizzBuzz"])

    def test_zero(self):
        self.assertEqual(fizzbuzz(0), [])

    def test_length(self):
        self.assertEqual(len(fizzbuzz(100)), 100)
        self.assertEqual(fizzbuzz(100).count("FizzBuzz"), 6)
