"""Runs wordfreq.sh as a subprocess and compares its output here: the solution never runs in this process."""
import os
import subprocess
import tempfile
import unittest


def run(*args):
    p = subprocess.run(["bash", "./wordfreq.sh", *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=10)
    return p.stdout.decode("utf-8", "replace").rstrip("\n")



class TestWordFreq(unittest.TestCase):
    def setUp(self):
        fd, self.path = tempfile.mkstemp(suffix=".txt")
        with os.fdopen(fd, "w") as f:
            f.write("The cat and the hat.\nTHE END; and-so on: cat!\nzebra apple\n")

    def tearDown(self):
        os.unlink(self.path)

    def test_top_three(self):
        self.assertEqual(run(self.path, "3"), "3 the\n2 and\n2 cat")

    def test_top_one(self):
        self.assertEqual(run(self.path, "1"), "3 the")

    def test_more_than_there_are(self):
        self.assertEqual(run(self.path, "20"), "3 the\n2 and\n2 cat\n1 apple\n1 end\n1 hat\n1 on\n1 so\n1 zebra")
