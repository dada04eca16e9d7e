#!/usr/bin/env bash
# The benchmark table (issue 8): every row a figure and what it was compared against in the same run.
# Runs, one at a time: scripts/bench-search.sh and scripts/bench-openevolve.sh (engine overhead per child,
# evolve vs OpenEvolve 0.4.0 on the same trivial problem and stub model), evolve-bench sandbox-start
# (sandbox start-up), scripts/bench-scale.sh (archive scale), scripts/bench-concurrency.sh (latency-bound
# concurrency), scripts/bench-pipeline.sh (realistic latency: evolve's pipeline against its lockstep mode and
# OpenEvolve), scripts/bench-landscape.sh (search efficiency per selector) and, when the local model is
# installed (scripts/setup.sh), a 10-generation search on the embedded default (configs/default.yaml).
# Prints the raw figures on stderr as they come and the table (Markdown) on stdout at the end.
#   scripts/bench.sh [--quick] [--skip NAME ...] [--table-from FILE]
# NAME: overhead sandbox scale concurrency pipeline landscape local (the local-model search alone takes about
# 7 minutes, the realistic-latency runs about 9).
# --quick: 200 children, archives of 1,000 and 10,000, 16 concurrent tasks, 64 realistic children, 10 seeds.
# --table-from FILE: run nothing, print the table from the raw figures a previous run printed on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-fixtures/lib.sh
quick=0 skip=" " from=
while (($#)); do
    case "$1" in
        --quick) quick=1; shift ;;
        --skip) skip+="$2 "; shift 2 ;;
        --table-from) from=$2; shift 2 ;;
        *) echo "usage: $0 [--quick] [--skip overhead|sandbox|scale|concurrency|pipeline|landscape|local]" >&2; exit 64 ;;
    esac
done
if ((quick)); then
    children=200 sizes=(1000 10000) tasks=16 seeds=10 runs=100 realistic=64
else
    children=1000 sizes=(1000 10000 100000) tasks=64 seeds=30 runs=200 realistic=96
fi
wants() { [[ "$skip" != *" $1 "* ]]; }

raw=$(mktemp /tmp/evolve-bench-raw.XXXXXX)
trap 'rm -f "$raw"' EXIT
if [[ -n "$from" ]]; then
    grep -E '^(evolve-search|evolve-phases|openevolve|sandbox-start|scale|concurrency|pipeline|landscape|local|machine) ' "$from" >"$raw"
    children=$(sed -n 's/^evolve-search children=\([0-9]*\).*/\1/p' "$raw" | head -n1)
    runs=$(sed -n 's/^sandbox-start runs=\([0-9]*\).*/\1/p' "$raw" | head -n1)
    seeds=$(sed -n 's/^landscape:.* \([0-9]*\) seeds$/\1/p' "$from" | head -n1)
    for part in overhead:openevolve sandbox:sandbox-start scale:scale concurrency:concurrency pipeline:pipeline landscape:landscape local:local; do
        grep -q "^${part#*:} " "$raw" || skip+="${part%%:*} "
    done
else
bench_build
export EVOLVE_BENCH_BIN=$bin
step() {  # runs a benchmark, shows its lines on stderr, keeps them in $raw
    echo "== $*" >&2
    "$@" | tee -a "$raw" >&2
}
started=$(date +%s)
echo "machine load_before=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ,)" | tee -a "$raw" >&2

if wants overhead; then
    step scripts/bench-search.sh --children "$children"
    step scripts/bench-openevolve.sh --children "$children"
    # Diagnostics, 200 children each: as configured, without the syntax check, with the dgm selector.
    step scripts/bench-search.sh --children 200
    step scripts/bench-search.sh --children 200 --no-syntax-check
    step scripts/bench-search.sh --children 200 --selector dgm
    step scripts/bench-search.sh --children 200 --steps shell   # both sandboxed steps in sh: the engine's share
fi
wants sandbox && step "$bin/evolve-bench" sandbox-start --runs "$runs"
wants scale && step scripts/bench-scale.sh "${sizes[@]}"
if wants concurrency; then
    step scripts/bench-concurrency.sh --tasks "$tasks" 1 8 32
    step scripts/bench-concurrency.sh --tasks "$tasks" --agent shell 32   # the same call by curl: the engine's share
    step scripts/bench-concurrency.sh --tasks "$tasks" --agent bash 32    # bash over /dev/tcp: one bash start per task
fi
wants pipeline && step scripts/bench-pipeline.sh --children "$realistic"
wants landscape && step scripts/bench-landscape.sh --seeds "$seeds" --shapes hgm   # all four shapes: scripts/bench-landscape.sh

local_model=
if wants local; then
    if [[ -x .tools/bin/llama-server || -n "${EVOLVE_LLAMA_SERVER:-}" ]] || command -v llama-server >/dev/null; then
        work=$(mktemp -d /tmp/evolve-bench-local.XXXXXX)
        echo "== evolve search --config configs/default.yaml --generations 10 (local model)" >&2
        s=$(now_ns)
        if "$bin/evolve" search --config configs/default.yaml --generations 10 --archive "$work/archive" \
            >"$work/log" 2>&1; then
            e=$(now_ns)
            read -r calls tin tout latency < <(sqlite3 -separator ' ' "$work/archive/index.sqlite" \
                "SELECT COUNT(*), COALESCE(SUM(tokens_in),0), COALESCE(SUM(tokens_out),0), COALESCE(SUM(latency_s),0) FROM llm_calls")
            read -r nchildren nvalid best < <(sqlite3 -separator ' ' "$work/archive/index.sqlite" \
                "SELECT COUNT(*), SUM(status = 'valid'), (SELECT printf('%.2f', MAX(score)) FROM variants) FROM variants WHERE generation > 0")
            seed_score=$(sqlite3 "$work/archive/index.sqlite" "SELECT printf('%.2f', score) FROM variants WHERE num = 0")
            echo "local seconds=$(((e - s) / 1000000000)) calls=$calls tokens_in=$tin tokens_out=$tout model_s=${latency%.*} children=$nchildren valid=$nvalid seed=$seed_score best=$best" | tee -a "$raw" >&2
        else
            tail -n 20 "$work/log" >&2
            echo "local failed" | tee -a "$raw" >&2
        fi
        rm -rf "$work"
    else
        echo "local not-installed" | tee -a "$raw" >&2
    fi
fi

echo "machine load_after=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ,) seconds=$(($(date +%s) - started)) quick=$quick when=$(date -u +%Y-%m-%dT%H:%MZ)" | tee -a "$raw" >&2
fi

# MARK: - The table
get() {  # get PREFIX KEY [MATCH]: the first value of KEY= on the raw lines starting with PREFIX (and containing MATCH)
    grep "^$1 " "$raw" | grep -F -- "${3:-}" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n1
}
verdict() { awk -v a="$1" -v b="$2" 'BEGIN { print (a + 0 <= b + 0 ? "met" : "**missed**") }'; }

echo
echo "Machine: $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1)), $(free -g | awk '/^Mem:/ {print $2}') GB RAM," \
    "$(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r), $(swift --version 2>/dev/null | head -n1 | sed 's/ (.*//'), bubblewrap $(bwrap --version | cut -d' ' -f2)." \
    "Load average before: $(get machine load_before | tr , ' '), after: $(get machine load_after | tr , ' '). Run: $(get machine when), $(get machine seconds) s$( [[ "$(get machine quick)" == 1 ]] && echo ", --quick")."
echo
echo "| Figure | evolve | Compared against (same run) | Target | |"
echo "| --- | --- | --- | --- | --- |"
if wants overhead; then
    ev=$(get evolve-search ms_per_child) oe=$(get openevolve ms_per_child)
    echo "| Engine overhead per child ($children children, zero-latency stub, 2 workers) | $ev ms ($(get evolve-search seconds) s; every child committed, evaluated in the sandbox; Debian /usr/bin/python3) | OpenEvolve 0.4.0: $oe ms ($(get openevolve seconds) s; no sandbox, evaluation in its worker processes; venv on Debian /usr/bin/python3) | ≤ OpenEvolve | $(verdict "$ev" "$oe") |"
    nosyn=$(grep '^evolve-search .*syntax_check=false' "$raw" | tr ' ' '\n' | sed -n 's/^ms_per_child=//p')
    dgm=$(grep '^evolve-search .*selector=dgm' "$raw" | tr ' ' '\n' | sed -n 's/^ms_per_child=//p')
    base=$(grep '^evolve-search children=200 .*selector=novelty syntax_check=true' "$raw" | grep -v 'steps=shell' | tail -n1 | tr ' ' '\n' | sed -n 's/^ms_per_child=//p')
    shell=$(grep '^evolve-search .*steps=shell' "$raw" | tr ' ' '\n' | sed -n 's/^ms_per_child=//p')
    echo "| … 200 children: as above / without the syntax check / with the dgm selector instead of novelty | $base / $nosyn / $dgm ms per child | | | |"
    [[ -n $shell ]] && echo "| … 200 children with both sandboxed steps in sh instead of Python (the engine's share: select, model call, commit, two bubblewrap steps, index) | $shell ms per child | OpenEvolve, as above: $oe ms | | |"
    echo "| … of which making children (select, model call, apply, syntax check, commit) / evaluating (2 sandboxed steps, index writes) | $(get evolve-phases make_ms_per_child) / $(get evolve-phases evaluate_ms_per_child) ms per child (wall) | model call $(get evolve-phases model_latency_ms) ms; sandboxed task (agent + check) $(get evolve-phases task_ms) ms each, 2 at a time | | |"
fi
if wants sandbox; then
    ov=$(get sandbox-start overhead_ms)
    echo "| Sandbox start-up per step (/bin/true, median of $runs) | $(get sandbox-start sandbox_ms) ms, overhead $ov ms | bare posix_spawn $(get sandbox-start bare_ms) ms; bubblewrap alone, same mounts $(get sandbox-start bwrap_ms) ms | overhead < 10 ms | $(verdict "$ov" 10) |"
fi
if wants scale; then
    while read -r line; do
        n=$(sed -n 's/.*variants=\([0-9]*\).*/\1/p' <<<"$line")
        measure=$(sed -n 's/.*measure="\([^"]*\)".*/\1/p' <<<"$line")
        if [[ "$line" == *" ms="* ]]; then
            ms=${line##*ms=}
            limit=200
            [[ "$measure" == "select step"* ]] && limit=5
            [[ "$measure" == "search start-up"* ]] && limit=2000
            target="< $limit ms at 100,000" mark=
            ((n == 100000)) && mark=$(verdict "$ms" "$limit")
            printf '| Archive of %s variants: %s | %s ms | the same at 1,000 / 10,000 / 100,000 (rows around) | %s | %s |\n' \
                "$(printf "%'d" "$n")" "$measure" "$ms" "$target" "$mark"
        else
            printf '| Archive of %s variants: bytes on disk per variant (10 outcomes each) | %s B | | | |\n' "$(printf "%'d" "$n")" "${line##*value=}"
        fi
    done < <(grep '^scale ' "$raw")
fi
if wants concurrency; then
    while read -r line; do
        w=$(sed -n 's/.*workers=\([0-9]*\).*/\1/p' <<<"$line")
        eff=$(sed -n 's/.* efficiency=\([0-9]*\)%.*/\1/p' <<<"$line")
        mark=
        ((w == 32)) && mark=$( ((eff >= 90)) && echo met || echo "**missed**")
        agent=$(sed -n 's/.* agent=\([a-z]*\).*/\1/p' <<<"$line")
        cpu=$(sed -n 's/.* cpu_ms_per_task=\([0-9]*\).*/\1/p' <<<"$line")
        printf '| Latency-bound tasks (%s tasks, 1 s model wait each, %s agent), workers: %s | %s tasks/s (%s s; %s ms of CPU per task, all processes) | ideal %s tasks/s: %s%% of ideal | 90 %% at 32 workers | %s |\n' \
            "$(get concurrency tasks)" "${agent:-python}" "$w" "$(sed -n 's/.*tasks_per_s=\([0-9.]*\).*/\1/p' <<<"$line")" \
            "$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' <<<"$line")" "${cpu:-?}" "$(sed -n 's/.*ideal_per_s=\([0-9.]*\).*/\1/p' <<<"$line")" "$eff" "$mark"
    done < <(grep '^concurrency ' "$raw")
fi
if wants pipeline; then
    lockstep=$(grep '^pipeline mode=evolve-lockstep ' "$raw" | sed -n 's/.*children_per_min=\([0-9.]*\).*/\1/p')
    while read -r line; do
        mode=$(sed -n 's/.*mode=\([^ ]*\).*/\1/p' <<<"$line")
        rate=$(sed -n 's/.*children_per_min=\([0-9.]*\).*/\1/p' <<<"$line")
        busy=$(sed -n 's/.*worker_busy=\([0-9]*\)%.*/\1/p' <<<"$line")
        mark=
        if [[ $mode == evolve-pipeline ]]; then
            mark=$(awk -v r="$rate" -v l="${lockstep:-0}" -v b="$busy" 'BEGIN { print ((b >= 90 && r >= 2 * l) ? "met" : "**missed**") }')
        fi
        printf '| Realistic latency (%s children; model log-normal, median 4 s, p95 30 s; tasks 0.5–20 s; 32 proposals, 8 sandboxes): %s | %s children/min, workers %s%% busy (%s s) | lockstep: %s children/min | ≥ 90 %% busy and ≥ 2× lockstep | %s |\n' \
            "$(sed -n 's/.*children=\([0-9]*\).*/\1/p' <<<"$line")" "$mode" "$rate" "$busy" \
            "$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' <<<"$line")" "${lockstep:--}" "$mark"
    done < <(grep '^pipeline ' "$raw")
fi
if wants landscape; then
    random_mean=$(get landscape mean " random ")
    while read -r line; do
        name=$(cut -d' ' -f2 <<<"$line")
        mean=$(tr ' ' '\n' <<<"$line" | sed -n 's/^mean=//p')
        printf '| Landscape: evaluations to reach 0.9, selector %s (%s seeds) | %s ± %s (median %s, reached %s) | random: %s | fewer than random | %s |\n' \
            "$name" "$seeds" "$mean" "$(tr ' ' '\n' <<<"$line" | sed -n 's/^sd=//p')" \
            "$(tr ' ' '\n' <<<"$line" | sed -n 's/^median=//p')" "$(tr ' ' '\n' <<<"$line" | sed -n 's/^reached=//p')" \
            "$random_mean" "$([[ $name == random ]] && echo "" || awk -v a="$mean" -v b="$random_mean" 'BEGIN { print (a < b ? "fewer" : "not fewer") }')"
    done < <(grep '^landscape [a-z]* mean' "$raw")
fi
if wants local; then
    if grep -q '^local seconds' "$raw"; then
        echo "| Local model (SmolLM2-135M): 10 generations on the embedded default | $(get local seconds) s wall, $(get local calls) calls, $(get local tokens_in) tokens in + $(get local tokens_out) out | model calls $(get local model_s) s summed (up to 2 at a time); best score $(get local best) from the seed's $(get local seed) ($(get local valid) valid of $(get local children) children) | | |"
    else
        echo "| Local model: 10 generations on the embedded default | $(grep '^local ' "$raw" | cut -d' ' -f2) (scripts/setup.sh installs it) | | | |"
    fi
fi
