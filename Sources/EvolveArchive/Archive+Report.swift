import EvolveSupport
import Foundation

// Read-only queries for `evolve report` and `evolve serve`. Nothing here writes to the archive.

// MARK: - Types

/// The LLM calls, tokens and cost of the variants of one generation.
public struct GenerationUsage: Sendable, Equatable {
    public var generation: Int
    /// LLM calls recorded for the generation's variants (mutation and evaluation alike).
    public var calls: Int
    public var tokensIn: Int
    public var tokensOut: Int
    /// What those calls cost, from `llm_calls`.
    public var llmCostUSD: Double
    /// The cost recorded on the variants themselves (`variants.cost_usd`).
    public var variantCostUSD: Double

    public init(
        generation: Int, calls: Int = 0, tokensIn: Int = 0, tokensOut: Int = 0, llmCostUSD: Double = 0,
        variantCostUSD: Double = 0
    ) {
        self.generation = generation
        self.calls = calls
        self.tokensIn = tokensIn
        self.tokensOut = tokensOut
        self.llmCostUSD = llmCostUSD
        self.variantCostUSD = variantCostUSD
    }

    /// The generation's cost: the per-call record where there is one, else what the variants carry.
    public var costUSD: Double { calls > 0 ? llmCostUSD : variantCostUSD }
}

/// A cheap summary of everything that can change in an archive while a search runs: two stamps differ
/// exactly when a report drawn from them would differ.
public struct ArchiveStamp: Sendable, Equatable {
    public var variants: Int
    public var scored: Int
    public var invalid: Int
    public var evaluations: Int
    public var llmCalls: Int
    /// Seconds since 1970 of the newest variant, outcome, LLM call or run update (0 when empty).
    public var latestUpdate: Double
    /// The sum of all scores, so that a re-score shows up too.
    public var scoreSum: Double

    /// A short opaque token for "has anything changed?".
    public var fingerprint: String {
        "\(variants)-\(scored)-\(invalid)-\(evaluations)-\(llmCalls)-\(String(format: "%.6f", latestUpdate))-"
            + String(format: "%.6f", scoreSum)
    }
}

/// A search run as the report shows it (a row of `runs`, state as text).
public struct RunSummary: Sendable, Equatable {
    public var id: String
    public var state: String
    public var startedAt: Double
    public var updatedAt: Double
    /// The last progress note (JSON), or nil.
    public var progress: String?
}

// MARK: - Queries

extension Archive {
    /// Calls, tokens and cost per generation, in generation order; every generation that has a variant
    /// is listed, with zeros where nothing was recorded.
    public func usageByGeneration() throws -> [GenerationUsage] {
        try locked {
            var byGeneration: [Int: GenerationUsage] = [:]
            try db.query("SELECT generation, total(cost_usd) FROM variants GROUP BY generation") {
                byGeneration[$0.int(0)] = GenerationUsage(generation: $0.int(0), variantCostUSD: $0.double(1))
            }
            try db.query(
                """
                SELECT v.generation, count(*), total(c.tokens_in), total(c.tokens_out), total(c.cost_usd)
                FROM llm_calls c JOIN variants v ON v.num = c.variant GROUP BY v.generation
                """
            ) {
                var usage = byGeneration[$0.int(0)] ?? GenerationUsage(generation: $0.int(0))
                usage.calls = $0.int(1)
                usage.tokensIn = Int($0.double(2))
                usage.tokensOut = Int($0.double(3))
                usage.llmCostUSD = $0.double(4)
                byGeneration[$0.int(0)] = usage
            }
            return byGeneration.values.sorted { $0.generation < $1.generation }
        }
    }

    /// What has changed, cheaply: counts and the newest timestamp of every table a report draws from.
    public func stamp() throws -> ArchiveStamp {
        try locked {
            try db.first(
                """
                SELECT (SELECT count(*) FROM variants), (SELECT count(score) FROM variants),
                       (SELECT count(*) FROM variants WHERE status = 'invalid'),
                       (SELECT count(*) FROM evaluations), (SELECT count(*) FROM llm_calls),
                       max(COALESCE((SELECT max(created_at) FROM variants), 0),
                           COALESCE((SELECT max(created_at) FROM evaluations), 0),
                           COALESCE((SELECT max(created_at) FROM llm_calls), 0),
                           COALESCE((SELECT max(updated_at) FROM runs), 0)),
                       (SELECT total(score) FROM variants)
                """
            ) {
                ArchiveStamp(
                    variants: $0.int(0), scored: $0.int(1), invalid: $0.int(2), evaluations: $0.int(3),
                    llmCalls: $0.int(4), latestUpdate: $0.double(5), scoreSum: $0.double(6))
            }
                ?? ArchiveStamp(
                    variants: 0, scored: 0, invalid: 0, evaluations: 0, llmCalls: 0, latestUpdate: 0,
                    scoreSum: 0)
        }
    }

    /// Every search run, newest first, as the report shows it.
    public func runSummaries() throws -> [RunSummary] {
        try locked {
            try db.rows("SELECT id, state, started_at, updated_at, progress FROM runs ORDER BY started_at DESC") {
                RunSummary(
                    id: $0.string(0), state: $0.string(1), startedAt: $0.double(2), updatedAt: $0.double(3),
                    progress: $0.optionalString(4))
            }
        }
    }

    /// Every suite with at least one recorded outcome.
    public func allEvaluatedSuites() throws -> [String] {
        try locked { try db.rows("SELECT DISTINCT suite FROM evaluations ORDER BY suite") { $0.string(0) } }
    }

    /// The first-attempt outcome of every task (all suites) of the given trees, with empty logs (read a
    /// log with `outcomes(tree:suite:)`): one query for a whole report.
    public func outcomesWithoutLogs(trees: [String]) throws -> [TaskOutcome] {
        guard !trees.isEmpty else { return [] }
        return try locked {
            var outcomes: [TaskOutcome] = []
            // SQLite limits bound parameters; ask in slices.
            for start in stride(from: 0, to: trees.count, by: 200) {
                let slice = Array(trees[start..<min(start + 200, trees.count)])
                let marks = Array(repeating: "?", count: slice.count).joined(separator: ",")
                try db.query(
                    """
                    SELECT tree_id, suite, task, status, duration_s, detail, run_id, verdicts FROM evaluations
                    WHERE attempt = 0 AND tree_id IN (\(marks)) ORDER BY suite, task
                    """, slice
                ) {
                    outcomes.append(
                        TaskOutcome(
                            tree: $0.string(0), suite: $0.string(1), task: $0.string(2),
                            status: OutcomeStatus(rawValue: $0.string(3)) ?? .crashed, durationSeconds: $0.double(4),
                            log: "", detail: $0.optionalString(5), run: $0.optionalString(6),
                            verdicts: TaskVerdicts.decode($0.optionalString(7))))
                }
            }
            return outcomes
        }
    }
}
