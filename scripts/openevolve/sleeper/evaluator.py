"""OpenEvolve's side of the realistic-latency benchmark (scripts/bench-pipeline.sh): the same program as
evolve's (scripts/bench-fixtures/sleeper), run inside OpenEvolve's worker process. Each evaluation appends
its start and end to $BENCH_BUSY_LOG, from which the script computes how busy the workers were."""
import importlib.util
import os
import time


def evaluate(program_path):
    start = time.time()
    spec = importlib.util.spec_from_file_location("candidate", program_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.work()
    end = time.time()
    with open(os.environ["BENCH_BUSY_LOG"], "a") as log:
        log.write("%.6f %.6f\n" % (start, end))
    return {"combined_score": 1.0}
