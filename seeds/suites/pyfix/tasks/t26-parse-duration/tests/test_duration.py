import unittest
from duration import parse_duration


class TestParseDuration(unittest.TestCase):
    def test_valid(self):
        self.assertEqual(parse_duration("45s"), 45)
        self.assertEqual(parse_duration("1h30m"), 5400)
        self.assertEqual(parse_duration("2d 4h"), 2 * 86400 + 4 * 3600)
        self.assertEqual(parse_duration("1h 2m 3s"), 3723)
        self.assertEqual(parse_duration("0s"), 0)
        self.assertEqual(parse_duration("90m"), 5400)

    def test_invalid(self):
        for bad in ("", "5", "10x", "1h1h", "h", "1.5h", "-1s", "1h,2m", "s1"):
            with self.assertRaises(ValueError, msg=bad):
                parse_duration(bad)
