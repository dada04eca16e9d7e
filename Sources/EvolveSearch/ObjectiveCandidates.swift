import EvolveArchive
import EvolveEvaluation
import EvolveSupport
import EvolveTasks
import Foundation

/// Candidates on suites that declare `objectives:`: the score a selector ranks is the aggregated objectives
/// (as `EvaluationReport.score` computes it), and the features MAP-Elites bins on are the metrics' means.
public enum ObjectiveCandidates {
    /// On suites without objectives, the candidates unchanged (pass rates, no features). Otherwise each
    /// candidate's score becomes the task-weighted mean of its suites' scores, and its `features` hold the
    /// mean of every metric its checks reported (over the tasks that reported it).
    ///
    /// A candidate's outcomes never change once it is scored (a tree is evaluated once), so with a `cache`
    /// (one per search) each candidate's outcomes are read from the archive once, not every generation.
    public static func apply(
        _ candidates: [Candidate], archive: Archive, suites: [Suite], cache: Cache? = nil
    ) throws -> [Candidate] {
        guard suites.contains(where: { !$0.objectives.isEmpty }) else { return candidates }
        return try candidates.map { candidate in
            if let known = cache?.value(candidate.id) { return known.applied(to: candidate) }
            let derived = try derive(candidate, archive: archive, suites: suites)
            cache?.store(candidate.id, derived)
            return derived.applied(to: candidate)
        }
    }

    /// What the objectives make of one candidate: its score and the metrics' means.
    public struct Derived: Sendable {
        var score: Double
        var features: [String: Double]

        func applied(to candidate: Candidate) -> Candidate {
            var c = candidate
            c.score = score
            for (name, value) in features where c.features[name] == nil { c.features[name] = value }
            return c
        }
    }

    /// Derived values by candidate, kept for one search.
    public final class Cache: Sendable {
        private let values = Locked<[VariantID: Derived]>([:])

        public init() {}

        func value(_ id: VariantID) -> Derived? { values.withLock { $0[id] } }
        func store(_ id: VariantID, _ derived: Derived) { values.withLock { $0[id] = derived } }
    }

    private static func derive(_ candidate: Candidate, archive: Archive, suites: [Suite]) throws -> Derived {
        let total = suites.map(\.tasks.count).reduce(0, +)
        do {
            let c = candidate
            let tree = try archive.variant(c.id).tree
            var sum = 0.0
            var metricSums: [String: (sum: Double, count: Int)] = [:]
            for suite in suites {
                var byTask: [String: TaskOutcome] = [:]
                for outcome in try archive.outcomes(tree: tree, suite: suite.name) where byTask[outcome.task] == nil {
                    byTask[outcome.task] = outcome
                }
                for task in suite.tasks {
                    let outcome = byTask[task.id]
                    if suite.objectives.isEmpty {
                        sum += outcome?.status.isPass == true ? 1 : 0
                    } else {
                        sum += SuiteObjectives.taskScore(
                            passed: outcome?.status.isPass ?? false, metrics: outcome?.verdicts?.metrics,
                            suite.objectives)
                    }
                    for (name, value) in outcome?.verdicts?.metrics ?? [:] where value.isFinite {
                        metricSums[name, default: (0, 0)].sum += value
                        metricSums[name, default: (0, 0)].count += 1
                    }
                }
            }
            return Derived(
                score: total == 0 ? 0 : sum / Double(total),
                features: metricSums.mapValues { $0.sum / Double($0.count) })
        }
    }
}
