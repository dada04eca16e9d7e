import EvolveSupport
import Foundation

// MARK: - Per-task outcomes

extension Archive {
    /// The recorded outcomes of a tree on a suite (every task and attempt), sorted by task.
    public func outcomes(tree: String, suite: String) throws -> [TaskOutcome] {
        try locked {
            try db.rows(
                """
                SELECT tree_id, suite, task, attempt, status, duration_s, log_blob, detail, run_id, verdicts
                FROM evaluations WHERE tree_id = ? AND suite = ? ORDER BY task, attempt
                """, [tree, suite]
            ) { row in
                TaskOutcome(
                    tree: row.string(0), suite: row.string(1), task: row.string(2), attempt: row.int(3),
                    status: OutcomeStatus(rawValue: row.string(4)) ?? .crashed, durationSeconds: row.double(5),
                    log: row.string(6), detail: row.optionalString(7), run: row.optionalString(8),
                    verdicts: TaskVerdicts.decode(row.optionalString(9)))
            }.map { outcome in
                var outcome = outcome
                // The log column holds the blob id; hand back the text.
                outcome.log = (try? blob(outcome.log)) ?? "(log unavailable: blob \(outcome.log) is missing)"
                return outcome
            }
        }
    }

    /// Records one task's outcome at once (its log stored as a git blob). Recording the same
    /// (tree, suite, task, attempt) twice keeps the first: an evaluation is never redone or overwritten.
    /// Returns false when the outcome was already there.
    @discardableResult
    public func record(_ outcome: TaskOutcome) throws -> Bool {
        try locked {
            let logBlob = try git.writeBlob(Array(outcome.log.utf8)).hex
            let changed = try db.run(
                """
                INSERT OR IGNORE INTO evaluations
                    (tree_id, suite, task, attempt, status, duration_s, log_blob, detail, run_id, created_at,
                     verdicts, tests_passed, tests_total)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                outcome.tree, outcome.suite, outcome.task, outcome.attempt, outcome.status.rawValue,
                outcome.durationSeconds, logBlob, outcome.detail, outcome.run, Date().timeIntervalSince1970,
                outcome.verdicts?.encoded(), outcome.verdicts?.passed, outcome.verdicts?.total)
            return changed == 1
        }
    }

    /// Pass/fail of every evaluated tree on a suite, by tree then task (first attempt only): the outcome
    /// vectors that novelty and clade statistics are computed from.
    public func passMatrix(suite: String) throws -> [String: [String: Bool]] {
        try locked {
            var matrix: [String: [String: Bool]] = [:]
            try db.query("SELECT tree_id, task, status FROM evaluations WHERE suite = ? AND attempt = 0", [suite]) {
                matrix[$0.string(0), default: [:]][$0.string(1)] = $0.string(2) == OutcomeStatus.passed.rawValue
            }
            return matrix
        }
    }

    /// The number of recorded task evaluations (all suites), for budgets.
    public func evaluationCount(run: String? = nil) throws -> Int {
        try locked {
            if let run {
                return try db.first("SELECT count(*) FROM evaluations WHERE run_id = ?", [run]) { $0.int(0) } ?? 0
            }
            return try db.first("SELECT count(*) FROM evaluations") { $0.int(0) } ?? 0
        }
    }
}

extension Archive {
    /// The suites a tree has outcomes on.
    public func evaluatedSuites(tree: String) throws -> [String] {
        try locked {
            try db.rows("SELECT DISTINCT suite FROM evaluations WHERE tree_id = ? ORDER BY suite", [tree]) {
                $0.string(0)
            }
        }
    }
}
