"""Smoke agent: a seed that needs no model.

The task statement (EVOLVE_TASK_FILE) starts with "file: NAME". The agent looks for recipes/NAME.json in
its own folder (EVOLVE_AGENT_DIR): a list of {"search": "...", "replace": "..."} edits, and applies each
one to NAME in the working directory (the task's workspace). With no recipe it changes nothing, so it
passes the tasks it has recipes for and fails the others; a mutation that adds a recipe improves it.
"""
import json
import os
import sys


def task_file_name(statement):
    for line in statement.splitlines():
        if line.startswith("file:"):
            return line.split(":", 1)[1].strip()
    return None


def main():
    agent_dir = os.environ.get("EVOLVE_AGENT_DIR") or os.path.dirname(os.path.abspath(__file__))
    with open(os.environ["EVOLVE_TASK_FILE"]) as f:
        name = task_file_name(f.read())
    if not name:
        print("smoke-agent: the statement names no file", file=sys.stderr)
        return 0
    recipe = os.path.join(agent_dir, "recipes", name + ".json")
    if not os.path.exists(recipe):
        print("smoke-agent: no recipe for %s" % name)
        return 0
    with open(recipe) as f:
        edits = json.load(f)
    with open(name) as f:
        text = f.read()
    applied = 0
    for edit in edits:
        if edit["search"] in text:
            text = text.replace(edit["search"], edit["replace"], 1)
            applied += 1
    with open(name, "w") as f:
        f.write(text)
    print("smoke-agent: applied %d of %d edits to %s" % (applied, len(edits), name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
