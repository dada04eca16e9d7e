def candidates(grid, r, c):
    used = set(grid[r]) | {grid[i][c] for i in range(9)}
    br, bc = 3 * (r // 3), 3 * (c // 3)
    used |= {grid[i][j] for i in range(br, br + 3) for j in range(bc, bc + 3)}
    return [v for v in range(1, 10) if v not in used]


def consistent(grid):
    for r in range(9):
        for c in range(9):
            v = grid[r][c]
            if v:
                grid[r][c] = 0
                ok = v in candidates(grid, r, c)
                grid[r][c] = v
                if not ok:
                    return False
    return True


def search(grid):
    best = None
    for r in range(9):
        for c in range(9):
            if grid[r][c] == 0:
                options = candidates(grid, r, c)
                if best is None or len(options) < len(best[2]):
                    best = (r, c, options)
    if best is None:
        return True
    r, c, options = best
    for v in options:
        grid[r][c] = v
        if search(grid):
            return True
    grid[r][c] = 0
    return False


def solve(grid):
    work = [list(row) for row in grid]
    if not consistent(work):
        return None
    return work if search(work) else None
