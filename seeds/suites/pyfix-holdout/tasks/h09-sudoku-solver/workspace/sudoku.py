def solve(grid):
    raise NotImplementedError
