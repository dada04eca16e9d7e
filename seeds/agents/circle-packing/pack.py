"""Circle packing (the OpenEvolve example): place 26 circles in the unit square, without overlap, so that
the sum of their radii is as large as possible. Prints {"circles": [[x, y, r], ...]} on stdout.

The centres sit in rows (ROWS holds how many per row); each radius is as large as the walls allow, then
every overlapping pair is shrunk to touch; SCALE shrinks them all. Known best sums are about 2.635.
"""
import json
import math
import sys

N = 26
ROWS = [5, 5, 5, 5, 6]
SCALE = 0.5


def centres():
    points = []
    for i, count in enumerate(ROWS):
        y = (i + 0.5) / len(ROWS)
        for j in range(count):
            points.append(((j + 0.5) / count, y))
    return points[:N]


def radii(points):
    r = [min(x, y, 1 - x, 1 - y) for x, y in points]
    for i in range(len(points)):
        for j in range(i + 1, len(points)):
            d = math.dist(points[i], points[j])
            if r[i] + r[j] > d:
                shrink = d / (r[i] + r[j])
                r[i] *= shrink
                r[j] *= shrink
    return [value * SCALE for value in r]


def main():
    points = centres()
    circles = [[x, y, r] for (x, y), r in zip(points, radii(points))]
    json.dump({"circles": circles}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
