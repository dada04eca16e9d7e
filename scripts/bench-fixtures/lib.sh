# Shared by the scripts/bench*.sh scripts (sourced, not run).
#   bench_build            sets $bin to the release binaries (built into .build-bench unless EVOLVE_BENCH_BIN is set)
#   bench_stub DELAY FILE [ARGS]  starts evolve-bench's stub model on a free loopback port (ARGS: more stub-llm
#                          options); sets $stub_port, $stub_pid
#   bench_stub_calls       the number of chat calls the stub has answered
#   now_ns                 a wall clock in nanoseconds

bench_build() {
    if [[ -n "${EVOLVE_BENCH_BIN:-}" ]]; then
        bin=$EVOLVE_BENCH_BIN
        return
    fi
    echo "building evolve and evolve-bench (release, .build-bench) ..." >&2
    swift build -c release --scratch-path .build-bench --product evolve >&2
    swift build -c release --scratch-path .build-bench --product evolve-bench >&2
    bin=$(swift build -c release --scratch-path .build-bench --show-bin-path)
}

bench_stub() {
    local delay=$1 answer=$2 out
    shift 2
    out=$(mktemp /tmp/evolve-bench-stub.XXXXXX)
    "$bin/evolve-bench" stub-llm 0 --delay "$delay" --answer "$answer" "$@" >"$out" 2>&1 &
    stub_pid=$!
    for _ in $(seq 100); do
        if grep -q '^listening on ' "$out"; then break; fi
        sleep 0.05
    done
    stub_port=$(sed -n 's/^listening on //p' "$out")
    rm -f "$out"
    [[ -n "$stub_port" ]] || { echo "the stub model did not start" >&2; return 1; }
}

bench_stub_stop() {
    if [[ -n "${stub_pid:-}" ]]; then
        kill "$stub_pid" 2>/dev/null || true
        wait "$stub_pid" 2>/dev/null || true
        stub_pid=
    fi
}

bench_stub_calls() {
    curl -s --noproxy '*' "http://127.0.0.1:$stub_port/stats" | sed 's/[^0-9]//g'
}

now_ns() { date +%s%N; }
