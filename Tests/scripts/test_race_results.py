"""The race's reading of OpenEvolve's runs (scripts/bench-fixtures/circle-packing/race_results.py): a
migrant copy (which reads as iteration 0) must not pass for the initial program, and a program the database
dropped still counts at its iteration, from the log."""
import json
import os
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts", "bench-fixtures", "circle-packing"))
import race_results  # noqa: E402


def program(folder, pid, iteration, parent, value, migrant=False):
    metrics = {"sum_radii": value, "valid": 1} if value is not None else {"sum_radii": 0.0, "valid": 0}
    with open(os.path.join(folder, pid + ".json"), "w") as f:
        json.dump({"id": pid, "iteration_found": iteration, "parent_id": parent, "metrics": metrics,
                   "metadata": {"migrant": True} if migrant else {}}, f)


class OpenEvolveRunTests(unittest.TestCase):
    def setUp(self):
        self.out = tempfile.mkdtemp()
        self.programs = os.path.join(self.out, "checkpoints", "checkpoint_4", "programs")
        os.makedirs(self.programs)
        program(self.programs, "aaaa-0", 0, None, 0.9279)
        program(self.programs, "bbbb-1", 1, "aaaa-0", 1.25)
        program(self.programs, "cccc-3", 3, "bbbb-1", None)
        # A migrant copy of iteration 4's program: no iteration of its own, so it reads as 0.
        program(self.programs, "dddd-9", 0, "eeee-4", 1.5, migrant=True)
        self.log = os.path.join(self.out, "log")
        with open(self.log, "w") as f:
            f.write("x - INFO - Iteration 1: Program bbbb-1 (parent: aaaa-0) completed in 0.1s\n"
                    "x - INFO - Metrics: combined_score=1.2500, sum_radii=1.2500, valid=1.0000\n"
                    "x - WARNING - Iteration 2 error: No valid diffs found in response\n"
                    "x - INFO - Iteration 3: Program cccc-3 (parent: bbbb-1) completed in 0.1s\n"
                    "x - INFO - HTTP Request: POST http://127.0.0.1/v1/chat/completions\n"
                    "x - INFO - Metrics: combined_score=0.0000, sum_radii=0.0000, valid=0.0000, error=overlap\n"
                    # eeee-4 was dropped from the database: only the log has it.
                    "x - INFO - Iteration 4: Program eeee-4 (parent: bbbb-1) completed in 0.1s\n"
                    "x - INFO - Metrics: combined_score=1.5000, sum_radii=1.5000, valid=1.0000\n")

    def test_with_the_log(self):
        initial, children = race_results.openevolve_run(self.out, 4, self.log)
        self.assertEqual(initial, 0.9279)
        self.assertEqual(children, [1.25, None, None, 1.5])
        best = race_results.describe("openevolve", initial, children, 4)["best"]
        self.assertEqual(best["final"], 1.5)

    def test_without_the_log_a_migrant_is_not_the_initial_program(self):
        initial, children = race_results.openevolve_run(self.out, 4)
        self.assertEqual(initial, 0.9279)
        self.assertEqual(children, [1.25, None, None, None])


if __name__ == "__main__":
    unittest.main()
