#!/usr/bin/env python3
"""Checks that Package.swift says what the code imports, and that modules depend one way.

For every target: each module a Swift file imports must be declared in the target's dependencies
(undeclared imports build by luck, through another module); each declared dependency must be imported
somewhere (an unused one hides the real graph). Executables declared by test targets are exempt: tests
run the built binary, they do not import it.

For the libraries: an import must go to a lower layer of the picture in docs/architecture.md. Two modules
of one layer never import each other (Evaluation and Mutation, for example).

Usage: scripts/check-imports.py   (from anywhere; exit 1 and one line per problem when something is off)
"""
import json
import os
import re
import subprocess
import sys

# The picture, lowest first. Keep in step with docs/architecture.md and the order in Package.swift.
LAYERS = [
    ["EvolveSupport"],
    ["EvolveSandbox", "EvolveArchive"],
    ["EvolveTasks", "EvolveCluster"],
    ["EvolveLLM", "EvolveReport"],
    ["EvolveEvaluation", "EvolveMutation", "EvolveServe"],
    ["EvolveSearch"],
    ["EvolveApp"],
    ["EvolveCommands"],
    ["evolve", "evolve-bench"],
]
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}
# Modules of the toolchain and the OS: never declared.
SYSTEM = {"Foundation", "FoundationEssentials", "Glibc", "Musl", "Darwin", "Dispatch", "Synchronization",
          "Testing", "XCTest", "_Concurrency", "os"}
IMPORT = re.compile(r"^(?:@[\w(: .,)]+\s+)*import\s+(?:(?:struct|class|enum|protocol|func|var|typealias)\s+)?(\w+)")


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    package = json.loads(subprocess.run(["swift", "package", "dump-package"], cwd=root, check=True,
                                        capture_output=True, text=True).stdout)
    targets = package["targets"]
    executables = {t["name"] for t in targets if t["type"] == "executable"}
    problems = []
    edges = 0
    for target in targets:
        if target["type"] in ("system", "binary", "plugin", "macro"):
            continue
        name = target["name"]
        path = target.get("path") or os.path.join("Tests" if target["type"] == "test" else "Sources", name)
        # Test helpers (a library under Tests/) are held to the declared = imported rule, not to the layers.
        is_test = target["type"] == "test" or path.startswith("Tests/")
        declared = set()
        for dependency in target["dependencies"]:
            for kind in ("byName", "target", "product"):
                if kind in dependency:
                    declared.add(dependency[kind][0])
        imported = {}
        for folder, _, files in os.walk(os.path.join(root, path)):
            for file in sorted(files):
                if not file.endswith(".swift"):
                    continue
                full = os.path.join(folder, file)
                with open(full, encoding="utf-8") as source:
                    in_string = False
                    for number, line in enumerate(source, 1):
                        if line.count('"""') % 2 == 1:
                            in_string = not in_string
                            continue
                        match = None if in_string else IMPORT.match(line)
                        if match and match.group(1) not in SYSTEM:
                            imported.setdefault(match.group(1), f"{os.path.relpath(full, root)}:{number}")
        for module, where in sorted(imported.items()):
            if module not in declared:
                problems.append(f"{where}: imports {module}, which the target {name} does not declare in Package.swift")
        for module in sorted(declared - set(imported)):
            if is_test and module in executables:
                continue
            problems.append(f"Package.swift: {name} declares {module} but no file of {path} imports it")
        if name in RANK:
            for module in sorted(set(imported) & set(RANK)):
                edges += 1
                if RANK[module] >= RANK[name]:
                    problems.append(f"{imported[module]}: {name} imports {module}, against the one-way picture "
                                    f"(docs/architecture.md): a module imports only lower layers")
        elif not is_test:
            problems.append(f"Package.swift: the target {name} is not in the picture (scripts/check-imports.py LAYERS)")
    for problem in problems:
        print(problem)
    if problems:
        print(f"check-imports: {len(problems)} problem(s)")
        return 1
    print(f"check-imports: every import declared, every declared module imported, {edges} module edges one way")
    return 0


if __name__ == "__main__":
    sys.exit(main())
