#!/usr/bin/env bash
total=0
for f in "$@"; do
    n=$(grep -cvE '^[[:space:]]*(#|$)' "$f")
    echo "$n $f"
    total=$((total + n))
done
echo "$total total"
