def spiral(rows):
    out = []
    if not rows or not rows[0]:
        return out
    top, bottom, left, right = 0, len(rows) - 1, 0, len(rows[0]) - 1
    while top <= bottom and left <= right:
        out.extend(rows[top][c] for c in range(left, right + 1))
        out.extend(rows[r][right] for r in range(top + 1, bottom + 1))
        if top < bottom:
            out.extend(rows[bottom][c] for c in range(right - 1, left - 1, -1))
        if left < right:
            out.extend(rows[r][left] for r in range(bottom - 1, top, -1))
        top, bottom, left, right = top + 1, bottom - 1, left + 1, right - 1
    return out
