#!/usr/bin/env bash
# Gateway figures against the local llama-server (SmolLM2-135M from scripts/setup.sh), release build:
#   - median latency of a one-token call: directly to llama-server, through the gateway's Unix socket, and
#     through the sandbox relay (TCP -> Unix socket -> gateway); overhead = difference of the medians
#   - throughput with two agents at once (llama-server's two slots), 64-token answers, directly and through
#     the gateway: generated tokens per second and calls per minute
#   scripts/bench-gateway.sh [CALLS]     CALLS per route for the latency figures (default 60)
# The measuring code is the opt-in test Tests/EvolveLLMTests/GatewayBenchmark.swift.
set -euo pipefail
cd "$(dirname "$0")/.."
calls="${1:-60}"
if [[ -z "${EVOLVE_LLAMA_SERVER:-}" && ! -x .tools/bin/llama-server ]] && ! command -v llama-server >/dev/null; then
    echo "bench-gateway: llama-server is not installed: run scripts/setup.sh first" >&2
    exit 1
fi
log=$(mktemp /tmp/evolve-bench-gateway.XXXXXX)
trap 'rm -f "$log"' EXIT
echo "bench-gateway: building (release) and running $calls calls per route..." >&2
if ! EVOLVE_BENCH_GATEWAY=1 EVOLVE_BENCH_CALLS="$calls" \
    swift test -c release -Xswiftc -enable-testing ${EVOLVE_BENCH_SCRATCH:+--scratch-path "$EVOLVE_BENCH_SCRATCH"} \
    --filter GatewayBenchmark >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "bench-gateway: the benchmark failed (output above)" >&2
    exit 1
fi
if ! grep -q '^bench: ' "$log"; then
    grep -E 'skipped|error' "$log" >&2 || tail -n 20 "$log" >&2
    echo "bench-gateway: no figures (was the benchmark skipped?)" >&2
    exit 1
fi
sed -n 's/^bench: //p' "$log"
