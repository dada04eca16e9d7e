#!/usr/bin/env bash
# Prints what a seeded smoke search produced, without times or commit hashes (which carry dates):
# one line a variant with its parents, tree, status, score, operator and summary. Two builds that
# behave the same print the same lines; used to show a refactor changed nothing:
#   scripts/smoke-fingerprint.sh [path/to/evolve] > before.txt   # … change …   and diff the two
set -euo pipefail
cd "$(dirname "$0")/.."
evolve=${1:-.build/debug/evolve}
archive=$(mktemp -d /tmp/evolve-fingerprint.XXXXXX)
trap 'rm -rf "$archive"' EXIT
"$evolve" search --config configs/smoke.yaml --archive "$archive/a" >/dev/null 2>&1
"$evolve" list --archive "$archive/a" --json | python3 -c '
import json, sys
for v in json.load(sys.stdin):
    print(v["id"], ",".join(v["parents"]), v["tree"], v["status"], v["score"], v["operator"], v["summary"], v["reason"])
'
