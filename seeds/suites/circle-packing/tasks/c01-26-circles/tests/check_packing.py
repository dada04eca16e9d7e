"""Checks a packing of 26 circles in the unit square and reports the sum of the radii.

Reads packing.json ({"circles": [[x, y, r], ...]}) from the working folder; never imports or runs the
code that wrote it. Valid: exactly 26 circles, finite numbers, r > 0, each circle inside [0, 1]² and no two
overlapping, both within TOLERANCE. Writes $EVOLVE_RESULTS_DIR/metrics.json:
{"metrics": {"sum_radii": S, "valid": 0|1}, "tests": {"valid_packing": bool}, "artifacts": {"check": why}}
(sum_radii is 0 for an invalid packing) and exits 0 only for a valid packing. Its messages are short on
purpose: the engine redacts any 24-character run of this file from what the meta-agent reads.
"""
import json
import math
import os
import sys

N = 26
TOLERANCE = 1e-9
MAX_BYTES = 1 << 20


def read_packing(path="packing.json"):
    if os.path.islink(path) or not os.path.isfile(path):
        raise ValueError("no packing.json file")
    with open(path, "rb") as f:
        data = f.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValueError("packing.json > 1 MB")
    try:
        document = json.loads(data, parse_constant=lambda c: float("nan"))
    except (ValueError, RecursionError) as e:
        raise ValueError("not JSON: %s" % str(e)[:120])
    circles = document.get("circles") if isinstance(document, dict) else None
    if not isinstance(circles, list):
        raise ValueError('no "circles" list')
    return circles


def validate(circles):
    """The sum of the radii, or ValueError with the first reason the packing is not valid."""
    if len(circles) != N:
        raise ValueError("%d circles, not %d" % (len(circles), N))
    parsed = []
    for i, c in enumerate(circles):
        if not (isinstance(c, list) and len(c) == 3
                and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in c)):
            raise ValueError("circle %d: not [x, y, r]" % i)
        x, y, r = (float(v) for v in c)
        if not all(math.isfinite(v) for v in (x, y, r)):
            raise ValueError("circle %d: not finite" % i)
        if r <= 0:
            raise ValueError("circle %d: radius %r" % (i, r))
        if x - r < -TOLERANCE or y - r < -TOLERANCE or x + r > 1 + TOLERANCE or y + r > 1 + TOLERANCE:
            raise ValueError("circle %d: outside" % i)
        parsed.append((x, y, r))
    for i in range(N):
        for j in range(i + 1, N):
            (xi, yi, ri), (xj, yj, rj) = parsed[i], parsed[j]
            if math.hypot(xi - xj, yi - yj) < ri + rj - TOLERANCE:
                raise ValueError("circles %d and %d overlap" % (i, j))
    return sum(r for _, _, r in parsed)


def main():
    try:
        total, why = validate(read_packing()), "valid"
    except ValueError as e:
        total, why = None, str(e)
    valid = total is not None
    report = {
        "metrics": {"sum_radii": total if valid else 0.0, "valid": 1 if valid else 0},
        "tests": {"valid_packing": valid},
        "artifacts": {"check": why if not valid else "valid; sum %.6f" % total},
    }
    out = os.environ.get("EVOLVE_RESULTS_DIR")
    if out:
        path = os.path.join(out, "metrics.json")
        if os.path.lexists(path):
            os.unlink(path)
        with open(path, "x") as f:
            json.dump(report, f)
    print(report["artifacts"]["check"])
    sys.exit(0 if valid else 1)


if __name__ == "__main__":
    main()
