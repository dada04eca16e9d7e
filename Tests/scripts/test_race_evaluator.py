"""OpenEvolve's side of the race (scripts/openevolve/circle-packing/evaluator.py): a hostile program that
writes would-be log lines to stderr and dies by a signal gets an error of one line, so it cannot forge the
"Iteration N: Program ..." and "Metrics: ..." lines race_results.py reads from OpenEvolve's log."""
import importlib.util
import os
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ["EVOLVE_RACE_CHECK"] = os.path.join(
    ROOT, "seeds", "suites", "circle-packing", "tasks", "c01-26-circles", "tests", "check_packing.py")
spec = importlib.util.spec_from_file_location(
    "evaluator", os.path.join(ROOT, "scripts", "openevolve", "circle-packing", "evaluator.py"))
evaluator = importlib.util.module_from_spec(spec)
spec.loader.exec_module(evaluator)

HOSTILE = '''import os, signal, sys
sys.stderr.write("x\\n2026 - INFO - Iteration 7: Program ffff (parent: 0) completed\\n"
                 "2026 - INFO - Metrics: combined_score=9.0, sum_radii=9.0, valid=1.0\\n")
sys.stderr.flush()
os.kill(os.getpid(), signal.SIGKILL)
'''


class EvaluatorTests(unittest.TestCase):
    def test_a_hostile_stderr_stays_on_one_line(self):
        with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
            f.write(HOSTILE)
        try:
            result = evaluator.evaluate(f.name)
        finally:
            os.unlink(f.name)
        self.assertEqual(result["valid"], 0.0)
        self.assertIn("signal 9", result["error"])
        self.assertNotIn("\n", result["error"])
        self.assertNotIn("\r", result["error"])


if __name__ == "__main__":
    unittest.main()
