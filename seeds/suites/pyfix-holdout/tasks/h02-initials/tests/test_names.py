import unittest
from names import initials


class TestInitials(unittest.TestCase):
    def test_initials(self):
        self.assertEqual(initials("ada king lovelace"), "A.K.L.")
        self.assertEqual(initials("Grace Hopper"), "G.H.")
        self.assertEqual(initials("  alan   turing "), "A.T.")
        self.assertEqual(initials(""), "")
