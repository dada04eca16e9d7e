"""OpenEvolve's side of the overhead benchmark: the same trivial problem as evolve's
(scripts/bench-fixtures/trivial). The program is loaded and run inside OpenEvolve's own worker process
(no sandbox, no new interpreter), which is the cheapest evaluation OpenEvolve can do."""
import importlib.util


def evaluate(program_path):
    spec = importlib.util.spec_from_file_location("candidate", program_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    value = int(module.value())
    return {"combined_score": 1.0 if value % 2 == 0 else 0.0, "value": float(value)}
