#!/usr/bin/env bash
# The cost per gateway call of the path a Slurm node uses when the gateway is on TCP (executor.gateway_address):
# the node's relay socket -> TCP -> the gateway, against the gateway's own Unix socket (a node that shares this
# machine's /tmp) and against TCP without the relay. A stub model answers at once, so the figures are the
# transport's and the gateway's own cost; calls are interleaved, and "against the unix socket" is the median of
# the per-round differences. The measuring code is the opt-in test Tests/EvolveClusterTests/GatewayTCPBenchmark.swift.
#   scripts/bench-gateway-tcp.sh [CALLS]      (default 300 per route; a debug build from `swift build --build-tests`)
set -euo pipefail
cd "$(dirname "$0")/.."
calls="${1:-300}"
log=$(mktemp /tmp/evolve-bench-gateway-tcp.XXXXXX)
trap 'rm -f "$log"' EXIT
echo "host: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
if ! EVOLVE_BENCH=1 EVOLVE_BENCH_CALLS="$calls" swift test --skip-build --filter GatewayTCPBenchmark >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "bench-gateway-tcp: the benchmark failed (output above; build first: swift build --build-tests)" >&2
    exit 1
fi
grep '^bench-gateway-tcp:' "$log" || { tail -n 20 "$log" >&2; echo "bench-gateway-tcp: no figures" >&2; exit 1; }
