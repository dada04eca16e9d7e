import unittest
from hello import greet


class TestGreet(unittest.TestCase):
    def test_greet(self):
        self.assertEqual(greet("Ada"), "Hello, Ada!")
        self.assertEqual(greet("world"), "Hello, world!")
