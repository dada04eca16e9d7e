"""Where a search's wall time went, from its archive's index (used by scripts/bench-search.sh).

Per generation g: `make` runs from the end of generation g-1 (its last outcome recorded) to the last child
of g recorded (selection, model calls, applying the edit, syntax check, commit); `evaluate` runs from there
to the last outcome of g recorded (sandboxed agent and check steps, outcome and score writes). Also the
mean model-call latency and the mean sandboxed task time (agent step + check step) as the engine measured
them. Prints one line of key=value pairs, times in ms per child.
"""
import sqlite3
import sys

db = sqlite3.connect(sys.argv[1])
q = lambda sql, *a: db.execute(sql, a).fetchall()
gens = [g for (g,) in q("SELECT DISTINCT generation FROM variants WHERE generation > 0 ORDER BY generation")]
children = q("SELECT COUNT(*) FROM variants WHERE generation > 0")[0][0]
valid = q("SELECT COUNT(*) FROM variants WHERE generation > 0 AND status = 'valid'")[0][0]
end = {0: q("SELECT MAX(e.created_at) FROM evaluations e JOIN variants v ON v.tree_id = e.tree_id AND v.num = 0")[0][0]}
make = evaluate = 0.0
for g in gens:
    made = q("SELECT MAX(created_at) FROM variants WHERE generation = ?", g)[0][0]
    evaluated = q(
        "SELECT MAX(e.created_at) FROM evaluations e JOIN variants v ON v.tree_id = e.tree_id WHERE v.generation = ?", g
    )[0][0] or made
    start = end.get(g - 1) or made
    make += made - start
    evaluate += evaluated - made
    end[g] = evaluated
calls, latency = q("SELECT COUNT(*), COALESCE(SUM(latency_s), 0) FROM llm_calls")[0]
tasks, task_time = q("SELECT COUNT(*), COALESCE(SUM(duration_s), 0) FROM evaluations")[0]
n = max(children, 1)
print(
    "children=%d valid=%d make_ms_per_child=%.1f evaluate_ms_per_child=%.1f model_calls=%d "
    "model_latency_ms=%.1f tasks=%d task_ms=%.1f"
    % (children, valid, 1000 * make / n, 1000 * evaluate / n, calls, 1000 * latency / max(calls, 1), tasks,
       1000 * task_time / max(tasks, 1))
)
