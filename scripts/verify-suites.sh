#!/bin/sh
# Verifies every task of every suite in seeds/suites: the starting workspace must fail its check and
# the workspace with solution/ laid over it must pass (the demo suite: the demo agent with and
# without the fixed function file). Usage: scripts/verify-suites.sh [SUITE...] [-j JOBS]
# Prints one line per task and "N passed, M failed"; exits non-zero on any failure.
cd "$(dirname "$0")/.." || exit 1
exec /usr/bin/python3 -B scripts/verify_suites.py "$@"
