"""Demo agent: runs one function from funcs/ on every case in input.json.

The task file's first line is "function: <name>". The agent loads
funcs/<name>.py from its own directory, calls <name>(*args) for each
argument list in input.json and writes the results to output.json.
"""
import importlib.util
import json
import os
import sys


def load(name, agent_dir):
    path = os.path.join(agent_dir, "funcs", name + ".py")
    spec = importlib.util.spec_from_file_location("func_" + name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


def main():
    agent_dir = os.environ.get("EVOLVE_AGENT_DIR") or os.path.dirname(os.path.abspath(__file__))
    with open(os.environ["EVOLVE_TASK_FILE"]) as f:
        first = f.readline().strip()
    if not first.startswith("function:"):
        sys.exit("the task file must start with 'function: <name>'")
    name = first.split(":", 1)[1].strip()
    with open("input.json") as f:
        cases = json.load(f)
    try:
        func = load(name, agent_dir)
        error = None
    except Exception as e:
        func, error = None, "error: cannot load funcs/%s.py: %s: %s" % (name, type(e).__name__, e)
    results = []
    for args in cases:
        if func is None:
            results.append(error)
            continue
        try:
            results.append(func(*args))
        except Exception as e:
            results.append("error: %s: %s" % (type(e).__name__, e))
    with open("output.json", "w") as f:
        json.dump(results, f)
    print("%s: %d cases" % (name, len(cases)), file=sys.stderr)


if __name__ == "__main__":
    main()
