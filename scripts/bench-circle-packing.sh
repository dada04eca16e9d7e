#!/usr/bin/env bash
# The race on OpenEvolve's own problem (issue 15): evolve against OpenEvolve 0.4.0 (PyPI, installed into
# .venv-bench/, which git ignores) on circle packing, 26 circles in the unit square, maximise the sum of radii.
#   the same initial program  seeds/agents/circle-packing/pack.py (OpenEvolve gets a byte-for-byte copy)
#   the same evaluator         the suite's check_packing.py validates both (inside, no overlap within 1e-9, 26
#                              finite circles; invalid = 0): evolve runs it in its sandbox, OpenEvolve through
#                              scripts/openevolve/circle-packing/evaluator.py (no sandbox)
#   the same model             one server for both, behind a relay that counts each side's calls and the
#                              sampling settings they asked for (scripts/bench-fixtures/circle-packing/)
#   the same budget            N proposed children each (OpenEvolve: N iterations; evolve: N/2 generations of
#                              2), 2 at a time, per seed; the sides run one after the other, never together
# and prints, side by side: the best sum of radii after 50, 100 and 200 children (and N), the share of children
# with a valid packing, wall time and model calls per run. Raw per-run lines go to stderr.
#
#   scripts/bench-circle-packing.sh [--seeds K] [--evaluations N] [--only evolve|openevolve] [--results FILE]
#                                  [--first-seed S] [--model local|mutation]
#
# Seeds S, S+1, … (default 1). --results FILE keeps the per-run lines in FILE (appended) and prints the table
# of every run in it, so a long race can be run in parts (one side, then the other; more seeds later).
#
# The model: by default (--model local) the local llama-server and SmolLM2-135M from .tools/ (scripts/setup.sh installs
# them), started here on a free loopback port (EVOLVE_RACE_THREADS threads, default 1: on a busy 2-core
# machine more threads spin against each other). Any OpenAI-compatible endpoint instead:
#   EVOLVE_RACE_BASE_URL (up to /v1), EVOLVE_RACE_MODEL, EVOLVE_RACE_API_KEY
# --model mutation: a seeded stand-in that changes one number of the program in each answer
# (scripts/bench-fixtures/circle-packing/mutation_model.py), the same for both sides; it measures the searches
# themselves when no model at hand writes valid edits. Reseeded with the seed of each run.
# evolve's parent selection: EVOLVE_RACE_SELECTOR, the `selector:` of its config (default {name: greedy}, as
# configs/circle-packing.yaml), e.g. '{name: greedy, islands: {count: 5, migration_interval: 25, migration_rate: 0.1}}'.
# Sampling, the same for both: EVOLVE_RACE_TEMPERATURE (0.7), EVOLVE_RACE_MAX_TOKENS (512), and the time
# one call may take, EVOLVE_RACE_TIMEOUT_S (900). EVOLVE_BENCH_BIN: a folder with a release `evolve`.
set -euo pipefail
caller=$PWD
cd "$(dirname "$0")/.."
root=$PWD
fixtures=scripts/bench-fixtures/circle-packing
seeds=3
evaluations=200
only=
results=
first_seed=1
model_kind=local
mutation=
while (($#)); do
    case "$1" in
        --seeds) seeds=$2; shift 2 ;;
        --evaluations) evaluations=$2; shift 2 ;;
        --only) only=$2; shift 2 ;;
        --results) results=$2; shift 2 ;;
        --first-seed) first_seed=$2; shift 2 ;;
        --model) model_kind=$2; shift 2 ;;
        *) echo "usage: $0 [--seeds K] [--evaluations N] [--only evolve|openevolve] [--results FILE] [--first-seed S] [--model local|mutation]" >&2
            exit 64 ;;
    esac
done
[[ "$seeds" =~ ^[1-9][0-9]*$ && "$evaluations" =~ ^[1-9][0-9]*$ && "$first_seed" =~ ^[0-9]+$ ]] \
    || { echo "--seeds and --evaluations must be whole numbers above 0, --first-seed 0 or more" >&2; exit 64; }
[[ -z "$only" || "$only" == evolve || "$only" == openevolve ]] \
    || { echo "--only takes evolve or openevolve" >&2; exit 64; }
[[ "$model_kind" == local || "$model_kind" == mutation ]] \
    || { echo "--model takes local or mutation" >&2; exit 64; }
[[ "$model_kind" == local || -z "${EVOLVE_RACE_BASE_URL:-}" ]] \
    || { echo "--model mutation and EVOLVE_RACE_BASE_URL exclude each other: choose one" >&2; exit 64; }
temperature=${EVOLVE_RACE_TEMPERATURE:-0.7}
max_tokens=${EVOLVE_RACE_MAX_TOKENS:-512}
timeout_s=${EVOLVE_RACE_TIMEOUT_S:-900}
model=${EVOLVE_RACE_MODEL:-smollm2-135m}
selector=${EVOLVE_RACE_SELECTOR:-"{name: greedy}"}
[[ "$model_kind" == mutation ]] && model=mutation
export EVOLVE_RACE_API_KEY=${EVOLVE_RACE_API_KEY:-none}
export NO_PROXY='*' no_proxy='*'

# MARK: - Tools

venv=.venv-bench
if [[ ! -x "$venv/bin/openevolve-run" ]]; then
    echo "installing openevolve 0.4.0 into $venv (Debian's /usr/bin/python3) ..." >&2
    /usr/bin/python3 -m venv "$venv"
    "$venv/bin/pip" install -q openevolve==0.4.0 >&2
fi
if [[ "$only" == openevolve ]]; then
    evolve=
elif [[ -n "${EVOLVE_BENCH_BIN:-}" ]]; then
    evolve=$EVOLVE_BENCH_BIN/evolve
else
    echo "building evolve (release, .build-bench) ..." >&2
    swift build -c release --scratch-path .build-bench --product evolve >&2
    evolve=$(swift build -c release --scratch-path .build-bench --show-bin-path)/evolve
fi

# MARK: - Clean-up: every process this script starts is in $pids, every file under $work

work=$(mktemp -d /tmp/evolve-race.XXXXXX)
runs=${results:-$work/runs}
[[ "$runs" == /* ]] || runs=$caller/$runs
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do
        kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    # The group outlives its leader for a while (OpenEvolve's worker processes, a checkpoint being written):
    # wait for all of it, up to 10 s, then kill what is left, so nothing writes into $work after its removal.
    for pid in "${pids[@]}"; do
        for _ in $(seq 100); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL -- "-$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Starts "$@" in its own process group (so the clean-up ends its children too); sets $started.
start() {
    setsid "$@" &
    started=$!
    pids+=("$started")
}

# Waits until FILE holds a "listening on PORT" line; prints PORT.
port_of() {
    local file=$1 _
    for _ in $(seq 600); do
        if grep -q '^listening on ' "$file"; then sed -n 's/^listening on //p' "$file"; return; fi
        sleep 0.1
    done
    echo "$2 did not start; its output ends:" >&2
    tail -n 20 "$file" >&2
    return 1
}

# MARK: - The model and the relay

if [[ -n "${EVOLVE_RACE_BASE_URL:-}" ]]; then
    upstream=${EVOLVE_RACE_BASE_URL%/}
    model_note="$model at $upstream"
elif [[ "$model_kind" == mutation ]]; then
    start /usr/bin/python3 "$fixtures/mutation_model.py" --seed "$first_seed" >"$work/mutation.log" 2>&1
    mutation=http://127.0.0.1:$(port_of "$work/mutation.log" "the mutation model")
    upstream=$mutation/v1
    model_note="the seeded mutation model (one number changed per answer, reseeded with each run's seed; $fixtures/mutation_model.py)"
else
    [[ -x .tools/bin/llama-server && -s .tools/models/SmolLM2-135M-Instruct.Q4_1.gguf ]] \
        || { echo "no local model in .tools/: run scripts/setup.sh, or set EVOLVE_RACE_BASE_URL" >&2; exit 1; }
    server_port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    threads=${EVOLVE_RACE_THREADS:-1}
    # 2 slots (one per concurrent child) of 8,192 tokens: OpenEvolve's prompts hold several whole programs.
    start .tools/bin/llama-server --host 127.0.0.1 --port "$server_port" -m .tools/models/SmolLM2-135M-Instruct.Q4_1.gguf \
        -c 16384 --parallel 2 --threads "$threads" >"$work/llama-server.log" 2>&1
    for _ in $(seq 600); do
        if curl -sf --noproxy '*' "http://127.0.0.1:$server_port/health" >/dev/null; then break; fi
        sleep 0.2
    done
    curl -sf --noproxy '*' "http://127.0.0.1:$server_port/health" >/dev/null \
        || { tail -n 20 "$work/llama-server.log" >&2; echo "llama-server did not start" >&2; exit 1; }
    upstream=http://127.0.0.1:$server_port/v1
    model_note="SmolLM2-135M-Instruct Q4_1 on the local llama-server (.tools/, $threads thread(s), 2 slots)"
fi
start /usr/bin/python3 "$fixtures/call_counter.py" "$upstream" >"$work/relay.log" 2>&1
relay=http://127.0.0.1:$(port_of "$work/relay.log" "the counting relay")
stats() { curl -s --noproxy '*' "$relay/stats"; }

# MARK: - One run of each side

# Fills a template's @NAME@ fields: fill TEMPLATE OUT NAME=VALUE ...
fill() {
    local template=$1 out=$2 args=() pair
    shift 2
    for pair in "$@"; do args+=(-e "s|@${pair%%=*}@|${pair#*=}|g"); done
    sed "${args[@]}" "$template" >"$out"
}

# Prints the JSON line of one finished run: its results, its time and its share of the relay's counts.
describe() {
    local racer=$1 seed=$2 seconds=$3 before=$4 after=$5 results=$6 search=$7
    /usr/bin/python3 - "$racer" "$seed" "$seconds" "$before" "$after" "$results" "$search" <<'PY'
import json, sys
racer, seed, seconds, before, after, results, search = sys.argv[1:]
b, a = json.loads(before).get(racer, {}), json.loads(after).get(racer, {})
line = json.loads(results)
line.update(seed=int(seed), seconds=float(seconds), search=search, calls=a.get("calls", 0) - b.get("calls", 0),
            failed_calls=a.get("failed", 0) - b.get("failed", 0),
            tokens_in=a.get("tokens_in", 0) - b.get("tokens_in", 0),
            tokens_out=a.get("tokens_out", 0) - b.get("tokens_out", 0),
            sampling=sorted(k for k, v in a.get("sampling", {}).items() if v > b.get("sampling", {}).get(k, 0)))
print(json.dumps(line))
PY
}

run_evolve() {
    local seed=$1 dir=$work/evolve-$1 before t0 t1
    mkdir -p "$dir"
    fill "$fixtures/evolve.yaml" "$dir/config.yaml" ARCHIVE="$dir/archive" ROOT="$root" \
        GENERATIONS=$(((evaluations + 1) / 2)) SEED="$seed" SELECTOR="$selector" BASE_URL="$relay/evolve/v1" MODEL="$model" \
        TEMPERATURE="$temperature" MAX_TOKENS="$max_tokens" TIMEOUT_S="$timeout_s"
    before=$(stats)
    t0=$(date +%s%N)
    start "$evolve" search --config "$dir/config.yaml" --archive "$dir/archive" >"$dir/log" 2>&1
    wait "$started" || { tail -n 30 "$dir/log" >&2; echo "evolve failed (seed $seed)" >&2; exit 1; }
    t1=$(date +%s%N)
    describe evolve "$seed" "$(((t1 - t0) / 1000000000))" "$before" "$(stats)" \
        "$(/usr/bin/python3 "$fixtures/race_results.py" evolve "$dir/archive" "$evaluations")" "selector: $selector"
}

run_openevolve() {
    local seed=$1 dir=$work/openevolve-$1 before t0 t1 interval
    mkdir -p "$dir"
    cp seeds/agents/circle-packing/pack.py "$dir/initial_program.py"
    cp scripts/openevolve/circle-packing/evaluator.py "$dir/evaluator.py"
    # A checkpoint (every program with the iteration that found it) at the end, and every few iterations.
    for interval in 10 9 8 7 6 5 4 3 2 1; do ((evaluations % interval == 0)) && break; done
    fill scripts/openevolve/circle-packing/config.yaml "$dir/config.yaml" ITERATIONS="$evaluations" \
        CHECKPOINT_INTERVAL="$interval" SEED="$seed" BASE_URL="$relay/openevolve/v1" API_KEY="$EVOLVE_RACE_API_KEY" \
        MODEL="$model" TEMPERATURE="$temperature" MAX_TOKENS="$max_tokens" TIMEOUT_S="$timeout_s"
    before=$(stats)
    t0=$(date +%s%N)
    start env -C "$dir" EVOLVE_RACE_CHECK="$root/seeds/suites/circle-packing/tasks/c01-26-circles/tests/check_packing.py" \
        OPENAI_API_KEY="$EVOLVE_RACE_API_KEY" "$root/$venv/bin/openevolve-run" initial_program.py evaluator.py \
        --config config.yaml --output out --iterations "$evaluations" >"$dir/log" 2>&1
    wait "$started" || { tail -n 30 "$dir/log" >&2; echo "openevolve failed (seed $seed)" >&2; exit 1; }
    t1=$(date +%s%N)
    describe openevolve "$seed" "$(((t1 - t0) / 1000000000))" "$before" "$(stats)" \
        "$(/usr/bin/python3 "$fixtures/race_results.py" openevolve "$dir/out" "$evaluations" "$dir/log")" \
        "its defaults (5 islands, MAP-Elites)"
}

# MARK: - The race

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "race: $seeds seed(s) × $evaluations children per side; model: $model_note" >&2
for seed in $(seq "$first_seed" $((first_seed + seeds - 1))); do
    for racer in evolve openevolve; do
        [[ -z "$only" || "$only" == "$racer" ]] || continue
        echo "race: $racer, seed $seed ..." >&2
        [[ -z "${mutation:-}" ]] || curl -sf --noproxy '*' "$mutation/seed/$seed" >/dev/null
        # Not in a pipeline or $(…): the clean-up must see what the run starts. FILE is opened only once the
        # run is over, so it may be moved or edited meanwhile.
        "run_$racer" "$seed" >"$work/line"
        cat "$work/line" >>"$runs"
        cat "$work/line" >&2
    done
done

checkpoints=()
for k in 50 100 200; do ((k < evaluations)) && checkpoints+=("$k"); done
checkpoints+=("$evaluations")
echo "circle packing (26 circles, sum of radii; initial program $(/usr/bin/python3 -c "
import json, sys; print('%.4f' % json.loads(sys.stdin.readline())['initial'])" <"$runs")):" \
    "evolve against OpenEvolve 0.4.0, $evaluations children per run"
echo "model: $model_note; temperature $temperature, max_tokens $max_tokens on both sides"
/usr/bin/python3 "$fixtures/race_results.py" table "$runs" "$(IFS=,; echo "${checkpoints[*]}")"
echo "load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
