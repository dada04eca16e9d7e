import EvolveSupport
import Foundation

/// A search run as the index records it.
public struct RunRecord: Sendable, Equatable {
    public enum State: String, Sendable {
        case running, finished, interrupted, budget, failed
    }

    public var id: String
    public var startedAt: Double
    public var updatedAt: Double
    public var state: State
    /// The run's configuration as JSON (what `--resume` continues with).
    public var config: String
    /// The last progress note (JSON): generation, best, cost, pid.
    public var progress: String?
}

/// One planned child of a generation: which parents and which operator (saved before the child is made,
/// so that a resumed run makes exactly the children it planned).
public struct PlannedChild: Sendable, Equatable {
    public var slot: Int
    public var parents: [VariantID]
    public var `operator`: String

    public init(slot: Int, parents: [VariantID], operator: String) {
        self.slot = slot
        self.parents = parents
        self.operator = `operator`
    }
}

extension Archive {
    // MARK: - Runs

    /// Starts a new run (`r1`, `r2`, …) and returns its id.
    public func startRun(config: String) throws -> String {
        try locked {
            try db.transaction {
                let count = try db.first("SELECT count(*) FROM runs") { $0.int(0) } ?? 0
                let id = "r\(count + 1)"
                let now = Date().timeIntervalSince1970
                try db.run(
                    "INSERT INTO runs (id, started_at, updated_at, state, config) VALUES (?, ?, ?, 'running', ?)",
                    id, now, now, config)
                return id
            }
        }
    }

    /// Updates a run's state and progress note.
    public func updateRun(_ id: String, state: RunRecord.State, progress: String? = nil) throws {
        try locked {
            _ = try db.run(
                "UPDATE runs SET state = ?, updated_at = ?, progress = COALESCE(?, progress) WHERE id = ?",
                state.rawValue, Date().timeIntervalSince1970, progress, id)
        }
    }

    /// The most recent run, if any.
    public func lastRun() throws -> RunRecord? {
        try locked {
            try db.first(
                "SELECT id, started_at, updated_at, state, config, progress FROM runs ORDER BY started_at DESC, rowid DESC LIMIT 1"
            ) {
                RunRecord(
                    id: $0.string(0), startedAt: $0.double(1), updatedAt: $0.double(2),
                    state: RunRecord.State(rawValue: $0.string(3)) ?? .failed, config: $0.string(4),
                    progress: $0.optionalString(5))
            }
        }
    }

    // MARK: - Plans and children

    /// The saved plan of a generation, or nil.
    public func plan(run: String, generation: Int) throws -> [PlannedChild]? {
        try locked {
            let rows = try db.rows(
                "SELECT slot, parents, operator FROM plans WHERE run_id = ? AND generation = ? ORDER BY slot",
                [run, generation]
            ) { row in
                PlannedChild(
                    slot: row.int(0),
                    parents: row.string(1).split(separator: " ").compactMap { VariantID(parsing: String($0)) },
                    operator: row.string(2))
            }
            return rows.isEmpty ? nil : rows
        }
    }

    /// The last generation of a run that has a saved plan (0 when none has): how far the run has gone.
    public func plannedGenerations(run: String) throws -> Int {
        try locked {
            try db.first("SELECT COALESCE(MAX(generation), 0) FROM plans WHERE run_id = ?", [run]) { $0.int(0) } ?? 0
        }
    }

    /// Saves a generation's plan in one transaction.
    public func savePlan(run: String, generation: Int, _ plan: [PlannedChild]) throws {
        try locked {
            try db.transaction {
                for child in plan {
                    try db.run(
                        "INSERT OR IGNORE INTO plans (run_id, generation, slot, parents, operator) VALUES (?, ?, ?, ?, ?)",
                        run, generation, child.slot, child.parents.map(\.description).joined(separator: " "),
                        child.operator)
                }
            }
        }
    }

    /// The children already recorded for a generation of a run, by slot.
    public func children(run: String, generation: Int) throws -> [Int: Variant] {
        try locked {
            var result: [Int: Variant] = [:]
            try db.query(
                "SELECT \(Self.variantColumns) FROM variants WHERE run_id = ? AND generation = ? AND slot IS NOT NULL",
                [run, generation]
            ) {
                let v = Self.variant(from: $0)
                if let slot = v.slot { result[slot] = v }
            }
            return result
        }
    }

    /// What a run has spent: every recorded model call of the run plus the cost recorded on its variants
    /// by operators that had no call recorder.
    public func runCost(_ run: String) throws -> Double {
        try locked {
            let calls =
                try db.first("SELECT COALESCE(SUM(cost_usd), 0) FROM llm_calls WHERE run_id = ?", [run]) {
                    $0.double(0)
                } ?? 0
            let unrecorded =
                try db.first(
                    """
                    SELECT COALESCE(SUM(cost_usd), 0) FROM variants
                    WHERE run_id = ? AND NOT EXISTS (SELECT 1 FROM llm_calls WHERE llm_calls.variant = variants.num)
                    """, [run]
                ) { $0.double(0) } ?? 0
            return calls + unrecorded
        }
    }

    /// Tokens (in + out) of a run's recorded model calls.
    public func runTokens(_ run: String) throws -> Int {
        try locked {
            try db.first("SELECT COALESCE(SUM(tokens_in + tokens_out), 0) FROM llm_calls WHERE run_id = ?", [run]) {
                $0.int(0)
            } ?? 0
        }
    }

    /// Appends an event (a line of the run's history: started, interrupted, budget reached…).
    public func logEvent(run: String?, kind: String, message: String) throws {
        try locked {
            _ = try db.run(
                "INSERT INTO events (run_id, kind, message, created_at) VALUES (?, ?, ?, ?)", run, kind,
                message, Date().timeIntervalSince1970)
        }
    }

    /// The paths that differ between two trees.
    public func changedPaths(from old: String, to new: String) throws -> [String] {
        try locked {
            guard let a = GitOID(hex: old), let b = GitOID(hex: new) else { return [] }
            return try git.changedPaths(from: a, to: b)
        }
    }

    /// The text of one file of a tree, or nil when it is not there.
    public func fileContents(tree: String, path: String) throws -> String? {
        try locked {
            guard let oid = GitOID(hex: tree) else { return nil }
            return try git.fileContents(tree: oid, path: path).map { String(decoding: $0, as: UTF8.self) }
        }
    }
}
