import EvolveArchive
import EvolveSupport
import EvolveTasks
import Foundation

/// The result of one `EvaluationService.evaluate`: a row per selected task and the score.
public struct EvaluationReport: Sendable {
    public struct Row: Sendable {
        /// Whether this evaluation ran the task, found it already recorded for the tree, or left it out because
        /// an earlier stage fell short of its threshold.
        public enum State: String, Sendable {
            case ran
            case recorded
            case notRun = "not_run"
        }

        public var task: String
        public var outcome: TaskOutcome?
        public var state: State
    }

    public var variant: VariantID
    public var tree: String
    public var suite: String
    public var rows: [Row]
    public var passed: Int
    /// Tasks in the whole suite: the score's denominator.
    public var suiteTaskCount: Int
    /// Tasks this evaluation ran.
    public var ranCount: Int
    /// Tasks skipped because an outcome for this tree was already recorded.
    public var skippedCount: Int
    /// Index of the stage after which the evaluation stopped (its threshold not reached); nil if none stopped it.
    public var stoppedAfterStage: Int?
    /// Whether only some tasks were asked for (`--tasks`).
    public var partial: Bool
    public var seconds: Double
    /// The suite's `objectives:`; empty for a pass/fail suite.
    public var objectives: [Objective] = []

    /// Passed tasks over all tasks of the suite; tasks not run count as not passed. (A task passes only when
    /// every expected test passed; per-test counts are in each outcome's verdicts.) On a suite with
    /// objectives: the mean over all its tasks of each task's aggregated objectives (`SuiteObjectives`).
    public var score: Double {
        guard suiteTaskCount > 0 else { return 0 }
        guard !objectives.isEmpty else { return Double(passed) / Double(suiteTaskCount) }
        let sum = rows.map {
            SuiteObjectives.taskScore(
                passed: $0.outcome?.status.isPass ?? false, metrics: $0.outcome?.verdicts?.metrics, objectives)
        }.reduce(0, +)
        return sum / Double(suiteTaskCount)
    }

    /// One line that says what happened, e.g. "ran 3 tasks, 2 already recorded: score 0.400 (2/5)".
    public var summary: String {
        var parts: [String] = []
        if ranCount == 0 && skippedCount > 0 {
            parts.append("nothing to run: all \(skippedCount) selected tasks were already evaluated for this tree")
        } else {
            parts.append("ran \(ranCount) task\(ranCount == 1 ? "" : "s")")
            if skippedCount > 0 { parts.append("\(skippedCount) already evaluated for this tree") }
        }
        if let stage = stoppedAfterStage {
            let left = rows.filter { $0.state == .notRun }.count
            parts.append("stopped after stage \(stage + 1) (threshold not reached; \(left) not run)")
        }
        let score = String(format: "%.3f", self.score)
        let forgeable = rows.filter { $0.outcome?.verdicts?.forgeable == true }.count
        return parts.joined(separator: ", ") + ": score \(score) (\(passed)/\(suiteTaskCount) passed)"
            + (partial ? " [only the selected tasks were run]" : "")
            + (forgeable > 0
                ? " [\(forgeable) task\(forgeable == 1 ? "" : "s") judged by the check's exit status: forgeable]" : "")
    }

    // MARK: - Rendering

    /// A table for people: task, status, time, whether it ran now, and the reason.
    public func renderTable(color: Bool = false) -> String {
        let width = max(4, rows.map(\.task.count).max() ?? 4)
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        var out = "\(variant) on \(suite)\n"
        out +=
            pad("TASK", width) + "  " + pad("STATUS", 10) + "  " + pad("TIME", 8) + "  " + pad("TESTS", 9) + "  "
            + pad("SOURCE", 8) + "  DETAIL\n"
        for row in rows {
            let status = row.outcome?.status.rawValue ?? "not run"
            var shown = pad(status, 10)
            if color {
                let code = row.outcome?.status.isPass == true ? "32" : (row.outcome == nil ? "2" : "31")
                shown = Terminal.style(shown, code, tty: true)
            }
            let time = row.outcome.map { String(format: "%.2f s", $0.durationSeconds) } ?? "-"
            let source = row.state == .ran ? "ran" : (row.state == .recorded ? "archive" : "-")
            let tests = row.outcome?.verdicts.map { v in "\(v.passed)/\(v.total)" + (v.forgeable ? "!" : "") } ?? "-"
            let detail = (row.outcome?.detail ?? "").replacingOccurrences(of: "\n", with: " ")
            out +=
                pad(row.task, width) + "  " + shown + "  " + pad(time, 8) + "  " + pad(tests, 9) + "  "
                + pad(source, 8) + "  "
                + String(detail.prefix(140)) + "\n"
        }
        out += summary + "\n"
        return out
    }

    /// One JSON object: variant, tree, suite, score, counts and a row per task.
    public func renderJSON() -> String {
        var w = JSONWriter()
        w.beginObject()
        w.field("variant", "\(variant)")
        w.field("tree", tree)
        w.field("suite", suite)
        w.field("score", score)
        w.field("passed", passed)
        w.field("suite_tasks", suiteTaskCount)
        w.field("ran", ranCount)
        w.field("skipped", skippedCount)
        w.field("stopped_after_stage", stoppedAfterStage.map { $0 + 1 })
        w.field("partial", partial)
        w.field("seconds", seconds)
        w.key("tasks")
        w.beginArray()
        for row in rows {
            w.beginObject()
            w.field("task", row.task)
            w.field("status", row.outcome?.status.rawValue)
            w.field("state", row.state.rawValue)
            w.field("duration_s", row.outcome?.durationSeconds)
            w.field("detail", row.outcome?.detail)
            w.field("tests_passed", row.outcome?.verdicts?.passed)
            w.field("tests_total", row.outcome?.verdicts?.total)
            w.field("verdict_source", row.outcome?.verdicts?.source)
            w.field("forgeable", row.outcome?.verdicts?.forgeable ?? false)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return w.output
    }
}
