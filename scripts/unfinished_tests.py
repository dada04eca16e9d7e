#!/usr/bin/env python3
"""Lists the tests of a Swift Testing log that started and never passed, failed or were skipped.

usage: unfinished_tests.py LOG

scripts/test.sh runs it when `swift test` outlived its time, to name the test that hung.
"""
import re
import sys
from collections import Counter

STARTED = re.compile(r"^◇ Test (.+?) started\.$")
ENDED = re.compile(r"^[✔✘↷] Test (.+?) (?:passed|failed|skipped)")


def unfinished(lines):
    """The names started more often than they ended, in the order they first started."""
    started, ended, order = Counter(), Counter(), []
    for line in lines:
        line = line.rstrip("\n")
        if (match := STARTED.match(line)) and match.group(1) != "run":  # "◇ Test run started." is the run
            name = match.group(1)
            if name not in started:
                order.append(name)
            started[name] += 1
        elif match := ENDED.match(line):
            ended[match.group(1)] += 1
    return [name for name in order if started[name] > ended[name]]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    with open(sys.argv[1], encoding="utf-8", errors="replace") as log:
        names = unfinished(log)
    for name in names:
        print(f"  {name}")
    if not names:
        print("  (none: the hang was outside a test, or the log is cut)")


if __name__ == "__main__":
    main()
