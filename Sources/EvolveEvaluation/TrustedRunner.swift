import EvolveSupport
import EvolveTasks
import Foundation

/// The trusted test runner: a Python program the engine writes once per process and mounts read-only at
/// `/evolve/runner.py` in the check's sandbox, started with `python3 -I -P` so that nothing in the workspace
/// can shadow it or the standard library (the workspace is appended to `sys.path`, not prepended).
///
/// It opens its results file (`/evolve/out/verdicts.jsonl`, outside the workspace) before any test or workspace
/// code is imported, snapshots the functions it relies on, runs each expected test itself (not through
/// `unittest`'s runner, which imported code could patch) and writes one JSON line per verdict, then a
/// `{"done": N}` line, then leaves with `os._exit`. The engine also lists the expected tests itself, on the
/// host, from the suite's own files, with `ast` (nothing is imported): see `expectedTests`.
public enum TrustedRunner {
    /// The runner inside the check's sandbox.
    public static let pathInSandbox = "/evolve/runner.py"
    /// The verdicts file inside the check's sandbox (in the results mount).
    public static let resultsInSandbox = "/evolve/out/verdicts.jsonl"
    /// Debian's interpreter, never a `python3` that a PATH lookup could find first.
    public static let python = "/usr/bin/python3"

    private static let writtenPath = Locked<String?>(nil)
    private static let expectedCache = Locked<[String: Result<[String], EvolveError>]>([:])

    /// Writes the runner into a private folder (once per process) and returns its path.
    public static func scriptPath() throws -> String {
        try writtenPath.withLock { writtenPath in
            if let path = writtenPath, Files.exists(path) { return path }
            let folder = try Files.makeTemporaryDirectory(prefix: "evolve-runner")
            chmod(folder, 0o755)
            let path = "\(folder)/runner.py"
            do {
                try source.write(toFile: path, atomically: true, encoding: .utf8)
            } catch {
                throw EvolveError(.io, "cannot write the trusted test runner to \(path): \(error.localizedDescription)")
            }
            chmod(path, 0o444)
            writtenPath = path
            return path
        }
    }

    /// The command line that runs the hidden tests in the check's sandbox.
    static func command(style: CheckResults.RunnerStyle, folder: String, pattern: String, workspace: String)
        -> [String]
    {
        [
            python, "-I", "-P", "-B", pathInSandbox, "--run", "--tests", testsFolderInSandbox(folder),
            "--pattern", pattern, "--style", style.rawValue, "--workspace", workspace, "--results", resultsInSandbox,
        ]
    }

    static func testsFolderInSandbox(_ folder: String) -> String {
        folder.isEmpty ? TaskEvaluator.testsMount : "\(TaskEvaluator.testsMount)/\(folder)"
    }

    /// The ids of the tests the hidden tests define (e.g. `test_calc.TestAdd.test_floats`), read on the host
    /// with Python's `ast` from the suite's own files: no test is imported, nothing of a workspace is involved.
    /// Cached per folder, style and pattern.
    public static func expectedTests(testsPath: String, style: CheckResults.RunnerStyle, pattern: String) throws
        -> [String]
    {
        let key = "\(testsPath)\u{0}\(style.rawValue)\u{0}\(pattern)"
        if let known = expectedCache.withLock({ $0[key] }) { return try known.get() }
        let result: Result<[String], EvolveError>
        do {
            result = .success(try listExpected(testsPath: testsPath, style: style, pattern: pattern))
        } catch let error as EvolveError {
            result = .failure(error)
        }
        expectedCache.withLock { $0[key] = result }
        return try result.get()
    }

    private static func listExpected(testsPath: String, style: CheckResults.RunnerStyle, pattern: String) throws
        -> [String]
    {
        let lister = Spawn.command(
            python,
            [
                "-I", "-P", "-B", try scriptPath(), "--list", "--tests", testsPath, "--pattern", pattern, "--style",
                style.rawValue,
            ], environment: ["PATH=/usr/bin:/bin", "LANG=C.UTF-8"])
        let finished: Spawn.Finished
        do {
            finished = try lister.run(
                errorOutput: .discarded, timeout: .seconds(120), naming: "\(python) to list the hidden tests")
        } catch let error as EvolveError {
            throw EvolveError(.io, error.message, hint: "install Debian's python3")
        }
        if finished.timedOut {
            throw EvolveError(.config, "cannot list the tests in \(testsPath): the lister took over 120 s")
        }
        let data = finished.output
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw EvolveError(.config, "cannot list the tests in \(testsPath): the lister printed no JSON")
        }
        if let problem = object["error"] as? String {
            throw EvolveError(.config, "cannot list the tests in \(testsPath): \(problem)")
        }
        guard let tests = object["tests"] as? [String] else {
            throw EvolveError(.config, "cannot list the tests in \(testsPath): no test list")
        }
        return tests
    }

    /// The runner's source (Python 3.11, standard library only).
    static let source = #"""
        """evolve trusted test runner: per-test verdicts that the code under test cannot easily forge.

        usage: runner.py --list  --tests DIR [--pattern GLOB] [--style unittest|pytest]
               runner.py --run   --tests DIR [--pattern GLOB] [--style unittest|pytest] --workspace DIR --results FILE

        --list prints the expected test ids as JSON, read with ast (no test file is imported).
        --run opens FILE before importing anything of the tests or the workspace, snapshots what it relies on,
        then imports each test module and runs each expected test itself, writing one JSON line per verdict and
        a last {"done": N} line, then leaves with os._exit (no atexit handler of the workspace runs after it).
        """
        import ast
        import fnmatch
        import json
        import os
        import sys


        def test_files(tests, pattern):
            found = []
            for root, dirs, files in os.walk(tests):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
                for name in sorted(files):
                    if name.endswith(".py") and fnmatch.fnmatch(name, pattern):
                        found.append(os.path.join(root, name))
            return found


        def module_name(tests, path):
            rel = os.path.relpath(path, tests)[:-3]
            return rel.replace(os.sep, ".")


        def expected_in(tree, module, style):
            """Test ids of one parsed module: unittest classes (bases named *TestCase, or local test classes)
            and, in pytest style, also module-level test_* functions and Test* classes."""
            classes = {}
            order = []
            for node in tree.body:
                if isinstance(node, ast.ClassDef):
                    methods = [n.name for n in node.body
                               if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name.startswith("test")]
                    bases = []
                    for b in node.bases:
                        if isinstance(b, ast.Name):
                            bases.append(b.id)
                        elif isinstance(b, ast.Attribute):
                            bases.append(b.attr)
                    classes[node.name] = (bases, methods)
                    order.append(node.name)

            def is_case(name, seen=()):
                bases, _ = classes[name]
                for b in bases:
                    if b.endswith("TestCase"):
                        return True
                    if b in classes and b not in seen and is_case(b, seen + (name,)):
                        return True
                return False

            def all_methods(name, seen=()):
                bases, methods = classes[name]
                out = list(methods)
                for b in bases:
                    if b in classes and b not in seen:
                        out += [m for m in all_methods(b, seen + (name,)) if m not in out]
                return out

            ids = []
            for name in order:
                if is_case(name):
                    for m in sorted(set(all_methods(name))):
                        ids.append("%s.%s.%s" % (module, name, m))
                elif style == "pytest" and name.startswith("Test"):
                    for m in all_methods(name):
                        ids.append("%s::%s::%s" % (module, name, m))
            if style == "pytest":
                for node in tree.body:
                    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
                        ids.append("%s::%s" % (module, node.name))
            return ids


        def list_expected(tests, pattern, style):
            ids = []
            for path in test_files(tests, pattern):
                with open(path, "rb") as f:
                    tree = ast.parse(f.read(), filename=path)
                ids += expected_in(tree, module_name(tests, path), style)
            return ids


        def run(tests, pattern, style, workspace, results):
            # The channel first, before any test or workspace code exists in this process.
            fd = os.open(results, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            expected = list_expected(tests, pattern, style)
            # Snapshots of everything used after the first import of a test module.
            import importlib.util
            import traceback
            import unittest
            _write, _exit, _dumps, _isinstance, _getattr = os.write, os._exit, json.dumps, isinstance, getattr
            _str, _type, _len, _repr = str, type, len, repr
            _BaseException, _AssertionError, _SkipTest = BaseException, AssertionError, unittest.SkipTest
            _KeyboardInterrupt = KeyboardInterrupt
            _spec, _module_from_spec = importlib.util.spec_from_file_location, importlib.util.module_from_spec
            _modules = sys.modules
            _stdout, _stderr = sys.stdout, sys.stderr
            summary = []
            case_dict = dict(unittest.TestCase.__dict__)
            tests_root = os.path.realpath(tests) + os.sep
            _realpath, _FunctionType = os.path.realpath, type(run)

            def foreign_code(cls, fn):
                """Where a test's code comes from, when not from the hidden tests: a class or function swapped in by
                imported code (a hook on class creation, a patched method) is refused, not run."""
                candidates = [fn]
                if cls is not None:
                    for klass in cls.__mro__:
                        if klass in (unittest.TestCase, object) or klass.__module__ in ("unittest.case", "builtins"):
                            continue
                        candidates += [v for v in klass.__dict__.values() if _isinstance(v, (_FunctionType, staticmethod, classmethod))]
                for f in candidates:
                    f = _getattr(f, "__func__", f)
                    while _getattr(f, "__wrapped__", None) is not None:
                        f = f.__wrapped__
                    code = _getattr(f, "__code__", None)
                    if code is None:
                        return "%r is not a function" % (f,)
                    where = _realpath(code.co_filename)
                    if not where.startswith(tests_root):
                        return "%s comes from %s, not from the hidden tests" % (_getattr(f, "__qualname__", "?"), code.co_filename)
                return None
            _setattr = setattr

            def restore_testcase():
                for key, value in case_dict.items():
                    if key in ("__dict__", "__weakref__", "__doc__"):
                        continue
                    try:
                        if unittest.TestCase.__dict__.get(key) is not value:
                            _setattr(unittest.TestCase, key, value)
                    except _BaseException:
                        pass

            def emit(record):
                line = (_dumps(record) + "\n").encode("utf-8", "replace")
                while line:
                    n = _write(fd, line)
                    line = line[n:]

            def verdict(test, outcome, error=None):
                summary.append((test, outcome))
                record = {"test": test, "outcome": outcome}
                if error is not None:
                    try:
                        record["type"] = _type(error).__name__
                        record["message"] = _str(error)[:2000]
                    except _BaseException:
                        record["type"] = "Exception"
                        record["message"] = "(the exception could not be shown)"
                emit(record)

            sys.path.insert(0, tests)
            sys.path.append(workspace)
            modules = {}
            import_errors = {}
            for path in test_files(tests, pattern):
                name = module_name(tests, path)
                try:
                    spec = _spec(name, path)
                    module = _module_from_spec(spec)
                    _modules[name] = module
                    spec.loader.exec_module(module)
                    modules[name] = module
                except _BaseException as e:  # SystemExit and KeyboardInterrupt too: the module did not load
                    import_errors[name] = e

            class_state = {}

            def run_one(test_id):
                restore_testcase()
                if "::" in test_id:
                    parts = test_id.split("::")
                    module_key, rest = parts[0], parts[1:]
                else:
                    module_key, cls_name, method = test_id.rsplit(".", 2)
                    rest = [cls_name, method]
                if module_key in import_errors:
                    e = import_errors[module_key]
                    verdict(test_id, "error", e)
                    return
                module = modules.get(module_key)
                if module is None:
                    verdict(test_id, "error", RuntimeError("test module %s was not loaded" % module_key))
                    return
                if _len(rest) == 1:
                    fn = _getattr(module, rest[0], None)
                    if fn is None or not callable(fn):
                        verdict(test_id, "error", LookupError("test %s not found after import" % test_id))
                        return
                    foreign = foreign_code(None, fn)
                    if foreign:
                        verdict(test_id, "error", RuntimeError(foreign))
                        return
                    if fn.__code__.co_argcount:
                        verdict(test_id, "error", TypeError("pytest fixtures are not supported by the trusted runner"))
                        return
                    call_and_judge(test_id, fn, None)
                    return
                cls = _getattr(module, rest[0], None)
                method = _getattr(cls, rest[1], None) if cls is not None else None
                if method is None:
                    verdict(test_id, "error", LookupError("test %s not found after import" % test_id))
                    return
                if _getattr(cls, "__unittest_skip__", False) or _getattr(method, "__unittest_skip__", False):
                    why = _getattr(method, "__unittest_skip_why__", None) or _getattr(cls, "__unittest_skip_why__", "")
                    verdict(test_id, "skipped", _SkipTest(why))
                    return
                foreign = foreign_code(cls if _isinstance(cls, type) else None, method)
                if foreign:
                    verdict(test_id, "error", RuntimeError(foreign))
                    return
                key = (module_key, rest[0])
                if key not in class_state:
                    try:
                        setup = _getattr(cls, "setUpClass", None)
                        if setup is not None:
                            setup()
                        class_state[key] = None
                    except _BaseException as e:
                        class_state[key] = e
                if class_state[key] is not None:
                    verdict(test_id, "error", class_state[key])
                    return
                try:
                    instance = cls(rest[1]) if _isinstance(cls, type) and issubclass(cls, unittest.TestCase) else cls()
                except _BaseException as e:
                    verdict(test_id, "error", e)
                    return
                expecting = _getattr(method, "__unittest_expecting_failure__", False)
                call_and_judge(test_id, _getattr(instance, rest[1]), instance, expecting)

            def call_and_judge(test_id, fn, instance, expecting=False):
                error = None
                try:
                    if instance is not None and _getattr(instance, "setUp", None) is not None:
                        instance.setUp()
                    try:
                        fn()
                    finally:
                        if instance is not None:
                            if _getattr(instance, "tearDown", None) is not None:
                                instance.tearDown()
                            if _isinstance(instance, unittest.TestCase):
                                instance.doCleanups()
                except _KeyboardInterrupt as e:
                    error = e
                except _BaseException as e:
                    error = e
                if expecting:
                    if error is not None and _isinstance(error, _AssertionError):
                        verdict(test_id, "passed")
                    else:
                        verdict(test_id, "failed", _AssertionError("expected a failure, the test passed")
                                if error is None else error)
                    return
                if error is None:
                    verdict(test_id, "passed")
                elif _isinstance(error, _SkipTest):
                    verdict(test_id, "skipped", error)
                elif _isinstance(error, _AssertionError):
                    verdict(test_id, "failed", error)
                else:
                    verdict(test_id, "error", error)

            for test_id in expected:
                try:
                    run_one(test_id)
                except _BaseException as e:
                    try:
                        verdict(test_id, "error", e)
                    except _BaseException:
                        pass
            emit({"done": _len(expected)})
            os.close(fd)
            # For people reading the log: what the tests printed, then one line per test (the engine reads the file).
            for stream in (_stdout, _stderr, sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except _BaseException:
                    pass
            passed = _len([1 for _, outcome in summary if outcome == "passed"])
            lines = ["runner: %s %s" % (outcome, test) for test, outcome in summary]
            lines.append("runner: %d/%d tests passed" % (passed, _len(expected)))
            try:
                _write(1, ("\n".join(lines) + "\n").encode("utf-8", "replace"))
            except _BaseException:
                pass
            _exit(0)


        def main(argv):
            args = {"--pattern": "test*.py", "--style": "unittest"}
            mode = None
            i = 0
            while i < len(argv):
                if argv[i] in ("--list", "--run"):
                    mode = argv[i]
                    i += 1
                elif argv[i] in ("--tests", "--pattern", "--style", "--workspace", "--results") and i + 1 < len(argv):
                    args[argv[i]] = argv[i + 1]
                    i += 2
                else:
                    sys.stderr.write("runner: unknown argument %r\n" % argv[i])
                    return 2
            if mode is None or "--tests" not in args:
                sys.stderr.write(__doc__)
                return 2
            if mode == "--list":
                try:
                    ids = list_expected(args["--tests"], args["--pattern"], args["--style"])
                except SyntaxError as e:
                    sys.stdout.write(json.dumps({"error": "cannot parse %s: %s (line %s)" % (
                        os.path.relpath(e.filename or "?", args["--tests"]), e.msg, e.lineno)}) + "\n")
                    return 1
                sys.stdout.write(json.dumps({"tests": ids}) + "\n")
                return 0
            run(args["--tests"], args["--pattern"], args["--style"], args.get("--workspace", os.getcwd()),
                args.get("--results", "/evolve/out/verdicts.jsonl"))
            return 0


        if __name__ == "__main__":
            sys.exit(main(sys.argv[1:]))
        """#
}
