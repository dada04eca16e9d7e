#!/usr/bin/env bash
# Search efficiency on a simulated fitness landscape (HGM-style hidden clade promise; defined in
# Sources/evolve-bench/Landscape.swift and docs/benchmarks.md): evaluations to reach the target score with
# each of the real selectors (dgm, novelty, hgm, greedy, random), mean ± sd over S seeds (default 30).
#   scripts/bench-landscape.sh [--seeds S] [--max-evaluations M] [--batch B] [--selectors a,b]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-fixtures/lib.sh
bench_build
"$bin/evolve-bench" landscape "$@"
