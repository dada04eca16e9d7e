"""Checks every task of every suite under seeds/suites (see scripts/verify-suites.sh).

For an ordinary task: the starting workspace plus the hidden tests must FAIL the check, and the
workspace with solution/ laid over it plus the tests must PASS. A check the engine gives to its trusted
runner (a plain unittest/pytest line, or `results: unittest|pytest`) is run the same way here: it passes
only when every test the hidden tests define has a `passed` verdict.

For a suite solved by fixing an agent rather than a workspace (the demo suite), solution/ is laid
over a copy of that agent instead: the bare workspace must fail, the seed agent's outcome must match
the task's `meta.seed_passes`, and the agent with the solution's files must pass.
"""
import argparse
import concurrent.futures
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

from suite_tools import DIFFICULTIES, ROOT, suites, tasks

# Suites whose solution/ folders patch an agent, not the workspace: suite -> the agent they patch.
AGENT_SUITES = {"demo": os.path.join(ROOT, "seeds", "agents", "demo")}
SANDBOX_PATH = "/usr/local/bin:/usr/bin:/bin"
# The engine's trusted test runner, taken from its one copy in the Swift source.
RUNNER_SWIFT = os.path.join(ROOT, "Sources", "EvolveEvaluation", "TrustedRunner.swift")


def runner_source():
    text = open(RUNNER_SWIFT, encoding="utf-8").read()
    body = text.split('static let source = #"""\n', 1)[1]
    # As Swift reads a multi-line string: the closing delimiter's indentation is stripped from every line.
    lines = body.split("\n")
    end = next(i for i, line in enumerate(lines) if line.strip() == '"""#')
    indent = lines[end][: len(lines[end]) - len(lines[end].lstrip())]
    return "".join(line[len(indent):] + "\n" if line.startswith(indent) else line + "\n" for line in lines[:end])


def detect(check):
    """(style, folder under tests/, pattern) for a plain unittest/pytest line, as the engine recognises it."""
    if re.search(r"[;|&$`<>(){}~#=\\\n]", check):
        return None
    try:
        words = shlex.split(check)
    except ValueError:
        return None
    if len(words) >= 3 and words[0] in ("python3", "python", "/usr/bin/python3") and words[1] == "-m" \
            and words[2] in ("unittest", "pytest"):
        style, words = words[2], words[3:]
    elif words and words[0] in ("pytest", "pytest-3"):
        style, words = "pytest", words[1:]
    else:
        return None
    folder, pattern = "tests", "test_*.py" if style == "pytest" else "test*.py"
    positional = []
    if style == "unittest":
        if words[:1] == ["discover"]:
            words = words[1:]
        while words:
            w = words.pop(0)
            if w in ("-v", "-q", "-b", "-f", "-c", "--verbose", "--quiet", "--buffer", "--failfast", "--catch"):
                continue
            if w in ("-s", "--start-directory", "-p", "--pattern", "-t", "--top-level-directory"):
                if not words:
                    return None
                value = words.pop(0)
                if w in ("-s", "--start-directory"):
                    folder = value
                elif w in ("-p", "--pattern"):
                    pattern = value
                elif value != ".":
                    return None
            elif w.startswith("-"):
                return None
            else:
                positional.append(w)
        if len(positional) > 2:
            return None
        if positional:
            folder = positional[0]
        if len(positional) == 2:
            pattern = positional[1]
    else:
        paths = [w for w in words if w not in ("-q", "-v", "-x", "-s", "--quiet", "--verbose", "--exitfirst")]
        if any(p.startswith("-") for p in paths) or len(paths) > 1:
            return None
        if paths:
            folder = paths[0]
    parts = [p for p in folder.split("/") if p and p != "."]
    if not parts or parts[0] != "tests" or ".." in parts:
        return None
    return style, "/".join(parts[1:]), pattern


def trusted(check, suite_conf, meta):
    """How the engine reads this task's verdicts: the runner's (style, folder, pattern), or None."""
    results = meta.get("results") if "results" in meta else (None if meta.get("check") else suite_conf.get("results"))
    if results in ("unittest", "pytest"):
        found = detect(check)
        return (results, found[1], found[2]) if found else (results, "", "test_*.py" if results == "pytest" else "test*.py")
    if results:
        return None
    return detect(check)


def run_check(check, plan, ws, timeout, env):
    """The check as the engine runs it: the trusted runner (passed = every expected test passed) or the line."""
    if plan is None:
        return run(check, ws, timeout, env)
    style, folder, pattern = plan
    runner = os.path.join(env["HOME"], "runner.py")
    if not os.path.exists(runner):
        with open(runner, "w", encoding="utf-8") as f:
            f.write(runner_source())
    tests = os.path.join(ws, "tests", folder) if folder else os.path.join(ws, "tests")
    results = os.path.join(env["HOME"], "verdicts-%s.jsonl" % os.path.basename(ws))
    listed = subprocess.run(["/usr/bin/python3", "-I", "-P", runner, "--list", "--tests", tests, "--pattern", pattern,
                             "--style", style], stdout=subprocess.PIPE, env=env)
    expected = json.loads(listed.stdout or b"{}").get("tests") or []
    argv = ["/usr/bin/python3", "-I", "-P", "-B", runner, "--run", "--tests", tests, "--pattern", pattern, "--style", style,
            "--workspace", ws, "--results", results]
    rc, out = run(shlex.join(argv), ws, timeout, env)
    verdicts = {}
    done = False
    if os.path.exists(results):
        for line in open(results, encoding="utf-8", errors="replace"):
            record = json.loads(line) if line.strip() else {}
            if "done" in record:
                done = True
                break
            verdicts.setdefault(record.get("test"), record)
    bad = [t for t in expected if verdicts.get(t, {}).get("outcome") != "passed"]
    ok = done and expected and not bad and set(verdicts) == set(expected)
    lines = ["%s: %s %s" % (t, verdicts.get(t, {}).get("outcome", "missing"), verdicts.get(t, {}).get("message", ""))
             for t in bad[:5]]
    return (0 if ok else 1), out + "\n".join(lines)


def env_for(home, extra=None):
    env = {"PATH": SANDBOX_PATH, "HOME": home, "LANG": "C.UTF-8", "TMPDIR": home}
    env.update(extra or {})
    return env


def run(command, cwd, timeout, env):
    try:
        p = subprocess.run(["sh", "-c", command], cwd=cwd, env=env, timeout=timeout,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        return p.returncode, p.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as e:
        return 124, "timed out after %ss\n%s" % (timeout, (e.stdout or b"").decode("utf-8", "replace"))


def overlay(src, dst):
    shutil.copytree(src, dst, dirs_exist_ok=True)


def fresh(task_dir, scratch, label):
    ws = os.path.join(scratch, label)
    shutil.copytree(os.path.join(task_dir, "workspace"), ws)
    return ws


def add_tests(task_dir, ws):
    overlay(os.path.join(task_dir, "tests"), os.path.join(ws, "tests"))


def problems_with_layout(task_dir, meta):
    problems = []
    for part in ("prompt.md", "workspace", "tests", "solution", "task.yaml"):
        if not os.path.exists(os.path.join(task_dir, part)):
            problems.append("missing " + part)
    m = meta.get("meta")
    if not isinstance(m, dict) or not m.get("exercises") or m.get("difficulty") not in DIFFICULTIES:
        problems.append("task.yaml needs meta: {exercises: \"...\", difficulty: %s}" % "|".join(DIFFICULTIES))
    return problems


def verify(suite, suite_conf, tid, task_dir, meta):
    start = time.monotonic()
    problems = problems_with_layout(task_dir, meta)
    if problems:
        return False, "; ".join(problems), 0.0
    check = meta.get("check") or suite_conf.get("check") or "python3 -m unittest discover -s tests"
    plan = trusted(check, suite_conf, meta)
    timeout = float(meta.get("check_timeout_s") or suite_conf.get("check_timeout_s") or 60)
    with tempfile.TemporaryDirectory(prefix="verify-") as scratch:
        env = env_for(scratch)
        notes = []
        # 1. the starting workspace must fail
        ws = fresh(task_dir, scratch, "before")
        add_tests(task_dir, ws)
        rc, out = run_check(check, plan, ws, timeout, env)
        if rc == 0:
            return False, "the check passes on the starting workspace", time.monotonic() - start
        agent = AGENT_SUITES.get(suite)
        if agent:
            # 2. the seed agent's outcome must match meta.seed_passes
            agent_timeout = float(meta.get("timeout_s") or suite_conf.get("timeout_s") or 120)
            want_seed = bool(meta["meta"].get("seed_passes"))
            rc, out = run_agent(agent, task_dir, scratch, "seed", agent_timeout, check, timeout, plan)
            if (rc == 0) != want_seed:
                return False, "seed agent %s, meta.seed_passes says %s\n%s" % (
                    "passes" if rc == 0 else "fails", want_seed, tail(out)), time.monotonic() - start
            notes.append("seed %s" % ("passes" if rc == 0 else "fails"))
            # 3. the agent with the solution's files must pass
            fixed = os.path.join(scratch, "fixed-agent")
            shutil.copytree(agent, fixed, ignore=shutil.ignore_patterns("__pycache__"))
            overlay(os.path.join(task_dir, "solution"), fixed)
            rc, out = run_agent(fixed, task_dir, scratch, "after", agent_timeout, check, timeout, plan)
        else:
            # 2. workspace + solution must pass
            ws = fresh(task_dir, scratch, "after")
            overlay(os.path.join(task_dir, "solution"), ws)
            add_tests(task_dir, ws)
            rc, out = run_check(check, plan, ws, timeout, env)
        if rc != 0:
            return False, "the check fails with the solution\n" + tail(out), time.monotonic() - start
        return True, ", ".join(notes), time.monotonic() - start


def run_agent(agent_dir, task_dir, scratch, label, agent_timeout, check, check_timeout, plan=None):
    ws = fresh(task_dir, scratch, label)
    conf = {}
    for line in open(os.path.join(agent_dir, "agent.yaml")):
        key, _, value = line.partition(":")
        conf[key.strip()] = value.strip()
    env = env_for(scratch, {"EVOLVE_AGENT_DIR": agent_dir,
                            "EVOLVE_TASK_FILE": os.path.join(task_dir, "prompt.md"),
                            "EVOLVE_TURN_LIMIT": "10",
                            "PYTHONDONTWRITEBYTECODE": "1"})
    rc, out = run(conf["run"], ws, agent_timeout, env)
    if rc != 0:
        return rc, "agent exited with %d\n%s" % (rc, out)
    add_tests(task_dir, ws)
    return run_check(check, plan, ws, check_timeout, env_for(scratch))


def tail(text, lines=15):
    return "\n".join("      " + l for l in text.strip().splitlines()[-lines:])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("suites", nargs="*", help="only these suites (default: all)")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    jobs = []
    for suite, suite_dir, conf in suites(args.suites):
        for tid, task_dir, meta in tasks(suite_dir):
            jobs.append((suite, conf, tid, task_dir, meta))
    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(verify, *job) for job in jobs]
        for job, future in zip(jobs, futures):
            try:
                ok, note, seconds = future.result()
            except Exception as e:  # a broken task folder must not hide the others
                ok, note, seconds = False, "%s: %s" % (type(e).__name__, e), 0.0
            passed += ok
            failed += not ok
            line = "%-4s %s/%s (%.1fs)" % ("ok" if ok else "FAIL", job[0], job[2], seconds)
            print(line + (": " + note if note else ""), flush=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not jobs else 0


if __name__ == "__main__":
    sys.exit(main())
