import unittest
from brackets import is_balanced


class TestBalanced(unittest.TestCase):
    def test_good(self):
        for s in ("", "()", "([]{})", "a(b[c]{d}e)f", "{[()()]}"):
            self.assertTrue(is_balanced(s), s)

    def test_bad(self):
        for s in (")(", "([)]", "(", "]", "{[}", "(()"):
            self.assertFalse(is_balanced(s), s)
