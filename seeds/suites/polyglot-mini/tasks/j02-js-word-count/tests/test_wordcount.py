"""Runs wordcount.js in node as a subprocess and compares its results here: the solution never runs in this process."""
import json
import subprocess
import unittest

DRIVER = """
const m = require(process.cwd() + "/wordcount.js");
const calls = JSON.parse(require("fs").readFileSync(0, "utf8"));
console.log(JSON.stringify(calls.map((args) => m.countWords(...args))));
"""


def call(*arg_lists):
    p = subprocess.run(["node", "-e", DRIVER], input=json.dumps(arg_lists).encode(), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=20)
    if p.returncode != 0:
        raise AssertionError("node exited with %d: %s" % (p.returncode, p.stderr.decode("utf-8", "replace")[-400:]))
    return json.loads(p.stdout.decode().strip().splitlines()[-1])



class TestWordCount(unittest.TestCase):
    def test_counts(self):
        self.assertEqual(call(["one fish two fish"]), [{"one": 1, "fish": 2, "two": 1}])

    def test_case_and_punctuation(self):
        self.assertEqual(call(["Go go GO, stop!"]), [{"go": 3, "stop": 1}])

    def test_apostrophes_and_numbers(self):
        self.assertEqual(call(["don't 'stop' believing, 2 times"]),
                         [{"don't": 1, "stop": 1, "believing": 1, "2": 1, "times": 1}])

    def test_only_whitespace(self):
        self.assertEqual(call([" \t\n"]), [{}])
