"""OpenEvolve's evaluator for the circle-packing race (scripts/bench-circle-packing.sh).

It computes what evolve's circle-packing suite computes: the candidate program runs as evolve's agent step
runs it (Debian's /usr/bin/python3, its stdout is packing.json, 30 s, 512 MB; as there, a non-zero exit
still gets its packing checked, a signal or the time limit does not), then the suite's own check
code (seeds/suites/circle-packing/tasks/c01-26-circles/tests/check_packing.py, named by
$EVOLVE_RACE_CHECK) reads and validates the packing: 26 circles, finite numbers, r > 0, inside the unit
square and no overlap within 1e-9. An invalid packing scores 0. OpenEvolve has no sandbox: the program
runs as a plain child process, in a temporary folder.
"""
import importlib.util
import os
import resource
import subprocess
import tempfile

TIMEOUT_S = 30  # suite.yaml's timeout_s
MEMORY_BYTES = 512 << 20  # the bench config's sandbox memory_mb


def load_check():
    path = os.environ.get("EVOLVE_RACE_CHECK") or os.path.join(os.path.dirname(__file__), "check_packing.py")
    spec = importlib.util.spec_from_file_location("check_packing", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))


def invalid(why):
    # One line, always: OpenEvolve logs the error inside its metrics line, and the race reads that log
    # (race_results.py), so a program's stderr must not be able to add lines of its own to it.
    return {"combined_score": 0.0, "sum_radii": 0.0, "valid": 0.0, "error": " ".join(why.split())[:200]}


def evaluate(program_path):
    check = load_check()
    with tempfile.TemporaryDirectory(prefix="race-eval-") as folder:
        packing = os.path.join(folder, "packing.json")
        try:
            with open(packing, "wb") as out:
                done = subprocess.run(
                    ["/usr/bin/python3", os.path.abspath(program_path)], cwd=folder, stdin=subprocess.DEVNULL,
                    stdout=out, stderr=subprocess.PIPE, timeout=TIMEOUT_S, env={"PATH": "/usr/bin:/bin"},
                    preexec_fn=limit_memory)
        except subprocess.TimeoutExpired:
            return invalid("timed out after %d s" % TIMEOUT_S)
        if done.returncode < 0:  # killed by a signal: evolve's agent step calls that a crash
            return invalid("signal %d: %s" % (-done.returncode, done.stderr.decode(errors="replace")[-160:]))
        cwd = os.getcwd()
        try:
            os.chdir(folder)
            total = check.validate(check.read_packing())
        except ValueError as e:
            return invalid(str(e))
        finally:
            os.chdir(cwd)
    return {"combined_score": total, "sum_radii": total, "valid": 1.0}
