"""Runs pangram.js in node as a subprocess and compares its results here: the solution never runs in this process."""
import json
import subprocess
import unittest

DRIVER = """
const m = require(process.cwd() + "/pangram.js");
const calls = JSON.parse(require("fs").readFileSync(0, "utf8"));
console.log(JSON.stringify(calls.map((args) => m.isPangram(...args))));
"""


def call(*arg_lists):
    p = subprocess.run(["node", "-e", DRIVER], input=json.dumps(arg_lists).encode(), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=20)
    if p.returncode != 0:
        raise AssertionError("node exited with %d: %s" % (p.returncode, p.stderr.decode("utf-8", "replace")[-400:]))
    return json.loads(p.stdout.decode().strip().splitlines()[-1])



class TestPangram(unittest.TestCase):
    def test_pangrams(self):
        self.assertEqual(call(["the quick brown fox jumps over the lazy dog"],
                              ["The quick brown fox jumps over the lazy dog"],
                              ["THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG"]), [True, True, True])

    def test_not_pangrams(self):
        self.assertEqual(call(["a quick movement of the enemy will jeopardize five gunboats"], [""]), [False, False])
