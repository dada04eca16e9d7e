import json
import math
import unittest

FUNCTION = "word_count(text)"
SPEC = 'Return the number of words in text, where words are separated by any amount of whitespace (spaces, tabs, newlines). An empty or all-blank string has 0 words.'
CASES = [['hello world'], ['one'], [''], ['  two   spaces  '], ['tab\\tand\\nnewline here'], ['a b c d e'], ['   ']]
EXPECTED = [2, 1, 0, 2, 2, 5, 0]


def same(have, want):
    if isinstance(have, bool) != isinstance(want, bool):
        return False
    if isinstance(want, float) and isinstance(have, (int, float)):
        return math.isclose(have, want, rel_tol=1e-9, abs_tol=1e-9)
    return have == want


class TestOutput(unittest.TestCase):
    def test_output(self):
        with open("output.json") as f:
            got = json.load(f)
        self.assertIsInstance(got, list, "output.json must hold a list")
        self.assertEqual(len(got), len(CASES), "output.json must hold one result per case")
        wrong = []
        for args, want, have in zip(CASES, EXPECTED, got):
            if not same(have, want):
                call = "word_count(%s)" % ", ".join(json.dumps(a) for a in args)
                wrong.append("  %s returned %s, expected %s" % (call, json.dumps(have), json.dumps(want)))
        if wrong:
            self.fail("%s in funcs/word_count.py is wrong. %s\n%s" % (FUNCTION, SPEC, "\n".join(wrong)))


if __name__ == "__main__":
    unittest.main()
