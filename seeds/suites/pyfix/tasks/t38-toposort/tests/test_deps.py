import unittest
from deps import build_order


class TestBuildOrder(unittest.TestCase):
    def test_chain(self):
        self.assertEqual(build_order({"app": ["lib"], "lib": ["core"], "core": []}), ["core", "lib", "app"])

    def test_implicit_nodes(self):
        self.assertEqual(build_order({"app": ["zlib", "json"]}), ["json", "zlib", "app"])

    def test_alphabetical_ties(self):
        deps = {"d": ["b", "c"], "c": ["a"], "b": ["a"], "e": [], "a": []}
        self.assertEqual(build_order(deps), ["a", "b", "c", "d", "e"])

    def test_diamond_with_late_root(self):
        deps = {"z": [], "m": ["z"], "b": ["m"], "a": ["m", "z"]}
        self.assertEqual(build_order(deps), ["z", "m", "a", "b"])

    def test_cycle(self):
        with self.assertRaises(ValueError) as ctx:
            build_order({"a": ["b"], "b": ["c"], "c": ["a"], "x": []})
        self.assertTrue(any(name in str(ctx.exception) for name in "abc"))

    def test_self_cycle(self):
        with self.assertRaises(ValueError):
            build_order({"a": ["a"]})
