import unittest
from strings import reverse


class TestReverse(unittest.TestCase):
    def test_reverse(self):
        self.assertEqual(reverse("abc"), "cba")
        self.assertEqual(reverse("racecar"), "racecar")
        self.assertEqual(reverse(""), "")
        self.assertEqual(reverse("ab cd"), "dc ba")
