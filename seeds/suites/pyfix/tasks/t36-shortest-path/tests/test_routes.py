import unittest
from routes import shortest_path

GRAPH = {
    "A": {"B": 1, "C": 10},
    "B": {"D": 2},
    "C": {"E": 1},
    "D": {"C": 1, "E": 8},
    "E": {},
}


class TestShortestPath(unittest.TestCase):
    def test_cheapest_not_shortest(self):
        self.assertEqual(shortest_path(GRAPH, "A", "E"), (5, ["A", "B", "D", "C", "E"]))
        self.assertEqual(shortest_path(GRAPH, "A", "C"), (4, ["A", "B", "D", "C"]))

    def test_same_node(self):
        self.assertEqual(shortest_path(GRAPH, "C", "C"), (0, ["C"]))

    def test_unreachable(self):
        self.assertIsNone(shortest_path(GRAPH, "E", "A"))

    def test_leaf_only_as_neighbour(self):
        self.assertEqual(shortest_path({"x": {"y": 3}}, "x", "y"), (3, ["x", "y"]))
        self.assertIsNone(shortest_path({"x": {"y": 3}}, "x", "z"))

    def test_larger(self):
        n = 200
        graph = {i: {i + 1: 1, i + 2: 3} for i in range(n)}
        cost, path = shortest_path(graph, 0, n)
        self.assertEqual(cost, n)
        self.assertEqual(len(path), n + 1)
