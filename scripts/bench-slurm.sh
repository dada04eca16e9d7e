#!/usr/bin/env bash
# Prints how fast Slurm starts trivial jobs on this cluster: `srun` job steps against `sbatch` jobs.
#   submission → start:  from just before the submitting command runs to the job's first instruction
#                        (the job writes its own clock; same host, so the clocks agree)
#   submission → result: until the engine can read the job's result file (srun: when srun returns;
#                        sbatch: when a poller, every 20 ms as the executor does, sees the file)
# Sequential jobs (one at a time, median and p95), then a burst: all N submitted at once, total wall time.
#
# With --stop-slurmd (root, the local cluster): 8 steps of `sleep 5` while slurmd is stopped for 20 s.
# With --tasks N: also N trivial tasks (an agent and a check step each) through the engine's local sandbox and
# its Slurm executor (8 steps in flight), and the executor's overhead per task (the SlurmBenchmark test).
#
# Usage: scripts/bench-slurm.sh [--jobs N] [--tasks N] [--stop-slurmd] [--partition P] [--dir SHARED_DIR]
# Needs a running cluster (scripts/slurm-local.sh start). SHARED_DIR must be visible on the nodes.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=50 partition="" dir=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --jobs) jobs=$2; shift 2 ;;
        --partition) partition=$2; shift 2 ;;
        --dir) dir=$2; shift 2 ;;
        --tasks) BENCH_TASKS=$2; shift 2 ;;
        --stop-slurmd) STOP_SLURMD=1; shift ;;
        *) echo "usage: $0 [--jobs N] [--tasks N] [--stop-slurmd] [--partition P] [--dir SHARED_DIR]" >&2; exit 64 ;;
    esac
done
command -v srun >/dev/null || { echo "srun is not installed: scripts/setup.sh --deps-only" >&2; exit 1; }
sinfo -h >/dev/null 2>&1 || { echo "no Slurm controller answers: scripts/slurm-local.sh start" >&2; exit 1; }
[[ -n $dir ]] || dir=$(mktemp -d /tmp/evolve-bench-slurm.XXXXXX)
mkdir -p "$dir"
echo "host: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(sinfo -V), nodes: $(sinfo -h -o '%D %T' | tr '\n' ' ')"

BENCH_JOBS=$jobs BENCH_PARTITION=$partition BENCH_DIR=$dir python3 - <<'EOF'
import os, statistics, subprocess, threading, time

jobs = int(os.environ["BENCH_JOBS"])
part = ["-p", os.environ["BENCH_PARTITION"]] if os.environ["BENCH_PARTITION"] else []
folder = os.environ["BENCH_DIR"]
# The job's payload: record its start time, then write the result file atomically (as `evolve run-step` does).
payload = 'date +%s.%N > "$1.start"; echo 0 > "$1.tmp"; mv "$1.tmp" "$1"'

def srun(i):
    out = f"{folder}/srun-{i}"
    t0 = time.time()
    subprocess.run(["srun", "-Q", "-n1", "-J", "evolve-bench", *part, "/bin/sh", "-c", payload, "sh", out], check=True,
                   stdout=subprocess.DEVNULL)
    done = time.time() if os.path.exists(out) else None
    return t0, float(open(out + ".start").read()), done

def sbatch(i):
    out = f"{folder}/sbatch-{i}"
    t0 = time.time()
    subprocess.run(["sbatch", "--parsable", "-J", "evolve-bench", "-o", "/dev/null", *part,
                    "--wrap", payload.replace("$1", out)], check=True, stdout=subprocess.DEVNULL)
    while not os.path.exists(out):
        time.sleep(0.02)
    return t0, float(open(out + ".start").read()), time.time()

def stats(values):
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]
    return f"median {statistics.median(values) * 1000:7.0f} ms   p95 {p95 * 1000:7.0f} ms   min {values[0] * 1000:6.0f} ms"

def burst(run):
    results = [None] * jobs
    def one(i):
        results[i] = run(10_000 + i)
    t0 = time.time()
    threads = [threading.Thread(target=one, args=(i,)) for i in range(jobs)]
    for t in threads: t.start()
    for t in threads: t.join()
    return time.time() - t0

for name, run in [("srun", srun), ("sbatch", sbatch)]:
    runs = [run(i) for i in range(jobs)]
    print(f"{name:6} {jobs} sequential jobs, submission → start:  {stats([s - t for t, s, _ in runs])}")
    print(f"{name:6} {jobs} sequential jobs, submission → result: {stats([d - t for t, _, d in runs])}")
    total = burst(run)
    print(f"{name:6} {jobs} jobs submitted at once: all results in {total:.2f} s ({total / jobs * 1000:.0f} ms per job)")
EOF
rm -rf "$dir"

# The engine's own executors: N trivial tasks (agent + check step) locally and through Slurm.
if [[ -n ${BENCH_TASKS:-} ]]; then
    swift build --build-tests >&2
    EVOLVE_BENCH=1 EVOLVE_BENCH_TASKS=$BENCH_TASKS swift test --skip-build --filter SlurmBenchmark 2>&1 |
        grep 'bench-slurm:' | sed 's/^.*bench-slurm: //'
fi
if [[ -n ${STOP_SLURMD:-} ]]; then
    swift build --build-tests >&2
    EVOLVE_BENCH=1 EVOLVE_BENCH_STOP_SLURMD=1 swift test --skip-build --filter slurmdStoppedInTheMiddleOfARun 2>&1 |
        grep 'bench-slurm:' | sed 's/^.*bench-slurm: //'
fi
