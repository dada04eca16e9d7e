#!/usr/bin/env bash
# Start-up cost of the gateway relay per agent step: a bubblewrap sandbox that runs /bin/true directly,
# under the Python relay, and under the compiled relay (both taken from Sources/EvolveLLM/GatewayRelay.swift),
# rounds interleaved; prints the median and the minimum of each.
#   scripts/bench-relay.sh [ROUNDS]      (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-30}"
work=$(mktemp -d /tmp/evolve-bench-relay.XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 - "$work" <<'PY'
import sys
work = sys.argv[1]
text = open("Sources/EvolveLLM/GatewayRelay.swift").read()
def block(marker):
    body = text[text.index(marker):].split("\n", 1)[1]
    body = body[:body.index('"""#')]
    return "\n".join(line[8:] for line in body.split("\n"))
open(work + "/relay.c", "w").write(block('public static let source = #"""'))
open(work + "/relay.py", "w").write(block('public static let script = #"""'))
PY
cc -O2 -o "$work/relay" "$work/relay.c" -lpthread
python3 - "$work" "$rounds" <<'PY'
import statistics, subprocess, sys, time
work, rounds = sys.argv[1], int(sys.argv[2])
base = ["bwrap", "--unshare-all", "--die-with-parent", "--cap-drop", "ALL", "--ro-bind", "/usr", "/usr",
        "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
        "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/run",
        "--ro-bind", work + "/relay.py", "/run/evolve/relay.py", "--ro-bind", work + "/relay", "/run/evolve/relay"]
relay_args = ["/run/evolve/gateway.sock", "8080", "--", "/bin/true"]
routes = {
    "sandbox, no relay": base + ["/bin/true"],
    "sandbox, Python relay": base + ["python3", "/run/evolve/relay.py"] + relay_args,
    "sandbox, compiled relay": base + ["/run/evolve/relay"] + relay_args,
}
times = {name: [] for name in routes}
for _ in range(rounds):
    for name, command in routes.items():
        start = time.perf_counter()
        subprocess.run(command, check=True)
        times[name].append((time.perf_counter() - start) * 1000)
for name, values in times.items():
    print("bench-relay: %-26s median %7.1f ms   min %6.1f ms" % (name, statistics.median(values), min(values)))
PY
