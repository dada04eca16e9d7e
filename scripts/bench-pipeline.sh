#!/usr/bin/env bash
# The realistic-latency benchmark (issue #13): model calls whose latency is drawn from a log-normal
# distribution (median 4 s, p95 30 s) and agents whose task takes 0.5-20 s (uniform), both seeded by the
# stub model (evolve-bench stub-llm --latency), with 32 proposals at once and 8 sandboxes. It runs, one after
# the other on the same stub, evolve's lockstep scheduler, evolve's pipeline, and OpenEvolve 0.4.x (8 worker
# processes: each makes a child and evaluates it), each for N children (default 96), and prints one line each:
#   pipeline mode=M children=N seconds=S children_per_min=C worker_busy=B% model_calls=K
# B: the time the 8 workers spent on tasks (evolve: the recorded agent + check steps; OpenEvolve: its
# evaluator's own start and end) over 8 x the wall time of the whole command.
#   scripts/bench-pipeline.sh [--children N] [--seed S] [--skip openevolve] [--skip lockstep]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-fixtures/lib.sh
children=96 seed=7 skip=()
while (($#)); do
    case "$1" in
        --children) children=$2; shift 2 ;;
        --seed) seed=$2; shift 2 ;;
        --skip) skip+=("$2"); shift 2 ;;
        *) echo "usage: $0 [--children N] [--seed S] [--skip openevolve|lockstep|pipeline]" >&2; exit 64 ;;
    esac
done
per=32 workers=8 proposals=32
((children % per == 0)) || { echo "--children must be a multiple of $per" >&2; exit 64; }
skipped() { [[ " ${skip[*]} " == *" $1 "* ]]; }

bench_build
work=$(mktemp -d /tmp/evolve-bench-pipeline.XXXXXX)
trap 'bench_stub_stop; rm -rf "$work"' EXIT
fixtures=$PWD/scripts/bench-fixtures/sleeper
stub() { bench_stub 0 "$fixtures/answer.md" --latency 4:30 --task-seconds 0.5:20 --seed "$seed"; }

run_evolve() {
    local mode=$1 dir=$work/$1
    mkdir -p "$dir"
    cat >"$dir/config.yaml" <<YAML
archive: $dir/archive
seed: $fixtures/seed
suites: [$fixtures/suite]
generations: $((children / per))
children: $per
workers: $workers
proposals: $proposals
scheduler: $mode
random_seed: 0
selector: {name: greedy}
operators: [{name: llm, weight: 1.0, format: whole-file}]
meta_agent: {provider: openai, base_url: "http://127.0.0.1:$stub_port/v1", api_key_env: STUB_KEY, model: stub, timeout_s: 600, retries: 0}
budget: {evaluations: 1000000}
sandbox: {timeout_s: 60, memory_mb: 512, pids: 64, file_size_mb: 16, output_kb: 64}
YAML
    local start end
    start=$(now_ns)
    STUB_KEY=stub "$bin/evolve" search --config "$dir/config.yaml" >"$dir/log" 2>&1 \
        || { tail -n 30 "$dir/log" >&2; echo "evolve search ($mode) failed" >&2; exit 1; }
    end=$(now_ns)
    /usr/bin/python3 - "$dir/archive/index.sqlite" "$mode" "$start" "$end" "$workers" "$(bench_stub_calls)" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
mode, start, end, workers, calls = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
wall = (end - start) / 1e9
children = db.execute("SELECT COUNT(*) FROM variants WHERE generation > 0 AND status = 'valid'").fetchone()[0]
busy = db.execute(
    "SELECT COALESCE(SUM(e.duration_s), 0) FROM evaluations e JOIN variants v ON v.tree_id = e.tree_id "
    "WHERE v.generation > 0").fetchone()[0]
print("pipeline mode=evolve-%s children=%d seconds=%.1f children_per_min=%.2f worker_busy=%.0f%% model_calls=%s"
      % (mode, children, wall, 60 * children / wall, 100 * busy / (workers * wall), calls))
PY
}

run_openevolve() {
    local venv=.venv-bench dir=$work/openevolve
    if [[ ! -x "$venv/bin/openevolve-run" ]]; then
        echo "installing openevolve 0.4.0 into $venv (Debian's /usr/bin/python3) ..." >&2
        /usr/bin/python3 -m venv "$venv"
        "$venv/bin/pip" install -q openevolve==0.4.0 >&2
    fi
    mkdir -p "$dir"
    cp "$fixtures/seed/program.py" "$dir/initial_program.py"
    cp scripts/openevolve/sleeper/evaluator.py "$dir/"
    sed -e "s/PORT/$stub_port/" -e "s/ITERATIONS/$children/" -e "s/WORKERS/$workers/" \
        scripts/openevolve/sleeper/config.yaml >"$dir/config.yaml"
    local start end
    start=$(now_ns)
    (cd "$dir" && NO_PROXY='*' no_proxy='*' OPENAI_API_KEY=stub BENCH_BUSY_LOG="$dir/busy" \
        "$OLDPWD/$venv/bin/openevolve-run" initial_program.py evaluator.py --config config.yaml --output out \
        --iterations "$children" >"$dir/log" 2>&1) || { tail -n 30 "$dir/log" >&2; echo "openevolve failed" >&2; exit 1; }
    end=$(now_ns)
    /usr/bin/python3 - "$dir/busy" "$start" "$end" "$workers" "$(bench_stub_calls)" <<'PY'
import sys
path, start, end, workers, calls = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
spans = [tuple(map(float, line.split())) for line in open(path) if line.strip()]
wall = (end - start) / 1e9
busy = sum(b - a for a, b in spans)
# The initial program's own evaluation is one of the spans; children are the rest.
children = max(0, len(spans) - 1)
print("pipeline mode=openevolve-0.4.0 children=%d seconds=%.1f children_per_min=%.2f worker_busy=%.0f%% model_calls=%s"
      % (children, wall, 60 * children / wall, 100 * busy / (workers * wall), calls))
PY
}

echo "# $children children, $proposals proposals, $workers workers; model latency log-normal (median 4 s, p95 30 s), tasks 0.5-20 s, seed $seed" >&2
for mode in lockstep pipeline; do
    skipped "$mode" && continue
    stub
    run_evolve "$mode"
    bench_stub_stop
done
if ! skipped openevolve; then
    stub
    run_openevolve
    bench_stub_stop
fi
