#!/usr/bin/env bash
# evolve's side of the engine-overhead comparison (scripts/bench-openevolve.sh is OpenEvolve's): a search
# on the trivial one-constant program (scripts/bench-fixtures/trivial/) with the `llm` operator pointed at
# evolve-bench's zero-latency stub model, which answers every call with a valid whole-file edit (a new
# constant). Every child is committed to the archive and evaluated in the sandbox (agent step: the program
# prints its constant; check step: a one-task suite scores it), 2 workers. Prints two lines:
#   evolve-search children=N seconds=S ms_per_child=M ...
#   evolve-phases ... (where the time went: scripts/bench-fixtures/phases.py)
#   scripts/bench-search.sh [--children N] [--selector NAME] [--no-syntax-check] [--scheduler pipeline|lockstep] [--steps python|shell]
# --no-syntax-check turns off the parse of changed Python files before a child is recorded (one python3
# start per child, outside the sandbox), to show its share. --steps shell runs the same search with both
# sandboxed steps in sh (the agent reads the constant with sed, the check tests it in sh: seed-sh/ and
# suite-sh/) instead of two Python starts, to tell the engine's share of a child from the interpreters'.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-fixtures/lib.sh
children=1000 selector=novelty syntax=true scheduler=pipeline steps=python
while (($#)); do
    case "$1" in
        --children) children=$2; shift 2 ;;
        --selector) selector=$2; shift 2 ;;
        --no-syntax-check) syntax=false; shift ;;
        --scheduler) scheduler=$2; shift 2 ;;
        --steps) steps=$2; shift 2 ;;
        *) echo "usage: $0 [--children N] [--selector NAME] [--no-syntax-check] [--scheduler pipeline|lockstep] [--steps python|shell]" >&2; exit 64 ;;
    esac
done
per=10
((children % per == 0)) || { echo "--children must be a multiple of $per" >&2; exit 64; }
case "$steps" in
    python) suffix= ;;
    shell) suffix=-sh ;;
    *) echo "--steps is python or shell, not '$steps'" >&2; exit 64 ;;
esac

bench_build
work=$(mktemp -d /tmp/evolve-bench-search.XXXXXX)
trap 'bench_stub_stop; rm -rf "$work"' EXIT
bench_stub 0 scripts/bench-fixtures/trivial/answer.md
fixtures=$PWD/scripts/bench-fixtures/trivial
cat >"$work/config.yaml" <<YAML
archive: $work/archive
seed: $fixtures/seed$suffix
suites: [$fixtures/suite$suffix]
generations: $((children / per))
children: $per
workers: 2
scheduler: $scheduler
random_seed: 0
selector: {name: $selector, k: 5, beta: 1.0}
operators: [{name: llm, weight: 1.0, format: whole-file}]
meta_agent: {provider: openai, base_url: "http://127.0.0.1:$stub_port/v1", api_key_env: STUB_KEY, model: stub, timeout_s: 30, retries: 0}
budget: {evaluations: 1000000}
syntax_check: $syntax
sandbox: {timeout_s: 10, memory_mb: 512, pids: 64, file_size_mb: 16, output_kb: 64}
YAML
start=$(now_ns)
STUB_KEY=stub "$bin/evolve" search --config "$work/config.yaml" >"$work/log" 2>&1 \
    || { tail -n 30 "$work/log" >&2; echo "evolve search failed" >&2; exit 1; }
end=$(now_ns)
calls=$(bench_stub_calls)
ms=$(((end - start) / 1000000))
awk -v n="$children" -v ms="$ms" -v calls="$calls" -v sel="$selector" -v syn="$syntax" -v sched="$scheduler" -v steps="$steps" 'BEGIN {
    printf "evolve-search children=%d seconds=%.1f ms_per_child=%.1f calls=%d selector=%s syntax_check=%s scheduler=%s steps=%s python=/usr/bin/python3 (sandbox PATH)\n", n, ms / 1000, ms / n, calls, sel, syn, sched, steps }'
echo "evolve-phases $(/usr/bin/python3 scripts/bench-fixtures/phases.py "$work/archive/index.sqlite")"
