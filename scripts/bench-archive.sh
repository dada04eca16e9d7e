#!/usr/bin/env bash
# Archive scale: builds archives of N variants (default 10000; pass sizes as arguments, e.g. 1000 10000 100000)
# and prints the time of `evolve lineage`, `list --json`, `show` on each (median of 5 runs, release build)
# and the archive's size on disk.
#   scripts/bench-archive.sh [N ...]
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@"); ((${#sizes[@]})) || sizes=(10000)
swift build -c release --product evolve >/dev/null
swift build -c release --product evolve-bench >/dev/null
bin=$(swift build -c release --show-bin-path)
work=$(mktemp -d /tmp/evolve-bench-archive.XXXXXX)
trap 'rm -rf "$work"' EXIT

median_ms() {  # median wall time in ms of 5 runs of "$@", output discarded
    local times=()
    for _ in 1 2 3 4 5; do
        local s e; s=$(date +%s%N); "$@" >/dev/null; e=$(date +%s%N)
        times+=($(( (e - s) / 1000000 )))
    done
    printf '%s\n' "${times[@]}" | sort -n | sed -n 3p
}

printf '%-10s %-28s %10s\n' variants measure value
for n in "${sizes[@]}"; do
    archive="$work/a$n"
    "$bin/evolve-bench" make-archive "$n" "$archive" | sed "s/^/  /" >&2
    last="v$((n - 1))"
    mid="v$((n / 2))"
    printf '%-10s %-28s %7s ms\n' "$n" "lineage v0 (whole tree)" "$(median_ms "$bin/evolve" lineage v0 --archive "$archive")"
    printf '%-10s %-28s %7s ms\n' "$n" "lineage $last (a leaf)" "$(median_ms "$bin/evolve" lineage "$last" --archive "$archive")"
    printf '%-10s %-28s %7s ms\n' "$n" "list --json" "$(median_ms "$bin/evolve" list --json --archive "$archive")"
    printf '%-10s %-28s %7s ms\n' "$n" "show $mid" "$(median_ms "$bin/evolve" show "$mid" --archive "$archive")"
    bytes=$(du -sb "$archive" | cut -f1)
    printf '%-10s %-28s %7s MB (%s bytes/variant)\n' "$n" "size on disk" "$((bytes / 1000000))" "$((bytes / n))"
done
