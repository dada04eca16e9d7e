# The realistic-latency benchmark's program: it works on its task for SECONDS. The stub model answers every
# call with this file, a new SECONDS (seeded, 0.5-20 s) and a new CALL, so every child is new and valid.
import time

SECONDS = 1.0
CALL = 0


def work():
    time.sleep(SECONDS)
    return CALL


if __name__ == "__main__":
    print(work())
