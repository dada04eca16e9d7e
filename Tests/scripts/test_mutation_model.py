"""The race's seeded mutation model (scripts/bench-fixtures/circle-packing/mutation_model.py): it finds the
program each racer's prompt asks it to edit, and answers with one SEARCH/REPLACE block whose SEARCH text is
one line of that program, exactly once, and whose REPLACE text differs from it in one number."""
import os
import re
import sys
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts", "bench-fixtures", "circle-packing"))
import mutation_model  # noqa: E402

with open(os.path.join(ROOT, "seeds", "agents", "circle-packing", "pack.py")) as f:
    PROGRAM = f.read()
OTHER = "def other():\n    return 12345\n"

# OpenEvolve 0.4.0's diff prompt: the current program after "# Current Program", other programs around it.
OPENEVOLVE = ("# Current Program Information\n- Fitness: 0.34\n\n# Program Evolution History\n```python\n"
              + OTHER + "```\n\n# Current Program\n```python\n" + PROGRAM + "```\n\n# Task\nSuggest improvements.")
# evolve's meta prompt: "# Source (...)", each file's path above its block, agent.yaml among them.
EVOLVE = ("# Parent v3\nscore 0.34\n\n# Source (2 of 2 files, 1 of 2 bytes; most relevant first)\n\nagent.yaml\n"
          "```yaml\nrun: python3 pack.py 1\n```\n\npack.py\n```python\n" + PROGRAM + "```\n\n# Your answer\n")
BLOCK = re.compile(r"^(.*)\n<<<<<<< SEARCH\n(.*)\n=======\n(.*)\n>>>>>>> REPLACE\n$", re.S)


class MutationModelTests(unittest.TestCase):
    def edits(self, prompt, count=200):
        mutation_model.RNG.seed(7)
        for _ in range(count):
            match = BLOCK.match(mutation_model.answer(prompt))
            self.assertIsNotNone(match)
            yield match.groups()

    def check(self, prompt, path):
        lines = PROGRAM.split("\n")
        changed = set()
        for named, search, replace in self.edits(prompt):
            self.assertEqual(named, path)
            self.assertEqual(lines.count(search), 1, search)
            self.assertNotEqual(search, replace)
            before, after = re.split(r"[\d.]+", search), re.split(r"[\d.]+", replace)
            self.assertEqual(before, after, (search, replace))  # only numbers differ
            differing = [a != b for a, b in zip(re.findall(r"[\d.]+", search), re.findall(r"[\d.]+", replace))]
            self.assertEqual(sum(differing), 1, (search, replace))
            self.assertNotIn('"""', search)
            changed.add(search)
        self.assertIn("SCALE = 0.5", changed)
        self.assertGreater(len(changed), 3)

    def test_openevolve_prompt_edits_the_current_program(self):
        self.check(OPENEVOLVE, "program.py")

    def test_evolve_prompt_edits_the_python_file_by_its_path(self):
        self.check(EVOLVE, "pack.py")

    def test_same_seed_same_answers(self):
        self.assertEqual(list(self.edits(EVOLVE, 20)), list(self.edits(EVOLVE, 20)))

    def test_a_prompt_without_a_program_gets_no_edit(self):
        self.assertNotIn("SEARCH", mutation_model.answer("Write a poem."))
        self.assertNotIn("SEARCH", mutation_model.answer("# Current Program\nno code here"))


if __name__ == "__main__":
    unittest.main()
