import unittest
from ttl_cache import TTLCache


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class TestTTLCache(unittest.TestCase):
    def setUp(self):
        self.clock = Clock()
        self.cache = TTLCache(2, 10, self.clock)

    def test_expiry(self):
        self.cache.set("a", 1)
        self.clock.now += 9.9
        self.assertEqual(self.cache.get("a"), 1)
        self.clock.now += 0.2
        self.assertIsNone(self.cache.get("a"))
        self.assertEqual(self.cache.get("a", "gone"), "gone")

    def test_read_does_not_extend(self):
        self.cache.set("a", 1)
        self.clock.now += 6
        self.cache.get("a")
        self.clock.now += 6
        self.assertIsNone(self.cache.get("a"))

    def test_rewrite_extends(self):
        self.cache.set("a", 1)
        self.clock.now += 6
        self.cache.set("a", 2)
        self.clock.now += 6
        self.assertEqual(self.cache.get("a"), 2)

    def test_lru_eviction(self):
        self.cache.set("a", 1)
        self.cache.set("b", 2)
        self.cache.get("a")
        self.cache.set("c", 3)
        self.assertEqual(self.cache.get("a"), 1)
        self.assertIsNone(self.cache.get("b"))

    def test_expired_dropped_before_eviction(self):
        self.cache.set("a", 1)
        self.clock.now += 5
        self.cache.set("b", 2)
        self.clock.now += 6          # a has expired, b has not
        self.cache.set("c", 3)
        self.assertEqual(self.cache.get("b"), 2)
        self.assertEqual(self.cache.get("c"), 3)

    def test_len(self):
        self.cache.set("a", 1)
        self.clock.now += 5
        self.cache.set("b", 2)
        self.assertEqual(len(self.cache), 2)
        self.clock.now += 6
        self.assertEqual(len(self.cache), 1)

    def test_update_existing_when_full(self):
        self.cache.set("a", 1)
        self.cache.set("b", 2)
        self.cache.set("a", 10)
        self.assertEqual((self.cache.get("a"), self.cache.get("b")), (10, 2))
