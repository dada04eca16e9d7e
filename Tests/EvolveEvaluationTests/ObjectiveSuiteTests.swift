import EvolveArchive
import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

@testable import EvolveEvaluation
@testable import EvolveTasks

/// Suites that declare `objectives:`: parsing, the score from metrics, artifacts.
@Suite("Suite objectives")
struct ObjectiveSuiteTests {
    /// A suite of two tasks whose check reads `value.txt` (written by the agent), passes when it is at most 5,
    /// and reports it as the metric `size`, with an artifact that quotes the hidden tests' secret line.
    static func metricSuite(
        _ scratch: Scratch, objectives: String = "[{name: size, direction: maximize, bounds: [0, 8]}]"
    )
        throws -> Suite
    {
        try scratch.write(
            "suites/m/suite.yaml",
            "name: m\ncheck: sh tests/check.sh\nresults: {metrics: /evolve/out/m.json}\nobjectives: \(objectives)\n")
        for task in ["t1", "t2"] {
            try scratch.write("suites/m/tasks/\(task)/prompt.md", "write a number to value.txt\n")
            try scratch.write("suites/m/tasks/\(task)/tests/secret.txt", "the hidden answer is forty two exactly\n")
            try scratch.write(
                "suites/m/tasks/\(task)/tests/check.sh",
                """
                v=$(cat value.txt 2>/dev/null || echo 0)
                s=$(cat tests/secret.txt)
                if [ "$v" -le 5 ]; then ok=true; else ok=false; fi
                printf '{"metrics": {"size": %s}, "tests": {"ok": %s}, "artifacts": {"note": "value %s; %s"}}' \
                  "$v" "$ok" "$v" "$s" > "$EVOLVE_RESULTS_DIR/m.json"

                """)
        }
        return try Suite.load(from: scratch.file("suites/m"))
    }

    @Test func parsesObjectives() throws {
        let scratch = try Scratch()
        let suite = try Self.metricSuite(
            scratch,
            objectives: "[{name: size, direction: minimize, weight: 2, bounds: [1, 9]}, {name: t, bounds: [0, 1]}]")
        #expect(
            suite.objectives == [
                Objective(name: "size", direction: .minimize, weight: 2, bounds: 1...9),
                Objective(name: "t", direction: .maximize, weight: 1, bounds: 0...1),
            ])
        #expect(try Suite.load(from: smokeSuitePath).objectives.isEmpty)
    }

    @Test func refusesBadObjectivesWithTheReason() throws {
        let cases = [
            ("[{name: size}]", "needs 'bounds"),
            ("[{name: size, bounds: [3, 1]}]", "LOW < HIGH"),
            ("[{name: size, bounds: [0, .nan]}]", "LOW < HIGH"),
            ("[{name: size, direction: up, bounds: [0, 1]}]", "maximize or minimize"),
            ("[{name: size, weight: -1, bounds: [0, 1]}]", "weight"),
            ("[{name: size, goal: 3, bounds: [0, 1]}]", "unknown objective key 'goal'"),
            ("[{name: a, bounds: [0, 1]}, {name: a, bounds: [0, 1]}]", "used twice"),
            ("[{name: a, weight: 0, bounds: [0, 1]}]", "weight 0"),
            ("[]", "non-empty list"),
            ("size", "non-empty list"),
        ]
        for (yaml, expected) in cases {
            let scratch = try Scratch()
            let message = errorMessage { _ = try Self.metricSuite(scratch, objectives: yaml) }
            #expect(message.contains(expected), "\(yaml): \(message)")
        }
    }

    @Test func objectivesNeedAMetricsCheck() throws {
        let scratch = try Scratch()
        try scratch.write("s/suite.yaml", "name: s\ncheck: 'true'\nobjectives: [{name: a, bounds: [0, 1]}]\n")
        try scratch.write("s/tasks/t1/prompt.md", "do it")
        let message = errorMessage { _ = try Suite.load(from: scratch.file("s")) }
        #expect(message.contains("objectives need metrics, but task t1 reads its verdicts as exit-status"))
    }

    @Test func aTaskScoresItsObjectivesOnlyWhenItPassed() {
        let objectives = [Objective(name: "size", bounds: 0...8)]
        func score(_ status: OutcomeStatus, _ metrics: [String: Double]?) -> Double {
            SuiteObjectives.taskScore(passed: status.isPass, metrics: metrics, objectives)
        }
        #expect(score(.passed, ["size": 4]) == 0.5)
        #expect(score(.passed, ["size": 80]) == 1)
        #expect(score(.failed, ["size": 8]) == 0)
        #expect(score(.passed, ["other": 8]) == 0)
        #expect(score(.passed, nil) == 0)
    }

    @Test func theScoreIsTheAggregatedObjectives() async throws {
        let scratch = try Scratch()
        let suite = try Self.metricSuite(scratch)
        let agent = try scratch.shellAgent("four", script: "echo 4 > value.txt\n")
        let report = try await evaluate(try scratch.archive(seed: agent), suite: suite)
        #expect(report.passed == 2)
        #expect(report.score == 0.5)
        let verdicts = report.rows.first?.outcome?.verdicts
        #expect(verdicts?.metrics == ["size": 4])
        #expect(verdicts?.artifacts?["note"]?.hasPrefix("value 4; ") == true)
        #expect(verdicts?.artifacts?["note"]?.contains("forty two") == false)
    }

    @Test func aHugeMetricOnAFailedCheckScoresNothing() async throws {
        let scratch = try Scratch()
        let suite = try Self.metricSuite(scratch)
        let agent = try scratch.shellAgent("greedy", script: "echo 1000 > value.txt\n")
        let report = try await evaluate(try scratch.archive(seed: agent), suite: suite)
        #expect(report.rows.first?.outcome?.verdicts?.metrics == ["size": 1000])
        #expect(report.passed == 0)
        #expect(report.score == 0)
    }

    @Test func artifactsAreCutAndRedacted() {
        let redactor = HiddenTextRedactor(texts: ["the hidden answer is forty two exactly"])
        var many: [String: String] = [:]
        for i in 0..<20 { many["a\(String(format: "%02d", i))"] = String(repeating: "x", count: 5000) }
        many["a00"] = "see: the hidden answer is forty two exactly"
        let kept = TaskEvaluator.trimmedArtifacts(many, redactor: redactor) ?? [:]
        #expect(kept.count == TaskEvaluator.maxArtifacts)
        #expect(kept["a00"]?.contains("forty two") == false)
        #expect(kept["a01"].map { $0.count < 1100 } == true)
        #expect(TaskEvaluator.trimmedArtifacts([:], redactor: redactor) == nil)
    }

    @Test func metricsFilesMayCarryArtifacts() throws {
        let read = try VerdictReaders.metrics(
            Data(#"{"metrics": {"a": 1}, "tests": {"ok": true}, "artifacts": {"stderr": "boom"}}"#.utf8))
        #expect(read.artifacts == ["stderr": "boom"])
        #expect(throws: VerdictReaders.Unreadable.self) {
            try VerdictReaders.metrics(Data(#"{"tests": {"ok": true}, "artifacts": {"n": 3}}"#.utf8))
        }
    }
}
