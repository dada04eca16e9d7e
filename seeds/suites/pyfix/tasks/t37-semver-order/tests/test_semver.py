import unittest
from semver import compare, sort_versions

ORDER = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
         "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.9.0", "1.10.0", "2.0.0"]


class TestSemver(unittest.TestCase):
    def test_pairs(self):
        for low, high in zip(ORDER, ORDER[1:]):
            self.assertEqual(compare(low, high), -1, (low, high))
            self.assertEqual(compare(high, low), 1, (high, low))

    def test_equal(self):
        self.assertEqual(compare("1.2.3", "1.2.3"), 0)
        self.assertEqual(compare("1.2.3+build.5", "1.2.3+other"), 0)
        self.assertEqual(compare("1.0.0-rc.1+x", "1.0.0-rc.1"), 0)

    def test_sort(self):
        shuffled = [ORDER[i] for i in (7, 2, 11, 0, 5, 9, 3, 1, 10, 4, 8, 6)]
        self.assertEqual(sort_versions(shuffled), ORDER)
        self.assertEqual(shuffled[0], "1.0.0")

    def test_malformed(self):
        for bad in ("1.0", "1.0.0.0", "01.0.0", "1.a.0", "1.0.0-", "1.0.0-alpha..1", "", "v1.0.0"):
            with self.assertRaises(ValueError, msg=bad):
                compare(bad, "1.0.0")
