import EvolveSupport
import Foundation
import Yams

/// How the engine reads a task's verdicts after its check: `results:` in suite.yaml (or task.yaml).
///
///     results: unittest            # the trusted runner runs the hidden tests' unittest classes
///     results: pytest              # the same, plus pytest-style test_* functions and Test* classes
///     results: {junit: report.xml} # the check writes JUnit XML (a file name in the check's folder, or /evolve/out/NAME)
///     results: tap                 # the check prints TAP (1..N, ok/not ok lines)
///     results: {metrics: out.json} # the check writes {"metrics": {...}, "tests": {...}}
///     results: exit-status         # one verdict from the exit status: forgeable by the code under test
///
/// Without `results:`, a check that is a plain `python3 -m unittest …` or `pytest …` line gets the trusted
/// runner (the line itself is then not run); any other check is read from its exit status, and marked forgeable.
public enum CheckResults: Sendable, Equatable {
    /// How the trusted runner collects tests.
    public enum RunnerStyle: String, Sendable, Equatable {
        case unittest, pytest
    }

    /// The trusted runner over the hidden tests: `folder` is relative to the task's tests/ ("" for tests/ itself).
    case runner(style: RunnerStyle, folder: String, pattern: String)
    case junit(file: String)
    case tap
    case metrics(file: String)
    case exitStatus

    /// The name `evolve eval` and the stored verdicts use: runner, junit, tap, metrics, exit-status.
    public var source: String {
        switch self {
        case .runner: return "runner"
        case .junit: return "junit"
        case .tap: return "tap"
        case .metrics: return "metrics"
        case .exitStatus: return "exit-status"
        }
    }

    /// Whether the code under test can choose the verdict by choosing its exit status.
    public var forgeable: Bool { self == .exitStatus }

    // MARK: - Reading `results:`

    static func parse(_ node: Node, check: String, in doc: YAMLDocument) throws -> CheckResults {
        let usage = "'results' must be unittest, pytest, tap, exit-status, {junit: FILE} or {metrics: FILE}"
        if let word = node.scalar?.string {
            switch word {
            case "unittest", "pytest":
                let style = RunnerStyle(rawValue: word)!
                if case .runner(_, let folder, let pattern)? = detect(check) {
                    return .runner(style: style, folder: folder, pattern: pattern)
                }
                return .runner(style: style, folder: "", pattern: style == .pytest ? "test_*.py" : "test*.py")
            case "tap": return .tap
            case "exit-status": return .exitStatus
            default: throw EvolveError(.config, "\(doc.location(of: node)): \(usage), not '\(word)'")
            }
        }
        guard let mapping = node.mapping, mapping.count == 1,
            let (key, value) = mapping.first.map({ ($0.key, $0.value) }),
            let file = value.scalar?.string
        else { throw EvolveError(.config, "\(doc.location(of: node)): \(usage)") }
        guard resultsFileIsSafe(file) else {
            throw EvolveError(
                .config, "\(doc.location(of: value)): the results file must be a plain file name or /evolve/out/NAME",
                hint: "the engine reads it from the check's folder or from /evolve/out ($EVOLVE_RESULTS_DIR)")
        }
        switch key.string {
        case "junit": return .junit(file: file)
        case "metrics": return .metrics(file: file)
        default: throw EvolveError(.config, "\(doc.location(of: key)): \(usage)")
        }
    }

    /// Where the check step writes its results inside its sandbox (outside the workspace).
    public static let resultsMount = "/evolve/out"

    /// A file name with no folder part, or `/evolve/out/NAME`: nothing that a link in the workspace could redirect.
    static func resultsFileIsSafe(_ file: String) -> Bool {
        let name =
            file.hasPrefix(resultsMount + "/")
            ? String(file.dropFirst(resultsMount.count + 1)) : file
        return !name.isEmpty && !name.contains("/") && name != "." && name != ".." && !name.contains("\0")
    }

    // MARK: - Recognising plain test commands

    /// The trusted runner's equivalent of a plain unittest or pytest command line, or nil when the line is
    /// anything else (a script, a pipe, options the runner does not know, tests outside tests/).
    public static func detect(_ check: String) -> CheckResults? {
        let shellSyntax = CharacterSet(charactersIn: ";|&$`<>(){}~#=\\\n")
        guard check.rangeOfCharacter(from: shellSyntax) == nil else { return nil }
        var words: [String] = []
        for word in check.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
            // 'test_*.py' or "tests": one quoted word; any other quote is beyond this reader.
            var word = String(word)
            if word.count >= 2, let q = word.first, q == "'" || q == "\"", word.last == q {
                word = String(word.dropFirst().dropLast())
            }
            guard !word.contains("'"), !word.contains("\"") else { return nil }
            words.append(word)
        }
        guard let first = words.first else { return nil }
        var style: RunnerStyle
        if ["python3", "python", "/usr/bin/python3"].contains(first), words.count >= 3, words[1] == "-m",
            words[2] == "unittest" || words[2] == "pytest"
        {
            style = words[2] == "pytest" ? .pytest : .unittest
            words.removeFirst(3)
        } else if first == "pytest" || first == "pytest-3" {
            style = .pytest
            words.removeFirst()
        } else {
            return nil
        }
        var folder = "tests"
        var pattern = style == .pytest ? "test_*.py" : "test*.py"
        if style == .unittest {
            if words.first == "discover" { words.removeFirst() }
            var positional: [String] = []
            while !words.isEmpty {
                let word = words.removeFirst()
                switch word {
                case "-v", "-q", "-b", "-f", "-c", "--verbose", "--quiet", "--buffer", "--failfast", "--catch":
                    continue
                case "-s", "--start-directory":
                    guard !words.isEmpty else { return nil }
                    folder = words.removeFirst()
                case "-p", "--pattern":
                    guard !words.isEmpty else { return nil }
                    pattern = words.removeFirst()
                case "-t", "--top-level-directory":
                    guard !words.isEmpty, words.removeFirst() == "." else { return nil }
                default:
                    guard !word.hasPrefix("-") else { return nil }
                    positional.append(word)
                }
            }
            // `discover START [PATTERN]` in positional form.
            if positional.count > 2 { return nil }
            if let start = positional.first { folder = start }
            if positional.count == 2 { pattern = positional[1] }
        } else {
            var paths: [String] = []
            for word in words {
                if ["-q", "-v", "-x", "-s", "--quiet", "--verbose", "--exitfirst"].contains(word) { continue }
                guard !word.hasPrefix("-") else { return nil }
                paths.append(word)
            }
            guard paths.count <= 1 else { return nil }
            if let path = paths.first { folder = path }
        }
        guard let relative = testsRelative(folder) else { return nil }
        return .runner(style: style, folder: relative, pattern: pattern)
    }

    /// `tests`, `./tests`, `tests/sub` → "", "", "sub"; nil for anything outside tests/.
    static func testsRelative(_ folder: String) -> String? {
        var parts = folder.split(separator: "/").map(String.init).filter { $0 != "." }
        guard parts.first == "tests", !parts.contains("..") else { return nil }
        parts.removeFirst()
        return parts.joined(separator: "/")
    }
}

/// What a suite's failures show the meta-agent: `feedback:` in suite.yaml.
public enum FeedbackLevel: String, Sendable, Equatable {
    /// Per-test verdicts (name, pass/fail, exception type, trimmed and redacted message) and the agent
    /// step's own output; never the check's raw output. The default.
    case verdicts
    /// The whole log, check output included: only for suites whose tests may be seen.
    case full
}
