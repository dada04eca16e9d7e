#!/usr/bin/env bash
# Archive scale: on archives of N variants (default 1000 10000 100000; made by `evolve-bench make-archive
# N DIR --tasks 10`, cached in $EVOLVE_BENCH_CACHE, default /tmp/evolve-bench-cache, since the largest takes
# minutes to make), the wall time of `evolve lineage` (a leaf, v0: the whole tree, v0 --depth 2), `list --json`,
# `list --limit 20`, `show`
# (median of 3 runs, output discarded), the search's start-up (its CandidatePool reads the archive once) and
# one selection step after it (pool update + select), per selector, median of 3 on a freshly opened
# archive, and the bytes on disk per variant. One line per figure:
#   scale variants=N measure="..." ms=T        scale variants=N measure="bytes per variant" value=B
#   scripts/bench-scale.sh [N ...]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-fixtures/lib.sh
sizes=("$@"); ((${#sizes[@]})) || sizes=(1000 10000 100000)
bench_build
cache=${EVOLVE_BENCH_CACHE:-/tmp/evolve-bench-cache}
mkdir -p "$cache"

median_ms() {  # median wall time in ms of 3 runs of "$@", output discarded
    local times=() s e
    for _ in 1 2 3; do
        s=$(now_ns); "$@" >/dev/null; e=$(now_ns)
        times+=($(((e - s) / 1000000)))
    done
    printf '%s\n' "${times[@]}" | sort -n | sed -n 2p
}

for n in "${sizes[@]}"; do
    archive=$cache/archive-$n-t10-v1
    if [[ ! -f "$archive/.complete" ]]; then
        rm -rf "$archive"
        echo "making an archive of $n variants in $archive ..." >&2
        "$bin/evolve-bench" make-archive "$n" "$archive" --tasks 10 >&2
        touch "$archive/.complete"
    fi
    leaf="v$((n - 1))"
    mid="v$((n / 2))"
    echo "scale variants=$n measure=\"lineage $leaf (a leaf)\" ms=$(median_ms "$bin/evolve" lineage "$leaf" --archive "$archive")"
    echo "scale variants=$n measure=\"lineage v0 (the whole tree)\" ms=$(median_ms "$bin/evolve" lineage v0 --archive "$archive")"
    echo "scale variants=$n measure=\"list --json\" ms=$(median_ms "$bin/evolve" list --json --archive "$archive")"
    echo "scale variants=$n measure=\"show $mid\" ms=$(median_ms "$bin/evolve" show "$mid" --archive "$archive")"
    echo "scale variants=$n measure=\"list --limit 20\" ms=$(median_ms "$bin/evolve" list --limit 20 --archive "$archive")"
    echo "scale variants=$n measure=\"lineage v0 --depth 2\" ms=$(median_ms "$bin/evolve" lineage v0 --depth 2 --archive "$archive")"
    selectors=dgm,hgm,greedy,random,novelty
    # novelty compares every pair of candidates (O(N^2)): at 100,000 one step would take many minutes.
    ((n > 10000)) && selectors=dgm,hgm,greedy,random
    "$bin/evolve-bench" select-step "$archive" --selectors "$selectors" --children 2 --runs 3 \
        | awk -v n="$n" '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
              printf "scale variants=%d measure=\"search start-up, reading the archive (%s)\" ms=%s\n", n, $2, v["startup_ms"]
              printf "scale variants=%d measure=\"select step after start-up (%s)\" ms=%s\n", n, $2, v["step_ms"]
              printf "scale variants=%d measure=\"select step rebuilding from the archive, as before the pool (%s)\" ms=%s\n", n, $2, v["rebuild_step_ms"] }'
    bytes=$(du -sb --exclude=.complete "$archive" | cut -f1)
    echo "scale variants=$n measure=\"bytes per variant\" value=$((bytes / n))"
done
