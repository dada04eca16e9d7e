"""Runs greet.sh as a subprocess and compares its output here: the solution never runs in this process."""
import os
import subprocess
import tempfile
import unittest


def run(*args):
    p = subprocess.run(["bash", "./greet.sh", *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=10)
    return p.stdout.decode("utf-8", "replace").rstrip("\n")



class TestGreet(unittest.TestCase):
    def test_name(self):
        self.assertEqual(run("Alice"), "Hello, Alice!")

    def test_default(self):
        self.assertEqual(run(), "Hello, World!")

    def test_name_with_a_space(self):
        self.assertEqual(run("Mary Jane"), "Hello, Mary Jane!")
