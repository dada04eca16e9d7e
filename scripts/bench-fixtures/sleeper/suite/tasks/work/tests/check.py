import sys

with open("answer.txt") as f:
    sys.exit(0 if f.read().strip() else 1)
