"""Runs linked-list.js in node as a subprocess and compares its results here: the solution never runs in this process."""
import json
import os
import re
import subprocess
import unittest

# Each scenario is a list of operations on one new LinkedList; the driver returns what each returned
# ("undefined" for undefined).
DRIVER = """
const { LinkedList } = require(process.cwd() + "/linked-list.js");
const ops = JSON.parse(require("fs").readFileSync(0, "utf8"));
const l = new LinkedList();
console.log(JSON.stringify(ops.map(([op, ...args]) => { const r = l[op](...args); return r === undefined ? "undefined" : r; })));
"""


def run(*ops):
    p = subprocess.run(["node", "-e", DRIVER], input=json.dumps(ops).encode(), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=20)
    if p.returncode != 0:
        raise AssertionError("node exited with %d: %s" % (p.returncode, p.stderr.decode("utf-8", "replace")[-400:]))
    return json.loads(p.stdout.decode().strip().splitlines()[-1])


U = "undefined"


class TestLinkedList(unittest.TestCase):
    def test_push_and_pop(self):
        self.assertEqual(run(["push", 10], ["push", 20], ["pop"], ["pop"], ["pop"]), [U, U, 20, 10, U])

    def test_unshift_shift_and_count(self):
        got = run(["push", 1], ["push", 2], ["unshift", 0], ["count"], ["shift"], ["shift"], ["shift"], ["shift"],
                  ["count"])
        self.assertEqual(got[3:], [3, 0, 1, 2, U, 0])

    def test_delete_the_first_match(self):
        got = run(["push", 1], ["push", 2], ["push", 3], ["push", 2], ["delete", 2], ["count"], ["pop"], ["shift"],
                  ["pop"], ["delete", 9], ["count"])
        self.assertEqual([got[5], got[6], got[7], got[8], got[10]], [3, 2, 1, 3, 0])

    def test_delete_the_only_node(self):
        got = run(["push", 5], ["delete", 5], ["count"], ["push", 6], ["shift"], ["pop"])
        self.assertEqual([got[2], got[4], got[5]], [0, 6, U])

    def test_uses_nodes_not_an_array(self):
        with open("linked-list.js", encoding="utf-8") as f:
            source = f.read()
        self.assertFalse(re.search(r"\[\s*\]|new Array|Array\(", source), "use nodes, not an array")
