"""Runs count.sh as a subprocess and compares its output here: the solution never runs in this process."""
import os
import subprocess
import tempfile
import unittest


def run(*args):
    p = subprocess.run(["bash", "./count.sh", *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=10)
    return p.stdout.decode("utf-8", "replace").rstrip("\n")



class TestCountLines(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.a = os.path.join(self.tmp, "a.py")
        self.b = os.path.join(self.tmp, "my file.txt")
        with open(self.a, "w") as f:
            f.write("x = 1\n\n   \n# comment\n  # indented comment\ny = 2\n")
        with open(self.b, "w") as f:
            f.write("one\ntwo\nthree")

    def tearDown(self):
        for path in (self.a, self.b):
            os.unlink(path)
        os.rmdir(self.tmp)

    def test_one_file(self):
        self.assertEqual(run(self.a), "2 %s\n2 total" % self.a)

    def test_two_files_one_with_a_space(self):
        self.assertEqual(run(self.a, self.b), "2 %s\n3 %s\n5 total" % (self.a, self.b))

    def test_no_file(self):
        self.assertEqual(run(), "0 total")
