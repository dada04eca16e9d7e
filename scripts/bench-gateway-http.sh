#!/usr/bin/env bash
# The gateway's HTTP server: the hand-written HTTPServer against Hummingbird 2, same gateway route, same run.
# A stub upstream answers every call at once; each server is reached over its Unix socket and over TCP, one
# client at a time and 8 clients at once; rounds are interleaved so that drift hits every server alike.
# Prints the per-call latency (median, p95) of each. Issue #12's rule: keep the hand-written server only if it
# is faster by more than 1 ms per call.
#   scripts/bench-gateway-http.sh [CALLS] [--debug]    CALLS per client (default 200); --debug: the debug build
# The measuring code is the opt-in test Tests/EvolveLLMTests/GatewayHTTPBenchmark.swift.
set -euo pipefail
cd "$(dirname "$0")/.."
calls=200
mode=(-c release -Xswiftc -enable-testing ${EVOLVE_BENCH_SCRATCH:+--scratch-path "$EVOLVE_BENCH_SCRATCH"})
for arg in "$@"; do
    case "$arg" in
        --debug) mode=(--skip-build) ;;
        [0-9]*) calls="$arg" ;;
        *) echo "usage: scripts/bench-gateway-http.sh [CALLS] [--debug]" >&2; exit 64 ;;
    esac
done
log=$(mktemp /tmp/evolve-bench-gateway-http.XXXXXX)
trap 'rm -f "$log"' EXIT
echo "bench-gateway-http: ${mode[*]}; $calls calls per client and route..." >&2
if ! EVOLVE_BENCH_GATEWAY_HTTP=1 EVOLVE_BENCH_CALLS="$calls" \
    swift test "${mode[@]}" --filter GatewayHTTPBenchmark >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "bench-gateway-http: the benchmark failed (output above)" >&2
    exit 1
fi
if ! grep -q '^bench: ' "$log"; then
    grep -E 'skipped|error' "$log" >&2 || tail -n 20 "$log" >&2
    echo "bench-gateway-http: no figures (was the benchmark skipped?)" >&2
    exit 1
fi
sed -n 's/^bench: //p' "$log"
