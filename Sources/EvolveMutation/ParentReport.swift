import EvolveArchive
import EvolveSupport
import EvolveTasks
import Foundation

/// One task the parent did not pass, as a prompt shows it.
public struct TaskFailure: Sendable, Equatable {
    public var suite: String
    public var task: String
    public var status: OutcomeStatus
    /// The evaluator's one-line explanation ("check exit 1", "killed after 120 s").
    public var detail: String?
    /// The task statement (`prompt.md`), when the suite can be read.
    public var statement: String?
    /// What the prompts may show of the task's log (prompts trim it): the agent step's output and the check's
    /// per-test verdicts; the check's raw output only for a suite with `feedback: full`.
    public var log: String

    public var key: String { "\(suite)/\(task)" }
}

/// What the parent's evaluations say: which tasks it failed (with logs and statements) and which it passed.
public struct ParentReport: Sendable {
    public var failures: [TaskFailure]
    /// `suite/task` of every passed task.
    public var passed: Set<String>
    /// Tasks per suite (from the suite folder, or from the outcomes when it cannot be read).
    public var taskCounts: [String: Int]
    /// A few statements of each suite's tasks, for saying what the agent is for.
    public var exampleStatements: [String: [String]]
    /// On suites with `objectives:`: one line per passed task with its score, metrics and artifacts (the
    /// check's artifacts are already trimmed and redacted), so that a passing parent still learns what to raise.
    public var objectiveNotes: [String] = []

    /// Reads the parent's outcomes on `suites` (the latest attempt of each task) and the suites' statements.
    public static func load(archive: Archive, tree: String, suites: [String], suitesDirectory: String) throws
        -> ParentReport
    {
        var report = ParentReport(failures: [], passed: [], taskCounts: [:], exampleStatements: [:])
        for suiteName in suites {
            let suite = try? Suite.load(from: Suite.locate(suiteName, searchPaths: [suitesDirectory]))
            let name = suite?.name ?? suiteName
            var latest: [String: TaskOutcome] = [:]
            for outcome in try archive.outcomes(tree: tree, suite: name) {
                if let seen = latest[outcome.task], seen.attempt > outcome.attempt { continue }
                latest[outcome.task] = outcome
            }
            report.taskCounts[name] = suite?.tasks.count ?? latest.count
            report.exampleStatements[name] = (suite?.tasks.prefix(2) ?? []).compactMap { statement($0) }
            for (task, outcome) in latest.sorted(by: { $0.key < $1.key }) {
                if outcome.status == .passed {
                    report.passed.insert("\(name)/\(task)")
                    if let suite, !suite.objectives.isEmpty {
                        report.objectiveNotes.append(objectiveNote(outcome, suite: suite))
                    }
                } else {
                    report.failures.append(
                        TaskFailure(
                            suite: name, task: task, status: outcome.status, detail: outcome.detail,
                            statement: suite?.task(task).flatMap { statement($0) },
                            log: Feedback.text(of: outcome, level: suite?.feedback ?? .verdicts)))
                }
            }
        }
        return report
    }

    /// `suite/task: score 0.344 of 1 (objectives: sum_radii maximize in 0…2.7); metrics: …; artifacts: …`.
    static func objectiveNote(_ outcome: TaskOutcome, suite: Suite) -> String {
        let score = SuiteObjectives.taskScore(
            passed: outcome.status.isPass, metrics: outcome.verdicts?.metrics, suite.objectives)
        let goals = suite.objectives.map { o in
            "\(o.name) \(o.direction.rawValue)" + (o.bounds.map { " in \($0.lowerBound)…\($0.upperBound)" } ?? "")
        }
        var line =
            "\(suite.name)/\(outcome.task): score \(String(format: "%.3f", score)) of 1 (objectives: "
            + goals.joined(separator: ", ") + ")"
        let metrics = outcome.verdicts?.metrics ?? [:]
        if !metrics.isEmpty {
            line += "; metrics: " + metrics.keys.sorted().map { "\($0) = \(metrics[$0]!)" }.joined(separator: ", ")
        }
        let artifacts = outcome.verdicts?.artifacts ?? [:]
        if !artifacts.isEmpty {
            line +=
                "; check artifacts: "
                + artifacts.keys.sorted().map { "\($0): \(artifacts[$0]!)" }.joined(separator: "; ")
        }
        return line.replacingOccurrences(of: "\n", with: " ")
    }

    private static func statement(_ task: SuiteTask) -> String? {
        try? String(contentsOfFile: task.promptPath, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The failure to focus on: a different one for different seeds, so siblings try different tasks.
    public func focus(seed: UInt64) -> TaskFailure? {
        guard !failures.isEmpty else { return nil }
        var generator = SeededGenerator(seed: seed ^ 0xF0C5_7A5C)
        return failures[Int(generator.next() % UInt64(failures.count))]
    }
}

// MARK: - Feedback

/// What a meta-agent may read of an outcome: never the hidden tests. The agent step never sees the tests,
/// so its output is shown; of the check only the verdicts are (test, outcome, exception type, a trimmed
/// message with hidden-test text already redacted by the evaluator), unless the suite says `feedback: full`.
public enum Feedback {
    /// The heading that starts the check step's section of a log (`TaskEvaluator`).
    static let checkHeading = "── check step: "

    public static func text(of outcome: TaskOutcome, level: FeedbackLevel) -> String {
        if level == .full { return outcome.log }
        var text = agentPart(of: outcome.log)
        if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
        guard let verdicts = outcome.verdicts else {
            return text + "── check: output not shown (the hidden tests stay hidden) ──\n"
        }
        text += "── check: \(verdicts.passed)/\(verdicts.total) tests passed ──\n"
        for verdict in verdicts.tests {
            var line = verdict.outcome == .passed ? "ok    " : "FAIL  "
            line += "\(verdict.name) (\(verdict.outcome.rawValue))"
            if let type = verdict.exceptionType { line += " \(type)" }
            if let message = verdict.message {
                line += ": " + message.replacingOccurrences(of: "\n", with: "\n      ")
            }
            text += line + "\n"
        }
        if let artifacts = verdicts.artifacts, !artifacts.isEmpty {
            text += "── check artifacts ──\n"
            for name in artifacts.keys.sorted() {
                text += "\(name): " + (artifacts[name] ?? "").replacingOccurrences(of: "\n", with: "\n      ") + "\n"
            }
        }
        if !verdicts.metrics.isEmpty {
            text += "── check metrics ──\n"
            text +=
                verdicts.metrics.keys.sorted().map { "\($0) = \(verdicts.metrics[$0]!)" }.joined(separator: "\n") + "\n"
        }
        return text
    }

    /// The log up to the first check heading: the agent's output, which a check cannot have written into
    /// (a heading forged by the agent only cuts its own output shorter).
    static func agentPart(of log: String) -> String {
        guard
            let range = log.range(of: "\n" + checkHeading)
                ?? (log.hasPrefix(checkHeading) ? log.startIndex..<log.startIndex : nil)
        else { return log }
        return String(log[..<range.lowerBound])
    }
}

// MARK: - Logs

/// Cutting logs down to what explains a failure.
public enum LogTrim {
    /// The last `lines` lines worth reading: separator rules and blank runs dropped, each line cut to
    /// `lineChars` characters.
    public static func tail(_ log: String, lines: Int = 40, lineChars: Int = 300) -> String {
        let kept = meaningful(log)
        var out = kept.suffix(lines).map { cut($0, lineChars) }
        if kept.count > lines { out.insert("[… \(kept.count - lines) earlier lines cut …]", at: 0) }
        return out.joined(separator: "\n")
    }

    /// The shortest useful excerpt (for small models): from the last line that reports an error to the end,
    /// without test-runner trailers; else the last lines.
    public static func essence(_ log: String, maxLines: Int = 12, lineChars: Int = 240) -> String {
        let kept = meaningful(log).filter { line in
            let t = line.trimmingCharacters(in: .whitespaces)
            return !(t.hasPrefix("Ran ") && t.contains(" test")) && !t.hasPrefix("FAILED (") && t != "OK"
                && !t.hasPrefix("Traceback (most recent call last)") && !t.hasPrefix("── ")
        }
        // The last error report, else the last line about a failure or an expected value.
        var start: Int?
        for marker in ["Error", "error:", "Exception", "FAIL", "expected"] where start == nil {
            start = kept.lastIndex { $0.contains(marker) && !$0.hasPrefix("FAIL: ") }
        }
        var excerpt = start.map { Array(kept[$0...]) } ?? kept
        while let last = excerpt.last, last.trimmingCharacters(in: .whitespaces).isEmpty { excerpt.removeLast() }
        return excerpt.prefix(maxLines).map { cut($0, lineChars) }.joined(separator: "\n")
    }

    private static func meaningful(_ log: String) -> [Substring] {
        var out: [Substring] = []
        for line in log.split(separator: "\n", omittingEmptySubsequences: false) {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.count >= 4, t.allSatisfy({ "-=_─*".contains($0) }) { continue }
            if t.isEmpty && (out.last?.trimmingCharacters(in: .whitespaces).isEmpty ?? true) { continue }
            out.append(line)
        }
        while let last = out.last, last.trimmingCharacters(in: .whitespaces).isEmpty { out.removeLast() }
        return out
    }

    private static func cut(_ line: Substring, _ limit: Int) -> String {
        line.count <= limit ? String(line) : String(line.prefix(limit)) + " […]"
    }
}

// MARK: - The archive around the parent

/// The ADAS-style view of the archive: the best variants and the ones whose solved tasks differ most from
/// the parent's.
public struct ArchiveDigest: Sendable {
    public struct Entry: Sendable, Equatable {
        public var variant: Variant
        /// Tasks it passes that the parent fails, and the reverse (`suite/task`).
        public var gains: [String]
        public var losses: [String]
    }

    public var best: [Entry]
    public var different: [Entry]

    public static func build(archive: Archive, parent: Variant, suites: [String], best: Int = 3, different: Int = 2)
        throws -> ArchiveDigest
    {
        var passed: [String: Set<String>] = [:]
        for suite in suites {
            for (tree, tasks) in try archive.passMatrix(suite: suite) {
                for (task, ok) in tasks where ok { passed[tree, default: []].insert("\(suite)/\(task)") }
                if passed[tree] == nil { passed[tree] = [] }
            }
        }
        let mine = passed[parent.tree] ?? []
        func entry(_ v: Variant) -> Entry {
            let theirs = passed[v.tree] ?? []
            return Entry(
                variant: v, gains: theirs.subtracting(mine).sorted(), losses: mine.subtracting(theirs).sorted())
        }
        let others = try archive.allVariants().filter {
            $0.id != parent.id && $0.tree != parent.tree && $0.status != .invalid
        }
        let scored = others.filter { $0.score != nil }.sorted(by: Variant.ranksAbove)
        let top = scored.prefix(best).map(entry)
        let taken = Set(top.map(\.variant.id))
        let candidates = others.filter { !taken.contains($0.id) && passed[$0.tree] != nil }.map(entry)
        let far = candidates.filter { !$0.gains.isEmpty || !$0.losses.isEmpty }.sorted(by: Self.moreDifferent)
            .prefix(different)
        return ArchiveDigest(best: Array(top), different: Array(far))
    }

    /// More tasks that differ first, then the better variant.
    static func moreDifferent(_ a: Entry, _ b: Entry) -> Bool {
        let da = a.gains.count + a.losses.count
        let db = b.gains.count + b.losses.count
        return da != db ? da > db : Variant.ranksAbove(a.variant, b.variant)
    }

    public var isEmpty: Bool { best.isEmpty && different.isEmpty }
}
