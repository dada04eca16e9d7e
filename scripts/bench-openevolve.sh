#!/usr/bin/env bash
# OpenEvolve's side of the engine-overhead comparison: OpenEvolve 0.4.0 (PyPI, installed here into
# .venv-bench/, which git ignores) evolves the trivial one-constant program (scripts/openevolve/) for N
# iterations against evolve-bench's zero-latency stub model, which answers every call with a valid full
# rewrite (a new constant). Evaluation: the program is loaded inside OpenEvolve's worker processes (2),
# no sandbox. Prints one line:
#   openevolve children=N seconds=S ms_per_child=M calls=C python=...
#   scripts/bench-openevolve.sh [--children N]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-fixtures/lib.sh
children=1000
while (($#)); do
    case "$1" in
        --children) children=$2; shift 2 ;;
        *) echo "usage: $0 [--children N]" >&2; exit 64 ;;
    esac
done

venv=.venv-bench
if [[ ! -x "$venv/bin/openevolve-run" ]]; then
    echo "installing openevolve 0.4.0 into $venv (Debian's /usr/bin/python3) ..." >&2
    /usr/bin/python3 -m venv "$venv"
    "$venv/bin/pip" install -q openevolve==0.4.0 >&2
fi
python=$(readlink -f "$venv/bin/python3")

bench_build
work=$(mktemp -d /tmp/evolve-bench-openevolve.XXXXXX)
trap 'bench_stub_stop; rm -rf "$work"' EXIT
bench_stub 0 scripts/bench-fixtures/trivial/answer.md

cp scripts/openevolve/initial_program.py scripts/openevolve/evaluator.py "$work/"
sed -e "s/PORT/$stub_port/" -e "s/ITERATIONS/$children/" scripts/openevolve/config.yaml >"$work/config.yaml"
start=$(now_ns)
(cd "$work" && NO_PROXY='*' no_proxy='*' OPENAI_API_KEY=stub "$OLDPWD/$venv/bin/openevolve-run" \
    initial_program.py evaluator.py --config config.yaml --output out --iterations "$children" \
    >"$work/log" 2>&1) || { tail -n 30 "$work/log" >&2; echo "openevolve failed" >&2; exit 1; }
end=$(now_ns)
calls=$(bench_stub_calls)
ms=$(((end - start) / 1000000))
awk -v n="$children" -v ms="$ms" -v calls="$calls" -v py="$python" 'BEGIN {
    printf "openevolve children=%d seconds=%.1f ms_per_child=%.1f calls=%d python=%s (venv)\n", n, ms / 1000, ms / n, calls, py }'
