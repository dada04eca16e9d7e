#!/bin/sh
# Prints the figures of the engine's workspace tree tools: TreeCopy of a flat folder of N files, TreeRemoval
# of it and of a chain of D nested folders (deeper than PATH_MAX), each against cp -a / rm -rf.
#
# Usage: scripts/bench-workspace.sh [--files N] [--depth D] [--scratch-path DIR] [--debug]
# Run by the benchmark suite in Tests/EvolveEvaluationTests/WorkspaceTreeBenchmark.swift (skipped unless
# EVOLVE_BENCH is set). The trees are made in $TMPDIR (default /tmp) and removed.
set -eu
cd "$(dirname "$0")/.."
files=200000 depth=5000 scratch=.build-bench mode=release
while [ $# -gt 0 ]; do
    case "$1" in
        --files) files=$2; shift 2 ;;
        --depth) depth=$2; shift 2 ;;
        --scratch-path) scratch=$2; shift 2 ;;
        --debug) mode=debug scratch=.build; shift ;;
        *) echo "usage: $0 [--files N] [--depth D] [--scratch-path DIR] [--debug]" >&2; exit 64 ;;
    esac
done
testing=""
[ "$mode" = release ] && testing="-Xswiftc -enable-testing"
echo "building ($mode, $scratch) ..." >&2
# shellcheck disable=SC2086
swift build -c "$mode" $testing --build-tests --scratch-path "$scratch" >&2
echo "host: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), file system of ${TMPDIR:-/tmp}: $(stat -f -c %T "${TMPDIR:-/tmp}"), $mode build"
EVOLVE_BENCH=1 EVOLVE_BENCH_FILES=$files EVOLVE_BENCH_DEPTH=$depth \
    swift test -c "$mode" $testing --skip-build --scratch-path "$scratch" \
    --filter 'EvolveEvaluationTests.WorkspaceTreeBenchmark' 2>&1 | sed -n 's/^BENCH //p'
