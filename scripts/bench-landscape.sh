#!/usr/bin/env bash
# Search efficiency on simulated fitness landscapes of four shapes (hgm: hidden clade promise; deceptive: a
# local optimum greedy cannot leave; needle: sparse reward; multi-objective: pass rate against code size),
# defined in Sources/evolve-bench/Landscape.swift and docs/benchmarks.md. Runs every selector (hgm, novelty,
# dgm, greedy, random, map-elites, and islands around hgm and novelty) on S seeds of each shape (default 30)
# and prints evaluations to reach the target, the best score after N evaluations, and a table with each
# selector's mean rank across the shapes.
#   scripts/bench-landscape.sh [--seeds S] [--max-evaluations M] [--batch B] [--best-after N]
#                              [--selectors a,b] [--shapes hgm,deceptive,needle,multi-objective]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-fixtures/lib.sh
bench_build
"$bin/evolve-bench" landscape "$@"
