"""scripts/unfinished_tests.py: after a hung `swift test`, the log names the tests that started and never
ended (a parameterized test runs once per argument, so it is unfinished while any of its runs is)."""
import os
import sys
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import unfinished_tests  # noqa: E402

LOG = """\
◇ Test run started.
◇ Suite "Spawn" started.
◇ Test quick() started.
◇ Test hangs() started.
◇ Test perKind(kind:) started.
◇ Test perKind(kind:) started.
✔ Test quick() passed after 0.010 seconds.
✔ Test perKind(kind:) passed after 0.020 seconds.
◇ Test failing() started.
✘ Test failing() failed after 0.030 seconds with 1 issue.
◇ Test skipped() started.
↷ Test skipped() skipped: "needs Slurm"
"""


class UnfinishedTests(unittest.TestCase):
    def test_names_only_what_started_and_never_ended(self):
        names = unfinished_tests.unfinished(LOG.splitlines(keepends=True))
        self.assertEqual(names, ["hangs()", "perKind(kind:)"])

    def test_a_complete_log_names_nothing(self):
        lines = [line for line in LOG.splitlines() if "hangs" not in line] + [
            "✔ Test perKind(kind:) passed after 0.030 seconds."]
        self.assertEqual(unfinished_tests.unfinished(lines), [])


if __name__ == "__main__":
    unittest.main()
