"""Reads the circle-packing race's results (scripts/bench-circle-packing.sh) and prints its table.

    race_results.py evolve ARCHIVE N            one JSON line: evolve's run, from its archive's index
    race_results.py openevolve OUTPUT N [LOG]   one JSON line: OpenEvolve's run, from its log and last checkpoint
    race_results.py table LINES CHECKPOINTS     the side-by-side table of every run in the file LINES

A run is counted in proposed children, in the order they were proposed: evolve's variants by number (v0 is
the seed; a child whose edit did not apply, or that repeats a tree, is a variant too, marked invalid),
OpenEvolve's programs by the iteration that found them (an iteration whose answer did not apply leaves no
program, but is counted: it cost a model call and an iteration). "Best after k" is the best valid sum of
radii among the initial program and the first k children; a child is valid when the suite's check
accepted its packing.
"""
import glob
import json
import os
import re
import sqlite3
import sys


def best_after(initial, children, checkpoints):
    """The best sum after each checkpoint k (None when fewer than k children were proposed)."""
    best, out = initial, {}
    for k in range(1, max(checkpoints + [len(children)]) + 1):
        if k <= len(children) and children[k - 1] is not None:
            best = max(best, children[k - 1])
        if k in checkpoints:
            out[str(k)] = best if k <= len(children) else None
    out["final"] = best
    return out


def evolve_run(archive, n):
    db = sqlite3.connect("file:%s?mode=ro" % os.path.join(archive, "index.sqlite"), uri=True)
    rows = db.execute(
        """SELECT v.num, v.status, e.verdicts FROM variants v
           LEFT JOIN evaluations e ON e.tree_id = v.tree_id AND e.suite = 'circle-packing'
           ORDER BY v.num, e.attempt""").fetchall()
    sums = {}
    for num, status, verdicts in rows:
        if num in sums:
            continue
        metrics = json.loads(verdicts).get("metrics", {}) if verdicts else {}
        valid = status == "valid" and metrics.get("valid") == 1
        sums[num] = metrics.get("sum_radii") if valid else None
    initial = sums.pop(0, None) or 0.0
    return initial, [sums[k] for k in sorted(sums)][:n]


def openevolve_run(output, n, log=None):
    """OpenEvolve's run: the child of each iteration, from its log (which names the program each iteration
    made), with each program's full-precision metrics from the last checkpoint. The checkpoint alone is not
    enough: a migrant copy of a program (metadata "migrant") has no iteration of its own (it reads as 0, the
    initial program's), and past population_size programs the database drops some. An iteration the log
    names no program for (its answer did not apply) is an invalid child; a program the checkpoint lost is
    read from the log's metrics line (4 decimals)."""
    folders = glob.glob(os.path.join(output, "checkpoints", "checkpoint_*"))
    if not folders:
        raise SystemExit("no checkpoint in %s: OpenEvolve saved nothing" % output)
    reached = {int(re.sub(r"\D", "", os.path.basename(f)) or 0): f for f in folders}
    last = reached[max(reached)]
    kept, by_iteration, initial = {}, {}, None
    for path in glob.glob(os.path.join(last, "programs", "*.json")):
        with open(path) as f:
            program = json.load(f)
        if (program.get("metadata") or {}).get("migrant"):
            continue
        metrics = program.get("metrics") or {}
        value = metrics.get("sum_radii") if metrics.get("valid") == 1 else None
        kept[program["id"]] = value
        iteration = int(program.get("iteration_found") or 0)
        if iteration == 0 and program.get("parent_id") is None:
            initial = value
        elif iteration > 0:
            by_iteration[iteration] = value
    last_iteration = min(n, max(reached))
    if log and os.path.exists(log):
        by_iteration, made = {}, None
        with open(log, errors="replace") as f:
            for line in f:
                m = re.search(r"Iteration (\d+): Program ([0-9a-f-]+) ", line)
                if m:
                    made = (int(m.group(1)), m.group(2))
                    continue
                m = re.search(r" - Metrics: (.*)$", line)
                if m and made:
                    iteration, program_id = made
                    made = None
                    if program_id in kept:
                        by_iteration[iteration] = kept[program_id]
                    else:
                        fields = dict(kv.split("=", 1) for kv in m.group(1).split(", ") if "=" in kv)
                        valid = fields.get("valid", "0").startswith("1")
                        by_iteration[iteration] = float(fields["sum_radii"]) if valid and "sum_radii" in fields else None
    return initial or 0.0, [by_iteration.get(k) for k in range(1, last_iteration + 1)]


def describe(racer, initial, children, n):
    proposed = len(children)
    valid = sum(1 for c in children if c is not None)
    return {
        "racer": racer, "initial": initial, "proposed": proposed, "valid": valid,
        "best": best_after(initial, children, [50, 100, 200, n]),
    }


# MARK: - The table


def spread(values, form):
    values = [v for v in values if v is not None]
    if not values:
        return "—"
    mean = sum(values) / len(values)
    if min(values) == max(values):
        return form % mean
    return (form + " (" + form + "–" + form + ")") % (mean, min(values), max(values))


def table(lines_path, checkpoints):
    runs = [json.loads(line) for line in open(lines_path) if line.startswith("{")]
    sides = {"evolve": [r for r in runs if r["racer"] == "evolve"],
             "openevolve": [r for r in runs if r["racer"] == "openevolve"]}
    rows = [("runs (seeds)", lambda rs: str(len(rs))),
            ("search", lambda rs: "; ".join(sorted({r.get("search") or "?" for r in rs})))]
    for k in checkpoints:
        rows.append(("best sum of radii after %s" % k, lambda rs, k=k: spread([r["best"].get(k) for r in rs], "%.4f")))
    rows += [
        ("valid children / proposed", lambda rs: spread([100.0 * r["valid"] / max(r["proposed"], 1) for r in rs],
                                                         "%.0f%%") + " of " + spread([r["proposed"] for r in rs], "%.0f")),
        ("wall time per run (s)", lambda rs: spread([r["seconds"] for r in rs], "%.0f")),
        ("model calls per run (failed)", lambda rs: spread([r["calls"] for r in rs], "%.0f")
         + " (" + spread([r["failed_calls"] for r in rs], "%.0f") + ")"),
        ("tokens per call, in / out", lambda rs: spread([r["tokens_in"] / max(r["calls"], 1) for r in rs], "%.0f")
         + " / " + spread([r["tokens_out"] / max(r["calls"], 1) for r in rs], "%.0f")),
        ("sampling the model was asked for", lambda rs: "; ".join(sorted({s for r in rs for s in r["sampling"]}))),
    ]
    width = max(len(name) for name, _ in rows) + 2
    print("%-*s %-36s %s" % (width, "", "evolve", "OpenEvolve"))
    for name, cell in rows:
        print("%-*s %-36s %s" % (width, name, cell(sides["evolve"]), cell(sides["openevolve"])))
    print("(mean over the runs, min–max in brackets; — where no run got that far)")


def main():
    what = sys.argv[1]
    if what == "table":
        return table(sys.argv[2], sys.argv[3].split(","))
    where, n = sys.argv[2], int(sys.argv[3])
    if what == "evolve":
        initial, children = evolve_run(where, n)
    else:
        initial, children = openevolve_run(where, n, sys.argv[4] if len(sys.argv) > 4 else None)
    print(json.dumps(describe(what, initial, children, n)))


if __name__ == "__main__":
    main()
