import EvolveArchive
import EvolveEvaluation
import EvolveTasks
import Foundation
import Testing

@testable import EvolveMutation

/// What the meta-agent reads of a check that reports metrics and artifacts.
@Suite("Metric feedback")
struct MetricFeedbackTests {
    @Test func artifactsAndMetricsReachTheFeedbackButNotTheCheckLog() {
        var verdicts = TaskVerdicts(
            source: "metrics", tests: [TestVerdict(name: "valid_packing", outcome: .failed)],
            metrics: ["sum_radii": 0, "valid": 0])
        verdicts.artifacts = ["check": "circles 3 and 7 overlap"]
        let outcome = TaskOutcome(
            tree: "t", suite: "circle-packing", task: "c01", status: .failed, durationSeconds: 1,
            log: "agent output\n── check step: HIDDEN-CHECK-OUTPUT\n", verdicts: verdicts)
        let text = Feedback.text(of: outcome, level: .verdicts)
        #expect(text.contains("agent output"))
        #expect(text.contains("check: circles 3 and 7 overlap"))
        #expect(text.contains("sum_radii = 0.0"))
        #expect(text.contains("FAIL  valid_packing"))
        #expect(!text.contains("HIDDEN-CHECK-OUTPUT"))
    }

    @Test func withoutArtifactsNoArtifactSection() {
        let outcome = TaskOutcome(
            tree: "t", suite: "s", task: "a", status: .passed, durationSeconds: 1, log: "",
            verdicts: TaskVerdicts(source: "runner", tests: [TestVerdict(name: "t", outcome: .passed)]))
        let text = Feedback.text(of: outcome, level: .verdicts)
        #expect(!text.contains("artifacts"))
        #expect(!text.contains("metrics"))
    }

    @Test func aPassedTaskOnAnObjectiveSuiteTellsTheMetaAgentWhatToRaise() {
        let task = SuiteTask(
            id: "c01", directory: "/x", promptPath: "/x/prompt.md", workspacePath: nil, testsPath: nil,
            check: "true", timeoutSeconds: 1, checkTimeoutSeconds: 1)
        var suite = Suite(
            name: "circle-packing", directory: "/x", check: "true", timeoutSeconds: 1,
            checkTimeoutSeconds: 1, stages: [], tasks: [task])
        suite.objectives = [Objective(name: "sum_radii", bounds: 0...2.7)]
        var verdicts = TaskVerdicts(
            source: "metrics", tests: [TestVerdict(name: "valid_packing", outcome: .passed)],
            metrics: ["sum_radii": 1.35])
        verdicts.artifacts = ["check": "valid packing\nsum 1.35"]
        let outcome = TaskOutcome(
            tree: "t", suite: "circle-packing", task: "c01", status: .passed, durationSeconds: 1,
            log: "", verdicts: verdicts)
        let note = ParentReport.objectiveNote(outcome, suite: suite)
        #expect(note.hasPrefix("circle-packing/c01: score 0.500 of 1 (objectives: sum_radii maximize in 0.0…2.7)"))
        #expect(note.contains("metrics: sum_radii = 1.35"))
        #expect(note.contains("check artifacts: check: valid packing sum 1.35"))
    }
}
