import copy
import unittest
from sudoku import solve

PUZZLE = [
    [5, 3, 0, 0, 7, 0, 0, 0, 0],
    [6, 0, 0, 1, 9, 5, 0, 0, 0],
    [0, 9, 8, 0, 0, 0, 0, 6, 0],
    [8, 0, 0, 0, 6, 0, 0, 0, 3],
    [4, 0, 0, 8, 0, 3, 0, 0, 1],
    [7, 0, 0, 0, 2, 0, 0, 0, 6],
    [0, 6, 0, 0, 0, 0, 2, 8, 0],
    [0, 0, 0, 4, 1, 9, 0, 0, 5],
    [0, 0, 0, 0, 8, 0, 0, 7, 9],
]


def valid(grid):
    groups = [row for row in grid] + [list(col) for col in zip(*grid)]
    groups += [[grid[r][c] for r in range(br, br + 3) for c in range(bc, bc + 3)]
               for br in (0, 3, 6) for bc in (0, 3, 6)]
    return all(sorted(g) == list(range(1, 10)) for g in groups)


class TestSudoku(unittest.TestCase):
    def test_solves(self):
        original = copy.deepcopy(PUZZLE)
        result = solve(PUZZLE)
        self.assertEqual(PUZZLE, original, "the input was modified")
        self.assertTrue(valid(result))
        for r in range(9):
            for c in range(9):
                if PUZZLE[r][c]:
                    self.assertEqual(result[r][c], PUZZLE[r][c])

    def test_conflicting_givens(self):
        bad = copy.deepcopy(PUZZLE)
        bad[0][2] = 5
        self.assertIsNone(solve(bad))

    def test_unsolvable(self):
        bad = copy.deepcopy(PUZZLE)
        bad[0][2] = 1      # consistent with the givens, yet the puzzle then has no solution
        bad[0][3] = 2
        self.assertIsNone(solve(bad))

    def test_already_solved(self):
        solved = solve(PUZZLE)
        self.assertEqual(solve(solved), solved)
