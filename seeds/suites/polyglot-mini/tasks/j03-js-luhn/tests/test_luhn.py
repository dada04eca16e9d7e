"""Runs luhn.js in node as a subprocess and compares its results here: the solution never runs in this process."""
import json
import subprocess
import unittest

DRIVER = """
const m = require(process.cwd() + "/luhn.js");
const calls = JSON.parse(require("fs").readFileSync(0, "utf8"));
console.log(JSON.stringify(calls.map((args) => m.valid(...args))));
"""


def call(*arg_lists):
    p = subprocess.run(["node", "-e", DRIVER], input=json.dumps(arg_lists).encode(), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=20)
    if p.returncode != 0:
        raise AssertionError("node exited with %d: %s" % (p.returncode, p.stderr.decode("utf-8", "replace")[-400:]))
    return json.loads(p.stdout.decode().strip().splitlines()[-1])



GOOD = ["059", "4539 3195 0343 6467", "055 444 285", "095 245 88", "091", "0000 0", "59"]
BAD = ["0", " 0", "8273 1232 7352 0569", "055 444 286", "055a 444 285", "055-444-285", "4539 3195 0343 6476"]


class TestLuhn(unittest.TestCase):
    def test_valid_numbers(self):
        self.assertEqual(dict(zip(GOOD, call(*[[n] for n in GOOD]))), {n: True for n in GOOD})

    def test_invalid_numbers(self):
        self.assertEqual(dict(zip(BAD, call(*[[n] for n in BAD]))), {n: False for n in BAD})
