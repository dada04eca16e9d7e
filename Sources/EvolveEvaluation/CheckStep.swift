import EvolveArchive
import EvolveSandbox
import EvolveSupport
import EvolveTasks
import Foundation

/// The check step: what it mounts, how it runs, how its verdicts are read and judged.
extension TaskEvaluator {
    /// The hidden tests inside the check's sandbox (read-only; also mounted at `<workspace>/tests`).
    public static let testsMount = "/evolve/tests"
    /// The check's results folder (writable, outside the workspace, empty at the start): `$EVOLVE_RESULTS_DIR`.
    public static let resultsMount = CheckResults.resultsMount
    /// The most artifacts of one check that are kept.
    public static let maxArtifacts = 8

    /// The tests the engine expects verdicts for: from the hidden tests (runner), or nil when the results
    /// themselves say what ran (JUnit, metrics) or the exit status is all there is.
    func expectedTests(_ task: SuiteTask, format: CheckResults) throws -> [String]? {
        guard case .runner(let style, let folder, let pattern) = format else { return nil }
        guard let tests = task.testsPath else {
            throw EvolveError(.config, "task \(task.id) has no tests/ folder for the trusted runner to run")
        }
        let path = folder.isEmpty ? tests : "\(tests)/\(folder)"
        let expected = try TrustedRunner.expectedTests(testsPath: path, style: style, pattern: pattern)
        guard !expected.isEmpty else {
            throw EvolveError(.config, "the hidden tests of \(task.id) define no test (pattern \(pattern))")
        }
        return expected
    }

    /// The check's sandbox: the folder writable at the workspace mount, the hidden tests read-only at
    /// `testsMount` and `<workspace>/tests`, the runner read-only, the results folder writable.
    func checkStep(
        _ task: SuiteTask, format: CheckResults, folder: String, resultsFolder: String, limits: SandboxLimits
    ) throws -> SandboxSpec {
        var binds: [SandboxSpec.Bind] = []
        if let tests = task.testsPath {
            binds.append(.init(source: tests, destination: Self.testsMount))
            binds.append(.init(source: tests, destination: "\(Self.workspaceMount)/tests"))
        }
        binds.append(.init(source: resultsFolder, destination: Self.resultsMount, writable: true))
        let command: SandboxSpec.Command
        if case .runner(let style, let sub, let pattern) = format {
            binds.append(.init(source: try TrustedRunner.scriptPath(), destination: TrustedRunner.pathInSandbox))
            command = .argv(
                TrustedRunner.command(style: style, folder: sub, pattern: pattern, workspace: Self.workspaceMount))
        } else {
            command = .shell(task.check)
        }
        return SandboxSpec(
            command: command, workspace: folder, workspaceMount: Self.workspaceMount, binds: binds,
            environment: ["EVOLVE_RESULTS_DIR": Self.resultsMount], limits: limits)
    }

    /// The verdicts of the check as the engine reads them, and why they fall short when they do.
    func readVerdicts(
        format: CheckResults, expected: [String]?, check: SandboxResult, checkFolder: String, resultsFolder: String,
        redactor: HiddenTextRedactor
    ) -> (verdicts: TaskVerdicts, problem: String?) {
        var tests: [TestVerdict] = []
        var metrics: [String: Double] = [:]
        var artifacts: [String: String] = [:]
        var problem: String?
        do throws(VerdictReaders.Unreadable) {
            switch format {
            case .runner:
                let data = try Self.readResultsFile("\(resultsFolder)/verdicts.jsonl")
                let read = try VerdictReaders.runnerVerdicts(data)
                if !read.finished { problem = "the test run ended before it finished reporting" }
                tests = VerdictReaders.reconcile(read.verdicts, expected: expected)
            case .junit(let file):
                tests = try VerdictReaders.junit(try Self.readResultsFile(hostPath(file, checkFolder, resultsFolder)))
            case .metrics(let file):
                let read = try VerdictReaders.metrics(
                    try Self.readResultsFile(hostPath(file, checkFolder, resultsFolder)))
                tests = read.tests
                metrics = read.metrics
                artifacts = read.artifacts
            case .tap:
                tests = try VerdictReaders.tap(check.output)
            case .exitStatus:
                tests = [
                    TestVerdict(
                        name: "check", outcome: check.succeeded ? .passed : .failed,
                        message: check.succeeded ? nil : "exit status \(check.exitStatus)")
                ]
            }
        } catch {
            problem = error.reason
            tests = VerdictReaders.reconcile([], expected: expected ?? ["check"])
        }
        for index in tests.indices {
            tests[index].message = redactor.trimmed(tests[index].message)
            tests[index].exceptionType = tests[index].exceptionType.map { String(redactor.redact($0).prefix(80)) }
            tests[index].name = String(tests[index].name.prefix(300))
        }
        var verdicts = TaskVerdicts(source: format.source, tests: tests, metrics: metrics)
        verdicts.artifacts = Self.trimmedArtifacts(artifacts, redactor: redactor)
        return (verdicts, problem)
    }

    /// At most `maxArtifacts` artifacts (by name), names cut to 80 characters and text to 1,000, hidden-test
    /// text redacted: what a check reports as artifacts reaches the meta-agent, never the hidden tests.
    static func trimmedArtifacts(_ artifacts: [String: String], redactor: HiddenTextRedactor) -> [String: String]? {
        guard !artifacts.isEmpty else { return nil }
        var kept: [String: String] = [:]
        for name in artifacts.keys.sorted().prefix(maxArtifacts) {
            let key = String(redactor.redact(name).prefix(80))
            kept[key] = redactor.trimmed(artifacts[name], limit: 1000)
        }
        return kept
    }

    /// The outcome's status and detail from the verdicts: passed only when every expected test passed.
    func judge(_ verdicts: TaskVerdicts, problem: String?, check: SandboxResult, limits: SandboxLimits)
        -> (status: OutcomeStatus, detail: String?)
    {
        let forgeable = verdicts.forgeable ? " [verdict from the exit status: forgeable]" : ""
        if let status = Self.limitStatus(check.termination) {
            return (status, "check \(check.summary(limits: limits)); \(verdicts.passed)/\(verdicts.total) tests passed")
        }
        if verdicts.allPassed && problem == nil {
            return (.passed, verdicts.forgeable ? "verdict from the check's exit status (forgeable)" : nil)
        }
        if verdicts.forgeable, problem == nil {
            return (.failed, "check \(check.summary(limits: limits))" + forgeable)
        }
        var parts = ["\(verdicts.passed)/\(verdicts.total) tests passed"]
        if let problem { parts.append(problem) }
        if let first = verdicts.tests.first(where: { $0.outcome != .passed }) {
            var line = "\(first.name) \(first.outcome.rawValue)"
            if let type = first.exceptionType { line += ": \(type)" }
            if let message = first.message { line += ": " + String(message.prefix(160)) }
            parts.append(line.replacingOccurrences(of: "\n", with: " "))
        }
        if verdicts.forgeable || !check.succeeded { parts.append("check \(check.summary(limits: limits))") }
        let crashed =
            check.signal.map { Self.crashSignals.contains($0) } == true
            && verdicts.tests.contains { $0.outcome == .missing }
        return (crashed ? .crashed : .failed, parts.joined(separator: "; ") + forgeable)
    }

    /// Where a results file named in `results:` is on the host.
    private func hostPath(_ file: String, _ checkFolder: String, _ resultsFolder: String) -> String {
        file.hasPrefix(Self.resultsMount + "/")
            ? "\(resultsFolder)/\(file.dropFirst(Self.resultsMount.count + 1))" : "\(checkFolder)/\(file)"
    }

    /// Reads a results file the check wrote: a regular file, never through a link, at most 4 MB.
    static func readResultsFile(_ path: String) throws(VerdictReaders.Unreadable) -> Data {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            throw VerdictReaders.Unreadable(
                "the check left no results file \((path as NSString).lastPathComponent)"
                    + (errno == ELOOP ? " (a link)" : ""))
        }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw VerdictReaders.Unreadable(
                "the results file \((path as NSString).lastPathComponent) is not a regular file")
        }
        guard info.st_size <= VerdictReaders.maxResultsBytes else {
            throw VerdictReaders.Unreadable("the results file is larger than 4 MB")
        }
        return (try? handle.read(upToCount: VerdictReaders.maxResultsBytes + 1)) ?? Data()
    }

    static func makeFolder(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        } catch {
            throw EvolveError(.io, "cannot make the folder \(path): \(error.localizedDescription)")
        }
    }
}

extension CheckResults {
    /// The results file a check writes into its own folder (removed before the check runs), if any.
    var resultsFileInCheckFolder: String? {
        switch self {
        case .junit(let file), .metrics(let file):
            return file.hasPrefix(TaskEvaluator.resultsMount + "/") ? nil : file
        default: return nil
        }
    }
}
