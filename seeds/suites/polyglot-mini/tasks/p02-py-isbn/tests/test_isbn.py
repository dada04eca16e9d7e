import unittest
from isbn import is_valid


class TestIsbn(unittest.TestCase):
    def test_valid(self):
        for s in ("3-598-21508-8", "3-598-21507-X", "3598215088", "359821507X"):
            self.assertTrue(is_valid(s), s)

    def test_invalid(self):
        for s in ("3-598-21508-9", "3-598-2X507-9", "3598215088X", "", "3-598-21507-A", "359821507",
                  "3-598-P1581-X", "00"):
            self.assertFalse(is_valid(s), s)
