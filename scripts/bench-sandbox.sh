#!/bin/sh
# Prints the sandbox figures: start-up overhead per sandboxed step (bubblewrap + limits vs. a bare
# posix_spawn of the same /bin/true, median of many runs) and the throughput of N trivial tasks
# (agent step + check step each, outcomes recorded in a fresh archive) with 1, 2, 4 and 8 workers.
#
# Usage: scripts/bench-sandbox.sh [--runs N] [--tasks N] [--scratch-path DIR] [--debug]
# The figures come from the engine's own code (EvolveSandbox, EvaluationService), run by the
# Benchmark suite in Tests/EvolveEvaluationTests/SandboxBenchmark.swift, which is skipped unless
# EVOLVE_BENCH is set. Built in release mode with testing enabled.
set -eu
cd "$(dirname "$0")/.."
runs=200 tasks=200 scratch=.build-bench mode=release
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs=$2; shift 2 ;;
        --tasks) tasks=$2; shift 2 ;;
        --scratch-path) scratch=$2; shift 2 ;;
        --debug) mode=debug; shift ;;
        *) echo "usage: $0 [--runs N] [--tasks N] [--scratch-path DIR] [--debug]" >&2; exit 64 ;;
    esac
done
# Release builds need testing enabled for the tests' @testable imports; debug builds have it already.
testing=""
[ "$mode" = release ] && testing="-Xswiftc -enable-testing"
echo "building ($mode, $scratch) ..." >&2
# shellcheck disable=SC2086
swift build -c "$mode" $testing --build-tests --scratch-path "$scratch" >&2
echo "host: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), kernel $(uname -r), bubblewrap $(bwrap --version | cut -d' ' -f2), $mode build"
EVOLVE_BENCH=1 EVOLVE_BENCH_RUNS=$runs EVOLVE_BENCH_TASKS=$tasks \
    swift test -c "$mode" $testing --skip-build --scratch-path "$scratch" \
    --filter 'EvolveEvaluationTests.SandboxBenchmark' 2>&1 | sed -n 's/^BENCH //p'
