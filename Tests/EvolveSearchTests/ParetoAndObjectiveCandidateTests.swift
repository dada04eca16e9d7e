import EvolveArchive
import EvolveEvaluation
import EvolveSupport
import EvolveTasks
import Foundation
import Testing

@testable import EvolveSearch

/// `evolve list --pareto` and the candidates a selector sees on a suite with objectives.
@Suite("Pareto list and objective candidates")
struct ParetoAndObjectiveCandidateTests {
    /// An archive whose seed has `count - 1` children, each with a tree of its own.
    static func archive(_ dir: String, count: Int) throws -> (Archive, [Variant]) {
        try FileManager.default.createDirectory(atPath: dir + "/seed", withIntermediateDirectories: true)
        try "print(0)\n".write(toFile: dir + "/seed/agent.py", atomically: true, encoding: .utf8)
        let archive = try Archive.create(at: dir + "/archive", seed: dir + "/seed")
        var variants = [try archive.variant(VariantID(0))]
        for i in 1..<count {
            let tree = try archive.writeTree(base: variants[0].tree, changes: ["agent.py": .write("print(\(i))\n")])
            variants.append(
                try archive.record(
                    parents: [variants[0].id], tree: tree,
                    metadata: VariantMetadata(generation: 1, operator: "test", summary: "c\(i)", slot: i - 1)))
        }
        return (archive, variants)
    }

    static func agentCall(_ archive: Archive, _ v: Variant, task: String, cost: Double) throws {
        try archive.recordCall(
            LLMCallRow(
                run: nil, variant: v.id, taskKey: "\(v.id)/s/\(task)", purpose: "agent", model: "m",
                requestHash: UUID().uuidString, tokensIn: 1, tokensOut: 1, latencySeconds: 0, costUSD: cost,
                transcriptBlob: "", createdAt: 0),
            transcript: "{}")
    }

    @Test func theFrontKeepsWhatNothingBeatsOnScoreAndCostPerTask() throws {
        let dir = try Files.makeTemporaryDirectory(prefix: "evolve-pareto")
        defer { Files.removeTree(dir) }
        let (archive, v) = try Self.archive(dir, count: 5)
        for (variant, score) in zip(v, [0.5, 0.9, 0.4, 0.9, 0.95]) {
            try archive.setScore(variant.id, score: score, status: .valid)
        }
        try archive.setScore(v[4].id, score: 0.95, status: .invalid)  // invalid: never on the front
        try Self.agentCall(archive, v[1], task: "a", cost: 0.03)
        try Self.agentCall(archive, v[1], task: "b", cost: 0.01)  // v1: 0.02 per task
        try Self.agentCall(archive, v[3], task: "a", cost: 0.05)  // v3: same score, dearer
        let front = try ParetoList.front(archive: archive)
        #expect(front.map(\.variant.id) == [v[1].id, v[0].id])
        #expect(abs(front[0].costPerTask - 0.02) < 1e-12)
        #expect(front[1].costPerTask == 0)
        #expect(ParetoList.render(front).contains("2 variants on the front"))
    }

    @Test func onASuiteWithObjectivesCandidatesRankByTheObjectivesAndCarryMetrics() throws {
        let dir = try Files.makeTemporaryDirectory(prefix: "evolve-objective-candidates")
        defer { Files.removeTree(dir) }
        let (archive, v) = try Self.archive(dir, count: 2)
        let task = SuiteTask(
            id: "t", directory: dir, promptPath: dir, workspacePath: nil, testsPath: nil, check: "true",
            timeoutSeconds: 1, checkTimeoutSeconds: 1)
        var suite = Suite(
            name: "s", directory: dir, check: "true", timeoutSeconds: 1, checkTimeoutSeconds: 1,
            stages: [], tasks: [task])
        // v0 passes with size 4; v1 reports size 8 but fails its check.
        for (variant, status, size) in [(v[0], OutcomeStatus.passed, 4.0), (v[1], .failed, 8.0)] {
            try archive.record(
                TaskOutcome(
                    tree: variant.tree, suite: "s", task: "t", status: status, durationSeconds: 0, log: "",
                    verdicts: TaskVerdicts(source: "metrics", tests: [], metrics: ["size": size])))
            try archive.setScore(variant.id, score: 0, status: .valid)
        }
        let plain = try Candidates.build(archive: archive, suites: [suite])
        #expect(
            try ObjectiveCandidates.apply(plain, archive: archive, suites: [suite]).map(\.score) == plain.map(\.score))
        suite.objectives = [Objective(name: "size", bounds: 0...8)]
        let ranked = try ObjectiveCandidates.apply(plain, archive: archive, suites: [suite])
        #expect(ranked.map(\.score) == [0.5, 0])
        #expect(ranked.map { $0.features["size"] } == [4, 8])
    }
}
