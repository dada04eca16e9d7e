#!/usr/bin/env bash
# Latency-bound concurrency: a suite of N tasks (default 64) whose agent makes one model call through the
# gateway; the model is evolve-bench's stub with a 1 s delay (agent_model in the config). The search evaluates
# its seed on the suite with W workers and stops (budget: N evaluations), so the wall time is the seed's
# evaluation plus the engine's start and stop. For each W:
#   concurrency workers=W tasks=N seconds=S window=V task_s=D tasks_per_s=T ideal_per_s=I efficiency=E% command_efficiency=C% agent=A cpu_ms_per_task=P
# S: the whole command (archive made from the seed, gateway started, ..., stopped); V: the evaluation window,
# from the first task's start to the last outcome recorded; D: the mean task time (agent and check steps);
# T = N / V; ideal I = min(W, N) tasks per second (each task waits 1 s on the model; the rest is taken as
# free); E = T / I; C = (N / S) / I, start-up included; P: the machine's busy CPU time over the command
# (all cores, every process: engine, bubblewrap, agents, checks; /proc/stat) divided by N.
# --agent python (the default: scripts/bench-fixtures/waiting-agent, urllib in Python, about 80 ms of CPU
# to start here), shell (waiting-agent-sh: the same call by curl, about 14 ms) or bash (waiting-agent-bash:
# the call made by bash over /dev/tcp, one bash start), to tell the agent's own start-up from the engine's
# work per task.
#   scripts/bench-concurrency.sh [--tasks N] [--delay S] [--agent python|shell|bash] [W ...]     (workers default: 1 8 32)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-fixtures/lib.sh
tasks=64 delay=1 agent=python workers=()
while (($#)); do
    case "$1" in
        --tasks) tasks=$2; shift 2 ;;
        --delay) delay=$2; shift 2 ;;
        --agent) agent=$2; shift 2 ;;
        [0-9]*) workers+=("$1"); shift ;;
        *) echo "usage: $0 [--tasks N] [--delay S] [--agent python|shell|bash] [W ...]" >&2; exit 64 ;;
    esac
done
((${#workers[@]})) || workers=(1 8 32)
case "$agent" in
    python) seed=$PWD/scripts/bench-fixtures/waiting-agent ;;
    shell) seed=$PWD/scripts/bench-fixtures/waiting-agent-sh ;;
    bash) seed=$PWD/scripts/bench-fixtures/waiting-agent-bash ;;
    *) echo "--agent is python, shell or bash, not '$agent'" >&2; exit 64 ;;
esac
# The machine's busy CPU time so far, in clock ticks (all cores: user, nice, system, irq, softirq, steal).
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }

bench_build
work=$(mktemp -d /tmp/evolve-bench-concurrency.XXXXXX)
trap 'bench_stub_stop; [[ -n "${EVOLVE_BENCH_KEEP:-}" ]] || rm -rf "$work"' EXIT
echo "Say anything." >"$work/answer.md"
bench_stub "$delay" "$work/answer.md"

suite=$work/waiting
mkdir -p "$suite/tasks"
cat >"$suite/suite.yaml" <<YAML
name: waiting
check: test -s answer.txt
timeout_s: 60
check_timeout_s: 10
stages: [{tasks: all}]
YAML
for i in $(seq -w 1 "$tasks"); do
    mkdir -p "$suite/tasks/t$i"
    echo "Call the model once (task $i)." >"$suite/tasks/t$i/prompt.md"
done
for w in "${workers[@]}"; do
    cat >"$work/config-$w.yaml" <<YAML
archive: $work/archive-$w
seed: $seed
suites: [$suite]
generations: 1
children: 1
workers: $w
operators: [{name: scripted, weight: 1, file: $PWD/configs/edits/smoke.json}]
agent_model: {provider: openai, base_url: "http://127.0.0.1:$stub_port/v1", api_key_env: STUB_KEY, model: stub, timeout_s: 60, retries: 0}
budget: {evaluations: $tasks}
sandbox: {timeout_s: 60, memory_mb: 512, pids: 64, file_size_mb: 16, output_kb: 64}
YAML
    start=$(now_ns) ticks=$(busy_ticks)
    STUB_KEY=stub "$bin/evolve" search --config "$work/config-$w.yaml" >"$work/log-$w" 2>&1 \
        || { tail -n 30 "$work/log-$w" >&2; echo "evolve search failed (workers $w)" >&2; exit 1; }
    end=$(now_ns) ticks=$(($(busy_ticks) - ticks))
    passed=$(sqlite3 "$work/archive-$w/index.sqlite" "SELECT COUNT(*) FROM evaluations WHERE status = 'passed'")
    ((passed == tasks)) || { tail -n 20 "$work/log-$w" >&2; echo "only $passed of $tasks tasks passed (workers $w)" >&2; exit 1; }
    # The evaluation window: from the first task's start (its outcome's time less its duration) to the last outcome.
    read -r window task_s < <(sqlite3 -separator ' ' "$work/archive-$w/index.sqlite" \
        "SELECT MAX(created_at) - MIN(created_at - duration_s), AVG(duration_s) FROM evaluations")
    awk -v w="$w" -v n="$tasks" -v ns="$((end - start))" -v d="$delay" -v win="$window" -v ts="$task_s" \
        -v agent="$agent" -v cpu="$((ticks * 1000 / $(getconf CLK_TCK)))" 'BEGIN {
        s = ns / 1e9; ideal = (w < n ? w : n) / d; rate = n / win
        printf "concurrency workers=%d tasks=%d seconds=%.2f window=%.2f task_s=%.2f tasks_per_s=%.2f ideal_per_s=%.2f efficiency=%.0f%% command_efficiency=%.0f%% agent=%s cpu_ms_per_task=%.0f\n", w, n, s, win, ts, rate, ideal, 100 * rate / ideal, 100 * n / s / ideal, agent, cpu / n }'
done
