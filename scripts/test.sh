#!/usr/bin/env bash
# The test command: installs what is missing on a fresh Debian 12 machine (scripts/setup.sh --deps-only),
# then runs every test: the Swift packages' tests (Swift Testing), the coding agent's and the benchmark scripts'
# Python tests, and the suite verifier (every task's reference solution passes its check, every starting
# workspace fails it).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --deps-only

echo "== imports: Package.swift declares what each module imports; modules depend one way (docs/architecture.md)" >&2
scripts/check-imports.py

echo "== swift format lint (the committed .swift-format; fix with: swift format format -i -r Sources Tests Package.swift)" >&2
swift format lint --strict --parallel -r Sources Tests Package.swift

echo "== swift build" >&2
set +e +o pipefail
swift build --build-tests 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\] (Compiling|Write|Emitting|Linking|Applying|Merging|Wrapping|Planning)'
status=${PIPESTATUS[0]}
set -e -o pipefail
[[ $status -eq 0 ]] || { echo "swift build failed (exit $status)" >&2; exit "$status"; }
echo "== a one-node Slurm for the cluster tests (docs/cluster.md)" >&2
if [[ $(id -u) -eq 0 && -x /usr/sbin/slurmctld ]]; then scripts/slurm-local.sh start; fi
echo "== swift test" >&2
# Keep `swift test`'s own exit status: the filter after it must not hide a failure.
set +e +o pipefail
# Each test's own line is dropped; the closing "Test run with N tests … passed" line is kept.
# A hang fails the run instead of using up CI's time: after EVOLVE_TEST_MINUTES (default 40; the suite takes
# about 5 on 2 cores) every test process gets SIGQUIT, which prints each thread's backtrace, then SIGKILL.
minutes=${EVOLVE_TEST_MINUTES:-40}
timeout --signal=QUIT --kill-after=60 "$((minutes * 60))" swift test --skip-build 2>&1 | tee /tmp/evolve-swift-test.log \
    | grep -vP '^(􀟈|◇|↳)|^Test Case .* started|^(?!✔ Test run with|✘ Test run with).*passed after [0-9.]+ seconds\.$'
status=${PIPESTATUS[0]}
set -e -o pipefail
if [[ $status -eq 124 || $status -eq 137 ]]; then
    echo "swift test did not finish in $minutes minutes; the tests that started and never ended:" >&2
    /usr/bin/python3 scripts/unfinished_tests.py /tmp/evolve-swift-test.log >&2 || true
fi
[[ $status -eq 0 ]] || { echo "swift test failed (exit $status); the full log is /tmp/evolve-swift-test.log" >&2; exit "$status"; }

echo "== the coding agent's tests (Python unittest)" >&2
/usr/bin/python3 -m unittest discover -s Tests/agents

echo "== the benchmark scripts' own tests (Python unittest)" >&2
/usr/bin/python3 -m unittest discover -s Tests/scripts

echo "== suite verifier" >&2
scripts/verify-suites.sh | tail -n 1
