import sys

with open("value.txt") as f:
    value = int(f.read().strip())
sys.exit(0 if value % 2 == 0 else 1)
