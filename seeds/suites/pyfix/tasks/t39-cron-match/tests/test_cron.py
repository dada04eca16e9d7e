import unittest
from datetime import datetime
from cron import cron_matches

# 2024-03-04 is a Monday.
MON_0930 = datetime(2024, 3, 4, 9, 30)


class TestCron(unittest.TestCase):
    def test_stars(self):
        self.assertTrue(cron_matches("* * * * *", MON_0930))

    def test_numbers(self):
        self.assertTrue(cron_matches("30 9 4 3 1", MON_0930))
        self.assertFalse(cron_matches("31 9 4 3 1", MON_0930))
        self.assertFalse(cron_matches("30 9 4 3 0", MON_0930))

    def test_lists_ranges_steps(self):
        self.assertTrue(cron_matches("*/15 8-17 * * 1-5", MON_0930))
        self.assertFalse(cron_matches("*/20 * * * *", MON_0930))
        self.assertTrue(cron_matches("0,30 9,21 * * *", MON_0930))
        self.assertTrue(cron_matches("10-40/10 * * * *", MON_0930))
        self.assertFalse(cron_matches("5-40/10 * * * *", MON_0930))
        self.assertTrue(cron_matches("* * * 1-12/2 *", MON_0930))
        self.assertFalse(cron_matches("* * * 2-12/2 *", MON_0930))

    def test_sunday_is_zero(self):
        self.assertTrue(cron_matches("0 0 * * 0", datetime(2024, 3, 3, 0, 0)))

    def test_malformed(self):
        for bad in ("* * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *", "* * * * 7",
                    "*/0 * * * *", "5-1 * * * *", "a * * * *", "1,,2 * * * *", "* * * * * *"):
            with self.assertRaises(ValueError, msg=bad):
                cron_matches(bad, MON_0930)
