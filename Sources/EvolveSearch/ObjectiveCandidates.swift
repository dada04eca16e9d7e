import EvolveArchive
import EvolveEvaluation
import EvolveSupport
import Foundation

/// Candidates on suites that declare `objectives:`: the score a selector ranks is the aggregated objectives
/// (as `EvaluationReport.score` computes it), and the features MAP-Elites bins on are the metrics' means.
public enum ObjectiveCandidates {
    /// On suites without objectives, the candidates unchanged (pass rates, no features). Otherwise each
    /// candidate's score becomes the task-weighted mean of its suites' scores, and its `features` hold the
    /// mean of every metric its checks reported (over the tasks that reported it).
    public static func apply(_ candidates: [Candidate], archive: Archive, suites: [Suite]) throws -> [Candidate] {
        guard suites.contains(where: { !$0.objectives.isEmpty }) else { return candidates }
        let total = suites.map(\.tasks.count).reduce(0, +)
        return try candidates.map { candidate in
            var c = candidate
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
                        sum += SuiteObjectives.taskScore(outcome, suite.objectives)
                    }
                    for (name, value) in outcome?.verdicts?.metrics ?? [:] where value.isFinite {
                        metricSums[name, default: (0, 0)].sum += value
                        metricSums[name, default: (0, 0)].count += 1
                    }
                }
            }
            c.score = total == 0 ? 0 : sum / Double(total)
            for (name, s) in metricSums where c.features[name] == nil { c.features[name] = s.sum / Double(s.count) }
            return c
        }
    }
}
