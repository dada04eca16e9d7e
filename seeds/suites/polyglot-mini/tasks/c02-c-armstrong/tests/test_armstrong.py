"""Compiles tests/test.c with armstrong.c and runs it as a subprocess; its CHECK lines print FAIL for a wrong answer.
(The comparisons happen in the compiled program, which the solution is linked into.)"""
import os
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


class TestC(unittest.TestCase):
    def test_checks(self):
        with tempfile.TemporaryDirectory() as out:
            binary = os.path.join(out, "test")
            cc = subprocess.run(["cc", "-std=c99", "-Wall", "-Werror", "-O1", "-I.", "-o", binary,
                                 os.path.join(HERE, "test.c"), "armstrong.c", "-lm"],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
            self.assertEqual(cc.returncode, 0, "does not compile:\n" + cc.stdout.decode("utf-8", "replace")[-1500:])
            p = subprocess.run([binary], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=20)
        output = p.stdout.decode("utf-8", "replace")
        failures = [line for line in output.splitlines() if line.startswith("FAIL")]
        self.assertEqual(failures, [], "\n".join(failures[:10]))
        self.assertEqual(p.returncode, 0, output[-1500:])
