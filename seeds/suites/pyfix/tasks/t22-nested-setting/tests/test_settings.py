import unittest
from settings import get_setting

CONFIG = {"db": {"port": 5432, "host": "localhost", "opts": {"ssl": False}}, "debug": True}


class TestGetSetting(unittest.TestCase):
    def test_found(self):
        self.assertEqual(get_setting(CONFIG, "db.port"), 5432)
        self.assertIs(get_setting(CONFIG, "db.opts.ssl", True), False)
        self.assertIs(get_setting(CONFIG, "debug"), True)

    def test_missing(self):
        self.assertIsNone(get_setting(CONFIG, "db.user"))
        self.assertEqual(get_setting(CONFIG, "cache.size", 64), 64)

    def test_through_a_value(self):
        self.assertEqual(get_setting(CONFIG, "db.port.number", "n/a"), "n/a")
