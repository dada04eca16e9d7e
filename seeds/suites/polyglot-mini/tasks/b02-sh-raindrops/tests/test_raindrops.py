"""Runs raindrops.sh as a subprocess and compares its output here: the solution never runs in this process."""
import os
import subprocess
import tempfile
import unittest


def run(*args):
    p = subprocess.run(["bash", "./raindrops.sh", *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=10)
    return p.stdout.decode("utf-8", "replace").rstrip("\n")



CASES = [(1, "1"), (3, "Pling"), (5, "Plang"), (7, "Plong"), (15, "PlingPlang"), (21, "PlingPlong"),
         (35, "PlangPlong"), (105, "PlingPlangPlong"), (52, "52")]


class TestRaindrops(unittest.TestCase):
    def test_single_factors(self):
        for n, want in CASES[:4]:
            self.assertEqual(run(str(n)), want, "raindrops.sh %d" % n)

    def test_combined_factors(self):
        for n, want in CASES[4:8]:
            self.assertEqual(run(str(n)), want, "raindrops.sh %d" % n)

    def test_no_factor(self):
        self.assertEqual(run("52"), "52")
